/* export_manifest.c - an export's manifests: manifest.json for programs and manifest.txt for
 * people (Vietnamese, each line with its English), from the plan and each camera's outcome.
 * Pure: the same plan and outcomes give the same bytes (times in the site's zone from the zone
 * table, no clock read, numbers formatted with fixed digits). Any thread. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "doc.h"
#include "export_priv.h"

#ifndef CW_VERSION
#define CW_VERSION "0.1.0"
#endif
#define MANIFEST_FORMAT "camwatch evidence export 1"
#define JSON_REAL_DIGITS 10

static const char *when(const struct export_plan *p, int64_t ms, char *buf, size_t len);

/* ---- what the index cannot say ---- */

/* A time as manifest.txt gives it (whole) or as manifest.json does (ISO 8601). */
static const char *when_as(const struct export_plan *p, int64_t ms, int whole, char *buf,
                           size_t len)
{
    return whole ? when(p, ms, buf, len) : cw_zone_format_iso(p->zone, ms, buf, len);
}

void export_unindexed_words(const struct export_plan *p, const struct export_camera *c,
                            int64_t from_ms, int whole, char *buf, size_t len)
{
    const struct store_recorder *last = &c->cov.last;
    const struct footage_other *by;
    char until[64], scanned[64], ok[64];
    struct footage_index_said w = {c->cov.index, c->place.recorder, last->error, NULL, NULL, NULL};
    int64_t known_until = c->cov.known_until;

    buf[0] = '\0';
    if (from_ms == 0)
        return;
    /* Said of the recorder that cannot speak then: another that held the camera, or its own. */
    if ((by = footage_unindexed_by(&c->cov, from_ms)) != NULL) {
        last = &by->last;
        known_until = by->known_until;
        w = (struct footage_index_said){by->state, last->name, last->error, NULL, NULL, NULL};
    }
    if (known_until != 0)
        w.known_until = when_as(p, known_until, whole, until, sizeof(until));
    if (last->scanned_ms != 0)
        w.scanned_at = when_as(p, last->scanned_ms, whole, scanned, sizeof(scanned));
    if (last->ok_ms != 0)
        w.ok_at = when_as(p, last->ok_ms, whole, ok, sizeof(ok));
    footage_index_words(&w, buf, len);
}

/* ---- manifest.json ---- */

static json_t *iso(const struct export_plan *p, int64_t ms)
{
    char buf[64];

    return json_string(cw_zone_format_iso(p->zone, ms, buf, sizeof(buf)));
}

/* A time to the millisecond: "2026-12-07T08:59:58.850+07:00" as manifest.json gives times, or
 * as manifest.txt does when txt ("2026-12-07 08:59:58.850 +07:00"). */
static const char *time_ms(const struct export_plan *p, int64_t ms, int txt, char *buf, size_t len)
{
    char day[32];
    int32_t off = cw_zone_offset_s(p->zone, ms), abs_off = off < 0 ? -off : off;

    cw_zone_strftime(p->zone, ms, txt ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S", day,
                     sizeof(day));
    snprintf(buf, len, "%s.%03d%s%c%02d:%02d", day, (int)(((ms % 1000) + 1000) % 1000),
             txt ? " " : "", off < 0 ? '-' : '+', (int)(abs_off / 3600),
             (int)(abs_off % 3600 / 60));
    return buf;
}

/* ms to the nearest second (half a second up). */
static int64_t nearest_s(int64_t ms)
{
    int64_t r = ((ms % 1000) + 1000) % 1000;

    return r >= 500 ? ms - r + 1000 : ms - r;
}

