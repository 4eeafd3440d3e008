/* test_sched.c - the probe scheduler (daemon/sched.c) on a real libev loop, with a kind of
 * probe made for the test: its ops record what the scheduler asked of them. Slots, FIFO
 * order, a probe that ends inside its own start, re-arming (and not, with --once), the due
 * op's three answers, cancel and stop. Nothing here measures time: timers are read back
 * (armed or not, the delay they were set to), or fired by running the loop once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/sched.h"

#define N_ENTRIES 100

struct test_kind {
    int started[N_ENTRIES]; /* owner indices, in start order */
    int n_started;
    int cancelled[N_ENTRIES];
    int n_cancelled;
    int finish_in_start; /* the probe ends at once, as one that cannot start */
    int depth, max_depth;
    int64_t interval_ms;
    enum sched_due due;
    int n_due;
};

struct test_cam {
    int index;
    struct sched_entry e;
};

static void tk_start(struct sched_entry *e, void *data)
{
    struct test_kind *k = data;
    struct test_cam *c = e->owner;

    k->depth++;
    if (k->depth > k->max_depth)
        k->max_depth = k->depth;
    k->started[k->n_started++] = c->index;
    if (k->finish_in_start)
        sched_finish(e);
    k->depth--;
}

static void tk_cancel(struct sched_entry *e, void *data)
{
    struct test_kind *k = data;
    struct test_cam *c = e->owner;

    k->cancelled[k->n_cancelled++] = c->index;
}

static int64_t tk_interval_ms(struct sched_entry *e, void *data)
{
    struct test_kind *k = data;

    (void)e;
    return k->interval_ms;
}

static enum sched_due tk_due(struct sched_entry *e, void *data)
{
    struct test_kind *k = data;

    (void)e;
    k->n_due++;
    return k->due;
}

static const struct sched_ops tk_ops = {tk_due, tk_start, tk_cancel, tk_interval_ms};

struct fixture {
    struct ev_loop *loop;
    struct sched *s;
    struct sched_kind *kind;
    struct test_kind tk;
    struct test_cam cams[N_ENTRIES];
};

static struct fixture *make(int once, int slots)
{
    static struct fixture fx;
    struct cw_err err;

    memset(&fx, 0, sizeof(fx));
    fx.loop = ev_loop_new(EVFLAG_AUTO);
    assert_non_null(fx.loop);
    assert_int_equal(sched_new(fx.loop, once, &fx.s, &err), 0);
    fx.tk.interval_ms = 30000;
    fx.tk.due = SCHED_RUN;
    fx.kind = sched_add_kind(fx.s, &tk_ops, &fx.tk, slots, &err);
    assert_non_null(fx.kind);
    for (int i = 0; i < N_ENTRIES; i++) {
        fx.cams[i].index = i;
        sched_entry_init(&fx.cams[i].e, fx.kind, &fx.cams[i]);
    }
    return &fx;
}

static void drop(struct fixture *fx)
{
    for (int i = 0; i < N_ENTRIES; i++)
        sched_cancel(&fx->cams[i].e);
    sched_free(fx->s);
    ev_loop_destroy(fx->loop);
}

static void test_kind_never_runs_more_than_its_slots_in_fifo_order(void **state)
{
    struct fixture *fx = make(0, 2);
    (void)state;

    for (int i = 0; i < 5; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 2);
    assert_int_equal(sched_running(fx->kind), 2);
    assert_int_equal(fx->tk.started[0], 0);
    assert_int_equal(fx->tk.started[1], 1);
    sched_finish(&fx->cams[1].e);
    assert_int_equal(fx->tk.n_started, 3);
    assert_int_equal(fx->tk.started[2], 2);
    assert_int_equal(sched_running(fx->kind), 2);
    assert_true(sched_pending(&fx->cams[4].e));
    assert_false(sched_pending(&fx->cams[1].e));
    drop(fx);
}

static void test_enqueue_twice_or_while_running_queues_once(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    sched_enqueue(&fx->cams[0].e);
    sched_enqueue(&fx->cams[0].e);
    sched_dispatch(fx->kind);
    sched_enqueue(&fx->cams[0].e); /* running */
    sched_finish(&fx->cams[0].e);
    assert_int_equal(fx->tk.n_started, 1);
    drop(fx);
}

static void test_probe_ending_in_its_start_lets_the_next_in_without_recursion(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    fx->tk.finish_in_start = 1;
    for (int i = 0; i < N_ENTRIES; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, N_ENTRIES);
    assert_int_equal(fx->tk.max_depth, 1);
    for (int i = 0; i < N_ENTRIES; i++)
        assert_int_equal(fx->tk.started[i], i);
    assert_int_equal(sched_running(fx->kind), 0);
    drop(fx);
}

