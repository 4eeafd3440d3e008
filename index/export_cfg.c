/* export_cfg.c - what a plan reads of the configuration, copied from it (export.h: struct
 * export_cfg): the site's name and zone, the tolerance, its recorders and the folder of each
 * dir one.
 * Owns the copies, so a plan can be built from them on any thread after the configuration is
 * freed (the daemon's reload frees the old one as soon as the API has the new one). Made on
 * the thread that owns the configuration; read-only afterwards, any thread. */
#include <stdlib.h>
#include <string.h>

#include "../config/cfg.h"
#include "export.h"

struct export_root {
    char *recorder, *dir;
};

struct export_cfg {
    struct export_settings set; /* its strings and root_data point into this record */
    char *site, *time_zone;
    struct export_root *roots; /* every recorder, by name (as the configuration keeps them); dir
                                  NULL for the remote kinds */
    size_t n_roots;
};

static int root_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct export_root *)elem)->recorder);
}

/* The export_root_fn of a copy (data: the struct export_cfg): a dir recorder's folder, NULL for
 * the remote kinds and for a recorder the configuration did not have. */
static const struct export_root *copy_find(const struct export_cfg *x, const char *recorder)
{
    if (recorder == NULL || x->n_roots == 0)
        return NULL;
    return bsearch(recorder, x->roots, x->n_roots, sizeof(*x->roots), root_cmp);
}

static const char *copy_root(void *data, const char *recorder)
{
    const struct export_root *r = copy_find(data, recorder);

    return r != NULL ? r->dir : NULL;
}

/* The export_known_fn of a copy: whether the configuration had the recorder, of any kind. */
static int copy_known(void *data, const char *recorder)
{
    return copy_find(data, recorder) != NULL;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s != NULL ? s : "");
}

struct export_cfg *export_cfg_copy(const struct cfg *cfg)
{
    struct export_cfg *x = calloc(1, sizeof(*x));

    if (x == NULL)
        return NULL;
    if ((x->site = dup_or_empty(cfg->site_name)) == NULL ||
        (x->time_zone = dup_or_empty(cfg->time_zone)) == NULL)
        goto fail;
    if (cfg->n_recorders > 0 && (x->roots = calloc(cfg->n_recorders, sizeof(*x->roots))) == NULL)
        goto fail;
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        const struct cfg_recorder *r = &cfg->recorders[i];
        struct export_root *e = &x->roots[x->n_roots];
        int dir = r->kind == CFG_RECORDER_DIR && r->path != NULL;
        x->n_roots++; /* counted before the copies, so that a failure frees what was made */
        if ((e->recorder = strdup(r->name)) == NULL || (dir && (e->dir = strdup(r->path)) == NULL))
            goto fail;
    }
    x->set = (struct export_settings){x->site,
                                      x->time_zone[0] != '\0' ? x->time_zone : NULL,
                                      cfg->footage.tolerance_ms,
                                      copy_root,
                                      x,
                                      copy_known};
    return x;
fail:
    export_cfg_free(x);
    return NULL;
}

void export_cfg_free(struct export_cfg *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n_roots; i++) {
        free(x->roots[i].recorder);
        free(x->roots[i].dir);
    }
    free(x->roots);
    free(x->site);
    free(x->time_zone);
    free(x);
}

const struct export_settings *export_cfg_settings(const struct export_cfg *x)
{
    return &x->set;
}
