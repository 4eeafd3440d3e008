/* alertsend.c - one attempt at delivering an alert (alertsend.h). Owns, per attempt, its curl
 * easy handle, its header and recipient lists, copies of the URL, the body and the
 * credentials (wiped when freed), until done() returns or it is cancelled. Loop thread only.
 *
 *   alertsend_webhook/email -> on the multi -> attempt_done(): outcome -> done() -> freed
 *                                          \-> alertsend_cancel(): freed, no done() */
#include "alertsend.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/xfer.h"

#ifndef CW_VERSION
#define CW_VERSION "0.1.0"
#endif

#define ALERTSEND_CONNECT_TIMEOUT_MS 10000L /* at most; never past the attempt's timeout */
#define ALERTSEND_USER_AGENT "camwatch/" CW_VERSION
#define ALERTSEND_LINE_MAX 300 /* a header line, or "<address>" (addresses: 254 bytes at most) */

struct alertsend {
    struct curlev_xfer x; /* first: the multi hands it back */
    struct curlev *curl;
    CURL *easy;
    struct curl_slist *list; /* the webhook's headers, or the e-mail's recipients */
    char *url, *body;
    struct xfer_login login;
    size_t body_len, sent; /* an e-mail is read out by on_read */
    int email;
    long connect_timeout_ms;
    int64_t timeout_ms;
    char errbuf[CURL_ERROR_SIZE];
    alertsend_done_fn done;
    void *data;
};

static void attempt_free(struct alertsend *s)
{
    if (s == NULL)
        return;
    curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->list);
    free(s->url);
    free(s->body);
    xfer_login_clear(&s->login);
    free(s);
}

/* ---- outcomes ---- */

/* What an HTTP status says of the webhook. */
static void webhook_outcome(struct alertsend *s, struct alertsend_result *r)
{
    long code = 0;
    curl_off_t after_s = 0;

    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    snprintf(r->detail, sizeof(r->detail), "HTTP %ld", code);
    if (code >= 200 && code < 300) {
        r->outcome = ALERTSEND_SENT;
        return;
    }
    /* Busy or down for now (RFC 9110: 408, 429, 5xx; 425 Too Early): try again later, not
     * before Retry-After when it says so. Anything else is a refusal retrying will not mend. */
    if (code == 408 || code == 425 || code == 429 || code >= 500) {
        r->outcome = ALERTSEND_RETRY;
        /* The peer's number, up to 2^63-1 s: bounded before it becomes ms (the queue's own
         * bound, retry_max, is far below) */
        if (curl_easy_getinfo(s->easy, CURLINFO_RETRY_AFTER, &after_s) == CURLE_OK && after_s > 0)
            r->retry_after_ms =
                (int64_t)(after_s < ALERTSEND_RETRY_AFTER_MAX_S ? after_s
                                                                : ALERTSEND_RETRY_AFTER_MAX_S) *
                1000;
        return;
    }
    r->outcome = ALERTSEND_FAILED;
    if (code >= 300 && code < 400)
        snprintf(r->detail, sizeof(r->detail),
                 "HTTP %ld: a redirect, not followed (give the "
                 "webhook's final URL)",
                 code);
}

/* What a failed SMTP exchange says: the last reply's code decides (RFC 5321 4.2.1: 4yz is
 * for now, 5yz for good). */
static void email_failure(struct alertsend *s, CURLcode rc, struct alertsend_result *r)
{
    long code = 0;

    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    r->outcome = ALERTSEND_RETRY;
    if (rc == CURLE_LOGIN_DENIED) {
        r->outcome = ALERTSEND_FAILED; /* retrying a refused password may lock the account */
        snprintf(r->detail, sizeof(r->detail), "login denied (SMTP %ld): check smtp_credential",
                 code);
    } else if (rc == CURLE_USE_SSL_FAILED) {
        r->outcome = ALERTSEND_FAILED;
        snprintf(r->detail, sizeof(r->detail),
                 "the relay offers no STARTTLS (starttls = no sends in clear)");
    } else if (code >= 400) {
        if (code >= 500)
            r->outcome = ALERTSEND_FAILED;
        if (snprintf(r->detail, sizeof(r->detail), "SMTP %ld: %s", code,
                     s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc)) < 0)
            r->detail[0] = '\0';
    }
}

