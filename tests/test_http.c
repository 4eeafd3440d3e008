/* test_http.c - the HTTP server (daemon/http.c) over real loopback: libmicrohttpd on a libev
 * loop in a thread of its own, asked by libcurl (and by raw sockets where a client must
 * misbehave) from the test's thread. An answer given later or held on a timer lets the loop
 * answer others meanwhile; a body over the limit is refused (declared or chunked); files
 * answer ranges; idle connections are closed and the connection cap holds; a held answer
 * still goes out when the server stops; the unix socket serves too. No timed assertion:
 * every wait is for a condition. */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../daemon/http.h"
#include "../util/log.h"
#include "cwtest.h"

#define WAIT_MS 30000   /* a guard against hangs, never an assertion about time */
#define HOLD_S 3600.0   /* /hold's answer: held until the server stops */
#define SMALL_BODY 1024 /* the tests' body limit */
#define FILE_TEXT "0123456789abcdef"

/* The server and its loop, in a thread of their own. */
struct srv {
    char dir[64];
    char sock[128];
    struct ev_loop *loop;
    struct http *http;
    struct http_limits lim;
    ev_async stop;
    pthread_t thread;
    int port;
    struct http_req *waiting; /* /wait's request, until /release */
    pthread_mutex_t mu;
    int ready;
};

static void reply_text(struct http_req *r, unsigned status, const char *text)
{
    http_reply_bytes(r, status, "text/plain", (void *)text, strlen(text), HTTP_MEM_COPY);
}

static void handler(void *data, struct http_req *r)
{
    struct srv *s = data;
    const char *path = http_req_path(r);
    char buf[64];

    if (strcmp(path, "/echo") == 0) {
        size_t len;
        const char *body = http_req_body(r, &len);
        http_reply_bytes(r, 200, "application/octet-stream", (void *)body, len, HTTP_MEM_COPY);
    } else if (strcmp(path, "/wait") == 0) {
        s->waiting = r;
        http_defer(r);
    } else if (strcmp(path, "/release") == 0) {
        if (s->waiting == NULL) {
            reply_text(r, 409, "nothing waits");
            return;
        }
        reply_text(s->waiting, 200, "released");
        s->waiting = NULL;
        reply_text(r, 200, "ok");
    } else if (strcmp(path, "/hold") == 0) {
        http_reply_after(r, HOLD_S);
        http_reply_header(r, "WWW-Authenticate", "Bearer");
        http_reply_error(r, 401, "unauthorized", "held");
    } else if (strcmp(path, "/held") == 0) {
        struct http_stats st;
        http_get_stats(s->http, &st);
        snprintf(buf, sizeof(buf), "%u", st.held);
        reply_text(r, 200, buf);
    } else if (strcmp(path, "/conns") == 0) {
        struct http_stats st;
        http_get_stats(s->http, &st);
        snprintf(buf, sizeof(buf), "%u", st.connections);
        reply_text(r, 200, buf);
    } else if (strcmp(path, "/bad") == 0) {
        const char *x = http_req_query(r, "x");
        http_reply_error(r, 400, "bad_parameter", "x: '%s'", x != NULL ? x : "");
    } else if (strcmp(path, "/file") == 0) {
        char p[128];
        snprintf(p, sizeof(p), "%s/file.txt", s->dir);
        http_reply_file(r, open(p, O_RDONLY | O_CLOEXEC), "text/plain");
    } else {
        reply_text(r, 404, "no");
    }
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    struct cw_err err;
    int rc = http_new(s->loop, "127.0.0.1:0", s->sock[0] ? s->sock : NULL, &s->lim, handler, s,
                      &s->http, &err);

    pthread_mutex_lock(&s->mu);
    s->port = rc == 0 ? http_port(s->http) : -1;
    s->ready = 1;
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        fprintf(stderr, "http_new: %s\n", err.msg);
        return NULL;
    }
    ev_run(s->loop, 0);
    http_free(s->http); /* answers what is still held */
    return NULL;
}

