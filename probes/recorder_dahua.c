/* recorder_dahua.c - the dahua kind of recorder: an NVR's recorded files read through its HTTP
 * API's mediaFileFind.cgi (recorder_nvr.h, recorder_remote.h). Owns, for one listing, a
 * blocking HTTP handle (bhttp.c). A worker thread or the CLI.
 *
 *   factory.create -> for each channel of the map: findFile, findNextFile (100 at a time)
 *   until found=0, close -> destroy (whatever happened)
 *
 * Answers are "key=value" lines; "Error" and a reason on failure. Times are the recorder's wall
 * clock ("2026-11-20 21:00:00", the documents also show "2011-1-1 12:00:00"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bhttp.h"
#include "onvif_http.h"
#include "recorder_nvr.h"
#include "xmltext.h"

#define DAHUA_PATH "/cgi-bin/mediaFileFind.cgi"
#define DAHUA_ROUNDS_MAX 1000                /* pages of one channel: 100,000 files */
#define DAHUA_SPAN_MS (800LL * 86400 * 1000) /* how far back a search reaches */
#define DAHUA_MAX_RESPONSE (1024 * 1024)
#define DAHUA_LINE_MAX 1024

/* The next line of buf (without CR LF) into line; its length, or -1 at the end. */
static long next_line(const char *buf, size_t len, size_t *pos, char *line, size_t size)
{
    size_t start = *pos, n;

    if (start >= len)
        return -1;
    while (*pos < len && buf[*pos] != '\n')
        (*pos)++;
    n = *pos - start;
    if (*pos < len)
        (*pos)++;
    if (n > 0 && buf[start + n - 1] == '\r')
        n--;
    xmltext_copy_cut(line, size, buf + start, n);
    return (long)n;
}

/* An "Error" answer's reason (the line after it), or the first line of what came. */
static int refused(const char *buf, size_t len, struct cw_err *err)
{
    char first[128] = "", second[128] = "";
    size_t pos = 0;

    while (next_line(buf, len, &pos, first, sizeof(first)) == 0)
        ;
    next_line(buf, len, &pos, second, sizeof(second));
    xmltext_sanitize(first);
    xmltext_sanitize(second);
    if (strcmp(first, "Error") == 0)
        return cw_err_set(err, NULL, 0, NULL, "the recorder said Error%s%s", second[0] ? ": " : "",
                          second);
    return cw_err_set(err, NULL, 0, NULL, "unexpected answer '%s'", first[0] ? first : "(empty)");
}

int dahua_parse_object(const char *buf, size_t len, char *obj, size_t size, struct cw_err *err)
{
    char line[DAHUA_LINE_MAX];
    size_t pos = 0;

    while (next_line(buf, len, &pos, line, sizeof(line)) >= 0) {
        const char *v = line + 7;
        if (strncmp(line, "result=", 7) != 0)
            continue;
        if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) >= size)
            return cw_err_set(err, NULL, 0, NULL, "result '%.40s' is no finder id", v);
        snprintf(obj, size, "%s", v);
        return 0;
    }
    return refused(buf, len, err);
}

int dahua_parse_ok(const char *buf, size_t len, struct cw_err *err)
{
    char line[DAHUA_LINE_MAX];
    size_t pos = 0;

    while (next_line(buf, len, &pos, line, sizeof(line)) == 0)
        ;
    if (strcmp(line, "OK") == 0)
        return 0;
    return refused(buf, len, err);
}

/* "2026-11-20 21:00:00" (fields may go unpadded) in zone. */
static int read_time(const char *text, const struct cw_zone *zone, int64_t *ms)
{
    int y, mo, d, h, mi, s, n = 0;

    if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
        text[n] != '\0' || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0)
        return -1;
    *ms = cw_zone_to_utc(zone, y, mo, d, h, mi, s);
    return 0;
}

enum { HAS_START = 1, HAS_END = 2, HAS_PATH = 4, NOT_VIDEO = 8 };

/* One items[i].Field=value line into items[i]. */
static int read_field(const char *field, const char *value, const struct cw_zone *zone,
                      struct rec_item *it, unsigned char *has, struct cw_err *err)
{
    char *e;

