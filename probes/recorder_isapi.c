/* recorder_isapi.c - the hikvision kind of recorder: an NVR's recordings read through ISAPI's
 * ContentMgmt search (recorder_nvr.h, recorder_remote.h). Owns, for one listing, a blocking
 * HTTP handle (bhttp.c) and the request being sent. A worker thread or the CLI.
 *
 *   for each channel of the map: POST /ISAPI/ContentMgmt/search (position 0, 40, ...) until
 *   the answer stops saying MORE
 *
 * A recorder lists a recording file once per track; the match's playbackURI names the file
 * (name=) and its size (size=). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/cwtime.h"
#include "bhttp.h"
#include "onvif_doc.h"
#include "onvif_http.h"
#include "recorder_nvr.h"
#include "xmlguard.h"

#define ISAPI_PATH "/ISAPI/ContentMgmt/search"
#define ISAPI_ROUNDS_MAX 2500                /* pages of one track: 100,000 files */
#define ISAPI_SPAN_MS (800LL * 86400 * 1000) /* how far back a search reaches */
#define ISAPI_TEXT_MAX 512

int isapi_track_of(const char *token)
{
    int v = rec_channel_number(token);

    return v < 0 ? -1 : v < 100 ? v * 100 + 1 : v;
}

int isapi_build_search(const char *search_id, int track, int64_t from_ms, int64_t to_ms,
                       const struct cw_zone *zone, size_t position, size_t max, char **out,
                       struct cw_err *err)
{
    char from[32], to[32];
    size_t cap = 1024 + strlen(search_id);
    int n;

    *out = NULL;
    if ((*out = malloc(cap)) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    cw_zone_strftime(zone, from_ms, "%Y-%m-%dT%H:%M:%SZ", from, sizeof(from));
    cw_zone_strftime(zone, to_ms, "%Y-%m-%dT%H:%M:%SZ", to, sizeof(to));
    n = snprintf(*out, cap,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<CMSearchDescription version=\"1.0\" "
                 "xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\n"
                 "<searchID>%s</searchID>\n"
                 "<trackIDList><trackID>%d</trackID></trackIDList>\n"
                 "<timeSpanList><timeSpan><startTime>%s</startTime><endTime>%s</endTime>"
                 "</timeSpan></timeSpanList>\n"
                 "<maxResults>%zu</maxResults>\n"
                 "<searchResultPostion>%zu</searchResultPostion>\n"
                 "<metadataList><metadataDescriptor>//recordType.meta.std-cgi.com"
                 "</metadataDescriptor></metadataList>\n"
                 "</CMSearchDescription>\n",
                 search_id, track, from, to, max, position);
    if (n < 0 || (size_t)n >= cap) {
        free(*out);
        *out = NULL;
        return cw_err_set(err, NULL, 0, NULL, "search request too long");
    }
    return 0;
}

/* A time as the recorder writes it: an explicit offset as written, else ("Z", or none) the
 * recorder's wall-clock time in zone. */
static int read_time(const char *text, const struct cw_zone *zone, int64_t *ms)
{
    int64_t wall;
    time_t t;
    struct tm tm;

    if (cw_parse_iso_utc(text, &wall) != 0)
        return -1;
    if (strlen(text) > 19 && strpbrk(text + 19, "+-") != NULL) {
        *ms = wall;
        return 0;
    }
    t = (time_t)(wall / 1000);
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    *ms = cw_zone_to_utc(zone, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec) +
          wall % 1000;
    return 0;
}

/* The value of query parameter key in uri ("" when absent), cut to size. */
static void uri_param(const char *uri, const char *key, char *out, size_t size)
{
    const char *p = strchr(uri, '?');
    size_t klen = strlen(key);

    out[0] = '\0';
    while (p != NULL) {
        p++;
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = strcspn(p + klen + 1, "&");
            snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p + klen + 1);
            return;
        }
        p = strchr(p, '&');
    }
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    return onvif_doc_child_in(n, NULL, name);
}

static void text_of(const xmlNode *n, char *out, size_t size)
{
    onvif_doc_text(n, out, size);
}

/* The device's error document: <ResponseStatus> with statusString and subStatusCode. */
static int response_status(const xmlNode *root, struct cw_err *err)
{
    char what[128], sub[128];

    text_of(child(root, "statusString"), what, sizeof(what));
    text_of(child(root, "subStatusCode"), sub, sizeof(sub));
    return cw_err_set(err, NULL, 0, NULL, "the recorder refused: %s%s%s",
                      what[0] ? what : "no reason given", sub[0] ? ", " : "", sub);
}

