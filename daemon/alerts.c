/* alerts.c - the running daemon's alerting (alerts.h). Owns each camera's damping (a struct
 * damp with the reason of its last change, sorted by camera id, written through to the
 * store's alert_watch), the cursor on the event log, the delivery queue, three timers (the
 * log's poll, the next damping deadline, the next digest) and a worker pool of one thread for
 * the digest's read. Loop thread only, but for that read (digest_work), which touches only its
 * job and a read-only connection of its own.
 *
 *   event log --poll--> damp_change() per event -----+
 *   deadline timer ---> damp_advance() at now <------+--> alert: document -> alertq_add()
 *   digest timer -----> worker: doc_digest() --done--------> alert: document -> alertq_add()
 *
 * The digest reads every camera's status and a day of the event log: long for a large fleet,
 * so it runs on the pool and the loop writes its alert when it is back (digest_done). One is
 * made at a time; one that comes back after alerts_stop is dropped unwritten (the last digest
 * stays the one before, so the next start makes it up). alerts_stop and alerts_free interrupt
 * its read (store_interrupt on the worker's connection); alerts_free on a reload never waits
 * for the worker: the job is detached and freed, with the pool, when it is back (on the loop,
 * or by the loop's owner: pool_finish_released).
 *
 * Each read of the log is one transaction: the alerts it makes, the cameras' damping and the
 * cursor are written together, so a crash never alerts an event twice or skips one. When the
 * store refuses any of it (a full disk), the transaction is rolled back, the cursor and the
 * damping are put back as they were, the alerts it made are not sent (alertq_hold), and the
 * next poll reads the same events again: nothing is decided until it is written. A digest the
 * store could not read or refused to write is tried again ALERTS_RETRY_S later.
 *
 * Damping times are wall times (what the store keeps and alerts show), but a hold is a length
 * of time: when the wall clock is stepped (NTP after a boot with a wrong hardware clock, an
 * admin setting it), every camera's damping times move with it (follow_step), so a hold under
 * way lasts hold, no more and no less, and the digest is armed again for its local time. A
 * change stamped on the clock before the step and read after it moves too; any time ahead of
 * the wall clock (the store's, after a restart) is taken as now. */
#include "alerts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../index/store_alert.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/vec.h"
#include "alertmsg.h"
#include "alertq.h"
#include "damp.h"
#include "pool.h"

#define ALERTS_PAGE 1000 /* events read at a time */
#define DAY_MS (24 * 3600 * 1000LL)
#define ALERTS_RETRY_S 5.0        /* a digest the store failed is made again after this */
#define ALERTS_LOG_EVERY_MS 60000 /* while the store refuses: one log line this often */
/* The wall clock moved this far against the monotonic one between two reads of the log: it
 * was stepped (NTP's slew moves it half a millisecond a second at most). */
#define ALERTS_STEP_MS 1000

struct alerts_cam {
    struct store_alert_watch w; /* id, reason; the damping fields are d's when written */
    struct damp d;
    int dirty; /* changed since last written */
};

struct alerts {
    struct ev_loop *loop;
    struct store *store;
    const struct cfg *cfg;
    struct alertq *q;
    struct damp_params dp;
    struct alerts_cam *cams; /* sorted by id */
    size_t n, cap;
    int64_t cursor; /* the last event read */
    int64_t next_digest_ms;
    int write_failed;       /* the store refused a write of the pass under way */
    struct cw_err fail_err; /* what it said */
    int failing;            /* the last pass was rolled back */
    int64_t failing_log_ms; /* monotonic: when that was last logged */
    struct alerts_log_clock clock;
    int64_t offset_ms; /* the wall clock less the monotonic one, at the last read */
    ev_timer poll, deadline, digest;
    struct pool *pool;             /* the digest's read */
    struct digest_job *digest_job; /* on the pool, or NULL */
    struct pool **released;        /* the loop owner's list: the pool waits there (alerts_free) */
    int stopped;                   /* alerts_stop: what comes back is dropped */
};

