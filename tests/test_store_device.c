/* test_store_device.c - the store's ONVIF tables (index/store_device.c): device
 * facts and their change history, endpoints and profiles, clock readings and
 * the offset in force at a time, the device listing, and the rows that are
 * never changed or deleted. Each test works on a real SQLite file in its own
 * temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/store.h"
#include "../index/store_priv.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* a fixed "now", ms */
#define MIN (60 * 1000LL)

/* A fresh store at dir/camwatch.db with three cameras. */
static int setup(void **state)
{
    return store_fixture_setup(state, "store-device", 3, T0);
}

static int64_t file_int(const struct store_fixture *fx, const char *sql)
{
    sqlite3 *db = raw_open(fx->path);
    int64_t v = raw_int(db, sql);

    sqlite3_close(db);
    return v;
}

/* A good probe of id at `at`: facts, WS-Security, a clock 1.5 s ahead read at `at`. */
static struct store_device dev_make(const char *id, int64_t at, const char *firmware)
{
    struct store_device d;

    memset(&d, 0, sizeof(d));
    snprintf(d.camera_id, sizeof(d.camera_id), "%s", id);
    d.probed_ms = at;
    d.ok = 1;
    snprintf(d.manufacturer, sizeof(d.manufacturer), "HIKVISION");
    snprintf(d.model, sizeof(d.model), "DS-2CD2043G2-I");
    snprintf(d.firmware, sizeof(d.firmware), "%s", firmware);
    snprintf(d.serial, sizeof(d.serial), "DS-2CD2043G2-I20211201AAWRG12345678");
    snprintf(d.hardware_id, sizeof(d.hardware_id), "88");
    snprintf(d.auth, sizeof(d.auth), "wsse");
    snprintf(d.snapshot_path, sizeof(d.snapshot_path), "/var/cache/camwatch/%s.jpg", id);
    d.has_clock = 1;
    d.clock_at_ms = at;
    d.clock_offset_ms = 1500;
    d.clock_error_ms = 40;
    d.ntp = 1;
    return d;
}

static const struct store_endpoint endpoints[] = {
    {"media", "http://127.0.0.1:8080/onvif/Media"},
    {"device", "http://127.0.0.1:8080/onvif/device_service"},
    {"search", "http://127.0.0.1:8080/onvif/SearchRecording"},
};

static const struct store_profile profiles[] = {
    {"Profile_1", "mainStream", "VideoEncoderToken_1", "h264", 2560, 1440, 25.0, 4096, 50,
     "rtsp://127.0.0.1:554/Streaming/Channels/101", "http://127.0.0.1/ISAPI/Snap/101", 1},
    {"Profile_2", "subStream", "VideoEncoderToken_2", "h265", 640, 360, 12.5, 512, 25,
     "rtsp://127.0.0.1:554/Streaming/Channels/102", "", 0},
};

/* Record d with the endpoints and profiles above; returns the change count, changes freed. */
static size_t record_ok(struct store *s, const struct store_device *d)
{
    struct store_device_change *ch = NULL;
    size_t n = 99;
    struct cw_err err = {0};

    if (store_record_device(s, d, endpoints, 3, profiles, 2, &ch, &n, &err) != 0)
        fail_msg("device %s: %s", d->camera_id, err.msg);
    assert_true((n == 0) == (ch == NULL));
    free(ch);
    return n;
}

static struct store_device device_of(struct store *s, const char *id)
{
    struct store_device d;
    struct cw_err err = {0};

    memset(&d, 0x55, sizeof(d));
    if (store_get_device(s, id, &d, NULL, NULL, NULL, NULL, &err) != 0)
        fail_msg("device %s: %s", id, err.msg);
    return d;
}

static void record_clock(struct store *s, const char *id, int64_t at, int64_t offset)
{
    struct store_device d;
    struct cw_err err = {0};

    memset(&d, 0, sizeof(d));
    snprintf(d.camera_id, sizeof(d.camera_id), "%s", id);
    snprintf(d.error, sizeof(d.error), "authentication failed");
    d.probed_ms = at;
    d.has_clock = 1;
    d.clock_at_ms = at;
    d.clock_offset_ms = offset;
    d.clock_error_ms = 10;
    if (store_record_device(s, &d, NULL, 0, NULL, 0, NULL, NULL, &err) != 0)
        fail_msg("clock %s: %s", id, err.msg);
}

