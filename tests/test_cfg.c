/* test_cfg.c - whole sites: a good one loads whole, problems in the three files come
 * together, and the shipped Lai Vung example has the report's 128 cameras. */
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

static void test_good_site_loads_every_camera(void **state)
{
    struct site *s = *state;

    load_good_site(s);
    assert_non_null(s->cfg);
    assert_int_equal(s->errs.n, 0);
    assert_int_equal(s->cfg->n_cameras, 3);
    assert_int_equal(s->cfg->n_owners, 3);
    assert_int_equal(s->cfg->n_creds, 1);
    assert_string_equal(s->cfg->site_name, "Lai Vung (test)");
    assert_string_equal(cfg_owner_name(s->cfg, "CAX-TD"), "Công an xã Tân Dương");
    assert_null(cfg_owner_name(s->cfg, "CAX-HT"));
}

static void test_good_site_paths_are_absolute_from_conf_folder(void **state)
{
    struct site *s = *state;
    char want[PATH_MAX * 2], real[PATH_MAX];

    load_good_site(s);
    assert_non_null(s->cfg);
    assert_non_null(realpath(s->dir, real));
    assert_string_equal(s->cfg->dir, real);
    snprintf(want, sizeof(want), "%s/cameras.csv", real);
    assert_string_equal(s->cfg->cameras_path, want);
    snprintf(want, sizeof(want), "%s/secrets/credentials.ini", real);
    assert_string_equal(s->cfg->credentials_path, want);
    snprintf(want, sizeof(want), "%s/var/camwatch.db", real);
    assert_string_equal(s->cfg->database, want);
    assert_string_equal(s->cfg->path, s->conf);
}

static void test_good_site_takes_defaults_and_given_durations(void **state)
{
    struct site *s = *state;

    load_good_site(s);
    assert_non_null(s->cfg);
    assert_string_equal(s->cfg->time_zone, "Asia/Ho_Chi_Minh");
    assert_string_equal(s->cfg->http_listen, "127.0.0.1:8640");
    assert_int_equal(s->cfg->rtsp.interval_ms, 60000);
    assert_int_equal(s->cfg->rtsp.timeout_ms, 4000);
    assert_int_equal(s->cfg->rtsp.slow_ms, 2000);
    assert_int_equal(s->cfg->rtsp.down_after, 3);
    assert_int_equal(s->cfg->rtsp.up_after, 2);
    assert_int_equal(s->cfg->rtsp.concurrency, 64);
    assert_int_equal(s->cfg->footage.scan_interval_ms, 120000);
    assert_int_equal(s->cfg->footage.max_gap_ms, 600000);
}

static void test_good_site_resolves_credentials(void **state)
{
    struct site *s = *state;
    const struct cfg_camera *c;

    load_good_site(s);
    assert_non_null(s->cfg);
    c = cfg_find_camera(s->cfg, "CAH-001");
    assert_non_null(c);
    assert_non_null(c->cred);
    assert_string_equal(c->cred->username, "admin");
    assert_string_equal(c->cred->password, "camwatch");
    c = cfg_find_camera(s->cfg, "TD-01");
    assert_non_null(c);
    assert_null(c->cred);
    assert_null(cfg_find_camera(s->cfg, "nope"));
}

static void test_good_site_bom_quotes_newlines_and_diacritics(void **state)
{
    struct site *s = *state;
    const struct cfg_camera *c;

    load_good_site(s);
    assert_non_null(s->cfg);
    c = cfg_find_camera(s->cfg, "CAH-001"); /* first column right after the BOM */
    assert_non_null(c);
    assert_int_equal(c->line, 2);
    assert_string_equal(c->name, "Ngã ba QL80 - ĐT851");
    assert_string_equal(c->address, "ấp Long Thành, xã Long Thắng");
    assert_int_equal(c->site_kind, CFG_SITE_DISTRICT);
    assert_int_equal(c->has_position, 1);
    assert_true(c->lat > 10.3124 && c->lat < 10.3126);
    assert_true(c->lon > 105.6495 && c->lon < 105.6496);
    assert_string_equal(c->onvif_url, "http://127.0.0.1:8080/onvif/device_service");

    c = cfg_find_camera(s->cfg, "TD-01"); /* after a blank line, spans two lines */
    assert_non_null(c);
    assert_int_equal(c->line, 4);
    assert_int_equal(c->has_position, 0);
    assert_int_equal(c->site_kind, CFG_SITE_COMMUNE);
    assert_string_equal(c->notes, "Góc quay bị cây che, cần tỉa\nlần 2: đã báo UBND xã");
    assert_string_equal(c->rtsp_url, "rtsp://cam-td01.lan:322/Streaming/Channels/101");

    c = cfg_find_camera(s->cfg, "CHO-01");
    assert_non_null(c);
    assert_int_equal(c->line, 6);
    assert_int_equal(c->site_kind, CFG_SITE_MARKET);
    assert_string_equal(c->notes, "Camera \"giá rẻ\", ban đêm hình mờ");
    assert_string_equal(c->installed_on, "2020-02-29");
    assert_string_equal(cfg_site_kind_name(c->site_kind), "market");
}

