/* footage.h - what footage a camera has over a time range, from its segments: merged windows
 * of recording (segments contiguous within a tolerance) and the gaps between them, and when a
 * time will be overwritten, from how fast the camera's oldest footage has been advancing.
 * Pure functions on memory, any thread, but for those given a store (its handle's thread). */
#ifndef CW_FOOTAGE_H
#define CW_FOOTAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store_footage.h"

struct footage_span {
    int64_t start_ms, end_ms;
};

/* The windows and gaps of [from_ms, to_ms) given the camera's segments overlapping it, sorted
 * by start (store_footage_segments): readable segments merged where they overlap or the hole
 * between them is at most tolerance_ms, windows cut to the range; gaps are the rest of the
 * range. Unreadable segments are not footage. *windows and *gaps malloc'd (caller frees;
 * NULL when none). Returns 0, or -1 when out of memory. */
int footage_merge(const struct store_segment_row *seg, size_t n, int64_t from_ms, int64_t to_ms,
                  int64_t tolerance_ms, struct footage_span **windows, size_t *n_windows,
                  struct footage_span **gaps, size_t *n_gaps);

/* The pace of overwriting: footage ms lost per ms of time, measured between the first
 * retention note of the week and the last refresh; 0 when nothing was overwritten since (the
 * recorder is not full yet), -1 when not measured (no note, or no time between). */
double footage_pace(const struct store_footage_camera *fc);

/* When footage at t_ms will be overwritten at that pace: t's distance from the oldest footage
 * over the pace, from the last refresh. 0 when not known (no pace, or nothing overwritten
 * yet); the last refresh's time when t is older than the oldest footage (gone already). */
int64_t footage_overwritten_at(const struct store_footage_camera *fc, int64_t t_ms);

/* The cameras a request's place (sc's; its times play no part) names (retired ones too: footage
 * outlives them): STORE_PLACE_POINT, those within sc->radius_m of sc->lat, sc->lon, nearest
 * first, with their distances in *dist_m (NULL for the other kinds); STORE_PLACE_TEXT, those
 * whose name, address, road, commune or id contains text as cw_text_contains reads it, by id;
 * STORE_PLACE_CAMERAS, the comma-separated ids, by id, and the first id that is no camera in the
 * store in unknown ("" when all are). *out and *dist_m malloc'd (caller frees). */
int footage_cameras(struct store *s, const struct store_scope *sc, const char *text,
                    const char *ids, struct store_place **out, double **dist_m, size_t *n,
                    char *unknown, size_t unknown_len, struct cw_err *err);

/* Whether the footage index can speak for a camera's recorder: only a recorder still configured
 * and scanned without error can say footage is not there. */
enum footage_index {
    FOOTAGE_NO_RECORDER,    /* the camera has no recorder */
    FOOTAGE_NEVER_SCANNED,  /* its recorder was never scanned, or never without error */
    FOOTAGE_SCAN_FAILED,    /* its last scan failed after a good one: known up to that one */
    FOOTAGE_SCANNED,        /* its last scan was good */
    FOOTAGE_REMOVED,        /* its [recorder] section is gone from the conf (store_sync_recorders):
                             * nothing watches it, its files are overwritten unseen and no export
                             * reaches them, so the index speaks for none of its footage; kept in
                             * the store, it speaks again once the section is back */
    FOOTAGE_NOT_CONFIGURED, /* the camera's row names a recorder the conf has no [recorder]
                             * section for and the store never scanned: nothing will scan it
                             * (footage_cover_configured, from the conf) */
};
/* The index's state for a camera on recorder ("" none) given every recorder's last scan
 * (store_list_recorders: rec[0..n)); *last gets the recorder's row (zeroed when none). */
enum footage_index footage_index_of(const char *recorder, const struct store_recorder *rec,
                                    size_t n, struct store_recorder *last);
/* "no recorder", "never scanned", "scan failed", "scanned", "no longer configured", "not
 * configured". */
const char *footage_index_name(enum footage_index x);
/* Until when the index speaks for camera_id on its recorder (state x, last scan *last), into
 * *until: 0 when it cannot at all (no recorder, never scanned); else the later of the
 * recorder's last good scan (scanned_ms, or ok_ms when the last failed) and the end of that
 * camera's newest footage the scan had indexed (store_camera_newest_seen). A recorder names its
 * files by its own clock, and the one being written can end after the scan's time on ours: what
 * the scan saw of the camera is known whatever the time on it; after it nothing is. Per camera,
 * never per recorder: a long scan lists one camera's folder before another's, and another
 * camera's newer file (or its clock running ahead) says nothing of what this one wrote after
 * its folder was listed. 0 or -1 (err). */
int footage_known_until(struct store *s, const char *camera_id, enum footage_index x,
                        const struct store_recorder *last, int64_t *until, struct cw_err *err);
/* Whether a gap starting at start_ms is one the index cannot speak for ("not indexed"), given
 * footage_known_until's until: always with no recorder, one never scanned, no longer
 * configured or not configured. */
int footage_unindexed(enum footage_index x, int64_t until, int64_t start_ms);

/* A recorder other than the camera's own now that holds some of its footage: the camera moved
 * to another recorder, or its row or recorder went, and the files it recorded there keep it
 * (recorder.h). The index speaks for that footage as far as THAT recorder's scans do. */
