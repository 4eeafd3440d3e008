/* test_cfg_conf.c - camwatch.conf: every key taken, its default, its bounds and every
 * message naming file, line and key (config/conf.c, directive.c, ini_src.c). */
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

static void test_conf_takes_every_key(void **state)
{
    struct site *s = *state;

    site_conf(s, "[site]\nname = X\ntime_zone = Europe/Paris\n"
                 "[store]\ndatabase = /srv/cw/state.db\n"
                 "[inventory]\ncameras = cameras.csv\ncredentials = credentials.ini\n"
                 "[probe.rtsp]\ninterval = 10s\ntimeout = 2500ms\nslow = 1s\n"
                 "down_after = 5\nup_after = 1\nconcurrency = 10000\n"
                 "concurrency_max = 12\ndown_interval = 5m\ndown_timeout = 700ms\n"
                 "[http]\nlisten = [::1]:9000\n"
                 "[owners]\nCAH = Công an huyện Lai Vung\n");
    assert_int_equal(site_load(s), 0);
    assert_string_equal(s->cfg->time_zone, "Europe/Paris");
    assert_string_equal(s->cfg->database, "/srv/cw/state.db");
    assert_int_equal(s->cfg->rtsp.interval_ms, 10000);
    assert_int_equal(s->cfg->rtsp.timeout_ms, 2500);
    assert_int_equal(s->cfg->rtsp.slow_ms, 1000);
    assert_int_equal(s->cfg->rtsp.down_after, 5);
    assert_int_equal(s->cfg->rtsp.up_after, 1);
    assert_int_equal(s->cfg->rtsp.concurrency, 10000);
    assert_int_equal(s->cfg->rtsp.concurrency_max, 12);
    assert_int_equal(s->cfg->rtsp.down_interval_ms, 300000);
    assert_int_equal(s->cfg->rtsp.down_timeout_ms, 700);
    assert_string_equal(s->cfg->http_listen, "[::1]:9000");
}

static void test_down_cameras_back_off_by_default_and_off_turns_it_off(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD);
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->rtsp.down_interval_ms, 120000);
    assert_int_equal(s->cfg->rtsp.down_timeout_ms, 2000);
    assert_int_equal(s->cfg->rtsp.concurrency_max, 2048);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_conf(s, CONF_STD "[probe.rtsp]\ndown_interval = off\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->rtsp.down_interval_ms, 0);
}

static void test_later_features_sections_are_ignored(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[report]\ndir = /srv\n[report.monthly]\nurl = x\n"
                          "[reports]\nlang = vi\n[api]\ntoken = t\n"
                          "[api.tokens]\nz = 1\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->errs.n, 0);
}

static void test_missing_conf_is_the_only_error(void **state)
{
    struct site *s = *state;

    expect_one_error(s, "/camwatch.conf", 0, "", "cannot read: No such file or directory");
}

static void test_conf_in_missing_folder_cannot_be_read(void **state)
{
    struct site *s = *state;

    snprintf(s->conf, sizeof(s->conf), "%s/nope/camwatch.conf", s->dir);
    expect_one_error(s, "/nope/camwatch.conf", 0, "", "cannot read: No such file or directory");
}

/* A folder opened as the conf read as empty: "[inventory] cameras is required" hid it. */
static void test_conf_that_is_a_folder_says_so(void **state)
{
    struct site *s = *state;

    site_mkdir(s, "conf.d");
    snprintf(s->conf, sizeof(s->conf), "%s/conf.d", s->dir);
    expect_one_error(s, "/conf.d", 0, "", "is a folder, not a configuration file");
}

/* -c "": the message had no file name in front of it, and said only "cannot read". */
static void test_empty_conf_path_says_it_names_no_file(void **state)
{
    struct site *s = *state;

    s->conf[0] = '\0';
    expect_one_error(s, "", 0, "", "configuration file '': an empty path names no file");
}

/* A conf of no bytes was told "[inventory] cameras is required", as if it lacked one key. */
static void test_an_empty_conf_file_is_said_to_be_empty(void **state)
{
    struct site *s = *state;

    site_conf(s, "");
    expect_one_error(s, "/camwatch.conf", 0, "",
                     "empty file: a configuration needs at least [inventory] cameras = FILE "
                     "(README: Configure real cameras)");
}

