/* test_cfg_recorder.c - [footage] and [recorder NAME] (config/recorder.c, config/conf.c): the
 * defaults, each kind's keys, the channel map, cameras tied to their recorder, and every bad
 * value refused with file, line and field. */
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

#define ROWS3                                                                                      \
    "CAM-A,A,CAH,,district,,,,,rtsp://h/a,,,,,nvr1,\n"                                             \
    "CAM-B,B,CAH,,district,,,,,rtsp://h/b,,,,,nvr1,\n"                                             \
    "CAM-C,C,CAH,,district,,,,,rtsp://h/c,,,,,NVR-NOT-CONFIGURED,\n"

static void load_with(struct site *s, const char *more)
{
    char conf[4096];

    snprintf(conf, sizeof(conf), CONF_STD "%s", more);
    site_std(s, ROWS3);
    site_write(s, "camwatch.conf", conf, 0644);
}

/* ROWS3 and extra_row; nvr1 a dir recorder whose section goes on with tail from its line 13. */
static void load_nvr1_with(struct site *s, const char *tail, const char *extra_row)
{
    char conf[4096], rows[2048];

    snprintf(conf, sizeof(conf), CONF_STD "%s%s",
             "[recorder nvr1]\nkind = dir\npath = footage/nvr1\n"
             "pattern = {camera}/%Y-%m-%d/%H-%M-%S.mp4\n",
             tail);
    snprintf(rows, sizeof(rows), ROWS3 "%s", extra_row);
    site_std(s, rows);
    site_write(s, "camwatch.conf", conf, 0644);
}

static void test_footage_defaults_and_keys(void **state)
{
    struct site *s = *state;

    load_with(s, "");
    assert_int_equal(site_load(s), 0);
    assert_true(s->cfg->footage.scan_interval_ms == 300000);
    assert_int_equal(s->cfg->footage.workers, 1);
    assert_true(s->cfg->footage.max_gap_ms == 600000);
    assert_true(s->cfg->footage.warn_before_ms == 3LL * 86400000);
    assert_true(s->cfg->footage.tolerance_ms == 2000);
    assert_int_equal(s->cfg->n_recorders, 0);
    cfg_free(s->cfg);
    s->cfg = NULL;
    load_with(s, "[footage]\nscan_interval = 1m\nmax_gap = off\nwarn_before = 1d\n");
    assert_int_equal(site_load(s), 0);
    assert_true(s->cfg->footage.scan_interval_ms == 60000);
    assert_true(s->cfg->footage.max_gap_ms == 0);
    assert_true(s->cfg->footage.warn_before_ms == 86400000);
}

/* A dir recorder: its cameras are the rows naming it and its channel map's; a recorder column
 * with no section is no error. */
