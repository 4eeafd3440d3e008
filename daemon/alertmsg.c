/* alertmsg.c - what an alert says (alertmsg.h): the documents of a camera's change and of a
 * test, their summary and text, the webhook's body and the RFC 5322 e-mail. Owns nothing past
 * a call; text is written to memory streams (open_memstream) and handed to the caller.
 * Base64 is OpenSSL's (EVP_EncodeBlock). Loop thread or CLI (times set TZ). */
#include "alertmsg.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"

#define ENCODED_WORD_OVERHEAD 12 /* "=?UTF-8?B?" and "?=" */
#define BODY_BYTES_PER_LINE 57   /* base64 of 57 bytes is one 76-column line */
#define TIME_TEXT_MAX 64

/* ---- documents ---- */

static void set_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v != NULL && v[0] != '\0' ? json_string(v) : json_null());
}

static void set_time(json_t *o, const char *key, const struct cfg *cfg, int64_t ms)
{
    char buf[TIME_TEXT_MAX], key_ms[32];

    snprintf(key_ms, sizeof(key_ms), "%s_ms", key);
    json_object_set_new(o, key, json_string(cw_format_iso(ms, cfg->time_zone, buf, sizeof(buf))));
    json_object_set_new(o, key_ms, json_integer(ms));
}

/* "HH:MM" of ms in the site's zone. */
static const char *clock_text(const struct cfg *cfg, int64_t ms, char *buf, size_t len)
{
    char full[TIME_TEXT_MAX];

    cw_format_local(ms, cfg->time_zone, full, sizeof(full));
    snprintf(buf, len, "%.5s", full + 11);
    return buf;
}

/* "CAH-017 Ngã ba Tân Dương", or the id alone. */
static void cam_label(const struct alertmsg_cam *cam, char *buf, size_t len)
{
    if (cam->name != NULL && cam->name[0] != '\0')
        snprintf(buf, len, "%s %s", cam->id, cam->name);
    else
        snprintf(buf, len, "%s", cam->id);
}

static void change_summary(const struct cfg *cfg, const struct alertmsg_cam *cam,
                           const struct alertmsg_change *c, char *buf, size_t len)
{
    char who[400], hhmm[16];
    const char *from = cw_state_name(c->from), *to = cw_state_name(c->to);
    int n;

    cam_label(cam, who, sizeof(who));
    if (strcmp(c->kind, "flapping") == 0)
        n = snprintf(buf, len, "%s is flapping: %d changes since %s, %s now", who, c->changes,
                     clock_text(cfg, c->since_ms, hhmm, sizeof(hhmm)), to);
    else if (strcmp(c->kind, "settled") == 0)
        n = snprintf(buf, len, "%s settled %s after flapping (%d changes)", who, to, c->changes);
    else if (c->reason != NULL && c->reason[0] != '\0')
        n = snprintf(buf, len, "%s: %s -> %s (%s)", who, from, to, c->reason);
    else
        n = snprintf(buf, len, "%s: %s -> %s", who, from, to);
    if (n < 0)
        buf[0] = '\0';
}

/* kind, site, at: what every document starts with. */
static json_t *doc_start(const struct cfg *cfg, const char *kind, int64_t at_ms)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "kind", json_string(kind));
    set_str(o, "site", cfg->site_name);
    set_time(o, "at", cfg, at_ms);
    return o;
}

json_t *alertmsg_camera_doc(const struct cfg *cfg, const struct alertmsg_cam *cam,
                            const struct alertmsg_change *c)
{
    json_t *o = doc_start(cfg, c->kind, c->at_ms), *jc = json_object();
    char text[1024];

    if (o == NULL || jc == NULL) {
        json_decref(o);
        json_decref(jc);
        return NULL;
    }
    set_str(jc, "id", cam->id);
    set_str(jc, "name", cam->name);
    set_str(jc, "owner", cam->owner);
    set_str(jc, "owner_name", cam->owner ? cfg_owner_name(cfg, cam->owner) : NULL);
    set_str(jc, "commune", cam->commune);
    set_str(jc, "address", cam->address);
    set_str(jc, "road", cam->road);
    json_object_set_new(o, "camera", jc);
    json_object_set_new(o, "from", json_string(cw_state_name(c->from)));
    json_object_set_new(o, "to", json_string(cw_state_name(c->to)));
    set_time(o, "since", cfg, c->since_ms);
    json_object_set_new(o, "changes", json_integer(c->changes));
    set_str(o, "reason", c->reason);
    json_object_set_new(o, "hold_s", json_integer(cfg->alerts.hold_ms / 1000));
    change_summary(cfg, cam, c, text, sizeof(text));
    json_object_set_new(o, "text", json_string(text));
    return o;
}

