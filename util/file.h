/* file.h - files written whole and safely. A file is written to a mkstemp
 * temporary in its target's folder (O_EXCL: never through a name or link
 * someone planted), then renamed over the target once complete, so a reader
 * sees the old file or the new one, never half of one. A target that exists
 * and is not a regular file (a link, FIFO, device or folder) is refused, not
 * replaced. Files get CW_FILE_MODE and folders CW_DIR_MODE whatever the umask:
 * nothing camwatch writes is readable by other users. Any thread; no state. */
#ifndef CW_FILE_H
#define CW_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

#define CW_FILE_MODE 0640 /* the owner writes, its group (e.g. the CLI's users) reads */
#define CW_DIR_MODE 0750

/* Take group write and every bit for others out of the process's umask, for what libraries
 * create on their own (SQLite's database, its WAL and shared memory). Call first thing. */
void cw_file_restrict_umask(void);

/* A temporary being written. Plain record: fill with cw_tmpfile_open. */
struct cw_tmpfile {
    int fd;       /* write here; -1 when closed */
    char *tmp;    /* its name, beside target; NULL when gone */
    char *target; /* where it goes */
    mode_t mode;
    int unsynced; /* set after open: commit skips both syncs (cw_file_write_unsynced) */
};

/* 0 when target does not exist or is a regular file; -1 with err ("TARGET: not a regular
 * file (a symbolic link)", or "empty file name" for "") otherwise. */
int cw_file_check_target(const char *target, struct cw_err *err);

/* Open a temporary beside target (its folder must exist), after cw_file_check_target. Returns
 * 0 with t->fd open, or -1 with err and nothing left behind. */
int cw_tmpfile_open(struct cw_tmpfile *t, const char *target, mode_t mode, struct cw_err *err);
/* Give it mode, sync it, close it and rename it over target (checked again just before), then
 * sync the folder, so that after a power cut target is the old file or the whole new one.
 * Returns 0, or -1 with err and the temporary removed (or, when only the folder's sync failed,
 * the new file in place). t is done with either way. */
int cw_tmpfile_commit(struct cw_tmpfile *t, struct cw_err *err);
/* Close and remove the temporary, if any; t is done with. Accepts a committed t. */
void cw_tmpfile_abort(struct cw_tmpfile *t);

/* fsync the folder that holds path (path's part before its last '/', else "."), so a rename
 * or link into it lasts a power cut. Returns 0 (also when the folder cannot be synced there: not
 * readable, or a file system without it) or -1 on a disk error, with err naming path and the
 * folder. */
int cw_file_sync_dir(const char *path, struct cw_err *err);

/* The whole write of len bytes: open, write, commit. Returns 0 or -1 with err. */
int cw_file_write(const char *target, const void *data, size_t len, mode_t mode,
                  struct cw_err *err);
/* cw_file_write without the syncs: for a file rewritten every few seconds on the daemon's
 * loop (the vitals), where an fsync could stall the loop, and for the pictures of the cache
 * (thumbnails, snapshots: each camera's, again at each sample, on the pool), where two syncs
 * each would cost a province's disk thousands of flushes an hour; a power cut loses nothing
 * that is not written again. Still whole or not at all to a reader. */
int cw_file_write_unsynced(const char *target, const void *data, size_t len, mode_t mode,
                           struct cw_err *err);

/* The end of a write to stream out: flushed here, so a full disk shows now with its errno and not
 * at the caller's fclose; bad says an earlier write on it failed. 0, or -1 with err "cannot
 * write WHAT: the system's reason" ("write error" when it gave none). */
int cw_stream_end(FILE *out, int bad, const char *what, struct cw_err *err);

/* mkdir -p: path's folder when parent is 1, else path itself, each missing folder made with
 * CW_DIR_MODE (exactly: fchmod'ed past the umask); folders that exist are left as they are.
 * Returns 0 or -1 with err naming the folder. */
int cw_mkdirs(const char *path, int parent, struct cw_err *err);

#endif
