/* tzif.c - a TZif file's offsets over a span (tzif.h), as RFC 8536 lays the file out:
 *
 *   header (44 bytes: "TZif", version, 15 unused, six big-endian 32-bit counts)
 *   version 1 data (32-bit times)    -- skipped when a version 2+ block follows
 *   header again, version 2+ data (64-bit times: transitions, their types, the types'
 *   offsets, designations, leap seconds, standard/UT indicators)
 *   footer: "\n" POSIX TZ rule "\n", for every time after the last transition
 *
 * Owns nothing past a call. Any thread. */
#include "tzif.h"

#include <string.h>

#include "cwtime.h"

#define TZIF_HEADER 44
#define TZIF_TTINFO 6
#define TZIF_MAX_TIMES 100000
#define TZIF_MAX_TYPES 256
#define TZIF_MAX_CHARS 65536
#define TZIF_MAX_OFFSET (26 * 3600 - 1) /* RFC 8536: -25:59:59 to +25:59:59 */
#define TZIF_DAY 86400
#define TZIF_LAST_YEAR 2200 /* a footer rule is followed at most this far */

struct counts {
    uint32_t isut, isstd, leap, time, type, chr;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The header at off: its version (0 for version 1, else 2, 3, 4) and counts. */
static int header(const unsigned char *buf, size_t len, size_t off, int *version, struct counts *c,
                  struct cw_err *err)
{
    const unsigned char *h = buf + off;

