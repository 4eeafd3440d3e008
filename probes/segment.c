/* segment.c - one segment file read with libavformat (segment.h). Owns, for the call, the
 * format context; nothing survives it. Any thread.
 *   stat -> open (whitelisted formats, local files only, interruptible) -> stream facts
 *   -> duration: the header's, or the first and last packets' timestamps
 *   -> MP4: the last sample must lie inside the file (else truncated) -> close
 * A file that cannot be read is not an error of the scan: it is a segment with a reason. */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cwtime.h"

#define SEGMENT_PROBESIZE (2 * 1024 * 1024)  /* bytes read to find the codec's parameters */
#define SEGMENT_ANALYZE_US (2 * 1000 * 1000) /* and the most of the stream read for them */

static int on_interrupt(void *opaque)
{
    const atomic_int *cancel = opaque;

    return cancel != NULL && atomic_load(cancel) != 0;
}

/* The box type at bytes 4..8 of the file: "ftyp" for MP4/MOV. */
static int starts_with_ftyp(const char *path)
{
    char head[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;

    if (fd < 0)
        return 0;
    ok = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) && memcmp(head + 4, "ftyp", 4) == 0;
    close(fd);
    return ok;
}

/* Why avformat_open_input refused path, in words a person can act on. */
static void open_failure(const char *path, int rc, const atomic_int *cancel,
                         struct segment_info *out)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";

    if (on_interrupt((void *)cancel)) {
        snprintf(out->reason, sizeof(out->reason), "cancelled");
    } else if (rc == AVERROR_INVALIDDATA && starts_with_ftyp(path)) {
        snprintf(out->reason, sizeof(out->reason),
                 "truncated MP4: no moov atom (the recording was cut off, or is still being "
                 "written)");
    } else if (rc == AVERROR_INVALIDDATA) {
        snprintf(out->reason, sizeof(out->reason), "not a readable MP4, MPEG-TS or Matroska file");
    } else {
        av_strerror(rc, msg, sizeof(msg));
        snprintf(out->reason, sizeof(out->reason), "cannot read: %s", msg);
    }
}

void segment_container_name(const char *demuxer, char *buf, size_t len)
{
    if (strstr(demuxer, "mp4") != NULL || strstr(demuxer, "mov") != NULL)
        snprintf(buf, len, "mp4");
    else if (strstr(demuxer, "matroska") != NULL)
        snprintf(buf, len, "matroska");
    else
        snprintf(buf, len, "%.15s", demuxer);
}

/* The span of stream si's timestamps: from its start to the end of its last packet, read from
 * the end of the file (a seek to the last keyframe, else the whole file). */
