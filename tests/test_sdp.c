/* test_sdp.c - SDP and SPS parsing against real answers (GStreamer on this
 * machine, vendors' published examples) and odd or broken ones; see
 * tests/data/sdp/SOURCES.md. Files are loaded into buffers of their exact size
 * with no NUL after them, so a read past len shows under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/sdp.h"
#include "cwtest.h"

static char *load(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "sdp/%s", name);
    return cwtest_read_data(rel, len);
}

/* Parse a data file; returns sdp_parse_video's result. */
static int parse_file(const char *name, struct sdp_video *v, struct cw_err *err)
{
    size_t len;
    char *buf = load(name, &len);
    int rc;

    memset(err, 0, sizeof(*err));
    rc = sdp_parse_video(buf, len, v, err);
    free(buf);
    return rc;
}

/* Parse a C string without its NUL. */
static int parse_text(const char *text, struct sdp_video *v, struct cw_err *err)
{
    size_t len = strlen(text);
    char *buf = malloc(len ? len : 1);
    int rc;

    memcpy(buf, text, len);
    memset(err, 0, sizeof(*err));
    rc = sdp_parse_video(buf, len, v, err);
    free(buf);
    return rc;
}

static void expect_video(const char *name, const char *codec, int pt, int w, int h, double fps)
{
    struct sdp_video v;
    struct cw_err err;

    if (parse_file(name, &v, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    assert_string_equal(v.codec, codec);
    assert_int_equal(v.payload_type, pt);
    assert_int_equal(v.width, w);
    assert_int_equal(v.height, h);
    assert_float_equal(v.fps, fps, 0.001);
    assert_string_equal(v.problem, "");
}

static void expect_error(const char *name, const char *msg)
{
    struct sdp_video v;
    struct cw_err err;

    assert_int_equal(parse_file(name, &v, &err), -1);
    assert_string_equal(err.msg, msg);
    assert_int_equal(v.width, 0);
    assert_int_equal(v.height, 0);
}

/* ---- real SDPs ---- */

static void test_gstreamer_h264_gives_640x360_at_25(void **state)
{
    (void)state;
    expect_video("gst-h264-640x360.sdp", "h264", 96, 640, 360, 25);
}

static void test_gstreamer_h264_1080p_is_cropped_from_1088(void **state)
{
    (void)state;
    expect_video("gst-h264-baseline-1920x1080.sdp", "h264", 96, 1920, 1080, 25);
    expect_video("gst-h264-high-1920x1080.sdp", "h264", 96, 1920, 1080, 25);
}

static void test_gstreamer_h264_high444_crops_in_luma_units(void **state)
{
    (void)state;
    expect_video("gst-h264-high444-642x362.sdp", "h264", 96, 642, 362, 29.97);
}

static void test_gstreamer_h265_gives_size_from_sprop_sps(void **state)
{
    (void)state;
    expect_video("gst-h265-1280x720.sdp", "h265", 96, 1280, 720, 25);
    expect_video("gst-h265-1920x1080.sdp", "h265", 96, 1920, 1080, 25);
}

static void test_gstreamer_h265_with_sub_layers(void **state)
{
    (void)state;
    expect_video("gst-h265-sublayers-1920x1080.sdp", "h265", 96, 1920, 1080, 25);
}

static void test_gstreamer_mjpeg_has_codec_but_no_size(void **state)
{
    (void)state;
    expect_video("gst-mjpeg.sdp", "mjpeg", 26, 0, 0, 10);
}

static void test_axis_documented_example_is_640x480_at_30(void **state)
{
    (void)state;
    expect_video("axis-vapix-h264-640x480.sdp", "h264", 96, 640, 480, 30);
    expect_video("axis-h264-1280x800.sdp", "h264", 96, 1280, 800, 30);
}

static void test_dahua_high_profile_1080p_cropped(void **state)
{
    (void)state;
    expect_video("dahua-h264-1920x1080-cropped.sdp", "h264", 96, 1920, 1080, 15);
}

static void test_hikvision_without_sprop_has_codec_and_no_size(void **state)
{
    (void)state;
    expect_video("hikvision-h264-no-sprop.sdp", "h264", 96, 0, 0, 0);
}

static void test_tplink_h265_escaped_profile_tier_level(void **state)
{
    (void)state;
    /* Its SPS has four 00 00 03 sequences inside profile_tier_level. */
    expect_video("tplink-h265-1920x1080.sdp", "h265", 96, 1920, 1080, 0);
}

static void test_other_vendors(void **state)
{
    (void)state;
    expect_video("hiipcam-h264-704x576.sdp", "h264", 96, 704, 576, 0);
    expect_video("h3c-h264-2560x1440.sdp", "h264", 105, 2560, 1440, 0);
    expect_video("rfc6184-h264-176x144.sdp", "h264", 98, 176, 144, 0);
}

static void test_mjpeg_size_from_x_dimensions_or_cliprect(void **state)
{
    (void)state;
    expect_video("live555-mjpeg-x-dimensions.sdp", "mjpeg", 26, 1280, 960, 0);
    expect_video("mjpeg-cliprect.sdp", "mjpeg", 26, 704, 576, 6);
}

static void test_audio_first_case_spaces_and_session_framerate(void **state)
{
    (void)state;
    expect_video("odd-audio-first-session-framerate.sdp", "h264", 97, 640, 480, 12.5);
}

/* ---- broken SDPs ---- */

static void test_no_video_is_an_error(void **state)
{
    (void)state;
    expect_error("no-video.sdp", "no video stream");
}

/* Broken parameter sets: the SDP is still usable (codec, rate), its size unknown, and the
 * problem named, since the stream may carry its own sets in-band. */
static void expect_problem(const char *name, const char *problem)
{
    struct sdp_video v;
    struct cw_err err;

    if (parse_file(name, &v, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    assert_string_equal(v.codec, "h264");
    assert_int_equal(v.width, 0);
    assert_int_equal(v.height, 0);
    assert_string_equal(v.problem, problem);
}

static void test_bad_base64_is_a_problem_not_an_error(void **state)
{
    (void)state;
    expect_problem("bad-base64.sdp", "sprop-parameter-sets: bad base64");
}

static void test_truncated_sps_is_a_problem_not_an_error(void **state)
{
    (void)state;
    expect_problem("truncated-sps.sdp", "SPS: truncated");
}

/* Issue 10: a scaling list's delta_scale near 2^31 overflowed `last + delta + 256` (an abort
 * under UBSan, undefined behaviour in the release build, which read on and gave a size). Such
 * an SPS is refused: delta_scale lies in -128..127. */
static void test_scaling_list_delta_out_of_range_is_invalid_sps(void **state)
{
    /* 640x360 High profile, with a scaling matrix whose first list starts with delta_scale
     * 2^31 - 1 and continues with zeros; the rest of the SPS is well formed. */
    static const uint8_t over[] = {0x67, 0x64, 0x00, 0x1e, 0xad, 0x80, 0x00, 0x00,
                                   0x03, 0x00, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xfe,
                                   0x03, 0xa0, 0x28, 0x0b, 0xfe, 0x54};
    struct sdp_video v;
    struct cw_err err;
    int w = 0, h = 0;

    (void)state;
    assert_int_equal(sdp_h264_sps_size(over, sizeof(over), &w, &h), -1);
    /* The SDP the issue found it in: its SPS ends inside that delta (a problem with the
     * parameter sets, noted; the answer is still usable). */
    assert_int_equal(parse_text("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                                "a=fmtp:96 packetization-mode=1;sprop-parameter-sets="
                                "h3bS//8AAAAB////,aM48gA==\r\n",
                                &v, &err),
                     0);
    assert_string_equal(v.problem, "SPS: truncated");
    assert_int_equal(v.width, 0);
}

static void test_empty_input_is_no_video(void **state)
{
    struct sdp_video v;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text("", &v, &err), -1);
    assert_string_equal(err.msg, "no video stream");
    assert_int_equal(sdp_parse_video(NULL, 0, &v, NULL), -1);
}

static void test_every_prefix_parses_without_reading_past_len(void **state)
{
    const char *files[] = {"gst-h264-640x360.sdp", "gst-h265-1920x1080.sdp",
                           "dahua-h264-1920x1080-cropped.sdp", "mjpeg-cliprect.sdp"};
    (void)state;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        size_t len;
        char *full = load(files[f], &len);
        for (size_t n = 0; n <= len; n++) {
            char *buf = malloc(n ? n : 1);
            struct sdp_video v;
            struct cw_err err = {0};
            int rc;
            memcpy(buf, full, n);
            rc = sdp_parse_video(buf, n, &v, &err);
            if (rc == 0)
                assert_true(v.codec[0] != '\0');
            else
                assert_true(rc == -1 && err.msg[0] != '\0');
            free(buf);
        }
        free(full);
    }
}

static void test_crlf_and_lf_give_the_same_answer(void **state)
{
    const char *lf = "v=0\ns=x\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n"
                     "a=fmtp:96 sprop-parameter-sets=Z0IACpZTBYmI,aMljiA==\na=framerate:25\n";
    const char *crlf = "v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                       "a=fmtp:96 sprop-parameter-sets=Z0IACpZTBYmI,aMljiA==\r\na=framerate:25";
    struct sdp_video a, b;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text(lf, &a, &err), 0);
    assert_int_equal(parse_text(crlf, &b, &err), 0);
    assert_int_equal(a.width, 176);
    assert_int_equal(b.width, 176);
    assert_int_equal(a.height, b.height);
    assert_float_equal(a.fps, 25, 0.001);
    assert_float_equal(b.fps, 25, 0.001);
}

static void test_media_framerate_wins_over_session(void **state)
{
    struct sdp_video v;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text("v=0\na=framerate:12.5\nm=video 0 RTP/AVP 96\n"
                                "a=rtpmap:96 H264/90000\na=framerate:30\n",
                                &v, &err),
                     0);
    assert_float_equal(v.fps, 30, 0.001);
    assert_int_equal(parse_text("v=0\na=framerate:12.5\nm=video 0 RTP/AVP 96\n"
                                "a=rtpmap:96 H264/90000\n",
                                &v, &err),
                     0);
    assert_float_equal(v.fps, 12.5, 0.001);
}

