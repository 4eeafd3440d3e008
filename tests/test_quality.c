/* test_quality.c - stream samples judged against a camera class: each fault has its flag
 * and its reason and nothing else; the frozen run, the reference picture, unlit sites and
 * the SDP's claims. Samples are plain structs built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/quality.h"
#include "quality_sample.h"

#define TZ "Asia/Ho_Chi_Minh"    /* UTC+7, no daylight saving */
#define T0 (1795617600LL * 1000) /* 2026-11-25 21:40 local */
#define MIN10 (10LL * 60 * 1000) /* the default sample interval */
#define HASH_OTHER (~HASH)       /* a different scene: 64 bits off */

/* hash with its lowest n bits flipped: n bits from HASH */
static uint64_t hash_off(int n)
{
    return HASH ^ (n >= 64 ? ~0ULL : ((1ULL << n) - 1));
}

static void assess(const struct cfg_class *c, const struct stream_sample *s,
                   const struct sdp_video *sdp, struct quality_memory *m, int64_t now,
                   struct quality_verdict *v)
{
    quality_assess(c, s, sdp, m, now, TZ, v);
}

/* One sample with a fresh memory; assert exactly these flags and these reasons. */
static void expect_only(const struct cfg_class *c, const struct stream_sample *s, unsigned flags,
                        const char *reasons)
{
    struct quality_memory m;
    struct quality_verdict v;

    memset(&m, 0, sizeof(m));
    assess(c, s, NULL, &m, T0, &v);
    assert_string_equal(v.reasons, reasons);
    assert_int_equal(v.flags, flags);
}

static void test_normal_sample_has_no_flags(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    struct sdp_video sdp = {.codec = "h264", .width = 1280, .height = 720, .fps = 25};
    (void)state;

    memset(&m, 0, sizeof(m));
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, 0);
    assert_string_equal(v.reasons, "");
    assert_int_equal(v.ref_distance, -1); /* nothing to compare with yet */
    assess(&c, &s, &sdp, &m, T0 + MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(v.ref_distance, 0);
}

static void test_no_media_is_the_only_reason(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s;
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&s, 0, sizeof(s)); /* fps, bitrate, resolution all 0 */
    strcpy(s.error, "no media within 15000 ms");
    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, Q_NO_MEDIA);
    assert_string_equal(v.reasons, "no media: no media within 15000 ms");
    assert_int_equal(v.ref_distance, -1);
    assert_int_equal(m.has_last, 0);
    assert_int_equal(m.has_reference, 0);
}

static void test_no_media_keeps_the_frozen_run(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample(), none;
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&none, 0, sizeof(none));
    strcpy(none.error, "open failed: 404 Not Found");
    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assess(&c, &s, NULL, &m, T0 + MIN10, &v);
    assess(&c, &none, NULL, &m, T0 + 2 * MIN10, &v);
    assert_int_equal(v.flags, Q_NO_MEDIA);
    assert_int_equal(m.still_run, 2);
    assess(&c, &s, NULL, &m, T0 + 3 * MIN10, &v);
    assert_int_equal(v.flags, Q_FROZEN);
}

static void test_low_resolution(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.width = 320;
    s.height = 180;
    expect_only(&c, &s, Q_LOW_RES, "resolution 320x180 below 640x360");
    s.width = 640;
    s.height = 352; /* one side short is enough */
    expect_only(&c, &s, Q_LOW_RES, "resolution 640x352 below 640x360");
}

static void test_low_fps(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.fps = 6.2;
    s.gop_s = 2;
    expect_only(&c, &s, Q_LOW_FPS, "fps 6.2 below 12");
    s.fps = 12;
    expect_only(&c, &s, 0, "");
}

static void test_low_bitrate(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.bitrate_kbps = 96;
    expect_only(&c, &s, Q_LOW_BITRATE, "bitrate 96 kbps below 256");
}

static void test_long_gop(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.gop_frames = 200;
    s.gop_s = 8;
    expect_only(&c, &s, Q_LONG_GOP, "keyframe every 8.0 s (max 4 s)");
    s.gop_s = 4; /* at the limit is within it */
    expect_only(&c, &s, 0, "");
}

