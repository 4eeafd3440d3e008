/* sdp.c - facts about the first video stream of an SDP answer: codec, payload
 * type, resolution from the H.264/H.265 sequence parameter set carried in the
 * fmtp line (or from JPEG dimension attributes), and frame rate. Pure
 * functions: no state, no allocation kept; only temporary buffers for base64.
 *
 * The SDP comes from a camera, so nothing is trusted: every read is bounded by
 * len, lines may end in CRLF or LF (or not at all), names may be in any case,
 * and a damaged parameter set is reported, never read past. */
#include "sdp.h"

#include <libavutil/base64.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SDP_MAX_DIMENSION 16384 /* larger than any camera; bigger means a corrupt SPS */
#define SDP_MAX_FPS 1000.0      /* frame rates above this are not believed */
#define H264_NAL_SPS 7
#define H265_NAL_SPS 33
#define SPS_TRUNCATED (-1)
#define SPS_INVALID (-2)

/* A view into the SDP text; never NUL-terminated. */
struct span {
    const char *p;
    size_t n;
};

/* ---- bit reader over a NAL unit, skipping emulation prevention bytes ---- */

struct bitreader {
    const uint8_t *p;
    size_t len;
    size_t pos; /* next byte */
    int bit;    /* next bit in p[pos], 0 = most significant */
    int zeros;  /* consecutive zero bytes just consumed */
    bool overrun;
};

static void br_init(struct bitreader *b, const uint8_t *p, size_t len)
{
    memset(b, 0, sizeof(*b));
    b->p = p;
    b->len = len;
}

static unsigned br_bit(struct bitreader *b)
{
    unsigned v;

    if (b->bit == 0) {
        /* 00 00 03 in the NAL unit is 00 00 in the RBSP (H.264 7.4.1, H.265 7.4.2). */
        if (b->zeros >= 2 && b->pos < b->len && b->p[b->pos] == 3) {
            b->pos++;
            b->zeros = 0;
        }
        if (b->pos >= b->len) {
            b->overrun = true;
            return 0;
        }
    }
    v = (b->p[b->pos] >> (7 - b->bit)) & 1u;
    if (++b->bit == 8) {
        b->zeros = b->p[b->pos] == 0 ? b->zeros + 1 : 0;
        b->bit = 0;
        b->pos++;
    }
    return v;
}

static uint32_t br_bits(struct bitreader *b, int n)
{
    uint32_t v = 0;

    while (n-- > 0)
        v = (v << 1) | br_bit(b);
    return v;
}

static void br_skip(struct bitreader *b, int n)
{
    while (n-- > 0 && !b->overrun)
        (void)br_bit(b);
}

/* ue(v), Exp-Golomb. Values over 32 bits mark the reader overrun: no valid SPS has them. */
static uint32_t br_ue(struct bitreader *b)
{
    int lz = 0;
    uint64_t v;

    while (br_bit(b) == 0) {
        if (b->overrun || ++lz > 31) {
            b->overrun = true;
            return 0;
        }
    }
    v = ((uint64_t)1 << lz) - 1 + br_bits(b, lz);
    if (v > UINT32_MAX) {
        b->overrun = true;
        return 0;
    }
    return (uint32_t)v;
}

static int32_t br_se(struct bitreader *b)
{
    uint32_t k = br_ue(b);

    return (k & 1) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

/* ---- H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) ---- */

static bool h264_profile_has_chroma_info(unsigned profile_idc)
{
    switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
        return true;
    default:
        return false;
    }
}

/* scaling_list() is parsed only to find where the next field starts (7.3.2.1.1.1). Returns
 * false on a delta_scale outside -128..127 (7.4.2.1.1.1): no encoder writes one, and the sum
 * with it could overflow. */
