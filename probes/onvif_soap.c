/* onvif_soap.c - ONVIF SOAP messages as pure functions on memory; see onvif_soap.h. Owns only
 * what each call allocates: the libxml2 document of a struct onvif_doc (freed by
 * onvif_doc_free) and the request text it returns. No I/O, no globals of its own but a
 * pthread_once for libxml2's one-time setup; any thread.
 *
 * Parsing a response, in order (onvif_doc_parse):
 *   size cap -> HTML sniff -> raw "<!DOCTYPE"/"<!ENTITY" scan -> libxml2 under a guard
 *   -> doc->intSubset/extSubset check -> Envelope/Body check
 * The raw scan gives a clear message for the usual case; the guard is what makes it safe
 * whatever the encoding (UTF-16, UTF-7, EBCDIC would hide the bytes from the scan): its SAX
 * internalSubset and entityDecl callbacks stop the parser at the first DOCTYPE, before any
 * declaration is read, and its startElementNs callback stops it past ONVIF_MAX_DEPTH, so
 * depth is enforced while parsing (libxml2's own 256-level limit never speaks first, and a
 * deep document is never built). Entity substitution, DTD loading and the network are off
 * in the context whatever libxml2's process-wide defaults say. Errors go to the context
 * (ctxt->lastError), never to stderr.
 *
 * Namespaces. The response element (GetProfilesResponse, ...) must be in its WSDL namespace:
 * that is what says the device answered the call we made. Inside it, an element is looked
 * up by local name, preferring the namespace the schema gives it and falling back to any
 * namespace, because devices put tt elements in the wsdl namespace, in a default namespace
 * or in none. Only direct children are searched, so a vendor extension deeper down cannot
 * be mistaken for a field. WS-Discovery's ProbeMatches is read the same way: its element in
 * the 2005/04 discovery namespace, the fields inside by local name; the QNames of its Types
 * are resolved through the namespaces in scope, as XML Schema reads a QName. */
#include "onvif_soap.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_TDS "http://www.onvif.org/ver10/device/wsdl"
#define NS_TT "http://www.onvif.org/ver10/schema"
#define NS_TRT "http://www.onvif.org/ver10/media/wsdl"
#define NS_TR2 "http://www.onvif.org/ver20/media/wsdl"
#define NS_TER "http://www.onvif.org/ver10/error"
#define NS_WSA "http://www.w3.org/2005/08/addressing"
#define NS_WSA04 "http://schemas.xmlsoap.org/ws/2004/08/addressing" /* WS-Discovery 1.0's */
#define NS_WSD "http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define NS_DN "http://www.onvif.org/ver10/network/wsdl"
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSU "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define WSSE_PASSWORD_DIGEST                                                                       \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
#define WSSE_BASE64_BINARY                                                                         \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"

/* No NOENT, DTDLOAD, DTDATTR, DTDVALID, HUGE or XINCLUDE: see parse_context_new(). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define NONCE_BYTES 16           /* WS-Security nonce; the ONVIF guide's example uses 16 */
#define SHA1_BYTES 20            /* SHA-1 digest */
#define DIGEST_B64_LEN 28        /* base64 of 20 bytes, without the NUL */
#define NUM_TEXT_MAX 64          /* a number's text as quoted in an error */
#define MS_PER_DAY 86400000LL    /* epoch milliseconds in a UTC day (no leap seconds) */
#define CLOCK_TRUNCATION_MS 1000 /* the device gives whole seconds */

struct onvif_doc {
    xmlDocPtr xml;
    xmlNodePtr body; /* the Envelope's Body */
};

