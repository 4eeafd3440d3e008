/* cfg.c - cfg_load(): camwatch.conf (conf.c, class.c), then credentials.ini (creds.c), then
 * cameras.csv (inventory.c), read and checked together into one struct cfg; and cfg_free().
 * Owns nothing past cfg_load(): every string lands in the struct cfg it returns, every error
 * in the caller's cw_errlist. No globals, no threads; libinih's and libcsv's settings are
 * left as they are.
 *
 * Every message names FILE:LINE: FIELD. Validation never stops at the first problem: each
 * bad key, header column and row adds an error, and cfg_load() fails once at the end. A
 * reader's load (CFG_LOAD_READER) fails only on camwatch.conf's problems: those of
 * credentials.ini and cameras.csv stay in the list as warnings, and the rows that had one
 * are left out. */
#include "cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "conf.h"
#include "creds.h"
#include "inventory.h"
#include "load.h"
#include "names.h"
#include "recorder.h"

/* Fill cfg->dir (absolute) and ld->conf_disp_dir from the conf path as given. */
static int conf_dirs(struct load *ld, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *given, *abs;

    if (slash == NULL)
        given = strdup(".");
    else if (slash == path)
        given = strdup("/");
    else
        given = strndup(path, (size_t)(slash - path));
    if (given == NULL)
        return -1;
    abs = realpath(given, NULL);
    if (abs == NULL) {
        cfg_ld_err(ld, path, 0, NULL, "cannot read: %s", strerror(errno));
        free(given);
        return -1;
    }
    ld->cfg->dir = abs;
    if (strcmp(given, ".") == 0)
        given[0] = '\0';
    ld->conf_disp_dir = given;
    return 0;
}

/* An input file the conf names, as shown in messages: the path as written in the conf,
 * joined to the conf's folder as given. NULL when the conf does not name it. */
static char *shown_path(struct load *ld, const char *key)
{
    const struct cfg_seen *s = cfg_conf_seen(ld, "inventory", key);
    char *p;

    if (s == NULL || s->refused)
        return NULL;
    p = cfg_path_join(ld->conf_disp_dir, s->value);
    if (p == NULL)
        ld->oom = 1;
    return p;
}

static void load_forget(struct load *ld)
{
    free(ld->conf_disp_dir);
    free(ld->cameras_disp);
    free(ld->creds_disp);
    free(ld->cred_lines);
    free(ld->camera_bad);
    cfg_names_free(ld->cred_names);
    cfg_conf_forget(ld);
}

/* What a strict load refused for its problems still says: the warnings of the rest, the rows
 * without problems as a reader's load would keep them, and of camwatch.conf what it took (a
 * key refused keeps its default; a recorder whose kind or channel_map was refused has no map,
 * one whose header was refused no section, and a refused [inventory] cameras no rows: none of
 * those is warned of). Into warns; may set ld->oom. */
static void load_warn_rest(struct load *ld, struct cw_errlist *warns)
{
    cfg_inventory_drop_bad(ld);
    if (ld->oom)
        return;
    cfg_creds_resolve(ld);
    cfg_warnings(ld->cfg, warns);
}

/* What the tokens file's check of a configuration refused reads (cfg_load_check): a cfg of
 * ld's conf path, folder and tokens file, when that file is known; else NULL (also when out of
 * memory: the tokens file is then checked on the run after the conf's problems are fixed). */
static struct cfg *load_tokens_only(const struct load *ld)
{
    struct cfg *t;

    if (ld->oom || !cfg_conf_tokens_known(ld) || ld->cfg->http_tokens == NULL)
        return NULL;
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return NULL;
    t->path = strdup(ld->cfg->path);
    t->dir = strdup(ld->cfg->dir);
    t->http_tokens = strdup(ld->cfg->http_tokens);
    t->http_tokens_line = ld->cfg->http_tokens_line;
    if (t->path == NULL || t->dir == NULL || t->http_tokens == NULL) {
        cfg_free(t);
        return NULL;
    }
    return t;
}

/* cfg_load_mode, and with warns (strict only) the warnings of a load refused (load_warn_rest)
 * and, with tokens, what its tokens file's check reads (load_tokens_only). */
