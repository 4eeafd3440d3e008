/* remux.c - segments to one MP4 by stream copy (remux.h). Owns, for one run, the input and
 * output format contexts and the packets buffered while finding the start. Blocking.
 *
 *   each input: open(2) -> the caller's opened() -> libavformat reading that descriptor; one
 *   that cannot be opened, read or mapped (another codec) is skipped, said in rq->used
 *   first input with a keyframe in range: seek to the keyframe at or before from -> buffer
 *   from the last keyframe not after from until a video packet passes from -> write it
 *   every input: packets placed on the output timeline (below) until one reaches to
 *   next input: contiguous (within tolerance) -> follows the last packet; else a jump
 *   the output cannot be written: the run fails (a partial MP4 is not evidence)
 *
 * The timeline: output time 0 is the first keyframe written, whose wall-clock time is known
 * from its segment's start in the index. A segment contiguous with the one before continues
 * right after its last packet (no hole, no overlap, whatever the rounding of the names); one
 * after a gap starts at its wall-clock distance from time 0. Everything is in microseconds
 * until it is written. */
#include "remux.h"

#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "segment.h"

#define REMUX_IO_BUFFER 65536
#define REMUX_PROGRESS_EVERY (4 * 1024 * 1024) /* bytes of input between progress calls */
#define REMUX_START_BUFFER_MAX 4096            /* packets held while looking for the start */
#define US_Q ((AVRational){1, 1000000})

struct ostream {
    int in_index;     /* the input's stream feeding it */
    AVStream *st;     /* in the output */
    int64_t last_dts; /* in st's time base */
    int has_last;
};

struct run {
    const struct remux_request *rq;
    struct remux_result *res;
    AVFormatContext *oc;
    AVIOContext *io;
    unsigned char *iobuf;
    struct ostream os[2]; /* video, audio */
    int nos;
    enum AVCodecID vcodec, acodec;
    int64_t base_wall_ms; /* wall-clock time of output time 0 */
    int started;
    int64_t end_us;       /* output time just after the last video packet written */
    int64_t last_wall_ms; /* wall-clock end of what was written */
    int64_t read_bytes, total_bytes, next_progress;
};

/* ---- the output file ---- */

static int write_cb(void *opaque, uint8_t *buf, int len)
{
    int fd = *(int *)opaque, done = 0;

    while (done < len) {
        ssize_t n = write(fd, buf + done, (size_t)(len - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return AVERROR(errno);
        if (n == 0)
            return AVERROR(EIO);
        done += (int)n;
    }
    return len;
}

static int64_t seek_cb(void *opaque, int64_t offset, int whence)
{
    int fd = *(int *)opaque;
    struct stat sb;

    if (whence == AVSEEK_SIZE)
        return fstat(fd, &sb) == 0 ? (int64_t)sb.st_size : -1;
    return lseek(fd, (off_t)offset, whence & ~AVSEEK_FORCE);
}

static int note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct run *r, const char *fmt, ...)
{
    va_list ap;

    if (r->res->note[0] != '\0')
        return -1; /* the first reason stands */
    va_start(ap, fmt);
    vsnprintf(r->res->note, sizeof(r->res->note), fmt, ap);
    va_end(ap);
    return -1;
}

static int averr(struct run *r, const char *what, int rc)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];

    if (r->rq->cancel != NULL && atomic_load(r->rq->cancel))
        return note(r, "cancelled");
    av_strerror(rc, msg, sizeof(msg));
    return note(r, "%s: %s", what, msg);
}

/* The output could not be written: whatever is in it is not a whole file. */
static int out_failed(struct run *r, const char *what, int rc)
{
    r->res->output_failed = 1;
    r->res->note[0] = '\0'; /* this reason stands over any other */
    return averr(r, what, rc);
}

