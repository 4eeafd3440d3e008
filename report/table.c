/* table.c - the building blocks of a report's table model (model.h): tables, rows and cells,
 * charts and notes, the heading every report carries, a cell as text, and the charts more than
 * one report draws. Owns the strings it makes; freed by rmodel_free. */
#define _GNU_SOURCE /* vasprintf, asprintf */
#include "model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "../util/text.h"
#include "../util/vec.h"

#define RCHART_WEEK_RANGES                                                                         \
    6 /* up to this many weeks, each labelled with its first and last day                          \
       */

const char *rj_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

const char *rj_owner(const json_t *o, const char *key)
{
    const char *name = rj_str(o, "owner_name");

    return name[0] != '\0' ? name : rj_str(o, key);
}

double rj_num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

struct rtable *rmodel_table(struct rmodel *m, enum rlabel_id title, enum rlabel_id sheet,
                            const struct rcol *cols, size_t ncols)
{
    struct rtable *t;

    if (m->ntables == RMODEL_TABLES)
        return NULL;
    t = &m->tables[m->ntables++];
    memset(t, 0, sizeof(*t));
    t->title = title;
    t->sheet = sheet;
    t->cols = cols;
    t->ncols = ncols;
    return t;
}

struct rcell *rtable_row(struct rtable *t)
{
    struct rcell *row;

    if (t == NULL)
        return NULL;
    if (cw_vec_grow(&t->cells, t->nrows, &t->cap, t->ncols * sizeof(*t->cells), 16) != 0)
        return NULL;
    row = &t->cells[t->nrows * t->ncols];
    for (size_t i = 0; i < t->ncols; i++)
        row[i] = (struct rcell){.null = 1};
    t->nrows++;
    return row;
}

void rcell_text(struct rcell *c, const char *s)
{
    free(c->text);
    c->text = s != NULL ? strdup(s) : NULL;
    c->null = c->text == NULL;
}

void rcell_num(struct rcell *c, double v)
{
    c->num = v;
    c->null = 0;
}

void rcell_json(struct rcell *c, const json_t *v)
{
    if (json_is_number(v))
        rcell_num(c, json_number_value(v));
}

void rcell_cost(struct rcell *c, enum report_lang l, const json_t *o, const char *key,
                const char *count)
{
    rcell_cost_of(c, l, o, key, count, "unpriced");
}

void rcell_cost_of(struct rcell *c, enum report_lang l, const json_t *o, const char *key,
                   const char *count, const char *unpriced)
{
    const json_t *v = json_object_get(o, key), *u = json_object_get(o, unpriced);
    json_int_t n = count != NULL ? json_integer_value(json_object_get(o, count)) : 0;

    if (json_is_null(v) || (n > 0 && json_is_integer(u) && json_integer_value(u) == n))
        rcell_text(c, rlabel(l, RL_NO_PRICE));
    else
        rcell_json(c, v);
}

void rcell_hours(struct rcell *c, const json_t *ms)
{
    if (json_is_integer(ms))
        rcell_num(c, rhours(json_integer_value(ms)));
}

struct rchart *rmodel_chart(struct rmodel *m, enum rlabel_id title, enum rkind kind, int vertical,
                            size_t n)
{
    struct rchart *ch;

    if (m->ncharts == RMODEL_CHARTS)
        return NULL;
    ch = &m->charts[m->ncharts];
    memset(ch, 0, sizeof(*ch));
    ch->labels = calloc(n + 1, sizeof(*ch->labels));
    ch->values = calloc(n + 1, sizeof(*ch->values));
    if (ch->labels == NULL || ch->values == NULL) {
        free(ch->labels);
        free(ch->values);
        return NULL;
    }
    ch->title = title;
    ch->kind = kind;
    ch->vertical = vertical;
    ch->n = n;
    m->ncharts++;
    return ch;
}

int rmodel_note(struct rmodel *m, const char *text)
{
    if (m->nnotes == RMODEL_NOTES || (m->notes[m->nnotes] = strdup(text)) == NULL)
        return -1;
    m->nnotes++;
    return 0;
}

int rmodel_oom(struct rmodel *m, int failed, struct cw_err *err)
{
    (void)m;
    if (!failed)
        return 0;
    if (err != NULL && err->msg[0] == '\0')
        cw_err_set(err, NULL, 0, NULL, "report: out of memory");
    return -1;
}