static void attempt_done(struct curlev_xfer *x, CURLcode rc)
{
    struct alertsend *s = (struct alertsend *)(void *)x;
    struct alertsend_result r = {ALERTSEND_RETRY, 0, ""};
    long code = 0;

    if (rc != CURLE_OK) {
        /* Down, refused, slow, TLS refused: the words a person can act on. */
        xfer_classify(s->easy, rc, s->url, s->errbuf, s->connect_timeout_ms, s->timeout_ms,
                      r.detail, sizeof(r.detail));
        if (s->email)
            email_failure(s, rc, &r);
    } else if (s->email) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
        r.outcome = ALERTSEND_SENT;
        snprintf(r.detail, sizeof(r.detail), "SMTP %ld", code);
    } else {
        webhook_outcome(s, &r);
    }
    s->done(s->data, &r);
    attempt_free(s);
}

/* ---- starting ---- */

static size_t discard(char *buf, size_t size, size_t n, void *data)
{
    (void)buf;
    (void)data;
    return size * n; /* a webhook's answer body says nothing we act on */
}

static size_t on_read(char *buf, size_t size, size_t n, void *data)
{
    struct alertsend *s = data;
    size_t left = s->body_len - s->sent, take = size * n < left ? size * n : left;

    memcpy(buf, s->body + s->sent, take);
    s->sent += take;
    return take;
}

/* The options every attempt has. Returns CURLE_OK or the first failure. */
static CURLcode common_options(struct alertsend *s, const struct cfg_alerts *a,
                               const struct cfg_credential *cred, const char *protocols)
{
    CURL *e = s->easy;
    CURLcode rc = CURLE_OK;

    s->timeout_ms = a->timeout_ms;
    s->connect_timeout_ms = a->timeout_ms < ALERTSEND_CONNECT_TIMEOUT_MS
                                ? (long)a->timeout_ms
                                : ALERTSEND_CONNECT_TIMEOUT_MS;
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_URL, s->url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
#else
    (void)protocols;
#endif
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_PRIVATE, &s->x);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, a->tls_verify ? 1L : 0L);
    rc = rc ? rc : curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, a->tls_verify ? 2L : 0L);
    if (a->ca_file != NULL)
        rc = rc ? rc : curl_easy_setopt(e, CURLOPT_CAINFO, a->ca_file);
    if (cred != NULL) {
        if (xfer_login_set(&s->login, cred->username ? cred->username : "", cred->password) != 0)
            return CURLE_OUT_OF_MEMORY;
        rc = rc ? rc : curl_easy_setopt(e, CURLOPT_USERNAME, s->login.username);
        rc = rc ? rc : curl_easy_setopt(e, CURLOPT_PASSWORD, s->login.password);
    }
    return rc;
}

static struct alertsend *attempt_new(struct curlev *curl, const char *url, const char *body,
                                     alertsend_done_fn done, void *data)
{
    struct alertsend *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->x.done = attempt_done;
    s->curl = curl;
    s->done = done;
    s->data = data;
    s->body_len = strlen(body);
    s->url = strdup(url);
    s->body = strdup(body);
    s->easy = curl_easy_init();
    if (s->url == NULL || s->body == NULL || s->easy == NULL) {
        attempt_free(s);
        return NULL;
    }
    return s;
}

/* Append a line to s->list; 0, or -1 when out of memory. */
static int list_add(struct alertsend *s, const char *line)
{
    struct curl_slist *l = curl_slist_append(s->list, line);

    if (l == NULL)
        return -1;
    s->list = l;
    return 0;
}

