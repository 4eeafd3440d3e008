/* damp.h - when a camera's state changes are worth an alert: the damping of
 * [alerts] hold, per camera, as a pure function of states and times (no
 * clock, no store, no I/O). The store's events (the verdict's transitions)
 * go in; settled changes come out. damp.c draws the machine. */
#ifndef CW_DAMP_H
#define CW_DAMP_H

#include <stdint.h>

#include "../util/state.h"

/* A run of changes is flapping when it has gone on for hold without settling and holds at
 * least this many changes: down-up-down within hold is a flap; one blip (down, then up again
 * and staying up) is not. */
#define DAMP_FLAP_CHANGES 3

enum damp_kind {
    DAMP_CHANGE,   /* settled in a state other than the one last told, without flapping */
    DAMP_FLAPPING, /* changing for hold without settling (once per run) */
    DAMP_SETTLED,  /* settled after a flapping alert (in any state, even the one last told) */
};

struct damp_params {
    int64_t hold_ms;    /* a state must last this long to count (>= 1) */
    int64_t resumed_ms; /* the watcher started here: time before it is not vouched for */
};

/* One camera, as the alerting sees it. Plain data: kept in the store between runs. */
struct damp {
    enum cw_state told;  /* the state people were last told of (or found it in, silently) */
    enum cw_state state; /* its state now */
    int64_t state_ms;    /* since when */
    int pending;         /* a run of changes has not settled yet */
    int64_t run_ms;      /* when that run began (its first change) */
    int changes;         /* changes in the run */
    int64_t flap_ms;     /* when the run reached DAMP_FLAP_CHANGES changes; 0 before */
    int flapping;        /* the run was alerted as flapping */
};

/* What to send. */
struct damp_alert {
    enum damp_kind kind;
    enum cw_state from, to; /* the state last told, the state now */
    int64_t at_ms;          /* when it became due */
    int64_t since_ms;       /* CHANGE, SETTLED: since when in `to`; FLAPPING: the run's start */
    int changes;            /* changes in the run */
};

/* A camera found in state since since_ms with nothing to tell: told = state. */
void damp_init(struct damp *d, enum cw_state state, int64_t since_ms);

/* The camera changed to `to` at at_ms. Call damp_advance(at_ms) first, so that what was due
 * before this change is decided on the state before it. A change to the state it is in
 * already is ignored. */
void damp_change(struct damp *d, enum cw_state to, int64_t at_ms);

/* Decide what is due at now_ms: returns 1 with *out filled when an alert is due (call again:
 * at most one comes out per call), 0 when nothing more is due. */
int damp_advance(struct damp *d, const struct damp_params *p, int64_t now_ms,
                 struct damp_alert *out);

/* The earliest time damp_advance may have something to do, INT64_MAX when nothing is
 * pending. */
int64_t damp_next(const struct damp *d, const struct damp_params *p);

const char *damp_kind_name(enum damp_kind k); /* "change", "flapping", "settled" */

#endif
