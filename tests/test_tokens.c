/* test_tokens.c - the tokens file (config/tokens.c): every bad line named by file, line and
 * field; a token added is found by its hash and never written itself; the file is 0600 and
 * keeps what was there; names are unique; removing one keeps the others. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../config/tokens.h"
#include "cwtest.h"

#define HASH_A "c1943eae4ed8cc45a6531a9b097da1d2764030dfe0ccd72238070edcd5ada616"

struct fixture {
    char dir[64];
    char path[128];
};

/* A folder of the test's own; the tokens file's path in it (no file yet). */
static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    *state = fx;
    return fx != NULL && cwtest_tmpdir(fx->dir, sizeof(fx->dir), "tokens") == 0 &&
                   snprintf(fx->path, sizeof(fx->path), "%s/tokens.ini", fx->dir) > 0
               ? 0
               : -1;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = cwtest_rmtree(fx->dir);

    free(fx);
    return rc;
}

/* Parse text; the errors formatted one per line into buf. Returns tokens_parse's result. */
static int parse(const char *text, struct tokens *t, char *buf, size_t len)
{
    struct cw_errlist errs = {0};
    char line[512];
    int rc = tokens_parse(text, strlen(text), "tokens.ini", t, &errs);

    buf[0] = '\0';
    for (size_t i = 0; i < errs.n; i++) {
        cw_err_format(&errs.v[i], line, sizeof(line));
        strncat(buf, line, len - strlen(buf) - 1);
        strncat(buf, "\n", len - strlen(buf) - 1);
    }
    cw_errlist_clear(&errs);
    return rc;
}

static void test_parse_reads_names_roles_and_hashes(void **state)
{
    struct tokens t = {0};
    char errs[1024];

    (void)state;
    assert_int_equal(parse("; comment\n[alice]\nrole = viewer\nsha256 = " HASH_A "\n"
                           "created = 2026-11-25T10:00:00+07:00\n\n"
                           "[bob.t@pc-1]\nrole = admin\nsha256 = " HASH_A "\n",
                           &t, errs, sizeof(errs)),
                     -1); /* the same hash twice */
    assert_string_equal(errs, "tokens.ini:9: sha256: the same hash as [alice]\n");
    assert_int_equal(t.n, 0);
    assert_int_equal(parse("[alice]\nrole = viewer\nsha256 = " HASH_A
                           "\ncreated = 2026-11-25T10:00:00+07:00\n"
                           "[bob]\nsha256 = " HASH_A "0\n",
                           &t, errs, sizeof(errs)),
                     -1);
    assert_string_equal(errs, "tokens.ini:6: sha256: expected 64 hex digits\n"
                              "tokens.ini:5: role: [bob] has no role\n");
    assert_int_equal(
        parse("[alice]\nrole = investigator\nsha256 = " HASH_A "\n", &t, errs, sizeof(errs)), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.v[0].name, "alice");
    assert_int_equal(t.v[0].role, TOKENS_INVESTIGATOR);
    assert_int_equal(t.v[0].line, 1);
    assert_int_equal(t.v[0].hash[0], 0xc1);
    tokens_clear(&t);
}

static void test_parse_names_every_bad_line(void **state)
{
    struct tokens t = {0};
    char errs[2048], big[600];

    (void)state;
    assert_int_equal(parse("role = viewer\n"
                           "[bad/name]\nrole = admin\nsha256 = " HASH_A "\n"
                           "[carol]\nrole = root\nsha256 = xyz\ncolour = blue\n"
                           "[carol]\nrole = viewer\n"
                           "no equals sign\n",
                           &t, errs, sizeof(errs)),
                     -1);
    assert_string_equal(errs, "tokens.ini:1: role: outside any [NAME] section\n"
                              "tokens.ini:2: [bad/name]: a name is 1 to 40 letters, digits, '.', "
                              "'_', '-' or '@'\n"
                              "tokens.ini:6: role: 'root': expected viewer, investigator or "
                              "admin\n"
                              "tokens.ini:7: sha256: expected 64 hex digits\n"
                              "tokens.ini:8: colour: unknown key in [carol]\n"
                              "tokens.ini:9: [carol] again (first at line 5)\n"
                              "tokens.ini:11: expected 'key = value', a [NAME] header or a ';' "
                              "comment\n"
                              "tokens.ini:9: sha256: [carol] has no sha256\n");
    assert_int_equal(t.n, 0);
    /* a line inih cannot hold whole, and a NUL byte */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "[a]\nrole=", 9);
    assert_int_equal(parse(big, &t, errs, sizeof(errs)), -1);
    assert_non_null(strstr(errs, "tokens.ini:2: line too long"));
    {
        static const char nul[] = "[a]\nrole = vi\0ewer\n";
        struct cw_errlist el = {0};
        assert_int_equal(tokens_parse(nul, sizeof(nul) - 1, "t", &t, &el), -1);
        assert_string_equal(el.v[0].msg, "line contains a NUL byte");
        assert_int_equal(el.v[0].line, 2);
        cw_errlist_clear(&el);
    }
}