static void test_window_without_a_second_keyframe_bounds_the_gop(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.keyframes = 1; /* 5 s window, keyframe at its start, none after */
    s.gop_frames = 0;
    s.gop_s = 0;
    expect_only(&c, &s, Q_LONG_GOP, "no keyframe for 5.0 s (max 4 s)");
    s.keyframes = 0;
    s.first_key_ms = -1;
    expect_only(&c, &s, Q_LONG_GOP, "no keyframe for 5.0 s (max 4 s)");
    s.keyframes = 1; /* keyframe in the middle of a 5 s window: 2.5 s either side */
    s.first_key_ms = 2500;
    expect_only(&c, &s, 0, "");
}

static void test_timestamp_faults_list_only_the_nonzero_ones(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.ts_jumps = 3;
    s.ts_backwards = 1;
    s.corrupt_packets = 2;
    s.lost_frames = 40;
    expect_only(&c, &s, Q_TS_FAULTS,
                "timestamp faults: 3 jumps, 1 backwards, 2 corrupt, 40 frames lost");
    s.ts_jumps = 0;
    s.ts_backwards = 0;
    s.corrupt_packets = 0;
    s.lost_frames = 3; /* of 128: over 2% */
    expect_only(&c, &s, Q_TS_FAULTS, "timestamp faults: 3 frames lost");
    s.lost_frames = 0;
    s.ts_jumps = 2;
    expect_only(&c, &s, Q_TS_FAULTS, "timestamp faults: 2 jumps");
    s.ts_jumps = 0;
    s.corrupt_packets = 7;
    expect_only(&c, &s, Q_TS_FAULTS, "timestamp faults: 7 corrupt");
}

static void test_a_lone_lost_frame_is_not_a_fault(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.ts_jumps = 1;
    s.lost_frames = 2; /* of 127: under 2% */
    expect_only(&c, &s, 0, "");
}

static void test_black_picture_is_black_only(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.luma_mean = 2;
    s.luma_spread = 0.3;
    s.sharpness = 0; /* no edges, but that is the blackness, not blur */
    s.phash = 0;
    expect_only(&c, &s, Q_BLACK, "picture black (luma 2, spread 0.3)");
}

static void test_dark_picture_is_dark_only(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.luma_mean = 21;
    s.luma_spread = 12;
    s.sharpness = 9;
    expect_only(&c, &s, Q_DARK, "picture dark (luma 21, class minimum 40)");
}

static void test_overexposed_picture(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.luma_mean = 245;
    s.luma_spread = 10;
    s.sharpness = 5;
    expect_only(&c, &s, Q_OVEREXPOSED, "picture over-exposed (luma 245, class maximum 220)");
}

static void test_blurred_picture(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.sharpness = 14;
    expect_only(&c, &s, Q_BLURRED, "picture blurred (sharpness 14, class minimum 60)");
}

static void test_reasons_keep_their_order(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    s.width = 320;
    s.height = 180;
    s.fps = 6.2;
    s.bitrate_kbps = 96;
    s.sharpness = 14;
    expect_only(&c, &s, Q_LOW_RES | Q_LOW_FPS | Q_LOW_BITRATE | Q_BLURRED,
                "resolution 320x180 below 640x360; fps 6.2 below 12; bitrate 96 kbps below 256; "
                "picture blurred (sharpness 14, class minimum 60)");
}

static void test_frozen_only_after_frozen_after_samples(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 1);
    s.phash = hash_off(2); /* encoder noise: still the same picture */
    assess(&c, &s, NULL, &m, T0 + MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 2);
    assert_int_equal(m.frozen_since_ms, 0);
    assess(&c, &s, NULL, &m, T0 + 2 * MIN10, &v);
    assert_int_equal(v.flags, Q_FROZEN);
    assert_string_equal(v.reasons, "picture frozen since 21:40");
    assert_int_equal(m.frozen_since_ms, T0);
    assess(&c, &s, NULL, &m, T0 + 3 * MIN10, &v);
    assert_string_equal(v.reasons, "picture frozen since 21:40");
    assert_int_equal(m.still_run, 4);
}

