/* test_metrics.c - /metrics written from the status and clock documents (daemon/metrics.c):
 * each family has its HELP and TYPE, values in base units, facts not known left out rather
 * than written as 0, label values escaped, every owner and state counted (zeros too), and
 * the probe counters by kind and outcome. (promtool and a real Prometheus read the daemon's
 * own output in tests/integration/test_prometheus.py.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/metrics.h"
#include "cwtest.h"

static const char status_json[] =
    "[{\"id\": \"CAH-001\", \"owner\": \"CAH\", \"commune\": \"T\\u00e2n Th\\u00e0nh\","
    "  \"name\": \"Ng\\u00e3 ba \\\"QL80\\\"\\\\1\\n\", \"state\": \"up\","
    "  \"since_ms\": 1700000000500, \"latency_ms\": 42, \"last_probe_ms\": 1700000060000,"
    "  \"last_ok_ms\": 1700000060000, \"fps\": 12.5, \"last_sample_ms\": 1700000030000,"
    "  \"bitrate_kbps\": 812.5},"
    " {\"id\": \"CAH-002\", \"owner\": \"CAH\", \"commune\": \"x\", \"name\": \"y\","
    "  \"state\": \"down\", \"since_ms\": 1700000000000, \"latency_ms\": null,"
    "  \"last_probe_ms\": 1700000060000, \"last_ok_ms\": null, \"fps\": 25.0,"
    "  \"last_sample_ms\": null, \"bitrate_kbps\": null},"
    " {\"id\": \"CHO-01\", \"owner\": \"BQLC\", \"commune\": \"x\", \"name\": \"z\","
    "  \"state\": \"degraded\", \"since_ms\": 1700000000000}]";

static const char clock_json[] =
    "[{\"id\": \"CAH-002\", \"clock_offset_ms\": -3600250}, {\"id\": \"GONE\", "
    "\"clock_offset_ms\": 5}]";

static char *render(int with_counters)
{
    json_error_t je;
    json_t *status = json_loads(status_json, 0, &je), *clock = json_loads(clock_json, 0, &je);
    struct cfg_owner owners[2] = {{"CAH", "Công an huyện"}, {"CAX", "Công an xã"}};
    struct cfg cfg = {.owners = owners, .n_owners = 2};
    struct fleet_counts probes = {0};
    struct http_stats hs = {.connections = 3, .held = 1, .answered = {0, 0, 7, 0, 2, 1}};
    struct auth_stats as = {.failures = 4, .held = 1};
    /* CAH-001's footage, and one of a camera no longer in the status list (left out) */
    static const struct store_footage_oldest footage[] = {{"CAH-001", 1699990000250}, {"GONE", 1}};
    static const double lag_ms[2] = {1.5, 250};
    struct batch_health store = {
        .pending = 3, .commits = 41, .last_write_ms = 2.5, .max_write_ms = 120};
    /* the last reload refused; the configuration running loaded at ok_ms */
    static const struct reload_state config = {0, 1700000060000, 1700000000250};
    struct metrics_in in = {.status = status, .clock = clock, .cfg = &cfg};
    size_t len = 0;
    char *text;

    assert_non_null(status);
    assert_non_null(clock);
    probes.rtsp[RTSP_OK] = 10;
    probes.rtsp[RTSP_TIMEOUT] = 2;
    probes.onvif[ONVIF_AUTH] = 1;
    probes.samples_ok = 5;
    if (with_counters) {
        in.probes = &probes;
        in.http = &hs;
        in.auth = &as;
        in.footage = footage;
        in.n_footage = 2;
        in.loop_lag_ms = lag_ms;
        in.store = &store;
        in.config = &config;
    }
    text = metrics_render(&in, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    json_decref(status);
    json_decref(clock);
    return text;
}

/* The text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void test_every_family_has_help_and_type(void **state)
{
    char *text = render(1);
    const char *p;
    int families = 0;

    (void)state;
    /* every sample's metric name was announced by a TYPE line before it */
    for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
        if (strncmp(p, "# TYPE ", 7) == 0) {
            families++;
        } else if (*p != '#') {
            char name[128], type_line[160];
            size_t n = strcspn(p, "{ ");
            snprintf(name, sizeof(name), "%.*s", (int)n, p);
            snprintf(type_line, sizeof(type_line), "# TYPE %s ", name);
            assert_non_null(strstr(text, type_line));
            assert_true(strstr(text, type_line) < p);
        }
    }
    assert_true(families >= 20);
    assert_true(has_line(text, "# TYPE camwatch_probes_total counter"));
    assert_true(has_line(text, "# TYPE camwatch_camera_up gauge"));
    free(text);
}

