/* doc_province.c - the province summary: several districts' backlog documents (JSON files
 * each district sent, doc_backlog's) checked field by field and summed per district, per
 * district and owner, per kind of work and for the province, so a province can rank what to
 * fund. The files are outside bytes: every field read is checked for its type and range, and
 * a bad one is refused with the file and the field named; nothing is taken on trust. Reads
 * no store. */
#include "report_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/text.h"

#define PROVINCE_MONEY_MAX 1000000000000000LL /* VND: far past any province's cameras */
#define PROVINCE_COUNT_MAX 100000000LL        /* cameras, items, outages */
#define PROVINCE_TEXT_MAX 512                 /* bytes of a site or owner name */

/* The counts of a backlog's owners and total, in the order they are summed. */
static const char *const need_keys[] = {"cameras",           "needing_work", "down_now",
                                        "priority_items",    "actions",      "cost_vnd",
                                        "priority_cost_vnd", "unpriced"};
#define N_NEED (sizeof(need_keys) / sizeof(need_keys[0]))
enum { NEED_ACTIONS = 4, NEED_COST = 5, NEED_PRIORITY_COST = 6, NEED_UNPRICED = 7 };

static const char *rj_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

struct need {
    json_int_t v[N_NEED];
};

/* One district's figures, as checked. */
struct district {
    const char *file;
    const json_t *doc;
    char *site; /* its site's name as compared and shown: trimmed, NFC; owned */
    struct need total;
    json_int_t available_ms, monitored_ms; /* of availability.total */
    /* The work at priority sites and how much of it has no price (prio_keys), in total: so
     * that a cost there of nothing priced reads "no price", not 0; has_prio 0 when the file,
     * made by a version before them, gives none. */
    int has_prio;
    json_int_t prio[2];
};

/* Figures of a backlog's owners and total that a version before them did not write: all of
 * them or none. */
static const char *const prio_keys[] = {"priority_actions", "priority_unpriced"};

static int bad(struct cw_err *err, const char *file, const char *field, const char *what)
{
    cw_err_set(err, file, 0, field, "%s", what);
    return DOC_BAD_INPUT;
}

/* o[key] as a whole number in 0..max into *v. */
static int get_count(const json_t *o, const char *key, json_int_t max, json_int_t *v,
                     const char *file, const char *where, struct cw_err *err)
{
    const json_t *x = json_object_get(o, key);
    char field[96];

    snprintf(field, sizeof(field), "%s%s%s", where, where[0] ? "." : "", key);
    if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > max)
        return bad(err, file, field, "expected a whole number, not negative and not absurd");
    *v = json_integer_value(x);
    return 0;
}

static int get_text(const json_t *o, const char *key, int may_be_null, const char *file,
                    const char *where, struct cw_err *err)
{
    const json_t *x = json_object_get(o, key);
    char field[96];

    snprintf(field, sizeof(field), "%s%s%s", where, where[0] ? "." : "", key);
    if (may_be_null && json_is_null(x))
        return 0;
    if (!json_is_string(x) || json_string_length(x) == 0 ||
        json_string_length(x) > PROVINCE_TEXT_MAX)
        return bad(err, file, field, "expected a text of 1 to 512 bytes");
    return 0;
}

static int get_need(const json_t *o, struct need *n, const char *file, const char *where,
                    struct cw_err *err)
{
    int rc;

    if (!json_is_object(o))
        return bad(err, file, where, "expected an object");
    for (size_t k = 0; k < N_NEED; k++) {
        json_int_t max =
            strstr(need_keys[k], "cost") != NULL ? PROVINCE_MONEY_MAX : PROVINCE_COUNT_MAX;
        if ((rc = get_count(o, need_keys[k], max, &n->v[k], file, where, err)) != 0)
            return rc;
    }
    return 0;
}

/* Whether the parts' sums are the total's: sum[k] of need_keys[keys[k]] (keys NULL: of
 * need_keys[k]); DOC_BAD_INPUT naming the list (owners, by_action) and the first figure that
 * differs. */
