/* rtsp.h - one RTSP DESCRIBE probe as a libcurl easy handle. The caller (the
 * daemon's scheduler) adds the handle to its multi handle on the loop thread,
 * and when the multi reports it done, calls rtsp_probe_finish() to classify
 * the outcome. The probe owns the easy handle, its buffers and its copy of
 * the URL and credentials. Basic or Digest auth, as the camera asks. */
#ifndef CW_RTSP_H
#define CW_RTSP_H

#include <curl/curl.h>
#include <stdint.h>

#include "../util/err.h"
#include "sdp.h"

#define RTSP_MAX_RESPONSE_BYTES (64 * 1024) /* an SDP is a few hundred bytes; more is abuse */
#define RTSP_CONNECT_TIMEOUT_MAX_MS 3000    /* connect limit, capped by the total timeout */

enum rtsp_outcome {
    RTSP_OK = 0,
    RTSP_TIMEOUT,
    RTSP_REFUSED,
    RTSP_UNREACHABLE,  /* no route, host not found */
    RTSP_AUTH,         /* 401/403 after trying the credential */
    RTSP_NOT_FOUND,    /* 404 */
    RTSP_SERVER_ERROR, /* 5xx */
    RTSP_BAD_STATUS,   /* another non-200 status */
    RTSP_NOT_RTSP,     /* the peer does not speak RTSP */
    RTSP_TOO_LARGE,    /* headers or body over the limits */
    RTSP_TRUNCATED,    /* connection closed mid-response */
    RTSP_BAD_SDP,      /* 200 but the SDP is unusable (broken parameter sets are OK, with
                          video.problem saying so: the stream may carry its own) */
    RTSP_ERROR         /* anything else; see detail */
};

struct rtsp_result {
    enum rtsp_outcome outcome;
    int status;     /* RTSP status code, 0 when none */
    int latency_ms; /* time to the complete answer; -1 when none */
    struct sdp_video video;
    char detail[256]; /* e.g. "timeout after 5000 ms", "SPS: truncated", curl's message */
};

struct rtsp_probe;

/* Make a probe for url (rtsp://...). username/password may be NULL. timeout_ms bounds the
 * whole exchange. private is stored as CURLOPT_PRIVATE for the caller. Caller frees with
 * rtsp_probe_free (after removing the handle from its multi). */
int rtsp_probe_new(const char *url, const char *username, const char *password, int64_t timeout_ms,
                   void *private, struct rtsp_probe **out, struct cw_err *err);
CURL *rtsp_probe_handle(struct rtsp_probe *p); /* borrowed */
/* Classify once the multi reports the transfer done with rc: 0, out set. RTSP_FOLLOW when the
 * camera redirected and the probe is aimed at the new URL (within its timeout): out is not
 * set, the caller adds rtsp_probe_handle() to its multi again and calls this when it is done. */
#define RTSP_FOLLOW 1
int rtsp_probe_finish(struct rtsp_probe *p, CURLcode rc, struct rtsp_result *out);
void rtsp_probe_free(struct rtsp_probe *p); /* accepts NULL */

/* Short reason a person can act on: "timeout", "connection refused", "authentication
 * failed", "not found", "server error", "not RTSP", "response too large", "truncated",
 * "bad SDP", ... */
const char *rtsp_outcome_reason(enum rtsp_outcome o);

#endif