/* The thumbnails' and exports' folders: made by the daemon when missing, but a file in their
 * place is refused when the conf is read (--check-config), naming the line and key. */
static void test_cache_and_exports_must_be_folders_when_they_exist(void **state)
{
    struct site *s = *state;

    site_write(s, "afile", "x", 0644);
    site_conf(s, CONF_STD "[store]\ncache = afile\n[footage]\nexports = afile\n");
    assert_int_equal(site_load(s), -1);
    if (s->errs.n != 2)
        dump_errors(&s->errs);
    assert_int_equal(s->errs.n, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_true(ends_with(s->errs.v[i].file, "/camwatch.conf"));
        assert_int_equal(s->errs.v[i].line, i == 0 ? 10 : 12);
        assert_string_equal(s->errs.v[i].field, i == 0 ? "cache" : "exports");
        assert_true(ends_with(s->errs.v[i].msg, "/afile is not a folder (a missing one is made)"));
    }
}

static void test_cache_and_exports_missing_or_folders_are_taken(void **state)
{
    struct site *s = *state;

    site_mkdir(s, "adir");
    site_conf(s, CONF_STD "[store]\ncache = adir\n[footage]\nexports = not/yet\n");
    assert_int_equal(site_load(s), 0);
    assert_true(ends_with(s->cfg->cache_dir, "/adir"));
    assert_true(ends_with(s->cfg->footage.export_dir, "/not/yet"));
}

static void test_unknown_section_names_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "\n[probe.rstp]\ninterval = 30s\n");
    expect_one_error(s, "/camwatch.conf", 10, "probe.rstp", "unknown section");
}

static void test_unknown_key_names_line_and_key(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\nintervall = 30s\n");
    expect_one_error(s, "/camwatch.conf", 10, "intervall",
                     "unknown key in [probe.rtsp] (interval, timeout, slow, down_after, up_after, "
                     "concurrency, concurrency_max, down_interval, down_timeout)");
}

static void test_key_set_twice_names_first_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[site]\nname = Again\n");
    expect_one_error(s, "/camwatch.conf", 10, "name", "set twice (first at line 2)");
}

static void test_key_outside_section(void **state)
{
    struct site *s = *state;

    site_conf(s, "name = X\n" CONF_STD);
    expect_one_error(s, "/camwatch.conf", 1, "name", "key outside any [section]");
}

static void test_line_without_equals(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\nconcurrency 64\n");
    expect_one_error(s, "/camwatch.conf", 10, "", "expected 'key = value'");
}

static void test_section_header_without_bracket(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[http\n");
    expect_one_error(s, "/camwatch.conf", 9, "", "section header without ']'");
}

static void test_indented_line_is_not_glued_to_value_above(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ninterval = 30s\n  timeout = 5s\n");
    expect_one_error(s, "/camwatch.conf", 11, "",
                     "indented line: remove the leading spaces (it would continue the value "
                     "above)");
}

static void test_overlong_line(void **state)
{
    struct site *s = *state;
    char conf[2048], name[400];

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(conf, sizeof(conf), "%s[site]\n;%s\n", CONF_STD, name);
    site_conf(s, conf);
    expect_one_error(s, "/camwatch.conf", 10, "", "line too long (at most*");
}

static void test_text_not_utf8_names_line(void **state)
{
    struct site *s = *state;

    /* an owner's name saved as Latin-1: every document quoting it would fail as JSON */
    site_conf(s, CONF_STD "[owners]\nCAX = C\xf4ng an x\xe3\n");
    expect_one_error(s, "/camwatch.conf", 10, "", "not valid UTF-8 (save the file as UTF-8)");
}

static void test_bad_duration(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ntimeout = 5 seconds\n");
    expect_one_error(s, "/camwatch.conf", 10, "timeout",
                     "bad duration '5 seconds' (use e.g. 250ms, 30s, 5m, 2h)");
}

static void test_zero_duration(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\nslow = 0s\n");
    expect_one_error(s, "/camwatch.conf", 10, "slow", "must be more than 0");
}

static void test_interval_out_of_range(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ninterval = 2d\n");
    expect_one_error(s, "/camwatch.conf", 10, "interval", "must be between 100ms and 1d");
}

static void test_timeout_not_shorter_than_interval(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ninterval = 5s\ntimeout = 5s\n");
    expect_one_error(s, "/camwatch.conf", 11, "timeout",
                     "must be shorter than interval (5000 ms >= 5000 ms)");
}

static void test_short_interval_against_default_timeout_names_interval_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ninterval = 3s\n");
    expect_one_error(s, "/camwatch.conf", 10, "timeout",
                     "must be shorter than interval (5000 ms >= 3000 ms)");
}

