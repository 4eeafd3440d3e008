/* doc_footage.c - the investigators' documents: which cameras saw a place over a time range
 * and what footage of it can still be had (footage find, request show), the requests, and a
 * created request's id. Read-only on the store except doc_request_create. The answers are
 * views (doc_view_footage, doc_view_request, doc_view_requests): their store reads are apart
 * from their documents (ISO times: the loop or the CLI).
 *
 * One camera's answer: its place (and distance from the point asked), the windows of footage
 * in the range and the gaps between them with their cause, unreadable files, its state when
 * the range began and changes during it, its clock offset nearest the range, its oldest
 * footage now, and until about when the range stays retrievable (with a warning when that is
 * within [footage] warn_before). */
#include "doc_priv.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/text.h"
#include "folderlock.h"
#include "footage.h"

#define DOC_EVENTS_IN_RANGE_MAX 100 /* state changes listed per camera; more: a note */

struct settings {
    int64_t tolerance_ms, warn_before_ms;
};

static struct settings footage_settings(const struct doc_ctx *c)
{
    struct settings s = {DOC_FOOTAGE_TOLERANCE_MS, DOC_FOOTAGE_WARN_BEFORE_MS};

    (void)c;
    return s;
}

/* ---- reading a query ---- */

/* "12.5" or "12.5m" metres, "2km" kilometres. */
static int parse_metres(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s)
        return -1;
    if (strcmp(end, "km") == 0)
        v *= 1000;
    else if (*end != '\0' && strcmp(end, "m") != 0)
        return -1;
    *out = v;
    return 0;
}

int doc_footage_query_read(const struct doc_footage_words *w, const char *tz, int64_t now_ms,
                           struct doc_footage_query *q, struct cw_err *err)
{
    int places = (w->near != NULL) + (w->place != NULL) + (w->cameras != NULL);
    int n = 0;

    memset(q, 0, sizeof(*q));
    q->now_ms = now_ms;
    if (w->from == NULL || w->to == NULL)
        return cw_err_set(err, NULL, 0, w->from == NULL ? "from" : "to",
                          "a range needs its start (from) and end (to)");
    if (cw_parse_time_at(w->from, tz, now_ms, &q->scope.from_ms) != 0)
        return cw_time_refuse(w->from, "from", err);
    if (cw_parse_time_at(w->to, tz, now_ms, &q->scope.to_ms) != 0)
        return cw_time_refuse(w->to, "to", err);
    if (places != 1)
        return cw_err_set(err, NULL, 0, "place", "give one place: near, place or camera");
    if (w->radius != NULL && w->near == NULL)
        return cw_err_set(err, NULL, 0, "radius", "goes with near");
    if (w->near != NULL) {
        q->scope.place = STORE_PLACE_POINT;
        q->scope.radius_m = DOC_FOOTAGE_RADIUS_DEFAULT_M;
        if (w->near[0] == '\0')
            return cw_err_set(err, NULL, 0, "near", "empty: give LAT,LON");
        if (sscanf(w->near, "%lf,%lf%n", &q->scope.lat, &q->scope.lon, &n) != 2 ||
            w->near[n] != '\0')
            return cw_err_set(err, NULL, 0, "near", "takes LAT,LON, not '%.64s'", w->near);
        if (w->radius != NULL && w->radius[0] == '\0')
            return cw_err_set(err, NULL, 0, "radius", "empty: give metres (500, 12.5m, 2km)");
        if (w->radius != NULL && parse_metres(w->radius, &q->scope.radius_m) != 0)
            return cw_err_set(err, NULL, 0, "radius", "takes metres, not '%.64s'", w->radius);
    } else if (w->place != NULL) {
        q->scope.place = STORE_PLACE_TEXT;
        q->text = w->place;
    } else {
        q->scope.place = STORE_PLACE_CAMERAS;
        q->cameras = w->cameras;
    }
    return 0;
}

/* ---- checking a query ---- */

/* doc_footage_check; future 0: a range that begins over DOC_FOOTAGE_AHEAD_MS after q->now_ms is
 * not refused (a request shown again, stored before such ranges were refused). */
