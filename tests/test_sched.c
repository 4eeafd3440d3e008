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
#include "cwtest.h"

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
    int bad[N_ENTRIES]; /* the lane each owner index waits in */
    struct cwtest_clock clock;
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

static enum sched_lane tk_lane(struct sched_entry *e, void *data)
{
    struct test_kind *k = data;
    struct test_cam *c = e->owner;

    return k->bad[c->index] ? SCHED_LANE_BAD : SCHED_LANE_GOOD;
}

static const struct sched_ops tk_ops = {tk_due, tk_start, tk_cancel, tk_interval_ms, tk_lane};

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
    cwtest_clock_init(&fx.tk.clock, 1800000000000LL);
    sched_set_clock(fx.s, &fx.tk.clock.clock);
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
    /* Fewer on a reload (a pool shrunk): fixed at the new number, whatever the ceiling was. */
    sched_set_ceiling(fx->kind, 8);
    sched_set_slots(fx->kind, 2);
    struct sched_stats st;
    sched_get_stats(fx->kind, &st);
    assert_int_equal(st.slots, 2);
    assert_int_equal(st.ceiling, 2);
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

/* Owner index of the n-th probe started. */
static int started(const struct fixture *fx, int n)
{
    return fx->tk.started[n];
}

static void test_bad_lane_holds_a_quarter_of_the_slots_and_good_ones_go_first(void **state)
{
    struct fixture *fx = make(0, 8);
    (void)state;

    /* 0..11 bad (hanging cameras), then 20..29 good, all due at once. */
    for (int i = 0; i < 12; i++) {
        fx->tk.bad[i] = 1;
        sched_enqueue(&fx->cams[i].e);
    }
    for (int i = 20; i < 30; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    /* Eight slots: the good ones first, in order, though queued after. */
    assert_int_equal(fx->tk.n_started, 8);
    for (int n = 0; n < 8; n++)
        assert_int_equal(started(fx, n), 20 + n);
    /* Good ones end, the two good left go, then bad ones, but never more than 8 / 4 = 2. */
    for (int i = 20; i < 28; i++)
        sched_finish(&fx->cams[i].e);
    assert_int_equal(fx->tk.n_started, 12);
    assert_int_equal(started(fx, 8), 28);
    assert_int_equal(started(fx, 9), 29);
    assert_int_equal(started(fx, 10), 0);
    assert_int_equal(started(fx, 11), 1);
    /* The bad ones hang: a good camera due now still finds a slot at once, every time. */
    for (int round = 0; round < 5; round++) {
        int i = 40 + round;

        sched_enqueue(&fx->cams[i].e);
        sched_dispatch(fx->kind);
        assert_int_equal(started(fx, fx->tk.n_started - 1), i);
        sched_finish(&fx->cams[i].e);
    }
    /* The bad lane stays at two running while 10 wait. */
    struct sched_stats st;
    sched_get_stats(fx->kind, &st);
    assert_int_equal(st.running_bad, 2);
    assert_int_equal(st.queued_bad, 10);
    drop(fx);
}

static void test_slots_grow_while_probes_wait_and_shrink_back_when_idle(void **state)
{
    struct fixture *fx = make(0, 4);
    struct sched_stats st;
    (void)state;

    sched_set_ceiling(fx->kind, 9);
    for (int i = 0; i < 10; i++)
        sched_enqueue(&fx->cams[i].e);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 4);
    /* Not long enough queued: the cap stays. */
    cwtest_clock_pass(&fx->tk.clock, (int64_t)(SCHED_GROW_WAIT_S * 500));
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 4);
    /* Queued past the wait: 4 -> 6 at once, then 6 -> 9 (the ceiling), never more. */
    cwtest_clock_pass(&fx->tk.clock, (int64_t)(SCHED_GROW_WAIT_S * 1000));
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 6);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 9);
    sched_dispatch(fx->kind);
    assert_int_equal(fx->tk.n_started, 9);
    sched_get_stats(fx->kind, &st);
    assert_int_equal(st.slots, 9);
    assert_int_equal(st.floor, 4);
    /* All end. The window that used 9 keeps 9; each quiet one after it (one running at most)
     * takes a quarter off: 9 -> 7 -> 6 -> 5 -> 4, and never under the floor. */
    for (int i = 0; i < 9; i++)
        sched_finish(&fx->cams[i].e);
    sched_finish(&fx->cams[9].e);
    int expect[] = {9, 7, 6, 5, 4, 4};
    for (int w = 0; w < 6; w++) {
        cwtest_clock_pass(&fx->tk.clock, (int64_t)(SCHED_SHRINK_S * 1000));
        sched_enqueue(&fx->cams[50].e);
        sched_dispatch(fx->kind);
        sched_finish(&fx->cams[50].e);
        sched_get_stats(fx->kind, &st);
        assert_int_equal(st.slots, expect[w]);
    }
    drop(fx);
}

