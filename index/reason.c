/* reason.c - a reason's parts back into kinds (reason.h): one table of the first words each
 * producer writes, matched at the start of each "; "-separated part. No state. */
#include "reason.h"

#include <string.h>

static const char *const kind_names[REASON_KIND_COUNT] = {
    [REASON_SLOW] = "slow",
    [REASON_NO_MEDIA] = "no_media",
    [REASON_LOW_RES] = "low_res",
    [REASON_LOW_FPS] = "low_fps",
    [REASON_LOW_BITRATE] = "low_bitrate",
    [REASON_LONG_GOP] = "long_gop",
    [REASON_TS_FAULTS] = "ts_faults",
    [REASON_DARK] = "dark",
    [REASON_BLACK] = "black",
    [REASON_OVEREXPOSED] = "overexposed",
    [REASON_BLURRED] = "blurred",
    [REASON_FROZEN] = "frozen",
    [REASON_MOVED] = "moved",
    [REASON_SDP_MISMATCH] = "sdp_mismatch",
    [REASON_CLOCK] = "clock",
    [REASON_ENCODER_CONFIG] = "encoder_config",
    [REASON_ONVIF_AUTH] = "onvif_auth",
    [REASON_ONVIF] = "onvif",
    [REASON_TIMEOUT] = "timeout",
    [REASON_REFUSED] = "refused",
    [REASON_UNREACHABLE] = "unreachable",
    [REASON_AUTH] = "auth",
    [REASON_NOT_FOUND] = "not_found",
    [REASON_PROTOCOL] = "protocol",
    [REASON_OTHER] = "other",
};

/* First words of a part, and its kind; the first row that matches wins, so a longer prefix
 * comes before a shorter one it starts with. */
static const struct {
    const char *prefix;
    enum reason_kind kind;
} prefixes[] = {
    /* daemon/verdict.c */
    {"slow answer", REASON_SLOW},
    /* daemon/quality.c, stream samples */
    {"no media", REASON_NO_MEDIA},
    {"resolution ", REASON_LOW_RES},
    {"fps ", REASON_LOW_FPS},
    {"bitrate ", REASON_LOW_BITRATE},
    {"keyframe every ", REASON_LONG_GOP},
    {"no keyframe for ", REASON_LONG_GOP},
    {"timestamp faults", REASON_TS_FAULTS},
    {"picture black", REASON_BLACK},
    {"picture dark", REASON_DARK},
    {"picture over-exposed", REASON_OVEREXPOSED},
    {"picture blurred", REASON_BLURRED},
    {"picture frozen", REASON_FROZEN},
    {"scene differs from reference", REASON_MOVED},
    {"SDP says", REASON_SDP_MISMATCH},
    /* daemon/quality.c, ONVIF */
    {"clock ", REASON_CLOCK},
    {"configured ", REASON_ENCODER_CONFIG},
    {"ONVIF: authentication failed", REASON_ONVIF_AUTH},
    {"ONVIF: ", REASON_ONVIF},
    /* probes/rtsp.c outcomes, as daemon/health.c makes them a DOWN reason */
    {"timeout", REASON_TIMEOUT},
    {"connection refused", REASON_REFUSED},
    {"unreachable", REASON_UNREACHABLE},
    {"authentication failed", REASON_AUTH},
    {"not found", REASON_NOT_FOUND},
    {"server error", REASON_PROTOCOL},
    {"unexpected status", REASON_PROTOCOL},
    {"not RTSP", REASON_PROTOCOL},
    {"response too large", REASON_PROTOCOL},
    {"truncated", REASON_PROTOCOL},
    {"bad SDP", REASON_PROTOCOL},
    {"error", REASON_PROTOCOL},
};

/* Parts that name no fault: health's way back up, staff's maintenance. */
static const char *const not_faults[] = {"recovered", "maintenance"};

static unsigned part_kinds(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof(not_faults) / sizeof(not_faults[0]); i++)
        if (strncmp(p, not_faults[i], strlen(not_faults[i])) == 0)
            return 0;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t k = strlen(prefixes[i].prefix);
        if (k <= n && strncmp(p, prefixes[i].prefix, k) == 0)
            return 1u << prefixes[i].kind;
    }
    return 1u << REASON_OTHER;
}

unsigned reason_kinds(const char *reason)
{
    unsigned bits = 0;

    if (reason == NULL)
        return 0;
    for (const char *p = reason; *p != '\0';) {
        const char *sep = strstr(p, "; ");
        size_t n = sep != NULL ? (size_t)(sep - p) : strlen(p);
        if (n > 0)
            bits |= part_kinds(p, n);
        p += n + (sep != NULL ? 2 : 0);
    }
    return bits;
}

const char *reason_kind_name(enum reason_kind k)
{
    return (unsigned)k < REASON_KIND_COUNT ? kind_names[k] : NULL;
}