static int setup_with(void **state, unsigned connections, unsigned timeout_s, int with_unix)
{
    struct srv *s = calloc(1, sizeof(*s));
    char path[128];

    if (s == NULL || cwtest_tmpdir(s->dir, sizeof(s->dir), "http") != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/file.txt", s->dir);
    cwtest_write_file(path, FILE_TEXT, 0600);
    if (with_unix)
        snprintf(s->sock, sizeof(s->sock), "%s/http.sock", s->dir);
    s->lim = (struct http_limits){connections, 0, timeout_s, SMALL_BODY, HTTP_MAX_HEADER_DEFAULT};
    s->loop = ev_loop_new(EVFLAG_AUTO);
    pthread_mutex_init(&s->mu, NULL);
    ev_async_init(&s->stop, stop_cb);
    ev_async_start(s->loop, &s->stop);
    if (pthread_create(&s->thread, NULL, srv_main, s) != 0)
        return -1;
    for (int i = 0; i < WAIT_MS / 10; i++) {
        int ready;
        pthread_mutex_lock(&s->mu);
        ready = s->ready;
        pthread_mutex_unlock(&s->mu);
        if (ready)
            break;
        usleep(10000);
    }
    *state = s;
    return s->port > 0 ? 0 : -1;
}

static int setup(void **state)
{
    return setup_with(state, HTTP_CONNECTIONS_DEFAULT, HTTP_TIMEOUT_S_DEFAULT, 0);
}

static void srv_stop(struct srv *s)
{
    if (s->loop == NULL)
        return;
    ev_async_send(s->loop, &s->stop);
    pthread_join(s->thread, NULL);
    ev_loop_destroy(s->loop);
    s->loop = NULL;
}

static int teardown(void **state)
{
    struct srv *s = *state;

    srv_stop(s);
    pthread_mutex_destroy(&s->mu);
    cwtest_rmtree(s->dir);
    free(s);
    return 0;
}

/* ---- the client ---- */

struct answer {
    long status;
    char body[4096];
    size_t len;
    char headers[2048];
};

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
    struct answer *a = data;
    size_t k = size * n;

    if (a->len + k < sizeof(a->body)) {
        memcpy(a->body + a->len, p, k);
        a->len += k;
        a->body[a->len] = '\0';
    }
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
    struct answer *a = data;

    strncat(a->headers, p,
            size * n < sizeof(a->headers) - strlen(a->headers) - 1
                ? size * n
                : sizeof(a->headers) - strlen(a->headers) - 1);
    return size * n;
}

/* A request to path; extra headers (NULL-terminated list or NULL), body (NULL: GET). */
static CURLcode ask(const struct srv *s, const char *path, const char *const *headers,
                    const char *body, long body_len, struct answer *a)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char *url = NULL; /* a path may be long: the limit on the request line is tested */
    CURLcode rc;

    memset(a, 0, sizeof(*a));
    assert_true(asprintf(&url, "http://127.0.0.1:%d%s", s->port, path) > 0);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WAIT_MS);
    for (const char *const *p = headers; p != NULL && *p != NULL; p++)
        h = curl_slist_append(h, *p);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, body_len);
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    return rc;
}

struct pending {
    const struct srv *s;
    const char *path;
    struct answer a;
    CURLcode rc;
    pthread_t t;
};

static void *ask_thread(void *arg)
{
    struct pending *p = arg;

    p->rc = ask(p->s, p->path, NULL, NULL, 0, &p->a);
    return NULL;
}

/* GET path until its body is want (the other request got where it waits). */
static void wait_for_body(const struct srv *s, const char *path, const char *want)
{
    struct answer a;

    for (int i = 0; i < WAIT_MS / 20; i++) {
        if (ask(s, path, NULL, NULL, 0, &a) == CURLE_OK && strcmp(a.body, want) == 0)
            return;
        usleep(20000);
    }
    fail_msg("%s never answered '%s' (last '%s')", path, want, a.body);
}