static void test_quiet_live_scene_with_the_same_picture_is_never_frozen(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    /* The picture hash never moves (an empty road at night), but the frames between the
     * keyframes carry a small moving object: 21 bytes a frame over the smallest (a 32-pixel
     * ball at quantizer 32 on a 1280x720 still picture). */
    s.key_bytes = 59918;
    s.inter_bytes = 38.2;
    s.inter_min_bytes = 17;
    memset(&m, 0, sizeof(m));
    for (i = 0; i < 6; i++) {
        assess(&c, &s, NULL, &m, T0 + i * MIN10, &v);
        assert_int_equal(v.flags, 0);
        assert_int_equal(m.still_run, 0);
    }
    assert_int_equal(m.frozen_since_ms, 0);
    assert_int_equal(v.ref_distance, 0); /* the same picture, not moved either */
}

static void test_a_live_sample_ends_the_frozen_run(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample still = still_sample(), live = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    memset(&m, 0, sizeof(m));
    for (i = 0; i < 3; i++)
        assess(&c, &still, NULL, &m, T0 + i * MIN10, &v);
    assert_int_equal(v.flags, Q_FROZEN);
    assess(&c, &live, NULL, &m, T0 + 3 * MIN10, &v); /* the same picture, live again */
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 0);
    assert_int_equal(m.frozen_since_ms, 0);
    assess(&c, &still, NULL, &m, T0 + 4 * MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 1); /* a new run */
    assert_int_equal(m.run_since_ms, T0 + 4 * MIN10);
}

static void test_still_means_empty_inter_frames_near_zero_against_the_keyframe(void **state)
{
    static const struct {
        double key, mean;
        int min, inter_frames, still;
    } cases[] = {
        {75372, 17.03, 17, 119, 1}, /* x264 on imagefreeze, quantizer 28 */
        {75372, 22.0, 17, 119, 1},  /* the jitter allowed: 5 bytes */
        {75372, 22.5, 17, 119, 0},
        /* the smallest live signal measured, a 32-pixel ball at quantizer 32, on a machine
         * too busy for more than 17 inter frames in a 3 s sample */
        {60374, 36.47, 26, 17, 0},
        /* libx264 CRF on a still picture: its steady empty frames are 48 bytes (the two
         * smaller ones after each keyframe, where rate control settles, are not counted as
         * the smallest: stream.c) */
        {1146, 48.2, 48, 144, 1},
        /* all inter frames about the same size, but not empty: a CBR encoder, live */
        {75372, 2001, 2000, 119, 0},
        /* empty: at most 0.5% of the keyframe, or 256 bytes whatever the keyframe */
        {80000, 401, 400, 119, 1},
        {80000, 402, 401, 119, 0},
        {10000, 257, 256, 119, 1},
        {10000, 258, 257, 119, 0},
        /* too few inter frames, or no keyframe: the sizes say nothing */
        {75372, 17, 17, 3, -1},
        {0, 17, 17, 119, -1},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct stream_sample s = still_sample();

        s.key_bytes = cases[i].key;
        s.inter_bytes = cases[i].mean;
        s.inter_min_bytes = cases[i].min;
        s.inter_frames = cases[i].inter_frames;
        if (quality_sample_still(&s) != cases[i].still)
            fail_msg("case %zu: still %d, expected %d", i, quality_sample_still(&s),
                     cases[i].still);
    }
}

static void test_stream_of_keyframes_only_is_never_frozen(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    /* MJPEG: every frame a keyframe, none between to say whether the source is still. */
    strcpy(s.codec, "mjpeg");
    s.keyframes = s.frames;
    s.gop_frames = 1;
    s.gop_s = 0.04;
    s.inter_frames = 0;
    s.inter_bytes = 0;
    s.inter_min_bytes = 0;
    memset(&m, 0, sizeof(m));
    for (i = 0; i < 5; i++)
        assess(&c, &s, NULL, &m, T0 + i * MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 0);
}

