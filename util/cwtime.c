/* cwtime.c - clocks, durations and local-time formatting. The zone
 * functions set TZ for the process: loop thread or CLI only. */
#define _GNU_SOURCE
#include "cwtime.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t cw_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cw_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cw_parse_duration_ms(const char *s, int64_t *out)
{
    char *end;
    long long v;
    int64_t mult;

    if (s == NULL)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (strncmp(end, "ms", 2) == 0) {
        mult = 1;
        end += 2;
    } else if (*end == 's') {
        mult = 1000;
        end++;
    } else if (*end == 'm') {
        mult = 60 * 1000;
        end++;
    } else if (*end == 'h') {
        mult = 3600 * 1000;
        end++;
    } else if (*end == 'd') {
        mult = 86400 * 1000;
        end++;
    } else if (*end == '\0') {
        mult = 1000;
    } else {
        return -1;
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0' || v > INT64_MAX / mult)
        return -1;
    *out = (int64_t)v * mult;
    return 0;
}

static void tz_set(const char *tz)
{
    const char *want = tz && *tz ? tz : CW_DEFAULT_TZ;
    const char *cur = getenv("TZ");

    if (cur == NULL || strcmp(cur, want) != 0) {
        setenv("TZ", want, 1);
        tzset();
    }
}

const char *cw_format_local(int64_t ms, const char *tz, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    tz_set(tz);
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

const char *cw_format_iso(int64_t ms, const char *tz, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char zone[40];
    long off;

    tz_set(tz);
    localtime_r(&t, &tm);
    off = tm.tm_gmtoff / 60;
    snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60,
             labs(off) % 60);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (strlen(buf) + strlen(zone) < len)
        strcat(buf, zone);
    return buf;
}

const char *cw_format_rfc5322(int64_t ms, const char *tz, char *buf, size_t len)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    long off;

    tz_set(tz);
    localtime_r(&t, &tm);
    off = tm.tm_gmtoff / 60;
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
    return buf;
}

static int parse_relative(const char *s, int64_t *out)
{
    int64_t d;

    if (strcmp(s, "now") == 0) {
        *out = cw_now_ms();
        return 0;
    }
    if (s[0] == '-' && s[1] != ' ' && cw_parse_duration_ms(s + 1, &d) == 0) {
        *out = cw_now_ms() - d;
        return 0;
    }
    return -1;
}

/* 2021-02-31 is no date; mktime would quietly make it 3 March. */
static int date_exists(int y, int mo, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return d <= days[mo - 1] + (mo == 2 && leap);
}

int cw_parse_time(const char *s, const char *tz, int64_t *out)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
    const char *rest;
    time_t t;

    if (parse_relative(s, out) == 0)
        return 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    rest = s + n;
    if (*rest == ' ' || *rest == 'T') {
        n = 0;
        if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
            return -1;
        rest += 1 + n;
        if (*rest == ':') {
            n = 0;
            if (sscanf(rest + 1, "%2d%n", &sec, &n) != 1)
                return -1;
            rest += 1 + n;
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (!date_exists(y, mo, d))
        return -1;
    if (*rest == '\0') {
        tz_set(tz);
        tm.tm_isdst = -1;
        t = mktime(&tm);
    } else if (strcmp(rest, "Z") == 0) {
        t = timegm(&tm);
    } else if ((rest[0] == '+' || rest[0] == '-') && sscanf(rest + 1, "%2d:%2d", &oh, &om) == 2 &&
               strlen(rest) == 6) {
        t = timegm(&tm) - (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t * 1000;
    return 0;
}
