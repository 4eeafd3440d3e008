/* rtsp.c - one RTSP DESCRIBE as a libcurl easy handle, and the verdict on it.
 * Owns: the easy handle, a copy of the URL (credentials stripped from it) and
 * of the credentials, the response body (at most RTSP_MAX_RESPONSE_BYTES) and
 * the Location of a redirect answer.
 * No threads of its own; loop thread only. The caller's multi handle drives
 * the transfer; rtsp_probe_finish() reads what happened:
 *   new -> (multi runs it) -> finish -> free
 * Each probe opens its own connection and closes it (CURLOPT_FORBID_REUSE):
 * cameras allow few sessions, and a liveness probe must connect to prove
 * anything.
 *
 * libcurl 7.88 misses the end of a connection that closes inside an
 * interleaved RTP header ("$" and less than four bytes): it runs again and
 * again on the readable socket until the timeout, a core's worth of CPU per
 * such camera. The probe keeps its socket (open and close callbacks) and, from
 * the progress callback, ends the transfer as truncated when the camera has
 * closed and a whole pass of libcurl over it delivered nothing.
 *
 * A redirect (301, 302, 303, 307, 308 with a Location) is an answer: an NVR
 * sends a client on to the port or host that serves the channel, and players
 * (libavformat's stream sample too) follow it. libcurl's own following would
 * keep the first URL as the RTSP request URI, so the probe follows itself:
 * rtsp_probe_finish() aims the handle at the Location and asks the caller to
 * add it again, within the first timeout and at most RTSP_MAX_REDIRECTS times;
 * the credential goes along only to the same host. */
#include "rtsp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "xfer.h"

#define RTSP_USER_AGENT "camwatch/0.1"
#define RTSP_BODY_FIRST_BYTES 2048 /* a body's first buffer: most SDPs fit */
#define RTSP_MAX_REDIRECTS 3       /* more is a loop or a misconfigured NVR */
#define RTSP_ANSWER_KEEP 64        /* bytes kept of an answer that is not RTSP, to tell what */
#define RTSP_ANSWER_HEX 8          /* of them shown in hex when they are not text */

struct rtsp_probe {
    CURL *easy;
    char *url; /* without user:pass@, sent as the request URI */
    struct xfer_login login;
    int64_t timeout_ms; /* the whole probe's, redirects included */
    long connect_timeout_ms;
    void *private;
    int64_t started_ms; /* monotonic, at new */

    char *location;    /* Location of the last answer when it was a redirect; else NULL */
    int redirects;     /* followed so far */
    bool login_left;   /* the credential was not sent on to another host */
    int64_t before_ms; /* spent on the answers before the last redirect followed */

    char *body; /* the body of the last response, RTSP_MAX_RESPONSE_BYTES at most; grown as
                   it comes (an SDP is a few hundred bytes, and 30,000 cameras keep up to
                   2,048 probes in flight) */
    size_t body_len, body_cap;
    size_t header_bytes;           /* header bytes of all responses so far */
    int status;                    /* from the last status line; 0 when none */
    bool rtsp_seen;                /* an RTSP status line came (for this URL) */
    char answer[RTSP_ANSWER_KEEP]; /* the first bytes of an answer that is not RTSP */
    size_t answer_len;             /* of them; 0 when none came */
    bool too_large;
    char errbuf[CURL_ERROR_SIZE];

    curl_socket_t fd;     /* the connection libcurl is on; CURL_SOCKET_BAD when none */
    bool eof_seen;        /* the last progress call found the camera's end closed */
    size_t eof_bytes;     /* bytes delivered to us at that call */
    bool closed_mid_read; /* ended by the progress callback: closed, libcurl stuck */
};

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Keep the value of a Location header line, trimmed. Returns 0, or -1 out of memory. */
static int take_location(struct rtsp_probe *p, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    free(p->location);
    p->location = strndup(v, n);
    return p->location != NULL ? 0 : -1;
}

/* Keep the first bytes of an answer that is not RTSP (once), to say what the camera is. */
static void keep_answer(struct rtsp_probe *p, const char *buf, size_t len)
{
    if (p->answer_len > 0)
        return;
    p->answer_len = len < sizeof(p->answer) ? len : sizeof(p->answer);
    memcpy(p->answer, buf, p->answer_len);
}

