/* test_batch.c - the fleet's write batch (daemon/batch.c) on a real SQLite file and a real
 * libev loop: a second connection (the CLI) moving a camera is handed to the adopt hook when
 * the batch opens, the batch's own writes never are, and a commit calls the committed hook
 * and lands in the file. */
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
    hooks = (struct batch_hooks){on_adopt, on_committed, &fx->seen};
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
    struct cw_err err = {0};

    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(
        store_record_transition(fx->daemon, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "", &err), 0);
    batch_commit(fx->b);
    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(fx->seen.adopted, 0);
}

static void test_commit_calls_the_hook_and_lands_in_the_file(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    sqlite3 *raw;

    assert_int_equal(batch_open(fx->b), 0);
    assert_int_equal(batch_open(fx->b), 0); /* already open: the same batch */
    assert_int_equal(store_record_transition(fx->daemon, "CAH-001", CW_UNKNOWN, CW_DOWN, T0 + 1,
                                             "timeout", &err),
                     0);
    raw = raw_open(fx->path);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 0); /* not committed yet */
    assert_int_equal(fx->seen.committed, 0);
    batch_commit(fx->b);
    assert_int_equal(fx->seen.committed, 1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM event"), 1);
    batch_commit(fx->b); /* nothing open: no second hook */
    assert_int_equal(fx->seen.committed, 1);
    sqlite3_close(raw);
}

static void test_commit_timer_closes_the_batch(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(batch_open(fx->b), 0);
    ev_run(fx->loop, EVRUN_ONCE); /* the only watcher: the commit timer */
    assert_int_equal(fx->seen.committed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_change_is_adopted_when_the_batch_opens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_own_writes_are_not_adopted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_calls_the_hook_and_lands_in_the_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commit_timer_closes_the_batch, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
