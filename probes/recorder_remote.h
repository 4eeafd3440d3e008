/* recorder_remote.h - recorders asked over the network for what they hold: ONVIF Recording
 * Search (any Profile G recorder), Hikvision ISAPI ContentMgmt search, Dahua mediaFileFind.
 * Each answers with its recordings or files and their times; a scan turns them into segments
 * (file = the recorder's own id of the recording) and finds the ones the store knows that the
 * recorder no longer lists. Blocking libcurl transfers with the source's timeout: a worker
 * thread, or the CLI. */
#ifndef CW_RECORDER_REMOTE_H
#define CW_RECORDER_REMOTE_H

#include "recorder.h"

enum rec_remote_kind { REC_REMOTE_ONVIF, REC_REMOTE_HIKVISION, REC_REMOTE_DAHUA };

struct rec_remote_source {
    const char *name; /* the recorder's, for messages */
    enum rec_remote_kind kind;
    const char *url; /* ONVIF: the device service; ISAPI, Dahua: http(s)://host[:port] */
    const char *username, *password;
    int64_t timeout_ms; /* one request */
    int tls_verify;
    const char *ca_file;
    const struct cw_zone *zone; /* the recorder's local times (ISAPI, Dahua answer in them) */
    rec_camera_of_fn camera_of; /* a recording's source token or name, a channel number */
    void *camera_data;
    int64_t now_ms;
    const atomic_int *cancel;
};

/* Ask the recorder what it holds and compare with what the store knows (the files of folder
 * ""). Returns 0 with *out, or -1 with err ("recorder nvr1: FindRecordings: timeout after
 * 5000 ms"). */
int rec_remote_scan(const struct rec_remote_source *src, const struct rec_known *known,
                    struct rec_result **out, struct cw_err *err);

#endif
