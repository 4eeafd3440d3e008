/* store_priv.h - what the store's files share: the struct store record, the
 * cache of prepared statements, and small SQLite helpers. Not for callers
 * outside index/ (tests may use store_migrate to build old schemas). */
#ifndef CW_STORE_PRIV_H
#define CW_STORE_PRIV_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "store.h"

/* Statements prepared once per connection and reset/rebound on each use: the ones the daemon
 * runs for every probe, and the per-camera ones sync runs 10,000 times. */
enum store_stmt_id {
    STMT_CAMERA_LOOKUP,
    STMT_CAMERA_INSERT,
    STMT_CAMERA_UPDATE,
    STMT_CAMERA_PROBE,
    STMT_CAMERA_SET_STATE,
    STMT_CAMERA_MOVE_STATE,
    STMT_CAMERA_GET_STATE,
    STMT_CAMERA_GET_STATUS,
    STMT_CAMERA_SAMPLE,
    STMT_CAMERA_GET_REFERENCE,
    STMT_CAMERA_SET_REFERENCE,
    STMT_EVENT_INSERT,
    STMT_SAMPLE_INSERT,
    STMT_DEVICE_FACTS,
    STMT_DEVICE_UPSERT,
    STMT_DEVICE_CHANGE_INSERT,
    STMT_DEVICE_ENDPOINT_DELETE,
    STMT_DEVICE_ENDPOINT_INSERT,
    STMT_DEVICE_PROFILE_DELETE,
    STMT_DEVICE_PROFILE_INSERT,
    STMT_CLOCK_INSERT,
    STMT_DATA_VERSION,
    STMT_SEGMENT_PUT,
    STMT_SEGMENT_MAX_LEN,
    STMT_SEGMENT_DROP,
    STMT_FOOTAGE_DIR_MTIME,
    STMT_FOOTAGE_DIR_SET,
    STMT_FOOTAGE_SUBDIRS,
    STMT_FOOTAGE_FILES,
    STMT_FOOTAGE_LAST_FILE,
    STMT_FOOTAGE_CAMERA,
    STMT_FOOTAGE_SEGMENTS,
    STMT_FOOTAGE_SEGMENT_BEFORE,
    STMT_STATE_AT,
    STMT_EVENTS_BETWEEN,
    STMT_CLOCK_AT,
    STMT_COUNT
};

struct store {
    sqlite3 *db;
    char *path;
    enum store_mode mode;
    int depth; /* store_begin nesting; the transaction is open while > 0 */
    /* store_log_committed's lines, held while the transaction is open: logged when it
     * commits, dropped when it rolls back */
    char **held_lines;
    size_t n_held_lines, held_lines_cap;
    sqlite3_stmt *stmt[STMT_COUNT];
    atomic_int interrupted; /* store_interrupt was called: any thread writes it, once */
    int busy_ms;            /* store_set_busy_timeout: longest wait for another's lock */
    int busy_waited_ms;     /* slept so far for the lock now met (store_busy); s's thread */
    int busy_interrupted;   /* store_busy gave the last wait up: s was interrupted */
};

/* The cached statement id, prepared from sql on first use, reset and unbound. NULL with err
 * filled on failure. Borrowed: finalized by store_close. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_id id, const char *sql,
                         struct cw_err *err);
/* Log line (log_info) once the writes it tells of are committed: at once outside a transaction,
 * at the outermost store_commit inside one, never when that rolls back (a caller's transaction
 * may hold a sync: the daemon's reload). A line the memory cannot hold is lost, not the
 * write. */
