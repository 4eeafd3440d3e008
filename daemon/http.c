/* http.c - the HTTP server on the loop (http.h draws a request's life). Owns one struct
 * http_srv per listening socket (an MHD daemon in external epoll mode, the ev_io on its
 * epoll descriptor and the ev_timer from MHD_get_timeout), the records of requests in
 * flight, and the list of those suspended (deferred or held). Loop thread only; every MHD
 * callback runs inside MHD_run, called from this file's watchers.
 *
 * MHD lets a response be queued only inside its access callback (or for a suspended
 * connection); an answer given later is kept in the record, the connection resumed, and
 * queued when MHD calls the access callback again for it. */
#define _GNU_SOURCE /* struct ucred: a unix socket's peer (req_client) */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../index/doc.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/text.h"
#include "httpparse.h"

#define HTTP_BACKLOG 128
#define HTTP_REPLY_HEADERS_MAX 4
#define HTTP_DISCARD_FACTOR                                                                        \
    16 /* a body without a length is read past the limit this many times                           \
          over (into nothing) for a clean 413, then cut off */
#define HTTP_UNIX_MODE 0660
/* libmicrohttpd's memory for a connection, as a multiple of lim.max_header. A request line or
 * headers over our limit must still fit in it to reach the access callback, which answers them
 * in JSON; past it libmicrohttpd answers itself, with an HTML page (README, "API"). */
#define HTTP_HEAD_POOL_FACTOR 2
#define JSON_TYPE "application/json; charset=utf-8"

/* A connection, from MHD's start to its close: whether it waits for a request to arrive
 * whole, since when. */
struct http_conn {
    struct http_srv *srv;
    struct MHD_Connection *conn;
    int waiting;            /* for a request's line, headers or body */
    double since;           /* the connection's start, or the end of its last request (cw_mono_s) */
    struct http_conn *next; /* in h->conns */
};

struct http_srv {
    struct http *h;
    struct MHD_Daemon *mhd;
    ev_io io;
    ev_timer timer;
    int is_unix;
};

struct http {
    struct ev_loop *loop;
    struct http_limits lim;
    http_handler_fn handler;
    void *data;
    struct http_srv srv[2];
    int n_srv;
    char *unix_path;
    struct http_req *held;   /* suspended requests, a doubly linked list */
    struct http_conn *conns; /* every open connection */
    ev_timer sweep;          /* closes those a request trickles into (conn_sweep_cb) */
    struct http_stats stats;
};

struct http_req {
    struct http *h;
    struct http_srv *srv;
    struct MHD_Connection *conn;
    struct http_conn *hc;      /* its connection's record; NULL when MHD gave none */
    const char *method, *path; /* MHD's, valid for the request */
    char client[INET6_ADDRSTRLEN];
    char user[64];
    FILE *body_f; /* open_memstream over body while the body comes in */
    char *body;
    size_t len, received, discarded;
    size_t uri_len; /* of the request's target as sent (path and query), 0 when not known */
    int too_large, dispatched, in_handler, suspended, answered;
    struct MHD_Response *resp; /* the answer not yet queued */
    unsigned status;
    struct {
        char *name, *value;
    } hdr[HTTP_REPLY_HEADERS_MAX];
    int n_hdr;
    double delay_s;
    ev_timer delay;
    struct http_req *prev, *next; /* in h->held */
};

/* ---- the loop glue ---- */

static void srv_arm(struct http_srv *s)
{
    MHD_UNSIGNED_LONG_LONG ms;

    ev_timer_stop(s->h->loop, &s->timer);
    if (MHD_get_timeout(s->mhd, &ms) == MHD_YES) {
        ev_timer_set(&s->timer, (double)ms / 1000.0, 0.0);
        ev_timer_start(s->h->loop, &s->timer);
    }
}

static void srv_run(struct http_srv *s)
{
    MHD_run(s->mhd);
    srv_arm(s);
}

static void srv_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    srv_run(w->data);
}

static void srv_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    srv_run(w->data);
}

