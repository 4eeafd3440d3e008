/* test_verdict.c - the verdict step (daemon/verdict.c) with a real store (SQLite file in a
 * temporary folder), the real scheduler and write batch, and kinds of probe made for the test
 * whose starts are only counted: which reasons a good answer weighs and in what order, a
 * failure, the store refusing a transition because the CLI moved the camera, and --once
 * holding a camera's one verdict until its sample and its ONVIF probe are over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../daemon/fleet_cam.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL

static int started[FLEET_KIND_COUNT];

static void count_start(struct sched_entry *e, void *data)
{
    (void)e;
    started[*(int *)data]++;
}

static void no_cancel(struct sched_entry *e, void *data)
{
    (void)e;
    (void)data;
}

static int64_t no_interval(struct sched_entry *e, void *data)
{
    (void)e;
    (void)data;
    return 0;
}

static const struct sched_ops test_ops = {NULL, count_start, no_cancel, no_interval, NULL};
static int kind_ids[FLEET_KIND_COUNT] = {FLEET_RTSP, FLEET_ONVIF, FLEET_SAMPLE};

struct fixture {
    char dir[64];
    char path[128];
    struct cfg cfg;
    struct cfg_camera cc;
    struct fleet_env env;
    struct fleet_cam cam;
    struct store *cli;
    int once_done;
};

static void on_once_done(void *data)
{
    struct fixture *fx = data;

    fx->once_done++;
}

static void on_adopt(void *data, const struct store_status *st)
{
    struct fixture *fx = data;

    if (strcmp(st->id, fx->cam.id) == 0)
        verdict_adopt(&fx->cam, st);
}

/* A camera of a fleet whose kinds are those in `kinds` (bits of enum fleet_kind). */
static struct fixture *make_kinds(int once, unsigned kinds)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct batch_hooks bh;
    struct cw_err err = {0};

    assert_non_null(fx);
    memset(started, 0, sizeof(started));
    assert_int_equal(cwtest_tmpdir(fx->dir, sizeof(fx->dir), "verdict"), 0);
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    fx->cc = (struct cfg_camera){.id = "CAH-001", .rtsp_url = "rtsp://127.0.0.1/1"};
    fx->cfg.cameras = &fx->cc;
    fx->cfg.n_cameras = 1;
    fx->cfg.rtsp = (struct cfg_rtsp){.interval_ms = 30000,
                                     .timeout_ms = 5000,
                                     .slow_ms = 2000,
                                     .down_after = 1,
                                     .up_after = 1,
                                     .concurrency = 4};
    fx->env.loop = ev_loop_new(EVFLAG_AUTO);
    fx->env.cfg = &fx->cfg;
    fx->env.once = once;
    bh = (struct batch_hooks){on_adopt, NULL, NULL, fx};
    if (store_open(fx->path, STORE_READWRITE, &fx->env.store, &err) != 0 ||
        store_sync_cameras(fx->env.store, &fx->cfg, T0, &err) != 0 ||
        store_open(fx->path, STORE_READWRITE, &fx->cli, &err) != 0 ||
        sched_new(fx->env.loop, once, &fx->env.sched, &err) != 0 ||
        batch_new(fx->env.loop, fx->env.store, &bh, &fx->env.batch, &err) != 0 ||
        verdict_new(&fx->env, on_once_done, fx, &fx->env.verdict, &err) != 0)
        fail_msg("%s", err.msg);
    for (int k = 0; k < FLEET_KIND_COUNT; k++) {
        if (!(kinds & (1u << k)))
            continue;
        fx->env.kind[k] = sched_add_kind(fx->env.sched, &test_ops, &kind_ids[k], 4, &err);
        assert_non_null(fx->env.kind[k]);
    }
    snprintf(fx->cam.id, sizeof(fx->cam.id), "%s", fx->cc.id);
    fx->cam.cc = &fx->cc;
    fx->cam.env = &fx->env;
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        sched_entry_init(&fx->cam.run[k], fx->env.kind[k], &fx->cam);
    verdict_cam_init(&fx->cam.v, T0);
    return fx;
}

static struct fixture *make(int once)
{
    return make_kinds(once, (1u << FLEET_KIND_COUNT) - 1);
}

static void drop(struct fixture *fx)
{
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        sched_cancel(&fx->cam.run[k]);
    verdict_cam_free(&fx->cam.v);
    verdict_free(fx->env.verdict);
    batch_free(fx->env.batch);
    sched_free(fx->env.sched);
    store_close(fx->cli);
    store_close(fx->env.store);
    ev_loop_destroy(fx->env.loop);
    cwtest_rmtree(fx->dir);
    free(fx);
}

