/* api_report.c - the district's reports and tickets over the API. A report is the CLI's
 * document (doc_availability, doc_backlog) in three steps: the month of events and the other
 * facts over the whole fleet read on the API's workers with a connection of their own
 * (doc_report_read: report_read_*), the document built from them on the loop, which owns the
 * zone and the configuration (doc_report_build), then rendered by report/ on the workers in
 * the format asked (json, csv, xlsx, html: what `camwatch report` writes: report_*), with its
 * Content-Type and a Content-Disposition naming the file. Tickets: the list read (a view:
 * api_view_start), and opening and closing (admin) written, on a worker with a connection of its
 * own (doc_ticket_*_apply), answered from the loop. Loop thread, but for the jobs' work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../report/report.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "api_priv.h"

#define TICKET_NOTE_MAX 1000 /* bytes of a ticket's note (the store's own limit is checked too) */

static const struct {
    const char *type, *ext;
} formats[] = {
    [REPORT_JSON] = {"application/json; charset=utf-8", "json"},
    [REPORT_CSV] = {"text/csv; charset=utf-8", "csv"},
    [REPORT_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    [REPORT_HTML] = {"text/html; charset=utf-8", "html"},
};

/* The report page is self-contained: its own styles and inline SVG, nothing to fetch. */
#define REPORT_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

struct report_job {
    struct api_job j; /* first */
    json_t *doc;
    enum report_format fmt;
    enum report_lang lang;
    char *bytes;
    size_t len;
    char file[160];
};

static void report_work(struct api_job *j, struct store *s)
{
    struct report_job *r = (struct report_job *)j;
    FILE *f = open_memstream(&r->bytes, &r->len);

    (void)s; /* NULL (no_store): the document is built; the renderers never read the store */
    if (f == NULL) {
        j->rc = cw_err_set(&j->err, NULL, 0, NULL, "out of memory");
        return;
    }
    j->rc = report_render(r->doc, r->fmt, r->lang, f, &j->err);
    if (fclose(f) != 0 && j->rc == 0)
        j->rc = cw_err_set(&j->err, NULL, 0, NULL, "out of memory");
}

static void report_done(struct api_job *j)
{
    struct report_job *r = (struct report_job *)j;
    char disp[256];

    if (j->rc != 0) {
        api_reply_doc(&j->call, -1, NULL, &j->err);
        return;
    }
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", r->file);
    http_reply_header(j->call.req, "Content-Disposition", disp);
    if (r->fmt == REPORT_HTML)
        http_reply_header(j->call.req, "Content-Security-Policy", REPORT_CSP);
    http_reply_bytes(j->call.req, 200, formats[r->fmt].type, r->bytes, r->len, HTTP_MEM_TAKE);
    r->bytes = NULL; /* the server's now */
}

/* After the answer, the 503 of a stop, or a start that failed: the document and the bytes
 * not handed to the server. */
static void report_release(struct api_job *j)
{
    struct report_job *r = (struct report_job *)j;

    json_decref(r->doc);
    free(r->bytes);
}

/* "camwatch-backlog-2026-11-01-2026-11-25.xlsx": from the document's own range, so the name
 * says what is in it. Digits and '-' only from the dates. */
static void report_file_name(const json_t *doc, const char *kind, const char *ext, char *buf,
                             size_t len)
{
    const char *from = json_string_value(json_object_get(doc, "from"));
    const char *to = json_string_value(json_object_get(doc, "to"));
    char f[11] = "", t[11] = "";

    if (from != NULL && strspn(from, "0123456789-") >= 10)
        memcpy(f, from, 10);
    if (to != NULL && strspn(to, "0123456789-") >= 10)
        memcpy(t, to, 10);
    snprintf(buf, len, "camwatch-%.16s-%s-%s.%s", kind, f, t, ext);
}

/* The report's store reads, on a worker; the document is built from them on the loop and
 * handed to a render job. */
struct report_read_job {
    struct api_job j; /* first */
    struct doc_report_rows *rows;
    const char *kind; /* static */
    enum report_format fmt;
    enum report_lang lang;
    int64_t now_ms;
};

static void report_read_work(struct api_job *j, struct store *s)
{
    struct report_read_job *rr = (struct report_read_job *)j;

    if (s != NULL)
        j->rc = doc_report_read(s, rr->rows, &j->err);
}

static void report_read_done(struct api_job *j)
{
    struct report_read_job *rr = (struct report_read_job *)j;
    struct report_job *r;
    json_t *doc = NULL;

    if (j->rc == 0)
        j->rc = doc_report_build(&j->call.doc, rr->rows, rr->now_ms, &doc, &j->err);
    if (j->rc != 0) {
        api_reply_doc(&j->call, j->rc, NULL, &j->err);
        return;
    }
    if ((r = api_job_new(&j->call, sizeof(*r))) == NULL) {
        json_decref(doc);
        return;
    }
    r->doc = doc;
    r->fmt = rr->fmt;
    r->lang = rr->lang;
    report_file_name(doc, rr->kind, formats[r->fmt].ext, r->file, sizeof(r->file));
    /* Rendering (an XLSX workbook above all) is the workers' job; it needs no connection. */
    r->j.no_store = 1;
    r->j.release = report_release;
    api_job_start(&j->call, &r->j, STORE_READONLY, report_work, report_done);
}

static void report_read_release(struct api_job *j)
{
    doc_report_free(((struct report_read_job *)j)->rows);
}

/* GET /api/v1/reports/{kind}?from&to&format&lang */
void api_report(struct api_call *c)
{
    const char *kind = c->caps.v[0], *fmt = http_req_query(c->req, "format");
    const char *lang = http_req_query(c->req, "lang");
    int64_t now = cw_now_ms(), from, to;
    enum doc_report_kind k;
    struct report_read_job *rr;
    struct cw_err err;
    int rc;

    if (strcmp(kind, "availability") == 0) {
        k = DOC_REPORT_AVAILABILITY;
        kind = "availability";
    } else if (strcmp(kind, "backlog") == 0) {
        k = DOC_REPORT_BACKLOG;
        kind = "backlog";
    } else {
        http_reply_error(c->req, 404, "not_found", "no report '%.64s' (availability or backlog)",
                         kind);
        return;
    }
    if ((rr = api_job_new(c, sizeof(*rr))) == NULL)
        return;
    if (fmt != NULL && report_format_parse(fmt, &rr->fmt) != 0) {
        api_reply_bad_param(c, "format", "json, csv, xlsx or html, not '%.32s'", fmt);
        goto fail;
    }
    if (report_lang_parse(lang != NULL ? lang : c->doc.cfg->language, &rr->lang) != 0) {
        api_reply_bad_param(c, "lang", "vi or en, not '%.32s'", lang);
        goto fail;
    }
    /* Read as the CLI reads it (cw_range_at); from defaults to the month's start. */
    cw_start_of_month(c->doc.tz, now, &from);
    if (cw_range_at(http_req_query(c->req, "from"), http_req_query(c->req, "to"), c->doc.tz, now,
                    "", &from, &to, &err) != 0) {
        api_reply_bad_param(c, err.field, "%s", err.msg);
        goto fail;
    }
    /* The range's weeks in the site's zone, here; the store's reads on a worker. */
    if ((rc = doc_report_begin(&c->doc, k, from, to, &rr->rows, &err)) != 0) {
        api_reply_doc(c, rc, NULL, &err);
        goto fail;
    }
    rr->kind = kind;
    rr->now_ms = now;
    rr->j.release = report_read_release;
    api_job_start(c, &rr->j, STORE_READONLY, report_read_work, report_read_done);
    return;
fail:
    free(rr);
}

/* ---- tickets ---- */

/* GET /tickets?camera&all */
void api_tickets(struct api_call *c)
{
    const char *all = http_req_query(c->req, "all");
    const struct doc_tickets_query q = {http_req_query(c->req, "camera"),
                                        all != NULL &&
                                            (strcmp(all, "1") == 0 || strcmp(all, "true") == 0)};

    if (all != NULL && !q.all && strcmp(all, "0") != 0 && strcmp(all, "false") != 0) {
        api_reply_bad_param(c, "all", "true or false, not '%.32s'", all);
        return;
    }
    api_view_start(c, &doc_view_tickets, &q, NULL);
}

struct ticket_job {
    struct api_job j; /* first */
    int close;
    int64_t id;
    char camera[CFG_ID_MAX + 1], action[32], note[TICKET_NOTE_MAX + 1];
    int has_cost;
    int64_t cost_vnd, at_ms;
    struct store_ticket t;
};

static void ticket_work(struct api_job *j, struct store *s)
{
    struct ticket_job *t = (struct ticket_job *)j;
    const struct doc_ticket_new tn = {t->camera,   t->action,   t->note[0] ? t->note : NULL,
                                      t->has_cost, t->cost_vnd, j->call.who,
                                      t->at_ms};

    if (s == NULL)
        return;
    if (t->close)
        j->rc = doc_ticket_close_apply(s, t->id, j->call.who, t->note[0] ? t->note : NULL, t->at_ms,
                                       &t->t, &j->err);
    else
        j->rc = doc_ticket_add_apply(s, &tn, &t->t, &j->err);
}

static void ticket_done(struct api_job *j)
{
    struct ticket_job *t = (struct ticket_job *)j;
    json_t *doc = NULL;
    int rc = j->rc < 0 ? -1 : doc_ticket_result(&j->call.doc, j->rc, &t->t, &doc, &j->err);

    if (rc == 0)
        log_info("api: %s %s ticket %lld (%s %s)", j->call.who, t->close ? "closed" : "opened",
                 (long long)t->t.id, t->t.camera_id, t->t.action);
    if (rc == 0 && !t->close)
        http_reply_json(j->call.req, 201, doc);
    else
        api_reply_doc(&j->call, rc, doc, &j->err);
}

/* POST /api/v1/tickets {camera, action, note, cost_vnd} */
void api_ticket_add(struct api_call *c)
{
    static const struct httpparse_field fields[] = {
        {"camera", HTTPPARSE_STRING, 1, CFG_ID_MAX},
        {"action", HTTPPARSE_STRING, 1, 31},
        {"note", HTTPPARSE_STRING, 0, TICKET_NOTE_MAX},
        {"cost_vnd", HTTPPARSE_INT, 0, (size_t)1e15},
    };
    struct ticket_job *t;
    json_t *o;

    t = api_body_job(c, fields, 4,
                     "expected {\"camera\": \"ID\", \"action\": \"clean_lens\", \"note\": "
                     "\"...\", \"cost_vnd\": 200000}",
                     sizeof(*t), &o);
    if (t == NULL)
        return;
    api_body_text(o, "camera", t->camera, sizeof(t->camera));
    api_body_text(o, "action", t->action, sizeof(t->action));
    api_body_text(o, "note", t->note, sizeof(t->note));
    t->has_cost = json_object_get(o, "cost_vnd") != NULL;
    t->cost_vnd = t->has_cost ? json_integer_value(json_object_get(o, "cost_vnd")) : 0;
    t->at_ms = cw_now_ms();
    json_decref(o);
    api_job_start(c, &t->j, STORE_READWRITE, ticket_work, ticket_done);
}

/* POST /api/v1/tickets/{id}/close {note} */
void api_ticket_close(struct api_call *c)
{
    static const struct httpparse_field fields[] = {
        {"note", HTTPPARSE_STRING, 0, TICKET_NOTE_MAX},
    };
    struct ticket_job *t;
    uint64_t id;
    json_t *o;

    if (httpparse_uint(c->caps.v[0], 1, INT64_MAX, &id) != 0) {
        http_reply_error(c->req, 404, "not_found", "no ticket '%.64s'", c->caps.v[0]);
        return;
    }
    if ((t = api_body_job(c, fields, 1, "expected {\"note\": \"...\"}", sizeof(*t), &o)) == NULL)
        return;
    t->close = 1;
    t->id = (int64_t)id;
    api_body_text(o, "note", t->note, sizeof(t->note));
    t->at_ms = cw_now_ms();
    json_decref(o);
    api_job_start(c, &t->j, STORE_READWRITE, ticket_work, ticket_done);
}
