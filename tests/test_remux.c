/* test_remux.c - one MP4 remuxed from segments (probes/remux.c), on segments ffmpeg's segment
 * muxer makes in the test: the start at the keyframe at or before the range, the end cut,
 * continuous timestamps across segments, a gap jumped by its length and reported, a segment
 * gone meanwhile, unreadable or of another codec skipped (first, middle or last) and said,
 * a write error failing the run, the same bytes twice, cancelling, a file still being written
 * read up to its size when opened, one not of the container or codec indexed skipped. The output is
 * read back with libavformat (codec, streams, duration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../probes/remux.h"
#include "cwtest.h"

#define T0 1795183200000LL
#define SEG 2000LL

static char dir[64];

static int setup_group(void **state)
{
    (void)state;
    av_log_set_level(AV_LOG_QUIET);
    if (cwtest_tmpdir(dir, sizeof(dir), "remux") != 0)
        return -1;
    cwtest_make_segments(dir, 6, 2, "mp4", 1);
    return 0;
}

static int teardown_group(void **state)
{
    (void)state;
    return cwtest_rmtree(dir);
}

struct inputs {
    char paths[8][256];
    struct remux_input in[8];
    struct remux_used used[8];
    size_t n;
};

/* Segments k.. at the given wall-clock starts. */
static void inputs(struct inputs *v, const int *k, const int64_t *start, size_t n)
{
    v->n = n;
    memset(v->used, 0, sizeof(v->used));
    for (size_t i = 0; i < n; i++) {
        snprintf(v->paths[i], sizeof(v->paths[i]), "%s/seg%03d.mp4", dir, k[i]);
        v->in[i] = (struct remux_input){v->paths[i], start[i], start[i] + SEG, NULL, NULL};
    }
}

static int out_file(const char *name, char *path, size_t len)
{
    int fd;

    snprintf(path, len, "%s/%s", dir, name);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    return fd;
}

