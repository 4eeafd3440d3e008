/* test_alerts.c - the daemon's alerting (daemon/alerts.c) over a real SQLite file and a real
 * libev loop: what it decides from the event log is written in one transaction with the
 * cursor and the damping, and when the store refuses it (SQLite's own SQLITE_FULL, by
 * max_page_count on the daemon's connection, as on a full disk) nothing is decided: the same
 * events are read again until the alert lands, once; a delivery's outcome it refused is
 * written again until it lands, so nothing sent stays pending to be sent again. Deliveries go
 * to a real webhook receiver on loopback (tests/fixtures/alert_receiver.py). The loop runs until a
 * condition holds, with a generous guard against hangs; nothing asserts how long anything took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "../daemon/alerts.h"
#include "../daemon/curlev.h"
#include "../daemon/pool.h"
#include "../util/cwtime.h"
#include "cwtest.h"
#include "store_raw.h"

#define HOLD_MS 1000      /* [alerts] hold: its least */
#define GUARD_MS 60000    /* a wait that never ends is a failure, not a hang */
#define NAME_BYTES 6000   /* the camera's name: its alert's document needs new pages */
#define AFTER_DUE_MS 2500 /* past a deadline by two polls (ALERTS_POLL_S) and a half */

struct fixture {
    char dir[64];
    char path[128];
    struct ev_loop *loop;
    struct curlev *curl;
    struct store *s;
    sqlite3 *raw;
    struct alerts *a;
    struct pool *released; /* pools alerts_free left to end on the loop, as camwatchd's */
    struct cfg cfg;
    struct cfg_camera cam;
    char name[NAME_BYTES + 1];
    struct cwtest_fixture rx; /* the webhook receiver, when a test starts it */
    char spool[128], url[64];
    int refused;         /* cw_refuse() calls: writes the store refused */
    int64_t complete_ms; /* the log clock's answer: up to when the log is complete */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "alerts") != 0)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/camwatch.db", fx->dir);
    memset(fx->name, 'x', NAME_BYTES);
    fx->cam = (struct cfg_camera){.id = "CAH-001", .name = fx->name, .rtsp_url = "rtsp://x/1"};
    fx->cfg.site_name = "Test";
    fx->cfg.database = fx->path;
    fx->cfg.time_zone = CW_DEFAULT_TZ;
    fx->cfg.cameras = &fx->cam;
    fx->cfg.n_cameras = 1;
    /* No target: an alert is written with no delivery; what is pinned is what is written. */
    fx->cfg.alerts = (struct cfg_alerts){.hold_ms = HOLD_MS,
                                         .retry_ms = 1000,
                                         .retry_max_ms = 2000,
                                         .give_up_ms = 60000,
                                         .timeout_ms = 1000,
                                         .digest_min = -1};
    fx->loop = ev_loop_new(EVFLAG_AUTO);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0 ||
        store_sync_cameras(fx->s, &fx->cfg, cw_now_ms(), &err) != 0 ||
        curlev_new(fx->loop, &fx->curl, &err) != 0 ||
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, NULL, &fx->released, &fx->a, &err) != 0)
        fail_msg("setup: %s", err.msg);
    fx->raw = raw_open(fx->path);
    fx->rx = (struct cwtest_fixture)CWTEST_FIXTURE_INIT;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    alerts_free(fx->a);
    pool_finish_released(&fx->released); /* as camwatchd's main, before the loop is destroyed */
    cwtest_fixture_stop(&fx->rx);
    curlev_free(fx->curl);
    store_close(fx->s);
    sqlite3_close(fx->raw);
    ev_loop_destroy(fx->loop);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

/* Run the loop until done(fx, arg) or the guard; returns done's last answer. */
static int run_until(struct fixture *fx, int (*done)(struct fixture *, int64_t), int64_t arg)
{
    int64_t guard = cw_mono_ms() + GUARD_MS;
    ev_timer tick; /* ev_run returns at least this often to look at done */
    int ok;

    ev_timer_init(&tick, tick_cb, 0.05, 0.05);
    ev_timer_start(fx->loop, &tick);
    while (!(ok = done(fx, arg)) && cw_mono_ms() < guard)
        ev_run(fx->loop, EVRUN_ONCE);
    ev_timer_stop(fx->loop, &tick);
    return ok;
}