const char *rcell_string(const struct rmodel *m, const struct rcol *col, const struct rcell *c,
                         int group, char *buf, size_t len)
{
    if (c->null) {
        snprintf(buf, len, "%s", "");
    } else if (col->kind == RK_TEXT || c->text != NULL) {
        snprintf(buf, len, "%s", c->text != NULL ? c->text : "");
    } else if (col->kind == RK_INT || col->kind == RK_VND) {
        if (group)
            rfmt_int(m->lang, (int64_t)c->num, buf, len);
        else
            snprintf(buf, len, "%lld", (long long)c->num);
    } else {
        rfmt_dec(m->lang, c->num, 2, buf, len);
        if (!group) /* no grouping in CSV: a reader takes 1.234,50 for text */
            for (char *p = buf, *q = buf;; p++) {
                if (*p != (m->lang == REPORT_VI ? '.' : ','))
                    *q++ = *p;
                if (*p == '\0')
                    break;
            }
    }
    return buf;
}

/* printf into a new string; NULL when out of memory. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

/* The upper case of a lower-case letter of Vietnamese (ASCII, Latin-1 à..ý, ă đ ĩ ũ ơ ư and
 * the Latin Extended Additional block ạ..ỹ, whose pairs are upper even, lower odd); any
 * other code point as it is. */
static uint32_t vi_upper(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return c - 32;
    if (c == 0x103 || c == 0x111 || c == 0x129 || c == 0x169 || c == 0x1A1 || c == 0x1B0 ||
        (c >= 0x1EA1 && c <= 0x1EF9 && (c & 1)))
        return c - 1;
    return c;
}

/* s in upper case, for headings. Caller frees; NULL when out of memory. */
static char *upper(const char *s)
{
    char *u = malloc(strlen(s) * 2 + 1), *o = u;

    if (u == NULL)
        return NULL;
    while (*s != '\0')
        o += cw_text_put(vi_upper(cw_text_next(&s)), o);
    *o = '\0';
    return u;
}

int rmodel_heading(struct rmodel *m, const json_t *doc, enum rlabel_id title)
{
    enum report_lang l = m->lang;
    const char *auth = rj_str(doc, "authority"), *site = rj_str(doc, "site");
    const char *gen = rj_str(doc, "generated");
    char from[48], to[48], when[48];
    int y = 0, mo = 0, d = 0;
    char dd[8], mm[8], yy[8];

    if (auth[0] == '\0')
        auth = site;
    sscanf(gen, "%4d-%2d-%2d", &y, &mo, &d);
    snprintf(dd, sizeof(dd), "%02d", d);
    snprintf(mm, sizeof(mm), "%02d", mo);
    snprintf(yy, sizeof(yy), "%04d", y);
    m->authority = upper(auth);
    m->heading = strdup(rlabel(l, RL_APPENDIX));
    m->title = upper(rlabel(l, title));
    m->attached = fmt(rlabel(l, RL_ATTACHED), auth);
    m->period =
        fmt(rlabel(l, RL_PERIOD), rfmt_period_start(l, rj_str(doc, "from"), from, sizeof(from)),
            rfmt_period_end(l, rj_str(doc, "to"), to, sizeof(to)));
    m->generated = fmt(rlabel(l, RL_GENERATED), rfmt_datetime(l, gen, when, sizeof(when)));
    if (l == REPORT_VI)
        m->place_date = fmt(rlabel(l, RL_PLACE_DATE), site, dd, mm, yy);
    else
        m->place_date = fmt(rlabel(l, RL_PLACE_DATE), site, rfmt_date(l, gen, when, sizeof(when)));
    return m->authority && m->heading && m->title && m->attached && m->period && m->generated &&
                   m->place_date
               ? 0
               : -1;
}

void rmodel_free(struct rmodel *m)
{
    free(m->authority);
    free(m->heading);
    free(m->title);
    free(m->attached);
    free(m->period);
    free(m->generated);
    free(m->place_date);
    for (size_t i = 0; i < m->ntables; i++) {
        for (size_t k = 0; k < m->tables[i].nrows * m->tables[i].ncols; k++)
            free(m->tables[i].cells[k].text);
        free(m->tables[i].cells);
    }
    for (size_t i = 0; i < m->ncharts; i++) {
        for (size_t k = 0; k < m->charts[i].n; k++)
            free(m->charts[i].labels[k]);
        free(m->charts[i].labels);
        free(m->charts[i].values);
        free(m->charts[i].note);
    }
    for (size_t i = 0; i < m->nnotes; i++)
        free(m->notes[i]);
    memset(m, 0, sizeof(*m));
}

/* A chart of one bar per element of arr: its label by label() (a new string, NULL when out of
 * memory; n is the number of bars), its value o[key]. */
static int chart_of(struct rmodel *m, enum rlabel_id title, enum rkind kind, int vertical,
                    const json_t *arr,
                    char *(*label)(enum report_lang lang, const json_t *o, size_t n),
                    const char *key)
{
    struct rchart *ch = rmodel_chart(m, title, kind, vertical, json_array_size(arr));
    const json_t *o;
    size_t i;

    if (ch == NULL)
        return -1;
    json_array_foreach(arr, i, o)
    {
        if ((ch->labels[i] = label(m->lang, o, json_array_size(arr))) == NULL)
            return -1;
        ch->values[i] = rj_num(o, key);
    }
    return 0;
}

