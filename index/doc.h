/* doc.h - the documents: one function per view of the store (status list, one camera,
 * events, uptime, samples, device, clock, alerts, the daily digest) and per result of an action
 * (maintenance, reference, discover), each a jansson object built from the store. The CLI prints a
 * document as it is (--json) and renders its tables from it; the HTTP API serves the same
 * documents, so the two cannot disagree. Times are ISO 8601 in the site's zone, with epoch
 * ms beside them where the view has always had them.
 *
 * Every function returns 0 with *out, a new reference the caller owns (json_decref); 1
 * (DOC_NOT_FOUND) when the camera is not in the store, or has no such facts, with err
 * saying which; 2 (DOC_BAD_INPUT) when a request's value (a cursor) is not one this module
 * made; -1 with err on a store error or when out of memory. *out is NULL unless 0.
 * The store handle's rule holds: one thread at a time per ctx; ISO formatting sets TZ, so
 * the CLI or the loop thread only. */
#ifndef CW_DOC_H
#define CW_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/err.h"
#include "../util/state.h"
#include "store.h"

#define DOC_NOT_FOUND 1
#define DOC_BAD_INPUT 2
#define DOC_EVENTS_LIMIT_MAX 10000 /* events in one page: a page is built in memory */
/* How every document is written out (CLI --json, HTTP API): keys in the order built, reals
 * to 10 significant digits (means of measurements come out as 812.39999999999975). */
#define DOC_JSON_REAL_DIGITS 10
#define DOC_JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(DOC_JSON_REAL_DIGITS))

/* What every document needs; all borrowed and outliving the call. */
struct doc_ctx {
    struct store *store;   /* READWRITE for doc_maintenance and doc_reference_clear */
    const struct cfg *cfg; /* owner names, camera names, the clock limit */
    const char *tz;        /* zone of the ISO times (cfg->time_zone) */
};

/* The camera check every document makes: 0 with *st filled when camera id is in the store
 * (a retired one too), DOC_NOT_FOUND with err "unknown camera 'ID'", -1 on error. */
int doc_require_camera(const struct doc_ctx *c, const char *id, struct store_status *st,
                       struct cw_err *err);

/* Which cameras a status list shows; NULL or zero fields do not filter. */
struct doc_status_filter {
    const char *owner;   /* owner code, case ignored */
    const char *commune; /* matched as cw_text_matches does: without diacritics, any */
    const char *flag;    /* a quality flag of the last sample, case ignored */
    int have_state;
    enum cw_state state;
};

/* [ {id, name, owner, owner_name, commune, state, since, since_ms, reason, latency_ms,
 *    codec, width, height, fps, sdp_fps, rtsp_status, last_probe, last_probe_ms, last_ok,
 *    last_ok_ms, address, road, lat, lon (the inventory's; null when not given), bitrate_kbps,
 * gop_s, sharpness, luma, frozen, flags[], last_sample, last_sample_ms, thumb}, ... ]: every camera
 * that passes f (NULL: all), by id. fps is the measured rate when a sample read media, the SDP's
 * claim only before any sample, else null. */
int doc_status(const struct doc_ctx *c, const struct doc_status_filter *f, json_t **out,
               struct cw_err *err);

/* One camera: {status: the status list's object, samples: the last day's (doc_samples),
 * events: {events, next} the first page of the last week's (doc_events), device:
 * doc_device's object or null when never probed over ONVIF}. DOC_NOT_FOUND for an unknown
 * camera. now_ms places "the last day". */
int doc_camera(const struct doc_ctx *c, const char *id, int64_t now_ms, json_t **out,
               struct cw_err *err);

/* Which events a page holds. */
struct doc_events_query {
    const char *camera; /* NULL: every camera; an unknown one is DOC_NOT_FOUND */
    int64_t since_ms;
    size_t limit;      /* events in the page, 1..DOC_EVENTS_LIMIT_MAX (others: the max) */
    const char *after; /* the "next" of the page before, NULL for the first page */
};