json_t *alertmsg_test_doc(const struct cfg *cfg, int64_t at_ms)
{
    json_t *o = doc_start(cfg, "test", at_ms);
    char text[256];

    if (o == NULL)
        return NULL;
    snprintf(text, sizeof(text), "Test alert from camwatch at %s", cfg->site_name);
    json_object_set_new(o, "text", json_string(text));
    return o;
}

static json_int_t jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

json_t *alertmsg_digest_doc(const struct cfg *cfg, json_t *digest, int64_t at_ms)
{
    const json_t *n = json_object_get(digest, "counts");
    char text[512];

    json_object_set_new(digest, "kind", json_string("digest"));
    set_str(digest, "site", cfg->site_name);
    snprintf(text, sizeof(text),
             "Daily digest %.10s: %lld up, %lld degraded, %lld down; %lld changes in a day",
             jstr(digest, "at"), (long long)jint(n, "up"), (long long)jint(n, "degraded"),
             (long long)jint(n, "down"), (long long)jint(digest, "changes"));
    json_object_set_new(digest, "text", json_string(text));
    json_object_set_new(digest, "at_ms", json_integer(at_ms));
    return digest;
}

const char *alertmsg_summary(const json_t *doc)
{
    return jstr(doc, "text");
}

char *alertmsg_webhook_body(const json_t *doc, int64_t alert_id)
{
    json_t *o = json_object();
    char *s;

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_integer(alert_id));
    json_object_update(o, (json_t *)doc); /* jansson's API is not const; doc is only read */
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* ---- the text ---- */

/* "2026-12-06 14:02:11" of a document's KEY_ms. */
static const char *doc_local(const struct cfg *cfg, const json_t *o, const char *key, char *buf,
                             size_t len)
{
    char key_ms[32];

    snprintf(key_ms, sizeof(key_ms), "%s_ms", key);
    return cw_format_local(jint(o, key_ms), cfg->time_zone, buf, len);
}

static void text_camera(FILE *f, const struct cfg *cfg, const json_t *doc)
{
    const json_t *cam = json_object_get(doc, "camera");
    const char *kind = jstr(doc, "kind"), *owner_name = jstr(cam, "owner_name");
    char since[TIME_TEXT_MAX];

    fprintf(f, "Camera:   %s %s\r\n", jstr(cam, "id"), jstr(cam, "name"));
    if (owner_name[0] != '\0')
        fprintf(f, "Owner:    %s (%s)\r\n", owner_name, jstr(cam, "owner"));
    else
        fprintf(f, "Owner:    %s\r\n", jstr(cam, "owner"));
    if (jstr(cam, "commune")[0] != '\0')
        fprintf(f, "Commune:  %s\r\n", jstr(cam, "commune"));
    if (jstr(cam, "address")[0] != '\0' || jstr(cam, "road")[0] != '\0')
        fprintf(f, "Place:    %s%s%s\r\n", jstr(cam, "address"),
                jstr(cam, "address")[0] && jstr(cam, "road")[0] ? ", " : "", jstr(cam, "road"));
    doc_local(cfg, doc, "since", since, sizeof(since));
    if (strcmp(kind, "flapping") == 0) {
        fprintf(f, "State:    flapping since %s: %lld changes so far, %s now\r\n", since,
                (long long)jint(doc, "changes"), jstr(doc, "to"));
        fprintf(f, "          (you will be told again once it settles)\r\n");
    } else {
        fprintf(f, "State:    %s since %s (was %s)\r\n", jstr(doc, "to"), since, jstr(doc, "from"));
        if (strcmp(kind, "settled") == 0)
            fprintf(f, "          settled after flapping: %lld changes\r\n",
                    (long long)jint(doc, "changes"));
    }
    if (jstr(doc, "reason")[0] != '\0')
        fprintf(f, "Reason:   %s\r\n", jstr(doc, "reason"));
    fprintf(f, "\r\nTold once the state had lasted %lld s ([alerts] hold).\r\n",
            (long long)jint(doc, "hold_s"));
}

