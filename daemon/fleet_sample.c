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
 * Owns per camera the job on the pool (cam->job) and the quality memory
 * (cam->qm: the frozen run, written to the store with each sample and resumed
 * from it; the reference is the store's). A job outlives its
 * camera when a reload drops it: cancelling detaches the job, which is
 * freed, unwritten, when it comes back. Loop thread only; the job's work
 * runs on a worker and touches only the job. */
#include "fleet_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

static void sample_thumb_path(const struct cfg *cfg, const char *id, char *buf, size_t len)
{
    if (snprintf(buf, len, "%s/thumbs/%s.jpg", cfg->cache_dir ? cfg->cache_dir : ".", id) < 0)
        buf[0] = '\0';
}

static void sample_work(struct pool_job *job)
{
    struct fleet_sample_job *j = (struct fleet_sample_job *)job;

    stream_probe_run(&j->req, &j->res);
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
    struct cw_err err;
    int has_ref = 0;
    int64_t now = cw_now_ms();

    batch_open(env->batch); /* adopts the CLI's changes first */
    /* The store holds the reference: `camwatch reference CAM` clears it there. */
    if (store_get_reference(env->store, cam->id, &has_ref, &cam->qm.reference,
                            &cam->qm.reference_at_ms, &err) < 0)
        log_warnx("store: camera=%s reference not read: %s", cam->id, err.msg);
    cam->qm.has_reference = has_ref;
    quality_assess(cam->cc->cls, r, cam->has_sdp ? &cam->sdp : NULL, &cam->qm, now, env->tz, &qv);
    if (cam->qm.reference_taken)
        batch_set_reference(env->batch, cam->id, 1, cam->qm.reference, now);
    verdict_set_input(cam, VERDICT_PICTURE, qv.flags != 0, qv.reasons);
    sample_fill_row(cam, r, &qv, now, &smp);
    batch_record_sample(env->batch, &smp, r->thumb_written ? j->req.thumb_path : NULL);
    if (qv.flags != 0)
        log_debug("sample: camera=%s %s", cam->id, qv.reasons);
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

static int64_t sample_interval_ms(struct sched_entry *e, void *data)
{
    const struct fleet_env *env = data;

    (void)e;
    return env->cfg->stream.interval_ms;
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

    if (st->last_sample_ms == 0 ||
        store_list_samples(cam->env->store, cam->id, st->last_sample_ms, &smp, &n, &err) != 0)
        return;
    if (n > 0)
        verdict_set_input(cam, VERDICT_PICTURE, quality_flags_parse(smp[n - 1].flags) != 0,
                          smp[n - 1].reasons);
    free(smp);
}
