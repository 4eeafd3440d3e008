/* test_doc_footage.c - the investigators' documents (index/doc_footage.c) built from a store
 * the test writes: cameras by point, text with and without diacritics, and ids; windows and
 * gaps with their causes; the state then and during; the clock offset; until when footage
 * stays retrievable and the warning; requests created (with their audit row), shown and
 * listed; the audit chain's verdict; the recorders' scans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "../index/doc.h"
#include "../index/footage.h"
#include "../util/log.h"
#include "cwtest.h"
#include "footagetest.h"

#define TZ "Asia/Ho_Chi_Minh"
#define T21 1795183200000LL /* 2026-11-20 21:00 +07:00 */
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define NOW (T21 + 2 * DAY) /* the investigator asks two days later */

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct doc_ctx c;
};

/* A segment of cam on recorder rec starting at start (a minute long when readable), indexed
 * by a scan at seen. */
static void put_on(struct store *s, const char *rec, const char *cam, int64_t start, int readable,
                   int64_t seen)
{
    char file[32];
    struct store_segment g = {.recorder = rec,
                              .dir = cam,
                              .file = file,
                              .camera_id = cam,
                              .start_ms = start,
                              .end_ms = readable ? start + MIN : start,
                              .bytes = 1000,
                              .readable = readable,
                              .reason = readable ? "" : "truncated MP4: no moov atom"};
    struct cw_err err = {0};

    snprintf(file, sizeof(file), "%lld.mp4", (long long)(start / 1000));
    if (store_segment_put(s, &g, seen, NULL, &err) != 0)
        fail_msg("put: %s", err.msg);
}

static void put(struct store *s, const char *cam, int64_t start, int readable, int64_t seen)
{
    put_on(s, "nvr", cam, start, readable, seen);
}

static void refresh(struct store *s, const char *cam, int64_t at)
{
    struct cw_err err = {0};

    if (store_footage_refresh(s, &cam, 1, at, &err) != 0)
        fail_msg("refresh: %s", err.msg);
}

/* CHO-01: 20:00 (overwritten a day later), 21:00-21:10 but 21:04 missing and 21:07 cut short,
 * 22:00-22:30; up from 20:00, down at 21:05; clock 83 s ahead at 20:30. CHO-02: nothing
 * recorded, on the recorder. CAH-01: no footage summary. The recorder "nvr" was scanned
 * without error a minute before now. */
static void fill(struct store *s)
{
    struct cw_err err = {0};
    struct store_device d = {.camera_id = "CHO-01",
                             .probed_ms = T21 - 30 * MIN,
                             .has_clock = 1,
                             .clock_at_ms = T21 - 30 * MIN,
                             .clock_offset_ms = 83000,
                             .clock_error_ms = 40};

    put(s, "CHO-01", T21 - HOUR, 1, T21);
    for (int m = 0; m < 10; m++)
        if (m != 4)
            put(s, "CHO-01", T21 + m * MIN, m != 7, T21 + 11 * MIN);
    for (int m = 0; m < 30; m++)
        put(s, "CHO-01", T21 + HOUR + m * MIN, 1, T21 + 2 * HOUR);
    refresh(s, "CHO-01", NOW - DAY); /* the oldest then: 20:00 */
    assert_int_equal(store_segment_drop(s, "nvr", "CHO-01", "1795179600.mp4", &err), 0);
    refresh(s, "CHO-01", NOW); /* an hour of footage lost in a day: 1/24 */
    refresh(s, "CHO-02", NOW);
    assert_int_equal(store_recorder_scanned(s, "nvr", "dir", NOW - MIN, 1, NULL, &err), 0);
    assert_int_equal(store_record_transition(s, "CHO-01", CW_UNKNOWN, CW_UP, T21 - HOUR, "", &err),
                     0);
    assert_int_equal(
        store_record_transition(s, "CHO-01", CW_UP, CW_DOWN, T21 + 5 * MIN, "timeout", &err), 0);
    assert_int_equal(store_record_device(s, &d, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || ftest_store_open("doc-footage", fx->dir, sizeof(fx->dir), fx->path,
                                       sizeof(fx->path), &fx->s) != 0)
        return -1;
    ftest_sync(fx->s, ftest_market, 3, T21 - 2 * DAY);
    fill(fx->s);
    fx->c = (struct doc_ctx){fx->s, NULL, TZ};
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    return ftest_teardown(fx->s, fx->dir, fx);
}

/* Request id's footage at NOW, as `request show` runs it. */
static int request_show(struct fixture *fx, int64_t id, json_t **out, struct cw_err *err)
{
    const struct doc_request_query q = {id, NOW};

    return doc_view_run(&fx->c, &doc_view_request, &q, out, err);
}

static json_t *find(struct fixture *fx, const struct doc_footage_query *q)
{
    json_t *doc = NULL;
    struct cw_err err = {0};

    if (doc_view_run(&fx->c, &doc_view_footage, q, &doc, &err) != 0)
        fail_msg("find: %s", err.msg);
    assert_true(json_is_array(doc));
    return doc;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const json_t *by_id(const json_t *arr, const char *id)
{
    size_t i;
    const json_t *o;

    json_array_foreach(arr, i, o) if (strcmp(str(o, "id"), id) == 0) return o;
    fail_msg("no %s in the answer", id);
    return NULL;
}

static void span_is(const json_t *s, const char *start, const char *end)
{
    assert_string_equal(str(s, "start"), start);
    assert_string_equal(str(s, "end"), end);
}

static void test_point_query_windows_gaps_state_clock(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_POINT,
                                  .scope.lat = 10.28790,
                                  .scope.lon = 105.66060,
                                  .scope.radius_m = 100,
                                  .now_ms = NOW};
    json_t *doc = find(fx, &q);
    const json_t *cho1, *w, *g;

    assert_int_equal(json_array_size(doc), 2);
    assert_string_equal(str(json_array_get(doc, 0), "id"), "CHO-02"); /* nearest first */
    cho1 = json_array_get(doc, 1);
    assert_string_equal(str(cho1, "id"), "CHO-01");
    assert_true(json_real_value(json_object_get(cho1, "distance_m")) > 20 &&
                json_real_value(json_object_get(cho1, "distance_m")) < 26);
    w = json_object_get(cho1, "windows");
    assert_int_equal(json_array_size(w), 3);
    span_is(json_array_get(w, 0), "2026-11-20T21:00:00+07:00", "2026-11-20T21:04:00+07:00");
    span_is(json_array_get(w, 1), "2026-11-20T21:05:00+07:00", "2026-11-20T21:07:00+07:00");
    span_is(json_array_get(w, 2), "2026-11-20T21:08:00+07:00", "2026-11-20T21:10:00+07:00");
    g = json_object_get(cho1, "gaps");
    assert_int_equal(json_array_size(g), 2);
    span_is(json_array_get(g, 0), "2026-11-20T21:04:00+07:00", "2026-11-20T21:05:00+07:00");
    assert_string_equal(str(json_array_get(g, 0), "cause"), "not recorded");
    assert_string_equal(str(json_array_get(g, 1), "cause"), "unreadable");
    assert_int_equal(json_array_size(json_object_get(cho1, "unreadable")), 1);
    assert_string_equal(str(json_array_get(json_object_get(cho1, "unreadable"), 0), "reason"),
                        "truncated MP4: no moov atom");
    assert_int_equal(json_integer_value(json_object_get(cho1, "covered_ms")), 8 * MIN);
    assert_string_equal(str(cho1, "state_then"), "up");
    assert_string_equal(str(cho1, "state_since"), "2026-11-20T20:00:00+07:00");
    assert_int_equal(json_array_size(json_object_get(cho1, "state_changes")), 1);
    assert_string_equal(str(json_array_get(json_object_get(cho1, "state_changes"), 0), "to"),
                        "down");
    assert_int_equal(json_integer_value(json_object_get(cho1, "clock_offset_ms")), 83000);
    /* CHO-02 is on the recorder but recorded nothing: the whole range is a gap. */
    g = json_object_get(json_array_get(doc, 0), "gaps");
    assert_int_equal(json_array_size(g), 1);
    assert_string_equal(str(json_array_get(g, 0), "cause"), "not recorded");
    assert_true(json_is_null(json_object_get(json_array_get(doc, 0), "retrievable_until")));
    assert_string_equal(str(json_object_get(cho1, "index"), "state"), "scanned");
    assert_string_equal(str(json_object_get(cho1, "index"), "recorder"), "nvr");
    assert_true(json_is_null(json_object_get(json_object_get(cho1, "index"), "error")));
    json_decref(doc);
}

/* The only gap of cam's answer over a range with no footage, and its cause. */
static const char *only_gap_cause(const json_t *doc, const char *cam)
{
    const json_t *g = json_object_get(by_id(doc, cam), "gaps");

    assert_int_equal(json_array_size(g), 1);
    assert_int_equal(json_array_size(json_object_get(by_id(doc, cam), "windows")), 0);
    return str(json_array_get(g, 0), "cause");
}

/* Absence of an index is not absence of footage: a camera with no recorder, or on one never
 * scanned (or never without error), has its gaps "not indexed", and says why. */
static void test_gap_is_not_indexed_without_a_recorder_or_a_good_scan(void **state)
{
    struct fixture *fx = *state;
    struct ftest_camera cams[3];
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-02,CAH-01",
                                  .now_ms = NOW};
    struct cw_err err = {0};
    const json_t *ix;
    json_t *doc;

    memcpy(cams, ftest_market, sizeof(cams));
    cams[1].recorder = "nvr-2"; /* CHO-02: on a recorder never scanned */
    cams[2].recorder = NULL;    /* CAH-01: on none */
    ftest_sync(fx->s, cams, 3, NOW - HOUR);
    doc = find(fx, &q);
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not indexed");
    ix = json_object_get(by_id(doc, "CHO-02"), "index");
    assert_string_equal(str(ix, "state"), "never scanned");
    assert_string_equal(str(ix, "recorder"), "nvr-2");
    assert_true(json_is_null(json_object_get(ix, "scanned_at")));
    assert_string_equal(only_gap_cause(doc, "CAH-01"), "not indexed");
    ix = json_object_get(by_id(doc, "CAH-01"), "index");
    assert_string_equal(str(ix, "state"), "no recorder");
    assert_true(json_is_null(json_object_get(ix, "recorder")));
    json_decref(doc);

    /* tried, but never a good scan: still not indexed, with when and why */
    assert_int_equal(store_recorder_scanned(fx->s, "nvr-2", "onvif", NOW - 2 * MIN, 0,
                                            "FindRecordings: timeout after 10000 ms", &err),
                     0);
    doc = find(fx, &q);
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not indexed");
    ix = json_object_get(by_id(doc, "CHO-02"), "index");
    assert_string_equal(str(ix, "state"), "never scanned");
    assert_string_equal(str(ix, "scanned_at"), "2026-11-22T20:58:00+07:00");
    assert_string_equal(str(ix, "error"), "FindRecordings: timeout after 10000 ms");
    assert_true(json_is_null(json_object_get(ix, "ok_at")));
    json_decref(doc);

    /* a good scan that found nothing of it: now "not recorded" is a fact */
    assert_int_equal(store_recorder_scanned(fx->s, "nvr-2", "onvif", NOW, 1, NULL, &err), 0);
    doc = find(fx, &q);
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not recorded");
    assert_string_equal(str(json_object_get(by_id(doc, "CHO-02"), "index"), "state"), "scanned");
    json_decref(doc);
}

