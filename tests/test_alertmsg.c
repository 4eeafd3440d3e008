/* test_alertmsg.c - what an alert says (daemon/alertmsg.c): the documents and their summary
 * lines, the webhook's body, the RFC 5322 e-mail with its RFC 2047 subject (Vietnamese in
 * encoded words of whole characters, no line over 76 columns) and its base64 text; and the
 * wait between attempts (daemon/alertq.c). The e-mail is read back here by hand; the
 * integration test reads it with Python's email module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/alertmsg.h"
#include "../daemon/alertq.h"

#define T0 1796543122000LL /* Sun 2026-12-06 14:45:22 +07:00 */
#define SUBJECT_VI                                                                                          \
    "[camwatch Lai Vung] CAH-017 Ngã ba Tân Dương – cầu Lai Vung: up -> down (không phản hồi " \
    "sau 3 lần thử, hết thời gian chờ 5000 ms)"

static struct cfg *cfg_make(void)
{
    static struct cfg_owner owners[] = {{"CAH", "Công an huyện Lai Vung"}};
    struct cfg *cfg = calloc(1, sizeof(*cfg));

    assert_non_null(cfg);
    cfg->site_name = "Lai Vung";
    cfg->time_zone = "Asia/Ho_Chi_Minh";
    cfg->owners = owners;
    cfg->n_owners = 1;
    cfg->alerts.hold_ms = 120000;
    cfg->alerts.from = "camwatch@laivung.example";
    cfg->alerts.rcpt[0] = "it@laivung.example";
    cfg->alerts.rcpt[1] = "truong.cong.an.huyen.lai.vung@laivung.example";
    cfg->alerts.rcpt[2] = "pho.truong.cong.an.huyen.lai.vung@laivung.example";
    cfg->alerts.n_rcpt = 3;
    return cfg;
}

static const struct alertmsg_cam cam = {
    "CAH-017", "Ngã ba Tân Dương – cầu Lai Vung", "CAH", "Tân Dương", "Ngã ba QL80", "QL80"};

static json_t *change_doc(const struct cfg *cfg, const char *kind, int changes)
{
    struct alertmsg_change c = {
        kind, CW_UP, CW_DOWN, T0, T0 - 120000, changes, "timeout after 3 failures"};
    json_t *doc = alertmsg_camera_doc(cfg, &cam, &c);

    assert_non_null(doc);
    return doc;
}

/* The bytes of one encoded word "=?UTF-8?B?...?=" at w (its end in *end), decoded. */
static size_t decode_word(const char *w, const char **end, unsigned char *out)
{
    const char *b = w + strlen("=?UTF-8?B?"), *e = strstr(b, "?=");
    size_t n = (size_t)(e - b), pad = 0;
    int got;

    assert_memory_equal(w, "=?UTF-8?B?", 10);
    assert_non_null(e);
    assert_true(e + 2 - w <= 75); /* RFC 2047 2: an encoded word is at most 75 characters */
    got = EVP_DecodeBlock(out, (const unsigned char *)b, (int)n);
    assert_true(got >= 0);
    pad = n >= 2 && b[n - 1] == '=' ? (b[n - 2] == '=' ? 2 : 1) : 0;
    *end = e + 2;
    return (size_t)got - pad;
}

/* A header's value decoded from its folded encoded words (up to an address "<...>" after
 * them); checks each line and word. */
static void decode_header(const char *h, const char *name, char *out)
{
    const char *p = h + strlen(name) + 2, *line = h;
    size_t len = 0;

    for (const char *q = h; *q; q++) {
        if (*q == '\r') {
            assert_true(q - line <= ALERTMSG_LINE_MAX);
            assert_int_equal(q[1], '\n');
            line = q + 2;
        }
    }
    while (*p != '\0' && strncmp(p, "\r\n", 2) != 0 && strncmp(p, " <", 2) != 0) {
        unsigned char buf[128];
        size_t n = decode_word(p, &p, buf);
        /* Whole characters: no word starts inside one nor ends before its last byte. */
        assert_true((buf[0] & 0xC0) != 0x80);
        assert_true(n > 0 && (buf[n - 1] & 0x80) == 0 ? 1 : (buf[n - 1] & 0xC0) == 0x80);
        memcpy(out + len, buf, n);
        len += n;
        if (strncmp(p, "\r\n =", 4) == 0)
            p += 3; /* folded: the whitespace between encoded words is not in the text */
        else if (strncmp(p, "\r\n <", 4) == 0)
            p += 2;
    }
    out[len] = '\0';
}

static void test_plain_ascii_header_that_fits_is_left_as_it_is(void **state)
{
    char buf[256];
    (void)state;

    assert_int_equal(
        alertmsg_header("Subject", "Test alert from camwatch at Lai Vung", buf, sizeof(buf)),
        strlen("Subject: Test alert from camwatch at Lai Vung\r\n"));
    assert_string_equal(buf, "Subject: Test alert from camwatch at Lai Vung\r\n");
}

