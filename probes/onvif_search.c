/* onvif_search.c - the readers of Recording Search answers (onvif_search.h). Each reads a
 * parsed document into the caller's struct; owns nothing past a call. Any thread.
 *
 * Elements are found by namespace and local name: the response in the search WSDL namespace,
 * the fields inside it preferring the schema's (tt:), as onvif_doc_child does, since
 * recorders put them in tt:, in the WSDL namespace or in none. */
#include "onvif_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "onvif_ns.h"
#include "xmltext.h"

#define DATETIME_TEXT_MAX 64

/* An optional dateTime child: 1 with *ms when there, 0 when absent, -1 when malformed. */
static int child_time(const xmlNode *parent, const char *name, int64_t *ms, struct cw_err *err)
{
    char text[DATETIME_TEXT_MAX];

    onvif_doc_text(onvif_doc_child(parent, NS_TT, name), text, sizeof(text));
    if (text[0] == '\0')
        return 0;
    if (cw_parse_iso_utc(text, ms) != 0)
        return cw_err_set(err, NULL, 0, NULL, "%s: '%s' is not a date and time", name, text);
    return 1;
}

/* Two optional dateTime children, a span's start and end: 1 with both read, 0 when either is
 * absent, -1 when one is malformed. */
static int child_span(const xmlNode *parent, const char *from, const char *to, int64_t *from_ms,
                      int64_t *to_ms, struct cw_err *err)
{
    int a, b;

    if ((a = child_time(parent, from, from_ms, err)) < 0 ||
        (b = child_time(parent, to, to_ms, err)) < 0)
        return -1;
    return a == 1 && b == 1;
}

int onvif_parse_recording_summary(const struct onvif_doc *d, struct onvif_recording_summary *out,
                                  struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TSE, "GetRecordingSummaryResponse", err), *sum;
    char num[32];
    char *end;
    int span;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    if ((sum = onvif_doc_need(r, NS_TSE, "Summary", err)) == NULL)
        return -1;
    if ((span = child_span(sum, "DataFrom", "DataUntil", &out->data_from_ms, &out->data_until_ms,
                           err)) < 0)
        return -1;
    out->has_range = span;
    onvif_doc_text(onvif_doc_child(sum, NS_TT, "NumberRecordings"), num, sizeof(num));
    if (num[0] != '\0') {
        long v = strtol(num, &end, 10);
        if (*end != '\0' || v < 0 || v > 1000000)
            return cw_err_set(err, NULL, 0, NULL, "NumberRecordings: '%s' out of range", num);
        out->number_recordings = (int)v;
    }
    return 0;
}

int onvif_parse_search_token(const struct onvif_doc *d, char *token, size_t len, struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TSE, "FindRecordingsResponse", err);

    if (len > 0)
        token[0] = '\0';
    if (r == NULL)
        return -1;
    onvif_doc_text(onvif_doc_child(r, NS_TSE, "SearchToken"), token, len);
    if (token[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "FindRecordingsResponse: no SearchToken");
    return 0;
}

static int read_track(const xmlNode *t, struct onvif_track *out, struct cw_err *err)
{
    int span;

    memset(out, 0, sizeof(*out));
    onvif_doc_text(onvif_doc_child(t, NS_TT, "TrackToken"), out->token, sizeof(out->token));
    onvif_doc_text(onvif_doc_child(t, NS_TT, "TrackType"), out->type, sizeof(out->type));
    if ((span = child_span(t, "DataFrom", "DataTo", &out->from_ms, &out->to_ms, err)) < 0)
        return -1;
    out->has_data = span && out->to_ms >= out->from_ms;
    return 0;
}

/* One tt:RecordingInformation. */
static int read_recording(const xmlNode *ri, struct onvif_recording *out, struct cw_err *err)
{
    const xmlNode *src = onvif_doc_child(ri, NS_TT, "Source");
    int span;

    memset(out, 0, sizeof(*out));
    onvif_doc_text(onvif_doc_child(ri, NS_TT, "RecordingToken"), out->token, sizeof(out->token));
    if (out->token[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "RecordingInformation: no RecordingToken");
    onvif_doc_text(onvif_doc_child(src, NS_TT, "SourceId"), out->source_id, sizeof(out->source_id));
    onvif_doc_text(onvif_doc_child(src, NS_TT, "Name"), out->source_name, sizeof(out->source_name));
    onvif_doc_text(onvif_doc_child(ri, NS_TT, "RecordingStatus"), out->status, sizeof(out->status));
    if ((span = child_span(ri, "EarliestRecording", "LatestRecording", &out->earliest_ms,
                           &out->latest_ms, err)) < 0)
        return -1;
    out->has_range = span && out->latest_ms >= out->earliest_ms;
    for (const xmlNode *c = ri->children; c != NULL; c = c->next) {
        if (!onvif_doc_is(c, NULL, "Track") || out->n_tracks == ONVIF_RECORDING_TRACKS_MAX)
            continue;
        if (read_track(c, &out->tracks[out->n_tracks], err) != 0)
            return -1;
        out->n_tracks++;
    }
    return 0;
}

static enum onvif_search_state state_of(const char *s)
{
    if (strcmp(s, "Queued") == 0)
        return ONVIF_SEARCH_QUEUED;
    if (strcmp(s, "Searching") == 0)
        return ONVIF_SEARCH_SEARCHING;
    if (strcmp(s, "Completed") == 0)
        return ONVIF_SEARCH_COMPLETED;
    return ONVIF_SEARCH_UNKNOWN;
}

int onvif_parse_search_results(const struct onvif_doc *d, enum onvif_search_state *state,
                               struct onvif_recording *out, size_t max, size_t *n,
                               struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TSE, "GetRecordingSearchResultsResponse", err);
    const xmlNode *list;
    char st[32];

    *n = 0;
    *state = ONVIF_SEARCH_UNKNOWN;
    if (r == NULL)
        return -1;
    if ((list = onvif_doc_need(r, NS_TSE, "ResultList", err)) == NULL)
        return -1;
    onvif_doc_text(onvif_doc_child(list, NS_TT, "SearchState"), st, sizeof(st));
    *state = state_of(st);
    for (const xmlNode *c = list->children; c != NULL && *n < max; c = c->next) {
        if (!onvif_doc_is(c, NULL, "RecordingInformation"))
            continue;
        if (read_recording(c, &out[*n], err) != 0)
            return -1;
        ++*n;
    }
    return 0;
}

int onvif_parse_recording_information(const struct onvif_doc *d, struct onvif_recording *out,
                                      struct cw_err *err)
{
    const xmlNode *r = onvif_doc_response(d, NS_TSE, "GetRecordingInformationResponse", err);
    const xmlNode *ri;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    if ((ri = onvif_doc_need(r, NS_TSE, "RecordingInformation", err)) == NULL)
        return -1;
    return read_recording(ri, out, err);
}
