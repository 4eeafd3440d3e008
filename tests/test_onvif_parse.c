/* test_onvif_parse.c - the readers of ONVIF answers (onvif_parse.h): each on five vendors'
 * styles (tests/data/onvif/SOURCES.md), values cut and made safe, answers outside their
 * namespace or replaced by a fault, service names, and the clock offset arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/onvif_parse.h"
#include "onvif_testdoc.h"

#define HOUR_MS 3600000LL

/* ---- clock offset ---- */

/* Our clock at send; the device's true clock is ours + true_offset; it answers at sent +
 * at_ms (within the round trip) and truncates to whole seconds. */
static void exchange(int64_t sent, int64_t rtt, int64_t at_ms, int64_t true_offset, int64_t *offset,
                     int64_t *error)
{
    int64_t device_true = sent + at_ms + true_offset;
    int64_t device_said = device_true - (device_true % 1000 + 1000) % 1000;

    onvif_clock_offset(sent, sent + rtt, device_said, offset, error);
}

static void test_offset_device_an_hour_ahead(void **state)
{
    int64_t sent = 1700000000000LL, offset, error;

    (void)state;
    /* 200 ms round trip, answered in the middle, device clock at .100 of its second. */
    exchange(sent, 200, 100, HOUR_MS, &offset, &error);
    assert_int_equal(offset, HOUR_MS + 400); /* 100 ms truncated, +500 centring */
    assert_int_equal(error, 600);            /* half the round trip + half a second */
    assert_true(llabs(offset - HOUR_MS) <= error);
}

static void test_offset_device_an_hour_behind(void **state)
{
    int64_t sent = 1700000000000LL, offset, error;

    (void)state;
    exchange(sent, 200, 100, -HOUR_MS, &offset, &error);
    assert_int_equal(offset, -HOUR_MS + 400);
    assert_int_equal(error, 600);
    assert_true(offset < 0);
}

/* Wherever in the round trip the device answered and wherever in its second it truncated,
 * the true offset lies within the bound; the bound is no looser than needed. */
static void test_offset_bound_holds_for_every_answer_time(void **state)
{
    static const int64_t offsets[] = {-HOUR_MS, -83000, -1, 0, 1, 499, 83000, HOUR_MS + 999};
    static const int64_t rtts[] = {0, 1, 7, 200, 2999};

    (void)state;
    for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
        for (size_t r = 0; r < sizeof(rtts) / sizeof(rtts[0]); r++)
            for (int64_t phase = 0; phase < 1000; phase += 37)
                for (int64_t at = 0; at <= rtts[r]; at += rtts[r] / 4 + 1) {
                    int64_t offset, error;
                    exchange(1700000000000LL + phase, rtts[r], at, offsets[o], &offset, &error);
                    assert_int_equal(error, (rtts[r] + 1) / 2 + 500);
                    if (llabs(offset - offsets[o]) > error)
                        fail_msg("offset %lld rtt %lld at %lld: got %lld +- %lld",
                                 (long long)offsets[o], (long long)rtts[r], (long long)at,
                                 (long long)offset, (long long)error);
                }
}

/* A clock step backwards during the exchange: the round trip counts as zero. */
static void test_offset_negative_round_trip_is_taken_as_zero(void **state)
{
    int64_t offset, error;

    (void)state;
    onvif_clock_offset(10000, 9000, 20000, &offset, &error);
    assert_int_equal(error, 500);
    assert_int_equal(offset, 10500);
}

/* ---- GetSystemDateAndTime ---- */

static void clock_case(const char *file, int64_t utc_ms, int ntp, const char *tz)
{
    struct onvif_doc *d = parse_file(file);
    struct onvif_clock c;
    struct cw_err err = {0};

    if (onvif_parse_clock(d, &c, &err) != 0)
        fail_msg("%s: %s", file, err.msg);
    assert_int_equal(c.device_utc_ms, utc_ms);
    assert_int_equal(c.ntp, ntp);
    assert_string_equal(c.tz, tz);
    onvif_doc_free(d);
}