/* ---- the tests ---- */

static void test_deferred_answer_lets_the_loop_answer_others(void **state)
{
    struct srv *s = *state;
    struct pending p = {.s = s, .path = "/wait"};
    struct answer a;

    assert_int_equal(pthread_create(&p.t, NULL, ask_thread, &p), 0);
    wait_for_body(s, "/held", "1"); /* /wait is suspended; /held was answered meanwhile */
    assert_int_equal(ask(s, "/release", NULL, NULL, 0, &a), CURLE_OK);
    assert_int_equal(a.status, 200);
    pthread_join(p.t, NULL);
    assert_int_equal(p.rc, CURLE_OK);
    assert_int_equal(p.a.status, 200);
    assert_string_equal(p.a.body, "released");
    assert_int_equal(ask(s, "/held", NULL, NULL, 0, &a), CURLE_OK);
    assert_string_equal(a.body, "0");
}

static void test_held_answer_waits_on_a_timer_and_goes_out_at_stop(void **state)
{
    struct srv *s = *state;
    struct pending p = {.s = s, .path = "/hold"};

    assert_int_equal(pthread_create(&p.t, NULL, ask_thread, &p), 0);
    /* held for an hour, and meanwhile the loop answers /held: 1 held */
    wait_for_body(s, "/held", "1");
    srv_stop(s);
    pthread_join(p.t, NULL);
    assert_int_equal(p.rc, CURLE_OK);
    assert_int_equal(p.a.status, 401);
    assert_string_equal(p.a.body, "{\"error\":\"unauthorized\",\"detail\":\"held\"}");
    assert_non_null(strstr(p.a.headers, "WWW-Authenticate: Bearer"));
}

/* An error's detail quoting a request's bytes shows each that is no character, and each C1
 * control (U+0080..U+009F, which JSON writers leave raw: U+009B is a terminal's CSI), as
 * U+FFFD; the rest of the text as it was. */
static void test_error_detail_shows_c1_controls_and_stray_bytes_as_fffd(void **state)
{
    static const struct {
        const char *query, *detail;
    } cases[] = {
        {"x=%9B%5B2J", "x: '\xef\xbf\xbd[2J'"},    /* a lone continuation byte */
        {"x=%C2%9B%5B2J", "x: '\xef\xbf\xbd[2J'"}, /* U+009B, well formed */
        {"x=a%C2%80b%C2%9F", "x: 'a\xef\xbf\xbd"
                             "b\xef\xbf\xbd'"},             /* C1's ends */
        {"x=%C2%A0%E1%BB%91", "x: '\xc2\xa0\xe1\xbb\x91'"}, /* U+00A0 and "ố" kept */
        {"x=%BF%FF", "x: '\xef\xbf\xbd\xef\xbf\xbd'"},
    };
    struct srv *s = *state;
    char path[64], want[128];
    struct answer a;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "/bad?%s", cases[i].query);
        assert_int_equal(ask(s, path, NULL, NULL, 0, &a), CURLE_OK);
        assert_int_equal(a.status, 400);
        snprintf(want, sizeof(want), "{\"error\":\"bad_parameter\",\"detail\":\"%s\"}",
                 cases[i].detail);
        assert_string_equal(a.body, want);
    }
}

static void test_body_within_the_limit_is_given_whole(void **state)
{
    struct srv *s = *state;
    char body[SMALL_BODY];
    struct answer a;

    for (size_t i = 0; i < sizeof(body); i++)
        body[i] = (char)('a' + i % 26);
    assert_int_equal(ask(s, "/echo", NULL, body, sizeof(body), &a), CURLE_OK);
    assert_int_equal(a.status, 200);
    assert_int_equal(a.len, sizeof(body));
    assert_memory_equal(a.body, body, sizeof(body));
}