static void test_finish_rearms_within_the_jitter(void **state)
{
    struct fixture *fx = make(0, 4);
    (void)state;

    for (int i = 0; i < 4; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    for (int i = 0; i < 4; i++) {
        double left;

        assert_false(sched_armed(&fx->cams[i].e));
        sched_finish(&fx->cams[i].e);
        assert_true(sched_armed(&fx->cams[i].e));
        left = ev_timer_remaining(fx->loop, &fx->cams[i].e.due);
        assert_true(left >= 30.0 * (1.0 - SCHED_JITTER_FRACTION) - 1e-6);
        assert_true(left <= 30.0 * (1.0 + SCHED_JITTER_FRACTION) + 1e-6);
    }
    drop(fx);
}

static void test_once_never_rearms(void **state)
{
    struct fixture *fx = make(1, 1);
    (void)state;

    sched_enqueue(&fx->cams[0].e);
    sched_dispatch(fx->kind);
    sched_finish(&fx->cams[0].e);
    assert_false(sched_armed(&fx->cams[0].e));
    assert_false(sched_pending(&fx->cams[0].e));
    drop(fx);
}

static void test_no_interval_leaves_the_entry_idle(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    fx->tk.interval_ms = 0;
    sched_enqueue(&fx->cams[0].e);
    sched_dispatch(fx->kind);
    sched_finish(&fx->cams[0].e);
    assert_false(sched_armed(&fx->cams[0].e));
    drop(fx);
}

static void test_due_run_starts_skip_rearms_idle_leaves(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    sched_arm(&fx->cams[0].e, 0.0);
    ev_run(fx->loop, EVRUN_ONCE);
    assert_int_equal(fx->tk.n_due, 1);
    assert_int_equal(fx->tk.n_started, 1);
    assert_false(sched_armed(&fx->cams[0].e));
    sched_finish(&fx->cams[0].e);

    fx->tk.due = SCHED_SKIP;
    sched_arm(&fx->cams[1].e, 0.0);
    ev_run(fx->loop, EVRUN_ONCE);
    assert_int_equal(fx->tk.n_due, 2);
    assert_int_equal(fx->tk.n_started, 1);
    assert_true(sched_armed(&fx->cams[1].e));
    assert_true(ev_timer_remaining(fx->loop, &fx->cams[1].e.due) > 1.0);
    sched_cancel(&fx->cams[1].e);

    fx->tk.due = SCHED_IDLE;
    sched_arm(&fx->cams[2].e, 0.0);
    ev_run(fx->loop, EVRUN_ONCE);
    assert_int_equal(fx->tk.n_due, 3);
    assert_int_equal(fx->tk.n_started, 1);
    assert_false(sched_armed(&fx->cams[2].e));
    assert_false(sched_pending(&fx->cams[2].e));
    drop(fx);
}

static void test_cancel_unqueues_and_abandons_the_running_probe(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    for (int i = 0; i < 3; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    sched_cancel(&fx->cams[1].e); /* queued, in the middle */
    assert_false(sched_pending(&fx->cams[1].e));
    assert_int_equal(fx->tk.n_cancelled, 0);
    sched_cancel(&fx->cams[0].e); /* running */
    assert_int_equal(fx->tk.n_cancelled, 1);
    assert_int_equal(fx->tk.cancelled[0], 0);
    assert_int_equal(sched_running(fx->kind), 0);
    assert_false(sched_armed(&fx->cams[0].e));
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 2);
    assert_int_equal(fx->tk.started[1], 2);
    drop(fx);
}

static void test_stop_empties_the_queues_and_starts_nothing(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    for (int i = 0; i < 3; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    sched_stop(fx->s);
    assert_false(sched_pending(&fx->cams[1].e));
    assert_false(sched_pending(&fx->cams[2].e));
    sched_finish(&fx->cams[0].e);
    assert_false(sched_armed(&fx->cams[0].e)); /* no re-arm after a stop */
    sched_enqueue(&fx->cams[1].e);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 1);
    drop(fx);
}

static void test_new_slots_hold_from_the_next_dispatch(void **state)
{
    struct fixture *fx = make(0, 1);
    (void)state;

    for (int i = 0; i < 4; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 1);
    sched_set_slots(fx->kind, 3);
    assert_int_equal(fx->tk.n_started, 1);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 3);
    drop(fx);
}

static void test_entry_of_no_kind_does_nothing(void **state)
{
    struct fixture *fx = make(0, 1);
    struct test_cam c;
    (void)state;

    memset(&c, 0, sizeof(c));
    sched_entry_init(&c.e, NULL, &c);
    sched_arm(&c.e, 0.0);
    sched_enqueue(&c.e);
    assert_false(sched_armed(&c.e));
    assert_false(sched_pending(&c.e));
    sched_dispatch(NULL);
    sched_finish(&c.e);
    sched_cancel(&c.e);
    assert_int_equal(fx->tk.n_started, 0);
    drop(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_never_runs_more_than_its_slots_in_fifo_order),
        cmocka_unit_test(test_enqueue_twice_or_while_running_queues_once),
        cmocka_unit_test(test_probe_ending_in_its_start_lets_the_next_in_without_recursion),
        cmocka_unit_test(test_finish_rearms_within_the_jitter),
        cmocka_unit_test(test_once_never_rearms),
        cmocka_unit_test(test_no_interval_leaves_the_entry_idle),
        cmocka_unit_test(test_due_run_starts_skip_rearms_idle_leaves),
        cmocka_unit_test(test_cancel_unqueues_and_abandons_the_running_probe),
        cmocka_unit_test(test_stop_empties_the_queues_and_starts_nothing),
        cmocka_unit_test(test_new_slots_hold_from_the_next_dispatch),
        cmocka_unit_test(test_entry_of_no_kind_does_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
