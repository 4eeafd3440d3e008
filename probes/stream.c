/* stream.c - one stream sample with libavformat/libavcodec. Owns, for the
 * length of one stream_probe_run() call: the demuxer (and its connection),
 * a keyframe-only decoder, the newest clean decoded keyframe, the per-frame
 * timeline, and a copy of the URL carrying the credentials (wiped before it
 * is freed). Blocking; runs on a worker thread, any number at once: nothing
 * here is shared between calls except the process-wide setup done once by
 * stream_global_init().
 *   open (interruptible) -> read packets for the window -> flush the decoder
 *   -> measure the last keyframe, write the thumbnail -> close
 * One interrupt callback bounds every blocking libav* call: it fires once the
 * monotonic clock passes start + deadline_ms.
 *
 * avformat_find_stream_info() is skipped when the open already names the
 * video codec (RTSP from the SDP rtpmap and sprop parameter sets, MP4/MKV/TS
 * from their headers): it would decode frames of its own and spend up to its
 * analyze duration of the deadline. The size then comes from the decoded
 * keyframe. Only streams with no codec after the open are analysed, with a
 * small probe size and STREAM_ANALYZE_US. */
#include "stream.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "../util/cwtime.h"
#include "../util/file.h"
#include "picture.h"

#define STREAM_USER_AGENT "camwatch/" CW_VERSION
#define STREAM_DEFAULT_SAMPLE_MS 5000
#define STREAM_DEFAULT_DEADLINE_MS 15000
#define STREAM_CLOSE_GRACE_MS 500 /* to send TEARDOWN after the deadline fired */
#define STREAM_ANALYZE_US 1500000 /* find_stream_info bound, only when the open left no codec */
#define STREAM_PROBESIZE 1000000  /* bytes for the same */
#define STREAM_MAX_FRAMES 100000  /* timeline cap: ~1 hour at 25 fps */
#define STREAM_JUMP_INTERVALS 3.0 /* a forward gap over this many frame intervals is a jump */
#define STREAM_LOSS_INTERVALS 1.5 /* a gap over this many intervals has lost frames */
#define STREAM_MAX_FPS 1000.0     /* above this a stream's nominal rate is nonsense */
#define STREAM_THUMB_DEFAULT_WIDTH 320 /* when the request asks for width 0 */
#define STREAM_THUMB_QSCALE 5          /* mjpeg quantiser: 2 best .. 31 worst */
#define STREAM_SETTLE_FRAMES 2         /* inter frames after a keyframe left out of the smallest */

struct frame_rec {
    double t; /* seconds of stream time, NAN when the packet had no timestamp */
    bool key;
    int size; /* bytes of the access unit */
};

struct probe {
    const struct stream_request *req;
    struct stream_sample *out;
    int64_t start_ms, deadline_at; /* monotonic */
    bool interrupted;              /* the deadline fired inside a libav* call */

    AVFormatContext *fmt;
    AVStream *st;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    AVFrame *last_key; /* newest clean decoded keyframe, else newest decoded one, or unset */
    bool last_key_bad; /* last_key decoded with errors (concealed): not measured */
    AVPacket *au;      /* the access unit being gathered (packets of one timestamp) */
    bool au_open, au_key;
    double au_t;
    int64_t au_wall_ms;

    struct frame_rec *frames;
    size_t n, cap;
    int64_t bytes;
    int64_t first_wall_ms, first_key_wall_ms;
};

static int fail(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct probe *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->out->error, sizeof(p->out->error), fmt, ap);
    va_end(ap);
    return -1;
}

static int on_interrupt(void *opaque)
{
    struct probe *p = opaque;
    if (cw_mono_ms() > p->deadline_at ||
        (p->req->cancel != NULL && atomic_load(p->req->cancel) != 0)) {
        p->interrupted = true;
        return 1;
    }
    return 0;
}

void stream_global_init(void)
{
    av_log_set_level(AV_LOG_QUIET);
    avformat_network_init();
}

/* Unreserved characters (RFC 3986) as they are, the rest %XX: libavformat
 * URL-decodes the userinfo before Basic or Digest auth. */
static size_t percent_encode(const char *s, char *buf, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~';
        if (o + (plain ? 1 : 3) >= len)
            return (size_t)-1;
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return o;
}

