/* api_footage.c - the investigators' endpoints over the footage views (index/doc.h):
 * footage find, and requests (create, list, show). A query is read and checked on the loop
 * (doc_footage_query_read, doc_footage_check: a bad one is a 400 naming the parameter and
 * nothing is written); footage find is first an audit row carrying the token's name, written
 * on the API's workers with a connection of their own, then the footage over the range read
 * there too (api_view_start, as are a request's footage and the requests' list); the answer
 * is the document the CLI prints, built from those rows on the loop. Loop thread, but for the
 * jobs' work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "api_priv.h"

#define FIND_TEXT_MAX 255     /* bytes of a place asked about */
#define FIND_CAMERAS_MAX 1023 /* bytes of a list of camera ids */

/* Whether s (NULL: none) is over max bytes. */
static int too_long(const char *s, size_t max)
{
    return s != NULL && strlen(s) > max;
}

/* The audit's words for a query: subject names the place, detail the range. */
static void query_words(const struct api_call *c, const struct doc_footage_query *q, char *subject,
                        size_t subject_len, char *detail, size_t detail_len)
{
    char from[64], to[64];

    if (q->scope.place == STORE_PLACE_POINT)
        snprintf(subject, subject_len, "near %.6f,%.6f radius %.0f m", q->scope.lat, q->scope.lon,
                 q->scope.radius_m);
    else if (q->scope.place == STORE_PLACE_TEXT)
        snprintf(subject, subject_len, "place \"%.90s\"", q->text);
    else
        snprintf(subject, subject_len, "cameras %.100s", q->cameras);
    snprintf(detail, detail_len, "footage of %s to %s",
             cw_format_iso(q->scope.from_ms, c->doc.tz, from, sizeof(from)),
             cw_format_iso(q->scope.to_ms, c->doc.tz, to, sizeof(to)));
}

/* ---- footage find ---- */

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

/* GET /footage: an audited view. No audit row, no answer: what an investigator saw is always
 * on the record. */
void api_footage_find(struct api_call *c)
{
    const struct doc_footage_words w = {
        http_req_query(c->req, "from"),  http_req_query(c->req, "to"),
        http_req_query(c->req, "near"),  http_req_query(c->req, "radius"),
        http_req_query(c->req, "place"), http_req_query(c->req, "camera")};
    struct api_audit audit = {"footage.find", "", "", 0};
    struct doc_footage_query q;

    if (read_query(c, &w, 0, &q) != 0)
        return;
    if (too_long(q.text, FIND_TEXT_MAX) || too_long(q.cameras, FIND_CAMERAS_MAX)) {
        api_reply_bad_param(c, q.text != NULL ? "place" : "camera", "too long");
        return;
    }
    audit.at_ms = q.now_ms;
    query_words(c, &q, audit.subject, sizeof(audit.subject), audit.detail, sizeof(audit.detail));
    api_view_start(c, &doc_view_footage, &q, &audit);
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

/* GET /requests */
void api_requests(struct api_call *c)
{
    api_view_start(c, &doc_view_requests, NULL, NULL);
}

/* GET /requests/{id} */
void api_request(struct api_call *c)
{
    const struct doc_request_query q = {api_request_id(c, c->caps.v[0]), cw_now_ms()};

    if (q.id != 0)
        api_view_start(c, &doc_view_request, &q, NULL);
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
    "expected {\"from\", \"to\", one of \"near\" (\"LAT,LON\", with \"radius\": metres, 100 or "   \
    "\"2km\"), \"place\" or \"camera\" (\"ID,ID\"), \"case\", \"reason\"}"

void api_request_create(struct api_call *c)
{
#define REQ_MAX(f) (sizeof(((struct store_request *)0)->f) - 1)
    static const struct httpparse_field fields[] = {
        {"from", HTTPPARSE_STRING, 1, 64},
        {"to", HTTPPARSE_STRING, 1, 64},
        {"near", HTTPPARSE_STRING, 0, 64},
        {"radius", HTTPPARSE_NUMERIC, 0, 32}, /* 100, or "100", "12.5m", "2km" */
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
    char radius[40]; /* a number written out: "%.17g" */
    json_t *o;

    cj = api_body_job(c, fields, sizeof(fields) / sizeof(fields[0]), CREATE_BODY, sizeof(*cj), &o);
    if (cj == NULL)
        return;
#define FIELD(k) json_string_value(json_object_get(o, k))
    w = (struct doc_footage_words){
        FIELD("from"),  FIELD("to"),
        FIELD("near"),  httpparse_text(json_object_get(o, "radius"), radius, sizeof(radius)),
        FIELD("place"), FIELD("camera")};
    if (read_query(c, &w, 1, &q) != 0)
        goto fail;
    /* The fields' lengths were checked against r's buffers (fields[]) and c->who is a token's
     * name, shorter than r.by: what is refused here is a text's control characters. */
    if (doc_request_of_query(&q, c->who, FIELD("case"), FIELD("reason"), &cj->r, &err) != 0) {
        http_reply_error(c->req, 400, "bad_body", "field '%s': %s", err.field, err.msg);
        goto fail;
    }
#undef FIELD
    json_decref(o);
    api_job_start(c, &cj->j, STORE_READWRITE, create_work, create_done);
    return;
fail:
    json_decref(o);
    free(cj);
}
