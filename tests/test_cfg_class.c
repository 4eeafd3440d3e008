/* test_cfg_class.c - [class NAME] sections and the class column: classes inherit from the
 * default class, their values are checked, cameras point at their class (config/class.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgtest.h"

static void test_class_inherits_default_class_given_after_it(void **state)
{
    struct site *s = *state;
    const struct cfg_class *def, *fixed, *unlit;

    load_good_site(s);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->n_classes, 3);
    def = &s->cfg->classes[0];
    fixed = &s->cfg->classes[1];
    unlit = &s->cfg->classes[2];
    assert_string_equal(def->name, "default");
    assert_string_equal(fixed->name, "fixed");
    assert_string_equal(unlit->name, "unlit");
    /* [class default] overrides the built-in values ... */
    assert_int_equal(def->min_width, 1280);
    assert_int_equal(def->min_height, 720);
    assert_true(def->min_fps == 12.0);
    /* ... and the other classes start from it, though their sections come first */
    assert_int_equal(fixed->min_width, 1280);
    assert_int_equal(fixed->min_height, 720);
    assert_true(fixed->min_fps == 10.0);
    assert_int_equal(fixed->unlit, 0);
    assert_int_equal(unlit->min_width, 1280);
    assert_int_equal(unlit->unlit, 1);
    assert_true(unlit->max_gop_s == 8.0);
    assert_true(unlit->min_fps == 12.0);
    assert_true(def->max_gop_s == 4.0);
}

static void test_class_column_points_cameras_at_their_class(void **state)
{
    struct site *s = *state;

    load_good_site(s);
    assert_non_null(s->cfg);
    assert_ptr_equal(cfg_find_camera(s->cfg, "CAH-001")->cls, &s->cfg->classes[0]);
    assert_ptr_equal(cfg_find_camera(s->cfg, "TD-01")->cls, &s->cfg->classes[2]);
    assert_ptr_equal(cfg_find_camera(s->cfg, "CHO-01")->cls, &s->cfg->classes[1]);
    /* the quoted, two-line notes field still ends where it did */
    assert_string_equal(cfg_find_camera(s->cfg, "TD-01")->notes,
                        "Góc quay bị cây che, cần tỉa\nlần 2: đã báo UBND xã");
}

static void test_class_column_may_name_default(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               CFG_CSV_HEADER ",class\n"
                              "A,B,CAH,,district,,,,,rtsp://h/a,,,,,,,default\n"
                              "C,D,CAH,,district,,,,,rtsp://h/c,,,,,,,\n",
               0644);
    assert_int_equal(site_load(s), 0);
    assert_ptr_equal(s->cfg->cameras[0].cls, &s->cfg->classes[0]);
    assert_ptr_equal(s->cfg->cameras[1].cls, &s->cfg->classes[0]);
}

static void test_unknown_class_names_file_line_and_class(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               CFG_CSV_HEADER ",class\n"
                              "A,B,CAH,,district,,,,,rtsp://h/a,,,,,,,\n"
                              "C,D,CAH,,district,,,,,rtsp://h/c,,,,,,,rural\n",
               0644);
    expect_one_error(s, "/cameras.csv", 3, "class", "unknown class 'rural' (no [class rural] in *");
}

static void test_class_header_needs_class_in_every_row(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               CFG_CSV_HEADER ",class\n"
                              "A,B,CAH,,district,,,,,rtsp://h/a,,,,,,\n",
               0644);
    expect_one_error(s, "/cameras.csv", 2, "", "16 fields, expected 17");
}

static void test_class_row_without_class_header_is_too_long(void **state)
{
    struct site *s = *state;

    site_std(s, "A,B,CAH,,district,,,,,rtsp://h/a,,,,,,,default\n");
    expect_one_error(s, "/cameras.csv", 2, "", "17 fields, expected 16");
}

static void test_class_column_must_come_last(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               "id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder,class,notes\n",
               0644);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 1, "notes",
                 "column out of order (column 17, expected 16)");
    assert_error(&s->errs, "/cameras.csv", 1, "class",
                 "column out of order (column 16, expected 17)");
    assert_int_equal(s->errs.n, 2);
}

