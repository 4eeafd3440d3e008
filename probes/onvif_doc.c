/* onvif_doc.c - a SOAP answer as a parsed document; see onvif_doc.h. Owns the libxml2
 * document of a struct onvif_doc (freed by onvif_doc_free); the bytes are parsed by the
 * safe-parse guard (xmlguard.c) and nothing else. No globals; any thread.
 *
 * Parsing an answer (onvif_doc_parse): xmlguard_parse -> Envelope/Body check.
 *
 * Namespaces. The answer's element (GetProfilesResponse, ProbeMatches, ...) must be in its
 * WSDL namespace (onvif_doc_response): that is what says the device answered the call we
 * made. Inside it, an element is looked up by local name, preferring the namespace the schema
 * gives it and falling back to any namespace (onvif_doc_child), because devices put tt
 * elements in the wsdl namespace, in a default namespace or in none. Only direct children are
 * searched, so a vendor extension deeper down cannot be mistaken for a field.
 *
 * Faults (onvif_doc_fault): SOAP 1.2 Code/Subcode values or 1.1 faultcode, each QName
 * resolved through its in-scope namespaces so the code reads the same whatever prefixes the
 * device chose; then what the codes (and, narrowly, the reason) say. */
#include "onvif_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onvif_ns.h"
#include "xmltext.h"

struct onvif_doc {
    xmlDocPtr xml;
    const xmlNode *body; /* the Envelope's Body */
};

bool onvif_doc_is(const xmlNode *n, const char *ns, const char *local)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, local) != 0)
        return false;
    if (ns == NULL)
        return true;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* First element child named local in namespace ns (any namespace when ns is NULL). */
const xmlNode *onvif_doc_child_in(const xmlNode *parent, const char *ns, const char *local)
{
    if (parent == NULL)
        return NULL;
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (onvif_doc_is(c, ns, local))
            return c;
    return NULL;
}

/* Child by local name, preferring namespace ns; see the file header for why. */
const xmlNode *onvif_doc_child(const xmlNode *parent, const char *ns, const char *local)
{
    const xmlNode *c = onvif_doc_child_in(parent, ns, local);

    return c != NULL ? c : onvif_doc_child_in(parent, NULL, local);
}

const xmlNode *onvif_doc_need(const xmlNode *parent, const char *ns, const char *local,
                              struct cw_err *err)
{
    const xmlNode *c = onvif_doc_child(parent, ns, local);

    if (c == NULL)
        cw_err_set(err, NULL, 0, NULL, "%s: no %s",
                   parent != NULL ? (const char *)parent->name : "", local);
    return c;
}

