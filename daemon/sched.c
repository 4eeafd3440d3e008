/* sched.c - the probe scheduler (sched.h draws an entry's states and says
 * how the lanes and the adapting cap work). Owns per kind the two FIFOs of
 * due entries (good, bad), the count of running probes under its cap, the
 * cap's window of use and the lateness figures; the jitter's xorshift state.
 * The entries' timers are libev's (a heap: O(log n) per re-arm); queues are
 * intrusive lists through the entries, so scheduling allocates nothing and
 * every step but unqueueing a leaving camera is O(1). Loop thread only. */
#include "sched.h"

#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SCHED_KINDS_MAX 8 /* rtsp, onvif, sample today; room for a few more */

struct sched_queue {
    struct cw_queue fifo;
    size_t n;
};

struct sched_kind {
    struct sched *s;
    const struct sched_ops *ops;
    void *data;
    int slots;          /* the cap now, between floor and ceiling */
    int floor, ceiling; /* as configured */
    int running;        /* of which running_bad in the bad lane */
    int running_bad;
    int dispatching; /* sched_dispatch is on the stack: a finish inside start must not recurse */
    struct sched_queue q[2]; /* by enum sched_lane */
    double window;           /* when the cap's window of use began */
    int peak;                /* the most running at once in it */
    uint64_t started, late;
    double late_max_s, late_max_prev_s; /* this minute's and the last one's */
    double late_window;                 /* when this minute began */
};

struct sched {
    struct ev_loop *loop;
    int once;
    int stopping;
    unsigned long long rng;
    const struct cw_clock *clock; /* NULL: the system's */
    struct sched_kind *kinds[SCHED_KINDS_MAX];
    size_t n_kinds;
};

void sched_set_clock(struct sched *s, const struct cw_clock *clock)
{
    s->clock = clock;
}

double sched_now(const struct sched *s)
{
    /* Monotonic, not the loop's ev_now (the wall clock): a step of the wall clock must not
     * shift every due time by its size (an hour back: an hour unprobed; forward: a herd). */
    return (double)cw_clock_mono_ms(s->clock) / 1000.0;
}

int sched_new(struct ev_loop *loop, int once, struct sched **out, struct cw_err *err)
{
    struct sched *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    s->loop = loop;
    s->once = once;
    s->rng = ((unsigned long long)time(NULL) << 20) ^ (unsigned long long)getpid() ^
             0x9e3779b97f4a7c15ULL;
    *out = s;
    return 0;
}

struct sched_kind *sched_add_kind(struct sched *s, const struct sched_ops *ops, void *data,
                                  int slots, struct cw_err *err)
{
    struct sched_kind *k;

    if (s->n_kinds == SCHED_KINDS_MAX) {
        cw_err_set(err, NULL, 0, NULL, "more than %d kinds of probe", SCHED_KINDS_MAX);
        return NULL;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        return NULL;
    }
    k->s = s;
    k->ops = ops;
    k->data = data;
    k->slots = k->floor = k->ceiling = slots;
    k->window = k->late_window = sched_now(s);
    s->kinds[s->n_kinds++] = k;
    return k;
}

void sched_set_slots(struct sched_kind *k, int slots)
{
    k->slots = k->floor = k->ceiling = slots;
}

void sched_set_ceiling(struct sched_kind *k, int ceiling)
{
    k->ceiling = ceiling > k->floor ? ceiling : k->floor;
    if (k->slots > k->ceiling)
        k->slots = k->ceiling;
}

void sched_get_stats(const struct sched_kind *k, struct sched_stats *out)
{
    *out = (struct sched_stats){
        .slots = k->slots,
        .floor = k->floor,
        .ceiling = k->ceiling,
        .running = k->running,
        .running_bad = k->running_bad,
        .queued = k->q[SCHED_LANE_GOOD].n + k->q[SCHED_LANE_BAD].n,
        .queued_bad = k->q[SCHED_LANE_BAD].n,
        .started = k->started,
        .late = k->late,
        .late_max_s = k->late_max_s > k->late_max_prev_s ? k->late_max_s : k->late_max_prev_s,
    };
}

int sched_running(const struct sched_kind *k)
{
    return k->running;
}