/* Expected epoch values from python3 calendar.timegm. */
static void test_clock_reads_five_vendor_styles(void **state)
{
    (void)state;
    clock_case("hik_system_date_and_time.xml", 1710058542000LL, 1, "CST-8:00:00");
    clock_case("axis_system_date_and_time.xml", 1720554546000LL, 0, "BRT3");
    clock_case("dotnet_system_date_and_time.xml", 1704067199000LL, 1, "GMT+07");
    clock_case("ns_system_date_and_time.xml", 1709208000000LL, 1, ""); /* 29 Feb, no TZ */
    clock_case("soap11_system_date_and_time.xml", 1546300800000LL, 0, "GMT-07:00");
    clock_case("quirk_tt_in_wsdl_ns_system_date_and_time.xml", 1751326205000LL, 1, "UTC0");
}

static void clock_refused(const char *text_or_file, bool is_file, const char *want)
{
    struct onvif_doc *d = is_file ? parse_file(text_or_file) : parse_text(text_or_file);
    struct onvif_clock c;
    struct cw_err err = {0};

    assert_int_equal(onvif_parse_clock(d, &c, &err), -1);
    if (strstr(err.msg, want) == NULL)
        fail_msg("expected '%s' in '%s'", want, err.msg);
    onvif_doc_free(d);
}

static void test_clock_refuses_local_time_without_utc(void **state)
{
    (void)state;
    clock_refused("local_only_system_date_and_time.xml", true,
                  "no UTCDateTime, only LocalDateTime");
}

static void test_answers_missing_what_they_must_hold_name_it(void **state)
{
    struct onvif_doc *d = parse_text(ENV12_OPEN "<tds:GetCapabilitiesResponse/>" ENV12_CLOSE);
    struct onvif_endpoints ep;
    struct cw_err err = {0};

    (void)state;
    clock_refused(ENV12_OPEN "<tds:GetSystemDateAndTimeResponse/>" ENV12_CLOSE, false,
                  "GetSystemDateAndTimeResponse: no SystemDateAndTime");
    memset(&ep, 0, sizeof(ep));
    assert_int_equal(onvif_parse_capabilities(d, &ep, &err), -1);
    assert_string_equal(err.msg, "GetCapabilitiesResponse: no Capabilities");
    onvif_doc_free(d);
}

static void test_clock_names_the_bad_field(void **state)
{
    (void)state;
    clock_refused("bad_month_system_date_and_time.xml", true, "Month: 13 out of range");
    clock_refused(ENV12_OPEN "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                             "<tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2"
                             "</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>"
                             "2023</tt:Year><tt:Month>2</tt:Month><tt:Day>29</tt:Day></tt:Date>"
                             "</tt:UTCDateTime></tds:SystemDateAndTime>"
                             "</tds:GetSystemDateAndTimeResponse>" ENV12_CLOSE,
                  false, "Day: 29 out of range");
    clock_refused(ENV12_OPEN "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                             "<tt:UTCDateTime><tt:Time><tt:Hour>24</tt:Hour><tt:Minute>0"
                             "</tt:Minute><tt:Second>0</tt:Second></tt:Time><tt:Date><tt:Year>"
                             "2023</tt:Year><tt:Month>2</tt:Month><tt:Day>1</tt:Day></tt:Date>"
                             "</tt:UTCDateTime></tds:SystemDateAndTime>"
                             "</tds:GetSystemDateAndTimeResponse>" ENV12_CLOSE,
                  false, "Hour: 24 out of range");
    clock_refused(ENV12_OPEN
                  "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                  "<tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2"
                  "</tt:Minute></tt:Time><tt:Date><tt:Year>2023</tt:Year><tt:Month>2"
                  "</tt:Month><tt:Day>1</tt:Day></tt:Date></tt:UTCDateTime>"
                  "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>" ENV12_CLOSE,
                  false, "UTCDateTime: no Second");
    clock_refused(ENV12_OPEN "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                             "<tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2"
                             "</tt:Minute><tt:Second>x3</tt:Second></tt:Time><tt:Date><tt:Year>"
                             "2023</tt:Year><tt:Month>2</tt:Month><tt:Day>1</tt:Day></tt:Date>"
                             "</tt:UTCDateTime></tds:SystemDateAndTime>"
                             "</tds:GetSystemDateAndTimeResponse>" ENV12_CLOSE,
                  false, "Second: 'x3' is not a number");
}

/* ---- GetDeviceInformation ---- */

