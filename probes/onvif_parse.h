/* onvif_parse.h - the readers of the ONVIF answers camwatch asks for (onvif_call.h), one per
 * answer, on a parsed document (onvif_doc.h): the device's clock, its facts, its service
 * addresses, its media profiles with their video encoder configurations, and stream and
 * snapshot URIs; and the clock offset arithmetic of one GetSystemDateAndTime exchange. Pure
 * functions on memory; any thread. */
#ifndef CW_ONVIF_PARSE_H
#define CW_ONVIF_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "onvif_doc.h"

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

/* "device", "media", "media2", "recording", "search", "replay", "events", "imaging", "ptz".
 * (Named for the enum rather than the module: the daemon and CLI call it by this name.) */
const char *onvif_service_name(enum onvif_service s);

/* Clock offset from one GetSystemDateAndTime exchange: the request left at sent_ms and the
 * answer was in at recv_ms (our clock), and the device said device_ms, which it truncates to
 * whole seconds. The device's true time at the answer lies in [device_ms, device_ms + 1000)
 * somewhere within the round trip, so the offset (device minus ours; positive when the device
 * is ahead) is taken at the middle of both ranges, and *error_ms bounds how far off it can be:
 * half the round trip plus half a second. */
void onvif_clock_offset(int64_t sent_ms, int64_t recv_ms, int64_t device_ms, int64_t *offset_ms,
                        int64_t *error_ms);

#endif
