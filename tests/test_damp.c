/* test_damp.c - the damping of state changes into alerts ([alerts] hold): a change is told
 * once it has lasted hold, a flip back within hold is told of never, a flapping camera is told
 * of once and once more when it settles, whatever the clock that drives it. A fake clock:
 * every time here is a number the test chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/damp.h"

#define HOLD 120000 /* 2 min, the default */
#define T0 1000000

struct ev {
    int64_t at;
    enum cw_state to;
};

#define ALERTS_MAX 64

struct got {
    struct damp_alert v[ALERTS_MAX];
    int n;
};

static void take(struct damp *d, const struct damp_params *p, int64_t now, struct got *g)
{
    struct damp_alert a;

    while (damp_advance(d, p, now, &a)) {
        assert_true(g->n < ALERTS_MAX);
        g->v[g->n++] = a;
    }
}

/* Feed evs (in order) to a camera found in `start` at T0, advancing the clock to each event
 * and then to end; with step > 0, also at every step ms in between (a watcher that ticks). */
static void run(enum cw_state start, const struct ev *evs, size_t n, int64_t end, int64_t step,
                const struct damp_params *p, struct got *g)
{
    struct damp d;
    int64_t now = T0;

    memset(g, 0, sizeof(*g));
    damp_init(&d, start, T0);
    for (size_t i = 0; i <= n; i++) {
        int64_t until = i < n ? evs[i].at : end;
        if (step > 0)
            for (; now + step < until; now += step)
                take(&d, p, now + step, g);
        now = until;
        take(&d, p, now, g);
        if (i < n)
            damp_change(&d, evs[i].to, evs[i].at);
    }
    take(&d, p, end, g);
}

static const struct damp_params params = {HOLD, 0};

/* run() on a clock ticking each second, expecting count alerts. */
static void run_expect(enum cw_state start, const struct ev *evs, size_t n, int64_t end, int count,
                       struct got *g)
{
    run(start, evs, n, end, 1000, &params, g);
    assert_int_equal(g->n, count);
}

static void assert_alert(const struct damp_alert *a, enum damp_kind kind, enum cw_state from,
                         enum cw_state to, int64_t at)
{
    assert_string_equal(damp_kind_name(a->kind), damp_kind_name(kind));
    assert_string_equal(cw_state_name(a->from), cw_state_name(from));
    assert_string_equal(cw_state_name(a->to), cw_state_name(to));
    assert_int_equal(a->at_ms, at);
}

static void test_change_is_told_once_it_lasted_hold(void **state)
{
    const struct ev evs[] = {{T0 + 5000, CW_DOWN}};
    struct got g;
    (void)state;

    run_expect(CW_UP, evs, 1, T0 + 5000 + HOLD - 1, 0, &g); /* one ms short of hold: nothing yet */
    run_expect(CW_UP, evs, 1, T0 + 10 * HOLD, 1, &g);
    assert_alert(&g.v[0], DAMP_CHANGE, CW_UP, CW_DOWN, T0 + 5000 + HOLD);
    assert_int_equal(g.v[0].since_ms, T0 + 5000);
    assert_int_equal(g.v[0].changes, 1);
}

static void test_flip_back_within_hold_is_never_told(void **state)
{
    const struct ev evs[] = {{T0 + 5000, CW_DOWN}, {T0 + 5000 + HOLD - 1, CW_UP}};
    struct got g;
    (void)state;

    run_expect(CW_UP, evs, 2, T0 + 10 * HOLD, 0, &g);
}

static void test_two_changes_settling_elsewhere_are_one_change(void **state)
{
    /* Down, then back but degraded: people hear "up -> degraded" once. */
    const struct ev evs[] = {{T0 + 1000, CW_DOWN}, {T0 + 31000, CW_DEGRADED}};
    struct got g;
    (void)state;

    run_expect(CW_UP, evs, 2, T0 + 10 * HOLD, 1, &g);
    assert_alert(&g.v[0], DAMP_CHANGE, CW_UP, CW_DEGRADED, T0 + 31000 + HOLD);
    assert_int_equal(g.v[0].changes, 2);
}

/* evs[n] = `to`, after ms more than evs[n - 1]; returns n + 1. */
static size_t append(struct ev *evs, size_t n, int64_t after, enum cw_state to)
{
    evs[n] = (struct ev){evs[n - 1].at + after, to};
    return n + 1;
}

/* Down and up every 30 s for an hour, then in `last` for good. */
static size_t flap_an_hour(struct ev *evs, enum cw_state last)
{
    size_t n = 0;

    for (int64_t t = T0 + 1000; t < T0 + 3600000; t += 30000, n++)
        evs[n] = (struct ev){t, n % 2 == 0 ? CW_DOWN : CW_UP};
    if (evs[n - 1].to != last)
        n = append(evs, n, 30000, last);
    return n;
}

