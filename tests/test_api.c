/* test_api.c - the HTTP API's jobs on its workers (daemon/api*.c) over real loopback, with a
 * real store and tokens file, the loop run by the test itself one step at a time: when a job
 * is queued, taken by a worker and answered is the test's to choose, so stopping with a job
 * in flight and a full queue are reached without a sleep. Workers are held by setting the
 * API's pool to 0 threads (pool_resize), the loop by not running it. No timed assertion:
 * every wait is for a condition, under a guard against hangs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/api_priv.h"
#include "../index/export.h"
#include "../index/store_footage.h"
#include "../index/store_priv.h" /* the held read runs its own SQL on the worker's connection */
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cfgtest.h"
#include "cwtest.h"

#define WAIT_MS 30000 /* a guard against hangs, never an assertion about time */
#define TICK_S 0.01   /* the loop's step never blocks longer than this */
#define ANSWER_MAX 65536

struct t {
    struct site *site;
    struct store *store;
    struct ev_loop *loop;
    ev_timer tick;
    struct api *api;
    char token[TOKENS_TOKEN_MAX];
    int port;
};

/* One request on a connection of its own (Connection: close), and its answer as it comes. */
struct client {
    int fd;
    char buf[ANSWER_MAX];
    size_t len;
    int eof;
};

/* The clock as daemon/ reads it: test_api links with -Wl,--wrap=cw_now_ms, which reroutes the
 * API's calls to cw_now_ms here, while util/cwtime.c's own (cw_parse_time's) keep the real
 * one. Set back by clock_lag_ms, it makes a moment pass between a view's read of the clock and
 * a parser's on every request, where the real clock does it now and then. 0 but in the test
 * that sets it (teardown puts it back). */
static int64_t clock_lag_ms;
int64_t __real_cw_now_ms(void);
int64_t __wrap_cw_now_ms(void);

int64_t __wrap_cw_now_ms(void)
{
    return __real_cw_now_ms() - clock_lag_ms;
}

/* A store read that ends only when interrupted: test_api links with
 * -Wl,--wrap=store_list_status, and once armed (hold_armed) the next call from a worker, not
 * from the test's own thread, runs a count without end on the worker's own connection instead
 * of the real read, and says where it is (hold_state) and how the read ended (hold_rc). */
enum hold_state { HOLD_IDLE, HOLD_READING, HOLD_ENDED };
static atomic_int hold_armed, hold_state, hold_rc;
static pthread_t hold_test_thread;
int __real_store_list_status(struct store *s, struct store_status **out, size_t *n,
                             struct cw_err *err);
int __wrap_store_list_status(struct store *s, struct store_status **out, size_t *n,
                             struct cw_err *err);

int __wrap_store_list_status(struct store *s, struct store_status **out, size_t *n,
                             struct cw_err *err)
{
    const char *sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                      "SELECT max(x) FROM c";
    sqlite3_stmt *st = NULL;
    int rc;

    if (pthread_equal(pthread_self(), hold_test_thread) || !atomic_exchange(&hold_armed, 0))
        return __real_store_list_status(s, out, n, err);
    *out = NULL;
    *n = 0;
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    atomic_store(&hold_state, HOLD_READING);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st); /* 2^63 rows to count: only an interrupt ends it */
    sqlite3_finalize(st);
    atomic_store(&hold_rc, rc);
    atomic_store(&hold_state, HOLD_ENDED);
    return cw_err_set(err, NULL, 0, NULL, "held read: %s", sqlite3_errstr(rc));
}

/* Who reads an export's request (its plan's first read): test_api links with
 * -Wl,--wrap=store_request_get. Each call is counted by where it ran, the test's own thread
 * (hold_test_thread: the loop's, the test runs the loop) or a worker; once gate_armed, the next
 * call from a worker says so (gate_state) and waits for gate_open before it reads, under a
 * guard against hangs. */
enum gate_state { GATE_IDLE, GATE_WAITING };
static atomic_int reads_on_loop, reads_on_worker, gate_armed, gate_state, gate_open;
int __real_store_request_get(struct store *s, int64_t id, struct store_request *out,
                             struct cw_err *err);
int __wrap_store_request_get(struct store *s, int64_t id, struct store_request *out,
                             struct cw_err *err);

int __wrap_store_request_get(struct store *s, int64_t id, struct store_request *out,
                             struct cw_err *err)
{
    int64_t guard = cw_mono_ms() + WAIT_MS;

    if (pthread_equal(pthread_self(), hold_test_thread)) {
        atomic_fetch_add(&reads_on_loop, 1);
        return __real_store_request_get(s, id, out, err);
    }
    atomic_fetch_add(&reads_on_worker, 1);
    if (atomic_exchange(&gate_armed, 0)) {
        atomic_store(&gate_state, GATE_WAITING);
        while (!atomic_load(&gate_open) && cw_mono_ms() < guard)
            poll(NULL, 0, 1);
    }
    return __real_store_request_get(s, id, out, err);
}

