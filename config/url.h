/* url.h - a camera's URL checked as the probes will read it. Private to config/. */
#ifndef CW_CFG_URL_H
#define CW_CFG_URL_H

#include <stddef.h>

/* A camera URL longer than this is a mistake (a pasted page, a doubled URL); the probes keep
 * URLs in buffers of this size plus one. */
#define CFG_URL_MAX 1023

/* Check url against libcurl's URL API as the probes parse it (curl_url_set with no flags,
 * probes/rtsp.c and onvif.c), its scheme one of schemes (NULL-terminated, any case; kind
 * names them in the message), with a host, a port from 1 to 65535 when written, and no
 * user:password. Returns NULL when the probes can use it, else the message (in buf when it
 * needs the text, else a constant). */
const char *cfg_url_fault(const char *url, const char *const *schemes, const char *kind, char *buf,
                          size_t len);

#endif
