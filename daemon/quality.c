/* quality.c - judge one stream sample against a camera's class: stream
 * faults (resolution, frame rate, bitrate, keyframe interval, timestamps),
 * picture faults (black, dark, over-exposed, blurred, frozen, moved) and
 * what the SDP claimed against what was measured. Each fault is a flag bit
 * and a reason worded for the person who must go and fix the camera.
 *
 * Owns nothing: the caller keeps a struct quality_memory per camera, which
 * carries the frozen run and the reference picture from sample to sample:
 *   inter frames not empty (live)          still_run = 0              quality_assess()
 *   empty, picture == last (<= 2 bits)     still_run++
 *   empty, picture != last or first        still_run = 1, run_since = now
 *   still_run >= class frozen_after        frozen since run_since (when lit)
 *   no reference, clean lit picture        reference = picture
 * Frozen takes both signals: a picture hash cannot tell a frozen encoder from
 * a quiet scene (an empty road at night), but the frames between keyframes
 * can: an encoder fed the same picture sends empty ones, a live scene does
 * not (sensor noise, a small moving object).
 * Deterministic, no I/O; loop thread only (times in reasons go through
 * cw_format_local, which sets TZ). */
#include "quality.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../probes/picture.h"
#include "../util/cwtime.h"

/* Two keyframes of an unchanged scene differ by a bit or two of the 64-bit hash from encoder
 * noise alone; more than that is a different picture. */
#define QUALITY_SAME_PICTURE_BITS 2
/* The SDP's a=framerate against the measured rate: more than a quarter off is a claim the
 * camera does not keep (a 25 fps camera delivering 6 fps), not jitter. */
#define QUALITY_SDP_RATE_TOLERANCE 0.25
/* "Low luma" for black when the class checks no minimum: limited-range black is 16. */
#define QUALITY_BLACK_LUMA 40.0

/* Empty inter frames: what an encoder fed the same picture sends between keyframes. A sample
 * is still when its inter frames are all about the size of its smallest steady one (S:
 * probes/stream.c leaves the first two after a keyframe out, where rate control settles),
 * their mean M at most QUALITY_STILL_JITTER_BYTES above it, and that smallest one is empty:
 * near zero relative to the keyframe (QUALITY_EMPTY_FRAME_SHARE), or small whatever the
 * keyframe (QUALITY_EMPTY_FRAME_BYTES). Measured on 3-6 s samples (RTSP from GStreamer:
 * x264 ultrafast/zerolatency, x265 zerolatency, P frames only as cameras send; files from
 * ffmpeg where said):
 *   frozen (imagefreeze), x264 quantizer 20 and 28, 1280x720: S 17 bytes (0.004% / 0.02% of
 *     the 450 / 75 KB keyframe), M - S 0.2; x265 quantizer 28: S 77 (0.19%), M - S 1.0;
 *     a still picture through libx264 CRF (zerolatency or with B-frames), 640x360 to 4K:
 *     M - S 0.2-3.4, S 18-236;
 *   quiet live scenes, a still detailed picture: a 32-pixel ball moving in a corner at
 *     quantizer 32 (the smallest signal measured): M - S 10.5-470 (10.5 on a machine so busy
 *     that a 3 s sample read 17 inter frames); a 64-pixel ball at quantizer 28: 46-780; a
 *     32-pixel one at 640x360: 34; in H.265: 77-560; sensor-like grain (6% snow over the
 *     picture) at quantizer 28: 460-2300; at 2 Mbit/s ABR: over 5000;
 *   the live test scenes (bars with a band of noise renewed 2-5 times a second, blurred or
 *     not, lossy, the quantizer-38 low bitrate): M - S 336-8700;
 * so 5 bytes sits a factor of 1.5 above the largest frozen figure and 2 below the smallest
 * live one. The smallest frame's limit keeps a live encoder whose frames all come out about
 * the same size (CBR) from passing for still. Known limits, all on the side of not calling a
 * camera frozen: an encoder held to a bitrate keeps refining a frozen picture between
 * keyframes (x264 at 2 Mbit/s ABR: inter frames 5-8% of the keyframe, every GOP); one whose
 * empty frames differ by type within a GOP (libx265 with B-frames: M - S 7-28); a stream
 * without inter frames (MJPEG). And a picture that the encoder quantizes to no change at all
 * (faint grain at quantizer 30: every inter frame empty) is frozen as far as the stream
 * shows. */
