/* test_export.c - a request's footage exported as evidence (index/export.c) from segments
 * ffmpeg's segment muxer makes in the test, indexed by a real scan: the MP4 read back, the
 * manifest's ranges, gap, clock and sources, SHA256SUMS checked by sha256sum, the same bytes
 * on a second export, an existing export never overwritten, a cancelled one leaving nothing,
 * and the audit row. */
#define _GNU_SOURCE /* memmem: the files read back end with no NUL */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libavformat/avformat.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "../daemon/recsrc.h"
#include "../index/export.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cwtest.h"
#include "footagetest.h"

#define T0 1795183200000LL /* 2026-11-20 21:00:00 +07:00 */
#define TZ "Asia/Ho_Chi_Minh"

struct fixture {
    char dir[64], db[128], nvr[128];
    struct store *s;
    int64_t request;
};

static const char *root_of(void *data, const char *recorder)
{
    struct fixture *fx = data;

    return strcmp(recorder, "nvr") == 0 ? fx->nvr : NULL;
}

/* The folder of a test's recorder "nvr" (data: the folder). */
static const char *root_of_dir(void *data, const char *recorder)
{
    return strcmp(recorder, "nvr") == 0 ? data : NULL;
}

/* CAM-A: 2 s segments at 21:00:00, :02, :04, then :10, :12 (a gap of 4 s); 83 s ahead. */
static void record(struct fixture *fx)
{
    static const int at[] = {0, 2, 4, 10, 12};
    char scratch[128], src[256], dst[256], day[160];
    const char *const cams[] = {"CAM-A", "CAM-B"};
    struct recsrc_def d = {.name = "nvr",
                           .kind = RECSRC_DIR,
                           .pattern = "{camera}/%Y-%m-%d/%H-%M-%S.mp4",
                           .time_zone = TZ,
                           .cameras = cams,
                           .n_cameras = 2};
    struct store_device dev = {.camera_id = "CAM-A",
                               .probed_ms = T0 - 60000,
                               .has_clock = 1,
                               .clock_at_ms = T0 - 60000,
                               .clock_offset_ms = 83000,
                               .clock_error_ms = 40,
                               .ntp = 0};
    struct recsrc *r = NULL;
    struct store *ro = NULL;
    struct rec_result *res = NULL;
    struct cw_err err = {0};
    size_t cursor = 0;
    struct recsrc_tally tally = {0};

    snprintf(scratch, sizeof(scratch), "%s/scratch", fx->dir);
    snprintf(day, sizeof(day), "%s/CAM-A/2026-11-20", fx->nvr);
    mkdir(scratch, 0750);
    mkdir(fx->nvr, 0750);
    snprintf(dst, sizeof(dst), "%s/CAM-A", fx->nvr);
    mkdir(dst, 0750);
    mkdir(day, 0750);
    cwtest_make_segments(scratch, 5, 2, "mp4", 1);
    for (int k = 0; k < 5; k++) {
        snprintf(src, sizeof(src), "%s/seg%03d.mp4", scratch, k);
        snprintf(dst, sizeof(dst), "%s/21-00-%02d.mp4", day, at[k]);
        assert_int_equal(rename(src, dst), 0);
    }
    d.path = fx->nvr;
    assert_int_equal(recsrc_new(&d, &r, &err), 0);
    assert_int_equal(store_open(fx->db, STORE_READONLY, &ro, &err), 0);
    assert_int_equal(recsrc_scan(r, ro, 0, cw_now_ms() + 60000, NULL, NULL, NULL, &res, &err), 0);
    store_close(ro);
    assert_int_equal(store_begin(fx->s, &err), 0);
    assert_int_equal(recsrc_apply(r, fx->s, res, &cursor, 0, T0, &tally, &err), 1);
    assert_int_equal(recsrc_finish(r, fx->s, 1, NULL, T0 + 60000, &err), 0);
    assert_int_equal(store_commit(fx->s, &err), 0);
    assert_int_equal(store_record_device(fx->s, &dev, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
    rec_result_free(res);
    recsrc_free(r);
}

static int setup(void **state)
{
    /* The market's two cameras under other ids, without positions. */
    static const struct ftest_camera cams[] = {
        {"CAM-A", "Cổng chợ Lai Vung", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 0, 0, 0},
        {"CAM-B", "Nhà lồng chợ", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 0, 0, 0},
    };
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct store_request req = {
        .scope.from_ms = T0 + 1000, .scope.to_ms = T0 + 13000, .scope.place = STORE_PLACE_CAMERAS};
    struct cw_err err = {0};

    av_log_set_level(AV_LOG_QUIET);
    if (fx == NULL ||
        ftest_store_open("export", fx->dir, sizeof(fx->dir), fx->db, sizeof(fx->db), &fx->s) != 0)
        return -1;
    snprintf(fx->nvr, sizeof(fx->nvr), "%s/nvr", fx->dir);
    ftest_sync(fx->s, cams, 2, T0 - 86400000);
    record(fx);
    snprintf(req.by, sizeof(req.by), "Đại úy Lê Văn A");
    snprintf(req.case_ref, sizeof(req.case_ref), "VV-2026-118");
    snprintf(req.reason, sizeof(req.reason), "trộm xe máy tại chợ");
    snprintf(req.cameras, sizeof(req.cameras), "CAM-A,CAM-B");
    if (store_request_create(fx->s, &req, T0 + 86400000, &fx->request, &err) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    return ftest_teardown(fx->s, fx->dir, fx);
}

static struct export_plan *plan(struct fixture *fx)
{
    const struct export_settings set = {"Lai Vung", TZ, 1000, root_of, fx, NULL};
    struct export_plan *p = NULL;
    struct cw_err err = {0};

    if (export_plan_build(fx->s, &set, fx->request, &p, &err) != 0)
        fail_msg("plan: %s", err.msg);
    return p;
}

static int export_to(struct fixture *fx, const char *sub, const atomic_int *cancel,
                     struct export_result *res, struct cw_err *err)
{
    struct export_plan *p = plan(fx);
    char out[160];
    int rc;

    snprintf(out, sizeof(out), "%s/%s", fx->dir, sub);
    rc = export_run(p, out, cancel, NULL, NULL, res, err);
    if (rc == 0 && export_audit(fx->s, p, res, 0, "it-staff", T0 + 2 * 86400000, err) != 0)
        rc = -1;
    export_plan_free(p);
    return rc;
}

static char *file_in(struct fixture *fx, const char *sub, const char *name, size_t *len)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s/%s", fx->dir, sub, name);
    return cwtest_read_file(path, len);
}

static size_t entries(struct fixture *fx, const char *sub)
{
    char path[256];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/%s", fx->dir, sub);
    if ((d = opendir(path)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.' || strncmp(e->d_name, ".camwatch", 9) == 0;
    closedir(d);
    return n;
}

static void test_export_writes_mp4_manifests_and_sums(void **state)
{
    struct fixture *fx = *state;
    struct export_result res;
    struct cw_err err = {0};
    char cmd[256], path[256];
    json_t *m, *cam, *b;
    json_error_t jerr;
    struct stat sb;
    AVFormatContext *ic = NULL;
    size_t len;
    char *text;

    assert_int_equal(export_to(fx, "out-a", NULL, &res, &err), 0);
    assert_int_equal(res.files, 1);
    assert_int_equal(res.cameras, 2);
    assert_int_equal(entries(fx, "out-a"), 4); /* no temporaries left */
    snprintf(path, sizeof(path), "%s/out-a/CAM-A.mp4", fx->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    /* Playable: two streams, H.264, 21:00:01 to 21:00:13 with the gap in its timeline. */
    assert_int_equal(avformat_open_input(&ic, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(ic, NULL) >= 0);
    assert_int_equal(ic->nb_streams, 2);
    assert_true(ic->duration / 1000 >= 11800 && ic->duration / 1000 <= 12200);
    avformat_close_input(&ic);
    snprintf(cmd, sizeof(cmd), "cd %s/out-a && sha256sum --quiet -c SHA256SUMS", fx->dir);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);

    text = file_in(fx, "out-a", "manifest.json", &len);
    m = json_loadb(text, len, 0, &jerr);
    free(text);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "request"), "case")),
                        "VV-2026-118");
    cam = json_array_get(json_object_get(m, "cameras"), 0);
    assert_string_equal(json_string_value(json_object_get(cam, "id")), "CAM-A");
    b = json_object_get(cam, "delivered");
    assert_string_equal(json_string_value(json_object_get(b, "from")), "2026-11-20T21:00:01+07:00");
    assert_string_equal(json_string_value(json_object_get(b, "to")), "2026-11-20T21:00:13+07:00");
    assert_int_equal(json_array_size(json_object_get(cam, "gaps")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(cam, "gaps"), 0), "to")),
        "2026-11-20T21:00:10+07:00");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(cam, "clock"), "offset_ms")), 83000);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cam, "corrected"), "from")),
        "2026-11-20T20:58:38+07:00");
    assert_int_equal(json_array_size(json_object_get(cam, "sources")), 5);
    assert_int_equal(strlen(json_string_value(json_object_get(
                         json_array_get(json_object_get(cam, "sources"), 0), "sha256"))),
                     64);
    cam = json_array_get(json_object_get(m, "cameras"), 1);
    assert_true(json_is_null(json_object_get(cam, "file")));
    assert_string_equal(json_string_value(json_object_get(cam, "note")), "no footage in the range");
    json_decref(m);
    text = file_in(fx, "out-a", "manifest.txt", &len);
    assert_non_null(
        memmem(text, len, "Vụ việc / Case: VV-2026-118", strlen("Vụ việc / Case: VV-2026-118")));
    assert_non_null(memmem(
        text, len,
        "Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 +07:00",
        strlen("Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 "
               "+07:00")));
    assert_non_null(memmem(text, len, "nhanh 83.000 giây / 83.000 s ahead",
                           strlen("nhanh 83.000 giây / 83.000 s ahead")));
    free(text);
}