/* Run MHD on the next loop iteration: a resumed connection has an answer to send. */
static void srv_kick(struct http_srv *s)
{
    ev_timer_stop(s->h->loop, &s->timer);
    ev_timer_set(&s->timer, 0.0, 0.0);
    ev_timer_start(s->h->loop, &s->timer);
}

/* ---- connections: a request must arrive whole within the timeout ----
 * libmicrohttpd's timeout is of idleness only: a client sending a byte of its headers every
 * few seconds would hold its connection for ever, and [http] connections of them every
 * connection. A request (line, headers, body) must arrive whole within lim.timeout_s of the
 * connection's start or of the end of the request before it; past that its socket is shut
 * down, and libmicrohttpd closes the connection as one the client closed. */

static void conn_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http *h = w->data;
    double now = cw_mono_s(); /* not ev_now, the wall clock: set back, nothing would time out */

    (void)loop;
    (void)revents;
    for (struct http_conn *c = h->conns; c != NULL; c = c->next) {
        const union MHD_ConnectionInfo *ci;
        if (!c->waiting || now - c->since <= h->lim.timeout_s)
            continue;
        c->waiting = 0;
        ci = MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci != NULL && shutdown(ci->connect_fd, SHUT_RDWR) == 0) {
            log_debug("http: a request took over %u s to arrive; its connection closed",
                      h->lim.timeout_s);
            srv_kick(c->srv);
        }
    }
}

static void conn_notify_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    struct http_srv *s = cls;
    struct http *h = s->h;
    struct http_conn *c = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        if ((c = calloc(1, sizeof(*c))) == NULL)
            return; /* not swept: its idle timeout still holds */
        c->srv = s;
        c->conn = conn;
        c->waiting = 1;
        c->since = cw_mono_s();
        c->next = h->conns;
        h->conns = c;
        *socket_context = c;
    } else if (c != NULL) { /* closed: a list of at most [http] connections, once each */
        for (struct http_conn **p = &h->conns; *p != NULL; p = &(*p)->next)
            if (*p == c) {
                *p = c->next;
                break;
            }
        free(c);
        *socket_context = NULL;
    }
}

/* ---- suspended requests ---- */

static void held_add(struct http_req *r)
{
    struct http *h = r->h;

    r->prev = NULL;
    r->next = h->held;
    if (h->held != NULL)
        h->held->prev = r;
    h->held = r;
    h->stats.held++;
}

static void held_remove(struct http_req *r)
{
    struct http *h = r->h;

    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        h->held = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    h->stats.held--;
}

static void req_suspend(struct http_req *r)
{
    if (r->suspended)
        return;
    MHD_suspend_connection(r->conn);
    r->suspended = 1;
    held_add(r);
}

static void req_resume(struct http_req *r)
{
    if (!r->suspended)
        return;
    r->suspended = 0;
    held_remove(r);
    MHD_resume_connection(r->conn);
    srv_kick(r->srv);
}

static void req_delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http_req *r = w->data;

    (void)loop;
    (void)revents;
    r->delay_s = 0;
    req_resume(r);
}

/* ---- answers ---- */

static void req_log(const struct http_req *r)
{
    log_debug("http: %s %s %s %s %u", r->client, r->user[0] ? r->user : "-", r->method, r->path,
              r->status);
}

/* Queue the kept answer on the connection (inside the access callback). */
static enum MHD_Result req_queue(struct http_req *r)
{
    enum MHD_Result rc = MHD_queue_response(r->conn, r->status, r->resp);

    MHD_destroy_response(r->resp);
    r->resp = NULL;
    req_log(r);
    if (rc != MHD_YES) /* answered outside the access callback without http_defer: a bug */
        log_warnx("http: %s %s: the answer could not be queued", r->method, r->path);
    return rc;
}

/* Give resp (taken) as the answer: queued now inside the handler, else kept and the
 * connection resumed; held first when a delay was asked. */