/* Each header line of each response (a 401 before the answer, say). */
static size_t on_header(char *buf, size_t size, size_t n, void *userdata)
{
    struct rtsp_probe *p = userdata;
    size_t len = size * n;
    int code;

    p->header_bytes += len;
    if (p->header_bytes > RTSP_MAX_RESPONSE_BYTES) {
        p->too_large = true;
        return 0; /* abort: curl reports CURLE_WRITE_ERROR */
    }
    if (len >= 5 && memcmp(buf, "RTSP/", 5) == 0) {
        /* A new response starts: what came before belonged to the previous one. */
        p->body_len = 0;
        p->rtsp_seen = true;
        p->answer_len = 0;
        free(p->location);
        p->location = NULL;
        if (sscanf(buf, "RTSP/%*d.%*d %3d", &code) == 1)
            p->status = code;
    } else if (is_redirect(p->status) && len > 9 && strncasecmp(buf, "Location:", 9) == 0) {
        return take_location(p, buf + 9, len - 9) == 0 ? len : 0;
    } else if (p->status == 0 && len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        keep_answer(p, buf, len);
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *userdata)
{
    struct rtsp_probe *p = userdata;
    size_t len = size * n;

    if (!p->rtsp_seen) {
        /* No status line: what libcurl, allowed HTTP/0.9, hands over as a body is all the
         * camera said. Kept to be named; the transfer ends (CURLE_WRITE_ERROR). */
        keep_answer(p, buf, len);
        return 0;
    }
    if (len > RTSP_MAX_RESPONSE_BYTES - p->body_len) {
        p->too_large = true;
        return 0;
    }
    if (p->body_len + len > p->body_cap) {
        size_t cap = p->body_cap ? p->body_cap : RTSP_BODY_FIRST_BYTES;
        char *grown;

        while (cap < p->body_len + len)
            cap *= 2;
        if (cap > RTSP_MAX_RESPONSE_BYTES)
            cap = RTSP_MAX_RESPONSE_BYTES;
        grown = realloc(p->body, cap);
        if (grown == NULL)
            return 0; /* curl reports CURLE_WRITE_ERROR */
        p->body = grown;
        p->body_cap = cap;
    }
    memcpy(p->body + p->body_len, buf, len);
    p->body_len += len;
    return len;
}

static curl_socket_t on_open_socket(void *userdata, curlsocktype purpose,
                                    struct curl_sockaddr *addr)
{
    struct rtsp_probe *p = userdata;
    int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);

    (void)purpose;
    if (fd < 0)
        return CURL_SOCKET_BAD;
    p->fd = fd;
    p->eof_seen = false;
    return fd;
}

static int on_close_socket(void *userdata, curl_socket_t fd)
{
    struct rtsp_probe *p = userdata;

    if (fd == p->fd)
        p->fd = CURL_SOCKET_BAD;
    return close(fd);
}

/* Called on each of libcurl's passes over the transfer. A peek of 0 bytes means the camera
 * closed and libcurl has read everything; it ends the transfer itself in the pass that reads
 * the end, so a second such pass with nothing new delivered is the stuck state above. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct rtsp_probe *p = userdata;
    size_t delivered = p->header_bytes + p->body_len;
    char c;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    if (p->fd == CURL_SOCKET_BAD || recv(p->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) != 0) {
        p->eof_seen = false;
        return 0;
    }
    if (p->eof_seen && p->eof_bytes == delivered) {
        p->closed_mid_read = true;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    p->eof_seen = true;
    p->eof_bytes = delivered;
    return 0;
}

/* Split credentials out of url: the request line must not carry them. Explicit ones win. */
static int split_url(struct rtsp_probe *p, const char *url, const char *username,
                     const char *password, struct cw_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *user = NULL, *pass = NULL, *clean = NULL;
    int rc = -1;

    if (u == NULL)
        return cw_err_set(err, NULL, 0, "rtsp_url", "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        cw_err_set(err, NULL, 0, "rtsp_url", "malformed URL");
        goto fail;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || strcmp(scheme, "rtsp") != 0) {
        cw_err_set(err, NULL, 0, "rtsp_url", "not an rtsp:// URL");
        goto fail;
    }
    (void)curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE);
    if (curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &clean, 0) != CURLUE_OK) {
        cw_err_set(err, NULL, 0, "rtsp_url", "malformed URL");
        goto fail;
    }
    p->url = strdup(clean);
    if (p->url == NULL || xfer_login_set(&p->login, username != NULL ? username : user,
                                         username != NULL ? password : pass) != 0) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    rc = 0;
fail:
    curl_free(scheme);
    if (pass != NULL)
        memset(pass, 0, strlen(pass));
    curl_free(user);
    curl_free(pass);
    curl_free(clean);
    curl_url_cleanup(u);
    return rc;
}

