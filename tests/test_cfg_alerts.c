/* test_cfg_alerts.c - camwatch.conf's [alerts]: its defaults (off until a webhook or a mail
 * relay is named), every key taken, and every bad value, missing key and unknown credential
 * named by file, line and key (config/conf.c's rows, config/alerts.c's checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cfgtest.h"

static void test_alerts_are_off_by_default_with_their_defaults(void **state)
{
    struct site *s = *state;
    const struct cfg_alerts *a;

    site_conf(s, CONF_STD);
    assert_int_equal(site_load(s), 0);
    a = &s->cfg->alerts;
    assert_int_equal(cfg_alerts_on(s->cfg), 0);
    assert_int_equal(a->hold_ms, 120000);
    assert_int_equal(a->digest_min, 8 * 60);
    assert_int_equal(a->retry_ms, 30000);
    assert_int_equal(a->retry_max_ms, 1800000);
    assert_int_equal(a->give_up_ms, 86400000);
    assert_int_equal(a->timeout_ms, 30000);
    assert_int_equal(a->starttls, 1);
    assert_int_equal(a->tls_verify, 1);
    assert_int_equal(a->n_webhooks, 0);
    assert_null(a->smtp);
    assert_null(a->smtp_cred);
}

static void test_alerts_take_every_key(void **state)
{
    struct site *s = *state;
    const struct cfg_alerts *a;

    site_write(s, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    site_conf(s, CONF_STD "[alerts]\nhold = 5m\n"
                          "webhook = https://hooks.example/T1/secret http://127.0.0.1:9000/a?b=c\n"
                          "webhook_credential = district\n"
                          "smtp = smtps://mail.example:465\nsmtp_credential = district\n"
                          "starttls = no\nfrom = camwatch@laivung.example\n"
                          "to = it@laivung.example, chief@laivung.example  duty@x-y.example\n"
                          "digest_at = 07:30\nretry = 10s\nretry_max = 10m\ngive_up = 2d\n"
                          "timeout = 20s\ntls_verify = no\nca_file = ca.pem\n");
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    a = &s->cfg->alerts;
    assert_int_equal(cfg_alerts_on(s->cfg), 1);
    assert_int_equal(a->hold_ms, 300000);
    assert_int_equal(a->n_webhooks, 2);
    assert_string_equal(a->webhooks[0], "https://hooks.example/T1/secret");
    assert_string_equal(a->webhooks[1], "http://127.0.0.1:9000/a?b=c");
    assert_string_equal(a->smtp, "smtps://mail.example:465");
    assert_int_equal(a->starttls, 0);
    assert_string_equal(a->from, "camwatch@laivung.example");
    assert_int_equal(a->n_rcpt, 3);
    assert_string_equal(a->rcpt[0], "it@laivung.example");
    assert_string_equal(a->rcpt[2], "duty@x-y.example");
    assert_int_equal(a->digest_min, 7 * 60 + 30);
    assert_int_equal(a->retry_ms, 10000);
    assert_int_equal(a->retry_max_ms, 600000);
    assert_int_equal(a->give_up_ms, 2 * 86400000LL);
    assert_int_equal(a->timeout_ms, 20000);
    assert_int_equal(a->tls_verify, 0);
    assert_non_null(strstr(a->ca_file, "/ca.pem"));
    assert_non_null(a->smtp_cred);
    assert_string_equal(a->smtp_cred->username, "admin");
    assert_ptr_equal(a->webhook_cred, a->smtp_cred);
}

static void test_digest_can_be_off(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nwebhook = http://127.0.0.1:9/\ndigest_at = off\n");
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->alerts.digest_min, -1);
}

static void test_bad_targets_name_their_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nwebhook = http://127.0.0.1:9/ok ftp://x/y\n"
                          "smtp = smtp://user:pw@mail.example\n"
                          "from = camwatch at laivung\n"
                          "to = it@laivung.example, bad@, <a@b.c>, x@y..z\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "webhook", "ftp://x/y: not an http or https URL");
    assert_error(&s->errs, "/camwatch.conf", 11, "smtp",
                 "smtp://user:pw@mail.example: user:password inside the URL*");
    assert_error(&s->errs, "/camwatch.conf", 12, "from",
                 "'camwatch at laivung': not an address (local@domain)");
    assert_error(&s->errs, "/camwatch.conf", 13, "to", "'bad@': not an address (local@domain)");
    assert_error(&s->errs, "/camwatch.conf", 13, "to",
                 "'<a@b.c>': the part before '@' must be plain ASCII*");
    assert_error(&s->errs, "/camwatch.conf", 13, "to", "'x@y..z': the domain has an empty label");
    assert_int_equal(s->errs.n, 6);
}

static void test_mail_needs_a_sender_and_recipients(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nsmtp = smtp://127.0.0.1:25\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 10, "smtp",
                 "e-mail needs from = ADDRESS (the sender)");
    assert_error(&s->errs, "/camwatch.conf", 10, "smtp",
                 "e-mail needs to = ADDRESS[, ADDRESS...] (the recipients)");
    assert_int_equal(s->errs.n, 2);
}

static void test_mail_keys_without_a_relay_are_refused(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nwebhook = http://127.0.0.1:9/\nto = it@laivung.example\n");
    expect_one_error(s, "/camwatch.conf", 11, "to", "no smtp = URL to send e-mail through");
}

static void test_bad_digest_time_and_retry_bounds(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nwebhook = http://127.0.0.1:9/\ndigest_at = 8:00\n"
                          "retry = 2h\nretry_max = 1h\nhold = 500ms\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 11, "digest_at",
                 "'8:00': expected HH:MM (24-hour, the site's time) or off");
    assert_error(&s->errs, "/camwatch.conf", 12, "retry",
                 "retry (7200000 ms) must not be longer than retry_max (3600000 ms)");
    assert_error(&s->errs, "/camwatch.conf", 14, "hold", "must be between 1s and 1d");
    assert_int_equal(s->errs.n, 3);
    cw_errlist_clear(&s->errs);
    site_conf(s, CONF_STD "[alerts]\nwebhook = http://127.0.0.1:9/\ndigest_at = 24:00\n"
                          "retry_max = 1d\n");
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/camwatch.conf", 11, "digest_at", "'24:00': expected HH:MM*");
    assert_error(&s->errs, "/camwatch.conf", 12, "retry_max",
                 "retry_max (86400000 ms) must be shorter than give_up (86400000 ms)");
    assert_int_equal(s->errs.n, 2);
}

static void test_unknown_credential_names_its_line(void **state)
{
    struct site *s = *state;

    site_conf(s, CONF_STD "[alerts]\nsmtp = smtp://127.0.0.1:25\nfrom = a@b.example\n"
                          "to = c@d.example\nsmtp_credential = mail\n");
    expect_one_error(s, "/camwatch.conf", 13, "smtp_credential",
                     "unknown credential 'mail' (no such section in credentials.ini)");
}

static void test_too_many_webhooks(void **state)
{
    struct site *s = *state;
    char conf[2048];
    int off = snprintf(conf, sizeof(conf), "%s[alerts]\nwebhook =", CONF_STD);

    for (int i = 0; i <= CFG_ALERTS_TARGETS_MAX; i++)
        off += snprintf(conf + off, sizeof(conf) - (size_t)off, " http://h%d", i);
    snprintf(conf + off, sizeof(conf) - (size_t)off, "\n");
    site_conf(s, conf);
    expect_one_error(s, "/camwatch.conf", 10, "webhook", "more than 16 URLs");
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_alerts_are_off_by_default_with_their_defaults),
        T(test_alerts_take_every_key),
        T(test_digest_can_be_off),
        T(test_bad_targets_name_their_line),
        T(test_mail_needs_a_sender_and_recipients),
        T(test_mail_keys_without_a_relay_are_refused),
        T(test_bad_digest_time_and_retry_bounds),
        T(test_unknown_credential_names_its_line),
        T(test_too_many_webhooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
