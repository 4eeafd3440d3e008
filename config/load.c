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