static int time_reached(struct fixture *fx, int64_t at_ms)
{
    (void)fx;
    return cw_now_ms() >= at_ms;
}

static int alerts_written(struct fixture *fx, int64_t n)
{
    return raw_int(fx->raw, "SELECT count(*) FROM alert") >= n;
}

/* Before: an alert the store refused was logged and lost, while the cursor and the damping
 * went on (in memory, then written), so the change was never told. */
static void test_an_alert_the_full_store_refused_lands_once_there_is_room(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    int64_t at = cw_now_ms();

    /* The verdict's change, as the fleet's batch writes it. */
    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UNKNOWN, CW_DOWN, at,
                                             "connection refused", &err),
                     0);
    raw_store_full(fx->s, 1);
    /* Its hold is over and the log has been read twice since: each time refused. */
    assert_true(run_until(fx, time_reached, at + HOLD_MS + AFTER_DUE_MS));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert"), 0);
    /* What the store holds says it is still to be told (the damping is kept with the alert). */
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert_watch WHERE told = 'down'"), 0);

    raw_store_full(fx->s, 0);
    assert_true(run_until(fx, alerts_written, 1));
    /* Two polls more: nothing is told twice. */
    assert_true(run_until(fx, time_reached, cw_now_ms() + AFTER_DUE_MS));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert"), 1);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'change' AND "
                                      "camera_id = 'CAH-001' AND to_state = 'down' AND "
                                      "from_state = 'unknown'"),
                     1);
    assert_int_equal(raw_int(fx->raw, "SELECT event_id FROM alert_cursor"),
                     raw_int(fx->raw, "SELECT max(id) FROM event"));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert_watch WHERE "
                                      "camera_id = 'CAH-001' AND told = 'down' AND pending = 0"),
                     1);
}

/* A webhook receiver on loopback that answers the first fail_first requests 503 (NULL: none),
 * and alerting told of it (as a reload does). */
static void start_receiver_failing(struct fixture *fx, const char *fail_first)
{
    const char *args[] = {"--protocol",   "webhook",  "--spool", fx->spool,
                          "--fail-first", fail_first, NULL};

    if (fail_first == NULL)
        args[4] = NULL;

    snprintf(fx->spool, sizeof(fx->spool), "%s/hooks", fx->dir);
    if (cwtest_fixture_start(&fx->rx, "alert_receiver.py", args, GUARD_MS) < 0)
        fail_msg("alert_receiver.py did not start");
    snprintf(fx->url, sizeof(fx->url), "http://127.0.0.1:%d/hook", fx->rx.port);
    fx->cfg.alerts.webhook = fx->url;
    fx->cfg.alerts.webhooks[0] = fx->url;
    fx->cfg.alerts.n_webhooks = 1;
    alerts_reload(fx->a, &fx->cfg);
}

static void start_receiver(struct fixture *fx)
{
    start_receiver_failing(fx, NULL);
}

/* Requests the receiver took (its spool's files). */
static int received(struct fixture *fx)
{
    DIR *d = opendir(fx->spool);
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

/* The store refusing a write: an SQL function raising an error, counted. */
static void refuse_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fixture *fx = sqlite3_user_data(ctx);

    (void)argc;
    (void)argv;
    fx->refused++;
    sqlite3_result_error(ctx, "refused (test)", -1);
}

static int refused_once(struct fixture *fx, int64_t unused)
{
    (void)unused;
    return fx->refused >= 1;
}

static int delivery_sent(struct fixture *fx, int64_t unused)
{
    (void)unused;
    return raw_int(fx->raw, "SELECT count(*) FROM alert_delivery WHERE status = 'sent'") == 1;
}

static int attempted_once(struct fixture *fx, int64_t unused)
{
    (void)unused;
    return raw_int(fx->raw, "SELECT count(*) FROM alert_delivery WHERE status = 'pending' AND "
                            "attempts = 1") == 1;
}

