/* sched.c - the probe scheduler (sched.h draws an entry's states). Owns per
 * kind the FIFO of due entries and the count of running probes under its
 * cap; the jitter's xorshift state. The entries' timers are libev's (a heap:
 * O(log n) per re-arm); queues are intrusive lists through the entries, so
 * scheduling allocates nothing. Loop thread only. */
#include "sched.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SCHED_KINDS_MAX 8 /* rtsp, onvif, sample today; room for a few more */

struct sched_kind {
    struct sched *s;
    const struct sched_ops *ops;
    void *data;
    int slots;
    int running;
    int dispatching; /* sched_dispatch is on the stack: a finish inside start must not recurse */
    struct sched_entry *head, *tail;
};

struct sched {
    struct ev_loop *loop;
    int once;
    int stopping;
    unsigned long long rng;
    struct sched_kind *kinds[SCHED_KINDS_MAX];
    size_t n_kinds;
};

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
    k->slots = slots;
    s->kinds[s->n_kinds++] = k;
    return k;
}

void sched_set_slots(struct sched_kind *k, int slots)
{
    k->slots = slots;
}

int sched_running(const struct sched_kind *k)
{
    return k->running;
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

/* Due again one interval (as the kind says) from now, or idle. */
static void sched_rearm(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;
    int64_t ms = k->ops->interval_ms(e, k->data);

    if (ms > 0)
        sched_arm(e, sched_jittered_s(k->s, ms));
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
        sched_enqueue(e);
        sched_dispatch(k);
    }
}

void sched_entry_init(struct sched_entry *e, struct sched_kind *k, void *owner)
{
    ev_timer_init(&e->due, sched_due_cb, 0.0, 0.0);
    e->due.data = e;
    e->kind = k;
    e->owner = owner;
    e->next = NULL;
    e->queued = e->running = 0;
}

void sched_arm(struct sched_entry *e, double delay_s)
{
    struct ev_loop *loop;

    if (e->kind == NULL)
        return;
    loop = e->kind->s->loop;
    ev_timer_stop(loop, &e->due);
    ev_timer_set(&e->due, delay_s, 0.0);
    ev_timer_start(loop, &e->due);
}

void sched_enqueue(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;

    if (k == NULL || e->queued || e->running)
        return;
    e->queued = 1;
    e->next = NULL;
    if (k->tail)
        k->tail->next = e;
    else
        k->head = e;
    k->tail = e;
}

/* O(queue length): only a camera leaving while queued (a reload, a lost onvif_url) gets
 * here; a stop empties the queues first. */
static void sched_unqueue(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;
    struct sched_entry **pp = &k->head, *prev = NULL;

    if (!e->queued)
        return;
    while (*pp != NULL && *pp != e) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == e) {
        *pp = e->next;
        if (k->tail == e)
            k->tail = prev;
    }
    e->queued = 0;
    e->next = NULL;
}

void sched_dispatch(struct sched_kind *k)
{
    if (k == NULL || k->dispatching)
        return;
    k->dispatching = 1;
    while (!k->s->stopping && k->head != NULL && k->running < k->slots) {
        struct sched_entry *e = k->head;

        k->head = e->next;
        if (k->head == NULL)
            k->tail = NULL;
        e->queued = 0;
        e->next = NULL;
        e->running = 1;
        k->running++;
        k->ops->start(e, k->data);
    }
    k->dispatching = 0;
}

void sched_finish(struct sched_entry *e)
{
    struct sched_kind *k = e->kind;

    if (k == NULL || !e->running)
        return;
    e->running = 0;
    k->running--;
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
        e->running = 0;
        k->running--;
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
        struct sched_kind *k = s->kinds[i];

        for (struct sched_entry *e = k->head, *next; e != NULL; e = next) {
            next = e->next;
            e->queued = 0;
            e->next = NULL;
        }
        k->head = k->tail = NULL;
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
