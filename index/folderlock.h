/* folderlock.h - the lock a running CLI export holds on its folder, and the test audit verify
 * and audit close-export make of it: whether the process that began an export still runs.
 * flock(2) on the folder's own descriptor (nothing is written into the evidence folder); the
 * kernel drops the lock when its holder dies in any way (SIGKILL, the OOM killer), so a lock
 * that can be taken names an export no process is making. */
#ifndef CW_FOLDERLOCK_H
#define CW_FOLDERLOCK_H

#include <stddef.h>

#include "../util/err.h"

enum folderlock_state {
    FOLDERLOCK_HELD,    /* a process holds it: the export runs now */
    FOLDERLOCK_FREE,    /* no process holds it, or the folder is gone: killed */
    FOLDERLOCK_UNKNOWN, /* it cannot be tested (why says so) */
};

/* Take dir's lock, exclusive: 0 with *fd (folderlock_release), or -1 with err (another holds
 * it: "another export into DIR is running now"; dir cannot be opened). A test's brief shared
 * hold is waited out. */
int folderlock_take(const char *dir, int *fd, struct cw_err *err);
/* Release a lock folderlock_take took (accepts -1). */
void folderlock_release(int fd);

/* Whether a process holds dir's lock, tested by taking it shared without waiting and
 * releasing it at once. why (may be NULL) gets, for FREE with the folder gone, "its folder DIR
 * is gone"; for UNKNOWN the error; else "". */
enum folderlock_state folderlock_probe(const char *dir, char *why, size_t len);

/* Whether the camwatchd of the store at database may be running, by the pid in its lock file
 * (store_lock_path: "<database>.lock"): FOLDERLOCK_HELD when its pid is alive (or may be: another
 * user's), FREE when no such process is, UNKNOWN (why) when the file cannot be read. The pid is
 * read, not the lock tested: a shared test would make a camwatchd starting that instant think
 * another runs. */
enum folderlock_state folderlock_daemon(const char *database, char *why, size_t len);

struct store_audit;

/* Why a CLI export's start row without the mark of its lock is not known to run or not. */
#define FOLDERLOCK_WHY_UNLOCKED                                                                    \
    "begun by a camwatch version that did not lock its folder, so it may be running"

/* Whether the export the export.start row start began runs now. Its where (its detail,
 * store_audit_start_where) is the CLI's folder, an absolute path, or the API export's name.
 * A CLI export: its folder's lock (folderlock_probe) when the row says its export holds it
 * (STORE_AUDIT_FOLDER_LOCKED), else UNKNOWN (FOLDERLOCK_WHY_UNLOCKED: an older version's
 * export holds none while it runs). An API export: camwatchd's pid (database may be NULL: not
 * known): FREE when camwatchd is not running (it closes its own dead exports as it starts),
 * UNKNOWN when it is (the export may be its, or dead). why says what the answer rests on. */
enum folderlock_state folderlock_export(const char *database, const struct store_audit *start,
                                        char *why, size_t len);

#endif