/* The output's streams from the first input: its best video and best audio, copied. */
static int open_output(struct run *r, AVFormatContext *ic, int vi, int ai)
{
    int idx[2] = {vi, ai}, rc;

    if ((rc = avformat_alloc_output_context2(&r->oc, NULL, "mp4", NULL)) < 0)
        return averr(r, "output", rc);
    r->iobuf = av_malloc(REMUX_IO_BUFFER);
    if (r->iobuf == NULL)
        return note(r, "out of memory");
    r->io = avio_alloc_context(r->iobuf, REMUX_IO_BUFFER, 1, (void *)&r->rq->out_fd, NULL, write_cb,
                               seek_cb);
    if (r->io == NULL)
        return note(r, "out of memory");
    r->iobuf = NULL; /* the context owns it now */
    r->oc->pb = r->io;
    /* Evidence must not differ by when it was made: no encoder version string, no creation
     * time (the MP4 muxer writes 0 without one). */
    r->oc->flags |= AVFMT_FLAG_BITEXACT;
    for (int k = 0; k < 2; k++) {
        AVStream *in, *out;
        if (idx[k] < 0)
            continue;
        in = ic->streams[idx[k]];
        if ((out = avformat_new_stream(r->oc, NULL)) == NULL)
            return note(r, "out of memory");
        if ((rc = avcodec_parameters_copy(out->codecpar, in->codecpar)) < 0)
            return averr(r, "stream", rc);
        out->codecpar->codec_tag = 0;
        out->time_base = in->time_base;
        r->os[r->nos++] = (struct ostream){idx[k], out, 0, 0};
    }
    r->vcodec = ic->streams[vi]->codecpar->codec_id;
    r->acodec = ai >= 0 ? ic->streams[ai]->codecpar->codec_id : AV_CODEC_ID_NONE;
    snprintf(r->res->codec, sizeof(r->res->codec), "%s", avcodec_get_name(r->vcodec));
    r->res->width = ic->streams[vi]->codecpar->width;
    r->res->height = ic->streams[vi]->codecpar->height;
    r->res->streams = r->nos;
    if ((rc = avformat_write_header(r->oc, NULL)) < 0)
        return out_failed(r, "writing the output", rc);
    return 0;
}

/* ---- one input ---- */

struct input {
    int fd;          /* the open file read, or -1 */
    int64_t size;    /* its size when opened: nothing after is read */
    int64_t pos;     /* where fd stands */
    AVIOContext *io; /* reading fd */
    AVFormatContext *ic;
    int vi, ai;       /* best video and audio */
    int map[2];       /* output stream of vi, ai; -1 none */
    int64_t ref_us;   /* the input's first video timestamp */
    int64_t shift_us; /* input time + shift = output time */
    int64_t wall_ms;  /* its start in the index */
};

static int interrupt_cb(void *opaque)
{
    const atomic_int *cancel = opaque;

    return cancel != NULL && atomic_load(cancel) != 0;
}

/* An input's bytes up to its size when opened (bytes appended since are not read: what was
 * read is what the caller hashed). */
