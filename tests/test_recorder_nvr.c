/* test_recorder_nvr.c - the NVRs' own APIs read and asked (probes/recorder_nvr.h): Hikvision
 * ISAPI's CMSearchResult pages and CMSearchDescription, Dahua's mediaFileFind answers, on
 * answers written from the vendors' published examples (tests/data/isapi, tests/data/dahua,
 * SOURCES.md): times in the recorder's zone, ids, sizes, paging, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/recorder_nvr.h"
#include "../probes/recorder_remote.h"
#include "cwtest.h"

#define T_20_13_00 1795179600000LL /* 2026-11-20T13:00:00Z: 20:00 in Hanoi */

static struct cw_zone *zone(const char *name)
{
    struct cw_zone *z = NULL;
    struct cw_err err = {0};

    if (cw_zone_load(name, &z, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    return z;
}

static int isapi(const char *name, const struct cw_zone *z, struct rec_item *items, size_t cap,
                 struct isapi_page *page, struct cw_err *err)
{
    size_t len;
    char *buf = cwtest_read_data(name, &len);
    int rc = isapi_parse_search(buf, len, z, items, cap, page, err);

    free(buf);
    return rc;
}

static int dahua(const char *name, const struct cw_zone *z, struct rec_item *items, size_t cap,
                 size_t *n, size_t *found, struct cw_err *err)
{
    size_t len;
    char *buf = cwtest_read_data(name, &len);
    int rc = dahua_parse_files(buf, len, z, items, cap, n, found, err);

    free(buf);
    return rc;
}

static void test_isapi_page_reads_files_in_the_recorders_wall_time(void **state)
{
    struct cw_zone *hanoi = zone("Asia/Ho_Chi_Minh"), *tokyo = zone("Asia/Tokyo");
    struct rec_item it[4];
    struct isapi_page page;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(isapi("isapi/search_more.xml", hanoi, it, 4, &page, &err), 0);
    assert_true(page.more);
    assert_int_equal(page.n_matches, 2);
    assert_int_equal(page.n, 2);
    /* "20:00:00Z" is the recorder's 20:00: 13:00 UTC in Hanoi */
    assert_true(it[0].start_ms == T_20_13_00);
    assert_true(it[0].end_ms == T_20_13_00 + (64 * 60 + 17) * 1000LL);
    assert_string_equal(it[0].id, "101/00010000003000000");
    assert_true(it[0].bytes == 1073692672LL);
    assert_string_equal(it[0].tokens[0], "101");
    assert_string_equal(it[0].tokens[1], "1");
    assert_string_equal(it[1].id, "101/00010000003000001");
    assert_true(it[1].start_ms == it[0].end_ms);
    /* the same answer from a recorder set to Tokyo is two hours earlier in UTC */
    assert_int_equal(isapi("isapi/search_more.xml", tokyo, it, 4, &page, &err), 0);
    assert_true(it[0].start_ms == T_20_13_00 - 2 * 3600 * 1000LL);
    /* a page larger than the room given: counted, not overrun */
    assert_int_equal(isapi("isapi/search_more.xml", hanoi, it, 1, &page, &err), 0);
    assert_int_equal(page.n, 1);
    assert_int_equal(page.n_matches, 2);
    cw_zone_free(hanoi);
    cw_zone_free(tokyo);
}

static void test_isapi_explicit_offset_is_taken_as_written(void **state)
{
    struct cw_zone *tokyo = zone("Asia/Tokyo");
    struct rec_item it[2];
    struct isapi_page page;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(isapi("isapi/search_ok_offset.xml", tokyo, it, 2, &page, &err), 0);
    assert_false(page.more);
    assert_int_equal(page.n, 1);
    assert_true(it[0].start_ms == T_20_13_00);
    assert_true(it[0].end_ms == T_20_13_00 + 1800 * 1000LL);
    /* no name= in its playbackURI: the track and start time name it; no size= */
    assert_string_equal(it[0].id, "201/2026-11-20T20:00:00+07:00");
    assert_true(it[0].bytes == 0);
    assert_string_equal(it[0].tokens[1], "2");
    cw_zone_free(tokyo);
}

static void test_isapi_no_matches_and_refusals(void **state)
{
    struct cw_zone *z = zone("Asia/Ho_Chi_Minh");
    struct rec_item it[2];
    struct isapi_page page;
    struct cw_err err = {0};
    static const char html[] = "<html><body>login</body></html>";

    (void)state;
    assert_int_equal(isapi("isapi/search_no_matches.xml", z, it, 2, &page, &err), 0);
    assert_false(page.more);
    assert_int_equal(page.n_matches, 0);
    assert_int_equal(page.n, 0);
    assert_int_equal(isapi("isapi/response_status_bad_xml.xml", z, it, 2, &page, &err), -1);
    assert_non_null(strstr(err.msg, "Invalid XML Content, badXmlContent"));
    assert_int_equal(isapi("isapi/search_bad_time.xml", z, it, 2, &page, &err), -1);
    assert_non_null(strstr(err.msg, "match 1: startTime '2026-13-20T20:00:00Z'"));
    assert_int_equal(isapi_parse_search(html, strlen(html), z, it, 2, &page, &err), -1);
    assert_int_equal(isapi_parse_search("<a/>", 4, z, it, 2, &page, &err), -1);
    assert_non_null(strstr(err.msg, "not a CMSearchResult"));
    cw_zone_free(z);
}

static void test_isapi_tracks_and_the_search_asked(void **state)
{
    struct cw_zone *z = zone("Asia/Ho_Chi_Minh");
    struct cw_err err = {0};
    char *body = NULL;

    (void)state;
    assert_int_equal(isapi_track_of("1"), 101);
    assert_int_equal(isapi_track_of("16"), 1601);
    assert_int_equal(isapi_track_of("102"), 102);
    assert_int_equal(isapi_track_of("0"), -1);
    assert_int_equal(isapi_track_of("01"), -1);
    assert_int_equal(isapi_track_of("ch1"), -1);
    assert_int_equal(isapi_track_of("123456"), -1);
    assert_int_equal(isapi_build_search("ID-1", 101, T_20_13_00, T_20_13_00 + 3600000, z, 40,
                                        ISAPI_PAGE_MAX, &body, &err),
                     0);
    assert_non_null(strstr(body, "<searchID>ID-1</searchID>"));
    assert_non_null(strstr(body, "<trackID>101</trackID>"));
    /* the recorder's wall time, with the Z its firmware expects */
    assert_non_null(strstr(body, "<startTime>2026-11-20T20:00:00Z</startTime>"));
    assert_non_null(strstr(body, "<endTime>2026-11-20T21:00:00Z</endTime>"));
    assert_non_null(strstr(body, "<maxResults>40</maxResults>"));
    assert_non_null(strstr(body, "<searchResultPostion>40</searchResultPostion>"));
    free(body);
    cw_zone_free(z);
}

static void test_dahua_finder_and_ok_answers(void **state)
{
    char obj[24];
    struct cw_err err = {0};
    size_t len;
    char *buf;

    (void)state;
    buf = cwtest_read_data("dahua/factory_create.txt", &len);
    assert_int_equal(dahua_parse_object(buf, len, obj, sizeof(obj), &err), 0);
    assert_string_equal(obj, "08137");
    free(buf);
    buf = cwtest_read_data("dahua/ok.txt", &len);
    assert_int_equal(dahua_parse_ok(buf, len, &err), 0);
    assert_int_equal(dahua_parse_object(buf, len, obj, sizeof(obj), &err), -1);
    assert_non_null(strstr(err.msg, "unexpected answer 'OK'"));
    free(buf);
    buf = cwtest_read_data("dahua/error.txt", &len);
    assert_int_equal(dahua_parse_ok(buf, len, &err), -1);
    assert_string_equal(err.msg, "the recorder said Error: Bad Request!");
    free(buf);
    assert_int_equal(dahua_parse_object("result=12ab\r\n", 13, obj, sizeof(obj), &err), -1);
    assert_non_null(strstr(err.msg, "no finder id"));
}

static void test_dahua_files_in_wall_time_pictures_left_out(void **state)
{
    struct cw_zone *z = zone("Asia/Ho_Chi_Minh");
    struct rec_item it[DAHUA_PAGE_MAX];
    struct cw_err err = {0};
    size_t n, found;

    (void)state;
    assert_int_equal(dahua("dahua/next_files.txt", z, it, DAHUA_PAGE_MAX, &n, &found, &err), 0);
    assert_int_equal(found, 3);
    assert_int_equal(n, 2); /* the jpg is no footage */
    assert_true(it[0].start_ms == T_20_13_00);
    assert_true(it[0].end_ms == T_20_13_00 + 3600 * 1000LL);
    assert_true(it[0].bytes == 524288000LL);
    assert_string_equal(it[0].id,
                        "/mnt/dvr/sda0/2026/11/20/dav/20/20.00.00-21.00.00[R][0@0][0].dav");
    assert_string_equal(it[0].tokens[0], "1");
    /* "21:2:5", unpadded as the documents' examples write times */
    assert_true(it[1].end_ms == T_20_13_00 + (3600 + 125) * 1000LL);
    /* fewer slots than files: the first ones, nothing overrun */
    assert_int_equal(dahua("dahua/next_files.txt", z, it, 1, &n, &found, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dahua("dahua/next_none.txt", z, it, DAHUA_PAGE_MAX, &n, &found, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(n, 0);
    cw_zone_free(z);
}

static void test_dahua_refusals_name_the_line(void **state)
{
    struct cw_zone *z = zone("Asia/Ho_Chi_Minh");
    struct rec_item it[4];
    struct cw_err err = {0};
    size_t n, found;
    static const char no_path[] = "found=1\r\nitems[0].StartTime=2026-11-20 20:00:00\r\n"
                                  "items[0].EndTime=2026-11-20 21:00:00\r\n";
    static const char junk[] = "found=1\r\nitems[0].FilePath=/a.dav\r\nthis is not a pair\r\n";

    (void)state;
    assert_int_equal(dahua("dahua/next_bad_time.txt", z, it, 4, &n, &found, &err), -1);
    assert_non_null(strstr(err.msg, "line 3: items[0].StartTime '2026-11-20 25:00:00'"));
    assert_int_equal(dahua("dahua/error.txt", z, it, 4, &n, &found, &err), -1);
    assert_string_equal(err.msg, "the recorder said Error: Bad Request!");
    assert_int_equal(dahua_parse_files(no_path, strlen(no_path), z, it, 4, &n, &found, &err), -1);
    assert_non_null(strstr(err.msg, "items[0] without FilePath"));
    assert_int_equal(dahua_parse_files(junk, strlen(junk), z, it, 4, &n, &found, &err), -1);
    assert_non_null(strstr(err.msg, "line 3:"));
    cw_zone_free(z);
}

static void test_url_base_drops_trailing_slashes_only(void **state)
{
    (void)state;
    assert_int_equal(rec_url_base_len("http://127.0.0.1:8080"), 21);
    assert_int_equal(rec_url_base_len("http://127.0.0.1:8080/"), 21);
    assert_int_equal(rec_url_base_len("http://127.0.0.1:8080//"), 21);
    assert_int_equal(rec_url_base_len("http://127.0.0.1:8080/nvr/"), 25);
    assert_int_equal(rec_url_base_len(""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isapi_page_reads_files_in_the_recorders_wall_time),
        cmocka_unit_test(test_isapi_explicit_offset_is_taken_as_written),
        cmocka_unit_test(test_isapi_no_matches_and_refusals),
        cmocka_unit_test(test_isapi_tracks_and_the_search_asked),
        cmocka_unit_test(test_dahua_finder_and_ok_answers),
        cmocka_unit_test(test_dahua_files_in_wall_time_pictures_left_out),
        cmocka_unit_test(test_dahua_refusals_name_the_line),
        cmocka_unit_test(test_url_base_drops_trailing_slashes_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
