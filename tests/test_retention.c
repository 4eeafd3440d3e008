/* test_retention.c - what the store keeps (index/store_retention.c) on a real SQLite file, one
 * camera per step: raw samples past samples_days folded into hourly rows, hourly rows past
 * hourly_days deleted, clock readings past clock_days thinned to the first of each hour and
 * every reading off by more than the clock limit (what an evidence export needs: the offset in
 * force at any time, within the hour, and every time the clock was wrong); readings younger
 * than a day are refused deletion by the store itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/store.h"
#include "../util/cwtime.h"
#include "cwtest.h"
#include "store_raw.h"

#define HOUR (3600 * 1000LL)
#define DAY (24 * HOUR)

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    sqlite3 *raw;
    int64_t now, old; /* old: the start of an hour ten days back */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cfg_camera cams[2] = {{.id = "CAH-001", .rtsp_url = "rtsp://127.0.0.1/1"},
                                 {.id = "CAH-002", .rtsp_url = "rtsp://127.0.0.1/2"}};
    struct cfg cfg = {.cameras = cams, .n_cameras = 2};
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "retention") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    fx->now = cw_now_ms();
    fx->old = (fx->now - 10 * DAY) / HOUR * HOUR;
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0 ||
        store_sync_cameras(fx->s, &cfg, fx->old - DAY, &err) != 0)
        fail_msg("store: %s", err.msg);
    fx->raw = raw_open(fx->path);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    sqlite3_close(fx->raw);
    store_close(fx->s);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void clock_row(struct fixture *fx, const char *id, int64_t at, int64_t offset)
{
    struct store_clock c = {.at_ms = at, .offset_ms = offset, .error_ms = 20};
    struct cw_err err = {0};

    snprintf(c.camera_id, sizeof(c.camera_id), "%s", id);
    if (store_record_clock(fx->s, &c, &err) != 0)
        fail_msg("clock: %s", err.msg);
}

static void sample_row(struct fixture *fx, const char *id, int64_t at, int hourly)
{
    char sql[256];

    snprintf(sql, sizeof(sql),
             "INSERT INTO sample (camera_id, at_ms, ok, hourly, count) VALUES ('%s', %lld, 1, %d, "
             "%d)",
             id, (long long)at, hourly, hourly ? 12 : 1);
    assert_int_equal(sqlite3_exec(fx->raw, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Every camera, one per step, then 1. */
static struct store_retention_done run_pass(struct fixture *fx, const struct store_retention *r)
{
    struct store_retention_done done = {0};
    char after[CFG_ID_MAX + 1] = "", next[CFG_ID_MAX + 1];
    struct cw_err err = {0};
    int steps = 0, rc;

    while ((rc = store_retention_step(fx->s, r, after, next, sizeof(next), &done, &err)) == 0) {
        snprintf(after, sizeof(after), "%s", next);
        steps++;
    }
    if (rc != 1)
        fail_msg("retention: %s", err.msg);
    assert_int_equal(steps, 2);
    return done;
}

static void test_clock_readings_keep_the_first_of_each_hour_and_every_one_off(void **state)
{
    struct fixture *fx = *state;
    struct store_retention r = {.samples_before_ms = fx->now - 31 * DAY,
                                .hourly_before_ms = fx->now - 400 * DAY,
                                .clocks_before_ms = fx->now - 2 * DAY,
                                .clock_limit_ms = 5000};
    struct store_retention_done done;
    struct store_clock c;
    struct cw_err err = {0};

    /* An old hour: in time, drifting, then off both ways, then back. */
    clock_row(fx, "CAH-001", fx->old + 0 * 60000, 100);
    clock_row(fx, "CAH-001", fx->old + 10 * 60000, 200);
    clock_row(fx, "CAH-001", fx->old + 20 * 60000, 9000);
    clock_row(fx, "CAH-001", fx->old + 30 * 60000, -6000);
    clock_row(fx, "CAH-001", fx->old + 40 * 60000, 300);
    /* The next old hour: two in time. */
    clock_row(fx, "CAH-001", fx->old + HOUR + 5 * 60000, 50);
    clock_row(fx, "CAH-001", fx->old + HOUR + 15 * 60000, 60);
    /* Another camera's old readings: one hour, three readings. */
    clock_row(fx, "CAH-002", fx->old, 0);
    clock_row(fx, "CAH-002", fx->old + 60000, 0);
    clock_row(fx, "CAH-002", fx->old + 120000, 0);
    /* Recent ones: every one kept. */
    clock_row(fx, "CAH-001", fx->now - HOUR, 10);
    clock_row(fx, "CAH-001", fx->now - HOUR + 60000, 11);

    done = run_pass(fx, &r);
    assert_int_equal(done.clocks_deleted, 2 + 1 + 2);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM clock WHERE camera_id = 'CAH-001'"),
                     1 + 2 + 1 + 2);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM clock WHERE camera_id = 'CAH-001' "
                                      "AND offset_ms IN (100, 9000, -6000, 50, 10, 11)"),
                     6);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM clock WHERE camera_id = 'CAH-002'"), 1);
    /* The offset in force in the thinned hour is still known. */
    assert_int_equal(store_clock_at(fx->s, "CAH-001", fx->old + 45 * 60000, &c, &err), 0);
    assert_int_equal(c.offset_ms, -6000);
    /* A second pass deletes nothing more. */
    done = run_pass(fx, &r);
    assert_int_equal(done.clocks_deleted, 0);
}