static int64_t read_span_ms(AVFormatContext *ic, int si)
{
    AVStream *st = ic->streams[si];
    int64_t first = st->start_time, last = AV_NOPTS_VALUE;
    AVPacket *pkt = av_packet_alloc();

    if (pkt == NULL)
        return 0;
    if (av_seek_frame(ic, si, INT64_MAX, AVSEEK_FLAG_BACKWARD) < 0)
        av_seek_frame(ic, si, first != AV_NOPTS_VALUE ? first : 0, AVSEEK_FLAG_BACKWARD);
    while (av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index == si && pkt->pts != AV_NOPTS_VALUE) {
            int64_t end = pkt->pts + (pkt->duration > 0 ? pkt->duration : 0);
            if (last == AV_NOPTS_VALUE || end > last)
                last = end;
            if (first == AV_NOPTS_VALUE || pkt->pts < first)
                first = pkt->pts;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (first == AV_NOPTS_VALUE || last == AV_NOPTS_VALUE || last <= first)
        return 0;
    return av_rescale_q(last - first, st->time_base, (AVRational){1, 1000});
}

/* The duration: the header's when it has one, else from the timestamps. analysed: whether
 * avformat_find_stream_info ran (only then does libavformat say how it got the duration). */
static void find_duration(AVFormatContext *ic, int si, int analysed, struct segment_info *out)
{
    if (ic->duration != AV_NOPTS_VALUE && ic->duration > 0 &&
        (!analysed || ic->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE)) {
        out->duration_ms = ic->duration / 1000;
        out->duration_from = analysed && ic->duration_estimation_method == AVFMT_DURATION_FROM_PTS
                                 ? SEGMENT_DURATION_TIMESTAMPS
                                 : SEGMENT_DURATION_CONTAINER;
        return;
    }
    out->duration_ms = read_span_ms(ic, si);
    out->duration_from = out->duration_ms > 0 ? SEGMENT_DURATION_TIMESTAMPS : SEGMENT_DURATION_NONE;
}

/* MP4 keeps its sample table in moov: a file cut after it lists samples past its end. */
static int mp4_cut_short(AVStream *st, int64_t size, char *reason, size_t len)
{
    int n = avformat_index_get_entries_count(st);
    const AVIndexEntry *e = n > 0 ? avformat_index_get_entry(st, n - 1) : NULL;

    if (e == NULL || e->pos + e->size <= size)
        return 0;
    snprintf(reason, len, "truncated MP4: its samples run to byte %lld, the file ends at %lld",
             (long long)(e->pos + e->size), (long long)size);
    return 1;
}

static int open_segment(const char *path, const atomic_int *cancel, AVFormatContext **out)
{
    AVFormatContext *ic = avformat_alloc_context();
    AVDictionary *opts = NULL;
    int rc;

    *out = NULL;
    if (ic == NULL)
        return AVERROR(ENOMEM);
    ic->interrupt_callback.callback = on_interrupt;
    ic->interrupt_callback.opaque = (void *)cancel;
    ic->probesize = SEGMENT_PROBESIZE;
    ic->max_analyze_duration = SEGMENT_ANALYZE_US;
    av_dict_set(&opts, "format_whitelist", SEGMENT_FORMATS, 0);
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    rc = avformat_open_input(&ic, path, NULL, &opts); /* frees ic on failure */
    av_dict_free(&opts);
    if (rc == 0)
        *out = ic;
    return rc;
}

int segment_probe(const char *path, const atomic_int *cancel, struct segment_info *out)
{
    AVFormatContext *ic = NULL;
    const AVDictionaryEntry *ct;
    AVCodecParameters *par;
    struct stat sb;
    int rc, si, analysed = 0;

    memset(out, 0, sizeof(*out));
    if (stat(path, &sb) != 0) {
        snprintf(out->reason, sizeof(out->reason), "cannot read: %s", strerror(errno));
        return 1;
    }
    if (sb.st_size == 0) {
        snprintf(out->reason, sizeof(out->reason), "empty file");
        return 1;
    }
    if ((rc = open_segment(path, cancel, &ic)) < 0) {
        open_failure(path, rc, cancel, out);
        return 1;
    }
    segment_container_name(ic->iformat->name, out->container, sizeof(out->container));
    si = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    /* MPEG-TS names its codec in the PMT but the size only in the stream: analyse it. */
    if ((si < 0 || ic->streams[si]->codecpar->width == 0) &&
        avformat_find_stream_info(ic, NULL) >= 0) {
        analysed = 1;
        si = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    }
    if (si < 0) {
        snprintf(out->reason, sizeof(out->reason), "no video stream");
        goto unreadable;
    }
    par = ic->streams[si]->codecpar;
    snprintf(out->codec, sizeof(out->codec), "%s", avcodec_get_name(par->codec_id));
    out->width = par->width;
    out->height = par->height;
    out->audio = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0) >= 0;
    if ((ct = av_dict_get(ic->metadata, "creation_time", NULL, 0)) != NULL &&
        cw_parse_iso_utc(ct->value, &out->creation_ms) == 0)
        out->has_creation = 1;
    if (strcmp(out->container, "mp4") == 0 &&
        mp4_cut_short(ic->streams[si], (int64_t)sb.st_size, out->reason, sizeof(out->reason)))
        goto unreadable;
    find_duration(ic, si, analysed, out);
    if (on_interrupt((void *)cancel)) {
        snprintf(out->reason, sizeof(out->reason), "cancelled");
        goto unreadable;
    }
    if (out->duration_ms <= 0) {
        snprintf(out->reason, sizeof(out->reason), "no video packets with timestamps");
        goto unreadable;
    }
    out->readable = 1;
    avformat_close_input(&ic);
    return 0;
unreadable:
    out->duration_from = SEGMENT_DURATION_NONE;
    out->duration_ms = 0;
    avformat_close_input(&ic);
    return 1;
}
