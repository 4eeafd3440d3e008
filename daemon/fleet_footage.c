/* fleet_footage.c - the recorders at run time (fleet_footage.h). Owns the footage worker pool,
 * one struct frec per recorder (its source, timer, the scan in flight, the result being
 * written), and the jobs on the pool. Loop thread only; the jobs' work runs on a worker, with
 * its own read-only store connection, and touches only the job.
 *
 * One recorder:
 *   due timer -> scan job (worker: recsrc_scan) -> result back on the loop
 *   -> written on the loop's connection, a transaction per slice (recsrc_write_step; an idle
 *      watcher between slices), the scan row and the cameras' summaries with the last:
 *        another connection holds the write lock -> the slice rolled back, the result and
 *          its cursor kept, the same slice again after a backoff timer (frec_wait)
 *        the store refused for real -> the scan failed: its row says why
 *   -> failed: its cameras "recorder NAME: cannot scan: ..."
 *   -> ok: gaps job (worker: recsrc_recent_gaps for each camera, as of the scan's start)
 *     -> verdict inputs (FOOTAGE)
 *   -> due timer re-armed for scan_interval (--once: the cameras' rounds are released)
 * A job cancelled or detached (stop, reload) is freed when it comes back, unwritten. */
#include "fleet_footage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/zone.h"
#include "fleet_cam.h"
#include "recsrc.h"

#define FOOTAGE_FIRST_SCAN_S 1.0 /* after start or a reload */
/* A slice that met another connection's write lock (the CLI's footage scan or export, an
 * admin's sqlite3 shell) is tried again this long after, then at doubling intervals up to
 * FOOTAGE_BUSY_RETRY_MAX_S: the loop never waits for the lock (BATCH_BUSY_TIMEOUT_MS), and
 * the CLI's slices leave it free only for moments. */
#define FOOTAGE_BUSY_RETRY_MIN_S 0.25
#define FOOTAGE_BUSY_RETRY_MAX_S 4.0
#define FOOTAGE_REASONS_MAX VERDICT_REASONS_MAX

struct fleet_footage;

struct frec {
    struct fleet_footage *ff;
    struct recsrc *src;
    ev_timer due;
    ev_idle apply;
    ev_timer wait;          /* the write lock was held: the slice again when it fires */
    struct scan_job *job;   /* its scan or gaps job on the pool, or NULL (one at a time) */
    int writing;            /* a scan's result or failure being written (res, error) */
    struct rec_result *res; /* being written; NULL when the scan failed */
    char error[512];        /* why it failed, "" when it did not */
    size_t cursor;
    struct recsrc_tally tally; /* what the write left as the store had it, or skipped */
    double wait_s;             /* the next backoff */
    int64_t busy_since_ms;     /* monotonic: when the lock was first met by this write; 0 */
    int64_t busy_log_ms;       /* monotonic: the last line saying so */
    int64_t scan_ms, started_ms;
    int once_waiting; /* --once: its cameras' rounds wait for it */
};

struct fleet_footage {
    struct fleet_env *env;
    fleet_footage_find_fn find;
    void *find_data;
    struct pool *pool;
    struct cw_zone *zone; /* the site's, for the gap reasons */
    struct frec *recs;
    size_t n;
    /* A reload's recorders, made by fleet_footage_prepare, until fleet_footage_reload takes
     * them or fleet_footage_cancel drops them; with the pool made for them when none ran. */
    struct frec *next;
    size_t next_n;
    struct pool *next_pool;
    atomic_int cancel;
    int stopped;
};

/* A job on the pool: a scan, or the gaps of a recorder's cameras. */
struct scan_job {
    struct pool_job base; /* first: the pool hands this back */
    struct frec *rec;     /* NULL once detached: freed unwritten when it returns */
    struct recsrc *src;   /* its recorder's, borrowed; owned once detached (own_src) */
    int own_src;
    int gaps;      /* a gaps job */
    char db[4096]; /* the store's file, opened read-only on the worker */
    const struct cw_zone *zone;
    atomic_int *cancel;
    int64_t now_ms; /* what the job speaks as of: job_as_of */
    int64_t max_gap_ms, tolerance_ms;
    /* results */
    int ok;
    struct cw_err err;
    struct rec_result *res;
    size_t n_cams;
    int *faulty;
    char (*reasons)[FOOTAGE_REASONS_MAX];
};

