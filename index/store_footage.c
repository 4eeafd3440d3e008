/* store_footage.c - every statement on the footage tables: segment (what each recorder holds),
 * footage_dir (the folders a scan listed, with their mtime), recorder (each recorder's last
 * scan), footage_camera (per camera: oldest and newest footage, longest segment) and
 * footage_retention (how far back a camera's footage reached, noted at most hourly). The
 * statements a scan runs per file or folder are cached in struct store (store_stmt).
 *
 * Paths are relative to the recorder's folder and compared as bytes: "a/b" sorts between "a/"
 * and "a0", so a folder and everything below it is one range of the (recorder, dir, file)
 * index. */
#include "store_footage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"
#include "store_priv.h"

/* The rows of dir and everything below it: dir itself, or a path starting with "dir/". ?1 is
 * the recorder, ?2 the folder ("" matches all). */
#define UNDER_DIR(col) "(?2 = '' OR " col " = ?2 OR (" col " > ?2 || '/' AND " col " < ?2 || '0'))"

/* ---- writing what a scan found ---- */

/* A segment put again for the same camera reaching no further keeps its seen_ms: the scan that
 * indexed the camera's footage up to its end (store_segment_put). One put again as the row has
 * it (a network recorder lists every item at every scan) is not written: its seen_ms would be
 * kept too, so the WHERE leaves seen_ms out; nothing else marks a row as still listed (the
 * scans drop what the recorder no longer lists). With no row changed, whether its camera is in
 * the store tells an unchanged segment from one refused. */