/* Before: the outcome of an attempt the store would not take was logged and forgotten, the
 * delivery left pending in the store; a restart would have sent it again. */
static void test_a_sent_delivery_the_store_refused_to_record_is_recorded_once_it_can(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db = fx->s->db; /* the daemon's connection: the trigger is its own (TEMP) */
    struct cw_err err = {0};

    start_receiver(fx);
    assert_int_equal(
        sqlite3_create_function(db, "cw_refuse", 0, SQLITE_UTF8, fx, refuse_fn, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TEMP TRIGGER refuse_outcome BEFORE UPDATE ON "
                                  "alert_delivery BEGIN SELECT cw_refuse(); END;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UNKNOWN, CW_DOWN, cw_now_ms(),
                                             "connection refused", &err),
                     0);
    /* Sent, and its outcome refused by the store. */
    assert_true(run_until(fx, refused_once, 0));
    assert_int_equal(received(fx), 1);
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert_delivery WHERE status = "
                                      "'pending' AND attempts = 0"),
                     1);

    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER temp.refuse_outcome", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(run_until(fx, delivery_sent, 0));
    assert_int_equal(raw_int(fx->raw, "SELECT attempts FROM alert_delivery"), 1);
    assert_int_equal(received(fx), 1); /* written, not sent again */
}

static int64_t log_complete(void *data)
{
    return ((struct fixture *)data)->complete_ms;
}

/* The fleet's batch writes a change a little after deciding it. A camera's damping judged at
 * now while a change decided before now was still on its way told of the state before it
 * (the flapping alert said "up" of a camera the verdict had just found down). */
static void test_damping_is_judged_no_later_than_the_log_is_complete(void **state)
{
    struct fixture *fx = *state;
    struct alerts_log_clock clock = {.complete_ms = log_complete, .data = fx};
    struct cw_err err = {0};
    int64_t at = cw_now_ms();

    alerts_free(fx->a);
    fx->complete_ms = at; /* the batch still holds what was decided after at */
    assert_int_equal(
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, &clock, &fx->released, &fx->a, &err), 0);
    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UNKNOWN, CW_DOWN, at,
                                             "connection refused", &err),
                     0);
    /* Its hold is over by the wall clock, not by the log: nothing is told yet. */
    assert_true(run_until(fx, time_reached, at + HOLD_MS + AFTER_DUE_MS));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert"), 0);
    /* The log catches up: the change had lasted hold, told once. */
    fx->complete_ms = cw_now_ms();
    assert_true(run_until(fx, alerts_written, 1));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE to_state = 'down'"), 1);
}

static const char *log_path; /* where stderr goes while digest_failed looks */

static int digest_failed(struct fixture *fx, int64_t n)
{
    (void)fx;
    fflush(stderr);
    return cwtest_lines_with(log_path, "digest not made") >= n;
}

/* A digest the store cannot make (a read that fails: here its event log is gone) left the last
 * digest where it was, in the past, and the digest was armed again from it: due at once, so the
 * loop made it again on every turn, a spin with a warning each time. It is tried again
 * ALERTS_RETRY_S later, as a digest the store refused to write is. */
static void test_a_digest_the_store_cannot_make_is_tried_again_later_not_at_once(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char path[192];
    int saved, fd;

    snprintf(path, sizeof(path), "%s/stderr.log", fx->dir);
    log_path = path;
    alerts_free(fx->a);
    fx->cfg.alerts.digest_min = 7 * 60;
    /* The last digest three days ago: the next one is past, due at once. */
    assert_int_equal(sqlite3_exec(fx->raw,
                                  "INSERT INTO alert (at_ms, kind, summary, payload) VALUES "
                                  "((strftime('%s', 'now') - 3 * 86400) * 1000, 'digest', "
                                  "'digest', '{}');"
                                  "ALTER TABLE event RENAME TO event_gone;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0 && dup2(fd, 2) == 2);
    close(fd);
    assert_int_equal(
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, NULL, &fx->released, &fx->a, &err), 0);
    assert_true(run_until(fx, digest_failed, 1));
    /* Twenty turns of the loop that wait for nothing: the next try is seconds away. */
    for (int i = 0; i < 20; i++)
        ev_run(fx->loop, EVRUN_NOWAIT);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(cwtest_lines_with(path, "digest not made"), 1);
}

/* Which threads read the camera status list (the digest's first read), from a trace every
 * connection of this process gets as it opens (sqlite3_auto_extension): the daemon's, the
 * tests' and any a worker opens. */
static struct {
    pthread_mutex_t mu;
    pthread_t loop; /* the thread running the tests and their libev loop */
    int on_loop, off_loop;
} status_reads = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* A worker's status read held where it starts, once armed, until the test lets it go (or the
 * guard: a test that never lets go fails, it does not hang): the digest's worker inside its
 * read, as a long read of a big store or a lock would keep it. */
