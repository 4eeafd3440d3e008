/* test_batch.c - the fleet's writes (daemon/batch.c) on a real SQLite file and a real libev
 * loop: a second connection (the CLI) moving a camera is handed to the adopt hook when the
 * batch opens, the batch's own writes never are; writes are collected without holding the
 * store's write lock and land together at the commit, which calls the committed hook; a
 * transition the store refuses hands its row back; and when the store is full (SQLite's own
 * SQLITE_FULL, by max_page_count on the daemon's connection) every write is kept and lands,
 * in order, once there is room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../daemon/batch.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL

struct seen {
    int adopted;
    char id[CFG_ID_MAX + 1];
    enum cw_state state;
    char reason[256];
    int committed;
};

static void on_adopt(void *data, const struct store_status *st)
{
    struct seen *s = data;

    /* Every row comes by; the hook's owner keeps those that differ from what it believes. */
    if (st->state == CW_UNKNOWN)
        return;
    s->adopted++;
    snprintf(s->id, sizeof(s->id), "%s", st->id);
    s->state = st->state;
    snprintf(s->reason, sizeof(s->reason), "%s", st->reason);
}

static void on_committed(void *data)
{
    struct seen *s = data;

    s->committed++;
}

struct fixture {
    char dir[64];
    char path[128];
    struct ev_loop *loop;
    struct store *daemon, *cli;
    struct batch *b;
    struct seen seen;
    struct cfg cfg;
    struct cfg_camera cams[2];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct batch_hooks hooks;
    struct cw_err err = {0};

    if (fx == NULL)
        return -1;
    if (cwtest_tmpdir(fx->dir, sizeof(fx->dir), "batch") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    fx->cams[0] = (struct cfg_camera){.id = "CAH-001", .rtsp_url = "rtsp://127.0.0.1/1"};
    fx->cams[1] = (struct cfg_camera){.id = "CAH-002", .rtsp_url = "rtsp://127.0.0.1/2"};
    fx->cfg.cameras = fx->cams;
    fx->cfg.n_cameras = 2;
    if (store_open(fx->path, STORE_READWRITE, &fx->daemon, &err) != 0 ||
        store_sync_cameras(fx->daemon, &fx->cfg, T0, &err) != 0 ||
        store_open(fx->path, STORE_READWRITE, &fx->cli, &err) != 0)
        fail_msg("store: %s", err.msg);
    fx->loop = ev_loop_new(EVFLAG_AUTO);
    hooks = (struct batch_hooks){on_adopt, on_committed, NULL, &fx->seen};
    if (batch_new(fx->loop, fx->daemon, &hooks, &fx->b, &err) != 0)
        fail_msg("batch_new: %s", err.msg);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    batch_free(fx->b);
    store_close(fx->cli);
    store_close(fx->daemon);
    ev_loop_destroy(fx->loop);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void test_cli_change_is_adopted_when_the_batch_opens(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};

    assert_int_equal(store_set_maintenance(fx->cli, "CAH-002", 1, "lens", T0 + 1, &err), 0);
    assert_int_equal(fx->seen.adopted, 0); /* nothing is read until the batch opens */
    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(fx->seen.adopted, 1);
    assert_string_equal(fx->seen.id, "CAH-002");
    assert_int_equal(fx->seen.state, CW_MAINTENANCE);
    assert_string_equal(fx->seen.reason, "maintenance: lens");
    batch_commit(fx->b);
    /* Seen once: the next open finds data_version where it left it. */
    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(fx->seen.adopted, 1);
}

static void test_own_writes_are_not_adopted(void **state)
{
    struct fixture *fx = *state;

    batch_record_transition(fx->b, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "");
    batch_commit(fx->b);
    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(fx->seen.adopted, 0);
}

/* Issue 10: the batch held the write lock from its first write to its commit, 0.2 s later,
 * back to back beside busy cameras, and the CLI's maintenance waited out its busy timeout.
 * Collected writes hold no lock: another connection writes meanwhile at once. */
static void test_writes_hold_no_lock_until_they_land_together(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    sqlite3 *raw = raw_open(fx->path);

    batch_record_transition(fx->b, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1, "timeout");
    batch_record_probe(fx->b, &(struct store_probe){.camera_id = "CAH-001",
                                                    .at_ms = T0 + 1,
                                                    .latency_ms = -1,
                                                    .reason = "timeout",
                                                    .state = CW_DOWN});
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 0); /* not written yet */
    sqlite3_busy_timeout(raw, 0); /* the lock must be free now, not in a while */
    assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_set_maintenance(fx->cli, "CAH-002", 1, "", T0 + 2, &err), 0);
    assert_int_equal(fx->seen.committed, 0);
    batch_commit(fx->b);
    assert_int_equal(fx->seen.committed, 1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 2);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM camera WHERE state = 'down'"), 1);
    batch_commit(fx->b); /* nothing collected: no second hook */
    assert_int_equal(fx->seen.committed, 1);
    sqlite3_close(raw);
}

