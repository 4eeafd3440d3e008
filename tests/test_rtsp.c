/* test_rtsp.c - the RTSP probe against tests/fixtures/rtsp_fault.py, one fault
 * per URL path, and against a port nobody listens on. Probes run through a
 * curl multi handle, as in the daemon. The fixture is started once for the
 * group and always stopped in the group teardown (and, should this process
 * die first, by PR_SET_PDEATHSIG). Outcomes only: no timing assertions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../probes/rtsp.h"
#include "cwtest.h"

#define FIXTURE "rtsp_fault.py"
#define FIXTURE_START_MS 15000 /* python start-up on a loaded CI machine */
#define SHORT_TIMEOUT_MS 1500  /* for the cases that must time out */
#define LONG_TIMEOUT_MS 10000  /* for the cases that must not */
#define SLOW_MS "300"          /* the fixture's /slow delay */

struct fixture {
    struct cwtest_fixture proc;
    int port;
    int closed_fd; /* bound, never listening: connecting to it is refused */
    int closed_port;
};

static struct fixture fx = {.proc = CWTEST_FIXTURE_INIT, .closed_fd = -1};

static int group_setup(void **state)
{
    static const char *const args[] = {"--port",     "0",        "--slow-ms", SLOW_MS,
                                       "--drip-ms",  "1000",     "--user",    "admin",
                                       "--password", "camwatch", NULL};

    (void)state;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    fx.closed_fd = cwtest_loopback_socket(0, &fx.closed_port);
    if (fx.closed_fd < 0)
        return -1;
    fx.port = cwtest_fixture_start(&fx.proc, FIXTURE, args, FIXTURE_START_MS);
    if (fx.port <= 0) {
        fprintf(stderr, "rtsp_fault.py did not start\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    cwtest_fixture_stop(&fx.proc);
    if (fx.closed_fd >= 0)
        close(fx.closed_fd);
    curl_global_cleanup();
    return 0;
}

/* Run n probes at once through one multi handle until all are done. */
static void run_probes(int n, const char *const *paths, const char *user, const char *pass,
                       int64_t timeout_ms, struct rtsp_result *results)
{
    CURLM *multi = curl_multi_init();
    struct rtsp_probe **probes = calloc((size_t)n, sizeof(*probes));
    int running = 1, left;
    CURLMsg *msg;

    assert_non_null(multi);
    assert_non_null(probes);
    for (int i = 0; i < n; i++) {
        char url[256];
        struct cw_err err = {0};
        if (strncmp(paths[i], "rtsp://", 7) == 0)
            snprintf(url, sizeof(url), "%s", paths[i]);
        else
            snprintf(url, sizeof(url), "rtsp://127.0.0.1:%d/%s", fx.port, paths[i]);
        if (rtsp_probe_new(url, user, pass, timeout_ms, &results[i], &probes[i], &err) != 0)
            fail_msg("rtsp_probe_new(%s): %s", url, err.msg);
        assert_int_equal(curl_multi_add_handle(multi, rtsp_probe_handle(probes[i])), CURLM_OK);
    }
    while (running > 0) {
        assert_int_equal(curl_multi_perform(multi, &running), CURLM_OK);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            struct rtsp_result *r = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            assert_int_equal(curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r),
                             CURLE_OK);
            for (int i = 0; i < n; i++) {
                CURL *easy = rtsp_probe_handle(probes[i]);
                if (easy != msg->easy_handle)
                    continue;
                /* As the daemon does: a redirected probe goes round again. */
                if (rtsp_probe_finish(probes[i], msg->data.result, r) == RTSP_FOLLOW) {
                    curl_multi_remove_handle(multi, easy);
                    assert_int_equal(curl_multi_add_handle(multi, easy), CURLM_OK);
                    running++;
                }
            }
        }
        if (running > 0)
            assert_int_equal(curl_multi_poll(multi, NULL, 0, 200, NULL), CURLM_OK);
    }
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, rtsp_probe_handle(probes[i]));
        rtsp_probe_free(probes[i]);
    }
    free(probes);
    curl_multi_cleanup(multi);
}

