/* xmltext.h - text taken from a device's XML, handled as bytes: ASCII white space and case,
 * copies cut on a UTF-8 boundary, and making a value safe to print. Pure functions on the
 * caller's memory; no libxml2, no allocation, no globals; any thread. Used by the safe-parse
 * guard (xmlguard.c), the SOAP document readers (onvif_doc.c, onvif_parse.c) and WS-Discovery
 * (wsd.c). */
#ifndef CW_XMLTEXT_H
#define CW_XMLTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* XML's white space: space, tab, CR, LF. */
bool xmltext_is_space(char c);

/* c in ASCII lower case; other bytes as they are. */
char xmltext_lower(char c);

/* Copy n bytes of s into out (size bytes, NUL-terminated), cut so a UTF-8 sequence is never
 * split. Nothing happens when size is 0. */
void xmltext_copy_cut(char *out, size_t size, const char *s, size_t n);

/* Copy the NUL-terminated s without its leading and trailing white space, cut as above. */
void xmltext_copy_trimmed(char *out, size_t size, const char *s);

/* Make s safe to print and to put in JSON, in place (it can only shrink): bytes that are not
 * UTF-8 (overlong forms, surrogates, past U+10FFFF included) and control characters (C0, DEL,
 * C1) become '?'. */
void xmltext_sanitize(char *s);

/* Whether the len bytes at buf hold needle, ASCII case ignored; needle is lower case. */
bool xmltext_has_ci(const char *buf, size_t len, const char *needle);

/* Whether the len bytes at buf start with prefix, ASCII case ignored; prefix is lower case. */
bool xmltext_starts_ci(const char *buf, size_t len, const char *prefix);

#endif