/* A digest made on the pool: what it reads with, and its document back. */
struct digest_job {
    struct pool_job base; /* first: the pool hands this back */
    struct alerts *a;     /* NULL once detached (alerts_free): freed unwritten when back */
    char *db, *tz;        /* the store's file, opened read-only on the worker; the site's zone */
    pthread_mutex_t mu;   /* guards ro and interrupted: the loop interrupts, the worker reads */
    struct store *ro;     /* the worker's connection while it reads, or NULL */
    int interrupted;      /* digest_interrupt: its read ends (or never starts) */
    int64_t at_ms;        /* the digest's time: the end of its window */
    json_t *doc;          /* doc_digest's document, or NULL with err */
    struct cw_err err;
};

/* The wall clock: what damping times and alerts are stamped with. */
static int64_t alerts_wall(const struct alerts *a)
{
    return cw_clock_wall_ms(&a->clock.time);
}

/* ---- cameras ---- */

static int cam_cmp(const void *x, const void *y)
{
    return strcmp(((const struct alerts_cam *)x)->w.camera_id,
                  ((const struct alerts_cam *)y)->w.camera_id);
}

static struct alerts_cam *cam_find(struct alerts *a, const char *id)
{
    struct alerts_cam key;

    if (a->n == 0)
        return NULL;
    snprintf(key.w.camera_id, sizeof(key.w.camera_id), "%s", id);
    return bsearch(&key, a->cams, a->n, sizeof(*a->cams), cam_cmp);
}

/* A camera first seen in an event: found in the state it leaves, with nothing told. */
static struct alerts_cam *cam_add(struct alerts *a, const char *id, enum cw_state state,
                                  int64_t since_ms)
{
    struct alerts_cam c;
    size_t i;

    if (cw_vec_grow(&a->cams, a->n, &a->cap, sizeof(*a->cams), 64) != 0)
        return NULL;
    memset(&c, 0, sizeof(c));
    snprintf(c.w.camera_id, sizeof(c.w.camera_id), "%s", id);
    damp_init(&c.d, state, since_ms);
    for (i = a->n; i > 0 && strcmp(a->cams[i - 1].w.camera_id, id) > 0; i--)
        ;
    memmove(&a->cams[i + 1], &a->cams[i], (a->n - i) * sizeof(*a->cams));
    a->cams[i] = c;
    a->n++;
    return &a->cams[i];
}

static void watch_to_damp(const struct store_alert_watch *w, struct damp *d)
{
    *d = (struct damp){w->told,   w->state,   w->state_ms, w->pending,
                       w->run_ms, w->changes, w->flap_ms,  w->flapping};
}

static void damp_to_watch(const struct damp *d, struct store_alert_watch *w)
{
    w->told = d->told;
    w->state = d->state;
    w->state_ms = d->state_ms;
    w->pending = d->pending;
    w->run_ms = d->run_ms;
    w->changes = d->changes;
    w->flap_ms = d->flap_ms;
    w->flapping = d->flapping;
}

/* ---- alerts of a camera ---- */

/* The camera as the alert names it: from the inventory, else (retired) from the store. */
static void cam_facts(struct alerts *a, const char *id, struct alertmsg_cam *out,
                      struct store_status *st)
{
    const struct cfg_camera *cc = cfg_find_camera(a->cfg, id);
    struct cw_err err;

    *out = (struct alertmsg_cam){.id = id};
    if (cc != NULL) {
        *out = (struct alertmsg_cam){id, cc->name, cc->owner, cc->commune, cc->address, cc->road};
    } else if (store_get_status(a->store, id, st, &err) == 0) {
        out->name = st->name;
        out->owner = st->owner;
        out->commune = st->commune;
    }
}

static void alert_camera(struct alerts *a, const struct alerts_cam *c, const struct damp_alert *da)
{
    struct alertmsg_change ch = {damp_kind_name(da->kind),
                                 da->from,
                                 da->to,
                                 da->at_ms,
                                 da->since_ms,
                                 da->changes,
                                 c->w.reason};
    struct store_alert sa = {.at_ms = da->at_ms, .has_states = 1, .from = da->from, .to = da->to};
    struct alertmsg_cam cam;
    struct store_status st;
    struct cw_err err;
    json_t *doc;

    if (a->write_failed)
        return; /* the pass is rolled back: no write after a refused one */
    cam_facts(a, c->w.camera_id, &cam, &st);
    if ((doc = alertmsg_camera_doc(a->cfg, &cam, &ch)) == NULL) {
        log_warnx("alerts: camera=%s out of memory: an alert is lost", c->w.camera_id);
        return;
    }
    snprintf(sa.kind, sizeof(sa.kind), "%s", ch.kind);
    snprintf(sa.camera_id, sizeof(sa.camera_id), "%s", c->w.camera_id);
    sa.since_ms = da->since_ms;
    sa.changes = da->changes;
    snprintf(sa.reason, sizeof(sa.reason), "%s", c->w.reason);
    if (alertq_add(a->q, &sa, doc, &err) < 0) {
        a->write_failed = 1;
        a->fail_err = err;
    }
    json_decref(doc);
}

