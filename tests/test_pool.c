/* test_pool.c - the worker pool: every job runs on a worker and comes back
 * on the loop; jobs still queued when the pool is freed come back cancelled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../daemon/pool.h"

#define JOBS 200

struct test_job {
    struct pool_job base;
    pthread_t ran_on;
    int ran;
    int done;
    int cancelled;
    int *left;
    struct ev_loop *loop;
    pthread_mutex_t *gate; /* held by the test to keep workers busy */
};

static void job_work(struct pool_job *job)
{
    struct test_job *j = (struct test_job *)job;

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_job_runs_on_a_worker_and_comes_back_on_the_loop),
        cmocka_unit_test(test_free_cancels_queued_jobs_and_finishes_running_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
