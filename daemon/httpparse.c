/* httpparse.c - readers of request bytes (httpparse.h): route patterns, Range, bearer
 * tokens, percent escapes, decimal parameters, JSON bodies. Owns nothing past a call. */
#include "httpparse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The segment of a path starting at *p (not NULL): its bounds, and *p moved past it and its
 * '/', or to NULL after the last. */
static void next_segment(const char **p, const char **seg, size_t *len)
{
    const char *s = *p, *slash = strchr(s, '/');

    *seg = s;
    *len = slash != NULL ? (size_t)(slash - s) : strlen(s);
    *p = slash != NULL ? slash + 1 : NULL;
}

static int segment_ok(const char *seg, size_t len)
{
    if (len == 0 || len > HTTPPARSE_SEGMENT_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f)
            return 0;
    return 1;
}

int httpparse_route(const char *pattern, const char *path, struct httpparse_captures *caps)
{
    const char *pp = pattern, *sp = path, *pseg, *sseg;
    size_t plen, slen, n = 0;

    if (pattern == NULL || path == NULL || strlen(path) > HTTPPARSE_PATH_MAX)
        return 0;
    while (pp != NULL && sp != NULL) {
        next_segment(&pp, &pseg, &plen);
        next_segment(&sp, &sseg, &slen);
        if (plen >= 2 && pseg[0] == '{' && pseg[plen - 1] == '}') {
            if (!segment_ok(sseg, slen) || n >= HTTPPARSE_CAPTURES_MAX)
                return 0;
            if (caps != NULL) {
                memcpy(caps->v[n], sseg, slen);
                caps->v[n][slen] = '\0';
            }
            n++;
        } else if (plen != slen || memcmp(pseg, sseg, plen) != 0) {
            return 0;
        }
    }
    if (pp != NULL || sp != NULL)
        return 0; /* one has segments left */
    if (caps != NULL)
        caps->n = n;
    return 1;
}

/* Digits of s into *v; returns the end, or NULL on no digit or overflow. */
static const char *read_u64(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return NULL;
        x = x * 10 + d;
    }
    if (p == s)
        return NULL;
    *v = x;
    return p;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

enum httpparse_range httpparse_range(const char *value, uint64_t size, uint64_t *first,
                                     uint64_t *last)
{
    uint64_t a = 0, b = 0;
    const char *p;
    int have_a = 0, have_b = 0;

    if (value == NULL)
        return HTTPPARSE_RANGE_NONE;
    p = skip_ows(value);
    if (strncasecmp(p, "bytes=", 6) != 0)
        return HTTPPARSE_RANGE_NONE;
    p = skip_ows(p + 6);
    if (*p != '-') {
        if ((p = read_u64(p, &a)) == NULL)
            return HTTPPARSE_RANGE_NONE;
        have_a = 1;
    }
    if (*p != '-')
        return HTTPPARSE_RANGE_NONE;
    p++;
    if (*p >= '0' && *p <= '9') {
        if ((p = read_u64(p, &b)) == NULL)
            return HTTPPARSE_RANGE_NONE;
        have_b = 1;
    }
    if (*skip_ows(p) != '\0') /* a second range, or junk */
        return HTTPPARSE_RANGE_NONE;
    if (!have_a && !have_b)
        return HTTPPARSE_RANGE_NONE;
    if (!have_a) { /* the last b bytes */
        if (b == 0)
            return HTTPPARSE_RANGE_UNSATISFIABLE;
        if (size == 0)
            return HTTPPARSE_RANGE_UNSATISFIABLE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return HTTPPARSE_RANGE_OK;
    }
    if (have_b && b < a)
        return HTTPPARSE_RANGE_NONE; /* invalid: ignored */
    if (a >= size)
        return HTTPPARSE_RANGE_UNSATISFIABLE;
    *first = a;
    *last = have_b && b < size ? b : size - 1;
    return HTTPPARSE_RANGE_OK;
}

static int b64token_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

size_t httpparse_bearer(const char *value, size_t max, const char **token)
{
    const char *p, *t;
    size_t n = 0;

    if (value == NULL)
        return 0;
    p = skip_ows(value);
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return 0;
    t = skip_ows(p + 6);
    while (b64token_char((unsigned char)t[n]))
        n++;
    if (n == 0)
        return 0;
    while (t[n] == '=') /* a b64token may end in '=' padding */
        n++;
    if (n > max || *skip_ows(t + n) != '\0')
        return 0;
    *token = t;
    return n;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t httpparse_unescape(char *s)
{
    char *w = s;
    const char *r = s;

    while (*r != '\0') {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1;
        int lo = hi >= 0 ? hex_value(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi << 4 | lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

const char *httpparse_origin(const char *target)
{
    static const char *const schemes[] = {"http://", "https://"};

    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t n = strlen(schemes[i]);
        if (strncasecmp(target, schemes[i], n) == 0) {
            const char *path = strchr(target + n, '/');
            return path != NULL ? path : "/";
        }
    }
    return target;
}

int httpparse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    const char *end;

    if (s == NULL || (end = read_u64(s, &v)) == NULL || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static const char *type_name(enum httpparse_type t)
{
    switch (t) {
    case HTTPPARSE_BOOL:
        return "true or false";
    case HTTPPARSE_INT:
        return "a whole number";
    case HTTPPARSE_NUMERIC:
        return "a number or a string";
    default:
        return "a string";
    }
}

/* Check one value against its field; 0, or -1 with why. */
static int field_check(const struct httpparse_field *f, const json_t *v, char *why, size_t len)
{
    int ok;

    switch (f->type) {
    case HTTPPARSE_BOOL:
        ok = json_is_boolean(v);
        break;
    case HTTPPARSE_INT:
        ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
             (uint64_t)json_integer_value(v) <= f->max;
        if (json_is_integer(v) && !ok) {
            snprintf(why, len, "field '%s' must be between 0 and %zu", f->name, f->max);
            return -1;
        }
        break;
    default:
        /* a numeric: a number, or a string as a query parameter gives it */
        if (f->type == HTTPPARSE_NUMERIC && json_is_number(v))
            return 0;
        ok = json_is_string(v);
        if (ok && json_string_length(v) > f->max) {
            snprintf(why, len, "field '%s' is longer than %zu bytes", f->name, f->max);
            return -1;
        }
        break;
    }
    if (!ok) {
        snprintf(why, len, "field '%s' must be %s", f->name, type_name(f->type));
        return -1;
    }
    return 0;
}

int httpparse_json(const char *body, size_t len, const struct httpparse_field *fields, size_t n,
                   json_t **out, char *why, size_t why_len)
{
    json_error_t jerr;
    json_t *o, *v;
    const char *key;

    *out = NULL;
    o = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL) {
        snprintf(why, why_len, "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                 jerr.column);
        return -1;
    }
    if (!json_is_object(o)) {
        snprintf(why, why_len, "expected a JSON object");
        goto fail;
    }
    json_object_foreach(o, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == n) {
            snprintf(why, why_len, "unknown field '%.64s'", key);
            goto fail;
        }
        if (field_check(&fields[i], v, why, why_len) != 0)
            goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && json_object_get(o, fields[i].name) == NULL) {
            snprintf(why, why_len, "field '%s' is required", fields[i].name);
            goto fail;
        }
    }
    *out = o;
    return 0;
fail:
    json_decref(o);
    return -1;
}

const char *httpparse_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.17g", json_real_value(v));
    else
        return NULL;
    return buf;
}
