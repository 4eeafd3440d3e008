/* test_wsd.c - WS-Discovery ProbeMatches read (wsd_parse_probe_matches): vendors' styles,
 * default namespaces, several matches, DTDs refused, what is refused and why, scopes made safe
 * to print, lists cut between items, the cap on matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/wsd.h"
#include "onvif_testdoc.h"

/* ---- WS-Discovery ProbeMatches ---- */

#define NS_WSA04 "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define NS_WSD "http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define PROBE_ID "urn:uuid:2f0c9c3a-6a0e-4c7b-9d52-1b7e5f0a8c11"
#define WSD_OPEN                                                                                   \
    "<e:Envelope xmlns:e=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA04 "\" xmlns:d=\"" NS_WSD             \
    "\" xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><e:Header><a:RelatesTo>" PROBE_ID     \
    "</a:RelatesTo></e:Header><e:Body>"
#define WSD_CLOSE "</e:Body></e:Envelope>"
#define WSD_MATCH(addr, scopes)                                                                    \
    "<d:ProbeMatch><a:EndpointReference><a:Address>" addr "</a:Address></a:EndpointReference>"     \
    "<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>" scopes "</d:Scopes>"                 \
    "<d:XAddrs>http://192.0.2.1/onvif/device_service</d:XAddrs>"                                   \
    "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>"

/* Parse doc (freed here) as ProbeMatches into a new *out; returns the parser's result. */
static int probe_matches(struct onvif_doc *doc, struct wsd_probe_matches **out, struct cw_err *err)
{
    int rc;

    *out = malloc(sizeof(**out));
    assert_non_null(*out);
    memset(err, 0, sizeof(*err));
    rc = wsd_parse_probe_matches(doc, *out, err);
    onvif_doc_free(doc);
    return rc;
}

static struct wsd_probe_matches *probe_matches_ok(struct onvif_doc *doc)
{
    struct wsd_probe_matches *m;
    struct cw_err err;

    if (probe_matches(doc, &m, &err) != 0)
        fail_msg("ProbeMatches: %s", err.msg);
    return m;
}

static void probe_matches_refused(const char *text, const char *want)
{
    struct wsd_probe_matches *m;
    struct cw_err err;

    assert_int_equal(probe_matches(parse_text(text), &m, &err), -1);
    if (strstr(err.msg, want) == NULL)
        fail_msg("expected '%s' in '%s'", want, err.msg);
    free(m);
}

static void test_probe_matches_hikvision_style(void **state)
{
    struct wsd_probe_matches *m = probe_matches_ok(parse_file("wsd_hik_probe_matches.xml"));
    const struct wsd_probe_match *p = &m->match[0];

    (void)state;
    assert_string_equal(m->relates_to, PROBE_ID);
    assert_int_equal(m->n, 1);
    assert_string_equal(p->endpoint, "urn:uuid:b4e3f1c2-1dd1-11b2-8a5c-4447cc123456");
    assert_string_equal(p->types, "dn:NetworkVideoTransmitter tds:Device");
    assert_string_equal(p->xaddrs, "http://192.0.2.10/onvif/device_service "
                                   "http://[fe80::4647:ccff:fe12:3456]/onvif/device_service");
    assert_non_null(strstr(p->scopes, " onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I "));
    assert_string_equal(p->name, "HIKVISION DS-2CD2143G2-I");
    assert_string_equal(p->hardware, "DS-2CD2143G2-I");
    assert_string_equal(p->location, "city/hangzhou");
    assert_int_equal(p->metadata_version, 10);
    free(m);
}

/* gSOAP's prefixes, an indented document, Scopes wrapped over lines, an empty location. */
static void test_probe_matches_axis_style(void **state)
{
    struct wsd_probe_matches *m = probe_matches_ok(parse_file("wsd_axis_probe_matches.xml"));
    const struct wsd_probe_match *p = &m->match[0];

    (void)state;
    assert_string_equal(m->relates_to, PROBE_ID);
    assert_int_equal(m->n, 1);
    assert_string_equal(p->endpoint, "urn:uuid:a91b2c3d-0000-4000-8000-accc8e123456");
    assert_string_equal(p->types, "dn:NetworkVideoTransmitter tds:Device"); /* tdn: resolved */
    assert_string_equal(p->scopes,
                        "onvif://www.onvif.org/type/video_encoder "
                        "onvif://www.onvif.org/type/audio_encoder onvif://www.onvif.org/type/ptz "
                        "onvif://www.onvif.org/hardware/P1365 "
                        "onvif://www.onvif.org/name/AXIS%20P1365%20Mk%20II "
                        "onvif://www.onvif.org/location/ onvif://www.onvif.org/Profile/Streaming "
                        "onvif://www.onvif.org/Profile/G");
    assert_string_equal(p->name, "AXIS P1365 Mk II");
    assert_string_equal(p->hardware, "P1365");
    assert_string_equal(p->location, "");
    assert_string_equal(p->xaddrs, "http://192.0.2.20/onvif/device_service "
                                   "http://[fe80::240:8cff:fe12:3456]/onvif/device_service");
    assert_int_equal(p->metadata_version, 1);
    free(m);
}

