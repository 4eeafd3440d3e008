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
 * the CLI or the loop thread only. The views of the store (status, camera, samples, device,
 * clock, events, uptime, tickets, footage, requests) are each a struct doc_view: its store
 * reads apart from its document, so the reads can run where blocking is allowed. */
#ifndef CW_DOC_H
#define CW_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/err.h"
#include "../util/state.h"
#include "doc_out.h"
#include "store.h"
#include "store_footage.h"

#define DOC_NOT_FOUND 1
#define DOC_BAD_INPUT 2
/* What was asked is at odds with what the store holds now (a ticket closed already): err
 * says what and since when; nothing changed. */
#define DOC_CONFLICT 4
#define DOC_EVENTS_LIMIT_MAX 10000 /* events in one page: a page is built in memory */
#define DOC_EVENTS_PAGE 1000       /* rows of each table doc_events_all holds at once */
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

/* The camera check every document makes, on s (any thread): 0 with *st filled when camera id
 * is in the store (a retired one too), DOC_NOT_FOUND with err "unknown camera 'ID'", -1 on
 * error. st may be NULL: the check alone. */
int doc_require_camera(struct store *s, const char *id, struct store_status *st,
                       struct cw_err *err);
/* DOC_NOT_FOUND with err "unknown camera 'ID'" (about field, NULL for none), and "; did you
 * mean 'Id'?" when a camera's id is id but for the case of its letters (a user typed it), on s
 * (any thread); -1 when the store fails. */
int doc_unknown_camera(struct store *s, const char *field, const char *id, struct cw_err *err);

/* A view of the store in two steps, so that its reads run where blocking is allowed (the API's
 * workers) and its document where ISO times may be written (the thread rule above):
 *   read   any thread, on s alone (no zone, no configuration): what it reads into rows (the
 *          view's struct of rows_size bytes, zeroed: doc_view_rows_new); returns as the
 *          view's document does (0, DOC_NOT_FOUND, DOC_BAD_INPUT or -1, with err)
 *   build  the loop or the CLI: the document from the query and the rows into *out; 0,
 *          DOC_NOT_FOUND (doc_view_device: never probed over ONVIF) or -1, with err
 *   clear  frees what read and build left in the rows, whatever they returned; zeroed rows
 *          too (doc_view_rows_free)
 * query points to the view's own struct, named beside each view below (NULL for a view that
 * takes none); read and build only read it, and it outlives them both. The CLI runs the steps
 * in one go (doc_view_run); the API reads on a worker and builds on the loop with a copy of
 * the query (doc_view_query_copy; daemon/api_util.c: api_view_start), which the view's query
 * type says how to make: the struct's size and where its strings are. */
#define DOC_QUERY_STRINGS_MAX 3
struct doc_query_type {
    size_t size;      /* bytes of the query struct */
    size_t n_strings; /* its strings (const char *), at these offsets */
    size_t strings[DOC_QUERY_STRINGS_MAX];
};
struct doc_view {
    const struct doc_query_type *query; /* NULL: the view takes none */
    size_t rows_size; /* bytes of the view's rows struct (read fills it, clear empties it) */
    int (*read)(struct store *s, const void *query, void *rows, struct cw_err *err);
    int (*build)(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                 struct cw_err *err);
    void (*clear)(void *rows);
};

/* v's document for query, its steps run in one go on c->store: returns as read and build do,
 * *out NULL unless 0. */
int doc_view_run(const struct doc_ctx *c, const struct doc_view *v, const void *query, json_t **out,
                 struct cw_err *err);
/* New zeroed rows for v's read, or NULL when out of memory; freed, cleared first, by
 * doc_view_rows_free (accepts NULL). */
void *doc_view_rows_new(const struct doc_view *v);
void doc_view_rows_free(const struct doc_view *v, void *rows);
/* A copy of query (v's) that owns its strings, for steps run on other threads after the
 * query's own memory is gone: 0 with *out (NULL for a view that takes no query; free it with
 * doc_view_query_free, which accepts NULL), or -1 when out of memory. */
int doc_view_query_copy(const struct doc_view *v, const void *query, void **out);
void doc_view_query_free(const struct doc_view *v, void *query);

/* The query of the views of one camera. */
struct doc_camera_query {
    const char *id; /* an unknown camera is DOC_NOT_FOUND */
    int64_t at_ms;  /* doc_view_camera: now; doc_view_samples, doc_view_device: since */
};

