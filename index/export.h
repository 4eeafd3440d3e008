/* export.h - a request's footage as evidence: per camera one MP4 remuxed from the segments
 * that cover the range (probes/remux.h), the SHA-256 of every file, manifest.json, a readable
 * manifest.txt (Vietnamese, with English) and SHA256SUMS, and an audit row.
 *
 * Three steps, so the daemon can run the long one on its worker pool and the CLI all three in
 * a row:
 *   export_plan_build  the request, its cameras, their segments and clock offsets, read from
 *                      the store (the thread that owns the store handle: a worker of the
 *                      daemon's with a connection of its own, or the CLI; the zone is loaded
 *                      as a table, TZ is left alone)
 *   export_run         the files: remux, hash, manifests, written to temporaries in the
 *                      target folder and renamed at the end, so a failure leaves nothing
 *                      half-written; existing files are never overwritten (any thread; reads
 *                      no store; progress and cancellation)
 *   export_audit_start the audit row that it begins, before export_run (the thread that owns
 *                      the write connection): no export without a record
 *   export_audit       the audit row: who, when, what, and the hash of SHA256SUMS (the thread
 *                      that owns the write connection)
 * The same request exported twice gives byte-identical files: nothing in them depends on
 * when or where the export ran. */
#ifndef CW_EXPORT_H
#define CW_EXPORT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "store_footage.h"

#define EXPORT_MANIFEST_JSON "manifest.json"
#define EXPORT_MANIFEST_TXT "manifest.txt"
#define EXPORT_SUMS "SHA256SUMS"
#define EXPORT_FILE_MODE 0640
#define EXPORT_DIR_MODE 0750
/* The temporaries export_run makes in its folder, renamed (linked) at the end: one left is an
 * export that never ended. */
#define EXPORT_TEMP_PREFIX ".camwatch-export-"

struct export_plan;
struct export_cfg;
struct cfg;

/* Where a recorder's files are: its folder, or NULL for a recorder whose footage camwatch
 * cannot read as files (remote kinds) or that the config no longer has. */
typedef const char *(*export_root_fn)(void *data, const char *recorder);
/* Whether the configuration has a section for recorder (of any kind): one it lacks will never
 * be scanned, which the manifest says ("not configured") rather than "never scanned". */
typedef int (*export_known_fn)(void *data, const char *recorder);

/* What a plan reads of the configuration. Borrowed: everything must outlive the plan's build
 * (export_cfg_copy makes a copy that does, whatever happens to the configuration). */
struct export_settings {
    const char *site;      /* the site's name, for the manifest */
    const char *time_zone; /* the site's zone: the manifest's times (NULL: the default) */
    int64_t tolerance_ms;  /* segments this close are contiguous */
    export_root_fn root;
    void *root_data;
    export_known_fn known; /* with root_data; NULL: every recorder counts as configured */
};

/* A configuration's export settings, copied (export_cfg.c): the site's name and zone, the
 * tolerance and the folder of each dir recorder, owned by the copy, so that a plan can be built
 * from them on another thread after cfg is freed (the daemon's reload frees the old one as
 * soon as it has the new). Returns NULL when out of memory. Caller frees with export_cfg_free
 * (accepts NULL). */
struct export_cfg *export_cfg_copy(const struct cfg *cfg);
void export_cfg_free(struct export_cfg *x);
/* The copy's settings for export_plan_build: their root is a dir recorder's folder, NULL for
 * the remote kinds and for a recorder the configuration did not have; known, whether it had
 * the recorder. Borrowed from x. */
const struct export_settings *export_cfg_settings(const struct export_cfg *x);

/* Read request id and everything its export needs. Returns 0 with *out (export_plan_free), 1
 * when there is no such request (err says so), EXPORT_PLAN_EMPTY when it selects no camera (one
 * made before such a request was refused, or whose cameras are all gone: err says so; nothing
 * is to be exported, nor an audit row written), -1 with err. Any thread that owns s; set is
 * only read, before it returns. */
#define EXPORT_PLAN_EMPTY 2
int export_plan_build(struct store *s, const struct export_settings *set, int64_t request_id,
                      struct export_plan **out, struct cw_err *err);
void export_plan_free(struct export_plan *p); /* accepts NULL */