static void req_answer(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
    struct http *h = r->h;

    if (resp == NULL) {
        log_warnx("http: out of memory answering %s %s", r->method, r->path);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (resp == NULL)
            return; /* the connection is closed when the callback returns without an answer */
    }
    if (r->answered) { /* our own bug: a second answer */
        log_warnx("http: %s %s answered twice; the second dropped", r->method, r->path);
        MHD_destroy_response(resp);
        return;
    }
    for (int i = 0; i < r->n_hdr; i++) {
        MHD_add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
        free(r->hdr[i].name);
        free(r->hdr[i].value);
    }
    r->n_hdr = 0;
    /* Every answer but the dashboard's files and a thumbnail (which say so) is a token's: a
     * report, an export's file, a document. None is kept by a cache, the browser's own disk
     * cache included, where a shared PC's next user would find evidence footage. */
    if (MHD_get_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL) == NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    r->answered = 1;
    r->resp = resp;
    r->status = status;
    h->stats.answered[status / 100 <= 5 ? status / 100 : 5]++;
    if (r->delay_s > 0) {
        if (r->in_handler)
            req_suspend(r);
        ev_timer_set(&r->delay, r->delay_s, 0.0);
        ev_timer_start(h->loop, &r->delay);
    } else if (r->suspended) {
        req_resume(r); /* deferred: MHD queues it when it calls us again */
    } else {
        req_queue(r); /* inside the access callback */
    }
}

void http_reply_header(struct http_req *r, const char *name, const char *value)
{
    char *n, *v;

    if (r->n_hdr >= HTTP_REPLY_HEADERS_MAX)
        return;
    n = strdup(name);
    v = strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return;
    }
    r->hdr[r->n_hdr].name = n;
    r->hdr[r->n_hdr].value = v;
    r->n_hdr++;
}

void http_reply_after(struct http_req *r, double delay_s)
{
    r->delay_s = delay_s > 0 ? delay_s : 0;
}

void http_defer(struct http_req *r)
{
    if (r->in_handler)
        req_suspend(r);
}

void http_reply_bytes(struct http_req *r, unsigned status, const char *content_type, void *buf,
                      size_t len, enum http_mem mem)
{
    static const enum MHD_ResponseMemoryMode modes[] = {
        MHD_RESPMEM_MUST_COPY, MHD_RESPMEM_PERSISTENT, MHD_RESPMEM_MUST_FREE};
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, buf, modes[mem]);

    if (resp == NULL && mem == HTTP_MEM_TAKE)
        free(buf);
    if (resp != NULL && content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    req_answer(r, status, resp);
}

void http_reply_json(struct http_req *r, unsigned status, json_t *doc)
{
    char *s = doc != NULL ? json_dumps(doc, DOC_JSON_FLAGS | JSON_COMPACT) : NULL;
    struct MHD_Response *resp = NULL;

    json_decref(doc);
    if (s != NULL) {
        /* jansson allocates with malloc: MHD frees it with free */
        resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
        if (resp == NULL) {
            free(s);
        } else {
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, JSON_TYPE);
        }
    }
    req_answer(r, status, resp);
}

/* s (at most 511 bytes) into out with each malformed UTF-8 byte or sequence, and each C1
 * control, as U+FFFD. */