/* Every alert of c due at now. */
static void cam_advance(struct alerts *a, struct alerts_cam *c, int64_t now)
{
    struct damp_alert da;
    int was_pending = c->d.pending;

    while (damp_advance(&c->d, &a->dp, now, &da)) {
        alert_camera(a, c, &da);
        c->dirty = 1;
    }
    if (was_pending != c->d.pending)
        c->dirty = 1;
}

/* ---- the log and the deadlines ---- */

/* e, stamped at at_ms (event_time). */
static void take_event(struct alerts *a, const struct store_event *e, int64_t at_ms)
{
    struct alerts_cam *c = cam_find(a, e->camera_id);

    if (c == NULL && (c = cam_add(a, e->camera_id, e->from, at_ms)) == NULL) {
        log_warnx("alerts: camera=%s out of memory: its change is not alerted", e->camera_id);
        return;
    }
    cam_advance(a, c, at_ms); /* what was due before this change, on the state before it */
    damp_change(&c->d, e->to, at_ms);
    snprintf(c->w.reason, sizeof(c->w.reason), "%s", e->reason);
    c->dirty = 1;
}

/* Write every camera whose damping changed; with the cursor, in the caller's transaction. */
static void write_dirty(struct alerts *a)
{
    struct cw_err err;

    for (size_t i = 0; i < a->n && !a->write_failed; i++) {
        struct alerts_cam *c = &a->cams[i];
        if (!c->dirty)
            continue;
        damp_to_watch(&c->d, &c->w);
        if (store_alert_put_watch(a->store, &c->w, &err) < 0) {
            a->write_failed = 1;
            a->fail_err = err;
        }
        c->dirty = 0;
    }
}

/* The time the damping is judged at: now, or earlier while changes decided before now are
 * still on their way to the store. */
static int64_t log_now(const struct alerts *a)
{
    int64_t now = alerts_wall(a), done;

    if (a->clock.complete_ms == NULL || (done = a->clock.complete_ms(a->clock.data)) >= now)
        return now;
    return done;
}

/* When the earliest camera is due; INT64_MAX when none is pending. */
static int64_t next_due(const struct alerts *a)
{
    int64_t next = INT64_MAX;

    for (size_t i = 0; i < a->n; i++) {
        int64_t t = damp_next(&a->cams[i].d, &a->dp);
        if (t < next)
            next = t;
    }
    return next;
}

/* Arm the deadline timer for the earliest camera due. */
static void arm_deadline(struct alerts *a)
{
    int64_t next = next_due(a), now = alerts_wall(a);

    ev_timer_stop(a->loop, &a->deadline);
    if (next == INT64_MAX || a->failing)
        return; /* failing: the poll tries again, not a deadline already past */
    ev_timer_set(&a->deadline, next > now ? (double)(next - now) / 1000.0 : 0.0, 0.0);
    ev_timer_start(a->loop, &a->deadline);
}

/* The next page of the log into *ev, *n; 0 or -1 (logged). */
static int read_page(struct alerts *a, struct store_event **ev, size_t *n)
{
    struct cw_err err;

    if (store_list_events_after(a->store, a->cursor, ALERTS_PAGE, ev, n, &err) == 0)
        return 0;
    log_warnx("alerts: cannot read the event log: %s", err.msg);
    return -1;
}

/* The store refused the pass (or the digest): say so once, then once a minute. */
static void note_failure(struct alerts *a, const char *what, const char *msg)
{
    int64_t mono = cw_clock_mono_ms(&a->clock.time);

    if (a->failing && mono - a->failing_log_ms < ALERTS_LOG_EVERY_MS)
        return;
    log_warnx("alerts: cannot write %s (%s); tried again until it lands", what, msg);
    a->failing_log_ms = mono;
}

