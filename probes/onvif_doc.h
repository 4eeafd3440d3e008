/* onvif_doc.h - a SOAP answer from a device (ONVIF, or WS-Discovery's ProbeMatches) as a
 * parsed document: the bytes go through the safe-parse guard (xmlguard.h), then must be a SOAP
 * 1.1 or 1.2 Envelope with a Body. Gives the SOAP fault it holds, if any, and the lookups the
 * readers of particular answers share (onvif_parse.c, wsd.c). No I/O; any thread.
 *
 * Lookups are by namespace URI and local name, never by prefix: devices use tds/tt, ns0/ns1
 * or default namespaces, and SOAP 1.2 or 1.1 envelopes. */
#ifndef CW_ONVIF_DOC_H
#define CW_ONVIF_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "../util/err.h"
#include "xmlguard.h"

#define ONVIF_MAX_RESPONSE_BYTES XMLGUARD_MAX_BYTES /* the largest answer onvif_doc_parse reads */
#define ONVIF_STR_MAX 128 /* manufacturer, model, ... as the device says them, cut to this */
#define ONVIF_URL_MAX 512

enum onvif_fault_kind {
    ONVIF_FAULT_NONE = 0,
    ONVIF_FAULT_NOT_AUTHORIZED, /* ter:NotAuthorized, wsse:FailedAuthentication, ... */
    ONVIF_FAULT_NOT_SUPPORTED,  /* ActionNotSupported (ter or wsa); or a Sender/Client fault
                                   whose reason names a method, action or operation "not
                                   supported"/"not implemented" (gSOAP's 1.1 answer) */
    ONVIF_FAULT_OTHER
};

struct onvif_fault {
    enum onvif_fault_kind kind;
    char code[96];    /* "env:Sender / ter:NotAuthorized": the Code and Subcode values (1.2)
                         or faultcode (1.1) joined; env, ter, wsse and wsa prefixes are ours,
                         whatever the device wrote; other prefixes as written */
    char reason[256]; /* Reason/Text (1.2, the English one when there are several) or
                         faultstring (1.1, detail when it has none), "" when none */
};

/* A parsed answer. Opaque; wraps the libxml2 document. */
struct onvif_doc;

/* Parse an answer of len bytes. Refuses what xmlguard_parse() refuses, with its reasons
 * ("response too large", "not XML: ...", "XML with a DTD refused", "XML nested too deep"),
 * and a root that is not a SOAP 1.1 or 1.2 Envelope with a Body ("not a SOAP envelope").
 * Returns 0 with *out (caller frees with onvif_doc_free), or -1 with err filled and *out
 * NULL. */
int onvif_doc_parse(const char *buf, size_t len, struct onvif_doc **out, struct cw_err *err);
void onvif_doc_free(struct onvif_doc *d); /* accepts NULL */

/* 1 with *out filled when the Body holds a SOAP Fault (1.1 or 1.2), else 0 (out zeroed). */
int onvif_doc_fault(const struct onvif_doc *d, struct onvif_fault *out);

/* ---- lookups, for the readers of particular answers ---- */

/* The Envelope's Body; its Header, NULL when there is none. Borrowed from d. */
const xmlNode *onvif_doc_body(const struct onvif_doc *d);
const xmlNode *onvif_doc_header(const struct onvif_doc *d);

/* The Body's child local in namespace ns: the answer to the call made. NULL with err saying
 * why when it is not there: "SOAP fault <code>: <reason>" when the Body holds a fault, the
 * element in another namespace, or none (see onvif_doc_missing). */
const xmlNode *onvif_doc_response(const struct onvif_doc *d, const char *ns, const char *local,
                                  struct cw_err *err);
/* Fill err for a Body without local in ns, as onvif_doc_response does. Returns -1. */
int onvif_doc_missing(const struct onvif_doc *d, const char *ns, const char *local,
                      struct cw_err *err);

/* n is an element named local in namespace ns (any namespace when ns is NULL). */
bool onvif_doc_is(const xmlNode *n, const char *ns, const char *local);
/* parent's first element child named local in namespace ns (any when ns is NULL); NULL when
 * parent is NULL or has none. */
const xmlNode *onvif_doc_child_in(const xmlNode *parent, const char *ns, const char *local);
/* parent's first element child named local, preferring namespace ns, else in any namespace:
 * devices put schema elements in the wsdl namespace, a default one or none. */
const xmlNode *onvif_doc_child(const xmlNode *parent, const char *ns, const char *local);
/* onvif_doc_child for a child the answer must hold: NULL with err "<parent>: no <local>"
 * ("GetCapabilitiesResponse: no Capabilities") when it does not. */
const xmlNode *onvif_doc_need(const xmlNode *parent, const char *ns, const char *local,
                              struct cw_err *err);
/* n's text, trimmed, cut to size on a character boundary and made safe to print
 * (xmltext_sanitize); "" when n is NULL. */
void onvif_doc_text(const xmlNode *n, char *out, size_t size);
/* The same for n's unqualified attribute name; "" when n is NULL or has no such attribute. */
void onvif_doc_attr_text(const xmlNode *n, const char *name, char *out, size_t size);

#endif