static int set_options(struct rtsp_probe *p)
{
    CURL *e = p->easy;
    CURLcode rc = CURLE_OK;

#define SET(opt, val) XFER_SETOPT(rc, e, opt, val)
    SET(CURLOPT_URL, p->url);
    SET(CURLOPT_RTSP_STREAM_URI, p->url);
    SET(CURLOPT_RTSP_REQUEST, (long)CURL_RTSPREQ_DESCRIBE);
    /* An answer without an RTSP status line (a web server, a TLS port, a DVR's own protocol)
     * is otherwise refused by libcurl as "Received HTTP/0.9 when not allowed", which says
     * nothing of what the camera answered. Allowed, it reaches on_body, which keeps its first
     * bytes and ends the transfer at once. */
    SET(CURLOPT_HTTP09_ALLOWED, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    SET(CURLOPT_PROTOCOLS_STR, "rtsp");
#else
    SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_RTSP);
#endif
    SET(CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, p->connect_timeout_ms);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_FORBID_REUSE, 1L);
    SET(CURLOPT_PRIVATE, p->private);
    SET(CURLOPT_ERRORBUFFER, p->errbuf);
    SET(CURLOPT_USERAGENT, RTSP_USER_AGENT);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, p);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, p);
    SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SET(CURLOPT_OPENSOCKETDATA, p);
    SET(CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
    SET(CURLOPT_CLOSESOCKETDATA, p);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, p);
    SET(CURLOPT_NOPROGRESS, 0L);
    if (p->login.username != NULL) {
        SET(CURLOPT_USERNAME, p->login.username);
        SET(CURLOPT_PASSWORD, p->login.password);
        SET(CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
    }
#undef SET
    return rc == CURLE_OK ? 0 : -1;
}

