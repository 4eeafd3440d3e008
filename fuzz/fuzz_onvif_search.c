/* fuzz_onvif_search.c - an NVR's answer to a Recording Search call, through the search
 * readers (probes/onvif_search.c) after the SOAP document (onvif_doc.c): the summary, a
 * search's token, its results and one recording's information; and the xs:dateTime reader on
 * the raw bytes. Counts stay within what was asked for, strings stay terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/onvif_search.h"
#include "../util/cwtime.h"

#define RESULTS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL)
        __builtin_trap();
}

static void check_recording(const struct onvif_recording *r)
{
    check_string(r->token, sizeof(r->token));
    check_string(r->source_id, sizeof(r->source_id));
    check_string(r->source_name, sizeof(r->source_name));
    check_string(r->status, sizeof(r->status));
    if (r->n_tracks > ONVIF_RECORDING_TRACKS_MAX)
        __builtin_trap();
    for (size_t t = 0; t < r->n_tracks; t++) {
        check_string(r->tracks[t].type, sizeof(r->tracks[t].type));
        if (r->tracks[t].has_data && r->tracks[t].to_ms < r->tracks[t].from_ms)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct onvif_recording rec[RESULTS_MAX]; /* ~20 KiB: not on the stack */
    struct onvif_recording_summary sum;
    enum onvif_search_state state;
    char token[ONVIF_SEARCH_TOKEN_MAX], *text;
    struct onvif_doc *d = NULL;
    struct cw_err err;
    size_t n = 0;
    int64_t ms;

    if ((text = malloc(size + 1)) != NULL) {
        memcpy(text, data, size);
        text[size] = '\0';
        (void)cw_parse_iso_utc(text, &ms);
        free(text);
    }
    if (onvif_doc_parse((const char *)data, size, &d, &err) != 0)
        return 0;
    (void)onvif_parse_recording_summary(d, &sum, &err);
    if (onvif_parse_search_token(d, token, sizeof(token), &err) == 0)
        check_string(token, sizeof(token));
    if (onvif_parse_search_results(d, &state, rec, RESULTS_MAX, &n, &err) == 0) {
        if (n > RESULTS_MAX)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            check_recording(&rec[i]);
    }
    if (onvif_parse_recording_information(d, &rec[0], &err) == 0)
        check_recording(&rec[0]);
    onvif_doc_free(d);
    return 0;
}
