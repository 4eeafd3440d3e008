/* onvif_parse.c - the readers of ONVIF answers, one per call; see onvif_parse.h. Each reads
 * a parsed document (onvif_doc.h) into the caller's struct; owns nothing past a call. No
 * globals; any thread.
 *
 * The answer's element is found with onvif_doc_response() (it must be in its WSDL
 * namespace); the fields inside it by local name with onvif_doc_child(), preferring the
 * schema's namespace. */
#include "onvif_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "onvif_ns.h"
#include "xmltext.h"

#define NUM_TEXT_MAX 64          /* a number's text as quoted in an error */
#define CLOCK_TRUNCATION_MS 1000 /* the device gives whole seconds */

/* ---- reading values ---- */

/* Parse a decimal integer in [min, max] from text; what names the field in the error. An
 * empty text leaves *out alone: "0 when absent". */
static int text_int(const char *text, const char *what, long min, long max, int *out,
                    struct cw_err *err)
{
    char *end;
    long v;

    if (text[0] == '\0')
        return 0;
    v = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "%s: '%s' is not a number", what, text);
    if (v < min || v > max)
        return cw_err_set(err, NULL, 0, NULL, "%s: %s out of range", what, text);
    *out = (int)v;
    return 0;
}

static int node_int(const xmlNode *n, const char *what, long min, long max, int *out,
                    struct cw_err *err)
{
    char text[NUM_TEXT_MAX];

    onvif_doc_text(n, text, sizeof(text));
    return text_int(text, what, min, max, out, err);
}

static int node_double(const xmlNode *n, const char *what, double max, double *out,
                       struct cw_err *err)
{
    char text[NUM_TEXT_MAX];
    char *end;
    double v;

    onvif_doc_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return 0;
    v = strtod(text, &end);
    if (end == text || *end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "%s: '%s' is not a number", what, text);
    if (!(v >= 0.0 && v <= max))
        return cw_err_set(err, NULL, 0, NULL, "%s: %s out of range", what, text);
    *out = v;
    return 0;
}

/* ---- GetSystemDateAndTime ---- */

/* A required integer child of parent in [min, max]. */
static int need_int(const xmlNode *parent, const char *name, long min, long max, int *out,
                    struct cw_err *err)
{
    const xmlNode *n = onvif_doc_child(parent, NS_TT, name);
    char text[NUM_TEXT_MAX];

    onvif_doc_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "UTCDateTime: no %s", name);
    return text_int(text, name, min, max, out, err);
}

/* UTCDateTime as epoch milliseconds. Second 60 (a leap second) is taken as the next
 * minute's 0. */
static int utc_ms(const xmlNode *utc, int64_t *out, struct cw_err *err)
{
    const xmlNode *date = onvif_doc_child(utc, NS_TT, "Date"),
                  *time = onvif_doc_child(utc, NS_TT, "Time");
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;

    if (date == NULL || time == NULL)
        return cw_err_set(err, NULL, 0, NULL, "UTCDateTime: no %s", date ? "Time" : "Date");
    if (need_int(date, "Year", 1900, 9999, &y, err) || need_int(date, "Month", 1, 12, &mo, err) ||
        need_int(date, "Day", 1, 31, &d, err) || need_int(time, "Hour", 0, 23, &h, err) ||
        need_int(time, "Minute", 0, 59, &mi, err) || need_int(time, "Second", 0, 60, &s, err))
        return -1;
    if (d > cw_days_in_month(y, mo))
        return cw_err_set(err, NULL, 0, NULL, "Day: %d out of range", d);
    *out = cw_secs_from_civil(y, mo, d, h, mi, s) * 1000;
    return 0;
}

/* LocalDateTime alone is refused: without UTC the device's offset from UTC is unknown (the
 * TZ string is POSIX or free text and may be wrong), so no clock offset can be measured. */
int onvif_parse_clock(const struct onvif_doc *d, struct onvif_clock *out, struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TDS, "GetSystemDateAndTimeResponse", err);
    const xmlNode *sdt, *utc;
    char type[16];

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    if ((sdt = onvif_doc_need(r, NS_TDS, "SystemDateAndTime", err)) == NULL)
        return -1;
    utc = onvif_doc_child(sdt, NS_TT, "UTCDateTime");
    if (utc == NULL && onvif_doc_child(sdt, NS_TT, "LocalDateTime") != NULL)
        return cw_err_set(err, NULL, 0, NULL,
                          "GetSystemDateAndTimeResponse: no UTCDateTime, only LocalDateTime "
                          "(its offset from UTC is unknown)");
    if (utc == NULL)
        return cw_err_set(err, NULL, 0, NULL, "GetSystemDateAndTimeResponse: no UTCDateTime");
    if (utc_ms(utc, &out->device_utc_ms, err) != 0)
        return -1;
    /* Anything but "NTP" (missing, Manual, a vendor's word) counts as not NTP. */
    onvif_doc_text(onvif_doc_child(sdt, NS_TT, "DateTimeType"), type, sizeof(type));
    out->ntp = strcmp(type, "NTP") == 0;
    onvif_doc_text(onvif_doc_child(onvif_doc_child(sdt, NS_TT, "TimeZone"), NS_TT, "TZ"), out->tz,
                   sizeof(out->tz));
    return 0;
}