/* The store's row, after committing what the batch holds. */
static struct store_status stored(struct fixture *fx)
{
    struct store_status st;
    struct cw_err err = {0};

    batch_commit(fx->env.batch);
    assert_int_equal(store_get_status(fx->env.store, fx->cam.id, &st, &err), 0);
    return st;
}

static struct rtsp_result answer(int latency_ms)
{
    struct rtsp_result r;

    memset(&r, 0, sizeof(r));
    r.outcome = RTSP_OK;
    r.status = 200;
    r.latency_ms = latency_ms;
    return r;
}

static void test_good_answer_with_no_other_reason_is_up(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    (void)state;

    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(verdict_state(&fx->cam), CW_UP);
    assert_int_equal(stored(fx).state, CW_UP);
    assert_int_equal(stored(fx).latency_ms, 150);
    drop(fx);
}

static void test_slow_device_and_picture_reasons_join_in_that_order(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(2500);
    struct store_status st;
    (void)state;

    verdict_set_input(&fx->cam, VERDICT_PICTURE, 1, "fps 4.0 below 12");
    verdict_set_input(&fx->cam, VERDICT_DEVICE, 1, "clock 83 s ahead");
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    st = stored(fx);
    assert_int_equal(st.state, CW_DEGRADED);
    assert_string_equal(st.reason,
                        "slow answer: 2500 ms (limit 2000 ms); clock 83 s ahead; fps 4.0 below 12");
    drop(fx);
}

static void test_broken_parameter_sets_are_degraded_not_down(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    struct store_status st;
    (void)state;

    snprintf(r.video.codec, sizeof(r.video.codec), "h264");
    snprintf(r.video.problem, sizeof(r.video.problem), "sprop-parameter-sets: bad base64");
    verdict_set_input(&fx->cam, VERDICT_PICTURE, 1, "fps 4.0 below 12");
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    st = stored(fx);
    assert_int_equal(st.state, CW_DEGRADED);
    assert_string_equal(st.reason, "bad SDP (sprop-parameter-sets: bad base64); fps 4.0 below 12");
    assert_string_equal(st.codec, "h264");
    assert_int_equal(st.width, 0);
    drop(fx);
}

static void test_input_without_fault_is_not_weighed(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    (void)state;

    verdict_set_input(&fx->cam, VERDICT_PICTURE, 0, "");
    verdict_set_input(&fx->cam, VERDICT_DEVICE, 1, "ONVIF: timeout");
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_string_equal(stored(fx).reason, "ONVIF: timeout");
    verdict_set_input(&fx->cam, VERDICT_DEVICE, 0, "");
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(stored(fx).state, CW_UP);
    drop(fx);
}

static void test_failed_answer_goes_down_naming_the_outcome(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(-1);
    (void)state;

    r.outcome = RTSP_NOT_FOUND;
    r.status = 404;
    verdict_set_input(&fx->cam, VERDICT_PICTURE, 1, "frozen"); /* a failure weighs nothing else */
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(stored(fx).state, CW_DOWN);
    assert_string_equal(stored(fx).reason, "not found"); /* the first verdict: no count */
    drop(fx);
}

/* The camera answers ok, its last sample found its picture black: degraded. */
static void degrade_by_picture(struct fixture *fx, const struct rtsp_result *ok)
{
    verdict_set_input(&fx->cam, VERDICT_PICTURE, 1, "picture black (luma 16, spread 0.5)");
    verdict_liveness(fx->env.verdict, &fx->cam, ok);
    assert_int_equal(stored(fx).state, CW_DEGRADED);
}

/* No sample is taken while a camera is down: the picture it showed before is not what it
 * shows when it answers again, and does not judge it then. */
static void test_back_from_down_the_old_picture_is_not_weighed(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result ok = answer(150), refused = answer(-1);
    (void)state;

    refused.outcome = RTSP_REFUSED;
    degrade_by_picture(fx, &ok);
    verdict_liveness(fx->env.verdict, &fx->cam, &refused);
    assert_int_equal(stored(fx).state, CW_DOWN);
    verdict_liveness(fx->env.verdict, &fx->cam, &ok);
    assert_int_equal(stored(fx).state, CW_UP);
    assert_null(strstr(stored(fx).reason, "picture"));
    drop(fx);
}

/* Staff put it in maintenance and hand it back after the work: the picture from before the
 * work does not judge it (the verdict after maintenance is the first, and decides at once). */
