/* doc_status.c - the status view (every camera's state with its last probe's and last
 * sample's facts, filtered by owner, commune, state or flag) and the one-camera view that
 * gathers a camera's status with the samples, events and device views. Read-only on the
 * store; what they read is in their rows, freed by whoever runs them (doc.h). */
#include "doc_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

#include "../daemon/quality.h"
#include "../util/text.h"

#define CAMERA_SAMPLES_MS (24 * 3600 * 1000LL)    /* doc_view_camera: the last day's samples */
#define CAMERA_EVENTS_MS (7 * 24 * 3600 * 1000LL) /* and the last week's events */
#define CAMERA_EVENTS_LIMIT 100                   /* in one page; "next" says there are more */

/* 1 when st passes f, 0 when not, -1 when out of memory. */
static int status_keep(const struct doc_status_filter *f, const struct store_status *st)
{
    if (f == NULL)
        return 1;
    if (f->owner != NULL && strcasecmp(st->owner, f->owner) != 0)
        return 0;
    if (f->commune != NULL) {
        int m = cw_text_matches(st->commune, f->commune);
        if (m != 1)
            return m;
    }
    if (f->have_state && st->state != f->state)
        return 0;
    if (f->flag != NULL && !doc_flags_include(st->flags, f->flag))
        return 0;
    return 1;
}

/* The store keeps a fact the last sample did not measure as NULL, read back as 0; these say
 * which of the sample's facts are real. */
static int has_media(const struct store_status *st)
{
    return st->last_sample_ms != 0 && !doc_flags_include(st->flags, "no_media");
}

static int measured_fps(const struct store_status *st)
{
    return has_media(st) && st->stream_fps > 0;
}

static int has_picture(const struct store_status *st)
{
    return has_media(st) && (st->luma != 0 || st->sharpness != 0);
}

/* The last stream sample's fields. */
static void status_sample(const struct doc_ctx *c, const struct store_status *st, json_t *o)
{
    int media = has_media(st), pic = has_picture(st);

    json_object_set_new(o, "bitrate_kbps", media ? json_real(st->bitrate_kbps) : json_null());
    json_object_set_new(o, "gop_s", media && st->gop_s > 0 ? json_real(st->gop_s) : json_null());
    json_object_set_new(o, "sharpness", pic ? json_real(st->sharpness) : json_null());
    json_object_set_new(o, "luma", pic ? json_real(st->luma) : json_null());
    json_object_set_new(o, "frozen", json_boolean(st->frozen));
    json_object_set_new(o, "flags", doc_split(st->flags, ','));
    json_object_set_new(o, "last_sample", doc_iso_or_null(c, st->last_sample_ms));
    json_object_set_new(o, "last_sample_ms",
                        st->last_sample_ms != 0 ? json_integer(st->last_sample_ms) : json_null());
    json_object_set_new(o, "thumb", doc_str_or_null(st->thumb_path));
}

/* Where the camera is, as the inventory said when the store last took it. */
static void status_place(const struct store_status *st, json_t *o)
{
    json_object_set_new(o, "address", doc_str_or_null(st->address));
    json_object_set_new(o, "road", doc_str_or_null(st->road));
    json_object_set_new(o, "lat", st->has_position ? json_real(st->lat) : json_null());
    json_object_set_new(o, "lon", st->has_position ? json_real(st->lon) : json_null());
}

/* The SDP's size, else (its parameter sets broken or missing) the one a sample decoded. */
static void status_size(const struct store_status *st, json_t *o)
{
    int sdp = st->width > 0 && st->height > 0;
    int w = sdp ? st->width : st->stream_width, h = sdp ? st->height : st->stream_height;

    json_object_set_new(o, "width", w > 0 && h > 0 ? json_integer(w) : json_null());
    json_object_set_new(o, "height", w > 0 && h > 0 ? json_integer(h) : json_null());
}

/* {good, needed} while a camera answers again but has not yet had up_after answers in a row
 * to leave its state (DOWN: answers of any kind; DEGRADED: good ones), else null. */
