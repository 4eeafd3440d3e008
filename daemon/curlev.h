/* curlev.h - libcurl's multi interface driven by a libev loop: curl's socket
 * callback keeps one ev_io per socket, its timer callback one ev_timer. No
 * polling, no threads. Loop thread only. */
#ifndef CW_CURLEV_H
#define CW_CURLEV_H

#include <curl/curl.h>
#include <ev.h>

#include "../util/err.h"

struct curlev;

/* Called on the loop when a transfer ends; the easy handle has already been removed from the
 * multi, so the callee may free it. */
typedef void (*curlev_done_fn)(CURL *easy, CURLcode rc, void *data);

/* Make a multi handle bound to loop. done/data receive every finished transfer. Caller frees
 * with curlev_free. */
int curlev_new(struct ev_loop *loop, curlev_done_fn done, void *data, struct curlev **out,
               struct cw_err *err);
/* Start a transfer; the easy handle stays the caller's. Returns 0 or -1. */
int curlev_add(struct curlev *c, CURL *easy, struct cw_err *err);
/* Abandon a transfer in flight (no done callback for it). */
void curlev_remove(struct curlev *c, CURL *easy);
/* Accepts NULL. Transfers still in flight must have been removed by the caller. */
void curlev_free(struct curlev *c);

#endif
