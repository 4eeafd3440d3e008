/* metrics.h - /metrics in Prometheus' text format (version 0.0.4), written from the same
 * documents the CLI and the API give (the status list and the clock list of index/doc.h) and
 * the daemon's own counters. Names follow Prometheus' conventions: base units in the name
 * (_seconds, _bits_per_second, _timestamp_seconds), _total on counters; the only labels are
 * the inventory's cameras and owners, the five states and the probes' fixed outcomes.
 * A pure function of its input: any thread. */
#ifndef CW_METRICS_H
#define CW_METRICS_H

#include <jansson.h>
#include <stddef.h>

#include "../config/cfg.h"
#include "../index/store_footage.h"
#include "auth.h"
#include "batch.h"
#include "fleet.h"
#include "http.h"
#include "reload.h"

struct metrics_in {
    const json_t *status;                       /* doc_view_status's array (every camera) */
    const json_t *clock;                        /* doc_view_clock's array */
    const struct cfg *cfg;                      /* the owners */
    const struct fleet_counts *probes;          /* NULL: not given */
    const struct http_stats *http;              /* NULL: not given */
    const struct auth_stats *auth;              /* NULL: not given */
    const struct store_footage_oldest *footage; /* each camera's oldest footage */
    size_t n_footage;
    const double *loop_lag_ms;         /* [last, max over the window]; NULL: not given */
    const struct batch_health *store;  /* the write batch's figures; NULL: not given */
    const struct reload_state *config; /* the last load of the configuration; NULL: not given */
};

/* The exposition text, NUL-terminated, its length in *len. Caller frees; NULL when out of
 * memory. */
char *metrics_render(const struct metrics_in *in, size_t *len);

#endif