static struct rtsp_result probe(const char *path, const char *user, const char *pass,
                                int64_t timeout_ms)
{
    struct rtsp_result r;
    const char *paths[1] = {path};

    memset(&r, 0xa5, sizeof(r)); /* finish must fill every field */
    run_probes(1, paths, user, pass, timeout_ms, &r);
    return r;
}

static void expect(const char *path, enum rtsp_outcome outcome, int status)
{
    struct rtsp_result r = probe(path, NULL, NULL, LONG_TIMEOUT_MS);

    if (r.outcome != outcome)
        fail_msg("%s: outcome %s (%s), expected %s", path, rtsp_outcome_reason(r.outcome), r.detail,
                 rtsp_outcome_reason(outcome));
    assert_int_equal(r.status, status);
}

/* The fixture's /ok answer: H.264 640x360 at 25 fps. */
static void assert_ok_answer(const struct rtsp_result *r)
{
    assert_int_equal(r->outcome, RTSP_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->video.codec, "h264");
    assert_int_equal(r->video.width, 640);
    assert_int_equal(r->video.height, 360);
    assert_float_equal(r->video.fps, 25, 0.001);
    assert_true(r->latency_ms >= 0);
}

static void test_ok_reports_h264_640x360_at_25(void **state)
{
    struct rtsp_result r = probe("ok", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_ok_answer(&r);
}

static void test_silent_server_times_out(void **state)
{
    struct rtsp_result r = probe("silent", NULL, NULL, SHORT_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TIMEOUT);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.latency_ms, -1);
    assert_string_equal(r.detail, "timeout after 1500 ms");
}

static void test_dripping_server_times_out(void **state)
{
    struct rtsp_result r = probe("drip", NULL, NULL, SHORT_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TIMEOUT);
}

static void test_slow_answer_inside_the_timeout_is_ok(void **state)
{
    (void)state;
    expect("slow", RTSP_OK, 200);
}

static void test_401_forever_is_authentication_failure(void **state)
{
    struct rtsp_result r;

    (void)state;
    expect("auth401", RTSP_AUTH, 401);
    r = probe("auth401", "admin", "camwatch", LONG_TIMEOUT_MS);
    assert_int_equal(r.outcome, RTSP_AUTH);
    assert_int_equal(r.status, 401);
    assert_string_equal(rtsp_outcome_reason(r.outcome), "authentication failed");
}

static void test_digest_with_right_password_is_ok(void **state)
{
    struct rtsp_result r = probe("digest", "admin", "camwatch", LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.video.width, 640);
}

static void test_digest_with_credentials_in_url_is_ok(void **state)
{
    char url[128];
    struct rtsp_result r;

    (void)state;
    snprintf(url, sizeof(url), "rtsp://admin:camwatch@127.0.0.1:%d/digest", fx.port);
    r = probe(url, NULL, NULL, LONG_TIMEOUT_MS);
    assert_int_equal(r.outcome, RTSP_OK);
}

static void test_digest_with_wrong_password_is_authentication_failure(void **state)
{
    struct rtsp_result r = probe("digest", "admin", "wrong", LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_AUTH);
    assert_int_equal(r.status, 401);
}

static void test_status_codes_map_to_outcomes(void **state)
{
    (void)state;
    expect("notfound", RTSP_NOT_FOUND, 404);
    expect("no-such-mode", RTSP_NOT_FOUND, 404);
    expect("error", RTSP_SERVER_ERROR, 500);
}

static void test_http_or_binary_answer_is_not_rtsp(void **state)
{
    (void)state;
    expect("garbage", RTSP_NOT_RTSP, 0);
    expect("binary", RTSP_NOT_RTSP, 0);
}

/* What came instead of RTSP is named, so the reason tells a web page's port or a TLS port from a
 * camera's RTSP one: never libcurl's "Received HTTP/0.9 when not allowed". A web server keeping
 * its connection open is judged on its first line, not waited out. */
