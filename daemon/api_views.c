/* api_views.c - the handlers of the views every role sees and of the admin's actions on a
 * camera: each reads its parameters, builds the CLI's document (index/doc.h) and answers
 * it. The store reads (/cameras, one camera's views and thumbnail, /clock, /events, the uptime
 * over a range, the store read of /metrics) and the writes (maintenance, reference) run on the
 * API's workers with a connection of their own, the document then built from the rows on the loop
 * (ISO times set TZ: doc.h); the daemon's fleet takes a write up as it takes the CLI's (the store's
 * data_version). Loop thread, but for the jobs' work.
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

/* GET /cameras and GET /clock: every camera's row read on a worker with a connection of its
 * own (fleet_work), the document built from the rows on the loop (fleet_done). The filter's
 * strings borrow the request's query, which lives until it is answered. */
struct fleet_job {
    struct api_job j; /* first */
    int clock;        /* /clock: devices; else /cameras: status rows filtered by f */
    struct doc_status_filter f;
    struct store_status *status; /* the worker's rows, until made a document */
    struct store_device *devices;
    size_t n;
};

static void fleet_work(struct api_job *j, struct store *s)
{
    struct fleet_job *fj = (struct fleet_job *)j;

    if (s == NULL)
        return;
    if (fj->clock)
        j->rc = store_list_devices(s, &fj->devices, &fj->n, &j->err);
    else
        j->rc = store_list_status(s, &fj->status, &fj->n, &j->err);
}

