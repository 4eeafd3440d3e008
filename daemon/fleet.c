/* fleet.c - the cameras at run time, wired from layers (fleet_cam.h draws
 * them): the scheduler (sched.c) with one kind per probe (fleet_rtsp.c,
 * fleet_onvif.c, fleet_sample.c), the verdict (verdict.c) and the write
 * batch (batch.c). Owns the services (worker pools, scheduler, batch,
 * verdict; it borrows the daemon's curl multi), the struct fleet_cam of every
 * camera (sorted by id), and the hourly retention pass, one camera per step.
 * Loop thread only.
 *
 * The fleet's life:
 *   fleet_new     services made, kinds registered, cameras built and resumed
 *                 from the store, first probes spread (--once: all queued)
 *   fleet_reload_prepare  what can fail made beside the running fleet (f->next)
 *   fleet_reload  cameras that stay keep state, timers and probes in flight;
 *                 new ones resume from the store; gone ones are cancelled
 *   fleet_stop    queues emptied, probes abandoned, the batch committed
 *   fleet_free    the workers joined, everything freed
 *
 * A camera's life, per kind of probe: due timer -> queued -> probe in flight
 * -> result -> verdict (health, store) -> due timer re-armed. The CLI may
 * change a camera's state behind us (maintenance on/off): the batch sees the
 * store's data_version move and fleet_adopt_cb() hands the row to the
 * verdict. */
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "fleet_cam.h"
#include "fleet_footage.h"
#include "fleet_onvif.h"
#include "fleet_rtsp.h"
#include "fleet_sample.h"
#include "vitals.h"

/* A fresh camera's first probes are spread over its interval, up to this: the first sweep
 * then asks no more of the cameras (and of whatever serves them) per second than the ones
 * after it, instead of everything in the first seconds; the first verdicts take up to that
 * long. */
#define FLEET_FIRST_SPREAD_MAX_MS 60000
#define FLEET_FIRST_SAMPLE_SPREAD_MAX_MS 60000 /* first stream samples spread over this */
#define FLEET_RETENTION_EVERY_S 3600.0         /* how often a retention pass begins */
#define FLEET_RETENTION_STEP_S 0.02            /* between its steps: 50 cameras a second */
/* A step that met another connection's write lock: the same camera again this much later. */
#define FLEET_RETENTION_BUSY_S 1.0
#define FLEET_DAY_MS (86400LL * 1000)
/* Descriptors kept for what is not a probe: the store and its WAL, the loop's, logs, the
 * pool's pipes, curl's resolver, snapshots. */
#define FLEET_FD_RESERVE 64

struct fleet {
    struct fleet_env env; /* what the layers share */
    struct fleet_hooks hooks;
    /* The samples' kind once made; env.kind[FLEET_SAMPLE] is it while sampling is on, NULL
     * while a reload turned it off (workers = 0). */
    struct sched_kind *sample_kind;
    struct fleet_cam **cams; /* sorted by id */
    size_t n;
    ev_timer retention;                   /* hourly: a retention pass begins */
    ev_timer retention_step;              /* the pass: one camera per step */
    char ret_after[CFG_ID_MAX + 1];       /* the last camera the pass did */
    struct store_retention_done ret_done; /* what the pass did so far */
    int ret_waited;                       /* the pass met another connection's write lock */
    struct fleet_footage *footage;        /* the recorders */
    /* A reload's cameras, made by fleet_reload_prepare (the fresh ones new, the others the
     * running ones), until fleet_reload takes them or fleet_reload_cancel drops them. */
    struct fleet_cam **next;
    size_t next_n;
};

static int fleet_cam_cmp(const void *a, const void *b)
{
    const struct fleet_cam *const *x = a, *const *y = b;

    return strcmp((*x)->id, (*y)->id);
}

static struct fleet_cam *fleet_find(struct fleet_cam **cams, size_t n, const char *id)
{
    struct fleet_cam key, *kp = &key, **hit;

    if (n == 0)
        return NULL; /* bsearch wants an array, even an empty one */
    snprintf(key.id, sizeof(key.id), "%s", id);
    hit = bsearch(&kp, cams, n, sizeof(*cams), fleet_cam_cmp);
    return hit ? *hit : NULL;
}

/* ---- the hooks the layers call up through ---- */

static struct fleet_cam *fleet_find_cb(void *data, const char *id)
{
    struct fleet *f = data;

