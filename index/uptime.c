/* uptime.c - exact time-in-state arithmetic over event intervals; see
 * uptime.h. Pure integer arithmetic on the caller's arrays: no state, no
 * allocation, any thread.
 *
 * A camera's life is a step function: UNKNOWN from created_ms, then the state
 * each event switches to. We walk the steps and add the part of each step that
 * falls inside [max(from, created), to). */
#include "uptime.h"

#include <stddef.h>

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Add the part of [start, end) that lies in [lo, hi) to ms[st]. */
static void add_overlap(int64_t ms[5], enum cw_state st, int64_t start, int64_t end, int64_t lo,
                        int64_t hi)
{
    int64_t a = max64(start, lo), b = min64(end, hi);

    if (b > a && (unsigned)st < 5)
        ms[st] += b - a;
}

int uptime_accumulate(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                      int64_t to_ms, int64_t ms[5], int *outages)
{
    int64_t lo = max64(from_ms, created_ms);
    int64_t at = created_ms;
    enum cw_state cur = CW_UNKNOWN;

    if (from_ms > to_ms || n < 0)
        return -1;
    for (int i = 1; i < n; i++)
        if (ev[i].at_ms < ev[i - 1].at_ms)
            return -1;
    for (int i = 0; i < n; i++) {
        /* An event before creation (a clock step) only sets the state to start from. */
        int64_t t = max64(ev[i].at_ms, created_ms);

        add_overlap(ms, cur, at, t, lo, to_ms);
        if (ev[i].to == CW_DOWN && cur != CW_DOWN && t >= lo && t < to_ms && outages != NULL)
            (*outages)++;
        cur = ev[i].to;
        at = t;
    }
    add_overlap(ms, cur, at, to_ms, lo, to_ms);
    return 0;
}