static json_t *span(const struct export_plan *p, int64_t a, int64_t b)
{
    json_t *o = json_object();

    json_object_set_new(o, "from", iso(p, a));
    json_object_set_new(o, "to", iso(p, b));
    return o;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *plan_when(const void *data, int64_t ms)
{
    return iso(data, ms);
}

const char *export_source_why(const struct export_source *x, const struct export_source_said *s,
                              const char *codec, char *buf, size_t len)
{
    switch (s->used.use) {
    case REMUX_USED:
        return NULL;
    case REMUX_GONE:
        if (s->used.errnum == ENOENT)
            snprintf(buf, len, "gone since indexed");
        else
            snprintf(buf, len, "cannot open: %s", strerror(s->used.errnum));
        return buf;
    case REMUX_UNREADABLE:
        snprintf(buf, len, "not a video file camwatch can read");
        return buf;
    case REMUX_OTHER_CODEC:
        if (x->codec[0] != '\0' && strcmp(x->codec, codec) != 0)
            snprintf(buf, len, "changed since indexed: not %s video now", x->codec);
        else
            snprintf(buf, len, "a video codec other than the delivered file's (%s)", codec);
        return buf;
    case REMUX_OTHER_CONTAINER:
        snprintf(buf, len, "changed since indexed: not %s now", x->container);
        return buf;
    case REMUX_NO_KEYFRAME:
        snprintf(buf, len, "no keyframe in the range");
        return buf;
    case REMUX_REFUSED:
    case REMUX_NOT_READ:
        break;
    }
    if (x->removed)
        snprintf(buf, len, "its recorder is no longer configured");
    else if (x->abs[0] == '\0')
        snprintf(buf, len, "on a recorder camwatch reads no files from");
    else if (!x->readable)
        snprintf(buf, len, "unreadable when indexed: %s", x->reason);
    else if (s->read_errno != 0)
        snprintf(buf, len, "cannot read: %s", strerror(s->read_errno));
    else if (s->changed && s->bytes != x->bytes)
        snprintf(buf, len, "changed since indexed (%lld bytes, %lld when indexed)",
                 (long long)s->bytes, (long long)x->bytes);
    else if (s->changed)
        snprintf(buf, len, "changed since indexed (modified, same size)");
    else
        snprintf(buf, len, "not needed for the range");
    return buf;
}

/* Whether source k can be read now, and why not: unreadable when indexed, gone since, or not a
 * video file now. NULL when it can. */
static const char *unreadable_why(const struct export_camera *c, const struct export_outcome *o,
                                  size_t k, char *buf, size_t len)
{
    const struct export_source_said *s = &o->src[k];

    if (!c->src[k].readable)
        return c->src[k].reason;
    if (s->used.use == REMUX_GONE || s->used.use == REMUX_UNREADABLE || s->read_errno != 0)
        return export_source_why(&c->src[k], s, o->rx.codec, buf, len);
    return NULL;
}

/* Each source: as indexed (start, end, indexed_bytes), as read in this export (bytes, sha256:
 * of the very bytes the remux read), whether it is readable now, grew since indexed (a file
 * the recorder was still writing: its end is later than indexed) or changed otherwise, and
 * whether its footage is in the delivered file (used; not_used: why not). */
static json_t *sources_json(const struct export_plan *p, const struct export_camera *c,
                            const struct export_outcome *o)
{
    json_t *arr = json_array();

    for (size_t k = 0; k < c->n_src; k++) {
        const struct export_source *x = &c->src[k];
        const struct export_source_said *said = &o->src[k];
        char why[256], unread[256];
        const char *not_used = export_source_why(x, said, o->rx.codec, why, sizeof(why));
        const char *bad = unreadable_why(c, o, k, unread, sizeof(unread));
        json_t *s = json_object();
        json_object_set_new(s, "recorder", json_string(x->recorder));
        json_object_set_new(s, "file", json_string(x->path));
        json_object_set_new(s, "start", iso(p, x->start_ms));
        json_object_set_new(s, "end", iso(p, x->end_ms));
        json_object_set_new(s, "bytes", said->bytes >= 0 ? json_integer(said->bytes) : json_null());
        json_object_set_new(s, "indexed_bytes", json_integer(x->bytes));
        json_object_set_new(s, "sha256", str_or_null(said->sha256));
        json_object_set_new(s, "readable", json_boolean(bad == NULL));
        json_object_set_new(s, "reason", str_or_null(bad));
        json_object_set_new(s, "recorder_configured", json_boolean(!x->removed));
        json_object_set_new(s, "grew_since_indexed", json_boolean(said->grew));
        json_object_set_new(s, "changed_since_indexed", json_boolean(said->changed));
        json_object_set_new(s, "used", json_boolean(not_used == NULL));
        json_object_set_new(s, "not_used", str_or_null(not_used));
        json_array_append_new(arr, s);
    }
    return arr;
}

/* The clock: the offset in force, and the delivered range as the true time would be if the
 * times came from the camera's own clock (true = camera time - offset). */
static void clock_json(const struct export_plan *p, const struct export_camera *c,
                       const struct export_outcome *o, json_t *cam)
{
    json_t *k = json_object();
    char at[64];
    int64_t a, b;

    if (!c->has_clock) {
        json_decref(k);
        json_object_set_new(cam, "clock", json_null());
        json_object_set_new(cam, "corrected", json_null());
        return;
    }
    json_object_set_new(k, "offset_ms", json_integer(c->clock.offset_ms));
    json_object_set_new(k, "error_ms", json_integer(c->clock.error_ms));
    json_object_set_new(k, "measured_at", iso(p, c->clock.at_ms));
    json_object_set_new(k, "ntp", json_boolean(c->clock.ntp));
    json_object_set_new(cam, "clock", k);
    if (o->file[0] == '\0') {
        json_object_set_new(cam, "corrected", json_null());
        return;
    }
    /* The offset is to the millisecond, so is the range it corrects: from and to to the
     * nearest second, as every other time here (they were cut to the second below, up to a
     * second early), exact_from and exact_to exact. */
    a = o->rx.from_ms - c->clock.offset_ms;
    b = o->rx.to_ms - c->clock.offset_ms;
    k = span(p, nearest_s(a), nearest_s(b));
    json_object_set_new(k, "exact_from", json_string(time_ms(p, a, 0, at, sizeof(at))));
    json_object_set_new(k, "exact_to", json_string(time_ms(p, b, 0, at, sizeof(at))));
    json_object_set_new(cam, "corrected", k);
}

static json_t *camera_json(const struct export_plan *p, const struct export_camera *c,
                           const struct export_outcome *o)
{
    json_t *cam = json_object(), *gaps = json_array();
    int delivered = o->file[0] != '\0';

    doc_place_fields(cam, &c->place, c->dist_m);
    json_object_set_new(cam, "requested", span(p, p->req.scope.from_ms, p->req.scope.to_ms));
    json_object_set_new(cam, "delivered",
                        delivered ? span(p, o->rx.from_ms, o->rx.to_ms) : json_null());
    json_object_set_new(cam, "file", str_or_null(o->file));
    json_object_set_new(cam, "sha256", delivered ? json_string(o->sha256) : json_null());
    json_object_set_new(cam, "bytes", delivered ? json_integer(o->bytes) : json_null());
    json_object_set_new(cam, "codec", delivered ? json_string(o->rx.codec) : json_null());
    json_object_set_new(cam, "width", delivered ? json_integer(o->rx.width) : json_null());
    json_object_set_new(cam, "height", delivered ? json_integer(o->rx.height) : json_null());
    json_object_set_new(cam, "streams", delivered ? json_integer(o->rx.streams) : json_null());
    for (size_t k = 0; delivered && k < o->rx.n_jumps; k++)
        json_array_append_new(gaps, span(p, o->rx.jumps[k].from_ms, o->rx.jumps[k].to_ms));
    json_object_set_new(cam, "gaps", gaps);
    clock_json(p, c, o, cam);
    json_object_set_new(cam, "note", str_or_null(o->note));
    /* Whether footage was delivered or not: the end of what is delivered is not the end of
     * what exists when the index does not cover the camera over the range or stops knowing
     * before it ends. after: when the index stops knowing (the range's start when it never
     * knew); from: where that part of the range begins, to the requested end. */
    json_object_set_new(cam, "not_indexed_after",
                        o->unindexed[0] == '\0'   ? json_null()
                        : c->cov.known_until != 0 ? iso(p, c->cov.known_until)
                                                  : iso(p, o->unindexed_from_ms));
    json_object_set_new(cam, "not_indexed_from",
                        o->unindexed[0] != '\0' ? iso(p, o->unindexed_from_ms) : json_null());
    json_object_set_new(cam, "not_indexed", str_or_null(o->unindexed));
    json_object_set_new(cam, "sources", sources_json(p, c, o));
    return cam;
}

char *export_manifest_json(const struct export_plan *p, const struct export_outcome *o)
{
    json_t *doc = json_object(), *cams = json_array();
    char *text, *out;

    if (doc == NULL || cams == NULL) {
        json_decref(doc);
        json_decref(cams);
        return NULL;
    }
    json_object_set_new(doc, "format", json_string(MANIFEST_FORMAT));
    json_object_set_new(doc, "software", json_string("camwatch " CW_VERSION));
    json_object_set_new(doc, "site", json_string(p->site));
    json_object_set_new(doc, "time_zone", json_string(p->tz));
    json_object_set_new(doc, "request", doc_request_object(&p->req, plan_when, p));
    for (size_t i = 0; i < p->n; i++)
        json_array_append_new(cams, camera_json(p, &p->cams[i], &o[i]));
    json_object_set_new(doc, "cameras", cams);
    text = json_dumps(doc,
                      JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(JSON_REAL_DIGITS));
    json_decref(doc);
    if (text == NULL)
        return NULL;
    /* A final newline, as a text file has. */
    if ((out = malloc(strlen(text) + 2)) != NULL)
        snprintf(out, strlen(text) + 2, "%s\n", text);
    free(text);
    return out;
}

/* ---- manifest.txt ---- */

struct text {
    char *s;
    size_t n, cap;
    int oom;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int need;

    if (t->oom)
        return;
    va_start(ap, fmt);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || cw_vec_reserve(&t->s, t->n + (size_t)need + 1, &t->cap, 1, 1024) != 0) {
        t->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)need;
}