/* Which cameras a status list shows; NULL or zero fields do not filter. */
struct doc_status_filter {
    const char *owner;   /* owner code, case ignored */
    const char *commune; /* matched as cw_text_matches does: without diacritics, any */
    const char *flag;    /* a quality flag of the last sample, case ignored */
    int have_state;
    enum cw_state state;
};

/* [ {id, name, owner, owner_name, commune, state, since, since_ms, reason, recovering,
 *    latency_ms, codec, width, height, fps, sdp_fps, rtsp_status, last_probe, last_probe_ms,
 *    last_ok, last_ok_ms, address, road, lat, lon (the inventory's; null when not given),
 *    bitrate_kbps, gop_s, sharpness, luma, frozen, flags[], last_sample, last_sample_ms,
 *    thumb}, ... ]: every camera that passes f (NULL: all), by id. fps is the measured rate
 * when a sample read media, the SDP's claim only before any sample, else null. width and
 * height are the SDP's, else the last sample's. recovering is {good, needed} while a down or
 * degraded camera has answered (down: at all; degraded: well) good times in a row but fewer
 * than the needed [probe.rtsp] up_after that move it, else null: its reason is then the old
 * one, its latency the new. A flag that is not a quality flag's name is DOC_BAD_INPUT (err
 * lists the names). The query is a struct doc_status_filter (NULL: every camera). */
extern const struct doc_view doc_view_status;
/* 0, or DOC_BAD_INPUT with err when f's flag is not a quality flag's (err lists them): the
 * check doc_view_status makes before it reads. f may be NULL. */
int doc_status_check(const struct doc_status_filter *f, struct cw_err *err);

/* One camera: {status: the status list's object, samples: the last day's (doc_view_samples),
 * events: {events, next} the first page of the last week's (doc_view_events), device:
 * doc_view_device's object or null when never probed over ONVIF}. The query is a struct
 * doc_camera_query, its at_ms now (it places "the last day"). DOC_NOT_FOUND for an unknown
 * camera. */
extern const struct doc_view doc_view_camera;

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
 * string to pass as q->after for the next page, or null after the last}. The query is a
 * struct doc_events_query. Memory is bounded by the limit, whatever the range. DOC_BAD_INPUT
 * for an after that is not a cursor. */
extern const struct doc_view doc_view_events;
/* Every event from q->after on (q->limit is not used), as doc_view_events' items, written to
 * o as one array while they are read, DOC_EVENTS_PAGE at a time: what `camwatch events --json`
 * prints, in memory bounded whatever the range. Returns as doc_view_events; on -1 o may hold
 * part of the array. */
int doc_events_all(const struct doc_ctx *c, const struct doc_events_query *q, struct doc_out *o,
                   struct cw_err *err);

enum doc_uptime_by { DOC_UPTIME_BOTH = 0, DOC_UPTIME_CAMERA, DOC_UPTIME_OWNER };

/* {from, from_ms, to, to_ms, cameras: [ {id, name, owner, existed_ms, ms{up, degraded,
 * down, unknown, maintenance}, percent{...}, outages, downtime_ms} ], owners: [ {owner,
 * owner_name, cameras, existed_ms, ms, percent, outages, downtime_ms} ]}: time in each state
 * over [from_ms, to_ms), exactly from state changes; percent is of the time each existed
 * (null when it did not). by leaves out the other list. Owners sorted by code. */
int doc_uptime(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
               json_t **out, struct cw_err *err);
/* doc_uptime's document written to o as each camera is worked out (the owners at the end):
 * memory for the owners' sums and one camera's events, whatever the fleet. Returns as
 * doc_uptime; on -1 o may hold part of it. */
int doc_uptime_write(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, enum doc_uptime_by by,
                     struct doc_out *o, struct cw_err *err);
/* doc_uptime's document as a view: every camera's rows over the range read at once (the
 * API's), the same document built from them by the same writer. */
struct doc_uptime_query {
    int64_t from_ms, to_ms;
    enum doc_uptime_by by;
};
extern const struct doc_view doc_view_uptime;