static int adds_up(const struct district *d, const char *list, const json_int_t *sum,
                   const size_t *keys, size_t n, struct cw_err *err)
{
    for (size_t k = 0; k < n; k++) {
        size_t t = keys != NULL ? keys[k] : k;
        if (sum[k] != d->total.v[t]) {
            cw_err_set(err, d->file, 0, list,
                       "do not add up to total.%s (%lld against %lld): a figure edited in one "
                       "place and not the other?",
                       need_keys[t], (long long)sum[k], (long long)d->total.v[t]);
            return DOC_BAD_INPUT;
        }
    }
    return 0;
}

/* o's prio_keys into v[2] (where: its place in the file), each a count no more than its
 * priority_actions; 1 when o gives none of them (a file of a version before them), 0, or
 * DOC_BAD_INPUT. */
static int get_prio(const json_t *o, json_int_t *v, const char *file, const char *where,
                    struct cw_err *err)
{
    char field[96];
    int rc;

    if (json_object_get(o, prio_keys[0]) == NULL && json_object_get(o, prio_keys[1]) == NULL)
        return 1;
    for (size_t k = 0; k < 2; k++)
        if ((rc = get_count(o, prio_keys[k], PROVINCE_COUNT_MAX, &v[k], file, where, err)) != 0)
            return rc;
    snprintf(field, sizeof(field), "%s%s%s", where, where[0] ? "." : "", prio_keys[1]);
    return v[1] > v[0] ? bad(err, file, field, "more than priority_actions") : 0;
}

/* The district's work at priority sites (d->has_prio, d->prio): given in its total and each of
 * its owners alike, the owners adding up to the total, or given nowhere. */
static int check_prio(const json_t *doc, struct district *d, struct cw_err *err)
{
    json_int_t v[2], sum[2] = {0};
    const json_t *o;
    size_t i;
    int rc;
    char where[64];

    if ((rc = get_prio(json_object_get(doc, "total"), d->prio, d->file, "total", err)) < 0 ||
        rc == DOC_BAD_INPUT)
        return rc;
    d->has_prio = rc == 0;
    json_array_foreach(json_object_get(doc, "owners"), i, o)
    {
        snprintf(where, sizeof(where), "owners[%zu]", i);
        if ((rc = get_prio(o, v, d->file, where, err)) == 1 && !d->has_prio)
            continue;
        if (rc == 1 || !d->has_prio)
            return bad(err, d->file, where,
                       d->has_prio ? "gives no priority_actions, while total does"
                                   : "gives priority_actions, while total does not");
        if (rc != 0)
            return rc;
        for (size_t k = 0; k < 2; k++)
            if (__builtin_add_overflow(sum[k], v[k], &sum[k]))
                sum[k] = INT64_MAX;
    }
    for (size_t k = 0; d->has_prio && k < 2; k++)
        if (sum[k] != d->prio[k]) {
            cw_err_set(err, d->file, 0, "owners",
                       "do not add up to total.%s (%lld against %lld): a figure edited in one "
                       "place and not the other?",
                       prio_keys[k], (long long)sum[k], (long long)d->prio[k]);
            return DOC_BAD_INPUT;
        }
    return 0;
}

/* Every field of a district's backlog that the summary reads, and its owners and kinds of work
 * adding up to its total (the province's tables sum each of them). */
