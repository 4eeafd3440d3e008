/* recsrc.c - a recorder as a source of footage at run time (recsrc.h). Owns its compiled
 * pattern, zone table, channel map and copies of its settings. Made on one thread; read-only
 * afterwards, so several threads may scan with it (each with its own store connection).
 *
 *   scan:   kind's walk or query -> rec_result  (worker; reads the store through rec_known)
 *   apply:  segments put/dropped, folders remembered, a slice at a time  (write connection)
 *   finish: the recorder's scan row, each camera's footage summary */
#include "recsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/recorder_remote.h"
#include "../probes/xfer.h"
#include "../util/zone.h"

struct map_entry {
    char *token, *camera;
};

struct recsrc {
    char *name;
    enum recsrc_kind kind;
    char *path, *url, *ca_file;
    struct xfer_login login;
    int64_t timeout_ms;
    int tls_verify;
    struct segpattern *pattern;
    struct cw_zone *zone;
    struct map_entry *map; /* sorted by token */
    size_t n_map;
    const char **channels; /* the explicit tokens, in the config's order (strings: map's) */
    size_t n_channels;
    char **cameras; /* sorted */
    size_t n_cameras;
};

static const char *const kind_names[] = {"dir", "onvif", "hikvision", "dahua"};

const char *recsrc_kind_name(enum recsrc_kind k)
{
    return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "";
}

const char *recsrc_name(const struct recsrc *r)
{
    return r->name;
}

enum recsrc_kind recsrc_kind(const struct recsrc *r)
{
    return r->kind;
}

const char *const *recsrc_cameras(const struct recsrc *r, size_t *n)
{
    *n = r->n_cameras;
    return (const char *const *)r->cameras;
}

