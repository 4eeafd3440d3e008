/* finding.c - a backlog finding (its JSON, index/doc.h) as one sentence in Vietnamese or
 * English: what is wrong, the measured value against the class's limit, and how often over
 * the period. No state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static double jnum(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* s with its first letter in upper case (ASCII, and Vietnamese đ), into f. */
static void put_capitalized(FILE *f, const char *s)
{
    if ((unsigned char)s[0] == 0xC4 && (unsigned char)s[1] == 0x91) { /* đ -> Đ */
        fputs("\xC4\x90", f);
        s += 2;
    } else if (s[0] >= 'a' && s[0] <= 'z') {
        fputc(s[0] - 'a' + 'A', f);
        s++;
    }
    fputs(s, f);
}

/* " (value, minimum limit)" of a stream flag, when the latest sample carries it. */
static void stream_detail(FILE *f, enum report_lang vi_or_en, const char *kind, const json_t *o)
{
    const json_t *v = json_object_get(o, "value"), *l = json_object_get(o, "limit");
    int vi = vi_or_en == REPORT_VI;
    char a[32], b[32];
    const char *what = NULL, *bound = vi ? "tối thiểu" : "minimum", *unit = "";

    if (v == NULL || l == NULL)
        return;
    if (strcmp(kind, "low_res") == 0) {
        fprintf(f, " (%lldx%lld, %s %lldx%lld)",
                (long long)json_integer_value(json_object_get(v, "width")),
                (long long)json_integer_value(json_object_get(v, "height")), bound,
                (long long)json_integer_value(json_object_get(l, "width")),
                (long long)json_integer_value(json_object_get(l, "height")));
        return;
    }
    if (strcmp(kind, "low_fps") == 0)
        what = "", unit = vi ? " hình/giây" : " fps";
    else if (strcmp(kind, "low_bitrate") == 0)
        what = "", unit = " kbps";
    else if (strcmp(kind, "long_gop") == 0)
        what = vi ? "khung hình chính mỗi " : "a keyframe every ", unit = vi ? " giây" : " s",
        bound = vi ? "tối đa" : "maximum";
    else if (strcmp(kind, "dark") == 0 || strcmp(kind, "black") == 0)
        what = vi ? "độ sáng " : "luma ";
    else if (strcmp(kind, "overexposed") == 0)
        what = vi ? "độ sáng " : "luma ", bound = vi ? "tối đa" : "maximum";
    else if (strcmp(kind, "blurred") == 0)
        what = vi ? "độ nét " : "sharpness ";
    if (what == NULL)
        return;
    fprintf(f, " (%s%s%s, %s %s)", what, rfmt_dec(vi_or_en, json_number_value(v), 1, a, sizeof(a)),
            unit, bound, rfmt_dec(vi_or_en, json_number_value(l), 0, b, sizeof(b)));
}

static void down_text(FILE *f, enum report_lang lang, const json_t *o)
{
    const json_t *causes = json_object_get(o, "causes"), *c;
    char when[64];
    size_t i;

    fprintf(f, lang == REPORT_VI ? "Mất tín hiệu từ %s" : "Down since %s",
            rfmt_datetime(lang, jstr(o, "since"), when, sizeof(when)));
    json_array_foreach(causes, i, c)
    {
        fprintf(f, "%s%s", i == 0 ? " (" : ", ", rlabel_kind(lang, json_string_value(c)));
        if (i + 1 == json_array_size(causes))
            fputc(')', f);
    }
}

static void clock_text(FILE *f, enum report_lang lang, const json_t *o)
{
    long long off = (long long)jnum(o, "offset_ms");
    long long s = ((off < 0 ? -off : off) + 500) / 1000;
    int ntp = json_is_true(json_object_get(o, "ntp"));

    if (lang == REPORT_VI)
        fprintf(f, "Đồng hồ camera sai %lld giây (%s)%s", s, off > 0 ? "nhanh" : "chậm",
                ntp ? "" : ", chưa bật đồng bộ NTP");
    else
        fprintf(f, "Camera clock %lld s %s%s", s, off > 0 ? "ahead" : "behind",
                ntp ? "" : ", NTP off");
}

static void encoder_text(FILE *f, enum report_lang lang, const json_t *o)
{
    int vi = lang == REPORT_VI;
    char fps[32], min_fps[32], min_kbps[32];

    fprintf(f, "%s %lldx%lld, %s%s, %lld kbps (%s %lldx%lld, %s%s, %s kbps)",
            vi ? "Cấu hình hình ảnh" : "Video set to", (long long)jnum(o, "width"),
            (long long)jnum(o, "height"), rfmt_dec(lang, jnum(o, "fps"), 0, fps, sizeof(fps)),
            vi ? " hình/giây" : " fps", (long long)jnum(o, "bitrate_kbps"),
            vi ? "tối thiểu" : "minimum", (long long)jnum(o, "min_width"),
            (long long)jnum(o, "min_height"),
            rfmt_dec(lang, jnum(o, "min_fps"), 0, min_fps, sizeof(min_fps)),
            vi ? " hình/giây" : " fps",
            rfmt_dec(lang, jnum(o, "min_bitrate_kbps"), 0, min_kbps, sizeof(min_kbps)));
}

static void text_of(FILE *f, enum report_lang lang, const json_t *o)
{
    const char *kind = jstr(o, "kind");
    int vi = lang == REPORT_VI;
    char a[32], b[32];

    if (strcmp(kind, "down") == 0) {
        down_text(f, lang, o);
    } else if (strcmp(kind, "unstable") == 0) {
        fprintf(f,
                vi ? "Kết nối chập chờn: mất tín hiệu %s lần trong kỳ, tổng %s giờ"
                   : "Unstable link: %s outages in the period, %s h in all",
                rfmt_int(lang, (int64_t)jnum(o, "outages"), a, sizeof(a)),
                rfmt_dec(lang, rhours((int64_t)jnum(o, "downtime_ms")), 2, b, sizeof(b)));
    } else if (strcmp(kind, "clock") == 0) {
        clock_text(f, lang, o);
    } else if (strcmp(kind, "encoder_config") == 0) {
        encoder_text(f, lang, o);
    } else if (strcmp(kind, "onvif_auth") == 0) {
        fputs(vi ? "Camera từ chối tài khoản quản lý (ONVIF)"
                 : "The camera refuses the management account (ONVIF)",
              f);
    } else if (strcmp(kind, "firmware") == 0) {
        long long on = (long long)jnum(o, "cameras_on_newest");
        fprintf(f,
                vi ? "Phần mềm cũ: %s (bản %s đang chạy trên %lld camera cùng loại)"
                   : "Outdated firmware %s (%s runs on %lld camera%s of this model)",
                jstr(o, "firmware"), jstr(o, "newest"), on, vi || on == 1 ? "" : "s");
    } else {
        /* a stream flag */
        put_capitalized(f, rlabel_kind(lang, kind));
        stream_detail(f, lang, kind, o);
        if (json_is_number(json_object_get(o, "share_pct")))
            fprintf(f, vi ? "; %s%% số mẫu kiểm tra trong kỳ" : "; in %s%% of the period's samples",
                    rfmt_dec(lang, jnum(o, "share_pct"), 0, a, sizeof(a)));
    }
}

char *rfinding_text(enum report_lang lang, const json_t *finding)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    text_of(f, lang, finding);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