/* The note of camera i of the manifest of an export into sub. */
static char *manifest_note(struct fixture *fx, const char *sub, size_t i)
{
    struct export_result res;
    struct cw_err err = {0};
    json_error_t jerr;
    size_t len;
    char *text, *note;
    json_t *m;

    assert_int_equal(export_to(fx, sub, NULL, &res, &err), 0);
    text = file_in(fx, sub, "manifest.json", &len);
    m = json_loadb(text, len, 0, &jerr);
    free(text);
    assert_non_null(m);
    note = strdup(json_string_value(
        json_object_get(json_array_get(json_object_get(m, "cameras"), i), "note")));
    json_decref(m);
    return note;
}

/* A camera camwatch has no index of is not said to have no footage: its manifest's note says
 * it is not indexed and why (no recorder; a recorder never scanned). */
static void test_manifest_says_not_indexed_not_no_footage(void **state)
{
    struct fixture *fx = *state;
    struct ftest_camera cams[] = {
        {"CAM-A", "Cổng chợ Lai Vung", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 0, 0, 0},
        {"CAM-B", "Nhà lồng chợ", "Thị trấn Lai Vung", "Khóm 1", "QL54", NULL, 0, 0, 0},
    };
    char *note;

    ftest_sync(fx->s, cams, 2, T0);
    note = manifest_note(fx, "out-none", 1);
    assert_string_equal(note, "not indexed: no recorder configured for this camera");
    free(note);
    cams[1].recorder = "nvr-2";
    ftest_sync(fx->s, cams, 2, T0);
    note = manifest_note(fx, "out-never", 1);
    assert_string_equal(note, "not indexed: recorder nvr-2 never scanned");
    free(note);
}

/* Make fx's request the cameras from from_ms to 21:02, past the recorder's last scan (21:01). */
static void request_past_the_scan(struct fixture *fx, int64_t from_ms, const char *cameras)
{
    struct store_request req = {.scope.from_ms = from_ms,
                                .scope.to_ms = T0 + 120000,
                                .scope.place = STORE_PLACE_CAMERAS,
                                .by = "it-staff",
                                .case_ref = "VV-2026-119",
                                .reason = "sau lần quét"};
    struct cw_err err = {0};

    snprintf(req.cameras, sizeof(req.cameras), "%s", cameras);
    assert_int_equal(store_request_create(fx->s, &req, T0 + 86400000, &fx->request, &err), 0);
}

/* A range that runs past the recorder's last scan (21:01, a good one): the camera with no
 * footage in it is not said to have none; the index stops knowing at the scan. */
static void test_manifest_says_not_indexed_after_the_last_scan(void **state)
{
    struct fixture *fx = *state;
    char *note;

    request_past_the_scan(fx, T0 + 30000, "CAM-B");
    note = manifest_note(fx, "out-after", 0);
    assert_string_equal(note,
                        "not indexed after 2026-11-20T21:01:00+07:00: recorder nvr not scanned "
                        "since");
    free(note);
}

/* A range that runs past the last scan (21:01) on a camera whose footage is delivered: the
 * end of the delivered footage is not said to be the end of what exists; manifest.txt and
 * manifest.json say the time after the scan is not indexed, as for a camera with none. */
static void test_delivered_footage_still_says_not_indexed_after_the_last_scan(void **state)
{
    struct fixture *fx = *state;
    static const char said[] =
        "not indexed after 2026-11-20T21:01:00+07:00: recorder nvr not scanned since";
    static const char delivered[] =
        "Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:14 +07:00\n";
    /* every time in manifest.txt whole, as people read them, not as manifest.json has them */
    static const char line[] = "Chưa lập chỉ mục / Not indexed: not indexed after "
                               "2026-11-20 21:01:00 +07:00: recorder nvr not scanned since\n";
    struct export_result res;
    struct cw_err err = {0};
    json_error_t jerr;
    json_t *m, *cam;
    size_t len;
    char *text;

    request_past_the_scan(fx, T0 + 1000, "CAM-A");
    assert_int_equal(export_to(fx, "out-tail", NULL, &res, &err), 0);
    assert_int_equal(res.files, 1);
    assert_string_equal(res.summary, "CAM-A 21:00:01-21:00:14 (not indexed after 21:01:00)");
    text = file_in(fx, "out-tail", "manifest.txt", &len);
    assert_non_null(memmem(text, len, delivered, strlen(delivered)));
    assert_non_null(memmem(text, len, line, strlen(line)));
    free(text);
    text = file_in(fx, "out-tail", "manifest.json", &len);
    m = json_loadb(text, len, 0, &jerr);
    free(text);
    assert_non_null(m);
    cam = json_array_get(json_object_get(m, "cameras"), 0);
    assert_string_equal(json_string_value(json_object_get(cam, "file")), "CAM-A.mp4");
    assert_string_equal(json_string_value(json_object_get(cam, "not_indexed_after")),
                        "2026-11-20T21:01:00+07:00");
    assert_string_equal(json_string_value(json_object_get(cam, "not_indexed")), said);
    json_decref(m);
}

/* An export into sub, read back. */
struct exported {
    struct export_result res;
    char *txt; /* manifest.txt */
    size_t txt_len;
    json_t *json; /* manifest.json */
};

static void export_read(struct fixture *fx, const char *sub, struct exported *x)
{
    struct cw_err err = {0};
    json_error_t jerr;
    size_t len;
    char *text;

    assert_int_equal(export_to(fx, sub, NULL, &x->res, &err), 0);
    x->txt = file_in(fx, sub, "manifest.txt", &x->txt_len);
    text = file_in(fx, sub, "manifest.json", &len);
    x->json = json_loadb(text, len, 0, &jerr);
    free(text);
    assert_non_null(x->json);
}

static void exported_free(struct exported *x)
{
    free(x->txt);
    json_decref(x->json);
}

/* Camera i of x's manifest.json says at key what want says. */
static void manifest_says(const struct exported *x, size_t i, const char *key, const char *want)
{
    json_t *cam = json_array_get(json_object_get(x->json, "cameras"), i);

    assert_string_equal(json_string_value(json_object_get(cam, key)), want);
}

/* x's manifest.txt has line (with its end). */
static void txt_has(const struct exported *x, const char *line)
{
    if (memmem(x->txt, x->txt_len, line, strlen(line)) == NULL)
        fail_msg("manifest.txt has no line \"%s\":\n%.*s", line, (int)x->txt_len, x->txt);
}