static void test_not_rtsp_names_what_the_camera_answered(void **state)
{
    static const char tls[] = "answered TLS, a handshake record: 16 03 01 00 a5 ";
    struct rtsp_result r = probe("garbage", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_NOT_RTSP);
    assert_string_equal(r.detail, "answered HTTP: \"HTTP/1.1 200 OK\"");
    r = probe("binary", NULL, NULL, LONG_TIMEOUT_MS);
    assert_int_equal(r.outcome, RTSP_NOT_RTSP);
    if (strncmp(r.detail, tls, strlen(tls)) != 0)
        fail_msg("binary: detail '%s', expected it to begin '%s'", r.detail, tls);
    r = probe("webkeep", NULL, NULL, SHORT_TIMEOUT_MS);
    if (r.outcome != RTSP_NOT_RTSP)
        fail_msg("webkeep: outcome %s (%s), expected not RTSP", rtsp_outcome_reason(r.outcome),
                 r.detail);
    assert_string_equal(r.detail, "answered HTTP: \"HTTP/1.1 400 Bad Request\"");
    assert_int_equal(r.status, 0);
}

static void test_wrong_cseq_is_not_rtsp(void **state)
{
    struct rtsp_result r = probe("badcseq", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_NOT_RTSP);
}

static void test_megabyte_header_line_is_too_large(void **state)
{
    struct rtsp_result r = probe("hugeheader", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TOO_LARGE);
}

static void test_megabyte_of_header_lines_is_too_large(void **state)
{
    struct rtsp_result r = probe("manyheaders", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TOO_LARGE);
}

static void test_megabyte_body_is_too_large(void **state)
{
    struct rtsp_result r = probe("hugebody", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TOO_LARGE);
}

static void test_body_cut_short_is_truncated(void **state)
{
    struct rtsp_result r = probe("truncated", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TRUNCATED);
    assert_int_equal(r.latency_ms, -1);
}

/* Found by fuzz_rtsp: libcurl 7.88 never saw the end of a connection closed inside an
 * interleaved RTP header, and ran on the readable socket, a core's worth of CPU, until the
 * timeout said "timeout". */
static void test_close_inside_interleaved_header_is_truncated(void **state)
{
    struct rtsp_result r = probe("dollar", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_TRUNCATED);
    assert_string_equal(r.detail, "connection closed mid-response");
}

static void test_broken_base64_answers_with_the_problem_noted(void **state)
{
    struct rtsp_result r = probe("badbase64", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    /* It answered: the verdict weighs the problem, the stream sample the picture. */
    assert_int_equal(r.outcome, RTSP_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.video.codec, "h264");
    assert_int_equal(r.video.width, 0);
    assert_string_equal(r.video.problem, "sprop-parameter-sets: bad base64");
    assert_string_equal(r.detail, "h264 0x0; sprop-parameter-sets: bad base64");
}

static void test_redirect_is_followed_to_the_answer(void **state)
{
    struct rtsp_result r = probe("redirect", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_ok_answer(&r);
}

static void test_redirect_loop_ends_saying_so(void **state)
{
    struct rtsp_result r = probe("redirectloop", NULL, NULL, LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_BAD_STATUS);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.detail, "too many redirects"));
    assert_non_null(strstr(r.detail, "redirected to rtsp://127.0.0.1:"));
}

/* The credential goes to the host it was given for: sent along a redirect to another port of
 * it, not to another host, and the failure says so rather than "no credential configured". */
static void test_redirect_takes_the_credential_to_the_same_host_only(void **state)
{
    struct rtsp_result r = probe("redirect/digest", "admin", "camwatch", LONG_TIMEOUT_MS);

    (void)state;
    assert_int_equal(r.outcome, RTSP_OK);
    assert_int_equal(r.video.width, 640);
    r = probe("redirecthost/digest", "admin", "camwatch", LONG_TIMEOUT_MS);
    assert_int_equal(r.outcome, RTSP_AUTH);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.detail, "redirected to rtsp://localhost:"));
    assert_non_null(strstr(r.detail, "the credential is not sent to another host"));
}

static void test_closed_port_is_refused(void **state)
{
    char url[128];
    struct rtsp_result r;

    (void)state;
    snprintf(url, sizeof(url), "rtsp://127.0.0.1:%d/ok", fx.closed_port);
    r = probe(url, NULL, NULL, LONG_TIMEOUT_MS);
    assert_int_equal(r.outcome, RTSP_REFUSED);
    assert_int_equal(r.status, 0);
    assert_string_equal(rtsp_outcome_reason(r.outcome), "connection refused");
}

