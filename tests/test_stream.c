/* test_stream.c - the stream probe on media files made by ffmpeg in a
 * temporary directory when the group starts (libavformat opens a path as it
 * opens rtsp://), on a TCP listener that never answers, and on GStreamer's
 * RTSP server (tests/fixtures/gst_rtsp_server.py, started for the second
 * group and stopped in its teardown, or by PR_SET_PDEATHSIG should this
 * process die first). Files are read as fast as they decode, so the window
 * ends by stream time and the figures are exact. Outcomes only: no timing
 * assertions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "../daemon/quality.h"
#include "../probes/stream.h"
#include "cwtest.h"

#define FFMPEG "ffmpeg -nostdin -hide_banner -loglevel error -y"
#define SAMPLE_MS 4000    /* of the 6 s files */
#define DEADLINE_MS 30000 /* never reached by a file; generous for a loaded CI machine */
#define SILENT_DEADLINE_MS 1500
#define THUMB_WIDTH 160
#define LEAK_LOOPS 200
#define THREADS 4
#define GST_SERVER "gst_rtsp_server.py"
#define GST_START_MS 30000 /* python and GStreamer start-up on a loaded CI machine */
#define RTSP_SAMPLE_MS 3000
#define RTSP_PASSWORD "p@ss:w/rd \xc3\xa9" /* reserved URL characters, a space, UTF-8 */

static char dir[64];
static bool have_h265;

static int make(const char *name, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), FFMPEG " %s '%s/%s' </dev/null", args, dir, name);
    return system(cmd);
}

/* Overwrite the middle third of the IDR slices number `which` (bits, 0 = the first) of an
 * Annex B H.264 file with pseudo-random bytes, none 0 (no start code appears): a keyframe the
 * decoder conceals, as one damaged in transit. Returns 0, or -1. */
static int damage_keyframes(const char *name, unsigned which)
{
    char path[128];
    size_t len = 0, idr = 0;
    uint32_t rng = 2463534242u;
    char *d;
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    d = cwtest_read_file(path, &len);
    if (d == NULL)
        return -1;
    for (size_t i = 0; i + 3 < len; i++) {
        size_t end = i + 3;
        if (d[i] != 0 || d[i + 1] != 0 || d[i + 2] != 1 || (d[i + 3] & 0x1f) != 5)
            continue;
        while (end + 2 < len && !(d[end] == 0 && d[end + 1] == 0 && d[end + 2] <= 1))
            end++;
        if (idr < 32 && (which & (1u << idr)))
            for (size_t k = i + 3 + (end - i - 3) / 3; k < i + 3 + 2 * (end - i - 3) / 3; k++) {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                d[k] = (char)(rng % 255 + 1);
            }
        idr++;
        i = end - 1;
    }
    f = fopen(path, "wb");
    if (f == NULL || fwrite(d, 1, len, f) != len)
        rc = -1;
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    free(d);
    return rc;
}

