/* folderlock.c - the lock a running CLI export holds on its folder (folderlock.h). Owns no
 * state: the caller owns the descriptor folderlock_take returns. Any thread. */
#include "folderlock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_footage.h"

/* An exclusive take retried this often, this far apart: audit verify's test holds the lock
 * shared for microseconds, and an export must not fail for it (1 s in all). */
#define FOLDERLOCK_TRIES 50
#define FOLDERLOCK_RETRY_NS 20000000L

static int folderlock_open(const char *dir)
{
    return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int folderlock_take(const char *dir, int *fd, struct cw_err *err)
{
    const struct timespec pause = {0, FOLDERLOCK_RETRY_NS};
    int f = folderlock_open(dir);

    *fd = -1;
    if (f < 0)
        return cw_err_set(err, dir, 0, NULL, "cannot open the folder to lock it: %s",
                          strerror(errno));
    for (int i = 0; flock(f, LOCK_EX | LOCK_NB) != 0; i++) {
        int e = errno;
        if (e != EWOULDBLOCK || i + 1 >= FOLDERLOCK_TRIES) {
            close(f);
            if (e == EWOULDBLOCK)
                return cw_err_set(err, dir, 0, NULL,
                                  "another export into this folder is running now (a process "
                                  "holds its lock)");
            return cw_err_set(err, dir, 0, NULL, "cannot lock the folder: %s", strerror(e));
        }
        nanosleep(&pause, NULL);
    }
    *fd = f;
    return 0;
}

void folderlock_release(int fd)
{
    if (fd >= 0)
        close(fd); /* the lock goes with the last descriptor */
}

static void say(char *why, size_t len, const char *fmt, const char *a, const char *b)
{
    if (why != NULL && len > 0)
        snprintf(why, len, fmt, a, b);
}

enum folderlock_state folderlock_probe(const char *dir, char *why, size_t len)
{
    int f = folderlock_open(dir), e;

    say(why, len, "%s%s", "", "");
    if (f < 0) {
        e = errno;
        if (e == ENOENT) {
            say(why, len, "its folder %s is gone%s", dir, "");
            return FOLDERLOCK_FREE;
        }
        say(why, len, "cannot open its folder %s: %s", dir, strerror(e));
        return FOLDERLOCK_UNKNOWN;
    }
    if (flock(f, LOCK_SH | LOCK_NB) == 0) {
        close(f); /* released at once */
        return FOLDERLOCK_FREE;
    }
    e = errno;
    close(f);
    if (e == EWOULDBLOCK)
        return FOLDERLOCK_HELD;
    say(why, len, "cannot test its folder's lock %s: %s", dir, strerror(e));
    return FOLDERLOCK_UNKNOWN;
}

enum folderlock_state folderlock_daemon(const char *database, char *why, size_t len)
{
    char buf[32], lock_path[4096];
    ssize_t n;
    long pid;
    int f;

    say(why, len, "%s%s", "", "");
    if (store_lock_path(database, lock_path, sizeof(lock_path)) == NULL) {
        say(why, len, "%s: path too long for its lock file%s", database, "");
        return FOLDERLOCK_UNKNOWN;
    }
    if ((f = open(lock_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        say(why, len, "cannot read camwatchd's lock file %s: %s", lock_path, strerror(errno));
        return FOLDERLOCK_UNKNOWN;
    }
    n = pread(f, buf, sizeof(buf) - 1, 0);
    close(f);
    if (n <= 0 || (buf[n] = '\0', pid = strtol(buf, NULL, 10)) <= 0) {
        say(why, len, "camwatchd's lock file %s holds no pid%s", lock_path, "");
        return FOLDERLOCK_UNKNOWN;
    }
    if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
        return FOLDERLOCK_HELD; /* alive, or a pid reused: may be running either way */
    return FOLDERLOCK_FREE;
}

enum folderlock_state folderlock_export(const char *database, const struct store_audit *start,
                                        char *why, size_t len)
{
    char where[sizeof(start->detail)];
    int locked = store_audit_start_where(start, where, sizeof(where));
    enum folderlock_state st;

    if (where[0] == '/' && !locked) {
        say(why, len, "%s%s", FOLDERLOCK_WHY_UNLOCKED, "");
        return FOLDERLOCK_UNKNOWN;
    }
    if (where[0] == '/')
        return folderlock_probe(where, why, len);
    if (database == NULL) {
        say(why, len, "camwatchd's lock file is not known%s%s", "", "");
        return FOLDERLOCK_UNKNOWN;
    }
    if ((st = folderlock_daemon(database, why, len)) == FOLDERLOCK_HELD) {
        say(why, len, "camwatchd is running%s%s", "", "");
        return FOLDERLOCK_UNKNOWN;
    }
    if (st == FOLDERLOCK_FREE)
        say(why, len, "camwatchd is not running%s%s", "", "");
    return st;
}
