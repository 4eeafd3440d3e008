/* store.c - the SQLite store's connection: open (pragmas, migration), close,
 * batched transactions (and the log lines held until they commit), the prepared-statement
 * cache, data_version. Owns the sqlite3 handle, its statements and the held lines; one
 * thread at a time (the daemon's loop thread, or the CLI).
 *
 * Settings and why: WAL so the CLI reads beside the daemon's writes;
 * synchronous=NORMAL, which in WAL mode loses at most the last commits on power
 * loss, never consistency; a busy timeout so the CLI's short transactions wait for
 * each other and for the daemon's batches instead of failing (the daemon's loop waits a few
 * ms at most: store_set_busy_timeout; our own handler, which store_interrupt ends);
 * foreign keys so no event names a camera that is not there. Table SQL lives in
 * store_camera.c, store_event.c, store_sample.c, store_uptime.c, store_device.c; the schema in
 * store_migrate.c. */
#include "store_priv.h"

#include "../util/file.h"
#include "../util/log.h"
#include "../util/text.h"
#include "../util/vec.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define STORE_BUSY_TIMEOUT_MS 5000 /* longest wait for the other connection's transaction */
/* Virtual machine steps between two looks at store_interrupt's flag (the progress handler): a
 * look is a load, so a read stops within microseconds of the interrupt at no measurable cost. */
#define STORE_INTERRUPT_CHECK_OPS 1000
/* The busy handler's sleeps between two tries for another connection's lock (store_busy): short
 * at first, as SQLite's own, for a lock held a moment; then never longer than the last, so an
 * interrupted connection gives up the wait within that long of store_interrupt. */
static const int store_busy_steps_ms[] = {1, 2, 5, 10};

/* Bytes of one store_log_committed line: the longest, a recorder's, is under 200. */
#define STORE_LOG_LINE_MAX 1024

const char *store_errmsg(struct store *s)
{
    if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY && s->busy_interrupted)
        return sqlite3_errstr(SQLITE_INTERRUPT);
    return sqlite3_errmsg(s->db);
}

int store_fail(struct store *s, const char *doing, struct cw_err *err)
{
    return cw_err_set(err, s->path, 0, NULL, "%s: %s", doing, store_errmsg(s));
}

/* store_collect's loop; the statement is finalized, or with keep reset (a cached one). */
static int collect(struct store *s, sqlite3_stmt *st, int keep, size_t sz,
                   void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n,
                   const char *doing, struct cw_err *err)
{
    char *v = NULL;
    size_t cap = 0, len = 0;
    int step;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (cw_vec_grow(&v, len, &cap, sz, 64) != 0) {
            cw_err_set(err, s->path, 0, NULL, "%s: out of memory", doing);
            goto fail;
        }
        memset(v + len * sz, 0, sz);
        read(st, v + len++ * sz);
    }
    if (step != SQLITE_DONE) {
        store_fail(s, doing, err);
        goto fail;
    }
    if (keep)
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    *out = v;
    *n = len;
    return 0;
fail:
    if (keep)
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    free(v);
    return -1;
}

int store_collect(struct store *s, sqlite3_stmt *st, size_t sz,
                  void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n,
                  const char *doing, struct cw_err *err)
{
    return collect(s, st, 0, sz, read, out, n, doing, err);
}

int store_one_row(struct store *s, sqlite3_stmt *st, int cached, size_t sz,
                  void (*read)(sqlite3_stmt *st, void *out), void *out, const char *doing,
                  struct cw_err *err)
{
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sz);
        read(st, out);
    } else if (rc != SQLITE_DONE)
        store_fail(s, doing, err);
    if (cached)
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? 1 : -1;
}

int store_collect_cached(struct store *s, sqlite3_stmt *st, size_t sz,
                         void (*read)(sqlite3_stmt *st, void *elem), void **out, size_t *n,
                         const char *doing, struct cw_err *err)
{
    return collect(s, st, 1, sz, read, out, n, doing, err);
}

int store_collect_range(struct store *s, sqlite3_stmt *st, const char *camera_id, int64_t from_ms,
                        int64_t to_ms, size_t sz, void (*read)(sqlite3_stmt *st, void *elem),
                        void **out, size_t *n, const char *doing, struct cw_err *err)
{
    *out = NULL;
    *n = 0;
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from_ms);
    sqlite3_bind_int64(st, 3, to_ms);
    return store_collect_cached(s, st, sz, read, out, n, doing, err);
}

