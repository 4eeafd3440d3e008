/* curlev.h - libcurl's multi interface driven by a libev loop: curl's socket
 * callback keeps one ev_io per socket, its timer callback one ev_timer. No
 * polling, no threads. The daemon makes one; every part that speaks over curl
 * (the probes, the alerts) adds its transfers to it. Loop thread only. */
#ifndef CW_CURLEV_H
#define CW_CURLEV_H

#include <curl/curl.h>
#include <ev.h>

#include "../util/err.h"

struct curlev;

/* Every transfer's CURLOPT_PRIVATE points at one of these, the first member of its owner's
 * record: done is called on the loop when the transfer ends, the easy handle already removed
 * from the multi (the callee may free it). */
struct curlev_xfer {
    void (*done)(struct curlev_xfer *x, CURLcode rc);
};

/* Make a multi handle bound to loop. Caller frees with curlev_free. */
int curlev_new(struct ev_loop *loop, struct curlev **out, struct cw_err *err);
/* Start a transfer, whose CURLOPT_PRIVATE is a struct curlev_xfer; the easy handle stays the
 * caller's. Returns 0 or -1. */
int curlev_add(struct curlev *c, CURL *easy, struct cw_err *err);
/* Abandon a transfer in flight (no done callback for it). */
void curlev_remove(struct curlev *c, CURL *easy);
/* Accepts NULL. Transfers still in flight must have been removed by the caller. */
void curlev_free(struct curlev *c);

#endif
