/* model_backlog.c - the table model of the backlog report (model.h): per owner with the
 * district's total, per camera in order of priority (its findings as sentences, its work and
 * what it costs, tickets' notes), and per kind of work with its unit price and that price's
 * source; its charts and notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const struct rcol owner_cols[] = {
    {RL_STT, RK_INT, 5},       {RL_OWNER, RK_TEXT, 30},
    {RL_CAMERAS, RK_INT, 10},  {RL_NEEDING_WORK, RK_INT, 11},
    {RL_DOWN_NOW, RK_INT, 11}, {RL_AVAILABILITY_PCT, RK_PCT, 11},
    {RL_OUTAGES, RK_INT, 11},  {RL_ITEMS, RK_INT, 10},
    {RL_COST_VND, RK_VND, 16}, {RL_PRIORITY_COST, RK_VND, 16},
    {RL_UNPRICED, RK_INT, 11},
};

/* Widths in characters, also the HTML columns' shares of an A4 landscape line. */
static const struct rcol item_cols[] = {
    {RL_STT, RK_INT, 6},          {RL_CAMERA_ID, RK_TEXT, 10.5},
    {RL_LOCATION, RK_TEXT, 18},   {RL_OWNER, RK_TEXT, 13},
    {RL_COMMUNE, RK_TEXT, 10},    {RL_PRIORITY, RK_TEXT, 9.5},
    {RL_STATE_NOW, RK_TEXT, 11},  {RL_OUTAGES, RK_INT, 8.5},
    {RL_DOWNTIME_H, RK_HOURS, 9}, {RL_AVAILABILITY_PCT, RK_PCT, 9},
    {RL_FINDINGS, RK_TEXT, 31},   {RL_ACTIONS, RK_TEXT, 22},
    {RL_COST_VND, RK_VND, 11},    {RL_NOTES, RK_TEXT, 11.5},
};

static const struct rcol action_cols[] = {
    {RL_STT, RK_INT, 5},         {RL_ACTION, RK_TEXT, 40},  {RL_COUNT, RK_INT, 10},
    {RL_UNIT_PRICE, RK_VND, 16}, {RL_COST_VND, RK_VND, 18}, {RL_PRICE_SOURCE, RK_TEXT, 50},
};

#define NCOLS(c) (sizeof(c) / sizeof(c[0]))

/* The availability of an owner from the summary's owners. */
static const json_t *owner_avail(const json_t *doc, const char *owner)
{
    const json_t *owners = json_object_get(json_object_get(doc, "availability"), "owners"), *o;
    size_t i;

    json_array_foreach(owners, i, o) if (strcmp(rj_str(o, "owner"), owner) == 0) return o;
    return NULL;
}

static int owner_row(struct rtable *t, enum report_lang l, const json_t *doc, const json_t *o,
                     size_t stt)
{
    struct rcell *r = rtable_row(t);
    const json_t *av;

    if (r == NULL)
        return -1;
    if (stt > 0) {
        rcell_num(&r[0], (double)stt);
        rcell_text(&r[1], rj_owner(o, "owner"));
        av = owner_avail(doc, rj_str(o, "owner"));
    } else {
        rcell_text(&r[1], rlabel(l, RL_TOTAL));
        av = json_object_get(json_object_get(doc, "availability"), "total");
    }
    rcell_json(&r[2], json_object_get(o, "cameras"));
    rcell_json(&r[3], json_object_get(o, "needing_work"));
    rcell_json(&r[4], json_object_get(o, "down_now"));
    rcell_json(&r[5], json_object_get(av, "availability_pct"));
    rcell_json(&r[6], json_object_get(av, "outages"));
    rcell_json(&r[7], json_object_get(o, "actions"));
    rcell_cost(&r[8], l, o, "cost_vnd", "actions");
    rcell_cost_of(&r[9], l, o, "priority_cost_vnd", "priority_actions", "priority_unpriced");
    rcell_json(&r[10], json_object_get(o, "unpriced"));
    return 0;
}

/* The lines of an item's actions, and its notes (tickets' notes, prices missing). */
static int item_actions(enum report_lang l, const json_t *it, struct rcell *acts,
                        struct rcell *notes)
{
    char *a = NULL, *n = NULL;
    size_t al = 0, nl = 0, i;
    FILE *fa = open_memstream(&a, &al), *fn = open_memstream(&n, &nl);
    const json_t *x;
    int rc = -1;