/* Put s on the multi, or free it and say why. */
static int attempt_start(struct alertsend *s, CURLcode rc, struct alertsend **out,
                         struct cw_err *err)
{
    if (rc != CURLE_OK) {
        cw_err_set(err, NULL, 0, NULL, "cannot set up the transfer: %s", curl_easy_strerror(rc));
        attempt_free(s);
        return -1;
    }
    if (curlev_add(s->curl, s->easy, err) != 0) {
        attempt_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int alertsend_webhook(struct curlev *curl, const struct cfg_alerts *a, const char *url,
                      const char *body, const char *key, alertsend_done_fn done, void *data,
                      struct alertsend **out, struct cw_err *err)
{
    struct alertsend *s = attempt_new(curl, url, body, done, data);
    char idem[ALERTSEND_LINE_MAX];
    CURLcode rc;

    if (s == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    snprintf(idem, sizeof(idem), "Idempotency-Key: %s", key);
    /* "Expect:" empty: no 100-continue round trip before a body the receiver wants anyway. */
    if (list_add(s, "Content-Type: application/json; charset=utf-8") != 0 ||
        list_add(s, idem) != 0 || list_add(s, "Expect:") != 0)
        return attempt_start(s, CURLE_OUT_OF_MEMORY, out, err);
    rc = common_options(s, a, a->webhook_cred, "http,https");
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->list);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_USERAGENT, ALERTSEND_USER_AGENT);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
    if (a->webhook_cred != NULL)
        rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    return attempt_start(s, rc, out, err);
}

int alertsend_email(struct curlev *curl, const struct cfg_alerts *a, const char *message,
                    alertsend_done_fn done, void *data, struct alertsend **out, struct cw_err *err)
{
    struct alertsend *s;
    char path[ALERTSEND_LINE_MAX];
    CURLcode rc;

    if (a->smtp == NULL || a->from == NULL || a->n_rcpt == 0)
        return cw_err_set(err, NULL, 0, NULL, "no e-mail in [alerts] (smtp, from, to)");
    if (a->smtp_credential != NULL && a->smtp_cred == NULL)
        return cw_err_set(err, NULL, 0, NULL, "smtp_credential '%s' is not in credentials.ini",
                          a->smtp_credential);
    if ((s = attempt_new(curl, a->smtp, message, done, data)) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    s->email = 1;
    for (size_t i = 0; i < a->n_rcpt; i++) {
        snprintf(path, sizeof(path), "<%s>", a->rcpt[i]);
        if (list_add(s, path) != 0)
            return attempt_start(s, CURLE_OUT_OF_MEMORY, out, err);
    }
    snprintf(path, sizeof(path), "<%s>", a->from);
    rc = common_options(s, a, a->smtp_cred, "smtp,smtps");
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_MAIL_FROM, path);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, s->list);
    /* One recipient refused (a typo) must not keep the message from the others. */
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_UPLOAD, 1L);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_READFUNCTION, on_read);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_READDATA, s);
    rc = rc ? rc : curl_easy_setopt(s->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->body_len);
    /* smtps:// is TLS from the start; on smtp://, STARTTLS is required unless told not to,
     * so a password or an alert never crosses the network in clear by surprise. */
    rc = rc ? rc
            : curl_easy_setopt(s->easy, CURLOPT_USE_SSL,
                               (long)(a->starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    return attempt_start(s, rc, out, err);
}

void alertsend_cancel(struct alertsend *s)
{
    if (s == NULL)
        return;
    curlev_remove(s->curl, s->easy);
    attempt_free(s);
}

void alertsend_target(const char *url, char *key, char *origin, size_t origin_len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;

    key[0] = '\0';
    if (EVP_Digest(url, strlen(url), md, &n, EVP_sha256(), NULL) == 1)
        for (unsigned int i = 0; i < n && i * 2 < ALERTSEND_KEY_LEN; i++)
            snprintf(key + i * 2, 3, "%02x", md[i]);
    snprintf(origin, origin_len, "(a URL libcurl does not read)");
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
            snprintf(origin, origin_len, "%s://%s:%s", scheme, host, port);
        else
            snprintf(origin, origin_len, "%s://%s", scheme, host);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}
