/* fleet.c - per-camera scheduling, probing and health on the loop thread.
 * Owns: the struct fleet_cam of every camera (sorted by id), their due
 * timers, the FIFO of cameras due but waiting for a free probe slot, the
 * curl multi (through curlev) and the probes in flight, and the write batch
 * (one store transaction, committed FLEET_COMMIT_DELAY_S after it opened).
 *
 * A camera's life:  due timer fires -> queued -> probe in flight ->
 * result -> health -> store -> due timer re-armed (interval +- jitter).
 * With --once there are no timers: all are queued at start and the hook
 * once_done fires when the last result is written.
 *
 * Stream samples run beside that on the worker pool (pool.c), each camera on
 * its own [probe.stream] interval: sample timer -> job on a worker -> result
 * back on the loop -> quality_assess() -> sample row; the quality reasons
 * then make the next liveness verdict DEGRADED. With --once a camera's
 * DESCRIBE result is held until its sample is in, so its one verdict weighs
 * both.
 *
 * The CLI may change a camera's state behind us (maintenance on/off). Its
 * commits bump the store's data_version, which we check before each write
 * batch and every FLEET_EXTERNAL_CHECK_S, then adopt the store's state. */
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "fleet_priv.h"

/* One stream sample on the pool. Holds the camera's id, not the camera: the camera may be
 * dropped by a reload while the job runs. */
struct fleet_sample_job {
    struct pool_job base; /* first: the pool hands this back */
    struct fleet *f;
    char camera_id[CFG_ID_MAX + 1];
    struct stream_request req;
    struct stream_sample res;
};

static void fleet_probe_done(CURL *easy, CURLcode rc, void *data);
static int fleet_submit_sample(struct fleet *f, struct fleet_cam *cam);

