/* text.c - UTF-8 decoding and Vietnamese case and diacritic folding; see text.h. No state. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Vietnamese letters: lower-case and upper-case rows in the same order, and their base. */
static const struct {
    const char *lower, *upper;
    char base;
} viet_letters[] = {
    {"àáảãạăằắẳẵặâầấẩẫậ", "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'a'},
    {"èéẻẽẹêềếểễệ", "ÈÉẺẼẸÊỀẾỂỄỆ", 'e'},
    {"ìíỉĩị", "ÌÍỈĨỊ", 'i'},
    {"òóỏõọôồốổỗộơờớởỡợ", "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'o'},
    {"ùúủũụưừứửữự", "ÙÚỦŨỤƯỪỨỬỮỰ", 'u'},
    {"ỳýỷỹỵ", "ỲÝỶỸỴ", 'y'},
    {"đ", "Đ", 'd'},
};

/* Fold one code point: to lower case, and to its bare ASCII letter when strip is set. */
static uint32_t fold_char(uint32_t c, int strip)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    for (size_t g = 0; g < sizeof(viet_letters) / sizeof(viet_letters[0]); g++) {
        const char *lo = viet_letters[g].lower, *up = viet_letters[g].upper;
        while (*lo != '\0') {
            uint32_t l = cw_text_next(&lo), u = cw_text_next(&up);
            if (c == l || c == u)
                return strip ? (uint32_t)viet_letters[g].base : l;
        }
    }
    return c;
}

char *cw_text_fold(const char *s, int strip)
{
    char *out = malloc(strlen(s) * 4 + 1), *o = out;

    if (out == NULL)
        return NULL;
    while (*s != '\0') {
        uint32_t c = cw_text_next(&s);
        if (strip && cw_text_is_combining(c))
            continue;
        o += cw_text_put(fold_char(c, strip), o);
    }
    *o = '\0';
    return out;
}

static int is_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int cw_text_matches(const char *text, const char *want)
{
    int strip = is_ascii(want);
    char *a = cw_text_fold(text, strip), *b = cw_text_fold(want, strip);
    int eq = a != NULL && b != NULL ? strcmp(a, b) == 0 : -1;

    free(a);
    free(b);
    return eq;
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
