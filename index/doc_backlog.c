/* doc_backlog.c - the maintenance backlog a district sends its province: each camera that
 * needs work, with its findings (doc_backlog_find.c), the actions they call for and the open
 * tickets field staff filed, each priced from [costs] (or the ticket's own cost); ranked
 * with sites on national roads, markets and borders first, then by downtime; totalled per
 * owner, per action and for the district; with the availability summary of the same range.
 * And the steps of every report (doc.h: doc_report_begin), so the store's reads can run on
 * a thread of their own. Read-only on the store; everything read is freed with the rows. */
#include "report_priv.h"

#include <stdlib.h>
#include <string.h>

#include "../util/text.h"

/* One camera of the backlog, as it is being built. */
struct entry {
    struct backlog_item it;
    json_t *actions; /* [ {action, origin, ticket, note, because, cost_vnd, price_source} ] */
    json_t *why;     /* priority reasons: "national_road", "market", "border" */
    int priority;    /* 1: a site the province funds first; 2: others */
    int64_t cost_vnd;
    int unpriced;
};

/* Per owner, and for the whole district. */
struct totals {
    const char *owner; /* borrowed; NULL for the district */
    int cameras;       /* monitored in the range, retired ones included: availability's set */
    int retired;       /* of those, the ones retired since: never needing work nor down now */
    int needing_work, down_now, priority_items, actions, unpriced;
    int priority_actions, priority_unpriced; /* of the work at priority sites */
    int64_t cost_vnd, priority_cost_vnd;
};

/* ---- priority ---- */

/* Whether folded text (lower case, no diacritics) names a national road: "ql80", "ql 54",
 * "quoc lo 1a". */
static int national_road(const char *f)
{
    if (strncmp(f, "ql", 2) == 0)
        return f[2] >= '0' && f[2] <= '9' ? 1 : f[2] == ' ' && f[3] >= '0' && f[3] <= '9';
    return strncmp(f, "quoc lo", 7) == 0;
}

/* 1 when folded s holds one of the words of a border site, 0 when not, -1 when out of memory. */
static int border_words(const char *s)
{
    static const char *const words[] = {"giap ranh", "bien gioi"};
    char *f = cw_text_fold(s != NULL ? s : "", 1);
    int hit = 0;

    if (f == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        hit |= strstr(f, words[i]) != NULL;
    free(f);
    return hit;
}

/* The camera's priority and why, from its inventory row (a camera no longer in it: 2). */
static int set_priority(const struct report_cam *rc, struct entry *e)
{
    const struct cfg_camera *cam = rc->cam;
    char *road;
    int b = 0;

    e->priority = 2;
    if ((e->why = json_array()) == NULL)
        return -1;
    if (cam == NULL)
        return 0;
    if ((road = cw_text_fold(cam->road != NULL ? cam->road : "", 1)) == NULL)
        return -1;
    if (national_road(road))
        json_array_append_new(e->why, json_string("national_road"));
    free(road);
    if (cam->site_kind == CFG_SITE_MARKET)
        json_array_append_new(e->why, json_string("market"));
    const char *texts[] = {cam->name, cam->address, cam->notes};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && b == 0; i++)
        b = border_words(texts[i]);
    if (b < 0)
        return -1;
    if (b)
        json_array_append_new(e->why, json_string("border"));
    if (json_array_size(e->why) > 0)
        e->priority = 1;
    return 0;
}

/* ---- actions and their costs ---- */