/* Count the reads of requests from here on, by the test's thread and the workers; none held. */
static void reads_count_from_now(void)
{
    hold_test_thread = pthread_self();
    atomic_store(&reads_on_loop, 0);
    atomic_store(&reads_on_worker, 0);
    atomic_store(&gate_armed, 0);
    atomic_store(&gate_state, GATE_IDLE);
    atomic_store(&gate_open, 0);
}

/* The guard of a test whose failure before its fix was a hang in a call that cannot be
 * abandoned half-way (the stop joining a worker that never ends): said, and the test binary
 * fails, instead of hanging the suite. */
static void hang_guard_cb(int sig)
{
    static const char msg[] = "test_api: the stop still waits on the held read: nothing "
                              "interrupted it\n";

    (void)sig;
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    void *sp = NULL;
    struct site *s;
    struct cw_err err;
    struct cw_errlist errs = {0};
    struct store_request r = {.scope.place = STORE_PLACE_CAMERAS};
    int64_t now = cw_now_ms(), rid;
    char *tokens;

    if (t == NULL || site_setup(&sp) != 0)
        return -1;
    *state = t;
    t->site = s = sp;
    site_conf(s, CONF_STD "[http]\nper_client = 0\n");
    if (site_load(s) != 0) {
        dump_errors(&s->errs);
        return -1;
    }
    free(s->cfg->http_listen); /* a port the kernel picks (the conf asks for 1-65535) */
    if ((s->cfg->http_listen = strdup("127.0.0.1:0")) == NULL)
        return -1;
    if (store_open(s->cfg->database, STORE_READWRITE, &t->store, &err) != 0 ||
        store_sync_cameras(t->store, s->cfg, now, &err) != 0) {
        print_error("store: %s\n", err.msg);
        return -1;
    }
    snprintf(r.by, sizeof(r.by), "inv");
    snprintf(r.case_ref, sizeof(r.case_ref), "VV-01");
    snprintf(r.reason, sizeof(r.reason), "test");
    snprintf(r.cameras, sizeof(r.cameras), "CAH-001");
    r.scope.from_ms = now - 20 * 60 * 1000;
    r.scope.to_ms = now;
    if (store_request_create(t->store, &r, now, &rid, &err) != 0 || rid != 1) {
        print_error("request: %s\n", err.msg);
        return -1;
    }
    if ((tokens = tokens_path(s->cfg)) == NULL ||
        tokens_add(tokens, "inv", TOKENS_ADMIN, "2026-01-01T00:00:00+07:00", t->token,
                   sizeof(t->token), &err) != 0) {
        free(tokens);
        return -1;
    }
    free(tokens);
    t->loop = ev_loop_new(EVFLAG_AUTO);
    ev_timer_init(&t->tick, tick_cb, TICK_S, TICK_S);
    ev_timer_start(t->loop, &t->tick);
    {
        const struct api_env env = {t->loop, t->store, s->cfg, NULL, NULL, NULL};
        if (api_new(&env, &t->api, &errs) != 0) {
            dump_errors(&errs);
            cw_errlist_clear(&errs);
            return -1;
        }
    }
    t->port = http_port(t->api->http);
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    void *sp = t->site;

    clock_lag_ms = 0;
    api_free(t->api);
    store_close(t->store);
    if (t->loop != NULL) {
        ev_timer_stop(t->loop, &t->tick);
        ev_loop_destroy(t->loop);
    }
    free(t);
    return sp != NULL ? site_teardown(&sp) : 0;
}

/* A connection of its own to the API; nothing is read by the server until the loop runs. */
static struct client *client_connect(struct t *t)
{
    struct client *c = calloc(1, sizeof(*c));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};

    assert_non_null(c);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(c->fd >= 0);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return c;
}