int rtsp_probe_new(const char *url, const char *username, const char *password, int64_t timeout_ms,
                   void *private, struct rtsp_probe **out, struct cw_err *err)
{
    struct rtsp_probe *p;

    *out = NULL;
    if (url == NULL)
        return cw_err_set(err, NULL, 0, "rtsp_url", "missing");
    if (timeout_ms <= 0 || timeout_ms > 24 * 3600 * 1000)
        return cw_err_set(err, NULL, 0, "timeout", "out of range: %lld ms", (long long)timeout_ms);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    p->timeout_ms = timeout_ms;
    p->started_ms = cw_mono_ms();
    p->connect_timeout_ms =
        (long)(timeout_ms < RTSP_CONNECT_TIMEOUT_MAX_MS ? timeout_ms : RTSP_CONNECT_TIMEOUT_MAX_MS);
    p->private = private;
    p->fd = CURL_SOCKET_BAD;
    p->easy = curl_easy_init();
    if (p->easy == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (split_url(p, url, username, password, err) < 0)
        goto fail;
    if (set_options(p) < 0) {
        cw_err_set(err, NULL, 0, NULL, "libcurl refused an RTSP option");
        goto fail;
    }
    *out = p;
    return 0;
fail:
    rtsp_probe_free(p);
    return -1;
}

CURL *rtsp_probe_handle(struct rtsp_probe *p)
{
    return p->easy;
}

static void set_result(struct rtsp_result *out, enum rtsp_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_result(struct rtsp_result *out, enum rtsp_outcome o, const char *fmt, ...)
{
    va_list ap;

    out->outcome = o;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
}

/* "redirected to URL: " before the detail of an answer at the end of redirects. */
static void prefix_redirect(const struct rtsp_probe *p, struct rtsp_result *out)
{
    char detail[sizeof(out->detail)];

    memcpy(detail, out->detail, sizeof(detail));
    if (snprintf(out->detail, sizeof(out->detail), "redirected to %s: %s",
                 p->url != NULL ? p->url : "?", detail) < 0)
        out->detail[0] = '\0';
}

static void classify_status(struct rtsp_probe *p, struct rtsp_result *out)
{
    struct cw_err err = {0};
    int s = out->status;

    if (s == 200) {
        if (sdp_parse_video(p->body, p->body_len, &out->video, &err) == 0)
            set_result(out, RTSP_OK, "%s %dx%d%s%s", out->video.codec, out->video.width,
                       out->video.height, out->video.problem[0] ? "; " : "", out->video.problem);
        else
            set_result(out, RTSP_BAD_SDP, "%s", err.msg);
    } else if (s == 401 || s == 403) {
        set_result(out, RTSP_AUTH, "status %d%s", s,
                   p->login_left               ? " (the credential is not sent to another host)"
                   : p->login.username == NULL ? " (no credential configured)"
                                               : "");
    } else if (s == 404) {
        set_result(out, RTSP_NOT_FOUND, "status 404");
    } else if (s >= 500 && s <= 599) {
        set_result(out, RTSP_SERVER_ERROR, "status %d", s);
    } else if (s == 0) {
        set_result(out, RTSP_NOT_RTSP, "no RTSP status line");
    } else {
        set_result(out, RTSP_BAD_STATUS, "status %d", s);
    }
}

/* What came instead of RTSP: its first line when that is text (`answered HTTP: "HTTP/1.1 200
 * OK"`), else its first bytes in hex, a TLS handshake (an rtsps or https port) named as such. */
static void describe_answer(const struct rtsp_probe *p, struct rtsp_result *out)
{
    const unsigned char *a = (const unsigned char *)p->answer;
    size_t n = p->answer_len, text = 0;
    char hex[3 * RTSP_ANSWER_HEX + 1] = "";

    while (text < n && a[text] >= 0x20 && a[text] < 0x7f)
        text++;
    if (text > 0 && (text == n || a[text] == '\r' || a[text] == '\n')) {
        set_result(out, RTSP_NOT_RTSP, "answered %s\"%.*s%s\"",
                   text >= 5 && memcmp(a, "HTTP/", 5) == 0 ? "HTTP: " : "", (int)text, p->answer,
                   text == sizeof(p->answer) ? "..." : "");
        return;
    }
    for (size_t i = 0, at = 0; i < n && i < RTSP_ANSWER_HEX; i++)
        at += (size_t)snprintf(hex + at, sizeof(hex) - at, "%s%02x", i > 0 ? " " : "", a[i]);
    set_result(out, RTSP_NOT_RTSP, "answered %s: %s%s",
               n >= 2 && a[0] == 0x16 && a[1] == 0x03 ? "TLS, a handshake record"
                                                      : "bytes that are not text",
               hex, n > RTSP_ANSWER_HEX ? " ..." : "");
}

static void classify_failure(struct rtsp_probe *p, CURLcode rc, struct rtsp_result *out)
{
    static const enum rtsp_outcome map[] = {
        [XFER_TIMEOUT] = RTSP_TIMEOUT,
        [XFER_REFUSED] = RTSP_REFUSED,
        [XFER_UNREACHABLE] = RTSP_UNREACHABLE,
        [XFER_PROTOCOL] = RTSP_NOT_RTSP,
        [XFER_TOO_LARGE] = RTSP_TOO_LARGE,
        [XFER_TRUNCATED] = RTSP_TRUNCATED,
        [XFER_TLS] = RTSP_ERROR,
        [XFER_OTHER] = RTSP_ERROR,
    };
    enum xfer_fault f = xfer_classify(p->easy, rc, p->url, p->errbuf, p->connect_timeout_ms,
                                      p->timeout_ms, out->detail, sizeof(out->detail));

    out->outcome = map[f];
}

/* The host of url, lower-case as libcurl gives it; NULL when none (curl_free it). */
static char *url_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
        (void)curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_cleanup(u);
    return host;
}

/* location resolved against p's URL (it may be relative); NULL when it is not a URL. */
static char *resolve_location(const struct rtsp_probe *p)
{
    CURLU *u = curl_url();
    char *target = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, p->url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, p->location, 0) == CURLUE_OK)
        (void)curl_url_get(u, CURLUPART_URL, &target, 0);
    curl_url_cleanup(u);
    return target;
}

/* Aim p at target, the Location of its last answer, with left ms of its timeout: the credential
 * goes along to the same host only. Returns 0, or -1 with err. */
static int aim(struct rtsp_probe *p, const char *target, int64_t left, struct cw_err *err)
{
    struct xfer_login was = p->login;
    char *old_host = url_host(p->url), *new_host = url_host(target);
    bool same = old_host != NULL && new_host != NULL && strcmp(old_host, new_host) == 0;
    CURL *e = p->easy;
    CURLcode rc = CURLE_OK;
    int ok;

    curl_free(old_host);
    curl_free(new_host);
    free(p->url);
    p->url = NULL;
    p->login = (struct xfer_login){NULL, NULL};
    ok = split_url(p, target, same ? was.username : NULL, same ? was.password : NULL, err);
    if (was.username != NULL && !same)
        p->login_left = true;
    xfer_login_clear(&was);
    if (ok < 0)
        return -1;
    p->before_ms = cw_mono_ms() - p->started_ms;
    p->redirects++;
    free(p->location);
    p->location = NULL;
    p->status = 0;
    p->rtsp_seen = p->too_large = p->eof_seen = p->closed_mid_read = false;
    p->answer_len = 0;
    p->body_len = p->header_bytes = 0;
    p->errbuf[0] = '\0';
#define SET(opt, val) XFER_SETOPT(rc, e, opt, val)
    SET(CURLOPT_URL, p->url);
    SET(CURLOPT_RTSP_STREAM_URI, p->url);
    SET(CURLOPT_TIMEOUT_MS, (long)left);
    SET(CURLOPT_CONNECTTIMEOUT_MS,
        left < p->connect_timeout_ms ? (long)left : p->connect_timeout_ms);
    SET(CURLOPT_USERNAME, p->login.username);
    SET(CURLOPT_PASSWORD, p->login.password);
#undef SET
    if (rc != CURLE_OK)
        return cw_err_set(err, NULL, 0, NULL, "libcurl refused an RTSP option");
    return 0;
}