double fleet_random(struct fleet *f)
{
    /* xorshift64*: scheduling jitter only, nothing secret. */
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (double)((f->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

void fleet_timer_arm(struct fleet *f, ev_timer *t, double delay_s)
{
    ev_timer_stop(f->loop, t);
    ev_timer_set(t, delay_s, 0.0);
    ev_timer_start(f->loop, t);
}

double fleet_jittered_s(struct fleet *f, int64_t interval_ms)
{
    double jitter = (fleet_random(f) * 2.0 - 1.0) * FLEET_JITTER_FRACTION;

    return (double)interval_ms / 1000.0 * (1.0 + jitter);
}

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

/* ---- write batch ---- */

static void fleet_commit(struct fleet *f)
{
    struct cw_err err;

    if (!f->in_batch)
        return;
    ev_timer_stop(f->loop, &f->commit);
    f->in_batch = 0;
    if (store_commit(f->store, &err) != 0)
        log_warnx("store: commit failed: %s", err.msg);
    if (f->hooks.changed)
        f->hooks.changed(f->hooks.data);
}

static void fleet_commit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    fleet_commit(w->data);
}

static void fleet_sync_external(struct fleet *f);

/* Open the write batch if none is open; returns 0, or -1 when the store refuses. */
int fleet_batch(struct fleet *f)
{
    struct cw_err err;

    if (f->in_batch)
        return 0;
    fleet_sync_external(f);
    if (store_begin(f->store, &err) != 0) {
        log_warnx("store: cannot begin a write: %s", err.msg);
        return -1;
    }
    f->in_batch = 1;
    ev_timer_set(&f->commit, FLEET_COMMIT_DELAY_S, 0.0);
    ev_timer_start(f->loop, &f->commit);
    return 0;
}

/* ---- state changes made by others (the CLI) ---- */

static void fleet_adopt(struct fleet *f, const struct store_status *st)
{
    struct fleet_cam *cam = fleet_find(f->cams, f->n, st->id);

    /* Our own writes are visible to our connection, so a difference is another's doing. */
    if (cam == NULL || cam->h.state == st->state)
        return;
    log_info("health: camera=%s %s->%s by staff (%s)", cam->id, cw_state_name(cam->h.state),
             cw_state_name(st->state), st->reason);
    health_init(&cam->h, st->state, st->since_ms, st->reason);
}

static void fleet_sync_external(struct fleet *f)
{
    struct store_status *st = NULL;
    size_t n = 0;
    int64_t v;
    struct cw_err err;

    if (store_data_version(f->store, &v, &err) != 0 || v == f->data_version)
        return;
    f->data_version = v;
    if (store_list_status(f->store, &st, &n, &err) != 0) {
        log_warnx("store: cannot read states: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fleet_adopt(f, &st[i]);
    free(st);
}

static void fleet_external_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    fleet_sync_external(w->data);
}

/* ---- results ---- */

static void fleet_reason(const struct rtsp_result *r, char *buf, size_t len)
{
    const char *what = rtsp_outcome_reason(r->outcome);

    int n;

    /* A reason longer than the buffer is cut; the outcome word comes first so it survives. */
    if (r->detail[0] != '\0' && strstr(r->detail, what) == NULL)
        n = snprintf(buf, len, "%s (%s)", what, r->detail);
    else if (r->detail[0] != '\0')
        n = snprintf(buf, len, "%s", r->detail);
    else
        n = snprintf(buf, len, "%s", what);
    if (n < 0)
        buf[0] = '\0';
}

/* The store no longer holds what we believed for cam (the CLI moved it): take its state. */
static void fleet_adopt_one(struct fleet *f, struct fleet_cam *cam)
{
    struct store_status st;
    struct cw_err err;

    if (store_get_status(f->store, cam->id, &st, &err) == 0)
        fleet_adopt(f, &st);
}

static void fleet_write_result(struct fleet *f, struct fleet_cam *cam, const struct rtsp_result *r,
                               enum health_verdict v, const char *reason, int64_t now)
{
    struct health_params hp = {f->cfg->rtsp.down_after, f->cfg->rtsp.up_after};
    struct health_transition t;
    enum cw_state before;
    int changed;
    struct store_probe p;
    struct cw_err err;
    int rc;

    /* Opening the batch first adopts what the CLI changed, so health starts from it. */
    if (fleet_batch(f) != 0)
        return;
    before = cam->h.state;
    changed = health_record_probe(&cam->h, &hp, v, reason, now, &t);
    p = (struct store_probe){
        .camera_id = cam->id,
        .at_ms = now,
        .ok = r->outcome == RTSP_OK,
        .latency_ms = r->latency_ms,
        .rtsp_status = r->status,
        .codec = r->video.codec,
        .width = r->video.width,
        .height = r->video.height,
        .fps = r->video.fps,
        /* Within DOWN or DEGRADED the cause may change without a transition. */
        .reason = changed ? NULL : cam->h.reason,
        .state = before,
    };
    if (store_record_probe(f->store, &p, &err) < 0)
        log_warnx("store: camera=%s probe not written: %s", cam->id, err.msg);
    if (!changed)
        return;
    rc = store_record_transition(f->store, cam->id, t.from, t.to, t.at_ms, t.reason, &err);
    if (rc < 0) {
        log_warnx("store: camera=%s transition not written: %s", cam->id, err.msg);
        return;
    }
    if (rc == 1) {
        fleet_adopt_one(f, cam);
        return;
    }
    if (t.to == CW_DOWN)
        log_warnx("health: camera=%s %s->%s %s", cam->id, cw_state_name(t.from),
                  cw_state_name(t.to), t.reason);
    else
        log_info("health: camera=%s %s->%s%s%s", cam->id, cw_state_name(t.from),
                 cw_state_name(t.to), t.reason[0] ? " " : "", t.reason);
}

/* The liveness verdict of a DESCRIBE result, weighed with the last sample's quality. */
static void fleet_apply_result(struct fleet *f, struct fleet_cam *cam, const struct rtsp_result *r)
{
    char reason[HEALTH_REASON_MAX] = "";
    enum health_verdict v = HEALTH_OK;
    size_t off = 0;

    if (r->outcome != RTSP_OK) {
        v = HEALTH_FAIL;
        fleet_reason(r, reason, sizeof(reason));
    } else {
        cam->sdp = r->video;
        cam->has_sdp = 1;
        if (r->latency_ms > f->cfg->rtsp.slow_ms) {
            v = HEALTH_DEGRADED;
            off = (size_t)snprintf(reason, sizeof(reason), "slow answer: %d ms (limit %lld ms)",
                                   r->latency_ms, (long long)f->cfg->rtsp.slow_ms);
        }
        if (cam->device_reasons[0] != '\0' && off < sizeof(reason)) {
            v = HEALTH_DEGRADED;
            if (snprintf(reason + off, sizeof(reason) - off, "%s%s", off ? "; " : "",
                         cam->device_reasons) < 0)
                reason[off] = '\0';
            off = strlen(reason);
        }
        if (cam->qv.flags != 0 && off < sizeof(reason)) {
            v = HEALTH_DEGRADED;
            /* Longer quality reasons are cut: the state's reason has room for the first ones,
             * the sample row keeps them all. */
            if (snprintf(reason + off, sizeof(reason) - off, "%s%s", off ? "; " : "",
                         cam->qv.reasons) < 0)
                reason[off] = '\0';
        }
    }
    if (v != HEALTH_OK)
        log_debug("probe: camera=%s %s", cam->id, reason);
    fleet_write_result(f, cam, r, v, reason, cw_now_ms());
}

/* A DESCRIBE result came in. With --once, a camera that answered waits for its sample and its
 * ONVIF probe before its one verdict; returns 1 when held so. */
static int fleet_take_result(struct fleet *f, struct fleet_cam *cam, const struct rtsp_result *r)
{
    if (f->once && r->outcome == RTSP_OK && !f->stopping) {
        cam->sdp = r->video;
        cam->has_sdp = 1;
        cam->wait_sample = f->pool != NULL && fleet_submit_sample(f, cam) == 0;
        cam->wait_onvif = cam->onvif != NULL || cam->link[FLEET_Q_ONVIF].queued;
        if (cam->wait_sample || cam->wait_onvif) {
            cam->held_result = *r;
            cam->held = 1;
            return 1;
        }
    }
    fleet_apply_result(f, cam, r);
    return 0;
}

void fleet_release_held(struct fleet *f, struct fleet_cam *cam)
{
    if (!cam->held || cam->wait_sample || cam->wait_onvif)
        return;
    cam->held = 0;
    if (!f->stopping)
        fleet_apply_result(f, cam, &cam->held_result);
    fleet_once_progress(f);
}

/* ---- stream samples ---- */

static void fleet_thumb_path(const struct cfg *cfg, const char *id, char *buf, size_t len)
{
    if (snprintf(buf, len, "%s/thumbs/%s.jpg", cfg->cache_dir ? cfg->cache_dir : ".", id) < 0)
        buf[0] = '\0';
}

static void fleet_sample_work(struct pool_job *job)
{
    struct fleet_sample_job *j = (struct fleet_sample_job *)job;

    stream_probe_run(&j->req, &j->res);
}

static void fleet_reschedule_sample(struct fleet *f, struct fleet_cam *cam)
{
    if (!f->once && !f->stopping && f->pool != NULL)
        fleet_timer_arm(f, &cam->sample_due, fleet_jittered_s(f, f->cfg->stream.interval_ms));
}

/* Write the sample, judged, and keep its verdict for the next liveness verdict. */
static void fleet_record_sample(struct fleet *f, struct fleet_cam *cam,
                                const struct fleet_sample_job *j)
{
    const struct stream_sample *r = &j->res;
    struct store_sample smp;
    struct cw_err err;
    int has_ref = 0;
    int64_t now = cw_now_ms();

    if (fleet_batch(f) != 0)
        return;
    /* The store holds the reference: `camwatch reference CAM` clears it there. */
    if (store_get_reference(f->store, cam->id, &has_ref, &cam->qm.reference,
                            &cam->qm.reference_at_ms, &err) < 0)
        log_warnx("store: camera=%s reference not read: %s", cam->id, err.msg);
    cam->qm.has_reference = has_ref;
    quality_assess(cam->cc->cls, r, cam->has_sdp ? &cam->sdp : NULL, &cam->qm, now,
                   f->cfg->time_zone, &cam->qv);
    if (cam->qm.reference_taken &&
        store_set_reference(f->store, cam->id, 1, cam->qm.reference, now, &err) < 0)
        log_warnx("store: camera=%s reference not written: %s", cam->id, err.msg);
    memset(&smp, 0, sizeof(smp));
    snprintf(smp.camera_id, sizeof(smp.camera_id), "%s", cam->id);
    smp.at_ms = now;
    smp.count = 1;
    smp.ok = r->ok;
    snprintf(smp.error, sizeof(smp.error), "%s", r->error);
    snprintf(smp.codec, sizeof(smp.codec), "%s", r->codec);
    smp.width = r->width;
    smp.height = r->height;
    smp.fps = r->fps;
    smp.bitrate_kbps = r->bitrate_kbps;
    smp.gop_frames = r->gop_frames;
    smp.gop_s = r->gop_s;
    smp.first_key_ms = r->first_key_ms;
    smp.ts_jumps = r->ts_jumps;
    smp.ts_backwards = r->ts_backwards;
    smp.corrupt_packets = r->corrupt_packets;
    smp.lost_frames = r->lost_frames;
    smp.has_picture = r->has_picture;
    smp.luma_mean = r->luma_mean;
    smp.luma_spread = r->luma_spread;
    smp.sharpness = r->sharpness;
    smp.phash = r->phash;
    smp.ref_distance = cam->qv.ref_distance;
    quality_flags_format(cam->qv.flags, smp.flags, sizeof(smp.flags));
    snprintf(smp.reasons, sizeof(smp.reasons), "%s", cam->qv.reasons);
    if (store_record_sample(f->store, &smp, r->thumb_written ? j->req.thumb_path : NULL, &err) < 0)
        log_warnx("store: camera=%s sample not written: %s", cam->id, err.msg);
    if (cam->qv.flags != 0)
        log_debug("sample: camera=%s %s", cam->id, cam->qv.reasons);
}

static void fleet_sample_done(struct pool_job *job, int cancelled)
{
    struct fleet_sample_job *j = (struct fleet_sample_job *)job;
    struct fleet *f = j->f;
    struct fleet_cam *cam = fleet_find(f->cams, f->n, j->camera_id);

    if (cam != NULL)
        cam->sampling = 0;
    if (cam != NULL && !cancelled && !f->stopping) {
        fleet_record_sample(f, cam, j);
        fleet_reschedule_sample(f, cam);
    }
    if (cam != NULL && cam->held) {
        cam->wait_sample = 0;
        fleet_release_held(f, cam);
    }
    free(j);
}

/* Put a sample of cam on the pool; returns 0, or -1 when none was started (no pool, one
 * already running, out of memory). */
static int fleet_submit_sample(struct fleet *f, struct fleet_cam *cam)
{
    const struct cfg_camera *cc = cam->cc;
    struct fleet_sample_job *j;

    if (cam->sampling || f->pool == NULL)
        return -1;
    j = calloc(1, sizeof(*j));
    if (j == NULL) {
        log_warnx("sample: camera=%s not started: out of memory", cam->id);
        return -1;
    }
    j->base.work = fleet_sample_work;
    j->base.done = fleet_sample_done;
    j->f = f;
    snprintf(j->camera_id, sizeof(j->camera_id), "%s", cam->id);
    snprintf(j->req.url, sizeof(j->req.url), "%s", cc->rtsp_url);
    if (cc->cred != NULL) {
        snprintf(j->req.username, sizeof(j->req.username), "%s", cc->cred->username);
        snprintf(j->req.password, sizeof(j->req.password), "%s", cc->cred->password);
    }
    j->req.sample_ms = f->cfg->stream.sample_ms;
    j->req.deadline_ms = f->cfg->stream.timeout_ms;
    j->req.thumb_width = f->cfg->stream.thumb_width;
    j->req.cancel = &f->cancel;
    fleet_thumb_path(f->cfg, cam->id, j->req.thumb_path, sizeof(j->req.thumb_path));
    cam->sampling = 1;
    pool_submit(f->pool, &j->base);
    log_debug("sample: camera=%s queued (%d on the pool)", cam->id, pool_pending(f->pool));
    return 0;
}

static void fleet_sample_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet_cam *cam = w->data;
    struct fleet *f = cam->f;

    (void)loop;
    (void)revents;
    /* A camera that does not answer DESCRIBE will not stream either: spare the worker. */
    if (cam->h.state == CW_DOWN || cam->h.state == CW_MAINTENANCE ||
        fleet_submit_sample(f, cam) != 0)
        fleet_reschedule_sample(f, cam);
}

static void fleet_retention_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet *f = w->data;
    struct cw_err err;
    int folded = 0;

    (void)loop;
    (void)revents;
    if (fleet_batch(f) != 0)
        return;
    if (store_downsample_samples(f->store, cw_now_ms() - f->cfg->samples_days * FLEET_DAY_MS,
                                 &folded, &err) != 0)
        log_warnx("store: old samples not downsampled: %s", err.msg);
    else if (folded > 0)
        log_info("store: %d samples older than %d days folded into hourly rows", folded,
                 f->cfg->samples_days);
}

/* ---- scheduling ---- */

static int fleet_in_flight(const struct fleet_cam *cam, enum fleet_queue_id q)
{
    return q == FLEET_Q_RTSP ? cam->probe != NULL : cam->onvif != NULL;
}

void fleet_enqueue(struct fleet *f, enum fleet_queue_id q, struct fleet_cam *cam)
{
    struct fleet_link *l = &cam->link[q];

    if (l->queued || fleet_in_flight(cam, q))
        return;
    l->queued = 1;
    l->next = NULL;
    if (f->q[q].tail)
        f->q[q].tail->link[q].next = cam;
    else
        f->q[q].head = cam;
    f->q[q].tail = cam;
}

/* O(queue length): only a reload dropping a queued camera, or a stop, gets here. */
void fleet_unqueue(struct fleet *f, enum fleet_queue_id q, struct fleet_cam *cam)
{
    struct fleet_cam **pp = &f->q[q].head, *prev = NULL;

    if (!cam->link[q].queued)
        return;
    while (*pp != NULL && *pp != cam) {
        prev = *pp;
        pp = &(*pp)->link[q].next;
    }
    if (*pp == cam) {
        *pp = cam->link[q].next;
        if (f->q[q].tail == cam)
            f->q[q].tail = prev;
    }
    cam->link[q].queued = 0;
    cam->link[q].next = NULL;
}

static void fleet_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet_cam *cam = w->data;

    (void)loop;
    (void)revents;
    fleet_enqueue(cam->f, FLEET_Q_RTSP, cam);
    fleet_dispatch(cam->f, FLEET_Q_RTSP);
}

