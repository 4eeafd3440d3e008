/* store_sample.c - every statement on the sample table: one raw row per
 * stream sample (with the camera's latest facts beside it, store_camera.c),
 * the listing, retention (raw rows folded into hourly rows), the flagged
 * share for reports.
 *
 * A fact a sample did not measure is stored NULL and reads back as 0 (-1 for
 * first_key_ms and ref_distance), as struct store_sample says. Retention
 * folds whole hours only: raw rows before before_ms rounded down to the hour,
 * so an hour is never split between two hourly rows, and a folded hour is
 * never folded again. It walks camera by camera on the partial index of raw
 * rows, so its cost follows the rows it folds, not the hourly rows kept. */
#include "store_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"

#define SAMPLE_HOUR_MS 3600000LL /* the bucket of a downsampled row */
#define SAMPLE_FLAG_NAME_MAX 32  /* longest flag name kept in a union, with its NUL */
#define SAMPLE_FLAG_NAMES_MAX 32 /* distinct flag names in one union (13 exist today) */

/* Column order of every read and of the insert's ?1..?30. */
#define SAMPLE_COLUMNS                                                                             \
    "camera_id, at_ms, hourly, count, ok, error, codec, width, height, fps, bitrate_kbps, "        \
    "gop_frames, gop_s, first_key_ms, ts_jumps, ts_backwards, corrupt_packets, lost_frames, "      \
    "has_picture, luma_mean, luma_spread, sharpness, phash, ref_distance, flags, reasons, "        \
    "key_bytes, inter_frames, inter_bytes, inter_min_bytes"

/* Bind a row; unmeasured facts as NULL. Strings are borrowed from smp until the step. */
static void bind_sample(sqlite3_stmt *st, const struct store_sample *smp)
{
    sqlite3_bind_text(st, 1, smp->camera_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, smp->at_ms);
    sqlite3_bind_int(st, 3, smp->hourly != 0);
    sqlite3_bind_int(st, 4, smp->count > 0 ? smp->count : 1);
    sqlite3_bind_int(st, 5, smp->ok != 0);
    sqlite3_bind_text(st, 6, smp->error, -1, SQLITE_STATIC);
    store_bind_opt_text(st, 7, smp->codec);
    if (smp->width > 0 && smp->height > 0) {
        sqlite3_bind_int(st, 8, smp->width);
        sqlite3_bind_int(st, 9, smp->height);
    }
    if (smp->ok) {
        sqlite3_bind_double(st, 10, smp->fps);
        sqlite3_bind_double(st, 11, smp->bitrate_kbps);
        if (smp->gop_frames > 0)
            sqlite3_bind_double(st, 12, smp->gop_frames);
        if (smp->gop_s > 0)
            sqlite3_bind_double(st, 13, smp->gop_s);
        if (smp->first_key_ms >= 0)
            sqlite3_bind_int64(st, 14, smp->first_key_ms);
    }
    sqlite3_bind_int(st, 15, smp->ts_jumps);
    sqlite3_bind_int(st, 16, smp->ts_backwards);
    sqlite3_bind_int(st, 17, smp->corrupt_packets);
    sqlite3_bind_int(st, 18, smp->lost_frames);
    sqlite3_bind_int(st, 19, smp->has_picture != 0);
    if (smp->has_picture) {
        sqlite3_bind_double(st, 20, smp->luma_mean);
        sqlite3_bind_double(st, 21, smp->luma_spread);
        sqlite3_bind_double(st, 22, smp->sharpness);
        store_bind_u64(st, 23, smp->phash);
    }
    if (smp->ref_distance >= 0)
        sqlite3_bind_int(st, 24, smp->ref_distance);
    sqlite3_bind_text(st, 25, smp->flags, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 26, smp->reasons, -1, SQLITE_STATIC);
    if (smp->ok && smp->key_bytes > 0)
        sqlite3_bind_double(st, 27, smp->key_bytes);
    if (smp->ok && smp->inter_frames > 0) {
        sqlite3_bind_int(st, 28, smp->inter_frames);
        sqlite3_bind_double(st, 29, smp->inter_bytes);
        sqlite3_bind_int(st, 30, smp->inter_min_bytes);
    }
}

