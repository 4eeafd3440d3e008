/* export_dir.c - the folder an export goes into (export.h: export_dir_check; export_priv.h):
 * whether it, and every folder above it, keeps the evidence from others, and whether its
 * absolute path fits the audit rows whole. No state. */
#define _GNU_SOURCE
#include "export_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether folder dir (sb: its stat) keeps evidence from others: owned by the user exporting or
 * by root, and writable by no one else but with the sticky bit (where only a file's owner may
 * remove it). The rule ssh applies to its own files (StrictModes): whoever owns or may write
 * the folder may delete or replace the files in it, so the evidence would be only as safe as
 * that user. Even root is refused another user's folder, for that user could replace what root
 * exported; a root-owned folder is accepted, root can do anything anyway. */
int export_dir_private(const char *dir, const struct stat *sb, struct cw_err *err)
{
    uid_t me = geteuid();

    if (sb->st_uid != me && sb->st_uid != 0)
        return cw_err_set(err, dir, 0, NULL,
                          "owned by uid %u, not by the user exporting (uid %u): its owner could "
                          "delete or replace the evidence; export into a folder of your own",
                          (unsigned)sb->st_uid, (unsigned)me);
    if ((sb->st_mode & (S_IWGRP | S_IWOTH)) != 0 && (sb->st_mode & S_ISVTX) == 0)
        return cw_err_set(err, dir, 0, NULL,
                          "writable by %s (mode %04o): anyone who may write it could delete or "
                          "replace the evidence; make it yours alone (chmod 0750 %s) or export "
                          "into a new folder",
                          (sb->st_mode & S_IWOTH) != 0 ? "others" : "its group",
                          (unsigned)(sb->st_mode & 07777), dir);
    return 0;
}

/* Every folder above the absolute path dir, up to "/", as export_dir_private asks of the folder
 * itself: whoever owns or may write one of them may move the export's folder away and put
 * another in its place (ssh asks the same of every folder above its keys). A folder with the
 * sticky bit (as /tmp) is fine: there only an entry's owner may move it. */
static int check_above(const char *dir, struct cw_err *err)
{
    char up[PATH_MAX], *slash;
    struct stat sb;
    uid_t me = geteuid();

    if (snprintf(up, sizeof(up), "%s", dir) >= (int)sizeof(up))
        return cw_err_set(err, dir, 0, NULL, "path too long");
    while ((slash = strrchr(up, '/')) != NULL && up[1] != '\0') {
        if (slash == up)
            slash[1] = '\0'; /* "/a": its folder is "/" */
        else
            *slash = '\0';
        if (stat(up, &sb) != 0)
            return cw_err_set(err, up, 0, NULL, "%s", strerror(errno));
        if (sb.st_uid != me && sb.st_uid != 0)
            return cw_err_set(err, up, 0, NULL,
                              "a folder above %s, owned by uid %u, not by the user exporting (uid "
                              "%u): its owner could move the export away and put another in its "
                              "place; export into a folder below only yours and root's",
                              dir, (unsigned)sb.st_uid, (unsigned)me);
        if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (sb.st_mode & S_ISVTX) == 0)
            return cw_err_set(err, up, 0, NULL,
                              "a folder above %s, writable by %s (mode %04o): anyone who may "
                              "write it could move the export away and put another in its place; "
                              "export into a folder below only yours and root's",
                              dir, (sb.st_mode & S_IWOTH) != 0 ? "others" : "its group",
                              (unsigned)(sb.st_mode & 07777));
    }
    return 0;
}

/* check_above for the folders of the path as typed (made absolute from the working folder),
 * not only of the one realpath resolves: the files are written through the typed one, so
 * whoever may write a folder holding a symlink on the way could point it elsewhere. */
static int check_above_typed(const char *dir, struct cw_err *err)
{
    char abs[PATH_MAX], cwd[PATH_MAX];
    size_t n;
    int w;

    if (dir[0] == '/')
        w = snprintf(abs, sizeof(abs), "%s", dir);
    else if (getcwd(cwd, sizeof(cwd)) == NULL)
        return cw_err_set(err, dir, 0, NULL, "the working folder: %s", strerror(errno));
    else
        w = snprintf(abs, sizeof(abs), "%s/%s", cwd, dir);
    if (w < 0 || w >= (int)sizeof(abs))
        return cw_err_set(err, dir, 0, NULL, "path too long");
    for (n = strlen(abs); n > 1 && abs[n - 1] == '/'; n--)
        abs[n - 1] = '\0'; /* "out/" is "out" */
    return check_above(abs, err);
}

int export_dir_fits(const char *out_dir, const char *dir, struct cw_err *err)
{
    size_t n = strlen(dir);

    if (n <= EXPORT_DIR_MAX)
        return 0;
    return cw_err_set(err, out_dir, 0, NULL,
                      "its absolute path is %zu bytes; an export folder's is %d at the most, so "
                      "that its audit rows hold it whole",
                      n, EXPORT_DIR_MAX);
}

int export_dir_check(const char *out_dir, char *buf, size_t len, struct cw_err *err)
{
    char path[PATH_MAX], parent[PATH_MAX], *slash;
    size_t n = strlen(out_dir);
    struct stat sb;

    while (n > 1 && out_dir[n - 1] == '/')
        n--; /* "out/" is "out" */
    if (n >= sizeof(path))
        return cw_err_set(err, out_dir, 0, NULL, "path too long");
    memcpy(path, out_dir, n);
    path[n] = '\0';
    if (realpath(path, parent) != NULL) {
        if (snprintf(buf, len, "%s", parent) >= (int)len)
            return cw_err_set(err, out_dir, 0, NULL, "path too long");
        if (export_dir_fits(out_dir, buf, err) != 0)
            return -1;
        if (stat(parent, &sb) == 0 && S_ISDIR(sb.st_mode) &&
            export_dir_private(parent, &sb, err) != 0)
            return -1;
        return check_above(parent, err) != 0 ? -1 : check_above_typed(out_dir, err);
    }
    if (errno != ENOENT)
        return cw_err_set(err, out_dir, 0, NULL, "%s", strerror(errno));
    slash = strrchr(path, '/');
    if (slash == NULL ? realpath(".", parent) == NULL
                      : realpath(slash == path ? "/" : (*slash = '\0', path), parent) == NULL)
        return cw_err_set(err, out_dir, 0, NULL, "its parent folder: %s", strerror(errno));
    if (snprintf(buf, len, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/",
                 slash == NULL ? path : slash + 1) >= (int)len)
        return cw_err_set(err, out_dir, 0, NULL, "path too long");
    return export_dir_fits(out_dir, buf, err) != 0 || check_above(buf, err) != 0
               ? -1
               : check_above_typed(out_dir, err);
}

int export_dir_above(const char *real, const char *typed, struct cw_err *err)
{
    return check_above(real, err) != 0 ? -1 : check_above_typed(typed, err);
}
