/* xfer.c - transfer fault classification and secret wiping for the libcurl
 * probes. Stateless. */
#include "xfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"

#define XFER_BUF_FIRST 16384 /* bytes: an answer's first allocation */

/* "HOST:PORT" of url (curl leaves CURLINFO_PRIMARY_IP empty when the connect failed);
 * returns 0 or -1. */
static int peer_address(const char *url, char *buf, size_t len)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    int rc = -1;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        snprintf(buf, len, "%s:%s", host, port) > 0)
        rc = 0;
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

enum xfer_fault xfer_classify(CURL *easy, CURLcode rc, const char *url, const char *errbuf,
                              long connect_timeout_ms, int64_t timeout_ms, char *detail, size_t len)
{
    const char *words = errbuf != NULL && errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    char addr[300];
    long os_errno = 0;
    curl_off_t pretransfer_us = 0;

    snprintf(detail, len, "%s", words);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        /* Not the connect time: on a reused connection that is 0 too. A request that never
         * went out never connected. */
        (void)curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
        if (pretransfer_us == 0 && connect_timeout_ms < timeout_ms)
            snprintf(detail, len, "connect timeout after %ld ms", connect_timeout_ms);
        else
            snprintf(detail, len, "timeout after %lld ms", (long long)timeout_ms);
        return XFER_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
        (void)curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == EHOSTUNREACH || os_errno == ENETUNREACH)
            return XFER_UNREACHABLE;
        if (os_errno == ECONNREFUSED && peer_address(url, addr, sizeof(addr)) == 0 &&
            snprintf(detail, len, "nothing listens at %s", addr) < 0)
            detail[0] = '\0';
        return XFER_REFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
        return XFER_UNREACHABLE;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_RTSP_CSEQ_ERROR:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return XFER_PROTOCOL;
    case CURLE_OUT_OF_MEMORY:
#if LIBCURL_VERSION_NUM >= 0x080600 /* 8.6.0 */
    case CURLE_TOO_LARGE:
#endif
        /* libcurl 7.88 refuses a header line over CURL_MAX_HTTP_HEADER (100 KiB) with
         * CURLE_OUT_OF_MEMORY ("Avoided giant realloc for header"), later ones with
         * CURLE_TOO_LARGE. A real out-of-memory lands here too, and is rare. */
        if (snprintf(detail, len, "header line too large for libcurl (%s)", words) < 0)
            detail[0] = '\0';
        return XFER_TOO_LARGE;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
        return XFER_TLS;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return XFER_TRUNCATED;
    default:
        return XFER_OTHER;
    }
}

CURLcode xfer_set_http(CURL *e, int64_t timeout_ms, long connect_ms, char *errbuf, int tls_verify,
                       const char *ca_file)
{
    CURLcode rc = CURLE_OK;

#define SET(opt, val) XFER_SETOPT(rc, e, opt, val)
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_USERAGENT, "camwatch/0.1");
    SET(CURLOPT_SSL_VERIFYPEER, tls_verify ? 1L : 0L);
    SET(CURLOPT_SSL_VERIFYHOST, tls_verify ? 2L : 0L);
    if (ca_file != NULL)
        SET(CURLOPT_CAINFO, ca_file);
#undef SET
    return rc;
}

void xfer_buf_reset(struct xfer_buf *b, size_t limit)
{
    b->len = 0;
    b->limit = limit;
    b->too_large = 0;
}

size_t xfer_buf_write(char *data, size_t size, size_t n, void *userdata)
{
    struct xfer_buf *b = userdata;
    size_t add = size * n;

    if (add > b->limit - b->len) {
        b->too_large = 1;
        return 0;
    }
    if (cw_vec_reserve(&b->data, b->len + add + 1, &b->cap, 1, XFER_BUF_FIRST) != 0)
        return 0;
    memcpy(b->data + b->len, data, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

void xfer_free_secret(char *s)
{
    if (s != NULL) {
        volatile char *p = s;
        while (*p != '\0')
            *p++ = '\0';
        free(s);
    }
}

int xfer_login_set(struct xfer_login *l, const char *username, const char *password)
{
    if (username == NULL)
        return 0;
    l->username = strdup(username);
    l->password = strdup(password != NULL ? password : "");
    if (l->username == NULL || l->password == NULL) {
        xfer_login_clear(l);
        return -1;
    }
    return 0;
}

void xfer_login_clear(struct xfer_login *l)
{
    xfer_free_secret(l->username);
    xfer_free_secret(l->password);
    l->username = l->password = NULL;
}