int store_collect_page(struct store *s, const char *cols, const char *table,
                       const struct store_page *pg, size_t sz,
                       void (*read)(sqlite3_stmt *st, void *elem), void *out, size_t *n,
                       const char *doing, struct cw_err *err)
{
    char sql[512];

    /* ?1 is the later of since and the cursor's time, so the (camera_id, at_ms) or (at_ms)
     * index starts the search there; ties on at_ms are broken by id. */
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM %s WHERE at_ms >= ?1 AND (at_ms > ?2 OR (at_ms = ?2 AND id > ?3))%s "
             "ORDER BY at_ms, id LIMIT ?4",
             cols, table, pg->camera_id != NULL ? " AND camera_id = ?5" : "");
    return store_select(s, sz, read, out, n, doing, err, sql, "IIIIt",
                        pg->since_ms > pg->after_at_ms ? pg->since_ms : pg->after_at_ms,
                        pg->after_at_ms, pg->after_id, store_limit(pg->limit), pg->camera_id);
}

/* Whether store_interrupt was called on s: then err says so, and no statement starts (the
 * progress handler ends only statements that run long enough to call it). */
static int interrupted(struct store *s, const char *doing, struct cw_err *err)
{
    if (!atomic_load_explicit(&s->interrupted, memory_order_relaxed))
        return 0;
    cw_err_set(err, s->path, 0, NULL, "%s: interrupted", doing);
    return 1;
}

int store_exec(struct store *s, const char *sql, struct cw_err *err)
{
    char *msg = NULL;

    if (interrupted(s, "exec", err))
        return -1;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int busy = (sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY;

        cw_err_set(err, s->path, 0, NULL, "%s", msg && !busy ? msg : store_errmsg(s));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_id id, const char *sql,
                         struct cw_err *err)
{
    sqlite3_stmt *st = s->stmt[id];

    if (interrupted(s, "prepare", err))
        return NULL;
    if (st == NULL) {
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) !=
            SQLITE_OK) {
            store_fail(s, "prepare", err);
            return NULL;
        }
        return s->stmt[id];
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    /* Its counters count one run, as a fresh statement's would (tests read the VM steps). */
    sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
    return st;
}

int store_step_write(struct store *s, sqlite3_stmt *st, const char *what, const char *who,
                     struct cw_err *err)
{
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cw_err_set(err, s->path, 0, NULL, "%s of %s: %s", what, who, store_errmsg(s));
    return 0;
}

int store_step_update(struct store *s, sqlite3_stmt *st, const char *what, const char *who,
                      struct cw_err *err)
{
    if (store_step_write(s, st, what, who, err) != 0)
        return -1;
    return sqlite3_changes(s->db) > 0 ? 0 : 1;
}

static void bindv(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    for (int i = 1; *fmt != '\0'; fmt++, i++) {
        switch (*fmt) {
        case 't':
            sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
            break;
        case 'o':
            store_bind_opt_text(st, i, va_arg(ap, const char *));
            break;
        case 'i':
            sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'I':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'd':
            sqlite3_bind_double(st, i, va_arg(ap, double));
            break;
        case '_':
            break;
        default:
            assert(!"store_bind: unknown format letter");
        }
    }
}

void store_bind(sqlite3_stmt *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    bindv(st, fmt, ap);
    va_end(ap);
}

static sqlite3_stmt *preparev(struct store *s, const char *doing, struct cw_err *err,
                              const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = NULL;

    if (interrupted(s, doing, err))
        return NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_fail(s, doing, err);
        return NULL;
    }
    bindv(st, fmt, ap);
    return st;
}

sqlite3_stmt *store_prepare(struct store *s, const char *doing, struct cw_err *err, const char *sql,
                            const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, fmt);
    st = preparev(s, doing, err, sql, fmt, ap);
    va_end(ap);
    return st;
}

sqlite3_stmt *store_cached(struct store *s, enum store_stmt_id id, const char *sql,
                           struct cw_err *err, const char *fmt, ...)
{
    sqlite3_stmt *st = store_stmt(s, id, sql, err);
    va_list ap;

    if (st == NULL)
        return NULL;
    va_start(ap, fmt);
    bindv(st, fmt, ap);
    va_end(ap);
    return st;
}

