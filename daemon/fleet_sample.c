/* fleet_sample.c - each camera's stream sample, a sched kind whose probes
 * run on the worker pool, each camera on its own [probe.stream] interval:
 *   due -> queued -> job on a worker (stream_probe_run) -> back on the loop
 *     -> quality_assess() -> sample row (through the write batch)
 *     -> verdict_set_input(PICTURE) -> due re-armed (interval +- jitter)
 *   due while down or in maintenance: skipped (a camera that does not
 *   answer DESCRIBE will not stream either: spare the worker)
 * With --once there are no timers: the verdict queues a camera's sample when
 * its DESCRIBE answered, and waits for it.
 *
 * With a [probe.stream] budget (the default) a running daemon has no timer
 * per camera either: one pacer timer (env->pace) starts a sample every
 * fleet_sample_gap_s(), so samples use that share of one core whatever the
 * fleet's size, each camera in turn (a round), never one more often than
 * the interval: a fleet small enough to go round faster gets its samples in
 * a burst every interval, a gap apart, and the pacer idles in between. A camera whose last sample
 * found a fault is sampled again after the interval, before the round reaches it; one that just
 * came back from down is sampled next. A sample's CPU is measured on its worker.
 *
 * Owns per camera the job on the pool (cam->job) and the quality memory
 * (cam->qm: the frozen run, written to the store with each sample and resumed
 * from it; the reference is the store's). A job outlives its
 * camera when a reload drops it: cancelling detaches the job, which is
 * freed, unwritten, when it comes back. Loop thread only; the job's work
 * runs on a worker and touches only the job. */
#include "fleet_sample.h"

#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "fleet_cam.h"

/* One stream sample on the pool. */
struct fleet_sample_job {
    struct pool_job base; /* first: the pool hands this back */
    struct fleet_env *env;
    struct fleet_cam *cam; /* NULL once cancelled: nothing is written for it */
    struct stream_request req;
    struct stream_sample res;
    double cpu_s; /* the worker's CPU for it */
};

#define PACE_CPU_WEIGHT 0.1 /* of each new sample in the moving mean of a sample's CPU */

static void sample_thumb_path(const struct cfg *cfg, const char *id, char *buf, size_t len)
{
    if (snprintf(buf, len, "%s/thumbs/%s.jpg", cfg->cache_dir ? cfg->cache_dir : ".", id) < 0)
        buf[0] = '\0';
}