static void test_dir_recorder_with_channel_map(void **state)
{
    struct site *s = *state;
    const struct cfg_recorder *r;

    load_with(s, "[recorder nvr1]\nkind = dir\npath = footage/nvr1\n"
                 "pattern = {camera}/%Y-%m-%d/%H-%M-%S.mp4\ntime_zone = Europe/Berlin\n"
                 "channel_map = ch01=CAM-A, ch03 = CAM-C\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_recorders, 1);
    r = cfg_find_recorder(s->cfg, "nvr1");
    assert_non_null(r);
    assert_int_equal(r->kind, CFG_RECORDER_DIR);
    assert_true(ends_with(r->path, "/footage/nvr1"));
    assert_true(r->path[0] == '/');
    assert_string_equal(r->time_zone, "Europe/Berlin");
    assert_int_equal(r->n_tokens, 2);
    assert_string_equal(r->tokens[1], "ch03");
    assert_string_equal(r->token_cameras[1], "CAM-C");
    assert_int_equal(r->n_cameras, 3); /* CAM-A, CAM-B by their rows, CAM-C by the map */
    /* CAM-C's row names another recorder: the sheet puts only CAM-A and CAM-B on nvr1. */
    assert_int_equal(r->n_row_cameras, 2);
    assert_string_equal(r->cameras[0], "CAM-A");
    assert_string_equal(r->cameras[1], "CAM-B");
    assert_true(r->tls_verify);
    assert_null(cfg_find_recorder(s->cfg, "NVR-NOT-CONFIGURED"));
}

static void test_onvif_recorder_with_credential_defaults_to_site_zone(void **state)
{
    struct site *s = *state;
    const struct cfg_recorder *r;

    load_with(s, "[site]\ntime_zone = Asia/Ho_Chi_Minh\n[recorder nvr1]\nkind = onvif\n"
                 "url = http://10.1.2.3/onvif/device_service\ncredential = district\n"
                 "timeout = 3s\n");
    assert_int_equal(site_load(s), 0);
    r = cfg_find_recorder(s->cfg, "nvr1");
    assert_int_equal(r->kind, CFG_RECORDER_ONVIF);
    assert_non_null(r->cred);
    assert_string_equal(r->cred->username, "admin");
    assert_string_equal(r->time_zone, "Asia/Ho_Chi_Minh");
    assert_true(r->timeout_ms == 3000);
}

/* A reload keeps the zone in force (daemon_keep_fixed): a recorder naming no zone follows it,
 * one naming its own keeps it, even when that is the zone the new conf gives the site. */
static void test_recorders_without_a_zone_follow_the_site_zone_kept_on_reload(void **state)
{
    struct site *s = *state;
    const char *url = "url = http://10.1.2.3/onvif/device_service\n";
    char conf[1024];

    snprintf(conf, sizeof(conf),
             "[site]\ntime_zone = UTC\n[recorder nvr1]\nkind = onvif\n%s"
             "[recorder nvr2]\nkind = onvif\n%stime_zone = UTC\n"
             "[recorder nvr3]\nkind = onvif\n%stime_zone = Asia/Tokyo\n",
             url, url, url);
    load_with(s, conf);
    assert_int_equal(site_load(s), 0);
    assert_string_equal(cfg_find_recorder(s->cfg, "nvr1")->time_zone, "UTC");
    /* the zone in force before the reload put back, as daemon_keep_setting does */
    free(s->cfg->time_zone);
    s->cfg->time_zone = strdup("Asia/Ho_Chi_Minh");
    assert_non_null(s->cfg->time_zone);
    assert_int_equal(cfg_recorders_follow_zone(s->cfg), 0);
    assert_string_equal(cfg_find_recorder(s->cfg, "nvr1")->time_zone, "Asia/Ho_Chi_Minh");
    assert_string_equal(cfg_find_recorder(s->cfg, "nvr2")->time_zone, "UTC");
    assert_string_equal(cfg_find_recorder(s->cfg, "nvr3")->time_zone, "Asia/Tokyo");
}

/* The conf's recorder section starts at line 9; line is the bad key's. */
static void refused(void **state, const char *section, int line, const char *field, const char *msg)
{
    struct site *s = *state;

    load_with(s, section);
    expect_one_error(s, "/camwatch.conf", line, field, msg);
}

static void test_bad_recorders_name_line_and_field(void **state)
{
    refused(state, "[recorder nvr1]\npath = x\n", 9, "kind",
            "[recorder nvr1]: missing: dir, onvif, hikvision or dahua");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = nas\n", 10, "kind",
            "[recorder nvr1]: 'nas' is not dir, onvif, hikvision or dahua");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = dir\npattern = {camera}/%s.mp4\n", 9, "path",
            "[recorder nvr1]: a dir recorder needs its folder");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = dir\npath = x\npattern = {camera}/%H.mp4\n", 12,
            "pattern", "[recorder nvr1]: '{camera}/%H.mp4': a time needs a whole date*");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = dir\npath = x\npattern = %Y%m%d/%H%M%S.mp4\n", 12,
            "pattern", "[recorder nvr1]: the pattern has no {camera}, so exactly one camera*");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = ftp://10.1.2.3/\n", 11, "url",
            "[recorder nvr1]: not an http URL");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\ncredential = nobody\n", 12,
            "credential", "[recorder nvr1]: no section [nobody] in the credentials file");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = 1=CAM-Z\n", 12,
            "channel_map", "[recorder nvr1]: 'CAM-Z' is no camera of the inventory");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = 1=CAM-A,1=B\n",
            12, "channel_map", "[recorder nvr1]: token '1' given twice");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = CAM-A\n", 12,
            "channel_map", "[recorder nvr1]: 'CAM-A' is not TOKEN=CAMERA");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = =CAM-A\n", 12,
            "channel_map", "[recorder nvr1]: '=CAM-A' is not TOKEN=CAMERA");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = 1= ,2=CAM-A\n",
            12, "channel_map", "[recorder nvr1]: '1=' is not TOKEN=CAMERA");
    site_teardown(state);
    site_setup(state);
    /* The item quoted as the parser reads it: trimmed of the blanks around it. */
    refused(state,
            "[recorder nvr1]\nkind = onvif\nurl = http://h/\nchannel_map = 1=CAM-A, 2 , \t=B\n", 12,
            "channel_map", "[recorder nvr1]: '2' is not TOKEN=CAMERA");
    site_teardown(state);
    site_setup(state);
    /* Hikvision and Dahua are searched channel by channel: the map must number them. */
    refused(state, "[recorder nvr1]\nkind = hikvision\nurl = http://h/\n", 9, "channel_map",
            "[recorder nvr1]: a hikvision recorder is searched by channel: channel_map needs its "
            "channels, e.g. 1=CAM-A, 2=CAM-B (or track ids: 101=CAM-A)");
    site_teardown(state);
    site_setup(state);
    refused(state, "[recorder nvr1]\nkind = dahua\nurl = http://h/\nchannel_map = ch1=CAM-A\n", 12,
            "channel_map", "[recorder nvr1]: 'ch1' is no channel number (1 to 99999)");
}