static void read_sample(sqlite3_stmt *st, void *elem)
{
    struct store_sample *o = elem;

    memset(o, 0, sizeof(*o));
    store_columns(st, "tIiiittiiddddNiiiiidddunttdidi", o->camera_id, sizeof(o->camera_id),
                  &o->at_ms, &o->hourly, &o->count, &o->ok, o->error, sizeof(o->error), o->codec,
                  sizeof(o->codec), &o->width, &o->height, &o->fps, &o->bitrate_kbps,
                  &o->gop_frames, &o->gop_s, &o->first_key_ms, &o->ts_jumps, &o->ts_backwards,
                  &o->corrupt_packets, &o->lost_frames, &o->has_picture, &o->luma_mean,
                  &o->luma_spread, &o->sharpness, &o->phash, &o->ref_distance, o->flags,
                  sizeof(o->flags), o->reasons, sizeof(o->reasons), &o->key_bytes, &o->inter_frames,
                  &o->inter_bytes, &o->inter_min_bytes);
}

static int sample_insert(struct store *s, const struct store_sample *smp, struct cw_err *err)
{
    static const char sql[] = "INSERT INTO sample (" SAMPLE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, "
                              "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                              "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)";
    sqlite3_stmt *st = store_stmt(s, STMT_SAMPLE_INSERT, sql, err);

    if (st == NULL)
        return -1;
    bind_sample(st, smp);
    return store_step_write(s, st, "sample", smp->camera_id, err);
}

int store_record_sample(struct store *s, const struct store_sample *smp, const char *thumb_path,
                        struct cw_err *err)
{
    struct store_sample raw = *smp;
    int rc;

    raw.hourly = 0;
    raw.count = 1;
    /* The camera first: an unknown camera writes nothing. Both in one transaction (nested in
     * the daemon's batch when one is open). */
    if (store_begin(s, err) != 0)
        return -1;
    rc = store_camera_record_sample(s, &raw, thumb_path, err);
    if (rc < 0 || (rc == 0 && sample_insert(s, &raw, err) != 0))
        return store_end_failed(s);
    return store_commit(s, err) == 0 ? rc : -1;
}

int store_list_samples(struct store *s, const char *camera_id, int64_t since_ms,
                       struct store_sample **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_sample, out, n, "samples", err,
                        "SELECT " SAMPLE_COLUMNS " FROM sample WHERE camera_id = ?1 AND "
                        "at_ms >= ?2 ORDER BY at_ms, id",
                        "tI", camera_id, since_ms);
}

/* --- retention ------------------------------------------------------------------------------ */

/* One hourly row being built from the raw rows of one camera and hour, oldest first. */
/* The mean of the values a fact had in the rows that measured it. */
struct mean {
    double sum;
    int n;
};

static void mean_add(struct mean *m, double v)
{
    m->sum += v;
    m->n++;
}

/* The mean, or if_none when no row measured it. */
static double mean_of(const struct mean *m, double if_none)
{
    return m->n > 0 ? m->sum / m->n : if_none;
}

struct fold {
    struct store_sample row;
    int n_size, n_pic, n_ok, n_inter;
    double width, height, fps, kbps, luma, spread, sharp, inter_bytes;
    struct mean gop_frames, gop_s, first_key, key_bytes;
    char names[SAMPLE_FLAG_NAMES_MAX][SAMPLE_FLAG_NAME_MAX];
    int n_names;
};

static int64_t hour_floor(int64_t ms)
{
    int64_t r = ms % SAMPLE_HOUR_MS;

    return ms - (r < 0 ? r + SAMPLE_HOUR_MS : r);
}

