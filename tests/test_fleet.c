/* test_fleet.c - the fleet's stop (daemon/fleet.c) on a real store, a real libev loop and a
 * real camera address on loopback that refuses every connection, so each probe fails at once
 * and its verdict is a write. The stop's commit is made to fail by another connection holding
 * the store's write lock (as an API write job on a worker would at the moment of a SIGTERM),
 * the fleet's connection waiting for no lock: the order of the stop is the test's to choose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/fleet.h"
#include "../index/store_priv.h" /* the fleet's connection told not to wait for a lock */
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cfgtest.h"
#include "cwtest.h"

#define WAIT_MS 30000 /* a guard against hangs, never an assertion about time */

struct t {
    struct site *site;
    int refused_fd; /* holds the camera's port: connecting to it is refused */
    struct store *store;
    sqlite3 *other; /* another writer of the same file */
    struct ev_loop *loop;
    struct curlev *curl;
    struct fleet *fleet;
    int once_done;
};

static void once_done_cb(void *data)
{
    struct t *t = data;

    t->once_done = 1;
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    void *sp = NULL;
    char row[512];
    int port;
    struct cw_err err;

    if (t == NULL || site_setup(&sp) != 0)
        return -1;
    *state = t;
    t->site = sp;
    if ((t->refused_fd = cwtest_loopback_socket(0, &port)) < 0)
        return -1;
    snprintf(row, sizeof(row),
             "CAH-001,Cầu Lai Vung,CAH,,district,,,,,rtsp://127.0.0.1:%d/a,,,,,,\n", port);
    site_std(t->site, row);
    /* No stream samples: the liveness probe's verdict is the write. */
    site_write(t->site, "camwatch.conf", CONF_STD "[probe.stream]\nworkers = 0\n", 0644);
    if (site_load(t->site) != 0) {
        dump_errors(&t->site->errs);
        return -1;
    }
    if (store_open(t->site->cfg->database, STORE_READWRITE, &t->store, &err) != 0 ||
        store_sync_cameras(t->store, t->site->cfg, cw_now_ms(), &err) != 0) {
        print_error("store: %s\n", err.msg);
        return -1;
    }
    sqlite3_busy_timeout(t->store->db, 0); /* a held lock fails the commit at once */
    if (sqlite3_open(t->site->cfg->database, &t->other) != SQLITE_OK)
        return -1;
    t->loop = ev_loop_new(EVFLAG_AUTO);
    return curlev_new(t->loop, &t->curl, &err);
}

static int teardown(void **state)
{
    struct t *t = *state;
    void *sp = t->site;

    fleet_free(t->fleet);
    curlev_free(t->curl);
    store_close(t->store);
    sqlite3_close(t->other);
    if (t->loop != NULL)
        ev_loop_destroy(t->loop);
    if (t->refused_fd >= 0)
        close(t->refused_fd);
    free(t);
    return site_teardown(&sp);
}

static long long other_count(struct t *t, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;

    assert_int_equal(sqlite3_prepare_v2(t->other, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The stop's commit met another writer's lock (an API write job at the SIGTERM): the fleet's
 * stop called again once that writer is gone (camwatchd's main, after the API's workers ended)
 * writes what the first could not, before the daemon judges whether all is in the store. (The
 * second call did nothing: the daemon said it lost writes, exit 1, and wrote them only later in
 * fleet_free, after its judgment.) */
static void test_a_stop_again_writes_what_the_stop_could_not(void **state)
{
    struct t *t = *state;
    const struct fleet_hooks hooks = {NULL, once_done_cb, t};
    struct batch_health h;
    struct cw_err err;
    int64_t guard;

    assert_int_equal(sqlite3_exec(t->other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        fleet_new(t->loop, t->curl, t->store, t->site->cfg, 1, &hooks, &t->fleet, &err), 0);
    guard = cw_mono_ms() + WAIT_MS;
    while (!t->once_done) {
        if (cw_mono_ms() > guard)
            fail_msg("waited too long for the probe");
        ev_run(t->loop, EVRUN_ONCE);
    }
    fleet_stop(t->fleet); /* the signal's: the lock is held */
    fleet_store_health(t->fleet, &h);
    assert_true(h.pending > 0);
    assert_int_equal(sqlite3_exec(t->other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    fleet_stop(t->fleet); /* main's, the other writer gone */
    fleet_store_health(t->fleet, &h);
    assert_int_equal(h.pending, 0);
    assert_false(h.failing);
    assert_true(other_count(t, "SELECT count(*) FROM event WHERE camera_id = 'CAH-001'") > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_stop_again_writes_what_the_stop_could_not, setup,
                                        teardown),
    };

    log_init("test_fleet", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