/* After a failed scan the index speaks up to the last good one: a gap across it is "not
 * recorded" before and "not indexed" after. */
static void test_gap_after_the_last_good_scan_is_not_indexed_when_the_last_failed(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    struct cw_err err = {0};
    const json_t *g, *ix;
    json_t *doc;

    /* nvr's last good scan was a minute before now (fill); the next one, now, failed */
    assert_int_equal(
        store_recorder_scanned(fx->s, "nvr", "dir", NOW, 0, "cannot open: Permission denied", &err),
        0);
    doc = find(fx, &q);
    g = json_object_get(by_id(doc, "CHO-02"), "gaps");
    ix = json_object_get(by_id(doc, "CHO-02"), "index");
    assert_string_equal(str(ix, "state"), "scan failed");
    assert_string_equal(str(ix, "ok_at"), "2026-11-22T20:59:00+07:00");
    assert_string_equal(str(ix, "error"), "cannot open: Permission denied");
    /* the last good scan (20:59 two days on) is after the range: what it saw stands */
    assert_int_equal(json_array_size(g), 1);
    assert_string_equal(str(json_array_get(g, 0), "cause"), "not recorded");
    json_decref(doc);

    /* a range after the last good scan: the index cannot say, for either camera */
    q.scope.from_ms = NOW - MIN / 2;
    q.scope.to_ms = NOW;
    doc = find(fx, &q);
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not indexed");
    assert_string_equal(only_gap_cause(doc, "CHO-01"), "not indexed");
    json_decref(doc);

    /* a range across it: two gaps, cut at the last good scan */
    q.scope.from_ms = NOW - 3 * MIN;
    doc = find(fx, &q);
    g = json_object_get(by_id(doc, "CHO-02"), "gaps");
    assert_int_equal(json_array_size(g), 2);
    span_is(json_array_get(g, 0), "2026-11-22T20:57:00+07:00", "2026-11-22T20:59:00+07:00");
    assert_string_equal(str(json_array_get(g, 0), "cause"), "not recorded");
    span_is(json_array_get(g, 1), "2026-11-22T20:59:00+07:00", "2026-11-22T21:00:00+07:00");
    assert_string_equal(str(json_array_get(g, 1), "cause"), "not indexed");
    json_decref(doc);
}

/* Gap i of cam's answer is [start, end) (local times) with cause. */
static void gap_is(const json_t *doc, const char *cam, size_t i, const char *start, const char *end,
                   const char *cause)
{
    const json_t *g = json_array_get(json_object_get(by_id(doc, cam), "gaps"), i);

    if (g == NULL)
        fail_msg("%s has no gap %zu", cam, i);
    span_is(g, start, end);
    assert_string_equal(str(g, "cause"), cause);
}

static size_t n_gaps(const json_t *doc, const char *cam)
{
    return json_array_size(json_object_get(by_id(doc, cam), "gaps"));
}

/* cam's answer says the index speaks for it up to at (local time). */
static void known_until_is(const json_t *doc, const char *cam, const char *at)
{
    assert_string_equal(str(json_object_get(by_id(doc, cam), "index"), "known_until"), at);
}

#define SCAN (NOW - 10 * MIN) /* 2026-11-22 20:50 +07:00: the recorder's last scan */

/* An incident asked about ten minutes after the recorder's last (good) scan: the closing gap
 * is "not recorded" only up to that scan, "not indexed" after it, for the camera with footage
 * and the one without alike. */
static void test_gap_after_the_last_scan_is_not_indexed(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = SCAN - 5 * MIN,
                                  .scope.to_ms = NOW,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    struct cw_err err = {0};
    json_t *doc;

    for (int m = 5; m > 2; m--)
        put(fx->s, "CHO-01", SCAN - m * MIN, 1, SCAN);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", SCAN, 1, NULL, &err), 0);
    doc = find(fx, &q);
    assert_int_equal(n_gaps(doc, "CHO-01"), 2);
    gap_is(doc, "CHO-01", 0, "2026-11-22T20:48:00+07:00", "2026-11-22T20:50:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 1, "2026-11-22T20:50:00+07:00", "2026-11-22T21:00:00+07:00",
           "not indexed");
    known_until_is(doc, "CHO-01", "2026-11-22T20:50:00+07:00");
    assert_int_equal(n_gaps(doc, "CHO-02"), 2);
    gap_is(doc, "CHO-02", 0, "2026-11-22T20:45:00+07:00", "2026-11-22T20:50:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-02", 1, "2026-11-22T20:50:00+07:00", "2026-11-22T21:00:00+07:00",
           "not indexed");
    json_decref(doc);

    /* a range that ends by the scan: what it saw stands */
    q.scope.to_ms = SCAN;
    doc = find(fx, &q);
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not recorded");
    json_decref(doc);
}

/* A good scan of nvr at SCAN that indexed CHO-01's files stamped 20:52, 20:53 and 20:55 (a
 * minute each): the recorder's clock five minutes ahead. */
static void scan_ahead(struct store *s)
{
    struct cw_err err = {0};

    put(s, "CHO-01", SCAN + 2 * MIN, 1, SCAN);
    put(s, "CHO-01", SCAN + 3 * MIN, 1, SCAN);
    put(s, "CHO-01", SCAN + 5 * MIN, 1, SCAN);
    assert_int_equal(store_recorder_scanned(s, "nvr", "dir", SCAN, 1, NULL, &err), 0);
}

/* The recorder's clock runs five minutes ahead of camwatch's: the scan at 20:50 indexed files
 * stamped up to 20:56. The holes between them are "not recorded" (the scan saw both sides);
 * the index speaks for CHO-01 up to its newest footage, for CHO-02 (nothing seen) up to the
 * scan's time only; a file the scan saw being written is "unreadable" there, not "not
 * indexed". */
static void test_footage_the_scan_saw_stamped_after_it_is_known(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = SCAN,
                                  .scope.to_ms = SCAN + 8 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    json_t *doc;

    scan_ahead(fx->s);
    doc = find(fx, &q);
    assert_int_equal(n_gaps(doc, "CHO-01"), 3);
    gap_is(doc, "CHO-01", 0, "2026-11-22T20:50:00+07:00", "2026-11-22T20:52:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 1, "2026-11-22T20:54:00+07:00", "2026-11-22T20:55:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 2, "2026-11-22T20:56:00+07:00", "2026-11-22T20:58:00+07:00",
           "not indexed");
    known_until_is(doc, "CHO-01", "2026-11-22T20:56:00+07:00");
    assert_int_equal(n_gaps(doc, "CHO-02"), 1);
    gap_is(doc, "CHO-02", 0, "2026-11-22T20:50:00+07:00", "2026-11-22T20:58:00+07:00",
           "not indexed");
    known_until_is(doc, "CHO-02", "2026-11-22T20:50:00+07:00");
    json_decref(doc);

    /* the file being written at 20:56 (no index yet), seen by the scan */
    put(fx->s, "CHO-01", SCAN + 6 * MIN, 0, SCAN);
    doc = find(fx, &q);
    gap_is(doc, "CHO-01", 2, "2026-11-22T20:56:00+07:00", "2026-11-22T20:58:00+07:00",
           "unreadable");
    gap_is(doc, "CHO-02", 0, "2026-11-22T20:50:00+07:00", "2026-11-22T20:58:00+07:00",
           "not indexed");
    json_decref(doc);
}

/* One scan of nvr at 20:50 lists CHO-02's folder first (its newest file ends 20:49) and
 * CHO-01's later, when CHO-01 has written up to 20:56. CHO-01's newer file says nothing of what
 * CHO-02 wrote after its folder was listed: CHO-02's index speaks up to the scan's time, and
 * its gap after it is "not indexed", not "not recorded"; CHO-01's up to its own newest end. */
static void test_known_until_is_per_camera_not_per_recorder(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = SCAN - 2 * MIN,
                                  .scope.to_ms = SCAN + 8 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    json_t *doc;

    put(fx->s, "CHO-02", SCAN - 2 * MIN, 1, SCAN);
    scan_ahead(fx->s);
    doc = find(fx, &q);
    known_until_is(doc, "CHO-02", "2026-11-22T20:50:00+07:00");
    assert_int_equal(n_gaps(doc, "CHO-02"), 2);
    gap_is(doc, "CHO-02", 0, "2026-11-22T20:49:00+07:00", "2026-11-22T20:50:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-02", 1, "2026-11-22T20:50:00+07:00", "2026-11-22T20:58:00+07:00",
           "not indexed");
    known_until_is(doc, "CHO-01", "2026-11-22T20:56:00+07:00");
    gap_is(doc, "CHO-01", n_gaps(doc, "CHO-01") - 1, "2026-11-22T20:56:00+07:00",
           "2026-11-22T20:58:00+07:00", "not indexed");
    json_decref(doc);
}