static void test_vietnamese_subject_is_encoded_words_of_whole_characters(void **state)
{
    char buf[2048], back[1024];
    (void)state;

    assert_true(alertmsg_header("Subject", SUBJECT_VI, buf, sizeof(buf)) > 0);
    assert_memory_equal(buf, "Subject: =?UTF-8?B?", 19);
    assert_non_null(strstr(buf, "\r\n =?UTF-8?B?")); /* long: folded */
    decode_header(buf, "Subject", back);
    assert_string_equal(back, SUBJECT_VI);
    assert_int_equal(alertmsg_header("Subject", SUBJECT_VI, buf, 40), -1);
}

static void test_a_long_ascii_subject_is_encoded_to_fit_its_lines(void **state)
{
    char subject[300], buf[1024], back[400];
    (void)state;

    memset(subject, 'x', 200);
    subject[200] = '\0';
    assert_true(alertmsg_header("Subject", subject, buf, sizeof(buf)) > 0);
    decode_header(buf, "Subject", back);
    assert_string_equal(back, subject);
}

static void test_summaries_say_the_change_flapping_and_settling(void **state)
{
    struct cfg *cfg = cfg_make();
    json_t *doc;
    (void)state;

    doc = change_doc(cfg, "change", 1);
    assert_string_equal(alertmsg_summary(doc), "CAH-017 Ngã ba Tân Dương – cầu Lai Vung: up -> "
                                               "down (timeout after 3 failures)");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "camera"), "owner_name")),
        "Công an huyện Lai Vung");
    assert_string_equal(json_string_value(json_object_get(doc, "since")),
                        "2026-12-06T14:43:22+07:00");
    assert_int_equal(json_integer_value(json_object_get(doc, "hold_s")), 120);
    json_decref(doc);
    doc = change_doc(cfg, "flapping", 5);
    assert_string_equal(alertmsg_summary(doc), "CAH-017 Ngã ba Tân Dương – cầu Lai Vung is "
                                               "flapping: 5 changes since 14:43, down now");
    json_decref(doc);
    doc = change_doc(cfg, "settled", 12);
    assert_string_equal(alertmsg_summary(doc), "CAH-017 Ngã ba Tân Dương – cầu Lai Vung settled "
                                               "down after flapping (12 changes)");
    json_decref(doc);
    doc = alertmsg_test_doc(cfg, T0);
    assert_string_equal(alertmsg_summary(doc), "Test alert from camwatch at Lai Vung");
    json_decref(doc);
    free(cfg);
}

static void test_webhook_body_is_the_document_with_its_id_first(void **state)
{
    struct cfg *cfg = cfg_make();
    json_t *doc = change_doc(cfg, "change", 1), *back;
    char *body = alertmsg_webhook_body(doc, 42);
    (void)state;

    assert_non_null(body);
    assert_memory_equal(body, "{\"id\":42,\"kind\":\"change\",", 25);
    assert_non_null(strstr(body, "Ngã ba Tân Dương")); /* UTF-8 as is */
    back = json_loads(body, 0, NULL);
    assert_non_null(back);
    assert_true(json_equal(json_object_get(back, "camera"), json_object_get(doc, "camera")));
    json_decref(back);
    json_decref(doc);
    free(body);
    free(cfg);
}

/* The body of an e-mail: its base64 lines decoded. */
static char *email_text(const char *mail)
{
    const char *p = strstr(mail, "\r\n\r\n") + 4;
    char *out = calloc(1, strlen(p) + 1);
    size_t len = 0;

    assert_non_null(out);
    while (*p != '\0') {
        const char *e = strstr(p, "\r\n");
        unsigned char buf[64];
        int n;
        assert_non_null(e);
        assert_true(e - p <= ALERTMSG_LINE_MAX);
        n = EVP_DecodeBlock(buf, (const unsigned char *)p, (int)(e - p));
        assert_true(n > 0);
        n -= (e[-1] == '=') + (e[-2] == '=');
        memcpy(out + len, buf, (size_t)n);
        len += (size_t)n;
        p = e + 2;
    }
    return out;
}

