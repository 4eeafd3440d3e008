/* remux.h - one camera's footage over a time range as one MP4, remuxed with libavformat from
 * the segment files that cover it: stream copy (never re-encoding), starting at the keyframe at
 * or before the range's start, timestamps continuous across segments that follow each other
 * and jumping over a gap by its length (so the file's timeline is the recorder's), cut at the
 * range's end. The output carries no wall-clock metadata (bitexact, no creation time), so the
 * same inputs give the same bytes. Blocking: a worker thread or the CLI. */
#ifndef CW_REMUX_H
#define CW_REMUX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define REMUX_NOTE_MAX 256
#define REMUX_JUMPS_MAX 64 /* gaps recorded in a result; more are counted */

struct remux_input {
    const char *path;
    int64_t start_ms; /* wall-clock start as the index has it */
    int64_t end_ms;
    /* Its container ("mp4", "mpegts", "matroska": segment.h's names) and video codec as the
     * index has them; NULL or "": not checked. A file that reads as another is not the file
     * indexed (REMUX_OTHER_CONTAINER, REMUX_OTHER_CODEC). */
    const char *container, *codec;
};

/* What became of one input. One that cannot be used is skipped and the run goes on with the
 * next (the hole it leaves is a jump like any other): a recorder overwrites its oldest files,
 * and what is left must still be delivered. */
enum remux_use {
    REMUX_NOT_READ = 0,    /* not opened: before the start, or after the end was reached */
    REMUX_USED,            /* some of its packets are in the output */
    REMUX_NO_KEYFRAME,     /* read for the start: no keyframe in the range */
    REMUX_GONE,            /* could not be opened (errnum says why) */
    REMUX_UNREADABLE,      /* opened, but not a video file libavformat reads */
    REMUX_OTHER_CODEC,     /* a video codec other than the output's, or than the index's */
    REMUX_REFUSED,         /* the caller's opened() refused it */
    REMUX_OTHER_CONTAINER, /* a container other than the index's */
};

struct remux_used {
    enum remux_use use;
    int errnum; /* REMUX_GONE: open's errno */
};

struct remux_request {
    const struct remux_input *in; /* readable segments overlapping the range, by start */
    size_t n;
    int64_t from_ms, to_ms;
    int64_t tolerance_ms; /* segments this close follow each other; further apart, a gap */
    int out_fd;           /* a seekable file open for writing (the caller's temporary) */
    const atomic_int *cancel;
    /* Called now and then with the bytes of input read so far and in all. */
    void (*progress)(void *data, int64_t done, int64_t total);
    void *progress_data;
    /* Called (may be NULL) with input k open as fd, read-only, before anything is read of it:
     * the bytes the remux reads are those of this open file, whatever happens to its path, and
     * only its first size bytes (its size when opened: a file still being written is read up
     * to there, whatever is appended while it is read). It may read fd (the remux reads from
     * the start after it). Returns 0 to use the input, 1 to skip it (REMUX_REFUSED), -1 to stop
     * the run (cancelled). */
    int (*opened)(void *data, size_t k, int fd, int64_t size);
    void *opened_data;
    struct remux_used *used; /* n of them, filled; may be NULL */
};

struct remux_result {
    int delivered;                  /* a file with at least one keyframe was written */
    int64_t from_ms, to_ms;         /* what it covers, wall clock */
    char codec[16];                 /* video */
    int width, height, streams;     /* streams in the output (video, and audio when there) */
    int64_t packets, bytes_written; /* of the output */
    size_t inputs_read;
    struct {
        int64_t from_ms, to_ms;
    } jumps[REMUX_JUMPS_MAX]; /* gaps crossed */
    size_t n_jumps;
    char note[REMUX_NOTE_MAX]; /* why it stopped short of the range, "" when it did not */
    int output_failed;         /* -1 returned because the output could not be written */
};

/* Remux rq into rq->out_fd. Returns 0 with *res filled (delivered 0 when no input gave a
 * keyframe inside the range; inputs that could not be used skipped, rq->used says which and
 * why), or -1 with res->note saying why the output is not to be used: cancelled, or it could
 * not be written (a write error, the disk full; res->output_failed then, and whatever is in
 * out_fd is not a whole file). */
int remux_run(const struct remux_request *rq, struct remux_result *res);

#endif