static void test_commit_timer_writes_the_batch(void **state)
{
    struct fixture *fx = *state;
    struct batch_health h;

    batch_record_transition(fx->b, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "");
    ev_run(fx->loop, EVRUN_ONCE); /* the only watcher: the commit timer */
    assert_int_equal(fx->seen.committed, 1);
    batch_health(fx->b, &h);
    assert_int_equal(h.pending, 0);
    assert_int_equal(h.commits, 1);
    assert_false(h.failing);
}

/* The CLI moved the camera on the daemon's own connection (data_version cannot tell): the
 * store refuses the transition and its row comes back through the adopt hook. */
static void test_refused_transition_hands_back_the_stored_row(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};

    assert_int_equal(store_set_maintenance(fx->daemon, "CAH-001", 1, "lens", T0 + 1, &err), 0);
    batch_record_transition(fx->b, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 2, "timeout");
    batch_commit(fx->b);
    assert_int_equal(fx->seen.adopted, 1);
    assert_string_equal(fx->seen.id, "CAH-001");
    assert_int_equal(fx->seen.state, CW_MAINTENANCE);
}

/* The store's file may not grow past its size now: SQLITE_FULL, as on a full disk. */
static void fill(struct fixture *fx, int full)
{
    raw_store_full(fx->daemon, full);
}

static void transition(struct fixture *fx, const char *id, enum cw_state from, enum cw_state to,
                       int64_t at)
{
    char reason[16000]; /* long: the event row needs new pages */

    memset(reason, 'x', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    reason[0] = (char)('A' + at % 26);
    batch_record_transition(fx->b, id, from, to, at, reason);
}

/* Issue 10: a batch the store refused (a full disk) was rolled back and never written
 * again, and the store kept states the daemon had left. Now every write is kept, retried,
 * and lands in order once there is room. */
static void test_full_store_keeps_every_write_until_it_lands(void **state)
{
    struct fixture *fx = *state;
    struct batch_health h;
    sqlite3 *raw = raw_open(fx->path);

    fill(fx, 1);
    transition(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1);
    transition(fx, "CAH-002", CW_UNKNOWN, CW_DOWN, T0 + 2);
    batch_commit(fx->b);
    batch_health(fx->b, &h);
    assert_true(h.failing);
    assert_int_equal(h.pending, 2);
    assert_non_null(strstr(h.error, "full"));
    assert_int_equal(fx->seen.committed, 1); /* told, to show it in STATUS */
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 0);
    /* Decided while the store is full: kept behind the others, and retried. */
    transition(fx, "CAH-001", CW_UP, CW_DOWN, T0 + 3);
    transition(fx, "CAH-002", CW_DOWN, CW_UP, T0 + 4);
    transition(fx, "CAH-001", CW_DOWN, CW_UP, T0 + 5);
    ev_run(fx->loop, EVRUN_ONCE); /* the retry timer: still full */
    batch_health(fx->b, &h);
    assert_true(h.failing);
    assert_int_equal(h.pending, 5);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 0);

    fill(fx, 0);
    ev_run(fx->loop, EVRUN_ONCE); /* the next retry lands it all */
    batch_health(fx->b, &h);
    assert_false(h.failing);
    assert_int_equal(h.pending, 0);
    assert_int_equal(h.error[0], '\0');
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 5);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM camera WHERE id = 'CAH-001' AND "
                                  "state = 'up' AND since_ms = 1700000000005"),
                     1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM camera WHERE id = 'CAH-002' AND "
                                  "state = 'up' AND since_ms = 1700000000004"),
                     1);
    assert_int_equal(fx->seen.adopted, 0); /* nothing was refused: all in order */
    sqlite3_close(raw);
}