static void wipe(void *buf, size_t len)
{
    volatile unsigned char *v = buf;
    while (len-- > 0)
        *v++ = 0;
}

/* req->url with "user:pass@" inserted after the scheme when credentials are given and the URL
 * has none. Returns 0, or -1 when it does not fit. */
static int build_url(const struct stream_request *req, char *buf, size_t len)
{
    char user[3 * sizeof(req->username)], pass[3 * sizeof(req->password)];
    const char *scheme = strstr(req->url, "://");
    int rc = 0;

    if (req->username[0] == '\0' || scheme == NULL) {
        return snprintf(buf, len, "%s", req->url) < (int)len ? 0 : -1;
    }
    const char *host = scheme + 3;
    const char *slash = strchr(host, '/');
    const char *at = strchr(host, '@');
    if (at != NULL && (slash == NULL || at < slash))
        return snprintf(buf, len, "%s", req->url) < (int)len ? 0 : -1;
    if (percent_encode(req->username, user, sizeof(user)) == (size_t)-1 ||
        percent_encode(req->password, pass, sizeof(pass)) == (size_t)-1) {
        rc = -1;
    } else {
        int n = snprintf(buf, len, "%.*s%s%s%s@%s", (int)(host - req->url), req->url, user,
                         req->password[0] != '\0' ? ":" : "", pass, host);
        rc = n >= 0 && n < (int)len ? 0 : -1;
    }
    wipe(user, sizeof(user));
    wipe(pass, sizeof(pass));
    return rc;
}

static bool is_rtsp(const char *url)
{
    return strncmp(url, "rtsp://", 7) == 0 || strncmp(url, "rtsps://", 8) == 0;
}

/* Open the input, RTP carried as transport says ("tcp": interleaved in the RTSP connection).
 * Returns 0, or -1 with p->fmt freed and *averr libav's error (0 when out->error says why). */
static int open_with(struct probe *p, const char *transport, int *averr)
{
    const struct stream_request *req = p->req;
    AVDictionary *opts = NULL;
    char url[STREAM_URL_MAX + 3 * 256 + 2];
    char us[32];
    int ret;

    *averr = 0;
    p->fmt = avformat_alloc_context();
    if (p->fmt == NULL)
        return fail(p, "out of memory");
    p->fmt->interrupt_callback.callback = on_interrupt;
    p->fmt->interrupt_callback.opaque = p;

    if (is_rtsp(req->url)) {
        av_dict_set(&opts, "rtsp_transport", transport, 0);
        av_dict_set(&opts, "allowed_media_types", "video", 0);
        av_dict_set(&opts, "user_agent", STREAM_USER_AGENT, 0);
    }
    /* socket I/O timeout in microseconds (rtsp, http, tcp); the interrupt callback is what
     * enforces the deadline, this only keeps a single read from outliving it */
    snprintf(us, sizeof(us), "%lld", (long long)req->deadline_ms * 1000);
    av_dict_set(&opts, "timeout", us, 0);

    if (build_url(req, url, sizeof(url)) != 0) {
        av_dict_free(&opts);
        return fail(p, "open failed: URL with credentials too long");
    }
    ret = avformat_open_input(&p->fmt, url, NULL, &opts);
    wipe(url, sizeof(url));
    av_dict_free(&opts);
    *averr = ret < 0 ? ret : 0; /* avformat_open_input freed the context on failure */
    return ret < 0 ? -1 : 0;
}

/* RTP over TCP first (one connection, nothing lost to the network, through NAT); a camera
 * that refuses it (461 Unsupported Transport: libavformat's EPROTONOSUPPORT) streams over UDP
 * alone, and players take that: so does the sample, within the same deadline. */
static int open_input(struct probe *p)
{
    const struct stream_request *req = p->req;
    int ret;

    if (open_with(p, "tcp", &ret) == 0)
        return 0;
    if (ret == AVERROR(EPROTONOSUPPORT) && is_rtsp(req->url) && !p->interrupted &&
        open_with(p, "udp", &ret) == 0)
        return 0;
    if (ret < 0) {
        if (p->interrupted)
            return fail(p, "deadline after %lld ms (opening)", (long long)req->deadline_ms);
        return fail(p, "open failed: %s", av_err2str(ret));
    }
    return -1;
}

