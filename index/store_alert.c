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

/* ---- the cursor ---- */

int store_alert_cursor(struct store *s, int *has, int64_t *event_id, struct cw_err *err)
{
    sqlite3_stmt *st =
        store_prepare(s, "cursor", err, "SELECT event_id FROM alert_cursor WHERE id = 1", "");
    int rc;

    *event_id = 0;
    rc = store_one_row(s, st, 0, sizeof(*event_id), store_read_int64, event_id, "cursor", err);
    *has = rc == 0;
    return rc < 0 ? -1 : 0;
}

int store_alert_set_cursor(struct store *s, int64_t event_id, struct cw_err *err)
{
    return store_run(s, "cursor", err,
                     "INSERT INTO alert_cursor (id, event_id) VALUES (1, ?1) "
                     "ON CONFLICT (id) DO UPDATE SET event_id = excluded.event_id",
                     "I", event_id);
}

/* ---- the damping of each camera ---- */

#define WATCH_COLUMNS                                                                              \
    "camera_id, told, state, state_ms, pending, run_ms, changes, flap_ms, flapping, reason"

static void read_watch(sqlite3_stmt *st, void *elem)
{
    struct store_alert_watch *w = elem;

    store_columns(st, "tssIiIiIit", w->camera_id, sizeof(w->camera_id), &w->told, &w->state,
                  &w->state_ms, &w->pending, &w->run_ms, &w->changes, &w->flap_ms, &w->flapping,
                  w->reason, sizeof(w->reason));
}

int store_alert_watches(struct store *s, struct store_alert_watch **out, size_t *n,
                        struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_watch, out, n, "watch", err,
                        "SELECT " WATCH_COLUMNS " FROM alert_watch ORDER BY camera_id", "");
}

int store_alert_put_watch(struct store *s, const struct store_alert_watch *w, struct cw_err *err)
{
    enum cw_state state;
    int retired;
    int rc = store_camera_get_state(s, w->camera_id, &state, &retired, err);

    if (rc != 0)
        return rc; /* 1: no such camera; the foreign key would refuse the row */
    return store_run(s, "watch", err,
                     "INSERT OR REPLACE INTO alert_watch (" WATCH_COLUMNS
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     "tttIiIiIit", w->camera_id, cw_state_name(w->told), cw_state_name(w->state),
                     w->state_ms, w->pending != 0, w->run_ms, w->changes, w->flap_ms,
                     w->flapping != 0, w->reason);
}

/* ---- alerts ---- */

#define ALERT_COLUMNS                                                                              \
    "id, at_ms, kind, camera_id, from_state, to_state, since_ms, changes, reason, summary"

static void read_alert(sqlite3_stmt *st, void *elem)
{
    struct store_alert *a = elem;

    store_columns(st, "IIttssIitt", &a->id, &a->at_ms, a->kind, sizeof(a->kind), a->camera_id,
                  sizeof(a->camera_id), &a->from, &a->to, &a->since_ms, &a->changes, a->reason,
                  sizeof(a->reason), a->summary, sizeof(a->summary));
    a->has_states = sqlite3_column_type(st, 4) != SQLITE_NULL;
}

static int insert_alert(struct store *s, struct store_alert *a, const char *payload,
                        struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s, "alert", err,
        "INSERT INTO alert (at_ms, kind, camera_id, from_state, to_state, since_ms, changes, "
        "reason, summary, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        "Ito___ittt", a->at_ms, a->kind, a->camera_id, a->changes, a->reason, a->summary, payload);

    if (st != NULL && a->has_states)
        store_bind(st, "___tt", cw_state_name(a->from), cw_state_name(a->to));
    if (st != NULL && a->since_ms != 0)
        sqlite3_bind_int64(st, 6, a->since_ms);
    return store_insert(s, st, "alert", &a->id, err);
}