static int add_action(const struct doc_ctx *c, struct entry *e, const char *action,
                      const struct store_ticket *t, json_t *because)
{
    enum cfg_action a;
    int known = cfg_action_parse(action, &a) == 0;
    const struct cfg_cost *price = known ? &c->cfg->costs[a] : NULL;
    json_t *o = json_object(), *cost = json_null(), *src = json_null();

    if (t != NULL && t->has_cost) {
        cost = json_integer(t->cost_vnd);
        src = json_string("ticket");
        e->cost_vnd += t->cost_vnd;
    } else if (price != NULL && price->set) {
        cost = json_integer(price->vnd);
        src = json_string(price->source);
        e->cost_vnd += price->vnd;
    } else {
        e->unpriced++;
    }
    if (o == NULL || report_set(o, "action", json_string(action)) != 0 ||
        report_set(o, "origin", json_string(t != NULL ? "ticket" : "finding")) != 0 ||
        report_set(o, "ticket", t != NULL ? json_integer(t->id) : json_null()) != 0 ||
        report_set(o, "note", t != NULL ? doc_str_or_null(t->note) : json_null()) != 0 ||
        report_set(o, "because", because != NULL ? json_incref(because) : json_array()) != 0 ||
        report_set(o, "cost_vnd", cost) != 0 || report_set(o, "price_source", src) != 0) {
        json_decref(o);
        return -1;
    }
    return json_array_append_new(e->actions, o);
}

/* The entry's actions: the open tickets of its camera (tickets[0..nt), by camera then id)
 * first, each taking over the finding that calls for the same action; then the findings'
 * actions no ticket took, in enum cfg_action order. */
static int build_actions(const struct doc_ctx *c, struct entry *e, const struct store_ticket *t,
                         size_t nt)
{
    unsigned left = e->it.actions;

    if ((e->actions = json_array()) == NULL)
        return -1;
    for (size_t i = 0; i < nt; i++) {
        enum cfg_action a;
        json_t *because = NULL;
        if (cfg_action_parse(t[i].action, &a) == 0 && (left & (1u << a))) {
            because = e->it.because[a];
            left &= ~(1u << a);
        }
        if (add_action(c, e, t[i].action, &t[i], because) != 0)
            return -1;
    }
    for (int a = 0; a < CFG_ACTION_COUNT; a++)
        if ((left & (1u << a)) &&
            add_action(c, e, cfg_action_name((enum cfg_action)a), NULL, e->it.because[a]) != 0)
            return -1;
    return 0;
}

/* ---- ranking and totals ---- */

static int entry_cmp(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    const struct avail *x = &a->it.rc->a, *y = &b->it.rc->a;

    if (a->priority != b->priority)
        return a->priority - b->priority;
    if (x->ms[CW_DOWN] != y->ms[CW_DOWN])
        return x->ms[CW_DOWN] > y->ms[CW_DOWN] ? -1 : 1;
    if (x->outages != y->outages)
        return y->outages - x->outages;
    return strcmp(a->it.rc->st.id, b->it.rc->st.id);
}

static void add_entry_totals(struct totals *t, const struct entry *e)
{
    t->needing_work++;
    t->priority_items += e->priority == 1;
    t->actions += (int)json_array_size(e->actions);
    t->unpriced += e->unpriced;
    t->cost_vnd += e->cost_vnd;
    if (e->priority == 1) {
        t->priority_cost_vnd += e->cost_vnd;
        t->priority_actions += (int)json_array_size(e->actions);
        t->priority_unpriced += e->unpriced;
    }
}

static json_t *totals_json(const struct doc_ctx *c, const struct totals *t)
{
    json_t *o = json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:i, s:i, s:i}", "cameras", t->cameras, "retired",
        t->retired, "needing_work", t->needing_work, "down_now", t->down_now, "priority_items",
        t->priority_items, "actions", t->actions, "cost_vnd", (json_int_t)t->cost_vnd,
        "priority_cost_vnd", (json_int_t)t->priority_cost_vnd, "unpriced", t->unpriced,
        "priority_actions", t->priority_actions, "priority_unpriced", t->priority_unpriced);

    if (o != NULL && t->owner != NULL) {
        json_object_set_new(o, "owner", json_string(t->owner));
        json_object_set_new(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, t->owner)));
    }
    return o;
}

/* The owner's totals in t[0..*n) (sorted by code), added when new. */
static struct totals *owner_totals(struct totals *t, size_t *n, const char *owner)
{
    size_t at = 0;

    while (at < *n && strcmp(t[at].owner, owner) < 0)
        at++;
    if (at == *n || strcmp(t[at].owner, owner) != 0) {
        memmove(&t[at + 1], &t[at], (*n - at) * sizeof(*t));
        memset(&t[at], 0, sizeof(*t));
        t[at].owner = owner;
        ++*n;
    }
    return &t[at];
}

