/* doc_ticket.c - tickets, the work field staff file for a camera: opening one, closing it,
 * and the list, each as a document (doc.h). Opening and closing write (c->store READWRITE);
 * the store keeps a ticket as filed and only ever closes it, once. */
#include "doc_priv.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Its texts were checked as UTF-8 when typed (doc_text_check). */
static json_t *ticket_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_ticket *t = elem;
    int closed = t->closed_ms != 0;

    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:I, s:s, s:o, s:o, s:s?, s:s?}", "id",
                     (json_int_t)t->id, "camera", t->camera_id, "action", t->action, "note",
                     t->note, "cost_vnd", t->has_cost ? json_integer(t->cost_vnd) : json_null(),
                     "state", closed ? "closed" : "open", "opened", doc_iso(c, t->opened_ms),
                     "opened_ms", (json_int_t)t->opened_ms, "opened_by", t->opened_by, "closed",
                     doc_iso_or_null(c, t->closed_ms), "closed_ms",
                     closed ? json_integer(t->closed_ms) : json_null(), "closed_by",
                     closed ? t->closed_by : NULL, "close_note", closed ? t->close_note : NULL);
}

/* "restore_link, clean_lens, ...": the actions a ticket may name. */
static void action_list(char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (int a = 0; a < CFG_ACTION_COUNT && off < len; a++) {
        int w = snprintf(buf + off, len - off, "%s%s", a ? ", " : "",
                         cfg_action_name((enum cfg_action)a));
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

int doc_ticket_add_apply(struct store *s, const struct doc_ticket_new *tn, struct store_ticket *out,
                         struct cw_err *err)
{
    struct store_ticket t = {0};
    struct store_status st;
    enum cfg_action a;
    char list[256];
    int rc;

    if (cfg_action_parse(tn->action, &a) != 0) {
        action_list(list, sizeof(list));
        cw_err_set(err, NULL, 0, "action", "unknown action '%s' (one of: %s)", tn->action, list);
        return DOC_BAD_INPUT;
    }
    if (tn->has_cost && tn->cost_vnd < 0) {
        cw_err_set(err, NULL, 0, "cost", "must not be negative");
        return DOC_BAD_INPUT;
    }
    if ((rc = doc_require_camera(s, tn->camera, &st, err)) != 0)
        return rc;
    if (st.retired) {
        cw_err_set(err, NULL, 0, NULL, "%s is retired (not in the inventory)", tn->camera);
        return DOC_BAD_INPUT;
    }
    if ((tn->note != NULL && strlen(tn->note) > STORE_TICKET_TEXT_MAX) ||
        (tn->by != NULL && strlen(tn->by) > STORE_TICKET_BY_MAX)) {
        cw_err_set(err, NULL, 0, "note", "longer than %d bytes", STORE_TICKET_TEXT_MAX);
        return DOC_BAD_INPUT;
    }
    if ((rc = doc_text_check("note", tn->note, err)) != 0 ||
        (rc = doc_text_check("by", tn->by, err)) != 0)
        return rc;
    snprintf(t.camera_id, sizeof(t.camera_id), "%s", tn->camera);
    snprintf(t.action, sizeof(t.action), "%s", cfg_action_name(a));
    snprintf(t.note, sizeof(t.note), "%s", tn->note != NULL ? tn->note : "");
    snprintf(t.opened_by, sizeof(t.opened_by), "%s", tn->by != NULL ? tn->by : "");
    t.has_cost = tn->has_cost;
    t.cost_vnd = tn->cost_vnd;
    t.opened_ms = tn->at_ms;
    if ((rc = store_ticket_add(s, &t, &t.id, err)) != 0) {
        return rc == 1 ? doc_unknown_camera(s, NULL, tn->camera, err) : -1;
    }
    return store_get_ticket(s, t.id, out, err) != 0 ? -1 : 0;
}

int doc_ticket_close_apply(struct store *s, int64_t id, const char *by, const char *note,
                           int64_t at_ms, struct store_ticket *out, struct cw_err *err)
{
    int rc;

    if ((note != NULL && strlen(note) > STORE_TICKET_TEXT_MAX) ||
        (by != NULL && strlen(by) > STORE_TICKET_BY_MAX)) {
        cw_err_set(err, NULL, 0, "note", "longer than %d bytes", STORE_TICKET_TEXT_MAX);
        return DOC_BAD_INPUT;
    }
    if ((rc = doc_text_check("note", note, err)) != 0 || (rc = doc_text_check("by", by, err)) != 0)
        return rc;
    rc = store_ticket_close(s, id, at_ms, by, note, out, err);
    if (rc == 1) {
        cw_err_set(err, NULL, 0, NULL, "no ticket %lld", (long long)id);
        return DOC_NOT_FOUND;
    }
    if (rc == 2)
        return DOC_TICKET_CLOSED;
    return rc != 0 ? -1 : 0;
}

int doc_ticket_result(const struct doc_ctx *c, int rc, const struct store_ticket *t, json_t **out,
                      struct cw_err *err)
{
    char when[64];

    *out = NULL;
    if (rc == DOC_TICKET_CLOSED) {
        json_t *iso = doc_iso(c, t->closed_ms);
        snprintf(when, sizeof(when), "%s", iso != NULL ? json_string_value(iso) : "?");
        json_decref(iso);
        cw_err_set(err, NULL, 0, NULL, "ticket %lld was closed already (%s%s%s)", (long long)t->id,
                   when, t->closed_by[0] != '\0' ? " by " : "", t->closed_by);
        return DOC_CONFLICT;
    }
    if (rc != 0)
        return rc;
    return doc_give(ticket_json(c, t), out, err);
}

int doc_ticket_add(const struct doc_ctx *c, const struct doc_ticket_new *tn, json_t **out,
                   struct cw_err *err)
{
    struct store_ticket t;
    int rc = doc_ticket_add_apply(c->store, tn, &t, err);

    return doc_ticket_result(c, rc, &t, out, err);
}

int doc_ticket_close(const struct doc_ctx *c, int64_t id, const char *by, const char *note,
                     int64_t at_ms, json_t **out, struct cw_err *err)
{
    struct store_ticket t;
    int rc = doc_ticket_close_apply(c->store, id, by, note, at_ms, &t, err);

    return doc_ticket_result(c, rc, &t, out, err);
}

static int tickets_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_tickets_query *q = query;
    struct store_ticket *t = NULL;
    size_t n = 0;
    int rc = q->camera != NULL ? doc_require_camera(s, q->camera, NULL, err) : 0;

    if (rc == 0 && store_list_tickets(s, q->camera, !q->all, &t, &n, err) != 0)
        rc = -1;
    return doc_list_take(rows, rc, t, n, sizeof(*t), ticket_json);
}

static const struct doc_query_type tickets_query_type = {
    sizeof(struct doc_tickets_query), 1, {offsetof(struct doc_tickets_query, camera)}};
const struct doc_view doc_view_tickets = {&tickets_query_type, sizeof(struct doc_list),
                                          tickets_read, doc_list_build, doc_list_clear};
