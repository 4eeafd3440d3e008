/* pool.c - worker threads for blocking work. Owns the threads, the queue of
 * jobs to run and the queue of jobs run, both under one mutex, and the
 * ev_async that wakes the loop when a job is run. libev coalesces async
 * sends, so the callback drains the whole done queue each time.
 *
 * The number of workers can change while jobs run (a reload):
 *   more    new threads start at once                  pool_resize()
 *   fewer   idle workers over the target leave now, busy ones after their
 *           job; each marks its slot gone, and the loop thread joins gone
 *           threads at the next resize or at pool_free
 * A released pool (pool_release) with a busy worker waits on its owner's list until the
 * worker is back, then frees itself on the loop; pool_finish_released ends those still on it
 * when the loop runs no more (its owner destroys it next).
 * Slots live in an array the loop thread grows under the mutex; a worker
 * knows its slot by index, never by pointer. */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pool_slot {
    pthread_t tid;
    int started; /* a thread was made for this slot and not joined yet */
    int gone;    /* its thread left its loop: join it */
    int busy;    /* its thread runs a job's work */
};

struct pool_start {
    struct pool *p;
    int slot;
};

struct pool {
    struct ev_loop *loop;
    ev_async wake;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pool_job *todo_head, *todo_tail; /* FIFO */
    struct pool_job *done_head, *done_tail;
    int stopping;
    int released; /* pool_release left it to free itself once its busy workers are back */
    struct pool *rel_next, **rel_prev; /* on the owner's released list (rel_prev NULL: not) */
    int pending;                       /* loop thread only */
    int target;                        /* workers wanted */
    int live; /* workers in their loop (counted from their start to their leaving) */
    struct pool_slot *slots;
    int n_slots;
};

static void queue_push(struct pool_job **head, struct pool_job **tail, struct pool_job *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

static struct pool_job *queue_take_all(struct pool_job **head, struct pool_job **tail)
{
    struct pool_job *all = *head;

    *head = *tail = NULL;
    return all;
}

static void *pool_worker(void *arg)
{
    struct pool_start *ps = arg;
    struct pool *p = ps->p;
    int slot = ps->slot;

    free(ps);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct pool_job *job;

        while (!p->stopping && p->live <= p->target && p->todo_head == NULL)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stopping || p->live > p->target)
            break;
        job = p->todo_head;
        p->todo_head = job->next;
        if (p->todo_head == NULL)
            p->todo_tail = NULL;
        p->slots[slot].busy = 1;
        pthread_mutex_unlock(&p->mu);
        job->work(job);
        pthread_mutex_lock(&p->mu);
        p->slots[slot].busy = 0;
        queue_push(&p->done_head, &p->done_tail, job);
        ev_async_send(p->loop, &p->wake);
    }
    p->live--;
    p->slots[slot].gone = 1;
    if (p->released)
        ev_async_send(p->loop, &p->wake); /* the last to leave: the loop frees the pool */
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Run the done callbacks of a detached list of jobs. */
static void pool_deliver(struct pool *p, struct pool_job *job, int cancelled)
{
    while (job != NULL) {
        struct pool_job *next = job->next;

        p->pending--;
        job->done(job, cancelled);
        job = next;
    }
}

static void pool_end(struct pool *p);

static void pool_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    struct pool *p = w->data;
    struct pool_job *done;
    int live;

    (void)loop;
    (void)revents;
    pthread_mutex_lock(&p->mu);
    done = queue_take_all(&p->done_head, &p->done_tail);
    live = p->live;
    pthread_mutex_unlock(&p->mu);
    pool_deliver(p, done, 0);
    /* Released, and every worker has left its loop (it touches the pool no more): the joins
     * wait for nothing. Its last job's done ran above. */
    if (p->released && live == 0)
        pool_end(p);
}

/* Join the threads that left (they hold no lock and touch the pool no more). */
static void pool_reap(struct pool *p)
{
    for (int i = 0; i < p->n_slots; i++) {
        int gone;

        pthread_mutex_lock(&p->mu);
        gone = p->slots[i].started && p->slots[i].gone;
        pthread_mutex_unlock(&p->mu);
        if (gone) {
            pthread_join(p->slots[i].tid, NULL);
            p->slots[i].started = 0;
        }
    }
}