/* A line inih refuses is named beside every other problem, not only when it is the sole
 * one (inih returns the first such line, and only that); a header without its ']' has the
 * keys under it skipped, not given to the section above; a key given twice is named; two bad
 * hashes are two bad hashes, not "the same hash". */
static void test_parse_names_lines_inih_refuses_beside_other_problems(void **state)
{
    struct tokens t = {0};
    char errs[2048];

    (void)state;
    assert_int_equal(parse("[alice]\n"
                           "role = boss\n"
                           "sha256 = 00\n"
                           "this line has no equals\n"
                           "[bob\n"
                           "role = admin\n"
                           "[carol]\n"
                           "role = viewer\n"
                           "role = admin\n"
                           "sha256 = 11\n"
                           "another one\n",
                           &t, errs, sizeof(errs)),
                     -1);
    assert_string_equal(errs, "tokens.ini:2: role: 'boss': expected viewer, investigator or "
                              "admin\n"
                              "tokens.ini:3: sha256: expected 64 hex digits\n"
                              "tokens.ini:4: expected 'key = value', a [NAME] header or a ';' "
                              "comment\n"
                              "tokens.ini:5: a [NAME] header without its ']': the keys under it "
                              "are not read\n"
                              "tokens.ini:9: role: set twice in [carol]\n"
                              "tokens.ini:10: sha256: expected 64 hex digits\n"
                              "tokens.ini:11: expected 'key = value', a [NAME] header or a ';' "
                              "comment\n");
    assert_int_equal(t.n, 0);
    /* one line alone that inih refuses: named once */
    assert_int_equal(
        parse("[a]\nrole = viewer\nsha256 = " HASH_A "\nnonsense\n", &t, errs, sizeof(errs)), -1);
    assert_string_equal(errs, "tokens.ini:4: expected 'key = value', a [NAME] header or a ';' "
                              "comment\n");
}

static void test_parse_reads_no_byte_past_the_text(void **state)
{
    static const char text[] = "[a]\nrole = viewer\n  "; /* ends in blanks, no newline */
    struct cw_errlist errs = {0};
    struct tokens t = {0};
    char *exact = malloc(sizeof(text) - 1); /* no NUL after it: ASan sees a read past */

    (void)state;
    memcpy(exact, text, sizeof(text) - 1);
    assert_int_equal(tokens_parse(exact, sizeof(text) - 1, "t", &t, &errs), -1);
    assert_string_equal(errs.v[0].msg, "[a] has no sha256");
    cw_errlist_clear(&errs);
    free(exact);
}

static void test_added_token_is_found_by_hash_and_never_written(void **state)
{
    struct fixture *fx = *state;
    struct tokens t = {0};
    struct cw_errlist errs = {0};
    struct cw_err err;
    struct stat st;
    char a[TOKENS_TOKEN_MAX], b[TOKENS_TOKEN_MAX], *text;
    size_t len;
    int missing = 0;

    assert_int_equal(tokens_load(fx->path, &t, &missing, &errs), 0);
    assert_int_equal(missing, 1);
    assert_int_equal(t.n, 0);
    assert_int_equal(tokens_add(fx->path, "alice", TOKENS_VIEWER, "2026-11-25T10:00:00+07:00", a,
                                sizeof(a), &err),
                     0);
    assert_int_equal(
        tokens_add(fx->path, "bob", TOKENS_ADMIN, "2026-11-25T10:01:00+07:00", b, sizeof(b), &err),
        0);
    assert_int_equal(strncmp(a, "cw_", 3), 0);
    assert_int_equal(strlen(a), 46); /* cw_ and 43 base64url characters of 32 random bytes */
    assert_string_not_equal(a, b);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    text = cwtest_read_file(fx->path, &len);
    assert_null(memmem(text, len, a + 3, strlen(a) - 3));
    assert_null(memmem(text, len, b + 3, strlen(b) - 3));
    free(text);
    assert_int_equal(tokens_load(fx->path, &t, &missing, &errs), 0);
    assert_int_equal(missing, 0);
    assert_int_equal(t.n, 2);
    assert_string_equal(tokens_find(&t, a, strlen(a))->name, "alice");
    assert_int_equal(tokens_find(&t, b, strlen(b))->role, TOKENS_ADMIN);
    assert_string_equal(tokens_find(&t, b, strlen(b))->created, "2026-11-25T10:01:00+07:00");
    assert_null(tokens_find(&t, a, strlen(a) - 1));
    assert_null(tokens_find(&t, "", 0));
    assert_null(tokens_find(&t, HASH_A, strlen(HASH_A))); /* a hash is not a token */
    tokens_clear(&t);
}

