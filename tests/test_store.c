/* test_store.c - the SQLite store (index/store*.c): open and pragmas, schema
 * migrations from every older version, inventory sync, transitions, probes,
 * maintenance, events, uptime, read-only use. Each test works in its own
 * temporary folder. The cfg is built by hand (a plain struct). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/store.h"
#include "../index/store_alert.h"
#include "../index/store_footage.h"
#include "../index/store_priv.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* a fixed "now", ms */
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)

struct fixture {
    char dir[64];
    char path[128]; /* dir/var/camwatch.db: the folder does not exist yet */
};

/* --- a hand-made inventory ------------------------------------------------------------------ */

struct fleet {
    struct cfg cfg;
    char (*ids)[32]; /* PREFIX-NNN: a prefix of up to 8 characters */
    char (*urls)[96];
};

static void fleet_make(struct fleet *f, size_t n, const char *prefix)
{
    memset(f, 0, sizeof(*f));
    f->cfg.cameras = calloc(n, sizeof(*f->cfg.cameras));
    f->ids = calloc(n, sizeof(*f->ids));
    f->urls = calloc(n, sizeof(*f->urls));
    assert_non_null(f->cfg.cameras);
    assert_non_null(f->ids);
    assert_non_null(f->urls);
    f->cfg.n_cameras = n;
    for (size_t i = 0; i < n; i++) {
        struct cfg_camera *c = &f->cfg.cameras[i];
        snprintf(f->ids[i], sizeof(f->ids[i]), "%.8s-%03zu", prefix, i + 1);
        snprintf(f->urls[i], sizeof(f->urls[i]), "rtsp://admin:secret@127.0.0.1:8554/cam%zu",
                 i + 1);
        c->id = f->ids[i];
        c->name = "Ngã ba Tân Dương";
        c->owner = "CAH";
        c->commune = "Tân Dương";
        c->road = "QL80";
        c->site_kind = CFG_SITE_DISTRICT;
        c->has_position = 1;
        c->lat = 10.2875;
        c->lon = 105.6531;
        c->rtsp_url = f->urls[i];
        c->line = (int)i + 2;
    }
}

static void fleet_free(struct fleet *f)
{
    free(f->cfg.cameras);
    free(f->ids);
    free(f->urls);
}

/* --- helpers -------------------------------------------------------------------------------- */

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (cwtest_tmpdir(fx->dir, sizeof(fx->dir), "store") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/var/camwatch.db", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static struct store *open_rw(const char *path)
{
    struct store *s = NULL;
    struct cw_err err = {0};

    if (store_open(path, STORE_READWRITE, &s, &err) != 0)
        fail_msg("store_open %s: %s", path, err.msg);
    return s;
}

static void raw_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void sync_ok(struct store *s, const struct fleet *f, int64_t now)
{
    struct cw_err err = {0};

    if (store_sync_cameras(s, &f->cfg, now, &err) != 0)
        fail_msg("sync: %s", err.msg);
}

static void transition_ok(struct store *s, const char *id, enum cw_state from, enum cw_state to,
                          int64_t at, const char *reason)
{
    struct cw_err err = {0};

    if (store_record_transition(s, id, from, to, at, reason, &err) != 0)
        fail_msg("transition %s: %s", id, err.msg);
}

static struct store_status status_of(struct store *s, const char *id)
{
    struct store_status st;
    struct cw_err err = {0};

    assert_int_equal(store_get_status(s, id, &st, &err), 0);
    return st;
}

static size_t count_events(struct store *s, const char *id, int64_t since)
{
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_list_events(s, id, since, &ev, &n, &err), 0);
    free(ev);
    return n;
}

/* A measured, healthy-looking sample of camera id at `at`, with these flags and reasons. */
static struct store_sample sample_make(const char *id, int64_t at, const char *flags,
                                       const char *reasons)
{
    struct store_sample smp;

    memset(&smp, 0, sizeof(smp));
    snprintf(smp.camera_id, sizeof(smp.camera_id), "%s", id);
    smp.at_ms = at;
    smp.count = 1;
    smp.ok = 1;
    snprintf(smp.codec, sizeof(smp.codec), "h264");
    smp.width = 1280;
    smp.height = 720;
    smp.fps = 25.0;
    smp.bitrate_kbps = 2000.0;
    smp.gop_frames = 50.0;
    smp.gop_s = 2.0;
    smp.first_key_ms = 120;
    smp.has_picture = 1;
    smp.luma_mean = 110.0;
    smp.luma_spread = 50.0;
    smp.sharpness = 300.0;
    smp.phash = 0x0123456789abcdefULL;
    smp.ref_distance = 3;
    snprintf(smp.flags, sizeof(smp.flags), "%s", flags);
    snprintf(smp.reasons, sizeof(smp.reasons), "%s", reasons);
    return smp;
}

static void record_ok(struct store *s, const char *id, int64_t at, const char *flags,
                      const char *reasons, const char *thumb)
{
    struct store_sample smp = sample_make(id, at, flags, reasons);
    struct cw_err err = {0};

    if (store_record_sample(s, &smp, thumb, &err) != 0)
        fail_msg("sample of %s: %s", id, err.msg);
}

static size_t list_samples(struct store *s, const char *id, int64_t since,
                           struct store_sample **out)
{
    size_t n = 0;
    struct cw_err err = {0};

    if (store_list_samples(s, id, since, out, &n, &err) != 0)
        fail_msg("samples of %s: %s", id, err.msg);
    return n;
}

/* After migrating from version k: what version 3 added is there (k = 3) or empty (k < 3). */
static void check_stream_facts_at_version(struct store *s, int k)
{
    struct store_status st = status_of(s, "OLD-1");
    struct store_sample *v = NULL;
    struct cw_err err = {0};
    uint64_t phash;
    int64_t at;
    int has;

    assert_int_equal(st.last_sample_ms, k >= 3 ? 7000 : 0);
    assert_true(st.stream_fps == (k >= 3 ? 24.5 : 0.0));
    assert_string_equal(st.flags, k >= 3 ? "low_bitrate" : "");
    assert_int_equal(store_get_reference(s, "OLD-1", &has, &phash, &at, &err), 0);
    assert_int_equal(has, k >= 3);
    assert_true(phash == (k >= 3 ? UINT64_MAX - 1 : 0)); /* -2 is the bits of 2^64 - 2 */
    assert_int_equal(list_samples(s, "OLD-1", 0, &v), k >= 3 ? 1 : 0);
    if (k >= 3)
        assert_string_equal(v[0].reasons, "bitrate 90 kbps below 256");
    free(v);
}

/* After migrating from version k: what version 4 added is there (k = 4) or absent (k < 4). */
/* Before version 6 a camera migrates with no run of verdicts and no picture memory, as a
 * restart of an older camwatchd left it; from 6 on what was written reads back. */
static void check_verdict_memory_at_version(struct store *s, int k)
{
    struct store_status st = status_of(s, "OLD-1");
    struct store_sample *v = NULL;

    assert_int_equal(st.streak_kind, k >= 6 ? STORE_STREAK_OK : STORE_STREAK_NONE);
    assert_int_equal(st.streak, k >= 6 ? 1 : 0);
    assert_int_equal(st.picture.has_last, k >= 6);
    assert_true(st.picture.last_phash == (k >= 6 ? UINT64_MAX - 2 : 0));
    assert_int_equal(st.picture.still_run, k >= 6 ? 2 : 0);
    assert_int_equal(st.picture.run_since_ms, k >= 6 ? 6500 : 0);
    assert_int_equal(st.stream_width, k >= 6 ? 1280 : 0);
    assert_int_equal(st.stream_height, k >= 6 ? 720 : 0);
    assert_int_equal(list_samples(s, "OLD-1", 0, &v), k >= 3 ? 1 : 0);
    if (k >= 3) {
        assert_true(v[0].key_bytes == (k >= 6 ? 75000 : 0));
        assert_int_equal(v[0].inter_frames, k >= 6 ? 119 : 0);
        assert_true(v[0].inter_bytes == (k >= 6 ? 17.1 : 0));
        assert_int_equal(v[0].inter_min_bytes, k >= 6 ? 17 : 0);
    }
    free(v);
}

static void check_device_facts_at_version(struct store *s, int k)
{
    struct store_device d;
    struct store_endpoint *ep = NULL;
    struct store_profile *pr = NULL;
    struct store_device_change *ch = NULL;
    struct store_clock c;
    size_t n_ep = 0, n_pr = 0, n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_get_device(s, "OLD-1", &d, &ep, &n_ep, &pr, &n_pr, &err),
                     k >= 4 ? 0 : 1);
    assert_int_equal(store_list_device_changes(s, "OLD-1", 0, &ch, &n, &err), 0);
    assert_int_equal(n, k >= 4 ? 1 : 0);
    assert_int_equal(store_clock_at(s, "OLD-1", 9000, &c, &err), k >= 4 ? 0 : 1);
    if (k >= 4) {
        assert_string_equal(d.firmware, "10.12.182");
        assert_string_equal(d.error, "timeout");
        assert_int_equal(d.facts_ms, 7500);
        assert_int_equal(d.clock_offset_ms, 83000);
        assert_int_equal(n_ep, 1);
        assert_string_equal(ep[0].url, "http://10.0.0.9/onvif/media_service");
        assert_int_equal(n_pr, 1);
        assert_int_equal(pr[0].width, 1920);
        assert_string_equal(ch[0].old_value, "10.9.4");
        assert_int_equal(c.error_ms, 12);
    }
    free(ep);
    free(pr);
    free(ch);
}

