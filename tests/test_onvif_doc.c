/* test_onvif_doc.c - a device's answer parsed (onvif_doc.h), and so the safe-parse guard
 * (xmlguard.h) every answer goes through: HTML, truncated and non-SOAP answers, the size and
 * depth caps, billion laughs and external entities refused by the byte scan and, where the
 * scan is blind (UTF-16), by the parser's guard with nothing fetched; and SOAP 1.2 and 1.1
 * faults read whatever prefixes the device chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../probes/onvif_doc.h"
#include "cwtest.h"
#include "onvif_testdoc.h"

/* ---- faults ---- */

static void fault_case(const char *file, enum onvif_fault_kind kind, const char *code,
                       const char *reason)
{
    struct onvif_doc *d = parse_file(file);
    struct onvif_fault f;

    assert_int_equal(onvif_doc_fault(d, &f), 1);
    assert_int_equal(f.kind, kind);
    assert_string_equal(f.code, code);
    assert_string_equal(f.reason, reason);
    onvif_doc_free(d);
}

static void test_faults_soap12_and_soap11(void **state)
{
    (void)state;
    fault_case("hik_fault_not_authorized.xml", ONVIF_FAULT_NOT_AUTHORIZED,
               "env:Sender / ter:NotAuthorized",
               "The action requested requires authorization and the sender is not authorized");
    fault_case("axis_fault_action_not_supported.xml", ONVIF_FAULT_NOT_SUPPORTED,
               "env:Receiver / ter:ActionNotSupported / ter:AudioNotSupported", "No audio support");
    fault_case("axis_fault_no_profile.xml", ONVIF_FAULT_OTHER,
               "env:Sender / ter:InvalidArgVal / ter:NoProfile",
               "The requested profile token does not exist");
    fault_case("soap11_fault_not_implemented.xml", ONVIF_FAULT_NOT_SUPPORTED, "env:Client",
               "Method 'tds:GetServices' not implemented: method name or namespace not recognized");
    fault_case("soap11_fault_failed_authentication.xml", ONVIF_FAULT_NOT_AUTHORIZED,
               "wsse:FailedAuthentication",
               "The security token could not be authenticated or authorized");
}

/* The code's prefixes come from the namespaces, not from what the device wrote. */
static void test_fault_codes_resolve_prefixes_by_namespace(void **state)
{
    struct onvif_doc *d = parse_text(
        "<a:Envelope xmlns:a=\"" NS_SOAP12 "\"><a:Body><a:Fault><a:Code><a:Value>a:Sender"
        "</a:Value><a:Subcode><a:Value xmlns:e=\"http://www.onvif.org/ver10/error\">e:NotAuthorized"
        "</a:Value></a:Subcode></a:Code><a:Reason><a:Text xml:lang=\"en\">no</a:Text></a:Reason>"
        "</a:Fault></a:Body></a:Envelope>");
    struct onvif_fault f;

    (void)state;
    assert_int_equal(onvif_doc_fault(d, &f), 1);
    assert_string_equal(f.code, "env:Sender / ter:NotAuthorized");
    assert_int_equal(f.kind, ONVIF_FAULT_NOT_AUTHORIZED);
    onvif_doc_free(d);
}

/* The reason heuristic is narrow: Sender/Client only, and it must name a method. */
static void test_fault_not_supported_heuristic_is_narrow(void **state)
{
    static const struct {
        const char *code, *reason;
        enum onvif_fault_kind kind;
    } cases[] = {
        {"env:Sender", "Action not supported", ONVIF_FAULT_NOT_SUPPORTED},
        {"env:Sender", "The operation is not implemented", ONVIF_FAULT_NOT_SUPPORTED},
        {"env:Sender", "Resolution not supported", ONVIF_FAULT_OTHER},
        {"env:Receiver", "Method not implemented", ONVIF_FAULT_OTHER},
        {"env:Sender", "Invalid argument", ONVIF_FAULT_OTHER},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        struct onvif_doc *d;
        struct onvif_fault f;

        snprintf(text, sizeof(text),
                 ENV12_OPEN
                 "<env:Fault><env:Code><env:Value>%s</env:Value></env:Code>"
                 "<env:Reason><env:Text>%s</env:Text></env:Reason></env:Fault>" ENV12_CLOSE,
                 cases[i].code, cases[i].reason);
        d = parse_text(text);
        assert_int_equal(onvif_doc_fault(d, &f), 1);
        if (f.kind != cases[i].kind)
            fail_msg("%s '%s': kind %d", cases[i].code, cases[i].reason, (int)f.kind);
        onvif_doc_free(d);
    }
}

