/* onvif_soap.h - the ONVIF SOAP messages camwatch sends and reads, as pure
 * functions on memory: request envelopes with WS-Security UsernameToken
 * (PasswordDigest), safe namespace-aware parsing of responses with libxml2,
 * one parser per response, SOAP faults, and the clock offset arithmetic.
 * No I/O: probes/onvif.c moves the bytes. Any thread.
 *
 * Parsing is by namespace URI and local name, never by prefix: devices use
 * tds/tt, ns0/ns1 or default namespaces, and SOAP 1.2 or 1.1 envelopes.
 * A response with a DTD (so any entity declaration) is refused before it is
 * parsed; the parser never touches the network, never expands entities,
 * never loads external DTDs; responses are capped in size and depth. */
#ifndef CW_ONVIF_SOAP_H
#define CW_ONVIF_SOAP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define ONVIF_MAX_RESPONSE_BYTES (1024 * 1024) /* a GetProfiles of 16 profiles is ~100 KiB */
#define ONVIF_MAX_DEPTH 40                     /* element nesting; real responses stay under 15 */
#define ONVIF_STR_MAX 128 /* manufacturer, model, ... as the device says them, cut to this */
#define ONVIF_URL_MAX 512
#define ONVIF_TOKEN_MAX 64
#define ONVIF_MAX_PROFILES 16 /* more are ignored */

/* The services camwatch looks for. */
enum onvif_service {
    ONVIF_SVC_DEVICE,
    ONVIF_SVC_MEDIA,  /* ver10/media/wsdl */
    ONVIF_SVC_MEDIA2, /* ver20/media/wsdl */
    ONVIF_SVC_RECORDING,
    ONVIF_SVC_SEARCH,
    ONVIF_SVC_REPLAY,
    ONVIF_SVC_EVENTS,
    ONVIF_SVC_IMAGING,
    ONVIF_SVC_PTZ,
    ONVIF_SVC_COUNT
};

/* The requests camwatch sends. Device-service calls go to the device URL; media calls to the
 * media (ver10) endpoint, media2 calls to the media2 (ver20) endpoint. */
enum onvif_call {
    ONVIF_GET_SYSTEM_DATE_AND_TIME,
    ONVIF_GET_DEVICE_INFORMATION,
    ONVIF_GET_SERVICES,
    ONVIF_GET_CAPABILITIES,
    ONVIF_GET_PROFILES,          /* media ver10 */
    ONVIF_GET_STREAM_URI,        /* media ver10: RTP-Unicast over RTSP */
    ONVIF_GET_SNAPSHOT_URI,      /* media ver10 */
    ONVIF_MEDIA2_GET_PROFILES,   /* media2, Type=All so the encoder configuration comes along */
    ONVIF_MEDIA2_GET_STREAM_URI, /* media2, Protocol=RTSP */
    ONVIF_MEDIA2_GET_SNAPSHOT_URI,
    ONVIF_CALL_COUNT
};

/* GetSystemDateAndTime, as the device answered it. */
struct onvif_clock {
    int64_t device_utc_ms; /* UTCDateTime as epoch ms (whole seconds) */
    int ntp;               /* DateTimeType: 1 NTP, 0 Manual */
    char tz[64];           /* TimeZone/TZ, "" when absent */
};

struct onvif_info {
    char manufacturer[ONVIF_STR_MAX];
    char model[ONVIF_STR_MAX];
    char firmware[ONVIF_STR_MAX];
    char serial[ONVIF_STR_MAX];
    char hardware_id[ONVIF_STR_MAX];
};

/* XAddr of each service, "" when the device did not name it. */
struct onvif_endpoints {
    char url[ONVIF_SVC_COUNT][ONVIF_URL_MAX];
};

/* One media profile and the video encoder configuration in it. Numbers are 0 when absent. */
struct onvif_profile {
    char token[ONVIF_TOKEN_MAX];
    char name[ONVIF_STR_MAX];
    char encoder_token[ONVIF_TOKEN_MAX]; /* "" when the profile has no video encoder */
    char encoding[16];                   /* lower case: "h264", "h265", "jpeg", "mpeg4" */
    int width, height;
    double fps_limit;
    int bitrate_limit_kbps;
    int gov_length;                   /* GOP in frames */
    char stream_uri[ONVIF_URL_MAX];   /* filled from GetStreamUri, "" until then */
    char snapshot_uri[ONVIF_URL_MAX]; /* filled from GetSnapshotUri, "" until then */
};

