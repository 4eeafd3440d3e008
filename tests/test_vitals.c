/* test_vitals.c - the daemon's own health (daemon/vitals.c) on a real libev loop and a file in
 * a temporary folder: a callback that holds the loop shows as timers firing late (a lower
 * bound: the hold itself, whatever the machine's speed), the write batch's figures and the
 * resolver's kind go to the file, which is always the same size (rewritable in place on a
 * full disk) and private. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../daemon/vitals.h"
#include "cwtest.h"

#define HOLD_MS 600 /* how long the test holds the loop */

static void fake_read(void *data, struct batch_health *store, int counts[5], size_t *cameras)
{
    (void)data;
    memset(store, 0, sizeof(*store));
    store->failing = 1;
    store->failing_since_ms = 1700000000000LL;
    store->pending = 7;
    store->last_write_ms = 1.5;
    snprintf(store->error, sizeof(store->error), "database or disk is full");
    counts[0] = 1; /* CW_UNKNOWN */
    counts[1] = 2; /* CW_UP */
    *cameras = 3;
}

static void fake_probes(void *data, struct vitals_probes *out)
{
    (void)data;
    memset(out, 0, sizeof(*out));
    out->interval_ms = 30000;
    out->oldest_ms = 31250.5;
    out->late = 4;
    out->slots = 96;
    out->backing_off = 12;
    out->sample_round_s = 1280;
    out->samples_done = 5;
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct timespec ts = {0, HOLD_MS * 1000000L};

    (void)loop;
    (void)w;
    (void)revents;
    nanosleep(&ts, NULL); /* as a blocking call on the loop would */
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static void test_a_held_loop_shows_as_late_timers_and_the_file_says_so(void **state)
{
    char dir[64], path[128];
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct vitals_sources src = {fake_read, fake_probes, NULL, NULL, 0};
    struct vitals *v = NULL;
    struct cw_err err = {0};
    ev_timer hold, stop;
    double last, max;
    json_error_t jerr;
    json_t *o, *store, *probes;
    struct stat st;

    (void)state;
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "vitals"), 0);
    snprintf(path, sizeof(path), "%s/camwatch.db.daemon.json", dir);
    assert_int_equal(vitals_new(loop, path, &src, &v, &err), 0);
    assert_int_equal(stat(path, &st), 0); /* written at once */
    /* The first tick is due 1 s after the start; the loop is held across that moment. */
    ev_timer_init(&hold, hold_cb, VITALS_TICK_S - 0.2, 0.0);
    ev_timer_init(&stop, stop_cb, VITALS_TICK_S + (HOLD_MS / 1000.0) + 0.3, 0.0);
    ev_timer_start(loop, &hold);
    ev_timer_start(loop, &stop);
    ev_run(loop, 0);
    vitals_lag(v, &last, &max);
    assert_true(max >= HOLD_MS - 250); /* at least the hold beyond the tick's due time */

    vitals_write(v);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, VITALS_FILE_BYTES);
    assert_int_equal(st.st_mode & 0777, 0640);
    o = json_load_file(path, 0, &jerr);
    assert_non_null(o);
    assert_true(json_number_value(json_object_get(json_object_get(o, "loop"), "lag_max_ms")) >=
                HOLD_MS - 250);
    store = json_object_get(o, "store");
    assert_true(json_is_false(json_object_get(store, "writable")));
    assert_int_equal(json_integer_value(json_object_get(store, "pending")), 7);
    assert_string_equal(json_string_value(json_object_get(store, "error")),
                        "database or disk is full");
    assert_int_equal(json_integer_value(json_object_get(store, "failing_since_ms")),
                     1700000000000LL);
    assert_int_equal(json_integer_value(json_object_get(o, "cameras")), 3);
    assert_true(json_is_false(json_object_get(o, "once"))); /* a daemon's, not --once */
    assert_true(json_is_null(json_object_get(o, "once_finished_ms")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "states"), "up")), 2);
    assert_int_equal(json_is_true(json_object_get(json_object_get(o, "resolver"), "async")),
                     (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_ASYNCHDNS) != 0);
    probes = json_object_get(o, "probes");
    assert_int_equal(json_integer_value(json_object_get(probes, "interval_ms")), 30000);
    assert_true(json_number_value(json_object_get(probes, "oldest_ms")) == 31250.5);
    assert_int_equal(json_integer_value(json_object_get(probes, "late")), 4);
    assert_int_equal(json_integer_value(json_object_get(probes, "backing_off")), 12);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(probes, "slots"), "now")),
                     96);
    assert_true(json_number_value(json_object_get(json_object_get(probes, "samples"), "round_s")) ==
                1280);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(probes, "samples"), "done")), 5);
    json_decref(o);
    vitals_free(v);
    ev_loop_destroy(loop);
    cwtest_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_held_loop_shows_as_late_timers_and_the_file_says_so),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
