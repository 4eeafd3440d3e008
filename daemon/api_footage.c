/* api_footage.c - the investigators' endpoints over the footage documents (index/doc.h):
 * footage find, and requests (create, list, show). A query is read and checked on the loop
 * (doc_footage_query_read, doc_footage_check: a bad one is a 400 naming the parameter and
 * nothing is written); what touches footage is first an audit row carrying the token's
 * name, written on the API's workers with a connection of their own, then the footage over
 * the range read there too (doc_footage_read, doc_request_read, as is the requests' list);
 * the answer is the document the CLI prints, built from those rows on the loop
 * (doc_footage_build). Loop thread, but for the jobs' work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "api_priv.h"

/* Copy src into dst (len bytes) when it fits; -1 when it does not. NULL copies as "". */
static int copy_fits(char *dst, size_t len, const char *src)
{
    return snprintf(dst, len, "%s", src != NULL ? src : "") < (int)len ? 0 : -1;
}

/* The audit's words for a query: subject names the place, detail the range. */
static void query_words(const struct api_call *c, const struct doc_footage_query *q, char *subject,
                        size_t subject_len, char *detail, size_t detail_len)
{
    char from[64], to[64];

    if (q->place == STORE_PLACE_POINT)
        snprintf(subject, subject_len, "near %.6f,%.6f radius %.0f m", q->lat, q->lon, q->radius_m);
    else if (q->place == STORE_PLACE_TEXT)
        snprintf(subject, subject_len, "place \"%.90s\"", q->text);
    else
        snprintf(subject, subject_len, "cameras %.100s", q->cameras);
    snprintf(detail, detail_len, "footage of %s to %s",
             cw_format_iso(q->from_ms, c->doc.tz, from, sizeof(from)),
             cw_format_iso(q->to_ms, c->doc.tz, to, sizeof(to)));
}

/* ---- footage find ---- */

struct find_job {
    struct api_job j; /* first */
    struct doc_footage_query q;
    char text[256], cameras[1024];
    char subject[128], detail[256];
    int64_t at_ms;
    struct doc_footage_rows *rows; /* the worker's reads */
};

static void find_work(struct api_job *j, struct store *s)
{
    struct find_job *f = (struct find_job *)j;

    if (s == NULL)
        return;
    /* No audit row, no answer: what an investigator saw is always on the record. */
    j->rc = store_audit_append(s, f->at_ms, j->call.who, "footage.find", f->subject, f->detail,
                               NULL, &j->err);
    if (j->rc == 0)
        j->rc = doc_footage_read(s, &f->q, &f->rows, &j->err);
}

