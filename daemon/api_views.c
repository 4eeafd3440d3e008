/* api_views.c - the handlers of the views every role sees and of the admin's actions on a
 * camera: each reads its parameters into its view's query and answers the CLI's document
 * (index/doc.h: struct doc_view) through api_view_start: the store read on the API's workers
 * with a connection of their own, the document built from the rows on the loop (ISO times set
 * TZ: doc.h). The thumbnail's file, the store read of /metrics and the writes (maintenance,
 * reference, camera checked there too) run on the workers as jobs of their own; the daemon's
 * fleet takes a write up as it takes the CLI's (the store's data_version). Loop thread, but for
 * the jobs' work.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "api_priv.h"
#include "fleet.h"
#include "metrics.h"
#include "vitals.h"
#include "web.h"

#define SAMPLES_SINCE "-1d"
#define DEVICE_SINCE "-7d"
#define EVENTS_SINCE "-7d"
#define EVENTS_LIMIT 1000
#define UPTIME_FROM_MS (7 * 86400 * 1000LL) /* the default range: the last week */
#define NOTE_MAX 500                        /* bytes of a maintenance note */
#define JPEG_TYPE "image/jpeg"

void api_healthz(struct api_call *c)
{
    json_t *o = json_object();

    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "version", json_string(CW_VERSION));
    http_reply_json(c->req, 200, o);
}

void api_whoami(struct api_call *c)
{
    json_t *o = json_object();

    json_object_set_new(o, "name", json_string(c->who));
    json_object_set_new(o, "role", json_string(tokens_role_name(c->role)));
    json_object_set_new(o, "site", json_string(c->doc.cfg->site_name));
    http_reply_json(c->req, 200, o);
}

/* GET /daemon: the daemon's own health and the outcome of its last configuration load, the
 * document `camwatch status --daemon` prints (index/doc_daemon.c), from the vitals file the
 * daemon keeps (rewritten after each reload): one small local file, read here as the loop
 * writes it. */
void api_daemon(struct api_call *c)
{
    json_t *o = NULL;
    struct cw_err err;
    int rc = doc_daemon(&c->doc, &o, &err);

    api_reply_doc(c, rc, o, &err);
}

/* GET /cameras: the status view, its filter checked here (a bad one is answered at once,
 * without a worker). */
void api_cameras(struct api_call *c)
{
    struct doc_status_filter f = {http_req_query(c->req, "owner"),
                                  http_req_query(c->req, "commune"), http_req_query(c->req, "flag"),
                                  0, CW_UNKNOWN};
    const char *state = http_req_query(c->req, "state");
    struct cw_err err;
    int rc;

    if (state != NULL) {
        if (cw_state_parse(state, &f.state) != 0) {
            api_reply_bad_param(c, "state",
                                "unknown state '%.32s' (up, degraded, down, unknown, "
                                "maintenance)",
                                state);
            return;
        }
        f.have_state = 1;
    }
    if ((rc = doc_status_check(&f, &err)) != 0) {
        api_reply_doc(c, rc, NULL, &err);
        return;
    }
    api_view_start(c, &doc_view_status, &f, NULL);
}

void api_camera(struct api_call *c)
{
    const struct doc_camera_query q = {c->caps.v[0], cw_now_ms()};

    api_view_start(c, &doc_view_camera, &q, NULL);
}

/* A camera's view over time from ?since= (default dflt): samples, device. */
static void camera_since(struct api_call *c, const char *dflt, const struct doc_view *view)
{
    struct doc_camera_query q = {c->caps.v[0], 0};

    if (api_param_time(c, "since", dflt, &q.at_ms) == 0)
        api_view_start(c, view, &q, NULL);
}

void api_samples(struct api_call *c)
{
    camera_since(c, SAMPLES_SINCE, &doc_view_samples);
}

void api_device(struct api_call *c)
{
    camera_since(c, DEVICE_SINCE, &doc_view_device);
}

/* GET /cameras/{id}/thumbnail: the store names the file, opened on a worker; it is served
 * only from the thumbnail folder, whatever the name says or links to (api_open_inside). */
