/* test_doc_stream.c - documents written as they are built (index/doc_out.c) are byte for byte
 * what the documents built whole print: doc_out's file out against json_dumpf of its tree
 * out for the same parts; `events --json` (doc_events_all, written a page at a time) against
 * what the CLI printed before, the pages of doc_events joined into one array and dumped; and
 * the uptime document written as the store works each camera out against the one built
 * whole (doc_uptime) and the API's (doc_uptime_rows). A real SQLite store written through the
 * store's own functions; the zone is UTC. */
#define _XOPEN_SOURCE 700 /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../index/store.h"
#include "cwtest.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z */
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)
#define N_CAMS 3

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct cfg cfg;
    struct cfg_camera cams[N_CAMS];
    struct cfg_owner owner;
    struct doc_ctx c;
};

static int setup(void **state)
{
    static const char *const ids[N_CAMS] = {"CAH-001", "CHO-01", "TD-01"};
    static const char *const owners[N_CAMS] = {"CAH", "BQLC", "CAH"};
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "doc-stream") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    for (int i = 0; i < N_CAMS; i++)
        fx->cams[i] = (struct cfg_camera){.id = (char *)ids[i],
                                          .name = "Ngã ba \"Tân\" Thành\n(cũ)",
                                          .owner = (char *)owners[i],
                                          .rtsp_url = "rtsp://127.0.0.1:8554/cam",
                                          .site_kind = CFG_SITE_DISTRICT};
    fx->owner = (struct cfg_owner){"CAH", "Công an huyện Lai Vung"};
    fx->cfg = (struct cfg){.cameras = fx->cams,
                           .n_cameras = N_CAMS,
                           .owners = &fx->owner,
                           .n_owners = 1,
                           .time_zone = "UTC"};
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0 ||
        store_sync_cameras(fx->s, &fx->cfg, T0, &err) != 0)
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

/* ---- events ---- */

static void move(struct fixture *fx, const char *id, enum cw_state from, enum cw_state to,
                 int64_t at, const char *reason)
{
    struct cw_err err = {0};

    if (store_record_transition(fx->s, id, from, to, at, reason, &err) != 0)
        fail_msg("transition %s: %s", id, err.msg);
}

static void firmware(struct fixture *fx, const char *id, int64_t at, const char *fw)
{
    struct store_device d = {0};
    struct cw_err err = {0};

    snprintf(d.camera_id, sizeof(d.camera_id), "%s", id);
    d.probed_ms = at;
    d.ok = 1;
    snprintf(d.firmware, sizeof(d.firmware), "%s", fw);
    if (store_record_device(fx->s, &d, NULL, 0, NULL, 0, NULL, NULL, &err) != 0)
        fail_msg("device %s: %s", id, err.msg);
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
            firmware(fx, "CHO-01", at + 1, fw);
        }
    }
    assert_int_equal(store_commit(fx->s, &err), 0);
}

/* What `camwatch events --json` printed before: every page of doc_events, joined. */
static char *events_joined(struct fixture *fx, const char *camera, int64_t since_ms)
{
    struct doc_events_query q = {camera, since_ms, 1000, NULL};
    struct cw_err err = {0};
    json_t *all = json_array(), *page;
    char *after = NULL, *out;

    do {
        assert_int_equal(doc_events(&fx->c, &q, &page, &err), 0);
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
            struct store_uptime *rows = NULL;
            struct cw_err err = {0};
            struct written w;
            json_t *whole, *api;
            char *want, *want_api, *got;
            size_t n = 0;

            assert_int_equal(doc_uptime(&fx->c, ranges[r][0], ranges[r][1], bys[b], &whole, &err),
                             0);
            assert_int_equal(store_uptime(fx->s, ranges[r][0], ranges[r][1], &rows, &n, &err), 0);
            assert_int_equal(
                doc_uptime_rows(&fx->c, ranges[r][0], ranges[r][1], bys[b], rows, n, &api, &err),
                0);
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
                assert_int_equal(json_array_size(own), 2);
                assert_string_equal(
                    json_string_value(json_object_get(json_array_get(own, 0), "owner")), "BQLC");
                assert_int_equal(
                    json_integer_value(json_object_get(json_array_get(own, 1), "cameras")), 2);
            }
            free(got);
            free(want);
            free(want_api);
            free(rows);
            json_decref(whole);
            json_decref(api);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_document_is_what_json_dumpf_prints_of_the_tree),
        cmocka_unit_test(test_parts_out_of_order_are_refused_and_stay_refused),
        cmocka_unit_test_setup_teardown(test_events_written_as_read_are_the_pages_joined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_of_an_unknown_camera_write_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uptime_written_is_the_document_built_whole, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
