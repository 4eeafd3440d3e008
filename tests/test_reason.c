/* test_reason.c - a state's reason read back into kinds (index/reason.c), with the reasons made
 * by their producers themselves: each stream fault by quality_assess, each ONVIF fault by
 * quality_device_reasons, each RTSP failure by health's DOWN transition; so a producer that
 * changes its words breaks this test, not the reports' figures silently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../daemon/health.h"
#include "../daemon/quality.h"
#include "../index/reason.h"
#include "../probes/rtsp.h"
#include "quality_sample.h"

#define TZ "Asia/Ho_Chi_Minh"
#define T0 (1795617600LL * 1000)
#define MIN10 (10LL * 60 * 1000)

/* The kind bit of the reason kind named name. */
static unsigned kind_bit(const char *name)
{
    for (int k = 0; k < REASON_KIND_COUNT; k++)
        if (strcmp(reason_kind_name((enum reason_kind)k), name) == 0)
            return 1u << k;
    fail_msg("no reason kind '%s'", name);
    return 0;
}

/* quality's verdict v has exactly flag f, and its reasons read back as the kind of f's name. */
static void expect_flag_kind(const struct quality_verdict *v, enum quality_flag f)
{
    assert_int_equal(v->flags, f);
    assert_int_equal(reason_kinds(v->reasons), kind_bit(quality_flag_name(f)));
}

static void test_every_stream_fault_reads_back_as_its_flags_kind(void **state)
{
    struct cfg_class c = default_class();
    struct sdp_video sdp = {.codec = "h264", .width = 1920, .height = 1080};
    struct quality_memory m;
    struct quality_verdict v;
    static const enum quality_flag cases[] = {Q_NO_MEDIA,    Q_LOW_RES,   Q_LOW_FPS, Q_LOW_BITRATE,
                                              Q_LONG_GOP,    Q_TS_FAULTS, Q_DARK,    Q_BLACK,
                                              Q_OVEREXPOSED, Q_BLURRED};
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct stream_sample s = good_sample();
        switch (cases[i]) {
        case Q_NO_MEDIA:
            s.ok = 0;
            s.has_picture = 0;
            strcpy(s.error, "no media within 10000 ms");
            break;
        case Q_LOW_RES:
            s.width = 352, s.height = 288;
            break;
        case Q_LOW_FPS:
            s.fps = 4;
            break;
        case Q_LOW_BITRATE:
            s.bitrate_kbps = 90;
            break;
        case Q_LONG_GOP:
            s.gop_s = 8, s.gop_frames = 200;
            break;
        case Q_TS_FAULTS:
            s.ts_jumps = 3;
            break;
        case Q_DARK:
            s.luma_mean = 20;
            break;
        case Q_BLACK:
            s.luma_mean = 5, s.luma_spread = 1;
            break;
        case Q_OVEREXPOSED:
            s.luma_mean = 240;
            break;
        default:
            s.sharpness = 10;
            break;
        }
        memset(&m, 0, sizeof(m));
        quality_assess(&c, &s, NULL, &m, T0, TZ, &v);
        expect_flag_kind(&v, cases[i]);
    }
    /* frozen: the same lit picture, with empty frames between keyframes, in frozen_after samples */
    memset(&m, 0, sizeof(m));
    for (int i = 0; i < 3; i++) {
        struct stream_sample s = still_sample();
        quality_assess(&c, &s, NULL, &m, T0 + i * MIN10, TZ, &v);
    }
    expect_flag_kind(&v, Q_FROZEN);
    /* moved: far from the reference the first clean sample left */
    memset(&m, 0, sizeof(m));
    {
        struct stream_sample s = good_sample();
        quality_assess(&c, &s, NULL, &m, T0, TZ, &v);
        s.phash = ~HASH;
        quality_assess(&c, &s, NULL, &m, T0 + MIN10, TZ, &v);
        expect_flag_kind(&v, Q_MOVED);
        /* the SDP claims another size than the stream's */
        memset(&m, 0, sizeof(m));
        s.phash = HASH;
        quality_assess(&c, &s, &sdp, &m, T0, TZ, &v);
        expect_flag_kind(&v, Q_SDP_MISMATCH);
    }
}