    if (strcmp(field, "StartTime") == 0 || strcmp(field, "EndTime") == 0) {
        int start = field[0] == 'S';
        if (read_time(value, zone, start ? &it->start_ms : &it->end_ms) != 0)
            return cw_err_set(err, NULL, 0, NULL, "%s '%.40s' is not a date and time", field,
                              value);
        *has |= start ? HAS_START : HAS_END;
    } else if (strcmp(field, "FilePath") == 0) {
        if (value[0] == '\0' || strlen(value) >= sizeof(it->id))
            return cw_err_set(err, NULL, 0, NULL, "FilePath empty or over %zu bytes",
                              sizeof(it->id) - 1);
        snprintf(it->id, sizeof(it->id), "%s", value);
        *has |= HAS_PATH;
    } else if (strcmp(field, "Channel") == 0) {
        snprintf(it->tokens[0], sizeof(it->tokens[0]), "%s", value);
    } else if (strcmp(field, "Length") == 0) {
        long long b = strtoll(value, &e, 10);
        it->bytes = *e == '\0' && b > 0 ? b : 0;
    } else if ((strcmp(field, "Type") == 0 && strcmp(value, "dav") != 0) ||
               (strcmp(field, "VideoStream") == 0 && strcmp(value, "Main") != 0)) {
        *has |= NOT_VIDEO; /* a picture, or a substream's copy of the main one */
    }
    return 0;
}

int dahua_parse_files(const char *buf, size_t len, const struct cw_zone *zone,
                      struct rec_item *items, size_t cap, size_t *n, size_t *found,
                      struct cw_err *err)
{
    char line[DAHUA_LINE_MAX];
    unsigned char *has = calloc(cap ? cap : 1, 1);
    size_t pos = 0, lineno = 0, top = 0;
    long len_line;
    int saw_found = 0, rc = -1;
    struct cw_err ferr;