static void test_no_fault_in_an_answer(void **state)
{
    struct onvif_doc *d = parse_file("axis_device_information.xml");
    struct onvif_fault f;

    (void)state;
    memset(&f, 0x55, sizeof(f));
    assert_int_equal(onvif_doc_fault(d, &f), 0);
    assert_int_equal(f.kind, ONVIF_FAULT_NONE);
    assert_string_equal(f.code, "");
    assert_string_equal(f.reason, "");
    onvif_doc_free(d);
}

/* ---- refusals ---- */

static void test_refuses_html_truncated_and_non_soap(void **state)
{
    struct cw_err err;

    (void)state;
    refuse_file("html_login.html", "not XML: an HTML page", &err);
    refuse_text("\r\n  <HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD></HTML>",
                "not XML: an HTML page", &err);
    refuse_file("truncated.xml", "not XML: ", &err);
    assert_non_null(strstr(err.msg, ", line "));
    assert_true(err.line > 1);
    refuse_text("", "not XML: empty response", &err);
    refuse_text(" \n", "not XML: empty response", &err);
    refuse_text(ENV12_OPEN "<tds:X>&undeclared;</tds:X>" ENV12_CLOSE, "not XML: ", &err);
    assert_non_null(strstr(err.msg, "undeclared"));
    refuse_file("not_soap.xml", "not a SOAP envelope (root <ResponseStatus>)", &err);
    refuse_file("envelope_no_namespace.xml", "not a SOAP envelope", &err);
    refuse_text("<env:Envelope xmlns:env=\"" NS_SOAP12 "\"><env:Header/></env:Envelope>",
                "not a SOAP envelope (no Body)", &err);
    /* A Body from the other SOAP version does not count. */
    refuse_text("<env:Envelope xmlns:env=\"" NS_SOAP12 "\"><b:Body "
                "xmlns:b=\"http://schemas.xmlsoap.org/soap/envelope/\"/></env:Envelope>",
                "not a SOAP envelope (no Body)", &err);
}

/* An envelope padded with white space after the root to exactly len bytes. */
static char *padded_envelope(size_t len)
{
    static const char env[] =
        "<env:Envelope xmlns:env=\"" NS_SOAP12 "\"><env:Body/></env:Envelope>";
    char *buf = malloc(len);

    assert_non_null(buf);
    memcpy(buf, env, sizeof(env) - 1);
    memset(buf + sizeof(env) - 1, ' ', len - (sizeof(env) - 1));
    return buf;
}

static void test_size_cap_is_one_mebibyte(void **state)
{
    struct cw_err err;

    (void)state;
    onvif_doc_free(parse_buf(padded_envelope(ONVIF_MAX_RESPONSE_BYTES), ONVIF_MAX_RESPONSE_BYTES));
    refuse_buf(padded_envelope(ONVIF_MAX_RESPONSE_BYTES + 1), ONVIF_MAX_RESPONSE_BYTES + 1,
               "response too large", &err);
}

