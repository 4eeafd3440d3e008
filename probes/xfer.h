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

/* curl_easy_setopt(e, opt, val) unless rc says an earlier option failed: a run of options,
 * one check at the end. */
#define XFER_SETOPT(rc, e, opt, val)                                                               \
    do {                                                                                           \
        if ((rc) == CURLE_OK)                                                                      \
            (rc) = curl_easy_setopt((e), (opt), (val));                                            \
    } while (0)

/* The options every HTTP(S) request to a device gets on e: http and https only, no
 * redirects (a device redirecting is misconfigured: say so), timeout_ms for the whole and
 * connect_ms to connect, no signals, errbuf (CURL_ERROR_SIZE) for libcurl's words, camwatch's
 * User-Agent, and TLS checked unless tls_verify is 0 (devices often carry self-signed
 * certificates: trust one by ca_file, may be NULL, or, knowingly, stop checking). */
CURLcode xfer_set_http(CURL *e, int64_t timeout_ms, long connect_ms, char *errbuf, int tls_verify,
                       const char *ca_file);

/* An answer read into memory, NUL-terminated, at most limit bytes. */
struct xfer_buf {
    char *data; /* NULL until the first byte; caller frees */
    size_t len, cap, limit;
    int too_large; /* the answer passed limit: the transfer was stopped */
};

/* Forget what b holds (its memory kept) and take at most limit bytes from now on. */
void xfer_buf_reset(struct xfer_buf *b, size_t limit);

/* CURLOPT_WRITEFUNCTION for CURLOPT_WRITEDATA a struct xfer_buf: appends, growing by
 * doubling; stops the transfer (CURLE_WRITE_ERROR) past the limit, with too_large set, or
 * when out of memory. */
size_t xfer_buf_write(char *data, size_t size, size_t n, void *userdata);

/* Zero a NUL-terminated secret, then free it. Accepts NULL. */
void xfer_free_secret(char *s);

/* The credential a transfer logs in with; both NULL when it has none. Owned copies. */
struct xfer_login {
    char *username;
    char *password; /* "" when none was given with a username */
};
/* Copy username and password into an empty l; username NULL leaves l empty (no login), password
 * NULL with a username is "". 0, or -1 when out of memory (l empty). */
int xfer_login_set(struct xfer_login *l, const char *username, const char *password);
/* Wipe and free both (xfer_free_secret); l is empty after. */
void xfer_login_clear(struct xfer_login *l);

#endif
