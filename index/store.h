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

#define STORE_SCHEMA_VERSION                                                                       \
    11 /* 1: cameras and events; 2: last probe facts; 3: samples;                                  \
         4: ONVIF device facts, history, clocks; 5: clocks thinned by retention;                   \
         6: verdict memory, frame sizes; 7: footage, requests, audit, places; 8: tickets;          \
         9: alerts; 10: recorders removed from the conf; 11: a Dahua segment's channel */

struct store;

enum store_mode { STORE_READONLY, STORE_READWRITE };

/* Open (and in READWRITE mode create the folder and file, and migrate to
 * STORE_SCHEMA_VERSION). WAL, busy timeout and foreign keys are set. READONLY refuses a
 * missing file or a schema newer or older than this build. Caller frees with store_close. */
int store_open(const char *path, enum store_mode mode, struct store **out, struct cw_err *err);
void store_close(struct store *s); /* accepts NULL */
/* Bound this connection's page cache at kib KiB (SQLite's default is about 2 MiB). A
 * connection open for months fills whatever bound it has; the daemon's (a write of 0.2 s
 * touches at most a few hundred pages, and the others are in the system's file cache) keeps a
 * small one so its memory is the same from its first hour to its last. */
int store_cache_limit(struct store *s, int kib, struct cw_err *err);

/* Make every statement on s fail from now on, the one running included, with SQLite's
 * SQLITE_INTERRUPT ("interrupted"): for a stop that must not wait on a long read, nor on
 * another connection's lock (a statement waiting for it gives up at once, "interrupted"). Sticky,
 * unlike sqlite3_interrupt alone (a no-op between two statements of a read of several): there
 * is no way back, close s. May be called from any thread while s is open; the caller keeps s
 * from being closed meanwhile (a write being interrupted rolls back). */
void store_interrupt(struct store *s);

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
 * camera starts UNKNOWN with since = now_ms. Returns 0 or -1. What changed is logged ("store:
 * inventory of N cameras: ...") once committed: inside a caller's transaction, at its commit,
 * and not at all when it rolls back. */
int store_sync_cameras(struct store *s, const struct cfg *cfg, int64_t now_ms, struct cw_err *err);

/* The run of verdicts of one kind that health's hysteresis counts (daemon/health.h): the kind
 * of the current run, or NONE when there is none. */
enum store_streak { STORE_STREAK_NONE, STORE_STREAK_OK, STORE_STREAK_DEGRADED, STORE_STREAK_FAIL };

/* What the picture judgment carries from sample to sample (daemon/quality.h): the picture of
 * the last sample that had one, and the run of still samples showing it. */
struct store_picture_memory {
    int has_last;
    uint64_t last_phash;
    int still_run;        /* consecutive still samples of the same picture */
    int64_t run_since_ms; /* the first of them, 0 when no run */
};

/* Current state of a camera as kept in the store, with the last probe's facts. */
struct store_status {
    char id[CFG_ID_MAX + 1];
    char name[256];
    char owner[32];
    char commune[128];
    char address[256], road[128]; /* from the inventory, "" when not given */
    int has_position;             /* lat and lon given */
    double lat, lon;
    int retired;
    enum cw_state state;
    int64_t since_ms;      /* when it entered state */
    char reason[256];      /* why it is in state, "" when up */
    int64_t last_probe_ms; /* 0 when never probed */
    int64_t last_ok_ms;    /* last probe the camera answered well; 0 when never */
    int latency_ms;        /* -1 when unknown */
    int rtsp_status;       /* last RTSP status code, 0 when none */
    char codec[16];        /* "h264", "h265", "mjpeg", "" */
    int width, height;     /* 0 when unknown */
    double fps;            /* from SDP framerate, 0 when unknown */
    /* From the last stream sample (0 / "" when none yet). */
    int64_t last_sample_ms;
    double stream_fps;   /* measured */
    double bitrate_kbps; /* measured */
    double gop_s;
    double sharpness;
    double luma;                     /* mean luma */
    int frozen;                      /* picture frozen in the last sample */
    char flags[192];                 /* comma-separated quality flag names of the last sample */
    char thumb_path[1024];           /* newest thumbnail, "" when none */
    int stream_width, stream_height; /* as the last sample decoded it, 0 when unknown */
    /* What a verdict needs across restarts (written by the daemon with each result). */
    enum store_streak streak_kind;
    int streak; /* length of the current run of verdicts (health.h says what it counts) */
    struct store_picture_memory picture;
};

/* One camera's status; returns 0, 1 when no such camera, -1 on error. */
int store_get_status(struct store *s, const char *id, struct store_status *out, struct cw_err *err);
/* The id of a camera whose id is id but for the case of its ASCII letters (ids are matched to
 * the letter everywhere else; this is for telling a user who typed one wrong what they meant):
 * 0 with it in out (len bytes, at most CFG_ID_MAX + 1 are needed), 1 when none, -1 on error. */
int store_camera_id_nocase(struct store *s, const char *id, char *out, size_t len,
                           struct cw_err *err);
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
    /* Health's run of verdicts after this probe, kept so a restart resumes it. */
    enum store_streak streak_kind;
    int streak;
};
/* Returns 0, 1 when no such camera (nothing written), -1 on error. The SDP facts replace the
 * previous ones (NULL/0 clears them); last_ok_ms moves only when ok; the streak replaces the
 * stored one. Statement cached. */
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

