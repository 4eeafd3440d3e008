/* uptime.h - exact time-in-state arithmetic over event intervals. Pure: no
 * store, no clock; the store feeds it events and the range. */
#ifndef CW_UPTIME_H
#define CW_UPTIME_H

#include <stdint.h>

#include "../util/state.h"

struct uptime_event {
    int64_t at_ms;
    enum cw_state to;
};

/* Add to ms[state] the time spent in each state within [from_ms, to_ms), given that the
 * camera came into existence at created_ms in state CW_UNKNOWN and then changed state at each
 * event (sorted by at_ms). Time before created_ms is not counted. *outages counts events into
 * CW_DOWN inside the range. Returns 0, or -1 when from_ms > to_ms or events are unsorted. */
int uptime_accumulate(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                      int64_t to_ms, int64_t ms[5], int *outages);

#endif