static void test_frozen_run_goes_on_from_the_memory_a_restart_resumed(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    /* What the store kept of the last run: two still samples of this picture since 21:20. */
    memset(&m, 0, sizeof(m));
    m.has_last = 1;
    m.last_phash = hash_off(1);
    m.still_run = 2;
    m.run_since_ms = T0 - 2 * MIN10;
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, Q_FROZEN);
    assert_string_equal(v.reasons, "picture frozen since 21:20");
    assert_int_equal(m.still_run, 3);
}

static void test_frozen_clears_when_the_picture_changes(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    c.moved_distance = 0; /* the changed scene is not the point here */
    memset(&m, 0, sizeof(m));
    for (i = 0; i < 3; i++)
        assess(&c, &s, NULL, &m, T0 + i * MIN10, &v);
    assert_int_equal(v.flags, Q_FROZEN);
    s.phash = hash_off(3); /* three bits: a different picture */
    assess(&c, &s, NULL, &m, T0 + 3 * MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.still_run, 1);
    assert_int_equal(m.frozen_since_ms, 0);
    assert_int_equal(m.run_since_ms, T0 + 3 * MIN10);
    assess(&c, &s, NULL, &m, T0 + 4 * MIN10, &v);
    assert_int_equal(v.flags, 0); /* a new run starts counting from one */
}

static void test_frozen_since_another_day_shows_the_date(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int64_t t = T0 + 2 * 3600 * 1000 + 10 * 60 * 1000; /* 23:50 */
    (void)state;

    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, t, &v);
    assess(&c, &s, NULL, &m, t + MIN10, &v);
    assess(&c, &s, NULL, &m, t + 2 * MIN10, &v); /* 00:10 the next day */
    assert_string_equal(v.reasons, "picture frozen since 2026-11-25 23:50");
}

static void test_dark_or_black_static_picture_is_not_called_frozen(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = still_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    s.luma_mean = 2;
    s.luma_spread = 0.3;
    memset(&m, 0, sizeof(m));
    for (i = 0; i < 5; i++)
        assess(&c, &s, NULL, &m, T0 + i * MIN10, &v);
    assert_int_equal(v.flags, Q_BLACK);
    assert_int_equal(m.frozen_since_ms, 0);
    c.unlit = 1;
    s.luma_mean = 20;
    s.luma_spread = 10;
    assess(&c, &s, NULL, &m, T0 + 5 * MIN10, &v);
    assert_int_equal(v.flags, 0);
}

static void test_unlit_class_does_not_call_darkness_a_fault(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    (void)state;

    c.unlit = 1;
    s.luma_mean = 21;
    s.luma_spread = 12;
    s.sharpness = 9;
    expect_only(&c, &s, 0, "");
    s.luma_mean = 2;
    s.luma_spread = 0.3;
    expect_only(&c, &s, 0, "");
    s.fps = 6.2; /* the rest is still judged */
    expect_only(&c, &s, Q_LOW_FPS, "fps 6.2 below 12");
    s.fps = 25;
    s.luma_mean = 245;
    s.luma_spread = 10;
    expect_only(&c, &s, Q_OVEREXPOSED, "picture over-exposed (luma 245, class maximum 220)");
}

static void test_unlit_dark_picture_is_neither_compared_nor_taken_as_reference(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    c.unlit = 1;
    s.luma_mean = 15;
    s.luma_spread = 8;
    s.phash = HASH_OTHER;
    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.has_reference, 0); /* a night picture is no reference */
    assert_int_equal(m.reference_taken, 0);
    m.has_reference = 1;
    m.reference = HASH;
    assess(&c, &s, NULL, &m, T0 + MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(v.ref_distance, -1);
}

