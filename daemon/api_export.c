/* api_export.c - evidence exports over the API: a request's export started as a job, its
 * progress, and the download of its files. The plan is read on one of the API's workers
 * (export_plan_build, on the worker's own connection, with a copy of the configuration's
 * settings made when the start arrived: a reload may free the configuration meanwhile); the
 * long part (remux, hashes, manifests: export_run) and its audit rows ("export.start" before,
 * "export" after, or "export.failed" when it ends without its files, all by the token's name) run
 * on the exports' own one-thread pool, so a long export never holds a worker the other endpoints
 * need, and exports run one at a time, at most EXPORTS_WAITING_MAX waiting (one more is answered
 * 503 busy: exports_full). A job's life: queued -> running -> done | failed       export_work
 * (worker), export_done (loop) Each export goes to its own folder [footage] exports/request-R-N;
 * files are served only from inside that folder (api_open_inside), only once the export is done,
 * each download an audit row. Exports made before a restart are still listed and served from their
 * folders. Nothing here touches the disk or the store on the loop: the exports folder made and read
 * and the plan read, an export's folder listed, a file opened to serve, run on the API's
 * workers (start_work, folder_work, download_work), the job records read before and merged
 * after on the loop.
 * Owns the job records and their plans. Loop thread, but for the *_work functions. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/export.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/vec.h"
#include "api_priv.h"
#include "httpparse.h"

#define EXPORT_ID_MAX 48      /* "request-R-N" */
#define EXPORTS_KEPT 64       /* finished jobs remembered in memory (older: from their folders) */
#define EXPORT_FILES_MAX 4096 /* files listed of one export folder */

enum export_state { EXPORT_QUEUED, EXPORT_RUNNING, EXPORT_DONE, EXPORT_FAILED };
static const char *const state_names[] = {"queued", "running", "done", "failed"};

struct export_job {
    struct pool_job base; /* first */
    struct api *api;
    char id[EXPORT_ID_MAX];
    int64_t request_id;
    int64_t start_id; /* its export.start audit row */
    char who[TOKENS_NAME_MAX + 1];
    char dir[4096];
    char *db_path;
    struct export_plan *plan; /* until done */
    atomic_int cancel;
    _Atomic int state;
    int64_t started_ms, ended_ms;
    pthread_mutex_t mu; /* guards the progress, written by the worker */
    size_t cam_i, cam_n;
    char camera[CFG_ID_MAX + 1];
    int64_t bytes_done, bytes_total;
    int rc;
    struct cw_err err;
    struct export_result res;
    struct export_job *next; /* a->exports, newest first */
};

/* ms as ISO 8601 in the site's zone, null for 0. */
static json_t *iso(const struct api_call *c, int64_t ms)
{
    char buf[64];

    return ms != 0 ? json_string(cw_format_iso(ms, c->doc.tz, buf, sizeof(buf))) : json_null();
}

/* ---- the worker's side ---- */

static void export_progress(void *data, size_t i, size_t n, const char *camera, int64_t done,
                            int64_t total)
{
    struct export_job *x = data;

    pthread_mutex_lock(&x->mu);
    x->cam_i = i;
    x->cam_n = n;
    snprintf(x->camera, sizeof(x->camera), "%s", camera);
    x->bytes_done = done;
    x->bytes_total = total;
    pthread_mutex_unlock(&x->mu);
}

static void export_work(struct pool_job *pj)
{
    struct export_job *x = (struct export_job *)pj;
    struct store *s = NULL;

    atomic_store(&x->state, EXPORT_RUNNING);
    x->rc = -1;
    /* Its row locks no folder: whether it runs is camwatchd's (folderlock_export). */
    if (store_open(x->db_path, STORE_READWRITE, &s, &x->err) != 0 ||
        export_audit_start(s, x->request_id, x->who, x->id, 0, cw_now_ms(), &x->start_id,
                           &x->err) != 0)
        goto out;
    if (export_run(x->plan, x->dir, &x->cancel, export_progress, x, &x->res, &x->err) != 0) {
        char why[1024];
        struct cw_err e;

        cw_err_format(&x->err, why, sizeof(why));
        if (export_audit_failed(s, x->request_id, x->start_id, x->who, x->id, why, cw_now_ms(),
                                &e) != 0)
            log_warnx("api: export %s: its export.failed audit row was not written: %s", x->id,
                      e.msg);
        goto out;
    }
    /* The files are there whatever happens next; the audit row says who made them. */
    x->rc = export_audit(s, x->plan, &x->res, x->start_id, x->who, cw_now_ms(), &x->err);
out:
    store_close(s);
}

