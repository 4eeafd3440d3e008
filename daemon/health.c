/* health.c - per-camera health state machine with hysteresis. Owns nothing
 * but the struct health the caller passes in; no clock, no store, no I/O.
 * Loop thread only.
 *   UNKNOWN -> UP | DEGRADED | DOWN     health_record_probe(), first verdict decides
 *   UP | DEGRADED -> DOWN               health_record_probe(), down_after failures in a row
 *   UP <-> DEGRADED                     health_record_probe(), up_after verdicts of the new kind
 *   DOWN -> UP | DEGRADED               health_record_probe(), up_after non-failures in a row
 *   MAINTENANCE                         probes change nothing; staff enter and leave it
 *                                       through the store (store_set_maintenance(), the one
 *                                       place of that rule), and the fleet adopts the
 *                                       store's state with health_init()
 *
 * streak counts the current run of identical verdicts, except in DOWN, where it counts the
 * run of non-failures (OK and DEGRADED alike) and streak_kind is the latest of them: the
 * last one says whether the camera comes back UP or DEGRADED. down_fails counts DOWN's
 * failures in a row (its probe's backoff grows with them; an answer starts it over).
 *
 * The camera's reason is the one thing health owns: a copy on the heap, NULL when none. */
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *reason_or(const char *reason, const char *fallback)
{
    return reason != NULL && reason[0] != '\0' ? reason : fallback;
}

static void set_transition_reason(char dst[HEALTH_REASON_MAX], const char *src)
{
    snprintf(dst, HEALTH_REASON_MAX, "%s", src != NULL ? src : "");
}

/* The camera's reason becomes src, cut at HEALTH_REASON_MAX - 1 bytes. A down camera is told
 * the same cause every probe: then nothing is allocated. Out of memory: none (status shows no
 * cause rather than a stale one). */
static void set_reason(struct health *h, const char *src)
{
    size_t n = src != NULL ? strnlen(src, HEALTH_REASON_MAX - 1) : 0;

    if (h->reason != NULL && strlen(h->reason) == n && memcmp(h->reason, src, n) == 0)
        return;
    free(h->reason);
    h->reason = n > 0 ? strndup(src, n) : NULL;
}

void health_init(struct health *h, enum cw_state state, int64_t since_ms, const char *reason)
{
    memset(h, 0, sizeof(*h));
    h->state = state;
    h->since_ms = since_ms;
    set_reason(h, reason);
    h->streak_kind = state == CW_DOWN ? HEALTH_FAIL : HEALTH_OK;
    h->streak = 0;
}

void health_free(struct health *h)
{
    free(h->reason);
    h->reason = NULL;
}

const char *health_reason(const struct health *h)
{
    return h->reason != NULL ? h->reason : "";
}

/* Move h to state `to` now; the event carries event_reason, the camera keeps state_reason. */
static int transition(struct health *h, enum cw_state to, int64_t now_ms, const char *event_reason,
                      const char *state_reason, struct health_transition *t)
{
    t->from = h->state;
    t->to = to;
    t->at_ms = now_ms;
    set_transition_reason(t->reason, event_reason);
    h->state = to;
    h->since_ms = now_ms;
    set_reason(h, state_reason);
    h->streak = 0;
    h->down_fails = 0;
    return 1;
}

static void count_verdict(struct health *h, enum health_verdict v)
{
    if (h->streak > 0 && h->streak_kind == v) {
        h->streak++;
    } else {
        h->streak_kind = v;
        h->streak = 1;
    }
}

static int clamp_min1(int n)
{
    return n < 1 ? 1 : n;
}

/* True when cur already names this failure: "reason" or "reason after N failures". */
static int reason_names(const char *cur, const char *reason)
{
    size_t n = strlen(reason);

    return strncmp(cur, reason, n) == 0 && (cur[n] == '\0' || strncmp(cur + n, " after ", 7) == 0);
}

static int go_down(struct health *h, int down_after, const char *why, int64_t now_ms,
                   struct health_transition *t)
{
    char r[HEALTH_REASON_MAX];

    snprintf(r, sizeof(r), "%.200s after %d failure%s", why, down_after,
             down_after == 1 ? "" : "s");
    return transition(h, CW_DOWN, now_ms, r, r, t);
}

static int from_unknown(struct health *h, enum health_verdict v, const char *reason, int64_t now_ms,
                        struct health_transition *t)
{
    if (v == HEALTH_OK)
        return transition(h, CW_UP, now_ms, "", "", t);
    if (v == HEALTH_DEGRADED) {
        const char *r = reason_or(reason, "degraded");
        return transition(h, CW_DEGRADED, now_ms, r, r, t);
    }
    const char *r = reason_or(reason, "probe failed");
    return transition(h, CW_DOWN, now_ms, r, r, t);
}

static int from_up_or_degraded(struct health *h, const struct health_params *p,
                               enum health_verdict v, const char *reason, int64_t now_ms,
                               struct health_transition *t)
{
    count_verdict(h, v);
    if (v == HEALTH_FAIL) {
        if (h->streak >= clamp_min1(p->down_after))
            return go_down(h, clamp_min1(p->down_after), reason_or(reason, "probe failed"), now_ms,
                           t);
        return 0;
    }
    if (v == HEALTH_DEGRADED) {
        const char *r = reason_or(reason, "degraded");
        if (h->state == CW_DEGRADED) {
            set_reason(h, r); /* status shows the current cause */
            return 0;
        }
        if (h->streak >= clamp_min1(p->up_after))
            return transition(h, CW_DEGRADED, now_ms, r, r, t);
        return 0;
    }
    if (h->state == CW_DEGRADED && h->streak >= clamp_min1(p->up_after))
        return transition(h, CW_UP, now_ms, "", "", t);
    return 0;
}

static int from_down(struct health *h, const struct health_params *p, enum health_verdict v,
                     const char *reason, int64_t now_ms, struct health_transition *t)
{
    int up_after = clamp_min1(p->up_after);
    char r[HEALTH_REASON_MAX];

    if (v == HEALTH_FAIL) {
        const char *why = reason_or(reason, "probe failed");
        h->streak_kind = HEALTH_FAIL;
        h->streak = 0;
        h->down_fails++;
        if (!reason_names(health_reason(h), why))
            set_reason(h, why); /* status shows the current cause */
        return 0;
    }
    h->streak_kind = v;
    h->streak++;
    h->down_fails = 0;
    if (h->streak < up_after)
        return 0;
    snprintf(r, sizeof(r), "recovered after %d success%s", up_after, up_after == 1 ? "" : "es");
    if (v == HEALTH_OK)
        return transition(h, CW_UP, now_ms, r, "", t);
    const char *d = reason_or(reason, "degraded");
    return transition(h, CW_DEGRADED, now_ms, d, d, t);
}

int health_record_probe(struct health *h, const struct health_params *p, enum health_verdict v,
                        const char *reason, int64_t now_ms, struct health_transition *t)
{
    switch (h->state) {
    case CW_MAINTENANCE:
        return 0;
    case CW_UNKNOWN:
        return from_unknown(h, v, reason, now_ms, t);
    case CW_UP:
    case CW_DEGRADED:
        return from_up_or_degraded(h, p, v, reason, now_ms, t);
    case CW_DOWN:
        return from_down(h, p, v, reason, now_ms, t);
    }
    return 0;
}
