/* api_util.c - what every API handler uses (api_priv.h): documents to answers, query
 * parameters, files confined to a folder, jobs on the API's workers and the one job of every
 * view. Loop thread, but for a job's work. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "api_priv.h"

/* Whether the request's JSON body has a field name: a value of it the document refused. */
static int body_has(const struct api_call *c, const char *name)
{
    size_t len;
    const char *body = http_req_body(c->req, &len);
    json_t *o;
    int has;

    if (len == 0)
        return 0;
    o = json_loadb(body, len, 0, NULL); /* api_body read it whole already */
    has = json_is_object(o) && json_object_get(o, name) != NULL;
    json_decref(o);
    return has;
}

void api_reply_doc(struct api_call *c, int rc, json_t *doc, const struct cw_err *err)
{
    char line[1024];

    if (rc == 0) {
        http_reply_json(c->req, 200, doc);
        return;
    }
    json_decref(doc);
    if (rc == DOC_NOT_FOUND) {
        http_reply_error(c->req, HTTP_NOT_FOUND, "not_found", "%s", err->msg);
    } else if (rc == DOC_BAD_INPUT && err->field[0] != '\0' &&
               http_req_query(c->req, err->field) != NULL) {
        /* a value of this request's query the document refused (?flag=, ?after=): named */
        api_reply_bad_param(c, err->field, "%s", err->msg);
    } else if (rc == DOC_BAD_INPUT && err->field[0] != '\0' && body_has(c, err->field)) {
        /* a value of the request's body (a ticket's action, a request's case): as api_body
         * names a field it refuses */
        http_reply_error(c->req, HTTP_BAD_REQUEST, "bad_body", "field '%s': %s", err->field,
                         err->msg);
    } else if (rc == DOC_CONFLICT) {
        http_reply_error(c->req, HTTP_CONFLICT, "conflict", "%s", err->msg);
    } else if (rc == DOC_BAD_INPUT) {
        /* named as the CLI names it: "note: ..." */
        http_reply_error(c->req, HTTP_BAD_REQUEST, "bad_request", "%s%s%s", err->field,
                         err->field[0] != '\0' ? ": " : "", err->msg);
    } else {
        cw_err_format(err, line, sizeof(line));
        log_warnx("api: %s %s: %s", http_req_method(c->req), http_req_path(c->req), line);
        http_reply_error(c->req, HTTP_INTERNAL, "internal", "the store could not answer: %s",
                         err->msg);
    }
}

