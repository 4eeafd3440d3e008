/* zone.c - a zone's UTC offsets as a table of transitions (zone.h). Owns the table; loading
 * sets TZ (one thread), reading is any thread's.
 *
 * The table comes from the C library's own reading of the zone: localtime_r is asked for the
 * offset once a day over the covered years, and each change is narrowed to its second by
 * bisection. Two changes within one day would be seen as none; no zone has done that since
 * 1970. */
#define _GNU_SOURCE
#include "zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cwtime.h"

#define ZONE_STEP_S 86400       /* how often the offset is asked while building */
#define ZONE_SPAN_S (14 * 3600) /* furthest any zone is from UTC (Kiribati, +14 h) */

struct cw_zone {
    char name[128];
    size_t n;       /* transitions; at least one */
    int64_t *at_s;  /* at_s[i]: first UTC second of off_s[i]; at_s[0] is the start of the table */
    int32_t *off_s; /* seconds east of UTC */
};

static int32_t zone_libc_offset(time_t t)
{
    struct tm tm;

    localtime_r(&t, &tm);
    return (int32_t)tm.tm_gmtoff;
}

static time_t zone_year_start(int year)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mday = 1};

    return timegm(&tm);
}

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

int cw_zone_load(const char *name, struct cw_zone **out, struct cw_err *err)
{
    struct cw_zone *z = calloc(1, sizeof(*z));
    time_t first = zone_year_start(CW_ZONE_FIRST_YEAR), last = zone_year_start(CW_ZONE_LAST_YEAR);
    size_t cap = 0;
    int32_t cur;

    *out = NULL;
    if (z == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    snprintf(z->name, sizeof(z->name), "%s", name != NULL && name[0] ? name : CW_DEFAULT_TZ);
    setenv("TZ", z->name, 1);
    tzset();
    cur = zone_libc_offset(first);
    if (zone_push(z, &cap, first, cur) != 0)
        goto oom;
    for (time_t t = first + ZONE_STEP_S; t <= last; t += ZONE_STEP_S) {
        int32_t o = zone_libc_offset(t);
        time_t lo = t - ZONE_STEP_S, hi = t;

        if (o == cur)
            continue;
        while (hi - lo > 1) {
            time_t mid = lo + (hi - lo) / 2;
            if (zone_libc_offset(mid) == cur)
                lo = mid;
            else
                hi = mid;
        }
        if (zone_push(z, &cap, hi, o) != 0)
            goto oom;
        cur = o;
    }
    *out = z;
    return 0;
oom:
    cw_zone_free(z);
    return cw_err_set(err, NULL, 0, NULL, "out of memory");
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
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    int64_t local = (int64_t)timegm(&tm), best = INT64_MAX;
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
