/* recorder_remote.h - recorders asked over the network for what they hold: ONVIF Recording
 * Search (any Profile G recorder), Hikvision ISAPI ContentMgmt search, Dahua mediaFileFind.
 * Each answers with its recordings or files and their times; a scan turns them into segments
 * (file = the recorder's own id of the recording) and finds the ones the store knows that the
 * recorder no longer lists. Blocking libcurl transfers with the source's timeout: a worker
 * thread, or the CLI. */
#ifndef CW_RECORDER_REMOTE_H
#define CW_RECORDER_REMOTE_H

#include "bhttp.h"
#include "recorder.h"

enum rec_remote_kind { REC_REMOTE_ONVIF, REC_REMOTE_HIKVISION, REC_REMOTE_DAHUA };

struct rec_remote_source {
    const char *name; /* the recorder's, for messages */
    enum rec_remote_kind kind;
    const char *url;        /* ONVIF: the device service; ISAPI, Dahua: http(s)://host[:port] */
    struct bhttp_opts http; /* credentials, timeout, TLS, cancel; max_bytes is each kind's own */
    const struct cw_zone *zone; /* the recorder's local times (ISAPI, Dahua answer in them) */
    rec_camera_of_fn camera_of; /* a recording's source token or name, a channel number */
    void *camera_data;
    const char *const *channels; /* ISAPI, Dahua: the channel map's tokens, the channels asked */
    size_t n_channels;
    int reattribute; /* every listed item is attributed by the sheet now (recorder.h) */
    int64_t now_ms;
};

/* Ask the recorder what it holds and compare with what the store knows (the files of folder
 * ""). Returns 0 with *out, or -1 with err ("recorder nvr1: FindRecordings: timeout after
 * 5000 ms"). */
int rec_remote_scan(const struct rec_remote_source *src, const struct rec_known *known,
                    struct rec_result **out, struct cw_err *err);

/* ---- what each kind lists (recorder_onvif.c, recorder_isapi.c, recorder_dahua.c) ---- */

#define REC_ITEM_TOKENS 3

/* One recording or file as the recorder lists it. */
struct rec_item {
    char id[256]; /* the recorder's own id: a recording token, a playback URI, a file path */
    char tokens[REC_ITEM_TOKENS][256]; /* what may name its camera, in the order tried ("") */
    int64_t start_ms, end_ms;
    int64_t bytes; /* 0 when not said */
};

struct rec_listing {
    struct rec_item *items;
    size_t n, cap;
};

/* Append an item (0, or -1 when out of memory); free a listing's items. */
int rec_listing_add(struct rec_listing *l, const struct rec_item *it);
void rec_listing_free(struct rec_listing *l);

/* The length of url without its trailing '/'s: what an NVR's API path is appended to. */
size_t rec_url_base_len(const char *url);

/* Every recording of an ONVIF Profile G recorder: its clock and services first, then
 * GetRecordingSummary, FindRecordings with GetRecordingSearchResults until the search is
 * Completed, EndSearch, and GetRecordingInformation of each recording. A recording's time is
 * its video tracks' DataFrom..DataTo (its EarliestRecording..LatestRecording when it has no
 * video track); its tokens its Source's SourceId and Name, then its RecordingToken. */
int rec_onvif_list(const struct rec_remote_source *src, struct rec_listing *out,
                   struct cw_err *err);

/* Every recording file of a Hikvision NVR on the channels asked, through ISAPI's ContentMgmt
 * search (recorder_nvr.h). Tokens: the channel asked, the listed track, its channel. */
int rec_isapi_list(const struct rec_remote_source *src, struct rec_listing *out,
                   struct cw_err *err);

/* Every recorded video file of a Dahua NVR on the channels asked, through mediaFileFind.cgi
 * (recorder_nvr.h). Tokens: the channel asked, the listed channel. */
int rec_dahua_list(const struct rec_remote_source *src, struct rec_listing *out,
                   struct cw_err *err);

#endif
