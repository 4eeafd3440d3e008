/* doc_samples.c - the samples view: a camera's stream samples, raw and hourly, as measured
 * and as judged; and which file is a camera's newest picture. Read-only. doc_picture reads no
 * zone and no configuration: any thread. */
#include "doc_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The frame sizes a sample measured (null when it did not): what tells a frozen encoder's
 * empty inter frames from a quiet live scene. */
static void sample_sizes(const struct store_sample *v, json_t *o)
{
    int inter = v->inter_frames > 0;

    json_object_set_new(o, "key_bytes", v->key_bytes > 0 ? json_real(v->key_bytes) : json_null());
    json_object_set_new(o, "inter_frames", inter ? json_integer(v->inter_frames) : json_null());
    json_object_set_new(o, "inter_bytes", inter ? json_real(v->inter_bytes) : json_null());
    json_object_set_new(o, "inter_min_bytes",
                        inter ? json_integer(v->inter_min_bytes) : json_null());
}

/* Stream facts are real when media was read, picture facts when a keyframe was decoded; the
 * rest of a sample that is neither is zeros, given as null. */
static json_t *sample_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_sample *v = elem;
    char hash[32];
    json_t *o = json_object();
    int ok = v->ok != 0, pic = v->has_picture != 0;

    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)v->phash);
    json_object_set_new(o, "camera", json_string(v->camera_id));
    json_object_set_new(o, "at", doc_iso(c, v->at_ms));
    json_object_set_new(o, "at_ms", json_integer(v->at_ms));
    json_object_set_new(o, "hourly", json_boolean(v->hourly));
    json_object_set_new(o, "count", json_integer(v->count));
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(o, "error", doc_str_or_null(v->error));
    json_object_set_new(o, "codec", doc_str_or_null(v->codec));
    json_object_set_new(o, "width", v->width > 0 ? json_integer(v->width) : json_null());
    json_object_set_new(o, "height", v->height > 0 ? json_integer(v->height) : json_null());
    json_object_set_new(o, "fps", ok ? json_real(v->fps) : json_null());
    json_object_set_new(o, "bitrate_kbps", ok ? json_real(v->bitrate_kbps) : json_null());
    json_object_set_new(o, "gop_frames", ok ? json_real(v->gop_frames) : json_null());
    json_object_set_new(o, "gop_s", ok ? json_real(v->gop_s) : json_null());
    json_object_set_new(o, "first_key_ms",
                        v->first_key_ms >= 0 ? json_integer(v->first_key_ms) : json_null());
    json_object_set_new(o, "ts_jumps", json_integer(v->ts_jumps));
    json_object_set_new(o, "ts_backwards", json_integer(v->ts_backwards));
    json_object_set_new(o, "corrupt_packets", json_integer(v->corrupt_packets));
    json_object_set_new(o, "lost_frames", json_integer(v->lost_frames));
    json_object_set_new(o, "has_picture", json_boolean(pic));
    json_object_set_new(o, "luma_mean", pic ? json_real(v->luma_mean) : json_null());
    json_object_set_new(o, "luma_spread", pic ? json_real(v->luma_spread) : json_null());
    json_object_set_new(o, "sharpness", pic ? json_real(v->sharpness) : json_null());
    json_object_set_new(o, "phash", pic ? json_string(hash) : json_null());
    json_object_set_new(o, "ref_distance",
                        v->ref_distance >= 0 ? json_integer(v->ref_distance) : json_null());
    json_object_set_new(o, "flags", doc_split(v->flags, ','));
    json_object_set_new(o, "reasons", json_string(v->reasons));
    sample_sizes(v, o);
    return o;
}

static int samples_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_camera_query *q = query;
    struct store_sample *v = NULL;
    size_t n = 0;
    int rc = doc_require_camera(s, q->id, NULL, err);

    if (rc == 0 && store_list_samples(s, q->id, q->at_ms, &v, &n, err) != 0)
        rc = -1;
    return doc_list_take(rows, rc, v, n, sizeof(*v), sample_json);
}

const struct doc_view doc_view_samples = {&doc_camera_query_type, sizeof(struct doc_list),
                                          samples_read, doc_list_build, doc_list_clear};

int doc_picture(const struct doc_ctx *c, const char *id, char *path, size_t len, struct cw_err *err)
{
    struct store_status st;
    struct store_device snap;
    struct stat a, b;
    const char *s = NULL, *pick;
    int rc;

    if ((rc = doc_require_camera(c->store, id, &st, err)) != 0)
        return rc;
    if (store_get_device(c->store, id, &snap, NULL, NULL, NULL, NULL, err) == 0 &&
        snap.snapshot_path[0] != '\0')
        s = snap.snapshot_path;
    if (st.thumb_path[0] == '\0')
        pick = s;
    else if (s == NULL || stat(s, &b) != 0)
        pick = st.thumb_path;
    else if (stat(st.thumb_path, &a) != 0 || b.st_mtime > a.st_mtime)
        pick = s;
    else
        pick = st.thumb_path;
    if (pick == NULL) {
        cw_err_set(err, NULL, 0, NULL,
                   "%s: no thumbnail yet (none of its stream samples has decoded a picture, and "
                   "it has no ONVIF snapshot)",
                   id);
        return DOC_NOT_FOUND;
    }
    snprintf(path, len, "%s", pick);
    return 0;
}
