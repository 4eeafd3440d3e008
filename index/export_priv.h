/* export_priv.h - what the export's files (export.c, export_manifest.c, export_dir.c) share: the
 * plan's record, each camera's outcome and the checks of the folder. Not for callers outside
 * index/export*.c. */
#ifndef CW_EXPORT_PRIV_H
#define CW_EXPORT_PRIV_H

#include <sys/stat.h>

#include "../probes/remux.h"
#include "../util/zone.h"
#include "export.h"
#include "footage.h"

#define EXPORT_HASH_HEX 65

struct export_source {
    char recorder[64];
    char path[768]; /* relative to the recorder's folder, as the manifest names it */
    char abs[1024]; /* where it is read; "" for a remote recorder */
    int64_t start_ms, end_ms, bytes, mtime_ns; /* as indexed */
    char container[16], codec[16];             /* as indexed: "" for a file unreadable then */
    int readable;
    int removed; /* its recorder is no longer configured (footage_cover_removed): listed, its
                  * file neither read nor exported */
    char reason[STORE_FOOTAGE_REASON_MAX];
};

struct export_camera {
    struct store_place place;
    double dist_m; /* < 0: not a point request */
    int has_clock;
    struct store_clock clock;
    struct export_source *src; /* segments overlapping the range, by start */
    size_t n_src;
    int remote; /* some of its footage is on a recorder camwatch cannot read as files */
    struct footage_cover cov; /* what the index can say of its footage in the range */
};

struct export_plan {
    struct store_request req;
    char site[128];
    char tz[64];
    struct cw_zone *zone;
    int64_t tolerance_ms;
    struct export_camera *cams;
    size_t n;
};

/* What became of one source file in a run: the size and SHA-256 are those of the open file the
 * remux read (or, for one it did not need, of the file as it is now), not the index's. */
struct export_source_said {
    char sha256[EXPORT_HASH_HEX]; /* "" when it could not be read */
    int64_t bytes;                /* its size as read; -1 when it could not be opened */
    int grew;       /* larger and modified later than indexed: the recorder appended to it */
    int changed;    /* its size or mtime is not what the index has, and it did not grow */
    int read_errno; /* reading it for its hash failed with this */
    struct remux_used used; /* what the remux made of it (REMUX_NOT_READ when not offered) */
};

/* Why source x was not used, in words ("gone since indexed", ...), into buf; NULL when it was
 * used. codec: the delivered file's video codec. */
const char *export_source_why(const struct export_source *x, const struct export_source_said *s,
                              const char *codec, char *buf, size_t len);

/* What exporting one camera gave. */
struct export_outcome {
    char file[96]; /* "CHO-01.mp4", "" when nothing was delivered */
    char sha256[EXPORT_HASH_HEX];
    int64_t bytes;
    struct remux_result rx;
    struct export_source_said *src; /* per source of the camera */
    char note[512];                 /* why nothing, or why short */
    /* Whether the index does not cover the camera over some of the range: why, in the words of
     * footage_index_words ("not indexed: no recorder configured for this camera", "not indexed
     * after T: ..." when the range runs past what the recorder's last good scan knew of the
     * camera, known_until), and from when (the range's start when it covers none of it); "" and
     * 0 when it covers all of it. */
    char unindexed[512];
    int64_t unindexed_from_ms;
};

/* The statement that the index does not cover camera c over the range from from_ms (its
 * footage_unindexed_from; 0: it covers all of it, and buf is ""), and why, in the words of
 * footage_index_words, into buf; its times ISO 8601 as manifest.json gives times, or whole
 * as manifest.txt does ("2026-12-01 21:40:00 +07:00") when whole. Made whether footage is
 * delivered or not, since the end of what is delivered is not the end of what exists, nor is
 * footage the index still holds of a camera it no longer speaks for all there is. */
void export_unindexed_words(const struct export_plan *p, const struct export_camera *c,
                            int64_t from_ms, int whole, char *buf, size_t len);

/* The manifests' text for plan p and its outcomes (one per camera). Caller frees. NULL when
 * out of memory. */
char *export_manifest_json(const struct export_plan *p, const struct export_outcome *o);
char *export_manifest_txt(const struct export_plan *p, const struct export_outcome *o);

/* Whether folder dir (sb: its stat) keeps the evidence from others: owned by the user
 * exporting or by root, writable by no one else unless it has the sticky bit. 0, or -1 with
 * err naming the folder and what to do. */
int export_dir_private(const char *dir, const struct stat *sb, struct cw_err *err);

/* Whether dir (out_dir resolved) fits its audit rows whole (EXPORT_DIR_MAX); -1 with err if
 * not. */
int export_dir_fits(const char *out_dir, const char *dir, struct cw_err *err);

/* Whether every folder above real (the folder's absolute, resolved path) and above typed (the
 * path as the user gave it, made absolute from the working folder) keeps the evidence from
 * others as export_dir_private asks; 0, or -1 with err. */
int export_dir_above(const char *real, const char *typed, struct cw_err *err);

/* A camera id as a file name: [A-Za-z0-9._-] kept, anything else '_', at most 80 bytes. */
void export_file_name(const char *id, char *buf, size_t len);

#endif
