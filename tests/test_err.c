/* test_err.c - error records: cw_err_format's forms and the error list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../util/err.h"

static void test_format_names_file_line_and_field(void **state)
{
    struct cw_err e;
    char buf[1024];
    (void)state;

    assert_int_equal(cw_err_set(&e, "cameras.csv", 17, "rtsp_url", "missing %s", "scheme"), -1);
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "cameras.csv:17: rtsp_url: missing scheme");
}

static void test_format_leaves_out_line_when_zero(void **state)
{
    struct cw_err e;
    char buf[1024];
    (void)state;

    cw_err_set(&e, "camwatch.conf", 0, "time_zone", "unknown zone");
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "camwatch.conf: time_zone: unknown zone");
}

static void test_format_leaves_out_field_when_empty(void **state)
{
    struct cw_err e;
    char buf[1024];
    (void)state;

    cw_err_set(&e, "cameras.csv", 3, NULL, "too many columns");
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "cameras.csv:3: too many columns");
    cw_err_set(&e, "cameras.csv", 3, "", "too many columns");
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "cameras.csv:3: too many columns");
}

static void test_format_without_file_is_field_and_message(void **state)
{
    struct cw_err e;
    char buf[1024];
    (void)state;

    cw_err_set(&e, NULL, 0, "listen", "bad port");
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "listen: bad port");
    cw_err_set(&e, NULL, 5, NULL, "out of memory");
    cw_err_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "out of memory");
}

static void test_format_truncates_to_the_buffer(void **state)
{
    struct cw_err e;
    char buf[12];
    (void)state;

    cw_err_set(&e, "cameras.csv", 17, "rtsp_url", "missing scheme");
    cw_err_format(&e, buf, sizeof(buf));
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
    assert_memory_equal(buf, "cameras.csv", 11);
}

static void test_set_with_null_err_returns_minus_one(void **state)
{
    (void)state;
    assert_int_equal(cw_err_set(NULL, "f", 1, "x", "y"), -1);
}

static void test_errlist_keeps_every_error_in_order(void **state)
{
    struct cw_errlist l = {0};
    char buf[256];
    (void)state;

    for (int i = 1; i <= 20; i++)
        assert_int_equal(cw_errlist_add(&l, "cameras.csv", i, "id", "duplicate id CAH-%03d", i),
                         -1);
    assert_int_equal(l.n, 20);
    cw_err_format(&l.v[0], buf, sizeof(buf));
    assert_string_equal(buf, "cameras.csv:1: id: duplicate id CAH-001");
    cw_err_format(&l.v[19], buf, sizeof(buf));
    assert_string_equal(buf, "cameras.csv:20: id: duplicate id CAH-020");
    cw_errlist_clear(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.v);
}

static void test_errlist_push_copies_the_error(void **state)
{
    struct cw_errlist l = {0};
    struct cw_err e;
    (void)state;

    cw_err_set(&e, "credentials.ini", 0, NULL, "readable by others");
    cw_errlist_push(&l, &e);
    strcpy(e.msg, "changed");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].msg, "readable by others");
    assert_string_equal(l.v[0].file, "credentials.ini");
    cw_errlist_clear(&l);
}

/* A file name longer than a record holds (a tokens.ini in folders 400 bytes deep) keeps its
 * end after "...": the message names the file by its own name rather than by a path cut in
 * the middle of a folder's name. One that fits is kept whole. */
static void test_file_too_long_keeps_its_end(void **state)
{
    struct cw_err e;
    char path[600], buf[1024];
    size_t n;
    (void)state;

    memset(path, 'd', 400);
    path[0] = path[200] = '/';
    strcpy(path + 400, "/tokens.ini");
    n = strlen(path);
    cw_err_set(&e, path, 2, "role", "'chief': expected viewer, investigator or admin");
    assert_int_equal(strlen(e.file), sizeof(e.file) - 1);
    assert_memory_equal(e.file, "...", 3);
    assert_string_equal(e.file + 3, path + n - (sizeof(e.file) - 4));
    assert_true(cw_err_file_is(&e, path));
    cw_err_format(&e, buf, sizeof(buf));
    assert_non_null(strstr(buf, "ddd/tokens.ini:2: role: 'chief': expected viewer, investigator "
                                "or admin"));
    assert_memory_equal(buf, "...", 3);

    path[sizeof(e.file) - 1] = '\0'; /* 255 bytes: whole */
    cw_err_set(&e, path, 0, NULL, "x");
    assert_string_equal(e.file, path);
    assert_true(cw_err_file_is(&e, path));
    assert_false(cw_err_file_is(&e, "/d"));
}

/* Cut where a character of a Vietnamese folder name is mid-way, the name kept starts at the
 * next whole character: never a stray UTF-8 byte, which would reach a terminal as garbage and
 * JSON as U+FFFD. cw_err_set_file stores a file the same way. */
static void test_file_too_long_is_cut_between_characters(void **state)
{
    struct cw_err e = {0};
    char path[600];
    size_t n = 1;
    (void)state;

    path[0] = '/';
    for (int i = 0; i < 150; i++, n += 3)
        memcpy(path + n, "\xE1\xBA\xBF", 3); /* ế */
    strcpy(path + n, "/tokens.ini");
    cw_err_set(&e, path, 0, NULL, "x");
    assert_memory_equal(e.file, "...", 3);
    assert_int_equal((unsigned char)e.file[3], 0xE1);     /* a character's first byte */
    assert_int_equal(strlen(e.file), sizeof(e.file) - 2); /* one byte of a character left out */
    assert_string_equal(e.file + strlen(e.file) - 14, "\xE1\xBA\xBF/tokens.ini");
    assert_true(cw_err_file_is(&e, path));
    memset(&e, 0, sizeof(e));
    cw_err_set_file(&e, path);
    assert_true(cw_err_file_is(&e, path));
    assert_int_equal((unsigned char)e.file[3], 0xE1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names_file_line_and_field),
        cmocka_unit_test(test_format_leaves_out_line_when_zero),
        cmocka_unit_test(test_format_leaves_out_field_when_empty),
        cmocka_unit_test(test_format_without_file_is_field_and_message),
        cmocka_unit_test(test_format_truncates_to_the_buffer),
        cmocka_unit_test(test_set_with_null_err_returns_minus_one),
        cmocka_unit_test(test_errlist_keeps_every_error_in_order),
        cmocka_unit_test(test_errlist_push_copies_the_error),
        cmocka_unit_test(test_file_too_long_keeps_its_end),
        cmocka_unit_test(test_file_too_long_is_cut_between_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