/* The answer of a footage job: the document built from rows, or the reads' error. */
static void footage_done(struct api_job *j, const struct doc_footage_rows *rows)
{
    json_t *doc = NULL;

    if (j->rc == 0)
        j->rc = doc_footage_build(&j->call.doc, rows, &doc, &j->err);
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void find_done(struct api_job *j)
{
    footage_done(j, ((struct find_job *)j)->rows);
}

static void find_release(struct api_job *j)
{
    doc_footage_free(((struct find_job *)j)->rows);
}

/* The query of c's parameters (body 0) or of a request body's fields (body 1), words,
 * checked; 0, or -1 after answering 400 naming the parameter (bad_parameter) or the body's
 * field (bad_body). */
static int read_query(struct api_call *c, const struct doc_footage_words *w, int body,
                      struct doc_footage_query *q)
{
    const char *field;
    struct cw_err err;

    if (doc_footage_query_read(w, c->doc.tz, cw_now_ms(), q, &err) != 0 ||
        doc_footage_check(q, &err) != 0) {
        field = err.field[0] ? err.field : "place";
        if (body)
            http_reply_error(c->req, 400, "bad_body", "field '%s': %s", field, err.msg);
        else
            api_reply_bad_param(c, field, "%s", err.msg);
        return -1;
    }
    return 0;
}

void api_footage_find(struct api_call *c)
{
    const struct doc_footage_words w = {
        http_req_query(c->req, "from"),  http_req_query(c->req, "to"),
        http_req_query(c->req, "near"),  http_req_query(c->req, "radius"),
        http_req_query(c->req, "place"), http_req_query(c->req, "camera")};
    struct find_job *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    if (read_query(c, &w, 0, &f->q) != 0)
        goto fail;
    if (copy_fits(f->text, sizeof(f->text), f->q.text) != 0 ||
        copy_fits(f->cameras, sizeof(f->cameras), f->q.cameras) != 0) {
        api_reply_bad_param(c, f->q.text != NULL ? "place" : "camera", "too long");
        goto fail;
    }
    f->q.text = f->text;
    f->q.cameras = f->cameras;
    f->at_ms = f->q.now_ms;
    query_words(c, &f->q, f->subject, sizeof(f->subject), f->detail, sizeof(f->detail));
    f->j.release = find_release;
    api_job_start(c, &f->j, STORE_READWRITE, find_work, find_done);
    return;
fail:
    free(f);
}

/* ---- requests ---- */

/* A request id from the path; 0 (after answering 404) when it is not one. */
int64_t api_request_id(struct api_call *c, const char *s)
{
    uint64_t v;

    if (httpparse_uint(s, 1, INT64_MAX, &v) == 0)
        return (int64_t)v;
    http_reply_error(c->req, 404, "not_found", "no request '%.64s'", s);
    return 0;
}

/* GET /requests: the requests read on a worker, the list built on the loop. */
struct requests_job {
    struct api_job j; /* first */
    struct store_request *v;
    size_t n;
};

static void requests_work(struct api_job *j, struct store *s)
{
    struct requests_job *rj = (struct requests_job *)j;

    if (s != NULL && store_list_requests(s, &rj->v, &rj->n, &j->err) != 0)
        j->rc = -1;
}

static void requests_done(struct api_job *j)
{
    struct requests_job *rj = (struct requests_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0) {
        j->rc = doc_requests_rows(&j->call.doc, rj->v, rj->n, &doc, &j->err);
        rj->v = NULL; /* taken */
    }
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void requests_release(struct api_job *j)
{
    free(((struct requests_job *)j)->v);
}

void api_requests(struct api_call *c)
{
    struct requests_job *rj = calloc(1, sizeof(*rj));

    if (rj == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    rj->j.release = requests_release;
    api_job_start(c, &rj->j, STORE_READONLY, requests_work, requests_done);
}

/* GET /requests/{id}: the request and its footage read on a worker. */
struct show_job {
    struct api_job j; /* first */
    int64_t id, now_ms;
    struct doc_footage_rows *rows;
};

static void show_work(struct api_job *j, struct store *s)
{
    struct show_job *sj = (struct show_job *)j;

    if (s != NULL)
        j->rc = doc_request_read(s, sj->id, sj->now_ms, &sj->rows, &j->err);
}

static void show_done(struct api_job *j)
{
    footage_done(j, ((struct show_job *)j)->rows);
}

static void show_release(struct api_job *j)
{
    doc_footage_free(((struct show_job *)j)->rows);
}

void api_request(struct api_call *c)
{
    int64_t id = api_request_id(c, c->caps.v[0]);
    struct show_job *sj;

    if (id == 0)
        return;
    if ((sj = calloc(1, sizeof(*sj))) == NULL) {
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    sj->id = id;
    sj->now_ms = cw_now_ms();
    sj->j.release = show_release;
    api_job_start(c, &sj->j, STORE_READONLY, show_work, show_done);
}

struct create_job {
    struct api_job j; /* first */
    struct store_request r;
    json_t *doc;
};

static void create_work(struct api_job *j, struct store *s)
{
    struct create_job *cj = (struct create_job *)j;
    /* doc_request_create reads and writes the store only: no zone, no config. */
    const struct doc_ctx ctx = {s, NULL, NULL};

    if (s != NULL)
        j->rc = doc_request_create(&ctx, &cj->r, cj->r.created_ms, &cj->doc, &j->err);
}

static void create_done(struct api_job *j)
{
    struct create_job *cj = (struct create_job *)j;

    if (j->rc != 0) {
        api_reply_doc(&j->call, j->rc, NULL, &j->err);
        return;
    }
    log_info("api: %s made request %lld (case %s)", j->call.who,
             (long long)json_integer_value(json_object_get(cj->doc, "id")), cj->r.case_ref);
    http_reply_json(j->call.req, HTTP_CREATED, cj->doc);
}

#define CREATE_BODY                                                                                \
    "expected {\"from\", \"to\", one of \"near\" (\"LAT,LON\", with \"radius\"), \"place\" or "    \
    "\"camera\" (\"ID,ID\"), \"case\", \"reason\"}"

void api_request_create(struct api_call *c)
{
#define REQ_MAX(f) (sizeof(((struct store_request *)0)->f) - 1)
    static const struct httpparse_field fields[] = {
        {"from", HTTPPARSE_STRING, 1, 64},
        {"to", HTTPPARSE_STRING, 1, 64},
        {"near", HTTPPARSE_STRING, 0, 64},
        {"radius", HTTPPARSE_STRING, 0, 32},
        {"place", HTTPPARSE_STRING, 0, REQ_MAX(text)},
        {"camera", HTTPPARSE_STRING, 0, REQ_MAX(cameras)},
        {"case", HTTPPARSE_STRING, 1, REQ_MAX(case_ref)},
        {"reason", HTTPPARSE_STRING, 1, REQ_MAX(reason)},
    };
#undef REQ_MAX
    struct create_job *cj;
    struct doc_footage_query q;
    struct doc_footage_words w;
    struct cw_err err;
    json_t *o;

    if ((o = api_body(c, fields, sizeof(fields) / sizeof(fields[0]), CREATE_BODY)) == NULL)
        return;
#define FIELD(k) json_string_value(json_object_get(o, k))
    w = (struct doc_footage_words){FIELD("from"),   FIELD("to"),    FIELD("near"),
                                   FIELD("radius"), FIELD("place"), FIELD("camera")};
    if (read_query(c, &w, 1, &q) != 0) {
        json_decref(o);
        return;
    }
    if ((cj = calloc(1, sizeof(*cj))) == NULL) {
        json_decref(o);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    /* The fields' lengths were checked against r's buffers (fields[]) and c->who is a token's
     * name, shorter than r.by: what is refused here is a text's control characters. */
    if (doc_request_of_query(&q, c->who, FIELD("case"), FIELD("reason"), &cj->r, &err) != 0) {
        json_decref(o);
        free(cj);
        http_reply_error(c->req, 400, "bad_body", "field '%s': %s", err.field, err.msg);
        return;
    }
#undef FIELD
    json_decref(o);
    api_job_start(c, &cj->j, STORE_READWRITE, create_work, create_done);
}
