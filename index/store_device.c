/* store_device.c - every statement on the ONVIF tables: device (one row per
 * camera that had an ONVIF probe), device_endpoint and device_profile (the
 * current sets), device_change (fact history) and clock (every clock
 * reading); the device listings, the clock history and the offset in force
 * at a time. The per-probe statements are cached in struct store (store_stmt).
 *
 * device_change and clock are appended, never changed or deleted (triggers).
 * A camera's latest clock is not copied onto its device row: it is read from
 * clock through the (camera_id, at_ms) index, one B-tree search per camera,
 * so listing 10,000 devices never walks the millions of clock rows. */
#include "store_priv.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_FACTS 5 /* manufacturer, model, firmware, serial, hardware_id */

/* The facts whose changes are kept, in column order. */
static const struct {
    const char *name; /* column and store_device_change.field */
    size_t off;       /* in struct store_device: a char[128] */
} device_facts[DEVICE_FACTS] = {
    {"manufacturer", offsetof(struct store_device, manufacturer)},
    {"model", offsetof(struct store_device, model)},
    {"firmware", offsetof(struct store_device, firmware)},
    {"serial", offsetof(struct store_device, serial)},
    {"hardware_id", offsetof(struct store_device, hardware_id)},
};

static const char *device_fact(const struct store_device *d, int i)
{
    return (const char *)d + device_facts[i].off;
}

/* --- recording a probe ---------------------------------------------------------------------- */

/* The facts d changes against the stored ones: only where both are non-empty and differ. */
static int find_changes(struct store *s, const struct store_device *d,
                        struct store_device_change *found, size_t *n, struct cw_err *err)
{
    static const char sql[] = "SELECT manufacturer, model, firmware, serial, hardware_id FROM "
                              "device WHERE camera_id = ?1";
    sqlite3_stmt *st = store_cached(s, STMT_DEVICE_FACTS, sql, err, "t", d->camera_id);
    char old[sizeof(found->old_value)];
    int rc;

    *n = 0;
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    for (int i = 0; rc == SQLITE_ROW && i < DEVICE_FACTS; i++) {
        const char *now = device_fact(d, i);
        store_column_text(st, i, old, sizeof(old));
        if (old[0] == '\0' || now[0] == '\0' || strcmp(old, now) == 0)
            continue;
        struct store_device_change *c = &found[(*n)++];
        memset(c, 0, sizeof(*c));
        snprintf(c->camera_id, sizeof(c->camera_id), "%s", d->camera_id);
        c->at_ms = d->probed_ms;
        snprintf(c->field, sizeof(c->field), "%s", device_facts[i].name);
        snprintf(c->old_value, sizeof(c->old_value), "%s", old);
        snprintf(c->new_value, sizeof(c->new_value), "%s", now);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "device facts", err);
    return 0;
}

/* Insert or update the device row. Not ok: only probed_ms, ok, error (and ntp with a clock)
 * move; the NULLs bound for the rest keep the stored values. Ok: an empty fact keeps the
 * stored one (a device that stops giving its serial has not changed it); auth, uri_note and
 * snapshot_path are replaced, "" included. */