static void frec_arm(struct frec *r, double after_s);

/* ---- jobs ---- */

static void job_free(struct scan_job *j)
{
    rec_result_free(j->res);
    free(j->faulty);
    free(j->reasons);
    if (j->own_src)
        recsrc_free(j->src);
    free(j);
}

static void scan_progress(void *data, size_t files, size_t dirs)
{
    const struct scan_job *j = data;

    log_info("footage: recorder=%s scanning: %zu files looked at, %zu folders read",
             recsrc_name(j->src), files, dirs);
}

static void scan_work(struct pool_job *job)
{
    struct scan_job *j = (struct scan_job *)job;
    struct store *ro = NULL;

    j->ok =
        store_open(j->db, STORE_READONLY, &ro, &j->err) == 0 &&
        recsrc_scan(j->src, ro, 0, j->now_ms, j->cancel, scan_progress, j, &j->res, &j->err) == 0;
    store_close(ro);
}

static void gaps_work(struct pool_job *job)
{
    struct scan_job *j = (struct scan_job *)job;
    const char *const *cams = recsrc_cameras(j->src, &j->n_cams);
    struct store *ro = NULL;

    j->faulty = calloc(j->n_cams ? j->n_cams : 1, sizeof(*j->faulty));
    j->reasons = calloc(j->n_cams ? j->n_cams : 1, sizeof(*j->reasons));
    if (j->faulty == NULL || j->reasons == NULL) {
        cw_err_set(&j->err, NULL, 0, NULL, "out of memory");
        return;
    }
    if (store_open(j->db, STORE_READONLY, &ro, &j->err) != 0)
        return;
    j->ok = 1;
    for (size_t i = 0; i < j->n_cams && j->ok; i++)
        j->ok =
            recsrc_recent_gaps(ro, cams[i], j->zone, j->now_ms, j->max_gap_ms, j->tolerance_ms,
                               &j->faulty[i], j->reasons[i], sizeof(j->reasons[i]), &j->err) == 0;
    store_close(ro);
}

static void scan_done(struct pool_job *job, int cancelled);

/* A scan speaks as of its start, now. Its gaps are judged as of that start too, not when the
 * gaps job runs after it: the index knows the recorder up to then (footage recorded while the
 * scan went on is not in it), so a scan longer than max_gap judged against the clock would say
 * "no recording since" of cameras recording all along. */
static int64_t job_as_of(const struct frec *r, int gaps)
{
    return gaps ? r->scan_ms : cw_now_ms();
}

static struct scan_job *job_new(struct frec *r, int gaps)
{
    const struct cfg *cfg = r->ff->env->cfg;
    struct scan_job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return NULL;
    j->base.work = gaps ? gaps_work : scan_work;
    j->base.done = scan_done;
    j->rec = r;
    j->src = r->src;
    j->gaps = gaps;
    j->zone = r->ff->zone;
    j->cancel = &r->ff->cancel;
    j->now_ms = job_as_of(r, gaps);
    j->max_gap_ms = cfg->footage.max_gap_ms;
    j->tolerance_ms = cfg->footage.tolerance_ms;
    snprintf(j->db, sizeof(j->db), "%s", cfg->database);
    return j;
}

/* ---- verdict inputs ---- */