/* The bad lane's share of slots: at least one, so bad entries are probed at all. */
static int sched_bad_cap(int slots)
{
    return slots / SCHED_BAD_SHARE > 1 ? slots / SCHED_BAD_SHARE : 1;
}

double sched_random(struct sched *s)
{
    /* xorshift64*: scheduling jitter only, nothing secret. */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* interval_ms +- SCHED_JITTER_FRACTION, in seconds. */
static double sched_jittered_s(struct sched *s, int64_t interval_ms)
{
    double jitter = (sched_random(s) * 2.0 - 1.0) * SCHED_JITTER_FRACTION;

    return (double)interval_ms / 1000.0 * (1.0 + jitter);
}

/* Due again one interval (as the kind says) after its last start (never before now), or idle. */
static void sched_rearm(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;
    int64_t ms = k->ops->interval_ms(e, k->data);
    double delay;

    e->interval_ms = ms;
    if (ms <= 0)
        return;
    delay = sched_jittered_s(k->s, ms);
    if (e->started_at > 0 && sched_now(k->s) > e->started_at)
        delay -= sched_now(k->s) - e->started_at;
    sched_arm(e, delay > 0 ? delay : 0.0);
}

/* Queue e, due at due (the scheduler's clock). */
static void sched_enqueue_due(struct sched_entry *e, double due)
{
    struct sched_kind *k = e->kind;
    struct sched_queue *q;

    if (k == NULL || e->queued || e->running)
        return;
    e->lane = k->ops->lane != NULL ? k->ops->lane(e, k->data) : SCHED_LANE_GOOD;
    q = &k->q[e->lane];
    e->due_at = due;
    e->queued = 1;
    cw_queue_push(&q->fifo, &e->link);
    q->n++;
}

static void sched_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct sched_entry *e = w->data;
    struct sched_kind *k = e->kind;
    enum sched_due d = k->ops->due ? k->ops->due(e, k->data) : SCHED_RUN;

    (void)loop;
    (void)revents;
    if (d == SCHED_SKIP) {
        sched_rearm(e);
    } else if (d == SCHED_RUN) {
        sched_enqueue_due(e, e->due_at);
        sched_dispatch(k);
    }
}

void sched_entry_init(struct sched_entry *e, struct sched_kind *k, void *owner)
{
    ev_timer_init(&e->due, sched_due_cb, 0.0, 0.0);
    e->due.data = e;
    e->kind = k;
    e->owner = owner;
    e->link.next = NULL;
    e->queued = e->running = 0;
    e->lane = SCHED_LANE_GOOD;
    e->due_at = e->started_at = e->gap_s = 0;
    e->interval_ms = 0;
}

void sched_arm(struct sched_entry *e, double delay_s)
{
    struct ev_loop *loop;

    if (e->kind == NULL)
        return;
    loop = e->kind->s->loop;
    e->due_at = sched_now(e->kind->s) + delay_s;
    ev_timer_stop(loop, &e->due);
    ev_timer_set(&e->due, delay_s, 0.0);
    ev_timer_start(loop, &e->due);
}

void sched_enqueue(struct sched_entry *e)
{
    if (e->kind != NULL)
        sched_enqueue_due(e, sched_now(e->kind->s));
}

/* O(queue length): only a camera leaving while queued (a reload, a lost onvif_url) gets
 * here; a stop empties the queues first. */
static void sched_unqueue(struct sched_entry *e)
{
    struct sched_queue *q = &e->kind->q[e->lane];

    if (!e->queued)
        return;
    if (cw_queue_remove(&q->fifo, &e->link))
        q->n--;
    e->queued = 0;
}

/* The entry whose link l is; NULL for NULL. */
static struct sched_entry *sched_entry_of(struct cw_qlink *l)
{
    return l != NULL ? (struct sched_entry *)((char *)l - offsetof(struct sched_entry, link))
                     : NULL;
}

static struct sched_entry *sched_head(const struct sched_queue *q)
{
    return sched_entry_of(q->fifo.head);
}

/* The queue's first entry, taken out; q is not empty. */
static struct sched_entry *sched_pop(struct sched_queue *q)
{
    struct sched_entry *e = sched_entry_of(cw_queue_pop(&q->fifo));

    q->n--;
    e->queued = 0;
    return e;
}

