/* tzif.h - a TZif file (RFC 8536: the compiled IANA zone files under /usr/share/zoneinfo) read
 * into the UTC offsets a zone has over a span of time: its transitions, then, past the last
 * one, those of the POSIX TZ rule in its footer ("CET-1CEST,M3.5.0,M10.5.0/3"). No I/O, no
 * TZ, no libc zone state: any thread (zone.c reads the file). */
#ifndef CW_TZIF_H
#define CW_TZIF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TZIF_MAX_BYTES (256 * 1024) /* the largest zone file is ~4 KiB */

/* Called with the offset (seconds east of UTC) in force from UTC second at_s on: first for
 * from_s itself, then for each change after it up to to_s, in order. Returns 0, or -1 to stop
 * (tzif_read then fails "out of memory"). */
typedef int (*tzif_emit_fn)(void *data, int64_t at_s, int32_t off_s);

/* Read len bytes of a TZif file (version 1 to 4; the 64-bit data of version 2 and later) and
 * emit its offsets over [from_s, to_s]. Refuses, saying why: not TZif, a version it does not
 * know, counts the file cannot hold, a transition out of order or of an unknown type, an
 * offset beyond 26 hours, a footer that is not a POSIX TZ rule. Returns 0, or -1 with err. */
int tzif_read(const unsigned char *buf, size_t len, int64_t from_s, int64_t to_s, tzif_emit_fn emit,
              void *data, struct cw_err *err);

#endif