/* A camera whose recorder is now one never scanned, but whose footage the index still holds
 * from the recorder it had: the footage is delivered, and both manifests and the summary say
 * plainly that the index does not cover the camera over the range and why, in the footage
 * answer's words, so that what is delivered is not read as all there is (the camera may have
 * recorded on its new recorder). A camera with no recorder now records nowhere the index could
 * look: the recorder holding its footage speaks for it, as in the footage answer (doc_footage's
 * index.others), and nothing is said not indexed. */
static void test_delivered_footage_of_a_camera_the_index_does_not_cover_says_so(void **state)
{
    struct fixture *fx = *state;
    struct ftest_camera cams[] = {
        {"CAM-A", "Cổng chợ Lai Vung", "Thị trấn Lai Vung", "Khóm 1", "QL54", NULL, 0, 0, 0},
        {"CAM-B", "Nhà lồng chợ", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 0, 0, 0},
    };
    static const struct {
        const char *recorder, *sub, *said, *summary, *line;
    } cases[] = {
        {"nvr-2", "out-never", "not indexed: recorder nvr-2 never scanned",
         "CAM-A 21:00:01-21:00:13 (not indexed: never scanned)",
         "Chưa lập chỉ mục / Not indexed: not indexed: recorder nvr-2 never scanned\n"},
    };
    static const char part[] =
        "Khoảng chưa lập chỉ mục / Part of the range not indexed: "
        "2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 +07:00 (cả khoảng / all of it)\n";

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct exported x;
        cams[0].recorder = cases[i].recorder;
        ftest_sync(fx->s, cams, 2, T0);
        export_read(fx, cases[i].sub, &x);
        assert_int_equal(x.res.files, 1);
        assert_string_equal(x.res.summary, cases[i].summary);
        manifest_says(&x, 0, "file", "CAM-A.mp4");
        manifest_says(&x, 0, "not_indexed", cases[i].said);
        manifest_says(&x, 0, "not_indexed_after", "2026-11-20T21:00:01+07:00");
        manifest_says(&x, 0, "not_indexed_from", "2026-11-20T21:00:01+07:00");
        txt_has(&x, "Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 "
                    "+07:00\n");
        txt_has(&x, cases[i].line);
        txt_has(&x, part);
        /* CAM-B's recorder was scanned after the range: nothing of the kind */
        assert_true(json_is_null(
            json_object_get(json_array_get(json_object_get(x.json, "cameras"), 1), "not_indexed")));
        exported_free(&x);
    }
    {
        struct exported x;
        cams[0].recorder = NULL;
        ftest_sync(fx->s, cams, 2, T0);
        export_read(fx, "out-none", &x);
        assert_int_equal(x.res.files, 1);
        assert_string_equal(x.res.summary, "CAM-A 21:00:01-21:00:13");
        manifest_says(&x, 0, "file", "CAM-A.mp4");
        for (size_t k = 0; k < 3; k++) {
            static const char *const keys[] = {"not_indexed", "not_indexed_after",
                                               "not_indexed_from"};
            assert_true(json_is_null(
                json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), keys[k])));
        }
        txt_has(&x, "Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 "
                    "+07:00\n");
        assert_null(memmem(x.txt, x.txt_len, "Not indexed", strlen("Not indexed")));
        assert_null(memmem(x.txt, x.txt_len, "not indexed", strlen("not indexed")));
        exported_free(&x);
    }
}

/* nvr's section is removed from the conf: its files are no longer watched nor reachable, so the
 * export delivers nothing of CAM-A and both manifests say why, in the footage answer's words,
 * its files listed as on a recorder no longer configured; once the section is back, the
 * footage is delivered as before. */
static void test_export_of_footage_on_a_removed_recorder_says_not_indexed(void **state)
{
    static const char *const nvr[] = {"nvr"};
    struct fixture *fx = *state;
    struct exported x;
    const json_t *src;
    const char *note;

    ftest_recorders(fx->s, NULL, 0, T0 + 86400000);
    export_read(fx, "out-removed", &x);
    assert_int_equal(x.res.files, 0);
    note = json_string_value(
        json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "note"));
    assert_non_null(note);
    assert_non_null(strstr(note, "not indexed: recorder nvr is no longer configured (last "
                                 "scanned 2026-11-20T"));
    manifest_says(&x, 0, "not_indexed", note);
    manifest_says(&x, 0, "not_indexed_from", "2026-11-20T21:00:01+07:00");
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "delivered")));
    src = json_array_get(
        json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "sources"), 0);
    assert_true(json_is_false(json_object_get(src, "recorder_configured")));
    assert_true(json_is_null(json_object_get(src, "sha256")));
    txt_has(&x, "không dùng / not used: its recorder is no longer configured\n");
    txt_has(&x, "Khoảng chưa lập chỉ mục / Part of the range not indexed: 2026-11-20 21:00:01 "
                "+07:00 – 2026-11-20 21:00:13 +07:00 (cả khoảng / all of it)\n");
    /* nothing delivered, and the summary says the index cannot say there is nothing */
    assert_string_equal(x.res.summary, "CAM-A nothing (not indexed: no longer configured), CAM-B "
                                       "nothing (not indexed: no longer configured)");
    /* the note, which is that statement, in manifest.txt with its times as every other there */
    txt_has(&x, "Không trích xuất được / Nothing delivered: not indexed: recorder nvr is no longer "
                "configured (last scanned 2026-11-20 ");
    assert_null(memmem(x.txt, x.txt_len, "2026-11-20T", strlen("2026-11-20T")));
    exported_free(&x);

    ftest_recorders(fx->s, nvr, 1, T0 + 86400000 + 1000);
    export_read(fx, "out-back", &x);
    assert_int_equal(x.res.files, 1);
    manifest_says(&x, 0, "file", "CAM-A.mp4");
    assert_true(json_is_true(json_object_get(
        json_array_get(
            json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "sources"), 0),
        "recorder_configured")));
    exported_free(&x);
}

/* The index's end for a camera is the end of its newest footage the last good scan found when
 * that is after the scan's time (the file being written, a recorder's clock ahead): the
 * manifests word it as that, not as the scan's time ("not scanned since" it would be false),
 * after a good scan and after a failed one. */
static void test_manifest_words_the_index_end_as_what_it_is(void **state)
{
    struct fixture *fx = *state;
    static const char part[] = "Khoảng chưa lập chỉ mục / Part of the range not indexed: "
                               "2026-11-20 21:00:14 +07:00 – 2026-11-20 21:02:00 +07:00\n";
    static const char *const said[] = {
        "not indexed after 2026-11-20T21:00:14+07:00: recorder nvr's last scan "
        "(2026-11-20T21:00:05+07:00) found its footage up to then",
        "not indexed after 2026-11-20T21:00:14+07:00: recorder nvr's last scan failed "
        "(2026-11-20T21:01:30+07:00: cannot list /nvr: gone); its last good scan "
        "(2026-11-20T21:00:05+07:00) found its footage up to then",
    };
    static const char *const said_txt[] = {
        "not indexed after 2026-11-20 21:00:14 +07:00: recorder nvr's last scan "
        "(2026-11-20 21:00:05 +07:00) found its footage up to then",
        "not indexed after 2026-11-20 21:00:14 +07:00: recorder nvr's last scan failed "
        "(2026-11-20 21:01:30 +07:00: cannot list /nvr: gone); its last good scan "
        "(2026-11-20 21:00:05 +07:00) found its footage up to then",
    };
    static const char *const subs[] = {"out-end-good", "out-end-failed"};
    struct cw_err err = {0};
    char line[512];

    /* the last good scan began at 21:00:05; it found CAM-A's footage up to 21:00:14 */
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0 + 5000, 1, NULL, &err), 0);
    request_past_the_scan(fx, T0 + 1000, "CAM-A");
    for (size_t i = 0; i < 2; i++) {
        struct exported x;
        if (i == 1) /* then one that failed */
            assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0 + 90000, 0,
                                                    "cannot list /nvr: gone", &err),
                             0);
        export_read(fx, subs[i], &x);
        assert_string_equal(x.res.summary, "CAM-A 21:00:01-21:00:14 (not indexed after 21:00:14)");
        manifest_says(&x, 0, "file", "CAM-A.mp4");
        manifest_says(&x, 0, "not_indexed", said[i]);
        manifest_says(&x, 0, "not_indexed_after", "2026-11-20T21:00:14+07:00");
        manifest_says(&x, 0, "not_indexed_from", "2026-11-20T21:00:14+07:00");
        snprintf(line, sizeof(line), "Chưa lập chỉ mục / Not indexed: %s\n", said_txt[i]);
        assert_null(memmem(x.txt, x.txt_len, "T21:", strlen("T21:"))); /* no ISO time in it */
        txt_has(&x, line);
        txt_has(&x, part);
        assert_null(memmem(x.txt, x.txt_len, "since", strlen("since")));
        exported_free(&x);
    }
}