void store_log_committed(struct store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Run SQL that returns no rows (may hold several statements). */
int store_exec(struct store *s, const char *sql, struct cw_err *err);
/* Fill err with what SQLite said about the last failure, prefixed by what we were doing. */
int store_fail(struct store *s, const char *doing, struct cw_err *err);
/* SQLite's words for the last failure on s (sqlite3_errmsg), but "interrupted" for a wait for
 * a lock that store_interrupt ended (SQLite says "database is locked", as after the timeout). */
const char *store_errmsg(struct store *s);

/* Step st to its end, appending one element of size sz per row, zeroed and then filled by
 * read(st, elem) (so a reader sets only what its columns say). Finalizes st. Returns 0 with *out
 * (malloc'd, caller frees; NULL when no rows) and *n, or -1 with nothing allocated; `doing` names
 * the query in the error. st NULL (store_prepare failed and said why): -1. */
int store_collect(struct store *s, sqlite3_stmt *st, size_t sz,
                  void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n,
                  const char *doing, struct cw_err *err);
/* Step st (bound) for at most one row; when there is one, zero sz bytes at out (the row, as
 * store_collect's elements; 0 when out is not the row but where read puts it) and read(st, out).
 * Then reset st (cached: a store_stmt) or finalize it. out is untouched when there is no row.
 * 0 (a row), 1 (none), -1 (err: doing and SQLite's words; st NULL: the prepare failed and said
 * why). */
int store_one_row(struct store *s, sqlite3_stmt *st, int cached, size_t sz,
                  void (*read)(sqlite3_stmt *st, void *out), void *out, const char *doing,
                  struct cw_err *err);
/* store_collect for a cached statement (store_stmt): reset, not finalized. */
int store_collect_cached(struct store *s, sqlite3_stmt *st, size_t sz,
                         void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n,
                         const char *doing, struct cw_err *err);
/* store_collect_cached for a statement (st NULL: -1, store_stmt said why) whose ?1, ?2 and ?3
 * are a camera id and the range [from_ms, to_ms); other parameters bound by the caller. */
int store_collect_range(struct store *s, sqlite3_stmt *st, const char *camera_id, int64_t from_ms,
                        int64_t to_ms, size_t sz, void (*read)(sqlite3_stmt *st, void *elem),
                        void **out, size_t *n, const char *doing, struct cw_err *err);
/* store_collect over pg's window of an append-only table with columns id, camera_id and
 * at_ms: "SELECT cols FROM table" with the window's conditions, in (at_ms, id) order. cols
 * and table are our own constants, never input. out as store_select says. */
int store_collect_page(struct store *s, const char *cols, const char *table,
                       const struct store_page *pg, size_t sz,
                       void (*read)(sqlite3_stmt *st, void *elem), void *out, size_t *n,
                       const char *doing, struct cw_err *err);
/* Close a store_begin after a failure: the outermost level rolls back; an inner level only
 * unwinds and leaves the decision to its caller's batch. Returns -1. */
int store_end_failed(struct store *s);
/* Roll back the open transaction, if any, and forget the nesting. */
void store_abort(struct store *s);

/* Bind st's parameters ?1, ?2, ... from fmt, one letter each, taking one argument per letter
 * (none for '_'):
 *   t  const char *  text, NULL binds NULL; borrowed until the statement is reset
 *   o  const char *  text, NULL or "" binds NULL (store_bind_opt_text)
 *   i  int           I  int64_t           d  double
 *   _  no argument: the parameter stays NULL, or the caller binds it after
 * The arguments must have exactly these types (they pass through varargs). */
void store_bind(sqlite3_stmt *st, const char *fmt, ...);
/* sql prepared (not cached) and bound from fmt as store_bind says. The statement (caller
 * finalizes it, or hands it to store_collect / store_one_row / store_finish), or NULL with err
 * "doing: SQLite's words". */
sqlite3_stmt *store_prepare(struct store *s, const char *doing, struct cw_err *err, const char *sql,
                            const char *fmt, ...);
/* store_stmt, then bound from fmt as store_bind says. NULL with err filled on failure. */
sqlite3_stmt *store_cached(struct store *s, enum store_stmt_id id, const char *sql,
                           struct cw_err *err, const char *fmt, ...);
/* Step a statement from store_prepare (st NULL: -1, it said why) to its end and finalize it.
 * 0 (sqlite3_changes tells the rows written) or -1 with err "doing: SQLite's words". */
int store_finish(struct store *s, sqlite3_stmt *st, const char *doing, struct cw_err *err);
/* store_finish for an INSERT: *id gets the new row's id. 0, or -1 as store_finish. */
int store_insert(struct store *s, sqlite3_stmt *st, const char *doing, int64_t *id,
                 struct cw_err *err);
/* store_prepare and store_collect in one: the rows of sql, bound from fmt, into the caller's
 * array pointer. out is the address of that pointer (a `T **` for rows of type T; object
 * pointers share one representation, as POSIX requires), set to a malloc'd array (caller
 * frees; NULL when no rows, and on error). */
int store_select(struct store *s, size_t sz, void (*read)(sqlite3_stmt *st, void *elem), void *out,
                 size_t *n, const char *doing, struct cw_err *err, const char *sql, const char *fmt,
                 ...);
/* store_prepare and store_finish in one: run sql, bound from fmt, once. */
int store_run(struct store *s, const char *doing, struct cw_err *err, const char *sql,
              const char *fmt, ...);

/* Step a write statement st to its end and reset it; "WHAT of WHO: sqlite's message" in err on
 * failure. Returns 0 or -1. st NULL (store_cached failed and said why): -1. */
int store_step_write(struct store *s, sqlite3_stmt *st, const char *what, const char *who,
                     struct cw_err *err);
/* store_step_write for an UPDATE of one row: 0 when it changed a row, 1 when no row matched,
 * -1 on error (st NULL as store_step_write). */
int store_step_update(struct store *s, sqlite3_stmt *st, const char *what, const char *who,
                      struct cw_err *err);

/* Bind a string, or NULL when str is NULL or empty. */
int store_bind_opt_text(sqlite3_stmt *st, int i, const char *str);
/* Copy a text column into buf ("" when NULL), truncating to len. */
void store_column_text(sqlite3_stmt *st, int col, char *buf, size_t len);
/* A uint64_t (a picture hash) kept in an INTEGER column as the int64 of the same bits. */
int store_bind_u64(sqlite3_stmt *st, int i, uint64_t v);
uint64_t store_column_u64(sqlite3_stmt *st, int col);
/* State stored as its lower-case name; unknown text reads as CW_UNKNOWN. */
enum cw_state store_column_state(sqlite3_stmt *st, int col);

/* The index in names[0..n) of a text column (a NULL entry never matches), or dflt when the
 * column is NULL or names none of them: an enum stored as its name. */
int store_column_name(sqlite3_stmt *st, int col, const char *const *names, int n, int dflt);
/* A caller's row limit as SQL's LIMIT takes it: 0 (no limit) and anything past INT64_MAX bind
 * -1, which SQLite reads as no limit. */
int64_t store_limit(size_t limit);
/* A reader for store_one_row: column 0 into the int64_t at out. */
void store_read_int64(sqlite3_stmt *st, void *out);
/* Read st's columns 0, 1, ... of the current row into the arguments, one letter each, the
 * mirror of store_bind (NULL reads as 0 or ""):
 *   t  char *buf, size_t len  text cut to len (store_column_text)
 *   i  int *     I  int64_t *     d  double *
 *   s  enum cw_state *        a state's name (store_column_state)
 *   u  uint64_t *             a picture hash (store_column_u64)
 *   n  int *     N  int64_t * as i and I, but NULL reads as -1 (unknown)
 *   _  no argument: the column is skipped (the caller reads it)
 * The arguments must have exactly these types (they pass through varargs). */
void store_columns(sqlite3_stmt *st, const char *fmt, ...);

/* Apply the migration steps from the file's user_version up to target, each in its own
 * transaction. path names the file in messages. Refuses target > STORE_SCHEMA_VERSION and a
 * file newer than target. Used by store_open, and by tests to build a database at an old
 * version. */
int store_migrate(sqlite3 *db, const char *path, int target, struct cw_err *err);
/* user_version of db, or -1 with err filled. */
int store_read_user_version(sqlite3 *db, const char *path, int *out, struct cw_err *err);

/* Camera and event rows (store_camera.c, store_event.c). */
int store_camera_get_state(struct store *s, const char *id, enum cw_state *state, int *retired,
                           struct cw_err *err);
int store_camera_set_state(struct store *s, const char *id, enum cw_state to, int64_t at_ms,
                           const char *reason, struct cw_err *err);
/* Like store_camera_set_state, but only when the camera is in `from` now; returns 1 (nothing
 * written) when it is not, or does not exist. */
int store_camera_move_state(struct store *s, const char *id, enum cw_state from, enum cw_state to,
                            int64_t at_ms, const char *reason, struct cw_err *err);
/* Make a sample the camera's latest stream facts (store_camera.c); thumb_path NULL keeps the
 * old one. Returns 0, 1 when no such camera (nothing written), -1 on error. */
int store_camera_record_sample(struct store *s, const struct store_sample *smp,
                               const char *thumb_path, struct cw_err *err);
int store_event_insert(struct store *s, const char *camera_id, enum cw_state from, enum cw_state to,
                       int64_t at_ms, const char *reason, struct cw_err *err);

#endif
