/* test_fleet_pace.c - the pace the fleet keeps, as pure rules: a down camera's backoff and
 * short timeout, the lane a failing camera waits in (daemon/fleet_rtsp.c), how a budget
 * spreads samples over the fleet and in what order the pacer takes cameras
 * (daemon/fleet_sample.c). Time is a number the test passes; no loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/fleet_cam.h"
#include "../daemon/fleet_rtsp.h"
#include "../daemon/fleet_sample.h"

static const struct cfg_rtsp rtsp = {
    .interval_ms = 30000,
    .timeout_ms = 5000,
    .down_after = 3,
    .up_after = 2,
    .down_interval_ms = 120000,
    .down_timeout_ms = 2000,
};

static struct health cam(enum cw_state st, enum health_verdict kind, int streak)
{
    struct health h = {.state = st, .streak_kind = kind, .streak = streak};

    return h;
}

static void test_a_down_camera_backs_off_doubling_up_to_down_interval(void **state)
{
    static const struct {
        enum cw_state state;
        enum health_verdict kind;
        int streak;
        int64_t interval_ms;
    } cases[] = {
        {CW_UP, HEALTH_FAIL, 2, 30000},     /* failing, not down yet: the interval */
        {CW_DOWN, HEALTH_FAIL, 3, 60000},   /* down at the 3rd failure: 60 s, */
        {CW_DOWN, HEALTH_FAIL, 4, 120000},  /* then 120 s, */
        {CW_DOWN, HEALTH_FAIL, 40, 120000}, /* and never more */
        {CW_DOWN, HEALTH_OK, 0, 60000},     /* as the store said, no run of failures: a step */
        /* Down at its first failure (never up: the first verdict decides), its run under
         * down_after: one step all the same. */
        {CW_DOWN, HEALTH_FAIL, 1, 60000},
        {CW_DOWN, HEALTH_FAIL, 2, 60000},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct health h = cam(cases[i].state, cases[i].kind, cases[i].streak);

        assert_int_equal(fleet_rtsp_interval(&rtsp, &h), cases[i].interval_ms);
    }
}

/* The same backoff along the health state machine's own runs (daemon/health.c): it counts a
 * down camera's failures, not a streak the machine keeps at 0 while down. */
static void test_the_backoff_grows_with_each_failure_health_records(void **state)
{
    struct cfg_rtsp r = rtsp;
    struct health_params hp = {r.down_after, r.up_after};
    struct health_transition t;
    struct health h;
    int64_t now = 1700000000000LL;
    static const int64_t want[] = {30000, 30000, 60000, 120000, 240000, 300000, 300000};
    (void)state;

    r.down_interval_ms = 300000;
    health_init(&h, CW_UNKNOWN, now, "");
    (void)health_record_probe(&h, &hp, HEALTH_OK, "", now, &t);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        (void)health_record_probe(&h, &hp, HEALTH_FAIL, "timeout", now += 1000, &t);
        assert_int_equal(fleet_rtsp_interval(&r, &h), want[i]);
    }
    assert_int_equal(h.state, CW_DOWN);
    /* An answer, then a failure again: the count starts over, one failure since (not six). */
    (void)health_record_probe(&h, &hp, HEALTH_OK, "", now += 1000, &t);
    (void)health_record_probe(&h, &hp, HEALTH_FAIL, "timeout", now += 1000, &t);
    assert_int_equal(h.state, CW_DOWN);
    assert_int_equal(fleet_rtsp_interval(&r, &h), 120000);
    health_free(&h);
}

static void test_down_interval_off_probes_a_down_camera_like_the_others(void **state)
{
    struct cfg_rtsp r = rtsp;
    struct health h = cam(CW_DOWN, HEALTH_FAIL, 9);
    (void)state;

    r.down_interval_ms = 0;
    assert_int_equal(fleet_rtsp_interval(&r, &h), 30000);
    r.down_interval_ms = 20000; /* under the interval: no backoff either */
    assert_int_equal(fleet_rtsp_interval(&r, &h), 30000);
}

