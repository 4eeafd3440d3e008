/* footage.c - windows, gaps and the pace of overwriting, from a camera's segments and its
 * footage summary, the cameras a request's place names, and until when the index speaks for
 * a recorder (footage.h). Pure but for footage_cameras and footage_known_until, which read the
 * store (its handle's thread). */
#include "footage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/text.h"
#include "../util/vec.h"

/* Append [a, b) to *v (length *n, capacity *cap). */
static int push(struct footage_span **v, size_t *n, size_t *cap, int64_t a, int64_t b)
{
    if (cw_vec_grow(v, *n, cap, sizeof(**v), 8) != 0)
        return -1;
    (*v)[(*n)++] = (struct footage_span){a, b};
    return 0;
}

int footage_merge(const struct store_segment_row *seg, size_t n, int64_t from_ms, int64_t to_ms,
                  int64_t tolerance_ms, struct footage_span **windows, size_t *n_windows,
                  struct footage_span **gaps, size_t *n_gaps)
{
    size_t cap_w = 0, cap_g = 0;
    int64_t cur_a = 0, cur_b = 0, at = from_ms;
    int open = 0;

    *windows = *gaps = NULL;
    *n_windows = *n_gaps = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = seg[i].start_ms, b = seg[i].end_ms;
        if (!seg[i].readable || b <= a || b <= from_ms || a >= to_ms)
            continue;
        if (open && a <= cur_b + tolerance_ms) {
            if (b > cur_b)
                cur_b = b;
            continue;
        }
        if (open && push(windows, n_windows, &cap_w, cur_a, cur_b) != 0)
            goto oom;
        cur_a = a;
        cur_b = b;
        open = 1;
    }
    if (open && push(windows, n_windows, &cap_w, cur_a, cur_b) != 0)
        goto oom;
    /* Cut to the range, and the gaps between. */
    for (size_t i = 0; i < *n_windows; i++) {
        struct footage_span *w = &(*windows)[i];
        if (w->start_ms < from_ms)
            w->start_ms = from_ms;
        if (w->end_ms > to_ms)
            w->end_ms = to_ms;
        if (w->start_ms > at && push(gaps, n_gaps, &cap_g, at, w->start_ms) != 0)
            goto oom;
        at = w->end_ms;
    }
    if (at < to_ms && push(gaps, n_gaps, &cap_g, at, to_ms) != 0)
        goto oom;
    return 0;
oom:
    free(*windows);
    free(*gaps);
    *windows = *gaps = NULL;
    *n_windows = *n_gaps = 0;
    return -1;
}

double footage_pace(const struct store_footage_camera *fc)
{
    if (!fc->has || !fc->has_pace || fc->updated_ms <= fc->pace_since_ms)
        return -1;
    if (fc->oldest_ms <= fc->pace_oldest_ms)
        return 0;
    return (double)(fc->oldest_ms - fc->pace_oldest_ms) /
           (double)(fc->updated_ms - fc->pace_since_ms);
}

int64_t footage_overwritten_at(const struct store_footage_camera *fc, int64_t t_ms)
{
    double pace = footage_pace(fc);

    if (pace <= 0)
        return 0;
    if (t_ms < fc->oldest_ms)
        return fc->updated_ms;
    return fc->updated_ms + (int64_t)((double)(t_ms - fc->oldest_ms) / pace);
}

/* ---- which cameras a place names ---- */

static int place_matches(const struct store_place *p, const char *text)
{
    const char *fields[] = {p->name, p->address, p->road, p->commune, p->id};

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        int m = cw_text_contains(fields[i], text);
        if (m != 0)
            return m;
    }
    return 0;
}

/* The next id of a comma-separated list from *p: its start and length (0 at the end). */
static size_t next_id(const char **p, const char **id)
{
    size_t n;

    *p += strspn(*p, " ,");
    *id = *p;
    n = strcspn(*p, ",");
    *p += n;
    while (n > 0 && (*id)[n - 1] == ' ')
        n--;
    return n;
}

static int ids_have(const char *list, const char *id)
{
    const char *p = list, *it;
    size_t n;

    while ((n = next_id(&p, &it)) > 0)
        if (n == strlen(id) && strncmp(it, id, n) == 0)
            return 1;
    return 0;
}

/* The first id of list that no place in v has, into buf. */
static void first_unknown(const char *list, const struct store_place *v, size_t n, char *buf,
                          size_t len)
{
    const char *p = list, *it;
    size_t k;

    while ((k = next_id(&p, &it)) > 0) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strlen(v[i].id) == k && strncmp(v[i].id, it, k) == 0;
        if (!found) {
            snprintf(buf, len, "%.*s", (int)k, it);
            return;
        }
    }
}