int store_finish(struct store *s, sqlite3_stmt *st, const char *doing, struct cw_err *err)
{
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, doing, err);
}

int store_insert(struct store *s, sqlite3_stmt *st, const char *doing, int64_t *id,
                 struct cw_err *err)
{
    if (store_finish(s, st, doing, err) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_select(struct store *s, size_t sz, void (*read)(sqlite3_stmt *st, void *elem), void *out,
                 size_t *n, const char *doing, struct cw_err *err, const char *sql, const char *fmt,
                 ...)
{
    void *rows = NULL;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = collect(s, preparev(s, doing, err, sql, fmt, ap), 0, sz, read, &rows, n, doing, err);
    va_end(ap);
    memcpy(out, &rows, sizeof(rows));
    return rc;
}

int store_run(struct store *s, const char *doing, struct cw_err *err, const char *sql,
              const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = store_finish(s, preparev(s, doing, err, sql, fmt, ap), doing, err);
    va_end(ap);
    return rc;
}

int store_bind_opt_text(sqlite3_stmt *st, int i, const char *str)
{
    if (str == NULL || str[0] == '\0')
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, str, -1, SQLITE_STATIC);
}

void store_column_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(buf, len, "%s", t ? (const char *)t : "");
}

int store_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    int64_t bits;

    memcpy(&bits, &v, sizeof(bits)); /* same bits; a plain cast is implementation-defined */
    return sqlite3_bind_int64(st, i, bits);
}

uint64_t store_column_u64(sqlite3_stmt *st, int col)
{
    int64_t bits = sqlite3_column_int64(st, col);
    uint64_t v;

    memcpy(&v, &bits, sizeof(v));
    return v;
}

enum cw_state store_column_state(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    enum cw_state v = CW_UNKNOWN;

    if (t != NULL)
        cw_state_parse((const char *)t, &v);
    return v;
}

int store_column_name(sqlite3_stmt *st, int col, const char *const *names, int n, int dflt)
{
    int i = cw_text_name_index(names, (size_t)n, (const char *)sqlite3_column_text(st, col));

    return i >= 0 ? i : dflt;
}

int64_t store_limit(size_t limit)
{
    return limit > 0 && limit < INT64_MAX ? (int64_t)limit : -1;
}

void store_read_int64(sqlite3_stmt *st, void *out)
{
    *(int64_t *)out = sqlite3_column_int64(st, 0);
}

void store_columns(sqlite3_stmt *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (int i = 0; fmt[i] != '\0'; i++) {
        switch (fmt[i]) {
        case 't': {
            char *buf = va_arg(ap, char *);
            store_column_text(st, i, buf, va_arg(ap, size_t));
            break;
        }
        case 'i':
            *va_arg(ap, int *) = sqlite3_column_int(st, i);
            break;
        case 'I':
            *va_arg(ap, int64_t *) = sqlite3_column_int64(st, i);
            break;
        case 'd':
            *va_arg(ap, double *) = sqlite3_column_double(st, i);
            break;
        case 's':
            *va_arg(ap, enum cw_state *) = store_column_state(st, i);
            break;
        case 'u':
            *va_arg(ap, uint64_t *) = store_column_u64(st, i);
            break;
        case 'n':
            *va_arg(ap, int *) =
                sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
            break;
        case 'N':
            *va_arg(ap, int64_t *) =
                sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
            break;
        case '_':
            break;
        default:
            assert(!"store_columns: unknown format letter");
        }
    }
    va_end(ap);
}

static int set_pragmas(struct store *s, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    int wal;

    if (store_set_busy_timeout(s, STORE_BUSY_TIMEOUT_MS, err) != 0)
        return -1;
    if (store_exec(s, "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY", err) != 0)
        return -1;
    if (s->mode == STORE_READONLY)
        return 0; /* journal mode is a property of the file; the daemon set it */
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_fail(s, "journal_mode", err);
    }
    wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (!wal)
        return cw_err_set(err, s->path, 0, NULL,
                          "cannot put the database in WAL mode (is it on a network file system?)");
    return store_exec(s, "PRAGMA synchronous = NORMAL", err);
}

int store_cache_limit(struct store *s, int kib, struct cw_err *err)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib > 0 ? kib : 1);
    return store_exec(s, sql, err);
}