/* ---- small string helpers ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Copy n bytes of s into out (size bytes), cut so a UTF-8 sequence is never split. */
static void copy_cut(char *out, size_t size, const char *s, size_t n)
{
    if (size == 0)
        return;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Make the string s safe to print and to put in JSON, in place (it can only
 * shrink): bytes that are not UTF-8 and control characters (C0, DEL, C1) become '?'. */
static void sanitize_text(char *s)
{
    size_t r = 0, w = 0;

    while (s[r] != '\0') {
        unsigned char c = (unsigned char)s[r], lo = 0x80, hi = 0xBF;
        size_t n = 0, i;
        uint32_t cp;

        if (c < 0x80) {
            s[w++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
            r++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3;
        /* No overlong forms, no surrogates, nothing past U+10FFFF (RFC 3629, 4). */
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        cp = c & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07);
        for (i = 1; n > 0 && i <= n; i++) {
            unsigned char cc = (unsigned char)s[r + i];
            if (cc < (i == 1 ? lo : 0x80) || cc > (i == 1 ? hi : 0xBF))
                break;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (n == 0 || i <= n || (cp >= 0x80 && cp <= 0x9F)) {
            s[w++] = '?';
            r += n == 0 || i <= n ? 1 : n + 1;
            continue;
        }
        memmove(s + w, s + r, n + 1);
        w += n + 1;
        r += n + 1;
    }
    s[w] = '\0';
}

/* Copy s trimmed of ASCII white space. */
static void copy_trimmed(char *out, size_t size, const char *s)
{
    size_t n;

    while (is_space(*s))
        s++;
    n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    copy_cut(out, size, s, n);
}

/* Case-insensitive search for an ASCII needle in len bytes. */
static bool mem_has_ci(const char *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++) {
        size_t j = 0;
        while (j < n && lower(buf[i + j]) == needle[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static bool starts_ci(const char *buf, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(buf[i]) != prefix[i])
            return false;
    return true;
}

/* ---- safe parsing ---- */

/* Per-parse state of the SAX guard; lives on parse_xml()'s stack, reached by ctxt->_private. */
struct parse_guard {
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
    int depth;
    bool dtd;
    bool too_deep;
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* libxml2 2.9 sets up its tables on first use, and that first use is not thread-safe. */
static void xml_init(void)
{
    xmlInitParser();
}

static void guard_stop(void *ctx, bool dtd, bool too_deep)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_guard *g = ctxt->_private;

    g->dtd |= dtd;
    g->too_deep |= too_deep;
    xmlStopParser(ctxt);
}

static void guard_subset(void *ctx, const xmlChar *name, const xmlChar *public_id,
                         const xmlChar *system_id)
{
    (void)name;
    (void)public_id;
    (void)system_id;
    guard_stop(ctx, true, false);
}

static void guard_entity(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                         const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    guard_stop(ctx, true, false);
}

static void guard_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                        int nb_ns, const xmlChar **ns, int nb_attr, int nb_defaulted,
                        const xmlChar **attr)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_guard *g = ctxt->_private;

    if (++g->depth > ONVIF_MAX_DEPTH) {
        guard_stop(ctx, false, true);
        return;
    }
    g->start(ctx, local, prefix, uri, nb_ns, ns, nb_attr, nb_defaulted, attr);
}

static void guard_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_guard *g = ctxt->_private;

    g->depth--;
    g->end(ctx, local, prefix, uri);
}

/* Errors stay in ctxt->lastError; nothing is printed. */
static void guard_quiet(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

static xmlParserCtxtPtr parse_context_new(const char *buf, size_t len, struct parse_guard *g)
{
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);

    if (ctxt == NULL)
        return NULL;
    xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
    /* The context starts from process-wide defaults another library may have changed. */
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    ctxt->options &= ~(XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR |
                       XML_PARSE_DTDVALID | XML_PARSE_HUGE | XML_PARSE_XINCLUDE);
    ctxt->_private = g;
    g->start = ctxt->sax->startElementNs;
    g->end = ctxt->sax->endElementNs;
    ctxt->sax->startElementNs = guard_start;
    ctxt->sax->endElementNs = guard_end;
    ctxt->sax->internalSubset = guard_subset;
    ctxt->sax->externalSubset = guard_subset;
    ctxt->sax->entityDecl = guard_entity;
    ctxt->sax->serror = guard_quiet;
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    ctxt->sax->fatalError = NULL;
    return ctxt;
}

static int not_xml(const xmlError *e, struct cw_err *err)
{
    char msg[256];

    if (e == NULL || e->message == NULL)
        return cw_err_set(err, NULL, 0, NULL, "not XML");
    copy_trimmed(msg, sizeof(msg), e->message);
    cw_err_set(err, NULL, 0, NULL, "not XML: %s, line %d", msg, e->line);
    if (err != NULL)
        err->line = e->line;
    return -1;
}

/* What the parse came to; 0 when ctxt->myDoc is a clean document. */
static int parse_verdict(xmlParserCtxtPtr ctxt, const struct parse_guard *g, struct cw_err *err)
{
    if (g->dtd)
        return cw_err_set(err, NULL, 0, NULL, "XML with a DTD refused");
    if (g->too_deep)
        return cw_err_set(err, NULL, 0, NULL, "XML nested too deep (over %d levels)",
                          ONVIF_MAX_DEPTH);
    if (!ctxt->wellFormed || ctxt->myDoc == NULL)
        return not_xml(&ctxt->lastError, err);
    if (ctxt->myDoc->intSubset != NULL || ctxt->myDoc->extSubset != NULL)
        return cw_err_set(err, NULL, 0, NULL, "XML with a DTD refused");
    return 0;
}

static int parse_xml(const char *buf, size_t len, xmlDocPtr *out, struct cw_err *err)
{
    struct parse_guard g = {0};
    xmlParserCtxtPtr ctxt;
    int rc;

    pthread_once(&xml_once, xml_init);
    ctxt = parse_context_new(buf, len, &g);
    if (ctxt == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    xmlParseDocument(ctxt);
    rc = parse_verdict(ctxt, &g, err);
    if (rc == 0)
        *out = ctxt->myDoc;
    else
        xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* Refusals decided on the raw bytes, before libxml2 sees them. */
static int raw_refusal(const char *buf, size_t len, struct cw_err *err)
{
    size_t i = 0;

    if (len > ONVIF_MAX_RESPONSE_BYTES)
        return cw_err_set(err, NULL, 0, NULL, "response too large (%zu bytes, limit %d)", len,
                          ONVIF_MAX_RESPONSE_BYTES);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && is_space(buf[i]))
        i++;
    if (i == len)
        return cw_err_set(err, NULL, 0, NULL, "not XML: empty response");
    /* A login page or a web server's error page: say so rather than "DTD refused". */
    if (starts_ci(buf + i, len - i, "<!doctype html") || starts_ci(buf + i, len - i, "<html"))
        return cw_err_set(err, NULL, 0, NULL, "not XML: an HTML page");
    if (mem_has_ci(buf, len, "<!doctype") || mem_has_ci(buf, len, "<!entity"))
        return cw_err_set(err, NULL, 0, NULL, "XML with a DTD refused");
    return 0;
}

static bool node_is(const xmlNode *n, const char *ns, const char *local)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, local) != 0)
        return false;
    if (ns == NULL)
        return true;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* First element child named local in namespace ns (any namespace when ns is NULL). */
static xmlNodePtr child_in(const xmlNode *parent, const char *ns, const char *local)
{
    if (parent == NULL)
        return NULL;
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (node_is(c, ns, local))
            return c;
    return NULL;
}

/* Child by local name, preferring namespace ns; see the file header for why. */
static xmlNodePtr child(const xmlNode *parent, const char *ns, const char *local)
{
    xmlNodePtr c = child_in(parent, ns, local);

    return c != NULL ? c : child_in(parent, NULL, local);
}

static xmlNodePtr first_element(const xmlNode *parent)
{
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static int envelope_check(xmlDocPtr xml, xmlNodePtr *body, struct cw_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(xml);
    const char *ns = NULL;

    if (node_is(root, NS_SOAP12, "Envelope"))
        ns = NS_SOAP12;
    else if (node_is(root, NS_SOAP11, "Envelope"))
        ns = NS_SOAP11;
    if (ns == NULL)
        return cw_err_set(err, NULL, 0, NULL, "not a SOAP envelope (root <%s>)",
                          root != NULL ? (const char *)root->name : "");
    *body = child_in(root, ns, "Body");
    if (*body == NULL)
        return cw_err_set(err, NULL, 0, NULL, "not a SOAP envelope (no Body)");
    return 0;
}

int onvif_doc_parse(const char *buf, size_t len, struct onvif_doc **out, struct cw_err *err)
{
    struct onvif_doc *d;
    xmlDocPtr xml = NULL;
    xmlNodePtr body = NULL;

    *out = NULL;
    if (raw_refusal(buf, len, err) != 0 || parse_xml(buf, len, &xml, err) != 0)
        return -1;
    if (envelope_check(xml, &body, err) != 0)
        goto fail;
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    d->xml = xml;
    d->body = body;
    *out = d;
    return 0;
fail:
    xmlFreeDoc(xml);
    return -1;
}

void onvif_doc_free(struct onvif_doc *d)
{
    if (d == NULL)
        return;
    xmlFreeDoc(d->xml);
    free(d);
}

/* ---- reading values ---- */

/* Trimmed text of n into out, cut to size; "" when n is NULL. */
static void node_text(const xmlNode *n, char *out, size_t size)
{
    xmlChar *s;

    out[0] = '\0';
    if (n == NULL)
        return;
    s = xmlNodeGetContent(n);
    if (s != NULL)
        copy_trimmed(out, size, (const char *)s);
    xmlFree(s);
    /* A device's text reaches logs, tables and JSON: no line breaks or escapes from it. */
    sanitize_text(out);
}

/* Trimmed value of the unqualified attribute name; "" when absent. */
static void attr_text(const xmlNode *n, const char *name, char *out, size_t size)
{
    xmlChar *s;

    out[0] = '\0';
    if (n == NULL)
        return;
    s = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (s != NULL)
        copy_trimmed(out, size, (const char *)s);
    xmlFree(s);
    sanitize_text(out);
}

/* Parse a decimal integer in [min, max] from text; what names the field in the error. An
 * empty text leaves *out alone: "0 when absent". */
static int text_int(const char *text, const char *what, long min, long max, int *out,
                    struct cw_err *err)
{
    char *end;
    long v;

    if (text[0] == '\0')
        return 0;
    v = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "%s: '%s' is not a number", what, text);
    if (v < min || v > max)
        return cw_err_set(err, NULL, 0, NULL, "%s: %s out of range", what, text);
    *out = (int)v;
    return 0;
}

static int node_int(const xmlNode *n, const char *what, long min, long max, int *out,
                    struct cw_err *err)
{
    char text[NUM_TEXT_MAX];

    node_text(n, text, sizeof(text));
    return text_int(text, what, min, max, out, err);
}

static int node_double(const xmlNode *n, const char *what, double max, double *out,
                       struct cw_err *err)
{
    char text[NUM_TEXT_MAX];
    char *end;
    double v;

    node_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return 0;
    v = strtod(text, &end);
    if (end == text || *end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "%s: '%s' is not a number", what, text);
    if (!(v >= 0.0 && v <= max))
        return cw_err_set(err, NULL, 0, NULL, "%s: %s out of range", what, text);
    *out = v;
    return 0;
}

/* ---- faults ---- */

/* Fixed prefixes for the namespaces a fault code uses, so the code reads the same whatever
 * prefixes the device chose. */
static const struct {
    const char *ns;
    const char *prefix;
} fault_prefixes[] = {
    {NS_SOAP12, "env"}, {NS_SOAP11, "env"}, {NS_TER, "ter"}, {NS_WSSE, "wsse"}, {NS_WSA, "wsa"},
};

/* Local names that mean our credentials were refused: ONVIF's, and WS-Security's fault
 * codes (OASIS SOAP Message Security 1.0, 12). MessageExpired is a Created too far from
 * the device's clock. */
static const char *const auth_codes[] = {
    "NotAuthorized", "FailedAuthentication",     "InvalidSecurity", "InvalidSecurityToken",
    "FailedCheck",   "SecurityTokenUnavailable", "MessageExpired",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static const char *canonical_prefix(const xmlNs *ns)
{
    if (ns == NULL || ns->href == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(fault_prefixes) / sizeof(fault_prefixes[0]); i++)
        if (strcmp((const char *)ns->href, fault_prefixes[i].ns) == 0)
            return fault_prefixes[i].prefix;
    return NULL;
}

struct fault_codes {
    bool auth, unsupported, sender;
    int count;
};

/* Append the QName in value's text to out->code (resolved through value's in-scope
 * namespaces) and note what it says. */
static void fault_code_add(const xmlNode *value, struct onvif_fault *out, struct fault_codes *fc)
{
    char text[96], prefix[96] = "";
    const char *local = text, *colon, *canon;
    size_t used = strlen(out->code);
    xmlNsPtr ns;

    node_text(value, text, sizeof(text));
    if (text[0] == '\0')
        return;
    colon = strchr(text, ':');
    if (colon != NULL) {
        copy_cut(prefix, sizeof(prefix), text, (size_t)(colon - text));
        local = colon + 1;
    }
    ns = xmlSearchNs(value->doc, (xmlNodePtr)value,
                     prefix[0] != '\0' ? (const xmlChar *)prefix : NULL);
    canon = canonical_prefix(ns);
    if (canon == NULL)
        canon = prefix[0] != '\0' ? prefix : NULL;
    snprintf(out->code + used, sizeof(out->code) - used, "%s%s%s%s", fc->count ? " / " : "",
             canon ? canon : "", canon ? ":" : "", local);
    if (fc->count++ == 0)
        fc->sender = strcmp(local, "Sender") == 0 || strcmp(local, "Client") == 0;
    fc->auth |= in_list(local, auth_codes, sizeof(auth_codes) / sizeof(auth_codes[0]));
    fc->unsupported |= strcmp(local, "ActionNotSupported") == 0;
}

/* SOAP 1.2: Code/Value then each nested Subcode/Value. */
static void fault12_codes(const xmlNode *fault, const char *ns, struct onvif_fault *out,
                          struct fault_codes *fc)
{
    const xmlNode *code = child(fault, ns, "Code");

    for (int i = 0; code != NULL && i < ONVIF_MAX_DEPTH; i++) {
        fault_code_add(child(code, ns, "Value"), out, fc);
        code = child(code, ns, "Subcode");
    }
}

/* SOAP 1.2 Reason: the English Text when there is one, else the first. */
static void fault12_reason(const xmlNode *fault, const char *ns, struct onvif_fault *out)
{
    const xmlNode *reason = child(fault, ns, "Reason");
    const xmlNode *pick = child(reason, ns, "Text");

    for (const xmlNode *t = pick; t != NULL; t = t->next) {
        xmlChar *lang;
        bool en;

        if (!node_is(t, NULL, "Text"))
            continue;
        lang = xmlGetNsProp(t, (const xmlChar *)"lang", XML_XML_NAMESPACE);
        en = lang != NULL && (lang[0] == 'e' || lang[0] == 'E') &&
             (lang[1] == 'n' || lang[1] == 'N');
        xmlFree(lang);
        if (en) {
            pick = t;
            break;
        }
    }
    node_text(pick, out->reason, sizeof(out->reason));
}

/* SOAP 1.1: faultcode, faultstring (or detail when there is no faultstring); unqualified
 * elements, so matched by local name. */
static void fault11(const xmlNode *fault, struct onvif_fault *out, struct fault_codes *fc)
{
    fault_code_add(child_in(fault, NULL, "faultcode"), out, fc);
    node_text(child_in(fault, NULL, "faultstring"), out->reason, sizeof(out->reason));
    if (out->reason[0] == '\0')
        node_text(child_in(fault, NULL, "detail"), out->reason, sizeof(out->reason));
}

/* A Sender (Client) fault whose reason says the method is not there. Kept narrow: it must
 * name a method, action or operation and say "not supported" or "not implemented", as
 * gSOAP-based devices do ("Method 'tds:GetServices' not implemented: method name or
 * namespace not recognized"). Anything else stays OTHER. */
static bool reason_says_unsupported(const char *reason)
{
    size_t n = strlen(reason);
    bool what = mem_has_ci(reason, n, "method") || mem_has_ci(reason, n, "action") ||
                mem_has_ci(reason, n, "operation");

    return what &&
           (mem_has_ci(reason, n, "not supported") || mem_has_ci(reason, n, "not implemented"));
}

int onvif_doc_fault(const struct onvif_doc *d, struct onvif_fault *out)
{
    const xmlNode *fault = first_element(d->body);
    const char *ns = d->body->ns != NULL ? (const char *)d->body->ns->href : NULL;
    struct fault_codes fc = {0};

    memset(out, 0, sizeof(*out));
    if (!node_is(fault, ns, "Fault"))
        return 0;
    if (child(fault, ns, "Code") != NULL) {
        fault12_codes(fault, ns, out, &fc);
        fault12_reason(fault, ns, out);
    } else {
        fault11(fault, out, &fc);
    }
    if (fc.auth)
        out->kind = ONVIF_FAULT_NOT_AUTHORIZED;
    else if (fc.unsupported || (fc.sender && reason_says_unsupported(out->reason)))
        out->kind = ONVIF_FAULT_NOT_SUPPORTED;
    else
        out->kind = ONVIF_FAULT_OTHER;
    return 1;
}

/* ---- finding the response ---- */

/* Error for a Body without the expected response: the fault, the element in the wrong
 * namespace, or nothing. */
static int response_missing(const struct onvif_doc *d, const char *ns, const char *local,
                            struct cw_err *err)
{
    struct onvif_fault f;
    const xmlNode *other = child_in(d->body, NULL, local);

    if (onvif_doc_fault(d, &f))
        return cw_err_set(err, NULL, 0, NULL, "SOAP fault %s: %s", f.code, f.reason);
    if (other != NULL)
        return cw_err_set(err, NULL, 0, NULL, "%s in namespace '%s', not %s", local,
                          other->ns != NULL ? (const char *)other->ns->href : "", ns);
    return cw_err_set(err, NULL, 0, NULL, "no %s in the Body", local);
}

static const xmlNode *response(const struct onvif_doc *d, const char *ns, const char *local,
                               struct cw_err *err)
{
    const xmlNode *r = child_in(d->body, ns, local);

    if (r == NULL)
        response_missing(d, ns, local, err);
    return r;
}

/* ---- GetSystemDateAndTime ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* A required integer child of parent in [min, max]. */
static int need_int(const xmlNode *parent, const char *name, long min, long max, int *out,
                    struct cw_err *err)
{
    const xmlNode *n = child(parent, NS_TT, name);
    char text[NUM_TEXT_MAX];

    node_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "UTCDateTime: no %s", name);
    return text_int(text, name, min, max, out, err);
}

/* UTCDateTime as epoch milliseconds. Second 60 (a leap second) is taken as the next
 * minute's 0. */
static int utc_ms(const xmlNode *utc, int64_t *out, struct cw_err *err)
{
    const xmlNode *date = child(utc, NS_TT, "Date"), *time = child(utc, NS_TT, "Time");
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;

    if (date == NULL || time == NULL)
        return cw_err_set(err, NULL, 0, NULL, "UTCDateTime: no %s", date ? "Time" : "Date");
    if (need_int(date, "Year", 1900, 9999, &y, err) || need_int(date, "Month", 1, 12, &mo, err) ||
        need_int(date, "Day", 1, 31, &d, err) || need_int(time, "Hour", 0, 23, &h, err) ||
        need_int(time, "Minute", 0, 59, &mi, err) || need_int(time, "Second", 0, 60, &s, err))
        return -1;
    if (d > month_days(y, mo))
        return cw_err_set(err, NULL, 0, NULL, "Day: %d out of range", d);
    *out = days_from_civil(y, mo, d) * MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + s) * 1000;
    return 0;
}

