/* text.c - UTF-8 decoding and Vietnamese case and diacritic folding; see text.h. Folding is
 * libutf8proc's (Unicode case folding, decomposition, marks stripped) plus the one rule it
 * lacks for Vietnamese, đ -> d. No state. */
#include "text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

uint32_t cw_text_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int n = 0;

    if (c >= 0xf0 && c < 0xf8) {
        c &= 0x07;
        n = 3;
    } else if (c >= 0xe0) {
        c &= 0x0f;
        n = 2;
    } else if (c >= 0xc0) {
        c &= 0x1f;
        n = 1;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *s += 1;
            return 0xfffd;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    *s += 1 + n;
    return c;
}

size_t cw_text_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

int cw_text_is_combining(uint32_t c)
{
    return c >= 0x300 && c <= 0x36f;
}

/* s with every malformed UTF-8 sequence replaced by U+FFFD, as cw_text_next reads it, so
 * utf8proc (which refuses malformed input whole) folds the rest. Caller frees; NULL when out
 * of memory. */
static char *text_valid_copy(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len * 3 + 1), *o = out;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + len;

    if (out == NULL)
        return NULL;
    while (p < end) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);
        if (n <= 0) {
            o += cw_text_put(0xfffd, o);
            p++;
            continue;
        }
        memcpy(o, p, (size_t)n);
        o += n;
        p += n;
    }
    *o = '\0';
    return out;
}

/* Unicode has no decomposition for đ/Đ (U+0111/U+0110: a stroke, not a mark), so stripping
 * marks leaves it; Vietnamese readers take it for d. Replaces it in place (2 bytes -> 1). */
static void text_strip_d_stroke(char *s)
{
    char *o = s;

    for (const char *p = s; *p != '\0';) {
        if ((unsigned char)p[0] == 0xc4 &&
            ((unsigned char)p[1] == 0x91 || (unsigned char)p[1] == 0x90)) {
            *o++ = 'd';
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
}

/* s mapped by libutf8proc with opts (UTF8PROC_NULLTERM | UTF8PROC_STABLE and more), a
 * malformed byte as U+FFFD. Caller frees; NULL when out of memory. */
static char *text_map(const char *s, utf8proc_option_t opts)
{
    char *clean = text_valid_copy(s);
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n;

    if (clean == NULL)
        return NULL;
    n = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &out, opts);
    free(clean);
    if (n < 0)
        return NULL; /* only UTF8PROC_ERROR_NOMEM is left once the input is valid */
    return (char *)out;
}

char *cw_text_fold(const char *s, int strip)
{
    /* Case folding, then either composed (NFC: "Tôn" typed either way is the same bytes) or
     * decomposed with the marks dropped (tones and the circumflex, breve and horn alike). */
    char *out =
        text_map(s, UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_CASEFOLD |
                        (strip ? UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK : UTF8PROC_COMPOSE));

    if (out != NULL && strip)
        text_strip_d_stroke(out);
    return out;
}

static int is_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int cw_text_nfc(char **s)
{
    char *nfc;

    if (*s == NULL || is_ascii(*s))
        return 0; /* ASCII is its own NFC: most fields, and no allocation for them */
    nfc = text_map(*s, UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (nfc == NULL)
        return -1;
    free(*s);
    *s = nfc;
    return 0;
}

/* s (valid UTF-8, as text_map leaves it) with its white space folded in place: a run of ASCII
 * white space or of Unicode space separators (U+00A0 no-break space, as some keyboards type
 * it, U+202F, U+3000, ...) is one ' ', none at the ends. */
static void text_fold_space(char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    char *o = s;
    int space = 0;

    while (*p != '\0') {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        if (n <= 0) {
            n = 1;
            c = -1;
        }
        if ((c >= 0 && c < 0x80 && strchr(" \t\n\r\v\f", (int)c) != NULL) ||
            (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS)) {
            space = o != s;
        } else {
            if (space)
                *o++ = ' ';
            space = 0;
            memmove(o, p, (size_t)n);
            o += n;
        }
        p += n;
    }
    *o = '\0';
}

/* Fold text and want by want's rule and compare them: whole (contains 0) or want inside (white
 * space folded on both sides: text_fold_space). */
static int text_compare(const char *text, const char *want, int contains)
{
    /* A no-break space typed in want is white space, not a letter with marks. */
    char *w = contains ? text_valid_copy(want) : NULL;
    int strip, rc = -1;
    char *a, *b;

    if (contains && w == NULL)
        return -1;
    if (w != NULL) {
        text_fold_space(w);
        want = w;
    }
    strip = is_ascii(want);
    a = cw_text_fold(text, strip);
    b = cw_text_fold(want, strip);
    if (a != NULL && b != NULL && contains) {
        text_fold_space(a);
        text_fold_space(b);
    }
    if (a != NULL && b != NULL)
        rc = contains ? strstr(a, b) != NULL : strcmp(a, b) == 0;
    free(a);
    free(b);
    free(w);
    return rc;
}

int cw_text_matches(const char *text, const char *want)
{
    return text_compare(text, want, 0);
}

int cw_text_contains(const char *text, const char *want)
{
    return text_compare(text, want, 1);
}

void cw_text_addf(char *buf, size_t len, const char *fmt, ...)
{
    size_t off = strlen(buf);
    va_list ap;

    if (off > 0 && off + 2 < len) {
        memcpy(buf + off, "; ", 3);
        off += 2;
    }
    if (off + 1 >= len)
        return;
    va_start(ap, fmt);
    if (vsnprintf(buf + off, len - off, fmt, ap) < 0)
        buf[off] = '\0';
    va_end(ap);
}

int cw_text_name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        if (names[i] != NULL && strcmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

const char *cw_text_name_at(const char *const *names, size_t n, unsigned i, const char *dflt)
{
    return i < n && names[i] != NULL ? names[i] : dflt;
}

const char *cw_text_xml_entity(char c)
{
    static const char *const entities[UCHAR_MAX + 1] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;"};

    return entities[(unsigned char)c];
}
