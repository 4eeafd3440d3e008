/* fleet_rtsp.c - each camera's DESCRIBE probe, the liveness kind of probe.
 *   due (every [probe.rtsp] interval +- jitter) -> queued -> probe in flight
 *     -> result: SDP facts kept, verdict_liveness() -> due re-armed
 *   last verdict a failure: queued in the bad lane (a share of the slots)
 *   down: due on a backoff (interval doubled per failure, at most
 *     down_interval), each probe bounded by down_timeout
 *   a reload changed its rtsp_url or credential: due now   fleet_rtsp_readdressed()
 * Owns per camera the probe in flight (cam->probe), the SDP facts of the
 * last good answer (cam->sdp), which the stream samples weigh, and the
 * fleet's timeliness figures (env->timely: the longest a camera on the
 * regular interval went between probes). Loop thread only. */
#include "fleet_rtsp.h"

#include <stdio.h>
#include <string.h>

#include "../util/log.h"
#include "fleet_cam.h"
#include "fleet_sample.h"

/* The probe of cam is over with r: keep the SDP, judge, free the slot. */
static void rtsp_over(struct fleet_cam *cam, const struct rtsp_result *r)
{
    enum cw_state was = verdict_state(cam);

    if ((unsigned)r->outcome < FLEET_RTSP_OUTCOMES)
        cam->env->counts.rtsp[r->outcome]++;
    if (r->outcome == RTSP_OK) {
        cam->sdp = (struct fleet_sdp){r->video.width, r->video.height, r->video.fps};
        cam->has_sdp = 1;
    }
    verdict_liveness(cam->env->verdict, cam, r);
    if (was == CW_DOWN && verdict_state(cam) != CW_DOWN)
        fleet_sample_soon(cam); /* back: how does its picture look now? */
    sched_finish(&cam->run[FLEET_RTSP]);
}

/* The probe of cam could not go on: its slot freed, judged as an error saying why. */
static void rtsp_not_started(struct fleet_cam *cam, const struct cw_err *err)
{
    struct rtsp_result r;

    rtsp_probe_free(cam->probe);
    cam->probe = NULL;
    memset(&r, 0, sizeof(r));
    r.outcome = RTSP_ERROR;
    r.latency_ms = -1;
    if (snprintf(r.detail, sizeof(r.detail), "probe not started: %s", err->msg) < 0)
        r.detail[0] = '\0';
    rtsp_over(cam, &r);
}

static void rtsp_done(struct curlev_xfer *x, CURLcode rc)
{
    struct fleet_cam *cam = ((struct fleet_xfer *)(void *)x)->cam;
    struct rtsp_result r;
    struct cw_err err;

    if (rtsp_probe_finish(cam->probe, rc, &r) == RTSP_FOLLOW) {
        /* Redirected: the same probe, aimed at the Location, within the same timeout. */
        if (curlev_add(cam->env->curl, rtsp_probe_handle(cam->probe), &err) != 0)
            rtsp_not_started(cam, &err);
        return;
    }
    rtsp_probe_free(cam->probe);
    cam->probe = NULL;
    rtsp_over(cam, &r);
}

void fleet_rtsp_readdressed(struct fleet_cam *cam)
{
    struct sched_entry *e = &cam->run[FLEET_RTSP];

    if (!sched_armed(e))
        return;
    log_debug("probe: camera=%s rtsp_url or credential changed: probed now", cam->id);
    sched_arm(e, 0.0);
}

int64_t fleet_rtsp_interval(const struct cfg_rtsp *r, const struct health *h)
{
    int64_t ms = r->interval_ms;
    int k;

    if (h->state != CW_DOWN || r->down_interval_ms <= r->interval_ms)
        return r->interval_ms;
    /* The failures since it went down: a camera never up goes down at its first failure, under
     * down_after, and a state adopted from the store may carry none; one step at least. */
    k = h->streak_kind == HEALTH_FAIL ? h->streak - r->down_after + 1 : 1;
    /* Health counts the failures since it went down apart (its streak stays 0 then). */
    if (k < h->down_fails + 1)
        k = h->down_fails + 1;
    if (k < 1)
        k = 1;
    for (int i = 0; i < k && ms < r->down_interval_ms; i++)
        ms *= 2;
    return ms < r->down_interval_ms ? ms : r->down_interval_ms;
}

int64_t fleet_rtsp_timeout(const struct cfg_rtsp *r, const struct health *h)
{
    return h->state == CW_DOWN && r->down_timeout_ms < r->timeout_ms ? r->down_timeout_ms
                                                                     : r->timeout_ms;
}

enum sched_lane fleet_rtsp_lane(const struct health *h)
{
    return h->state == CW_DOWN || (h->streak_kind == HEALTH_FAIL && h->streak > 0)
               ? SCHED_LANE_BAD
               : SCHED_LANE_GOOD;
}

/* The gap since cam's last probe, when that one was due on the regular interval: the figure
 * "a 30 s interval holds" is read from. */
static void rtsp_count_gap(struct fleet_env *env, const struct sched_entry *e)
{
    struct fleet_timely *t = &env->timely;
    double now = e->started_at;

    if (now - t->window >= FLEET_TIMELY_WINDOW_S) {
        t->gap_max_prev_s = t->gap_max_s;
        t->gap_max_s = 0;
        t->window = now;
    }
    if (e->gap_s > 0 && e->interval_ms == env->cfg->rtsp.interval_ms && e->gap_s > t->gap_max_s)
        t->gap_max_s = e->gap_s;
}

static void rtsp_start(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;
    const struct cfg_camera *cc = cam->cc;
    const char *user = cc->cred ? cc->cred->username : NULL;
    const char *pass = cc->cred ? cc->cred->password : NULL;
    struct cw_err err;

    rtsp_count_gap(env, e);
    cam->rtsp_xfer = (struct fleet_xfer){{rtsp_done}, cam};
    if (rtsp_probe_new(cc->rtsp_url, user, pass, fleet_rtsp_timeout(&env->cfg->rtsp, &cam->v.h),
                       &cam->rtsp_xfer, &cam->probe, &err) != 0 ||
        curlev_add(env->curl, rtsp_probe_handle(cam->probe), &err) != 0) {
        rtsp_not_started(cam, &err);
        return;
    }
    log_debug("probe: camera=%s started (%d in flight)", cam->id, sched_running(e->kind));
}

static void rtsp_cancel(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;

    curlev_remove(env->curl, rtsp_probe_handle(cam->probe));
    rtsp_probe_free(cam->probe);
    cam->probe = NULL;
}

static int64_t rtsp_interval_ms(struct sched_entry *e, void *data)
{
    const struct fleet_env *env = data;
    const struct fleet_cam *cam = e->owner;

    return fleet_rtsp_interval(&env->cfg->rtsp, &cam->v.h);
}

static enum sched_lane rtsp_lane(struct sched_entry *e, void *data)
{
    const struct fleet_cam *cam = e->owner;

    (void)data;
    return fleet_rtsp_lane(&cam->v.h);
}

const struct sched_ops fleet_rtsp_ops = {
    .due = NULL, /* always: a camera in maintenance is still probed, its state kept */
    .start = rtsp_start,
    .cancel = rtsp_cancel,
    .interval_ms = rtsp_interval_ms,
    .lane = rtsp_lane,
};