/* Nothing delivered of a camera the index cannot speak for: the summary (the CLI's and the
 * audit row's) says so, as it does of one whose footage is delivered, and not only "nothing
 * delivered"; manifest.txt gives the statement with its times whole, as every time there. */
static void test_summary_says_not_indexed_when_nothing_is_delivered(void **state)
{
    struct fixture *fx = *state;
    struct exported x;

    request_past_the_scan(fx, T0 + 30000, "CAM-B");
    export_read(fx, "out-after-sum", &x);
    assert_int_equal(x.res.files, 0);
    assert_string_equal(x.res.summary, "CAM-B nothing (not indexed after 21:01:00)");
    txt_has(&x, "Không trích xuất được / Nothing delivered: not indexed after 2026-11-20 21:01:00 "
                "+07:00: recorder nvr not scanned since\n");
    assert_null(memmem(x.txt, x.txt_len, "2026-11-20T", strlen("2026-11-20T")));
    exported_free(&x);
    /* beside a camera whose footage is delivered: each camera's said */
    request_past_the_scan(fx, T0 + 1000, "CAM-A,CAM-B");
    export_read(fx, "out-after-both", &x);
    assert_int_equal(x.res.files, 1);
    assert_string_equal(x.res.summary, "CAM-A 21:00:01-21:00:14 (not indexed after 21:01:00), "
                                       "CAM-B nothing (not indexed after 21:01:00)");
    exported_free(&x);
}

/* A range days after the last scan: the time the index stops knowing is dated in the summary,
 * not read as a time of the range's day. */
static void test_summary_dates_the_index_end_of_another_day(void **state)
{
    struct fixture *fx = *state;
    struct store_request req = {.scope.from_ms = T0 + 3 * 86400000LL,
                                .scope.to_ms = T0 + 3 * 86400000LL + 600000,
                                .scope.place = STORE_PLACE_CAMERAS,
                                .by = "it-staff",
                                .case_ref = "VV-2026-124",
                                .reason = "sau nhiều ngày",
                                .cameras = "CAM-A"};
    struct cw_err err = {0};
    struct exported x;

    assert_int_equal(store_request_create(fx->s, &req, T0 + 4 * 86400000LL, &fx->request, &err), 0);
    export_read(fx, "out-later", &x);
    assert_int_equal(x.res.files, 0);
    assert_string_equal(x.res.summary, "CAM-A nothing (not indexed after 2026-11-20 21:01:00)");
    exported_free(&x);
}

/* A camera 1.150 s ahead: the range corrected by its offset is exact to the millisecond (the
 * offset is given so), in manifest.txt and in manifest.json's exact_from and exact_to; its from
 * and to, whole seconds as every other time there, the nearest second, not the one below. */
static void test_corrected_range_keeps_the_offsets_milliseconds(void **state)
{
    struct fixture *fx = *state;
    struct store_device dev = {.camera_id = "CAM-A",
                               .probed_ms = T0 - 30000,
                               .has_clock = 1,
                               .clock_at_ms = T0 - 30000,
                               .clock_offset_ms = 1150,
                               .clock_error_ms = 20,
                               .ntp = 0};
    struct cw_err err = {0};
    struct exported x;
    json_t *k;

    assert_int_equal(store_record_device(fx->s, &dev, NULL, 0, NULL, 0, NULL, NULL, &err), 0);
    export_read(fx, "out-ms", &x);
    k = json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "corrected");
    /* delivered 21:00:01 to 21:00:13; true time 1.150 s earlier */
    assert_string_equal(json_string_value(json_object_get(k, "from")), "2026-11-20T21:00:00+07:00");
    assert_string_equal(json_string_value(json_object_get(k, "to")), "2026-11-20T21:00:12+07:00");
    assert_string_equal(json_string_value(json_object_get(k, "exact_from")),
                        "2026-11-20T20:59:59.850+07:00");
    assert_string_equal(json_string_value(json_object_get(k, "exact_to")),
                        "2026-11-20T21:00:11.850+07:00");
    txt_has(&x, "nhanh 1.150 giây / 1.150 s ahead");
    txt_has(&x, "True time if timed by the camera's clock: 2026-11-20 20:59:59.850 +07:00 – "
                "2026-11-20 21:00:11.850 +07:00\n");
    exported_free(&x);
}

/* A request that selects no camera (made before such a request was refused): its export is
 * refused before anything, saying so, not "0 files of 0 cameras". */
static void test_request_of_no_camera_is_not_exported(void **state)
{
    struct fixture *fx = *state;
    const struct export_settings set = {"Lai Vung", TZ, 1000, root_of, fx, NULL};
    struct store_request req = {.scope.from_ms = T0,
                                .scope.to_ms = T0 + 10000,
                                .scope.place = STORE_PLACE_TEXT,
                                .text = "không có chỗ này",
                                .by = "it-staff",
                                .case_ref = "VV-2026-125",
                                .reason = "không có camera"};
    struct export_plan *p = NULL;
    struct cw_err err = {0};

    assert_int_equal(store_request_create(fx->s, &req, T0 + 86400000, &fx->request, &err), 0);
    assert_int_equal(export_plan_build(fx->s, &set, fx->request, &p, &err), EXPORT_PLAN_EMPTY);
    assert_null(p);
    assert_non_null(strstr(err.msg, "selects no camera: nothing to export"));
}

/* The path of CAM-A's segment starting at 21:00:ss. */
static void segment_path(const struct fixture *fx, int ss, char *buf, size_t len)
{
    snprintf(buf, len, "%s/CAM-A/2026-11-20/21-00-%02d.mp4", fx->nvr, ss);
}

/* Source k of camera i in x's manifest.json. */
static json_t *source_of(const struct exported *x, size_t i, size_t k)
{
    json_t *cam = json_array_get(json_object_get(x->json, "cameras"), i);

    return json_array_get(json_object_get(cam, "sources"), k);
}

/* Source k of camera 0 says it was not used, and why; nothing of it read. */
static void source_gone(const struct exported *x, size_t k)
{
    json_t *src = source_of(x, 0, k);

    assert_false(json_is_true(json_object_get(src, "used")));
    assert_string_equal(json_string_value(json_object_get(src, "not_used")), "gone since indexed");
    assert_false(json_is_true(json_object_get(src, "readable")));
    assert_string_equal(json_string_value(json_object_get(src, "reason")), "gone since indexed");
    assert_true(json_is_null(json_object_get(src, "sha256")));
    assert_true(json_is_null(json_object_get(src, "bytes")));
}

/* The recorder overwrote CAM-A's first segment since the scan (what NVRs do with their
 * oldest file): the export does not fail; CAM-A's footage starts at the next segment, and the
 * gone one is said in both manifests. With every one of its files gone, CAM-A gets a note and
 * the export still ends well for the other cameras. */