/* ---- reports (doc_report.c, doc_backlog.c, doc_ticket.c, doc_province.c) ----
 * A report's JSON starts with {kind, version, site, authority, time_zone, language, from,
 * from_ms, to, to_ms, generated, generated_ms}; figures (index/avail.h says what each means)
 * are {cameras, existed_ms, monitored_ms, ms{up, degraded, down, unknown, maintenance},
 * availability_pct (null when nothing was monitored), outages, downtime_ms, longest_down_ms,
 * repairs, mttr_ms (null when nothing was repaired), degraded_by{reason kind: ms}}. now_ms is
 * the time the report says it was made. */

/* Availability over [from_ms, to_ms): {header, cameras: [ {id, name, owner, owner_name,
 * commune, road, retired, state, since, since_ms, figures} ], owners: [ {owner, owner_name,
 * down_now, figures} ], communes: [ {commune, down_now, figures} ], total: {down_now,
 * figures}, weeks: [ {start: "YYYY-MM-DD" (a Monday), start_ms, outages} ]}. Cameras that
 * existed in the range (retired ones too), by id; owners and communes sorted. DOC_BAD_INPUT
 * when the range is empty or overlaps more than 1100 weeks (about 21 years). */
int doc_availability(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     json_t **out, struct cw_err *err);

/* The maintenance backlog over [from_ms, to_ms): {header, measured: {events, samples, onvif,
 * recording_gaps: whether the store had each source (recording gaps: not measured yet)},
 * costs: [ {action, vnd, source} ] (the [costs] used; null when unpriced), items: [ {rank,
 * id, name, owner, owner_name, commune, address, road, site_kind, priority (1: a national
 * road, market or border site; 2: others), priority_why[], state, since, since_ms, outages,
 * downtime_ms, availability_pct (over the range), findings: [ {kind, ...} ], recording_gaps:
 * null (not measured), actions: [ {action, origin: "finding"|"ticket", ticket, note,
 * because[], cost_vnd (null: unpriced), price_source} ], cost_vnd (null when none of its
 * actions has a price: unpriced work is not free), unpriced} ] ranked
 * (priority, then downtime, outages, id), owners: [ {owner, owner_name, cameras,
 * needing_work, down_now, priority_items, actions, cost_vnd, priority_cost_vnd, unpriced,
 * priority_actions, priority_unpriced (the work at priority sites, and of it the unpriced:
 * priority_cost_vnd of nothing priced is no price, not 0)} ], by_action: [ {action, count,
 * cost_vnd, unpriced} ], total: {the owners' fields summed}
 * (owners', by_action's and total's cost_vnd: the sum of what is priced, a whole number for
 * report merge; their unpriced says how much is not in it),
 * availability: {owners, total, weeks} as doc_availability's}. Findings (kind, then its
 * facts): down {since, since_ms, causes[], reason}; unstable {outages, downtime_ms}; a stream
 * flag (no_media, low_res, ... as status's flags) {now, samples, flagged, share_pct, value,
 * limit}; clock {offset_ms, ntp, measured, limit_ms}; encoder_config {width, height, fps,
 * bitrate_kbps, min_width, min_height, min_fps, min_bitrate_kbps}; onvif_auth {error};
 * firmware {firmware, newest, manufacturer, model, cameras_on_newest}. Every camera with a
 * finding that calls for an action, or an open ticket, is an item. DOC_BAD_INPUT when the
 * range is empty or too long, as doc_availability's. */
int doc_backlog(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                json_t **out, struct cw_err *err);

/* A report's store reads apart from its document, so that the reads run where blocking is
 * allowed (the API's workers) and the document where the zone and the configuration may be
 * read (doc.h's thread rule): doc_report_begin (loop or CLI: the range's weeks in c->tz; 0,
 * DOC_BAD_INPUT when the range is empty, or -1), doc_report_read (any thread, on s: no zone,
 * no configuration; 0 or -1), doc_report_build (loop or CLI: the document at now_ms, as
 * doc_availability or doc_backlog makes it; 0 or -1). Each with err. The rows are the
 * caller's: free them with doc_report_free (accepts NULL), whatever the steps returned.
 * doc_availability and doc_backlog are the three steps on c->store. */
enum doc_report_kind { DOC_REPORT_AVAILABILITY, DOC_REPORT_BACKLOG };
struct doc_report_rows;
int doc_report_begin(const struct doc_ctx *c, enum doc_report_kind kind, int64_t from_ms,
                     int64_t to_ms, struct doc_report_rows **out, struct cw_err *err);
