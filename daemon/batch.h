/* batch.h - the fleet's writes. Each result the daemon decides is kept in
 * memory as a write (the journal, in order) and every BATCH_COMMIT_DELAY_S the
 * journal is written in one short store transaction: the write lock is held
 * for the milliseconds the statements take, never across the wait, so the
 * CLI's own short transactions (maintenance, reference) get in between.
 *
 * A write that fails for a cause that passes (disk or database full, I/O
 * error, busy, read-only) rolls the transaction back and the whole journal is
 * kept, with everything decided after it, and written again BATCH_RETRY_MIN_S
 * later, then at doubling intervals up to BATCH_RETRY_MAX_S, until it lands:
 * nothing the daemon decided is lost, and the store ends equal to its last
 * decisions. Meanwhile one log line a minute says so, and batch_health() tells
 * the daemon's STATUS. Memory stays bounded: a camera's probe facts and ONVIF
 * record are kept once (the latest; an older ONVIF record's clock reading is
 * kept as its own row), samples and clock readings up to BATCH_ROWS_KEPT (the
 * oldest dropped beyond, counted in the log); transitions are all kept.
 *
 * The store's connection is the loop's: batch_new sets its busy timeout to
 * BATCH_BUSY_TIMEOUT_MS, so another connection's write lock (the CLI's footage
 * scan, an API worker, an admin's sqlite3 shell) never holds the loop longer;
 * a batch that meets one is kept and tried again BATCH_RETRY_MIN_S later,
 * quietly (a debug line), and only a lock held past BATCH_BUSY_QUIET_S is a
 * failure as above.
 *
 * A store whose file is damaged (SQLITE_CORRUPT or NOTADB: a page of junk) is a
 * failure as above too, the writes kept, with an error line saying how to
 * repair it (sqlite3 DB ".recover"): a corrupt page is the file's fault, not
 * the write's.
 *
 * A write the store refuses for itself (a bug, not the disk) is dropped with a
 * log line, counted in dropped, and the rest written. A transition refused because another
 * connection (the CLI) moved the camera meanwhile is dropped and the camera's
 * stored row handed to the adopt hook.
 *
 *   empty -> collecting   batch_open() (first adopting others' commits)
 *   collecting -> empty   commit timer, batch_commit(): written
 *   collecting -> failing the store refused: kept; retry timer
 *   failing -> empty      a retry wrote it all
 * Owns the journal (copies of what it is given), the timers and the last
 * data_version seen. Loop thread only. */
#ifndef CW_BATCH_H
#define CW_BATCH_H

#include <ev.h>
#include <stdint.h>

#include "../index/store.h"
#include "../util/err.h"

/* Writes are collected this long, then written together. A commit costs about 0.2 ms of CPU
 * whatever it holds (its transaction, the WAL's pages and their write): at 0.2 s a district's
 * 128 cameras committed about one result at a time, and their liveness took 0.31 % of a core
 * against 0.24 % at 2 s, side by side (bench/steady's fleet, 300 s). What the daemon decides
 * reaches the store, and so the CLI, at most this much later. */
#define BATCH_COMMIT_DELAY_S 2.0
#define BATCH_EXTERNAL_CHECK_S 2.0 /* how often to look for the CLI's changes */
#define BATCH_RETRY_MIN_S 1.0      /* first retry after the store refused */
#define BATCH_RETRY_MAX_S 10.0     /* retries slow down to this */
#define BATCH_LOG_EVERY_S 60       /* while failing: one log line this often */
#define BATCH_ROWS_KEPT 100000     /* samples and clock readings kept while failing, each */
/* The loop's longest wait for another connection's write lock, ms: a batch lasts about a
 * millisecond, so a lock held longer is someone else's long transaction, and waiting for it
 * would stop the probes, the API and the watchdog's pings (5 s each time, SQLite's wait as
 * the CLI has it). */
#define BATCH_BUSY_TIMEOUT_MS 5
#define BATCH_BUSY_QUIET_S 60 /* a lock held this long is a failure, logged and shown */

struct batch;

struct batch_hooks {
    /* A camera's row as the store holds it after another connection's commit, or after the
     * store refused our transition because of one: take its state where it differs from ours
     * (our own writes never show here: data_version moves only for other connections). */
    void (*adopt)(void *data, const struct store_status *st);
    void (*committed)(void *data); /* after each attempt to write, landed or not */
    /* A device record landed and changed these facts (n > 0); borrowed for the call. */
    void (*changes)(void *data, const struct store_device_change *c, size_t n);
    void *data;
};

/* How the writes go, for the daemon's STATUS and `camwatch status --daemon`. */
struct batch_health {
    size_t pending;             /* writes kept in memory, not yet in the store */
    int failing;                /* the last attempt was refused */
    int64_t failing_since_ms;   /* wall clock of the first refusal of this run; 0 when fine */
    char error[512];            /* what the store said last, "" when fine */
    uint64_t dropped;           /* writes lost: samples and clock readings over
                                   BATCH_ROWS_KEPT, writes the store refused for themselves */
    uint64_t busy;              /* attempts put off: another connection held the write lock */
    uint64_t commits;           /* transactions that landed */
    double last_write_ms;       /* how long the last landed transaction took */
    double max_write_ms;        /* the longest over the last minute */
    int64_t max_write_since_ms; /* when that minute began */
};

/* Borrows loop and store (and sets its busy timeout, above); copies hooks. Caller frees with
 * batch_free. */
int batch_new(struct ev_loop *loop, struct store *store, const struct batch_hooks *hooks,
              struct batch **out, struct cw_err *err);
/* Start collecting if not already: adopt what other connections committed, arm the commit
 * timer. Returns 0 (kept int for callers that check). */
int batch_open(struct batch *b);

/* The writes, each copied: the caller's memory is free once they return. Each opens the
 * batch if needed. */
void batch_record_probe(struct batch *b, const struct store_probe *p);
void batch_record_transition(struct batch *b, const char *camera_id, enum cw_state from,
                             enum cw_state to, int64_t at_ms, const char *reason);
void batch_record_sample(struct batch *b, const struct store_sample *smp, const char *thumb_path);
void batch_set_reference(struct batch *b, const char *camera_id, int has, uint64_t phash,
                         int64_t at_ms);
void batch_record_device(struct batch *b, const struct store_device *d,
                         const struct store_endpoint *ep, size_t n_ep,
                         const struct store_profile *pr, size_t n_pr);

/* Write what is collected now (not while failing before the retry is due, unless force),
 * then the committed hook. */
void batch_commit(struct batch *b);
/* Look for other connections' commits every BATCH_EXTERNAL_CHECK_S from now on (a running
 * daemon; --once does not watch). */
void batch_watch(struct batch *b);
/* Stop watching and try once more to write what is pending. */
void batch_stop(struct batch *b);
void batch_health(const struct batch *b, struct batch_health *out);
/* Wall clock up to which every decision is in the store: now when nothing is pending, else
 * the oldest pending decision's time. A reader of the store (the alerting) judges no later. */
int64_t batch_complete_ms(const struct batch *b);
/* Accepts NULL; stops first. What still could not be written is logged and lost. */
void batch_free(struct batch *b);

#endif