static void test_after_maintenance_the_old_picture_is_not_weighed(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    struct cw_err err = {0};
    (void)state;

    degrade_by_picture(fx, &r);
    assert_int_equal(store_set_maintenance(fx->cli, fx->cam.id, 1, "lens", T0 + 1, &err), 0);
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(verdict_state(&fx->cam), CW_MAINTENANCE);
    batch_commit(fx->env.batch);
    assert_int_equal(store_set_maintenance(fx->cli, fx->cam.id, 0, "refocused", T0 + 2, &err), 0);
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(stored(fx).state, CW_UP);
    /* Again, both changes made between two writes: the daemon sees only "unknown". */
    degrade_by_picture(fx, &r);
    assert_int_equal(store_set_maintenance(fx->cli, fx->cam.id, 1, "lens", T0 + 3, &err), 0);
    assert_int_equal(store_set_maintenance(fx->cli, fx->cam.id, 0, "refocused", T0 + 4, &err), 0);
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(stored(fx).state, CW_UP);
    drop(fx);
}

static void test_cli_change_is_adopted_before_the_verdict(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    struct cw_err err = {0};
    (void)state;

    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    batch_commit(fx->env.batch);
    assert_int_equal(store_set_maintenance(fx->cli, fx->cam.id, 1, "lens", T0 + 1, &err), 0);
    r.outcome = RTSP_TIMEOUT;
    /* The batch opens first and adopts, so health starts from MAINTENANCE and moves nowhere. */
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(verdict_state(&fx->cam), CW_MAINTENANCE);
    assert_int_equal(stored(fx).state, CW_MAINTENANCE);
    assert_string_equal(stored(fx).reason, "maintenance: lens");
    drop(fx);
}

static void test_store_refusing_a_transition_adopts_its_state(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result r = answer(150);
    struct cw_err err = {0};
    (void)state;

    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    batch_commit(fx->env.batch);
    /* Moved on the verdict's own connection: data_version stays, only the store can tell. */
    assert_int_equal(store_set_maintenance(fx->env.store, fx->cam.id, 1, "", T0 + 1, &err), 0);
    assert_int_equal(verdict_state(&fx->cam), CW_UP);
    r.outcome = RTSP_TIMEOUT;
    verdict_liveness(fx->env.verdict, &fx->cam, &r); /* UP -> DOWN, refused when written */
    batch_commit(fx->env.batch);
    assert_int_equal(verdict_state(&fx->cam), CW_MAINTENANCE);
    assert_int_equal(stored(fx).state, CW_MAINTENANCE);
    drop(fx);
}

static void test_once_verdict_waits_for_sample_and_onvif(void **state)
{
    struct fixture *fx = make(1);
    struct rtsp_result r = answer(150);
    (void)state;

    sched_enqueue(&fx->cam.run[FLEET_RTSP]);
    sched_enqueue(&fx->cam.run[FLEET_ONVIF]);
    verdict_once_expect(fx->env.verdict, &fx->cam);
    sched_dispatch(fx->env.kind[FLEET_RTSP]);
    sched_dispatch(fx->env.kind[FLEET_ONVIF]);
    sched_finish(&fx->cam.run[FLEET_RTSP]);

    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(started[FLEET_SAMPLE], 1); /* the sample it waits for was started */
    assert_int_equal(stored(fx).state, CW_UNKNOWN);

    verdict_set_input(&fx->cam, VERDICT_PICTURE, 1, "picture frozen since 21:40");
    sched_finish(&fx->cam.run[FLEET_SAMPLE]);
    verdict_probe_over(fx->env.verdict, &fx->cam, FLEET_SAMPLE);
    assert_int_equal(stored(fx).state, CW_UNKNOWN); /* ONVIF still out */
    assert_int_equal(fx->once_done, 0);

    verdict_set_input(&fx->cam, VERDICT_DEVICE, 1, "clock 83 s ahead");
    sched_finish(&fx->cam.run[FLEET_ONVIF]);
    verdict_probe_over(fx->env.verdict, &fx->cam, FLEET_ONVIF);
    assert_int_equal(stored(fx).state, CW_DEGRADED);
    assert_string_equal(stored(fx).reason, "clock 83 s ahead; picture frozen since 21:40");
    assert_int_equal(fx->once_done, 1);
    drop(fx);
}

static void test_once_failed_answer_is_judged_at_once_but_the_round_waits_for_onvif(void **state)
{
    struct fixture *fx = make(1);
    struct rtsp_result r = answer(-1);
    (void)state;

    r.outcome = RTSP_REFUSED;
    sched_enqueue(&fx->cam.run[FLEET_RTSP]);
    sched_enqueue(&fx->cam.run[FLEET_ONVIF]);
    verdict_once_expect(fx->env.verdict, &fx->cam);
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(started[FLEET_SAMPLE], 0); /* no sample of a camera that did not answer */
    assert_int_equal(stored(fx).state, CW_DOWN);
    assert_int_equal(fx->once_done, 0);
    verdict_probe_over(fx->env.verdict, &fx->cam, FLEET_ONVIF);
    assert_int_equal(fx->once_done, 1);
    drop(fx);
}

