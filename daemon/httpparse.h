/* httpparse.h - the HTTP server's readers of request bytes, apart from the server so each can
 * be tested and fuzzed alone: a path against a route pattern, a Range header, an
 * Authorization header's bearer token, a bounded decimal parameter, and a JSON body checked
 * against the fields an endpoint takes. Pure functions: no I/O, no globals, any thread. */
#ifndef CW_HTTPPARSE_H
#define CW_HTTPPARSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPPARSE_CAPTURES_MAX 4  /* {name} segments in one pattern */
#define HTTPPARSE_SEGMENT_MAX 255 /* bytes of one captured path segment */
#define HTTPPARSE_PATH_MAX 2048   /* bytes of a path the router looks at */

/* What a pattern's {name} segments matched, in order; each a NUL-terminated copy. */
struct httpparse_captures {
    size_t n;
    char v[HTTPPARSE_CAPTURES_MAX][HTTPPARSE_SEGMENT_MAX + 1];
};

/* Match path (as the server decoded it, without the query) against pattern: segments
 * separated by '/', each either literal or {name}, which matches one whole non-empty
 * segment without control characters, of at most HTTPPARSE_SEGMENT_MAX bytes. The same
 * number of segments on both sides; a trailing '/' is a segment of its own (so it does not
 * match). Returns 1 with caps filled (may be NULL), 0 when it does not match. */
int httpparse_route(const char *pattern, const char *path, struct httpparse_captures *caps);

enum httpparse_range {
    HTTPPARSE_RANGE_NONE,          /* no header, or one we ignore: send the whole file */
    HTTPPARSE_RANGE_OK,            /* *first..*last, inclusive, within the size */
    HTTPPARSE_RANGE_UNSATISFIABLE, /* a valid range wholly past the end: 416 */
};

/* Read a Range header (RFC 9110 14.2) for a resource of size bytes: one range of
 * "bytes=FIRST-LAST", "bytes=FIRST-" or "bytes=-SUFFIX". LAST past the end is cut to the
 * end. Several ranges, other units and malformed values are ignored (NONE), as the RFC
 * lets a server do. value may be NULL. */
enum httpparse_range httpparse_range(const char *value, uint64_t size, uint64_t *first,
                                     uint64_t *last);

/* The token of an "Authorization: Bearer TOKEN" header (scheme without regard to case,
 * TOKEN of RFC 6750's b64token characters, at most max bytes). Returns its length with
 * *token pointing into value, or 0 when value is NULL, another scheme or malformed. */
size_t httpparse_bearer(const char *value, size_t max, const char **token);

/* Decode s's %XX escapes in place (a request's path, and each query name and value, once
 * '+' is a space), as libmicrohttpd's own decoder does, but for "%00", which is left as
 * written: a NUL would end the text there, so that "/cameras/CAH-001%00x" named CAH-001 and
 * "?camera=CAH-001%00" matched it. A '%' not followed by two hex digits is left too.
 * Returns the new length. */
size_t httpparse_unescape(char *s);

/* The path of a request target in absolute form (RFC 9112 3.2.2: "http://HOST:PORT/PATH",
 * scheme without regard to case, the query already split off by the server): the part from
 * the first '/' after the authority, or "/" when there is none. We are no proxy, so the
 * authority, whatever host it names, is not looked at. Any other target (the origin form,
 * "/PATH") is returned as it is. Points into target, or to a static "/". */
const char *httpparse_origin(const char *target);

/* A whole decimal number in [min, max] (no sign, no spaces, no leading '+'). 0 or -1. */
int httpparse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* HTTPPARSE_NUMERIC: a quantity written either way, a JSON number (100, 12.5) or the string a
 * query parameter gives ("100", "12.5m", "2km"), read as text (httpparse_text) and judged by
 * whoever reads the parameter, so the two are refused alike. */
enum httpparse_type { HTTPPARSE_BOOL, HTTPPARSE_STRING, HTTPPARSE_INT, HTTPPARSE_NUMERIC };

/* One field a JSON body may hold. */
struct httpparse_field {
    const char *name;
    enum httpparse_type type;
    int required;
    size_t max; /* strings (a numeric's too): most bytes; ints: largest value (smallest is 0) */
};

/* Parse body (len bytes, not NUL-terminated) as one JSON object holding only the n fields
 * given, each of its type, the required ones present; no duplicate keys, no NUL in strings,
 * valid UTF-8 (jansson's own checks). Returns 0 with *out, a new reference the caller owns,
 * or -1 with why (a sentence naming the field) and *out NULL. */
int httpparse_json(const char *body, size_t len, const struct httpparse_field *fields, size_t n,
                   json_t **out, char *why, size_t why_len);

/* The text of a field's value v: a string's own (borrowed from v), a number written out in buf
 * (len bytes; an integer in full, a real as "%.17g", which reads back to the same double);
 * NULL for v NULL or any other type. */
const char *httpparse_text(const json_t *v, char *buf, size_t len);

#endif