static void info_case(const char *file, const char *manufacturer, const char *model,
                      const char *firmware, const char *serial, const char *hardware)
{
    struct onvif_doc *d = parse_file(file);
    struct onvif_info i;
    struct cw_err err = {0};

    if (onvif_parse_info(d, &i, &err) != 0)
        fail_msg("%s: %s", file, err.msg);
    assert_string_equal(i.manufacturer, manufacturer);
    assert_string_equal(i.model, model);
    assert_string_equal(i.firmware, firmware);
    assert_string_equal(i.serial, serial);
    assert_string_equal(i.hardware_id, hardware);
    onvif_doc_free(d);
}

static void test_info_reads_five_vendor_styles(void **state)
{
    (void)state;
    info_case("hik_device_information.xml", "HIKVISION", "DS-2CD2143G2-I", "V5.7.3 build 220112",
              "DS-2CD2143G2-I20220315AAWRJ12345678", "88");
    info_case("axis_device_information.xml", "AXIS", "P3245-LVE", "10.12.114", "ACCC8EF12345",
              "7A9");
    info_case("dotnet_device_information.xml", "Milesight", "MS-C2964-PB", "45.7.0.79",
              "6C0D4B1A2B3C", "V1.0");
    info_case("ns_device_information.xml", "Dahua", "IPC-HFW2431S-S-S2",
              "2.800.0000000.25.R, Build Date 2021-08-17", "6J0B8A2PAZ12345", "1.00");
    info_case("soap11_device_information.xml", "IPCAM", "C6F0SoZ3N0PmL2", "V2.6.0.8",
              "E7A2C1FF0011", "HI3518E_50H10L_S39");
}

/* 100 two-byte characters (200 bytes) into 128: cut to 126 bytes, never mid-character. */
static void test_info_cuts_long_values_on_a_character_boundary(void **state)
{
    char text[2048], model[256] = "";
    struct onvif_doc *d;
    struct onvif_info i;
    struct cw_err err = {0};

    (void)state;
    for (int k = 0; k < 100; k++)
        strcat(model, "\xC3\xA9"); /* é */
    snprintf(text, sizeof(text),
             ENV12_OPEN "<tds:GetDeviceInformationResponse><tds:Manufacturer>%s"
                        "</tds:Manufacturer><tds:Model>M</tds:Model>"
                        "</tds:GetDeviceInformationResponse>" ENV12_CLOSE,
             model);
    d = parse_text(text);
    assert_int_equal(onvif_parse_info(d, &i, &err), 0);
    assert_int_equal(strlen(i.manufacturer), 126);
    assert_memory_equal(i.manufacturer, model, 126);
    assert_string_equal(i.model, "M");
    assert_string_equal(i.serial, ""); /* absent */
    onvif_doc_free(d);
}

/* Some firmwares start with a UTF-8 byte order mark and a newline. */
static void test_info_accepts_a_byte_order_mark(void **state)
{
    struct onvif_doc *d = parse_text("\xEF\xBB\xBF\n" ENV12_OPEN
                                     "<tds:GetDeviceInformationResponse><tds:Model>M</tds:Model>"
                                     "</tds:GetDeviceInformationResponse>" ENV12_CLOSE);
    struct onvif_info i;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_info(d, &i, &err), 0);
    assert_string_equal(i.model, "M");
    onvif_doc_free(d);
}

/* A device's text reaches log lines and tables: a line break in it must not forge a log line,
 * nor a control character an escape sequence. */
static void test_info_control_characters_become_question_marks(void **state)
{
    struct onvif_doc *d = parse_text(
        ENV12_OPEN "<tds:GetDeviceInformationResponse><tds:Model>M</tds:Model>"
                   "<tds:FirmwareVersion>1.0&#10;&lt;3&gt;forged&#155;[2J</tds:FirmwareVersion>"
                   "</tds:GetDeviceInformationResponse>" ENV12_CLOSE);
    struct onvif_info i;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_info(d, &i, &err), 0);
    assert_string_equal(i.firmware, "1.0?<3>forged?[2J");
    onvif_doc_free(d);
}

static void test_response_outside_its_namespace_is_refused(void **state)
{
    struct onvif_doc *d = parse_file("quirk_response_no_namespace.xml");
    struct onvif_info i;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_info(d, &i, &err), -1);
    assert_non_null(strstr(err.msg, "GetDeviceInformationResponse in namespace ''"));
    onvif_doc_free(d);
}

