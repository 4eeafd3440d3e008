/* doc_action.c - the two staff actions on a camera and the documents of their results:
 * maintenance on or off, and forgetting the reference picture. Each writes through the
 * store's own short transaction (safe beside a running daemon); the caller's store must be
 * READWRITE. Each action is two steps, so the daemon can write on a worker (its own
 * connection) and build the document on the loop: *_apply touches only the store (any
 * thread, with its own connection), *_result builds the document (the loop or the CLI). */
#include "doc_priv.h"

#include <stdio.h>

int doc_maintenance_apply(struct store *s, const char *id, int on, const char *note, int64_t at_ms,
                          struct doc_maintenance_change *out, struct cw_err *err)
{
    int rc;

    if ((rc = doc_text_check("note", note, err)) != 0 ||
        (rc = doc_require_camera(s, id, &out->before, err)) != 0)
        return rc;
    out->changed = (out->before.state == CW_MAINTENANCE) != on;
    if (out->changed) {
        rc = store_set_maintenance(s, id, on, note != NULL ? note : "", at_ms, err);
        if (rc != 0)
            return rc < 0 ? -1 : doc_unknown_camera(s, NULL, id, err);
    }
    return doc_require_camera(s, id, &out->after, err);
}

int doc_maintenance_result(const struct doc_ctx *c, const struct doc_maintenance_change *m,
                           json_t **out, struct cw_err *err)
{
    json_t *o = json_object();

    *out = NULL;
    if (o != NULL) {
        json_object_set_new(o, "id", json_string(m->after.id));
        json_object_set_new(o, "changed", json_boolean(m->changed));
        json_object_set_new(o, "from", json_string(cw_state_name(m->before.state)));
        json_object_set_new(o, "to", json_string(cw_state_name(m->after.state)));
        json_object_set_new(o, "since", doc_iso(c, m->after.since_ms));
        json_object_set_new(o, "reason", json_string(m->after.reason));
    }
    return doc_give(o, out, err);
}

int doc_maintenance(const struct doc_ctx *c, const char *id, int on, const char *note,
                    int64_t at_ms, json_t **out, struct cw_err *err)
{
    struct doc_maintenance_change m;
    int rc;

    *out = NULL;
    if ((rc = doc_maintenance_apply(c->store, id, on, note, at_ms, &m, err)) != 0)
        return rc;
    return doc_maintenance_result(c, &m, out, err);
}

int doc_reference_apply(struct store *s, const char *id, struct doc_reference_change *out,
                        struct cw_err *err)
{
    struct store_status st;
    uint64_t phash;
    int rc;

    out->had = 0;
    out->at_ms = 0;
    if ((rc = doc_require_camera(s, id, &st, err)) != 0)
        return rc;
    snprintf(out->id, sizeof(out->id), "%s", st.id);
    /* Cleared even when none was read: the daemon may take one between the two calls. */
    rc = store_get_reference(s, id, &out->had, &phash, &out->at_ms, err);
    if (rc == 0)
        rc = store_set_reference(s, id, 0, 0, 0, err);
    if (rc != 0)
        return rc < 0 ? -1 : doc_unknown_camera(s, NULL, id, err);
    return 0;
}

int doc_reference_result(const struct doc_ctx *c, const struct doc_reference_change *r,
                         json_t **out, struct cw_err *err)
{
    json_t *o = json_object();

    *out = NULL;
    if (o != NULL) {
        json_object_set_new(o, "id", json_string(r->id));
        json_object_set_new(o, "cleared", json_boolean(r->had));
        json_object_set_new(o, "previous", r->had ? doc_iso_or_null(c, r->at_ms) : json_null());
    }
    return doc_give(o, out, err);
}

int doc_reference_clear(const struct doc_ctx *c, const char *id, json_t **out, struct cw_err *err)
{
    struct doc_reference_change r;
    int rc;

    *out = NULL;
    if ((rc = doc_reference_apply(c->store, id, &r, err)) != 0)
        return rc;
    return doc_reference_result(c, &r, out, err);
}