static const char *utf8_shown(const char *s, char out[3 * 512])
{
    char *o = out;

    while (*s != '\0') {
        unsigned char b = (unsigned char)*s;
        uint32_t c = cw_text_next(&s);
        /* a byte that starts no character (cw_text_next gives a lone 0x80-0xbf as itself);
         * what JSON cannot hold: an overlong NUL, a surrogate, past U+10FFFF; and a C1 control,
         * which jansson writes raw (U+009B is a terminal's CSI) */
        int bad = (b >= 0x80 && b < 0xc0) || b >= 0xf8 || c == 0 || (c >= 0x80 && c <= 0x9f) ||
                  (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff;
        o += cw_text_put(bad ? 0xfffd : c, o);
    }
    *o = '\0';
    return out;
}

void http_reply_error(struct http_req *r, unsigned status, const char *error, const char *fmt, ...)
{
    char detail[512], shown[3 * 512];
    json_t *o;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    o = json_object();
    if (o != NULL) {
        json_object_set_new(o, "error", json_string(error));
        /* a detail quoting a request's bytes may not be UTF-8, or may hold a C1 control even
         * when it is: each such byte is shown as U+FFFD, so the detail still names the
         * parameter and puts no control into a log or terminal that shows it */
        json_object_set_new(o, "detail", json_string(utf8_shown(detail, shown)));
    }
    http_reply_json(r, status, o);
}

void http_reply_file(struct http_req *r, int fd, const char *content_type)
{
    struct MHD_Response *resp = NULL;
    struct stat st;
    uint64_t first = 0, last = 0;
    char range[96];
    enum httpparse_range kind;

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        http_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "not a regular file");
        return;
    }
    kind = httpparse_range(http_req_header(r, MHD_HTTP_HEADER_RANGE), (uint64_t)st.st_size, &first,
                           &last);
    if (kind == HTTPPARSE_RANGE_UNSATISFIABLE) {
        close(fd);
        snprintf(range, sizeof(range), "bytes */%lld", (long long)st.st_size);
        http_reply_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, range);
        http_reply_error(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, "range",
                         "the range starts past the end (%lld bytes)", (long long)st.st_size);
        return;
    }
    if (kind == HTTPPARSE_RANGE_NONE)
        last = st.st_size > 0 ? (uint64_t)st.st_size - 1 : 0;
    /* The fd is read with sendfile as the socket takes it, in the loop's turns: a local file,
     * never a whole download at once. */
    resp = MHD_create_response_from_fd_at_offset64(st.st_size > 0 ? last - first + 1 : 0, fd,
                                                   (uint64_t)first);
    if (resp == NULL) {
        close(fd);
    } else {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        if (content_type != NULL)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        if (kind == HTTPPARSE_RANGE_OK) {
            snprintf(range, sizeof(range), "bytes %llu-%llu/%lld", (unsigned long long)first,
                     (unsigned long long)last, (long long)st.st_size);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range);
        }
    }
    req_answer(r, kind == HTTPPARSE_RANGE_OK ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, resp);
}

/* ---- the request ---- */

const char *http_req_method(const struct http_req *r)
{
    return r->method;
}

const char *http_req_path(const struct http_req *r)
{
    return r->path;
}

const char *http_req_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

#define QUERY_PARAMS_MAX 16 /* of one endpoint's list */

struct unknown_arg {
    const char *const *allowed;
    const char *found;     /* the first name not allowed */
    const char *repeated;  /* the first allowed name given twice */
    const char *valueless; /* the first allowed name given without '=' */
    unsigned seen[QUERY_PARAMS_MAX];
};

static enum MHD_Result find_unknown(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct unknown_arg *u = cls;

    (void)kind;
    for (size_t i = 0; u->allowed[i] != NULL; i++)
        if (strcmp(u->allowed[i], key) == 0) {
            if (i < QUERY_PARAMS_MAX && ++u->seen[i] == 2 && u->repeated == NULL)
                u->repeated = key;
            if (value == NULL && u->valueless == NULL) /* "?limit": MHD gives no value */
                u->valueless = key;
            return MHD_YES;
        }
    u->found = key;
    return MHD_NO;
}

const char *http_req_unknown_query(const struct http_req *r, const char *const *allowed,
                                   const char **repeated, const char **valueless)
{
    static const char *const none[] = {NULL};
    struct unknown_arg u = {allowed != NULL ? allowed : none, NULL, NULL, NULL, {0}};

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, find_unknown, &u);
    *repeated = u.repeated;
    *valueless = u.valueless;
    return u.found;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
    *len = r->len;
    return r->body != NULL ? r->body : "";
}

const char *http_req_client(const struct http_req *r)
{
    return r->client;
}

void http_req_set_user(struct http_req *r, const char *user)
{
    snprintf(r->user, sizeof(r->user), "%s", user != NULL ? user : "");
}

/* Who r comes from, as failed logins are counted against (http_req_client): its IP address;
 * on the unix socket, the user the kernel says is at the other end (SO_PEERCRED, as it was at
 * connect), since a local process can open a new connection or fork a new pid at will but not
 * change its user; "unix" when the kernel does not say. */
static void req_client(struct http_req *r, const struct http_srv *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;
    struct ucred cred;
    socklen_t len = sizeof(cred);

    snprintf(r->client, sizeof(r->client), "unix");
    if (s->is_unix) {
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci != NULL && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            snprintf(r->client, sizeof(r->client), "unix uid=%u", (unsigned)cred.uid);
        return;
    }
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client,
                      sizeof(r->client));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->client, sizeof(r->client));
    }
}

