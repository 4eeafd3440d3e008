/* load.h - one cfg_load() in progress, shared by the files that read each input: conf.c
 * (camwatch.conf), class.c ([class NAME]), creds.c (credentials.ini) and inventory.c
 * (cameras.csv). A struct load lives on cfg_load()'s stack; it holds the cfg being filled,
 * where errors go, and what the conf said where (for "set twice", checks across keys and
 * messages). Private to config/; nothing here is kept past cfg_load(). */
#ifndef CW_CFG_LOAD_H
#define CW_CFG_LOAD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

/* A named section as written ([class NAME]; each kind is a struct cfg_named_kind, conf.h):
 * the keys it gives, applied by its kind once the whole file is read. */
struct cfg_named {
    char *name;   /* NAME */
    int line;     /* of its first header */
    uint64_t set; /* bit k: key k of its kind's table was given */
    void *v;      /* the given values, in a zeroed struct of its kind's size */
};

struct cfg_named_list {
    struct cfg_named *v;
    size_t n;
};

#define CFG_NAMED_KINDS_MAX 8 /* kinds of named section, see conf.c */

/* The longest [section] name, bytes: inih keeps 50 bytes of it with its NUL and would cut a
 * longer one, so the keys below it would land in another section or none. */
#define CFG_SECTION_MAX 49

/* A conf key as written. */
struct cfg_seen {
    char *section, *key, *value;
    int line;
    int refused; /* its value was bad and not taken: checks across keys leave it alone */
    int twice;   /* given again below (reported); this first value is the one taken */
};

struct load {
    struct cfg *cfg;
    struct cw_errlist *errs;
    size_t nerr; /* errors this load added */
    int oom;
    int strict;          /* CFG_LOAD_STRICT: the daemon's load, not a reader's */
    char *conf_disp_dir; /* folder of the conf path as given, for messages; "" when "." */
    char *cameras_disp;  /* cameras.csv as shown in messages */
    char *creds_disp;
    int creds_ok;    /* credentials loaded; otherwise credential columns are not checked */
    int *cred_lines; /* line of each creds[i] section */
    size_t creds_cap, cameras_cap;
    unsigned char *camera_bad;    /* camera_bad[i]: cameras[i]'s row has a problem */
    struct cfg_names *cred_names; /* credentials.ini sections -> cfg->creds[] */
    size_t conf_nerr;             /* errors in camwatch.conf itself */
    int conf_read;                /* camwatch.conf was read through (cfg_conf_load) */
    int conf_lost;                /* of its lines, how many were not read for a problem */
    struct cfg_seen *seen;        /* conf keys in file order */
    size_t n_seen, seen_cap;
    struct cfg_named_list named[CFG_NAMED_KINDS_MAX]; /* by kind, as conf.c lists them */
};

/* Add an error at file:line, field (either may be NULL/0) and count it. */
void cfg_ld_err(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* The same with the arguments in ap, for the readers' own wrappers. */
void cfg_ld_verr(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                 va_list ap) __attribute__((format(printf, 5, 0)));
/* strdup that notes running out of memory in ld (and returns NULL). */
char *cfg_ld_strdup(struct load *ld, const char *s);
/* The key as written in the conf (conf.c notes each), NULL when the conf does not give it. */
const struct cfg_seen *cfg_conf_seen(const struct load *ld, const char *section, const char *key);
/* dir/rel, or rel alone when it is absolute or dir is "". Caller frees; NULL when out of
 * memory. */
char *cfg_path_join(const char *dir, const char *rel);
const char *cfg_base_name(const char *path);
/* The instance called name in l, or NULL. */
struct cfg_named *cfg_named_find(const struct cfg_named_list *l, const char *name);
/* Letters, digits, '_' and '-': owner codes and section names. */
int cfg_is_code(const char *s);
/* Blank as inih sees it. */
int cfg_is_space(char c);

#endif