#define HOLD_GUARD_S 10
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int armed, inside, release;
} hold = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void hold_if_armed(void)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HOLD_GUARD_S;
    pthread_mutex_lock(&hold.mu);
    if (hold.armed) {
        hold.armed = 0;
        hold.inside = 1;
        while (!hold.release && pthread_cond_timedwait(&hold.cv, &hold.mu, &until) == 0)
            ;
        hold.inside = 0;
    }
    pthread_mutex_unlock(&hold.mu);
}

static int trace_status_reads(unsigned type, void *ctx, void *stmt, void *text)
{
    const char *sql = sqlite3_sql(stmt);

    (void)type;
    (void)ctx;
    (void)text;
    if (sql == NULL || strstr(sql, "FROM camera") == NULL ||
        strstr(sql, "retired_ms IS NULL ORDER BY id") == NULL)
        return 0;
    pthread_mutex_lock(&status_reads.mu);
    if (pthread_equal(pthread_self(), status_reads.loop)) {
        status_reads.on_loop++;
        pthread_mutex_unlock(&status_reads.mu);
        return 0;
    }
    status_reads.off_loop++;
    pthread_mutex_unlock(&status_reads.mu);
    hold_if_armed();
    return 0;
}

static int trace_connection(sqlite3 *db, const char **errmsg, const void *api)
{
    (void)errmsg;
    (void)api;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_status_reads, NULL);
    return SQLITE_OK;
}

static int digest_written(struct fixture *fx, int64_t unused)
{
    (void)unused;
    return raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'") == 2; /* old too */
}

/* Alerting stopped, to start again with a daily digest whose last one was three days ago:
 * the next is past, due at once. */
static void digest_due(struct fixture *fx)
{
    alerts_free(fx->a);
    fx->a = NULL;
    fx->cfg.alerts.digest_min = 7 * 60;
    assert_int_equal(sqlite3_exec(fx->raw,
                                  "INSERT INTO alert (at_ms, kind, summary, payload) VALUES "
                                  "((strftime('%s', 'now') - 3 * 86400) * 1000, 'digest', "
                                  "'old', '{}');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
}

/* The digest reads every camera's status and a day of the event log: long for a large fleet.
 * It ran in the digest timer's callback, on the loop thread, holding every probe and HTTP
 * answer meanwhile. Its read runs on a worker, and the loop writes its alert when it is back. */
static void test_the_digest_reads_the_store_on_a_worker_not_the_loop(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    int on_loop, off_loop;

    digest_due(fx);
    pthread_mutex_lock(&status_reads.mu);
    status_reads.on_loop = status_reads.off_loop = 0;
    pthread_mutex_unlock(&status_reads.mu);
    assert_int_equal(
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, NULL, &fx->released, &fx->a, &err), 0);
    assert_true(run_until(fx, digest_written, 0));
    pthread_mutex_lock(&status_reads.mu);
    on_loop = status_reads.on_loop;
    off_loop = status_reads.off_loop;
    pthread_mutex_unlock(&status_reads.mu);
    assert_int_equal(on_loop, 0);
    assert_int_equal(off_loop, 1);
    /* What it read came back whole: the camera the store holds, counted. */
    assert_int_equal(raw_int(fx->raw, "SELECT json_extract(payload, '$.cameras') FROM alert "
                                      "WHERE kind = 'digest' ORDER BY id DESC LIMIT 1"),
                     1);
}

static int digest_held(struct fixture *fx, int64_t unused)
{
    int inside;

    (void)fx;
    (void)unused;
    pthread_mutex_lock(&hold.mu);
    inside = hold.inside;
    pthread_mutex_unlock(&hold.mu);
    return inside;
}

static int threads_at_most(struct fixture *fx, int64_t n)
{
    (void)fx;
    return cwtest_threads_now() <= n;
}

/* Alerting started again with a digest due at once (the last one three days ago), and the
 * loop run until the digest's worker is held where its read starts: the process's threads
 * before it started. */
static int64_t digest_out_and_held(struct fixture *fx)
{
    struct cw_err err = {0};
    int64_t threads;

    digest_due(fx);
    threads = cwtest_threads_now();
    assert_true(threads > 0);
    pthread_mutex_lock(&hold.mu);
    hold.armed = 1;
    hold.release = 0;
    pthread_mutex_unlock(&hold.mu);
    assert_int_equal(
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, NULL, &fx->released, &fx->a, &err), 0);
    assert_true(run_until(fx, digest_held, 0));
    return threads;
}

