/* onvif.c - one ONVIF probe of one camera as a sequence of SOAP requests on
 * one libcurl easy handle. Owns: the easy handle and its header list, copies
 * of the URLs and credentials, the request and response buffers, the result.
 * Loop thread only; nothing here blocks: the caller's multi moves the bytes
 * and calls onvif_probe_step() when each request is done.
 *
 *   S_CLOCK -> S_INFO -> S_SERVICES -> S_PROFILES -> S_STREAM_URI (per profile)
 *                             |  not supported    ^      -> S_SNAPSHOT_URI -> S_SNAPSHOT -> done
 *                             +-> S_CAPABILITIES -+                 start_next()
 *
 * Requests reuse the connection (the multi's cache), so a probe costs one TCP connect. */
#include "onvif.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/text.h"
#include "onvif_http.h"
#include "xfer.h"

#define ONVIF_CONNECT_TIMEOUT_MAX_MS 3000
#define ONVIF_DEFAULT_RTSP_PORT "554"

enum onvif_step {
    S_CLOCK,
    S_INFO,
    S_SERVICES,
    S_CAPABILITIES,
    S_PROFILES,
    S_STREAM_URI,
    S_SNAPSHOT_URI,
    S_SNAPSHOT,
    S_DONE
};

struct onvif_probe {
    CURL *easy;
    struct curl_slist *headers;
    char *device_url, *rtsp_url, *snapshot_path;
    struct xfer_login login;
    int64_t timeout_ms;
    long connect_timeout_ms;

    enum onvif_step step;
    enum onvif_call call;
    int media2;                  /* profiles come from the media2 service */
    size_t profile;              /* S_STREAM_URI: the profile asked about */
    char url[1024];              /* of the current request */
    char *request;               /* its body */
    struct xfer_buf body;        /* the answer */
    int status;                  /* HTTP status of the last response line */
    int challenged;              /* a Digest challenge was seen: the device wants HTTP Digest */
    int digest;                  /* HTTP Digest is switched on for this handle */
    char token[ONVIF_TOKEN_MAX]; /* of the current request, for a resend */
    int64_t first_byte_ms;       /* when the last answer's status line came in (our clock) */
    int clock_with_auth;         /* GetSystemDateAndTime is asked again with credentials */
    struct onvif_fault fault;    /* of the last answer, kind NONE when it was none */
    int snapshot_fetched;        /* body holds the snapshot, a JPEG */
    char errbuf[CURL_ERROR_SIZE];
    struct onvif_result res;
};

static void result_set(struct onvif_probe *p, enum onvif_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail the probe: "CALL: what" in detail. */
static void result_set(struct onvif_probe *p, enum onvif_outcome o, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    p->res.outcome = o;
    if (snprintf(p->res.detail, sizeof(p->res.detail), "%s: %s", onvif_call_name(p->call), what) <
        0)
        p->res.detail[0] = '\0';
}

/* ---- transfer plumbing ---- */

/* 1 when the len bytes at s hold word, case ignored. */
static int has_word_ci(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, word, n) == 0)
            return 1;
    return 0;
}

/* Each header line of each response; not NUL-terminated. */
static size_t on_header(char *buf, size_t size, size_t n, void *userdata)
{
    struct onvif_probe *p = userdata;
    size_t len = size * n;
    char line[32];

    if (len > 9 && memcmp(buf, "HTTP/", 5) == 0) {
        int code = 0;

        memcpy(line, buf, len < sizeof(line) - 1 ? len : sizeof(line) - 1);
        line[len < sizeof(line) - 1 ? len : sizeof(line) - 1] = '\0';
        if (sscanf(line, "HTTP/%*s %3d", &code) == 1)
            p->status = code;
        p->body.len = 0; /* a 401 body before the real answer is not the answer */
        /* The first byte of the answer: the device read its clock before this. */
        p->first_byte_ms = cw_now_ms();
    } else if (p->status == 401 && len > 17 && strncasecmp(buf, "WWW-Authenticate:", 17) == 0 &&
               has_word_ci(buf + 17, len - 17, "digest")) {
        p->challenged = 1;
    }
    return len;
}

