/* cfgtest.c - what the config tests share (cfgtest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgtest.h"
#include "cwtest.h"

void site_write(struct site *s, const char *name, const char *text, mode_t mode)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    cwtest_write_file(path, text, mode);
}

void site_copy(struct site *s, const char *src, const char *name, mode_t mode)
{
    size_t n;
    char *text = cwtest_read_file(src, &n);
    char *z = realloc(text, n + 1);

    assert_non_null(z);
    z[n] = '\0';
    site_write(s, name, z, mode);
    free(z);
}

void site_mkdir(struct site *s, const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
}

int site_setup(void **state)
{
    struct site *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return -1;
    if (cwtest_tmpdir(s->dir, sizeof(s->dir), "cfg") != 0) {
        free(s);
        return -1;
    }
    snprintf(s->conf, sizeof(s->conf), "%s/camwatch.conf", s->dir);
    *state = s;
    return 0;
}

int site_teardown(void **state)
{
    struct site *s = *state;

    cfg_free(s->cfg);
    cw_errlist_clear(&s->errs);
    cwtest_rmtree(s->dir);
    free(s);
    unsetenv("CREDENTIALS_DIRECTORY");
    return 0;
}

void site_std(struct site *s, const char *rows)
{
    char csv[16384];

    snprintf(csv, sizeof(csv), "%s\n%s", CFG_CSV_HEADER, rows);
    site_write(s, "camwatch.conf", CONF_STD, 0644);
    site_write(s, "cameras.csv", csv, 0644);
    site_write(s, "credentials.ini", CREDS_STD, 0600);
}

/* A site with this conf and one good camera. */
void site_conf(struct site *s, const char *conf)
{
    site_std(s, "CAH-001,Cầu Lai Vung,CAH,,district,,,,,rtsp://127.0.0.1:8554/a,,,,,,\n");
    site_write(s, "camwatch.conf", conf, 0644);
}

int site_load(struct site *s)
{
    return cfg_load(s->conf, &s->cfg, &s->errs);
}

/* One good row, with column col (-1: none) replaced by value. Returns a static buffer
 * holding the row and its newline. */
const char *row(const char *id, int col, const char *value)
{
    static char buf[2048];
    char url[256];
    const char *f[16] = {id,     "Cầu Lai Vung", "CAH",   "Tân Dương", "district", "",
                         "QL80", "10.3",         "105.7", NULL,        "",         "district",
                         "",     "2019-05-01",   "",      ""};
    size_t i;

    snprintf(url, sizeof(url), "rtsp://127.0.0.1:8554/%s", id);
    f[9] = url;
    if (col >= 0)
        f[col] = value;
    buf[0] = '\0';
    for (i = 0; i < 16; i++) {
        strcat(buf, f[i]);
        strcat(buf, i < 15 ? "," : "\n");
    }
    return buf;
}

int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void dump_errors(const struct cw_errlist *l)
{
    char buf[1024];
    size_t i;

    for (i = 0; i < l->n; i++) {
        cw_err_format(&l->v[i], buf, sizeof(buf));
        print_message("  got: %s\n", buf);
    }
}

/* Assert an error with file ending in file_suffix, this line and field, and message msg
 * (a trailing '*' in msg matches any rest). */
void assert_error(const struct cw_errlist *l, const char *file_suffix, int line, const char *field,
                  const char *msg)
{
    size_t i, mlen = strlen(msg);
    int prefix = mlen > 0 && msg[mlen - 1] == '*';

    for (i = 0; i < l->n; i++) {
        const struct cw_err *e = &l->v[i];
        int msg_ok = prefix ? strncmp(e->msg, msg, mlen - 1) == 0 : strcmp(e->msg, msg) == 0;
        if (ends_with(e->file, file_suffix) && e->line == line && strcmp(e->field, field) == 0 &&
            msg_ok)
            return;
    }
    print_message("missing error: ...%s:%d: %s: %s\n", file_suffix, line, field, msg);
    dump_errors(l);
    fail();
}

/* Load, expect failure with exactly one error, and check it. */
void expect_one_error(struct site *s, const char *file_suffix, int line, const char *field,
                      const char *msg)
{
    assert_int_equal(site_load(s), -1);
    assert_null(s->cfg);
    assert_error(&s->errs, file_suffix, line, field, msg);
    if (s->errs.n != 1) {
        dump_errors(&s->errs);
        assert_int_equal(s->errs.n, 1);
    }
}

void load_good_site(struct site *s)
{
    site_copy(s, CW_TEST_DATA "/cfg/good/camwatch.conf", "camwatch.conf", 0644);
    site_copy(s, CW_TEST_DATA "/cfg/good/cameras.csv", "cameras.csv", 0644);
    site_mkdir(s, "secrets");
    site_copy(s, CW_TEST_DATA "/cfg/good/secrets/credentials.ini", "secrets/credentials.ini", 0600);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
}
