/* test_zone.c - a zone's offsets as a table (util/zone.c, util/tzif.c): the same answers as the
 * C library in the process's zone, for any thread and without touching TZ; a zone file's
 * footer rule alone; DST's doubled and skipped hours; files that are not zones refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/zone.h"

#define HOUR_MS INT64_C(3600000)

static struct cw_zone *load(const char *name)
{
    struct cw_zone *z = NULL;
    struct cw_err err;

    assert_int_equal(cw_zone_load(name, &z, &err), 0);
    assert_non_null(z);
    return z;
}

/* Every 7 hours and 13 minutes from 1975 to 2045, the table formats a time as libc does in
 * that zone (cw_format_iso sets TZ). */
static void check_against_libc(const char *name)
{
    struct cw_zone *z = load(name);
    char a[64], b[64];

    for (int64_t ms = INT64_C(157766400000); ms < INT64_C(2366841600000);
         ms += 7 * HOUR_MS + 13 * 60000) {
        cw_zone_format_iso(z, ms, a, sizeof(a));
        cw_format_iso(ms, name, b, sizeof(b));
        if (strcmp(a, b) != 0)
            fail_msg("%s at %lld: table says %s, libc %s", name, (long long)ms, a, b);
    }
    cw_zone_free(z);
}

static void test_offsets_agree_with_libc_in_zones_with_and_without_dst(void **state)
{
    (void)state;
    check_against_libc("Asia/Ho_Chi_Minh");
    check_against_libc("Europe/Berlin");
    check_against_libc("America/Sao_Paulo");
    check_against_libc("Australia/Lord_Howe"); /* a half-hour DST step */
}

static void test_wall_time_to_utc_in_the_site_zone(void **state)
{
    struct cw_zone *z = load("Asia/Ho_Chi_Minh");
    int64_t want;
    char buf[64];

    (void)state;
    assert_int_equal(cw_parse_time("2026-11-20 21:00", "Asia/Ho_Chi_Minh", &want), 0);
    assert_true(cw_zone_to_utc(z, 2026, 11, 20, 21, 0, 0) == want);
    assert_int_equal(cw_zone_offset_s(z, want), 7 * 3600);
    assert_string_equal(cw_zone_format_iso(z, want + 999, buf, sizeof(buf)),
                        "2026-11-20T21:00:00+07:00");
    assert_string_equal(cw_zone_name(z), "Asia/Ho_Chi_Minh");
    cw_zone_free(z);
}

/* Berlin sets its clocks back at 03:00 CEST on 25 Oct 2026 (01:00 UTC): 02:30 happens twice,
 * and is read as the first time. It skips 02:00-03:00 on 29 Mar 2026: 02:30 is read with the
 * offset before the jump (+01:00). */
static void test_doubled_hour_is_its_first_passage_skipped_hour_the_offset_before(void **state)
{
    struct cw_zone *z = load("Europe/Berlin");
    int64_t doubled = cw_zone_to_utc(z, 2026, 10, 25, 2, 30, 0);
    int64_t skipped = cw_zone_to_utc(z, 2026, 3, 29, 2, 30, 0);
    char buf[64];

    (void)state;
    assert_string_equal(cw_zone_format_iso(z, doubled, buf, sizeof(buf)),
                        "2026-10-25T02:30:00+02:00");
    assert_true(doubled == INT64_C(1792888200000)); /* 2026-10-25T00:30:00Z */
    assert_true(skipped == INT64_C(1774747800000)); /* 2026-03-29T01:30:00Z */
    cw_zone_free(z);
}

/* Loading reads the zone's file and leaves the process's zone (TZ) alone: setting TZ beside
 * the daemon's threads is undefined, and the footage workers load recorders' zones. */
static void test_loading_leaves_tz_alone_and_tables_keep_their_zone(void **state)
{
    struct cw_zone *hcm, *ber;

    (void)state;
    setenv("TZ", "UTC", 1);
    hcm = load("Asia/Ho_Chi_Minh");
    ber = load("Europe/Berlin");
    assert_string_equal(getenv("TZ"), "UTC");
    assert_int_equal(cw_zone_offset_s(hcm, INT64_C(1782000000000)), 7 * 3600);
    assert_int_equal(cw_zone_offset_s(ber, INT64_C(1782000000000)), 2 * 3600);
    assert_int_equal(cw_zone_offset_s(ber, INT64_C(1795000000000)), 3600);
    cw_zone_free(hcm);
    cw_zone_free(ber);
    cw_zone_free(NULL);
}

/* A zone file of version 2 with no transitions: its footer's rule alone ("slim" tzdata
 * writes zones so), read as Berlin's own file reads. */
static void test_footer_rule_alone_gives_the_zones_changes(void **state)
{
    static const char rule[] = "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
    unsigned char f[2 * 44 + 2 * 6 + 2 * 4 + sizeof(rule)];
    struct cw_zone *slim = NULL, *ber = load("Europe/Berlin");
    struct cw_err err = {0};
    size_t n = 0;
    char a[64], b[64];

    (void)state;
    memset(f, 0, sizeof(f));
    for (int h = 0; h < 2; h++) {
        /* header: magic, version '2', counts isut, isstd, leap, time 0, type 1, char 4 */
        memcpy(f + n, "TZif2", 5);
        f[n + 39] = 1;
        f[n + 43] = 4;
        n += 44;
        f[n + 2] = 0x0e; /* type 0: +3600 s (0x00000e10), not DST, designation 0 */
        f[n + 3] = 0x10;
        n += 6;
        memcpy(f + n, "CET", 4);
        n += 4;
    }
    memcpy(f + n, rule, sizeof(rule) - 1);
    n += sizeof(rule) - 1;
    assert_int_equal(cw_zone_parse("slim/Berlin", f, n, &slim, &err), 0);
    for (int64_t ms = INT64_C(1704067200000); ms < INT64_C(2240000000000); ms += 5 * HOUR_MS) {
        cw_zone_format_iso(slim, ms, a, sizeof(a));
        cw_zone_format_iso(ber, ms, b, sizeof(b));
        if (strcmp(a, b) != 0)
            fail_msg("at %lld: the rule says %s, Berlin's file %s", (long long)ms, a, b);
    }
    cw_zone_free(slim);
    /* What is not a zone file is refused, saying why. */
    assert_int_equal(cw_zone_parse("x", f, 40, &slim, &err), -1);
    assert_non_null(strstr(err.msg, "not a TZif file"));
    assert_int_equal(cw_zone_parse("x", f, n - sizeof(rule) - 3, &slim, &err), -1);
    assert_non_null(strstr(err.msg, "cut short"));
    memcpy(f + n - sizeof(rule) + 2, "9!", 2); /* "9!T-1CEST,..." */
    assert_int_equal(cw_zone_parse("x", f, n, &slim, &err), -1);
    assert_non_null(strstr(err.msg, "is not a POSIX TZ rule"));
    assert_null(slim);
    assert_int_equal(cw_zone_load("../etc/passwd", &slim, &err), -1);
    assert_non_null(strstr(err.msg, "not a zone name"));
    cw_zone_free(ber);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_agree_with_libc_in_zones_with_and_without_dst),
        cmocka_unit_test(test_wall_time_to_utc_in_the_site_zone),
        cmocka_unit_test(test_doubled_hour_is_its_first_passage_skipped_hour_the_offset_before),
        cmocka_unit_test(test_loading_leaves_tz_alone_and_tables_keep_their_zone),
        cmocka_unit_test(test_footer_rule_alone_gives_the_zones_changes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