static int check_query(const struct doc_footage_query *q, int future, struct cw_err *err)
{
    if (future && q->scope.from_ms > q->now_ms + DOC_FOOTAGE_AHEAD_MS)
        return cw_err_set(err, NULL, 0, "from",
                          "is in the future: a range begins at most %lld minutes after now (a "
                          "recorder's clock ahead of ours)",
                          (long long)(DOC_FOOTAGE_AHEAD_MS / 60000));
    if (q->scope.to_ms <= q->scope.from_ms)
        return cw_err_set(err, NULL, 0, "to", "the range ends before it begins");
    if (q->scope.to_ms - q->scope.from_ms > DOC_FOOTAGE_RANGE_MAX_MS)
        return cw_err_set(err, NULL, 0, "to", "a range covers at most %lld days",
                          (long long)(DOC_FOOTAGE_RANGE_MAX_MS / 86400000));
    switch (q->scope.place) {
    case STORE_PLACE_POINT:
        if (!(q->scope.lat >= -90 && q->scope.lat <= 90 && q->scope.lon >= -180 &&
              q->scope.lon <= 180))
            return cw_err_set(err, NULL, 0, "near",
                              "latitude must be in -90..90, longitude in "
                              "-180..180");
        if (!(q->scope.radius_m > 0 && q->scope.radius_m <= DOC_FOOTAGE_RADIUS_MAX_M))
            return cw_err_set(err, NULL, 0, "radius", "must be more than 0 and at most %d m",
                              DOC_FOOTAGE_RADIUS_MAX_M);
        return 0;
    case STORE_PLACE_TEXT:
        /* Only "" is in "": a text of white space alone (U+00A0 too) would match everything. */
        if (q->text == NULL || cw_text_contains("", q->text) == 1)
            return cw_err_set(err, NULL, 0, "place", "empty: give a text to look for");
        return 0;
    case STORE_PLACE_CAMERAS:
        if (q->cameras == NULL || q->cameras[strspn(q->cameras, " ,")] == '\0')
            return cw_err_set(err, NULL, 0, "camera", "empty: give one or more camera ids");
        return 0;
    }
    return cw_err_set(err, NULL, 0, NULL, "no place");
}

int doc_footage_check(const struct doc_footage_query *q, struct cw_err *err)
{
    return check_query(q, 1, err);
}

/* ---- which cameras ---- */

struct hit {
    struct store_place p;
    double dist_m; /* < 0: not a point query */
};

/* What the store says of one camera of an answer (read_camera), for camera_answer. */
struct cam_rows {
    struct hit h;
    int indexed; /* the footage index knows the camera */
    struct store_footage_camera fc;
    struct store_segment_row *seg; /* its segments in the range */
    size_t n_seg;
    int has_state; /* its state at the range's start is known */
    enum cw_state state;
    int64_t since_ms;
    struct store_event *ev; /* its changes during the range */
    size_t n_ev;
    int has_clock; /* a clock reading nearest the range's start */
    struct store_clock k;
    struct footage_cover cov; /* what the index can say of its footage in the range */
    int64_t horizon_ms;       /* its recorder's oldest footage (store_recorder_oldest), read
                               * when the range begins before the camera's own; 0 none */
    int has_horizon;          /* horizon_ms read */
};

struct footage_rows {
    struct doc_footage_query q; /* its strings are not read after the reads */
    int is_request;             /* request show: {request, cameras} */
    struct store_request r;
    struct cam_rows *cams; /* in answer order */
    size_t n;
};

/* The cameras the query's place names, in answer order, into r->cams. */
static int find_cameras(struct store *s, struct footage_rows *r, struct cw_err *err)
{
    const struct doc_footage_query *q = &r->q;
    struct store_place *p = NULL;
    double *d = NULL;
    size_t m = 0;
    char bad[CFG_ID_MAX + 1] = "";

    if (footage_cameras(s, &q->scope, q->text, q->cameras, &p, &d, &m, bad, sizeof(bad), err) != 0)
        return -1;
    if (bad[0] != '\0') {
        free(p);
        free(d);
        return doc_unknown_camera(s, "camera", bad, err);
    }
    if (m > 0 && (r->cams = calloc(m, sizeof(*r->cams))) == NULL) {
        free(p);
        free(d);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < m; i++)
        r->cams[i].h = (struct hit){p[i], d != NULL ? d[i] : -1.0};
    free(p);
    free(d);
    r->n = m;
    return 0;
}

/* Everything the answer says of one camera, read from s. */
static int read_camera(struct store *s, const struct doc_footage_query *q, struct cam_rows *cr,
                       struct cw_err *err)
{
    const char *id = cr->h.p.id;
    int rc;

    if ((rc = store_footage_camera(s, id, &cr->fc, q->now_ms, err)) < 0)
        return -1;
    cr->indexed = rc == 0;
    if (store_footage_segments(s, id, q->scope.from_ms, q->scope.to_ms, &cr->seg, &cr->n_seg,
                               err) != 0 ||
        (rc = store_state_at(s, id, q->scope.from_ms, &cr->state, &cr->since_ms, err)) < 0)
        return -1;
    cr->has_state = rc == 0;
    if (store_list_events_between(s, id, q->scope.from_ms, q->scope.to_ms, DOC_EVENTS_IN_RANGE_MAX,
                                  &cr->ev, &cr->n_ev, err) != 0 ||
        (rc = store_clock_at(s, id, q->scope.from_ms, &cr->k, err)) < 0)
        return -1;
    cr->has_clock = rc == 0;
    return 0;
}

/* How far back cams[i]'s recorder keeps footage, only asked of a range that begins before the
 * camera's own oldest footage: once a recorder, whatever number of its cameras the answer
 * holds (each ask visits every camera of the recorder). */