static void test_second_video_section_is_ignored(void **state)
{
    struct sdp_video v;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\n"
                                "m=video 0 RTP/AVP 97\na=rtpmap:97 H264/90000\n"
                                "a=fmtp:97 sprop-parameter-sets=!!!\n",
                                &v, &err),
                     0);
    assert_string_equal(v.codec, "h265");
    assert_int_equal(v.payload_type, 96);
}

static void test_unknown_codec_name_is_lower_cased(void **state)
{
    struct sdp_video v;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text("m=video 0 RTP/AVP 97\na=rtpmap:97 MP4V-ES/90000\n", &v, &err), 0);
    assert_string_equal(v.codec, "mp4v-es");
    assert_int_equal(parse_text("m=video 0 RTP/AVP 96\na=rtpmap:96 HEVC/90000\n", &v, &err), 0);
    assert_string_equal(v.codec, "h265");
    assert_int_equal(parse_text("m=video 0 RTP/AVP 96\n", &v, &err), 0);
    assert_string_equal(v.codec, "unknown");
}

static void test_bad_h265_base64_names_sprop_sps(void **state)
{
    struct sdp_video v;
    struct cw_err err;

    (void)state;
    assert_int_equal(parse_text("m=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\n"
                                "a=fmtp:96 sprop-vps=QAEMAf//;sprop-sps=Q#gEB\n",
                                &v, &err),
                     0);
    assert_string_equal(v.codec, "h265");
    assert_string_equal(v.problem, "sprop-sps: bad base64");
}

