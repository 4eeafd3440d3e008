/* api_priv.h - what the API's files share (not for callers outside daemon/api*.c and
 * metrics.c): the API's record, one call to an endpoint, the helpers every handler uses
 * (api_util.c) and the handlers the table in api.c names. */
#ifndef CW_API_PRIV_H
#define CW_API_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "../config/tokens.h"
#include "../index/doc.h"
#include "api.h"
#include "auth.h"
#include "http.h"
#include "httpparse.h"
#include "pool.h"

/* The HTTP statuses the API's handlers answer with. */
#define HTTP_CREATED 201
#define HTTP_ACCEPTED 202
#define HTTP_BAD_REQUEST 400
#define HTTP_UNAUTHORIZED 401
#define HTTP_FORBIDDEN 403
#define HTTP_NOT_FOUND 404
#define HTTP_METHOD_NOT_ALLOWED 405
#define HTTP_CONFLICT 409
#define HTTP_INTERNAL 500
#define HTTP_UNAVAILABLE 503

#define API_WORKERS 2 /* threads for writes and slow reads of the API */
/* Jobs queued or running on the API's workers at once; a request over it is answered 503 with
 * Retry-After: API_RETRY_AFTER_S. Each waits on a suspended connection, which never times
 * out, so without a cap a burst (or a scraper retrying a slow /metrics) could hold every
 * connection ([http] connections, 256 by default) and leave none for the answers the loop
 * gives at once. 2 workers get through 64 jobs of the usual size (a write, a report) in
 * seconds: a client waiting longer is better told to ask again. */
#define API_JOBS_MAX 64
#define API_RETRY_AFTER_S 2
/* Exports waiting for the exports' one thread, the one running not counted; one more is
 * answered 503 "busy" with Retry-After: EXPORTS_RETRY_AFTER_S. Each holds its plan (every
 * segment of its cameras) in memory until it runs, and one export remuxes and hashes for
 * minutes: 16 waiting is a team's case load, hours of work; a client asking for more is
 * better told to come back than queued without end. */
#define EXPORTS_WAITING_MAX 16
#define EXPORTS_RETRY_AFTER_S 60

struct export_job;
struct api_job;

struct api {
    struct api_env env;
    char *db_path; /* the store env.store is open on, as at api_new: the workers' too */
    struct http *http;
    struct auth *auth;
    struct pool *pool;
    struct pool *export_pool;   /* one thread: exports run one at a time (api_export.c) */
    struct export_job *exports; /* running and recent exports, newest first */
    int stopping;               /* api_free began: a job's done answers 503, queues nothing */
    /* The jobs running on the workers with a store connection open, so that the stop can
     * interrupt their reads (api_jobs_interrupt). Guarded by run_mu: a worker links its job
     * once the job's connection is open and unlinks it before closing the connection, so a
     * store reached through the list under run_mu is open. interrupting (under run_mu too):
     * the stop interrupted them; a job taken from then on does not run. */
    pthread_mutex_t run_mu;
    struct api_job *running;
    int interrupting;
};

/* One request to one endpoint, as the handler sees it. */
struct api_call {
    struct api *api;
    struct http_req *req;
    struct httpparse_captures caps; /* the pattern's {name} segments */
    char who[TOKENS_NAME_MAX + 1];  /* the token's name; "" for an open endpoint */
    enum tokens_role role;          /* 0 for an open endpoint */
    struct doc_ctx doc;             /* the documents' view of the daemon's store */
};

/* ---- api_util.c ---- */

/* The answer of a doc_* function: 200 with doc, 404 (DOC_NOT_FOUND), 400 (DOC_BAD_INPUT:
 * bad_parameter for a value of the query, bad_body for one of the JSON body, else
 * bad_request), 409 conflict (DOC_CONFLICT) or 500 (logged). Takes doc's reference. */
