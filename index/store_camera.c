/* store_camera.c - every statement on the camera table: inventory sync
 * (insert, update, retire, un-retire), current state, last probe facts, the
 * latest stream sample's facts, the reference picture, and the status
 * listings. The per-probe and per-camera statements are cached in
 * struct store (store_stmt) so a sweep of 10,000 cameras prepares nothing. */
#include "store_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"

#define STORE_URL_MAX 2048 /* longest rtsp_url kept; longer ones are cut by the redaction */

/* Columns a sync compares and writes, in bind order ?2..?15 after id. */
#define INVENTORY_COLUMNS                                                                          \
    "name, owner, commune, site_kind, address, road, lat, lon, rtsp_url, onvif_url, model, "       \
    "installed_on, recorder, notes"

/* Bind id as ?1 and the inventory fields as ?2..?15. url is the redacted rtsp_url. */
static void bind_inventory(sqlite3_stmt *st, const struct cfg_camera *c, const char *url)
{
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name ? c->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->owner ? c->owner : "", -1, SQLITE_STATIC);
    store_bind_opt_text(st, 4, c->commune);
    sqlite3_bind_text(st, 5, cfg_site_kind_name(c->site_kind), -1, SQLITE_STATIC);
    store_bind_opt_text(st, 6, c->address);
    store_bind_opt_text(st, 7, c->road);
    if (c->has_position) {
        sqlite3_bind_double(st, 8, c->lat);
        sqlite3_bind_double(st, 9, c->lon);
    }
    sqlite3_bind_text(st, 10, url, -1, SQLITE_STATIC);
    store_bind_opt_text(st, 11, c->onvif_url);
    store_bind_opt_text(st, 12, c->model);
    store_bind_opt_text(st, 13, c->installed_on);
    store_bind_opt_text(st, 14, c->recorder);
    store_bind_opt_text(st, 15, c->notes);
}

static const char sql_lookup[] = "SELECT retired_ms IS NOT NULL FROM camera WHERE id = ?1";
static const char sql_insert[] =
    "INSERT INTO camera (id, " INVENTORY_COLUMNS ", created_ms, state, since_ms, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 'unknown', "
    "?16, '')";
/* Touches the row only when something differs, so changes() counts real updates. A camera
 * back in the inventory is un-retired; its state stays what retirement left (unknown). */
static const char sql_update[] =
    "UPDATE camera SET name = ?2, owner = ?3, commune = ?4, site_kind = ?5, address = ?6, "
    "road = ?7, lat = ?8, lon = ?9, rtsp_url = ?10, onvif_url = ?11, model = ?12, "
    "installed_on = ?13, recorder = ?14, notes = ?15, retired_ms = NULL, "
    "reason = CASE WHEN retired_ms IS NULL THEN reason ELSE 'back in inventory' END "
    "WHERE id = ?1 AND (name IS NOT ?2 OR owner IS NOT ?3 OR commune IS NOT ?4 OR "
    "site_kind IS NOT ?5 OR address IS NOT ?6 OR road IS NOT ?7 OR lat IS NOT ?8 OR "
    "lon IS NOT ?9 OR rtsp_url IS NOT ?10 OR onvif_url IS NOT ?11 OR model IS NOT ?12 OR "
    "installed_on IS NOT ?13 OR recorder IS NOT ?14 OR notes IS NOT ?15 OR "
    "retired_ms IS NOT NULL)";

struct sync_counts {
    int added, changed, back, retired;
};

static int camera_retire(struct store *s, const char *id, int64_t now_ms, struct cw_err *err)
{
    return store_run(s, "retire", err,
                     "UPDATE camera SET retired_ms = ?2, reason = 'removed from inventory' "
                     "WHERE id = ?1",
                     "tI", id, now_ms);
}

/* Insert or update one inventory camera, and note its id in temp.sync_ids. */
static int sync_one(struct store *s, const struct cfg_camera *c, int64_t now_ms, sqlite3_stmt *mark,
                    struct sync_counts *n, struct cw_err *err)
{
    char url[STORE_URL_MAX];
    sqlite3_stmt *st;
    int rc, was_retired = 0, exists;

