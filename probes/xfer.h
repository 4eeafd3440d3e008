/* xfer.h - what the libcurl-based probes (rtsp.c, onvif.c) share: reading a
 * failed transfer into a kind of fault and words a person can act on, and
 * wiping credentials before they are freed. Any thread. */
#ifndef CW_XFER_H
#define CW_XFER_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

enum xfer_fault {
    XFER_TIMEOUT,
    XFER_REFUSED,
    XFER_UNREACHABLE, /* no route, host not found */
    XFER_PROTOCOL,    /* the peer does not speak the protocol asked */
    XFER_TOO_LARGE,   /* a header line over libcurl's limit */
    XFER_TRUNCATED,   /* closed mid-response, or nothing at all */
    XFER_TLS,         /* the TLS handshake failed: certificate refused, no common cipher */
    XFER_OTHER
};

/* Classify a transfer on easy that ended with rc != CURLE_OK. url is the URL it went to (for
 * "nothing listens at HOST:PORT"), errbuf its CURLOPT_ERRORBUFFER, connect_timeout_ms and
 * timeout_ms its limits. detail gets the words: "timeout after 5000 ms", "connect timeout
 * after 3000 ms", "nothing listens at 127.0.0.1:9", curl's message otherwise. */
enum xfer_fault xfer_classify(CURL *easy, CURLcode rc, const char *url, const char *errbuf,
                              long connect_timeout_ms, int64_t timeout_ms, char *detail,
                              size_t len);

/* Zero a NUL-terminated secret, then free it. Accepts NULL. */
void xfer_free_secret(char *s);

#endif