static void test_once_without_other_probes_is_judged_on_the_answer(void **state)
{
    struct fixture *fx = make_kinds(1, 1u << FLEET_RTSP); /* no workers, no ONVIF */
    struct rtsp_result r = answer(150);
    (void)state;

    sched_enqueue(&fx->cam.run[FLEET_RTSP]);
    verdict_once_expect(fx->env.verdict, &fx->cam);
    verdict_liveness(fx->env.verdict, &fx->cam, &r);
    assert_int_equal(stored(fx).state, CW_UP);
    assert_int_equal(fx->once_done, 1);
    drop(fx);
}

/* A new daemon (a restart, or the next --once run) on the same store: the camera as the
 * fleet builds it, resumed from its row. */
static void restart(struct fixture *fx)
{
    struct store_status st = stored(fx);

    verdict_cam_free(&fx->cam.v); /* the old daemon's camera */
    verdict_cam_init(&fx->cam.v, T0);
    verdict_resume(&fx->cam, &st);
}

static void test_restart_keeps_the_run_of_verdicts(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result bad = answer(-1), good = answer(150);
    struct store_status st;
    (void)state;

    fx->cfg.rtsp.up_after = 3;
    bad.outcome = RTSP_TIMEOUT;
    verdict_liveness(fx->env.verdict, &fx->cam, &bad);
    assert_int_equal(stored(fx).state, CW_DOWN);
    for (int i = 1; i <= 2; i++) {
        verdict_liveness(fx->env.verdict, &fx->cam, &good);
        st = stored(fx);
        assert_int_equal(st.state, CW_DOWN);
        assert_int_equal(st.streak_kind, STORE_STREAK_OK);
        assert_int_equal(st.streak, i);
        restart(fx);
    }
    /* The third good answer in a row, two restarts later: up_after = 3 holds. */
    verdict_liveness(fx->env.verdict, &fx->cam, &good);
    st = stored(fx);
    assert_int_equal(st.state, CW_UP);
    assert_int_equal(st.streak, 0);
    assert_int_equal(verdict_state(&fx->cam), CW_UP);
    drop(fx);
}

static void test_restart_keeps_the_run_of_degraded_verdicts_of_an_up_camera(void **state)
{
    struct fixture *fx = make(0);
    struct rtsp_result good = answer(150), slow = answer(2500);
    (void)state;

    fx->cfg.rtsp.up_after = 2;
    verdict_liveness(fx->env.verdict, &fx->cam, &good);
    verdict_liveness(fx->env.verdict, &fx->cam, &slow);
    assert_int_equal(stored(fx).state, CW_UP);
    assert_int_equal(stored(fx).streak_kind, STORE_STREAK_DEGRADED);
    restart(fx);
    verdict_liveness(fx->env.verdict, &fx->cam, &slow);
    assert_int_equal(stored(fx).state, CW_DEGRADED);
    assert_string_equal(stored(fx).reason, "slow answer: 2500 ms (limit 2000 ms)");
    drop(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_answer_with_no_other_reason_is_up),
        cmocka_unit_test(test_slow_device_and_picture_reasons_join_in_that_order),
        cmocka_unit_test(test_broken_parameter_sets_are_degraded_not_down),
        cmocka_unit_test(test_input_without_fault_is_not_weighed),
        cmocka_unit_test(test_failed_answer_goes_down_naming_the_outcome),
        cmocka_unit_test(test_back_from_down_the_old_picture_is_not_weighed),
        cmocka_unit_test(test_after_maintenance_the_old_picture_is_not_weighed),
        cmocka_unit_test(test_cli_change_is_adopted_before_the_verdict),
        cmocka_unit_test(test_store_refusing_a_transition_adopts_its_state),
        cmocka_unit_test(test_once_verdict_waits_for_sample_and_onvif),
        cmocka_unit_test(test_once_failed_answer_is_judged_at_once_but_the_round_waits_for_onvif),
        cmocka_unit_test(test_once_without_other_probes_is_judged_on_the_answer),
        cmocka_unit_test(test_restart_keeps_the_run_of_verdicts),
        cmocka_unit_test(test_restart_keeps_the_run_of_degraded_verdicts_of_an_up_camera),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
