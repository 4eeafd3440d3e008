/* store_alert.c - every statement on the alert tables (alert_cursor,
 * alert_watch, alert, alert_delivery; store_migrate.c makes them). Alerts are
 * appended and never changed; a delivery changes as its attempts go. None of
 * this runs per probe, so nothing is cached: each statement is prepared when
 * used. Owns nothing. */
#include "store_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

static const char *const delivery_status_names[] = {"pending", "sent", "failed"};

const char *store_delivery_status_name(enum store_delivery_status st)
{
    return (unsigned)st < 3 ? delivery_status_names[st] : "pending";
}

static enum store_delivery_status column_delivery_status(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);

    for (int i = 0; t != NULL && i < 3; i++)
        if (strcmp(t, delivery_status_names[i]) == 0)
            return (enum store_delivery_status)i;
    return STORE_DELIVERY_PENDING;
}

static sqlite3_stmt *prepare(struct store *s, const char *sql, const char *doing,
                             struct cw_err *err)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_fail(s, doing, err);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Step a statement that returns no rows, then finalize it. 0, or -1 naming `doing`. */
static int run_done(struct store *s, sqlite3_stmt *st, const char *doing, struct cw_err *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail(s, doing, err);

    sqlite3_finalize(st);
    return rc;
}

/* Step an INSERT, then finalize it; *id gets the new row's id. 0, or -1 naming `doing`. */
static int run_insert(struct store *s, sqlite3_stmt *st, const char *doing, int64_t *id,
                      struct cw_err *err)
{
    if (run_done(s, st, doing, err) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

/* ---- the cursor ---- */

int store_alert_cursor(struct store *s, int *has, int64_t *event_id, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s, "SELECT event_id FROM alert_cursor WHERE id = 1", "cursor", err);
    int step;

    if (st == NULL)
        return -1;
    *has = 0;
    *event_id = 0;
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *has = 1;
        *event_id = sqlite3_column_int64(st, 0);
    } else if (step != SQLITE_DONE) {
        store_fail(s, "cursor", err);
    }
    sqlite3_finalize(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
}

int store_alert_set_cursor(struct store *s, int64_t event_id, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s,
                               "INSERT INTO alert_cursor (id, event_id) VALUES (1, ?1) "
                               "ON CONFLICT (id) DO UPDATE SET event_id = excluded.event_id",
                               "cursor", err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, event_id);
    return run_done(s, st, "cursor", err);
}

/* ---- the damping of each camera ---- */

#define WATCH_COLUMNS                                                                              \
    "camera_id, told, state, state_ms, pending, run_ms, changes, flap_ms, flapping, reason"

static void read_watch(sqlite3_stmt *st, void *elem)
{
    struct store_alert_watch *w = elem;

    store_column_text(st, 0, w->camera_id, sizeof(w->camera_id));
    w->told = store_column_state(st, 1);
    w->state = store_column_state(st, 2);
    w->state_ms = sqlite3_column_int64(st, 3);
    w->pending = sqlite3_column_int(st, 4);
    w->run_ms = sqlite3_column_int64(st, 5);
    w->changes = sqlite3_column_int(st, 6);
    w->flap_ms = sqlite3_column_int64(st, 7);
    w->flapping = sqlite3_column_int(st, 8);
    store_column_text(st, 9, w->reason, sizeof(w->reason));
}

int store_alert_watches(struct store *s, struct store_alert_watch **out, size_t *n,
                        struct cw_err *err)
{
    sqlite3_stmt *st =
        prepare(s, "SELECT " WATCH_COLUMNS " FROM alert_watch ORDER BY camera_id", "watch", err);
    void *rows = NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    rc = store_collect(s, st, sizeof(**out), read_watch, &rows, n, "watch", err);
    *out = rows;
    return rc;
}

int store_alert_put_watch(struct store *s, const struct store_alert_watch *w, struct cw_err *err)
{
    sqlite3_stmt *st;
    enum cw_state state;
    int retired;
    int rc = store_camera_get_state(s, w->camera_id, &state, &retired, err);

    if (rc != 0)
        return rc; /* 1: no such camera; the foreign key would refuse the row */
    st = prepare(s,
                 "INSERT OR REPLACE INTO alert_watch (" WATCH_COLUMNS
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                 "watch", err);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, w->camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cw_state_name(w->told), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cw_state_name(w->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, w->state_ms);
    sqlite3_bind_int(st, 5, w->pending != 0);
    sqlite3_bind_int64(st, 6, w->run_ms);
    sqlite3_bind_int(st, 7, w->changes);
    sqlite3_bind_int64(st, 8, w->flap_ms);
    sqlite3_bind_int(st, 9, w->flapping != 0);
    sqlite3_bind_text(st, 10, w->reason, -1, SQLITE_STATIC);
    return run_done(s, st, "watch", err);
}

