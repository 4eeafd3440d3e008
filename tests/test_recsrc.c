/* test_recsrc.c - recorders scanned and written (daemon/recsrc.c over probes/recorder_dir.c
 * and a real store), on segment trees made by ffmpeg's segment muxer in the test: two cameras
 * on one recorder with a gap; a second scan that reads nothing unchanged; the oldest file
 * deleted; the newest cut short; a recorder in another time zone; folders and names that are
 * not the recorder's; the recording gaps the verdict is told; a scan written a transaction a
 * slice at a time beside another connection's write lock and on a store refusing it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <libavutil/log.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/recsrc.h"
#include "../util/cwtime.h"
#include "../util/log.h"
#include "cwtest.h"
#include "footagetest.h"
#include "store_raw.h"

#define T0 1795183200000LL /* 2026-11-20 21:00:00 +07:00 */
#define SEG_MS 2000LL

struct fixture {
    char dir[64], db[128], scratch[128], nvr[128], ber[128];
    struct store *s;
    struct recsrc *nvr_src, *ber_src;
    struct cw_zone *hcm, *berlin;
};

static void mkdirs(const char *path)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p != '\0'; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0750);
            *p = '/';
        }
    mkdir(buf, 0750);
}

/* Copy scratch/seg<k>.<ext> to root/rel. */
static void place(struct fixture *fx, const char *root, int k, const char *ext, const char *rel)
{
    char src[256], dst[512], parent[512];

    snprintf(src, sizeof(src), "%s/seg%03d.%s", fx->scratch, k, ext);
    snprintf(dst, sizeof(dst), "%s/%s", root, rel);
    snprintf(parent, sizeof(parent), "%s", dst);
    *strrchr(parent, '/') = '\0';
    mkdirs(parent);
    assert_int_equal(cwtest_run((const char *const[]){"cp", src, dst, NULL}), 0);
}

/* rel of a segment of cam starting at ms under pattern {camera}/%Y-%m-%d/%H-%M-%S.<ext>. */
static void name_hcm(struct fixture *fx, const char *cam, int64_t ms, const char *ext, char *buf,
                     size_t len)
{
    char day[16], t[16];

    cw_zone_strftime(fx->hcm, ms, "%Y-%m-%d", day, sizeof(day));
    cw_zone_strftime(fx->hcm, ms, "%H-%M-%S", t, sizeof(t));
    snprintf(buf, len, "%s/%s/%s.%s", cam, day, t, ext);
}

/* The nvr recorder as a sheet changed since describes it: cams on it, and the channel map's
 * token (the {camera} text) to camera (NULL: none). */
static struct recsrc *source_map(const char *path, const char *const *cams, size_t n,
                                 const char *token, const char *token_camera)
{
    struct recsrc_def d = {.name = "nvr",
                           .kind = RECSRC_DIR,
                           .path = path,
                           .pattern = "{camera}/%Y-%m-%d/%H-%M-%S.*",
                           .time_zone = "Asia/Ho_Chi_Minh",
                           .tokens = &token,
                           .token_cameras = &token_camera,
                           .n_tokens = token != NULL,
                           .cameras = cams,
                           .n_cameras = n};
    struct recsrc *r = NULL;
    struct cw_err err = {0};

    if (recsrc_new(&d, &r, &err) != 0)
        fail_msg("recsrc nvr: %s", err.msg);
    return r;
}

/* The recorder nvr deletes cam's MP4 segment starting at ms. */
static void unlink_hcm(struct fixture *fx, const char *cam, int64_t ms)
{
    char path[512], rel[256];

    name_hcm(fx, cam, ms, "mp4", rel, sizeof(rel));
    snprintf(path, sizeof(path), "%s/%s", fx->nvr, rel);
    assert_int_equal(unlink(path), 0);
}

static struct recsrc *source(const char *name, const char *path, const char *pattern,
                             const char *tz, const char *const *cams, size_t n)
{
    struct recsrc_def d = {.name = name,
                           .kind = RECSRC_DIR,
                           .path = path,
                           .pattern = pattern,
                           .time_zone = tz,
                           .cameras = cams,
                           .n_cameras = n};
    struct recsrc *r = NULL;
    struct cw_err err = {0};

    if (recsrc_new(&d, &r, &err) != 0)
        fail_msg("recsrc %s: %s", name, err.msg);
    return r;
}