/* ---- GetDeviceInformation ---- */

int onvif_parse_info(const struct onvif_doc *d, struct onvif_info *out, struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TDS, "GetDeviceInformationResponse", err);

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    onvif_doc_text(onvif_doc_child(r, NS_TDS, "Manufacturer"), out->manufacturer,
                   sizeof(out->manufacturer));
    onvif_doc_text(onvif_doc_child(r, NS_TDS, "Model"), out->model, sizeof(out->model));
    onvif_doc_text(onvif_doc_child(r, NS_TDS, "FirmwareVersion"), out->firmware,
                   sizeof(out->firmware));
    onvif_doc_text(onvif_doc_child(r, NS_TDS, "SerialNumber"), out->serial, sizeof(out->serial));
    onvif_doc_text(onvif_doc_child(r, NS_TDS, "HardwareId"), out->hardware_id,
                   sizeof(out->hardware_id));
    return 0;
}

/* ---- GetServices, GetCapabilities ---- */

static const struct {
    const char *ns;
    enum onvif_service svc;
} service_namespaces[] = {
    {"http://www.onvif.org/ver10/device/wsdl", ONVIF_SVC_DEVICE},
    {"http://www.onvif.org/ver10/media/wsdl", ONVIF_SVC_MEDIA},
    {"http://www.onvif.org/ver20/media/wsdl", ONVIF_SVC_MEDIA2},
    {"http://www.onvif.org/ver10/recording/wsdl", ONVIF_SVC_RECORDING},
    {"http://www.onvif.org/ver10/search/wsdl", ONVIF_SVC_SEARCH},
    {"http://www.onvif.org/ver10/replay/wsdl", ONVIF_SVC_REPLAY},
    {"http://www.onvif.org/ver10/events/wsdl", ONVIF_SVC_EVENTS},
    {"http://www.onvif.org/ver20/imaging/wsdl", ONVIF_SVC_IMAGING},
    {"http://www.onvif.org/ver20/ptz/wsdl", ONVIF_SVC_PTZ},
};

/* The service a Namespace names, or -1. A trailing '/' some devices add is ignored. */
static int service_of(const char *ns)
{
    size_t n = strlen(ns);

    if (n > 0 && ns[n - 1] == '/')
        n--;
    for (size_t i = 0; i < sizeof(service_namespaces) / sizeof(service_namespaces[0]); i++)
        if (strlen(service_namespaces[i].ns) == n && strncmp(ns, service_namespaces[i].ns, n) == 0)
            return (int)service_namespaces[i].svc;
    return -1;
}

/* Store xaddr's text, without any user:password, as svc's URL when it has any: it is stored
 * and shown. */
static void endpoint_set(struct onvif_endpoints *out, int svc, const xmlNode *xaddr)
{
    char url[ONVIF_URL_MAX];

    onvif_doc_text(xaddr, url, sizeof(url));
    log_redact_url(url, url, sizeof(url));
    if (svc >= 0 && url[0] != '\0')
        memcpy(out->url[svc], url, sizeof(url));
}

const char *onvif_service_name(enum onvif_service s)
{
    static const char *const names[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "device", [ONVIF_SVC_MEDIA] = "media",
        [ONVIF_SVC_MEDIA2] = "media2", [ONVIF_SVC_RECORDING] = "recording",
        [ONVIF_SVC_SEARCH] = "search", [ONVIF_SVC_REPLAY] = "replay",
        [ONVIF_SVC_EVENTS] = "events", [ONVIF_SVC_IMAGING] = "imaging",
        [ONVIF_SVC_PTZ] = "ptz",
    };
    return (unsigned)s < ONVIF_SVC_COUNT ? names[s] : "?";
}

