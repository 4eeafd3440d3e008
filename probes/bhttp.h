/* bhttp.h - blocking HTTP for worker threads and the CLI: one libcurl easy handle (one
 * connection, kept between requests), a bounded answer in memory, HTTP Digest answered when
 * the device challenges for it (never Basic: a password in clear), cancellation, and a
 * failed transfer put in words (xfer.h). Used by the ONVIF session (onvif_session.c) and the
 * NVRs' own HTTP APIs (recorder_isapi.c, recorder_dahua.c). Owns the handle, copies of the
 * credentials and the last answer. One thread at a time. */
#ifndef CW_BHTTP_H
#define CW_BHTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct bhttp_opts {
    const char *username; /* NULL: no credentials */
    const char *password;
    int64_t timeout_ms; /* one request */
    int tls_verify;
    const char *ca_file;      /* may be NULL */
    const atomic_int *cancel; /* may be NULL; set: the request in flight stops */
    size_t max_bytes;         /* the largest answer read; larger is refused */
};

/* An answer, borrowed from the handle until its next request. */
struct bhttp_answer {
    int status;
    const char *body; /* NUL-terminated after len bytes ("" when none) */
    size_t len;
    const char *content_type; /* may be NULL */
    int retry; /* a 401 asked for Digest and the handle turned it on: send the request again */
};

struct bhttp;
struct xfer_login;

/* Strings are copied. Caller frees with bhttp_free. */
int bhttp_new(const struct bhttp_opts *o, struct bhttp **out, struct cw_err *err);
void bhttp_free(struct bhttp *h); /* accepts NULL; wipes the password */

/* The credential h logs in with (xfer.h: both NULL when none), borrowed until bhttp_free: for
 * a caller that signs its requests with it too (ONVIF's WS-Security). */
const struct xfer_login *bhttp_login(const struct bhttp *h);

/* Send a GET (body NULL) or a POST of body to url, with extra header lines (NULL-terminated,
 * may be NULL), and read the answer, once. Digest only when asked for: wanted from the start,
 * libcurl would send each POST empty first, which devices that want no Digest refuse. So a 401
 * asking for Digest, with credentials and Digest not yet on, turns it on for this and later
 * requests and sets a->retry: the caller sends again (a request with a nonce of its own, as
 * ONVIF's WS-Security, is built afresh). Returns 0 with *a (any status: the caller judges it),
 * or -1 with err: "timeout after 5000 ms", "nothing listens at HOST:PORT", "response over N
 * bytes", "cancelled". */
int bhttp_send(struct bhttp *h, const char *url, const char *body, const char *const *headers,
               struct bhttp_answer *a, struct cw_err *err);

/* bhttp_send, and once more when a->retry says so: for a request that can be sent as it is. */
int bhttp_request(struct bhttp *h, const char *url, const char *body, const char *const *headers,
                  struct bhttp_answer *a, struct cw_err *err);

#endif