/* After migrating from version k: what version 7 added is there (k = 7) or absent (k < 7). */
static void check_footage_at_version(struct store *s, int k)
{
    struct store_segment_row *seg = NULL;
    struct store_request r;
    struct store_footage_camera fc;
    struct store_recorder *rec = NULL;
    size_t n = 0, nrec = 0;
    struct cw_err err = {0};

    assert_int_equal(store_footage_segments(s, "OLD-1", 0, 100000, &seg, &n, &err), 0);
    assert_int_equal(n, k >= 7 ? 1 : 0);
    assert_int_equal(store_request_get(s, 1, &r, &err), k >= 7 ? 0 : 1);
    assert_int_equal(store_footage_camera(s, "OLD-1", &fc, 10000, &err), k >= 7 ? 0 : 1);
    if (k >= 7) {
        assert_string_equal(seg[0].path, "OLD-1/0001.mp4");
        assert_int_equal(seg[0].end_ms, 68000);
        assert_string_equal(r.case_ref, "VV-01");
        assert_int_equal(r.scope.place, STORE_PLACE_CAMERAS);
        assert_int_equal(fc.oldest_ms, 8000);
        assert_true(fc.has_pace);
    }
    /* Its recorder stays configured through every migration; version 10 keeps when it went. */
    assert_int_equal(store_list_recorders(s, 0, &rec, &nrec, &err), 0);
    assert_int_equal(nrec, k >= 7 ? 1 : 0);
    if (k >= 7)
        assert_int_equal(rec[0].removed_ms, k >= 10 ? 9500 : 0);
    /* Version 11 keeps the channel a segment was listed on; before it, none. */
    if (k >= 7) {
        struct store_known_file *kf = NULL;
        size_t nk = 0;
        assert_int_equal(store_footage_files(s, "nvr", "OLD-1", &kf, &nk, &err), 0);
        assert_int_equal(nk, 1);
        assert_string_equal(kf[0].channel, k >= 11 ? "3" : "");
        free(kf);
    }
    free(rec);
    free(seg);
}

/* Cameras of every version are in the R*Tree: old ones by the migration, new ones (the NEW
 * fleet just synced, at 10.2875, 105.6531) by the triggers. */
static void check_places_after_migration(struct store *s, int k)
{
    struct store_place *p = NULL;
    double *d = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_places_near(s, 10.2875, 105.6531, 50, &p, &d, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].id, "NEW-001");
    assert_true(d[0] < 1.0);
    free(p);
    free(d);
    /* OLD-1 at 10.29, 105.66 (v7 only): about 780 m east-north-east. */
    assert_int_equal(store_places_near(s, 10.2875, 105.6531, 1000, &p, &d, &n, &err), 0);
    assert_int_equal(n, k >= 7 ? 3 : 2);
    if (k >= 7) {
        assert_string_equal(p[2].id, "OLD-1");
        assert_true(d[2] > 700 && d[2] < 850);
    }
    free(p);
    free(d);
}

/* After migrating from version k: the ticket version 8 added is there (k = 8), or none. */
static void check_tickets_at_version(struct store *s, int k)
{
    struct store_ticket *t = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_list_tickets(s, NULL, 1, &t, &n, &err), 0);
    assert_int_equal(n, k >= 8 ? 1 : 0);
    if (k >= 8) {
        assert_string_equal(t[0].action, "replace_camera");
        assert_string_equal(t[0].note, "Ống kính vỡ");
        assert_int_equal(t[0].cost_vnd, 4500000);
        assert_int_equal(t[0].opened_ms, 8500);
    }
    free(t);
}

/* After migrating from version k: what version 9 added is there (k = 9) or empty (k < 9). */
static void check_alerts_at_version(struct store *s, int k)
{
    struct store_delivery *d = NULL;
    struct store_alert_watch *w = NULL;
    struct cw_err err = {0};
    int64_t cursor;
    size_t n = 0, m = 0;
    int has;

    assert_int_equal(store_alert_cursor(s, &has, &cursor, &err), 0);
    assert_int_equal(has, k >= 9);
    assert_int_equal(store_deliveries_pending(s, &d, &n, &err), 0);
    assert_int_equal(n, k >= 9 ? 1 : 0);
    assert_int_equal(store_alert_watches(s, &w, &m, &err), 0);
    assert_int_equal(m, k >= 9 ? 1 : 0);
    if (k >= 9) {
        assert_int_equal(d[0].alert_at_ms, 9000);
        assert_int_equal(w[0].state, CW_DOWN);
    }
    free(d);
    free(w);
}

/* --- open, pragmas, schema ------------------------------------------------------------------ */

