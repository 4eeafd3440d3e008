/* xmltext.c - byte-level text helpers for values read from XML; see xmltext.h. Owns nothing;
 * any thread. */
#include "xmltext.h"

#include <stdint.h>
#include <string.h>

bool xmltext_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char xmltext_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Copy n bytes of s into out (size bytes), cut so a UTF-8 sequence is never split. */
void xmltext_copy_cut(char *out, size_t size, const char *s, size_t n)
{
    if (size == 0)
        return;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Make the string s safe to print and to put in JSON, in place (it can only
 * shrink): bytes that are not UTF-8 and control characters (C0, DEL, C1) become '?'. */
void xmltext_sanitize(char *s)
{
    size_t r = 0, w = 0;

    while (s[r] != '\0') {
        unsigned char c = (unsigned char)s[r], lo = 0x80, hi = 0xBF;
        size_t n = 0, i;
        uint32_t cp;

        if (c < 0x80) {
            s[w++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
            r++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3;
        /* No overlong forms, no surrogates, nothing past U+10FFFF (RFC 3629, 4). */
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        cp = c & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07);
        for (i = 1; n > 0 && i <= n; i++) {
            unsigned char cc = (unsigned char)s[r + i];
            if (cc < (i == 1 ? lo : 0x80) || cc > (i == 1 ? hi : 0xBF))
                break;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (n == 0 || i <= n || (cp >= 0x80 && cp <= 0x9F)) {
            s[w++] = '?';
            r += n == 0 || i <= n ? 1 : n + 1;
            continue;
        }
        memmove(s + w, s + r, n + 1);
        w += n + 1;
        r += n + 1;
    }
    s[w] = '\0';
}

/* Copy s trimmed of ASCII white space. */
void xmltext_copy_trimmed(char *out, size_t size, const char *s)
{
    size_t n;

    while (xmltext_is_space(*s))
        s++;
    n = strlen(s);
    while (n > 0 && xmltext_is_space(s[n - 1]))
        n--;
    xmltext_copy_cut(out, size, s, n);
}

/* Case-insensitive search for an ASCII needle in len bytes. */
bool xmltext_has_ci(const char *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++) {
        size_t j = 0;
        while (j < n && xmltext_lower(buf[i + j]) == needle[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

bool xmltext_starts_ci(const char *buf, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (xmltext_lower(buf[i]) != prefix[i])
            return false;
    return true;
}

/* ---- safe parsing ---- */