static void digest_timer(struct alerts *a);

/* Move every damping time by step_ms, as the wall clock was. */
static void damp_follow(struct damp *d, int64_t step_ms)
{
    d->state_ms += step_ms;
    if (d->pending)
        d->run_ms += step_ms;
    if (d->flap_ms != 0)
        d->flap_ms += step_ms;
}

/* No damping time after now_ms: the clock was set back since it was taken. */
static void damp_not_after(struct damp *d, int64_t now_ms)
{
    if (d->state_ms > now_ms)
        d->state_ms = now_ms;
    if (d->run_ms > now_ms)
        d->run_ms = now_ms;
    if (d->flap_ms > now_ms)
        d->flap_ms = now_ms;
}

/* How far the wall clock was stepped since the last read (0: not), with every camera's damping
 * moved with it (to be written) and the digest armed again. */
static int64_t follow_step(struct alerts *a)
{
    int64_t off = cw_clock_offset_ms(&a->clock.time), step = off - a->offset_ms;

    a->offset_ms = off;
    if (step > -ALERTS_STEP_MS && step < ALERTS_STEP_MS)
        return 0;
    log_info("alerts: the wall clock was set %s %lld s; holds under way keep their length",
             step < 0 ? "back" : "forward", (long long)(step < 0 ? -step : step) / 1000);
    for (size_t i = 0; i < a->n; i++) {
        damp_follow(&a->cams[i].d, step);
        a->cams[i].dirty = 1;
    }
    a->dp.resumed_ms += step;
    if (a->digest_job == NULL)
        digest_timer(a);
    return step;
}

/* An event's time on the clock as it is now: stamped before a step of step_ms (nearer what
 * the clock showed before it than after it, mono_now_ms being now), moved with it; never after
 * now_ms. */
static int64_t event_time(const struct alerts *a, int64_t at_ms, int64_t step_ms,
                          int64_t mono_now_ms, int64_t now_ms)
{
    int64_t before = mono_now_ms + a->offset_ms - step_ms, after = before + step_ms;

    if (step_ms != 0 && llabs(at_ms - before) < llabs(at_ms - after))
        at_ms += step_ms;
    return at_ms < now_ms ? at_ms : now_ms;
}

/* Read the log from the cursor, advance every camera to now, write it all in one go. Nothing
 * new and nothing due: nothing written (no write lock taken every second). Refused: all of it
 * rolled back, in the store and here. */
static void alerts_read(struct alerts *a)
{
    struct store_event *ev = NULL;
    size_t n = 0, saved_n = a->n;
    struct alerts_cam *saved;
    struct cw_err err = {0};
    int64_t step = follow_step(a), mono = cw_clock_mono_ms(&a->clock.time), wall = alerts_wall(a);
    int64_t now = log_now(a), saved_cursor = a->cursor;

    if (read_page(a, &ev, &n) != 0 || (n == 0 && next_due(a) > now && step == 0)) {
        free(ev);
        return;
    }
    if ((saved = malloc((saved_n ? saved_n : 1) * sizeof(*saved))) == NULL) {
        free(ev);
        return; /* out of memory: the next poll tries again */
    }
    memcpy(saved, a->cams, saved_n * sizeof(*saved)); /* a step followed stays followed */
    if (store_begin(a->store, &err) != 0) {
        /* Another connection's write lock (the loop waits 5 ms for it, batch.h): the next
         * poll, quietly. */
        if (store_failure_kind(a->store) != STORE_FAILURE_BUSY)
            note_failure(a, "what the event log says", err.msg);
        a->failing = 1;
        free(saved);
        free(ev);
        return;
    }
    a->write_failed = 0;
    alertq_hold(a->q);
    for (;;) {
        for (size_t i = 0; i < n; i++)
            take_event(a, &ev[i], event_time(a, ev[i].at_ms, step, mono, wall));
        if (n > 0)
            a->cursor = ev[n - 1].id;
        free(ev);
        ev = NULL;
        if (n < ALERTS_PAGE || read_page(a, &ev, &n) != 0)
            break;
    }
    now = log_now(a);
    for (size_t i = 0; i < a->n; i++)
        if (a->cams[i].d.pending)
            cam_advance(a, &a->cams[i], now);
    write_dirty(a);
    if (!a->write_failed && store_alert_set_cursor(a->store, a->cursor, &err) == 0 &&
        store_commit(a->store, &err) == 0) {
        alertq_release(a->q, 1);
        if (a->failing)
            log_info("alerts: writing again; the events read meanwhile are told now");
        a->failing = 0;
    } else {
        store_rollback(a->store);
        alertq_release(a->q, 0);
        /* cam_add only grows the array: the saved cameras fit where they were */
        memcpy(a->cams, saved, saved_n * sizeof(*saved));
        a->n = saved_n;
        a->cursor = saved_cursor;
        note_failure(a, "what the event log says", a->write_failed ? a->fail_err.msg : err.msg);
        a->failing = 1;
    }
    free(saved);
    arm_deadline(a);
}

