/* store_retention.c - what the store keeps, cut into steps of one camera: raw samples folded
 * into hourly rows ([store] samples_days), hourly rows deleted ([store] hourly_days), clock
 * readings thinned ([store] clock_days). Each part of a step is its own short transaction, so
 * the daemon's loop runs a step between other work and never holds the write lock long. Owns
 * nothing past a call. */
#include "store_priv.h"

#include <stdio.h>

#include "../util/cwtime.h"

#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)

/* A text column read into a caller's buffer. */
struct text_buf {
    char *buf;
    size_t len;
};

static void read_text(sqlite3_stmt *st, void *out)
{
    struct text_buf *t = out;

    store_column_text(st, 0, t->buf, t->len);
}

/* The first camera id after `after`, into next; 1 when none. */
static int next_camera(struct store *s, const char *after, char *next, size_t len,
                       struct cw_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s, "retention", err, "SELECT id FROM camera WHERE id > ?1 ORDER BY id LIMIT 1", "t", after);

    return store_one_row(s, st, 0, 0, read_text, &(struct text_buf){next, len}, "retention", err);
}

/* Run one DELETE with the camera as ?1 and the two numbers as ?2 and ?3, in its own
 * transaction; the rows deleted go to *deleted. */
static int delete_rows(struct store *s, const char *sql, const char *camera_id, int64_t a,
                       int64_t b, int *deleted, struct cw_err *err)
{
    if (store_begin(s, err) != 0)
        return -1;
    if (store_run(s, "retention", err, sql, "tII", camera_id, a, b) != 0)
        return store_end_failed(s);
    *deleted += sqlite3_changes(s->db);
    return store_commit(s, err);
}

int store_retention_step(struct store *s, const struct store_retention *r, const char *after,
                         char *next, size_t len, struct store_retention_done *done,
                         struct cw_err *err)
{
    /* Kept: every reading off by more than the limit, and the first reading of each hour
     * (by id, the order they were written in). */
    static const char thin_clocks[] =
        "DELETE FROM clock WHERE camera_id = ?1 AND at_ms < ?2 AND abs(offset_ms) <= ?3 "
        "AND id NOT IN (SELECT min(id) FROM clock WHERE camera_id = ?1 AND at_ms < ?2 "
        "GROUP BY at_ms / 3600000)";
    static const char drop_hourly[] =
        "DELETE FROM sample WHERE camera_id = ?1 AND hourly = 1 AND at_ms < ?2 AND ?3 = ?3";
    /* The trigger guards the last day by SQLite's clock, in whole seconds: stay clear of it. */
    int64_t clocks_before = r->clocks_before_ms < cw_now_ms() - DAY_MS - HOUR_MS
                                ? r->clocks_before_ms
                                : cw_now_ms() - DAY_MS - HOUR_MS;
    int folded = 0, rc;

    rc = next_camera(s, after, next, len, err);
    if (rc != 0)
        return rc;
    if (store_downsample_camera(s, next, r->samples_before_ms, &folded, err) != 0)
        return -1;
    done->folded += folded;
    if (delete_rows(s, drop_hourly, next, r->hourly_before_ms, 0, &done->hourly_deleted, err) != 0)
        return -1;
    return delete_rows(s, thin_clocks, next, clocks_before,
                       r->clock_limit_ms > 0 ? r->clock_limit_ms : INT64_MAX, &done->clocks_deleted,
                       err);
}