static int setup(void **state)
{
    static const char *const nvr_cams[] = {"CAM-A", "CAM-B"}, *const ber_cams[] = {"CAM-C"};
    static const struct ftest_camera cams[] = {
        {.id = "CAM-A", .recorder = "nvr"},
        {.id = "CAM-B", .recorder = "nvr"},
        {.id = "CAM-C", .recorder = "berlin"},
    };
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct cw_err err = {0};
    char rel[256];

    av_log_set_level(AV_LOG_QUIET);
    if (fx == NULL ||
        ftest_store_open("recsrc", fx->dir, sizeof(fx->dir), fx->db, sizeof(fx->db), &fx->s) != 0)
        return -1;
    snprintf(fx->scratch, sizeof(fx->scratch), "%s/scratch", fx->dir);
    snprintf(fx->nvr, sizeof(fx->nvr), "%s/nvr", fx->dir);
    snprintf(fx->ber, sizeof(fx->ber), "%s/berlin", fx->dir);
    mkdirs(fx->scratch);
    cwtest_make_segments(fx->scratch, 5, 2, "mp4", 0);
    cwtest_make_segments(fx->scratch, 4, 2, "mpegts", 0);
    if (cw_zone_load("Asia/Ho_Chi_Minh", &fx->hcm, &err) != 0 ||
        cw_zone_load("Europe/Berlin", &fx->berlin, &err) != 0)
        return -1;
    ftest_sync(fx->s, cams, 3, T0 - 86400000);
    /* CAM-A: five MP4 segments back to back from 21:00:00. CAM-B: TS at 21:00:00 and 21:00:02,
     * then nothing until 21:00:10 and 21:00:12. */
    for (int k = 0; k < 5; k++) {
        name_hcm(fx, "CAM-A", T0 + k * SEG_MS, "mp4", rel, sizeof(rel));
        place(fx, fx->nvr, k, "mp4", rel);
    }
    for (int k = 0; k < 4; k++) {
        name_hcm(fx, "CAM-B", T0 + (k < 2 ? k : k + 3) * SEG_MS, "ts", rel, sizeof(rel));
        place(fx, fx->nvr, k, "ts", rel);
    }
    /* Not the recorder's: a camera it does not hold, a stray name, a hidden temporary. */
    place(fx, fx->nvr, 0, "ts", "CAM-X/2026-11-20/21-00-00.ts");
    place(fx, fx->nvr, 0, "ts", "CAM-A/2026-11-20/notes.ts");
    place(fx, fx->nvr, 0, "ts", "CAM-A/2026-11-20/.21-00-12.mp4.part");
    place(fx, fx->nvr, 0, "ts", "lost+found/x/y.ts");
    /* Berlin (UTC+1 in November): 15:00:00 there is 14:00:00Z, 21:00:00 in Ho Chi Minh City. */
    place(fx, fx->ber, 0, "ts", "20261120/CAM-C_150000.ts");
    fx->nvr_src =
        source("nvr", fx->nvr, "{camera}/%Y-%m-%d/%H-%M-%S.*", "Asia/Ho_Chi_Minh", nvr_cams, 2);
    fx->ber_src =
        source("berlin", fx->ber, "%Y%m%d/{camera}_%H%M%S.ts", "Europe/Berlin", ber_cams, 1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    recsrc_free(fx->nvr_src);
    recsrc_free(fx->ber_src);
    cw_zone_free(fx->hcm);
    cw_zone_free(fx->berlin);
    return ftest_teardown(fx->s, fx->dir, fx);
}

/* Scan r as the daemon does (a read-only connection of its own), then write the result. */
static struct rec_result *scan(struct fixture *fx, struct recsrc *r, int full, int64_t now)
{
    struct store *ro = NULL;
    struct rec_result *res = NULL;
    struct cw_err err = {0};
    size_t cursor = 0;
    struct recsrc_tally tally = {0};
    int rc;

    assert_int_equal(store_open(fx->db, STORE_READONLY, &ro, &err), 0);
    if (recsrc_scan(r, ro, full, now, NULL, NULL, NULL, &res, &err) != 0)
        fail_msg("scan: %s", err.msg);
    store_close(ro);
    assert_int_equal(store_begin(fx->s, &err), 0);
    /* In slices of 3, as the loop writes them. */
    while ((rc = recsrc_apply(r, fx->s, res, &cursor, 3, now, &tally, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    assert_int_equal(recsrc_finish(r, fx->s, 1, NULL, now, &err), 0);
    assert_int_equal(store_commit(fx->s, &err), 0);
    return res;
}

static size_t rows(struct fixture *fx, const char *cam, struct store_segment_row **out)
{
    size_t n = 0;
    struct cw_err err = {0};

    assert_int_equal(store_footage_segments(fx->s, cam, T0 - 3600000, T0 + 3600000, out, &n, &err),
                     0);
    return n;
}

/* Later than the folders' mtimes by more than the racy window: they are remembered. */
static int64_t later(void)
{
    return cw_now_ms() + 10 * REC_RACY_MS;
}

static void test_first_scan_finds_both_cameras_and_ignores_the_rest(void **state)
{
    struct fixture *fx = *state;
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());
    struct store_segment_row *r = NULL;
    size_t n;

    assert_int_equal(res->n_found, 9);
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->unmapped, 1); /* CAM-X */
    assert_true(res->ignored >= 2);     /* notes.ts, lost+found */
    assert_int_equal(res->unreadable, 0);
    rec_result_free(res);
    n = rows(fx, "CAM-A", &r);
    assert_int_equal(n, 5);
    assert_string_equal(r[0].path, "CAM-A/2026-11-20/21-00-00.mp4");
    assert_true(r[0].start_ms == T0);
    assert_true(r[0].end_ms >= T0 + 1900 && r[0].end_ms <= T0 + 2200);
    assert_string_equal(r[0].container, "mp4");
    assert_string_equal(r[0].codec, "h264");
    assert_int_equal(r[0].width, 160);
    free(r);
    n = rows(fx, "CAM-B", &r);
    assert_int_equal(n, 4);
    assert_true(r[2].start_ms == T0 + 10000);
    assert_string_equal(r[2].container, "mpegts");
    free(r);
}

static void test_second_scan_reads_nothing_unchanged(void **state)
{
    struct fixture *fx = *state;
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());

    rec_result_free(res);
    res = scan(fx, fx->nvr_src, 0, later());
    assert_int_equal(res->n_found, 0);
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->dirs_listed, 0);
    assert_true(res->dirs_skipped >= 5); /* top, CAM-A, CAM-B and their days */
    rec_result_free(res);
}