static void test_integer_not_a_number(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\ndown_after = three\n");
    expect_one_error(s, "/camwatch.conf", 10, "down_after", "not a whole number: 'three'");
}

static void test_concurrency_out_of_range(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\nconcurrency = 0\nup_after = 101\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "concurrency", "0 out of range 1..10000");
    assert_error(&s->errs, "/camwatch.conf", 11, "up_after", "101 out of range 1..100");
    assert_int_equal(s->errs.n, 2);
}

static void test_unknown_time_zone(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[site]\ntime_zone = Asia/Lai_Vung\n");
    expect_one_error(s, "/camwatch.conf", 10, "time_zone",
                     "unknown time zone 'Asia/Lai_Vung' (not in /usr/share/zoneinfo)");
}

static void test_time_zone_cannot_escape_zoneinfo(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[site]\ntime_zone = ../../etc/passwd\n");
    expect_one_error(s, "/camwatch.conf", 10, "time_zone", "unknown time zone*");
}

static void test_listen_without_port(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[http]\nlisten = 127.0.0.1\n");
    expect_one_error(s, "/camwatch.conf", 10, "listen", "expected host:port: '127.0.0.1'");
}

static void test_listen_bad_port(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[http]\nlisten = 127.0.0.1:86400\n");
    expect_one_error(s, "/camwatch.conf", 10, "listen", "bad port (1-65535): '127.0.0.1:86400'");
}

static void test_listen_bad_host(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[http]\nlisten = local_host:8640\n");
    expect_one_error(s, "/camwatch.conf", 10, "listen", "bad host: 'local_host:8640'");
}

static void test_http_keys_and_their_defaults(void **state)
{
    struct site *s = *state;
    char want[PATH_MAX + 32];

    site_conf(s, CONF_STD);
    assert_int_equal(site_load(s), 0);
    assert_null(s->cfg->http_socket);
    snprintf(want, sizeof(want), "%s/tokens.ini", s->cfg->dir);
    assert_string_equal(s->cfg->http_tokens, want);
    assert_int_equal(s->cfg->http_open_metrics, 0);
    assert_int_equal(s->cfg->http_open_healthz, 0);
    assert_int_equal(s->cfg->http_connections, 256);
    assert_int_equal(s->cfg->http_per_client, 64);
    assert_int_equal(s->cfg->http_timeout_ms, 30000);
    assert_int_equal(s->cfg->http_max_body, 65536);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_conf(s, CONF_STD "[http]\nsocket = run/http.sock\ntokens = /etc/camwatch/api.ini\n"
                          "open_metrics = yes\nopen_healthz = true\nconnections = 10\n"
                          "per_client = 0\ntimeout = 5s\nmax_body = 1024\n");
    assert_int_equal(site_load(s), 0);
    snprintf(want, sizeof(want), "%s/run/http.sock", s->cfg->dir);
    assert_string_equal(s->cfg->http_socket, want);
    assert_string_equal(s->cfg->http_tokens, "/etc/camwatch/api.ini");
    assert_int_equal(s->cfg->http_open_metrics, 1);
    assert_int_equal(s->cfg->http_open_healthz, 1);
    assert_int_equal(s->cfg->http_connections, 10);
    assert_int_equal(s->cfg->http_per_client, 0);
    assert_int_equal(s->cfg->http_timeout_ms, 5000);
    assert_int_equal(s->cfg->http_max_body, 1024);
}

static void test_http_limits_are_bounded(void **state)
{
    struct site *s = *state;
    char conf[1024];

    snprintf(conf, sizeof(conf),
             CONF_STD "[http]\nconnections = 0\nmax_body = 100\ntimeout = 2h\n"
                      "open_metrics = maybe\nsocket = /%0120d\n",
             0);
    site_conf(s, conf);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "connections", "0 out of range 1..10000");
    assert_error(&s->errs, "/camwatch.conf", 11, "max_body", "100 out of range 1024..16777216*");
    assert_error(&s->errs, "/camwatch.conf", 12, "timeout", "must be between 1s and 1h");
    assert_error(&s->errs, "/camwatch.conf", 13, "open_metrics", "*");
    snprintf(conf, sizeof(conf), "/%0120d is longer than a unix socket path may be (107 bytes)", 0);
    assert_error(&s->errs, "/camwatch.conf", 14, "socket", conf);
    assert_int_equal(s->errs.n, 5);
}

