/* doc_digest.c - the daily digest: what is down or degraded now and what changed over the
 * last day, from the status list and the events of the window (read page by page, so a day
 * of a flapping fleet costs bounded memory). Read-only; the arrays it reads are freed before
 * it returns. */
#include "doc_priv.h"

#include <stdlib.h>
#include <string.h>

#define DIGEST_PAGE 5000 /* events read at a time */

struct digest_cam {
    const struct store_status *st;
    int changes;
};

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct digest_cam *)a)->st->id, ((const struct digest_cam *)b)->st->id);
}

/* Down first, then degraded; the longest out first, then by id. */
static int by_problem(const void *a, const void *b)
{
    const struct store_status *x = ((const struct digest_cam *)a)->st;
    const struct store_status *y = ((const struct digest_cam *)b)->st;

    if (x->state != y->state)
        return x->state == CW_DOWN ? -1 : 1;
    if (x->since_ms != y->since_ms)
        return x->since_ms < y->since_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The most changes first, then by id. */
static int by_changes(const void *a, const void *b)
{
    const struct digest_cam *x = a, *y = b;

    if (x->changes != y->changes)
        return x->changes > y->changes ? -1 : 1;
    return strcmp(x->st->id, y->st->id);
}

/* Count each camera's state changes in [from_ms, to_ms); *total gets them all (cameras no
 * longer in the list too). */
static int count_changes(const struct doc_ctx *c, struct digest_cam *cams, size_t n,
                         int64_t from_ms, int64_t to_ms, long *total, struct cw_err *err)
{
    struct store_page pg = {NULL, from_ms, INT64_MIN, INT64_MIN, DIGEST_PAGE};
    struct store_event *ev = NULL;
    size_t m;

    *total = 0;
    do {
        if (store_list_events_page(c->store, &pg, &ev, &m, err) != 0)
            return -1;
        for (size_t i = 0; i < m && ev[i].at_ms < to_ms; i++) {
            struct store_status key;
            struct digest_cam k = {&key, 0}, *hit;

            snprintf(key.id, sizeof(key.id), "%s", ev[i].camera_id);
            hit = n > 0 ? bsearch(&k, cams, n, sizeof(*cams), by_id) : NULL;
            if (hit != NULL)
                hit->changes++;
            ++*total;
        }
        if (m > 0) {
            pg.after_at_ms = ev[m - 1].at_ms;
            pg.after_id = ev[m - 1].id;
        }
        free(ev);
        ev = NULL;
    } while (m == DIGEST_PAGE && pg.after_at_ms < to_ms);
    return 0;
}

static json_t *problem_json(const struct doc_ctx *c, const struct store_status *st)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_string(st->id));
    json_object_set_new(o, "name", json_string(st->name));
    json_object_set_new(o, "owner", json_string(st->owner));
    json_object_set_new(o, "state", json_string(cw_state_name(st->state)));
    json_object_set_new(o, "since", doc_iso(c, st->since_ms));
    json_object_set_new(o, "since_ms", json_integer(st->since_ms));
    json_object_set_new(o, "reason", json_string(st->reason));
    return o;
}

static json_t *changed_json(const struct digest_cam *d)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_string(d->st->id));
    json_object_set_new(o, "name", json_string(d->st->name));
    json_object_set_new(o, "changes", json_integer(d->changes));
    json_object_set_new(o, "state", json_string(cw_state_name(d->st->state)));
    return o;
}

/* Sort v by cmp and put the first max that pass keep into o[key], and how many were left
 * out into o[more]. */
static void add_list(const struct doc_ctx *c, json_t *o, const char *key, const char *more,
                     struct digest_cam *v, size_t n, int (*cmp)(const void *, const void *),
                     int (*keep)(const struct digest_cam *), size_t max)
{
    json_t *arr = json_array();
    size_t kept = 0, left = 0;

    qsort(v, n, sizeof(*v), cmp);
    for (size_t i = 0; i < n; i++) {
        if (!keep(&v[i]))
            continue;
        if (kept++ >= max) {
            left++;
            continue;
        }
        json_array_append_new(arr,
                              cmp == by_problem ? problem_json(c, v[i].st) : changed_json(&v[i]));
    }
    json_object_set_new(o, key, arr);
    json_object_set_new(o, more, json_integer((json_int_t)left));
}

static int is_problem(const struct digest_cam *d)
{
    return d->st->state == CW_DOWN || d->st->state == CW_DEGRADED;
}

static int has_changed(const struct digest_cam *d)
{
    return d->changes > 0;
}

int doc_digest(const struct doc_ctx *c, int64_t now_ms, int64_t window_ms, size_t max, json_t **out,
               struct cw_err *err)
{
    struct store_status *st = NULL;
    struct digest_cam *cams = NULL;
    json_t *o = NULL, *counts;
    size_t n = 0;
    long total, by_state[CW_MAINTENANCE + 1] = {0};
    int rc = -1;

    *out = NULL;
    if (store_list_status(c->store, &st, &n, err) != 0)
        return -1;
    if ((cams = calloc(n ? n : 1, sizeof(*cams))) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        cams[i].st = &st[i]; /* the store lists them by id */
    if (count_changes(c, cams, n, now_ms - window_ms, now_ms, &total, err) != 0)
        goto done;
    if ((o = json_object()) == NULL || (counts = json_object()) == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++)
        by_state[st[i].state]++;
    for (int s = CW_UNKNOWN; s <= CW_MAINTENANCE; s++)
        json_object_set_new(counts, cw_state_name((enum cw_state)s), json_integer(by_state[s]));
    json_object_set_new(o, "at", doc_iso(c, now_ms));
    json_object_set_new(o, "from", doc_iso(c, now_ms - window_ms));
    json_object_set_new(o, "to", doc_iso(c, now_ms));
    json_object_set_new(o, "cameras", json_integer((json_int_t)n));
    json_object_set_new(o, "counts", counts);
    json_object_set_new(o, "changes", json_integer(total));
    add_list(c, o, "problems", "problems_more", cams, n, by_problem, is_problem, max);
    add_list(c, o, "changed", "changed_more", cams, n, by_changes, has_changed, max);
    rc = doc_give(o, out, err);
    o = NULL;
    goto done;
oom:
    rc = cw_err_set(err, NULL, 0, NULL, "out of memory");
done:
    json_decref(o);
    free(cams);
    free(st);
    return rc;
}