static int read_horizon(struct store *s, const struct doc_footage_query *q, struct cam_rows *cams,
                        size_t i, struct cw_err *err)
{
    struct cam_rows *cr = &cams[i];

    if (cr->h.p.recorder[0] == '\0' || (cr->fc.has && q->scope.from_ms >= cr->fc.oldest_ms))
        return 0;
    for (size_t j = 0; j < i; j++)
        if (cams[j].has_horizon && strcmp(cams[j].h.p.recorder, cr->h.p.recorder) == 0) {
            cr->horizon_ms = cams[j].horizon_ms;
            cr->has_horizon = 1;
            return 0;
        }
    if (store_recorder_oldest(s, cr->h.p.recorder, &cr->horizon_ms, err) != 0)
        return -1;
    cr->has_horizon = 1;
    return 0;
}

/* r's cameras and what the store says of each. */
static int read_answer(struct store *s, struct footage_rows *r, struct cw_err *err)
{
    struct store_recorder *rec = NULL;
    size_t nrec = 0;
    int rc = 0;

    if (check_query(&r->q, !r->is_request, err) != 0)
        return DOC_BAD_INPUT;
    if ((rc = find_cameras(s, r, err)) != 0)
        return rc;
    if (store_list_recorders(s, 0, &rec, &nrec, err) != 0)
        return -1;
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        struct cam_rows *cr = &r->cams[i];
        rc = read_camera(s, &r->q, cr, err);
        if (rc == 0)
            rc = read_horizon(s, &r->q, r->cams, i, err);
        if (rc == 0)
            rc = footage_cover_read(s, cr->h.p.id, cr->h.p.recorder, r->q.scope.from_ms, cr->seg,
                                    cr->n_seg, rec, nrec, &cr->cov, err);
    }
    free(rec);
    return rc;
}

/* ---- one camera's answer ---- */

static json_t *span_json(const struct doc_ctx *c, int64_t a, int64_t b)
{
    return json_pack("{s:o, s:o, s:I, s:I}", "start", doc_iso(c, a), "end", doc_iso(c, b),
                     "start_ms", (json_int_t)a, "end_ms", (json_int_t)b);
}

/* Whether a file camwatch cannot read begins in [a, b) (or just before it), on a recorder still
 * configured (footage_cover_removed: the index speaks for nothing on the others). */
static int unreadable_in(const struct cam_rows *cr, int64_t a, int64_t b)
{
    for (size_t i = 0; i < cr->n_seg; i++)
        if (!cr->seg[i].readable && cr->seg[i].start_ms < b && cr->seg[i].start_ms >= a - 1000 &&
            !footage_cover_removed(&cr->cov, cr->seg[i].recorder))
            return 1;
    return 0;
}

#define GAP_BEFORE_HORIZON "before recorder's oldest footage"

/* Why [a, b) has no footage (a piece of a gap whose cause does not change inside it:
 * gap_next_cut): its recorders not indexed there (footage_unindexed_at:
 * no recorder, no good scan, or after what the last good scan of its recorder, or of one it
 * left footage on, knew of the camera) unless a file the index knows begins there and cannot
 * be read; an unreadable file there; after the camera's oldest footage, nothing recorded.
 * Before it (or with none): overwritten where the store saw its footage reach back (its
 * retention notes) and it is gone now; else not recorded where its recorder holds other
 * cameras' footage of that time (or none at all: its scan found nothing), and before that
 * recorder's oldest footage where nothing says whether there was any. */
static const char *gap_cause(const struct cam_rows *cr, int64_t a, int64_t b)
{
    const struct store_footage_camera *fc = &cr->fc;
    int unreadable = unreadable_in(cr, a, b);

    if (footage_unindexed_at(&cr->cov, a))
        return unreadable ? "unreadable" : "not indexed";
    if (unreadable)
        return "unreadable";
    if (fc->has && a >= fc->oldest_ms)
        return "not recorded";
    if (fc->has && fc->seen_oldest_ms != 0 && a >= fc->seen_oldest_ms)
        return "overwritten";
    if (cr->horizon_ms == 0 || a >= cr->horizon_ms)
        return "not recorded";
    return GAP_BEFORE_HORIZON;
}

/* The first time in (a, b) at which gap_cause may change but for the index's own cuts
 * (footage_next_cut): the camera's oldest footage, the oldest the store saw of it, its
 * recorder's oldest, or the start of an unreadable file (more than a second in: one starting
 * within a second of a gap's start is its own); 0 when none. */
static int64_t gap_next_cut(const struct cam_rows *cr, int64_t a, int64_t b)
{
    int64_t t[3] = {cr->fc.has ? cr->fc.oldest_ms : 0, cr->fc.has ? cr->fc.seen_oldest_ms : 0,
                    cr->horizon_ms};
    int64_t best = 0;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i] > a && t[i] < b && (best == 0 || t[i] < best))
            best = t[i];
    for (size_t i = 0; i < cr->n_seg; i++) {
        int64_t u = cr->seg[i].start_ms;
        if (!cr->seg[i].readable && u > a + 1000 && u < b && (best == 0 || u < best) &&
            !footage_cover_removed(&cr->cov, cr->seg[i].recorder))
            best = u;
    }
    return best;
}