static int find_video_stream(const AVFormatContext *fmt)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVCodecParameters *cp = fmt->streams[i]->codecpar;
        if (cp->codec_type == AVMEDIA_TYPE_VIDEO && cp->codec_id != AV_CODEC_ID_NONE &&
            !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return (int)i;
    }
    return -1;
}

static int pick_stream(struct probe *p)
{
    int idx = find_video_stream(p->fmt);
    if (idx < 0) {
        p->fmt->probesize = STREAM_PROBESIZE;
        p->fmt->max_analyze_duration = STREAM_ANALYZE_US;
        int ret = avformat_find_stream_info(p->fmt, NULL);
        if (ret < 0 && p->interrupted)
            return fail(p, "deadline after %lld ms (analysing)", (long long)p->req->deadline_ms);
        idx = find_video_stream(p->fmt);
    }
    if (idx < 0)
        return fail(p, "no video stream");
    for (unsigned i = 0; i < p->fmt->nb_streams; i++)
        p->fmt->streams[i]->discard = (int)i == idx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    p->st = p->fmt->streams[idx];

    const AVCodecParameters *cp = p->st->codecpar;
    const char *name = cp->codec_id == AV_CODEC_ID_HEVC ? "h265" : avcodec_get_name(cp->codec_id);
    snprintf(p->out->codec, sizeof(p->out->codec), "%s", name);
    p->out->width = cp->width;
    p->out->height = cp->height;
    return 0;
}

/* A decoder that will only ever see keyframes. Failing to open one is not a probe failure: the
 * timing figures stand without a picture, and out->error carries the note. */
static void open_decoder(struct probe *p)
{
    const AVCodecParameters *cp = p->st->codecpar;
    const AVCodec *codec = avcodec_find_decoder(cp->codec_id);
    int ret;

    if (codec == NULL) {
        fail(p, "decoder: none for %s", avcodec_get_name(cp->codec_id));
        goto fail;
    }
    p->dec = avcodec_alloc_context3(codec);
    if (p->dec == NULL) {
        fail(p, "decoder: out of memory");
        goto fail;
    }
    ret = avcodec_parameters_to_context(p->dec, cp);
    if (ret < 0) {
        fail(p, "decoder: %s", av_err2str(ret));
        goto fail;
    }
    p->dec->thread_count = 1;
    p->dec->skip_frame = AVDISCARD_NONKEY;
    p->dec->pkt_timebase = p->st->time_base;
    ret = avcodec_open2(p->dec, codec, NULL);
    if (ret < 0) {
        fail(p, "decoder: %s", av_err2str(ret));
        goto fail;
    }
    return;
fail:
    avcodec_free_context(&p->dec);
}

static void take_frames(struct probe *p)
{
    for (;;) {
        int ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return;
        if (ret < 0) {
            p->out->corrupt_packets++;
            return;
        }
        bool bad =
            p->frame->decode_error_flags != 0 || (p->frame->flags & AV_FRAME_FLAG_CORRUPT) != 0;
        if (bad)
            p->out->corrupt_packets++;
        /* A concealed keyframe is not the scene (softer, greyer, parts of an older one): an
         * older clean one is judged instead. */
        if (bad && p->last_key->data[0] != NULL && !p->last_key_bad) {
            av_frame_unref(p->frame);
            continue;
        }
        av_frame_unref(p->last_key);
        av_frame_move_ref(p->last_key, p->frame);
        p->last_key_bad = bad;
    }
}

static void decode_key(struct probe *p, const AVPacket *pkt)
{
    if (p->dec == NULL)
        return;
    int ret = avcodec_send_packet(p->dec, pkt);
    if (ret == AVERROR(EAGAIN)) {
        take_frames(p);
        ret = avcodec_send_packet(p->dec, pkt);
    }
    if (ret < 0 && ret != AVERROR_EOF && pkt != NULL)
        p->out->corrupt_packets++;
    take_frames(p);
}

static double packet_seconds(const AVPacket *pkt, AVRational tb)
{
    int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    return ts == AV_NOPTS_VALUE ? NAN : (double)ts * av_q2d(tb);
}

static int record_frame(struct probe *p, double t, bool key, int size)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct frame_rec *v = realloc(p->frames, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        p->frames = v;
        p->cap = cap;
    }
    p->frames[p->n].t = t;
    p->frames[p->n].key = key;
    p->frames[p->n].size = size;
    p->n++;
    return 0;
}