/* ---- SPS parsers on hand-built parameter sets ---- */

struct bitwriter {
    uint8_t rbsp[128];
    size_t bits;
};

static void put(struct bitwriter *w, uint32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if ((v >> i) & 1)
            w->rbsp[w->bits / 8] |= (uint8_t)(0x80 >> (w->bits % 8));
        w->bits++;
    }
    assert_true(w->bits < sizeof(w->rbsp) * 8);
}

static void put_ue(struct bitwriter *w, uint32_t v)
{
    uint64_t x = (uint64_t)v + 1;
    int n = 0;

    while ((x >> (n + 1)) != 0)
        n++;
    put(w, 0, n);
    put(w, (uint32_t)x, n + 1);
}

static void put_se(struct bitwriter *w, int32_t v)
{
    put_ue(w, v > 0 ? (uint32_t)(2 * v - 1) : (uint32_t)(-2 * v));
}

/* Stop bit, then the NAL unit with emulation prevention bytes inserted; returns its length. */
static size_t finish(struct bitwriter *w, uint8_t *nal, size_t *escapes)
{
    size_t n = 0, zeros = 0, bytes;

    put(w, 1, 1);
    bytes = (w->bits + 7) / 8;
    *escapes = 0;
    for (size_t i = 0; i < bytes; i++) {
        if (zeros >= 2 && w->rbsp[i] <= 3) {
            nal[n++] = 3;
            zeros = 0;
            (*escapes)++;
        }
        nal[n++] = w->rbsp[i];
        zeros = w->rbsp[i] == 0 ? zeros + 1 : 0;
    }
    return n;
}