static int set_common_options(struct onvif_probe *p, const struct onvif_request *req, void *private)
{
    CURL *e = p->easy;
    CURLcode rc = CURLE_OK;

#define SET(opt, val) XFER_SETOPT(rc, e, opt, val)
    rc = xfer_set_http(e, p->timeout_ms, p->connect_timeout_ms, p->errbuf, req->tls_verify,
                       req->ca_file);
    SET(CURLOPT_PRIVATE, private);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, p);
    SET(CURLOPT_WRITEFUNCTION, xfer_buf_write);
    SET(CURLOPT_WRITEDATA, &p->body);
#undef SET
    return rc == CURLE_OK ? 0 : -1;
}

/* Where to send a request for xaddr: onvif_http_service_url() with what this probe knows. */
static int service_url(const struct onvif_probe *p, const char *xaddr, char *buf, size_t len)
{
    return onvif_http_service_url(p->device_url, p->res.ep.url[ONVIF_SVC_DEVICE], xaddr, buf, len);
}

/* Forget the last answer before a request goes out; the next may be up to limit bytes. */
static void expect_answer(struct onvif_probe *p, size_t limit)
{
    xfer_buf_reset(&p->body, limit);
    p->status = 0;
    p->errbuf[0] = '\0';
}

/* (Re)build the current call's request, with a fresh nonce, and set it on the handle for
 * p->url. Returns 0, or -1 with the probe failed. */
static int send_request(struct onvif_probe *p)
{
    struct cw_err err = {0};
    char ctype[256];
    struct curl_slist *h;
    int64_t created = cw_now_ms() + (p->res.has_clock ? p->res.offset_ms : 0);
    enum onvif_call call = p->call;
    /* The Core spec answers GetSystemDateAndTime to anyone; a device that wants credentials
     * for it is asked again with them (clock_with_auth). */
    const char *user =
        call == ONVIF_GET_SYSTEM_DATE_AND_TIME && !p->clock_with_auth ? NULL : p->login.username;

    xfer_free_secret(p->request);
    p->request = NULL;
    /* Created is the device's idea of now, so a camera whose clock is off still accepts it. */
    if (onvif_call_build_request(call, p->token[0] ? p->token : NULL, user, p->login.password,
                                 created, &p->request, &err) != 0) {
        result_set(p, ONVIF_ERROR, "%s", err.msg);
        return -1;
    }
    if (snprintf(ctype, sizeof(ctype),
                 "Content-Type: application/soap+xml; charset=utf-8; action=\"%s\"",
                 onvif_call_action(call)) >= (int)sizeof(ctype))
        ctype[0] = '\0';
    h = curl_slist_append(NULL, ctype);
    if (h == NULL || curl_slist_append(h, "Expect:") == NULL) {
        curl_slist_free_all(h);
        result_set(p, ONVIF_ERROR, "out of memory");
        return -1;
    }
    curl_slist_free_all(p->headers);
    p->headers = h;
    expect_answer(p, ONVIF_MAX_RESPONSE_BYTES);
    if (curl_easy_setopt(p->easy, CURLOPT_URL, p->url) != CURLE_OK ||
        curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers) != CURLE_OK ||
        curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->request) != CURLE_OK ||
        curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(p->request)) != CURLE_OK) {
        result_set(p, ONVIF_ERROR, "libcurl refused an HTTP option");
        return -1;
    }
    return 0;
}

/* Send call to the service at xaddr (NULL: the device URL) about profile token (may be NULL).
 * Returns 0, or -1 with the probe failed. */
static int start_call(struct onvif_probe *p, enum onvif_call call, const char *xaddr,
                      const char *token)
{
    p->call = call;
    snprintf(p->token, sizeof(p->token), "%s", token ? token : "");
    if (xaddr == NULL) {
        snprintf(p->url, sizeof(p->url), "%s", p->device_url);
    } else if (service_url(p, xaddr, p->url, sizeof(p->url)) != 0) {
        result_set(p, ONVIF_BAD_ANSWER, "unusable service address '%.120s'", xaddr);
        return -1;
    }
    return send_request(p);
}

/* The device challenged for HTTP Digest: switch it on and send the request again. Not from
 * the start: with Digest wanted before any challenge, libcurl sends each POST first with an
 * empty body, which devices that want no Digest answer with a fault. Digest only: Basic would
 * send the password in clear over plain HTTP. Returns 1 when resent, 0 when not (no
 * credential, or Digest was already on and refused), -1 with the probe failed. */
