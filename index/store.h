/* store.h - the SQLite store: schema and migrations, cameras synced from the
 * inventory, current state per camera, state-change events, probe facts and
 * uptime. One read-write connection lives on the daemon's loop thread;
 * readers (the CLI) open read-only and run beside it (WAL). A struct store is
 * used by one thread at a time. */
#ifndef CW_STORE_H
#define CW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/err.h"
#include "../util/state.h"

#define STORE_SCHEMA_VERSION 2 /* 1: cameras and events; 2: last probe facts */

struct store;

enum store_mode { STORE_READONLY, STORE_READWRITE };

/* Open (and in READWRITE mode create the folder and file, and migrate to
 * STORE_SCHEMA_VERSION). WAL, busy timeout and foreign keys are set. READONLY refuses a
 * missing file or a schema newer or older than this build. Caller frees with store_close. */
int store_open(const char *path, enum store_mode mode, struct store **out, struct cw_err *err);
void store_close(struct store *s); /* accepts NULL */

/* user_version of the open database. */
int store_schema_version(struct store *s);

/* Batched writes: the daemon wraps a burst of writes in one transaction. Nested calls are
 * counted; only the outermost commit commits. */
int store_begin(struct store *s, struct cw_err *err);
int store_commit(struct store *s, struct cw_err *err);
/* Abandon the open batch whatever the nesting (after a failed write the daemon cannot
 * finish). Accepts NULL and no open batch. A failed outermost commit rolls back by itself. */
void store_rollback(struct store *s);

/* Make the camera table match the inventory: insert new cameras, update changed fields,
 * retire (never delete) cameras missing from cfg, un-retire ones that came back. A new
 * camera starts UNKNOWN with since = now_ms. Returns 0 or -1. */
int store_sync_cameras(struct store *s, const struct cfg *cfg, int64_t now_ms, struct cw_err *err);

/* Current state of a camera as kept in the store, with the last probe's facts. */
struct store_status {
    char id[CFG_ID_MAX + 1];
    char name[256];
    char owner[32];
    char commune[128];
    int retired;
    enum cw_state state;
    int64_t since_ms;      /* when it entered state */
    char reason[256];      /* why it is in state, "" when up */
    int64_t last_probe_ms; /* 0 when never probed */
    int latency_ms;        /* -1 when unknown */
    int rtsp_status;       /* last RTSP status code, 0 when none */
    char codec[16];        /* "h264", "h265", "mjpeg", "" */
    int width, height;     /* 0 when unknown */
    double fps;            /* from SDP framerate, 0 when unknown */
};

/* One camera's status; returns 0, 1 when no such camera, -1 on error. */
int store_get_status(struct store *s, const char *id, struct store_status *out, struct cw_err *err);
/* Every non-retired camera, ordered by id. *out is malloc'd (caller frees); *n its length. */
int store_list_status(struct store *s, struct store_status **out, size_t *n, struct cw_err *err);

/* The facts of one probe, written whether or not the state changes. */
struct store_probe {
    const char *camera_id;
    int64_t at_ms;
    int ok;         /* the camera answered DESCRIBE with 200 and usable SDP */
    int latency_ms; /* -1 when no answer */
    int rtsp_status;
    const char *codec; /* may be NULL */
    int width, height;
    double fps;
    /* The camera's current reason, written only while the store still holds `state` for it
     * (so a change the CLI made meanwhile is not overwritten); NULL leaves the reason. */
    const char *reason;
    enum cw_state state;
};
/* Returns 0, 1 when no such camera (nothing written), -1 on error. The SDP facts replace the
 * previous ones (NULL/0 clears them); last_ok_ms moves only when ok. Statement cached. */
int store_record_probe(struct store *s, const struct store_probe *p, struct cw_err *err);

/* Write a state change: an event row and the camera's current state/since/reason, in one
 * transaction (nested in the caller's batch if one is open). Returns 0; 1 when there is no
 * such camera or the store no longer holds `from` for it (another connection, the CLI, moved
 * it meanwhile): nothing written, the caller should adopt the store's state; -1 on error. */
int store_record_transition(struct store *s, const char *camera_id, enum cw_state from,
                            enum cw_state to, int64_t at_ms, const char *reason,
                            struct cw_err *err);

/* Staff acknowledgement: on -> MAINTENANCE (reason "maintenance: NOTE"), off -> UNKNOWN
 * (reason "maintenance ended: NOTE"), the next probe decides; each writes an event. Returns 0,
 * 1 when no such camera, -1 on error, including "CAM is not in maintenance" (off), "CAM is
 * already in maintenance" (on) and a retired camera. Runs in its own BEGIN IMMEDIATE
 * transaction, so it is safe from the CLI's READWRITE connection beside a running daemon. */
int store_set_maintenance(struct store *s, const char *camera_id, int on, const char *note,
                          int64_t at_ms, struct cw_err *err);

struct store_event {
    int64_t id;
    char camera_id[CFG_ID_MAX + 1];
    int64_t at_ms;
    enum cw_state from, to;
    char reason[256];
};
/* Events at or after since_ms, oldest first, for one camera (camera_id non-NULL) or all.
 * *out malloc'd, caller frees. */
int store_list_events(struct store *s, const char *camera_id, int64_t since_ms,
                      struct store_event **out, size_t *n, struct cw_err *err);

/* Time spent in each state over [from_ms, to_ms), computed exactly from event intervals. */
struct store_uptime {
    char camera_id[CFG_ID_MAX + 1];
    char owner[32];
    int64_t ms[5]; /* indexed by enum cw_state; time before the camera existed is not counted */
    int outages;   /* transitions into DOWN within the range */
};
/* One row per camera (retired included when it existed in the range), ordered by id. *out
 * malloc'd, caller frees. A camera's time starts at its creation (UNKNOWN until its first
 * event) and ends at its retirement; a retirement that was later undone counts as UNKNOWN
 * (store_sync_cameras writes an event to UNKNOWN when it retires a camera). */
int store_uptime(struct store *s, int64_t from_ms, int64_t to_ms, struct store_uptime **out,
                 size_t *n, struct cw_err *err);

/* SQLite's PRAGMA data_version: changes when another connection commits. The daemon uses it
 * to notice the CLI's maintenance changes without rereading every row. */
int store_data_version(struct store *s, int64_t *out, struct cw_err *err);

#endif
