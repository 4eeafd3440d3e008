/* doc_backlog_find.c - what a camera needs, from what the store measured: its state now, its
 * outages over the range, its stream samples' flags, its ONVIF facts (clock, encoder, our
 * credential, firmware against the fleet's); each finding calls for an action (enum
 * cfg_action) by the rules table below (an outdated firmware only joins a camera that needs a
 * visit for something else). Recording gaps are not measured yet (the footage index
 * is not in this store): the backlog says so rather than guessing. The store is read once, by
 * backlog_facts_load (any thread); the findings are made from what it read. */
#define _GNU_SOURCE /* strverscmp */
#include "report_priv.h"

#include <stdlib.h>
#include <string.h>

/* Outages in the range that make a link "unstable". */
#define BACKLOG_UNSTABLE_OUTAGES 3
/* A flag on this share (percent) of the range's samples is a finding, even when the latest
 * sample is clean. */
#define BACKLOG_FLAG_SHARE_PCT 50

/* The finding kinds of stream samples: quality's flag names, which are reason kinds too. */
static const enum reason_kind stream_kinds[] = {
    REASON_NO_MEDIA,  REASON_LOW_RES, REASON_LOW_FPS,      REASON_LOW_BITRATE, REASON_LONG_GOP,
    REASON_TS_FAULTS, REASON_DARK,    REASON_BLACK,        REASON_OVEREXPOSED, REASON_BLURRED,
    REASON_FROZEN,    REASON_MOVED,   REASON_SDP_MISMATCH,
};
#define N_STREAM_KINDS (sizeof(stream_kinds) / sizeof(stream_kinds[0]))

/* The rules: the action each kind of finding calls for. A camera down is judged by the kinds
 * of its reason (timeout, refused, ...); "unstable" and "firmware" are the backlog's own. */
static const struct {
    const char *kind;
    enum cfg_action action;
} rules[] = {
    {"timeout", CFG_ACTION_RESTORE_LINK},
    {"refused", CFG_ACTION_RESTORE_LINK},
    {"unreachable", CFG_ACTION_RESTORE_LINK},
    {"other", CFG_ACTION_RESTORE_LINK},
    {"auth", CFG_ACTION_UPDATE_CREDENTIALS},
    {"not_found", CFG_ACTION_RECONFIGURE_ENCODER},
    {"protocol", CFG_ACTION_RECONFIGURE_ENCODER},
    {"unstable", CFG_ACTION_RESTORE_LINK},
    {"no_media", CFG_ACTION_RESTORE_LINK},
    {"ts_faults", CFG_ACTION_RESTORE_LINK},
    {"low_res", CFG_ACTION_RECONFIGURE_ENCODER},
    {"low_fps", CFG_ACTION_RECONFIGURE_ENCODER},
    {"low_bitrate", CFG_ACTION_RECONFIGURE_ENCODER},
    {"long_gop", CFG_ACTION_RECONFIGURE_ENCODER},
    {"sdp_mismatch", CFG_ACTION_RECONFIGURE_ENCODER},
    {"encoder_config", CFG_ACTION_RECONFIGURE_ENCODER},
    {"blurred", CFG_ACTION_CLEAN_LENS},
    {"moved", CFG_ACTION_REAIM},
    {"overexposed", CFG_ACTION_REAIM},
    {"dark", CFG_ACTION_REPAIR_IR},
    {"black", CFG_ACTION_REPLACE_CAMERA},
    {"frozen", CFG_ACTION_REPLACE_CAMERA},
    {"clock", CFG_ACTION_SETUP_NTP},
    {"onvif_auth", CFG_ACTION_UPDATE_CREDENTIALS},
    {"firmware", CFG_ACTION_UPDATE_FIRMWARE},
    {"recording_gaps", CFG_ACTION_REPLACE_DISK},
};

/* The streamed profile's encoder settings of each device in f that has facts (an element
 * per device, in the same order). */