static void test_conf_csv_and_credential_errors_come_together(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://"));
    site_write(s, "camwatch.conf", CONF_STD "[probe.rtsp]\ntimeout = soon\n", 0644);
    site_write(s, "credentials.ini", CREDS_STD "pass = x\n", 0600);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "timeout", "bad duration*");
    assert_error(&s->errs, "/credentials.ini", 4, "pass", "unknown key*");
    assert_error(&s->errs, "/cameras.csv", 2, "rtsp_url", "no host");
    assert_int_equal(s->errs.n, 3);
}

static void test_bad_example_names_duplicate_bad_url_and_unknown_credential(void **state)
{
    struct site *s = *state;

    site_copy(s, CW_TEST_DATA "/cfg/bad/camwatch.conf", "camwatch.conf", 0644);
    site_copy(s, CW_TEST_DATA "/cfg/bad/cameras.csv", "cameras.csv", 0644);
    site_copy(s, CW_TEST_DATA "/cfg/bad/credentials.ini", "credentials.ini", 0600);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 4, "id", "duplicate id 'CAH-001' (first at line 2)");
    assert_error(&s->errs, "/cameras.csv", 5, "rtsp_url", "missing scheme");
    assert_error(&s->errs, "/cameras.csv", 6, "credential", "unknown credential 'huyen'");
    assert_int_equal(s->errs.n, 3);
}

static void test_lai_vung_example_has_the_reports_128_cameras(void **state)
{
    struct site *s = *state;
    static const char *const files[] = {"camwatch.conf", "cameras.csv", "credentials.ini"};
    static const struct {
        const char *owner, *commune;
        enum cfg_site_kind kind;
        int n;
    } split[] = {
        {"CAH", NULL, CFG_SITE_DISTRICT, 63},
        {"CAX-TD", "Tân Dương", CFG_SITE_COMMUNE, 15},
        {"CAX-HT", "Hòa Thành", CFG_SITE_COMMUNE, 8},
        {"CAX-TT", "Tân Thành", CFG_SITE_COMMUNE, 14},
        {"CAX-TP", "Tân Phước", CFG_SITE_COMMUNE, 15},
        {"BQLC", NULL, CFG_SITE_MARKET, 13},
    };
    char src[PATH_MAX];
    size_t i, j;

    for (i = 0; i < 3; i++) {
        snprintf(src, sizeof(src), "%s/config/examples/lai-vung/%s", CW_SOURCE_DIR, files[i]);
        site_copy(s, src, files[i], i == 2 ? 0600 : 0644);
    }
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->n_cameras, 128);
    assert_string_equal(s->cfg->site_name, "Lai Vung");
    assert_int_equal(s->cfg->rtsp.interval_ms, 30000);
    assert_int_equal(s->cfg->rtsp.timeout_ms, 5000);
    assert_true(ends_with(s->cfg->database, "/var/camwatch.db"));
    assert_string_equal(cfg_owner_name(s->cfg, "CAH"), "Công an huyện Lai Vung");
    assert_string_equal(cfg_owner_name(s->cfg, "BQLC"), "Ban quản lý chợ Lai Vung");
    for (j = 0; j < sizeof(split) / sizeof(split[0]); j++) {
        int n = 0;
        for (i = 0; i < s->cfg->n_cameras; i++) {
            const struct cfg_camera *c = &s->cfg->cameras[i];
            if (strcmp(c->owner, split[j].owner) != 0)
                continue;
            n++;
            assert_int_equal(c->site_kind, split[j].kind);
            if (split[j].commune != NULL)
                assert_string_equal(c->commune, split[j].commune);
        }
        if (n != split[j].n)
            print_message("owner %s: %d cameras\n", split[j].owner, n);
        assert_int_equal(n, split[j].n);
    }
    for (i = 0; i < s->cfg->n_cameras; i++) {
        const struct cfg_camera *c = &s->cfg->cameras[i];
        assert_non_null(c->cred);
        assert_true(c->has_position);
        assert_true(c->lat >= 10.24 && c->lat <= 10.33);
        assert_true(c->lon >= 105.58 && c->lon <= 105.72);
    }
    assert_string_equal(cfg_find_camera(s->cfg, "HT-05")->cred->password, "not-the-password");
}