/* A file's name and why it cannot be read are the recorder's bytes, not always UTF-8: null
 * then (JSON cannot hold them) rather than the file's whole entry lost. */
static json_t *unreadable_json(const struct doc_ctx *c, const struct store_segment_row *s)
{
    return json_pack("{s:s, s:o?, s:o, s:I, s:o?}", "recorder", s->recorder, "file",
                     json_string(s->path), "start", doc_iso(c, s->start_ms), "bytes",
                     (json_int_t)s->bytes, "reason", json_string(s->reason));
}

static void gap_json(const struct doc_ctx *c, json_t *arr, int64_t a, int64_t b, const char *cause)
{
    json_t *s = span_json(c, a, b);

    json_object_set_new(s, "cause", json_string(cause));
    json_array_append_new(arr, s);
}

/* [a, b), a gap within one stretch the index speaks for alike (footage_next_cut), into arr: cut
 * where its cause changes (gap_next_cut), one gap per cause. */
static void gap_pieces(const struct doc_ctx *c, const struct cam_rows *cr, json_t *arr, int64_t a,
                       int64_t b)
{
    const char *cause = NULL;
    int64_t start = a;

    while (a < b) {
        int64_t cut = gap_next_cut(cr, a, b), end = cut != 0 ? cut : b;
        const char *here = gap_cause(cr, a, end);
        if (cause != NULL && strcmp(here, cause) != 0) {
            gap_json(c, arr, start, a, cause);
            start = a;
        }
        cause = here;
        a = end;
    }
    gap_json(c, arr, start, b, cause);
}

/* What the index knows of a recorder (NULL: none) for the camera: {recorder, state,
 * scanned_at, ok_at, error, known_until, removed_at} (doc.h). */
static json_t *recorder_index_json(const struct doc_ctx *c, const char *recorder,
                                   enum footage_index x, const struct store_recorder *r,
                                   int64_t known_until)
{
    int scanned = r->scanned_ms != 0;

    /* A scan's error may quote a path cut in the middle of a character: null then (o?). */
    return json_pack("{s:s?, s:s, s:o, s:o, s:o?, s:o, s:o}", "recorder", recorder, "state",
                     footage_index_name(x), "scanned_at", doc_iso_or_null(c, r->scanned_ms),
                     "ok_at", doc_iso_or_null(c, r->ok_ms), "error",
                     scanned && !r->ok ? json_string(r->error) : json_null(), "known_until",
                     doc_iso_or_null(c, known_until), "removed_at",
                     doc_iso_or_null(c, r->removed_ms));
}

/* What the index knows of the camera's recorder, and in others[] of each other recorder
 * holding its footage in the range (doc.h). */
static json_t *index_json(const struct doc_ctx *c, const struct cam_rows *cr)
{
    const struct footage_cover *v = &cr->cov;
    json_t *o = recorder_index_json(c, v->index != FOOTAGE_NO_RECORDER ? cr->h.p.recorder : NULL,
                                    v->index, &v->last, v->known_until);
    json_t *arr = json_array();

    for (size_t i = 0; i < v->n_others; i++) {
        const struct footage_other *x = &v->others[i];
        json_array_append_new(
            arr, recorder_index_json(c, x->last.name, x->state, &x->last, x->known_until));
    }
    json_object_set_new(o, "others", arr);
    return o;
}

/* The camera's segments the index counts as footage: all but those on a recorder no longer
 * configured (footage_cover_removed), into *out (malloc'd, caller frees; NULL when none). */
static int counted_segments(const struct cam_rows *cr, struct store_segment_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (cr->n_seg > 0 && (*out = malloc(cr->n_seg * sizeof(**out))) == NULL)
        return -1;
    for (size_t i = 0; i < cr->n_seg; i++)
        if (!footage_cover_removed(&cr->cov, cr->seg[i].recorder))
            (*out)[(*n)++] = cr->seg[i];
    return 0;
}

/* windows, gaps, unreadable and covered_ms of the camera over the range. */
static int footage_fields(const struct doc_ctx *c, const struct doc_footage_query *q,
                          const struct cam_rows *cr, json_t *o, int64_t *first_ms)
{
    struct settings set = footage_settings(c);
    const struct store_segment_row *seg = cr->seg;
    struct store_segment_row *counted = NULL;
    struct footage_span *w = NULL, *g = NULL;
    size_t n = cr->n_seg, nw = 0, ng = 0, nc = 0;
    json_t *jw = json_array(), *jg = json_array(), *ju = json_array();
    int64_t covered = 0;
    int rc;

    *first_ms = 0;
    rc = counted_segments(cr, &counted, &nc);
    if (rc == 0)
        rc = footage_merge(counted, nc, q->scope.from_ms, q->scope.to_ms, set.tolerance_ms, &w, &nw,
                           &g, &ng);
    free(counted);
    if (rc != 0) {
        json_decref(jw);
        json_decref(jg);
        json_decref(ju);
        return -1;
    }
    for (size_t i = 0; i < nw; i++) {
        json_array_append_new(jw, span_json(c, w[i].start_ms, w[i].end_ms));
        covered += w[i].end_ms - w[i].start_ms;
    }
    for (size_t i = 0; i < ng; i++) {
        int64_t a = g[i].start_ms, b = g[i].end_ms, cut;
        /* The index knows up to each recorder's last good scan: a gap across one is two. */
        while ((cut = footage_next_cut(&cr->cov, a, b)) != 0) {
            gap_pieces(c, cr, jg, a, cut);
            a = cut;
        }
        gap_pieces(c, cr, jg, a, b);
    }
    for (size_t i = 0; i < n; i++)
        if (!seg[i].readable)
            json_array_append_new(ju, unreadable_json(c, &seg[i]));
    if (nw > 0)
        *first_ms = w[0].start_ms;
    json_object_set_new(o, "windows", jw);
    json_object_set_new(o, "gaps", jg);
    json_object_set_new(o, "unreadable", ju);
    json_object_set_new(o, "covered_ms", json_integer(covered));
    json_object_set_new(o, "requested_ms", json_integer(q->scope.to_ms - q->scope.from_ms));
    json_object_set_new(o, "segments", json_integer((json_int_t)n));
    free(w);
    free(g);
    return 0;
}