int store_segment_put(struct store *s, const struct store_segment *seg, int64_t seen_ms,
                      int *written, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO segment (recorder, dir, file, camera_id, start_ms, end_ms, bytes, mtime_ns, "
        "container, codec, width, height, readable, reason, seen_ms, channel) "
        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16 "
        "WHERE EXISTS (SELECT 1 FROM camera WHERE id = ?4) "
        "ON CONFLICT (recorder, dir, file) DO UPDATE SET camera_id = excluded.camera_id, "
        "start_ms = excluded.start_ms, end_ms = excluded.end_ms, bytes = excluded.bytes, "
        "mtime_ns = excluded.mtime_ns, container = excluded.container, codec = excluded.codec, "
        "width = excluded.width, height = excluded.height, readable = excluded.readable, "
        "reason = excluded.reason, channel = excluded.channel, "
        "seen_ms = CASE WHEN camera_id = excluded.camera_id "
        "AND excluded.end_ms <= end_ms THEN seen_ms ELSE excluded.seen_ms END "
        "WHERE camera_id IS NOT excluded.camera_id OR start_ms IS NOT excluded.start_ms "
        "OR end_ms IS NOT excluded.end_ms OR bytes IS NOT excluded.bytes "
        "OR mtime_ns IS NOT excluded.mtime_ns OR container IS NOT excluded.container "
        "OR codec IS NOT excluded.codec OR width IS NOT excluded.width "
        "OR height IS NOT excluded.height OR readable IS NOT excluded.readable "
        "OR reason IS NOT excluded.reason OR channel IS NOT excluded.channel";
    static const char sql_len[] =
        "INSERT INTO footage_camera (camera_id, max_len_ms, updated_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (camera_id) DO UPDATE SET max_len_ms = excluded.max_len_ms "
        "WHERE excluded.max_len_ms > max_len_ms";
    enum cw_state state;
    int retired;
    sqlite3_stmt *st = store_cached(
        s, STMT_SEGMENT_PUT, sql, err, "ttttIIIIoo__itIt", seg->recorder, seg->dir, seg->file,
        seg->camera_id, seg->start_ms, seg->end_ms > seg->start_ms ? seg->end_ms : seg->start_ms,
        seg->bytes > 0 ? seg->bytes : (int64_t)0, seg->mtime_ns, seg->container, seg->codec,
        seg->readable != 0, seg->reason ? seg->reason : "", seen_ms,
        seg->channel ? seg->channel : "");
    int rc;

    if (st != NULL && seg->width > 0 && seg->height > 0) {
        sqlite3_bind_int(st, 11, seg->width);
        sqlite3_bind_int(st, 12, seg->height);
    }
    if ((rc = store_step_update(s, st, "segment", seg->camera_id, err)) < 0)
        return -1;
    if (written != NULL)
        *written = rc == 0;
    /* Nothing written: an unchanged row (its length was counted when it was written; 0) or a
     * camera not in the store (1). */
    if (rc == 1)
        return store_camera_get_state(s, seg->camera_id, &state, &retired, err);
    /* The longest segment bounds the search for segments covering a time: only grows. */
    st = store_cached(s, STMT_SEGMENT_MAX_LEN, sql_len, err, "tII", seg->camera_id,
                      seg->end_ms > seg->start_ms ? seg->end_ms - seg->start_ms : (int64_t)0,
                      seen_ms);
    return store_step_write(s, st, "footage summary", seg->camera_id, err);
}

int store_segment_drop(struct store *s, const char *recorder, const char *dir, const char *file,
                       struct cw_err *err)
{
    static const char sql[] = "DELETE FROM segment WHERE recorder = ?1 AND dir = ?2 AND file = ?3";
    sqlite3_stmt *st = store_cached(s, STMT_SEGMENT_DROP, sql, err, "ttt", recorder, dir, file);

    return store_step_write(s, st, "segment", file, err);
}

/* Run sql (?1 recorder, ?2 folder) once; *changes gets the rows it changed. */
static int run_tree(struct store *s, const char *sql, const char *recorder, const char *dir,
                    int64_t *changes, struct cw_err *err)
{
    if (store_run(s, "footage folder", err, sql, "tt", recorder, dir) != 0)
        return -1;
    if (changes != NULL)
        *changes = sqlite3_changes(s->db);
    return 0;
}

int store_segment_drop_tree(struct store *s, const char *recorder, const char *dir,
                            int64_t *dropped, struct cw_err *err)
{
    if (run_tree(s, "DELETE FROM segment WHERE recorder = ?1 AND " UNDER_DIR("dir"), recorder, dir,
                 dropped, err) != 0)
        return -1;
    return run_tree(s, "DELETE FROM footage_dir WHERE recorder = ?1 AND " UNDER_DIR("path"),
                    recorder, dir, NULL, err);
}

/* ---- what a scan knows ---- */

int store_footage_dir_mtime(struct store *s, const char *recorder, const char *dir,
                            int64_t *mtime_ns, struct cw_err *err)
{
    static const char sql[] = "SELECT mtime_ns FROM footage_dir WHERE recorder = ?1 AND path = ?2";
    sqlite3_stmt *st = store_cached(s, STMT_FOOTAGE_DIR_MTIME, sql, err, "tt", recorder, dir);

    return store_one_row(s, st, 1, sizeof(*mtime_ns), store_read_int64, mtime_ns, "footage folder",
                         err);
}

int store_footage_dir_set(struct store *s, const char *recorder, const char *dir,
                          const char *parent, int64_t mtime_ns, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO footage_dir (recorder, path, parent, mtime_ns) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (recorder, path) DO UPDATE SET parent = excluded.parent, "
        "mtime_ns = excluded.mtime_ns";
    sqlite3_stmt *st =
        store_cached(s, STMT_FOOTAGE_DIR_SET, sql, err, "tttI", recorder, dir, parent, mtime_ns);

    return store_step_write(s, st, "footage folder", dir[0] ? dir : "/", err);
}

int store_footage_subdirs(struct store *s, const char *recorder, const char *dir, char ***out,
                          size_t *n, struct cw_err *err)
{
    static const char sql[] =
        "SELECT path FROM footage_dir WHERE recorder = ?1 AND parent = ?2 ORDER BY path";
    sqlite3_stmt *st = store_cached(s, STMT_FOOTAGE_SUBDIRS, sql, err, "tt", recorder, dir);
    char *buf = NULL;
    size_t count = 0, len = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    /* The strings first, one after the other; the pointers are put in front at the end. */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        size_t l = strlen(p ? p : "") + 1;
        if (len + l > cap) {
            char *nb = realloc(buf, cap = (cap + l) * 2);
            if (nb == NULL)
                goto oom;
            buf = nb;
        }
        memcpy(buf + len, p ? p : "", l);
        len += l;
        count++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(buf);
        return store_fail(s, "footage folders", err);
    }
    if (count > 0) {
        char **v = malloc(count * sizeof(char *) + len), *strs;
        if (v == NULL)
            goto oom;
        strs = (char *)(v + count);
        memcpy(strs, buf, len);
        for (size_t i = 0; i < count; i++) {
            v[i] = strs;
            strs += strlen(strs) + 1;
        }
        *out = v;
    }
    free(buf);
    *n = count;
    return 0;
oom:
    sqlite3_reset(st);
    free(buf);
    return cw_err_set(err, s->path, 0, NULL, "footage folders: out of memory");
}

