/* sdp.h - facts about the first video stream in an SDP (RFC 4566) answer to
 * DESCRIBE: codec, resolution from the parameter sets (RFC 6184
 * sprop-parameter-sets for H.264, RFC 7798 sprop-sps for H.265), and the
 * a=framerate attribute. Pure functions; no allocation kept. */
#ifndef CW_SDP_H
#define CW_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct sdp_video {
    char codec[16];   /* "h264", "h265", "mjpeg", or the rtpmap name lower-cased */
    int payload_type; /* RTP payload type of the video m= line */
    int width;        /* from SPS (or JPEG a=x-dimensions / a=cliprect); 0 when unknown */
    int height;
    double fps; /* a=framerate, 0 when absent */
    /* What is wrong with the parameter sets, "" when nothing: "sprop-parameter-sets: bad
     * base64", "SPS: truncated", ... The stream may still play (encoders repeat them in-band);
     * width and height are then 0. */
    char problem[96];
};

/* Parse sdp (len bytes, not necessarily NUL-terminated). Returns 0 with *out filled when a
 * usable video m= line is found, even when its parameter sets are broken (out->problem says
 * how); -1 with err->msg saying what is wrong otherwise ("no video stream", "m=video: bad
 * payload type"). A missing parameter set is not a problem: width and height stay 0. */
int sdp_parse_video(const char *sdp, size_t len, struct sdp_video *out, struct cw_err *err);

/* Decode width and height from one SPS NAL unit (with its NAL header, emulation prevention
 * bytes still in). Return 0, or -1 when truncated or unsupported. */
int sdp_h264_sps_size(const uint8_t *nal, size_t len, int *width, int *height);
int sdp_h265_sps_size(const uint8_t *nal, size_t len, int *width, int *height);

#endif