/* An hour of flapping that ends in `last`, run from up: told it flaps, then that it settled in
 * last. Returns the number of events. */
static size_t flap_an_hour_told_twice(enum cw_state last, struct ev *evs, struct got *g)
{
    size_t n = flap_an_hour(evs, last);

    run(CW_UP, evs, n, evs[n - 1].at + 10 * HOLD, 1000, &params, g);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->v[0].kind, DAMP_FLAPPING);
    assert_alert(&g->v[1], DAMP_SETTLED, CW_UP, last, evs[n - 1].at + HOLD);
    return n;
}

static void test_flapping_for_an_hour_is_told_once_then_once_settled(void **state)
{
    struct ev evs[256];
    struct got g;
    size_t n = flap_an_hour_told_twice(CW_DOWN, evs, &g);
    (void)state;

    /* The third change (t = 61 s) is before hold: flapping once the run is hold old, with
     * the four changes made by then (the fifth comes at that same ms, after). */
    assert_alert(&g.v[0], DAMP_FLAPPING, CW_UP, CW_UP, T0 + 1000 + HOLD);
    assert_int_equal(g.v[0].since_ms, T0 + 1000);
    assert_int_equal(g.v[0].changes, 4);
    assert_int_equal(g.v[1].since_ms, evs[n - 1].at);
    assert_int_equal(g.v[1].changes, (int)n);
}

static void test_flapping_that_settles_where_it_was_is_told_it_settled(void **state)
{
    struct ev evs[256];
    struct got g;
    (void)state;

    flap_an_hour_told_twice(CW_UP, evs, &g);
    assert_int_equal(g.v[1].to, g.v[1].from); /* news all the same: it had been flapping */
}

static void test_third_change_after_hold_is_flapping_at_once(void **state)
{
    /* Each state lasts a little less than hold: never settled, and the run turns flapping at
     * its third change. */
    const struct ev evs[] = {{T0 + 1000, CW_DOWN},
                             {T0 + 1000 + HOLD - 10, CW_UP},
                             {T0 + 1000 + 2 * HOLD - 20, CW_DOWN},
                             {T0 + 1000 + 3 * HOLD - 30, CW_UP}};
    struct got g;
    (void)state;

    run_expect(CW_UP, evs, 4, T0 + 10 * HOLD, 2, &g);
    assert_alert(&g.v[0], DAMP_FLAPPING, CW_UP, CW_DOWN, T0 + 1000 + 2 * HOLD - 20);
    assert_int_equal(g.v[0].changes, 3);
    assert_alert(&g.v[1], DAMP_SETTLED, CW_UP, CW_UP, T0 + 1000 + 4 * HOLD - 30);
}

static void test_a_late_clock_gives_what_a_ticking_one_gives(void **state)
{
    struct ev evs[256];
    size_t n = flap_an_hour(evs, CW_DOWN);
    struct got ticking, late;
    (void)state;

    n = append(evs, n, 3 * HOLD, CW_UP);   /* told: down -> up */
    n = append(evs, n, 2 * HOLD, CW_DOWN); /* a blip: never told */
    n = append(evs, n, HOLD / 2, CW_UP);
    run(CW_UP, evs, n, evs[n - 1].at + 10 * HOLD, 500, &params, &ticking);
    run(CW_UP, evs, n, evs[n - 1].at + 10 * HOLD, 0, &params, &late);
    assert_int_equal(ticking.n, 3); /* flapping, settled down, up */
    assert_int_equal(late.n, ticking.n);
    for (int i = 0; i < ticking.n; i++) {
        assert_alert(&late.v[i], ticking.v[i].kind, ticking.v[i].from, ticking.v[i].to,
                     ticking.v[i].at_ms);
        assert_int_equal(late.v[i].since_ms, ticking.v[i].since_ms);
        assert_int_equal(late.v[i].changes, ticking.v[i].changes);
    }
    assert_int_equal(ticking.v[0].kind, DAMP_FLAPPING);
    assert_int_equal(ticking.v[1].kind, DAMP_SETTLED);
    assert_alert(&ticking.v[2], DAMP_CHANGE, CW_DOWN, CW_UP, evs[n - 3].at + HOLD);
}

/* A camera up since T0 that changed to `to` at T0 + 1 s. */
static void up_then(struct damp *d, enum cw_state to)
{
    damp_init(d, CW_UP, T0);
    damp_change(d, to, T0 + 1000);
}