static void test_moved_against_the_reference(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(m.has_reference, 1);
    s.phash = hash_off(19);
    assess(&c, &s, NULL, &m, T0 + MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(v.ref_distance, 19);
    s.phash = hash_off(31);
    assess(&c, &s, NULL, &m, T0 + 2 * MIN10, &v);
    assert_int_equal(v.flags, Q_MOVED);
    assert_int_equal(v.ref_distance, 31);
    assert_string_equal(v.reasons,
                        "scene differs from reference: moved or covered (distance 31 bits)");
    assert_int_equal(m.reference, HASH); /* the reference stays until re-taken */
    s.phash = hash_off(20);              /* at moved_distance is moved */
    assess(&c, &s, NULL, &m, T0 + 3 * MIN10, &v);
    assert_int_equal(v.flags, Q_MOVED);
}

static void test_dark_picture_is_not_compared_with_the_reference(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&m, 0, sizeof(m));
    m.has_reference = 1;
    m.reference = HASH;
    s.phash = HASH_OTHER;
    s.luma_mean = 21;
    s.luma_spread = 12;
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, Q_DARK);
    assert_int_equal(v.ref_distance, -1);
}

static void test_reference_taken_only_from_a_clean_sample(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    memset(&m, 0, sizeof(m));
    s.fps = 6.2;
    s.phash = HASH_OTHER;
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, Q_LOW_FPS);
    assert_int_equal(m.has_reference, 0);
    assert_int_equal(m.reference_taken, 0);
    s.fps = 25;
    s.phash = HASH;
    assess(&c, &s, NULL, &m, T0 + MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.has_reference, 1);
    assert_int_equal(m.reference_taken, 1);
    assert_int_equal(m.reference, HASH);
    assert_int_equal(m.reference_at_ms, T0 + MIN10);
    s.phash = hash_off(5);
    assess(&c, &s, NULL, &m, T0 + 2 * MIN10, &v);
    assert_int_equal(m.reference_taken, 0); /* kept, not re-taken */
    assert_int_equal(m.reference, HASH);
    assert_int_equal(m.reference_at_ms, T0 + MIN10);
    assert_int_equal(v.ref_distance, 5);
}

static void test_sample_without_picture_takes_no_reference(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    (void)state;

    s.has_picture = 0;
    memset(&m, 0, sizeof(m));
    assess(&c, &s, NULL, &m, T0, &v);
    assert_int_equal(v.flags, 0);
    assert_int_equal(m.has_reference, 0);
    assert_int_equal(m.has_last, 0);
}

static void test_sdp_resolution_mismatch(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    struct sdp_video sdp = {.codec = "h264", .width = 1920, .height = 1080};
    (void)state;

    memset(&m, 0, sizeof(m));
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, Q_SDP_MISMATCH);
    assert_string_equal(v.reasons, "SDP says 1920x1080, stream is 1280x720");
    assert_int_equal(m.has_reference, 0);
    sdp.width = sdp.height = 0; /* SDP without parameter sets: nothing claimed */
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, 0);
}

static void test_sdp_rate_mismatch_beyond_a_quarter(void **state)
{
    struct cfg_class c = default_class();
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    struct sdp_video sdp = {.codec = "h264", .fps = 25};
    (void)state;

    c.min_fps = 0;
    c.frozen_after = 0; /* one picture, sampled again and again */
    memset(&m, 0, sizeof(m));
    s.fps = 6.2;
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, Q_SDP_MISMATCH);
    assert_string_equal(v.reasons, "SDP says 25 fps, stream measures 6.2");
    s.fps = 20; /* 20% off */
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, 0);
    s.fps = 18; /* 28% off */
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_string_equal(v.reasons, "SDP says 25 fps, stream measures 18.0");
    sdp.fps = 0; /* no a=framerate */
    s.fps = 6.2;
    assess(&c, &s, &sdp, &m, T0, &v);
    assert_int_equal(v.flags, 0);
}

