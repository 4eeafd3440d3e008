/* fleet_onvif.c - each camera's ONVIF probe on the loop thread: its timer,
 * its place in the ONVIF queue (at most [probe.onvif] concurrency in flight),
 * the probe's requests on the shared curl multi, and what the result does:
 * device facts, endpoints, profiles and the clock into the store, fact
 * changes logged, and the reasons (clock off, ONVIF failing, configured below
 * class) the next liveness verdict weighs.
 *
 *   onvif_due -> queued -> probe in flight (several requests) -> result
 *     -> store + device_reasons -> onvif_due re-armed (interval +- jitter)
 *
 * Owns per camera: the onvif_due timer, the probe in flight, device_reasons. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "fleet_priv.h"

static void onvif_reschedule(struct fleet *f, struct fleet_cam *cam)
{
    if (!f->once && !f->stopping && fleet_onvif_wanted(cam))
        fleet_timer_arm(f, &cam->onvif_due, fleet_jittered_s(f, f->cfg->onvif.interval_ms));
}

static void onvif_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct fleet_cam *cam = w->data;
    struct fleet *f = cam->f;

    (void)loop;
    (void)revents;
    if (!fleet_onvif_wanted(cam))
        return; /* its onvif_url went in a reload */
    /* Staff are working on it: its answers would only be noise. */
    if (cam->h.state == CW_MAINTENANCE) {
        onvif_reschedule(f, cam);
        return;
    }
    fleet_enqueue(f, FLEET_Q_ONVIF, cam);
    fleet_dispatch(f, FLEET_Q_ONVIF);
}

void fleet_onvif_init(struct fleet_cam *cam)
{
    ev_timer_init(&cam->onvif_due, onvif_due_cb, 0.0, 0.0);
    cam->onvif_due.data = cam;
}

int fleet_onvif_wanted(const struct fleet_cam *cam)
{
    return cam->cc->onvif_url != NULL && cam->cc->onvif_url[0] != '\0';
}

void fleet_onvif_schedule_first(struct fleet *f, struct fleet_cam *cam, double spread_s)
{
    if (!fleet_onvif_wanted(cam))
        return;
    if (f->once)
        fleet_enqueue(f, FLEET_Q_ONVIF, cam);
    else
        fleet_timer_arm(f, &cam->onvif_due, fleet_random(f) * spread_s);
}

/* ---- the result ---- */

/* "authentication failed (GetProfiles: ter:NotAuthorized)". */
static void onvif_error_words(const struct onvif_result *r, char *buf, size_t len)
{
    if (snprintf(buf, len, "%s%s%s%s", onvif_outcome_reason(r->outcome), r->detail[0] ? " (" : "",
                 r->detail, r->detail[0] ? ")" : "") < 0)
        buf[0] = '\0';
}

/* device_reasons from a device row and its profiles, as just recorded or as the store holds
 * them after a restart. */
static void onvif_update_reasons(struct fleet *f, struct fleet_cam *cam,
                                 const struct store_device *d, const struct store_profile *pr,
                                 size_t n)
{
    struct quality_device qd;

    memset(&qd, 0, sizeof(qd));
    qd.ok = d->ok;
    snprintf(qd.error, sizeof(qd.error), "%s", d->error);
    qd.has_clock = d->has_clock;
    qd.offset_ms = d->clock_offset_ms;
    for (size_t i = 0; d->ok && i < n; i++) {
        if (!pr[i].streamed)
            continue;
        qd.has_encoder = pr[i].encoder_token[0] != '\0';
        qd.width = pr[i].width;
        qd.height = pr[i].height;
        qd.fps_limit = pr[i].fps_limit;
        qd.bitrate_limit_kbps = pr[i].bitrate_limit_kbps;
    }
    quality_device_reasons(cam->cc->cls, &qd, f->cfg->onvif.max_clock_offset_ms,
                           cam->device_reasons, sizeof(cam->device_reasons));
    if (cam->device_reasons[0] != '\0')
        log_debug("onvif: camera=%s %s", cam->id, cam->device_reasons);
}

static void onvif_fill_device(const struct fleet_cam *cam, const struct onvif_result *r,
                              int64_t now, struct store_device *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->camera_id, sizeof(d->camera_id), "%s", cam->id);
    d->probed_ms = now;
    d->ok = r->outcome == ONVIF_OK;
    if (!d->ok)
        onvif_error_words(r, d->error, sizeof(d->error));
    d->facts_ms = now;
    snprintf(d->manufacturer, sizeof(d->manufacturer), "%s", r->info.manufacturer);
    snprintf(d->model, sizeof(d->model), "%s", r->info.model);
    snprintf(d->firmware, sizeof(d->firmware), "%s", r->info.firmware);
    snprintf(d->serial, sizeof(d->serial), "%s", r->info.serial);
    snprintf(d->hardware_id, sizeof(d->hardware_id), "%s", r->info.hardware_id);
    snprintf(d->auth, sizeof(d->auth), "%s", r->auth);
    snprintf(d->uri_note, sizeof(d->uri_note), "%s", r->uri_note);
    if (r->snapshot_written)
        snprintf(d->snapshot_path, sizeof(d->snapshot_path), "%s", r->snapshot_path);
    d->has_clock = r->has_clock;
    d->clock_at_ms = r->clock_at_ms;
    d->clock_offset_ms = r->offset_ms;
    d->clock_error_ms = r->error_ms;
    d->ntp = r->clock.ntp;
}