static void test_h264_interlaced_monochrome_with_scaling_lists_and_poc1(void **state)
{
    struct bitwriter w = {0};
    uint8_t nal[160];
    size_t len, esc;
    int width = 0, height = 0;

    (void)state;
    put(&w, 0x67, 8);
    put(&w, 100, 8); /* High */
    put(&w, 0, 8);
    put(&w, 40, 8);
    put_ue(&w, 0); /* sps id */
    put_ue(&w, 0); /* chroma_format_idc 0: monochrome */
    put_ue(&w, 0);
    put_ue(&w, 0);
    put(&w, 0, 1);
    put(&w, 1, 1); /* seq_scaling_matrix_present_flag */
    for (int i = 0; i < 8; i++) {
        put(&w, i == 0 || i == 6, 1);
        if (i == 0) { /* 4x4 list: a few deltas then 0 ends it (nextScale 0) */
            put_se(&w, 5);
            put_se(&w, -3);
            put_se(&w, -10);
        } else if (i == 6) { /* 8x8 list: all 64 deltas */
            for (int j = 0; j < 64; j++)
                put_se(&w, j % 2 ? 1 : -1);
        }
    }
    put_ue(&w, 0); /* log2_max_frame_num_minus4 */
    put_ue(&w, 1); /* pic_order_cnt_type 1 */
    put(&w, 0, 1);
    put_se(&w, -2);
    put_se(&w, 3);
    put_ue(&w, 3);
    put_se(&w, 1);
    put_se(&w, -1);
    put_se(&w, 7);
    put_ue(&w, 4);   /* max_num_ref_frames */
    put(&w, 0, 1);   /* gaps */
    put_ue(&w, 119); /* 1920 */
    put_ue(&w, 33);  /* 34 map units, field pairs: 1088 */
    put(&w, 0, 1);   /* frame_mbs_only_flag 0 */
    put(&w, 1, 1);   /* mb_adaptive_frame_field_flag */
    put(&w, 1, 1);
    put(&w, 1, 1); /* cropping */
    put_ue(&w, 0);
    put_ue(&w, 0);
    put_ue(&w, 0);
    put_ue(&w, 4); /* CropUnitY = 2 for monochrome field coding: 1088 - 8 */
    put(&w, 0, 1); /* vui */
    len = finish(&w, nal, &esc);
    assert_int_equal(sdp_h264_sps_size(nal, len, &width, &height), 0);
    assert_int_equal(width, 1920);
    assert_int_equal(height, 1080);
}

static void test_h264_422_crop_units_and_poc2(void **state)
{
    struct bitwriter w = {0};
    uint8_t nal[160];
    size_t len, esc;
    int width = 0, height = 0;

    (void)state;
    put(&w, 0x67, 8);
    put(&w, 122, 8); /* High 4:2:2 */
    put(&w, 0, 16);
    put_ue(&w, 0);
    put_ue(&w, 2); /* 4:2:2: SubWidthC 2, SubHeightC 1 */
    put_ue(&w, 2);
    put_ue(&w, 2);
    put(&w, 0, 1);
    put(&w, 0, 1);
    put_ue(&w, 0);
    put_ue(&w, 2); /* pic_order_cnt_type 2 */
    put_ue(&w, 1);
    put(&w, 0, 1);
    put_ue(&w, 79); /* 1280 */
    put_ue(&w, 44); /* 720 */
    put(&w, 1, 1);  /* frame_mbs_only */
    put(&w, 1, 1);
    put(&w, 1, 1);
    put_ue(&w, 1); /* left 2 px */
    put_ue(&w, 1); /* right 2 px */
    put_ue(&w, 2); /* top 2 px */
    put_ue(&w, 0);
    put(&w, 0, 1);
    len = finish(&w, nal, &esc);
    assert_int_equal(sdp_h264_sps_size(nal, len, &width, &height), 0);
    assert_int_equal(width, 1276);
    assert_int_equal(height, 718);
}