static void test_cameras_in_base_units_and_unknown_facts_left_out(void **state)
{
    char *text = render(0);

    (void)state;
    assert_true(has_line(text, "camwatch_cameras 3"));
    assert_true(has_line(text, "camwatch_camera_up{camera=\"CAH-001\",owner=\"CAH\"} 1"));
    assert_true(has_line(text, "camwatch_camera_up{camera=\"CAH-002\",owner=\"CAH\"} 0"));
    assert_true(has_line(text, "camwatch_camera_up{camera=\"CHO-01\",owner=\"BQLC\"} 1"));
    assert_true(
        has_line(text, "camwatch_camera_state{camera=\"CAH-002\",owner=\"CAH\",state=\"down\"} 1"));
    assert_true(
        has_line(text, "camwatch_camera_state{camera=\"CAH-002\",owner=\"CAH\",state=\"up\"} 0"));
    assert_true(has_line(
        text, "camwatch_camera_state_since_timestamp_seconds{camera=\"CAH-001\",owner=\"CAH\"} "
              "1700000000.5"));
    assert_true(has_line(
        text, "camwatch_camera_probe_latency_seconds{camera=\"CAH-001\",owner=\"CAH\"} 0.042"));
    assert_null(strstr(text, "camwatch_camera_probe_latency_seconds{camera=\"CAH-002\""));
    assert_true(has_line(text, "camwatch_camera_last_success_timestamp_seconds{camera=\"CAH-001\","
                               "owner=\"CAH\"} 1700000060"));
    assert_null(strstr(text, "camwatch_camera_last_success_timestamp_seconds{camera=\"CAH-002\""));
    /* measured only: CAH-002's 25 fps is the SDP's claim, with no sample behind it */
    assert_true(
        has_line(text, "camwatch_camera_frames_per_second{camera=\"CAH-001\",owner=\"CAH\"} 12.5"));
    assert_null(strstr(text, "camwatch_camera_frames_per_second{camera=\"CAH-002\""));
    /* 812.5 kbit/s in bytes a second, Prometheus' base unit */
    assert_true(has_line(
        text,
        "camwatch_camera_bitrate_bytes_per_second{camera=\"CAH-001\",owner=\"CAH\"} 101562.5"));
    /* the clock of a camera no longer listed is left out */
    assert_true(has_line(
        text, "camwatch_camera_clock_offset_seconds{camera=\"CAH-002\",owner=\"CAH\"} -3600.25"));
    assert_null(strstr(text, "GONE"));
    /* without counters given, their families are not written */
    assert_null(strstr(text, "camwatch_probes_total"));
    assert_null(strstr(text, "camwatch_http_"));
    free(text);
}

/* Every family, a sample's figures among them, as `promtool check metrics` reads them: no
 * error and not even a lint (test_prometheus.py runs it on a daemon that takes no samples). */
static void test_promtool_has_nothing_to_say_of_any_family(void **state)
{
    static const char promtool[] = "/usr/bin/promtool";
    char dir[256], in[512], out[512], cmd[2048];
    char *text = render(1), *said;
    size_t said_len = 0;
    int rc;

    (void)state;
    if (access(promtool, X_OK) != 0) {
        free(text);
        skip();
    }
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "metrics"), 0);
    snprintf(in, sizeof(in), "%s/metrics.txt", dir);
    snprintf(out, sizeof(out), "%s/promtool.out", dir);
    cwtest_write_file(in, text, 0600);
    snprintf(cmd, sizeof(cmd), "%s check metrics < '%s' > '%s' 2>&1", promtool, in, out);
    rc = system(cmd);
    said = cwtest_read_file(out, &said_len);
    if (rc != 0 || said_len != 0)
        fail_msg("promtool (status %d): %.*s", rc, (int)said_len, said);
    free(said);
    free(text);
    cwtest_rmtree(dir);
}