static void test_deleted_oldest_and_cut_newest_are_noticed(void **state)
{
    struct fixture *fx = *state;
    struct store_segment_row *r = NULL;
    struct store_footage_camera fc;
    struct cw_err err = {0};
    char path[512], rel[256];
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());

    rec_result_free(res);
    /* The recorder overwrites the oldest, and the newest is cut by a power cut. */
    unlink_hcm(fx, "CAM-A", T0);
    name_hcm(fx, "CAM-A", T0 + 4 * SEG_MS, "mp4", rel, sizeof(rel));
    snprintf(path, sizeof(path), "%s/%s", fx->nvr, rel);
    assert_int_equal(truncate(path, 3000), 0);
    res = scan(fx, fx->nvr_src, 0, later());
    assert_int_equal(res->n_gone, 1);
    assert_string_equal(res->gone[0].file, "21-00-00.mp4");
    assert_int_equal(res->n_found, 1);
    assert_int_equal(res->unreadable, 1);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 4);
    assert_true(r[0].start_ms == T0 + SEG_MS);
    assert_int_equal(r[3].readable, 0);
    assert_non_null(strstr(r[3].reason, "truncated MP4"));
    free(r);
    assert_int_equal(store_footage_camera(fx->s, "CAM-A", &fc, later(), &err), 0);
    assert_true(fc.oldest_ms == T0 + SEG_MS);
}

/* A file cut short in the middle of a folder that did not change is found by a full scan. */
static void test_full_scan_finds_a_file_changed_in_place(void **state)
{
    struct fixture *fx = *state;
    char path[512], rel[256];
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());

    rec_result_free(res);
    name_hcm(fx, "CAM-A", T0 + SEG_MS, "mp4", rel, sizeof(rel));
    snprintf(path, sizeof(path), "%s/%s", fx->nvr, rel);
    assert_int_equal(truncate(path, 2000), 0);
    res = scan(fx, fx->nvr_src, 0, later());
    assert_int_equal(res->n_found, 0); /* not the last file: the folder says nothing changed */
    rec_result_free(res);
    res = scan(fx, fx->nvr_src, 1, later());
    assert_int_equal(res->n_found, 1);
    assert_int_equal(res->unreadable, 1);
    rec_result_free(res);
}

static void test_recorder_in_another_zone_reads_its_local_names(void **state)
{
    struct fixture *fx = *state;
    struct store_segment_row *r = NULL;
    struct rec_result *res = scan(fx, fx->ber_src, 0, later());

    assert_int_equal(res->n_found, 1);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-C", &r), 1);
    assert_true(r[0].start_ms == T0); /* 15:00 Berlin = 21:00 Ho Chi Minh City */
    assert_string_equal(r[0].path, "20261120/CAM-C_150000.ts");
    free(r);
}

