/* batch.h - the fleet's write batch: the probe results of a moment written
 * in one store transaction (one fsync for many cameras), opened on the first
 * write and committed BATCH_COMMIT_DELAY_S later. Before it opens, and every
 * BATCH_EXTERNAL_CHECK_S while the daemon runs, it looks whether another
 * connection (the CLI: maintenance on/off) committed, by the store's
 * data_version, and hands each camera's row to the adopt hook.
 *   closed -> open      batch_open()     (first adopting others' commits)
 *   open -> closed      commit timer, batch_commit(), batch_free()
 * Owns the two timers and the last data_version seen. Loop thread only. */
#ifndef CW_BATCH_H
#define CW_BATCH_H

#include <ev.h>

#include "../index/store.h"
#include "../util/err.h"

#define BATCH_COMMIT_DELAY_S 0.2   /* a write batch stays open this long at most */
#define BATCH_EXTERNAL_CHECK_S 2.0 /* how often to look for the CLI's changes */

struct batch;

struct batch_hooks {
    /* A camera's row as the store holds it after another connection's commit: take its state
     * where it differs from ours (our own writes never show here: data_version moves only for
     * other connections). */
    void (*adopt)(void *data, const struct store_status *st);
    void (*committed)(void *data); /* after each commit */
    void *data;
};

/* Borrows loop and store; copies hooks. Caller frees with batch_free. */
int batch_new(struct ev_loop *loop, struct store *store, const struct batch_hooks *hooks,
              struct batch **out, struct cw_err *err);
/* Open the batch if none is open; 0, or -1 (logged) when the store refuses. */
int batch_open(struct batch *b);
/* Commit the open batch now, if any (a failed commit is logged), then the committed hook. */
void batch_commit(struct batch *b);
/* Look for other connections' commits every BATCH_EXTERNAL_CHECK_S from now on (a running
 * daemon; --once does not watch). */
void batch_watch(struct batch *b);
/* Stop watching and commit what is pending. */
void batch_stop(struct batch *b);
/* Accepts NULL; stops first. */
void batch_free(struct batch *b);

#endif
