/* test_store_uptime.c - a history query bounded by its range (index/store_uptime.c): uptime
 * and the reports' walk read the state at the range's start from the last event before it
 * and then the events inside, and their figures are exactly those of a walk over the
 * camera's whole history. The store is a real SQLite file; histories are written as the
 * sqlite3 shell would (raw rows of the real schema), and the reference figures come from
 * uptime_walk over every event of the camera, read here apart from the code under test.
 * Boundedness is shown without a clock: the pages the walk had to read (SQLite's cache
 * misses on a fresh connection) do not grow with the history before the range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../index/avail.h"
#include "../index/reason.h"
#include "../index/store.h"
#include "../index/store_priv.h"
#include "../index/uptime.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1796083200000LL /* 2026-12-01T00:00:00Z */
#define MIN (60 * 1000LL)
#define H (60 * MIN)
#define DAY (24 * H)

struct fixture {
    char dir[64];
    char path[128];
    sqlite3 *raw; /* the sqlite3 shell's view, for writing histories */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct store *s = NULL;
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "store-uptime") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    /* The schema is the store's own. */
    if (store_open(fx->path, STORE_READWRITE, &s, &err) != 0)
        return -1;
    store_close(s);
    fx->raw = raw_open(fx->path);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    sqlite3_close(fx->raw);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* A camera created at created_ms (retired at retired_ms unless 0), in state unknown. */
