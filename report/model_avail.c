/* model_avail.c - the table model of the availability report (per owner, per commune, per
 * camera, with the charts of availability by owner and outages per week) and of the province
 * summary (per district, per district and owner, per kind of work). See model.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define NCOLS(c) (sizeof(c) / sizeof(c[0]))

/* The figures' columns after the first ones, shared by the owner and commune tables. */
#define FIGURE_COLS                                                                                \
    {RL_CAMERAS, RK_INT, 9}, {RL_AVAILABILITY_PCT, RK_PCT, 11}, {RL_OUTAGES, RK_INT, 11},          \
        {RL_DOWNTIME_H, RK_HOURS, 12}, {RL_LONGEST_H, RK_HOURS, 10}, {RL_MTTR_H, RK_HOURS, 13},    \
        {RL_DEGRADED_H, RK_HOURS, 11}, {RL_MAINTENANCE_H, RK_HOURS, 10},                           \
        {RL_UNMONITORED_H, RK_HOURS, 11},                                                          \
    {                                                                                              \
        RL_DOWN_NOW, RK_INT, 11                                                                    \
    }

static const struct rcol owner_cols[] = {{RL_STT, RK_INT, 5}, {RL_OWNER, RK_TEXT, 30}, FIGURE_COLS};
static const struct rcol commune_cols[] = {
    {RL_STT, RK_INT, 5}, {RL_COMMUNE, RK_TEXT, 30}, FIGURE_COLS};

static const struct rcol camera_cols[] = {
    {RL_STT, RK_INT, 6},
    {RL_CAMERA_ID, RK_TEXT, 10.5},
    {RL_LOCATION, RK_TEXT, 26},
    {RL_OWNER, RK_TEXT, 16},
    {RL_COMMUNE, RK_TEXT, 13},
    {RL_AVAILABILITY_PCT, RK_PCT, 10},
    {RL_OUTAGES, RK_INT, 9},
    {RL_DOWNTIME_H, RK_HOURS, 10},
    {RL_LONGEST_H, RK_HOURS, 9},
    {RL_MTTR_H, RK_HOURS, 11},
    {RL_DEGRADED_H, RK_HOURS, 10},
    {RL_DEGRADED_WHY, RK_TEXT, 26},
    {RL_MAINTENANCE_H, RK_HOURS, 9},
    {RL_UNMONITORED_H, RK_HOURS, 10},
    {RL_STATE_NOW, RK_TEXT, 13},
};

/* The figures of o (index/doc.h) into r[from..from+9], as FIGURE_COLS orders them. */
static void figure_cells(struct rcell *r, const json_t *o)
{
    const json_t *ms = json_object_get(o, "ms");

    rcell_json(&r[0], json_object_get(o, "cameras"));
    rcell_json(&r[1], json_object_get(o, "availability_pct"));
    rcell_json(&r[2], json_object_get(o, "outages"));
    rcell_hours(&r[3], json_object_get(o, "downtime_ms"));
    rcell_hours(&r[4], json_object_get(o, "longest_down_ms"));
    rcell_hours(&r[5], json_object_get(o, "mttr_ms"));
    rcell_hours(&r[6], json_object_get(ms, "degraded"));
    rcell_hours(&r[7], json_object_get(ms, "maintenance"));
    rcell_hours(&r[8], json_object_get(ms, "unknown"));
    rcell_json(&r[9], json_object_get(o, "down_now"));
}

static int group_rows(struct rtable *t, enum report_lang l, const json_t *list, const char *key,
                      const json_t *total)
{
    const json_t *o;
    struct rcell *r;
    size_t i;

    if (t == NULL)
        return -1;
    json_array_foreach(list, i, o)
    {
        if ((r = rtable_row(t)) == NULL)
            return -1;
        rcell_num(&r[0], (double)(i + 1));
        rcell_text(&r[1], rj_owner(o, key));
        figure_cells(&r[2], o);
    }
    if ((r = rtable_row(t)) == NULL)
        return -1;
    rcell_text(&r[1], rlabel(l, RL_TOTAL));
    figure_cells(&r[2], total);
    t->total_row = 1;
    return 0;
}