static void test_first_segment_gone_since_the_scan_is_skipped_not_fatal(void **state)
{
    struct fixture *fx = *state;
    struct exported x;
    char path[256];
    json_t *src;

    segment_path(fx, 0, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    export_read(fx, "out-first-gone", &x);
    assert_int_equal(x.res.files, 1);
    assert_string_equal(x.res.summary, "CAM-A 21:00:02-21:00:13");
    source_gone(&x, 0);
    src = source_of(&x, 0, 1);
    assert_true(json_is_true(json_object_get(src, "used")));
    assert_true(json_is_null(json_object_get(src, "not_used")));
    assert_int_equal(strlen(json_string_value(json_object_get(src, "sha256"))), 64);
    manifest_says(&x, 0, "note",
                  "1 of 5 source files not used (CAM-A/2026-11-20/21-00-00.mp4: gone since "
                  "indexed)");
    txt_has(
        &x,
        "Trích xuất được / Delivered: 2026-11-20 21:00:02 +07:00 – 2026-11-20 21:00:13 +07:00\n");
    txt_has(&x, "    nvr:CAM-A/2026-11-20/21-00-00.mp4  - bytes  SHA-256 -  "
                "không dùng / not used: gone since indexed\n");
    exported_free(&x);
    for (int ss = 2; ss <= 12; ss += 2) {
        segment_path(fx, ss, path, sizeof(path));
        unlink(path);
    }
    export_read(fx, "out-all-gone", &x);
    assert_int_equal(x.res.files, 0);
    manifest_says(&x, 0, "note",
                  "no readable footage in the range; 5 of 5 source files not used "
                  "(CAM-A/2026-11-20/21-00-00.mp4: gone since indexed)");
    for (size_t k = 0; k < 5; k++)
        source_gone(&x, k);
    exported_free(&x);
}

/* A middle segment gone since the scan: the footage after it is still delivered (its time a
 * gap in the file), and the manifests say which sources went into the file. */
static void test_middle_segment_gone_the_rest_still_delivered(void **state)
{
    struct fixture *fx = *state;
    static const int used[] = {1, 1, 0, 1, 1};
    struct exported x;
    char path[256];
    const char *from;
    json_t *gaps;

    segment_path(fx, 4, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    export_read(fx, "out-middle-gone", &x);
    assert_string_equal(x.res.summary, "CAM-A 21:00:01-21:00:13");
    gaps = json_object_get(json_array_get(json_object_get(x.json, "cameras"), 0), "gaps");
    assert_int_equal(json_array_size(gaps), 1);
    from = json_string_value(json_object_get(json_array_get(gaps, 0), "from"));
    /* the end of the last frame before it, 21:00:03.9 or 21:00:04 */
    assert_true(strcmp(from, "2026-11-20T21:00:03+07:00") >= 0 &&
                strcmp(from, "2026-11-20T21:00:04+07:00") <= 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(gaps, 0), "to")),
                        "2026-11-20T21:00:10+07:00");
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(json_is_true(json_object_get(source_of(&x, 0, k), "used")), used[k]);
    source_gone(&x, 2);
    txt_has(
        &x,
        "Trích xuất được / Delivered: 2026-11-20 21:00:01 +07:00 – 2026-11-20 21:00:13 +07:00\n");
    txt_has(&x, "không dùng / not used: gone since indexed\n");
    assert_non_null(memmem(x.txt, x.txt_len, "đã dùng / used\n", strlen("đã dùng / used\n")));
    exported_free(&x);
}

/* A segment replaced by a shorter clip since the scan (smaller: not the recorder appending):
 * its size and SHA-256 in the manifests are those of the file read now (the hash of what
 * sha256sum reads), it is said changed since indexed, and its footage is not put at a time the
 * index gave to other footage. One replaced by a larger file of another container is not
 * taken for one that grew either. */
static void test_segment_changed_since_the_scan_is_said_and_not_used(void **state)
{
    struct fixture *fx = *state;
    struct exported x;
    char path[256], cmd[512], sum[65] = "";
    struct stat sb;
    json_t *src;
    FILE *f;

    segment_path(fx, 2, path, sizeof(path));
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -t 0.5 "
             "-c:v libx264 -g 10 -f mp4 %s",
             path);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    assert_int_equal(stat(path, &sb), 0);
    snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
    assert_non_null(f = popen(cmd, "r"));
    assert_int_equal(fscanf(f, "%64s", sum), 1);
    pclose(f);
    export_read(fx, "out-changed", &x);
    src = source_of(&x, 0, 1);
    assert_int_equal(json_integer_value(json_object_get(src, "bytes")), sb.st_size);
    assert_true(json_integer_value(json_object_get(src, "indexed_bytes")) > sb.st_size);
    assert_string_equal(json_string_value(json_object_get(src, "sha256")), sum);
    assert_true(json_is_true(json_object_get(src, "changed_since_indexed")));
    assert_false(json_is_true(json_object_get(src, "grew_since_indexed")));
    assert_false(json_is_true(json_object_get(src, "used")));
    assert_non_null(
        strstr(json_string_value(json_object_get(src, "not_used")), "changed since indexed"));
    assert_false(json_is_true(json_object_get(source_of(&x, 0, 0), "changed_since_indexed")));
    txt_has(&x, "không dùng / not used: changed since indexed");
    exported_free(&x);
    /* larger and newer, but MPEG-TS where the index has MP4 */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -t 6 "
             "-c:v libx264 -g 10 -f mpegts %s",
             path);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    export_read(fx, "out-changed-container", &x);
    src = source_of(&x, 0, 1);
    assert_true(json_integer_value(json_object_get(src, "bytes")) >
                json_integer_value(json_object_get(src, "indexed_bytes")));
    assert_false(json_is_true(json_object_get(src, "used")));
    assert_string_equal(json_string_value(json_object_get(src, "not_used")),
                        "changed since indexed: not mp4 now");
    txt_has(&x, "không dùng / not used: changed since indexed: not mp4 now");
    exported_free(&x);
}

/* A range over two days: the text manifest gives every time with its date and offset, and the
 * summary dates its times, so that no range reads as if it were all of one day's. */
static void test_range_over_two_days_is_dated_in_the_manifest_and_summary(void **state)
{
    struct fixture *fx = *state;
    struct store_request req = {.scope.from_ms = T0 + 1000 - 86400000,
                                .scope.to_ms = T0 + 13000,
                                .scope.place = STORE_PLACE_CAMERAS,
                                .by = "it-staff",
                                .case_ref = "VV-2026-121",
                                .reason = "hai ngày",
                                .cameras = "CAM-A"};
    struct cw_err err = {0};
    struct exported x;

    assert_int_equal(store_request_create(fx->s, &req, T0 + 86400000, &fx->request, &err), 0);
    export_read(fx, "out-two-days", &x);
    assert_string_equal(x.res.summary, "CAM-A 2026-11-20 21:00:00-2026-11-20 21:00:13");
    txt_has(&x, "Yêu cầu / Requested: 2026-11-19 21:00:01 +07:00 – 2026-11-20 21:00:13 +07:00\n");
    txt_has(&x, "Trích xuất được / Delivered: 2026-11-20 21:00:00 +07:00 – 2026-11-20 21:00:13 "
                "+07:00\n");
    exported_free(&x);
}

/* A range the last scan covers says nothing of the kind. */
static void test_range_within_the_last_scan_says_nothing_not_indexed(void **state)
{
    struct fixture *fx = *state;
    struct export_result res;
    struct cw_err err = {0};
    json_error_t jerr;
    json_t *m;
    size_t len;
    char *text;

    assert_int_equal(export_to(fx, "out-within", NULL, &res, &err), 0);
    assert_string_equal(res.summary, "CAM-A 21:00:01-21:00:13");
    text = file_in(fx, "out-within", "manifest.txt", &len);
    assert_null(memmem(text, len, "not indexed", strlen("not indexed")));
    free(text);
    text = file_in(fx, "out-within", "manifest.json", &len);
    m = json_loadb(text, len, 0, &jerr);
    free(text);
    assert_non_null(m);
    for (size_t i = 0; i < 2; i++) {
        json_t *cam = json_array_get(json_object_get(m, "cameras"), i);
        assert_true(json_is_null(json_object_get(cam, "not_indexed_after")));
        assert_true(json_is_null(json_object_get(cam, "not_indexed")));
    }
    json_decref(m);
}

