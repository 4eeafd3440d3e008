/* recorder.h - what a scan of one recorder finds, whatever kind of recorder it is: the
 * segments new or changed since the store last saw them, the files and folders gone (the
 * recorder overwrote them), and the folders listed. A scan is blocking work for the worker
 * pool; it reads what the store knows through struct rec_known (callbacks the caller backs
 * with its own read-only connection) and never writes: the caller applies the result through
 * its one write connection. Kinds: recorder_dir.c (segment files under a folder); the
 * network recorders of recorder_remote.h: recorder_onvif.c (ONVIF Recording Search),
 * recorder_isapi.c (Hikvision ISAPI), recorder_dahua.c (Dahua mediaFileFind.cgi).
 *
 * A result is plain memory owned by the caller (rec_result_free). */
#ifndef CW_RECORDER_H
#define CW_RECORDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "../util/segpattern.h"
#include "../util/zone.h"
#include "segment.h"

#define REC_ID_MAX 64      /* a camera id, as the config allows it */
#define REC_CHANNEL_MAX 32 /* a Dahua channel number as the channel_map writes it */

/* A file the store knows in a folder of the recorder, as last seen. */
struct rec_known_file {
    char file[256];
    int64_t bytes, mtime_ns;
    char camera_id[REC_ID_MAX];
    int64_t start_ms, end_ms;
    char channel[REC_CHANNEL_MAX]; /* the channel a Dahua NVR listed it on, "" otherwise */
};

/* What the store knows of the recorder; each returns 0, 1 (dir_mtime, last_file: not known)
 * or -1 (the scan fails with the store's error). Lists are malloc'd, the caller of the
 * callback frees them: subdirs as one block (n pointers, then their strings). */
struct rec_known {
    int (*dir_mtime)(void *data, const char *dir, int64_t *mtime_ns);
    int (*subdirs)(void *data, const char *dir, char ***out, size_t *n);
    int (*files)(void *data, const char *dir, struct rec_known_file **out, size_t *n);
    int (*last_file)(void *data, const char *dir, struct rec_known_file *out);
    void *data;
};

/* A segment found: new or changed, for a folder recorder; every item listed, for a network one
 * (store_segment_put then writes only those the store does not have so). */
struct rec_found {
    char *dir, *file; /* relative to the recorder's folder; remote kinds: "" and its id */
    char camera_id[REC_ID_MAX];
    int64_t start_ms, end_ms; /* end = start for an unreadable file */
    int64_t bytes, mtime_ns;
    struct segment_info info;
    char channel[REC_CHANNEL_MAX]; /* the channel a Dahua NVR listed it on, "" otherwise */
};

/* A file (tree 0) or a folder and all below it (tree 1) no longer there. */
struct rec_gone {
    char *dir, *file; /* file "" for a folder */
    int tree;
};

/* A folder listed, to remember with its mtime (0: list it again next time). */
struct rec_dir_mark {
    char *path, *parent; /* parent NULL for the top */
    int64_t mtime_ns;
};

struct rec_result {
    struct rec_found *found;
    size_t n_found;
    struct rec_gone *gone;
    size_t n_gone;
    struct rec_dir_mark *dirs;
    size_t n_dirs;
    /* The cameras of the known files kept or gone (rec_note_camera): the sheet may name them
     * on no recorder scanned now, so their footage summaries are brought up to date with this
     * recorder's (recsrc_apply). Each once. */
    char (*others)[REC_ID_MAX];
    size_t n_others;
    /* Counts for the log and `camwatch footage scan`. */
    size_t files_seen;   /* files whose names fit the pattern */
    size_t unchanged;    /* of those, as the store knew them */
    size_t ignored;      /* names that do not fit the pattern */
    size_t unmapped;     /* fit, but name no camera of this recorder */
    size_t kept;         /* known and unchanged, kept under the camera they were indexed for
                          * though the sheet now names another camera or none (reattribute 0) */
    size_t unreadable;   /* of the found, not readable */
    size_t dirs_listed;  /* folders read */
    size_t dirs_skipped; /* folders whose mtime said nothing changed */
};

/* A camera token of the recorder ({camera} in the pattern, an ONVIF source) to the camera's
 * id; NULL when the token names no camera of this recorder. */
typedef const char *(*rec_camera_of_fn)(void *data, const char *token);

/* Progress of a long scan: files looked at so far, folders read. Called on the scan's thread
 * every REC_PROGRESS_EVERY files. */
#define REC_PROGRESS_EVERY 500
typedef void (*rec_progress_fn)(void *data, size_t files, size_t dirs);

/* Helpers for the kinds and their callers. A result made by rec_result_new (NULL when out of
 * memory) grows through the rec_add_* calls only. */
struct rec_result *rec_result_new(void);
void rec_result_free(struct rec_result *r); /* accepts NULL */
/* Append to r's lists (strings copied). Return 0, or -1 when out of memory. */
int rec_add_found(struct rec_result *r, const char *dir, const char *file, const char *camera_id,
                  int64_t start_ms, int64_t end_ms, int64_t bytes, int64_t mtime_ns,
                  const struct segment_info *info);
int rec_add_gone(struct rec_result *r, const char *dir, const char *file, int tree);
int rec_add_dir(struct rec_result *r, const char *path, const char *parent, int64_t mtime_ns);
int rec_note_camera(struct rec_result *r, const char *camera_id);

/* ---- kind dir: segment files under a folder (recorder_dir.c) ---- */

struct rec_dir_source {
    const char *name; /* the recorder's, for messages */
    const char *root; /* its folder */
    const struct segpattern *pattern;
    const struct cw_zone *zone; /* of the times in file names */
    rec_camera_of_fn camera_of; /* pattern with {camera} */
    void *camera_data;
    const char *single_camera; /* pattern without {camera}: the one camera on this recorder */
    int full;                  /* list every folder, whatever its mtime says */
    int reattribute;           /* unchanged files too are attributed by the sheet now (with full) */
    int64_t now_ms;            /* the scan's time */
    const atomic_int *cancel;  /* may be NULL; set: stop, the scan fails "cancelled" */
    rec_progress_fn progress;  /* may be NULL */
    void *progress_data;
};

/* Walk the recorder's folder: only folders whose names can match the pattern at their level
 * (or that the store knows), and of those only the ones whose mtime changed since the store
 * listed them (the others are passed through to their known subfolders, and their last file by
 * name, the one a recorder is still writing, is looked at again). New and changed files are
 * read (segment_probe) and attributed to the camera the sheet names now. A file the store knows
 * that is still there unchanged (its size and mtime as indexed) keeps the camera it was indexed
 * for, even when the sheet now names another camera for it or none (the camera moved to another
 * recorder, its row went, its channel was given to a new camera): the sheet in force when it
 * was recorded said whose it is (counted in kept). One written to since that the sheet names
 * no camera for (the file being written as the camera moved) is read again for that camera
 * too (kept). reattribute: every file is attributed by the
 * sheet now, and the known ones it names no camera for are forgotten. A
 * folder modified in the last REC_RACY_MS is remembered with mtime 0, so a file added in the
 * same clock tick is not missed. Returns 0 with *out, or -1 (the recorder's folder cannot be
 * read, the store failed, cancelled, out of memory) with err saying so. */
#define REC_RACY_MS 2000
int rec_dir_scan(const struct rec_dir_source *src, const struct rec_known *known,
                 struct rec_result **out, struct cw_err *err);

#endif