/* state_then (at the range's start), state_since, and the changes during the range. */
static void state_fields(const struct doc_ctx *c, const struct cam_rows *cr, json_t *o)
{
    json_t *arr = json_array();

    json_object_set_new(o, "state_then",
                        cr->has_state ? json_string(cw_state_name(cr->state)) : json_null());
    json_object_set_new(o, "state_since", cr->has_state ? doc_iso(c, cr->since_ms) : json_null());
    for (size_t i = 0; i < cr->n_ev; i++) {
        const struct store_event *ev = &cr->ev[i];
        /* the reason quotes a camera's answer, cut to fit: null when not UTF-8 (o?) */
        json_array_append_new(arr,
                              json_pack("{s:o, s:s, s:s, s:o?}", "at", doc_iso(c, ev->at_ms),
                                        "from", cw_state_name(ev->from), "to",
                                        cw_state_name(ev->to), "reason", json_string(ev->reason)));
    }
    json_object_set_new(o, "state_changes", arr);
}

/* The clock offset in force nearest the range's start. */
static void clock_fields(const struct doc_ctx *c, const struct cam_rows *cr, json_t *o)
{
    const struct store_clock *k = &cr->k;

    json_object_set_new(o, "clock_offset_ms",
                        cr->has_clock ? json_integer(k->offset_ms) : json_null());
    json_object_set_new(o, "clock_error_ms",
                        cr->has_clock ? json_integer(k->error_ms) : json_null());
    json_object_set_new(o, "clock_measured_at", cr->has_clock ? doc_iso(c, k->at_ms) : json_null());
}

/* oldest, retrievable_until and warning. first_ms: the range's first retrievable moment. */
static void expiry_fields(const struct doc_ctx *c, const struct doc_footage_query *q,
                          const struct store_footage_camera *fc, int64_t first_ms, json_t *o)
{
    struct settings set = footage_settings(c);
    int64_t until = first_ms != 0 ? footage_overwritten_at(fc, first_ms) : 0;
    double pace = footage_pace(fc);
    char msg[160], at[64];

    json_object_set_new(o, "oldest", fc->has ? doc_iso(c, fc->oldest_ms) : json_null());
    json_object_set_new(o, "newest", fc->has ? doc_iso(c, fc->newest_ms) : json_null());
    json_object_set_new(o, "overwriting", pace < 0 ? json_null() : json_boolean(pace > 0));
    json_object_set_new(o, "retrievable_until", until != 0 ? doc_iso(c, until) : json_null());
    if (until != 0 && until - q->now_ms < set.warn_before_ms) {
        double days = (double)(until - q->now_ms) / 86400000.0;
        json_t *iso = doc_iso(c, until);
        snprintf(at, sizeof(at), "%s", json_string_value(iso));
        json_decref(iso);
        if (until <= q->now_ms)
            snprintf(msg, sizeof(msg), "may already be overwritten (estimated %s)", at);
        else
            snprintf(msg, sizeof(msg), "overwritten in about %.1f days (%s): export it now", days,
                     at);
        json_object_set_new(o, "warning", json_string(msg));
    } else {
        json_object_set_new(o, "warning", json_null());
    }
}

static json_t *camera_answer(const struct doc_ctx *c, const struct doc_footage_query *q,
                             const struct cam_rows *cr)
{
    static const struct store_footage_camera unknown; /* nothing known */
    const struct store_place *p = &cr->h.p;
    json_t *o = json_object();
    int64_t first = 0;

    doc_place_fields(o, p, cr->h.dist_m);
    json_object_set_new(o, "retired", json_boolean(p->retired));
    json_object_set_new(o, "indexed", json_boolean(cr->indexed));
    json_object_set_new(o, "index", index_json(c, cr));
    if (footage_fields(c, q, cr, o, &first) != 0) {
        json_decref(o);
        return NULL;
    }
    state_fields(c, cr, o);
    clock_fields(c, cr, o);
    /* A recorder no longer configured is not watched: how far back its footage reaches now and
     * how fast it is overwritten are not known. */
    expiry_fields(c, q, cr->cov.index == FOOTAGE_REMOVED ? &unknown : &cr->fc, first, o);
    return o;
}

