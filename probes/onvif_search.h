/* onvif_search.h - the readers of a recorder's ONVIF Recording Search answers
 * (ver10/search/wsdl): the summary of all its recordings, a search's token and results, and one
 * recording's information with its tracks' DataFrom and DataTo. Pure functions on a parsed
 * document (onvif_doc.h); any thread. Times are xs:dateTime, UTC unless they carry an offset. */
#ifndef CW_ONVIF_SEARCH_H
#define CW_ONVIF_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "onvif_doc.h"

#define ONVIF_RECORDING_TRACKS_MAX 8 /* more are ignored */
#define ONVIF_SEARCH_TOKEN_MAX 128

struct onvif_recording_summary {
    int has_range;
    int64_t data_from_ms, data_until_ms;
    int number_recordings;
};

enum onvif_search_state {
    ONVIF_SEARCH_QUEUED,
    ONVIF_SEARCH_SEARCHING,
    ONVIF_SEARCH_COMPLETED,
    ONVIF_SEARCH_UNKNOWN
};

struct onvif_track {
    char token[64];
    char type[16]; /* "Video", "Audio", "Metadata", "Extended" */
    int has_data;  /* DataFrom and DataTo both given */
    int64_t from_ms, to_ms;
};

struct onvif_recording {
    char token[ONVIF_SEARCH_TOKEN_MAX];
    char source_id[256]; /* Source/SourceId: often the camera's URI or a channel token */
    char source_name[ONVIF_STR_MAX];
    int has_range; /* EarliestRecording and LatestRecording both given */
    int64_t earliest_ms, latest_ms;
    char status[16]; /* RecordingStatus: "Recording", "Stopped", ... */
    struct onvif_track tracks[ONVIF_RECORDING_TRACKS_MAX];
    size_t n_tracks;
};

/* GetRecordingSummaryResponse/Summary. */
int onvif_parse_recording_summary(const struct onvif_doc *d, struct onvif_recording_summary *out,
                                  struct cw_err *err);
/* FindRecordingsResponse/SearchToken: refused when empty. */
int onvif_parse_search_token(const struct onvif_doc *d, char *token, size_t len,
                             struct cw_err *err);
/* GetRecordingSearchResultsResponse/ResultList: its SearchState and up to max recordings in
 * document order (*n; 0 is not an error). A recording without a RecordingToken is refused. */
int onvif_parse_search_results(const struct onvif_doc *d, enum onvif_search_state *state,
                               struct onvif_recording *out, size_t max, size_t *n,
                               struct cw_err *err);
/* GetRecordingInformationResponse/RecordingInformation. */
int onvif_parse_recording_information(const struct onvif_doc *d, struct onvif_recording *out,
                                      struct cw_err *err);

#endif