static void test_recent_gaps_name_the_hole_in_local_time(void **state)
{
    struct fixture *fx = *state;
    struct store *ro = NULL;
    struct cw_err err = {0};
    char why[256];
    int faulty = -1;
    struct rec_result *res = scan(fx, fx->nvr_src, 0, T0 + 20000);

    rec_result_free(res);
    assert_int_equal(store_open(fx->db, STORE_READONLY, &ro, &err), 0);
    /* CAM-B: 21:00:04 to 21:00:10 with nothing, over a 3 s limit; 21:00:14 to 21:00:20 too. */
    assert_int_equal(recsrc_recent_gaps(ro, "CAM-B", fx->hcm, T0 + 20000, 3000, 500, &faulty, why,
                                        sizeof(why), &err),
                     0);
    assert_int_equal(faulty, 1);
    assert_string_equal(why, "no recording 21:00\u201321:00; no recording since 21:00");
    /* CAM-A is continuous to 21:00:10; a minute's limit says nothing. */
    assert_int_equal(recsrc_recent_gaps(ro, "CAM-A", fx->hcm, T0 + 20000, 60000, 500, &faulty, why,
                                        sizeof(why), &err),
                     0);
    assert_int_equal(faulty, 0);
    assert_string_equal(why, "");
    /* CAM-C was never scanned: nothing to say yet. */
    assert_int_equal(recsrc_recent_gaps(ro, "CAM-C", fx->hcm, T0 + 20000, 3000, 500, &faulty, why,
                                        sizeof(why), &err),
                     0);
    assert_int_equal(faulty, 0);
    store_close(ro);
}

static void test_bad_patterns_and_lone_cameras_refused(void **state)
{
    static const char *const two[] = {"CAM-A", "CAM-B"};
    struct recsrc_def d = {.name = "nvr2", .kind = RECSRC_DIR, .path = "/x", .pattern = "%Y/%H"};
    struct recsrc *r = NULL;
    struct cw_err err = {0};

    (void)state;
    assert_int_equal(recsrc_new(&d, &r, &err), -1);
    assert_non_null(strstr(err.msg, "recorder nvr2: pattern:"));
    d.pattern = "%Y%m%d/%H%M%S.mp4";
    d.cameras = two;
    d.n_cameras = 2;
    assert_int_equal(recsrc_new(&d, &r, &err), -1);
    assert_non_null(strstr(err.msg, "no {camera}"));
    assert_null(r);
}

/* A recorder whose folder holds nothing yet (a new NVR share): a scan finds nothing, fails
 * nothing, and lists the one folder. */
static void test_empty_recorder_folder_is_an_empty_scan(void **state)
{
    static const char *const cams[] = {"CAM-A"};
    struct fixture *fx = *state;
    char empty[160];
    struct recsrc *r;
    struct rec_result *res;

    snprintf(empty, sizeof(empty), "%s/empty", fx->dir);
    mkdirs(empty);
    r = source("nvr", empty, "{camera}/%Y-%m-%d/%H-%M-%S.mp4", "Asia/Ho_Chi_Minh", cams, 1);
    res = scan(fx, r, 0, T0);
    assert_int_equal(res->n_found, 0);
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->dirs_listed, 1);
    rec_result_free(res);
    recsrc_free(r);
}

/* The camera CAM-A's row moves to another recorder (or goes, or its recorder is blanked):
 * nvr's sheet names CAM-B alone. CAM-A's files on nvr are still there unchanged: they keep
 * CAM-A, on a scan and on a full one, until nvr deletes them. */
static void test_camera_moved_off_keeps_its_files_until_they_go(void **state)
{
    static const char *const only_b[] = {"CAM-B"};
    struct fixture *fx = *state;
    struct recsrc *moved = source_map(fx->nvr, only_b, 1, NULL, NULL);
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());
    struct store_footage_camera fc;
    struct store_segment_row *r = NULL;
    struct cw_err err = {0};
    char rel[256];

    rec_result_free(res);
    res = scan(fx, moved, 0, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->kept, 1); /* the folder did not change: its last file looked at */
    rec_result_free(res);
    res = scan(fx, moved, RECSRC_FULL, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->n_found, 0);
    assert_int_equal(res->kept, 5);
    assert_int_equal(res->unmapped, 6); /* CAM-A's five and CAM-X */
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 5);
    assert_string_equal(r[0].recorder, "nvr");
    free(r);
    /* nvr overwrites CAM-A's oldest, and writes a new file under CAM-A's name (no camera of
     * the sheet now): the one gone leaves the index, the new one is nobody's. */
    unlink_hcm(fx, "CAM-A", T0);
    name_hcm(fx, "CAM-A", T0 + 5 * SEG_MS, "mp4", rel, sizeof(rel));
    place(fx, fx->nvr, 4, "mp4", rel);
    res = scan(fx, moved, 0, later());
    assert_int_equal(res->n_gone, 1);
    assert_string_equal(res->gone[0].file, "21-00-00.mp4");
    assert_int_equal(res->n_found, 0);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 4);
    assert_true(r[0].start_ms == T0 + SEG_MS);
    free(r);
    /* CAM-A is on no recorder the sheet scans now: nvr's scan moved its oldest footage on. */
    assert_int_equal(store_footage_camera(fx->s, "CAM-A", &fc, later(), &err), 0);
    assert_true(fc.oldest_ms == T0 + SEG_MS);
    recsrc_free(moved);
}

