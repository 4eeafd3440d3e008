/* onvif_http.h - what every ONVIF conversation over HTTP shares, whether on the loop's multi
 * handle (onvif.c) or blocking on a worker (onvif_session.c): where to send a request for a
 * service address a device announced, and telling a web page from a SOAP answer. Pure
 * functions; any thread. */
#ifndef CW_ONVIF_HTTP_H
#define CW_ONVIF_HTTP_H

#include <stddef.h>

/* Where to send a request for xaddr, a URL the device announced. Behind NAT a device names its
 * private address, which only it can reach: the host is always device_url's. The port and
 * scheme are device_url's too when xaddr is on the port the device announced for its own
 * device service (own_xaddr; "" when not known yet); a service the device puts on another
 * port (a snapshot on 80 beside ONVIF on 8899) keeps its own. Returns 0 with the URL in buf,
 * -1 when either does not parse or buf is too small. */
int onvif_http_service_url(const char *device_url, const char *own_xaddr, const char *xaddr,
                           char *buf, size_t len);

/* Whether an answer is a web page (a login form) rather than SOAP: its Content-Type (may be
 * NULL) says html, or its body starts with <html or <!doctype html. */
int onvif_http_is_html(const char *content_type, const char *body, size_t len);

#endif
