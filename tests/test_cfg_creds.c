/* test_cfg_creds.c - credentials.ini: sections, keys, its mode, and systemd's
 * $CREDENTIALS_DIRECTORY (config/creds.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgtest.h"

static void test_empty_and_headerless_credentials_section_is_fine(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini",
               "; comment\n\n" CREDS_STD "[spare]\nusername = u\n"
               "password =\n",
               0600);
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_creds, 2);
    assert_string_equal(s->cfg->creds[1].password, "");
}

static void test_group_readable_credentials_refused(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD, 0640);
    expect_one_error(s, "/credentials.ini", 0, "",
                     "readable by group or others (mode 0640): it holds passwords; run chmod "
                     "600 *");
}

static void test_world_readable_credentials_refused(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD, 0604);
    expect_one_error(s, "/credentials.ini", 0, "", "readable by group or others (mode 0604)*");
}

static void test_refused_credentials_still_check_credential_names(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 11, "x"));
    site_write(s, "credentials.ini", CREDS_STD, 0644);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/credentials.ini", 0, "", "readable by group or others (mode 0644)*");
    assert_error(&s->errs, "/cameras.csv", 2, "credential", "unknown credential 'x'");
    assert_int_equal(s->errs.n, 2);
}

static void test_missing_credentials_file(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "camwatch.conf",
               "[inventory]\ncameras = cameras.csv\ncredentials = secret.ini\n[owners]\nCAH = C\n",
               0644);
    expect_one_error(s, "/secret.ini", 0, "", "cannot read: No such file or directory");
}

static void test_credentials_unknown_key(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD "user = x\n", 0600);
    expect_one_error(s, "/credentials.ini", 4, "user",
                     "unknown key in [district] (username, password)");
}

/* inih reads ' ;' as the start of a comment: "abc ;def" would be the password "abc", and the
 * camera would answer "authentication failed" with nothing to say why. The blanks between '='
 * and the value count (libinih r55, Debian's, looks for the comment before it skips them):
 * "password = ;abc" would be the password "", refused alike. */
static void test_credentials_inline_comment_would_cut_the_password(void **state)
{
    static const char *const lines[] = {"password = abc ;def", "password = ;abc"};
    struct site *s = *state;
    char text[128];

    site_std(s, row("A", -1, NULL));
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        snprintf(text, sizeof(text), "[district]\nusername = admin\n%s\n", lines[i]);
        site_write(s, "credentials.ini", text, 0600);
        expect_one_error(s, "/credentials.ini", 3, "password",
                         "holds ' ;', which starts a comment: the value would be cut there (put "
                         "a comment on a line of its own)");
        cw_errlist_clear(&s->errs);
    }
}

/* A ';' right after the '=', or inside the value, starts no comment: kept whole. */
static void test_credentials_semicolon_after_no_blank_is_kept(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", "[district]\nusername = admin\npassword =;a;b c\n", 0600);
    assert_int_equal(site_load(s), 0);
    assert_string_equal(s->cfg->creds[0].password, ";a;b c");
}

static void test_credentials_missing_password(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD "\n[nvr]\nusername = admin\n", 0600);
    expect_one_error(s, "/credentials.ini", 5, "password", "missing in [nvr]");
}

static void test_credentials_section_twice(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", CREDS_STD CREDS_STD, 0600);
    expect_one_error(s, "/credentials.ini", 4, "district", "defined twice (first at line 1)");
}

static void test_credentials_directory_is_honoured(void **state)
{
    struct site *s = *state;
    char dir[PATH_MAX * 2], want[PATH_MAX * 3];
    const struct cfg_camera *c;

    site_std(s, row("A", -1, NULL));
    /* the conf names a file that does not exist; systemd puts it in the credentials dir */
    site_write(s, "camwatch.conf",
               "[inventory]\ncameras = cameras.csv\ncredentials = /etc/camwatch/credentials.ini\n"
               "[owners]\nCAH = C\n",
               0644);
    site_mkdir(s, "creds");
    site_write(s, "creds/credentials.ini", "[district]\nusername = svc\npassword = s3cret\n", 0600);
    snprintf(dir, sizeof(dir), "%s/creds", s->dir);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    snprintf(want, sizeof(want), "%s/credentials.ini", dir);
    assert_string_equal(s->cfg->credentials_path, want);
    c = cfg_find_camera(s->cfg, "A");
    assert_non_null(c->cred);
    assert_string_equal(c->cred->username, "svc");
    assert_string_equal(c->cred->password, "s3cret");
}

static void test_credentials_directory_missing_file_names_it(void **state)
{
    struct site *s = *state;
    char dir[PATH_MAX * 2];

    site_std(s, row("A", -1, NULL));
    site_mkdir(s, "creds");
    snprintf(dir, sizeof(dir), "%s/creds", s->dir);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    expect_one_error(s, "/creds/credentials.ini", 0, "", "cannot read: No such file or directory");
}

static void test_credentials_section_name_longer_than_inih_keeps(void **state)
{
    struct site *s = *state;
    char creds[512], name[51];

    memset(name, 'n', 50);
    name[50] = '\0';
    snprintf(creds, sizeof(creds), "%s[%s]\nusername = a\npassword = b\n", CREDS_STD, name);
    site_std(s, row("A", -1, NULL));
    site_write(s, "credentials.ini", creds, 0600);
    expect_one_error(s, "/credentials.ini", 4, name, "section name longer than 49 bytes");
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_empty_and_headerless_credentials_section_is_fine),
        T(test_group_readable_credentials_refused),
        T(test_world_readable_credentials_refused),
        T(test_refused_credentials_still_check_credential_names),
        T(test_missing_credentials_file),
        T(test_credentials_unknown_key),
        T(test_credentials_inline_comment_would_cut_the_password),
        T(test_credentials_semicolon_after_no_blank_is_kept),
        T(test_credentials_missing_password),
        T(test_credentials_section_twice),
        T(test_credentials_directory_is_honoured),
        T(test_credentials_directory_missing_file_names_it),
        T(test_credentials_section_name_longer_than_inih_keeps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
