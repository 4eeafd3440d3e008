/* test_text.c - UTF-8 decoding and Vietnamese folding (util/text.c): what the status
 * filter's --commune and the coming footage search by place rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_decodes_and_replaces_malformed_bytes),
        cmocka_unit_test(test_fold_lowers_and_strips_precomposed_and_decomposed),
        cmocka_unit_test(test_matches_without_diacritics_any_with_them_exactly),
        cmocka_unit_test(test_addf_joins_with_a_semicolon_and_cuts_what_does_not_fit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