static void test_open_creates_folder_and_wal_database(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct stat sb;
    char mode[16];
    sqlite3 *db;

    assert_int_equal(stat(fx->path, &sb), 0);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    db = raw_open(fx->path);
    raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
    assert_string_equal(mode, "wal");
    assert_int_equal(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    sqlite3_close(db);

    /* The connection's own settings. */
    assert_int_equal(raw_int(s->db, "PRAGMA foreign_keys"), 1);
    /* The busy timeout is the store's own handler's (store_set_busy_timeout); PRAGMA
     * busy_timeout reads 0. test_store_busy.c pins that its sleeps add up to it. */
    assert_int_equal(s->busy_ms, 5000);
    assert_int_equal(raw_int(s->db, "PRAGMA synchronous"), 1); /* NORMAL */
    store_close(s);
}

static void test_newer_schema_is_refused_with_both_versions(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    char want[128];
    sqlite3 *db;

    store_close(s);
    db = raw_open(fx->path);
    snprintf(want, sizeof(want), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
    assert_int_equal(sqlite3_exec(db, want, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(want, sizeof(want), "database schema %d is newer than this camwatch (%d)",
             STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
    s = (struct store *)1;
    assert_int_equal(store_open(fx->path, STORE_READWRITE, &s, &err), -1);
    assert_null(s);
    assert_string_equal(err.msg, want);
    assert_int_equal(store_open(fx->path, STORE_READONLY, &s, &err), -1);
    assert_string_equal(err.msg, want);
}

/* Version 4's rows: what version 3 had, plus ONVIF: a device row (its last probe failed), an
 * endpoint, a profile, a firmware change and a clock reading. */
#define FILL_V4                                                                                    \
    "INSERT INTO camera (id, name, owner, site_kind, rtsp_url, created_ms, state, since_ms, "      \
    "reason, last_probe_ms, latency_ms, last_sample_ms, stream_fps, flags, has_reference, "        \
    "reference_phash, reference_at_ms) VALUES ('OLD-1', 'Chợ Lai Vung', 'BQLC', 'market', "      \
    "'rtsp://10.0.0.9/s', 1000, 'down', 5000, 'timeout', 6000, 33, 7000, 24.5, 'low_bitrate', "    \
    "1, -2, 4000);"                                                                                \
    "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) VALUES "                   \
    "('OLD-1', 5000, 'unknown', 'down', 'timeout');"                                               \
    "INSERT INTO sample (camera_id, at_ms, ok, fps, flags, reasons) VALUES "                       \
    "('OLD-1', 7000, 1, 24.5, 'low_bitrate', 'bitrate 90 kbps below 256');"                        \
    "INSERT INTO device (camera_id, probed_ms, ok, error, facts_ms, manufacturer, model, "         \
    "firmware, serial, auth, ntp) VALUES ('OLD-1', 8000, 0, 'timeout', 7500, 'AXIS', 'P1375', "    \
    "'10.12.182', 'ACCC8E000001', 'digest', 1);"                                                   \
    "INSERT INTO device_endpoint (camera_id, service, url) VALUES "                                \
    "('OLD-1', 'media', 'http://10.0.0.9/onvif/media_service');"                                   \
    "INSERT INTO device_profile (camera_id, ord, token, encoding, width, height) VALUES "          \
    "('OLD-1', 0, 'profile_1_h264', 'h264', 1920, 1080);"                                          \
    "INSERT INTO device_change (camera_id, at_ms, field, old_value, new_value) VALUES "            \
    "('OLD-1', 7500, 'firmware', '10.9.4', '10.12.182');"                                          \
    "INSERT INTO clock (camera_id, at_ms, offset_ms, error_ms, ntp) VALUES "                       \
    "('OLD-1', 8000, 83000, 12, 1);"

#define FILL_V6                                                                                    \
    "INSERT INTO camera (id, name, owner, site_kind, rtsp_url, created_ms, state, since_ms, "      \
    "reason, last_probe_ms, latency_ms, last_sample_ms, stream_fps, flags, has_reference, "        \
    "reference_phash, reference_at_ms, streak_kind, streak, last_phash, still_run, "               \
    "still_run_since_ms, stream_width, stream_height) VALUES ('OLD-1', 'Chợ Lai Vung', 'BQLC', " \
    "'market', 'rtsp://10.0.0.9/s', 1000, 'down', 5000, 'timeout', 6000, 33, 7000, 24.5, "         \
    "'low_bitrate', 1, -2, 4000, 'ok', 1, -3, 2, 6500, 1280, 720);"                                \
    "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) VALUES "                   \
    "('OLD-1', 5000, 'unknown', 'down', 'timeout');"                                               \
    "INSERT INTO sample (camera_id, at_ms, ok, fps, flags, reasons, key_bytes, inter_frames, "     \
    "inter_bytes, inter_min_bytes) VALUES ('OLD-1', 7000, 1, 24.5, 'low_bitrate', "                \
    "'bitrate 90 kbps below 256', 75000, 119, 17.1, 17);"                                          \
    "INSERT INTO device (camera_id, probed_ms, ok, error, facts_ms, manufacturer, model, "         \
    "firmware, serial, auth, ntp) VALUES ('OLD-1', 8000, 0, 'timeout', 7500, 'AXIS', 'P1375', "    \
    "'10.12.182', 'ACCC8E000001', 'digest', 1);"                                                   \
    "INSERT INTO device_endpoint (camera_id, service, url) VALUES "                                \
    "('OLD-1', 'media', 'http://10.0.0.9/onvif/media_service');"                                   \
    "INSERT INTO device_profile (camera_id, ord, token, encoding, width, height) VALUES "          \
    "('OLD-1', 0, 'profile_1_h264', 'h264', 1920, 1080);"                                          \
    "INSERT INTO device_change (camera_id, at_ms, field, old_value, new_value) VALUES "            \
    "('OLD-1', 7500, 'firmware', '10.9.4', '10.12.182');"                                          \
    "INSERT INTO clock (camera_id, at_ms, offset_ms, error_ms, ntp) VALUES "                       \
    "('OLD-1', 8000, 83000, 12, 1);"

#define FILL_V7                                                                                    \
    FILL_V6                                                                                        \
    "UPDATE camera SET lat = 10.29, lon = 105.66 WHERE id = 'OLD-1';"                              \
    "INSERT INTO segment (recorder, dir, file, camera_id, start_ms, end_ms, bytes, mtime_ns, "     \
    "codec, readable, seen_ms) VALUES ('nvr', 'OLD-1', '0001.mp4', 'OLD-1', 8000, 68000, 1000, "   \
    "1, 'h264', 1, 9000);"                                                                         \
    "INSERT INTO footage_camera (camera_id, oldest_ms, newest_ms, max_len_ms, updated_ms) "        \
    "VALUES ('OLD-1', 8000, 68000, 60000, 9000);"                                                  \
    "INSERT INTO footage_retention (camera_id, at_ms, oldest_ms) VALUES ('OLD-1', 9000, 8000);"    \
    "INSERT INTO recorder (name, kind, scanned_ms, ok, ok_ms) VALUES ('nvr', 'dir', 9000, 1, "     \
    "9000);"                                                                                       \
    "INSERT INTO request (created_ms, by, case_ref, reason, from_ms, to_ms, place, cameras) "      \
    "VALUES (9500, 'Lê Văn A', 'VV-01', 'trộm xe', 8000, 20000, 'cameras', 'OLD-1');"          \
    "INSERT INTO audit (at_ms, actor, action, subject, detail, prev_hash, hash) VALUES (9500, "    \
    "'Lê Văn A', 'request.create', 'request 1', '', '0', '0');"

#define FILL_V8                                                                                    \
    FILL_V7                                                                                        \
    "INSERT INTO ticket (camera_id, action, note, cost_vnd, opened_ms, opened_by) VALUES "         \
    "('OLD-1', 'replace_camera', 'Ống kính vỡ', 4500000, 8500, 'kt.vien');"

/* Rows put into a database at each version, with SQL of that version only. The last row is at
 * the current version (opening it must change nothing); adding a schema version means adding
 * its row here (the assert below will say so). */
#define FILL_V9                                                                                    \
    FILL_V8                                                                                        \
    "INSERT INTO alert_cursor (id, event_id) VALUES (1, 1);"                                       \
    "INSERT INTO alert_watch (camera_id, told, state, state_ms, pending, run_ms, changes) "        \
    "VALUES ('OLD-1', 'up', 'down', 5000, 1, 5000, 1);"                                            \
    "INSERT INTO alert (at_ms, kind, camera_id, from_state, to_state, since_ms, changes, reason, " \
    "summary, payload) VALUES (9000, 'change', 'OLD-1', 'up', 'down', 5000, 1, 'timeout', "        \
    "'OLD-1: up -> down', '{}');"                                                                  \
    "INSERT INTO alert_delivery (alert_id, channel, target_key, target, status, next_ms) VALUES "  \
    "(1, 'webhook', 'k', 'http://10.0.0.1', 'pending', 9000);"

static const char *const fill_at_version[] = {
    /* 0: an empty file */
    NULL,
    /* 1: a camera, down with a reason, and its event */
    "INSERT INTO camera (id, name, owner, site_kind, rtsp_url, created_ms, state, since_ms, "
    "reason) VALUES ('OLD-1', 'Chợ Lai Vung', 'BQLC', 'market', 'rtsp://10.0.0.9/s', 1000, "
    "'down', 5000, 'timeout');"
    "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) VALUES "
    "('OLD-1', 5000, 'unknown', 'down', 'timeout');",
    /* 2: the same plus the last probe's facts */
    "INSERT INTO camera (id, name, owner, site_kind, rtsp_url, created_ms, state, since_ms, "
    "reason, last_probe_ms, latency_ms) VALUES ('OLD-1', 'Chợ Lai Vung', 'BQLC', 'market', "
    "'rtsp://10.0.0.9/s', 1000, 'down', 5000, 'timeout', 6000, 33);"
    "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) VALUES "
    "('OLD-1', 5000, 'unknown', 'down', 'timeout');",
    /* 3: the same plus a stream sample, the camera's latest stream facts and a reference */
    "INSERT INTO camera (id, name, owner, site_kind, rtsp_url, created_ms, state, since_ms, "
    "reason, last_probe_ms, latency_ms, last_sample_ms, stream_fps, flags, has_reference, "
    "reference_phash, reference_at_ms) VALUES ('OLD-1', 'Chợ Lai Vung', 'BQLC', 'market', "
    "'rtsp://10.0.0.9/s', 1000, 'down', 5000, 'timeout', 6000, 33, 7000, 24.5, 'low_bitrate', "
    "1, -2, 4000);"
    "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) VALUES "
    "('OLD-1', 5000, 'unknown', 'down', 'timeout');"
    "INSERT INTO sample (camera_id, at_ms, ok, fps, flags, reasons) VALUES "
    "('OLD-1', 7000, 1, 24.5, 'low_bitrate', 'bitrate 90 kbps below 256');",
    /* 4: the same plus ONVIF: a device row (its last probe failed), an endpoint, a profile,
     * a firmware change and a clock reading */
    FILL_V4,
    /* 5: the same rows (5 changed a trigger only) */
    FILL_V4,
    /* 6: the same plus what a verdict needs across restarts (one good answer of a down
     * camera, the picture memory of two still samples), the size the sample decoded and the
     * sample's frame sizes */
    FILL_V6,
    /* 7: the same plus footage: a segment, the camera's summary and a retention note, a
     * recorder's scan, a request and its audit row */
    FILL_V7,
    /* 8: the same plus an open ticket with its own cost */
    FILL_V8,
    /* 9: the same plus alerts: the cursor, a camera's damping, an alert and its pending
     * delivery */
    FILL_V9,
    /* 10: the same; the recorder is no longer configured */
    FILL_V9 "UPDATE recorder SET removed_ms = 9500;",
    /* 11: the same; the segment says the channel it was listed on */
    FILL_V9 "UPDATE recorder SET removed_ms = 9500; UPDATE segment SET channel = '3';",
};
_Static_assert(sizeof(fill_at_version) / sizeof(fill_at_version[0]) == STORE_SCHEMA_VERSION + 1,
               "add a fill_at_version row for the new schema version");

static void test_migrates_from_every_older_version_keeping_rows(void **state)
{
    struct fixture *fx = *state;

    for (int k = 0; k <= STORE_SCHEMA_VERSION; k++) {
        char path[160];
        struct cw_err err = {0};
        struct store *s;
        sqlite3 *db = NULL;

        snprintf(path, sizeof(path), "%s/v%d.db", fx->dir, k);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        if (store_migrate(db, path, k, &err) != 0)
            fail_msg("build v%d: %s", k, err.msg);
        assert_int_equal(raw_int(db, "PRAGMA user_version"), k);
        /* A version that added no table fills as the one before it. */
        const char *fill = fill_at_version[k];
        if (fill != NULL && sqlite3_exec(db, fill, NULL, NULL, NULL) != SQLITE_OK)
            fail_msg("fill v%d: %s", k, sqlite3_errmsg(db));
        sqlite3_close(db);

        s = open_rw(path);
        assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
        if (k >= 1) {
            struct store_status st = status_of(s, "OLD-1");
            assert_int_equal(st.state, CW_DOWN);
            assert_int_equal(st.since_ms, 5000);
            assert_string_equal(st.reason, "timeout");
            assert_string_equal(st.name, "Chợ Lai Vung");
            assert_int_equal(count_events(s, "OLD-1", 0), 1);
            assert_int_equal(st.latency_ms, k >= 2 ? 33 : -1);
            assert_int_equal(st.last_probe_ms, k >= 2 ? 6000 : 0);
            check_stream_facts_at_version(s, k);
            check_device_facts_at_version(s, k);
            check_verdict_memory_at_version(s, k);
            check_footage_at_version(s, k);
            check_tickets_at_version(s, k);
            check_alerts_at_version(s, k);
        }
        /* The migrated file works like a new one. */
        struct fleet f;
        fleet_make(&f, 2, "NEW");
        sync_ok(s, &f, T0);
        transition_ok(s, "NEW-001", CW_UNKNOWN, CW_UP, T0 + 1, "");
        assert_int_equal(status_of(s, "NEW-001").state, CW_UP);
        record_ok(s, "NEW-001", T0 + 2, "", "", NULL);
        assert_int_equal(status_of(s, "NEW-001").last_sample_ms, T0 + 2);
        struct store_device d = {.camera_id = "NEW-001",
                                 .probed_ms = T0 + 3,
                                 .ok = 1,
                                 .firmware = "V1",
                                 .has_clock = 1,
                                 .clock_at_ms = T0 + 3,
                                 .clock_offset_ms = -40};
        struct store_device got;
        assert_int_equal(store_record_device(s, &d, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
        assert_int_equal(store_get_device(s, "NEW-001", &got, NULL, NULL, NULL, NULL, &err), 0);
        assert_string_equal(got.firmware, "V1");
        assert_int_equal(got.clock_offset_ms, -40);
        check_places_after_migration(s, k);
        fleet_free(&f);
        store_close(s);
    }
}

static void test_open_twice_does_not_migrate_again(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    store_close(s);
    s = open_rw(fx->path);
    assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
    assert_int_equal(status_of(s, "CAH-001").since_ms, T0);
    store_close(s);
    fleet_free(&f);
}

/* --- read-only use -------------------------------------------------------------------------- */

/* [store] database naming some other file: said plainly, and the file left as it was. */
static void test_a_file_that_is_not_a_database_is_named_and_left_alone(void **state)
{
    struct fixture *fx = *state;
    static const char text[] = "this is the district's camera list, not a database\n";
    enum store_mode modes[] = {STORE_READWRITE, STORE_READONLY};
    struct store *s = NULL;
    struct cw_err err = {0};
    char back[sizeof(text) + 16] = "", dir[sizeof(fx->dir) + 8];
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/var", fx->dir);
    assert_int_equal(mkdir(dir, 0750), 0);
    assert_non_null(f = fopen(fx->path, "w"));
    fputs(text, f);
    fclose(f);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(store_open(fx->path, modes[i], &s, &err), -1);
        assert_null(s);
        assert_string_equal(err.file, fx->path);
        assert_string_equal(err.msg,
                            "not an SQLite database (is [store] database the right file?)");
    }
    f = fopen(fx->path, "r");
    assert_non_null(f);
    assert_non_null(fgets(back, sizeof(back), f));
    fclose(f);
    assert_string_equal(back, text);
}

static void test_readonly_refuses_missing_file_and_creates_nothing(void **state)
{
    struct fixture *fx = *state;
    struct store *s = NULL;
    struct cw_err err = {0};
    struct stat sb;

    assert_int_equal(store_open(fx->path, STORE_READONLY, &s, &err), -1);
    assert_null(s);
    assert_non_null(strstr(err.msg, "start camwatchd"));
    assert_string_equal(err.file, fx->path);
    assert_int_equal(stat(fx->path, &sb), -1);
}

/* A store of f's three cameras (f made here, caller frees), opened READONLY and read once. */
static struct store *three_cameras_readonly(struct fixture *fx, struct fleet *f)
{
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct store_status *list = NULL;
    size_t n = 0;

    fleet_make(f, 3, "CAH");
    sync_ok(s, f, T0);
    store_close(s);
    assert_int_equal(store_open(fx->path, STORE_READONLY, &s, &err), 0);
    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    free(list);
    return s;
}

static void test_readonly_refuses_writes(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct fleet f;
    struct store *s = three_cameras_readonly(fx, &f);

    assert_int_equal(store_begin(s, &err), -1);
    assert_int_equal(store_record_transition(s, "CAH-001", CW_UNKNOWN, CW_UP, T0, "", &err), -1);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, "x", T0, &err), -1);
    assert_int_equal(store_sync_cameras(s, &f.cfg, T0 + 1, &err), -1);
    assert_int_equal(status_of(s, "CAH-001").state, CW_UNKNOWN);
    store_close(s);
    fleet_free(&f);
}

/* store_interrupt (a stop that must not wait on a long read): every statement on the
 * connection fails from then on, "interrupted", a read begun after it too, where
 * sqlite3_interrupt alone is a no-op when no statement runs (and a read of several statements
 * has moments between them); another connection reads on. An interrupted write batch is rolled
 * back whole, and the connection still closes. */
static void test_an_interrupted_connection_fails_every_later_statement(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct store_status *list = NULL;
    size_t n = 0;
    struct fleet f;
    struct store *s = three_cameras_readonly(fx, &f), *other;

    assert_int_equal(store_open(fx->path, STORE_READONLY, &other, &err), 0);
    store_interrupt(s);
    for (int i = 0; i < 2; i++) {
        list = NULL;
        assert_int_equal(store_list_status(s, &list, &n, &err), -1);
        assert_null(list);
        assert_non_null(strstr(err.msg, "interrupted"));
    }
    assert_int_equal(store_list_status(other, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    free(list);
    store_close(s);
    store_close(other);

    s = open_rw(fx->path);
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(store_record_transition(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "", &err), 0);
    store_interrupt(s);
    assert_int_equal(store_commit(s, &err), -1);
    store_close(s);
    s = open_rw(fx->path);
    assert_int_equal(status_of(s, "CAH-001").state, CW_UNKNOWN);
    store_close(s);
    fleet_free(&f);
}

static void test_readonly_refuses_older_schema_and_says_to_start_daemon(void **state)
{
    struct fixture *fx = *state;
    char path[160];
    struct cw_err err = {0};
    struct store *s = NULL;
    sqlite3 *db = NULL;

    snprintf(path, sizeof(path), "%s/old.db", fx->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(store_migrate(db, path, STORE_SCHEMA_VERSION - 1, &err), 0);
    sqlite3_close(db);
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), -1);
    assert_non_null(strstr(err.msg, "older"));
    assert_non_null(strstr(err.msg, "start camwatchd"));
}

/* --- inventory sync ------------------------------------------------------------------------- */

static void test_sync_inserts_new_cameras_unknown_since_now(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_status *list = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    char url[128];
    sqlite3 *db;

    fleet_make(&f, 3, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].id, "CAH-001");
    assert_string_equal(list[2].id, "CAH-003");
    assert_int_equal(list[1].state, CW_UNKNOWN);
    assert_int_equal(list[1].since_ms, T0);
    assert_string_equal(list[1].owner, "CAH");
    assert_string_equal(list[1].commune, "Tân Dương");
    assert_int_equal(list[1].latency_ms, -1);
    assert_int_equal(list[1].last_probe_ms, 0);
    free(list);
    assert_int_equal(count_events(s, NULL, 0), 0);

    db = raw_open(fx->path);
    raw_text(db, "SELECT rtsp_url FROM camera WHERE id = 'CAH-001'", url, sizeof(url));
    assert_string_equal(url, "rtsp://127.0.0.1:8554/cam1");
    assert_int_equal(raw_int(db, "SELECT created_ms FROM camera WHERE id = 'CAH-002'"), T0);
    sqlite3_close(db);
    store_close(s);
    fleet_free(&f);
}

static void test_sync_updates_changed_fields_and_keeps_state(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct fleet f;
    struct store_status st;
    sqlite3 *db;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-002", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    f.cfg.cameras[1].name = "Cầu Lai Vung";
    f.cfg.cameras[1].has_position = 0;
    sync_ok(s, &f, T0 + HOUR);

    st = status_of(s, "CAH-002");
    assert_string_equal(st.name, "Cầu Lai Vung");
    assert_int_equal(st.state, CW_UP);
    assert_int_equal(st.since_ms, T0 + MIN);
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT created_ms FROM camera WHERE id = 'CAH-002'"), T0);
    assert_int_equal(raw_int(db, "SELECT lat IS NULL FROM camera WHERE id = 'CAH-002'"), 1);
    assert_int_equal(raw_int(db, "SELECT lat IS NULL FROM camera WHERE id = 'CAH-001'"), 0);
    sqlite3_close(db);
    store_close(s);
    fleet_free(&f);
}

static void test_sync_retires_missing_camera_and_keeps_its_history(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_status *list = NULL;
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;

    fleet_make(&f, 3, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-003", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    transition_ok(s, "CAH-003", CW_UP, CW_DOWN, T0 + 2 * MIN, "timeout");
    f.cfg.n_cameras = 2; /* CAH-003 leaves the inventory */
    sync_ok(s, &f, T0 + HOUR);

    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].id, "CAH-002");
    free(list);
    st = status_of(s, "CAH-003");
    assert_int_equal(st.retired, 1);
    assert_int_equal(st.state, CW_UNKNOWN);
    assert_string_equal(st.reason, "removed from inventory");

    assert_int_equal(store_list_events(s, "CAH-003", 0, &ev, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ev[1].to, CW_DOWN);
    assert_string_equal(ev[1].reason, "timeout");
    assert_int_equal(ev[2].from, CW_DOWN);
    assert_int_equal(ev[2].to, CW_UNKNOWN);
    assert_int_equal(ev[2].at_ms, T0 + HOUR);
    free(ev);

    /* A second sync without it changes nothing more. */
    sync_ok(s, &f, T0 + 2 * HOUR);
    assert_int_equal(count_events(s, "CAH-003", 0), 3);
    store_close(s);
    fleet_free(&f);
}

static void test_sync_unretires_camera_that_comes_back(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_status *list = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;
    sqlite3 *db;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    f.cfg.n_cameras = 1;
    sync_ok(s, &f, T0 + HOUR);
    f.cfg.n_cameras = 2;
    sync_ok(s, &f, T0 + 2 * HOUR);

    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    free(list);
    st = status_of(s, "CAH-002");
    assert_int_equal(st.retired, 0);
    assert_int_equal(st.state, CW_UNKNOWN);
    assert_string_equal(st.reason, "back in inventory");
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT created_ms FROM camera WHERE id = 'CAH-002'"), T0);
    sqlite3_close(db);
    store_close(s);
    fleet_free(&f);
}

static void test_cameras_and_events_cannot_be_deleted(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct fleet f;
    sqlite3 *db;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "");
    db = raw_open(fx->path);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM camera", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE camera SET state = 'sideways'", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(count_events(s, NULL, 0), 1);
    store_close(s);
    fleet_free(&f);
}

/* --- transitions, probes, restart ----------------------------------------------------------- */

static void test_transition_writes_event_and_current_state(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + MIN, "connection refused");
    st = status_of(s, "CAH-001");
    assert_int_equal(st.state, CW_DOWN);
    assert_int_equal(st.since_ms, T0 + MIN);
    assert_string_equal(st.reason, "connection refused");
    assert_int_equal(status_of(s, "CAH-002").state, CW_UNKNOWN);

    assert_int_equal(store_list_events(s, NULL, 0, &ev, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].camera_id, "CAH-001");
    assert_int_equal(ev[0].from, CW_UNKNOWN);
    assert_int_equal(ev[0].to, CW_DOWN);
    assert_int_equal(ev[0].at_ms, T0 + MIN);
    free(ev);

    assert_int_equal(store_record_transition(s, "NOPE", CW_UNKNOWN, CW_UP, T0, "", &err), 1);
    assert_int_equal(count_events(s, NULL, 0), 1);
    store_close(s);
    fleet_free(&f);
}

static void test_probe_facts_are_kept_and_replaced(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;
    struct store_probe ok = {"CAH-001", T0 + 1000, 1,    42,   200,   "h264",
                             1920,      1080,      25.0, NULL, CW_UP, STORE_STREAK_NONE,
                             0};
    struct store_probe bad = {"CAH-001",  T0 + 2000,         0, -1, 0, NULL, 0, 0, 0, NULL,
                              CW_UNKNOWN, STORE_STREAK_NONE, 0};
    sqlite3 *db;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_record_probe(s, &ok, &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.last_probe_ms, T0 + 1000);
    assert_int_equal(st.latency_ms, 42);
    assert_int_equal(st.rtsp_status, 200);
    assert_string_equal(st.codec, "h264");
    assert_int_equal(st.width, 1920);
    assert_int_equal(st.height, 1080);
    assert_true(st.fps == 25.0);

    assert_int_equal(store_record_probe(s, &bad, &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.last_probe_ms, T0 + 2000);
    assert_int_equal(st.latency_ms, -1);
    assert_string_equal(st.codec, "");
    assert_int_equal(st.width, 0);
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT last_ok_ms FROM camera"), T0 + 1000);
    sqlite3_close(db);

    bad.camera_id = "NOPE";
    assert_int_equal(store_record_probe(s, &bad, &err), 1);
    store_close(s);
    fleet_free(&f);
}

static void test_transition_is_refused_when_another_connection_moved_the_camera(void **state)
{
    struct fixture *fx = *state;
    struct store *daemon = open_rw(fx->path), *cli;
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(daemon, &f, T0);
    transition_ok(daemon, "CAH-001", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    cli = open_rw(fx->path);
    assert_int_equal(store_set_maintenance(cli, "CAH-001", 1, "lens swap", T0 + 2 * MIN, &err), 0);
    store_close(cli);
    /* The daemon still believes UP and sees the camera fail: its write must not undo the
     * acknowledgement. */
    assert_int_equal(store_record_transition(daemon, "CAH-001", CW_UP, CW_DOWN, T0 + 3 * MIN,
                                             "timeout after 3 failures", &err),
                     1);
    assert_int_equal(status_of(daemon, "CAH-001").state, CW_MAINTENANCE);
    assert_string_equal(status_of(daemon, "CAH-001").reason, "maintenance: lens swap");
    assert_int_equal(count_events(daemon, "CAH-001", 0), 2);
    store_close(daemon);
    fleet_free(&f);
}

static void test_probe_updates_reason_only_while_state_holds(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;
    struct store_probe p = {"CAH-001", T0 + 5 * MIN,      0, -1, 0, NULL, 0, 0, 0, "not found",
                            CW_DOWN,   STORE_STREAK_NONE, 0};

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + MIN, "timeout");
    assert_int_equal(store_record_probe(s, &p, &err), 0);
    assert_string_equal(status_of(s, "CAH-001").reason, "not found");
    assert_int_equal(status_of(s, "CAH-001").since_ms, T0 + MIN);
    p.reason = "connection refused";
    p.state = CW_UP; /* the store holds DOWN: a stale belief must not write */
    assert_int_equal(store_record_probe(s, &p, &err), 0);
    assert_string_equal(status_of(s, "CAH-001").reason, "not found");
    store_close(s);
    fleet_free(&f);
}

static void test_restart_resumes_state_since_and_facts(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;
    struct store_probe p = {"CAH-002", T0 + 3 * MIN, 1,    120,  200,   "h265",
                            2560,      1440,         15.0, NULL, CW_UP, STORE_STREAK_NONE,
                            0};

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-002", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    transition_ok(s, "CAH-002", CW_UP, CW_DEGRADED, T0 + 3 * MIN, "slow answer (120 ms)");
    assert_int_equal(store_record_probe(s, &p, &err), 0);
    store_close(s);

    s = open_rw(fx->path);
    sync_ok(s, &f, T0 + HOUR); /* the daemon syncs again at start: state must survive it */
    st = status_of(s, "CAH-002");
    assert_int_equal(st.state, CW_DEGRADED);
    assert_int_equal(st.since_ms, T0 + 3 * MIN);
    assert_string_equal(st.reason, "slow answer (120 ms)");
    assert_string_equal(st.codec, "h265");
    assert_int_equal(st.height, 1440);
    assert_int_equal(status_of(s, "CAH-001").since_ms, T0);
    store_close(s);
    fleet_free(&f);
}

static void test_ten_thousand_probes_in_one_batch(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct store_status *list = NULL;
    size_t n = 0;
    struct fleet f;

    fleet_make(&f, 10000, "X");
    sync_ok(s, &f, T0);
    assert_int_equal(store_begin(s, &err), 0);
    for (size_t i = 0; i < f.cfg.n_cameras; i++) {
        struct store_probe p = {
            f.ids[i], T0 + 1000 + (int64_t)i, 1, (int)(i % 500), 200, "h264", 1280, 720, 25.0, NULL,
            CW_UP,    STORE_STREAK_NONE,      0};
        assert_int_equal(store_record_probe(s, &p, &err), 0);
        if (i % 100 == 0)
            transition_ok(s, f.ids[i], CW_UNKNOWN, CW_UP, p.at_ms, "");
    }
    assert_int_equal(store_commit(s, &err), 0);

    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 10000);
    free(list);
    assert_int_equal(status_of(s, f.ids[9999]).latency_ms, 9999 % 500);
    assert_int_equal(status_of(s, f.ids[9999]).last_probe_ms, T0 + 1000 + 9999);
    assert_int_equal(status_of(s, f.ids[100]).state, CW_UP);
    assert_int_equal(status_of(s, f.ids[101]).state, CW_UNKNOWN);
    assert_int_equal(count_events(s, NULL, 0), 100);
    store_close(s);
    fleet_free(&f);
}

static void test_nested_batch_commits_only_at_outermost(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path), *reader = NULL;
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_open(fx->path, STORE_READONLY, &reader, &err), 0);
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(store_begin(s, &err), 0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, ""); /* nests a third level */
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(count_events(reader, NULL, 0), 0);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(count_events(reader, NULL, 0), 1);
    assert_int_equal(store_commit(s, &err), -1); /* unbalanced */
    store_close(reader);
    store_close(s);
    fleet_free(&f);
}

