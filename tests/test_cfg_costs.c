/* test_cfg_costs.c - the report keys of camwatch.conf: [costs] (one row per action: an amount
 * of VND as people write it and the price's source, both required), [site] language and
 * authority; each bad value named by file, line and key. Each test writes its own site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/cfg.h"
#include "cwtest.h"

struct site {
    char dir[64];
    char conf[128];
    struct cfg *cfg;
    struct cw_errlist errs;
};

static int setup(void **state)
{
    struct site *s = calloc(1, sizeof(*s));

    if (s == NULL || cwtest_tmpdir(s->dir, sizeof(s->dir), "cfgcosts") != 0)
        return -1;
    snprintf(s->conf, sizeof(s->conf), "%s/camwatch.conf", s->dir);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct site *s = *state;

    cfg_free(s->cfg);
    cw_errlist_clear(&s->errs);
    cwtest_rmtree(s->dir);
    free(s);
    return 0;
}

/* A site of one camera whose conf ends with more (sections and keys). */
static int load(struct site *s, const char *site_keys, const char *more)
{
    char path[160], text[4096];

    snprintf(text, sizeof(text),
             "[site]\nname = Lai Vung\n%s[inventory]\ncameras = cameras.csv\n"
             "[owners]\nCAH = Công an huyện Lai Vung\n%s",
             site_keys, more);
    cwtest_write_file(s->conf, text, 0644);
    snprintf(path, sizeof(path), "%s/cameras.csv", s->dir);
    cwtest_write_file(path,
                      CFG_CSV_HEADER "\nCAH-001,Cầu,CAH,Tân Dương,district,,QL80,,,"
                                     "rtsp://127.0.0.1:8554/a,,,,,,\n",
                      0644);
    return cfg_load(s->conf, &s->cfg, &s->errs);
}

static void expect_error(const struct site *s, int line, const char *field, const char *msg)
{
    for (size_t i = 0; i < s->errs.n; i++) {
        const struct cw_err *e = &s->errs.v[i];
        if (e->line == line && strcmp(e->field, field) == 0 && strstr(e->msg, msg) != NULL)
            return;
    }
    for (size_t i = 0; i < s->errs.n; i++)
        fprintf(stderr, "  got %d %s: %s\n", s->errs.v[i].line, s->errs.v[i].field,
                s->errs.v[i].msg);
    fail_msg("no error at line %d, %s: %s", line, field, msg);
}

static void test_costs_take_amounts_as_people_write_them_with_their_source(void **state)
{
    struct site *s = *state;

    assert_int_equal(load(s, "",
                          "[costs]\n"
                          "replace_camera = 4.500.000 | báo giá số 12/BG ngày 05/11/2026\n"
                          "restore_link = 450,000 VND | price list 2026\n"
                          "clean_lens = 200 000đ|hợp đồng bảo trì\n"
                          "setup_ntp = 0 | nhân công của đơn vị\n"
                          "replace_disk = 2500000 | báo giá | bản 2\n"),
                     0);
    assert_int_equal(s->cfg->costs[CFG_ACTION_REPLACE_CAMERA].vnd, 4500000);
    assert_string_equal(s->cfg->costs[CFG_ACTION_REPLACE_CAMERA].source,
                        "báo giá số 12/BG ngày 05/11/2026");
    assert_int_equal(s->cfg->costs[CFG_ACTION_RESTORE_LINK].vnd, 450000);
    assert_int_equal(s->cfg->costs[CFG_ACTION_CLEAN_LENS].vnd, 200000);
    assert_string_equal(s->cfg->costs[CFG_ACTION_CLEAN_LENS].source, "hợp đồng bảo trì");
    assert_int_equal(s->cfg->costs[CFG_ACTION_SETUP_NTP].set, 1);
    assert_int_equal(s->cfg->costs[CFG_ACTION_SETUP_NTP].vnd, 0);
    assert_string_equal(s->cfg->costs[CFG_ACTION_REPLACE_DISK].source, "báo giá | bản 2");
    /* an action the conf leaves out is unpriced, not free */
    assert_int_equal(s->cfg->costs[CFG_ACTION_REAIM].set, 0);
    /* the defaults of [site] */
    assert_string_equal(s->cfg->language, "en");
    assert_null(s->cfg->authority);
}

