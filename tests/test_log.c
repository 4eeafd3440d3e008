/* test_log.c - log_redact_url, the one function that strips credentials from a URL before it
 * is shown, stored or logged: only the authority's user:password goes, whatever the URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../util/log.h"

static void redacts(const char *url, const char *want)
{
    char buf[256], inplace[256];

    assert_string_equal(log_redact_url(url, buf, sizeof(buf)), want);
    snprintf(inplace, sizeof(inplace), "%s", url);
    assert_ptr_equal(log_redact_url(inplace, inplace, sizeof(inplace)), inplace);
    assert_string_equal(inplace, want);
}

static void test_user_and_password_are_removed(void **state)
{
    (void)state;
    redacts("rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101",
            "rtsp://192.168.1.64:554/Streaming/Channels/101");
    redacts("http://admin@[fe80::1]:8080/onvif", "http://[fe80::1]:8080/onvif");
    redacts("rtsp://u:p@h", "rtsp://h");
    redacts("u:p@host/path", "host/path"); /* no scheme: still an authority first */
}

static void test_a_password_with_an_at_sign_goes_whole(void **state)
{
    (void)state;
    redacts("rtsp://admin:p@ss@w0rd@10.0.0.1/live", "rtsp://10.0.0.1/live");
}

static void test_at_signs_past_the_authority_stay(void **state)
{
    (void)state;
    redacts("rtsp://10.0.0.1/live?user=a@b", "rtsp://10.0.0.1/live?user=a@b");
    redacts("rtsp://10.0.0.1?x=a@b", "rtsp://10.0.0.1?x=a@b");
    redacts("http://10.0.0.1#a@b", "http://10.0.0.1#a@b");
    redacts("rtsp://10.0.0.1/a@b/c", "rtsp://10.0.0.1/a@b/c");
}

static void test_urls_without_credentials_are_unchanged(void **state)
{
    (void)state;
    redacts("rtsp://10.0.0.1:554/a", "rtsp://10.0.0.1:554/a");
    redacts("not a url at all", "not a url at all");
    redacts("", "");
}

static void test_a_short_buffer_is_cut_not_overrun(void **state)
{
    char buf[12];

    (void)state;
    assert_string_equal(log_redact_url("rtsp://u:p@10.0.0.1/live", buf, sizeof(buf)),
                        "rtsp://10.0");
    assert_string_equal(log_redact_url("rtsp://u:p@10.0.0.1/live", buf, 8), "rtsp://");
    assert_string_equal(log_redact_url("rtsp://u:p@10.0.0.1/live", buf, 1), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_and_password_are_removed),
        cmocka_unit_test(test_a_password_with_an_at_sign_goes_whole),
        cmocka_unit_test(test_at_signs_past_the_authority_stay),
        cmocka_unit_test(test_urls_without_credentials_are_unchanged),
        cmocka_unit_test(test_a_short_buffer_is_cut_not_overrun),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