/* Send the request on c (Connection: close); c's reads do not block from here. */
static void client_write(struct t *t, struct client *c, const char *method, const char *path,
                         const char *body)
{
    char req[2048];
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     method, path, t->token, strlen(body), body);

    assert_int_equal(write(c->fd, req, (size_t)n), n);
    assert_int_equal(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

/* Connect and send the request; nothing is answered until the loop runs. */
static struct client *client_send(struct t *t, const char *method, const char *path,
                                  const char *body)
{
    struct client *c = client_connect(t);

    client_write(t, c, method, path, body);
    return c;
}

/* Read what has come; 1 once the server closed the connection. */
static int client_pump(struct client *c)
{
    ssize_t got;

    while (!c->eof && c->len < sizeof(c->buf) - 1) {
        got = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
        if (got > 0) {
            c->len += (size_t)got;
        } else if (got == 0) {
            c->eof = 1;
        } else {
            assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
            break;
        }
    }
    c->buf[c->len] = '\0';
    return c->eof;
}

static void client_free(struct client *c)
{
    close(c->fd);
    free(c);
}

/* The status of a whole answer. */
static int client_status(const struct client *c)
{
    int status = 0;

    assert_int_equal(sscanf(c->buf, "HTTP/1.1 %d", &status), 1);
    return status;
}

/* The JSON body of a whole answer. */
static json_t *client_json(const struct client *c)
{
    const char *body = strstr(c->buf, "\r\n\r\n");
    json_error_t je;
    json_t *doc;

    assert_non_null(body);
    if ((doc = json_loads(body + 4, 0, &je)) == NULL)
        fail_msg("not JSON (%s): %s", je.text, body + 4);
    return doc;
}

/* Run the loop a step at a time until cond holds. */
#define DRIVE_UNTIL(t, what, cond)                                                                 \
    do {                                                                                           \
        int64_t guard_ = cw_mono_ms() + WAIT_MS;                                                   \
        while (!(cond)) {                                                                          \
            if (cw_mono_ms() > guard_)                                                             \
                fail_msg("waited too long for %s", what);                                          \
            ev_run((t)->loop, EVRUN_ONCE);                                                         \
        }                                                                                          \
    } while (0)

/* Wait, without running the loop, until cond holds. */
#define WAIT_UNTIL(what, cond)                                                                     \
    do {                                                                                           \
        int64_t guard_ = cw_mono_ms() + WAIT_MS;                                                   \
        while (!(cond)) {                                                                          \
            if (cw_mono_ms() > guard_)                                                             \
                fail_msg("waited too long for %s", what);                                          \
            poll(NULL, 0, 1);                                                                      \
        }                                                                                          \
    } while (0)

/* The answer whole, the loop run until it is. */
static void client_answer(struct t *t, struct client *c)
{
    DRIVE_UNTIL(t, "the answer", client_pump(c));
}

/* Stop the API, the loop not run again; c's request is answered 503 stopping. Frees c. */
static void stop_answers_503_stopping(struct t *t, struct client *c)
{
    api_free(t->api);
    t->api = NULL;
    WAIT_UNTIL("the answer", client_pump(c));
    assert_int_equal(client_status(c), 503);
    assert_non_null(strstr(c->buf, "\"stopping\""));
    client_free(c);
}

/* c's answer, the loop run until it is whole: 503 busy with Retry-After. Frees c. */
static void answer_is_busy(struct t *t, struct client *c)
{
    json_t *doc;

    client_answer(t, c);
    assert_int_equal(client_status(c), 503);
    assert_non_null(strstr(c->buf, "\r\nRetry-After: "));
    doc = client_json(c);
    assert_string_equal(json_string_value(json_object_get(doc, "error")), "busy");
    json_decref(doc);
    client_free(c);
}

/* The harness itself: a job runs on a worker and is answered from the loop. */
static void test_a_job_is_answered_from_the_loop(void **state)
{
    struct t *t = *state;
    struct client *c = client_send(t, "GET", "/api/v1/exports", "");

    client_answer(t, c);
    assert_int_equal(client_status(c), 200);
    assert_int_equal(pool_pending(t->api->pool), 0);
    client_free(c);
}

/* An export's start is on a worker (it made the exports folder) when the daemon stops, its
 * answer not delivered yet: the API answers it 503, and queues nothing on the exports' pool,
 * which stops beside it. (The exports' pool was freed first, and the start queued its export
 * on freed memory and answered 202 for an export that never ran.) */
static void test_stop_with_an_export_start_on_a_worker_answers_503(void **state)
{
    struct t *t = *state;
    const char *exports = t->site->cfg->footage.export_dir;
    struct client *c;
    struct stat st;

    assert_int_not_equal(stat(exports, &st), 0); /* made by the start's work, below */
    c = client_send(t, "POST", "/api/v1/requests/1/export", "");
    DRIVE_UNTIL(t, "the start queued", pool_pending(t->api->pool) == 1 || client_pump(c));
    assert_int_equal(c->len, 0);
    /* From here the loop is not run: the start's answer cannot be delivered before the stop. */
    WAIT_UNTIL("the worker to take the start", stat(exports, &st) == 0);
    stop_answers_503_stopping(t, c);
}

/* A reload naming another [store] database: the workers still open the store the daemon
 * opened at start, the loop reads; the other file is not made. (They opened the new path: a
 * maintenance POST made and migrated an empty store there, and answered 404.) */
static void test_jobs_keep_the_store_opened_at_start_across_a_reload(void **state)
{
    struct t *t = *state;
    struct cw_errlist errs = {0};
    struct cfg *moved = NULL;
    struct client *c;
    struct stat st;
    char other[PATH_MAX];
    json_t *doc;

    site_write(t->site, "camwatch.conf",
               CONF_STD "[http]\nper_client = 0\n[store]\ndatabase = var/other.db\n", 0644);
    if (cfg_load(t->site->conf, &moved, &errs) != 0)
        dump_errors(&errs);
    assert_non_null(moved);
    snprintf(other, sizeof(other), "%s", moved->database);
    assert_string_not_equal(other, t->site->cfg->database);
    api_reload(t->api, moved);
    c = client_send(t, "POST", "/api/v1/cameras/CAH-001/maintenance",
                    "{\"on\": true, \"note\": \"thay \u1ed1ng k\u00ednh\"}");
    client_answer(t, c);
    assert_int_equal(client_status(c), 200);
    doc = client_json(c);
    assert_true(json_is_true(json_object_get(doc, "changed")));
    json_decref(doc);
    client_free(c);
    /* The loop's own connection sees what the worker wrote. */
    c = client_send(t, "GET", "/api/v1/cameras/CAH-001", "");
    client_answer(t, c);
    assert_int_equal(client_status(c), 200);
    doc = client_json(c);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "status"), "state")),
                        "maintenance");
    json_decref(doc);
    client_free(c);
    assert_int_not_equal(stat(other, &st), 0);
    api_reload(t->api, t->site->cfg); /* the API borrows its configuration */
    cfg_free(moved);
    cw_errlist_clear(&errs);
}