static void test_footage_age_and_the_daemons_own_vitals_and_last_reload(void **state)
{
    char *text = render(1), *none = render(0);

    (void)state;
    assert_true(has_line(text, "# TYPE camwatch_camera_footage_oldest_timestamp_seconds gauge"));
    assert_true(has_line(text, "camwatch_camera_footage_oldest_timestamp_seconds{camera="
                               "\"CAH-001\",owner=\"CAH\"} 1699990000.25"));
    assert_null(strstr(text, "GONE"));
    assert_true(has_line(text, "camwatch_loop_lag_seconds 0.001500"));
    assert_true(has_line(text, "camwatch_loop_lag_max_seconds 0.250000"));
    assert_true(has_line(text, "camwatch_store_write_seconds 0.002500"));
    assert_true(has_line(text, "camwatch_store_write_max_seconds 0.120000"));
    assert_true(has_line(text, "# TYPE camwatch_store_commits_total counter"));
    assert_true(has_line(text, "camwatch_store_commits_total 41"));
    assert_true(has_line(text, "camwatch_store_pending_writes 3"));
    assert_true(has_line(text, "camwatch_store_writable 1"));
    assert_true(has_line(text, "# TYPE camwatch_config_last_reload_successful gauge"));
    assert_true(has_line(text, "camwatch_config_last_reload_successful 0"));
    assert_true(
        has_line(text, "# TYPE camwatch_config_last_reload_success_timestamp_seconds gauge"));
    assert_true(has_line(text, "camwatch_config_last_reload_success_timestamp_seconds "
                               "1700000000.250"));
    /* not given: not written */
    assert_null(strstr(none, "camwatch_config_last_reload"));
    assert_null(strstr(none, "camwatch_loop_lag_seconds"));
    assert_null(strstr(none, "camwatch_store_write_seconds"));
    assert_null(strstr(none, "camwatch_camera_footage_oldest_timestamp_seconds{"));
    free(text);
    free(none);
}

static void test_label_values_are_escaped(void **state)
{
    char *text = render(0);

    (void)state;
    assert_true(has_line(text, "camwatch_camera_info{camera=\"CAH-001\",owner=\"CAH\","
                               "commune=\"Tân Thành\",name=\"Ngã ba \\\"QL80\\\"\\\\1\\n\"} 1"));
    free(text);
}

static void test_owners_count_every_state_and_probes_every_outcome(void **state)
{
    char *text = render(1);

    (void)state;
    assert_true(has_line(text, "camwatch_owner_cameras{owner=\"CAH\",state=\"up\"} 1"));
    assert_true(has_line(text, "camwatch_owner_cameras{owner=\"CAH\",state=\"down\"} 1"));
    assert_true(has_line(text, "camwatch_owner_cameras{owner=\"CAH\",state=\"maintenance\"} 0"));
    assert_true(has_line(text, "camwatch_owner_cameras{owner=\"CAX\",state=\"up\"} 0"));
    /* an owner not in the configuration is not an owner series */
    assert_null(strstr(text, "camwatch_owner_cameras{owner=\"BQLC\""));
    assert_true(has_line(text, "camwatch_probes_total{kind=\"rtsp\",outcome=\"ok\"} 10"));
    assert_true(has_line(text, "camwatch_probes_total{kind=\"rtsp\",outcome=\"timeout\"} 2"));
    assert_true(has_line(text, "camwatch_probes_total{kind=\"rtsp\",outcome=\"bad_sdp\"} 0"));
    assert_true(has_line(text, "camwatch_probes_total{kind=\"onvif\",outcome=\"auth\"} 1"));
    assert_true(has_line(text, "camwatch_probes_total{kind=\"sample\",outcome=\"ok\"} 5"));
    assert_true(has_line(text, "camwatch_http_requests_total{code=\"2xx\"} 7"));
    assert_true(has_line(text, "camwatch_http_requests_total{code=\"5xx\"} 1"));
    assert_true(has_line(text, "camwatch_http_connections 3"));
    assert_true(has_line(text, "camwatch_http_held_requests 1"));
    assert_true(has_line(text, "camwatch_http_auth_failures_total 4"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_family_has_help_and_type),
        cmocka_unit_test(test_cameras_in_base_units_and_unknown_facts_left_out),
        cmocka_unit_test(test_promtool_has_nothing_to_say_of_any_family),
        cmocka_unit_test(test_footage_age_and_the_daemons_own_vitals_and_last_reload),
        cmocka_unit_test(test_label_values_are_escaped),
        cmocka_unit_test(test_owners_count_every_state_and_probes_every_outcome),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
