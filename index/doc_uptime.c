/* doc_uptime.c - the uptime document: each camera's time in each state over a range, from
 * the store's exact event intervals, and the same summed per owner. Written as the store
 * works each camera out (doc_uptime_write: the CLI's --json) or built whole (doc_uptime, and
 * doc_view_uptime from rows read at once: the API's), by the same writer. Read-only; the
 * owner sums live only during the call. */
#include "doc_priv.h"

#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"

#define N_STATES 5 /* enum cw_state values */

/* Sums for one owner, or one camera's row. */
struct sum {
    const char *key; /* camera id or owner code */
    int64_t ms[N_STATES];
    int outages;
    int cameras;
};

/* Order of the states in the document: the ones people ask about first. */
static const enum cw_state order[N_STATES] = {CW_UP, CW_DEGRADED, CW_DOWN, CW_UNKNOWN,
                                              CW_MAINTENANCE};

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
    /* The inventory names its cameras (a row with a problem is left out: null); a camera taken
     * out of it keeps the name the store last had for it, as the reports show it. */
    json_object_set_new(o, "name",
                        cam != NULL  ? json_string(cam->name)
                        : r->retired ? doc_str_or_null(r->name)
                                     : json_null());
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

/* The document as it is written: its head, each camera's row (its object written at once, its
 * figures added to its owner's sum), then the owners. */
struct writer {
    const struct doc_ctx *c;
    struct doc_out *o;
    enum doc_uptime_by by;
    struct sum *owners; /* sorted by code; keys owned */
    size_t n_owners, cap;
};

/* The sum of owner code, made (at its place in code order) when new; NULL when out of memory. */
static struct sum *owner_sum(struct writer *w, const char *code)
{
    size_t at = 0;
    char *key;

    while (at < w->n_owners && strcmp(w->owners[at].key, code) < 0)
        at++;
    if (at < w->n_owners && strcmp(w->owners[at].key, code) == 0)
        return &w->owners[at];
    if (cw_vec_grow(&w->owners, w->n_owners, &w->cap, sizeof(*w->owners), 16) != 0)
        return NULL;
    if ((key = strdup(code)) == NULL)
        return NULL;
    memmove(&w->owners[at + 1], &w->owners[at], (w->n_owners - at) * sizeof(*w->owners));
    memset(&w->owners[at], 0, sizeof(*w->owners));
    w->owners[at].key = key;
    w->n_owners++;
    return &w->owners[at];
}

static int write_head(struct writer *w, int64_t from_ms, int64_t to_ms)
{
    struct doc_out *o = w->o;

    if (doc_out_object(o, NULL) != 0 || doc_out_add(o, "from", doc_iso(w->c, from_ms)) != 0 ||
        doc_out_add(o, "from_ms", json_integer(from_ms)) != 0 ||
        doc_out_add(o, "to", doc_iso(w->c, to_ms)) != 0 ||
        doc_out_add(o, "to_ms", json_integer(to_ms)) != 0)
        return -1;
    return w->by != DOC_UPTIME_OWNER ? doc_out_array(o, "cameras") : 0;
}

static int write_row(void *data, const struct store_uptime *r, struct cw_err *err)
{
    struct writer *w = data;
    struct sum *o = owner_sum(w, r->owner);

    if (o == NULL)
        return cw_err_set(err, NULL, 0, NULL, "uptime: out of memory");
    for (int s = 0; s < N_STATES; s++)
        o->ms[s] += r->ms[s];
    o->outages += r->outages;
    o->cameras++;
    if (w->by != DOC_UPTIME_OWNER && doc_out_add(w->o, NULL, camera_json(w->c, r)) != 0)
        return doc_out_fail(w->o, "uptime", err);
    return 0;
}

static int write_tail(struct writer *w)
{
    struct doc_out *o = w->o;

    if (w->by != DOC_UPTIME_OWNER && doc_out_close(o) != 0)
        return -1;
    if (w->by != DOC_UPTIME_CAMERA) {
        if (doc_out_array(o, "owners") != 0)
            return -1;
        for (size_t i = 0; i < w->n_owners; i++)
            if (doc_out_add(o, NULL, owner_json(w->c, &w->owners[i])) != 0)
                return -1;
        if (doc_out_close(o) != 0)
            return -1;
    }
    return doc_out_close(o);
}

static void writer_free(struct writer *w)
{
    for (size_t i = 0; i < w->n_owners; i++)
        free((char *)w->owners[i].key);
    free(w->owners);
}

/* The whole document into o, its rows from rows (n of them) or, when rows is NULL, from the
 * store as they are worked out. */
static int write_doc(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                     const struct store_uptime *rows, size_t n, struct doc_out *o,
                     struct cw_err *err)
{
    struct writer w = {.c = c, .o = o, .by = by};
    int rc = -1;

    if (write_head(&w, from_ms, to_ms) != 0)
        goto oom;
    if (rows == NULL) {
        if (store_uptime_each(c->store, from_ms, to_ms, write_row, &w, err) != 0)
            goto done;
    } else {
        for (size_t i = 0; i < n; i++)
            if (write_row(&w, &rows[i], err) != 0)
                goto done;
    }
    if (write_tail(&w) != 0)
        goto oom;
    rc = 0;
    goto done;
oom:
    doc_out_fail(o, "uptime", err);
done:
    writer_free(&w);
    return rc;
}

/* A tree of write_doc's document into *out. */
static int tree_doc(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                    const struct store_uptime *rows, size_t n, json_t **out, struct cw_err *err)
{
    struct doc_out *o = doc_out_tree();
    int rc;

    *out = NULL;
    if (o == NULL)
        return cw_err_set(err, NULL, 0, NULL, "uptime: out of memory");
    rc = write_doc(c, from_ms, to_ms, by, rows, n, o, err);
    if (rc == 0)
        rc = doc_give(doc_out_take(o), out, err);
    doc_out_free(o);
    return rc;
}

int doc_uptime(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
               json_t **out, struct cw_err *err)
{
    return tree_doc(c, from_ms, to_ms, by, NULL, 0, out, err);
}

int doc_uptime_write(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                     struct doc_out *o, struct cw_err *err)
{
    return write_doc(c, from_ms, to_ms, by, NULL, 0, o, err);
}

static int uptime_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_uptime_query *q = query;
    struct store_uptime *v = NULL;
    size_t n = 0;
    int rc = store_uptime(s, q->from_ms, q->to_ms, &v, &n, err);

    return doc_list_take(rows, rc, v, n, sizeof(*v), NULL);
}

static int uptime_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                        struct cw_err *err)
{
    static const struct store_uptime none;
    const struct doc_uptime_query *q = query;
    const struct doc_list *l = rows;

    /* rows NULL means "from the store" to write_doc; an empty list is not that */
    return tree_doc(c, q->from_ms, q->to_ms, q->by, l->v != NULL ? l->v : &none, l->n, out, err);
}

static const struct doc_query_type uptime_query_type = {sizeof(struct doc_uptime_query), 0, {0}};
const struct doc_view doc_view_uptime = {&uptime_query_type, sizeof(struct doc_list), uptime_read,
                                         uptime_build, doc_list_clear};
