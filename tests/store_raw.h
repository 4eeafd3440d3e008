/* store_raw.h - what the store's tests share: a raw SQLite connection that looks at the file
 * as the sqlite3 shell would, a small inventory synced into a store, and an alert as the alerting
 * decides one. Header-only (static inline), for cmocka test programs; include after <cmocka.h>. */
#ifndef CW_TEST_STORE_RAW_H
#define CW_TEST_STORE_RAW_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/store.h"
#include "../index/store_alert.h"
#include "../index/store_priv.h" /* a connection's sqlite3 handle: max_page_count */
#include "cwtest.h"

/* A separate raw connection, to look at the file as the sqlite3 shell would. */
static inline sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* The first column of the first row of sql, as an integer. */
static inline int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* With full, s's file may not grow past its size now: SQLITE_FULL on s's writes that need a
 * new page, as on a full disk; without, it grows again. */
static inline void raw_store_full(struct store *s, int full)
{
    char sql[64];

    /* No free page left inside the file either: a write that needs a page gets none. */
    if (full && sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("VACUUM: %s", sqlite3_errmsg(s->db));
    if (full)
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
                 (long long)raw_int(s->db, "PRAGMA page_count"));
    else
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count = 1073741823");
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s->db));
}

/* Cameras CAH-001..CAH-00n in the inventory of s, synced at now (n <= 9). */
static inline void sync_fleet(struct store *s, size_t n, int64_t now)
{
    struct cfg_camera cams[9];
    char ids[9][16];
    struct cfg cfg;
    struct cw_err err = {0};

    assert_true(n <= 9);
    memset(&cfg, 0, sizeof(cfg));
    memset(cams, 0, sizeof(cams));
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof(ids[i]), "CAH-%03zu", i + 1);
        cams[i].id = ids[i];
        cams[i].name = "Ngã ba Tân Dương";
        cams[i].owner = "CAH";
        cams[i].rtsp_url = "rtsp://127.0.0.1:8554/cam";
        cams[i].site_kind = CFG_SITE_DISTRICT;
    }
    cfg.cameras = cams;
    cfg.n_cameras = n;
    if (store_sync_cameras(s, &cfg, now, &err) != 0)
        fail_msg("sync: %s", err.msg);
}

/* A fresh store at <dir>/camwatch.db, dir a folder cwtest_tmpdir made for name, with cameras
 * CAH-001..CAH-00n synced at now: the store tests' cmocka setup (0, or -1) and teardown. */
struct store_fixture {
    char dir[64];
    char path[128];
    struct store *s;
};

static inline int store_fixture_setup(void **state, const char *name, size_t n, int64_t now)
{
    struct store_fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), name) != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0) {
        cwtest_rmtree(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    sync_fleet(fx->s, n, now);
    return 0;
}

static inline int store_fixture_teardown(void **state)
{
    struct store_fixture *fx = *state;

    store_close(fx->s);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* A camera's alert (cam NULL: one of no camera, a digest's or a test's) of kind at `at`: up ->
 * down two minutes before, "timeout after 3 failures"; summary "CAM: up -> down" ("digest:
 * up -> down" without a camera). */
static inline struct store_alert store_alert_make(const char *cam, const char *kind, int64_t at)
{
    struct store_alert a;

    memset(&a, 0, sizeof(a));
    a.at_ms = at;
    snprintf(a.kind, sizeof(a.kind), "%s", kind);
    if (cam != NULL) {
        snprintf(a.camera_id, sizeof(a.camera_id), "%s", cam);
        a.has_states = 1;
        a.from = CW_UP;
        a.to = CW_DOWN;
        a.since_ms = at - 2 * 60 * 1000LL;
        a.changes = 1;
        snprintf(a.reason, sizeof(a.reason), "timeout after 3 failures");
    }
    snprintf(a.summary, sizeof(a.summary), "%s: up -> down", cam ? cam : "digest");
    return a;
}

#endif
