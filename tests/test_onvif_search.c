/* test_onvif_search.c - the readers of a recorder's Recording Search answers
 * (probes/onvif_search.c) on answers in a Hikvision NVR's style and with generated prefixes
 * (tests/data/onvif/SOURCES.md): the summary, a search's token and results, one recording's
 * tracks, xs:dateTime forms, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/onvif_search.h"
#include "../util/cwtime.h"
#include "cwtest.h"

#define T_20_14_59_58 1795186798000LL /* 2026-11-20T14:59:58Z */

static struct onvif_doc *load(const char *name)
{
    size_t len;
    char *buf = cwtest_read_data(name, &len);
    struct onvif_doc *d = NULL;
    struct cw_err err = {0};

    if (onvif_doc_parse(buf, len, &d, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    free(buf);
    return d;
}

static void test_summary_token_and_results(void **state)
{
    struct onvif_doc *d = load("onvif/hik_recording_summary.xml");
    struct onvif_recording_summary sum;
    struct onvif_recording rec[4];
    enum onvif_search_state st;
    char token[ONVIF_SEARCH_TOKEN_MAX];
    struct cw_err err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(onvif_parse_recording_summary(d, &sum, &err), 0);
    assert_true(sum.has_range);
    assert_int_equal(sum.number_recordings, 16);
    assert_true(sum.data_until_ms == T_20_14_59_58);
    onvif_doc_free(d);
    d = load("onvif/hik_find_recordings.xml");
    assert_int_equal(onvif_parse_search_token(d, token, sizeof(token), &err), 0);
    assert_string_equal(token, "SearchToken_7");
    onvif_doc_free(d);
    d = load("onvif/hik_recording_search_results.xml");
    assert_int_equal(onvif_parse_search_results(d, &st, rec, 4, &n, &err), 0);
    assert_int_equal(st, ONVIF_SEARCH_COMPLETED);
    assert_int_equal(n, 2);
    assert_string_equal(rec[0].token, "OnvifRecordingToken_1");
    assert_string_equal(rec[0].source_id, "SourceId_1");
    assert_string_equal(rec[0].source_name, "IpCamera_1");
    assert_string_equal(rec[0].status, "Recording");
    assert_int_equal(rec[0].n_tracks, 2);
    assert_string_equal(rec[0].tracks[0].type, "Video");
    assert_true(rec[0].tracks[0].has_data);
    assert_true(rec[0].tracks[0].to_ms == T_20_14_59_58);
    /* No track; a fraction and an offset: 08:30:00.250+07:00 is 01:30:00.250Z. */
    assert_int_equal(rec[1].n_tracks, 0);
    assert_true(rec[1].has_range);
    assert_true(rec[1].earliest_ms == 1793496600250LL);
    assert_true(rec[1].latest_ms == T_20_14_59_58);
    /* At most max. */
    assert_int_equal(onvif_parse_search_results(d, &st, rec, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    onvif_doc_free(d);
    d = load("onvif/ns_recording_search_results_searching.xml");
    assert_int_equal(onvif_parse_search_results(d, &st, rec, 4, &n, &err), 0);
    assert_int_equal(st, ONVIF_SEARCH_SEARCHING);
    assert_int_equal(n, 0);
    onvif_doc_free(d);
}

static void test_recording_information_and_a_fault(void **state)
{
    struct onvif_doc *d = load("onvif/hik_recording_information.xml");
    struct onvif_recording r;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(onvif_parse_recording_information(d, &r, &err), 0);
    assert_string_equal(r.token, "OnvifRecordingToken_1");
    assert_int_equal(r.n_tracks, 2);
    assert_string_equal(r.tracks[1].token, "audiotracktoken_1");
    onvif_doc_free(d);
    d = load("onvif/hik_fault_no_recording.xml");
    assert_int_equal(onvif_parse_recording_information(d, &r, &err), -1);
    assert_non_null(strstr(err.msg, "ter:NoRecording"));
    assert_int_equal(onvif_parse_search_token(d, r.token, sizeof(r.token), &err), -1);
    onvif_doc_free(d);
}

static void test_datetime_forms_and_refusals(void **state)
{
    static const char *const bad[] = {"",
                                      "2026-11-20",
                                      "2026-11-20 14:59:58Z",
                                      "2026-13-20T14:59:58Z",
                                      "2026-11-20T14:59:58.Z",
                                      "2026-11-20T14:59:58+7:00",
                                      "2026-11-20T14:59:58Zjunk",
                                      "1969-12-31T23:59:59Z"};
    int64_t ms;

    (void)state;
    assert_int_equal(cw_parse_iso_utc("2026-11-20T14:59:58Z", &ms), 0);
    assert_true(ms == T_20_14_59_58);
    assert_int_equal(cw_parse_iso_utc("2026-11-20T14:59:58", &ms), 0); /* no zone: UTC */
    assert_true(ms == T_20_14_59_58);
    assert_int_equal(cw_parse_iso_utc("2026-11-20T09:59:58.5-05:00", &ms), 0);
    assert_true(ms == T_20_14_59_58 + 500);
    assert_int_equal(cw_parse_iso_utc("2026-11-20T14:59:58.123456789Z", &ms), 0);
    assert_true(ms == T_20_14_59_58 + 123);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (cw_parse_iso_utc(bad[i], &ms) == 0)
            fail_msg("'%s' read as a time", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_token_and_results),
        cmocka_unit_test(test_recording_information_and_a_fault),
        cmocka_unit_test(test_datetime_forms_and_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
