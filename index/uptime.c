/* uptime.c - exact time-in-state arithmetic over event intervals; see
 * uptime.h. Pure integer arithmetic on the caller's arrays: no state, no
 * allocation, any thread.
 *
 * A camera's life is a step function: UNKNOWN from created_ms, then the state
 * each event switches to. We walk the steps, merge the ones that do not change
 * the state, and hand each spell with its part inside [max(from, created), to). */
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

/* Hand spell sp, now ending at end (an event at end when ended), to fn if it touches the
 * range [lo, hi). */
static void emit(struct uptime_spell *sp, int64_t end, int ended, int64_t lo, int64_t hi,
                 void (*fn)(void *data, const struct uptime_spell *sp), void *data)
{
    sp->start_ms = max64(sp->began_ms, lo);
    sp->end_ms = min64(end, hi);
    sp->began_inside = sp->began_ms >= lo && sp->began_ms < hi;
    sp->ended = ended && end < hi && end >= lo;
    if (sp->end_ms < sp->start_ms)
        sp->end_ms = sp->start_ms;
    if (sp->end_ms > sp->start_ms || sp->began_inside)
        fn(data, sp);
}

int uptime_walk(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                int64_t to_ms, void (*fn)(void *data, const struct uptime_spell *sp), void *data)
{
    int64_t lo = max64(from_ms, created_ms);
    struct uptime_spell sp = {.state = CW_UNKNOWN, .began_ms = created_ms};

    if (from_ms > to_ms || n < 0)
        return -1;
    for (int i = 1; i < n; i++)
        if (ev[i].at_ms < ev[i - 1].at_ms)
            return -1;
    for (int i = 0; i < n; i++) {
        /* An event before creation (a clock step) only sets the state to start from. */
        int64_t t = max64(ev[i].at_ms, created_ms);

        if (ev[i].to == sp.state) {
            sp.kinds |= ev[i].kinds;
            continue;
        }
        emit(&sp, t, 1, lo, to_ms, fn, data);
        sp = (struct uptime_spell){.state = ev[i].to, .began_ms = t, .kinds = ev[i].kinds};
    }
    emit(&sp, to_ms, 0, lo, to_ms, fn, data);
    return 0;
}

struct sums {
    int64_t *ms;
    int *outages;
};

static void add_spell(void *data, const struct uptime_spell *sp)
{
    struct sums *s = data;

    if ((unsigned)sp->state < 5)
        s->ms[sp->state] += sp->end_ms - sp->start_ms;
    if (sp->state == CW_DOWN && sp->began_inside && s->outages != NULL)
        (*s->outages)++;
}

int uptime_accumulate(int64_t created_ms, const struct uptime_event *ev, int n, int64_t from_ms,
                      int64_t to_ms, int64_t ms[5], int *outages)
{
    struct sums s = {ms, outages};

    return uptime_walk(created_ms, ev, n, from_ms, to_ms, add_spell, &s);
}