/* p's answer was a redirect: aim it at the Location (1), or judge it (0, out set). */
static int follow(struct rtsp_probe *p, struct rtsp_result *out)
{
    int64_t left = p->timeout_ms - (cw_mono_ms() - p->started_ms);
    struct cw_err err;
    char *target;
    int rc = 0;

    if (p->location == NULL || p->location[0] == '\0') {
        set_result(out, RTSP_BAD_STATUS, "status %d without a Location", p->status);
        return 0;
    }
    if (p->redirects >= RTSP_MAX_REDIRECTS) {
        set_result(out, RTSP_BAD_STATUS, "status %d: too many redirects (more than %d)", p->status,
                   RTSP_MAX_REDIRECTS);
        return 0;
    }
    if (left <= 0) {
        set_result(out, RTSP_TIMEOUT, "timeout after %lld ms", (long long)p->timeout_ms);
        return 0;
    }
    target = resolve_location(p);
    if (target == NULL)
        set_result(out, RTSP_BAD_STATUS, "status %d to a Location that is not a URL", p->status);
    else if (aim(p, target, left, &err) < 0)
        set_result(out, RTSP_BAD_STATUS, "status %d to %s: %s", p->status, target, err.msg);
    else
        rc = 1;
    curl_free(target);
    return rc;
}

int rtsp_probe_finish(struct rtsp_probe *p, CURLcode rc, struct rtsp_result *out)
{
    long code = 0;
    curl_off_t total_us = 0;

    memset(out, 0, sizeof(*out));
    out->latency_ms = -1;
    out->video.payload_type = -1;
    out->status = p->status;
    if (out->status == 0 && curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        out->status = (int)code;
    if (p->too_large) {
        set_result(out, RTSP_TOO_LARGE, "response over %d bytes", RTSP_MAX_RESPONSE_BYTES);
    } else if (p->closed_mid_read) {
        set_result(out, RTSP_TRUNCATED, "connection closed mid-response");
    } else if (p->answer_len > 0) {
        out->status = 0;
        describe_answer(p, out);
    } else if (rc != CURLE_OK) {
        classify_failure(p, rc, out);
    } else if (is_redirect(p->status)) {
        if (p->url != NULL && follow(p, out) == 1)
            return RTSP_FOLLOW;
    } else {
        if (curl_easy_getinfo(p->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK)
            out->latency_ms = (int)(p->before_ms + (total_us + 500) / 1000);
        classify_status(p, out);
    }
    if (p->redirects > 0 && out->outcome != RTSP_OK)
        prefix_redirect(p, out);
    return 0;
}

void rtsp_probe_free(struct rtsp_probe *p)
{
    if (p == NULL)
        return;
    if (p->easy != NULL)
        curl_easy_cleanup(p->easy);
    free(p->url);
    xfer_login_clear(&p->login);
    free(p->location);
    free(p->body);
    free(p);
}

const char *rtsp_outcome_reason(enum rtsp_outcome o)
{
    static const char *const reasons[] = {
        [RTSP_OK] = "ok",
        [RTSP_TIMEOUT] = "timeout",
        [RTSP_REFUSED] = "connection refused",
        [RTSP_UNREACHABLE] = "unreachable",
        [RTSP_AUTH] = "authentication failed",
        [RTSP_NOT_FOUND] = "not found",
        [RTSP_SERVER_ERROR] = "server error",
        [RTSP_BAD_STATUS] = "unexpected status",
        [RTSP_NOT_RTSP] = "not RTSP",
        [RTSP_TOO_LARGE] = "response too large",
        [RTSP_TRUNCATED] = "truncated",
        [RTSP_BAD_SDP] = "bad SDP",
    };

    return (size_t)o < sizeof(reasons) / sizeof(*reasons) && reasons[o] != NULL ? reasons[o]
                                                                                : "error";
}