static void test_second_export_is_byte_identical(void **state)
{
    struct fixture *fx = *state;
    static const char *const names[] = {"CAM-A.mp4", "manifest.json", "manifest.txt", "SHA256SUMS"};
    struct export_result a, b;
    struct cw_err err = {0};

    assert_int_equal(export_to(fx, "out-a", NULL, &a, &err), 0);
    assert_int_equal(export_to(fx, "out-b", NULL, &b, &err), 0);
    assert_string_equal(a.sums_sha256, b.sums_sha256);
    for (size_t i = 0; i < 4; i++) {
        size_t la, lb;
        char *x = file_in(fx, "out-a", names[i], &la), *y = file_in(fx, "out-b", names[i], &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        free(x);
        free(y);
    }
}

static void test_existing_export_never_overwritten_and_audit_rows(void **state)
{
    struct fixture *fx = *state;
    struct export_result res;
    struct cw_err err = {0};
    struct store_audit *rows = NULL;
    size_t n = 0, before, after;
    int64_t count = 0, broken = -1;
    char why[128], *x;

    assert_int_equal(export_to(fx, "out-a", NULL, &res, &err), 0);
    x = file_in(fx, "out-a", "SHA256SUMS", &before);
    free(x);
    assert_int_equal(export_to(fx, "out-a", NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, "exists: an export never overwrites"));
    assert_int_equal(entries(fx, "out-a"), 4);
    x = file_in(fx, "out-a", "SHA256SUMS", &after);
    free(x);
    assert_int_equal(before, after);
    assert_int_equal(store_list_audit(fx->s, 0, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 2); /* the request, and the one export that happened */
    assert_string_equal(rows[1].action, "export");
    assert_string_equal(rows[1].actor, "it-staff");
    assert_non_null(strstr(rows[1].detail, res.sums_sha256));
    free(rows);
    assert_int_equal(store_audit_verify(fx->s, &count, &broken, why, sizeof(why), &err), 0);
    assert_int_equal(broken, 0);
}

/* An export's end rows, done and failed, name the export.start row that began it, so audit
 * verify pairs each with its own start: two exports of one request by one person into one
 * folder, the second done, the first still open (killed). */
static void test_end_rows_name_their_start_row(void **state)
{
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    struct store_audit *rows = NULL, *open = NULL;
    char out[160], want[64];
    int64_t first = 0, second = 0, third = 0;
    size_t n = 0;

    snprintf(out, sizeof(out), "%s/out-ref", fx->dir);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", out, 1, T0, &first, &err),
                     0);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", out, 1, T0, &second, &err),
                     0);
    assert_int_equal(second, first + 1);
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), 0);
    assert_int_equal(export_audit(fx->s, p, &res, second, "it-staff", T0, &err), 0);
    assert_int_equal(store_audit_unfinished_exports(fx->s, &open, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(open[0].id, first);
    free(open);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", out, 1, T0, &third, &err),
                     0);
    assert_int_equal(
        export_audit_failed(fx->s, fx->request, third, "it-staff", out, "exists", T0, &err), 0);
    assert_int_equal(store_list_audit(fx->s, second, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 3); /* done, start, failed */
    snprintf(want, sizeof(want), "; export.start row %lld", (long long)second);
    assert_string_equal(rows[0].detail + strlen(rows[0].detail) - strlen(want), want);
    snprintf(want, sizeof(want), "; export.start row %lld", (long long)third);
    assert_string_equal(rows[2].detail + strlen(rows[2].detail) - strlen(want), want);
    free(rows);
    assert_int_equal(store_audit_unfinished_exports(fx->s, &open, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(open[0].id, first);
    free(open);
    export_plan_free(p);
}

/* A CLI export's start row says that it holds its folder's lock (the folder, then "; folder
 * locked"), so audit verify trusts the lock only for its rows; the API's row (no folder, no
 * lock) and an older version's row (a folder, no mark) say nothing of one. The where read back
 * is the folder alone. A where of EXPORT_DIR_MAX bytes goes whole with its mark; a longer one
 * is refused, with no row. */
static void test_a_start_row_says_whether_its_export_locks_its_folder(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct store_audit *rows = NULL;
    char out[160], where[sizeof(rows->detail)], want[sizeof(rows->detail)];
    char longest[EXPORT_DIR_MAX + 2];
    int64_t locked = 0, api = 0, older = 0, whole = 0, refused = 0;
    size_t n = 0;

    snprintf(out, sizeof(out), "%s/vv-118", fx->dir);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", out, 1, T0, &locked, &err),
                     0);
    assert_int_equal(
        export_audit_start(fx->s, fx->request, "t-inv", "request-1-1", 0, T0, &api, &err), 0);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", out, 0, T0, &older, &err),
                     0);
    memset(longest, 'x', sizeof(longest));
    longest[0] = '/';
    longest[EXPORT_DIR_MAX] = '\0';
    assert_int_equal(
        export_audit_start(fx->s, fx->request, "it-staff", longest, 1, T0, &whole, &err), 0);
    longest[EXPORT_DIR_MAX] = 'x';
    longest[EXPORT_DIR_MAX + 1] = '\0';
    assert_int_equal(
        export_audit_start(fx->s, fx->request, "it-staff", longest, 1, T0, &refused, &err), -1);
    assert_non_null(strstr(err.msg, "an export folder's is 640 at the most"));
    assert_int_equal(store_list_audit(fx->s, locked - 1, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 4); /* none for the one refused */
    assert_string_equal(rows[0].action, "export.start");
    snprintf(want, sizeof(want), "request %lld", (long long)fx->request);
    assert_string_equal(rows[0].subject, want);
    snprintf(want, sizeof(want), "%s; folder locked", out);
    assert_string_equal(rows[0].detail, want);
    assert_int_equal(store_audit_start_where(&rows[0], where, sizeof(where)), 1);
    assert_string_equal(where, out);
    assert_string_equal(rows[1].detail, "request-1-1");
    assert_int_equal(store_audit_start_where(&rows[1], where, sizeof(where)), 0);
    assert_string_equal(where, "request-1-1");
    assert_string_equal(rows[2].detail, out);
    assert_int_equal(store_audit_start_where(&rows[2], where, sizeof(where)), 0);
    assert_string_equal(where, out);
    longest[EXPORT_DIR_MAX] = '\0';
    snprintf(want, sizeof(want), "%s; folder locked", longest);
    assert_string_equal(rows[3].detail, want);
    assert_int_equal(store_audit_start_where(&rows[3], where, sizeof(where)), 1);
    assert_string_equal(where, longest);
    free(rows);
}

/* A folder whose absolute path is over EXPORT_DIR_MAX bytes is refused before any row, naming
 * it and the limit: its rows could not hold it whole, nor the SHA-256 of SHA256SUMS after it
 * in the end row. One of EXPORT_DIR_MAX bytes is taken, and its end row holds the folder, the
 * SHA-256 and the start row's reference whole, beside a case reference as long as it may be. */
static void test_a_folder_path_too_long_for_its_audit_rows_is_refused_before_any_row(void **state)
{
    struct fixture *fx = *state;
    struct store_request req = {
        .scope.from_ms = T0 + 1000, .scope.to_ms = T0 + 13000, .scope.place = STORE_PLACE_CAMERAS};
    struct export_plan *p;
    struct export_result res = {0};
    struct store_audit *rows = NULL;
    struct cw_err err = {0};
    char base[PATH_MAX], dir[PATH_MAX], abs[PATH_MAX + 16], sha[65], tail[96];
    int64_t start = 0;
    size_t n = 0, len;

    snprintf(req.by, sizeof(req.by), "Đại úy Lê Văn A");
    memset(req.case_ref, 'c', sizeof(req.case_ref) - 1); /* as long as a case reference goes */
    snprintf(req.reason, sizeof(req.reason), "trộm xe máy tại chợ");
    snprintf(req.cameras, sizeof(req.cameras), "CAM-A,CAM-B");
    assert_int_equal(store_request_create(fx->s, &req, T0 + 86400000, &fx->request, &err), 0);
    p = plan(fx);
    assert_non_null(realpath(fx->dir, base));
    /* Folders of 100-byte names down to a parent whose path leaves a last name of 10 to 109. */
    len = (size_t)snprintf(dir, sizeof(dir), "%s", base);
    while (len + 1 + 100 + 1 + 10 <= EXPORT_DIR_MAX) {
        len += (size_t)snprintf(dir + len, sizeof(dir) - len, "/%0100d", (int)len);
        assert_int_equal(mkdir(dir, 0750), 0);
    }
    len += (size_t)snprintf(dir + len, sizeof(dir) - len, "/");
    memset(dir + len, 'e', EXPORT_DIR_MAX + 1 - len);
    dir[EXPORT_DIR_MAX + 1] = '\0';
    assert_int_equal(export_dir_check(dir, abs, sizeof(abs), &err), -1);
    assert_string_equal(err.msg, "its absolute path is 641 bytes; an export folder's is 640 at the "
                                 "most, so that its audit rows hold it whole");
    dir[EXPORT_DIR_MAX] = '\0';
    assert_int_equal(export_dir_check(dir, abs, sizeof(abs), &err), 0);
    assert_string_equal(abs, dir);
    assert_int_equal(export_audit_start(fx->s, fx->request, "it-staff", abs, 1, T0, &start, &err),
                     0);
    snprintf(res.out_dir, sizeof(res.out_dir), "%.*s", EXPORT_DIR_MAX, abs);
    memset(sha, 'f', 64);
    sha[64] = '\0';
    snprintf(res.sums_sha256, sizeof(res.sums_sha256), "%s", sha);
    memset(res.summary, 's', sizeof(res.summary) - 1);
    res.files = 18;
    res.cameras = 9;
    assert_int_equal(export_audit(fx->s, p, &res, start, "it-staff", T0 + 1000, &err), 0);
    export_plan_free(p);
    assert_int_equal(store_list_audit(fx->s, start, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    snprintf(tail, sizeof(tail), "; export.start row %lld", (long long)start);
    assert_non_null(strstr(rows[0].detail, abs));
    assert_non_null(strstr(rows[0].detail, sha));
    len = strlen(rows[0].detail);
    assert_true(len > strlen(tail));
    assert_string_equal(rows[0].detail + len - strlen(tail), tail);
    free(rows);
}

/* The audit row names the folder by its absolute, resolved path, not as typed ("out8" means
 * nothing later, nor does "x/../out"); export_dir_check gives the same before the folder
 * exists, for the row written before the export. */
static void test_audit_row_names_the_folder_by_its_resolved_path(void **state)
{
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    struct store_audit *rows = NULL;
    char real[PATH_MAX], want[PATH_MAX + 16], before[PATH_MAX + 16], cwd[PATH_MAX];
    char to[PATH_MAX + 32];
    size_t n = 0;

    assert_non_null(realpath(fx->dir, real));
    snprintf(want, sizeof(want), "%s/out-rel", real);
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(fx->dir), 0);
    assert_int_equal(export_dir_check("scratch/../out-rel/", before, sizeof(before), &err), 0);
    assert_string_equal(before, want);
    assert_int_equal(export_dir_check("out-rel", before, sizeof(before), &err), 0);
    assert_string_equal(before, want);
    assert_int_equal(export_dir_check("no-such/out", before, sizeof(before), &err), -1);
    assert_non_null(strstr(err.msg, "its parent folder"));
    assert_int_equal(export_run(p, "scratch/../out-rel", NULL, NULL, NULL, &res, &err), 0);
    assert_int_equal(export_dir_check("out-rel", before, sizeof(before), &err), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(before, want); /* the same once it exists */
    assert_string_equal(res.out_dir, want);
    assert_int_equal(export_audit(fx->s, p, &res, 0, "it-staff", T0 + 2 * 86400000, &err), 0);
    export_plan_free(p);
    assert_int_equal(store_list_audit(fx->s, 0, 0, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    snprintf(to, sizeof(to), " to %s; ", want);
    assert_non_null(strstr(rows[1].detail, to));
    free(rows);
}

/* An existing folder others may write (E9: mkdir -m 0777), or its group, is refused before any
 * work, naming it and what to do, and nothing is written in it; with the sticky bit (only a
 * file's owner may remove it) it is used. One owned by another user is refused too (as root:
 * only root can give a folder away). */
static void test_folder_others_may_write_is_refused(void **state)
{
    static const struct {
        mode_t mode;
        const char *says;
    } bad[] = {{0777, "writable by others (mode 0777)"},
               {0770, "writable by its group (mode 0770)"}};
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    char out[160], abs[PATH_MAX + 16], chmod_hint[PATH_MAX + 64];

    snprintf(out, sizeof(out), "%s/out-shared", fx->dir);
    assert_int_equal(mkdir(out, 0750), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(chmod(out, bad[i].mode), 0);
        assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
        assert_non_null(strstr(err.msg, bad[i].says));
        snprintf(chmod_hint, sizeof(chmod_hint), "chmod 0750 %s", out);
        assert_non_null(strstr(err.msg, chmod_hint));
        assert_string_equal(err.file, out);
        assert_int_equal(entries(fx, "out-shared"), 0);
        assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1); /* before a row */
        assert_non_null(strstr(err.msg, bad[i].says));
    }
    assert_int_equal(chmod(out, 01777), 0); /* as /tmp */
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), 0);
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), 0);
    assert_int_equal(entries(fx, "out-shared"), 4);
    if (geteuid() == 0) {
        snprintf(out, sizeof(out), "%s/out-theirs", fx->dir);
        assert_int_equal(mkdir(out, 0750), 0);
        assert_int_equal(chown(out, 65534, 65534), 0);
        assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
        assert_non_null(strstr(err.msg, "owned by uid 65534, not by the user exporting (uid 0)"));
        assert_int_equal(entries(fx, "out-theirs"), 0);
        assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
    }
    export_plan_free(p);
}

/* A folder above the export's that others (or its group, or another user) may change is
 * refused too, before any row and any file: whoever may write it could move the export's folder
 * away and put another in its place. Whether the export's folder exists yet or not; with the
 * sticky bit (as /tmp) it is fine. (Only the folder itself was checked.) */
static void test_folder_above_others_may_write_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    char above[160], out[200], abs[PATH_MAX + 16], says[PATH_MAX + 64];
    struct stat sb;

    snprintf(above, sizeof(above), "%s/shared", fx->dir);
    assert_int_equal(mkdir(above, 0750), 0);
    assert_int_equal(chmod(above, 0777), 0);
    snprintf(out, sizeof(out), "%s/case-118", above);
    snprintf(says, sizeof(says), "a folder above %s, writable by others (mode 0777)", out);
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1); /* not made yet */
    assert_non_null(strstr(err.msg, says));
    assert_string_equal(err.file, above);
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, says));
    assert_int_not_equal(stat(out, &sb), 0); /* the folder it made is gone again */
    assert_int_equal(mkdir(out, 0750), 0);   /* one of one's own, in it */
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
    assert_non_null(strstr(err.msg, says));
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
    assert_int_equal(entries(fx, "shared/case-118"), 0);
    assert_int_equal(chmod(above, 0770), 0);
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
    assert_non_null(strstr(err.msg, "writable by its group (mode 0770)"));
    assert_int_equal(chmod(above, 01777), 0); /* as /tmp */
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), 0);
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), 0);
    assert_int_equal(entries(fx, "shared/case-118"), 4);
    if (geteuid() == 0) {
        assert_int_equal(chmod(above, 0755), 0);
        assert_int_equal(chown(above, 65534, 65534), 0);
        snprintf(out, sizeof(out), "%s/case-119", above);
        assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
        assert_non_null(strstr(err.msg, "owned by uid 65534, not by the user exporting (uid 0)"));
        assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
        assert_int_not_equal(stat(out, &sb), 0);
    }
    export_plan_free(p);
}

