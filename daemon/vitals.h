/* vitals.h - the daemon's own health, measured: how late its loop runs timers
 * (a tick every VITALS_TICK_S and how late it fired), how long store writes
 * take and whether the store takes them (from the write batch), and whether
 * libcurl resolves names without blocking; the outcome of its last load
 * of the configuration (reload.h); and whether the writer is a --once run, and
 * when that run finished. Written every VITALS_WRITE_S, after each
 * reload, and at stop, as a JSON object to a file beside the database (vitals_path) that
 * `camwatch status --daemon` reads (index/doc_daemon.c) and /metrics can
 * serve. Loop thread only. */
#ifndef CW_VITALS_H
#define CW_VITALS_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "batch.h"
#include "reload.h"

#define VITALS_TICK_S 1.0   /* the lag probe: a timer this often */
#define VITALS_WRITE_S 10.0 /* the file is rewritten this often */
#define VITALS_WINDOW_S 60  /* maxima and means are over this long */
/* The file's size, always: rewritable in place on a full disk. Room for the figures (about
 * 1.5 KiB) and the largest reload record (RELOAD_PROBLEMS_MAX problems and the files, each
 * string at most RELOAD_TEXT_MAX bytes: under 8 KiB). */
#define VITALS_FILE_BYTES 16384

struct vitals;

/* How the probes keep their schedule, and what the samples cost. */
struct vitals_probes {
    int64_t interval_ms;    /* [probe.rtsp] interval */
    double oldest_ms;       /* the longest a camera on that interval went unprobed, over
                               the last minute or two (running ones counted to now) */
    uint64_t started, late; /* liveness probes started, and late (1 s after due) */
    double late_max_ms;     /* the latest of them over the last minute or two */
    int slots, slots_floor, slots_ceiling, in_flight, in_flight_bad;
    size_t queued, backing_off; /* waiting for a slot; down cameras on their backoff */
    double sample_round_s;      /* a round of samples over the fleet at this size */
    double sample_last_round_s; /* the last one measured; 0: none yet */
    double sample_cpu_ms;       /* one sample's CPU */
    uint64_t samples_done;      /* samples over since the start, read media or not */
    double sample_budget_pct;   /* [probe.stream] budget; 0: none */
};

/* What the daemon tells the vitals each time they are written. */
struct vitals_sources {
    /* The write batch's figures and the cameras per state (enum cw_state). */
    void (*read)(void *data, struct batch_health *store, int counts[5], size_t *cameras);
    /* The probes' schedule; NULL: not written. */
    void (*probes)(void *data, struct vitals_probes *out);
    void *data;
    const struct reload *reload; /* the last load of the configuration; NULL: not written */
    int once;                    /* a `camwatchd --once` run: written as "once" */
};

/* Start ticking on loop; the file goes to path (copied). Caller frees with vitals_free. */
int vitals_new(struct ev_loop *loop, const char *path, const struct vitals_sources *src,
               struct vitals **out, struct cw_err *err);
/* A --once run's one sweep is over: the writes after this (vitals_free's) say when, as
 * "once_finished_ms", so a reader tells a run that ended as asked from one that died. */
void vitals_once_finished(struct vitals *v);
/* Write the file now (also done every VITALS_WRITE_S). */
void vitals_write(struct vitals *v);
/* The loop's lag over the window: the last tick's and the worst, in ms. */
void vitals_lag(const struct vitals *v, double *last_ms, double *max_ms);
/* Writes a last time; accepts NULL. */
void vitals_free(struct vitals *v);

/* 1 when libcurl resolves names on a thread of its own or with c-ares (CURL_VERSION_ASYNCHDNS);
 * 0 when a lookup would block the loop (hosts in URLs must then be addresses). */
int vitals_resolver_async(void);

#endif