    log_redact_url(c->rtsp_url ? c->rtsp_url : "", url, sizeof(url));
    if ((st = store_cached(s, STMT_CAMERA_LOOKUP, sql_lookup, err, "t", c->id)) == NULL)
        return -1;
    rc = sqlite3_step(st);
    exists = rc == SQLITE_ROW;
    if (exists)
        was_retired = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "camera lookup", err);

    st = exists ? store_stmt(s, STMT_CAMERA_UPDATE, sql_update, err)
                : store_stmt(s, STMT_CAMERA_INSERT, sql_insert, err);
    if (st == NULL)
        return -1;
    bind_inventory(st, c, url);
    if (!exists)
        sqlite3_bind_int64(st, 16, now_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cw_err_set(err, s->path, 0, NULL, "camera %s: %s", c->id, store_errmsg(s));
    if (!exists)
        n->added++;
    else if (was_retired)
        n->back++;
    else if (sqlite3_changes(s->db) > 0)
        n->changed++;

    sqlite3_reset(mark);
    sqlite3_bind_text(mark, 1, c->id, -1, SQLITE_STATIC);
    rc = sqlite3_step(mark);
    sqlite3_reset(mark);
    return rc == SQLITE_DONE ? 0 : store_fail(s, "sync ids", err);
}

struct retiree {
    char id[CFG_ID_MAX + 1];
    enum cw_state state;
};

static void read_retiree(sqlite3_stmt *st, void *elem)
{
    struct retiree *r = elem;

    store_column_text(st, 0, r->id, sizeof(r->id));
    r->state = store_column_state(st, 1);
}

/* The listed cameras not in temp.sync_ids; *out malloc'd, caller frees. */
static int list_missing(struct store *s, struct retiree **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_retiree, out, n, "retire", err,
                        "SELECT id, state FROM camera WHERE retired_ms IS NULL AND "
                        "id NOT IN (SELECT id FROM temp.sync_ids)",
                        "");
}

/* Retire every listed camera missing from the inventory. Its state goes to UNKNOWN with an
 * event (we stop watching it), so should it come back the gap counts as unknown, not as up. */
static int retire_missing(struct store *s, int64_t now_ms, struct sync_counts *n,
                          struct cw_err *err)
{
    static const char reason[] = "removed from inventory";
    struct retiree *v;
    size_t nv;
    int rc = -1;

    if (list_missing(s, &v, &nv, err) != 0)
        return -1;
    for (size_t i = 0; i < nv; i++) {
        if (v[i].state != CW_UNKNOWN &&
            (store_event_insert(s, v[i].id, v[i].state, CW_UNKNOWN, now_ms, reason, err) != 0 ||
             store_camera_set_state(s, v[i].id, CW_UNKNOWN, now_ms, reason, err) != 0))
            goto fail;
        if (camera_retire(s, v[i].id, now_ms, err) != 0)
            goto fail;
        n->retired++;
    }
    rc = 0;
fail:
    free(v);
    return rc;
}

int store_sync_cameras(struct store *s, const struct cfg *cfg, int64_t now_ms, struct cw_err *err)
{
    struct sync_counts n = {0, 0, 0, 0};
    sqlite3_stmt *mark = NULL;

    if (store_begin(s, err) != 0)
        return -1;
    if (store_exec(s,
                   "CREATE TEMP TABLE IF NOT EXISTS sync_ids (id TEXT PRIMARY KEY);"
                   "DELETE FROM temp.sync_ids",
                   err) != 0)
        goto fail;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO temp.sync_ids (id) VALUES (?1)", -1, &mark,
                           NULL) != SQLITE_OK) {
        store_fail(s, "sync", err);
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (sync_one(s, &cfg->cameras[i], now_ms, mark, &n, err) != 0)
            goto fail;
    sqlite3_finalize(mark);
    mark = NULL;
    if (retire_missing(s, now_ms, &n, err) != 0)
        goto fail;
    if (store_exec(s, "DELETE FROM temp.sync_ids", err) != 0 || store_commit(s, err) != 0)
        goto fail;
    if (n.added || n.changed || n.back || n.retired) /* said once the caller's sync commits */
        store_log_committed(s,
                            "store: inventory of %zu cameras: %d new, %d changed, %d back, "
                            "%d retired",
                            cfg->n_cameras, n.added, n.changed, n.back, n.retired);
    return 0;
fail:
    sqlite3_finalize(mark);
    store_abort(s);
    return -1;
}

