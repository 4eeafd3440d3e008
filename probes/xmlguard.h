/* xmlguard.h - the safe-parse guard: the one way camwatch turns bytes a device sent into a
 * libxml2 document. A document with a DTD (so any entity declaration) is refused before any
 * declaration is read; the parser never touches the network, never expands entities, never
 * loads external DTDs; the input is capped in size and the document in depth, the depth while
 * parsing. libxml2's messages stay in memory, never on stderr. Any thread. */
#ifndef CW_XMLGUARD_H
#define CW_XMLGUARD_H

#include <stddef.h>

#include <libxml/tree.h>

#include "../util/err.h"

#define XMLGUARD_MAX_BYTES (1024 * 1024) /* a GetProfiles of 16 profiles is ~100 KiB */
#define XMLGUARD_MAX_DEPTH 40            /* element nesting; real responses stay under 15 */

/* Parse len bytes of buf into a well-formed document. Refuses, with a reason a person can act
 * on: more than XMLGUARD_MAX_BYTES ("response too large"), an empty body ("not XML: empty
 * response"), a web page ("not XML: an HTML page"), a DTD or entity declaration ("XML with a
 * DTD refused"), not well-formed XML ("not XML: <libxml2's message>, line N", err->line set),
 * nesting deeper than XMLGUARD_MAX_DEPTH ("XML nested too deep"). Returns 0 with *out (caller
 * frees with xmlFreeDoc), or -1 with err filled and *out NULL. */
int xmlguard_parse(const char *buf, size_t len, xmlDocPtr *out, struct cw_err *err);

#endif
