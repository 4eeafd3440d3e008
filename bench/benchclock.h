/* benchclock.h - the clocks of the benches timed in the process (footage_query.c,
 * startup.c): wall time (monotonic) and the calling thread's CPU time, in ms, and medians. */
#ifndef CW_BENCHCLOCK_H
#define CW_BENCHCLOCK_H

#include <stdlib.h>
#include <time.h>

struct bench_clock {
    double wall_ms, cpu_ms; /* at the start */
};

static inline double bench_clock_ms(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline struct bench_clock bench_clock_start(void)
{
    struct bench_clock c = {bench_clock_ms(CLOCK_MONOTONIC),
                            bench_clock_ms(CLOCK_THREAD_CPUTIME_ID)};

    return c;
}

/* The wall and thread CPU ms since bench_clock_start. */
static inline void bench_clock_stop(const struct bench_clock *c, double *wall_ms, double *cpu_ms)
{
    *wall_ms = bench_clock_ms(CLOCK_MONOTONIC) - c->wall_ms;
    *cpu_ms = bench_clock_ms(CLOCK_THREAD_CPUTIME_ID) - c->cpu_ms;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sorts v in place. */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
    return v[n / 2];
}

#endif