static double thread_cpu_s(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample_work(struct pool_job *job)
{
    struct fleet_sample_job *j = (struct fleet_sample_job *)job;
    double t0 = thread_cpu_s();

    stream_probe_run(&j->req, &j->res);
    /* The demuxer's and decoder's buffers are freed by now, but glibc keeps the pages: without
     * this a daemon's RSS stays at the peak of its busiest round of samples for its life
     * (128 cameras, 4 workers: 58 MiB after the first round; with it 41 MiB). */
    malloc_trim(0);
    j->cpu_s = thread_cpu_s() - t0;
}

/* ---- the pacer's priority list ---- */

/* Put cam on the pacer's list: first (just back) or last (a fault: again after the interval). */
static void pace_push(struct fleet_cam *cam, int first)
{
    struct fleet_pace *p = &cam->env->pace;

    if (cam->pri)
        return;
    cam->pri = 1;
    if (first)
        cw_queue_push_front(&p->pri, &cam->pri_link);
    else
        cw_queue_push(&p->pri, &cam->pri_link);
}

/* The camera whose link l is; NULL for NULL. */
static struct fleet_cam *pace_cam_of(struct cw_qlink *l)
{
    return l != NULL ? (struct fleet_cam *)((char *)l - offsetof(struct fleet_cam, pri_link))
                     : NULL;
}

/* The list's first camera, taken out; the list is not empty. */
static struct fleet_cam *pace_pop(struct fleet_pace *p)
{
    struct fleet_cam *cam = pace_cam_of(cw_queue_pop(&p->pri));

    cam->pri = 0;
    return cam;
}

void fleet_sample_again(struct fleet_cam *cam)
{
    pace_push(cam, 0);
}

void fleet_sample_soon(struct fleet_cam *cam)
{
    cam->last_sample_s = 0; /* whatever it showed before it went down is old news */
    pace_push(cam, 1);
}

/* O(list): only a camera a reload drops gets here. */
void fleet_sample_forget(struct fleet_cam *cam)
{
    if (!cam->pri)
        return;
    cw_queue_remove(&cam->env->pace.pri, &cam->pri_link);
    cam->pri = 0;
}

/* The store's copy of a sample r of cam at now, as judged (qv). */
static void sample_fill_row(const struct fleet_cam *cam, const struct stream_sample *r,
                            const struct quality_verdict *qv, int64_t now, struct store_sample *smp)
{
    memset(smp, 0, sizeof(*smp));
    snprintf(smp->camera_id, sizeof(smp->camera_id), "%s", cam->id);
    smp->at_ms = now;
    smp->count = 1;
    smp->ok = r->ok;
    snprintf(smp->error, sizeof(smp->error), "%s", r->error);
    snprintf(smp->codec, sizeof(smp->codec), "%s", r->codec);
    smp->width = r->width;
    smp->height = r->height;
    smp->fps = r->fps;
    smp->bitrate_kbps = r->bitrate_kbps;
    smp->gop_frames = r->gop_frames;
    smp->gop_s = r->gop_s;
    smp->first_key_ms = r->first_key_ms;
    smp->ts_jumps = r->ts_jumps;
    smp->ts_backwards = r->ts_backwards;
    smp->corrupt_packets = r->corrupt_packets;
    smp->lost_frames = r->lost_frames;
    smp->has_picture = r->has_picture;
    smp->luma_mean = r->luma_mean;
    smp->luma_spread = r->luma_spread;
    smp->sharpness = r->sharpness;
    smp->phash = r->phash;
    smp->ref_distance = qv->ref_distance;
    smp->key_bytes = r->key_bytes;
    smp->inter_frames = r->inter_frames;
    smp->inter_bytes = r->inter_bytes;
    smp->inter_min_bytes = r->inter_min_bytes;
    /* The frozen run after this sample, kept with it for the next run of the daemon; only a
     * sample with a picture moves it. */
    smp->has_memory = r->has_picture;
    smp->memory = (struct store_picture_memory){cam->qm.has_last, cam->qm.last_phash,
                                                cam->qm.still_run, cam->qm.run_since_ms};
    quality_flags_format(qv->flags, smp->flags, sizeof(smp->flags));
    snprintf(smp->reasons, sizeof(smp->reasons), "%s", qv->reasons);
}

/* Write the sample, judged, and hand its reasons to the next liveness verdict. */
static void sample_record(struct fleet_cam *cam, const struct fleet_sample_job *j)
{
    struct fleet_env *env = cam->env;
    const struct stream_sample *r = &j->res;
    struct quality_verdict qv;
    struct store_sample smp;
    struct sdp_video sdp = {
        .width = cam->sdp.width, .height = cam->sdp.height, .fps = cam->sdp.fps};
    struct cw_err err;
    int has_ref = 0;
    int64_t now = cw_now_ms();

    batch_open(env->batch); /* adopts the CLI's changes first */
    /* The store holds the reference: `camwatch reference CAM` clears it there. */
    if (store_get_reference(env->store, cam->id, &has_ref, &cam->qm.reference,
                            &cam->qm.reference_at_ms, &err) < 0)
        log_warnx("store: camera=%s reference not read: %s", cam->id, err.msg);
    cam->qm.has_reference = has_ref;
    quality_assess(cam->cc->cls, r, cam->has_sdp ? &sdp : NULL, &cam->qm, now, env->tz, &qv);
    if (cam->qm.reference_taken)
        batch_set_reference(env->batch, cam->id, 1, cam->qm.reference, now);
    /* One that came back after the camera went down tells of the outage, not of the picture it
     * will show when back (--once samples only a camera that answered, for its verdict). */
    if (env->once || verdict_state(cam) != CW_DOWN)
        verdict_set_input(cam, VERDICT_PICTURE, qv.flags != 0, qv.reasons);
    sample_fill_row(cam, r, &qv, now, &smp);
    batch_record_sample(env->batch, &smp, r->thumb_written ? j->req.thumb_path : NULL);
    if (qv.flags != 0) {
        log_debug("sample: camera=%s %s", cam->id, qv.reasons);
        fleet_sample_again(cam); /* after the interval, before the round comes back to it */
    }
}

/* cam's sample is over, written or not: tell the verdict, free the slot. */
static void sample_over(struct fleet_cam *cam)
{
    verdict_probe_over(cam->env->verdict, cam, FLEET_SAMPLE);
    sched_finish(&cam->run[FLEET_SAMPLE]);
}

static void sample_done(struct pool_job *job, int cancelled)
{
    struct fleet_sample_job *j = (struct fleet_sample_job *)job;
    struct fleet_cam *cam = j->cam;

    if (cam != NULL) {
        cam->job = NULL;
        if (!cancelled) {
            struct fleet_pace *p = &j->env->pace;

            p->cpu_mean_s += (j->cpu_s - p->cpu_mean_s) * PACE_CPU_WEIGHT;
            if (j->res.ok)
                j->env->counts.samples_ok++;
            else
                j->env->counts.samples_failed++;
        }
        if (!cancelled && !j->env->stopping)
            sample_record(cam, j);
        sample_over(cam);
    }
    free(j);
}

static void sample_start(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;
    const struct cfg_camera *cc = cam->cc;
    struct fleet_sample_job *j = calloc(1, sizeof(*j));

    if (j == NULL) {
        log_warnx("sample: camera=%s not started: out of memory", cam->id);
        sample_over(cam);
        return;
    }
    j->base.work = sample_work;
    j->base.done = sample_done;
    j->env = env;
    j->cam = cam;
    snprintf(j->req.url, sizeof(j->req.url), "%s", cc->rtsp_url);
    if (cc->cred != NULL) {
        snprintf(j->req.username, sizeof(j->req.username), "%s", cc->cred->username);
        snprintf(j->req.password, sizeof(j->req.password), "%s", cc->cred->password);
    }
    j->req.sample_ms = env->cfg->stream.sample_ms;
    j->req.deadline_ms = env->cfg->stream.timeout_ms;
    j->req.thumb_width = env->cfg->stream.thumb_width;
    j->req.cancel = &env->cancel;
    cam->last_sample_s = sched_now(env->sched);
    sample_thumb_path(env->cfg, cam->id, j->req.thumb_path, sizeof(j->req.thumb_path));
    cam->job = j;
    pool_submit(env->pool, &j->base);
    log_debug("sample: camera=%s queued (%d on the pool)", cam->id, pool_pending(env->pool));
}

/* The job cannot be taken back from a worker: it is detached, and dropped when it returns. */
static void sample_cancel(struct sched_entry *e, void *data)
{
    struct fleet_cam *cam = e->owner;

    (void)data;
    cam->job->cam = NULL;
    cam->job = NULL;
}

static enum sched_due sample_due(struct sched_entry *e, void *data)
{
    enum cw_state st = verdict_state(e->owner);

    (void)data;
    /* A camera that does not answer DESCRIBE will not stream either: spare the worker. */
    return st == CW_DOWN || st == CW_MAINTENANCE ? SCHED_SKIP : SCHED_RUN;
}

/* 0 under a budget: the pacer, not a timer, starts the camera's next sample. */
static int64_t sample_interval_ms(struct sched_entry *e, void *data)
{
    const struct fleet_env *env = data;

    (void)e;
    return env->cfg->stream.budget_pct > 0 ? 0 : env->cfg->stream.interval_ms;
}

const struct sched_ops fleet_sample_ops = {
    .due = sample_due,
    .start = sample_start,
    .cancel = sample_cancel,
    .interval_ms = sample_interval_ms,
};

void fleet_sample_resume(struct fleet_cam *cam, const struct store_status *st)
{
    struct store_sample *smp = NULL;
    size_t n = 0;
    struct cw_err err;

    /* The frozen run goes on from where the last run of the daemon left it. */
    cam->qm.has_last = st->picture.has_last;
    cam->qm.last_phash = st->picture.last_phash;
    cam->qm.still_run = st->picture.still_run;
    cam->qm.run_since_ms = st->picture.run_since_ms;
    /* The pacer's round skips it while its last sample is within the interval. */
    if (st->last_sample_ms > 0) {
        /* On the scheduler's monotonic clock; a stored time ahead of the wall clock (set back
         * since) is a sample just now, not one that blocks the next for as long. */
        int64_t ago_ms = cw_now_ms() - st->last_sample_ms;
        double at = sched_now(cam->env->sched) - (double)(ago_ms > 0 ? ago_ms : 0) / 1e3;

        cam->last_sample_s = at > 0 ? at : 0;
    }

    if (st->last_sample_ms == 0 ||
        store_list_samples(cam->env->store, cam->id, st->last_sample_ms, &smp, &n, &err) != 0)
        return;
    if (n > 0 && st->state != CW_DOWN) /* down: old news by the time it is back */
        verdict_set_input(cam, VERDICT_PICTURE, quality_flags_parse(smp[n - 1].flags) != 0,
                          smp[n - 1].reasons);
    free(smp);
}

/* ---- the pacer ---- */

double fleet_sample_gap_s(double budget_pct, double cpu_s)
{
    return budget_pct > 0 ? cpu_s / (budget_pct / 100.0) : 0;
}

double fleet_sample_round_s(double budget_pct, double cpu_s, int64_t interval_ms, size_t n)
{
    double round = fleet_sample_gap_s(budget_pct, cpu_s) * (double)n;
    double floor = (double)interval_ms / 1000.0;

    return round > floor ? round : floor;
}

/* cam may be sampled now. */
static int pace_eligible(const struct fleet_cam *cam, double now, double interval_s)
{
    enum cw_state st = verdict_state(cam);

    return st != CW_DOWN && st != CW_MAINTENANCE && !sched_pending(&cam->run[FLEET_SAMPLE]) &&
           (cam->last_sample_s <= 0 || now - cam->last_sample_s >= interval_s);
}

/* The list's head if it may be sampled now; one not due yet stops it (faults are added in the
 * order they are due); ones down, in maintenance or queued leave it (the round comes back to
 * them). */
static struct fleet_cam *pace_pick_listed(struct fleet_pace *p, double now, double interval_s)
{
    while (p->pri.head != NULL) {
        struct fleet_cam *cam = pace_cam_of(p->pri.head);
        enum cw_state st = verdict_state(cam);

        if (st == CW_DOWN || st == CW_MAINTENANCE || sched_pending(&cam->run[FLEET_SAMPLE])) {
            pace_pop(p);
            continue;
        }
        return pace_eligible(cam, now, interval_s) ? pace_pop(p) : NULL;
    }
    return NULL;
}

/* The round: each camera in turn, one walk of the fleet at most. */
static struct fleet_cam *pace_pick_round(struct fleet_pace *p, double now, double interval_s)
{
    for (size_t i = 0; i < p->n; i++) {
        struct fleet_cam *cam;

        if (p->cursor >= p->n) {
            if (p->round_began_s > 0)
                p->last_round_s = now - p->round_began_s;
            p->round_began_s = now;
            p->cursor = 0;
        }
        cam = p->cams[p->cursor++];
        if (!cam->pri && pace_eligible(cam, now, interval_s)) /* the list has the listed */
            return cam;
    }
    return NULL;
}

struct fleet_cam *fleet_sample_pick(struct fleet_env *env, double now)
{
    struct fleet_pace *p = &env->pace;
    double interval_s = (double)env->cfg->stream.interval_ms / 1000.0;
    struct fleet_cam *cam = NULL;

    /* The list first, but never twice running while the round has a camera due: cameras with a
     * fault every time would otherwise take every sample and the round would never go on. */
    if (!p->took_listed)
        cam = pace_pick_listed(p, now, interval_s);
    p->took_listed = cam != NULL;
    if (cam == NULL)
        cam = pace_pick_round(p, now, interval_s);
    if (cam == NULL && (cam = pace_pick_listed(p, now, interval_s)) != NULL)
        p->took_listed = 1;
    return cam;
}

static double pace_gap(const struct fleet_env *env)
{
    return fleet_sample_gap_s(env->cfg->stream.budget_pct, env->pace.cpu_mean_s);
}

static void pace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet_env *env = w->data;
    struct sched_kind *k = env->kind[FLEET_SAMPLE];
    struct sched_stats st;
    double gap = pace_gap(env);

    (void)revents;
    if (k != NULL && !env->stopping) {
        sched_get_stats(k, &st);
        /* Workers all busy with a queue: the samples are slower than the budget already. */
        if (st.queued == 0) {
            struct fleet_cam *cam = fleet_sample_pick(env, sched_now(env->sched));

            if (cam != NULL) {
                sched_enqueue(&cam->run[FLEET_SAMPLE]);
                sched_dispatch(k);
            }
        }
    }
    w->repeat = gap > 0 ? gap : 1.0;
    ev_timer_again(loop, w);
}