    return fleet_find(f->cams, f->n, id);
}

static void fleet_adopt_cb(void *data, const struct store_status *st)
{
    struct fleet *f = data;
    struct fleet_cam *cam = fleet_find(f->cams, f->n, st->id);

    if (cam == NULL)
        return;
    /* Handed back after the work (as unknown): how does its picture look now? */
    if (st->state == CW_UNKNOWN && verdict_state(cam) != CW_UNKNOWN)
        fleet_sample_soon(cam);
    verdict_adopt(cam, st);
}

static void fleet_changes_cb(void *data, const struct store_device_change *c, size_t n)
{
    (void)data;
    fleet_onvif_log_changes(c, n);
}

static void fleet_committed_cb(void *data)
{
    struct fleet *f = data;

    if (f->hooks.changed)
        f->hooks.changed(f->hooks.data);
}

/* One camera's retention per step (store_retention_step: three short transactions), so an
 * hourly pass over 10,000 cameras never holds the loop or the write lock for long. */
static void fleet_retention_step_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet *f = w->data;
    const struct cfg *cfg = f->env.cfg;
    int64_t now = cw_now_ms();
    struct store_retention r = {
        .samples_before_ms = now - cfg->samples_days * FLEET_DAY_MS,
        .hourly_before_ms = now - cfg->hourly_days * FLEET_DAY_MS,
        .clocks_before_ms = now - cfg->clock_days * FLEET_DAY_MS,
        .clock_limit_ms = cfg->onvif.max_clock_offset_ms,
    };
    struct store_retention_done *d = &f->ret_done;
    char next[CFG_ID_MAX + 1] = "";
    struct cw_err err;
    int rc;

    (void)revents;
    rc = store_retention_step(f->env.store, &r, f->ret_after, next, sizeof(next), d, &err);
    if (rc == 0) {
        snprintf(f->ret_after, sizeof(f->ret_after), "%s", next);
        return; /* the next camera at the next step */
    }
    if (rc < 0 && store_failure_kind(f->env.store) == STORE_FAILURE_BUSY) {
        /* Another connection's write lock (the CLI's footage scan, an export, an admin's
         * sqlite3 shell) is no reason to drop the pass: the same camera again a moment later
         * (what its step did before the lock stays done, and done again changes nothing). */
        if (!f->ret_waited)
            log_info("store: retention waits for another connection's write lock at camera=%s "
                     "(%s)",
                     next, err.msg);
        f->ret_waited = 1;
        ev_timer_stop(loop, w);
        ev_timer_set(w, FLEET_RETENTION_BUSY_S, FLEET_RETENTION_STEP_S);
        ev_timer_start(loop, w);
        return;
    }
    ev_timer_stop(loop, w);
    if (rc < 0)
        log_warnx("store: retention stopped at camera=%s: %s", next, err.msg);
    else if (d->folded + d->hourly_deleted + d->clocks_deleted > 0)
        log_info("store: retention: %d samples folded into hourly rows, %d hourly rows past "
                 "%d days and %d clock readings past %d days deleted",
                 d->folded, d->hourly_deleted, cfg->hourly_days, d->clocks_deleted,
                 cfg->clock_days);
}

/* Hourly: a pass over every camera begins, unless one is still going. */
static void fleet_retention_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet *f = w->data;

    (void)revents;
    if (ev_is_active(&f->retention_step))
        return;
    f->ret_after[0] = '\0';
    f->ret_waited = 0;
    memset(&f->ret_done, 0, sizeof(f->ret_done));
    ev_timer_start(loop, &f->retention_step);
}

/* ---- cameras ---- */

static struct fleet_cam *fleet_cam_new(struct fleet *f, const struct cfg_camera *cc)
{
    struct fleet_cam *cam = calloc(1, sizeof(*cam));

    if (cam == NULL)
        return NULL;
    snprintf(cam->id, sizeof(cam->id), "%s", cc->id);
    cam->cc = cc;
    cam->env = &f->env;
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        sched_entry_init(&cam->run[k], f->env.kind[k], cam);
    verdict_cam_init(&cam->v, cw_now_ms());
    return cam;
}

/* Its probes are abandoned; a sample on the pool is detached and dropped when it returns. */
static void fleet_cam_free(struct fleet_cam *cam)
{
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        sched_cancel(&cam->run[k]);
    fleet_sample_forget(cam);
    verdict_cam_free(&cam->v);
    free(cam);
}

