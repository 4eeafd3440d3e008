/* cfgtest.h - what the config tests (tests/test_cfg*.c) share: a fresh temporary site
 * folder per test, its three files written from text, loaded, and errors checked by file,
 * line, field and message. Inputs are written per test (git does not keep the 0600 mode the
 * credentials file needs). Include after <cmocka.h>. */
#ifndef CW_TEST_CFGTEST_H
#define CW_TEST_CFGTEST_H

#include <limits.h>
#include <sys/types.h>

#include "../config/cfg.h"

struct site {
    char dir[256]; /* a short mkdtemp name */
    char conf[PATH_MAX];
    struct cfg *cfg;
    struct cw_errlist errs;
};

/* A site whose conf is standard and whose cameras.csv is the header plus rows. */
#define CONF_STD                                                                                   \
    "[site]\n"                                                                                     \
    "name = Test\n"                                                                                \
    "[inventory]\n"                                                                                \
    "cameras = cameras.csv\n"                                                                      \
    "credentials = credentials.ini\n"                                                              \
    "[owners]\n"                                                                                   \
    "CAH = Công an huyện Lai Vung\n"                                                            \
    "BQLC = Ban quản lý chợ Lai Vung\n"

#define CREDS_STD "[district]\nusername = admin\npassword = camwatch\n"

/* cmocka setup and teardown: a fresh folder, removed with the cfg and errors after. */
int site_setup(void **state);
int site_teardown(void **state);

/* Write text (or copy the file src) to name in the site folder, with this mode. */
void site_write(struct site *s, const char *name, const char *text, mode_t mode);
void site_copy(struct site *s, const char *src, const char *name, mode_t mode);
void site_mkdir(struct site *s, const char *name);

/* The standard conf and credentials, and a cameras.csv of the header plus rows. */
void site_std(struct site *s, const char *rows);
/* A site with this conf and one good camera. */
void site_conf(struct site *s, const char *conf);
/* tests/data/cfg/good, loaded (its errors printed should it fail). */
void load_good_site(struct site *s);
/* cfg_load of the site's conf into s->cfg and s->errs. */
int site_load(struct site *s);

/* One good row, with column col (-1: none) replaced by value. Returns a static buffer
 * holding the row and its newline. */
const char *row(const char *id, int col, const char *value);

int ends_with(const char *s, const char *suffix);
void dump_errors(const struct cw_errlist *l);
/* Assert an error with file ending in file_suffix, this line and field, and message msg
 * (a trailing '*' in msg matches any rest). */
void assert_error(const struct cw_errlist *l, const char *file_suffix, int line, const char *field,
                  const char *msg);
/* Load, expect failure with exactly one error, and check it. */
void expect_one_error(struct site *s, const char *file_suffix, int line, const char *field,
                      const char *msg);

#endif
