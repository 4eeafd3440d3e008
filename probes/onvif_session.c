/* onvif_session.c - a blocking ONVIF conversation with one device (onvif_session.h). Owns the
 * easy handle, its header list, copies of the URL and credentials, the answer buffer. One
 * thread at a time; curl_easy_perform blocks it for at most the request's timeout.
 *   new -> start (clock, services) -> call, call, ... -> free */
#include "onvif_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/cwtime.h"
#include "onvif_http.h"
#include "xfer.h"

#define SESSION_USER_AGENT "camwatch/0.1"
#define SESSION_CONNECT_TIMEOUT_MAX_MS 3000

struct onvif_session {
    CURL *easy;
    struct curl_slist *headers;
    char *device_url, *username, *password, *request;
    int64_t timeout_ms;
    long connect_ms;
    const atomic_int *cancel;
    int has_offset;
    int64_t offset_ms;       /* the device's clock minus ours */
    char own[ONVIF_URL_MAX]; /* the device service's own address, as it announced it */
    int digest, challenged, status;
    char *body;
    size_t len, cap;
    int too_large;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *buf, size_t size, size_t n, void *userdata)
{
    struct onvif_session *s = userdata;
    size_t add = size * n;

    if (s->len + add > ONVIF_MAX_RESPONSE_BYTES) {
        s->too_large = 1;
        return 0;
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16384;
        char *b;
        while (cap < s->len + add + 1)
            cap *= 2;
        if ((b = realloc(s->body, cap)) == NULL)
            return 0;
        s->body = b;
        s->cap = cap;
    }
    memcpy(s->body + s->len, buf, add);
    s->len += add;
    s->body[s->len] = '\0';
    return add;
}

/* The status line of each response, and whether a 401 asks for Digest. */
static size_t on_header(char *buf, size_t size, size_t n, void *userdata)
{
    struct onvif_session *s = userdata;
    size_t len = size * n;
    char line[32];

    if (len > 9 && strncmp(buf, "HTTP/", 5) == 0) {
        snprintf(line, sizeof(line), "%.*s", (int)(len < 31 ? len : 31), buf);
        if (sscanf(line, "HTTP/%*s %3d", &s->status) != 1)
            s->status = 0;
        s->len = 0; /* the body of a 401 before the real answer is not the answer */
    } else if (len > 17 && strncasecmp(buf, "WWW-Authenticate:", 17) == 0) {
        for (size_t i = 17; i + 6 <= len; i++)
            if (strncasecmp(buf + i, "digest", 6) == 0)
                s->challenged = 1;
    }
    return len;
}

static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const atomic_int *cancel = p;

    (void)dt, (void)dn, (void)ut, (void)un;
    return cancel != NULL && atomic_load(cancel) != 0;
}

int onvif_session_new(const struct onvif_session_opts *o, struct onvif_session **out,
                      struct cw_err *err)
{
    struct onvif_session *s = calloc(1, sizeof(*s));
    CURLcode rc = CURLE_OK;

    *out = NULL;
    if (s == NULL || (s->easy = curl_easy_init()) == NULL ||
        (s->device_url = strdup(o->device_url)) == NULL ||
        (o->username != NULL && (s->username = strdup(o->username)) == NULL) ||
        (o->password != NULL && (s->password = strdup(o->password)) == NULL)) {
        onvif_session_free(s);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    s->timeout_ms = o->timeout_ms;
    s->cancel = o->cancel;
    s->connect_ms =
        (long)(o->timeout_ms < SESSION_CONNECT_TIMEOUT_MAX_MS ? o->timeout_ms
                                                              : SESSION_CONNECT_TIMEOUT_MAX_MS);
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(s->easy, opt, val);                                              \
    } while (0)
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_USERAGENT, SESSION_USER_AGENT);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, s);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, (void *)o->cancel);
    SET(CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
    SET(CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
    if (o->ca_file != NULL)
        SET(CURLOPT_CAINFO, o->ca_file);
#undef SET
    if (rc != CURLE_OK) {
        onvif_session_free(s);
        return cw_err_set(err, NULL, 0, NULL, "libcurl refused an option: %s",
                          curl_easy_strerror(rc));
    }
    *out = s;
    return 0;
}

void onvif_session_free(struct onvif_session *s)
{
    if (s == NULL)
        return;
    curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->headers);
    free(s->device_url);
    free(s->username);
    xfer_free_secret(s->password);
    xfer_free_secret(s->request);
    free(s->body);
    free(s);
}

/* Build call's request afresh (a new nonce each time) and send it to url; rc of the perform. */
static CURLcode send_once(struct onvif_session *s, enum onvif_call call, const char *url,
                          const char *token, struct cw_err *err)
{
    const char *user = call == ONVIF_GET_SYSTEM_DATE_AND_TIME ? NULL : s->username;
    int64_t created = cw_now_ms() + (s->has_offset ? s->offset_ms : 0);
    char ctype[256];

    xfer_free_secret(s->request);
    s->request = NULL;
    if (onvif_call_build_request(call, token, user, s->password, created, &s->request, err) != 0)
        return CURLE_ABORTED_BY_CALLBACK;
    snprintf(ctype, sizeof(ctype),
             "Content-Type: application/soap+xml; charset=utf-8; action=\"%s\"",
             onvif_call_action(call));
    curl_slist_free_all(s->headers);
    s->headers = curl_slist_append(NULL, ctype);
    if (s->headers == NULL || curl_slist_append(s->headers, "Expect:") == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        return CURLE_OUT_OF_MEMORY;
    }
    s->len = 0;
    s->status = 0;
    s->too_large = 0;
    s->errbuf[0] = '\0';
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->request);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->request));
    return curl_easy_perform(s->easy);
}