static void test_rollback_discards_the_batch(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_begin(s, &err), 0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "");
    store_rollback(s);
    assert_int_equal(status_of(s, "CAH-001").state, CW_UNKNOWN);
    assert_int_equal(count_events(s, NULL, 0), 0);
    assert_int_equal(store_begin(s, &err), 0); /* usable again */
    assert_int_equal(store_commit(s, &err), 0);
    store_close(s);
    fleet_free(&f);
}

/* --- maintenance ---------------------------------------------------------------------------- */

static void test_maintenance_on_then_off_writes_events(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + MIN, "timeout");
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, "thay ống kính", T0 + HOUR, &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.state, CW_MAINTENANCE);
    assert_int_equal(st.since_ms, T0 + HOUR);
    assert_string_equal(st.reason, "maintenance: thay ống kính");

    assert_int_equal(store_set_maintenance(s, "CAH-001", 0, "done", T0 + 2 * HOUR, &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.state, CW_UNKNOWN);
    assert_string_equal(st.reason, "maintenance ended: done");

    assert_int_equal(store_list_events(s, "CAH-001", T0 + HOUR, &ev, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].from, CW_DOWN);
    assert_int_equal(ev[0].to, CW_MAINTENANCE);
    assert_int_equal(ev[1].from, CW_MAINTENANCE);
    assert_int_equal(ev[1].to, CW_UNKNOWN);
    assert_string_equal(ev[1].reason, "maintenance ended: done");
    free(ev);
    store_close(s);
    fleet_free(&f);
}

