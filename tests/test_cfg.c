/* test_cfg.c - config validation: every message names file, line and field; a good site
 * loads whole, classes inherit from the default class; the shipped Lai Vung example has
 * the report's 128 cameras. Inputs are
 * written to a fresh temporary folder per test (git does not keep the 0600 mode the
 * credentials file needs). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/cfg.h"

/* ---- temporary site folders ------------------------------------------------------- */

struct site {
    char dir[256]; /* a short mkdtemp name */
    char conf[PATH_MAX];
    struct cfg *cfg;
    struct cw_errlist errs;
};

static void site_write(struct site *s, const char *name, const char *text, mode_t mode)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void site_copy(struct site *s, const char *src, const char *name, mode_t mode)
{
    char buf[65536];
    size_t n;
    FILE *f = fopen(src, "rb");

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    site_write(s, name, buf, mode);
}

static void site_mkdir(struct site *s, const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int site_setup(void **state)
{
    struct site *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return -1;
    snprintf(s->dir, sizeof(s->dir), "/tmp/cw-test-cfg-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    snprintf(s->conf, sizeof(s->conf), "%s/camwatch.conf", s->dir);
    *state = s;
    return 0;
}

static int site_teardown(void **state)
{
    struct site *s = *state;

    cfg_free(s->cfg);
    cw_errlist_clear(&s->errs);
    nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(s);
    unsetenv("CREDENTIALS_DIRECTORY");
    return 0;
}

/* A site whose conf is standard and whose cameras.csv is the header plus rows. */
#define CONF_STD                                                                                   \
    "[site]\n"                                                                                     \
    "name = Test\n"                                                                                \
    "[inventory]\n"                                                                                \
    "cameras = cameras.csv\n"                                                                      \
    "credentials = credentials.ini\n"                                                              \
    "[owners]\n"                                                                                   \
    "CAH = Công an huyện Lai Vung\n"                                                            \
    "BQLC = Ban quản lý chợ Lai Vung\n"

#define CREDS_STD "[district]\nusername = admin\npassword = camwatch\n"

static void site_std(struct site *s, const char *rows)
{
    char csv[16384];

    snprintf(csv, sizeof(csv), "%s\n%s", CFG_CSV_HEADER, rows);
    site_write(s, "camwatch.conf", CONF_STD, 0644);
    site_write(s, "cameras.csv", csv, 0644);
    site_write(s, "credentials.ini", CREDS_STD, 0600);
}

/* A site with this conf and one good camera. */
static void site_conf(struct site *s, const char *conf)
{
    site_std(s, "CAH-001,Cầu Lai Vung,CAH,,district,,,,,rtsp://127.0.0.1:8554/a,,,,,,\n");
    site_write(s, "camwatch.conf", conf, 0644);
}

static int site_load(struct site *s)
{
    return cfg_load(s->conf, &s->cfg, &s->errs);
}

/* One good row, with column col (-1: none) replaced by value. Returns a static buffer
 * holding the row and its newline. */
static const char *row(const char *id, int col, const char *value)
{
    static char buf[2048];
    char url[256];
    const char *f[16] = {id,     "Cầu Lai Vung", "CAH",   "Tân Dương", "district", "",
                         "QL80", "10.3",         "105.7", NULL,        "",         "district",
                         "",     "2019-05-01",   "",      ""};
    size_t i;

    snprintf(url, sizeof(url), "rtsp://127.0.0.1:8554/%s", id);
    f[9] = url;
    if (col >= 0)
        f[col] = value;
    buf[0] = '\0';
    for (i = 0; i < 16; i++) {
        strcat(buf, f[i]);
        strcat(buf, i < 15 ? "," : "\n");
    }
    return buf;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void dump_errors(const struct cw_errlist *l)
{
    char buf[1024];
    size_t i;

    for (i = 0; i < l->n; i++) {
        cw_err_format(&l->v[i], buf, sizeof(buf));
        print_message("  got: %s\n", buf);
    }
}

/* Assert an error with file ending in file_suffix, this line and field, and message msg
 * (a trailing '*' in msg matches any rest). */
static void assert_error(const struct cw_errlist *l, const char *file_suffix, int line,
                         const char *field, const char *msg)
{
    size_t i, mlen = strlen(msg);
    int prefix = mlen > 0 && msg[mlen - 1] == '*';

    for (i = 0; i < l->n; i++) {
        const struct cw_err *e = &l->v[i];
        int msg_ok = prefix ? strncmp(e->msg, msg, mlen - 1) == 0 : strcmp(e->msg, msg) == 0;
        if (ends_with(e->file, file_suffix) && e->line == line && strcmp(e->field, field) == 0 &&
            msg_ok)
            return;
    }
    print_message("missing error: ...%s:%d: %s: %s\n", file_suffix, line, field, msg);
    dump_errors(l);
    fail();
}

/* Load, expect failure with exactly one error, and check it. */
static void expect_one_error(struct site *s, const char *file_suffix, int line, const char *field,
                             const char *msg)
{
    assert_int_equal(site_load(s), -1);
    assert_null(s->cfg);
    assert_error(&s->errs, file_suffix, line, field, msg);
    if (s->errs.n != 1) {
        dump_errors(&s->errs);
        assert_int_equal(s->errs.n, 1);
    }
}

/* ---- a good site ------------------------------------------------------------------ */

static void load_good_site(struct site *s)
{
    site_copy(s, CW_TEST_DATA "/cfg/good/camwatch.conf", "camwatch.conf", 0644);
    site_copy(s, CW_TEST_DATA "/cfg/good/cameras.csv", "cameras.csv", 0644);
    site_mkdir(s, "secrets");
    site_copy(s, CW_TEST_DATA "/cfg/good/secrets/credentials.ini", "secrets/credentials.ini", 0600);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
}

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

static void test_conf_takes_every_key(void **state)
{
    struct site *s = *state;

    site_conf(s, "[site]\nname = X\ntime_zone = Europe/Paris\n"
                 "[store]\ndatabase = /srv/cw/state.db\n"
                 "[inventory]\ncameras = cameras.csv\ncredentials = credentials.ini\n"
                 "[probe.rtsp]\ninterval = 10s\ntimeout = 2500ms\nslow = 1s\n"
                 "down_after = 5\nup_after = 1\nconcurrency = 10000\n"
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
    assert_string_equal(s->cfg->http_listen, "[::1]:9000");
}

static void test_later_features_sections_are_ignored(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[footage]\ndir = /srv\n[footage.nvr1]\nurl = x\n[alerts]\na = b\n"
                          "[alerts.mail]\nto = x\n[reports]\nlang = vi\n[api]\ntoken = t\n"
                          "[api.tokens]\nz = 1\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->errs.n, 0);
}

static void test_empty_and_headerless_credentials_section_is_fine(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini",
               "; comment\n\n" CREDS_STD "[spare]\nusername = u\n"
               "password =\n",
               0600);
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_creds, 2);
    assert_string_equal(s->cfg->creds[1].password, "");
}

/* ---- [store], [probe.stream] and classes ----------------------------------------- */

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

    site_conf(s, CONF_STD "[store]\ncache = thumbs\nsamples_days = 3650\n"
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

static void test_unknown_stream_key_is_an_error(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[probe.stream]\nfps = 1\n");
    expect_one_error(s, "/camwatch.conf", 10, "fps",
                     "unknown key in [probe.stream] (workers, sample, interval, timeout, "
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

    site_conf(s, CONF_STD "[store]\nsamples_days = 0\ncache =\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "samples_days", "0 out of range 1..3650");
    assert_error(&s->errs, "/camwatch.conf", 11, "cache", "empty");
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

/* ---- camwatch.conf errors --------------------------------------------------------- */

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
    expect_one_error(s, "/camwatch.conf", 10, "intervall", "unknown key in [probe.rtsp]");
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

/* ---- cameras.csv errors ----------------------------------------------------------- */

static void test_missing_csv_names_file(void **state)
{
    struct site *s = *state;

    site_conf(s, "[inventory]\ncameras = inventory/cams.csv\n[owners]\nCAH = C\n");
    expect_one_error(s, "/inventory/cams.csv", 0, "", "cannot read: No such file or directory");
}

static void test_csv_errors_name_the_path_joined_to_the_conf_folder(void **state)
{
    struct site *s = *state;
    char cwd[PATH_MAX];

    site_std(s, row("A", 7, "north"));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(s->dir), 0);
    assert_int_equal(cfg_load("camwatch.conf", &s->cfg, &s->errs), -1);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(s->errs.n, 1);
    assert_string_equal(s->errs.v[0].file, "cameras.csv");
    assert_string_equal(s->errs.v[0].msg, "not a number: 'north'");
}

static void test_empty_csv(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", "\n\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "", "empty file: expected the header " CFG_CSV_HEADER);
}

static void test_header_missing_column(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               "id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder\n",
               0644);
    expect_one_error(s, "/cameras.csv", 1, "notes", "missing column");
}

static void test_header_unknown_column(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",ip\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "ip", "unknown column");
}

static void test_header_column_twice(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",name\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "name", "column appears twice");
}

static void test_header_columns_out_of_order(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               "id,name,owner,commune,site_kind,address,road,lon,lat,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder,notes\n"
               "A,B,CAH,,district,,,1,2,"
               "rtsp://h/,,,,,,\n",
               0644);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 1, "lat", "column out of order (column 9, expected 8)");
    assert_error(&s->errs, "/cameras.csv", 1, "lon", "column out of order (column 8, expected 9)");
    assert_int_equal(s->errs.n, 2); /* rows are not read under a wrong header */
}

static void test_row_with_wrong_field_count(void **state)
{
    struct site *s = *state;

    site_std(s, "A,B,CAH,,district,,,,,rtsp://h/a,,\n");
    expect_one_error(s, "/cameras.csv", 2, "", "12 fields, expected 16");
}

static void test_id_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("", -1, NULL));
    expect_one_error(s, "/cameras.csv", 2, "id", "required");
}