/* A request's record; its method and path are set once its headers are in. */
static struct http_req *req_new(struct http_srv *s, struct MHD_Connection *conn)
{
    struct http_req *r = calloc(1, sizeof(*r));
    const union MHD_ConnectionInfo *ci;

    if (r == NULL)
        return NULL;
    r->h = s->h;
    r->srv = s;
    r->conn = conn;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->hc = ci != NULL ? ci->socket_context : NULL;
    ev_timer_init(&r->delay, req_delay_cb, 0.0, 0.0);
    r->delay.data = r;
    req_client(r, s, conn);
    return r;
}

/* The body complete: body and len (NUL-terminated) from here on. 0, or -1 out of memory. */
static int req_body_done(struct http_req *r)
{
    FILE *f = r->body_f;

    r->body_f = NULL;
    return f == NULL || fclose(f) == 0 ? 0 : -1;
}

static void req_free(struct http_req *r)
{
    if (r == NULL)
        return;
    ev_timer_stop(r->h->loop, &r->delay);
    if (r->suspended)
        held_remove(r);
    if (r->resp != NULL)
        MHD_destroy_response(r->resp);
    for (int i = 0; i < r->n_hdr; i++) {
        free(r->hdr[i].name);
        free(r->hdr[i].value);
    }
    req_body_done(r);
    free(r->body);
    free(r);
}

/* Refuse r before its body is read (MHD then reads no more of this connection). */
static void req_refuse_early(struct http_req *r, unsigned status, const char *what, size_t limit)
{
    r->too_large = 1;
    r->dispatched = 1;
    if (r->hc != NULL)
        r->hc->waiting = 0;
    r->in_handler = 1;
    r->h->stats.too_large++;
    http_reply_error(r, status, "too_large", "%s over %zu bytes", what, limit);
    r->in_handler = 0;
}

/* First call: the headers are in. A request line or headers over the limit, and a declared
 * body over its limit, are refused before the body is read. */
static enum MHD_Result req_headers(struct http_req *r)
{
    const char *cl = http_req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    size_t max_head = r->h->lim.max_header;
    uint64_t n;

    if (r->uri_len > max_head)
        req_refuse_early(r, MHD_HTTP_URI_TOO_LONG, "the request's path and query are", max_head);
    else if (ci != NULL && ci->header_size > max_head)
        req_refuse_early(r, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                         "the request line and headers are", max_head);
    else if (cl != NULL && (httpparse_uint(cl, 0, UINT64_MAX, &n) != 0 || n > r->h->lim.max_body))
        req_refuse_early(r, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is", r->h->lim.max_body);
    return MHD_YES;
}

/* Body bytes: kept up to the limit; past it (chunked bodies) read into nothing for a while,
 * so the client can be told, then the connection is cut. */
static enum MHD_Result req_upload(struct http_req *r, const char *data, size_t n)
{
    size_t max = r->h->lim.max_body;

    if (r->too_large || r->received + n > max) {
        r->too_large = 1;
        r->discarded += n;
        return r->discarded > max * HTTP_DISCARD_FACTOR ? MHD_NO : MHD_YES;
    }
    if (r->body_f == NULL && (r->body_f = open_memstream(&r->body, &r->len)) == NULL)
        return MHD_NO;
    if (fwrite(data, 1, n, r->body_f) != n)
        return MHD_NO;
    r->received += n;
    return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    struct http_srv *s = cls;
    struct http_req *r = *con_cls;

