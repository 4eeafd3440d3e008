/* test_vec.c - growing an array by doubling (util/vec.c), the one way the product's lists make
 * room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"

static void test_grow_starts_at_first_then_doubles(void **state)
{
    int *v = NULL;
    size_t n = 0, cap = 0;

    (void)state;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(cw_vec_grow(&v, n, &cap, sizeof(*v), 4), 0);
        v[n++] = i;
        assert_true(n <= cap);
    }
    assert_int_equal(cap, 32); /* 4, 8, 16, 32 */
    for (int i = 0; i < 20; i++)
        assert_int_equal(v[i], i);
    free(v);
}

static void test_grow_leaves_an_array_with_room_alone(void **state)
{
    int *v = malloc(8 * sizeof(*v)), *before = v;
    size_t cap = 8;

    (void)state;
    assert_int_equal(cw_vec_grow(&v, 7, &cap, sizeof(*v), 4), 0);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 8);
    free(v);
}

static void test_grow_refuses_an_overflowing_size_and_keeps_the_array(void **state)
{
    char *v = malloc(16), *before = v;
    size_t cap = 16;

    (void)state;
    assert_int_equal(cw_vec_grow(&v, 16, &cap, SIZE_MAX / 16, 4), -1);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 16);
    free(v);
}

static void test_reserve_doubles_until_the_need_fits(void **state)
{
    char *v = NULL, *before;
    size_t cap = 0;
    (void)state;

    assert_int_equal(cw_vec_reserve(&v, 10, &cap, 1, 16), 0);
    assert_int_equal(cap, 16); /* first, when it holds the need */
    assert_int_equal(cw_vec_reserve(&v, 100, &cap, 1, 16), 0);
    assert_int_equal(cap, 128); /* 16 -> 32 -> 64 -> 128 */
    memset(v, 'x', 100);
    before = v;
    assert_int_equal(cw_vec_reserve(&v, 128, &cap, 1, 16), 0); /* it fits: left alone */
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 128);
    assert_int_equal(cw_vec_reserve(&v, SIZE_MAX, &cap, 1, 16), -1); /* cannot double to it */
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 128);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_starts_at_first_then_doubles),
        cmocka_unit_test(test_grow_leaves_an_array_with_room_alone),
        cmocka_unit_test(test_grow_refuses_an_overflowing_size_and_keeps_the_array),
        cmocka_unit_test(test_reserve_doubles_until_the_need_fits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
