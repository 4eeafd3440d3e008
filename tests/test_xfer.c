/* test_xfer.c - what the libcurl-based probes share (probes/xfer.c): the credential a
 * transfer logs in with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/xfer.h"

static void test_login_copies_a_username_and_its_password(void **state)
{
    struct xfer_login l = {0};
    char user[] = "admin", pass[] = "s3cret";

    (void)state;
    assert_int_equal(xfer_login_set(&l, user, pass), 0);
    memset(user, 'x', sizeof(user) - 1); /* copies: the caller's strings may go */
    memset(pass, 'x', sizeof(pass) - 1);
    assert_string_equal(l.username, "admin");
    assert_string_equal(l.password, "s3cret");
    xfer_login_clear(&l);
    assert_null(l.username);
    assert_null(l.password);
}

static void test_login_without_password_logs_in_with_an_empty_one(void **state)
{
    struct xfer_login l = {0};

    (void)state;
    assert_int_equal(xfer_login_set(&l, "viewer", NULL), 0);
    assert_string_equal(l.username, "viewer");
    assert_string_equal(l.password, "");
    xfer_login_clear(&l);
}

static void test_login_without_username_is_no_login(void **state)
{
    struct xfer_login l = {0};

    (void)state;
    assert_int_equal(xfer_login_set(&l, NULL, "ignored"), 0);
    assert_null(l.username);
    assert_null(l.password);
    xfer_login_clear(&l); /* an empty login clears too */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_copies_a_username_and_its_password),
        cmocka_unit_test(test_login_without_password_logs_in_with_an_empty_one),
        cmocka_unit_test(test_login_without_username_is_no_login),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
