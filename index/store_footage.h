/* store_footage.h - the store's footage half: what each recorder holds (segments, the folders
 * a scan listed, each recorder's last scan), per camera its oldest and newest footage and how
 * fast its recorder overwrites; cameras by place; investigators' requests; the hash-chained
 * audit trail. Same rules as store.h: one thread at a time per struct store; writes nest in
 * the caller's batch when one is open. Times are UTC epoch ms. */
#ifndef CW_STORE_FOOTAGE_H
#define CW_STORE_FOOTAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_FOOTAGE_REASON_MAX 160
#define STORE_AUDIT_HASH_HEX 65 /* 64 hex digits and the NUL */

/* ---- segments and scans (store_footage.c) ---- */

/* One segment as a scan found it, to write. Strings borrowed. */
struct store_segment {
    const char *recorder;
    const char *dir;  /* folder relative to the recorder's path, "" for the top; remote: "" */
    const char *file; /* name in dir; remote kinds: the recorder's id of the recording */
    const char *camera_id;
    int64_t start_ms, end_ms;
    int64_t bytes, mtime_ns;
    const char *container, *codec; /* NULL or "" when unknown */
    int width, height;             /* 0 when unknown */
    int readable;
    const char *reason;  /* why not readable ("truncated: moov atom not found"), "" when it is */
    const char *channel; /* the channel a Dahua NVR listed it on; NULL or "" otherwise */
};

/* Insert or replace the segment (recorder, dir, file) as seen at seen_ms. Its seen_ms is the
 * scan that indexed the camera's footage up to its end: one put again for the same camera with
 * an end no later (a network recorder's item listed again each scan, an ONVIF recording whose
 * start was overwritten since, a file read again) keeps the seen_ms it had; one that grew, or
 * is another camera's now, takes this one. One put again exactly as the store has it is not
 * written at all (no row changed, not even its camera's longest segment). Returns 0 (also then),
 * 1 when its camera is not in the store (nothing written), -1 on error. *written (may be NULL)
 * says whether its segment row was added or changed: 0 when the store had it exactly so, or
 * its camera is not in the store (what a scan counts as new or changed). */
int store_segment_put(struct store *s, const struct store_segment *seg, int64_t seen_ms,
                      int *written, struct cw_err *err);
/* Forget the segment (recorder, dir, file): its file is gone. Returns 0 (also when there was
 * none) or -1. */
int store_segment_drop(struct store *s, const char *recorder, const char *dir, const char *file,
                       struct cw_err *err);
/* Forget the folder dir of recorder, everything below it, and their segments ("" forgets the
 * whole recorder). *dropped (may be NULL) gets the segments dropped. */
int store_segment_drop_tree(struct store *s, const char *recorder, const char *dir,
                            int64_t *dropped, struct cw_err *err);

/* A file the store knows in one folder of a recorder, as last seen. */
struct store_known_file {
    char file[256];
    int64_t bytes, mtime_ns;
    char camera_id[CFG_ID_MAX + 1];
    int64_t start_ms, end_ms;
    char channel[32]; /* store_segment's channel, "" when none */
};

/* The folder's mtime as last listed: 0 with *mtime_ns, 1 when the folder is unknown, -1. */
int store_footage_dir_mtime(struct store *s, const char *recorder, const char *dir,
                            int64_t *mtime_ns, struct cw_err *err);
/* Remember that dir (parent: its folder, NULL for the top) was listed at mtime_ns (0: list it
 * again next time). */
int store_footage_dir_set(struct store *s, const char *recorder, const char *dir,
                          const char *parent, int64_t mtime_ns, struct cw_err *err);
/* The folders known directly under dir, as paths relative to the recorder; sorted. *out is one
 * malloc'd block (caller frees it alone): n pointers followed by their strings. */
int store_footage_subdirs(struct store *s, const char *recorder, const char *dir, char ***out,
                          size_t *n, struct cw_err *err);
/* The files known directly in dir, sorted by name. *out malloc'd, caller frees. */
int store_footage_files(struct store *s, const char *recorder, const char *dir,
                        struct store_known_file **out, size_t *n, struct cw_err *err);