    if (fa == NULL || fn == NULL)
        goto done;
    json_array_foreach(json_object_get(it, "actions"), i, x)
    {
        fprintf(fa, "%s%s", i ? "\n" : "", rlabel_action(l, rj_str(x, "action")));
        if (json_is_integer(json_object_get(x, "ticket"))) {
            fprintf(fa, " (%s #%lld)", rlabel(l, RL_TICKET), (long long)rj_num(x, "ticket"));
            if (rj_str(x, "note")[0] != '\0')
                fprintf(fn, "%s%s #%lld: %s", ftell(fn) ? "\n" : "", rlabel(l, RL_TICKET),
                        (long long)rj_num(x, "ticket"), rj_str(x, "note"));
        }
        if (!json_is_integer(json_object_get(x, "cost_vnd")))
            fprintf(fa, " (%s)", rlabel(l, RL_NO_PRICE));
    }
    rc = 0;
done:
    if (fa != NULL && fclose(fa) != 0)
        rc = -1;
    if (fn != NULL && fclose(fn) != 0)
        rc = -1;
    if (rc == 0) {
        rcell_text(acts, a);
        rcell_text(notes, n != NULL && n[0] != '\0' ? n : NULL);
    }
    free(a);
    free(n);
    return rc;
}

static int item_findings(enum report_lang l, const json_t *it, struct rcell *c)
{
    char *out = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&out, &len);
    const json_t *x;
    int rc = 0;

    if (f == NULL)
        return -1;
    json_array_foreach(json_object_get(it, "findings"), i, x)
    {
        char *s = rfinding_text(l, x);
        if (s == NULL)
            rc = -1;
        else
            fprintf(f, "%s%s", i ? "\n" : "", s);
        free(s);
    }
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        rcell_text(c, out);
    free(out);
    return rc;
}

static int item_row(struct rtable *t, enum report_lang l, const json_t *it)
{
    struct rcell *r = rtable_row(t);
    char prio[128];
    size_t off, i;
    const json_t *w;

    if (r == NULL)
        return -1;
    rcell_num(&r[0], rj_num(it, "rank"));
    rcell_text(&r[1], rj_str(it, "id"));
    rcell_text(&r[2], rj_str(it, "name"));
    rcell_text(&r[3], rj_owner(it, "owner"));
    rcell_text(&r[4], rj_str(it, "commune"));
    /* One line ("1 (national road, market)"): a line break in a CSV field splits the row for
     * a reader that takes one line for one row. */
    off = (size_t)snprintf(prio, sizeof(prio), "%lld", (long long)rj_num(it, "priority"));
    json_array_foreach(json_object_get(it, "priority_why"), i, w)
    {
        if (off < sizeof(prio))
            off += (size_t)snprintf(prio + off, sizeof(prio) - off, "%s%s", i ? ", " : " (",
                                    rlabel_why(l, json_string_value(w)));
    }
    if (json_array_size(json_object_get(it, "priority_why")) > 0 && off < sizeof(prio))
        snprintf(prio + off, sizeof(prio) - off, ")");
    rcell_text(&r[5], prio);
    rcell_text(&r[6], rlabel_state(l, rj_str(it, "state")));
    rcell_json(&r[7], json_object_get(it, "outages"));
    rcell_hours(&r[8], json_object_get(it, "downtime_ms"));
    rcell_json(&r[9], json_object_get(it, "availability_pct"));
    rcell_cost(&r[12], l, it, "cost_vnd", NULL);
    return item_findings(l, it, &r[10]) != 0 || item_actions(l, it, &r[11], &r[13]) != 0 ? -1 : 0;
}

/* The price and source of an action from the document's costs. */
static const json_t *price_of(const json_t *doc, const char *action)
{
    const json_t *o;
    size_t i;

    json_array_foreach(json_object_get(doc, "costs"), i,
                       o) if (strcmp(rj_str(o, "action"), action) == 0) return o;
    return NULL;
}

