/* test_uptime.c - exact time-in-state arithmetic (index/uptime.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../index/uptime.h"

#define H (3600 * 1000LL) /* one hour in ms */

static int64_t sum(const int64_t ms[5])
{
    return ms[0] + ms[1] + ms[2] + ms[3] + ms[4];
}

/* Created at 0; up at 1h; down at 5h; up at 6h. */
static const struct uptime_event day[] = {
    {1 * H, CW_UP, 0}, {5 * H, CW_DOWN, 0}, {6 * H, CW_UP, 0}};

static void test_range_inside_events_counts_each_piece(void **state)
{
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(0, day, 3, 2 * H, 8 * H, ms, &outages), 0);
    assert_int_equal(ms[CW_UP], 3 * H + 2 * H);
    assert_int_equal(ms[CW_DOWN], 1 * H);
    assert_int_equal(ms[CW_UNKNOWN], 0);
    assert_int_equal(outages, 1);
}

static void test_range_before_creation_counts_nothing(void **state)
{
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(10 * H, day, 0, 0, 5 * H, ms, &outages), 0);
    assert_int_equal(sum(ms), 0);
    assert_int_equal(outages, 0);
}

static void test_range_after_last_event_is_all_last_state(void **state)
{
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(0, day, 3, 10 * H, 20 * H, ms, &outages), 0);
    assert_int_equal(ms[CW_UP], 10 * H);
    assert_int_equal(sum(ms), 10 * H);
    assert_int_equal(outages, 0);
}

static void test_range_before_first_event_is_unknown(void **state)
{
    int64_t ms[5] = {0};

    (void)state;
    assert_int_equal(uptime_accumulate(0, day, 3, 0, 1 * H, ms, NULL), 0);
    assert_int_equal(ms[CW_UNKNOWN], 1 * H);
    assert_int_equal(sum(ms), 1 * H);
}

static void test_camera_created_mid_range_counts_from_creation(void **state)
{
    const struct uptime_event ev[] = {{3 * H, CW_UP, 0}};
    int64_t ms[5] = {0};

    (void)state;
    assert_int_equal(uptime_accumulate(2 * H, ev, 1, 0, 10 * H, ms, NULL), 0);
    assert_int_equal(ms[CW_UNKNOWN], 1 * H);
    assert_int_equal(ms[CW_UP], 7 * H);
    assert_int_equal(sum(ms), 8 * H);
}

static void test_event_exactly_at_from_sets_state_and_counts_outage(void **state)
{
    const struct uptime_event ev[] = {{1 * H, CW_UP, 0}, {4 * H, CW_DOWN, 0}};
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(0, ev, 2, 4 * H, 6 * H, ms, &outages), 0);
    assert_int_equal(ms[CW_DOWN], 2 * H);
    assert_int_equal(ms[CW_UP], 0);
    assert_int_equal(outages, 1);
}

static void test_event_exactly_at_to_is_outside_range(void **state)
{
    const struct uptime_event ev[] = {{1 * H, CW_UP, 0}, {4 * H, CW_DOWN, 0}};
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(0, ev, 2, 2 * H, 4 * H, ms, &outages), 0);
    assert_int_equal(ms[CW_UP], 2 * H);
    assert_int_equal(ms[CW_DOWN], 0);
    assert_int_equal(outages, 0);
}

static void test_unsorted_events_are_refused(void **state)
{
    const struct uptime_event ev[] = {{4 * H, CW_UP, 0}, {1 * H, CW_DOWN, 0}};
    int64_t ms[5] = {0};

    (void)state;
    assert_int_equal(uptime_accumulate(0, ev, 2, 0, 8 * H, ms, NULL), -1);
}

static void test_range_ending_before_start_is_refused(void **state)
{
    int64_t ms[5] = {0};

    (void)state;
    assert_int_equal(uptime_accumulate(0, day, 3, 5 * H, 4 * H, ms, NULL), -1);
}

static void test_outages_count_entries_into_down_only(void **state)
{
    const struct uptime_event ev[] = {
        {1 * H, CW_UP, 0},   {2 * H, CW_DOWN, 0},
        {3 * H, CW_DOWN, 0}, /* still down: same outage */
        {4 * H, CW_UP, 0},   {5 * H, CW_DEGRADED, 0},
        {6 * H, CW_DOWN, 0}, {7 * H, CW_MAINTENANCE, 0},
        {8 * H, CW_DOWN, 0}, /* counted only if in range */
    };
    int64_t ms[5] = {0};
    int outages = 0;

    (void)state;
    assert_int_equal(uptime_accumulate(0, ev, 8, 0, 8 * H, ms, &outages), 0);
    assert_int_equal(outages, 2);
    assert_int_equal(ms[CW_DOWN], 2 * H + 1 * H);
    assert_int_equal(ms[CW_DEGRADED], 1 * H);
    assert_int_equal(ms[CW_MAINTENANCE], 1 * H);
}

static void test_all_states_sum_to_the_span_in_existence(void **state)
{
    struct uptime_event ev[200];
    int64_t t = 5000;

    (void)state;
    for (int i = 0; i < 200; i++) {
        t += 1 + (i * 7919) % 100003; /* irregular steps, some equal times below */
        ev[i].at_ms = (i % 17 == 0 && i > 0) ? ev[i - 1].at_ms : t;
        ev[i].to = (enum cw_state)(i % 5);
    }
    for (int64_t from = 0; from < t + 20000; from += 777777) {
        for (int64_t len = 0; len < 3000000; len += 999983) {
            int64_t ms[5] = {0};
            int64_t lo = from > 5000 ? from : 5000, hi = from + len;
            assert_int_equal(uptime_accumulate(5000, ev, 200, from, from + len, ms, NULL), 0);
            assert_int_equal(sum(ms), hi > lo ? hi - lo : 0);
        }
    }
}

static void test_results_add_to_the_callers_totals(void **state)
{
    int64_t ms[5] = {0, 5, 0, 0, 0};
    int outages = 1;

    (void)state;
    assert_int_equal(uptime_accumulate(0, day, 3, 0, 8 * H, ms, &outages), 0);
    assert_int_equal(ms[CW_UP], 4 * H + 2 * H + 5);
    assert_int_equal(outages, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_inside_events_counts_each_piece),
        cmocka_unit_test(test_range_before_creation_counts_nothing),
        cmocka_unit_test(test_range_after_last_event_is_all_last_state),
        cmocka_unit_test(test_range_before_first_event_is_unknown),
        cmocka_unit_test(test_camera_created_mid_range_counts_from_creation),
        cmocka_unit_test(test_event_exactly_at_from_sets_state_and_counts_outage),
        cmocka_unit_test(test_event_exactly_at_to_is_outside_range),
        cmocka_unit_test(test_unsorted_events_are_refused),
        cmocka_unit_test(test_range_ending_before_start_is_refused),
        cmocka_unit_test(test_outages_count_entries_into_down_only),
        cmocka_unit_test(test_all_states_sum_to_the_span_in_existence),
        cmocka_unit_test(test_results_add_to_the_callers_totals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