static void test_parser_reports_the_fault_instead_of_a_missing_response(void **state)
{
    struct onvif_doc *d = parse_file("hik_fault_not_authorized.xml");
    struct onvif_info i;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_info(d, &i, &err), -1);
    assert_string_equal(err.msg, "SOAP fault env:Sender / ter:NotAuthorized: The action requested "
                                 "requires authorization and the sender is not authorized");
    onvif_doc_free(d);
}

/* ---- GetServices, GetCapabilities ---- */

static struct onvif_endpoints *endpoints_marked(void)
{
    static struct onvif_endpoints e;

    for (int s = 0; s < ONVIF_SVC_COUNT; s++)
        snprintf(e.url[s], sizeof(e.url[s]), "untouched");
    return &e;
}

static void services_case(const char *file,
                          int (*parse)(const struct onvif_doc *, struct onvif_endpoints *,
                                       struct cw_err *),
                          const char *const want[ONVIF_SVC_COUNT])
{
    struct onvif_doc *d = parse_file(file);
    struct onvif_endpoints *e = endpoints_marked();
    struct cw_err err = {0};

    if (parse(d, e, &err) != 0)
        fail_msg("%s: %s", file, err.msg);
    for (int s = 0; s < ONVIF_SVC_COUNT; s++)
        if (strcmp(e->url[s], want[s] ? want[s] : "untouched") != 0)
            fail_msg("%s: %s: '%s'", file, onvif_service_name((enum onvif_service)s), e->url[s]);
    onvif_doc_free(d);
}

static void test_services_read_four_vendor_styles(void **state)
{
    const char *hik[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.64/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.64/onvif/Media",
        [ONVIF_SVC_MEDIA2] = "http://192.0.2.64/onvif/Media2",
        [ONVIF_SVC_RECORDING] = "http://192.0.2.64/onvif/Recording",
        [ONVIF_SVC_SEARCH] = "http://192.0.2.64/onvif/SearchRecording",
        [ONVIF_SVC_REPLAY] = "http://192.0.2.64/onvif/Replay",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.64/onvif/Events",
        [ONVIF_SVC_IMAGING] = "http://192.0.2.64/onvif/Imaging",
    };
    const char *axis[ONVIF_SVC_COUNT];
    const char *dotnet[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.90:8000/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.90:8000/onvif/media_service",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.90:8000/onvif/event_service",
        [ONVIF_SVC_PTZ] = "http://192.0.2.90:8000/onvif/ptz_service",
    };
    /* media2's Namespace ends in '/'; a second media Service does not replace the first. */
    const char *ns[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.70/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.70/onvif/media_service",
        [ONVIF_SVC_MEDIA2] = "http://192.0.2.70/onvif/media2_service",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.70/onvif/event_service",
        [ONVIF_SVC_IMAGING] = "http://192.0.2.70/onvif/imaging_service",
    };

    (void)state;
    for (int s = 0; s < ONVIF_SVC_COUNT; s++)
        axis[s] = "http://192.0.2.80/onvif/services";
    services_case("hik_services.xml", onvif_parse_services, hik);
    services_case("axis_services.xml", onvif_parse_services, axis);
    services_case("dotnet_services.xml", onvif_parse_services, dotnet);
    services_case("ns_services.xml", onvif_parse_services, ns);
}