static void test_body_over_the_limit_is_refused_declared_or_chunked(void **state)
{
    struct srv *s = *state;
    static const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
    char body[SMALL_BODY + 1];
    struct answer a;

    memset(body, 'x', sizeof(body));
    assert_int_equal(ask(s, "/echo", NULL, body, sizeof(body), &a), CURLE_OK);
    assert_int_equal(a.status, 413);
    assert_string_equal(a.body,
                        "{\"error\":\"too_large\",\"detail\":\"the request body is over 1024 "
                        "bytes\"}");
    assert_int_equal(ask(s, "/echo", chunked, body, sizeof(body), &a), CURLE_OK);
    assert_int_equal(a.status, 413);
    /* the server is still there for the next one */
    assert_int_equal(ask(s, "/echo", NULL, "ok", 2, &a), CURLE_OK);
    assert_string_equal(a.body, "ok");
}

/* A request line or headers over the limit (HTTP_MAX_HEADER_DEFAULT here) is answered as every
 * other error is, in JSON: libmicrohttpd's own answer to them is an HTML page. */
static void test_a_request_head_over_the_limit_is_answered_in_json(void **state)
{
    struct srv *s = *state;
    size_t big = HTTP_MAX_HEADER_DEFAULT + 4096, within = HTTP_MAX_HEADER_DEFAULT - 2048;
    char *path = malloc(big + 16), *hdr = malloc(big + 16);
    const char *hdrs[] = {hdr, NULL};
    struct answer a;

    assert_non_null(path);
    assert_non_null(hdr);
    /* a long query: 414 */
    memcpy(path, "/echo?x=", 8);
    memset(path + 8, 'q', big);
    path[8 + big] = '\0';
    assert_int_equal(ask(s, path, NULL, NULL, 0, &a), CURLE_OK);
    assert_int_equal(a.status, 414);
    assert_non_null(strstr(a.headers, "Content-Type: application/json"));
    assert_string_equal(a.body, "{\"error\":\"too_large\",\"detail\":\"the request's path and "
                                "query are over 32768 bytes\"}");
    /* a long header: 431 */
    memcpy(hdr, "X-Big: ", 7);
    memset(hdr + 7, 'h', big);
    hdr[7 + big] = '\0';
    assert_int_equal(ask(s, "/echo", hdrs, "ok", 2, &a), CURLE_OK);
    assert_int_equal(a.status, 431);
    assert_non_null(strstr(a.headers, "Content-Type: application/json"));
    assert_string_equal(a.body, "{\"error\":\"too_large\",\"detail\":\"the request line and "
                                "headers are over 32768 bytes\"}");
    /* past what libmicrohttpd holds for a connection it answers itself (an HTML page, as the
     * README says); the record made for the request is freed all the same (ASan) */
    hdr = realloc(hdr, 3 * HTTP_MAX_HEADER_DEFAULT + 16);
    assert_non_null(hdr);
    hdrs[0] = hdr;
    memset(hdr + 7, 'h', 3 * HTTP_MAX_HEADER_DEFAULT);
    hdr[7 + 3 * HTTP_MAX_HEADER_DEFAULT] = '\0';
    assert_int_equal(ask(s, "/echo", hdrs, "ok", 2, &a), CURLE_OK);
    assert_int_equal(a.status, 431);
    /* one within the limit is served, and so is the next request */
    hdr[7 + within] = '\0';
    assert_int_equal(ask(s, "/echo", hdrs, "ok", 2, &a), CURLE_OK);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "ok");
    assert_int_equal(ask(s, "/echo", NULL, "ok", 2, &a), CURLE_OK);
    assert_string_equal(a.body, "ok");
    free(path);
    free(hdr);
}