/* One page of state changes and device fact changes, merged oldest first (a state change
 * before a device change at the same ms): {events: [ {id, kind: "state", camera, at, at_ms,
 * from, to, reason} | {kind: "device", camera, at, at_ms, field, old, new} ], next: a cursor
 * string to pass as q->after for the next page, or null after the last}. Memory is bounded
 * by the limit, whatever the range. DOC_BAD_INPUT for an after that is not a cursor. */
int doc_events(const struct doc_ctx *c, const struct doc_events_query *q, json_t **out,
               struct cw_err *err);

enum doc_uptime_by { DOC_UPTIME_BOTH = 0, DOC_UPTIME_CAMERA, DOC_UPTIME_OWNER };

/* {from, from_ms, to, to_ms, cameras: [ {id, name, owner, existed_ms, ms{up, degraded,
 * down, unknown, maintenance}, percent{...}, outages, downtime_ms} ], owners: [ {owner,
 * owner_name, cameras, existed_ms, ms, percent, outages, downtime_ms} ]}: time in each state
 * over [from_ms, to_ms), exactly from state changes; percent is of the time each existed
 * (null when it did not). by leaves out the other list. Owners sorted by code. */
int doc_uptime(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
               json_t **out, struct cw_err *err);
/* doc_uptime from rows store_uptime gave for the same range (read on another thread or
 * connection); c->store is not used. */
int doc_uptime_rows(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                    const struct store_uptime *rows, size_t n, json_t **out, struct cw_err *err);

/* [ {camera, at, at_ms, hourly, count, ok, error, codec, width, height, fps, bitrate_kbps,
 *    gop_frames, gop_s, first_key_ms, ts_jumps, ts_backwards, corrupt_packets, lost_frames,
 *    has_picture, luma_mean, luma_spread, sharpness, phash, ref_distance, flags[],
 *    reasons} ]: a camera's stream samples since since_ms, oldest first; stream facts null
 * unless ok, picture facts null unless has_picture. DOC_NOT_FOUND for an unknown camera. */
int doc_samples(const struct doc_ctx *c, const char *id, int64_t since_ms, json_t **out,
                struct cw_err *err);

/* The path of camera id's newest picture: its last stream thumbnail or its ONVIF snapshot,
 * whichever file is newer (one that is gone does not count unless it is the only one named),
 * into path (len bytes). DOC_NOT_FOUND for an unknown camera, or one with neither (err says
 * so). Stats files: the CLI or the loop (local files in [store] cache). */
int doc_picture(const struct doc_ctx *c, const char *id, char *path, size_t len,
                struct cw_err *err);

/* {id, name, probed_at, ok, error, facts_at, manufacturer, model, firmware, serial,
 *  hardware_id, auth, clock_offset_ms, clock_error_ms, clock_measured_at, ntp,
 *  stream_uri_note, snapshot_path, endpoints{service: url}, profiles[ {token, name,
 *  encoding, width, height, fps_limit, bitrate_limit_kbps, gov_length, encoder_token,
 *  stream_uri, snapshot_uri, streamed} ], clock_history[ doc_clock's objects ], changes[
 *  {at, field, old, new} ]}: a camera's ONVIF facts, its clock and fact history since
 * since_ms. DOC_NOT_FOUND for an unknown camera or one never probed over ONVIF (err says
 * which, and why from the inventory). */
int doc_device(const struct doc_ctx *c, const char *id, int64_t since_ms, json_t **out,
               struct cw_err *err);

/* [ {id, clock_offset_ms, error_ms, measured_at, ntp} ]: every camera's latest clock
 * offset, furthest off first (then by id); cameras never measured are left out. */
int doc_clock(const struct doc_ctx *c, json_t **out, struct cw_err *err);

/* Acknowledge camera id as under maintenance (on) or hand it back to the probes (off),
 * unless it is so already, at at_ms with note (may be NULL), and describe the result: {id,
 * changed, from, to, since, reason}. Writes (c->store READWRITE). DOC_NOT_FOUND for an
 * unknown camera. */
