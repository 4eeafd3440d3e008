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

    store_columns(st, "ItttIItItt", &t->id, t->camera_id, sizeof(t->camera_id), t->action,
                  sizeof(t->action), t->note, sizeof(t->note), &t->cost_vnd, &t->opened_ms,
                  t->opened_by, sizeof(t->opened_by), &t->closed_ms, t->closed_by,
                  sizeof(t->closed_by), t->close_note, sizeof(t->close_note));
    t->has_cost = sqlite3_column_type(st, 4) != SQLITE_NULL;
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
    st = store_prepare(s, "ticket", err,
                       "INSERT INTO ticket (camera_id, action, note, cost_vnd, opened_ms, "
                       "opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       "ttt_It", t->camera_id, t->action, t->note, t->opened_ms, t->opened_by);
    if (st != NULL && t->has_cost)
        sqlite3_bind_int64(st, 4, t->cost_vnd);
    if (store_insert(s, st, "ticket", id, err) != 0)
        return store_end_failed(s);
    return store_commit(s, err);
}

int store_get_ticket(struct store *s, int64_t id, struct store_ticket *out, struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s, "ticket", err, "SELECT " TICKET_COLUMNS " FROM ticket WHERE id = ?1", "I", id);

    return store_one_row(s, st, 0, sizeof(*out), read_ticket, out, "ticket", err);
}

int store_ticket_close(struct store *s, int64_t id, int64_t at_ms, const char *by, const char *note,
                       struct store_ticket *out, struct cw_err *err)
{
    struct store_ticket t;
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
    if (store_run(s, "closing ticket", err,
                  "UPDATE ticket SET closed_ms = ?2, closed_by = ?3, close_note = ?4 WHERE id = ?1",
                  "IItt", id, at_ms, by != NULL ? by : "", note != NULL ? note : "") != 0)
        return store_end_failed(s);
    if (out != NULL && store_get_ticket(s, id, out, err) != 0)
        return store_end_failed(s);
    return store_commit(s, err);
}

int store_list_tickets(struct store *s, const char *camera_id, int open_only,
                       struct store_ticket **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_ticket, out, n, "tickets", err,
                        "SELECT " TICKET_COLUMNS " FROM ticket WHERE (?1 IS NULL OR camera_id = "
                        "?1) AND (?2 = 0 OR closed_ms IS NULL) ORDER BY id",
                        "ti", camera_id, open_only != 0);
}