static void test_owner_code_characters(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "CA.X = Công an xã\n");
    expect_one_error(s, "/camwatch.conf", 9, "CA.X",
                     "owner code must be letters, digits, '_' or '-'");
}

static void test_owner_needs_name(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "CAX =\n");
    expect_one_error(s, "/camwatch.conf", 9, "CAX", "owner needs a full name");
}

static void test_empty_value(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[store]\ndatabase =\n");
    expect_one_error(s, "/camwatch.conf", 10, "database", "empty");
}

static void test_cameras_required(void **state)
{
    struct site *s = *state;

    site_conf(s, "[site]\nname = X\n[owners]\nCAH = Công an huyện\n");
    expect_one_error(s, "/camwatch.conf", 0, "cameras", "[inventory] cameras is required");
}

static void test_onvif_defaults_and_keys(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->onvif.interval_ms, 600000);
    assert_int_equal(s->cfg->onvif.timeout_ms, 5000);
    assert_int_equal(s->cfg->onvif.max_clock_offset_ms, 5000);
    assert_int_equal(s->cfg->onvif.concurrency, 16);
    assert_int_equal(s->cfg->onvif.tls_verify, 1);
    assert_null(s->cfg->onvif.ca_file);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_write(s, "cams.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    site_conf(s, CONF_STD "[probe.onvif]\ninterval = 1h\ntimeout = 2s\nmax_clock_offset = 0\n"
                          "concurrency = 1000\ntls_verify = no\nca_file = cams.pem\n");
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->onvif.interval_ms, 3600000);
    assert_int_equal(s->cfg->onvif.timeout_ms, 2000);
    assert_int_equal(s->cfg->onvif.max_clock_offset_ms, 0);
    assert_int_equal(s->cfg->onvif.concurrency, 1000);
    assert_int_equal(s->cfg->onvif.tls_verify, 0);
    assert_non_null(strstr(s->cfg->onvif.ca_file, "/cams.pem"));
}

static void test_onvif_bad_keys_name_their_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.onvif]\ninterval = 9s\ntimeout = 61s\nmax_clock_offset = 2d\n"
                          "concurrency = 0\nports = 80\ntls_verify = maybe\n"
                          "ca_file = nosuch.pem\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "interval", "must be between 10s and 1d");
    assert_error(&s->errs, "/camwatch.conf", 11, "timeout",
                 "must be between 100ms and 60s (it bounds one SOAP request)");
    assert_error(&s->errs, "/camwatch.conf", 12, "max_clock_offset",
                 "must be at most 1d (0 or off turns the check off)");
    assert_error(&s->errs, "/camwatch.conf", 13, "concurrency", "0 out of range 1..1000");
    assert_error(&s->errs, "/camwatch.conf", 14, "ports",
                 "unknown key in [probe.onvif] (interval, timeout, max_clock_offset, "
                 "concurrency, tls_verify, ca_file)");
    assert_error(&s->errs, "/camwatch.conf", 15, "tls_verify", "expected yes or no, not 'maybe'");
    assert_error(&s->errs, "/camwatch.conf", 16, "ca_file", "cannot read *");
    assert_int_equal(s->errs.n, 7);
}