static void test_file_answers_a_range_past_the_end_and_whole(void **state)
{
    struct srv *s = *state;
    static const char *const mid[] = {"Range: bytes=2-5", NULL};
    static const char *const tail[] = {"Range: bytes=-3", NULL};
    static const char *const past[] = {"Range: bytes=100-", NULL};
    static const char *const two[] = {"Range: bytes=0-1,4-5", NULL};
    struct answer a;

    assert_int_equal(ask(s, "/file", mid, NULL, 0, &a), CURLE_OK);
    assert_int_equal(a.status, 206);
    assert_string_equal(a.body, "2345");
    assert_non_null(strstr(a.headers, "Content-Range: bytes 2-5/16"));
    assert_int_equal(ask(s, "/file", tail, NULL, 0, &a), CURLE_OK);
    assert_string_equal(a.body, "def");
    assert_int_equal(ask(s, "/file", past, NULL, 0, &a), CURLE_OK);
    assert_int_equal(a.status, 416);
    assert_non_null(strstr(a.headers, "Content-Range: bytes */16"));
    assert_int_equal(ask(s, "/file", two, NULL, 0, &a), CURLE_OK);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, FILE_TEXT);
    assert_non_null(strstr(a.headers, "Accept-Ranges: bytes"));
}

/* A TCP connection to the server; the fd. */
static int connect_raw(const struct srv *s)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* Whether the server closes fd (EOF or reset) within WAIT_MS. */
static int closed_by_server(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;

    if (poll(&p, 1, WAIT_MS) != 1)
        return 0;
    return recv(fd, &c, 1, 0) <= 0;
}

static int setup_short_timeout(void **state)
{
    return setup_with(state, HTTP_CONNECTIONS_DEFAULT, 1, 0);
}

static void test_idle_connection_is_closed_after_the_timeout(void **state)
{
    struct srv *s = *state;
    int a = connect_raw(s), b = connect_raw(s);

    /* a request half sent, then silence; and a connection that never says anything */
    assert_int_equal(send(a, "GET /echo HTTP/1.1\r\nHost: x\r\n", 29, 0), 29);
    assert_true(closed_by_server(a));
    assert_true(closed_by_server(b));
    close(a);
    close(b);
}

/* Read fd until n answers (their status lines) are in or the server closes it: the bytes,
 * NUL-terminated, in buf (cap bytes). */
static void read_answers(int fd, char *buf, size_t cap, int n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        const char *at = buf;
        int seen = 0;
        ssize_t got;

        while ((at = strstr(at, "HTTP/1.1 ")) != NULL && strstr(at, "\r\n\r\n") != NULL) {
            seen++;
            at++;
        }
        if (seen >= n || len + 1 >= cap || poll(&p, 1, WAIT_MS) != 1)
            return;
        if ((got = recv(fd, buf + len, cap - 1 - len, 0)) <= 0)
            return;
        len += (size_t)got;
        buf[len] = '\0';
    }
}

/* Each request on a connection has a record of its own, made when its request line is in and
 * freed however it ends (ASan: none leaks, none is freed twice): two requests sent at once on
 * one kept-alive connection are each answered with their own query, and a client gone after
 * its request line leaves nothing behind. */
static void test_each_request_on_a_connection_has_its_own_record(void **state)
{
    static const char two[] = "GET /bad?x=one HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /bad?x=two HTTP/1.1\r\nHost: x\r\n\r\n";
    struct srv *s = *state;
    struct answer a;
    char buf[4096];
    const char *one_at, *two_at;
    int fd = connect_raw(s);

    assert_int_equal(send(fd, two, strlen(two), 0), (ssize_t)strlen(two));
    read_answers(fd, buf, sizeof(buf), 2);
    one_at = strstr(buf, "x: 'one'");
    two_at = strstr(buf, "x: 'two'");
    assert_non_null(one_at);
    assert_non_null(two_at);
    assert_true(one_at < two_at);
    close(fd);
    fd = connect_raw(s);
    assert_int_equal(send(fd, "GET /echo HTTP/1.1\r\n", 20, 0), 20);
    close(fd);
    assert_int_equal(ask(s, "/echo", NULL, "ok", 2, &a), CURLE_OK);
    assert_string_equal(a.body, "ok");
}

