/* damp.c - the damping of one camera's state changes into alerts ([alerts]
 * hold). Owns nothing but the struct damp the caller passes in; no clock, no
 * store, no I/O. Loop thread only (or any, being pure).
 *
 * A change counts once the camera has stayed in its new state for hold. A
 * run of changes that goes on for hold without settling, with at least
 * DAMP_FLAP_CHANGES changes, is flapping: told once, then once more when it
 * settles, whatever it settles in.
 *
 *   SETTLED  -> PENDING   a change                               damp_change()
 *   PENDING  -> PENDING   another change                         damp_change()
 *   PENDING  -> SETTLED   the state lasted hold: CHANGE alert    damp_advance()
 *                         (silent: back in the state last told, into unknown or
 *                         maintenance, or up after nothing was told)
 *   PENDING  -> FLAPPING  the run lasted hold with >= 3 changes:  damp_advance()
 *                         FLAPPING alert
 *   FLAPPING -> FLAPPING  more changes                           damp_change()
 *   FLAPPING -> SETTLED   the state lasted hold: SETTLED alert   damp_advance()
 *                         (silent into unknown or maintenance: staff took over)
 *
 * Time the watcher did not watch is not vouched for: a deadline runs from
 * resumed_ms at the earliest, so after a restart a camera must stay in its
 * state for hold again before it is told of. Each alert carries the time it
 * became due, so a late damp_advance() gives what a punctual one would have,
 * in the same order (flapping is always due before settling: see due_flap). */
#include "damp.h"

static const char *const kind_names[] = {"change", "flapping", "settled"};

const char *damp_kind_name(enum damp_kind k)
{
    return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

/* Up, degraded and down are told of; unknown and maintenance are nobody's news. */
static int watched(enum cw_state s)
{
    return s == CW_UP || s == CW_DEGRADED || s == CW_DOWN;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

void damp_init(struct damp *d, enum cw_state state, int64_t since_ms)
{
    *d = (struct damp){.told = state, .state = state, .state_ms = since_ms};
}

void damp_change(struct damp *d, enum cw_state to, int64_t at_ms)
{
    if (to == d->state)
        return;
    if (at_ms < d->state_ms)
        at_ms = d->state_ms; /* events of one camera come in order; never run time backwards */
    if (!d->pending) {
        d->pending = 1;
        d->run_ms = at_ms;
        d->changes = 0;
        d->flap_ms = 0;
        d->flapping = 0;
    }
    d->changes++;
    if (d->changes == DAMP_FLAP_CHANGES)
        d->flap_ms = at_ms;
    d->state = to;
    d->state_ms = at_ms;
}

/* When the current state has lasted hold. */
static int64_t due_settle(const struct damp *d, const struct damp_params *p)
{
    return max64(d->state_ms, p->resumed_ms) + p->hold_ms;
}

/* When the run is flapping: it has lasted hold and holds DAMP_FLAP_CHANGES changes. Never
 * after due_settle: the DAMP_FLAP_CHANGES-th change is at or before the last one, and the
 * run began before it. */
static int64_t due_flap(const struct damp *d, const struct damp_params *p)
{
    if (d->flapping || d->changes < DAMP_FLAP_CHANGES)
        return INT64_MAX;
    return max64(max64(d->run_ms, p->resumed_ms) + p->hold_ms, d->flap_ms);
}

int64_t damp_next(const struct damp *d, const struct damp_params *p)
{
    int64_t flap, settle;

    if (!d->pending)
        return INT64_MAX;
    flap = due_flap(d, p);
    settle = due_settle(d, p);
    return flap < settle ? flap : settle;
}

/* Whether settling in d->state is news: the alert's kind in *kind when it is. */
static int settle_is_news(const struct damp *d, enum damp_kind *kind)
{
    if (!watched(d->state))
        return 0;
    if (d->flapping) {
        *kind = DAMP_SETTLED;
        return 1;
    }
    if (d->state == d->told || (!watched(d->told) && d->state == CW_UP))
        return 0;
    *kind = DAMP_CHANGE;
    return 1;
}

int damp_advance(struct damp *d, const struct damp_params *p, int64_t now_ms,
                 struct damp_alert *out)
{
    int64_t flap, settle;
    enum damp_kind kind;
    int news;

    if (!d->pending)
        return 0;
    flap = due_flap(d, p);
    settle = due_settle(d, p);
    if (flap <= now_ms) {
        d->flapping = 1;
        *out = (struct damp_alert){DAMP_FLAPPING, d->told, d->state, flap, d->run_ms, d->changes};
        return 1;
    }
    if (settle > now_ms)
        return 0;
    news = settle_is_news(d, &kind);
    if (news)
        *out = (struct damp_alert){kind, d->told, d->state, settle, d->state_ms, d->changes};
    d->told = d->state;
    d->pending = 0;
    d->flapping = 0;
    d->changes = 0;
    d->flap_ms = 0;
    return news;
}