/* ---- alerts ---- */

#define ALERT_COLUMNS                                                                              \
    "id, at_ms, kind, camera_id, from_state, to_state, since_ms, changes, reason, summary"

static void read_alert(sqlite3_stmt *st, void *elem)
{
    struct store_alert *a = elem;

    a->id = sqlite3_column_int64(st, 0);
    a->at_ms = sqlite3_column_int64(st, 1);
    store_column_text(st, 2, a->kind, sizeof(a->kind));
    store_column_text(st, 3, a->camera_id, sizeof(a->camera_id));
    a->has_states = sqlite3_column_type(st, 4) != SQLITE_NULL;
    a->from = store_column_state(st, 4);
    a->to = store_column_state(st, 5);
    a->since_ms = sqlite3_column_int64(st, 6);
    a->changes = sqlite3_column_int(st, 7);
    store_column_text(st, 8, a->reason, sizeof(a->reason));
    store_column_text(st, 9, a->summary, sizeof(a->summary));
}

static int insert_alert(struct store *s, struct store_alert *a, const char *payload,
                        struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s,
                               "INSERT INTO alert (at_ms, kind, camera_id, from_state, to_state, "
                               "since_ms, changes, reason, summary, payload) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                               "alert", err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, a->at_ms);
    sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_STATIC);
    store_bind_opt_text(st, 3, a->camera_id);
    if (a->has_states) {
        sqlite3_bind_text(st, 4, cw_state_name(a->from), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, cw_state_name(a->to), -1, SQLITE_STATIC);
    }
    if (a->since_ms != 0)
        sqlite3_bind_int64(st, 6, a->since_ms);
    sqlite3_bind_int(st, 7, a->changes);
    sqlite3_bind_text(st, 8, a->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, a->summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, payload, -1, SQLITE_STATIC);
    return run_insert(s, st, "alert", &a->id, err);
}

static int insert_delivery(struct store *s, struct store_delivery *d, struct cw_err *err)
{
    sqlite3_stmt *st =
        prepare(s,
                "INSERT INTO alert_delivery (alert_id, channel, target_key, target, status, "
                "next_ms) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
                "delivery", err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, d->alert_id);
    sqlite3_bind_text(st, 2, d->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->target_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, d->target, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, d->next_ms);
    if (run_insert(s, st, "delivery", &d->id, err) != 0)
        return -1;
    d->status = STORE_DELIVERY_PENDING;
    d->attempts = 0;
    d->last_ms = 0;
    d->error[0] = '\0';
    return 0;
}

int store_alert_add(struct store *s, struct store_alert *a, const char *payload,
                    struct store_delivery *d, size_t n, struct cw_err *err)
{
    if (store_begin(s, err) != 0)
        return -1;
    if (insert_alert(s, a, payload, err) != 0)
        return store_end_failed(s);
    for (size_t i = 0; i < n; i++) {
        d[i].alert_id = a->id;
        d[i].alert_at_ms = a->at_ms;
        if (insert_delivery(s, &d[i], err) != 0)
            return store_end_failed(s);
    }
    return store_commit(s, err);
}

int store_alert_payload(struct store *s, int64_t id, char **out, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s, "SELECT payload FROM alert WHERE id = ?1", "alert", err);
    int step, rc = 0;

    *out = NULL;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if ((*out = strdup(t != NULL ? t : "{}")) == NULL)
            rc = cw_err_set(err, s->path, 0, NULL, "alert %lld: out of memory", (long long)id);
    } else if (step == SQLITE_DONE) {
        rc = 1;
    } else {
        rc = store_fail(s, "alert", err);
    }
    sqlite3_finalize(st);
    return rc;
}