/* READONLY: the file must exist at exactly this build's schema. */
static int check_readonly_schema(struct store *s, struct cw_err *err)
{
    int v;

    if (store_read_user_version(s->db, s->path, &v, err) != 0)
        return -1;
    if (v > STORE_SCHEMA_VERSION)
        return cw_err_set(err, s->path, 0, NULL,
                          "database schema %d is newer than this camwatch (%d)", v,
                          STORE_SCHEMA_VERSION);
    if (v < STORE_SCHEMA_VERSION)
        return cw_err_set(err, s->path, 0, NULL,
                          "database schema %d is older than this camwatch (%d); start camwatchd "
                          "once to migrate it",
                          v, STORE_SCHEMA_VERSION);
    return 0;
}

/* An I/O error or a full database at open (SQLite's "journal_mode: disk I/O error" when it
 * cannot size the -shm): when the database's file system has no block or no inode left for
 * it, err says that instead (with SQLite's words) and 1 is returned. */
static int no_space(const char *path, struct cw_err *err)
{
    char dir[4096], was[sizeof(err->msg)];
    const char *slash = strrchr(path, '/');
    struct statvfs vfs;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (statvfs(dir, &vfs) != 0 || (vfs.f_bavail > 0 && vfs.f_favail > 0))
        return 0;
    snprintf(was, sizeof(was), "%s", err->msg);
    cw_err_set(err, path, 0, NULL,
               "no space left on device on %s (%s free): free some and start "
               "again (SQLite: %.200s)",
               dir, vfs.f_bavail == 0 ? "no block" : "no inode", was);
    return 1;
}

/* SQLite's words for the ways a user gets the file wrong, in the user's: another file named
 * as the database, one this user may not write (SQLite writes PATH-wal and PATH-shm beside
 * it, readers too), a full disk. Other failures keep SQLite's message. */
static void open_failure_said_plainly(struct store *s, struct cw_err *err)
{
    int code = sqlite3_errcode(s->db) & 0xff; /* the primary code of an extended one */
    const char *base = strrchr(s->path, '/') != NULL ? strrchr(s->path, '/') + 1 : s->path;

    if (code == SQLITE_NOTADB)
        cw_err_set(err, s->path, 0, NULL,
                   "not an SQLite database (is [store] database the right file?)");
    else if ((code == SQLITE_IOERR || code == SQLITE_FULL) && no_space(s->path, err))
        return;
    else if (code == SQLITE_READONLY)
        cw_err_set(err, s->path, 0, NULL,
                   "cannot write it: this user may not write the database or its folder "
                   "(SQLite keeps %s-wal and %s-shm beside it)",
                   base, base);
}

/* SQLite's progress handler: non-zero ends the running statement with SQLITE_INTERRUPT. It runs
 * every STORE_INTERRUPT_CHECK_OPS steps of every statement, so a long one begun after
 * store_interrupt ends too (sqlite3_interrupt's own flag is cleared when a statement starts
 * with none running); a new one is refused before it starts (interrupted). */
static int store_progress(void *data)
{
    struct store *s = data;

    return atomic_load_explicit(&s->interrupted, memory_order_relaxed);
}

void store_interrupt(struct store *s)
{
    atomic_store(&s->interrupted, 1);
    /* Also ends a long single step (a sort) the handler would wait for; safe from another
     * thread while s is open (sqlite.org/c3ref/interrupt.html). */
    sqlite3_interrupt(s->db);
}

/* path as an SQLite URI for an immutable read (sqlite.org/uri.html): every byte but the
 * unreserved ones and '/' percent-encoded ('?', '#', '%' and spaces would cut or change it);
 * "file://" with an empty authority before an absolute path, "file:" before a relative one.
 * NULL when it does not fit in len. */
static const char *immutable_uri(const char *path, char *buf, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = (size_t)snprintf(buf, len, "%s", path[0] == '/' ? "file://" : "file:");

    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL;
        if (o + 4 >= len)
            return NULL;
        if (plain) {
            buf[o++] = (char)*p;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 15];
        }
    }
    if (o + sizeof("?immutable=1") > len)
        return NULL;
    memcpy(buf + o, "?immutable=1", sizeof("?immutable=1"));
    return buf;
}