/* CHO-02 (on nvr now) recorded to "old" 21:00-21:03, indexed by old's good scan at 21:05, then
 * to nvr from 22:00; old is scanned again at NOW (ok or not). The time old may have recorded
 * it unindexed, 21:05-22:00, is gap i of the answer to q, "not indexed". */
static void old_then_nvr(struct fixture *fx, int old_ok_now)
{
    struct cw_err err = {0};

    for (int m = 0; m < 3; m++) {
        put_on(fx->s, "old", "CHO-02", T21 + m * MIN, 1, T21 + 5 * MIN);
        put_on(fx->s, "nvr", "CHO-02", T21 + HOUR + m * MIN, 1, NOW - MIN);
    }
    assert_int_equal(store_recorder_scanned(fx->s, "old", "dir", T21 + 5 * MIN, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "old", "dir", NOW, old_ok_now,
                                            old_ok_now ? NULL : "cannot read", &err),
                     0);
    refresh(fx->s, "CHO-02", NOW);
}

static void old_unindexed_is_gap(struct fixture *fx, const struct doc_footage_query *q, size_t i,
                                 const char *start)
{
    json_t *doc = find(fx, q);

    assert_int_equal(n_gaps(doc, "CHO-02"), i + 1);
    gap_is(doc, "CHO-02", i, start, "2026-11-20T22:00:00+07:00", "not indexed");
    assert_string_equal(
        str(json_array_get(
                json_object_get(json_object_get(by_id(doc, "CHO-02"), "index"), "others"), 0),
            "recorder"),
        "old");
    if (i > 0)
        gap_is(doc, "CHO-02", i - 1, "2026-11-20T21:03:00+07:00", "2026-11-20T21:05:00+07:00",
               "not recorded");
    json_decref(doc);
}

/* CHO-02 (on nvr now) recorded to nvr at 20:00, moved to "old" (21:00-21:03, whose last good
 * scan was at 21:05, every one since failing), then back to nvr (22:00-22:03). The time old may
 * have recorded it unindexed (21:05-22:00) is "not indexed" whether or not the range holds any
 * of old's footage, and whether or not nvr held it before too. */
static void test_the_recorder_a_camera_left_speaks_for_it_until_it_came_back(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21 - HOUR,
                                  .scope.to_ms = T21 + HOUR + 3 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-02",
                                  .now_ms = NOW};
    json_t *doc;

    for (int m = 0; m < 3; m++)
        put_on(fx->s, "nvr", "CHO-02", T21 - HOUR + m * MIN, 1, T21 - HOUR + 5 * MIN);
    old_then_nvr(fx, 0);
    /* A->B->A: old's footage in the range, nvr's on both sides of it */
    old_unindexed_is_gap(fx, &q, 2, "2026-11-20T21:05:00+07:00");
    doc = find(fx, &q);
    gap_is(doc, "CHO-02", 0, "2026-11-20T20:03:00+07:00", "2026-11-20T21:00:00+07:00",
           "not recorded");
    json_decref(doc);
    /* a range from after old's last footage: old still held the camera then */
    q.scope.from_ms = T21 + 10 * MIN;
    old_unindexed_is_gap(fx, &q, 0, "2026-11-20T21:10:00+07:00");
}

/* CHO-02 recorded to "old" (21:00-21:03, indexed by its scan at 21:05), then its row moved to
 * nvr (22:00 on). old is scanned without error since, but its scans index none of CHO-02's
 * new files: it speaks for CHO-02 up to 21:05, not up to its last scan. */
static void test_a_recorder_speaks_for_a_camera_off_it_up_to_its_last_indexing(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + HOUR + 3 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-02",
                                  .now_ms = NOW};

    old_then_nvr(fx, 1);
    old_unindexed_is_gap(fx, &q, 1, "2026-11-20T21:05:00+07:00");
}

/* After a failed scan the index speaks up to what the last good one saw, by the same rule:
 * the footage it indexed stamped after its time is known; footage a failed scan wrote before
 * failing is shown, but the gaps around it are not the index's to call "not recorded". */
static void test_after_a_failed_scan_the_index_knows_what_the_last_good_one_saw(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = SCAN,
                                  .scope.to_ms = SCAN + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01",
                                  .now_ms = NOW};
    struct cw_err err = {0};
    const json_t *ix;
    json_t *doc;

    scan_ahead(fx->s);
    put(fx->s, "CHO-01", SCAN + 7 * MIN, 1, SCAN + 9 * MIN); /* written by the failing scan */
    assert_int_equal(
        store_recorder_scanned(fx->s, "nvr", "dir", SCAN + 9 * MIN, 0, "database is locked", &err),
        0);
    doc = find(fx, &q);
    ix = json_object_get(by_id(doc, "CHO-01"), "index");
    assert_string_equal(str(ix, "state"), "scan failed");
    assert_string_equal(str(ix, "ok_at"), "2026-11-22T20:50:00+07:00");
    assert_int_equal(n_gaps(doc, "CHO-01"), 4);
    gap_is(doc, "CHO-01", 0, "2026-11-22T20:50:00+07:00", "2026-11-22T20:52:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 1, "2026-11-22T20:54:00+07:00", "2026-11-22T20:55:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 2, "2026-11-22T20:56:00+07:00", "2026-11-22T20:57:00+07:00",
           "not indexed");
    gap_is(doc, "CHO-01", 3, "2026-11-22T20:58:00+07:00", "2026-11-22T21:00:00+07:00",
           "not indexed");
    assert_string_equal(str(ix, "known_until"), "2026-11-22T20:56:00+07:00");
    json_decref(doc);
}

/* nvr's section is removed from the conf: nothing watches it now, so the index speaks for none
 * of CHO-01's footage there. Its segments stay in the store and are counted, but make no
 * window: the range is "not indexed", and the index says why. The section back, the answer is
 * what it was, to the byte. */
static void test_a_recorder_removed_from_the_conf_speaks_for_nothing_until_it_is_back(void **state)
{
    static const char *const nvr[] = {"nvr"};
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01",
                                  .now_ms = NOW};
    json_t *before, *doc, *recs = NULL;
    const json_t *cam, *ix;
    struct cw_err err = {0};
    char *a, *b;

    ftest_recorders(fx->s, nvr, 1, NOW - 30 * MIN);
    before = find(fx, &q);
    assert_int_equal(json_array_size(json_object_get(by_id(before, "CHO-01"), "windows")), 3);

    ftest_recorders(fx->s, NULL, 0, NOW - 20 * MIN);
    doc = find(fx, &q);
    cam = by_id(doc, "CHO-01");
    assert_string_equal(only_gap_cause(doc, "CHO-01"), "not indexed");
    assert_int_equal(json_integer_value(json_object_get(cam, "covered_ms")), 0);
    assert_int_equal(json_integer_value(json_object_get(cam, "segments")), 9);
    assert_int_equal(json_array_size(json_object_get(cam, "unreadable")), 1);
    ix = json_object_get(cam, "index");
    assert_string_equal(str(ix, "state"), "no longer configured");
    assert_string_equal(str(ix, "recorder"), "nvr");
    assert_string_equal(str(ix, "scanned_at"), "2026-11-22T20:59:00+07:00");
    assert_string_equal(str(ix, "removed_at"), "2026-11-22T20:40:00+07:00");
    assert_true(json_is_null(json_object_get(ix, "known_until")));
    assert_true(json_is_null(json_object_get(cam, "oldest")));
    assert_true(json_is_null(json_object_get(cam, "retrievable_until")));
    json_decref(doc);
    /* `footage recorders` says so too; nothing was deleted */
    assert_int_equal(doc_recorders(&fx->c, &recs, &err), 0);
    assert_string_equal(str(json_array_get(recs, 0), "removed_at"), "2026-11-22T20:40:00+07:00");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 0), "segments")), 39);
    json_decref(recs);
    /* a second load without it keeps when it went */
    ftest_recorders(fx->s, NULL, 0, NOW - 10 * MIN);
    doc = find(fx, &q);
    assert_string_equal(str(json_object_get(by_id(doc, "CHO-01"), "index"), "removed_at"),
                        "2026-11-22T20:40:00+07:00");
    json_decref(doc);

    ftest_recorders(fx->s, nvr, 1, NOW);
    doc = find(fx, &q);
    a = json_dumps(before, JSON_SORT_KEYS);
    b = json_dumps(doc, JSON_SORT_KEYS);
    assert_string_equal(b, a);
    free(a);
    free(b);
    json_decref(doc);
    json_decref(before);
}

/* CHO-02 recorded to "old" (21:00-21:03, indexed by its scan at 21:05), then moved to nvr;
 * old's section is removed: the index no longer speaks for the time old held it, and its
 * footage there is no window. */
static void test_footage_on_a_removed_recorder_a_camera_left_is_not_indexed(void **state)
{
    static const char *const nvr[] = {"nvr"};
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + HOUR + 3 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-02",
                                  .now_ms = NOW};
    json_t *doc;
    const json_t *o;

    old_then_nvr(fx, 1);
    ftest_recorders(fx->s, nvr, 1, NOW);
    doc = find(fx, &q);
    assert_int_equal(json_array_size(json_object_get(by_id(doc, "CHO-02"), "windows")), 1);
    span_is(json_array_get(json_object_get(by_id(doc, "CHO-02"), "windows"), 0),
            "2026-11-20T22:00:00+07:00", "2026-11-20T22:03:00+07:00");
    gap_is(doc, "CHO-02", 0, "2026-11-20T21:00:00+07:00", "2026-11-20T22:00:00+07:00",
           "not indexed");
    o = json_array_get(json_object_get(json_object_get(by_id(doc, "CHO-02"), "index"), "others"),
                       0);
    assert_string_equal(str(o, "recorder"), "old");
    assert_string_equal(str(o, "state"), "no longer configured");
    json_decref(doc);
}