/* --- recording ------------------------------------------------------------------------------ */

static void test_first_record_stores_facts_endpoints_profiles_and_no_changes(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0 + MIN, "V5.7.3 build 220112"), got;
    struct store_device_change *ch = (void *)1, *all = NULL;
    struct store_endpoint *ep = NULL;
    struct store_profile *pr = NULL;
    size_t n = 99, n_ep = 0, n_pr = 0;
    struct cw_err err = {0};

    assert_int_equal(store_record_device(fx->s, &d, endpoints, 3, profiles, 2, &ch, &n, &err), 0);
    assert_null(ch);
    assert_int_equal(n, 0);
    assert_int_equal(store_get_device(fx->s, "CAH-001", &got, &ep, &n_ep, &pr, &n_pr, &err), 0);
    assert_string_equal(got.camera_id, "CAH-001");
    assert_int_equal(got.probed_ms, T0 + MIN);
    assert_int_equal(got.facts_ms, T0 + MIN);
    assert_int_equal(got.ok, 1);
    assert_string_equal(got.error, "");
    assert_string_equal(got.manufacturer, "HIKVISION");
    assert_string_equal(got.model, "DS-2CD2043G2-I");
    assert_string_equal(got.firmware, "V5.7.3 build 220112");
    assert_string_equal(got.serial, "DS-2CD2043G2-I20211201AAWRG12345678");
    assert_string_equal(got.hardware_id, "88");
    assert_string_equal(got.auth, "wsse");
    assert_string_equal(got.uri_note, "");
    assert_string_equal(got.snapshot_path, "/var/cache/camwatch/CAH-001.jpg");
    assert_int_equal(got.has_clock, 1);
    assert_int_equal(got.clock_at_ms, T0 + MIN);
    assert_int_equal(got.clock_offset_ms, 1500);
    assert_int_equal(got.clock_error_ms, 40);
    assert_int_equal(got.ntp, 1);

    /* Endpoints by service name; profiles in the order given. */
    assert_int_equal(n_ep, 3);
    assert_string_equal(ep[0].service, "device");
    assert_string_equal(ep[1].service, "media");
    assert_string_equal(ep[1].url, "http://127.0.0.1:8080/onvif/Media");
    assert_string_equal(ep[2].service, "search");
    assert_int_equal(n_pr, 2);
    assert_string_equal(pr[0].token, "Profile_1");
    assert_string_equal(pr[0].name, "mainStream");
    assert_string_equal(pr[0].encoder_token, "VideoEncoderToken_1");
    assert_string_equal(pr[0].encoding, "h264");
    assert_int_equal(pr[0].width, 2560);
    assert_int_equal(pr[0].height, 1440);
    assert_true(pr[0].fps_limit == 25.0);
    assert_int_equal(pr[0].bitrate_limit_kbps, 4096);
    assert_int_equal(pr[0].gov_length, 50);
    assert_string_equal(pr[0].stream_uri, "rtsp://127.0.0.1:554/Streaming/Channels/101");
    assert_string_equal(pr[0].snapshot_uri, "http://127.0.0.1/ISAPI/Snap/101");
    assert_int_equal(pr[0].streamed, 1);
    assert_string_equal(pr[1].token, "Profile_2");
    assert_true(pr[1].fps_limit == 12.5);
    assert_string_equal(pr[1].snapshot_uri, "");
    assert_int_equal(pr[1].streamed, 0);
    free(ep);
    free(pr);

    assert_int_equal(store_list_device_changes(fx->s, NULL, 0, &all, &n, &err), 0);
    assert_int_equal(n, 0);
    free(all);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device_change"), 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM clock"), 1);
}