/* Hand every camera of r what its footage says; release --once rounds waiting for r. */
static void frec_tell_cameras(struct frec *r, const struct scan_job *gaps, const char *failure)
{
    size_t n;
    const char *const *cams = recsrc_cameras(r->src, &n);
    char why[FOOTAGE_REASONS_MAX];

    for (size_t i = 0; i < n; i++) {
        struct fleet_cam *cam = r->ff->find(r->ff->find_data, cams[i]);
        if (cam == NULL)
            continue;
        if (failure != NULL) {
            snprintf(why, sizeof(why), "recorder %s: cannot scan: %s", recsrc_name(r->src),
                     failure);
            verdict_set_input(cam, VERDICT_FOOTAGE, 1, why);
        } else if (gaps != NULL && gaps->ok && i < gaps->n_cams) {
            verdict_set_input(cam, VERDICT_FOOTAGE, gaps->faulty[i], gaps->reasons[i]);
        } else if (gaps == NULL) {
            verdict_set_input(cam, VERDICT_FOOTAGE, 0, "");
        }
        if (r->once_waiting)
            verdict_probe_over(r->ff->env->verdict, cam, FLEET_FOOTAGE);
    }
    r->once_waiting = 0;
}

/* The scan of r is over, with its gaps known or not: next one in an interval. */
static void frec_over(struct frec *r, const struct scan_job *gaps, const char *failure)
{
    frec_tell_cameras(r, gaps, failure);
    if (!r->ff->env->once)
        frec_arm(r, (double)r->ff->env->cfg->footage.scan_interval_ms / 1000.0);
}

static void frec_submit_gaps(struct frec *r)
{
    struct scan_job *j;

    if (r->ff->env->cfg->footage.max_gap_ms <= 0) {
        frec_over(r, NULL, NULL); /* max_gap off: nothing to say */
        return;
    }
    if ((j = job_new(r, 1)) == NULL) {
        log_warnx("footage: recorder=%s gaps not checked: out of memory", recsrc_name(r->src));
        frec_over(r, NULL, NULL);
        return;
    }
    r->job = j;
    pool_submit(r->ff->pool, &j->base);
}

/* ---- writing a scan's result ---- */

static void frec_log_written(const struct frec *r)
{
    const struct rec_result *res = r->res;

    log_info("footage: recorder=%s scanned in %.1f s: %zu files (%zu new or changed, %zu "
             "unreadable), %zu gone, %zu of %zu folders read%s",
             recsrc_name(r->src), (double)(cw_mono_ms() - r->started_ms) / 1000.0, res->files_seen,
             recsrc_changed(res, &r->tally), res->unreadable, res->n_gone, res->dirs_listed,
             res->dirs_listed + res->dirs_skipped,
             r->tally.skipped ? " (cameras not in the store "
                                "skipped)"
                              : "");
    if (res->unmapped > 0)
        log_info("footage: recorder=%s %zu files name no camera of it", recsrc_name(r->src),
                 res->unmapped);
    if (res->kept > 0)
        log_info("footage: recorder=%s %zu files unchanged keep the camera they were indexed for "
                 "(the sheet names another or none now)",
                 recsrc_name(r->src), res->kept);
}

/* The write of r is over, landed or not (or let go: stop, reload): its result dropped, its
 * watchers stopped. */
static void frec_write_end(struct frec *r)
{
    ev_idle_stop(r->ff->env->loop, &r->apply);
    ev_timer_stop(r->ff->env->loop, &r->wait);
    rec_result_free(r->res);
    r->res = NULL;
    r->writing = 0;
    r->busy_since_ms = 0;
}

/* Another connection holds the write lock: the slice was rolled back, the result and its
 * cursor are kept, and the slice is tried again after a backoff, the idle watcher stopped
 * meanwhile (no spinning). Nothing is wrong with the recorder: an info line the first time,
 * a warning a minute once it has lasted BATCH_BUSY_QUIET_S (as the batch's writes wait). */