static void test_only_a_down_camera_gets_the_short_timeout(void **state)
{
    struct health up = cam(CW_UP, HEALTH_FAIL, 2), down = cam(CW_DOWN, HEALTH_FAIL, 3);
    struct cfg_rtsp r = rtsp;
    (void)state;

    assert_int_equal(fleet_rtsp_timeout(&rtsp, &up), 5000);
    assert_int_equal(fleet_rtsp_timeout(&rtsp, &down), 2000);
    r.down_timeout_ms = 9000; /* never longer than the timeout */
    assert_int_equal(fleet_rtsp_timeout(&r, &down), 5000);
}

static void test_a_camera_whose_last_probe_failed_waits_in_the_bad_lane(void **state)
{
    struct health h;
    (void)state;

    h = cam(CW_UNKNOWN, HEALTH_OK, 0);
    assert_int_equal(fleet_rtsp_lane(&h), SCHED_LANE_GOOD);
    h = cam(CW_UP, HEALTH_OK, 5);
    assert_int_equal(fleet_rtsp_lane(&h), SCHED_LANE_GOOD);
    h = cam(CW_DEGRADED, HEALTH_DEGRADED, 5);
    assert_int_equal(fleet_rtsp_lane(&h), SCHED_LANE_GOOD);
    h = cam(CW_UP, HEALTH_FAIL, 1);
    assert_int_equal(fleet_rtsp_lane(&h), SCHED_LANE_BAD);
    h = cam(CW_DOWN, HEALTH_OK, 1); /* answering again, not up yet: still under suspicion */
    assert_int_equal(fleet_rtsp_lane(&h), SCHED_LANE_BAD);
}

static void test_a_budget_spreads_samples_and_never_beats_the_interval(void **state)
{
    (void)state;
    /* 40 ms a sample at 1 % of one core: one every 4 s, whatever the fleet's size. */
    assert_float_equal(fleet_sample_gap_s(1.0, 0.04), 4.0, 1e-9);
    /* Twice the CPU a sample, half as many; a bigger budget, more. */
    assert_float_equal(fleet_sample_gap_s(1.0, 0.08), 8.0, 1e-9);
    assert_float_equal(fleet_sample_gap_s(5.0, 0.04), 0.8, 1e-9);
    assert_float_equal(fleet_sample_gap_s(0, 0.04), 0, 0); /* no budget: no pacer */
    /* 10,000 cameras: a round of 40,000 s (11 h); 128: the budget would allow a round in
     * 512 s, but no camera is sampled more often than every 10 minutes. */
    assert_float_equal(fleet_sample_round_s(1.0, 0.04, 600000, 10000), 40000.0, 1e-6);
    assert_float_equal(fleet_sample_round_s(1.0, 0.04, 600000, 128), 600.0, 1e-9);
}

#define N_CAMS 5

/* A fleet of N_CAMS up cameras, none sampled yet, for the pacer alone (no loop, no store). */
struct pace_fx {
    struct cfg cfg;
    struct fleet_env env;
    struct fleet_cam cams[N_CAMS];
    struct fleet_cam *order[N_CAMS];
};

static void pace_fx_init(struct pace_fx *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->cfg.stream.interval_ms = 600000;
    fx->cfg.stream.budget_pct = 1.0;
    fx->env.cfg = &fx->cfg;
    for (int i = 0; i < N_CAMS; i++) {
        fx->cams[i].env = &fx->env;
        fx->cams[i].v.h.state = CW_UP;
        fx->order[i] = &fx->cams[i];
    }
    fleet_sample_pace_cams(&fx->env, fx->order, N_CAMS);
}

/* What the pacer picks now, as the camera's index (-1: none); as if its sample began then. */
static int pick(struct pace_fx *fx, double now)
{
    struct fleet_cam *cam = fleet_sample_pick(&fx->env, now);

    if (cam == NULL)
        return -1;
    cam->last_sample_s = now;
    return (int)(cam - fx->cams);
}