int doc_report_read(struct store *s, struct doc_report_rows *r, struct cw_err *err);
int doc_report_build(const struct doc_ctx *c, struct doc_report_rows *r, int64_t now_ms,
                     json_t **out, struct cw_err *err);
void doc_report_free(struct doc_report_rows *r);

/* One district's backlog for the province summary: a doc_backlog document as its JSON file
 * read back (outside bytes: doc_province checks every field it reads). Borrowed. */
struct doc_district {
    const char *file; /* named in errors */
    const json_t *doc;
};
/* The province summary of n districts' backlogs: {header (c's site, authority, zone and
 * language; from the earliest district's start to the latest's end), districts: [ {site,
 * authority, file, from, to, cameras, needing_work, down_now, priority_items, actions,
 * cost_vnd, priority_cost_vnd, unpriced, priority_actions, priority_unpriced (null, in the
 * district, its owners and the total, for a file of a version before them), monitored_ms,
 * available_ms, availability_pct, owners: [ {owner, owner_name, cameras, ...} ]} ] (most to
 * fund at priority sites first),
 * by_action: [ {action, count, cost_vnd, unpriced} ], total: {the counts summed,
 * monitored_ms, available_ms, availability_pct}}. c->store is not used. DOC_BAD_INPUT, with
 * err naming the file and field, for a document that is not a version-1 backlog or has a
 * field missing, of the wrong type or out of range, for a district given twice, or for none. */
int doc_province(const struct doc_ctx *c, const struct doc_district *in, size_t n, int64_t now_ms,
                 json_t **out, struct cw_err *err);

/* A ticket as documents show it: {id, camera, action, note, cost_vnd (null: priced by
 * [costs]), state: "open"|"closed", opened, opened_ms, opened_by, closed, closed_ms,
 * closed_by, close_note (null while open)}. */

/* What a new ticket says; all borrowed. */
struct doc_ticket_new {
    const char *camera;
    const char *action; /* a cfg_action_name() */
    const char *note;   /* may be NULL */
    int has_cost;       /* its own cost; otherwise [costs] prices it */
    int64_t cost_vnd;
    const char *by; /* who files it (the CLI's user, the API's token name) */
    int64_t at_ms;
};
/* Open a ticket (writes: c->store READWRITE) and give it back. DOC_NOT_FOUND for an unknown
 * camera; DOC_BAD_INPUT for an unknown action (err lists the actions), a negative cost, a
 * retired camera, or a note over STORE_TICKET_TEXT_MAX bytes or a note or by holding a control
 * character (a new line, tab, escape). */
int doc_ticket_add(const struct doc_ctx *c, const struct doc_ticket_new *tn, json_t **out,
                   struct cw_err *err);
/* Close ticket id at at_ms by by, with note (may be NULL), and give it back. DOC_NOT_FOUND
 * when there is no such ticket; DOC_CONFLICT when it was closed already (nothing changes; err
 * says when and by whom); DOC_BAD_INPUT for a note or by holding a control character. */
int doc_ticket_close(const struct doc_ctx *c, int64_t id, const char *by, const char *note,
                     int64_t at_ms, json_t **out, struct cw_err *err);
/* The two steps of doc_ticket_add and doc_ticket_close for a caller that writes on one
 * thread and builds the document on another (the daemon: a worker with its own READWRITE
 * connection, then the loop). *_apply touches only s (any thread) and returns as the action
 * does, but DOC_TICKET_CLOSED (with *out filled) for a ticket closed already; the ticket
 * written is read back into *out. doc_ticket_result turns rc and the ticket into the action's
 * answer. */
#define DOC_TICKET_CLOSED 3
int doc_ticket_add_apply(struct store *s, const struct doc_ticket_new *tn, struct store_ticket *out,
                         struct cw_err *err);
int doc_ticket_close_apply(struct store *s, int64_t id, const char *by, const char *note,
                           int64_t at_ms, struct store_ticket *out, struct cw_err *err);
int doc_ticket_result(const struct doc_ctx *c, int rc, const struct store_ticket *t, json_t **out,
                      struct cw_err *err);
/* Which tickets a list holds. */
struct doc_tickets_query {
    const char *camera; /* NULL: every camera's; an unknown one is DOC_NOT_FOUND */
    int all;            /* closed ones too */
};
/* [ tickets ] by id, as the query asks. */
extern const struct doc_view doc_view_tickets;