/* No prefixes in the Body, Types' prefix declared on Types itself, two ProbeMatch elements,
 * Vietnamese percent-encoded as UTF-8, types in a namespace we do not name and undeclared. */
static void test_probe_matches_default_namespaces_and_two_matches(void **state)
{
    struct wsd_probe_matches *m = probe_matches_ok(parse_file("wsd_dotnet_probe_matches.xml"));

    (void)state;
    assert_string_equal(m->relates_to, "urn:uuid:2F0C9C3A-6A0E-4C7B-9D52-1B7E5F0A8C11");
    assert_int_equal(m->n, 2);
    assert_string_equal(m->match[0].endpoint, "urn:uuid:6c1e2d3f-4a5b-4c6d-8e7f-001122334455");
    assert_string_equal(m->match[0].types, "dn:NetworkVideoTransmitter");
    assert_string_equal(m->match[0].name, "Chợ Lai Vung cổng chính");
    assert_string_equal(m->match[0].hardware, "SIM-1");
    assert_string_equal(m->match[0].location, "country/vietnam, city/Lai Vung");
    assert_string_equal(m->match[0].xaddrs, "http://192.0.2.30:8080/onvif/device_service");
    assert_int_equal(m->match[0].metadata_version, 2);
    assert_string_equal(m->match[1].endpoint, "urn:uuid:6c1e2d3f-4a5b-4c6d-8e7f-001122334466");
    assert_string_equal(m->match[1].types,
                        "tds:Device {http://schemas.microsoft.com/windows/2006/08/wdp/print}"
                        "PrintDeviceType undeclared:Thing");
    assert_string_equal(m->match[1].scopes, "");
    assert_string_equal(m->match[1].name, "");
    free(m);
}

static void test_probe_matches_with_a_dtd_are_refused(void **state)
{
    struct cw_err err;
    size_t len;
    char *buf;

    (void)state;
    refuse_file("wsd_dtd_probe_matches.xml", "XML with a DTD refused", &err);
    /* The same answer in UTF-16, past the byte scan: the parser's guard refuses it. */
    buf = load("wsd_dtd_probe_matches.xml", &len);
    buf = realloc(buf, len + 1);
    assert_non_null(buf);
    buf[len] = '\0';
    /* Drop the XML declaration: it says UTF-8. */
    refuse_utf16(strstr(buf, "<!DOCTYPE"), "XML with a DTD refused", &err);
    free(buf);
}

static void test_probe_matches_refusals(void **state)
{
    (void)state;
    probe_matches_refused(
        "<e:Envelope xmlns:e=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA04 "\" xmlns:d=\"" NS_WSD
        "\"><e:Body><d:ProbeMatches>" WSD_MATCH("urn:uuid:1", "") "</d:ProbeMatches>" WSD_CLOSE,
        "ProbeMatches: no RelatesTo in the Header");
    /* WS-Discovery 1.1 answers are another protocol (and another addressing namespace). */
    probe_matches_refused(WSD_OPEN "<ProbeMatches xmlns=\"http://docs.oasis-open.org/ws-dd/ns/"
                                   "discovery/2009/01\"/>" WSD_CLOSE,
                          "ProbeMatches in namespace 'http://docs.oasis-open.org/ws-dd/ns/"
                          "discovery/2009/01', not " NS_WSD);
    probe_matches_refused(WSD_OPEN "<d:Hello/>" WSD_CLOSE, "no ProbeMatches in the Body");
    probe_matches_refused(
        WSD_OPEN "<d:ProbeMatches>" WSD_MATCH(
            "urn:uuid:1", "") "<d:ProbeMatch><d:Types>dn:NetworkVideoTransmitter</d:Types>"
                              "</d:ProbeMatch></d:ProbeMatches>" WSD_CLOSE,
        "ProbeMatch[1]: no EndpointReference/Address");
    probe_matches_refused(WSD_OPEN "<d:ProbeMatches><d:ProbeMatch><a:EndpointReference>"
                                   "<a:Address>urn:uuid:1</a:Address></a:EndpointReference>"
                                   "<d:MetadataVersion>-1</d:MetadataVersion></d:ProbeMatch>"
                                   "</d:ProbeMatches>" WSD_CLOSE,
                          "ProbeMatch[0]: MetadataVersion: '-1' is not a number");
    probe_matches_refused(WSD_OPEN "<d:ProbeMatches><d:ProbeMatch><a:EndpointReference>"
                                   "<a:Address>urn:uuid:1</a:Address></a:EndpointReference>"
                                   "<d:MetadataVersion>4294967296</d:MetadataVersion>"
                                   "</d:ProbeMatch></d:ProbeMatches>" WSD_CLOSE,
                          "MetadataVersion: 4294967296 out of range");
    probe_matches_refused(WSD_OPEN "<e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code>"
                                   "<e:Reason><e:Text xml:lang=\"en\">no</e:Text></e:Reason>"
                                   "</e:Fault>" WSD_CLOSE,
                          "SOAP fault env:Sender: no");
}