struct footage_other {
    enum footage_index state;   /* of that recorder: footage_index_of */
    struct store_recorder last; /* its last scan (last.name: the recorder) */
    int64_t known_until;        /* footage_known_until of the camera there, but only up to the scan
                                 * that wrote its newest footage there: the sheet no longer puts it on
                                 * that recorder, whose scans index none of its new files; of its
                                 * footage there before first_here_ms (one short index search) */
};
/* What the index knows of a camera's footage beyond its recorder now (recorder, "" none): the
 * other recorders holding its segments seg[0..n) (store_footage_segments: of a range from
 * from_ms) or its last segment before from_ms (it held the camera when the range begins), each
 * once, into *others (malloc'd, caller frees; NULL when none), and into *first_here_ms the start
 * of its first footage on recorder after the end of the last it left on those (it is back:
 * A->B->A), INT64_MAX when none, or no others. rec[0..nrec): every recorder's last scan
 * (store_list_recorders). 0, or -1 with err. */
int footage_others(struct store *s, const char *camera_id, const char *recorder, int64_t from_ms,
                   const struct store_segment_row *seg, size_t n, const struct store_recorder *rec,
                   size_t nrec, struct footage_other **others, size_t *n_others,
                   int64_t *first_here_ms, struct cw_err *err);
/* What the index can say of one camera's footage over a range, read once (footage_cover_read)
 * and asked many times: its recorder now, until when that recorder's scans speak for it, and the
 * other recorders holding its footage. Owns others: footage_cover_clear frees. */
struct footage_cover {
    enum footage_index index;     /* of its recorder now: footage_index_of */
    struct store_recorder last;   /* its recorder's last scan, zeroed when none */
    int64_t known_until;          /* footage_known_until: the index speaks up to here; 0 never */
    struct footage_other *others; /* footage_others: malloc'd, NULL when none */
    size_t n_others;
    int64_t
        first_here_ms; /* its first footage on its recorder after the others' (footage_others) */
};
/* The cover of camera_id on recorder ("" none) over a range from from_ms, given its segments
 * there seg[0..n) (store_footage_segments) and every recorder's last scan rec[0..nrec)
 * (store_list_recorders): footage_index_of, footage_known_until and footage_others into *c.
 * 0, or -1 with err and *c cleared. */
int footage_cover_read(struct store *s, const char *camera_id, const char *recorder,
                       int64_t from_ms, const struct store_segment_row *seg, size_t n,
                       const struct store_recorder *rec, size_t nrec, struct footage_cover *c,
                       struct cw_err *err);
/* Whether the camera's segments on recorder are no longer the index's to count as footage: that
 * recorder (its own now, or one of the others) is FOOTAGE_REMOVED. They are still listed. */
int footage_cover_removed(const struct footage_cover *c, const char *recorder);
/* The conf's word on c's recorder now (footage_cover_read reads the store alone): one the store
 * never scanned that the conf has no [recorder] section for (configured 0) is
 * FOOTAGE_NOT_CONFIGURED, not FOOTAGE_NEVER_SCANNED: nothing will ever scan it. */
void footage_cover_configured(struct footage_cover *c, int configured);
/* Frees c's others and zeroes it; NULL is fine. */
void footage_cover_clear(struct footage_cover *c);
/* Whether the index cannot speak for the camera at t_ms: its recorder now cannot
 * (footage_unindexed with c's index and known_until; a camera with no recorder now is spoken for
 * by the others alone), or t_ms is before its first footage on its recorder now and one of the
 * others that held it then cannot (its scans stop before t_ms). */
int footage_unindexed_at(const struct footage_cover *c, int64_t t_ms);
/* The first time in (a_ms, b_ms) at which footage_unindexed_at may change: known_until,
 * first_here_ms or an other's known_until; 0 when none. */
int64_t footage_next_cut(const struct footage_cover *c, int64_t a_ms, int64_t b_ms);
/* The first time in [from_ms, to_ms) the index cannot speak for the camera
 * (footage_unindexed_at); 0 when it speaks for all of it. */
int64_t footage_unindexed_from(const struct footage_cover *c, int64_t from_ms, int64_t to_ms);
/* Which recorder makes the index unable to speak for the camera at t_ms (footage_unindexed_at):
 * the first of the others holding its footage then that cannot, or NULL for its own. */
const struct footage_other *footage_unindexed_by(const struct footage_cover *c, int64_t t_ms);

/* ---- in words (footage_words.c) ---- */

/* What the index knows of a camera's recorder, its times as the caller writes them (NULL where
 * there is none). Borrowed. */
struct footage_index_said {
    enum footage_index index;
    const char *recorder;    /* the camera's recorder; "" or NULL with FOOTAGE_NO_RECORDER */
    const char *error;       /* the last scan's error, when it failed */
    const char *known_until; /* footage_known_until */
    const char *scanned_at;  /* the recorder's last scan (its start) */
    const char *ok_at;       /* its last good scan */
};
/* Why the index cannot speak for the camera: over the whole range (no recorder, never scanned,
 * no longer configured)
 * or after known_until, and what that time is: the recorder's last good scan, or the end of the
 * camera's newest footage that scan found (a file being written, a clock ahead of ours). The
 * one sentence for the CLI's footage answer and an export's manifests, into buf:
 *   not indexed: no recorder configured for this camera
 *   not indexed: recorder R never scanned[ without error (last try S: E)]
 *   not indexed: recorder R is no longer configured (last scanned S)
 *   not indexed: recorder R is not configured (no [recorder R] section)
 *   not indexed after T: recorder R not scanned since                       (T is that scan)
 *   not indexed after T: recorder R's last scan (S) found its footage up to then
 *   not indexed after T: recorder R's last scan failed (S: E); then, as above with "not scanned
 *     without error since" or "its last good scan (G) found its footage up to then"
 * A time is "the same" as another when the caller writes them alike. Any thread. */
void footage_index_words(const struct footage_index_said *w, char *buf, size_t len);
/* The state footage_index_name names; FOOTAGE_NEVER_SCANNED for a name it does not give. */
enum footage_index footage_index_named(const char *name);

#endif