/* Give every fresh camera the state, picture and device reasons the store holds. */
static void fleet_resume_fresh(struct fleet *f)
{
    struct store_status *st = NULL;
    size_t m = 0;
    struct cw_err err;

    if (store_list_status(f->env.store, &st, &m, &err) != 0) {
        log_warnx("store: cannot read states, new cameras start unknown: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < m; i++) {
        struct fleet_cam *cam = fleet_find(f->cams, f->n, st[i].id);

        if (cam != NULL && cam->fresh) {
            verdict_resume(cam, &st[i]);
            fleet_sample_resume(cam, &st[i]);
            fleet_onvif_resume(cam);
        }
    }
    free(st);
}

/* The fresh cameras of f->next freed (never scheduled), and f->next with them. */
static void fleet_drop_next(struct fleet *f)
{
    for (size_t i = 0; i < f->next_n; i++)
        if (f->next[i]->fresh) {
            verdict_cam_free(&f->next[i]->v);
            free(f->next[i]);
        }
    free(f->next);
    f->next = NULL;
    f->next_n = 0;
}

/* f->next made for cfg's cameras: those running kept, the others new (fresh). The running
 * fleet is not touched. 0, or -1 out of memory (nothing kept). */
static int fleet_build_next(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    fleet_drop_next(f);
    if ((f->next = calloc(cfg->n_cameras ? cfg->n_cameras : 1, sizeof(*f->next))) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const struct cfg_camera *cc = &cfg->cameras[i];
        struct fleet_cam *cam = fleet_find(f->cams, f->n, cc->id);

        if (cam == NULL) {
            cam = fleet_cam_new(f, cc);
            if (cam == NULL) {
                fleet_drop_next(f);
                return cw_err_set(err, NULL, 0, NULL, "out of memory");
            }
            cam->fresh = 1;
        }
        f->next[f->next_n++] = cam;
    }
    return 0;
}

/* Whether a camera's DESCRIBE goes elsewhere, or with another login, under now than under was. */
static int rtsp_address_changed(const struct cfg_camera *was, const struct cfg_camera *now)
{
    const struct cfg_credential *a = was->cred, *b = now->cred;

    if (strcmp(was->rtsp_url, now->rtsp_url) != 0 || (a == NULL) != (b == NULL))
        return 1;
    return a != NULL && (strcmp(a->username ? a->username : "", b->username ? b->username : "") ||
                         strcmp(a->password ? a->password : "", b->password ? b->password : ""));
}

/* f->next (made for cfg) becomes the inventory; the cameras gone are freed. Cannot fail. The
 * running configuration, which the kept cameras' cc still point into, is freed after. */
static void fleet_take_next(struct fleet *f, const struct cfg *cfg)
{
    struct fleet_cam **cams = f->next;
    size_t n = f->next_n;

    for (size_t i = 0; i < f->n; i++)
        f->cams[i]->kept = 0;
    for (size_t i = 0; i < n; i++) {
        cams[i]->kept = 1;
        cams[i]->readdressed = !cams[i]->fresh && cams[i]->cc != NULL &&
                               rtsp_address_changed(cams[i]->cc, &cfg->cameras[i]);
        cams[i]->cc = &cfg->cameras[i];
    }
    for (size_t i = 0; i < f->n; i++)
        if (!f->cams[i]->kept)
            fleet_cam_free(f->cams[i]);
    qsort(cams, n, sizeof(*cams), fleet_cam_cmp);
    free(f->cams);
    f->cams = cams;
    f->n = n;
    f->next = NULL;
    f->next_n = 0;
    f->env.cfg = cfg;
    fleet_sample_pace_cams(&f->env, cams, n);
}

/* Make f->cams match cfg: cameras that stay are kept (state, timers, probe in flight), new
 * ones are made fresh, gone ones freed. Returns 0 or -1 (out of memory; nothing changed). */
static int fleet_build(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    if (fleet_build_next(f, cfg, err) != 0)
        return -1;
    fleet_take_next(f, cfg);
    return 0;
}

/* The window a camera's first stream sample is spread over: one interval, at most
 * FLEET_FIRST_SAMPLE_SPREAD_MAX_MS. */
static double fleet_first_sample_spread_s(const struct cfg *cfg)
{
    double s = (double)cfg->stream.interval_ms / 1000.0;

    return s < FLEET_FIRST_SAMPLE_SPREAD_MAX_MS / 1000.0
               ? s
               : FLEET_FIRST_SAMPLE_SPREAD_MAX_MS / 1000.0;
}

/* First probes of each fresh camera: all queued at once with --once, else spread over one
 * interval (at most FLEET_FIRST_SPREAD_MAX_MS), so a start does not hit every camera in the
 * same seconds. A camera a reload kept starts or stops its ONVIF probes as its onvif_url came
 * or went. */
static void fleet_schedule_fresh(struct fleet *f)
{
    struct sched *s = f->env.sched;
    double spread = (double)f->env.cfg->rtsp.interval_ms / 1000.0;
    double sample_spread = fleet_first_sample_spread_s(f->env.cfg);

    if (spread > FLEET_FIRST_SPREAD_MAX_MS / 1000.0)
        spread = FLEET_FIRST_SPREAD_MAX_MS / 1000.0;
    for (size_t i = 0; i < f->n; i++) {
        struct fleet_cam *cam = f->cams[i];

        if (!cam->fresh) {
            fleet_onvif_reloaded(cam, spread);
            if (cam->readdressed)
                fleet_rtsp_readdressed(cam);
            continue;
        }
        if (f->env.once) {
            /* Samples too, but only once the DESCRIBE answered: the verdict queues them. */
            fleet_onvif_first(cam, 0.0);
            sched_enqueue(&cam->run[FLEET_RTSP]);
            continue;
        }
        /* ONVIF in the first half of the window, DESCRIBE in the second: a new camera's first
         * verdict then weighs what ONVIF said (its clock, its configuration) instead of
         * calling it up and taking up_after more probes to say degraded. */
        if (fleet_onvif_wanted(cam)) {
            fleet_onvif_first(cam, spread / 2);
            sched_arm(&cam->run[FLEET_RTSP], spread / 2 + sched_random(s) * spread / 2);
        } else {
            sched_arm(&cam->run[FLEET_RTSP], sched_random(s) * spread);
        }
        /* Samples after the first liveness verdicts, so a dead camera costs no worker (under a
         * budget the pacer starts them). */
        if (f->env.kind[FLEET_SAMPLE] != NULL && f->env.cfg->stream.budget_pct <= 0)
            sched_arm(&cam->run[FLEET_SAMPLE], spread + sched_random(s) * sample_spread);
    }
}

/* Fresh cameras resumed and scheduled, then every kind starts what is queued. */
static void fleet_start_fresh(struct fleet *f)
{
    fleet_resume_fresh(f);
    fleet_schedule_fresh(f);
    for (size_t i = 0; i < f->n; i++) {
        if (f->env.once && f->cams[i]->fresh) {
            verdict_once_expect(f->env.verdict, f->cams[i]);
            fleet_footage_once_expect(f->footage, f->cams[i]);
        }
        f->cams[i]->fresh = 0;
    }
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        sched_dispatch(f->env.kind[k]);
}

/* The most DESCRIBE probes in flight: concurrency_max, within the descriptors this process
 * may open beside its HTTP connections and ONVIF probes (one socket per probe). */
static int fleet_rtsp_ceiling(const struct cfg *cfg)
{
    struct rlimit rl;
    long room;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return cfg->rtsp.concurrency_max;
    room = (long)rl.rlim_cur - cfg->http_connections - cfg->onvif.concurrency - FLEET_FD_RESERVE;
    if (room >= cfg->rtsp.concurrency_max)
        return cfg->rtsp.concurrency_max;
    log_warnx("fleet: at most %ld DESCRIBE probes in flight, not concurrency_max %d: this "
              "process may open %ld files (LimitNOFILE)",
              room > cfg->rtsp.concurrency ? room : (long)cfg->rtsp.concurrency,
              cfg->rtsp.concurrency_max, (long)rl.rlim_cur);
    return room > cfg->rtsp.concurrency ? (int)room : cfg->rtsp.concurrency;
}

/* The scheduler, the kinds of probe under it, the batch and the verdict. */
static int fleet_make_layers(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    struct fleet_env *env = &f->env;
    struct batch_hooks bh = {fleet_adopt_cb, fleet_committed_cb, fleet_changes_cb, f};

    if (cfg->stream.workers > 0 && pool_new(env->loop, cfg->stream.workers, &env->pool, err) != 0)
        return -1;
    if (pool_new(env->loop, 1, &env->files, err) != 0)
        return -1;
    if (sched_new(env->loop, env->once, &env->sched, err) != 0 ||
        batch_new(env->loop, env->store, &bh, &env->batch, err) != 0 ||
        verdict_new(env, f->hooks.once_done, f->hooks.data, &env->verdict, err) != 0)
        return -1;
    env->kind[FLEET_RTSP] =
        sched_add_kind(env->sched, &fleet_rtsp_ops, env, cfg->rtsp.concurrency, err);
    env->kind[FLEET_ONVIF] =
        sched_add_kind(env->sched, &fleet_onvif_ops, env, cfg->onvif.concurrency, err);
    if (env->kind[FLEET_RTSP] == NULL || env->kind[FLEET_ONVIF] == NULL)
        return -1;
    sched_set_ceiling(env->kind[FLEET_RTSP], fleet_rtsp_ceiling(cfg));
    /* One sample per worker: the rest wait in the scheduler's queue, not the pool's. */
    if (env->pool != NULL &&
        (env->kind[FLEET_SAMPLE] = f->sample_kind =
             sched_add_kind(env->sched, &fleet_sample_ops, env, cfg->stream.workers, err)) == NULL)
        return -1;
    return 0;
}

/* Sampling turned on by a reload: every camera kept gets a sample entry, its first sample
 * spread over the usual window (fresh ones get theirs from fleet_schedule_fresh). */
static void fleet_samples_on(struct fleet *f)
{
    double spread = fleet_first_sample_spread_s(f->env.cfg);

    f->env.kind[FLEET_SAMPLE] = f->sample_kind;
    for (size_t i = 0; i < f->n; i++) {
        struct fleet_cam *cam = f->cams[i];

        sched_entry_init(&cam->run[FLEET_SAMPLE], f->sample_kind, cam);
        if (!cam->fresh && f->env.cfg->stream.budget_pct <= 0)
            sched_arm(&cam->run[FLEET_SAMPLE], sched_random(f->env.sched) * spread);
    }
}

/* Sampling turned off by a reload: samples on the workers are detached (dropped when they
 * come back), and the last picture no longer weighs in the verdict. */
static void fleet_samples_off(struct fleet *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct fleet_cam *cam = f->cams[i];

        sched_cancel(&cam->run[FLEET_SAMPLE]);
        sched_entry_init(&cam->run[FLEET_SAMPLE], NULL, cam);
        verdict_set_input(cam, VERDICT_PICTURE, 0, "");
    }
    f->env.kind[FLEET_SAMPLE] = NULL;
}

