/* doc_report.c - the availability report: every camera's availability over a range, exactly
 * from its state changes (avail.h says what each figure means), summed per owner, per commune
 * and for the district, with the outages of each week; and the parts the backlog report
 * shares (report_priv.h). Read-only on the store; everything it reads is freed before it
 * returns. Local dates (weeks) go through cwtime, so the thread rule of doc.h holds, but for
 * report_avail_read: the store's part, any thread. */
#include "report_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/cwtime.h"
#include "../util/vec.h"

#define DAY_MS (86400 * 1000LL)
#define REPORT_WEEKS_MAX 1100 /* about 21 years: a report's range is a month or a year */

int report_set(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

/* ---- weeks ---- */

/* Days since 1970-01-01 of the local date of ms in the report's zone. */
static int local_days(const struct doc_ctx *c, int64_t ms, int64_t *days)
{
    struct tm tm = {0};
    char buf[64];

    cw_format_local(ms, c->tz, buf, sizeof(buf));
    if (sscanf(buf, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *days = (int64_t)timegm(&tm) / 86400;
    return 0;
}

/* A range typed too wide (from 1900): the asker's to shorten, not a failure. DOC_BAD_INPUT. */
static int weeks_too_many(struct cw_err *err)
{
    cw_err_set(err, NULL, 0, NULL, "from, to: a report covers at most %d weeks (about %d years)",
               REPORT_WEEKS_MAX, REPORT_WEEKS_MAX / 52);
    return DOC_BAD_INPUT;
}

/* The weeks that overlap [from, to): Mondays from the one on or before from's date. 0,
 * DOC_BAD_INPUT past REPORT_WEEKS_MAX of them, or -1. */
static int build_weeks(const struct doc_ctx *c, struct report_avail *ra, struct cw_err *err)
{
    int64_t days;
    size_t cap = 0;

    if (local_days(c, ra->from_ms, &days) != 0)
        goto unplaced;
    days -= ((days % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: back to Monday */
    for (;; days += 7) {
        time_t t = (time_t)(days * 86400);
        struct report_week *w;
        struct tm tm;
        int64_t start;

        gmtime_r(&t, &tm);
        if (ra->n_weeks == cap) {
            cap = cap ? cap * 2 : 8;
            if ((w = realloc(ra->weeks, cap * sizeof(*w))) == NULL)
                return cw_err_set(err, NULL, 0, NULL, "out of memory");
            ra->weeks = w;
        }
        w = &ra->weeks[ra->n_weeks];
        strftime(w->date, sizeof(w->date), "%Y-%m-%d", &tm);
        if (cw_parse_time(w->date, c->tz, &start) != 0)
            goto unplaced;
        if (start >= ra->to_ms && ra->n_weeks > 0)
            break;
        if (ra->n_weeks == REPORT_WEEKS_MAX)
            return weeks_too_many(err);
        w->start_ms = start;
        w->outages = 0;
        ra->n_weeks++;
    }
    return 0;
unplaced:
    /* a time typed absurdly far back (-1000000d): the asker's to fix, not the store's fault */
    cw_err_set(err, NULL, 0, "from", "too far back: its weeks cannot be placed in zone %s", c->tz);
    return DOC_BAD_INPUT;
}

static void count_outage(struct report_avail *ra, int64_t at_ms)
{
    size_t lo = 0, hi = ra->n_weeks;

    /* the last week starting at or before at_ms */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ra->weeks[mid].start_ms <= at_ms)
            lo = mid;
        else
            hi = mid;
    }
    if (ra->n_weeks > 0)
        ra->weeks[lo].outages++;
}

/* ---- the cameras ---- */

struct build {
    struct store *store;
    struct report_avail *ra;
    struct store_status *status; /* non-retired cameras, by id */
    size_t n_status, next;
    size_t cap;
    struct report_cam *cur;
};

static void on_spell(void *data, const struct uptime_spell *sp)
{
    struct build *b = data;

    avail_add_spell(&b->cur->a, sp);
    if (sp->state == CW_DOWN && sp->began_inside)
        count_outage(b->ra, sp->began_ms);
}

/* The store's row of camera id: from the status list (both by id), else read alone (a camera
 * retired since). */
static int find_status(struct build *b, const char *id, struct store_status *out,
                       struct cw_err *err)
{
    while (b->next < b->n_status && strcmp(b->status[b->next].id, id) < 0)
        b->next++;
    if (b->next < b->n_status && strcmp(b->status[b->next].id, id) == 0) {
        *out = b->status[b->next];
        return 0;
    }
    return store_get_status(b->store, id, out, err) < 0 ? -1 : 0;
}

static int visit(void *data, const struct store_history *h, struct cw_err *err)
{
    struct build *b = data;
    struct report_avail *ra = b->ra;
    struct report_cam *rc;

    if (cw_vec_grow(&ra->cams, ra->n, &b->cap, sizeof(*ra->cams), 64) != 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    rc = b->cur = &ra->cams[ra->n];
    memset(rc, 0, sizeof(*rc));
    if (find_status(b, h->camera_id, &rc->st, err) != 0)
        return -1;
    snprintf(rc->st.id, sizeof(rc->st.id), "%s", h->camera_id);
    snprintf(rc->st.owner, sizeof(rc->st.owner), "%s", h->owner);
    rc->a.cameras = 1;
    if (uptime_walk(h->created_ms, h->events, h->n_events, ra->from_ms, h->end_ms, on_spell, b) !=
        0)
        return cw_err_set(err, NULL, 0, NULL, "uptime of %s: events out of order", h->camera_id);
    avail_add(&ra->total, &rc->a);
    if (!rc->st.retired && rc->st.state == CW_DOWN)
        ra->down_now++;
    ra->n++;
    return 0;
}

int report_avail_begin(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms,
                       struct report_avail *ra, struct cw_err *err)
{
    int rc;

    memset(ra, 0, sizeof(*ra));
    ra->from_ms = from_ms;
    ra->to_ms = to_ms;
    if (from_ms >= to_ms) {
        cw_err_set(err, NULL, 0, NULL, "report range is empty or ends before it starts");
        return DOC_BAD_INPUT;
    }
    if ((to_ms - from_ms) / (7 * 86400000LL) > REPORT_WEEKS_MAX)
        return weeks_too_many(err); /* said before any week is placed: from may be year -700 */
    if ((rc = build_weeks(c, ra, err)) != 0) /* DOC_BAD_INPUT for a range too long, or -1 */
        report_avail_free(ra);
    return rc;
}

int report_avail_read(struct store *s, struct report_avail *ra, struct cw_err *err)
{
    struct build b = {.store = s, .ra = ra};
    int rc = -1;

    if (store_list_status(s, &b.status, &b.n_status, err) == 0)
        rc = store_walk_history(s, ra->from_ms, ra->to_ms, 1, visit, &b, err);
    free(b.status);
    return rc;
}

void report_avail_place(const struct doc_ctx *c, struct report_avail *ra)
{
    for (size_t i = 0; i < ra->n; i++)
        ra->cams[i].cam = cfg_find_camera(c->cfg, ra->cams[i].st.id);
}

void report_avail_free(struct report_avail *ra)
{
    free(ra->cams);
    free(ra->weeks);
    memset(ra, 0, sizeof(*ra));
}

long report_group(const struct report_avail *ra, int by_owner, struct report_group **out)
{
    struct report_group *g = calloc(ra->n > 0 ? ra->n : 1, sizeof(*g));
    size_t ng = 0;

    if (g == NULL)
        return -1;
    for (size_t i = 0; i < ra->n; i++) {
        const struct report_cam *rc = &ra->cams[i];
        const char *key = by_owner ? rc->st.owner : rc->st.commune;
        size_t at = 0;
        while (at < ng && strcmp(g[at].key, key) < 0)
            at++;
        if (at == ng || strcmp(g[at].key, key) != 0) {
            memmove(&g[at + 1], &g[at], (ng - at) * sizeof(*g));
            memset(&g[at], 0, sizeof(*g));
            g[at].key = key;
            ng++;
        }
        avail_add(&g[at].a, &rc->a);
        g[at].down_now += !rc->st.retired && rc->st.state == CW_DOWN;
    }
    *out = g;
    return (long)ng;
}

/* ---- JSON ---- */

json_t *report_header(const struct doc_ctx *c, const char *kind, int64_t from_ms, int64_t to_ms,
                      int64_t now_ms)
{
    json_t *o = json_object();

    if (o == NULL || report_set(o, "kind", json_string(kind)) != 0 ||
        report_set(o, "version", json_integer(REPORT_VERSION)) != 0 ||
        report_set(o, "site", json_string(c->cfg->site_name ? c->cfg->site_name : "")) != 0 ||
        report_set(o, "authority", doc_str_or_null(c->cfg->authority)) != 0 ||
        report_set(o, "time_zone", json_string(c->tz)) != 0 ||
        report_set(o, "language", json_string(c->cfg->language ? c->cfg->language : "en")) != 0 ||
        report_set(o, "from", doc_iso(c, from_ms)) != 0 ||
        report_set(o, "from_ms", json_integer(from_ms)) != 0 ||
        report_set(o, "to", doc_iso(c, to_ms)) != 0 ||
        report_set(o, "to_ms", json_integer(to_ms)) != 0 ||
        report_set(o, "generated", doc_iso(c, now_ms)) != 0 ||
        report_set(o, "generated_ms", json_integer(now_ms)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The document's order of the states: the ones people ask about first. */
static const enum cw_state state_order[AVAIL_STATES] = {CW_UP, CW_DEGRADED, CW_DOWN, CW_UNKNOWN,
                                                        CW_MAINTENANCE};

void report_figures(json_t *o, const struct avail *a)
{
    json_t *ms = json_object(), *by = json_object();
    int64_t existed = 0, mttr = avail_mttr_ms(a);
    double pct = avail_percent(a);

    for (int i = 0; i < AVAIL_STATES; i++) {
        existed += a->ms[i];
        json_object_set_new(ms, cw_state_name(state_order[i]), json_integer(a->ms[state_order[i]]));
    }
    for (int k = 0; k < REASON_KIND_COUNT; k++)
        if (a->degraded_ms[k] > 0)
            json_object_set_new(by, reason_kind_name((enum reason_kind)k),
                                json_integer(a->degraded_ms[k]));
    json_object_set_new(o, "cameras", json_integer(a->cameras));
    json_object_set_new(o, "existed_ms", json_integer(existed));
    json_object_set_new(o, "monitored_ms", json_integer(avail_monitored_ms(a)));
    json_object_set_new(o, "ms", ms);
    json_object_set_new(o, "availability_pct", pct >= 0 ? json_real(pct) : json_null());
    json_object_set_new(o, "outages", json_integer(a->outages));
    json_object_set_new(o, "downtime_ms", json_integer(a->ms[CW_DOWN]));
    json_object_set_new(o, "longest_down_ms", json_integer(a->longest_down_ms));
    json_object_set_new(o, "repairs", json_integer(a->repairs));
    json_object_set_new(o, "mttr_ms", mttr >= 0 ? json_integer(mttr) : json_null());
    json_object_set_new(o, "degraded_by", by);
}

static json_t *group_json(const struct doc_ctx *c, const struct report_group *g, int by_owner)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    if (by_owner) {
        json_object_set_new(o, "owner", json_string(g->key));
        json_object_set_new(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, g->key)));
    } else {
        json_object_set_new(o, "commune", json_string(g->key));
    }
    json_object_set_new(o, "down_now", json_integer(g->down_now));
    report_figures(o, &g->a);
    return o;
}

/* [group_json] of ra's cameras by owner or commune. New reference, NULL when out of memory. */
static json_t *groups_json(const struct doc_ctx *c, const struct report_avail *ra, int by_owner)
{
    struct report_group *g = NULL;
    long n = report_group(ra, by_owner, &g);
    json_t *arr = n >= 0 ? json_array() : NULL;

    for (long i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, group_json(c, &g[i], by_owner)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    free(g);
    return arr;
}

static json_t *weeks_json(const struct report_avail *ra)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < ra->n_weeks; i++) {
        json_t *w = json_pack("{s:s, s:I, s:i}", "start", ra->weeks[i].date, "start_ms",
                              (json_int_t)ra->weeks[i].start_ms, "outages", ra->weeks[i].outages);
        if (json_array_append_new(arr, w) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *total_json(const struct report_avail *ra)
{
    json_t *o = json_object();

    if (o != NULL) {
        json_object_set_new(o, "down_now", json_integer(ra->down_now));
        report_figures(o, &ra->total);
    }
    return o;
}

json_t *report_summary(const struct doc_ctx *c, const struct report_avail *ra)
{
    json_t *o = json_object();

    if (o == NULL || report_set(o, "owners", groups_json(c, ra, 1)) != 0 ||
        report_set(o, "total", total_json(ra)) != 0 || report_set(o, "weeks", weeks_json(ra))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* One camera's row of the availability report. */
static json_t *camera_json(const struct doc_ctx *c, const struct report_cam *rc)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_string(rc->st.id));
    json_object_set_new(o, "name", json_string(rc->st.name));
    json_object_set_new(o, "owner", json_string(rc->st.owner));
    json_object_set_new(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, rc->st.owner)));
    json_object_set_new(o, "commune", json_string(rc->st.commune));
    json_object_set_new(o, "road", rc->cam != NULL ? doc_str_or_null(rc->cam->road) : json_null());
    json_object_set_new(o, "retired", json_boolean(rc->st.retired));
    json_object_set_new(o, "state", json_string(cw_state_name(rc->st.state)));
    json_object_set_new(o, "since", doc_iso(c, rc->st.since_ms));
    json_object_set_new(o, "since_ms", json_integer(rc->st.since_ms));
    report_figures(o, &rc->a);
    json_object_del(o, "cameras");
    return o;
}

int report_availability_doc(const struct doc_ctx *c, const struct report_avail *ra, int64_t now_ms,
                            json_t **out, struct cw_err *err)
{
    json_t *root, *cams, *sum;

    *out = NULL;
    if ((root = report_header(c, "availability", ra->from_ms, ra->to_ms, now_ms)) == NULL)
        return doc_give(NULL, out, err);
    cams = json_array();
    for (size_t i = 0; cams != NULL && i < ra->n; i++)
        if (json_array_append_new(cams, camera_json(c, &ra->cams[i])) != 0) {
            json_decref(cams);
            cams = NULL;
        }
    sum = report_summary(c, ra);
    if (report_set(root, "cameras", cams) != 0 || sum == NULL ||
        report_set(root, "owners", json_incref(json_object_get(sum, "owners"))) != 0 ||
        report_set(root, "communes", groups_json(c, ra, 0)) != 0 ||
        report_set(root, "total", json_incref(json_object_get(sum, "total"))) != 0 ||
        report_set(root, "weeks", json_incref(json_object_get(sum, "weeks"))) != 0) {
        json_decref(root);
        root = NULL;
    }
    json_decref(sum);
    return doc_give(root, out, err);
}

int doc_availability(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     json_t **out, struct cw_err *err)
{
    struct report_avail ra;
    int rc;

    *out = NULL;
    if ((rc = report_avail_begin(c, from_ms, to_ms, &ra, err)) != 0)
        return rc;
    rc = report_avail_read(c->store, &ra, err);
    if (rc == 0) {
        report_avail_place(c, &ra);
        rc = report_availability_doc(c, &ra, now_ms, out, err);
    }
    report_avail_free(&ra);
    return rc;
}
