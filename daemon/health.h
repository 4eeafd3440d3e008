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
    /* The current cause, at most HEALTH_REASON_MAX - 1 bytes; NULL: none. Allocated, since
     * most cameras are up and have none: a fleet of 10,000 carries no 10,000 empty buffers. */
    char *reason;
    enum health_verdict streak_kind; /* kind of the current run of verdicts */
    int streak;                      /* its length (the store keeps both: verdict.c) */
    int down_fails; /* DOWN: failures in a row since it went down (the probe's backoff); not
                       stored, 0 as loaded */
};

struct health_transition {
    enum cw_state from, to;
    int64_t at_ms;
    char reason[HEALTH_REASON_MAX];
};

/* Start in state since since_ms (as loaded from the store, or UNKNOWN), with reason (copied;
 * "" or NULL: none). h is new memory: what it held before is not freed (health_free first). */
void health_init(struct health *h, enum cw_state state, int64_t since_ms, const char *reason);
/* Frees h's reason; h stays usable, with none. */
void health_free(struct health *h);
/* h's reason, "" when none; valid until h's next change. */
const char *health_reason(const struct health *h);

/* Feed one verdict with its reason ("" or NULL for OK). Returns 1 and fills *t when the state
 * changes, else 0. A DOWN reason says the failure and the count, e.g.
 * "timeout after 3 failures". In MAINTENANCE nothing changes. */
int health_record_probe(struct health *h, const struct health_params *p, enum health_verdict v,
                        const char *reason, int64_t now_ms, struct health_transition *t);

#endif