/* [probe.stream] workers changed on a reload: the pool and the samples' cap follow. The pool
 * never waits for a busy worker: one over the number leaves when its sample is done. */
static int fleet_resize_samples(struct fleet *f, int workers, struct cw_err *err)
{
    struct fleet_env *env = &f->env;
    int was = env->kind[FLEET_SAMPLE] != NULL ? pool_workers(env->pool) : 0;
    int rc;

    if (workers == was)
        return 0;
    if (env->pool == NULL && pool_new(env->loop, workers, &env->pool, err) != 0)
        return -1;
    if (f->sample_kind == NULL &&
        (f->sample_kind = sched_add_kind(env->sched, &fleet_sample_ops, env, workers, err)) == NULL)
        return -1;
    /* Should some threads not start, sampling goes on with those that did. */
    rc = pool_resize(env->pool, workers, err);
    workers = pool_workers(env->pool);
    if (workers == was)
        return rc;
    if (workers == 0)
        fleet_samples_off(f);
    else if (was == 0)
        fleet_samples_on(f);
    if (workers > 0)
        sched_set_slots(f->sample_kind, workers);
    log_info("fleet: stream sample workers %d -> %d", was, workers);
    return rc;
}

int fleet_new(struct ev_loop *loop, struct curlev *curl, struct store *store, const struct cfg *cfg,
              int once, const struct fleet_hooks *hooks, struct fleet **out, struct cw_err *err)
{
    struct fleet *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    f->env.loop = loop;
    f->env.curl = curl;
    f->env.store = store;
    f->env.cfg = cfg;
    snprintf(f->env.tz, sizeof(f->env.tz), "%s", cfg->time_zone ? cfg->time_zone : CW_DEFAULT_TZ);
    f->env.once = once;
    f->hooks = *hooks;
    ev_timer_init(&f->retention, fleet_retention_cb, 0.0, FLEET_RETENTION_EVERY_S);
    f->retention.data = f;
    ev_timer_init(&f->retention_step, fleet_retention_step_cb, FLEET_RETENTION_STEP_S,
                  FLEET_RETENTION_STEP_S);
    f->retention_step.data = f;
    if (fleet_make_layers(f, cfg, err) != 0 || fleet_build(f, cfg, err) != 0 ||
        fleet_footage_new(&f->env, fleet_find_cb, f, &f->footage, err) != 0)
        goto fail;
    if (!once) {
        batch_watch(f->env.batch);
        ev_timer_start(loop, &f->retention); /* first run right away, then hourly */
        fleet_sample_pace_start(&f->env);
    }
    *out = f; /* before the first dispatch: a probe that cannot start reports at once */
    fleet_start_fresh(f);
    if (once && f->n == 0 && hooks->once_done)
        hooks->once_done(hooks->data);
    return 0;
fail:
    fleet_free(f);
    return -1;
}