static void fold_start(struct fold *f, const struct store_sample *r)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->row.camera_id, sizeof(f->row.camera_id), "%s", r->camera_id);
    f->row.at_ms = hour_floor(r->at_ms);
    f->row.hourly = 1;
    f->row.first_key_ms = -1;
    f->row.ref_distance = -1;
}

/* Add the flag names of a comma-separated list to the union (no duplicates). */
static void fold_flags(struct fold *f, const char *list)
{
    for (const char *p = list; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int seen = 0;

        if (len > 0 && len < SAMPLE_FLAG_NAME_MAX) {
            for (int i = 0; i < f->n_names && !seen; i++)
                seen = strncmp(f->names[i], p, len) == 0 && f->names[i][len] == '\0';
            if (!seen && f->n_names < SAMPLE_FLAG_NAMES_MAX) {
                memcpy(f->names[f->n_names], p, len);
                f->names[f->n_names++][len] = '\0';
            }
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
}

/* Sums and counters over all rows; measured facts over ok rows only; the last row's error and
 * reasons; phash and ref_distance of the last row with a picture. */
static void fold_add(struct fold *f, const struct store_sample *r)
{
    f->row.count += r->count > 0 ? r->count : 1;
    f->row.ts_jumps += r->ts_jumps;
    f->row.ts_backwards += r->ts_backwards;
    f->row.corrupt_packets += r->corrupt_packets;
    f->row.lost_frames += r->lost_frames;
    snprintf(f->row.error, sizeof(f->row.error), "%s", r->error);
    snprintf(f->row.reasons, sizeof(f->row.reasons), "%s", r->reasons);
    fold_flags(f, r->flags);
    if (r->codec[0] != '\0')
        snprintf(f->row.codec, sizeof(f->row.codec), "%s", r->codec);
    if (!r->ok)
        return;
    f->row.ok = 1;
    f->n_ok++;
    f->fps += r->fps;
    f->kbps += r->bitrate_kbps;
    if (r->width > 0 && r->height > 0) {
        f->width += r->width;
        f->height += r->height;
        f->n_size++;
    }
    if (r->gop_frames > 0)
        mean_add(&f->gop_frames, r->gop_frames);
    if (r->gop_s > 0)
        mean_add(&f->gop_s, r->gop_s);
    if (r->first_key_ms >= 0)
        mean_add(&f->first_key, (double)r->first_key_ms);
    if (r->key_bytes > 0)
        mean_add(&f->key_bytes, r->key_bytes);
    if (r->inter_frames > 0) {
        f->inter_bytes += r->inter_bytes;
        if (f->n_inter == 0 || r->inter_min_bytes < f->row.inter_min_bytes)
            f->row.inter_min_bytes = r->inter_min_bytes;
        f->row.inter_frames += r->inter_frames;
        f->n_inter++;
    }
    if (r->has_picture) {
        f->row.has_picture = 1;
        f->luma += r->luma_mean;
        f->spread += r->luma_spread;
        f->sharp += r->sharpness;
        f->n_pic++;
        f->row.phash = r->phash;
        f->row.ref_distance = r->ref_distance;
    }
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Means into the row (non-negative, so + 0.5 rounds to nearest), and the flag union sorted
 * and comma-separated. */
static void fold_finish(struct fold *f)
{
    struct store_sample *o = &f->row;
    size_t used = 0;

    if (f->n_ok > 0) {
        o->fps = f->fps / f->n_ok;
        o->bitrate_kbps = f->kbps / f->n_ok;
    }
    if (f->n_size > 0) {
        o->width = (int)(f->width / f->n_size + 0.5);
        o->height = (int)(f->height / f->n_size + 0.5);
    }
    o->gop_frames = mean_of(&f->gop_frames, 0);
    o->gop_s = mean_of(&f->gop_s, 0);
    if (f->first_key.n > 0)
        o->first_key_ms = (int64_t)(mean_of(&f->first_key, 0) + 0.5);
    o->key_bytes = mean_of(&f->key_bytes, 0);
    if (f->n_inter > 0)
        o->inter_bytes = f->inter_bytes / f->n_inter;
    if (f->n_pic > 0) {
        o->luma_mean = f->luma / f->n_pic;
        o->luma_spread = f->spread / f->n_pic;
        o->sharpness = f->sharp / f->n_pic;
    }
    qsort(f->names, (size_t)f->n_names, sizeof(f->names[0]), cmp_name);
    o->flags[0] = '\0';
    for (int i = 0; i < f->n_names; i++) {
        size_t len = strlen(f->names[i]) + (i > 0);
        if (used + len >= sizeof(o->flags))
            break; /* keep whole names only */
        used += (size_t)snprintf(o->flags + used, sizeof(o->flags) - used, "%s%s", i ? "," : "",
                                 f->names[i]);
    }
}

struct fold_buf {
    struct fold *v;
    size_t n, cap;
};

/* Fold one camera's raw rows before cutoff_ms into b (one entry per hour, oldest first). */
static int fold_camera(struct store *s, sqlite3_stmt *scan, const char *id, int64_t cutoff_ms,
                       struct fold_buf *b, struct cw_err *err)
{
    struct store_sample r;
    int step;

    b->n = 0;
    sqlite3_reset(scan);
    sqlite3_bind_text(scan, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(scan, 2, cutoff_ms);
    while ((step = sqlite3_step(scan)) == SQLITE_ROW) {
        read_sample(scan, &r);
        if (b->n == 0 || b->v[b->n - 1].row.at_ms != hour_floor(r.at_ms)) {
            if (cw_vec_grow(&b->v, b->n, &b->cap, sizeof(*b->v), 64) != 0) {
                sqlite3_reset(scan);
                return cw_err_set(err, s->path, 0, NULL, "out of memory");
            }
            fold_start(&b->v[b->n++], &r);
        }
        fold_add(&b->v[b->n - 1], &r);
    }
    sqlite3_reset(scan);
    if (step != SQLITE_DONE)
        return store_fail(s, "downsample", err);
    for (size_t i = 0; i < b->n; i++)
        fold_finish(&b->v[i]);
    return 0;
}

/* Write one camera's hourly rows and delete the raw rows they replace; adds to *folded. */
static int replace_camera(struct store *s, sqlite3_stmt *del, const char *id, int64_t cutoff_ms,
                          const struct fold_buf *b, int *folded, struct cw_err *err)
{
    int rc;

    for (size_t i = 0; i < b->n; i++)
        if (sample_insert(s, &b->v[i].row, err) != 0)
            return -1;
    sqlite3_reset(del);
    sqlite3_bind_text(del, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(del, 2, cutoff_ms);
    rc = sqlite3_step(del);
    sqlite3_reset(del);
    if (rc != SQLITE_DONE)
        return store_fail(s, "downsample", err);
    *folded += sqlite3_changes(s->db);
    return 0;
}

/* Fold the raw samples of one camera (camera_id) or of all (NULL), in one transaction. */
static int downsample(struct store *s, const char *camera_id, int64_t before_ms, int *folded,
                      struct cw_err *err)
{
    sqlite3_stmt *cams = NULL, *scan = NULL, *del = NULL;
    struct fold_buf b = {NULL, 0, 0};
    int64_t cutoff = hour_floor(before_ms);
    int step;

    *folded = 0;
    if (store_begin(s, err) != 0)
        return -1;
    if ((cams = store_prepare(s, "downsample", err,
                              "SELECT id FROM camera WHERE ?1 IS NULL OR id = ?1 ORDER BY id", "t",
                              camera_id)) == NULL ||
        (scan = store_prepare(s, "downsample", err,
                              "SELECT " SAMPLE_COLUMNS " FROM sample INDEXED BY sample_raw "
                              "WHERE camera_id = ?1 AND hourly = 0 AND at_ms < ?2 "
                              "ORDER BY at_ms, id",
                              "")) == NULL ||
        (del = store_prepare(s, "downsample", err,
                             "DELETE FROM sample INDEXED BY sample_raw "
                             "WHERE camera_id = ?1 AND hourly = 0 AND at_ms < ?2",
                             "")) == NULL)
        goto fail;
    while ((step = sqlite3_step(cams)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(cams, 0);
        if (fold_camera(s, scan, id, cutoff, &b, err) != 0)
            goto fail;
        if (b.n > 0 && replace_camera(s, del, id, cutoff, &b, folded, err) != 0)
            goto fail;
    }
    if (step != SQLITE_DONE) {
        store_fail(s, "downsample", err);
        goto fail;
    }
    sqlite3_finalize(cams);
    sqlite3_finalize(scan);
    sqlite3_finalize(del);
    free(b.v);
    if (store_commit(s, err) != 0) {
        *folded = 0;
        return -1;
    }
    return 0;
fail:
    sqlite3_finalize(cams);
    sqlite3_finalize(scan);
    sqlite3_finalize(del);
    free(b.v);
    *folded = 0;
    return store_end_failed(s);
}

int store_downsample_samples(struct store *s, int64_t before_ms, int *folded, struct cw_err *err)
{
    return downsample(s, NULL, before_ms, folded, err);
}

int store_downsample_camera(struct store *s, const char *camera_id, int64_t before_ms, int *folded,
                            struct cw_err *err)
{
    return downsample(s, camera_id, before_ms, folded, err);
}

static void read_two_ints(sqlite3_stmt *st, void *out)
{
    ((int *)out)[0] = sqlite3_column_int(st, 0);
    ((int *)out)[1] = sqlite3_column_int(st, 1);
}

int store_sample_share(struct store *s, const char *camera_id, int64_t from_ms, int64_t to_ms,
                       int *flagged, int *total, struct cw_err *err)
{
    int counts[2] = {0, 0};
    int rc;

    *flagged = 0;
    *total = 0;
    if (to_ms < from_ms)
        return cw_err_set(err, NULL, 0, NULL, "sample share: range ends before it starts");
    /* Two texts so the per-camera one uses the (camera_id, at_ms) index. */
    rc = store_one_row(
        s,
        store_prepare(
            s, "sample share", err,
            camera_id != NULL
                ? "SELECT coalesce(sum(count), 0), coalesce(sum(CASE WHEN flags != '' "
                  "THEN count ELSE 0 END), 0) FROM sample WHERE camera_id = ?3 AND "
                  "at_ms >= ?1 AND at_ms < ?2"
                : "SELECT coalesce(sum(count), 0), coalesce(sum(CASE WHEN flags != '' "
                  "THEN count ELSE 0 END), 0) FROM sample WHERE at_ms >= ?1 AND at_ms < ?2",
            "IIt", from_ms, to_ms, camera_id),
        0, sizeof(counts), read_two_ints, counts, "sample share", err);
    *total = counts[0];
    *flagged = counts[1];
    return rc < 0 ? -1 : 0; /* aggregates always give a row */
}

static void read_flag_count(sqlite3_stmt *st, void *elem)
{
    struct store_flag_count *c = elem;

    store_column_text(st, 0, c->camera_id, sizeof(c->camera_id));
    store_column_text(st, 1, c->flags, sizeof(c->flags));
    c->count = sqlite3_column_int(st, 2);
}

int store_sample_flag_counts(struct store *s, int64_t from_ms, int64_t to_ms,
                             struct store_flag_count **out, size_t *n, struct cw_err *err)
{
    *out = NULL;
    *n = 0;
    if (to_ms < from_ms)
        return cw_err_set(err, NULL, 0, NULL, "sample flags: range ends before it starts");
    return store_select(s, sizeof(**out), read_flag_count, out, n, "sample flags", err,
                        "SELECT camera_id, flags, sum(count) FROM sample WHERE at_ms >= ?1 AND "
                        "at_ms < ?2 GROUP BY camera_id, flags ORDER BY camera_id, flags",
                        "II", from_ms, to_ms);
}