static int load_encoders(struct store *s, struct backlog_facts *f, struct cw_err *err)
{
    if ((f->encoders = calloc(f->n_devices + 1, sizeof(*f->encoders))) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < f->n_devices; i++) {
        struct backlog_encoder *e = &f->encoders[i];
        struct store_profile *pr = NULL;
        struct store_device d;
        size_t n = 0;
        if (f->devices[i].facts_ms == 0)
            continue;
        if (store_get_device(s, f->devices[i].camera_id, &d, NULL, NULL, &pr, &n, err) < 0)
            return -1;
        for (size_t k = 0; k < n && !e->streamed; k++)
            if (pr[k].streamed)
                *e = (struct backlog_encoder){1, pr[k].width, pr[k].height, pr[k].fps_limit,
                                              pr[k].bitrate_limit_kbps};
        free(pr);
    }
    return 0;
}

int backlog_facts_load(struct store *s, int64_t from_ms, int64_t to_ms, struct backlog_facts *f,
                       struct cw_err *err)
{
    memset(f, 0, sizeof(*f));
    if (store_sample_flag_counts(s, from_ms, to_ms, &f->flags, &f->n_flags, err) != 0 ||
        store_list_devices(s, &f->devices, &f->n_devices, err) != 0 ||
        load_encoders(s, f, err) != 0) {
        backlog_facts_free(f);
        return -1;
    }
    f->samples_measured = f->n_flags > 0;
    return 0;
}

void backlog_facts_free(struct backlog_facts *f)
{
    free(f->flags);
    free(f->devices);
    free(f->encoders);
    memset(f, 0, sizeof(*f));
}

void backlog_item_clear(struct backlog_item *it)
{
    json_decref(it->findings);
    for (int a = 0; a < CFG_ACTION_COUNT; a++)
        json_decref(it->because[a]);
    memset(it, 0, sizeof(*it));
}

/* The action the rule for kind names, called for because of a finding of kind `because`. */
static int call_for(struct backlog_item *it, const char *kind, const char *because)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        enum cfg_action a = rules[i].action;
        if (strcmp(rules[i].kind, kind) != 0)
            continue;
        it->actions |= 1u << a;
        if (it->because[a] == NULL && (it->because[a] = json_array()) == NULL)
            return -1;
        return json_array_append_new(it->because[a], json_string(because));
    }
    return 0;
}

/* Add finding o (its reference taken) of this kind. */
static int add_finding_only(struct backlog_item *it, const char *kind, json_t *o)
{
    if (o == NULL || json_object_set_new(o, "kind", json_string(kind)) != 0)
        return -1;
    return json_array_append_new(it->findings, o);
}

/* Add finding o of this kind, and the action its rule names. */
static int add_finding(struct backlog_item *it, const char *kind, json_t *o)
{
    return add_finding_only(it, kind, o) != 0 ? -1 : call_for(it, kind, kind);
}

/* ---- state and outages ---- */

static int find_down(const struct doc_ctx *c, const struct report_cam *rc, struct backlog_item *it)
{
    unsigned kinds = reason_kinds(rc->st.reason);
    json_t *o, *causes;

    if (rc->st.state != CW_DOWN)
        return 0;
    causes = json_array();
    for (int k = 0; causes != NULL && k < REASON_KIND_COUNT; k++)
        if (kinds & (1u << k))
            json_array_append_new(causes, json_string(reason_kind_name((enum reason_kind)k)));
    if (causes != NULL && json_array_size(causes) == 0)
        json_array_append_new(causes, json_string("other"));
    o = json_pack("{s:o, s:I, s:o, s:s}", "since", doc_iso(c, rc->st.since_ms), "since_ms",
                  (json_int_t)rc->st.since_ms, "causes", causes, "reason", rc->st.reason);
    if (add_finding_only(it, "down", o) != 0)
        return -1;
    /* Each cause calls for its own action, as a finding of that kind would. */
    for (size_t i = 0; i < json_array_size(causes); i++)
        if (call_for(it, json_string_value(json_array_get(causes, i)), "down") != 0)
            return -1;
    return 0;
}