struct thumb_job {
    struct api_job j; /* first */
    char *cache_dir;  /* the thumbnails' folder, as configured when asked */
    char path[sizeof(((struct store_status *)0)->thumb_path)], why[128];
    int fd; /* until handed to the answer; -1 when refused */
};

static void thumb_work(struct api_job *j, struct store *s)
{
    struct thumb_job *t = (struct thumb_job *)j;
    const struct doc_ctx ctx = {s, NULL, NULL}; /* doc_picture reads no zone, no cfg */

    if (s == NULL)
        return;
    j->rc = doc_picture(&ctx, j->call.caps.v[0], t->path, sizeof(t->path), &j->err);
    if (j->rc == 0)
        t->fd = api_open_inside(t->path, t->cache_dir, NULL, t->why, sizeof(t->why));
}

static void thumb_done(struct api_job *j)
{
    struct thumb_job *t = (struct thumb_job *)j;
    struct api_call *c = &j->call;

    if (j->rc != 0) {
        api_reply_doc(c, j->rc, NULL, &j->err);
    } else if (t->fd < 0) {
        log_warnx("api: %s: thumbnail %s refused: %s", c->caps.v[0], t->path, t->why);
        http_reply_error(c->req, 404, "not_found", "%s: no thumbnail to serve (%s)", c->caps.v[0],
                         t->why);
    } else {
        http_reply_header(c->req, "Cache-Control", "no-cache");
        http_reply_file(c->req, t->fd, JPEG_TYPE);
        t->fd = -1; /* the answer's */
    }
}

static void thumb_release(struct api_job *j)
{
    struct thumb_job *t = (struct thumb_job *)j;

    free(t->cache_dir);
    if (t->fd >= 0)
        close(t->fd);
}