static void test_lai_vung_example_has_stream_probing_and_two_classes(void **state)
{
    struct site *s = *state;
    static const char *const files[] = {"camwatch.conf", "cameras.csv", "credentials.ini"};
    static const char *const unlit_ids[] = {"TD-06", "TD-07", "TT-04", "TT-06",
                                            "TT-14", "TP-04", "TP-13"};
    const struct cfg_class *def, *unlit;
    char src[PATH_MAX];
    size_t i, n_unlit = 0;

    for (i = 0; i < 3; i++) {
        snprintf(src, sizeof(src), "%s/config/examples/lai-vung/%s", CW_SOURCE_DIR, files[i]);
        site_copy(s, src, files[i], i == 2 ? 0600 : 0644);
    }
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->stream.workers, 4);
    assert_int_equal(s->cfg->stream.sample_ms, 5000);
    assert_int_equal(s->cfg->stream.interval_ms, 600000);
    assert_int_equal(s->cfg->stream.timeout_ms, 15000);
    assert_int_equal(s->cfg->samples_days, 31);
    assert_true(ends_with(s->cfg->cache_dir, "/var/cache"));
    assert_int_equal(s->cfg->n_classes, 2);
    def = &s->cfg->classes[0];
    unlit = &s->cfg->classes[1];
    assert_string_equal(unlit->name, "unlit");
    assert_int_equal(def->min_width, 640);
    assert_int_equal(def->min_height, 360);
    assert_true(def->min_fps == 12.0);
    assert_true(def->min_bitrate_kbps == 256.0);
    assert_int_equal(def->unlit, 0);
    assert_int_equal(unlit->unlit, 1);
    assert_int_equal(unlit->min_width, 640);
    for (i = 0; i < s->cfg->n_cameras; i++)
        if (s->cfg->cameras[i].cls == unlit)
            n_unlit++;
        else
            assert_ptr_equal(s->cfg->cameras[i].cls, def);
    assert_int_equal(n_unlit, sizeof(unlit_ids) / sizeof(unlit_ids[0]));
    for (i = 0; i < n_unlit; i++) {
        const struct cfg_camera *c = cfg_find_camera(s->cfg, unlit_ids[i]);
        assert_non_null(c);
        assert_ptr_equal(c->cls, unlit);
        assert_int_equal(c->site_kind, CFG_SITE_COMMUNE);
    }
}

/* ---- a reader's load (the CLI beside an intact store) ------------------------------ */

static void test_reader_load_warns_and_keeps_the_rows_without_problems(void **state)
{
    struct site *s = *state;
    char rows[8192];
    int i;

    snprintf(rows, sizeof(rows), "%s", row("A", -1, NULL));
    strcat(rows, row("B", 9, "127.0.0.1:8554/b"));
    strcat(rows, row("A", -1, NULL));
    strcat(rows, row("C", 11, "nope"));
    strcat(rows, row("D", -1, NULL));
    for (i = 0; i < 2; i++) {
        site_std(s, rows);
        if (i == 0) {
            assert_int_equal(site_load(s), -1); /* the daemon's load refuses it */
            assert_null(s->cfg);
        } else {
            assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
            assert_non_null(s->cfg);
        }
        assert_error(&s->errs, "/cameras.csv", 3, "rtsp_url", "missing scheme");
        assert_error(&s->errs, "/cameras.csv", 4, "id", "duplicate id 'A' (first at line 2)");
        assert_error(&s->errs, "/cameras.csv", 5, "credential", "unknown credential 'nope'");
        assert_int_equal(s->errs.n, 3);
        cw_errlist_clear(&s->errs);
    }
    assert_int_equal(s->cfg->n_cameras, 2);
    assert_int_equal(cfg_find_camera(s->cfg, "A")->line, 2);
    assert_int_equal(cfg_find_camera(s->cfg, "D")->line, 6);
    assert_null(cfg_find_camera(s->cfg, "B"));
    assert_null(cfg_find_camera(s->cfg, "C"));
    assert_string_equal(cfg_find_camera(s->cfg, "D")->cred->username, "admin");
}

static void test_reader_load_takes_an_unreadable_inventory_as_empty(void **state)
{
    struct site *s = *state;
    char path[PATH_MAX];

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD, 0644);
    snprintf(path, sizeof(path), "%s/cameras.csv", s->dir);
    assert_int_equal(remove(path), 0);
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
    assert_error(&s->errs, "/credentials.ini", 0, "", "readable by group or others*");
    assert_error(&s->errs, "/cameras.csv", 0, "", "cannot read: No such file or directory");
    assert_int_equal(s->errs.n, 2);
    assert_int_equal(s->cfg->n_cameras, 0);
    assert_string_equal(s->cfg->site_name, "Test");
}

static void test_reader_load_still_fails_on_the_conf(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "nope"));
    site_write(s, "camwatch.conf", CONF_STD "[probe.rtsp]\ninterval = soon\n", 0644);
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), -1);
    assert_null(s->cfg);
    assert_error(&s->errs, "/camwatch.conf", 10, "interval", "bad duration*");
    assert_error(&s->errs, "/cameras.csv", 2, "rtsp_url", "missing scheme");
    assert_int_equal(s->errs.n, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_good_site_loads_every_camera),
        T(test_good_site_paths_are_absolute_from_conf_folder),
        T(test_good_site_takes_defaults_and_given_durations),
        T(test_good_site_resolves_credentials),
        T(test_good_site_bom_quotes_newlines_and_diacritics),
        T(test_conf_csv_and_credential_errors_come_together),
        T(test_bad_example_names_duplicate_bad_url_and_unknown_credential),
        T(test_lai_vung_example_has_the_reports_128_cameras),
        T(test_lai_vung_example_has_stream_probing_and_two_classes),
        T(test_reader_load_warns_and_keeps_the_rows_without_problems),
        T(test_reader_load_takes_an_unreadable_inventory_as_empty),
        T(test_reader_load_still_fails_on_the_conf),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
