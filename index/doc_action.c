/* doc_action.c - the two staff actions on a camera and the documents of their results:
 * maintenance on or off, and forgetting the reference picture. Each writes through the
 * store's own short transaction (safe beside a running daemon); the caller's store must be
 * READWRITE. */
#include "doc_priv.h"

/* The camera vanished between the check and the write (retired by a sync meanwhile). */
static int gone(const char *id, struct cw_err *err)
{
    cw_err_set(err, NULL, 0, NULL, "unknown camera '%s'", id);
    return DOC_NOT_FOUND;
}

int doc_maintenance(const struct doc_ctx *c, const char *id, int on, const char *note,
                    int64_t at_ms, json_t **out, struct cw_err *err)
{
    struct store_status before, after;
    json_t *o;
    int changed, rc;

    *out = NULL;
    if ((rc = doc_require_camera(c, id, &before, err)) != 0)
        return rc;
    changed = (before.state == CW_MAINTENANCE) != on;
    if (changed) {
        rc = store_set_maintenance(c->store, id, on, note != NULL ? note : "", at_ms, err);
        if (rc != 0)
            return rc < 0 ? -1 : gone(id, err);
    }
    if ((rc = doc_require_camera(c, id, &after, err)) != 0)
        return rc;
    if ((o = json_object()) != NULL) {
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "changed", json_boolean(changed));
        json_object_set_new(o, "from", json_string(cw_state_name(before.state)));
        json_object_set_new(o, "to", json_string(cw_state_name(after.state)));
        json_object_set_new(o, "since", doc_iso(c, after.since_ms));
        json_object_set_new(o, "reason", json_string(after.reason));
    }
    return doc_give(o, out, err);
}

int doc_reference_clear(const struct doc_ctx *c, const char *id, json_t **out, struct cw_err *err)
{
    struct store_status st;
    uint64_t phash;
    int64_t at_ms = 0;
    int had = 0, rc;
    json_t *o;

    *out = NULL;
    if ((rc = doc_require_camera(c, id, &st, err)) != 0)
        return rc;
    /* Cleared even when none was read: the daemon may take one between the two calls. */
    rc = store_get_reference(c->store, id, &had, &phash, &at_ms, err);
    if (rc == 0)
        rc = store_set_reference(c->store, id, 0, 0, 0, err);
    if (rc != 0)
        return rc < 0 ? -1 : gone(id, err);
    if ((o = json_object()) != NULL) {
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "cleared", json_boolean(had));
        json_object_set_new(o, "previous", had ? doc_iso_or_null(c, at_ms) : json_null());
    }
    return doc_give(o, out, err);
}