/* [ {camera, at, at_ms, hourly, count, ok, error, codec, width, height, fps, bitrate_kbps,
 *    gop_frames, gop_s, first_key_ms, ts_jumps, ts_backwards, corrupt_packets, lost_frames,
 *    has_picture, luma_mean, luma_spread, sharpness, phash, ref_distance, flags[], reasons,
 *    key_bytes, inter_frames, inter_bytes, inter_min_bytes} ]: a camera's stream samples
 * since since_ms, oldest first; stream facts null unless ok, picture facts null unless
 * has_picture, frame sizes null unless measured. The query is a struct doc_camera_query, its
 * at_ms the since. DOC_NOT_FOUND for an unknown camera. */
extern const struct doc_view doc_view_samples;

/* The path of camera id's newest picture: its last stream thumbnail or its ONVIF snapshot,
 * whichever file is newer (one that is gone does not count unless it is the only one named),
 * into path (len bytes). DOC_NOT_FOUND for an unknown camera, or one with neither (err says
 * so). Stats files and reads no zone or configuration (c->store alone): the CLI or a
 * worker, not the loop. */
int doc_picture(const struct doc_ctx *c, const char *id, char *path, size_t len,
                struct cw_err *err);

/* {id, name, probed_at, ok, error, facts_at, manufacturer, model, firmware, serial,
 *  hardware_id, auth, clock_offset_ms, clock_error_ms, clock_measured_at, ntp,
 *  stream_uri_note, snapshot_path, endpoints{service: url}, profiles[ {token, name,
 *  encoding, width, height, fps_limit, bitrate_limit_kbps, gov_length, encoder_token,
 *  stream_uri, snapshot_uri, streamed} ], clock_history[ doc_view_clock's objects ], changes[
 *  {at, field, old, new} ]}: a camera's ONVIF facts, its clock and fact history since
 * the query's at_ms (a struct doc_camera_query). read gives DOC_NOT_FOUND for an unknown
 * camera; build for one never probed over ONVIF (err says why, from the inventory). */
extern const struct doc_view doc_view_device;

/* [ {id, clock_offset_ms, error_ms, measured_at, ntp} ]: every camera's latest clock
 * offset, furthest off first (then by id); cameras never measured are left out. No query. */
extern const struct doc_view doc_view_clock;

/* Acknowledge camera id as under maintenance (on) or hand it back to the probes (off),
 * unless it is so already, at at_ms with note (may be NULL), and describe the result: {id,
 * changed, from, to, since, reason}. Writes (c->store READWRITE). DOC_NOT_FOUND for an
 * unknown camera; DOC_BAD_INPUT for a note holding a control character (a new line, tab,
 * escape), with err->field "note". */
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
 * with how many were left out. Reads c->store and c->tz only (c->cfg may be NULL): the daemon
 * makes it on a worker, where the configuration may be reloaded under it. */
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

/* The daemon's health, from the vitals file it keeps beside c->cfg->database (daemon/vitals.h):
 * {pid, started, started_ms, written, written_ms, age_ms, running, once, once_finished,
 *  once_finished_ms, write_every_s, file,
 *  loop: {tick_s, lag_ms, lag_max_ms, lag_mean_ms, window_s},
 *  store: {writable, pending, commits, dropped, write_ms, write_max_ms, failing_since,
 *          failing_since_ms, error},
 *  resolver: {async}, cameras, states: {up, degraded, down, unknown, maintenance},
 *  config: {ok, kind ("start" | "reload"), at, at_ms, ok_at, ok_ms, problems: [ {file, line,
 *           field, message} ], more, files: [ {file, mtime, mtime_ms, bytes} ],
 *           pending: {since, since_ms, waiting_for ("store_write_lock"), holder: {pid, name}
 *                     | null} | null} | null}.
 * running: that pid exists and the figures are at most three write intervals old, and they are
 * not a finished --once run's. once: the writer was a `camwatchd --once` run; once_finished
 * (ISO) and once_finished_ms: when that run ended as asked (its sweep done, every write
 * landed), null while it sweeps, when it died or failed, and from a daemon; once_stale: that
 * finished run is over a day old (no run has finished since), false else. config: the
 * outcome of the daemon's last load of its configuration (daemon/reload.h): ok false when the
 * last reload was refused, the problems it found (the first ten, more counting the rest),
 * ok_at when the configuration it runs on was loaded, files those it was read from as they
 * were then; null from a daemon that does not say. config.pending: a reload asked for (SIGHUP)
 * and not in force yet, waiting since then for the store's write lock, which another program
 * holds (holder: its pid and name as /proc told, null when not known; name null when only the
 * pid is); null when none waits, and from a daemon that does not say. The reload's outcome,
 * when it comes, is in ok, at and the rest as for any reload. Reads only the file (c->store
 * is not used).
 * DOC_NOT_FOUND when there is none yet. The API serves it as GET /api/v1/daemon. */