static int read_match(const xmlNode *m, size_t i, const struct cw_zone *zone, struct rec_item *it,
                      struct cw_err *err)
{
    const xmlNode *span = child(m, "timeSpan");
    char track[32], start[64], end[64], uri[ISAPI_TEXT_MAX], name[200], size[32];
    long t;
    char *e;

    memset(it, 0, sizeof(*it));
    text_of(child(m, "trackID"), track, sizeof(track));
    text_of(child(span, "startTime"), start, sizeof(start));
    text_of(child(span, "endTime"), end, sizeof(end));
    text_of(child(child(m, "mediaSegmentDescriptor"), "playbackURI"), uri, sizeof(uri));
    if (read_time(start, zone, &it->start_ms) != 0)
        return cw_err_set(err, NULL, 0, NULL, "match %zu: startTime '%s' is not a date and time",
                          i + 1, start);
    if (read_time(end, zone, &it->end_ms) != 0)
        return cw_err_set(err, NULL, 0, NULL, "match %zu: endTime '%s' is not a date and time",
                          i + 1, end);
    if (it->end_ms < it->start_ms)
        return cw_err_set(err, NULL, 0, NULL, "match %zu: ends (%s) before it starts (%s)", i + 1,
                          end, start);
    uri_param(uri, "name", name, sizeof(name));
    uri_param(uri, "size", size, sizeof(size));
    snprintf(it->id, sizeof(it->id), "%s/%s", track, name[0] ? name : start);
    snprintf(it->tokens[0], sizeof(it->tokens[0]), "%s", track);
    t = strtol(track, &e, 10);
    if (*e == '\0' && t >= 100)
        snprintf(it->tokens[1], sizeof(it->tokens[1]), "%ld", t / 100);
    it->bytes = strtoll(size, &e, 10);
    if (*e != '\0' || it->bytes < 0)
        it->bytes = 0;
    return 0;
}

int isapi_parse_search(const char *buf, size_t len, const struct cw_zone *zone,
                       struct rec_item *items, size_t cap, struct isapi_page *page,
                       struct cw_err *err)
{
    xmlDocPtr doc = NULL;
    const xmlNode *root, *list, *m;
    char status[16], strg[64], num[32];
    struct cw_err perr;
    size_t i = 0;
    int rc = -1;

    memset(page, 0, sizeof(*page));
    if (xmlguard_parse(buf, len, &doc, &perr) != 0)
        return cw_err_set(err, NULL, 0, NULL, "CMSearchResult: %s", perr.msg);
    root = xmlDocGetRootElement(doc);
    if (onvif_doc_is(root, NULL, "ResponseStatus")) {
        response_status(root, err);
        goto done;
    }
    if (!onvif_doc_is(root, NULL, "CMSearchResult")) {
        cw_err_set(err, NULL, 0, NULL, "not a CMSearchResult");
        goto done;
    }
    text_of(child(root, "responseStatus"), status, sizeof(status));
    text_of(child(root, "responseStatusStrg"), strg, sizeof(strg));
    text_of(child(root, "numOfMatches"), num, sizeof(num));
    if (strcmp(status, "false") == 0) {
        cw_err_set(err, NULL, 0, NULL, "CMSearchResult: the search failed (%s)",
                   strg[0] ? strg : "no reason given");
        goto done;
    }
    page->more = strcmp(strg, "MORE") == 0;
    list = child(root, "matchList");
    for (m = list ? list->children : NULL; m != NULL; m = m->next) {
        if (!onvif_doc_is(m, NULL, "searchMatchItem"))
            continue;
        if (i < cap) {
            if (read_match(m, i, zone, &items[page->n], &perr) != 0) {
                cw_err_set(err, NULL, 0, NULL, "CMSearchResult: %s", perr.msg);
                goto done;
            }
            page->n++;
        }
        i++;
    }
    page->n_matches = i;
    if (num[0] != '\0') {
        char *e;
        long v = strtol(num, &e, 10);
        if (*e != '\0' || v < 0 || v > 100000) {
            cw_err_set(err, NULL, 0, NULL, "CMSearchResult: numOfMatches '%s' is no count", num);
            goto done;
        }
        page->n_matches = (size_t)v;
    }
    rc = 0;
done:
    xmlFreeDoc(doc);
    return rc;
}

/* ---- the conversation ---- */

struct isapi_call {
    struct bhttp *http;
    char url[1024];
    char search_id[48];
    const struct rec_remote_source *src;
};