static void test_id_characters(void **state)
{
    struct site *s = *state;

    site_std(s, row("CAH 01", -1, NULL));
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "id", "'CAH 01': use 1-63 of A-Z a-z 0-9 . _ -");
}

static void test_id_too_long(void **state)
{
    struct site *s = *state;
    char id[65], want[200];

    memset(id, 'a', 64);
    id[64] = '\0';
    site_std(s, row(id, 9, "rtsp://h/x"));
    snprintf(want, sizeof(want), "'%s': use 1-63 of A-Z a-z 0-9 . _ -", id);
    expect_one_error(s, "/cameras.csv", 2, "id", want);
}

static void test_duplicate_id_names_first_line(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%s", row("CAH-001", -1, NULL));
    strcat(rows, row("CAH-002", -1, NULL));
    strcat(rows, row("CAH-001", -1, NULL));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 4, "id", "duplicate id 'CAH-001' (first at line 2)");
}

static void test_name_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 1, ""));
    expect_one_error(s, "/cameras.csv", 2, "name", "required");
}

static void test_owner_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 2, ""));
    expect_one_error(s, "/cameras.csv", 2, "owner", "required");
}

static void test_unknown_owner(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 2, "CAX-XX"));
    expect_one_error(s, "/cameras.csv", 2, "owner", "unknown owner 'CAX-XX' (not in [owners] of*");
}