static void text_digest(FILE *f, const json_t *doc)
{
    const json_t *n = json_object_get(doc, "counts"), *v;
    size_t i;

    fprintf(f,
            "Cameras:  %lld: %lld up, %lld degraded, %lld down, %lld unknown, %lld in "
            "maintenance\r\n",
            (long long)jint(doc, "cameras"), (long long)jint(n, "up"),
            (long long)jint(n, "degraded"), (long long)jint(n, "down"),
            (long long)jint(n, "unknown"), (long long)jint(n, "maintenance"));
    fprintf(f, "Changes:  %lld from %.16s to %.16s\r\n", (long long)jint(doc, "changes"),
            jstr(doc, "from"), jstr(doc, "to"));
    fprintf(f, "\r\nDown or degraded now:\r\n");
    json_array_foreach(json_object_get(doc, "problems"), i, v)
        fprintf(f, "  %-8s  %s %s, since %.16s: %s\r\n", jstr(v, "state"), jstr(v, "id"),
                jstr(v, "name"), jstr(v, "since"), jstr(v, "reason"));
    if (json_array_size(json_object_get(doc, "problems")) == 0)
        fprintf(f, "  none\r\n");
    if (jint(doc, "problems_more") > 0)
        fprintf(f, "  and %lld more\r\n", (long long)jint(doc, "problems_more"));
    fprintf(f, "\r\nChanged state in the day:\r\n");
    json_array_foreach(json_object_get(doc, "changed"), i, v) fprintf(
        f, "  %s %s: %lld change%s, %s now\r\n", jstr(v, "id"), jstr(v, "name"),
        (long long)jint(v, "changes"), jint(v, "changes") == 1 ? "" : "s", jstr(v, "state"));
    if (json_array_size(json_object_get(doc, "changed")) == 0)
        fprintf(f, "  none\r\n");
    if (jint(doc, "changed_more") > 0)
        fprintf(f, "  and %lld more\r\n", (long long)jint(doc, "changed_more"));
}

/* The e-mail's text: the summary, the facts of its kind, a signature. CRLF lines. */
static char *text_of(const struct cfg *cfg, const json_t *doc, size_t *len)
{
    char *buf = NULL, at[TIME_TEXT_MAX];
    const char *kind = jstr(doc, "kind");
    FILE *f = open_memstream(&buf, len);

    if (f == NULL)
        return NULL;
    fprintf(f, "%s\r\n\r\n", alertmsg_summary(doc));
    if (strcmp(kind, "digest") == 0)
        text_digest(f, doc);
    else if (strcmp(kind, "test") == 0)
        fprintf(f,
                "A test of the alerts of camwatch at %s, sent at %s by `camwatch alerts "
                "test`.\r\nIf you read this, camwatch's alerts reach you.\r\n",
                jstr(doc, "site"), doc_local(cfg, doc, "at", at, sizeof(at)));
    else
        text_camera(f, cfg, doc);
    fprintf(f, "\r\n-- \r\ncamwatch at %s. `camwatch alerts` lists the alerts sent.\r\n",
            jstr(doc, "site"));
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- the e-mail ---- */

/* Base64 of n bytes at in into out (room for 4 * ceil(n / 3) + 1). */
static void base64(const char *in, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);
}

static int needs_encoding(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 1;
    return 0;
}

/* How many bytes of s (at most max) make whole UTF-8 characters. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s), cut;

    if (n <= max)
        return n;
    for (cut = max; cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; cut--)
        ;
    return cut > 0 ? cut : max; /* bytes that are no characters: cut anywhere */
}

/* Write s as encoded words from column *col, folding as needed; *col is the column after. */
static void encoded_words(FILE *f, const char *s, size_t *col)
{
    char b64[ALERTMSG_LINE_MAX + 1];

    while (*s != '\0') {
        size_t room = ALERTMSG_LINE_MAX - *col, bytes, n;
        /* A word needs room for at least one character of up to 4 bytes (8 base64 chars). */
        if (room < ENCODED_WORD_OVERHEAD + 8) {
            fputs("\r\n ", f);
            *col = 1;
            continue;
        }
        bytes = (room - ENCODED_WORD_OVERHEAD) / 4 * 3;
        n = utf8_cut(s, bytes);
        base64(s, n, b64);
        *col += (size_t)fprintf(f, "=?UTF-8?B?%s?=", b64);
        s += n;
    }
}

/* RFC 5322's specials: in a display name (a phrase) a mail reader takes them for syntax ("a, b"
 * for two addresses), so a name holding one is written as encoded words, which are atoms. */
