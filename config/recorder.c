/* recorder.c - [recorder NAME] sections (recorder.h). A recorder section gives the keys
 * below; once the whole file is read each is built into cfg->recorders (recorders_build:
 * defaults, the keys given, what its kind needs, its channel map); once cameras.csv is read,
 * recorder_resolve.c ties it to its cameras. Owns nothing: the recorders land in the cfg.
 *
 * A camera's recorder column naming no [recorder] section is not an error: inventories name
 * their NVRs before anyone configures them; the daemon says which footage it cannot index. */
#include "recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/segpattern.h"
#include "../util/text.h"
#include "conf.h"
#include "url.h"

#define CFG_RECORDER_TIMEOUT_MS 10000
#define CFG_RECORDER_PATTERN_MAX 512
#define CFG_RECORDER_MAP_MAX 8192
#define CFG_RECORDER_PATH_MAX 4095

#define C struct cfg_recorder
static const struct cfg_directive recorder_keys[] = {
    CFG_STR("kind", CFG_STRING, C, kind_name, NULL, 1, 16),
    CFG_STR("path", CFG_PATH, C, path, NULL, 1, CFG_RECORDER_PATH_MAX),
    CFG_STR("pattern", CFG_STRING, C, pattern, NULL, 1, CFG_RECORDER_PATTERN_MAX),
    CFG_STR("time_zone", CFG_TIME_ZONE, C, time_zone, NULL, 0, 127),
    CFG_STR("channel_map", CFG_STRING, C, channel_map, NULL, 1, CFG_RECORDER_MAP_MAX),
    CFG_STR("url", CFG_STRING, C, url, NULL, 1, CFG_URL_MAX),
    CFG_STR("credential", CFG_TEXT, C, credential, NULL, 1, 127),
    CFG_NUM_NOTE("timeout", CFG_DURATION, C, timeout_ms, CFG_RECORDER_TIMEOUT_MS, 100, 300000,
                 "it bounds one request to the recorder"),
    CFG_NUM("tls_verify", CFG_BOOL, C, tls_verify, 1, 0, 1),
    CFG_STR("ca_file", CFG_PATH_READABLE, C, ca_file, NULL, 1, CFG_RECORDER_PATH_MAX),
};
#undef C
#define RECORDER_NKEYS (sizeof(recorder_keys) / sizeof(recorder_keys[0]))

static const char *const kind_names[] = {"dir", "onvif", "hikvision", "dahua"};

int cfg_recorder_key_line(const struct load *ld, const struct cfg_recorder *r, const char *key)
{
    char section[160];
    const struct cfg_seen *seen;

    snprintf(section, sizeof(section), "recorder %s", r->name);
    seen = cfg_conf_seen(ld, section, key);
    return seen != NULL ? seen->line : r->line;
}

static uint64_t key_bit(const char *key)
{
    return (uint64_t)1 << (cfg_directive_find(recorder_keys, RECORDER_NKEYS, key) - recorder_keys);
}

/* ---- the channel map: "TOKEN=CAMERA, TOKEN=CAMERA" ---- */

static void map_free(struct cfg_recorder *r)
{
    for (size_t i = 0; i < r->n_tokens; i++) {
        free(r->tokens[i]);
        free(r->token_cameras[i]);
    }
    free(r->tokens);
    free(r->token_cameras);
    r->tokens = r->token_cameras = NULL;
    r->n_tokens = 0;
}

/* *s[0..*n) narrowed to leave out the blanks at either end. */
static void trim_span(const char **s, size_t *n)
{
    while (*n > 0 && cfg_is_space(**s))
        (*s)++, (*n)--;
    while (*n > 0 && cfg_is_space((*s)[*n - 1]))
        (*n)--;
}

/* s[0..n) without blanks at either end, copied. */
static char *trimmed(struct load *ld, const char *s, size_t n)
{
    char buf[CFG_RECORDER_MAP_MAX + 1];

    trim_span(&s, &n);
    snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
    return cfg_ld_strdup(ld, buf);
}

