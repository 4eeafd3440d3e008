/* recsrc.h - a recorder as a source of footage at run time: its kind, where it is, its
 * compiled file pattern, its time zone as a table, and which camera each of its channels is;
 * scanning it (the kinds in probes/recorder*.c, reading what the store knows through a
 * read-only connection) and writing what a scan found through the write connection. The
 * daemon scans on its worker pool and writes on the loop (fleet_footage.c); `camwatch footage
 * scan` does both in the foreground. Sources are made on the loop thread or in the CLI (the
 * zone table needs TZ), then read-only: any thread may scan with one. */
#ifndef CW_RECSRC_H
#define CW_RECSRC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../index/footage.h"
#include "../index/store_footage.h"
#include "../probes/recorder.h"
#include "../util/err.h"

enum recsrc_kind { RECSRC_DIR, RECSRC_ONVIF, RECSRC_HIKVISION, RECSRC_DAHUA };

/* What a recorder is, as the config says it (strings borrowed for the call). */
struct recsrc_def {
    const char *name;
    enum recsrc_kind kind;
    const char *path;      /* dir: the folder */
    const char *pattern;   /* dir: see segpattern.h */
    const char *time_zone; /* of the times in its file names; NULL: the site's */
    const char *url;       /* remote kinds: the device's address */
    const char *username, *password;
    int64_t timeout_ms;
    int tls_verify;
    const char *ca_file;
    /* Its channels: token i ({camera} text, ONVIF source token or name, NVR channel) is camera
     * camera_ids[i]. Cameras on the recorder with no token of their own answer to their id. */
    const char *const *tokens;
    const char *const *token_cameras;
    size_t n_tokens;
    const char *const *cameras; /* every camera whose inventory row names this recorder */
    size_t n_cameras;
};

struct recsrc;

/* Make a source: the pattern compiled, the zone loaded (cw_zone_load: any thread), the
 * channel map built. Refusals name the recorder and the field ("recorder nvr1: pattern: ...").
 * Caller frees with recsrc_free. */
int recsrc_new(const struct recsrc_def *def, struct recsrc **out, struct cw_err *err);
void recsrc_free(struct recsrc *r); /* accepts NULL */

/* A source for the config's [recorder NAME] section r (cfg's, borrowed for the call). */
int recsrc_from_cfg(const struct cfg_recorder *r, struct recsrc **out, struct cw_err *err);

const char *recsrc_name(const struct recsrc *r);
const char *recsrc_kind_name(enum recsrc_kind k); /* "dir", "onvif", "hikvision", "dahua" */
enum recsrc_kind recsrc_kind(const struct recsrc *r);
/* The cameras on the recorder, sorted by id. Borrowed. */
const char *const *recsrc_cameras(const struct recsrc *r, size_t *n);

/* Scan r: what changed since the store (ro: read-only is enough; this thread's own
 * connection) last wrote it. Blocking: a worker thread, or the CLI. flags: RECSRC_FULL lists
 * every folder whatever its mtime; RECSRC_REATTRIBUTE (implies RECSRC_FULL) attributes every
 * file by the channel map now, the unchanged ones too, and forgets the known ones it names no
 * camera for (recorder.h: otherwise a file still there unchanged keeps the camera it was
 * indexed for). Returns 0 with *out (rec_result_free), or -1 with err. */
#define RECSRC_FULL 1
#define RECSRC_REATTRIBUTE 2
int recsrc_scan(const struct recsrc *r, struct store *ro, int flags, int64_t now_ms,
                const atomic_int *cancel, rec_progress_fn progress, void *progress_data,
                struct rec_result **out, struct cw_err *err);

/* What writing a scan's found segments wrote none of: those of a camera not in the store
 * (skipped), and those the store already had exactly so (unchanged: a network recorder lists
 * every item at every scan, and store_segment_put writes no row for one as it was). Start at
 * zero; the calls below add to it. */
struct recsrc_tally {
    size_t skipped;
    size_t unchanged;
};