/* Close the access unit being gathered: one frame on the timeline, and to the decoder when it
 * holds a keyframe. */
static int finish_au(struct probe *p)
{
    if (!p->au_open)
        return 0;
    p->au_open = false;
    if (record_frame(p, p->au_t, p->au_key, p->au->size) != 0) {
        av_packet_unref(p->au);
        return -1;
    }
    if (p->au_key) {
        if (p->out->keyframes == 0)
            p->first_key_wall_ms = p->au_wall_ms;
        p->out->keyframes++;
        decode_key(p, p->au);
    }
    av_packet_unref(p->au);
    return 0;
}

/* Packets of one picture share a timestamp; RTP depacketizers can hand them over apart (the
 * parameter sets, with no timestamp, before the IDR slices; one slice per packet). Gather
 * them into one access unit, so a frame is counted once and the decoder sees it whole.
 * A packet without a timestamp joins the unit being gathered, or starts one that takes the
 * next packet's timestamp. Returns 0 or -1 (out of memory). */
static int add_packet(struct probe *p, AVPacket *pkt, double t, int64_t now)
{
    bool join = false, key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    if (p->au_open)
        join = isnan(p->au_t) ? !isnan(t) : (isnan(t) || t == p->au_t);
    if (!join) {
        if (finish_au(p) != 0)
            return -1;
        p->au_open = true;
        p->au_t = t;
        p->au_key = false;
        p->au_wall_ms = now;
        av_packet_move_ref(p->au, pkt);
    } else {
        int old = p->au->size;
        if (isnan(p->au_t))
            p->au_t = t;
        if (av_grow_packet(p->au, pkt->size) < 0)
            return -1;
        memcpy(p->au->data + old, pkt->data, (size_t)pkt->size);
        av_packet_unref(pkt);
    }
    p->au_key = p->au_key || key;
    return 0;
}

/* Read video packets from the first one until sample_ms of stream time or of wall time has
 * passed, whichever comes first; the deadline ends it sooner. A file is read as fast as it
 * goes and so ends by stream time. */
