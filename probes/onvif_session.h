/* onvif_session.h - a blocking ONVIF conversation with one device: requests one after another
 * on one libcurl easy handle (one connection, kept), for work that runs on a worker thread or
 * in the CLI (a recorder's Recording Search). Authenticates as the probe does (onvif.h): the
 * device's clock read first without credentials, then WS-Security with Created shifted by its
 * offset, and HTTP Digest when the device challenges for it. Owns the handle, copies of the
 * URL and credentials, and the last answer's bytes. One thread at a time. */
#ifndef CW_ONVIF_SESSION_H
#define CW_ONVIF_SESSION_H

#include <stdatomic.h>
#include <stdint.h>

#include "../util/err.h"
#include "bhttp.h"
#include "onvif_call.h"
#include "onvif_doc.h"
#include "onvif_parse.h"

struct onvif_session_opts {
    const char *device_url; /* http(s)://host[:port]/onvif/device_service */
    struct bhttp_opts http; /* credentials, timeout, TLS, cancel; max_bytes is ONVIF's own */
};

struct onvif_session;

/* Strings are copied. Caller frees with onvif_session_free. */
int onvif_session_new(const struct onvif_session_opts *o, struct onvif_session **out,
                      struct cw_err *err);
void onvif_session_free(struct onvif_session *s); /* accepts NULL; wipes the password */

/* Read the device's clock (for WS-Security's Created; a device that will not say is taken to
 * be on time) and its service addresses (GetServices, else GetCapabilities) into *ep. */
int onvif_session_start(struct onvif_session *s, struct onvif_endpoints *ep, struct cw_err *err);

/* Send call about token (may be NULL) to the service at xaddr (NULL: the device URL) and read
 * the answer. Returns 0 with *doc (caller frees), or -1 with err "CALL: what went wrong"
 * ("timeout after 5000 ms", "authentication failed (HTTP 401)", "SOAP fault env:Sender /
 * ter:InvalidArgVal: ...") and, when it was a fault, *fault (may be NULL) filled. */
int onvif_session_call(struct onvif_session *s, enum onvif_call call, const char *xaddr,
                       const char *token, struct onvif_doc **doc, struct onvif_fault *fault,
                       struct cw_err *err);

#endif