int footage_cameras(struct store *s, const struct store_scope *sc, const char *text,
                    const char *ids, struct store_place **out, double **dist_m, size_t *n,
                    char *unknown, size_t unknown_len, struct cw_err *err)
{
    enum store_place_kind kind = sc->place;
    struct store_place *v = NULL;
    size_t m = 0, k = 0;

    *out = NULL;
    *dist_m = NULL;
    *n = 0;
    if (unknown_len > 0)
        unknown[0] = '\0';
    if (kind == STORE_PLACE_POINT)
        return store_places_near(s, sc->lat, sc->lon, sc->radius_m, out, dist_m, n, err);
    if (store_list_places(s, &v, &m, err) != 0)
        return -1;
    if (kind == STORE_PLACE_CAMERAS)
        first_unknown(ids, v, m, unknown, unknown_len);
    for (size_t i = 0; i < m; i++) {
        int keep = kind == STORE_PLACE_TEXT ? place_matches(&v[i], text) : ids_have(ids, v[i].id);
        if (keep < 0) {
            free(v);
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
        }
        if (keep)
            v[k++] = v[i];
    }
    *out = v;
    *n = k;
    return 0;
}

enum footage_index footage_index_of(const char *recorder, const struct store_recorder *rec,
                                    size_t n, struct store_recorder *last)
{
    memset(last, 0, sizeof(*last));
    if (recorder == NULL || recorder[0] == '\0')
        return FOOTAGE_NO_RECORDER;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rec[i].name, recorder) != 0 || rec[i].scanned_ms == 0)
            continue;
        *last = rec[i];
        return rec[i].removed_ms != 0 ? FOOTAGE_REMOVED
               : rec[i].ok            ? FOOTAGE_SCANNED
               : rec[i].ok_ms != 0    ? FOOTAGE_SCAN_FAILED
                                      : FOOTAGE_NEVER_SCANNED;
    }
    return FOOTAGE_NEVER_SCANNED;
}

const char *footage_index_name(enum footage_index x)
{
    static const char *const names[] = {"no recorder", "never scanned",        "scan failed",
                                        "scanned",     "no longer configured", "not configured"};

    return (unsigned)x < sizeof(names) / sizeof(names[0]) ? names[x] : "never scanned";
}

/* footage_known_until; mapped 0: the sheet does not put the camera on that recorder now, so
 * its scans index none of the camera's new files, and speak for it only up to the one that
 * wrote its newest footage there (seen_ms), not up to the recorder's last; of its footage
 * there starting before before_ms (where it is on its own recorder again: the search never
 * walks back over all it recorded there since it moved). */
static int known_until(struct store *s, const char *camera_id, enum footage_index x,
                       const struct store_recorder *last, int mapped, int64_t before_ms,
                       int64_t *until, struct cw_err *err)
{
    int64_t at = x == FOOTAGE_SCANNED ? last->scanned_ms : last->ok_ms, newest = 0, seen = 0;

    *until = 0;
    if (x != FOOTAGE_SCANNED && x != FOOTAGE_SCAN_FAILED)
        return 0;
    if (store_camera_newest_seen(s, camera_id, last->name, at, before_ms, &newest, &seen, err) != 0)
        return -1;
    if (!mapped)
        at = seen;
    *until = newest > at ? newest : at;
    return 0;
}

int footage_known_until(struct store *s, const char *camera_id, enum footage_index x,
                        const struct store_recorder *last, int64_t *until, struct cw_err *err)
{
    return known_until(s, camera_id, x, last, 1, INT64_MAX, until, err);
}

int footage_unindexed(enum footage_index x, int64_t until, int64_t start_ms)
{
    return x == FOOTAGE_NO_RECORDER || x == FOOTAGE_NEVER_SCANNED || x == FOOTAGE_REMOVED ||
           x == FOOTAGE_NOT_CONFIGURED || start_ms >= until;
}

/* Recorder r, not yet among v[0..*k), added to it with its last scan (known_until: later).
 * 0 or -1 with err. */
static int add_other(const char *r, const struct store_recorder *rec, size_t nrec,
                     struct footage_other **v, size_t *k, size_t *cap, struct cw_err *err)
{
    struct footage_other *o;