static int group_setup(void **state)
{
    (void)state;
    if (cwtest_tmpdir(dir, sizeof(dir), "stream") != 0)
        return -1;
    const char *x264 = "-c:v libx264 -g 25 -sc_threshold 0 -pix_fmt yuv420p";
    char args[512];
    snprintf(args, sizeof(args), "-f lavfi -i testsrc2=size=640x360:rate=25 -t 6 %s", x264);
    if (make("sharp.mp4", args) != 0)
        return -1;
    snprintf(args, sizeof(args), "-f lavfi -i color=black:size=640x360:rate=25 -t 6 %s", x264);
    if (make("black.mp4", args) != 0)
        return -1;
    /* SMPTE bars never move: an encoder fed one picture, P frames only as cameras send */
    snprintf(args, sizeof(args), "-f lavfi -i smptebars=size=640x360:rate=25 -t 6 -bf 0 %s", x264);
    if (make("still.mp4", args) != 0)
        return -1;
    snprintf(args, sizeof(args),
             "-f lavfi -i testsrc2=size=640x360:rate=25 -t 6 -vf gblur=sigma=8 %s", x264);
    if (make("blurred.mp4", args) != 0)
        return -1;
    if (make("slow.mp4", "-f lavfi -i testsrc2=size=640x360:rate=5 -t 6 -c:v libx264 -g 10 "
                         "-sc_threshold 0 -pix_fmt yuv420p") != 0)
        return -1;
    /* frames 30..39 dropped, the others keep their timestamps: one 11-interval gap */
    snprintf(args, sizeof(args),
             "-f lavfi -i testsrc2=size=640x360:rate=25 -t 6 "
             "-vf \"select='not(between(n\\,30\\,39))'\" -vsync passthrough %s",
             x264);
    if (make("gap.mp4", args) != 0)
        return -1;
    /* keyframes at 0, 1, 2 and 3 s; the first and the last of a 4 s window damaged */
    if (make("keys.h264", "-f lavfi -i testsrc2=size=640x360:rate=25 -t 6 -c:v libx264 -g 25 "
                          "-sc_threshold 0 -pix_fmt yuv420p -f h264") != 0)
        return -1;
    snprintf(args, sizeof(args), "-r 25 -i '%s/keys.h264' -c copy", dir);
    if (make("keys.mp4", args) != 0 || damage_keyframes("keys.h264", 1u << 0 | 1u << 3) != 0 ||
        make("damaged.mp4", args) != 0)
        return -1;
    if (make("short.mp4", "-f lavfi -i testsrc2=size=320x180:rate=25 -t 1 -c:v libx264 -g 5 "
                          "-pix_fmt yuv420p") != 0)
        return -1;
    have_h265 = make("h265.mp4", "-f lavfi -i testsrc2=size=640x360:rate=25 -t 6 -c:v libx265 "
                                 "-x265-params log-level=none:keyint=25:min-keyint=25:scenecut=0 "
                                 "-pix_fmt yuv420p") == 0;
    stream_global_init();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (dir[0] != '\0')
        return cwtest_rmtree(dir);
    return 0;
}

static void request_for(struct stream_request *req, const char *name)
{
    memset(req, 0, sizeof(*req));
    snprintf(req->url, sizeof(req->url), "%s/%s", dir, name);
    req->sample_ms = SAMPLE_MS;
    req->deadline_ms = DEADLINE_MS;
}

static void probe_ok(const char *name, struct stream_sample *s)
{
    struct stream_request req;
    request_for(&req, name);
    int rc = stream_probe_run(&req, s);
    if (rc != 0)
        print_error("%s: %s\n", name, s->error);
    assert_int_equal(rc, 0);
    assert_true(s->ok);
}

static void test_normal_file_measures_codec_size_rate_and_gop(void **state)
{
    (void)state;
    struct stream_sample s;
    probe_ok("sharp.mp4", &s);
    assert_string_equal(s.codec, "h264");
    assert_int_equal(s.width, 640);
    assert_int_equal(s.height, 360);
    assert_in_range(s.frames, 99, 101); /* 4 s at 25 fps */
    assert_true(fabs(s.fps - 25.0) < 0.5);
    assert_in_range(s.keyframes, 4, 5);
    assert_true(fabs(s.gop_frames - 25.0) < 1.0);
    assert_true(fabs(s.gop_s - 1.0) < 0.05);
    assert_int_equal(s.first_key_ms, 0);
    assert_true(s.bitrate_kbps > 10);
    assert_int_equal(s.ts_jumps, 0);
    assert_int_equal(s.ts_backwards, 0);
    assert_int_equal(s.lost_frames, 0);
    assert_int_equal(s.corrupt_packets, 0);
    assert_true(s.has_picture);
    assert_true(s.luma_spread > 30);
    assert_int_equal(s.thumb_written, 0); /* none asked for */
}

/* Sizes and key flags of the first n video packets of a file, as libavformat reads them (one
 * packet per frame in MP4). Returns how many were read. */