#define STATUS_SELECT                                                                              \
    "SELECT id, name, owner, commune, retired_ms IS NOT NULL, state, since_ms, reason, "           \
    "last_probe_ms, latency_ms, rtsp_status, codec, width, height, fps, last_sample_ms, "          \
    "stream_fps, bitrate_kbps, gop_s, sharpness, luma, frozen, flags, thumb_path, last_ok_ms, "    \
    "address, road, lat, lon, stream_width, stream_height, streak_kind, streak, last_phash, "      \
    "still_run, still_run_since_ms FROM camera "

static const char *const streak_names[] = {NULL, "ok", "degraded", "fail"};

static void read_status(sqlite3_stmt *st, void *elem)
{
    struct store_status *o = elem;

    /* last_probe_ms NULL reads as 0 */
    store_columns(st, "ttttisItInitiidIdddddittIttddii__uiI", o->id, sizeof(o->id), o->name,
                  sizeof(o->name), o->owner, sizeof(o->owner), o->commune, sizeof(o->commune),
                  &o->retired, &o->state, &o->since_ms, o->reason, sizeof(o->reason),
                  &o->last_probe_ms, &o->latency_ms, &o->rtsp_status, o->codec, sizeof(o->codec),
                  &o->width, &o->height, &o->fps, &o->last_sample_ms, &o->stream_fps,
                  &o->bitrate_kbps, &o->gop_s, &o->sharpness, &o->luma, &o->frozen, o->flags,
                  sizeof(o->flags), o->thumb_path, sizeof(o->thumb_path), &o->last_ok_ms,
                  o->address, sizeof(o->address), o->road, sizeof(o->road), &o->lat, &o->lon,
                  &o->stream_width, &o->stream_height, &o->picture.last_phash,
                  &o->picture.still_run, &o->picture.run_since_ms);
    o->has_position =
        sqlite3_column_type(st, 27) != SQLITE_NULL && sqlite3_column_type(st, 28) != SQLITE_NULL;
    o->streak_kind = store_column_name(st, 31, streak_names, 4, STORE_STREAK_NONE);
    o->streak = o->streak_kind != STORE_STREAK_NONE ? sqlite3_column_int(st, 32) : 0;
    o->picture.has_last = sqlite3_column_type(st, 33) != SQLITE_NULL;
}

int store_get_status(struct store *s, const char *id, struct store_status *out, struct cw_err *err)
{
    sqlite3_stmt *st =
        store_cached(s, STMT_CAMERA_GET_STATUS, STATUS_SELECT "WHERE id = ?1", err, "t", id);

    return store_one_row(s, st, 1, sizeof(*out), read_status, out, "camera status", err);
}

/* Where read_id puts a camera's id. */
struct id_buf {
    char *s;
    size_t len;
};

static void read_id(sqlite3_stmt *st, void *out)
{
    const unsigned char *id = sqlite3_column_text(st, 0);
    struct id_buf *b = out;

    snprintf(b->s, b->len, "%s", id != NULL ? (const char *)id : "");
}

int store_camera_id_nocase(struct store *s, const char *id, char *out, size_t len,
                           struct cw_err *err)
{
    struct id_buf b = {out, len};
    sqlite3_stmt *st = store_prepare(s, "camera id", err,
                                     "SELECT id FROM camera WHERE id = ?1 COLLATE NOCASE "
                                     "ORDER BY retired_ms IS NOT NULL, id LIMIT 1",
                                     "t", id);

    return store_one_row(s, st, 0, 0, read_id, &b, "camera id", err);
}

int store_list_status(struct store *s, struct store_status **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_status, out, n, "camera status", err,
                        STATUS_SELECT "WHERE retired_ms IS NULL ORDER BY id", "");
}

/* The streak as ?i (its kind, NULL for none) and ?i+1 (its length, 0 for none). */
static void bind_streak(sqlite3_stmt *st, int i, enum store_streak kind, int n)
{
    if (kind > STORE_STREAK_NONE && kind <= STORE_STREAK_FAIL && n > 0) {
        sqlite3_bind_text(st, i, streak_names[kind], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, i + 1, n);
    } else {
        sqlite3_bind_int(st, i + 1, 0);
    }
}