static void fleet_reschedule(struct fleet *f, struct fleet_cam *cam)
{
    fleet_timer_arm(f, &cam->due, fleet_jittered_s(f, f->cfg->rtsp.interval_ms));
}

void fleet_once_progress(struct fleet *f)
{
    if (f->once && f->once_left > 0 && --f->once_left == 0) {
        fleet_commit(f);
        if (f->hooks.once_done)
            f->hooks.once_done(f->hooks.data);
    }
}

static void fleet_start_probe(struct fleet *f, struct fleet_cam *cam)
{
    const struct cfg_camera *cc = cam->cc;
    const char *user = cc->cred ? cc->cred->username : NULL;
    const char *pass = cc->cred ? cc->cred->password : NULL;
    struct rtsp_result r;
    struct cw_err err;

    if (rtsp_probe_new(cc->rtsp_url, user, pass, f->cfg->rtsp.timeout_ms, &cam->xfer[FLEET_Q_RTSP],
                       &cam->probe, &err) != 0 ||
        curlev_add(f->curl, rtsp_probe_handle(cam->probe), &err) != 0) {
        rtsp_probe_free(cam->probe);
        cam->probe = NULL;
        memset(&r, 0, sizeof(r));
        r.outcome = RTSP_ERROR;
        r.latency_ms = -1;
        if (snprintf(r.detail, sizeof(r.detail), "probe not started: %s", err.msg) < 0)
            r.detail[0] = '\0';
        fleet_apply_result(f, cam, &r);
        if (!f->once)
            fleet_reschedule(f, cam);
        fleet_once_progress(f);
        return;
    }
    f->inflight[FLEET_Q_RTSP]++;
    log_debug("probe: camera=%s started (%d in flight)", cam->id, f->inflight[FLEET_Q_RTSP]);
}

