/* fleet_cam.h - what the fleet's layers share: the services they run on
 * (struct fleet_env) and the camera record (struct fleet_cam). fleet.c makes
 * both and wires the layers; each field below names the one file that writes
 * it. No functions here. Loop thread only.
 *
 *   fleet.c          new, reload, stop, free, counts, summary: the wiring
 *     |
 *   fleet_rtsp.c   fleet_onvif.c   fleet_sample.c      one kind of probe each:
 *     |               |                |               an ops table for sched
 *   verdict.c        liveness + device + picture reasons -> health -> store
 *     |
 *   sched.c   batch.c   health.c   quality.c   probes/   index/
 *
 * Calls go down only. Up is through function pointers: sched_ops (sched ->
 * a kind), batch_hooks (batch -> fleet: adopt the CLI's changes), struct
 * fleet_xfer (curl multi -> a kind), pool_job (pool -> fleet_sample.c). */
#ifndef CW_FLEET_CAM_H
#define CW_FLEET_CAM_H

#include <curl/curl.h>
#include <stdatomic.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../probes/onvif.h"
#include "../probes/rtsp.h"
#include "../probes/sdp.h"
#include "../util/queue.h"
#include "batch.h"
#include "curlev.h"
#include "fleet.h"
#include "pool.h"
#include "quality.h"
#include "sched.h"
#include "verdict.h"

/* The kinds of probe, each one sched kind and one file of glue. */
enum fleet_kind { FLEET_RTSP, FLEET_ONVIF, FLEET_SAMPLE, FLEET_KIND_COUNT };
/* Not a sched kind: a recorder's scan, which a --once round also waits for (fleet_footage.c). */
#define FLEET_FOOTAGE FLEET_KIND_COUNT

struct fleet_cam;
struct fleet_sample_job;
struct fleet_snapshot_job;

/* How well the liveness probes keep their interval (fleet_rtsp.c writes it). */
#define FLEET_TIMELY_WINDOW_S 60.0
struct fleet_timely {
    double window;                    /* when this window began (the scheduler's clock) */
    double gap_max_s, gap_max_prev_s; /* the longest a camera on the regular interval went
                                         between two probe starts, this window and the last */
};

/* The samples' pacer (fleet_sample.c): with a [probe.stream] budget, one fleet timer starts
 * the samples, a round over every camera in turn, cameras with a fault or just back first. */
struct fleet_pace {
    ev_timer tick;
    struct fleet_cam **cams; /* fleet.c: its sorted array, set after every build */
    size_t n;
    size_t cursor;        /* the next camera of the round */
    double round_began_s; /* the scheduler's clock */
    double last_round_s;  /* the last whole round took this long; 0: none yet */
    double cpu_mean_s;    /* CPU of one sample on its worker, a moving mean */
    struct cw_queue pri;  /* fleet_cams by pri_link, sampled before the round's turn */
    int took_listed;      /* the last pick came from that list */
};

struct fleet_env {
    struct ev_loop *loop;
    struct store *store;
    const struct cfg *cfg; /* fleet.c: the current inventory and settings; swapped by a reload */
    char tz[128];          /* fleet.c: the zone local times are shown in, the one the daemon
                              set at its start (a reload never changes TZ: workers read it) */
    int once;
    int stopping;        /* fleet.c: fleet_stop ran; nothing more is written */
    struct curlev *curl; /* the daemon's curl multi every curl kind adds its transfers to */
    struct pool *pool;   /* NULL when [probe.stream] workers = 0 */
    struct pool *files;  /* one worker for the files the loop must not write (snapshots) */
    atomic_int cancel;   /* fleet.c: set on stop; samples on the workers give up at once */
    struct sched *sched;
    struct batch *batch;
    struct verdict *verdict;
    struct sched_kind *kind[FLEET_KIND_COUNT]; /* NULL: kind not in use (no workers) */
    struct fleet_counts counts;                /* each kind's file: its probes ended, by outcome */
    struct fleet_timely timely;                /* fleet_rtsp.c */
    struct fleet_pace pace;                    /* fleet_sample.c */
};

/* Of the last good DESCRIBE's SDP, what a sample weighs its stream against (quality.c): the
 * codec and any parameter-set problem went into that DESCRIBE's verdict. 16 bytes a camera,
 * not a whole struct sdp_video's 136. */
struct fleet_sdp {
    int width, height; /* 0: unknown */
    double fps;        /* 0: not given */
};

/* A curl transfer's CURLOPT_PRIVATE: the multi's record, whose done is the kind's function
 * for its end (first: the multi's pointer is this one's), and its camera. */
struct fleet_xfer {
    struct curlev_xfer x;
    struct fleet_cam *cam;
};

struct fleet_cam {
    char id[CFG_ID_MAX + 1];
    const struct cfg_camera *cc; /* fleet.c: borrowed from env->cfg */
    struct fleet_env *env;
    struct sched_entry run[FLEET_KIND_COUNT]; /* sched.c's, one per kind */
    struct verdict_cam v;                     /* verdict.c's: health, reasons, --once hold */
    /* fleet_rtsp.c */
    struct rtsp_probe *probe; /* in flight, or NULL */
    struct fleet_xfer rtsp_xfer;
    struct fleet_sdp sdp; /* of the last good DESCRIBE (fleet_sample.c weighs it) */
    int has_sdp;
    /* fleet_onvif.c */
    struct onvif_probe *onvif; /* in flight, or NULL */
    struct fleet_xfer onvif_xfer;
    struct fleet_snapshot_job *snap_job; /* its snapshot being written on env->files, or NULL */
    /* fleet_sample.c */
    struct fleet_sample_job *job; /* on the pool, or NULL */
    struct quality_memory qm;     /* frozen run; the reference comes from the store */
    double last_sample_s;         /* when its last sample began (the scheduler's clock); 0 */
    struct cw_qlink pri_link;     /* in env->pace's priority list */
    int pri;                      /* in it */
    /* fleet.c */
    int fresh;       /* made by the last build: resume and schedule its first probes */
    int kept;        /* the build's mark */
    int readdressed; /* the last build changed its rtsp_url or credential */
};

#endif