static void test_hanging_cameras_do_not_spoil_the_others(void **state)
{
    enum { N = 40 };
    const char *paths[N];
    struct rtsp_result r[N];

    (void)state;
    for (int i = 0; i < N; i++)
        paths[i] = i % 4 == 0 ? "silent" : "ok";
    run_probes(N, paths, NULL, NULL, SHORT_TIMEOUT_MS, r);
    for (int i = 0; i < N; i++)
        assert_int_equal(r[i].outcome, i % 4 == 0 ? RTSP_TIMEOUT : RTSP_OK);
}

static void test_new_refuses_bad_url_and_timeout(void **state)
{
    struct rtsp_probe *p = (struct rtsp_probe *)1;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(rtsp_probe_new("http://127.0.0.1/x", NULL, NULL, 1000, NULL, &p, &err), -1);
    assert_null(p);
    assert_string_equal(err.msg, "not an rtsp:// URL");
    assert_int_equal(rtsp_probe_new("rtsp://[::1", NULL, NULL, 1000, NULL, &p, &err), -1);
    assert_int_equal(rtsp_probe_new("rtsp://127.0.0.1/x", NULL, NULL, 0, NULL, &p, &err), -1);
    assert_null(p);
    rtsp_probe_free(NULL);
}

/* The reasons are a table, not a switch: a row left out when an outcome is added would read
 * "error", the catch-all's word, and its kind would be lost downstream. */
static void test_every_outcome_has_its_own_reason(void **state)
{
    (void)state;
    for (int o = RTSP_OK; o < RTSP_ERROR; o++) {
        if (strcmp(rtsp_outcome_reason((enum rtsp_outcome)o), "error") == 0)
            fail_msg("outcome %d has no reason of its own", o);
        for (int k = RTSP_OK; k < o; k++)
            if (strcmp(rtsp_outcome_reason((enum rtsp_outcome)o),
                       rtsp_outcome_reason((enum rtsp_outcome)k)) == 0)
                fail_msg("outcomes %d and %d read the same", k, o);
    }
    assert_string_equal(rtsp_outcome_reason(RTSP_ERROR), "error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_reports_h264_640x360_at_25),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_dripping_server_times_out),
        cmocka_unit_test(test_slow_answer_inside_the_timeout_is_ok),
        cmocka_unit_test(test_401_forever_is_authentication_failure),
        cmocka_unit_test(test_digest_with_right_password_is_ok),
        cmocka_unit_test(test_digest_with_credentials_in_url_is_ok),
        cmocka_unit_test(test_digest_with_wrong_password_is_authentication_failure),
        cmocka_unit_test(test_status_codes_map_to_outcomes),
        cmocka_unit_test(test_http_or_binary_answer_is_not_rtsp),
        cmocka_unit_test(test_not_rtsp_names_what_the_camera_answered),
        cmocka_unit_test(test_wrong_cseq_is_not_rtsp),
        cmocka_unit_test(test_megabyte_header_line_is_too_large),
        cmocka_unit_test(test_megabyte_of_header_lines_is_too_large),
        cmocka_unit_test(test_megabyte_body_is_too_large),
        cmocka_unit_test(test_body_cut_short_is_truncated),
        cmocka_unit_test(test_close_inside_interleaved_header_is_truncated),
        cmocka_unit_test(test_broken_base64_answers_with_the_problem_noted),
        cmocka_unit_test(test_redirect_is_followed_to_the_answer),
        cmocka_unit_test(test_redirect_loop_ends_saying_so),
        cmocka_unit_test(test_redirect_takes_the_credential_to_the_same_host_only),
        cmocka_unit_test(test_closed_port_is_refused),
        cmocka_unit_test(test_hanging_cameras_do_not_spoil_the_others),
        cmocka_unit_test(test_new_refuses_bad_url_and_timeout),
        cmocka_unit_test(test_every_outcome_has_its_own_reason),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