static void test_class_name_characters(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural site]\nunlit = yes\n[class]\nmin_fps = 5\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 9, "class rural site",
                 "class name must be letters, digits, '_' or '-': [class NAME]");
    assert_error(&s->errs, "/camwatch.conf", 11, "class",
                 "class name must be letters, digits, '_' or '-': [class NAME]");
    assert_int_equal(s->errs.n, 2); /* their keys are not reported again */
}

static void test_class_unknown_key(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural]\nmin_bitrate = 256k\n");
    expect_one_error(s, "/camwatch.conf", 10, "min_bitrate", "unknown key in [class rural] (*");
}

static void test_class_key_set_twice(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural]\nmin_fps = 5\n[class rural]\nmin_fps = 6\n");
    expect_one_error(s, "/camwatch.conf", 12, "min_fps", "set twice (first at line 10)");
}

static void test_class_values_are_checked(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural]\nmin_width = wide\nmin_fps = fast\nmax_luma = 300\n"
                          "moved_distance = 65\nmax_gop = soon\nunlit = maybe\nmin_sharpness = -1\n"
                          "max_gop = 2h\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "min_width", "not a whole number: 'wide'");
    assert_error(&s->errs, "/camwatch.conf", 11, "min_fps", "not a number: 'fast'");
    assert_error(&s->errs, "/camwatch.conf", 12, "max_luma", "300 out of range 0..255");
    assert_error(&s->errs, "/camwatch.conf", 13, "moved_distance", "65 out of range 0..64");
    assert_error(&s->errs, "/camwatch.conf", 14, "max_gop",
                 "bad duration 'soon' (use e.g. 2s, 1500ms; 0 for no limit)");
    assert_error(&s->errs, "/camwatch.conf", 15, "unlit", "expected yes or no, not 'maybe'");
    assert_error(&s->errs, "/camwatch.conf", 16, "min_sharpness", "-1 out of range 0..1e+06");
    assert_error(&s->errs, "/camwatch.conf", 17, "max_gop", "set twice (first at line 14)");
    assert_int_equal(s->errs.n, 8);
}

static void test_class_max_gop_over_an_hour(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural]\nmax_gop = 2h\n");
    expect_one_error(s, "/camwatch.conf", 10, "max_gop", "'2h' is over 3600s");
}

static void test_class_zero_turns_a_check_off(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class lax]\nmax_gop = 0\nmin_fps = 0\nunlit = no\n"
                          "frozen_after = 0\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_classes, 2);
    assert_true(s->cfg->classes[1].max_gop_s == 0.0);
    assert_true(s->cfg->classes[1].min_fps == 0.0);
    assert_int_equal(s->cfg->classes[1].frozen_after, 0);
}

static void test_class_frozen_after_one_is_refused(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[class rural]\nfrozen_after = 1\n");
    expect_one_error(s, "/camwatch.conf", 10, "frozen_after",
                     "must be 0 (not checked) or 2 or more: every picture is the same as itself");
}

static void test_class_luma_bounds_must_not_cross(void **state)
{
    struct site *s = *state;

    /* min_luma 230 is fine alone, but not against the default class's max_luma 220 */
    site_conf(s, CONF_STD "[class glare]\nmin_luma = 230\n");
    expect_one_error(s, "/camwatch.conf", 9, "max_luma",
                     "must be above min_luma in [class glare] (220 <= 230)");
}

/* Issue 10: inih keeps 49 bytes of a section name; a longer [class NAME] lost all its keys
 * without a word. */
static void test_class_name_longer_than_inih_keeps_is_an_error(void **state)
{
    struct site *s = *state;
    char conf[1024], name[45], field[64];

    memset(name, 'x', 44);
    name[44] = '\0';
    snprintf(conf, sizeof(conf), "%s[class %s]\nunlit = yes\nmin_fps = 5\n", CONF_STD, name);
    snprintf(field, sizeof(field), "class %s", name);
    site_conf(s, conf);
    expect_one_error(s, "/camwatch.conf", 9, field, "section name longer than 49 bytes");
}

