/* test_health.c - the per-camera health state machine: hysteresis, first verdict, reasons,
 * probes ignored in maintenance (which the store enters and leaves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/health.h"

static const struct health_params params3_2 = {.down_after = 3, .up_after = 2};

/* Feed one verdict at time `at`; returns whether the state changed. */
static int feed(struct health *h, const struct health_params *p, enum health_verdict v,
                const char *reason, int64_t at, struct health_transition *t)
{
    memset(t, 0, sizeof(*t));
    return health_record_probe(h, p, v, reason, at, t);
}

static void start_up(struct health *h)
{
    health_init(h, CW_UP, 1000, "");
}

static void test_camera_goes_down_after_three_failures(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t), 0);
    assert_int_equal(h.state, CW_UP);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 4000, &t), 1);
    assert_int_equal(t.from, CW_UP);
    assert_int_equal(t.to, CW_DOWN);
    assert_int_equal(t.at_ms, 4000);
    assert_string_equal(t.reason, "timeout after 3 failures");
    assert_int_equal(h.state, CW_DOWN);
    assert_string_equal(health_reason(&h), "timeout after 3 failures");
    health_free(&h);
}

static void test_down_reason_names_the_last_failure(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    feed(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t);
    feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "connection refused", 4000, &t), 1);
    assert_string_equal(t.reason, "connection refused after 3 failures");
    health_free(&h);
}

static void test_flapping_link_does_not_flap_state(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    for (int i = 0; i < 20; i++) {
        enum health_verdict v = i % 2 == 0 ? HEALTH_FAIL : HEALTH_OK;
        assert_int_equal(feed(&h, &params3_2, v, v == HEALTH_FAIL ? "timeout" : "", 2000 + i, &t),
                         0);
    }
    assert_int_equal(h.state, CW_UP);
    assert_int_equal(h.since_ms, 1000);
    assert_string_equal(health_reason(&h), "");
    health_free(&h);
}

static void test_two_failures_then_success_resets_the_count(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    feed(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t);
    feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t);
    feed(&h, &params3_2, HEALTH_OK, "", 4000, &t);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 5000, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 6000, &t), 0);
    assert_int_equal(h.state, CW_UP);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 7000, &t), 1);
    assert_int_equal(h.state, CW_DOWN);
    health_free(&h);
}

static void test_unknown_first_ok_goes_up_at_once(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_UNKNOWN, 0, "");
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, NULL, 5000, &t), 1);
    assert_int_equal(t.from, CW_UNKNOWN);
    assert_int_equal(t.to, CW_UP);
    assert_string_equal(t.reason, "");
    assert_int_equal(h.since_ms, 5000);
    health_free(&h);
}

static void test_unknown_first_degraded_goes_degraded_with_reason(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_UNKNOWN, 0, "");
    assert_int_equal(feed(&h, &params3_2, HEALTH_DEGRADED, "slow answer 2500 ms", 5000, &t), 1);
    assert_int_equal(t.to, CW_DEGRADED);
    assert_string_equal(t.reason, "slow answer 2500 ms");
    assert_string_equal(health_reason(&h), "slow answer 2500 ms");
    health_free(&h);
}

static void test_unknown_first_failure_goes_down_with_bare_reason(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_UNKNOWN, 0, "");
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "authentication failed", 5000, &t), 1);
    assert_int_equal(t.from, CW_UNKNOWN);
    assert_int_equal(t.to, CW_DOWN);
    assert_string_equal(t.reason, "authentication failed");
    assert_string_equal(health_reason(&h), "authentication failed");
    assert_int_equal(h.since_ms, 5000);
    health_free(&h);
}

static void test_comes_back_after_up_after_successes(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DOWN, 1000, "timeout after 3 failures");
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 2000, &t), 0);
    assert_int_equal(h.state, CW_DOWN);
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 3000, &t), 1);
    assert_int_equal(t.from, CW_DOWN);
    assert_int_equal(t.to, CW_UP);
    assert_string_equal(t.reason, "recovered after 2 successes");
    assert_string_equal(health_reason(&h), "");
    assert_int_equal(h.since_ms, 3000);
    health_free(&h);
}

static void test_failure_while_recovering_restarts_the_count(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DOWN, 1000, "timeout after 3 failures");
    feed(&h, &params3_2, HEALTH_OK, "", 2000, &t);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 4000, &t), 0);
    assert_int_equal(h.state, CW_DOWN);
    assert_int_equal(h.since_ms, 1000);
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 5000, &t), 1);
    assert_int_equal(h.state, CW_UP);
    health_free(&h);
}