static void onvif_fill_profile(const struct onvif_profile *op, int streamed,
                               struct store_profile *sp)
{
    memset(sp, 0, sizeof(*sp));
    snprintf(sp->token, sizeof(sp->token), "%s", op->token);
    snprintf(sp->name, sizeof(sp->name), "%s", op->name);
    snprintf(sp->encoder_token, sizeof(sp->encoder_token), "%s", op->encoder_token);
    snprintf(sp->encoding, sizeof(sp->encoding), "%s", op->encoding);
    sp->width = op->width;
    sp->height = op->height;
    sp->fps_limit = op->fps_limit;
    sp->bitrate_limit_kbps = op->bitrate_limit_kbps;
    sp->gov_length = op->gov_length;
    snprintf(sp->stream_uri, sizeof(sp->stream_uri), "%s", op->stream_uri);
    snprintf(sp->snapshot_uri, sizeof(sp->snapshot_uri), "%s", op->snapshot_uri);
    sp->streamed = streamed;
}

static void onvif_log_changes(const struct fleet_cam *cam, const struct store_device_change *c,
                              size_t n)
{
    for (size_t i = 0; i < n; i++)
        log_info("onvif: camera=%s %s changed: %s -> %s", cam->id, c[i].field, c[i].old_value,
                 c[i].new_value);
}

static void onvif_record(struct fleet *f, struct fleet_cam *cam, const struct onvif_result *r)
{
    struct store_device d;
    struct store_endpoint ep[ONVIF_SVC_COUNT];
    struct store_profile pr[ONVIF_MAX_PROFILES];
    struct store_device_change *changes = NULL;
    size_t n_ep = 0, n_changes = 0;
    struct cw_err err;

    onvif_fill_device(cam, r, cw_now_ms(), &d);
    for (int s = 0; s < ONVIF_SVC_COUNT; s++) {
        if (r->ep.url[s][0] == '\0')
            continue;
        snprintf(ep[n_ep].service, sizeof(ep[n_ep].service), "%s",
                 onvif_service_name((enum onvif_service)s));
        snprintf(ep[n_ep].url, sizeof(ep[n_ep].url), "%s", r->ep.url[s]);
        n_ep++;
    }
    for (size_t i = 0; i < r->n_profiles; i++)
        onvif_fill_profile(&r->profiles[i], (int)i == r->streamed, &pr[i]);
    if (fleet_batch(f) == 0 && store_record_device(f->store, &d, ep, n_ep, pr, r->n_profiles,
                                                   &changes, &n_changes, &err) < 0)
        log_warnx("store: camera=%s ONVIF facts not written: %s", cam->id, err.msg);
    onvif_log_changes(cam, changes, n_changes);
    free(changes);

    onvif_update_reasons(f, cam, &d, pr, r->n_profiles);
    if (!d.ok)
        log_debug("onvif: camera=%s %s", cam->id, d.error);
}

void fleet_onvif_resume(struct fleet *f, struct fleet_cam *cam)
{
    struct store_device d;
    struct store_profile *pr = NULL;
    size_t n = 0;
    struct cw_err err;

    cam->device_reasons[0] = '\0';
    if (!fleet_onvif_wanted(cam) ||
        store_get_device(f->store, cam->id, &d, NULL, NULL, &pr, &n, &err) != 0)
        return;
    onvif_update_reasons(f, cam, &d, pr, n);
    free(pr);
}

/* ---- the probe ---- */