static int insert_delivery(struct store *s, struct store_delivery *d, struct cw_err *err)
{
    sqlite3_stmt *st =
        store_prepare(s, "delivery", err,
                      "INSERT INTO alert_delivery (alert_id, channel, target_key, "
                      "target, status, next_ms) VALUES (?1, ?2, ?3, ?4, 'pending', "
                      "?5)",
                      "ItttI", d->alert_id, d->channel, d->target_key, d->target, d->next_ms);

    if (store_insert(s, st, "delivery", &d->id, err) != 0)
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

static void read_text_dup(sqlite3_stmt *st, void *out)
{
    const char *t = (const char *)sqlite3_column_text(st, 0);

    *(char **)out = strdup(t != NULL ? t : "{}");
}

int store_alert_payload(struct store *s, int64_t id, char **out, struct cw_err *err)
{
    int rc = store_one_row(
        s, store_prepare(s, "alert", err, "SELECT payload FROM alert WHERE id = ?1", "I", id), 0,
        sizeof(*out), read_text_dup, out, "alert", err);

    if (rc == 0 && *out == NULL)
        return cw_err_set(err, s->path, 0, NULL, "alert %lld: out of memory", (long long)id);
    if (rc != 0)
        *out = NULL;
    return rc;
}

int store_list_alerts(struct store *s, const char *camera_id, int64_t since_ms, size_t limit,
                      struct store_alert **out, size_t *n, struct cw_err *err)
{
    /* The newest `limit`, given back oldest first. */
    return store_select(s, sizeof(**out), read_alert, out, n, "alerts", err,
                        "SELECT * FROM (SELECT " ALERT_COLUMNS " FROM alert "
                        "WHERE at_ms >= ?1 AND (?2 IS NULL OR camera_id = ?2) "
                        "ORDER BY at_ms DESC, id DESC LIMIT ?3) ORDER BY at_ms, id",
                        "IoI", since_ms, camera_id, store_limit(limit));
}

int store_alert_last_digest(struct store *s, int64_t *at_ms, struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s, "digest", err, "SELECT coalesce(max(at_ms), 0) FROM alert WHERE kind = 'digest'", "");
    int rc = store_one_row(s, st, 0, sizeof(*at_ms), store_read_int64, at_ms, "digest", err);

    return rc == 1 ? store_fail(s, "digest", err) : rc; /* an aggregate always has a row */
}

/* ---- deliveries ---- */

#define DELIVERY_COLUMNS                                                                           \
    "SELECT d.id, d.alert_id, a.at_ms, d.channel, d.target_key, d.target, d.status, "              \
    "d.attempts, d.next_ms, d.last_ms, d.error FROM alert_delivery d JOIN alert a "                \
    "ON a.id = d.alert_id "

static void read_delivery(sqlite3_stmt *st, void *elem)
{
    struct store_delivery *d = elem;

    store_columns(st, "IIIttt_iIIt", &d->id, &d->alert_id, &d->alert_at_ms, d->channel,
                  sizeof(d->channel), d->target_key, sizeof(d->target_key), d->target,
                  sizeof(d->target), &d->attempts, &d->next_ms, &d->last_ms, d->error,
                  sizeof(d->error));
    d->status = store_column_name(st, 6, delivery_status_names, 3, STORE_DELIVERY_PENDING);
}

int store_deliveries_pending(struct store *s, struct store_delivery **out, size_t *n,
                             struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_delivery, out, n, "deliveries", err,
                        DELIVERY_COLUMNS "WHERE d.status = 'pending' ORDER BY d.next_ms, d.id", "");
}

int store_list_deliveries(struct store *s, int64_t first_id, int64_t last_id,
                          struct store_delivery **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_delivery, out, n, "deliveries", err,
                        DELIVERY_COLUMNS "WHERE d.alert_id BETWEEN ?1 AND ?2 "
                                         "ORDER BY d.alert_id, d.id",
                        "II", first_id, last_id);
}

int store_delivery_update(struct store *s, const struct store_delivery *d, struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(s, "delivery", err,
                                     "UPDATE alert_delivery SET status = ?2, attempts = ?3, "
                                     "next_ms = ?4, last_ms = ?5, error = ?6 WHERE id = ?1",
                                     "Iti__t", d->id, store_delivery_status_name(d->status),
                                     d->attempts, d->error);

    if (st != NULL && d->status == STORE_DELIVERY_PENDING)
        sqlite3_bind_int64(st, 4, d->next_ms);
    if (st != NULL && d->last_ms != 0)
        sqlite3_bind_int64(st, 5, d->last_ms);
    if (store_finish(s, st, "delivery", err) != 0)
        return -1;
    return sqlite3_changes(s->db) == 0 ? 1 : 0;
}