static void test_probe_matches_empty_is_not_an_error(void **state)
{
    struct wsd_probe_matches *m =
        probe_matches_ok(parse_text(WSD_OPEN "<d:ProbeMatches/>" WSD_CLOSE));

    (void)state;
    assert_int_equal(m->n, 0);
    assert_string_equal(m->relates_to, PROBE_ID);
    free(m);
}

/* A hostile device's scopes: terminal escapes, bytes that are not UTF-8, C1 controls and NUL
 * come out as '?'; a '%' without two hex digits stays. */
static void test_probe_matches_scopes_are_made_safe_to_print(void **state)
{
    struct wsd_probe_matches *m = probe_matches_ok(parse_text(
        WSD_OPEN "<d:ProbeMatches>" WSD_MATCH(
            "urn:uuid:1&#x85;x",
            "onvif://www.onvif.org/name/%1B%5B2J%1B]0;pwn%07cam%FF%C2%9Bx%00y "
            "onvif://www.onvif.org/hardware/100%25%4 "
            "ONVIF://WWW.ONVIF.ORG/location/%E1%BB|%C0%AF|%ED%A0%80|%F4%90%80%80")
            WSD_MATCH("urn:uuid:2",
                      "onvif://www.onvif.org/location/a "
                      "onvif://www.onvif.org/location/b") "</d:ProbeMatches>" WSD_CLOSE));

    (void)state;
    assert_int_equal(m->n, 2);
    assert_string_equal(m->match[0].endpoint, "urn:uuid:1?x");
    assert_string_equal(m->match[0].name, "?[2J?]0;pwn?cam??x?y");
    assert_string_equal(m->match[0].hardware, "100%%4");
    /* Cut short, overlong, a surrogate, past U+10FFFF: one '?' per byte. */
    assert_string_equal(m->match[0].location, "??|??|???|????");
    assert_string_equal(m->match[1].location, "a, b");
    free(m);
}

/* Lists longer than their field end at the last item that fits whole. */
static void test_probe_matches_lists_are_cut_between_items(void **state)
{
    char item[101], *text, *scopes;
    struct wsd_probe_matches *m;
    size_t len;

    (void)state;
    memset(item, 'x', sizeof(item) - 1);
    item[sizeof(item) - 1] = '\0';
    memcpy(item, "onvif://", 8);
    scopes = calloc(1, 40 * (sizeof(item) + 2)); /* 40 times 100 bytes and "\n ", a NUL */
    assert_non_null(scopes);
    for (int i = 0; i < 40; i++) {
        strcat(scopes, item);
        strcat(scopes, "\n ");
    }
    len = strlen(WSD_OPEN) + strlen(scopes) + 1024;
    text = malloc(len);
    assert_non_null(text);
    snprintf(text, len,
             WSD_OPEN "<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1"
                      "</a:Address></a:EndpointReference><d:Scopes>%s</d:Scopes></d:ProbeMatch>"
                      "</d:ProbeMatches>" WSD_CLOSE,
             scopes);
    m = probe_matches_ok(parse_text(text));
    /* 100-byte items and one space each: 20 fit in 2047 bytes, the 21st would not. */
    assert_int_equal(strlen(m->match[0].scopes), 20 * 101 - 1);
    assert_int_equal(strlen(m->match[0].scopes) % 101, 100);
    assert_memory_equal(m->match[0].scopes + 19 * 101, item, 100);
    free(m);
    free(text);
    free(scopes);
}

static void test_probe_matches_stop_at_max(void **state)
{
    char text[8192], match[512];
    struct wsd_probe_matches *m;

    (void)state;
    snprintf(text, sizeof(text), "%s<d:ProbeMatches>", WSD_OPEN);
    for (int i = 1; i <= WSD_MAX_MATCHES + 2; i++) {
        snprintf(match, sizeof(match), WSD_MATCH("urn:uuid:%d", ""), i);
        strcat(text, match);
    }
    strcat(text, "</d:ProbeMatches>" WSD_CLOSE);
    m = probe_matches_ok(parse_text(text));
    assert_int_equal(m->n, WSD_MAX_MATCHES);
    assert_string_equal(m->match[WSD_MAX_MATCHES - 1].endpoint, "urn:uuid:8");
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_matches_hikvision_style),
        cmocka_unit_test(test_probe_matches_axis_style),
        cmocka_unit_test(test_probe_matches_default_namespaces_and_two_matches),
        cmocka_unit_test(test_probe_matches_with_a_dtd_are_refused),
        cmocka_unit_test(test_probe_matches_refusals),
        cmocka_unit_test(test_probe_matches_empty_is_not_an_error),
        cmocka_unit_test(test_probe_matches_scopes_are_made_safe_to_print),
        cmocka_unit_test(test_probe_matches_lists_are_cut_between_items),
        cmocka_unit_test(test_probe_matches_stop_at_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