static void camera_add(struct fixture *fx, const char *id, const char *owner, int64_t created_ms,
                       int64_t retired_ms)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(fx->raw,
                                        "INSERT INTO camera (id, name, owner, site_kind, "
                                        "rtsp_url, created_ms, retired_ms, since_ms) VALUES "
                                        "(?1, ?1, ?2, 'district', 'rtsp://127.0.0.1/' || ?1, "
                                        "?3, ?4, ?3)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, created_ms);
    if (retired_ms != 0)
        sqlite3_bind_int64(st, 4, retired_ms);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void event_add(struct fixture *fx, const char *id, int64_t at_ms, enum cw_state from,
                      enum cw_state to, const char *reason)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(fx->raw,
                                        "INSERT INTO event (camera_id, at_ms, from_state, "
                                        "to_state, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_ms);
    sqlite3_bind_text(st, 3, cw_state_name(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, cw_state_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static struct store *open_ro(const struct fixture *fx)
{
    struct store *s = NULL;
    struct cw_err err = {0};

    if (store_open(fx->path, STORE_READONLY, &s, &err) != 0)
        fail_msg("store_open: %s", err.msg);
    return s;
}

/* store_uptime's row of camera id over [from, to), which must be there. */
static struct store_uptime uptime_of(const struct fixture *fx, const char *id, int64_t from,
                                     int64_t to)
{
    struct store *s = open_ro(fx);
    struct store_uptime *v = NULL, row;
    struct cw_err err = {0};
    size_t n = 0, i;

    if (store_uptime(s, from, to, &v, &n, &err) != 0)
        fail_msg("store_uptime: %s", err.msg);
    for (i = 0; i < n && strcmp(v[i].camera_id, id) != 0; i++)
        ;
    if (i == n)
        fail_msg("%s not in the uptime rows", id);
    row = v[i];
    free(v);
    store_close(s);
    return row;
}

/* ---- the state at --from comes from before the range ---- */

static void test_state_at_from_is_the_last_change_before_the_range(void **state)
{
    struct fixture *fx = *state;
    struct store_uptime u;

    camera_add(fx, "CAH-001", "CAH", T0 - 300 * DAY, 0);
    raw_exec(fx->raw, "BEGIN");
    /* A year of flapping before the range, ending down 2 h before it. */
    for (int d = 300; d >= 1; d--) {
        event_add(fx, "CAH-001", T0 - d * DAY, d == 300 ? CW_UNKNOWN : CW_DOWN, CW_UP, "");
        event_add(fx, "CAH-001", T0 - d * DAY + 2 * H, CW_UP, CW_DOWN, "timeout after 3 failures");
    }
    event_add(fx, "CAH-001", T0 - 4 * H, CW_DOWN, CW_UP, "recovered after 2 successes");
    event_add(fx, "CAH-001", T0 - 2 * H, CW_UP, CW_DOWN, "connection refused after 3 failures");
    event_add(fx, "CAH-001", T0 + 3 * H, CW_DOWN, CW_UP, "recovered after 2 successes");
    raw_exec(fx->raw, "COMMIT");

    u = uptime_of(fx, "CAH-001", T0, T0 + DAY);
    assert_int_equal(u.ms[CW_DOWN], 3 * H); /* down from before the range until 03:00 */
    assert_int_equal(u.ms[CW_UP], 21 * H);
    assert_int_equal(u.ms[CW_UNKNOWN], 0);
    assert_int_equal(u.outages, 0); /* the outage began before the range */
}

static void test_events_exactly_at_the_range_bounds(void **state)
{
    struct fixture *fx = *state;
    struct store_uptime u;

    camera_add(fx, "CAH-001", "CAH", T0 - DAY, 0);
    event_add(fx, "CAH-001", T0 - DAY + H, CW_UNKNOWN, CW_UP, "");
    event_add(fx, "CAH-001", T0, CW_UP, CW_DOWN, "timeout after 3 failures"); /* at from */
    event_add(fx, "CAH-001", T0 + 5 * H, CW_DOWN, CW_UP, "recovered after 2 successes");
    event_add(fx, "CAH-001", T0 + DAY, CW_UP, CW_DOWN, "timeout after 3 failures"); /* at to */

    u = uptime_of(fx, "CAH-001", T0, T0 + DAY);
    assert_int_equal(u.ms[CW_DOWN], 5 * H);
    assert_int_equal(u.ms[CW_UP], 19 * H);
    assert_int_equal(u.outages, 1); /* the one at from; the one at to is outside */

    /* A range starting 1 ms later: the event at T0 is now before it, and sets its state. */
    u = uptime_of(fx, "CAH-001", T0 + 1, T0 + DAY + 1);
    assert_int_equal(u.ms[CW_DOWN], 5 * H - 1 + 1);
    assert_int_equal(u.ms[CW_UP], 19 * H);
    assert_int_equal(u.outages, 1); /* the one at the old to is inside now */
}

static void test_maintenance_spanning_the_range_start_counts_as_maintenance(void **state)
{
    struct fixture *fx = *state;
    struct store_uptime u;

    camera_add(fx, "CAH-001", "CAH", T0 - 10 * DAY, 0);
    event_add(fx, "CAH-001", T0 - 10 * DAY, CW_UNKNOWN, CW_UP, "");
    event_add(fx, "CAH-001", T0 - 3 * DAY, CW_UP, CW_MAINTENANCE, "maintenance: new pole");
    event_add(fx, "CAH-001", T0 + 6 * H, CW_MAINTENANCE, CW_UNKNOWN, "maintenance ended");
    event_add(fx, "CAH-001", T0 + 6 * H + 30 * 1000, CW_UNKNOWN, CW_UP, "");

    u = uptime_of(fx, "CAH-001", T0, T0 + DAY);
    assert_int_equal(u.ms[CW_MAINTENANCE], 6 * H);
    assert_int_equal(u.ms[CW_UNKNOWN], 30 * 1000);
    assert_int_equal(u.ms[CW_UP], 18 * H - 30 * 1000);
}

static void test_camera_created_inside_the_range_counts_from_its_creation(void **state)
{
    struct fixture *fx = *state;
    struct store_uptime u;

    camera_add(fx, "CAH-002", "CAH", T0 + 10 * H, 0);
    /* An event stamped before its creation (a clock stepped back) only sets the state. */
    event_add(fx, "CAH-002", T0 + 9 * H, CW_UNKNOWN, CW_UP, "");
    event_add(fx, "CAH-002", T0 + 20 * H, CW_UP, CW_DOWN, "timeout after 3 failures");

    u = uptime_of(fx, "CAH-002", T0, T0 + DAY);
    assert_int_equal(u.ms[CW_UP], 10 * H);
    assert_int_equal(u.ms[CW_DOWN], 4 * H);
    assert_int_equal(u.ms[CW_UNKNOWN], 0);
    assert_int_equal(u.outages, 1);

    /* Created inside a range whose start has events before it of no camera of its own. */
    u = uptime_of(fx, "CAH-002", T0 + 12 * H, T0 + DAY);
    assert_int_equal(u.ms[CW_UP], 8 * H);
    assert_int_equal(u.ms[CW_DOWN], 4 * H);
}

/* ---- every range agrees with the walk over the whole history ---- */

#define RAND_CAMS 12
#define RAND_EVENTS 120

static uint64_t rng_next(uint64_t *x)
{
    /* xorshift64: reproducible histories */
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static const char *const reasons[] = {
    "timeout (after 5000 ms) after 3 failures",
    "slow answer: 2506 ms (limit 2000 ms)",
    "picture blurred (sharpness 14, class minimum 60); clock 83 s ahead",
    "recovered after 2 successes",
    "maintenance: relocating",
    "",
};

/* The camera's whole history as the reference reads it: every event, oldest first. */
static int all_events(struct fixture *fx, const char *id, struct uptime_event *ev, int max)
{
    sqlite3_stmt *st = NULL;
    int n = 0;

    assert_int_equal(sqlite3_prepare_v2(fx->raw,
                                        "SELECT at_ms, to_state, reason FROM event WHERE "
                                        "camera_id = ?1 ORDER BY at_ms, id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && n < max) {
        const char *to = (const char *)sqlite3_column_text(st, 1);
        ev[n].at_ms = sqlite3_column_int64(st, 0);
        assert_int_equal(cw_state_parse(to, &ev[n].to), 0);
        ev[n].kinds = reason_kinds((const char *)sqlite3_column_text(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

struct cam_info {
    char id[16];
    int64_t created_ms, retired_ms;
};

/* Random histories of RAND_CAMS cameras, some created late, one retired; each event a change
 * of state as the store writes them, several at the same ms. */
static void random_fleet(struct fixture *fx, struct cam_info *cams, uint64_t seed)
{
    raw_exec(fx->raw, "BEGIN");
    for (int c = 0; c < RAND_CAMS; c++) {
        enum cw_state cur = CW_UNKNOWN;
        int64_t t;
        snprintf(cams[c].id, sizeof(cams[c].id), "CAM-%02d", c);
        cams[c].created_ms = T0 + (int64_t)(rng_next(&seed) % 3) * 5 * DAY;
        cams[c].retired_ms = c == 3 ? T0 + 17 * DAY : 0;
        camera_add(fx, cams[c].id, c % 2 ? "CAH" : "BQLC", cams[c].created_ms, cams[c].retired_ms);
        t = cams[c].created_ms - (c == 5 ? H : 0);
        for (int e = 0; e < RAND_EVENTS; e++) {
            enum cw_state to;
            do
                to = (enum cw_state)(rng_next(&seed) % 5);
            while (to == cur);
            /* a fifth of them in the same ms as the one before */
            t += rng_next(&seed) % 5 == 0 ? 0 : (int64_t)(rng_next(&seed) % (6 * H));
            event_add(fx, cams[c].id, t, cur, to,
                      reasons[rng_next(&seed) % (sizeof(reasons) / sizeof(reasons[0]))]);
            cur = to;
        }
    }
    raw_exec(fx->raw, "COMMIT");
}

/* What the reports' walk gave, per camera in the order visited. */
struct walked {
    int64_t from_ms;
    struct avail a[RAND_CAMS];
    char ids[RAND_CAMS][CFG_ID_MAX + 1];
    int n;
};

static void on_spell(void *data, const struct uptime_spell *sp)
{
    avail_add_spell(data, sp);
}

static int visit(void *data, const struct store_history *h, struct cw_err *err)
{
    struct walked *w = data;

    (void)err;
    assert_true(w->n < RAND_CAMS);
    snprintf(w->ids[w->n], sizeof(w->ids[w->n]), "%s", h->camera_id);
    assert_int_equal(uptime_walk(h->created_ms, h->events, h->n_events, w->from_ms, h->end_ms,
                                 on_spell, &w->a[w->n]),
                     0);
    w->n++;
    return 0;
}

static void check_range(struct fixture *fx, const struct cam_info *cams, int64_t from, int64_t to)
{
    static struct uptime_event ev[RAND_EVENTS + 1];
    struct store *s = open_ro(fx);
    struct store_uptime *rows = NULL;
    struct walked *w = calloc(1, sizeof(*w));
    struct cw_err err = {0};
    size_t n = 0, r = 0;

    assert_non_null(w);
    assert_int_equal(store_uptime(s, from, to, &rows, &n, &err), 0);
    w->from_ms = from;
    assert_int_equal(store_walk_history(s, from, to, 1, visit, w, &err), 0);
    for (int c = 0; c < RAND_CAMS; c++) {
        int64_t end = cams[c].retired_ms && cams[c].retired_ms < to ? cams[c].retired_ms : to;
        int64_t ms[5] = {0};
        int outages = 0, m = all_events(fx, cams[c].id, ev, RAND_EVENTS + 1);
        int exists = cams[c].created_ms < to && (!cams[c].retired_ms || cams[c].retired_ms > from);
        struct avail ref = {.cameras = 0};
        int k;
        if (!exists)
            continue;
        /* the reference: every event before the camera's end */
        for (k = 0; k < m && ev[k].at_ms < end; k++)
            ;
        assert_true(r < n);
        assert_string_equal(rows[r].camera_id, cams[c].id);
        assert_int_equal(uptime_accumulate(cams[c].created_ms, ev, k, from, end, ms, &outages), 0);
        assert_memory_equal(rows[r].ms, ms, sizeof(ms));
        assert_int_equal(rows[r].outages, outages);
        assert_int_equal(uptime_walk(cams[c].created_ms, ev, k, from, end, on_spell, &ref), 0);
        assert_string_equal(w->ids[r], cams[c].id);
        assert_memory_equal(&w->a[r], &ref, sizeof(ref));
        r++;
    }
    assert_int_equal(r, n);
    free(rows);
    free(w);
    store_close(s);
}

static void test_every_range_agrees_with_the_whole_history(void **state)
{
    struct fixture *fx = *state;
    struct cam_info cams[RAND_CAMS];
    static struct uptime_event ev[RAND_EVENTS + 1];
    uint64_t seed = 0x9e3779b97f4a7c15ULL;

    random_fleet(fx, cams, 42);
    /* Ranges starting and ending exactly at events, 1 ms either side, and anywhere. */
    for (int i = 0; i < 60; i++) {
        int c = (int)(rng_next(&seed) % RAND_CAMS);
        int m = all_events(fx, cams[c].id, ev, RAND_EVENTS + 1);
        int64_t from = ev[rng_next(&seed) % (uint64_t)m].at_ms + (int64_t)(i % 3) - 1;
        int64_t to = i % 4 == 0 ? from + (int64_t)(rng_next(&seed) % (40 * DAY))
                                : ev[rng_next(&seed) % (uint64_t)m].at_ms;
        if (to < from) {
            int64_t t = to;
            to = from;
            from = t;
        }
        check_range(fx, cams, from, to);
    }
    check_range(fx, cams, T0 - DAY, T0 + 400 * DAY); /* the whole history */
}

/* ---- bounded: the pages read do not grow with the history before the range ---- */

/* Pages SQLite had to read for store_uptime over [from, to) on a fresh connection. */
static int pages_read(const struct fixture *fx, int64_t from, int64_t to)
{
    struct store *s = open_ro(fx);
    struct store_uptime *rows = NULL;
    struct cw_err err = {0};
    size_t n = 0;
    int cur = 0, hi = 0;

    assert_int_equal(sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1), SQLITE_OK);
    assert_int_equal(store_uptime(s, from, to, &rows, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0), SQLITE_OK);
    free(rows);
    store_close(s);
    return cur;
}

/* days of history before the range, every camera flapping every hour */
static void flapping_history(struct fixture *fx, int64_t from_day, int64_t to_day)
{
    static const char *const ids[] = {"CAH-001", "CAH-002", "CAH-003", "CAH-004"};

    raw_exec(fx->raw, "BEGIN");
    for (int64_t t = T0 - from_day * DAY; t < T0 - to_day * DAY; t += H)
        for (int c = 0; c < 4; c++)
            event_add(fx, ids[c], t + c, (t / H) % 2 ? CW_DOWN : CW_UP,
                      (t / H) % 2 ? CW_UP : CW_DOWN, "timeout after 3 failures");
    raw_exec(fx->raw, "COMMIT");
}

static void test_uptime_reads_no_more_with_a_longer_history_before_the_range(void **state)
{
    struct fixture *fx = *state;
    int short_history, long_history;

    camera_add(fx, "CAH-001", "CAH", T0 - 400 * DAY, 0);
    camera_add(fx, "CAH-002", "CAH", T0 - 400 * DAY, 0);
    camera_add(fx, "CAH-003", "CAH", T0 - 400 * DAY, 0);
    camera_add(fx, "CAH-004", "CAH", T0 - 400 * DAY, 0);
    flapping_history(fx, 7, 0); /* a week, then the range's day */
    raw_exec(fx->raw, "PRAGMA wal_checkpoint(TRUNCATE)");
    short_history = pages_read(fx, T0 - 2 * DAY, T0);
    flapping_history(fx, 365, 7); /* a year before it, written after */
    raw_exec(fx->raw, "PRAGMA wal_checkpoint(TRUNCATE)");
    long_history = pages_read(fx, T0 - 2 * DAY, T0);
    /* 35,000 more events (hundreds of pages) before the range; the index gets deeper by a
     * level or two, and each search reads its path: a few pages more, not hundreds. */
    print_message("pages read: %d with a week of history, %d with a year\n", short_history,
                  long_history);
    assert_true(long_history <= short_history + 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_state_at_from_is_the_last_change_before_the_range,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_exactly_at_the_range_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_maintenance_spanning_the_range_start_counts_as_maintenance, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_camera_created_inside_the_range_counts_from_its_creation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_range_agrees_with_the_whole_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_uptime_reads_no_more_with_a_longer_history_before_the_range, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