static void alerts_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    alerts_read(w->data);
}

/* ---- the digest ---- */

/* The first time after after_ms that the site's clock shows minute (after midnight). */
static int64_t next_at(const char *tz, int minute, int64_t after_ms)
{
    char day[64], when[64];
    int64_t t = INT64_MAX, noon;

    cw_format_local(after_ms, tz, day, sizeof(day));
    snprintf(when, sizeof(when), "%.10s %02d:%02d", day, minute / 60, minute % 60);
    if (cw_parse_time(when, tz, &t) == 0 && t > after_ms)
        return t;
    /* The next day's date from its noon: a day of 23 or 25 hours still lands on it. */
    snprintf(when, sizeof(when), "%.10s 12:00", day);
    if (cw_parse_time(when, tz, &noon) != 0)
        return INT64_MAX;
    cw_format_local(noon + DAY_MS, tz, day, sizeof(day));
    snprintf(when, sizeof(when), "%.10s %02d:%02d", day, minute / 60, minute % 60);
    return cw_parse_time(when, tz, &t) == 0 ? t : INT64_MAX;
}

/* When the next digest is due: the first digest time after the last digest (at once when
 * that is past: a day missed while the daemon was down is made up, once), or after now. */
static void arm_digest(struct alerts *a)
{
    int64_t last = 0, now = alerts_wall(a);
    struct cw_err err;
    char at[64];

    ev_timer_stop(a->loop, &a->digest);
    a->next_digest_ms = INT64_MAX;
    if (a->cfg->alerts.digest_min < 0)
        return;
    if (store_alert_last_digest(a->store, &last, &err) != 0)
        log_warnx("alerts: cannot read the last digest: %s", err.msg);
    a->next_digest_ms = next_at(a->cfg->time_zone, a->cfg->alerts.digest_min, last ? last : now);
    if (a->next_digest_ms == INT64_MAX)
        return;
    log_info("alerts: next digest at %s",
             cw_format_local(a->next_digest_ms, a->cfg->time_zone, at, sizeof(at)));
    digest_timer(a);
}

/* The digest's timer for the wall time left until the next digest (at once when past). An
 * ev_timer runs on the monotonic clock: after a step of the wall clock it is armed again. */
static void digest_timer(struct alerts *a)
{
    int64_t now = alerts_wall(a);

    ev_timer_stop(a->loop, &a->digest);
    if (a->next_digest_ms == INT64_MAX)
        return;
    ev_timer_set(&a->digest,
                 a->next_digest_ms > now ? (double)(a->next_digest_ms - now) / 1000.0 : 0.0, 0.0);
    ev_timer_start(a->loop, &a->digest);
}

static void digest_job_free(struct digest_job *j)
{
    pthread_mutex_destroy(&j->mu);
    json_decref(j->doc);
    free(j->db);
    free(j->tz);
    free(j);
}

/* The digest's read and document, on a worker: a connection of its own, read-only. The
 * document needs no configuration but the zone (doc_digest), copied into the job: a reload
 * may free the configuration meanwhile. */
static void digest_work(struct pool_job *job)
{
    struct digest_job *j = (struct digest_job *)job;
    struct store *ro = NULL;

    if (store_open(j->db, STORE_READONLY, &ro, &j->err) == 0) {
        struct doc_ctx ctx = {ro, NULL, j->tz};

        pthread_mutex_lock(&j->mu);
        j->ro = ro;
        if (j->interrupted)
            store_interrupt(ro); /* interrupted while it opened: no statement starts */
        pthread_mutex_unlock(&j->mu);
        doc_digest(&ctx, j->at_ms, ALERTS_DIGEST_WINDOW_MS, ALERTS_DIGEST_LIST_MAX, &j->doc,
                   &j->err);
        pthread_mutex_lock(&j->mu);
        j->ro = NULL; /* before it closes */
        pthread_mutex_unlock(&j->mu);
    }
    store_close(ro);
}