    if (len < off || len - off < TZIF_HEADER || memcmp(h, "TZif", 4) != 0)
        return cw_err_set(err, NULL, 0, NULL, "not a TZif file");
    if (h[4] != 0 && (h[4] < '2' || h[4] > '4'))
        return cw_err_set(err, NULL, 0, NULL, "TZif version %d not known", h[4]);
    *version = h[4] == 0 ? 1 : h[4] - '0';
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chr = be32(h + 40);
    if (c->type == 0 || c->type > TZIF_MAX_TYPES || c->time > TZIF_MAX_TIMES ||
        c->chr > TZIF_MAX_CHARS || c->leap > TZIF_MAX_TIMES ||
        (c->isut != 0 && c->isut != c->type) || (c->isstd != 0 && c->isstd != c->type))
        return cw_err_set(err, NULL, 0, NULL, "TZif counts out of range");
    return 0;
}

/* Bytes of the data block after a header with counts c and times of tsize bytes. */
static size_t block_len(const struct counts *c, size_t tsize)
{
    return (size_t)c->time * tsize + c->time + (size_t)c->type * TZIF_TTINFO + c->chr +
           (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* ---- the footer: a POSIX TZ rule ---- */

struct rule_date {
    char kind; /* 'J' (1-365, no Feb 29), 'D' (0-365), 'M' (month.week.day) */
    int a, b, c;
    int32_t time_s; /* local time of the change, seconds (may be negative or past 24 h) */
};

struct rule {
    int32_t std_off, dst_off; /* east of UTC */
    int has_dst;
    struct rule_date start, end;
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A zone designation: 3+ letters, or <...> of letters, digits, + and -. */
static const char *rule_name(const char *p)
{
    const char *s = p;

    if (*p == '<') {
        for (p++; is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-'; p++)
            ;
        return *p == '>' && p - s >= 4 ? p + 1 : NULL;
    }
    while (is_alpha(*p))
        p++;
    return p - s >= 3 ? p : NULL;
}

static const char *rule_number(const char *p, int max, int *v)
{
    int n = 0, digits = 0;

    for (; is_digit(*p) && digits < 3; p++, digits++)
        n = n * 10 + (*p - '0');
    if (digits == 0 || n > max)
        return NULL;
    *v = n;
    return p;
}

/* [+-]hh[:mm[:ss]], hh at most max_h; seconds into *v. */
static const char *rule_time(const char *p, int max_h, int32_t *v)
{
    int sign = 1, h, m = 0, s = 0;

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if ((p = rule_number(p, max_h, &h)) == NULL)
        return NULL;
    if (*p == ':' && (p = rule_number(p + 1, 59, &m)) != NULL && *p == ':')
        p = rule_number(p + 1, 59, &s);
    if (p == NULL)
        return NULL;
    *v = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *rule_date(const char *p, struct rule_date *d)
{
    d->time_s = 2 * 3600;
    if (*p == 'J') {
        d->kind = 'J';
        if ((p = rule_number(p + 1, 365, &d->a)) == NULL || d->a < 1)
            return NULL;
    } else if (*p == 'M') {
        d->kind = 'M';
        if ((p = rule_number(p + 1, 12, &d->a)) == NULL || d->a < 1 || *p != '.' ||
            (p = rule_number(p + 1, 5, &d->b)) == NULL || d->b < 1 || *p != '.' ||
            (p = rule_number(p + 1, 6, &d->c)) == NULL)
            return NULL;
    } else {
        d->kind = 'D';
        if ((p = rule_number(p, 365, &d->a)) == NULL)
            return NULL;
    }
    if (*p == '/')
        p = rule_time(p + 1, 167, &d->time_s);
    return p;
}

/* "std offset [dst [offset] [,start[/time],end[/time]]]", offsets west of UTC as POSIX has
 * them. A rule with DST but no dates is refused (tzdata always writes them). */
static int rule_parse(const char *s, struct rule *r)
{
    const char *p = rule_name(s);
    int32_t off;

    memset(r, 0, sizeof(*r));
    if (p == NULL || (p = rule_time(p, 24, &off)) == NULL)
        return -1;
    r->std_off = -off;
    if (*p == '\0')
        return 0;
    if ((p = rule_name(p)) == NULL)
        return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if ((p = rule_time(p, 24, &off)) == NULL)
            return -1;
        r->dst_off = -off;
    }
    if (*p != ',' || (p = rule_date(p + 1, &r->start)) == NULL || *p != ',' ||
        (p = rule_date(p + 1, &r->end)) == NULL || *p != '\0')
        return -1;
    return 0;
}

/* The day (days since 1970) a rule date falls on in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
    int64_t jan1 = cw_days_from_civil(y, 1, 1), first;
    int dim, wd, day;

    if (d->kind == 'J')
        return jan1 + d->a - 1 + (cw_leap_year(y) && d->a >= 60);
    if (d->kind == 'D')
        return jan1 + d->a;
    first = cw_days_from_civil(y, d->a, 1);
    dim = cw_days_in_month(y, d->a);
    wd = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    day = 1 + (d->c - wd + 7) % 7 + (d->b - 1) * 7;
    while (day > dim)
        day -= 7;
    return first + day - 1;
}

/* The rule's changes after last_s (and at most to_s), year by year. */
static int rule_emit(const struct rule *r, int64_t last_s, int64_t to_s, tzif_emit_fn emit,
                     void *data)
{
    int64_t y = 1970 + (last_s > 0 ? last_s / (365 * (int64_t)TZIF_DAY) - 1 : 0);

    if (!r->has_dst)
        return last_s < to_s ? emit(data, last_s + 1, r->std_off) : 0;
    for (; y <= TZIF_LAST_YEAR; y++) {
        int64_t on = rule_day(&r->start, y) * TZIF_DAY + r->start.time_s - r->std_off;
        int64_t off = rule_day(&r->end, y) * TZIF_DAY + r->end.time_s - r->dst_off;
        int64_t t[2] = {on < off ? on : off, on < off ? off : on};
        int32_t o[2] = {on < off ? r->dst_off : r->std_off, on < off ? r->std_off : r->dst_off};
        for (int i = 0; i < 2; i++) {
            if (t[i] > to_s)
                return 0;
            if (t[i] > last_s && emit(data, t[i], o[i]) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- the file ---- */

int tzif_read(const unsigned char *buf, size_t len, int64_t from_s, int64_t to_s, tzif_emit_fn emit,
              void *data, struct cw_err *err)
{
    struct counts c;
    int version;
    size_t off = 0, tsize = 4;
    const unsigned char *times, *idx, *types;
    int32_t cur;
    int64_t last = INT64_MIN;
    char footer[256];
    struct rule r;

    if (len > TZIF_MAX_BYTES)
        return cw_err_set(err, NULL, 0, NULL, "TZif file over %d bytes", TZIF_MAX_BYTES);
    if (header(buf, len, 0, &version, &c, err) != 0)
        return -1;
    if (version >= 2) {
        off = TZIF_HEADER + block_len(&c, 4);
        if (header(buf, len, off, &version, &c, err) != 0)
            return -1;
        tsize = 8;
    }
    off += TZIF_HEADER;
    if (len - off < block_len(&c, tsize))
        return cw_err_set(err, NULL, 0, NULL, "TZif data cut short");
    times = buf + off;
    idx = times + (size_t)c.time * tsize;
    types = idx + c.time;
    for (uint32_t k = 0; k < c.type; k++) {
        int32_t o = (int32_t)be32(types + (size_t)k * TZIF_TTINFO);
        if (o < -TZIF_MAX_OFFSET || o > TZIF_MAX_OFFSET || types[k * TZIF_TTINFO + 4] > 1)
            return cw_err_set(err, NULL, 0, NULL, "TZif type %u: offset %d s", k, o);
    }
    /* Before the first transition, type 0 holds. */
    cur = (int32_t)be32(types);
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t t = tsize == 8 ? be64(times + (size_t)i * 8) : (int32_t)be32(times + (size_t)i * 4);
        if (idx[i] >= c.type)
            return cw_err_set(err, NULL, 0, NULL, "TZif transition %u: no type %u", i, idx[i]);
        if (i > 0 && t <= last)
            return cw_err_set(err, NULL, 0, NULL, "TZif transition %u out of order", i);
        last = t;
        if (t <= from_s)
            cur = (int32_t)be32(types + (size_t)idx[i] * TZIF_TTINFO);
    }
    if (emit(data, from_s, cur) != 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t t = tsize == 8 ? be64(times + (size_t)i * 8) : (int32_t)be32(times + (size_t)i * 4);
        if (t > from_s && t <= to_s &&
            emit(data, t, (int32_t)be32(types + (size_t)idx[i] * TZIF_TTINFO)) != 0)
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    /* The footer, version 2 and later: "\n" rule "\n"; empty when the zone has no rule. */
    off += block_len(&c, tsize);
    if (tsize == 4 || off >= len)
        return 0;
    {
        const unsigned char *end;
        size_t n;
        if (buf[off] != '\n' || (end = memchr(buf + off + 1, '\n', len - off - 1)) == NULL)
            return cw_err_set(err, NULL, 0, NULL, "TZif footer not between newlines");
        n = (size_t)(end - (buf + off + 1));
        if (n == 0)
            return 0;
        if (n >= sizeof(footer) || memchr(buf + off + 1, '\0', n) != NULL)
            return cw_err_set(err, NULL, 0, NULL, "TZif footer too long");
        memcpy(footer, buf + off + 1, n);
        footer[n] = '\0';
    }
    if (rule_parse(footer, &r) != 0)
        return cw_err_set(err, NULL, 0, NULL, "TZif footer '%.60s' is not a POSIX TZ rule", footer);
    if (rule_emit(&r, last > from_s ? last : from_s, to_s, emit, data) != 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    return 0;
}