/* The folders above are those the export's files are written through, not only those of the
 * path a symlink leads to: whoever may write a folder holding a symlink on the way may point it
 * elsewhere between the check and the writes, and the export goes where they chose. Here the
 * symlink sits in a folder others may write (mode 0777, no sticky bit), which refuses the same
 * export typed without the symlink. */
static void test_folder_above_reached_through_a_symlink_others_may_write_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    char open_dir[160], priv[160], link[200], out[240], abs[PATH_MAX + 16];

    snprintf(open_dir, sizeof(open_dir), "%s/open", fx->dir);
    snprintf(priv, sizeof(priv), "%s/priv", fx->dir);
    assert_int_equal(mkdir(open_dir, 0750), 0);
    assert_int_equal(chmod(open_dir, 0777), 0);
    assert_int_equal(mkdir(priv, 0700), 0);
    snprintf(link, sizeof(link), "%s/ev", open_dir);
    assert_int_equal(symlink(priv, link), 0);
    /* Typed without the symlink, the open folder is refused. */
    snprintf(out, sizeof(out), "%s/case-120", open_dir);
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
    /* Through it, the same open folder is on the way. */
    snprintf(out, sizeof(out), "%s/case-121", link);
    assert_int_equal(export_dir_check(out, abs, sizeof(abs), &err), -1);
    assert_int_equal(export_run(p, out, NULL, NULL, NULL, &res, &err), -1);
    assert_int_equal(entries(fx, "priv"), 0);
    export_plan_free(p);
}

