/* storelock.c - one camwatchd per store (storelock.h). Owns the lock file's descriptor; the
 * lock lives as long as it is open (flock: released when the last descriptor closes, so also
 * when the process dies in any way; never inherited by an exec, O_CLOEXEC). */
#include "storelock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../index/store.h"
#include "../util/file.h"

#define STORELOCK_MODE 0640

struct storelock {
    int fd;
};

/* The pid the holder wrote into fd, or 0 when there is none to read. */
static long storelock_holder(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    long pid;

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

/* Our pid in place of the last holder's. A failure only leaves the message without it. */
static void storelock_write_pid(int fd)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
        return;
}

/* Lock the open lock file fd of database (path) without waiting: 0, or -1 with err. */
static int storelock_lock(int fd, const char *path, const char *database, struct cw_err *err)
{
    long pid;

    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        storelock_write_pid(fd);
        return 0;
    }
    if (errno != EWOULDBLOCK)
        return cw_err_set(err, path, 0, NULL, "cannot lock the store: %s", strerror(errno));
    pid = storelock_holder(fd);
    if (pid > 0)
        return cw_err_set(err, NULL, 0, NULL, "another camwatchd (pid %ld) uses %s", pid, database);
    return cw_err_set(err, NULL, 0, NULL, "another camwatchd uses %s", database);
}

int storelock_take(const char *database, struct storelock **out, struct cw_err *err)
{
    struct storelock *l;
    char path[4096];
    int fd;

    *out = NULL;
    if (store_lock_path(database, path, sizeof(path)) == NULL)
        return cw_err_set(err, database, 0, NULL, "path too long for its lock file");
    if (cw_mkdirs(database, 1, err) != 0) /* a first start: the store's folder is not there */
        return -1;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, STORELOCK_MODE);
    if (fd < 0)
        return cw_err_set(err, path, 0, NULL, "cannot open the store's lock file: %s",
                          strerror(errno));
    if (storelock_lock(fd, path, database, err) != 0) {
        close(fd);
        return -1;
    }
    if ((l = malloc(sizeof(*l))) == NULL) {
        close(fd);
        return cw_err_set(err, database, 0, NULL, "out of memory");
    }
    l->fd = fd;
    *out = l;
    return 0;
}

void storelock_free(struct storelock *l)
{
    if (l == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l);
}
