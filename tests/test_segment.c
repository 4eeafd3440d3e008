/* test_segment.c - one recorder segment read with libavformat (probes/segment.c), on files
 * ffmpeg's segment muxer makes in the test: MP4, MPEG-TS and Matroska read with their codec,
 * size and duration; a file cut short (moov at the end, or at the front), an empty file, a
 * text file and a playlist that would open other files are unreadable with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "../probes/segment.h"
#include "cwtest.h"

static char dir[64];

static int setup_group(void **state)
{
    (void)state;
    av_log_set_level(AV_LOG_QUIET);
    if (cwtest_tmpdir(dir, sizeof(dir), "segment") != 0)
        return -1;
    cwtest_make_segments(dir, 2, 2, "mp4", 1);
    cwtest_make_segments(dir, 2, 2, "mpegts", 0);
    cwtest_make_segments(dir, 1, 2, "matroska", 0);
    return 0;
}

static int teardown_group(void **state)
{
    (void)state;
    return cwtest_rmtree(dir);
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

static struct segment_info probe(const char *name, int want_readable)
{
    struct segment_info info;
    char path[256];

    path_of(path, sizeof(path), name);
    assert_int_equal(segment_probe(path, NULL, &info), want_readable ? 0 : 1);
    assert_int_equal(info.readable, want_readable);
    return info;
}

static void test_mp4_ts_and_matroska_segments_are_read(void **state)
{
    struct segment_info i = probe("seg000.mp4", 1);

    (void)state;
    assert_string_equal(i.container, "mp4");
    assert_string_equal(i.codec, "h264");
    assert_int_equal(i.width, 160);
    assert_int_equal(i.height, 120);
    assert_true(i.audio);
    assert_true(i.duration_ms >= 1900 && i.duration_ms <= 2200);
    assert_int_equal(i.duration_from, SEGMENT_DURATION_CONTAINER);
    assert_string_equal(i.reason, "");

    i = probe("seg001.ts", 1);
    assert_string_equal(i.container, "mpegts");
    assert_int_equal(i.width, 160);
    assert_false(i.audio);
    assert_true(i.duration_ms >= 1900 && i.duration_ms <= 2200);
    assert_int_equal(i.duration_from, SEGMENT_DURATION_TIMESTAMPS);

    i = probe("seg000.mkv", 1);
    assert_string_equal(i.container, "matroska");
    assert_true(i.duration_ms >= 1900 && i.duration_ms <= 2200);
}

/* A file cut in half: the index (moov) ffmpeg writes at the end is gone. */
static void test_mp4_cut_before_its_index_is_truncated(void **state)
{
    char src[256], dst[256];
    struct stat sb;
    struct segment_info i;

    (void)state;
    path_of(src, sizeof(src), "seg001.mp4");
    path_of(dst, sizeof(dst), "cut.mp4");
    assert_int_equal(stat(src, &sb), 0);
    assert_int_equal(cwtest_run((const char *const[]){"cp", src, dst, NULL}), 0);
    assert_int_equal(truncate(dst, sb.st_size / 2), 0);
    i = probe("cut.mp4", 0);
    assert_non_null(strstr(i.reason, "truncated MP4: no moov atom"));
    assert_int_equal(i.duration_ms, 0);
}

/* With the index at the front (faststart), the index outlives the cut and lists samples the
 * file no longer has. */
static void test_faststart_mp4_cut_short_is_truncated(void **state)
{
    char src[256], dst[256];
    struct stat sb;
    struct segment_info i;

    (void)state;
    path_of(src, sizeof(src), "seg000.mp4");
    path_of(dst, sizeof(dst), "fast.mp4");
    assert_int_equal(
        cwtest_run((const char *const[]){"ffmpeg", "-nostdin", "-loglevel", "error", "-i", src,
                                         "-c", "copy", "-movflags", "+faststart", dst, NULL}),
        0);
    probe("fast.mp4", 1);
    assert_int_equal(stat(dst, &sb), 0);
    assert_int_equal(truncate(dst, sb.st_size - 4000), 0);
    i = probe("fast.mp4", 0);
    assert_non_null(strstr(i.reason, "truncated MP4: its samples run to byte"));
}

static void test_empty_text_and_playlist_files_are_unreadable(void **state)
{
    char path[256], text[512];
    struct segment_info i;

    (void)state;
    path_of(path, sizeof(path), "empty.mp4");
    cwtest_write_file(path, "", 0600);
    i = probe("empty.mp4", 0);
    assert_string_equal(i.reason, "empty file");
    path_of(path, sizeof(path), "notes.mp4");
    cwtest_write_file(path, "this is not video\n", 0600);
    i = probe("notes.mp4", 0);
    assert_string_equal(i.reason, "not a readable MP4, MPEG-TS or Matroska file");
    /* An HLS playlist would make libavformat open the files it names: not opened. */
    snprintf(text, sizeof(text), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n%s/seg000.ts\n",
             dir);
    path_of(path, sizeof(path), "list.m3u8");
    cwtest_write_file(path, text, 0600);
    i = probe("list.m3u8", 0);
    assert_int_equal(i.duration_ms, 0);
    assert_string_equal(i.container, "");
    path_of(path, sizeof(path), "nothere.mp4");
    assert_int_equal(segment_probe(path, NULL, &i), 1);
    assert_non_null(strstr(i.reason, "No such file"));
}

static void test_cancel_stops_at_once(void **state)
{
    atomic_int cancel = 1;
    struct segment_info i;
    char path[256];

    (void)state;
    path_of(path, sizeof(path), "seg000.ts");
    assert_int_equal(segment_probe(path, &cancel, &i), 1);
    assert_string_equal(i.reason, "cancelled");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mp4_ts_and_matroska_segments_are_read),
        cmocka_unit_test(test_mp4_cut_before_its_index_is_truncated),
        cmocka_unit_test(test_faststart_mp4_cut_short_is_truncated),
        cmocka_unit_test(test_empty_text_and_playlist_files_are_unreadable),
        cmocka_unit_test(test_cancel_stops_at_once),
    };

    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
