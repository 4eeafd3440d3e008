/* stream.h - one stream sample: open a camera with libavformat over
 * RTSP/TCP, read packets of the first video stream for a sample window, and
 * measure frame rate, bitrate, keyframe interval and timestamp faults;
 * decode keyframes only (libavcodec) for picture health and a JPEG
 * thumbnail of the last one. Blocking: worker threads only, never the loop.
 * An interrupt callback enforces the deadline on every blocking call. */
#ifndef CW_STREAM_H
#define CW_STREAM_H

#include <stdatomic.h>
#include <stdint.h>

#define STREAM_URL_MAX 1024
#define STREAM_PATH_MAX 1024

struct stream_request {
    char url[STREAM_URL_MAX]; /* rtsp://..., without credentials */
    char username[128];       /* "" when none */
    char password[128];
    int64_t sample_ms;                /* how long to read once the first packet came */
    int64_t deadline_ms;              /* bound on the whole probe: open, first packet, sample */
    char thumb_path[STREAM_PATH_MAX]; /* write the last keyframe here as JPEG; "" for none */
    int thumb_width;                  /* thumbnail width in pixels, height keeps the aspect */
    const atomic_int *cancel;         /* when set and non-zero, stop at once (daemon shutdown) */
};

struct stream_sample {
    int ok;          /* media was read; else error says why */
    char error[256]; /* "no media within 10000 ms", "open failed: 401 Unauthorized", ...; when
                        ok, "" or a note on why there is no picture ("decoder: ...") */
    int64_t elapsed_ms;
    char codec[16];    /* "h264", "h265", "mjpeg", ... */
    int width, height; /* of the decoded keyframe, else as the stream declares (may be 0) */
    int frames, keyframes;
    double fps;           /* measured from packet timestamps over the window */
    double bitrate_kbps;  /* payload bits over the window */
    double gop_frames;    /* mean frames between keyframes; 0 with fewer than 2 keyframes */
    double gop_s;         /* the same in seconds */
    int64_t first_key_ms; /* from the first packet to the first keyframe, -1 when none */
    int ts_jumps;         /* forward timestamp gaps over 3 frame intervals */
    int ts_backwards;     /* timestamps that went back */
    int corrupt_packets;  /* AV_PKT_FLAG_CORRUPT, or rejected by the decoder */
    int lost_frames;      /* frames missing by timestamp gaps, where the rate is known */
    /* Frame sizes (access units as received, parameter sets included): what an encoder sends
     * between keyframes tells a frozen source (near-empty frames) from a quiet live scene. */
    double key_bytes;    /* mean size of a keyframe, 0 when none */
    int inter_frames;    /* frames that are not keyframes */
    double inter_bytes;  /* their mean size, 0 when none */
    int inter_min_bytes; /* the smallest of them, past the first two after each keyframe (rate
                            control settles there): an encoder's frame that says nothing
                            changed, when it sent one */
    int has_picture;     /* a keyframe was decoded: the fields below are set */
    double luma_mean, luma_spread, sharpness;
    uint64_t phash;
    int thumb_written; /* the JPEG is at request.thumb_path */
};

/* Run one sample. Always fills *out; returns 0 when media was read, -1 otherwise (out->error
 * says why). Thread-safe; blocks up to request->deadline_ms plus a little. */
int stream_probe_run(const struct stream_request *req, struct stream_sample *out);

/* Call once per process before any worker runs stream_probe_run (network init, log level). */
void stream_global_init(void);

#endif
