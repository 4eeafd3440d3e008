/* load.c - the helpers every reader of a load shares (load.h): errors counted in the load,
 * strings and paths. No state of its own. */
#include "load.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfg_ld_verr(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                 va_list ap)
{
    cw_errlist_vadd(ld->errs, file, line, field, fmt, ap);
    ld->nerr++;
}

void cfg_ld_err(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_ld_verr(ld, file, line, field, fmt, ap);
    va_end(ap);
}

char *cfg_ld_strdup(struct load *ld, const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        ld->oom = 1;
    return d;
}

const struct cfg_seen *cfg_conf_seen(const struct load *ld, const char *section, const char *key)
{
    for (size_t i = 0; i < ld->n_seen; i++)
        if (strcmp(ld->seen[i].section, section) == 0 && strcmp(ld->seen[i].key, key) == 0)
            return &ld->seen[i];
    return NULL;
}

char *cfg_path_join(const char *dir, const char *rel)
{
    size_t n;
    char *p;

    if (rel[0] == '/' || dir[0] == '\0')
        return strdup(rel);
    n = strlen(dir) + strlen(rel) + 2;
    p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

const char *cfg_base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

int cfg_is_code(const char *s)
{
    const char *p;

    for (p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return s[0] != '\0';
}

int cfg_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

struct cfg_named *cfg_named_find(const struct cfg_named_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

int cfg_utf8_valid(const void *text, size_t n)
{
    const unsigned char *s = text;
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t len, k;
        unsigned cp;

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int cfg_text_has_control(const char *text, int lines_ok)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (lines_ok && (*p == '\n' || *p == '\r' || *p == '\t'))
            continue;
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return 1;
    }
    return 0;
}
