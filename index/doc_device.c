/* doc_device.c - the ONVIF views: one camera's device facts (endpoints, profiles, clock and
 * fact history) and every camera's latest clock offset, worst first. Read-only. */
#include "doc_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *doc_clock_one(const struct doc_ctx *c, const void *elem)
{
    const struct store_clock *k = elem;

    return json_pack("{s:s, s:I, s:I, s:o, s:b}", "id", k->camera_id, "clock_offset_ms",
                     (json_int_t)k->offset_ms, "error_ms", (json_int_t)k->error_ms, "measured_at",
                     doc_iso_or_null(c, k->at_ms), "ntp", k->ntp);
}

/* The device's words were made UTF-8 as they were read (xmltext_sanitize); 0 is not known. */
static json_t *profile_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_profile *p = elem;

    (void)c;
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "token", p->token, "name",
        doc_str_or_null(p->name), "encoding", doc_str_or_null(p->encoding), "width",
        p->width > 0 ? json_integer(p->width) : json_null(), "height",
        p->height > 0 ? json_integer(p->height) : json_null(), "fps_limit",
        p->fps_limit > 0 ? json_real(p->fps_limit) : json_null(), "bitrate_limit_kbps",
        p->bitrate_limit_kbps > 0 ? json_integer(p->bitrate_limit_kbps) : json_null(), "gov_length",
        p->gov_length > 0 ? json_integer(p->gov_length) : json_null(), "encoder_token",
        doc_str_or_null(p->encoder_token), "stream_uri", doc_str_or_null(p->stream_uri),
        "snapshot_uri", doc_str_or_null(p->snapshot_uri), "streamed", p->streamed);
}

void doc_change_fields(json_t *o, const struct store_device_change *d)
{
    json_object_set_new(o, "field", json_string(d->field));
    json_object_set_new(o, "old", json_string(d->old_value));
    json_object_set_new(o, "new", json_string(d->new_value));
}

static json_t *change_json(const struct doc_ctx *c, const void *elem)
{
    const struct store_device_change *d = elem;
    json_t *o = json_object();

    json_object_set_new(o, "at", doc_iso_or_null(c, d->at_ms));
    doc_change_fields(o, d);
    return o;
}

/* Everything doc_view_device reads, freed by device_clear. */
struct device_rows {
    char id[CFG_ID_MAX + 1];
    int found; /* the camera has ONVIF facts */
    struct store_status st;
    struct store_device d;
    struct store_endpoint *ep;
    size_t n_ep;
    struct store_profile *pr;
    size_t n_pr;
    struct store_clock *clocks;
    size_t n_clocks;
    struct store_device_change *changes;
    size_t n_changes;
};

static void device_facts(const struct doc_ctx *c, const struct device_rows *v, json_t *o)
{
    const struct store_device *d = &v->d;

    json_object_set_new(o, "id", json_string(d->camera_id));
    json_object_set_new(o, "name", json_string(v->st.name));
    json_object_set_new(o, "probed_at", doc_iso_or_null(c, d->probed_ms));
    json_object_set_new(o, "ok", json_boolean(d->ok));
    json_object_set_new(o, "error", doc_str_or_null(d->error));
    json_object_set_new(o, "facts_at", doc_iso_or_null(c, d->facts_ms));
    json_object_set_new(o, "manufacturer", doc_str_or_null(d->manufacturer));
    json_object_set_new(o, "model", doc_str_or_null(d->model));
    json_object_set_new(o, "firmware", doc_str_or_null(d->firmware));
    json_object_set_new(o, "serial", doc_str_or_null(d->serial));
    json_object_set_new(o, "hardware_id", doc_str_or_null(d->hardware_id));
    json_object_set_new(o, "auth", doc_str_or_null(d->auth));
    json_object_set_new(o, "clock_offset_ms",
                        d->has_clock ? json_integer(d->clock_offset_ms) : json_null());
    json_object_set_new(o, "clock_error_ms",
                        d->has_clock ? json_integer(d->clock_error_ms) : json_null());
    json_object_set_new(o, "clock_measured_at",
                        d->has_clock ? doc_iso_or_null(c, d->clock_at_ms) : json_null());
    json_object_set_new(o, "ntp", d->has_clock ? json_boolean(d->ntp) : json_null());
    json_object_set_new(o, "stream_uri_note", doc_str_or_null(d->uri_note));
    json_object_set_new(o, "snapshot_path", doc_str_or_null(d->snapshot_path));
}

