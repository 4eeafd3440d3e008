/* file.c - files written whole and safely (file.h says how and why). Owns
 * nothing past a call but a struct cw_tmpfile's fd and names until it is
 * committed or aborted. */
#define _GNU_SOURCE /* mkostemp */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cw_file_restrict_umask(void)
{
    mode_t old = umask(0);

    umask(old | 027);
}

static const char *kind_name(mode_t m)
{
    if (S_ISLNK(m))
        return "a symbolic link";
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

int cw_file_check_target(const char *target, struct cw_err *err)
{
    struct stat st;

    if (target[0] == '\0') /* lstat would say ENOENT: "" is no name, not a file to come */
        return cw_err_set(err, NULL, 0, NULL, "empty file name");
    if (lstat(target, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return cw_err_set(err, target, 0, NULL, "%s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return cw_err_set(err, target, 0, NULL, "not a regular file (%s): refused",
                          kind_name(st.st_mode));
    return 0;
}

int cw_tmpfile_open(struct cw_tmpfile *t, const char *target, mode_t mode, struct cw_err *err)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - target) + 1 : 0;
    size_t len;

    memset(t, 0, sizeof(*t));
    t->fd = -1;
    if (cw_file_check_target(target, err) != 0)
        return -1;
    len = dir_len + sizeof(".camwatch-XXXXXX");
    t->tmp = malloc(len);
    t->target = strdup(target);
    if (t->tmp == NULL || t->target == NULL) {
        cw_tmpfile_abort(t);
        return cw_err_set(err, target, 0, NULL, "out of memory");
    }
    /* A hidden name in the target's folder, so the rename stays on one file system. */
    snprintf(t->tmp, len, "%.*s.camwatch-XXXXXX", (int)dir_len, target);
    t->fd = mkostemp(t->tmp, O_CLOEXEC);
    if (t->fd < 0) {
        cw_err_set(err, target, 0, NULL, "cannot make a temporary beside it: %s", strerror(errno));
        free(t->tmp);
        t->tmp = NULL;
        cw_tmpfile_abort(t);
        return -1;
    }
    t->mode = mode;
    return 0;
}

/* A folder that cannot be synced here, not a failure to write: one the user may write but not
 * read (EACCES, EPERM), and file systems with no sync of a folder (EINVAL: some network, FUSE
 * and pseudo ones; ENOTSUP; EROFS). The rename before it stands either way, as it did before
 * folders were synced; only an error of the disk itself (EIO, ENOSPC) fails the write. */
static int sync_dir_unsupported(int e)
{
    return e == EACCES || e == EPERM || e == EINVAL || e == ENOTSUP || e == EROFS || e == EBADF;
}

int cw_file_sync_dir(const char *path, struct cw_err *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    int fd, rc = 0;

    if (slash == NULL)
        dir = strdup(".");
    else
        dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (dir == NULL)
        return cw_err_set(err, path, 0, NULL, "out of memory");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if ((fd < 0 || fsync(fd) != 0) && !sync_dir_unsupported(errno))
        rc = cw_err_set(err, path, 0, NULL, "cannot sync its folder %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int cw_tmpfile_commit(struct cw_tmpfile *t, struct cw_err *err)
{
    int fd = t->fd, rc;

    t->fd = -1;
    /* On disk before the rename: else a power cut could leave the new name on an empty file. */
    if (fchmod(fd, t->mode) != 0 || (!t->unsynced && fsync(fd) != 0)) {
        cw_err_set(err, t->target, 0, NULL, "%s", strerror(errno));
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) { /* a full disk may show only here (NFS, delayed allocation) */
        cw_err_set(err, t->target, 0, NULL, "%s", strerror(errno));
        goto fail;
    }
    /* Checked again: what was absent or regular at open may have been swapped since. */
    if (cw_file_check_target(t->target, err) != 0)
        goto fail;
    if (rename(t->tmp, t->target) != 0) {
        cw_err_set(err, t->target, 0, NULL, "%s", strerror(errno));
        goto fail;
    }
    free(t->tmp);
    t->tmp = NULL;
    /* The rename lasts a power cut once the folder is synced (the new file is in place now). */
    rc = t->unsynced ? 0 : cw_file_sync_dir(t->target, err);
    cw_tmpfile_abort(t);
    return rc;
fail:
    cw_tmpfile_abort(t);
    return -1;
}

void cw_tmpfile_abort(struct cw_tmpfile *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->tmp != NULL)
        unlink(t->tmp);
    free(t->tmp);
    free(t->target);
    t->tmp = t->target = NULL;
}

static int write_whole(const char *target, const void *data, size_t len, mode_t mode, int unsynced,
                       struct cw_err *err)
{
    struct cw_tmpfile t;
    const char *p = data;

    if (cw_tmpfile_open(&t, target, mode, err) != 0)
        return -1;
    t.unsynced = unsynced;
    while (len > 0) {
        ssize_t n = write(t.fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cw_err_set(err, target, 0, NULL, "%s", n < 0 ? strerror(errno) : "short write");
            cw_tmpfile_abort(&t);
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return cw_tmpfile_commit(&t, err);
}

int cw_file_write(const char *target, const void *data, size_t len, mode_t mode, struct cw_err *err)
{
    return write_whole(target, data, len, mode, 0, err);
}

int cw_file_write_unsynced(const char *target, const void *data, size_t len, mode_t mode,
                           struct cw_err *err)
{
    return write_whole(target, data, len, mode, 1, err);
}

int cw_stream_end(FILE *out, int bad, const char *what, struct cw_err *err)
{
    if (fflush(out) == 0 && !bad && !ferror(out))
        return 0;
    return cw_err_set(err, NULL, 0, NULL, "cannot write %s: %s", what,
                      errno != 0 ? strerror(errno) : "write error");
}

/* Make one folder with CW_DIR_MODE exactly; 0 when made or already there. */
static int make_dir(const char *dir, struct cw_err *err)
{
    if (mkdir(dir, CW_DIR_MODE) == 0)
        return chmod(dir, CW_DIR_MODE) == 0
                   ? 0
                   : cw_err_set(err, dir, 0, NULL, "cannot set its mode: %s", strerror(errno));
    if (errno == EEXIST)
        return 0;
    return cw_err_set(err, dir, 0, NULL, "cannot create folder: %s", strerror(errno));
}

int cw_mkdirs(const char *path, int parent, struct cw_err *err)
{
    char *dir = strdup(path);
    char *end;
    int rc = 0;

    if (dir == NULL)
        return cw_err_set(err, path, 0, NULL, "out of memory");
    if (parent) {
        end = strrchr(dir, '/');
        if (end == NULL || end == dir)
            goto done;
        *end = '\0';
    }
    for (char *p = dir + 1; *p != '\0' && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        rc = make_dir(dir, err);
        *p = '/';
    }
    if (rc == 0 && dir[0] != '\0')
        rc = make_dir(dir, err);
done:
    free(dir);
    return rc;
}