/* A reload set or cleared the samples' budget: the pacer starts, or each camera kept gets its
 * own timer again (one armed or a sample pending stays as it is; the pacer leaves idle ones). */
static void fleet_pace_reloaded(struct fleet *f)
{
    double spread = fleet_first_sample_spread_s(f->env.cfg);

    if (f->env.cfg->stream.budget_pct > 0) {
        if (!ev_is_active(&f->env.pace.tick))
            fleet_sample_pace_start(&f->env);
        return;
    }
    if (!ev_is_active(&f->env.pace.tick))
        return;
    fleet_sample_pace_stop(&f->env);
    for (size_t i = 0; f->env.kind[FLEET_SAMPLE] != NULL && i < f->n; i++) {
        struct sched_entry *e = &f->cams[i]->run[FLEET_SAMPLE];

        if (!f->cams[i]->fresh && !sched_armed(e) && !sched_pending(e))
            sched_arm(e, sched_random(f->env.sched) * spread);
    }
}

int fleet_reload_prepare(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    if (fleet_build_next(f, cfg, err) != 0)
        return -1;
    if (fleet_footage_prepare(f->footage, cfg, err) != 0) {
        fleet_drop_next(f);
        return -1;
    }
    return 0;
}

void fleet_reload_cancel(struct fleet *f)
{
    fleet_drop_next(f);
    fleet_footage_cancel(f->footage);
}

