/* health.h - per-camera health state machine with hysteresis. Pure: the
 * caller passes each probe's verdict and the time, and writes any transition
 * it returns. Loop thread only.
 *   UNKNOWN -> UP | DEGRADED | DOWN     first verdict decides
 *   UP | DEGRADED -> DOWN               down_after consecutive failures
 *   UP -> DEGRADED, DEGRADED -> UP      up_after consecutive verdicts of the new kind
 *   DOWN -> UP | DEGRADED               up_after consecutive non-failures
 *   MAINTENANCE                         probes change nothing; entered and left only
 *                                       through the store (store_set_maintenance()),
 *                                       adopted here with health_init() */
#ifndef CW_HEALTH_H
#define CW_HEALTH_H

#include <stdint.h>

#include "../util/state.h"

#define HEALTH_REASON_MAX 256

enum health_verdict { HEALTH_OK, HEALTH_DEGRADED, HEALTH_FAIL };

struct health_params {
    int down_after; /* >= 1 */
    int up_after;   /* >= 1 */
};

struct health {
    enum cw_state state;
    int64_t since_ms;
    char reason[HEALTH_REASON_MAX];
    enum health_verdict streak_kind; /* kind of the current run of verdicts */
    int streak;                      /* its length (the store keeps both: verdict.c) */
};

struct health_transition {
    enum cw_state from, to;
    int64_t at_ms;
    char reason[HEALTH_REASON_MAX];
};

/* Start in state since since_ms (as loaded from the store, or UNKNOWN). */
void health_init(struct health *h, enum cw_state state, int64_t since_ms, const char *reason);

/* Feed one verdict with its reason ("" or NULL for OK). Returns 1 and fills *t when the state
 * changes, else 0. A DOWN reason says the failure and the count, e.g.
 * "timeout after 3 failures". In MAINTENANCE nothing changes. */
int health_record_probe(struct health *h, const struct health_params *p, enum health_verdict v,
                        const char *reason, int64_t now_ms, struct health_transition *t);

#endif