/* The log as a reader that follows it sees it (the alerting): events with id > after_id, by
 * id, at most limit (0: no limit). *out malloc'd, caller frees. */
int store_list_events_after(struct store *s, int64_t after_id, size_t limit,
                            struct store_event **out, size_t *n, struct cw_err *err);
/* The id of the last event written, 0 when there is none. */
int store_last_event_id(struct store *s, int64_t *out, struct cw_err *err);

/* The camera's state in force at at_ms, from its events: 0 with *state and *since_ms (when it
 * entered it), 1 when it had no event by then, -1 on error. */
int store_state_at(struct store *s, const char *camera_id, int64_t at_ms, enum cw_state *state,
                   int64_t *since_ms, struct cw_err *err);

/* A camera's events in [from_ms, to_ms), oldest first, at most limit (0: all). *out malloc'd,
 * caller frees. Statement cached: the footage answers ask it per camera. */
int store_list_events_between(struct store *s, const char *camera_id, int64_t from_ms,
                              int64_t to_ms, size_t limit, struct store_event **out, size_t *n,
                              struct cw_err *err);

/* A window on an append-only table (events, device changes), oldest first: the rows of one
 * camera (camera_id non-NULL) or all, at or after since_ms, strictly after the row
 * (after_at_ms, after_id) in (at_ms, id) order, at most limit of them (0: no limit). A reader
 * walks a month in pages of bounded memory by passing the last row's at_ms and id on. */
struct store_page {
    const char *camera_id; /* borrowed; NULL: every camera */
    int64_t since_ms;
    int64_t after_at_ms, after_id; /* INT64_MIN, INT64_MIN: from the first row */
    size_t limit;
};
/* Events in pg's window. *out malloc'd, caller frees. */
int store_list_events_page(struct store *s, const struct store_page *pg, struct store_event **out,
                           size_t *n, struct cw_err *err);

/* Time spent in each state over [from_ms, to_ms), computed exactly from event intervals. */
struct store_uptime {
    char camera_id[CFG_ID_MAX + 1];
    char owner[32];
    char name[256]; /* as the store keeps it: the inventory's when last synced */
    int retired;    /* out of the inventory (retired_ms set), whenever that was */
    int64_t ms[5];  /* indexed by enum cw_state; time before the camera existed is not counted */
    int outages;    /* transitions into DOWN within the range */
};
/* One row per camera (retired included when it existed in the range), ordered by id. *out
 * malloc'd, caller frees. A camera's time starts at its creation (UNKNOWN until its first
 * event) and ends at its retirement; a retirement that was later undone counts as UNKNOWN
 * (store_sync_cameras writes an event to UNKNOWN when it retires a camera). */