static void read_known(sqlite3_stmt *st, void *elem)
{
    struct store_known_file *f = elem;

    store_column_text(st, 0, f->file, sizeof(f->file));
    f->bytes = sqlite3_column_int64(st, 1);
    f->mtime_ns = sqlite3_column_int64(st, 2);
    store_column_text(st, 3, f->camera_id, sizeof(f->camera_id));
    f->start_ms = sqlite3_column_int64(st, 4);
    f->end_ms = sqlite3_column_int64(st, 5);
    store_column_text(st, 6, f->channel, sizeof(f->channel));
}

int store_footage_files(struct store *s, const char *recorder, const char *dir,
                        struct store_known_file **out, size_t *n, struct cw_err *err)
{
    static const char sql[] =
        "SELECT file, bytes, mtime_ns, camera_id, start_ms, end_ms, channel FROM segment "
        "WHERE recorder = ?1 AND dir = ?2 ORDER BY file";
    return store_select(s, sizeof(**out), read_known, out, n, "footage files", err, sql, "tt",
                        recorder, dir);
}

int store_footage_last_file(struct store *s, const char *recorder, const char *dir,
                            struct store_known_file *out, struct cw_err *err)
{
    static const char sql[] =
        "SELECT file, bytes, mtime_ns, camera_id, start_ms, end_ms, channel FROM segment "
        "WHERE recorder = ?1 AND dir = ?2 ORDER BY file DESC LIMIT 1";
    sqlite3_stmt *st = store_cached(s, STMT_FOOTAGE_LAST_FILE, sql, err, "tt", recorder, dir);

    return store_one_row(s, st, 1, sizeof(*out), read_known, out, "footage files", err);
}

/* ---- recorders ---- */

int store_recorder_scanned(struct store *s, const char *name, const char *kind, int64_t at_ms,
                           int ok, const char *error, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO recorder (name, kind, scanned_ms, ok, error, ok_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 THEN ?3 END) "
        "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, scanned_ms = excluded.scanned_ms, "
        "ok = excluded.ok, error = excluded.error, ok_ms = coalesce(excluded.ok_ms, ok_ms), "
        "removed_ms = NULL";
    return store_run(s, "recorder", err, sql, "ttIit", name, kind, at_ms, ok != 0,
                     ok || error == NULL ? "" : error);
}

static void read_recorder(sqlite3_stmt *st, void *elem)
{
    struct store_recorder *r = elem;

    store_columns(st, "ttIitIIIII", r->name, sizeof(r->name), r->kind, sizeof(r->kind),
                  &r->scanned_ms, &r->ok, r->error, sizeof(r->error), &r->ok_ms, &r->segments,
                  &r->unreadable, &r->bytes, &r->removed_ms);
}

int store_list_recorders(struct store *s, int counts, struct store_recorder **out, size_t *n,
                         struct cw_err *err)
{
    static const char with_counts[] =
        "SELECT r.name, r.kind, r.scanned_ms, r.ok, r.error, r.ok_ms, count(g.id), "
        "coalesce(sum(g.readable = 0), 0), coalesce(sum(g.bytes), 0), "
        "coalesce(r.removed_ms, 0) FROM recorder AS r "
        "LEFT JOIN segment AS g ON g.recorder = r.name GROUP BY r.name ORDER BY r.name";
    static const char scans[] = "SELECT name, kind, scanned_ms, ok, error, ok_ms, 0, 0, 0, "
                                "coalesce(removed_ms, 0) FROM recorder ORDER BY name";