/* An hour of footage lost over a day: the pace is 1/24, so 22:00 (an hour after the oldest,
 * 21:00) goes a day after now; 20:00 is before the oldest: overwritten. */
static void test_expiry_from_the_pace_of_overwriting_and_warning(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21 + HOUR,
                                  .scope.to_ms = T21 + HOUR + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01",
                                  .now_ms = NOW};
    json_t *doc = find(fx, &q);
    const json_t *o = json_array_get(doc, 0);

    assert_string_equal(str(o, "oldest"), "2026-11-20T21:00:00+07:00");
    assert_true(json_is_true(json_object_get(o, "overwriting")));
    assert_string_equal(str(o, "retrievable_until"), "2026-11-23T21:00:00+07:00");
    assert_non_null(strstr(str(o, "warning"), "overwritten in about 1.0 days"));
    json_decref(doc);

    q.scope.from_ms = T21 - HOUR;
    q.scope.to_ms = T21 - 30 * MIN;
    doc = find(fx, &q);
    o = json_array_get(doc, 0);
    assert_int_equal(json_array_size(json_object_get(o, "windows")), 0);
    assert_string_equal(str(json_array_get(json_object_get(o, "gaps"), 0), "cause"), "overwritten");
    assert_true(json_is_null(json_object_get(o, "retrievable_until")));
    json_decref(doc);
}

/* Before a camera's oldest footage the store says only what it knows: "overwritten" where its
 * retention notes saw the camera's footage (20:00, dropped since), "not recorded" where the
 * recorder holds another camera's footage of that time (CAH-01's from 19:00) but nothing of this
 * one was ever seen, and before the recorder's oldest footage nothing is claimed. Failed before:
 * the whole gap was "overwritten", and CHO-02's (no footage) "not recorded". */
static void test_gap_before_the_oldest_footage_is_overwritten_only_where_it_was_seen(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21 - 3 * HOUR,
                                  .scope.to_ms = T21,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    json_t *doc;

    put(fx->s, "CAH-01", T21 - 2 * HOUR, 1, NOW - MIN);
    refresh(fx->s, "CAH-01", NOW);
    doc = find(fx, &q);
    assert_int_equal(json_array_size(json_object_get(by_id(doc, "CHO-01"), "gaps")), 3);
    gap_is(doc, "CHO-01", 0, "2026-11-20T18:00:00+07:00", "2026-11-20T19:00:00+07:00",
           "before recorder's oldest footage");
    gap_is(doc, "CHO-01", 1, "2026-11-20T19:00:00+07:00", "2026-11-20T20:00:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 2, "2026-11-20T20:00:00+07:00", "2026-11-20T21:00:00+07:00",
           "overwritten");
    assert_int_equal(json_array_size(json_object_get(by_id(doc, "CHO-02"), "gaps")), 2);
    gap_is(doc, "CHO-02", 0, "2026-11-20T18:00:00+07:00", "2026-11-20T19:00:00+07:00",
           "before recorder's oldest footage");
    gap_is(doc, "CHO-02", 1, "2026-11-20T19:00:00+07:00", "2026-11-20T21:00:00+07:00",
           "not recorded");
    json_decref(doc);
}

/* A gap whose cause changes inside it is cut there: 21:06 gone from the recorder (not
 * recorded) then 21:07 unreadable. Failed before: one gap 21:06-21:08 "unreadable". */
static void test_a_gap_is_cut_where_its_cause_changes(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21 + 5 * MIN,
                                  .scope.to_ms = T21 + 9 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01",
                                  .now_ms = NOW};
    char file[32];
    struct cw_err err = {0};
    json_t *doc;

    snprintf(file, sizeof(file), "%lld.mp4", (long long)((T21 + 6 * MIN) / 1000));
    assert_int_equal(store_segment_drop(fx->s, "nvr", "CHO-01", file, &err), 0);
    doc = find(fx, &q);
    assert_int_equal(json_array_size(json_object_get(by_id(doc, "CHO-01"), "gaps")), 2);
    gap_is(doc, "CHO-01", 0, "2026-11-20T21:06:00+07:00", "2026-11-20T21:07:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 1, "2026-11-20T21:07:00+07:00", "2026-11-20T21:08:00+07:00",
           "unreadable");
    json_decref(doc);
}

/* A camera whose row names a recorder the conf has no section for, never scanned: its own
 * state, and words that say so. Failed before: "never scanned". */
static void test_a_recorder_without_a_section_is_not_configured(void **state)
{
    struct fixture *fx = *state;
    struct ftest_camera cams[3];
    struct cfg_recorder rec[1] = {{.name = "nvr"}};
    struct cfg cfg = {.recorders = rec, .n_recorders = 1};
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01,CHO-02",
                                  .now_ms = NOW};
    struct footage_index_said w = {0};
    char line[256];
    const json_t *ix;
    json_t *doc;

    memcpy(cams, ftest_market, sizeof(cams));
    cams[1].recorder = "NVR-CAH-01";
    ftest_sync(fx->s, cams, 3, NOW - HOUR);
    fx->c.cfg = &cfg;
    doc = find(fx, &q);
    fx->c.cfg = NULL;
    ix = json_object_get(by_id(doc, "CHO-02"), "index");
    assert_string_equal(str(ix, "state"), "not configured");
    assert_string_equal(only_gap_cause(doc, "CHO-02"), "not indexed");
    assert_string_equal(str(json_object_get(by_id(doc, "CHO-01"), "index"), "state"), "scanned");
    w.index = footage_index_named(str(ix, "state"));
    w.recorder = str(ix, "recorder");
    footage_index_words(&w, line, sizeof(line));
    assert_string_equal(line, "not indexed: recorder NVR-CAH-01 is not configured (no [recorder "
                              "NVR-CAH-01] section)");
    json_decref(doc);
}

/* A range that begins after now (more than the hour a recorder's clock ahead of ours may stamp
 * its footage) is refused, by a find and a new request alike (a request stored with one is
 * still shown); one that ends after now is "not indexed" after the last scan. Failed before:
 * accepted. */
static void test_a_range_in_the_future_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = NOW + HOUR + MIN,
                                  .scope.to_ms = NOW + 2 * HOUR,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-01",
                                  .now_ms = NOW};
    struct store_request r;
    struct cw_err err = {0};
    json_t *doc = NULL;
    int64_t id = 0;

    assert_int_equal(doc_footage_check(&q, &err), -1);
    assert_string_equal(err.field, "from");
    assert_non_null(strstr(err.msg, "in the future"));
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_int_equal(doc_request_of_query(&q, "cong an", "VV-1", "why", &r, &err), 0);
    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "from");
    assert_null(doc);
    assert_int_equal(store_request_create(fx->s, &r, NOW - DAY, &id, &err), 0);
    assert_int_equal(request_show(fx, id, &doc, &err), 0);
    json_decref(doc);

    q.scope.from_ms = NOW + HOUR; /* an hour ahead: a recorder's clock may be */
    assert_int_equal(doc_footage_check(&q, &err), 0);
    q.scope.from_ms = NOW - 10 * MIN;
    q.scope.to_ms = NOW + HOUR;
    doc = find(fx, &q);
    assert_int_equal(n_gaps(doc, "CHO-01"), 2);
    gap_is(doc, "CHO-01", 0, "2026-11-22T20:50:00+07:00", "2026-11-22T20:59:00+07:00",
           "not recorded");
    gap_is(doc, "CHO-01", 1, "2026-11-22T20:59:00+07:00", "2026-11-22T22:00:00+07:00",
           "not indexed");
    json_decref(doc);
}

static size_t ids_of(json_t *doc, char *buf, size_t len)
{
    size_t i, n = json_array_size(doc);
    json_t *o;

    buf[0] = '\0';
    json_array_foreach(doc, i, o)
    {
        strncat(buf, str(o, "id"), len - strlen(buf) - 1);
        strncat(buf, " ", len - strlen(buf) - 1);
    }
    json_decref(doc);
    return n;
}

static void test_text_query_with_and_without_diacritics(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + MIN,
                                  .scope.place = STORE_PLACE_TEXT,
                                  .now_ms = NOW};
    char ids[128];

    q.text = "cho lai vung";
    assert_int_equal(ids_of(find(fx, &q), ids, sizeof(ids)), 1);
    assert_string_equal(ids, "CHO-01 ");
    q.text = "tan duong";
    ids_of(find(fx, &q), ids, sizeof(ids));
    assert_string_equal(ids, "CAH-01 ");
    q.text = "Chợ"; /* with its marks: matches them */
    ids_of(find(fx, &q), ids, sizeof(ids));
    assert_string_equal(ids, "CHO-01 CHO-02 ");
    q.text = "QL54"; /* a road */
    ids_of(find(fx, &q), ids, sizeof(ids));
    assert_string_equal(ids, "CHO-01 CHO-02 ");
    q.text = "TÂN LỘC"; /* an address, upper case */
    ids_of(find(fx, &q), ids, sizeof(ids));
    assert_string_equal(ids, "CAH-01 ");
    q.text = "Tan Loc x";
    assert_int_equal(ids_of(find(fx, &q), ids, sizeof(ids)), 0);
}

/* White space folded on both sides: doubled, leading, a no-break space (U+00A0). Failed
 * before: no camera. A place of white space alone is refused. */
static void test_text_query_folds_white_space(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + MIN,
                                  .scope.place = STORE_PLACE_TEXT,
                                  .now_ms = NOW};
    const char *const texts[] = {"cho  lai vung", " cho lai vung ", "cho\xc2\xa0lai vung",
                                 "CHỢ\tLAI  VUNG"};
    struct cw_err err = {0};
    char ids[128];

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        q.text = texts[i];
        assert_int_equal(ids_of(find(fx, &q), ids, sizeof(ids)), 1);
        assert_string_equal(ids, "CHO-01 ");
    }
    q.text = " \xc2\xa0 ";
    assert_int_equal(doc_footage_check(&q, &err), -1);
    assert_string_equal(err.field, "place");
}