static void fleet_done(struct api_job *j)
{
    struct fleet_job *fj = (struct fleet_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0 && fj->clock) {
        j->rc = doc_clock_rows(&j->call.doc, fj->devices, fj->n, &doc, &j->err);
        fj->devices = NULL;
    } else if (j->rc == 0) {
        j->rc = doc_status_rows(&j->call.doc, &fj->f, fj->status, fj->n, &doc, &j->err);
        fj->status = NULL;
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void fleet_release(struct api_job *j)
{
    struct fleet_job *fj = (struct fleet_job *)j;

    free(fj->status);
    free(fj->devices);
}

static void fleet_start(struct api_call *c, struct fleet_job *fj)
{
    fj->j.release = fleet_release;
    api_job_start(c, &fj->j, STORE_READONLY, fleet_work, fleet_done);
}

void api_cameras(struct api_call *c)
{
    struct doc_status_filter f = {http_req_query(c->req, "owner"),
                                  http_req_query(c->req, "commune"), http_req_query(c->req, "flag"),
                                  0, CW_UNKNOWN};
    const char *state = http_req_query(c->req, "state");
    struct fleet_job *fj;
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
    /* A bad filter is answered at once, without a worker. */
    if ((rc = doc_status_check(&f, &err)) != 0 || (fj = calloc(1, sizeof(*fj))) == NULL) {
        if (rc == 0)
            cw_err_set(&err, NULL, 0, NULL, "out of memory");
        api_reply_doc(c, rc != 0 ? rc : -1, NULL, &err);
        return;
    }
    fj->f = f;
    fleet_start(c, fj);
}

/* GET /cameras/{id}, its samples, its device and its thumbnail: the camera's rows (or its
 * picture's file, opened) read on a worker, the answer made from them on the loop. */
enum camera_view { VIEW_CAMERA, VIEW_SAMPLES, VIEW_DEVICE, VIEW_THUMBNAIL };

struct camera_job {
    struct api_job j; /* first */
    enum camera_view view;
    int64_t at_ms; /* now (the camera) or since (samples, device) */
    struct doc_camera_rows *camera;
    struct store_sample *samples;
    size_t n_samples;
    struct doc_device_rows *device;
    char *cache_dir; /* the thumbnail's: its folder, as configured when asked */
    char path[sizeof(((struct store_status *)0)->thumb_path)], why[128];
    int fd; /* the thumbnail's, until handed to the answer; -1 when refused */
};

/* The thumbnail: the store names the file; it is served only from the thumbnail folder,
 * whatever the name says or links to (api_open_inside). */
static int thumbnail_open(struct camera_job *cj, struct store *s)
{
    const struct doc_ctx ctx = {s, NULL, NULL}; /* doc_picture reads no zone, no cfg */
    int rc = doc_picture(&ctx, cj->j.call.caps.v[0], cj->path, sizeof(cj->path), &cj->j.err);

    if (rc == 0)
        cj->fd = api_open_inside(cj->path, cj->cache_dir, cj->why, sizeof(cj->why));
    return rc;
}

static void camera_work(struct api_job *j, struct store *s)
{
    struct camera_job *cj = (struct camera_job *)j;
    const char *id = j->call.caps.v[0];

    if (s == NULL)
        return;
    if (cj->view == VIEW_CAMERA)
        j->rc = doc_camera_read(s, id, cj->at_ms, &cj->camera, &j->err);
    else if (cj->view == VIEW_SAMPLES)
        j->rc = doc_samples_read(s, id, cj->at_ms, &cj->samples, &cj->n_samples, &j->err);
    else if (cj->view == VIEW_DEVICE)
        j->rc = doc_device_read(s, id, cj->at_ms, &cj->device, &j->err);
    else
        j->rc = thumbnail_open(cj, s);
}

static void thumbnail_done(struct camera_job *cj)
{
    struct api_call *c = &cj->j.call;

    if (cj->fd < 0) {
        log_warnx("api: %s: thumbnail %s refused: %s", c->caps.v[0], cj->path, cj->why);
        http_reply_error(c->req, 404, "not_found", "%s: no thumbnail to serve (%s)", c->caps.v[0],
                         cj->why);
        return;
    }
    http_reply_header(c->req, "Cache-Control", "no-cache");
    http_reply_file(c->req, cj->fd, JPEG_TYPE);
    cj->fd = -1; /* the answer's */
}

static void camera_done(struct api_job *j)
{
    struct camera_job *cj = (struct camera_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0 && cj->view == VIEW_THUMBNAIL) {
        thumbnail_done(cj);
        return;
    }
    if (j->rc == 0 && cj->view == VIEW_CAMERA) {
        j->rc = doc_camera_build(&j->call.doc, cj->camera, &doc, &j->err);
    } else if (j->rc == 0 && cj->view == VIEW_SAMPLES) {
        j->rc = doc_samples_rows(&j->call.doc, cj->samples, cj->n_samples, &doc, &j->err);
        cj->samples = NULL; /* taken */
    } else if (j->rc == 0) {
        j->rc = doc_device_build(&j->call.doc, cj->device, &doc, &j->err);
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void camera_release(struct api_job *j)
{
    struct camera_job *cj = (struct camera_job *)j;

    doc_camera_free(cj->camera);
    free(cj->samples);
    doc_device_free(cj->device);
    free(cj->cache_dir);
    if (cj->fd >= 0)
        close(cj->fd);
}

/* Start c's camera job of view at at_ms; answers 500 when out of memory. */
static void camera_start(struct api_call *c, enum camera_view view, int64_t at_ms)
{
    struct camera_job *cj = calloc(1, sizeof(*cj));

    if (cj == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    cj->view = view;
    cj->at_ms = at_ms;
    cj->fd = -1;
    cj->j.release = camera_release;
    if (view == VIEW_THUMBNAIL && (cj->cache_dir = strdup(c->doc.cfg->cache_dir)) == NULL) {
        free(cj);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    api_job_start(c, &cj->j, STORE_READONLY, camera_work, camera_done);
}

void api_camera(struct api_call *c)
{
    camera_start(c, VIEW_CAMERA, cw_now_ms());
}

/* A camera's view over time from ?since= (default dflt): samples, device. */
static void camera_since(struct api_call *c, const char *dflt, enum camera_view view)
{
    int64_t since;

    if (api_param_time(c, "since", dflt, &since) == 0)
        camera_start(c, view, since);
}

void api_samples(struct api_call *c)
{
    camera_since(c, SAMPLES_SINCE, VIEW_SAMPLES);
}

void api_device(struct api_call *c)
{
    camera_since(c, DEVICE_SINCE, VIEW_DEVICE);
}

void api_thumbnail(struct api_call *c)
{
    camera_start(c, VIEW_THUMBNAIL, 0);
}

/* ---- maintenance ---- */

struct maint_job {
    struct api_job j; /* first */
    char id[CFG_ID_MAX + 1];
    int on;
    char note[NOTE_MAX + 1];
    int64_t at_ms;
    struct doc_maintenance_change m;
};

static void maint_work(struct api_job *j, struct store *s)
{
    struct maint_job *m = (struct maint_job *)j;

    if (s != NULL)
        j->rc = doc_maintenance_apply(s, m->id, m->on, m->note, m->at_ms, &m->m, &j->err);
}

static void maint_done(struct api_job *j)
{
    struct maint_job *m = (struct maint_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0) {
        if (m->m.changed)
            log_info("api: %s put %s %s maintenance%s%s", j->call.who, m->id,
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
    struct store_status st;
    struct cw_err err;
    const char *note;
    json_t *o;
    int rc;

    if ((o = api_body(c, fields, 2, "expected {\"on\": true|false, \"note\": \"...\"}")) == NULL)
        return;
    /* An unknown camera is answered at once, without a worker. */
    if ((rc = doc_require_camera(&c->doc, c->caps.v[0], &st, &err)) != 0 ||
        (m = calloc(1, sizeof(*m))) == NULL) {
        json_decref(o);
        if (rc == 0)
            cw_err_set(&err, NULL, 0, NULL, "out of memory");
        api_reply_doc(c, rc != 0 ? rc : -1, NULL, &err);
        return;
    }
    snprintf(m->id, sizeof(m->id), "%s", st.id);
    m->on = json_is_true(json_object_get(o, "on"));
    note = json_string_value(json_object_get(o, "note"));
    snprintf(m->note, sizeof(m->note), "%s", note != NULL ? note : "");
    m->at_ms = cw_now_ms();
    json_decref(o);
    api_job_start(c, &m->j, STORE_READWRITE, maint_work, maint_done);
}

/* ---- reference ---- */

struct ref_job {
    struct api_job j; /* first */
    char id[CFG_ID_MAX + 1];
    struct doc_reference_change r;
};

static void ref_work(struct api_job *j, struct store *s)
{
    struct ref_job *r = (struct ref_job *)j;

    if (s != NULL)
        j->rc = doc_reference_apply(s, r->id, &r->r, &j->err);
}

static void ref_done(struct api_job *j)
{
    struct ref_job *r = (struct ref_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0) {
        log_info("api: %s cleared %s's reference picture", j->call.who, r->id);
        j->rc = doc_reference_result(&j->call.doc, &r->r, &doc, &j->err);
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

void api_reference(struct api_call *c)
{
    struct ref_job *r;
    struct store_status st;
    struct cw_err err;
    int rc;

    if ((rc = doc_require_camera(&c->doc, c->caps.v[0], &st, &err)) != 0 ||
        (r = calloc(1, sizeof(*r))) == NULL) {
        if (rc == 0)
            cw_err_set(&err, NULL, 0, NULL, "out of memory");
        api_reply_doc(c, rc != 0 ? rc : -1, NULL, &err);
        return;
    }
    snprintf(r->id, sizeof(r->id), "%s", st.id);
    api_job_start(c, &r->j, STORE_READWRITE, ref_work, ref_done);
}

/* ---- events, uptime, clock ---- */

/* GET /events: the page's rows read on a worker, the document built from them on the loop.
 * The query's strings are the job's copies: the worker reads them. */
struct events_job {
    struct api_job j; /* first */
    struct doc_events_query q;
    char *camera, *after; /* q's, NULL when not asked */
    struct doc_events_rows *rows;
};

static void events_work(struct api_job *j, struct store *s)
{
    struct events_job *e = (struct events_job *)j;

    if (s != NULL)
        j->rc = doc_events_read(s, &e->q, &e->rows, &j->err);
}

static void events_done(struct api_job *j)
{
    struct events_job *e = (struct events_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0)
        j->rc = doc_events_build(&j->call.doc, e->rows, &doc, &j->err);
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void events_release(struct api_job *j)
{
    struct events_job *e = (struct events_job *)j;

    doc_events_free(e->rows);
    free(e->camera);
    free(e->after);
}

/* A copy of query string v in *out (NULL stays NULL). 0, or -1 when out of memory. */
static int copy_param(const char *v, char **out)
{
    return v == NULL || (*out = strdup(v)) != NULL ? 0 : -1;
}

void api_events(struct api_call *c)
{
    struct doc_events_query q = {http_req_query(c->req, "camera"), 0, EVENTS_LIMIT,
                                 http_req_query(c->req, "after")};
    struct events_job *e;
    uint64_t limit;

    if (api_param_time(c, "since", EVENTS_SINCE, &q.since_ms) != 0 ||
        api_param_uint(c, "limit", 1, DOC_EVENTS_LIMIT_MAX, EVENTS_LIMIT, &limit) != 0)
        return;
    q.limit = (size_t)limit;
    if ((e = calloc(1, sizeof(*e))) == NULL || copy_param(q.camera, &e->camera) != 0 ||
        copy_param(q.after, &e->after) != 0) {
        if (e != NULL)
            events_release(&e->j);
        free(e);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    e->q = q;
    e->q.camera = e->camera;
    e->q.after = e->after;
    e->j.release = events_release;
    api_job_start(c, &e->j, STORE_READONLY, events_work, events_done);
}

struct uptime_job {
    struct api_job j; /* first */
    int64_t from_ms, to_ms;
    enum doc_uptime_by by;
    struct store_uptime *rows;
    size_t n;
};

static void uptime_work(struct api_job *j, struct store *s)
{
    struct uptime_job *u = (struct uptime_job *)j;

    if (s != NULL)
        j->rc = store_uptime(s, u->from_ms, u->to_ms, &u->rows, &u->n, &j->err);
}

static void uptime_done(struct api_job *j)
{
    struct uptime_job *u = (struct uptime_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0)
        j->rc = doc_uptime_rows(&j->call.doc, u->from_ms, u->to_ms, u->by, u->rows, u->n, &doc,
                                &j->err);
    free(u->rows);
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

void api_uptime(struct api_call *c)
{
    const char *by = http_req_query(c->req, "by");
    struct uptime_job *u = calloc(1, sizeof(*u));
    int64_t now = cw_now_ms();
    struct cw_err err;

    if (u == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    /* Read as the CLI reads it (cw_range_at), but from defaults to a week ago. */
    u->from_ms = now - UPTIME_FROM_MS;
    if (cw_range_at(http_req_query(c->req, "from"), http_req_query(c->req, "to"), c->doc.tz, now,
                    "", &u->from_ms, &u->to_ms, &err) != 0) {
        api_reply_bad_param(c, err.field, "%s", err.msg);
        goto fail;
    }
    if (by == NULL)
        u->by = DOC_UPTIME_BOTH;
    else if (strcmp(by, "camera") == 0)
        u->by = DOC_UPTIME_CAMERA;
    else if (strcmp(by, "owner") == 0)
        u->by = DOC_UPTIME_OWNER;
    else {
        api_reply_bad_param(c, "by", "camera or owner, not '%.32s'", by);
        goto fail;
    }
    /* Each camera's events in the range are read: a long range is a worker's work. */
    api_job_start(c, &u->j, STORE_READONLY, uptime_work, uptime_done);
    return;
fail:
    free(u);
}

void api_clock(struct api_call *c)
{
    struct fleet_job *fj = calloc(1, sizeof(*fj));

    if (fj == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    fj->clock = 1;
    fleet_start(c, fj);
}

/* ---- /metrics ---- */

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* GET /metrics. Loop: the daemon's figures in memory (probes, store writes, loop lag, HTTP,
 * logins) taken as the request comes (api_metrics); worker: the store read over every camera
 * (status, devices' clocks, oldest footage) on a connection of its own (metrics_work); loop:
 * the documents made from those rows in the site's configuration and the text rendered
 * (metrics_done). */
struct metrics_job {
    struct api_job j; /* first */
    struct fleet_counts probes;
    struct batch_health store;
    struct http_stats hs;
    struct auth_stats as;
    double lag[2];
    int has_fleet, has_vitals;
    struct store_status *status; /* the worker's rows, each list until made a document */
    struct store_device *devices;
    struct store_footage_oldest *footage;
    size_t n_status, n_devices, n_footage;
};

static void metrics_work(struct api_job *j, struct store *s)
{
    struct metrics_job *m = (struct metrics_job *)j;

    if (s != NULL && (store_list_status(s, &m->status, &m->n_status, &j->err) != 0 ||
                      store_list_devices(s, &m->devices, &m->n_devices, &j->err) != 0 ||
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

    if (rc == 0) {
        rc = doc_status_rows(&j->call.doc, NULL, m->status, m->n_status, &status, &j->err);
        m->status = NULL;
    }
    if (rc == 0) {
        rc = doc_clock_rows(&j->call.doc, m->devices, m->n_devices, &clock, &j->err);
        m->devices = NULL;
    }
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

    free(m->status);
    free(m->devices);
    free(m->footage);
}

void api_metrics(struct api_call *c)
{
    struct metrics_job *m = calloc(1, sizeof(*m));

    if (m == NULL) {
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