static int map_parse(struct load *ld, struct cfg_recorder *r)
{
    const char *p = r->channel_map;
    size_t cap = 1;

    for (const char *q = p; *q; q++)
        cap += *q == ',';
    r->tokens = calloc(cap, sizeof(char *));
    r->token_cameras = calloc(cap, sizeof(char *));
    if (r->tokens == NULL || r->token_cameras == NULL) {
        ld->oom = 1;
        return -1;
    }
    while (*p != '\0') {
        size_t n = strcspn(p, ","), i = r->n_tokens;
        const char *eq = memchr(p, '=', n);
        if (eq != NULL) {
            r->tokens[i] = trimmed(ld, p, (size_t)(eq - p));
            r->token_cameras[i] = trimmed(ld, eq + 1, n - (size_t)(eq - p) - 1);
            if (r->tokens[i] == NULL || r->token_cameras[i] == NULL)
                return -1;
            r->n_tokens++;
        }
        /* No '=', or nothing (white space aside) on one side of it: the item quoted as the
         * rest is read, without the blanks around it. */
        if (eq == NULL || r->tokens[i][0] == '\0' || r->token_cameras[i][0] == '\0') {
            const char *item = p;
            size_t len = n;
            trim_span(&item, &len);
            cfg_ld_err(ld, ld->cfg->path, cfg_recorder_key_line(ld, r, "channel_map"),
                       "channel_map", "[recorder %s]: '%.*s' is not TOKEN=CAMERA", r->name,
                       (int)len, item);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->tokens[k], r->tokens[i]) == 0) {
                cfg_ld_err(ld, ld->cfg->path, cfg_recorder_key_line(ld, r, "channel_map"),
                           "channel_map", "[recorder %s]: token '%s' given twice", r->name,
                           r->tokens[i]);
                return -1;
            }
        p += n + (p[n] == ',');
    }
    return 0;
}

/* ---- building each recorder ---- */

/* What the kind needs: dir a path and a pattern that compiles; the others an http(s) URL. */
static void check_kind(struct load *ld, struct cfg_recorder *r, uint64_t set)
{
    static const char *const http[] = {"http", "https", NULL};
    const char *file = ld->cfg->path;
    char buf[256];
    const char *why;

    if (r->kind == CFG_RECORDER_DIR) {
        struct segpattern *p = NULL;
        struct cw_err err;
        if (!(set & key_bit("path")))
            cfg_ld_err(ld, file, cfg_recorder_key_line(ld, r, "path"), "path",
                       "[recorder %s]: a dir recorder needs its folder", r->name);
        if (!(set & key_bit("pattern")))
            cfg_ld_err(ld, file, cfg_recorder_key_line(ld, r, "pattern"), "pattern",
                       "[recorder %s]: a dir recorder needs the pattern of its file names, e.g. "
                       "{camera}/%%Y-%%m-%%d/%%H-%%M-%%S.mp4",
                       r->name);
        else if (segpattern_compile(r->pattern, &p, &err) != 0)
            cfg_ld_err(ld, file, cfg_recorder_key_line(ld, r, "pattern"), "pattern",
                       "[recorder %s]: %s", r->name, err.msg);
        segpattern_free(p);
        return;
    }
    if (!(set & key_bit("url")))
        cfg_ld_err(ld, file, cfg_recorder_key_line(ld, r, "url"), "url",
                   "[recorder %s]: a %s recorder needs its url", r->name, r->kind_name);
    else if ((why = cfg_url_fault(r->url, http, "http", buf, sizeof(buf))) != NULL)
        cfg_ld_err(ld, file, cfg_recorder_key_line(ld, r, "url"), "url", "[recorder %s]: %s",
                   r->name, why);
}

/* Hikvision and Dahua are searched channel by channel: the map names each, by number. */
static void check_channels(struct load *ld, struct cfg_recorder *r)
{
    if (r->n_tokens == 0)
        cfg_ld_err(ld, ld->cfg->path, cfg_recorder_key_line(ld, r, "channel_map"), "channel_map",
                   "[recorder %s]: a %s recorder is searched by channel: channel_map needs "
                   "its channels, e.g. 1=CAM-A, 2=CAM-B%s",
                   r->name, r->kind_name,
                   r->kind == CFG_RECORDER_HIKVISION ? " (or track ids: 101=CAM-A)" : "");
    for (size_t i = 0; i < r->n_tokens; i++) {
        const char *t = r->tokens[i];
        size_t n = strspn(t, "0123456789");
        if (n == 0 || n > 5 || t[n] != '\0' || t[0] == '0') {
            cfg_ld_err(ld, ld->cfg->path, cfg_recorder_key_line(ld, r, "channel_map"),
                       "channel_map", "[recorder %s]: '%s' is no channel number (1 to 99999)",
                       r->name, t);
            return;
        }
    }
}

