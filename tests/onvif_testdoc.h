/* onvif_testdoc.h - what the tests of SOAP answers share (test_onvif_doc, test_onvif_parse,
 * test_wsd): loading tests/data/onvif files into buffers of their exact size with no NUL after
 * them (cwtest_read_data: a read past len shows under ASan), parsing them, and expecting a refusal
 * with nothing on stderr. Header-only (static inline), for cmocka test programs; include after
 * <cmocka.h>. */
#ifndef CW_TEST_ONVIF_TESTDOC_H
#define CW_TEST_ONVIF_TESTDOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../probes/onvif_doc.h"
#include "cwtest.h"

#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_TDS "http://www.onvif.org/ver10/device/wsdl"
#define NS_TT "http://www.onvif.org/ver10/schema"
#define NS_TRT "http://www.onvif.org/ver10/media/wsdl"
#define NS_TR2 "http://www.onvif.org/ver20/media/wsdl"

#define ENV12_OPEN                                                                                 \
    "<env:Envelope xmlns:env=\"" NS_SOAP12 "\" xmlns:tds=\"" NS_TDS "\" xmlns:tt=\"" NS_TT         \
    "\" xmlns:trt=\"" NS_TRT "\" xmlns:ter=\"http://www.onvif.org/ver10/error\"><env:Body>"
#define ENV12_CLOSE "</env:Body></env:Envelope>"

static inline char *load(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "onvif/%s", name);
    return cwtest_read_data(rel, len);
}

/* A copy of text without its NUL. */
static inline char *dup_text(const char *text, size_t *len)
{
    char *buf;

    *len = strlen(text);
    buf = malloc(*len ? *len : 1);
    assert_non_null(buf);
    memcpy(buf, text, *len);
    return buf;
}

static inline struct onvif_doc *parse_buf(char *buf, size_t len)
{
    struct onvif_doc *d = NULL;
    struct cw_err err = {0};

    if (onvif_doc_parse(buf, len, &d, &err) != 0)
        fail_msg("parse: %s", err.msg);
    free(buf);
    assert_non_null(d);
    return d;
}

static inline struct onvif_doc *parse_file(const char *name)
{
    size_t len;
    char *buf = load(name, &len);

    return parse_buf(buf, len);
}

static inline struct onvif_doc *parse_text(const char *text)
{
    size_t len;
    char *buf = dup_text(text, &len);

    return parse_buf(buf, len);
}

/* fd 2 goes to a temporary file while hostile input is parsed: libxml2 must stay silent. */
struct stderr_capture {
    int saved;
    FILE *tmp;
};

static inline void capture_begin(struct stderr_capture *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    assert_non_null(c->tmp);
    c->saved = dup(2);
    assert_true(c->saved >= 0);
    assert_true(dup2(fileno(c->tmp), 2) >= 0);
}

static inline long capture_end(struct stderr_capture *c)
{
    long n;

    fflush(stderr);
    assert_true(dup2(c->saved, 2) >= 0);
    close(c->saved);
    assert_int_equal(fseek(c->tmp, 0, SEEK_END), 0);
    n = ftell(c->tmp);
    fclose(c->tmp);
    return n;
}

/* Parse buf (freed here), expecting a refusal whose message starts with want. Asserts that
 * nothing reached stderr. */
static inline void refuse_buf(char *buf, size_t len, const char *want, struct cw_err *err)
{
    struct onvif_doc *d = (struct onvif_doc *)&d; /* not NULL: must be reset */
    struct stderr_capture cap;

    memset(err, 0, sizeof(*err));
    capture_begin(&cap);
    assert_int_equal(onvif_doc_parse(buf, len, &d, err), -1);
    assert_int_equal(capture_end(&cap), 0);
    assert_null(d);
    if (strncmp(err->msg, want, strlen(want)) != 0)
        fail_msg("expected '%s...', got '%s'", want, err->msg);
    free(buf);
}

static inline void refuse_file(const char *name, const char *want, struct cw_err *err)
{
    size_t len;
    char *buf = load(name, &len);

    refuse_buf(buf, len, want, err);
}

static inline void refuse_text(const char *text, const char *want, struct cw_err *err)
{
    size_t len;
    char *buf = dup_text(text, &len);

    refuse_buf(buf, len, want, err);
}

/* text as UTF-16LE with a byte order mark: the raw "<!DOCTYPE" scan cannot see through it. */
static inline char *utf16le(const char *text, size_t *len)
{
    size_t n = strlen(text);
    char *buf = malloc(2 + 2 * n);

    assert_non_null(buf);
    buf[0] = (char)0xFF;
    buf[1] = (char)0xFE;
    for (size_t i = 0; i < n; i++) {
        buf[2 + 2 * i] = text[i];
        buf[3 + 2 * i] = '\0';
    }
    *len = 2 + 2 * n;
    return buf;
}

static inline void refuse_utf16(const char *text, const char *want, struct cw_err *err)
{
    size_t len;
    char *buf = utf16le(text, &len);

    refuse_buf(buf, len, want, err);
}

#endif
