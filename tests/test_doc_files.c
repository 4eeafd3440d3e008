/* test_doc_files.c - the documents read from files beside a real store rather than its
 * tables. The daemon's health (index/doc_daemon.c) from the vitals file the daemon's own
 * writer (daemon/vitals.c, on a real libev loop) puts there: every field, times in ISO beside
 * their ms, running for this live process; not running when the figures are three write
 * intervals old or their process is gone, or it was a --once run that finished (saying when);
 * a file from before that mark read as a daemon's; the store's failing_since null when it takes
 * writes; no file yet; a file that is not JSON; the outcome of the last load of the
 * configuration (daemon/reload.c) from a site's real files: a refused reload names file, line
 * and field and keeps the files it runs on as they were, a good one after it clears it, and
 * many problems are capped with a count of the rest. The API tokens (index/doc_tokens.c) from a
 * tokens file written through config/tokens.c: no file is no tokens; entries in the file's
 * order with name, role and created (null when the file has none) and never the hash; a file
 * that does not parse named with its line; a token just added, shown once. The zone is UTC so
 * ISO strings are predictable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../config/tokens.h"
#include "../daemon/reload.h"
#include "../daemon/vitals.h"
#include "../index/doc.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cfgtest.h"
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
    int failing;           /* what the write batch tells the vitals */
    int once, once_done;   /* a --once run writes, and its sweep ended as asked */
    struct reload *reload; /* the last load of the configuration; NULL: none */
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

    reload_free(fx->reload);
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
    struct vitals_sources src = {batch_read, NULL, fx, fx->reload, fx->once};
    struct vitals *v = NULL;
    struct cw_err err = {0};

    assert_non_null(loop);
    if (vitals_new(loop, fx->vitals, &src, &v, &err) != 0)
        fail_msg("vitals: %s", err.msg);
    vitals_write(v);
    if (fx->once_done)
        vitals_once_finished(v); /* as camwatchd does before its last write */
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
        "pid",    "started_ms",    "written_ms",       "write_every_s", "loop",
        "store",  "resolver",      "cameras",          "states",        "file",
        "age_ms", "running",       "written",          "started",       "config",
        "once",   "once_finished", "once_finished_ms", "once_stale"};

    fx->failing = 1;
    daemon_writes(fx);
    doc = built(fx, doc_daemon);
    assert_int_equal(json_object_size(doc), sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(doc, keys[i]));
    assert_int_equal(num(doc, "pid"), getpid());
    assert_true(json_is_true(json_object_get(doc, "running")));
    assert_true(json_is_false(json_object_get(doc, "once"))); /* a daemon, not a --once run */
    assert_true(json_is_null(json_object_get(doc, "once_finished")));
    assert_true(json_is_null(json_object_get(doc, "once_finished_ms")));
    assert_true(json_is_false(json_object_get(doc, "once_stale")));
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

/* A --once run from a timer is how some run camwatchd: once it has finished it is not
 * running, and says when it finished; while it sweeps, or when it died before the end, it is
 * judged as a daemon. */
static void test_daemon_once_run_that_finished_says_when_and_is_not_running(void **state)
{
    struct fixture *fx = *state;
    json_t *doc;
    int64_t before = cw_now_ms();
    char iso[40];

    fx->once = 1;
    daemon_writes(fx); /* its sweep not over: stopped, or died, before the end */
    doc = built(fx, doc_daemon);
    assert_true(json_is_true(json_object_get(doc, "once")));
    assert_true(json_is_true(json_object_get(doc, "running"))); /* this pid lives */
    assert_true(json_is_null(json_object_get(doc, "once_finished")));
    assert_true(json_is_null(json_object_get(doc, "once_finished_ms")));
    assert_true(json_is_false(json_object_get(doc, "once_stale"))); /* none finished */
    json_decref(doc);

    fx->once_done = 1;
    daemon_writes(fx);
    doc = built(fx, doc_daemon);
    assert_true(json_is_true(json_object_get(doc, "once")));
    /* its pid still lives here and the figures are fresh: it is over all the same */
    assert_true(json_is_false(json_object_get(doc, "running")));
    assert_true(num(doc, "once_finished_ms") >= before);
    assert_true(num(doc, "once_finished_ms") <= num(doc, "written_ms"));
    iso_utc(num(doc, "once_finished_ms"), iso, sizeof(iso));
    assert_string_equal(str(doc, "once_finished"), iso);
    json_decref(doc);
}