/* A time as people read it, whole: date, time and the zone's offset then ("2026-11-20
 * 21:00:01 +07:00"), so that no range reads as one day's when it spans two. */
static const char *when(const struct export_plan *p, int64_t ms, char *buf, size_t len)
{
    char day[32];
    int32_t off = cw_zone_offset_s(p->zone, ms), abs_off = off < 0 ? -off : off;

    cw_zone_strftime(p->zone, ms, "%Y-%m-%d %H:%M:%S", day, sizeof(day));
    snprintf(buf, len, "%s %c%02d:%02d", day, off < 0 ? '-' : '+', (int)(abs_off / 3600),
             (int)(abs_off % 3600 / 60));
    return buf;
}

static void txt_request(struct text *t, const struct export_plan *p)
{
    const struct store_request *r = &p->req;
    char a[48], b[48];

    add(t, "BIÊN BẢN TRÍCH XUẤT DỮ LIỆU HÌNH ẢNH / EVIDENCE EXPORT MANIFEST\n");
    add(t, "Phần mềm / Software: camwatch %s\n", CW_VERSION);
    add(t, "Đơn vị / Site: %s (múi giờ / time zone %s)\n\n", p->site, p->tz);
    add(t, "Yêu cầu số / Request: %lld\n", (long long)r->id);
    add(t, "Vụ việc / Case: %s\n", r->case_ref);
    add(t, "Người yêu cầu / Requested by: %s\n", r->by);
    add(t, "Lý do / Reason: %s\n", r->reason);
    add(t, "Ngày lập yêu cầu / Created: %s\n", when(p, r->created_ms, a, sizeof(a)));
    add(t, "Thời gian cần trích xuất / Time range: %s – %s\n",
        when(p, r->scope.from_ms, a, sizeof(a)), when(p, r->scope.to_ms, b, sizeof(b)));
    if (r->scope.place == STORE_PLACE_POINT)
        add(t, "Địa điểm / Place: bán kính %.0f m quanh / within %.0f m of %.6f, %.6f\n",
            r->scope.radius_m, r->scope.radius_m, r->scope.lat, r->scope.lon);
    else if (r->scope.place == STORE_PLACE_TEXT)
        add(t, "Địa điểm / Place: \"%s\"\n", r->text);
    else
        add(t, "Camera / Cameras: %s\n", r->cameras);
    add(t, "Số camera / Cameras: %zu\n", p->n);
}

