/* recorder_onvif.c - the onvif kind of recorder: an NVR's recordings read through the ONVIF
 * Recording Search service (recorder_remote.h). Owns, for one listing, a blocking ONVIF
 * session (onvif_session.c) and the recordings gathered. A worker thread or the CLI.
 *
 *   clock, services -> GetRecordingSummary -> FindRecordings -> GetRecordingSearchResults
 *   (until Completed) -> EndSearch -> GetRecordingInformation (each) -> items
 *
 * The search service's answers come in pieces, each with only what was not yet returned (the
 * Search service spec): they are gathered and told apart by RecordingToken. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "onvif_search.h"
#include "onvif_session.h"
#include "recorder_remote.h"

#define SEARCH_ROUNDS_MAX 200      /* GetRecordingSearchResults calls in one search */
#define SEARCH_RECORDINGS_MAX 4096 /* recordings on one recorder: 256 channels x 16 */

struct gathered {
    struct onvif_recording *v;
    size_t n, cap;
};

static int gather(struct gathered *g, const struct onvif_recording *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t k = 0; k < g->n && !seen; k++)
            seen = strcmp(g->v[k].token, r[i].token) == 0;
        if (seen || g->n == SEARCH_RECORDINGS_MAX)
            continue;
        if (cw_vec_grow(&g->v, g->n, &g->cap, sizeof(*g->v), 16) != 0)
            return -1;
        g->v[g->n++] = r[i];
    }
    return 0;
}

/* One call whose answer the caller reads with parse; *doc freed here. */
static int ask(struct onvif_session *s, enum onvif_call call, const char *xaddr, const char *token,
               struct onvif_doc **doc, struct cw_err *err)
{
    return onvif_session_call(s, call, xaddr, token, doc, NULL, err);
}

/* FindRecordings, then its results until Completed, then EndSearch. */
static int search_all(struct onvif_session *s, const char *xaddr, struct gathered *g,
                      struct cw_err *err)
{
    char token[ONVIF_SEARCH_TOKEN_MAX];
    struct onvif_recording *page = calloc(100, sizeof(*page));
    struct onvif_doc *doc = NULL;
    enum onvif_search_state state = ONVIF_SEARCH_SEARCHING;
    int rc = -1, round;

    if (page == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    if (ask(s, ONVIF_SEARCH_FIND_RECORDINGS, xaddr, NULL, &doc, err) != 0 ||
        onvif_parse_search_token(doc, token, sizeof(token), err) != 0)
        goto done;
    for (round = 0; round < SEARCH_ROUNDS_MAX && state != ONVIF_SEARCH_COMPLETED; round++) {
        size_t n = 0;
        onvif_doc_free(doc);
        doc = NULL;
        if (ask(s, ONVIF_SEARCH_GET_RECORDING_SEARCH_RESULTS, xaddr, token, &doc, err) != 0 ||
            onvif_parse_search_results(doc, &state, page, 100, &n, err) != 0)
            goto end;
        if (gather(g, page, n) != 0) {
            cw_err_set(err, NULL, 0, NULL, "out of memory");
            goto end;
        }
        /* A device that says neither Searching nor Completed is not going to finish. */
        if (state == ONVIF_SEARCH_UNKNOWN)
            break;
    }
    rc = 0;
end:
    onvif_doc_free(doc);
    doc = NULL;
    /* Free the device's session whatever happened (it would expire after KeepAliveTime). */
    if (ask(s, ONVIF_SEARCH_END_SEARCH, xaddr, token, &doc, NULL) == 0)
        onvif_doc_free(doc);
    doc = NULL;
done:
    onvif_doc_free(doc);
    free(page);
    return rc;
}

/* A recording as an item: its video tracks' span, else its own. 0 when it has no time. */
static int to_item(const struct onvif_recording *r, struct rec_item *it)
{
    int has = 0;

    memset(it, 0, sizeof(*it));
    for (size_t t = 0; t < r->n_tracks; t++) {
        const struct onvif_track *k = &r->tracks[t];
        if (!k->has_data || strcmp(k->type, "Video") != 0)
            continue;
        if (!has || k->from_ms < it->start_ms)
            it->start_ms = k->from_ms;
        if (!has || k->to_ms > it->end_ms)
            it->end_ms = k->to_ms;
        has = 1;
    }
    if (!has && r->has_range) {
        it->start_ms = r->earliest_ms;
        it->end_ms = r->latest_ms;
        has = 1;
    }
    snprintf(it->id, sizeof(it->id), "%s", r->token);
    snprintf(it->tokens[0], sizeof(it->tokens[0]), "%s", r->source_id);
    snprintf(it->tokens[1], sizeof(it->tokens[1]), "%s", r->source_name);
    snprintf(it->tokens[2], sizeof(it->tokens[2]), "%s", r->token);
    return has;
}

/* Each recording's information as it is now (the search's may be minutes old on a long
 * search); a recording removed meanwhile is left out. */
static int read_each(struct onvif_session *s, const char *xaddr, const struct gathered *g,
                     struct rec_listing *out, struct cw_err *err)
{
    for (size_t i = 0; i < g->n; i++) {
        struct onvif_recording r;
        struct onvif_doc *doc = NULL;
        struct onvif_fault fault;
        struct rec_item it;
        int rc = onvif_session_call(s, ONVIF_SEARCH_GET_RECORDING_INFORMATION, xaddr, g->v[i].token,
                                    &doc, &fault, err);

        if (rc != 0 && fault.kind == ONVIF_FAULT_OTHER && strstr(fault.code, "NoRecording"))
            continue;
        if (rc != 0 || onvif_parse_recording_information(doc, &r, err) != 0) {
            onvif_doc_free(doc);
            return -1;
        }
        onvif_doc_free(doc);
        if (to_item(&r, &it) && rec_listing_add(out, &it) != 0)
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    return 0;
}

int rec_onvif_list(const struct rec_remote_source *src, struct rec_listing *out, struct cw_err *err)
{
    const struct onvif_session_opts o = {src->url, src->http};
    struct onvif_session *s = NULL;
    struct onvif_endpoints ep;
    struct onvif_recording_summary sum;
    struct onvif_doc *doc = NULL;
    struct gathered g = {0};
    const char *xaddr;
    int rc = -1;

    if (onvif_session_new(&o, &s, err) != 0 || onvif_session_start(s, &ep, err) != 0)
        goto done;
    xaddr = ep.url[ONVIF_SVC_SEARCH];
    if (xaddr[0] == '\0') {
        cw_err_set(err, NULL, 0, NULL, "no Recording Search service (not a Profile G recorder)");
        goto done;
    }
    if (ask(s, ONVIF_SEARCH_GET_RECORDING_SUMMARY, xaddr, NULL, &doc, err) != 0 ||
        onvif_parse_recording_summary(doc, &sum, err) != 0)
        goto done;
    if (sum.number_recordings == 0 && !sum.has_range) {
        rc = 0; /* nothing recorded: nothing to search */
        goto done;
    }
    if (search_all(s, xaddr, &g, err) == 0 && read_each(s, xaddr, &g, out, err) == 0)
        rc = 0;
done:
    onvif_doc_free(doc);
    free(g.v);
    onvif_session_free(s);
    return rc;
}
