/* store_request.c - every statement on the request table: an investigator's request (a time
 * range, a place, a case, who asked and why), stored with its audit row in one transaction.
 * Requests are appended, never changed or deleted (triggers). */
#include "store_footage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

static const char *const place_names[] = {"point", "text", "cameras"};
#define PLACE_NAMES_N (int)(sizeof(place_names) / sizeof(place_names[0]))

const char *store_place_kind_name(enum store_place_kind k)
{
    return (unsigned)k < (unsigned)PLACE_NAMES_N ? place_names[k] : "";
}

static int request_insert(struct store *s, const struct store_request *r, int64_t now_ms,
                          int64_t *id, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO request (created_ms, by, case_ref, reason, from_ms, to_ms, place, lat, lon, "
        "radius_m, place_text, cameras) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    sqlite3_stmt *st =
        store_prepare(s, "request", err, sql, "ItttIIt", now_ms, r->by, r->case_ref, r->reason,
                      r->scope.from_ms, r->scope.to_ms, store_place_kind_name(r->scope.place));
    int rc;

    if (st == NULL)
        return -1;
    if (r->scope.place == STORE_PLACE_POINT) {
        sqlite3_bind_double(st, 8, r->scope.lat);
        sqlite3_bind_double(st, 9, r->scope.lon);
        sqlite3_bind_double(st, 10, r->scope.radius_m);
    }
    if (r->scope.place == STORE_PLACE_TEXT)
        sqlite3_bind_text(st, 11, r->text, -1, SQLITE_STATIC);
    if (r->scope.place == STORE_PLACE_CAMERAS)
        sqlite3_bind_text(st, 12, r->cameras, -1, SQLITE_STATIC);
    rc = store_step_write(s, st, "request", r->case_ref, err);
    sqlite3_finalize(st);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* What the audit row says of a request: enough to read without the request table. */
static void request_detail(const struct store_request *r, char *buf, size_t len)
{
    int n = 0;

    if (r->scope.place == STORE_PLACE_POINT)
        n = snprintf(buf, len, "case %s; %lld..%lld; near %.6f,%.6f within %.0f m; %s", r->case_ref,
                     (long long)r->scope.from_ms, (long long)r->scope.to_ms, r->scope.lat,
                     r->scope.lon, r->scope.radius_m, r->reason);
    else
        n = snprintf(buf, len, "case %s; %lld..%lld; %s %s; %s", r->case_ref,
                     (long long)r->scope.from_ms, (long long)r->scope.to_ms,
                     r->scope.place == STORE_PLACE_TEXT ? "place" : "cameras",
                     r->scope.place == STORE_PLACE_TEXT ? r->text : r->cameras, r->reason);
    if (n < 0)
        buf[0] = '\0';
}

int store_request_create(struct store *s, const struct store_request *r, int64_t now_ms,
                         int64_t *id, struct cw_err *err)
{
    char subject[64], detail[1024];

    if (store_begin(s, err) != 0)
        return -1;
    if (request_insert(s, r, now_ms, id, err) != 0)
        return store_end_failed(s);
    snprintf(subject, sizeof(subject), "request %lld", (long long)*id);
    request_detail(r, detail, sizeof(detail));
    if (store_audit_append(s, now_ms, r->by, "request.create", subject, detail, NULL, err) != 0)
        return store_end_failed(s);
    return store_commit(s, err);
}

#define REQUEST_COLUMNS                                                                            \
    "SELECT id, created_ms, by, case_ref, reason, from_ms, to_ms, place, lat, lon, radius_m, "     \
    "place_text, cameras FROM request "

static void read_request(sqlite3_stmt *st, void *elem)
{
    struct store_request *r = elem;

    store_columns(st, "IItttII_dddtt", &r->id, &r->created_ms, r->by, sizeof(r->by), r->case_ref,
                  sizeof(r->case_ref), r->reason, sizeof(r->reason), &r->scope.from_ms,
                  &r->scope.to_ms, &r->scope.lat, &r->scope.lon, &r->scope.radius_m, r->text,
                  sizeof(r->text), r->cameras, sizeof(r->cameras));
    r->scope.place = store_column_name(st, 7, place_names, PLACE_NAMES_N, STORE_PLACE_CAMERAS);
}

int store_request_get(struct store *s, int64_t id, struct store_request *out, struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(s, "request", err, REQUEST_COLUMNS "WHERE id = ?1", "I", id);

    return store_one_row(s, st, 0, sizeof(*out), read_request, out, "request", err);
}

int store_list_requests(struct store *s, struct store_request **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_request, out, n, "requests", err,
                        REQUEST_COLUMNS "ORDER BY id DESC", "");
}