void api_reply_busy(struct api_call *c, int retry_after_s, const char *fmt, ...)
{
    char after[16], why[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(after, sizeof(after), "%d", retry_after_s);
    http_reply_header(c->req, "Retry-After", after);
    http_reply_error(c->req, HTTP_UNAVAILABLE, "busy", "%s", why);
}

void api_reply_bad_param(struct api_call *c, const char *name, const char *fmt, ...)
{
    char why[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    http_reply_error(c->req, HTTP_BAD_REQUEST, "bad_parameter", "%s: %s", name, why);
}

int api_param_time(struct api_call *c, const char *name, const char *dflt, int64_t *out)
{
    const char *v = http_req_query(c->req, name);
    struct cw_err e;

    if (cw_parse_time(v != NULL ? v : dflt, c->doc.tz, out) == 0)
        return 0;
    cw_time_refuse(v != NULL ? v : dflt, name, &e);
    api_reply_bad_param(c, name, "%s", e.msg);
    return -1;
}

int api_param_uint(struct api_call *c, const char *name, uint64_t min, uint64_t max, uint64_t dflt,
                   uint64_t *out)
{
    const char *v = http_req_query(c->req, name);

    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (httpparse_uint(v, min, max, out) == 0)
        return 0;
    api_reply_bad_param(c, name, "expected a whole number from %llu to %llu, not '%.64s'",
                        (unsigned long long)min, (unsigned long long)max, v);
    return -1;
}

json_t *api_body(struct api_call *c, const struct httpparse_field *fields, size_t n,
                 const char *usage)
{
    const char *body;
    char why[256];
    size_t len;
    json_t *o;

    body = http_req_body(c->req, &len);
    if (httpparse_json(body, len, fields, n, &o, why, sizeof(why)) != 0) {
        http_reply_error(c->req, HTTP_BAD_REQUEST, "bad_body", "%s (%s)", why, usage);
        return NULL;
    }
    return o;
}

void *api_body_job(struct api_call *c, const struct httpparse_field *fields, size_t n,
                   const char *usage, size_t size, json_t **body)
{
    void *job;

    if ((*body = api_body(c, fields, n, usage)) == NULL)
        return NULL;
    if ((job = api_job_new(c, size)) == NULL) {
        json_decref(*body);
        *body = NULL;
    }
    return job;
}

void api_body_text(const json_t *body, const char *key, char *buf, size_t len)
{
    const char *v = json_string_value(json_object_get(body, key));

    snprintf(buf, len, "%s", v != NULL ? v : "");
}

/* Whether real (a resolved path) is dir_real itself's child or deeper; with exact, whether it
 * is dir_real/exact and nothing else. */
static int path_inside(const char *real, const char *dir_real, const char *exact)
{
    size_t n = strlen(dir_real);

    if (strncmp(real, dir_real, n) != 0 || real[n] != '/')
        return 0;
    return exact == NULL || strcmp(real + n + 1, exact) == 0;
}

int api_open_inside(const char *path, const char *dir, const char *exact, char *why, size_t why_len)
{
    char real_dir[PATH_MAX], link[64], real_file[PATH_MAX];
    struct stat st;
    ssize_t got;
    int fd;

    if (realpath(dir, real_dir) == NULL) {
        snprintf(why, why_len, "its folder is missing");
        return -1;
    }
    /* Judged by name before anything is opened: opening a file outside, then closing it,
     * is not harmless. Closing any descriptor of the store's database drops every POSIX
     * lock SQLite holds on it in this process, and a writer beside the daemon would then
     * corrupt it (sqlite.org/howtocorrupt.html, 2.2). */
    if (realpath(path, real_file) == NULL) {
        snprintf(why, why_len, "%s", errno == ENOENT ? "the file is gone" : strerror(errno));
        return -1;
    }
    if (!path_inside(real_file, real_dir, exact) || stat(real_file, &st) != 0 ||
        !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "the file is not one of the daemon's");
        return -1;
    }
    /* O_NONBLOCK: a FIFO swapped in meanwhile must not hold the loop in open(). */
    fd = open(real_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(why, why_len, "%s", errno == ENOENT ? "the file is gone" : strerror(errno));
        return -1;
    }
    /* And the file opened judged again, in case the name was swapped in between. */
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    got = readlink(link, real_file, sizeof(real_file) - 1);
    if (got < 0 || fstat(fd, &st) != 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        goto fail;
    }
    real_file[got] = '\0';
    if (!path_inside(real_file, real_dir, exact) || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "the file is not one of the daemon's");
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

/* ---- jobs ---- */

/* Whether the stop interrupted the jobs already: then j does not run. Worker thread. */
static int job_interrupted(struct api_job *j)
{
    struct api *a = j->call.api;

    pthread_mutex_lock(&a->run_mu);
    j->interrupted = a->interrupting;
    pthread_mutex_unlock(&a->run_mu);
    if (j->interrupted)
        j->rc = cw_err_set(&j->err, NULL, 0, NULL, "the daemon is stopping");
    return j->interrupted;
}

/* List j, its connection s open, where the stop finds it; interrupted at once when the stop
 * came while s opened. Worker thread. */
static void job_link(struct api_job *j, struct store *s)
{
    struct api *a = j->call.api;

    pthread_mutex_lock(&a->run_mu);
    j->store = s;
    j->run_next = a->running;
    a->running = j;
    if (a->interrupting)
        store_interrupt(s);
    pthread_mutex_unlock(&a->run_mu);
}

/* Take j off the list before its connection closes; whether the stop interrupted it. */
static void job_unlink(struct api_job *j)
{
    struct api *a = j->call.api;

    pthread_mutex_lock(&a->run_mu);
    for (struct api_job **p = &a->running; *p != NULL; p = &(*p)->run_next)
        if (*p == j) {
            *p = j->run_next;
            break;
        }
    j->store = NULL;
    j->interrupted = a->interrupting;
    pthread_mutex_unlock(&a->run_mu);
}

static void job_work(struct pool_job *pj)
{
    struct api_job *j = (struct api_job *)pj;
    struct store *s = NULL;

    if (job_interrupted(j))
        return;
    if (j->no_store) {
        j->work(j, NULL);
        return;
    }
    if (store_open(j->db_path, j->mode, &s, &j->err) != 0) {
        j->rc = -1;
        j->work(j, NULL);
        return;
    }
    job_link(j, s);
    j->work(j, s);
    job_unlink(j);
    store_close(s);
}

void api_jobs_interrupt(struct api *a)
{
    pthread_mutex_lock(&a->run_mu);
    a->interrupting = 1;
    for (struct api_job *j = a->running; j != NULL; j = j->run_next)
        store_interrupt(j->store);
    pthread_mutex_unlock(&a->run_mu);
}

static void job_done(struct pool_job *pj, int cancelled)
{
    struct api_job *j = (struct api_job *)pj;
    struct api *a = j->call.api;

    if (cancelled || (j->interrupted && j->rc != 0)) {
        http_reply_error(j->call.req, HTTP_UNAVAILABLE, "stopping", "the daemon is stopping");
    } else {
        /* The configuration may have been reloaded meanwhile: the documents use today's. */
        j->call.doc = (struct doc_ctx){a->env.store, a->env.cfg, a->env.cfg->time_zone};
        j->done(j);
    }
    if (j->release != NULL)
        j->release(j);
    free(j->db_path);
    free(j);
}

void *api_job_new(struct api_call *c, size_t size)
{
    void *j = calloc(1, size);

    if (j == NULL)
        http_reply_error(c->req, HTTP_INTERNAL, "internal", "out of memory");
    return j;
}

void api_job_start(struct api_call *c, struct api_job *j, enum store_mode mode,
                   void (*work)(struct api_job *j, struct store *s),
                   void (*done)(struct api_job *j))
{
    j->call = *c;
    j->mode = mode;
    j->work = work;
    j->done = done;
    j->base.work = job_work;
    j->base.done = job_done;
    if (c->api->stopping) { /* a job's done starting another: the workers are going */
        http_reply_error(c->req, HTTP_UNAVAILABLE, "stopping", "the daemon is stopping");
        goto refused;
    }
    if (pool_pending(c->api->pool) >= API_JOBS_MAX) {
        api_reply_busy(c, API_RETRY_AFTER_S,
                       "%d requests wait for the API's workers already; ask again in %d s",
                       API_JOBS_MAX, API_RETRY_AFTER_S);
        goto refused;
    }
    if ((j->db_path = strdup(c->api->db_path)) == NULL) {
        http_reply_error(c->req, HTTP_INTERNAL, "internal", "out of memory");
        goto refused;
    }
    http_defer(c->req);
    pool_submit(c->api->pool, &j->base);
    return;
refused:
    if (j->release != NULL)
        j->release(j);
    free(j);
}

/* ---- views ---- */

/* A view's job: its copy of the query, and the rows from the worker to the loop. */
struct view_job {
    struct api_job j; /* first */
    const struct doc_view *view;
    void *query;
    void *rows;
    struct api_audit audit; /* action NULL: none */
};

static void view_work(struct api_job *j, struct store *s)
{
    struct view_job *v = (struct view_job *)j;

    if (s == NULL)
        return;
    if (v->audit.action != NULL &&
        store_audit_append(s, v->audit.at_ms, j->call.who, v->audit.action, v->audit.subject,
                           v->audit.detail, NULL, &j->err) != 0)
        j->rc = -1;
    else
        j->rc = v->view->read(s, v->query, v->rows, &j->err);
}

static void view_done(struct api_job *j)
{
    struct view_job *v = (struct view_job *)j;
    json_t *doc = NULL;

    if (j->rc == 0)
        j->rc = v->view->build(&j->call.doc, v->query, v->rows, &doc, &j->err);
    api_reply_doc(&j->call, j->rc, doc, &j->err);
}

static void view_release(struct api_job *j)
{
    struct view_job *v = (struct view_job *)j;

    doc_view_rows_free(v->view, v->rows);
    doc_view_query_free(v->view, v->query);
}

void api_view_start(struct api_call *c, const struct doc_view *view, const void *query,
                    const struct api_audit *audit)
{
    struct view_job *v = calloc(1, sizeof(*v));

    if (v == NULL || (v->rows = doc_view_rows_new(view)) == NULL ||
        doc_view_query_copy(view, query, &v->query) != 0) {
        if (v != NULL)
            doc_view_rows_free(view, v->rows);
        free(v);
        http_reply_error(c->req, HTTP_INTERNAL, "internal", "out of memory");
        return;
    }
    v->view = view;
    if (audit != NULL)
        v->audit = *audit;
    v->j.release = view_release;
    api_job_start(c, &v->j, audit != NULL ? STORE_READWRITE : STORE_READONLY, view_work, view_done);
}