static void frec_wait(struct frec *r, const struct cw_err *err)
{
    struct ev_loop *loop = r->ff->env->loop;
    int64_t mono = cw_mono_ms();
    size_t total = r->res ? r->res->n_found + r->res->n_gone + r->res->n_dirs : 0;

    if (r->busy_since_ms == 0) {
        r->busy_since_ms = r->busy_log_ms = mono;
        r->wait_s = FOOTAGE_BUSY_RETRY_MIN_S;
        log_info("footage: recorder=%s waits for another connection's write lock to write its "
                 "scan (%zu of %zu changes written): %s",
                 recsrc_name(r->src), r->cursor, total, err->msg);
    } else {
        r->wait_s =
            r->wait_s * 2 < FOOTAGE_BUSY_RETRY_MAX_S ? r->wait_s * 2 : FOOTAGE_BUSY_RETRY_MAX_S;
        if (mono - r->busy_since_ms >= BATCH_BUSY_QUIET_S * 1000 &&
            mono - r->busy_log_ms >= BATCH_LOG_EVERY_S * 1000) {
            r->busy_log_ms = mono;
            log_warnx("footage: recorder=%s another connection has held the store's write lock "
                      "for %lld s; its scan waits to be written (%zu of %zu changes written)",
                      recsrc_name(r->src), (long long)(mono - r->busy_since_ms) / 1000, r->cursor,
                      total);
        }
    }
    ev_idle_stop(loop, &r->apply);
    ev_timer_stop(loop, &r->wait);
    ev_timer_set(&r->wait, r->wait_s, 0.0);
    ev_timer_start(loop, &r->wait);
}

/* One transaction of r's write: the next slice of its result, the scan row with the last. */
static void frec_write_step(struct frec *r)
{
    struct cw_err err = {0};
    int busy = 0, rc;

    if (r->ff->stopped || !r->writing)
        return;
    rc = recsrc_write_step(r->src, r->ff->env->store, r->res, r->res ? NULL : r->error, &r->cursor,
                           RECSRC_APPLY_SLICE, r->scan_ms, &r->tally, &busy, &err);
    if (rc < 0 && busy) {
        frec_wait(r, &err);
        return;
    }
    if (r->busy_since_ms != 0)
        log_info("footage: recorder=%s the write lock is free after %lld s; its scan is written",
                 recsrc_name(r->src), (long long)(cw_mono_ms() - r->busy_since_ms) / 1000);
    r->busy_since_ms = 0;
    if (rc == 0) {
        ev_idle_start(r->ff->env->loop, &r->apply); /* the next slice at the next pass */
        return;
    }
    if (rc < 0 && r->res != NULL) {
        /* The store refused the result for real (damaged, full, a write refused for itself):
         * the scan failed, and its row says why. */
        log_warnx("footage: recorder=%s index not written: %s", recsrc_name(r->src), err.msg);
        snprintf(r->error, sizeof(r->error), "%s", err.msg);
        rec_result_free(r->res);
        r->res = NULL;
        r->cursor = 0;
        frec_write_step(r);
        return;
    }
    if (rc > 0 && r->res != NULL) {
        /* Committed: the gaps job reads the store through a connection of its own. */
        frec_log_written(r);
        frec_write_end(r);
        frec_submit_gaps(r);
        return;
    }
    if (rc < 0)
        log_warnx("footage: recorder=%s scan not written: %s", recsrc_name(r->src), err.msg);
    snprintf(err.msg, sizeof(err.msg), "%s", r->error);
    frec_write_end(r);
    frec_over(r, NULL, err.msg);
}

/* Write the scan's result res (taken), or its failure (res NULL: error), from the loop's next
 * pass on. */
static void frec_write(struct frec *r, struct rec_result *res, const char *error)
{
    r->writing = 1;
    r->res = res;
    snprintf(r->error, sizeof(r->error), "%s", res != NULL ? "" : error);
    r->cursor = 0;
    r->tally = (struct recsrc_tally){0};
    r->busy_since_ms = 0;
    ev_idle_start(r->ff->env->loop, &r->apply);
}

static void apply_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)revents;
    ev_idle_stop(loop, w);
    frec_write_step(w->data);
}

static void wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    frec_write_step(w->data);
}

