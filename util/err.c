/* err.c - error records; see err.h. No state of its own. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

/* file into buf (len bytes, as a cw_err's file): whole when it fits, else its end after
 * CW_ERR_FILE_CUT, from a character's first byte (never the middle of a UTF-8 one). Cut at
 * its start, a path would name another file, or none; its end is the file's own name and the
 * folders nearest it. */
static void err_put_file(char *buf, size_t len, const char *file)
{
    size_t n = strlen(file), keep = len - 1 - strlen(CW_ERR_FILE_CUT);
    const char *end;

    if (n < len) {
        memcpy(buf, file, n + 1);
        return;
    }
    for (end = file + n - keep; ((unsigned char)*end & 0xC0) == 0x80; end++)
        ;
    snprintf(buf, len, "%s%s", CW_ERR_FILE_CUT, end);
}

void cw_err_set_file(struct cw_err *err, const char *file)
{
    err_put_file(err->file, sizeof(err->file), file != NULL ? file : "");
}

int cw_err_file_is(const struct cw_err *err, const char *path)
{
    char as_set[sizeof(err->file)];

    err_put_file(as_set, sizeof(as_set), path);
    return strcmp(err->file, as_set) == 0;
}

/* Fill err, when there is one to fill: NULL (no record wanted, or a list out of memory) is
 * skipped. */
static void err_fill(struct cw_err *err, const char *file, int line, const char *field,
                     const char *fmt, va_list ap)
{
    if (err == NULL)
        return;
    cw_err_set_file(err, file);
    err->line = line;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int cw_err_set(struct cw_err *err, const char *file, int line, const char *field, const char *fmt,
               ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_fill(err, file, line, field, fmt, ap);
    va_end(ap);
    return -1;
}

void cw_err_format(const struct cw_err *err, char *buf, size_t len)
{
    char where[300] = "";

    if (err->file[0] != '\0' && err->line > 0)
        snprintf(where, sizeof(where), "%s:%d: ", err->file, err->line);
    else if (err->file[0] != '\0')
        snprintf(where, sizeof(where), "%s: ", err->file);
    if (err->field[0] != '\0')
        snprintf(buf, len, "%s%s: %s", where, err->field, err->msg);
    else
        snprintf(buf, len, "%s%s", where, err->msg);
}

static struct cw_err *errlist_grow(struct cw_errlist *l)
{
    if (cw_vec_grow(&l->v, l->n, &l->cap, sizeof(*l->v), 8) != 0)
        return NULL;
    return &l->v[l->n++];
}

int cw_errlist_vadd(struct cw_errlist *l, const char *file, int line, const char *field,
                    const char *fmt, va_list ap)
{
    err_fill(errlist_grow(l), file, line, field, fmt, ap);
    return -1;
}

int cw_errlist_add(struct cw_errlist *l, const char *file, int line, const char *field,
                   const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cw_errlist_vadd(l, file, line, field, fmt, ap);
    va_end(ap);
    return -1;
}

void cw_errlist_push(struct cw_errlist *l, const struct cw_err *src)
{
    struct cw_err *e = errlist_grow(l);

    if (e != NULL)
        *e = *src;
}

void cw_errlist_clear(struct cw_errlist *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
