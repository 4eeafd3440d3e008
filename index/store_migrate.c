/* store_migrate.c - the schema, as an ordered list of forward migration steps.
 * Step k takes a database from user_version k to k+1 and runs in its own
 * transaction with the version bump, so a crash leaves the file at a whole
 * version. Never edit a released step: add a new one and raise
 * STORE_SCHEMA_VERSION (tests/test_store.c migrates from every older version).
 *
 * States are stored as their lower-case names (util/state.h) and CHECKed, so
 * the sqlite3 shell shows what a person reads in the CLI. Times are UTC epoch
 * ms. Cameras and events are never deleted: triggers refuse it. */
#include "store_priv.h"

#include <stdio.h>

#define STATE_CHECK(col) "CHECK (" col " IN ('unknown', 'up', 'degraded', 'down', 'maintenance'))"

static const char *const migrations[] = {
    /* 0 -> 1: the inventory, current state, and state-change events. */
    "CREATE TABLE camera ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  name TEXT NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  commune TEXT,"
    "  site_kind TEXT NOT NULL CHECK (site_kind IN ('district', 'commune', 'market')),"
    "  address TEXT,"
    "  road TEXT,"
    "  lat REAL CHECK (lat BETWEEN -90 AND 90),"
    "  lon REAL CHECK (lon BETWEEN -180 AND 180),"
    "  rtsp_url TEXT NOT NULL," /* without user:pass@ */
    "  onvif_url TEXT,"
    "  model TEXT,"
    "  installed_on TEXT,"
    "  recorder TEXT,"
    "  notes TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  retired_ms INTEGER," /* NULL while in the inventory */
    "  state TEXT NOT NULL DEFAULT 'unknown' " STATE_CHECK(
        "state") ","
                 "  since_ms INTEGER NOT NULL,"
                 "  reason TEXT NOT NULL DEFAULT ''"
                 ");"
                 "CREATE TABLE event ("
                 "  id INTEGER PRIMARY KEY,"
                 "  camera_id TEXT NOT NULL REFERENCES camera (id),"
                 "  at_ms INTEGER NOT NULL,"
                 "  from_state TEXT NOT NULL " STATE_CHECK(
                     "from_state") ","
                                   "  to_state TEXT NOT NULL " STATE_CHECK(
                                       "to_state") ","
                                                   "  reason TEXT NOT NULL DEFAULT ''"
                                                   ");"
                                                   "CREATE INDEX event_camera_at ON event "
                                                   "(camera_id, at_ms);"
                                                   "CREATE INDEX event_at ON event (at_ms);"
                                                   "CREATE TRIGGER camera_never_deleted BEFORE "
                                                   "DELETE ON camera"
                                                   "  BEGIN SELECT RAISE(ABORT, 'cameras are "
                                                   "retired, never deleted'); END;"
                                                   "CREATE TRIGGER event_never_deleted BEFORE "
                                                   "DELETE ON event"
                                                   "  BEGIN SELECT RAISE(ABORT, 'events are never "
                                                   "deleted'); END;"
                                                   "CREATE TRIGGER event_never_changed BEFORE "
                                                   "UPDATE ON event"
                                                   "  BEGIN SELECT RAISE(ABORT, 'events are never "
                                                   "changed'); END;",

    /* 1 -> 2: the facts of the last probe. NULL until the first probe says otherwise. */
    "ALTER TABLE camera ADD COLUMN last_probe_ms INTEGER;"
    "ALTER TABLE camera ADD COLUMN latency_ms INTEGER;"
    "ALTER TABLE camera ADD COLUMN rtsp_status INTEGER;"
    "ALTER TABLE camera ADD COLUMN codec TEXT;"
    "ALTER TABLE camera ADD COLUMN width INTEGER;"
    "ALTER TABLE camera ADD COLUMN height INTEGER;"
    "ALTER TABLE camera ADD COLUMN fps REAL;"
    "ALTER TABLE camera ADD COLUMN last_ok_ms INTEGER;",

    /* 2 -> 3: stream samples (raw, then folded into hourly rows), the latest sample's facts
     * and the reference picture on the camera. A fact not measured is NULL. phash holds the
     * uint64 hash as the int64 of the same bits. Raw rows are deleted by retention; the
     * partial index serves it, so its scan never walks the hourly rows that pile up. */
    "ALTER TABLE camera ADD COLUMN last_sample_ms INTEGER;"
    "ALTER TABLE camera ADD COLUMN stream_fps REAL;"
    "ALTER TABLE camera ADD COLUMN bitrate_kbps REAL;"
    "ALTER TABLE camera ADD COLUMN gop_s REAL;"
    "ALTER TABLE camera ADD COLUMN sharpness REAL;"
    "ALTER TABLE camera ADD COLUMN luma REAL;"
    "ALTER TABLE camera ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE camera ADD COLUMN flags TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE camera ADD COLUMN thumb_path TEXT;"
    "ALTER TABLE camera ADD COLUMN reference_phash INTEGER;"
    "ALTER TABLE camera ADD COLUMN reference_at_ms INTEGER;"
    "ALTER TABLE camera ADD COLUMN has_reference INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE sample ("
    "  id INTEGER PRIMARY KEY,"
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  at_ms INTEGER NOT NULL," /* hourly rows: the start of the hour */
    "  hourly INTEGER NOT NULL DEFAULT 0 CHECK (hourly IN (0, 1)),"
    "  count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),"
    "  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
    "  error TEXT NOT NULL DEFAULT '',"
    "  codec TEXT,"
    "  width INTEGER,"
    "  height INTEGER,"
    "  fps REAL,"
    "  bitrate_kbps REAL,"
    "  gop_frames REAL,"
    "  gop_s REAL,"
    "  first_key_ms INTEGER,"
    "  ts_jumps INTEGER NOT NULL DEFAULT 0,"
    "  ts_backwards INTEGER NOT NULL DEFAULT 0,"
    "  corrupt_packets INTEGER NOT NULL DEFAULT 0,"
    "  lost_frames INTEGER NOT NULL DEFAULT 0,"
    "  has_picture INTEGER NOT NULL DEFAULT 0 CHECK (has_picture IN (0, 1)),"
    "  luma_mean REAL,"
    "  luma_spread REAL,"
    "  sharpness REAL,"
    "  phash INTEGER,"
    "  ref_distance INTEGER,"
    "  flags TEXT NOT NULL DEFAULT '',"
    "  reasons TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX sample_camera_at ON sample (camera_id, at_ms);"
    "CREATE INDEX sample_raw ON sample (camera_id, at_ms) WHERE hourly = 0;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

int store_read_user_version(sqlite3 *db, const char *path, int *out, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        cw_err_set(err, path, 0, NULL, "cannot read schema version: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

static int exec(sqlite3 *db, const char *path, const char *sql, struct cw_err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    cw_err_set(err, path, 0, NULL, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

/* One step from version v to v+1, unless another connection got there first. */
static int migrate_step(sqlite3 *db, const char *path, int target, int *v, struct cw_err *err)
{
    char bump[64];

    if (exec(db, path, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    if (store_read_user_version(db, path, v, err) != 0)
        goto fail;
    if (*v > STORE_SCHEMA_VERSION) {
        cw_err_set(err, path, 0, NULL, "database schema %d is newer than this camwatch (%d)", *v,
                   STORE_SCHEMA_VERSION);
        goto fail;
    }
    if (*v < target) {
        if (exec(db, path, migrations[*v], err) != 0) {
            char msg[sizeof(err->msg)];
            if (err != NULL) {
                snprintf(msg, sizeof(msg), "%s", err->msg);
                cw_err_set(err, path, 0, NULL, "migrating schema %d to %d: %s", *v, *v + 1, msg);
            }
            goto fail;
        }
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", *v + 1);
        if (exec(db, path, bump, err) != 0)
            goto fail;
        ++*v;
    }
    return exec(db, path, "COMMIT", err) == 0 ? 0 : (sqlite3_exec(db, "ROLLBACK", 0, 0, 0), -1);
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_migrate(sqlite3 *db, const char *path, int target, struct cw_err *err)
{
    int v;

    if (target < 0 || target > STORE_SCHEMA_VERSION)
        return cw_err_set(err, path, 0, NULL, "no schema version %d", target);
    if (store_read_user_version(db, path, &v, err) != 0)
        return -1;
    if (v > STORE_SCHEMA_VERSION)
        return cw_err_set(err, path, 0, NULL, "database schema %d is newer than this camwatch (%d)",
                          v, STORE_SCHEMA_VERSION);
    if (v > target)
        return cw_err_set(err, path, 0, NULL, "database schema %d is past %d", v, target);
    while (v < target)
        if (migrate_step(db, path, target, &v, err) != 0)
            return -1;
    return 0;
}
