/* store_uptime.c - each camera's history over a range, from the event rows, and time in each
 * state per camera from it. Reads the cameras in one scan and, per camera, two searches of
 * the event index: the last event before the range (all that decides the starting state)
 * and the events inside it; so a range costs what it holds, not the history before it.
 * Hands each camera's events to a visitor: store_uptime's runs uptime_accumulate()
 * (uptime.c), which does the exact interval arithmetic; reports run theirs. Memory: the
 * visitor's, plus one camera's events in range at a time. */
#include "store_priv.h"

#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "reason.h"
#include "uptime.h"

struct ev_buf {
    struct uptime_event *v;
    int n; /* an int: store_history's n_events */
    size_t cap;
};

static int ev_push(struct ev_buf *b, int64_t at_ms, enum cw_state to, unsigned kinds)
{
    if (cw_vec_grow(&b->v, (size_t)b->n, &b->cap, sizeof(*b->v), 64) != 0)
        return -1;
    b->v[b->n] = (struct uptime_event){at_ms, to, kinds};
    b->n++;
    return 0;
}

struct history_scan {
    struct store *s;
    sqlite3_stmt *cams, *before, *inside;
    int with_kinds;
    struct ev_buf buf;
    int64_t from_ms, to_ms;
};

/* Push the rows of st (at_ms, to_state, reason), bound to camera id, until it is done. */
static int push_rows(struct history_scan *u, sqlite3_stmt *st, const char *id, struct cw_err *err)
{
    int step;

    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        unsigned kinds = u->with_kinds ? reason_kinds((const char *)sqlite3_column_text(st, 2)) : 0;
        if (ev_push(&u->buf, sqlite3_column_int64(st, 0), store_column_state(st, 1), kinds) != 0) {
            sqlite3_reset(st);
            return cw_err_set(err, u->s->path, 0, NULL, "out of memory");
        }
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return store_fail(u->s, "uptime events", err);
    return 0;
}

/* Gather the events of camera id that decide its time in [from_ms, end_ms): the last one
 * before from_ms (the state it starts in; every event is a change of state, so the spell
 * under way at from_ms began there), then those inside. Two searches of the (camera_id,
 * at_ms) index, whatever the history before the range. */
static int gather_events(struct history_scan *u, const char *id, int64_t end_ms, struct cw_err *err)
{
    u->buf.n = 0;
    sqlite3_bind_int64(u->inside, 3, end_ms);
    if (push_rows(u, u->before, id, err) != 0 || push_rows(u, u->inside, id, err) != 0)
        return -1;
    return 0;
}

static int history_row(struct history_scan *u, struct store_history *h, struct cw_err *err)
{
    memset(h, 0, sizeof(*h));
    store_column_text(u->cams, 0, h->camera_id, sizeof(h->camera_id));
    store_column_text(u->cams, 1, h->owner, sizeof(h->owner));
    store_column_text(u->cams, 4, h->name, sizeof(h->name));
    h->created_ms = sqlite3_column_int64(u->cams, 2);
    h->end_ms = u->to_ms;
    h->retired = sqlite3_column_type(u->cams, 3) != SQLITE_NULL;
    /* Retirement ends the camera's time: it is not counted after. */
    if (h->retired && sqlite3_column_int64(u->cams, 3) < h->end_ms)
        h->end_ms = sqlite3_column_int64(u->cams, 3);
    if (gather_events(u, h->camera_id, h->end_ms, err) != 0)
        return -1;
    h->events = u->buf.v;
    h->n_events = u->buf.n;
    return 0;
}