static int device_upsert(struct store *s, const struct store_device *d, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO device (camera_id, probed_ms, ok, error, facts_ms, manufacturer, model, "
        "firmware, serial, hardware_id, auth, uri_note, snapshot_path, ntp) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
        "ON CONFLICT (camera_id) DO UPDATE SET probed_ms = excluded.probed_ms, "
        "ok = excluded.ok, error = excluded.error, "
        "facts_ms = coalesce(excluded.facts_ms, facts_ms), "
        "manufacturer = coalesce(excluded.manufacturer, manufacturer), "
        "model = coalesce(excluded.model, model), "
        "firmware = coalesce(excluded.firmware, firmware), "
        "serial = coalesce(excluded.serial, serial), "
        "hardware_id = coalesce(excluded.hardware_id, hardware_id), "
        "auth = CASE WHEN excluded.ok THEN excluded.auth ELSE auth END, "
        "uri_note = CASE WHEN excluded.ok THEN excluded.uri_note ELSE uri_note END, "
        "snapshot_path = CASE WHEN excluded.ok THEN excluded.snapshot_path ELSE snapshot_path END, "
        "ntp = coalesce(excluded.ntp, ntp)";
    sqlite3_stmt *st = store_cached(s, STMT_DEVICE_UPSERT, sql, err, "tIit", d->camera_id,
                                    d->probed_ms, d->ok != 0, d->ok ? "" : d->error);

    if (st == NULL)
        return -1;
    if (d->ok) {
        sqlite3_bind_int64(st, 5, d->probed_ms);
        for (int i = 0; i < DEVICE_FACTS; i++)
            store_bind_opt_text(st, 6 + i, device_fact(d, i));
        store_bind_opt_text(st, 11, d->auth);
        store_bind_opt_text(st, 12, d->uri_note);
        store_bind_opt_text(st, 13, d->snapshot_path);
    }
    if (d->has_clock)
        sqlite3_bind_int(st, 14, d->ntp != 0);
    return store_step_write(s, st, "device", d->camera_id, err);
}

static int change_insert(struct store *s, const struct store_device_change *c, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO device_change (camera_id, at_ms, field, old_value, "
                              "new_value) VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = store_cached(s, STMT_DEVICE_CHANGE_INSERT, sql, err, "tIttt", c->camera_id,
                                    c->at_ms, c->field, c->old_value, c->new_value);

    return store_step_write(s, st, "device change", c->camera_id, err);
}

/* Delete the camera's rows of a current-state table with the cached statement id. */
static int delete_set(struct store *s, enum store_stmt_id id, const char *sql, const char *what,
                      const char *camera_id, struct cw_err *err)
{
    sqlite3_stmt *st = store_cached(s, id, sql, err, "t", camera_id);

    return store_step_write(s, st, what, camera_id, err);
}

/* A service named twice keeps its first URL. */
static int replace_endpoints(struct store *s, const char *camera_id,
                             const struct store_endpoint *ep, size_t n, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO device_endpoint (camera_id, service, url) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT (camera_id, service) DO NOTHING";
    sqlite3_stmt *st;

    if (delete_set(s, STMT_DEVICE_ENDPOINT_DELETE,
                   "DELETE FROM device_endpoint WHERE camera_id = ?1", "endpoints", camera_id,
                   err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((st = store_cached(s, STMT_DEVICE_ENDPOINT_INSERT, sql, err, "ttt", camera_id,
                               ep[i].service, ep[i].url)) == NULL ||
            store_step_write(s, st, "endpoints", camera_id, err) != 0)
            return -1;
    }
    return 0;
}

/* Numbers the device did not give (0) are stored NULL. */
static void bind_profile(sqlite3_stmt *st, const char *camera_id, size_t ord,
                         const struct store_profile *p)
{
    store_bind(st, "tIoooo", camera_id, (int64_t)ord, p->token, p->name, p->encoder_token,
               p->encoding);
    if (p->width > 0)
        sqlite3_bind_int(st, 7, p->width);
    if (p->height > 0)
        sqlite3_bind_int(st, 8, p->height);
    if (p->fps_limit > 0)
        sqlite3_bind_double(st, 9, p->fps_limit);
    if (p->bitrate_limit_kbps > 0)
        sqlite3_bind_int(st, 10, p->bitrate_limit_kbps);
    if (p->gov_length > 0)
        sqlite3_bind_int(st, 11, p->gov_length);
    store_bind_opt_text(st, 12, p->stream_uri);
    store_bind_opt_text(st, 13, p->snapshot_uri);
    sqlite3_bind_int(st, 14, p->streamed != 0);
}

#define PROFILE_COLUMNS                                                                            \
    "token, name, encoder_token, encoding, width, height, fps_limit, bitrate_limit_kbps, "         \
    "gov_length, stream_uri, snapshot_uri, streamed"

static int replace_profiles(struct store *s, const char *camera_id, const struct store_profile *pr,
                            size_t n, struct cw_err *err)
{
    static const char sql[] =
        "INSERT INTO device_profile (camera_id, ord, " PROFILE_COLUMNS ") "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
    sqlite3_stmt *st;

    if (delete_set(s, STMT_DEVICE_PROFILE_DELETE, "DELETE FROM device_profile WHERE camera_id = ?1",
                   "profiles", camera_id, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((st = store_stmt(s, STMT_DEVICE_PROFILE_INSERT, sql, err)) == NULL)
            return -1;
        bind_profile(st, camera_id, i, &pr[i]);
        if (store_step_write(s, st, "profiles", camera_id, err) != 0)
            return -1;
    }
    return 0;
}

static int clock_insert(struct store *s, const struct store_clock *c, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO clock (camera_id, at_ms, offset_ms, error_ms, ntp) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = store_cached(s, STMT_CLOCK_INSERT, sql, err, "tIIIi", c->camera_id, c->at_ms,
                                    c->offset_ms, c->error_ms, c->ntp != 0);

    return store_step_write(s, st, "clock", c->camera_id, err);
}

void store_device_clock(const struct store_device *d, struct store_clock *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->camera_id, sizeof(out->camera_id), "%s", d->camera_id);
    out->at_ms = d->clock_at_ms;
    out->offset_ms = d->clock_offset_ms;
    out->error_ms = d->clock_error_ms;
    out->ntp = d->ntp;
}

int store_record_clock(struct store *s, const struct store_clock *c, struct cw_err *err)
{
    enum cw_state state;
    int retired, rc;

    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_get_state(s, c->camera_id, &state, &retired, err);
    if (rc < 0 || (rc == 0 && clock_insert(s, c, err) != 0))
        return store_end_failed(s);
    if (store_commit(s, err) != 0)
        return -1;
    return rc > 0 ? 1 : 0;
}

int store_record_device(struct store *s, const struct store_device *d,
                        const struct store_endpoint *ep, size_t n_ep,
                        const struct store_profile *pr, size_t n_pr,
                        struct store_device_change **changes, size_t *n_changes, struct cw_err *err)
{
    struct store_device_change found[DEVICE_FACTS], *out = NULL;
    size_t n_found = 0;
    enum cw_state state;
    int retired, rc;

    if (changes != NULL)
        *changes = NULL;
    if (n_changes != NULL)
        *n_changes = 0;
    /* The camera first: an unknown camera writes nothing. All in one transaction, nested in
     * the daemon's batch when one is open. */
    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_get_state(s, d->camera_id, &state, &retired, err);
    if (rc < 0)
        return store_end_failed(s);
    if (rc > 0)
        return store_commit(s, err) == 0 ? 1 : -1;
    if (d->ok && find_changes(s, d, found, &n_found, err) != 0)
        goto fail;
    if (changes != NULL && n_found > 0) {
        if ((out = malloc(n_found * sizeof(*out))) == NULL) {
            cw_err_set(err, s->path, 0, NULL, "device of %s: out of memory", d->camera_id);
            goto fail;
        }
        memcpy(out, found, n_found * sizeof(*out));
    }
    if (device_upsert(s, d, err) != 0)
        goto fail;
    for (size_t i = 0; i < n_found; i++)
        if (change_insert(s, &found[i], err) != 0)
            goto fail;
    if (d->ok && (replace_endpoints(s, d->camera_id, ep, n_ep, err) != 0 ||
                  replace_profiles(s, d->camera_id, pr, n_pr, err) != 0))
        goto fail;
    if (d->has_clock) {
        struct store_clock c;
        store_device_clock(d, &c);
        if (clock_insert(s, &c, err) != 0)
            goto fail;
    }
    if (store_commit(s, err) != 0) {
        free(out);
        return -1;
    }
    if (changes != NULL)
        *changes = out;
    if (n_changes != NULL)
        *n_changes = n_found;
    return 0;
fail:
    free(out);
    return store_end_failed(s);
}

/* --- reading devices ------------------------------------------------------------------------ */

/* A device row with its latest clock row. ORDER BY at_ms DESC, id DESC is the index order
 * (camera_id, at_ms, rowid) backwards, so the subquery is one search, no sort. */
#define DEVICE_COLUMNS                                                                             \
    "SELECT d.camera_id, d.probed_ms, d.ok, d.error, d.facts_ms, d.manufacturer, d.model, "        \
    "d.firmware, d.serial, d.hardware_id, d.auth, d.uri_note, d.snapshot_path, "                   \
    "coalesce(c.ntp, d.ntp), c.id IS NOT NULL, c.at_ms, c.offset_ms, c.error_ms FROM device AS d "
#define DEVICE_LATEST_CLOCK                                                                        \
    "LEFT JOIN clock AS c ON c.id = (SELECT id FROM clock WHERE camera_id = d.camera_id "          \
    "ORDER BY at_ms DESC, id DESC LIMIT 1) "

static void read_device(sqlite3_stmt *st, void *elem)
{
    struct store_device *o = elem;

    /* facts_ms NULL reads as 0 */
    store_columns(st, "tIitIttttttttiiIII", o->camera_id, sizeof(o->camera_id), &o->probed_ms,
                  &o->ok, o->error, sizeof(o->error), &o->facts_ms, o->manufacturer,
                  sizeof(o->manufacturer), o->model, sizeof(o->model), o->firmware,
                  sizeof(o->firmware), o->serial, sizeof(o->serial), o->hardware_id,
                  sizeof(o->hardware_id), o->auth, sizeof(o->auth), o->uri_note,
                  sizeof(o->uri_note), o->snapshot_path, sizeof(o->snapshot_path), &o->ntp,
                  &o->has_clock, &o->clock_at_ms, &o->clock_offset_ms, &o->clock_error_ms);
}

static void read_endpoint(sqlite3_stmt *st, void *elem)
{
    struct store_endpoint *o = elem;

    store_column_text(st, 0, o->service, sizeof(o->service));
    store_column_text(st, 1, o->url, sizeof(o->url));
}

static void read_profile(sqlite3_stmt *st, void *elem)
{
    struct store_profile *o = elem;

    /* NULL limits read as 0 */
    store_columns(st, "ttttiidiitti", o->token, sizeof(o->token), o->name, sizeof(o->name),
                  o->encoder_token, sizeof(o->encoder_token), o->encoding, sizeof(o->encoding),
                  &o->width, &o->height, &o->fps_limit, &o->bitrate_limit_kbps, &o->gov_length,
                  o->stream_uri, sizeof(o->stream_uri), o->snapshot_uri, sizeof(o->snapshot_uri),
                  &o->streamed);
}

/* The device row alone: 0, 1 when none, -1. */
static int get_device_row(struct store *s, const char *camera_id, struct store_device *out,
                          struct cw_err *err)
{
    sqlite3_stmt *st =
        store_prepare(s, "device", err, DEVICE_COLUMNS DEVICE_LATEST_CLOCK "WHERE d.camera_id = ?1",
                      "t", camera_id);

    return store_one_row(s, st, 0, sizeof(*out), read_device, out, "device", err);
}

int store_get_device(struct store *s, const char *camera_id, struct store_device *out,
                     struct store_endpoint **ep, size_t *n_ep, struct store_profile **pr,
                     size_t *n_pr, struct cw_err *err)
{
    void *eps = NULL, *prs = NULL;
    size_t len;
    int rc;

    if (ep != NULL)
        *ep = NULL;
    if (n_ep != NULL)
        *n_ep = 0;
    if (pr != NULL)
        *pr = NULL;
    if (n_pr != NULL)
        *n_pr = 0;
    /* One read transaction (nested when a batch is open), so the row and its sets are of the
     * same probe even while the daemon writes beside the CLI. */
    if (store_exec(s, "SAVEPOINT device_read", err) != 0)
        return -1;
    rc = get_device_row(s, camera_id, out, err);
    if (rc == 0 && ep != NULL) {
        rc = store_select(s, sizeof(**ep), read_endpoint, &eps, &len, "endpoints", err,
                          "SELECT service, url FROM device_endpoint WHERE camera_id = ?1 "
                          "ORDER BY service",
                          "t", camera_id);
        if (n_ep != NULL)
            *n_ep = len;
    }
    if (rc == 0 && pr != NULL) {
        rc = store_select(s, sizeof(**pr), read_profile, &prs, &len, "profiles", err,
                          "SELECT " PROFILE_COLUMNS " FROM device_profile WHERE camera_id = ?1 "
                          "ORDER BY ord",
                          "t", camera_id);
        if (n_pr != NULL)
            *n_pr = len;
    }
    if (store_exec(s, "RELEASE device_read", rc < 0 ? NULL : err) != 0)
        rc = -1;
    if (rc != 0) {
        free(eps);
        free(prs);
        if (n_ep != NULL)
            *n_ep = 0;
        if (n_pr != NULL)
            *n_pr = 0;
        return rc;
    }
    if (ep != NULL)
        *ep = eps;
    if (pr != NULL)
        *pr = prs;
    return 0;
}

int store_list_devices(struct store *s, struct store_device **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_device, out, n, "devices", err,
                        DEVICE_COLUMNS "JOIN camera AS cam ON cam.id = d.camera_id "
                                       "AND cam.retired_ms IS NULL " DEVICE_LATEST_CLOCK
                                       "ORDER BY d.camera_id",
                        "");
}

/* --- clock and change history --------------------------------------------------------------- */

#define CLOCK_COLUMNS "SELECT camera_id, at_ms, offset_ms, error_ms, ntp FROM clock "

static void read_clock(sqlite3_stmt *st, void *elem)
{
    struct store_clock *o = elem;

    store_columns(st, "tIIIi", o->camera_id, sizeof(o->camera_id), &o->at_ms, &o->offset_ms,
                  &o->error_ms, &o->ntp);
}

int store_list_clocks(struct store *s, const char *camera_id, int64_t since_ms,
                      struct store_clock **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_clock, out, n, "clock", err,
                        CLOCK_COLUMNS "WHERE camera_id = ?1 AND at_ms >= ?2 ORDER BY at_ms, id",
                        "tI", camera_id, since_ms);
}