static int load(const char *path, enum cfg_load_mode mode, struct cfg **out,
                struct cw_errlist *errs, struct cw_errlist *warns, struct cfg **tokens)
{
    struct load ld = {0};
    struct cfg *cfg;

    *out = NULL;
    if (tokens != NULL)
        *tokens = NULL;
    if (path[0] == '\0') /* no name to show in front of the message: it says so itself */
        return cw_errlist_add(errs, NULL, 0, NULL,
                              "configuration file '': an empty path names no file");
    cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return cw_errlist_add(errs, path, 0, NULL, "out of memory");
    ld.cfg = cfg;
    ld.errs = errs;
    ld.strict = mode == CFG_LOAD_STRICT;
    cfg->path = cfg_ld_strdup(&ld, path);
    if (cfg->path == NULL || conf_dirs(&ld, path) != 0)
        goto fail;
    cfg_conf_defaults(&ld);
    if (ld.oom || cfg_conf_load(&ld) != 0)
        goto fail;
    ld.conf_nerr = ld.nerr;
    ld.cameras_disp = shown_path(&ld, "cameras");
    ld.creds_disp = shown_path(&ld, "credentials");
    if (cfg->credentials_path != NULL) {
        cfg_creds_use_credentials_directory(&ld);
        if (!ld.oom)
            cfg_creds_load(&ld);
    } else {
        ld.creds_ok = 1; /* no file: every named credential is unknown */
    }
    cfg_alerts_resolve(&ld);
    if (cfg->cameras_path != NULL && !ld.oom) {
        if ((cfg->camera_ids = cfg_names_new()) == NULL)
            ld.oom = 1;
        else
            cfg_inventory_load(&ld);
    }
    /* A recorder's faults are the conf's, but found against the inventory: a reader's load
     * (CFG_LOAD_LENIENT) goes on without them, as with a bad row. */
    if (!ld.oom)
        cfg_recorders_resolve(&ld);
    if (ld.oom || ld.conf_nerr > 0 || (ld.nerr > 0 && mode == CFG_LOAD_STRICT)) {
        if (warns != NULL && !ld.oom)
            load_warn_rest(&ld, warns);
        goto fail;
    }
    if (ld.nerr > 0)
        cfg_inventory_drop_bad(&ld);
    if (ld.oom)
        goto fail;
    cfg_creds_resolve(&ld);
    load_forget(&ld);
    *out = cfg;
    return 0;
fail:
    if (tokens != NULL)
        *tokens = load_tokens_only(&ld);
    if (ld.oom)
        cw_errlist_add(errs, path, 0, NULL, "out of memory");
    else if (ld.nerr == 0)
        cw_errlist_add(errs, path, 0, NULL, "cannot load");
    load_forget(&ld);
    cfg_free(cfg);
    return -1;
}

int cfg_load_mode(const char *path, enum cfg_load_mode mode, struct cfg **out,
                  struct cw_errlist *errs)
{
    return load(path, mode, out, errs, NULL, NULL);
}

int cfg_load_check(const char *path, struct cfg **out, struct cw_errlist *errs,
                   struct cw_errlist *warns, struct cfg **tokens)
{
    return load(path, CFG_LOAD_STRICT, out, errs, warns, tokens);
}

void cfg_warnings(const struct cfg *cfg, struct cw_errlist *warns)
{
    cfg_recorders_warn(cfg, warns);
}

void cfg_free(struct cfg *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < cfg->n_cameras; i++)
        cfg_camera_free_fields(&cfg->cameras[i]);
    free(cfg->cameras);
    cfg_names_free(cfg->camera_ids);
    for (i = 0; i < cfg->n_creds; i++) {
        free(cfg->creds[i].name);
        free(cfg->creds[i].username);
        free(cfg->creds[i].password);
    }
    free(cfg->creds);
    for (i = 0; i < cfg->n_classes; i++)
        free(cfg->classes[i].name);
    free(cfg->classes);
    cfg_recorders_free(cfg);
    cfg_conf_free(cfg);
    free(cfg->path);
    free(cfg->dir);
    free(cfg);
}

int cfg_load(const char *path, struct cfg **out, struct cw_errlist *errs)
{
    return cfg_load_mode(path, CFG_LOAD_STRICT, out, errs);
}