static void test_firmware_change_appends_one_change_with_old_and_new(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-002", T0 + MIN, "V5.7.3 build 220112");
    struct store_device_change *ch = NULL, *all = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(record_ok(fx->s, &d), 0);
    d = dev_make("CAH-002", T0 + 20 * MIN, "V5.7.15 build 230425");
    assert_int_equal(store_record_device(fx->s, &d, endpoints, 3, profiles, 2, &ch, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ch[0].camera_id, "CAH-002");
    assert_int_equal(ch[0].at_ms, T0 + 20 * MIN);
    assert_string_equal(ch[0].field, "firmware");
    assert_string_equal(ch[0].old_value, "V5.7.3 build 220112");
    assert_string_equal(ch[0].new_value, "V5.7.15 build 230425");
    free(ch);
    assert_string_equal(device_of(fx->s, "CAH-002").firmware, "V5.7.15 build 230425");

    /* The same facts again are no change; the history holds the one row. */
    d.probed_ms = T0 + 30 * MIN;
    assert_int_equal(record_ok(fx->s, &d), 0);
    assert_int_equal(store_list_device_changes(fx->s, "CAH-002", 0, &all, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].field, "firmware");
    assert_string_equal(all[0].old_value, "V5.7.3 build 220112");
    assert_string_equal(all[0].new_value, "V5.7.15 build 230425");
    assert_int_equal(all[0].at_ms, T0 + 20 * MIN);
    free(all);
    /* since is inclusive; another camera has none. */
    assert_int_equal(store_list_device_changes(fx->s, NULL, T0 + 20 * MIN, &all, &n, &err), 0);
    assert_int_equal(n, 1);
    free(all);
    assert_int_equal(store_list_device_changes(fx->s, NULL, T0 + 20 * MIN + 1, &all, &n, &err), 0);
    assert_int_equal(n, 0);
    free(all);
    assert_int_equal(store_list_device_changes(fx->s, "CAH-001", 0, &all, &n, &err), 0);
    assert_int_equal(n, 0);
    free(all);
}

static void test_swapped_camera_appends_a_change_per_fact(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3");
    struct store_device_change *ch = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(record_ok(fx->s, &d), 0);
    snprintf(d.manufacturer, sizeof(d.manufacturer), "Dahua");
    snprintf(d.model, sizeof(d.model), "IPC-HFW2431S");
    snprintf(d.serial, sizeof(d.serial), "5J0AB12345");
    d.probed_ms = T0 + MIN;
    assert_int_equal(store_record_device(fx->s, &d, NULL, 0, NULL, 0, &ch, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ch[0].field, "manufacturer");
    assert_string_equal(ch[1].field, "model");
    assert_string_equal(ch[2].field, "serial");
    assert_string_equal(ch[2].new_value, "5J0AB12345");
    free(ch);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device_change"), 3);
}

static void test_empty_new_value_is_not_a_change_and_keeps_the_fact(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3");
    struct store_device_change *ch = (void *)1;
    size_t n = 99;
    struct cw_err err = {0};

    assert_int_equal(record_ok(fx->s, &d), 0);
    d.probed_ms = T0 + MIN;
    d.firmware[0] = '\0';
    d.serial[0] = '\0';
    assert_int_equal(store_record_device(fx->s, &d, endpoints, 3, profiles, 2, &ch, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(ch);
    assert_string_equal(device_of(fx->s, "CAH-001").firmware, "V5.7.3");
    assert_string_equal(device_of(fx->s, "CAH-001").serial, "DS-2CD2043G2-I20211201AAWRG12345678");
    assert_int_equal(device_of(fx->s, "CAH-001").facts_ms, T0 + MIN);
    /* A fact the first probe lacked is not a change when it appears. */
    d = dev_make("CAH-002", T0, "");
    assert_int_equal(record_ok(fx->s, &d), 0);
    d = dev_make("CAH-002", T0 + MIN, "V5.7.3");
    assert_int_equal(record_ok(fx->s, &d), 0);
    assert_string_equal(device_of(fx->s, "CAH-002").firmware, "V5.7.3");
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device_change"), 0);
}

static void test_failed_probe_keeps_facts_and_profiles_updates_error_and_appends_clock(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3"), got;
    struct store_endpoint *ep = NULL;
    struct store_profile *pr = NULL;
    size_t n_ep = 0, n_pr = 0;
    struct cw_err err = {0};

    snprintf(d.uri_note, sizeof(d.uri_note), "path /live differs from the inventory's /cam");
    assert_int_equal(record_ok(fx->s, &d), 0);

    memset(&d, 0, sizeof(d)); /* what a probe refused by the device knows */
    snprintf(d.camera_id, sizeof(d.camera_id), "CAH-001");
    d.probed_ms = T0 + 10 * MIN;
    snprintf(d.error, sizeof(d.error), "authentication failed");
    d.has_clock = 1;
    d.clock_at_ms = T0 + 10 * MIN;
    d.clock_offset_ms = -83000;
    d.clock_error_ms = 25;
    assert_int_equal(record_ok(fx->s, &d), 0);

    assert_int_equal(store_get_device(fx->s, "CAH-001", &got, &ep, &n_ep, &pr, &n_pr, &err), 0);
    assert_int_equal(got.ok, 0);
    assert_string_equal(got.error, "authentication failed");
    assert_int_equal(got.probed_ms, T0 + 10 * MIN);
    assert_int_equal(got.facts_ms, T0);
    assert_string_equal(got.manufacturer, "HIKVISION");
    assert_string_equal(got.firmware, "V5.7.3");
    assert_string_equal(got.auth, "wsse");
    assert_string_equal(got.uri_note, "path /live differs from the inventory's /cam");
    assert_string_equal(got.snapshot_path, "/var/cache/camwatch/CAH-001.jpg");
    assert_int_equal(n_ep, 3);
    assert_int_equal(n_pr, 2);
    assert_string_equal(pr[0].token, "Profile_1");
    free(ep);
    free(pr);
    /* Its clock reading is the latest. */
    assert_int_equal(got.has_clock, 1);
    assert_int_equal(got.clock_at_ms, T0 + 10 * MIN);
    assert_int_equal(got.clock_offset_ms, -83000);
    assert_int_equal(got.ntp, 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM clock WHERE camera_id = 'CAH-001'"), 2);

    /* A failed first probe makes a row with no facts; without a clock, none is appended. */
    snprintf(d.camera_id, sizeof(d.camera_id), "CAH-002");
    snprintf(d.error, sizeof(d.error), "timeout");
    d.has_clock = 0;
    assert_int_equal(record_ok(fx->s, &d), 0);
    got = device_of(fx->s, "CAH-002");
    assert_int_equal(got.ok, 0);
    assert_string_equal(got.error, "timeout");
    assert_int_equal(got.facts_ms, 0);
    assert_string_equal(got.model, "");
    assert_int_equal(got.has_clock, 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM clock WHERE camera_id = 'CAH-002'"), 0);
}

static void test_good_probe_replaces_endpoints_and_profiles(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3"), got;
    struct store_endpoint ep2[] = {
        {"media2", "http://127.0.0.1:8080/onvif/Media2"},
        {"media2", "http://127.0.0.1:9999/second"},
    };
    struct store_profile pr2 = profiles[1];
    struct store_endpoint *ep = NULL;
    struct store_profile *pr = NULL;
    size_t n_ep = 0, n_pr = 0;
    struct cw_err err = {0};

    assert_int_equal(record_ok(fx->s, &d), 0);
    d.probed_ms = T0 + MIN;
    d.snapshot_path[0] = '\0'; /* no snapshot this time: replaced, "" included */
    pr2.streamed = 1;
    assert_int_equal(store_record_device(fx->s, &d, ep2, 2, &pr2, 1, NULL, NULL, &err), 0);
    assert_int_equal(store_get_device(fx->s, "CAH-001", &got, &ep, &n_ep, &pr, &n_pr, &err), 0);
    assert_string_equal(got.snapshot_path, "");
    assert_int_equal(n_ep, 1); /* a service named twice keeps its first URL */
    assert_string_equal(ep[0].service, "media2");
    assert_string_equal(ep[0].url, "http://127.0.0.1:8080/onvif/Media2");
    assert_int_equal(n_pr, 1);
    assert_string_equal(pr[0].token, "Profile_2");
    assert_int_equal(pr[0].streamed, 1);
    free(ep);
    free(pr);

    /* A good probe with no sets leaves none. */
    d.probed_ms = T0 + 2 * MIN;
    assert_int_equal(store_record_device(fx->s, &d, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
    assert_int_equal(store_get_device(fx->s, "CAH-001", &got, &ep, &n_ep, &pr, &n_pr, &err), 0);
    assert_int_equal(n_ep, 0);
    assert_int_equal(n_pr, 0);
    assert_null(ep);
    assert_null(pr);
}

static void test_unknown_numbers_are_null_and_read_back_as_0(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3");
    struct store_profile p;
    struct store_profile *pr = NULL;
    size_t n_pr = 0;
    struct store_device got;
    struct cw_err err = {0};

    memset(&p, 0, sizeof(p));
    snprintf(p.token, sizeof(p.token), "000");
    assert_int_equal(store_record_device(fx->s, &d, NULL, 0, &p, 1, NULL, NULL, &err), 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device_profile WHERE width IS NULL AND "
                                  "height IS NULL AND fps_limit IS NULL AND bitrate_limit_kbps "
                                  "IS NULL AND gov_length IS NULL AND encoding IS NULL"),
                     1);
    assert_int_equal(store_get_device(fx->s, "CAH-001", &got, NULL, NULL, &pr, &n_pr, &err), 0);
    assert_int_equal(n_pr, 1);
    assert_string_equal(pr[0].token, "000");
    assert_string_equal(pr[0].encoding, "");
    assert_int_equal(pr[0].width, 0);
    assert_int_equal(pr[0].height, 0);
    assert_true(pr[0].fps_limit == 0.0);
    assert_int_equal(pr[0].bitrate_limit_kbps, 0);
    assert_int_equal(pr[0].gov_length, 0);
    assert_int_equal(pr[0].streamed, 0);
    free(pr);
}

static void test_unknown_camera_returns_1_and_writes_nothing(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("NOPE", T0, "V1"), got;
    struct store_device_change *ch = (void *)1;
    struct store_endpoint *ep = (void *)1;
    struct store_profile *pr = (void *)1;
    struct store_clock clk;
    size_t n = 99, n_ep = 99, n_pr = 99;
    struct cw_err err = {0};

    assert_int_equal(store_record_device(fx->s, &d, endpoints, 3, profiles, 2, &ch, &n, &err), 1);
    assert_null(ch);
    assert_int_equal(n, 0);
    assert_int_equal(file_int(fx, "SELECT (SELECT count(*) FROM device) + (SELECT count(*) FROM "
                                  "device_endpoint) + (SELECT count(*) FROM device_profile) + "
                                  "(SELECT count(*) FROM clock) + (SELECT count(*) FROM "
                                  "device_change)"),
                     0);
    assert_int_equal(store_get_device(fx->s, "NOPE", &got, &ep, &n_ep, &pr, &n_pr, &err), 1);
    assert_null(ep);
    assert_null(pr);
    assert_int_equal(n_ep + n_pr, 0);
    assert_int_equal(store_clock_at(fx->s, "NOPE", T0, &clk, &err), 1);
    /* A camera never probed has no device row either. */
    assert_int_equal(store_get_device(fx->s, "CAH-003", &got, NULL, NULL, NULL, NULL, &err), 1);
    /* No transaction was left open: a write still commits. */
    d = dev_make("CAH-001", T0, "V1");
    assert_int_equal(record_ok(fx->s, &d), 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device"), 1);
}

static void test_record_is_part_of_the_callers_batch(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V5.7.3");
    struct cw_err err = {0};

    assert_int_equal(store_begin(fx->s, &err), 0);
    assert_int_equal(record_ok(fx->s, &d), 0);
    store_rollback(fx->s);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device"), 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM clock"), 0);

    assert_int_equal(store_begin(fx->s, &err), 0);
    assert_int_equal(record_ok(fx->s, &d), 0);
    assert_int_equal(store_commit(fx->s, &err), 0);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device"), 1);
    assert_int_equal(file_int(fx, "SELECT count(*) FROM device_profile"), 2);
}

/* --- clock ---------------------------------------------------------------------------------- */

static void test_clock_history_in_order_and_offset_in_force_at_a_time(void **state)
{
    struct store_fixture *fx = *state;
    struct store_clock *v = NULL, c;
    size_t n = 0;
    struct cw_err err = {0};

    record_clock(fx->s, "CAH-001", T0 + 20 * MIN, 300);
    record_clock(fx->s, "CAH-001", T0 + 30 * MIN, 400);
    record_clock(fx->s, "CAH-002", T0 + 15 * MIN, 999);
    record_clock(fx->s, "CAH-001", T0 + 10 * MIN, 200); /* written last, listed in order */

    assert_int_equal(store_list_clocks(fx->s, "CAH-001", 0, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].camera_id, "CAH-001");
    assert_int_equal(v[0].at_ms, T0 + 10 * MIN);
    assert_int_equal(v[0].offset_ms, 200);
    assert_int_equal(v[0].error_ms, 10);
    assert_int_equal(v[1].offset_ms, 300);
    assert_int_equal(v[2].offset_ms, 400);
    free(v);
    assert_int_equal(store_list_clocks(fx->s, "CAH-001", T0 + 20 * MIN, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].at_ms, T0 + 20 * MIN);
    free(v);

    /* Before the first reading: the first one. */
    assert_int_equal(store_clock_at(fx->s, "CAH-001", T0, &c, &err), 0);
    assert_int_equal(c.offset_ms, 200);
    assert_int_equal(c.at_ms, T0 + 10 * MIN);
    /* Between two: the earlier, in force until the next. */
    assert_int_equal(store_clock_at(fx->s, "CAH-001", T0 + 25 * MIN, &c, &err), 0);
    assert_int_equal(c.offset_ms, 300);
    assert_int_equal(store_clock_at(fx->s, "CAH-001", T0 + 20 * MIN - 1, &c, &err), 0);
    assert_int_equal(c.offset_ms, 200);
    /* An exact hit is that reading. */
    assert_int_equal(store_clock_at(fx->s, "CAH-001", T0 + 20 * MIN, &c, &err), 0);
    assert_int_equal(c.offset_ms, 300);
    assert_string_equal(c.camera_id, "CAH-001");
    /* After the last: the last. */
    assert_int_equal(store_clock_at(fx->s, "CAH-001", T0 + 1000 * MIN, &c, &err), 0);
    assert_int_equal(c.offset_ms, 400);
    assert_int_equal(store_clock_at(fx->s, "CAH-003", T0, &c, &err), 1);
    /* The latest by time, not by writing order. */
    assert_int_equal(device_of(fx->s, "CAH-001").clock_offset_ms, 400);
}

static void test_list_devices_orders_by_id_excludes_retired_carries_latest_clock(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device *v = NULL, d;
    size_t n = 0;
    struct cw_err err = {0};

    sync_fleet(fx->s, 5, T0);
    d = dev_make("CAH-004", T0, "V4");
    record_ok(fx->s, &d);
    record_clock(fx->s, "CAH-004", T0 + 10 * MIN, -7000);
    d = dev_make("CAH-002", T0, "V2");
    record_ok(fx->s, &d);
    d = dev_make("CAH-005", T0, "V5");
    record_ok(fx->s, &d);
    d = dev_make("CAH-001", T0, "V1");
    d.has_clock = 0;
    record_ok(fx->s, &d);
    sync_fleet(fx->s, 4, T0 + 60 * MIN); /* CAH-005 retired */

    assert_int_equal(store_list_devices(fx->s, &v, &n, &err), 0);
    assert_int_equal(n, 3); /* CAH-003 never probed, CAH-005 retired */
    assert_string_equal(v[0].camera_id, "CAH-001");
    assert_int_equal(v[0].has_clock, 0);
    assert_int_equal(v[0].clock_offset_ms, 0);
    assert_string_equal(v[1].camera_id, "CAH-002");
    assert_string_equal(v[1].firmware, "V2");
    assert_int_equal(v[1].has_clock, 1);
    assert_int_equal(v[1].clock_offset_ms, 1500);
    assert_string_equal(v[2].camera_id, "CAH-004");
    assert_string_equal(v[2].firmware, "V4"); /* kept through the failed probe */
    assert_int_equal(v[2].ok, 0);
    assert_int_equal(v[2].clock_at_ms, T0 + 10 * MIN);
    assert_int_equal(v[2].clock_offset_ms, -7000);
    assert_int_equal(v[2].clock_error_ms, 10);
    free(v);
    /* The retired camera's facts are still there. */
    assert_string_equal(device_of(fx->s, "CAH-005").firmware, "V5");
}

/* The VM steps of the last finished statement whose SQL holds `match`. */
struct steps {
    const char *match;
    int vm_steps;
};

static int on_profile(unsigned type, void *ctx, void *p, void *x)
{
    struct steps *w = ctx;
    const char *sql = sqlite3_sql(p);

    (void)type;
    (void)x;
    if (sql != NULL && strstr(sql, w->match) != NULL)
        w->vm_steps = sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 0);
    return 0;
}

/* Work done listing devices and finding the offset at a time: in the order of {list, get,
 * clock_at}. */
static void measure_reads(struct store *s, int out[3])
{
    struct steps w = {"FROM device AS d", -1};
    struct store_device *v = NULL, d;
    struct store_clock c;
    size_t n = 0;
    struct cw_err err = {0};

    sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, on_profile, &w);
    assert_int_equal(store_list_devices(s, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    free(v);
    out[0] = w.vm_steps;
    w.vm_steps = -1;
    assert_int_equal(store_get_device(s, "CAH-002", &d, NULL, NULL, NULL, NULL, &err), 0);
    out[1] = w.vm_steps;
    w.match = "coalesce((SELECT id FROM clock";
    w.vm_steps = -1;
    assert_int_equal(store_clock_at(s, "CAH-002", T0 + 50 * MIN, &c, &err), 0);
    out[2] = w.vm_steps;
    sqlite3_trace_v2(s->db, 0, NULL, NULL);
    for (int i = 0; i < 3; i++)
        assert_true(out[i] > 0);
}

static void test_latest_clock_costs_the_same_whatever_the_history(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d;
    int small[3], large[3];
    struct cw_err err = {0};

    for (int i = 0; i < 3; i++) {
        d = dev_make(i == 0 ? "CAH-001" : i == 1 ? "CAH-002" : "CAH-003", T0, "V1");
        record_ok(fx->s, &d);
    }
    measure_reads(fx->s, small);
    /* 2,000 more readings per camera, around the time asked: a scan would show. */
    assert_int_equal(store_begin(fx->s, &err), 0);
    for (int64_t k = 1; k <= 2000; k++) {
        record_clock(fx->s, "CAH-001", T0 + k * MIN, k);
        record_clock(fx->s, "CAH-002", T0 + k * MIN, k);
        record_clock(fx->s, "CAH-003", T0 + k * MIN, k);
    }
    assert_int_equal(store_commit(fx->s, &err), 0);
    measure_reads(fx->s, large);
    assert_int_equal(large[0], small[0]);
    assert_int_equal(large[1], small[1]);
    assert_int_equal(large[2], small[2]);
    assert_int_equal(device_of(fx->s, "CAH-003").clock_offset_ms, 2000);
}

/* --- never changed, never deleted ----------------------------------------------------------- */

static void test_clock_and_change_rows_cannot_be_changed_or_deleted(void **state)
{
    struct store_fixture *fx = *state;
    struct store_device d = dev_make("CAH-001", T0, "V1");
    sqlite3 *db;

    record_ok(fx->s, &d);
    d = dev_make("CAH-001", T0 + MIN, "V2");
    assert_int_equal(record_ok(fx->s, &d), 1);
    /* Since schema 5 retention thins readings older than a day; a younger one is never
     * deleted, and a DELETE that would take it fails whole. */
    struct store_clock now = {.camera_id = "CAH-001", .at_ms = cw_now_ms(), .offset_ms = 5};
    struct cw_err err = {0};
    assert_int_equal(store_record_clock(fx->s, &now, &err), 0);
    db = raw_open(fx->path);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM clock", NULL, NULL, NULL), SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "younger than a day are never deleted"));
    assert_int_not_equal(sqlite3_exec(db, "UPDATE clock SET offset_ms = 0", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "never changed"));
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM device_change", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "never deleted"));
    assert_int_not_equal(
        sqlite3_exec(db, "UPDATE device_change SET new_value = 'V1'", NULL, NULL, NULL), SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "never changed"));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM clock"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM device_change WHERE new_value = 'V2'"), 1);
    sqlite3_close(db);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, store_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_first_record_stores_facts_endpoints_profiles_and_no_changes),
        T(test_firmware_change_appends_one_change_with_old_and_new),
        T(test_swapped_camera_appends_a_change_per_fact),
        T(test_empty_new_value_is_not_a_change_and_keeps_the_fact),
        T(test_failed_probe_keeps_facts_and_profiles_updates_error_and_appends_clock),
        T(test_good_probe_replaces_endpoints_and_profiles),
        T(test_unknown_numbers_are_null_and_read_back_as_0),
        T(test_unknown_camera_returns_1_and_writes_nothing),
        T(test_record_is_part_of_the_callers_batch),
        T(test_clock_history_in_order_and_offset_in_force_at_a_time),
        T(test_list_devices_orders_by_id_excludes_retired_carries_latest_clock),
        T(test_latest_clock_costs_the_same_whatever_the_history),
        T(test_clock_and_change_rows_cannot_be_changed_or_deleted),
    };
    log_init("test_store_device", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