/* One page of track's search from position into items. */
static int ask_page(struct isapi_call *c, int track, size_t position, struct rec_item *items,
                    struct isapi_page *page, struct cw_err *err)
{
    static const char *const headers[] = {"Content-Type: application/xml; charset=\"UTF-8\"", NULL};
    const struct rec_remote_source *src = c->src;
    struct bhttp_answer a;
    struct cw_err perr;
    char *body = NULL;
    int rc;

    if (isapi_build_search(c->search_id, track, src->now_ms - ISAPI_SPAN_MS,
                           src->now_ms + 86400000LL, src->zone, position, ISAPI_PAGE_MAX, &body,
                           err) != 0)
        return -1;
    rc = bhttp_request(c->http, c->url, body, headers, &a, &perr);
    free(body);
    if (rc != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s", perr.msg);
    if (a.status == 401 || a.status == 403)
        return cw_err_set(err, NULL, 0, NULL, "authentication failed (HTTP %d%s)", a.status,
                          src->http.username == NULL ? ", no credential configured" : "");
    if (onvif_http_is_html(a.content_type, a.body, a.len))
        return cw_err_set(err, NULL, 0, NULL, "answered an HTML page (HTTP %d), not ISAPI",
                          a.status);
    rc = isapi_parse_search(a.body, a.len, src->zone, items, ISAPI_PAGE_MAX, page, &perr);
    if (a.status != 200)
        return cw_err_set(err, NULL, 0, NULL, "HTTP %d%s%s", a.status, rc != 0 ? ": " : "",
                          rc != 0 ? perr.msg : "");
    if (rc != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s", perr.msg);
    return 0;
}

/* Every page of one track's recordings into out. */
static int list_track(struct isapi_call *c, int track, struct rec_item *items,
                      struct rec_listing *out, struct cw_err *err)
{
    size_t position = 0;

    for (int round = 0; round < ISAPI_ROUNDS_MAX; round++) {
        struct isapi_page page;
        if (ask_page(c, track, position, items, &page, err) != 0)
            return -1;
        for (size_t i = 0; i < page.n; i++)
            if (rec_listing_add(out, &items[i]) != 0)
                return cw_err_set(err, NULL, 0, NULL, "out of memory");
        /* A device that says MORE but gives nothing is not going to finish. */
        if (!page.more || page.n_matches == 0)
            return 0;
        position += page.n_matches;
    }
    return cw_err_set(err, NULL, 0, NULL, "still MORE after %d pages", ISAPI_ROUNDS_MAX);
}

int rec_isapi_list(const struct rec_remote_source *src, struct rec_listing *out, struct cw_err *err)
{
    struct bhttp_opts o = src->http;
    struct isapi_call c = {.src = src};
    struct rec_item *items = calloc(ISAPI_PAGE_MAX, sizeof(*items));
    int rc = -1;

    if (items == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    o.max_bytes = XMLGUARD_MAX_BYTES;
    snprintf(c.url, sizeof(c.url), "%.*s%s", (int)rec_url_base_len(src->url), src->url, ISAPI_PATH);
    snprintf(c.search_id, sizeof(c.search_id), "%08X-%04X-%04X-%04X-%012llX",
             (unsigned)(src->now_ms / 1000), (unsigned)(src->now_ms % 1000), 0xCA3Eu, 0x0001u,
             (unsigned long long)src->now_ms & 0xFFFFFFFFFFFFULL);
    if (bhttp_new(&o, &c.http, err) != 0)
        goto done;
    for (size_t i = 0; i < src->n_channels; i++) {
        int track = isapi_track_of(src->channels[i]);
        struct cw_err terr;
        size_t before = out->n;
        if (track < 0)
            continue; /* the config refuses such tokens for this kind */
        if (list_track(&c, track, items, out, &terr) != 0) {
            cw_err_set(err, NULL, 0, NULL, "ISAPI search of track %d: %s", track, terr.msg);
            goto done;
        }
        /* Each item answers first to the token the channel map gave (asked for it, the device
         * answered about it), then to the track and channel it names. */
        for (size_t k = before; k < out->n; k++) {
            struct rec_item *it = &out->items[k];
            memcpy(it->tokens[2], it->tokens[1], sizeof(it->tokens[2]));
            memcpy(it->tokens[1], it->tokens[0], sizeof(it->tokens[1]));
            snprintf(it->tokens[0], sizeof(it->tokens[0]), "%s", src->channels[i]);
        }
    }
    rc = 0;
done:
    bhttp_free(c.http);
    free(items);
    return rc;
}