static void test_stream_store_and_class_defaults(void **state)
{
    struct site *s = *state;
    const struct cfg_class *c;
    char want[PATH_MAX * 2], real[PATH_MAX];

    site_conf(s, CONF_STD);
    assert_int_equal(site_load(s), 0);
    assert_non_null(realpath(s->dir, real));
    snprintf(want, sizeof(want), "%s/var/cache", real);
    assert_string_equal(s->cfg->cache_dir, want);
    assert_int_equal(s->cfg->samples_days, 31);
    assert_int_equal(s->cfg->hourly_days, 400);
    assert_int_equal(s->cfg->clock_days, 31);
    assert_int_equal(s->cfg->stream.workers, 4);
    assert_int_equal(s->cfg->stream.sample_ms, 5000);
    assert_int_equal(s->cfg->stream.interval_ms, 600000);
    assert_int_equal(s->cfg->stream.timeout_ms, 15000);
    assert_int_equal(s->cfg->stream.thumb_width, 320);
    assert_int_equal(s->cfg->n_classes, 1);
    c = &s->cfg->classes[0];
    assert_string_equal(c->name, "default");
    assert_int_equal(c->min_width, 640);
    assert_int_equal(c->min_height, 360);
    assert_true(c->min_fps == 12.0);
    assert_true(c->min_bitrate_kbps == 256.0);
    assert_true(c->max_gop_s == 4.0);
    assert_true(c->min_sharpness == 60.0);
    assert_true(c->min_luma == 40.0);
    assert_true(c->max_luma == 220.0);
    assert_true(c->black_spread == 4.0);
    assert_int_equal(c->unlit, 0);
    assert_int_equal(c->frozen_after, 3);
    assert_int_equal(c->moved_distance, 20);
    assert_ptr_equal(s->cfg->cameras[0].cls, c);
}

static void test_stream_store_and_class_keys_are_taken(void **state)
{
    struct site *s = *state;
    const struct cfg_class *c;
    char want[PATH_MAX * 2], real[PATH_MAX];

    site_conf(s, CONF_STD "[store]\ncache = thumbs\nsamples_days = 3650\nhourly_days = 1\n"
                          "clock_days = 3650\n"
                          "[probe.stream]\nworkers = 64\nsample = 1s\ninterval = 10s\n"
                          "timeout = 1500ms\nthumb_width = 1920\n"
                          "[class default]\nmin_width = 0\nmin_height = 288\nmin_fps = 7.5\n"
                          "min_bitrate_kbps = 128\nmax_gop = 2500ms\nmin_sharpness = 30.5\n"
                          "min_luma = 25\nmax_luma = 235\nblack_spread = 2\nunlit = TRUE\n"
                          "frozen_after = 6\nmoved_distance = 64\n");
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_non_null(realpath(s->dir, real));
    snprintf(want, sizeof(want), "%s/thumbs", real);
    assert_string_equal(s->cfg->cache_dir, want);
    assert_int_equal(s->cfg->samples_days, 3650);
    assert_int_equal(s->cfg->hourly_days, 1);
    assert_int_equal(s->cfg->clock_days, 3650);
    assert_int_equal(s->cfg->stream.workers, 64);
    assert_int_equal(s->cfg->stream.sample_ms, 1000);
    assert_int_equal(s->cfg->stream.interval_ms, 10000);
    assert_int_equal(s->cfg->stream.timeout_ms, 1500);
    assert_int_equal(s->cfg->stream.thumb_width, 1920);
    assert_int_equal(s->cfg->n_classes, 1);
    c = &s->cfg->classes[0];
    assert_int_equal(c->min_width, 0);
    assert_int_equal(c->min_height, 288);
    assert_true(c->min_fps == 7.5);
    assert_true(c->min_bitrate_kbps == 128.0);
    assert_true(c->max_gop_s == 2.5);
    assert_true(c->min_sharpness == 30.5);
    assert_true(c->min_luma == 25.0);
    assert_true(c->max_luma == 235.0);
    assert_true(c->black_spread == 2.0);
    assert_int_equal(c->unlit, 1);
    assert_int_equal(c->frozen_after, 6);
    assert_int_equal(c->moved_distance, 64);
}

static void test_stream_timeout_defaults_to_sample_plus_ten_seconds(void **state)
{
    struct site *s = *state;

    load_good_site(s); /* sample = 10s */
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->stream.sample_ms, 10000);
    assert_int_equal(s->cfg->stream.timeout_ms, 20000);
    assert_int_equal(s->cfg->samples_days, 90);
    assert_true(ends_with(s->cfg->cache_dir, "/cache"));
}

static void test_stream_budget_is_a_percentage_of_one_core(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD);
    assert_int_equal(site_load(s), 0);
    assert_true(s->cfg->stream.budget_pct == 0.2);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_conf(s, CONF_STD "[probe.stream]\nbudget = 2.5%\n");
    assert_int_equal(site_load(s), 0);
    assert_true(s->cfg->stream.budget_pct == 2.5);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_conf(s, CONF_STD "[probe.stream]\nbudget = 0\n");
    assert_int_equal(site_load(s), 0);
    assert_true(s->cfg->stream.budget_pct == 0);
    cfg_free(s->cfg);
    s->cfg = NULL;
    site_conf(s, CONF_STD "[probe.stream]\nbudget = 5%%\n");
    expect_one_error(s, "/camwatch.conf", 10, "budget", "not a number: '5%%'");
}