/* cache/snapshots/CAM.jpg, the folders made; "" when they cannot be. */
static void onvif_snapshot_path(const struct cfg *cfg, const char *id, char *buf, size_t len)
{
    char dir[1024];

    buf[0] = '\0';
    if (cfg->cache_dir == NULL ||
        snprintf(dir, sizeof(dir), "%s/snapshots", cfg->cache_dir) >= (int)sizeof(dir))
        return;
    if ((mkdir(cfg->cache_dir, 0755) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
        log_warnx("onvif: cannot make %s: %s", dir, strerror(errno));
        return;
    }
    if (snprintf(buf, len, "%s/%s.jpg", dir, id) >= (int)len)
        buf[0] = '\0';
}

/* cam's probe is over with result r (NULL: none to write): write r, re-arm the timer, and
 * count it. Letting the next probe in is the caller's: from inside fleet_dispatch (a probe
 * that could not start) it would recurse once per camera. */
static void onvif_finish(struct fleet *f, struct fleet_cam *cam, const struct onvif_result *r)
{
    if (!f->stopping && r != NULL)
        onvif_record(f, cam, r);
    onvif_reschedule(f, cam);
    if (cam->held) {
        cam->wait_onvif = 0;
        fleet_release_held(f, cam);
    }
    fleet_once_progress(f);
}

static void onvif_failed_to_start(struct fleet *f, struct fleet_cam *cam, const char *why)
{
    struct onvif_result *r = calloc(1, sizeof(*r)); /* 28 KiB: kept off the loop's stack */

    if (r == NULL) {
        log_warnx("onvif: camera=%s not started: %s; out of memory", cam->id, why);
        onvif_finish(f, cam, NULL);
        return;
    }
    r->outcome = ONVIF_ERROR;
    r->streamed = -1;
    if (snprintf(r->detail, sizeof(r->detail), "probe not started: %s", why) < 0)
        r->detail[0] = '\0';
    onvif_finish(f, cam, r);
    free(r);
}

void fleet_onvif_start(struct fleet *f, struct fleet_cam *cam)
{
    const struct cfg_camera *cc = cam->cc;
    char snap[1100] = "";
    struct onvif_request req = {
        .device_url = cc->onvif_url,
        .username = cc->cred ? cc->cred->username : NULL,
        .password = cc->cred ? cc->cred->password : NULL,
        .rtsp_url = cc->rtsp_url,
        .timeout_ms = f->cfg->onvif.timeout_ms,
        .tls_verify = f->cfg->onvif.tls_verify,
        .ca_file = f->cfg->onvif.ca_file,
    };
    struct cw_err err;

    /* The snapshot is a thumbnail for cameras whose stream gives none: no sampling, or down. */
    if (f->pool == NULL || cam->h.state == CW_DOWN) {
        onvif_snapshot_path(f->cfg, cam->id, snap, sizeof(snap));
        req.snapshot_path = snap[0] ? snap : NULL;
    }
    if (onvif_probe_new(&req, &cam->xfer[FLEET_Q_ONVIF], &cam->onvif, &err) != 0) {
        char why[600];

        if (snprintf(why, sizeof(why), "%s%s%s", err.field, err.field[0] ? ": " : "", err.msg) < 0)
            why[0] = '\0';
        onvif_failed_to_start(f, cam, why);
        return;
    }
    if (curlev_add(f->curl, onvif_probe_handle(cam->onvif), &err) != 0) {
        onvif_probe_free(cam->onvif);
        cam->onvif = NULL;
        onvif_failed_to_start(f, cam, err.msg);
        return;
    }
    f->inflight[FLEET_Q_ONVIF]++;
    log_debug("onvif: camera=%s started (%d in flight)", cam->id, f->inflight[FLEET_Q_ONVIF]);
}

void fleet_onvif_done(struct fleet *f, struct fleet_cam *cam, CURLcode rc)
{
    struct onvif_probe *p = cam->onvif;
    struct cw_err err;
    char why[300];

    if (onvif_probe_step(p, rc) == 1) {
        if (curlev_add(f->curl, onvif_probe_handle(p), &err) == 0)
            return;
        if (snprintf(why, sizeof(why), "next request not started: %s", err.msg) < 0)
            why[0] = '\0';
        onvif_probe_abandon(p, why);
    }
    cam->onvif = NULL;
    f->inflight[FLEET_Q_ONVIF]--;
    onvif_finish(f, cam, onvif_probe_result(p));
    onvif_probe_free(p);
    fleet_dispatch(f, FLEET_Q_ONVIF);
}

void fleet_onvif_reloaded(struct fleet *f, struct fleet_cam *cam, double spread_s)
{
    if (!fleet_onvif_wanted(cam)) {
        fleet_onvif_cancel(f, cam);
        cam->device_reasons[0] = '\0';
        return;
    }
    if (cam->onvif == NULL && !cam->link[FLEET_Q_ONVIF].queued && !ev_is_active(&cam->onvif_due))
        fleet_onvif_schedule_first(f, cam, spread_s);
}

void fleet_onvif_cancel(struct fleet *f, struct fleet_cam *cam)
{
    ev_timer_stop(f->loop, &cam->onvif_due);
    fleet_unqueue(f, FLEET_Q_ONVIF, cam);
    if (cam->onvif != NULL) {
        curlev_remove(f->curl, onvif_probe_handle(cam->onvif));
        onvif_probe_free(cam->onvif);
        cam->onvif = NULL;
        f->inflight[FLEET_Q_ONVIF]--;
    }
}
