/* doc_events.c - the events view: state changes and device fact changes merged oldest
 * first, one page at a time (doc_view_events, the API's) or all of them written as they are
 * read (doc_events_all, the CLI's). A page reads at most limit + 1 rows of each table, so a
 * month of events streams in bounded memory; the cursor is the merged order's last position,
 * "AT_MS.s.ID" after a state change or "AT_MS.d.ID" after a device change. Read-only. */
#include "doc_priv.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Where a page starts: after the event of this kind, time and id (kind 0: the first). */
struct cursor {
    char kind; /* 0, 's' (state change) or 'd' (device change) */
    int64_t at_ms, id;
};

static int cursor_parse(const char *s, struct cursor *cur)
{
    long long at, id;
    char kind;
    int end = 0;

    if (sscanf(s, "%lld.%c.%lld%n", &at, &kind, &id, &end) != 3 || s[end] != '\0' ||
        (kind != 's' && kind != 'd'))
        return -1;
    cur->kind = kind;
    cur->at_ms = at;
    cur->id = id;
    return 0;
}

static json_t *state_json(const struct doc_ctx *c, const struct store_event *e)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "kind", json_string("state"));
    json_object_set_new(o, "camera", json_string(e->camera_id));
    json_object_set_new(o, "at", doc_iso(c, e->at_ms));
    json_object_set_new(o, "at_ms", json_integer(e->at_ms));
    json_object_set_new(o, "from", json_string(cw_state_name(e->from)));
    json_object_set_new(o, "to", json_string(cw_state_name(e->to)));
    json_object_set_new(o, "reason", json_string(e->reason));
    return o;
}

static json_t *change_json(const struct doc_ctx *c, const struct store_device_change *d)
{
    json_t *o = json_object();

    json_object_set_new(o, "kind", json_string("device"));
    json_object_set_new(o, "camera", json_string(d->camera_id));
    json_object_set_new(o, "at", doc_iso(c, d->at_ms));
    json_object_set_new(o, "at_ms", json_integer(d->at_ms));
    doc_change_fields(o, d);
    return o;
}

/* Merge the two lists (each oldest first; a state change first at the same ms) into the open
 * array of o, at most limit items; *last gets the position of the last one taken. Returns
 * the count taken or -1 when o failed. */
static long merge(const struct doc_ctx *c, const struct store_event *v, size_t n,
                  const struct store_device_change *d, size_t m, size_t limit, struct doc_out *o,
                  struct cursor *last)
{
    size_t i = 0, j = 0;

    while ((i < n || j < m) && i + j < limit) {
        json_t *e;
        if (j >= m || (i < n && v[i].at_ms <= d[j].at_ms)) {
            e = state_json(c, &v[i]);
            *last = (struct cursor){'s', v[i].at_ms, v[i].id};
            i++;
        } else {
            e = change_json(c, &d[j]);
            *last = (struct cursor){'d', d[j].at_ms, d[j].id};
            j++;
        }
        if (doc_out_add(o, NULL, e) != 0)
            return -1;
    }
    return (long)(i + j);
}

static json_t *cursor_json(const struct cursor *cur)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%" PRId64 ".%c.%" PRId64, cur->at_ms, cur->kind, cur->id);
    return json_string(buf);
}

/* One page as read: the rows after cur, at most limit + 1 of each table. */
struct events_rows {
    size_t limit;
    struct cursor cur; /* where the page starts; after the build, its last event */
    struct store_event *v;
    size_t n;
    struct store_device_change *d;
    size_t m;
};

static void page_clear(void *rows)
{
    struct events_rows *r = rows;

    free(r->v);
    free(r->d);
    r->v = NULL;
    r->d = NULL;
    r->n = r->m = 0;
}

/* The rows of the page after r->cur from s. 0 or -1 with err. */
static int read_page(struct store *s, const struct doc_events_query *q, struct events_rows *r,
                     struct cw_err *err)
{
    const struct cursor *cur = &r->cur;
    struct store_page pe, pd;