static void test_down_camera_recovering_degraded_goes_degraded(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DOWN, 1000, "timeout after 3 failures");
    feed(&h, &params3_2, HEALTH_OK, "", 2000, &t);
    assert_int_equal(feed(&h, &params3_2, HEALTH_DEGRADED, "slow answer", 3000, &t), 1);
    assert_int_equal(t.to, CW_DEGRADED);
    assert_string_equal(health_reason(&h), "slow answer");
    health_free(&h);
}

static void test_down_keeps_the_current_cause(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DOWN, 1000, "timeout after 3 failures");
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t), 0);
    assert_string_equal(health_reason(&h), "timeout after 3 failures");
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "connection refused", 3000, &t), 0);
    assert_string_equal(health_reason(&h), "connection refused");
    assert_int_equal(h.since_ms, 1000);
    health_free(&h);
}

static void test_up_goes_degraded_after_up_after_degraded_verdicts(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    assert_int_equal(feed(&h, &params3_2, HEALTH_DEGRADED, "slow answer", 2000, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_DEGRADED, "slow answer", 3000, &t), 1);
    assert_int_equal(t.from, CW_UP);
    assert_int_equal(t.to, CW_DEGRADED);
    assert_string_equal(t.reason, "slow answer");
    assert_int_equal(h.since_ms, 3000);
    health_free(&h);
}

static void test_degraded_updates_reason_and_returns_to_up(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DEGRADED, 1000, "slow answer");
    assert_int_equal(feed(&h, &params3_2, HEALTH_DEGRADED, "no framerate", 2000, &t), 0);
    assert_string_equal(health_reason(&h), "no framerate");
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 3000, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 4000, &t), 1);
    assert_int_equal(t.from, CW_DEGRADED);
    assert_int_equal(t.to, CW_UP);
    assert_string_equal(health_reason(&h), "");
    health_free(&h);
}

static void test_degraded_goes_down_after_down_after_failures(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DEGRADED, 1000, "slow answer");
    feed(&h, &params3_2, HEALTH_FAIL, "404 not found", 2000, &t);
    feed(&h, &params3_2, HEALTH_FAIL, "404 not found", 3000, &t);
    assert_string_equal(health_reason(&h), "slow answer");
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "404 not found", 4000, &t), 1);
    assert_int_equal(t.from, CW_DEGRADED);
    assert_string_equal(t.reason, "404 not found after 3 failures");
    health_free(&h);
}

/* MAINTENANCE is entered and left through the store alone (store_set_maintenance; its
 * transitions are pinned in test_store.c); the fleet adopts the store's state with health_init,
 * as here. */
static void test_maintenance_ignores_probes(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_MAINTENANCE, 2000, "maintenance: replacing lens");
    for (int i = 0; i < 10; i++)
        assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000 + i, &t), 0);
    assert_int_equal(feed(&h, &params3_2, HEALTH_OK, "", 4000, &t), 0);
    assert_int_equal(h.state, CW_MAINTENANCE);
    assert_int_equal(h.since_ms, 2000);
    assert_string_equal(health_reason(&h), "maintenance: replacing lens");
    health_free(&h);
}

/* Maintenance ended: the store says UNKNOWN (test_store.c: test_maintenance_off_goes_unknown),
 * the fleet adopts it, and the next probe decides. */
static void test_after_maintenance_the_next_probe_decides(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_UNKNOWN, 2000, "maintenance ended");
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t), 1);
    assert_int_equal(t.from, CW_UNKNOWN);
    assert_int_equal(h.state, CW_DOWN);
    health_free(&h);
}

static void test_down_after_one_goes_down_on_first_failure(void **state)
{
    const struct health_params p = {.down_after = 1, .up_after = 1};
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    assert_int_equal(feed(&h, &p, HEALTH_FAIL, "timeout", 2000, &t), 1);
    assert_string_equal(t.reason, "timeout after 1 failure");
    assert_int_equal(h.since_ms, 2000);
    assert_int_equal(feed(&h, &p, HEALTH_OK, "", 3000, &t), 1);
    assert_string_equal(t.reason, "recovered after 1 success");
    assert_int_equal(h.state, CW_UP);
    health_free(&h);
}