static void test_maintenance_off_when_not_in_maintenance_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 0, "", T0 + 1, &err), -1);
    assert_string_equal(err.msg, "CAH-001 is not in maintenance");
    assert_int_equal(store_set_maintenance(s, "NOPE", 1, "", T0 + 1, &err), 1);
    assert_int_equal(count_events(s, NULL, 0), 0);
    /* the failed call left no transaction open */
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, NULL, T0 + 2, &err), 0);
    assert_string_equal(status_of(s, "CAH-001").reason, "maintenance");
    store_close(s);
    fleet_free(&f);
}

/* Moved from test_health.c when the maintenance rule became the store's alone (the daemon
 * adopts what the store holds): entering from UP names the note, and the state's since is the
 * acknowledgement's time. */
static void test_maintenance_from_up_names_the_note(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1000, "");
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, "replacing lens", T0 + 2000, &err), 0);
    assert_int_equal(store_list_events(s, "CAH-001", T0 + 2000, &ev, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].from, CW_UP);
    assert_int_equal(ev[0].to, CW_MAINTENANCE);
    assert_string_equal(ev[0].reason, "maintenance: replacing lens");
    assert_int_equal(status_of(s, "CAH-001").since_ms, T0 + 2000);
    free(ev);
    store_close(s);
    fleet_free(&f);
}

/* Moved from test_health.c: off without a note goes UNKNOWN, "maintenance ended", so the next
 * probe decides (test_health.c: test_after_maintenance_the_next_probe_decides). */
static void test_maintenance_off_goes_unknown(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;
    struct store_status st;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, NULL, T0 + 1000, &err), 0);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 0, NULL, T0 + 2000, &err), 0);
    assert_int_equal(store_list_events(s, "CAH-001", T0 + 2000, &ev, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].from, CW_MAINTENANCE);
    assert_int_equal(ev[0].to, CW_UNKNOWN);
    assert_string_equal(ev[0].reason, "maintenance ended");
    st = status_of(s, "CAH-001");
    assert_int_equal(st.state, CW_UNKNOWN);
    assert_int_equal(st.since_ms, T0 + 2000);
    free(ev);
    store_close(s);
    fleet_free(&f);
}

/* Moved from test_health.c: off when not in maintenance, or on when already in it, changes
 * nothing (the store refuses it with the reason, and writes no event). */
static void test_maintenance_repeated_changes_nothing(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1000, "");
    assert_int_equal(store_set_maintenance(s, "CAH-001", 0, NULL, T0 + 2000, &err), -1);
    assert_int_equal(status_of(s, "CAH-001").state, CW_UP);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, NULL, T0 + 3000, &err), 0);
    assert_int_equal(store_set_maintenance(s, "CAH-001", 1, NULL, T0 + 4000, &err), -1);
    assert_string_equal(err.msg, "CAH-001 is already in maintenance");
    assert_int_equal(status_of(s, "CAH-001").since_ms, T0 + 3000);
    assert_int_equal(count_events(s, "CAH-001", 0), 2);
    store_close(s);
    fleet_free(&f);
}

static void test_maintenance_from_second_connection_is_seen_by_data_version(void **state)
{
    struct fixture *fx = *state;
    struct store *daemon = open_rw(fx->path), *cli;
    struct cw_err err = {0};
    int64_t v0, v1, v2;
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(daemon, &f, T0);
    assert_int_equal(store_data_version(daemon, &v0, &err), 0);
    transition_ok(daemon, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, ""); /* own writes: no change */
    assert_int_equal(store_data_version(daemon, &v1, &err), 0);
    assert_true(v1 == v0);

    cli = open_rw(fx->path);
    assert_int_equal(store_set_maintenance(cli, "CAH-001", 1, "mưa bão", T0 + 2, &err), 0);
    store_close(cli);
    assert_int_equal(store_data_version(daemon, &v2, &err), 0);
    assert_true(v2 != v1);
    assert_int_equal(status_of(daemon, "CAH-001").state, CW_MAINTENANCE);
    store_close(daemon);
    fleet_free(&f);
}

/* --- events and uptime ---------------------------------------------------------------------- */