int store_record_probe(struct store *s, const struct store_probe *p, struct cw_err *err)
{
    static const char sql[] =
        "UPDATE camera SET last_probe_ms = ?2, latency_ms = ?3, rtsp_status = ?4, codec = ?5, "
        "width = ?6, height = ?7, fps = ?8, "
        "last_ok_ms = CASE WHEN ?9 THEN ?2 ELSE last_ok_ms END, "
        "reason = CASE WHEN ?10 IS NOT NULL AND state = ?11 THEN ?10 ELSE reason END, "
        "streak_kind = ?12, streak = ?13 WHERE id = ?1";
    sqlite3_stmt *st =
        store_cached(s, STMT_CAMERA_PROBE, sql, err, "tI__o", p->camera_id, p->at_ms, p->codec);

    if (st == NULL)
        return -1;
    if (p->latency_ms >= 0)
        sqlite3_bind_int(st, 3, p->latency_ms);
    if (p->rtsp_status > 0)
        sqlite3_bind_int(st, 4, p->rtsp_status);
    if (p->width > 0 && p->height > 0) {
        sqlite3_bind_int(st, 6, p->width);
        sqlite3_bind_int(st, 7, p->height);
    }
    if (p->fps > 0)
        sqlite3_bind_double(st, 8, p->fps);
    sqlite3_bind_int(st, 9, p->ok != 0);
    if (p->reason != NULL) {
        sqlite3_bind_text(st, 10, p->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, cw_state_name(p->state), -1, SQLITE_STATIC);
    }
    bind_streak(st, 12, p->streak_kind, p->streak);
    return store_step_update(s, st, "probe", p->camera_id, err);
}

struct camera_state {
    enum cw_state state;
    int retired;
};

static void read_camera_state(sqlite3_stmt *st, void *out)
{
    *(struct camera_state *)out =
        (struct camera_state){store_column_state(st, 0), sqlite3_column_int(st, 1)};
}

int store_camera_get_state(struct store *s, const char *id, enum cw_state *state, int *retired,
                           struct cw_err *err)
{
    static const char sql[] = "SELECT state, retired_ms IS NOT NULL FROM camera WHERE id = ?1";
    struct camera_state cs;
    int rc = store_one_row(s, store_cached(s, STMT_CAMERA_GET_STATE, sql, err, "t", id), 1,
                           sizeof(cs), read_camera_state, &cs, "camera state", err);

    if (rc == 0) {
        *state = cs.state;
        *retired = cs.retired;
    }
    return rc;
}

/* A run of verdicts belongs to the state it was counted in: a state change ends it. ?5 is the
 * state the camera must be in (store_camera_move_state), or NULL for any. */
static const char sql_set_state[] = "UPDATE camera SET state = ?2, since_ms = ?3, reason = ?4, "
                                    "streak_kind = NULL, streak = 0 WHERE id = ?1 AND "
                                    "(?5 IS NULL OR state = ?5)";

int store_camera_set_state(struct store *s, const char *id, enum cw_state to, int64_t at_ms,
                           const char *reason, struct cw_err *err)
{
    sqlite3_stmt *st = store_cached(s, STMT_CAMERA_SET_STATE, sql_set_state, err, "ttIt", id,
                                    cw_state_name(to), at_ms, reason ? reason : "");

    return store_step_update(s, st, "state", id, err);
}

int store_camera_move_state(struct store *s, const char *id, enum cw_state from, enum cw_state to,
                            int64_t at_ms, const char *reason, struct cw_err *err)
{
    sqlite3_stmt *st =
        store_cached(s, STMT_CAMERA_MOVE_STATE, sql_set_state, err, "ttItt", id, cw_state_name(to),
                     at_ms, reason ? reason : "", cw_state_name(from));

    return store_step_update(s, st, "state", id, err);
}