static void test_limit_off_thins_to_one_an_hour(void **state)
{
    struct fixture *fx = *state;
    struct store_retention r = {.samples_before_ms = fx->now - 31 * DAY,
                                .hourly_before_ms = fx->now - 400 * DAY,
                                .clocks_before_ms = fx->now - 2 * DAY,
                                .clock_limit_ms = 0};

    clock_row(fx, "CAH-001", fx->old, 100);
    clock_row(fx, "CAH-001", fx->old + 60000, 90000);
    run_pass(fx, &r);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM clock"), 1);
}

static void test_samples_are_folded_and_old_hourly_rows_deleted(void **state)
{
    struct fixture *fx = *state;
    struct store_retention r = {.samples_before_ms = fx->now - 5 * DAY,
                                .hourly_before_ms = fx->now - 20 * DAY,
                                .clocks_before_ms = fx->now - 2 * DAY,
                                .clock_limit_ms = 5000};
    struct store_retention_done done;

    sample_row(fx, "CAH-001", fx->old - 30 * DAY, 1); /* past hourly_days */
    sample_row(fx, "CAH-001", fx->old - 5 * DAY, 1);  /* hourly, kept */
    sample_row(fx, "CAH-001", fx->old + 60000, 0);    /* raw, past samples_days: folded */
    sample_row(fx, "CAH-001", fx->old + 120000, 0);
    sample_row(fx, "CAH-002", fx->now - HOUR, 0); /* raw, recent: kept */
    done = run_pass(fx, &r);
    assert_int_equal(done.folded, 2);
    assert_int_equal(done.hourly_deleted, 1);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM sample WHERE hourly = 1"), 2);
    assert_int_equal(raw_int(fx->raw, "SELECT count FROM sample WHERE hourly = 1 AND at_ms = "
                                      "(SELECT max(at_ms) FROM sample WHERE hourly = 1)"),
                     2);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM sample WHERE hourly = 0"), 1);
}

static void test_the_store_refuses_to_delete_a_reading_younger_than_a_day(void **state)
{
    struct fixture *fx = *state;

    clock_row(fx, "CAH-001", fx->now - HOUR, 10);
    clock_row(fx, "CAH-001", fx->old, 10);
    assert_int_not_equal(sqlite3_exec(fx->raw, "DELETE FROM clock", NULL, NULL, NULL), SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(fx->raw), "younger than a day"));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM clock"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_clock_readings_keep_the_first_of_each_hour_and_every_one_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_off_thins_to_one_an_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_samples_are_folded_and_old_hourly_rows_deleted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_the_store_refuses_to_delete_a_reading_younger_than_a_day, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