/* The answer to r's query: an array of cameras. */
static int answer(const struct doc_ctx *c, const struct footage_rows *r, json_t **out,
                  struct cw_err *err)
{
    json_t *arr = json_array();

    *out = NULL;
    for (size_t i = 0; arr != NULL && i < r->n; i++) {
        json_t *o = camera_answer(c, &r->q, &r->cams[i]);
        if (o == NULL) {
            json_decref(arr);
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
        }
        json_array_append_new(arr, o);
    }
    return doc_give(arr, out, err);
}

/* ---- the steps of doc_view_footage and doc_view_request ---- */

static int footage_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    struct footage_rows *r = rows;

    r->q = *(const struct doc_footage_query *)query;
    return read_answer(s, r, err);
}

static int footage_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                         struct cw_err *err)
{
    struct footage_rows *r = rows;
    json_t *cams = NULL;
    int rc;

    (void)query;
    *out = NULL;
    /* The store knows the recorders it scanned; the conf, those that will be. */
    for (size_t i = 0; c->cfg != NULL && i < r->n; i++)
        footage_cover_configured(&r->cams[i].cov,
                                 cfg_find_recorder(c->cfg, r->cams[i].h.p.recorder) != NULL);
    if ((rc = answer(c, r, &cams, err)) != 0 || !r->is_request) {
        *out = cams;
        return rc;
    }
    /* json_pack's "o" takes both references, also when it fails. */
    return doc_give(json_pack("{s:o, s:o}", "request", doc_request_one(c, &r->r), "cameras", cams),
                    out, err);
}

static void footage_clear(void *rows)
{
    struct footage_rows *r = rows;

    for (size_t i = 0; i < r->n; i++) {
        free(r->cams[i].seg);
        free(r->cams[i].ev);
        footage_cover_clear(&r->cams[i].cov);
    }
    free(r->cams);
}

static const struct doc_query_type footage_query_type = {
    sizeof(struct doc_footage_query),
    2,
    {offsetof(struct doc_footage_query, text), offsetof(struct doc_footage_query, cameras)}};
const struct doc_view doc_view_footage = {&footage_query_type, sizeof(struct footage_rows),
                                          footage_read, footage_build, footage_clear};

/* ---- requests ---- */

void doc_request_query(const struct store_request *r, int64_t now_ms, struct doc_footage_query *q)
{
    memset(q, 0, sizeof(*q));
    q->scope = r->scope;
    q->text = r->text;
    q->cameras = r->cameras;
    q->now_ms = now_ms;
}

/* src into a request's field dst of size len: one line of text (doc_text_check: the texts are
 * printed in manifest.txt and in `request list`) that fits whole; -1 (and err names field)
 * otherwise. */
static int request_text(char *dst, size_t len, const char *src, const char *field,
                        struct cw_err *err)
{
    int n = snprintf(dst, len, "%s", src != NULL ? src : "");

    if (n < 0 || (size_t)n >= len) {
        cw_err_set(err, NULL, 0, field, "%zu bytes at the most", len - 1);
        return -1;
    }
    return doc_text_check(field, dst, err) != 0 ? -1 : 0;
}

int doc_request_of_query(const struct doc_footage_query *q, const char *by, const char *case_ref,
                         const char *reason, struct store_request *r, struct cw_err *err)
{
    memset(r, 0, sizeof(*r));
    r->created_ms = q->now_ms;
    r->scope = q->scope;
    if (request_text(r->text, sizeof(r->text), q->text, "place", err) != 0 ||
        request_text(r->cameras, sizeof(r->cameras), q->cameras, "camera", err) != 0 ||
        request_text(r->by, sizeof(r->by), by, "by", err) != 0 ||
        request_text(r->case_ref, sizeof(r->case_ref), case_ref, "case", err) != 0 ||
        request_text(r->reason, sizeof(r->reason), reason, "reason", err) != 0)
        return DOC_BAD_INPUT;
    return 0;
}

static int request_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_request_query *q = query;
    struct footage_rows *r = rows;
    int rc;

    r->is_request = 1;
    if ((rc = store_request_get(s, q->id, &r->r, err)) != 0) {
        if (rc == 1)
            cw_err_set(err, NULL, 0, NULL, "no request %lld", (long long)q->id);
        return rc;
    }
    doc_request_query(&r->r, q->now_ms, &r->q);
    return read_answer(s, r, err);
}

static const struct doc_query_type request_query_type = {sizeof(struct doc_request_query), 0, {0}};
const struct doc_view doc_view_request = {&request_query_type, sizeof(struct footage_rows),
                                          request_read, footage_build, footage_clear};