int doc_daemon(const struct doc_ctx *c, json_t **out, struct cw_err *err);
/* When config (doc_daemon's config, or daemon/reload.h's record) says the last reload was
 * refused: its first problem as "FILE:LINE: FIELD: message (and N more)" in buf (cut to len),
 * returning 1; else 0 with buf "". Any thread. */
int doc_daemon_refusal(const json_t *config, char *buf, size_t len);
/* When config (doc_daemon's config, or daemon/reload.h's record) has a reload pending:
 * "pending since T, waiting for another writer's lock on the store (held by NAME, pid N); the
 * new configuration is not in force yet" in buf (cut to len; T local in c->tz), returning 1;
 * else 0 with buf "". The CLI or the loop thread (cw_format_local). */
int doc_daemon_pending(const struct doc_ctx *c, const json_t *config, char *buf, size_t len);
/* doc (doc_daemon's) in one line, "camwatchd: ...": running (pid, since, how old the figures
 * are), a finished --once run's (when; STALE when once_stale), or NOT RUNNING; times local in
 * c->tz. The CLI or the loop thread (cw_format_local). */
void doc_daemon_headline(const struct doc_ctx *c, const json_t *doc, char *buf, size_t len);

/* {tokens: [ {name, role, created (null when the file has none)} ], file}: the API tokens in
 * c->cfg's tokens file (tokens_path), in the file's order; never a token or its hash. A
 * missing file is no tokens. -1 with err naming the file, line and field of the first
 * problem when it does not parse. c->store is not used. */
int doc_tokens(const struct doc_ctx *c, json_t **out, struct cw_err *err);
/* {name, role, token, file}: a token just added to file, as `token add` shows it that once
 * (role a tokens_role_name()). All borrowed. */
int doc_token_added(const struct doc_ctx *c, const char *name, const char *role, const char *token,
                    const char *file, json_t **out, struct cw_err *err);

/* ---- footage (doc_footage.c) ---- */

#define DOC_FOOTAGE_TOLERANCE_MS 2000                   /* segments this close are one window */
#define DOC_FOOTAGE_WARN_BEFORE_MS (3LL * 86400 * 1000) /* warn when overwritten this soon */
#define DOC_FOOTAGE_RANGE_MAX_MS (31LL * 86400 * 1000)  /* the longest range one answer covers */
/* How far after now a range may begin: a recorder whose clock runs ahead of ours stamps its
 * footage after now, and that footage is known (footage_known_until); later is refused. */
#define DOC_FOOTAGE_AHEAD_MS (3600LL * 1000)
#define DOC_FOOTAGE_RADIUS_MAX_M 50000 /* the widest circle asked about */

/* What an investigator asks: a time range and a place. */
/* A text a person typed, kept and printed on one line (a note, a case, a reason): 0, or
 * DOC_BAD_INPUT with err naming field when it is not UTF-8 (a document would drop it) or holds
 * a control character (cfg_text_has_control: printed raw, a new line would forge a line of a
 * record such as manifest.txt). NULL is fine. */
int doc_text_check(const char *field, const char *text, struct cw_err *err);

struct doc_footage_query {
    struct store_scope scope;
    const char *text;    /* STORE_PLACE_TEXT: name, address, road or commune, any case,
                            with or without diacritics (cw_text_contains) */
    const char *cameras; /* STORE_PLACE_CAMERAS: comma-separated ids */
    int64_t now_ms;      /* for how soon footage is overwritten */
};

#define DOC_FOOTAGE_RADIUS_DEFAULT_M 500.0 /* a point without a radius */

/* A footage query as people write it: the CLI's options, the API's parameters. NULL: not
 * given. All borrowed. */