static void test_bad_site_kind(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 4, "village"));
    expect_one_error(s, "/cameras.csv", 2, "site_kind",
                     "'village': must be district, commune or market");
}

static void test_lat_without_lon(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 8, ""));
    expect_one_error(s, "/cameras.csv", 2, "lon", "lat and lon go together: give both or neither");
}

static void test_lon_without_lat(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, ""));
    expect_one_error(s, "/cameras.csv", 2, "lat", "lat and lon go together: give both or neither");
}

static void test_lat_not_a_number(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, "10°18'N"));
    expect_one_error(s, "/cameras.csv", 2, "lat", "not a number: '10°18'N'");
}

static void test_lat_out_of_range(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, "105.7"));
    expect_one_error(s, "/cameras.csv", 2, "lat", "105.7 out of range [-90, 90]");
}

static void test_lon_out_of_range(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 8, "-180.5"));
    expect_one_error(s, "/cameras.csv", 2, "lon", "-180.5 out of range [-180, 180]");
}

static void test_rtsp_url_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, ""));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "required");
}

static void test_rtsp_url_missing_scheme(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "127.0.0.1:8554/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "missing scheme");
}

static void test_rtsp_url_other_scheme(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "http://127.0.0.1/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "not an rtsp URL");
}

static void test_rtsps_url_is_refused_as_unsupported(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsps://127.0.0.1:322/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url",
                     "rtsps:// is not supported; use the camera's rtsp:// URL");
}