void fleet_dispatch(struct fleet *f, enum fleet_queue_id q)
{
    int limit = q == FLEET_Q_RTSP ? f->cfg->rtsp.concurrency : f->cfg->onvif.concurrency;

    while (!f->stopping && f->q[q].head != NULL && f->inflight[q] < limit) {
        struct fleet_cam *cam = f->q[q].head;

        f->q[q].head = cam->link[q].next;
        if (f->q[q].head == NULL)
            f->q[q].tail = NULL;
        cam->link[q].queued = 0;
        cam->link[q].next = NULL;
        if (q == FLEET_Q_RTSP)
            fleet_start_probe(f, cam);
        else
            fleet_onvif_start(f, cam);
    }
}

static void fleet_probe_done(CURL *easy, CURLcode rc, void *data)
{
    struct fleet *f = data;
    struct fleet_xfer *x = NULL;
    struct fleet_cam *cam;
    struct rtsp_result r;
    int held;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    cam = x->cam;
    if (x->kind == FLEET_Q_ONVIF) {
        fleet_onvif_done(f, cam, rc);
        return;
    }
    rtsp_probe_finish(cam->probe, rc, &r);
    rtsp_probe_free(cam->probe);
    cam->probe = NULL;
    f->inflight[FLEET_Q_RTSP]--;
    held = fleet_take_result(f, cam, &r);
    if (!f->once && !f->stopping)
        fleet_reschedule(f, cam);
    fleet_dispatch(f, FLEET_Q_RTSP);
    if (!held)
        fleet_once_progress(f);
}

