/* doc_uptime.c - the uptime document: each camera's time in each state over a range, from
 * the store's exact event intervals, and the same summed per owner. Read-only; the owner
 * sums live only during the call. */
#include "doc_priv.h"

#include <stdlib.h>
#include <string.h>

#define N_STATES 5 /* enum cw_state values */

/* Sums for one owner, or one camera's row. */
struct sum {
    const char *key; /* camera id or owner code; borrowed */
    int64_t ms[N_STATES];
    int outages;
    int cameras;
};

/* Order of the states in the document: the ones people ask about first. */
static const enum cw_state order[N_STATES] = {CW_UP, CW_DEGRADED, CW_DOWN, CW_UNKNOWN,
                                              CW_MAINTENANCE};

/* Fold camera rows into one sum per owner, sorted by owner code. Returns the count with
 * *out malloc'd (caller frees; keys borrow from rows), or -1 when out of memory. */
static long sum_by_owner(const struct store_uptime *rows, size_t n, struct sum **out)
{
    struct sum *o = calloc(n > 0 ? n : 1, sizeof(*o));
    size_t no = 0;

    if (o == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < no && strcmp(o[k].key, rows[i].owner) != 0)
            k++;
        if (k == no) {
            /* keep owners sorted by code: insert at its place */
            size_t at = 0;
            while (at < no && strcmp(o[at].key, rows[i].owner) < 0)
                at++;
            memmove(&o[at + 1], &o[at], (no - at) * sizeof(*o));
            memset(&o[at], 0, sizeof(*o));
            o[at].key = rows[i].owner;
            no++;
            k = at;
        }
        for (int s = 0; s < N_STATES; s++)
            o[k].ms[s] += rows[i].ms[s];
        o[k].outages += rows[i].outages;
        o[k].cameras++;
    }
    *out = o;
    return (long)no;
}

/* The figures of one sum, appended to o. */
static void sum_json(const struct sum *s, json_t *o)
{
    json_t *ms = json_object(), *pct = json_object();
    int64_t total = 0;

    for (int i = 0; i < N_STATES; i++)
        total += s->ms[i];
    for (int i = 0; i < N_STATES; i++) {
        enum cw_state st = order[i];
        json_object_set_new(ms, cw_state_name(st), json_integer(s->ms[st]));
        json_object_set_new(pct, cw_state_name(st),
                            total > 0 ? json_real(100.0 * (double)s->ms[st] / (double)total)
                                      : json_null());
    }
    json_object_set_new(o, "existed_ms", json_integer(total));
    json_object_set_new(o, "ms", ms);
    json_object_set_new(o, "percent", pct);
    json_object_set_new(o, "outages", json_integer(s->outages));
    json_object_set_new(o, "downtime_ms", json_integer(s->ms[CW_DOWN]));
}

static json_t *camera_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_uptime *r = elem;
    const struct cfg_camera *cam = cfg_find_camera(c->cfg, r->camera_id);
    struct sum s = {.key = r->camera_id, .outages = r->outages, .cameras = 1};
    json_t *o = json_object();

    memcpy(s.ms, r->ms, sizeof(s.ms));
    json_object_set_new(o, "id", json_string(r->camera_id));
    json_object_set_new(o, "name", cam ? json_string(cam->name) : json_null());
    json_object_set_new(o, "owner", json_string(r->owner));
    sum_json(&s, o);
    return o;
}

static json_t *owner_json(const struct doc_ctx *c, const void *elem)
{
    const struct sum *s = elem;
    json_t *o = json_object();

    json_object_set_new(o, "owner", json_string(s->key));
    json_object_set_new(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, s->key)));
    json_object_set_new(o, "cameras", json_integer(s->cameras));
    sum_json(s, o);
    return o;
}

int doc_uptime_rows(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                    const struct store_uptime *rows, size_t n, json_t **out, struct cw_err *err)
{
    struct sum *owners = NULL;
    json_t *root = NULL;
    long no;

    *out = NULL;
    if ((no = sum_by_owner(rows, n, &owners)) >= 0 && (root = json_object()) != NULL) {
        json_object_set_new(root, "from", doc_iso(c, from_ms));
        json_object_set_new(root, "from_ms", json_integer(from_ms));
        json_object_set_new(root, "to", doc_iso(c, to_ms));
        json_object_set_new(root, "to_ms", json_integer(to_ms));
        if ((by != DOC_UPTIME_OWNER &&
             json_object_set_new(root, "cameras",
                                 doc_array(c, rows, n, sizeof(*rows), camera_json)) != 0) ||
            (by != DOC_UPTIME_CAMERA &&
             json_object_set_new(root, "owners",
                                 doc_array(c, owners, (size_t)no, sizeof(*owners), owner_json)) !=
                 0)) {
            json_decref(root);
            root = NULL;
        }
    }
    free(owners);
    return doc_give(root, out, err);
}

int doc_uptime(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
               json_t **out, struct cw_err *err)
{
    struct store_uptime *rows = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if (store_uptime(c->store, from_ms, to_ms, &rows, &n, err) != 0)
        return -1;
    rc = doc_uptime_rows(c, from_ms, to_ms, by, rows, n, out, err);
    free(rows);
    return rc;
}