/* The answer to method path with body, the loop run until it is whole: its status, and its
 * JSON body in *doc when doc is not NULL. */
static int ask(struct t *t, const char *method, const char *path, const char *body, json_t **doc)
{
    struct client *c = client_send(t, method, path, body);
    int status;

    client_answer(t, c);
    status = client_status(c);
    if (doc != NULL)
        *doc = client_json(c);
    client_free(c);
    return status;
}

/* GET /api/v1/exports/ID asked until the export says how it ended (done or failed): that
 * document (caller decrefs). */
static json_t *export_ended(struct t *t, const char *id)
{
    char path[160];
    const char *state;
    json_t *doc;

    snprintf(path, sizeof(path), "/api/v1/exports/%s", id);
    for (;;) {
        assert_int_equal(ask(t, "GET", path, "", &doc), 200);
        state = json_string_value(json_object_get(doc, "state"));
        assert_non_null(state);
        if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0)
            return doc;
        json_decref(doc);
    }
}

/* The audit trail's export rows, "action|actor|detail" a line, into buf. */
static void export_audit_rows(struct t *t, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    size_t off = 0;

    buf[0] = '\0';
    assert_int_equal(sqlite3_prepare_v2(t->store->db,
                                        "SELECT action || '|' || actor || '|' || detail FROM audit "
                                        "WHERE action LIKE 'export%' ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && off < len)
        off += (size_t)snprintf(buf + off, len - off, "%s\n", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* The id of the one export.start audit row. */
static int64_t export_start_row(struct t *t)
{
    sqlite3_stmt *st = NULL;
    int64_t id;

    assert_int_equal(sqlite3_prepare_v2(t->store->db,
                                        "SELECT id FROM audit WHERE action = 'export.start'", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    id = sqlite3_column_int64(st, 0);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    return id;
}

/* An export that fails once begun (here its folder taken by a file before it ran) leaves, after
 * its export.start row, an export.failed row by the same token's name saying where and why: the
 * trail says what became of every export it says began. (It left the start row alone.) */
static void test_a_failed_export_is_recorded_as_failed_after_its_start(void **state)
{
    struct t *t = *state;
    char dir[PATH_MAX], rows[4096], want[PATH_MAX + 256];
    struct cw_err err;
    json_t *doc;
    int fd;

    snprintf(dir, sizeof(dir), "%s/request-1-1", t->site->cfg->footage.export_dir);
    assert_int_equal(pool_resize(t->api->export_pool, 0, &err), 0); /* the export waits */
    assert_int_equal(ask(t, "POST", "/api/v1/requests/1/export", "", NULL), 202);
    fd = open(dir, O_WRONLY | O_CREAT | O_EXCL, 0600); /* where its folder was to be */
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(pool_resize(t->api->export_pool, 1, &err), 0);
    doc = export_ended(t, "request-1-1");
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "failed");
    json_decref(doc);
    export_audit_rows(t, rows, sizeof(rows));
    /* the failed row names its start row exactly: audit verify pairs them by it */
    snprintf(want, sizeof(want),
             "export.start|inv|request-1-1\nexport.failed|inv|request-1-1: %s: not a folder; "
             "export.start row %lld\n",
             dir, (long long)export_start_row(t));
    assert_string_equal(rows, want);
}

/* text as the site's conf, loaded as a reload would (caller frees). */
static struct cfg *conf_load_text(struct t *t, const char *text)
{
    struct cw_errlist errs = {0};
    struct cfg *cfg = NULL;

    site_write(t->site, "camwatch.conf", text, 0644);
    if (cfg_load(t->site->conf, &cfg, &errs) != 0)
        dump_errors(&errs);
    cw_errlist_clear(&errs);
    assert_non_null(cfg);
    return cfg;
}

/* The site's conf with more lines, loaded as a reload would (caller frees). */
static struct cfg *conf_with(struct t *t, const char *more)
{
    char text[4096];

    snprintf(text, sizeof(text), "%s[http]\nper_client = 0\n%s", CONF_STD, more);
    return conf_load_text(t, text);
}

/* An export started before a reload that moves [footage] exports is made in the folder its
 * start made and read, the old one, never in the new one it did not look in (its folder was
 * named from the new configuration). */
static void test_an_export_started_before_a_reload_stays_in_the_folder_it_read(void **state)
{
    struct t *t = *state;
    struct cfg *moved = conf_with(t, "[footage]\nexports = var/exports-new\n");
    char old_dir[PATH_MAX], new_dir[PATH_MAX];
    struct client *c;
    struct stat st;
    json_t *doc;
    struct cw_err err;

    snprintf(old_dir, sizeof(old_dir), "%s/request-1-1", t->site->cfg->footage.export_dir);
    snprintf(new_dir, sizeof(new_dir), "%s/request-1-1", moved->footage.export_dir);
    assert_int_equal(pool_resize(t->api->pool, 0, &err), 0); /* the start waits, queued */
    c = client_send(t, "POST", "/api/v1/requests/1/export", "");
    DRIVE_UNTIL(t, "the start queued", pool_pending(t->api->pool) == 1 || client_pump(c));
    api_reload(t->api, moved);
    assert_int_equal(pool_resize(t->api->pool, API_WORKERS, &err), 0);
    client_answer(t, c);
    assert_int_equal(client_status(c), 202);
    client_free(c);
    /* It ran on the exports' own worker: wait until it says how it ended. */
    doc = export_ended(t, "request-1-1");
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "result"), "out_dir")), old_dir);
    json_decref(doc);
    assert_int_equal(stat(old_dir, &st), 0);
    assert_int_not_equal(stat(new_dir, &st), 0);
    /* and its files are served from there */
    assert_int_equal(ask(t, "GET", "/api/v1/exports/request-1-1/files/SHA256SUMS", "", NULL), 200);
    api_reload(t->api, t->site->cfg);
    cfg_free(moved);
}

/* An export whose folder under [footage] exports would be over EXPORT_DIR_MAX bytes (a conf
 * deep in folders) is refused, saying so, before any row: its audit rows could not hold the
 * folder whole. It was answered "the store could not answer". */
static void test_an_export_whose_folder_its_audit_rows_cannot_hold_is_refused(void **state)
{
    struct t *t = *state;
    struct cfg *deep = conf_with(t, "");
    char path[PATH_MAX];
    size_t n = (size_t)snprintf(path, sizeof(path), "%s", t->site->dir);
    json_t *doc = NULL;
    struct store_audit *rows = NULL;
    size_t before = 0, after = 0;
    struct cw_err err;

    while (n + strlen("/request-1-1") <= EXPORT_DIR_MAX) {
        n += (size_t)snprintf(path + n, sizeof(path) - n, "/%0100d", (int)n);
        assert_int_equal(mkdir(path, 0750), 0);
    }
    free(deep->footage.export_dir);
    deep->footage.export_dir = strdup(path);
    assert_non_null(deep->footage.export_dir);
    api_reload(t->api, deep);
    assert_int_equal(store_list_audit(t->store, 0, 0, &rows, &before, &err), 0);
    free(rows);
    assert_int_equal(ask(t, "POST", "/api/v1/requests/1/export", "", &doc), 500);
    assert_string_equal(json_string_value(json_object_get(doc, "detail")),
                        "[footage] exports: an export's folder there would be over 640 bytes, "
                        "more than its audit rows hold whole");
    json_decref(doc);
    assert_int_equal(store_list_audit(t->store, 0, 0, &rows, &after, &err), 0);
    free(rows);
    assert_int_equal(after, before); /* no row */
    api_reload(t->api, t->site->cfg);
    cfg_free(deep);
}

/* A report whose rendering was still queued when the daemon stops is answered 503 and its
 * document freed (it leaked: LeakSanitizer, in the build-asan tests). */
static void test_a_report_queued_at_stop_is_answered_and_freed(void **state)
{
    struct t *t = *state;
    struct client *c;
    struct cw_err err;

    assert_int_equal(pool_resize(t->api->pool, 0, &err), 0); /* it stays queued */
    c = client_send(t, "GET", "/api/v1/reports/availability?format=csv", "");
    DRIVE_UNTIL(t, "the report queued", pool_pending(t->api->pool) == 1 || client_pump(c));
    assert_int_equal(c->len, 0);
    api_free(t->api);
    t->api = NULL;
    WAIT_UNTIL("the answer", client_pump(c));
    assert_int_equal(client_status(c), 503);
    client_free(c);
}

/* A request whose bytes arrive on a connection the server holds already while the daemon
 * stops (a browser's or Prometheus' kept-alive one): http_free's last run of the server reads
 * it after the workers' pool is gone, and it is answered 503, not queued. (api_job_start took
 * the pool it had just freed: SIGSEGV in pool_pending, and the stop's last writes lost.) */
static void test_a_request_arriving_at_stop_is_answered_503(void **state)
{
    struct t *t = *state;
    struct client *c = client_connect(t);
    struct http_stats hs;

    DRIVE_UNTIL(t, "the connection accepted",
                (http_get_stats(t->api->http, &hs), hs.connections == 1));
    client_write(t, c, "GET", "/api/v1/cameras", "");
    /* The loop is not run again: the request is read by the stop itself. */
    stop_answers_503_stopping(t, c);
}

/* A report's store read on a worker when the daemon stops, a read that would take as long as it
 * likes: the stop interrupts it (SQLITE_INTERRUPT), the request is answered 503 "stopping", and
 * the stop ends, the loop's connection free for the last writes. (The stop waited for the read
 * to end, for hours on a big store: systemd's SIGKILL after TimeoutStopSec then lost the
 * daemon's last writes.) */
static void test_stop_interrupts_a_long_read_on_a_worker_and_answers_503(void **state)
{
    struct t *t = *state;
    struct client *c;
    struct cw_err err;

    hold_test_thread = pthread_self();
    atomic_store(&hold_state, HOLD_IDLE);
    atomic_store(&hold_armed, 1);
    c = client_send(t, "GET", "/api/v1/reports/availability", "");
    DRIVE_UNTIL(t, "the worker to read", atomic_load(&hold_state) == HOLD_READING);
    /* From here the loop is not run: the read cannot end but by the stop. */
    signal(SIGALRM, hang_guard_cb);
    alarm(WAIT_MS / 1000);
    api_free(t->api);
    t->api = NULL;
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    assert_int_equal(atomic_load(&hold_state), HOLD_ENDED);
    assert_int_equal(atomic_load(&hold_rc), SQLITE_INTERRUPT);
    WAIT_UNTIL("the answer", client_pump(c));
    assert_int_equal(client_status(c), 503);
    assert_non_null(strstr(c->buf, "\"stopping\""));
    client_free(c);
    /* The daemon's own connection writes after the stop, as its last writes do. */
    assert_int_equal(
        store_set_maintenance(t->store, "CAH-001", 1, "after the stop", cw_now_ms(), &err), 0);
}

/* from=now on /uptime: from and to (default now) are read against the now the view clips to,
 * so the range is empty: "must be before to". (Each read against a now of its own, from=now
 * was told "is in the future" whenever a moment passed between the view's read of the clock
 * and the parser's: made to pass here on every request.) */
static void test_uptime_from_now_is_read_against_the_now_it_is_clipped_to(void **state)
{
    struct t *t = *state;
    struct client *c;
    json_t *doc;

    clock_lag_ms = 1000;
    c = client_send(t, "GET", "/api/v1/uptime?from=now", "");
    client_answer(t, c);
    assert_int_equal(client_status(c), 400);
    doc = client_json(c);
    assert_string_equal(json_string_value(json_object_get(doc, "detail")),
                        "from: must be before to");
    json_decref(doc);
    client_free(c);
}

/* More jobs than API_JOBS_MAX waiting for the workers: the one over is answered at once, 503
 * with Retry-After and a JSON error, instead of holding its connection with the others; those
 * queued are answered once the workers run. */
static void test_a_request_over_the_job_cap_is_answered_503_with_retry_after(void **state)
{
    struct t *t = *state;
    struct client *queued[API_JOBS_MAX];
    struct cw_err err;

    assert_int_equal(pool_resize(t->api->pool, 0, &err), 0); /* the jobs wait, queued */
    for (size_t i = 0; i < API_JOBS_MAX; i++)
        queued[i] = client_send(t, "GET", "/metrics", "");
    DRIVE_UNTIL(t, "every job queued", pool_pending(t->api->pool) == API_JOBS_MAX);
    answer_is_busy(t, client_send(t, "GET", "/metrics", ""));
    assert_int_equal(pool_pending(t->api->pool), API_JOBS_MAX);
    for (size_t i = 0; i < API_JOBS_MAX; i++)
        assert_int_equal(queued[i]->len, 0);
    assert_int_equal(pool_resize(t->api->pool, API_WORKERS, &err), 0);
    for (size_t i = 0; i < API_JOBS_MAX; i++) {
        client_answer(t, queued[i]);
        assert_int_equal(client_status(queued[i]), 200);
        client_free(queued[i]);
    }
}

/* The camera check before a maintenance or reference write is a worker's, not the loop's: with
 * no worker running, the writes for an unknown camera wait queued; once one runs, each is a
 * 404 naming the camera. (The loop read the camera's row itself and answered at once.) */
static void test_a_write_checks_its_camera_on_a_worker(void **state)
{
    struct t *t = *state;
    struct client *c[2];
    struct cw_err err;
    json_t *doc;

    assert_int_equal(pool_resize(t->api->pool, 0, &err), 0); /* the jobs wait, queued */
    c[0] = client_send(t, "POST", "/api/v1/cameras/NOPE/maintenance", "{\"on\": true}");
    c[1] = client_send(t, "DELETE", "/api/v1/cameras/NOPE/reference", "");
    DRIVE_UNTIL(t, "both queued or answered",
                pool_pending(t->api->pool) == 2 || client_pump(c[0]) || client_pump(c[1]));
    assert_int_equal(pool_pending(t->api->pool), 2);
    assert_int_equal(c[0]->len + c[1]->len, 0);
    assert_int_equal(pool_resize(t->api->pool, API_WORKERS, &err), 0);
    for (size_t i = 0; i < 2; i++) {
        client_answer(t, c[i]);
        assert_int_equal(client_status(c[i]), 404);
        doc = client_json(c[i]);
        assert_string_equal(json_string_value(json_object_get(doc, "detail")),
                            "unknown camera 'NOPE'");
        json_decref(doc);
        client_free(c[i]);
    }
}

/* Ask for the list of exports until every one in it is done (none failed). */
static void exports_wait_done(struct t *t)
{
    int64_t guard = cw_mono_ms() + WAIT_MS;
    size_t unfinished, i;
    json_t *doc, *x;

    do {
        if (cw_mono_ms() > guard)
            fail_msg("waited too long for the exports to run");
        assert_int_equal(ask(t, "GET", "/api/v1/exports", "", &doc), 200);
        unfinished = 0;
        json_array_foreach(doc, i, x)
        {
            const char *st = json_string_value(json_object_get(x, "state"));
            assert_string_not_equal(st, "failed");
            unfinished += strcmp(st, "done") != 0;
        }
        json_decref(doc);
    } while (unfinished > 0);
}

/* More exports started than EXPORTS_WAITING_MAX waiting for the exports' one thread: the one
 * over is answered at once, 503 busy with Retry-After, and no export is made for it; the
 * waiting ones all run once the thread does, and a start is taken again. (They queued without
 * end, each holding its plan in memory.) */
static void test_an_export_over_the_queue_cap_is_answered_503_with_retry_after(void **state)
{
    struct t *t = *state;
    struct cw_err err;
    json_t *doc;

    assert_int_equal(pool_resize(t->api->export_pool, 0, &err), 0); /* the exports wait */
    for (int i = 0; i < EXPORTS_WAITING_MAX; i++)
        assert_int_equal(ask(t, "POST", "/api/v1/requests/1/export", "", NULL), 202);
    answer_is_busy(t, client_send(t, "POST", "/api/v1/requests/1/export", ""));
    assert_int_equal(ask(t, "GET", "/api/v1/exports", "", &doc), 200);
    assert_int_equal(json_array_size(doc), EXPORTS_WAITING_MAX);
    json_decref(doc);
    /* The thread runs them, each to done, and a start is taken again. */
    assert_int_equal(pool_resize(t->api->export_pool, 1, &err), 0);
    exports_wait_done(t);
    assert_int_equal(ask(t, "POST", "/api/v1/requests/1/export", "", NULL), 202);
    exports_wait_done(t);
}

/* An export's plan is read by a worker, on a connection of its own, never by the loop: while a
 * worker reads it (held here), the loop answers other requests and the start waits; then it is
 * answered 202, and the start of a request that does not exist 404, both read by a worker.
 * (The loop read the plan itself, every segment of the request's cameras over its range: on an
 * index of a million segments every camera's probes waited for it.) */
static void test_an_export_reads_its_plan_on_a_worker_not_the_loop(void **state)
{
    struct t *t = *state;
    struct client *c;
    json_t *doc;

    reads_count_from_now();
    atomic_store(&gate_armed, 1);
    c = client_send(t, "POST", "/api/v1/requests/1/export", "");
    DRIVE_UNTIL(t, "the plan read on a worker, or the answer",
                atomic_load(&gate_state) == GATE_WAITING || client_pump(c));
    assert_int_equal(atomic_load(&reads_on_loop), 0);
    assert_int_equal(atomic_load(&gate_state), GATE_WAITING);
    assert_int_equal(c->len, 0);
    /* The loop is free meanwhile: it answers others. */
    assert_int_equal(ask(t, "GET", "/healthz", "", NULL), 200);
    assert_int_equal(ask(t, "GET", "/api/v1/whoami", "", NULL), 200);
    assert_int_equal(c->len, 0);
    atomic_store(&gate_open, 1);
    client_answer(t, c);
    assert_int_equal(client_status(c), 202);
    doc = client_json(c);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "request-1-1");
    json_decref(doc);
    client_free(c);
    assert_int_equal(ask(t, "POST", "/api/v1/requests/99/export", "", &doc), 404);
    assert_string_equal(json_string_value(json_object_get(doc, "detail")), "no request 99");
    json_decref(doc);
    assert_int_equal(atomic_load(&reads_on_loop), 0);
    assert_int_equal(atomic_load(&reads_on_worker), 2);
    exports_wait_done(t);
}