static void test_all_that_is_due_comes_out_in_order_from_one_late_call(void **state)
{
    struct damp d;
    struct damp_alert a;
    (void)state;

    up_then(&d, CW_DOWN);
    damp_change(&d, CW_UP, T0 + 2000);
    damp_change(&d, CW_DOWN, T0 + 3000);
    assert_int_equal(damp_next(&d, &params), T0 + 1000 + HOLD);
    assert_int_equal(damp_advance(&d, &params, T0 + 100 * HOLD, &a), 1);
    assert_int_equal(a.kind, DAMP_FLAPPING);
    assert_int_equal(damp_next(&d, &params), T0 + 3000 + HOLD);
    assert_int_equal(damp_advance(&d, &params, T0 + 100 * HOLD, &a), 1);
    assert_alert(&a, DAMP_SETTLED, CW_UP, CW_DOWN, T0 + 3000 + HOLD);
    assert_int_equal(damp_advance(&d, &params, T0 + 100 * HOLD, &a), 0);
    assert_int_equal(damp_next(&d, &params), INT64_MAX);
}

static void test_first_state_after_unknown_is_told_unless_up(void **state)
{
    const struct ev up[] = {{T0 + 1000, CW_UP}};
    const struct ev down[] = {{T0 + 1000, CW_DOWN}};
    struct got g;
    (void)state;

    run_expect(CW_UNKNOWN, up, 1, T0 + 10 * HOLD, 0, &g);
    run_expect(CW_UNKNOWN, down, 1, T0 + 10 * HOLD, 1, &g);
    assert_alert(&g.v[0], DAMP_CHANGE, CW_UNKNOWN, CW_DOWN, T0 + 1000 + HOLD);
}

static void test_maintenance_is_silent_and_down_after_it_is_told(void **state)
{
    const struct ev evs[] = {{T0 + 1000, CW_MAINTENANCE},
                             {T0 + 1000 + 5 * HOLD, CW_UNKNOWN},
                             {T0 + 1000 + 5 * HOLD + 2000, CW_DOWN}};
    struct got g;
    (void)state;

    run_expect(CW_DOWN, evs, 1, T0 + 10 * HOLD, 0, &g);
    run_expect(CW_DOWN, evs, 3, T0 + 20 * HOLD, 1, &g);
    assert_alert(&g.v[0], DAMP_CHANGE, CW_MAINTENANCE, CW_DOWN, T0 + 1000 + 6 * HOLD + 2000);
}

static void test_flapping_then_maintenance_settles_silently(void **state)
{
    const struct ev evs[] = {{T0 + 1000, CW_DOWN},
                             {T0 + 2000, CW_UP},
                             {T0 + 3000, CW_DOWN},
                             {T0 + 2000 + HOLD, CW_MAINTENANCE}}; /* down for less than hold */
    struct got g;
    (void)state;

    run_expect(CW_UP, evs, 4, T0 + 10 * HOLD, 1, &g);
    assert_int_equal(g.v[0].kind, DAMP_FLAPPING);
}

static void test_time_before_a_restart_is_not_vouched_for(void **state)
{
    const struct damp_params resumed = {HOLD, T0 + 50 * HOLD};
    struct damp d;
    struct damp_alert a;
    (void)state;

    /* Down at T0 + 1 s, then the daemon was off; it starts again at resumed_ms. */
    up_then(&d, CW_DOWN);
    assert_int_equal(damp_advance(&d, &resumed, resumed.resumed_ms, &a), 0);
    assert_int_equal(damp_next(&d, &resumed), resumed.resumed_ms + HOLD);
    assert_int_equal(damp_advance(&d, &resumed, resumed.resumed_ms + HOLD, &a), 1);
    assert_alert(&a, DAMP_CHANGE, CW_UP, CW_DOWN, resumed.resumed_ms + HOLD);
    assert_int_equal(a.since_ms, T0 + 1000); /* since when it really changed */
}

static void test_a_change_to_the_same_state_is_no_change(void **state)
{
    struct damp d;
    struct damp_alert a;
    (void)state;

    up_then(&d, CW_UP);
    assert_int_equal(d.pending, 0);
    assert_int_equal(damp_next(&d, &params), INT64_MAX);
    assert_int_equal(damp_advance(&d, &params, T0 + 10 * HOLD, &a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_is_told_once_it_lasted_hold),
        cmocka_unit_test(test_flip_back_within_hold_is_never_told),
        cmocka_unit_test(test_two_changes_settling_elsewhere_are_one_change),
        cmocka_unit_test(test_flapping_for_an_hour_is_told_once_then_once_settled),
        cmocka_unit_test(test_flapping_that_settles_where_it_was_is_told_it_settled),
        cmocka_unit_test(test_third_change_after_hold_is_flapping_at_once),
        cmocka_unit_test(test_a_late_clock_gives_what_a_ticking_one_gives),
        cmocka_unit_test(test_all_that_is_due_comes_out_in_order_from_one_late_call),
        cmocka_unit_test(test_first_state_after_unknown_is_told_unless_up),
        cmocka_unit_test(test_maintenance_is_silent_and_down_after_it_is_told),
        cmocka_unit_test(test_flapping_then_maintenance_settles_silently),
        cmocka_unit_test(test_time_before_a_restart_is_not_vouched_for),
        cmocka_unit_test(test_a_change_to_the_same_state_is_no_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