/* CAM-A's row moves to another recorder but nvr's channel_map still names it (the installer
 * forgot the map): a token naming a camera the sheet does not put on nvr names no camera, so
 * nvr's new file under CAM-A's name is nobody's and CAM-A's older files keep CAM-A. */
static void test_channel_map_naming_a_camera_moved_off_gives_it_no_new_files(void **state)
{
    static const char *const only_b[] = {"CAM-B"};
    struct fixture *fx = *state;
    struct recsrc *stale = source_map(fx->nvr, only_b, 1, "CAM-A", "CAM-A");
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());
    struct store_segment_row *r = NULL;
    char rel[256];

    rec_result_free(res);
    name_hcm(fx, "CAM-A", T0 + 5 * SEG_MS, "mp4", rel, sizeof(rel));
    place(fx, fx->nvr, 4, "mp4", rel);
    res = scan(fx, stale, RECSRC_FULL, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->n_found, 0);
    assert_int_equal(res->kept, 5);
    assert_int_equal(res->unmapped, 7); /* CAM-A's six and CAM-X */
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 5);
    assert_string_equal(r[4].path, "CAM-A/2026-11-20/21-00-08.mp4");
    free(r);
    recsrc_free(stale);
}

/* The file nvr was writing as CAM-A moved off it is finished after the last scan (written to:
 * its mtime moves): named by no camera of nvr now, it is read again as CAM-A's, not forgotten
 * (its footage, up to the move, is CAM-A's). */
static void test_a_file_written_to_after_its_camera_moved_off_stays_its(void **state)
{
    static const char *const only_b[] = {"CAM-B"};
    struct fixture *fx = *state;
    struct recsrc *moved = source_map(fx->nvr, only_b, 1, NULL, NULL);
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());
    struct store_segment_row *r = NULL;
    char path[512], rel[256];
    struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = 0}};

    rec_result_free(res);
    name_hcm(fx, "CAM-A", T0 + 4 * SEG_MS, "mp4", rel, sizeof(rel));
    snprintf(path, sizeof(path), "%s/%s", fx->nvr, rel);
    ts[1].tv_sec = later() / 1000;
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    res = scan(fx, moved, 0, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->n_found, 1);
    assert_string_equal(res->found[0].camera_id, "CAM-A");
    assert_string_equal(res->found[0].file, "21-00-08.mp4");
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 5);
    assert_string_equal(r[4].path, "CAM-A/2026-11-20/21-00-08.mp4");
    free(r);
    recsrc_free(moved);
}

/* CAM-A's channel (its {camera} text) is given to CAM-B, whose own folder no longer maps: the
 * files recorded before keep the cameras they were indexed for; a new file in CAM-A's folder is
 * CAM-B's. Reattributing (a map corrected) gives every file to the camera the map names now and
 * forgets the files it names none for. */
static void test_channel_reused_keeps_old_files_for_their_camera(void **state)
{
    static const char *const only_b[] = {"CAM-B"};
    struct fixture *fx = *state;
    struct recsrc *reused = source_map(fx->nvr, only_b, 1, "CAM-A", "CAM-B");
    struct store_segment_row *r = NULL;
    char rel[256];
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());

    rec_result_free(res);
    name_hcm(fx, "CAM-A", T0 + 5 * SEG_MS, "mp4", rel, sizeof(rel));
    place(fx, fx->nvr, 4, "mp4", rel);
    res = scan(fx, reused, RECSRC_FULL, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->n_found, 1);
    assert_string_equal(res->found[0].camera_id, "CAM-B");
    assert_string_equal(res->found[0].file, "21-00-10.mp4");
    assert_int_equal(res->kept, 9); /* CAM-A's five as CAM-A, CAM-B's four as CAM-B */
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 5);
    assert_string_equal(r[4].path, "CAM-A/2026-11-20/21-00-08.mp4");
    free(r);
    assert_int_equal(rows(fx, "CAM-B", &r), 5);
    free(r);

    res = scan(fx, reused, RECSRC_REATTRIBUTE, later());
    assert_int_equal(res->n_found, 5); /* CAM-A's folder, read again as CAM-B's */
    assert_int_equal(res->n_gone, 4);  /* CAM-B's folder: no camera now */
    assert_int_equal(res->kept, 0);
    assert_int_equal(res->dirs_skipped, 0);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 0);
    free(r);
    assert_int_equal(rows(fx, "CAM-B", &r), 6);
    assert_string_equal(r[0].path, "CAM-A/2026-11-20/21-00-00.mp4");
    free(r);
    recsrc_free(reused);
}