enum onvif_fault_kind {
    ONVIF_FAULT_NONE = 0,
    ONVIF_FAULT_NOT_AUTHORIZED, /* ter:NotAuthorized, wsse:FailedAuthentication, ... */
    ONVIF_FAULT_NOT_SUPPORTED,  /* ActionNotSupported (ter or wsa); or a Sender/Client fault
                                   whose reason names a method, action or operation "not
                                   supported"/"not implemented" (gSOAP's 1.1 answer) */
    ONVIF_FAULT_OTHER
};

struct onvif_fault {
    enum onvif_fault_kind kind;
    char code[96];    /* "env:Sender / ter:NotAuthorized": the Code and Subcode values (1.2)
                         or faultcode (1.1) joined; env, ter, wsse and wsa prefixes are ours,
                         whatever the device wrote; other prefixes as written */
    char reason[256]; /* Reason/Text (1.2, the English one when there are several) or
                         faultstring (1.1, detail when it has none), "" when none */
};

/* A parsed response. Opaque; wraps the libxml2 document. */
struct onvif_doc;

/* Parse a response body of len bytes. Refuses, with a reason a person can act on: more than
 * ONVIF_MAX_RESPONSE_BYTES ("response too large"), an empty body ("not XML: empty response"),
 * a web page ("not XML: an HTML page"), a DTD or entity declaration ("XML with a
 * DTD refused"), not well-formed XML ("not XML: <libxml2's message>, line N"), nesting deeper
 * than ONVIF_MAX_DEPTH ("XML nested too deep"), a root that is not a SOAP 1.1 or 1.2
 * Envelope with a Body ("not a SOAP envelope"). Returns 0 with *out (caller frees with
 * onvif_doc_free), or -1 with err filled and *out NULL. */
int onvif_doc_parse(const char *buf, size_t len, struct onvif_doc **out, struct cw_err *err);
void onvif_doc_free(struct onvif_doc *d); /* accepts NULL */

/* 1 with *out filled when the Body holds a SOAP Fault (1.1 or 1.2), else 0 (out zeroed). */
int onvif_doc_fault(const struct onvif_doc *d, struct onvif_fault *out);

/* Each parser reads the response to its call. Returns 0, or -1 with err saying what is
 * missing or wrong ("GetSystemDateAndTimeResponse: no UTCDateTime", "Month: 13 out of
 * range", or "SOAP fault <code>: <reason>" when the Body holds a fault instead). Strings are
 * trimmed; values longer than their field are cut (never inside a UTF-8 character). The
 * response element must be in its WSDL namespace; the elements inside it are matched by local
 * name, preferring the schema's namespace.
 * Clock: a LocalDateTime without UTCDateTime is refused (its offset from UTC is unknown);
 * a DateTimeType other than "NTP" gives ntp 0. */
int onvif_parse_clock(const struct onvif_doc *d, struct onvif_clock *out, struct cw_err *err);
int onvif_parse_info(const struct onvif_doc *d, struct onvif_info *out, struct cw_err *err);
/* GetServicesResponse: each Service's Namespace mapped to its XAddr. Fills only the
 * services named; others in *out are left as they were. */
int onvif_parse_services(const struct onvif_doc *d, struct onvif_endpoints *out,
                         struct cw_err *err);
/* GetCapabilitiesResponse: Device, Media, Events, Imaging, PTZ XAddrs, and Extension's
 * Recording, Search, Replay. Fills only the services named. */
int onvif_parse_capabilities(const struct onvif_doc *d, struct onvif_endpoints *out,
                             struct cw_err *err);
/* GetProfilesResponse of media ver10 or media2: up to max profiles in document order, each
 * with its video encoder configuration. *n gets the count (0 is not an error). A ver10
 * configuration's encoding="H265" attribute (Hikvision) wins over its Encoding; media2's
 * "MPV4-ES" reads "mpeg4". */
int onvif_parse_profiles(const struct onvif_doc *d, struct onvif_profile *out, size_t max,
                         size_t *n, struct cw_err *err);
/* GetStreamUriResponse / GetSnapshotUriResponse, media ver10 (MediaUri/Uri) or media2 (Uri). */
int onvif_parse_uri(const struct onvif_doc *d, char *uri, size_t len, struct cw_err *err);

