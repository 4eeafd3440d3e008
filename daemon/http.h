/* http.h - the daemon's HTTP server: libmicrohttpd in its external epoll mode, driven by the
 * libev loop (MHD's epoll descriptor watched by an ev_io, MHD_run called from it and from a
 * timer set from MHD_get_timeout; no thread of MHD's own). Listens on a TCP address and
 * optionally a unix socket. Knows nothing of endpoints: each complete request (headers, and
 * a body within the limit) goes to one handler, which answers at once or later (a pool job,
 * a delay), through MHD's suspend and resume, never by blocking the loop.
 *
 * A request's life:
 *   request line in (its record made) -> headers in (path and query over max_header: 414,
 *   request line and headers over it: 431) -> body read (over max_body: 413); a request
 *   refused so never reaches the handler, and is answered in JSON as the handler's errors are
 *     -> handler(req) -> http_reply_*()            answered now
 *                     -> http_defer(), later http_reply_*()   suspended, then resumed
 *   http_reply_after(req, s) holds the next answer s seconds (a timer), the loop running on.
 * Owns the MHD daemons, their listening sockets (closed and the unix socket unlinked by
 * http_free), the watchers and every request record. Loop thread only. */
#ifndef CW_HTTP_H
#define CW_HTTP_H

#include <ev.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* Defaults of struct http_limits. */
#define HTTP_CONNECTIONS_DEFAULT 256  /* open connections at once, all clients */
#define HTTP_PER_CLIENT_DEFAULT 64    /* from one TCP client address */
#define HTTP_TIMEOUT_S_DEFAULT 30     /* an idle connection is closed after this */
#define HTTP_MAX_BODY_DEFAULT 65536   /* request body bytes */
#define HTTP_MAX_HEADER_DEFAULT 32768 /* request line and headers, bytes (414, 431 past it) */

struct http_limits {
    unsigned connections;
    unsigned per_client; /* 0: no limit per address */
    unsigned timeout_s;
    size_t max_body;
    size_t max_header;
};

struct http;
struct http_req;

/* A complete request; the handler must answer it with one http_reply_* now, or call
 * http_defer and answer later. Borrowed req lives until it is answered. */
typedef void (*http_handler_fn)(void *data, struct http_req *req);

/* Listen on listen ("host:port", IPv4, [IPv6] or a name resolved once here) and, when
 * unix_path is not NULL, on a unix socket there (a stale socket file is replaced; made 0660).
 * lim NULL: the defaults. Caller frees with http_free. */
int http_new(struct ev_loop *loop, const char *listen, const char *unix_path,
             const struct http_limits *lim, http_handler_fn handler, void *data, struct http **out,
             struct cw_err *err);
/* Answer every deferred request 503, close the sockets, free. Accepts NULL. */
void http_free(struct http *h);

/* The TCP port listened on (the one the kernel picked for port 0), or -1. */
int http_port(const struct http *h);

/* Counters for /metrics. */
struct http_stats {
    unsigned connections; /* open now */
    unsigned held;        /* requests deferred or held now */
    uint64_t answered[6]; /* requests answered, by status class: [2] 2xx ... [5] 5xx */
    uint64_t too_large;   /* refused as too large: a body (413), a head (414, 431) */
};
void http_get_stats(const struct http *h, struct http_stats *out);

/* ---- the request (all borrowed from req; valid until it is answered) ---- */
const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r); /* decoded, without the query */
const char *http_req_header(const struct http_req *r, const char *name); /* NULL: absent */
const char *http_req_query(const struct http_req *r, const char *name);  /* NULL: absent */
/* The first query parameter whose name is not in the NULL-terminated list allowed, or
 * NULL when there is none; in *repeated the first allowed one given twice, or NULL
 * (http_req_query would read only one of them); in *valueless the first allowed one given
 * without '=' ("?limit"), or NULL (http_req_query reads it as absent). */
const char *http_req_unknown_query(const struct http_req *r, const char *const *allowed,
                                   const char **repeated, const char **valueless);
const char *http_req_body(const struct http_req *r, size_t *len); /* "" when none */
/* The client: its IP address as text, or on the unix socket its peer's user, "unix uid=UID"
 * (SO_PEERCRED; "unix" when the kernel does not say). */
const char *http_req_client(const struct http_req *r);
/* What the handler wants logged with the request (a token's name); copied. */
void http_req_set_user(struct http_req *r, const char *user);

/* ---- answers: exactly one per request ----
 * Each goes out with X-Content-Type-Options: nosniff, and Cache-Control: no-store unless
 * http_reply_header gave a Cache-Control of its own. */

/* Add a header to the answer about to be given (WWW-Authenticate, Allow, Retry-After...);
 * copied. At most a few per request. */
void http_reply_header(struct http_req *r, const char *name, const char *value);
/* Hold the next answer delay_s seconds, on a timer (repeated failed logins). */
void http_reply_after(struct http_req *r, double delay_s);
/* The answer comes later: the connection is suspended until one of http_reply_*. */
void http_defer(struct http_req *r);

/* doc as JSON (the documents' formatting, compact); takes doc's reference. */
void http_reply_json(struct http_req *r, unsigned status, json_t *doc);
/* {"error": error, "detail": printf(fmt, ...)} with status. */
void http_reply_error(struct http_req *r, unsigned status, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* What becomes of the bytes given to http_reply_bytes. */
enum http_mem {
    HTTP_MEM_COPY,   /* copied; the caller keeps buf */
    HTTP_MEM_STATIC, /* buf outlives the server: sent from where it is */
    HTTP_MEM_TAKE,   /* malloc'd buf taken: freed once sent */
};
/* len bytes at buf, as mem says. */
void http_reply_bytes(struct http_req *r, unsigned status, const char *content_type, void *buf,
                      size_t len, enum http_mem mem);
/* The regular file open at fd (taken: closed by the server), answering the request's Range
 * header: 206 with the range, 416 past the end, else 200 with the whole file. */
void http_reply_file(struct http_req *r, int fd, const char *content_type);

#endif