/* A Dahua NVR (tests/fixtures/nvr_http.py) with channels 1 and 2: the map names both, then
 * only channel 2 (CAM-A moved to another recorder, its channel taken out of the map). Dahua's
 * file paths do not say their channel, so the store keeps the one a file was listed on and the
 * NVR is asked about it again: CAM-A's file stays CAM-A's while the NVR lists it, and a new
 * file of that channel is no one's. */
static struct recsrc *dahua_source(int port, const char *const *tokens,
                                   const char *const *token_cameras, size_t n)
{
    char url[64];
    struct recsrc_def d = {.name = "dh",
                           .kind = RECSRC_DAHUA,
                           .url = url,
                           .username = "admin",
                           .password = "camwatch",
                           .timeout_ms = 10000,
                           .tls_verify = 1,
                           .time_zone = "Asia/Ho_Chi_Minh",
                           .tokens = tokens,
                           .token_cameras = token_cameras,
                           .n_tokens = n,
                           .cameras = token_cameras,
                           .n_cameras = n};
    struct recsrc *r = NULL;
    struct cw_err err = {0};

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/dh/", port);
    if (recsrc_new(&d, &r, &err) != 0)
        fail_msg("recsrc dh: %s", err.msg);
    return r;
}

static void test_dahua_channel_out_of_the_map_keeps_its_files_until_they_go(void **state)
{
    static const char *const both[] = {"1", "2"}, *const both_cams[] = {"CAM-A", "CAM-B"};
    static const char *const two[] = {"2"}, *const two_cams[] = {"CAM-B"};
    struct fixture *fx = *state;
    struct cwtest_fixture nvr = CWTEST_FIXTURE_INIT;
    char nvrs[256], arg[300];
    struct store_segment_row *r = NULL;
    struct recsrc *src;
    struct rec_result *res;

    snprintf(nvrs, sizeof(nvrs), "%s/nvrs.json", fx->dir);
    cwtest_write_file(nvrs,
                      "[{\"name\": \"dh\", \"api\": \"dahua\", \"files\": ["
                      "{\"channel\": 1, \"start\": \"2026-11-20 21:00:00\", \"end\": "
                      "\"2026-11-20 21:00:08\", \"bytes\": 1000, \"name\": \"/dav/a.dav\"},"
                      "{\"channel\": 2, \"start\": \"2026-11-20 21:00:00\", \"end\": "
                      "\"2026-11-20 21:00:08\", \"bytes\": 1000, \"name\": \"/dav/b.dav\"}]}]\n",
                      0640);
    snprintf(arg, sizeof(arg), "%s", nvrs);
    assert_true(cwtest_fixture_start(&nvr, "nvr_http.py",
                                     (const char *const[]){"--nvrs", arg, NULL}, 10000) > 0);
    src = dahua_source(nvr.port, both, both_cams, 2);
    res = scan(fx, src, 0, later());
    assert_int_equal(res->n_found, 2);
    rec_result_free(res);
    recsrc_free(src);

    src = dahua_source(nvr.port, two, two_cams, 1);
    res = scan(fx, src, 0, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->kept, 1); /* CAM-A's, listed on channel 1 as it was indexed */
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 1);
    assert_string_equal(r[0].path, "/dav/a.dav");
    assert_int_equal(r[0].end_ms, T0 + 8000);
    free(r);
    assert_int_equal(rows(fx, "CAM-B", &r), 1);
    free(r);
    /* And again: the channel it was listed on is still kept, so it is still asked about. */
    res = scan(fx, src, 0, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->kept, 1);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 1);
    free(r);
    recsrc_free(src);
    cwtest_fixture_stop(&nvr);
}

/* The recorder's pattern changes (its day folders are named otherwise from now on): the folders
 * and files the old one indexed are still walked, keep their cameras, and leave the index when
 * the recorder deletes them. */
static void test_pattern_changed_keeps_the_files_indexed_by_the_old_one(void **state)
{
    static const char *const cams[] = {"CAM-A", "CAM-B"};
    struct fixture *fx = *state;
    struct recsrc *changed =
        source("nvr", fx->nvr, "{camera}/%Y%m%d/%H-%M-%S.*", "Asia/Ho_Chi_Minh", cams, 2);
    struct rec_result *res = scan(fx, fx->nvr_src, 0, later());
    struct store_segment_row *r = NULL;

    rec_result_free(res);
    res = scan(fx, changed, RECSRC_FULL, later());
    assert_int_equal(res->n_gone, 0);
    assert_int_equal(res->kept, 9);
    rec_result_free(res);
    unlink_hcm(fx, "CAM-A", T0);
    res = scan(fx, changed, 0, later());
    assert_int_equal(res->n_gone, 1);
    rec_result_free(res);
    assert_int_equal(rows(fx, "CAM-A", &r), 4);
    free(r);
    recsrc_free(changed);
}

