/* cwtime.h - time as UTC epoch milliseconds, durations, and local-time display
 * in a named zone (default Asia/Ho_Chi_Minh). */
#ifndef CW_TIME_H
#define CW_TIME_H

#include <stddef.h>
#include <stdint.h>

#define CW_DEFAULT_TZ "Asia/Ho_Chi_Minh"

int64_t cw_now_ms(void);  /* wall clock, UTC epoch ms */
int64_t cw_mono_ms(void); /* monotonic ms, for latencies */
double cw_mono_s(void);   /* the same in seconds, as libev counts durations */

/* The daemon's two clocks, injectable so tests can step one without the other and without
 * sleeping. Wall time (cw_now_ms) is what is stored and shown: event times, a state's since.
 * Monotonic time (cw_mono_ms) is what durations and deadlines are measured on: intervals,
 * timeouts, holds, backoff. The wall clock may be stepped (NTP after a boot with a wrong
 * hardware clock, an admin setting the time); the monotonic one never goes back. A NULL
 * clock, or a NULL function in it, reads the system's. */
struct cw_clock {
    int64_t (*wall_ms)(void *data); /* UTC epoch ms */
    int64_t (*mono_ms)(void *data); /* ms from any fixed point */
    void *data;
};

int64_t cw_clock_wall_ms(const struct cw_clock *c);
int64_t cw_clock_mono_ms(const struct cw_clock *c);
/* How far the wall clock runs ahead of the monotonic one: unchanged but for steps (and a
 * slew of at most half a millisecond a second), so a change of it is a step of the wall clock. */
int64_t cw_clock_offset_ms(const struct cw_clock *c);

/* Parse "250ms", "30s", "5m", "2h", "1d" or a bare number of seconds. Returns 0, or -1 on
 * anything else (empty, negative, trailing junk, overflow). */
int cw_parse_duration_ms(const char *s, int64_t *out);

/* Make tz (NULL: the default) the process's zone now: setenv("TZ") and tzset(), which no
 * other thread may run beside (getenv and localtime read them). The daemon calls it before
 * its threads start; the formatting and parsing below then leave TZ alone as long as they are
 * given the same zone. */
void cw_tz_use(const char *tz);

/* Format ms as "YYYY-MM-DD HH:MM:SS" in zone tz (NULL: default zone). Not thread-safe:
 * it sets TZ; call from one thread (the CLI, or the loop thread). */
const char *cw_format_local(int64_t ms, const char *tz, char *buf, size_t len);

/* Format ms as ISO 8601 with offset in zone tz, e.g. "2026-11-25T20:16:23+07:00". */
const char *cw_format_iso(int64_t ms, const char *tz, char *buf, size_t len);

/* Format ms as an e-mail's Date (RFC 5322 3.3) in zone tz, e.g. "Wed, 25 Nov 2026 20:16:23
 * +0700": English names whatever the locale. */
const char *cw_format_rfc5322(int64_t ms, const char *tz, char *buf, size_t len);

/* Days from 1970-01-01 to y-m-d (month 1-12) in the proleptic Gregorian calendar, any year.
 * Any thread. */
int64_t cw_days_from_civil(int64_t y, int m, int d);
/* The epoch second of a calendar time read as UTC (month 1-12); fields out of range normalise
 * as timegm(3) does. Any thread. */
int64_t cw_secs_from_civil(int y, int mo, int d, int h, int mi, int s);
/* 1 when y is a leap year of that calendar, else 0. Any thread. */
int cw_leap_year(int64_t y);
/* The days of month m (1-12) of year y: 28 to 31. Any thread. */
int cw_days_in_month(int64_t y, int m);

/* An ISO 8601 / xs:dateTime "2026-11-20T14:00:00Z", with a fraction, an offset "+07:00", or no
 * zone (read as UTC), as UTC epoch ms. Returns 0, or -1 when it is not one. Any thread. */
int cw_parse_iso_utc(const char *text, int64_t *ms);

/* Parse a local time in zone tz: "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM:SS",
 * or an ISO string with "Z" / "+HH:MM"; seconds may carry a fraction ("07:25:00.5",
 * ".500", ".123456": '.' and any digits, none after it refused, a ',' too) read to the
 * millisecond, later digits dropped (never later than written). Also accepts "now", and
 * relative "-7d", "-2h" from now, with their unit (ms, s, m, h, d): "-7" is refused
 * (cw_time_lacks_unit). Strict: every field has exactly its digits (no sign, no space), is in
 * range and names a day that exists; an offset is at most 14:00 (minutes below 60). Returns 0
 * or -1. */
int cw_parse_time(const char *s, const char *tz, int64_t *out);
/* The same, with "now" and relative times taken from now_ms: a command that reads several
 * times (--from -1ms --to now) reads them against one now. */
int cw_parse_time_at(const char *s, const char *tz, int64_t now_ms, int64_t *out);
/* 00:00 in zone tz on the first of the month containing now_ms (reports' default start). */
int cw_start_of_month(const char *tz, int64_t now_ms, int64_t *out);

/* 1 when s is a relative time without its unit ("-7"), which cw_parse_time refuses: a bare
 * number of seconds is a duration's (the configuration's timeouts), never a relative time's,
 * where "-7" was meant as 7 days. Else 0. */
int cw_time_lacks_unit(const char *s);

/* The forms cw_parse_time reads, for a message refusing a time. */
#define CW_TIME_FORMS                                                                              \
    "YYYY-MM-DD[ HH:MM[:SS[.mmm]]] in the site's zone, ISO 8601 with Z or +HH:MM, now, or -7d / "  \
    "-2h / -30m"

struct cw_err;
/* s refused as a time, in err's field: "bad time 's': a relative time needs its unit: ..." for
 * one without its unit ("-7"), else "bad time 's' (the forms)". Returns -1. The CLI, the API
 * and the documents all say it so. */
int cw_time_refuse(const char *s, const char *field, struct cw_err *err);

/* A range to count over, read as every command and endpoint reads one (uptime, reports):
 * from and to against the one now_ms; from NULL leaves *from_ms as the caller set it (its
 * default), to NULL is now; a to after now counts up to now, since what has not happened is
 * not known; a from after now, or not before to, is refused. opt goes before the names in
 * messages ("--" for the CLI's options, "" for the API's parameters). Returns 0, or -1 with
 * err's field "from" or "to" and a message that does not repeat it. Loop thread or CLI
 * (it reads the zone). */
int cw_range_at(const char *from, const char *to, const char *tz, int64_t now_ms, const char *opt,
                int64_t *from_ms, int64_t *to_ms, struct cw_err *err);

#endif