/* LocalDateTime alone is refused: without UTC the device's offset from UTC is unknown (the
 * TZ string is POSIX or free text and may be wrong), so no clock offset can be measured. */
int onvif_parse_clock(const struct onvif_doc *d, struct onvif_clock *out, struct cw_err *err)
{
    const xmlNode *r = response(d, NS_TDS, "GetSystemDateAndTimeResponse", err);
    const xmlNode *sdt, *utc;
    char type[16];

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    sdt = child(r, NS_TDS, "SystemDateAndTime");
    if (sdt == NULL)
        return cw_err_set(err, NULL, 0, NULL, "GetSystemDateAndTimeResponse: no SystemDateAndTime");
    utc = child(sdt, NS_TT, "UTCDateTime");
    if (utc == NULL && child(sdt, NS_TT, "LocalDateTime") != NULL)
        return cw_err_set(err, NULL, 0, NULL,
                          "GetSystemDateAndTimeResponse: no UTCDateTime, only LocalDateTime "
                          "(its offset from UTC is unknown)");
    if (utc == NULL)
        return cw_err_set(err, NULL, 0, NULL, "GetSystemDateAndTimeResponse: no UTCDateTime");
    if (utc_ms(utc, &out->device_utc_ms, err) != 0)
        return -1;
    /* Anything but "NTP" (missing, Manual, a vendor's word) counts as not NTP. */
    node_text(child(sdt, NS_TT, "DateTimeType"), type, sizeof(type));
    out->ntp = strcmp(type, "NTP") == 0;
    node_text(child(child(sdt, NS_TT, "TimeZone"), NS_TT, "TZ"), out->tz, sizeof(out->tz));
    return 0;
}