int onvif_parse_services(const struct onvif_doc *d, struct onvif_endpoints *out, struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TDS, "GetServicesResponse", err);
    bool seen[ONVIF_SVC_COUNT] = {false};

    if (r == NULL)
        return -1;
    for (const xmlNode *s = r->children; s != NULL; s = s->next) {
        char ns[ONVIF_URL_MAX];
        int svc;

        if (!onvif_doc_is(s, NULL, "Service"))
            continue;
        onvif_doc_text(onvif_doc_child(s, NS_TDS, "Namespace"), ns, sizeof(ns));
        svc = service_of(ns);
        if (svc < 0 || seen[svc])
            continue; /* the first Service naming a namespace wins */
        seen[svc] = true;
        endpoint_set(out, svc, onvif_doc_child(s, NS_TDS, "XAddr"));
    }
    return 0;
}

int onvif_parse_capabilities(const struct onvif_doc *d, struct onvif_endpoints *out,
                             struct cw_err *err)
{
    static const struct {
        const char *name;
        enum onvif_service svc;
        bool in_extension;
    } caps[] = {
        {"Device", ONVIF_SVC_DEVICE, false}, {"Media", ONVIF_SVC_MEDIA, false},
        {"Events", ONVIF_SVC_EVENTS, false}, {"Imaging", ONVIF_SVC_IMAGING, false},
        {"PTZ", ONVIF_SVC_PTZ, false},       {"Recording", ONVIF_SVC_RECORDING, true},
        {"Search", ONVIF_SVC_SEARCH, true},  {"Replay", ONVIF_SVC_REPLAY, true},
    };
    const xmlNode *r = onvif_doc_response(d, NS_TDS, "GetCapabilitiesResponse", err);
    const xmlNode *c, *ext;

    if (r == NULL)
        return -1;
    if ((c = onvif_doc_need(r, NS_TDS, "Capabilities", err)) == NULL)
        return -1;
    ext = onvif_doc_child(c, NS_TT, "Extension");
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        const xmlNode *cap = onvif_doc_child(caps[i].in_extension ? ext : c, NS_TT, caps[i].name);
        endpoint_set(out, (int)caps[i].svc, onvif_doc_child(cap, NS_TT, "XAddr"));
    }
    return 0;
}

/* ---- GetProfiles ---- */

/* Lower-case encoding name; media2's MIME-style "MPV4-ES" is called mpeg4 like ver10's. */
static void encoding_set(struct onvif_profile *p, const char *text)
{
    size_t i;

    if (text[0] == '\0')
        return;
    for (i = 0; text[i] != '\0' && i + 1 < sizeof(p->encoding); i++)
        p->encoding[i] = xmltext_lower(text[i]);
    p->encoding[i] = '\0';
    if (strcmp(p->encoding, "mpv4-es") == 0)
        snprintf(p->encoding, sizeof(p->encoding), "mpeg4");
}

/* What ver10's VideoEncoderConfiguration and media2's VideoEncoder2Configuration share:
 * token, Encoding, Resolution, RateControl. Both put these in tt. */
static int encoder_common(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    const xmlNode *res = onvif_doc_child(vec, NS_TT, "Resolution"),
                  *rc = onvif_doc_child(vec, NS_TT, "RateControl");
    char enc[32];

    onvif_doc_attr_text(vec, "token", p->encoder_token, sizeof(p->encoder_token));
    onvif_doc_text(onvif_doc_child(vec, NS_TT, "Encoding"), enc, sizeof(enc));
    encoding_set(p, enc);
    if (node_int(onvif_doc_child(res, NS_TT, "Width"), "Width", 0, 65535, &p->width, err) ||
        node_int(onvif_doc_child(res, NS_TT, "Height"), "Height", 0, 65535, &p->height, err) ||
        node_double(onvif_doc_child(rc, NS_TT, "FrameRateLimit"), "FrameRateLimit", 10000.0,
                    &p->fps_limit, err) ||
        node_int(onvif_doc_child(rc, NS_TT, "BitrateLimit"), "BitrateLimit", 0, 2147483647L,
                 &p->bitrate_limit_kbps, err))
        return -1;
    return 0;
}

/* ver10: GOP in H264/GovLength or MPEG4/GovLength. Hikvision reports an H.265 stream as
 * Encoding H264 (ver10's enumeration has no H265) with an encoding="H265" attribute on the
 * configuration: the attribute wins when present. */
static int encoder_v10(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    const xmlNode *codec = onvif_doc_child(vec, NS_TT, "H264");
    char attr[32];

    if (encoder_common(vec, p, err) != 0)
        return -1;
    onvif_doc_attr_text(vec, "encoding", attr, sizeof(attr));
    encoding_set(p, attr);
    if (codec == NULL)
        codec = onvif_doc_child(vec, NS_TT, "MPEG4");
    return node_int(onvif_doc_child(codec, NS_TT, "GovLength"), "GovLength", 0, 1000000,
                    &p->gov_length, err);
}