static void test_cancelled_export_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    atomic_int cancel = 1;
    struct export_result res;
    struct cw_err err = {0};

    assert_int_equal(export_to(fx, "out-c", &cancel, &res, &err), -1);
    assert_non_null(strstr(err.msg, "cancelled"));
    assert_int_equal(entries(fx, "out-c"), 0);
}

/* The MP4 cannot be written whole (a file size limit, as a full disk would do it): the export
 * fails, says why, and leaves nothing in the folder: no file certified by its SHA-256 that no
 * player can open. */
static void test_unwritable_mp4_fails_the_export_and_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    struct export_plan *p = plan(fx);
    struct export_result res;
    struct cw_err err = {0};
    struct rlimit was, small;
    char out[160];
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN); /* write() says EFBIG instead */
    int rc;

    snprintf(out, sizeof(out), "%s/out-full", fx->dir);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    small = was;
    small.rlim_cur = 20000; /* the moov atom, at the end, never fits */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = export_run(p, out, NULL, NULL, NULL, &res, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, xfsz);
    export_plan_free(p);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "camera CAM-A: CAM-A.mp4: writing the output"));
    assert_non_null(strstr(err.msg, strerror(EFBIG)));
    assert_int_equal(entries(fx, "out-full"), 0);
    assert_int_equal(access(out, F_OK), -1); /* the folder it made, removed */
}

/* Cameras with ids long enough that the audit summary is full before the last of them: every
 * file delivered is still counted ("N files of M cameras" in the audit row and the API's
 * result), however short the summary has to be cut. */
#define MANY_CAMS 8
static void test_every_file_counted_when_the_summary_is_full(void **state)
{
    char dir[64], db[128], nvr[128], scratch[160], path[512], ids[MANY_CAMS][CFG_ID_MAX + 1];
    const char *idp[MANY_CAMS];
    struct ftest_camera cams[MANY_CAMS];
    struct store_request req = {
        .scope.from_ms = T0, .scope.to_ms = T0 + 2000, .scope.place = STORE_PLACE_CAMERAS};
    struct recsrc_def d = {.name = "nvr",
                           .kind = RECSRC_DIR,
                           .pattern = "{camera}/%Y-%m-%d/%H-%M-%S.mp4",
                           .time_zone = TZ,
                           .cameras = idp,
                           .n_cameras = MANY_CAMS};
    const struct export_settings set = {"Lai Vung", TZ, 1000, root_of_dir, nvr, NULL};
    struct store *s = NULL, *ro = NULL;
    struct recsrc *r = NULL;
    struct rec_result *scan = NULL;
    struct export_plan *p = NULL;
    struct export_result res;
    struct cw_err err = {0};
    size_t cursor = 0, off = 0;
    struct recsrc_tally tally = {0};
    int64_t rid = 0;

    (void)state;
    assert_int_equal(ftest_store_open("export-many", dir, sizeof(dir), db, sizeof(db), &s), 0);
    snprintf(nvr, sizeof(nvr), "%s/nvr", dir);
    snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
    assert_int_equal(mkdir(nvr, 0750), 0);
    assert_int_equal(mkdir(scratch, 0750), 0);
    cwtest_make_segments(scratch, 1, 2, "mp4", 1);
    for (int k = 0; k < MANY_CAMS; k++) {
        snprintf(ids[k], sizeof(ids[k]), "CAM-%d-%.*s", k, CFG_ID_MAX - 6,
                 "PHUONG-1-NGA-TU-QUOC-LO-54-VA-DUONG-TINH-851-HUONG-VE-CHO-LAI-VUNG");
        idp[k] = ids[k];
        cams[k] = (struct ftest_camera){ids[k], "Ngã tư", "Thị trấn Lai Vung", NULL, NULL, "nvr", 0,
                                        0,      0};
        snprintf(path, sizeof(path), "%s/%s", nvr, ids[k]);
        assert_int_equal(mkdir(path, 0750), 0);
        snprintf(path, sizeof(path), "%s/%s/2026-11-20", nvr, ids[k]);
        assert_int_equal(mkdir(path, 0750), 0);
        snprintf(path, sizeof(path), "%s/%s/2026-11-20/21-00-00.mp4", nvr, ids[k]);
        snprintf(scratch, sizeof(scratch), "%s/scratch/seg000.mp4", dir);
        assert_int_equal(link(scratch, path), 0);
        off += (size_t)snprintf(req.cameras + off, sizeof(req.cameras) - off, "%s%s", k ? "," : "",
                                ids[k]);
    }
    ftest_sync(s, cams, MANY_CAMS, T0 - 86400000);
    d.path = nvr;
    assert_int_equal(recsrc_new(&d, &r, &err), 0);
    assert_int_equal(store_open(db, STORE_READONLY, &ro, &err), 0);
    assert_int_equal(recsrc_scan(r, ro, 0, cw_now_ms() + 60000, NULL, NULL, NULL, &scan, &err), 0);
    store_close(ro);
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(recsrc_apply(r, s, scan, &cursor, 0, T0, &tally, &err), 1);
    assert_int_equal(recsrc_finish(r, s, 1, NULL, T0 + 60000, &err), 0);
    assert_int_equal(store_commit(s, &err), 0);
    rec_result_free(scan);
    recsrc_free(r);
    snprintf(req.by, sizeof(req.by), "Đại úy Lê Văn A");
    snprintf(req.case_ref, sizeof(req.case_ref), "VV-2026-119");
    snprintf(req.reason, sizeof(req.reason), "tai nạn giao thông");
    assert_int_equal(store_request_create(s, &req, T0 + 86400000, &rid, &err), 0);
    assert_int_equal(export_plan_build(s, &set, rid, &p, &err), 0);
    snprintf(path, sizeof(path), "%s/out", dir);
    assert_int_equal(export_run(p, path, NULL, NULL, NULL, &res, &err), 0);
    assert_int_equal(res.cameras, MANY_CAMS);
    assert_true(strlen(res.summary) >= sizeof(res.summary) - 100); /* full: the case pinned */
    assert_int_equal(res.files, MANY_CAMS);
    export_plan_free(p);
    ftest_teardown(s, dir, NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_export_writes_mp4_manifests_and_sums),
        T(test_manifest_says_not_indexed_not_no_footage),
        T(test_manifest_says_not_indexed_after_the_last_scan),
        T(test_summary_says_not_indexed_when_nothing_is_delivered),
        T(test_summary_dates_the_index_end_of_another_day),
        T(test_corrected_range_keeps_the_offsets_milliseconds),
        T(test_request_of_no_camera_is_not_exported),
        T(test_delivered_footage_still_says_not_indexed_after_the_last_scan),
        T(test_delivered_footage_of_a_camera_the_index_does_not_cover_says_so),
        T(test_manifest_words_the_index_end_as_what_it_is),
        T(test_export_of_footage_on_a_removed_recorder_says_not_indexed),
        T(test_range_within_the_last_scan_says_nothing_not_indexed),
        T(test_second_export_is_byte_identical),
        T(test_existing_export_never_overwritten_and_audit_rows),
        T(test_cancelled_export_leaves_nothing),
        T(test_audit_row_names_the_folder_by_its_resolved_path),
        T(test_end_rows_name_their_start_row),
        T(test_a_start_row_says_whether_its_export_locks_its_folder),
        T(test_a_folder_path_too_long_for_its_audit_rows_is_refused_before_any_row),
        T(test_folder_others_may_write_is_refused),
        T(test_folder_above_others_may_write_is_refused),
        T(test_folder_above_reached_through_a_symlink_others_may_write_is_refused),
        T(test_unwritable_mp4_fails_the_export_and_leaves_nothing),
        T(test_first_segment_gone_since_the_scan_is_skipped_not_fatal),
        T(test_middle_segment_gone_the_rest_still_delivered),
        T(test_segment_changed_since_the_scan_is_said_and_not_used),
        T(test_range_over_two_days_is_dated_in_the_manifest_and_summary),
        cmocka_unit_test(test_every_file_counted_when_the_summary_is_full),
    };

    log_init("test_export", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