static int read_window(struct probe *p)
{
    const struct stream_request *req = p->req;
    int64_t sample_ms = req->sample_ms > 0 ? req->sample_ms : STREAM_DEFAULT_SAMPLE_MS;
    double t0 = NAN;
    bool ended = false, started = false;
    int read_err = 0;

    while (!ended) {
        int ret = av_read_frame(p->fmt, p->pkt);
        if (ret == AVERROR(EAGAIN)) {
            if (on_interrupt(p))
                break;
            usleep(10000);
            continue;
        }
        if (ret < 0) {
            if (ret != AVERROR_EOF && !p->interrupted)
                read_err = ret;
            break;
        }
        if (p->pkt->stream_index != p->st->index) {
            av_packet_unref(p->pkt);
            continue;
        }
        int64_t now = cw_mono_ms();
        double t = packet_seconds(p->pkt, p->st->time_base);
        if (!started)
            p->first_wall_ms = now;
        started = true;
        if (isnan(t0) && !isnan(t))
            t0 = t;
        if ((!isnan(t) && (t - t0) * 1000.0 >= (double)sample_ms) ||
            now - p->first_wall_ms >= sample_ms || p->n >= STREAM_MAX_FRAMES) {
            av_packet_unref(p->pkt);
            break;
        }
        p->bytes += p->pkt->size;
        if (p->pkt->flags & AV_PKT_FLAG_CORRUPT)
            p->out->corrupt_packets++;
        if (add_packet(p, p->pkt, t, now) != 0) {
            av_packet_unref(p->pkt);
            return fail(p, "out of memory");
        }
        ended = on_interrupt(p) != 0;
    }
    if (finish_au(p) != 0)
        return fail(p, "out of memory");
    p->out->frames = (int)p->n;
    if (p->n == 0) {
        if (p->interrupted)
            return fail(p, "no media within %lld ms", (long long)req->deadline_ms);
        if (read_err != 0)
            return fail(p, "read failed: %s", av_err2str(read_err));
        return fail(p, "no media: stream ended before any video packet");
    }
    if (p->interrupted)
        return fail(p, "deadline after %lld ms (%zu frames read)", (long long)req->deadline_ms,
                    p->n);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nominal frame interval: the median of the forward steps between timestamps, which gaps
 * and jitter do not move; else the stream's declared rate; else 0 (unknown). */
static double nominal_interval(const struct probe *p)
{
    double *d = malloc(p->n * sizeof(*d));
    size_t nd = 0;
    double prev = NAN, iv = 0;

    if (d != NULL) {
        for (size_t i = 0; i < p->n; i++) {
            double t = p->frames[i].t;
            if (isnan(t))
                continue;
            if (!isnan(prev) && t > prev)
                d[nd++] = t - prev;
            prev = t;
        }
        if (nd >= 2) {
            qsort(d, nd, sizeof(*d), cmp_double);
            iv = d[nd / 2];
        }
        free(d);
    }
    if (iv <= 0) {
        AVRational r = p->st->avg_frame_rate.num > 0 ? p->st->avg_frame_rate : p->st->r_frame_rate;
        double fps = r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
        if (fps > 0 && fps <= STREAM_MAX_FPS)
            iv = 1.0 / fps;
    }
    return iv;
}

/* Mean keyframe and inter-frame sizes, and the smallest steady inter frame: the first
 * STREAM_SETTLE_FRAMES after a keyframe are left out of that smallest, as an encoder's rate
 * control settles there (libx264 CRF on a still picture: 38 and 44 bytes, then 48 bytes every
 * frame to the next keyframe), unless no other inter frame was read. */
static void measure_sizes(struct probe *p)
{
    struct stream_sample *o = p->out;
    double key_sum = 0, inter_sum = 0;
    int keys = 0, min_all = 0, min_steady = -1;
    long since_key = STREAM_SETTLE_FRAMES; /* frames before the first keyframe: mid-GOP */

    for (size_t i = 0; i < p->n; i++) {
        const struct frame_rec *f = &p->frames[i];
        if (f->key) {
            key_sum += f->size;
            keys++;
            since_key = 0;
            continue;
        }
        inter_sum += f->size;
        if (o->inter_frames == 0 || f->size < min_all)
            min_all = f->size;
        if (++since_key > STREAM_SETTLE_FRAMES && (min_steady < 0 || f->size < min_steady))
            min_steady = f->size;
        o->inter_frames++;
    }
    o->key_bytes = keys > 0 ? key_sum / keys : 0;
    o->inter_bytes = o->inter_frames > 0 ? inter_sum / o->inter_frames : 0;
    o->inter_min_bytes = min_steady >= 0 ? min_steady : min_all;
}

static void measure_timeline(struct probe *p)
{
    struct stream_sample *o = p->out;
    double iv = nominal_interval(p);
    double prev = NAN, tmin = NAN, tmax = NAN;
    size_t known = 0;
    long first_key = -1, last_key = -1;

    for (size_t i = 0; i < p->n; i++) {
        const struct frame_rec *f = &p->frames[i];
        if (f->key) {
            if (first_key < 0)
                first_key = (long)i;
            last_key = (long)i;
        }
        if (isnan(f->t))
            continue;
        known++;
        tmin = isnan(tmin) || f->t < tmin ? f->t : tmin;
        tmax = isnan(tmax) || f->t > tmax ? f->t : tmax;
        if (!isnan(prev)) {
            double gap = f->t - prev;
            if (gap < 0) {
                o->ts_backwards++;
            } else if (iv > 0) {
                if (gap > STREAM_JUMP_INTERVALS * iv)
                    o->ts_jumps++;
                if (gap > STREAM_LOSS_INTERVALS * iv)
                    o->lost_frames += (int)lround(gap / iv) - 1;
            }
        }
        prev = f->t;
    }

    if (known >= 2 && tmax > tmin)
        o->fps = (double)(known - 1) / (tmax - tmin);
    /* the window holds n frame intervals (the last frame lasts one too) */
    double window_s = o->fps > 0 ? (double)p->n / o->fps : 0;
    if (window_s <= 0)
        window_s = (double)(cw_mono_ms() - p->first_wall_ms) / 1000.0;
    if (window_s > 0)
        o->bitrate_kbps = (double)p->bytes * 8.0 / window_s / 1000.0;

    o->first_key_ms = -1;
    if (first_key >= 0) {
        double tk = p->frames[first_key].t, tf = p->frames[0].t;
        if (!isnan(tk) && !isnan(tf))
            o->first_key_ms = llround((tk - tf) * 1000.0);
        else
            o->first_key_ms = p->first_key_wall_ms - p->first_wall_ms;
    }
    measure_sizes(p);
    if (o->keyframes >= 2) {
        o->gop_frames = (double)(last_key - first_key) / (o->keyframes - 1);
        double a = p->frames[first_key].t, b = p->frames[last_key].t;
        if (!isnan(a) && !isnan(b) && b > a)
            o->gop_s = (b - a) / (o->keyframes - 1);
        else if (o->fps > 0)
            o->gop_s = o->gop_frames / o->fps;
    }
}

/* An 8-bit luma plane of f: plane 0 itself for 8-bit YUV and gray formats, else a GRAY8
 * conversion into *owned (av_free it). Returns 0 or -1. */
static int luma_plane(const AVFrame *f, uint8_t **owned, const uint8_t **plane, int *stride)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    *owned = NULL;
    if (d != NULL && !(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) &&
        d->comp[0].plane == 0 && d->comp[0].step == 1 && d->comp[0].depth == 8 &&
        d->comp[0].shift == 0 && d->comp[0].offset == 0 && f->linesize[0] > 0) {
        *plane = f->data[0];
        *stride = f->linesize[0];
        return 0;
    }
    struct SwsContext *sws = sws_getContext(f->width, f->height, f->format, f->width, f->height,
                                            AV_PIX_FMT_GRAY8, SWS_POINT, NULL, NULL, NULL);
    if (sws == NULL)
        return -1;
    int ls = FFALIGN(f->width, 32);
    uint8_t *buf = av_malloc((size_t)ls * (size_t)f->height);
    if (buf == NULL) {
        sws_freeContext(sws);
        return -1;
    }
    uint8_t *dst[4] = {buf, NULL, NULL, NULL};
    int dstls[4] = {ls, 0, 0, 0};
    sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dstls);
    sws_freeContext(sws);
    *owned = buf;
    *plane = buf;
    *stride = ls;
    return 0;
}