    *n = *found = 0;
    if (has == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    memset(items, 0, cap * sizeof(*items));
    while ((len_line = next_line(buf, len, &pos, line, sizeof(line))) >= 0) {
        char *eq = strchr(line, '='), *field;
        unsigned long i;
        lineno++;
        if (len_line == 0)
            continue;
        if (eq == NULL) {
            if (lineno == 1 || !saw_found) {
                refused(buf, len, err);
                goto done;
            }
            cw_err_set(err, NULL, lineno, NULL, "line %zu: '%.40s' is not key=value", lineno, line);
            goto done;
        }
        *eq = '\0';
        if (strcmp(line, "found") == 0) {
            char *e;
            unsigned long v = strtoul(eq + 1, &e, 10);
            if (*e != '\0' || eq[1] == '\0' || v > 100000) {
                cw_err_set(err, NULL, lineno, NULL, "line %zu: found '%.40s' is no count", lineno,
                           eq + 1);
                goto done;
            }
            *found = v;
            saw_found = 1;
            continue;
        }
        if (sscanf(line, "items[%lu]", &i) != 1 || (field = strstr(line, "].")) == NULL)
            continue; /* a key of no interest here */
        if (i >= cap)
            continue;
        xmltext_sanitize(eq + 1);
        if (read_field(field + 2, eq + 1, zone, &items[i], &has[i], &ferr) != 0) {
            cw_err_set(err, NULL, lineno, NULL, "line %zu: items[%lu].%s", lineno, i, ferr.msg);
            goto done;
        }
        if (i + 1 > top)
            top = i + 1;
    }
    if (!saw_found) {
        refused(buf, len, err);
        goto done;
    }
    if (top > *found)
        top = *found;
    for (size_t i = 0; i < top; i++) {
        if (has[i] & NOT_VIDEO)
            continue;
        if ((has[i] & (HAS_START | HAS_END | HAS_PATH)) != (HAS_START | HAS_END | HAS_PATH)) {
            cw_err_set(err, NULL, 0, NULL, "items[%zu] without %s", i,
                       !(has[i] & HAS_PATH) ? "FilePath" : "StartTime and EndTime");
            goto done;
        }
        if (items[i].end_ms < items[i].start_ms) {
            cw_err_set(err, NULL, 0, NULL, "items[%zu] ends before it starts", i);
            goto done;
        }
        items[(*n)++] = items[i];
    }
    rc = 0;
done:
    free(has);
    return rc;
}

/* ---- the conversation ---- */

struct dahua_call {
    struct bhttp *http;
    const struct rec_remote_source *src;
    size_t base; /* rec_url_base_len of the URL */
    char obj[24];
};

/* GET mediaFileFind.cgi?<query>; the answer in *a. */
static int ask(struct dahua_call *c, const char *query, struct bhttp_answer *a, struct cw_err *err)
{
    char url[1200];
    struct cw_err herr;

    snprintf(url, sizeof(url), "%.*s%s?%s", (int)c->base, c->src->url, DAHUA_PATH, query);
    if (bhttp_request(c->http, url, NULL, NULL, a, &herr) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s", herr.msg);
    if (a->status == 401 || a->status == 403)
        return cw_err_set(err, NULL, 0, NULL, "authentication failed (HTTP %d%s)", a->status,
                          c->src->http.username == NULL ? ", no credential configured" : "");
    if (onvif_http_is_html(a->content_type, a->body, a->len))
        return cw_err_set(err, NULL, 0, NULL, "answered an HTML page (HTTP %d), not the API",
                          a->status);
    if (a->status != 200) {
        refused(a->body, a->len, &herr);
        return cw_err_set(err, NULL, 0, NULL, "HTTP %d: %s", a->status, herr.msg);
    }
    return 0;
}

static int ask_ok(struct dahua_call *c, const char *query, struct cw_err *err)
{
    struct bhttp_answer a;

    if (ask(c, query, &a, err) != 0)
        return -1;
    return dahua_parse_ok(a.body, a.len, err);
}

/* One channel's files: findFile, findNextFile until found=0, close. */
static int list_channel(struct dahua_call *c, const char *channel, struct rec_item *items,
                        struct rec_listing *out, struct cw_err *err)
{
    const struct rec_remote_source *src = c->src;
    char q[400], from[32], to[32];
    int rc = -1;

    cw_zone_strftime(src->zone, src->now_ms - DAHUA_SPAN_MS, "%Y-%m-%d%%20%H:%M:%S", from,
                     sizeof(from));
    cw_zone_strftime(src->zone, src->now_ms + 86400000LL, "%Y-%m-%d%%20%H:%M:%S", to, sizeof(to));
    snprintf(q, sizeof(q),
             "action=findFile&object=%s&condition.Channel=%s&condition.StartTime=%s"
             "&condition.EndTime=%s&condition.Types[0]=dav",
             c->obj, channel, from, to);
    if (ask_ok(c, q, err) != 0)
        return -1;
    snprintf(q, sizeof(q), "action=findNextFile&object=%s&count=%d", c->obj, DAHUA_PAGE_MAX);
    for (int round = 0; round < DAHUA_ROUNDS_MAX; round++) {
        struct bhttp_answer a;
        size_t n, found;
        if (ask(c, q, &a, err) != 0 || dahua_parse_files(a.body, a.len, src->zone, items,
                                                         DAHUA_PAGE_MAX, &n, &found, err) != 0)
            goto close;
        for (size_t i = 0; i < n; i++) {
            /* The channel asked about first: devices number the listed Channel from 0 or 1. */
            memcpy(items[i].tokens[1], items[i].tokens[0], sizeof(items[i].tokens[1]));
            snprintf(items[i].tokens[0], sizeof(items[i].tokens[0]), "%s", channel);
            if (rec_listing_add(out, &items[i]) != 0) {
                cw_err_set(err, NULL, 0, NULL, "out of memory");
                goto close;
            }
        }
        if (found == 0) {
            rc = 0;
            goto close;
        }
    }
    cw_err_set(err, NULL, 0, NULL, "files still found after %d pages", DAHUA_ROUNDS_MAX);
close:
    snprintf(q, sizeof(q), "action=close&object=%s", c->obj);
    if (ask_ok(c, q, rc == 0 ? err : NULL) != 0 && rc == 0)
        rc = -1;
    return rc;
}

int rec_dahua_list(const struct rec_remote_source *src, struct rec_listing *out, struct cw_err *err)
{
    struct bhttp_opts o = src->http;
    struct dahua_call c = {.src = src, .base = rec_url_base_len(src->url)};
    struct rec_item *items = calloc(DAHUA_PAGE_MAX, sizeof(*items));
    struct bhttp_answer a;
    struct cw_err cerr;
    char q[64];
    int rc = -1;

    if (items == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    o.max_bytes = DAHUA_MAX_RESPONSE;
    if (bhttp_new(&o, &c.http, err) != 0)
        goto done;
    if (ask(&c, "action=factory.create", &a, &cerr) != 0 ||
        dahua_parse_object(a.body, a.len, c.obj, sizeof(c.obj), &cerr) != 0) {
        cw_err_set(err, NULL, 0, NULL, "mediaFileFind factory.create: %s", cerr.msg);
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < src->n_channels && rc == 0; i++) {
        const char *ch = src->channels[i];
        if (rec_channel_number(ch) < 0)
            continue; /* the config refuses such tokens for this kind */
        if (list_channel(&c, ch, items, out, &cerr) != 0) {
            cw_err_set(err, NULL, 0, NULL, "mediaFileFind of channel %s: %s", ch, cerr.msg);
            rc = -1;
        }
    }
    /* The finder is the device's to free, whatever happened. */
    snprintf(q, sizeof(q), "action=destroy&object=%s", c.obj);
    ask_ok(&c, q, NULL);
done:
    bhttp_free(c.http);
    free(items);
    return rc;
}