static void scan_done(struct pool_job *job, int cancelled)
{
    struct scan_job *j = (struct scan_job *)job;
    struct frec *r = j->rec;

    if (r != NULL)
        r->job = NULL;
    if (r == NULL || cancelled || r->ff->stopped) {
        job_free(j);
        return;
    }
    if (j->gaps) {
        if (!j->ok)
            log_warnx("footage: recorder=%s gaps not checked: %s", recsrc_name(r->src), j->err.msg);
        frec_over(r, j->ok ? j : NULL, NULL);
        job_free(j);
        return;
    }
    r->scan_ms = j->now_ms;
    if (!j->ok)
        log_warnx("footage: %s", j->err.msg);
    frec_write(r, j->ok ? j->res : NULL, j->err.msg);
    j->res = NULL;
    job_free(j);
}

/* ---- timers ---- */

static void due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct frec *r = w->data;
    struct scan_job *j;

    (void)loop;
    (void)revents;
    if (r->ff->stopped || r->job != NULL || r->writing)
        return; /* the scan before is not over: it re-arms when it is */
    if ((j = job_new(r, 0)) == NULL) {
        log_warnx("footage: recorder=%s not scanned: out of memory", recsrc_name(r->src));
        frec_over(r, NULL, "out of memory");
        return;
    }
    r->job = j;
    r->started_ms = cw_mono_ms();
    pool_submit(r->ff->pool, &j->base);
}

static void frec_arm(struct frec *r, double after_s)
{
    ev_timer_stop(r->ff->env->loop, &r->due);
    ev_timer_set(&r->due, after_s, 0.0);
    ev_timer_start(r->ff->env->loop, &r->due);
}

/* ---- the recorders ---- */

/* Let go of r: its timer and idle stopped, its result dropped; its source freed, or handed
 * to its job on the pool, which frees it when it returns. */
static void frec_release(struct frec *r)
{
    struct ev_loop *loop = r->ff->env->loop;

    ev_timer_stop(loop, &r->due);
    frec_write_end(r);
    if (r->job != NULL) {
        r->job->rec = NULL;
        r->job->own_src = 1;
        r->job = NULL;
    } else {
        recsrc_free(r->src);
    }
    r->src = NULL;
}

/* Build the recorders of cfg into *recs; a recorder whose pattern or zone cannot be used is
 * an error (the config checked them; this is a reload racing a change on disk). */
static int frecs_build(struct fleet_footage *ff, const struct cfg *cfg, struct frec **recs,
                       size_t *n, struct cw_err *err)
{
    struct frec *v = calloc(cfg->n_recorders ? cfg->n_recorders : 1, sizeof(*v));

    *recs = NULL;
    *n = 0;
    if (v == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        struct frec *r = &v[i];
        if (recsrc_from_cfg(&cfg->recorders[i], &r->src, err) != 0) {
            for (size_t k = 0; k < i; k++)
                recsrc_free(v[k].src);
            free(v);
            return -1;
        }
        r->ff = ff;
        ev_timer_init(&r->due, due_cb, 0.0, 0.0);
        r->due.data = r;
        ev_idle_init(&r->apply, apply_cb);
        r->apply.data = r;
        ev_timer_init(&r->wait, wait_cb, 0.0, 0.0);
        r->wait.data = r;
    }
    *recs = v;
    *n = cfg->n_recorders;
    return 0;
}

static void frecs_start(struct fleet_footage *ff)
{
    for (size_t i = 0; i < ff->n; i++) {
        if (ff->env->once)
            ff->recs[i].once_waiting = 1;
        frec_arm(&ff->recs[i], ff->env->once ? 0.0 : FOOTAGE_FIRST_SCAN_S);
    }
}

/* Log the cameras whose recorder column names no [recorder] section, once. */
static void note_unconfigured(const struct cfg *cfg)
{
    size_t n = 0;
    const char *first = NULL;

    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const char *rec = cfg->cameras[i].recorder;
        if (rec != NULL && rec[0] != '\0' && cfg_find_recorder(cfg, rec) == NULL) {
            n++;
            if (first == NULL)
                first = rec;
        }
    }
    if (n > 0)
        log_info("footage: %zu cameras name recorders with no [recorder NAME] section (%s, ...): "
                 "their footage is not indexed",
                 n, first);
}