/* The cap follows the fleet: it grows by half while an entry at a queue's head has waited
 * SCHED_GROW_WAIT_S (the kind is short of slots, not of time), and shrinks by a quarter, not
 * under the floor, after a window of SCHED_SHRINK_S that never used half of it. */
static void sched_adapt(struct sched_kind *k, double now)
{
    for (int l = 0; l < 2 && k->slots < k->ceiling; l++) {
        struct sched_entry *h = sched_head(&k->q[l]);

        if (h != NULL && now - h->due_at >= SCHED_GROW_WAIT_S &&
            (l == SCHED_LANE_GOOD ? k->running >= k->slots
                                  : k->running_bad >= sched_bad_cap(k->slots))) {
            int grown = k->slots + (k->slots + 1) / 2;

            k->slots = grown < k->ceiling ? grown : k->ceiling;
            k->window = now;
            k->peak = k->running;
        }
    }
    if (now - k->window < SCHED_SHRINK_S)
        return;
    if (k->peak <= k->slots / 2 && k->slots > k->floor) {
        int shrunk = k->slots - k->slots / 4;

        k->slots = shrunk > k->floor ? shrunk : k->floor;
    }
    k->window = now;
    k->peak = k->running;
}

/* Lateness: how long after its due time e starts. */
static void sched_count_start(struct sched_kind *k, struct sched_entry *e, double now)
{
    double late = e->due_at > 0 ? now - e->due_at : 0;

    if (now - k->late_window >= SCHED_SHRINK_S) {
        k->late_max_prev_s = k->late_max_s;
        k->late_max_s = 0;
        k->late_window = now;
    }
    k->started++;
    if (late >= SCHED_LATE_S)
        k->late++;
    if (late > k->late_max_s)
        k->late_max_s = late;
    e->gap_s = e->started_at > 0 ? now - e->started_at : 0;
    e->started_at = now;
}

/* The next entry to start, if a slot is free for it: good ones first, bad ones under their
 * share. */
static struct sched_entry *sched_next(struct sched_kind *k)
{
    if (k->running >= k->slots)
        return NULL;
    if (sched_head(&k->q[SCHED_LANE_GOOD]) != NULL)
        return sched_pop(&k->q[SCHED_LANE_GOOD]);
    if (sched_head(&k->q[SCHED_LANE_BAD]) != NULL && k->running_bad < sched_bad_cap(k->slots))
        return sched_pop(&k->q[SCHED_LANE_BAD]);
    return NULL;
}

void sched_dispatch(struct sched_kind *k)
{
    struct sched_entry *e;
    double now;

    if (k == NULL || k->dispatching || k->s->stopping)
        return;
    k->dispatching = 1;
    now = sched_now(k->s);
    sched_adapt(k, now);
    while (!k->s->stopping && (e = sched_next(k)) != NULL) {
        e->running = 1;
        k->running++;
        if (e->lane == SCHED_LANE_BAD)
            k->running_bad++;
        if (k->running > k->peak)
            k->peak = k->running;
        sched_count_start(k, e, now);
        k->ops->start(e, k->data);
    }
    k->dispatching = 0;
}

/* e no longer holds a slot. */
static void sched_release(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;

    e->running = 0;
    k->running--;
    if (e->lane == SCHED_LANE_BAD)
        k->running_bad--;
}

void sched_finish(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;

    if (k == NULL || !e->running)
        return;
    sched_release(e);
    if (!k->s->once && !k->s->stopping)
        sched_rearm(e);
    sched_dispatch(k);
}

void sched_cancel(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;

    if (k == NULL)
        return;
    ev_timer_stop(k->s->loop, &e->due);
    sched_unqueue(e);
    if (e->running) {
        k->ops->cancel(e, k->data);
        sched_release(e);
    }
}

int sched_pending(const struct sched_entry *e)
{
    return e->queued || e->running;
}

int sched_armed(const struct sched_entry *e)
{
    return ev_is_active(&e->due);
}

void sched_stop(struct sched *s)
{
    s->stopping = 1;
    for (size_t i = 0; i < s->n_kinds; i++) {
        for (int l = 0; l < 2; l++) {
            struct sched_queue *q = &s->kinds[i]->q[l];

            while (sched_head(q) != NULL)
                sched_pop(q);
        }
    }
}

void sched_free(struct sched *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_kinds; i++)
        free(s->kinds[i]);
    free(s);
}