static void txt_clock(struct text *t, const struct export_plan *p, const struct export_camera *c,
                      const struct export_outcome *o)
{
    char a[48], b[48], at[48];
    int64_t off = c->clock.offset_ms, abs_off = off < 0 ? -off : off;

    if (!c->has_clock) {
        add(t, "  Đồng hồ camera / Camera clock: chưa đo / never measured\n");
        return;
    }
    add(t,
        "  Đồng hồ camera / Camera clock: %s %lld.%03lld giây / %lld.%03lld s %s "
        "(đo lúc / measured %s, sai số / error ±%lld ms)\n",
        off < 0 ? "chậm" : "nhanh", (long long)(abs_off / 1000), (long long)(abs_off % 1000),
        (long long)(abs_off / 1000), (long long)(abs_off % 1000), off < 0 ? "behind" : "ahead",
        when(p, c->clock.at_ms, at, sizeof(at)), (long long)c->clock.error_ms);
    if (o->file[0] != '\0')
        add(t,
            "  Giờ thực nếu theo đồng hồ camera / True time if timed by the camera's clock: "
            "%s – %s\n",
            time_ms(p, o->rx.from_ms - off, 1, a, sizeof(a)),
            time_ms(p, o->rx.to_ms - off, 1, b, sizeof(b)));
}

/* A source file: its size and hash as read, whether its footage is in the file, and why not. */
static void txt_source(struct text *t, const struct export_camera *c,
                       const struct export_outcome *o, size_t k)
{
    const struct export_source *x = &c->src[k];
    const struct export_source_said *s = &o->src[k];
    char why[256], size[160];
    const char *not_used = export_source_why(x, s, o->rx.codec, why, sizeof(why));

    if (s->bytes >= 0 && s->grew)
        snprintf(size, sizeof(size),
                 "%lld bytes (lớn thêm từ khi lập chỉ mục / grew since indexed: %lld bytes then)",
                 (long long)s->bytes, (long long)x->bytes);
    else if (s->bytes >= 0)
        snprintf(size, sizeof(size), "%lld bytes", (long long)s->bytes);
    else
        snprintf(size, sizeof(size), "- bytes");
    add(t, "    %s:%s  %s  SHA-256 %s  %s%s\n", x->recorder, x->path, size,
        s->sha256[0] ? s->sha256 : "-",
        not_used == NULL ? "đã dùng / used" : "không dùng / not used: ",
        not_used == NULL ? "" : not_used);
}