static void test_onvif_faults_read_back_as_their_kinds(void **state)
{
    struct cfg_class c = default_class();
    struct quality_device d = {.ok = 1, .has_clock = 1, .offset_ms = 83000};
    char buf[512];
    (void)state;

    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 1);
    assert_int_equal(reason_kinds(buf), kind_bit("clock"));
    d = (struct quality_device){.ok = 1,
                                .has_encoder = 1,
                                .width = 352,
                                .height = 288,
                                .fps_limit = 4,
                                .bitrate_limit_kbps = 128};
    assert_int_equal(quality_device_reasons(&c, &d, 5000, buf, sizeof(buf)), 3);
    assert_int_equal(reason_kinds(buf), kind_bit("encoder_config"));
    d = (struct quality_device){.ok = 0};
    strcpy(d.error, "authentication failed (GetProfiles: ter:NotAuthorized)");
    quality_device_reasons(&c, &d, 5000, buf, sizeof(buf));
    assert_int_equal(reason_kinds(buf), kind_bit("onvif_auth"));
    strcpy(d.error, "timeout (GetDeviceInformation after 5000 ms)");
    quality_device_reasons(&c, &d, 5000, buf, sizeof(buf));
    assert_int_equal(reason_kinds(buf), kind_bit("onvif"));
}

/* The DOWN reason health writes after down_after failures of one outcome. */
static void down_reason(enum rtsp_outcome o, const char *detail, char *out, size_t len)
{
    struct health h;
    struct health_params p = {3, 2};
    struct health_transition t = {0};
    char why[256];

    snprintf(why, sizeof(why), "%s%s%s%s", rtsp_outcome_reason(o), detail[0] ? " (" : "", detail,
             detail[0] ? ")" : "");
    health_init(&h, CW_UP, T0, "");
    for (int i = 0; i < 3; i++)
        health_record_probe(&h, &p, HEALTH_FAIL, why, T0 + i * 1000, &t);
    assert_int_equal(t.to, CW_DOWN);
    snprintf(out, len, "%s", t.reason);
    health_free(&h);
}

static void test_every_rtsp_failure_reads_back_as_its_kind(void **state)
{
    static const struct {
        enum rtsp_outcome o;
        const char *kind;
    } cases[] = {
        {RTSP_TIMEOUT, "timeout"},         {RTSP_REFUSED, "refused"},
        {RTSP_UNREACHABLE, "unreachable"}, {RTSP_AUTH, "auth"},
        {RTSP_NOT_FOUND, "not_found"},     {RTSP_SERVER_ERROR, "protocol"},
        {RTSP_BAD_STATUS, "protocol"},     {RTSP_NOT_RTSP, "protocol"},
        {RTSP_TOO_LARGE, "protocol"},      {RTSP_TRUNCATED, "protocol"},
        {RTSP_BAD_SDP, "protocol"},        {RTSP_ERROR, "protocol"},
    };
    char r[256];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        down_reason(cases[i].o, i % 2 ? "after 5000 ms" : "", r, sizeof(r));
        if (reason_kinds(r) != kind_bit(cases[i].kind))
            fail_msg("'%s' read as %#x, not %s", r, reason_kinds(r), cases[i].kind);
    }
}

static void test_joined_reasons_give_every_kind(void **state)
{
    (void)state;
    /* verdict.c joins the slow answer, the sample's and the device's reasons with "; " */
    assert_int_equal(reason_kinds("slow answer: 2500 ms (limit 2000 ms); picture blurred "
                                  "(sharpness 14, class minimum 60); clock 83 s ahead"),
                     kind_bit("slow") | kind_bit("blurred") | kind_bit("clock"));
}

static void test_reasons_that_name_no_fault(void **state)
{
    (void)state;
    assert_int_equal(reason_kinds(""), 0);
    assert_int_equal(reason_kinds(NULL), 0);
    assert_int_equal(reason_kinds("recovered after 2 successes"), 0);
    assert_int_equal(reason_kinds("maintenance: thay nguồn"), 0);
    assert_int_equal(reason_kinds("maintenance ended"), 0);
    assert_int_equal(reason_kinds("something new"), kind_bit("other"));
}

static void test_kind_names_are_unique_and_bounded(void **state)
{
    (void)state;
    assert_true(REASON_KIND_COUNT <= 32); /* bits of an unsigned */
    for (int a = 0; a < REASON_KIND_COUNT; a++) {
        assert_non_null(reason_kind_name((enum reason_kind)a));
        for (int b = a + 1; b < REASON_KIND_COUNT; b++)
            assert_string_not_equal(reason_kind_name((enum reason_kind)a),
                                    reason_kind_name((enum reason_kind)b));
    }
    assert_null(reason_kind_name(REASON_KIND_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_stream_fault_reads_back_as_its_flags_kind),
        cmocka_unit_test(test_onvif_faults_read_back_as_their_kinds),
        cmocka_unit_test(test_every_rtsp_failure_reads_back_as_its_kind),
        cmocka_unit_test(test_joined_reasons_give_every_kind),
        cmocka_unit_test(test_reasons_that_name_no_fault),
        cmocka_unit_test(test_kind_names_are_unique_and_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