/* ---- the loop's side ---- */

static void export_done(struct pool_job *pj, int cancelled)
{
    struct export_job *x = (struct export_job *)pj;

    if (cancelled) {
        x->rc = -1;
        cw_err_set(&x->err, NULL, 0, NULL, "the daemon stopped before the export ran");
    }
    x->ended_ms = cw_now_ms();
    atomic_store(&x->state, x->rc == 0 ? EXPORT_DONE : EXPORT_FAILED);
    export_plan_free(x->plan);
    x->plan = NULL;
    if (x->rc == 0)
        log_info("api: %s exported request %lld: %zu files in %s", x->who, (long long)x->request_id,
                 x->res.files, x->dir);
    else
        log_warnx("api: %s's export of request %lld failed: %s", x->who, (long long)x->request_id,
                  x->err.msg);
}

static void job_free(struct export_job *x)
{
    if (x == NULL)
        return;
    export_plan_free(x->plan);
    pthread_mutex_destroy(&x->mu);
    free(x->db_path);
    free(x);
}

/* Forget finished jobs past EXPORTS_KEPT (their folders stay, and are listed from disk). */
static void jobs_trim(struct api *a)
{
    size_t kept = 0;

    for (struct export_job **p = &a->exports; *p != NULL;) {
        struct export_job *x = *p;
        int finished = atomic_load(&x->state) >= EXPORT_DONE;
        if (finished && ++kept > EXPORTS_KEPT) {
            *p = x->next;
            job_free(x);
        } else {
            p = &x->next;
        }
    }
}

static struct export_job *job_find(const struct api *a, const char *id)
{
    for (struct export_job *x = a->exports; x != NULL; x = x->next)
        if (strcmp(x->id, id) == 0)
            return x;
    return NULL;
}

/* An export id as this file makes them: "request-R-N", digits only. */
int api_export_id_valid(const char *id)
{
    const char *p = id;
    size_t n;

    if (strncmp(p, "request-", 8) != 0 || strlen(id) >= EXPORT_ID_MAX)
        return 0;
    p += 8;
    if ((n = strspn(p, "0123456789")) == 0 || p[n] != '-')
        return 0;
    p += n + 1;
    return (n = strspn(p, "0123456789")) > 0 && p[n] == '\0';
}

/* A file name to serve: one plain name, no folder, nothing hidden. */
static int file_valid(const char *name)
{
    return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
           strlen(name) <= NAME_MAX;
}

static const char *file_type(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot != NULL && strcmp(dot, ".mp4") == 0)
        return "video/mp4";
    if (dot != NULL && strcmp(dot, ".json") == 0)
        return "application/json; charset=utf-8";
    if (dot != NULL && strcmp(dot, ".txt") == 0)
        return "text/plain; charset=utf-8";
    if (strcmp(name, EXPORT_SUMS) == 0)
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* [ {name, bytes, url} ]: the regular files of an export's folder, by name. Worker thread. */
static json_t *files_json(const char *dir, const char *id)
{
    json_t *arr = json_array();
    char *names[EXPORT_FILES_MAX];
    size_t n = 0;
    struct dirent *e;
    DIR *d = opendir(dir);

    if (d == NULL)
        return arr;
    while ((e = readdir(d)) != NULL && n < EXPORT_FILES_MAX)
        if (file_valid(e->d_name) && (names[n] = strdup(e->d_name)) != NULL)
            n++;
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4352], url[512];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            json_t *o = json_object();
            snprintf(url, sizeof(url), "/api/v1/exports/%s/files/%s", id, names[i]);
            json_object_set_new(o, "name", json_string(names[i]));
            json_object_set_new(o, "bytes", json_integer((json_int_t)st.st_size));
            json_object_set_new(o, "url", json_string(url));
            json_array_append_new(arr, o);
        }
        free(names[i]);
    }
    return arr;
}