    (void)version;
    if (r == NULL || r->method == NULL) { /* the headers are in: made by uri_cb, or now */
        if (r == NULL && (r = req_new(s, conn)) == NULL)
            return MHD_NO;
        r->method = method;
        r->path = httpparse_origin(url); /* the absolute form routed as the origin form */
        *con_cls = r;
        return req_headers(r);
    }
    if (*upload_size > 0) {
        enum MHD_Result rc = req_upload(r, upload, *upload_size);
        *upload_size = 0;
        return rc;
    }
    if (r->resp != NULL) /* resumed with its answer */
        return req_queue(r);
    if (r->dispatched)
        return MHD_YES;
    r->dispatched = 1;
    if (r->hc != NULL) /* the request is whole: what comes next is the server's to do */
        r->hc->waiting = 0;
    if (req_body_done(r) != 0)
        return MHD_NO;
    r->in_handler = 1;
    if (r->too_large) {
        s->h->stats.too_large++;
        http_reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                         "the request body is over %zu bytes", s->h->lim.max_body);
    } else {
        s->h->handler(s->h->data, r);
    }
    r->in_handler = 0;
    if (!r->answered && !r->suspended) {
        log_warnx("http: %s %s: no answer given (a bug); 500", method, url);
        r->in_handler = 1;
        http_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "no answer");
        r->in_handler = 0;
    }
    return MHD_YES;
}

/* The request line is in (the headers are not): the record is made here, to keep the length
 * of the target as sent, which MHD gives nowhere else. MHD hands the record to the access
 * callback, and to completed_cb however the request ends. */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_req *r = req_new(cls, conn);

    if (r != NULL)
        r->uri_len = strlen(uri);
    return r; /* NULL: made again in the access callback */
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_req *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (r != NULL && r->hc != NULL) { /* a kept-alive connection waits for the next one */
        r->hc->waiting = 1;
        r->hc->since = cw_mono_s();
    }
    req_free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    size_t n;

    (void)cls;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    /* Mostly about clients (timeouts, resets, malformed requests): not worth more. */
    log_debug("http: %s", buf);
}

/* ---- listening sockets ---- */

static int listen_tcp(const char *spec, int *out, struct cw_err *err)
{
    struct addrinfo hints = {0}, *res = NULL, *ai;
    char host[256], *port;
    uint64_t port_n;
    int fd = -1, one = 1, rc;

    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host))
            return cw_err_set(err, NULL, 0, "listen", "bad address '%s'", spec);
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        port = (char *)close + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
            return cw_err_set(err, NULL, 0, "listen", "bad address '%s'", spec);
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        port = (char *)colon + 1;
    }
    if (httpparse_uint(port, 0, 65535, &port_n) != 0)
        return cw_err_set(err, NULL, 0, "listen", "bad port in '%s'", spec);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
        return cw_err_set(err, NULL, 0, "listen", "%s: %s", spec, gai_strerror(rc));
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, HTTP_BACKLOG) == 0)
            break;
        rc = errno;
        close(fd);
        fd = -1;
        errno = rc;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return cw_err_set(err, NULL, 0, "listen", "cannot listen on %s: %s", spec, strerror(errno));
    *out = fd;
    return 0;
}

/* A unix socket at path: refused when something else is there or a server answers on it
 * (another daemon), else a stale socket file is replaced. */
static int listen_unix(const char *path, int *out, struct cw_err *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return cw_err_set(err, NULL, 0, "socket", "%s: path too long", path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        return cw_err_set(err, NULL, 0, "socket", "%s: %s", path, strerror(errno));
    if (lstat(path, &st) == 0) {
        int probe;
        if (!S_ISSOCK(st.st_mode)) {
            close(fd);
            return cw_err_set(err, NULL, 0, "socket", "%s: exists and is not a socket", path);
        }
        probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            close(probe);
            close(fd);
            return cw_err_set(err, NULL, 0, "socket", "%s: another server answers there", path);
        }
        if (probe >= 0)
            close(probe);
        unlink(path);
    }
    /* Nobody can connect before listen(): the mode is set in between. */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, HTTP_UNIX_MODE) != 0 ||
        listen(fd, HTTP_BACKLOG) != 0) {
        cw_err_set(err, NULL, 0, "socket", "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *out = fd;
    return 0;
}

/* libmicrohttpd's decoder of the path and the query's names and values: httpparse's, which
 * leaves "%00" as written (a NUL would cut an id short: CAH-001%00x read as CAH-001). */
static size_t unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return httpparse_unescape(s);
}