/* ---- cameras ---- */

static struct fleet_cam *fleet_cam_new(struct fleet *f, const struct cfg_camera *cc)
{
    struct fleet_cam *cam = calloc(1, sizeof(*cam));

    if (cam == NULL)
        return NULL;
    snprintf(cam->id, sizeof(cam->id), "%s", cc->id);
    cam->cc = cc;
    cam->f = f;
    health_init(&cam->h, CW_UNKNOWN, cw_now_ms(), "");
    ev_timer_init(&cam->due, fleet_due_cb, 0.0, 0.0);
    cam->due.data = cam;
    ev_timer_init(&cam->sample_due, fleet_sample_due_cb, 0.0, 0.0);
    cam->sample_due.data = cam;
    for (int q = 0; q < FLEET_Q_COUNT; q++)
        cam->xfer[q] = (struct fleet_xfer){(enum fleet_queue_id)q, cam};
    fleet_onvif_init(cam);
    return cam;
}

/* A sample still on the pool finds no camera when it comes back, and is dropped. */
static void fleet_cam_free(struct fleet *f, struct fleet_cam *cam)
{
    ev_timer_stop(f->loop, &cam->due);
    ev_timer_stop(f->loop, &cam->sample_due);
    fleet_unqueue(f, FLEET_Q_RTSP, cam);
    fleet_onvif_cancel(f, cam);
    if (cam->probe != NULL) {
        curlev_remove(f->curl, rtsp_probe_handle(cam->probe));
        rtsp_probe_free(cam->probe);
        f->inflight[FLEET_Q_RTSP]--;
    }
    free(cam);
}