void api_reply_doc(struct api_call *c, int rc, json_t *doc, const struct cw_err *err);
/* 503 {"error": "busy"} with Retry-After: retry_after_s, detail as fmt says. */
void api_reply_busy(struct api_call *c, int retry_after_s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 400 {"error": "bad_parameter"} naming the parameter. */
void api_reply_bad_param(struct api_call *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Query parameter name as one time (cw_parse_time in the site's zone), or dflt when absent; a
 * range of two is cw_range_at's. Returns 0, or -1 after answering 400. */
int api_param_time(struct api_call *c, const char *name, const char *dflt, int64_t *out);
/* Query parameter name as a whole number in [min, max], or dflt when absent. 0 or -1 (400). */
int api_param_uint(struct api_call *c, const char *name, uint64_t min, uint64_t max, uint64_t dflt,
                   uint64_t *out);

/* The request's body as a JSON object of fields (httpparse_json), or NULL after answering 400
 * "bad_body" with why and usage (what the body should be: "expected {...}"). */
json_t *api_body(struct api_call *c, const struct httpparse_field *fields, size_t n,
                 const char *usage);
/* The request's body as api_body reads it, and a new job (api_job_new) to carry what it says
 * to the workers: the job, with *body (the caller's to json_decref), or NULL after answering
 * 400 or 500 (nothing to free). */
void *api_body_job(struct api_call *c, const struct httpparse_field *fields, size_t n,
                   const char *usage, size_t size, json_t **body);
/* The body's string field key into buf, "" when the body has none (its length is what
 * api_body checked against the field's). */
void api_body_text(const json_t *body, const char *key, char *buf, size_t len);

/* Open path for reading when it is a regular file inside dir (after every link is followed);
 * with exact (a relative path, not NULL), only when what path leads to is dir/exact itself:
 * no link on the way leads elsewhere, even inside dir. The fd, or -1 with why filled (a
 * sentence, never the path). Does not block on FIFOs. */
int api_open_inside(const char *path, const char *dir, const char *exact, char *why,
                    size_t why_len);

/* A job for the API's workers, embedded first in a handler's own struct (malloc'd). work runs
 * on a worker with a store connection of its own in mode, to the daemon's store (api.db_path,
 * whatever a reload says since; NULL when it could not open: rc -1 and err say why); done runs on
 * the loop, answers the request, and must not free the job (the caller of done frees it). When the
 * daemon stops first, the request is answered 503; when it stops while work reads, the read is
 * interrupted (api_jobs_interrupt) and a job that ends with rc != 0 is answered 503 too (one
 * that got through, rc 0, its own answer: a write it made is said). A job that never reads the
 * store sets no_store before api_job_start: work gets NULL and rc 0, and no connection is opened
 * for it. A job holding more (JSON, arrays) sets release before api_job_start: it frees them, on
 * the loop, after done or the 503 (or a failed start). */
struct api_job {
    struct pool_job base;
    struct api_call call;
    enum store_mode mode;
    int no_store;
    char *db_path;
    void (*work)(struct api_job *j, struct store *s);
    void (*done)(struct api_job *j);
    void (*release)(struct api_job *j); /* NULL: nothing to free */
    int rc;
    struct cw_err err;
    int interrupted;          /* the stop interrupted work, or came before it ran */
    struct store *store;      /* work's connection while in api.running */
    struct api_job *run_next; /* api.running's link, under api.run_mu */
};
/* A new zeroed job of size bytes (a handler's struct, its struct api_job first), or NULL after
 * answering 500. */
void *api_job_new(struct api_call *c, size_t size);
/* Defer c's request and queue j (taken: freed after its done), or answer 503 "busy" with
 * Retry-After when API_JOBS_MAX jobs are on the workers already (j freed, released). */
void api_job_start(struct api_call *c, struct api_job *j, enum store_mode mode,
                   void (*work)(struct api_job *j, struct store *s),
                   void (*done)(struct api_job *j));

/* What an audited view writes to the audit chain before it reads: its action, subject and
 * detail, at at_ms, with the token's name (store_audit_append). */
struct api_audit {
    const char *action; /* static */
    char subject[128], detail[256];
    int64_t at_ms;
};
/* Answer c with view's document for query: the store read on a worker with a connection of its
 * own, the document built on the loop (index/doc.h: struct doc_view) and answered as
 * api_reply_doc does. The job holds its own copy of query (doc_view_query_copy): the caller's
 * may go when this returns. audit (NULL: none) is written first, on a READWRITE connection: no
 * audit row, no answer. Answers 500 when out of memory, 503 as api_job_start. */
void api_view_start(struct api_call *c, const struct doc_view *view, const void *query,
                    const struct api_audit *audit);

/* Interrupt the store reads of the jobs on the workers (store_interrupt), and every job a
 * worker takes from now on: they end at once, answered 503 "stopping", instead of holding the
 * stop for as long as a read takes. A no_store job running already (a report's rendering) runs
 * to its end: it is bounded by the document it was given. Loop thread (api_free, before the
 * pool is freed). */
void api_jobs_interrupt(struct api *a);

/* A request id from a path segment: the id, or 0 after answering 404 (api_footage.c). */
int64_t api_request_id(struct api_call *c, const char *s);

/* The exports' pool and records (api_export.c): made with the API, freed with it (running
 * exports cancelled, their folders left clean). */
int api_exports_new(struct api *a, struct cw_err *err);
void api_exports_free(struct api *a);
/* Whether id is an API export's name as api_export.c makes them: "request-R-N", digits only. */
int api_export_id_valid(const char *id);

/* ---- the handlers (api_views.c, api_footage.c, api_export.c, api_report.c) ---- */
void api_healthz(struct api_call *c);
void api_whoami(struct api_call *c);
void api_daemon(struct api_call *c);
void api_cameras(struct api_call *c);
void api_camera(struct api_call *c);
void api_samples(struct api_call *c);
void api_device(struct api_call *c);
void api_thumbnail(struct api_call *c);
void api_maintenance(struct api_call *c);
void api_reference(struct api_call *c);
void api_events(struct api_call *c);
void api_uptime(struct api_call *c);
void api_clock(struct api_call *c);
void api_metrics(struct api_call *c);
void api_footage_find(struct api_call *c);
void api_requests(struct api_call *c);
void api_request(struct api_call *c);
void api_request_create(struct api_call *c);
void api_export_start(struct api_call *c);
void api_exports(struct api_call *c);
void api_export(struct api_call *c);
void api_export_file(struct api_call *c);
void api_report(struct api_call *c);
void api_tickets(struct api_call *c);
void api_ticket_add(struct api_call *c);
void api_ticket_close(struct api_call *c);
void api_web(struct api_call *c);

#endif
