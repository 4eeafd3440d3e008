/* test_httpparse.c - the readers of request bytes (daemon/httpparse.c): a path against the
 * API's route patterns (traversal and odd segments never match), Range headers as RFC 9110
 * reads them, bearer tokens, bounded numbers, and JSON bodies checked field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/httpparse.h"
#include "cwtest.h"

#define CAM "/api/v1/cameras/{id}/thumbnail"

static void test_route_captures_one_whole_segment_per_name(void **state)
{
    struct httpparse_captures c;

    (void)state;
    assert_true(httpparse_route(CAM, "/api/v1/cameras/CAH-001/thumbnail", &c));
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0], "CAH-001");
    assert_true(httpparse_route("/a/{x}/b/{y}", "/a/Tân Dương/b/2", &c));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0], "Tân Dương");
    assert_string_equal(c.v[1], "2");
    assert_true(httpparse_route("/healthz", "/healthz", &c));
    assert_int_equal(c.n, 0);
}

static void test_route_refuses_other_shapes_and_traversal(void **state)
{
    struct httpparse_captures c;
    char long_seg[HTTPPARSE_SEGMENT_MAX + 40];

    (void)state;
    /* more or fewer segments, a trailing slash, an empty capture */
    assert_false(httpparse_route(CAM, "/api/v1/cameras/../../../etc/passwd/thumbnail", &c));
    assert_false(httpparse_route(CAM, "/api/v1/cameras/a/b/thumbnail", &c));
    assert_false(httpparse_route(CAM, "/api/v1/cameras/CAH-001/thumbnail/", &c));
    assert_false(httpparse_route(CAM, "/api/v1/cameras//thumbnail", &c));
    assert_false(httpparse_route(CAM, "/api/v1/cameras/thumbnail", &c));
    assert_false(httpparse_route("/api/v1/cameras", "/api/v1/cameras/", &c));
    assert_false(httpparse_route("/api/v1/cameras", "api/v1/cameras", &c));
    assert_false(httpparse_route("/api/v1/cameras", "/API/v1/cameras", &c));
    assert_false(httpparse_route("/api/v1/cameras", "", &c));
    /* a control character or an overlong segment is no camera id */
    assert_false(httpparse_route(CAM, "/api/v1/cameras/a\tb/thumbnail", &c));
    memset(long_seg, 'x', sizeof(long_seg) - 1);
    long_seg[sizeof(long_seg) - 1] = '\0';
    memcpy(long_seg, "/a/", 3);
    assert_false(httpparse_route("/a/{x}", long_seg, &c));
    /* "." and ".." are segments like any other: they match a capture, and the handler finds
     * no such camera; they never walk the pattern */
    assert_true(httpparse_route(CAM, "/api/v1/cameras/../thumbnail", &c));
    assert_string_equal(c.v[0], "..");
    assert_false(httpparse_route(NULL, "/a", &c));
    assert_false(httpparse_route("/a", NULL, &c));
}