/* A finished --once run over a day old: no run has finished since (its timer stopped, or its
 * later runs fail before they write), and the document says so; one a minute old is fresh. */
static void test_daemon_once_run_finished_two_days_ago_is_stale_a_minute_ago_not(void **state)
{
    struct fixture *fx = *state;
    json_t *doc;
    json_int_t day = 24 * 3600 * (json_int_t)1000;

    fx->once = 1;
    fx->once_done = 1;
    daemon_writes(fx);
    doc = built(fx, doc_daemon);
    assert_true(json_is_false(json_object_get(doc, "once_stale"))); /* just now */
    json_decref(doc);

    vitals_set(fx, "once_finished_ms", cw_now_ms() - 2 * day);
    vitals_set(fx, "written_ms", cw_now_ms() - 2 * day);
    doc = built(fx, doc_daemon);
    assert_true(json_is_true(json_object_get(doc, "once_stale")));
    assert_true(json_is_false(json_object_get(doc, "running")));
    json_decref(doc);

    vitals_set(fx, "once_finished_ms", cw_now_ms() - 60 * 1000);
    vitals_set(fx, "written_ms", cw_now_ms() - 60 * 1000);
    doc = built(fx, doc_daemon);
    assert_true(json_is_false(json_object_get(doc, "once_stale")));
    assert_true(json_is_false(json_object_get(doc, "running")));
    json_decref(doc);
}