#define PHRASE_SPECIALS "()<>[]:;@\\,.\""

/* "Name: value" (no line end) from column 0, value as encoded words when it holds a byte
 * outside printable ASCII or one of specials (a string, "" for none); returns the column
 * after. */
static size_t header_text(FILE *f, const char *name, const char *value, const char *specials)
{
    size_t col = (size_t)fprintf(f, "%s: ", name);

    if (!needs_encoding(value) && strpbrk(value, specials) == NULL &&
        col + strlen(value) <= ALERTMSG_LINE_MAX) {
        fputs(value, f);
        return col + strlen(value);
    }
    encoded_words(f, value, &col);
    return col;
}

/* "Name: value" (no line end) from column 0, an unstructured value; returns the column after. */
static size_t header_value(FILE *f, const char *name, const char *value)
{
    return header_text(f, name, value, "");
}

int alertmsg_header(const char *name, const char *value, char *buf, size_t len)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    int rc = -1;

    if (f == NULL)
        return -1;
    header_value(f, name, value);
    fputs("\r\n", f);
    if (fclose(f) == 0 && n < len) {
        memcpy(buf, out, n + 1);
        rc = (int)n;
    }
    free(out);
    return rc;
}

/* "From: camwatch SITE <address>", the name encoded when it must be, or when the site's name
 * holds a special ("District 7, HCMC" written plain would be two addresses). */
static void header_from(FILE *f, const struct cfg *cfg)
{
    char name[256];
    size_t col;

    snprintf(name, sizeof(name), "camwatch %s", cfg->site_name);
    col = header_text(f, "From", name, PHRASE_SPECIALS);
    if (col + 3 + strlen(cfg->alerts.from) > ALERTMSG_LINE_MAX)
        fputs("\r\n", f);
    fprintf(f, " <%s>\r\n", cfg->alerts.from);
}

/* "To: a, b" folded between addresses. */
static void header_to(FILE *f, const struct cfg_alerts *a)
{
    size_t col = (size_t)fprintf(f, "To:");

    for (size_t i = 0; i < a->n_rcpt; i++) {
        size_t w = strlen(a->rcpt[i]) + 2;
        if (i > 0 && col + w > ALERTMSG_LINE_MAX) {
            fputs("\r\n", f);
            col = 0;
        }
        col += (size_t)fprintf(f, " %s%s", a->rcpt[i], i + 1 < a->n_rcpt ? "," : "");
    }
    fputs("\r\n", f);
}

static void body_base64(FILE *f, const char *text, size_t len)
{
    char line[ALERTMSG_LINE_MAX + 1];

    for (size_t off = 0; off < len; off += BODY_BYTES_PER_LINE) {
        size_t n = len - off < BODY_BYTES_PER_LINE ? len - off : BODY_BYTES_PER_LINE;
        base64(text + off, n, line);
        fprintf(f, "%s\r\n", line);
    }
}

char *alertmsg_email(const struct cfg *cfg, const json_t *doc, int64_t alert_id,
                     int64_t delivery_id, int64_t now_ms)
{
    const char *domain = strrchr(cfg->alerts.from, '@');
    char subject[1024], date[64], *text, *out = NULL;
    size_t text_len = 0, n = 0;
    FILE *f;

    if ((text = text_of(cfg, doc, &text_len)) == NULL)
        return NULL;
    if ((f = open_memstream(&out, &n)) == NULL) {
        free(text);
        return NULL;
    }
    snprintf(subject, sizeof(subject), "[camwatch %s] %s", cfg->site_name, alertmsg_summary(doc));
    fprintf(f, "Date: %s\r\n", cw_format_rfc5322(now_ms, cfg->time_zone, date, sizeof(date)));
    header_from(f, cfg);
    header_to(f, &cfg->alerts);
    header_value(f, "Subject", subject);
    fputs("\r\n", f);
    fprintf(f, "Message-ID: <camwatch.%lld.%lld.%lld@%s>\r\n", (long long)alert_id,
            (long long)delivery_id, (long long)now_ms, domain != NULL ? domain + 1 : "camwatch");
    fputs("MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=UTF-8\r\n"
          "Content-Transfer-Encoding: base64\r\n"
          "Auto-Submitted: auto-generated\r\n",
          f);
    fprintf(f, "X-Camwatch-Alert: %lld %s\r\n\r\n", (long long)alert_id, jstr(doc, "kind"));
    body_base64(f, text, text_len);
    free(text);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}
