/* test_onvif.c - the ONVIF probe's pure parts: a camera's announced stream URI against the
 * inventory's rtsp_url (same, other path, other port, another host behind NAT, junk), and
 * the refusals of onvif_probe_new. The exchange itself is tested against the device fixture
 * in tests/integration/test_onvif.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "../probes/onvif.h"

static void test_same_uri_has_no_note(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(onvif_compare_stream_uri("rtsp://10.1.2.3:554/Streaming/Channels/101",
                                              "rtsp://10.1.2.3/Streaming/Channels/101", note,
                                              sizeof(note)),
                     1);
    assert_string_equal(note, "");
}

static void test_credentials_in_either_uri_are_ignored(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(onvif_compare_stream_uri("rtsp://admin:x@10.1.2.3/a?channel=1",
                                              "rtsp://10.1.2.3:554/a?channel=1", note,
                                              sizeof(note)),
                     1);
    assert_string_equal(note, "");
}

static void test_other_path_is_named(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(onvif_compare_stream_uri("rtsp://10.1.2.3/Streaming/Channels/102",
                                              "rtsp://10.1.2.3/Streaming/Channels/101", note,
                                              sizeof(note)),
                     0);
    assert_string_equal(note, "path /Streaming/Channels/102 differs from the inventory's "
                              "/Streaming/Channels/101");
}

static void test_other_port_is_named(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(
        onvif_compare_stream_uri("rtsp://10.1.2.3:8554/a", "rtsp://10.1.2.3/a", note, sizeof(note)),
        1);
    assert_string_equal(note, "port 8554 differs from the inventory's 554");
}

static void test_other_host_is_nat_not_an_error(void **state)
{
    char note[256];

    (void)state;
    /* Behind NAT the camera names its private address and often its inner port. */
    assert_int_equal(onvif_compare_stream_uri("rtsp://192.168.1.64:554/a",
                                              "rtsp://113.160.1.2:10554/a", note, sizeof(note)),
                     1);
    assert_string_equal(note, "another host (192.168.1.64: normal behind NAT)");
    assert_int_equal(onvif_compare_stream_uri("rtsp://192.168.1.64/b", "rtsp://113.160.1.2/a", note,
                                              sizeof(note)),
                     0);
    assert_string_equal(note, "another host (192.168.1.64: normal behind NAT); path /b differs "
                              "from the inventory's /a");
}

static void test_parameters_the_camera_adds_are_its_own(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(
        onvif_compare_stream_uri(
            "rtsp://10.1.2.3/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
            "rtsp://10.1.2.3/Streaming/Channels/101", note, sizeof(note)),
        1);
    assert_string_equal(note, "");
    assert_int_equal(
        onvif_compare_stream_uri(
            "rtsp://10.1.2.3/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif",
            "rtsp://10.1.2.3/cam/realmonitor?subtype=1&channel=1", note, sizeof(note)),
        1);
    assert_string_equal(note, "");
    /* The sub-stream is not the main stream. */
    assert_int_equal(onvif_compare_stream_uri("rtsp://10.1.2.3/cam/realmonitor?channel=1&subtype=0",
                                              "rtsp://10.1.2.3/cam/realmonitor?channel=1&subtype=1",
                                              note, sizeof(note)),
                     0);
    assert_string_equal(note, "query 'channel=1&subtype=0' lacks the inventory's "
                              "'channel=1&subtype=1'");
}

static void test_unparsable_uri_is_said(void **state)
{
    char note[256];

    (void)state;
    assert_int_equal(onvif_compare_stream_uri("not a uri", "rtsp://10.1.2.3/a", note, sizeof(note)),
                     -1);
    assert_string_equal(note, "the camera's stream URI does not parse: not a uri");
    assert_int_equal(onvif_compare_stream_uri("rtsp://admin:secret@[bad", "rtsp://10.1.2.3/a", note,
                                              sizeof(note)),
                     -1);
    assert_null(strstr(note, "secret"));
}

static void test_new_refuses_non_http_url_and_bad_timeout(void **state)
{
    struct onvif_request req = {.device_url = "rtsp://127.0.0.1/onvif", .timeout_ms = 1000};
    struct onvif_probe *p = (struct onvif_probe *)1;
    struct cw_err err;

    (void)state;
    assert_int_equal(onvif_probe_new(&req, NULL, &p, &err), -1);
    assert_null(p);
    assert_string_equal(err.field, "onvif_url");
    req.device_url = "http://127.0.0.1/onvif/device_service";
    req.timeout_ms = 0;
    assert_int_equal(onvif_probe_new(&req, NULL, &p, &err), -1);
    assert_string_equal(err.field, "timeout");
    req.timeout_ms = 1000;
    assert_int_equal(onvif_probe_new(&req, NULL, &p, &err), 0);
    assert_non_null(onvif_probe_handle(p));
    assert_int_equal(onvif_probe_result(p)->streamed, -1);
    onvif_probe_free(p);
}

/* The reasons are a table, not a switch: a row left out when an outcome is added would read
 * "error", the catch-all's word, and its kind would be lost downstream. */
static void test_every_outcome_has_its_own_reason(void **state)
{
    (void)state;
    for (int o = ONVIF_OK; o < ONVIF_ERROR; o++) {
        if (strcmp(onvif_outcome_reason((enum onvif_outcome)o), "error") == 0)
            fail_msg("outcome %d has no reason of its own", o);
        for (int k = ONVIF_OK; k < o; k++)
            if (strcmp(onvif_outcome_reason((enum onvif_outcome)o),
                       onvif_outcome_reason((enum onvif_outcome)k)) == 0)
                fail_msg("outcomes %d and %d read the same", k, o);
    }
    assert_string_equal(onvif_outcome_reason(ONVIF_ERROR), "error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_uri_has_no_note),
        cmocka_unit_test(test_credentials_in_either_uri_are_ignored),
        cmocka_unit_test(test_other_path_is_named),
        cmocka_unit_test(test_other_port_is_named),
        cmocka_unit_test(test_other_host_is_nat_not_an_error),
        cmocka_unit_test(test_parameters_the_camera_adds_are_its_own),
        cmocka_unit_test(test_unparsable_uri_is_said),
        cmocka_unit_test(test_new_refuses_non_http_url_and_bad_timeout),
        cmocka_unit_test(test_every_outcome_has_its_own_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