static void measure_picture(struct probe *p)
{
    const AVFrame *f = p->last_key;
    uint8_t *owned = NULL;
    const uint8_t *plane;
    int stride;
    struct picture_stats ps;

    if (f->width < 9 || f->height < 8)
        return;
    if (luma_plane(f, &owned, &plane, &stride) != 0)
        return;
    picture_measure(plane, f->width, f->height, stride, &ps);
    av_free(owned);
    p->out->has_picture = 1;
    p->out->luma_mean = ps.luma_mean;
    p->out->luma_spread = ps.luma_spread;
    p->out->sharpness = ps.sharpness;
    p->out->phash = ps.phash;
}

/* Write data to path: its folders made, through a temporary and a rename (util/file.h), so a
 * reader never sees half a picture and nothing is written through a planted name. */
static int write_atomic(const char *path, const uint8_t *data, size_t len)
{
    struct cw_err err;

    return cw_mkdirs(path, 1, &err) == 0
               ? cw_file_write_unsynced(path, data, len, CW_FILE_MODE, &err)
               : -1;
}

/* Scale src to width (keeping the aspect, even sizes) and encode it as a baseline JPEG with
 * libavcodec's mjpeg encoder into *pkt. Returns 0 or a negative AVERROR. */
static int encode_thumb(const AVFrame *src, int width, AVPacket *pkt)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *enc = NULL;
    AVFrame *dst = NULL;
    struct SwsContext *sws = NULL;
    int ret = AVERROR(ENOMEM);

    width = width > 0 ? width : STREAM_THUMB_DEFAULT_WIDTH;
    width = (width + 1) & ~1;
    int height = (int)lround((double)width * src->height / src->width);
    height = height < 2 ? 2 : (height + 1) & ~1;
    if (codec == NULL)
        return AVERROR_ENCODER_NOT_FOUND;

    enc = avcodec_alloc_context3(codec);
    dst = av_frame_alloc();
    if (enc == NULL || dst == NULL)
        goto fail;
    enc->width = width;
    enc->height = height;
    enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    enc->color_range = AVCOL_RANGE_JPEG;
    enc->time_base = (AVRational){1, 25};
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * STREAM_THUMB_QSCALE;
    enc->thread_count = 1;
    if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
        goto fail;

    dst->format = AV_PIX_FMT_YUVJ420P;
    dst->width = width;
    dst->height = height;
    dst->color_range = AVCOL_RANGE_JPEG;
    if ((ret = av_frame_get_buffer(dst, 0)) < 0)
        goto fail;
    sws = sws_getContext(src->width, src->height, src->format, width, height, AV_PIX_FMT_YUVJ420P,
                         SWS_AREA, NULL, NULL, NULL);
    if (sws == NULL) {
        ret = AVERROR(EINVAL);
        goto fail;
    }
    if (src->color_range == AVCOL_RANGE_JPEG) {
        /* full-range sources flagged only in the bitstream, not by a YUVJ format */
        int *inv, *tbl, srcr, dstr, bri, con, sat;
        if (sws_getColorspaceDetails(sws, &inv, &srcr, &tbl, &dstr, &bri, &con, &sat) >= 0)
            sws_setColorspaceDetails(sws, inv, 1, tbl, dstr, bri, con, sat);
    }
    sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height, dst->data,
              dst->linesize);
    dst->pts = 0;
    dst->quality = enc->global_quality;
    if ((ret = avcodec_send_frame(enc, dst)) < 0)
        goto fail;
    if ((ret = avcodec_send_frame(enc, NULL)) < 0)
        goto fail;
    ret = avcodec_receive_packet(enc, pkt);