struct doc_footage_words {
    const char *from, *to; /* required: cw_parse_time's forms in the site's zone */
    const char *near;      /* "LAT,LON" */
    const char *radius;    /* metres: "500", "12.5m", "2km"; only with near */
    const char *place;     /* text */
    const char *cameras;   /* "ID,ID,..." */
};
/* q from w, its times read in zone tz against now_ms (also q->now_ms); exactly one place.
 * 0, or -1 with err->field naming the word at fault ("from", "to", "near", "radius", "place")
 * and err->msg saying why. q's strings borrow w's. Ranges are doc_footage_check's to judge.
 * Sets TZ: the CLI or the loop thread. */
int doc_footage_query_read(const struct doc_footage_words *w, const char *tz, int64_t now_ms,
                           struct doc_footage_query *q, struct cw_err *err);

/* 0 when q can be answered, else -1 with err naming the field: a range that begins over
 * DOC_FOOTAGE_AHEAD_MS after q->now_ms (in the future), ends before it begins or is over
 * DOC_FOOTAGE_RANGE_MAX_MS, a position out of range, a radius not in (0, DOC_FOOTAGE_RADIUS_MAX_M],
 * an empty place or camera list. */
int doc_footage_check(const struct doc_footage_query *q, struct cw_err *err);

/* [ {id, name, commune, address, road, lat, lon, distance_m (point queries, else null),
 *    recorder, retired, indexed, index {recorder, state, scanned_at, ok_at, error,
 *    known_until, removed_at, others[ {the same of another recorder} ]}, windows[
 *    {start, end, start_ms, end_ms} ], gaps[ {start, end, start_ms, end_ms, cause: "not
 *    indexed" | "overwritten" | "not recorded" | "unreadable"} ], unreadable[
 *    {recorder, file, start, bytes, reason} ], covered_ms, requested_ms, segments, state_then,
 *    state_since, state_changes[ {at, from, to, reason} ], clock_offset_ms, clock_error_ms,
 *    clock_measured_at, oldest, newest, overwriting, retrievable_until, warning} ]: every
 * camera the place names (point: within the radius, nearest first; text and ids: by id), with
 * the footage of the range it can still give. index.state: "no recorder" (recorder null),
 * "never scanned" (or never without error), "scan failed" (the last scan; ok_at the last good
 * one), "scanned", or "no longer configured" (its [recorder] section went from the conf at
 * removed_at, null while configured: the index speaks for none of its footage, its segments
 * count in no window, though still in segments and unreadable, and oldest, newest and
 * overwriting are null); scanned_at the last scan, error its
 * error (a scan's time is when it began listing the recorder, not when it ended: what a recorder
 * wrote meanwhile is not known); known_until (null when no good scan) the time up to which the
 * index speaks for the camera: the later of its recorder's last good scan's time and the end of the
 * camera's newest footage that scan had indexed (footage_known_until; per camera, since a scan
 * lists each camera's folder at its own moment). index.others: the other recorders holding the
 * camera's footage in the range (it moved, or its row or recorder went), each with what the index
 * knows of it for the camera. A gap is "not indexed" where the index cannot speak for the camera
 * (footage_unindexed_at: no recorder, never scanned, no longer configured, or from known_until on,
 * or before its first footage on its recorder where another holding its footage was not scanned
 * that far: a gap across any of those times is cut there) unless a file it knows, unreadable,
 * begins in it
 * ("unreadable"); "not recorded" only where a good scan found nothing. A recorder the store never
 * scanned that the conf (the build's c->cfg) has no section for is "not configured". Before the
 * camera's oldest footage a gap is "overwritten" only where the store saw its footage (its
 * retention notes) and it is gone, "not recorded" where its recorder holds other cameras'
 * footage of that time, and "before recorder's oldest footage" before that. A gap is cut where its
 * cause changes. Times ISO 8601 in the site's zone. The query is a struct doc_footage_query.
 * DOC_BAD_INPUT for a query doc_footage_check refuses (request show: but for a range in the
 * future), DOC_NOT_FOUND for an unknown camera id. */
extern const struct doc_view doc_view_footage;

/* The query a stored request makes, answered at now_ms (strings borrowed from r). */
void doc_request_query(const struct store_request *r, int64_t now_ms, struct doc_footage_query *q);
/* Its inverse: r (zeroed first) as the request for q, made at q->now_ms by `by` for case_ref
 * and reason (NULL reads as ""). DOC_BAD_INPUT when a text is longer than r's field for it,
 * or holds a control character (a new line, tab, escape: the texts are printed in manifest.txt
 * and tables) (err->field names it: place, camera, by, case or reason): never stored cut. */
