/* zone.h - a time zone as a table of its UTC offsets, so any thread can convert between UTC
 * and the zone's wall-clock time. The C library converts only in the process's zone (TZ),
 * which no thread may change beside others; the table is read from the zone's own file
 * (/usr/share/zoneinfo, tzif.h) by any thread, and is plain read-only memory afterwards.
 *
 * Used where times meet a zone off the loop: a recorder's file names in its own zone (footage
 * scans on the worker pool) and the local times in an evidence manifest (exports on the pool). */
#ifndef CW_ZONE_H
#define CW_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The years the table covers; outside them the nearest end's offset holds. */
#define CW_ZONE_FIRST_YEAR 1970
#define CW_ZONE_LAST_YEAR 2100

struct cw_zone;

/* Build the table of zone name (an IANA name such as "Asia/Ho_Chi_Minh", as the config checked
 * it; NULL or "": CW_DEFAULT_TZ) from /usr/share/zoneinfo/NAME. Any thread; TZ is left alone.
 * Caller frees with cw_zone_free. */
int cw_zone_load(const char *name, struct cw_zone **out, struct cw_err *err);

/* The same from a zone file's len bytes already read (a TZif file, tzif.h), named name. */
int cw_zone_parse(const char *name, const unsigned char *buf, size_t len, struct cw_zone **out,
                  struct cw_err *err);
void cw_zone_free(struct cw_zone *z); /* accepts NULL */

/* The zone's name as loaded. Borrowed. */
const char *cw_zone_name(const struct cw_zone *z);

/* Seconds east of UTC in force at utc_ms (Asia/Ho_Chi_Minh: 25200). Any thread. */
int32_t cw_zone_offset_s(const struct cw_zone *z, int64_t utc_ms);

/* The UTC epoch ms of a wall-clock time in the zone (fields as people write them: month 1-12).
 * A time the zone passes twice (the hour a clock is set back) is its first passage; a time it
 * skips (the hour set forward) is read with the offset before the jump. Fields out of range
 * normalise as timegm(3) does; the caller checks them. Any thread. */
int64_t cw_zone_to_utc(const struct cw_zone *z, int year, int month, int day, int hour, int min,
                       int sec);

/* ms as wall-clock time in the zone, formatted by strftime(3)'s fmt (no %Z or %z: the zone's
 * name and offset are not in the struct tm it fills). Returns buf. Any thread. */
const char *cw_zone_strftime(const struct cw_zone *z, int64_t ms, const char *fmt, char *buf,
                             size_t len);

/* ms as ISO 8601 with the zone's offset, "2026-11-20T21:00:00+07:00" (whole seconds). Returns
 * buf. Any thread. */
const char *cw_zone_format_iso(const struct cw_zone *z, int64_t ms, char *buf, size_t len);

#endif
