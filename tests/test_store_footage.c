/* test_store_footage.c - the store's footage half (index/store_footage.c, store_place.c,
 * store_request.c, store_audit.c): segments as scans write them, folders and the files known
 * in them, the per-camera summary and the pace of overwriting, segments covering a range,
 * cameras by place, requests, and the hash-chained audit trail and how it breaks. Each test
 * works on a real SQLite file in its own temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../index/footage.h"
#include "../index/store.h"
#include "../index/store_footage.h"
#include "../util/log.h"
#include "cwtest.h"
#include "footagetest.h"
#include "store_raw.h"

#define T0 1780000000000LL
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)

struct fixture {
    char dir[64];
    char path[128];
    struct store *s;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || ftest_store_open("store-footage", fx->dir, sizeof(fx->dir), fx->path,
                                       sizeof(fx->path), &fx->s) != 0)
        return -1;
    ftest_sync(fx->s, ftest_market, 3, T0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    return ftest_teardown(fx->s, fx->dir, fx);
}

/* A one-minute segment of cam in dir/file starting at start. */
static int put(struct store *s, const char *cam, const char *dir, const char *file, int64_t start,
               int64_t len, int readable)
{
    struct store_segment g = {.recorder = "nvr",
                              .dir = dir,
                              .file = file,
                              .camera_id = cam,
                              .start_ms = start,
                              .end_ms = start + len,
                              .bytes = 1000,
                              .mtime_ns = 5,
                              .container = "mp4",
                              .codec = "h264",
                              .width = 640,
                              .height = 360,
                              .readable = readable,
                              .reason = readable ? "" : "truncated: moov atom not found"};
    struct cw_err err = {0};
    int written = -1, rc = store_segment_put(s, &g, T0, &written, &err);

    if (rc < 0)
        fail_msg("put %s/%s: %s", dir, file, err.msg);
    if (rc == 1 && written != 0) /* a camera not in the store: nothing written */
        fail_msg("put %s/%s: camera not in the store, yet written", dir, file);
    return rc;
}

static size_t segments(struct store *s, const char *cam, int64_t from, int64_t to,
                       struct store_segment_row **out)
{
    size_t n = 0;
    struct cw_err err = {0};

    if (store_footage_segments(s, cam, from, to, out, &n, &err) != 0)
        fail_msg("segments: %s", err.msg);
    return n;
}

static void test_segment_put_replaces_and_refuses_unknown_camera(void **state)
{
    struct fixture *fx = *state;
    struct store_segment_row *r = NULL;

    assert_int_equal(put(fx->s, "CHO-01", "CHO-01/2026-06-01", "10-00-00.mp4", T0, MIN, 0), 0);
    assert_int_equal(put(fx->s, "CHO-01", "CHO-01/2026-06-01", "10-00-00.mp4", T0, MIN, 1), 0);
    assert_int_equal(put(fx->s, "NOPE", "NOPE", "x.mp4", T0, MIN, 1), 1);
    assert_int_equal(segments(fx->s, "CHO-01", T0, T0 + MIN, &r), 1);
    assert_string_equal(r[0].path, "CHO-01/2026-06-01/10-00-00.mp4");
    assert_int_equal(r[0].readable, 1);
    assert_string_equal(r[0].reason, "");
    assert_string_equal(r[0].codec, "h264");
    assert_int_equal(r[0].width, 640);
    free(r);
}

/* A Dahua file's channel (its path does not say it) is kept with it and read back with the
 * recorder's known files, so the NVR is asked about it again once the map no longer names it;
 * a file listed again on another channel keeps the new one, one without a channel has "". */