/* What libavformat reads back from path. */
static void read_back(const char *path, int *streams, int64_t *duration_ms, const char **codec)
{
    AVFormatContext *ic = NULL;

    assert_int_equal(avformat_open_input(&ic, path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(ic, NULL) >= 0);
    *streams = (int)ic->nb_streams;
    *duration_ms = ic->duration / 1000;
    *codec = avcodec_get_name(ic->streams[0]->codecpar->codec_id);
    avformat_close_input(&ic);
}

static struct remux_result run(struct inputs *v, int64_t from, int64_t to, const char *name,
                               char *path, size_t len)
{
    struct remux_request rq = {.in = v->in,
                               .n = v->n,
                               .from_ms = from,
                               .to_ms = to,
                               .tolerance_ms = 1000,
                               .out_fd = out_file(name, path, len),
                               .used = v->used};
    struct remux_result res;

    assert_int_equal(remux_run(&rq, &res), 0);
    close(rq.out_fd);
    return res;
}

/* What a remux of segments k at starts s over [from, to) gave, and what reads back. */
struct played {
    struct remux_result res;
    int streams;
    int64_t dur;
    const char *codec;
};

static struct played play(const int *k, const int64_t *s, size_t n, int64_t from, int64_t to,
                          const char *name)
{
    struct inputs v;
    struct played p;
    char path[256];

    inputs(&v, k, s, n);
    p.res = run(&v, from, to, name, path, sizeof(path));
    read_back(path, &p.streams, &p.dur, &p.codec);
    return p;
}

static void test_range_inside_contiguous_segments(void **state)
{
    const int k[] = {0, 1, 2, 3};
    const int64_t s[] = {T0, T0 + SEG, T0 + 2 * SEG, T0 + 3 * SEG};
    /* 3.5 s into the footage: the keyframe at 3.0 s starts it (one every second). */
    struct played p = play(k, s, 4, T0 + 3500, T0 + 7000, "mid.mp4");

    (void)state;
    assert_true(p.res.delivered);
    assert_true(p.res.from_ms == T0 + 3000);
    assert_true(p.res.to_ms >= T0 + 6900 && p.res.to_ms <= T0 + 7000);
    assert_int_equal(p.res.n_jumps, 0);
    assert_int_equal(p.res.inputs_read, 3);
    assert_string_equal(p.res.codec, "h264");
    assert_int_equal(p.res.streams, 2);
    assert_string_equal(p.res.note, "");
    assert_int_equal(p.streams, 2);
    assert_string_equal(p.codec, "h264");
    assert_true(p.dur >= 3900 && p.dur <= 4100); /* 3.0 s to 7.0 s */
}

static void test_gap_is_jumped_by_its_length_and_reported(void **state)
{
    const int k[] = {0, 1, 2};
    const int64_t s[] = {T0, T0 + SEG, T0 + 10000};
    struct played p = play(k, s, 3, T0, T0 + 20000, "gap.mp4");

    (void)state;
    assert_int_equal(p.res.n_jumps, 1);
    assert_true(p.res.jumps[0].from_ms >= T0 + 3900 && p.res.jumps[0].from_ms <= T0 + 4100);
    assert_true(p.res.jumps[0].to_ms == T0 + 10000);
    assert_true(p.res.to_ms >= T0 + 11900 && p.res.to_ms <= T0 + 12100);
    assert_true(p.dur >= 11800 && p.dur <= 12200); /* the recorder's timeline, gap included */
}

static void test_same_inputs_give_the_same_bytes(void **state)
{
    const int k[] = {1, 2};
    const int64_t s[] = {T0, T0 + SEG};
    struct inputs v;
    char a[256], b[256];
    char *x, *y;
    size_t nx, ny;

    (void)state;
    inputs(&v, k, s, 2);
    run(&v, T0, T0 + 4000, "a.mp4", a, sizeof(a));
    sleep(1); /* a second later: a creation time would differ */
    run(&v, T0, T0 + 4000, "b.mp4", b, sizeof(b));
    x = cwtest_read_file(a, &nx);
    y = cwtest_read_file(b, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    free(x);
    free(y);
}

/* A recorder overwrote the first segment since the scan: it is skipped, said gone, and the
 * file starts at the next. */
static void test_first_segment_gone_is_skipped_and_the_next_starts_the_file(void **state)
{
    const int k[] = {99, 1, 2};
    const int64_t s[] = {T0, T0 + SEG, T0 + 2 * SEG};
    struct inputs v;
    char path[256];
    struct remux_result res;

    (void)state;
    inputs(&v, k, s, 3);
    res = run(&v, T0, T0 + 6000, "first-gone.mp4", path, sizeof(path));
    assert_true(res.delivered);
    assert_true(res.from_ms == T0 + SEG);
    assert_true(res.to_ms >= T0 + 5900);
    assert_int_equal(v.used[0].use, REMUX_GONE);
    assert_int_equal(v.used[0].errnum, ENOENT);
    assert_int_equal(v.used[1].use, REMUX_USED);
    assert_int_equal(v.used[2].use, REMUX_USED);
}

/* A middle segment gone, another not a video file, a later one of another codec: each skipped
 * and said, the footage after them still delivered, their time a jump in the file. */
static void test_unusable_middle_segments_are_skipped_and_the_rest_delivered(void **state)
{
    const int k[] = {0, 99, 1, 2, 3};
    const int64_t s[] = {T0, T0 + SEG, T0 + 2 * SEG, T0 + 3 * SEG, T0 + 4 * SEG};
    struct inputs v;
    char path[256], cmd[768];
    struct remux_result res;
    FILE *f;

    (void)state;
    inputs(&v, k, s, 5);
    /* at 2 s gone, at 4 s not a video file, at 8 s MPEG-4 part 2, not H.264 */
    snprintf(v.paths[2], sizeof(v.paths[2]), "%s/junk.mp4", dir);
    assert_non_null(f = fopen(v.paths[2], "w"));
    fputs("not a video\n", f);
    fclose(f);
    snprintf(v.paths[4], sizeof(v.paths[4]), "%s/mpeg4.mp4", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -t 2 "
             "-c:v mpeg4 %s",
             v.paths[4]);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    res = run(&v, T0, T0 + 10000, "middle.mp4", path, sizeof(path));
    assert_true(res.delivered);
    assert_true(res.from_ms == T0);
    assert_true(res.to_ms >= T0 + 7900 && res.to_ms <= T0 + 8100); /* the one at 6 s to 8 s */
    assert_int_equal(res.n_jumps, 1);
    assert_true(res.jumps[0].from_ms >= T0 + 1900 && res.jumps[0].from_ms <= T0 + 2100);
    assert_true(res.jumps[0].to_ms == T0 + 3 * SEG);
    assert_int_equal(v.used[0].use, REMUX_USED);
    assert_int_equal(v.used[1].use, REMUX_GONE);
    assert_int_equal(v.used[2].use, REMUX_UNREADABLE);
    assert_int_equal(v.used[3].use, REMUX_USED);
    assert_int_equal(v.used[4].use, REMUX_OTHER_CODEC);
    assert_string_equal(res.note, "");
}

/* The output cannot be written (a file open read-only): the run fails and says so; it is not a
 * short delivery. */
static void test_write_error_fails_the_run(void **state)
{
    const int k[] = {0, 1};
    const int64_t s[] = {T0, T0 + SEG};
    struct inputs v;
    char path[256];
    struct remux_request rq;
    struct remux_result res;

    (void)state;
    inputs(&v, k, s, 2);
    close(out_file("ro.mp4", path, sizeof(path)));
    rq = (struct remux_request){.in = v.in,
                                .n = 2,
                                .from_ms = T0,
                                .to_ms = T0 + 4000,
                                .tolerance_ms = 1000,
                                .out_fd = open(path, O_RDONLY),
                                .used = v.used};
    assert_true(rq.out_fd >= 0);
    assert_int_equal(remux_run(&rq, &res), -1);
    assert_true(res.output_failed);
    assert_false(res.delivered);
    assert_non_null(strstr(res.note, "writing the output"));
    close(rq.out_fd);
}

/* Appends the rest of ts/full.ts to ts/part.ts, the input open as fd (a recorder still
 * writing it). */
static int append_while_open(void *data, size_t k, int fd, int64_t size)
{
    char cmd[600];
    struct stat sb;

    (void)k;
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(size, (int64_t)sb.st_size);
    snprintf(cmd, sizeof(cmd), "tail -c +%lld %s/ts/full.ts >> %s/ts/part.ts", (long long)size + 1,
             dir, dir);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    assert_int_equal(fstat(fd, &sb), 0);
    assert_true((int64_t)sb.st_size > size);
    *(int64_t *)data = size;
    return 0;
}

/* An MPEG-TS file still being written: the remux reads it up to its size when opened (what the
 * caller hashed), not the footage appended while it reads; a file that is not the container or
 * codec the index has is skipped and said. */
static void test_growing_file_is_read_up_to_its_size_when_opened(void **state)
{
    struct inputs v;
    char sub[128], path[256], cmd[600];
    int64_t size = -1, first_to;
    struct remux_request rq;
    struct remux_result res;
    struct stat sb;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/ts", dir);
    assert_int_equal(mkdir(sub, 0750), 0);
    /* 4 s of MPEG-TS; the recorder has written the first half of its packets so far */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=160x120:rate=10 -t 4 "
             "-c:v libx264 -preset ultrafast -g 10 -pix_fmt yuv420p -f mpegts %s/full.ts",
             sub);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    snprintf(path, sizeof(path), "%s/full.ts", sub);
    assert_int_equal(stat(path, &sb), 0);
    snprintf(cmd, sizeof(cmd), "head -c %lld %s/full.ts > %s/part.ts",
             (long long)(sb.st_size / 188 / 2 * 188), sub, sub);
    assert_int_equal(cwtest_run((const char *const[]){"sh", "-c", cmd, NULL}), 0);
    snprintf(v.paths[0], sizeof(v.paths[0]), "%s/part.ts", sub);
    v.in[0] = (struct remux_input){v.paths[0], T0, T0 + SEG, "mpegts", "h264"};
    memset(v.used, 0, sizeof(v.used));
    rq = (struct remux_request){.in = v.in,
                                .n = 1,
                                .from_ms = T0,
                                .to_ms = T0 + 4 * SEG,
                                .tolerance_ms = 1000,
                                .out_fd = out_file("grow.mp4", path, sizeof(path)),
                                .opened = append_while_open,
                                .opened_data = &size,
                                .used = v.used};
    assert_int_equal(remux_run(&rq, &res), 0);
    close(rq.out_fd);
    assert_true(size > 0);
    assert_true(res.delivered);
    assert_int_equal(v.used[0].use, REMUX_USED);
    /* what was there when it was opened, not the footage appended since, up to T0 + 4 s */
    first_to = res.to_ms;
    assert_true(first_to > T0 && first_to < T0 + 3500);
    /* read again, it holds both */
    rq.opened = NULL;
    rq.out_fd = out_file("grown.mp4", path, sizeof(path));
    assert_int_equal(remux_run(&rq, &res), 0);
    close(rq.out_fd);
    assert_true(res.to_ms >= T0 + 3900 && res.to_ms <= T0 + 4100);
    /* indexed as MP4, or as HEVC: not the file indexed */
    v.in[0].container = "mp4";
    rq.out_fd = out_file("other-container.mp4", path, sizeof(path));
    assert_int_equal(remux_run(&rq, &res), 0);
    close(rq.out_fd);
    assert_false(res.delivered);
    assert_int_equal(v.used[0].use, REMUX_OTHER_CONTAINER);
    v.in[0] = (struct remux_input){v.paths[0], T0, T0 + SEG, "mpegts", "hevc"};
    rq.out_fd = out_file("other-codec.mp4", path, sizeof(path));
    assert_int_equal(remux_run(&rq, &res), 0);
    close(rq.out_fd);
    assert_false(res.delivered);
    assert_int_equal(v.used[0].use, REMUX_OTHER_CODEC);
}

static void test_cancel_and_nothing_in_range(void **state)
{
    const int k[] = {0};
    const int64_t s[] = {T0};
    atomic_int cancel = 1;
    struct inputs v;
    char path[256];
    struct remux_request rq;
    struct remux_result res;

    (void)state;
    inputs(&v, k, s, 1);
    rq = (struct remux_request){.in = v.in,
                                .n = 1,
                                .from_ms = T0,
                                .to_ms = T0 + 2000,
                                .tolerance_ms = 1000,
                                .out_fd = out_file("c.mp4", path, 256),
                                .cancel = &cancel};
    assert_int_equal(remux_run(&rq, &res), -1);
    assert_string_equal(res.note, "cancelled");
    close(rq.out_fd);
    rq.cancel = NULL;
    rq.n = 0;
    rq.out_fd = out_file("none.mp4", path, 256);
    assert_int_equal(remux_run(&rq, &res), 0);
    assert_false(res.delivered);
    close(rq.out_fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_inside_contiguous_segments),
        cmocka_unit_test(test_gap_is_jumped_by_its_length_and_reported),
        cmocka_unit_test(test_same_inputs_give_the_same_bytes),
        cmocka_unit_test(test_first_segment_gone_is_skipped_and_the_next_starts_the_file),
        cmocka_unit_test(test_unusable_middle_segments_are_skipped_and_the_rest_delivered),
        cmocka_unit_test(test_write_error_fails_the_run),
        cmocka_unit_test(test_cancel_and_nothing_in_range),
        cmocka_unit_test(test_growing_file_is_read_up_to_its_size_when_opened),
    };

    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