/* name + suffix exists beside the database. */
static int beside(const char *path, const char *suffix)
{
    char p[4096];
    struct stat sb;

    return snprintf(p, sizeof(p), "%s%s", path, suffix) < (int)sizeof(p) && stat(p, &sb) == 0;
}

/* Open s->path with flags (uri: as an immutable read of it); 0 or -1 with err. */
static int open_db(struct store *s, int flags, int uri, struct cw_err *err)
{
    char buf[8192];
    const char *name = uri ? immutable_uri(s->path, buf, sizeof(buf)) : s->path;

    if (name == NULL)
        return cw_err_set(err, s->path, 0, NULL, "path too long");
    if (sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0),
                        NULL) != SQLITE_OK)
        return cw_err_set(err, s->path, 0, NULL, "cannot open database: %s",
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_progress_handler(s->db, STORE_INTERRUPT_CHECK_OPS, store_progress, s);
    return 0;
}

/* A read-only open that SQLite could not make (CANTOPEN): a copy of the store on read-only
 * media (an investigator's), where SQLite cannot make the -shm a WAL database's readers
 * share. With no -wal beside it the file holds everything: it is read as immutable (no
 * locks, no -shm). With a -wal but no -shm, the -wal's last commits are not in the file and
 * cannot be read here: say what to copy. 1 when it reopened s (then check again), 0 when
 * it is not that case, -1 with err. */
static int readonly_media(struct store *s, struct cw_err *err)
{
    if (s->mode != STORE_READONLY || (sqlite3_errcode(s->db) & 0xff) != SQLITE_CANTOPEN)
        return 0;
    if (beside(s->path, "-wal")) {
        if (beside(s->path, "-shm"))
            return 0;
        return cw_err_set(err, s->path, 0, NULL,
                          "cannot read it here: %s-wal holds its last writes and SQLite cannot "
                          "make %s-shm in this folder (read-only?); copy %s-wal and %s-shm too",
                          s->path, s->path, s->path, s->path);
    }
    sqlite3_progress_handler(s->db, 0, NULL, NULL);
    sqlite3_close(s->db);
    s->db = NULL;
    return open_db(s, SQLITE_OPEN_READONLY, 1, err) != 0 ? -1 : 1;
}

/* The connection's settings, and the schema checked (READONLY) or migrated. */
static int open_check(struct store *s, struct cw_err *err)
{
    return set_pragmas(s, err) != 0 ||
                   (s->mode == STORE_READONLY
                        ? check_readonly_schema(s, err)
                        : store_migrate(s->db, s->path, STORE_SCHEMA_VERSION, err)) != 0
               ? -1
               : 0;
}

int store_open(const char *path, enum store_mode mode, struct store **out, struct cw_err *err)
{
    struct store *s;
    struct stat sb;
    int flags, media = 0;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return cw_err_set(err, path, 0, NULL, "out of memory");
    }
    s->mode = mode;
    if (mode == STORE_READONLY) {
        if (stat(path, &sb) != 0) {
            cw_err_set(err, path, 0, NULL, "no database here (%s); start camwatchd to create it",
                       strerror(errno));
            goto fail;
        }
        flags = SQLITE_OPEN_READONLY;
    } else {
        if (cw_mkdirs(path, 1, err) != 0)
            goto fail;
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    }
    if (open_db(s, flags, 0, err) != 0)
        goto fail;
    if (open_check(s, err) != 0 &&
        ((media = readonly_media(s, err)) != 1 || open_check(s, err) != 0)) {
        if (media >= 0)
            open_failure_said_plainly(s, err);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

void store_log_committed(struct store *s, const char *fmt, ...)
{
    char line[STORE_LOG_LINE_MAX];
    va_list ap;
    char *held;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (s->depth == 0) {
        log_info("%s", line);
        return;
    }
    if (cw_vec_grow(&s->held_lines, s->n_held_lines, &s->held_lines_cap, sizeof(char *), 4) != 0 ||
        (held = strdup(line)) == NULL)
        return;
    s->held_lines[s->n_held_lines++] = held;
}

/* The held lines logged (the transaction committed) or dropped (it rolled back). */
static void store_end_held_lines(struct store *s, int committed)
{
    for (size_t i = 0; i < s->n_held_lines; i++) {
        if (committed)
            log_info("%s", s->held_lines[i]);
        free(s->held_lines[i]);
    }
    s->n_held_lines = 0;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL)
        sqlite3_progress_handler(s->db, 0, NULL, NULL); /* an interrupted one rolls back too */
    if (s->depth > 0)
        store_abort(s);
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s->held_lines); /* none left: store_abort above dropped those of an open batch */
    free(s->path);
    free(s);
}