/* The segments of res that a scan counts as new or changed once written with tally: all it
 * found (a folder recorder finds only new or changed files) but those the store had so and
 * those of a camera not in the store. */
size_t recsrc_changed(const struct rec_result *res, const struct recsrc_tally *tally);

/* Write a scan's result through the write connection, inside the caller's transaction (the
 * daemon's batch, the CLI's store_begin), at most max changes per call so the daemon's loop
 * is never held long: *cursor starts at 0 and moves on; with the last changes, the footage
 * summaries of the cameras not on r whose files it kept or forgot (rec_result's others) are
 * brought up to date as recsrc_finish does r's; returns 1 when all of it is written,
 * 0 when more remains, -1 on a store error (*cursor at the change that failed). Segments
 * first, folders last, so a folder is never remembered as listed before its files are. A
 * segment of a camera not in the store is skipped, one the store has exactly so is left as it
 * is (*tally counts both). scan_ms: the scan's start, recsrc_scan's now_ms (each segment's
 * seen_ms). */
int recsrc_apply(const struct recsrc *r, struct store *rw, const struct rec_result *res,
                 size_t *cursor, size_t max, int64_t scan_ms, struct recsrc_tally *tally,
                 struct cw_err *err);
/* Changes written per recsrc_apply call, the daemon's (per pass of its loop) and the CLI's
 * (per transaction): another connection's write waits for at most one slice, never a whole
 * scan (a first scan of a recorder is hundreds of thousands of files). */
#define RECSRC_APPLY_SLICE 2000

/* One transaction of writing a scan: BEGIN IMMEDIATE (under the connection's busy timeout),
 * the next slice of res from *cursor (recsrc_apply, at most max changes; res NULL: the scan
 * failed with error, nothing to apply) and, with the last, the recorder's row (recsrc_finish:
 * ok when error is NULL), then COMMIT. Returns 1 when the row landed (all of it written), 0
 * when a slice landed and more remains, -1 when the store refused: rolled back, *cursor and
 * *tally as they were before the call (nothing of the slice is in the store, so writing it
 * again writes nothing twice), err filled, and *busy set when the cause was another
 * connection's write lock (the same slice may be tried again later), clear for a failure
 * that would come again (a damaged store, a full disk, a write refused for itself). */
int recsrc_write_step(const struct recsrc *r, struct store *rw, const struct rec_result *res,
                      const char *error, size_t *cursor, size_t max, int64_t scan_ms,
                      struct recsrc_tally *tally, int *busy, struct cw_err *err);

/* After a scan (written, or failed with error): the recorder's scan row, and every camera on
 * it brought up to date (oldest, newest, retention note). In the caller's transaction.
 * scan_ms is the scan's START (recsrc_scan's now_ms, as recsrc_apply's), not the time it is
 * written: the index speaks for the recorder up to when the scan listed it (footage written
 * into a folder after that is unknown), so the row's scanned_ms and ok_ms are that time. */
int recsrc_finish(const struct recsrc *r, struct store *rw, int ok, const char *error,
                  int64_t scan_ms, struct cw_err *err);

/* A camera's recording gaps longer than max_gap_ms in (now_ms - one day, now_ms], as the
 * verdict words them: "no recording 02:10–04:35" (local times in zone), several joined by
 * "; ", the latest "no recording since 02:10" when its footage stopped; "" when none. *faulty
 * says whether there is any. Read through ro. A camera of a scanned recorder that holds no
 * footage of it at all is "no recording: its recorder holds no footage of it"; one whose
 * footage is all older than a day, "no recording since" now_ms less a day. now_ms is the instant
 * the index is known up to, its last scan's start (recsrc_finish's scan_ms), not the clock: what
 * was recorded after it is not indexed, which is no gap. */
#define RECSRC_DAY_MS (86400LL * 1000)
int recsrc_recent_gaps(struct store *ro, const char *camera_id, const struct cw_zone *zone,
                       int64_t now_ms, int64_t max_gap_ms, int64_t tolerance_ms, int *faulty,
                       char *reasons, size_t len, struct cw_err *err);

#endif