static char *owner_label(enum report_lang lang, const json_t *o, size_t n)
{
    (void)lang;
    (void)n;
    return strdup(rj_owner(o, "owner"));
}

/* A week's label: its Monday and Sunday while few weeks share the chart ("30/11–06/12"; en
 * "11-30–12-06"), else its Monday ("30/11"). */
static char *week_label(enum report_lang lang, const json_t *o, size_t n)
{
    const char *monday = rj_str(o, "start");
    int with_end = n <= RCHART_WEEK_RANGES;
    char *out = NULL;
    struct tm tm = {0};
    char a[16], b[16], sun[16];
    time_t t;

    if (sscanf(monday, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return strdup("");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    t = timegm(&tm) + 6 * 86400;
    gmtime_r(&t, &tm);
    strftime(sun, sizeof(sun), "%Y-%m-%d", &tm);
    /* dd/mm (vi) or mm-dd (en): the date without its year */
    if (lang == REPORT_VI) {
        rfmt_date(lang, monday, a, sizeof(a));
        rfmt_date(lang, sun, b, sizeof(b));
        a[5] = b[5] = '\0';
    } else {
        snprintf(a, sizeof(a), "%s", monday + 5);
        snprintf(b, sizeof(b), "%s", sun + 5);
    }
    if (!with_end)
        return strdup(a);
    return asprintf(&out, "%s–%s", a, b) < 0 ? NULL : out;
}

struct rcell *rmodel_action_row(struct rtable *t, enum report_lang l, size_t i, const json_t *o)
{
    struct rcell *r = rtable_row(t);

    if (r == NULL)
        return NULL;
    rcell_num(&r[0], (double)(i + 1));
    rcell_text(&r[1], rlabel_action(l, rj_str(o, "action")));
    rcell_json(&r[2], json_object_get(o, "count"));
    return r;
}

/* The bar of o, a kind of work with some of it priced: its words, and how many of it have no
 * price ("Replace the camera (1 no price)"), at the sum of what is priced. */
static int cost_bar(struct rmodel *m, struct rchart *ch, const json_t *o)
{
    const char *name = rlabel_action(m->lang, rj_str(o, "action"));
    json_int_t unpriced = (json_int_t)rj_num(o, "unpriced");
    char *label = NULL;

    if (unpriced > 0) {
        if (asprintf(&label, "%s (%lld %s)", name, (long long)unpriced,
                     rlabel(m->lang, RL_NO_PRICE)) < 0)
            label = NULL;
    } else {
        label = strdup(name);
    }
    if (label == NULL)
        return -1;
    ch->labels[ch->n] = label;
    ch->values[ch->n++] = rj_num(o, "cost_vnd");
    return 0;
}

/* A bar of 0 for work with no price in [costs] would tell the reader it is free, as a 0 in a
 * table would: a kind of work none of which is priced is no bar, and is named with its count
 * in the chart's note; one priced in part is the bar of its priced part, its label saying how
 * many have no price. A price of 0 set in [costs] is a price, and a bar of 0. */
int rmodel_cost_chart(struct rmodel *m, const json_t *by_action)
{
    struct rchart *ch = rmodel_chart(m, RL_CHART_COSTS, RK_VND, 0, json_array_size(by_action));
    char *left = NULL;
    size_t len = 0, i;
    FILE *f;
    const json_t *o;
    int rc = -1;

    if (ch == NULL || (f = open_memstream(&left, &len)) == NULL)
        return -1;
    ch->n = 0; /* the bars made so far: what rmodel_free frees */
    json_array_foreach(by_action, i, o)
    {
        json_int_t count = (json_int_t)rj_num(o, "count");
        json_int_t unpriced = (json_int_t)rj_num(o, "unpriced");
        if (json_is_integer(json_object_get(o, "cost_vnd")) && (count == 0 || unpriced < count)) {
            if (cost_bar(m, ch, o) != 0)
                goto done;
            continue;
        }
        fprintf(f, "%s%s (%lld)", ftell(f) > 0 ? ", " : "",
                rlabel_action(m->lang, rj_str(o, "action")), (long long)count);
    }
    rc = 0;
done:
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && len > 0 &&
        asprintf(&ch->note, "%s: %s.", rlabel(m->lang, RL_CHART_LEFT_OUT), left) < 0) {
        ch->note = NULL;
        rc = -1;
    }
    free(left);
    return rc;
}

int rmodel_avail_chart(struct rmodel *m, const json_t *owners)
{
    return chart_of(m, RL_CHART_AVAIL, RK_PCT, 0, owners, owner_label, "availability_pct");
}

int rmodel_weeks_chart(struct rmodel *m, const json_t *weeks)
{
    return chart_of(m, RL_CHART_WEEKS, RK_INT, 1, weeks, week_label, "outages");
}