static void test_bad_costs_name_their_line_and_action(void **state)
{
    struct site *s = *state;

    assert_int_equal(load(s, "",
                          "[costs]\n"                            /* line 7 */
                          "replace_camera = 4500000\n"           /* 8: no source */
                          "restore_link = 4.50.000 | x\n"        /* 9: bad grouping */
                          "clean_lens = -5 | x\n"                /* 10: negative */
                          "reaim = 300000 |   \n"                /* 11: empty source */
                          "setup_ntp = 99999999999 | x\n"        /* 12: past the bound */
                          "paint_pole = 1 | x\n"                 /* 13: no such action */
                          "update_firmware = nhiều tiền | x\n"), /* 14: not a number */
                     -1);
    expect_error(s, 8, "replace_camera", "expected 'AMOUNT | SOURCE'");
    expect_error(s, 9, "restore_link", "'4.50.000' is not a whole amount of VND");
    expect_error(s, 10, "clean_lens", "is not a whole amount of VND");
    expect_error(s, 11, "reaim", "the price's source is missing after '|'");
    expect_error(s, 12, "setup_ntp", "out of range 0..10000000000");
    expect_error(s, 13, "paint_pole", "unknown key in [costs] (restore_link, clean_lens");
    expect_error(s, 14, "update_firmware", "is not a whole amount of VND");
    assert_int_equal(s->errs.n, 7);
}

static void test_site_language_and_authority(void **state)
{
    struct site *s = *state;

    assert_int_equal(load(s, "language = vi\nauthority = Công an huyện Lai Vung\n", ""), 0);
    assert_string_equal(s->cfg->language, "vi");
    assert_string_equal(s->cfg->authority, "Công an huyện Lai Vung");
    cfg_free(s->cfg);
    s->cfg = NULL;
    assert_int_equal(load(s, "language = fr\n", ""), -1);
    expect_error(s, 3, "language", "expected one of vi en, not 'fr'");
}

static void test_every_action_is_a_costs_key_of_its_own(void **state)
{
    struct site *s = *state;
    char text[2048] = "[costs]\n";

    for (int i = 0; i < CFG_ACTION_COUNT; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s = %d | src %d\n",
                 cfg_action_name((enum cfg_action)i), 1000 * (i + 1), i);
    assert_int_equal(load(s, "", text), 0);
    for (int i = 0; i < CFG_ACTION_COUNT; i++) {
        char src[16];
        snprintf(src, sizeof(src), "src %d", i);
        assert_int_equal(s->cfg->costs[i].vnd, 1000 * (i + 1));
        assert_string_equal(s->cfg->costs[i].source, src);
    }
}

static void test_action_names_match_the_costs_rows(void **state)
{
    enum cfg_action a;
    int64_t v;
    (void)state;

    for (int i = 0; i < CFG_ACTION_COUNT; i++) {
        assert_int_equal(cfg_action_parse(cfg_action_name((enum cfg_action)i), &a), 0);
        assert_int_equal(a, i);
    }
    assert_int_equal(cfg_action_parse("replace", &a), -1);
    assert_null(cfg_action_name(CFG_ACTION_COUNT));
    assert_int_equal(cfg_parse_vnd("1.234.567 đồng", &v), 0);
    assert_int_equal(v, 1234567);
    assert_int_equal(cfg_parse_vnd("1234.567", &v), -1);
    assert_int_equal(cfg_parse_vnd("", &v), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_costs_take_amounts_as_people_write_them_with_their_source),
        T(test_bad_costs_name_their_line_and_action),
        T(test_site_language_and_authority),
        T(test_every_action_is_a_costs_key_of_its_own),
        cmocka_unit_test(test_action_names_match_the_costs_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