/* {owners: [...], total: {...}, by_action: [...]} set on root. */
static int set_totals(const struct doc_ctx *c, json_t *root, const struct report_avail *ra,
                      const struct entry *e, size_t ne)
{
    struct totals *t = calloc(ra->n + 1, sizeof(*t)), all = {0};
    struct {
        int count, unpriced;
        int64_t cost;
    } by[CFG_ACTION_COUNT] = {{0}};
    json_t *owners = json_array(), *acts = json_array();
    size_t nt = 0;
    int rc = -1;

    if (t == NULL || owners == NULL || acts == NULL)
        goto done;
    /* cameras: every one monitored in the range, a retired one too, the set the availability
     * summary's figures (outages, availability) are of, which the same row shows; what is
     * down or needs work now, only those still in the inventory */
    for (size_t i = 0; i < ra->n; i++) {
        const struct report_cam *cam = &ra->cams[i];
        struct totals *o = owner_totals(t, &nt, cam->st.owner);
        o->cameras++;
        o->retired += cam->st.retired;
        o->down_now += !cam->st.retired && cam->st.state == CW_DOWN;
    }
    for (size_t i = 0; i < ne; i++) {
        const json_t *a;
        size_t k;
        add_entry_totals(owner_totals(t, &nt, e[i].it.rc->st.owner), &e[i]);
        json_array_foreach(e[i].actions, k, a)
        {
            enum cfg_action act;
            if (cfg_action_parse(json_string_value(json_object_get(a, "action")), &act) != 0)
                continue;
            by[act].count++;
            if (json_is_integer(json_object_get(a, "cost_vnd")))
                by[act].cost += json_integer_value(json_object_get(a, "cost_vnd"));
            else
                by[act].unpriced++;
        }
    }
    for (size_t i = 0; i < nt; i++) {
        all.cameras += t[i].cameras;
        all.retired += t[i].retired;
        all.down_now += t[i].down_now;
        all.needing_work += t[i].needing_work;
        all.priority_items += t[i].priority_items;
        all.actions += t[i].actions;
        all.unpriced += t[i].unpriced;
        all.cost_vnd += t[i].cost_vnd;
        all.priority_cost_vnd += t[i].priority_cost_vnd;
        all.priority_actions += t[i].priority_actions;
        all.priority_unpriced += t[i].priority_unpriced;
        if (json_array_append_new(owners, totals_json(c, &t[i])) != 0)
            goto done;
    }
    for (int a = 0; a < CFG_ACTION_COUNT; a++)
        if (by[a].count > 0 &&
            json_array_append_new(acts, json_pack("{s:s, s:i, s:I, s:i}", "action",
                                                  cfg_action_name((enum cfg_action)a), "count",
                                                  by[a].count, "cost_vnd", (json_int_t)by[a].cost,
                                                  "unpriced", by[a].unpriced)) != 0)
            goto done;
    rc = report_set(root, "owners", json_incref(owners)) != 0 ||
                 report_set(root, "by_action", json_incref(acts)) != 0 ||
                 report_set(root, "total", totals_json(c, &all)) != 0
             ? -1
             : 0;
done:
    json_decref(owners);
    json_decref(acts);
    free(t);
    return rc;
}

/* ---- the document ---- */

/* The camera's cost: null when none of its work has a price (a sum of nothing priced is not
 * "free"); with some priced, the sum of those, its unpriced counted beside it. */
static json_t *entry_cost(const struct entry *e)
{
    size_t n = json_array_size(e->actions);

    return n > 0 && (size_t)e->unpriced == n ? json_null() : json_integer(e->cost_vnd);
}