static void test_h264_separate_colour_planes_crop_in_luma_samples(void **state)
{
    struct bitwriter w = {0};
    uint8_t nal[160];
    size_t len, esc;
    int width = 0, height = 0;

    (void)state;
    put(&w, 0x67, 8);
    put(&w, 244, 8); /* High 4:4:4 Predictive */
    put(&w, 0, 16);
    put_ue(&w, 0);
    put_ue(&w, 3);
    put(&w, 1, 1); /* separate_colour_plane_flag: ChromaArrayType 0 */
    put_ue(&w, 0);
    put_ue(&w, 0);
    put(&w, 0, 1);
    put(&w, 1, 1); /* scaling matrix: 12 lists for 4:4:4, all absent */
    put(&w, 0, 12);
    put_ue(&w, 0);
    put_ue(&w, 0); /* poc type 0 */
    put_ue(&w, 2);
    put_ue(&w, 1);
    put(&w, 0, 1);
    put_ue(&w, 39);
    put_ue(&w, 29);
    put(&w, 1, 1);
    put(&w, 1, 1);
    put(&w, 1, 1);
    put_ue(&w, 0);
    put_ue(&w, 3); /* 3 luma columns */
    put_ue(&w, 0);
    put_ue(&w, 1);
    put(&w, 0, 1);
    len = finish(&w, nal, &esc);
    assert_int_equal(sdp_h264_sps_size(nal, len, &width, &height), 0);
    assert_int_equal(width, 637);
    assert_int_equal(height, 479);
}

static void test_h264_emulation_prevention_bytes_are_skipped(void **state)
{
    struct bitwriter w = {0};
    uint8_t nal[160];
    size_t len, esc;
    int width = 0, height = 0;

    (void)state;
    /* profile 0, no constraint flags, level 1: 00 00 01 must be sent as 00 00 03 01. */
    put(&w, 0x67, 8);
    put(&w, 0, 8);
    put(&w, 0, 8);
    put(&w, 1, 8);
    put_ue(&w, 0);
    put_ue(&w, 0);
    put_ue(&w, 2);
    put_ue(&w, 1);
    put(&w, 0, 1);
    put_ue(&w, 21); /* 352 */
    put_ue(&w, 17); /* 288 */
    put(&w, 1, 1);
    put(&w, 1, 1);
    put(&w, 0, 1);
    put(&w, 0, 1);
    len = finish(&w, nal, &esc);
    assert_true(esc >= 1);
    assert_int_equal(sdp_h264_sps_size(nal, len, &width, &height), 0);
    assert_int_equal(width, 352);
    assert_int_equal(height, 288);
}

static void test_h265_sub_layer_profiles_and_422_conformance_window(void **state)
{
    struct bitwriter w = {0};
    uint8_t nal[160];
    size_t len, esc;
    int width = 0, height = 0;

    (void)state;
    put(&w, 33 << 1, 8); /* nal_unit_type 33 */
    put(&w, 1, 8);       /* temporal id plus1 */
    put(&w, 0, 4);       /* vps id */
    put(&w, 2, 3);       /* sps_max_sub_layers_minus1 = 2 */
    put(&w, 1, 1);
    put(&w, 0, 3); /* general profile space, tier */
    put(&w, 4, 5); /* RExt */
    put(&w, 0x08000000, 32);
    put(&w, 0x9, 4);
    put(&w, 0, 32); /* 43 + 1 reserved bits */
    put(&w, 0, 12);
    put(&w, 120, 8);   /* level 4 */
    put(&w, 1, 1);     /* sub layer 0: profile present */
    put(&w, 1, 1);     /*              level present */
    put(&w, 0, 1);     /* sub layer 1: no profile */
    put(&w, 1, 1);     /*              level present */
    put(&w, 0, 2 * 6); /* reserved_zero_2bits for i = 2..7 */
    put(&w, 0x5, 8);   /* sub layer 0 profile: 88 bits */
    put(&w, 0, 32);
    put(&w, 0, 32);
    put(&w, 0, 16);
    put(&w, 90, 8); /* sub layer 0 level */
    put(&w, 93, 8); /* sub layer 1 level */
    put_ue(&w, 0);  /* sps id */
    put_ue(&w, 2);  /* 4:2:2 */
    put_ue(&w, 1280);
    put_ue(&w, 720);
    put(&w, 1, 1); /* conformance window */
    put_ue(&w, 1); /* 2 px */
    put_ue(&w, 1); /* 2 px */
    put_ue(&w, 0);
    put_ue(&w, 4); /* SubHeightC 1: 4 px */
    len = finish(&w, nal, &esc);
    assert_int_equal(sdp_h265_sps_size(nal, len, &width, &height), 0);
    assert_int_equal(width, 1276);
    assert_int_equal(height, 716);
}