static void test_range_reads_one_range_and_ignores_the_rest(void **state)
{
    uint64_t a = 7, b = 7;

    (void)state;
    assert_int_equal(httpparse_range("bytes=0-99", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 0 && b == 99);
    assert_int_equal(httpparse_range("bytes=500-", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 500 && b == 999);
    assert_int_equal(httpparse_range("bytes=-100", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 900 && b == 999);
    assert_int_equal(httpparse_range("bytes=-5000", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 0 && b == 999);
    /* the last byte past the end is cut to the end */
    assert_int_equal(httpparse_range("bytes=990-5000", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 990 && b == 999);
    assert_int_equal(httpparse_range("Bytes=1-2 ", 1000, &a, &b), HTTPPARSE_RANGE_OK);
    assert_true(a == 1 && b == 2);
    /* past the end: 416 */
    assert_int_equal(httpparse_range("bytes=1000-", 1000, &a, &b), HTTPPARSE_RANGE_UNSATISFIABLE);
    assert_int_equal(httpparse_range("bytes=-0", 1000, &a, &b), HTTPPARSE_RANGE_UNSATISFIABLE);
    assert_int_equal(httpparse_range("bytes=0-", 0, &a, &b), HTTPPARSE_RANGE_UNSATISFIABLE);
    /* ignored: the whole file is sent */
    assert_int_equal(httpparse_range(NULL, 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=0-1,5-6", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=9-3", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("items=0-1", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=-", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=x-1", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=99999999999999999999-", 1000, &a, &b),
                     HTTPPARSE_RANGE_NONE);
    assert_int_equal(httpparse_range("bytes=+1-2", 1000, &a, &b), HTTPPARSE_RANGE_NONE);
}

static void test_bearer_takes_one_b64token(void **state)
{
    const char *t = NULL;

    (void)state;
    assert_int_equal(httpparse_bearer("Bearer cw_abc-_.~+/xyz==", 64, &t), 17);
    assert_memory_equal(t, "cw_abc-_.~+/xyz==", 17);
    assert_int_equal(httpparse_bearer("bearer  tok ", 64, &t), 3);
    assert_memory_equal(t, "tok", 3);
    assert_int_equal(httpparse_bearer(NULL, 64, &t), 0);
    assert_int_equal(httpparse_bearer("Basic dXNlcjpwYXNz", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer ", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearertok", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer two words", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer ==", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer a'OR'1'='1", 64, &t), 0);
    assert_int_equal(httpparse_bearer("Bearer 0123456789", 9, &t), 0); /* over max */
}

static void test_uint_is_whole_decimal_within_bounds(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(httpparse_uint("10000", 1, 10000, &v), 0);
    assert_true(v == 10000);
    assert_int_equal(httpparse_uint("10001", 1, 10000, &v), -1);
    assert_int_equal(httpparse_uint("0", 1, 10000, &v), -1);
    assert_int_equal(httpparse_uint("", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint("-1", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint("+1", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint(" 1", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint("1 ", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint("1;DROP TABLE camera", 0, 10, &v), -1);
    assert_int_equal(httpparse_uint("18446744073709551616", 0, UINT64_MAX, &v), -1);
    assert_int_equal(httpparse_uint(NULL, 0, 10, &v), -1);
}

static const struct httpparse_field fields[] = {
    {"on", HTTPPARSE_BOOL, 1, 0},
    {"note", HTTPPARSE_STRING, 0, 8},
    {"n", HTTPPARSE_INT, 0, 100},
};

/* httpparse_json of text; why in why. Returns its result. */
static int body(const char *text, char *why, size_t len)
{
    json_t *o = NULL;
    int rc = httpparse_json(text, strlen(text), fields, 3, &o, why, len);

    if (rc == 0)
        assert_non_null(o);
    else
        assert_null(o);
    json_decref(o);
    return rc;
}

static void test_json_body_holds_only_its_fields_of_their_types(void **state)
{
    char why[256];
    json_t *o;
    const char *good = "{\"on\": true, \"note\": \"mưa\", \"n\": 3}";

    (void)state;
    assert_int_equal(httpparse_json(good, strlen(good), fields, 3, &o, why, sizeof(why)), 0);
    assert_true(json_is_true(json_object_get(o, "on")));
    json_decref(o);
    assert_int_equal(body("{\"on\": false}", why, sizeof(why)), 0);
    assert_int_equal(body("{}", why, sizeof(why)), -1);
    assert_string_equal(why, "field 'on' is required");
    assert_int_equal(body("{\"on\": 1}", why, sizeof(why)), -1);
    assert_string_equal(why, "field 'on' must be true or false");
    assert_int_equal(body("{\"on\": true, \"x\": 1}", why, sizeof(why)), -1);
    assert_string_equal(why, "unknown field 'x'");
    assert_int_equal(body("{\"on\": true, \"note\": \"123456789\"}", why, sizeof(why)), -1);
    assert_string_equal(why, "field 'note' is longer than 8 bytes");
    assert_int_equal(body("{\"on\": true, \"n\": 101}", why, sizeof(why)), -1);
    assert_string_equal(why, "field 'n' must be between 0 and 100");
    assert_int_equal(body("{\"on\": true, \"n\": -1}", why, sizeof(why)), -1);
    assert_int_equal(body("{\"on\": true, \"n\": 1.5}", why, sizeof(why)), -1);
    assert_string_equal(why, "field 'n' must be a whole number");
    assert_int_equal(body("[true]", why, sizeof(why)), -1);
    assert_string_equal(why, "expected a JSON object");
    assert_int_equal(body("{\"on\": true, \"on\": false}", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "duplicate"));
    assert_int_equal(body("{\"on\": tru", why, sizeof(why)), -1);
    assert_true(strncmp(why, "not valid JSON: ", 16) == 0);
    assert_int_equal(body("", why, sizeof(why)), -1);
    assert_int_equal(body("{\"on\": true, \"note\": \"a\\u0000b\"}", why, sizeof(why)), -1);
    assert_int_equal(body("{\"on\": true} trailing", why, sizeof(why)), -1);
    /* bytes that are not UTF-8 */
    assert_int_equal(body("{\"on\": true, \"note\": \"\xc3\x28\"}", why, sizeof(why)), -1);
    /* a body without its NUL is read by its length only */
    assert_int_equal(httpparse_json("{\"on\": true}xxxx", 12, fields, 3, &o, why, sizeof(why)), 0);
    json_decref(o);
}

/* A JSON client writes a radius as a number: "radius": 100 was refused ("must be a string").
 * A numeric field takes a number or a string, and nothing else; its text is what a query
 * parameter would give, for the reader of the parameter to judge alike. */
static void test_json_numeric_field_takes_a_number_or_a_string(void **state)
{
    static const struct httpparse_field f[] = {{"radius", HTTPPARSE_NUMERIC, 0, 8}};
    static const struct {
        const char *body, *text;
    } good[] = {
        {"{\"radius\": 100}", "100"},
        {"{\"radius\": 12.5}", "12.5"},
        {"{\"radius\": -5}", "-5"},
        {"{\"radius\": 0}", "0"},
        {"{\"radius\": 0.1}", NULL},
        {"{\"radius\": 1e3}", "1000"},
        {"{\"radius\": \"2km\"}", "2km"},
        {"{\"radius\": \"\"}", ""},
        {"{}", NULL},
    };
    static const char *const bad[] = {"{\"radius\": true}", "{\"radius\": null}",
                                      "{\"radius\": [100]}", "{\"radius\": {\"m\": 100}}"};
    char why[256], buf[40];
    const char *t;
    json_t *o;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (httpparse_json(good[i].body, strlen(good[i].body), f, 1, &o, why, sizeof(why)) != 0)
            fail_msg("refused %s: %s", good[i].body, why);
        t = httpparse_text(json_object_get(o, "radius"), buf, sizeof(buf));
        if (strcmp(good[i].body, "{}") == 0)
            assert_null(t);
        else if (good[i].text != NULL)
            assert_string_equal(t, good[i].text);
        else /* a real reads back to the same double */
            assert_true(strtod(t, NULL) == json_real_value(json_object_get(o, "radius")));
        json_decref(o);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(httpparse_json(bad[i], strlen(bad[i]), f, 1, &o, why, sizeof(why)), -1);
        assert_null(o);
        assert_string_equal(why, "field 'radius' must be a number or a string");
    }
    t = "{\"radius\": \"123456789\"}";
    assert_int_equal(httpparse_json(t, strlen(t), f, 1, &o, why, sizeof(why)), -1);
    assert_string_equal(why, "field 'radius' is longer than 8 bytes");
    assert_null(httpparse_text(json_true(), buf, sizeof(buf)));
}

static void test_unescape_decodes_all_but_a_nul(void **state)
{
    char path[] = "/api/v1/cameras/C%41H-001%00x", plus[] = "a%2Fb%2f%7e%zz%4%", hi[] = "%C3%A2";

    (void)state;
    assert_int_equal(httpparse_unescape(path), strlen("/api/v1/cameras/CAH-001%00x"));
    assert_string_equal(path, "/api/v1/cameras/CAH-001%00x");
    assert_int_equal(httpparse_unescape(plus), strlen("a/b/~%zz%4%"));
    assert_string_equal(plus, "a/b/~%zz%4%");
    assert_int_equal(httpparse_unescape(hi), 2);
    assert_string_equal(hi, "\xc3\xa2");
}

static void test_origin_takes_the_path_of_an_absolute_target(void **state)
{
    static const char *const cases[][2] = {
        {"http://127.0.0.1:8640/api/v1/whoami", "/api/v1/whoami"},
        {"HTTP://camwatch.example/api/v1/cameras", "/api/v1/cameras"},
        {"https://user@[::1]:1/static/app.js", "/static/app.js"},
        {"http://127.0.0.1:8640", "/"},
        {"http://", "/"},
        {"/api/v1/whoami", "/api/v1/whoami"},
        {"/http://x/api/v1/whoami", "/http://x/api/v1/whoami"},
        {"ftp://x/api/v1/whoami", "ftp://x/api/v1/whoami"},
        {"http:/x/api", "http:/x/api"},
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(httpparse_origin(cases[i][0]), cases[i][1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_captures_one_whole_segment_per_name),
        cmocka_unit_test(test_route_refuses_other_shapes_and_traversal),
        cmocka_unit_test(test_range_reads_one_range_and_ignores_the_rest),
        cmocka_unit_test(test_bearer_takes_one_b64token),
        cmocka_unit_test(test_uint_is_whole_decimal_within_bounds),
        cmocka_unit_test(test_unescape_decodes_all_but_a_nul),
        cmocka_unit_test(test_origin_takes_the_path_of_an_absolute_target),
        cmocka_unit_test(test_json_body_holds_only_its_fields_of_their_types),
        cmocka_unit_test(test_json_numeric_field_takes_a_number_or_a_string),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
