/* err.h - error records. A failing function fills a struct cw_err (where and
 * what) and returns -1; config validation collects many in a cw_errlist so
 * every bad line is reported, then fails once. */
#ifndef CW_ERR_H
#define CW_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* In front of a file name too long for a cw_err's file, of which only the end is kept. */
#define CW_ERR_FILE_CUT "..."

struct cw_err {
    char file[256]; /* file the error is about, "" when none; a longer name keeps its end
                     * after CW_ERR_FILE_CUT, so it still ends in the file's own name */
    int line;       /* 1-based line in file, 0 when none */
    char field[64]; /* column, key or directive, "" when none */
    char msg[512];
};

/* Fill err (may be NULL) and return -1. file and field may be NULL. */
int cw_err_set(struct cw_err *err, const char *file, int line, const char *field, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* Say err is about file, stored as cw_err_set stores it (a long name keeps its end). */
void cw_err_set_file(struct cw_err *err, const char *file);

/* Whether err is about the file at path (its file as cw_err_set stores path). */
int cw_err_file_is(const struct cw_err *err, const char *path);

/* Format as "FILE:LINE: FIELD: msg", leaving out the parts that are empty. */
void cw_err_format(const struct cw_err *err, char *buf, size_t len);

struct cw_errlist {
    struct cw_err *v;
    size_t n, cap;
};

/* Append one error; returns -1 always, so callers can `return cw_errlist_add(...)`. */
int cw_errlist_add(struct cw_errlist *l, const char *file, int line, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same with the arguments in ap, for a wrapper of its own that takes a format. */
int cw_errlist_vadd(struct cw_errlist *l, const char *file, int line, const char *field,
                    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* Append a copy of e. */
void cw_errlist_push(struct cw_errlist *l, const struct cw_err *e);
/* Frees the array; l itself is the caller's. */
void cw_errlist_clear(struct cw_errlist *l);

#endif