static void txt_camera(struct text *t, const struct export_plan *p, const struct export_camera *c,
                       const struct export_outcome *o)
{
    const struct store_place *pl = &c->place;
    char a[48], b[48], unindexed[sizeof(o->unindexed)];
    /* The note is the statement of what the index cannot say when that is why nothing came:
     * its times as every other time here, not as manifest.json gives them. */
    int note_unindexed = o->unindexed[0] != '\0' && strcmp(o->unindexed, o->note) == 0;

    export_unindexed_words(p, c, o->unindexed_from_ms, 1, unindexed, sizeof(unindexed));
    add(t, "\nCamera %s — %s\n", pl->id, pl->name);
    add(t, "  Địa chỉ / Address: %s%s%s%s%s\n", pl->address, pl->road[0] ? ", " : "", pl->road,
        pl->commune[0] ? ", " : "", pl->commune);
    if (pl->has_position)
        add(t, "  Vị trí / Position: %.6f, %.6f\n", pl->lat, pl->lon);
    if (c->dist_m >= 0)
        add(t, "  Cách điểm yêu cầu / Distance from the place: %.0f m\n", c->dist_m);
    add(t, "  Đầu ghi / Recorder: %s\n", pl->recorder[0] ? pl->recorder : "-");
    add(t, "  Yêu cầu / Requested: %s – %s\n", when(p, p->req.scope.from_ms, a, sizeof(a)),
        when(p, p->req.scope.to_ms, b, sizeof(b)));
    if (o->file[0] == '\0') {
        add(t, "  Không trích xuất được / Nothing delivered: %s\n",
            note_unindexed ? unindexed : o->note);
    } else {
        add(t, "  Trích xuất được / Delivered: %s – %s\n", when(p, o->rx.from_ms, a, sizeof(a)),
            when(p, o->rx.to_ms, b, sizeof(b)));
        for (size_t k = 0; k < o->rx.n_jumps; k++)
            add(t, "  Khoảng trống, không có dữ liệu / Gap, no footage: %s – %s\n",
                when(p, o->rx.jumps[k].from_ms, a, sizeof(a)),
                when(p, o->rx.jumps[k].to_ms, b, sizeof(b)));
        if (o->note[0] != '\0')
            add(t, "  Ghi chú / Note: %s\n", o->note);
        add(t, "  Tệp / File: %s (%s %dx%d, %d luồng / streams, %lld bytes)\n", o->file,
            o->rx.codec, o->rx.width, o->rx.height, o->rx.streams, (long long)o->bytes);
        add(t, "  SHA-256: %s\n", o->sha256);
    }
    /* Said whenever the index does not cover some of the range, unless the note said why; and
     * which part. */
    if (o->unindexed[0] != '\0' && !note_unindexed)
        add(t, "  Chưa lập chỉ mục / Not indexed: %s\n", unindexed);
    if (o->unindexed[0] != '\0')
        add(t, "  Khoảng chưa lập chỉ mục / Part of the range not indexed: %s – %s%s\n",
            when(p, o->unindexed_from_ms, a, sizeof(a)), when(p, p->req.scope.to_ms, b, sizeof(b)),
            o->unindexed_from_ms <= p->req.scope.from_ms ? " (cả khoảng / all of it)" : "");
    txt_clock(t, p, c, o);
    if (c->n_src > 0)
        add(t, "  Tệp nguồn / Source files:\n");
    for (size_t k = 0; k < c->n_src; k++)
        txt_source(t, c, o, k);
}

char *export_manifest_txt(const struct export_plan *p, const struct export_outcome *o)
{
    struct text t = {0};

    txt_request(&t, p);
    for (size_t i = 0; i < p->n; i++)
        txt_camera(&t, p, &p->cams[i], &o[i]);
    add(&t, "\nMã băm SHA-256 của mọi tệp nằm trong SHA256SUMS; kiểm tra bằng "
            "`sha256sum -c SHA256SUMS`.\n"
            "The SHA-256 of every file is in SHA256SUMS; check them with "
            "`sha256sum -c SHA256SUMS`.\n");
    if (t.oom) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