    return store_select(s, sizeof(**out), read_recorder, out, n, "recorders", err,
                        counts ? with_counts : scans, "");
}

int store_sync_recorders(struct store *s, const struct cfg *cfg, int64_t now_ms, struct cw_err *err)
{
    struct store_recorder *v = NULL;
    size_t n = 0;
    int rc = 0;

    if (store_list_recorders(s, 0, &v, &n, err) != 0)
        return -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int configured = cfg_find_recorder(cfg, v[i].name) != NULL;
        if (configured == (v[i].removed_ms == 0))
            continue;
        rc = store_run(s, "recorder", err,
                       "UPDATE recorder SET removed_ms = nullif(?2, 0) WHERE name = ?1", "tI",
                       v[i].name, configured ? (int64_t)0 : now_ms);
        if (rc == 0 && configured)
            store_log_committed(s,
                                "store: recorder %s is configured again: the index speaks for "
                                "its footage as before",
                                v[i].name);
        else if (rc == 0)
            store_log_committed(s,
                                "store: recorder %s is no longer configured: its footage stays "
                                "in the store but is not indexed",
                                v[i].name);
    }
    free(v);
    return rc;
}

/* end_ms and seen_ms of a segment into int64_t[2]. */
static void read_end_seen(sqlite3_stmt *st, void *out)
{
    int64_t *v = out;

    v[0] = sqlite3_column_int64(st, 0);
    v[1] = sqlite3_column_int64(st, 1);
}

int store_camera_newest_seen(struct store *s, const char *camera_id, const char *recorder,
                             int64_t seen_by_ms, int64_t before_ms, int64_t *end_ms,
                             int64_t *seen_ms, struct cw_err *err)
{
    /* The camera's segment of that recorder starting last among those seen by then: the
     * (camera_id, start_ms) index walked back from the newest, as refresh_one reads newest_ms;
     * never a walk over the recorder's segments (which the (recorder, dir, file) index would
     * be). */
    static const char sql[] =
        "SELECT end_ms, seen_ms FROM segment INDEXED BY segment_camera_start WHERE camera_id = "
        "?1 AND start_ms < ?4 AND recorder = ?2 AND seen_ms <= ?3 ORDER BY start_ms DESC LIMIT 1";
    sqlite3_stmt *st = store_prepare(s, "camera's newest footage seen", err, sql, "ttII", camera_id,
                                     recorder, seen_by_ms, before_ms);
    int64_t v[2] = {0, 0};
    int rc = store_one_row(s, st, 0, 0, read_end_seen, v, "camera's newest footage seen", err);

    *end_ms = v[0];
    if (seen_ms != NULL)
        *seen_ms = v[1];
    return rc < 0 ? -1 : 0;
}

int store_camera_first_on(struct store *s, const char *camera_id, const char *recorder,
                          int64_t from_ms, int64_t *start_ms, struct cw_err *err)
{
    /* The (camera_id, start_ms) index walked from from_ms (the end of the footage the camera
     * left on another recorder): never over all its older footage on the recorders it left. */
    static const char sql[] =
        "SELECT start_ms FROM segment INDEXED BY segment_camera_start WHERE camera_id = ?1 "
        "AND start_ms >= ?3 AND recorder = ?2 ORDER BY start_ms LIMIT 1";
    sqlite3_stmt *st = store_prepare(s, "camera's first footage on a recorder", err, sql, "ttI",
                                     camera_id, recorder, from_ms);
    int rc;

    *start_ms = INT64_MAX;
    rc = store_one_row(s, st, 0, 0, store_read_int64, start_ms,
                       "camera's first footage on a recorder", err);
    return rc < 0 ? -1 : 0;
}

