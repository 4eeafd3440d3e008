/* xfer.c - transfer fault classification and secret wiping for the libcurl
 * probes. Stateless. */
#include "xfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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

void xfer_free_secret(char *s)
{
    if (s != NULL) {
        volatile char *p = s;
        while (*p != '\0')
            *p++ = '\0';
        free(s);
    }
}
