/* api.c - the table of endpoints and the one path every request takes through it: route,
 * method, token, role, parameters, handler (api.h). An endpoint is one row here and one
 * handler (api_views.c); the dashboard's files are public (they hold no data: the page asks
 * the API with its user's token). Roles: a viewer sees health (cameras, events, uptime,
 * reports, tickets); an investigator also footage, requests and exports; an admin also
 * maintenance, references and opening or closing tickets. Owns the API's record: the server, the
 * tokens, the workers. Loop thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"
#include "api_priv.h"

#define API_PUBLIC 0 /* a route's role: no token asked (the dashboard's files) */

/* Which setting may open a route to requests without a token. */
enum api_openable { OPENABLE_NO, OPENABLE_METRICS, OPENABLE_HEALTHZ };

struct api_route {
    const char *method;  /* "GET" also answers HEAD */
    const char *pattern; /* httpparse_route's */
    int role;            /* least enum tokens_role, or API_PUBLIC */
    enum api_openable openable;
    const char *const *params; /* query parameters taken, NULL-terminated; NULL: none;
                                * p_ignored: any, none read */
    void (*fn)(struct api_call *c);
};

static const char *const p_cameras[] = {"owner", "commune", "state", "flag", NULL};
static const char *const p_since[] = {"since", NULL};
static const char *const p_events[] = {"camera", "since", "limit", "after", NULL};
static const char *const p_uptime[] = {"from", "to", "by", NULL};
static const char *const p_footage[] = {"from", "to", "near", "radius", "place", "camera", NULL};
static const char *const p_report[] = {"from", "to", "format", "lang", NULL};
static const char *const p_tickets[] = {"camera", "all", NULL};
/* The dashboard's files: a bookmark or a link with a tracking parameter still opens the page. */
static const char *const p_ignored[] = {NULL};

static void api_index(struct api_call *c);