/* Before: alerts_free (a reload turning alerts off) joined the digest's worker, so while the
 * digest read a big store (or waited on a lock) the loop was held: no probe, no answer, no
 * watchdog. Now it returns while the worker is still inside its read (held here where the read
 * starts), interrupts that read, and the worker's job and pool are freed on the loop when it
 * is back: the worker's thread ends and, under ASan, nothing leaks. */
static void test_alerts_turned_off_do_not_wait_for_the_digest_being_read(void **state)
{
    struct fixture *fx = *state;
    int64_t threads;
    int inside;

    threads = digest_out_and_held(fx);

    alerts_free(fx->a); /* as daemon_alerts does on a reload turning alerts off */
    fx->a = NULL;
    pthread_mutex_lock(&hold.mu);
    inside = hold.inside;
    hold.release = 1;
    pthread_cond_broadcast(&hold.cv);
    pthread_mutex_unlock(&hold.mu);
    assert_int_equal(inside, 1); /* it returned while the worker was still inside */

    /* Back: the worker's thread ends, its job and pool are freed by the loop (ASan). */
    assert_true(run_until(fx, threads_at_most, threads));
    ev_run(fx->loop, EVRUN_NOWAIT);
    assert_null(fx->released); /* it left the owner's list as it was freed: not freed twice */
    /* The interrupted read wrote no digest: the old one is the only one. */
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'"), 1);
}

/* camwatchd's end right after a reload turned alerts off (SIGHUP then SIGTERM): the loop runs no
 * more once the SIGTERM's iteration is over, so the released pool's wake may never be handled;
 * main frees the daemon and destroys the loop. What the detached digest held (its job, the
 * pool, the worker's thread) must still be freed: the pool waits on the daemon's released
 * list, which main finishes before it destroys the loop; under ASan nothing leaks. (Failed
 * under ASan: the pool freed itself only on the loop, and nothing reached it once the loop had
 * ended.) */
static void test_alerts_turned_off_then_the_loop_ends_before_the_digest_is_back(void **state)
{
    struct fixture *fx = *state;
    int64_t threads;

    threads = digest_out_and_held(fx);

    alerts_free(fx->a); /* the reload turning alerts off */
    fx->a = NULL;
    pthread_mutex_lock(&hold.mu);
    hold.release = 1;
    pthread_cond_broadcast(&hold.cv);
    pthread_mutex_unlock(&hold.mu);
    /* The worker is back and gone; the loop is never run again. */
    for (int ms = 0; cwtest_threads_now() > threads; ms++) {
        if (ms > GUARD_MS)
            fail_msg("the digest's worker never left");
        usleep(1000);
    }
    assert_non_null(fx->released);       /* its pool waits where the loop's owner finds it */
    pool_finish_released(&fx->released); /* main's end, then teardown destroys the loop */
    assert_null(fx->released);
    /* The interrupted read wrote no digest: the old one is the only one. */
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'"), 1);
}

/* ---- the wall clock stepped: holds run on the monotonic clock, the digest on the wall ---- */