/* Envelope and Body, then <a> nested until the document is depth elements deep. */
static char *nested(int depth, size_t *len)
{
    static const char open[] = "<env:Envelope xmlns:env=\"" NS_SOAP12 "\"><env:Body>";
    static const char close[] = "</env:Body></env:Envelope>";
    size_t cap = sizeof(open) + sizeof(close) + (size_t)depth * 8;
    char *buf = malloc(cap);
    size_t n = 0;

    assert_non_null(buf);
    memcpy(buf, open, sizeof(open) - 1);
    n = sizeof(open) - 1;
    for (int i = 2; i < depth; i++, n += 3)
        memcpy(buf + n, "<a>", 3);
    for (int i = 2; i < depth; i++, n += 4)
        memcpy(buf + n, "</a>", 4);
    memcpy(buf + n, close, sizeof(close) - 1);
    *len = n + sizeof(close) - 1;
    return buf;
}

static void test_depth_cap_applies_while_parsing(void **state)
{
    struct cw_err err;
    size_t len;
    char *buf;

    (void)state;
    buf = nested(XMLGUARD_MAX_DEPTH, &len);
    onvif_doc_free(parse_buf(buf, len));
    buf = nested(XMLGUARD_MAX_DEPTH + 1, &len);
    refuse_buf(buf, len, "XML nested too deep", &err);
    /* Far past libxml2's own limit of 256: still our message, not libxml2's. */
    buf = nested(100000, &len);
    refuse_buf(buf, len, "XML nested too deep", &err);
}

static void test_refuses_billion_laughs_and_external_entities(void **state)
{
    struct cw_err err;

    (void)state;
    refuse_file("billion_laughs.xml", "XML with a DTD refused", &err);
    refuse_file("xxe_file.xml", "XML with a DTD refused", &err);
    assert_null(strstr(err.msg, "root:"));
    refuse_file("xxe_http.xml", "XML with a DTD refused", &err);
    refuse_file("xxe_parameter_entity.xml", "XML with a DTD refused", &err);
    refuse_text("<!doctype env:Envelope><env:Envelope xmlns:env=\"" NS_SOAP12
                "\"><env:Body/></env:Envelope>",
                "XML with a DTD refused", &err);
}

/* With the byte scan blind (UTF-16), the parser's guard stops at the DOCTYPE: the billion
 * laughs are not expanded and nothing connects to the loopback socket the entity names. */
static void test_guard_refuses_dtds_the_byte_scan_cannot_see(void **state)
{
    int port;
    int fd = cwtest_loopback_socket(1, &port);
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>";
    char doc[1024];
    struct cw_err err;
    size_t blen;
    char *bl = load("billion_laughs.xml", &blen), *bl_text;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    snprintf(doc, sizeof(doc),
             "<!DOCTYPE env:Envelope [<!ENTITY xxe SYSTEM \"http://127.0.0.1:%d/x\">]>"
             "<env:Envelope xmlns:env=\"" NS_SOAP12 "\"><env:Body>&xxe;</env:Body></env:Envelope>",
             port);
    refuse_utf16(doc, "XML with a DTD refused", &err);
    memmove(doc + strlen(decl), doc, strlen(doc) + 1);
    memcpy(doc, decl, strlen(decl));
    refuse_utf16(doc, "XML with a DTD refused", &err);
    assert_int_equal(accept(fd, NULL, NULL), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(fd);

    /* Billion laughs without its XML declaration, in UTF-16. */
    bl_text = calloc(1, blen + 1);
    assert_non_null(bl_text);
    memcpy(bl_text, bl, blen);
    refuse_utf16(strstr(bl_text, "<!DOCTYPE"), "XML with a DTD refused", &err);
    free(bl_text);
    free(bl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_soap12_and_soap11),
        cmocka_unit_test(test_fault_codes_resolve_prefixes_by_namespace),
        cmocka_unit_test(test_fault_not_supported_heuristic_is_narrow),
        cmocka_unit_test(test_no_fault_in_an_answer),
        cmocka_unit_test(test_refuses_html_truncated_and_non_soap),
        cmocka_unit_test(test_size_cap_is_one_mebibyte),
        cmocka_unit_test(test_depth_cap_applies_while_parsing),
        cmocka_unit_test(test_refuses_billion_laughs_and_external_entities),
        cmocka_unit_test(test_guard_refuses_dtds_the_byte_scan_cannot_see),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