static int file_packets(const char *name, int n, int *size, int *key)
{
    char path[128];
    AVFormatContext *fmt = NULL;
    AVPacket *pkt = av_packet_alloc();
    int got = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
    while (got < n && av_read_frame(fmt, pkt) >= 0) {
        size[got] = pkt->size;
        key[got] = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        got++;
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return got;
}

static void test_bitrate_is_bytes_over_the_window(void **state)
{
    (void)state;
    struct stream_sample s;
    int size[200], key[200];
    int64_t bytes = 0;
    probe_ok("sharp.mp4", &s);
    /* the same figure from the file: the first frames' packet sizes */
    assert_true(s.frames <= 200);
    int n = file_packets("sharp.mp4", s.frames, size, key);
    for (int i = 0; i < n; i++)
        bytes += size[i];
    double expect = (double)bytes * 8 / (s.frames / 25.0) / 1000.0;
    assert_true(fabs(s.bitrate_kbps - expect) < expect * 0.03);
}

static void test_frame_sizes_are_the_packets_of_the_window(void **state)
{
    (void)state;
    struct stream_sample s;
    int size[200], is_key[200];
    int64_t key = 0, inter = 0;
    int keys = 0, inters = 0, min = 0, since_key = 0;
    probe_ok("sharp.mp4", &s);
    assert_true(s.frames <= 200);
    int n = file_packets("sharp.mp4", s.frames, size, is_key);
    for (int i = 0; i < n; i++) {
        if (is_key[i]) {
            key += size[i];
            keys++;
            since_key = 0;
            continue;
        }
        inter += size[i];
        /* the smallest past the first two after a keyframe */
        if (++since_key > 2 && (min == 0 || size[i] < min))
            min = size[i];
        inters++;
    }
    assert_int_equal(s.inter_frames, inters);
    assert_int_equal(s.inter_frames, s.frames - s.keyframes);
    assert_true(fabs(s.key_bytes - (double)key / keys) < 0.01);
    assert_true(fabs(s.inter_bytes - (double)inter / inters) < 0.01);
    assert_int_equal(s.inter_min_bytes, min);
}

static void test_still_picture_sends_empty_inter_frames(void **state)
{
    (void)state;
    struct stream_sample still, live;
    probe_ok("still.mp4", &still);
    probe_ok("sharp.mp4", &live);
    assert_true(still.inter_frames > 90);
    /* the sizes as the picture judgment reads them (daemon/quality.c) */
    assert_int_equal(quality_sample_still(&still), 1);
    assert_int_equal(quality_sample_still(&live), 0);
    assert_true(live.inter_bytes - live.inter_min_bytes > 100);
}

static void test_black_file_has_low_luma_and_spread(void **state)
{
    (void)state;
    struct stream_sample s;
    probe_ok("black.mp4", &s);
    assert_true(s.has_picture);
    assert_true(s.luma_mean < 20); /* limited-range black is 16 */
    assert_true(s.luma_spread < 2);
    assert_true(s.sharpness < 5);
}

static void test_blurred_file_is_much_less_sharp(void **state)
{
    (void)state;
    struct stream_sample sharp, blurred;
    probe_ok("sharp.mp4", &sharp);
    probe_ok("blurred.mp4", &blurred);
    assert_true(sharp.has_picture && blurred.has_picture);
    assert_true(blurred.sharpness * 5 < sharp.sharpness);
}

/* The picture is judged on the newest keyframe that decoded clean: one the decoder had to
 * conceal (damaged in transit) reads softer, greyer, elsewhere than the scene, and would be
 * judged blurred, dark or moved for a fault that is the stream's (counted corrupt). */
static void test_picture_is_measured_on_the_newest_clean_keyframe(void **state)
{
    (void)state;
    struct stream_sample damaged, clean;
    struct stream_request req;

    /* keyframes at 0 (damaged: not output, the decoder never recovered), 1, 2, 3 s (damaged:
     * concealed and flagged) */
    probe_ok("damaged.mp4", &damaged);
    request_for(&req, "keys.mp4");
    req.sample_ms = 2500; /* the same file undamaged, up to its keyframe at 2 s */
    assert_int_equal(stream_probe_run(&req, &clean), 0);
    assert_int_equal(damaged.corrupt_packets, 1);
    assert_int_equal(clean.corrupt_packets, 0);
    assert_true(damaged.has_picture && clean.has_picture);
    assert_true(damaged.sharpness == clean.sharpness);
    assert_true(damaged.luma_mean == clean.luma_mean);
    assert_true(damaged.phash == clean.phash);
}

/* A damaged first keyframe is not output at all (libavcodec's H.264 decoder has not recovered
 * yet): no picture to judge rather than a grey one. */
static void test_only_a_damaged_keyframe_gives_no_picture(void **state)
{
    (void)state;
    struct stream_sample s;
    struct stream_request req;

    request_for(&req, "damaged.mp4");
    req.sample_ms = 900; /* its first keyframe only */
    assert_int_equal(stream_probe_run(&req, &s), 0);
    assert_true(s.ok);
    assert_int_equal(s.keyframes, 1);
    assert_false(s.has_picture);
}

static void test_low_rate_file_measures_five_fps(void **state)
{
    (void)state;
    struct stream_sample s;
    probe_ok("slow.mp4", &s);
    assert_true(fabs(s.fps - 5.0) < 0.2);
    assert_in_range(s.frames, 19, 21);
    assert_true(fabs(s.gop_frames - 10.0) < 0.5);
    assert_true(fabs(s.gop_s - 2.0) < 0.1);
    assert_int_equal(s.lost_frames, 0);
}

static void test_dropped_frames_are_a_jump_and_counted_lost(void **state)
{
    (void)state;
    struct stream_sample s;
    probe_ok("gap.mp4", &s);
    assert_int_equal(s.ts_jumps, 1);
    assert_int_equal(s.lost_frames, 10);
    assert_int_equal(s.ts_backwards, 0);
    assert_in_range(s.frames, 89, 91); /* 100 slots of the 4 s window, 10 empty */
}

static void test_h265_file_is_decoded(void **state)
{
    (void)state;
    if (!have_h265)
        skip();
    struct stream_sample s;
    probe_ok("h265.mp4", &s);
    assert_string_equal(s.codec, "h265");
    assert_int_equal(s.width, 640);
    assert_int_equal(s.height, 360);
    assert_true(fabs(s.fps - 25.0) < 0.5);
    assert_true(fabs(s.gop_frames - 25.0) < 1.0);
    assert_true(s.has_picture);
    assert_true(s.sharpness > 0);
}

/* Identical content, identical hash; the sharp and black pictures differ. */
static void test_same_file_gives_same_hash(void **state)
{
    (void)state;
    struct stream_sample a, b, black;
    probe_ok("sharp.mp4", &a);
    probe_ok("sharp.mp4", &b);
    probe_ok("black.mp4", &black);
    assert_true(a.phash == b.phash);
    assert_true(a.phash != black.phash);
}

static void test_thumbnail_is_a_jpeg_of_the_asked_width(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    request_for(&req, "sharp.mp4");
    snprintf(req.thumb_path, sizeof(req.thumb_path), "%s/thumbs/cam/CAM-1.jpg", dir);
    req.thumb_width = THUMB_WIDTH;
    assert_int_equal(stream_probe_run(&req, &s), 0);
    assert_true(s.thumb_written);

    unsigned char magic[2] = {0};
    FILE *f = fopen(req.thumb_path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_int_equal(magic[0], 0xFF);
    assert_int_equal(magic[1], 0xD8);

    char tmp[STREAM_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", req.thumb_path);
    assert_int_not_equal(access(tmp, F_OK), 0); /* renamed into place */

    AVFormatContext *fmt = NULL;
    assert_int_equal(avformat_open_input(&fmt, req.thumb_path, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    assert_int_equal(fmt->nb_streams, 1);
    const AVCodecParameters *cp = fmt->streams[0]->codecpar;
    assert_int_equal(cp->codec_id, AV_CODEC_ID_MJPEG);
    assert_int_equal(cp->width, THUMB_WIDTH);
    assert_int_equal(cp->height, 90); /* 160 x 360/640 */
    avformat_close_input(&fmt);
}

static void test_missing_file_fails_to_open(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    request_for(&req, "no-such-file.mp4");
    assert_int_equal(stream_probe_run(&req, &s), -1);
    assert_false(s.ok);
    assert_non_null(strstr(s.error, "open failed"));
}

static void test_file_without_video_has_no_video_stream(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    assert_int_equal(make("audio.m4a", "-f lavfi -i sine=frequency=440 -t 1 -c:a aac"), 0);
    request_for(&req, "audio.m4a");
    assert_int_equal(stream_probe_run(&req, &s), -1);
    assert_string_equal(s.error, "no video stream");
}

/* A server that accepts the connection (the kernel does, from the backlog) and never says a
 * word: the open must end at the deadline, not hang. */
static void test_silent_server_ends_at_the_deadline(void **state)
{
    (void)state;
    int port;
    int fd = cwtest_loopback_socket(1, &port);
    assert_true(fd >= 0);

    struct stream_request req;
    struct stream_sample s;
    memset(&req, 0, sizeof(req));
    snprintf(req.url, sizeof(req.url), "rtsp://127.0.0.1:%d/x", port);
    snprintf(req.username, sizeof(req.username), "admin");
    snprintf(req.password, sizeof(req.password), "p@ss:w/rd");
    req.sample_ms = SAMPLE_MS;
    req.deadline_ms = SILENT_DEADLINE_MS;
    assert_int_equal(stream_probe_run(&req, &s), -1);
    assert_false(s.ok);
    assert_true(strstr(s.error, "deadline") != NULL || strstr(s.error, "no media") != NULL);
    assert_null(strstr(s.error, "p@ss")); /* credentials never in the error */
    close(fd);
}

static void *probe_thread(void *arg)
{
    int *ok = arg;
    for (int i = 0; i < 5; i++) {
        struct stream_request req;
        struct stream_sample s;
        request_for(&req, "short.mp4");
        req.sample_ms = 500;
        if (stream_probe_run(&req, &s) == 0 && s.has_picture)
            (*ok)++;
    }
    return NULL;
}

static void test_probes_run_side_by_side_on_threads(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    int ok[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, probe_thread, &ok[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(ok[i], 5);
    }
}

/* Under CW_SANITIZE builds LeakSanitizer checks at exit that these left nothing behind. */
static void test_many_probes_all_succeed(void **state)
{
    (void)state;
    struct stream_request req;
    request_for(&req, "short.mp4");
    req.sample_ms = 500;
    req.thumb_width = 64;
    snprintf(req.thumb_path, sizeof(req.thumb_path), "%s/loop.jpg", dir);
    int ok = 0;
    for (int i = 0; i < LEAK_LOOPS; i++) {
        struct stream_sample s;
        if (stream_probe_run(&req, &s) == 0 && s.thumb_written)
            ok++;
    }
    assert_int_equal(ok, LEAK_LOOPS);
}

/* Its stdout is kept open: the server prints a line per mount after its port. */
static struct cwtest_fixture gst = CWTEST_FIXTURE_INIT;
static int gst_port;

static char rtsp_dir[64];

static int rtsp_group_setup(void **state)
{
    static char mounts[96];
    static const char *const args[] = {
        "--port",   "0",
        "--mount",  "/live:640x360@25:h264",
        "--mount",  "/secure:320x180@10:h264:ball:admin:" RTSP_PASSWORD,
        "--mounts", mounts,
        NULL};

    (void)state;
    if (cwtest_tmpdir(rtsp_dir, sizeof(rtsp_dir), "stream-rtsp") != 0)
        return -1;
    /* a camera that streams over UDP alone: 461 to a SETUP for RTP in the RTSP connection */
    snprintf(mounts, sizeof(mounts), "%s/mounts.json", rtsp_dir);
    cwtest_write_file(mounts,
                      "[{\"path\": \"/udponly\", \"width\": 320, \"height\": 180, \"fps\": 10, "
                      "\"transport\": \"udp\"}]",
                      0600);
    gst_port = cwtest_fixture_start(&gst, GST_SERVER, args, GST_START_MS);
    if (gst_port <= 0) {
        fprintf(stderr, "gst_rtsp_server.py did not start\n");
        return -1;
    }
    return 0;
}

static int rtsp_group_teardown(void **state)
{
    (void)state;
    cwtest_fixture_stop(&gst);
    if (rtsp_dir[0] != '\0')
        return cwtest_rmtree(rtsp_dir);
    return 0;
}

static void rtsp_request(struct stream_request *req, const char *path)
{
    memset(req, 0, sizeof(*req));
    snprintf(req->url, sizeof(req->url), "rtsp://127.0.0.1:%d%s", gst_port, path);
    req->sample_ms = RTSP_SAMPLE_MS;
    req->deadline_ms = DEADLINE_MS;
}

/* RTP hands the parameter sets over as a packet of their own before each IDR picture: they
 * belong to that picture, which is counted once and decodes whole. */
static void test_rtsp_h264_counts_each_picture_once(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    rtsp_request(&req, "/live");
    int rc = stream_probe_run(&req, &s);
    if (rc != 0)
        print_error("%s\n", s.error);
    assert_int_equal(rc, 0);
    assert_string_equal(s.codec, "h264");
    assert_int_equal(s.width, 640);
    assert_int_equal(s.height, 360);
    assert_true(fabs(s.fps - 25.0) < 0.5);
    assert_true(s.keyframes >= 2);
    assert_true(fabs(s.gop_frames - 25.0) < 1.0);
    assert_int_equal(s.corrupt_packets, 0);
    assert_int_equal(s.ts_backwards, 0);
    assert_true(s.has_picture);
}

static void test_rtsp_credentials_with_reserved_characters_open_a_digest_mount(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    rtsp_request(&req, "/secure");
    snprintf(req.username, sizeof(req.username), "admin");
    snprintf(req.password, sizeof(req.password), "%s", RTSP_PASSWORD);
    int rc = stream_probe_run(&req, &s);
    if (rc != 0)
        print_error("%s\n", s.error);
    assert_int_equal(rc, 0);
    assert_true(fabs(s.fps - 10.0) < 0.5);
    assert_true(s.has_picture);
}

static void test_rtsp_wrong_password_fails_to_open_with_401(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    rtsp_request(&req, "/secure");
    snprintf(req.username, sizeof(req.username), "admin");
    snprintf(req.password, sizeof(req.password), "wrong");
    assert_int_equal(stream_probe_run(&req, &s), -1);
    assert_non_null(strstr(s.error, "open failed"));
    assert_non_null(strstr(s.error, "401"));
}

/* A camera that answers a SETUP for RTP interleaved in the RTSP connection with 461
 * Unsupported Transport streams over UDP: it is sampled over UDP, as players do, not judged
 * without media. */
static void test_rtsp_udp_only_camera_is_sampled_over_udp(void **state)
{
    (void)state;
    struct stream_request req;
    struct stream_sample s;
    rtsp_request(&req, "/udponly");
    if (stream_probe_run(&req, &s) != 0)
        fail_msg("udp-only camera: %s", s.error);
    assert_true(s.ok);
    assert_int_equal(s.width, 320);
    assert_int_equal(s.height, 180);
    assert_true(s.frames > 0);
    assert_true(s.has_picture);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_file_measures_codec_size_rate_and_gop),
        cmocka_unit_test(test_bitrate_is_bytes_over_the_window),
        cmocka_unit_test(test_frame_sizes_are_the_packets_of_the_window),
        cmocka_unit_test(test_still_picture_sends_empty_inter_frames),
        cmocka_unit_test(test_black_file_has_low_luma_and_spread),
        cmocka_unit_test(test_blurred_file_is_much_less_sharp),
        cmocka_unit_test(test_picture_is_measured_on_the_newest_clean_keyframe),
        cmocka_unit_test(test_only_a_damaged_keyframe_gives_no_picture),
        cmocka_unit_test(test_low_rate_file_measures_five_fps),
        cmocka_unit_test(test_dropped_frames_are_a_jump_and_counted_lost),
        cmocka_unit_test(test_h265_file_is_decoded),
        cmocka_unit_test(test_same_file_gives_same_hash),
        cmocka_unit_test(test_thumbnail_is_a_jpeg_of_the_asked_width),
        cmocka_unit_test(test_missing_file_fails_to_open),
        cmocka_unit_test(test_file_without_video_has_no_video_stream),
        cmocka_unit_test(test_silent_server_ends_at_the_deadline),
        cmocka_unit_test(test_probes_run_side_by_side_on_threads),
        cmocka_unit_test(test_many_probes_all_succeed),
    };
    const struct CMUnitTest rtsp_tests[] = {
        cmocka_unit_test(test_rtsp_h264_counts_each_picture_once),
        cmocka_unit_test(test_rtsp_credentials_with_reserved_characters_open_a_digest_mount),
        cmocka_unit_test(test_rtsp_wrong_password_fails_to_open_with_401),
        cmocka_unit_test(test_rtsp_udp_only_camera_is_sampled_over_udp),
    };
    int failed = cmocka_run_group_tests_name("files", tests, group_setup, group_teardown);
    failed +=
        cmocka_run_group_tests_name("rtsp", rtsp_tests, rtsp_group_setup, rtsp_group_teardown);
    return failed;
}