/* 1 when the comma-separated list holds the name exactly. */
static int flags_have(const char *list, const char *name)
{
    size_t len = strlen(name);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && strncmp(p, name, len) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* ?i: whether to write the memory; ?i+1 the last picture (NULL: none), ?i+2 the still run,
 * ?i+3 when it began (NULL: no run). */
static void bind_picture_memory(sqlite3_stmt *st, int i, int write,
                                const struct store_picture_memory *m)
{
    sqlite3_bind_int(st, i, write != 0);
    if (m->has_last)
        store_bind_u64(st, i + 1, m->last_phash);
    sqlite3_bind_int(st, i + 2, m->still_run > 0 ? m->still_run : 0);
    if (m->still_run > 0 && m->run_since_ms != 0)
        sqlite3_bind_int64(st, i + 3, m->run_since_ms);
}

int store_camera_record_sample(struct store *s, const struct store_sample *smp,
                               const char *thumb_path, struct cw_err *err)
{
    /* A fact the sample did not measure is NULL, so status shows it as unknown rather than
     * keeping an older sample's value beside this sample's time. */
    static const char sql[] =
        "UPDATE camera SET last_sample_ms = ?2, stream_fps = ?3, bitrate_kbps = ?4, gop_s = ?5, "
        "sharpness = ?6, luma = ?7, frozen = ?8, flags = ?9, "
        "thumb_path = coalesce(?10, thumb_path), stream_width = ?11, stream_height = ?12, "
        "last_phash = CASE WHEN ?13 THEN ?14 ELSE last_phash END, "
        "still_run = CASE WHEN ?13 THEN ?15 ELSE still_run END, "
        "still_run_since_ms = CASE WHEN ?13 THEN ?16 ELSE still_run_since_ms END WHERE id = ?1";
    sqlite3_stmt *st =
        store_cached(s, STMT_CAMERA_SAMPLE, sql, err, "tI", smp->camera_id, smp->at_ms);

    if (st == NULL)
        return -1;
    if (smp->ok) {
        sqlite3_bind_double(st, 3, smp->fps);
        sqlite3_bind_double(st, 4, smp->bitrate_kbps);
        if (smp->gop_s > 0)
            sqlite3_bind_double(st, 5, smp->gop_s);
    }
    if (smp->has_picture) {
        sqlite3_bind_double(st, 6, smp->sharpness);
        sqlite3_bind_double(st, 7, smp->luma_mean);
    }
    sqlite3_bind_int(st, 8, flags_have(smp->flags, "frozen"));
    sqlite3_bind_text(st, 9, smp->flags, -1, SQLITE_STATIC);
    store_bind_opt_text(st, 10, thumb_path);
    if (smp->ok && smp->width > 0 && smp->height > 0) {
        sqlite3_bind_int(st, 11, smp->width);
        sqlite3_bind_int(st, 12, smp->height);
    }
    bind_picture_memory(st, 13, smp->has_memory, &smp->memory);
    return store_step_update(s, st, "sample", smp->camera_id, err);
}

struct reference {
    int has;
    uint64_t phash;
    int64_t at_ms;
};

static void read_reference(sqlite3_stmt *st, void *out)
{
    struct reference *r = out;

    if (sqlite3_column_int(st, 0) != 0)
        *r = (struct reference){1, store_column_u64(st, 1), sqlite3_column_int64(st, 2)};
}

int store_get_reference(struct store *s, const char *camera_id, int *has, uint64_t *phash,
                        int64_t *at_ms, struct cw_err *err)
{
    static const char sql[] =
        "SELECT has_reference, reference_phash, reference_at_ms FROM camera WHERE id = ?1";
    struct reference r = {0, 0, 0};
    int rc = store_one_row(s, store_cached(s, STMT_CAMERA_GET_REFERENCE, sql, err, "t", camera_id),
                           1, sizeof(r), read_reference, &r, "reference", err);

    *has = r.has;
    *phash = r.phash;
    *at_ms = r.at_ms;
    return rc;
}

int store_set_reference(struct store *s, const char *camera_id, int has, uint64_t phash,
                        int64_t at_ms, struct cw_err *err)
{
    static const char sql[] = "UPDATE camera SET has_reference = ?2, reference_phash = ?3, "
                              "reference_at_ms = ?4 WHERE id = ?1";
    sqlite3_stmt *st;
    int rc;

    /* Its own short transaction when outermost (BEGIN IMMEDIATE), like maintenance, so the
     * CLI can clear a reference beside a running daemon; nested in the daemon's batch. */
    if (store_begin(s, err) != 0)
        return -1;
    st = store_cached(s, STMT_CAMERA_SET_REFERENCE, sql, err, "ti", camera_id, has != 0);
    if (st != NULL && has) {
        store_bind_u64(st, 3, phash);
        sqlite3_bind_int64(st, 4, at_ms);
    }
    if ((rc = store_step_update(s, st, "reference", camera_id, err)) < 0)
        return store_end_failed(s);
    return store_commit(s, err) == 0 ? rc : -1;
}
