/* test_doc.c - the documents (index/doc*.c): each built from a real SQLite store the test
 * writes through the store's own functions, and its fields checked: the status list and its
 * filters, events merged and paged, uptime per camera and owner, samples, device facts and
 * clocks, the results of maintenance and reference, discovery reconciled with the
 * inventory, and the one-camera document; the actions and uptime in two steps (the daemon's
 * workers), and a camera's newest picture; documents written as they are built (doc_out:
 * byte for byte what json_dumpf prints of the same built whole), and events and uptime so
 * written equal to what the CLI printed before. Times are
 * fixed; the zone is UTC so ISO strings are predictable. */
#define _XOPEN_SOURCE 700 /* nftw, open_memstream */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/doc.h"
#include "../index/store.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z */
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define N_CAMS 4

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct cfg cfg;
    struct cfg_camera cams[N_CAMS];
    struct cfg_owner owners[2];
    struct doc_ctx c;
};

/* CAH-001 "Ngã ba Tân Thành" (CAH, Tân Thành, ONVIF), CAH-002 (CAH, Tân Thạnh), TD-01 (CAX-TD,
 * Tân Dương, ONVIF), CHO-01 (BQLC, not in [owners], no ONVIF). */
static void fleet(struct fixture *fx)
{
    static const struct {
        const char *id, *name, *owner, *commune, *onvif;
    } rows[N_CAMS] = {
        {"CAH-001", "Ngã ba Tân Thành", "CAH", "Tân Thành", "http://10.0.0.1/onvif/device_service"},
        {"CAH-002", "Cầu Tân Thạnh", "CAH", "Tân Thạnh", ""},
        {"TD-01", "Chợ Tân Dương", "CAX-TD", "Tân Dương", "http://10.0.0.3:8080/onvif/device"},
        {"CHO-01", "Chợ Lai Vung", "BQLC", "Thị trấn Lai Vung", ""},
    };
    for (size_t i = 0; i < N_CAMS; i++) {
        fx->cams[i] = (struct cfg_camera){.id = (char *)rows[i].id,
                                          .name = (char *)rows[i].name,
                                          .owner = (char *)rows[i].owner,
                                          .commune = (char *)rows[i].commune,
                                          .rtsp_url = "rtsp://127.0.0.1:8554/cam",
                                          .onvif_url = (char *)rows[i].onvif,
                                          .site_kind = CFG_SITE_DISTRICT};
    }
    fx->cams[0].address = "Ngã ba QL80";
    fx->cams[0].has_position = 1;
    fx->cams[0].lat = 10.2875;
    fx->cams[0].lon = 105.6551;
    fx->owners[0] = (struct cfg_owner){"CAH", "Công an huyện Lai Vung"};
    fx->owners[1] = (struct cfg_owner){"CAX-TD", "Công an xã Tân Dương"};
    fx->cfg.cameras = fx->cams;
    fx->cfg.n_cameras = N_CAMS;
    fx->cfg.owners = fx->owners;
    fx->cfg.n_owners = 2;
    fx->cfg.time_zone = "UTC";
    fx->cfg.onvif.max_clock_offset_ms = 5 * SEC;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    if (fx == NULL)
        return -1;
    if (cwtest_tmpdir(fx->dir, sizeof(fx->dir), "doc") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0)
        return -1;
    fleet(fx);
    if (store_sync_cameras(fx->s, &fx->cfg, T0, &err) != 0)
        return -1;
    fx->c = (struct doc_ctx){fx->s, &fx->cfg, "UTC"};
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

static void move(struct fixture *fx, const char *id, enum cw_state from, enum cw_state to,
                 int64_t at, const char *reason)
{
    struct cw_err err = {0};

    if (store_record_transition(fx->s, id, from, to, at, reason, &err) != 0)
        fail_msg("transition %s: %s", id, err.msg);
}

static void sample(struct fixture *fx, const char *id, int64_t at, int ok, int pic,
                   const char *flags)
{
    struct store_sample smp = {0};
    struct cw_err err = {0};

    snprintf(smp.camera_id, sizeof(smp.camera_id), "%s", id);
    smp.at_ms = at;
    smp.ok = ok;
    if (!ok)
        snprintf(smp.error, sizeof(smp.error), "timeout");
    snprintf(smp.codec, sizeof(smp.codec), "%s", ok ? "h264" : "");
    smp.width = ok ? 1280 : 0;
    smp.height = ok ? 720 : 0;
    smp.fps = 12.5;
    smp.bitrate_kbps = 812.5;
    smp.gop_s = 2;
    smp.gop_frames = 25;
    smp.first_key_ms = -1;
    smp.has_picture = pic;
    smp.luma_mean = 90;
    smp.sharpness = 120;
    smp.ref_distance = -1;
    smp.key_bytes = ok ? 75372 : 0;
    smp.inter_frames = ok ? 119 : 0;
    smp.inter_bytes = ok ? 17.25 : 0;
    smp.inter_min_bytes = ok ? 17 : 0;
    snprintf(smp.flags, sizeof(smp.flags), "%s", flags);
    if (store_record_sample(fx->s, &smp, NULL, &err) != 0)
        fail_msg("sample %s: %s", id, err.msg);
}

/* The element of the array whose "id" is id, or NULL. */
/* The views as the CLI runs them (doc_view_run). */
static int view_status(const struct doc_ctx *c, const struct doc_status_filter *f, json_t **out,
                       struct cw_err *err)
{
    return doc_view_run(c, &doc_view_status, f, out, err);
}

static int view_events(const struct doc_ctx *c, const struct doc_events_query *q, json_t **out,
                       struct cw_err *err)
{
    return doc_view_run(c, &doc_view_events, q, out, err);
}

static int view_camera(const struct doc_ctx *c, const struct doc_view *v, const char *id,
                       int64_t at_ms, json_t **out, struct cw_err *err)
{
    const struct doc_camera_query q = {id, at_ms};

    return doc_view_run(c, v, &q, out, err);
}

/* The uptime view as the API runs it: the rows read on s (a connection of its own), the
 * document built on c. */
static int view_uptime_on(const struct doc_ctx *c, struct store *s, int64_t from_ms, int64_t to_ms,
                          enum doc_uptime_by by, json_t **out, struct cw_err *err)
{
    const struct doc_uptime_query q = {from_ms, to_ms, by};
    void *rows = doc_view_rows_new(&doc_view_uptime);
    int rc;

    assert_non_null(rows);
    if ((rc = doc_view_uptime.read(s, &q, rows, err)) == 0)
        rc = doc_view_uptime.build(c, &q, rows, out, err);
    doc_view_rows_free(&doc_view_uptime, rows);
    return rc;
}

static json_t *by_id(json_t *arr, const char *id)
{
    json_t *o;
    size_t i;

    json_array_foreach(arr, i, o) if (strcmp(json_string_value(json_object_get(o, "id")), id) ==
                                      0) return o;
    return NULL;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t num(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static int is_null(const json_t *o, const char *key)
{
    return json_is_null(json_object_get(o, key));
}

/* ---- status ---- */

static void test_status_lists_cameras_with_probe_and_sample_facts(void **state)
{
    struct fixture *fx = *state;
    struct store_probe p = {.camera_id = "CAH-001",
                            .at_ms = T0 + MIN,
                            .ok = 1,
                            .latency_ms = 42,
                            .rtsp_status = 200,
                            .codec = "h264",
                            .width = 1920,
                            .height = 1080,
                            .fps = 25,
                            .state = CW_UNKNOWN};
    struct store_probe q = {.camera_id = "CAH-002",
                            .at_ms = T0 + MIN,
                            .ok = 1,
                            .latency_ms = -1,
                            .fps = 15,
                            .state = CW_UNKNOWN};
    struct cw_err err = {0};
    json_t *doc, *a, *b;

    move(fx, "CAH-001", CW_UNKNOWN, CW_DEGRADED, T0 + 2 * MIN, "low fps");
    assert_int_equal(store_record_probe(fx->s, &p, &err), 0);
    assert_int_equal(store_record_probe(fx->s, &q, &err), 0);
    sample(fx, "CAH-001", T0 + 3 * MIN, 1, 1, "low_fps,dark");
    assert_int_equal(view_status(&fx->c, NULL, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), N_CAMS);
    /* by id */
    assert_string_equal(str(json_array_get(doc, 0), "id"), "CAH-001");
    assert_string_equal(str(json_array_get(doc, 3), "id"), "TD-01");
    a = by_id(doc, "CAH-001");
    assert_string_equal(str(a, "owner_name"), "Công an huyện Lai Vung");
    assert_string_equal(str(a, "state"), "degraded");
    assert_int_equal(num(a, "since_ms"), T0 + 2 * MIN);
    assert_string_equal(str(a, "since"), "2023-11-14T22:15:20+00:00");
    assert_string_equal(str(a, "reason"), "low fps");
    assert_int_equal(num(a, "latency_ms"), 42);
    assert_int_equal(num(a, "width"), 1920);
    assert_string_equal(str(a, "codec"), "h264");
    /* measured rate, not the SDP's 25 */
    assert_true(json_real_value(json_object_get(a, "fps")) == 12.5);
    assert_true(json_real_value(json_object_get(a, "sdp_fps")) == 25);
    assert_true(json_real_value(json_object_get(a, "bitrate_kbps")) == 812.5);
    assert_int_equal(json_array_size(json_object_get(a, "flags")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "flags"), 1)), "dark");
    assert_int_equal(num(a, "last_sample_ms"), T0 + 3 * MIN);
    /* before any sample: the SDP's rate stands in; unknown facts are null */
    b = by_id(doc, "CAH-002");
    assert_true(json_real_value(json_object_get(b, "fps")) == 15);
    assert_true(is_null(b, "latency_ms"));
    assert_true(is_null(b, "bitrate_kbps"));
    assert_true(is_null(b, "last_sample"));
    assert_int_equal(json_array_size(json_object_get(b, "flags")), 0);
    /* an owner the configuration does not name */
    assert_true(is_null(by_id(doc, "CHO-01"), "owner_name"));
    assert_string_equal(str(by_id(doc, "CHO-01"), "state"), "unknown");
    json_decref(doc);
}

/* A good answer of id while its store row holds state, with the run of verdicts after it. */
static void answer(struct fixture *fx, const char *id, enum cw_state state, enum store_streak kind,
                   int streak)
{
    struct store_probe p = {.camera_id = id,
                            .at_ms = T0 + 5 * MIN,
                            .ok = 1,
                            .latency_ms = 150,
                            .rtsp_status = 200,
                            .codec = "h264",
                            .state = state,
                            .streak_kind = kind,
                            .streak = streak};
    struct cw_err err = {0};

    assert_int_equal(store_record_probe(fx->s, &p, &err), 0);
}

static void test_status_says_how_far_a_camera_has_recovered(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc, *r;

    fx->cfg.rtsp.up_after = 3;
    /* degraded by a slow answer, now answering in 150 ms: 2 of the 3 good answers it needs */
    move(fx, "CAH-001", CW_UNKNOWN, CW_DEGRADED, T0 + MIN, "slow answer: 3941 ms (limit 2000 ms)");
    answer(fx, "CAH-001", CW_DEGRADED, STORE_STREAK_OK, 2);
    /* down, answering again (a degraded answer counts too) */
    move(fx, "CAH-002", CW_UNKNOWN, CW_DOWN, T0 + MIN, "timeout");
    answer(fx, "CAH-002", CW_DOWN, STORE_STREAK_DEGRADED, 1);
    /* down and still failing; and up with a run of good answers: neither is recovering */
    move(fx, "TD-01", CW_UNKNOWN, CW_DOWN, T0 + MIN, "timeout");
    answer(fx, "TD-01", CW_DOWN, STORE_STREAK_FAIL, 2);
    move(fx, "CHO-01", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    answer(fx, "CHO-01", CW_UP, STORE_STREAK_OK, 2);
    assert_int_equal(view_status(&fx->c, NULL, &doc, &err), 0);
    r = json_object_get(by_id(doc, "CAH-001"), "recovering");
    assert_true(json_is_object(r));
    assert_int_equal(num(r, "good"), 2);
    assert_int_equal(num(r, "needed"), 3);
    assert_string_equal(str(by_id(doc, "CAH-001"), "reason"),
                        "slow answer: 3941 ms (limit 2000 ms)");
    assert_int_equal(num(by_id(doc, "CAH-001"), "latency_ms"), 150);
    r = json_object_get(by_id(doc, "CAH-002"), "recovering");
    assert_int_equal(num(r, "good"), 1);
    assert_int_equal(num(r, "needed"), 3);
    assert_true(is_null(by_id(doc, "TD-01"), "recovering"));
    assert_true(is_null(by_id(doc, "CHO-01"), "recovering"));
    json_decref(doc);
}

static void test_status_size_is_the_samples_when_the_sdp_gives_none(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    answer(fx, "CAH-001", CW_UNKNOWN, STORE_STREAK_NONE, 0); /* SDP without a size */
    sample(fx, "CAH-001", T0 + 6 * MIN, 1, 1, "");           /* decoded 1280x720 */
    answer(fx, "CAH-002", CW_UNKNOWN, STORE_STREAK_NONE, 0);
    assert_int_equal(view_status(&fx->c, NULL, &doc, &err), 0);
    assert_int_equal(num(by_id(doc, "CAH-001"), "width"), 1280);
    assert_int_equal(num(by_id(doc, "CAH-001"), "height"), 720);
    assert_true(is_null(by_id(doc, "CAH-002"), "width"));
    json_decref(doc);
}

/* The ids of doc_view_status under f, comma-joined, into buf. */
static const char *status_ids(struct fixture *fx, const struct doc_status_filter *f, char *buf,
                              size_t len)
{
    struct cw_err err = {0};
    json_t *doc, *o;
    size_t i;

    buf[0] = '\0';
    assert_int_equal(view_status(&fx->c, f, &doc, &err), 0);
    json_array_foreach(doc, i, o)
    {
        if (i > 0)
            strncat(buf, ",", len - strlen(buf) - 1);
        strncat(buf, str(o, "id"), len - strlen(buf) - 1);
    }
    json_decref(doc);
    return buf;
}

static void test_status_filters_by_owner_commune_state_and_flag(void **state)
{
    struct fixture *fx = *state;
    struct doc_status_filter f;
    char buf[256];

    move(fx, "TD-01", CW_UNKNOWN, CW_DOWN, T0 + MIN, "timeout");
    sample(fx, "CAH-002", T0 + MIN, 1, 1, "frozen");
    f = (struct doc_status_filter){.owner = "cah"};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "CAH-001,CAH-002");
    /* without diacritics: any; with them: exactly these */
    f = (struct doc_status_filter){.commune = "TAN THANH"};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "CAH-001,CAH-002");
    f = (struct doc_status_filter){.commune = "tân thành"};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "CAH-001");
    f = (struct doc_status_filter){.commune = "Tân Thạnh"};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "CAH-002");
    f = (struct doc_status_filter){.have_state = 1, .state = CW_DOWN};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "TD-01");
    f = (struct doc_status_filter){.flag = "FROZEN"};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "CAH-002");
    /* all at once: nothing passes every one */
    f = (struct doc_status_filter){
        .owner = "CAH", .flag = "frozen", .have_state = 1, .state = CW_UP};
    assert_string_equal(status_ids(fx, &f, buf, sizeof(buf)), "");
}