    for (size_t j = 0; j < *k; j++)
        if (strcmp((*v)[j].last.name, r) == 0)
            return 0;
    if (cw_vec_grow(v, *k, cap, sizeof(**v), 2) != 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    o = &(*v)[*k];
    o->state = footage_index_of(r, rec, nrec, &o->last);
    snprintf(o->last.name, sizeof(o->last.name), "%s", r);
    (*k)++;
    return 0;
}

int footage_others(struct store *s, const char *camera_id, const char *recorder, int64_t from_ms,
                   const struct store_segment_row *seg, size_t n, const struct store_recorder *rec,
                   size_t nrec, struct footage_other **others, size_t *n_others,
                   int64_t *first_here_ms, struct cw_err *err)
{
    struct footage_other *v = NULL;
    struct store_segment_row before;
    size_t k = 0, cap = 0;
    int64_t left_ms = INT64_MIN; /* the end of its latest footage on another recorder */
    int rc;

    *others = NULL;
    *n_others = 0;
    *first_here_ms = INT64_MAX;
    /* The recorder that held it just before the range speaks for the range's start too. */
    rc = store_footage_segment_before(s, camera_id, from_ms, &before, err);
    for (size_t i = 0; rc >= 0 && i <= n; i++) {
        const struct store_segment_row *g = i < n ? &seg[i] : rc == 0 ? &before : NULL;
        if (g == NULL || (recorder != NULL && strcmp(g->recorder, recorder) == 0))
            continue;
        if (add_other(g->recorder, rec, nrec, &v, &k, &cap, err) != 0)
            rc = -1;
        else if (g->end_ms > left_ms)
            left_ms = g->end_ms;
    }
    /* Where it is on its recorder now again after the last footage it left elsewhere. */
    if (rc >= 0 && k > 0 && recorder != NULL && recorder[0] != '\0' &&
        store_camera_first_on(s, camera_id, recorder, left_ms, first_here_ms, err) != 0)
        rc = -1;
    for (size_t i = 0; rc >= 0 && i < k; i++)
        if (known_until(s, camera_id, v[i].state, &v[i].last, 0, *first_here_ms, &v[i].known_until,
                        err) != 0)
            rc = -1;
    if (rc < 0) {
        free(v);
        return -1;
    }
    *others = v;
    *n_others = k;
    return 0;
}

int footage_cover_read(struct store *s, const char *camera_id, const char *recorder,
                       int64_t from_ms, const struct store_segment_row *seg, size_t n,
                       const struct store_recorder *rec, size_t nrec, struct footage_cover *c,
                       struct cw_err *err)
{
    memset(c, 0, sizeof(*c));
    c->index = footage_index_of(recorder, rec, nrec, &c->last);
    if (footage_known_until(s, camera_id, c->index, &c->last, &c->known_until, err) != 0 ||
        footage_others(s, camera_id, recorder, from_ms, seg, n, rec, nrec, &c->others, &c->n_others,
                       &c->first_here_ms, err) != 0) {
        footage_cover_clear(c);
        return -1;
    }
    return 0;
}

int footage_cover_removed(const struct footage_cover *c, const char *recorder)
{
    if (c->index == FOOTAGE_REMOVED && strcmp(c->last.name, recorder) == 0)
        return 1;
    for (size_t i = 0; i < c->n_others; i++)
        if (c->others[i].state == FOOTAGE_REMOVED && strcmp(c->others[i].last.name, recorder) == 0)
            return 1;
    return 0;
}

void footage_cover_configured(struct footage_cover *c, int configured)
{
    if (!configured && c->index == FOOTAGE_NEVER_SCANNED && c->last.scanned_ms == 0)
        c->index = FOOTAGE_NOT_CONFIGURED;
}

void footage_cover_clear(struct footage_cover *c)
{
    if (c == NULL)
        return;
    free(c->others);
    memset(c, 0, sizeof(*c));
}

const struct footage_other *footage_unindexed_by(const struct footage_cover *c, int64_t t_ms)
{
    for (size_t i = 0; i < c->n_others; i++)
        if (t_ms < c->first_here_ms &&
            footage_unindexed(c->others[i].state, c->others[i].known_until, t_ms))
            return &c->others[i];
    return NULL;
}

int footage_unindexed_at(const struct footage_cover *c, int64_t t_ms)
{
    if (footage_unindexed_by(c, t_ms) != NULL)
        return 1;
    if (c->index == FOOTAGE_NO_RECORDER && c->n_others > 0)
        return 0;
    return footage_unindexed(c->index, c->known_until, t_ms);
}

int64_t footage_next_cut(const struct footage_cover *c, int64_t a_ms, int64_t b_ms)
{
    int64_t best = 0;

    for (size_t i = 0; i < c->n_others + 2; i++) {
        int64_t t = i == 0   ? c->known_until
                    : i == 1 ? c->first_here_ms
                             : c->others[i - 2].known_until;
        if (t > a_ms && t < b_ms && (best == 0 || t < best))
            best = t;
    }
    return best;
}

int64_t footage_unindexed_from(const struct footage_cover *c, int64_t from_ms, int64_t to_ms)
{
    int64_t t = from_ms;

    while (t != 0 && !footage_unindexed_at(c, t))
        t = footage_next_cut(c, t, to_ms);
    return t;
}
