/* store_uptime.c - time in each state per camera over a range, from the event
 * rows. Reads camera and event in two ordered scans merged by camera id, and
 * hands each camera's events to uptime_accumulate() (uptime.c), which does the
 * exact interval arithmetic. Memory: the result rows, plus one camera's events
 * in range at a time (history before the range is folded into the last event
 * before it, which is all that decides the starting state). */
#include "store_priv.h"

#include <stdlib.h>
#include <string.h>

#include "uptime.h"

struct ev_buf {
    struct uptime_event *v;
    int n, cap;
};

static int ev_push(struct ev_buf *b, int64_t at_ms, enum cw_state to)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        struct uptime_event *nv = realloc(b->v, (size_t)cap * sizeof(*nv));
        if (nv == NULL)
            return -1;
        b->v = nv;
        b->cap = cap;
    }
    b->v[b->n].at_ms = at_ms;
    b->v[b->n].to = to;
    b->n++;
    return 0;
}

struct uptime_scan {
    struct store *s;
    sqlite3_stmt *cams, *evs;
    int ev_step; /* last sqlite3_step result on evs */
    struct ev_buf buf;
    int64_t from_ms, to_ms;
};

/* Gather the events of camera id from the event cursor (ordered by camera id, then time):
 * those of cameras before id are skipped; the last one before from_ms is kept for the
 * starting state; those at or after end_ms are dropped. */
static int gather_events(struct uptime_scan *u, const char *id, int64_t end_ms, struct cw_err *err)
{
    int have_before = 0;

    u->buf.n = 0;
    for (; u->ev_step == SQLITE_ROW; u->ev_step = sqlite3_step(u->evs)) {
        const char *cid = (const char *)sqlite3_column_text(u->evs, 0);
        int c = strcmp(cid ? cid : "", id);
        if (c < 0)
            continue;
        if (c > 0)
            break;
        int64_t at = sqlite3_column_int64(u->evs, 1);
        enum cw_state to = store_column_state(u->evs, 2);
        if (at >= end_ms)
            continue;
        if (at < u->from_ms && have_before) {
            u->buf.v[0].at_ms = at;
            u->buf.v[0].to = to;
            continue;
        }
        have_before |= at < u->from_ms;
        if (ev_push(&u->buf, at, to) != 0)
            return cw_err_set(err, u->s->path, 0, NULL, "out of memory");
    }
    if (u->ev_step != SQLITE_ROW && u->ev_step != SQLITE_DONE)
        return store_fail(u->s, "uptime events", err);
    return 0;
}

static int uptime_row(struct uptime_scan *u, struct store_uptime *r, struct cw_err *err)
{
    int64_t created = sqlite3_column_int64(u->cams, 2);
    int64_t end = u->to_ms;

    memset(r, 0, sizeof(*r));
    store_column_text(u->cams, 0, r->camera_id, sizeof(r->camera_id));
    store_column_text(u->cams, 1, r->owner, sizeof(r->owner));
    /* Retirement ends the camera's time: it is not counted after. */
    if (sqlite3_column_type(u->cams, 3) != SQLITE_NULL && sqlite3_column_int64(u->cams, 3) < end)
        end = sqlite3_column_int64(u->cams, 3);
    if (gather_events(u, r->camera_id, end, err) != 0)
        return -1;
    if (uptime_accumulate(created, u->buf.v, u->buf.n, u->from_ms, end, r->ms, &r->outages) != 0)
        return cw_err_set(err, u->s->path, 0, NULL, "uptime of %s: events out of order",
                          r->camera_id);
    return 0;
}

int store_uptime(struct store *s, int64_t from_ms, int64_t to_ms, struct store_uptime **out,
                 size_t *n, struct cw_err *err)
{
    struct uptime_scan u = {.s = s, .from_ms = from_ms, .to_ms = to_ms};
    struct store_uptime *v = NULL;
    size_t cap = 0;
    int step;

    *out = NULL;
    *n = 0;
    if (from_ms > to_ms)
        return cw_err_set(err, NULL, 0, NULL, "uptime range ends before it starts");
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, owner, created_ms, retired_ms FROM camera "
                           "WHERE created_ms < ?2 AND (retired_ms IS NULL OR retired_ms > ?1) "
                           "ORDER BY id",
                           -1, &u.cams, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT camera_id, at_ms, to_state FROM event WHERE at_ms < ?1 "
                           "ORDER BY camera_id, at_ms, id",
                           -1, &u.evs, NULL) != SQLITE_OK) {
        store_fail(s, "uptime", err);
        goto fail;
    }
    sqlite3_bind_int64(u.cams, 1, from_ms);
    sqlite3_bind_int64(u.cams, 2, to_ms);
    sqlite3_bind_int64(u.evs, 1, to_ms);
    u.ev_step = sqlite3_step(u.evs);
    while ((step = sqlite3_step(u.cams)) == SQLITE_ROW) {
        if (*n == cap) {
            struct store_uptime *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
            if (nv == NULL) {
                cw_err_set(err, s->path, 0, NULL, "out of memory");
                goto fail;
            }
            v = nv;
        }
        if (uptime_row(&u, &v[*n], err) != 0)
            goto fail;
        ++*n;
    }
    if (step != SQLITE_DONE) {
        store_fail(s, "uptime", err);
        goto fail;
    }
    sqlite3_finalize(u.cams);
    sqlite3_finalize(u.evs);
    free(u.buf.v);
    *out = v;
    return 0;
fail:
    sqlite3_finalize(u.cams);
    sqlite3_finalize(u.evs);
    free(u.buf.v);
    free(v);
    *n = 0;
    return -1;
}