int doc_maintenance(const struct doc_ctx *c, const char *id, int on, const char *note,
                    int64_t at_ms, json_t **out, struct cw_err *err);

/* Forget camera id's reference picture, so the daemon takes its next good picture as the
 * new one: {id, cleared: whether it had one, previous: when that was taken or null}.
 * Writes (c->store READWRITE). DOC_NOT_FOUND for an unknown camera. */
int doc_reference_clear(const struct doc_ctx *c, const char *id, json_t **out, struct cw_err *err);

/* The two steps of doc_maintenance and doc_reference_clear, for a caller that writes on one
 * thread and builds the document on another (the daemon: a worker with its own READWRITE
 * connection, then the loop). *_apply touches only the store s (no time formatting: any
 * thread) and returns as the action does; *_result builds the action's document from what
 * apply found. */
struct doc_maintenance_change {
    struct store_status before, after;
    int changed;
};
int doc_maintenance_apply(struct store *s, const char *id, int on, const char *note, int64_t at_ms,
                          struct doc_maintenance_change *out, struct cw_err *err);
int doc_maintenance_result(const struct doc_ctx *c, const struct doc_maintenance_change *m,
                           json_t **out, struct cw_err *err);
struct doc_reference_change {
    char id[CFG_ID_MAX + 1];
    int had;       /* it had a reference picture */
    int64_t at_ms; /* taken then */
};
int doc_reference_apply(struct store *s, const char *id, struct doc_reference_change *out,
                        struct cw_err *err);
int doc_reference_result(const struct doc_ctx *c, const struct doc_reference_change *r,
                         json_t **out, struct cw_err *err);

/* Which alerts the history holds. */
struct doc_alerts_query {
    const char *camera; /* NULL: every camera's, the digests and tests too; an unknown one is
                           DOC_NOT_FOUND */
    int64_t since_ms;
    size_t limit; /* the newest this many (0: all) */
};

/* [ {id, at, at_ms, kind ("change", "flapping", "settled", "digest", "test"), camera, from,
 *    to, since, changes, reason, summary, deliveries: [ {channel ("webhook", "email"), target
 *    (its origin, never its URL), status ("pending", "sent", "failed"), attempts,
 *    last_attempt, next_attempt, error} ]} ]: the alerts decided at or after q->since_ms,
 * oldest first (camera, from, to, since, reason null where the kind has none). */
int doc_alerts(const struct doc_ctx *c, const struct doc_alerts_query *q, json_t **out,
               struct cw_err *err);

/* {at, from, to, cameras, counts{up, degraded, down, unknown, maintenance}, changes,
 *  problems: [ {id, name, owner, state, since, since_ms, reason} ], problems_more,
 *  changed: [ {id, name, changes, state} ], changed_more}: the daily digest at now_ms: the
 * cameras down or degraded now (down first, the longest out first) and the state changes of
 * [now_ms - window_ms, now_ms) (the cameras that changed most first), each list cut at max
 * with how many were left out. */
int doc_digest(const struct doc_ctx *c, int64_t now_ms, int64_t window_ms, size_t max, json_t **out,
               struct cw_err *err);

/* One ONVIF device that answered a discovery Probe, as its ProbeMatch said. Lists are
 * space-separated; "" when absent. All borrowed. */
struct doc_found {
    const char *endpoint, *xaddrs, *types, *scopes, *name, *hardware, *location;
};

/* {devices: [ {endpoint, xaddrs[], types[], scopes[], name, hardware, location, camera} ],
 *  missing: [ {id, onvif_url} ], ignored}: the n devices found reconciled with c->cfg's
 * inventory (c->store is not used). A device is the camera whose onvif_url has the host and
 * port of one of its XAddrs (the one with exactly that URL first, else the first in the
 * inventory), or camera null; devices in inventory order, unknown ones last by XAddrs.
 * missing: the cameras with an onvif_url that no device matched. ignored: the caller's count
 * of answers that were not usable. */
int doc_discover(const struct doc_ctx *c, const struct doc_found *found, size_t n, size_t ignored,
                 json_t **out, struct cw_err *err);

#endif