void doc_place_fields(json_t *o, const struct store_place *p, double dist_m)
{
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "commune", doc_str_or_null(p->commune));
    json_object_set_new(o, "address", doc_str_or_null(p->address));
    json_object_set_new(o, "road", doc_str_or_null(p->road));
    json_object_set_new(o, "lat", p->has_position ? json_real(p->lat) : json_null());
    json_object_set_new(o, "lon", p->has_position ? json_real(p->lon) : json_null());
    json_object_set_new(o, "distance_m", dist_m >= 0 ? json_real(dist_m) : json_null());
    json_object_set_new(o, "recorder", doc_str_or_null(p->recorder));
}

json_t *doc_request_object(const struct store_request *r, doc_when_fn when, const void *data)
{
    json_t *o = json_object(), *place = json_object();

    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "created", when(data, r->created_ms));
    json_object_set_new(o, "by", json_string(r->by));
    json_object_set_new(o, "case", json_string(r->case_ref));
    json_object_set_new(o, "reason", json_string(r->reason));
    json_object_set_new(o, "from", when(data, r->scope.from_ms));
    json_object_set_new(o, "to", when(data, r->scope.to_ms));
    json_object_set_new(place, "kind", json_string(store_place_kind_name(r->scope.place)));
    if (r->scope.place == STORE_PLACE_POINT) {
        json_object_set_new(place, "lat", json_real(r->scope.lat));
        json_object_set_new(place, "lon", json_real(r->scope.lon));
        json_object_set_new(place, "radius_m", json_real(r->scope.radius_m));
    } else if (r->scope.place == STORE_PLACE_TEXT) {
        json_object_set_new(place, "text", json_string(r->text));
    } else {
        json_object_set_new(place, "cameras", doc_split(r->cameras, ','));
    }
    json_object_set_new(o, "place", place);
    return o;
}

static json_t *ctx_when(const void *data, int64_t ms)
{
    return doc_iso(data, ms);
}

json_t *doc_request_one(const struct doc_ctx *c, const void *elem)
{
    return doc_request_object(elem, ctx_when, c);
}

static int requests_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    struct store_request *v = NULL;
    size_t n = 0;
    int rc = store_list_requests(s, &v, &n, err);

    (void)query;
    return doc_list_take(rows, rc, v, n, sizeof(*v), doc_request_one);
}

const struct doc_view doc_view_requests = {NULL, sizeof(struct doc_list), requests_read,
                                           doc_list_build, doc_list_clear};

int doc_request_create(const struct doc_ctx *c, const struct store_request *r, int64_t now_ms,
                       json_t **out, struct cw_err *err)
{
    struct footage_rows fr = {0};
    const struct doc_footage_query *q = &fr.q;
    int64_t id = 0;
    int rc;

    *out = NULL;
    doc_request_query(r, now_ms, &fr.q);
    if (doc_footage_check(q, err) != 0)
        return DOC_BAD_INPUT;
    if (r->by[0] == '\0' || r->case_ref[0] == '\0' || r->reason[0] == '\0') {
        cw_err_set(err, NULL, 0,
                   r->by[0] == '\0'         ? "by"
                   : r->case_ref[0] == '\0' ? "case"
                                            : "reason",
                   "required: a request says who asks, for which case and why");
        return DOC_BAD_INPUT;
    }
    /* Camera ids are checked before anything is written; a place with no camera there (as
     * `footage find` answers it) is refused too: a request whose export could only say
     * "0 cameras" is no request. The CLI's and the API's creation both come here. */
    if ((rc = find_cameras(c->store, &fr, err)) != 0)
        return rc;
    free(fr.cams);
    if (fr.n == 0) {
        cw_err_set(err, NULL, 0, q->scope.place == STORE_PLACE_POINT ? "near" : "place",
                   "no camera there: nothing stored");
        return DOC_BAD_INPUT;
    }
    if (store_request_create(c->store, r, now_ms, &id, err) != 0)
        return -1;
    return doc_give(json_pack("{s:I}", "id", (json_int_t)id), out, err);
}

/* ---- the audit trail ---- */

/* s as a JSON string: a row's bytes that are not UTF-8 (a folder so named, a field cut inside a
 * character) each as U+FFFD, so the audit's answer never fails on what a row holds. */
static json_t *row_text(const char *s)
{
    json_t *j = json_string(s);
    size_t len = 0;
    char *buf;

    if (j != NULL || (buf = malloc(3 * strlen(s) + 1)) == NULL)
        return j;
    for (const char *p = s; *p != '\0';)
        len += cw_text_put(cw_text_next(&p), buf + len);
    buf[len] = '\0';
    j = json_string(buf);
    free(buf);
    return j;
}

/* Whether the export begun at row a runs now: a CLI export of this version holds its folder's
 * lock while it runs (folderlock.h), an older version's none (unknown); an API export runs in
 * camwatchd, which closes its own dead ones as it starts, so with camwatchd not running it is
 * certainly dead, else unsure. state gets "running", "killed" or "unknown", why what it rests
 * on. */
