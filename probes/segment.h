/* segment.h - one recorder segment file read with libavformat: whether it can be read (and
 * why not), its container, video codec and size, its duration and, when the container says
 * it, when it began. Only what the header and the last packets say: no frame is decoded
 * beyond what libavformat needs for the codec's parameters. Any thread (libavformat's open
 * and read are thread-safe); the caller owns nothing after the call. */
#ifndef CW_SEGMENT_H
#define CW_SEGMENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SEGMENT_REASON_MAX 160

/* Where a duration came from. */
enum segment_duration_from {
    SEGMENT_DURATION_NONE,       /* not known: an unreadable file */
    SEGMENT_DURATION_CONTAINER,  /* the header's (MP4 moov, Matroska Info) */
    SEGMENT_DURATION_TIMESTAMPS, /* the first and last packets' timestamps (MPEG-TS, a
                                    Matroska file whose writer never set its Duration) */
};

struct segment_info {
    int readable;
    char reason[SEGMENT_REASON_MAX]; /* why not readable: "empty file", "truncated MP4: ..." */
    char container[16];              /* "mp4", "mpegts", "matroska", "" when unreadable */
    char codec[16];                  /* video: "h264", "hevc", ... */
    int width, height;               /* 0 when unknown */
    int64_t duration_ms;             /* 0 when unknown */
    enum segment_duration_from duration_from;
    int has_creation;    /* the container names its creation time */
    int64_t creation_ms; /* that time, UTC epoch ms */
    int audio;           /* an audio stream is there too */
};

/* Read the segment at path. Only files in MP4/MOV, MPEG-TS or Matroska/WebM are opened, and
 * only as local files: a file that would make libavformat open anything else (a playlist, a
 * concat list) is unreadable. cancel (may be NULL) set to non-zero stops at once (reason
 * "cancelled"). Always fills *out; returns 0 when readable, 1 when not. */
int segment_probe(const char *path, const atomic_int *cancel, struct segment_info *out);

/* libavformat's names of the containers segment_probe opens, for AVFormatContext
 * format_whitelist (the export opens the same files). */
#define SEGMENT_FORMATS "mov,mp4,m4a,3gp,3g2,mj2,mpegts,matroska,webm"

/* The container's name as segment_info has it ("mp4", "mpegts", "matroska") from libavformat's
 * demuxer name (AVInputFormat name: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", ...). */
void segment_container_name(const char *demuxer, char *buf, size_t len);

#endif