int store_uptime(struct store *s, int64_t from_ms, int64_t to_ms, struct store_uptime **out,
                 size_t *n, struct cw_err *err);
/* store_uptime's rows handed to fn one at a time, in the same order, as they are worked out:
 * memory for one camera's events in the range, whatever the fleet. fn returns 0, or -1 with
 * err to stop (then this returns -1). */
int store_uptime_each(struct store *s, int64_t from_ms, int64_t to_ms,
                      int (*fn)(void *data, const struct store_uptime *row, struct cw_err *err),
                      void *data, struct cw_err *err);

struct uptime_event; /* uptime.h */

/* One camera's history as store_walk_history hands it to its visitor. All borrowed for the
 * visit. */
struct store_history {
    char camera_id[CFG_ID_MAX + 1];
    char owner[32];
    char name[256]; /* as the store keeps it */
    int retired;    /* retired_ms set, whenever */
    int64_t created_ms;
    int64_t end_ms; /* the range's end, or the camera's retirement when that comes first */
    const struct uptime_event *events; /* sorted; the first may be the last before the range,
                                          which sets the state it starts in */
    int n_events;
};
/* Call visit for each camera that existed in [from_ms, to_ms) (retired included), by id,
 * with its events before end_ms (with_kinds: each event's reason_kinds(), else 0), for
 * uptime_walk() or uptime_accumulate() over [from_ms, end_ms). visit returns 0, or -1 with err
 * to stop the walk (then this returns -1). The uptime of store_uptime and of reports. */
int store_walk_history(struct store *s, int64_t from_ms, int64_t to_ms, int with_kinds,
                       int (*visit)(void *data, const struct store_history *h, struct cw_err *err),
                       void *data, struct cw_err *err);

/* One stream sample of a camera, as measured and as judged. */
struct store_sample {
    char camera_id[CFG_ID_MAX + 1];
    int64_t at_ms;   /* hourly rows: the start of the hour */
    int hourly;      /* 1 for a downsampled hourly row (means of the raw rows) */
    int count;       /* raw samples in the row (1 for raw rows) */
    int ok;          /* media was read (hourly: 1 when any of its samples was ok) */
    char error[256]; /* why not ok (hourly: the last raw row's) */
    char codec[16];
    int width, height;
    double fps, bitrate_kbps, gop_frames, gop_s;
    int64_t first_key_ms; /* -1 when unknown */
    int ts_jumps, ts_backwards, corrupt_packets, lost_frames;
    int has_picture;
    double luma_mean, luma_spread, sharpness;
    uint64_t phash;
    int ref_distance; /* -1 when not compared */
    char flags[192];  /* comma-separated quality flag names */
    char reasons[512];
    /* Frame sizes (0 when not measured): mean keyframe, how many inter frames, their mean and
     * the smallest (hourly: means of the rows that measured them, the count summed, the
     * smallest of the smallest). */
    double key_bytes;
    int inter_frames;
    double inter_bytes;
    int inter_min_bytes;
    /* Written to the camera with a raw sample, not kept in the sample row: the picture memory
     * after it (has_memory 0: the camera's stays as it is). Read back as 0. */
    int has_memory;
    struct store_picture_memory memory;
};

/* Keep one sample (a raw row: hourly and count are ignored) and make it the camera's latest
 * stream facts (frozen when its flags name "frozen"; facts it did not measure become unknown;
 * with has_memory, its picture memory).
 * thumb_path may be NULL (keep the old thumbnail). Facts not measured are stored NULL and read
 * back as 0 (-1 for first_key_ms and ref_distance): fps, bitrate, GOP and first keyframe when
 * not ok, GOP <= 0, first_key_ms < 0, the picture fields without has_picture, ref_distance < 0.
 * In one transaction (nested in the caller's batch if open). Returns 0, 1 when no such camera
 * (nothing written), -1 on error. Statements cached. */
