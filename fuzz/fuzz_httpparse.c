/* fuzz_httpparse.c - the HTTP server's readers of request bytes (daemon/httpparse.c), each
 * given the input as a client would send it: a decoded path against every shape of route
 * the API has, the same path's percent escapes, a Range header against a file of a size taken from
 * the input, an Authorization header, a numeric parameter, and a JSON body against a
 * maintenance-like set of fields (and a radius, a number or a string). Each answer is checked
 * against what the reader promises. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/httpparse.h"

/* The path taken from a target is the target itself, or a '/' at its end or inside it. */
static void check_origin(const char *s)
{
    const char *p = httpparse_origin(s);

    if (p != s && (*p != '/' || (strcmp(p, "/") != 0 && (p < s || p > s + strlen(s)))))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shapes of the API's patterns: literals, one capture, two, a capture last. */
static const char *const patterns[] = {
    "/healthz",
    "/api/v1/cameras",
    "/api/v1/cameras/{id}",
    "/api/v1/cameras/{id}/thumbnail",
    "/api/v1/requests/{id}/exports/{camera}",
};

static void check_route(const char *s)
{
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        struct httpparse_captures c;
        size_t want = 0;
        for (const char *p = patterns[i]; (p = strchr(p, '{')) != NULL; p++)
            want++;
        if (!httpparse_route(patterns[i], s, &c))
            continue;
        if (c.n != want)
            __builtin_trap();
        for (size_t k = 0; k < c.n; k++) {
            size_t n = strlen(c.v[k]);
            if (n == 0 || n > HTTPPARSE_SEGMENT_MAX || strchr(c.v[k], '/') != NULL)
                __builtin_trap();
            for (size_t j = 0; j < n; j++)
                if ((unsigned char)c.v[k][j] < 0x20)
                    __builtin_trap();
        }
    }
}

static void check_range(const char *s, uint64_t size)
{
    uint64_t a = 0, b = 0;

    if (httpparse_range(s, size, &a, &b) == HTTPPARSE_RANGE_OK && (a > b || b >= size))
        __builtin_trap();
}

static void check_bearer(const char *s)
{
    const char *t = NULL;
    size_t n = httpparse_bearer(s, 128, &t);

    if (n == 0)
        return;
    if (n > 128 || t < s || t + n > s + strlen(s))
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (t[i] == ' ' || t[i] == '\t' || (unsigned char)t[i] < 0x21)
            __builtin_trap();
}

static void check_json(const uint8_t *data, size_t size)
{
    static const struct httpparse_field fields[] = {
        {"on", HTTPPARSE_BOOL, 1, 0},
        {"note", HTTPPARSE_STRING, 0, 500},
        {"limit", HTTPPARSE_INT, 0, 10000},
        {"radius", HTTPPARSE_NUMERIC, 0, 32},
    };
    char why[256], buf[40];
    json_t *o = NULL, *v;
    const char *key;

    if (httpparse_json((const char *)data, size, fields, 4, &o, why, sizeof(why)) != 0) {
        if (o != NULL || why[0] == '\0')
            __builtin_trap();
        return;
    }
    if (!json_is_boolean(json_object_get(o, "on")))
        __builtin_trap();
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "note") == 0 && (!json_is_string(v) || json_string_length(v) > 500))
            __builtin_trap();
        if (strcmp(key, "limit") == 0 &&
            (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10000))
            __builtin_trap();
        /* a numeric is a number or a string, its text a string's own or the number's */
        if (strcmp(key, "radius") == 0 &&
            (!(json_is_number(v) || (json_is_string(v) && json_string_length(v) <= 32)) ||
             httpparse_text(v, buf, sizeof(buf)) == NULL ||
             (json_is_number(v) && strlen(httpparse_text(v, buf, sizeof(buf))) >= sizeof(buf) - 1)))
            __builtin_trap();
    }
    json_decref(o);
}

/* The decoded text is never longer, and holds a NUL only where the input did. */
static void check_unescape(const char *s, size_t size)
{
    char *d = strdup(s);
    size_t n;

    if (d == NULL)
        return;
    n = httpparse_unescape(d);
    if (n > strlen(s) || strlen(d) != n || n > size)
        __builtin_trap();
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t size_hint = 0, v;
    char *s;

    if (size > 65536)
        return -1; /* the server's body limit */
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    for (size_t i = 0; i < size && i < 8; i++)
        size_hint = size_hint << 8 | data[i];
    check_unescape(s, size);
    check_origin(s);
    check_route(s);
    check_range(s, size_hint);
    check_range(s, size);
    check_bearer(s);
    if (httpparse_uint(s, 1, 10000, &v) == 0 && (v < 1 || v > 10000))
        __builtin_trap();
    check_json(data, size);
    free(s);
    return 0;
}