/* A reload between an export's start and the worker's read of its plan, the configuration the
 * start came under freed before the worker runs: the plan is read with what the start copied,
 * the site's name and zone and the folder of its dir recorder, never the freed configuration's
 * memory (a use after free: AddressSanitizer in build-asan) nor the new one's settings (the
 * folder its start read is the old one's too: the test above). */
static void test_an_export_plan_read_after_a_reload_uses_the_settings_of_its_start(void **state)
{
    struct t *t = *state;
    struct cfg *before;
    const char *rest = strstr(CONF_STD, "[inventory]");
    const struct store_segment seg = {.recorder = "nvr",
                                      .dir = "CAH-001/2026-01-01",
                                      .file = "10-00-00.mp4",
                                      .camera_id = "CAH-001",
                                      .start_ms = cw_now_ms() - 10 * 60 * 1000,
                                      .end_ms = cw_now_ms() - 9 * 60 * 1000,
                                      .bytes = 1000,
                                      .readable = 0,
                                      .reason = "truncated: moov atom not found"};
    struct client *c;
    struct cw_err err;
    char text[4096];
    json_t *doc, *cam;

    assert_non_null(rest);
    /* Footage of the request's camera on recorder nvr, which only the start's configuration
     * has: read as a file of its folder (none here: "no readable footage"), where a recorder
     * the configuration lacks would be one camwatch reads no files from. */
    assert_int_equal(store_segment_put(t->store, &seg, cw_now_ms(), NULL, &err), 0);
    snprintf(text, sizeof(text),
             "[site]\nname = Tram Lai Vung\n%s[http]\nper_client = 0\n"
             "[recorder nvr]\nkind = dir\npath = footage/nvr\npattern = "
             "{camera}/%%Y-%%m-%%d/%%H-%%M-%%S.mp4\n",
             rest);
    before = conf_load_text(t, text);
    api_reload(t->api, before);
    assert_int_equal(pool_resize(t->api->pool, 0, &err), 0); /* the start waits, queued */
    c = client_send(t, "POST", "/api/v1/requests/1/export", "");
    DRIVE_UNTIL(t, "the start queued", pool_pending(t->api->pool) == 1 || client_pump(c));
    assert_int_equal(c->len, 0);
    api_reload(t->api, t->site->cfg);
    cfg_free(before); /* as the daemon's reload frees the old one */
    assert_int_equal(pool_resize(t->api->pool, API_WORKERS, &err), 0);
    client_answer(t, c);
    assert_int_equal(client_status(c), 202);
    client_free(c);
    exports_wait_done(t);
    assert_int_equal(ask(t, "GET", "/api/v1/exports/request-1-1/files/manifest.json", "", &doc),
                     200);
    assert_string_equal(json_string_value(json_object_get(doc, "site")), "Tram Lai Vung");
    assert_string_equal(json_string_value(json_object_get(doc, "time_zone")),
                        t->site->cfg->time_zone);
    cam = json_array_get(json_object_get(doc, "cameras"), 0);
    assert_string_equal(json_string_value(json_object_get(cam, "id")), "CAH-001");
    assert_string_equal(json_string_value(json_object_get(cam, "note")),
                        "no readable footage in the range");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_job_is_answered_from_the_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_write_checks_its_camera_on_a_worker, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_uptime_from_now_is_read_against_the_now_it_is_clipped_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_with_an_export_start_on_a_worker_answers_503,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs_keep_the_store_opened_at_start_across_a_reload,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_export_started_before_a_reload_stays_in_the_folder_it_read, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_export_whose_folder_its_audit_rows_cannot_hold_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failed_export_is_recorded_as_failed_after_its_start,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_report_queued_at_stop_is_answered_and_freed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_request_over_the_job_cap_is_answered_503_with_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_request_arriving_at_stop_is_answered_503, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_stop_interrupts_a_long_read_on_a_worker_and_answers_503, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_export_over_the_queue_cap_is_answered_503_with_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_export_reads_its_plan_on_a_worker_not_the_loop,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_export_plan_read_after_a_reload_uses_the_settings_of_its_start, setup,
            teardown),
    };

    log_init("test_api", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