static int check_district(const json_t *doc, struct district *d, struct cw_err *err)
{
    static const size_t act_keys[3] = {NEED_ACTIONS, NEED_COST, NEED_UNPRICED}; /* count, ... */
    const json_t *o, *av;
    struct need n, owners = {{0}};
    json_int_t up, deg, v, act[3], acts[3] = {0};
    size_t i;
    int rc;
    char where[64];

    if (!json_is_object(doc) || strcmp(rj_str(doc, "kind"), "backlog") != 0 ||
        !json_is_integer(json_object_get(doc, "version")) ||
        json_integer_value(json_object_get(doc, "version")) != REPORT_VERSION)
        return bad(err, d->file, "kind",
                   "not a camwatch backlog of version 1 (made by "
                   "`camwatch report backlog --format json`)");
    if ((rc = get_text(doc, "site", 0, d->file, "", err)) != 0 ||
        (rc = get_text(doc, "authority", 1, d->file, "", err)) != 0 ||
        (rc = get_text(doc, "from", 0, d->file, "", err)) != 0 ||
        (rc = get_text(doc, "to", 0, d->file, "", err)) != 0 ||
        (rc = get_count(doc, "from_ms", INT64_MAX, &v, d->file, "", err)) != 0 ||
        (rc = get_count(doc, "to_ms", INT64_MAX, &v, d->file, "", err)) != 0 ||
        (rc = get_need(json_object_get(doc, "total"), &d->total, d->file, "total", err)) != 0)
        return rc;
    if (!json_is_array(json_object_get(doc, "owners")))
        return bad(err, d->file, "owners", "expected an array");
    json_array_foreach(json_object_get(doc, "owners"), i, o)
    {
        snprintf(where, sizeof(where), "owners[%zu]", i);
        if ((rc = get_need(o, &n, d->file, where, err)) != 0 ||
            (rc = get_text(o, "owner", 0, d->file, where, err)) != 0 ||
            (rc = get_text(o, "owner_name", 1, d->file, where, err)) != 0)
            return rc;
        for (size_t k = 0; k < N_NEED; k++) /* past any total: it cannot add up */
            if (__builtin_add_overflow(owners.v[k], n.v[k], &owners.v[k]))
                owners.v[k] = INT64_MAX;
    }
    if ((rc = adds_up(d, "owners", owners.v, NULL, N_NEED, err)) != 0 ||
        (rc = check_prio(doc, d, err)) != 0)
        return rc;
    if (!json_is_array(json_object_get(doc, "by_action")))
        return bad(err, d->file, "by_action", "expected an array");
    json_array_foreach(json_object_get(doc, "by_action"), i, o)
    {
        enum cfg_action a;
        snprintf(where, sizeof(where), "by_action[%zu]", i);
        if (!json_is_object(o) || cfg_action_parse(rj_str(o, "action"), &a) != 0)
            return bad(err, d->file, where,
                       "expected {action, count, cost_vnd, unpriced} of a "
                       "known action");
        if ((rc = get_count(o, "count", PROVINCE_COUNT_MAX, &act[0], d->file, where, err)) != 0 ||
            (rc = get_count(o, "cost_vnd", PROVINCE_MONEY_MAX, &act[1], d->file, where, err)) !=
                0 ||
            (rc = get_count(o, "unpriced", PROVINCE_COUNT_MAX, &act[2], d->file, where, err)) != 0)
            return rc;
        for (size_t k = 0; k < 3; k++)
            if (__builtin_add_overflow(acts[k], act[k], &acts[k]))
                acts[k] = INT64_MAX;
    }
    if ((rc = adds_up(d, "by_action", acts, act_keys, 3, err)) != 0)
        return rc;
    av = json_object_get(json_object_get(doc, "availability"), "total");
    if ((rc = get_count(av, "monitored_ms", INT64_MAX / 4, &d->monitored_ms, d->file,
                        "availability.total", err)) != 0 ||
        (rc = get_count(json_object_get(av, "ms"), "up", INT64_MAX / 4, &up, d->file,
                        "availability.total.ms", err)) != 0 ||
        (rc = get_count(json_object_get(av, "ms"), "degraded", INT64_MAX / 4, &deg, d->file,
                        "availability.total.ms", err)) != 0)
        return rc;
    if (up + deg > d->monitored_ms)
        return bad(err, d->file, "availability.total", "more time up than monitored");
    d->available_ms = up + deg;
    return 0;
}

/* Into d->site, the name of d's site as typed any way a person may have typed it: without the
 * white space around it, precomposed (NFC: "Sa Đéc" saved by an editor decomposed is still
 * Sa Đéc), so one district sent twice is seen as twice. 0, DOC_BAD_INPUT when nothing is left
 * of it, or -1 (out of memory). */
