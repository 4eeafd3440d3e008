/* sched.h - the probe scheduler: for each kind of probe a FIFO of entries
 * that are due, a number of slots (the kind's concurrency cap) and, per
 * entry, a due timer re-armed with jitter so cameras drift apart instead of
 * being probed in the same second forever. It knows a kind only by the
 * operations the kind registers (struct sched_ops): a new kind of probe is a
 * new ops table, not an edit here. Loop thread only.
 *
 * Two lanes per kind, so cameras known to be bad never starve good ones: an
 * entry the kind calls bad (ops->lane: its last probe failed, it is down)
 * waits in the bad lane, which holds at most a quarter of the slots
 * (SCHED_BAD_SHARE); good entries may take every free slot and go first.
 * The slots adapt to the fleet: when an entry has waited in a queue longer
 * than SCHED_GROW_WAIT_S the cap grows by half (up to the kind's ceiling),
 * and after SCHED_SHRINK_S in which at most half of it was used it shrinks
 * back towards the configured floor.
 *
 * An entry is re-armed from the start of its probe (start to start, not end
 * to start), so a probe's own duration does not stretch its interval.
 *
 * One entry per camera and kind, embedded in the owner's record:
 *   idle -> armed       sched_arm()                 (first due time)
 *   armed -> queued     due timer, ops->due() says SCHED_RUN (or sched_enqueue())
 *   armed -> armed      due timer, ops->due() says SCHED_SKIP: due again an interval later
 *   armed -> idle       due timer, ops->due() says SCHED_IDLE
 *   queued -> running   sched_dispatch(): a slot is free, ops->start()
 *   running -> armed    sched_finish(): ops->interval_ms() +- jitter (--once: -> idle)
 *   any -> idle         sched_cancel(): ops->cancel() abandons a running probe
 *
 * Owns the kinds (queues, slot counts) and the jitter's random state; the
 * entries are their owners' memory. */
#ifndef CW_SCHED_H
#define CW_SCHED_H

#include <ev.h>
#include <stdint.h>

#include "../util/cwtime.h"
#include "../util/err.h"
#include "../util/queue.h"

/* Next due at interval * (1 +- this) after the last start: enough for cameras to drift apart,
 * small enough that a 30 s interval never leaves a camera unprobed for more than 31.5 s. */
#define SCHED_JITTER_FRACTION 0.05
#define SCHED_BAD_SHARE 4     /* the bad lane holds at most slots / this (at least 1) */
#define SCHED_GROW_WAIT_S 0.5 /* an entry queued this long: the cap grows by half */
#define SCHED_SHRINK_S 60.0   /* a cap at most half used this long shrinks back by a quarter */
#define SCHED_LATE_S 1.0      /* a probe started this long after its due time is late */

struct sched;
struct sched_kind;

/* One camera's place in one kind: embed it in your record, init it with sched_entry_init. */
struct sched_entry {
    ev_timer due;
    struct sched_kind *kind; /* NULL: the kind is not in use; every call on it does nothing */
    void *owner;             /* the owner's record, for its ops */
    struct cw_qlink link;    /* in the kind's queue */
    int queued, running;
    int lane;            /* enum sched_lane, taken when queued */
    double due_at;       /* when it was due (sched_now, s); 0: never armed */
    double started_at;   /* when its last probe started; 0: never */
    double gap_s;        /* from the start before that one; 0: none */
    int64_t interval_ms; /* of its last re-arm */
};

enum sched_lane {
    SCHED_LANE_GOOD,
    SCHED_LANE_BAD, /* known bad: at most slots / SCHED_BAD_SHARE of these at once */
};

/* A kind's figures since it was made, and its cap now. */
struct sched_stats {
    int slots, floor, ceiling; /* the cap now, and between what it adapts */
    int running, running_bad;
    size_t queued, queued_bad;
    uint64_t started, late; /* probes started; of those, late (SCHED_LATE_S after due) */
    double late_max_s;      /* the latest start after due, over this and the last minute */
};