static void test_unknown_stream_key_is_an_error(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nfps = 1\n");
    expect_one_error(s, "/camwatch.conf", 10, "fps",
                     "unknown key in [probe.stream] (workers, sample, interval, budget, timeout, "
                     "thumb_width)");
}

static void test_stream_workers_and_thumb_width_out_of_range(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nworkers = 65\nthumb_width = 32\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "workers", "65 out of range 0..64");
    assert_error(&s->errs, "/camwatch.conf", 11, "thumb_width", "32 out of range 64..1920");
    assert_int_equal(s->errs.n, 2);
}

static void test_stream_sample_out_of_range(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nsample = 500ms\n");
    expect_one_error(s, "/camwatch.conf", 10, "sample", "must be between 1s and 60s");
}

static void test_stream_sample_too_long(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nsample = 61s\n");
    expect_one_error(s, "/camwatch.conf", 10, "sample", "must be between 1s and 60s");
}

static void test_stream_interval_below_ten_seconds(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\ninterval = 9s\n");
    expect_one_error(s, "/camwatch.conf", 10, "interval", "must be between 10s and 1d");
}

static void test_stream_timeout_must_exceed_sample(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nsample = 5s\ntimeout = 5s\n");
    expect_one_error(s, "/camwatch.conf", 11, "timeout",
                     "must be longer than sample (5000 ms <= 5000 ms): it bounds opening the "
                     "stream and the sample together");
}

static void test_stream_bad_duration(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nsample = five\n");
    expect_one_error(s, "/camwatch.conf", 10, "sample",
                     "bad duration 'five' (use e.g. 250ms, 30s, 5m, 2h)");
}

static void test_store_samples_days_and_cache(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[store]\nsamples_days = 0\ncache =\nhourly_days = 3651\n"
                          "clock_days = 0\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "samples_days", "0 out of range 1..3650");
    assert_error(&s->errs, "/camwatch.conf", 11, "cache", "empty");
    assert_error(&s->errs, "/camwatch.conf", 12, "hourly_days", "3651 out of range 1..3650");
    assert_error(&s->errs, "/camwatch.conf", 13, "clock_days", "0 out of range 1..3650");
    assert_int_equal(s->errs.n, 4);
}

/* Issue 10: the default stream timeout was computed as sample + 10 s before the sample's
 * bounds were checked: a signed overflow (an abort under UBSan). */
static void test_huge_stream_sample_without_timeout_is_refused_by_its_bounds(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nsample = 9223372036854775807ms\n");
    expect_one_error(s, "/camwatch.conf", 10, "sample", "must be between 1s and 60s");
}

/* Every duration has its bounds in its row, checked as it is read: none reaches arithmetic
 * unchecked. */
static void test_every_duration_is_bounded_as_it_is_read(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.rtsp]\nslow = 9223372036854775807ms\ntimeout = 2d\n"
                          "[probe.stream]\ntimeout = 9223372036854775807ms\n"
                          "[probe.onvif]\nmax_clock_offset = 9223372036854775807ms\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "slow", "must be at most 1d");
    assert_error(&s->errs, "/camwatch.conf", 11, "timeout", "must be at most 1d");
    assert_error(&s->errs, "/camwatch.conf", 13, "timeout", "must be at most 1h");
    assert_error(&s->errs, "/camwatch.conf", 15, "max_clock_offset",
                 "must be at most 1d (0 or off turns the check off)");
    assert_int_equal(s->errs.n, 4); /* a refused timeout is not compared with the interval */
}

static void test_names_in_the_conf_have_length_limits(void **state)
{
    struct site *s = *state;
    char conf[2048], code[33], name[129];

    memset(code, 'C', 32);
    code[32] = '\0';
    memset(name, 'n', 128);
    name[128] = '\0';
    snprintf(conf, sizeof(conf), "%s%s = x\nCAX = %s\n[site]\n", CONF_STD, code, name);
    strcat(conf, "time_zone = UTC\n");
    site_conf(s, conf);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 9, code, "owner code longer than 31 bytes");
    assert_error(&s->errs, "/camwatch.conf", 10, "CAX", "owner name longer than 127 bytes");
    assert_int_equal(s->errs.n, 2);
    cfg_free(s->cfg);
    s->cfg = NULL;
    cw_errlist_clear(&s->errs);
    snprintf(conf, sizeof(conf),
             "[site]\nname = %s\n[inventory]\ncameras = cameras.csv\n"
             "[owners]\nCAH = C\n",
             name);
    site_conf(s, conf);
    expect_one_error(s, "/camwatch.conf", 2, "name", "longer than 127 bytes");
}