/* Cameras in the plan, and of those with footage to export. */
size_t export_plan_cameras(const struct export_plan *p, size_t *with_footage);

/* Progress of a run: camera i of n (its id), bytes of its inputs read of total. */
typedef void (*export_progress_fn)(void *data, size_t i, size_t n, const char *camera, int64_t done,
                                   int64_t total);

struct export_result {
    char out_dir[4096];   /* the folder's absolute path, resolved (realpath) once it existed */
    size_t files;         /* MP4 files written */
    size_t cameras;       /* cameras in the request */
    char sums_sha256[65]; /* of SHA256SUMS */
    char summary[512];    /* one line per the audit row: what was delivered */
};

/* Write the plan's files into out_dir (made 0750 when missing; its parent must exist; one that
 * exists must be owned by the user running it or root, and writable by no one else unless it
 * has the sticky bit, or it is refused before any work, saying what to do).
 * Refuses before any work when a file it would write exists ("DIR/CAM.mp4 exists: an export
 * never overwrites"). cancel (may be NULL) stops it; nothing is left. Returns 0 with *res, or
 * -1 with err. Any thread. */
int export_run(const struct export_plan *p, const char *out_dir, const atomic_int *cancel,
               export_progress_fn progress, void *progress_data, struct export_result *res,
               struct cw_err *err);

/* The longest absolute path of an export's folder, in bytes: its audit rows must hold it whole,
 * and the end row the SHA-256 of SHA256SUMS after it (store_audit's detail is 1,023 bytes). */
#define EXPORT_DIR_MAX 640
/* The done row (export_audit) as long as it gets before the start row's reference, but for the
 * summary last: "case C; N files of M cameras to DIR; SHA256SUMS H" with C 127 bytes and the
 * counts 20 digits each; then "; export.start row N" (store_audit_append_end keeps it whole). */
_Static_assert(sizeof("case ; 18446744073709551615 files of 18446744073709551615 cameras to ; ") +
                       127 + EXPORT_DIR_MAX + sizeof(EXPORT_SUMS) + 64 +
                       sizeof("; export.start row 9223372036854775807") <=
                   sizeof(((struct store_audit *)0)->detail),
               "an export's end row must hold its folder and the SHA-256 of SHA256SUMS whole");

/* The absolute, resolved path of out_dir as the audit rows give it, into buf: realpath of it
 * when it exists, else of its parent with its last name after (the folder export_run makes).
 * 0, or -1 with err (the parent missing, the path too long: over EXPORT_DIR_MAX once resolved,
 * or a folder export_run would refuse as not keeping the evidence from others: so that the
 * caller refuses it before any row). */
int export_dir_check(const char *out_dir, char *buf, size_t len, struct cw_err *err);

/* Append the row that an export of request request_id into where (its folder, or a job's
 * name) by actor begins (action "export.start", subject "request N") at at_ms: written before
 * export_run, so that no export exists without a record. locked: the caller holds where's
 * folder lock (folderlock_take) from before this row until after its end row, and the row
 * says so (its detail where, then STORE_AUDIT_FOLDER_LOCKED): audit verify trusts the lock
 * only then. *start_id gets its row's id, for the row that ends it. When it cannot be written
 * (the store write-locked longer than its busy timeout, or where too long for the row whole:
 * over EXPORT_DIR_MAX), nothing is to be exported. */
int export_audit_start(struct store *s, int64_t request_id, const char *actor, const char *where,
                       int locked, int64_t at_ms, int64_t *start_id, struct cw_err *err);

/* Append the row that the export begun at audit row start_id ended without its files (action
 * "export.failed", subject "request N", detail "where: why; export.start row START_ID"), so that
 * the trail says what became of every export it says began (audit verify lists the ones it does
 * not: store_audit_unfinished_exports). */
int export_audit_failed(struct store *s, int64_t request_id, int64_t start_id, const char *actor,
                        const char *where, const char *why, int64_t at_ms, struct cw_err *err);

/* Append the export's audit row (action "export", subject "request N", its detail ending
 * "; export.start row START_ID") by actor at at_ms: the export begun at row start_id is done. */
int export_audit(struct store *s, const struct export_plan *p, const struct export_result *res,
                 int64_t start_id, const char *actor, int64_t at_ms, struct cw_err *err);

#endif