/* A service address is stored and shown: a device that puts its password in one loses it. */
static void test_services_drop_credentials_from_addresses(void **state)
{
    struct onvif_doc *d = parse_text(
        ENV12_OPEN "<tds:GetServicesResponse><tds:Service>"
                   "<tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>"
                   "<tds:XAddr>http://admin:p@ss@192.0.2.64/onvif/device_service</tds:XAddr>"
                   "</tds:Service><tds:Service>"
                   "<tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace>"
                   "<tds:XAddr>http://192.0.2.64/onvif/Media?u=a@b</tds:XAddr>"
                   "</tds:Service></tds:GetServicesResponse>" ENV12_CLOSE);
    struct onvif_endpoints e = {0};
    struct cw_err err = {0};

    (void)state;
    if (onvif_parse_services(d, &e, &err) != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(e.url[ONVIF_SVC_DEVICE], "http://192.0.2.64/onvif/device_service");
    assert_string_equal(e.url[ONVIF_SVC_MEDIA], "http://192.0.2.64/onvif/Media?u=a@b");
    onvif_doc_free(d);
}

static void test_capabilities_read_four_vendor_styles(void **state)
{
    const char *hik[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.64/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.64/onvif/Media",
        [ONVIF_SVC_RECORDING] = "http://192.0.2.64/onvif/Recording",
        [ONVIF_SVC_SEARCH] = "http://192.0.2.64/onvif/SearchRecording",
        [ONVIF_SVC_REPLAY] = "http://192.0.2.64/onvif/Replay",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.64/onvif/Events",
        [ONVIF_SVC_IMAGING] = "http://192.0.2.64/onvif/Imaging",
    };
    const char *axis[ONVIF_SVC_COUNT];
    /* PTZ's XAddr is empty: PTZ stays as it was. */
    const char *ns[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.70/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.70/onvif/media_service",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.70/onvif/event_service",
        [ONVIF_SVC_IMAGING] = "http://192.0.2.70/onvif/imaging_service",
    };
    const char *soap11[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "http://192.0.2.50:8899/onvif/device_service",
        [ONVIF_SVC_MEDIA] = "http://192.0.2.50:8899/onvif/Media",
        [ONVIF_SVC_EVENTS] = "http://192.0.2.50:8899/onvif/Events",
    };

    (void)state;
    for (int s = 0; s < ONVIF_SVC_COUNT; s++)
        axis[s] = "http://192.0.2.80/onvif/services";
    axis[ONVIF_SVC_DEVICE] = "http://192.0.2.80/onvif/device_service";
    axis[ONVIF_SVC_MEDIA2] = NULL; /* GetCapabilities has no media2 */
    services_case("hik_capabilities.xml", onvif_parse_capabilities, hik);
    services_case("axis_capabilities.xml", onvif_parse_capabilities, axis);
    services_case("ns_capabilities.xml", onvif_parse_capabilities, ns);
    services_case("soap11_capabilities.xml", onvif_parse_capabilities, soap11);
}

/* ---- GetProfiles ---- */

struct want_profile {
    const char *token, *name, *encoder, *encoding;
    int width, height;
    double fps;
    int kbps, gov;
};

static void profiles_case(const char *file, const struct want_profile *want, size_t n_want)
{
    struct onvif_doc *d = parse_file(file);
    struct onvif_profile p[ONVIF_MAX_PROFILES];
    struct cw_err err = {0};
    size_t n = 99;

    if (onvif_parse_profiles(d, p, ONVIF_MAX_PROFILES, &n, &err) != 0)
        fail_msg("%s: %s", file, err.msg);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(p[i].token, want[i].token);
        assert_string_equal(p[i].name, want[i].name);
        assert_string_equal(p[i].encoder_token, want[i].encoder);
        assert_string_equal(p[i].encoding, want[i].encoding);
        assert_int_equal(p[i].width, want[i].width);
        assert_int_equal(p[i].height, want[i].height);
        assert_true(p[i].fps_limit == want[i].fps);
        assert_int_equal(p[i].bitrate_limit_kbps, want[i].kbps);
        assert_int_equal(p[i].gov_length, want[i].gov);
        assert_string_equal(p[i].stream_uri, "");
        assert_string_equal(p[i].snapshot_uri, "");
    }
    onvif_doc_free(d);
}

static void test_profiles_media10_five_vendor_styles(void **state)
{
    /* Hikvision's encoding="H265" attribute wins over its Encoding H264. */
    static const struct want_profile hik[] = {
        {"Profile_1", "mainStream", "VideoEncoderToken_1", "h265", 2688, 1520, 25, 4096, 50},
        {"Profile_2", "subStream", "VideoEncoderToken_2", "h264", 640, 360, 15, 512, 30},
        {"Profile_3", "thirdStream", "VideoEncoderToken_3", "jpeg", 1280, 720, 6, 1024, 0},
    };
    static const struct want_profile axis[] = {
        {"profile_1_h264", "profile_1 h264", "default_1_h264", "h264", 1920, 1080, 30, 2147483647,
         32},
        {"profile_1_jpeg", "profile_1 jpeg", "default_1_jpeg", "jpeg", 1920, 1080, 30, 2147483647,
         0},
    };
    static const struct want_profile dotnet[] = {
        {"profile_main", "Main Stream", "vec_main", "h264", 3840, 2160, 20, 8192, 40},
        {"profile_audio", "Audio only", "", "", 0, 0, 0, 0, 0},
    };
    static const struct want_profile ns[] = {
        {"MediaProfile000", "MediaProfile_Channel1_MainStream", "VideoEncoderConfig_000", "mpeg4",
         704, 576, 12, 1024, 24},
        {"MediaProfile001", "MediaProfile_Channel1_SubStream1", "VideoEncoderConfig_001", "", 0, 0,
         0, 0, 0},
    };
    static const struct want_profile soap11[] = {
        {"000", "Profile_000", "000", "h264", 1280, 720, 4, 192, 8},
        {"001", "Profile_001", "001", "h264", 352, 288, 10, 128, 20},
    };

    (void)state;
    profiles_case("hik_profiles.xml", hik, 3);
    profiles_case("axis_profiles.xml", axis, 2);
    profiles_case("dotnet_profiles.xml", dotnet, 2);
    profiles_case("ns_profiles.xml", ns, 2);
    profiles_case("soap11_profiles.xml", soap11, 2);
}

