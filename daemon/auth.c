/* auth.c - tokens and failing clients (auth.h). The table of failing clients is a plain
 * array searched linearly: it is touched only by failed requests, and bounded. */
#include "auth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"
#include "httpparse.h"

#define AUTH_STAT_POLL_S 5.0 /* ev_stat's polling interval where inotify is not available */
#define CLIENT_MAX 64        /* bytes of a client's address text */

struct failing {
    char client[CLIENT_MAX];
    unsigned failures;
    double last_s;
};

struct auth {
    struct ev_loop *loop;
    char *path;
    struct tokens tokens;
    ev_stat watch;
    struct failing *failing;
    size_t n_failing;
    struct auth_stats stats;
};

static void auth_log_errors(const struct cw_errlist *errs)
{
    char line[1024];

    for (size_t i = 0; i < errs->n; i++) {
        cw_err_format(&errs->v[i], line, sizeof(line));
        log_warnx("auth: %s", line);
    }
}

void auth_reload(struct auth *a)
{
    struct cw_errlist errs = {0};
    struct tokens t = {0};
    int missing = 0;

    a->stats.reloads++;
    if (tokens_load(a->path, &t, &missing, &errs) != 0) {
        auth_log_errors(&errs);
        log_warnx("auth: %s refused, keeping the %zu tokens in use", a->path, a->tokens.n);
    } else {
        tokens_clear(&a->tokens);
        a->tokens = t;
        log_info("auth: %zu tokens from %s%s", t.n, a->path, missing ? " (no such file)" : "");
    }
    cw_errlist_clear(&errs);
}

static void auth_watch_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
    (void)loop;
    (void)revents;
    auth_reload(w->data);
}

int auth_new(struct ev_loop *loop, const char *path, struct auth **out, struct cw_errlist *errs)
{
    struct auth *a = calloc(1, sizeof(*a));
    int missing = 0;

    if (a == NULL || (a->path = strdup(path)) == NULL) {
        free(a);
        return cw_errlist_add(errs, NULL, 0, NULL, "out of memory");
    }
    a->loop = loop;
    if (tokens_load(path, &a->tokens, &missing, errs) != 0) {
        auth_free(a);
        return -1;
    }
    if (missing)
        log_warnx("auth: no tokens file %s: every API request is refused until `camwatch token "
                  "add NAME --role ROLE` writes one",
                  path);
    else if (a->tokens.n == 0)
        log_warnx("auth: %s holds no token: every API request is refused", path);
    ev_stat_init(&a->watch, auth_watch_cb, a->path, AUTH_STAT_POLL_S);
    a->watch.data = a;
    ev_stat_start(loop, &a->watch);
    ev_unref(loop); /* the watcher alone does not keep the loop running */
    *out = a;
    return 0;
}

void auth_free(struct auth *a)
{
    if (a == NULL)
        return;
    if (ev_is_active(&a->watch)) {
        ev_ref(a->loop);
        ev_stat_stop(a->loop, &a->watch);
    }
    tokens_clear(&a->tokens);
    free(a->failing);
    free(a->path);
    free(a);
}

size_t auth_count(const struct auth *a)
{
    return a->tokens.n;
}

void auth_get_stats(const struct auth *a, struct auth_stats *out)
{
    *out = a->stats;
}

/* client's record, made (the stalest replaced when the table is full); NULL: no memory. */
static struct failing *failing_for(struct auth *a, const char *client, double now_s)
{
    struct failing *f, *oldest = NULL;

    for (size_t i = 0; i < a->n_failing; i++) {
        f = &a->failing[i];
        if (strcmp(f->client, client) == 0) {
            if (now_s - f->last_s > AUTH_FORGET_S)
                f->failures = 0;
            return f;
        }
        if (oldest == NULL || f->last_s < oldest->last_s)
            oldest = f;
    }
    if (a->n_failing < AUTH_CLIENTS_MAX) {
        f = realloc(a->failing, (a->n_failing + 1) * sizeof(*f));
        if (f == NULL)
            return NULL;
        a->failing = f;
        f = &a->failing[a->n_failing++];
    } else {
        f = oldest;
    }
    memset(f, 0, sizeof(*f));
    snprintf(f->client, sizeof(f->client), "%s", client);
    return f;
}

/* Count a failure of client; the hold for its answer. */
static double auth_fail(struct auth *a, const char *client, double now_s)
{
    struct failing *f = failing_for(a, client, now_s);
    unsigned over;
    double delay;

    a->stats.failures++;
    if (f == NULL)
        return AUTH_DELAY_MAX_S;
    f->failures++;
    f->last_s = now_s;
    if (f->failures <= AUTH_FREE_FAILURES)
        return 0;
    over = f->failures - AUTH_FREE_FAILURES - 1;
    delay = AUTH_DELAY_BASE_S * ldexp(1.0, over < 16 ? (int)over : 16);
    if (delay > AUTH_DELAY_MAX_S)
        delay = AUTH_DELAY_MAX_S;
    if (f->failures == AUTH_FREE_FAILURES + 1)
        log_info("auth: client %s: %u failed attempts, its answers are held from now on", client,
                 f->failures);
    a->stats.held++;
    return delay;
}

enum auth_result auth_check(struct auth *a, const char *authorization, const char *client,
                            double now_s, const struct tokens_entry **who, double *delay_s)
{
    const char *token;
    size_t n = httpparse_bearer(authorization, TOKENS_TOKEN_MAX, &token);

    *who = NULL;
    *delay_s = 0;
    if (n > 0 && (*who = tokens_find(&a->tokens, token, n)) != NULL)
        return AUTH_OK;
    if (n == 0) { /* no guess was made: nothing to slow down */
        a->stats.failures++;
        return AUTH_MISSING;
    }
    *delay_s = auth_fail(a, client, now_s);
    return AUTH_INVALID;
}