/* The reviewer's finding: another connection's write lock (Python holding BEGIN IMMEDIATE; in
 * use the CLI's footage scan, an API worker, an admin's sqlite3 shell) froze the daemon's loop
 * for the store's 5 s busy timeout at every batch: no probes, no API, no watchdog pings. The
 * loop's connection now waits a few ms at most, and the batch meeting the lock keeps its
 * writes for later, quietly (not a failure), and lands them once the lock is gone. */
static void test_a_held_write_lock_puts_the_batch_off_without_holding_the_loop(void **state)
{
    struct fixture *fx = *state;
    struct batch_health h;
    sqlite3 *raw = raw_open(fx->path);

    /* The loop's connection waits for no long transaction of another. */
    assert_int_equal(fx->daemon->busy_ms, BATCH_BUSY_TIMEOUT_MS); /* the store's own handler */
    assert_true(BATCH_BUSY_TIMEOUT_MS < 100);
    assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    transition(fx, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1);
    batch_commit(fx->b); /* returns: the loop turn goes on */
    batch_health(fx->b, &h);
    assert_int_equal(h.pending, 1); /* kept for later */
    assert_int_equal(h.busy, 1);
    assert_false(h.failing); /* a busy store is "later", not a failing one */
    assert_int_equal(h.error[0], '\0');
    assert_int_equal(h.dropped, 0);
    assert_int_equal(fx->seen.committed, 1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 0);

    assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    ev_run(fx->loop, EVRUN_ONCE); /* the retry timer: the lock is free now */
    batch_health(fx->b, &h);
    assert_int_equal(h.pending, 0);
    assert_false(h.failing);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM camera WHERE id = 'CAH-001' AND "
                                  "state = 'down'"),
                     1);
    sqlite3_close(raw);
}

/* Overwrite the page where table's rows begin with junk, as the reviewer did to page 6: the
 * WAL checkpointed into the file first, so the junk is what every later reader finds. */
static void corrupt_table(const char *path, const char *table)
{
    sqlite3 *raw = raw_open(path);
    char sql[128];
    unsigned char junk[65536];
    int64_t page, size;
    FILE *f;

    assert_int_equal(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                     SQLITE_OK);
    snprintf(sql, sizeof(sql), "SELECT rootpage FROM sqlite_schema WHERE name = '%s'", table);
    page = raw_int(raw, sql);
    size = raw_int(raw, "PRAGMA page_size");
    sqlite3_close(raw);
    assert_true(page > 1 && size <= (int64_t)sizeof(junk));
    memset(junk, 0xa5, sizeof(junk));
    f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)((page - 1) * size), SEEK_SET), 0);
    assert_int_equal(fwrite(junk, 1, (size_t)size, f), (size_t)size);
    assert_int_equal(fclose(f), 0);
}

/* The reviewer's finding: with a page of the store overwritten by junk, the write of a state
 * change was dropped ("a write the store refuses is dropped: ... database disk image is
 * malformed") while the daemon called the store writable and dropped nothing; the camera stayed
 * unknown for good. A damaged store is a failing one: the write is kept, the failure shown with
 * SQLite's words, and nothing is counted lost while it is kept. */