#define QUALITY_STILL_JITTER_BYTES 5.0
#define QUALITY_EMPTY_FRAME_SHARE 0.005
#define QUALITY_EMPTY_FRAME_BYTES 256
#define QUALITY_MIN_INTER_FRAMES 4 /* fewer say nothing about what the encoder sends */

static const char *const flag_names[QUALITY_FLAG_COUNT] = {
    "no_media", "low_res",     "low_fps", "low_bitrate", "long_gop", "ts_faults",    "dark",
    "black",    "overexposed", "blurred", "frozen",      "moved",    "sdp_mismatch",
};

static void add_reason(struct quality_verdict *out, unsigned flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set flag and append one reason, "; "-separated; a reason that does not fit is cut. */
static void add_reason(struct quality_verdict *out, unsigned flag, const char *fmt, ...)
{
    size_t n = strlen(out->reasons), cap = sizeof(out->reasons);
    va_list ap;

    out->flags |= flag;
    if (n > 0) {
        if (n + 2 >= cap)
            return;
        memcpy(out->reasons + n, "; ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(out->reasons + n, cap - n, fmt, ap);
    va_end(ap);
}

static void judge_stream(const struct cfg_class *c, const struct stream_sample *s,
                         struct quality_verdict *out)
{
    if (s->width > 0 && s->height > 0 &&
        ((c->min_width > 0 && s->width < c->min_width) ||
         (c->min_height > 0 && s->height < c->min_height)))
        add_reason(out, Q_LOW_RES, "resolution %dx%d below %dx%d", s->width, s->height,
                   c->min_width, c->min_height);
    if (c->min_fps > 0 && s->fps < c->min_fps)
        add_reason(out, Q_LOW_FPS, "fps %.1f below %g", s->fps, c->min_fps);
    if (c->min_bitrate_kbps > 0 && s->bitrate_kbps < c->min_bitrate_kbps)
        add_reason(out, Q_LOW_BITRATE, "bitrate %.0f kbps below %g", s->bitrate_kbps,
                   c->min_bitrate_kbps);
}

/* The keyframe interval; with fewer than two keyframes in the window the interval is not
 * measured, but the stretch without one still bounds it from below. */
static void judge_gop(const struct cfg_class *c, const struct stream_sample *s,
                      struct quality_verdict *out)
{
    double span, gap;

    if (c->max_gop_s <= 0)
        return;
    if (s->gop_s > 0) {
        if (s->gop_s > c->max_gop_s)
            add_reason(out, Q_LONG_GOP, "keyframe every %.1f s (max %g s)", s->gop_s, c->max_gop_s);
        return;
    }
    if (s->keyframes >= 2 || s->fps <= 0 || s->frames <= 0)
        return;
    span = s->frames / s->fps;
    gap = span;
    if (s->keyframes == 1 && s->first_key_ms >= 0) {
        double before = s->first_key_ms / 1000.0;
        gap = fmax(before, span - before);
    }
    if (gap > c->max_gop_s)
        add_reason(out, Q_LONG_GOP, "no keyframe for %.1f s (max %g s)", gap, c->max_gop_s);
}

static size_t append_count(char *buf, size_t cap, size_t n, int count, const char *one,
                           const char *many)
{
    int w;

    if (count <= 0 || n >= cap)
        return n;
    w = snprintf(buf + n, cap - n, "%s%d %s", n > 0 ? ", " : "", count, count == 1 ? one : many);
    return w < 0 ? n : n + (size_t)w;
}

/* A frame lost now and then (one gap in a sample) is noise a person cannot act on; a camera
 * losing more than this share of its frames, or sending timestamps back or corrupt packets,
 * is a fault. */
#define QUALITY_MAX_LOST_PERCENT 2
#define QUALITY_MAX_JUMPS 1

static int timestamps_faulty(const struct stream_sample *s)
{
    int expected = s->frames + s->lost_frames;

    return s->ts_backwards > 0 || s->corrupt_packets > 0 || s->ts_jumps > QUALITY_MAX_JUMPS ||
           (int64_t)s->lost_frames * 100 > (int64_t)expected * QUALITY_MAX_LOST_PERCENT;
}

static void judge_timestamps(const struct stream_sample *s, struct quality_verdict *out)
{
    char what[160];
    size_t n = 0;

    if (!timestamps_faulty(s))
        return;
    what[0] = '\0';
    n = append_count(what, sizeof(what), n, s->ts_jumps, "jump", "jumps");
    n = append_count(what, sizeof(what), n, s->ts_backwards, "backwards", "backwards");
    n = append_count(what, sizeof(what), n, s->corrupt_packets, "corrupt", "corrupt");
    n = append_count(what, sizeof(what), n, s->lost_frames, "frame lost", "frames lost");
    if (n > 0)
        add_reason(out, Q_TS_FAULTS, "timestamp faults: %s", what);
}

/* What the picture looks like against the class, before unlit excuses anything. */
struct look {
    int black, dark, bright;
};

static void picture_look(const struct cfg_class *c, const struct stream_sample *s, struct look *lk)
{
    double low = c->min_luma > 0 ? c->min_luma : QUALITY_BLACK_LUMA;

    lk->black = c->black_spread > 0 && s->luma_spread < c->black_spread && s->luma_mean < low;
    lk->dark = !lk->black && c->min_luma > 0 && s->luma_mean < c->min_luma;
    lk->bright = c->max_luma > 0 && s->luma_mean > c->max_luma;
}

/* "21:40", or "2026-11-24 21:40" when the run began on another day than now. */
static void format_since(int64_t since_ms, int64_t now_ms, const char *tz, char *buf, size_t len)
{
    char since[32], now[32];

    cw_format_local(since_ms, tz, since, sizeof(since));
    cw_format_local(now_ms, tz, now, sizeof(now));
    if (strncmp(since, now, 10) == 0)
        snprintf(buf, len, "%.5s", since + 11);
    else
        snprintf(buf, len, "%.16s", since);
}

int quality_sample_still(const struct stream_sample *s)
{
    if (s->inter_frames < QUALITY_MIN_INTER_FRAMES || s->key_bytes <= 0)
        return -1;
    double empty = fmax(s->key_bytes * QUALITY_EMPTY_FRAME_SHARE, QUALITY_EMPTY_FRAME_BYTES);

    return s->inter_min_bytes <= empty &&
           s->inter_bytes - s->inter_min_bytes <= QUALITY_STILL_JITTER_BYTES;
}

/* Follow the run of still samples showing the same picture; returns 1 when it has lasted
 * frozen_after samples. A live sample (or one whose frames say nothing) ends the run. */
static int track_frozen(const struct cfg_class *c, const struct stream_sample *s,
                        struct quality_memory *m, int64_t now_ms)
{
    int same =
        m->has_last && picture_hash_distance(s->phash, m->last_phash) <= QUALITY_SAME_PICTURE_BITS;

    if (quality_sample_still(s) != 1) {
        m->still_run = 0;
        m->run_since_ms = 0;
    } else if (same && m->still_run > 0) {
        m->still_run++;
    } else {
        m->still_run = 1;
        m->run_since_ms = now_ms;
    }
    m->has_last = 1;
    m->last_phash = s->phash;
    return c->frozen_after > 0 && m->still_run >= c->frozen_after;
}

static void judge_picture(const struct cfg_class *c, const struct stream_sample *s,
                          struct quality_memory *m, int64_t now_ms, const char *tz,
                          struct quality_verdict *out, struct look *lk)
{
    int frozen;

    picture_look(c, s, lk);
    /* At an unlit site darkness at night is normal: neither dark nor black is a fault. */
    if (lk->black && !c->unlit)
        add_reason(out, Q_BLACK, "picture black (luma %.0f, spread %.1f)", s->luma_mean,
                   s->luma_spread);
    if (lk->dark && !c->unlit)
        add_reason(out, Q_DARK, "picture dark (luma %.0f, class minimum %g)", s->luma_mean,
                   c->min_luma);
    if (lk->bright)
        add_reason(out, Q_OVEREXPOSED, "picture over-exposed (luma %.0f, class maximum %g)",
                   s->luma_mean, c->max_luma);
    /* A black, dark or washed-out picture has no edges to be sharp: that is its fault, not
     * the lens's. */
    if (c->min_sharpness > 0 && !lk->black && !lk->dark && !lk->bright &&
        s->sharpness < c->min_sharpness)
        add_reason(out, Q_BLURRED, "picture blurred (sharpness %.0f, class minimum %g)",
                   s->sharpness, c->min_sharpness);
    /* An empty dark or black picture is the same every time; frozen is judged when lit. */
    frozen = track_frozen(c, s, m, now_ms) && !lk->black && !lk->dark;
    m->frozen_since_ms = frozen ? m->run_since_ms : 0;
    if (frozen) {
        char since[32];
        format_since(m->run_since_ms, now_ms, tz, since, sizeof(since));
        add_reason(out, Q_FROZEN, "picture frozen since %s", since);
    }
    /* Darkness hides the scene: against the reference only a lit picture tells. */
    if (m->has_reference && !lk->black && !lk->dark) {
        out->ref_distance = picture_hash_distance(s->phash, m->reference);
        if (c->moved_distance > 0 && out->ref_distance >= c->moved_distance)
            add_reason(out, Q_MOVED,
                       "scene differs from reference: moved or covered (distance %d bits)",
                       out->ref_distance);
    }
}

static void judge_sdp(const struct stream_sample *s, const struct sdp_video *sdp,
                      struct quality_verdict *out)
{
    if (sdp == NULL)
        return;
    if (sdp->width > 0 && sdp->height > 0 && s->width > 0 && s->height > 0 &&
        (sdp->width != s->width || sdp->height != s->height))
        add_reason(out, Q_SDP_MISMATCH, "SDP says %dx%d, stream is %dx%d", sdp->width, sdp->height,
                   s->width, s->height);
    if (sdp->fps > 0 && s->fps > 0 &&
        fabs(s->fps - sdp->fps) > QUALITY_SDP_RATE_TOLERANCE * sdp->fps)
        add_reason(out, Q_SDP_MISMATCH, "SDP says %g fps, stream measures %.1f", sdp->fps, s->fps);
}

void quality_assess(const struct cfg_class *c, const struct stream_sample *s,
                    const struct sdp_video *sdp, struct quality_memory *m, int64_t now_ms,
                    const char *tz, struct quality_verdict *out)
{
    struct look lk = {0, 0, 0};

    memset(out, 0, sizeof(*out));
    out->ref_distance = -1;
    m->reference_taken = 0;
    if (!s->ok) {
        /* nothing was seen: the frozen run and the reference wait for the next picture */
        add_reason(out, Q_NO_MEDIA, "no media: %s", s->error[0] ? s->error : "unknown error");
        return;
    }
    judge_stream(c, s, out);
    judge_gop(c, s, out);
    judge_timestamps(s, out);
    if (s->has_picture)
        judge_picture(c, s, m, now_ms, tz, out, &lk);
    judge_sdp(s, sdp, out);
    /* The reference is a picture confirmed good: clean on every count, and lit (an unlit
     * site's night picture would make every lit one look moved). */
    if (!m->has_reference && s->has_picture && out->flags == 0 && !lk.black && !lk.dark) {
        m->has_reference = 1;
        m->reference = s->phash;
        m->reference_at_ms = now_ms;
        m->reference_taken = 1;
    }
}

const char *quality_flag_name(enum quality_flag f)
{
    int i;

    for (i = 0; i < QUALITY_FLAG_COUNT; i++)
        if ((unsigned)f == 1u << i)
            return flag_names[i];
    return "unknown";
}

const char *quality_flags_format(unsigned flags, char *buf, size_t len)
{
    size_t n = 0;
    int i;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < QUALITY_FLAG_COUNT; i++) {
        int w;
        if (!(flags & (1u << i)))
            continue;
        w = snprintf(buf + n, len - n, "%s%s", n > 0 ? "," : "", flag_names[i]);
        if (w < 0 || (size_t)w >= len - n) {
            buf[n] = '\0'; /* a name that does not fit is left out whole */
            break;
        }
        n += (size_t)w;
    }
    return buf;
}

unsigned quality_flags_parse(const char *list)
{
    unsigned flags = 0;

    while (list != NULL && *list != '\0') {
        size_t n = strcspn(list, ",");

        for (int i = 0; i < QUALITY_FLAG_COUNT; i++)
            if (strlen(flag_names[i]) == n && strncmp(list, flag_names[i], n) == 0)
                flags |= 1u << i;
        list += n;
        if (*list == ',')
            list++;
    }
    return flags;
}

/* ---- ONVIF facts ---- */

static int device_reason(char *buf, size_t len, int n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append one reason; returns n + 1. A reason that does not fit is dropped whole. */
static int device_reason(char *buf, size_t len, int n, const char *fmt, ...)
{
    size_t off = strlen(buf);
    va_list ap;
    int w;

    if (off > 0) {
        if (off + 2 >= len)
            return n + 1;
        memcpy(buf + off, "; ", 3);
        off += 2;
    }
    va_start(ap, fmt);
    w = vsnprintf(buf + off, len - off, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= len - off)
        buf[off > 2 ? off - 2 : 0] = '\0';
    return n + 1;
}

int quality_device_reasons(const struct cfg_class *c, const struct quality_device *d,
                           int64_t max_offset_ms, char *buf, size_t len)
{
    int64_t abs_ms = d->offset_ms < 0 ? -d->offset_ms : d->offset_ms;
    unsigned below;
    int n = 0;

    buf[0] = '\0';
    /* A clock is judged even when the rest failed: it is read without credentials. */
    if (d->has_clock && max_offset_ms > 0 && abs_ms > max_offset_ms)
        n = device_reason(buf, len, n, "clock %lld s %s", (long long)((abs_ms + 500) / 1000),
                          d->offset_ms > 0 ? "ahead" : "behind");
    if (!d->ok)
        return device_reason(buf, len, n, "ONVIF: %s", d->error);
    if (!d->has_encoder)
        return n;
    below = cfg_class_encoder_below(c, d->fps_limit, d->width, d->height, d->bitrate_limit_kbps);
    if (below & CFG_BELOW_FPS)
        n = device_reason(buf, len, n, "configured %g fps, class minimum %g", d->fps_limit,
                          c->min_fps);
    if (below & CFG_BELOW_SIZE)
        n = device_reason(buf, len, n, "configured %dx%d, class minimum %dx%d", d->width, d->height,
                          c->min_width, c->min_height);
    if (below & CFG_BELOW_BITRATE)
        n = device_reason(buf, len, n, "configured %d kbps, class minimum %g",
                          d->bitrate_limit_kbps, c->min_bitrate_kbps);
    return n;
}