static void test_class_name_of_43_bytes_keeps_its_keys(void **state)
{
    struct site *s = *state;
    char conf[1024], name[44], csv[1024];

    memset(name, 'x', 43);
    name[43] = '\0';
    snprintf(conf, sizeof(conf), "%s[class %s]\nunlit = yes\n", CONF_STD, name);
    site_conf(s, conf);
    snprintf(csv, sizeof(csv), "%s,class\nA,B,CAH,,district,,,,,rtsp://h/a,,,,,,,%s\n",
             CFG_CSV_HEADER, name);
    site_write(s, "cameras.csv", csv, 0644);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_string_equal(s->cfg->classes[1].name, name);
    assert_int_equal(s->cfg->classes[1].unlit, 1);
    assert_ptr_equal(s->cfg->cameras[0].cls, &s->cfg->classes[1]);
}

static void test_class_column_longer_than_a_class_name_can_be(void **state)
{
    struct site *s = *state;
    char csv[1024], name[45];

    memset(name, 'x', 44);
    name[44] = '\0';
    site_std(s, "");
    snprintf(csv, sizeof(csv), "%s,class\nA,B,CAH,,district,,,,,rtsp://h/a,,,,,,,%s\n",
             CFG_CSV_HEADER, name);
    site_write(s, "cameras.csv", csv, 0644);
    expect_one_error(s, "/cameras.csv", 2, "class", "longer than 43 bytes");
}

static void test_encoder_below_names_what_falls_short_and_skips_what_is_unknown(void **state)
{
    const struct cfg_class c = {
        .min_width = 640, .min_height = 360, .min_fps = 12, .min_bitrate_kbps = 256};
    const struct cfg_class off = {0};

    (void)state;
    assert_int_equal(cfg_class_encoder_below(&c, 25, 1280, 720, 1024), 0);
    assert_int_equal(cfg_class_encoder_below(&c, 4, 1280, 720, 1024), CFG_BELOW_FPS);
    assert_int_equal(cfg_class_encoder_below(&c, 25, 352, 720, 1024), CFG_BELOW_SIZE);
    assert_int_equal(cfg_class_encoder_below(&c, 25, 1280, 288, 1024), CFG_BELOW_SIZE);
    assert_int_equal(cfg_class_encoder_below(&c, 25, 1280, 720, 128), CFG_BELOW_BITRATE);
    assert_int_equal(cfg_class_encoder_below(&c, 4, 352, 288, 128),
                     CFG_BELOW_FPS | CFG_BELOW_SIZE | CFG_BELOW_BITRATE);
    /* the device did not say: nothing to judge */
    assert_int_equal(cfg_class_encoder_below(&c, 0, 0, 288, 0), 0);
    /* the class sets no minimum: nothing falls short of it */
    assert_int_equal(cfg_class_encoder_below(&off, 4, 352, 288, 128), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_class_inherits_default_class_given_after_it),
        cmocka_unit_test(test_encoder_below_names_what_falls_short_and_skips_what_is_unknown),
        T(test_class_column_points_cameras_at_their_class),
        T(test_class_column_may_name_default),
        T(test_unknown_class_names_file_line_and_class),
        T(test_class_header_needs_class_in_every_row),
        T(test_class_row_without_class_header_is_too_long),
        T(test_class_column_must_come_last),
        T(test_class_name_characters),
        T(test_class_unknown_key),
        T(test_class_key_set_twice),
        T(test_class_values_are_checked),
        T(test_class_max_gop_over_an_hour),
        T(test_class_zero_turns_a_check_off),
        T(test_class_frozen_after_one_is_refused),
        T(test_class_luma_bounds_must_not_cross),
        T(test_class_name_longer_than_inih_keeps_is_an_error),
        T(test_class_name_of_43_bytes_keeps_its_keys),
        T(test_class_column_longer_than_a_class_name_can_be),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