/* The last file of dir by name (recorders name files by time: the one still being written).
 * Returns 0, 1 when dir has no file, -1. */
int store_footage_last_file(struct store *s, const char *recorder, const char *dir,
                            struct store_known_file *out, struct cw_err *err);

/* Each recorder's last scan. */
struct store_recorder {
    char name[64];
    char kind[16];
    int64_t scanned_ms; /* when the last scan began listing the recorder; 0: never */
    int ok;
    char error[256];
    int64_t ok_ms; /* when the last good scan began, 0 never */
    int64_t segments, unreadable, bytes;
    int64_t removed_ms; /* when its section went from the conf (store_sync_recorders); 0 while
                         * it is configured */
};
/* Write a scan's outcome of recorder name (kind "dir", "onvif", ...), dated at_ms: the scan's
 * start (the time its segments are seen_ms), not when it ended, so a scan that took long does
 * not speak for footage written after it listed a folder. A recorder scanned is configured
 * (its removed_ms cleared): the daemon scanning it has it in its conf, whatever another conf
 * (a CLI's `footage scan -c` of an edited file) said. */
int store_recorder_scanned(struct store *s, const char *name, const char *kind, int64_t at_ms,
                           int ok, const char *error, struct cw_err *err);
/* Tell the store which recorders cfg configures: a recorder it knows whose [recorder] section
 * is gone is marked removed at now_ms (its segments and last scan are kept, and the index no
 * longer speaks for them: footage_index_of), one whose section is back is configured again, as
 * it was. Nothing is deleted. Run at each load of the conf, beside store_sync_cameras; each
 * change logged, as there, once committed. */
int store_sync_recorders(struct store *s, const struct cfg *cfg, int64_t now_ms,
                         struct cw_err *err);
/* Every recorder ever scanned, by name. With counts, its segment counts too, which walks every
 * segment (`footage status`); without, they are 0 and only the recorders' last scans are read
 * (what a footage question or an export asks at every answer). *out malloc'd. */
int store_list_recorders(struct store *s, int counts, struct store_recorder **out, size_t *n,
                         struct cw_err *err);

/* The start of camera_id's first footage on recorder starting at or after from_ms into *start_ms
 * (INT64_MAX when none): where a camera that left footage on another recorder until from_ms
 * begins on this one again. One search of the (camera_id, start_ms) index from from_ms. 0 or -1. */
int store_camera_first_on(struct store *s, const char *camera_id, const char *recorder,
                          int64_t from_ms, int64_t *start_ms, struct cw_err *err);
/* The end of camera_id's newest footage on recorder that a scan at seen_by_ms had indexed: of
 * its segments of recorder seen at or before seen_by_ms (store_segment_put's seen_ms) and
 * starting before before_ms (INT64_MAX: any), the one starting last; *seen_ms (may be NULL) its
 * seen_ms, the scan that indexed it up to its end. One search of the (camera_id, start_ms)
 * index, walked back from before_ms. *end_ms and *seen_ms 0 when none. 0 or -1. */
int store_camera_newest_seen(struct store *s, const char *camera_id, const char *recorder,
                             int64_t seen_by_ms, int64_t before_ms, int64_t *end_ms,
                             int64_t *seen_ms, struct cw_err *err);

/* Bring the footage summary of each camera in ids up to date after a scan at now_ms: oldest
 * and newest readable footage, longest segment; and note, at most once per
 * STORE_RETENTION_EVERY_MS, how far back its footage reached (for the pace of overwriting). */
#define STORE_RETENTION_EVERY_MS (3600LL * 1000)
#define STORE_RETENTION_KEEP_MS (8LL * 86400 * 1000) /* notes older than this are pruned */
int store_footage_refresh(struct store *s, const char *const *ids, size_t n, int64_t now_ms,
                          struct cw_err *err);

/* ---- reading footage (store_footage.c) ---- */

