/* test_text.c - UTF-8 decoding and Vietnamese folding (util/text.c): what the status
 * filter's --commune and the coming footage search by place rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/state.h"
#include "../util/text.h"

static void test_next_decodes_and_replaces_malformed_bytes(void **state)
{
    const char *s = "aĐ\xe1\xba\xa1\xc3(";

    (void)state;
    assert_int_equal(cw_text_next(&s), 'a');
    assert_int_equal(cw_text_next(&s), 0x110);
    assert_int_equal(cw_text_next(&s), 0x1ea1); /* ạ */
    assert_int_equal(cw_text_next(&s), 0xfffd); /* \xc3 without its continuation */
    assert_int_equal(cw_text_next(&s), '(');
    assert_int_equal(*s, '\0');
}

static void test_fold_lowers_and_strips_precomposed_and_decomposed(void **state)
{
    char *a = cw_text_fold("Đồng Tháp", 1), *b = cw_text_fold("Đồng Tháp", 0);
    char *c = cw_text_fold("To\xcc\x82n", 1); /* "Tôn" with a combining circumflex */

    (void)state;
    assert_string_equal(a, "dong thap");
    assert_string_equal(b, "đồng tháp");
    assert_string_equal(c, "ton");
    free(a);
    free(b);
    free(c);
}

static void test_matches_without_diacritics_any_with_them_exactly(void **state)
{
    (void)state;
    assert_int_equal(cw_text_matches("Tân Thành", "tan thanh"), 1);
    assert_int_equal(cw_text_matches("Tân Thạnh", "TAN THANH"), 1);
    assert_int_equal(cw_text_matches("Tân Thành", "TÂN THÀNH"), 1);
    assert_int_equal(cw_text_matches("Tân Thạnh", "Tân Thành"), 0);
    assert_int_equal(cw_text_matches("Tân Dương", "tan thanh"), 0);
}

static void test_addf_joins_with_a_semicolon_and_cuts_what_does_not_fit(void **state)
{
    char buf[24] = "";
    char tiny[4] = "ab";
    (void)state;

    cw_text_addf(buf, sizeof(buf), "slow answer: %d ms", 2506);
    assert_string_equal(buf, "slow answer: 2506 ms");
    cw_text_addf(buf, sizeof(buf), "%s", "bad SDP");
    assert_string_equal(buf, "slow answer: 2506 ms; b"); /* cut at the end of buf */
    cw_text_addf(buf, sizeof(buf), "%s", "more");
    assert_string_equal(buf, "slow answer: 2506 ms; b"); /* full: nothing added */
    cw_text_addf(tiny, sizeof(tiny), "%s", "x");         /* no room for the separator */
    assert_string_equal(tiny, "abx");
}

/* The examples: any case, with or without diacritics, đ as d, inside a longer name. */
static void test_contains_finds_places_typed_without_diacritics(void **state)
{
    (void)state;
    assert_int_equal(cw_text_contains("Chợ Lai Vung", "cho lai vung"), 1);
    assert_int_equal(cw_text_contains("Cổng chợ Tân Dương, ấp Tân Lộc", "tan duong"), 1);
    assert_int_equal(cw_text_contains("Ngã ba QL80 - ĐT851", "dt851"), 1);
    assert_int_equal(cw_text_contains("Đường Nguyễn Huệ", "duong nguyen hue"), 1);
    assert_int_equal(cw_text_contains("Cầu Lai Vung", "CẦU LAI"), 1);
    assert_int_equal(cw_text_contains("Cầu Lai Vung", "Câu Lai"), 0); /* typed with marks */
    assert_int_equal(cw_text_contains("Tân Thành", "tan duong"), 0);
    assert_int_equal(cw_text_contains("anything", ""), 1);
}

/* Decomposed input (NFD, as macOS and some keyboards write it) folds like precomposed, with
 * and without stripping, and đ typed decomposed does not exist: D with a stroke is one code
 * point either way. */
