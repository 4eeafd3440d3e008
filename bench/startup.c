/* startup.c - the part of a start-up that grows with the inventory, timed in the process so
 * the figure is its own, not a process start's (about 23 ms of CPU here, most of it the
 * dynamic loader binding Debian's FFmpeg and what it pulls in): the configuration loaded and
 * checked as camwatchd and every camwatch command load it (cfg_load: camwatch.conf,
 * credentials.ini, cameras.csv, every row validated, duplicate ids found), and the inventory
 * synced to the store as camwatchd does at every start (store_open, store_sync_cameras).
 * bench/scale/fleet runs it at each size.
 *
 *   bench_startup CONF REPS
 *
 * The store named by CONF is made and synced once (not timed, as a timer's second run finds
 * it), then REPS times each: the load (cfg_load, cfg_free) and the sync of the unchanged
 * inventory (store_open, store_sync_cameras, store_close). Prints one JSON object: cameras,
 * load_ms and load_cpu_ms, sync_ms and sync_cpu_ms (medians of REPS; CPU is the thread's:
 * what the step costs, whatever else the machine runs). Exits 1 when the config does not
 * load or the store refuses the sync. */
#include <stdio.h>
#include <stdlib.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../util/cwtime.h"
#include "benchclock.h"

#define REPS_MAX 100

struct timing {
    double wall[REPS_MAX], cpu[REPS_MAX];
};

static int load(const char *conf, struct cfg **out)
{
    struct cw_errlist errs = {0};
    char line[1024];
    int rc = cfg_load(conf, out, &errs);

    for (size_t i = 0; rc != 0 && i < errs.n && i < 5; i++) {
        cw_err_format(&errs.v[i], line, sizeof(line));
        fprintf(stderr, "bench_startup: %s\n", line);
    }
    cw_errlist_clear(&errs);
    return rc;
}

static int sync_store(const struct cfg *cfg)
{
    struct store *s = NULL;
    struct cw_err err;
    int rc = -1;

    if (store_open(cfg->database, STORE_READWRITE, &s, &err) == 0 &&
        store_sync_cameras(s, cfg, cw_now_ms(), &err) == 0)
        rc = 0;
    else
        fprintf(stderr, "bench_startup: %s: %s\n", cfg->database, err.msg);
    store_close(s);
    return rc;
}

int main(int argc, char **argv)
{
    static struct timing ld, sy;
    struct cfg *cfg = NULL;
    size_t cameras;
    int reps;

    reps = argc == 3 ? atoi(argv[2]) : 0;
    if (reps < 1 || reps > REPS_MAX) {
        fprintf(stderr, "usage: %s CONF REPS (1 to %d)\n", argv[0], REPS_MAX);
        return 2;
    }
    if (load(argv[1], &cfg) != 0 || sync_store(cfg) != 0)
        return 1;
    cameras = cfg->n_cameras;
    cfg_free(cfg);
    for (int r = 0; r < reps; r++) {
        struct bench_clock c = bench_clock_start();

        if (load(argv[1], &cfg) != 0)
            return 1;
        cfg_free(cfg);
        bench_clock_stop(&c, &ld.wall[r], &ld.cpu[r]);
    }
    if (load(argv[1], &cfg) != 0)
        return 1;
    for (int r = 0; r < reps; r++) {
        struct bench_clock c = bench_clock_start();

        if (sync_store(cfg) != 0)
            return 1;
        bench_clock_stop(&c, &sy.wall[r], &sy.cpu[r]);
    }
    cfg_free(cfg);
    printf("{\"cameras\": %zu, \"reps\": %d, \"load_ms\": %.3f, \"load_cpu_ms\": %.3f, "
           "\"sync_ms\": %.3f, \"sync_cpu_ms\": %.3f}\n",
           cameras, reps, bench_median(ld.wall, reps), bench_median(ld.cpu, reps),
           bench_median(sy.wall, reps), bench_median(sy.cpu, reps));
    return 0;
}