static const xmlNode *first_element(const xmlNode *parent)
{
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static int envelope_check(xmlDocPtr xml, const xmlNode **body, struct cw_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(xml);
    const char *ns = NULL;

    if (onvif_doc_is(root, NS_SOAP12, "Envelope"))
        ns = NS_SOAP12;
    else if (onvif_doc_is(root, NS_SOAP11, "Envelope"))
        ns = NS_SOAP11;
    if (ns == NULL)
        return cw_err_set(err, NULL, 0, NULL, "not a SOAP envelope (root <%s>)",
                          root != NULL ? (const char *)root->name : "");
    *body = onvif_doc_child_in(root, ns, "Body");
    if (*body == NULL)
        return cw_err_set(err, NULL, 0, NULL, "not a SOAP envelope (no Body)");
    return 0;
}

int onvif_doc_parse(const char *buf, size_t len, struct onvif_doc **out, struct cw_err *err)
{
    struct onvif_doc *d;
    xmlDocPtr xml = NULL;
    const xmlNode *body = NULL;

    *out = NULL;
    if (xmlguard_parse(buf, len, &xml, err) != 0)
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

const xmlNode *onvif_doc_body(const struct onvif_doc *d)
{
    return d->body;
}

const xmlNode *onvif_doc_header(const struct onvif_doc *d)
{
    const char *ns = d->body->ns != NULL ? (const char *)d->body->ns->href : NULL;

    return onvif_doc_child_in(d->body->parent, ns, "Header");
}

/* libxml2's copy s (may be NULL: "") into out, trimmed and cut to size; s is freed. */
static void doc_take_text(xmlChar *s, char *out, size_t size)
{
    out[0] = '\0';
    if (s != NULL)
        xmltext_copy_trimmed(out, size, (const char *)s);
    xmlFree(s);
    /* A device's text reaches logs, tables and JSON: no line breaks or escapes from it. */
    xmltext_sanitize(out);
}

void onvif_doc_text(const xmlNode *n, char *out, size_t size)
{
    doc_take_text(n != NULL ? xmlNodeGetContent(n) : NULL, out, size);
}

void onvif_doc_attr_text(const xmlNode *n, const char *name, char *out, size_t size)
{
    doc_take_text(n != NULL ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL, out, size);
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

    onvif_doc_text(value, text, sizeof(text));
    if (text[0] == '\0')
        return;
    colon = strchr(text, ':');
    if (colon != NULL) {
        xmltext_copy_cut(prefix, sizeof(prefix), text, (size_t)(colon - text));
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
    const xmlNode *code = onvif_doc_child(fault, ns, "Code");

    for (int i = 0; code != NULL && i < XMLGUARD_MAX_DEPTH; i++) {
        fault_code_add(onvif_doc_child(code, ns, "Value"), out, fc);
        code = onvif_doc_child(code, ns, "Subcode");
    }
}

/* SOAP 1.2 Reason: the English Text when there is one, else the first. */
static void fault12_reason(const xmlNode *fault, const char *ns, struct onvif_fault *out)
{
    const xmlNode *reason = onvif_doc_child(fault, ns, "Reason");
    const xmlNode *pick = onvif_doc_child(reason, ns, "Text");

    for (const xmlNode *t = pick; t != NULL; t = t->next) {
        xmlChar *lang;
        bool en;

        if (!onvif_doc_is(t, NULL, "Text"))
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
    onvif_doc_text(pick, out->reason, sizeof(out->reason));
}

/* SOAP 1.1: faultcode, faultstring (or detail when there is no faultstring); unqualified
 * elements, so matched by local name. */
static void fault11(const xmlNode *fault, struct onvif_fault *out, struct fault_codes *fc)
{
    fault_code_add(onvif_doc_child_in(fault, NULL, "faultcode"), out, fc);
    onvif_doc_text(onvif_doc_child_in(fault, NULL, "faultstring"), out->reason,
                   sizeof(out->reason));
    if (out->reason[0] == '\0')
        onvif_doc_text(onvif_doc_child_in(fault, NULL, "detail"), out->reason, sizeof(out->reason));
}

/* A Sender (Client) fault whose reason says the method is not there. Kept narrow: it must
 * name a method, action or operation and say "not supported" or "not implemented", as
 * gSOAP-based devices do ("Method 'tds:GetServices' not implemented: method name or
 * namespace not recognized"). Anything else stays OTHER. */
static bool reason_says_unsupported(const char *reason)
{
    size_t n = strlen(reason);
    bool what = xmltext_has_ci(reason, n, "method") || xmltext_has_ci(reason, n, "action") ||
                xmltext_has_ci(reason, n, "operation");

    return what && (xmltext_has_ci(reason, n, "not supported") ||
                    xmltext_has_ci(reason, n, "not implemented"));
}

int onvif_doc_fault(const struct onvif_doc *d, struct onvif_fault *out)
{
    const xmlNode *fault = first_element(d->body);
    const char *ns = d->body->ns != NULL ? (const char *)d->body->ns->href : NULL;
    struct fault_codes fc = {0};

    memset(out, 0, sizeof(*out));
    if (!onvif_doc_is(fault, ns, "Fault"))
        return 0;
    if (onvif_doc_child(fault, ns, "Code") != NULL) {
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
int onvif_doc_missing(const struct onvif_doc *d, const char *ns, const char *local,
                      struct cw_err *err)
{
    struct onvif_fault f;
    const xmlNode *other = onvif_doc_child_in(d->body, NULL, local);

    if (onvif_doc_fault(d, &f))
        return cw_err_set(err, NULL, 0, NULL, "SOAP fault %s: %s", f.code, f.reason);
    if (other != NULL)
        return cw_err_set(err, NULL, 0, NULL, "%s in namespace '%s', not %s", local,
                          other->ns != NULL ? (const char *)other->ns->href : "", ns);
    return cw_err_set(err, NULL, 0, NULL, "no %s in the Body", local);
}

const xmlNode *onvif_doc_response(const struct onvif_doc *d, const char *ns, const char *local,
                                  struct cw_err *err)
{
    const xmlNode *r = onvif_doc_child_in(d->body, ns, local);

    if (r == NULL)
        onvif_doc_missing(d, ns, local, err);
    return r;
}