static void test_zero_thresholds_are_not_checked(void **state)
{
    struct cfg_class c;
    struct stream_sample s = good_sample();
    struct quality_memory m;
    struct quality_verdict v;
    int i;
    (void)state;

    memset(&c, 0, sizeof(c));
    c.name = "lax";
    s.width = 160;
    s.height = 120;
    s.fps = 1;
    s.bitrate_kbps = 8;
    s.gop_s = 60;
    s.luma_mean = 2;
    s.luma_spread = 0.3;
    s.sharpness = 0;
    memset(&m, 0, sizeof(m));
    m.has_reference = 1;
    m.reference = HASH_OTHER;
    for (i = 0; i < 5; i++)
        assess(&c, &s, NULL, &m, T0 + i * MIN10, &v);
    assert_int_equal(v.flags, 0);
    assert_string_equal(v.reasons, "");
    assert_int_equal(v.ref_distance, 64); /* compared, just not judged */
}

static void test_flags_parse_reads_back_what_format_wrote(void **state)
{
    char buf[192];
    unsigned all = (1u << QUALITY_FLAG_COUNT) - 1;

    (void)state;
    assert_int_equal(quality_flags_parse(""), 0);
    assert_int_equal(quality_flags_parse("blurred,moved"), Q_BLURRED | Q_MOVED);
    assert_int_equal(quality_flags_parse("frozen,no_such_flag"), Q_FROZEN);
    assert_int_equal(quality_flags_parse(quality_flags_format(all, buf, sizeof(buf))), all);
}

static void test_flags_format(void **state)
{
    char buf[128], small[12];
    (void)state;

    assert_string_equal(quality_flags_format(0, buf, sizeof(buf)), "");
    assert_string_equal(quality_flags_format(Q_LOW_FPS | Q_DARK | Q_SDP_MISMATCH, buf, sizeof(buf)),
                        "low_fps,dark,sdp_mismatch");
    assert_string_equal(quality_flags_format(Q_NO_MEDIA, buf, sizeof(buf)), "no_media");
    assert_string_equal(quality_flags_format((1u << QUALITY_FLAG_COUNT) - 1, buf, sizeof(buf)),
                        "no_media,low_res,low_fps,low_bitrate,long_gop,ts_faults,dark,black,"
                        "overexposed,blurred,frozen,moved,sdp_mismatch");
    /* a name that does not fit is left out whole */
    assert_string_equal(quality_flags_format(Q_LOW_FPS | Q_DARK, small, sizeof(small)), "low_fps");
}

static void test_flag_names(void **state)
{
    static const char *const want[QUALITY_FLAG_COUNT] = {
        "no_media", "low_res",     "low_fps", "low_bitrate", "long_gop", "ts_faults",    "dark",
        "black",    "overexposed", "blurred", "frozen",      "moved",    "sdp_mismatch",
    };
    int i;
    (void)state;

    for (i = 0; i < QUALITY_FLAG_COUNT; i++)
        assert_string_equal(quality_flag_name((enum quality_flag)(1u << i)), want[i]);
    assert_string_equal(quality_flag_name(Q_MOVED), "moved");
}

/* ---- ONVIF facts ---- */

static struct quality_device good_device(void)
{
    struct quality_device d;

    memset(&d, 0, sizeof(d));
    d.ok = 1;
    d.has_clock = 1;
    d.offset_ms = 1200;
    d.has_encoder = 1;
    d.width = 1920;
    d.height = 1080;
    d.fps_limit = 25;
    d.bitrate_limit_kbps = 4096;
    return d;
}

static void test_device_in_order_has_no_reason(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = good_device();
    char buf[256];

    (void)state;
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

static void test_clock_beyond_the_limit_says_how_far_and_which_way(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = good_device();
    char buf[256];

    (void)state;
    d.offset_ms = 83400;
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "clock 83 s ahead");
    d.offset_ms = -3600000;
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "clock 3600 s behind");
    d.offset_ms = 5000; /* at the limit is within it */
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 0);
    d.offset_ms = 3600000; /* the check turned off */
    assert_int_equal(quality_device_reasons(&c, &d, 0, buf, sizeof(buf)), 0);
}

static void test_failed_onvif_is_a_reason_and_the_clock_still_counts(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = good_device();
    char buf[256];

    (void)state;
    d.ok = 0;
    d.offset_ms = -7000;
    strcpy(d.error, "authentication failed (GetDeviceInformation: ter:NotAuthorized)");
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 2);
    assert_string_equal(buf, "clock 7 s behind; ONVIF: authentication failed "
                             "(GetDeviceInformation: ter:NotAuthorized)");
}