    /* A state change comes before a device change at the same ms: after a device change at
     * T, no state change at T is left; after a state change at T, every device change at T. */
    pe = (struct store_page){q->camera, q->since_ms, cur->at_ms,
                             cur->kind == 'd' ? INT64_MAX : cur->id, r->limit + 1};
    pd = (struct store_page){q->camera, q->since_ms, cur->at_ms,
                             cur->kind == 'd' ? cur->id : INT64_MIN, r->limit + 1};
    if (store_list_events_page(s, &pe, &r->v, &r->n, err) != 0 ||
        store_list_device_changes_page(s, &pd, &r->d, &r->m, err) != 0)
        return -1;
    return 0;
}

/* The page's events (at most r->limit) as items of o's open array; r->cur moves to the last
 * one written, *more says whether any is left after it. Returns 0 or -1 with err. */
static int write_rows(const struct doc_ctx *c, struct events_rows *r, struct doc_out *o, int *more,
                      struct cw_err *err)
{
    long taken = merge(c, r->v, r->n, r->d, r->m, r->limit, o, &r->cur);

    if (taken < 0)
        return doc_out_fail(o, "events", err);
    *more = (size_t)taken < r->n + r->m;
    return 0;
}

/* Where q starts (its after, or the first event) into *cur, and its camera checked on s.
 * Returns as doc_view_events. */
static int query_start(struct store *s, const struct doc_events_query *q, struct cursor *cur,
                       struct cw_err *err)
{

    *cur = (struct cursor){0, INT64_MIN, INT64_MIN};
    if (q->after != NULL && cursor_parse(q->after, cur) != 0) {
        cw_err_set(err, NULL, 0, "after", "'%s' is not a cursor of the events list", q->after);
        return DOC_BAD_INPUT;
    }
    if (q->camera != NULL)
        return doc_require_camera(s, q->camera, NULL, err);
    return 0;
}

static int events_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_events_query *q = query;
    struct events_rows *r = rows;
    int rc;

    r->limit = q->limit > 0 && q->limit <= DOC_EVENTS_LIMIT_MAX ? q->limit : DOC_EVENTS_LIMIT_MAX;
    if ((rc = query_start(s, q, &r->cur, err)) != 0)
        return rc;
    return read_page(s, q, r, err);
}

static int events_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                        struct cw_err *err)
{
    struct events_rows *r = rows;
    struct doc_out *o = NULL;
    int more = 0, rc = -1;

    (void)query;
    *out = NULL;
    if ((o = doc_out_tree()) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "events: out of memory");
    if (doc_out_object(o, NULL) != 0 || doc_out_array(o, "events") != 0)
        goto oom;
    if (write_rows(c, r, o, &more, err) != 0)
        goto done;
    if (doc_out_close(o) != 0 ||
        doc_out_add(o, "next", more ? cursor_json(&r->cur) : json_null()) != 0 ||
        doc_out_close(o) != 0 || (*out = doc_out_take(o)) == NULL)
        goto oom;
    rc = 0;
    goto done;
oom:
    doc_out_fail(o, "events", err);
done:
    doc_out_free(o);
    return rc;
}

static const struct doc_query_type events_query_type = {
    sizeof(struct doc_events_query),
    2,
    {offsetof(struct doc_events_query, camera), offsetof(struct doc_events_query, after)}};
const struct doc_view doc_view_events = {&events_query_type, sizeof(struct events_rows),
                                         events_read, events_build, page_clear};

int doc_events_all(const struct doc_ctx *c, const struct doc_events_query *q, struct doc_out *o,
                   struct cw_err *err)
{
    struct events_rows r = {.limit = DOC_EVENTS_PAGE};
    int more = 1, rc;

    if ((rc = query_start(c->store, q, &r.cur, err)) != 0)
        return rc;
    if (doc_out_array(o, NULL) != 0)
        return doc_out_fail(o, "events", err);
    while (more && rc == 0) {
        rc = read_page(c->store, q, &r, err) != 0 || write_rows(c, &r, o, &more, err) != 0 ? -1 : 0;
        page_clear(&r);
    }
    if (rc != 0)
        return -1;
    if (doc_out_close(o) != 0)
        return doc_out_fail(o, "events", err);
    return 0;
}