int store_record_sample(struct store *s, const struct store_sample *smp, const char *thumb_path,
                        struct cw_err *err);

/* Samples of a camera at or after since_ms, oldest first: raw rows and the hourly rows that
 * replaced older raw ones. An unknown camera has none. *out malloc'd, caller frees. */
int store_list_samples(struct store *s, const char *camera_id, int64_t since_ms,
                       struct store_sample **out, size_t *n, struct cw_err *err);

/* Retention: fold raw samples older than before_ms, rounded down to a whole hour (so an hour
 * is never split over two hourly rows), into one hourly row per camera and hour, then delete
 * those raw rows; in one transaction (nested in the caller's batch if open). An hourly row
 * has count = its raw rows; ok = 1 when any was ok; fps, bitrate, size, GOP, first keyframe
 * and picture means over the ok rows that measured them; counters summed; flags the union of
 * the rows' names, sorted, comma-separated; codec, error and reasons of the last row (codec:
 * the last that named one); phash and ref_distance of the last row with a picture. Hourly rows
 * are never folded again: a second run folds nothing. *folded gets how many raw rows went. */
int store_downsample_samples(struct store *s, int64_t before_ms, int *folded, struct cw_err *err);
/* The same for one camera only: the short step the daemon's retention takes. */
int store_downsample_camera(struct store *s, const char *camera_id, int64_t before_ms, int *folded,
                            struct cw_err *err);

/* ---- retention (store_retention.c) ---- */

/* What retention keeps. Times are epoch ms; a reading is "off" when |offset| > clock_limit_ms. */
struct store_retention {
    int64_t samples_before_ms; /* raw samples older are folded into hourly rows */
    int64_t hourly_before_ms;  /* hourly sample rows older are deleted */
    int64_t clocks_before_ms;  /* clock readings older are thinned: kept are the first of each
                                  hour and every reading off by more than clock_limit_ms */
    int64_t clock_limit_ms;    /* [probe.onvif] max_clock_offset; 0: none kept for being off */
};

struct store_retention_done {
    int folded;         /* raw samples folded */
    int hourly_deleted; /* hourly rows deleted */
    int clocks_deleted; /* clock readings deleted */
};

/* Retention of one camera, the first whose id sorts after `after` ("" for the first; retired
 * cameras too): fold, delete hourly rows, thin clock readings, each in its own short
 * transaction. Its id goes to next (len bytes) and what was done is added to *done. Returns 0,
 * 1 when no camera is left (nothing done), -1 with err. */
int store_retention_step(struct store *s, const struct store_retention *r, const char *after,
                         char *next, size_t len, struct store_retention_done *done,
                         struct cw_err *err);

/* Share of samples in [from_ms, to_ms) carrying any quality flag, for one camera (NULL: all
 * cameras, a scan of the table), raw and hourly rows weighted by count: for "degraded 31% of
 * the month". *total = sum of counts, *flagged = the same over rows with flags. An hourly row
 * counts as flagged in full when any of its samples was, so over hourly rows *flagged is an
 * upper bound; an hourly row is in the range when the start of its hour is. */
int store_sample_share(struct store *s, const char *camera_id, int64_t from_ms, int64_t to_ms,
                       int *flagged, int *total, struct cw_err *err);

/* Samples of one camera over a range that carried one list of flags ("" for none), raw and
 * hourly rows weighted by count (an hourly row carries the union of its samples' flags). */
struct store_flag_count {
    char camera_id[CFG_ID_MAX + 1];
    char flags[192];
    int count;
};
/* Per camera and distinct flag list, the samples in [from_ms, to_ms) (an hourly row is in the
 * range when the start of its hour is), by camera id. *out malloc'd, caller frees. For
 * "blurred in 34% of the month's samples". */