static int find_unstable(const struct report_cam *rc, struct backlog_item *it)
{
    if (rc->a.outages < BACKLOG_UNSTABLE_OUTAGES)
        return 0;
    return add_finding(it, "unstable",
                       json_pack("{s:i, s:I}", "outages", rc->a.outages, "downtime_ms",
                                 (json_int_t)rc->a.ms[CW_DOWN]));
}

/* ---- stream samples ---- */

/* The latest sample's value behind a flag and the class's limit, when the sample says. */
static void stream_values(const struct report_cam *rc, enum reason_kind k, json_t *o)
{
    const struct cfg_class *cls = rc->cam != NULL ? rc->cam->cls : NULL;
    const struct store_status *st = &rc->st;
    double v = 0, lim = 0;

    if (cls == NULL)
        return;
    switch (k) {
    case REASON_LOW_RES:
        if (st->width > 0 && st->height > 0)
            json_object_set_new(o, "value",
                                json_pack("{s:i, s:i}", "width", st->width, "height", st->height));
        json_object_set_new(
            o, "limit",
            json_pack("{s:i, s:i}", "width", cls->min_width, "height", cls->min_height));
        return;
    case REASON_LOW_FPS:
        v = st->stream_fps, lim = cls->min_fps;
        break;
    case REASON_LOW_BITRATE:
        v = st->bitrate_kbps, lim = cls->min_bitrate_kbps;
        break;
    case REASON_LONG_GOP:
        v = st->gop_s, lim = cls->max_gop_s;
        break;
    case REASON_DARK:
    case REASON_BLACK:
        v = st->luma, lim = cls->min_luma;
        break;
    case REASON_OVEREXPOSED:
        v = st->luma, lim = cls->max_luma;
        break;
    case REASON_BLURRED:
        v = st->sharpness, lim = cls->min_sharpness;
        break;
    default:
        return;
    }
    json_object_set_new(o, "value", json_real(v));
    json_object_set_new(o, "limit", json_real(lim));
}

static int find_stream(const struct backlog_facts *f, const struct report_cam *rc,
                       struct backlog_item *it)
{
    int total = 0, flagged[N_STREAM_KINDS] = {0};
    size_t lo = 0, hi = f->n_flags;

    /* The camera's rows (sorted by camera): the first at or after its id. */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(f->flags[mid].camera_id, rc->st.id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < f->n_flags && strcmp(f->flags[i].camera_id, rc->st.id) == 0; i++) {
        total += f->flags[i].count;
        for (size_t k = 0; k < N_STREAM_KINDS; k++)
            if (doc_flags_include(f->flags[i].flags, reason_kind_name(stream_kinds[k])))
                flagged[k] += f->flags[i].count;
    }
    for (size_t k = 0; k < N_STREAM_KINDS; k++) {
        const char *name = reason_kind_name(stream_kinds[k]);
        int now = rc->st.last_sample_ms != 0 && doc_flags_include(rc->st.flags, name);
        json_t *o;
        /* a camera down now has no media: that is the down finding's */
        if (stream_kinds[k] == REASON_NO_MEDIA && rc->st.state == CW_DOWN)
            continue;
        if (!now &&
            (total == 0 || (int64_t)flagged[k] * 100 < (int64_t)total * BACKLOG_FLAG_SHARE_PCT))
            continue;
        o = json_pack("{s:b, s:i, s:i, s:o}", "now", now, "samples", total, "flagged", flagged[k],
                      "share_pct", total > 0 ? json_real(100.0 * flagged[k] / total) : json_null());
        if (o != NULL && now)
            stream_values(rc, stream_kinds[k], o);
        if (add_finding(it, name, o) != 0)
            return -1;
    }
    return 0;
}

/* ---- ONVIF ---- */