/* The answer in s as a SOAP document, or why not. */
static int read_answer(struct onvif_session *s, const char *name, CURLcode rc, const char *url,
                       struct onvif_doc **doc, struct onvif_fault *fault, struct cw_err *err)
{
    char detail[256], *ct = NULL;
    struct cw_err perr;

    if (s->too_large)
        return cw_err_set(err, NULL, 0, NULL, "%s: response over %d bytes", name,
                          ONVIF_MAX_RESPONSE_BYTES);
    if (rc != CURLE_OK) {
        if (s->cancel != NULL && atomic_load(s->cancel))
            return cw_err_set(err, NULL, 0, NULL, "%s: cancelled", name);
        xfer_classify(s->easy, rc, url, s->errbuf, s->connect_ms, s->timeout_ms, detail,
                      sizeof(detail));
        return cw_err_set(err, NULL, 0, NULL, "%s: %s", name, detail);
    }
    if (s->status == 401 || s->status == 403)
        return cw_err_set(err, NULL, 0, NULL, "%s: authentication failed (HTTP %d%s)", name,
                          s->status, s->username == NULL ? ", no credential configured" : "");
    if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
        ct = NULL;
    if (onvif_http_is_html(ct, s->body, s->len))
        return cw_err_set(err, NULL, 0, NULL, "%s: answered an HTML page (HTTP %d), not SOAP", name,
                          s->status);
    if (onvif_doc_parse(s->body ? s->body : "", s->len, doc, &perr) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: %s%s", name,
                          s->status != 200 ? "HTTP error, " : "", perr.msg);
    if (onvif_doc_fault(*doc, fault)) {
        onvif_doc_free(*doc);
        *doc = NULL;
        return cw_err_set(err, NULL, 0, NULL, "%s: %s%s%s%s", name,
                          fault->kind == ONVIF_FAULT_NOT_AUTHORIZED ? "authentication failed, "
                                                                    : "SOAP fault ",
                          fault->code, fault->reason[0] ? ": " : "", fault->reason);
    }
    if (s->status != 200) {
        onvif_doc_free(*doc);
        *doc = NULL;
        return cw_err_set(err, NULL, 0, NULL, "%s: HTTP %d", name, s->status);
    }
    return 0;
}

/* Keep the device's clock offset from a GetSystemDateAndTime answer. */
static void take_clock(struct onvif_session *s, const struct onvif_doc *doc, int64_t sent,
                       int64_t recv)
{
    struct onvif_clock c;
    int64_t error_ms;

    if (onvif_parse_clock(doc, &c, NULL) == 0) {
        onvif_clock_offset(sent, recv, c.device_utc_ms, &s->offset_ms, &error_ms);
        s->has_offset = 1;
    }
}

int onvif_session_call(struct onvif_session *s, enum onvif_call call, const char *xaddr,
                       const char *token, struct onvif_doc **doc, struct onvif_fault *fault,
                       struct cw_err *err)
{
    struct onvif_fault f;
    char url[1024];
    int64_t sent = cw_now_ms();
    CURLcode rc;

    *doc = NULL;
    if (fault == NULL)
        fault = &f;
    memset(fault, 0, sizeof(*fault));
    if (xaddr == NULL)
        snprintf(url, sizeof(url), "%s", s->device_url);
    else if (onvif_http_service_url(s->device_url, s->own, xaddr, url, sizeof(url)) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: unusable service address '%.120s'",
                          onvif_call_name(call), xaddr);
    s->challenged = 0;
    rc = send_once(s, call, url, token, err);
    if (rc == CURLE_ABORTED_BY_CALLBACK && s->request == NULL)
        return -1; /* the request could not be built: err says why */
    /* Digest only when asked for: wanted from the start, libcurl would send each POST empty
     * first, which devices that want no Digest answer with a fault. */
    if (rc == CURLE_OK && s->status == 401 && s->challenged && !s->digest && s->username != NULL) {
        s->digest = 1;
        curl_easy_setopt(s->easy, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(s->easy, CURLOPT_PASSWORD, s->password ? s->password : "");
        curl_easy_setopt(s->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
        rc = send_once(s, call, url, token, err);
    }
    if (read_answer(s, onvif_call_name(call), rc, url, doc, fault, err) != 0)
        return -1;
    if (call == ONVIF_GET_SYSTEM_DATE_AND_TIME)
        take_clock(s, *doc, sent, cw_now_ms());
    return 0;
}

int onvif_session_start(struct onvif_session *s, struct onvif_endpoints *ep, struct cw_err *err)
{
    struct onvif_doc *doc = NULL;
    struct onvif_fault fault;
    int rc;

    memset(ep, 0, sizeof(*ep));
    /* The clock first, without credentials (Core: PRE_AUTH); a device that refuses is taken to
     * be on time, and says what is wrong at the next call. */
    if (onvif_session_call(s, ONVIF_GET_SYSTEM_DATE_AND_TIME, NULL, NULL, &doc, NULL, err) == 0)
        onvif_doc_free(doc);
    rc = onvif_session_call(s, ONVIF_GET_SERVICES, NULL, NULL, &doc, &fault, err);
    if (rc == 0) {
        rc = onvif_parse_services(doc, ep, err);
    } else if (fault.kind == ONVIF_FAULT_NOT_SUPPORTED) {
        rc = onvif_session_call(s, ONVIF_GET_CAPABILITIES, NULL, NULL, &doc, NULL, err);
        if (rc == 0)
            rc = onvif_parse_capabilities(doc, ep, err);
    }
    onvif_doc_free(doc);
    if (rc == 0)
        snprintf(s->own, sizeof(s->own), "%s", ep->url[ONVIF_SVC_DEVICE]);
    return rc;
}