static int setup_cap(void **state)
{
    return setup_with(state, 2, HTTP_TIMEOUT_S_DEFAULT, 0);
}

/* Whether p's request has finished. */
static int finished(struct pending *p)
{
    return pthread_tryjoin_np(p->t, NULL) == 0;
}

static void test_connection_cap_holds(void **state)
{
    struct srv *s = *state;
    struct pending p = {.s = s, .path = "/conns"};
    struct answer ans;
    int a = connect_raw(s), b, done = 0;

    assert_int_equal(ask(s, "/conns", NULL, NULL, 0, &ans), CURLE_OK);
    assert_string_equal(ans.body, "2"); /* a and this one */
    b = connect_raw(s);
    /* the cap is full: a third is not served while a and b stay (it waits, or is closed) */
    assert_int_equal(pthread_create(&p.t, NULL, ask_thread, &p), 0);
    for (int i = 0; i < 50 && !done; i++) {
        usleep(20000);
        done = finished(&p);
    }
    if (done)
        assert_int_not_equal(p.rc, CURLE_OK);
    close(a);
    if (!done) {
        pthread_join(p.t, NULL);
        assert_int_equal(p.rc, CURLE_OK);
        assert_string_equal(p.a.body, "2"); /* b and this one */
    } else {
        assert_int_equal(ask(s, "/conns", NULL, NULL, 0, &ans), CURLE_OK);
        assert_string_equal(ans.body, "2");
    }
    close(b);
}

static int setup_unix(void **state)
{
    return setup_with(state, HTTP_CONNECTIONS_DEFAULT, HTTP_TIMEOUT_S_DEFAULT, 1);
}

static void test_unix_socket_serves_with_mode_0660(void **state)
{
    struct srv *s = *state;
    CURL *c = curl_easy_init();
    struct answer a = {0};
    struct stat st;

    assert_int_equal(stat(s->sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0660);
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, s->sock);
    curl_easy_setopt(c, CURLOPT_URL, "http://localhost/echo");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "over the socket");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_cleanup(c);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "over the socket");
    /* stopping removes the socket file */
    srv_stop(s);
    assert_int_equal(stat(s->sock, &st), -1);
}

static void test_unix_socket_path_taken_by_a_file_is_refused(void **state)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    char dir[64], path[128];
    struct http *h = NULL;
    struct cw_err err;

    (void)state;
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "http-file"), 0);
    snprintf(path, sizeof(path), "%s/http.sock", dir);
    cwtest_write_file(path, "not a socket", 0600);
    assert_int_equal(http_new(loop, "127.0.0.1:0", path, NULL, handler, NULL, &h, &err), -1);
    assert_null(h);
    assert_non_null(strstr(err.msg, "exists and is not a socket"));
    assert_int_equal(http_new(loop, "127.0.0.1:99999", NULL, NULL, handler, NULL, &h, &err), -1);
    ev_loop_destroy(loop);
    cwtest_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deferred_answer_lets_the_loop_answer_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_held_answer_waits_on_a_timer_and_goes_out_at_stop,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_detail_shows_c1_controls_and_stray_bytes_as_fffd,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_within_the_limit_is_given_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_over_the_limit_is_refused_declared_or_chunked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_request_head_over_the_limit_is_answered_in_json,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_answers_a_range_past_the_end_and_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idle_connection_is_closed_after_the_timeout,
                                        setup_short_timeout, teardown),
        cmocka_unit_test_setup_teardown(test_each_request_on_a_connection_has_its_own_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_connection_cap_holds, setup_cap, teardown),
        cmocka_unit_test_setup_teardown(test_unix_socket_serves_with_mode_0660, setup_unix,
                                        teardown),
        cmocka_unit_test(test_unix_socket_path_taken_by_a_file_is_refused),
    };
    int rc;

    log_init("test_http", LOG_LVL_WARN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
