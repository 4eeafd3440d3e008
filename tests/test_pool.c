/* test_pool.c - the worker pool: every job runs on a worker and comes back
 * on the loop; jobs still queued when the pool is freed come back cancelled;
 * a resize starts workers at once and lets idle ones go at once, busy ones
 * after their job. Waits are for conditions (with a guard against hangs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/pool.h"
#include "cwtest.h"

#define JOBS 200
#define GUARD_MS 30000 /* a wait for a condition gives up after this: a hang, not a timing */

struct test_job {
    struct pool_job base;
    pthread_t ran_on;
    int ran;
    int started; /* atomic: set on the worker before the gate */
    int done;
    int cancelled;
    int *left;
    struct ev_loop *loop;
    pthread_mutex_t *gate; /* held by the test to keep workers busy */
};

static void job_work(struct pool_job *job)
{
    struct test_job *j = (struct test_job *)job;

    __atomic_store_n(&j->started, 1, __ATOMIC_SEQ_CST);
    if (j->gate != NULL) {
        pthread_mutex_lock(j->gate);
        pthread_mutex_unlock(j->gate);
    }
    j->ran_on = pthread_self();
    j->ran = 1;
}

static void job_done(struct pool_job *job, int cancelled)
{
    struct test_job *j = (struct test_job *)job;

    j->done++;
    j->cancelled = cancelled;
    if (--*j->left == 0 && j->loop != NULL)
        ev_break(j->loop, EVBREAK_ALL);
}

static void test_every_job_runs_on_a_worker_and_comes_back_on_the_loop(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct test_job *jobs = calloc(JOBS, sizeof(*jobs));
    struct pool *p = NULL;
    struct cw_err err;
    int left = JOBS;

    (void)state;
    assert_int_equal(pool_new(loop, 4, &p, &err), 0);
    for (int i = 0; i < JOBS; i++) {
        jobs[i].base.work = job_work;
        jobs[i].base.done = job_done;
        jobs[i].left = &left;
        jobs[i].loop = loop;
        pool_submit(p, &jobs[i].base);
    }
    assert_int_equal(pool_pending(p), JOBS);
    ev_run(loop, 0);
    assert_int_equal(left, 0);
    assert_int_equal(pool_pending(p), 0);
    for (int i = 0; i < JOBS; i++) {
        assert_int_equal(jobs[i].ran, 1);
        assert_int_equal(jobs[i].done, 1);
        assert_int_equal(jobs[i].cancelled, 0);
        assert_false(pthread_equal(jobs[i].ran_on, pthread_self()));
    }
    pool_free(p);
    free(jobs);
    ev_loop_destroy(loop);
}

static void test_free_cancels_queued_jobs_and_finishes_running_ones(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    struct test_job jobs[6] = {0};
    struct pool *p = NULL;
    struct cw_err err;
    int left = 6, ran = 0, cancelled = 0;

    (void)state;
    assert_int_equal(pool_new(loop, 1, &p, &err), 0);
    pthread_mutex_lock(&gate); /* the one worker blocks in the first job */
    for (int i = 0; i < 6; i++) {
        jobs[i].base.work = job_work;
        jobs[i].base.done = job_done;
        jobs[i].left = &left;
        jobs[i].gate = &gate;
        pool_submit(p, &jobs[i].base);
    }
    /* Opening the gate now races the worker against pool_free: whatever ran must not be
     * cancelled, whatever was still queued must come back cancelled, none may be lost. */
    pthread_mutex_unlock(&gate);
    pool_free(p);
    assert_int_equal(left, 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(jobs[i].done, 1);
        ran += jobs[i].ran && !jobs[i].cancelled;
        cancelled += jobs[i].cancelled && !jobs[i].ran;
    }
    assert_int_equal(ran + cancelled, 6); /* each job either ran or was cancelled, never both */
    ev_loop_destroy(loop);
}

static void wait_until_started(struct test_job *j)
{
    for (int ms = 0; !__atomic_load_n(&j->started, __ATOMIC_SEQ_CST); ms++) {
        if (ms > GUARD_MS)
            fail_msg("job never started");
        usleep(1000);
    }
}

static void wait_threads(struct pool *p, int n)
{
    for (int ms = 0; pool_threads(p) != n; ms++) {
        if (ms > GUARD_MS)
            fail_msg("%d worker threads, expected %d", pool_threads(p), n);
        usleep(1000);
    }
}

static void job_init(struct test_job *j, int *left, struct ev_loop *loop, pthread_mutex_t *gate)
{
    memset(j, 0, sizeof(*j));
    j->base.work = job_work;
    j->base.done = job_done;
    j->left = left;
    j->loop = loop;
    j->gate = gate;
}