static const struct store_device *device_of(const struct backlog_facts *f, const char *id)
{
    size_t lo = 0, hi = f->n_devices;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(f->devices[mid].camera_id, id);
        if (cmp == 0)
            return &f->devices[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int find_clock(const struct doc_ctx *c, const struct store_device *d,
                      struct backlog_item *it)
{
    int64_t limit = c->cfg->onvif.max_clock_offset_ms;
    int64_t abs_ms = d->clock_offset_ms < 0 ? -d->clock_offset_ms : d->clock_offset_ms;

    if (!d->has_clock || limit <= 0 || abs_ms <= limit)
        return 0;
    return add_finding(it, "clock",
                       json_pack("{s:I, s:b, s:o, s:I}", "offset_ms",
                                 (json_int_t)d->clock_offset_ms, "ntp", d->ntp, "measured",
                                 doc_iso(c, d->clock_at_ms), "limit_ms", (json_int_t)limit));
}

/* The streamed profile's encoder set below the camera's class (e: its device's, as read). */
static int find_encoder(const struct backlog_encoder *e, const struct report_cam *rc,
                        struct backlog_item *it)
{
    const struct cfg_class *cls = rc->cam != NULL ? rc->cam->cls : NULL;

    if (cls == NULL || !e->streamed ||
        cfg_class_encoder_below(cls, e->fps, e->width, e->height, e->bitrate_kbps) == 0)
        return 0;
    return add_finding(it, "encoder_config",
                       json_pack("{s:i, s:i, s:f, s:i, s:i, s:i, s:f, s:f}", "width", e->width,
                                 "height", e->height, "fps", e->fps, "bitrate_kbps",
                                 e->bitrate_kbps, "min_width", cls->min_width, "min_height",
                                 cls->min_height, "min_fps", cls->min_fps, "min_bitrate_kbps",
                                 cls->min_bitrate_kbps));
}

/* The newest firmware among the other cameras of d's make and model, and how many run it:
 * d's is outdated when one of them runs a later version (compared as version strings). */
static int find_firmware(const struct backlog_facts *f, const struct store_device *d,
                         struct backlog_item *it)
{
    const char *newest = NULL;
    int on_newest = 0;

    if (d->firmware[0] == '\0' || d->model[0] == '\0')
        return 0;
    for (size_t i = 0; i < f->n_devices; i++) {
        const struct store_device *o = &f->devices[i];
        if (o == d || o->firmware[0] == '\0' || strcmp(o->model, d->model) != 0 ||
            strcmp(o->manufacturer, d->manufacturer) != 0)
            continue;
        int cmp = newest != NULL ? strverscmp(o->firmware, newest) : 1;
        if (cmp > 0) {
            newest = o->firmware;
            on_newest = 1;
        } else if (cmp == 0) {
            on_newest++;
        }
    }
    if (newest == NULL || strverscmp(d->firmware, newest) >= 0)
        return 0;
    return add_finding(it, "firmware",
                       json_pack("{s:s, s:s, s:s, s:s, s:i}", "firmware", d->firmware, "newest",
                                 newest, "manufacturer", d->manufacturer, "model", d->model,
                                 "cameras_on_newest", on_newest));
}

static int find_onvif(const struct doc_ctx *c, const struct backlog_facts *f,
                      const struct report_cam *rc, struct backlog_item *it)
{
    const struct store_device *d = device_of(f, rc->st.id);

    if (d == NULL)
        return 0;
    if (find_clock(c, d, it) != 0)
        return -1;
    if (!d->ok && strncmp(d->error, "authentication failed", 21) == 0 &&
        add_finding(it, "onvif_auth", json_pack("{s:s}", "error", d->error)) != 0)
        return -1;
    if (d->facts_ms != 0 && find_encoder(&f->encoders[d - f->devices], rc, it) != 0)
        return -1;
    /* An older firmware than its model runs elsewhere is worth updating while someone is at
     * the camera for another fault; alone it is no reason for a visit the province funds. */
    return it->actions != 0 ? find_firmware(f, d, it) : 0;
}

int backlog_find(const struct doc_ctx *c, const struct backlog_facts *f,
                 const struct report_cam *rc, struct backlog_item *it, struct cw_err *err)
{
    memset(it, 0, sizeof(*it));
    it->rc = rc;
    if ((it->findings = json_array()) == NULL || find_down(c, rc, it) != 0 ||
        find_unstable(rc, it) != 0 || find_stream(f, rc, it) != 0 ||
        find_onvif(c, f, rc, it) != 0) {
        backlog_item_clear(it);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    return 0;
}
