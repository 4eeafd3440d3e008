/* onvif.h - one ONVIF probe of one camera: a short sequence of SOAP requests
 * over one libcurl easy handle, each added to the caller's multi handle on the
 * loop thread in turn (no blocking call anywhere). The probe owns the easy
 * handle, its buffers, copies of the URLs and credentials, and the result.
 *
 *   CLOCK (no credentials) -> INFO -> SERVICES [-> CAPABILITIES when not supported]
 *     -> PROFILES -> STREAM_URI (each profile) -> SNAPSHOT_URI -> [SNAPSHOT] -> done
 *                                                       onvif_probe_step()
 *
 * Authentication as devices need it: a WS-Security UsernameToken whose Created is our clock
 * shifted by the device's measured offset (so a camera an hour off still accepts it), and
 * HTTP Digest when the device challenges for it. Requests go to the device URL's scheme,
 * host and port with the path each service announced: behind NAT a camera names its own
 * private address, which we cannot reach. */
#ifndef CW_ONVIF_H
#define CW_ONVIF_H

#include <curl/curl.h>
#include <stdint.h>

#include "../util/err.h"
#include "onvif_call.h"
#include "onvif_parse.h"

#define ONVIF_SNAPSHOT_MAX_BYTES (4 * 1024 * 1024) /* a 4K JPEG is under 2 MiB */

enum onvif_outcome {
    ONVIF_OK = 0,
    ONVIF_TIMEOUT,
    ONVIF_REFUSED,
    ONVIF_UNREACHABLE,
    ONVIF_AUTH,        /* HTTP 401/403 or a NotAuthorized fault with our credentials */
    ONVIF_HTTP_STATUS, /* another non-200 without a SOAP fault */
    ONVIF_NOT_SOAP,    /* an HTML page or other non-XML answer */
    ONVIF_TOO_LARGE,
    ONVIF_TRUNCATED,
    ONVIF_TLS, /* https: the certificate was refused (see [probe.onvif] ca_file, tls_verify) */
    ONVIF_BAD_ANSWER, /* XML refused (DTD, too deep) or a response missing what it must hold */
    ONVIF_FAULT,      /* a SOAP fault other than authentication */
    ONVIF_ERROR
};

struct onvif_request {
    const char *device_url; /* http(s)://host[:port]/onvif/device_service */
    const char *username;   /* NULL: no credentials */
    const char *password;
    const char *rtsp_url;      /* the inventory's, to compare stream URIs with; may be NULL */
    int64_t timeout_ms;        /* one request */
    const char *snapshot_path; /* fetch the snapshot, for the caller to write there (JPEG); NULL:
                                  do not */
    int tls_verify;            /* https: check the device's certificate and name */
    const char *ca_file;       /* https: trust these certificates (PEM) too; NULL: none */
};

struct onvif_result {
    enum onvif_outcome outcome;
    char detail[256]; /* what failed: "GetProfiles: authentication failed (ter:NotAuthorized)" */
    /* The clock (GetSystemDateAndTime needs no credentials, so it may be here when all else
     * failed). offset: device minus ours, positive when the device is ahead. */
    int has_clock;
    struct onvif_clock clock;
    int64_t clock_at_ms, offset_ms, error_ms;
    int has_info;
    struct onvif_info info;
    struct onvif_endpoints ep; /* as the device announced them */
    struct onvif_profile profiles[ONVIF_MAX_PROFILES];
    size_t n_profiles;
    int streamed;       /* index of the profile the inventory streams (by path), else 0; -1
                           when there are no profiles */
    char uri_note[256]; /* "" when the streamed URI matches the inventory's rtsp_url */
    char auth[16];      /* "wsse", "wsse+digest" (the device challenged for HTTP Digest too), or
                           "none" (no credential) */
    /* The snapshot is fetched here and written by the caller (onvif_probe_take_snapshot),
     * which fills these: */
    int snapshot_written;
    char snapshot_path[1024]; /* where it was written */
    char snapshot_error[128]; /* why no snapshot was written, when one was asked for */
};

struct onvif_probe;

/* Make a probe. Strings are copied. private is stored as CURLOPT_PRIVATE. The handle is ready
 * for its first request: add it to the multi. Caller frees with onvif_probe_free. */
int onvif_probe_new(const struct onvif_request *req, void *private, struct onvif_probe **out,
                    struct cw_err *err);
CURL *onvif_probe_handle(struct onvif_probe *p); /* borrowed */
/* The multi reported the current request done with rc (the handle is out of the multi).
 * Returns 1 when the next request is ready (add the handle again), 0 when the probe is over
 * and onvif_probe_result holds its result. */
int onvif_probe_step(struct onvif_probe *p, CURLcode rc);
const struct onvif_result *onvif_probe_result(const struct onvif_probe *p); /* borrowed */
/* End the probe as failed with why (the caller could not go on, e.g. the next request could
 * not be added to the multi). */
void onvif_probe_abandon(struct onvif_probe *p, const char *why);
/* Once the probe is over: the snapshot it fetched, len bytes of JPEG, handed over (caller
 * frees), for the caller to write off the loop; NULL when none (the result's snapshot_error
 * says why when one was asked for). */
void *onvif_probe_take_snapshot(struct onvif_probe *p, size_t *len);
void onvif_probe_free(struct onvif_probe *p); /* accepts NULL */

/* "timeout", "connection refused", "authentication failed", "not SOAP", ... */
const char *onvif_outcome_reason(enum onvif_outcome o);

/* Compare the stream URI a camera announced with the inventory's rtsp_url: "" when host,
 * port (default 554), path and query agree, else a note a person can act on:
 * "path /b differs from the inventory's /a", "port 8554 differs from the inventory's 554",
 * "another host (10.0.0.5: normal behind NAT)" (with path or port notes added), "query '...'
 * lacks the inventory's '...'". The query agrees when it holds every parameter of the
 * inventory's; parameters the camera adds are its own (transportmode=unicast). Credentials in
 * either URL are ignored and never shown. Returns 1 when it is the same stream (path and
 * query agree), 0 when not, -1 when either does not parse (note says which). */
int onvif_compare_stream_uri(const char *announced, const char *inventory, char *note, size_t len);

#endif
