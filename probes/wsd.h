/* wsd.h - WS-Discovery 1.0 (April 2005) client, as ONVIF Core asks of a client: a Probe for
 * dn:NetworkVideoTransmitter over SOAP-over-UDP to the discovery multicast group (or one
 * address), then the ProbeMatches that answer it until a deadline. Blocking: for the
 * camwatch CLI, never the daemon's loop. Any thread; no globals. */
#ifndef CW_WSD_H
#define CW_WSD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "onvif_doc.h"

#define WSD_PORT 3702                        /* WS-Discovery's port, 2.4 */
#define WSD_MULTICAST_ADDR "239.255.255.250" /* its IPv4 group */
#define WSD_MAX_DATAGRAM 65536               /* SOAP-over-UDP: one envelope per datagram, 64 KiB */
#define WSD_MESSAGE_ID_MAX 48                /* "urn:uuid:" + 36 + NUL */
#define WSD_FROM_MAX 32                      /* "255.255.255.255:65535" */
#define WSD_REASONS_KEPT 256                 /* reasons kept for ignored datagrams; counted on */
#define WSD_MAX_MATCHES 8 /* ProbeMatch elements read from one answer; a camera sends 1 */
#define WSD_LIST_MAX 2048 /* Types, Scopes or XAddrs list; cut at a whole item */

/* Where the Probe goes. */
struct wsd_target {
    struct sockaddr_in addr;
    int multicast; /* addr is an IPv4 multicast group */
};

/* One ProbeMatch of a WS-Discovery 1.0 (2005/04) ProbeMatches. */
struct wsd_probe_match {
    char endpoint[ONVIF_URL_MAX];  /* EndpointReference/Address, "urn:uuid:..." */
    char types[WSD_LIST_MAX];      /* space separated; each QName resolved through its
                                      namespace: "dn:NetworkVideoTransmitter", "tds:Device",
                                      "{uri}Local" for other namespaces */
    char scopes[WSD_LIST_MAX];     /* space separated, as sent */
    char xaddrs[WSD_LIST_MAX];     /* space separated, as sent */
    unsigned int metadata_version; /* 0 when absent */
    /* From the ONVIF scopes onvif://www.onvif.org/name/, /hardware/ and /location/,
     * percent-decoded; "" when absent. Location joins every location scope with ", ". */
    char name[ONVIF_STR_MAX];
    char hardware[ONVIF_STR_MAX];
    char location[ONVIF_STR_MAX];
};

/* A ProbeMatches answer, the answer to a Probe. */
struct wsd_probe_matches {
    char relates_to[ONVIF_URL_MAX]; /* the Header's RelatesTo: the MessageID of the Probe */
    size_t n;
    struct wsd_probe_match match[WSD_MAX_MATCHES];
};

/* One device that answered, deduplicated by its endpoint address. */
struct wsd_device {
    struct wsd_probe_match m;
    char from[WSD_FROM_MAX]; /* "ip:port" of its first answer */
};

/* A datagram that was not a usable answer to our Probe. */
struct wsd_ignored {
    char from[WSD_FROM_MAX];
    char why[256];
};

/* What one discovery found. A plain record: wsd_discover() fills it, wsd_result_free() frees
 * its arrays. */
struct wsd_result {
    char message_id[WSD_MESSAGE_ID_MAX]; /* of our Probe */
    int sent;                            /* copies of the Probe sent */
    struct wsd_device *devices;
    size_t n_devices;
    size_t n_ignored;            /* datagrams that were not usable answers */
    struct wsd_ignored *ignored; /* why, for the first n_reasons of them */
    size_t n_reasons;            /* at most WSD_REASONS_KEPT */
    size_t duplicates;           /* answers from a device already listed (devices repeat them) */
};

/* Parse "ADDR[:PORT]": an IPv4 address in dotted form (no name lookups), port 1-65535,
 * default WSD_PORT. Returns 0, or -1 with err saying what is wrong. */
int wsd_parse_target(const char *text, struct wsd_target *out, struct cw_err *err);

/* "239.255.255.250:3702". */
const char *wsd_format_addr(const struct sockaddr_in *a, char *buf, size_t len);

/* A fresh "urn:uuid:" random (version 4) UUID into out (WSD_MESSAGE_ID_MAX bytes). Returns 0
 * or -1 when no random bytes are to be had. */
int wsd_new_message_id(char *out, size_t len);

/* The Probe (SOAP 1.2, WS-Addressing 2004/08) with message_id, asking for
 * dn:NetworkVideoTransmitter. Returns 0 with *out (malloc'd, caller frees) or -1. */
int wsd_build_probe(const char *message_id, char **out, struct cw_err *err);

/* Read d as ProbeMatches in the 2005/04 discovery namespace: its Header's WS-Addressing
 * (2004/08) RelatesTo, and up to WSD_MAX_MATCHES ProbeMatch elements in document order (0 is
 * not an error). Refused: no ProbeMatches in that namespace (a WS-Discovery 1.1 answer
 * included), no RelatesTo, a ProbeMatch without EndpointReference/Address, a MetadataVersion
 * that is not an unsigned number. White space in lists is collapsed to single spaces.
 * Control characters (C0, DEL, C1) and bytes that are not UTF-8 in a decoded scope, and
 * control characters in the endpoint, read '?': the values reach terminals and JSON.
 * Returns 0, or -1 with err filled. out is large (~55 KiB): allocate it. */
int wsd_parse_probe_matches(const struct onvif_doc *d, struct wsd_probe_matches *out,
                            struct cw_err *err);

/* Take one datagram of len bytes from `from` into r: a ProbeMatches whose RelatesTo is r's
 * message_id adds the devices not listed yet; anything else is appended to r->ignored with
 * the reason. Never fails on bad input; -1 only when out of memory. */
int wsd_take_datagram(struct wsd_result *r, const char *buf, size_t len, const char *from);

/* Send the Probe to t and collect answers for timeout_ms from the first send. The Probe is
 * repeated as SOAP-over-UDP's Appendix I suggests (see wsd.c). Returns 0 with *out filled
 * (free with wsd_result_free), even when nothing answered; -1 with err when the socket
 * cannot be made or the first send fails. */
int wsd_discover(const struct wsd_target *t, int64_t timeout_ms, struct wsd_result *out,
                 struct cw_err *err);
void wsd_result_free(struct wsd_result *r); /* accepts NULL; r itself is the caller's */

#endif