/* A free slot's index, growing the array when none is; -1 when out of memory. Called with
 * the mutex held (workers read the array by index under it). */
static int pool_free_slot(struct pool *p)
{
    struct pool_slot *v;

    for (int i = 0; i < p->n_slots; i++)
        if (!p->slots[i].started)
            return i;
    v = realloc(p->slots, (size_t)(p->n_slots + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    p->slots = v;
    memset(&p->slots[p->n_slots], 0, sizeof(*v));
    return p->n_slots++;
}

/* Start one worker; 0 or -1 with err filled. Mutex held. */
static int pool_start_one(struct pool *p, struct cw_err *err)
{
    struct pool_start *ps = malloc(sizeof(*ps));
    int slot = pool_free_slot(p), rc;

    if (ps == NULL || slot < 0) {
        free(ps);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    ps->p = p;
    ps->slot = slot;
    rc = pthread_create(&p->slots[slot].tid, NULL, pool_worker, ps);
    if (rc != 0) {
        free(ps);
        return cw_err_set(err, NULL, 0, NULL, "cannot start worker thread: %s", strerror(rc));
    }
    p->slots[slot].started = 1;
    p->slots[slot].gone = 0;
    p->live++;
    return 0;
}

int pool_resize(struct pool *p, int workers, struct cw_err *err)
{
    int rc = 0;

    if (workers < 0)
        workers = 0;
    pool_reap(p);
    pthread_mutex_lock(&p->mu);
    p->target = workers;
    while (rc == 0 && p->live < p->target)
        rc = pool_start_one(p, err);
    if (rc != 0)
        p->target = p->live; /* what could start */
    /* Idle workers over the target leave now; busy ones when their job ends. */
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int pool_workers(const struct pool *p)
{
    return p->target;
}

int pool_threads(struct pool *p)
{
    int live;

    pthread_mutex_lock(&p->mu);
    live = p->live;
    pthread_mutex_unlock(&p->mu);
    return live;
}

int pool_new(struct ev_loop *loop, int workers, struct pool **out, struct cw_err *err)
{
    struct pool *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    p->loop = loop;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    ev_async_init(&p->wake, pool_wake_cb);
    p->wake.data = p;
    ev_async_start(loop, &p->wake);
    if (pool_resize(p, workers, err) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    pool_free(p);
    return -1;
}

void pool_submit(struct pool *p, struct pool_job *job)
{
    p->pending++;
    pthread_mutex_lock(&p->mu);
    queue_push(&p->todo_head, &p->todo_tail, job);
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int pool_pending(const struct pool *p)
{
    return p->pending;
}

/* Every thread joined, what is queued delivered (run: done; waiting: cancelled), p freed. */
static void pool_end(struct pool *p)
{
    struct pool_job *todo, *done;

    if (p->rel_prev != NULL) { /* off the released list: nobody finishes it again */
        *p->rel_prev = p->rel_next;
        if (p->rel_next != NULL)
            p->rel_next->rel_prev = p->rel_prev;
    }
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_slots; i++)
        if (p->slots[i].started)
            pthread_join(p->slots[i].tid, NULL);
    /* No thread left: the queues are ours. */
    todo = queue_take_all(&p->todo_head, &p->todo_tail);
    done = queue_take_all(&p->done_head, &p->done_tail);
    pool_deliver(p, done, 0);
    pool_deliver(p, todo, 1);
    ev_async_stop(p->loop, &p->wake);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->slots);
    free(p);
}

void pool_free(struct pool *p)
{
    if (p != NULL)
        pool_end(p);
}

void pool_release(struct pool *p, struct pool **released)
{
    struct pool_job *todo;
    int busy = 0;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    todo = queue_take_all(&p->todo_head, &p->todo_tail);
    for (int i = 0; i < p->n_slots; i++)
        busy |= p->slots[i].started && p->slots[i].busy;
    p->released = busy;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pool_deliver(p, todo, 1);
    if (!busy) {
        pool_end(p); /* the idle workers leave at once: nothing to wait for */
        return;
    }
    p->rel_next = *released;
    if (p->rel_next != NULL)
        p->rel_next->rel_prev = &p->rel_next;
    p->rel_prev = released;
    *released = p;
}

void pool_finish_released(struct pool **released)
{
    while (*released != NULL)
        pool_end(*released); /* takes it off the list */
}