/* "hình ảnh mờ 12,50 giờ; phản hồi chậm 3,00 giờ": the kinds of degraded time, largest first. */
static char *degraded_why(enum report_lang l, const json_t *by)
{
    const char *k[64];
    int64_t v[64];
    size_t n = 0;
    const char *key;
    json_t *val;
    char *out = NULL, h[32];
    size_t len = 0;
    FILE *f;

    json_object_foreach((json_t *)by, key, val)
    {
        if (n == 64)
            break;
        size_t at = n++;
        while (at > 0 && v[at - 1] < json_integer_value(val)) {
            k[at] = k[at - 1];
            v[at] = v[at - 1];
            at--;
        }
        k[at] = key;
        v[at] = json_integer_value(val);
    }
    if (n == 0 || (f = open_memstream(&out, &len)) == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s %s %s", i ? "; " : "", rlabel_kind(l, k[i]),
                rfmt_dec(l, rhours(v[i]), 2, h, sizeof(h)), l == REPORT_VI ? "giờ" : "h");
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int camera_row(struct rtable *t, enum report_lang l, const json_t *o)
{
    struct rcell *r = rtable_row(t);
    const json_t *ms = json_object_get(o, "ms");
    char *why;

    if (r == NULL)
        return -1;
    rcell_num(&r[0], (double)t->nrows);
    rcell_text(&r[1], rj_str(o, "id"));
    rcell_text(&r[2], rj_str(o, "name"));
    rcell_text(&r[3], rj_owner(o, "owner"));
    rcell_text(&r[4], rj_str(o, "commune"));
    rcell_json(&r[5], json_object_get(o, "availability_pct"));
    rcell_json(&r[6], json_object_get(o, "outages"));
    rcell_hours(&r[7], json_object_get(o, "downtime_ms"));
    rcell_hours(&r[8], json_object_get(o, "longest_down_ms"));
    rcell_hours(&r[9], json_object_get(o, "mttr_ms"));
    rcell_hours(&r[10], json_object_get(ms, "degraded"));
    why = degraded_why(l, json_object_get(o, "degraded_by"));
    rcell_text(&r[11], why);
    free(why);
    rcell_hours(&r[12], json_object_get(ms, "maintenance"));
    rcell_hours(&r[13], json_object_get(ms, "unknown"));
    /* a retired camera's last state is not its state now: it has none, it was taken out */
    rcell_text(&r[14],
               rlabel_state(l, json_is_true(json_object_get(o, "retired")) ? "retired"
                                                                           : rj_str(o, "state")));
    return 0;
}

int rmodel_availability(struct rmodel *m, const json_t *doc)
{
    enum report_lang l = m->lang;
    const json_t *total = json_object_get(doc, "total"), *o;
    struct rtable *t;
    size_t i;
    int retired = 0;

    if (rmodel_heading(m, doc, RL_TITLE_AVAIL) != 0)
        return -1;
    t = rmodel_table(m, RL_SEC_OWNERS, RL_SHEET_SUMMARY, owner_cols, NCOLS(owner_cols));
    if (group_rows(t, l, json_object_get(doc, "owners"), "owner", total) != 0)
        return -1;
    t = rmodel_table(m, RL_SEC_COMMUNES, RL_SHEET_COMMUNES, commune_cols, NCOLS(commune_cols));
    if (group_rows(t, l, json_object_get(doc, "communes"), "commune", total) != 0)
        return -1;
    m->detail = m->ntables;
    t = rmodel_table(m, RL_SEC_DETAIL_AVAIL, RL_SHEET_DETAIL, camera_cols, NCOLS(camera_cols));
    json_array_foreach(json_object_get(doc, "cameras"), i, o)
    {
        if (camera_row(t, l, o) != 0)
            return -1;
        retired |= json_is_true(json_object_get(o, "retired"));
    }
    if (rmodel_avail_chart(m, json_object_get(doc, "owners")) != 0 ||
        rmodel_weeks_chart(m, json_object_get(doc, "weeks")) != 0 ||
        rmodel_note(m, rlabel(l, RL_DEF_AVAIL)) != 0 ||
        (retired && rmodel_note(m, rlabel(l, RL_DEF_RETIRED)) != 0))
        return -1;
    return 0;
}

/* ---- the province ---- */

static const struct rcol district_cols[] = {
    {RL_STT, RK_INT, 5},           {RL_DISTRICT, RK_TEXT, 26}, {RL_CAMERAS, RK_INT, 10},
    {RL_NEEDING_WORK, RK_INT, 11}, {RL_DOWN_NOW, RK_INT, 11},  {RL_AVAILABILITY_PCT, RK_PCT, 11},
    {RL_ITEMS, RK_INT, 10},        {RL_COST_VND, RK_VND, 17},  {RL_PRIORITY_COST, RK_VND, 17},
    {RL_UNPRICED, RK_INT, 11},
};

/* Table II, the detail the CSV holds: each row a district's owner, with its district's own
 * period (From, To: "ngày 01/11/2026", "hết ngày 30/11/2026", as the note says them), which
 * the heading's, from the first start to the last end, may not be: a row read alone (the CSV
 * has no heading nor note) says what its figures cover. */
static const struct rcol district_owner_cols[] = {
    {RL_STT, RK_INT, 5},           {RL_DISTRICT, RK_TEXT, 18},     {RL_PERIOD_FROM, RK_TEXT, 15},
    {RL_PERIOD_TO, RK_TEXT, 15},   {RL_OWNER, RK_TEXT, 28},        {RL_CAMERAS, RK_INT, 10},
    {RL_NEEDING_WORK, RK_INT, 11}, {RL_DOWN_NOW, RK_INT, 11},      {RL_ITEMS, RK_INT, 10},
    {RL_COST_VND, RK_VND, 17},     {RL_PRIORITY_COST, RK_VND, 17}, {RL_UNPRICED, RK_INT, 11},
};

static const struct rcol province_action_cols[] = {
    {RL_STT, RK_INT, 5},       {RL_ACTION, RK_TEXT, 40},  {RL_COUNT, RK_INT, 10},
    {RL_COST_VND, RK_VND, 18}, {RL_UNPRICED, RK_INT, 12},
};

/* The need columns (cameras .. unpriced) of o into r. */
static void need_cells(struct rcell *r, enum report_lang l, const json_t *o, int with_avail)
{
    int k = 0;

    rcell_json(&r[k++], json_object_get(o, "cameras"));
    rcell_json(&r[k++], json_object_get(o, "needing_work"));
    rcell_json(&r[k++], json_object_get(o, "down_now"));
    if (with_avail)
        rcell_json(&r[k++], json_object_get(o, "availability_pct"));
    rcell_json(&r[k++], json_object_get(o, "actions"));
    rcell_cost(&r[k++], l, o, "cost_vnd", "actions");
    rcell_cost_of(&r[k++], l, o, "priority_cost_vnd", "priority_actions", "priority_unpriced");
    rcell_json(&r[k++], json_object_get(o, "unpriced"));
}

static int district_tables(struct rmodel *m, const json_t *doc)
{
    enum report_lang l = m->lang;
    const json_t *d, *o, *total = json_object_get(doc, "total");
    struct rtable *t =
        rmodel_table(m, RL_SEC_DISTRICTS, RL_SHEET_SUMMARY, district_cols, NCOLS(district_cols));
    struct rtable *t2;
    struct rcell *r;
    size_t i, k, n = 0;
    char buf[64];

    json_array_foreach(json_object_get(doc, "districts"), i, d)
    {
        if ((r = rtable_row(t)) == NULL)
            return -1;
        rcell_num(&r[0], (double)(i + 1));
        rcell_text(&r[1], rj_str(d, "site"));
        need_cells(&r[2], l, d, 1);
    }
    if ((r = rtable_row(t)) == NULL)
        return -1;
    rcell_text(&r[1], rlabel(l, RL_PROVINCE_TOTAL));
    need_cells(&r[2], l, total, 1);
    t->total_row = 1;
    m->detail = m->ntables;
    t2 = rmodel_table(m, RL_SEC_DISTRICT_OWNERS, RL_SHEET_OWNERS, district_owner_cols,
                      NCOLS(district_owner_cols));
    json_array_foreach(json_object_get(doc, "districts"), i, d)
    {
        json_array_foreach(json_object_get(d, "owners"), k, o)
        {
            if ((r = rtable_row(t2)) == NULL)
                return -1;
            rcell_num(&r[0], (double)++n);
            rcell_text(&r[1], rj_str(d, "site"));
            rcell_text(&r[2], rfmt_period_start(l, rj_str(d, "from"), buf, sizeof(buf)));
            rcell_text(&r[3], rfmt_period_end(l, rj_str(d, "to"), buf, sizeof(buf)));
            rcell_text(&r[4], rj_owner(o, "owner"));
            need_cells(&r[5], l, o, 0);
        }
    }
    return 0;
}

/* When the districts sent different periods, a note giving each one's: the heading's period
 * runs from the first start to the last end, which is none of theirs alone. 0, or -1. */
static int periods_note(struct rmodel *m, const json_t *districts)
{
    enum report_lang l = m->lang;
    const json_t *d, *first = json_array_get(districts, 0);
    char from[64], to[64], *list = NULL, *note = NULL;
    size_t len = 0, i;
    int same = 1, rc = -1;
    FILE *f;

    json_array_foreach(districts, i, d)
    {
        same &= strcmp(rj_str(d, "from"), rj_str(first, "from")) == 0 &&
                strcmp(rj_str(d, "to"), rj_str(first, "to")) == 0;
    }
    if (same)
        return 0;
    if ((f = open_memstream(&list, &len)) == NULL)
        return -1;
    json_array_foreach(districts, i, d)
    {
        fputs(i > 0 ? "; " : "", f);
        fprintf(f, rlabel(l, RL_DISTRICT_PERIOD), rj_str(d, "site"),
                rfmt_period_start(l, rj_str(d, "from"), from, sizeof(from)),
                rfmt_period_end(l, rj_str(d, "to"), to, sizeof(to)));
    }
    if (fclose(f) == 0 &&
        (note = malloc(strlen(rlabel(l, RL_PERIODS_DIFFER)) + strlen(list) + 1)) != NULL) {
        sprintf(note, rlabel(l, RL_PERIODS_DIFFER), list);
        rc = rmodel_note(m, note);
        free(note);
    }
    free(list);
    return rc;
}

int rmodel_province(struct rmodel *m, const json_t *doc)
{
    enum report_lang l = m->lang;
    const json_t *o, *acts = json_object_get(doc, "by_action");
    struct rtable *t;
    struct rcell *r;
    size_t i;

    if (rmodel_heading(m, doc, RL_TITLE_PROVINCE) != 0 || district_tables(m, doc) != 0)
        return -1;
    t = rmodel_table(m, RL_SEC_ACTIONS, RL_SHEET_ACTIONS, province_action_cols,
                     NCOLS(province_action_cols));
    json_array_foreach(acts, i, o)
    {
        if ((r = rmodel_action_row(t, l, i, o)) == NULL)
            return -1;
        rcell_cost(&r[3], l, o, "cost_vnd", "count");
        rcell_json(&r[4], json_object_get(o, "unpriced"));
    }
    if ((r = rtable_row(t)) == NULL)
        return -1;
    rcell_text(&r[1], rlabel(l, RL_TOTAL));
    rcell_json(&r[2], json_object_get(json_object_get(doc, "total"), "actions"));
    rcell_cost(&r[3], l, json_object_get(doc, "total"), "cost_vnd", "actions");
    rcell_json(&r[4], json_object_get(json_object_get(doc, "total"), "unpriced"));
    t->total_row = 1;
    if (rmodel_cost_chart(m, acts) != 0 || periods_note(m, json_object_get(doc, "districts")) != 0)
        return -1;
    return rmodel_note(m, rlabel(l, RL_DEF_PRIORITY));
}