static void test_known_files_say_the_channel_they_were_listed_on(void **state)
{
    struct fixture *fx = *state;
    struct store_segment g = {.recorder = "dh",
                              .dir = "",
                              .file = "/mnt/dvr/sda0/dav/a.dav",
                              .camera_id = "CHO-01",
                              .start_ms = T0,
                              .end_ms = T0 + MIN,
                              .bytes = 1000,
                              .mtime_ns = (T0 + MIN) * 1000000,
                              .container = "Dahua",
                              .readable = 1,
                              .channel = "2"};
    struct store_known_file *kf = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_segment_put(fx->s, &g, T0, NULL, &err), 0);
    g.file = "/mnt/dvr/sda0/dav/b.dav";
    g.channel = NULL;
    assert_int_equal(store_segment_put(fx->s, &g, T0, NULL, &err), 0);
    assert_int_equal(store_footage_files(fx->s, "dh", "", &kf, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(kf[0].channel, "2");
    assert_string_equal(kf[1].channel, "");
    free(kf);
    g.file = "/mnt/dvr/sda0/dav/a.dav";
    g.channel = "7";
    assert_int_equal(store_segment_put(fx->s, &g, T0 + MIN, NULL, &err), 0);
    assert_int_equal(store_footage_files(fx->s, "dh", "", &kf, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(kf[0].channel, "7");
    free(kf);
}

/* The search for a range is bounded by the camera's longest segment: a 6-hour recording that
 * began long before the range is found, a minute that ended before it is not. */
static void test_segments_overlapping_range_include_long_ones_started_before(void **state)
{
    struct fixture *fx = *state;
    struct store_segment_row *r = NULL;

    put(fx->s, "CAH-01", "", "rec-long", T0, 6 * HOUR, 1);
    put(fx->s, "CAH-01", "d", "a.mp4", T0 + 5 * HOUR, MIN, 1);
    put(fx->s, "CAH-01", "d", "b.mp4", T0 + 5 * HOUR + MIN, MIN, 1);
    put(fx->s, "CAH-01", "d", "bad.mp4", T0 + 5 * HOUR + 3 * MIN, 0, 0);
    assert_int_equal(segments(fx->s, "CAH-01", T0 + 5 * HOUR + MIN, T0 + 5 * HOUR + 4 * MIN, &r),
                     3);
    assert_string_equal(r[0].path, "rec-long");
    assert_string_equal(r[1].path, "d/b.mp4");
    assert_string_equal(r[2].path, "d/bad.mp4");
    assert_int_equal(r[2].readable, 0);
    assert_string_equal(r[2].reason, "truncated: moov atom not found");
    free(r);
}

static void test_drop_tree_forgets_folder_and_below_only(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct store_known_file *f = NULL, last;
    char **sub = NULL;
    size_t n = 0;
    int64_t dropped = 0, mt = 0;

    put(fx->s, "CHO-01", "CHO-01/2026-06-01", "10-00-00.mp4", T0, MIN, 1);
    put(fx->s, "CHO-01", "CHO-01/2026-06-01", "10-01-00.mp4", T0 + MIN, MIN, 1);
    put(fx->s, "CHO-01", "CHO-01/2026-06-02", "10-00-00.mp4", T0 + 86400000, MIN, 1);
    put(fx->s, "CHO-01", "CHO-01/2026-06-010", "x.mp4", T0 + 2 * MIN, MIN, 1); /* a sibling */
    assert_int_equal(store_footage_dir_set(fx->s, "nvr", "", NULL, 11, &err), 0);
    assert_int_equal(store_footage_dir_set(fx->s, "nvr", "CHO-01", "", 12, &err), 0);
    assert_int_equal(store_footage_dir_set(fx->s, "nvr", "CHO-01/2026-06-01", "CHO-01", 13, &err),
                     0);
    assert_int_equal(store_footage_dir_set(fx->s, "nvr", "CHO-01/2026-06-02", "CHO-01", 14, &err),
                     0);

    assert_int_equal(store_footage_dir_mtime(fx->s, "nvr", "CHO-01/2026-06-01", &mt, &err), 0);
    assert_int_equal(mt, 13);
    assert_int_equal(store_footage_dir_mtime(fx->s, "nvr", "nothere", &mt, &err), 1);
    assert_int_equal(store_footage_subdirs(fx->s, "nvr", "CHO-01", &sub, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(sub[0], "CHO-01/2026-06-01");
    assert_string_equal(sub[1], "CHO-01/2026-06-02");
    free(sub);
    assert_int_equal(store_footage_files(fx->s, "nvr", "CHO-01/2026-06-01", &f, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(f[1].file, "10-01-00.mp4");
    assert_int_equal(f[1].bytes, 1000);
    free(f);
    assert_int_equal(store_footage_last_file(fx->s, "nvr", "CHO-01/2026-06-01", &last, &err), 0);
    assert_string_equal(last.file, "10-01-00.mp4");
    assert_int_equal(store_footage_last_file(fx->s, "nvr", "CHO-01", &last, &err), 1);

    assert_int_equal(store_segment_drop_tree(fx->s, "nvr", "CHO-01/2026-06-01", &dropped, &err), 0);
    assert_int_equal(dropped, 2);
    assert_int_equal(store_footage_dir_mtime(fx->s, "nvr", "CHO-01/2026-06-01", &mt, &err), 1);
    assert_int_equal(store_footage_dir_mtime(fx->s, "nvr", "CHO-01/2026-06-02", &mt, &err), 0);
    assert_int_equal(store_segment_drop(fx->s, "nvr", "CHO-01/2026-06-02", "10-00-00.mp4", &err),
                     0);
    assert_int_equal(store_footage_files(fx->s, "nvr", "CHO-01/2026-06-010", &f, &n, &err), 0);
    assert_int_equal(n, 1); /* "2026-06-010" is not below "2026-06-01" */
    free(f);
    assert_int_equal(store_segment_drop_tree(fx->s, "nvr", "", &dropped, &err), 0);
    assert_int_equal(dropped, 1);
}

/* The oldest footage is readable footage; a retention note is taken at most hourly, and the
 * pace is measured from the first note of the week. */
static void test_refresh_summarises_and_notes_retention_hourly(void **state)
{
    struct fixture *fx = *state;
    const char *ids[] = {"CHO-01", "CHO-02"};
    struct store_footage_camera fc;
    struct cw_err err = {0};
    sqlite3 *db;

    put(fx->s, "CHO-01", "d", "a.mp4", T0, MIN, 0);
    put(fx->s, "CHO-01", "d", "b.mp4", T0 + MIN, MIN, 1);
    put(fx->s, "CHO-01", "d", "c.mp4", T0 + 2 * MIN, 2 * MIN, 1);
    assert_int_equal(store_footage_refresh(fx->s, ids, 2, T0 + HOUR, &err), 0);
    assert_int_equal(store_footage_camera(fx->s, "CHO-01", &fc, T0 + HOUR, &err), 0);
    assert_true(fc.has);
    assert_int_equal(fc.oldest_ms, T0 + MIN);
    assert_int_equal(fc.newest_ms, T0 + 4 * MIN);
    assert_int_equal(fc.max_len_ms, 2 * MIN);
    assert_true(fc.has_pace);
    assert_int_equal(fc.pace_since_ms, T0 + HOUR);
    assert_int_equal(fc.pace_oldest_ms, T0 + MIN);
    /* CHO-02 has no footage: a summary saying so, no note. */
    assert_int_equal(store_footage_camera(fx->s, "CHO-02", &fc, T0 + HOUR, &err), 0);
    assert_false(fc.has);
    assert_false(fc.has_pace);
    assert_int_equal(store_footage_camera(fx->s, "CAH-01", &fc, T0, &err), 1);

    /* The oldest file is overwritten; ten minutes later no new note, an hour later one. */
    store_segment_drop(fx->s, "nvr", "d", "b.mp4", &err);
    assert_int_equal(store_footage_refresh(fx->s, ids, 1, T0 + HOUR + 10 * MIN, &err), 0);
    db = raw_open(fx->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM footage_retention"), 1);
    assert_int_equal(store_footage_refresh(fx->s, ids, 1, T0 + 2 * HOUR + MIN, &err), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM footage_retention"), 2);
    sqlite3_close(db);
    assert_int_equal(store_footage_camera(fx->s, "CHO-01", &fc, T0 + 2 * HOUR + MIN, &err), 0);
    assert_int_equal(fc.oldest_ms, T0 + 2 * MIN);
    assert_int_equal(fc.pace_since_ms, T0 + HOUR); /* the first of the week */
    /* Eight days on, the old notes are pruned and the week starts again. */
    assert_int_equal(store_footage_refresh(fx->s, ids, 1, T0 + 8 * 24 * HOUR + 3 * HOUR, &err), 0);
    assert_int_equal(
        store_footage_camera(fx->s, "CHO-01", &fc, T0 + 8 * 24 * HOUR + 3 * HOUR, &err), 0);
    assert_int_equal(fc.pace_since_ms, T0 + 8 * 24 * HOUR + 3 * HOUR);
}

/* seg dir/file of cam on recorder rec, [start, end), seen by the scan at seen. */
static void put_item(struct store *s, const char *rec, const char *dir, const char *cam,
                     const char *file, int64_t start, int64_t end, int64_t seen)
{
    struct store_segment g = {.recorder = rec,
                              .dir = dir,
                              .file = file,
                              .camera_id = cam,
                              .start_ms = start,
                              .end_ms = end,
                              .bytes = 1000,
                              .readable = 1,
                              .reason = ""};
    struct cw_err err = {0};

    if (store_segment_put(s, &g, seen, NULL, &err) != 0)
        fail_msg("put %s: %s", file, err.msg);
}

/* seg cam/file of cam on recorder rec, [start, end), seen by the scan at seen. */
static void put_seen(struct store *s, const char *rec, const char *cam, const char *file,
                     int64_t start, int64_t end, int64_t seen)
{
    put_item(s, rec, cam, cam, file, start, end, seen);
}

/* The newest footage of a camera a scan had indexed on a recorder: only that camera's segments
 * (never another camera's on the same recorder), only that recorder's, only those seen by
 * then; of them the one starting last. */
static void test_camera_newest_seen_is_what_a_scan_had_indexed_of_it(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    int64_t end = -1;

    put_seen(fx->s, "nvr", "CHO-01", "a.mp4", T0, T0 + 5 * MIN, T0);
    put_seen(fx->s, "nvr", "CHO-01", "b.mp4", T0 - HOUR, T0 - HOUR + MIN, T0);
    put_seen(fx->s, "nvr", "CHO-02", "c.mp4", T0 + 8 * MIN, T0 + 9 * MIN, T0 + MIN);
    put_seen(fx->s, "hik", "CHO-01", "d.mp4", T0 + 10 * MIN, T0 + 20 * MIN, T0);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-01", "nvr", T0, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, T0 + 5 * MIN);
    /* CHO-02's newer file on the same recorder says nothing of CHO-01 */
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-01", "nvr", T0 + MIN, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, T0 + 5 * MIN);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-02", "nvr", T0 + MIN, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, T0 + 9 * MIN);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-02", "nvr", T0, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, 0);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-01", "nvr", T0 - 1, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, 0);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-01", "hik", T0, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, T0 + 20 * MIN);
    assert_int_equal(
        store_camera_newest_seen(fx->s, "CHO-01", "none", T0, INT64_MAX, &end, NULL, &err), 0);
    assert_int_equal(end, 0);
}

/* How the index speaks for cam on its recorder now over [from, to) into *c
 * (footage_cover_read; the caller clears it). Returns how many segments of cam are there. */
static size_t spoken_for(struct store *s, const char *cam, const char *recorder, int64_t from,
                         int64_t to, struct footage_cover *c)
{
    struct cw_err err = {0};
    struct store_recorder *rec = NULL;
    struct store_segment_row *seg = NULL;
    size_t nrec = 0, nseg;

    assert_int_equal(store_list_recorders(s, 0, &rec, &nrec, &err), 0);
    nseg = segments(s, cam, from, to, &seg);
    assert_int_equal(footage_cover_read(s, cam, recorder, from, seg, nseg, rec, nrec, c, &err), 0);
    free(seg);
    free(rec);
    return nseg;
}

/* CHO-01 recorded to "old", then moved to "nvr": what it left on old is spoken for by old's
 * scans (its last good one was 20 minutes before CHO-01's first footage on nvr: between them
 * the index cannot tell), what came after by nvr's. */
static void test_moved_camera_spoken_for_by_each_recorder_it_recorded_to(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct footage_cover c, blank;
    int64_t here = 0;

    put_seen(fx->s, "old", "CHO-01", "a.mp4", T0 - HOUR, T0 - HOUR + MIN, T0 - HOUR);
    put_seen(fx->s, "old", "CHO-01", "b.mp4", T0 - 30 * MIN, T0 - 29 * MIN, T0 - 20 * MIN);
    put_seen(fx->s, "nvr", "CHO-01", "c.mp4", T0, T0 + MIN, T0 + 2 * MIN);
    assert_int_equal(store_recorder_scanned(fx->s, "old", "dir", T0 - 20 * MIN, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "old", "dir", T0 + MIN, 0, "gone", &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0 + 2 * MIN, 1, NULL, &err), 0);
    assert_int_equal(spoken_for(fx->s, "CHO-01", "nvr", T0 - 2 * HOUR, T0 + HOUR, &c), 3);
    assert_int_equal(c.index, FOOTAGE_SCANNED);
    assert_int_equal(c.n_others, 1);
    assert_string_equal(c.others[0].last.name, "old");
    assert_int_equal(c.others[0].state, FOOTAGE_SCAN_FAILED);
    assert_true(c.others[0].known_until == T0 - 20 * MIN);
    assert_true(c.first_here_ms == T0);
    assert_false(footage_unindexed_at(&c, T0 - 40 * MIN));
    assert_true(footage_unindexed_at(&c, T0 - 10 * MIN));
    assert_false(footage_unindexed_at(&c, T0 + MIN));
    assert_true(footage_unindexed_at(&c, T0 + 3 * MIN));
    /* Its row's recorder blanked: old alone speaks for it. */
    blank = (struct footage_cover){.index = FOOTAGE_NO_RECORDER,
                                   .others = c.others,
                                   .n_others = c.n_others,
                                   .first_here_ms = INT64_MAX};
    assert_false(footage_unindexed_at(&blank, T0 - 40 * MIN));
    assert_true(footage_unindexed_at(&blank, T0 - 10 * MIN));
    blank.n_others = 0;
    assert_true(footage_unindexed_at(&blank, T0 - 40 * MIN));
    assert_int_equal(store_camera_first_on(fx->s, "CHO-01", "none", INT64_MIN, &here, &err), 0);
    assert_true(here == INT64_MAX);
    footage_cover_clear(&c);
}

/* The scan that indexed seg (recorder rec, its camera cam) up to its end: its seen_ms. */
static int64_t seen_of(struct store *s, const char *rec, const char *cam, int64_t start)
{
    struct cw_err err = {0};
    int64_t end = 0, seen = -1;

    if (store_camera_newest_seen(s, cam, rec, INT64_MAX, start + 1, &end, &seen, &err) != 0)
        fail_msg("newest seen: %s", err.msg);
    return seen;
}

/* A network recorder lists each item at every scan and each is put again. One put again for
 * the same camera reaching no further (an ISAPI file as it was; an ONVIF recording whose start
 * was overwritten since, or capped to the part indexed as its camera's) keeps the scan that
 * indexed it; one that grew, or is another camera's now, is dated by the scan that saw it. So
 * the recorder CHO-01 moved off speaks for it up to the scan that indexed its footage there. */
static void test_item_listed_again_keeps_the_scan_that_indexed_it(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct footage_cover c;

    /* First scans at T0 - 20 min: hik's file of CHO-01, onv's recordings of CHO-02, CAH-01. */
    put_item(fx->s, "hik", "", "CHO-01", "101/f1", T0 - HOUR, T0 - 30 * MIN, T0 - 20 * MIN);
    put_item(fx->s, "onv", "", "CHO-02", "rec-2", T0 - 2 * HOUR, T0 - 20 * MIN, T0 - 20 * MIN);
    put_item(fx->s, "onv", "", "CAH-01", "rec-3", T0 - 2 * HOUR, T0 - 20 * MIN, T0 - 20 * MIN);
    /* Later scans at T0, CHO-01 moved to nvr: each listed again. */
    put_item(fx->s, "hik", "", "CHO-01", "101/f1", T0 - HOUR, T0 - 30 * MIN, T0);
    put_item(fx->s, "onv", "", "CHO-02", "rec-2", T0 - HOUR, T0 - 20 * MIN, T0);
    put_item(fx->s, "onv", "", "CAH-01", "rec-3", T0 - 50 * MIN, T0 - 5 * MIN, T0);
    assert_true(seen_of(fx->s, "hik", "CHO-01", T0 - HOUR) == T0 - 20 * MIN);
    assert_true(seen_of(fx->s, "onv", "CHO-02", T0 - HOUR) == T0 - 20 * MIN);
    assert_true(seen_of(fx->s, "onv", "CAH-01", T0 - 50 * MIN) == T0);
    /* Its channel given to CHO-02: the scan that gave it indexes it. */
    put_item(fx->s, "onv", "", "CHO-02", "rec-3", T0 - 50 * MIN, T0 - 5 * MIN, T0 + MIN);
    assert_true(seen_of(fx->s, "onv", "CHO-02", T0 - 50 * MIN) == T0 + MIN);

    put_seen(fx->s, "nvr", "CHO-01", "c.mp4", T0 + 10 * MIN, T0 + 11 * MIN, T0 + 12 * MIN);
    assert_int_equal(store_recorder_scanned(fx->s, "hik", "hikvision", T0, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0 + 12 * MIN, 1, NULL, &err), 0);
    assert_int_equal(spoken_for(fx->s, "CHO-01", "nvr", T0 - 2 * HOUR, T0 + HOUR, &c), 2);
    assert_int_equal(c.n_others, 1);
    assert_string_equal(c.others[0].last.name, "hik");
    assert_true(c.others[0].known_until == T0 - 20 * MIN);
    /* After that scan, before its first footage on nvr, the index cannot tell. */
    assert_false(footage_unindexed_at(&c, T0 - 25 * MIN));
    assert_true(footage_unindexed_at(&c, T0 - 10 * MIN));
    footage_cover_clear(&c);
}

/* The segment rows the file's own trigger (made by the test beside the store) saw updated. */
static int64_t segment_updates(sqlite3 *raw)
{
    return raw_int(raw, "SELECT n FROM test_segment_updates");
}

/* One network recorder's listing as a scan puts it: a Dahua file on channel 2, an ISAPI file
 * (no codec, no size) and a folder recorder's file (all columns), item k's end moved by
 * grow[k]. Returns how many store_segment_put said it wrote. */
static int put_listing(struct store *s, const char *const cams[3], const char *channel,
                       const int64_t grow[3], int64_t seen)
{
    const struct store_segment g[3] = {
        {.recorder = "dh",
         .dir = "",
         .file = "/mnt/dvr/sda0/dav/a.dav",
         .camera_id = cams[0],
         .start_ms = T0,
         .end_ms = T0 + MIN + grow[0],
         .bytes = 1000,
         .mtime_ns = (T0 + MIN) * 1000000,
         .container = "Dahua",
         .readable = 1,
         .channel = channel},
        {.recorder = "hik",
         .dir = "",
         .file = "101/f1",
         .camera_id = cams[1],
         .start_ms = T0 - HOUR,
         .end_ms = T0 - 30 * MIN + grow[1],
         .bytes = 2000,
         .mtime_ns = (T0 - 30 * MIN) * 1000000,
         .container = "ISAPI",
         .readable = 1},
        {.recorder = "nvr",
         .dir = "CHO-02",
         .file = "a.mp4",
         .camera_id = cams[2],
         .start_ms = T0,
         .end_ms = T0 + 2 * MIN + grow[2],
         .bytes = 3000,
         .mtime_ns = 5,
         .container = "mp4",
         .codec = "h264",
         .width = 640,
         .height = 360,
         .readable = 0,
         .reason = "truncated: moov atom not found"},
    };
    struct cw_err err = {0};
    int n = 0;

    for (size_t i = 0; i < 3; i++) {
        int written = -1;
        if (store_segment_put(s, &g[i], seen, &written, &err) != 0)
            fail_msg("put %s: %s", g[i].file, err.msg);
        assert_true(written == 0 || written == 1);
        n += written;
    }
    return n;
}

/* A network recorder lists every item at every scan and each is put again: one the store holds
 * as listed is not written again (for a province's NVRs, every row of the index each scan:
 * its WAL, the write lock the other writers wait on, the disk), and keeps the scan that
 * indexed it; one whose end grew, or that is another camera's or on another channel now, is
 * written. Counted on the store's own connection (segment and footage_camera) and by a
 * trigger on segment in the real file. */
static void test_item_put_again_unchanged_is_not_written_again(void **state)
{
    static const char *const cams[3] = {"CHO-01", "CHO-01", "CHO-02"};
    static const char *const moved[3] = {"CHO-01", "CAH-01", "CHO-02"};
    static const int64_t same[3] = {0, 0, 0}, longer[3] = {0, 0, 3 * MIN};
    struct fixture *fx = *state;
    sqlite3 *raw = raw_open(fx->path);
    sqlite3 *db = fx->s->db;
    struct store_footage_camera fc;
    struct store_known_file *kf = NULL;
    struct cw_err err = {0};
    size_t n = 0;
    int64_t before;

    assert_int_equal(sqlite3_exec(raw,
                                  "CREATE TABLE test_segment_updates (n INTEGER NOT NULL);"
                                  "INSERT INTO test_segment_updates VALUES (0);"
                                  "CREATE TRIGGER test_segment_update AFTER UPDATE ON segment "
                                  "BEGIN UPDATE test_segment_updates SET n = n + 1; END;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(put_listing(fx->s, cams, "2", same, T0), 3);
    assert_int_equal(segment_updates(raw), 0);
    before = sqlite3_total_changes64(db);
    assert_int_equal(put_listing(fx->s, cams, "2", same, T0 + MIN), 0);
    assert_int_equal(sqlite3_total_changes64(db) - before, 0);
    assert_int_equal(segment_updates(raw), 0);
    assert_true(seen_of(fx->s, "dh", "CHO-01", T0) == T0);
    assert_true(seen_of(fx->s, "nvr", "CHO-02", T0) == T0);
    /* A camera not in the store is still refused as before, not taken for an unchanged item. */
    assert_int_equal(put(fx->s, "NOPE", "NOPE", "x.mp4", T0, MIN, 1), 1);

    /* The folder recorder's file grew: written, dated by this scan, the longest segment grows. */
    assert_int_equal(put_listing(fx->s, cams, "2", longer, T0 + 2 * MIN), 1);
    assert_int_equal(segment_updates(raw), 1);
    assert_true(seen_of(fx->s, "nvr", "CHO-02", T0) == T0 + 2 * MIN);
    assert_int_equal(store_footage_camera(fx->s, "CHO-02", &fc, T0 + 2 * MIN, &err), 0);
    assert_true(fc.max_len_ms == 5 * MIN);
    /* The ISAPI file is another camera's now. */
    assert_int_equal(put_listing(fx->s, moved, "2", longer, T0 + 3 * MIN), 1);
    assert_int_equal(segment_updates(raw), 2);
    assert_true(seen_of(fx->s, "hik", "CAH-01", T0 - HOUR) == T0 + 3 * MIN);
    /* The Dahua file listed on another channel. */
    assert_int_equal(put_listing(fx->s, moved, "7", longer, T0 + 4 * MIN), 1);
    assert_int_equal(segment_updates(raw), 3);
    assert_int_equal(store_footage_files(fx->s, "dh", "", &kf, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(kf[0].channel, "7");
    assert_true(seen_of(fx->s, "dh", "CHO-01", T0) == T0);
    free(kf);
    /* And the listing as it is now, again: nothing. */
    before = sqlite3_total_changes64(db);
    assert_int_equal(put_listing(fx->s, moved, "7", longer, T0 + 5 * MIN), 0);
    assert_int_equal(sqlite3_total_changes64(db) - before, 0);
    assert_int_equal(segment_updates(raw), 3);
    sqlite3_close(raw);
}

/* A recorder whose section went from the conf is marked removed, its rows kept: the index then
 * speaks for none of a camera's footage on it (not even before its last scan), its segments
 * there are not the index's to count; one that comes back is as it was, and one never removed
 * is never touched. */
static void test_recorder_removed_from_the_conf_is_kept_but_speaks_for_nothing(void **state)
{
    static const char *const both[] = {"nvr", "old"}, *const old[] = {"old"};
    struct fixture *fx = *state;
    struct cw_err err = {0};
    struct store_recorder *rec = NULL;
    struct footage_cover c;
    size_t nrec = 0;

    put_seen(fx->s, "nvr", "CHO-01", "a.mp4", T0 - HOUR, T0 - HOUR + MIN, T0);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "old", "dir", T0, 1, NULL, &err), 0);
    ftest_recorders(fx->s, both, 2, T0 + MIN);
    ftest_recorders(fx->s, old, 1, T0 + 2 * MIN);
    ftest_recorders(fx->s, old, 1, T0 + 3 * MIN); /* still gone: since the first time */
    assert_int_equal(store_list_recorders(fx->s, 1, &rec, &nrec, &err), 0);
    assert_int_equal(nrec, 2);
    assert_string_equal(rec[0].name, "nvr");
    assert_true(rec[0].removed_ms == T0 + 2 * MIN);
    assert_int_equal(rec[0].segments, 1);
    assert_true(rec[0].scanned_ms == T0 && rec[0].ok);
    assert_true(rec[1].removed_ms == 0);
    free(rec);
    assert_int_equal(spoken_for(fx->s, "CHO-01", "nvr", T0 - 2 * HOUR, T0, &c), 1);
    assert_int_equal(c.index, FOOTAGE_REMOVED);
    assert_true(c.last.scanned_ms == T0);
    assert_true(c.known_until == 0);
    assert_true(footage_unindexed_at(&c, T0 - HOUR));
    assert_true(footage_unindexed_from(&c, T0 - 2 * HOUR, T0) == T0 - 2 * HOUR);
    assert_true(footage_cover_removed(&c, "nvr"));
    assert_false(footage_cover_removed(&c, "old"));
    footage_cover_clear(&c);

    /* scanned (by a daemon whose conf has it, beside a CLI whose conf had not): configured */
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0, 1, NULL, &err), 0);
    assert_int_equal(spoken_for(fx->s, "CHO-01", "nvr", T0 - 2 * HOUR, T0, &c), 1);
    assert_true(c.last.removed_ms == 0);
    assert_int_equal(c.index, FOOTAGE_SCANNED);
    footage_cover_clear(&c);
    ftest_recorders(fx->s, old, 1, T0 + 5 * MIN);

    /* back in the conf: as it was */
    ftest_recorders(fx->s, both, 2, T0 + 4 * MIN);
    assert_int_equal(spoken_for(fx->s, "CHO-01", "nvr", T0 - 2 * HOUR, T0, &c), 1);
    assert_true(c.last.removed_ms == 0);
    assert_int_equal(c.index, FOOTAGE_SCANNED);
    assert_true(c.known_until == T0);
    assert_false(footage_unindexed_at(&c, T0 - HOUR));
    assert_false(footage_cover_removed(&c, "nvr"));
    footage_cover_clear(&c);
}

/* What a sync of the inventory and the recorders changed, inside a transaction of the
 * caller's (the daemon's reload): logged at its commit, never when it rolls back. */
static void test_sync_changes_logged_only_once_committed(void **state)
{
    static const char cams[] = "store: inventory of 2 cameras: 0 new, 0 changed, 0 back, "
                               "1 retired";
    static const char rec[] = "store: recorder nvr is no longer configured";
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char path[128];
    int saved, fd, before_commit = -1;

    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0, 1, NULL, &err), 0);
    snprintf(path, sizeof(path), "%s/stderr.log", fx->dir);
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0 && dup2(fd, 2) == 2);
    close(fd);
    log_init("test_store_footage", LOG_LVL_INFO);
    for (int commit = 0; commit < 2; commit++) {
        assert_int_equal(store_begin(fx->s, &err), 0);
        ftest_sync(fx->s, ftest_market, 2, T0 + (1 + commit) * MIN); /* CAH-01 retired */
        ftest_recorders(fx->s, NULL, 0, T0 + (1 + commit) * MIN);    /* nvr removed */
        fflush(stderr);
        if (!commit) {
            store_rollback(fx->s);
            continue;
        }
        /* the rolled-back sync's lines and this one's, still held */
        before_commit = cwtest_lines_with(path, cams) + cwtest_lines_with(path, rec);
        assert_int_equal(store_commit(fx->s, &err), 0);
    }
    fflush(stderr);
    log_init("test_store_footage", LOG_LVL_WARN);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(before_commit, 0);
    assert_int_equal(cwtest_lines_with(path, cams), 1);
    assert_int_equal(cwtest_lines_with(path, rec), 1);
}

static void test_recorder_scans_listed_with_counts(void **state)
{
    struct fixture *fx = *state;
    struct store_recorder *r = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    put(fx->s, "CHO-01", "d", "a.mp4", T0, MIN, 0);
    put(fx->s, "CHO-01", "d", "b.mp4", T0 + MIN, MIN, 1);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0, 1, NULL, &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "nvr", "dir", T0 + MIN, 0, "gone", &err), 0);
    assert_int_equal(store_recorder_scanned(fx->s, "hik", "hikvision", T0, 0, "timeout", &err), 0);
    assert_int_equal(store_list_recorders(fx->s, 1, &r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].name, "hik");
    assert_int_equal(r[0].ok_ms, 0);
    assert_string_equal(r[1].name, "nvr");
    assert_int_equal(r[1].ok, 0);
    assert_string_equal(r[1].error, "gone");
    assert_int_equal(r[1].ok_ms, T0);
    assert_int_equal(r[1].scanned_ms, T0 + MIN);
    assert_int_equal(r[1].segments, 2);
    assert_int_equal(r[1].unreadable, 1);
    assert_int_equal(r[1].bytes, 2000);
    free(r);
    /* without the counts: the same scans, no segment read */
    assert_int_equal(store_list_recorders(fx->s, 0, &r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(r[1].name, "nvr");
    assert_string_equal(r[1].error, "gone");
    assert_int_equal(r[1].ok_ms, T0);
    assert_int_equal(r[1].scanned_ms, T0 + MIN);
    assert_int_equal(r[1].segments + r[1].unreadable + r[1].bytes, 0);
    free(r);
}

static void test_places_near_ordered_by_distance_within_radius(void **state)
{
    struct fixture *fx = *state;
    struct store_place *p = NULL;
    double *d = NULL;
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_places_near(fx->s, 10.28790, 105.66060, 100, &p, &d, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].id, "CHO-02"); /* 14 m */
    assert_string_equal(p[1].id, "CHO-01"); /* 23 m */
    assert_true(d[0] < d[1] && d[1] < 30);
    assert_string_equal(p[1].name, "Cổng chợ Lai Vung");
    free(p);
    free(d);
    assert_int_equal(store_places_near(fx->s, 10.28790, 105.66060, 5000, &p, &d, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(p[2].id, "CAH-01");
    assert_true(d[2] > 1800 && d[2] < 1920); /* 0.0171 degrees of latitude: 1.90 km */
    free(p);
    free(d);
    /* Haversine against a known distance: one degree of latitude is 111.2 km on the sphere. */
    assert_true(store_haversine_m(10, 105, 11, 105) > 111150 &&
                store_haversine_m(10, 105, 11, 105) < 111250);
    assert_int_equal(store_list_places(fx->s, &p, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].id, "CAH-01");
    assert_string_equal(p[0].road, "QL80");
    assert_string_equal(p[0].recorder, "nvr");
    free(p);
}

/* A camera that moved is found where it is now: the trigger keeps the R*Tree in step. */
static void test_moved_camera_found_at_its_new_place(void **state)
{
    struct fixture *fx = *state;
    struct store_place *p = NULL;
    double *d = NULL;
    size_t n = 0;
    struct cw_err err = {0};
    sqlite3 *db = raw_open(fx->path);

    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE camera SET lat = 10.5, lon = 105.5 WHERE id = "
                                  "'CAH-01'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_places_near(fx->s, 10.5, 105.5, 10, &p, &d, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].id, "CAH-01");
    free(p);
    free(d);
    assert_int_equal(store_places_near(fx->s, 10.305, 105.66044, 10, &p, &d, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_request_stored_with_its_audit_row(void **state)
{
    struct fixture *fx = *state;
    struct store_request r = {.scope = {.from_ms = T0,
                                        .to_ms = T0 + HOUR,
                                        .place = STORE_PLACE_POINT,
                                        .lat = 10.2878,
                                        .lon = 105.6604,
                                        .radius_m = 500}},
                         got;
    struct store_request *all = NULL;
    struct store_audit *a = NULL;
    int64_t id = 0, id2 = 0;
    size_t n = 0;
    struct cw_err err = {0};

    snprintf(r.by, sizeof(r.by), "Đại úy Lê Văn A");
    snprintf(r.case_ref, sizeof(r.case_ref), "VV-2026-118");
    snprintf(r.reason, sizeof(r.reason), "trộm xe máy tại chợ");
    assert_int_equal(store_request_create(fx->s, &r, T0 + 2 * HOUR, &id, &err), 0);
    r.scope.place = STORE_PLACE_TEXT;
    snprintf(r.text, sizeof(r.text), "cho lai vung");
    assert_int_equal(store_request_create(fx->s, &r, T0 + 3 * HOUR, &id2, &err), 0);
    assert_int_equal(id2, id + 1);
    assert_int_equal(store_request_get(fx->s, id, &got, &err), 0);
    assert_int_equal(got.scope.place, STORE_PLACE_POINT);
    assert_true(got.scope.radius_m == 500);
    assert_int_equal(got.created_ms, T0 + 2 * HOUR);
    assert_string_equal(got.by, "Đại úy Lê Văn A");
    assert_int_equal(store_request_get(fx->s, 99, &got, &err), 1);
    assert_int_equal(store_list_requests(fx->s, &all, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].id, id2); /* newest first */
    assert_string_equal(all[0].text, "cho lai vung");
    free(all);
    assert_int_equal(store_list_audit(fx->s, 0, 0, &a, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].action, "request.create");
    assert_string_equal(a[0].actor, "Đại úy Lê Văn A");
    assert_string_equal(a[0].subject, "request 1");
    assert_non_null(strstr(a[0].detail, "VV-2026-118"));
    assert_string_equal(a[1].prev_hash, a[0].hash);
    free(a);
    /* A request that breaks the table's rules leaves no audit row either. */
    r.scope.to_ms = r.scope.from_ms;
    assert_int_equal(store_request_create(fx->s, &r, T0, &id, &err), -1);
    assert_int_equal(store_list_audit(fx->s, 0, 0, &a, &n, &err), 0);
    assert_int_equal(n, 2);
    free(a);
}

static void append(struct store *s, int64_t at, const char *what)
{
    struct cw_err err = {0};

    if (store_audit_append(s, at, "tester", "export", what, "detail", NULL, &err) != 0)
        fail_msg("audit: %s", err.msg);
}

static void verify(struct store *s, int64_t rows, int64_t broken, const char *why_has)
{
    int64_t r = -1, b = -1;
    char why[256];
    struct cw_err err = {0};

    assert_int_equal(store_audit_verify(s, &r, &b, why, sizeof(why), &err), 0);
    assert_int_equal(r, rows);
    assert_int_equal(b, broken);
    if (why_has != NULL && strstr(why, why_has) == NULL)
        fail_msg("'%s' does not say '%s'", why, why_has);
}

/* Behind SQLite's back (triggers dropped, as the sqlite3 shell can): a changed detail breaks
 * that row's hash; a row changed with its hash recomputed breaks the next row's link; a
 * deleted row leaves a hole. */
static void test_audit_chain_verifies_and_says_where_it_breaks(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db;

    verify(fx->s, 0, 0, NULL);
    for (int i = 1; i <= 5; i++) {
        char what[16];
        snprintf(what, sizeof(what), "request %d", i);
        append(fx->s, T0 + i, what);
    }
    verify(fx->s, 5, 0, NULL);
    db = raw_open(fx->path);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER audit_never_changed; DROP TRIGGER "
                                  "audit_never_deleted; UPDATE audit SET detail = 'x' WHERE id = 3",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    verify(fx->s, 5, 3, "its hash does not hold");
    assert_int_equal(
        sqlite3_exec(db, "UPDATE audit SET detail = 'detail' WHERE id = 3", NULL, NULL, NULL),
        SQLITE_OK);
    verify(fx->s, 5, 0, NULL);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE audit SET hash = 'f00' WHERE id = 2", NULL, NULL, NULL),
        SQLITE_OK);
    verify(fx->s, 5, 2, "its hash does not hold");
    assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE id = 2", NULL, NULL, NULL),
                     SQLITE_OK);
    verify(fx->s, 4, 3, "rows 2..2 are missing");
    sqlite3_close(db);
}

/* The triggers refuse what the chain would notice anyway. */
static void test_audit_rows_never_changed_or_deleted(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db;

    struct store_request r = {
        .scope = {.from_ms = T0, .to_ms = T0 + HOUR, .place = STORE_PLACE_CAMERAS}};
    struct cw_err err = {0};
    int64_t id;

    snprintf(r.by, sizeof(r.by), "a");
    snprintf(r.case_ref, sizeof(r.case_ref), "b");
    snprintf(r.reason, sizeof(r.reason), "c");
    snprintf(r.cameras, sizeof(r.cameras), "CHO-01");
    assert_int_equal(store_request_create(fx->s, &r, T0, &id, &err), 0);
    db = raw_open(fx->path);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM request", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE request SET by = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
    verify(fx->s, 1, 0, NULL);
}

/* Two connections appending in turn keep one chain. */
static void test_audit_chain_shared_by_two_connections(void **state)
{
    struct fixture *fx = *state;
    struct store *other = NULL;
    struct cw_err err = {0};

    assert_int_equal(store_open(fx->path, STORE_READWRITE, &other, &err), 0);
    for (int i = 0; i < 4; i++) {
        append(i % 2 ? other : fx->s, T0 + i, "x");
    }
    verify(other, 4, 0, NULL);
    store_close(other);
}

static void test_state_at_a_time_from_events(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    enum cw_state st;
    int64_t since = 0;

    assert_int_equal(store_state_at(fx->s, "CHO-01", T0 + 10, &st, &since, &err), 1);
    assert_int_equal(
        store_record_transition(fx->s, "CHO-01", CW_UNKNOWN, CW_UP, T0 + 100, "", &err), 0);
    assert_int_equal(
        store_record_transition(fx->s, "CHO-01", CW_UP, CW_DOWN, T0 + 200, "timeout", &err), 0);
    assert_int_equal(store_state_at(fx->s, "CHO-01", T0 + 150, &st, &since, &err), 0);
    assert_int_equal(st, CW_UP);
    assert_int_equal(since, T0 + 100);
    assert_int_equal(store_state_at(fx->s, "CHO-01", T0 + 200, &st, &since, &err), 0);
    assert_int_equal(st, CW_DOWN);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_segment_put_replaces_and_refuses_unknown_camera),
        T(test_known_files_say_the_channel_they_were_listed_on),
        T(test_segments_overlapping_range_include_long_ones_started_before),
        T(test_drop_tree_forgets_folder_and_below_only),
        T(test_refresh_summarises_and_notes_retention_hourly),
        T(test_moved_camera_spoken_for_by_each_recorder_it_recorded_to),
        T(test_recorder_scans_listed_with_counts),
        T(test_recorder_removed_from_the_conf_is_kept_but_speaks_for_nothing),
        T(test_sync_changes_logged_only_once_committed),
        T(test_camera_newest_seen_is_what_a_scan_had_indexed_of_it),
        T(test_item_listed_again_keeps_the_scan_that_indexed_it),
        T(test_item_put_again_unchanged_is_not_written_again),
        T(test_places_near_ordered_by_distance_within_radius),
        T(test_moved_camera_found_at_its_new_place),
        T(test_request_stored_with_its_audit_row),
        T(test_audit_chain_verifies_and_says_where_it_breaks),
        T(test_audit_rows_never_changed_or_deleted),
        T(test_audit_chain_shared_by_two_connections),
        T(test_state_at_a_time_from_events),
    };

    log_init("test_store_footage", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
