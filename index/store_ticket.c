/* store_ticket.c - every statement on the ticket table: opening a ticket, closing it once,
 * reading one and listing them. The table's triggers refuse deleting a ticket and any change
 * but its one closing, so what field staff filed stays as they filed it. */
#include "store_priv.h"

#include <stdio.h>
#include <string.h>

#define TICKET_COLUMNS                                                                             \
    "id, camera_id, action, note, cost_vnd, opened_ms, opened_by, closed_ms, closed_by, "          \
    "close_note"

static void read_ticket(sqlite3_stmt *st, void *elem)
{
    struct store_ticket *t = elem;

    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(st, 0);
    store_column_text(st, 1, t->camera_id, sizeof(t->camera_id));
    store_column_text(st, 2, t->action, sizeof(t->action));
    store_column_text(st, 3, t->note, sizeof(t->note));
    t->has_cost = sqlite3_column_type(st, 4) != SQLITE_NULL;
    t->cost_vnd = sqlite3_column_int64(st, 4);
    t->opened_ms = sqlite3_column_int64(st, 5);
    store_column_text(st, 6, t->opened_by, sizeof(t->opened_by));
    t->closed_ms = sqlite3_column_int64(st, 7);
    store_column_text(st, 8, t->closed_by, sizeof(t->closed_by));
    store_column_text(st, 9, t->close_note, sizeof(t->close_note));
}

/* A closing's texts that would not fit their fields when read back are refused whole (a new
 * ticket's come in its struct, which bounds them). */
static int ticket_texts_fit(const char *note, const char *by, struct cw_err *err)
{
    if (note != NULL && strlen(note) > STORE_TICKET_TEXT_MAX)
        return cw_err_set(err, NULL, 0, "note", "longer than %d bytes", STORE_TICKET_TEXT_MAX);
    if (by != NULL && strlen(by) > STORE_TICKET_BY_MAX)
        return cw_err_set(err, NULL, 0, "by", "longer than %d bytes", STORE_TICKET_BY_MAX);
    return 0;
}

/* sql prepared inside the open batch: the statement, or NULL with the batch unwound. */
static sqlite3_stmt *prepare_in_batch(struct store *s, const char *sql, const char *doing,
                                      struct cw_err *err)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK)
        return st;
    store_fail(s, doing, err);
    store_end_failed(s);
    return NULL;
}

/* Step st (bound) to its end and finalize it, inside the open batch: 0, or -1 with the batch
 * unwound. */
static int run_in_batch(struct store *s, sqlite3_stmt *st, const char *doing, struct cw_err *err)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    store_fail(s, doing, err);
    return store_end_failed(s);
}

int store_ticket_add(struct store *s, const struct store_ticket *t, int64_t *id, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    enum cw_state cur;
    int retired, rc;

    if (t->has_cost && t->cost_vnd < 0)
        return cw_err_set(err, NULL, 0, "cost", "must not be negative");
    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_get_state(s, t->camera_id, &cur, &retired, err);
    if (rc != 0 || retired) {
        if (rc < 0)
            return store_end_failed(s);
        return store_commit(s, err) == 0 ? 1 : -1;
    }
    if ((st = prepare_in_batch(s,
                               "INSERT INTO ticket (camera_id, action, note, cost_vnd, opened_ms, "
                               "opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               "ticket", err)) == NULL)
        return -1;
    sqlite3_bind_text(st, 1, t->camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->note, -1, SQLITE_STATIC);
    if (t->has_cost)
        sqlite3_bind_int64(st, 4, t->cost_vnd);
    sqlite3_bind_int64(st, 5, t->opened_ms);
    sqlite3_bind_text(st, 6, t->opened_by, -1, SQLITE_STATIC);
    if (run_in_batch(s, st, "ticket", err) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    return store_commit(s, err);
}

int store_get_ticket(struct store *s, int64_t id, struct store_ticket *out, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(s->db, "SELECT " TICKET_COLUMNS " FROM ticket WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return store_fail(s, "ticket", err);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_ticket(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? 1 : store_fail(s, "ticket", err);
}

int store_ticket_close(struct store *s, int64_t id, int64_t at_ms, const char *by, const char *note,
                       struct store_ticket *out, struct cw_err *err)
{
    struct store_ticket t;
    sqlite3_stmt *st = NULL;
    int rc;

    if (ticket_texts_fit(note, by, err) != 0)
        return -1;
    if (store_begin(s, err) != 0)
        return -1;
    if ((rc = store_get_ticket(s, id, &t, err)) != 0 || t.closed_ms != 0) {
        if (rc < 0)
            return store_end_failed(s);
        if (rc == 0 && out != NULL)
            *out = t;
        return store_commit(s, err) == 0 ? (rc == 1 ? 1 : 2) : -1;
    }
    if ((st = prepare_in_batch(s,
                               "UPDATE ticket SET closed_ms = ?2, closed_by = ?3, close_note = ?4 "
                               "WHERE id = ?1",
                               "closing ticket", err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at_ms);
    sqlite3_bind_text(st, 3, by != NULL ? by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note != NULL ? note : "", -1, SQLITE_STATIC);
    if (run_in_batch(s, st, "closing ticket", err) != 0)
        return -1;
    if (out != NULL && store_get_ticket(s, id, out, err) != 0)
        return store_end_failed(s);
    return store_commit(s, err);
}

int store_list_tickets(struct store *s, const char *camera_id, int open_only,
                       struct store_ticket **out, size_t *n, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    void *rows = NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " TICKET_COLUMNS " FROM ticket WHERE (?1 IS NULL OR camera_id = "
                           "?1) AND (?2 = 0 OR closed_ms IS NULL) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "tickets", err);
    if (camera_id != NULL)
        sqlite3_bind_text(st, 1, camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, open_only != 0);
    rc = store_collect(s, st, sizeof(**out), read_ticket, &rows, n, "tickets", err);
    *out = rows;
    return rc;
}