void api_thumbnail(struct api_call *c)
{
    struct thumb_job *t = calloc(1, sizeof(*t));

    if (t == NULL || (t->cache_dir = strdup(c->doc.cfg->cache_dir)) == NULL) {
        free(t);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    t->fd = -1;
    t->j.release = thumb_release;
    api_job_start(c, &t->j, STORE_READONLY, thumb_work, thumb_done);
}

/* ---- maintenance and reference: written on a worker with a READWRITE connection ---- */

struct maint_job {
    struct api_job j; /* first */
    int on;
    char note[NOTE_MAX + 1];
    int64_t at_ms;
    struct doc_maintenance_change m;
};

static void maint_work(struct api_job *j, struct store *s)
{
    struct maint_job *m = (struct maint_job *)j;
    const char *id = j->call.caps.v[0];

    /* An unknown camera is a 404 whatever the note says. */
    if (s != NULL && (j->rc = doc_require_camera(s, id, NULL, &j->err)) == 0)
        j->rc = doc_maintenance_apply(s, id, m->on, m->note, m->at_ms, &m->m, &j->err);
}

static void maint_done(struct api_job *j)
{
    struct maint_job *m = (struct maint_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0) {
        if (m->m.changed)
            log_info("api: %s put %s %s maintenance%s%s", j->call.who, m->m.after.id,
                     m->on ? "in" : "out of", m->note[0] ? ": " : "", m->note);
        j->rc = doc_maintenance_result(&j->call.doc, &m->m, &doc, &j->err);
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

void api_maintenance(struct api_call *c)
{
    static const struct httpparse_field fields[] = {
        {"on", HTTPPARSE_BOOL, 1, 0},
        {"note", HTTPPARSE_STRING, 0, NOTE_MAX},
    };
    struct maint_job *m;
    json_t *o;

    m = api_body_job(c, fields, 2, "expected {\"on\": true|false, \"note\": \"...\"}", sizeof(*m),
                     &o);
    if (m == NULL)
        return;
    m->on = json_is_true(json_object_get(o, "on"));
    api_body_text(o, "note", m->note, sizeof(m->note));
    m->at_ms = cw_now_ms();
    json_decref(o);
    api_job_start(c, &m->j, STORE_READWRITE, maint_work, maint_done);
}

struct ref_job {
    struct api_job j; /* first */
    struct doc_reference_change r;
};

static void ref_work(struct api_job *j, struct store *s)
{
    struct ref_job *r = (struct ref_job *)j;

    if (s != NULL)
        j->rc = doc_reference_apply(s, j->call.caps.v[0], &r->r, &j->err);
}

static void ref_done(struct api_job *j)
{
    struct ref_job *r = (struct ref_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0) {
        log_info("api: %s cleared %s's reference picture", j->call.who, r->r.id);
        j->rc = doc_reference_result(&j->call.doc, &r->r, &doc, &j->err);
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

void api_reference(struct api_call *c)
{
    struct ref_job *r = api_job_new(c, sizeof(*r));

    if (r != NULL)
        api_job_start(c, &r->j, STORE_READWRITE, ref_work, ref_done);
}

/* ---- events, uptime, clock ---- */

void api_events(struct api_call *c)
{
    struct doc_events_query q = {http_req_query(c->req, "camera"), 0, EVENTS_LIMIT,
                                 http_req_query(c->req, "after")};
    uint64_t limit;

    if (api_param_time(c, "since", EVENTS_SINCE, &q.since_ms) != 0 ||
        api_param_uint(c, "limit", 1, DOC_EVENTS_LIMIT_MAX, EVENTS_LIMIT, &limit) != 0)
        return;
    q.limit = (size_t)limit;
    api_view_start(c, &doc_view_events, &q, NULL);
}

void api_uptime(struct api_call *c)
{
    const char *by = http_req_query(c->req, "by");
    int64_t now = cw_now_ms();
    struct doc_uptime_query q = {now - UPTIME_FROM_MS, 0, DOC_UPTIME_BOTH};
    struct cw_err err;

    /* Read as the CLI reads it (cw_range_at), but from defaults to a week ago. */
    if (cw_range_at(http_req_query(c->req, "from"), http_req_query(c->req, "to"), c->doc.tz, now,
                    "", &q.from_ms, &q.to_ms, &err) != 0) {
        api_reply_bad_param(c, err.field, "%s", err.msg);
        return;
    }
    if (by != NULL && strcmp(by, "camera") == 0) {
        q.by = DOC_UPTIME_CAMERA;
    } else if (by != NULL && strcmp(by, "owner") == 0) {
        q.by = DOC_UPTIME_OWNER;
    } else if (by != NULL) {
        api_reply_bad_param(c, "by", "camera or owner, not '%.32s'", by);
        return;
    }
    /* Each camera's events in the range are read: a long range is a worker's work. */
    api_view_start(c, &doc_view_uptime, &q, NULL);
}

void api_clock(struct api_call *c)
{
    api_view_start(c, &doc_view_clock, NULL, NULL);
}

/* ---- /metrics ---- */

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* GET /metrics. Loop: the daemon's figures in memory (probes, store writes, loop lag, HTTP,
 * logins) taken as the request comes (api_metrics); worker: the store read over every camera
 * (the status and clock views' reads, the oldest footage) on a connection of its own
 * (metrics_work); loop: the two views' documents built in the site's configuration and the
 * text rendered (metrics_done). */
struct metrics_job {
    struct api_job j; /* first */
    struct fleet_counts probes;
    struct batch_health store;
    struct http_stats hs;
    struct auth_stats as;
    double lag[2];
    struct reload_state config;
    int has_fleet, has_vitals, has_config;
    void *status, *clock; /* the worker's rows of the two views */
    struct store_footage_oldest *footage;
    size_t n_footage;
};

static void metrics_work(struct api_job *j, struct store *s)
{
    struct metrics_job *m = (struct metrics_job *)j;

    if (s != NULL && (doc_view_status.read(s, NULL, m->status, &j->err) != 0 ||
                      doc_view_clock.read(s, NULL, m->clock, &j->err) != 0 ||
                      store_list_footage_oldest(s, &m->footage, &m->n_footage, &j->err) != 0))
        j->rc = -1;
}

static void metrics_done(struct api_job *j)
{
    struct metrics_job *m = (struct metrics_job *)j;
    struct metrics_in in = {.cfg = j->call.doc.cfg, .http = &m->hs, .auth = &m->as};
    json_t *status = NULL, *clock = NULL;
    size_t len = 0;
    char *text;
    int rc = j->rc;

    if (rc == 0)
        rc = doc_view_status.build(&j->call.doc, NULL, m->status, &status, &j->err);
    if (rc == 0)
        rc = doc_view_clock.build(&j->call.doc, NULL, m->clock, &clock, &j->err);
    if (rc != 0) {
        json_decref(status);
        api_reply_doc(&j->call, rc, NULL, &j->err);
        return;
    }
    if (m->has_fleet) {
        in.probes = &m->probes;
        in.store = &m->store;
    }
    if (m->has_vitals)
        in.loop_lag_ms = m->lag;
    if (m->has_config)
        in.config = &m->config;
    in.status = status;
    in.clock = clock;
    in.footage = m->footage;
    in.n_footage = m->n_footage;
    text = metrics_render(&in, &len);
    json_decref(status);
    json_decref(clock);
    if (text == NULL) {
        http_reply_error(j->call.req, 500, "internal", "out of memory");
        return;
    }
    http_reply_bytes(j->call.req, 200, METRICS_TYPE, text, len, HTTP_MEM_TAKE);
}

static void metrics_release(struct api_job *j)
{
    struct metrics_job *m = (struct metrics_job *)j;

    doc_view_rows_free(&doc_view_status, m->status);
    doc_view_rows_free(&doc_view_clock, m->clock);
    free(m->footage);
}

void api_metrics(struct api_call *c)
{
    struct metrics_job *m = calloc(1, sizeof(*m));

    if (m == NULL || (m->status = doc_view_rows_new(&doc_view_status)) == NULL ||
        (m->clock = doc_view_rows_new(&doc_view_clock)) == NULL) {
        if (m != NULL)
            metrics_release(&m->j);
        free(m);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    /* As the request comes, before it waits: the request itself is not counted held. */
    if (c->api->env.fleet != NULL) {
        fleet_get_counts(c->api->env.fleet, &m->probes);
        fleet_store_health(c->api->env.fleet, &m->store);
        m->has_fleet = 1;
    }
    if (c->api->env.vitals != NULL) {
        vitals_lag(c->api->env.vitals, &m->lag[0], &m->lag[1]);
        m->has_vitals = 1;
    }
    if (c->api->env.reload != NULL) {
        reload_get_state(c->api->env.reload, &m->config);
        m->has_config = 1;
    }
    http_get_stats(c->api->http, &m->hs);
    auth_get_stats(c->api->auth, &m->as);
    m->j.release = metrics_release;
    api_job_start(c, &m->j, STORE_READONLY, metrics_work, metrics_done);
}

/* ---- the dashboard's files ---- */

/* What the page may load and run: its own files and the API, nothing from elsewhere. */
#define WEB_CSP                                                                                    \
    "default-src 'self'; img-src 'self' blob:; "                                                   \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

void api_web(struct api_call *c)
{
    const struct web_file *f = web_find(c->caps.n > 0 ? c->caps.v[0] : "index.html");
    const char *inm = http_req_header(c->req, "If-None-Match");

    if (f == NULL) {
        http_reply_error(c->req, 404, "not_found", "no such file: %.64s", c->caps.v[0]);
        return;
    }
    http_reply_header(c->req, "ETag", f->etag);
    http_reply_header(c->req, "Cache-Control", "no-cache");
    http_reply_header(c->req, "Content-Security-Policy", WEB_CSP);
    if (inm != NULL && strcmp(inm, f->etag) == 0)
        http_reply_bytes(c->req, 304, NULL, (void *)"", 0, HTTP_MEM_STATIC);
    else
        http_reply_bytes(c->req, 200, f->type, (void *)f->data, f->len, HTTP_MEM_STATIC);
}