static void test_list_events_filters_by_camera_and_since(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_event *ev = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1 * MIN, "");
    transition_ok(s, "CAH-002", CW_UNKNOWN, CW_UP, T0 + 2 * MIN, "");
    transition_ok(s, "CAH-001", CW_UP, CW_DOWN, T0 + 3 * MIN, "timeout");
    transition_ok(s, "CAH-002", CW_UP, CW_DOWN, T0 + 4 * MIN, "not found");

    assert_int_equal(count_events(s, NULL, 0), 4);
    assert_int_equal(count_events(s, "CAH-002", 0), 2);
    assert_int_equal(count_events(s, NULL, T0 + 3 * MIN), 2); /* since is inclusive */
    assert_int_equal(store_list_events(s, "CAH-002", T0 + 3 * MIN, &ev, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].reason, "not found");
    free(ev);
    assert_int_equal(store_list_events(s, NULL, 0, &ev, &n, &err), 0);
    for (size_t i = 1; i < n; i++)
        assert_true(ev[i].at_ms >= ev[i - 1].at_ms);
    free(ev);
    store_close(s);
    fleet_free(&f);
}

static const struct store_uptime *find_uptime(const struct store_uptime *v, size_t n,
                                              const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].camera_id, id) == 0)
            return &v[i];
    return NULL;
}

static void test_uptime_over_store_is_exact_per_camera(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_uptime *v = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    const struct store_uptime *u;
    struct fleet f;

    /* Day: T0 .. T0+24h. CAH-001 and -002 exist from T0; -003 from T0+30h (after the range);
     * -002 is retired at T0+20h. */
    fleet_make(&f, 3, "CAH");
    f.cfg.n_cameras = 2;
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1 * HOUR, "");
    transition_ok(s, "CAH-001", CW_UP, CW_DOWN, T0 + 10 * HOUR, "timeout");
    transition_ok(s, "CAH-001", CW_DOWN, CW_UP, T0 + 12 * HOUR, "");
    transition_ok(s, "CAH-001", CW_UP, CW_DOWN, T0 + 30 * HOUR, "timeout"); /* after range */
    transition_ok(s, "CAH-002", CW_UNKNOWN, CW_UP, T0 + 2 * HOUR, "");
    f.cfg.n_cameras = 1;
    sync_ok(s, &f, T0 + 20 * HOUR);
    f.cfg.n_cameras = 3;
    f.cfg.cameras[1] = f.cfg.cameras[2]; /* CAH-003 arrives, CAH-002 stays retired */
    f.cfg.n_cameras = 2;
    sync_ok(s, &f, T0 + 30 * HOUR);

    assert_int_equal(store_uptime(s, T0 + 6 * HOUR, T0 + 24 * HOUR, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].camera_id, "CAH-001");
    assert_string_equal(v[1].camera_id, "CAH-002");
    u = find_uptime(v, n, "CAH-001");
    assert_int_equal(u->ms[CW_UP], 4 * HOUR + 12 * HOUR);
    assert_int_equal(u->ms[CW_DOWN], 2 * HOUR);
    assert_int_equal(u->ms[CW_UNKNOWN], 0);
    assert_int_equal(u->outages, 1);
    assert_string_equal(u->owner, "CAH");
    u = find_uptime(v, n, "CAH-002");
    assert_int_equal(u->ms[CW_UP], 14 * HOUR); /* 6h..20h, then retired: not counted */
    assert_int_equal(u->ms[CW_UNKNOWN], 0);
    assert_int_equal(u->outages, 0);
    free(v);

    /* A range wholly before a camera's creation or after its retirement leaves it out. */
    assert_int_equal(store_uptime(s, T0 + 21 * HOUR, T0 + 40 * HOUR, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_non_null(find_uptime(v, n, "CAH-003"));
    assert_null(find_uptime(v, n, "CAH-002"));
    u = find_uptime(v, n, "CAH-003");
    assert_int_equal(u->ms[CW_UNKNOWN], 10 * HOUR);
    u = find_uptime(v, n, "CAH-001");
    assert_int_equal(u->ms[CW_UP], 9 * HOUR);
    assert_int_equal(u->ms[CW_DOWN], 10 * HOUR);
    assert_int_equal(u->outages, 1);
    free(v);

    assert_int_equal(store_uptime(s, T0 + 2, T0 + 1, &v, &n, &err), -1);
    store_close(s);
    fleet_free(&f);
}

/* --- stream samples ------------------------------------------------------------------------ */

#define H0 ((T0 / HOUR + 1) * HOUR) /* the first whole hour after T0 */

static void test_sample_is_kept_and_becomes_the_cameras_latest_facts(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample smp, *v = NULL;
    struct cw_err err = {0};
    struct store_status st, *list = NULL;
    size_t n = 0;
    struct fleet f;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    smp = sample_make("CAH-001", T0 + MIN, "dark,frozen", "picture dark; picture frozen");
    smp.fps = 6.5;
    smp.phash = 0xf00000000000000fULL; /* high bit set: kept as the int64 of the same bits */
    smp.count = 7;                     /* ignored: a raw row counts one */
    assert_int_equal(store_record_sample(s, &smp, "/var/cache/camwatch/CAH-001.jpg", &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.last_sample_ms, T0 + MIN);
    assert_true(st.stream_fps == 6.5);
    assert_true(st.bitrate_kbps == 2000.0);
    assert_true(st.gop_s == 2.0);
    assert_true(st.sharpness == 300.0);
    assert_true(st.luma == 110.0);
    assert_int_equal(st.frozen, 1);
    assert_string_equal(st.flags, "dark,frozen");
    assert_string_equal(st.thumb_path, "/var/cache/camwatch/CAH-001.jpg");
    assert_int_equal(status_of(s, "CAH-002").last_sample_ms, 0);

    /* A failed sample without a thumbnail: the thumbnail stays, measured facts go unknown. */
    memset(&smp, 0, sizeof(smp));
    snprintf(smp.camera_id, sizeof(smp.camera_id), "CAH-001");
    smp.at_ms = T0 + 2 * MIN;
    smp.first_key_ms = -1;
    smp.ref_distance = -1;
    snprintf(smp.error, sizeof(smp.error), "no media within 15000 ms");
    snprintf(smp.flags, sizeof(smp.flags), "no_media,frozen_not"); /* not "frozen" itself */
    assert_int_equal(store_record_sample(s, &smp, NULL, &err), 0);
    assert_int_equal(store_list_status(s, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    st = list[0];
    free(list);
    assert_string_equal(st.id, "CAH-001");
    assert_int_equal(st.last_sample_ms, T0 + 2 * MIN);
    assert_true(st.stream_fps == 0.0);
    assert_true(st.sharpness == 0.0);
    assert_int_equal(st.frozen, 0);
    assert_string_equal(st.flags, "no_media,frozen_not");
    assert_string_equal(st.thumb_path, "/var/cache/camwatch/CAH-001.jpg");

    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 2);
    assert_int_equal(v[0].hourly, 0);
    assert_int_equal(v[0].count, 1);
    assert_true(v[0].phash == 0xf00000000000000fULL);
    assert_int_equal(v[0].ref_distance, 3);
    assert_int_equal(v[0].first_key_ms, 120);
    assert_string_equal(v[0].codec, "h264");
    assert_string_equal(v[0].reasons, "picture dark; picture frozen");
    assert_int_equal(v[1].ok, 0);
    assert_string_equal(v[1].error, "no media within 15000 ms");
    assert_int_equal(v[1].first_key_ms, -1);
    assert_int_equal(v[1].ref_distance, -1);
    assert_int_equal(v[1].has_picture, 0);
    free(v);
    store_close(s);
    fleet_free(&f);
}

static void test_sample_of_unknown_camera_returns_1_and_writes_nothing(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample smp = sample_make("NOPE", T0, "", ""), *v = NULL;
    struct cw_err err = {0};
    uint64_t phash;
    int64_t at;
    int has, flagged, total;
    struct fleet f;
    sqlite3 *db;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_record_sample(s, &smp, "/tmp/x.jpg", &err), 1);
    assert_int_equal(store_get_reference(s, "NOPE", &has, &phash, &at, &err), 1);
    assert_int_equal(store_set_reference(s, "NOPE", 1, 5, T0, &err), 1);
    assert_int_equal(list_samples(s, "NOPE", 0, &v), 0);
    free(v);
    assert_int_equal(store_sample_share(s, "NOPE", 0, T0 * 2, &flagged, &total, &err), 0);
    assert_int_equal(total, 0);
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sample"), 0);
    sqlite3_close(db);
    /* No transaction was left open: a write still commits. */
    record_ok(s, "CAH-001", T0 + 1, "", "", NULL);
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sample"), 1);
    sqlite3_close(db);
    store_close(s);
    fleet_free(&f);
}

static void test_list_samples_since_is_inclusive_oldest_first_one_camera(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample *v = NULL;
    struct fleet f;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    record_ok(s, "CAH-001", T0 + 30 * MIN, "", "c", NULL);
    record_ok(s, "CAH-001", T0 + 10 * MIN, "", "a", NULL); /* written late, listed in order */
    record_ok(s, "CAH-002", T0 + 15 * MIN, "", "other camera", NULL);
    record_ok(s, "CAH-001", T0 + 20 * MIN, "", "b", NULL);

    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 3);
    assert_string_equal(v[0].reasons, "a");
    assert_string_equal(v[1].reasons, "b");
    assert_string_equal(v[2].reasons, "c");
    free(v);
    assert_int_equal(list_samples(s, "CAH-001", T0 + 20 * MIN, &v), 2);
    assert_int_equal(v[0].at_ms, T0 + 20 * MIN);
    free(v);
    assert_int_equal(list_samples(s, "CAH-001", T0 + 31 * MIN, &v), 0);
    free(v);
    store_close(s);
    fleet_free(&f);
}

/* CAH-001: hour H0 has three raw rows (two ok, one failed), hour H0+1h one, hour H0+2h one that
 * stays raw (retention cuts at H0+2h10m, rounded down to H0+2h). CAH-002: one row in H0. */
static void fill_for_downsample(struct store *s)
{
    struct store_sample a = sample_make("CAH-001", H0 + 5 * MIN, "low_fps", "fps 10 below 12");
    struct store_sample b = sample_make("CAH-001", H0 + 15 * MIN, "low_fps,dark", "dark one");
    struct store_sample c;
    struct cw_err err = {0};

    a.fps = 10.0;
    a.bitrate_kbps = 1000.0;
    a.ts_jumps = 1;
    a.lost_frames = 4;
    a.luma_mean = 100.0;
    a.sharpness = 200.0;
    a.width = 1280;
    a.height = 720;
    a.key_bytes = 60000;
    a.inter_frames = 100;
    a.inter_bytes = 500;
    a.inter_min_bytes = 40;
    b.key_bytes = 80000;
    b.inter_frames = 20;
    b.inter_bytes = 17;
    b.inter_min_bytes = 17;
    b.fps = 11.0;
    b.bitrate_kbps = 3000.0;
    b.ts_jumps = 2;
    b.corrupt_packets = 5;
    b.luma_mean = 20.0;
    b.sharpness = 100.0;
    b.width = 1920;
    b.height = 1080;
    b.phash = 0x8000000000000001ULL;
    b.ref_distance = 9;
    memset(&c, 0, sizeof(c));
    snprintf(c.camera_id, sizeof(c.camera_id), "CAH-001");
    c.at_ms = H0 + 25 * MIN;
    c.first_key_ms = -1;
    c.ref_distance = -1;
    c.ts_jumps = 0;
    snprintf(c.error, sizeof(c.error), "no media within 15000 ms");
    snprintf(c.flags, sizeof(c.flags), "no_media");
    snprintf(c.reasons, sizeof(c.reasons), "no media within 15000 ms");
    assert_int_equal(store_record_sample(s, &a, NULL, &err), 0);
    assert_int_equal(store_record_sample(s, &b, NULL, &err), 0);
    assert_int_equal(store_record_sample(s, &c, NULL, &err), 0);
    record_ok(s, "CAH-001", H0 + HOUR + 59 * MIN, "", "", NULL);
    record_ok(s, "CAH-001", H0 + 2 * HOUR, "blurred", "picture blurred", NULL);
    record_ok(s, "CAH-002", H0 + 30 * MIN, "", "", NULL);
}

static void test_downsample_folds_hours_into_means_sums_and_flag_union(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample *v = NULL;
    struct cw_err err = {0};
    int folded = -1;
    struct fleet f;
    sqlite3 *db;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    fill_for_downsample(s);
    assert_int_equal(store_downsample_samples(s, H0 + 2 * HOUR + 10 * MIN, &folded, &err), 0);
    assert_int_equal(folded, 5);

    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 3);
    /* Hour H0: means over the two ok rows, counters over all three, union of names. */
    assert_int_equal(v[0].hourly, 1);
    assert_int_equal(v[0].at_ms, H0);
    assert_int_equal(v[0].count, 3);
    assert_int_equal(v[0].ok, 1);
    assert_true(v[0].fps == 10.5);
    assert_true(v[0].bitrate_kbps == 2000.0);
    assert_true(v[0].luma_mean == 60.0);
    assert_true(v[0].sharpness == 150.0);
    assert_int_equal(v[0].width, 1600);
    assert_int_equal(v[0].height, 900);
    assert_true(v[0].gop_s == 2.0);
    assert_int_equal(v[0].first_key_ms, 120);
    assert_int_equal(v[0].ts_jumps, 3);
    assert_int_equal(v[0].corrupt_packets, 5);
    assert_int_equal(v[0].lost_frames, 4);
    assert_int_equal(v[0].has_picture, 1);
    assert_string_equal(v[0].flags, "dark,low_fps,no_media");
    assert_string_equal(v[0].reasons, "no media within 15000 ms"); /* the last row's */
    assert_string_equal(v[0].error, "no media within 15000 ms");
    assert_string_equal(v[0].codec, "h264");
    assert_true(v[0].phash == 0x8000000000000001ULL); /* the last row with a picture */
    assert_int_equal(v[0].ref_distance, 9);
    /* Frame sizes: means of the rows that measured them, the count summed, the smallest. */
    assert_true(v[0].key_bytes == 70000);
    assert_true(v[0].inter_bytes == 258.5);
    assert_int_equal(v[0].inter_frames, 120);
    assert_int_equal(v[0].inter_min_bytes, 17);
    /* Hour H0+1h: one clean row. */
    assert_int_equal(v[1].hourly, 1);
    assert_int_equal(v[1].at_ms, H0 + HOUR);
    assert_int_equal(v[1].count, 1);
    assert_string_equal(v[1].flags, "");
    /* H0+2h is not a whole hour before the cut: still raw. */
    assert_int_equal(v[2].hourly, 0);
    assert_int_equal(v[2].at_ms, H0 + 2 * HOUR);
    free(v);
    assert_int_equal(list_samples(s, "CAH-002", 0, &v), 1);
    assert_int_equal(v[0].hourly, 1);
    assert_int_equal(v[0].count, 1);
    free(v);

    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sample WHERE hourly = 0"), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sample WHERE hourly = 1"), 3);
    sqlite3_close(db);

    /* Again, even with a later cut: hourly rows are not folded again, nothing is left. */
    assert_int_equal(store_downsample_samples(s, H0 + 2 * HOUR + 10 * MIN, &folded, &err), 0);
    assert_int_equal(folded, 0);
    assert_int_equal(store_downsample_samples(s, H0 + 3 * HOUR, &folded, &err), 0);
    assert_int_equal(folded, 1);
    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 3);
    assert_int_equal(v[0].count, 3);
    assert_int_equal(v[2].hourly, 1);
    assert_string_equal(v[2].flags, "blurred");
    free(v);
    store_close(s);
    fleet_free(&f);
}