/* The digest's read ended where it is (SQLITE_INTERRUPT), or never started: it comes back
 * soon, with no document. Loop thread. */
static void digest_interrupt(struct digest_job *j)
{
    pthread_mutex_lock(&j->mu);
    j->interrupted = 1;
    if (j->ro != NULL)
        store_interrupt(j->ro);
    pthread_mutex_unlock(&j->mu);
}

/* The digest again ALERTS_RETRY_S from now: the last digest stays the one before, so
 * arm_digest would fire again at once. */
static void retry_digest(struct alerts *a)
{
    ev_timer_stop(a->loop, &a->digest);
    ev_timer_set(&a->digest, ALERTS_RETRY_S, 0.0);
    ev_timer_start(a->loop, &a->digest);
}

/* The digest's alert written from its document; 0, or -1 when the store refused it (logged). */
static int send_digest(struct alerts *a, struct digest_job *j)
{
    struct store_alert sa = {.at_ms = j->at_ms};
    struct cw_err err;
    json_t *doc = alertmsg_digest_doc(a->cfg, j->doc, j->at_ms);
    int rc;

    j->doc = NULL; /* alertmsg_digest_doc took it */
    snprintf(sa.kind, sizeof(sa.kind), "digest");
    rc = alertq_add(a->q, &sa, doc, &err) < 0 ? -1 : 0;
    if (rc != 0)
        note_failure(a, "the digest", err.msg);
    json_decref(doc);
    return rc;
}

/* Back on the loop: the digest's alert, or (the store could not give its document or refused
 * to write it) another try ALERTS_RETRY_S later; then the next digest. */
static void digest_done(struct pool_job *job, int cancelled)
{
    struct digest_job *j = (struct digest_job *)job;
    struct alerts *a = j->a;

    if (a == NULL) { /* detached: alerts_free did not wait for it */
        digest_job_free(j);
        return;
    }
    a->digest_job = NULL;
    if (cancelled || a->stopped) {
        digest_job_free(j);
        return;
    }
    if (j->doc == NULL) {
        log_warnx("alerts: digest not made: %s", j->err.msg);
        retry_digest(a);
    } else if (send_digest(a, j) != 0) {
        retry_digest(a);
    } else {
        arm_digest(a);
    }
    digest_job_free(j);
}

/* The digest of a's store up to now, to read on the pool; NULL when out of memory. */
static struct digest_job *digest_job_new(struct alerts *a)
{
    struct digest_job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return NULL;
    pthread_mutex_init(&j->mu, NULL);
    if ((j->db = strdup(a->cfg->database)) == NULL || (j->tz = strdup(a->cfg->time_zone)) == NULL) {
        digest_job_free(j);
        return NULL;
    }
    j->base.work = digest_work;
    j->base.done = digest_done;
    j->a = a;
    j->at_ms = alerts_wall(a);
    return j;
}

static void alerts_digest_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct alerts *a = w->data;
    struct digest_job *j;

    (void)loop;
    (void)revents;
    if (a->digest_job != NULL)
        return; /* the one on the pool arms the next when it is back */
    if (alerts_wall(a) < a->next_digest_ms) {
        digest_timer(a); /* early: the wall clock was set back since it was armed */
        return;
    }
    if ((j = digest_job_new(a)) == NULL) {
        log_warnx("alerts: digest not made: out of memory");
        retry_digest(a);
        return;
    }
    a->digest_job = j;
    pool_submit(a->pool, &j->base);
}

/* ---- life ---- */