static void test_probes_started_past_their_due_time_are_counted_late(void **state)
{
    struct fixture *fx = make(0, 1);
    struct sched_stats st;
    (void)state;

    sched_set_ceiling(fx->kind, 1); /* fixed: the second waits for the first */
    sched_enqueue(&fx->cams[0].e);
    sched_enqueue(&fx->cams[1].e);
    sched_dispatch(fx->kind);
    cwtest_clock_pass(&fx->tk.clock, (int64_t)(SCHED_LATE_S * 3000));
    sched_finish(&fx->cams[0].e); /* 1 starts now, 3 late-seconds after it was due */
    sched_get_stats(fx->kind, &st);
    assert_int_equal(st.started, 2);
    assert_int_equal(st.late, 1);
    assert_true(st.late_max_s >= SCHED_LATE_S * 3 - 1e-9);
    drop(fx);
}

static void test_next_due_counts_from_the_start_of_the_probe(void **state)
{
    struct fixture *fx = make(0, 1);
    double left;
    (void)state;

    sched_enqueue(&fx->cams[0].e);
    sched_dispatch(fx->kind);
    cwtest_clock_pass(&fx->tk.clock, 10000); /* a probe of 10 s */
    sched_finish(&fx->cams[0].e);
    left = ev_timer_remaining(fx->loop, &fx->cams[0].e.due);
    assert_true(left >= 30.0 * (1.0 - SCHED_JITTER_FRACTION) - 10.0 - 1e-6);
    assert_true(left <= 30.0 * (1.0 + SCHED_JITTER_FRACTION) - 10.0 + 1e-6);
    drop(fx);
}

/* One probe of 5 s, with the wall clock stepped by step_ms while it runs: the seconds left
 * until it is due again. */
static double left_after_step(struct fixture *fx, int64_t step_ms)
{
    double left;

    sched_enqueue(&fx->cams[0].e);
    sched_dispatch(fx->kind);
    cwtest_clock_pass(&fx->tk.clock, 2000);
    cwtest_clock_step(&fx->tk.clock, step_ms);
    cwtest_clock_pass(&fx->tk.clock, 3000);
    sched_finish(&fx->cams[0].e);
    assert_true(sched_armed(&fx->cams[0].e));
    left = ev_timer_remaining(fx->loop, &fx->cams[0].e.due);
    drop(fx);
    return left;
}

/* Before: the next due was counted on the wall clock, so a probe in flight when NTP set the
 * clock back an hour was due again after its interval and that hour: the camera went
 * unprobed for an hour, and the fleet's oldest probe did not show it. */
static void
test_a_probe_in_flight_when_the_wall_clock_steps_back_is_due_after_its_interval(void **state)
{
    double left = left_after_step(make(0, 1), -3600 * 1000LL);
    (void)state;

    assert_true(left >= 30.0 * (1.0 - SCHED_JITTER_FRACTION) - 5.0 - 1e-6);
    assert_true(left <= 30.0 * (1.0 + SCHED_JITTER_FRACTION) - 5.0 + 1e-6);
}

/* Before: a step forward made every probe in flight due at once, a herd of them. */
static void
test_a_probe_in_flight_when_the_wall_clock_steps_forward_is_not_due_at_once(void **state)
{
    double left = left_after_step(make(0, 1), 3600 * 1000LL);
    (void)state;

    assert_true(left >= 30.0 * (1.0 - SCHED_JITTER_FRACTION) - 5.0 - 1e-6);
    assert_true(left <= 30.0 * (1.0 + SCHED_JITTER_FRACTION) - 5.0 + 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_never_runs_more_than_its_slots_in_fifo_order),
        cmocka_unit_test(test_enqueue_twice_or_while_running_queues_once),
        cmocka_unit_test(test_probe_ending_in_its_start_lets_the_next_in_without_recursion),
        cmocka_unit_test(test_finish_rearms_within_the_jitter),
        cmocka_unit_test(test_once_never_rearms),
        cmocka_unit_test(
            test_a_probe_in_flight_when_the_wall_clock_steps_back_is_due_after_its_interval),
        cmocka_unit_test(
            test_a_probe_in_flight_when_the_wall_clock_steps_forward_is_not_due_at_once),
        cmocka_unit_test(test_no_interval_leaves_the_entry_idle),
        cmocka_unit_test(test_due_run_starts_skip_rearms_idle_leaves),
        cmocka_unit_test(test_cancel_unqueues_and_abandons_the_running_probe),
        cmocka_unit_test(test_stop_empties_the_queues_and_starts_nothing),
        cmocka_unit_test(test_new_slots_hold_from_the_next_dispatch),
        cmocka_unit_test(test_entry_of_no_kind_does_nothing),
        cmocka_unit_test(test_bad_lane_holds_a_quarter_of_the_slots_and_good_ones_go_first),
        cmocka_unit_test(test_slots_grow_while_probes_wait_and_shrink_back_when_idle),
        cmocka_unit_test(test_probes_started_past_their_due_time_are_counted_late),
        cmocka_unit_test(test_next_due_counts_from_the_start_of_the_probe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