static void test_id_query_and_refusals(void **state)
{
    struct fixture *fx = *state;
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + MIN,
                                  .scope.place = STORE_PLACE_CAMERAS,
                                  .cameras = "CHO-02, CAH-01",
                                  .now_ms = NOW};
    json_t *doc = NULL;
    struct cw_err err = {0};
    char ids[128];

    ids_of(find(fx, &q), ids, sizeof(ids));
    assert_string_equal(ids, "CAH-01 CHO-02 ");
    doc = find(fx, &q);
    assert_true(json_is_false(json_object_get(by_id(doc, "CAH-01"), "indexed")));
    assert_true(json_is_null(json_object_get(by_id(doc, "CAH-01"), "distance_m")));
    json_decref(doc);
    doc = NULL;
    q.cameras = "CHO-02,NOPE";
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.msg, "unknown camera 'NOPE'");
    q.cameras = "cho-02"; /* typed in the wrong case: unknown, and the camera meant named */
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_NOT_FOUND);
    assert_string_equal(err.field, "camera");
    assert_string_equal(err.msg, "unknown camera 'cho-02'; did you mean 'CHO-02'?");
    q.cameras = "CHO-02";
    q.scope.to_ms = q.scope.from_ms;
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "to");
    q.scope.to_ms = q.scope.from_ms + 32 * DAY;
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_BAD_INPUT);
    q.scope.to_ms = q.scope.from_ms + MIN;
    q.scope.place = STORE_PLACE_POINT;
    q.scope.lat = 10;
    q.scope.lon = 105;
    q.scope.radius_m = 0;
    assert_int_equal(doc_view_run(&fx->c, &doc_view_footage, &q, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "radius");
    assert_null(doc);
}

static void test_request_created_shown_listed_and_audited(void **state)
{
    struct fixture *fx = *state;
    struct store_request r = {
        .scope.from_ms = T21, .scope.to_ms = T21 + 10 * MIN, .scope.place = STORE_PLACE_TEXT};
    json_t *doc = NULL;
    const json_t *cams, *req;
    struct cw_err err = {0};
    int64_t id;

    snprintf(r.text, sizeof(r.text), "cho lai vung");
    snprintf(r.by, sizeof(r.by), "Lê Văn A");
    snprintf(r.case_ref, sizeof(r.case_ref), "VV-118");
    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "reason");
    snprintf(r.reason, sizeof(r.reason), "trộm xe máy");
    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), 0);
    id = json_integer_value(json_object_get(doc, "id"));
    assert_int_equal(json_object_size(doc), 1);
    json_decref(doc);
    assert_int_equal(request_show(fx, id, &doc, &err), 0);
    cams = json_object_get(doc, "cameras");
    req = json_object_get(doc, "request");
    assert_int_equal(json_array_size(cams), 1);
    assert_int_equal(json_array_size(json_object_get(json_array_get(cams, 0), "windows")), 3);
    assert_string_equal(str(req, "case"), "VV-118");
    assert_string_equal(str(json_object_get(req, "place"), "text"), "cho lai vung");
    assert_string_equal(str(req, "from"), "2026-11-20T21:00:00+07:00");
    json_decref(doc);
    assert_int_equal(request_show(fx, id + 1, &doc, &err), DOC_NOT_FOUND);
    assert_int_equal(doc_view_run(&fx->c, &doc_view_requests, NULL, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 1);
    json_decref(doc);
    assert_int_equal(doc_audit_verify(&fx->c, &doc, &err), 0);
    assert_true(json_is_true(json_object_get(doc, "intact")));
    assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 1);
    json_decref(doc);
}

/* ---- audit verify: exports begun and not ended ---- */

#define CLI_DIR "/srv/evidence/vv-118"

/* An audit row as the export writers append it; its id. */
static int64_t audit_row(struct fixture *fx, int64_t at, const char *actor, const char *action,
                         const char *request, const char *detail)
{
    struct cw_err err = {0};
    int64_t id = 0;

    if (store_audit_append(fx->s, at, actor, action, request, detail, &id, &err) != 0)
        fail_msg("audit: %s", err.msg);
    return id;
}

/* The end row of the export begun at row start (as export_audit and export_audit_failed). */
static void audit_end(struct fixture *fx, const char *action, const char *request,
                      const char *detail, int64_t start)
{
    struct cw_err err = {0};

    if (store_audit_append_end(fx->s, T21 + 2 * MIN, "it-staff", action, request, detail, start,
                               &err) != 0)
        fail_msg("audit: %s", err.msg);
}

/* audit verify's document (intact), and its unfinished_exports, borrowed from *doc. */
static const json_t *unfinished(struct fixture *fx, json_t **doc)
{
    struct cw_err err = {0};
    const json_t *u;

    assert_int_equal(doc_audit_verify(&fx->c, doc, &err), 0);
    assert_true(json_is_true(json_object_get(*doc, "intact")));
    u = json_object_get(*doc, "unfinished_exports");
    assert_true(json_is_array(u));
    return u;
}

/* An export.start row with no end row after it (its process killed: SIGKILL, a power cut) is
 * listed by audit verify, with its row, when, who, which request and where; the chain itself
 * is intact all the same. */
static void test_audit_verify_lists_an_export_begun_with_no_end(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    const json_t *u, *e;
    int64_t start = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR);

    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 1);
    e = json_array_get(u, 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), start);
    assert_string_equal(str(e, "began"), "2026-11-20T21:00:00+07:00");
    assert_string_equal(str(e, "by"), "it-staff");
    assert_int_equal(json_integer_value(json_object_get(e, "request")), 7);
    assert_string_equal(str(e, "folder"), CLI_DIR);
    assert_true(json_is_null(json_object_get(e, "export")));
    assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 1);
    json_decref(doc);
    /* the API's: its export's name, no folder */
    audit_row(fx, T21 + MIN, "t-inv", "export.start", "request 8", "request-8-1");
    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 2);
    e = json_array_get(u, 1);
    assert_string_equal(str(e, "export"), "request-8-1");
    assert_true(json_is_null(json_object_get(e, "folder")));
    assert_string_equal(str(e, "by"), "t-inv");
    json_decref(doc);
}

/* Whether an unfinished export runs now: a CLI export holds its folder's lock while it runs,
 * and its start row says so (a real flock held here on another descriptor), so held reads
 * "running", free "killed", the folder gone "killed" naming it; an API export is "killed" when
 * camwatchd's lock file names a pid that is gone, "unknown" (running now, or killed) while it
 * names a live one. */
static void test_audit_verify_says_whether_an_unfinished_export_runs_now(void **state)
{
    struct fixture *fx = *state;
    struct cfg cfg = {0};
    char folder[160], marked[200], db[160], lock[180], pid[32], want[200];
    json_t *doc = NULL;
    const json_t *e;
    pid_t child;
    int fd, status;

    snprintf(folder, sizeof(folder), "%s/vv-118", fx->dir);
    snprintf(marked, sizeof(marked), "%s; folder locked", folder);
    assert_int_equal(mkdir(folder, 0750), 0);
    audit_row(fx, T21, "it-staff", "export.start", "request 7", marked);
    fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    e = json_array_get(unfinished(fx, &doc), 0);
    assert_string_equal(str(e, "state"), "running");
    assert_string_equal(str(e, "state_why"), "");
    assert_string_equal(str(e, "folder"), folder);
    json_decref(doc);
    close(fd); /* as the kernel does for a process killed */
    e = json_array_get(unfinished(fx, &doc), 0);
    assert_string_equal(str(e, "state"), "killed");
    assert_string_equal(str(e, "state_why"), "");
    json_decref(doc);
    assert_int_equal(rmdir(folder), 0);
    e = json_array_get(unfinished(fx, &doc), 0);
    assert_string_equal(str(e, "state"), "killed");
    snprintf(want, sizeof(want), "its folder %s is gone", folder);
    assert_string_equal(str(e, "state_why"), want);
    json_decref(doc);
    /* the API's: camwatchd's lock file, its pid alive, then gone */
    audit_row(fx, T21 + MIN, "t-inv", "export.start", "request 8", "request-8-1");
    snprintf(db, sizeof(db), "%s/camwatch.db", fx->dir);
    snprintf(lock, sizeof(lock), "%s.lock", db);
    cfg.database = db;
    fx->c.cfg = &cfg;
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    cwtest_write_file(lock, pid, 0640);
    e = json_array_get(unfinished(fx, &doc), 1);
    assert_string_equal(str(e, "export"), "request-8-1");
    assert_true(json_is_null(json_object_get(e, "locks_folder")));
    assert_string_equal(str(e, "state"), "unknown");
    assert_string_equal(str(e, "state_why"), "camwatchd is running");
    json_decref(doc);
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, &status, 0), child);
    snprintf(pid, sizeof(pid), "%ld\n", (long)child);
    cwtest_write_file(lock, pid, 0640);
    e = json_array_get(unfinished(fx, &doc), 1);
    assert_string_equal(str(e, "state"), "killed");
    assert_string_equal(str(e, "state_why"), "camwatchd is not running");
    json_decref(doc);
    fx->c.cfg = NULL;
}

/* An export begun by a version before the folder lock (its start row a folder without "; folder
 * locked") holds no lock while it runs, so a free lock, or its folder not there yet, says
 * nothing of it: "unknown", saying why, never "killed". A row of this version on the same
 * folder, free, is killed; the folder listed is the folder alone. */
