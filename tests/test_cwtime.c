/* test_cwtime.c - durations, time parsing and local-time display in the site's zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../util/cwtime.h"
#include "../util/err.h"

#define HCM "Asia/Ho_Chi_Minh"
/* 2021-01-01 08:30:15 in Ho Chi Minh City (UTC+7) is 01:30:15 UTC. */
#define T_0830_15_MS INT64_C(1609464615000)
/* 2021-01-01 00:00:00 local. */
#define T_MIDNIGHT_MS INT64_C(1609434000000)

static void test_duration_accepts_each_unit(void **state)
{
    int64_t ms = -1;
    (void)state;

    assert_int_equal(cw_parse_duration_ms("250ms", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(cw_parse_duration_ms("30s", &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(cw_parse_duration_ms("5m", &ms), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(cw_parse_duration_ms("2h", &ms), 0);
    assert_int_equal(ms, 7200000);
    assert_int_equal(cw_parse_duration_ms("1d", &ms), 0);
    assert_int_equal(ms, 86400000);
}

static void test_duration_bare_number_is_seconds(void **state)
{
    int64_t ms = -1;
    (void)state;

    assert_int_equal(cw_parse_duration_ms("45", &ms), 0);
    assert_int_equal(ms, 45000);
    assert_int_equal(cw_parse_duration_ms("0", &ms), 0);
    assert_int_equal(ms, 0);
}

static void test_duration_allows_surrounding_spaces(void **state)
{
    int64_t ms = -1;
    (void)state;

    assert_int_equal(cw_parse_duration_ms(" 30s ", &ms), 0);
    assert_int_equal(ms, 30000);
}

static void test_duration_refuses_bad_input(void **state)
{
    static const char *const bad[] = {
        "",      " ",     "-5s",  "+5s",  "s",
        "5x",    "5 s x", "5sec", "1.5s", "ms5",
        "5m30s", "abc",   "5dd",  "0x10", "99999999999999999999s",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 12345;
        if (cw_parse_duration_ms(bad[i], &ms) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(ms, 12345); /* untouched on failure */
    }
    assert_int_equal(cw_parse_duration_ms(NULL, &(int64_t){0}), -1);
}

static void test_duration_refuses_overflow_after_unit(void **state)
{
    int64_t ms = 0;
    (void)state;

    /* Fits as a number, overflows once multiplied by the unit. */
    assert_int_equal(cw_parse_duration_ms("9223372036854775807d", &ms), -1);
    assert_int_equal(cw_parse_duration_ms("9223372036854775807ms", &ms), 0);
    assert_true(ms == INT64_MAX);
}

static void test_parse_time_date_is_local_midnight(void **state)
{
    int64_t t = 0;
    (void)state;

    assert_int_equal(cw_parse_time("2021-01-01", HCM, &t), 0);
    assert_true(t == T_MIDNIGHT_MS);
}

static void test_parse_time_local_forms(void **state)
{
    int64_t t = 0;
    (void)state;

    assert_int_equal(cw_parse_time("2021-01-01 08:30", HCM, &t), 0);
    assert_true(t == T_0830_15_MS - 15000);
    assert_int_equal(cw_parse_time("2021-01-01T08:30:15", HCM, &t), 0);
    assert_true(t == T_0830_15_MS);
    assert_int_equal(cw_parse_time("2021-01-01 08:30:15", HCM, &t), 0);
    assert_true(t == T_0830_15_MS);
}

static void test_parse_time_honours_zone_argument(void **state)
{
    int64_t t = 0;
    (void)state;

    assert_int_equal(cw_parse_time("2021-01-01 01:30:15", "UTC", &t), 0);
    assert_true(t == T_0830_15_MS);
    assert_int_equal(cw_parse_time("2021-01-01 07:00:15", "Asia/Kolkata", &t), 0);
    assert_true(t == T_0830_15_MS);
}

static void test_parse_time_explicit_offsets_ignore_zone(void **state)
{
    int64_t t = 0;
    (void)state;

    assert_int_equal(cw_parse_time("2021-01-01T01:30:15Z", HCM, &t), 0);
    assert_true(t == T_0830_15_MS);
    assert_int_equal(cw_parse_time("2021-01-01T08:30:15+07:00", "UTC", &t), 0);
    assert_true(t == T_0830_15_MS);
    assert_int_equal(cw_parse_time("2020-12-31T20:30:15-05:00", HCM, &t), 0);
    assert_true(t == T_0830_15_MS);
}

static void test_parse_time_now_and_relative(void **state)
{
    int64_t before, after, t = 0;
    (void)state;

    before = cw_now_ms();
    assert_int_equal(cw_parse_time("now", HCM, &t), 0);
    after = cw_now_ms();
    assert_true(t >= before && t <= after);

    before = cw_now_ms();
    assert_int_equal(cw_parse_time("-7d", HCM, &t), 0);
    after = cw_now_ms();
    assert_true(t >= before - 7 * 86400000LL && t <= after - 7 * 86400000LL);

    before = cw_now_ms();
    assert_int_equal(cw_parse_time("-2h", HCM, &t), 0);
    after = cw_now_ms();
    assert_true(t >= before - 7200000LL && t <= after - 7200000LL);
}

static void test_parse_time_refuses_bad_input(void **state)
{
    static const char *const bad[] = {
        "",
        "yesterday",
        "2021-13-01",
        "2021-00-10",
        "2021-01-32",
        "2021-01-01 24:00",
        "2021-01-01 08:60",
        "2021-01-01X",
        "2021-01-01 08",
        "2021-01-01T08:30+7",
        "2021-01-01T08:30:15+07:00junk",
        "-7x",
        "2021/01/01",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 42;
        if (cw_parse_time(bad[i], HCM, &t) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_parse_time_refuses_dates_that_do_not_exist(void **state)
{
    int64_t t;

    (void)state;
    assert_int_equal(cw_parse_time("2021-02-31", NULL, &t), -1);
    assert_int_equal(cw_parse_time("2023-02-29", NULL, &t), -1);
    assert_int_equal(cw_parse_time("2024-02-29", NULL, &t), 0);
    assert_int_equal(cw_parse_time("2026-04-31 10:00", NULL, &t), -1);
    assert_int_equal(cw_parse_time("- 7d", NULL, &t), -1);
}

/* An export's manifest writes its exact range to the millisecond ("exact_from":
 * "2026-11-02T07:25:00.500+07:00"): it was refused as --from, for no form took a fraction. A
 * fraction is read to the millisecond, the digits after it dropped: never later than written. */
static void test_parse_time_reads_a_fraction_of_a_second_to_the_millisecond(void **state)
{
    static const struct {
        const char *s;
        int64_t ms;
    } good[] = {
        {"2021-01-01T08:30:15.500+07:00", T_0830_15_MS + 500},
        {"2021-01-01T01:30:15.5Z", T_0830_15_MS + 500},
        {"2021-01-01T01:30:15.05Z", T_0830_15_MS + 50},
        {"2021-01-01T01:30:15.000Z", T_0830_15_MS},
        {"2021-01-01T08:30:15.123456+07:00", T_0830_15_MS + 123},
        {"2021-01-01T08:30:15.9999+07:00", T_0830_15_MS + 999},
        {"2021-01-01T08:30:15.250", T_0830_15_MS + 250}, /* the site's zone */
        {"2021-01-01 08:30:15.250", T_0830_15_MS + 250},
        {"1969-12-31T23:59:58.250Z", -1750}, /* before the epoch: still the later part */
    };
    static const char *const bad[] = {
        "2021-01-01T08:30:15.",   "2021-01-01T08:30:15.+07:00", "2021-01-01T08:30:15.x",
        "2021-01-01T08:30:15.5x", "2021-01-01T08:30:15,5",      "2021-01-01T08:30:15,5Z",
        "2021-01-01T08:30.5",     "2021-01-01 08:30.5",         "2021-01-01.5",
        "2021-01-01T08:30:15.-5", "2021-01-01T08:30:15. 5",     "2021-01-01T08:30:15.5 ",
        "2021-01-01T08:30:15..5", "2021-01-01T08:30:15.5.5",
    };
    int64_t t;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        t = 42;
        if (cw_parse_time(good[i].s, HCM, &t) != 0)
            fail_msg("refused \"%s\"", good[i].s);
        if (t != good[i].ms)
            fail_msg("read \"%s\" as %lld, not %lld", good[i].s, (long long)t,
                     (long long)good[i].ms);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 42;
        if (cw_parse_time(bad[i], HCM, &t) != -1)
            fail_msg("accepted \"%s\" as %lld", bad[i], (long long)t);
    }
    /* the ISO reader (recorders' answers) takes the same fractions, and refuses the same */
    assert_int_equal(cw_parse_iso_utc("2021-01-01T08:30:15.9999+07:00", &t), 0);
    assert_true(t == T_0830_15_MS + 999);
    assert_int_equal(cw_parse_iso_utc("2021-01-01T08:30:15.+07:00", &t), -1);
    assert_int_equal(cw_parse_iso_utc("2021-01-01T08:30.5Z", &t), -1);
}

/* Issue 10: sscanf's %2d took signs and spaces, so these read as times; and any two-digit
 * offset was taken. */
static void test_parse_time_refuses_signed_fields_and_impossible_offsets(void **state)
{
    static const char *const bad[] = {
        "2024-01-01 -1:-5",
        "2024-01-01 +1:05",
        "2024-01-01 1:05",
        "2024-01-01 01:5",
        "2024-01-01T08:00+99:99",
        "2024-01-01T08:00+15:00",
        "2024-01-01T08:00-07:60",
        "2024-01-01T08:00+07:0",
        "2024-01-01T08:00+-7:00",
        "2024-02-30",
        "2024-02-30 10:00",
        "-2024-01-01",
        "2024--1-01",
        "2024-1-01",
        "2024-01- 1",
        "0000-01-01",
        "2024-01-01 08:00:-1",
        "2024-01-01 08:00:5",
    };
    int64_t t;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 42;
        if (cw_parse_time(bad[i], "UTC", &t) != -1)
            fail_msg("accepted \"%s\" as %lld", bad[i], (long long)t);
    }
    assert_int_equal(cw_parse_time("2024-01-01T08:00+14:00", "UTC", &t), 0);
    assert_int_equal(cw_parse_time("2024-01-01T08:00-12:00", "UTC", &t), 0);
}

/* Issue 10: `uptime --from -1ms` read -1ms against a later now than --to's and failed as
 * "after --to". Relative times against one given now are exact. */
static void test_parse_time_at_reads_relative_times_against_one_now(void **state)
{
    int64_t from, to, now = 1700000000123;

    (void)state;
    assert_int_equal(cw_parse_time_at("-1ms", HCM, now, &from), 0);
    assert_int_equal(cw_parse_time_at("now", HCM, now, &to), 0);
    assert_true(from == now - 1 && to == now);
    assert_int_equal(cw_parse_time_at("-7d", HCM, now, &from), 0);
    assert_true(from == now - 7 * 86400000LL);
    assert_int_equal(cw_parse_time_at("2021-01-01T01:30:15Z", HCM, now, &from), 0);
    assert_true(from == T_0830_15_MS);
}

/* `events --since -7` meant 7 days and was read as 7 seconds (the duration's bare number): a
 * relative time without its unit is refused, and the refusal says which units there are. */
static void test_relative_time_without_unit_is_refused(void **state)
{
    int64_t t = 0, from = 0, to = 0, now = 1700000000123;
    struct cw_err err;
    (void)state;

    assert_int_equal(cw_parse_time_at("-7", HCM, now, &t), -1);
    assert_int_equal(cw_parse_time_at("-7 ", HCM, now, &t), -1);
    assert_int_equal(cw_parse_time_at("-7s", HCM, now, &t), 0);
    assert_true(t == now - 7000);
    assert_int_equal(cw_time_lacks_unit("-7"), 1);
    assert_int_equal(cw_time_lacks_unit("-7d"), 0);
    assert_int_equal(cw_time_lacks_unit("now"), 0);
    assert_int_equal(cw_time_lacks_unit("2021-01-01"), 0);
    assert_int_equal(cw_range_at("-7", NULL, HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "from");
    assert_string_equal(
        err.msg, "bad time '-7': a relative time needs its unit: ms, s, m, h or d (e.g. -7d)");
    assert_int_equal(cw_range_at("-1d", "-30", HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "to");
    /* A duration's bare number stays seconds: the configuration's keys take it on purpose. */
    assert_int_equal(cw_parse_duration_ms("7", &t), 0);
    assert_true(t == 7000);
}

static void test_format_local_in_ho_chi_minh(void **state)
{
    char buf[64];
    (void)state;

    assert_string_equal(cw_format_local(T_0830_15_MS, HCM, buf, sizeof(buf)),
                        "2021-01-01 08:30:15");
    assert_string_equal(cw_format_local(T_0830_15_MS, NULL, buf, sizeof(buf)),
                        "2021-01-01 08:30:15");
    assert_string_equal(cw_format_local(T_0830_15_MS, "UTC", buf, sizeof(buf)),
                        "2021-01-01 01:30:15");
}

/* ISO 8601 and an e-mail's Date (RFC 5322, English names whatever the locale) carry the
 * zone's offset. */
static void test_format_iso_and_rfc5322_carry_the_offset(void **state)
{
    static const struct {
        const char *tz, *iso, *mail;
    } cases[] = {
        {HCM, "2021-01-01T08:30:15+07:00", "Fri, 01 Jan 2021 08:30:15 +0700"},
        {"Asia/Kolkata", "2021-01-01T07:00:15+05:30", "Fri, 01 Jan 2021 07:00:15 +0530"},
        {"America/New_York", "2020-12-31T20:30:15-05:00", "Thu, 31 Dec 2020 20:30:15 -0500"},
    };
    char buf[64];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(cw_format_iso(T_0830_15_MS, cases[i].tz, buf, sizeof(buf)),
                            cases[i].iso);
        assert_string_equal(cw_format_rfc5322(T_0830_15_MS, cases[i].tz, buf, sizeof(buf)),
                            cases[i].mail);
    }
}

static void test_format_then_parse_round_trips(void **state)
{
    char buf[64];
    int64_t t = 0;
    (void)state;

    cw_format_iso(T_0830_15_MS, HCM, buf, sizeof(buf));
    assert_int_equal(cw_parse_time(buf, "UTC", &t), 0);
    assert_true(t == T_0830_15_MS);
    cw_format_local(T_0830_15_MS, HCM, buf, sizeof(buf));
    assert_int_equal(cw_parse_time(buf, HCM, &t), 0);
    assert_true(t == T_0830_15_MS);
}

static void test_mono_clock_does_not_go_back(void **state)
{
    int64_t a, b;
    (void)state;

    a = cw_mono_ms();
    b = cw_mono_ms();
    assert_true(b >= a);
}

static void test_days_in_month_follows_the_gregorian_leap_rule(void **state)
{
    (void)state;
    assert_int_equal(cw_days_in_month(2026, 1), 31);
    assert_int_equal(cw_days_in_month(2026, 4), 30);
    assert_int_equal(cw_days_in_month(2026, 2), 28);
    assert_int_equal(cw_days_in_month(2024, 2), 29);
    assert_int_equal(cw_days_in_month(2100, 2), 28); /* a century is not leap */
    assert_int_equal(cw_days_in_month(2000, 2), 29); /* unless it divides by 400 */
    assert_int_equal(cw_leap_year(2024), 1);
    assert_int_equal(cw_leap_year(1900), 0);
}

static void test_secs_from_civil_reads_the_fields_as_utc(void **state)
{
    (void)state;
    assert_true(cw_secs_from_civil(1970, 1, 1, 0, 0, 0) == 0);
    assert_true(cw_secs_from_civil(2026, 11, 20, 14, 0, 0) == INT64_C(1795183200));
    /* out of range normalises, as timegm does: 31 November is 1 December */
    assert_true(cw_secs_from_civil(2026, 11, 31, 0, 0, 0) ==
                cw_secs_from_civil(2026, 12, 1, 0, 0, 0));
    assert_true(cw_secs_from_civil(2024, 2, 29, 0, 0, 0) ==
                cw_days_from_civil(2024, 2, 29) * 86400);
}

/* The range every command and endpoint reads: both ends against one now, a to past now counted
 * up to now, the default from kept when none is given. */
static void test_range_reads_both_ends_against_one_now_up_to_now(void **state)
{
    const int64_t now = T_0830_15_MS;
    int64_t from = now - 3600 * 1000, to = 0;
    struct cw_err err;
    (void)state;

    assert_int_equal(cw_range_at(NULL, NULL, HCM, now, "--", &from, &to, &err), 0);
    assert_int_equal(from, now - 3600 * 1000); /* the caller's default */
    assert_int_equal(to, now);
    assert_int_equal(cw_range_at("-1ms", "2040-01-01", HCM, now, "--", &from, &to, &err), 0);
    assert_int_equal(from, now - 1);
    assert_int_equal(to, now); /* what has not happened is not counted */
    assert_int_equal(cw_range_at("2021-01-01", "2021-01-01 08:00", HCM, now, "", &from, &to, &err),
                     0);
    assert_int_equal(from, T_MIDNIGHT_MS);
    assert_int_equal(to, T_MIDNIGHT_MS + 8 * 3600 * 1000);
}

/* Each refusal names the end it is about, in words both the CLI (--from) and the API (from)
 * put their own name before; an empty range (from at to) is refused by both alike. */
static void test_range_refusals_name_the_end(void **state)
{
    const int64_t now = T_0830_15_MS;
    int64_t from = 0, to = 0;
    struct cw_err err;
    (void)state;

    assert_int_equal(cw_range_at("yesterday", NULL, HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "from");
    assert_non_null(strstr(err.msg, "bad time 'yesterday' (YYYY-MM-DD"));
    assert_int_equal(cw_range_at("now", "2021-02-30", HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "to");
    assert_int_equal(cw_range_at("2040-01-01", NULL, HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "from");
    assert_string_equal(err.msg, "'2040-01-01' is in the future");
    assert_int_equal(cw_range_at("now", "now", HCM, now, "--", &from, &to, &err), -1);
    assert_string_equal(err.field, "from");
    assert_string_equal(err.msg, "must be before --to");
    assert_int_equal(cw_range_at("2021-01-01 08:00", "2021-01-01", HCM, now, "", &from, &to, &err),
                     -1);
    assert_string_equal(err.msg, "must be before to");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_accepts_each_unit),
        cmocka_unit_test(test_duration_bare_number_is_seconds),
        cmocka_unit_test(test_duration_allows_surrounding_spaces),
        cmocka_unit_test(test_duration_refuses_bad_input),
        cmocka_unit_test(test_duration_refuses_overflow_after_unit),
        cmocka_unit_test(test_parse_time_date_is_local_midnight),
        cmocka_unit_test(test_parse_time_local_forms),
        cmocka_unit_test(test_parse_time_honours_zone_argument),
        cmocka_unit_test(test_parse_time_explicit_offsets_ignore_zone),
        cmocka_unit_test(test_parse_time_now_and_relative),
        cmocka_unit_test(test_parse_time_refuses_bad_input),
        cmocka_unit_test(test_parse_time_refuses_dates_that_do_not_exist),
        cmocka_unit_test(test_parse_time_refuses_signed_fields_and_impossible_offsets),
        cmocka_unit_test(test_parse_time_reads_a_fraction_of_a_second_to_the_millisecond),
        cmocka_unit_test(test_parse_time_at_reads_relative_times_against_one_now),
        cmocka_unit_test(test_relative_time_without_unit_is_refused),
        cmocka_unit_test(test_format_local_in_ho_chi_minh),
        cmocka_unit_test(test_format_iso_and_rfc5322_carry_the_offset),
        cmocka_unit_test(test_format_then_parse_round_trips),
        cmocka_unit_test(test_mono_clock_does_not_go_back),
        cmocka_unit_test(test_days_in_month_follows_the_gregorian_leap_rule),
        cmocka_unit_test(test_secs_from_civil_reads_the_fields_as_utc),
        cmocka_unit_test(test_range_reads_both_ends_against_one_now_up_to_now),
        cmocka_unit_test(test_range_refusals_name_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