/* ---- GetDeviceInformation ---- */

int onvif_parse_info(const struct onvif_doc *d, struct onvif_info *out, struct cw_err *err)
{
    const xmlNode *r = response(d, NS_TDS, "GetDeviceInformationResponse", err);

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    node_text(child(r, NS_TDS, "Manufacturer"), out->manufacturer, sizeof(out->manufacturer));
    node_text(child(r, NS_TDS, "Model"), out->model, sizeof(out->model));
    node_text(child(r, NS_TDS, "FirmwareVersion"), out->firmware, sizeof(out->firmware));
    node_text(child(r, NS_TDS, "SerialNumber"), out->serial, sizeof(out->serial));
    node_text(child(r, NS_TDS, "HardwareId"), out->hardware_id, sizeof(out->hardware_id));
    return 0;
}

/* ---- GetServices, GetCapabilities ---- */

static const struct {
    const char *ns;
    enum onvif_service svc;
} service_namespaces[] = {
    {"http://www.onvif.org/ver10/device/wsdl", ONVIF_SVC_DEVICE},
    {"http://www.onvif.org/ver10/media/wsdl", ONVIF_SVC_MEDIA},
    {"http://www.onvif.org/ver20/media/wsdl", ONVIF_SVC_MEDIA2},
    {"http://www.onvif.org/ver10/recording/wsdl", ONVIF_SVC_RECORDING},
    {"http://www.onvif.org/ver10/search/wsdl", ONVIF_SVC_SEARCH},
    {"http://www.onvif.org/ver10/replay/wsdl", ONVIF_SVC_REPLAY},
    {"http://www.onvif.org/ver10/events/wsdl", ONVIF_SVC_EVENTS},
    {"http://www.onvif.org/ver20/imaging/wsdl", ONVIF_SVC_IMAGING},
    {"http://www.onvif.org/ver20/ptz/wsdl", ONVIF_SVC_PTZ},
};

/* The service a Namespace names, or -1. A trailing '/' some devices add is ignored. */
static int service_of(const char *ns)
{
    size_t n = strlen(ns);

    if (n > 0 && ns[n - 1] == '/')
        n--;
    for (size_t i = 0; i < sizeof(service_namespaces) / sizeof(service_namespaces[0]); i++)
        if (strlen(service_namespaces[i].ns) == n && strncmp(ns, service_namespaces[i].ns, n) == 0)
            return (int)service_namespaces[i].svc;
    return -1;
}

/* Store xaddr's text as svc's URL when it has any. */
static void endpoint_set(struct onvif_endpoints *out, int svc, const xmlNode *xaddr)
{
    char url[ONVIF_URL_MAX];

    node_text(xaddr, url, sizeof(url));
    if (svc >= 0 && url[0] != '\0')
        memcpy(out->url[svc], url, sizeof(url));
}

