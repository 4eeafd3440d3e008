/* xmlguard.c - the safe-parse guard; see xmlguard.h. Security-critical: read this file alone.
 * Owns, for one xmlguard_parse() call, a libxml2 parser context and its guard state on the
 * stack; the document it returns is the caller's. No globals but a pthread_once for libxml2's
 * one-time setup; any thread.
 *
 * In order (xmlguard_parse):
 *   size cap -> HTML sniff -> raw "<!DOCTYPE"/"<!ENTITY" scan -> libxml2 under a guard
 *   -> doc->intSubset/extSubset check
 * The raw scan gives a clear message for the usual case; the guard is what makes it safe
 * whatever the encoding (UTF-16, UTF-7, EBCDIC would hide the bytes from the scan): its SAX
 * internalSubset and entityDecl callbacks stop the parser at the first DOCTYPE, before any
 * declaration is read, and its startElementNs callback stops it past XMLGUARD_MAX_DEPTH, so
 * depth is enforced while parsing (libxml2's own 256-level limit never speaks first, and a
 * deep document is never built). Entity substitution, DTD loading and the network are off
 * in the context whatever libxml2's process-wide defaults say. Errors go to the context
 * (ctxt->lastError), never to stderr. */
#include "xmlguard.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "xmltext.h"

/* No NOENT, DTDLOAD, DTDATTR, DTDVALID, HUGE or XINCLUDE: see parse_context_new(). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Per-parse state of the SAX guard; lives on xmlguard_parse()'s stack, reached by
 * ctxt->_private. */
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

    if (++g->depth > XMLGUARD_MAX_DEPTH) {
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
    xmltext_copy_trimmed(msg, sizeof(msg), e->message);
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
                          XMLGUARD_MAX_DEPTH);
    if (!ctxt->wellFormed || ctxt->myDoc == NULL)
        return not_xml(&ctxt->lastError, err);
    if (ctxt->myDoc->intSubset != NULL || ctxt->myDoc->extSubset != NULL)
        return cw_err_set(err, NULL, 0, NULL, "XML with a DTD refused");
    return 0;
}

/* Refusals decided on the raw bytes, before libxml2 sees them. */
static int raw_refusal(const char *buf, size_t len, struct cw_err *err)
{
    size_t i = 0;

    if (len > XMLGUARD_MAX_BYTES)
        return cw_err_set(err, NULL, 0, NULL, "response too large (%zu bytes, limit %d)", len,
                          XMLGUARD_MAX_BYTES);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && xmltext_is_space(buf[i]))
        i++;
    if (i == len)
        return cw_err_set(err, NULL, 0, NULL, "not XML: empty response");
    /* A login page or a web server's error page: say so rather than "DTD refused". */
    if (xmltext_starts_ci(buf + i, len - i, "<!doctype html") ||
        xmltext_starts_ci(buf + i, len - i, "<html"))
        return cw_err_set(err, NULL, 0, NULL, "not XML: an HTML page");
    if (xmltext_has_ci(buf, len, "<!doctype") || xmltext_has_ci(buf, len, "<!entity"))
        return cw_err_set(err, NULL, 0, NULL, "XML with a DTD refused");
    return 0;
}

int xmlguard_parse(const char *buf, size_t len, xmlDocPtr *out, struct cw_err *err)
{
    struct parse_guard g = {0};
    xmlParserCtxtPtr ctxt;
    int rc;

    *out = NULL;
    if (raw_refusal(buf, len, err) != 0)
        return -1;
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
