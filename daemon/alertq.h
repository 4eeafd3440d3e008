/* alertq.h - the delivery queue: an alert made (alertq_add) is written to the store with one
 * delivery per configured target (each webhook; the e-mail), and each delivery is attempted
 * (alertsend.c) until it is sent, refused for good, or still failing [alerts] give_up after
 * its alert; between attempts the wait doubles from retry up to retry_max, or is what the
 * receiver asked (Retry-After). Every attempt's outcome is written to the store at once, so
 * the pending ones outlive the daemon: alertq_resume takes them back after a restart. Loop
 * thread only. */
#ifndef CW_ALERTQ_H
#define CW_ALERTQ_H

#include <ev.h>
#include <jansson.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../index/store_alert.h"
#include "../util/cwtime.h"
#include "../util/err.h"
#include "alertsend.h"
#include "curlev.h"

/* Attempts at once to one target (a webhook, the mail relay): a target that hangs holds at
 * most these, never the others' turn. */
#define ALERTQ_TARGET_INFLIGHT_MAX 4

enum alertq_mode {
    ALERTQ_RETRY, /* the daemon: retry with backoff until give_up */
    ALERTQ_ONCE,  /* `camwatch alerts test`: one attempt each, a failure is final */
};

struct alertq_hooks {
    /* After each attempt, its delivery as now written, and what the attempt said. May be
     * NULL. */
    void (*attempted)(void *data, const struct store_delivery *d, const struct alertsend_result *r);
    /* Nothing is pending any more (every delivery sent or failed). May be NULL. */
    void (*idle)(void *data);
    void *data;
};

struct alertq;

/* Borrows loop, curl, store and cfg (until alertq_reload); copies hooks (may be NULL). Caller
 * frees with alertq_free. */
int alertq_new(struct ev_loop *loop, struct curlev *curl, struct store *store,
               const struct cfg *cfg, enum alertq_mode mode, const struct alertq_hooks *hooks,
               struct alertq **out, struct cw_err *err);

/* Read the wall clock from clock (borrowed; NULL: the system's): tests step it. */
void alertq_set_clock(struct alertq *q, const struct cw_clock *clock);

/* The daemon's start: take back the deliveries the store holds pending, each at its next
 * attempt (at once when that is past). Returns how many, or -1 (err). */
int alertq_resume(struct alertq *q, struct cw_err *err);

/* Write alert a (its id filled) with doc, its document (borrowed), and one pending delivery
 * per configured target, in one transaction; then start them. Returns the number of
 * deliveries, or -1 (err: nothing written). An alert with no target configured is written
 * with none. */
int alertq_add(struct alertq *q, struct store_alert *a, const json_t *doc, struct cw_err *err);

/* Hold what alertq_add writes from now on, unstarted, while the caller's transaction is open;
 * alertq_release ends the hold: landed (committed), the held deliveries start; not landed
 * (rolled back), they are forgotten, as their rows are. */
void alertq_hold(struct alertq *q);
void alertq_release(struct alertq *q, int landed);

/* A new configuration (SIGHUP): its targets, retry bounds and timeouts from now on. A pending
 * delivery whose webhook is no longer configured fails at its next attempt. */
void alertq_reload(struct alertq *q, const struct cfg *cfg);

/* The wait after `attempts` failed attempts (>= 1): retry, doubled for each attempt after the
 * first, at most retry_max; at least asked_ms (Retry-After), still at most retry_max. */
int64_t alertq_backoff(const struct cfg_alerts *a, int attempts, int64_t asked_ms);

/* Deliveries pending in this queue (waiting or in flight). */
size_t alertq_pending(const struct alertq *q);

/* Abandon the attempts in flight (they stay pending in the store, their attempt not counted)
 * and start no more. */
void alertq_stop(struct alertq *q);
void alertq_free(struct alertq *q); /* accepts NULL; stops first */

#endif