static void test_sample_share_weighs_rows_by_count_over_the_range(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    int flagged = -1, total = -1, folded;
    struct fleet f;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    fill_for_downsample(s);
    /* Raw: 3 of CAH-001's 5 rows carry flags in H0, 1 in H0+2h. */
    assert_int_equal(store_sample_share(s, "CAH-001", H0, H0 + 3 * HOUR, &flagged, &total, &err),
                     0);
    assert_int_equal(total, 5);
    assert_int_equal(flagged, 4);
    assert_int_equal(store_downsample_samples(s, H0 + 2 * HOUR, &folded, &err), 0);
    /* Hourly H0 (count 3, flagged) weighs 3; the range end is exclusive. */
    assert_int_equal(store_sample_share(s, "CAH-001", H0, H0 + 3 * HOUR, &flagged, &total, &err),
                     0);
    assert_int_equal(total, 5);
    assert_int_equal(flagged, 4);
    assert_int_equal(
        store_sample_share(s, "CAH-001", H0 + HOUR, H0 + 2 * HOUR, &flagged, &total, &err), 0);
    assert_int_equal(total, 1);
    assert_int_equal(flagged, 0);
    assert_int_equal(store_sample_share(s, NULL, H0, H0 + 3 * HOUR, &flagged, &total, &err), 0);
    assert_int_equal(total, 6);
    assert_int_equal(flagged, 4);
    assert_int_equal(store_sample_share(s, NULL, H0 + 1, H0, &flagged, &total, &err), -1);
    store_close(s);
    fleet_free(&f);
}

static void test_hourly_flags_union_is_sorted_without_duplicates(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample *v = NULL;
    struct cw_err err = {0};
    int folded;
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    record_ok(s, "CAH-001", H0 + 1, "moved,blurred", "", NULL);
    record_ok(s, "CAH-001", H0 + 2, "blurred,dark", "", NULL);
    record_ok(s, "CAH-001", H0 + 3, "", "", NULL);
    record_ok(s, "CAH-001", H0 + 4, "moved", "", NULL);
    assert_int_equal(store_downsample_samples(s, H0 + HOUR, &folded, &err), 0);
    assert_int_equal(folded, 4);
    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 1);
    assert_string_equal(v[0].flags, "blurred,dark,moved");
    free(v);
    store_close(s);
    fleet_free(&f);
}

static void test_reference_set_get_and_cleared_from_second_connection(void **state)
{
    struct fixture *fx = *state;
    struct store *daemon = open_rw(fx->path), *cli;
    struct cw_err err = {0};
    uint64_t phash = 1;
    int64_t at = 1;
    int has = -1;
    int64_t v0, v1;
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(daemon, &f, T0);
    assert_int_equal(store_get_reference(daemon, "CAH-001", &has, &phash, &at, &err), 0);
    assert_int_equal(has, 0);
    assert_true(phash == 0);
    assert_int_equal(at, 0);

    /* The daemon takes one inside its batch. */
    assert_int_equal(store_begin(daemon, &err), 0);
    assert_int_equal(
        store_set_reference(daemon, "CAH-001", 1, 0xfedcba9876543210ULL, T0 + MIN, &err), 0);
    assert_int_equal(store_commit(daemon, &err), 0);
    assert_int_equal(store_get_reference(daemon, "CAH-001", &has, &phash, &at, &err), 0);
    assert_int_equal(has, 1);
    assert_true(phash == 0xfedcba9876543210ULL);
    assert_int_equal(at, T0 + MIN);

    /* `camwatch reference CAM` clears it from its own connection beside the daemon. */
    assert_int_equal(store_data_version(daemon, &v0, &err), 0);
    cli = open_rw(fx->path);
    assert_int_equal(store_set_reference(cli, "CAH-001", 0, 0, 0, &err), 0);
    store_close(cli);
    assert_int_equal(store_data_version(daemon, &v1, &err), 0);
    assert_true(v1 != v0);
    assert_int_equal(store_get_reference(daemon, "CAH-001", &has, &phash, &at, &err), 0);
    assert_int_equal(has, 0);
    assert_true(phash == 0);
    store_close(daemon);
    fleet_free(&f);
}

static void test_ten_thousand_samples_in_one_batch(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample *v = NULL;
    struct cw_err err = {0};
    int flagged, total, folded;
    struct fleet f;

    fleet_make(&f, 10, "X");
    sync_ok(s, &f, T0);
    assert_int_equal(store_begin(s, &err), 0);
    for (int i = 0; i < 10000; i++) /* 1000 per camera, one a minute */
        record_ok(s, f.ids[i % 10], H0 + (int64_t)(i / 10) * MIN, i % 4 == 0 ? "low_fps" : "", "",
                  i % 10 == 0 ? "/cache/X-001.jpg" : NULL);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(status_of(s, "X-010").last_sample_ms, H0 + 999 * MIN);
    assert_string_equal(status_of(s, "X-001").thumb_path, "/cache/X-001.jpg");
    assert_int_equal(list_samples(s, "X-003", 0, &v), 1000);
    free(v);
    assert_int_equal(store_sample_share(s, NULL, 0, H0 + 1000 * MIN, &flagged, &total, &err), 0);
    assert_int_equal(total, 10000);
    assert_int_equal(flagged, 2500);

    /* 1000 minutes are 16 whole hours and 40 minutes: 960 rows per camera fold. */
    assert_int_equal(store_downsample_samples(s, H0 + 1000 * MIN, &folded, &err), 0);
    assert_int_equal(folded, 9600);
    assert_int_equal(list_samples(s, "X-003", 0, &v), 16 + 40);
    assert_int_equal(v[0].count, 60);
    free(v);
    assert_int_equal(store_sample_share(s, NULL, 0, H0 + 1000 * MIN, &flagged, &total, &err), 0);
    assert_int_equal(total, 10000);
    store_close(s);
    fleet_free(&f);
}