static void test_email_has_its_headers_and_the_text_in_base64(void **state)
{
    struct cfg *cfg = cfg_make();
    json_t *doc = change_doc(cfg, "change", 1);
    char *mail = alertmsg_email(cfg, doc, 7, 9, T0), *text, subject[1024];
    const char *s;
    (void)state;

    assert_non_null(mail);
    assert_int_equal(strncmp(mail, "Date: Sun, 06 Dec 2026 14:45:22 +0700\r\n", 39), 0);
    assert_non_null(strstr(mail, "\r\nFrom: camwatch Lai Vung <camwatch@laivung.example>\r\n"));
    assert_non_null(strstr(mail, "\r\nTo: it@laivung.example, "
                                 "truong.cong.an.huyen.lai.vung@laivung.example,\r\n "
                                 "pho.truong.cong.an.huyen.lai.vung@laivung.example\r\n"));
    assert_non_null(strstr(mail, "\r\nMessage-ID: <camwatch.7.9.1796543122000@laivung.example>"));
    assert_non_null(strstr(mail, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                                 "Content-Transfer-Encoding: base64\r\n"));
    s = strstr(mail, "\r\nSubject: ") + 2;
    decode_header(s, "Subject", subject);
    assert_string_equal(subject, "[camwatch Lai Vung] CAH-017 Ngã ba Tân Dương – cầu Lai Vung: "
                                 "up -> down (timeout after 3 failures)");
    text = email_text(mail);
    assert_non_null(strstr(text, "\r\nCamera:   CAH-017 Ngã ba Tân Dương – cầu Lai Vung\r\n"));
    assert_non_null(strstr(text, "\r\nOwner:    Công an huyện Lai Vung (CAH)\r\n"));
    assert_non_null(strstr(text, "\r\nState:    down since 2026-12-06 14:43:22 (was up)\r\n"));
    assert_non_null(strstr(text, "\r\nReason:   timeout after 3 failures\r\n"));
    free(text);
    free(mail);
    json_decref(doc);
    free(cfg);
}

/* The e-mail of a test alert from site (malloc'd), its From's display name decoded into name. */
static char *mail_of_site(char *site, char *name)
{
    struct cfg *cfg = cfg_make();
    json_t *doc;
    char *mail;

    cfg->site_name = site;
    doc = alertmsg_test_doc(cfg, T0);
    mail = alertmsg_email(cfg, doc, 1, 1, T0);
    assert_non_null(mail);
    decode_header(strstr(mail, "\r\nFrom: ") + 2, "From", name);
    json_decref(doc);
    free(cfg);
    return mail;
}

static void test_a_site_name_with_diacritics_is_encoded_in_from(void **state)
{
    char name[256], *mail = mail_of_site("Huyện Lai Vung, tỉnh Đồng Tháp", name);
    (void)state;

    assert_string_equal(name, "camwatch Huyện Lai Vung, tỉnh Đồng Tháp");
    assert_non_null(strstr(mail, "?= <camwatch@laivung.example>\r\n"));
    free(mail);
}

/* An ASCII site name holding a comma was written plain: "From: camwatch District 7, HCMC
 * <...>" reads as two addresses, the first without a domain. */
static void test_a_site_name_with_a_special_is_encoded_in_from(void **state)
{
    char name[256], *mail = mail_of_site("District 7, HCMC", name);
    (void)state;

    assert_null(strstr(mail, "7, HCMC"));
    assert_non_null(strstr(mail, "\r\nFrom: =?UTF-8?B?"));
    assert_string_equal(name, "camwatch District 7, HCMC");
    /* the address after the words, on their line or folded to the next */
    assert_true(strstr(mail, "?= <camwatch@laivung.example>\r\n") != NULL ||
                strstr(mail, "?=\r\n <camwatch@laivung.example>\r\n") != NULL);
    free(mail);
}

static void test_the_wait_doubles_up_to_its_bound_and_heeds_retry_after(void **state)
{
    const struct cfg_alerts a = {.retry_ms = 30000, .retry_max_ms = 1800000};
    (void)state;

    assert_int_equal(alertq_backoff(&a, 1, 0), 30000);
    assert_int_equal(alertq_backoff(&a, 2, 0), 60000);
    assert_int_equal(alertq_backoff(&a, 3, 0), 120000);
    assert_int_equal(alertq_backoff(&a, 6, 0), 960000);
    assert_int_equal(alertq_backoff(&a, 7, 0), 1800000);
    assert_int_equal(alertq_backoff(&a, 1000, 0), 1800000);
    assert_int_equal(alertq_backoff(&a, 1, 90000), 90000);     /* Retry-After: 90 */
    assert_int_equal(alertq_backoff(&a, 1, 7200000), 1800000); /* asked too much: the bound */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ascii_header_that_fits_is_left_as_it_is),
        cmocka_unit_test(test_vietnamese_subject_is_encoded_words_of_whole_characters),
        cmocka_unit_test(test_a_long_ascii_subject_is_encoded_to_fit_its_lines),
        cmocka_unit_test(test_summaries_say_the_change_flapping_and_settling),
        cmocka_unit_test(test_webhook_body_is_the_document_with_its_id_first),
        cmocka_unit_test(test_email_has_its_headers_and_the_text_in_base64),
        cmocka_unit_test(test_a_site_name_with_diacritics_is_encoded_in_from),
        cmocka_unit_test(test_a_site_name_with_a_special_is_encoded_in_from),
        cmocka_unit_test(test_the_wait_doubles_up_to_its_bound_and_heeds_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