static int read_cb(void *opaque, uint8_t *buf, int len)
{
    struct input *in = opaque;

    if (in->size - in->pos < len)
        len = (int)(in->size - in->pos);
    if (len <= 0)
        return AVERROR_EOF;
    for (;;) {
        ssize_t n = read(in->fd, buf, (size_t)len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return AVERROR(errno);
        if (n == 0)
            return AVERROR_EOF;
        in->pos += n;
        return (int)n;
    }
}

static int64_t input_seek_cb(void *opaque, int64_t offset, int whence)
{
    struct input *in = opaque;
    off_t at;

    if (whence == AVSEEK_SIZE)
        return in->size;
    whence &= ~AVSEEK_FORCE;
    if (whence == SEEK_END) {
        offset += in->size;
        whence = SEEK_SET;
    }
    if ((at = lseek(in->fd, (off_t)offset, whence)) < 0)
        return AVERROR(errno);
    in->pos = (int64_t)at;
    return in->pos;
}

static void set_use(struct run *r, size_t k, enum remux_use use, int errnum)
{
    if (r->rq->used != NULL)
        r->rq->used[k] = (struct remux_used){use, errnum};
}

static int cancelled(const struct run *r)
{
    return r->rq->cancel != NULL && atomic_load(r->rq->cancel) != 0;
}

/* Open input k: 0 opened, 1 skipped (rq->used says why), -1 the run stops (note). */
static int open_input(struct run *r, size_t k, struct input *in)
{
    const struct remux_input *ri = &r->rq->in[k];
    AVDictionary *opts = NULL;
    unsigned char *buf;
    char container[16];
    struct stat sb;
    int rc;

    memset(in, 0, sizeof(*in));
    in->map[0] = in->map[1] = -1;
    in->wall_ms = ri->start_ms;
    if ((in->fd = open(ri->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in->fd, &sb) != 0) {
        set_use(r, k, REMUX_GONE, errno);
        return 1;
    }
    in->size = (int64_t)sb.st_size;
    if (r->rq->opened != NULL &&
        (rc = r->rq->opened(r->rq->opened_data, k, in->fd, in->size)) != 0) {
        if (rc < 0)
            return note(r, "cancelled");
        set_use(r, k, REMUX_REFUSED, 0);
        return 1;
    }
    if (lseek(in->fd, 0, SEEK_SET) != 0) {
        set_use(r, k, REMUX_GONE, errno);
        return 1;
    }
    if ((buf = av_malloc(REMUX_IO_BUFFER)) == NULL)
        return note(r, "out of memory");
    if ((in->io = avio_alloc_context(buf, REMUX_IO_BUFFER, 0, in, read_cb, NULL, input_seek_cb)) ==
        NULL) {
        av_free(buf);
        return note(r, "out of memory");
    }
    if ((in->ic = avformat_alloc_context()) == NULL)
        return note(r, "out of memory");
    in->ic->pb = in->io;
    in->ic->interrupt_callback.callback = interrupt_cb;
    in->ic->interrupt_callback.opaque = (void *)r->rq->cancel;
    av_dict_set(&opts, "format_whitelist", SEGMENT_FORMATS, 0);
    rc = avformat_open_input(&in->ic, ri->path, NULL, &opts);
    av_dict_free(&opts);
    if (rc >= 0 && in->ic->nb_streams > 0 && in->ic->streams[0]->codecpar->width == 0 &&
        avformat_find_stream_info(in->ic, NULL) < 0)
        rc = AVERROR_INVALIDDATA;
    if (rc >= 0 && (in->vi = av_find_best_stream(in->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0)) < 0)
        rc = AVERROR_STREAM_NOT_FOUND;
    if (rc < 0) {
        if (cancelled(r))
            return note(r, "cancelled");
        set_use(r, k, REMUX_UNREADABLE, 0);
        return 1;
    }
    in->ai = av_find_best_stream(in->ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    segment_container_name(in->ic->iformat->name, container, sizeof(container));
    if (ri->container != NULL && ri->container[0] != '\0' &&
        strcmp(container, ri->container) != 0) {
        set_use(r, k, REMUX_OTHER_CONTAINER, 0);
        return 1;
    }
    if (ri->codec != NULL && ri->codec[0] != '\0' &&
        strcmp(avcodec_get_name(in->ic->streams[in->vi]->codecpar->codec_id), ri->codec) != 0) {
        set_use(r, k, REMUX_OTHER_CODEC, 0);
        return 1;
    }
    return 0;
}

/* Map the input's streams onto the output's: 0, or 1 when its video codec is another. */
static int map_input(struct run *r, struct input *in)
{
    if (in->ic->streams[in->vi]->codecpar->codec_id != r->vcodec)
        return 1;
    in->map[0] = 0;
    if (r->nos == 2 && in->ai >= 0 && in->ic->streams[in->ai]->codecpar->codec_id == r->acodec)
        in->map[1] = 1;
    return 0;
}

static void close_input(struct input *in)
{
    avformat_close_input(&in->ic);
    if (in->io != NULL) {
        av_freep(&in->io->buffer);
        avio_context_free(&in->io);
    }
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
}

/* Which output stream a packet goes to; -1 for none. */
static int out_of(const struct input *in, const AVPacket *p)
{
    if (p->stream_index == in->vi)
        return in->map[0];
    if (p->stream_index == in->ai)
        return in->map[1];
    return -1;
}

static int64_t us_of(const struct input *in, const AVPacket *p, int64_t ts)
{
    return av_rescale_q(ts, in->ic->streams[p->stream_index]->time_base, US_Q);
}

/* The packet's best time: pts, else dts. */
static int64_t when_us(const struct input *in, const AVPacket *p)
{
    return us_of(in, p, p->pts != AV_NOPTS_VALUE ? p->pts : p->dts);
}

/* Write p (input times) on the output timeline. DTS is kept rising per stream, in the output
 * stream's own units (an audio packet of the next segment may overlap the last of this one by
 * its encoder delay). */
static int write_packet(struct run *r, const struct input *in, AVPacket *p, int o)
{
    struct ostream *os = &r->os[o];
    AVRational tb = in->ic->streams[p->stream_index]->time_base, otb = os->st->time_base;
    int64_t pts_us = when_us(in, p) + in->shift_us;
    int64_t dts_us = us_of(in, p, p->dts != AV_NOPTS_VALUE ? p->dts : p->pts) + in->shift_us;
    int64_t dur_us = av_rescale_q(p->duration, tb, US_Q);
    int64_t dts = av_rescale_q(dts_us, US_Q, otb), pts = av_rescale_q(pts_us, US_Q, otb);
    int rc;

    if (os->has_last && dts <= os->last_dts)
        dts = os->last_dts + 1;
    if (pts < dts)
        pts = dts;
    os->last_dts = dts;
    os->has_last = 1;
    if (o == 0 && pts_us + dur_us > r->end_us)
        r->end_us = pts_us + dur_us;
    p->dts = dts;
    p->pts = pts;
    p->duration = av_rescale_q(dur_us, US_Q, otb);
    p->stream_index = os->st->index;
    p->pos = -1;
    r->res->packets++;
    if ((rc = av_interleaved_write_frame(r->oc, p)) < 0)
        return out_failed(r, "writing the output", rc);
    return 0;
}

/* ---- the start: the last keyframe at or before from ---- */

struct held {
    AVPacket *p[REMUX_START_BUFFER_MAX];
    size_t n;
};

static void held_clear(struct held *h)
{
    while (h->n > 0)
        av_packet_free(&h->p[--h->n]);
}

/* Read the first input until the start is found: returns 1 with the held packets (from the
 * start keyframe) written, 0 when the input ended first, -1 on error. */
static int find_start(struct run *r, struct input *in, AVPacket *p)
{
    int64_t target_us = in->ref_us + (r->rq->from_ms - in->wall_ms) * 1000;
    struct held h = {.n = 0};
    int have = 0, rc;

    if (target_us > in->ref_us)
        av_seek_frame(in->ic, in->vi,
                      av_rescale_q(target_us, US_Q, in->ic->streams[in->vi]->time_base),
                      AVSEEK_FLAG_BACKWARD);
    while ((rc = av_read_frame(in->ic, p)) >= 0) {
        int o = out_of(in, p), video = p->stream_index == in->vi;
        int64_t t = when_us(in, p);
        if (o < 0) {
            av_packet_unref(p);
            continue;
        }
        if (video && (p->flags & AV_PKT_FLAG_KEY) && (t <= target_us || !have)) {
            held_clear(&h);
            have = 1;
        }
        if (have && video && t > target_us && h.n > 0)
            break; /* past from with a keyframe held: the start is found */
        if (!have || h.n == REMUX_START_BUFFER_MAX || (h.p[h.n] = av_packet_clone(p)) == NULL) {
            av_packet_unref(p);
            continue;
        }
        h.n++;
        av_packet_unref(p);
    }
    if (!have || h.n == 0) {
        held_clear(&h);
        if (cancelled(r))
            return note(r, "cancelled");
        if (rc != AVERROR_EOF)
            note(r, "%s: read stopped: %s", in->ic->url, av_err2str(rc));
        return 0;
    }
    /* Output time 0 is the start keyframe. */
    in->shift_us = -when_us(in, h.p[0]);
    r->base_wall_ms = in->wall_ms + (when_us(in, h.p[0]) - in->ref_us) / 1000;
    r->started = 1;
    for (size_t i = 0; i < h.n; i++)
        if (write_packet(r, in, h.p[i], out_of(in, h.p[i])) != 0) {
            held_clear(&h);
            av_packet_unref(p);
            return -1;
        }
    held_clear(&h);
    /* p holds the packet that passed from: written by the caller's loop. */
    return 1;
}

/* ---- the run ---- */

static void progress(struct run *r, const AVPacket *p)
{
    r->read_bytes += p->size;
    if (r->rq->progress != NULL && r->read_bytes >= r->next_progress) {
        r->rq->progress(r->rq->progress_data, r->read_bytes, r->total_bytes);
        r->next_progress = r->read_bytes + REMUX_PROGRESS_EVERY;
    }
}

/* The input's reference time: its first video timestamp (the start of its own timeline). */
static void input_ref(struct input *in)
{
    AVStream *st = in->ic->streams[in->vi];

    in->ref_us =
        st->start_time != AV_NOPTS_VALUE ? av_rescale_q(st->start_time, st->time_base, US_Q) : 0;
}

/* Place input in on the output timeline after what was written. */
static void place_input(struct run *r, struct input *in)
{
    int64_t gap_ms = in->wall_ms - r->last_wall_ms;

    if (gap_ms <= r->rq->tolerance_ms) {
        in->shift_us = r->end_us - in->ref_us;
        return;
    }
    in->shift_us = (in->wall_ms - r->base_wall_ms) * 1000 - in->ref_us;
    if (r->res->n_jumps < REMUX_JUMPS_MAX) {
        r->res->jumps[r->res->n_jumps].from_ms = r->last_wall_ms;
        r->res->jumps[r->res->n_jumps].to_ms = in->wall_ms;
    }
    r->res->n_jumps++;
}

/* Copy input in's packets from where it stands until one reaches to_ms. Returns 1 when to_ms
 * was reached, 0 at the input's end, -1 on error. p may hold a packet already read. */
static int copy_input(struct run *r, struct input *in, AVPacket *p, int have_packet)
{
    int rc = 0;

    for (;;) {
        int o;
        if (!have_packet && (rc = av_read_frame(in->ic, p)) < 0)
            break;
        have_packet = 0;
        if (r->rq->cancel != NULL && atomic_load(r->rq->cancel)) {
            av_packet_unref(p);
            return note(r, "cancelled");
        }
        progress(r, p);
        if ((o = out_of(in, p)) >= 0) {
            int64_t wall_ms = r->base_wall_ms + (when_us(in, p) + in->shift_us) / 1000;
            if (wall_ms >= r->rq->to_ms && p->stream_index == in->vi) {
                av_packet_unref(p);
                return 1;
            }
            if (wall_ms < r->rq->to_ms && write_packet(r, in, p, o) != 0) {
                av_packet_unref(p);
                return -1;
            }
        }
        av_packet_unref(p);
    }
    if (rc != AVERROR_EOF && rc < 0 && !interrupt_cb((void *)r->rq->cancel))
        note(r, "%s: read stopped: %s", in->ic->url, av_err2str(rc));
    return interrupt_cb((void *)r->rq->cancel) ? note(r, "cancelled") : 0;
}

/* Every input in turn, skipping those that cannot be used. 0, or -1 when the run stops
 * (cancelled, the output failed, out of memory). */
static int run_inputs(struct run *r, AVPacket *p)
{
    for (size_t k = 0; k < r->rq->n; k++) {
        struct input in = {.fd = -1};
        int rc, have = 0;

        /* Before the start, a segment that ends before from while the next has begun by then
         * holds nothing wanted. */
        if (!r->started && r->rq->in[k].end_ms <= r->rq->from_ms && k + 1 < r->rq->n &&
            r->rq->in[k + 1].start_ms <= r->rq->from_ms)
            continue;
        if ((rc = open_input(r, k, &in)) != 0) {
            close_input(&in);
            if (rc < 0)
                return -1;
            continue; /* gone or changed since the scan: the next holds the rest */
        }
        input_ref(&in);
        if (!r->started && r->oc == NULL && open_output(r, in.ic, in.vi, in.ai) != 0) {
            close_input(&in);
            return -1;
        }
        if (map_input(r, &in) != 0) {
            set_use(r, k, REMUX_OTHER_CODEC, 0);
            close_input(&in);
            continue;
        }
        if (!r->started) {
            if ((rc = find_start(r, &in, p)) <= 0) {
                close_input(&in);
                if (rc < 0)
                    return -1;
                set_use(r, k, REMUX_NO_KEYFRAME, 0);
                continue; /* no keyframe in range here: try the next */
            }
            have = 1;
        } else {
            place_input(r, &in);
        }
        set_use(r, k, REMUX_USED, 0);
        r->res->inputs_read++;
        rc = copy_input(r, &in, p, have);
        r->last_wall_ms = r->base_wall_ms + r->end_us / 1000;
        close_input(&in);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    return 0;
}

int remux_run(const struct remux_request *rq, struct remux_result *res)
{
    struct run r = {.rq = rq, .res = res};
    AVPacket *p = av_packet_alloc();
    int rc, trailer;

    memset(res, 0, sizeof(*res));
    for (size_t k = 0; k < rq->n; k++) {
        struct stat sb;
        if (stat(rq->in[k].path, &sb) == 0)
            r.total_bytes += sb.st_size;
    }
    if (p == NULL) {
        note(&r, "out of memory");
        return -1;
    }
    rc = run_inputs(&r, p);
    av_packet_free(&p);
    if (r.oc != NULL && r.started && !res->output_failed) {
        trailer = av_write_trailer(r.oc);
        if (trailer < 0)
            rc = out_failed(&r, "writing the output's index", trailer);
    }
    if (r.io != NULL) {
        avio_flush(r.io);
        if (r.io->error < 0 && !res->output_failed)
            rc = out_failed(&r, "writing the output", r.io->error);
        res->bytes_written = avio_tell(r.io);
        av_freep(&r.io->buffer);
        avio_context_free(&r.io);
    }
    av_free(r.iobuf);
    avformat_free_context(r.oc);
    if (rc != 0)
        return -1; /* cancelled, the output failed, out of memory */
    res->delivered = r.started;
    if (r.started) {
        res->from_ms = r.base_wall_ms;
        res->to_ms = r.base_wall_ms + r.end_us / 1000;
        if (res->n_jumps > REMUX_JUMPS_MAX)
            res->n_jumps = REMUX_JUMPS_MAX;
    }
    return 0;
}
