/* segpattern.h - where a recorder puts its segment files: a pattern such as
 * "{camera}/%Y-%m-%d/%H-%M-%S.mp4", compiled once, then matched against the folders and files
 * a scan meets. A match says whose camera the file is ({camera}: an id or a channel name) and
 * when it began (the strftime fields, wall-clock time in the recorder's zone; the caller
 * converts). Pure functions on memory; a compiled pattern is read-only, any thread.
 *
 * Syntax, one component per folder level, separated by '/':
 *   {camera}   one or more characters: the camera's id or channel (at most once)
 *   %Y %y      year (4 digits; 2 digits meaning 20yy)     %m %d   month, day (2 digits)
 *   %j         day of the year (3 digits)                  %H %M %S  hour, minute, second
 *   %s         seconds since 1970 (UTC: no zone applies)   %%      a per cent sign
 *   *          any characters, none included
 *   other      itself
 * At most two variable-length parts ({camera}, *, %s) in one component. A time is all of a
 * date (%Y or %y with %m and %d, or with %j) and %H and %M (%S optional), or %s, or nothing
 * (the start then comes from the file's own metadata). A field written twice ("%Y/%Y%m%d")
 * must read the same both times. */
#ifndef CW_SEGPATTERN_H
#define CW_SEGPATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SEGPATTERN_MAX_LEN 512
#define SEGPATTERN_MAX_LEVELS 16
#define SEGPATTERN_CAMERA_MAX 64 /* longest {camera} text */

struct segpattern;

struct segpattern_match {
    char camera[SEGPATTERN_CAMERA_MAX]; /* "" when the pattern has no {camera} */
    int has_time;                       /* the pattern gives a wall-clock time, below */
    int year, month, day, hour, min, sec;
    int has_epoch; /* %s: epoch_s is UTC, no zone applies */
    int64_t epoch_s;
};

/* Compile pattern. Refused, with err's field "pattern" and a message naming the place: empty,
 * over SEGPATTERN_MAX_LEN, absolute, a "." or ".." or empty component, more than
 * SEGPATTERN_MAX_LEVELS levels, an unknown %X or {name}, {camera} twice, three variable parts
 * in one component, a partial time ("%H without a date"). Caller frees with segpattern_free. */
int segpattern_compile(const char *pattern, struct segpattern **out, struct cw_err *err);
void segpattern_free(struct segpattern *p); /* accepts NULL */

/* Levels (components) of the pattern: files sit at this depth, folders above it. */
int segpattern_levels(const struct segpattern *p);
/* Whether the pattern has {camera}, and a time. */
int segpattern_has_camera(const struct segpattern *p);
int segpattern_has_time(const struct segpattern *p);

/* Whether a folder or file named name can be at level (0-based) of a match: a folder at a
 * level below the last, a file at the last. A scan walks only folders that can. */
int segpattern_match_level(const struct segpattern *p, int level, const char *name);

/* Match a whole path relative to the recorder's folder ("CAM1/2026-11-20/21-00-00.mp4").
 * Returns 1 with *m filled when it matches (fields in range: month 1-12, day 1-31, hour 0-23,
 * minute 0-59, second 0-60, and a day of the year that exists), else 0. */
int segpattern_match(const struct segpattern *p, const char *path, struct segpattern_match *m);

#endif