/* pool_release never waits: with a job running it returns at once (the queued ones back
 * cancelled), the running one's done comes on the loop when it ends, and the pool frees itself
 * there (ASan: nothing leaks); with none running, it is freed at once. */
static void test_release_returns_while_a_job_runs_and_the_pool_ends_on_the_loop(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    struct test_job jobs[3];
    struct pool *p = NULL, *idle = NULL, *released = NULL;
    struct cw_err err;
    int left = 3;
    int64_t threads = cwtest_threads_now();

    (void)state;
    assert_true(threads > 0);
    assert_int_equal(pool_new(loop, 1, &p, &err), 0);
    pthread_mutex_lock(&gate); /* the one worker blocks in the first job */
    for (int i = 0; i < 3; i++) {
        job_init(&jobs[i], &left, loop, &gate);
        pool_submit(p, &jobs[i].base);
    }
    wait_until_started(&jobs[0]);
    pool_release(p, &released);
    assert_ptr_equal(released, p);     /* on the owner's list until it ends */
    assert_int_equal(jobs[0].done, 0); /* it returned while the job still runs */
    for (int i = 1; i < 3; i++) {
        assert_int_equal(jobs[i].done, 1);
        assert_int_equal(jobs[i].cancelled, 1);
    }
    pthread_mutex_unlock(&gate);
    ev_run(loop, 0); /* until the last done (ev_break) */
    assert_int_equal(jobs[0].done, 1);
    assert_int_equal(jobs[0].cancelled, 0);
    assert_true(jobs[0].ran);
    /* Its worker gone, the pool's last wake (sent as it left) ends it on the loop. */
    for (int ms = 0; cwtest_threads_now() > threads; ms++) {
        if (ms > GUARD_MS)
            fail_msg("the released pool's worker never left");
        usleep(1000);
    }
    ev_run(loop, EVRUN_NOWAIT);
    assert_null(released); /* it left the list as it was freed */

    assert_int_equal(pool_new(loop, 2, &idle, &err), 0);
    pool_release(idle, &released); /* no job: freed now */
    assert_null(released);
    ev_loop_destroy(loop);
}

static void wait_threads_at_most(int64_t n)
{
    for (int ms = 0; cwtest_threads_now() > n; ms++) {
        if (ms > GUARD_MS)
            fail_msg("%lld threads, expected %lld", (long long)cwtest_threads_now(), (long long)n);
        usleep(1000);
    }
}

/* The loop may end before a released pool's worker is back (camwatchd stopped right after a
 * reload released one): each waits on its owner's list, leaves it when the loop frees it, and
 * the owner ends those still on it with pool_finish_released before it destroys the loop:
 * threads joined, jobs' done run (ASan: nothing leaks, nothing freed twice). */
static void test_released_pools_the_loop_did_not_end_are_finished_by_its_owner(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_t gate_a = PTHREAD_MUTEX_INITIALIZER, gate_b = PTHREAD_MUTEX_INITIALIZER;
    struct test_job ja, jb;
    struct pool *a = NULL, *b = NULL, *released = NULL;
    struct cw_err err;
    int left_a = 1, left_b = 1;
    int64_t threads = cwtest_threads_now();

    (void)state;
    assert_true(threads > 0);
    assert_int_equal(pool_new(loop, 1, &a, &err), 0);
    assert_int_equal(pool_new(loop, 1, &b, &err), 0);
    pthread_mutex_lock(&gate_a);
    pthread_mutex_lock(&gate_b);
    job_init(&ja, &left_a, loop, &gate_a);
    job_init(&jb, &left_b, NULL, &gate_b);
    pool_submit(a, &ja.base);
    pool_submit(b, &jb.base);
    wait_until_started(&ja);
    wait_until_started(&jb);
    pool_release(a, &released);
    pool_release(b, &released);
    assert_ptr_equal(released, b); /* b, then a */

    /* a's worker is back while the loop runs: a ends there and leaves the list (behind b). */
    pthread_mutex_unlock(&gate_a);
    ev_run(loop, 0); /* until a's job is done (ev_break) */
    assert_int_equal(ja.done, 1);
    wait_threads_at_most(threads + 1); /* a's worker left; b's is still inside its job */
    ev_run(loop, EVRUN_NOWAIT);        /* a's last wake: a is freed */
    assert_ptr_equal(released, b);

    /* The loop runs no more; b's job ends (as an interrupted read does) and its owner
     * finishes b: its thread joined, its job's done run here. */
    pthread_mutex_unlock(&gate_b);
    pool_finish_released(&released);
    assert_null(released);
    assert_int_equal(jb.done, 1);
    assert_int_equal(jb.cancelled, 0);
    assert_true(jb.ran);
    wait_threads_at_most(threads);   /* b's worker joined (a's was, on the loop) */
    pool_finish_released(&released); /* an empty list: nothing */
    ev_loop_destroy(loop);
}

