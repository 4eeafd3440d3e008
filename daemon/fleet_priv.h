/* fleet_priv.h - what fleet.c (scheduling, liveness, samples, health) and
 * fleet_onvif.c (ONVIF probes) share: the fleet and camera records and the
 * few internal calls between them. Not for other callers. Loop thread only. */
#ifndef CW_FLEET_PRIV_H
#define CW_FLEET_PRIV_H

#include <stdatomic.h>

#include "../probes/onvif.h"
#include "../probes/rtsp.h"
#include "../probes/stream.h"
#include "curlev.h"
#include "fleet.h"
#include "health.h"
#include "pool.h"
#include "quality.h"

#define FLEET_COMMIT_DELAY_S 0.2               /* a write batch stays open this long at most */
#define FLEET_EXTERNAL_CHECK_S 2.0             /* how often to look for the CLI's changes */
#define FLEET_JITTER_FRACTION 0.1              /* next probe at interval * (1 +- this) */
#define FLEET_FIRST_SPREAD_MAX_MS 10000        /* first probes spread over at most this */
#define FLEET_FIRST_SAMPLE_SPREAD_MAX_MS 60000 /* first stream samples spread over this */
#define FLEET_RETENTION_EVERY_S 3600.0         /* how often old samples are downsampled */
#define FLEET_DAY_MS (86400LL * 1000)

/* The FIFOs of cameras due but waiting for a free slot: one per kind of probe. */
enum fleet_queue_id { FLEET_Q_RTSP, FLEET_Q_ONVIF, FLEET_Q_COUNT };

struct fleet_cam;

/* What a curl transfer belongs to (its CURLOPT_PRIVATE). */
struct fleet_xfer {
    enum fleet_queue_id kind;
    struct fleet_cam *cam;
};

struct fleet_link {
    struct fleet_cam *next;
    int queued;
};

struct fleet_queue {
    struct fleet_cam *head, *tail;
};

struct fleet_cam {
    char id[CFG_ID_MAX + 1];
    const struct cfg_camera *cc; /* borrowed from the current cfg */
    struct health h;
    ev_timer due;
    struct rtsp_probe *probe; /* in flight, or NULL */
    int fresh; /* made by the last fleet_build: resume and schedule its first probe */
    int kept;  /* fleet_build's mark */
    struct fleet_link link[FLEET_Q_COUNT];
    struct fleet_xfer xfer[FLEET_Q_COUNT];
    struct fleet *f;
    /* Stream sampling. */
    ev_timer sample_due;
    int sampling;              /* a job is on the pool */
    struct quality_memory qm;  /* frozen run; reference comes from the store */
    struct quality_verdict qv; /* of the last sample; flags 0 before any */
    struct sdp_video sdp;      /* of the last good DESCRIBE */
    int has_sdp;
    /* --once: the DESCRIBE result waits for the sample and the ONVIF probe. */
    int held;
    int wait_sample, wait_onvif;
    struct rtsp_result held_result;
    /* ONVIF (fleet_onvif.c). */
    ev_timer onvif_due;
    struct onvif_probe *onvif;              /* in flight, or NULL */
    char device_reasons[HEALTH_REASON_MAX]; /* of the last ONVIF probe, "" when none */
};

struct fleet {
    struct ev_loop *loop;
    struct store *store;
    const struct cfg *cfg;
    int once;
    int stopping;
    struct fleet_hooks hooks;
    struct curlev *curl;
    struct fleet_cam **cams; /* sorted by id */
    size_t n;
    struct fleet_queue q[FLEET_Q_COUNT];
    int inflight[FLEET_Q_COUNT];
    size_t once_left; /* --once: results still to come */
    int in_batch;
    ev_timer commit;
    ev_timer external;
    int64_t data_version;
    unsigned long long rng;
    struct pool *pool; /* NULL when [probe.stream] workers = 0 */
    atomic_int cancel; /* set on stop: samples on the workers give up at once */
    ev_timer retention;
};

/* fleet.c */
double fleet_random(struct fleet *f);
/* (Re)start t to fire once after delay_s. */
void fleet_timer_arm(struct fleet *f, ev_timer *t, double delay_s);
/* interval_ms +- FLEET_JITTER_FRACTION, in seconds: cameras drift apart instead of all being
 * probed in the same second forever. */
double fleet_jittered_s(struct fleet *f, int64_t interval_ms);
int fleet_batch(struct fleet *f);
void fleet_enqueue(struct fleet *f, enum fleet_queue_id q, struct fleet_cam *cam);
void fleet_unqueue(struct fleet *f, enum fleet_queue_id q, struct fleet_cam *cam);
/* Start probes from queue q while slots are free. */
void fleet_dispatch(struct fleet *f, enum fleet_queue_id q);
void fleet_once_progress(struct fleet *f);
/* A held --once DESCRIBE result whose waits are over gets its verdict. */
void fleet_release_held(struct fleet *f, struct fleet_cam *cam);

/* fleet_onvif.c */
void fleet_onvif_init(struct fleet_cam *cam);
/* The camera has an ONVIF URL to probe. */
int fleet_onvif_wanted(const struct fleet_cam *cam);
/* Take the first ONVIF probe's timer (or, with --once, queue it now). */
void fleet_onvif_schedule_first(struct fleet *f, struct fleet_cam *cam, double spread_s);
/* Start cam's ONVIF probe (a slot is free). */
void fleet_onvif_start(struct fleet *f, struct fleet_cam *cam);
/* The multi reports a request of cam's ONVIF probe done. */
void fleet_onvif_done(struct fleet *f, struct fleet_cam *cam, CURLcode rc);
/* device_reasons from what the store holds, for a camera resumed after a restart. */
void fleet_onvif_resume(struct fleet *f, struct fleet_cam *cam);
/* A camera kept by a reload: start probing it when it gained an onvif_url, stop when it lost
 * it. */
void fleet_onvif_reloaded(struct fleet *f, struct fleet_cam *cam, double spread_s);
/* Abandon cam's ONVIF probe and timer (stop, camera dropped). */
void fleet_onvif_cancel(struct fleet *f, struct fleet_cam *cam);

#endif
