/* recorder_resolve.c - each [recorder NAME] tied to the inventory once cameras.csv and
 * credentials.ini are read (recorder.h): its credential, its channel map's cameras, its
 * cameras, and the rule that a pattern without {camera} serves exactly one camera; and, on a
 * loaded cfg, the map's entries that give their camera nothing (cfg_recorders_warn). Owns
 * nothing: what it finds lands in the recorders of the cfg, or in the caller's list. */
#include <stdlib.h>
#include <string.h>

#include "../util/segpattern.h"
#include "creds.h"
#include "recorder.h"

/* Whether id is among r's cameras already. */
static int has_camera(const struct cfg_recorder *r, const char *id)
{
    for (size_t i = 0; i < r->n_cameras; i++)
        if (strcmp(r->cameras[i], id) == 0)
            return 1;
    return 0;
}

static void resolve_one(struct load *ld, struct cfg_recorder *r)
{
    struct cfg *cfg = ld->cfg;
    struct segpattern *p = NULL;
    struct cw_err err;

    if (r->credential != NULL && (r->cred = cfg_cred_find(ld, r->credential)) == NULL &&
        ld->creds_ok)
        cfg_ld_err(ld, cfg->path, cfg_recorder_key_line(ld, r, "credential"), "credential",
                   "[recorder %s]: no section [%s] in the credentials file", r->name,
                   r->credential);
    if ((r->cameras = calloc(cfg->n_cameras + r->n_tokens + 1, sizeof(char *))) == NULL) {
        ld->oom = 1;
        return;
    }
    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (cfg->cameras[i].recorder != NULL && strcmp(cfg->cameras[i].recorder, r->name) == 0)
            r->cameras[r->n_cameras++] = cfg->cameras[i].id;
    /* The map's cameras whose recorder column is blank are on it too (the map puts them
     * there); those whose column names another recorder follow, after n_row_cameras. */
    for (int other = 0; other < 2; other++) {
        for (size_t t = 0; t < r->n_tokens; t++) {
            const struct cfg_camera *c = cfg_find_camera(cfg, r->token_cameras[t]);
            if (c == NULL && other == 0)
                cfg_ld_err(ld, cfg->path, cfg_recorder_key_line(ld, r, "channel_map"),
                           "channel_map", "[recorder %s]: '%s' is no camera of the inventory",
                           r->name, r->token_cameras[t]);
            else if (c != NULL && !has_camera(r, c->id) &&
                     (c->recorder != NULL && c->recorder[0] != '\0') == other)
                r->cameras[r->n_cameras++] = c->id;
        }
        if (other == 0)
            r->n_row_cameras = r->n_cameras;
    }
    if (r->kind == CFG_RECORDER_DIR && r->pattern != NULL &&
        segpattern_compile(r->pattern, &p, &err) == 0 && !segpattern_has_camera(p) &&
        r->n_cameras != 1)
        cfg_ld_err(ld, cfg->path, cfg_recorder_key_line(ld, r, "pattern"), "pattern",
                   "[recorder %s]: the pattern has no {camera}, so exactly one camera must name "
                   "this recorder (%zu do)",
                   r->name, r->n_cameras);
    segpattern_free(p);
}

void cfg_recorders_resolve(struct load *ld)
{
    for (size_t i = 0; i < ld->cfg->n_recorders; i++)
        resolve_one(ld, &ld->cfg->recorders[i]);
}

void cfg_recorders_warn(const struct cfg *cfg, struct cw_errlist *warns)
{
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        const struct cfg_recorder *r = &cfg->recorders[i];
        for (size_t t = 0; t < r->n_tokens; t++) {
            const struct cfg_camera *c = cfg_find_camera(cfg, r->token_cameras[t]);
            /* Not on r's first n_row_cameras: recsrc_from_cfg gives it none of r's files. */
            if (c == NULL || c->recorder == NULL || c->recorder[0] == '\0' ||
                strcmp(c->recorder, r->name) == 0)
                continue;
            cw_errlist_add(warns, cfg->path, r->map_line, "channel_map",
                           "[recorder %s]: %s=%s gives %s no new footage: its row (%s:%d) "
                           "names recorder %s; take %s=%s out of the map, or put %s back in "
                           "the row",
                           r->name, r->tokens[t], c->id, c->id,
                           cfg->cameras_path != NULL ? cfg->cameras_path : "cameras.csv", c->line,
                           c->recorder, r->tokens[t], c->id, r->name);
        }
    }
}