int store_list_alerts(struct store *s, const char *camera_id, int64_t since_ms, size_t limit,
                      struct store_alert **out, size_t *n, struct cw_err *err)
{
    /* The newest `limit`, given back oldest first. */
    sqlite3_stmt *st = prepare(s,
                               "SELECT * FROM (SELECT " ALERT_COLUMNS " FROM alert "
                               "WHERE at_ms >= ?1 AND (?2 IS NULL OR camera_id = ?2) "
                               "ORDER BY at_ms DESC, id DESC LIMIT ?3) ORDER BY at_ms, id",
                               "alerts", err);
    void *rows = NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, since_ms);
    store_bind_opt_text(st, 2, camera_id);
    sqlite3_bind_int64(st, 3, limit > 0 && limit < INT64_MAX ? (int64_t)limit : -1);
    rc = store_collect(s, st, sizeof(**out), read_alert, &rows, n, "alerts", err);
    *out = rows;
    return rc;
}

int store_alert_last_digest(struct store *s, int64_t *at_ms, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s, "SELECT coalesce(max(at_ms), 0) FROM alert WHERE kind = 'digest'",
                               "digest", err);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : store_fail(s, "digest", err);
    if (rc == 0)
        *at_ms = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* ---- deliveries ---- */

#define DELIVERY_COLUMNS                                                                           \
    "d.id, d.alert_id, a.at_ms, d.channel, d.target_key, d.target, d.status, d.attempts, "         \
    "d.next_ms, d.last_ms, d.error"

static void read_delivery(sqlite3_stmt *st, void *elem)
{
    struct store_delivery *d = elem;

    d->id = sqlite3_column_int64(st, 0);
    d->alert_id = sqlite3_column_int64(st, 1);
    d->alert_at_ms = sqlite3_column_int64(st, 2);
    store_column_text(st, 3, d->channel, sizeof(d->channel));
    store_column_text(st, 4, d->target_key, sizeof(d->target_key));
    store_column_text(st, 5, d->target, sizeof(d->target));
    d->status = column_delivery_status(st, 6);
    d->attempts = sqlite3_column_int(st, 7);
    d->next_ms = sqlite3_column_int64(st, 8);
    d->last_ms = sqlite3_column_int64(st, 9);
    store_column_text(st, 10, d->error, sizeof(d->error));
}

static int collect_deliveries(struct store *s, sqlite3_stmt *st, struct store_delivery **out,
                              size_t *n, struct cw_err *err)
{
    void *rows = NULL;
    int rc = store_collect(s, st, sizeof(**out), read_delivery, &rows, n, "deliveries", err);

    *out = rows;
    return rc;
}

int store_deliveries_pending(struct store *s, struct store_delivery **out, size_t *n,
                             struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT " DELIVERY_COLUMNS " FROM alert_delivery d JOIN alert a "
                               "ON a.id = d.alert_id WHERE d.status = 'pending' "
                               "ORDER BY d.next_ms, d.id",
                               "deliveries", err);

    *out = NULL;
    *n = 0;
    return st == NULL ? -1 : collect_deliveries(s, st, out, n, err);
}

int store_list_deliveries(struct store *s, int64_t first_id, int64_t last_id,
                          struct store_delivery **out, size_t *n, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT " DELIVERY_COLUMNS " FROM alert_delivery d JOIN alert a "
                               "ON a.id = d.alert_id WHERE d.alert_id BETWEEN ?1 AND ?2 "
                               "ORDER BY d.alert_id, d.id",
                               "deliveries", err);

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, first_id);
    sqlite3_bind_int64(st, 2, last_id);
    return collect_deliveries(s, st, out, n, err);
}

int store_delivery_update(struct store *s, const struct store_delivery *d, struct cw_err *err)
{
    sqlite3_stmt *st = prepare(s,
                               "UPDATE alert_delivery SET status = ?2, attempts = ?3, "
                               "next_ms = ?4, last_ms = ?5, error = ?6 WHERE id = ?1",
                               "delivery", err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_text(st, 2, store_delivery_status_name(d->status), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, d->attempts);
    if (d->status == STORE_DELIVERY_PENDING)
        sqlite3_bind_int64(st, 4, d->next_ms);
    if (d->last_ms != 0)
        sqlite3_bind_int64(st, 5, d->last_ms);
    sqlite3_bind_text(st, 6, d->error, -1, SQLITE_STATIC);
    if (run_done(s, st, "delivery", err) != 0)
        return -1;
    return sqlite3_changes(s->db) == 0 ? 1 : 0;
}