/* Write res with r as one transaction, in slices of 2; *tally: the segments of cameras not in
 * the store, and those it had exactly so; returns the rows the store's connection changed. */
static int64_t apply_all(struct fixture *fx, struct recsrc *r, const struct rec_result *res,
                         int64_t now, struct recsrc_tally *tally)
{
    int64_t before = sqlite3_total_changes64(fx->s->db);
    struct cw_err err = {0};
    size_t cursor = 0;
    int rc;

    *tally = (struct recsrc_tally){0};
    assert_int_equal(store_begin(fx->s, &err), 0);
    while ((rc = recsrc_apply(r, fx->s, res, &cursor, 2, now, tally, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    assert_int_equal(store_commit(fx->s, &err), 0);
    return sqlite3_total_changes64(fx->s->db) - before;
}

/* A network recorder's listing (the items it lists at every scan, as recorder_remote.c finds
 * them) written again as it was changes no row: not a segment, not a camera's longest segment;
 * nor is an unchanged item taken for one of a camera not in the store, and none is counted as
 * new or changed (recsrc_changed, the scan's "changed"), nor is one of a camera not in the store
 * (it added nothing). One item grown is the one row written
 * (its segment and its camera's longest segment), and the one counted. */
static void test_remote_listing_written_again_unchanged_writes_no_row(void **state)
{
    struct fixture *fx = *state;
    const struct segment_info info = {.container = "ONVIF", .readable = 1};
    const char *const cams[] = {"CAM-A", "CAM-B", "CAM-X"}; /* CAM-X: not in the store */
    struct rec_result *res[2] = {rec_result_new(), rec_result_new()};
    struct recsrc_tally tally = {0};

    for (int pass = 0; pass < 2; pass++) {
        assert_non_null(res[pass]);
        for (int i = 0; i < 3; i++) {
            char id[16];
            /* The second listing: CAM-B's recording grew by a minute. */
            int64_t end = T0 + 60000 * (i + 1) + (pass == 1 && i == 1 ? 60000 : 0);
            snprintf(id, sizeof(id), "rec-%d", i);
            assert_int_equal(
                rec_add_found(res[pass], "", id, cams[i], T0, end, 1000, end * 1000000, &info), 0);
        }
    }
    assert_true(apply_all(fx, fx->nvr_src, res[0], T0, &tally) == 4); /* 2 segments, 2 lengths */
    assert_int_equal(tally.skipped, 1);
    assert_int_equal(tally.unchanged, 0);
    assert_int_equal(recsrc_changed(res[0], &tally), 2); /* not CAM-X's: it added nothing */
    assert_true(apply_all(fx, fx->nvr_src, res[0], T0 + 60000, &tally) == 0);
    assert_int_equal(tally.skipped, 1);
    assert_int_equal(tally.unchanged, 2);
    assert_int_equal(recsrc_changed(res[0], &tally), 0);
    assert_true(apply_all(fx, fx->nvr_src, res[1], T0 + 120000, &tally) == 2);
    assert_int_equal(tally.skipped, 1);
    assert_int_equal(tally.unchanged, 1);
    assert_int_equal(recsrc_changed(res[1], &tally), 1);
    assert_true(apply_all(fx, fx->nvr_src, res[1], T0 + 180000, &tally) == 0);
    assert_int_equal(tally.unchanged, 2);
    assert_int_equal(recsrc_changed(res[1], &tally), 0);
    rec_result_free(res[0]);
    rec_result_free(res[1]);
}

/* The daemon's write of a scan, a transaction per slice (recsrc_write_step), on a connection
 * that waits a few ms for the lock: another connection's write lock puts the slice off (busy,
 * the cursor where it was, nothing of it in the store) and the same slice lands once the lock
 * goes; every file is then indexed once and the recorder's row is ok. */
static void test_a_slice_meeting_a_held_lock_waits_and_lands_once(void **state)
{
    struct fixture *fx = *state;
    struct store *ro = NULL;
    struct rec_result *res = NULL;
    struct cw_err err = {0};
    int64_t now = later();
    size_t cursor = 0, total;
    struct recsrc_tally tally = {0};
    int busy = -1, rc, steps = 0;
    sqlite3 *raw = raw_open(fx->db);

    assert_int_equal(store_set_busy_timeout(fx->s, 5, &err), 0);
    assert_int_equal(store_open(fx->db, STORE_READONLY, &ro, &err), 0);
    assert_int_equal(recsrc_scan(fx->nvr_src, ro, 0, now, NULL, NULL, NULL, &res, &err), 0);
    store_close(ro);
    total = res->n_found + res->n_gone + res->n_dirs;
    assert_int_equal(res->n_found, 9);
    assert_true(total > 6);

    assert_int_equal(
        recsrc_write_step(fx->nvr_src, fx->s, res, NULL, &cursor, 3, now, &tally, &busy, &err), 0);
    assert_int_equal(cursor, 3);
    assert_false(busy);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM segment"), 3);

    assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 2; i++) { /* as often as it is tried, while the lock is held */
        busy = 0;
        assert_int_equal(
            recsrc_write_step(fx->nvr_src, fx->s, res, NULL, &cursor, 3, now, &tally, &busy, &err),
            -1);
        assert_true(busy);
        assert_int_equal(cursor, 3);
        assert_int_equal(tally.skipped, 0);
        assert_int_equal(tally.unchanged, 0);
    }
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM segment"), 3);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM recorder"), 0);
    assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);

    while ((rc = recsrc_write_step(fx->nvr_src, fx->s, res, NULL, &cursor, 3, now, &tally, &busy,
                                   &err)) == 0)
        assert_true(++steps < 100);
    assert_int_equal(rc, 1);
    assert_int_equal(cursor, total);
    assert_int_equal(recsrc_changed(res, &tally), 9); /* a folder's first scan: every file new */
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM segment"), 9);
    assert_int_equal(raw_int(raw, "SELECT count(DISTINCT dir || '/' || file) FROM segment"), 9);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM recorder WHERE name = 'nvr' AND ok = 1 "
                                  "AND error = ''"),
                     1);
    rec_result_free(res);
    sqlite3_close(raw);
}