/* A camera's footage at a glance. */
struct store_footage_camera {
    int has;                /* any readable footage */
    int64_t oldest_ms;      /* oldest readable footage */
    int64_t newest_ms;      /* newest readable footage */
    int64_t max_len_ms;     /* longest segment */
    int64_t updated_ms;     /* last refresh */
    int has_pace;           /* a pace of overwriting was measured */
    int64_t pace_since_ms;  /* the note it was measured from */
    int64_t pace_oldest_ms; /* how far back footage reached then */
    int64_t seen_oldest_ms; /* the oldest footage the retention notes kept (the last
                             * STORE_RETENTION_KEEP_MS) saw of it, 0 none: footage the store saw
                             * there that is older than oldest_ms is gone */
};
/* Returns 0, 1 when the camera has no footage summary (never on a scanned recorder), -1. */
int store_footage_camera(struct store *s, const char *camera_id, struct store_footage_camera *out,
                         int64_t now_ms, struct cw_err *err);

/* The oldest readable footage recorder holds of the cameras the inventory puts on it now, into
 * *oldest_ms (0 when none): its horizon, how far back it keeps footage. 0 or -1. */
int store_recorder_oldest(struct store *s, const char *recorder, int64_t *oldest_ms,
                          struct cw_err *err);

/* Each camera's oldest readable footage, for /metrics: one query for the whole fleet. */
struct store_footage_oldest {
    char camera_id[CFG_ID_MAX + 1];
    int64_t oldest_ms;
};
/* Every camera with footage, by id. *out malloc'd (caller frees). */
int store_list_footage_oldest(struct store *s, struct store_footage_oldest **out, size_t *n,
                              struct cw_err *err);

/* One segment that overlaps a range. */
struct store_segment_row {
    int64_t id;
    char recorder[64];
    char path[768]; /* dir/file */
    int64_t start_ms, end_ms, bytes, mtime_ns;
    char container[16], codec[16];
    int width, height, readable;
    char reason[STORE_FOOTAGE_REASON_MAX];
};
/* The camera's segments overlapping [from_ms, to_ms), by start then path; readable and not.
 * One index search bounded by the camera's longest segment. *out malloc'd. */
int store_footage_segments(struct store *s, const char *camera_id, int64_t from_ms, int64_t to_ms,
                           struct store_segment_row **out, size_t *n, struct cw_err *err);
/* The camera's segment starting last before before_ms into *out (the recorder that held it
 * then). One search of the (camera_id, start_ms) index. 0 (a row), 1 (none), -1. */
int store_footage_segment_before(struct store *s, const char *camera_id, int64_t before_ms,
                                 struct store_segment_row *out, struct cw_err *err);

/* ---- places (store_place.c) ---- */

/* What a request matches against for one camera. */
struct store_place {
    char id[CFG_ID_MAX + 1];
    char name[256], commune[128], address[256], road[128];
    int has_position;
    double lat, lon;
    char recorder[64];
    int retired;
};
/* Every camera (retired ones too: footage outlives them), by id. *out malloc'd. */
int store_list_places(struct store *s, struct store_place **out, size_t *n, struct cw_err *err);
/* Cameras with a position within radius_m metres (haversine on a sphere of the Earth's mean
 * radius) of lat, lon, nearest first, distances in *dist_m (parallel to *out, malloc'd too).
 * The R*Tree finds the candidates in the bounding box. */
int store_places_near(struct store *s, double lat, double lon, double radius_m,
                      struct store_place **out, double **dist_m, size_t *n, struct cw_err *err);
/* Great-circle distance in metres. */
double store_haversine_m(double lat1, double lon1, double lat2, double lon2);

/* ---- requests (store_request.c) ---- */

enum store_place_kind { STORE_PLACE_POINT, STORE_PLACE_TEXT, STORE_PLACE_CAMERAS };

/* What footage is asked for: a time range [from_ms, to_ms) and a place. Shared by a stored
 * request and a footage query (doc.h), which copy it whole; each keeps the place's text and
 * camera ids itself (an array here, a borrowed string there). */
struct store_scope {
    int64_t from_ms, to_ms;
    enum store_place_kind place;
    double lat, lon, radius_m; /* STORE_PLACE_POINT */
};