enum sched_due {
    SCHED_RUN,  /* queue it now */
    SCHED_SKIP, /* not this time: due again one interval later */
    SCHED_IDLE, /* no longer wanted: leave it until someone arms it */
};

/* What a kind of probe registers. data is the kind's own, given to sched_add_kind. */
struct sched_ops {
    /* The due timer fired. NULL: always SCHED_RUN. */
    enum sched_due (*due)(struct sched_entry *e, void *data);
    /* A slot was taken for e: start its probe. When the probe ends, now (it could not start)
     * or later, the kind calls sched_finish(e). */
    void (*start)(struct sched_entry *e, void *data);
    /* Abandon e's running probe (stop, camera dropped): nothing is written, and sched_finish
     * must not be called for it. */
    void (*cancel)(struct sched_entry *e, void *data);
    /* From the end of e's probe to its next due, before jitter; <= 0: not again. */
    int64_t (*interval_ms)(struct sched_entry *e, void *data);
    /* Which lane e waits in when queued. NULL: always SCHED_LANE_GOOD. */
    enum sched_lane (*lane)(struct sched_entry *e, void *data);
};

/* Borrows loop. With once, sched_finish never re-arms: each entry runs once. Caller frees
 * with sched_free. */
int sched_new(struct ev_loop *loop, int once, struct sched **out, struct cw_err *err);

/* Register a kind with at most slots probes running at once. Borrows ops and data; they
 * outlive s. Returns the kind (freed by sched_free), or NULL with err filled. */
struct sched_kind *sched_add_kind(struct sched *s, const struct sched_ops *ops, void *data,
                                  int slots, struct cw_err *err);
/* Set a kind's cap to slots, fixed (a reload); then sched_set_ceiling lets it adapt between
 * slots and ceiling (one below slots: fixed). Both hold from the next sched_dispatch. */
void sched_set_slots(struct sched_kind *k, int slots);
void sched_set_ceiling(struct sched_kind *k, int ceiling);
/* Probes of kind k running now. */
int sched_running(const struct sched_kind *k);
void sched_get_stats(const struct sched_kind *k, struct sched_stats *out);

/* Read time from clock (borrowed; NULL: the system's) instead: tests drive the cap's growth,
 * lateness and re-arming with a clock of their own. Timers still run on the loop. */
void sched_set_clock(struct sched *s, const struct cw_clock *clock);
/* The scheduler's time, s, monotonic (cw_clock_mono_ms): every due, start and lateness is
 * measured on it; never compare it with the wall clock. */
double sched_now(const struct sched *s);

/* Make e an idle entry of kind k (NULL: of no kind) for owner. */
void sched_entry_init(struct sched_entry *e, struct sched_kind *k, void *owner);
/* (Re)arm e's due timer to fire once, delay_s from now. */
void sched_arm(struct sched_entry *e, double delay_s);
/* Queue e now, unless it is queued or running already; sched_dispatch starts it. */
void sched_enqueue(struct sched_entry *e);
/* Start queued probes of kind k while slots are free (not after sched_stop). Accepts NULL. A
 * probe that ends inside its start is counted at once; the loop here lets in the next one. */
void sched_dispatch(struct sched_kind *k);
/* e's probe ended: its slot is free, its due timer re-armed (not with once, not after
 * sched_stop), and the next queued probe of its kind starts. */
void sched_finish(struct sched_entry *e);
/* Stop e's timer, take it off its queue, abandon its running probe (ops->cancel). */
void sched_cancel(struct sched_entry *e);
/* 1 when e is queued or running. */
int sched_pending(const struct sched_entry *e);
/* 1 when e's due timer is armed. */
int sched_armed(const struct sched_entry *e);

/* A uniform number in [0, 1): spreading first probes. Not for secrets. */
double sched_random(struct sched *s);

/* Start nothing from now on and empty every queue. Entries keep their timers and running
 * probes until their owners sched_cancel them. */
void sched_stop(struct sched *s);
/* Accepts NULL. Every entry must be idle (sched_cancel). */
void sched_free(struct sched *s);

#endif