/* media2: GovLength is an attribute. */
static int encoder_v20(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    char gov[NUM_TEXT_MAX];

    if (encoder_common(vec, p, err) != 0)
        return -1;
    onvif_doc_attr_text(vec, "GovLength", gov, sizeof(gov));
    return text_int(gov, "GovLength", 0, 1000000, &p->gov_length, err);
}

/* Prefix err's message with the profile it is about. */
static int profile_error(const struct onvif_profile *p, size_t i, struct cw_err *err)
{
    char msg[sizeof(err->msg)];

    if (err == NULL)
        return -1;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return cw_err_set(err, NULL, 0, NULL, "Profiles[%zu] '%s': %s", i, p->token, msg);
}

static int profile_read(const xmlNode *prof, bool media2, struct onvif_profile *p,
                        struct cw_err *err)
{
    const char *ns = media2 ? NS_TR2 : NS_TRT;
    const xmlNode *vec;

    memset(p, 0, sizeof(*p));
    onvif_doc_attr_text(prof, "token", p->token, sizeof(p->token));
    onvif_doc_text(onvif_doc_child(prof, media2 ? NS_TR2 : NS_TT, "Name"), p->name,
                   sizeof(p->name));
    if (media2) {
        vec = onvif_doc_child(onvif_doc_child(prof, ns, "Configurations"), ns, "VideoEncoder");
        return vec != NULL ? encoder_v20(vec, p, err) : 0;
    }
    vec = onvif_doc_child(prof, NS_TT, "VideoEncoderConfiguration");
    return vec != NULL ? encoder_v10(vec, p, err) : 0;
}

int onvif_parse_profiles(const struct onvif_doc *d, struct onvif_profile *out, size_t max,
                         size_t *n, struct cw_err *err)
{
    const xmlNode *r = onvif_doc_child_in(onvif_doc_body(d), NS_TRT, "GetProfilesResponse");
    bool media2 = false;
    size_t i = 0;

    *n = 0;
    if (r == NULL) {
        r = onvif_doc_child_in(onvif_doc_body(d), NS_TR2, "GetProfilesResponse");
        media2 = true;
    }
    if (r == NULL)
        return onvif_doc_missing(d, NS_TRT " or " NS_TR2, "GetProfilesResponse", err);
    for (const xmlNode *p = r->children; p != NULL && i < max; p = p->next) {
        if (!onvif_doc_is(p, NULL, "Profiles"))
            continue;
        if (profile_read(p, media2, &out[i], err) != 0)
            return profile_error(&out[i], i, err);
        i++;
    }
    *n = i;
    return 0;
}

/* ---- GetStreamUri, GetSnapshotUri ---- */

int onvif_parse_uri(const struct onvif_doc *d, char *uri, size_t len, struct cw_err *err)
{
    static const struct {
        const char *ns, *name;
        bool media2;
    } kinds[] = {
        {NS_TRT, "GetStreamUriResponse", false},
        {NS_TRT, "GetSnapshotUriResponse", false},
        {NS_TR2, "GetStreamUriResponse", true},
        {NS_TR2, "GetSnapshotUriResponse", true},
    };

    uri[0] = '\0';
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const xmlNode *r = onvif_doc_child_in(onvif_doc_body(d), kinds[i].ns, kinds[i].name), *u;
        if (r == NULL)
            continue;
        /* ver10 wraps the Uri in a tt:MediaUri; media2 does not. */
        u = kinds[i].media2 ? onvif_doc_child(r, NS_TR2, "Uri")
                            : onvif_doc_child(onvif_doc_child(r, NS_TRT, "MediaUri"), NS_TT, "Uri");
        onvif_doc_text(u, uri, len);
        if (uri[0] == '\0')
            return cw_err_set(err, NULL, 0, NULL, "%s: no Uri", kinds[i].name);
        return 0;
    }
    return onvif_doc_missing(d, NS_TRT " or " NS_TR2, "GetStreamUriResponse", err);
}

/* ---- clock offset ---- */

void onvif_clock_offset(int64_t sent_ms, int64_t recv_ms, int64_t device_ms, int64_t *offset_ms,
                        int64_t *error_ms)
{
    /* A clock step between send and receive can make the round trip negative: take it as
     * zero rather than report a negative bound. */
    int64_t rtt = recv_ms > sent_ms ? recv_ms - sent_ms : 0;
    int64_t ours_mid = sent_ms + rtt / 2;
    int64_t device_mid = device_ms + CLOCK_TRUNCATION_MS / 2;

    *offset_ms = device_mid - ours_mid;
    /* Rounded up, so the bound still holds when rtt is odd. */
    *error_ms = (rtt + 1) / 2 + CLOCK_TRUNCATION_MS / 2;
}