/* The last sample's verdict, so a restart does not call a degraded camera up until its first
 * sample in this process. */
static void fleet_resume_quality(struct fleet *f, struct fleet_cam *cam,
                                 const struct store_status *st)
{
    struct store_sample *smp = NULL;
    size_t n = 0;
    struct cw_err err;

    if (st->last_sample_ms == 0 ||
        store_list_samples(f->store, cam->id, st->last_sample_ms, &smp, &n, &err) != 0)
        return;
    if (n > 0) {
        cam->qv.flags = quality_flags_parse(smp[n - 1].flags);
        snprintf(cam->qv.reasons, sizeof(cam->qv.reasons), "%s", smp[n - 1].reasons);
    }
    free(smp);
}

/* Give every fresh camera the state the store holds. */
static void fleet_resume_fresh(struct fleet *f)
{
    struct store_status *st = NULL;
    size_t m = 0;
    struct cw_err err;

    if (store_list_status(f->store, &st, &m, &err) != 0) {
        log_warnx("store: cannot read states, new cameras start unknown: %s", err.msg);
    } else {
        for (size_t i = 0; i < m; i++) {
            struct fleet_cam *cam = fleet_find(f->cams, f->n, st[i].id);
            if (cam != NULL && cam->fresh) {
                health_init(&cam->h, st[i].state, st[i].since_ms, st[i].reason);
                fleet_resume_quality(f, cam, &st[i]);
                fleet_onvif_resume(f, cam);
            }
        }
        free(st);
    }
}