/* Each camera's damping as the store keeps it; the cursor, at the log's end on a first start. */
static int alerts_load(struct alerts *a, struct cw_err *err)
{
    struct store_alert_watch *w = NULL;
    size_t n = 0;
    int has = 0;

    if (store_alert_cursor(a->store, &has, &a->cursor, err) != 0)
        return -1;
    if (!has && (store_last_event_id(a->store, &a->cursor, err) != 0 ||
                 store_alert_set_cursor(a->store, a->cursor, err) != 0))
        return -1;
    if (store_alert_watches(a->store, &w, &n, err) != 0)
        return -1;
    if ((a->cams = calloc(n ? n : 1, sizeof(*a->cams))) == NULL) {
        free(w);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        a->cams[i].w = w[i];
        watch_to_damp(&w[i], &a->cams[i].d);
        damp_not_after(&a->cams[i].d, a->dp.resumed_ms);
    }
    a->cap = n ? n : 1;
    a->n = n;
    free(w);
    return 0;
}

static void alerts_timers_init(struct alerts *a)
{
    ev_timer_init(&a->poll, alerts_poll_cb, ALERTS_POLL_S, ALERTS_POLL_S);
    ev_timer_init(&a->deadline, alerts_poll_cb, 0.0, 0.0);
    ev_timer_init(&a->digest, alerts_digest_cb, 0.0, 0.0);
    a->poll.data = a->deadline.data = a->digest.data = a;
}

int alerts_new(struct ev_loop *loop, struct curlev *curl, struct store *store,
               const struct cfg *cfg, const struct alerts_log_clock *clock, struct pool **released,
               struct alerts **out, struct cw_err *err)
{
    struct alerts *a = calloc(1, sizeof(*a));
    int pending;

    if (a == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    a->loop = loop;
    a->store = store;
    a->cfg = cfg;
    a->released = released;
    if (clock != NULL)
        a->clock = *clock;
    /* Time before this start was not watched: a change must last hold from now on. */
    a->dp = (struct damp_params){cfg->alerts.hold_ms, alerts_wall(a)};
    a->offset_ms = cw_clock_offset_ms(&a->clock.time);
    alerts_timers_init(a);
    if (alerts_load(a, err) != 0 || pool_new(loop, 1, &a->pool, err) != 0 ||
        alertq_new(loop, curl, store, cfg, ALERTQ_RETRY, NULL, &a->q, err) != 0)
        goto fail;
    alertq_set_clock(a->q, &a->clock.time);
    if ((pending = alertq_resume(a->q, err)) < 0)
        goto fail;
    log_info("alerts: on: %zu webhook%s%s, hold %lld s; %d deliver%s pending",
             cfg->alerts.n_webhooks, cfg->alerts.n_webhooks == 1 ? "" : "s",
             cfg->alerts.smtp ? ", e-mail" : "", (long long)(cfg->alerts.hold_ms / 1000), pending,
             pending == 1 ? "y" : "ies");
    ev_timer_start(loop, &a->poll);
    arm_deadline(a);
    arm_digest(a);
    *out = a;
    return 0;
fail:
    alerts_free(a);
    return -1;
}

void alerts_reload(struct alerts *a, const struct cfg *cfg)
{
    a->cfg = cfg;
    a->dp.hold_ms = cfg->alerts.hold_ms;
    alertq_reload(a->q, cfg);
    arm_deadline(a);
    arm_digest(a);
}

void alerts_stop(struct alerts *a)
{
    a->stopped = 1;
    ev_timer_stop(a->loop, &a->poll);
    ev_timer_stop(a->loop, &a->deadline);
    ev_timer_stop(a->loop, &a->digest);
    if (a->digest_job != NULL)
        digest_interrupt(a->digest_job); /* dropped when back: no need to read on */
    if (a->q != NULL)
        alertq_stop(a->q);
}

void alerts_free(struct alerts *a)
{
    int stopped;

    if (a == NULL)
        return;
    stopped = a->stopped;
    alerts_stop(a);
    if (a->digest_job != NULL) {
        /* Its read, interrupted by alerts_stop, ends at its next step; it is freed when it
         * comes back, unwritten. */
        a->digest_job->a = NULL;
        a->digest_job = NULL;
    }
    /* A reload turning alerts off: the loop runs on, so it never waits for the digest's worker
     * (a long read of a big store would hold every probe and answer), which frees its pool on
     * the loop when it is back (or the loop's owner from a->released, should the loop end
     * first). The daemon's end (stopped first): the loop runs no more, so the interrupted
     * read is waited for. */
    if (stopped)
        pool_free(a->pool);
    else
        pool_release(a->pool, a->released);
    alertq_free(a->q);
    free(a->cams);
    free(a);
}
