/* test_doc_files.c - the documents read from files beside a real store rather than its
 * tables. The daemon's health (index/doc_daemon.c) from the vitals file the daemon's own
 * writer (daemon/vitals.c, on a real libev loop) puts there: every field, times in ISO beside
 * their ms, running for this live process; not running when the figures are three write
 * intervals old or their process is gone; the store's failing_since null when it takes
 * writes; no file yet; a file that is not JSON. The API tokens (index/doc_tokens.c) from a
 * tokens file written through config/tokens.c: no file is no tokens; entries in the file's
 * order with name, role and created (null when the file has none) and never the hash; a file
 * that does not parse named with its line; a token just added, shown once. The zone is UTC so
 * ISO strings are predictable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <ev.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../config/tokens.h"
#include "../daemon/vitals.h"
#include "../index/doc.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z */
#define HASH_A "c1943eae4ed8cc45a6531a9b097da1d2764030dfe0ccd72238070edcd5ada616"

struct fixture {
    struct store_fixture *st;
    struct cfg cfg;
    struct doc_ctx c;
    char vitals[160];
    char tokens[160];
    int failing; /* what the write batch tells the vitals */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    void *st = NULL;

    if (fx == NULL || store_fixture_setup(&st, "doc-files", 2, T0) != 0) {
        free(fx);
        return -1;
    }
    fx->st = st;
    fx->cfg.database = fx->st->path;
    fx->cfg.time_zone = "UTC";
    fx->cfg.http_tokens = fx->tokens;
    fx->c = (struct doc_ctx){NULL, &fx->cfg, "UTC"}; /* the documents read no table */
    snprintf(fx->vitals, sizeof(fx->vitals), "%s.daemon.json", fx->st->path);
    snprintf(fx->tokens, sizeof(fx->tokens), "%s/tokens.ini", fx->st->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    void *st = fx->st;

    free(fx);
    return store_fixture_teardown(&st);
}

static void batch_read(void *data, struct batch_health *store, int counts[5], size_t *cameras)
{
    const struct fixture *fx = data;

    memset(store, 0, sizeof(*store));
    store->failing = fx->failing;
    store->failing_since_ms = fx->failing ? T0 : 0;
    store->pending = fx->failing ? 7 : 0;
    store->commits = 42;
    if (fx->failing)
        snprintf(store->error, sizeof(store->error), "database or disk is full");
    counts[CW_UP] = 1;
    counts[CW_DOWN] = 1;
    *cameras = 2;
}

/* The vitals file as the daemon writes it: a writer started on a loop, written once. */
static void daemon_writes(struct fixture *fx)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct vitals_sources src = {batch_read, NULL, fx};
    struct vitals *v = NULL;
    struct cw_err err = {0};

    assert_non_null(loop);
    if (vitals_new(loop, fx->vitals, &src, &v, &err) != 0)
        fail_msg("vitals: %s", err.msg);
    vitals_write(v);
    vitals_free(v);
    ev_loop_destroy(loop);
}

/* The daemon's file with key set to value (a process long gone, figures gone stale): what no
 * running daemon writes on demand. */
static void vitals_set(const struct fixture *fx, const char *key, json_int_t value)
{
    json_error_t jerr;
    json_t *o = json_load_file(fx->vitals, 0, &jerr);

    if (o == NULL)
        fail_msg("%s: %s", fx->vitals, jerr.text);
    json_object_set_new(o, key, json_integer(value));
    assert_int_equal(json_dump_file(o, fx->vitals, 0), 0);
    json_decref(o);
}