int fleet_footage_new(struct fleet_env *env, fleet_footage_find_fn find, void *find_data,
                      struct fleet_footage **out, struct cw_err *err)
{
    struct fleet_footage *ff = calloc(1, sizeof(*ff));
    const struct cfg *cfg = env->cfg;

    *out = NULL;
    if (ff == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    ff->env = env;
    ff->find = find;
    ff->find_data = find_data;
    note_unconfigured(cfg);
    /* Gaps are shown in the zone the daemon started with (env->tz), as every local time. */
    if (cw_zone_load(env->tz, &ff->zone, err) != 0 ||
        frecs_build(ff, cfg, &ff->recs, &ff->n, err) != 0)
        goto fail;
    if (ff->n > 0 && pool_new(env->loop, cfg->footage.workers, &ff->pool, err) != 0)
        goto fail;
    *out = ff;
    frecs_start(ff);
    return 0;
fail:
    fleet_footage_free(ff);
    return -1;
}

/* The recorder whose source names camera id, or NULL. */
static struct frec *frec_of(struct fleet_footage *ff, const char *id)
{
    for (size_t i = 0; i < ff->n; i++) {
        size_t n;
        const char *const *cams = recsrc_cameras(ff->recs[i].src, &n);
        for (size_t k = 0; k < n; k++)
            if (strcmp(cams[k], id) == 0)
                return &ff->recs[i];
    }
    return NULL;
}

void fleet_footage_once_expect(struct fleet_footage *ff, struct fleet_cam *cam)
{
    struct frec *r;

    if (ff == NULL || !ff->env->once || (r = frec_of(ff, cam->id)) == NULL || !r->once_waiting)
        return;
    verdict_once_wait(cam, FLEET_FOOTAGE);
}

int fleet_footage_prepare(struct fleet_footage *ff, const struct cfg *cfg, struct cw_err *err)
{
    fleet_footage_cancel(ff);
    if (frecs_build(ff, cfg, &ff->next, &ff->next_n, err) != 0)
        return -1;
    if (ff->next_n > 0 && ff->pool == NULL &&
        pool_new(ff->env->loop, cfg->footage.workers, &ff->next_pool, err) != 0) {
        fleet_footage_cancel(ff);
        return -1;
    }
    return 0;
}

void fleet_footage_cancel(struct fleet_footage *ff)
{
    for (size_t i = 0; i < ff->next_n; i++)
        recsrc_free(ff->next[i].src);
    free(ff->next);
    ff->next = NULL;
    ff->next_n = 0;
    pool_free(ff->next_pool); /* no job ever ran on it */
    ff->next_pool = NULL;
}

void fleet_footage_reload(struct fleet_footage *ff)
{
    for (size_t i = 0; i < ff->n; i++)
        frec_release(&ff->recs[i]);
    free(ff->recs);
    ff->recs = ff->next;
    ff->n = ff->next_n;
    if (ff->next_pool != NULL)
        ff->pool = ff->next_pool;
    ff->next = NULL;
    ff->next_n = 0;
    ff->next_pool = NULL;
    note_unconfigured(ff->env->cfg);
    frecs_start(ff);
}

void fleet_footage_stop(struct fleet_footage *ff)
{
    if (ff == NULL || ff->stopped)
        return;
    ff->stopped = 1;
    atomic_store(&ff->cancel, 1);
    for (size_t i = 0; i < ff->n; i++) {
        ev_timer_stop(ff->env->loop, &ff->recs[i].due);
        ev_idle_stop(ff->env->loop, &ff->recs[i].apply);
        ev_timer_stop(ff->env->loop, &ff->recs[i].wait);
    }
    /* Scans on the workers see the cancel flag and end; their done callbacks free them. */
    pool_free(ff->pool);
    ff->pool = NULL;
}

void fleet_footage_free(struct fleet_footage *ff)
{
    if (ff == NULL)
        return;
    fleet_footage_stop(ff);
    fleet_footage_cancel(ff);
    for (size_t i = 0; i < ff->n; i++)
        frec_release(&ff->recs[i]);
    free(ff->recs);
    cw_zone_free(ff->zone);
    free(ff);
}