static int digest_retry(struct onvif_probe *p)
{
    if (p->status != 401 || !p->challenged || p->digest || p->login.username == NULL)
        return 0;
    p->digest = 1;
    if (curl_easy_setopt(p->easy, CURLOPT_USERNAME, p->login.username) != CURLE_OK ||
        curl_easy_setopt(p->easy, CURLOPT_PASSWORD, p->login.password) != CURLE_OK ||
        curl_easy_setopt(p->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST) != CURLE_OK) {
        result_set(p, ONVIF_ERROR, "libcurl refused HTTP Digest");
        return -1;
    }
    if (p->step == S_SNAPSHOT) { /* a GET: the same again */
        expect_answer(p, ONVIF_SNAPSHOT_MAX_BYTES);
        return 1;
    }
    return send_request(p) == 0 ? 1 : -1;
}

/* ---- reading an answer ---- */

static enum onvif_outcome outcome_of_xfer(enum xfer_fault f)
{
    static const enum onvif_outcome map[] = {
        [XFER_TIMEOUT] = ONVIF_TIMEOUT,
        [XFER_REFUSED] = ONVIF_REFUSED,
        [XFER_UNREACHABLE] = ONVIF_UNREACHABLE,
        [XFER_PROTOCOL] = ONVIF_NOT_SOAP,
        [XFER_TOO_LARGE] = ONVIF_TOO_LARGE,
        [XFER_TRUNCATED] = ONVIF_TRUNCATED,
        [XFER_TLS] = ONVIF_TLS,
        [XFER_OTHER] = ONVIF_ERROR,
    };
    return map[f];
}