/* Make f->cams match cfg: cameras that stay are kept (state, timers, probe in flight), new
 * ones are made fresh, gone ones freed. Returns 0 or -1 (out of memory; nothing changed). */
static int fleet_build(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    struct fleet_cam **cams = calloc(cfg->n_cameras ? cfg->n_cameras : 1, sizeof(*cams));
    size_t n = 0;

    if (cams == NULL)
        goto fail;
    for (size_t i = 0; i < f->n; i++)
        f->cams[i]->kept = 0;
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const struct cfg_camera *cc = &cfg->cameras[i];
        struct fleet_cam *cam = fleet_find(f->cams, f->n, cc->id);

        if (cam == NULL) {
            cam = fleet_cam_new(f, cc);
            if (cam == NULL)
                goto fail;
            cam->fresh = 1;
        }
        cam->kept = 1;
        cams[n++] = cam;
    }
    /* Past the last failure point: commit the new inventory. */
    for (size_t i = 0; i < n; i++)
        cams[i]->cc = &cfg->cameras[i];
    for (size_t i = 0; i < f->n; i++)
        if (!f->cams[i]->kept)
            fleet_cam_free(f, f->cams[i]);
    qsort(cams, n, sizeof(*cams), fleet_cam_cmp);
    free(f->cams);
    f->cams = cams;
    f->n = n;
    f->cfg = cfg;
    return 0;
fail:
    for (size_t i = 0; cams != NULL && i < n; i++)
        if (cams[i]->fresh)
            free(cams[i]);
    free(cams);
    return cw_err_set(err, NULL, 0, NULL, "out of memory");
}

/* First probe of each fresh camera: all at once with --once, else spread over a short window
 * so a restart does not hit every camera in the same second. A camera a reload kept starts or
 * stops its ONVIF probes as its onvif_url came or went. */
static void fleet_schedule_fresh(struct fleet *f)
{
    double spread = (double)f->cfg->rtsp.interval_ms / 1000.0;
    double sample_spread = (double)f->cfg->stream.interval_ms / 1000.0;

    if (spread > FLEET_FIRST_SPREAD_MAX_MS / 1000.0)
        spread = FLEET_FIRST_SPREAD_MAX_MS / 1000.0;
    if (sample_spread > FLEET_FIRST_SAMPLE_SPREAD_MAX_MS / 1000.0)
        sample_spread = FLEET_FIRST_SAMPLE_SPREAD_MAX_MS / 1000.0;
    for (size_t i = 0; i < f->n; i++) {
        struct fleet_cam *cam = f->cams[i];

        if (!cam->fresh) {
            fleet_onvif_reloaded(f, cam, spread);
            continue;
        }
        if (f->once) {
            fleet_onvif_schedule_first(f, cam, 0.0);
            fleet_enqueue(f, FLEET_Q_RTSP, cam);
            continue;
        }
        /* ONVIF in the first half of the window, DESCRIBE in the second: a new camera's first
         * verdict then weighs what ONVIF said (its clock, its configuration) instead of
         * calling it up and taking up_after more probes to say degraded. */
        if (fleet_onvif_wanted(cam)) {
            fleet_onvif_schedule_first(f, cam, spread / 2);
            fleet_timer_arm(f, &cam->due, spread / 2 + fleet_random(f) * spread / 2);
        } else {
            fleet_timer_arm(f, &cam->due, fleet_random(f) * spread);
        }
        /* Samples after the first liveness verdicts, so a dead camera costs no worker. */
        if (f->pool != NULL)
            fleet_timer_arm(f, &cam->sample_due, spread + fleet_random(f) * sample_spread);
    }
}

