/* test_segpattern.c - recorders' file-name patterns (probes/segpattern.c): what compiles and
 * what is refused with where, folders and files matched, camera ids and times read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../util/segpattern.h"

static struct segpattern *compile_ok(const char *pattern)
{
    struct segpattern *p = NULL;
    struct cw_err err = {0};

    if (segpattern_compile(pattern, &p, &err) != 0)
        fail_msg("'%s' refused: %s", pattern, err.msg);
    return p;
}

static void test_folder_per_camera_and_day(void **state)
{
    struct segpattern *p = compile_ok("{camera}/%Y-%m-%d/%H-%M-%S.mp4");
    struct segpattern_match m;

    (void)state;
    assert_int_equal(segpattern_levels(p), 3);
    assert_true(segpattern_has_camera(p));
    assert_true(segpattern_has_time(p));
    assert_true(segpattern_match_level(p, 0, "CAH-001"));
    assert_true(segpattern_match_level(p, 1, "2026-11-20"));
    assert_false(segpattern_match_level(p, 1, "lost+found"));
    assert_false(segpattern_match_level(p, 1, "2026-11-2"));
    assert_true(segpattern_match_level(p, 2, "21-00-00.mp4"));
    assert_false(segpattern_match_level(p, 2, "21-00-00.mp4.part"));
    assert_false(segpattern_match_level(p, 3, "x"));
    assert_int_equal(segpattern_match(p, "CAH-001/2026-11-20/21-05-30.mp4", &m), 1);
    assert_string_equal(m.camera, "CAH-001");
    assert_true(m.has_time);
    assert_int_equal(m.year, 2026);
    assert_int_equal(m.month, 11);
    assert_int_equal(m.day, 20);
    assert_int_equal(m.hour, 21);
    assert_int_equal(m.min, 5);
    assert_int_equal(m.sec, 30);
    assert_int_equal(segpattern_match(p, "CAH-001/2026-11-20", &m), 0);
    assert_int_equal(segpattern_match(p, "CAH-001/2026-11-20/21-05-30.mp4/x", &m), 0);
    assert_int_equal(segpattern_match(p, "CAH-001/2026-02-30/21-05-30.mp4", &m), 0);
    assert_int_equal(segpattern_match(p, "CAH-001/2026-13-01/21-05-30.mp4", &m), 0);
    assert_int_equal(segpattern_match(p, "CAH-001/2026-11-20/24-00-00.mp4", &m), 0);
    segpattern_free(p);
}

/* The camera takes the shortest text after which the rest still matches. */
static void test_flat_names_with_camera_and_time_in_one(void **state)
{
    struct segpattern *p = compile_ok("ch{camera}_%Y%m%d%H%M%S_*.ts");
    struct segpattern_match m;

    (void)state;
    assert_int_equal(segpattern_match(p, "ch01_20261120210000_20261120211500.ts", &m), 1);
    assert_string_equal(m.camera, "01");
    assert_int_equal(m.hour, 21);
    assert_int_equal(segpattern_match(p, "chA_B_20261120210000_.ts", &m), 1);
    assert_string_equal(m.camera, "A_B");
    assert_int_equal(segpattern_match(p, "ch_20261120210000_x.ts", &m), 0); /* empty camera */
    segpattern_free(p);
}

static void test_day_of_year_two_digit_year_epoch_and_percent(void **state)
{
    struct segpattern *p = compile_ok("%y%j/%H%M.mkv");
    struct segpattern_match m;

    (void)state;
    assert_false(segpattern_has_camera(p));
    assert_int_equal(segpattern_match(p, "26060/0930.mkv", &m), 1);
    assert_int_equal(m.year, 2026);
    assert_int_equal(m.month, 3); /* day 60 of 2026 is 1 March */
    assert_int_equal(m.day, 1);
    assert_int_equal(m.sec, 0);
    assert_int_equal(segpattern_match(p, "24366/0930.mkv", &m), 1); /* 2024 is a leap year */
    assert_int_equal(m.month, 12);
    assert_int_equal(m.day, 31);
    assert_int_equal(segpattern_match(p, "26366/0930.mkv", &m), 0);
    segpattern_free(p);

    p = compile_ok("{camera}/%s.mp4");
    assert_int_equal(segpattern_match(p, "CAM/1795000000.mp4", &m), 1);
    assert_true(m.has_epoch);
    assert_false(m.has_time);
    assert_true(m.epoch_s == 1795000000);
    assert_int_equal(segpattern_match(p, "CAM/17950x.mp4", &m), 0);
    segpattern_free(p);

    p = compile_ok("100%%/{camera}.ts");
    assert_int_equal(segpattern_match(p, "100%/a.ts", &m), 1);
    assert_string_equal(m.camera, "a");
    assert_false(segpattern_has_time(p));
    assert_false(m.has_time);
    segpattern_free(p);
}

/* A field in two places must say the same in both. */
static void test_repeated_field_must_agree(void **state)
{
    struct segpattern *p = compile_ok("%Y/{camera}/%Y%m%d-%H%M%S.mp4");
    struct segpattern_match m;

    (void)state;
    assert_int_equal(segpattern_match(p, "2026/C1/20261120-210000.mp4", &m), 1);
    assert_int_equal(segpattern_match(p, "2025/C1/20261120-210000.mp4", &m), 0);
    segpattern_free(p);
}

static void refused(const char *pattern, const char *why)
{
    struct segpattern *p = (struct segpattern *)1;
    struct cw_err err = {0};

    if (segpattern_compile(pattern, &p, &err) == 0)
        fail_msg("'%s' compiled", pattern);
    assert_null(p);
    assert_string_equal(err.field, "pattern");
    if (strstr(err.msg, why) == NULL)
        fail_msg("'%s': '%s' does not say '%s'", pattern, err.msg, why);
}

static void test_bad_patterns_refused_saying_why(void **state)
{
    char longer[SEGPATTERN_MAX_LEN + 2];

    (void)state;
    refused("", "empty");
    refused("/srv/{camera}/%s.mp4", "relative");
    refused("{camera}//%s.mp4", "empty folder name");
    refused("{camera}/%s.mp4/", "empty folder name");
    refused("../{camera}/%s.mp4", "'..'");
    refused("{camera}/%Q.mp4", "unknown field %Q");
    refused("{cam}/%s.mp4", "{camera}");
    refused("{camera}/{camera}-%s.mp4", "more than once");
    refused("{camera}/*_*_*.mp4", "more than two");
    refused("{camera}/%H%M%S.mp4", "whole date");
    refused("{camera}/%Y%m%d.mp4", "%H and %M");
    refused("{camera}/%Y%d/%H%M.mp4", "whole date");
    refused("{camera}/%", "'%' at the end");
    refused("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", "16 folder levels");
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    refused(longer, "longer than");
}

/* The worst a hostile name can do to two variable parts: n*n tries, and no match. */
static void test_long_names_against_two_variable_parts(void **state)
{
    struct segpattern *p = compile_ok("{camera}*x%Y%m%d%H%M.mp4");
    struct segpattern_match m;
    char name[256];

    (void)state;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(segpattern_match(p, name, &m), 0);
    segpattern_free(p);
    segpattern_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folder_per_camera_and_day),
        cmocka_unit_test(test_flat_names_with_camera_and_time_in_one),
        cmocka_unit_test(test_day_of_year_two_digit_year_epoch_and_percent),
        cmocka_unit_test(test_repeated_field_must_agree),
        cmocka_unit_test(test_bad_patterns_refused_saying_why),
        cmocka_unit_test(test_long_names_against_two_variable_parts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
