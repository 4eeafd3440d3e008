/* cwtime.c - clocks, durations and local-time formatting. The zone
 * functions set TZ for the process: loop thread or CLI only. */
#define _GNU_SOURCE
#include "cwtime.h"
#include "err.h"

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

double cw_mono_s(void)
{
    return (double)cw_mono_ms() / 1000.0;
}

int64_t cw_clock_wall_ms(const struct cw_clock *c)
{
    return c != NULL && c->wall_ms != NULL ? c->wall_ms(c->data) : cw_now_ms();
}

int64_t cw_clock_mono_ms(const struct cw_clock *c)
{
    return c != NULL && c->mono_ms != NULL ? c->mono_ms(c->data) : cw_mono_ms();
}

int64_t cw_clock_offset_ms(const struct cw_clock *c)
{
    return cw_clock_wall_ms(c) - cw_clock_mono_ms(c);
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

void cw_tz_use(const char *tz)
{
    tz_set(tz);
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

int cw_time_lacks_unit(const char *s)
{
    if (s == NULL || *s++ != '-' || !isdigit((unsigned char)*s))
        return 0;
    while (isdigit((unsigned char)*s))
        s++;
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* "now" or "-7d": a unit is required, for "-7" read as seconds (the duration's bare number,
 * right for a configuration's timeouts) was taken for 7 days. */
static int parse_relative(const char *s, int64_t now_ms, int64_t *out)
{
    int64_t d;

    if (strcmp(s, "now") == 0) {
        *out = now_ms;
        return 0;
    }
    if (s[0] == '-' && s[1] != ' ' && !cw_time_lacks_unit(s) &&
        cw_parse_duration_ms(s + 1, &d) == 0) {
        *out = now_ms - d;
        return 0;
    }
    return -1;
}

int64_t cw_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cw_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cw_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return days[m - 1] + (m == 2 && cw_leap_year(y));
}

/* A calendar time's fields as struct tm wants them (month 1-12 in, 0-11 out). */
static struct tm tm_of(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};

    return tm;
}

int64_t cw_secs_from_civil(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = tm_of(y, mo, d, h, mi, s);

    return (int64_t)timegm(&tm);
}

/* Exactly n decimal digits at *p: their value, with *p moved past them; -1 when they are not
 * there (a sign, a space or a short field is not a number here). */
static int take_digits(const char **p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

/* c at *p: 1 with *p moved past it, else 0. */
static int take_char(const char **p, char c)
{
    if (**p != c)
        return 0;
    (*p)++;
    return 1;
}

/* A fraction of a second at *p, if any: '.' and one or more digits (any number of them), into
 * *ms truncated to the millisecond, so never later than written (".9999" is 999 ms); *p moved
 * past. No '.': *ms 0. Returns 0, or -1 for a '.' without a digit. A comma, which ISO 8601
 * also allows, is not taken: RFC 3339 and xs:dateTime (what we write, what recorders answer)
 * have none, and a comma separates the API's and the CLI's lists. */
static int take_fraction(const char **p, int *ms)
{
    int digits = 0;

    *ms = 0;
    if (!take_char(p, '.'))
        return 0;
    for (; **p >= '0' && **p <= '9'; (*p)++, digits++)
        if (digits < 3)
            *ms = *ms * 10 + (**p - '0');
    if (digits == 0)
        return -1;
    for (; digits < 3; digits++)
        *ms *= 10;
    return 0;
}

/* "YYYY-MM-DD" then optionally " HH:MM" or "THH:MM", then optionally ":SS" with a fraction
 * (take_fraction) into *frac_ms (else 0), into tm; *p moved past. Every field has its digits
 * and is in range. Returns 0 or -1. */
static int take_date_time(const char **p, struct tm *tm, int *frac_ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;

    *frac_ms = 0;
    if ((y = take_digits(p, 4)) < 0 || !take_char(p, '-') || (mo = take_digits(p, 2)) < 0 ||
        !take_char(p, '-') || (d = take_digits(p, 2)) < 0)
        return -1;
    if (take_char(p, ' ') || take_char(p, 'T')) {
        if ((h = take_digits(p, 2)) < 0 || !take_char(p, ':') || (mi = take_digits(p, 2)) < 0)
            return -1;
        if (take_char(p, ':') && ((sec = take_digits(p, 2)) < 0 || take_fraction(p, frac_ms) != 0))
            return -1;
    }
    /* 2021-02-31 is no date; mktime would quietly make it 3 March. */
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > cw_days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    *tm = tm_of(y, mo, d, h, mi, sec);
    return 0;
}

/* "Z" (0) or "+HH:MM" / "-HH:MM" at *p into *off_s (east of UTC), *p moved past; offsets in
 * use run from -12:00 to +14:00. Returns 0, or -1 when *p holds neither. */
static int take_offset(const char **p, int *off_s)
{
    int sign, oh, om;

    if (take_char(p, 'Z')) {
        *off_s = 0;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return -1;
    sign = *(*p)++ == '+' ? 1 : -1;
    if ((oh = take_digits(p, 2)) < 0 || !take_char(p, ':') || (om = take_digits(p, 2)) < 0 ||
        oh > 14 || om > 59)
        return -1;
    *off_s = sign * (oh * 3600 + om * 60);
    return 0;
}

int cw_parse_iso_utc(const char *text, int64_t *ms)
{
    const char *p = text;
    struct tm tm;
    int frac_ms, off_s = 0;
    time_t t;

    /* "YYYY-MM-DDTHH:MM:SS", the T and the seconds required (the fraction follows them) */
    if (take_date_time(&p, &tm, &frac_ms) != 0 || p - text < 19 || text[10] != 'T' ||
        tm.tm_year < 70)
        return -1;
    if ((*p != '\0' && take_offset(&p, &off_s) != 0) || *p != '\0' ||
        (t = timegm(&tm)) == (time_t)-1)
        return -1;
    *ms = ((int64_t)t - off_s) * 1000 + frac_ms;
    return 0;
}

int cw_parse_time_at(const char *s, const char *tz, int64_t now_ms, int64_t *out)
{
    struct tm tm;
    const char *p = s;
    int off_s, frac_ms;
    time_t t;

    if (parse_relative(s, now_ms, out) == 0)
        return 0;
    if (take_date_time(&p, &tm, &frac_ms) != 0)
        return -1;
    if (*p == '\0') {
        tz_set(tz);
        tm.tm_isdst = -1;
        t = mktime(&tm);
    } else if (take_offset(&p, &off_s) == 0 && *p == '\0') {
        t = timegm(&tm) - off_s;
    } else {
        return -1;
    }
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t * 1000 + frac_ms;
    return 0;
}

int cw_parse_time(const char *s, const char *tz, int64_t *out)
{
    return cw_parse_time_at(s, tz, cw_now_ms(), out);
}

int cw_start_of_month(const char *tz, int64_t now_ms, int64_t *out)
{
    char buf[64];

    cw_format_local(now_ms, tz, buf, sizeof(buf));
    memcpy(buf + 8, "01", 3); /* "YYYY-MM-DD ..." -> "YYYY-MM-01" */
    return cw_parse_time(buf, tz, out);
}

int cw_time_refuse(const char *s, const char *field, struct cw_err *err)
{
    if (cw_time_lacks_unit(s))
        return cw_err_set(
            err, NULL, 0, field,
            "bad time '%.64s': a relative time needs its unit: ms, s, m, h or d (e.g. %.32sd)", s,
            s);
    return cw_err_set(err, NULL, 0, field, "bad time '%.64s' (%s)", s, CW_TIME_FORMS);
}

int cw_range_at(const char *from, const char *to, const char *tz, int64_t now_ms, const char *opt,
                int64_t *from_ms, int64_t *to_ms, struct cw_err *err)
{
    if (from != NULL && cw_parse_time_at(from, tz, now_ms, from_ms) != 0)
        return cw_time_refuse(from, "from", err);
    *to_ms = now_ms;
    if (to != NULL && cw_parse_time_at(to, tz, now_ms, to_ms) != 0)
        return cw_time_refuse(to, "to", err);
    if (*from_ms > now_ms)
        return cw_err_set(err, NULL, 0, "from", "'%.64s' is in the future",
                          from != NULL ? from : "the default");
    if (*to_ms > now_ms)
        *to_ms = now_ms;
    if (*from_ms >= *to_ms)
        return cw_err_set(err, NULL, 0, "from", "must be before %sto", opt);
    return 0;
}
