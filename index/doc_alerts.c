/* doc_alerts.c - the alert history: each alert decided (a camera's settled change, flapping,
 * settling, a digest, a test) with its deliveries' outcome, oldest first. Read-only; the
 * arrays it reads are freed before it returns. */
#include "doc_priv.h"

#include <stdint.h>
#include <stdlib.h>

#include "store_alert.h"

static json_t *delivery_json(const struct doc_ctx *c, const struct store_delivery *d)
{
    json_t *o = json_object();

    json_object_set_new(o, "channel", json_string(d->channel));
    json_object_set_new(o, "target", json_string(d->target));
    json_object_set_new(o, "status", json_string(store_delivery_status_name(d->status)));
    json_object_set_new(o, "attempts", json_integer(d->attempts));
    json_object_set_new(o, "last_attempt", doc_iso_or_null(c, d->last_ms));
    json_object_set_new(o, "next_attempt",
                        d->status == STORE_DELIVERY_PENDING ? doc_iso_or_null(c, d->next_ms)
                                                            : json_null());
    json_object_set_new(o, "error", doc_str_or_null(d->error));
    return o;
}

static json_t *alert_json(const struct doc_ctx *c, const struct store_alert *a)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "at", doc_iso(c, a->at_ms));
    json_object_set_new(o, "at_ms", json_integer(a->at_ms));
    json_object_set_new(o, "kind", json_string(a->kind));
    json_object_set_new(o, "camera", doc_str_or_null(a->camera_id));
    json_object_set_new(o, "from",
                        a->has_states ? json_string(cw_state_name(a->from)) : json_null());
    json_object_set_new(o, "to", a->has_states ? json_string(cw_state_name(a->to)) : json_null());
    json_object_set_new(o, "since", doc_iso_or_null(c, a->since_ms));
    json_object_set_new(o, "changes", json_integer(a->changes));
    json_object_set_new(o, "reason", doc_str_or_null(a->reason));
    json_object_set_new(o, "summary", json_string(a->summary));
    json_object_set_new(o, "deliveries", json_array());
    return o;
}

/* The first of d[0..m) (by alert id) that is alert_id's, or m. */
static size_t first_of(const struct store_delivery *d, size_t m, int64_t alert_id)
{
    size_t lo = 0, hi = m;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d[mid].alert_id < alert_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int doc_alerts(const struct doc_ctx *c, const struct doc_alerts_query *q, json_t **out,
               struct cw_err *err)
{
    struct store_alert *a = NULL;
    struct store_delivery *d = NULL;
    size_t n = 0, m = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    json_t *arr = NULL;
    int rc;

    *out = NULL;
    if (q->camera != NULL && (rc = doc_require_camera(c->store, q->camera, NULL, err)) != 0)
        return rc;
    if (store_list_alerts(c->store, q->camera, q->since_ms, q->limit, &a, &n, err) != 0)
        return -1;
    /* Alerts come by time, which is not their ids' order: the daemon writes what one pass
     * decides camera by camera, each at the time its change had lasted hold. */
    for (size_t i = 0; i < n; i++) {
        lo = a[i].id < lo ? a[i].id : lo;
        hi = a[i].id > hi ? a[i].id : hi;
    }
    if (n > 0 && store_list_deliveries(c->store, lo, hi, &d, &m, err) != 0) {
        free(a);
        return -1;
    }
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *o = alert_json(c, &a[i]), *dv = json_object_get(o, "deliveries");
        /* The deliveries are by alert id; an alert of another camera in between has its own. */
        for (size_t j = first_of(d, m, a[i].id); j < m && d[j].alert_id == a[i].id; j++)
            json_array_append_new(dv, delivery_json(c, &d[j]));
        json_array_append_new(arr, o);
    }
    free(a);
    free(d);
    return doc_give(arr, out, err);
}