/* The object build (doc_daemon, doc_tokens) makes; fails the test when it refuses. */
static json_t *built(struct fixture *fx,
                     int (*build)(const struct doc_ctx *c, json_t **out, struct cw_err *err))
{
    json_t *doc = NULL;
    struct cw_err err = {0};

    if (build(&fx->c, &doc, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(json_is_object(doc));
    return doc;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_int_t num(const json_t *o, const char *k)
{
    assert_true(json_is_integer(json_object_get(o, k)));
    return json_integer_value(json_object_get(o, k));
}

/* ms as doc_iso writes it in UTC. */
static void iso_utc(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static void test_daemon_without_vitals_is_not_found(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    assert_int_equal(doc_daemon(&fx->c, &doc, &err), DOC_NOT_FOUND);
    assert_null(doc);
    assert_string_equal(err.file, fx->vitals);
    assert_string_equal(err.msg, "no vitals here: camwatchd has not run with this database yet");
}

static void test_daemon_running_from_the_vitals_the_daemon_wrote(void **state)
{
    struct fixture *fx = *state;
    json_t *doc;
    const json_t *st, *states;
    char iso[40];
    static const char *const keys[] = {
        "pid",     "started_ms", "written_ms", "write_every_s", "loop",    "store",   "resolver",
        "cameras", "states",     "file",       "age_ms",        "running", "written", "started"};

    fx->failing = 1;
    daemon_writes(fx);
    doc = built(fx, doc_daemon);
    assert_int_equal(json_object_size(doc), sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(doc, keys[i]));
    assert_int_equal(num(doc, "pid"), getpid());
    assert_true(json_is_true(json_object_get(doc, "running")));
    assert_string_equal(str(doc, "file"), fx->vitals);
    assert_true(num(doc, "age_ms") >= 0);
    assert_true(num(doc, "age_ms") <= cw_now_ms() - num(doc, "written_ms"));
    iso_utc(num(doc, "written_ms"), iso, sizeof(iso));
    assert_string_equal(str(doc, "written"), iso);
    iso_utc(num(doc, "started_ms"), iso, sizeof(iso));
    assert_string_equal(str(doc, "started"), iso);
    assert_true(json_real_value(json_object_get(doc, "write_every_s")) == VITALS_WRITE_S);
    assert_int_equal(num(doc, "cameras"), 2);
    states = json_object_get(doc, "states");
    assert_int_equal(json_object_size(states), 5);
    assert_int_equal(num(states, "up"), 1);
    assert_int_equal(num(states, "down"), 1);
    assert_int_equal(num(states, "degraded"), 0);
    assert_int_equal(num(states, "unknown"), 0);
    assert_int_equal(num(states, "maintenance"), 0);
    st = json_object_get(doc, "store");
    assert_true(json_is_false(json_object_get(st, "writable")));
    assert_int_equal(num(st, "pending"), 7);
    assert_int_equal(num(st, "commits"), 42);
    assert_int_equal(num(st, "failing_since_ms"), T0);
    assert_string_equal(str(st, "failing_since"), "2023-11-14T22:13:20+00:00");
    assert_string_equal(str(st, "error"), "database or disk is full");
    json_decref(doc);
}

static void test_daemon_not_running_when_stale_or_gone_failing_since_null(void **state)
{
    struct fixture *fx = *state;
    json_t *doc;
    const json_t *st;
    pid_t gone = fork();

    assert_true(gone >= 0);
    if (gone == 0)
        _exit(0);
    assert_int_equal(waitpid(gone, NULL, 0), gone);

    daemon_writes(fx); /* the store takes writes */
    doc = built(fx, doc_daemon);
    assert_true(json_is_true(json_object_get(doc, "running")));
    st = json_object_get(doc, "store");
    assert_true(json_is_true(json_object_get(st, "writable")));
    assert_non_null(json_object_get(st, "failing_since"));
    assert_true(json_is_null(json_object_get(st, "failing_since")));
    assert_true(json_is_null(json_object_get(st, "failing_since_ms")));
    assert_true(json_is_null(json_object_get(st, "error")));
    json_decref(doc);

    /* over three write intervals old: this process lives, yet the figures are stale */
    vitals_set(fx, "written_ms", cw_now_ms() - 4 * (json_int_t)(VITALS_WRITE_S * 1000));
    doc = built(fx, doc_daemon);
    assert_true(json_is_false(json_object_get(doc, "running")));
    assert_true(num(doc, "age_ms") >= 4 * (json_int_t)(VITALS_WRITE_S * 1000));
    json_decref(doc);

    /* fresh figures of a process that is gone */
    vitals_set(fx, "written_ms", cw_now_ms());
    vitals_set(fx, "pid", gone);
    doc = built(fx, doc_daemon);
    assert_int_equal(num(doc, "pid"), gone);
    assert_true(json_is_false(json_object_get(doc, "running")));
    json_decref(doc);
}

static void test_daemon_vitals_not_json_is_an_error_naming_the_file(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    cwtest_write_file(fx->vitals, "{\"pid\": 12,\n", 0600);
    assert_int_equal(doc_daemon(&fx->c, &doc, &err), -1);
    assert_null(doc);
    assert_string_equal(err.file, fx->vitals);
    assert_true(err.msg[0] != '\0');
    cwtest_write_file(fx->vitals, "[1, 2]\n", 0600);
    assert_int_equal(doc_daemon(&fx->c, &doc, &err), -1);
    assert_string_equal(err.msg, "not a JSON object");
}

/* ---- doc_tokens, doc_token_added ---- */

static json_t *tokens_doc(struct fixture *fx)
{
    json_t *doc = built(fx, doc_tokens);

    assert_int_equal(json_object_size(doc), 2);
    assert_string_equal(str(doc, "file"), fx->tokens);
    return doc;
}

static void test_tokens_without_a_file_are_none(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = tokens_doc(fx);

    assert_true(json_is_array(json_object_get(doc, "tokens")));
    assert_int_equal(json_array_size(json_object_get(doc, "tokens")), 0);
    json_decref(doc);
}

static void test_tokens_in_file_order_created_null_never_the_hash(void **state)
{
    struct fixture *fx = *state;
    char token[TOKENS_TOKEN_MAX];
    const json_t *arr, *e;
    json_t *doc;
    struct cw_err err = {0};

    /* zed by hand without a created line; then alice added as `token add` does */
    cwtest_write_file(fx->tokens, "[zed]\nrole = admin\nsha256 = " HASH_A "\n", 0600);
    if (tokens_add(fx->tokens, "alice", TOKENS_VIEWER, "2023-11-14T22:13:20+00:00", token,
                   sizeof(token), &err) != 0)
        fail_msg("add: %s", err.msg);
    doc = tokens_doc(fx);
    arr = json_object_get(doc, "tokens");
    assert_int_equal(json_array_size(arr), 2);
    e = json_array_get(arr, 0);
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(str(e, "name"), "zed");
    assert_string_equal(str(e, "role"), "admin");
    assert_non_null(json_object_get(e, "created"));
    assert_true(json_is_null(json_object_get(e, "created")));
    e = json_array_get(arr, 1);
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(str(e, "name"), "alice");
    assert_string_equal(str(e, "role"), "viewer");
    assert_string_equal(str(e, "created"), "2023-11-14T22:13:20+00:00");
    json_decref(doc);
}

static void test_tokens_file_that_does_not_parse_names_file_and_line(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    cwtest_write_file(fx->tokens, "[zed]\nrole = admin\nsha256 = " HASH_A "\n[amy]\nrole = boss\n",
                      0600);
    assert_int_equal(doc_tokens(&fx->c, &doc, &err), -1);
    assert_null(doc);
    assert_string_equal(err.file, fx->tokens);
    assert_int_equal(err.line, 5);
    assert_string_equal(err.field, "role");
}

static void test_token_added_shows_the_token_once_with_its_file(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    assert_int_equal(
        doc_token_added(&fx->c, "alice", "investigator", "cwt_abc123", fx->tokens, &doc, &err), 0);
    assert_int_equal(json_object_size(doc), 4);
    assert_string_equal(str(doc, "name"), "alice");
    assert_string_equal(str(doc, "role"), "investigator");
    assert_string_equal(str(doc, "token"), "cwt_abc123");
    assert_string_equal(str(doc, "file"), fx->tokens);
    json_decref(doc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_daemon_without_vitals_is_not_found),
        T(test_daemon_running_from_the_vitals_the_daemon_wrote),
        T(test_daemon_not_running_when_stale_or_gone_failing_since_null),
        T(test_daemon_vitals_not_json_is_an_error_naming_the_file),
        T(test_tokens_without_a_file_are_none),
        T(test_tokens_in_file_order_created_null_never_the_hash),
        T(test_tokens_file_that_does_not_parse_names_file_and_line),
        T(test_token_added_shows_the_token_once_with_its_file),
    };

    log_init("test_doc_files", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
