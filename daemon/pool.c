/* pool.c - worker threads for blocking work. Owns the threads, the queue of
 * jobs to run and the queue of jobs run, both under one mutex, and the
 * ev_async that wakes the loop when a job is run. libev coalesces async
 * sends, so the callback drains the whole done queue each time. */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pool {
    struct ev_loop *loop;
    ev_async wake;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pool_job *todo_head, *todo_tail; /* FIFO */
    struct pool_job *done_head, *done_tail;
    int stopping;
    int pending; /* loop thread only */
    pthread_t *threads;
    int n_threads;
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
    struct pool *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct pool_job *job;

        while (!p->stopping && p->todo_head == NULL)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stopping)
            break;
        job = p->todo_head;
        p->todo_head = job->next;
        if (p->todo_head == NULL)
            p->todo_tail = NULL;
        pthread_mutex_unlock(&p->mu);
        job->work(job);
        pthread_mutex_lock(&p->mu);
        queue_push(&p->done_head, &p->done_tail, job);
        ev_async_send(p->loop, &p->wake);
    }
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

static void pool_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    struct pool *p = w->data;
    struct pool_job *done;

    (void)loop;
    (void)revents;
    pthread_mutex_lock(&p->mu);
    done = queue_take_all(&p->done_head, &p->done_tail);
    pthread_mutex_unlock(&p->mu);
    pool_deliver(p, done, 0);
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
    p->threads = calloc((size_t)workers, sizeof(*p->threads));
    if (p->threads == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    for (; p->n_threads < workers; p->n_threads++) {
        int rc = pthread_create(&p->threads[p->n_threads], NULL, pool_worker, p);
        if (rc != 0) {
            cw_err_set(err, NULL, 0, NULL, "cannot start worker thread: %s", strerror(rc));
            goto fail;
        }
    }
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

void pool_free(struct pool *p)
{
    struct pool_job *todo, *done;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    /* No thread left: the queues are ours. */
    todo = queue_take_all(&p->todo_head, &p->todo_tail);
    done = queue_take_all(&p->done_head, &p->done_tail);
    pool_deliver(p, done, 0);
    pool_deliver(p, todo, 1);
    ev_async_stop(p->loop, &p->wake);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}