static void test_profiles_media2_two_vendor_styles(void **state)
{
    static const struct want_profile hik[] = {
        {"Profile_1", "mainStream", "VideoEncoderToken_1", "h265", 2688, 1520, 25, 4096, 50},
        {"Profile_2", "subStream", "VideoEncoderToken_2", "h264", 640, 360, 15, 512, 30},
    };
    /* MPV4-ES is media2's name for MPEG-4; a profile without Configurations is kept. */
    static const struct want_profile ns[] = {
        {"MediaProfile000", "MediaProfile_Channel1_MainStream", "00000", "h265", 2688, 1520, 20,
         3072, 40},
        {"MediaProfile001", "MediaProfile_Channel1_SubStream1", "00001", "mpeg4", 352, 288, 7.5,
         256, 20},
        {"MediaProfile002", "Empty", "", "", 0, 0, 0, 0, 0},
    };

    (void)state;
    profiles_case("hik_media2_profiles.xml", hik, 2);
    profiles_case("ns_media2_profiles.xml", ns, 3);
}

static void test_profiles_stop_at_max(void **state)
{
    struct onvif_doc *d = parse_file("hik_profiles.xml");
    struct onvif_profile p[2];
    struct cw_err err = {0};
    size_t n = 99;

    (void)state;
    assert_int_equal(onvif_parse_profiles(d, p, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[1].token, "Profile_2");
    assert_int_equal(onvif_parse_profiles(d, p, 0, &n, &err), 0);
    assert_int_equal(n, 0);
    onvif_doc_free(d);
}

static void test_profiles_name_the_profile_and_field_of_a_bad_number(void **state)
{
    struct onvif_doc *d = parse_text(
        ENV12_OPEN "<trt:GetProfilesResponse><trt:Profiles token=\"p1\"><tt:Name>a</tt:Name>"
                   "</trt:Profiles><trt:Profiles token=\"p2\"><tt:Name>b</tt:Name>"
                   "<tt:VideoEncoderConfiguration token=\"v\"><tt:Encoding>H264</tt:Encoding>"
                   "<tt:Resolution><tt:Width>wide</tt:Width><tt:Height>1</tt:Height>"
                   "</tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles>"
                   "</trt:GetProfilesResponse>" ENV12_CLOSE);
    struct onvif_profile p[4];
    struct cw_err err = {0};
    size_t n = 99;

    (void)state;
    assert_int_equal(onvif_parse_profiles(d, p, 4, &n, &err), -1);
    assert_string_equal(err.msg, "Profiles[1] 'p2': Width: 'wide' is not a number");
    assert_int_equal(n, 0);
    onvif_doc_free(d);
}

static void test_profiles_refuse_another_response(void **state)
{
    struct onvif_doc *d = parse_file("hik_device_information.xml");
    struct onvif_profile p[4];
    struct cw_err err = {0};
    size_t n = 99;

    (void)state;
    assert_int_equal(onvif_parse_profiles(d, p, 4, &n, &err), -1);
    assert_string_equal(err.msg, "no GetProfilesResponse in the Body");
    onvif_doc_free(d);
}

/* ---- GetStreamUri, GetSnapshotUri ---- */

static void uri_case(const char *file, const char *want)
{
    struct onvif_doc *d = parse_file(file);
    char uri[ONVIF_URL_MAX];
    struct cw_err err = {0};

    if (onvif_parse_uri(d, uri, sizeof(uri), &err) != 0)
        fail_msg("%s: %s", file, err.msg);
    assert_string_equal(uri, want);
    onvif_doc_free(d);
}

static void test_uris_media10_and_media2(void **state)
{
    (void)state;
    uri_case("hik_stream_uri.xml", "rtsp://192.0.2.64:554/Streaming/Channels/101?"
                                   "transportmode=unicast&profile=Profile_1");
    uri_case("hik_snapshot_uri.xml", "http://192.0.2.64/onvif-http/snapshot?Profile_1");
    uri_case("hik_media2_stream_uri.xml", "rtsp://192.0.2.64:554/Streaming/Channels/101?"
                                          "transportmode=unicast&profile=Profile_1");
    uri_case("axis_stream_uri.xml", "rtsp://192.0.2.80/onvif-media/media.amp?profile=profile_1_"
                                    "h264&sessiontimeout=60&streamtype=unicast");
    uri_case("dotnet_stream_uri.xml", "rtsp://192.0.2.90:554/main");
    uri_case("ns_media2_stream_uri.xml", "rtsp://192.0.2.70:554/cam/realmonitor?channel=1&"
                                         "subtype=0&unicast=true&proto=Onvif");
    uri_case("ns_media2_snapshot_uri.xml",
             "http://192.0.2.70/onvifsnapshot/media_service/snapshot?channel=1&subtype=0");
    uri_case("soap11_stream_uri.xml", "rtsp://192.0.2.50:554/user=admin_password=tlJwpbo6_"
                                      "channel=1_stream=0.sdp?real_stream");
}

static void test_uri_missing_or_wrong_response_is_an_error(void **state)
{
    struct onvif_doc *d =
        parse_text(ENV12_OPEN "<trt:GetStreamUriResponse><trt:MediaUri>"
                              "</trt:MediaUri></trt:GetStreamUriResponse>" ENV12_CLOSE);
    char uri[ONVIF_URL_MAX];
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_uri(d, uri, sizeof(uri), &err), -1);
    assert_string_equal(err.msg, "GetStreamUriResponse: no Uri");
    onvif_doc_free(d);
    d = parse_file("hik_profiles.xml");
    assert_int_equal(onvif_parse_uri(d, uri, sizeof(uri), &err), -1);
    assert_string_equal(err.msg, "no GetStreamUriResponse in the Body");
    onvif_doc_free(d);
}