void fleet_reload(struct fleet *f, const struct cfg *cfg)
{
    struct cw_err rerr;

    fleet_take_next(f, cfg);
    fleet_footage_reload(f->footage);
    sched_set_slots(f->env.kind[FLEET_RTSP], cfg->rtsp.concurrency);
    sched_set_ceiling(f->env.kind[FLEET_RTSP], fleet_rtsp_ceiling(cfg));
    sched_set_slots(f->env.kind[FLEET_ONVIF], cfg->onvif.concurrency);
    /* The new inventory holds even when the workers cannot all start. */
    if (fleet_resize_samples(f, cfg->stream.workers, &rerr) != 0)
        log_warnx("fleet: stream sample workers not resized to %d: %s", cfg->stream.workers,
                  rerr.msg);
    fleet_pace_reloaded(f);
    fleet_start_fresh(f);
}

void fleet_stop(struct fleet *f)
{
    if (f->env.stopping) {
        /* Again (camwatchd's main, the API's workers ended): what the first commit could not
         * write (another writer's lock), tried once more before the daemon judges its exit. */
        if (f->env.batch != NULL)
            batch_stop(f->env.batch);
        return;
    }
    f->env.stopping = 1;
    atomic_store(&f->env.cancel, 1);
    fleet_footage_stop(f->footage);
    ev_timer_stop(f->env.loop, &f->retention);
    ev_timer_stop(f->env.loop, &f->retention_step);
    fleet_sample_pace_stop(&f->env);
    /* Queues first: then no camera below needs a walk of them to leave. */
    if (f->env.sched != NULL)
        sched_stop(f->env.sched);
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < FLEET_KIND_COUNT; k++)
            sched_cancel(&f->cams[i]->run[k]);
    if (f->env.batch != NULL)
        batch_stop(f->env.batch);
}