int store_recorder_oldest(struct store *s, const char *recorder, int64_t *oldest_ms,
                          struct cw_err *err)
{
    /* Each camera's oldest readable footage on the recorder by the (camera_id, start_ms) index:
     * never a walk over the recorder's segments. */
    static const char sql[] =
        "SELECT min((SELECT start_ms FROM segment INDEXED BY segment_camera_start "
        "WHERE camera_id = c.id AND recorder = ?1 AND readable = 1 ORDER BY start_ms LIMIT 1)) "
        "FROM camera AS c WHERE c.recorder = ?1";
    sqlite3_stmt *st = store_prepare(s, "recorder's oldest footage", err, sql, "t", recorder);
    int rc;

    *oldest_ms = 0;
    rc = store_one_row(s, st, 0, 0, store_read_int64, oldest_ms, "recorder's oldest footage", err);
    return rc < 0 ? -1 : 0;
}

static void read_oldest(sqlite3_stmt *st, void *elem)
{
    struct store_footage_oldest *r = elem;

    store_column_text(st, 0, r->camera_id, sizeof(r->camera_id));
    r->oldest_ms = sqlite3_column_int64(st, 1);
}

int store_list_footage_oldest(struct store *s, struct store_footage_oldest **out, size_t *n,
                              struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_oldest, out, n, "footage oldest", err,
                        "SELECT camera_id, oldest_ms FROM footage_camera "
                        "WHERE oldest_ms IS NOT NULL ORDER BY camera_id",
                        "");
}

/* ---- per camera ---- */

/* The summary of one camera from its segments; a retention note when the last is an hour old. */
static int refresh_one(struct store *s, const char *id, int64_t now_ms, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO footage_camera (camera_id, oldest_ms, newest_ms, updated_ms) SELECT ?1, "
        "(SELECT start_ms FROM segment WHERE camera_id = ?1 AND readable = 1 "
        " ORDER BY start_ms LIMIT 1), "
        "(SELECT end_ms FROM segment WHERE camera_id = ?1 AND readable = 1 "
        " ORDER BY start_ms DESC LIMIT 1), ?2 "
        "WHERE EXISTS (SELECT 1 FROM camera WHERE id = ?1) "
        "ON CONFLICT (camera_id) DO UPDATE SET oldest_ms = excluded.oldest_ms, "
        "newest_ms = excluded.newest_ms, updated_ms = excluded.updated_ms";
    static const char note[] =
        "INSERT INTO footage_retention (camera_id, at_ms, oldest_ms) "
        "SELECT camera_id, ?2, oldest_ms FROM footage_camera WHERE camera_id = ?1 "
        "AND oldest_ms IS NOT NULL AND NOT EXISTS (SELECT 1 FROM footage_retention "
        "WHERE camera_id = ?1 AND at_ms > ?2 - ?3) ON CONFLICT DO NOTHING";
    static const char prune[] =
        "DELETE FROM footage_retention WHERE camera_id = ?1 AND at_ms < ?2 - ?3";
    const char *const sqls[] = {sql, note, prune};
    const int64_t arg3[] = {0, STORE_RETENTION_EVERY_MS, STORE_RETENTION_KEEP_MS};

    for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++)
        if (store_run(s, "footage summary", err, sqls[i], "tII", id, now_ms, arg3[i]) != 0)
            return -1;
    return 0;
}

