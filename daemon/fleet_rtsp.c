/* fleet_rtsp.c - each camera's DESCRIBE probe, the liveness kind of probe.
 *   due (every [probe.rtsp] interval +- jitter) -> queued -> probe in flight
 *     -> result: SDP facts kept, verdict_liveness() -> due re-armed
 * Owns per camera the probe in flight (cam->probe) and the SDP facts of the
 * last good answer (cam->sdp), which the stream samples weigh. Loop thread
 * only. */
#include "fleet_rtsp.h"

#include <stdio.h>
#include <string.h>

#include "../util/log.h"
#include "fleet_cam.h"

/* The probe of cam is over with r: keep the SDP, judge, free the slot. */
static void rtsp_over(struct fleet_cam *cam, const struct rtsp_result *r)
{
    if ((unsigned)r->outcome < FLEET_RTSP_OUTCOMES)
        cam->env->counts.rtsp[r->outcome]++;
    if (r->outcome == RTSP_OK) {
        cam->sdp = r->video;
        cam->has_sdp = 1;
    }
    verdict_liveness(cam->env->verdict, cam, r);
    sched_finish(&cam->run[FLEET_RTSP]);
}

static void rtsp_done(struct curlev_xfer *x, CURLcode rc)
{
    struct fleet_cam *cam = ((struct fleet_xfer *)(void *)x)->cam;
    struct rtsp_result r;

    rtsp_probe_finish(cam->probe, rc, &r);
    rtsp_probe_free(cam->probe);
    cam->probe = NULL;
    rtsp_over(cam, &r);
}

static void rtsp_start(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;
    const struct cfg_camera *cc = cam->cc;
    const char *user = cc->cred ? cc->cred->username : NULL;
    const char *pass = cc->cred ? cc->cred->password : NULL;
    struct rtsp_result r;
    struct cw_err err;

    cam->rtsp_xfer = (struct fleet_xfer){{rtsp_done}, cam};
    if (rtsp_probe_new(cc->rtsp_url, user, pass, env->cfg->rtsp.timeout_ms, &cam->rtsp_xfer,
                       &cam->probe, &err) != 0 ||
        curlev_add(env->curl, rtsp_probe_handle(cam->probe), &err) != 0) {
        rtsp_probe_free(cam->probe);
        cam->probe = NULL;
        memset(&r, 0, sizeof(r));
        r.outcome = RTSP_ERROR;
        r.latency_ms = -1;
        if (snprintf(r.detail, sizeof(r.detail), "probe not started: %s", err.msg) < 0)
            r.detail[0] = '\0';
        rtsp_over(cam, &r);
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

    (void)e;
    return env->cfg->rtsp.interval_ms;
}

const struct sched_ops fleet_rtsp_ops = {
    .due = NULL, /* always: a camera in maintenance is still probed, its state kept */
    .start = rtsp_start,
    .cancel = rtsp_cancel,
    .interval_ms = rtsp_interval_ms,
};
