/* text.h - UTF-8 text as people type and read it: decoding and encoding code points, and
 * folding Vietnamese case and diacritics for matching, so "tan thanh" finds "Tân Thành"
 * (the status filter, footage requests by place). No state; any thread. */
#ifndef CW_TEXT_H
#define CW_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decode the code point at *s and advance past it; a malformed byte is one U+FFFD. *s must
 * not be at the terminating NUL. */
uint32_t cw_text_next(const char **s);

/* Encode c at out (room for 4 bytes); returns the bytes written. */
size_t cw_text_put(uint32_t c, char *out);

/* 1 for a combining diacritical mark (U+0300..U+036F): no column of its own, and dropped
 * when folding diacritics away. */
int cw_text_is_combining(uint32_t c);

/* s folded for matching (libutf8proc): Unicode case folding, then precomposed (NFC), or with
 * strip decomposed without its marks and with đ as d ("Đồng Tháp" -> "dong thap"); input
 * precomposed (NFC) or decomposed (NFD) alike, a malformed byte as U+FFFD. Caller frees;
 * NULL when out of memory. */
char *cw_text_fold(const char *s, int strip);

/* Replace the malloc'd *s by its precomposed form (NFC, libutf8proc), case kept: "Thắng"
 * typed with a combining breve and acute (macOS, Unikey's "Unicode to hop") becomes the
 * same bytes as typed precomposed, so names compare, group and sort as one. *s stays when it
 * is ASCII or NULL. 0, or -1 when out of memory (*s then unchanged). */
int cw_text_nfc(char **s);

/* Whether text is what someone looking for want means: case never matters; want typed
 * without diacritics ("tan thanh") matches regardless of them, want typed with them ("Tân
 * Thành") must match them, so "Tân Thạnh" stays apart. Returns 1, 0, or -1 when out of
 * memory. */
int cw_text_matches(const char *text, const char *want);

/* Append printf-formatted text to the NUL-terminated buf of len bytes, after "; " when buf is
 * not empty: reasons and notes a person reads as one line. What does not fit is cut. */
void cw_text_addf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether want, by the same rule, occurs anywhere in text: "cho lai vung" is in "Cổng Chợ
 * Lai Vung". White space is folded on both sides first (trimmed, each run one space, U+00A0
 * and the other Unicode space separators counted): " cho  lai vung" is in it too. "" is in
 * everything. Returns 1, 0, or -1 when out of memory. */
int cw_text_contains(const char *text, const char *want);

/* The entity that stands for c in XML or HTML text and attribute values: "&amp;", "&lt;",
 * "&gt;", "&quot;"; NULL when c stands for itself. */
const char *cw_text_xml_entity(char c);

/* An enum kept as its name: the index of s in names[0..n) (exact bytes; a NULL entry never
 * matches), or -1 when s is NULL or none of them. */
int cw_text_name_index(const char *const *names, size_t n, const char *s);
/* names[i], or dflt when i is past n or names[i] is NULL. */
const char *cw_text_name_at(const char *const *names, size_t n, unsigned i, const char *dflt);
#define CW_NAMES(t) (t), sizeof(t) / sizeof((t)[0]) /* a names table and its length */

#endif