static void test_rtsp_url_no_host(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp:///live"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "no host");
}

static void test_rtsp_url_with_password_points_to_credential_column(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url",
                     "user:password inside the URL; put them in the credentials file and name "
                     "its section in the credential column");
}

static void test_rtsp_url_bad_port(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://127.0.0.1:99999/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "bad port (1-65535)");
}

static void test_rtsp_url_with_space(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://127.0.0.1/cam 1"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "spaces or control characters in the URL");
}

static void test_onvif_url_not_http(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 10, "rtsp://127.0.0.1/onvif"));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "not an http URL");
}

static void test_url_longer_than_1023_bytes(void **state)
{
    struct site *s = *state;
    char url[1100];

    memset(url, 'a', sizeof(url) - 1);
    url[sizeof(url) - 1] = '\0';
    memcpy(url, "http://127.0.0.1/", 17);
    site_std(s, row("A", 10, url));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "longer than 1023 bytes");
}

static void test_onvif_url_no_host(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 10, "http://:80/onvif/device_service"));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "no host");
}

static void test_unknown_credential(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 11, "x"));
    expect_one_error(s, "/cameras.csv", 2, "credential", "unknown credential 'x'");
}

static void test_credential_without_credentials_file(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "camwatch.conf", "[inventory]\ncameras = cameras.csv\n[owners]\nCAH = C\n", 0644);
    expect_one_error(s, "/cameras.csv", 2, "credential",
                     "unknown credential 'district' (no credentials file in [inventory])");
}

static void test_installed_on_not_a_date(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%s", row("A", 13, "15/03/2018"));
    strcat(rows, row("B", 13, "2019-02-29"));
    strcat(rows, row("C", 13, "2019-13-01"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "installed_on",
                 "'15/03/2018' is not a date (YYYY-MM-DD)");
    assert_error(&s->errs, "/cameras.csv", 3, "installed_on",
                 "'2019-02-29' is not a date (YYYY-MM-DD)");
    assert_error(&s->errs, "/cameras.csv", 4, "installed_on",
                 "'2019-13-01' is not a date (YYYY-MM-DD)");
    assert_int_equal(s->errs.n, 3);
}

static void test_not_utf8(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 1, "C\xe1\xba\xa7u L\xe0i Vung")); /* \xe0 alone: Latin-1 */
    expect_one_error(s, "/cameras.csv", 2, "name", "not valid UTF-8 (save the file as CSV UTF-8)");
}

static void test_bad_quoting_then_reading_goes_on(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "A,Cầu \"Lai\" Vung,CAH,,district,,,,,rtsp://h/a,,,,,,\n");
    strcat(rows, row("B", 2, "nobody"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "",
                 "bad quoting: a '\"' inside an unquoted field or after a closing quote");
    assert_error(&s->errs, "/cameras.csv", 3, "owner", "unknown owner 'nobody'*");
    assert_int_equal(s->errs.n, 2);
}

static void test_unclosed_quote_at_end_names_record_line(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%sB,\"Chợ\n\nLai Vung,CAH\n", row("A", -1, NULL));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 3, "",
                     "quoted field not closed before the end of the file");
}

static void test_blank_and_empty_rows_are_skipped_and_lines_still_count(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows),
             "\r\n,,,,,,,,,,,,,,,\n   \nA,\"Cầu\r\nLai Vung\",CAH,,district,"
             ",,,,rtsp://h/a,,,,,,\r\n\n%s",
             row("B", 9, "ftp://h/b"));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 8, "rtsp_url", "not an rtsp URL");
}

