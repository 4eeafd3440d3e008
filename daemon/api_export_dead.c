/* api_export_dead.c - what became of the API exports a camwatchd before this one began and
 * never ended (SIGKILL, the OOM killer, a power cut): at start-up, before this daemon runs
 * any export of its own, and while it holds the store's lock (storelock.h: one daemon per
 * store), an API export's "export.start" row with no end is certainly dead. Each gets its
 * "export.failed" row (the start row's actor, through export_audit_failed, as every export's
 * end), and what it left in its folder [footage] exports/NAME is cleared: its temporaries
 * (EXPORT_TEMP_PREFIX), then the folder when nothing else is in it. A folder some other export
 * row names (a later export of the same name, a CLI export into it, maybe running now) is left
 * as it is, and a file with an export's own name is never removed: a run killed while it
 * linked its files leaves whole files no row vouches for, for a person to judge. CLI exports
 * (their where a folder) are not touched: one may be running now.
 * Owns nothing past the call. Loop thread, before the loop runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/export.h"
#include "../util/log.h"
#include "api_priv.h"

#define DEAD_WHY "camwatchd stopped before the export ended (found at start-up)"

/* Remove the temporaries of the folder dir (regular files named EXPORT_TEMP_PREFIX*, never
 * through a link); *others gets how many other names stay. The temporaries removed, or -1 when
 * the folder cannot be read. */
static int dead_remove_temps(const char *dir, size_t *others)
{
    size_t prefix = strlen(EXPORT_TEMP_PREFIX);
    int removed = 0, fd;
    struct dirent *e;
    struct stat st;
    DIR *d;

    *others = 0;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -1;
    if ((d = fdopendir(fd)) == NULL) {
        close(fd);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strncmp(e->d_name, EXPORT_TEMP_PREFIX, prefix) == 0 &&
            fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            unlinkat(fd, e->d_name, 0) == 0)
            removed++;
        else
            ++*others;
    }
    closedir(d);
    return removed;
}

/* Clear what the dead export start left in its folder under export_dir; what was done, for its
 * row, into note ("" when there was no folder). */
static void dead_clear_folder(struct store *s, const struct store_audit *start,
                              const char *export_dir, char *note, size_t len)
{
    char dir[PATH_MAX + 64], real[PATH_MAX];
    struct cw_err err;
    struct stat st;
    size_t others = 0;
    int64_t named = 0;
    int removed;

    note[0] = '\0';
    if (snprintf(dir, sizeof(dir), "%s/%s", export_dir, start->detail) >= (int)sizeof(dir) ||
        lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || realpath(dir, real) == NULL)
        return;
    if (store_audit_export_named(s, start->detail, real, start->id, &named, &err) != 0 ||
        named != 0) {
        if (named != 0)
            snprintf(note, len, "; its folder %s left as it is: audit row %lld names it too", real,
                     (long long)named);
        else
            snprintf(note, len, "; its folder %s left as it is: %s", real, err.msg);
        return;
    }
    if ((removed = dead_remove_temps(real, &others)) < 0) {
        snprintf(note, len, "; its folder %s could not be read: %s", real, strerror(errno));
        return;
    }
    if (others == 0 && rmdir(real) == 0)
        snprintf(note, len, "; %d temporar%s removed, then its folder %s, empty", removed,
                 removed == 1 ? "y" : "ies", real);
    else
        snprintf(note, len,
                 "; %d temporar%s removed from its folder %s, %zu other files left there", removed,
                 removed == 1 ? "y" : "ies", real, others);
}

/* Close one dead API export: its folder cleared, its export.failed row, its log line. */
static void dead_close(struct store *s, const struct store_audit *start, const char *export_dir,
                       int64_t now_ms)
{
    char note[PATH_MAX + 768], why[sizeof(note) + 96];
    long long rid = 0;
    struct cw_err err;

    sscanf(start->subject, "request %lld", &rid);
    dead_clear_folder(s, start, export_dir, note, sizeof(note));
    snprintf(why, sizeof(why), "%s%s", DEAD_WHY, note);
    if (export_audit_failed(s, rid, start->id, start->actor, start->detail, why, now_ms, &err) !=
        0) {
        log_warnx("api: export %s of request %lld by %s (audit row %lld) never ended; its "
                  "export.failed row was not written (audit verify lists it): %s%s",
                  start->detail, rid, start->actor, (long long)start->id, err.msg, note);
        return;
    }
    log_warnx("api: export %s of request %lld by %s (audit row %lld) never ended: %s; its "
              "export.failed row written",
              start->detail, rid, start->actor, (long long)start->id, why);
}

void api_exports_close_dead(struct store *s, const char *export_dir, int64_t now_ms)
{
    struct store_audit *open = NULL;
    struct cw_err err;
    size_t n = 0;

    if (store_audit_unfinished_exports(s, &open, &n, &err) != 0) {
        log_warnx("api: the exports a camwatchd before this one left unended were not looked "
                  "for: %s",
                  err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (api_export_id_valid(open[i].detail)) /* a CLI export's where is its folder */
            dead_close(s, &open[i], export_dir, now_ms);
    free(open);
}