struct store_request {
    int64_t id;
    int64_t created_ms;
    char by[128], case_ref[128], reason[512];
    struct store_scope scope;
    char text[256];     /* STORE_PLACE_TEXT */
    char cameras[1024]; /* STORE_PLACE_CAMERAS: comma-separated ids */
};
/* Store r (its id and created_ms are ignored) created at now_ms, with its audit row (actor
 * r->by, action "request.create"), in one transaction. *id gets the new id. */
int store_request_create(struct store *s, const struct store_request *r, int64_t now_ms,
                         int64_t *id, struct cw_err *err);
/* Returns 0, 1 when there is no such request, -1. */
int store_request_get(struct store *s, int64_t id, struct store_request *out, struct cw_err *err);
/* Every request, newest first. *out malloc'd. */
int store_list_requests(struct store *s, struct store_request **out, size_t *n, struct cw_err *err);
/* "point", "text", "cameras". */
const char *store_place_kind_name(enum store_place_kind k);

/* ---- the audit trail (store_audit.c) ---- */

struct store_audit {
    int64_t id, at_ms;
    char actor[128], action[64], subject[128], detail[1024];
    char prev_hash[STORE_AUDIT_HASH_HEX], hash[STORE_AUDIT_HASH_HEX];
};
/* Append a row: prev_hash is the last row's hash (64 zeros for the first), hash the SHA-256 of
 * this row's fields and prev_hash. In its own transaction (nested in the caller's when one is
 * open), so two writers never fork the chain. *id (may be NULL) gets the row's id. */
int store_audit_append(struct store *s, int64_t at_ms, const char *actor, const char *action,
                       const char *subject, const char *detail, int64_t *id, struct cw_err *err);
/* Walk the chain: *rows gets how many; *broken_id 0 when intact, else the first row whose hash
 * or link does not hold, with why in why (a changed row, a row missing before it). */
int store_audit_verify(struct store *s, int64_t *rows, int64_t *broken_id, char *why,
                       size_t why_len, struct cw_err *err);
/* Audit rows with id > after_id, oldest first, at most limit (0: all). *out malloc'd. */
int store_list_audit(struct store *s, int64_t after_id, size_t limit, struct store_audit **out,
                     size_t *n, struct cw_err *err);
/* Append the row that ends the export begun at audit row start_id (action "export" or
 * "export.failed"): detail, then "; export.start row START_ID", detail cut short (at a UTF-8
 * character) when both would not fit, so the reference is always whole. start_id 0: detail
 * alone (an end of no start row, as a unit test's export). */
int store_audit_append_end(struct store *s, int64_t at_ms, const char *actor, const char *action,
                           const char *subject, const char *detail, int64_t start_id,
                           struct cw_err *err);
/* Every "export.start" row no later "export" or "export.failed" row ends, oldest first: each
 * end row closes the start row it names; an end row naming none (written before ends named
 * their start) the oldest open start of its actor and subject, one whose where it names first.
 * Walks the table a page at a time. *out malloc'd (NULL when none). */
int store_audit_unfinished_exports(struct store *s, struct store_audit **out, size_t *n,
                                   struct cw_err *err);
/* The end of an export.start row's detail that says its export holds its folder's lock
 * (folderlock.h) from before that row until after its end row: a CLI export of this version
 * writes it after the folder (export_audit_start). A folder's row without it was begun by a
 * version before the lock (nothing tells whether it runs); the API's rows never have it. */
#define STORE_AUDIT_FOLDER_LOCKED "; folder locked"
/* The where of export.start row a into buf: its detail, the folder's without
 * STORE_AUDIT_FOLDER_LOCKED. 1 when the row says its export locks its folder, else 0. */
int store_audit_start_where(const struct store_audit *a, char *buf, size_t len);
/* Whether an export row other than row except_id names the API export name (its start row's
 * where, or "/NAME; " in a done row) or the folder (a CLI export's start row, with or without
 * STORE_AUDIT_FOLDER_LOCKED, or " to FOLDER; " in a done row): *row gets the first such row's
 * id, 0 when none. For the daemon's start-up, which clears a dead export's folder only when no
 * other export's record is in it. */
int store_audit_export_named(struct store *s, const char *name, const char *folder,
                             int64_t except_id, int64_t *row, struct cw_err *err);

#endif