/* The file of a camwatchd from before the mark: a daemon, no --once run finished. */
static void test_daemon_vitals_without_the_once_mark_are_a_daemons(void **state)
{
    struct fixture *fx = *state;
    json_error_t jerr;
    json_t *o, *doc;

    daemon_writes(fx);
    o = json_load_file(fx->vitals, 0, &jerr);
    assert_non_null(o);
    assert_int_equal(json_object_del(o, "once"), 0);
    assert_int_equal(json_object_del(o, "once_finished_ms"), 0);
    assert_int_equal(json_dump_file(o, fx->vitals, 0), 0);
    json_decref(o);
    doc = built(fx, doc_daemon);
    assert_true(json_is_false(json_object_get(doc, "once")));
    assert_true(json_is_null(json_object_get(doc, "once_finished_ms")));
    assert_true(json_is_null(json_object_get(doc, "once_finished")));
    assert_true(json_is_true(json_object_get(doc, "running")));
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

/* ---- the last load of the configuration ---- */

#define LOADED_MS (T0 - 3600 * 1000LL) /* cameras.csv's mtime when the good one was loaded */

/* The site's file name set to mtime ms. */
static void set_mtime(const struct site *s, const char *name, int64_t ms)
{
    char path[PATH_MAX];
    struct timespec t[2] = {{(time_t)(ms / 1000), 0}, {(time_t)(ms / 1000), 0}};

    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* The daemon's file written with this record, and its document's config. */
static json_t *config_of(struct fixture *fx, json_t **doc)
{
    json_t *cfg;

    daemon_writes(fx);
    *doc = built(fx, doc_daemon);
    cfg = json_object_get(*doc, "config");
    assert_true(json_is_object(cfg));
    return cfg;
}

/* The entry of files whose file ends with name. */
static const json_t *file_entry(const json_t *cfg, const char *name)
{
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(cfg, "files"), i, f)
    {
        if (ends_with(str(f, "file"), name))
            return f;
    }
    fail_msg("no %s among the files", name);
    return NULL;
}

/* A site of two cameras loaded at start (T0), its cameras.csv then broken at line 3 (B's lat)
 * and refused a minute later. */
static void start_then_refuse(struct fixture *fx, struct site *site)
{
    char bad[4096];

    assert_non_null(fx->reload = reload_new());
    snprintf(bad, sizeof(bad), "%s", row("A", -1, NULL)); /* row's buffer is static */
    strcat(bad, row("B", -1, NULL));
    site_std(site, bad);
    set_mtime(site, "cameras.csv", LOADED_MS);
    if (site_load(site) != 0) {
        dump_errors(&site->errs);
        fail_msg("the good site did not load");
    }
    reload_taken(fx->reload, site->cfg, 1, T0);
    snprintf(bad, sizeof(bad), "%s", row("A", -1, NULL));
    strcat(bad, row("B", 7, "91.5"));
    site_std(site, bad);
    cfg_free(site->cfg);
    site->cfg = NULL;
    assert_int_not_equal(site_load(site), 0);
    reload_refused(fx->reload, site->conf, &site->errs, T0 + 60000);
}

static void test_daemon_refused_reload_names_file_line_field_keeps_files_it_runs_on(void **state)
{
    struct fixture *fx = *state;
    void *sp = NULL;
    struct site *site;
    json_t *doc, *cfg;
    const json_t *p, *f;
    char iso[40];

    assert_int_equal(site_setup(&sp), 0);
    site = sp;
    start_then_refuse(fx, site);
    cfg = config_of(fx, &doc);
    assert_true(json_is_false(json_object_get(cfg, "ok")));
    assert_string_equal(str(cfg, "kind"), "reload");
    assert_int_equal(num(cfg, "at_ms"), T0 + 60000);
    assert_string_equal(str(cfg, "at"), "2023-11-14T22:14:20+00:00");
    assert_int_equal(num(cfg, "ok_ms"), T0);
    assert_string_equal(str(cfg, "ok_at"), "2023-11-14T22:13:20+00:00");
    assert_int_equal(json_array_size(json_object_get(cfg, "problems")), 1);
    assert_int_equal(num(cfg, "more"), 0);
    p = json_array_get(json_object_get(cfg, "problems"), 0);
    assert_true(ends_with(str(p, "file"), "/cameras.csv"));
    assert_int_equal(num(p, "line"), 3);
    assert_string_equal(str(p, "field"), "lat");
    assert_non_null(strstr(str(p, "message"), "91.5"));
    /* It runs on the cameras.csv it loaded, as it was then, not the one on disk now. */
    f = file_entry(cfg, "/cameras.csv");
    assert_int_equal(num(f, "mtime_ms"), LOADED_MS);
    iso_utc(LOADED_MS, iso, sizeof(iso));
    assert_string_equal(str(f, "mtime"), iso);
    assert_true(num(f, "bytes") > 0);
    file_entry(cfg, "/camwatch.conf");
    file_entry(cfg, "/credentials.ini");
    json_decref(doc);
    site_teardown(&sp);
}

static void test_daemon_good_reload_after_a_refused_one_clears_it(void **state)
{
    struct fixture *fx = *state;
    void *sp = NULL;
    struct site *site;
    json_t *doc, *cfg;
    struct reload_state rs;
    char line[512];

    assert_int_equal(site_setup(&sp), 0);
    site = sp;
    start_then_refuse(fx, site);
    reload_get_state(fx->reload, &rs);
    assert_int_equal(rs.ok, 0);
    assert_int_equal(rs.ok_ms, T0);
    assert_int_equal(reload_format_refusal(fx->reload, line, sizeof(line)), 1);
    assert_non_null(strstr(line, "last reload REFUSED: "));
    assert_non_null(strstr(line, "/cameras.csv:3: lat: 91.5"));
    assert_null(strstr(line, "more"));
    site_std(site, row("A", -1, NULL));
    cw_errlist_clear(&site->errs);
    assert_int_equal(site_load(site), 0);
    reload_taken(fx->reload, site->cfg, 0, T0 + 120000);
    cfg = config_of(fx, &doc);
    assert_true(json_is_true(json_object_get(cfg, "ok")));
    assert_string_equal(str(cfg, "kind"), "reload");
    assert_int_equal(num(cfg, "ok_ms"), T0 + 120000);
    assert_int_equal(num(cfg, "at_ms"), T0 + 120000);
    assert_int_equal(json_array_size(json_object_get(cfg, "problems")), 0);
    assert_int_equal(num(cfg, "more"), 0);
    assert_true(num(file_entry(cfg, "/cameras.csv"), "mtime_ms") > LOADED_MS);
    reload_get_state(fx->reload, &rs);
    assert_int_equal(rs.ok, 1);
    assert_int_equal(rs.ok_ms, T0 + 120000);
    assert_int_equal(reload_format_refusal(fx->reload, line, sizeof(line)), 0);
    assert_string_equal(line, "");
    json_decref(doc);
    site_teardown(&sp);
}

static void
test_daemon_refused_reload_keeps_ten_problems_counts_the_rest_cleans_and_cuts_text(void **state)
{
    struct fixture *fx = *state;
    struct cw_errlist errs = {0};
    char longmsg[400], line[1200];
    json_t *doc, *cfg;
    const json_t *last;
    const char *m;

    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    for (int i = 0; i < RELOAD_PROBLEMS_MAX + 3; i++)
        cw_errlist_add(&errs, "/etc/camwatch/cameras.csv", i + 2, "lat", "row %d: %s", i + 2,
                       i == RELOAD_PROBLEMS_MAX - 1 ? longmsg
                       : i == 0 ? "bad\tv\xff\xc3\xa2" /* a tab, a byte of Latin-1, â */
                                : "out of range");
    assert_non_null(fx->reload = reload_new());
    reload_refused(fx->reload, "/etc/camwatch/camwatch.conf", &errs, T0);
    cw_errlist_clear(&errs);
    cfg = config_of(fx, &doc);
    assert_true(json_is_false(json_object_get(cfg, "ok")));
    assert_int_equal(json_array_size(json_object_get(cfg, "problems")), RELOAD_PROBLEMS_MAX);
    assert_int_equal(num(cfg, "more"), 3);
    assert_int_equal(reload_format_refusal(fx->reload, line, sizeof(line)), 1);
    assert_non_null(strstr(line, "(and 12 more)"));
    assert_non_null(strstr(line, "cameras.csv:2: lat: row 2: bad?v")); /* one line, always */
    last = json_array_get(json_object_get(cfg, "problems"), RELOAD_PROBLEMS_MAX - 1);
    assert_int_equal(num(last, "line"), RELOAD_PROBLEMS_MAX + 1);
    m = str(last, "message");
    assert_int_equal(strlen(m), RELOAD_TEXT_MAX);
    assert_string_equal(m + RELOAD_TEXT_MAX - 4, "x...");
    /* shown, not trusted: valid UTF-8, no control character */
    assert_string_equal(str(json_array_get(json_object_get(cfg, "problems"), 0), "message"),
                        "row 2: bad?v\xef\xbf\xbd\xc3\xa2");
    assert_string_equal(m + RELOAD_TEXT_MAX - 3, "...");
    json_decref(doc);
}

/* The headline `status --daemon` prints (doc_daemon_headline) for a finished --once run: over
 * a day old it says STALE, as `camwatch status` warns; a minute old it does not. */
static void test_daemon_headline_says_a_once_run_over_a_day_old_is_stale(void **state)
{
    struct fixture *fx = *state;
    json_int_t day = 24 * 3600 * (json_int_t)1000,
               at = (cw_now_ms() / 1000 - 2 * day / 1000) * 1000;
    json_t *doc;
    char line[512], want[512], when[64];

    fx->once = 1;
    fx->once_done = 1;
    daemon_writes(fx);
    vitals_set(fx, "once_finished_ms", at);
    vitals_set(fx, "written_ms", at);
    doc = built(fx, doc_daemon);
    doc_daemon_headline(&fx->c, doc, line, sizeof(line));
    cw_format_local(at, "UTC", when, sizeof(when));
    snprintf(want, sizeof(want), "camwatchd: last --once run at %s (pid %d, started ", when,
             (int)getpid());
    assert_int_equal(strncmp(line, want, strlen(want)), 0);
    assert_non_null(strstr(line, "); no daemon runs, the figures are that run's: STALE, over a "
                                 "day old; no --once run has finished since"));
    json_decref(doc);

    vitals_set(fx, "once_finished_ms", cw_now_ms() - 60 * 1000);
    doc = built(fx, doc_daemon);
    doc_daemon_headline(&fx->c, doc, line, sizeof(line));
    assert_non_null(strstr(line, "; no daemon runs, the figures are that run's"));
    assert_null(strstr(line, "STALE"));
    assert_null(strstr(line, "day old"));
    json_decref(doc);
}

/* A reload waiting for the store's write lock (reload_pending): the document's config.pending
 * says since when (ISO beside ms), what it waits for and whose lock it is, its line says the
 * new configuration is not in force yet, and the last outcome (ok, at) is unchanged; the holder
 * unknown, the line names none; once refused (or dropped) there is no pending reload. */
static void
test_daemon_pending_reload_says_since_when_and_whose_lock_until_its_outcome(void **state)
{
    struct fixture *fx = *state;
    struct cw_errlist errs = {0};
    json_t *doc, *cfg, *p, *h;
    char line[512];

    assert_non_null(fx->reload = reload_new());
    cw_errlist_add(&errs, "/etc/camwatch/cameras.csv", 3, "lat", "out of range");
    reload_refused(fx->reload, "/etc/camwatch/camwatch.conf", &errs, T0);
    cw_errlist_clear(&errs);
    cfg = config_of(fx, &doc);
    assert_true(json_is_null(json_object_get(cfg, "pending")));
    assert_int_equal(doc_daemon_pending(&fx->c, cfg, line, sizeof(line)), 0);
    assert_string_equal(line, "");
    json_decref(doc);

    reload_pending(fx->reload, T0 + 60000, 4242, "camwatch");
    cfg = config_of(fx, &doc);
    p = json_object_get(cfg, "pending");
    assert_true(json_is_object(p));
    assert_int_equal(num(p, "since_ms"), T0 + 60000);
    assert_string_equal(str(p, "since"), "2023-11-14T22:14:20+00:00");
    assert_string_equal(str(p, "waiting_for"), "store_write_lock");
    h = json_object_get(p, "holder");
    assert_int_equal(num(h, "pid"), 4242);
    assert_string_equal(str(h, "name"), "camwatch");
    assert_true(json_is_false(json_object_get(cfg, "ok"))); /* the last outcome, unchanged */
    assert_int_equal(num(cfg, "at_ms"), T0);
    assert_int_equal(doc_daemon_pending(&fx->c, cfg, line, sizeof(line)), 1);
    assert_string_equal(line, "pending since 2023-11-14 22:14:20, waiting for another writer's "
                              "lock on the store (held by camwatch, pid 4242); the new "
                              "configuration is not in force yet");
    json_decref(doc);

    reload_pending(fx->reload, T0 + 60000, 0, NULL); /* the holder not known */
    cfg = config_of(fx, &doc);
    assert_true(json_is_null(json_object_get(json_object_get(cfg, "pending"), "holder")));
    assert_int_equal(doc_daemon_pending(&fx->c, cfg, line, sizeof(line)), 1);
    assert_string_equal(line, "pending since 2023-11-14 22:14:20, waiting for another writer's "
                              "lock on the store; the new configuration is not in force yet");
    json_decref(doc);

    cw_errlist_add(&errs, "/etc/camwatch/camwatch.conf", 0, NULL, "database is locked");
    reload_refused(fx->reload, "/etc/camwatch/camwatch.conf", &errs, T0 + 120000);
    cw_errlist_clear(&errs);
    cfg = config_of(fx, &doc);
    assert_true(json_is_null(json_object_get(cfg, "pending")));
    assert_int_equal(num(cfg, "at_ms"), T0 + 120000);
    assert_int_equal(doc_daemon_pending(&fx->c, cfg, line, sizeof(line)), 0);
    json_decref(doc);

    reload_pending(fx->reload, T0 + 180000, 4242, "camwatch");
    reload_pending_end(fx->reload); /* dropped: a stop, or a newer SIGHUP */
    cfg = config_of(fx, &doc);
    assert_true(json_is_null(json_object_get(cfg, "pending")));
    json_decref(doc);
}

/* systemd's status line part for a pending reload (reload_format_pending): worded as `camwatch
 * status` words it (doc_daemon_pending), in the zone given; none once the reload is taken,
 * refused or dropped. */
static void test_daemon_status_line_says_a_pending_reload_until_its_outcome(void **state)
{
    struct fixture *fx = *state;
    struct cw_errlist errs = {0};
    void *sp = NULL;
    struct site *site;
    char line[512];

    assert_int_equal(site_setup(&sp), 0);
    site = sp;
    site_std(site, row("A", -1, NULL));
    assert_int_equal(site_load(site), 0);
    assert_non_null(fx->reload = reload_new());
    reload_taken(fx->reload, site->cfg, 1, T0);
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 0);
    assert_string_equal(line, "");

    reload_pending(fx->reload, T0 + 60000, 5120, "camwatch");
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 1);
    assert_string_equal(line, "reload pending since 2023-11-14 22:14:20, waiting for another "
                              "writer's lock on the store (held by camwatch, pid 5120); the new "
                              "configuration is not in force yet");
    assert_int_equal(reload_format_pending(fx->reload, "Asia/Ho_Chi_Minh", line, sizeof(line)), 1);
    assert_non_null(strstr(line, "reload pending since 2023-11-15 05:14:20, waiting"));
    reload_pending(fx->reload, T0 + 60000, 0, NULL); /* the holder not known */
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 1);
    assert_string_equal(line, "reload pending since 2023-11-14 22:14:20, waiting for another "
                              "writer's lock on the store; the new configuration is not in "
                              "force yet");

    reload_taken(fx->reload, site->cfg, 0, T0 + 90000);
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 0);
    assert_string_equal(line, "");

    reload_pending(fx->reload, T0 + 100000, 5120, "camwatch");
    cw_errlist_add(&errs, "/etc/camwatch/camwatch.conf", 0, NULL, "database is locked");
    reload_refused(fx->reload, "/etc/camwatch/camwatch.conf", &errs, T0 + 160000);
    cw_errlist_clear(&errs);
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 0);
    assert_int_equal(reload_format_refusal(fx->reload, line, sizeof(line)), 1);

    reload_pending(fx->reload, T0 + 180000, 5120, "camwatch");
    reload_pending_end(fx->reload); /* dropped: a stop, or a newer SIGHUP */
    assert_int_equal(reload_format_pending(fx->reload, "UTC", line, sizeof(line)), 0);
    assert_string_equal(line, "");
    site_teardown(&sp);
}