fail:
    sws_freeContext(sws);
    av_frame_free(&dst);
    avcodec_free_context(&enc);
    return ret < 0 ? ret : 0;
}

static void write_thumb(struct probe *p)
{
    const struct stream_request *req = p->req;
    AVPacket *pkt = av_packet_alloc();

    if (pkt == NULL)
        return;
    if (encode_thumb(p->last_key, req->thumb_width, pkt) == 0 &&
        write_atomic(req->thumb_path, pkt->data, (size_t)pkt->size) == 0)
        p->out->thumb_written = 1;
    av_packet_free(&pkt);
}

static void probe_free(struct probe *p)
{
    if (p->fmt != NULL) {
        /* let the close send its TEARDOWN even when the deadline already fired */
        int64_t grace = cw_mono_ms() + STREAM_CLOSE_GRACE_MS;
        if (p->deadline_at < grace)
            p->deadline_at = grace;
        avformat_close_input(&p->fmt);
    }
    avcodec_free_context(&p->dec);
    av_packet_free(&p->pkt);
    av_packet_free(&p->au);
    av_frame_free(&p->frame);
    av_frame_free(&p->last_key);
    free(p->frames);
}

int stream_probe_run(const struct stream_request *req, struct stream_sample *out)
{
    struct probe pr = {.req = req, .out = out};
    struct probe *p = &pr;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    out->first_key_ms = -1;
    p->start_ms = cw_mono_ms();
    p->deadline_at =
        p->start_ms + (req->deadline_ms > 0 ? req->deadline_ms : STREAM_DEFAULT_DEADLINE_MS);

    p->pkt = av_packet_alloc();
    p->frame = av_frame_alloc();
    p->last_key = av_frame_alloc();
    p->au = av_packet_alloc();
    if (p->pkt == NULL || p->frame == NULL || p->last_key == NULL || p->au == NULL) {
        fail(p, "out of memory");
        goto fail;
    }
    if (open_input(p) != 0 || pick_stream(p) != 0)
        goto fail;
    open_decoder(p);
    if (read_window(p) != 0) {
        if (p->n > 0)
            measure_timeline(p); /* what was read before the deadline is still worth keeping */
        goto fail;
    }
    decode_key(p, NULL); /* flush: a decoder may hold back the newest keyframe */
    measure_timeline(p);
    if (p->last_key->data[0] != NULL) {
        out->width = p->last_key->width;
        out->height = p->last_key->height;
        if (!p->last_key_bad) /* the thumbnail shows it all the same: what the camera sends */
            measure_picture(p);
        if (req->thumb_path[0] != '\0')
            write_thumb(p);
    }
    out->ok = 1;
    rc = 0;
fail:
    probe_free(p);
    out->elapsed_ms = cw_mono_ms() - p->start_ms;
    return rc;
}