static int action_rows(struct rtable *t, enum report_lang l, const json_t *doc)
{
    const json_t *o, *total = json_object_get(doc, "total");
    size_t i;
    struct rcell *r;
    char src[600];

    json_array_foreach(json_object_get(doc, "by_action"), i, o)
    {
        const json_t *p = price_of(doc, rj_str(o, "action"));
        if ((r = rmodel_action_row(t, l, i, o)) == NULL)
            return -1;
        rcell_cost(&r[3], l, p, "vnd", NULL);
        rcell_cost(&r[4], l, o, "cost_vnd", "count");
        if (rj_num(o, "unpriced") > 0)
            snprintf(src, sizeof(src), "%s%s%lld %s", rj_str(p, "source"),
                     rj_str(p, "source")[0] ? "; " : "", (long long)rj_num(o, "unpriced"),
                     rlabel(l, RL_NO_PRICE));
        else
            snprintf(src, sizeof(src), "%s", rj_str(p, "source"));
        rcell_text(&r[5], src);
    }
    if ((r = rtable_row(t)) == NULL)
        return -1;
    rcell_text(&r[1], rlabel(l, RL_TOTAL));
    rcell_json(&r[2], json_object_get(total, "actions"));
    rcell_cost(&r[4], l, total, "cost_vnd", "actions");
    if (rj_num(total, "unpriced") > 0) {
        snprintf(src, sizeof(src), "%lld %s", (long long)rj_num(total, "unpriced"),
                 rlabel(l, RL_NO_PRICE));
        rcell_text(&r[5], src);
    }
    t->total_row = 1;
    return 0;
}

int rmodel_backlog(struct rmodel *m, const json_t *doc)
{
    enum report_lang l = m->lang;
    const json_t *measured = json_object_get(doc, "measured"), *o;
    const json_t *av = json_object_get(doc, "availability");
    struct rtable *t;
    size_t i;

    if (rmodel_heading(m, doc, RL_TITLE_BACKLOG) != 0)
        return -1;
    t = rmodel_table(m, RL_SEC_OWNERS, RL_SHEET_SUMMARY, owner_cols, NCOLS(owner_cols));
    json_array_foreach(json_object_get(doc, "owners"), i, o)
    {
        if (owner_row(t, l, doc, o, i + 1) != 0)
            return -1;
    }
    if (owner_row(t, l, doc, json_object_get(doc, "total"), 0) != 0)
        return -1;
    t->total_row = 1;

    m->detail = m->ntables;
    t = rmodel_table(m, RL_SEC_DETAIL_BACKLOG, RL_SHEET_DETAIL, item_cols, NCOLS(item_cols));
    json_array_foreach(json_object_get(doc, "items"), i, o) if (item_row(t, l, o) != 0) return -1;
    struct rcell *r = rtable_row(t);
    if (r == NULL)
        return -1;
    rcell_text(&r[2], rlabel(l, RL_TOTAL)); /* the location column: room for the word */
    rcell_cost(&r[12], l, json_object_get(doc, "total"), "cost_vnd", "actions");
    if (rj_num(json_object_get(doc, "total"), "unpriced") > 0) {
        char n[96];
        snprintf(n, sizeof(n), "%lld %s",
                 (long long)rj_num(json_object_get(doc, "total"), "unpriced"),
                 rlabel(l, RL_NO_PRICE));
        rcell_text(&r[13], n);
    }
    t->total_row = 1;

    t = rmodel_table(m, RL_SEC_ACTIONS, RL_SHEET_ACTIONS, action_cols, NCOLS(action_cols));
    if (t == NULL || action_rows(t, l, doc) != 0)
        return -1;
    if (rmodel_avail_chart(m, json_object_get(av, "owners")) != 0 ||
        rmodel_weeks_chart(m, json_object_get(av, "weeks")) != 0 ||
        rmodel_cost_chart(m, json_object_get(doc, "by_action")) != 0)
        return -1;
    if (rmodel_note(m, rlabel(l, RL_DEF_PRIORITY)) != 0 ||
        rmodel_note(m, rlabel(l, RL_DEF_COSTS)) != 0 ||
        rmodel_note(m, rlabel(l, RL_DEF_AVAIL)) != 0 ||
        (rj_num(json_object_get(doc, "total"), "retired") > 0 &&
         rmodel_note(m, rlabel(l, RL_DEF_CAMERAS_RETIRED)) != 0) ||
        (!json_is_true(json_object_get(measured, "recording_gaps")) &&
         rmodel_note(m, rlabel(l, RL_NOT_MEASURED_GAPS)) != 0) ||
        (!json_is_true(json_object_get(measured, "samples")) &&
         rmodel_note(m, rlabel(l, RL_NOT_MEASURED_SAMPLES)) != 0) ||
        (!json_is_true(json_object_get(measured, "onvif")) &&
         rmodel_note(m, rlabel(l, RL_NOT_MEASURED_ONVIF)) != 0))
        return -1;
    return 0;
}
