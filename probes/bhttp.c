/* bhttp.c - blocking HTTP on one libcurl easy handle (bhttp.h). Owns the handle, its header
 * list, copies of the credentials, the answer buffer. One thread at a time; curl_easy_perform
 * blocks it for at most the request's timeout. */
#include "bhttp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xfer.h"

#define BHTTP_CONNECT_TIMEOUT_MAX_MS 3000

struct bhttp {
    CURL *easy;
    struct curl_slist *headers;
    struct xfer_login login;
    int64_t timeout_ms;
    long connect_ms;
    const atomic_int *cancel;
    size_t max_bytes;
    int digest, challenged, status;
    struct xfer_buf body; /* the answer */
    char errbuf[CURL_ERROR_SIZE];
};

/* The status line of each response, and whether a 401 asks for Digest. */
static size_t on_header(char *buf, size_t size, size_t n, void *userdata)
{
    struct bhttp *h = userdata;
    size_t len = size * n;
    char line[32];

    if (len > 9 && strncmp(buf, "HTTP/", 5) == 0) {
        snprintf(line, sizeof(line), "%.*s", (int)(len < 31 ? len : 31), buf);
        if (sscanf(line, "HTTP/%*s %3d", &h->status) != 1)
            h->status = 0;
        h->body.len = 0; /* the body of a 401 before the real answer is not the answer */
    } else if (len > 17 && strncasecmp(buf, "WWW-Authenticate:", 17) == 0) {
        for (size_t i = 17; i + 6 <= len; i++)
            if (strncasecmp(buf + i, "digest", 6) == 0)
                h->challenged = 1;
    }
    return len;
}

static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const atomic_int *cancel = p;

    (void)dt, (void)dn, (void)ut, (void)un;
    return cancel != NULL && atomic_load(cancel) != 0;
}

int bhttp_new(const struct bhttp_opts *o, struct bhttp **out, struct cw_err *err)
{
    struct bhttp *h = calloc(1, sizeof(*h));
    CURLcode rc = CURLE_OK;

    *out = NULL;
    if (h == NULL || (h->easy = curl_easy_init()) == NULL ||
        xfer_login_set(&h->login, o->username, o->password) != 0) {
        bhttp_free(h);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    h->timeout_ms = o->timeout_ms;
    h->cancel = o->cancel;
    h->max_bytes = o->max_bytes;
    h->connect_ms =
        (long)(o->timeout_ms < BHTTP_CONNECT_TIMEOUT_MAX_MS ? o->timeout_ms
                                                            : BHTTP_CONNECT_TIMEOUT_MAX_MS);
#define SET(opt, val) XFER_SETOPT(rc, h->easy, opt, val)
    rc = xfer_set_http(h->easy, o->timeout_ms, h->connect_ms, h->errbuf, o->tls_verify, o->ca_file);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, h);
    SET(CURLOPT_WRITEFUNCTION, xfer_buf_write);
    SET(CURLOPT_WRITEDATA, &h->body);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, (void *)o->cancel);
#undef SET
    if (rc != CURLE_OK) {
        bhttp_free(h);
        return cw_err_set(err, NULL, 0, NULL, "libcurl refused an option: %s",
                          curl_easy_strerror(rc));
    }
    *out = h;
    return 0;
}

void bhttp_free(struct bhttp *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->easy);
    curl_slist_free_all(h->headers);
    xfer_login_clear(&h->login);
    free(h->body.data);
    free(h);
}

const struct xfer_login *bhttp_login(const struct bhttp *h)
{
    return &h->login;
}

int bhttp_send(struct bhttp *h, const char *url, const char *body, const char *const *headers,
               struct bhttp_answer *a, struct cw_err *err)
{
    char detail[256], *ct = NULL;
    CURLcode rc;

    memset(a, 0, sizeof(*a));
    curl_slist_free_all(h->headers);
    h->headers = NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        struct curl_slist *l = curl_slist_append(h->headers, headers[i]);
        if (l == NULL)
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
        h->headers = l;
    }
    if (body != NULL && (h->headers = curl_slist_append(h->headers, "Expect:")) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    xfer_buf_reset(&h->body, h->max_bytes);
    h->status = 0;
    h->challenged = 0;
    h->errbuf[0] = '\0';
    curl_easy_setopt(h->easy, CURLOPT_URL, url);
    curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
    if (body != NULL) {
        curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(h->easy, CURLOPT_HTTPGET, 1L);
    }
    rc = curl_easy_perform(h->easy);
    if (h->body.too_large)
        return cw_err_set(err, NULL, 0, NULL, "response over %zu bytes", h->max_bytes);
    if (rc != CURLE_OK) {
        if (h->cancel != NULL && atomic_load(h->cancel))
            return cw_err_set(err, NULL, 0, NULL, "cancelled");
        xfer_classify(h->easy, rc, url, h->errbuf, h->connect_ms, h->timeout_ms, detail,
                      sizeof(detail));
        return cw_err_set(err, NULL, 0, NULL, "%s", detail);
    }
    if (curl_easy_getinfo(h->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
        ct = NULL;
    a->status = h->status;
    a->body = h->body.data != NULL ? h->body.data : "";
    a->len = h->body.len;
    a->content_type = ct;
    if (h->status == 401 && h->challenged && !h->digest && h->login.username != NULL) {
        h->digest = 1;
        curl_easy_setopt(h->easy, CURLOPT_USERNAME, h->login.username);
        curl_easy_setopt(h->easy, CURLOPT_PASSWORD, h->login.password);
        curl_easy_setopt(h->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
        a->retry = 1;
    }
    return 0;
}

int bhttp_request(struct bhttp *h, const char *url, const char *body, const char *const *headers,
                  struct bhttp_answer *a, struct cw_err *err)
{
    if (bhttp_send(h, url, body, headers, a, err) != 0)
        return -1;
    if (a->retry)
        return bhttp_send(h, url, body, headers, a, err);
    return 0;
}