static void test_fold_treats_nfd_like_nfc_and_strips_d_stroke(void **state)
{
    /* "Dương" with u + combining horn (U+031B), o + combining horn */
    const char *nfd = "D\x75\xcc\x9b\x6f\xcc\x9bng", *nfc = "Dương";
    char *a = cw_text_fold(nfd, 0), *b = cw_text_fold(nfc, 0), *c = cw_text_fold(nfd, 1);
    char *d = cw_text_fold("ĐĐđ", 1);

    (void)state;
    assert_string_equal(a, b);
    assert_string_equal(c, "duong");
    assert_string_equal(d, "ddd");
    assert_int_equal(cw_text_matches(nfd, "Dương"), 1);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* NFC keeps case and composes what was typed decomposed: "Long Thắng" with a + combining
 * breve + combining acute (Unikey's "Unicode to hop", a CSV saved on macOS) becomes the
 * bytes of the precomposed spelling; ASCII and NFC text come back as they were. */
static void test_nfc_composes_decomposed_text_and_keeps_case(void **state)
{
    char *nfd = strdup("Long Tha\xcc\x86\xcc\x81ng"), *nfc = strdup("Long Thắng");
    char *ascii = strdup("CAH-001"), *none = NULL;
    const char *ascii_was = ascii;

    (void)state;
    assert_non_null(nfd);
    assert_non_null(nfc);
    assert_non_null(ascii);
    assert_string_not_equal(nfd, "Long Thắng");
    assert_int_equal(cw_text_nfc(&nfd), 0);
    assert_int_equal(cw_text_nfc(&nfc), 0);
    assert_int_equal(cw_text_nfc(&ascii), 0);
    assert_int_equal(cw_text_nfc(&none), 0);
    assert_string_equal(nfd, "Long Thắng");
    assert_string_equal(nfc, "Long Thắng");
    assert_ptr_equal(ascii, ascii_was);
    assert_null(none);
    free(nfd);
    free(nfc);
    free(ascii);
}

/* A malformed byte never makes folding fail: it is U+FFFD and the rest folds. */
static void test_fold_survives_malformed_utf8(void **state)
{
    char *a = cw_text_fold("Ch\xffợ \xc3", 1);

    (void)state;
    assert_non_null(a);
    assert_string_equal(a, "ch\xef\xbf\xbdo \xef\xbf\xbd");
    assert_int_equal(cw_text_contains("Ch\xffợ Lai Vung", "lai vung"), 1);
    free(a);
}

static void test_name_index_finds_an_enum_by_its_exact_name(void **state)
{
    static const char *const names[] = {NULL, "ok", "degraded", "fail"};

    (void)state;
    assert_int_equal(cw_text_name_index(CW_NAMES(names), "degraded"), 2);
    assert_int_equal(cw_text_name_index(CW_NAMES(names), "ok"), 1);
    assert_int_equal(cw_text_name_index(CW_NAMES(names), "OK"), -1);
    assert_int_equal(cw_text_name_index(CW_NAMES(names), "ok "), -1);
    assert_int_equal(cw_text_name_index(CW_NAMES(names), ""), -1);
    assert_int_equal(cw_text_name_index(CW_NAMES(names), NULL), -1);
}

static void test_name_at_falls_back_past_the_table_and_on_holes(void **state)
{
    static const char *const names[] = {NULL, "ok", "degraded", "fail"};

    (void)state;
    assert_string_equal(cw_text_name_at(CW_NAMES(names), 3, "?"), "fail");
    assert_string_equal(cw_text_name_at(CW_NAMES(names), 0, "?"), "?");
    assert_string_equal(cw_text_name_at(CW_NAMES(names), 4, "?"), "?");
    assert_string_equal(cw_text_name_at(CW_NAMES(names), (unsigned)-1, "?"), "?");
}

/* A state typed by a user (--state DOWN, ?state=Down) is one of a fixed vocabulary: any case
 * reads as it, as quality flags do; anything else is still refused. */
static void test_state_parse_takes_a_state_name_in_any_case(void **state)
{
    enum cw_state s = CW_UNKNOWN;

    (void)state;
    assert_int_equal(cw_state_parse("down", &s), 0);
    assert_int_equal(s, CW_DOWN);
    assert_int_equal(cw_state_parse("DOWN", &s), 0);
    assert_int_equal(s, CW_DOWN);
    assert_int_equal(cw_state_parse("Maintenance", &s), 0);
    assert_int_equal(s, CW_MAINTENANCE);
    s = CW_UP;
    assert_int_equal(cw_state_parse("dow", &s), -1);
    assert_int_equal(cw_state_parse("down ", &s), -1);
    assert_int_equal(cw_state_parse("", &s), -1);
    assert_int_equal(cw_state_parse(NULL, &s), -1);
    assert_int_equal(s, CW_UP); /* untouched when refused */
}

static void test_xml_entity_stands_for_markup_characters_only(void **state)
{
    (void)state;
    assert_string_equal(cw_text_xml_entity('&'), "&amp;");
    assert_string_equal(cw_text_xml_entity('<'), "&lt;");
    assert_string_equal(cw_text_xml_entity('>'), "&gt;");
    assert_string_equal(cw_text_xml_entity('"'), "&quot;");
    assert_null(cw_text_xml_entity('a'));
    assert_null(cw_text_xml_entity('\''));
    assert_null(cw_text_xml_entity((char)0xc3)); /* a UTF-8 lead byte passes as it is */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_decodes_and_replaces_malformed_bytes),
        cmocka_unit_test(test_fold_lowers_and_strips_precomposed_and_decomposed),
        cmocka_unit_test(test_matches_without_diacritics_any_with_them_exactly),
        cmocka_unit_test(test_addf_joins_with_a_semicolon_and_cuts_what_does_not_fit),
        cmocka_unit_test(test_contains_finds_places_typed_without_diacritics),
        cmocka_unit_test(test_fold_treats_nfd_like_nfc_and_strips_d_stroke),
        cmocka_unit_test(test_nfc_composes_decomposed_text_and_keeps_case),
        cmocka_unit_test(test_fold_survives_malformed_utf8),
        cmocka_unit_test(test_name_index_finds_an_enum_by_its_exact_name),
        cmocka_unit_test(test_name_at_falls_back_past_the_table_and_on_holes),
        cmocka_unit_test(test_state_parse_takes_a_state_name_in_any_case),
        cmocka_unit_test(test_xml_entity_stands_for_markup_characters_only),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
