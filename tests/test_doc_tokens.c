/* test_doc_tokens.c - the API tokens' documents (index/doc_tokens.c) from a tokens file the
 * test writes through config/tokens.c beside a real store: no file is no tokens; entries in
 * the file's order with name, role and created (null when the file has none) and never the
 * hash; a file that does not parse named with its line; a token just added, shown once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/tokens.h"
#include "../index/doc.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL
#define HASH_A "c1943eae4ed8cc45a6531a9b097da1d2764030dfe0ccd72238070edcd5ada616"

struct fixture {
    struct store_fixture *st;
    struct cfg cfg;
    struct doc_ctx c;
    char tokens[160];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    void *st = NULL;

    if (fx == NULL || store_fixture_setup(&st, "doc-tokens", 1, T0) != 0) {
        free(fx);
        return -1;
    }
    fx->st = st;
    snprintf(fx->tokens, sizeof(fx->tokens), "%s/tokens.ini", fx->st->dir);
    fx->cfg.database = fx->st->path;
    fx->cfg.http_tokens = fx->tokens;
    fx->cfg.time_zone = "UTC";
    fx->c = (struct doc_ctx){fx->st->s, &fx->cfg, "UTC"};
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    void *st = fx->st;

    free(fx);
    return store_fixture_teardown(&st);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *tokens_doc(struct fixture *fx)
{
    json_t *doc = NULL;
    struct cw_err err = {0};

    if (doc_tokens(&fx->c, &doc, &err) != 0)
        fail_msg("tokens: %s", err.msg);
    assert_true(json_is_object(doc));
    assert_int_equal(json_object_size(doc), 2);
    assert_string_equal(str(doc, "file"), fx->tokens);
    return doc;
}

static void test_tokens_without_a_file_are_none(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = tokens_doc(fx);

    assert_true(json_is_array(json_object_get(doc, "tokens")));
    assert_int_equal(json_array_size(json_object_get(doc, "tokens")), 0);
    json_decref(doc);
}

static void test_tokens_in_file_order_created_null_never_the_hash(void **state)
{
    struct fixture *fx = *state;
    char token[TOKENS_TOKEN_MAX];
    const json_t *arr, *e;
    json_t *doc;
    struct cw_err err = {0};

    /* zed by hand without a created line; then alice added as `token add` does */
    cwtest_write_file(fx->tokens, "[zed]\nrole = admin\nsha256 = " HASH_A "\n", 0600);
    if (tokens_add(fx->tokens, "alice", TOKENS_VIEWER, "2023-11-14T22:13:20+00:00", token,
                   sizeof(token), &err) != 0)
        fail_msg("add: %s", err.msg);
    doc = tokens_doc(fx);
    arr = json_object_get(doc, "tokens");
    assert_int_equal(json_array_size(arr), 2);
    e = json_array_get(arr, 0);
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(str(e, "name"), "zed");
    assert_string_equal(str(e, "role"), "admin");
    assert_non_null(json_object_get(e, "created"));
    assert_true(json_is_null(json_object_get(e, "created")));
    e = json_array_get(arr, 1);
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(str(e, "name"), "alice");
    assert_string_equal(str(e, "role"), "viewer");
    assert_string_equal(str(e, "created"), "2023-11-14T22:13:20+00:00");
    json_decref(doc);
}

static void test_tokens_file_that_does_not_parse_names_file_and_line(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    cwtest_write_file(fx->tokens, "[zed]\nrole = admin\nsha256 = " HASH_A "\n[amy]\nrole = boss\n",
                      0600);
    assert_int_equal(doc_tokens(&fx->c, &doc, &err), -1);
    assert_null(doc);
    assert_string_equal(err.file, fx->tokens);
    assert_int_equal(err.line, 5);
    assert_string_equal(err.field, "role");
}

static void test_token_added_shows_the_token_once_with_its_file(void **state)
{
    struct fixture *fx = *state;
    json_t *doc = NULL;
    struct cw_err err = {0};

    assert_int_equal(
        doc_token_added(&fx->c, "alice", "investigator", "cwt_abc123", fx->tokens, &doc, &err), 0);
    assert_int_equal(json_object_size(doc), 4);
    assert_string_equal(str(doc, "name"), "alice");
    assert_string_equal(str(doc, "role"), "investigator");
    assert_string_equal(str(doc, "token"), "cwt_abc123");
    assert_string_equal(str(doc, "file"), fx->tokens);
    json_decref(doc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_tokens_without_a_file_are_none),
        T(test_tokens_in_file_order_created_null_never_the_hash),
        T(test_tokens_file_that_does_not_parse_names_file_and_line),
        T(test_token_added_shows_the_token_once_with_its_file),
    };

    log_init("test_doc_tokens", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