/* Every endpoint. Order matters only between patterns that match the same path. */
static const struct api_route routes[] = {
    {"GET", "/", API_PUBLIC, OPENABLE_NO, p_ignored, api_web},
    {"GET", "/static/{file}", API_PUBLIC, OPENABLE_NO, p_ignored, api_web},
    {"GET", "/healthz", TOKENS_VIEWER, OPENABLE_HEALTHZ, NULL, api_healthz},
    {"GET", "/metrics", TOKENS_VIEWER, OPENABLE_METRICS, NULL, api_metrics},
    {"GET", "/api/v1", TOKENS_VIEWER, OPENABLE_NO, NULL, api_index},
    {"GET", "/api/v1/whoami", TOKENS_VIEWER, OPENABLE_NO, NULL, api_whoami},
    {"GET", "/api/v1/daemon", TOKENS_VIEWER, OPENABLE_NO, NULL, api_daemon},
    {"GET", "/api/v1/cameras", TOKENS_VIEWER, OPENABLE_NO, p_cameras, api_cameras},
    {"GET", "/api/v1/cameras/{id}", TOKENS_VIEWER, OPENABLE_NO, NULL, api_camera},
    {"GET", "/api/v1/cameras/{id}/samples", TOKENS_VIEWER, OPENABLE_NO, p_since, api_samples},
    {"GET", "/api/v1/cameras/{id}/device", TOKENS_VIEWER, OPENABLE_NO, p_since, api_device},
    {"GET", "/api/v1/cameras/{id}/thumbnail", TOKENS_VIEWER, OPENABLE_NO, NULL, api_thumbnail},
    {"POST", "/api/v1/cameras/{id}/maintenance", TOKENS_ADMIN, OPENABLE_NO, NULL, api_maintenance},
    {"DELETE", "/api/v1/cameras/{id}/reference", TOKENS_ADMIN, OPENABLE_NO, NULL, api_reference},
    {"GET", "/api/v1/events", TOKENS_VIEWER, OPENABLE_NO, p_events, api_events},
    {"GET", "/api/v1/uptime", TOKENS_VIEWER, OPENABLE_NO, p_uptime, api_uptime},
    {"GET", "/api/v1/clock", TOKENS_VIEWER, OPENABLE_NO, NULL, api_clock},
    {"GET", "/api/v1/footage", TOKENS_INVESTIGATOR, OPENABLE_NO, p_footage, api_footage_find},
    {"GET", "/api/v1/requests", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL, api_requests},
    {"POST", "/api/v1/requests", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL, api_request_create},
    {"GET", "/api/v1/requests/{request}", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL, api_request},
    {"POST", "/api/v1/requests/{request}/export", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL,
     api_export_start},
    {"GET", "/api/v1/exports", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL, api_exports},
    {"GET", "/api/v1/exports/{export}", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL, api_export},
    {"GET", "/api/v1/exports/{export}/files/{name}", TOKENS_INVESTIGATOR, OPENABLE_NO, NULL,
     api_export_file},
    {"GET", "/api/v1/reports/{kind}", TOKENS_VIEWER, OPENABLE_NO, p_report, api_report},
    {"GET", "/api/v1/tickets", TOKENS_VIEWER, OPENABLE_NO, p_tickets, api_tickets},
    {"POST", "/api/v1/tickets", TOKENS_ADMIN, OPENABLE_NO, NULL, api_ticket_add},
    {"POST", "/api/v1/tickets/{ticket}/close", TOKENS_ADMIN, OPENABLE_NO, NULL, api_ticket_close},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static int method_matches(const char *route, const char *method)
{
    return strcmp(route, method) == 0 || (strcmp(route, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static int route_open(const struct api *a, const struct api_route *r)
{
    return r->role == API_PUBLIC ||
           (r->openable == OPENABLE_METRICS && a->env.cfg->http_open_metrics) ||
           (r->openable == OPENABLE_HEALTHZ && a->env.cfg->http_open_healthz);
}

/* GET /api/v1: {endpoints: [ {method, path, role, open, params[]} ]}, the table itself, so a
 * client (and the tests) can see every endpoint and who may ask it. */
static void api_index(struct api_call *c)
{
    json_t *o = json_object(), *arr = json_array();

    for (size_t i = 0; i < N_ROUTES; i++) {
        const struct api_route *r = &routes[i];
        json_t *e = json_object(), *params = json_array();
        for (const char *const *p = r->params; p != NULL && *p != NULL; p++)
            json_array_append_new(params, json_string(*p));
        json_object_set_new(e, "method", json_string(r->method));
        json_object_set_new(e, "path", json_string(r->pattern));
        json_object_set_new(e, "role",
                            r->role == API_PUBLIC ? json_null()
                                                  : json_string(tokens_role_name(r->role)));
        json_object_set_new(e, "open", json_boolean(route_open(c->api, r)));
        json_object_set_new(e, "params", params);
        json_array_append_new(arr, e);
    }
    json_object_set_new(o, "endpoints", arr);
    http_reply_json(c->req, 200, o);
}

/* The route for c's request, or NULL after answering 404 or 405. */
static const struct api_route *api_route_for(struct api_call *c)
{
    const char *path = http_req_path(c->req), *method = http_req_method(c->req);
    char allow[64] = "";
    int path_known = 0;

    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!httpparse_route(routes[i].pattern, path, &c->caps))
            continue;
        if (method_matches(routes[i].method, method))
            return &routes[i];
        path_known = 1;
        snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s%s",
                 allow[0] ? ", " : "", routes[i].method,
                 strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
    }
    if (!path_known) {
        http_reply_error(c->req, HTTP_NOT_FOUND, "not_found", "no such endpoint: %.200s", path);
        return NULL;
    }
    http_reply_header(c->req, "Allow", allow);
    http_reply_error(c->req, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                     "%.16s is not allowed on %.200s (allowed: %s)", method, path, allow);
    return NULL;
}

/* Who asks, and whether the role is enough. 0, or -1 after answering 401 or 403. */
static int api_authorize(struct api_call *c, const struct api_route *r)
{
    const struct tokens_entry *who;
    double delay;
    enum auth_result res;

    if (route_open(c->api, r))
        return 0;
    res = auth_check(c->api->auth, http_req_header(c->req, "Authorization"),
                     http_req_client(c->req), ev_now(c->api->env.loop), &who, &delay);
    if (res != AUTH_OK) {
        http_reply_header(c->req, "WWW-Authenticate", "Bearer realm=\"camwatch\"");
        http_reply_after(c->req, delay);
        if (auth_count(c->api->auth) == 0)
            http_reply_error(c->req, HTTP_UNAUTHORIZED, "unauthorized",
                             "the daemon has no tokens yet: make one with `camwatch token add "
                             "NAME --role ROLE`");
        else
            http_reply_error(c->req, HTTP_UNAUTHORIZED, "unauthorized", "%s",
                             res == AUTH_MISSING ? "send a token: Authorization: Bearer TOKEN"
                                                 : "the token is not valid");
        return -1;
    }
    snprintf(c->who, sizeof(c->who), "%s", who->name);
    c->role = who->role;
    http_req_set_user(c->req, who->name);
    if ((int)who->role < r->role) {
        http_reply_error(
            c->req, HTTP_FORBIDDEN, "forbidden", "this needs the %s role; token '%s' is a %s",
            tokens_role_name((enum tokens_role)r->role), who->name, tokens_role_name(who->role));
        return -1;
    }
    return 0;
}

/* 1 after answering 400 when c's query holds a parameter r does not take, one twice, or one
 * without a value; 0 when it is fine (any query, for a route that ignores it). */
static int api_query_refused(struct api_call *c, const struct api_route *r)
{
    const char *unknown, *repeated, *valueless;

    if (r->params == p_ignored)
        return 0;
    if ((unknown = http_req_unknown_query(c->req, r->params, &repeated, &valueless)) != NULL)
        api_reply_bad_param(c, unknown, "not a parameter of %s %s", r->method, r->pattern);
    else if (repeated != NULL)
        api_reply_bad_param(c, repeated, "given twice (a list is one value: ID,ID)");
    else if (valueless != NULL) /* not read as absent: "?since" would give the default range */
        api_reply_bad_param(c, valueless, "no value: write %s=VALUE", valueless);
    else
        return 0;
    return 1;
}

static void api_handle(void *data, struct http_req *req)
{
    struct api *a = data;
    struct api_call c = {.api = a, .req = req};
    const struct api_route *r;

    /* A request the server reads while api_free flushes its answers (on a kept-alive
     * connection): the workers are gone, nothing more is taken. */
    if (a->stopping) {
        http_reply_error(req, HTTP_UNAVAILABLE, "stopping", "the daemon is stopping");
        return;
    }
    if ((r = api_route_for(&c)) == NULL || api_authorize(&c, r) != 0 || api_query_refused(&c, r))
        return;
    c.doc = (struct doc_ctx){a->env.store, a->env.cfg, a->env.cfg->time_zone};
    r->fn(&c);
}

/* A tokens file [http] tokens names that cannot be read at all (a folder, unreadable, too
 * big: config/tokens.c's problems at line 0 of path) names the key that gave it, as listen
 * and socket do: "camwatch.conf:14: tokens: [http]: /etc/camwatch/tok: not a regular file
 * ...". The file's own problems (tokens.ini:LINE: ...) name their line and stay as they are;
 * so does a file systemd's credentials gave in the key's place (tokens_daemon_path). Rewrites
 * errs' problems from the from-th on. */
static void api_tokens_where(const struct cfg *cfg, const char *path, struct cw_errlist *errs,
                             size_t from)
{
    char msg[sizeof(errs->v[0].msg)], file[sizeof(errs->v[0].file)];

    if (strcmp(path, cfg->http_tokens) != 0)
        return;
    for (size_t i = from; i < errs->n; i++) {
        struct cw_err *e = &errs->v[i];
        const char *shown = path;

        if (e->line != 0 || !cw_err_file_is(e, path))
            continue;
        memcpy(msg, e->msg, sizeof(msg));
        memcpy(file, e->file, sizeof(file));
        /* A path too long to go whole before what is wrong goes as e->file kept its end. */
        if (strlen(path) + strlen(msg) + sizeof("[http]: : ") > sizeof(msg))
            shown = file;
        cw_err_set(e, cfg->path, cfg->http_tokens_line, "tokens", "[http]: %s: %s", shown, msg);
    }
}

int api_check(const struct cfg *cfg, struct cw_errlist *errs)
{
    struct tokens t = {0};
    char *path = tokens_daemon_path(cfg);
    size_t from = errs->n;
    int rc;

    if (path == NULL)
        return cw_errlist_add(errs, NULL, 0, NULL, "out of memory");
    rc = tokens_load(path, &t, NULL, errs);
    api_tokens_where(cfg, path, errs, from);
    tokens_clear(&t);
    free(path);
    return rc;
}

/* An address refused (http.c's field listen or socket) names where it comes from, as a
 * configuration's problems do: the conf file, the key's line (0 for the default) and its
 * section: "camwatch.conf:9: listen: [http]: cannot listen on ...: Address already in use". */
static void api_err_where(const struct cfg *cfg, struct cw_err *err)
{
    int is_listen = strcmp(err->field, "listen") == 0;
    char field[sizeof(err->field)], msg[sizeof(err->msg)];

    if (!is_listen && strcmp(err->field, "socket") != 0)
        return;
    memcpy(field, err->field, sizeof(field));
    memcpy(msg, err->msg, sizeof(msg));
    cw_err_set(err, cfg->path, is_listen ? cfg->http_listen_line : cfg->http_socket_line, field,
               "[http]: %s", msg);
}

int api_new(const struct api_env *env, struct api **out, struct cw_errlist *errs)
{
    const struct cfg *cfg = env->cfg;
    const struct http_limits lim = {(unsigned)cfg->http_connections, (unsigned)cfg->http_per_client,
                                    (unsigned)(cfg->http_timeout_ms / 1000),
                                    (size_t)cfg->http_max_body, HTTP_MAX_HEADER_DEFAULT};
    struct api *a = calloc(1, sizeof(*a));
    struct cw_err err;
    char *tokens = NULL;
    size_t from = errs->n;

    if (a == NULL)
        return cw_errlist_add(errs, NULL, 0, NULL, "out of memory");
    pthread_mutex_init(&a->run_mu, NULL);
    a->env = *env;
    if ((a->db_path = strdup(cfg->database)) == NULL ||
        (tokens = tokens_daemon_path(env->cfg)) == NULL) {
        cw_errlist_add(errs, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (auth_new(env->loop, tokens, &a->auth, errs) != 0) {
        api_tokens_where(cfg, tokens, errs, from);
        goto fail;
    }
    if (pool_new(env->loop, API_WORKERS, &a->pool, &err) != 0 || api_exports_new(a, &err) != 0 ||
        http_new(env->loop, cfg->http_listen, cfg->http_socket, &lim, api_handle, a, &a->http,
                 &err) != 0) {
        api_err_where(cfg, &err);
        cw_errlist_push(errs, &err);
        goto fail;
    }
    log_info("api: listening on http://%s/%s%s with %zu tokens", cfg->http_listen,
             cfg->http_socket != NULL ? " and " : "", cfg->http_socket ? cfg->http_socket : "",
             auth_count(a->auth));
    free(tokens);
    *out = a;
    return 0;
fail:
    free(tokens);
    api_free(a);
    return -1;
}

void api_reload(struct api *a, const struct cfg *cfg)
{
    a->env.cfg = cfg;
    auth_reload(a->auth);
}

void api_free(struct api *a)
{
    if (a == NULL)
        return;
    a->stopping = 1;
    /* A long read on a worker would hold the stop (and the daemon's last writes after it) for as
     * long as it reads: it ends now, answered 503. The fleet's write batch was committed at the
     * signal already (a WAL reader never holds a commit back); what a writer job held back is
     * committed again once this returns (camwatchd's main: fleet_stop). */
    api_jobs_interrupt(a);
    /* First: the done of a job run already may still come, and an export's start would queue
     * its export on the exports' pool (stopping: it answers 503 instead). No job of this pool
     * refers to an export record. Those not run are answered 503: their connections resumed. */
    pool_free(a->pool);
    a->pool = NULL;
    api_exports_free(a);
    http_free(a->http);
    auth_free(a->auth);
    free(a->db_path);
    pthread_mutex_destroy(&a->run_mu);
    free(a);
}