#define STEP_HOLD_MS 15000      /* the reviewer's hold */
#define STEP_MS (3600 * 1000LL) /* NTP's step after a boot with the hardware clock an hour off */

/* The alerting started again on the test's clocks, with hold_ms. */
static void restart_on(struct fixture *fx, struct cwtest_clock *ck, int64_t hold_ms)
{
    struct alerts_log_clock clock = {.time = ck->clock};
    struct cw_err err = {0};

    alerts_free(fx->a);
    fx->cfg.alerts.hold_ms = hold_ms;
    assert_int_equal(
        alerts_new(fx->loop, fx->curl, fx->s, &fx->cfg, &clock, &fx->released, &fx->a, &err), 0);
}

/* CAH-001's change is read, not settled, and its state began at state_ms. */
static int pending_since(struct fixture *fx, int64_t state_ms)
{
    char sql[160];

    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM alert_watch WHERE camera_id = 'CAH-001' AND pending = 1 AND "
             "state_ms = %lld",
             (long long)state_ms);
    return raw_int(fx->raw, sql) == 1;
}

static int digests_made(struct fixture *fx, int64_t n)
{
    return raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'") >= n;
}

static void record_down(struct fixture *fx, int64_t at_ms)
{
    struct cw_err err = {0};

    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UNKNOWN, CW_DOWN, at_ms,
                                             "connection refused", &err),
                     0);
}

/* The alerting on the test's clocks (ck, made here) with hold_ms, and CAH-001 down now, read
 * (pending) unless not yet read is wanted. Returns when it went down. */
static int64_t down_on(struct fixture *fx, struct cwtest_clock *ck, int64_t hold_ms, int read)
{
    int64_t at;

    cwtest_clock_init(ck, cw_now_ms());
    restart_on(fx, ck, hold_ms);
    at = ck->wall_ms;
    record_down(fx, at);
    if (read)
        assert_true(run_until(fx, pending_since, at));
    return at;
}

/* The change read as since since_ms, nothing told; then hold passes and it is told. */
static void held_then_told(struct fixture *fx, struct cwtest_clock *ck, int64_t since_ms)
{
    assert_true(run_until(fx, pending_since, since_ms));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert"), 0);
    cwtest_clock_pass(ck, STEP_HOLD_MS);
    assert_true(run_until(fx, alerts_written, 1));
}

/* Before: the hold was judged on the wall clock, so a camera that changed just before NTP set
 * the clock back an hour was told of an hour late. Its hold ends after hold of time passing. */
static void test_a_hold_under_way_when_the_wall_clock_steps_back_ends_after_hold(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    down_on(fx, &ck, STEP_HOLD_MS, 1);
    cwtest_clock_step(&ck, -STEP_MS);
    cwtest_clock_pass(&ck, STEP_HOLD_MS);
    assert_true(run_until(fx, alerts_written, 1));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'change' AND "
                                      "to_state = 'down'"),
                     1);
}

/* Before: a step forward ended every hold under way at once. It goes on for hold. */
static void test_a_hold_under_way_when_the_wall_clock_steps_forward_still_lasts_hold(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    int64_t at = down_on(fx, &ck, STEP_HOLD_MS, 1);

    cwtest_clock_step(&ck, STEP_MS);
    /* The step seen: the change's time follows the clock, and nothing is told. */
    held_then_told(fx, &ck, at + STEP_MS);
}

/* A change stamped just before the step and read just after it (the fleet's batch writes a
 * little late) is held for hold too, not told at once. */
static void test_a_change_stamped_before_a_step_and_read_after_it_still_lasts_hold(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;
    int64_t at = down_on(fx, &ck, STEP_HOLD_MS, 0);

    cwtest_clock_step(&ck, STEP_MS);
    held_then_told(fx, &ck, at + STEP_MS);
}

/* The daemon stopped with a hold under way and started again after NTP set the clock back:
 * the stored change is "in the future". Before: its hold ended an hour late. */