/* --check-config's load of a conf refused (cfg_load_check) with conf: the tokens file it gives
 * for the tokens file's own check, at want (relative to the site; NULL: none) named at line. */
static void check_tokens_of(struct site *s, const char *conf, const char *want, int line)
{
    struct cw_errlist warns = {0};
    struct cfg *t = NULL;
    char path[PATH_MAX + 32];

    site_conf(s, conf);
    assert_int_equal(cfg_load_check(s->conf, &s->cfg, &s->errs, &warns, &t), -1);
    assert_null(s->cfg);
    if (want == NULL) {
        assert_null(t);
    } else {
        assert_non_null(t);
        snprintf(path, sizeof(path), "%s/%s", t->dir, want);
        assert_string_equal(t->http_tokens, path);
        assert_int_equal(t->http_tokens_line, line);
        assert_true(ends_with(t->path, "/camwatch.conf"));
    }
    cfg_free(t);
    cw_errlist_clear(&warns);
    cw_errlist_clear(&s->errs);
}

/* A conf refused still says which tokens file it means, for --check-config to check it too,
 * whenever that is known: [http] tokens taken, or not given and no line lost that may have
 * been it. Not when the key was refused or given twice, nor when a line was not read. */
static void test_check_load_refused_gives_the_tokens_file_when_known(void **state)
{
    struct site *s = *state;
    struct cw_errlist warns = {0};
    struct cfg *t = (struct cfg *)&warns;

    check_tokens_of(s, CONF_STD "[footage]\nscan_interval = 1s\n", "tokens.ini", 0);
    check_tokens_of(s, CONF_STD "[http]\ntokens = api.ini\n[footage]\nscan_interval = 1s\n",
                    "api.ini", 10);
    /* A line lost elsewhere: the key was read, so the file is known all the same. */
    check_tokens_of(s, CONF_STD "[http]\ntokens = api.ini\n[footage]\nnonsense\n", "api.ini", 10);
    /* Not given, but a line not read may have been it. */
    check_tokens_of(s, CONF_STD "[http]\ntokens api.ini\n", NULL, 0);
    check_tokens_of(s, CONF_STD "[http\ntokens = api.ini\n", NULL, 0);
    /* Nor were the keys of a misspelt section, nor one before any section. */
    check_tokens_of(s, CONF_STD "[htpp]\ntokens = api.ini\n", NULL, 0);
    check_tokens_of(s, "tokens = api.ini\n" CONF_STD, NULL, 0);
    /* A section of a later version is no misspelt [http]: the default stands. */
    check_tokens_of(s, CONF_STD "[report]\ntokens = api.ini\n[footage]\nscan_interval = 1s\n",
                    "tokens.ini", 0);
    /* The key itself the problem. */
    check_tokens_of(s, CONF_STD "[http]\ntokens = \n", NULL, 0);
    check_tokens_of(s, CONF_STD "[http]\ntokens = api.ini\ntokens = x.ini\n", NULL, 0);
    /* A conf that cannot be read says nothing of any file beside it. */
    assert_int_equal(cfg_load_check("/nonexistent/camwatch.conf", &s->cfg, &s->errs, &warns, &t),
                     -1);
    assert_null(t);
    cw_errlist_clear(&s->errs);
    /* A conf taken: its cfg is the one to check. */
    site_conf(s, CONF_STD);
    t = (struct cfg *)&warns;
    assert_int_equal(cfg_load_check(s->conf, &s->cfg, &s->errs, &warns, &t), 0);
    assert_null(t);
    assert_int_equal(warns.n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

/* "Cầu" typed decomposed: a + combining circumflex + combining grave. */
#define NFD_CAU "Ca\xcc\x82\xcc\x80u"

/* What a person types in the conf and reads in reports (the site's name, the authority, the
 * owners' names, a price's source) is kept precomposed (NFC), as cameras.csv's text; so is a
 * credential's name, in credentials.ini and wherever it is named, so a name typed decomposed
 * in one file and precomposed in another is one credential. */
static void test_names_typed_decomposed_are_kept_precomposed(void **state)
{
    struct site *s = *state;

    site_std(s, row("CAH-001", 11, "Cầu"));
    site_write(s, "camwatch.conf",
               "[site]\nname = Huyện " NFD_CAU "\nauthority = Công an " NFD_CAU "\n"
               "[inventory]\ncameras = cameras.csv\ncredentials = credentials.ini\n"
               "[alerts]\nwebhook = http://127.0.0.1:9/h\nwebhook_credential = Cầu\n"
               "[costs]\nclean_lens = 450000 | báo giá " NFD_CAU "\n"
               "[owners]\nCAH = Công an " NFD_CAU "\n",
               0644);
    site_write(s, "credentials.ini", "[" NFD_CAU "]\nusername = a\npassword = b\n", 0600);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_string_equal(s->cfg->site_name, "Huyện Cầu");
    assert_string_equal(s->cfg->authority, "Công an Cầu");
    assert_string_equal(cfg_owner_name(s->cfg, "CAH"), "Công an Cầu");
    assert_string_equal(s->cfg->costs[CFG_ACTION_CLEAN_LENS].source, "báo giá Cầu");
    assert_string_equal(s->cfg->creds[0].name, "Cầu");
    assert_non_null(s->cfg->cameras[0].cred);
    assert_ptr_equal(s->cfg->alerts.webhook_cred, &s->cfg->creds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_conf_takes_every_key),
        T(test_down_cameras_back_off_by_default_and_off_turns_it_off),
        T(test_later_features_sections_are_ignored),
        T(test_missing_conf_is_the_only_error),
        T(test_conf_in_missing_folder_cannot_be_read),
        T(test_conf_that_is_a_folder_says_so),
        T(test_empty_conf_path_says_it_names_no_file),
        T(test_an_empty_conf_file_is_said_to_be_empty),
        T(test_cache_and_exports_must_be_folders_when_they_exist),
        T(test_cache_and_exports_missing_or_folders_are_taken),
        T(test_unknown_section_names_line),
        T(test_unknown_key_names_line_and_key),
        T(test_key_set_twice_names_first_line),
        T(test_key_outside_section),
        T(test_line_without_equals),
        T(test_section_header_without_bracket),
        T(test_indented_line_is_not_glued_to_value_above),
        T(test_overlong_line),
        T(test_check_load_refused_gives_the_tokens_file_when_known),
        T(test_text_not_utf8_names_line),
        T(test_bad_duration),
        T(test_zero_duration),
        T(test_interval_out_of_range),
        T(test_timeout_not_shorter_than_interval),
        T(test_short_interval_against_default_timeout_names_interval_line),
        T(test_integer_not_a_number),
        T(test_concurrency_out_of_range),
        T(test_unknown_time_zone),
        T(test_time_zone_cannot_escape_zoneinfo),
        T(test_listen_without_port),
        T(test_listen_bad_port),
        T(test_listen_bad_host),
        T(test_http_keys_and_their_defaults),
        T(test_http_limits_are_bounded),
        T(test_owner_code_characters),
        T(test_owner_needs_name),
        T(test_empty_value),
        T(test_cameras_required),
        T(test_onvif_defaults_and_keys),
        T(test_onvif_bad_keys_name_their_line),
        T(test_stream_store_and_class_defaults),
        T(test_stream_store_and_class_keys_are_taken),
        T(test_stream_timeout_defaults_to_sample_plus_ten_seconds),
        T(test_unknown_stream_key_is_an_error),
        T(test_stream_budget_is_a_percentage_of_one_core),
        T(test_stream_workers_and_thumb_width_out_of_range),
        T(test_stream_sample_out_of_range),
        T(test_stream_sample_too_long),
        T(test_stream_interval_below_ten_seconds),
        T(test_stream_timeout_must_exceed_sample),
        T(test_stream_bad_duration),
        T(test_store_samples_days_and_cache),
        T(test_huge_stream_sample_without_timeout_is_refused_by_its_bounds),
        T(test_every_duration_is_bounded_as_it_is_read),
        T(test_names_in_the_conf_have_length_limits),
        T(test_names_typed_decomposed_are_kept_precomposed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
