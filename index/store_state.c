/* store_state.c - a camera's state changes: the camera row's state and the
 * event row that records the change, written together in one transaction.
 * The rules of who may move a state from where live here, so they hold for
 * every connection (the daemon's batch and the CLI's READWRITE connection
 * beside it):
 *
 *   from -> to, only while the row still holds `from`   store_record_transition()
 *                                                         (the daemon's verdict)
 *   any (not retired, not MAINTENANCE) -> MAINTENANCE    store_set_maintenance(on)
 *   MAINTENANCE -> UNKNOWN (the next probe decides)      store_set_maintenance(off)
 *
 * The maintenance rule has no other copy: the daemon does not enter or leave
 * MAINTENANCE itself, it adopts what this file wrote (the fleet's write batch
 * sees the store's data_version move). Owns nothing; the statements it runs
 * are store_camera.c's and store_event.c's. */
#include "store_priv.h"

#include <stdio.h>

int store_record_transition(struct store *s, const char *camera_id, enum cw_state from,
                            enum cw_state to, int64_t at_ms, const char *reason, struct cw_err *err)
{
    int rc;

    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_move_state(s, camera_id, from, to, at_ms, reason, err);
    if (rc < 0 || (rc == 0 && store_event_insert(s, camera_id, from, to, at_ms, reason, err) != 0))
        return store_end_failed(s);
    if (store_commit(s, err) != 0)
        return -1;
    return rc; /* 1: no such camera, or not in `from`: nothing written */
}

/* "maintenance: NOTE", or the bare prefix when there is no note. */
static void maintenance_reason(char *buf, size_t len, const char *prefix, const char *note)
{
    if (note != NULL && note[0] != '\0')
        snprintf(buf, len, "%s: %s", prefix, note);
    else
        snprintf(buf, len, "%s", prefix);
}

int store_set_maintenance(struct store *s, const char *camera_id, int on, const char *note,
                          int64_t at_ms, struct cw_err *err)
{
    char reason[256];
    enum cw_state cur, to = on ? CW_MAINTENANCE : CW_UNKNOWN;
    int retired, rc;

    /* Own short transaction (BEGIN IMMEDIATE when outermost): the read of the current state
     * and the write cannot interleave with the daemon's batch. */
    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_get_state(s, camera_id, &cur, &retired, err);
    if (rc != 0) {
        if (rc < 0)
            return store_end_failed(s);
        return store_commit(s, err) == 0 ? 1 : -1;
    }
    if (retired) {
        cw_err_set(err, NULL, 0, NULL, "%s is retired (not in the inventory)", camera_id);
        return store_end_failed(s);
    }
    if (on && cur == CW_MAINTENANCE) {
        cw_err_set(err, NULL, 0, NULL, "%s is already in maintenance", camera_id);
        return store_end_failed(s);
    }
    if (!on && cur != CW_MAINTENANCE) {
        cw_err_set(err, NULL, 0, NULL, "%s is not in maintenance", camera_id);
        return store_end_failed(s);
    }
    maintenance_reason(reason, sizeof(reason), on ? "maintenance" : "maintenance ended", note);
    if (store_event_insert(s, camera_id, cur, to, at_ms, reason, err) != 0 ||
        store_camera_set_state(s, camera_id, to, at_ms, reason, err) != 0)
        return store_end_failed(s);
    return store_commit(s, err);
}