int onvif_parse_services(const struct onvif_doc *d, struct onvif_endpoints *out, struct cw_err *err)
{
    const xmlNode *r = response(d, NS_TDS, "GetServicesResponse", err);
    bool seen[ONVIF_SVC_COUNT] = {false};

    if (r == NULL)
        return -1;
    for (const xmlNode *s = r->children; s != NULL; s = s->next) {
        char ns[ONVIF_URL_MAX];
        int svc;

        if (!node_is(s, NULL, "Service"))
            continue;
        node_text(child(s, NS_TDS, "Namespace"), ns, sizeof(ns));
        svc = service_of(ns);
        if (svc < 0 || seen[svc])
            continue; /* the first Service naming a namespace wins */
        seen[svc] = true;
        endpoint_set(out, svc, child(s, NS_TDS, "XAddr"));
    }
    return 0;
}

int onvif_parse_capabilities(const struct onvif_doc *d, struct onvif_endpoints *out,
                             struct cw_err *err)
{
    static const struct {
        const char *name;
        enum onvif_service svc;
        bool in_extension;
    } caps[] = {
        {"Device", ONVIF_SVC_DEVICE, false}, {"Media", ONVIF_SVC_MEDIA, false},
        {"Events", ONVIF_SVC_EVENTS, false}, {"Imaging", ONVIF_SVC_IMAGING, false},
        {"PTZ", ONVIF_SVC_PTZ, false},       {"Recording", ONVIF_SVC_RECORDING, true},
        {"Search", ONVIF_SVC_SEARCH, true},  {"Replay", ONVIF_SVC_REPLAY, true},
    };
    const xmlNode *r = response(d, NS_TDS, "GetCapabilitiesResponse", err);
    const xmlNode *c, *ext;

    if (r == NULL)
        return -1;
    c = child(r, NS_TDS, "Capabilities");
    if (c == NULL)
        return cw_err_set(err, NULL, 0, NULL, "GetCapabilitiesResponse: no Capabilities");
    ext = child(c, NS_TT, "Extension");
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        const xmlNode *cap = child(caps[i].in_extension ? ext : c, NS_TT, caps[i].name);
        endpoint_set(out, (int)caps[i].svc, child(cap, NS_TT, "XAddr"));
    }
    return 0;
}

/* ---- GetProfiles ---- */

/* Lower-case encoding name; media2's MIME-style "MPV4-ES" is called mpeg4 like ver10's. */
static void encoding_set(struct onvif_profile *p, const char *text)
{
    size_t i;

    if (text[0] == '\0')
        return;
    for (i = 0; text[i] != '\0' && i + 1 < sizeof(p->encoding); i++)
        p->encoding[i] = lower(text[i]);
    p->encoding[i] = '\0';
    if (strcmp(p->encoding, "mpv4-es") == 0)
        snprintf(p->encoding, sizeof(p->encoding), "mpeg4");
}

/* What ver10's VideoEncoderConfiguration and media2's VideoEncoder2Configuration share:
 * token, Encoding, Resolution, RateControl. Both put these in tt. */
static int encoder_common(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    const xmlNode *res = child(vec, NS_TT, "Resolution"), *rc = child(vec, NS_TT, "RateControl");
    char enc[32];

    attr_text(vec, "token", p->encoder_token, sizeof(p->encoder_token));
    node_text(child(vec, NS_TT, "Encoding"), enc, sizeof(enc));
    encoding_set(p, enc);
    if (node_int(child(res, NS_TT, "Width"), "Width", 0, 65535, &p->width, err) ||
        node_int(child(res, NS_TT, "Height"), "Height", 0, 65535, &p->height, err) ||
        node_double(child(rc, NS_TT, "FrameRateLimit"), "FrameRateLimit", 10000.0, &p->fps_limit,
                    err) ||
        node_int(child(rc, NS_TT, "BitrateLimit"), "BitrateLimit", 0, 2147483647L,
                 &p->bitrate_limit_kbps, err))
        return -1;
    return 0;
}

/* ver10: GOP in H264/GovLength or MPEG4/GovLength. Hikvision reports an H.265 stream as
 * Encoding H264 (ver10's enumeration has no H265) with an encoding="H265" attribute on the
 * configuration: the attribute wins when present. */
static int encoder_v10(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    const xmlNode *codec = child(vec, NS_TT, "H264");
    char attr[32];

    if (encoder_common(vec, p, err) != 0)
        return -1;
    attr_text(vec, "encoding", attr, sizeof(attr));
    encoding_set(p, attr);
    if (codec == NULL)
        codec = child(vec, NS_TT, "MPEG4");
    return node_int(child(codec, NS_TT, "GovLength"), "GovLength", 0, 1000000, &p->gov_length, err);
}

/* media2: GovLength is an attribute. */
static int encoder_v20(const xmlNode *vec, struct onvif_profile *p, struct cw_err *err)
{
    char gov[NUM_TEXT_MAX];

    if (encoder_common(vec, p, err) != 0)
        return -1;
    attr_text(vec, "GovLength", gov, sizeof(gov));
    return text_int(gov, "GovLength", 0, 1000000, &p->gov_length, err);
}

/* Prefix err's message with the profile it is about. */
static int profile_error(const struct onvif_profile *p, size_t i, struct cw_err *err)
{
    char msg[sizeof(err->msg)];

    if (err == NULL)
        return -1;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return cw_err_set(err, NULL, 0, NULL, "Profiles[%zu] '%s': %s", i, p->token, msg);
}

static int profile_read(const xmlNode *prof, bool media2, struct onvif_profile *p,
                        struct cw_err *err)
{
    const char *ns = media2 ? NS_TR2 : NS_TRT;
    const xmlNode *vec;

    memset(p, 0, sizeof(*p));
    attr_text(prof, "token", p->token, sizeof(p->token));
    node_text(child(prof, media2 ? NS_TR2 : NS_TT, "Name"), p->name, sizeof(p->name));
    if (media2) {
        vec = child(child(prof, ns, "Configurations"), ns, "VideoEncoder");
        return vec != NULL ? encoder_v20(vec, p, err) : 0;
    }
    vec = child(prof, NS_TT, "VideoEncoderConfiguration");
    return vec != NULL ? encoder_v10(vec, p, err) : 0;
}

int onvif_parse_profiles(const struct onvif_doc *d, struct onvif_profile *out, size_t max,
                         size_t *n, struct cw_err *err)
{
    const xmlNode *r = child_in(d->body, NS_TRT, "GetProfilesResponse");
    bool media2 = false;
    size_t i = 0;

    *n = 0;
    if (r == NULL) {
        r = child_in(d->body, NS_TR2, "GetProfilesResponse");
        media2 = true;
    }
    if (r == NULL)
        return response_missing(d, NS_TRT " or " NS_TR2, "GetProfilesResponse", err);
    for (const xmlNode *p = r->children; p != NULL && i < max; p = p->next) {
        if (!node_is(p, NULL, "Profiles"))
            continue;
        if (profile_read(p, media2, &out[i], err) != 0)
            return profile_error(&out[i], i, err);
        i++;
    }
    *n = i;
    return 0;
}

/* ---- GetStreamUri, GetSnapshotUri ---- */

