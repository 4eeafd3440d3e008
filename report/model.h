/* model.h - a report as the formats print it: its heading lines, its tables (columns with
 * their kind, rows of cells) and its charts, built once from the document in one language
 * (model.c; the building blocks in table.c, each report in model_backlog.c and
 * model_avail.c). XLSX, CSV
 * and HTML each only lay the model out, so they cannot disagree on a figure. A model owns
 * every string in it. Private to report/. */
#ifndef CW_REPORT_MODEL_H
#define CW_REPORT_MODEL_H

#include <jansson.h>
#include <stddef.h>

#include "../util/err.h"
#include "lang.h"

enum rkind {
    RK_TEXT,
    RK_INT,   /* a count */
    RK_VND,   /* whole đồng */
    RK_PCT,   /* a percentage, 2 decimals */
    RK_HOURS, /* a duration in hours, 2 decimals */
};

struct rcol {
    enum rlabel_id head;
    enum rkind kind;
    double width; /* in characters: the XLSX column and, in proportion, the HTML one */
};

struct rcell {
    int null;   /* no value: an empty cell */
    double num; /* numbers */
    char *text; /* RK_TEXT; lines separated by '\n'. In a number column: a word in place of
                 * the number ("no price"), written as text by every format */
};

struct rtable {
    enum rlabel_id title; /* the section heading */
    enum rlabel_id sheet; /* the XLSX sheet */
    const struct rcol *cols;
    size_t ncols;
    struct rcell *cells; /* nrows * ncols */
    size_t nrows, cap;
    int total_row; /* the last row totals the others */
};

struct rchart {
    enum rlabel_id title;
    enum rkind kind; /* of the values */
    int vertical;    /* bars up from a baseline (a time series); else bars across */
    size_t n;
    char **labels;
    double *values;
    char *note; /* under the chart (what it leaves out, and why); NULL when none */
};

#define RMODEL_TABLES 4
#define RMODEL_CHARTS 3
#define RMODEL_NOTES 6

struct rmodel {
    enum report_lang lang;
    char *authority;  /* the issuing body, upper case for the heading; "" when none */
    char *heading;    /* "PHỤ LỤC" */
    char *title;      /* upper case */
    char *attached;   /* "(Kèm theo Báo cáo số … của …)" */
    char *period;     /* "Kỳ báo cáo: từ ngày … đến ngày …" */
    char *generated;  /* "Số liệu tính đến …" */
    char *place_date; /* "Lai Vung, ngày … tháng … năm …" */
    struct rtable tables[RMODEL_TABLES];
    size_t ntables;
    size_t detail; /* the table CSV writes */
    struct rchart charts[RMODEL_CHARTS];
    size_t ncharts;
    char *notes[RMODEL_NOTES];
    size_t nnotes;
};

/* Build m from doc (a backlog, availability or province document) in lang. Returns 0, or -1
 * with err (a document of another kind or version, a field missing, out of memory); m is
 * freed on failure. */
int rmodel_build(const json_t *doc, enum report_lang lang, struct rmodel *m, struct cw_err *err);
void rmodel_free(struct rmodel *m);

/* A cell as the text formats write it ("" for an empty cell): counts and money whole
 * (grouped when group is set: 4.500.000), percentages and hours with 2 decimals, in m's
 * language. Returns buf. */
const char *rcell_string(const struct rmodel *m, const struct rcol *col, const struct rcell *c,
                         int group, char *buf, size_t len);

/* ---- table.c: the building blocks the reports' models share ---- */

/* Start table t of m with these columns; the next rows go to it. */
struct rtable *rmodel_table(struct rmodel *m, enum rlabel_id title, enum rlabel_id sheet,
                            const struct rcol *cols, size_t ncols);
/* Append a row; its cells are set with rcell_*. NULL when out of memory. */
struct rcell *rtable_row(struct rtable *t);
void rcell_text(struct rcell *c, const char *s); /* copied; NULL: an empty cell */
void rcell_num(struct rcell *c, double v);
/* A JSON number, or an empty cell for null or absent. */
void rcell_json(struct rcell *c, const json_t *v);
/* A JSON integer of ms, in hours. */
void rcell_hours(struct rcell *c, const json_t *ms);
/* The cost o[key] in đồng, or the words "no price" when it has none: null, or o's unpriced
 * equal to its o[count] (> 0) so that the sum is of no priced work. Unpriced work is never
 * shown as free. */
void rcell_cost(struct rcell *c, enum report_lang l, const json_t *o, const char *key,
                const char *count);
/* rcell_cost with the count of unpriced work in o[unpriced] (the part of a figure: the cost at
 * priority sites, "priority_unpriced" of its "priority_actions"). */
void rcell_cost_of(struct rcell *c, enum report_lang l, const json_t *o, const char *key,
                   const char *count, const char *unpriced);
/* A chart of n bars; labels and values are set by the caller. NULL when out of memory. */
struct rchart *rmodel_chart(struct rmodel *m, enum rlabel_id title, enum rkind kind, int vertical,
                            size_t n);
/* The heading lines every report carries, from the document's header. */
int rmodel_heading(struct rmodel *m, const json_t *doc, enum rlabel_id title);
/* A note below the tables (copied). */
int rmodel_note(struct rmodel *m, const char *text);
/* The model failed for want of memory, unless a message was set: err, and -1. */
int rmodel_oom(struct rmodel *m, int failed, struct cw_err *err);

const char *rj_str(const json_t *o, const char *key); /* "" when absent */
double rj_num(const json_t *o, const char *key);      /* 0 when absent */
/* o's owner_name, or o[key] (the code, a commune) when it has none. */
const char *rj_owner(const json_t *o, const char *key);

/* ---- each report's model ---- */
int rmodel_backlog(struct rmodel *m, const json_t *doc);      /* model_backlog.c */
int rmodel_availability(struct rmodel *m, const json_t *doc); /* model_avail.c */
int rmodel_province(struct rmodel *m, const json_t *doc);     /* model_avail.c */
/* The owners' availability chart from an availability summary's owners. */
int rmodel_avail_chart(struct rmodel *m, const json_t *owners);
/* A cost-by-kind-of-work table's row for o, the i-th of a document's by_action: its number,
 * the work in words and its count in cells 0 to 2; the caller fills the rest. NULL when out of
 * memory. */
struct rcell *rmodel_action_row(struct rtable *t, enum report_lang l, size_t i, const json_t *o);
/* The cost-by-kind-of-work chart from a document's by_action. */
int rmodel_cost_chart(struct rmodel *m, const json_t *by_action);
/* The outages-per-week chart from a summary's weeks. */
int rmodel_weeks_chart(struct rmodel *m, const json_t *weeks);

#endif
