/* onvif_session.c - a blocking ONVIF conversation with one device (onvif_session.h). Owns its
 * HTTP handle (bhttp.c, which holds the credentials), a copy of the URL, the last request. One
 * thread at a time; a request blocks it for at most its timeout.
 *   new -> start (clock, services) -> call, call, ... -> free */
#include "onvif_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "bhttp.h"
#include "onvif_http.h"
#include "xfer.h"

struct onvif_session {
    struct bhttp *http;
    char *device_url, *request;
    int has_offset;
    int64_t offset_ms;       /* the device's clock minus ours */
    char own[ONVIF_URL_MAX]; /* the device service's own address, as it announced it */
};

int onvif_session_new(const struct onvif_session_opts *o, struct onvif_session **out,
                      struct cw_err *err)
{
    struct bhttp_opts ho = o->http;
    struct onvif_session *s = calloc(1, sizeof(*s));

    *out = NULL;
    ho.max_bytes = ONVIF_MAX_RESPONSE_BYTES;
    if (s == NULL || (s->device_url = strdup(o->device_url)) == NULL) {
        onvif_session_free(s);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    if (bhttp_new(&ho, &s->http, err) != 0) {
        onvif_session_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void onvif_session_free(struct onvif_session *s)
{
    if (s == NULL)
        return;
    bhttp_free(s->http);
    free(s->device_url);
    xfer_free_secret(s->request);
    free(s);
}

/* Build call's request afresh (a new nonce each time) and send it to url. */
static int send_once(struct onvif_session *s, enum onvif_call call, const char *url,
                     const char *token, struct bhttp_answer *a, struct cw_err *err)
{
    const struct xfer_login *login = bhttp_login(s->http);
    const char *user = call == ONVIF_GET_SYSTEM_DATE_AND_TIME ? NULL : login->username;
    int64_t created = cw_now_ms() + (s->has_offset ? s->offset_ms : 0);
    char ctype[256];
    const char *headers[] = {ctype, NULL};
    struct cw_err herr;

    xfer_free_secret(s->request);
    s->request = NULL;
    if (onvif_call_build_request(call, token, user, login->password, created, &s->request, err) !=
        0)
        return -1;
    snprintf(ctype, sizeof(ctype),
             "Content-Type: application/soap+xml; charset=utf-8; action=\"%s\"",
             onvif_call_action(call));
    if (bhttp_send(s->http, url, s->request, headers, a, &herr) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: %s", onvif_call_name(call), herr.msg);
    return 0;
}

/* The answer a as a SOAP document, or why not. */
static int read_answer(struct onvif_session *s, const char *name, const struct bhttp_answer *a,
                       struct onvif_doc **doc, struct onvif_fault *fault, struct cw_err *err)
{
    struct cw_err perr;

    if (a->status == 401 || a->status == 403)
        return cw_err_set(
            err, NULL, 0, NULL, "%s: authentication failed (HTTP %d%s)", name, a->status,
            bhttp_login(s->http)->username == NULL ? ", no credential configured" : "");
    if (onvif_http_is_html(a->content_type, a->body, a->len))
        return cw_err_set(err, NULL, 0, NULL, "%s: answered an HTML page (HTTP %d), not SOAP", name,
                          a->status);
    if (onvif_doc_parse(a->body, a->len, doc, &perr) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: %s%s", name,
                          a->status != 200 ? "HTTP error, " : "", perr.msg);
    if (onvif_doc_fault(*doc, fault)) {
        onvif_doc_free(*doc);
        *doc = NULL;
        return cw_err_set(err, NULL, 0, NULL, "%s: %s%s%s%s", name,
                          fault->kind == ONVIF_FAULT_NOT_AUTHORIZED ? "authentication failed, "
                                                                    : "SOAP fault ",
                          fault->code, fault->reason[0] ? ": " : "", fault->reason);
    }
    if (a->status != 200) {
        onvif_doc_free(*doc);
        *doc = NULL;
        return cw_err_set(err, NULL, 0, NULL, "%s: HTTP %d", name, a->status);
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
    struct bhttp_answer a;

    *doc = NULL;
    if (fault == NULL)
        fault = &f;
    memset(fault, 0, sizeof(*fault));
    if (xaddr == NULL)
        snprintf(url, sizeof(url), "%s", s->device_url);
    else if (onvif_http_service_url(s->device_url, s->own, xaddr, url, sizeof(url)) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: unusable service address '%.120s'",
                          onvif_call_name(call), xaddr);
    /* A Digest challenge answered with a request built afresh: a WS-Security nonce is used
     * once. */
    if (send_once(s, call, url, token, &a, err) != 0 ||
        (a.retry && send_once(s, call, url, token, &a, err) != 0) ||
        read_answer(s, onvif_call_name(call), &a, doc, fault, err) != 0)
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