static void
test_a_hold_under_way_over_a_restart_with_the_clock_set_back_ends_after_hold(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    down_on(fx, &ck, STEP_HOLD_MS, 1);
    cwtest_clock_step(&ck, -STEP_MS);
    restart_on(fx, &ck, STEP_HOLD_MS);
    cwtest_clock_pass(&ck, STEP_HOLD_MS);
    assert_true(run_until(fx, alerts_written, 1));
}

/* Before: a delivery's next attempt was judged on the wall clock, so one failed just before
 * the clock was set back an hour was tried again an hour late. It waits its backoff at most. */
static void
test_a_delivery_retry_when_the_wall_clock_steps_back_waits_no_longer_than_backoff(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    down_on(fx, &ck, HOLD_MS, 1);
    start_receiver_failing(fx, "1");
    cwtest_clock_pass(&ck, HOLD_MS);
    assert_true(run_until(fx, attempted_once, 0));
    cwtest_clock_step(&ck, -STEP_MS);
    assert_true(run_until(fx, delivery_sent, 0));
    assert_int_equal(raw_int(fx->raw, "SELECT attempts FROM alert_delivery"), 2);
}

/* The site's wall clock at "YYYY-MM-DD HH:MM" local time. */
static int64_t local_ms(const char *when)
{
    int64_t ms = 0;

    assert_int_equal(cw_parse_time(when, CW_DEFAULT_TZ, &ms), 0);
    return ms;
}

/* Before: the digest's timer was armed for the wall time left until its local time, so after
 * a step it came hours off that time. Set forward past it, the digest is made at once. */
static void test_the_digest_is_made_when_the_wall_clock_steps_past_its_time(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    cwtest_clock_init(&ck, local_ms("2026-12-07 10:00"));
    fx->cfg.alerts.digest_min = 12 * 60;
    restart_on(fx, &ck, STEP_HOLD_MS);
    cwtest_clock_step(&ck, 2 * STEP_MS);
    assert_true(run_until(fx, digests_made, 1));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'"), 1);
}

/* Set back an hour a second before its time, the digest waits for its time to come again. */
static void test_the_digest_waits_for_its_time_when_the_wall_clock_steps_back(void **state)
{
    struct fixture *fx = *state;
    struct cwtest_clock ck;

    cwtest_clock_init(&ck, local_ms("2026-12-07 12:00") - 1000);
    fx->cfg.alerts.digest_min = 12 * 60;
    restart_on(fx, &ck, STEP_HOLD_MS);
    cwtest_clock_step(&ck, -STEP_MS);
    /* Two polls after its old time: not made. */
    assert_true(run_until(fx, time_reached, cw_now_ms() + 1000 + AFTER_DUE_MS));
    assert_int_equal(raw_int(fx->raw, "SELECT count(*) FROM alert WHERE kind = 'digest'"), 0);
    /* Set forward again, past its time: made. */
    cwtest_clock_step(&ck, STEP_MS + 1000);
    assert_true(run_until(fx, digests_made, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_an_alert_the_full_store_refused_lands_once_there_is_room, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_sent_delivery_the_store_refused_to_record_is_recorded_once_it_can, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_damping_is_judged_no_later_than_the_log_is_complete,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_digest_the_store_cannot_make_is_tried_again_later_not_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_digest_reads_the_store_on_a_worker_not_the_loop,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_alerts_turned_off_do_not_wait_for_the_digest_being_read, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_alerts_turned_off_then_the_loop_ends_before_the_digest_is_back, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_hold_under_way_when_the_wall_clock_steps_back_ends_after_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_hold_under_way_when_the_wall_clock_steps_forward_still_lasts_hold, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_change_stamped_before_a_step_and_read_after_it_still_lasts_hold, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_hold_under_way_over_a_restart_with_the_clock_set_back_ends_after_hold, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_delivery_retry_when_the_wall_clock_steps_back_waits_no_longer_than_backoff,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_digest_is_made_when_the_wall_clock_steps_past_its_time, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_digest_waits_for_its_time_when_the_wall_clock_steps_back, setup, teardown),
    };

    /* Every connection opened from here on is traced (trace_status_reads). */
    status_reads.loop = pthread_self();
    if (sqlite3_auto_extension((void (*)(void))trace_connection) != SQLITE_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