static int site_name(struct district *d, struct cw_err *err)
{
    const char *s = rj_str(d->doc, "site"), *end;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    for (end = s + strlen(s);
         end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n');)
        end--;
    if (end == s)
        return bad(err, d->file, "site", "expected a name, not only white space");
    if ((d->site = strndup(s, (size_t)(end - s))) == NULL || cw_text_nfc(&d->site) != 0)
        return cw_err_set(err, d->file, 0, "site", "out of memory");
    return 0;
}

/* ---- the summary ---- */

static json_t *need_json(const struct need *n)
{
    json_t *o = json_object();

    for (size_t k = 0; o != NULL && k < N_NEED; k++)
        json_object_set_new(o, need_keys[k], json_integer(n->v[k]));
    return o;
}

/* Add district d's figures to the province's; DOC_BAD_INPUT (naming d's file and the field)
 * when a sum would not fit: each figure has a bound, but enough districts near it could
 * still wrap the total into a wrong (negative) figure. */
static int sum_district(struct need *total, json_int_t *avail, json_int_t *mon,
                        const struct district *d, struct cw_err *err)
{
    char field[64];

    for (size_t k = 0; k < N_NEED; k++)
        if (__builtin_add_overflow(total->v[k], d->total.v[k], &total->v[k])) {
            snprintf(field, sizeof(field), "total.%s", need_keys[k]);
            return bad(err, d->file, field, "too large: the districts' sum does not fit");
        }
    if (__builtin_add_overflow(*mon, d->monitored_ms, mon) ||
        __builtin_add_overflow(*avail, d->available_ms, avail))
        return bad(err, d->file, "availability.total.monitored_ms",
                   "too large: the districts' sum does not fit");
    return 0;
}

/* Set prio_keys on o: from, a checked owner of a file, or v; null when neither (a file of a
 * version before them). */
static void prio_json(json_t *o, const json_t *from, const json_int_t *v)
{
    for (size_t k = 0; o != NULL && k < 2; k++)
        json_object_set_new(
            o, prio_keys[k],
            from != NULL ? json_integer(json_integer_value(json_object_get(from, prio_keys[k])))
            : v != NULL  ? json_integer(v[k])
                         : json_null());
}

static json_t *pct(json_int_t available, json_int_t monitored)
{
    return monitored > 0 ? json_real(100.0 * (double)available / (double)monitored) : json_null();
}

static json_t *district_json(const struct district *d)
{
    json_t *o = need_json(&d->total), *owners = json_array(), *x;
    size_t i;

    if (o == NULL || owners == NULL) {
        json_decref(o);
        json_decref(owners);
        return NULL;
    }
    json_array_foreach(json_object_get(d->doc, "owners"), i, x)
    {
        struct need n;
        json_t *w;
        get_need(x, &n, d->file, "", NULL); /* checked already */
        w = need_json(&n);
        prio_json(w, d->has_prio ? x : NULL, NULL);
        json_object_set_new(w, "owner", json_string(rj_str(x, "owner")));
        json_object_set_new(w, "owner_name", json_deep_copy(json_object_get(x, "owner_name")));
        json_array_append_new(owners, w);
    }
    prio_json(o, NULL, d->has_prio ? d->prio : NULL);
    json_object_set_new(o, "site", json_string(d->site));
    json_object_set_new(o, "authority", json_deep_copy(json_object_get(d->doc, "authority")));
    json_object_set_new(o, "file", json_string(d->file));
    json_object_set_new(o, "from", json_string(rj_str(d->doc, "from")));
    json_object_set_new(o, "to", json_string(rj_str(d->doc, "to")));
    json_object_set_new(o, "monitored_ms", json_integer(d->monitored_ms));
    json_object_set_new(o, "available_ms", json_integer(d->available_ms));
    json_object_set_new(o, "availability_pct", pct(d->available_ms, d->monitored_ms));
    json_object_set_new(o, "owners", owners);
    return o;
}

/* Most to fund at priority sites first, then most in all, then by name. */
static int district_cmp(const void *pa, const void *pb)
{
    const struct district *a = pa, *b = pb;
    json_int_t pa_ = a->total.v[NEED_PRIORITY_COST], pb_ = b->total.v[NEED_PRIORITY_COST];
    json_int_t ca = a->total.v[NEED_COST], cb = b->total.v[NEED_COST];

    if (pa_ != pb_)
        return pa_ > pb_ ? -1 : 1;
    if (ca != cb)
        return ca > cb ? -1 : 1;
    return strcmp(a->site, b->site);
}

static json_t *actions_json(const struct district *d, size_t n)
{
    json_int_t count[CFG_ACTION_COUNT] = {0}, cost[CFG_ACTION_COUNT] = {0},
               unpriced[CFG_ACTION_COUNT] = {0};
    json_t *arr = json_array(), *o;
    size_t i;

    for (size_t k = 0; k < n; k++)
        json_array_foreach(json_object_get(d[k].doc, "by_action"), i, o)
        {
            enum cfg_action a;
            cfg_action_parse(rj_str(o, "action"), &a); /* checked already */
            count[a] += json_integer_value(json_object_get(o, "count"));
            cost[a] += json_integer_value(json_object_get(o, "cost_vnd"));
            unpriced[a] += json_integer_value(json_object_get(o, "unpriced"));
        }
    for (int a = 0; arr != NULL && a < CFG_ACTION_COUNT; a++)
        if (count[a] > 0)
            json_array_append_new(arr,
                                  json_pack("{s:s, s:I, s:I, s:I}", "action",
                                            cfg_action_name((enum cfg_action)a), "count", count[a],
                                            "cost_vnd", cost[a], "unpriced", unpriced[a]));
    return arr;
}

static void districts_free(struct district *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(d[i].site);
    free(d);
}

int doc_province(const struct doc_ctx *c, const struct doc_district *in, size_t n, int64_t now_ms,
                 json_t **out, struct cw_err *err)
{
    struct district *d = calloc(n > 0 ? n : 1, sizeof(*d));
    struct need total = {{0}};
    json_int_t avail = 0, mon = 0, from = INT64_MAX, to = 0, prio[2] = {0};
    int all_prio = 1;
    json_t *root = NULL, *arr;
    int rc = 0;

    *out = NULL;
    if (d == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    if (n == 0)
        rc = bad(err, NULL, NULL, "no district's backlog given");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        d[i].file = in[i].file;
        d[i].doc = in[i].doc;
        rc = check_district(in[i].doc, &d[i], err);
        if (rc == 0)
            rc = site_name(&d[i], err);
        if (rc == 0)
            rc = sum_district(&total, &avail, &mon, &d[i], err);
        all_prio &= rc == 0 && d[i].has_prio; /* a count each: 10^8 at most, no overflow */
        for (size_t k = 0; rc == 0 && k < 2; k++)
            prio[k] += d[i].prio[k];
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (strcmp(d[k].site, d[i].site) == 0) {
                cw_err_set(err, d[i].file, 0, "site", "'%s' is given twice (also in %s)", d[i].site,
                           d[k].file);
                rc = DOC_BAD_INPUT;
            }
    }
    if (rc != 0) {
        districts_free(d, n);
        return rc;
    }
    qsort(d, n, sizeof(*d), district_cmp);
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_int_t f = json_integer_value(json_object_get(d[i].doc, "from_ms"));
        json_int_t t = json_integer_value(json_object_get(d[i].doc, "to_ms"));
        from = f < from ? f : from;
        to = t > to ? t : to;
        if (arr != NULL && json_array_append_new(arr, district_json(&d[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if ((root = report_header(c, "province", from, to, now_ms)) != NULL) {
        json_t *tot = need_json(&total);
        prio_json(tot, NULL, all_prio ? prio : NULL);
        if (tot != NULL) {
            json_object_set_new(tot, "monitored_ms", json_integer(mon));
            json_object_set_new(tot, "available_ms", json_integer(avail));
            json_object_set_new(tot, "availability_pct", pct(avail, mon));
        }
        if (report_set(root, "districts", arr) != 0 ||
            report_set(root, "by_action", actions_json(d, n)) != 0 ||
            report_set(root, "total", tot) != 0) {
            json_decref(root);
            root = NULL;
        }
        arr = NULL;
    }
    json_decref(arr);
    districts_free(d, n);
    return doc_give(root, out, err);
}