void fleet_get_counts(const struct fleet *f, struct fleet_counts *out)
{
    *out = f->env.counts;
}

void fleet_count_states(const struct fleet *f, int counts[5])
{
    memset(counts, 0, 5 * sizeof(counts[0]));
    for (size_t i = 0; i < f->n; i++)
        counts[verdict_state(f->cams[i])]++;
}

/* The store's part of the summary, appended at buf + off, when it refuses writes. */
static void fleet_format_store(const struct fleet *f, char *buf, size_t off, size_t len)
{
    struct batch_health h;
    char since[64];

    batch_health(f->env.batch, &h);
    if (!h.failing || off >= len)
        return;
    cw_format_local(h.failing_since_ms, f->env.tz, since, sizeof(since));
    snprintf(buf + off, len - off, "; store not writable since %s (%.80s): %zu writes kept",
             since + 11, h.error, h.pending);
}

void fleet_format_summary(const struct fleet *f, char *buf, size_t len)
{
    int c[5];
    size_t off;

    fleet_count_states(f, c);
    off = (size_t)snprintf(buf, len, "%zu cameras: %d up, %d degraded, %d down", f->n, c[CW_UP],
                           c[CW_DEGRADED], c[CW_DOWN]);
    if (c[CW_UNKNOWN] > 0 && off < len)
        off += (size_t)snprintf(buf + off, len - off, ", %d unknown", c[CW_UNKNOWN]);
    if (c[CW_MAINTENANCE] > 0 && off < len)
        off += (size_t)snprintf(buf + off, len - off, ", %d in maintenance", c[CW_MAINTENANCE]);
    fleet_format_store(f, buf, off, len);
}

void fleet_probe_figures(const struct fleet *f, struct vitals_probes *out)
{
    const struct fleet_env *env = &f->env;
    const struct cfg_rtsp *r = &env->cfg->rtsp;
    const struct fleet_timely *t = &env->timely;
    double now = sched_now(env->sched), oldest = t->gap_max_s, round, last, cpu;
    struct sched_stats st;

    memset(out, 0, sizeof(*out));
    sched_get_stats(env->kind[FLEET_RTSP], &st);
    if (t->gap_max_prev_s > oldest)
        oldest = t->gap_max_prev_s;
    for (size_t i = 0; i < f->n; i++) {
        const struct fleet_cam *cam = f->cams[i];
        const struct sched_entry *e = &cam->run[FLEET_RTSP];

        if (fleet_rtsp_interval(r, &cam->v.h) != r->interval_ms)
            out->backing_off++;
        else if (e->started_at > 0 && e->interval_ms == r->interval_ms &&
                 now - e->started_at > oldest)
            oldest = now - e->started_at;
    }
    out->interval_ms = r->interval_ms;
    out->oldest_ms = oldest * 1000.0;
    out->started = st.started;
    out->late = st.late;
    out->late_max_ms = st.late_max_s * 1000.0;
    out->slots = st.slots;
    out->slots_floor = st.floor;
    out->slots_ceiling = st.ceiling;
    out->in_flight = st.running;
    out->in_flight_bad = st.running_bad;
    out->queued = st.queued;
    fleet_sample_round(env, &round, &last, &cpu);
    out->sample_round_s = env->kind[FLEET_SAMPLE] != NULL ? round : 0;
    out->sample_last_round_s = last;
    out->sample_cpu_ms = cpu * 1000.0;
    out->sample_budget_pct = env->cfg->stream.budget_pct;
    out->samples_done = env->counts.samples_ok + env->counts.samples_failed;
}

void fleet_store_health(const struct fleet *f, struct batch_health *out)
{
    batch_health(f->env.batch, out);
}

int64_t fleet_store_complete_ms(const struct fleet *f)
{
    return batch_complete_ms(f->env.batch);
}

void fleet_free(struct fleet *f)
{
    if (f == NULL)
        return;
    fleet_stop(f);
    fleet_footage_free(f->footage);
    /* Samples still on the workers come back detached and are dropped. */
    pool_free(f->env.pool);
    f->env.pool = NULL;
    pool_free(f->env.files);
    f->env.files = NULL;
    batch_free(f->env.batch);
    fleet_drop_next(f);
    for (size_t i = 0; i < f->n; i++)
        fleet_cam_free(f->cams[i]);
    free(f->cams);
    verdict_free(f->env.verdict);
    sched_free(f->env.sched);
    free(f);
}
