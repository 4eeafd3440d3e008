/* api.h - what the daemon serves over HTTP (http.h): the JSON API under /api/v1/ (the same
 * documents the CLI prints, index/doc.h), /metrics for Prometheus, /healthz, and the
 * dashboard's files. One table of endpoints (method, path pattern, least role, handler) in
 * api.c; bearer tokens from the tokens file (auth.h). Documents are built on the loop from
 * the daemon's store connection; writes and slow reads run on a small worker pool of the
 * API's own, each job with its own store connection, and come back through the pool's
 * ev_async. Owns the server, the tokens, the pool. Loop thread only. */
#ifndef CW_API_H
#define CW_API_H

#include <ev.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../util/err.h"

struct fleet;
struct vitals;
struct reload;
struct api;

struct api_env {
    struct ev_loop *loop;
    struct store *store;         /* the daemon's connection: documents are read through it */
    const struct cfg *cfg;       /* until api_reload gives another */
    struct fleet *fleet;         /* probe counters for /metrics; NULL: none */
    struct vitals *vitals;       /* loop lag for /metrics; NULL: none */
    const struct reload *reload; /* the last configuration load, for /metrics; NULL: none */
};

/* Listen where env->cfg says and serve. Borrows what env points to. Every problem (the
 * address, the tokens file) is appended to errs; one about an [http] key's value names the
 * conf file, the key's line and the key. Caller frees with api_free. */
int api_new(const struct api_env *env, struct api **out, struct cw_errlist *errs);
/* The API's part of --check-config: the tokens file the daemon would read parses (a missing
 * one is fine: no tokens). Every problem appended to errs, as api_new names them; 0 or -1. */
int api_check(const struct cfg *cfg, struct cw_errlist *errs);

/* A new configuration (SIGHUP): its cameras and names from now on, the tokens file read
 * again. Where to listen and the store's path (env->store's, which the workers open too) are
 * read only at start. Borrows cfg. */
void api_reload(struct api *a, const struct cfg *cfg);
/* Answer what is in flight 503, stop the workers and the server. Accepts NULL. */
void api_free(struct api *a);
/* At start-up, before any export of this daemon's: every API export a camwatchd before it began
 * and never ended (one daemon per store: it is dead) gets its export.failed row on s, its
 * temporaries in export_dir removed, one log line each (api_export_dead.c). A row that cannot
 * be written is logged; the daemon goes on. */
void api_exports_close_dead(struct store *s, const char *export_dir, int64_t now_ms);

#endif