static json_t *entry_json(const struct doc_ctx *c, const struct entry *e, size_t rank)
{
    const struct report_cam *rc = e->it.rc;
    const struct cfg_camera *cam = rc->cam;
    json_t *o = json_object();

    if (o == NULL || report_set(o, "rank", json_integer((json_int_t)rank)) != 0 ||
        report_set(o, "id", json_string(rc->st.id)) != 0 ||
        report_set(o, "name", json_string(rc->st.name)) != 0 ||
        report_set(o, "owner", json_string(rc->st.owner)) != 0 ||
        report_set(o, "owner_name", doc_str_or_null(cfg_owner_name(c->cfg, rc->st.owner))) ||
        report_set(o, "commune", json_string(rc->st.commune)) != 0 ||
        report_set(o, "address", cam ? doc_str_or_null(cam->address) : json_null()) != 0 ||
        report_set(o, "road", cam ? doc_str_or_null(cam->road) : json_null()) != 0 ||
        report_set(o, "site_kind",
                   cam ? json_string(cfg_site_kind_name(cam->site_kind)) : json_null()) != 0 ||
        report_set(o, "priority", json_integer(e->priority)) != 0 ||
        report_set(o, "priority_why", json_incref(e->why)) != 0 ||
        report_set(o, "state", json_string(cw_state_name(rc->st.state))) != 0 ||
        report_set(o, "since", doc_iso(c, rc->st.since_ms)) != 0 ||
        report_set(o, "since_ms", json_integer(rc->st.since_ms)) != 0 ||
        report_set(o, "outages", json_integer(rc->a.outages)) != 0 ||
        report_set(o, "downtime_ms", json_integer(rc->a.ms[CW_DOWN])) != 0 ||
        report_set(o, "availability_pct",
                   avail_percent(&rc->a) >= 0 ? json_real(avail_percent(&rc->a)) : json_null()) !=
            0 ||
        report_set(o, "findings", json_incref(e->it.findings)) != 0 ||
        report_set(o, "recording_gaps", json_null()) != 0 ||
        report_set(o, "actions", json_incref(e->actions)) != 0 ||
        report_set(o, "cost_vnd", entry_cost(e)) != 0 ||
        report_set(o, "unpriced", json_integer(e->unpriced)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *costs_json(const struct doc_ctx *c)
{
    json_t *arr = json_array();

    for (int a = 0; arr != NULL && a < CFG_ACTION_COUNT; a++) {
        const struct cfg_cost *p = &c->cfg->costs[a];
        if (json_array_append_new(
                arr, json_pack("{s:s, s:o, s:o}", "action", cfg_action_name((enum cfg_action)a),
                               "vnd", p->set ? json_integer(p->vnd) : json_null(), "source",
                               p->set ? json_string(p->source) : json_null())) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static void entries_free(struct entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        backlog_item_clear(&e[i].it);
        json_decref(e[i].actions);
        json_decref(e[i].why);
    }
    free(e);
}

/* An entry for each camera that needs work, into *out (malloc'd), ranked. */
static int build_entries(const struct doc_ctx *c, const struct report_avail *ra,
                         const struct backlog_facts *f, const struct store_ticket *t, size_t nt,
                         struct entry **out, size_t *n, struct cw_err *err)
{
    struct entry *e = calloc(ra->n + 1, sizeof(*e));
    size_t ne = 0, ti = 0;

    if (e == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < ra->n; i++) {
        const struct report_cam *rc = &ra->cams[i];
        size_t t0;
        if (rc->st.retired)
            continue;
        while (ti < nt && strcmp(t[ti].camera_id, rc->st.id) < 0)
            ti++;
        for (t0 = ti; ti < nt && strcmp(t[ti].camera_id, rc->st.id) == 0; ti++)
            ;
        if (backlog_find(c, f, rc, &e[ne].it, err) != 0)
            goto fail;
        if (e[ne].it.actions == 0 && ti == t0) {
            backlog_item_clear(&e[ne].it);
            continue;
        }
        ne++;
        if (set_priority(rc, &e[ne - 1]) != 0 || build_actions(c, &e[ne - 1], &t[t0], ti - t0)) {
            cw_err_set(err, NULL, 0, NULL, "out of memory");
            goto fail;
        }
    }
    qsort(e, ne, sizeof(*e), entry_cmp);
    *out = e;
    *n = ne;
    return 0;
fail:
    entries_free(e, ne);
    return -1;
}

static int ticket_cmp(const void *pa, const void *pb)
{
    const struct store_ticket *a = pa, *b = pb;
    int c = strcmp(a->camera_id, b->camera_id);

    return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

/* ---- the steps (doc.h: doc_report_begin) ---- */

struct doc_report_rows {
    enum doc_report_kind kind;
    struct report_avail ra;
    struct backlog_facts f;       /* the backlog's */
    struct store_ticket *tickets; /* the backlog's: open ones, by camera then id */
    size_t n_tickets;
};

int doc_report_begin(const struct doc_ctx *c, enum doc_report_kind kind, int64_t from_ms,
                     int64_t to_ms, struct doc_report_rows **out, struct cw_err *err)
{
    struct doc_report_rows *r = calloc(1, sizeof(*r));
    int rc;

    *out = NULL;
    if (r == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    r->kind = kind;
    if ((rc = report_avail_begin(c, from_ms, to_ms, &r->ra, err)) != 0) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int doc_report_read(struct store *s, struct doc_report_rows *r, struct cw_err *err)
{
    if (report_avail_read(s, &r->ra, err) != 0)
        return -1;
    if (r->kind != DOC_REPORT_BACKLOG)
        return 0;
    if (backlog_facts_load(s, r->ra.from_ms, r->ra.to_ms, &r->f, err) != 0 ||
        store_list_tickets(s, NULL, 1, &r->tickets, &r->n_tickets, err) != 0)
        return -1;
    if (r->n_tickets > 0) /* qsort must not be given NULL, even for nothing */
        qsort(r->tickets, r->n_tickets, sizeof(*r->tickets), ticket_cmp);
    return 0;
}

/* The backlog document of r (read, its cameras placed) made at now_ms. */
static int backlog_doc(const struct doc_ctx *c, const struct doc_report_rows *r, int64_t now_ms,
                       json_t **out, struct cw_err *err)
{
    const struct report_avail *ra = &r->ra;
    struct entry *e = NULL;
    size_t ne = 0;
    json_t *root = NULL, *items;
    int rc = -1; /* until the document is handed over */

    if (build_entries(c, ra, &r->f, r->tickets, r->n_tickets, &e, &ne, err) != 0)
        goto done;
    if ((root = report_header(c, "backlog", ra->from_ms, ra->to_ms, now_ms)) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    items = json_array();
    for (size_t i = 0; items != NULL && i < ne; i++)
        if (json_array_append_new(items, entry_json(c, &e[i], i + 1)) != 0) {
            json_decref(items);
            items = NULL;
        }
    if (report_set(root, "measured",
                   json_pack("{s:b, s:b, s:b, s:b}", "events", 1, "samples", r->f.samples_measured,
                             "onvif", r->f.n_devices > 0, "recording_gaps", 0)) != 0 ||
        report_set(root, "costs", costs_json(c)) != 0 || report_set(root, "items", items) != 0 ||
        set_totals(c, root, ra, e, ne) != 0 ||
        report_set(root, "availability", report_summary(c, ra)) != 0) {
        json_decref(root);
        root = NULL;
    }
    rc = doc_give(root, out, err);
done:
    entries_free(e, ne);
    return rc;
}

int doc_report_build(const struct doc_ctx *c, struct doc_report_rows *r, int64_t now_ms,
                     json_t **out, struct cw_err *err)
{
    *out = NULL;
    report_avail_place(c, &r->ra);
    if (r->kind == DOC_REPORT_AVAILABILITY)
        return report_availability_doc(c, &r->ra, now_ms, out, err);
    return backlog_doc(c, r, now_ms, out, err);
}

void doc_report_free(struct doc_report_rows *r)
{
    if (r == NULL)
        return;
    report_avail_free(&r->ra);
    backlog_facts_free(&r->f);
    free(r->tickets);
    free(r);
}

int doc_backlog(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                json_t **out, struct cw_err *err)
{
    struct doc_report_rows *r;
    int rc;

    *out = NULL;
    if ((rc = doc_report_begin(c, DOC_REPORT_BACKLOG, from_ms, to_ms, &r, err)) != 0)
        return rc;
    rc = doc_report_read(c->store, r, err) != 0 ? -1 : doc_report_build(c, r, now_ms, out, err);
    doc_report_free(r);
    return rc;
}