static void test_a_corrupt_page_keeps_the_write_and_fails_the_store(void **state)
{
    struct fixture *fx = *state;
    struct batch_hooks hooks = {NULL, NULL, NULL, NULL};
    struct store *s = NULL;
    struct batch *b = NULL;
    struct batch_health h;
    struct cw_err err = {0};
    sqlite3 *raw;

    corrupt_table(fx->path, "event");
    /* A connection that never cached the page, as a daemon started on the damaged file. */
    if (store_open(fx->path, STORE_READWRITE, &s, &err) != 0 ||
        batch_new(fx->loop, s, &hooks, &b, &err) != 0)
        fail_msg("store: %s", err.msg);
    batch_record_transition(b, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1, "timeout");
    batch_commit(b);
    batch_health(b, &h);
    assert_true(h.failing);
    assert_int_equal(h.pending, 1);
    assert_int_equal(h.dropped, 0);
    assert_non_null(strstr(h.error, "store damaged"));
    assert_non_null(strstr(h.error, "malformed"));
    raw = raw_open(fx->path);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM camera WHERE state = 'unknown'"), 2);
    sqlite3_close(raw);
    ev_run(fx->loop, EVRUN_ONCE); /* the retry: still damaged, still kept */
    batch_health(b, &h);
    assert_true(h.failing);
    assert_int_equal(h.pending, 1);
    batch_free(b);
    store_close(s);
}

/* While the store refuses, a camera's probe facts are kept once, the newest: memory does not
 * grow with every probe of a long outage. */
static void test_probe_facts_are_kept_once_per_camera_while_failing(void **state)
{
    struct fixture *fx = *state;
    struct batch_health h;
    struct cw_err err = {0};
    struct store_status st;

    fill(fx, 1);
    transition(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0);
    for (int i = 1; i <= 1000; i++)
        batch_record_probe(fx->b, &(struct store_probe){.camera_id = i % 2 ? "CAH-001" : "CAH-002",
                                                        .at_ms = T0 + i,
                                                        .ok = 1,
                                                        .latency_ms = i,
                                                        .codec = "h264",
                                                        .state = CW_UP});
    batch_commit(fx->b);
    batch_health(fx->b, &h);
    assert_true(h.failing);
    assert_int_equal(h.pending, 3); /* the transition and one probe per camera */
    fill(fx, 0);
    batch_commit(fx->b);
    assert_int_equal(store_get_status(fx->daemon, "CAH-001", &st, &err), 0);
    assert_int_equal(st.latency_ms, 999);
    assert_int_equal(st.last_probe_ms, T0 + 999);
    assert_string_equal(st.codec, "h264");
    assert_int_equal(store_get_status(fx->daemon, "CAH-002", &st, &err), 0);
    assert_int_equal(st.latency_ms, 1000);
}

/* The journal grows (and moves) while it holds a probe: what the probe points at (its camera,
 * codec, reason) must come along. ASan saw the daemon read a probe's strings where the journal
 * had been before it grew. */
static void test_a_probe_survives_the_journal_growing_under_it(void **state)
{
    struct fixture *fx = *state;
    struct store_status st;
    struct cw_err err = {0};
    char id[32];

    batch_record_probe(fx->b, &(struct store_probe){.camera_id = "CAH-001",
                                                    .at_ms = T0 + 1,
                                                    .ok = 1,
                                                    .latency_ms = 42,
                                                    .codec = "h265",
                                                    .reason = "kept",
                                                    .state = CW_UNKNOWN});
    for (int i = 0; i < 2000; i++) { /* cameras the store does not have: written as nothing */
        snprintf(id, sizeof(id), "X-%04d", i);
        batch_record_probe(fx->b, &(struct store_probe){.camera_id = id, .at_ms = T0 + 2});
    }
    batch_commit(fx->b);
    assert_int_equal(store_get_status(fx->daemon, "CAH-001", &st, &err), 0);
    assert_int_equal(st.latency_ms, 42);
    assert_string_equal(st.codec, "h265");
    assert_string_equal(st.reason, "kept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_change_is_adopted_when_the_batch_opens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_own_writes_are_not_adopted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_hold_no_lock_until_they_land_together, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commit_timer_writes_the_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_transition_hands_back_the_stored_row, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_full_store_keeps_every_write_until_it_lands, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_held_write_lock_puts_the_batch_off_without_holding_the_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_corrupt_page_keeps_the_write_and_fails_the_store,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_facts_are_kept_once_per_camera_while_failing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_probe_survives_the_journal_growing_under_it, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