static void test_every_bad_row_is_reported(void **state)
{
    struct site *s = *state;
    char rows[8192];

    snprintf(rows, sizeof(rows), "%s", row("A", 9, "rtsp//x"));
    strcat(rows, row("B", -1, NULL));
    strcat(rows, row("C", 7, "91"));
    strcat(rows, row("D", 4, "chợ"));
    strcat(rows, row("E", 11, "nope"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "rtsp_url", "missing scheme");
    assert_error(&s->errs, "/cameras.csv", 4, "lat", "91 out of range [-90, 90]");
    assert_error(&s->errs, "/cameras.csv", 5, "site_kind", "'chợ': must be district, commune*");
    assert_error(&s->errs, "/cameras.csv", 6, "credential", "unknown credential 'nope'");
    assert_int_equal(s->errs.n, 4);
}

/* ---- credentials ------------------------------------------------------------------ */

static void test_group_readable_credentials_refused(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD, 0640);
    expect_one_error(s, "/credentials.ini", 0, "",
                     "readable by group or others (mode 0640): it holds passwords; run chmod "
                     "600 *");
}

static void test_refused_credentials_still_check_credential_names(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 11, "x"));
    site_write(s, "credentials.ini", CREDS_STD, 0644);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/credentials.ini", 0, "", "readable by group or others (mode 0644)*");
    assert_error(&s->errs, "/cameras.csv", 2, "credential", "unknown credential 'x'");
    assert_int_equal(s->errs.n, 2);
}

static void test_world_readable_credentials_refused(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD, 0604);
    expect_one_error(s, "/credentials.ini", 0, "", "readable by group or others (mode 0604)*");
}

static void test_missing_credentials_file(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "camwatch.conf",
               "[inventory]\ncameras = cameras.csv\ncredentials = secret.ini\n[owners]\nCAH = C\n",
               0644);
    expect_one_error(s, "/secret.ini", 0, "", "cannot read: No such file or directory");
}

static void test_credentials_unknown_key(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD "user = x\n", 0600);
    expect_one_error(s, "/credentials.ini", 4, "user",
                     "unknown key in [district] (username, password)");
}

static void test_credentials_missing_password(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD "\n[nvr]\nusername = admin\n", 0600);
    expect_one_error(s, "/credentials.ini", 5, "password", "missing in [nvr]");
}

static void test_credentials_section_twice(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD CREDS_STD, 0600);
    expect_one_error(s, "/credentials.ini", 4, "district", "defined twice (first at line 1)");
}

static void test_credentials_directory_is_honoured(void **state)
{
    struct site *s = *state;
    char dir[PATH_MAX * 2], want[PATH_MAX * 3];
    const struct cfg_camera *c;

    site_std(s, row("A", -1, NULL));
    /* the conf names a file that does not exist; systemd puts it in the credentials dir */
    site_write(s, "camwatch.conf",
               "[inventory]\ncameras = cameras.csv\ncredentials = /etc/camwatch/credentials.ini\n"
               "[owners]\nCAH = C\n",
               0644);
    site_mkdir(s, "creds");
    site_write(s, "creds/credentials.ini", "[district]\nusername = svc\npassword = s3cret\n", 0600);
    snprintf(dir, sizeof(dir), "%s/creds", s->dir);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    snprintf(want, sizeof(want), "%s/credentials.ini", dir);
    assert_string_equal(s->cfg->credentials_path, want);
    c = cfg_find_camera(s->cfg, "A");
    assert_non_null(c->cred);
    assert_string_equal(c->cred->username, "svc");
    assert_string_equal(c->cred->password, "s3cret");
}

static void test_credentials_directory_missing_file_names_it(void **state)
{
    struct site *s = *state;
    char dir[PATH_MAX * 2];

    site_std(s, row("A", -1, NULL));
    site_mkdir(s, "creds");
    snprintf(dir, sizeof(dir), "%s/creds", s->dir);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    expect_one_error(s, "/creds/credentials.ini", 0, "", "cannot read: No such file or directory");
}

/* ---- all together ----------------------------------------------------------------- */

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

/* ---- the shipped example ---------------------------------------------------------- */

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

