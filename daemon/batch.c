/* batch.c - the fleet's write batch (batch.h draws it). Owns the commit and
 * external-check timers, whether a transaction is open, and the store's
 * data_version as last seen; the transaction itself is the store's. Loop
 * thread only. */
#include "batch.h"

#include <stdlib.h>

#include "../util/log.h"

struct batch {
    struct ev_loop *loop;
    struct store *store;
    struct batch_hooks hooks;
    int open;
    ev_timer commit;
    ev_timer external;
    int64_t data_version;
};

/* Hand every row to the adopt hook when another connection committed since we last looked. */
static void batch_sync_external(struct batch *b)
{
    struct store_status *st = NULL;
    size_t n = 0;
    int64_t v;
    struct cw_err err;

    if (store_data_version(b->store, &v, &err) != 0 || v == b->data_version)
        return;
    b->data_version = v;
    if (store_list_status(b->store, &st, &n, &err) != 0) {
        log_warnx("store: cannot read states: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (b->hooks.adopt)
            b->hooks.adopt(b->hooks.data, &st[i]);
    free(st);
}

static void batch_commit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    batch_commit(w->data);
}

static void batch_external_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    batch_sync_external(w->data);
}

int batch_new(struct ev_loop *loop, struct store *store, const struct batch_hooks *hooks,
              struct batch **out, struct cw_err *err)
{
    struct batch *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    b->loop = loop;
    b->store = store;
    b->hooks = *hooks;
    ev_timer_init(&b->commit, batch_commit_cb, 0.0, 0.0);
    b->commit.data = b;
    ev_timer_init(&b->external, batch_external_cb, BATCH_EXTERNAL_CHECK_S, BATCH_EXTERNAL_CHECK_S);
    b->external.data = b;
    if (store_data_version(store, &b->data_version, err) != 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

int batch_open(struct batch *b)
{
    struct cw_err err;

    if (b->open)
        return 0;
    /* Adopt first: whoever writes next starts from what the CLI changed. */
    batch_sync_external(b);
    if (store_begin(b->store, &err) != 0) {
        log_warnx("store: cannot begin a write: %s", err.msg);
        return -1;
    }
    b->open = 1;
    ev_timer_set(&b->commit, BATCH_COMMIT_DELAY_S, 0.0);
    ev_timer_start(b->loop, &b->commit);
    return 0;
}

void batch_commit(struct batch *b)
{
    struct cw_err err;

    if (!b->open)
        return;
    ev_timer_stop(b->loop, &b->commit);
    b->open = 0;
    if (store_commit(b->store, &err) != 0)
        log_warnx("store: commit failed: %s", err.msg);
    if (b->hooks.committed)
        b->hooks.committed(b->hooks.data);
}

void batch_watch(struct batch *b)
{
    ev_timer_start(b->loop, &b->external);
}

void batch_stop(struct batch *b)
{
    ev_timer_stop(b->loop, &b->external);
    batch_commit(b);
}

void batch_free(struct batch *b)
{
    if (b == NULL)
        return;
    batch_stop(b);
    free(b);
}
