/* fleet_onvif.c - each camera's ONVIF probe, one sched kind: at most
 * [probe.onvif] concurrency in flight, the probe's requests on the shared
 * curl multi, and what the result does: device facts, endpoints, profiles
 * and the clock into the store (through the write batch), fact changes
 * logged, and the reasons (clock off, ONVIF failing, configured below class)
 * handed to the verdict for the next liveness verdict.
 *
 *   due -> queued -> probe in flight (several requests) -> result
 *     -> store + verdict_set_input(DEVICE) -> due re-armed (interval +- jitter)
 *   due while in maintenance: skipped (its answers would only be noise)
 *   onvif_url gone in a reload: cancelled, its reasons cleared
 *   a snapshot fetched: written on env->files (folders, up to 4 MiB), then
 *     the result goes on as above
 *
 * Owns per camera the probe in flight (cam->onvif) and the snapshot being
 * written (cam->snap_job; a cancel detaches it). Loop thread only; a snapshot
 * job's work runs on the files worker and touches only the job. */
#include "fleet_onvif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cwtime.h"
#include "../util/file.h"
#include "../util/log.h"
#include "fleet_cam.h"

int fleet_onvif_wanted(const struct fleet_cam *cam)
{
    return cam->cc->onvif_url != NULL && cam->cc->onvif_url[0] != '\0';
}

void fleet_onvif_first(struct fleet_cam *cam, double spread_s)
{
    struct fleet_env *env = cam->env;

    if (!fleet_onvif_wanted(cam))
        return;
    if (env->once)
        sched_enqueue(&cam->run[FLEET_ONVIF]);
    else
        sched_arm(&cam->run[FLEET_ONVIF], sched_random(env->sched) * spread_s);
}

/* ---- the result ---- */

/* "authentication failed (GetProfiles: ter:NotAuthorized)". */
static void onvif_error_words(const struct onvif_result *r, char *buf, size_t len)
{
    if (snprintf(buf, len, "%s%s%s%s", onvif_outcome_reason(r->outcome), r->detail[0] ? " (" : "",
                 r->detail, r->detail[0] ? ")" : "") < 0)
        buf[0] = '\0';
}

/* The device reasons for the verdict from a device row and its profiles, as just recorded or
 * as the store holds them after a restart. */
