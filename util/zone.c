/* zone.c - a zone's UTC offsets as a table of transitions (zone.h). Owns the table; loading
 * and reading are any thread's.
 *
 * The table comes from the zone's compiled file, /usr/share/zoneinfo/NAME (tzif.c): its
 * transitions, and past the last of them its footer's rule. The C library's zone (TZ) is
 * never touched: setting TZ beside threads that read it is undefined. */
#include "zone.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cwtime.h"
#include "tzif.h"

#define ZONE_DIR "/usr/share/zoneinfo"
#define ZONE_SPAN_S (14 * 3600) /* furthest any zone is from UTC (Kiribati, +14 h) */

struct cw_zone {
    char name[128];
    size_t n;       /* transitions; at least one */
    int64_t *at_s;  /* at_s[i]: first UTC second of off_s[i]; at_s[0] is the start of the table */
    int32_t *off_s; /* seconds east of UTC */
};

struct zone_build {
    struct cw_zone *z;
    size_t cap;
};

static int zone_push(struct cw_zone *z, size_t *cap, int64_t at, int32_t off)
{
    if (z->n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int64_t *a = realloc(z->at_s, c * sizeof(*a));
        int32_t *o;
        if (a == NULL)
            return -1;
        z->at_s = a;
        if ((o = realloc(z->off_s, c * sizeof(*o))) == NULL)
            return -1;
        z->off_s = o;
        *cap = c;
    }
    z->at_s[z->n] = at;
    z->off_s[z->n] = off;
    z->n++;
    return 0;
}

/* tzif_read's emit: append, keeping the table ascending and without repeats. */
static int zone_emit(void *data, int64_t at_s, int32_t off_s)
{
    struct zone_build *b = data;
    struct cw_zone *z = b->z;

    if (z->n > 0 && (at_s <= z->at_s[z->n - 1] || off_s == z->off_s[z->n - 1]))
        return 0;
    return zone_push(z, &b->cap, at_s, off_s);
}

/* The zone file of name, read whole into *buf (at most TZIF_MAX_BYTES). */
static int zone_file(const char *name, unsigned char **buf, size_t *len, struct cw_err *err)
{
    char path[512];
    struct stat st;
    ssize_t n;
    int fd;

    *buf = NULL;
    if (name[0] == '/' || strstr(name, "..") != NULL ||
        snprintf(path, sizeof(path), "%s/%s", ZONE_DIR, name) >= (int)sizeof(path))
        return cw_err_set(err, NULL, 0, NULL, "time zone '%.100s': not a zone name", name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return cw_err_set(err, path, 0, NULL, "time zone '%.100s': %s", name, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TZIF_MAX_BYTES ||
        (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return cw_err_set(err, path, 0, NULL, "time zone '%.100s': not a zone file", name);
    }
    n = read(fd, *buf, (size_t)st.st_size + 1);
    close(fd);
    if (n < 0 || n > st.st_size) {
        free(*buf);
        *buf = NULL;
        return cw_err_set(err, path, 0, NULL, "time zone '%.100s': cannot read it", name);
    }
    *len = (size_t)n;
    return 0;
}

int cw_zone_parse(const char *name, const unsigned char *buf, size_t len, struct cw_zone **out,
                  struct cw_err *err)
{
    struct cw_zone *z = calloc(1, sizeof(*z));
    struct zone_build b = {z, 0};
    struct cw_err terr;

    *out = NULL;
    if (z == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    snprintf(z->name, sizeof(z->name), "%s", name);
    if (tzif_read(buf, len, cw_secs_from_civil(CW_ZONE_FIRST_YEAR, 1, 1, 0, 0, 0),
                  cw_secs_from_civil(CW_ZONE_LAST_YEAR, 1, 1, 0, 0, 0), zone_emit, &b,
                  &terr) != 0) {
        cw_zone_free(z);
        return cw_err_set(err, NULL, 0, NULL, "time zone '%.100s': %s", name, terr.msg);
    }
    *out = z;
    return 0;
}

int cw_zone_load(const char *name, struct cw_zone **out, struct cw_err *err)
{
    const char *n = name != NULL && name[0] ? name : CW_DEFAULT_TZ;
    unsigned char *buf;
    size_t len;
    int rc;

    *out = NULL;
    if (zone_file(n, &buf, &len, err) != 0)
        return -1;
    rc = cw_zone_parse(n, buf, len, out, err);
    free(buf);
    return rc;
}

void cw_zone_free(struct cw_zone *z)
{
    if (z == NULL)
        return;
    free(z->at_s);
    free(z->off_s);
    free(z);
}

const char *cw_zone_name(const struct cw_zone *z)
{
    return z->name;
}

/* Floor division: -1 ms is in second -1. */
static int64_t zone_floor_s(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static int32_t zone_offset_at_s(const struct cw_zone *z, int64_t t)
{
    size_t lo = 0, hi = z->n; /* the last transition at or before t, else the first */

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at_s[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->off_s[lo];
}

int32_t cw_zone_offset_s(const struct cw_zone *z, int64_t utc_ms)
{
    return zone_offset_at_s(z, zone_floor_s(utc_ms));
}

int64_t cw_zone_to_utc(const struct cw_zone *z, int year, int month, int day, int hour, int min,
                       int sec)
{
    int64_t local = cw_secs_from_civil(year, month, day, hour, min, sec), best = INT64_MAX;
    /* The offsets that could be in force: those around the wall time, a zone's span apart. */
    int32_t cand[3] = {zone_offset_at_s(z, local - ZONE_SPAN_S), zone_offset_at_s(z, local),
                       zone_offset_at_s(z, local + ZONE_SPAN_S)};

    for (int i = 0; i < 3; i++) {
        int64_t u = local - cand[i];
        if (zone_offset_at_s(z, u) == cand[i] && u < best)
            best = u;
    }
    if (best == INT64_MAX) /* skipped by a jump forward: the offset before it */
        best = local - cand[0];
    return best * 1000;
}

const char *cw_zone_strftime(const struct cw_zone *z, int64_t ms, const char *fmt, char *buf,
                             size_t len)
{
    int64_t s = zone_floor_s(ms);
    time_t t = (time_t)(s + zone_offset_at_s(z, s));
    struct tm tm;

    gmtime_r(&t, &tm);
    if (len > 0 && strftime(buf, len, fmt, &tm) == 0)
        buf[0] = '\0';
    return buf;
}

const char *cw_zone_format_iso(const struct cw_zone *z, int64_t ms, char *buf, size_t len)
{
    int32_t off = cw_zone_offset_s(z, ms);
    int32_t a = off < 0 ? -off : off;
    char when[32];

    cw_zone_strftime(z, ms, "%Y-%m-%dT%H:%M:%S", when, sizeof(when));
    snprintf(buf, len, "%s%c%02d:%02d", when, off < 0 ? '-' : '+', (int)(a / 3600),
             (int)(a % 3600 / 60));
    return buf;
}
