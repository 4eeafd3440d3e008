/* uptime.h - exact time-in-state arithmetic over event intervals. Pure: no
 * store, no clock; the store feeds it events and the range. */
#ifndef CW_UPTIME_H
#define CW_UPTIME_H

#include <stdint.h>

#include "../util/state.h"

struct uptime_event {
    int64_t at_ms;
    enum cw_state to;
    unsigned kinds; /* reason_kinds() of the event's reason, when the caller wants them */
};

/* One spell of a camera's life in one state: from the event that began it (or the camera's
 * creation) to the next change of state. Events into the state the camera is already in
 * continue the spell (their kinds are added to it). */
struct uptime_spell {
    enum cw_state state;
    int64_t began_ms;         /* when it began; before the range for a spell already under way */
    int64_t start_ms, end_ms; /* its part inside the range (start_ms == end_ms: none, or an
                                 instant at the range's start) */
    int began_inside;         /* it began within the range */
    int ended;                /* a change of state within the range ended it at end_ms; 0 when
                                 it lasts to the range's end */
    unsigned kinds;           /* kinds of the events that began and continued it */
};

/* Call fn for each spell of a camera that came into existence at created_ms in state
 * CW_UNKNOWN and then changed state at each event (sorted by at_ms), that overlaps the range
 * [from_ms, to_ms) or begins inside it, in time order. Time before created_ms is not in the
 * range (an event before it only sets the state to start from). Returns 0, or -1 when
 * from_ms > to_ms or events are unsorted (fn is not called). */
int uptime_walk(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                int64_t to_ms, void (*fn)(void *data, const struct uptime_spell *sp), void *data);

/* Add to ms[state] the time spent in each state within [from_ms, to_ms), as uptime_walk sees
 * it. *outages (may be NULL) counts the DOWN spells that begin inside the range. Returns 0, or
 * -1 as uptime_walk. */
int uptime_accumulate(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                      int64_t to_ms, int64_t ms[5], int *outages);

#endif
