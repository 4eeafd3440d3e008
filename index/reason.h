/* reason.h - the kinds of fault a state's reason names. A reason is the text the verdict
 * wrote ("slow answer: 2500 ms (limit 2000 ms); picture blurred (sharpness 14, class minimum
 * 60)", "timeout (after 5000 ms) after 3 failures"): parts joined by "; ", each starting with
 * words its producer always writes first (daemon/quality.c, daemon/verdict.c,
 * daemon/health.c, probes/rtsp.c). reason_kinds() reads those first words back into bits,
 * so reports can add up time by kind from the event log. tests/test_reason.c builds reasons
 * with the producers themselves, so a producer's change that this table misses fails there.
 * Pure; any thread. */
#ifndef CW_REASON_H
#define CW_REASON_H

#include <stddef.h>

enum reason_kind {
    /* degraded: the answer, the stream sample (named as quality's flags), ONVIF */
    REASON_SLOW,
    REASON_NO_MEDIA,
    REASON_LOW_RES,
    REASON_LOW_FPS,
    REASON_LOW_BITRATE,
    REASON_LONG_GOP,
    REASON_TS_FAULTS,
    REASON_DARK,
    REASON_BLACK,
    REASON_OVEREXPOSED,
    REASON_BLURRED,
    REASON_FROZEN,
    REASON_MOVED,
    REASON_SDP_MISMATCH,
    REASON_CLOCK,          /* camera clock off */
    REASON_ENCODER_CONFIG, /* ONVIF: configured below the class */
    REASON_ONVIF_AUTH,     /* ONVIF refused our credential */
    REASON_ONVIF,          /* ONVIF failed otherwise */
    /* down: how the DESCRIBE failed */
    REASON_TIMEOUT,
    REASON_REFUSED,
    REASON_UNREACHABLE,
    REASON_AUTH,
    REASON_NOT_FOUND,
    REASON_PROTOCOL, /* answered, but not as an RTSP camera should */
    REASON_OTHER,    /* a part no row knows */
    REASON_KIND_COUNT
};

/* The kinds named in reason, as bits (1u << enum reason_kind); 0 for "" and for reasons that
 * name no fault ("recovered after 2 successes", "maintenance: ..."). */
unsigned reason_kinds(const char *reason);

/* "slow", "no_media", "low_res", ..., "clock", "encoder_config", "onvif_auth", "onvif",
 * "timeout", "refused", "unreachable", "auth", "not_found", "protocol", "other"; NULL out of
 * range. */
const char *reason_kind_name(enum reason_kind k);

#endif