static json_t *device_json(const struct doc_ctx *c, const struct device_rows *v)
{
    json_t *o = json_object(), *ep = json_object();

    if (o == NULL)
        return NULL;
    device_facts(c, v, o);
    for (size_t i = 0; i < v->n_ep; i++)
        json_object_set_new(ep, v->ep[i].service, json_string(v->ep[i].url));
    if (json_object_set_new(o, "endpoints", ep) != 0 ||
        json_object_set_new(o, "profiles",
                            doc_array(c, v->pr, v->n_pr, sizeof(*v->pr), profile_json)) != 0 ||
        json_object_set_new(
            o, "clock_history",
            doc_array(c, v->clocks, v->n_clocks, sizeof(*v->clocks), doc_clock_one)) != 0 ||
        json_object_set_new(
            o, "changes",
            doc_array(c, v->changes, v->n_changes, sizeof(*v->changes), change_json)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void device_clear(void *rows)
{
    struct device_rows *v = rows;

    free(v->ep);
    free(v->pr);
    free(v->clocks);
    free(v->changes);
}

static int device_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    const struct doc_camera_query *q = query;
    struct device_rows *v = rows;
    int rc;

    if ((rc = doc_require_camera(s, q->id, &v->st, err)) != 0)
        return rc;
    snprintf(v->id, sizeof(v->id), "%s", q->id); /* found: no longer than a stored id */
    if ((rc = store_get_device(s, q->id, &v->d, &v->ep, &v->n_ep, &v->pr, &v->n_pr, err)) < 0)
        return -1;
    v->found = rc == 0;
    if (v->found &&
        (store_list_clocks(s, q->id, q->at_ms, &v->clocks, &v->n_clocks, err) != 0 ||
         store_list_device_changes(s, q->id, q->at_ms, &v->changes, &v->n_changes, err) != 0))
        return -1;
    return 0;
}

static int device_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                        struct cw_err *err)
{
    const struct device_rows *v = rows;

    (void)query;
    *out = NULL;
    if (!v->found) {
        const struct cfg_camera *cc = cfg_find_camera(c->cfg, v->id);
        cw_err_set(err, NULL, 0, NULL, "%s: no ONVIF facts yet (%s)", v->id,
                   cc != NULL && cc->onvif_url[0] == '\0' ? "no onvif_url in the inventory"
                                                          : "not probed over ONVIF yet");
        return DOC_NOT_FOUND;
    }
    return doc_give(device_json(c, v), out, err);
}

const struct doc_view doc_view_device = {&doc_camera_query_type, sizeof(struct device_rows),
                                         device_read, device_build, device_clear};

static int worst_first(const void *a, const void *b)
{
    const struct store_device *x = a, *y = b;
    int64_t ax = x->clock_offset_ms < 0 ? -x->clock_offset_ms : x->clock_offset_ms;
    int64_t ay = y->clock_offset_ms < 0 ? -y->clock_offset_ms : y->clock_offset_ms;

    if (ax != ay)
        return ax > ay ? -1 : 1;
    return strcmp(x->camera_id, y->camera_id);
}

/* A device row's latest clock reading as doc_clock_one's object. */
static json_t *latest_clock(const struct doc_ctx *c, const void *elem)
{
    const struct store_device *d = elem;
    struct store_clock k = {.at_ms = d->clock_at_ms,
                            .offset_ms = d->clock_offset_ms,
                            .error_ms = d->clock_error_ms,
                            .ntp = d->ntp};

    snprintf(k.camera_id, sizeof(k.camera_id), "%s", d->camera_id);
    return doc_clock_one(c, &k);
}

static int clock_read(struct store *s, const void *query, void *rows, struct cw_err *err)
{
    struct store_device *v = NULL;
    size_t n = 0;
    int rc = store_list_devices(s, &v, &n, err);

    (void)query;
    return doc_list_take(rows, rc, v, n, sizeof(*v), latest_clock);
}

/* The cameras ever measured, furthest off first, then their array. */
static int clock_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                       struct cw_err *err)
{
    struct doc_list *l = rows;
    struct store_device *v = l->v;
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++)
        if (v[i].has_clock)
            v[k++] = v[i];
    if (k > 1) /* v is NULL when there is no device row */
        qsort(v, k, sizeof(*v), worst_first);
    l->n = k;
    return doc_list_build(c, query, rows, out, err);
}

const struct doc_view doc_view_clock = {NULL, sizeof(struct doc_list), clock_read, clock_build,
                                        doc_list_clear};