static int looks_like_html(const struct onvif_probe *p)
{
    char *ct = NULL;

    if (curl_easy_getinfo(p->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
        ct = NULL;
    return onvif_http_is_html(ct, p->body.data, p->body.len);
}

/* Read the answer to the current request. Returns 0 with *doc (a 200 SOAP answer that is not
 * a fault), or -1 with the probe's outcome set and p->fault filled when it was a fault. */
static int take_answer(struct onvif_probe *p, CURLcode rc, struct onvif_doc **doc)
{
    struct cw_err err = {0};
    char detail[256];

    *doc = NULL;
    memset(&p->fault, 0, sizeof(p->fault));
    if (p->body.too_large) {
        result_set(p, ONVIF_TOO_LARGE, "response over %zu bytes", p->body.limit);
        return -1;
    }
    if (rc != CURLE_OK) {
        enum xfer_fault f = xfer_classify(p->easy, rc, p->url, p->errbuf, p->connect_timeout_ms,
                                          p->timeout_ms, detail, sizeof(detail));
        result_set(p, outcome_of_xfer(f), "%s", detail);
        return -1;
    }
    if (p->status == 401 || p->status == 403) {
        result_set(p, ONVIF_AUTH, "HTTP %d%s", p->status,
                   p->login.username == NULL ? " (no credential configured)" : "");
        return -1;
    }
    if (looks_like_html(p)) {
        result_set(p, ONVIF_NOT_SOAP, "answered an HTML page (HTTP %d), not SOAP", p->status);
        return -1;
    }
    if (onvif_doc_parse(p->body.data ? p->body.data : "", p->body.len, doc, &err) != 0) {
        if (p->status != 200)
            result_set(p, ONVIF_HTTP_STATUS, "HTTP %d (%s)", p->status, err.msg);
        else
            result_set(p, ONVIF_BAD_ANSWER, "%s", err.msg);
        return -1;
    }
    if (onvif_doc_fault(*doc, &p->fault)) {
        onvif_doc_free(*doc);
        *doc = NULL;
        result_set(p, p->fault.kind == ONVIF_FAULT_NOT_AUTHORIZED ? ONVIF_AUTH : ONVIF_FAULT,
                   "%s%s%s", p->fault.code, p->fault.reason[0] ? ": " : "", p->fault.reason);
        return -1;
    }
    if (p->status != 200) {
        onvif_doc_free(*doc);
        *doc = NULL;
        result_set(p, ONVIF_HTTP_STATUS, "HTTP %d", p->status);
        return -1;
    }
    return 0;
}

/* ---- the steps ---- */

static int media_call_start(struct onvif_probe *p, enum onvif_call v10, enum onvif_call v20,
                            const char *token)
{
    int svc = p->media2 ? ONVIF_SVC_MEDIA2 : ONVIF_SVC_MEDIA;

    return start_call(p, p->media2 ? v20 : v10, p->res.ep.url[svc], token);
}

/* The profile the inventory streams (paths agree), else the first; and the note. */
static void choose_streamed(struct onvif_probe *p)
{
    struct onvif_result *r = &p->res;
    char note[256];

    r->streamed = r->n_profiles > 0 ? 0 : -1;
    r->uri_note[0] = '\0';
    if (r->n_profiles == 0 || p->rtsp_url == NULL)
        return;
    for (size_t i = 0; i < r->n_profiles; i++)
        if (r->profiles[i].stream_uri[0] != '\0' &&
            onvif_compare_stream_uri(r->profiles[i].stream_uri, p->rtsp_url, note, sizeof(note)) ==
                1) {
            r->streamed = (int)i;
            break;
        }
    if (r->profiles[r->streamed].stream_uri[0] == '\0')
        snprintf(r->uri_note, sizeof(r->uri_note), "the camera gave no stream URI");
    else
        (void)onvif_compare_stream_uri(r->profiles[r->streamed].stream_uri, p->rtsp_url,
                                       r->uri_note, sizeof(r->uri_note));
}

static int start_snapshot(struct onvif_probe *p)
{
    const char *uri = p->res.profiles[p->res.streamed].snapshot_uri;
    const char *why = NULL;

    if (strncasecmp(uri, "http://", 7) != 0 && strncasecmp(uri, "https://", 8) != 0)
        why = "the camera gave no HTTP snapshot URI";
    else if (service_url(p, uri, p->url, sizeof(p->url)) != 0)
        why = "unusable snapshot URI";
    else if (curl_easy_setopt(p->easy, CURLOPT_URL, p->url) != CURLE_OK ||
             curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, NULL) != CURLE_OK ||
             curl_easy_setopt(p->easy, CURLOPT_HTTPGET, 1L) != CURLE_OK)
        why = "libcurl refused an HTTP option";
    if (why != NULL) {
        snprintf(p->res.snapshot_error, sizeof(p->res.snapshot_error), "%s", why);
        return 0;
    }
    p->step = S_SNAPSHOT;
    expect_answer(p, ONVIF_SNAPSHOT_MAX_BYTES);
    return 1;
}

/* Keep the JPEG for the caller (onvif_probe_take_snapshot), which writes it off the loop. */
static void finish_snapshot(struct onvif_probe *p, CURLcode rc)
{
    struct onvif_result *r = &p->res;

    if (rc != CURLE_OK || p->body.too_large || p->status != 200) {
        if (p->body.too_large)
            snprintf(r->snapshot_error, sizeof(r->snapshot_error), "over %d bytes",
                     ONVIF_SNAPSHOT_MAX_BYTES);
        else if (rc != CURLE_OK)
            snprintf(r->snapshot_error, sizeof(r->snapshot_error), "%s", curl_easy_strerror(rc));
        else
            snprintf(r->snapshot_error, sizeof(r->snapshot_error), "HTTP %d", p->status);
        return;
    }
    if (p->body.len < 4 || (unsigned char)p->body.data[0] != 0xFF ||
        (unsigned char)p->body.data[1] != 0xD8) {
        snprintf(r->snapshot_error, sizeof(r->snapshot_error), "not a JPEG");
        return;
    }
    p->snapshot_fetched = 1;
}

void *onvif_probe_take_snapshot(struct onvif_probe *p, size_t *len)
{
    void *jpeg = p->body.data;

    *len = 0;
    if (!p->snapshot_fetched)
        return NULL;
    *len = p->body.len;
    p->body.data = NULL;
    p->body.len = p->body.cap = 0;
    p->snapshot_fetched = 0;
    return jpeg;
}

static void take_clock(struct onvif_probe *p, const struct onvif_doc *doc)
{
    struct onvif_result *r = &p->res;
    struct cw_err err = {0};
    curl_off_t pre_us = 0, first_us = 0;
    int64_t span_ms;

    if (onvif_parse_clock(doc, &r->clock, &err) != 0)
        return; /* no usable clock: go on without it, the offset stays unknown */
    (void)curl_easy_getinfo(p->easy, CURLINFO_PRETRANSFER_TIME_T, &pre_us);
    (void)curl_easy_getinfo(p->easy, CURLINFO_STARTTRANSFER_TIME_T, &first_us);
    /* From the request leaving to the answer's first byte, stamped as it came in (not when
     * the loop got round to it): the window in which the device read its clock. */
    span_ms = (int64_t)((first_us - pre_us + 999) / 1000);
    if (span_ms < 0)
        span_ms = 0;
    onvif_clock_offset(p->first_byte_ms - span_ms, p->first_byte_ms, r->clock.device_utc_ms,
                       &r->offset_ms, &r->error_ms);
    r->clock_at_ms = p->first_byte_ms;
    r->has_clock = 1;
}

/* Read a good answer to the current step. Returns the step to go on with, or -1 (failed). */
static int take(struct onvif_probe *p, const struct onvif_doc *doc)
{
    struct onvif_result *r = &p->res;
    struct cw_err err = {0};
    struct onvif_endpoints ep = r->ep;
    int rc = 0;

    switch (p->step) {
    case S_CLOCK:
        take_clock(p, doc);
        return S_INFO;
    case S_INFO:
        rc = onvif_parse_info(doc, &r->info, &err);
        r->has_info = rc == 0;
        break;
    case S_SERVICES:
    case S_CAPABILITIES:
        rc = p->step == S_SERVICES ? onvif_parse_services(doc, &ep, &err)
                                   : onvif_parse_capabilities(doc, &ep, &err);
        if (rc == 0 && ep.url[ONVIF_SVC_MEDIA][0] == '\0' && ep.url[ONVIF_SVC_MEDIA2][0] == '\0') {
            /* Some list only the device service in GetServices: ask the older way. */
            if (p->step == S_SERVICES)
                return S_CAPABILITIES;
            rc = cw_err_set(&err, NULL, 0, NULL, "the device names no media service");
        }
        if (rc == 0) {
            r->ep = ep;
            p->media2 = ep.url[ONVIF_SVC_MEDIA][0] == '\0';
            return S_PROFILES;
        }
        break;
    case S_PROFILES:
        rc = onvif_parse_profiles(doc, r->profiles, ONVIF_MAX_PROFILES, &r->n_profiles, &err);
        p->profile = 0;
        break;
    case S_STREAM_URI:
        /* A profile whose answer holds no usable URI keeps none, as one that faults. */
        if (onvif_parse_uri(doc, r->profiles[p->profile].stream_uri,
                            sizeof(r->profiles[p->profile].stream_uri), &err) != 0)
            r->profiles[p->profile].stream_uri[0] = '\0';
        else
            log_redact_url(r->profiles[p->profile].stream_uri, r->profiles[p->profile].stream_uri,
                           sizeof(r->profiles[p->profile].stream_uri));
        p->profile++;
        return S_STREAM_URI; /* the next profile */
    case S_SNAPSHOT_URI:
        if (onvif_parse_uri(doc, r->profiles[r->streamed].snapshot_uri,
                            sizeof(r->profiles[r->streamed].snapshot_uri), &err) != 0) {
            snprintf(r->snapshot_error, sizeof(r->snapshot_error), "%.120s", err.msg);
            return S_DONE;
        }
        log_redact_url(r->profiles[r->streamed].snapshot_uri, r->profiles[r->streamed].snapshot_uri,
                       sizeof(r->profiles[r->streamed].snapshot_uri));
        return S_SNAPSHOT;
    default:
        return -1;
    }
    if (rc != 0) {
        result_set(p, ONVIF_BAD_ANSWER, "%s", err.msg);
        return -1;
    }
    return p->step + 1;
}

/* The current request failed (outcome set). Returns the step to go on with, or -1 when the
 * probe cannot go on. */
static int recover(struct onvif_probe *p)
{
    struct onvif_result *r = &p->res;
    enum onvif_outcome o = r->outcome;
    int refused = o == ONVIF_FAULT || o == ONVIF_HTTP_STATUS;

    /* The device answered, so it is there: some want credentials even for the clock (the
     * Core spec says they must not), some lack GetServices (older than ONVIF 2.0), a profile
     * may have no stream, a snapshot is extra. */
    if (p->step == S_CLOCK && (refused || o == ONVIF_AUTH)) {
        if (!p->clock_with_auth && p->login.username != NULL) {
            p->clock_with_auth = 1;
            r->outcome = ONVIF_OK;
            r->detail[0] = '\0';
            return S_CLOCK;
        }
        goto go_on;
    }
    if (p->step == S_SERVICES && refused)
        goto go_on;
    /* GetCapabilities has no media2 element: a media2-only device names its media2 address
     * as Media, and faults ver10 calls there. Ask it the ver20 way once. */
    if (p->step == S_PROFILES && refused && !p->media2 && r->ep.url[ONVIF_SVC_MEDIA2][0] == '\0') {
        p->media2 = 1;
        memcpy(r->ep.url[ONVIF_SVC_MEDIA2], r->ep.url[ONVIF_SVC_MEDIA], ONVIF_URL_MAX);
        r->ep.url[ONVIF_SVC_MEDIA][0] = '\0';
        r->outcome = ONVIF_OK;
        r->detail[0] = '\0';
        return S_PROFILES;
    }
    if (p->step == S_STREAM_URI && refused) {
        p->profile++;
        goto go_on;
    }
    if (p->step == S_SNAPSHOT_URI && o != ONVIF_OK) {
        snprintf(r->snapshot_error, sizeof(r->snapshot_error), "%.120s", r->detail);
        r->outcome = ONVIF_OK;
        r->detail[0] = '\0';
        return S_DONE;
    }
    return -1;
go_on:
    r->outcome = ONVIF_OK;
    r->detail[0] = '\0';
    return p->step == S_STREAM_URI ? S_STREAM_URI : p->step + 1;
}

/* Start the first request at or after step. Returns 1 when one is started, 0 when there is
 * nothing left to ask, -1 when it could not start (outcome set). */
static int start_from(struct onvif_probe *p, int step)
{
    struct onvif_result *r = &p->res;

    p->step = (enum onvif_step)step;
    switch (p->step) {
    case S_INFO:
        return start_call(p, ONVIF_GET_DEVICE_INFORMATION, NULL, NULL) == 0 ? 1 : -1;
    case S_SERVICES:
        return start_call(p, ONVIF_GET_SERVICES, NULL, NULL) == 0 ? 1 : -1;
    case S_CAPABILITIES:
        return start_call(p, ONVIF_GET_CAPABILITIES, NULL, NULL) == 0 ? 1 : -1;
    case S_PROFILES:
        return media_call_start(p, ONVIF_GET_PROFILES, ONVIF_MEDIA2_GET_PROFILES, NULL) == 0 ? 1
                                                                                             : -1;
    case S_STREAM_URI:
        /* Profiles without a video encoder (audio, metadata) have no stream to ask about. */
        while (p->profile < r->n_profiles && r->profiles[p->profile].encoder_token[0] == '\0')
            p->profile++;
        if (p->profile < r->n_profiles)
            return media_call_start(p, ONVIF_GET_STREAM_URI, ONVIF_MEDIA2_GET_STREAM_URI,
                                    r->profiles[p->profile].token) == 0
                       ? 1
                       : -1;
        choose_streamed(p);
        p->step = S_SNAPSHOT_URI;
        /* fall through */
    case S_SNAPSHOT_URI:
        if (p->snapshot_path == NULL || r->streamed < 0)
            return 0;
        return media_call_start(p, ONVIF_GET_SNAPSHOT_URI, ONVIF_MEDIA2_GET_SNAPSHOT_URI,
                                r->profiles[r->streamed].token) == 0
                   ? 1
                   : -1;
    case S_SNAPSHOT:
        /* What the SOAP calls needed: the snapshot may want Digest where they did not. */
        snprintf(r->auth, sizeof(r->auth), "%s", p->digest ? "wsse+digest" : "wsse");
        return start_snapshot(p);
    default:
        return 0;
    }
}

/* The probe is over: failed (outcome already set) or not. Returns 0. */
static int finish(struct onvif_probe *p, int failed)
{
    struct onvif_result *r = &p->res;

    p->step = S_DONE;
    if (!failed) {
        r->outcome = ONVIF_OK;
        r->detail[0] = '\0';
    }
    if (p->login.username == NULL)
        snprintf(r->auth, sizeof(r->auth), "none");
    else if (r->auth[0] == '\0')
        snprintf(r->auth, sizeof(r->auth), "%s", p->digest ? "wsse+digest" : "wsse");
    return 0;
}

int onvif_probe_step(struct onvif_probe *p, CURLcode rc)
{
    struct onvif_doc *doc = NULL;
    int next, started;

    if (p->step == S_DONE)
        return 0;
    if (p->step == S_SNAPSHOT) {
        if (rc == CURLE_OK && digest_retry(p) == 1)
            return 1;
        finish_snapshot(p, rc);
        return finish(p, 0);
    }
    if (rc == CURLE_OK && (started = digest_retry(p)) != 0)
        return started > 0 ? 1 : finish(p, 1);
    if (take_answer(p, rc, &doc) != 0) {
        next = recover(p);
    } else {
        next = take(p, doc);
        onvif_doc_free(doc);
    }
    if (next < 0)
        return finish(p, 1);
    started = start_from(p, next);
    if (started < 0)
        return finish(p, 1);
    return started == 0 ? finish(p, 0) : 1;
}

/* ---- making and freeing ---- */

static char *dup_opt(const char *s, int *oom)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *oom = 1;
    return d;
}