/* The folder of export id under the exports folder export_dir, into buf: 0, or -1 when it
 * does not fit, or is longer than its audit rows hold whole (EXPORT_DIR_MAX). */
static int export_dir_of(const char *export_dir, const char *id, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", export_dir, id);

    return n >= 0 && (size_t)n < len && n <= EXPORT_DIR_MAX ? 0 : -1;
}

/* {id, request, state, by, started, ended, progress {camera, index, cameras, bytes_done,
 *  bytes_total} | null, error, result (doc_exported's) | null, files[]}: a job in memory. Loop
 * thread: files is left [] here; a done job's are listed by a worker (files_json) and set by
 * the caller. */
static json_t *job_json(const struct api_call *c, struct export_job *x)
{
    enum export_state st = atomic_load(&x->state);
    json_t *o = json_object(), *result = NULL;
    struct cw_err err;

    json_object_set_new(o, "id", json_string(x->id));
    json_object_set_new(o, "request", json_integer(x->request_id));
    json_object_set_new(o, "state", json_string(state_names[st]));
    json_object_set_new(o, "by", json_string(x->who));
    json_object_set_new(o, "started", iso(c, x->started_ms));
    json_object_set_new(o, "ended", iso(c, x->ended_ms));
    if (st == EXPORT_RUNNING) {
        json_t *p = json_object();
        pthread_mutex_lock(&x->mu);
        json_object_set_new(p, "camera", x->camera[0] ? json_string(x->camera) : json_null());
        json_object_set_new(p, "index", json_integer((json_int_t)x->cam_i));
        json_object_set_new(p, "cameras", json_integer((json_int_t)x->cam_n));
        json_object_set_new(p, "bytes_done", json_integer(x->bytes_done));
        json_object_set_new(p, "bytes_total", json_integer(x->bytes_total));
        pthread_mutex_unlock(&x->mu);
        json_object_set_new(o, "progress", p);
    } else {
        json_object_set_new(o, "progress", json_null());
    }
    json_object_set_new(o, "error", st == EXPORT_FAILED ? json_string(x->err.msg) : json_null());
    if (st == EXPORT_DONE) {
        const struct doc_export e = {x->request_id,  x->res.out_dir, x->res.sums_sha256,
                                     x->res.summary, x->res.files,   x->res.cameras};
        if (doc_exported(&c->doc, &e, &result, &err) != 0)
            result = NULL;
    }
    json_object_set_new(o, "result", result != NULL ? result : json_null());
    json_object_set_new(o, "files", json_array());
    return o;
}

/* What the folder of an export not in memory says of it: read by a worker (disk_read), made
 * JSON on the loop (disk_json). */
struct disk_export {
    char id[EXPORT_ID_MAX];
    int64_t mtime_ms;
    int done;      /* its manifest is there */
    json_t *files; /* files_json's; owned until disk_json takes it */
};

/* Export id's folder under export_dir into e: 0, or -1 when there is no such folder. Worker
 * thread. */
static int disk_read(const char *export_dir, const char *id, struct disk_export *e)
{
    char dir[4096], path[4200];
    struct stat st;

    snprintf(dir, sizeof(dir), "%s/%s", export_dir, id);
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, EXPORT_SUMS);
    snprintf(e->id, sizeof(e->id), "%s", id);
    e->mtime_ms = (int64_t)st.st_mtime * 1000;
    e->done = access(path, F_OK) == 0;
    e->files = files_json(dir, id);
    return 0;
}

/* An export known only by its folder (made before the daemon started, or forgotten): done
 * when its manifest is there. Takes e->files. Loop thread (the zone). */
