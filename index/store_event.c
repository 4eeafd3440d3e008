/* store_event.c - every statement on the event table: the insert a state
 * change writes (store_state.c pairs it with the camera row), the event
 * listing, the state in force at a time, and the log as the alerting follows
 * it (by id). Events are appended, never changed or deleted. */
#include "store_priv.h"

int store_event_insert(struct store *s, const char *camera_id, enum cw_state from, enum cw_state to,
                       int64_t at_ms, const char *reason, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO event (camera_id, at_ms, from_state, to_state, reason) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = store_stmt(s, STMT_EVENT_INSERT, sql, err);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_ms);
    sqlite3_bind_text(st, 3, cw_state_name(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, cw_state_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason ? reason : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cw_err_set(err, s->path, 0, NULL, "event for %s: %s", camera_id, store_errmsg(s));
    return 0;
}

#define EVENT_COLUMNS "id, camera_id, at_ms, from_state, to_state, reason"

static void read_event(sqlite3_stmt *st, void *elem)
{
    struct store_event *e = elem;

    store_columns(st, "ItIsst", &e->id, e->camera_id, sizeof(e->camera_id), &e->at_ms, &e->from,
                  &e->to, e->reason, sizeof(e->reason));
}

int store_list_events_page(struct store *s, const struct store_page *pg, struct store_event **out,
                           size_t *n, struct cw_err *err)
{
    void *rows = NULL;
    int rc = store_collect_page(s, EVENT_COLUMNS, "event", pg, sizeof(**out), read_event, &rows, n,
                                "events", err);

    *out = rows;
    return rc;
}

int store_list_events(struct store *s, const char *camera_id, int64_t since_ms,
                      struct store_event **out, size_t *n, struct cw_err *err)
{
    const struct store_page all = {camera_id, since_ms, INT64_MIN, INT64_MIN, 0};

    return store_list_events_page(s, &all, out, n, err);
}

int store_list_events_after(struct store *s, int64_t after_id, size_t limit,
                            struct store_event **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_event, out, n, "events after", err,
                        "SELECT " EVENT_COLUMNS " FROM event WHERE id > ?1 ORDER BY id LIMIT ?2",
                        "II", after_id, store_limit(limit));
}

int store_last_event_id(struct store *s, int64_t *out, struct cw_err *err)
{
    sqlite3_stmt *st =
        store_prepare(s, "last event", err, "SELECT coalesce(max(id), 0) FROM event", "");
    int rc = store_one_row(s, st, 0, sizeof(*out), store_read_int64, out, "last event", err);

    return rc == 1 ? store_fail(s, "last event", err) : rc; /* an aggregate always has a row */
}

struct state_row {
    enum cw_state state;
    int64_t since_ms;
};

static void read_state(sqlite3_stmt *st, void *elem)
{
    struct state_row *r = elem;

    r->state = store_column_state(st, 0);
    r->since_ms = sqlite3_column_int64(st, 1);
}

int store_state_at(struct store *s, const char *camera_id, int64_t at_ms, enum cw_state *state,
                   int64_t *since_ms, struct cw_err *err)
{
    /* One search of the (camera_id, at_ms) index, backwards from at_ms. */
    static const char sql[] = "SELECT to_state, at_ms FROM event WHERE camera_id = ?1 AND "
                              "at_ms <= ?2 ORDER BY at_ms DESC, id DESC LIMIT 1";
    sqlite3_stmt *st = store_stmt(s, STMT_STATE_AT, sql, err);
    struct state_row r;
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_ms);
    if ((rc = store_one_row(s, st, 1, sizeof(r), read_state, &r, "state at", err)) == 0) {
        *state = r.state;
        *since_ms = r.since_ms;
    }
    return rc;
}

int store_list_events_between(struct store *s, const char *camera_id, int64_t from_ms,
                              int64_t to_ms, size_t limit, struct store_event **out, size_t *n,
                              struct cw_err *err)
{
    static const char sql[] = "SELECT id, camera_id, at_ms, from_state, to_state, reason FROM "
                              "event WHERE camera_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 "
                              "ORDER BY at_ms, id LIMIT ?4";
    sqlite3_stmt *st = store_stmt(s, STMT_EVENTS_BETWEEN, sql, err);
    void *rows = NULL;
    int rc;

    if (st != NULL)
        sqlite3_bind_int64(st, 4, store_limit(limit));
    rc = store_collect_range(s, st, camera_id, from_ms, to_ms, sizeof(**out), read_event, &rows, n,
                             "events", err);
    *out = rows;
    return rc;
}
