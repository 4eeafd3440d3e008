/* store_migrate.c - the schema, as an ordered list of forward migration steps.
 * Step k takes a database from user_version k to k+1 and runs in its own
 * transaction with the version bump, so a crash leaves the file at a whole
 * version. Never edit a released step: add a new one and raise
 * STORE_SCHEMA_VERSION (tests/test_store.c migrates from every older version).
 *
 * States are stored as their lower-case names (util/state.h) and CHECKed, so
 * the sqlite3 shell shows what a person reads in the CLI. Times are UTC epoch
 * ms. Cameras, events and device changes are never deleted, nor clock readings
 * younger than a day, nor alerts: triggers refuse it. */
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

    /* 3 -> 4: ONVIF. device: one row per camera that had an ONVIF probe: that probe's
     * outcome, and the last facts read (a failed probe keeps them). device_endpoint and
     * device_profile: the current sets, replaced by each good probe (so deleted then). A
     * number or text the device did not give is NULL. device_change: the history of the
     * facts (a firmware change is an event), appended only.
     *
     * clock: every clock measurement, appended only, never thinned: an evidence export needs
     * the offset in force at the time of its footage, which may be a year old, and a camera's
     * offset jumps (NTP lost, clock set by hand, power cut without RTC) are what it must show.
     * The cost: at the default 10 min interval 144 rows per camera per day, 52,560 a year;
     * measured at about 58 bytes a row with the index (SQLite 3.40, 4 KiB pages, ids like
     * "CAH-0001", rows of 10,000 cameras interleaved as the daemon writes them), so about
     * 3 MB per camera per year and about 30 GB a year for 10,000 cameras, the largest table
     * by far. The index makes a camera's latest row and the row in force at a time one
     * B-tree search each, whatever the size. */
    "CREATE TABLE device ("
    "  camera_id TEXT PRIMARY KEY NOT NULL REFERENCES camera (id),"
    "  probed_ms INTEGER NOT NULL,"
    "  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
    "  error TEXT NOT NULL DEFAULT '',"
    "  facts_ms INTEGER," /* NULL until a probe read the facts */
    "  manufacturer TEXT,"
    "  model TEXT,"
    "  firmware TEXT,"
    "  serial TEXT,"
    "  hardware_id TEXT,"
    "  auth TEXT,"
    "  uri_note TEXT,"
    "  snapshot_path TEXT,"
    "  ntp INTEGER CHECK (ntp IN (0, 1))" /* of the last clock reading */
    ");"
    "CREATE TABLE device_endpoint ("
    "  camera_id TEXT NOT NULL REFERENCES device (camera_id),"
    "  service TEXT NOT NULL CHECK (service != ''),"
    "  url TEXT NOT NULL,"
    "  PRIMARY KEY (camera_id, service)"
    ");"
    "CREATE TABLE device_profile ("
    "  camera_id TEXT NOT NULL REFERENCES device (camera_id),"
    "  ord INTEGER NOT NULL CHECK (ord >= 0)," /* the order the device listed them */
    "  token TEXT,"
    "  name TEXT,"
    "  encoder_token TEXT,"
    "  encoding TEXT,"
    "  width INTEGER CHECK (width > 0),"
    "  height INTEGER CHECK (height > 0),"
    "  fps_limit REAL CHECK (fps_limit > 0),"
    "  bitrate_limit_kbps INTEGER CHECK (bitrate_limit_kbps > 0),"
    "  gov_length INTEGER CHECK (gov_length > 0),"
    "  stream_uri TEXT,"
    "  snapshot_uri TEXT,"
    "  streamed INTEGER NOT NULL DEFAULT 0 CHECK (streamed IN (0, 1)),"
    "  PRIMARY KEY (camera_id, ord)"
    ");"
    "CREATE TABLE device_change ("
    "  id INTEGER PRIMARY KEY,"
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  at_ms INTEGER NOT NULL,"
    "  field TEXT NOT NULL CHECK (field IN ('manufacturer', 'model', 'firmware', 'serial', "
    "'hardware_id')),"
    "  old_value TEXT NOT NULL,"
    "  new_value TEXT NOT NULL"
    ");"
    "CREATE INDEX device_change_camera_at ON device_change (camera_id, at_ms);"
    "CREATE TABLE clock ("
    "  id INTEGER PRIMARY KEY,"
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  at_ms INTEGER NOT NULL,"     /* our clock when measured */
    "  offset_ms INTEGER NOT NULL," /* device minus true time */
    "  error_ms INTEGER NOT NULL CHECK (error_ms >= 0),"
    "  ntp INTEGER NOT NULL CHECK (ntp IN (0, 1))"
    ");"
    "CREATE INDEX clock_camera_at ON clock (camera_id, at_ms);"
    "CREATE TRIGGER device_change_never_deleted BEFORE DELETE ON device_change"
    "  BEGIN SELECT RAISE(ABORT, 'device changes are never deleted'); END;"
    "CREATE TRIGGER device_change_never_changed BEFORE UPDATE ON device_change"
    "  BEGIN SELECT RAISE(ABORT, 'device changes are never changed'); END;"
    "CREATE TRIGGER clock_never_deleted BEFORE DELETE ON clock"
    "  BEGIN SELECT RAISE(ABORT, 'clock readings are never deleted'); END;"
    "CREATE TRIGGER clock_never_changed BEFORE UPDATE ON clock"
    "  BEGIN SELECT RAISE(ABORT, 'clock readings are never changed'); END;",

    /* 4 -> 5: clock readings thinned by retention (store_retention.c, [store] clock_days),
     * since keeping every one cost about 30 GB a year at 10,000 cameras. What an evidence export
     * needs stays: every reading further off than the clock limit, and the first of each hour,
     * so the offset in force at any time is known within the hour. The trigger now refuses only
     * deleting a reading younger than a day: a retention shorter than that is a mistake. */
    "DROP TRIGGER clock_never_deleted;"
    "CREATE TRIGGER clock_kept_a_day BEFORE DELETE ON clock"
    "  WHEN old.at_ms > (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000"
    "  BEGIN SELECT RAISE(ABORT, 'clock readings younger than a day are never deleted'); END;",

    /* 5 -> 6: what a verdict needs across restarts, so a restart or the next --once run
     * resumes where the last one stopped: health's run of verdicts of one kind (streak_kind
     * NULL: none), and the picture memory (the hash of the last picture, NULL when none; the
     * run of still samples showing it and when it began). The size the last sample decoded,
     * for a camera whose SDP gives none. Each sample's frame sizes, from which stillness is
     * judged (NULL when not measured). Cameras migrated start with no run, as after a
     * restart before this version. */
    "ALTER TABLE camera ADD COLUMN streak_kind TEXT "
    "CHECK (streak_kind IN ('ok', 'degraded', 'fail'));"
    "ALTER TABLE camera ADD COLUMN streak INTEGER NOT NULL DEFAULT 0 CHECK (streak >= 0);"
    "ALTER TABLE camera ADD COLUMN last_phash INTEGER;"
    "ALTER TABLE camera ADD COLUMN still_run INTEGER NOT NULL DEFAULT 0 CHECK (still_run >= 0);"
    "ALTER TABLE camera ADD COLUMN still_run_since_ms INTEGER;"
    "ALTER TABLE camera ADD COLUMN stream_width INTEGER;"
    "ALTER TABLE camera ADD COLUMN stream_height INTEGER;"
    "ALTER TABLE sample ADD COLUMN key_bytes REAL;"
    "ALTER TABLE sample ADD COLUMN inter_frames INTEGER;"
    "ALTER TABLE sample ADD COLUMN inter_bytes REAL;"
    "ALTER TABLE sample ADD COLUMN inter_min_bytes INTEGER;",
    /* 6 -> 7: footage, requests, the audit chain, and cameras by place.
     * recorder: each recorder's last scan. footage_dir: the folders a scan listed, with their
     * mtime (0: list again), so a rescan reads only folders that changed. segment: one row
     * per file (dir kind) or recording (remote kinds) as last seen; a file gone from the
     * recorder (overwritten) is deleted here too, and footage_retention keeps, at most hourly
     * per camera, how far back its footage reached, from which the pace of overwriting is
     * measured. footage_camera: per camera, its oldest and newest footage and its longest
     * segment (bounding the index search for segments that cover a time).
     * request and audit are appended only. audit rows are hash-chained: hash is the SHA-256
     * of the row's fields and prev_hash, the hash of the row before (store_audit.c).
     * camera_geo: an R*Tree of camera positions (a point each), keyed by camera_key, kept in
     * step with camera by triggers. */
    "CREATE TABLE recorder ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  scanned_ms INTEGER NOT NULL,"
    "  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
    "  error TEXT NOT NULL DEFAULT '',"
    "  ok_ms INTEGER" /* last good scan, NULL never */
    ");"
    "CREATE TABLE footage_dir ("
    "  recorder TEXT NOT NULL,"
    "  path TEXT NOT NULL," /* relative to the recorder's path; '' is the top */
    "  parent TEXT,"        /* NULL for the top */
    "  mtime_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (recorder, path)"
    ") WITHOUT ROWID;"
    "CREATE INDEX footage_dir_parent ON footage_dir (recorder, parent);"
    "CREATE TABLE segment ("
    "  id INTEGER PRIMARY KEY,"
    "  recorder TEXT NOT NULL,"
    "  dir TEXT NOT NULL,"  /* folder relative to the recorder's path; remote kinds: '' */
    "  file TEXT NOT NULL," /* name in dir; remote kinds: the recorder's id of the recording */
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  start_ms INTEGER NOT NULL,"
    "  end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),"
    "  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
    "  mtime_ns INTEGER NOT NULL,"
    "  container TEXT,"
    "  codec TEXT,"
    "  width INTEGER CHECK (width > 0),"
    "  height INTEGER CHECK (height > 0),"
    "  readable INTEGER NOT NULL CHECK (readable IN (0, 1)),"
    "  reason TEXT NOT NULL DEFAULT ''," /* why not readable */
    "  seen_ms INTEGER NOT NULL,"
    "  UNIQUE (recorder, dir, file)"
    ");"
    "CREATE INDEX segment_camera_start ON segment (camera_id, start_ms);"
    "CREATE TABLE footage_camera ("
    "  camera_id TEXT PRIMARY KEY NOT NULL REFERENCES camera (id),"
    "  oldest_ms INTEGER," /* the oldest readable footage, NULL when none */
    "  newest_ms INTEGER,"
    "  max_len_ms INTEGER NOT NULL DEFAULT 0,"
    "  updated_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE footage_retention ("
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  at_ms INTEGER NOT NULL,"
    "  oldest_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (camera_id, at_ms)"
    ") WITHOUT ROWID;"
    "CREATE TABLE request ("
    "  id INTEGER PRIMARY KEY,"
    "  created_ms INTEGER NOT NULL,"
    "  by TEXT NOT NULL CHECK (by != ''),"
    "  case_ref TEXT NOT NULL CHECK (case_ref != ''),"
    "  reason TEXT NOT NULL CHECK (reason != ''),"
    "  from_ms INTEGER NOT NULL,"
    "  to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),"
    "  place TEXT NOT NULL CHECK (place IN ('point', 'text', 'cameras')),"
    "  lat REAL CHECK (lat BETWEEN -90 AND 90),"
    "  lon REAL CHECK (lon BETWEEN -180 AND 180),"
    "  radius_m REAL CHECK (radius_m > 0),"
    "  place_text TEXT,"
    "  cameras TEXT" /* comma-separated ids */
    ");"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at_ms INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL"
    ");"
    "CREATE TRIGGER request_never_deleted BEFORE DELETE ON request"
    "  BEGIN SELECT RAISE(ABORT, 'requests are never deleted'); END;"
    "CREATE TRIGGER request_never_changed BEFORE UPDATE ON request"
    "  BEGIN SELECT RAISE(ABORT, 'requests are never changed'); END;"
    "CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;"
    "CREATE TRIGGER audit_never_changed BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are never changed'); END;"
    "CREATE TABLE camera_key ("
    "  key INTEGER PRIMARY KEY,"
    "  camera_id TEXT NOT NULL UNIQUE REFERENCES camera (id)"
    ");"
    "CREATE VIRTUAL TABLE camera_geo USING rtree(key, min_lat, max_lat, min_lon, max_lon);"
    "INSERT INTO camera_key (camera_id) SELECT id FROM camera ORDER BY id;"
    "INSERT INTO camera_geo SELECT k.key, c.lat, c.lat, c.lon, c.lon FROM camera AS c "
    "  JOIN camera_key AS k ON k.camera_id = c.id WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL;"
    "CREATE TRIGGER camera_key_new AFTER INSERT ON camera BEGIN"
    "  INSERT INTO camera_key (camera_id) VALUES (new.id);"
    "  INSERT INTO camera_geo SELECT key, new.lat, new.lat, new.lon, new.lon FROM camera_key"
    "    WHERE camera_id = new.id AND new.lat IS NOT NULL AND new.lon IS NOT NULL;"
    "  END;"
    "CREATE TRIGGER camera_geo_moved AFTER UPDATE OF lat, lon ON camera BEGIN"
    "  DELETE FROM camera_geo WHERE key = (SELECT key FROM camera_key WHERE camera_id = new.id);"
    "  INSERT INTO camera_geo SELECT key, new.lat, new.lat, new.lon, new.lon FROM camera_key"
    "    WHERE camera_id = new.id AND new.lat IS NOT NULL AND new.lon IS NOT NULL;"
    "  END;",
    /* 7 -> 8: tickets, the work field staff file for a camera (store_ticket.c). A ticket is
     * opened, then closed once; it is never deleted, and nothing but its closing is ever
     * written again. action is a name of enum cfg_action, checked by the caller (the list may
     * grow without a migration). cost_vnd NULL: the [costs] price of the action. The partial
     * index serves the backlog, which reads the open ones. */
    "CREATE TABLE ticket ("
    "  id INTEGER PRIMARY KEY,"
    "  camera_id TEXT NOT NULL REFERENCES camera (id),"
    "  action TEXT NOT NULL CHECK (action != ''),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  cost_vnd INTEGER CHECK (cost_vnd >= 0),"
    "  opened_ms INTEGER NOT NULL,"
    "  opened_by TEXT NOT NULL DEFAULT '',"
    "  closed_ms INTEGER,"
    "  closed_by TEXT,"
    "  close_note TEXT"
    ");"
    "CREATE INDEX ticket_open ON ticket (camera_id) WHERE closed_ms IS NULL;"
    "CREATE TRIGGER ticket_never_deleted BEFORE DELETE ON ticket"
    "  BEGIN SELECT RAISE(ABORT, 'tickets are closed, never deleted'); END;"
    "CREATE TRIGGER ticket_closed_once BEFORE UPDATE ON ticket"
    "  WHEN old.closed_ms IS NOT NULL OR new.closed_ms IS NULL OR new.id != old.id"
    "    OR new.camera_id != old.camera_id OR new.action != old.action OR new.note != old.note"
    "    OR new.cost_vnd IS NOT old.cost_vnd OR new.opened_ms != old.opened_ms"
    "    OR new.opened_by != old.opened_by"
    "  BEGIN SELECT RAISE(ABORT, 'a ticket is only ever closed, once'); END;",

    /* 8 -> 9: alerts. alert_cursor: the last event the alerting has read (one row, made by
     * its first start: the history before it is not alerted). alert_watch: per camera, the
     * damping of its changes (daemon/damp.c) and the reason of its last change, so a restart
     * goes on where it was. alert: each alert decided, with the JSON document sent (a
     * digest's figures are those of its day), appended only. alert_delivery: each alert's
     * sending to each configured target, the queue of the pending ones with their next
     * attempt. A target is kept as its origin ("https://host") and a key (a hash of its URL),
     * never as its URL: a webhook's path often is its secret. */
    "CREATE TABLE alert_cursor ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  event_id INTEGER NOT NULL"
    ");"
    "CREATE TABLE alert_watch ("
    "  camera_id TEXT PRIMARY KEY NOT NULL REFERENCES camera (id),"
    "  told TEXT NOT NULL CHECK (told IN ('unknown', 'up', 'degraded', 'down', 'maintenance')),"
    "  state TEXT NOT NULL CHECK (state IN ('unknown', 'up', 'degraded', 'down', "
    "'maintenance')),"
    "  state_ms INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL CHECK (pending IN (0, 1)),"
    "  run_ms INTEGER NOT NULL DEFAULT 0,"
    "  changes INTEGER NOT NULL DEFAULT 0 CHECK (changes >= 0),"
    "  flap_ms INTEGER NOT NULL DEFAULT 0,"
    "  flapping INTEGER NOT NULL DEFAULT 0 CHECK (flapping IN (0, 1)),"
    "  reason TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE TABLE alert ("
    "  id INTEGER PRIMARY KEY,"
    "  at_ms INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('change', 'flapping', 'settled', 'digest', 'test')),"
    "  camera_id TEXT REFERENCES camera (id),"
    "  from_state TEXT CHECK (from_state IS NULL OR from_state IN ('unknown', 'up', 'degraded', "
    "'down', 'maintenance')),"
    "  to_state TEXT CHECK (to_state IS NULL OR to_state IN ('unknown', 'up', 'degraded', "
    "'down', 'maintenance')),"
    "  since_ms INTEGER,"
    "  changes INTEGER NOT NULL DEFAULT 0,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  summary TEXT NOT NULL,"
    "  payload TEXT NOT NULL CHECK (json_valid(payload))"
    ");"
    "CREATE INDEX alert_at ON alert (at_ms);"
    "CREATE TABLE alert_delivery ("
    "  id INTEGER PRIMARY KEY,"
    "  alert_id INTEGER NOT NULL REFERENCES alert (id),"
    "  channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),"
    "  target_key TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', "
    "'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_ms INTEGER,"
    "  last_ms INTEGER,"
    "  error TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX alert_delivery_alert ON alert_delivery (alert_id);"
    "CREATE INDEX alert_delivery_pending ON alert_delivery (next_ms) "
    "WHERE status = 'pending';"
    "CREATE TRIGGER alert_never_deleted BEFORE DELETE ON alert"
    "  BEGIN SELECT RAISE(ABORT, 'alerts are never deleted'); END;"
    "CREATE TRIGGER alert_never_changed BEFORE UPDATE ON alert"
    "  BEGIN SELECT RAISE(ABORT, 'alerts are never changed'); END;",
    /* 9 -> 10: when a recorder's [recorder] section went from the conf (NULL while it is
     * configured): the index no longer speaks for its footage, which stays in the store and
     * speaks again when the section is back (store_sync_recorders). */
    "ALTER TABLE recorder ADD COLUMN removed_ms INTEGER;",
    /* 10 -> 11: the channel a Dahua NVR listed a segment on ('' for other kinds, and for rows
     * written before): its file paths do not say their channel, and the NVR is asked again
     * about the channels of the files it holds once the channel_map no longer names them. */
    "ALTER TABLE segment ADD COLUMN channel TEXT NOT NULL DEFAULT '';",
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
