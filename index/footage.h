/* footage.h - what footage a camera has over a time range, from its segments: merged windows
 * of recording (segments contiguous within a tolerance) and the gaps between them, and when a
 * time will be overwritten, from how fast the camera's oldest footage has been advancing.
 * Pure functions on memory; any thread. */
#ifndef CW_FOOTAGE_H
#define CW_FOOTAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store_footage.h"

struct footage_span {
    int64_t start_ms, end_ms;
};

/* The windows and gaps of [from_ms, to_ms) given the camera's segments overlapping it, sorted
 * by start (store_footage_segments): readable segments merged where they overlap or the hole
 * between them is at most tolerance_ms, windows cut to the range; gaps are the rest of the
 * range. Unreadable segments are not footage. *windows and *gaps malloc'd (caller frees;
 * NULL when none). Returns 0, or -1 when out of memory. */
int footage_merge(const struct store_segment_row *seg, size_t n, int64_t from_ms, int64_t to_ms,
                  int64_t tolerance_ms, struct footage_span **windows, size_t *n_windows,
                  struct footage_span **gaps, size_t *n_gaps);

/* The pace of overwriting: footage ms lost per ms of time, measured between the first
 * retention note of the week and the last refresh; 0 when nothing was overwritten since (the
 * recorder is not full yet), -1 when not measured (no note, or no time between). */
double footage_pace(const struct store_footage_camera *fc);

/* When footage at t_ms will be overwritten at that pace: t's distance from the oldest footage
 * over the pace, from the last refresh. 0 when not known (no pace, or nothing overwritten
 * yet); the last refresh's time when t is older than the oldest footage (gone already). */
int64_t footage_overwritten_at(const struct store_footage_camera *fc, int64_t t_ms);

#endif
