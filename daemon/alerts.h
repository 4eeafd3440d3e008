/* alerts.h - the running daemon's alerting. It follows the store's event log (the verdict's
 * transitions, staff's maintenance), damps each camera's changes by [alerts] hold (damp.c),
 * makes an alert of each settled change, flapping and settling, and of the daily digest, and
 * hands them to the delivery queue (alertq.c). Data flows verdict -> store -> alerts: nothing
 * here judges a camera. Where it has read the log up to and each camera's damping are kept in
 * the store, so a restart goes on where it was. Loop thread only. */
#ifndef CW_ALERTS_H
#define CW_ALERTS_H

#include <ev.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../util/cwtime.h"
#include "../util/err.h"
#include "curlev.h"

#define ALERTS_POLL_S 1.0 /* how often the event log is read: a hold is minutes */
#define ALERTS_DIGEST_WINDOW_MS (24 * 3600 * 1000LL)
#define ALERTS_DIGEST_LIST_MAX 200 /* cameras in each list of a digest, then "and N more" */

struct alerts;
struct pool;

/* Up to when the event log is complete: the verdict's changes reach the store a little after
 * they are decided (the fleet's write batch), and a camera's damping is judged no later than
 * what the log holds, or a change on its way would be missed. */
struct alerts_log_clock {
    int64_t (*complete_ms)(void *data); /* wall clock; NULL: the log is always complete */
    void *data;
    struct cw_clock time; /* the wall and monotonic clocks; zero: the system's */
};

/* Start alerting on cfg's [alerts] (cfg_alerts_on). The first start ever begins at the end of
 * the log: history is not alerted. Pending deliveries are taken back. Borrows loop, curl,
 * store and cfg (until alerts_reload); copies clock (may be NULL). released: the loop owner's
 * list of released pools (pool_release), where alerts_free leaves its pool when its digest is
 * still out; borrowed, must outlive the loop. Caller frees with alerts_free. */
int alerts_new(struct ev_loop *loop, struct curlev *curl, struct store *store,
               const struct cfg *cfg, const struct alerts_log_clock *clock, struct pool **released,
               struct alerts **out, struct cw_err *err);

/* A new configuration (SIGHUP): hold, targets, digest time. Borrows cfg from now on. */
void alerts_reload(struct alerts *a, const struct cfg *cfg);

/* Stop reading and sending (SIGTERM): attempts in flight are abandoned and stay pending. */
void alerts_stop(struct alerts *a);
/* Accepts NULL; stops first. A digest being read is interrupted and detached: after
 * alerts_stop (the daemon's end) its worker is waited for, else (a reload turning alerts off,
 * the loop runs on) never: the loop frees it when it is back, or, if the loop ends first, the
 * loop's owner with pool_finish_released on the released list given to alerts_new. */
void alerts_free(struct alerts *a);

#endif
