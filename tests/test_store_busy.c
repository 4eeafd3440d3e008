/* test_store_busy.c - a store's wait for another connection's lock (index/store.c, the busy
 * handler store_set_busy_timeout sets): as long as the timeout says, and no longer once
 * store_interrupt is called (the daemon's stop interrupting an API worker's write that waits
 * for a lock another process holds). SQLite's busy handlers sleep through the VFS: each test
 * runs on a VFS of its own, the default one with its xSleep counted, so a test knows the
 * wait began, and how long it was meant to be, without timing anything. Real files, a raw
 * connection holding the lock as the sqlite3 shell would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../index/store.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define WAIT_BEGIN_MS 60000 /* generous: the wait for a lock begins within microseconds */

/* The default VFS with its sleeps counted: the busy handler's sleeps are its only ones here. */
static sqlite3_vfs counted_vfs;
static sqlite3_vfs *real_vfs;
static atomic_int sleeps;     /* xSleep calls */
static atomic_llong slept_us; /* microseconds they asked for */

static int counted_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    atomic_fetch_add(&sleeps, 1);
    atomic_fetch_add(&slept_us, us);
    return real_vfs->xSleep(real_vfs, us);
}

struct fixture {
    char dir[64];
    char path[128];
    struct store *s; /* READWRITE, cameras CAH-001..CAH-003 */
    sqlite3 *raw;    /* holds the write lock (BEGIN IMMEDIATE) */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    real_vfs = sqlite3_vfs_find(NULL);
    counted_vfs = *real_vfs;
    counted_vfs.zName = "cwtest-counted-sleep";
    counted_vfs.xSleep = counted_sleep;
    if (fx == NULL || sqlite3_vfs_register(&counted_vfs, 1) != SQLITE_OK ||
        cwtest_tmpdir(fx->dir, sizeof(fx->dir), "store_busy") != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        return -1;
    }
    sync_fleet(fx->s, 3, 1700000000000LL);
    fx->raw = raw_open(fx->path);
    if (sqlite3_exec(fx->raw, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    atomic_store(&sleeps, 0);
    atomic_store(&slept_us, 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    sqlite3_exec(fx->raw, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(fx->raw);
    store_close(fx->s);
    sqlite3_vfs_unregister(&counted_vfs);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* The stop's side: once the store's write waits for the lock (its busy handler slept), it
 * interrupts the store, as api_jobs_interrupt does from the loop thread. */
struct stopper {
    pthread_t t;
    struct store *s;
    int saw_wait; /* the wait had begun when it interrupted */
};

static void *stopper_run(void *arg)
{
    struct stopper *st = arg;

    for (int ms = 0; ms < WAIT_BEGIN_MS && atomic_load(&sleeps) == 0; ms++)
        usleep(1000);
    st->saw_wait = atomic_load(&sleeps) > 0;
    store_interrupt(st->s);
    return NULL;
}

/* The defect: store_interrupt called sqlite3_interrupt, which ends a running statement but
 * not one waiting in SQLite's busy handler: an API worker's write (an audit row, a ticket)
 * beside another process's write lock held the daemon's stop for the whole busy timeout
 * (5 s), then failed "database is locked". The store's own handler gives up at the interrupt:
 * the write fails "interrupted", and nothing of it lands. */
static void test_an_interrupt_ends_a_wait_for_another_connections_write_lock(void **state)
{
    struct fixture *fx = *state;
    struct stopper st = {.s = fx->s};
    struct cw_err err = {0};

    assert_int_equal(pthread_create(&st.t, NULL, stopper_run, &st), 0);
    assert_int_equal(store_begin(fx->s, &err), -1);
    assert_int_equal(pthread_join(st.t, NULL), 0);
    assert_true(st.saw_wait);
    assert_non_null(strstr(err.msg, "interrupted"));
    assert_null(strstr(err.msg, "locked"));
    /* Sticky: the next write does not wait either. */
    atomic_store(&sleeps, 0);
    assert_int_equal(store_set_maintenance(fx->s, "CAH-001", 1, "x", 1700000000001LL, &err), -1);
    assert_non_null(strstr(err.msg, "interrupted"));
    assert_int_equal(atomic_load(&sleeps), 0);
}

/* Not interrupted, a write waits for the lock as long as the busy timeout says (its sleeps add
 * up to it), then fails as before: SQLite's words, "database is locked". */
static void test_a_held_write_lock_is_waited_for_the_busy_timeout_then_refused(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};

    assert_int_equal(store_set_busy_timeout(fx->s, 50, &err), 0);
    assert_int_equal(store_begin(fx->s, &err), -1);
    assert_non_null(strstr(err.msg, "database is locked"));
    assert_true(atomic_load(&sleeps) > 1);
    assert_int_equal(atomic_load(&slept_us), 50 * 1000);

    /* No timeout: no wait at all. */
    atomic_store(&sleeps, 0);
    assert_int_equal(store_set_busy_timeout(fx->s, 0, &err), 0);
    assert_int_equal(store_begin(fx->s, &err), -1);
    assert_non_null(strstr(err.msg, "database is locked"));
    assert_int_equal(atomic_load(&sleeps), 0);

    /* The lock gone, the write lands. */
    assert_int_equal(sqlite3_exec(fx->raw, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_set_busy_timeout(fx->s, 50, &err), 0);
    assert_int_equal(store_set_maintenance(fx->s, "CAH-001", 1, "x", 1700000000001LL, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_an_interrupt_ends_a_wait_for_another_connections_write_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_held_write_lock_is_waited_for_the_busy_timeout_then_refused, setup, teardown),
    };

    log_init("test_store_busy", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