static void onvif_update_reasons(struct fleet_cam *cam, const struct store_device *d,
                                 const struct store_profile *pr, size_t n)
{
    char reasons[VERDICT_REASONS_MAX];
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
    quality_device_reasons(cam->cc->cls, &qd, cam->env->cfg->onvif.max_clock_offset_ms, reasons,
                           sizeof(reasons));
    verdict_set_input(cam, VERDICT_DEVICE, reasons[0] != '\0', reasons);
    if (reasons[0] != '\0')
        log_debug("onvif: camera=%s %s", cam->id, reasons);
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

void fleet_onvif_log_changes(const struct store_device_change *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        log_info("onvif: camera=%s %s changed: %s -> %s", c[i].camera_id, c[i].field,
                 c[i].old_value, c[i].new_value);
}

static void onvif_record(struct fleet_cam *cam, const struct onvif_result *r)
{
    struct store_device d;
    struct store_endpoint ep[ONVIF_SVC_COUNT];
    struct store_profile pr[ONVIF_MAX_PROFILES];
    size_t n_ep = 0;

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
    /* Fact changes are logged when the record lands (fleet.c's batch hook). */
    batch_record_device(cam->env->batch, &d, ep, n_ep, pr, r->n_profiles);

    onvif_update_reasons(cam, &d, pr, r->n_profiles);
    if (!d.ok)
        log_debug("onvif: camera=%s %s", cam->id, d.error);
}

void fleet_onvif_resume(struct fleet_cam *cam)
{
    struct store_device d;
    struct store_profile *pr = NULL;
    size_t n = 0;
    struct cw_err err;

    verdict_set_input(cam, VERDICT_DEVICE, 0, "");
    if (!fleet_onvif_wanted(cam) ||
        store_get_device(cam->env->store, cam->id, &d, NULL, NULL, &pr, &n, &err) != 0)
        return;
    onvif_update_reasons(cam, &d, pr, n);
    free(pr);
}

/* ---- the probe ---- */

/* cache/snapshots/CAM.jpg; "" when there is no cache. The folders are made where the file is
 * written, on env->files. */
static void onvif_snapshot_path(const struct cfg *cfg, const char *id, char *buf, size_t len)
{
    buf[0] = '\0';
    if (cfg->cache_dir != NULL &&
        snprintf(buf, len, "%s/snapshots/%s.jpg", cfg->cache_dir, id) >= (int)len)
        buf[0] = '\0';
}

/* cam's probe is over with result r (NULL: none to write): write r, tell the verdict, free the
 * slot (which re-arms the timer and lets the next probe in). */
static void onvif_over(struct fleet_cam *cam, const struct onvif_result *r)
{
    struct fleet_env *env = cam->env;

    if (r != NULL && (unsigned)r->outcome < FLEET_ONVIF_OUTCOMES)
        env->counts.onvif[r->outcome]++;
    if (!env->stopping && r != NULL)
        onvif_record(cam, r);
    verdict_probe_over(env->verdict, cam, FLEET_ONVIF);
    sched_finish(&cam->run[FLEET_ONVIF]);
}

static void onvif_failed_to_start(struct fleet_cam *cam, const char *why)
{
    struct onvif_result *r = calloc(1, sizeof(*r)); /* 28 KiB: kept off the loop's stack */

    if (r == NULL) {
        log_warnx("onvif: camera=%s not started: %s; out of memory", cam->id, why);
        onvif_over(cam, NULL);
        return;
    }
    r->outcome = ONVIF_ERROR;
    r->streamed = -1;
    if (snprintf(r->detail, sizeof(r->detail), "probe not started: %s", why) < 0)
        r->detail[0] = '\0';
    onvif_over(cam, r);
    free(r);
}

/* ---- the snapshot, written on env->files ---- */

/* A snapshot being written: up to 4 MiB and maybe folders, which the loop must not wait for. */
struct fleet_snapshot_job {
    struct pool_job base;   /* first: the pool hands this back */
    struct fleet_cam *cam;  /* NULL once cancelled: the result is dropped, unwritten */
    struct onvif_result *r; /* the probe's result, recorded once the file is written */
    void *jpeg;
    size_t len;
    char path[1024];
};

static void snapshot_work(struct pool_job *job)
{
    struct fleet_snapshot_job *j = (struct fleet_snapshot_job *)job;
    struct cw_err err = {0};
    char msg[sizeof(err.file) + sizeof(err.msg) + 8];

    if (cw_mkdirs(j->path, 1, &err) == 0 &&
        cw_file_write_unsynced(j->path, j->jpeg, j->len, CW_FILE_MODE, &err) == 0) {
        j->r->snapshot_written = 1;
        snprintf(j->r->snapshot_path, sizeof(j->r->snapshot_path), "%s", j->path);
        return;
    }
    cw_err_format(&err, msg, sizeof(msg));
    if (snprintf(j->r->snapshot_error, sizeof(j->r->snapshot_error), "cannot write: %s", msg) < 0)
        j->r->snapshot_error[0] = '\0';
}

static void snapshot_done(struct pool_job *job, int cancelled)
{
    struct fleet_snapshot_job *j = (struct fleet_snapshot_job *)job;
    struct fleet_cam *cam = j->cam;

    if (cam != NULL) {
        cam->snap_job = NULL;
        if (cancelled)
            snprintf(j->r->snapshot_error, sizeof(j->r->snapshot_error), "not written: stopping");
        onvif_over(cam, j->r);
    }
    free(j->jpeg);
    free(j->r);
    free(j);
}

/* Hand r's snapshot (jpeg, taken) to env->files; r is copied. 0 when it went (the probe is over
 * when it is written), -1 when out of memory (jpeg freed, r's snapshot_error set). */
static int snapshot_write(struct fleet_cam *cam, struct onvif_result *r, void *jpeg, size_t len)
{
    struct fleet_snapshot_job *j = calloc(1, sizeof(*j));

    if (j != NULL)
        j->r = malloc(sizeof(*r));
    if (j == NULL || j->r == NULL) {
        free(j);
        free(jpeg);
        snprintf(r->snapshot_error, sizeof(r->snapshot_error), "not written: out of memory");
        return -1;
    }
    *j->r = *r;
    j->base.work = snapshot_work;
    j->base.done = snapshot_done;
    j->cam = cam;
    j->jpeg = jpeg;
    j->len = len;
    onvif_snapshot_path(cam->env->cfg, cam->id, j->path, sizeof(j->path));
    cam->snap_job = j;
    pool_submit(cam->env->files, &j->base);
    return 0;
}

static void onvif_done(struct curlev_xfer *x, CURLcode rc)
{
    struct fleet_cam *cam = ((struct fleet_xfer *)(void *)x)->cam;
    struct onvif_probe *p = cam->onvif;
    struct onvif_result *r;
    struct cw_err err;
    char why[300];
    size_t len;
    void *jpeg;

    if (onvif_probe_step(p, rc) == 1) {
        if (curlev_add(cam->env->curl, onvif_probe_handle(p), &err) == 0)
            return;
        if (snprintf(why, sizeof(why), "next request not started: %s", err.msg) < 0)
            why[0] = '\0';
        onvif_probe_abandon(p, why);
    }
    cam->onvif = NULL;
    /* The result is the probe's: a copy goes with a snapshot to be written. */
    r = (struct onvif_result *)onvif_probe_result(p);
    jpeg = onvif_probe_take_snapshot(p, &len);
    if (jpeg == NULL || snapshot_write(cam, r, jpeg, len) != 0)
        onvif_over(cam, r);
    onvif_probe_free(p);
}

static void onvif_start(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;
    const struct cfg_camera *cc = cam->cc;
    char snap[1100] = "";
    struct onvif_request req = {
        .device_url = cc->onvif_url,
        .username = cc->cred ? cc->cred->username : NULL,
        .password = cc->cred ? cc->cred->password : NULL,
        .rtsp_url = cc->rtsp_url,
        .timeout_ms = env->cfg->onvif.timeout_ms,
        .tls_verify = env->cfg->onvif.tls_verify,
        .ca_file = env->cfg->onvif.ca_file,
    };
    struct cw_err err;

    /* The snapshot is a thumbnail for cameras whose stream gives none: no sampling, or down. */
    if (env->pool == NULL || verdict_state(cam) == CW_DOWN) {
        onvif_snapshot_path(env->cfg, cam->id, snap, sizeof(snap));
        req.snapshot_path = snap[0] ? snap : NULL;
    }
    cam->onvif_xfer = (struct fleet_xfer){{onvif_done}, cam};
    if (onvif_probe_new(&req, &cam->onvif_xfer, &cam->onvif, &err) != 0) {
        char why[600];

        if (snprintf(why, sizeof(why), "%s%s%s", err.field, err.field[0] ? ": " : "", err.msg) < 0)
            why[0] = '\0';
        onvif_failed_to_start(cam, why);
        return;
    }
    if (curlev_add(env->curl, onvif_probe_handle(cam->onvif), &err) != 0) {
        onvif_probe_free(cam->onvif);
        cam->onvif = NULL;
        onvif_failed_to_start(cam, err.msg);
        return;
    }
    log_debug("onvif: camera=%s started (%d in flight)", cam->id, sched_running(e->kind));
}

static void onvif_cancel(struct sched_entry *e, void *data)
{
    struct fleet_env *env = data;
    struct fleet_cam *cam = e->owner;

    if (cam->onvif != NULL) {
        curlev_remove(env->curl, onvif_probe_handle(cam->onvif));
        onvif_probe_free(cam->onvif);
        cam->onvif = NULL;
    }
    if (cam->snap_job != NULL) { /* detached: dropped unrecorded when it comes back */
        cam->snap_job->cam = NULL;
        cam->snap_job = NULL;
    }
}

static enum sched_due onvif_due(struct sched_entry *e, void *data)
{
    struct fleet_cam *cam = e->owner;

    (void)data;
    if (!fleet_onvif_wanted(cam))
        return SCHED_IDLE; /* its onvif_url went in a reload */
    /* Staff are working on it: its answers would only be noise. */
    if (verdict_state(cam) == CW_MAINTENANCE)
        return SCHED_SKIP;
    return SCHED_RUN;
}

static int64_t onvif_interval_ms(struct sched_entry *e, void *data)
{
    const struct fleet_env *env = data;

    return fleet_onvif_wanted(e->owner) ? env->cfg->onvif.interval_ms : 0;
}

const struct sched_ops fleet_onvif_ops = {
    .due = onvif_due,
    .start = onvif_start,
    .cancel = onvif_cancel,
    .interval_ms = onvif_interval_ms,
};

void fleet_onvif_reloaded(struct fleet_cam *cam, double spread_s)
{
    struct sched_entry *e = &cam->run[FLEET_ONVIF];

    if (!fleet_onvif_wanted(cam)) {
        sched_cancel(e);
        verdict_set_input(cam, VERDICT_DEVICE, 0, "");
        return;
    }
    if (!sched_pending(e) && !sched_armed(e))
        fleet_onvif_first(cam, spread_s);
}