int store_footage_refresh(struct store *s, const char *const *ids, size_t n, int64_t now_ms,
                          struct cw_err *err)
{
    if (store_begin(s, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (refresh_one(s, ids[i], now_ms, err) != 0)
            return store_end_failed(s);
    return store_commit(s, err);
}

static void read_summary(sqlite3_stmt *st, void *elem)
{
    struct store_footage_camera *out = elem;

    store_columns(st, "IIIIIII", &out->oldest_ms, &out->newest_ms, &out->max_len_ms,
                  &out->updated_ms, &out->pace_since_ms, &out->pace_oldest_ms,
                  &out->seen_oldest_ms);
    out->has = sqlite3_column_type(st, 0) != SQLITE_NULL;
    out->has_pace = sqlite3_column_type(st, 4) != SQLITE_NULL;
}

int store_footage_camera(struct store *s, const char *camera_id, struct store_footage_camera *out,
                         int64_t now_ms, struct cw_err *err)
{
    /* The pace is measured from the first note of the last week: long enough to average out
     * a recorder that deletes in bursts, short enough to follow a changed retention. */
    static const char sql[] =
        "SELECT f.oldest_ms, f.newest_ms, f.max_len_ms, f.updated_ms, r.at_ms, r.oldest_ms, "
        "(SELECT min(oldest_ms) FROM footage_retention WHERE camera_id = ?1) "
        "FROM footage_camera AS f LEFT JOIN footage_retention AS r ON r.camera_id = f.camera_id "
        "AND r.at_ms = (SELECT min(at_ms) FROM footage_retention WHERE camera_id = ?1 "
        "AND at_ms >= ?2) WHERE f.camera_id = ?1";
    sqlite3_stmt *st = store_cached(s, STMT_FOOTAGE_CAMERA, sql, err, "tI", camera_id,
                                    (int64_t)(now_ms - 7 * 86400 * 1000LL));

    memset(out, 0, sizeof(*out));
    return store_one_row(s, st, 1, sizeof(*out), read_summary, out, "footage summary", err);
}

/* The columns read_segment reads. */
#define SEGMENT_COLUMNS                                                                            \
    "SELECT id, recorder, dir, file, start_ms, end_ms, bytes, mtime_ns, container, codec, "        \
    "width, height, readable, reason "

static void read_segment(sqlite3_stmt *st, void *elem)
{
    struct store_segment_row *r = elem;
    const char *dir = (const char *)sqlite3_column_text(st, 2);
    const char *file = (const char *)sqlite3_column_text(st, 3);

    store_columns(st, "It__IIIIttiiit", &r->id, r->recorder, sizeof(r->recorder), &r->start_ms,
                  &r->end_ms, &r->bytes, &r->mtime_ns, r->container, sizeof(r->container), r->codec,
                  sizeof(r->codec), &r->width, &r->height, &r->readable, r->reason,
                  sizeof(r->reason));
    if (snprintf(r->path, sizeof(r->path), "%s%s%s", dir ? dir : "", dir && dir[0] ? "/" : "",
                 file ? file : "") < 0)
        r->path[0] = '\0';
}

int store_footage_segments(struct store *s, const char *camera_id, int64_t from_ms, int64_t to_ms,
                           struct store_segment_row **out, size_t *n, struct cw_err *err)
{
    /* A segment covering from_ms started at most the camera's longest segment before it: the
     * (camera_id, start_ms) index is searched from there. A segment of unknown length (an
     * unreadable file) is a point at its start. */
    static const char sql[] =
        SEGMENT_COLUMNS "FROM segment WHERE camera_id = ?1 "
                        "AND start_ms >= ?2 - coalesce((SELECT max_len_ms FROM footage_camera "
                        "WHERE camera_id = ?1), 0) AND start_ms < ?3 "
                        "AND (end_ms > ?2 OR (end_ms = start_ms AND start_ms >= ?2)) "
                        "ORDER BY start_ms, dir, file";
    sqlite3_stmt *st = store_stmt(s, STMT_FOOTAGE_SEGMENTS, sql, err);
    void *rows = NULL;
    int rc = store_collect_range(s, st, camera_id, from_ms, to_ms, sizeof(**out), read_segment,
                                 &rows, n, "segments", err);

    *out = rows;
    return rc;
}

int store_footage_segment_before(struct store *s, const char *camera_id, int64_t before_ms,
                                 struct store_segment_row *out, struct cw_err *err)
{
    static const char sql[] =
        SEGMENT_COLUMNS "FROM segment INDEXED BY segment_camera_start "
                        "WHERE camera_id = ?1 AND start_ms < ?2 ORDER BY start_ms DESC LIMIT 1";
    sqlite3_stmt *st =
        store_cached(s, STMT_FOOTAGE_SEGMENT_BEFORE, sql, err, "tI", camera_id, before_ms);

    /* Asked of every camera of every footage answer: a cached statement. */
    return store_one_row(s, st, 1, sizeof(*out), read_segment, out, "camera's footage before", err);
}