static void test_down_after_one_from_degraded(void **state)
{
    const struct health_params p = {.down_after = 1, .up_after = 3};
    struct health h;
    struct health_transition t;
    (void)state;

    health_init(&h, CW_DEGRADED, 1000, "slow answer");
    assert_int_equal(feed(&h, &p, HEALTH_FAIL, "server error", 2000, &t), 1);
    assert_int_equal(t.to, CW_DOWN);
    assert_string_equal(health_reason(&h), "server error after 1 failure");
    health_free(&h);
}

static void test_zero_params_behave_as_one(void **state)
{
    const struct health_params p = {.down_after = 0, .up_after = 0};
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    assert_int_equal(feed(&h, &p, HEALTH_FAIL, "timeout", 2000, &t), 1);
    assert_int_equal(feed(&h, &p, HEALTH_OK, "", 3000, &t), 1);
    health_free(&h);
}

static void test_long_reason_is_truncated_not_overflowed(void **state)
{
    char big[1000];
    struct health h;
    struct health_transition t;
    (void)state;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    health_init(&h, CW_UNKNOWN, 0, big);
    assert_int_equal(strlen(health_reason(&h)), HEALTH_REASON_MAX - 1);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, big, 1000, &t), 1);
    assert_int_equal(strlen(t.reason), HEALTH_REASON_MAX - 1);
    health_free(&h);
}

static void test_an_up_camera_holds_no_reason(void **state)
{
    struct health h;
    struct health_transition t;
    (void)state;

    start_up(&h);
    assert_null(h.reason);
    health_record_probe(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t);
    health_record_probe(&h, &params3_2, HEALTH_FAIL, "timeout", 3000, &t);
    health_record_probe(&h, &params3_2, HEALTH_FAIL, "timeout", 4000, &t);
    assert_non_null(h.reason);
    health_record_probe(&h, &params3_2, HEALTH_OK, "", 5000, &t);
    assert_int_equal(health_record_probe(&h, &params3_2, HEALTH_OK, "", 6000, &t), 1);
    assert_int_equal(h.state, CW_UP);
    assert_null(h.reason);
    assert_string_equal(health_reason(&h), "");
    health_free(&h);
}

static void test_the_same_cause_again_keeps_its_copy(void **state)
{
    struct health h;
    struct health_transition t;
    const char *copy;
    (void)state;

    health_init(&h, CW_DOWN, 1000, "timeout after 3 failures");
    copy = h.reason;
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "timeout", 2000, &t), 0);
    assert_ptr_equal(h.reason, copy);
    assert_int_equal(feed(&h, &params3_2, HEALTH_FAIL, "connection refused", 3000, &t), 0);
    assert_string_equal(health_reason(&h), "connection refused");
    health_free(&h);
    assert_null(h.reason);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camera_goes_down_after_three_failures),
        cmocka_unit_test(test_down_reason_names_the_last_failure),
        cmocka_unit_test(test_flapping_link_does_not_flap_state),
        cmocka_unit_test(test_two_failures_then_success_resets_the_count),
        cmocka_unit_test(test_unknown_first_ok_goes_up_at_once),
        cmocka_unit_test(test_unknown_first_degraded_goes_degraded_with_reason),
        cmocka_unit_test(test_unknown_first_failure_goes_down_with_bare_reason),
        cmocka_unit_test(test_comes_back_after_up_after_successes),
        cmocka_unit_test(test_failure_while_recovering_restarts_the_count),
        cmocka_unit_test(test_down_camera_recovering_degraded_goes_degraded),
        cmocka_unit_test(test_down_keeps_the_current_cause),
        cmocka_unit_test(test_up_goes_degraded_after_up_after_degraded_verdicts),
        cmocka_unit_test(test_degraded_updates_reason_and_returns_to_up),
        cmocka_unit_test(test_degraded_goes_down_after_down_after_failures),
        cmocka_unit_test(test_maintenance_ignores_probes),
        cmocka_unit_test(test_after_maintenance_the_next_probe_decides),
        cmocka_unit_test(test_down_after_one_goes_down_on_first_failure),
        cmocka_unit_test(test_down_after_one_from_degraded),
        cmocka_unit_test(test_zero_params_behave_as_one),
        cmocka_unit_test(test_long_reason_is_truncated_not_overflowed),
        cmocka_unit_test(test_an_up_camera_holds_no_reason),
        cmocka_unit_test(test_the_same_cause_again_keeps_its_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
