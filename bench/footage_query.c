/* footage_query.c - the footage query as the CLI and the HTTP API make it (doc_view_footage),
 * timed in the process so the figure is the query's, not a process start's: random points at
 * the cameras' positions (jittered up to 100 m), a 500 m radius, random one-hour ranges inside
 * the indexed span. bench/footage builds the store and runs this.
 *
 *   bench_footage_query CONF QUERIES FROM_MS TO_MS
 *
 * Prints one JSON object: p50_ms, p99_ms, max_ms (wall), cpu_p50_ms, cpu_p99_ms (the
 * thread's CPU: what the query costs, whatever else the machine runs), queries, cameras (mean
 * per answer), windows (mean per camera). Exits 1 when an answer is wrong: no camera, or a camera
 * whose windows do not cover its hour (the bench's segments leave no hole). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../util/cwtime.h"
#include "benchclock.h"

#define RADIUS_M 500.0
#define HOUR_MS 3600000LL
#define JITTER_DEG 0.0009 /* about 100 m */

/* 1 when every camera of the answer has footage over the whole hour. */
static int answer_ok(const json_t *doc, double *cams, double *windows)
{
    const json_t *o;
    size_t i;

    if (json_array_size(doc) == 0)
        return 0;
    json_array_foreach(doc, i, o)
    {
        if (json_integer_value(json_object_get(o, "covered_ms")) != HOUR_MS)
            return 0;
        *windows += (double)json_array_size(json_object_get(o, "windows"));
    }
    *cams += (double)json_array_size(doc);
    return 1;
}

int main(int argc, char **argv)
{
    struct cw_errlist errs = {0};
    struct cfg *cfg = NULL;
    struct store *s = NULL;
    struct store_place *places = NULL;
    struct cw_err err;
    size_t n_places = 0;
    int queries, bad = 0;
    int64_t from, to;
    double *t, *cpu, cams = 0, windows = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: %s CONF QUERIES FROM_MS TO_MS\n", argv[0]);
        return 2;
    }
    queries = atoi(argv[2]);
    from = strtoll(argv[3], NULL, 10);
    to = strtoll(argv[4], NULL, 10);
    if (queries < 1 || to - from < 2 * HOUR_MS || cfg_load(argv[1], &cfg, &errs) != 0 ||
        store_open(cfg->database, STORE_READONLY, &s, &err) != 0 ||
        store_list_places(s, &places, &n_places, &err) != 0 || n_places == 0) {
        fprintf(stderr, "bench_footage_query: cannot start\n");
        return 2;
    }
    t = calloc((size_t)queries, sizeof(*t));
    cpu = calloc((size_t)queries, sizeof(*cpu));
    srand(42);
    for (int q = 0; q < queries && t != NULL && cpu != NULL; q++) {
        const struct store_place *p = &places[(size_t)rand() % n_places];
        struct doc_ctx c = {s, cfg, cfg->time_zone};
        struct doc_footage_query fq = {.scope.place = STORE_PLACE_POINT,
                                       .scope.radius_m = RADIUS_M};
        int64_t hour = (to - from - HOUR_MS) / HOUR_MS;
        json_t *doc = NULL;
        struct bench_clock clk;

        fq.scope.lat = p->lat + JITTER_DEG * ((double)rand() / RAND_MAX - 0.5);
        fq.scope.lon = p->lon + JITTER_DEG * ((double)rand() / RAND_MAX - 0.5);
        fq.scope.from_ms = from + ((int64_t)rand() % hour) * HOUR_MS + (rand() % 60) * 60000LL;
        fq.scope.to_ms = fq.scope.from_ms + HOUR_MS;
        fq.now_ms = to;
        clk = bench_clock_start();
        if (doc_view_run(&c, &doc_view_footage, &fq, &doc, &err) != 0) {
            fprintf(stderr, "bench_footage_query: %s\n", err.msg);
            return 1;
        }
        bench_clock_stop(&clk, &t[q], &cpu[q]);
        bad += !answer_ok(doc, &cams, &windows);
        json_decref(doc);
    }
    if (t == NULL || cpu == NULL)
        return 2;
    qsort(t, (size_t)queries, sizeof(*t), bench_cmp_double);
    qsort(cpu, (size_t)queries, sizeof(*cpu), bench_cmp_double);
    printf("{\"queries\": %d, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
           "\"cpu_p50_ms\": %.3f, \"cpu_p99_ms\": %.3f, \"cameras\": %.2f, "
           "\"windows\": %.2f, \"wrong\": %d}\n",
           queries, t[queries / 2], t[(int)floor(queries * 0.99)], t[queries - 1], cpu[queries / 2],
           cpu[(int)floor(queries * 0.99)], cams / queries, windows / (cams > 0 ? cams : 1), bad);
    free(t);
    free(cpu);
    free(places);
    store_close(s);
    cfg_free(cfg);
    cw_errlist_clear(&errs);
    return bad ? 1 : 0;
}