static void test_growing_starts_workers_while_the_others_are_busy(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    struct test_job busy, more[2];
    struct pool *p = NULL;
    struct cw_err err;
    int busy_left = 1, left = 2;

    (void)state;
    assert_int_equal(pool_new(loop, 1, &p, &err), 0);
    pthread_mutex_lock(&gate);
    job_init(&busy, &busy_left, NULL, &gate);
    pool_submit(p, &busy.base);
    wait_until_started(&busy); /* the one worker is held */
    assert_int_equal(pool_resize(p, 3, &err), 0);
    assert_int_equal(pool_workers(p), 3);
    for (int i = 0; i < 2; i++) {
        job_init(&more[i], &left, loop, NULL);
        pool_submit(p, &more[i].base);
    }
    ev_run(loop, 0); /* returns when both came back: they ran on the new workers */
    assert_int_equal(left, 0);
    assert_int_equal(busy.ran, 0);
    assert_int_equal(pool_threads(p), 3);
    pthread_mutex_unlock(&gate);
    pool_free(p);
    assert_int_equal(busy.done, 1);
    ev_loop_destroy(loop);
}

static void test_shrinking_lets_idle_workers_go_now_and_busy_ones_after_their_job(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    struct test_job busy[2], after[10];
    struct pool *p = NULL;
    struct cw_err err;
    int left = 2;

    (void)state;
    assert_int_equal(pool_new(loop, 4, &p, &err), 0);
    wait_threads(p, 4);
    pthread_mutex_lock(&gate);
    for (int i = 0; i < 2; i++) {
        job_init(&busy[i], &left, loop, &gate);
        pool_submit(p, &busy[i].base);
    }
    wait_until_started(&busy[0]);
    wait_until_started(&busy[1]);
    assert_int_equal(pool_resize(p, 1, &err), 0);
    wait_threads(p, 2); /* the two idle ones left; the busy ones finish first */
    pthread_mutex_unlock(&gate);
    ev_run(loop, 0);
    assert_int_equal(busy[0].done + busy[1].done, 2);
    wait_threads(p, 1);
    left = 10;
    for (int i = 0; i < 10; i++) {
        job_init(&after[i], &left, loop, NULL);
        pool_submit(p, &after[i].base);
    }
    ev_run(loop, 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(after[i].ran, 1);
        assert_true(pthread_equal(after[i].ran_on, after[0].ran_on)); /* the one worker left */
    }
    pool_free(p);
    ev_loop_destroy(loop);
}

static void test_zero_workers_keep_jobs_queued_until_workers_come_back(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct test_job jobs[3];
    struct pool *p = NULL;
    struct cw_err err;
    int left = 3;

    (void)state;
    assert_int_equal(pool_new(loop, 2, &p, &err), 0);
    assert_int_equal(pool_resize(p, 0, &err), 0);
    wait_threads(p, 0);
    for (int i = 0; i < 3; i++) {
        job_init(&jobs[i], &left, loop, NULL);
        pool_submit(p, &jobs[i].base);
    }
    assert_int_equal(jobs[0].ran + jobs[1].ran + jobs[2].ran, 0); /* no thread to run them */
    assert_int_equal(pool_pending(p), 3);
    assert_int_equal(pool_resize(p, 2, &err), 0);
    ev_run(loop, 0);
    assert_int_equal(jobs[0].ran + jobs[1].ran + jobs[2].ran, 3);
    pool_free(p);
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_job_runs_on_a_worker_and_comes_back_on_the_loop),
        cmocka_unit_test(test_free_cancels_queued_jobs_and_finishes_running_ones),
        cmocka_unit_test(test_release_returns_while_a_job_runs_and_the_pool_ends_on_the_loop),
        cmocka_unit_test(test_released_pools_the_loop_did_not_end_are_finished_by_its_owner),
        cmocka_unit_test(test_growing_starts_workers_while_the_others_are_busy),
        cmocka_unit_test(test_shrinking_lets_idle_workers_go_now_and_busy_ones_after_their_job),
        cmocka_unit_test(test_zero_workers_keep_jobs_queued_until_workers_come_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