static void test_nvr_recorders_by_channel_number(void **state)
{
    struct site *s = *state;
    const struct cfg_recorder *r;

    load_with(s, "[recorder nvr1]\nkind = hikvision\nurl = http://10.1.2.3\n"
                 "channel_map = 1=CAM-A, 201=CAM-B\ntime_zone = Asia/Tokyo\n");
    assert_int_equal(site_load(s), 0);
    r = cfg_find_recorder(s->cfg, "nvr1");
    assert_int_equal(r->kind, CFG_RECORDER_HIKVISION);
    assert_int_equal(r->n_tokens, 2);
    assert_string_equal(r->tokens[1], "201");
    assert_string_equal(r->time_zone, "Asia/Tokyo");
}

/* A map's entry naming a camera whose row names another recorder gives it nothing: a warning
 * at the map's line naming the recorder, the entry, the camera's row and the recorder it names
 * (the load succeeds). Entries for nvr1's own rows, or for a row whose column is blank, are
 * none. */
static void test_map_entry_of_a_camera_on_another_recorder_is_a_warning(void **state)
{
    struct site *s = *state;
    struct cw_errlist warns = {0};

    load_nvr1_with(s, "channel_map = ch01=CAM-A, ch03 = CAM-C, ch04=CAM-D\n",
                   "CAM-D,D,CAH,,district,,,,,rtsp://h/d,,,,,,\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(cfg_find_recorder(s->cfg, "nvr1")->map_line, 13);
    cfg_warnings(s->cfg, &warns);
    if (warns.n != 1)
        dump_errors(&warns);
    assert_int_equal(warns.n, 1);
    assert_error(&warns, "/camwatch.conf", 13, "channel_map",
                 "[recorder nvr1]: ch03=CAM-C gives CAM-C no new footage: its row (*");
    assert_non_null(strstr(warns.v[0].msg, "/cameras.csv:4) names recorder NVR-NOT-CONFIGURED; "
                                           "take ch03=CAM-C out of the map, or put nvr1 back in "
                                           "the row"));
    cw_errlist_clear(&warns);
}

/* --check-config's load (cfg_load_check): a configuration refused for a bad row says its
 * warnings too, of the rows without problems, so the user meets them with the problems rather
 * than after fixing those. */
static void test_check_load_refused_for_a_bad_row_still_gives_the_warnings(void **state)
{
    struct site *s = *state;
    struct cw_errlist warns = {0};
    static const char row_e[] = "CAM-E,E,CAH,,district,,,,,nope://h/e,,,,,NVR-NOT-CONFIGURED,\n";

    load_nvr1_with(s, "channel_map = ch01=CAM-A, ch03 = CAM-C, ch05=CAM-E\n", row_e);
    assert_int_equal(cfg_load_check(s->conf, &s->cfg, &s->errs, &warns, NULL), -1);
    assert_null(s->cfg);
    if (s->errs.n != 1 || warns.n != 1) {
        dump_errors(&s->errs);
        dump_errors(&warns);
    }
    assert_int_equal(s->errs.n, 1);
    assert_error(&s->errs, "/cameras.csv", 5, "rtsp_url", "*");
    /* CAM-E's row has a problem: that is said, not a warning of its map entry */
    assert_int_equal(warns.n, 1);
    assert_error(&warns, "/camwatch.conf", 13, "channel_map",
                 "[recorder nvr1]: ch03=CAM-C gives CAM-C no new footage: its row (*");
    cw_errlist_clear(&warns);
}

/* camwatch.conf's own problems (a key out of range in [footage], an unknown key in the very
 * recorder whose map is warned of) refuse the configuration as well, and the warnings of what
 * loaded around them still come with them: one run of --check-config says everything. */
static void test_check_load_refused_for_conf_problems_still_gives_the_warnings(void **state)
{
    struct site *s = *state;
    struct cw_errlist warns = {0};
    static const char row_e[] = "CAM-E,E,CAH,,district,,,,,nope://h/e,,,,,NVR-NOT-CONFIGURED,\n";

    load_nvr1_with(s,
                   "channel_map = ch01=CAM-A, ch03 = CAM-C, ch05=CAM-E\ncolour = red\n"
                   "[footage]\nscan_interval = 1s\n",
                   row_e);
    assert_int_equal(cfg_load_check(s->conf, &s->cfg, &s->errs, &warns, NULL), -1);
    assert_null(s->cfg);
    if (s->errs.n != 3 || warns.n != 1) {
        dump_errors(&s->errs);
        dump_errors(&warns);
    }
    assert_int_equal(s->errs.n, 3);
    assert_error(&s->errs, "/camwatch.conf", 14, "colour", "unknown key in [recorder nvr1]*");
    assert_error(&s->errs, "/camwatch.conf", 16, "scan_interval", "must be between 10s and 1d*");
    assert_error(&s->errs, "/cameras.csv", 5, "rtsp_url", "*");
    assert_int_equal(warns.n, 1);
    assert_error(&warns, "/camwatch.conf", 13, "channel_map",
                 "[recorder nvr1]: ch03=CAM-C gives CAM-C no new footage: its row (*");
    cw_errlist_clear(&warns);
    cw_errlist_clear(&s->errs);

    /* A map refused is not read, so none of its entries is warned of: its problem is said. */
    load_nvr1_with(s, "channel_map = ch03 = CAM-C, ch04\n", "");
    assert_int_equal(cfg_load_check(s->conf, &s->cfg, &s->errs, &warns, NULL), -1);
    assert_int_equal(warns.n, 0);
    assert_error(&s->errs, "/camwatch.conf", 13, "channel_map",
                 "[recorder nvr1]: 'ch04' is not TOKEN=CAMERA");
    cw_errlist_clear(&warns);
}

static void test_bad_footage_keys_refused(void **state)
{
    struct site *s = *state;

    load_with(s, "[footage]\nscan_interval = 1s\n");
    expect_one_error(s, "/camwatch.conf", 10, "scan_interval", "must be between 10s and 1d*");
}

/* A reader's load (the CLI) leaves out the rows with a problem: their cameras leave their
 * recorder's list too, which held their ids, freed with them (a use after free before). A
 * duplicate's id is the kept row's text, but not the kept row's. */
static void test_reader_load_drops_bad_rows_from_their_recorder(void **state)
{
    struct site *s = *state;
    char conf[4096];
    const struct cfg_recorder *r;

    snprintf(conf, sizeof(conf), CONF_STD "%s",
             "[recorder nvr1]\nkind = dir\npath = footage/nvr1\n"
             "pattern = {camera}/%Y-%m-%d/%H-%M-%S.mp4\n");
    site_std(s, "CAM-A,A,CAH,,district,,,,,rtsp://h/a,,,,,nvr1,\n"
                "CAM-B,B,CAH,,district,,,,,nope://h/b,,,,,nvr1,\n"
                "CAM-A,A again,CAH,,district,,,,,rtsp://h/a2,,,,,nvr1,\n"
                "CAM-D,D,CAH,,district,,,,,rtsp://h/d,,,,,nvr1,\n");
    site_write(s, "camwatch.conf", conf, 0644);
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
    assert_int_equal(s->cfg->n_cameras, 2);
    r = cfg_find_recorder(s->cfg, "nvr1");
    assert_non_null(r);
    assert_int_equal(r->n_cameras, 2);
    assert_ptr_equal(r->cameras[0], cfg_find_camera(s->cfg, "CAM-A")->id);
    assert_ptr_equal(r->cameras[1], cfg_find_camera(s->cfg, "CAM-D")->id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reader_load_drops_bad_rows_from_their_recorder,
                                        site_setup, site_teardown),
        cmocka_unit_test_setup_teardown(test_footage_defaults_and_keys, site_setup, site_teardown),
        cmocka_unit_test_setup_teardown(test_dir_recorder_with_channel_map, site_setup,
                                        site_teardown),
        cmocka_unit_test_setup_teardown(test_onvif_recorder_with_credential_defaults_to_site_zone,
                                        site_setup, site_teardown),
        cmocka_unit_test_setup_teardown(
            test_recorders_without_a_zone_follow_the_site_zone_kept_on_reload, site_setup,
            site_teardown),
        cmocka_unit_test_setup_teardown(test_nvr_recorders_by_channel_number, site_setup,
                                        site_teardown),
        cmocka_unit_test_setup_teardown(test_map_entry_of_a_camera_on_another_recorder_is_a_warning,
                                        site_setup, site_teardown),
        cmocka_unit_test_setup_teardown(test_bad_recorders_name_line_and_field, site_setup,
                                        site_teardown),
        cmocka_unit_test_setup_teardown(
            test_check_load_refused_for_conf_problems_still_gives_the_warnings, site_setup,
            site_teardown),
        cmocka_unit_test_setup_teardown(test_bad_footage_keys_refused, site_setup, site_teardown),
        cmocka_unit_test_setup_teardown(
            test_check_load_refused_for_a_bad_row_still_gives_the_warnings, site_setup,
            site_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