int doc_request_of_query(const struct doc_footage_query *q, const char *by, const char *case_ref,
                         const char *reason, struct store_request *r, struct cw_err *err);

/* Which request to show, and when its footage is answered. */
struct doc_request_query {
    int64_t id, now_ms;
};
/* {request, cameras}: request id as doc_view_requests lists it, and its cameras as
 * doc_view_footage answers its query at now_ms (the CLI's `request show` and
 * GET /api/v1/requests/ID). DOC_NOT_FOUND when there is no such request. */
extern const struct doc_view doc_view_request;

/* [{id, created, by, case, reason, from, to, place{kind, lat, lon, radius_m | text |
 * cameras[]}}]: every request, newest first. No query. */
extern const struct doc_view doc_view_requests;

/* A request as JSON (id, created, by, case, reason, from, to, place), its times written by
 * when(data, ms): the document's and an export manifest's (exports run off the loop thread,
 * with their own zone table) are the same object. New reference. */
typedef json_t *(*doc_when_fn)(const void *data, int64_t ms);
json_t *doc_request_object(const struct store_request *r, doc_when_fn when, const void *data);
/* A camera's place set on o (id, name, commune, address, road, lat, lon, distance_m, recorder;
 * null where not known, distance_m null when dist_m < 0): footage answers and export manifests
 * describe a camera the same way. */
void doc_place_fields(json_t *o, const struct store_place *p, double dist_m);

/* Store r (checked as doc_footage_check does, and who, case and why required; its cameras
 * must exist) with its audit row, created at now_ms: {id}. Writes (c->store
 * READWRITE). DOC_BAD_INPUT, DOC_NOT_FOUND as doc_view_footage. */
int doc_request_create(const struct doc_ctx *c, const struct store_request *r, int64_t now_ms,
                       json_t **out, struct cw_err *err);

/* [ {name, kind, scanned_at, ok, error, ok_at, segments, unreadable, bytes, removed_at} ]: every
 * recorder ever scanned, by name, with its last scan and what the index holds of it;
 * scanned_at and ok_at (the last good one) are when those scans began listing it; removed_at
 * when its section went from the conf (null while configured: store_sync_recorders). */
int doc_recorders(const struct doc_ctx *c, json_t **out, struct cw_err *err);

/* One recorder's scan as `footage scan` reports it (the caller's counts). */
struct doc_scan {
    const char *name, *kind;
    int ok;
    const char *error; /* NULL when ok */
    size_t files, changed, gone, unreadable, unmapped, ignored, dirs_listed, dirs_skipped, kept;
};
/* [ {name, kind, ok, error, files, changed, gone, unreadable, unmapped, ignored, kept,
 *    dirs_listed, dirs_skipped} ]: the n scans done (changed: segments the scan added to the
 *    index or changed there, not every item a network recorder listed again; kept: files still
 *    there unchanged that keep the camera they were indexed for though the sheet names another
 *    or none now). */
int doc_scans(const struct doc_ctx *c, const struct doc_scan *v, size_t n, json_t **out,
              struct cw_err *err);

/* An export as `request export` reports it. */
struct doc_export {
    int64_t request_id;
    const char *out_dir, *sums_sha256, *summary;
    size_t files, cameras;
};
/* {request, out_dir, files, cameras, sha256sums, delivered}. */
int doc_exported(const struct doc_ctx *c, const struct doc_export *e, json_t **out,
                 struct cw_err *err);

/* {intact, rows, broken_at: the first row whose hash or link fails (null when intact), why,
 * unfinished_exports}: the audit chain walked from its first row, and every export.start row
 * no later row ends (store_audit_unfinished_exports), oldest first, each {row, began, by,
 * request, folder (the CLI's; else null), export (the API's name; else null), state, state_why}:
 * an export still running, or one whose process was killed. state: "running" (a process holds
 * the CLI export's folder lock, folderlock.h), "killed" (none does, or its folder is gone; an
 * API export with camwatchd not running), "unknown" (the lock cannot be tested; a CLI export
 * begun by a version that did not lock its folder; an API export while camwatchd runs);
 * state_why what it rests on ("" when nothing more to say). */
int doc_audit_verify(const struct doc_ctx *c, json_t **out, struct cw_err *err);

#endif