int onvif_parse_uri(const struct onvif_doc *d, char *uri, size_t len, struct cw_err *err)
{
    static const struct {
        const char *ns, *name;
        bool media2;
    } kinds[] = {
        {NS_TRT, "GetStreamUriResponse", false},
        {NS_TRT, "GetSnapshotUriResponse", false},
        {NS_TR2, "GetStreamUriResponse", true},
        {NS_TR2, "GetSnapshotUriResponse", true},
    };

    uri[0] = '\0';
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const xmlNode *r = child_in(d->body, kinds[i].ns, kinds[i].name), *u;
        if (r == NULL)
            continue;
        /* ver10 wraps the Uri in a tt:MediaUri; media2 does not. */
        u = kinds[i].media2 ? child(r, NS_TR2, "Uri")
                            : child(child(r, NS_TRT, "MediaUri"), NS_TT, "Uri");
        node_text(u, uri, len);
        if (uri[0] == '\0')
            return cw_err_set(err, NULL, 0, NULL, "%s: no Uri", kinds[i].name);
        return 0;
    }
    return response_missing(d, NS_TRT " or " NS_TR2, "GetStreamUriResponse", err);
}

/* ---- WS-Discovery ProbeMatches ---- */

#define ONVIF_SCOPE_PREFIX "onvif://www.onvif.org/"

/* The next white-space separated item of *s and its length in *n; NULL when none is left. */
static const char *next_item(const char **s, size_t *n)
{
    const char *p = *s;

    while (is_space(*p))
        p++;
    if (*p == '\0')
        return NULL;
    *n = 0;
    while (p[*n] != '\0' && !is_space(p[*n]))
        (*n)++;
    *s = p + *n;
    return p;
}

/* Append item (n bytes) to the space-separated list; false, leaving it, when it does not fit
 * whole: a list is cut between items, never inside a URI. */
static bool list_add(char *list, size_t size, const char *item, size_t n)
{
    size_t used = strlen(list), sep = used > 0;

    if (used + sep + n + 1 > size)
        return false;
    if (sep)
        list[used++] = ' ';
    memcpy(list + used, item, n);
    list[used + n] = '\0';
    return true;
}

/* The text of n as a malloc'd string; NULL when n is NULL or out of memory. */
static char *node_content(const xmlNode *n)
{
    xmlChar *x;
    char *s;

    if (n == NULL || (x = xmlNodeGetContent(n)) == NULL)
        return NULL;
    s = strdup((const char *)x);
    xmlFree(x);
    return s;
}

/* A list element's items, white space collapsed, into out. */
static void list_text(const xmlNode *n, char *out, size_t size)
{
    char *text = node_content(n);
    const char *p = text, *item;
    size_t len;

    out[0] = '\0';
    if (text == NULL)
        return;
    while ((item = next_item(&p, &len)) != NULL && list_add(out, size, item, len))
        ;
    free(text);
    sanitize_text(out);
}

/* One QName of a Types list as "prefix:Local" with our prefix for the ONVIF namespaces, else
 * "{namespace}Local"; as written when its prefix is not declared. */
static void type_name(const xmlNode *types, const char *item, size_t n, char *out, size_t size)
{
    static const struct {
        const char *ns, *prefix;
    } known[] = {{NS_DN, "dn"}, {NS_TDS, "tds"}};
    const char *colon = memchr(item, ':', n), *local = item;
    char prefix[64] = "";
    size_t ln = n;
    xmlNsPtr ns = NULL;

    if (colon != NULL) {
        local = colon + 1;
        ln = n - (size_t)(local - item);
        if ((size_t)(colon - item) < sizeof(prefix))
            copy_cut(prefix, sizeof(prefix), item, (size_t)(colon - item));
    }
    if (colon == NULL || prefix[0] != '\0')
        ns = xmlSearchNs(types->doc, (xmlNodePtr)types,
                         prefix[0] != '\0' ? (const xmlChar *)prefix : NULL);
    if (ns == NULL || ns->href == NULL) {
        snprintf(out, size, "%.*s", (int)n, item);
        return;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp((const char *)ns->href, known[i].ns) == 0) {
            snprintf(out, size, "%s:%.*s", known[i].prefix, (int)ln, local);
            return;
        }
    }
    snprintf(out, size, "{%s}%.*s", (const char *)ns->href, (int)ln, local);
}

