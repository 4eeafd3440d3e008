/* quality_sample.h - what the tests of quality's judgment share (test_quality.c,
 * test_reason.c): the default class, a good sample, from which each test makes one fault, and a
 * still one. Header-only (static inline); include after <cmocka.h>. */
#ifndef CW_TEST_QUALITY_SAMPLE_H
#define CW_TEST_QUALITY_SAMPLE_H

#include <string.h>

#include "../daemon/quality.h"

#define HASH 0x0123456789abcdefULL /* the scene */

static inline struct cfg_class default_class(void)
{
    struct cfg_class c = {
        .name = "default",
        .min_width = 640,
        .min_height = 360,
        .min_fps = 12,
        .min_bitrate_kbps = 256,
        .max_gop_s = 4,
        .min_sharpness = 60,
        .min_luma = 40,
        .max_luma = 220,
        .black_spread = 4,
        .unlit = 0,
        .frozen_after = 3,
        .moved_distance = 20,
    };
    return c;
}

/* A good 720p25 sample of a lit, detailed scene. */
static inline struct stream_sample good_sample(void)
{
    struct stream_sample s;

    memset(&s, 0, sizeof(s));
    s.ok = 1;
    strcpy(s.codec, "h264");
    s.elapsed_ms = 5400;
    s.width = 1280;
    s.height = 720;
    s.frames = 125;
    s.keyframes = 3;
    s.fps = 25;
    s.bitrate_kbps = 1024;
    s.gop_frames = 50;
    s.gop_s = 2;
    s.first_key_ms = 0;
    s.has_picture = 1;
    s.luma_mean = 120;
    s.luma_spread = 50;
    s.sharpness = 300;
    s.phash = HASH;
    /* A live scene: every frame between keyframes carries something. */
    s.key_bytes = 30000;
    s.inter_frames = 122;
    s.inter_bytes = 4000;
    s.inter_min_bytes = 800;
    return s;
}

/* The same, from an encoder fed one picture: empty inter frames (x264 at quantizer 28 on
 * imagefreeze, measured over RTSP: keyframes 75372 bytes, inter frames 17, the first 21). */
static inline struct stream_sample still_sample(void)
{
    struct stream_sample s = good_sample();

    s.key_bytes = 75372;
    s.inter_frames = 119;
    s.inter_bytes = 17.03;
    s.inter_min_bytes = 17;
    return s;
}

#endif