static json_t *status_recovering(const struct doc_ctx *c, const struct store_status *st)
{
    int needed = c->cfg != NULL ? c->cfg->rtsp.up_after : 0;
    int recovering = (st->state == CW_DOWN && st->streak_kind != STORE_STREAK_FAIL) ||
                     (st->state == CW_DEGRADED && st->streak_kind == STORE_STREAK_OK);

    if (!recovering || st->streak <= 0 || st->streak >= needed)
        return json_null();
    return json_pack("{s:i, s:i}", "good", st->streak, "needed", needed);
}

json_t *doc_status_one(const struct doc_ctx *c, const void *elem)
{
    const struct store_status *st = elem;
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_string(st->id));
    json_object_set_new(o, "name", json_string(st->name));
    json_object_set_new(o, "owner", json_string(st->owner));
    json_object_set_new(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, st->owner)));
    json_object_set_new(o, "commune", json_string(st->commune));
    json_object_set_new(o, "state", json_string(cw_state_name(st->state)));
    json_object_set_new(o, "since", doc_iso(c, st->since_ms));
    json_object_set_new(o, "since_ms", json_integer(st->since_ms));
    json_object_set_new(o, "reason", json_string(st->reason));
    json_object_set_new(o, "recovering", status_recovering(c, st));
    json_object_set_new(o, "latency_ms",
                        st->latency_ms >= 0 ? json_integer(st->latency_ms) : json_null());
    json_object_set_new(o, "codec", doc_str_or_null(st->codec));
    status_size(st, o);
    /* Measured when a sample read media; the SDP's claim only before any sample. */
    json_object_set_new(o, "fps",
                        measured_fps(st)                         ? json_real(st->stream_fps)
                        : st->last_sample_ms == 0 && st->fps > 0 ? json_real(st->fps)
                                                                 : json_null());
    json_object_set_new(o, "sdp_fps", st->fps > 0 ? json_real(st->fps) : json_null());
    json_object_set_new(o, "rtsp_status",
                        st->rtsp_status > 0 ? json_integer(st->rtsp_status) : json_null());
    json_object_set_new(o, "last_probe", doc_iso_or_null(c, st->last_probe_ms));
    json_object_set_new(o, "last_probe_ms",
                        st->last_probe_ms != 0 ? json_integer(st->last_probe_ms) : json_null());
    json_object_set_new(o, "last_ok", doc_iso_or_null(c, st->last_ok_ms));
    json_object_set_new(o, "last_ok_ms",
                        st->last_ok_ms != 0 ? json_integer(st->last_ok_ms) : json_null());
    status_place(st, o);
    status_sample(c, st, o);
    return o;
}

/* DOC_BAD_INPUT, with err listing the names, unless flag is a quality flag's (case ignored). */
static int status_check_flag(const char *flag, struct cw_err *err)
{
    char names[256] = "";
    size_t n = 0;

    for (int i = 0; i < QUALITY_FLAG_COUNT; i++) {
        const char *name = quality_flag_name(1u << i);
        if (strcasecmp(name, flag) == 0)
            return 0;
        n += (size_t)snprintf(names + n, n < sizeof(names) ? sizeof(names) - n : 0, "%s%s",
                              i ? ", " : "", name);
    }
    cw_err_set(err, NULL, 0, "flag", "unknown flag '%s' (one of: %s)", flag, names);
    return DOC_BAD_INPUT;
}

int doc_status_check(const struct doc_status_filter *f, struct cw_err *err)
{
    return f != NULL && f->flag != NULL ? status_check_flag(f->flag, err) : 0;
}

static int status_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    struct store_status *v = NULL;
    size_t n = 0;
    int rc = doc_status_check(query, err);

    if (rc == 0 && store_list_status(s, &v, &n, err) != 0)
        rc = -1;
    return doc_list_take(rows, rc, v, n, sizeof(*v), doc_status_one);
}