void fleet_sample_pace_start(struct fleet_env *env)
{
    struct fleet_pace *p = &env->pace;

    if (env->cfg->stream.budget_pct <= 0 || env->once)
        return;
    if (p->cpu_mean_s <= 0)
        p->cpu_mean_s = FLEET_SAMPLE_CPU_PRIOR_S;
    ev_init(&p->tick, pace_cb);
    p->tick.data = env;
    /* After the first liveness verdicts, so a dead camera costs no worker. */
    p->tick.repeat = (double)env->cfg->rtsp.interval_ms / 1000.0;
    if (p->tick.repeat > 60.0)
        p->tick.repeat = 60.0;
    ev_timer_again(env->loop, &p->tick);
}

void fleet_sample_pace_stop(struct fleet_env *env)
{
    ev_timer_stop(env->loop, &env->pace.tick);
}

void fleet_sample_pace_cams(struct fleet_env *env, struct fleet_cam **cams, size_t n)
{
    env->pace.cams = cams;
    env->pace.n = n;
    if (env->pace.cursor > n)
        env->pace.cursor = n;
}

void fleet_sample_round(const struct fleet_env *env, double *expected_s, double *last_s,
                        double *cpu_s)
{
    const struct fleet_pace *p = &env->pace;

    *expected_s = fleet_sample_round_s(env->cfg->stream.budget_pct, p->cpu_mean_s,
                                       env->cfg->stream.interval_ms, p->n);
    *last_s = p->last_round_s;
    *cpu_s = p->cpu_mean_s;
}