static void test_sps_parsers_refuse_short_or_wrong_nal_units(void **state)
{
    static const uint8_t h264[] = {0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x2f,
                                   0xf9, 0x70, 0x16, 0xa0, 0xc0, 0xc0, 0xd4, 0xa0};
    static const uint8_t pps[] = {0x68, 0xcb, 0x8c, 0xb2};
    int w = 0, h = 0;

    (void)state;
    assert_int_equal(sdp_h264_sps_size(h264, sizeof(h264), &w, &h), 0);
    assert_int_equal(w, 640);
    assert_int_equal(h, 360);
    for (size_t n = 0; n < 9; n++)
        assert_int_equal(sdp_h264_sps_size(h264, n, &w, &h), -1);
    assert_int_equal(sdp_h264_sps_size(pps, sizeof(pps), &w, &h), -1);
    assert_int_equal(sdp_h265_sps_size(h264, sizeof(h264), &w, &h), -1);
    assert_int_equal(sdp_h265_sps_size(h264, 0, &w, &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gstreamer_h264_gives_640x360_at_25),
        cmocka_unit_test(test_gstreamer_h264_1080p_is_cropped_from_1088),
        cmocka_unit_test(test_gstreamer_h264_high444_crops_in_luma_units),
        cmocka_unit_test(test_gstreamer_h265_gives_size_from_sprop_sps),
        cmocka_unit_test(test_gstreamer_h265_with_sub_layers),
        cmocka_unit_test(test_gstreamer_mjpeg_has_codec_but_no_size),
        cmocka_unit_test(test_axis_documented_example_is_640x480_at_30),
        cmocka_unit_test(test_dahua_high_profile_1080p_cropped),
        cmocka_unit_test(test_hikvision_without_sprop_has_codec_and_no_size),
        cmocka_unit_test(test_tplink_h265_escaped_profile_tier_level),
        cmocka_unit_test(test_other_vendors),
        cmocka_unit_test(test_mjpeg_size_from_x_dimensions_or_cliprect),
        cmocka_unit_test(test_audio_first_case_spaces_and_session_framerate),
        cmocka_unit_test(test_no_video_is_an_error),
        cmocka_unit_test(test_bad_base64_is_a_problem_not_an_error),
        cmocka_unit_test(test_truncated_sps_is_a_problem_not_an_error),
        cmocka_unit_test(test_scaling_list_delta_out_of_range_is_invalid_sps),
        cmocka_unit_test(test_empty_input_is_no_video),
        cmocka_unit_test(test_every_prefix_parses_without_reading_past_len),
        cmocka_unit_test(test_crlf_and_lf_give_the_same_answer),
        cmocka_unit_test(test_media_framerate_wins_over_session),
        cmocka_unit_test(test_second_video_section_is_ignored),
        cmocka_unit_test(test_unknown_codec_name_is_lower_cased),
        cmocka_unit_test(test_bad_h265_base64_names_sprop_sps),
        cmocka_unit_test(test_h264_interlaced_monochrome_with_scaling_lists_and_poc1),
        cmocka_unit_test(test_h264_422_crop_units_and_poc2),
        cmocka_unit_test(test_h264_separate_colour_planes_crop_in_luma_samples),
        cmocka_unit_test(test_h264_emulation_prevention_bytes_are_skipped),
        cmocka_unit_test(test_h265_sub_layer_profiles_and_422_conformance_window),
        cmocka_unit_test(test_sps_parsers_refuse_short_or_wrong_nal_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