/* A store that refuses the slice for real (here a trigger: any refusal not a lock's, as a
 * damaged file or a full disk) is no lock to wait for: the step fails not busy, rolled back,
 * the cursor where it was; the failed scan's row is written by a step of its own. */
static void test_a_store_refusing_the_slice_fails_the_step_not_busy(void **state)
{
    struct fixture *fx = *state;
    struct store *ro = NULL;
    struct rec_result *res = NULL;
    struct cw_err err = {0};
    int64_t now = later();
    size_t cursor = 0;
    struct recsrc_tally tally = {0};
    int busy = -1;
    sqlite3 *raw = raw_open(fx->db);

    assert_int_equal(store_open(fx->db, STORE_READONLY, &ro, &err), 0);
    assert_int_equal(recsrc_scan(fx->nvr_src, ro, 0, now, NULL, NULL, NULL, &res, &err), 0);
    store_close(ro);
    assert_int_equal(sqlite3_exec(raw,
                                  "CREATE TRIGGER refuse AFTER INSERT ON segment WHEN "
                                  "NEW.file LIKE '21-00-04%' BEGIN SELECT RAISE(ABORT, "
                                  "'refused'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        recsrc_write_step(fx->nvr_src, fx->s, res, NULL, &cursor, 0, now, &tally, &busy, &err), -1);
    assert_false(busy);
    assert_non_null(strstr(err.msg, "refused"));
    assert_int_equal(cursor, 0);
    assert_int_equal(tally.skipped, 0);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM segment"), 0); /* the slice rolled back */
    assert_int_equal(
        recsrc_write_step(fx->nvr_src, fx->s, NULL, err.msg, &cursor, 3, now, &tally, &busy, &err),
        1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM recorder WHERE name = 'nvr' AND ok = 0 "
                                  "AND error LIKE '%refused%'"),
                     1);
    rec_result_free(res);
    sqlite3_close(raw);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_first_scan_finds_both_cameras_and_ignores_the_rest),
        T(test_second_scan_reads_nothing_unchanged),
        T(test_deleted_oldest_and_cut_newest_are_noticed),
        T(test_full_scan_finds_a_file_changed_in_place),
        T(test_recorder_in_another_zone_reads_its_local_names),
        T(test_recent_gaps_name_the_hole_in_local_time),
        T(test_bad_patterns_and_lone_cameras_refused),
        T(test_empty_recorder_folder_is_an_empty_scan),
        T(test_camera_moved_off_keeps_its_files_until_they_go),
        T(test_a_file_written_to_after_its_camera_moved_off_stays_its),
        T(test_channel_reused_keeps_old_files_for_their_camera),
        T(test_channel_map_naming_a_camera_moved_off_gives_it_no_new_files),
        T(test_pattern_changed_keeps_the_files_indexed_by_the_old_one),
        T(test_remote_listing_written_again_unchanged_writes_no_row),
        T(test_a_slice_meeting_a_held_lock_waits_and_lands_once),
        T(test_a_store_refusing_the_slice_fails_the_step_not_busy),
        T(test_dahua_channel_out_of_the_map_keeps_its_files_until_they_go),
    };

    log_init("test_recsrc", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