static int map_cmp(const void *a, const void *b)
{
    return strcmp(((const struct map_entry *)a)->token, ((const struct map_entry *)b)->token);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dup_or_null(const char *s, int *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    if ((d = strdup(s)) == NULL)
        *failed = 1;
    return d;
}

/* Whether the sheet puts camera id on the recorder (def->cameras). */
static int on_recorder(const struct recsrc_def *def, const char *id)
{
    for (size_t i = 0; i < def->n_cameras; i++)
        if (strcmp(def->cameras[i], id) == 0)
            return 1;
    return 0;
}

/* Channels: the explicit tokens, then each camera under its own id unless a token names it. A
 * token naming a camera the sheet puts on another recorder, or on none, names no camera: its
 * new items are no one's, the ones indexed before keep their camera (recorder.h), so the
 * recorder speaks for a camera moved off only up to the scan that indexed its footage there,
 * whether or not its channel_map still names it. The token is still asked about. */
static int build_map(struct recsrc *r, const struct recsrc_def *def)
{
    size_t cap = def->n_tokens + def->n_cameras;
    int failed = 0;

    if (cap > 0 && ((r->map = calloc(cap, sizeof(*r->map))) == NULL ||
                    (r->cameras = calloc(def->n_cameras + 1, sizeof(*r->cameras))) == NULL ||
                    (r->channels = calloc(def->n_tokens + 1, sizeof(*r->channels))) == NULL))
        return -1;
    for (size_t i = 0; i < def->n_tokens; i++) {
        r->channels[r->n_channels++] = r->map[r->n_map].token =
            dup_or_null(def->tokens[i], &failed);
        r->map[r->n_map++].camera = on_recorder(def, def->token_cameras[i])
                                        ? dup_or_null(def->token_cameras[i], &failed)
                                        : NULL;
    }
    for (size_t i = 0; i < def->n_cameras; i++) {
        int named = 0;
        for (size_t t = 0; t < def->n_tokens && !named; t++)
            named = strcmp(def->token_cameras[t], def->cameras[i]) == 0;
        r->cameras[r->n_cameras++] = dup_or_null(def->cameras[i], &failed);
        if (!named) {
            r->map[r->n_map].token = dup_or_null(def->cameras[i], &failed);
            r->map[r->n_map++].camera = dup_or_null(def->cameras[i], &failed);
        }
    }
    if (failed)
        return -1;
    if (r->n_map > 1) /* qsort of no array is undefined */
        qsort(r->map, r->n_map, sizeof(*r->map), map_cmp);
    if (r->n_cameras > 1)
        qsort(r->cameras, r->n_cameras, sizeof(*r->cameras), str_cmp);
    return 0;
}

int recsrc_new(const struct recsrc_def *def, struct recsrc **out, struct cw_err *err)
{
    struct recsrc *r = calloc(1, sizeof(*r));
    struct cw_err perr;
    int failed = 0;

    *out = NULL;
    if (r == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    r->kind = def->kind;
    r->timeout_ms = def->timeout_ms;
    r->tls_verify = def->tls_verify;
    r->name = dup_or_null(def->name, &failed);
    r->path = dup_or_null(def->path, &failed);
    r->url = dup_or_null(def->url, &failed);
    if (xfer_login_set(&r->login, def->username, def->password) != 0)
        failed = 1;
    r->ca_file = dup_or_null(def->ca_file, &failed);
    if (failed || r->name == NULL || build_map(r, def) != 0) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (def->kind == RECSRC_DIR) {
        if (def->pattern == NULL || segpattern_compile(def->pattern, &r->pattern, &perr) != 0) {
            cw_err_set(err, NULL, 0, "pattern", "recorder %s: pattern: %s", r->name,
                       def->pattern ? perr.msg : "missing");
            goto fail;
        }
        /* None: its one camera moved off (the config names it by the channel map alone). */
        if (!segpattern_has_camera(r->pattern) && r->n_cameras > 1) {
            cw_err_set(err, NULL, 0, "pattern",
                       "recorder %s: pattern has no {camera}, so exactly one camera may name "
                       "this recorder (%zu do)",
                       r->name, r->n_cameras);
            goto fail;
        }
    }
    if (cw_zone_load(def->time_zone, &r->zone, err) != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    recsrc_free(r);
    return -1;
}

int recsrc_from_cfg(const struct cfg_recorder *r, struct recsrc **out, struct cw_err *err)
{
    static const enum recsrc_kind kinds[] = {
        [CFG_RECORDER_DIR] = RECSRC_DIR,
        [CFG_RECORDER_ONVIF] = RECSRC_ONVIF,
        [CFG_RECORDER_HIKVISION] = RECSRC_HIKVISION,
        [CFG_RECORDER_DAHUA] = RECSRC_DAHUA,
    };
    const struct recsrc_def d = {
        .name = r->name,
        .kind = kinds[r->kind],
        .path = r->path,
        .pattern = r->pattern,
        .time_zone = r->time_zone,
        .url = r->url,
        .username = r->cred != NULL ? r->cred->username : NULL,
        .password = r->cred != NULL ? r->cred->password : NULL,
        .timeout_ms = r->timeout_ms,
        .tls_verify = r->tls_verify,
        .ca_file = r->ca_file,
        .tokens = (const char *const *)r->tokens,
        .token_cameras = (const char *const *)r->token_cameras,
        .n_tokens = r->n_tokens,
        .cameras = r->cameras, /* those the sheet puts on it (cfg.h) */
        .n_cameras = r->n_row_cameras,
    };

    return recsrc_new(&d, out, err);
}

void recsrc_free(struct recsrc *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_map; i++) {
        free(r->map[i].token);
        free(r->map[i].camera);
    }
    for (size_t i = 0; i < r->n_cameras; i++)
        free(r->cameras[i]);
    free(r->map);
    free(r->channels);
    free(r->cameras);
    segpattern_free(r->pattern);
    cw_zone_free(r->zone);
    free(r->name);
    free(r->path);
    free(r->url);
    xfer_login_clear(&r->login);
    free(r->ca_file);
    free(r);
}

static const char *camera_of(void *data, const char *token)
{
    const struct recsrc *r = data;
    struct map_entry key = {(char *)token, NULL}, *hit;

    if (r->n_map == 0)
        return NULL;
    hit = bsearch(&key, r->map, r->n_map, sizeof(*r->map), map_cmp);
    return hit != NULL ? hit->camera : NULL;
}

/* ---- what the store knows, for a scan ---- */

struct known_ctx {
    struct store *s;
    const char *recorder;
};

static int known_dir_mtime(void *data, const char *dir, int64_t *mtime_ns)
{
    struct known_ctx *k = data;

    return store_footage_dir_mtime(k->s, k->recorder, dir, mtime_ns, NULL);
}

static int known_subdirs(void *data, const char *dir, char ***out, size_t *n)
{
    struct known_ctx *k = data;

    return store_footage_subdirs(k->s, k->recorder, dir, out, n, NULL);
}

static void copy_known(struct rec_known_file *to, const struct store_known_file *from)
{
    snprintf(to->file, sizeof(to->file), "%s", from->file);
    to->bytes = from->bytes;
    to->mtime_ns = from->mtime_ns;
    snprintf(to->camera_id, sizeof(to->camera_id), "%s", from->camera_id);
    to->start_ms = from->start_ms;
    to->end_ms = from->end_ms;
    snprintf(to->channel, sizeof(to->channel), "%s", from->channel);
}

static int known_files(void *data, const char *dir, struct rec_known_file **out, size_t *n)
{
    struct known_ctx *k = data;
    struct store_known_file *f = NULL;

    *out = NULL;
    if (store_footage_files(k->s, k->recorder, dir, &f, n, NULL) != 0)
        return -1;
    if (*n > 0 && (*out = malloc(*n * sizeof(**out))) == NULL) {
        free(f);
        return -1;
    }
    for (size_t i = 0; i < *n; i++)
        copy_known(&(*out)[i], &f[i]);
    free(f);
    return 0;
}

static int known_last_file(void *data, const char *dir, struct rec_known_file *out)
{
    struct known_ctx *k = data;
    struct store_known_file f;
    int rc = store_footage_last_file(k->s, k->recorder, dir, &f, NULL);

    if (rc == 0)
        copy_known(out, &f);
    return rc;
}

int recsrc_scan(const struct recsrc *r, struct store *ro, int flags, int64_t now_ms,
                const atomic_int *cancel, rec_progress_fn progress, void *progress_data,
                struct rec_result **out, struct cw_err *err)
{
    struct known_ctx kc = {ro, r->name};
    const struct rec_known known = {known_dir_mtime, known_subdirs, known_files, known_last_file,
                                    &kc};
    int rc;

    *out = NULL;
    if (r->kind == RECSRC_DIR) {
        const struct rec_dir_source src = {
            .name = r->name,
            .root = r->path,
            .pattern = r->pattern,
            .zone = r->zone,
            .camera_of = camera_of,
            .camera_data = (void *)r,
            .single_camera = r->n_cameras == 1 ? r->cameras[0] : NULL,
            .full = (flags & (RECSRC_FULL | RECSRC_REATTRIBUTE)) != 0,
            .reattribute = (flags & RECSRC_REATTRIBUTE) != 0,
            .now_ms = now_ms,
            .cancel = cancel,
            .progress = progress,
            .progress_data = progress_data,
        };
        rc = rec_dir_scan(&src, &known, out, err);
    } else {
        const struct rec_remote_source src = {
            .name = r->name,
            .kind = r->kind == RECSRC_ONVIF       ? REC_REMOTE_ONVIF
                    : r->kind == RECSRC_HIKVISION ? REC_REMOTE_HIKVISION
                                                  : REC_REMOTE_DAHUA,
            .url = r->url,
            .http = {.username = r->login.username,
                     .password = r->login.password,
                     .timeout_ms = r->timeout_ms,
                     .tls_verify = r->tls_verify,
                     .ca_file = r->ca_file,
                     .cancel = cancel},
            .zone = r->zone,
            .camera_of = camera_of,
            .camera_data = (void *)r,
            .channels = r->channels,
            .n_channels = r->n_channels,
            .reattribute = (flags & RECSRC_REATTRIBUTE) != 0,
            .now_ms = now_ms,
        };
        rc = rec_remote_scan(&src, &known, out, err);
    }
    return rc;
}

/* ---- writing a result ---- */

static int apply_found(const struct recsrc *r, struct store *rw, const struct rec_found *f,
                       int64_t now_ms, struct recsrc_tally *tally, struct cw_err *err)
{
    const struct store_segment seg = {
        .recorder = r->name,
        .dir = f->dir,
        .file = f->file,
        .camera_id = f->camera_id,
        .start_ms = f->start_ms,
        .end_ms = f->end_ms,
        .bytes = f->bytes,
        .mtime_ns = f->mtime_ns,
        .container = f->info.container,
        .codec = f->info.codec,
        .width = f->info.width,
        .height = f->info.height,
        .readable = f->info.readable,
        .reason = f->info.reason,
        .channel = f->channel,
    };
    int written = 0, rc = store_segment_put(rw, &seg, now_ms, &written, err);

    if (rc == 1)
        tally->skipped++;
    else if (rc == 0 && !written)
        tally->unchanged++;
    return rc < 0 ? -1 : 0;
}

size_t recsrc_changed(const struct rec_result *res, const struct recsrc_tally *tally)
{
    return res->n_found - tally->unchanged - tally->skipped;
}

/* The summaries of the cameras whose files the scan kept or forgot and that the sheet does not
 * put on this recorder (recsrc_finish brings those up to date): a camera moved to another
 * recorder, or whose row went, still has its older footage here, and its oldest footage moves
 * as this recorder deletes it. */
static int refresh_others(const struct recsrc *r, struct store *rw, const struct rec_result *res,
                          int64_t scan_ms, struct cw_err *err)
{
    const char **v;
    size_t n = 0;
    int rc;

    if (res->n_others == 0)
        return 0;
    if ((v = malloc(res->n_others * sizeof(*v))) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < res->n_others; i++) {
        const char *id = res->others[i];
        if (r->n_cameras == 0 ||
            bsearch(&id, r->cameras, r->n_cameras, sizeof(*r->cameras), str_cmp) == NULL)
            v[n++] = id;
    }
    rc = n > 0 ? store_footage_refresh(rw, v, n, scan_ms, err) : 0;
    free(v);
    return rc;
}

int recsrc_apply(const struct recsrc *r, struct store *rw, const struct rec_result *res,
                 size_t *cursor, size_t max, int64_t scan_ms, struct recsrc_tally *tally,
                 struct cw_err *err)
{
    size_t total = res->n_found + res->n_gone + res->n_dirs, end = *cursor + max;

    if (end > total || max == 0)
        end = total;
    for (size_t i = *cursor; i < end; i++) {
        int rc;
        if (i < res->n_found) {
            rc = apply_found(r, rw, &res->found[i], scan_ms, tally, err);
        } else if (i < res->n_found + res->n_gone) {
            const struct rec_gone *g = &res->gone[i - res->n_found];
            rc = g->tree ? store_segment_drop_tree(rw, r->name, g->dir, NULL, err)
                         : store_segment_drop(rw, r->name, g->dir, g->file, err);
        } else {
            const struct rec_dir_mark *d = &res->dirs[i - res->n_found - res->n_gone];
            rc = store_footage_dir_set(rw, r->name, d->path, d->parent, d->mtime_ns, err);
        }
        if (rc != 0) {
            *cursor = i;
            return -1;
        }
    }
    *cursor = end;
    if (end < total)
        return 0;
    return refresh_others(r, rw, res, scan_ms, err) != 0 ? -1 : 1;
}

int recsrc_finish(const struct recsrc *r, struct store *rw, int ok, const char *error,
                  int64_t scan_ms, struct cw_err *err)
{
    if (store_recorder_scanned(rw, r->name, recsrc_kind_name(r->kind), scan_ms, ok, error, err) !=
        0)
        return -1;
    return store_footage_refresh(rw, (const char *const *)r->cameras, r->n_cameras, scan_ms, err);
}

int recsrc_write_step(const struct recsrc *r, struct store *rw, const struct rec_result *res,
                      const char *error, size_t *cursor, size_t max, int64_t scan_ms,
                      struct recsrc_tally *tally, int *busy, struct cw_err *err)
{
    size_t at = *cursor;
    struct recsrc_tally tally_at = *tally;
    int rc = 1;

    *busy = 0;
    if (store_begin(rw, err) != 0)
        goto fail;
    if (res != NULL && (rc = recsrc_apply(r, rw, res, cursor, max, scan_ms, tally, err)) < 0)
        goto fail;
    if (rc == 1 && recsrc_finish(r, rw, error == NULL, error, scan_ms, err) != 0)
        goto fail;
    if (store_commit(rw, err) != 0)
        goto fail; /* rolled back by itself: its code is gone, and it was no lock (WAL) */
    return rc;
fail:
    /* Asked before the rollback, which would clear what SQLite said. */
    *busy = store_failure_kind(rw) == STORE_FAILURE_BUSY;
    store_rollback(rw);
    *cursor = at;
    *tally = tally_at;
    return -1;
}

/* ---- recording gaps, for the verdict ---- */

/* The newest segment still being written (an MP4 has no index until it is closed) covers
 * what it has been written over so far: from its start to its mtime. */
static void count_in_progress(struct store_segment_row *seg, size_t n, int64_t now_ms,
                              int64_t max_gap_ms)
{
    struct store_segment_row *last = n > 0 ? &seg[n - 1] : NULL;
    int64_t mtime_ms = last != NULL ? last->mtime_ns / 1000000 : 0;

    if (last == NULL || last->readable || mtime_ms <= last->start_ms ||
        now_ms - mtime_ms > max_gap_ms)
        return;
    last->readable = 1;
    last->end_ms = mtime_ms;
}

static void add_reason(char *buf, size_t len, const char *what)
{
    size_t off = strlen(buf);

    if (off < len)
        snprintf(buf + off, len - off, "%s%s", off > 0 ? "; " : "", what);
}

int recsrc_recent_gaps(struct store *ro, const char *camera_id, const struct cw_zone *zone,
                       int64_t now_ms, int64_t max_gap_ms, int64_t tolerance_ms, int *faulty,
                       char *reasons, size_t len, struct cw_err *err)
{
    struct store_footage_camera fc;
    struct store_segment_row *seg = NULL;
    struct footage_span *w = NULL, *g = NULL;
    size_t n = 0, nw = 0, ng = 0;
    int64_t from;
    int rc;

    *faulty = 0;
    if (len > 0)
        reasons[0] = '\0';
    if ((rc = store_footage_camera(ro, camera_id, &fc, now_ms, err)) != 0)
        return rc < 0 ? -1 : 0; /* never on a scanned recorder: nothing to say yet */
    if (!fc.has) {
        *faulty = 1;
        add_reason(reasons, len, "no recording: its recorder holds no footage of it");
        return 0;
    }
    /* Before the oldest footage nothing was missed: it is overwritten, or before recording. */
    from = fc.oldest_ms > now_ms - RECSRC_DAY_MS ? fc.oldest_ms : now_ms - RECSRC_DAY_MS;
    if (store_footage_segments(ro, camera_id, from, now_ms, &seg, &n, err) != 0)
        return -1;
    count_in_progress(seg, n, now_ms, max_gap_ms);
    if (footage_merge(seg, n, from, now_ms, tolerance_ms, &w, &nw, &g, &ng) != 0) {
        free(seg);
        return cw_err_set(err, NULL, 0, NULL, "footage gaps: out of memory");
    }
    for (size_t i = 0; i < ng; i++) {
        char a[16], b[16], what[64];
        if (g[i].end_ms - g[i].start_ms <= max_gap_ms)
            continue;
        *faulty = 1;
        cw_zone_strftime(zone, g[i].start_ms, "%H:%M", a, sizeof(a));
        cw_zone_strftime(zone, g[i].end_ms, "%H:%M", b, sizeof(b));
        if (g[i].end_ms >= now_ms)
            snprintf(what, sizeof(what), "no recording since %s", a);
        else
            snprintf(what, sizeof(what), "no recording %s\u2013%s", a, b);
        add_reason(reasons, len, what);
    }
    free(seg);
    free(w);
    free(g);
    return 0;
}