static void unfinished_state(const struct doc_ctx *c, const struct store_audit *a,
                             const char **state, char *why, size_t len)
{
    static const char *const names[] = {"running", "killed", "unknown"};

    *state = names[folderlock_export(c->cfg != NULL ? c->cfg->database : NULL, a, why, len)];
}

/* An export.start row no end row follows: where is the CLI's folder (an absolute path; the
 * mark of its lock is not part of it) or the API export's name; subject "request N"; whether a
 * CLI export holds its folder's lock while it runs (an older version's holds none); whether it
 * runs now (unfinished_state). */
static json_t *unfinished_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_audit *a = elem;
    long long request = 0;
    const char *state;
    char why[4400], where[sizeof(a->detail)];
    int folder, locked;

    locked = store_audit_start_where(a, where, sizeof(where));
    folder = where[0] == '/';
    if (sscanf(a->subject, "request %lld", &request) != 1)
        request = 0;
    unfinished_state(c, a, &state, why, sizeof(why));
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "row", (json_int_t)a->id,
                     "began", doc_iso_or_null(c, a->at_ms), "by", row_text(a->actor), "request",
                     request > 0 ? json_integer(request) : json_null(), "folder",
                     folder ? row_text(where) : json_null(), "export",
                     folder ? json_null() : row_text(where), "locks_folder",
                     folder ? json_boolean(locked) : json_null(), "state", state, "state_why",
                     row_text(why));
}

int doc_audit_verify(const struct doc_ctx *c, json_t **out, struct cw_err *err)
{
    int64_t rows = 0, broken = 0;
    struct store_audit *open = NULL;
    size_t n = 0;
    json_t *unfinished = NULL;
    char why[256];

    *out = NULL;
    if (store_audit_verify(c->store, &rows, &broken, why, sizeof(why), err) != 0 ||
        store_audit_unfinished_exports(c->store, &open, &n, err) != 0)
        return -1;
    if (doc_give_rows(c, open, n, sizeof(*open), unfinished_json, &unfinished, err) != 0)
        return -1;
    return doc_give(
        json_pack("{s:b, s:I, s:o, s:o?, s:o}", "intact", broken == 0, "rows", (json_int_t)rows,
                  "broken_at", broken != 0 ? json_integer(broken) : json_null(), "why",
                  broken != 0 ? json_string(why) : json_null(), "unfinished_exports", unfinished),
        out, err);
}

/* ---- recorders ---- */

static json_t *recorder_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_recorder *r = elem;

    return json_pack("{s:s, s:s, s:o, s:b, s:o?, s:o, s:I, s:I, s:I, s:o}", "name", r->name, "kind",
                     r->kind, "scanned_at", doc_iso_or_null(c, r->scanned_ms), "ok", r->ok, "error",
                     doc_str_or_null(r->error), "ok_at", doc_iso_or_null(c, r->ok_ms), "segments",
                     (json_int_t)r->segments, "unreadable", (json_int_t)r->unreadable, "bytes",
                     (json_int_t)r->bytes, "removed_at", doc_iso_or_null(c, r->removed_ms));
}

int doc_recorders(const struct doc_ctx *c, json_t **out, struct cw_err *err)
{
    struct store_recorder *v = NULL;
    size_t n = 0;

    *out = NULL;
    if (store_list_recorders(c->store, 1, &v, &n, err) != 0)
        return -1;
    return doc_give_rows(c, v, n, sizeof(*v), recorder_json, out, err);
}

/* ---- results of actions: scans, exports ---- */

static json_t *scan_json(const struct doc_ctx *c, const void *elem)
{
    const struct doc_scan *v = elem;

    (void)c;
    return json_pack("{s:s, s:s, s:b, s:o?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
                     v->name, "kind", v->kind, "ok", v->ok, "error", doc_str_or_null(v->error),
                     "files", (json_int_t)v->files, "changed", (json_int_t)v->changed, "gone",
                     (json_int_t)v->gone, "unreadable", (json_int_t)v->unreadable, "unmapped",
                     (json_int_t)v->unmapped, "ignored", (json_int_t)v->ignored, "kept",
                     (json_int_t)v->kept, "dirs_listed", (json_int_t)v->dirs_listed, "dirs_skipped",
                     (json_int_t)v->dirs_skipped);
}

int doc_scans(const struct doc_ctx *c, const struct doc_scan *v, size_t n, json_t **out,
              struct cw_err *err)
{
    *out = NULL;
    return doc_give(doc_array(c, v, n, sizeof(*v), scan_json), out, err);
}

int doc_exported(const struct doc_ctx *c, const struct doc_export *e, json_t **out,
                 struct cw_err *err)
{
    (void)c;
    *out = NULL;
    /* The folder is the one asked for, in bytes a file system takes: null when not UTF-8. */
    return doc_give(json_pack("{s:I, s:o?, s:I, s:I, s:s, s:o?}", "request",
                              (json_int_t)e->request_id, "out_dir", json_string(e->out_dir),
                              "files", (json_int_t)e->files, "cameras", (json_int_t)e->cameras,
                              "sha256sums", e->sums_sha256, "delivered",
                              doc_str_or_null(e->summary)),
                    out, err);
}