static void test_configuration_below_class(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = good_device();
    char buf[256];

    (void)state;
    d.fps_limit = 4;
    d.width = 352;
    d.height = 288;
    d.bitrate_limit_kbps = 128;
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "configured 4 fps, class minimum 12; configured 352x288, class "
                             "minimum 640x360; configured 128 kbps, class minimum 256");
    d.has_encoder = 0; /* nothing known about the encoder: nothing to say */
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 0);
}

static void test_device_reason_that_does_not_fit_is_dropped_whole(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = good_device();
    char buf[24];

    (void)state;
    d.offset_ms = 83000;
    d.fps_limit = 4;
    quality_device_reasons(&c, &d, 5000, buf, sizeof(buf));
    assert_string_equal(buf, "clock 83 s ahead");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_in_order_has_no_reason),
        cmocka_unit_test(test_clock_beyond_the_limit_says_how_far_and_which_way),
        cmocka_unit_test(test_failed_onvif_is_a_reason_and_the_clock_still_counts),
        cmocka_unit_test(test_configuration_below_class),
        cmocka_unit_test(test_device_reason_that_does_not_fit_is_dropped_whole),
        cmocka_unit_test(test_normal_sample_has_no_flags),
        cmocka_unit_test(test_no_media_is_the_only_reason),
        cmocka_unit_test(test_no_media_keeps_the_frozen_run),
        cmocka_unit_test(test_low_resolution),
        cmocka_unit_test(test_low_fps),
        cmocka_unit_test(test_low_bitrate),
        cmocka_unit_test(test_long_gop),
        cmocka_unit_test(test_window_without_a_second_keyframe_bounds_the_gop),
        cmocka_unit_test(test_timestamp_faults_list_only_the_nonzero_ones),
        cmocka_unit_test(test_black_picture_is_black_only),
        cmocka_unit_test(test_dark_picture_is_dark_only),
        cmocka_unit_test(test_overexposed_picture),
        cmocka_unit_test(test_blurred_picture),
        cmocka_unit_test(test_reasons_keep_their_order),
        cmocka_unit_test(test_frozen_only_after_frozen_after_samples),
        cmocka_unit_test(test_frozen_clears_when_the_picture_changes),
        cmocka_unit_test(test_quiet_live_scene_with_the_same_picture_is_never_frozen),
        cmocka_unit_test(test_a_live_sample_ends_the_frozen_run),
        cmocka_unit_test(test_still_means_empty_inter_frames_near_zero_against_the_keyframe),
        cmocka_unit_test(test_stream_of_keyframes_only_is_never_frozen),
        cmocka_unit_test(test_frozen_run_goes_on_from_the_memory_a_restart_resumed),
        cmocka_unit_test(test_frozen_since_another_day_shows_the_date),
        cmocka_unit_test(test_dark_or_black_static_picture_is_not_called_frozen),
        cmocka_unit_test(test_unlit_class_does_not_call_darkness_a_fault),
        cmocka_unit_test(test_unlit_dark_picture_is_neither_compared_nor_taken_as_reference),
        cmocka_unit_test(test_moved_against_the_reference),
        cmocka_unit_test(test_dark_picture_is_not_compared_with_the_reference),
        cmocka_unit_test(test_reference_taken_only_from_a_clean_sample),
        cmocka_unit_test(test_sample_without_picture_takes_no_reference),
        cmocka_unit_test(test_sdp_resolution_mismatch),
        cmocka_unit_test(test_sdp_rate_mismatch_beyond_a_quarter),
        cmocka_unit_test(test_zero_thresholds_are_not_checked),
        cmocka_unit_test(test_flags_format),
        cmocka_unit_test(test_a_lone_lost_frame_is_not_a_fault),
        cmocka_unit_test(test_flags_parse_reads_back_what_format_wrote),
        cmocka_unit_test(test_flag_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