/* WS-Discovery 1.0 (2005/04) ProbeMatches, the answer to a discovery Probe (probes/wsd.c). */
#define ONVIF_WSD_MAX_MATCHES 8 /* ProbeMatch elements read from one answer; a camera sends 1 */
#define ONVIF_WSD_LIST_MAX 2048 /* Types, Scopes or XAddrs list; cut at a whole item */

struct onvif_probe_match {
    char endpoint[ONVIF_URL_MAX];    /* EndpointReference/Address, "urn:uuid:..." */
    char types[ONVIF_WSD_LIST_MAX];  /* space separated; each QName resolved through its
                                        namespace: "dn:NetworkVideoTransmitter", "tds:Device",
                                        "{uri}Local" for other namespaces */
    char scopes[ONVIF_WSD_LIST_MAX]; /* space separated, as sent */
    char xaddrs[ONVIF_WSD_LIST_MAX]; /* space separated, as sent */
    unsigned int metadata_version;   /* 0 when absent */
    /* From the ONVIF scopes onvif://www.onvif.org/name/, /hardware/ and /location/,
     * percent-decoded; "" when absent. Location joins every location scope with ", ". */
    char name[ONVIF_STR_MAX];
    char hardware[ONVIF_STR_MAX];
    char location[ONVIF_STR_MAX];
};

struct onvif_probe_matches {
    char relates_to[ONVIF_URL_MAX]; /* the Header's RelatesTo: the MessageID of the Probe */
    size_t n;
    struct onvif_probe_match match[ONVIF_WSD_MAX_MATCHES];
};

/* ProbeMatches in the 2005/04 discovery namespace, its Header's WS-Addressing (2004/08)
 * RelatesTo, and up to ONVIF_WSD_MAX_MATCHES ProbeMatch elements in document order (0 is
 * not an error). Refused: no ProbeMatches in that namespace (a WS-Discovery 1.1 answer
 * included), no RelatesTo, a ProbeMatch without EndpointReference/Address, a MetadataVersion
 * that is not an unsigned number. White space in lists is collapsed to single spaces.
 * Control characters (C0, DEL, C1) and bytes that are not UTF-8 in a decoded scope, and
 * control characters in the endpoint, read '?': the values reach terminals and JSON.
 * Returns 0, or -1 with err filled. out is large (~55 KiB): allocate it. */
int onvif_parse_probe_matches(const struct onvif_doc *d, struct onvif_probe_matches *out,
                              struct cw_err *err);

/* Build the SOAP 1.2 request for call. token is the profile token for the StreamUri and
 * SnapshotUri calls (XML-escaped here), ignored otherwise. With username non-NULL a
 * WS-Security header carries a UsernameToken: a fresh 16-byte random nonce, Created =
 * created_ms formatted as UTC "YYYY-MM-DDThh:mm:ssZ", PasswordDigest of the three.
 * Returns 0 with *out (malloc'd NUL-terminated, caller frees) or -1. */
int onvif_build_request(enum onvif_call call, const char *token, const char *username,
                        const char *password, int64_t created_ms, char **out, struct cw_err *err);
/* The SOAP action URI of call, for the Content-Type's action parameter. */
const char *onvif_call_action(enum onvif_call call);
/* "GetSystemDateAndTime", "GetProfiles", ... (media2 calls as "media2 GetProfiles"). */
const char *onvif_call_name(enum onvif_call call);
/* "device", "media", "media2", "recording", "search", "replay", "events", "imaging", "ptz". */
const char *onvif_service_name(enum onvif_service s);

/* WS-Security PasswordDigest = Base64(SHA1(nonce + created + password)) into out (at least 29
 * bytes). Returns 0, -1 when out is too small or SHA-1 fails. */
int onvif_password_digest(const unsigned char *nonce, size_t nonce_len, const char *created,
                          const char *password, char *out, size_t out_len);

/* Clock offset from one GetSystemDateAndTime exchange: the request left at sent_ms and the
 * answer was in at recv_ms (our clock), and the device said device_ms, which it truncates to
 * whole seconds. The device's true time at the answer lies in [device_ms, device_ms + 1000)
 * somewhere within the round trip, so the offset (device minus ours; positive when the device
 * is ahead) is taken at the middle of both ranges, and *error_ms bounds how far off it can be:
 * half the round trip plus half a second. */
void onvif_clock_offset(int64_t sent_ms, int64_t recv_ms, int64_t device_ms, int64_t *offset_ms,
                        int64_t *error_ms);

#endif