/* --- what a verdict needs across restarts --------------------------------------------------- */

static void probe_with_streak(struct store *s, const char *id, int64_t at, enum store_streak kind,
                              int n)
{
    struct store_probe p = {.camera_id = id,
                            .at_ms = at,
                            .ok = 1,
                            .latency_ms = 150,
                            .rtsp_status = 200,
                            .state = CW_DOWN,
                            .streak_kind = kind,
                            .streak = n};
    struct cw_err err = {0};

    assert_int_equal(store_record_probe(s, &p, &err), 0);
}

static void test_streak_is_written_with_the_probe_and_read_back_after_a_restart(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_status st;
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.streak_kind, STORE_STREAK_NONE);
    assert_int_equal(st.streak, 0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1, "timeout");
    probe_with_streak(s, "CAH-001", T0 + 2, STORE_STREAK_OK, 1);
    probe_with_streak(s, "CAH-001", T0 + 3, STORE_STREAK_DEGRADED, 2);
    store_close(s);
    s = open_rw(fx->path);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.state, CW_DOWN);
    assert_int_equal(st.streak_kind, STORE_STREAK_DEGRADED);
    assert_int_equal(st.streak, 2);
    /* A run of no length is no run, whatever its kind. */
    probe_with_streak(s, "CAH-001", T0 + 4, STORE_STREAK_FAIL, 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.streak_kind, STORE_STREAK_NONE);
    assert_int_equal(st.streak, 0);
    store_close(s);
    fleet_free(&f);
}

static void test_a_state_change_ends_the_run_of_verdicts(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct cw_err err = {0};
    struct fleet f;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    transition_ok(s, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1, "timeout");
    transition_ok(s, "CAH-002", CW_UNKNOWN, CW_DOWN, T0 + 1, "timeout");
    probe_with_streak(s, "CAH-001", T0 + 2, STORE_STREAK_OK, 1);
    probe_with_streak(s, "CAH-002", T0 + 2, STORE_STREAK_OK, 1);
    /* the daemon's transition, and staff's maintenance from the CLI */
    transition_ok(s, "CAH-001", CW_DOWN, CW_UP, T0 + 3, "recovered after 2 successes");
    assert_int_equal(store_set_maintenance(s, "CAH-002", 1, "lens", T0 + 3, &err), 0);
    for (int i = 1; i <= 2; i++) {
        char id[16];
        snprintf(id, sizeof(id), "CAH-%03d", i);
        assert_int_equal(status_of(s, id).streak_kind, STORE_STREAK_NONE);
        assert_int_equal(status_of(s, id).streak, 0);
    }
    store_close(s);
    fleet_free(&f);
}

static void test_picture_memory_and_sampled_size_are_kept(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_sample smp = sample_make("CAH-001", T0 + 6, "", "");
    struct store_sample *v = NULL;
    struct cw_err err = {0};
    struct store_status st;
    struct fleet f;

    fleet_make(&f, 1, "CAH");
    sync_ok(s, &f, T0);
    smp.key_bytes = 75372;
    smp.inter_frames = 119;
    smp.inter_bytes = 17.1;
    smp.inter_min_bytes = 17;
    smp.has_memory = 1;
    smp.memory = (struct store_picture_memory){1, 0xfedcba9876543210ULL, 2, T0 + 5};
    assert_int_equal(store_record_sample(s, &smp, NULL, &err), 0);
    store_close(s);
    s = open_rw(fx->path);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.picture.has_last, 1);
    assert_true(st.picture.last_phash == 0xfedcba9876543210ULL);
    assert_int_equal(st.picture.still_run, 2);
    assert_int_equal(st.picture.run_since_ms, T0 + 5);
    assert_int_equal(st.stream_width, 1280);
    assert_int_equal(st.stream_height, 720);
    assert_int_equal(list_samples(s, "CAH-001", 0, &v), 1);
    assert_true(v[0].key_bytes == 75372);
    assert_int_equal(v[0].inter_frames, 119);
    assert_true(v[0].inter_bytes == 17.1);
    assert_int_equal(v[0].inter_min_bytes, 17);
    assert_int_equal(v[0].has_memory, 0); /* the camera's, not the row's */
    free(v);
    /* A sample that read nothing leaves the memory as it was and the size unknown. */
    smp = sample_make("CAH-001", T0 + 7, "no_media", "no media");
    smp.ok = 0;
    smp.has_picture = 0;
    assert_int_equal(store_record_sample(s, &smp, NULL, &err), 0);
    st = status_of(s, "CAH-001");
    assert_int_equal(st.stream_width, 0);
    assert_int_equal(st.picture.still_run, 2);
    /* A live sample of another picture: no run, that picture kept. */
    smp = sample_make("CAH-001", T0 + 8, "", "");
    smp.has_memory = 1;
    smp.memory = (struct store_picture_memory){1, 0x0123456789abcdefULL, 0, 0};
    assert_int_equal(store_record_sample(s, &smp, NULL, &err), 0);
    st = status_of(s, "CAH-001");
    assert_true(st.picture.last_phash == 0x0123456789abcdefULL);
    assert_int_equal(st.picture.still_run, 0);
    assert_int_equal(st.picture.run_since_ms, 0);
    store_close(s);
    fleet_free(&f);
}

static void test_tickets_are_closed_once_and_never_deleted(void **state)
{
    struct fixture *fx = *state;
    struct store *s = open_rw(fx->path);
    struct store_ticket t = {.camera_id = "CAH-001",
                             .action = "reaim",
                             .note = "cây che",
                             .opened_ms = T0,
                             .opened_by = "kt"};
    struct store_ticket got, *v = NULL;
    struct cw_err err = {0};
    char long_note[502] = "";
    int64_t id = 0;
    size_t n = 0;
    struct fleet f;
    sqlite3 *db;

    fleet_make(&f, 2, "CAH");
    sync_ok(s, &f, T0);
    assert_int_equal(store_ticket_add(s, &t, &id, &err), 0);
    assert_int_equal(id, 1);
    memcpy(t.camera_id, "NOPE", 5);
    assert_int_equal(store_ticket_add(s, &t, &id, &err), 1); /* no such camera */
    memset(long_note, 'x', sizeof(long_note) - 1);
    assert_int_equal(store_ticket_close(s, 1, T0 + 1, "kt", long_note, &got, &err), -1);
    assert_string_equal(err.msg, "longer than 500 bytes"); /* refused, not cut */
    assert_int_equal(store_ticket_close(s, 1, T0 + 1, "kt", "đã chỉnh", &got, &err), 0);
    assert_int_equal(got.closed_ms, T0 + 1);
    assert_string_equal(got.close_note, "đã chỉnh");
    assert_int_equal(store_ticket_close(s, 1, T0 + 2, "kt", NULL, &got, &err), 2);
    assert_int_equal(got.closed_ms, T0 + 1); /* the first closing stands */
    assert_int_equal(store_ticket_close(s, 7, T0 + 2, "kt", NULL, &got, &err), 1);
    db = raw_open(fx->path);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM ticket", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE ticket SET note = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_list_tickets(s, NULL, 0, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].note, "cây che");
    free(v);
    assert_int_equal(store_list_tickets(s, "CAH-001", 1, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    free(v);
    store_close(s);
    fleet_free(&f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_open_creates_folder_and_wal_database),
        T(test_newer_schema_is_refused_with_both_versions),
        T(test_migrates_from_every_older_version_keeping_rows),
        T(test_open_twice_does_not_migrate_again),
        T(test_a_file_that_is_not_a_database_is_named_and_left_alone),
        T(test_readonly_refuses_missing_file_and_creates_nothing),
        T(test_readonly_refuses_writes),
        T(test_an_interrupted_connection_fails_every_later_statement),
        T(test_readonly_refuses_older_schema_and_says_to_start_daemon),
        T(test_sync_inserts_new_cameras_unknown_since_now),
        T(test_sync_updates_changed_fields_and_keeps_state),
        T(test_sync_retires_missing_camera_and_keeps_its_history),
        T(test_sync_unretires_camera_that_comes_back),
        T(test_cameras_and_events_cannot_be_deleted),
        T(test_transition_writes_event_and_current_state),
        T(test_probe_facts_are_kept_and_replaced),
        T(test_transition_is_refused_when_another_connection_moved_the_camera),
        T(test_probe_updates_reason_only_while_state_holds),
        T(test_restart_resumes_state_since_and_facts),
        T(test_ten_thousand_probes_in_one_batch),
        T(test_nested_batch_commits_only_at_outermost),
        T(test_rollback_discards_the_batch),
        T(test_maintenance_on_then_off_writes_events),
        T(test_maintenance_off_when_not_in_maintenance_is_refused),
        T(test_maintenance_from_up_names_the_note),
        T(test_maintenance_off_goes_unknown),
        T(test_maintenance_repeated_changes_nothing),
        T(test_maintenance_from_second_connection_is_seen_by_data_version),
        T(test_list_events_filters_by_camera_and_since),
        T(test_uptime_over_store_is_exact_per_camera),
        T(test_sample_is_kept_and_becomes_the_cameras_latest_facts),
        T(test_sample_of_unknown_camera_returns_1_and_writes_nothing),
        T(test_list_samples_since_is_inclusive_oldest_first_one_camera),
        T(test_downsample_folds_hours_into_means_sums_and_flag_union),
        T(test_sample_share_weighs_rows_by_count_over_the_range),
        T(test_hourly_flags_union_is_sorted_without_duplicates),
        T(test_reference_set_get_and_cleared_from_second_connection),
        T(test_ten_thousand_samples_in_one_batch),
        T(test_streak_is_written_with_the_probe_and_read_back_after_a_restart),
        T(test_a_state_change_ends_the_run_of_verdicts),
        T(test_picture_memory_and_sampled_size_are_kept),
        T(test_tickets_are_closed_once_and_never_deleted),
    };
    log_init("test_store", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