int store_clock_at(struct store *s, const char *camera_id, int64_t at_ms, struct store_clock *out,
                   struct cw_err *err)
{
    /* Each subquery is one search of the (camera_id, at_ms) index; of two rows at the same
     * time the later written wins. */
    static const char sql[] =
        CLOCK_COLUMNS "WHERE id = coalesce("
                      "(SELECT id FROM clock WHERE camera_id = ?1 AND at_ms <= ?2 "
                      "ORDER BY at_ms DESC, id DESC LIMIT 1), "
                      "(SELECT id FROM clock WHERE camera_id = ?1 AND at_ms > ?2 "
                      "ORDER BY at_ms, id LIMIT 1))";
    sqlite3_stmt *st = store_cached(s, STMT_CLOCK_AT, sql, err, "tI", camera_id, at_ms);

    return store_one_row(s, st, 1, sizeof(*out), read_clock, out, "clock", err);
}

static void read_change(sqlite3_stmt *st, void *elem)
{
    struct store_device_change *o = elem;

    store_columns(st, "ItIttt", &o->id, o->camera_id, sizeof(o->camera_id), &o->at_ms, o->field,
                  sizeof(o->field), o->old_value, sizeof(o->old_value), o->new_value,
                  sizeof(o->new_value));
}

int store_list_device_changes_page(struct store *s, const struct store_page *pg,
                                   struct store_device_change **out, size_t *n, struct cw_err *err)
{
    /* Per camera on its index; all cameras scan the table, which holds a row per firmware
     * update or swapped camera, not per probe. */
    return store_collect_page(s, "id, camera_id, at_ms, field, old_value, new_value",
                              "device_change", pg, sizeof(**out), read_change, out, n,
                              "device changes", err);
}

int store_list_device_changes(struct store *s, const char *camera_id, int64_t since_ms,
                              struct store_device_change **out, size_t *n, struct cw_err *err)
{
    const struct store_page all = {camera_id, since_ms, INT64_MIN, INT64_MIN, 0};

    return store_list_device_changes_page(s, &all, out, n, err);
}