static void test_the_pacer_goes_round_the_fleet_once_per_interval_at_most(void **state)
{
    struct pace_fx fx;
    double t = 1000.0;
    (void)state;

    pace_fx_init(&fx);
    fx.cams[3].v.h.state = CW_DOWN; /* a down camera is skipped: it would not stream */
    assert_int_equal(pick(&fx, t), 0);
    assert_int_equal(pick(&fx, t + 4), 1);
    assert_int_equal(pick(&fx, t + 8), 2);
    assert_int_equal(pick(&fx, t + 12), 4);
    /* Everyone sampled within the interval: nothing, however often the pacer asks. */
    assert_int_equal(pick(&fx, t + 16), -1);
    assert_int_equal(pick(&fx, t + 599), -1);
    /* An interval after its last sample, the round begins again where it is due. */
    assert_int_equal(pick(&fx, t + 600), 0);
    assert_int_equal(pick(&fx, t + 601), -1);
    assert_int_equal(pick(&fx, t + 604), 1);
}

static void test_a_camera_just_back_is_sampled_before_the_rounds_turn(void **state)
{
    struct pace_fx fx;
    double t = 1000.0;
    (void)state;

    pace_fx_init(&fx);
    for (int i = 0; i < N_CAMS; i++)
        assert_int_equal(pick(&fx, t + i), i);
    /* Camera 3 was down and answers again: next, though sampled a minute ago. */
    fleet_sample_soon(&fx.cams[3]);
    assert_int_equal(pick(&fx, t + 60), 3);
    assert_int_equal(pick(&fx, t + 64), -1);
    /* One that went down again before its turn is dropped from the list, not sampled. */
    fleet_sample_soon(&fx.cams[1]);
    fx.cams[1].v.h.state = CW_DOWN;
    assert_int_equal(pick(&fx, t + 68), -1);
    fx.cams[1].v.h.state = CW_UP;
    assert_int_equal(pick(&fx, t + 600), 0);
    assert_int_equal(pick(&fx, t + 601), 1);
}

static void test_cameras_with_a_fault_every_time_never_stop_the_round(void **state)
{
    struct pace_fx fx;
    int round_seen[N_CAMS] = {0};
    (void)state;

    pace_fx_init(&fx);
    fleet_sample_again(&fx.cams[0]);
    fleet_sample_again(&fx.cams[1]);
    /* Cameras 0 and 1 find a fault in every sample, and each pick is an interval after the
     * last, so one of them is always due: they take every other sample, and the round still
     * reaches every other camera in turn. */
    for (int n = 0; n < 8; n++) {
        int c = pick(&fx, 1000.0 + 600.0 * n);

        assert_true(c >= 0);
        if (n % 2 == 0)
            assert_true(c == 0 || c == 1);
        else if (c >= 0 && c < N_CAMS)
            round_seen[c]++;
        if (c == 0 || c == 1)
            fleet_sample_again(&fx.cams[c]);
    }
    for (int i = 2; i < N_CAMS; i++)
        assert_true(round_seen[i] >= 1);
    assert_int_equal(round_seen[0] + round_seen[1], 0); /* the list has them */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_down_camera_backs_off_doubling_up_to_down_interval),
        cmocka_unit_test(test_the_backoff_grows_with_each_failure_health_records),
        cmocka_unit_test(test_down_interval_off_probes_a_down_camera_like_the_others),
        cmocka_unit_test(test_only_a_down_camera_gets_the_short_timeout),
        cmocka_unit_test(test_a_camera_whose_last_probe_failed_waits_in_the_bad_lane),
        cmocka_unit_test(test_a_budget_spreads_samples_and_never_beats_the_interval),
        cmocka_unit_test(test_the_pacer_goes_round_the_fleet_once_per_interval_at_most),
        cmocka_unit_test(test_a_camera_just_back_is_sampled_before_the_rounds_turn),
        cmocka_unit_test(test_cameras_with_a_fault_every_time_never_stop_the_round),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
