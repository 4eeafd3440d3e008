/* quality.h - turns a stream sample into picture and stream faults for one
 * camera, against its class's thresholds: each fault a flag and a reason a
 * person can act on ("fps 6.2 below 12", "picture frozen since 21:40").
 * Pure but for struct quality_memory, which the caller keeps per camera
 * (frozen run, reference picture). Loop thread only. */
#ifndef CW_QUALITY_H
#define CW_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../probes/sdp.h"
#include "../probes/stream.h"

enum quality_flag {
    Q_NO_MEDIA = 1 << 0, /* the sample could not be read */
    Q_LOW_RES = 1 << 1,  /* below class min_width/min_height */
    Q_LOW_FPS = 1 << 2,
    Q_LOW_BITRATE = 1 << 3,
    Q_LONG_GOP = 1 << 4,
    Q_TS_FAULTS = 1 << 5, /* timestamp jumps/backwards, corrupt packets, lost frames */
    Q_DARK = 1 << 6,
    Q_BLACK = 1 << 7,
    Q_OVEREXPOSED = 1 << 8,
    Q_BLURRED = 1 << 9,
    Q_FROZEN = 1 << 10,
    Q_MOVED = 1 << 11,        /* differs strongly from the reference: moved or covered */
    Q_SDP_MISMATCH = 1 << 12, /* SDP says one resolution or rate, the stream another */
};
#define QUALITY_FLAG_COUNT 13

/* Per-camera memory across samples. Zero it for a new camera; the store keeps has_last,
 * last_phash, still_run and run_since_ms across restarts (store_picture_memory). */
struct quality_memory {
    int has_last;
    uint64_t last_phash;     /* picture of the last sample with one */
    int still_run;           /* consecutive still samples (empty inter frames), same picture */
    int64_t run_since_ms;    /* time of the first sample of that run, 0 when none */
    int64_t frozen_since_ms; /* first sample of the run, 0 when not frozen */
    int has_reference;
    uint64_t reference; /* picture confirmed good; kept by the store too */
    int64_t reference_at_ms;
    int reference_taken; /* set by quality_assess when it took a new reference this sample */
};

struct quality_verdict {
    unsigned flags;    /* enum quality_flag bits */
    char reasons[512]; /* "; "-separated, "" when none */
    int ref_distance;  /* bits from the reference, -1 when not compared */
};

/* Assess sample s of a camera of class c at now_ms. sdp may be NULL (no DESCRIBE facts yet);
 * only its width, height and fps are read. tz is the zone for times in reasons. Updates m
 * (frozen run; takes a reference when there is none and the picture has no fault). */
void quality_assess(const struct cfg_class *c, const struct stream_sample *s,
                    const struct sdp_video *sdp, struct quality_memory *m, int64_t now_ms,
                    const char *tz, struct quality_verdict *out);

/* Whether sample s is still, by the frames between its keyframes: 1 when they are empty (an
 * encoder fed the same picture), 0 when they carry a live scene, -1 when they say nothing
 * (fewer than a few inter frames, no keyframe: an all-keyframe stream such as MJPEG). */
int quality_sample_still(const struct stream_sample *s);

/* What the last ONVIF probe of a camera said, as far as its health goes. */
struct quality_device {
    int ok;          /* the probe read the device's facts */
    char error[256]; /* why not: "authentication failed (GetProfiles: ter:NotAuthorized)" */
    int has_clock;
    int64_t offset_ms; /* device minus true time */
    int has_encoder;   /* the streamed profile's encoder configuration is known */
    int width, height; /* 0 when the device did not say */
    double fps_limit;
    int bitrate_limit_kbps;
};

/* The reasons an ONVIF probe makes a camera degraded, "; "-separated into buf ("" when none):
 * "clock 83 s ahead" (|offset| over max_offset_ms; 0 turns it off), "ONVIF: <error>" (the
 * camera has ONVIF but it failed or refused us), "configured 4 fps, class minimum 12",
 * "configured 352x288, class minimum 640x360", "configured 128 kbps, class minimum 256".
 * Returns how many. */
int quality_device_reasons(const struct cfg_class *c, const struct quality_device *d,
                           int64_t max_offset_ms, char *buf, size_t len);

/* Name of one flag bit: "no_media", "low_res", "low_fps", "low_bitrate", "long_gop",
 * "ts_faults", "dark", "black", "overexposed", "blurred", "frozen", "moved", "sdp_mismatch". */
const char *quality_flag_name(enum quality_flag f);

/* The flags named in a comma-separated list (unknown names ignored). */
unsigned quality_flags_parse(const char *list);

/* Comma-separated names of the set flags into buf ("" when none); returns buf. */
const char *quality_flags_format(unsigned flags, char *buf, size_t len);

#endif