static void test_audit_verify_calls_an_export_of_a_version_without_the_lock_unknown(void **state)
{
    struct fixture *fx = *state;
    char folder[160], marked[200], want[200];
    json_t *doc = NULL;
    const json_t *u, *e;
    int64_t older, locked;

    snprintf(folder, sizeof(folder), "%s/vv-118", fx->dir);
    snprintf(marked, sizeof(marked), "%s; folder locked", folder);
    assert_int_equal(mkdir(folder, 0750), 0);
    older = audit_row(fx, T21, "it-staff", "export.start", "request 7", folder);
    locked = audit_row(fx, T21 + MIN, "it-staff", "export.start", "request 7", marked);
    for (int gone = 0; gone < 2; gone++) {
        u = unfinished(fx, &doc);
        assert_int_equal(json_array_size(u), 2);
        e = json_array_get(u, 0);
        assert_int_equal(json_integer_value(json_object_get(e, "row")), older);
        assert_string_equal(str(e, "folder"), folder);
        assert_true(json_is_false(json_object_get(e, "locks_folder")));
        assert_string_equal(str(e, "state"), "unknown");
        assert_string_equal(str(e, "state_why"), "begun by a camwatch version that did not lock "
                                                 "its folder, so it may be running");
        e = json_array_get(u, 1);
        assert_int_equal(json_integer_value(json_object_get(e, "row")), locked);
        assert_string_equal(str(e, "folder"), folder);
        assert_true(json_is_true(json_object_get(e, "locks_folder")));
        assert_string_equal(str(e, "state"), "killed");
        snprintf(want, sizeof(want), "its folder %s is gone", folder);
        assert_string_equal(str(e, "state_why"), gone ? want : "");
        json_decref(doc);
        assert_int_equal(rmdir(folder), gone ? -1 : 0);
    }
}

/* Rows of this version (the mark of the lock after the folder) pair with an end row that gives
 * the folder alone, as every end row does; the daemon's start-up finds such a row naming a
 * folder. */
static void test_a_start_row_marked_locked_pairs_and_names_its_folder(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    json_t *doc = NULL;
    const json_t *u;
    int64_t a =
        audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR "-a; folder locked");
    int64_t row = 0;

    audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR "-b; folder locked");
    audit_row(fx, T21, "it-staff", "export.failed", "request 7", CLI_DIR "-b: cancelled");
    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "row")), a);
    assert_string_equal(str(json_array_get(u, 0), "folder"), CLI_DIR "-a");
    json_decref(doc);
    assert_int_equal(store_audit_export_named(fx->s, "x", CLI_DIR "-a", 0, &row, &err), 0);
    assert_int_equal(row, a);
}

/* A start followed by its done row, or by its failed row, is an export that ended: none
 * listed. */
static void test_audit_verify_lists_no_export_that_ended_done_or_failed(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    int64_t done = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR);
    int64_t failed = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR "-b");

    audit_end(fx, "export", "request 7",
              "case VV-118; 1 files of 1 cameras to " CLI_DIR "; SHA256SUMS ab; all", done);
    assert_int_equal(json_array_size(unfinished(fx, &doc)), 1); /* the other still open */
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(doc, "unfinished_exports"), 0), "row")),
                     failed);
    json_decref(doc);
    audit_end(fx, "export.failed", "request 7", CLI_DIR "-b: export cancelled (Interrupt)", failed);
    assert_int_equal(json_array_size(unfinished(fx, &doc)), 0);
    json_decref(doc);
}

/* Two exports of one request by one person into one folder, the first killed: the end row names
 * its start row, so the one listed is the first, not the one the order of rows would guess. A
 * download or another request's row ends nothing. */
static void test_audit_verify_pairs_an_end_with_the_start_it_names(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    int64_t killed = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR);
    int64_t second = audit_row(fx, T21 + MIN, "it-staff", "export.start", "request 7", CLI_DIR);
    const json_t *u;

    audit_row(fx, T21 + MIN, "it-staff", "export.download", "request 7", CLI_DIR);
    audit_end(fx, "export.failed", "request 8", CLI_DIR ": exists", 0);
    audit_end(fx, "export.failed", "request 7", CLI_DIR ": exists: an export never overwrites",
              second);
    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "row")), killed);
    json_decref(doc);
}

/* The daemon's start-up clears a dead API export's folder only when no other export row names
 * it: another start of the same name, a done row "... to .../NAME; ...", a CLI export into it
 * (its start's where, or its done row's " to FOLDER; "). A name that only begins alike is
 * another's. */
static void test_audit_export_named_finds_another_row_naming_the_folder(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    const char *folder = "/srv/exports/request-5-1";
    int64_t dead = audit_row(fx, T21, "t-inv", "export.start", "request 5", "request-5-1");
    int64_t row = -1, cli;

    audit_row(fx, T21, "t-inv", "export.start", "request 5", "request-5-10");
    audit_row(fx, T21, "t-inv", "export", "request 5",
              "case VV; 1 files of 1 cameras to /srv/exports/request-5-10; SHA256SUMS ab; x");
    audit_row(fx, T21, "t-inv", "export.failed", "request 5", "request-5-1: no");
    assert_int_equal(store_audit_export_named(fx->s, "request-5-1", folder, dead, &row, &err), 0);
    assert_int_equal(row, 0);
    cli = audit_row(fx, T21 + MIN, "it-staff", "export.start", "request 5", folder);
    assert_int_equal(store_audit_export_named(fx->s, "request-5-1", folder, dead, &row, &err), 0);
    assert_int_equal(row, cli);
    /* the same name's start, and a done row naming the folder */
    assert_int_equal(
        store_audit_export_named(fx->s, "request-5-10", "/srv/exports/request-5-10", 0, &row, &err),
        0);
    assert_int_equal(row, dead + 1);
    assert_int_equal(
        store_audit_export_named(fx->s, "request-5-10", "/elsewhere", dead + 1, &row, &err), 0);
    assert_int_equal(row, dead + 2); /* "/request-5-10; " in the done row */
}

/* Rows written before end rows named their start: an end closes the start of its actor and
 * subject whose where it names (a failure's "where: why"; a done export's "to DIR;", the API's
 * ".../NAME;"), else the oldest of its actor and subject; another actor's start stays open. */
static void test_audit_verify_pairs_older_rows_by_who_request_and_where(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    int64_t other = audit_row(fx, T21, "someone", "export.start", "request 7", CLI_DIR);
    int64_t a = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR "-a");
    int64_t b = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR "-b");
    const json_t *u;

    audit_row(fx, T21, "t-inv", "export.start", "request 9", "request-9-1");
    audit_row(fx, T21, "it-staff", "export.failed", "request 7", CLI_DIR "-b: cancelled");
    audit_row(fx, T21, "t-inv", "export", "request 9",
              "case X; 1 files of 1 cameras to /var/lib/camwatch/exports/request-9-1; "
              "SHA256SUMS ab; all");
    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "row")), other);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 1), "row")), a);
    json_decref(doc);
    (void)b;
    audit_row(fx, T21, "it-staff", "export", "request 7", "case X; to somewhere else; all");
    u = unfinished(fx, &doc);
    assert_int_equal(json_array_size(u), 1); /* the oldest of it-staff's: a */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 0), "row")), other);
    json_decref(doc);
}

/* An end row's detail too long to hold with its reference is cut, never the reference (nor
 * inside a UTF-8 character): it still ends its start. */
