/* report_priv.h - what the report documents share (doc_report.c: availability;
 * doc_backlog.c: the backlog, which carries the availability summary too): every camera's
 * availability over the range (avail.h), summed by owner, commune and district, outages by
 * week, the header every report carries, and the figures' JSON. Not for callers outside
 * index/doc*.c. */
#ifndef CW_REPORT_PRIV_H
#define CW_REPORT_PRIV_H

#include "avail.h"
#include "doc_priv.h"

#define REPORT_VERSION 1 /* of the reports' JSON; a reader refuses others */

/* One camera of a report: its place in the store and the inventory, and its sums. */
struct report_cam {
    struct store_status st;       /* as the store keeps it (a retired one too) */
    const struct cfg_camera *cam; /* its inventory row; NULL when no longer in it */
    struct avail a;
};

/* A week of the range, Monday 00:00 local to the next, and the outages that began in it. */
struct report_week {
    int64_t start_ms;
    char date[11]; /* its Monday, "YYYY-MM-DD" */
    int outages;
};

/* Sums of a group of cameras: an owner, a commune. key borrows from the cameras. */
struct report_group {
    const char *key;
    struct avail a;
    int down_now;
};

struct report_avail {
    int64_t from_ms, to_ms;
    struct report_cam *cams; /* every camera that existed in the range, by id */
    size_t n;
    struct report_week *weeks;
    size_t n_weeks;
    struct avail total;
    int down_now; /* cameras DOWN now */
};

/* A report's availability in three steps, so that the store's part can run on a thread of
 * its own (doc.h: doc_report_begin): report_avail_begin sets ra's range and weeks (the
 * site's zone: loop or CLI); report_avail_read reads every camera's row and events and sums
 * them (any thread: no zone, no configuration); report_avail_place finds each camera's
 * inventory row (c->cfg). begin returns 0, DOC_BAD_INPUT when the range is empty, ends
 * before it starts or overlaps more weeks than a report holds (1100), or -1, with err (ra left
 * empty); read 0 or -1 with err. The caller frees
 * ra with report_avail_free, whatever they returned. */
int report_avail_begin(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms,
                       struct report_avail *ra, struct cw_err *err);
int report_avail_read(struct store *s, struct report_avail *ra, struct cw_err *err);
void report_avail_place(const struct doc_ctx *c, struct report_avail *ra);
/* The availability document of ra (read and placed) made at now_ms. 0 or -1 (doc_give). */
int report_availability_doc(const struct doc_ctx *c, const struct report_avail *ra, int64_t now_ms,
                            json_t **out, struct cw_err *err);
void report_avail_free(struct report_avail *ra);
/* The cameras of ra grouped by owner code (by_owner) or by commune, sorted by key. Returns
 * the count with *out malloc'd (caller frees), or -1 when out of memory. */
long report_group(const struct report_avail *ra, int by_owner, struct report_group **out);

/* The header of a report: {kind, version, site, authority, time_zone, language, from,
 * from_ms, to, to_ms, generated, generated_ms}. New reference (NULL when out of memory). */
json_t *report_header(const struct doc_ctx *c, const char *kind, int64_t from_ms, int64_t to_ms,
                      int64_t now_ms);
/* The figures of a, set on o: cameras, existed_ms, monitored_ms, ms{state}, availability_pct,
 * outages, downtime_ms, longest_down_ms, repairs, mttr_ms, degraded_by{kind: ms}. */
void report_figures(json_t *o, const struct avail *a);
/* {owners: [ {owner, owner_name, down_now, figures} ], total: {down_now, figures}, weeks: [
 * {start, start_ms, outages} ]}: the summary the backlog carries, and part of availability's.
 * New reference. */
json_t *report_summary(const struct doc_ctx *c, const struct report_avail *ra);

/* ---- the backlog's findings (doc_backlog_find.c) ---- */

/* The encoder settings of a device's streamed profile (streamed 0: none known). */
struct backlog_encoder {
    int streamed;
    int width, height;
    double fps;
    int bitrate_kbps;
};

/* What the store knows beyond events, read once for a whole backlog. */
struct backlog_facts {
    struct store_flag_count *flags; /* per camera and flag list, over the range, by camera */
    size_t n_flags;
    struct store_device *devices;     /* ONVIF rows of non-retired cameras, by camera */
    struct backlog_encoder *encoders; /* per device, in the same order */
    size_t n_devices;
    int samples_measured; /* any sample in the range */
};

/* One camera's findings and the actions they call for. */
struct backlog_item {
    const struct report_cam *rc;
    json_t *findings;                  /* [ {kind, ...} ], new reference */
    unsigned actions;                  /* bits of enum cfg_action the findings call for */
    json_t *because[CFG_ACTION_COUNT]; /* per action, the kinds of the findings behind it */
};

/* Read f over [from_ms, to_ms) from s (any thread). 0, or -1 with err (f freed). */
int backlog_facts_load(struct store *s, int64_t from_ms, int64_t to_ms, struct backlog_facts *f,
                       struct cw_err *err);
void backlog_facts_free(struct backlog_facts *f);
/* Fill it with rc's findings (it->findings an empty array when there are none), from f and
 * the configuration; the store is not read. Returns 0, or -1 with err (out of memory). The
 * caller frees it with backlog_item_clear. */
int backlog_find(const struct doc_ctx *c, const struct backlog_facts *f,
                 const struct report_cam *rc, struct backlog_item *it, struct cw_err *err);
void backlog_item_clear(struct backlog_item *it);

/* Set key to v on o, taking v's reference; -1 when v is NULL (out of memory) or set fails. */
int report_set(json_t *o, const char *key, json_t *v);

#endif
