/* store_audit.c - every statement on the audit table: who did what to which evidence, when.
 * Rows are appended only (triggers refuse changes) and chained: each row holds the SHA-256 of
 * the row before it (prev_hash) and its own hash over its fields and prev_hash, so a row
 * changed, removed or slipped in behind SQLite's back (the sqlite3 shell can drop triggers)
 * breaks the chain at that row, and store_audit_verify says where.
 *
 * The hashed text of a row is its fields in order, each as "<length>:<bytes>" after the id and
 * time, so no choice of field contents can make two rows hash alike:
 *   "<id>|<at_ms>|<len>:<actor>|<len>:<action>|<len>:<subject>|<len>:<detail>|<prev_hash>" */
#include "store_footage.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "store_priv.h"

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The row's hash as 64 lower-case hex digits in out. */
static int audit_hash(const struct store_audit *a, char out[STORE_AUDIT_HASH_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    size_t len;
    char *text;
    int n;

    len = strlen(a->actor) + strlen(a->action) + strlen(a->subject) + strlen(a->detail) + 256;
    if ((text = malloc(len)) == NULL)
        return -1;
    n = snprintf(text, len, "%lld|%lld|%zu:%s|%zu:%s|%zu:%s|%zu:%s|%s", (long long)a->id,
                 (long long)a->at_ms, strlen(a->actor), a->actor, strlen(a->action), a->action,
                 strlen(a->subject), a->subject, strlen(a->detail), a->detail, a->prev_hash);
    if (n < 0 || (size_t)n >= len ||
        EVP_Digest(text, (size_t)n, md, &md_len, EVP_sha256(), NULL) != 1) {
        free(text);
        return -1;
    }
    free(text);
    for (unsigned int i = 0; i < md_len && 2 * i + 2 < STORE_AUDIT_HASH_HEX; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static void read_audit(sqlite3_stmt *st, void *elem)
{
    struct store_audit *a = elem;

    memset(a, 0, sizeof(*a));
    store_columns(st, "IItttttt", &a->id, &a->at_ms, a->actor, sizeof(a->actor), a->action,
                  sizeof(a->action), a->subject, sizeof(a->subject), a->detail, sizeof(a->detail),
                  a->prev_hash, sizeof(a->prev_hash), a->hash, sizeof(a->hash));
}

#define AUDIT_COLUMNS                                                                              \
    "SELECT id, at_ms, actor, action, subject, detail, prev_hash, hash FROM audit "

/* The last row's id and hash (0 and the genesis hash when there is none). */
static int audit_last(struct store *s, int64_t *id, char hash[STORE_AUDIT_HASH_HEX],
                      struct cw_err *err)
{
    struct store_audit last = {.id = 0, .hash = AUDIT_GENESIS};
    int rc = store_one_row(
        s, store_prepare(s, "audit", err, AUDIT_COLUMNS "ORDER BY id DESC LIMIT 1", ""), 0,
        sizeof(last), read_audit, &last, "audit", err);

    *id = last.id;
    snprintf(hash, STORE_AUDIT_HASH_HEX, "%s", last.hash);
    return rc < 0 ? -1 : 0;
}

static int audit_insert(struct store *s, const struct store_audit *a, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO audit (id, at_ms, actor, action, subject, detail, "
                              "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *st = store_prepare(s, "audit", err, sql, "IItttttt", a->id, a->at_ms, a->actor,
                                     a->action, a->subject, a->detail, a->prev_hash, a->hash);
    int rc;

    if (st == NULL)
        return -1;
    rc = store_step_write(s, st, "audit", a->action, err);
    sqlite3_finalize(st);
    return rc;
}

int store_audit_append(struct store *s, int64_t at_ms, const char *actor, const char *action,
                       const char *subject, const char *detail, int64_t *id, struct cw_err *err)
{
    struct store_audit *a = calloc(1, sizeof(*a));
    int64_t last;

    if (a == NULL)
        return cw_err_set(err, s->path, 0, NULL, "audit: out of memory");
    a->at_ms = at_ms;
    snprintf(a->actor, sizeof(a->actor), "%s", actor ? actor : "");
    snprintf(a->action, sizeof(a->action), "%s", action ? action : "");
    snprintf(a->subject, sizeof(a->subject), "%s", subject ? subject : "");
    snprintf(a->detail, sizeof(a->detail), "%s", detail ? detail : "");
    /* The write lock first (BEGIN IMMEDIATE): the last row read is still the last at insert. */
    if (store_begin(s, err) != 0)
        goto fail_free;
    if (audit_last(s, &last, a->prev_hash, err) != 0)
        goto fail;
    a->id = last + 1;
    if (audit_hash(a, a->hash) != 0) {
        cw_err_set(err, s->path, 0, NULL, "audit: cannot hash the row");
        goto fail;
    }
    if (audit_insert(s, a, err) != 0)
        goto fail;
    if (store_commit(s, err) != 0)
        goto fail_free;
    if (id != NULL)
        *id = a->id;
    free(a);
    return 0;
fail:
    store_end_failed(s);
fail_free:
    free(a);
    return -1;
}

int store_audit_verify(struct store *s, int64_t *rows, int64_t *broken_id, char *why,
                       size_t why_len, struct cw_err *err)
{
    sqlite3_stmt *st = NULL;
    struct store_audit a;
    char prev[STORE_AUDIT_HASH_HEX] = AUDIT_GENESIS, want[STORE_AUDIT_HASH_HEX];
    int64_t prev_id = 0;
    int rc;

    *rows = 0;
    *broken_id = 0;
    if (why_len > 0)
        why[0] = '\0';
    /* Row by row, never the whole table in memory. */
    if ((st = store_prepare(s, "audit", err, AUDIT_COLUMNS "ORDER BY id", "")) == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_audit(st, &a);
        ++*rows;
        if (*broken_id != 0)
            continue; /* count the rest */
        if (a.id != prev_id + 1)
            snprintf(why, why_len, "rows %lld..%lld are missing", (long long)prev_id + 1,
                     (long long)a.id - 1);
        else if (strcmp(a.prev_hash, prev) != 0)
            snprintf(why, why_len, "its link does not hold: the row before it was changed");
        else if (audit_hash(&a, want) != 0 || strcmp(want, a.hash) != 0)
            snprintf(why, why_len, "its hash does not hold: it was changed");
        else {
            prev_id = a.id;
            snprintf(prev, sizeof(prev), "%s", a.hash);
            continue;
        }
        *broken_id = a.id;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, "audit", err);
}

int store_list_audit(struct store *s, int64_t after_id, size_t limit, struct store_audit **out,
                     size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_audit, out, n, "audit", err,
                        AUDIT_COLUMNS "WHERE id > ?1 ORDER BY id LIMIT ?2", "II", after_id,
                        store_limit(limit));
}

/* ---- exports begun and ended ----
 * An export writes "export.start" (detail: where: the CLI's folder, then
 * STORE_AUDIT_FOLDER_LOCKED when it holds the folder's lock; or the API export's name) before
 * any file, then "export" (done) or "export.failed" (detail "where: why") after. An end row
 * names its start row exactly: its detail ends with AUDIT_START_REF and the start row's id.
 * Rows written before that (no reference) are paired as they were written: the oldest open
 * start of the same actor and subject whose where the end row names, else of the same actor and
 * subject. */

#define AUDIT_START_REF "; export.start row "
#define AUDIT_PAGE_ROWS 256 /* rows read at a time: the table is never whole in memory */

int store_audit_append_end(struct store *s, int64_t at_ms, const char *actor, const char *action,
                           const char *subject, const char *detail, int64_t start_id,
                           struct cw_err *err)
{
    char ref[64], text[sizeof(((struct store_audit *)0)->detail)];
    size_t room, len = strlen(detail);

    if (start_id <= 0) /* begun with no row of its own (a test's export) */
        return store_audit_append(s, at_ms, actor, action, subject, detail, NULL, err);
    snprintf(ref, sizeof(ref), AUDIT_START_REF "%lld", (long long)start_id);
    room = sizeof(text) - 1 - strlen(ref);
    if (len > room) { /* cut the detail, never the reference, nor inside a UTF-8 character */
        len = room;
        while (len > 0 && ((unsigned char)detail[len] & 0xC0) == 0x80)
            len--;
    }
    snprintf(text, sizeof(text), "%.*s%s", (int)len, detail, ref);
    return store_audit_append(s, at_ms, actor, action, subject, text, NULL, err);
}

/* The start row's id an end row's detail names at its end, or 0 (a row written without it). */
static int64_t audit_start_ref(const char *detail)
{
    const char *p = NULL, *q = detail, *d;
    long long id = 0;

    while ((q = strstr(q, AUDIT_START_REF)) != NULL)
        p = q++;
    if (p == NULL)
        return 0;
    d = p + strlen(AUDIT_START_REF);
    if (*d == '\0' || strspn(d, "0123456789") != strlen(d) || strlen(d) > 18)
        return 0;
    sscanf(d, "%lld", &id);
    return id;
}

static int audit_is_end(const struct store_audit *a)
{
    return strcmp(a->action, "export") == 0 || strcmp(a->action, "export.failed") == 0;
}

int store_audit_start_where(const struct store_audit *a, char *buf, size_t len)
{
    size_t n = strlen(a->detail), m = strlen(STORE_AUDIT_FOLDER_LOCKED);
    int locked =
        a->detail[0] == '/' && n > m && strcmp(a->detail + n - m, STORE_AUDIT_FOLDER_LOCKED) == 0;

    snprintf(buf, len, "%.*s", (int)(locked ? n - m : n), a->detail);
    return locked;
}

/* Whether end (a row without a reference) names start's where: "where: why" for a failure; for
 * a done export "... to DIR; ...", DIR the CLI's folder or the API's exports folder/name. */
static int audit_names_where(const struct store_audit *start, const struct store_audit *end)
{
    char w[sizeof(start->detail)], pat[sizeof(start->detail) + 8];
    size_t n;

    store_audit_start_where(start, w, sizeof(w));
    n = strlen(w);

    if (strcmp(end->action, "export.failed") == 0)
        return strncmp(end->detail, w, n) == 0 && strncmp(end->detail + n, ": ", 2) == 0;
    snprintf(pat, sizeof(pat), w[0] == '/' ? " to %s; " : "/%s; ", w);
    return strstr(end->detail, pat) != NULL;
}

/* The index in open[0..n) of the start row that end closes, or -1. */
static ptrdiff_t audit_closed_start(const struct store_audit *open, size_t n,
                                    const struct store_audit *end)
{
    int64_t ref = audit_start_ref(end->detail);

    if (ref != 0) {
        for (size_t i = 0; i < n; i++)
            if (open[i].id == ref)
                return (ptrdiff_t)i;
        return -1;
    }
    for (int by_where = 1; by_where >= 0; by_where--)
        for (size_t i = 0; i < n; i++)
            if (strcmp(open[i].actor, end->actor) == 0 &&
                strcmp(open[i].subject, end->subject) == 0 &&
                (!by_where || audit_names_where(&open[i], end)))
                return (ptrdiff_t)i;
    return -1;
}

/* Fold one page of rows into the open starts. */
static int audit_fold(const struct store_audit *rows, size_t n, struct store_audit **open,
                      size_t *n_open, size_t *cap)
{
    for (size_t i = 0; i < n; i++) {
        ptrdiff_t k;

        if (strcmp(rows[i].action, "export.start") == 0) {
            if (cw_vec_grow(open, *n_open, cap, sizeof(**open), 4) != 0)
                return -1;
            (*open)[(*n_open)++] = rows[i];
        } else if (audit_is_end(&rows[i]) &&
                   (k = audit_closed_start(*open, *n_open, &rows[i])) >= 0) {
            memmove(*open + k, *open + k + 1, (*n_open - (size_t)k - 1) * sizeof(**open));
            --*n_open;
        }
    }
    return 0;
}

int store_audit_unfinished_exports(struct store *s, struct store_audit **out, size_t *n,
                                   struct cw_err *err)
{
    struct store_audit *page = NULL, *open = NULL;
    size_t got = 0, n_open = 0, cap = 0;
    int64_t after = 0;

    *out = NULL;
    *n = 0;
    do {
        if (store_select(s, sizeof(*page), read_audit, &page, &got, "audit", err,
                         AUDIT_COLUMNS "WHERE id > ?1 AND action IN ('export.start', 'export', "
                                       "'export.failed') ORDER BY id LIMIT ?2",
                         "II", after, (int64_t)AUDIT_PAGE_ROWS) != 0)
            goto fail;
        if (audit_fold(page, got, &open, &n_open, &cap) != 0) {
            cw_err_set(err, s->path, 0, NULL, "audit: out of memory");
            goto fail;
        }
        if (got > 0)
            after = page[got - 1].id;
        free(page);
        page = NULL;
    } while (got == AUDIT_PAGE_ROWS);
    *out = open;
    *n = n_open;
    return 0;
fail:
    free(page);
    free(open);
    return -1;
}

int store_audit_export_named(struct store *s, const char *name, const char *folder,
                             int64_t except_id, int64_t *row, struct cw_err *err)
{
    char api_end[sizeof(((struct store_audit *)0)->detail) + 8], cli_end[4200 + 8],
        locked[4200 + sizeof(STORE_AUDIT_FOLDER_LOCKED)];
    int rc;

    *row = 0;
    snprintf(api_end, sizeof(api_end), "/%s; ", name);
    snprintf(cli_end, sizeof(cli_end), " to %s; ", folder);
    snprintf(locked, sizeof(locked), "%s%s", folder, STORE_AUDIT_FOLDER_LOCKED);
    /* instr, not LIKE: a name or folder is data, never a pattern. */
    rc = store_one_row(s,
                       store_prepare(s, "audit", err,
                                     "SELECT id FROM audit WHERE id <> ?1 AND action IN "
                                     "('export.start', 'export') AND (detail = ?2 OR detail = ?3 "
                                     "OR detail = ?6 OR instr(detail, ?4) > 0 OR "
                                     "instr(detail, ?5) > 0) ORDER BY id LIMIT 1",
                                     "Ittttt", except_id, name, folder, api_end, cli_end, locked),
                       0, 0, store_read_int64, row, "audit", err);
    return rc < 0 ? -1 : 0;
}