static void test_csv_header_macro_matches_columns(void **state)
{
    struct site *s = *state;

    /* a header built from the macro is accepted: the macro and the parser agree */
    site_std(s, row("A", -1, NULL));
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_cameras, 1);
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
        T(test_conf_takes_every_key),
        T(test_later_features_sections_are_ignored),
        T(test_empty_and_headerless_credentials_section_is_fine),
        T(test_missing_conf_is_the_only_error),
        T(test_conf_in_missing_folder_cannot_be_read),
        T(test_unknown_section_names_line),
        T(test_unknown_key_names_line_and_key),
        T(test_key_set_twice_names_first_line),
        T(test_key_outside_section),
        T(test_line_without_equals),
        T(test_section_header_without_bracket),
        T(test_indented_line_is_not_glued_to_value_above),
        T(test_overlong_line),
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
        T(test_owner_code_characters),
        T(test_owner_needs_name),
        T(test_empty_value),
        T(test_cameras_required),
        T(test_missing_csv_names_file),
        T(test_csv_errors_name_the_path_joined_to_the_conf_folder),
        T(test_empty_csv),
        T(test_header_missing_column),
        T(test_header_unknown_column),
        T(test_header_column_twice),
        T(test_header_columns_out_of_order),
        T(test_row_with_wrong_field_count),
        T(test_id_required),
        T(test_id_characters),
        T(test_id_too_long),
        T(test_duplicate_id_names_first_line),
        T(test_name_required),
        T(test_owner_required),
        T(test_unknown_owner),
        T(test_bad_site_kind),
        T(test_lat_without_lon),
        T(test_lon_without_lat),
        T(test_lat_not_a_number),
        T(test_lat_out_of_range),
        T(test_lon_out_of_range),
        T(test_rtsp_url_required),
        T(test_rtsp_url_missing_scheme),
        T(test_rtsp_url_other_scheme),
        T(test_rtsps_url_is_refused_as_unsupported),
        T(test_rtsp_url_no_host),
        T(test_rtsp_url_with_password_points_to_credential_column),
        T(test_rtsp_url_bad_port),
        T(test_rtsp_url_with_space),
        T(test_onvif_defaults_and_keys),
        T(test_onvif_bad_keys_name_their_line),
        T(test_onvif_url_not_http),
        T(test_onvif_url_no_host),
        T(test_url_longer_than_1023_bytes),
        T(test_unknown_credential),
        T(test_credential_without_credentials_file),
        T(test_installed_on_not_a_date),
        T(test_not_utf8),
        T(test_bad_quoting_then_reading_goes_on),
        T(test_unclosed_quote_at_end_names_record_line),
        T(test_blank_and_empty_rows_are_skipped_and_lines_still_count),
        T(test_every_bad_row_is_reported),
        T(test_group_readable_credentials_refused),
        T(test_world_readable_credentials_refused),
        T(test_refused_credentials_still_check_credential_names),
        T(test_missing_credentials_file),
        T(test_credentials_unknown_key),
        T(test_credentials_missing_password),
        T(test_credentials_section_twice),
        T(test_credentials_directory_is_honoured),
        T(test_credentials_directory_missing_file_names_it),
        T(test_conf_csv_and_credential_errors_come_together),
        T(test_bad_example_names_duplicate_bad_url_and_unknown_credential),
        T(test_lai_vung_example_has_the_reports_128_cameras),
        T(test_lai_vung_example_has_stream_probing_and_two_classes),
        T(test_csv_header_macro_matches_columns),
        T(test_stream_store_and_class_defaults),
        T(test_stream_store_and_class_keys_are_taken),
        T(test_stream_timeout_defaults_to_sample_plus_ten_seconds),
        T(test_class_inherits_default_class_given_after_it),
        T(test_class_column_points_cameras_at_their_class),
        T(test_class_column_may_name_default),
        T(test_unknown_class_names_file_line_and_class),
        T(test_class_header_needs_class_in_every_row),
        T(test_class_row_without_class_header_is_too_long),
        T(test_class_column_must_come_last),
        T(test_unknown_stream_key_is_an_error),
        T(test_stream_workers_and_thumb_width_out_of_range),
        T(test_stream_sample_out_of_range),
        T(test_stream_sample_too_long),
        T(test_stream_interval_below_ten_seconds),
        T(test_stream_timeout_must_exceed_sample),
        T(test_stream_bad_duration),
        T(test_store_samples_days_and_cache),
        T(test_class_name_characters),
        T(test_class_unknown_key),
        T(test_class_key_set_twice),
        T(test_class_values_are_checked),
        T(test_class_max_gop_over_an_hour),
        T(test_class_zero_turns_a_check_off),
        T(test_class_frozen_after_one_is_refused),
        T(test_class_luma_bounds_must_not_cross),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
