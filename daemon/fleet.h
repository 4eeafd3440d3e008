/* fleet.h - the cameras at run time: when each is probed next, the probes in
 * flight (under the concurrency cap), and what each result does to its health
 * and the store. Loop thread only. */
#ifndef CW_FLEET_H
#define CW_FLEET_H

#include <ev.h>

#include <stdint.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../probes/onvif.h"
#include "../probes/rtsp.h"
#include "../util/err.h"
#include "batch.h"
#include "curlev.h"

struct fleet;

struct fleet_hooks {
    void (*changed)(void *data);   /* after a batch of writes was committed */
    void (*once_done)(void *data); /* --once: every camera has been probed once */
    void *data;
};

/* Start watching cfg's cameras, each resuming the state the store holds. With once, every
 * camera is queued now and probed exactly once; else each is probed on its interval with
 * jitter. Borrows loop, curl (the probes' transfers go on it; it must outlive the fleet),
 * store and cfg (cfg until the next fleet_reload). Caller frees with fleet_free. */
int fleet_new(struct ev_loop *loop, struct curlev *curl, struct store *store, const struct cfg *cfg,
              int once, const struct fleet_hooks *hooks, struct fleet **out, struct cw_err *err);

/* Switch to a new inventory (SIGHUP), in two steps so that a reload is all or nothing (the
 * daemon writes the store between them). fleet_reload_prepare makes everything that can fail
 * beside the running fleet, which it leaves as it is: the new cameras, the recorders' sources
 * and their workers. 0, or -1 with err and nothing kept (out of memory, a worker that cannot
 * start). Then fleet_reload (cannot fail) switches: cameras that stay keep their state, timers
 * and any probe in flight; new ones resume from the store; gone ones are dropped; it borrows
 * cfg (the one prepared for) from now on, and the old cfg may be freed when it returns. Or
 * fleet_reload_cancel drops what was prepared. */
int fleet_reload_prepare(struct fleet *f, const struct cfg *cfg, struct cw_err *err);
void fleet_reload(struct fleet *f, const struct cfg *cfg);
void fleet_reload_cancel(struct fleet *f);

/* Stop probing: abandon probes in flight (nothing is written for them) and commit what is
 * pending. Called on SIGTERM; called again, commits again what is still pending (the daemon's
 * end, once nothing else writes). */
void fleet_stop(struct fleet *f);

/* Probes ended since the start, by kind and outcome (for /metrics). */
#define FLEET_RTSP_OUTCOMES (RTSP_ERROR + 1)
#define FLEET_ONVIF_OUTCOMES (ONVIF_ERROR + 1)
struct fleet_counts {
    uint64_t rtsp[FLEET_RTSP_OUTCOMES];   /* DESCRIBE probes, by enum rtsp_outcome */
    uint64_t onvif[FLEET_ONVIF_OUTCOMES]; /* ONVIF probes, by enum onvif_outcome */
    uint64_t samples_ok, samples_failed;  /* stream samples that read media, or not */
};
void fleet_get_counts(const struct fleet *f, struct fleet_counts *out);

/* Cameras per state, indexed by enum cw_state. */
void fleet_count_states(const struct fleet *f, int counts[5]);

/* "128 cameras: 120 up, 3 degraded, 5 down" (unknown and maintenance when not zero), and while
 * the store refuses writes "; store not writable since 10:42:07 (ERROR): 312 writes kept". */
void fleet_format_summary(const struct fleet *f, char *buf, size_t len);

/* How the liveness probes keep their interval and what a round of samples takes, for the
 * vitals. O(cameras): the oldest probe is looked for among all. */
struct vitals_probes;
void fleet_probe_figures(const struct fleet *f, struct vitals_probes *out);

/* How the store takes the fleet's writes (daemon/batch.h). */
void fleet_store_health(const struct fleet *f, struct batch_health *out);
/* Up to when the store holds everything the fleet decided (batch_complete_ms). */
int64_t fleet_store_complete_ms(const struct fleet *f);

void fleet_free(struct fleet *f); /* accepts NULL; stops first */

#endif