/* A vitals file from a daemon that does not say (no config.pending): null, no line. */
static void test_daemon_vitals_without_pending_say_none(void **state)
{
    struct fixture *fx = *state;
    json_error_t jerr;
    json_t *o, *doc, *cfg;
    char line[512];

    assert_non_null(fx->reload = reload_new());
    reload_refused(fx->reload, "/etc/camwatch/camwatch.conf", NULL, T0);
    reload_pending(fx->reload, T0, 4242, "camwatch");
    daemon_writes(fx);
    o = json_load_file(fx->vitals, 0, &jerr);
    assert_non_null(o);
    assert_int_equal(json_object_del(json_object_get(o, "config"), "pending"), 0);
    assert_int_equal(json_dump_file(o, fx->vitals, 0), 0);
    json_decref(o);
    doc = built(fx, doc_daemon);
    cfg = json_object_get(doc, "config");
    assert_true(json_is_null(json_object_get(cfg, "pending")));
    assert_int_equal(doc_daemon_pending(&fx->c, cfg, line, sizeof(line)), 0);
    json_decref(doc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_daemon_without_vitals_is_not_found),
        T(test_daemon_running_from_the_vitals_the_daemon_wrote),
        T(test_daemon_not_running_when_stale_or_gone_failing_since_null),
        T(test_daemon_once_run_that_finished_says_when_and_is_not_running),
        T(test_daemon_once_run_finished_two_days_ago_is_stale_a_minute_ago_not),
        T(test_daemon_headline_says_a_once_run_over_a_day_old_is_stale),
        T(test_daemon_pending_reload_says_since_when_and_whose_lock_until_its_outcome),
        T(test_daemon_vitals_without_pending_say_none),
        T(test_daemon_status_line_says_a_pending_reload_until_its_outcome),
        T(test_daemon_vitals_without_the_once_mark_are_a_daemons),
        T(test_daemon_vitals_not_json_is_an_error_naming_the_file),
        T(test_daemon_refused_reload_names_file_line_field_keeps_files_it_runs_on),
        T(test_daemon_good_reload_after_a_refused_one_clears_it),
        T(test_daemon_refused_reload_keeps_ten_problems_counts_the_rest_cleans_and_cuts_text),
        T(test_tokens_without_a_file_are_none),
        T(test_tokens_in_file_order_created_null_never_the_hash),
        T(test_tokens_file_that_does_not_parse_names_file_and_line),
        T(test_token_added_shows_the_token_once_with_its_file),
    };

    log_init("test_doc_files", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