int store_sample_flag_counts(struct store *s, int64_t from_ms, int64_t to_ms,
                             struct store_flag_count **out, size_t *n, struct cw_err *err);

/* The reference picture of a camera (the hash of a picture confirmed good). Returns 0 with
 * *has 0 or 1 (phash and at_ms 0 when none), 1 when no such camera, -1 on error. */
int store_get_reference(struct store *s, const char *camera_id, int *has, uint64_t *phash,
                        int64_t *at_ms, struct cw_err *err);
/* Set it (the daemon, when it takes one) or clear it (has = 0: `camwatch reference CAM`, so
 * the next good picture becomes the reference; phash and at_ms are then ignored). Returns 0, 1
 * when no such camera, -1 on error. Its own short BEGIN IMMEDIATE transaction when no batch is
 * open, so the CLI's READWRITE connection can run it beside the daemon. */
int store_set_reference(struct store *s, const char *camera_id, int has, uint64_t phash,
                        int64_t at_ms, struct cw_err *err);

/* ---- ONVIF (store_device.c) ---- */

/* A camera's ONVIF facts as of its last ONVIF probe. */
struct store_device {
    char camera_id[CFG_ID_MAX + 1];
    int64_t probed_ms; /* last ONVIF probe; 0 never */
    int ok;            /* that probe read the device's facts */
    char error[256];   /* why not ("authentication failed", "timeout", ...), "" when ok */
    int64_t facts_ms;  /* when the facts below were last read; 0 never */
    char manufacturer[128], model[128], firmware[128], serial[128], hardware_id[128];
    char auth[16];      /* what the device accepted: "wsse", "digest", "wsse+digest", "none" */
    char uri_note[256]; /* stream URI against the inventory's rtsp_url, "" when it matches */
    char snapshot_path[1024]; /* last snapshot fetched over HTTP, "" when none */
    /* The latest clock measurement (has_clock 0 when none yet). */
    int has_clock;
    int64_t clock_at_ms, clock_offset_ms, clock_error_ms;
    int ntp; /* the device said DateTimeType NTP (at the latest clock reading) */
};

struct store_endpoint {
    char service[16]; /* "device", "media", "media2", "recording", "search", "replay", ... */
    char url[512];
};

struct store_profile {
    char token[64];
    char name[128];
    char encoder_token[64];
    char encoding[16]; /* "h264", "h265", "jpeg", "mpeg4", "" */
    int width, height;
    double fps_limit;
    int bitrate_limit_kbps;
    int gov_length;
    char stream_uri[512];
    char snapshot_uri[512];
    int streamed; /* the profile whose stream the inventory's rtsp_url names (or the first) */
};

struct store_clock {
    char camera_id[CFG_ID_MAX + 1];
    int64_t at_ms;     /* when measured (our clock, corrected by nothing) */
    int64_t offset_ms; /* device minus true time: positive when the camera is ahead */
    int64_t error_ms;  /* bound on |offset error| */
    int ntp;
};

/* One change of a device fact, as found by store_record_device. */
struct store_device_change {
    int64_t id; /* row id: with at_ms, the position for store_list_device_changes_page */
    char camera_id[CFG_ID_MAX + 1];
    int64_t at_ms;
    char field[32]; /* "manufacturer", "model", "firmware", "serial", "hardware_id" */
    char old_value[128];
    char new_value[128];
};