int store_walk_history(struct store *s, int64_t from_ms, int64_t to_ms, int with_kinds,
                       int (*visit)(void *data, const struct store_history *h, struct cw_err *err),
                       void *data, struct cw_err *err)
{
    struct history_scan u = {.s = s, .from_ms = from_ms, .to_ms = to_ms, .with_kinds = with_kinds};
    struct store_history h;
    int step, rc = -1;

    if (from_ms > to_ms)
        return cw_err_set(err, NULL, 0, NULL, "uptime range ends before it starts");
    if ((u.cams = store_prepare(s, "uptime", err,
                                "SELECT id, owner, created_ms, retired_ms, name FROM camera "
                                "WHERE created_ms < ?2 AND (retired_ms IS NULL OR retired_ms > ?1) "
                                "ORDER BY id",
                                "II", from_ms, to_ms)) == NULL ||
        (u.before = store_prepare(s, "uptime", err,
                                  "SELECT at_ms, to_state, reason FROM event WHERE camera_id = ?1 "
                                  "AND at_ms < ?2 ORDER BY at_ms DESC, id DESC LIMIT 1",
                                  "_I", from_ms)) == NULL ||
        (u.inside = store_prepare(s, "uptime", err,
                                  "SELECT at_ms, to_state, reason FROM event WHERE camera_id = ?1 "
                                  "AND at_ms >= ?2 AND at_ms < ?3 ORDER BY at_ms, id",
                                  "_I", from_ms)) == NULL)
        goto done;
    while ((step = sqlite3_step(u.cams)) == SQLITE_ROW)
        if (history_row(&u, &h, err) != 0 || visit(data, &h, err) != 0)
            goto done;
    if (step != SQLITE_DONE)
        store_fail(s, "uptime", err);
    else
        rc = 0;
done:
    sqlite3_finalize(u.cams);
    sqlite3_finalize(u.before);
    sqlite3_finalize(u.inside);
    free(u.buf.v);
    return rc;
}

struct uptime_each {
    int (*fn)(void *data, const struct store_uptime *row, struct cw_err *err);
    void *data;
    int64_t from_ms;
    const char *path;
};

static int uptime_visit(void *data, const struct store_history *h, struct cw_err *err)
{
    struct uptime_each *u = data;
    struct store_uptime row;

    memset(&row, 0, sizeof(row));
    memcpy(row.camera_id, h->camera_id, sizeof(row.camera_id));
    memcpy(row.owner, h->owner, sizeof(row.owner));
    memcpy(row.name, h->name, sizeof(row.name));
    row.retired = h->retired;
    if (uptime_accumulate(h->created_ms, h->events, h->n_events, u->from_ms, h->end_ms, row.ms,
                          &row.outages) != 0)
        return cw_err_set(err, u->path, 0, NULL, "uptime of %s: events out of order", h->camera_id);
    return u->fn(u->data, &row, err);
}

int store_uptime_each(struct store *s, int64_t from_ms, int64_t to_ms,
                      int (*fn)(void *data, const struct store_uptime *row, struct cw_err *err),
                      void *data, struct cw_err *err)
{
    struct uptime_each u = {fn, data, from_ms, s->path};

    return store_walk_history(s, from_ms, to_ms, 0, uptime_visit, &u, err);
}

struct uptime_rows {
    struct store_uptime *v;
    size_t n, cap;
    const char *path;
};

static int uptime_keep(void *data, const struct store_uptime *row, struct cw_err *err)
{
    struct uptime_rows *r = data;

    if (cw_vec_grow(&r->v, r->n, &r->cap, sizeof(*r->v), 64) != 0)
        return cw_err_set(err, r->path, 0, NULL, "out of memory");
    r->v[r->n++] = *row;
    return 0;
}

int store_uptime(struct store *s, int64_t from_ms, int64_t to_ms, struct store_uptime **out,
                 size_t *n, struct cw_err *err)
{
    struct uptime_rows r = {.path = s->path};

    *out = NULL;
    *n = 0;
    if (store_uptime_each(s, from_ms, to_ms, uptime_keep, &r, err) != 0) {
        free(r.v);
        return -1;
    }
    *out = r.v;
    *n = r.n;
    return 0;
}