static json_t *disk_json(const struct api_call *c, struct disk_export *e)
{
    json_t *o = json_object();
    long long r = 0;

    sscanf(e->id, "request-%lld-", &r);
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "request", json_integer(r));
    json_object_set_new(o, "state", json_string(e->done ? "done" : "failed"));
    json_object_set_new(o, "by", json_null());
    json_object_set_new(o, "started", json_null());
    json_object_set_new(o, "ended", iso(c, e->mtime_ms));
    json_object_set_new(o, "progress", json_null());
    json_object_set_new(o, "error", json_null());
    json_object_set_new(o, "result", json_null());
    json_object_set_new(o, "files", e->files != NULL ? e->files : json_array());
    e->files = NULL;
    return o;
}

/* ---- the endpoints ---- */

/* Whether EXPORTS_WAITING_MAX exports wait for their turn already: then c is answered 503
 * "busy". Loop thread (the states it reads are set to queued and done on the loop). */
static int exports_full(struct api_call *c)
{
    int waiting = 0;

    for (struct export_job *x = c->api->exports; x != NULL; x = x->next)
        waiting += atomic_load(&x->state) == EXPORT_QUEUED;
    if (waiting < EXPORTS_WAITING_MAX)
        return 0;
    api_reply_busy(c, EXPORTS_RETRY_AFTER_S,
                   "%d exports wait for their turn already (GET /api/v1/exports lists them); ask "
                   "again in %d s",
                   waiting, EXPORTS_RETRY_AFTER_S);
    return 1;
}

/* POST /api/v1/requests/{id}/export: 202 with the job, which runs on.
 *   loop:   the body checked, the exports folder's name and the plan's settings copied from
 *           the configuration (api_export_start)
 *   worker: the exports folder made, the folders of this request's exports read, the plan
 *           read from the store (start_work)
 *   loop:   the first free request-R-N (neither a folder nor a job in memory), the job with
 *           its plan queued on the exports' pool, 202 (start_done) */
struct start_job {
    struct api_job j; /* first */
    int64_t rid;
    char export_dir[4096];
    struct export_cfg *settings; /* the configuration's, as the start found it */
    struct export_plan *plan;    /* the worker's; until start_done hands it to the export */
    unsigned *taken;             /* the N of each folder request-R-N there is */
    size_t n_taken;
};

/* The folders of this request's exports in the exports folder (made when missing) into sj.
 * Worker thread. */
static void start_folders(struct start_job *sj)
{
    struct api_job *j = &sj->j;
    char prefix[40], name[EXPORT_ID_MAX];
    size_t plen, cap = 0;
    struct dirent *e;
    DIR *d;

    if (mkdir(sj->export_dir, EXPORT_DIR_MODE) != 0 && errno != EEXIST) {
        j->rc = cw_err_set(&j->err, sj->export_dir, 0, "exports", "%s", strerror(errno));
        return;
    }
    plen = (size_t)snprintf(prefix, sizeof(prefix), "request-%lld-", (long long)sj->rid);
    if ((d = opendir(sj->export_dir)) == NULL)
        return; /* nothing there to avoid */
    while ((e = readdir(d)) != NULL) {
        unsigned long n;
        if (!api_export_id_valid(e->d_name) || strncmp(e->d_name, prefix, plen) != 0)
            continue;
        n = strtoul(e->d_name + plen, NULL, 10);
        snprintf(name, sizeof(name), "%s%lu", prefix, n);
        if (n > UINT_MAX || strcmp(name, e->d_name) != 0)
            continue; /* not a name this file would pick ("-01") */
        if (cw_vec_grow(&sj->taken, sj->n_taken, &cap, sizeof(*sj->taken), 16) != 0) {
            j->rc = cw_err_set(&j->err, NULL, 0, NULL, "out of memory");
            break;
        }
        sj->taken[sj->n_taken++] = (unsigned)n;
    }
    closedir(d);
}

/* The exports folder, then the plan: rc 0, 1 (no such request: err says so), EXPORT_PLAN_EMPTY
 * (it selects no camera: err says so) or -1. */
static void start_work(struct api_job *j, struct store *s)
{
    struct start_job *sj = (struct start_job *)j;

    if (s == NULL) /* rc and err say why */
        return;
    start_folders(sj);
    if (j->rc == 0)
        j->rc =
            export_plan_build(s, export_cfg_settings(sj->settings), sj->rid, &sj->plan, &j->err);
}