static void test_service_names(void **state)
{
    static const char *const names[ONVIF_SVC_COUNT] = {
        "device", "media", "media2", "recording", "search", "replay", "events", "imaging", "ptz",
    };

    (void)state;
    for (int s = 0; s < ONVIF_SVC_COUNT; s++)
        assert_string_equal(onvif_service_name((enum onvif_service)s), names[s]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_device_an_hour_ahead),
        cmocka_unit_test(test_offset_device_an_hour_behind),
        cmocka_unit_test(test_offset_bound_holds_for_every_answer_time),
        cmocka_unit_test(test_offset_negative_round_trip_is_taken_as_zero),
        cmocka_unit_test(test_clock_reads_five_vendor_styles),
        cmocka_unit_test(test_clock_refuses_local_time_without_utc),
        cmocka_unit_test(test_clock_names_the_bad_field),
        cmocka_unit_test(test_answers_missing_what_they_must_hold_name_it),
        cmocka_unit_test(test_info_reads_five_vendor_styles),
        cmocka_unit_test(test_info_cuts_long_values_on_a_character_boundary),
        cmocka_unit_test(test_info_accepts_a_byte_order_mark),
        cmocka_unit_test(test_info_control_characters_become_question_marks),
        cmocka_unit_test(test_response_outside_its_namespace_is_refused),
        cmocka_unit_test(test_parser_reports_the_fault_instead_of_a_missing_response),
        cmocka_unit_test(test_services_read_four_vendor_styles),
        cmocka_unit_test(test_services_drop_credentials_from_addresses),
        cmocka_unit_test(test_capabilities_read_four_vendor_styles),
        cmocka_unit_test(test_profiles_media10_five_vendor_styles),
        cmocka_unit_test(test_profiles_media2_two_vendor_styles),
        cmocka_unit_test(test_profiles_stop_at_max),
        cmocka_unit_test(test_profiles_name_the_profile_and_field_of_a_bad_number),
        cmocka_unit_test(test_profiles_refuse_another_response),
        cmocka_unit_test(test_uris_media10_and_media2),
        cmocka_unit_test(test_uri_missing_or_wrong_response_is_an_error),
        cmocka_unit_test(test_service_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
