/* pool.h - a small pool of worker threads for blocking work (stream samples:
 * libavformat opens and reads). A job is submitted from the loop thread, runs
 * on a worker, and its done callback runs back on the loop thread, woken by
 * an ev_async. Jobs are intrusive: embed a struct pool_job in your own. */
#ifndef CW_POOL_H
#define CW_POOL_H

#include <ev.h>

#include "../util/err.h"

struct pool_job {
    void (*work)(struct pool_job *job); /* on a worker thread */
    /* On the loop thread: after work ran (cancelled 0), or instead of it when the pool is
     * freed first (cancelled 1). The job is the caller's again from here. */
    void (*done)(struct pool_job *job, int cancelled);
    struct pool_job *next; /* the pool's queue link */
};

struct pool;

/* Start workers threads bound to loop. Caller frees with pool_free. */
int pool_new(struct ev_loop *loop, int workers, struct pool **out, struct cw_err *err);
/* Run with workers threads from now on (a reload), 0 included: more start at once; idle
 * workers over the number leave now, busy ones when their job ends, so this never waits.
 * Queued jobs stay queued. 0, or -1 with err when a thread cannot start (the pool keeps
 * those that did). Loop thread. */
int pool_resize(struct pool *p, int workers, struct cw_err *err);
/* The number of workers asked for (pool_new, pool_resize). */
int pool_workers(const struct pool *p);
/* Worker threads running now: more than asked for while busy ones finish their job. */
int pool_threads(struct pool *p);
/* Queue a job (loop thread). */
void pool_submit(struct pool *p, struct pool_job *job);
/* Jobs submitted whose done has not run yet. */
int pool_pending(const struct pool *p);
/* Cancel queued jobs, wait for running ones (their work is bounded by its own deadline), run
 * every outstanding done callback, stop the threads. Accepts NULL. Loop thread. */
void pool_free(struct pool *p);
/* pool_free that never waits: queued jobs are cancelled now (done with cancelled 1); with none
 * running the pool is freed now, else a running job ends on its worker, its done runs on the
 * loop as usual (cancelled 0: the owner must have detached it), and the pool frees itself
 * there. Until then it waits on *released, a list the loop's owner keeps (NULL when empty),
 * and leaves it when it frees itself. Accepts NULL. Loop thread. */
void pool_release(struct pool *p, struct pool **released);
/* The loop's owner, before it destroys the loop: each pool still on *released is finished as
 * pool_free does (its threads joined, their jobs' done run), and *released is NULL after.
 * Loop thread, the loop not running. */
void pool_finish_released(struct pool **released);

#endif