int onvif_probe_new(const struct onvif_request *req, void *private, struct onvif_probe **out,
                    struct cw_err *err)
{
    struct onvif_probe *p;
    int oom = 0;

    *out = NULL;
    if (req->device_url == NULL || (strncasecmp(req->device_url, "http://", 7) != 0 &&
                                    strncasecmp(req->device_url, "https://", 8) != 0))
        return cw_err_set(err, NULL, 0, "onvif_url", "not an http:// or https:// URL");
    if (strlen(req->device_url) >= sizeof(((struct onvif_probe *)0)->url))
        return cw_err_set(err, NULL, 0, "onvif_url", "longer than %zu bytes",
                          sizeof(((struct onvif_probe *)0)->url) - 1);
    if (req->timeout_ms <= 0 || req->timeout_ms > 24 * 3600 * 1000)
        return cw_err_set(err, NULL, 0, "timeout", "out of range: %lld ms",
                          (long long)req->timeout_ms);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    p->timeout_ms = req->timeout_ms;
    p->connect_timeout_ms =
        (long)(req->timeout_ms < ONVIF_CONNECT_TIMEOUT_MAX_MS ? req->timeout_ms
                                                              : ONVIF_CONNECT_TIMEOUT_MAX_MS);
    p->device_url = dup_opt(req->device_url, &oom);
    if (xfer_login_set(&p->login, req->username, req->password) != 0)
        oom = 1;
    p->rtsp_url = dup_opt(req->rtsp_url, &oom);
    p->snapshot_path = dup_opt(req->snapshot_path, &oom);
    p->res.streamed = -1;
    p->easy = curl_easy_init();
    if (oom || p->easy == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (set_common_options(p, req, private) != 0) {
        cw_err_set(err, NULL, 0, NULL, "libcurl refused an HTTP option");
        goto fail;
    }
    p->step = S_CLOCK;
    if (start_call(p, ONVIF_GET_SYSTEM_DATE_AND_TIME, NULL, NULL) != 0) {
        cw_err_set(err, NULL, 0, NULL, "%s", p->res.detail);
        goto fail;
    }
    *out = p;
    return 0;
fail:
    onvif_probe_free(p);
    return -1;
}

void onvif_probe_abandon(struct onvif_probe *p, const char *why)
{
    result_set(p, ONVIF_ERROR, "%s", why);
    finish(p, 1);
}

CURL *onvif_probe_handle(struct onvif_probe *p)
{
    return p->easy;
}

const struct onvif_result *onvif_probe_result(const struct onvif_probe *p)
{
    return &p->res;
}

void onvif_probe_free(struct onvif_probe *p)
{
    if (p == NULL)
        return;
    if (p->easy != NULL)
        curl_easy_cleanup(p->easy);
    curl_slist_free_all(p->headers);
    free(p->device_url);
    xfer_login_clear(&p->login);
    free(p->rtsp_url);
    free(p->snapshot_path);
    xfer_free_secret(p->request); /* carries the digest and nonce */
    free(p->body.data);
    free(p);
}

const char *onvif_outcome_reason(enum onvif_outcome o)
{
    static const char *const reasons[] = {
        [ONVIF_OK] = "ok",
        [ONVIF_TIMEOUT] = "timeout",
        [ONVIF_REFUSED] = "connection refused",
        [ONVIF_UNREACHABLE] = "unreachable",
        [ONVIF_AUTH] = "authentication failed",
        [ONVIF_HTTP_STATUS] = "unexpected HTTP status",
        [ONVIF_NOT_SOAP] = "not SOAP",
        [ONVIF_TOO_LARGE] = "response too large",
        [ONVIF_TRUNCATED] = "truncated",
        [ONVIF_TLS] = "TLS failed",
        [ONVIF_BAD_ANSWER] = "bad answer",
        [ONVIF_FAULT] = "SOAP fault",
    };

    return (size_t)o < sizeof(reasons) / sizeof(*reasons) && reasons[o] != NULL ? reasons[o]
                                                                                : "error";
}

/* ---- stream URI against the inventory ---- */

struct uri_parts {
    char host[256], port[8], path[512], query[512];
};

static int uri_split(const char *url, struct uri_parts *u)
{
    CURLU *h = curl_url();
    char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = -1;

    if (h != NULL && curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
        (void)curl_url_get(h, CURLUPART_PORT, &port, 0);
        (void)curl_url_get(h, CURLUPART_QUERY, &query, 0);
        snprintf(u->host, sizeof(u->host), "%s", host);
        snprintf(u->port, sizeof(u->port), "%s", port ? port : ONVIF_DEFAULT_RTSP_PORT);
        if (snprintf(u->path, sizeof(u->path), "%s", path) < (int)sizeof(u->path) &&
            snprintf(u->query, sizeof(u->query), "%s", query ? query : "") < (int)sizeof(u->query))
            rc = 0;
    }
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(h);
    return rc;
}

/* 1 when every &-separated parameter of want is one of have's. Cameras add parameters of
 * their own to the URIs they announce (Hikvision's transportmode=unicast&profile=..., Dahua's
 * unicast=true&proto=Onvif); those say nothing about which stream it is. */
static int query_covers(const char *have, const char *want)
{
    for (const char *w = want; *w != '\0';) {
        size_t n = strcspn(w, "&");
        int found = 0;

        for (const char *h = have; *h != '\0' && !found && n > 0;) {
            size_t m = strcspn(h, "&");
            found = m == n && strncmp(h, w, n) == 0;
            h += m + (h[m] == '&');
        }
        if (n > 0 && !found)
            return 0;
        w += n + (w[n] == '&');
    }
    return 1;
}

int onvif_compare_stream_uri(const char *announced, const char *inventory, char *note, size_t len)
{
    struct uri_parts a, b;
    char shown[300];

    note[0] = '\0';
    snprintf(shown, sizeof(shown), "%.200s", announced);
    log_redact_url(shown, shown, sizeof(shown));
    if (uri_split(announced, &a) != 0) {
        cw_text_addf(note, len, "the camera's stream URI does not parse: %s", shown);
        return -1;
    }
    if (uri_split(inventory, &b) != 0) {
        cw_text_addf(note, len, "the inventory's rtsp_url does not parse");
        return -1;
    }
    if (strcasecmp(a.host, b.host) != 0)
        cw_text_addf(note, len, "another host (%s: normal behind NAT)", a.host);
    else if (strcmp(a.port, b.port) != 0)
        cw_text_addf(note, len, "port %s differs from the inventory's %s", a.port, b.port);
    if (strcmp(a.path, b.path) != 0) {
        cw_text_addf(note, len, "path %.200s differs from the inventory's %.200s", a.path, b.path);
        return 0;
    }
    if (!query_covers(a.query, b.query)) {
        cw_text_addf(note, len, "query '%.150s' lacks the inventory's '%.150s'", a.query, b.query);
        return 0;
    }
    return 1;
}