/* Issue 10: `status --flag nosuchflag` listed nothing and exited 0; a name that is no
 * quality flag is a bad request naming the flags there are. */
static void test_status_refuses_a_flag_that_does_not_exist(void **state)
{
    struct fixture *fx = *state;
    struct doc_status_filter f = {.flag = "nosuchflag"};
    struct cw_err err = {0};
    json_t *doc = NULL;

    sample(fx, "CAH-002", T0 + MIN, 1, 1, "frozen");
    assert_int_equal(view_status(&fx->c, &f, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_string_equal(err.field, "flag");
    assert_non_null(strstr(err.msg, "unknown flag 'nosuchflag'"));
    assert_non_null(strstr(err.msg, "frozen"));
    assert_non_null(strstr(err.msg, "sdp_mismatch"));
}

/* ---- events ---- */

static void change(struct fixture *fx, const char *id, int64_t at, const char *firmware)
{
    struct store_device d = {0};
    struct cw_err err = {0};

    snprintf(d.camera_id, sizeof(d.camera_id), "%s", id);
    d.probed_ms = at;
    d.ok = 1;
    snprintf(d.firmware, sizeof(d.firmware), "%s", firmware);
    snprintf(d.model, sizeof(d.model), "DS-2CD");
    if (store_record_device(fx->s, &d, NULL, 0, NULL, 0, NULL, NULL, &err) != 0)
        fail_msg("device %s: %s", id, err.msg);
}

static void test_events_merge_state_and_device_changes_oldest_first(void **state)
{
    struct fixture *fx = *state;
    const struct doc_events_query q = {NULL, T0, 0, NULL};
    struct cw_err err = {0};
    json_t *doc, *ev;

    change(fx, "CAH-001", T0 + MIN, "V1");
    move(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 2 * MIN, "");
    change(fx, "CAH-001", T0 + 2 * MIN, "V2"); /* same ms: after the state change */
    move(fx, "TD-01", CW_UNKNOWN, CW_DOWN, T0 + 3 * MIN, "timeout");
    assert_int_equal(view_events(&fx->c, &q, &doc, &err), 0);
    ev = json_object_get(doc, "events");
    assert_true(is_null(doc, "next"));
    assert_int_equal(json_array_size(ev), 3); /* the first facts are not a change */
    assert_string_equal(str(json_array_get(ev, 0), "kind"), "state");
    assert_string_equal(str(json_array_get(ev, 0), "to"), "up");
    assert_string_equal(str(json_array_get(ev, 1), "kind"), "device");
    assert_string_equal(str(json_array_get(ev, 1), "field"), "firmware");
    assert_string_equal(str(json_array_get(ev, 1), "old"), "V1");
    assert_string_equal(str(json_array_get(ev, 1), "new"), "V2");
    assert_int_equal(num(json_array_get(ev, 1), "at_ms"), T0 + 2 * MIN);
    assert_string_equal(str(json_array_get(ev, 2), "camera"), "TD-01");
    assert_string_equal(str(json_array_get(ev, 2), "reason"), "timeout");
    assert_string_equal(str(json_array_get(ev, 2), "at"), "2023-11-14T22:16:20+00:00");
    json_decref(doc);
}

static void test_events_pages_cover_every_event_once(void **state)
{
    struct fixture *fx = *state;
    struct doc_events_query q = {NULL, T0, 0, NULL};
    struct cw_err err = {0};
    json_t *whole, *joined = json_array(), *page;
    char *after = NULL;
    int pages = 0;

    /* 20 state changes and 10 device changes, many at the same ms */
    for (int i = 0; i < 10; i++) {
        char fw[16];
        snprintf(fw, sizeof(fw), "V%d", i);
        move(fx, "CAH-001", i % 2 ? CW_DOWN : CW_UNKNOWN, i % 2 ? CW_UNKNOWN : CW_DOWN,
             T0 + i * MIN, "x");
        move(fx, "TD-01", i % 2 ? CW_UP : CW_UNKNOWN, i % 2 ? CW_UNKNOWN : CW_UP, T0 + i * MIN,
             "y");
        change(fx, "CAH-002", T0 + i * MIN, fw);
    }
    assert_int_equal(view_events(&fx->c, &q, &whole, &err), 0);
    assert_int_equal(json_array_size(json_object_get(whole, "events")), 29);
    q.limit = 4;
    do {
        assert_int_equal(view_events(&fx->c, &q, &page, &err), 0);
        assert_true(json_array_size(json_object_get(page, "events")) <= 4);
        json_array_extend(joined, json_object_get(page, "events"));
        free(after);
        after = json_is_string(json_object_get(page, "next")) ? strdup(str(page, "next")) : NULL;
        json_decref(page);
        q.after = after;
        pages++;
    } while (after != NULL && pages < 100);
    assert_int_equal(pages, 8); /* 29 events: 7 full pages and one of 1 */
    assert_true(json_equal(joined, json_object_get(whole, "events")));
    /* one camera only */
    q = (struct doc_events_query){"CAH-002", T0 + 5 * MIN, 2, NULL};
    assert_int_equal(view_events(&fx->c, &q, &page, &err), 0);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 2);
    assert_string_equal(str(json_array_get(json_object_get(page, "events"), 0), "new"), "V5");
    assert_true(json_is_string(json_object_get(page, "next")));
    json_decref(page);
    json_decref(joined);
    json_decref(whole);
}

static void test_events_refuse_a_bad_cursor_and_an_unknown_camera(void **state)
{
    struct fixture *fx = *state;
    struct doc_events_query q = {NULL, 0, 10, "12.x.3"};
    struct cw_err err = {0};
    json_t *doc = NULL;

    assert_int_equal(view_events(&fx->c, &q, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_string_equal(err.field, "after");
    q = (struct doc_events_query){"NOPE", 0, 10, NULL};
    assert_int_equal(view_events(&fx->c, &q, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");
    assert_null(doc);
}

/* Ids are matched to the letter; an id typed in the wrong case is still unknown, and the error
 * says which camera the user meant (it said only "unknown camera"). */
static void test_an_id_in_the_wrong_case_is_unknown_and_names_the_camera_meant(void **state)
{
    struct fixture *fx = *state;
    struct doc_events_query q = {"cah-001", 0, 10, NULL};
    struct cw_err err = {0};
    json_t *doc = NULL;

    assert_int_equal(view_camera(&fx->c, &doc_view_camera, "cah-001", T0, &doc, &err),
                     DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'cah-001'; did you mean 'CAH-001'?");
    assert_int_equal(view_events(&fx->c, &q, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'cah-001'; did you mean 'CAH-001'?");
    assert_int_equal(view_camera(&fx->c, &doc_view_samples, "Td-01", T0, &doc, &err),
                     DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'Td-01'; did you mean 'TD-01'?");
    assert_null(doc);
}

/* ---- uptime ---- */

static void test_uptime_sums_each_camera_and_owner(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc, *cam, *own;

    /* CAH-001: 1 h unknown, 2 h up, 1 h down; CAH-002: 4 h unknown */
    move(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 + HOUR, "");
    move(fx, "CAH-001", CW_UP, CW_DOWN, T0 + 3 * HOUR, "timeout");
    assert_int_equal(doc_uptime(&fx->c, T0, T0 + 4 * HOUR, DOC_UPTIME_BOTH, &doc, &err), 0);
    assert_int_equal(num(doc, "from_ms"), T0);
    assert_string_equal(str(doc, "to"), "2023-11-15T02:13:20+00:00");
    cam = by_id(json_object_get(doc, "cameras"), "CAH-001");
    assert_string_equal(str(cam, "name"), "Ngã ba Tân Thành");
    assert_int_equal(num(cam, "existed_ms"), 4 * HOUR);
    assert_int_equal(num(json_object_get(cam, "ms"), "up"), 2 * HOUR);
    assert_true(json_real_value(json_object_get(json_object_get(cam, "percent"), "down")) == 25);
    assert_int_equal(num(cam, "outages"), 1);
    assert_int_equal(num(cam, "downtime_ms"), HOUR);
    own = json_object_get(doc, "owners");
    assert_int_equal(json_array_size(own), 3); /* BQLC, CAH, CAX-TD: sorted by code */
    assert_string_equal(str(json_array_get(own, 0), "owner"), "BQLC");
    assert_true(is_null(json_array_get(own, 0), "owner_name"));
    assert_string_equal(str(json_array_get(own, 1), "owner"), "CAH");
    assert_int_equal(num(json_array_get(own, 1), "cameras"), 2);
    assert_int_equal(num(json_object_get(json_array_get(own, 1), "ms"), "unknown"), 5 * HOUR);
    assert_int_equal(num(json_array_get(own, 1), "downtime_ms"), HOUR);
    json_decref(doc);
    /* by camera: no owners; by owner: no cameras */
    assert_int_equal(doc_uptime(&fx->c, T0, T0 + HOUR, DOC_UPTIME_CAMERA, &doc, &err), 0);
    assert_null(json_object_get(doc, "owners"));
    assert_non_null(json_object_get(doc, "cameras"));
    json_decref(doc);
    assert_int_equal(doc_uptime(&fx->c, T0, T0 + HOUR, DOC_UPTIME_OWNER, &doc, &err), 0);
    assert_null(json_object_get(doc, "cameras"));
    json_decref(doc);
}

/* A camera taken out of the inventory during the range keeps its name in uptime, as it has in
 * the store and the reports (it was null: names came from the inventory alone). A camera the
 * store watches whose row is not in the inventory at hand (a row with a problem) stays null. */
static void test_uptime_names_a_camera_retired_in_the_range(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc, *cams;

    fx->cfg.n_cameras = N_CAMS - 1; /* CHO-01 out of cameras.csv, then a reload */
    assert_int_equal(store_sync_cameras(fx->s, &fx->cfg, T0 + HOUR, &err), 0);
    fx->cfg.n_cameras = N_CAMS - 2; /* TD-01's row broken in the CLI's copy */
    assert_int_equal(doc_uptime(&fx->c, T0, T0 + 2 * HOUR, DOC_UPTIME_CAMERA, &doc, &err), 0);
    fx->cfg.n_cameras = N_CAMS;
    cams = json_object_get(doc, "cameras");
    assert_int_equal(json_array_size(cams), N_CAMS);
    assert_false(is_null(by_id(cams, "CHO-01"), "name"));
    assert_string_equal(str(by_id(cams, "CHO-01"), "name"), "Chợ Lai Vung");
    assert_int_equal(num(by_id(cams, "CHO-01"), "existed_ms"), HOUR);
    assert_true(is_null(by_id(cams, "TD-01"), "name"));
    assert_string_equal(str(by_id(cams, "CAH-001"), "name"), "Ngã ba Tân Thành");
    json_decref(doc);
}

/* ---- samples ---- */

static void test_samples_give_null_for_facts_not_measured(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc, *ok, *bad;

    sample(fx, "CAH-001", T0 + MIN, 1, 1, "dark");
    sample(fx, "CAH-001", T0 + 2 * MIN, 0, 0, "no_media");
    sample(fx, "CAH-002", T0 + 2 * MIN, 1, 1, "");
    assert_int_equal(view_camera(&fx->c, &doc_view_samples, "CAH-001", T0, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    ok = json_array_get(doc, 0);
    bad = json_array_get(doc, 1);
    assert_string_equal(str(ok, "camera"), "CAH-001");
    assert_true(json_is_true(json_object_get(ok, "ok")));
    assert_true(json_real_value(json_object_get(ok, "fps")) == 12.5);
    assert_true(json_real_value(json_object_get(ok, "luma_mean")) == 90);
    assert_true(is_null(ok, "error"));
    assert_true(is_null(ok, "first_key_ms"));
    assert_true(json_real_value(json_object_get(ok, "key_bytes")) == 75372);
    assert_int_equal(num(ok, "inter_frames"), 119);
    assert_true(json_real_value(json_object_get(ok, "inter_bytes")) == 17.25);
    assert_int_equal(num(ok, "inter_min_bytes"), 17);
    assert_true(is_null(bad, "key_bytes"));
    assert_true(is_null(bad, "inter_frames"));
    assert_true(is_null(bad, "inter_bytes"));
    assert_true(json_is_false(json_object_get(bad, "ok")));
    assert_string_equal(str(bad, "error"), "timeout");
    assert_true(is_null(bad, "fps"));
    assert_true(is_null(bad, "codec"));
    assert_true(is_null(bad, "phash"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(bad, "flags"), 0)),
                        "no_media");
    json_decref(doc);
    assert_int_equal(view_camera(&fx->c, &doc_view_samples, "CAH-001", T0 + 90 * SEC, &doc, &err),
                     0);
    assert_int_equal(json_array_size(doc), 1);
    json_decref(doc);
    assert_int_equal(view_camera(&fx->c, &doc_view_samples, "NOPE", T0, &doc, &err), DOC_NOT_FOUND);
}

/* ---- device and clock ---- */

static void probe_device(struct fixture *fx, const char *id, int64_t at, int64_t offset)
{
    struct store_device d = {0};
    struct store_endpoint ep[2] = {{"device", "http://10.0.0.1/onvif/device_service"},
                                   {"media", "http://10.0.0.1/onvif/media"}};
    struct store_profile pr = {.token = "Profile_1",
                               .encoding = "h264",
                               .width = 1920,
                               .height = 1080,
                               .fps_limit = 25,
                               .streamed = 1};
    struct cw_err err = {0};

    snprintf(d.camera_id, sizeof(d.camera_id), "%s", id);
    d.probed_ms = at;
    d.ok = 1;
    snprintf(d.manufacturer, sizeof(d.manufacturer), "Hikvision");
    snprintf(d.firmware, sizeof(d.firmware), "V5.5");
    snprintf(d.auth, sizeof(d.auth), "wsse");
    d.has_clock = 1;
    d.clock_at_ms = at;
    d.clock_offset_ms = offset;
    d.clock_error_ms = 500;
    d.ntp = 1;
    if (store_record_device(fx->s, &d, ep, 2, &pr, 1, NULL, NULL, &err) != 0)
        fail_msg("device %s: %s", id, err.msg);
}

static void test_device_has_facts_endpoints_profiles_and_history(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc, *p;

    probe_device(fx, "CAH-001", T0 + MIN, 83 * SEC);
    probe_device(fx, "CAH-001", T0 + 2 * MIN, 84 * SEC);
    assert_int_equal(view_camera(&fx->c, &doc_view_device, "CAH-001", T0, &doc, &err), 0);
    assert_string_equal(str(doc, "name"), "Ngã ba Tân Thành");
    assert_string_equal(str(doc, "manufacturer"), "Hikvision");
    assert_true(is_null(doc, "model"));
    assert_int_equal(num(doc, "clock_offset_ms"), 84 * SEC);
    assert_true(json_is_true(json_object_get(doc, "ntp")));
    assert_string_equal(str(json_object_get(doc, "endpoints"), "media"),
                        "http://10.0.0.1/onvif/media");
    p = json_array_get(json_object_get(doc, "profiles"), 0);
    assert_string_equal(str(p, "token"), "Profile_1");
    assert_true(json_real_value(json_object_get(p, "fps_limit")) == 25);
    assert_true(is_null(p, "bitrate_limit_kbps"));
    assert_int_equal(json_array_size(json_object_get(doc, "clock_history")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "changes")), 0);
    json_decref(doc);
    /* never probed over ONVIF, and why */
    assert_int_equal(view_camera(&fx->c, &doc_view_device, "CAH-002", T0, &doc, &err),
                     DOC_NOT_FOUND);
    assert_string_equal(err.msg, "CAH-002: no ONVIF facts yet (no onvif_url in the inventory)");
    assert_int_equal(view_camera(&fx->c, &doc_view_device, "TD-01", T0, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "TD-01: no ONVIF facts yet (not probed over ONVIF yet)");
    assert_int_equal(view_camera(&fx->c, &doc_view_device, "NOPE", T0, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");
}

static void test_clock_lists_the_furthest_off_first(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    probe_device(fx, "CAH-001", T0 + MIN, 83 * SEC);
    probe_device(fx, "TD-01", T0 + MIN, -3600 * SEC);
    probe_device(fx, "CAH-002", T0 + MIN, 100);
    assert_int_equal(doc_view_run(&fx->c, &doc_view_clock, NULL, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 3);
    assert_string_equal(str(json_array_get(doc, 0), "id"), "TD-01");
    assert_int_equal(num(json_array_get(doc, 0), "clock_offset_ms"), -3600 * SEC);
    assert_string_equal(str(json_array_get(doc, 1), "id"), "CAH-001");
    assert_string_equal(str(json_array_get(doc, 2), "id"), "CAH-002");
    assert_int_equal(num(json_array_get(doc, 2), "error_ms"), 500);
    assert_string_equal(str(json_array_get(doc, 2), "measured_at"), "2023-11-14T22:14:20+00:00");
    json_decref(doc);
}

/* ---- actions ---- */

static void test_maintenance_changes_once_and_says_so(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    assert_int_equal(doc_maintenance(&fx->c, "CAH-001", 1, "thay ống kính", T0 + MIN, &doc, &err),
                     0);
    assert_true(json_is_true(json_object_get(doc, "changed")));
    assert_string_equal(str(doc, "from"), "unknown");
    assert_string_equal(str(doc, "to"), "maintenance");
    assert_string_equal(str(doc, "reason"), "maintenance: thay ống kính");
    assert_string_equal(str(doc, "since"), "2023-11-14T22:14:20+00:00");
    json_decref(doc);
    assert_int_equal(doc_maintenance(&fx->c, "CAH-001", 1, NULL, T0 + 2 * MIN, &doc, &err), 0);
    assert_true(json_is_false(json_object_get(doc, "changed")));
    assert_string_equal(str(doc, "since"), "2023-11-14T22:14:20+00:00");
    json_decref(doc);
    assert_int_equal(doc_maintenance(&fx->c, "CAH-001", 0, "", T0 + 3 * MIN, &doc, &err), 0);
    assert_string_equal(str(doc, "to"), "unknown");
    assert_string_equal(str(doc, "reason"), "maintenance ended");
    json_decref(doc);
    assert_int_equal(doc_maintenance(&fx->c, "NOPE", 1, NULL, T0, &doc, &err), DOC_NOT_FOUND);
    /* a note is shown in status's reason column: no escapes for the reader's terminal */
    assert_int_equal(doc_maintenance(&fx->c, "CAH-001", 1, "x\x1b[31m", T0, &doc, &err),
                     DOC_BAD_INPUT);
    assert_string_equal(err.field, "note");
    assert_null(doc);
    assert_null(doc);
}

static void test_reference_clear_says_whether_there_was_one(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    assert_int_equal(store_set_reference(fx->s, "CAH-001", 1, 0xabcdULL, T0 + MIN, &err), 0);
    assert_int_equal(doc_reference_clear(&fx->c, "CAH-001", &doc, &err), 0);
    assert_true(json_is_true(json_object_get(doc, "cleared")));
    assert_string_equal(str(doc, "previous"), "2023-11-14T22:14:20+00:00");
    json_decref(doc);
    assert_int_equal(doc_reference_clear(&fx->c, "CAH-001", &doc, &err), 0);
    assert_true(json_is_false(json_object_get(doc, "cleared")));
    assert_true(is_null(doc, "previous"));
    json_decref(doc);
    assert_int_equal(doc_reference_clear(&fx->c, "NOPE", &doc, &err), DOC_NOT_FOUND);
}

static void test_actions_and_uptime_in_two_steps_give_the_same_documents(void **state)
{
    struct fixture *fx = *state;
    struct doc_maintenance_change m;
    struct doc_reference_change r;
    struct store *other = NULL;
    struct cw_err err = {0};
    json_t *two, *one;

    /* the write through another connection (a worker's), the document on the loop's */
    assert_int_equal(store_open(fx->path, STORE_READWRITE, &other, &err), 0);
    assert_int_equal(doc_maintenance_apply(other, "CAH-002", 1, "mưa bão", T0 + MIN, &m, &err), 0);
    assert_true(m.changed);
    assert_int_equal(m.before.state, CW_UNKNOWN);
    assert_int_equal(m.after.state, CW_MAINTENANCE);
    assert_int_equal(doc_maintenance_result(&fx->c, &m, &two, &err), 0);
    assert_string_equal(str(two, "reason"), "maintenance: mưa bão");
    assert_string_equal(str(two, "since"), "2023-11-14T22:14:20+00:00");
    /* the one-step action, asked again, finds it done: the same camera, state and time */
    assert_int_equal(doc_maintenance(&fx->c, "CAH-002", 1, NULL, T0 + 2 * MIN, &one, &err), 0);
    assert_true(json_is_false(json_object_get(one, "changed")));
    assert_string_equal(str(one, "since"), str(two, "since"));
    json_decref(one);
    json_decref(two);
    assert_int_equal(doc_maintenance_apply(other, "NOPE", 1, NULL, T0, &m, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");

    assert_int_equal(store_set_reference(fx->s, "CAH-001", 1, 0xabcdULL, T0 + MIN, &err), 0);
    assert_int_equal(doc_reference_apply(other, "CAH-001", &r, &err), 0);
    assert_true(r.had);
    assert_int_equal(doc_reference_result(&fx->c, &r, &two, &err), 0);
    assert_true(json_is_true(json_object_get(two, "cleared")));
    assert_string_equal(str(two, "previous"), "2023-11-14T22:14:20+00:00");
    json_decref(two);

    move(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 + HOUR, "");
    assert_int_equal(view_uptime_on(&fx->c, other, T0, T0 + 2 * HOUR, DOC_UPTIME_BOTH, &two, &err),
                     0);
    assert_int_equal(doc_uptime(&fx->c, T0, T0 + 2 * HOUR, DOC_UPTIME_BOTH, &one, &err), 0);
    assert_true(json_equal(one, two));
    assert_int_equal(
        num(json_object_get(by_id(json_object_get(two, "cameras"), "CAH-001"), "ms"), "up"), HOUR);
    json_decref(one);
    json_decref(two);
    store_close(other);
}

static void test_status_gives_last_good_answer_and_the_inventory_place(void **state)
{
    struct fixture *fx = *state;
    struct store_probe ok = {
        .camera_id = "CAH-001", .at_ms = T0 + MIN, .ok = 1, .latency_ms = 9, .state = CW_UNKNOWN};
    struct store_probe bad = {.camera_id = "CAH-001",
                              .at_ms = T0 + 2 * MIN,
                              .ok = 0,
                              .latency_ms = -1,
                              .state = CW_UNKNOWN};
    struct cw_err err = {0};
    json_t *doc, *a, *b;

    assert_int_equal(store_record_probe(fx->s, &ok, &err), 0);
    assert_int_equal(store_record_probe(fx->s, &bad, &err), 0);
    assert_int_equal(view_status(&fx->c, NULL, &doc, &err), 0);
    a = by_id(doc, "CAH-001");
    /* the last probe failed; the last good one stays */
    assert_int_equal(num(a, "last_probe_ms"), T0 + 2 * MIN);
    assert_int_equal(num(a, "last_ok_ms"), T0 + MIN);
    assert_string_equal(str(a, "last_ok"), "2023-11-14T22:14:20+00:00");
    assert_string_equal(str(a, "address"), "Ngã ba QL80");
    assert_true(json_real_value(json_object_get(a, "lat")) == 10.2875);
    assert_true(json_real_value(json_object_get(a, "lon")) == 105.6551);
    b = by_id(doc, "CAH-002");
    assert_true(is_null(b, "last_ok"));
    assert_true(is_null(b, "lat")); /* no position in the inventory */
    assert_true(is_null(b, "address"));
    json_decref(doc);
}

/* Make path a file whose modification time is at seconds. */
static void file_at(const char *path, time_t at)
{
    struct timespec t[2] = {{at, 0}, {at, 0}};

    cwtest_write_file(path, "\xff\xd8 not a real JPEG \xff\xd9", 0600);
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void test_picture_is_the_newer_of_thumbnail_and_snapshot(void **state)
{
    struct fixture *fx = *state;
    struct store_sample smp = {
        .camera_id = "CAH-001", .at_ms = T0, .ok = 1, .ref_distance = -1, .first_key_ms = -1};
    struct store_device d = {.camera_id = "CAH-001", .probed_ms = T0, .ok = 1};
    char thumb[256], snap[256], got[1024];
    struct cw_err err = {0};

    snprintf(thumb, sizeof(thumb), "%s/thumb.jpg", fx->dir);
    snprintf(snap, sizeof(snap), "%s/snap.jpg", fx->dir);
    assert_int_equal(doc_picture(&fx->c, "CAH-001", got, sizeof(got), &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "CAH-001: no thumbnail yet (none of its stream samples has "
                                 "decoded a picture, and it has no ONVIF snapshot)");
    file_at(thumb, 1000000);
    assert_int_equal(store_record_sample(fx->s, &smp, thumb, &err), 0);
    assert_int_equal(doc_picture(&fx->c, "CAH-001", got, sizeof(got), &err), 0);
    assert_string_equal(got, thumb);
    /* a newer snapshot wins; an older one does not */
    file_at(snap, 2000000);
    snprintf(d.snapshot_path, sizeof(d.snapshot_path), "%s", snap);
    assert_int_equal(store_record_device(fx->s, &d, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
    assert_int_equal(doc_picture(&fx->c, "CAH-001", got, sizeof(got), &err), 0);
    assert_string_equal(got, snap);
    file_at(snap, 500000);
    assert_int_equal(doc_picture(&fx->c, "CAH-001", got, sizeof(got), &err), 0);
    assert_string_equal(got, thumb);
    /* a thumbnail gone leaves the snapshot */
    assert_int_equal(unlink(thumb), 0);
    assert_int_equal(doc_picture(&fx->c, "CAH-001", got, sizeof(got), &err), 0);
    assert_string_equal(got, snap);
    assert_int_equal(doc_picture(&fx->c, "NOPE", got, sizeof(got), &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");
}

static void test_clock_of_a_site_without_onvif_is_empty(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    /* no device rows at all: nothing to sort (qsort is not given a null array) */
    assert_int_equal(doc_view_run(&fx->c, &doc_view_clock, NULL, &doc, &err), 0);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 0);
    json_decref(doc);
}

/* ---- discover ---- */

static void test_discover_matches_devices_to_the_inventory_by_host_and_port(void **state)
{
    struct fixture *fx = *state;
    const struct doc_found found[3] = {
        {"urn:uuid:3", "http://192.168.1.9/onvif/device_service", "dn:NetworkVideoTransmitter", "",
         "", "", ""},
        {"urn:uuid:2", "http://10.0.0.3:8080/other http://[fe80::1]/x", "", "", "TD cam", "", ""},
        {"urn:uuid:1", "http://10.0.0.1:80/onvif/device_service", "",
         "onvif://www.onvif.org/name/A onvif://www.onvif.org/hardware/B", "A", "B", ""},
    };
    struct cw_err err = {0};
    json_t *doc, *dev, *missing;

    assert_int_equal(doc_discover(&fx->c, found, 3, 2, &doc, &err), 0);
    dev = json_object_get(doc, "devices");
    assert_int_equal(json_array_size(dev), 3);
    /* inventory order, then the unknown */
    assert_string_equal(str(json_array_get(dev, 0), "camera"), "CAH-001");
    assert_string_equal(str(json_array_get(dev, 0), "name"), "A");
    assert_int_equal(json_array_size(json_object_get(json_array_get(dev, 0), "scopes")), 2);
    assert_string_equal(str(json_array_get(dev, 1), "camera"), "TD-01");
    assert_int_equal(json_array_size(json_object_get(json_array_get(dev, 1), "xaddrs")), 2);
    assert_true(is_null(json_array_get(dev, 2), "camera"));
    assert_true(is_null(json_array_get(dev, 2), "name"));
    missing = json_object_get(doc, "missing");
    assert_int_equal(json_array_size(missing), 0);
    assert_int_equal(num(doc, "ignored"), 2);
    json_decref(doc);
    /* nothing answered: both cameras with an onvif_url are missing */
    assert_int_equal(doc_discover(&fx->c, NULL, 0, 0, &doc, &err), 0);
    missing = json_object_get(doc, "missing");
    assert_int_equal(json_array_size(missing), 2);
    assert_string_equal(str(json_array_get(missing, 1), "id"), "TD-01");
    assert_string_equal(str(json_array_get(missing, 1), "onvif_url"),
                        "http://10.0.0.3:8080/onvif/device");
    json_decref(doc);
}

/* An address a device announces is shown without the user:password it may carry. */
static void test_discover_shows_addresses_without_credentials(void **state)
{
    struct fixture *fx = *state;
    const struct doc_found found[1] = {
        {"urn:uuid:9", "http://admin:secret@10.0.0.1/onvif/device_service http://10.0.0.9/x?a=@",
         "", "", "", "", ""},
    };
    struct cw_err err = {0};
    json_t *doc, *x;

    assert_int_equal(doc_discover(&fx->c, found, 1, 0, &doc, &err), 0);
    x = json_object_get(json_array_get(json_object_get(doc, "devices"), 0), "xaddrs");
    assert_int_equal(json_array_size(x), 2);
    assert_string_equal(json_string_value(json_array_get(x, 0)),
                        "http://10.0.0.1/onvif/device_service");
    assert_string_equal(json_string_value(json_array_get(x, 1)), "http://10.0.0.9/x?a=@");
    assert_string_equal(str(json_array_get(json_object_get(doc, "devices"), 0), "camera"),
                        "CAH-001");
    json_decref(doc);
}

/* ---- one camera ---- */

static void test_camera_gathers_status_samples_events_and_device(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc;

    move(fx, "CAH-001", CW_UNKNOWN, CW_UP, T0 + MIN, "");
    sample(fx, "CAH-001", T0 + 2 * MIN, 1, 1, "");
    sample(fx, "CAH-001", T0 - 2 * 24 * HOUR, 1, 1, ""); /* older than a day */
    probe_device(fx, "CAH-001", T0 + 3 * MIN, 0);
    assert_int_equal(view_camera(&fx->c, &doc_view_camera, "CAH-001", T0 + HOUR, &doc, &err), 0);
    assert_string_equal(str(json_object_get(doc, "status"), "state"), "up");
    assert_int_equal(json_array_size(json_object_get(doc, "samples")), 1);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "events"), "events")), 1);
    assert_string_equal(str(json_object_get(doc, "device"), "manufacturer"), "Hikvision");
    json_decref(doc);
    /* no ONVIF facts: device is null, not an error */
    assert_int_equal(view_camera(&fx->c, &doc_view_camera, "CAH-002", T0 + HOUR, &doc, &err), 0);
    assert_true(is_null(doc, "device"));
    json_decref(doc);
    assert_int_equal(view_camera(&fx->c, &doc_view_camera, "NOPE", T0, &doc, &err), DOC_NOT_FOUND);
    assert_null(doc);
}

/* ---- documents written as they are built (doc_out) ---- */

/* What the CLI printed of a whole document: json_dumpf, then a newline. Caller frees. */
static char *dumped(json_t *doc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(json_dumpf(doc, f, JSON_INDENT(2) | DOC_JSON_FLAGS), 0);
    fputc('\n', f);
    fclose(f);
    return buf;
}

/* A document's bytes as written by fn into a file out. Caller frees. */
struct written {
    char *buf;
    size_t len;
    FILE *f;
    struct doc_out *o;
};

static void written_open(struct written *w)
{
    w->buf = NULL;
    w->len = 0;
    w->f = open_memstream(&w->buf, &w->len);
    assert_non_null(w->f);
    w->o = doc_out_file(w->f);
    assert_non_null(w->o);
}

static char *written_close(struct written *w)
{
    doc_out_free(w->o);
    fclose(w->f);
    return w->buf;
}

/* ---- doc_out on its own ---- */

/* One document of every shape: scalars, empty containers, nested ones, text that needs
 * escaping, reals. */
static void build(struct doc_out *o)
{
    json_t *row = json_pack("{s:s, s:f, s:[], s:{}, s:[i, {s:[s]}], s:n, s:b}", "name",
                            "Chợ \"Lai Vung\"\nline two\\", "fps", 812.39999999999975, "flags",
                            "none", "nested", 1, "deep", "x", "null", "ok", 1);

    assert_int_equal(doc_out_object(o, NULL), 0);
    assert_int_equal(doc_out_add(o, "from", json_string("2026-12-01T00:00:00+07:00")), 0);
    assert_int_equal(doc_out_array(o, "empty"), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_object(o, "nothing"), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_array(o, "rows"), 0);
    assert_int_equal(doc_out_add(o, NULL, row), 0);
    assert_int_equal(doc_out_add(o, NULL, json_integer(-7)), 0);
    assert_int_equal(doc_out_array(o, NULL), 0);
    assert_int_equal(doc_out_add(o, NULL, json_string("")), 0);
    assert_int_equal(doc_out_object(o, NULL), 0);
    assert_int_equal(doc_out_add(o, "k\t\"", json_real(0.1)), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_add(o, "next", json_null()), 0);
    assert_int_equal(doc_out_close(o), 0);
}

static void test_written_document_is_what_json_dumpf_prints_of_the_tree(void **state)
{
    struct doc_out *t = doc_out_tree();
    struct written w;
    json_t *doc;
    char *want, *got;

    (void)state;
    build(t);
    doc = doc_out_take(t);
    assert_non_null(doc);
    assert_null(doc_out_take(t)); /* taken once */
    doc_out_free(t);
    written_open(&w);
    build(w.o);
    assert_null(doc_out_take(w.o)); /* a file out has no tree */
    got = written_close(&w);
    want = dumped(doc);
    assert_string_equal(got, want);
    free(got);
    free(want);
    json_decref(doc);

    /* empty documents */
    t = doc_out_tree();
    written_open(&w);
    assert_int_equal(doc_out_array(t, NULL), 0);
    assert_int_equal(doc_out_close(t), 0);
    assert_int_equal(doc_out_array(w.o, NULL), 0);
    assert_int_equal(doc_out_close(w.o), 0);
    doc = doc_out_take(t);
    want = dumped(doc);
    got = written_close(&w);
    assert_string_equal(got, "[]\n");
    assert_string_equal(got, want);
    free(got);
    free(want);
    json_decref(doc);
    doc_out_free(t);
}

static void test_parts_out_of_order_are_refused_and_stay_refused(void **state)
{
    struct doc_out *o = doc_out_tree();

    (void)state;
    assert_int_equal(doc_out_add(o, NULL, json_integer(1)), -1); /* nothing open */
    assert_non_null(doc_out_error(o));
    doc_out_free(o);

    o = doc_out_tree();
    assert_int_equal(doc_out_object(o, NULL), 0);
    assert_int_equal(doc_out_add(o, NULL, json_integer(1)), -1); /* an object needs a key */
    assert_int_equal(doc_out_close(o), -1);                      /* and stays failed */
    assert_null(doc_out_take(o));
    doc_out_free(o);

    o = doc_out_tree();
    assert_int_equal(doc_out_array(o, NULL), 0);
    assert_int_equal(doc_out_add(o, "k", json_integer(1)), -1); /* an array takes no key */
    doc_out_free(o);

    o = doc_out_tree();
    assert_int_equal(doc_out_array(o, NULL), 0);
    assert_int_equal(doc_out_add(o, NULL, NULL), -1); /* a builder out of memory */
    assert_string_equal(doc_out_error(o), "out of memory");
    doc_out_free(o);

    o = doc_out_tree();
    assert_int_equal(doc_out_array(o, NULL), 0);
    assert_int_equal(doc_out_close(o), 0);
    assert_int_equal(doc_out_array(o, NULL), -1); /* one document */
    doc_out_free(o);
}

/* Past two pages of DOC_EVENTS_PAGE: state changes of every camera and firmware changes,
 * several at one ms (a device change after a state change at the same ms). */
static void history(struct fixture *fx)
{
    struct cw_err err = {0};

    assert_int_equal(store_begin(fx->s, &err), 0);
    for (int i = 0; i < 900; i++) {
        int64_t at = T0 + (i / 2) * MIN;
        char fw[16];
        move(fx, "CAH-001", i % 2 ? CW_DOWN : (i ? CW_UP : CW_UNKNOWN), i % 2 ? CW_UP : CW_DOWN, at,
             i % 2 ? "recovered after 2 successes" : "timeout (after 5000 ms) after 3 failures");
        move(fx, "TD-01", i % 2 ? CW_DEGRADED : (i ? CW_UP : CW_UNKNOWN),
             i % 2 ? CW_UP : CW_DEGRADED, at + 1, i % 2 ? "" : "slow answer: 2506 ms");
        if (i % 3 == 0) {
            snprintf(fw, sizeof(fw), "V5.%d", i);
            change(fx, "CHO-01", at + 1, fw);
        }
    }
    assert_int_equal(store_commit(fx->s, &err), 0);
}

/* What `camwatch events --json` printed before: every page of doc_view_events, joined. */
static char *events_joined(struct fixture *fx, const char *camera, int64_t since_ms)
{
    struct doc_events_query q = {camera, since_ms, 1000, NULL};
    struct cw_err err = {0};
    json_t *all = json_array(), *page;
    char *after = NULL, *out;

    do {
        assert_int_equal(view_events(&fx->c, &q, &page, &err), 0);
        assert_int_equal(json_array_extend(all, json_object_get(page, "events")), 0);
        free(after);
        after = json_is_string(json_object_get(page, "next"))
                    ? strdup(json_string_value(json_object_get(page, "next")))
                    : NULL;
        json_decref(page);
        q.after = after;
    } while (after != NULL);
    out = dumped(all);
    json_decref(all);
    return out;
}

static char *events_written(struct fixture *fx, const char *camera, int64_t since_ms)
{
    const struct doc_events_query q = {camera, since_ms, 0, NULL};
    struct cw_err err = {0};
    struct written w;

    written_open(&w);
    assert_int_equal(doc_events_all(&fx->c, &q, w.o, &err), 0);
    return written_close(&w);
}

static void test_events_written_as_read_are_the_pages_joined(void **state)
{
    struct fixture *fx = *state;
    const char *cameras[] = {NULL, "CHO-01", "TD-01"};
    const int64_t since[] = {0, T0 + 100 * MIN, T0 + 1000 * MIN};

    history(fx);
    for (size_t c = 0; c < 3; c++) {
        for (size_t s = 0; s < 3; s++) {
            char *want = events_joined(fx, cameras[c], since[s]);
            char *got = events_written(fx, cameras[c], since[s]);
            assert_string_equal(got, want);
            free(got);
            free(want);
        }
    }
    {
        /* 900 + 900 state changes and 299 firmware changes: more than two pages */
        json_error_t jerr;
        char *got = events_written(fx, NULL, 0);
        json_t *back = json_loads(got, 0, &jerr);
        assert_non_null(back);
        assert_int_equal(json_array_size(back), 900 + 900 + 299);
        json_decref(back);
        free(got);
    }
}

static void test_events_of_an_unknown_camera_write_nothing(void **state)
{
    struct fixture *fx = *state;
    const struct doc_events_query q = {"NOPE", 0, 0, NULL};
    struct cw_err err = {0};
    struct written w;
    char *got;

    written_open(&w);
    assert_int_equal(doc_events_all(&fx->c, &q, w.o, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");
    got = written_close(&w);
    assert_string_equal(got, "");
    free(got);
}

/* ---- uptime ---- */

static void test_uptime_written_is_the_document_built_whole(void **state)
{
    struct fixture *fx = *state;
    const enum doc_uptime_by bys[] = {DOC_UPTIME_BOTH, DOC_UPTIME_CAMERA, DOC_UPTIME_OWNER};
    const int64_t ranges[][2] = {{T0, T0 + 3 * HOUR}, {T0 + 7 * HOUR, T0 + 15 * HOUR}, {0, 1}};

    history(fx);
    for (size_t b = 0; b < 3; b++) {
        for (size_t r = 0; r < 3; r++) {
            struct cw_err err = {0};
            struct written w;
            json_t *whole, *api;
            char *want, *want_api, *got;

            assert_int_equal(doc_uptime(&fx->c, ranges[r][0], ranges[r][1], bys[b], &whole, &err),
                             0);
            assert_int_equal(
                view_uptime_on(&fx->c, fx->s, ranges[r][0], ranges[r][1], bys[b], &api, &err), 0);
            written_open(&w);
            assert_int_equal(
                doc_uptime_write(&fx->c, ranges[r][0], ranges[r][1], bys[b], w.o, &err), 0);
            got = written_close(&w);
            want = dumped(whole);
            want_api = dumped(api);
            assert_string_equal(got, want);
            assert_string_equal(got, want_api);
            if (r == 0 && b == 0) {
                /* the owners summed as the cameras went by, in code order */
                json_t *own = json_object_get(whole, "owners");
                assert_int_equal(json_array_size(own), 3);
                assert_string_equal(
                    json_string_value(json_object_get(json_array_get(own, 0), "owner")), "BQLC");
                assert_int_equal(
                    json_integer_value(json_object_get(json_array_get(own, 1), "cameras")), 2);
            }
            free(got);
            free(want);
            free(want_api);
            json_decref(whole);
            json_decref(api);
        }
    }
}

/* A view's query copied for another thread (api_view_start's jobs: the request's strings may
 * be gone by the time a worker reads) owns every string of it: the caller's buffers changed
 * after the copy leave it as it was, a string not given stays NULL, the rest is as given. A
 * view that takes no query copies to NULL. (ASan: each copy freed once, nothing left.) */
static void test_a_query_copy_owns_every_string_of_it(void **state)
{
    char a[8] = "cah", b[16] = "tan duong", c[16] = "blurred", d[16] = "A-1,B-2";
    const struct doc_status_filter f = {a, b, c, 1, CW_DOWN};
    const struct doc_events_query e = {a, 7, 9, d};
    const struct doc_footage_query q = {{1, 2, STORE_PLACE_TEXT, 3.5, 4.5, 5.5}, b, d, 6};
    const struct doc_tickets_query t = {c, 1};
    const struct doc_camera_query k = {d, 8};
    struct doc_status_filter *fc;
    struct doc_events_query *ec;
    struct doc_footage_query *qc;
    struct doc_tickets_query *tc;
    struct doc_camera_query *kc;
    void *none = &none;
    const struct doc_events_query e_first = {NULL, 7, 9, NULL};
    struct doc_events_query *e1;

    (void)state;
    assert_int_equal(doc_view_query_copy(&doc_view_status, &f, (void **)&fc), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_events, &e, (void **)&ec), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_footage, &q, (void **)&qc), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_tickets, &t, (void **)&tc), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_camera, &k, (void **)&kc), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_events, &e_first, (void **)&e1), 0);
    assert_int_equal(doc_view_query_copy(&doc_view_requests, NULL, &none), 0);
    assert_null(none);
    memset(a, 'x', sizeof(a) - 1); /* the request's strings change, or go */
    memset(b, 'x', sizeof(b) - 1);
    memset(c, 'x', sizeof(c) - 1);
    memset(d, 'x', sizeof(d) - 1);
    assert_string_equal(fc->owner, "cah");
    assert_string_equal(fc->commune, "tan duong");
    assert_string_equal(fc->flag, "blurred");
    assert_int_equal(fc->have_state, 1);
    assert_int_equal(fc->state, CW_DOWN);
    assert_string_equal(ec->camera, "cah");
    assert_string_equal(ec->after, "A-1,B-2");
    assert_int_equal(ec->since_ms, 7);
    assert_int_equal(ec->limit, 9);
    assert_string_equal(qc->text, "tan duong");
    assert_string_equal(qc->cameras, "A-1,B-2");
    assert_true(qc->scope.from_ms == 1 && qc->scope.to_ms == 2 && qc->now_ms == 6);
    assert_true(qc->scope.place == STORE_PLACE_TEXT && qc->scope.lat == 3.5 &&
                qc->scope.lon == 4.5 && qc->scope.radius_m == 5.5);
    assert_string_equal(tc->camera, "blurred");
    assert_int_equal(tc->all, 1);
    assert_string_equal(kc->id, "A-1,B-2");
    assert_int_equal(kc->at_ms, 8);
    assert_null(e1->camera);
    assert_null(e1->after);
    doc_view_query_free(&doc_view_status, fc);
    doc_view_query_free(&doc_view_events, ec);
    doc_view_query_free(&doc_view_footage, qc);
    doc_view_query_free(&doc_view_tickets, tc);
    doc_view_query_free(&doc_view_camera, kc);
    doc_view_query_free(&doc_view_events, e1);
    doc_view_query_free(&doc_view_requests, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_an_id_in_the_wrong_case_is_unknown_and_names_the_camera_meant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_lists_cameras_with_probe_and_sample_facts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_refuses_a_flag_that_does_not_exist, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_status_says_how_far_a_camera_has_recovered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_status_size_is_the_samples_when_the_sdp_gives_none,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_filters_by_owner_commune_state_and_flag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_merge_state_and_device_changes_oldest_first,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_pages_cover_every_event_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_refuse_a_bad_cursor_and_an_unknown_camera,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_uptime_sums_each_camera_and_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uptime_names_a_camera_retired_in_the_range, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_samples_give_null_for_facts_not_measured, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_device_has_facts_endpoints_profiles_and_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clock_lists_the_furthest_off_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maintenance_changes_once_and_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_clear_says_whether_there_was_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_discover_matches_devices_to_the_inventory_by_host_and_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discover_shows_addresses_without_credentials, setup,
                                        teardown),
        cmocka_unit_test(test_a_query_copy_owns_every_string_of_it),
        cmocka_unit_test(test_written_document_is_what_json_dumpf_prints_of_the_tree),
        cmocka_unit_test(test_parts_out_of_order_are_refused_and_stay_refused),
        cmocka_unit_test_setup_teardown(test_events_written_as_read_are_the_pages_joined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_of_an_unknown_camera_write_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uptime_written_is_the_document_built_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_camera_gathers_status_samples_events_and_device, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_actions_and_uptime_in_two_steps_give_the_same_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_gives_last_good_answer_and_the_inventory_place,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_picture_is_the_newer_of_thumbnail_and_snapshot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clock_of_a_site_without_onvif_is_empty, setup,
                                        teardown),
    };

    log_init("test_doc", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