static void test_add_keeps_the_file_and_refuses_a_taken_or_bad_name(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err;
    char tok[TOKENS_TOKEN_MAX], *text;
    size_t len;

    cwtest_write_file(fx->path, "; kept\n[alice]\nrole = viewer\nsha256 = " HASH_A, 0644);
    assert_int_equal(tokens_add(fx->path, "alice", TOKENS_ADMIN, "now", tok, sizeof(tok), &err),
                     -1);
    assert_string_equal(err.msg, "[alice] exists: remove it first");
    assert_int_equal(err.line, 2);
    assert_int_equal(tokens_add(fx->path, "x y", TOKENS_ADMIN, "now", tok, sizeof(tok), &err), -1);
    assert_string_equal(err.field, "NAME");
    assert_int_equal(tokens_add(fx->path, "carol", TOKENS_ADMIN, "now", tok, sizeof(tok), &err), 0);
    text = cwtest_read_file(fx->path, &len);
    /* the old text as it was (its last line ended for it), then the new section */
    assert_int_equal(
        strncmp(text, "; kept\n[alice]\nrole = viewer\nsha256 = " HASH_A "\n\n[carol]\n",
                strlen("; kept\n[alice]\nrole = viewer\nsha256 = " HASH_A "\n\n[carol]\n")),
        0);
    free(text);
    /* a file that does not parse is not written to */
    cwtest_write_file(fx->path, "[alice]\nrole = boss\n", 0600);
    assert_int_equal(tokens_add(fx->path, "dave", TOKENS_ADMIN, "now", tok, sizeof(tok), &err), -1);
    assert_int_equal(err.line, 2);
    text = cwtest_read_file(fx->path, &len);
    assert_int_equal(len, strlen("[alice]\nrole = boss\n"));
    free(text);
}

/* The first token of a fresh checkout of the example (var/tokens.ini, var/ not made yet): its
 * folder is made, private to the daemon's user and group as [store] cache is. */
static void test_add_makes_the_missing_folder(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char path[600], tok[TOKENS_TOKEN_MAX];
    struct stat st;

    snprintf(path, sizeof(path), "%s/var/tokens.ini", fx->dir);
    if (tokens_add(path, "alice", TOKENS_VIEWER, "now", tok, sizeof(tok), &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_remove_takes_one_section_and_keeps_the_rest(void **state)
{
    struct fixture *fx = *state;
    struct tokens t = {0};
    struct cw_errlist errs = {0};
    struct cw_err err;
    char a[TOKENS_TOKEN_MAX], b[TOKENS_TOKEN_MAX], c[TOKENS_TOKEN_MAX];

    assert_int_equal(tokens_add(fx->path, "a", TOKENS_VIEWER, "now", a, sizeof(a), &err), 0);
    assert_int_equal(tokens_add(fx->path, "b", TOKENS_VIEWER, "now", b, sizeof(b), &err), 0);
    assert_int_equal(tokens_add(fx->path, "c", TOKENS_VIEWER, "now", c, sizeof(c), &err), 0);
    assert_int_equal(tokens_remove(fx->path, "b", &err), 0);
    assert_int_equal(tokens_remove(fx->path, "b", &err), -1);
    assert_string_equal(err.msg, "no token named 'b'");
    assert_int_equal(tokens_load(fx->path, &t, NULL, &errs), 0);
    assert_int_equal(t.n, 2);
    assert_non_null(tokens_find(&t, a, strlen(a)));
    assert_null(tokens_find(&t, b, strlen(b)));
    assert_non_null(tokens_find(&t, c, strlen(c)));
    tokens_clear(&t);
}

static void test_roles_and_names(void **state)
{
    enum tokens_role r;

    (void)state;
    assert_int_equal(tokens_role_parse("investigator", &r), 0);
    assert_int_equal(r, TOKENS_INVESTIGATOR);
    assert_true(TOKENS_VIEWER < TOKENS_INVESTIGATOR && TOKENS_INVESTIGATOR < TOKENS_ADMIN);
    assert_int_equal(tokens_role_parse("Admin", &r), -1);
    assert_string_equal(tokens_role_name(TOKENS_ADMIN), "admin");
    assert_true(tokens_name_ok("nguyen.van-a_1@ca"));
    assert_false(tokens_name_ok(""));
    assert_false(tokens_name_ok("a]b"));
    assert_false(tokens_name_ok("Nguyễn"));
    assert_false(tokens_name_ok("12345678901234567890123456789012345678901"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reads_names_roles_and_hashes),
        cmocka_unit_test(test_parse_names_every_bad_line),
        cmocka_unit_test(test_parse_names_lines_inih_refuses_beside_other_problems),
        cmocka_unit_test(test_parse_reads_no_byte_past_the_text),
        cmocka_unit_test_setup_teardown(test_added_token_is_found_by_hash_and_never_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_add_keeps_the_file_and_refuses_a_taken_or_bad_name,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_makes_the_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_takes_one_section_and_keeps_the_rest, setup,
                                        teardown),
        cmocka_unit_test(test_roles_and_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