static bool h264_skip_scaling_list(struct bitreader *b, int size)
{
    int last = 8, next = 8;

    for (int j = 0; j < size && !b->overrun; j++) {
        if (next != 0) {
            int32_t delta = br_se(b);
            if (delta < -128 || delta > 127)
                return false;
            next = (last + delta + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
    return true;
}

static bool size_ok(int64_t w, int64_t h)
{
    return w > 0 && h > 0 && w <= SDP_MAX_DIMENSION && h <= SDP_MAX_DIMENSION;
}

/* An SPS's last step, its bits all read: the cropped size, when it is one a picture can have,
 * into *width and *height (0); else SPS_INVALID. */
static int sps_size_out(int64_t w, int64_t h, int *width, int *height)
{
    if (!size_ok(w, h))
        return SPS_INVALID;
    *width = (int)w;
    *height = (int)h;
    return 0;
}

/* The offsets a picture is cropped by, in chroma sample units: H.264's frame_cropping_flag
 * and H.265's conformance_window_flag, each followed by four ue(v) (left, right, top, bottom);
 * all 0 without the flag. */
struct crop_window {
    uint32_t left, right, top, bottom;
};

static struct crop_window br_crop_window(struct bitreader *b)
{
    struct crop_window c = {0, 0, 0, 0};

    if (br_bit(b)) {
        c.left = br_ue(b);
        c.right = br_ue(b);
        c.top = br_ue(b);
        c.bottom = br_ue(b);
    }
    return c;
}

/* SubWidthC and SubHeightC, table 6-1 of both standards; 1 and 1 when ChromaArrayType is 0
 * (monochrome, or 4:4:4 coded as separate colour planes). */
static void chroma_subsampling(uint32_t chroma_format_idc, uint32_t separate_colour_plane,
                               int64_t *sub_w, int64_t *sub_h)
{
    int array_type_0 = separate_colour_plane || chroma_format_idc == 0;

    *sub_w = !array_type_0 && (chroma_format_idc == 1 || chroma_format_idc == 2) ? 2 : 1;
    *sub_h = !array_type_0 && chroma_format_idc == 1 ? 2 : 1;
}

static int h264_sps_parse(const uint8_t *nal, size_t len, int *width, int *height)
{
    struct bitreader b;
    unsigned profile_idc, chroma_format_idc = 1, separate_colour_plane = 0;
    uint32_t poc_type, w_mbs, h_map_units, frame_mbs_only;
    struct crop_window crop;
    int64_t sub_w, sub_h, w, h;

    br_init(&b, nal, len);
    br_skip(&b, 1 + 2); /* forbidden_zero_bit, nal_ref_idc */
    if (br_bits(&b, 5) != H264_NAL_SPS || b.overrun)
        return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
    profile_idc = br_bits(&b, 8);
    br_skip(&b, 8 + 8); /* constraint flags, level_idc */
    (void)br_ue(&b);    /* seq_parameter_set_id */
    if (h264_profile_has_chroma_info(profile_idc)) {
        chroma_format_idc = br_ue(&b);
        if (chroma_format_idc > 3)
            return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
        if (chroma_format_idc == 3)
            separate_colour_plane = br_bit(&b);
        (void)br_ue(&b);  /* bit_depth_luma_minus8 */
        (void)br_ue(&b);  /* bit_depth_chroma_minus8 */
        br_skip(&b, 1);   /* qpprime_y_zero_transform_bypass_flag */
        if (br_bit(&b)) { /* seq_scaling_matrix_present_flag */
            int lists = chroma_format_idc != 3 ? 8 : 12;
            for (int i = 0; i < lists && !b.overrun; i++)
                if (br_bit(&b) && !h264_skip_scaling_list(&b, i < 6 ? 16 : 64))
                    return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
        }
    }
    (void)br_ue(&b); /* log2_max_frame_num_minus4 */
    poc_type = br_ue(&b);
    if (poc_type == 0) {
        (void)br_ue(&b); /* log2_max_pic_order_cnt_lsb_minus4 */
    } else if (poc_type == 1) {
        uint32_t cycle;
        br_skip(&b, 1);  /* delta_pic_order_always_zero_flag */
        (void)br_se(&b); /* offset_for_non_ref_pic */
        (void)br_se(&b); /* offset_for_top_to_bottom_field */
        cycle = br_ue(&b);
        if (cycle > 255)
            return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
        for (uint32_t i = 0; i < cycle && !b.overrun; i++)
            (void)br_se(&b); /* offset_for_ref_frame[i] */
    } else if (poc_type != 2) {
        return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
    }
    (void)br_ue(&b); /* max_num_ref_frames */
    br_skip(&b, 1);  /* gaps_in_frame_num_value_allowed_flag */
    w_mbs = br_ue(&b);
    h_map_units = br_ue(&b);
    frame_mbs_only = br_bit(&b);
    if (!frame_mbs_only)
        br_skip(&b, 1); /* mb_adaptive_frame_field_flag */
    br_skip(&b, 1);     /* direct_8x8_inference_flag */
    crop = br_crop_window(&b);
    if (b.overrun)
        return SPS_TRUNCATED;
    /* CropUnitX = SubWidthC, CropUnitY = SubHeightC * (2 - frame_mbs_only_flag), equations 7-19
     * to 7-22 (with 1 and 1 for ChromaArrayType 0). */
    chroma_subsampling(chroma_format_idc, separate_colour_plane, &sub_w, &sub_h);
    w = ((int64_t)w_mbs + 1) * 16 - sub_w * ((int64_t)crop.left + crop.right);
    h = ((int64_t)h_map_units + 1) * 16 * (2 - (int64_t)frame_mbs_only) -
        sub_h * (2 - (int64_t)frame_mbs_only) * ((int64_t)crop.top + crop.bottom);
    return sps_size_out(w, h, width, height);
}

int sdp_h264_sps_size(const uint8_t *nal, size_t len, int *width, int *height)
{
    return h264_sps_parse(nal, len, width, height) < 0 ? -1 : 0;
}

/* ---- H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1) ---- */

/* profile_tier_level(1, max_sub_layers_minus1), 7.3.3; only skipped. */
static void h265_skip_profile_tier_level(struct bitreader *b, unsigned max_sub_layers_minus1)
{
    bool profile_present[8] = {false}, level_present[8] = {false};

    /* general_profile_space .. general_inbld_flag: 2+1+5+32+4+43+1 bits, then level_idc. */
    br_skip(b, 88 + 8);
    for (unsigned i = 0; i < max_sub_layers_minus1; i++) {
        profile_present[i] = br_bit(b);
        level_present[i] = br_bit(b);
    }
    if (max_sub_layers_minus1 > 0)
        for (unsigned i = max_sub_layers_minus1; i < 8; i++)
            br_skip(b, 2); /* reserved_zero_2bits */
    for (unsigned i = 0; i < max_sub_layers_minus1; i++) {
        if (profile_present[i])
            br_skip(b, 88);
        if (level_present[i])
            br_skip(b, 8);
    }
}

static int h265_sps_parse(const uint8_t *nal, size_t len, int *width, int *height)
{
    struct bitreader b;
    unsigned max_sub_layers_minus1;
    uint32_t chroma_format_idc, separate_colour_plane = 0, w, h;
    struct crop_window win;
    int64_t sub_w, sub_h, cw, ch;

    br_init(&b, nal, len);
    br_skip(&b, 1); /* forbidden_zero_bit */
    if (br_bits(&b, 6) != H265_NAL_SPS)
        return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
    br_skip(&b, 6 + 3); /* nuh_layer_id, nuh_temporal_id_plus1 */
    br_skip(&b, 4);     /* sps_video_parameter_set_id */
    max_sub_layers_minus1 = br_bits(&b, 3);
    if (max_sub_layers_minus1 > 6 || b.overrun)
        return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
    br_skip(&b, 1); /* sps_temporal_id_nesting_flag */
    h265_skip_profile_tier_level(&b, max_sub_layers_minus1);
    (void)br_ue(&b); /* sps_seq_parameter_set_id */
    chroma_format_idc = br_ue(&b);
    if (chroma_format_idc > 3)
        return b.overrun ? SPS_TRUNCATED : SPS_INVALID;
    if (chroma_format_idc == 3)
        separate_colour_plane = br_bit(&b);
    w = br_ue(&b);
    h = br_ue(&b);
    win = br_crop_window(&b);
    if (b.overrun)
        return SPS_TRUNCATED;
    chroma_subsampling(chroma_format_idc, separate_colour_plane, &sub_w, &sub_h);
    cw = (int64_t)w - sub_w * ((int64_t)win.left + win.right);
    ch = (int64_t)h - sub_h * ((int64_t)win.top + win.bottom);
    return sps_size_out(cw, ch, width, height);
}

int sdp_h265_sps_size(const uint8_t *nal, size_t len, int *width, int *height)
{
    return h265_sps_parse(nal, len, width, height) < 0 ? -1 : 0;
}

/* ---- SDP text ---- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct span span_trim(struct span s)
{
    while (s.n > 0 && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Case-insensitive: does s start with the NUL-terminated prefix? If so, advance past it. */
static bool span_eat(struct span *s, const char *prefix)
{
    size_t n = strlen(prefix);

    if (s->n < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s->p[i]) != lower((unsigned char)prefix[i]))
            return false;
    s->p += n;
    s->n -= n;
    return true;
}

static bool span_ieq(struct span s, const char *word)
{
    return s.n == strlen(word) && span_eat(&s, word);
}

/* Split off the text before the first sep (or all of it); s keeps what follows the sep. */
static struct span span_cut(struct span *s, char sep)
{
    struct span head = *s;
    const char *at = memchr(s->p, sep, s->n);

    if (at == NULL) {
        s->p += s->n;
        s->n = 0;
        return head;
    }
    head.n = (size_t)(at - s->p);
    s->n -= head.n + 1;
    s->p = at + 1;
    return head;
}

/* Next whitespace-separated word. */
static struct span span_word(struct span *s)
{
    struct span w;

    *s = span_trim(*s);
    w.p = s->p;
    w.n = 0;
    while (w.n < s->n && !is_space(s->p[w.n]))
        w.n++;
    s->p += w.n;
    s->n -= w.n;
    return w;
}

/* A decimal integer that fills s; -1 when s is not one. */
static long span_int(struct span s)
{
    long v = 0;

    s = span_trim(s);
    if (s.n == 0 || s.n > 9)
        return -1;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

/* "25", "12.5", "29.970029970029969": parsed by hand so the locale cannot change it.
 * Returns 0 for anything else or out of range. */
static double span_fps(struct span s)
{
    double v = 0, scale = 1;
    size_t i = 0;
    bool digits = false;

    s = span_trim(s);
    for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, digits = true)
        v = v * 10 + (s.p[i] - '0');
    if (i < s.n && s.p[i] == '.')
        for (i++; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, digits = true)
            v += (s.p[i] - '0') * (scale /= 10);
    if (!digits || i != s.n || v <= 0 || v > SDP_MAX_FPS)
        return 0;
    return v;
}

/* What the first video media section says, gathered in one pass. */
struct video_section {
    bool found;
    long pt;
    struct span rtpmap_name; /* encoding name from a=rtpmap for pt */
    struct span fmtp;        /* parameters from a=fmtp for pt */
    double fps, session_fps;
    int dim_w, dim_h; /* from a=x-dimensions, a=cliprect or a=framesize */
};

/* "W,H" -> sizes; false unless both are sane. */
static bool parse_pair(struct span s, char sep, int *a, int *b)
{
    long x = span_int(span_cut(&s, sep)), y = span_int(s);

    if (x <= 0 || y <= 0 || !size_ok(x, y))
        return false;
    *a = (int)x;
    *b = (int)y;
    return true;
}

static void take_dimension_attr(struct video_section *v, struct span a)
{
    int w, h;

    if (span_eat(&a, "x-dimensions:")) {
        if (parse_pair(a, ',', &w, &h)) {
            v->dim_w = w;
            v->dim_h = h;
        }
    } else if (span_eat(&a, "cliprect:")) {
        /* RFC 2435 appendix: a=cliprect:top,left,bottom,right */
        long c[4];
        for (int i = 0; i < 4; i++)
            c[i] = span_int(span_cut(&a, ','));
        if (c[0] >= 0 && c[1] >= 0 && c[2] > c[0] && c[3] > c[1] &&
            size_ok(c[3] - c[1], c[2] - c[0])) {
            v->dim_w = (int)(c[3] - c[1]);
            v->dim_h = (int)(c[2] - c[0]);
        }
    } else if (span_eat(&a, "framesize:")) {
        /* a=framesize:96 704-576, seen from HiIpcam/Foscam firmware */
        struct span pt = span_word(&a);
        if (span_int(pt) == v->pt && parse_pair(span_trim(a), '-', &w, &h)) {
            v->dim_w = w;
            v->dim_h = h;
        }
    }
}

/* One attribute line of the video section, after "a=". */
static void take_media_attr(struct video_section *v, struct span a)
{
    struct span rest = a;
    double fps;

    if (span_eat(&rest, "rtpmap:")) {
        if (span_int(span_word(&rest)) == v->pt) {
            struct span enc = span_word(&rest);
            v->rtpmap_name = span_cut(&enc, '/');
        }
    } else if (span_eat(&rest, "fmtp:")) {
        if (span_int(span_word(&rest)) == v->pt)
            v->fmtp = span_trim(rest);
    } else if (span_eat(&rest, "framerate:") || span_eat(&rest, "x-framerate:")) {
        fps = span_fps(rest);
        if (fps > 0)
            v->fps = fps;
    } else {
        take_dimension_attr(v, a);
    }
}

/* m=<media> <port>[/n] <proto> <fmt> ...: true and v->pt set for the first video line. */
static bool take_media_line(struct video_section *v, struct span m)
{
    struct span media = span_word(&m);

    if (!span_ieq(media, "video"))
        return false;
    (void)span_word(&m); /* port */
    (void)span_word(&m); /* proto */
    v->pt = span_int(span_word(&m));
    return true;
}

/* Walk the lines once; stop at the m= line after the first video one. */
static void scan_sdp(const char *sdp, size_t len, struct video_section *v)
{
    struct span all = {sdp, len};
    bool in_video = false, seen_media = false;

    memset(v, 0, sizeof(*v));
    v->pt = -1;
    while (all.n > 0) {
        struct span line = span_trim(span_cut(&all, '\n'));
        char type;

        if (line.n < 2 || line.p[1] != '=')
            continue;
        type = (char)lower((unsigned char)line.p[0]);
        line.p += 2;
        line.n -= 2;
        line = span_trim(line);
        if (type == 'm') {
            if (v->found)
                break;
            in_video = take_media_line(v, line);
            v->found = in_video;
        } else if (type == 'a' && in_video) {
            take_media_attr(v, line);
        } else if (type == 'a' && !seen_media) {
            /* Session level (before any m=) frame rate; the media level one wins. */
            struct span rest = line;
            if ((span_eat(&rest, "framerate:") || span_eat(&rest, "x-framerate:")) &&
                v->session_fps == 0)
                v->session_fps = span_fps(rest);
        }
        if (type == 'm')
            seen_media = true;
    }
}

static void set_codec(struct sdp_video *out, const struct video_section *v)
{
    struct span name = span_trim(v->rtpmap_name);
    size_t n;

    if (span_ieq(name, "H264")) {
        strcpy(out->codec, "h264");
    } else if (span_ieq(name, "H265") || span_ieq(name, "HEVC")) {
        strcpy(out->codec, "h265");
    } else if (span_ieq(name, "JPEG") || (name.n == 0 && v->pt == 26)) {
        strcpy(out->codec, "mjpeg"); /* RFC 3551: static payload type 26 is JPEG */
    } else if (name.n == 0) {
        strcpy(out->codec, "unknown");
    } else {
        n = name.n < sizeof(out->codec) - 1 ? name.n : sizeof(out->codec) - 1;
        for (size_t i = 0; i < n; i++)
            out->codec[i] = (char)lower((unsigned char)name.p[i]);
        out->codec[n] = '\0';
    }
}

/* Find a key in "k1=v1; k2=v2" (case-insensitive key). */
static bool fmtp_param(struct span fmtp, const char *key, struct span *value)
{
    while (fmtp.n > 0) {
        struct span kv = span_trim(span_cut(&fmtp, ';'));
        struct span k = span_trim(span_cut(&kv, '='));
        if (span_ieq(k, key)) {
            *value = span_trim(kv);
            return true;
        }
    }
    return false;
}

/* Decode one base64 item into a fresh buffer; caller frees *nal. */
static int b64_decode(struct span item, uint8_t **nal, size_t *nal_len)
{
    char *text = malloc(item.n + 1);
    uint8_t *buf = malloc(item.n / 4 * 3 + 3);
    int n;

    *nal = NULL;
    if (text == NULL || buf == NULL) {
        free(text);
        free(buf);
        return -1;
    }
    memcpy(text, item.p, item.n);
    text[item.n] = '\0';
    /* av_base64_decode stops at a NUL, so one inside the item would pass unnoticed. */
    n = memchr(item.p, '\0', item.n) ? -1 : av_base64_decode(buf, text, (int)(item.n / 4 * 3 + 3));
    free(text);
    if (n <= 0) {
        free(buf);
        return -1;
    }
    *nal = buf;
    *nal_len = (size_t)n;
    return 0;
}

/* The first SPS among comma-separated base64 NAL units. Returns 1 found, 0 none, -1 with err. */
static int find_sps(struct span sets, const char *what, bool h265, uint8_t **sps, size_t *sps_len,
                    struct cw_err *err)
{
    while (sets.n > 0) {
        struct span item = span_trim(span_cut(&sets, ','));
        uint8_t *nal;
        size_t n;
        unsigned type;

        if (item.n == 0)
            continue;
        if (b64_decode(item, &nal, &n) < 0)
            return cw_err_set(err, NULL, 0, NULL, "%s: bad base64", what);
        type = h265 ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
        if (type == (h265 ? H265_NAL_SPS : H264_NAL_SPS)) {
            *sps = nal;
            *sps_len = n;
            return 1;
        }
        free(nal);
    }
    return 0;
}

static int set_size_from_sps(struct sdp_video *out, const struct video_section *v,
                             struct cw_err *err)
{
    bool h265 = strcmp(out->codec, "h265") == 0;
    const char *key = h265 ? "sprop-sps" : "sprop-parameter-sets";
    struct span sets;
    uint8_t *sps = NULL;
    size_t sps_len = 0;
    int rc;

    if (!fmtp_param(v->fmtp, key, &sets))
        return 0;
    rc = find_sps(sets, key, h265, &sps, &sps_len, err);
    if (rc <= 0)
        return rc;
    rc = h265 ? h265_sps_parse(sps, sps_len, &out->width, &out->height)
              : h264_sps_parse(sps, sps_len, &out->width, &out->height);
    free(sps);
    if (rc < 0) {
        out->width = out->height = 0;
        return cw_err_set(err, NULL, 0, NULL, "SPS: %s",
                          rc == SPS_TRUNCATED ? "truncated" : "invalid");
    }
    return 0;
}

int sdp_parse_video(const char *sdp, size_t len, struct sdp_video *out, struct cw_err *err)
{
    struct video_section v;

    memset(out, 0, sizeof(*out));
    out->payload_type = -1;
    if (sdp == NULL)
        return cw_err_set(err, NULL, 0, NULL, "no video stream");
    scan_sdp(sdp, len, &v);
    if (!v.found)
        return cw_err_set(err, NULL, 0, NULL, "no video stream");
    if (v.pt < 0 || v.pt > 127)
        return cw_err_set(err, NULL, 0, NULL, "m=video: bad payload type");
    out->payload_type = (int)v.pt;
    out->fps = v.fps > 0 ? v.fps : v.session_fps;
    set_codec(out, &v);
    if (strcmp(out->codec, "h264") == 0 || strcmp(out->codec, "h265") == 0) {
        struct cw_err perr;
        if (set_size_from_sps(out, &v, &perr) < 0)
            snprintf(out->problem, sizeof(out->problem), "%.*s", (int)sizeof(out->problem) - 1,
                     perr.msg);
    }
    if (out->width == 0 && v.dim_w > 0) {
        out->width = v.dim_w;
        out->height = v.dim_h;
    }
    return 0;
}