static void test_audit_verify_pairs_an_end_whose_detail_was_cut(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    char why[2048];
    int64_t start = audit_row(fx, T21, "it-staff", "export.start", "request 7", CLI_DIR);
    struct store_audit *rows = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    memset(why, 0, sizeof(why));
    for (size_t i = 0; i + 3 < sizeof(why); i += 3)
        memcpy(why + i, "\xe1\xba\xa1", 3); /* ạ */
    audit_end(fx, "export.failed", "request 7", why, start);
    assert_int_equal(json_array_size(unfinished(fx, &doc)), 0);
    json_decref(doc);
    assert_int_equal(store_list_audit(fx->s, start, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(rows[0].detail, "\xe1\xba\xa1; export.start row "));
    doc = json_string(rows[0].detail); /* still UTF-8 */
    assert_non_null(doc);
    json_decref(doc);
    free(rows);
}

/* A request for a place with no camera there (as `footage find` answers it) is refused, naming
 * the field and saying nothing was stored, for a text and for a point: its export could only
 * say "0 cameras". The CLI and the API both create requests here. */
static void test_request_for_a_place_with_no_camera_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct store_request r = {.scope.from_ms = T21,
                              .scope.to_ms = T21 + 10 * MIN,
                              .scope.place = STORE_PLACE_TEXT,
                              .text = "không có chỗ này",
                              .by = "Lê Văn A",
                              .case_ref = "VV-118",
                              .reason = "trộm xe máy"};
    json_t *doc = NULL;
    struct cw_err err = {0};

    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), DOC_BAD_INPUT);
    assert_null(doc);
    assert_string_equal(err.field, "place");
    assert_string_equal(err.msg, "no camera there: nothing stored");
    r.scope.place = STORE_PLACE_POINT; /* the South China Sea: no camera within 500 m */
    r.scope.lat = 12.0;
    r.scope.lon = 112.0;
    r.scope.radius_m = 500;
    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "near");
    assert_string_equal(err.msg, "no camera there: nothing stored");
    assert_int_equal(doc_view_run(&fx->c, &doc_view_requests, NULL, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 0); /* nothing stored */
    json_decref(doc);
    assert_int_equal(doc_audit_verify(&fx->c, &doc, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 0); /* nor audited */
    json_decref(doc);
}

/* The request a query makes reads back as the same query (the CLI and the API store it so). */
static void test_request_of_query_is_the_inverse_of_its_query(void **state)
{
    struct doc_footage_query q = {.scope.from_ms = T21,
                                  .scope.to_ms = T21 + 10 * MIN,
                                  .scope.place = STORE_PLACE_POINT,
                                  .scope.lat = 10.25,
                                  .scope.lon = 105.5,
                                  .scope.radius_m = 300,
                                  .now_ms = NOW},
                             back;
    struct store_request r;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(doc_request_of_query(&q, "Lê Văn A", "VV-120", NULL, &r, &err), 0);
    assert_int_equal(r.created_ms, NOW);
    assert_string_equal(r.by, "Lê Văn A");
    assert_string_equal(r.case_ref, "VV-120");
    assert_string_equal(r.reason, "");
    assert_string_equal(r.text, "");
    doc_request_query(&r, NOW, &back);
    assert_int_equal(back.scope.from_ms, q.scope.from_ms);
    assert_int_equal(back.scope.to_ms, q.scope.to_ms);
    assert_int_equal(back.scope.place, STORE_PLACE_POINT);
    assert_true(back.scope.lat == q.scope.lat && back.scope.lon == q.scope.lon &&
                back.scope.radius_m == q.scope.radius_m);
    q = (struct doc_footage_query){.scope.from_ms = T21,
                                   .scope.to_ms = T21 + MIN,
                                   .scope.place = STORE_PLACE_CAMERAS,
                                   .cameras = "CHO-01,CHO-02",
                                   .now_ms = NOW};
    assert_int_equal(doc_request_of_query(&q, "a", "b", "c", &r, &err), 0);
    assert_string_equal(r.cameras, "CHO-01,CHO-02");
    assert_string_equal(r.reason, "c");
}

/* A text longer than its field is refused, naming the field, never stored cut. */
static void test_request_of_query_refuses_a_text_that_does_not_fit(void **state)
{
    const struct doc_footage_query q = {.scope.from_ms = T21,
                                        .scope.to_ms = T21 + MIN,
                                        .scope.place = STORE_PLACE_TEXT,
                                        .text = "chợ Lai Vung",
                                        .now_ms = NOW};
    struct store_request r;
    struct cw_err err = {0};
    char reason[sizeof(r.reason) + 1];

    (void)state;
    memset(reason, 'x', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    assert_int_equal(doc_request_of_query(&q, "a", "VV-1", reason, &r, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "reason");
    assert_non_null(strstr(err.msg, "511 bytes at the most"));
    reason[sizeof(reason) - 2] = '\0'; /* exactly the field's length: kept whole */
    assert_int_equal(doc_request_of_query(&q, "a", "VV-1", reason, &r, &err), 0);
    assert_int_equal(strlen(r.reason), sizeof(r.reason) - 1);
    assert_string_equal(r.text, "chợ Lai Vung");
}

/* case and reason are printed in manifest.txt, the evidence's human-readable record, and in
 * `request list`: a newline there would forge a line of it, an escape would drive the reader's
 * terminal. */
static void test_request_of_query_refuses_control_characters(void **state)
{
    const struct doc_footage_query q = {.scope.from_ms = T21,
                                        .scope.to_ms = T21 + MIN,
                                        .scope.place = STORE_PLACE_TEXT,
                                        .text = "chợ Lai Vung",
                                        .now_ms = NOW};
    static const char *const bad[] = {"VV-1\nSHA-256: 00", "VV-1\x1b[2J", "a\tb", "a\x7f",
                                      "a\xc2\x9b"
                                      "2J"};
    struct store_request r;
    struct cw_err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(doc_request_of_query(&q, "a", bad[i], "lý do", &r, &err), DOC_BAD_INPUT);
        assert_string_equal(err.field, "case");
        assert_string_equal(err.msg, "a control character (a new line, tab or escape) in the text");
        assert_int_equal(doc_request_of_query(&q, "a", "VV-1", bad[i], &r, &err), DOC_BAD_INPUT);
        assert_string_equal(err.field, "reason");
    }
    /* typed in the CLI in another encoding: a document could not hold it */
    assert_int_equal(doc_request_of_query(&q, "a", "V\xe9", "lý do", &r, &err), DOC_BAD_INPUT);
    assert_string_equal(err.field, "case");
    assert_string_equal(err.msg, "not UTF-8 text");
    assert_int_equal(doc_request_of_query(&q, "a", "VV-1/2026 Đồng Tháp", "tai nạn", &r, &err), 0);
}

/* request show's one document: the request as request list has it, and its cameras as
 * footage find answers the request's query; the CLI's table and the API's GET read it. */
static void test_request_show_carries_the_request_and_its_cameras(void **state)
{
    struct fixture *fx = *state;
    const struct doc_footage_query q = {.scope.from_ms = T21,
                                        .scope.to_ms = T21 + 10 * MIN,
                                        .scope.place = STORE_PLACE_CAMERAS,
                                        .cameras = "CHO-01,CHO-02",
                                        .now_ms = NOW};
    struct store_request r;
    json_t *doc = NULL, *list = NULL, *found;
    const json_t *req, *place;
    struct cw_err err = {0};
    int64_t id;

    assert_int_equal(doc_request_of_query(&q, "Lê Văn A", "VV-119", "cướp giật", &r, &err), 0);
    assert_int_equal(doc_request_create(&fx->c, &r, NOW, &doc, &err), 0);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    assert_int_equal(request_show(fx, id, &doc, &err), 0);
    assert_int_equal(json_object_size(doc), 2);
    req = json_object_get(doc, "request");
    assert_int_equal(json_integer_value(json_object_get(req, "id")), id);
    assert_string_equal(str(req, "by"), "Lê Văn A");
    assert_string_equal(str(req, "case"), "VV-119");
    assert_string_equal(str(req, "reason"), "cướp giật");
    assert_string_equal(str(req, "from"), "2026-11-20T21:00:00+07:00");
    assert_string_equal(str(req, "to"), "2026-11-20T21:10:00+07:00");
    assert_string_equal(str(req, "created"), "2026-11-22T21:00:00+07:00");
    place = json_object_get(req, "place");
    assert_string_equal(str(place, "kind"), "cameras");
    assert_int_equal(json_array_size(json_object_get(place, "cameras")), 2);
    assert_int_equal(doc_view_run(&fx->c, &doc_view_requests, NULL, &list, &err), 0);
    assert_true(json_equal(req, json_array_get(list, 0)));
    found = find(fx, &q);
    assert_int_equal(json_array_size(found), 2);
    assert_true(json_equal(json_object_get(doc, "cameras"), found));
    json_decref(found);
    json_decref(list);
    json_decref(doc);
}

static void test_recorders_list_their_scans_and_segment_counts(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    const json_t *hik, *nvr;
    struct cw_err err = {0};

    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", NOW, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "hik", "hikvision", NOW, 0, "timeout", &err), 0);
    assert_int_equal(doc_recorders(&fx->c, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    hik = json_array_get(doc, 0); /* by name */
    nvr = json_array_get(doc, 1);
    assert_string_equal(str(hik, "name"), "hik");
    assert_string_equal(str(hik, "kind"), "hikvision");
    assert_true(json_is_false(json_object_get(hik, "ok")));
    assert_string_equal(str(hik, "error"), "timeout");
    assert_int_equal(json_integer_value(json_object_get(hik, "segments")), 0);
    assert_string_equal(str(nvr, "name"), "nvr");
    assert_string_equal(str(nvr, "kind"), "dir");
    assert_true(json_is_true(json_object_get(nvr, "ok")));
    assert_true(json_is_null(json_object_get(nvr, "error")));
    assert_string_equal(str(nvr, "scanned_at"), "2026-11-22T21:00:00+07:00");
    /* fill's 40 segments less the one dropped; 21:07 was cut short */
    assert_int_equal(json_integer_value(json_object_get(nvr, "segments")), 39);
    assert_int_equal(json_integer_value(json_object_get(nvr, "unreadable")), 1);
    assert_int_equal(json_integer_value(json_object_get(nvr, "bytes")), 39000);
    json_decref(doc);
}

/* `footage scan`'s answer: one object per scan in the order done, counts as given, the error
 * null for a scan that worked; none done is an empty array. */
static void test_scans_keep_order_counts_and_null_error(void **state)
{
    struct fixture *fx = *state;
    const struct doc_scan v[2] = {
        {"nvr", "dir", 1, NULL, 40, 3, 1, 1, 2, 5, 7, 0, 4},
        {"hik", "hikvision", 0, "timeout", 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    const char *keys[] = {"name",        "kind",         "ok",         "error",    "files",
                          "changed",     "gone",         "unreadable", "unmapped", "ignored",
                          "dirs_listed", "dirs_skipped", "kept"};
    json_t *doc = NULL;
    const json_t *o;
    struct cw_err err = {0};

    assert_int_equal(doc_scans(&fx->c, v, 0, &doc, &err), 0);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 0);
    json_decref(doc);

    assert_int_equal(doc_scans(&fx->c, v, 2, &doc, &err), 0);
    assert_int_equal(json_array_size(doc), 2);
    o = json_array_get(doc, 0);
    assert_int_equal(json_object_size(o), sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(o, keys[i]));
    assert_string_equal(str(o, "name"), "nvr");
    assert_string_equal(str(o, "kind"), "dir");
    assert_true(json_is_true(json_object_get(o, "ok")));
    assert_true(json_is_null(json_object_get(o, "error")));
    assert_int_equal(json_integer_value(json_object_get(o, "files")), 40);
    assert_int_equal(json_integer_value(json_object_get(o, "changed")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "gone")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "unreadable")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "unmapped")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "ignored")), 5);
    assert_int_equal(json_integer_value(json_object_get(o, "kept")), 4);
    assert_int_equal(json_integer_value(json_object_get(o, "dirs_listed")), 7);
    assert_int_equal(json_integer_value(json_object_get(o, "dirs_skipped")), 0);
    o = json_array_get(doc, 1);
    assert_string_equal(str(o, "name"), "hik");
    assert_string_equal(str(o, "kind"), "hikvision");
    assert_true(json_is_false(json_object_get(o, "ok")));
    assert_string_equal(str(o, "error"), "timeout");
    assert_int_equal(json_integer_value(json_object_get(o, "files")), 0);
    json_decref(doc);
}

/* `request export`'s answer: the request's id, where it went and what it holds; delivered is
 * the delivery's summary, null when the export was not delivered anywhere. */
static void test_exported_names_request_sums_and_null_delivery(void **state)
{
    struct fixture *fx = *state;
    struct doc_export e = {.request_id = 7,
                           .out_dir = "/srv/export/req-7",
                           .sums_sha256 = "/srv/export/req-7/SHA256SUMS",
                           .summary = NULL,
                           .files = 12,
                           .cameras = 2};
    json_t *doc = NULL;
    struct cw_err err = {0};

    assert_int_equal(doc_exported(&fx->c, &e, &doc, &err), 0);
    assert_int_equal(json_object_size(doc), 6);
    assert_int_equal(json_integer_value(json_object_get(doc, "request")), 7);
    assert_string_equal(str(doc, "out_dir"), "/srv/export/req-7");
    assert_int_equal(json_integer_value(json_object_get(doc, "files")), 12);
    assert_int_equal(json_integer_value(json_object_get(doc, "cameras")), 2);
    assert_string_equal(str(doc, "sha256sums"), "/srv/export/req-7/SHA256SUMS");
    assert_true(json_is_null(json_object_get(doc, "delivered")));
    json_decref(doc);

    e.summary = "uploaded 12 files to sftp://127.0.0.1:2222/cases";
    assert_int_equal(doc_exported(&fx->c, &e, &doc, &err), 0);
    assert_string_equal(str(doc, "delivered"), "uploaded 12 files to sftp://127.0.0.1:2222/cases");
    json_decref(doc);
}

/* Text from a recorder or the file system that JSON cannot hold (here a scan's error cut in the
 * middle of "Đ", a folder named in Latin-1) is null: the scan and the export keep every key. */
static void test_text_json_cannot_hold_is_null_not_a_lost_key(void **state)
{
    struct fixture *fx = *state;
    const struct doc_scan v[1] = {
        {"nvr", "dir", 0, "opendir /mnt/\xc4", 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    struct doc_export e = {.request_id = 7,
                           .out_dir = "/srv/export/ca\xf1o",
                           .sums_sha256 = "/srv/export/SHA256SUMS",
                           .summary = NULL,
                           .files = 1,
                           .cameras = 1};
    json_t *doc = NULL;
    const json_t *o;
    struct cw_err err = {0};

    assert_int_equal(doc_scans(&fx->c, v, 1, &doc, &err), 0);
    o = json_array_get(doc, 0);
    assert_int_equal(json_object_size(o), 13);
    assert_true(json_is_null(json_object_get(o, "error")));
    assert_true(json_is_false(json_object_get(o, "ok")));
    json_decref(doc);

    assert_int_equal(doc_exported(&fx->c, &e, &doc, &err), 0);
    assert_int_equal(json_object_size(doc), 6);
    assert_true(json_is_null(json_object_get(doc, "out_dir")));
    assert_string_equal(str(doc, "sha256sums"), "/srv/export/SHA256SUMS");
    json_decref(doc);
}

/* The words of what the index cannot say of a camera (footage_index_words), as the CLI's footage
 * answer and an export's manifests both print them: over the whole range and why, or after
 * known_until, worded as the scan's time only when it is that, else as the end of the footage
 * that scan found; the state named in the document read back. */
static void test_index_words_say_why_and_what_the_end_is(void **state)
{
    static const struct {
        struct footage_index_said w;
        const char *want;
    } cases[] = {
        {{FOOTAGE_NO_RECORDER, "", NULL, NULL, NULL, NULL},
         "not indexed: no recorder configured for this camera"},
        {{FOOTAGE_NEVER_SCANNED, "nvr-2", NULL, NULL, NULL, NULL},
         "not indexed: recorder nvr-2 never scanned"},
        {{FOOTAGE_NEVER_SCANNED, "nvr-2", "timeout", NULL, "21:05", NULL},
         "not indexed: recorder nvr-2 never scanned without error (last try 21:05: timeout)"},
        {{FOOTAGE_SCANNED, "nvr", NULL, "21:01", "21:01", "21:01"},
         "not indexed after 21:01: recorder nvr not scanned since"},
        {{FOOTAGE_SCANNED, "nvr", NULL, "21:03", "21:01", "21:01"},
         "not indexed after 21:03: recorder nvr's last scan (21:01) found its footage up to "
         "then"},
        {{FOOTAGE_SCAN_FAILED, "nvr", "gone", "21:01", "21:30", "21:01"},
         "not indexed after 21:01: recorder nvr's last scan failed (21:30: gone); not scanned "
         "without error since"},
        {{FOOTAGE_SCAN_FAILED, "nvr", "gone", "21:03", "21:30", "21:01"},
         "not indexed after 21:03: recorder nvr's last scan failed (21:30: gone); its last good "
         "scan (21:01) found its footage up to then"},
        {{FOOTAGE_REMOVED, "nvr", NULL, NULL, "21:30", "21:30"},
         "not indexed: recorder nvr is no longer configured (last scanned 21:30)"},
    };
    char buf[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        footage_index_words(&cases[i].w, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(footage_index_named(footage_index_name(cases[i].w.index)),
                         cases[i].w.index);
    }
    assert_int_equal(footage_index_named("what"), FOOTAGE_NEVER_SCANNED);
    /* cut to the buffer, never past it */
    footage_index_words(&cases[4].w, buf, 12);
    assert_string_equal(buf, "not indexed");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* A footage query's times are refused as the CLI's --since and the API's since are: one without
 * its unit ("-7", meant as 7 days) says so, another gives the forms. */
static void test_a_query_time_without_its_unit_is_refused_saying_so(void **state)
{
    struct doc_footage_words w = {.from = "-7", .to = "now", .cameras = "CAH-001"};
    struct doc_footage_query q;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(doc_footage_query_read(&w, "UTC", 1700000000000, &q, &err), -1);
    assert_string_equal(err.field, "from");
    assert_string_equal(err.msg, "bad time '-7': a relative time needs its unit: ms, s, m, h or d "
                                 "(e.g. -7d)");
    w.from = "-2h";
    w.to = "yesterday";
    assert_int_equal(doc_footage_query_read(&w, "UTC", 1700000000000, &q, &err), -1);
    assert_string_equal(err.field, "to");
    assert_non_null(strstr(err.msg, "bad time 'yesterday' (YYYY-MM-DD"));
}

/* `footage find --camera ""` said "--place: give one place": each empty word is refused as
 * itself, saying what to give. */
static void test_an_empty_word_is_refused_naming_itself(void **state)
{
    static const struct {
        struct doc_footage_words w;
        const char *field, *msg;
    } cases[] = {
        {{.cameras = ""}, "camera", "empty: give one or more camera ids"},
        {{.cameras = " , "}, "camera", "empty: give one or more camera ids"},
        {{.place = ""}, "place", "empty: give a text to look for"},
        {{.place = " "}, "place", "empty: give a text to look for"},
        {{.near = ""}, "near", "empty: give LAT,LON"},
        {{.near = "10.2,105.6", .radius = ""}, "radius", "empty: give metres (500, 12.5m, 2km)"},
    };
    struct doc_footage_query q;
    struct cw_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct doc_footage_words w = cases[i].w;
        w.from = "-1h";
        w.to = "now";
        memset(&err, 0, sizeof(err));
        if (doc_footage_query_read(&w, "UTC", NOW, &q, &err) == 0)
            assert_int_equal(doc_footage_check(&q, &err), -1);
        assert_string_equal(err.field, cases[i].field);
        assert_string_equal(err.msg, cases[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_point_query_windows_gaps_state_clock),
        T(test_an_empty_word_is_refused_naming_itself),
        T(test_gap_is_not_indexed_without_a_recorder_or_a_good_scan),
        T(test_gap_after_the_last_good_scan_is_not_indexed_when_the_last_failed),
        T(test_gap_after_the_last_scan_is_not_indexed),
        T(test_footage_the_scan_saw_stamped_after_it_is_known),
        T(test_known_until_is_per_camera_not_per_recorder),
        T(test_after_a_failed_scan_the_index_knows_what_the_last_good_one_saw),
        T(test_the_recorder_a_camera_left_speaks_for_it_until_it_came_back),
        T(test_a_recorder_speaks_for_a_camera_off_it_up_to_its_last_indexing),
        T(test_a_recorder_removed_from_the_conf_speaks_for_nothing_until_it_is_back),
        T(test_footage_on_a_removed_recorder_a_camera_left_is_not_indexed),
        T(test_expiry_from_the_pace_of_overwriting_and_warning),
        T(test_gap_before_the_oldest_footage_is_overwritten_only_where_it_was_seen),
        T(test_a_gap_is_cut_where_its_cause_changes),
        T(test_a_recorder_without_a_section_is_not_configured),
        T(test_a_range_in_the_future_is_refused),
        T(test_text_query_folds_white_space),
        T(test_text_query_with_and_without_diacritics),
        T(test_id_query_and_refusals),
        T(test_request_created_shown_listed_and_audited),
        T(test_request_for_a_place_with_no_camera_is_refused),
        T(test_audit_verify_lists_an_export_begun_with_no_end),
        T(test_audit_verify_says_whether_an_unfinished_export_runs_now),
        T(test_audit_verify_calls_an_export_of_a_version_without_the_lock_unknown),
        T(test_a_start_row_marked_locked_pairs_and_names_its_folder),
        T(test_audit_verify_lists_no_export_that_ended_done_or_failed),
        T(test_audit_verify_pairs_an_end_with_the_start_it_names),
        T(test_audit_export_named_finds_another_row_naming_the_folder),
        T(test_audit_verify_pairs_older_rows_by_who_request_and_where),
        T(test_audit_verify_pairs_an_end_whose_detail_was_cut),
        T(test_request_show_carries_the_request_and_its_cameras),
        T(test_request_of_query_is_the_inverse_of_its_query),
        T(test_request_of_query_refuses_a_text_that_does_not_fit),
        T(test_request_of_query_refuses_control_characters),
        T(test_recorders_list_their_scans_and_segment_counts),
        T(test_scans_keep_order_counts_and_null_error),
        T(test_exported_names_request_sums_and_null_delivery),
        T(test_text_json_cannot_hold_is_null_not_a_lost_key),
        cmocka_unit_test(test_a_query_time_without_its_unit_is_refused_saying_so),
        cmocka_unit_test(test_index_words_say_why_and_what_the_end_is),
    };

    log_init("test_doc_footage", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