int store_schema_version(struct store *s)
{
    int v = -1;

    store_read_user_version(s->db, s->path, &v, NULL);
    return v;
}

int store_begin(struct store *s, struct cw_err *err)
{
    if (s->mode == STORE_READONLY)
        return cw_err_set(err, s->path, 0, NULL, "database opened read-only");
    /* IMMEDIATE takes the write lock now, under the busy timeout, rather than failing with
     * SQLITE_BUSY half-way through when a read transaction cannot be upgraded. */
    if (s->depth == 0 && store_exec(s, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    s->depth++;
    return 0;
}

int store_commit(struct store *s, struct cw_err *err)
{
    if (s->depth <= 0)
        return cw_err_set(err, s->path, 0, NULL, "commit without begin");
    if (--s->depth > 0)
        return 0;
    if (store_exec(s, "COMMIT", err) != 0) {
        store_abort(s);
        return -1;
    }
    store_end_held_lines(s, 1);
    return 0;
}

int store_end_failed(struct store *s)
{
    if (s->depth <= 1)
        store_abort(s);
    else
        s->depth--;
    return -1;
}

void store_abort(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->depth = 0;
    store_end_held_lines(s, 0);
}

void store_rollback(struct store *s)
{
    if (s != NULL && s->depth > 0)
        store_abort(s);
}

int store_data_version(struct store *s, int64_t *out, struct cw_err *err)
{
    sqlite3_stmt *st = store_stmt(s, STMT_DATA_VERSION, "PRAGMA data_version", err);

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW)
        return store_fail(s, "data_version", err);
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

enum store_failure store_failure_kind(struct store *s)
{
    switch (sqlite3_errcode(s->db) & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_FAILURE_BUSY;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
        return STORE_FAILURE_TRANSIENT;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return STORE_FAILURE_DAMAGED;
    default:
        return STORE_FAILURE_WRITE;
    }
}

/* SQLite's busy handler (sqlite3_busy_handler): another connection holds the lock s needs;
 * count is how many times it was called for this lock before. Sleeps a step and tries again
 * (non-zero) until s->busy_ms are slept, as sqlite3_busy_timeout's handler; but gives up (0:
 * SQLITE_BUSY, which store_errmsg calls interrupted) at once when s is interrupted:
 * sqlite3_interrupt does not end a wait for a lock, only a running statement. s's thread. */
static int store_busy(void *data, int count)
{
    struct store *s = data;
    size_t n = sizeof(store_busy_steps_ms) / sizeof(store_busy_steps_ms[0]);
    int step = store_busy_steps_ms[(size_t)count < n ? (size_t)count : n - 1];

    if (count == 0) {
        s->busy_waited_ms = 0;
        s->busy_interrupted = 0;
    }
    if (atomic_load_explicit(&s->interrupted, memory_order_relaxed)) {
        s->busy_interrupted = 1;
        return 0;
    }
    if (s->busy_waited_ms >= s->busy_ms)
        return 0;
    if (step > s->busy_ms - s->busy_waited_ms)
        step = s->busy_ms - s->busy_waited_ms;
    sqlite3_sleep(step);
    s->busy_waited_ms += step;
    return 1;
}

int store_set_busy_timeout(struct store *s, int ms, struct cw_err *err)
{
    int was = s->busy_ms;

    s->busy_ms = ms > 0 ? ms : 0;
    /* Not sqlite3_busy_timeout: its handler sleeps on through store_interrupt. */
    if (sqlite3_busy_handler(s->db, ms > 0 ? store_busy : NULL, s) != SQLITE_OK) {
        s->busy_ms = was; /* the handler in place keeps the wait it had */
        return store_fail(s, "busy timeout", err);
    }
    return 0;
}

const char *store_vitals_path(const char *database, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s.daemon.json", database);

    return n >= 0 && (size_t)n < len ? buf : NULL;
}

const char *store_lock_path(const char *database, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s.lock", database);

    return n >= 0 && (size_t)n < len ? buf : NULL;
}