static int start_taken(const struct start_job *sj, unsigned n)
{
    for (size_t i = 0; i < sj->n_taken; i++)
        if (sj->taken[i] == n)
            return 1;
    return 0;
}

static void start_done(struct api_job *j)
{
    struct start_job *sj = (struct start_job *)j;
    struct api_call *c = &j->call;
    struct export_job *x;
    char loc[128];

    if (c->api->stopping) { /* the exports' pool stops next: nothing more on it */
        http_reply_error(c->req, HTTP_UNAVAILABLE, "stopping", "the daemon is stopping");
        return;
    }
    if (j->rc != 0) {
        api_reply_doc(c,
                      j->rc == 1                   ? DOC_NOT_FOUND
                      : j->rc == EXPORT_PLAN_EMPTY ? DOC_CONFLICT
                                                   : -1,
                      NULL, &j->err);
        return;
    }
    if (exports_full(c)) /* filled while the folder and the plan were read */
        return;
    if ((x = calloc(1, sizeof(*x))) == NULL || (x->db_path = strdup(c->api->db_path)) == NULL) {
        free(x);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    pthread_mutex_init(&x->mu, NULL);
    x->plan = sj->plan; /* the export's from here */
    sj->plan = NULL;
    /* The first free request-R-N: a folder of its own, never one that exists. */
    for (unsigned n = 1;; n++) {
        snprintf(x->id, sizeof(x->id), "request-%lld-%u", (long long)sj->rid, n);
        if (job_find(c->api, x->id) == NULL && !start_taken(sj, n))
            break;
    }
    /* In the folder start_work made and read, whatever a reload said since. */
    if (export_dir_of(sj->export_dir, x->id, x->dir, sizeof(x->dir)) != 0) {
        /* the configuration's, not the store's: said as it is, and logged for the operator */
        log_warnx("api: export refused: [footage] exports %s: an export's folder there would "
                  "be over %d bytes, more than its audit rows hold whole",
                  sj->export_dir, EXPORT_DIR_MAX);
        http_reply_error(c->req, HTTP_INTERNAL, "internal",
                         "[footage] exports: an export's folder there would be over %d bytes, "
                         "more than its audit rows hold whole",
                         EXPORT_DIR_MAX);
        job_free(x);
        return;
    }
    x->api = c->api;
    x->request_id = sj->rid;
    snprintf(x->who, sizeof(x->who), "%s", c->who);
    x->started_ms = cw_now_ms();
    x->base.work = export_work;
    x->base.done = export_done;
    x->next = c->api->exports;
    c->api->exports = x;
    jobs_trim(c->api);
    pool_submit(c->api->export_pool, &x->base);
    log_info("api: %s started export %s", c->who, x->id);
    snprintf(loc, sizeof(loc), "/api/v1/exports/%s", x->id);
    http_reply_header(c->req, "Location", loc);
    http_reply_json(c->req, HTTP_ACCEPTED, job_json(c, x)); /* queued: no files to list */
}

static void start_release(struct api_job *j)
{
    struct start_job *sj = (struct start_job *)j;

    export_plan_free(sj->plan);
    export_cfg_free(sj->settings);
    free(sj->taken);
}

void api_export_start(struct api_call *c)
{
    int64_t rid = api_request_id(c, c->caps.v[0]);
    struct start_job *sj;
    size_t len;

    if (rid == 0)
        return;
    http_req_body(c->req, &len);
    if (len > 0 && strspn(http_req_body(c->req, &len), " \t\r\n{}") != len) {
        http_reply_error(c->req, 400, "bad_body", "this endpoint takes no body (or {})");
        return;
    }
    if (exports_full(c))
        return;
    /* The worker reads with copies: a reload frees this configuration, maybe before it runs. */
    if ((sj = calloc(1, sizeof(*sj))) == NULL ||
        (sj->settings = export_cfg_copy(c->doc.cfg)) == NULL) {
        free(sj);
        http_reply_error(c->req, 500, "internal", "out of memory");
        return;
    }
    sj->rid = rid;
    snprintf(sj->export_dir, sizeof(sj->export_dir), "%s", c->doc.cfg->footage.export_dir);
    sj->j.release = start_release;
    api_job_start(c, &sj->j, STORE_READONLY, start_work, start_done);
}

/* GET /api/v1/exports and /api/v1/exports/{id}: the jobs in memory made JSON on the loop
 * (job_json: a snapshot of their state), their folders and the others' read by a worker
 * (folder_work), both put together on the loop (folder_done). */
struct known_export {
    char id[EXPORT_ID_MAX];
    char dir[4096];
    int done;      /* its files are listed */
    json_t *files; /* the worker's files_json; NULL: none */
};

struct folder_job {
    struct api_job j; /* first */
    json_t *docs;     /* the jobs in memory's JSON, newest first */
    char export_dir[4096];
    char one[EXPORT_ID_MAX];  /* GET one export: its id; "": the list */
    struct disk_export *disk; /* the exports known only by their folders, the worker's */
    size_t n_disk, n_known;
    struct known_export known[]; /* one per item of docs */
};

static int folder_known(const struct folder_job *f, const char *id)
{
    for (size_t i = 0; i < f->n_known; i++)
        if (strcmp(f->known[i].id, id) == 0)
            return 1;
    return 0;
}

/* One more disk_export read from the folder id; -1 when out of memory. Worker thread. */
static int folder_add_disk(struct folder_job *f, const char *id, size_t *cap)
{
    if (cw_vec_grow(&f->disk, f->n_disk, cap, sizeof(*f->disk), 8) != 0)
        return cw_err_set(&f->j.err, NULL, 0, NULL, "out of memory");
    if (disk_read(f->export_dir, id, &f->disk[f->n_disk]) == 0)
        f->n_disk++;
    return 0;
}

static void folder_work(struct api_job *j, struct store *s)
{
    struct folder_job *f = (struct folder_job *)j;
    struct dirent *e;
    size_t cap = 0;
    DIR *d;

    (void)s; /* NULL (no_store) */
    for (size_t i = 0; i < f->n_known; i++)
        if (f->known[i].done)
            f->known[i].files = files_json(f->known[i].dir, f->known[i].id);
    if (f->one[0] != '\0') {
        if (f->n_known == 0)
            j->rc = folder_add_disk(f, f->one, &cap);
        return;
    }
    d = opendir(f->export_dir);
    while (d != NULL && j->rc == 0 && (e = readdir(d)) != NULL)
        if (api_export_id_valid(e->d_name) && !folder_known(f, e->d_name))
            j->rc = folder_add_disk(f, e->d_name, &cap);
    if (d != NULL)
        closedir(d);
}

static void folder_done(struct api_job *j)
{
    struct folder_job *f = (struct folder_job *)j;

    if (j->rc != 0) {
        api_reply_doc(&j->call, -1, NULL, &j->err);
        return;
    }
    for (size_t i = 0; i < f->n_known; i++)
        if (f->known[i].files != NULL) {
            json_object_set_new(json_array_get(f->docs, i), "files", f->known[i].files);
            f->known[i].files = NULL;
        }
    for (size_t i = 0; i < f->n_disk; i++)
        json_array_append_new(f->docs, disk_json(&j->call, &f->disk[i]));
    if (f->one[0] == '\0')
        http_reply_json(j->call.req, 200, json_incref(f->docs));
    else if (json_array_size(f->docs) == 0)
        http_reply_error(j->call.req, 404, "not_found", "no export '%.64s'", f->one);
    else
        http_reply_json(j->call.req, 200, json_incref(json_array_get(f->docs, 0)));
}

static void folder_release(struct api_job *j)
{
    struct folder_job *f = (struct folder_job *)j;

    for (size_t i = 0; i < f->n_known; i++)
        json_decref(f->known[i].files);
    for (size_t i = 0; i < f->n_disk; i++)
        json_decref(f->disk[i].files);
    free(f->disk);
    json_decref(f->docs);
}

/* Queue the folder work of the jobs in memory x (all of the list when one is NULL, else x
 * alone or none) and of the folders not in memory. Loop thread. */
static void folder_start(struct api_call *c, struct export_job *x, const char *one)
{
    struct folder_job *f;
    size_t n = 0;

    for (struct export_job *y = x; y != NULL && (one == NULL || y == x); y = y->next)
        n++;
    if ((f = api_job_new(c, sizeof(*f) + n * sizeof(f->known[0]))) == NULL)
        return;
    f->docs = json_array();
    for (struct export_job *y = x; y != NULL && f->n_known < n; y = y->next) {
        struct known_export *k = &f->known[f->n_known++];
        json_array_append_new(f->docs, job_json(c, y));
        snprintf(k->id, sizeof(k->id), "%s", y->id);
        snprintf(k->dir, sizeof(k->dir), "%s", y->dir);
        k->done = atomic_load(&y->state) == EXPORT_DONE; /* set on the loop only: as job_json saw */
    }
    snprintf(f->export_dir, sizeof(f->export_dir), "%s", c->doc.cfg->footage.export_dir);
    snprintf(f->one, sizeof(f->one), "%s", one != NULL ? one : "");
    f->j.no_store = 1;
    f->j.release = folder_release;
    api_job_start(c, &f->j, STORE_READONLY, folder_work, folder_done);
}

/* GET /api/v1/exports: the jobs in memory, newest first, then the folders of others.
 * Loop: the jobs in memory; worker: their files and the exports folder read (folder_*). */
void api_exports(struct api_call *c)
{
    folder_start(c, c->api->exports, NULL);
}

/* GET /api/v1/exports/{id}: one export, its progress while it runs. Loop: the id, the job in
 * memory; worker: its folder (its files, or the folder of an export not in memory). */
void api_export(struct api_call *c)
{
    const char *id = c->caps.v[0];

    if (!api_export_id_valid(id)) {
        http_reply_error(c->req, 404, "not_found", "no export '%.64s'", id);
        return;
    }
    folder_start(c, job_find(c->api, id), id);
}

/* GET /api/v1/exports/{id}/files/{file}: one file of a finished export, with Range.
 *   loop:   the names checked, a job in memory not done refused 409 (api_export_file)
 *   worker: the file opened inside its export's folder, the audit row (download_work); a
 *           HEAD sends no file, nor does a range past its end (416), so neither writes one:
 *           an export.download row means it was sent
 *   loop:   404, 500 or the file, its range read by the server (download_done) */
struct download_job {
    struct api_job j; /* first */
    int fd;           /* the worker's; -1: none, or handed to the server */
    char root[4096];  /* the exports folder the export's folder is in */
    char path[4400], exact[EXPORT_ID_MAX + NAME_MAX + 2], why[128]; /* exact: "ID/NAME" */
    char subject[EXPORT_ID_MAX + 1], detail[512], name[NAME_MAX + 1];
    char *range; /* the request's Range header, or NULL */
    int64_t at_ms;
};

/* Whether the server will answer the file open at fd 416 for range (http_reply_file): it
 * sends none of it then. */
static int range_past_end(int fd, const char *range)
{
    struct stat st;
    uint64_t first, last;

    return range != NULL && fstat(fd, &st) == 0 &&
           httpparse_range(range, (uint64_t)st.st_size, &first, &last) ==
               HTTPPARSE_RANGE_UNSATISFIABLE;
}

static void download_work(struct api_job *j, struct store *s)
{
    struct download_job *d = (struct download_job *)j;

    /* Only a regular file of this export's folder, itself a folder of the exports folder: a
     * link (the folder's or the file's) leading anywhere else is refused, even where it leads
     * inside the exports folder. No file, no audit row. */
    if ((d->fd = api_open_inside(d->path, d->root, d->exact, d->why, sizeof(d->why))) < 0)
        return;
    if (s != NULL && !range_past_end(d->fd, d->range))
        j->rc = store_audit_append(s, d->at_ms, j->call.who, "export.download", d->subject,
                                   d->detail, NULL, &j->err);
}

static void download_done(struct api_job *j)
{
    struct download_job *d = (struct download_job *)j;
    char disp[NAME_MAX + 64];

    if (d->fd < 0) {
        http_reply_error(j->call.req, 404, "not_found", "%s: no such export file (%s)", d->subject,
                         d->why);
        return;
    }
    if (j->rc != 0) { /* no audit row, no file */
        api_reply_doc(&j->call, -1, NULL, &j->err);
        return;
    }
    /* The name is an export's own (ids and fixed names); quoted, it cannot break the header. */
    if (strpbrk(d->name, "\"\\\r\n;") == NULL) {
        snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", d->name);
        http_reply_header(j->call.req, "Content-Disposition", disp);
    }
    http_reply_file(j->call.req, d->fd, file_type(d->name));
    d->fd = -1;
}

static void download_release(struct api_job *j)
{
    struct download_job *d = (struct download_job *)j;

    if (d->fd >= 0)
        close(d->fd);
    free(d->range);
}

void api_export_file(struct api_call *c)
{
    const char *id = c->caps.v[0], *name = c->caps.v[1];
    const char *range = http_req_header(c->req, "Range");
    int head = strcmp(http_req_method(c->req), "HEAD") == 0;
    struct export_job *x = api_export_id_valid(id) ? job_find(c->api, id) : NULL;
    struct download_job *d;

    if (!api_export_id_valid(id) || !file_valid(name)) {
        http_reply_error(c->req, 404, "not_found", "no such export file");
        return;
    }
    if (x != NULL && atomic_load(&x->state) != EXPORT_DONE) {
        http_reply_error(c->req, HTTP_CONFLICT, "not_ready", "export %s is %s", id,
                         state_names[atomic_load(&x->state)]);
        return;
    }
    if ((d = api_job_new(c, sizeof(*d))) == NULL)
        return;
    d->fd = -1;
    /* A job in memory is served from its own folder (x->dir is ROOT/ID), made before any
     * reload since. */
    if (x != NULL)
        snprintf(d->root, sizeof(d->root), "%.*s", (int)(strlen(x->dir) - strlen(id) - 1), x->dir);
    else
        snprintf(d->root, sizeof(d->root), "%s", c->doc.cfg->footage.export_dir);
    if (export_dir_of(d->root, id, d->path, sizeof(d->path)) != 0) {
        free(d);
        http_reply_error(c->req, 404, "not_found", "no such export file");
        return;
    }
    snprintf(d->path + strlen(d->path), sizeof(d->path) - strlen(d->path), "/%s", name);
    snprintf(d->exact, sizeof(d->exact), "%.*s/%.*s", EXPORT_ID_MAX, id, NAME_MAX, name);
    d->at_ms = cw_now_ms();
    snprintf(d->name, sizeof(d->name), "%s", name);
    snprintf(d->subject, sizeof(d->subject), "%.*s", EXPORT_ID_MAX, id);
    snprintf(d->detail, sizeof(d->detail), "%s%s%.64s", name, range != NULL ? " " : "",
             range != NULL ? range : "");
    if (range != NULL && (d->range = strdup(range)) == NULL) {
        free(d);
        http_reply_error(c->req, HTTP_INTERNAL, "internal", "out of memory");
        return;
    }
    d->j.release = download_release;
    d->j.no_store = head; /* work gets no store: the file is opened, no row written */
    api_job_start(c, &d->j, head ? STORE_READONLY : STORE_READWRITE, download_work, download_done);
}

/* ---- life ---- */

int api_exports_new(struct api *a, struct cw_err *err)
{
    return pool_new(a->env.loop, 1, &a->export_pool, err);
}

void api_exports_free(struct api *a)
{
    /* Running exports stop at their next packet and leave nothing; queued ones are answered
     * as failed. */
    for (struct export_job *x = a->exports; x != NULL; x = x->next)
        atomic_store(&x->cancel, 1);
    pool_free(a->export_pool);
    a->export_pool = NULL;
    while (a->exports != NULL) {
        struct export_job *x = a->exports;
        a->exports = x->next;
        job_free(x);
    }
}