/* The cameras that pass the filter (query), then their array. */
static int status_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                        struct cw_err *err)
{
    struct doc_list *l = rows;
    struct store_status *v = l->v;
    size_t k = 0;
    int keep = 1;

    for (size_t i = 0; i < l->n && keep >= 0; i++)
        if ((keep = status_keep(query, &v[i])) == 1)
            v[k++] = v[i];
    if (keep < 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    l->n = k;
    return doc_list_build(c, query, rows, out, err);
}

static const struct doc_query_type status_query_type = {
    sizeof(struct doc_status_filter),
    3,
    {offsetof(struct doc_status_filter, owner), offsetof(struct doc_status_filter, commune),
     offsetof(struct doc_status_filter, flag)}};
const struct doc_view doc_view_status = {&status_query_type, sizeof(struct doc_list), status_read,
                                         status_build, doc_list_clear};

/* The parts of a camera's document besides its status, each a view of its own (DOC_NOT_FOUND
 * becomes null when null_if_missing). */
static const struct {
    const char *key;
    const struct doc_view *view;
    int null_if_missing;
} parts[] = {
    {"samples", &doc_view_samples, 0},
    {"events", &doc_view_events, 0},
    {"device", &doc_view_device, 1},
};
#define N_PARTS (sizeof(parts) / sizeof(parts[0]))

/* Put document part (made by one of the views, rc its result) under key in o;
 * DOC_NOT_FOUND becomes null when null_if_missing. Returns 0 or rc. */
static int camera_part(json_t *o, const char *key, int rc, json_t *part, int null_if_missing,
                       struct cw_err *err)
{
    if (rc == DOC_NOT_FOUND && null_if_missing) {
        part = json_null();
        rc = 0;
    }
    if (rc != 0)
        return rc;
    if (json_object_set_new(o, key, part) != 0)
        return cw_err_set(err, NULL, 0, NULL, "camera: %s: out of memory", key);
    return 0;
}

/* A camera's rows: its status and each part's query and rows. */
struct camera_rows {
    struct store_status st;
    struct doc_camera_query day, week; /* the samples' and the device's */
    struct doc_events_query events;    /* the first page of the last week's */
    const void *query[N_PARTS];
    void *rows[N_PARTS];
};

static int camera_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_camera_query *q = query;
    struct camera_rows *r = rows;
    int rc;

    if ((rc = doc_require_camera(s, q->id, &r->st, err)) != 0)
        return rc;
    r->day = (struct doc_camera_query){q->id, q->at_ms - CAMERA_SAMPLES_MS};
    r->events =
        (struct doc_events_query){q->id, q->at_ms - CAMERA_EVENTS_MS, CAMERA_EVENTS_LIMIT, NULL};
    r->week = (struct doc_camera_query){q->id, q->at_ms - CAMERA_EVENTS_MS};
    r->query[0] = &r->day;
    r->query[1] = &r->events;
    r->query[2] = &r->week;
    for (size_t i = 0; i < N_PARTS; i++) {
        if ((r->rows[i] = doc_view_rows_new(parts[i].view)) == NULL)
            return cw_err_set(err, NULL, 0, NULL, "camera: out of memory");
        if ((rc = parts[i].view->read(s, r->query[i], r->rows[i], err)) != 0)
            return rc;
    }
    return 0;
}

static int camera_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                        struct cw_err *err)
{
    struct camera_rows *r = rows;
    json_t *o = NULL, *part = NULL;
    int rc;

    (void)query;
    *out = NULL;
    if ((o = json_object()) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "camera: out of memory");
    rc = camera_part(o, "status", 0, doc_status_one(c, &r->st), 0, err);
    for (size_t i = 0; i < N_PARTS && rc == 0; i++) {
        rc = parts[i].view->build(c, r->query[i], r->rows[i], &part, err);
        rc = camera_part(o, parts[i].key, rc, part, parts[i].null_if_missing, err);
    }
    if (rc != 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

static void camera_clear(void *rows)
{
    struct camera_rows *r = rows;

    for (size_t i = 0; i < N_PARTS; i++)
        doc_view_rows_free(parts[i].view, r->rows[i]);
}

const struct doc_view doc_view_camera = {&doc_camera_query_type, sizeof(struct camera_rows),
                                         camera_read, camera_build, camera_clear};