static void build_one(struct load *ld, const struct cfg_named *d, struct cfg_recorder *r)
{
    int k;

    cfg_directive_defaults(ld, recorder_keys, RECORDER_NKEYS, ld->cfg->dir, r);
    cfg_directive_copy(ld, recorder_keys, RECORDER_NKEYS, d->set, r, d->v);
    r->name = cfg_ld_strdup(ld, d->name);
    r->line = d->line;
    r->map_line = r->channel_map != NULL ? cfg_recorder_key_line(ld, r, "channel_map") : 0;
    r->own_zone = r->time_zone != NULL;
    if (!r->own_zone)
        r->time_zone = cfg_ld_strdup(ld, ld->cfg->time_zone);
    if (!(d->set & key_bit("kind"))) {
        cfg_ld_err(ld, ld->cfg->path, d->line, "kind",
                   "[recorder %s]: missing: dir, onvif, hikvision or dahua", d->name);
        return;
    }
    if ((k = cw_text_name_index(CW_NAMES(kind_names), r->kind_name)) < 0) {
        cfg_ld_err(ld, ld->cfg->path, cfg_recorder_key_line(ld, r, "kind"), "kind",
                   "[recorder %s]: '%s' is not dir, onvif, hikvision or dahua", d->name,
                   r->kind_name);
        return;
    }
    r->kind = (enum cfg_recorder_kind)k;
    check_kind(ld, r, d->set);
    if (r->channel_map != NULL && map_parse(ld, r) != 0)
        map_free(r); /* said once: its cameras are not looked for */
    else if (r->kind == CFG_RECORDER_HIKVISION || r->kind == CFG_RECORDER_DAHUA)
        check_channels(ld, r);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct cfg_recorder *)a)->name, ((const struct cfg_recorder *)b)->name);
}

static void recorders_build(struct load *ld, const struct cfg_named_list *given)
{
    struct cfg *cfg = ld->cfg;

    if (given->n == 0)
        return;
    cfg->recorders = calloc(given->n, sizeof(*cfg->recorders));
    if (cfg->recorders == NULL) {
        ld->oom = 1;
        return;
    }
    for (size_t i = 0; i < given->n; i++)
        build_one(ld, &given->v[i], &cfg->recorders[cfg->n_recorders++]);
    if (!ld->oom)
        qsort(cfg->recorders, cfg->n_recorders, sizeof(*cfg->recorders), by_name);
}

const struct cfg_named_kind cfg_recorder_kind = {"recorder", recorder_keys, RECORDER_NKEYS,
                                                 sizeof(struct cfg_recorder), recorders_build};

/* ---- tied to the inventory ---- */

const struct cfg_recorder *cfg_find_recorder(const struct cfg *cfg, const char *name)
{
    struct cfg_recorder key = {.name = (char *)name};

    if (cfg->n_recorders == 0 || name == NULL)
        return NULL;
    return bsearch(&key, cfg->recorders, cfg->n_recorders, sizeof(key), by_name);
}

int cfg_recorders_follow_zone(struct cfg *cfg)
{
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        struct cfg_recorder *r = &cfg->recorders[i];
        char *zone;

        if (r->own_zone || cfg->time_zone == NULL ||
            (r->time_zone != NULL && strcmp(r->time_zone, cfg->time_zone) == 0))
            continue;
        if ((zone = strdup(cfg->time_zone)) == NULL)
            return -1;
        free(r->time_zone);
        r->time_zone = zone;
    }
    return 0;
}

void cfg_recorders_free(struct cfg *cfg)
{
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        struct cfg_recorder *r = &cfg->recorders[i];
        cfg_directive_free(recorder_keys, RECORDER_NKEYS, r);
        map_free(r);
        free(r->name);
        free(r->cameras);
    }
    free(cfg->recorders);
}