/* Record one ONVIF probe of d->camera_id at d->probed_ms, in one transaction (nested in the
 * caller's batch if open):
 *  - always: probed_ms, ok, error (and auth, uri_note, snapshot_path when ok);
 *  - when ok: the facts replace the old ones and facts_ms becomes probed_ms (d->facts_ms is
 *    not read); an empty fact keeps the stored one and is not a change; each fact that differs
 *    from a previous non-empty value is appended as a store_device_change at probed_ms (the
 *    first facts of a camera are not changes); endpoints and profiles replace the old sets
 *    (n may be 0; profiles keep the order given; a service named twice keeps its first URL);
 *  - when d->has_clock (also when not ok: the clock is read without credentials): a clock row
 *    (clock_at_ms, clock_offset_ms, clock_error_ms, ntp) is appended. Every row is kept.
 * When not ok, facts, endpoints and profiles already stored are kept as they were.
 * *changes (may be NULL) gets the changes appended, malloc'd (caller frees), and *n_changes
 * their count. Returns 0, 1 when no such camera (nothing written), -1 on error. */
int store_record_device(struct store *s, const struct store_device *d,
                        const struct store_endpoint *ep, size_t n_ep,
                        const struct store_profile *pr, size_t n_pr,
                        struct store_device_change **changes, size_t *n_changes,
                        struct cw_err *err);

/* The clock reading a device record carries (d->has_clock), as a clock row. */
void store_device_clock(const struct store_device *d, struct store_clock *out);
/* Append one clock row alone (a reading whose device record a later one replaced before it
 * was written: the daemon's write batch keeps every reading). Returns 0, 1 when no such
 * camera (nothing written), -1 on error. */
int store_record_clock(struct store *s, const struct store_clock *c, struct cw_err *err);

/* A camera's device row with its endpoints (ordered by service) and profiles (in the order
 * recorded). ep/pr may be NULL when not wanted; otherwise malloc'd, caller frees. Returns 0,
 * 1 when the camera has never had an ONVIF probe (or does not exist), -1 on error. */
int store_get_device(struct store *s, const char *camera_id, struct store_device *out,
                     struct store_endpoint **ep, size_t *n_ep, struct store_profile **pr,
                     size_t *n_pr, struct cw_err *err);

/* Every non-retired camera's device row, ordered by id (cameras never probed are absent).
 * *out malloc'd, caller frees. */
int store_list_devices(struct store *s, struct store_device **out, size_t *n, struct cw_err *err);

/* Clock rows of one camera at or after since_ms, oldest first. *out malloc'd, caller frees. */
int store_list_clocks(struct store *s, const char *camera_id, int64_t since_ms,
                      struct store_clock **out, size_t *n, struct cw_err *err);

/* The offset in force at at_ms: the last row at or before it, else the first after it.
 * Returns 0, 1 when the camera has no clock row, -1 on error. (For evidence exports.) */
int store_clock_at(struct store *s, const char *camera_id, int64_t at_ms, struct store_clock *out,
                   struct cw_err *err);

/* Device fact changes at or after since_ms, oldest first, of one camera (NULL: all). *out
 * malloc'd, caller frees. */
int store_list_device_changes(struct store *s, const char *camera_id, int64_t since_ms,
                              struct store_device_change **out, size_t *n, struct cw_err *err);
/* Device fact changes in pg's window (struct store_page, with the events). *out malloc'd,
 * caller frees. */
int store_list_device_changes_page(struct store *s, const struct store_page *pg,
                                   struct store_device_change **out, size_t *n, struct cw_err *err);

/* The file beside the database where the daemon keeps its vitals (daemon/vitals.h):
 * "<database>.daemon.json" into buf. Returns buf, or NULL when it does not fit. */
const char *store_vitals_path(const char *database, char *buf, size_t len);
/* The file beside the database that the daemon holds locked, its pid in it, for its whole life
 * (daemon/storelock.h): "<database>.lock" into buf. Returns buf, or NULL when it does not fit. */
const char *store_lock_path(const char *database, char *buf, size_t len);
/* The process holding the write lock of the store at database when another program does
 * (its transaction: SQLite's WAL write lock on "<database>-shm"), as /proc/locks lists it:
 * its pid, with its name (/proc/PID/comm) in name ("" when not read); 0 when none can be told
 * (none held, no procfs, a process in another pid namespace). Reads /proc only. Any thread. */