int fleet_new(struct ev_loop *loop, struct store *store, const struct cfg *cfg, int once,
              const struct fleet_hooks *hooks, struct fleet **out, struct cw_err *err)
{
    struct fleet *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    f->loop = loop;
    f->store = store;
    f->once = once;
    f->hooks = *hooks;
    f->rng = ((unsigned long long)time(NULL) << 20) ^ (unsigned long long)getpid() ^
             0x9e3779b97f4a7c15ULL;
    ev_timer_init(&f->commit, fleet_commit_cb, 0.0, 0.0);
    f->commit.data = f;
    ev_timer_init(&f->external, fleet_external_cb, FLEET_EXTERNAL_CHECK_S, FLEET_EXTERNAL_CHECK_S);
    f->external.data = f;
    ev_timer_init(&f->retention, fleet_retention_cb, 0.0, FLEET_RETENTION_EVERY_S);
    f->retention.data = f;
    if (curlev_new(loop, fleet_probe_done, f, &f->curl, err) != 0)
        goto fail;
    if (cfg->stream.workers > 0 && pool_new(loop, cfg->stream.workers, &f->pool, err) != 0)
        goto fail;
    if (fleet_build(f, cfg, err) != 0)
        goto fail;
    if (store_data_version(store, &f->data_version, err) != 0)
        goto fail;
    fleet_resume_fresh(f);
    if (once) {
        f->once_left = f->n;
        for (size_t i = 0; i < f->n; i++)
            f->once_left += (size_t)fleet_onvif_wanted(f->cams[i]); /* ONVIF probes count too */
    } else {
        ev_timer_start(loop, &f->external);
        ev_timer_start(loop, &f->retention); /* first run right away, then hourly */
    }
    fleet_schedule_fresh(f);
    for (size_t i = 0; i < f->n; i++)
        f->cams[i]->fresh = 0;
    *out = f; /* before the first dispatch: a probe that cannot start reports at once */
    fleet_dispatch(f, FLEET_Q_RTSP);
    fleet_dispatch(f, FLEET_Q_ONVIF);
    if (once && f->n == 0 && hooks->once_done)
        hooks->once_done(hooks->data);
    return 0;
fail:
    fleet_free(f);
    return -1;
}

int fleet_reload(struct fleet *f, const struct cfg *cfg, struct cw_err *err)
{
    if (fleet_build(f, cfg, err) != 0)
        return -1;
    fleet_resume_fresh(f);
    fleet_schedule_fresh(f);
    for (size_t i = 0; i < f->n; i++)
        f->cams[i]->fresh = 0;
    fleet_dispatch(f, FLEET_Q_RTSP);
    fleet_dispatch(f, FLEET_Q_ONVIF);
    return 0;
}

void fleet_stop(struct fleet *f)
{
    if (f->stopping)
        return;
    f->stopping = 1;
    atomic_store(&f->cancel, 1);
    ev_timer_stop(f->loop, &f->external);
    ev_timer_stop(f->loop, &f->retention);
    /* Queues first: then no camera below needs a walk of them to leave. */
    for (int q = 0; q < FLEET_Q_COUNT; q++) {
        for (struct fleet_cam *c = f->q[q].head, *next; c != NULL; c = next) {
            next = c->link[q].next;
            c->link[q].queued = 0;
            c->link[q].next = NULL;
        }
        f->q[q].head = f->q[q].tail = NULL;
    }
    for (size_t i = 0; i < f->n; i++) {
        struct fleet_cam *cam = f->cams[i];

        ev_timer_stop(f->loop, &cam->due);
        ev_timer_stop(f->loop, &cam->sample_due);
        fleet_onvif_cancel(f, cam);
        if (cam->probe != NULL) {
            curlev_remove(f->curl, rtsp_probe_handle(cam->probe));
            rtsp_probe_free(cam->probe);
            cam->probe = NULL;
            f->inflight[FLEET_Q_RTSP]--;
        }
    }

    fleet_commit(f);
}

void fleet_count_states(const struct fleet *f, int counts[5])
{
    memset(counts, 0, 5 * sizeof(counts[0]));
    for (size_t i = 0; i < f->n; i++)
        counts[f->cams[i]->h.state]++;
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
        snprintf(buf + off, len - off, ", %d in maintenance", c[CW_MAINTENANCE]);
}

void fleet_free(struct fleet *f)
{
    if (f == NULL)
        return;
    if (f->curl != NULL)
        fleet_stop(f);
    /* Before the cameras go: the samples coming back look them up. */
    pool_free(f->pool);
    f->pool = NULL;
    ev_timer_stop(f->loop, &f->commit);
    for (size_t i = 0; i < f->n; i++)
        fleet_cam_free(f, f->cams[i]);
    free(f->cams);
    curlev_free(f->curl);
    free(f);
}