static void types_text(const xmlNode *types, char *out, size_t size)
{
    char *text = node_content(types), name[ONVIF_URL_MAX];
    const char *p = text, *item;
    size_t len;

    out[0] = '\0';
    if (text == NULL)
        return;
    while ((item = next_item(&p, &len)) != NULL) {
        type_name(types, item, len, name, sizeof(name));
        if (!list_add(out, size, name, strlen(name)))
            break;
    }
    free(text);
    sanitize_text(out);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s (n bytes) with its %XX escapes decoded (RFC 3986, 2.1; a '%' without two hex digits is
 * kept), made safe to print, cut into out on a character boundary. */
static void percent_decode(const char *s, size_t n, char *out, size_t size)
{
    char *tmp = malloc(n + 1);
    size_t w = 0;

    out[0] = '\0';
    if (tmp == NULL)
        return;
    for (size_t r = 0; r < n; r++) {
        int h, l;
        if (s[r] == '%' && r + 2 < n && (h = hex_digit(s[r + 1])) >= 0 &&
            (l = hex_digit(s[r + 2])) >= 0) {
            tmp[w++] = (char)(h * 16 + l);
            r += 2;
        } else {
            tmp[w++] = s[r];
        }
    }
    tmp[w] = '\0';
    /* A decoded NUL would end the string early: it is a control character, so '?'. */
    for (size_t i = 0; i < w; i++)
        if (tmp[i] == '\0')
            tmp[i] = '\x01';
    sanitize_text(tmp);
    copy_cut(out, size, tmp, strlen(tmp));
    free(tmp);
}

/* The value of an ONVIF scope onvif://www.onvif.org/<category>/<value>, decoded into out;
 * false when item is not one of category. Scheme, host and category are matched
 * case-insensitively. */
static bool scope_value(const char *item, size_t n, const char *category, char *out, size_t size)
{
    size_t pn = strlen(ONVIF_SCOPE_PREFIX), cn = strlen(category);

    if (n <= pn + cn + 1 || !starts_ci(item, n, ONVIF_SCOPE_PREFIX) ||
        !starts_ci(item + pn, n - pn, category) || item[pn + cn] != '/')
        return false;
    percent_decode(item + pn + cn + 1, n - pn - cn - 1, out, size);
    return true;
}

/* name and hardware from their first scope; every location scope joined with ", ". */
static void scopes_decode(const char *scopes, struct onvif_probe_match *m)
{
    const char *p = scopes, *item;
    char value[ONVIF_STR_MAX];
    size_t len;

    while ((item = next_item(&p, &len)) != NULL) {
        if (m->name[0] == '\0' && scope_value(item, len, "name", m->name, sizeof(m->name)))
            continue;
        if (m->hardware[0] == '\0' &&
            scope_value(item, len, "hardware", m->hardware, sizeof(m->hardware)))
            continue;
        if (scope_value(item, len, "location", value, sizeof(value)) && value[0] != '\0') {
            size_t used = strlen(m->location);
            if (used > 0) {
                if (used + 3 >= sizeof(m->location))
                    continue; /* full */
                memcpy(m->location + used, ", ", 3);
                used += 2;
            }
            copy_cut(m->location + used, sizeof(m->location) - used, value, strlen(value));
        }
    }
}

static int metadata_version(const xmlNode *n, unsigned int *out, struct cw_err *err)
{
    char text[NUM_TEXT_MAX], *end;
    unsigned long long v;

    node_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return 0;
    if (text[0] < '0' || text[0] > '9')
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: '%s' is not a number", text);
    errno = 0;
    v = strtoull(text, &end, 10);
    if (*end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: '%s' is not a number", text);
    if (errno != 0 || v > UINT32_MAX)
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: %s out of range", text);
    *out = (unsigned int)v;
    return 0;
}

static int probe_match_read(const xmlNode *pm, size_t i, struct onvif_probe_match *m,
                            struct cw_err *err)
{
    const xmlNode *epr = child(pm, NS_WSA04, "EndpointReference");

    memset(m, 0, sizeof(*m));
    node_text(child(epr, NS_WSA04, "Address"), m->endpoint, sizeof(m->endpoint));
    sanitize_text(m->endpoint);
    if (m->endpoint[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatch[%zu]: no EndpointReference/Address", i);
    types_text(child(pm, NS_WSD, "Types"), m->types, sizeof(m->types));
    list_text(child(pm, NS_WSD, "Scopes"), m->scopes, sizeof(m->scopes));
    list_text(child(pm, NS_WSD, "XAddrs"), m->xaddrs, sizeof(m->xaddrs));
    scopes_decode(m->scopes, m);
    if (metadata_version(child(pm, NS_WSD, "MetadataVersion"), &m->metadata_version, err) != 0) {
        char msg[sizeof(err->msg)];
        if (err == NULL)
            return -1;
        snprintf(msg, sizeof(msg), "%s", err->msg);
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatch[%zu]: %s", i, msg);
    }
    return 0;
}

int onvif_parse_probe_matches(const struct onvif_doc *d, struct onvif_probe_matches *out,
                              struct cw_err *err)
{
    const char *env_ns = d->body->ns != NULL ? (const char *)d->body->ns->href : NULL;
    const xmlNode *header = child_in(d->body->parent, env_ns, "Header");
    const xmlNode *r = response(d, NS_WSD, "ProbeMatches", err);
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    node_text(child(header, NS_WSA04, "RelatesTo"), out->relates_to, sizeof(out->relates_to));
    sanitize_text(out->relates_to);
    if (out->relates_to[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatches: no RelatesTo in the Header");
    for (const xmlNode *pm = r->children; pm != NULL && i < ONVIF_WSD_MAX_MATCHES; pm = pm->next) {
        if (!node_is(pm, NULL, "ProbeMatch"))
            continue;
        if (probe_match_read(pm, i, &out->match[i], err) != 0)
            return -1;
        i++;
    }
    out->n = i;
    return 0;
}

/* ---- requests ---- */

/* One request body. The operation element is prefix:op declaring its namespace; with
 * token_tail set, the escaped profile token goes between head and tail. */
struct call_def {
    const char *name;
    const char *op;
    const char *prefix;
    const char *ns;
    bool tt; /* the body uses tt: too */
    const char *head;
    const char *token_tail;
};

static const struct call_def calls[ONVIF_CALL_COUNT] = {
    [ONVIF_GET_SYSTEM_DATE_AND_TIME] = {"GetSystemDateAndTime", "GetSystemDateAndTime", "tds",
                                        NS_TDS, false, "", NULL},
    [ONVIF_GET_DEVICE_INFORMATION] = {"GetDeviceInformation", "GetDeviceInformation", "tds", NS_TDS,
                                      false, "", NULL},
    [ONVIF_GET_SERVICES] = {"GetServices", "GetServices", "tds", NS_TDS, false,
                            "<tds:IncludeCapability>false</tds:IncludeCapability>", NULL},
    [ONVIF_GET_CAPABILITIES] = {"GetCapabilities", "GetCapabilities", "tds", NS_TDS, false,
                                "<tds:Category>All</tds:Category>", NULL},
    [ONVIF_GET_PROFILES] = {"GetProfiles", "GetProfiles", "trt", NS_TRT, false, "", NULL},
    [ONVIF_GET_STREAM_URI] = {"GetStreamUri", "GetStreamUri", "trt", NS_TRT, true,
                              "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
                              "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"
                              "</trt:StreamSetup><trt:ProfileToken>",
                              "</trt:ProfileToken>"},
    [ONVIF_GET_SNAPSHOT_URI] = {"GetSnapshotUri", "GetSnapshotUri", "trt", NS_TRT, false,
                                "<trt:ProfileToken>", "</trt:ProfileToken>"},
    [ONVIF_MEDIA2_GET_PROFILES] = {"media2 GetProfiles", "GetProfiles", "tr2", NS_TR2, false,
                                   "<tr2:Type>All</tr2:Type>", NULL},
    [ONVIF_MEDIA2_GET_STREAM_URI] = {"media2 GetStreamUri", "GetStreamUri", "tr2", NS_TR2, false,
                                     "<tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>",
                                     "</tr2:ProfileToken>"},
    [ONVIF_MEDIA2_GET_SNAPSHOT_URI] = {"media2 GetSnapshotUri", "GetSnapshotUri", "tr2", NS_TR2,
                                       false, "<tr2:ProfileToken>", "</tr2:ProfileToken>"},
};

/* SOAP actions: the WSDL namespace, '/', the operation (ONVIF WSDLs' soapAction). */
static const char *const actions[ONVIF_CALL_COUNT] = {
    [ONVIF_GET_SYSTEM_DATE_AND_TIME] = NS_TDS "/GetSystemDateAndTime",
    [ONVIF_GET_DEVICE_INFORMATION] = NS_TDS "/GetDeviceInformation",
    [ONVIF_GET_SERVICES] = NS_TDS "/GetServices",
    [ONVIF_GET_CAPABILITIES] = NS_TDS "/GetCapabilities",
    [ONVIF_GET_PROFILES] = NS_TRT "/GetProfiles",
    [ONVIF_GET_STREAM_URI] = NS_TRT "/GetStreamUri",
    [ONVIF_GET_SNAPSHOT_URI] = NS_TRT "/GetSnapshotUri",
    [ONVIF_MEDIA2_GET_PROFILES] = NS_TR2 "/GetProfiles",
    [ONVIF_MEDIA2_GET_STREAM_URI] = NS_TR2 "/GetStreamUri",
    [ONVIF_MEDIA2_GET_SNAPSHOT_URI] = NS_TR2 "/GetSnapshotUri",
};

const char *onvif_call_action(enum onvif_call call)
{
    return (unsigned)call < ONVIF_CALL_COUNT ? actions[call] : "";
}

const char *onvif_call_name(enum onvif_call call)
{
    return (unsigned)call < ONVIF_CALL_COUNT ? calls[call].name : "?";
}

const char *onvif_service_name(enum onvif_service s)
{
    static const char *const names[ONVIF_SVC_COUNT] = {
        [ONVIF_SVC_DEVICE] = "device", [ONVIF_SVC_MEDIA] = "media",
        [ONVIF_SVC_MEDIA2] = "media2", [ONVIF_SVC_RECORDING] = "recording",
        [ONVIF_SVC_SEARCH] = "search", [ONVIF_SVC_REPLAY] = "replay",
        [ONVIF_SVC_EVENTS] = "events", [ONVIF_SVC_IMAGING] = "imaging",
        [ONVIF_SVC_PTZ] = "ptz",
    };
    return (unsigned)s < ONVIF_SVC_COUNT ? names[s] : "?";
}

/* A growing string; oom sticks once set, so appends can be chained and checked once. */
struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void sb_add_n(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *p;
        while (cap < b->n + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
    sb_add_n(b, s, strlen(s));
}

/* Append s as XML character data. */
static void sb_add_escaped(struct sbuf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            sb_add(b, "&amp;");
            break;
        case '<':
            sb_add(b, "&lt;");
            break;
        case '>':
            sb_add(b, "&gt;");
            break;
        case '"':
            sb_add(b, "&quot;");
            break;
        case '\'':
            sb_add(b, "&apos;");
            break;
        default:
            sb_add_n(b, s, 1);
        }
    }
}

/* XML 1.0 has no escape for control characters other than tab, LF and CR. */
static int check_text(const char *s, const char *what, struct cw_err *err)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return cw_err_set(err, NULL, 0, NULL, "%s: control character 0x%02x", what, c);
    }
    return 0;
}

int onvif_password_digest(const unsigned char *nonce, size_t nonce_len, const char *created,
                          const char *password, char *out, size_t out_len)
{
    unsigned char sha[SHA1_BYTES];
    unsigned int sha_len = 0;
    EVP_MD_CTX *md;
    int ok;

    if (out_len < DIGEST_B64_LEN + 1)
        return -1;
    md = EVP_MD_CTX_new();
    if (md == NULL)
        return -1;
    ok = EVP_DigestInit_ex(md, EVP_sha1(), NULL) && EVP_DigestUpdate(md, nonce, nonce_len) &&
         EVP_DigestUpdate(md, created, strlen(created)) &&
         EVP_DigestUpdate(md, password, strlen(password)) &&
         EVP_DigestFinal_ex(md, sha, &sha_len) && sha_len == SHA1_BYTES;
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, sha, SHA1_BYTES);
    return 0;
}

/* created_ms as "YYYY-MM-DDThh:mm:ssZ" (milliseconds dropped, rounding down). */
static int format_created(int64_t created_ms, char *out, size_t len)
{
    int64_t s = created_ms / 1000 - (created_ms % 1000 < 0);
    time_t t = (time_t)s;
    struct tm tm;
    int n;

    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    n = snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The WS-Security header: UsernameToken with PasswordDigest (OASIS UsernameToken Profile
 * 1.0, 3.1), a fresh nonce, and Created. */
static int security_header(struct sbuf *b, const char *username, const char *password,
                           int64_t created_ms, struct cw_err *err)
{
    unsigned char nonce[NONCE_BYTES];
    char nonce64[4 * ((NONCE_BYTES + 2) / 3) + 1], created[32], digest[DIGEST_B64_LEN + 1];

    if (RAND_bytes(nonce, sizeof(nonce)) != 1)
        return cw_err_set(err, NULL, 0, NULL, "no random bytes for the WS-Security nonce");
    if (format_created(created_ms, created, sizeof(created)) != 0)
        return cw_err_set(err, NULL, 0, NULL, "created time out of range");
    if (onvif_password_digest(nonce, sizeof(nonce), created, password, digest, sizeof(digest)))
        return cw_err_set(err, NULL, 0, NULL, "SHA-1 failed");
    EVP_EncodeBlock((unsigned char *)nonce64, nonce, sizeof(nonce));
    sb_add(b, "<s:Header><wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"" NS_WSSE
              "\" xmlns:wsu=\"" NS_WSU "\"><wsse:UsernameToken><wsse:Username>");
    sb_add_escaped(b, username);
    sb_add(b, "</wsse:Username><wsse:Password Type=\"" WSSE_PASSWORD_DIGEST "\">");
    sb_add(b, digest);
    sb_add(b, "</wsse:Password><wsse:Nonce EncodingType=\"" WSSE_BASE64_BINARY "\">");
    sb_add(b, nonce64);
    sb_add(b, "</wsse:Nonce><wsu:Created>");
    sb_add(b, created);
    sb_add(b, "</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>");
    return 0;
}

static void request_body(struct sbuf *b, const struct call_def *c, const char *token)
{
    sb_add(b, "<s:Body><");
    sb_add(b, c->prefix);
    sb_add(b, ":");
    sb_add(b, c->op);
    sb_add(b, " xmlns:");
    sb_add(b, c->prefix);
    sb_add(b, "=\"");
    sb_add(b, c->ns);
    sb_add(b, c->tt ? "\" xmlns:tt=\"" NS_TT "\">" : "\">");
    sb_add(b, c->head);
    if (c->token_tail != NULL) {
        sb_add_escaped(b, token);
        sb_add(b, c->token_tail);
    }
    sb_add(b, "</");
    sb_add(b, c->prefix);
    sb_add(b, ":");
    sb_add(b, c->op);
    sb_add(b, "></s:Body>");
}

static int request_check(enum onvif_call call, const char *token, const char *username,
                         const char *password, struct cw_err *err)
{
    if ((unsigned)call >= ONVIF_CALL_COUNT)
        return cw_err_set(err, NULL, 0, NULL, "unknown ONVIF call %d", (int)call);
    if (calls[call].token_tail != NULL && (token == NULL || token[0] == '\0'))
        return cw_err_set(err, NULL, 0, NULL, "%s: no profile token", calls[call].name);
    if (calls[call].token_tail != NULL && check_text(token, "profile token", err) != 0)
        return -1;
    if (username != NULL && check_text(username, "username", err) != 0)
        return -1;
    (void)password; /* only its digest is sent */
    return 0;
}

int onvif_build_request(enum onvif_call call, const char *token, const char *username,
                        const char *password, int64_t created_ms, char **out, struct cw_err *err)
{
    struct sbuf b = {0};

    *out = NULL;
    if (request_check(call, token, username, password, err) != 0)
        return -1;
    sb_add(&b,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"" NS_SOAP12 "\">");
    if (username != NULL &&
        security_header(&b, username, password ? password : "", created_ms, err) != 0)
        goto fail;
    request_body(&b, &calls[call], token);
    sb_add(&b, "</s:Envelope>\n");
    if (b.oom) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    *out = b.p;
    return 0;
fail:
    free(b.p);
    return -1;
}

/* ---- clock offset ---- */

void onvif_clock_offset(int64_t sent_ms, int64_t recv_ms, int64_t device_ms, int64_t *offset_ms,
                        int64_t *error_ms)
{
    /* A clock step between send and receive can make the round trip negative: take it as
     * zero rather than report a negative bound. */
    int64_t rtt = recv_ms > sent_ms ? recv_ms - sent_ms : 0;
    int64_t ours_mid = sent_ms + rtt / 2;
    int64_t device_mid = device_ms + CLOCK_TRUNCATION_MS / 2;

    *offset_ms = device_mid - ours_mid;
    /* Rounded up, so the bound still holds when rtt is odd. */
    *error_ms = (rtt + 1) / 2 + CLOCK_TRUNCATION_MS / 2;
}