static int srv_start(struct http *h, int fd, int is_unix, struct cw_err *err)
{
    struct http_srv *s = &h->srv[h->n_srv];
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

    s->h = h;
    s->is_unix = is_unix;
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, access_cb, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, h->lim.connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, is_unix ? 0u : h->lim.per_client,
        MHD_OPTION_CONNECTION_TIMEOUT, h->lim.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        h->lim.max_header * HTTP_HEAD_POOL_FACTOR, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
        MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, conn_notify_cb, s, MHD_OPTION_END);
    if (s->mhd == NULL) {
        close(fd);
        return cw_err_set(err, NULL, 0, "http", "libmicrohttpd would not start (epoll mode)");
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (info == NULL) {
        MHD_stop_daemon(s->mhd);
        s->mhd = NULL;
        return cw_err_set(err, NULL, 0, "http", "libmicrohttpd gave no epoll descriptor");
    }
    ev_io_init(&s->io, srv_io_cb, info->epoll_fd, EV_READ);
    s->io.data = s;
    ev_io_start(h->loop, &s->io);
    ev_timer_init(&s->timer, srv_timer_cb, 0.0, 0.0);
    s->timer.data = s;
    h->n_srv++;
    srv_arm(s);
    return 0;
}

int http_new(struct ev_loop *loop, const char *listen, const char *unix_path,
             const struct http_limits *lim, http_handler_fn handler, void *data, struct http **out,
             struct cw_err *err)
{
    static const struct http_limits defaults = {HTTP_CONNECTIONS_DEFAULT, HTTP_PER_CLIENT_DEFAULT,
                                                HTTP_TIMEOUT_S_DEFAULT, HTTP_MAX_BODY_DEFAULT,
                                                HTTP_MAX_HEADER_DEFAULT};
    struct http *h = calloc(1, sizeof(*h));
    int fd;

    if (h == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    h->loop = loop;
    h->lim = lim != NULL ? *lim : defaults;
    h->handler = handler;
    h->data = data;
    ev_timer_init(&h->sweep, conn_sweep_cb, 1.0, 1.0);
    h->sweep.data = h;
    ev_timer_start(loop, &h->sweep);
    if (listen_tcp(listen, &fd, err) != 0 || srv_start(h, fd, 0, err) != 0)
        goto fail;
    if (unix_path != NULL) {
        if (listen_unix(unix_path, &fd, err) != 0)
            goto fail;
        if ((h->unix_path = strdup(unix_path)) == NULL) {
            close(fd);
            unlink(unix_path);
            cw_err_set(err, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        if (srv_start(h, fd, 1, err) != 0)
            goto fail;
    }
    *out = h;
    return 0;
fail:
    http_free(h);
    return -1;
}

int http_port(const struct http *h)
{
    const union MHD_DaemonInfo *info;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (h->n_srv == 0 ||
        (info = MHD_get_daemon_info(h->srv[0].mhd, MHD_DAEMON_INFO_LISTEN_FD)) == NULL ||
        getsockname(info->listen_fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

void http_get_stats(const struct http *h, struct http_stats *out)
{
    *out = h->stats;
    out->connections = 0;
    for (int i = 0; i < h->n_srv; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(h->srv[i].mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info != NULL)
            out->connections += info->num_connections;
    }
}

void http_free(struct http *h)
{
    if (h == NULL)
        return;
    /* MHD must not be stopped with a connection suspended: answer each, resume, let MHD
     * queue the answers, then stop. */
    while (h->held != NULL) {
        struct http_req *r = h->held;
        ev_timer_stop(h->loop, &r->delay);
        r->delay_s = 0;
        if (!r->answered)
            http_reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping", "the daemon is stopping");
        else
            req_resume(r);
    }
    for (int i = 0; i < h->n_srv; i++) {
        MHD_run(h->srv[i].mhd);
        ev_io_stop(h->loop, &h->srv[i].io);
        ev_timer_stop(h->loop, &h->srv[i].timer);
        MHD_stop_daemon(h->srv[i].mhd);
    }
    ev_timer_stop(h->loop, &h->sweep);
    if (h->unix_path != NULL)
        unlink(h->unix_path);
    free(h->unix_path);
    free(h);
}