long store_write_lock_holder(const char *database, char *name, size_t len);

/* After a call that returned -1, why (before any other call on s): */
enum store_failure {
    STORE_FAILURE_WRITE,     /* the write itself is at fault and would fail again */
    STORE_FAILURE_BUSY,      /* another connection holds the write lock: try again later */
    STORE_FAILURE_TRANSIENT, /* disk or database full, I/O error, out of memory, read-only */
    STORE_FAILURE_DAMAGED,   /* the file is corrupt (a page of junk) or not a database: no
                                write may be trusted to land until it is repaired */
};
enum store_failure store_failure_kind(struct store *s);

/* How long a statement on s waits for another connection's write lock before it fails with
 * SQLITE_BUSY (store_open sets STORE_BUSY_TIMEOUT_MS, for the CLI and the API's workers; the
 * daemon's loop sets a few ms: it keeps its writes and tries later instead of waiting); 0: not
 * at all. The wait ends early when s is interrupted (store_interrupt). Replaces any busy
 * handler set on the connection (PRAGMA busy_timeout reads 0: the wait is s's own). */
int store_set_busy_timeout(struct store *s, int ms, struct cw_err *err);

/* ---- tickets (store_ticket.c) ---- */

#define STORE_TICKET_TEXT_MAX 500 /* bytes of a note or a closing note */
#define STORE_TICKET_BY_MAX 63    /* bytes of who opened or closed it */

/* Work field staff filed for a camera: opened, then closed once. */
struct store_ticket {
    int64_t id;
    char camera_id[CFG_ID_MAX + 1];
    char action[32]; /* a cfg_action_name() */
    char note[STORE_TICKET_TEXT_MAX + 1];
    int has_cost;     /* the ticket names its own cost; otherwise [costs] prices it */
    int64_t cost_vnd; /* >= 0 when has_cost */
    int64_t opened_ms;
    char opened_by[STORE_TICKET_BY_MAX + 1];
    int64_t closed_ms; /* 0 while open */
    char closed_by[STORE_TICKET_BY_MAX + 1];
    char close_note[STORE_TICKET_TEXT_MAX + 1];
};

/* Open a ticket from t's camera_id, action, note, has_cost/cost_vnd, opened_ms and opened_by
 * (t->id and the closing fields are not read); *id gets its number. Returns 0, 1 when the camera is
 * not in the store or is retired (nothing written), -1 on error. Its own short BEGIN IMMEDIATE
 * transaction when no batch is open, so the CLI can run it beside the daemon. */
int store_ticket_add(struct store *s, const struct store_ticket *t, int64_t *id,
                     struct cw_err *err);
/* Close ticket id at at_ms by by, with note (may be NULL), and read it back into *out (may be
 * NULL). A note or name longer than its field is refused, not cut. Returns 0, 1 when there is no
 * such ticket, 2 when it was closed already (*out filled, nothing written), -1 on error. Own
 * transaction, as store_ticket_add. */
int store_ticket_close(struct store *s, int64_t id, int64_t at_ms, const char *by, const char *note,
                       struct store_ticket *out, struct cw_err *err);
/* One ticket. Returns 0, 1 when there is no such ticket, -1 on error. */
int store_get_ticket(struct store *s, int64_t id, struct store_ticket *out, struct cw_err *err);
/* Tickets by id: of one camera (camera_id non-NULL) or all, open ones only or all. *out
 * malloc'd, caller frees. */
int store_list_tickets(struct store *s, const char *camera_id, int open_only,
                       struct store_ticket **out, size_t *n, struct cw_err *err);

/* SQLite's PRAGMA data_version: changes when another connection commits. The daemon uses it
 * to notice the CLI's maintenance changes without rereading every row. */
int store_data_version(struct store *s, int64_t *out, struct cw_err *err);

#endif
