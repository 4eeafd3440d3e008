/* report_fixture.c - writes a history the reports' integration test (test_report.py) made up,
 * through the store's own writers, as the daemon would have written it over weeks:
 *
 *   report_fixture CONF SPEC.json
 *
 * CONF is the site's camwatch.conf (its inventory is synced into its store at created_ms);
 * SPEC holds {created_ms, events: [ {camera, at_ms, to, reason} ] (in time order for each
 * camera), samples: [ {camera, at_ms, flags, luma, sharpness} ], devices: [ {camera,
 * probed_ms, ok, error, manufacturer, model, firmware, clock_offset_ms, ntp, profile:
 * {width, height, fps_limit, bitrate_limit_kbps}} ]}. Exits 0, or 1 saying what failed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/cfg.h"
#include "../index/store.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

static int64_t num(const json_t *o, const char *k)
{
    return (int64_t)json_number_value(json_object_get(o, k));
}

static int events(struct store *s, const struct cfg *cfg, const json_t *list, struct cw_err *err)
{
    enum cw_state *cur = calloc(cfg->n_cameras + 1, sizeof(*cur));
    const json_t *e;
    size_t i;
    int rc = 0;

    json_array_foreach(list, i, e)
    {
        const struct cfg_camera *cam = cfg_find_camera(cfg, str(e, "camera"));
        enum cw_state to;
        if (cam == NULL || cw_state_parse(str(e, "to"), &to) != 0) {
            rc = cw_err_set(err, NULL, 0, NULL, "event %zu: bad camera or state", i);
            break;
        }
        size_t k = (size_t)(cam - cfg->cameras);
        if (store_record_transition(s, cam->id, cur[k], to, num(e, "at_ms"), str(e, "reason"),
                                    err) != 0) {
            rc = -1;
            break;
        }
        cur[k] = to;
    }
    free(cur);
    return rc;
}

static int samples(struct store *s, const json_t *list, struct cw_err *err)
{
    const json_t *o;
    size_t i;

    json_array_foreach(list, i, o)
    {
        struct store_sample smp = {0};
        snprintf(smp.camera_id, sizeof(smp.camera_id), "%s", str(o, "camera"));
        smp.at_ms = num(o, "at_ms");
        smp.ok = 1;
        smp.fps = 15;
        smp.bitrate_kbps = 600;
        smp.first_key_ms = -1;
        smp.has_picture = 1;
        smp.luma_mean = json_number_value(json_object_get(o, "luma"));
        smp.sharpness = json_number_value(json_object_get(o, "sharpness"));
        smp.ref_distance = -1;
        snprintf(smp.flags, sizeof(smp.flags), "%s", str(o, "flags"));
        if (store_record_sample(s, &smp, NULL, err) != 0)
            return -1;
    }
    return 0;
}

static int devices(struct store *s, const json_t *list, struct cw_err *err)
{
    const json_t *o;
    size_t i;

    json_array_foreach(list, i, o)
    {
        const json_t *p = json_object_get(o, "profile"),
                     *off = json_object_get(o, "clock_offset_ms");
        struct store_profile pr = {.token = "main", .encoding = "h264", .streamed = 1};
        struct store_device d = {.probed_ms = num(o, "probed_ms"),
                                 .ok = json_is_true(json_object_get(o, "ok"))};
        snprintf(d.camera_id, sizeof(d.camera_id), "%s", str(o, "camera"));
        snprintf(d.error, sizeof(d.error), "%s", str(o, "error"));
        snprintf(d.manufacturer, sizeof(d.manufacturer), "%s", str(o, "manufacturer"));
        snprintf(d.model, sizeof(d.model), "%s", str(o, "model"));
        snprintf(d.firmware, sizeof(d.firmware), "%s", str(o, "firmware"));
        if (off != NULL) {
            d.has_clock = 1;
            d.clock_at_ms = d.probed_ms;
            d.clock_offset_ms = (int64_t)json_number_value(off);
            d.clock_error_ms = 500;
            d.ntp = json_is_true(json_object_get(o, "ntp"));
        }
        if (p != NULL) {
            pr.width = (int)num(p, "width");
            pr.height = (int)num(p, "height");
            pr.fps_limit = json_number_value(json_object_get(p, "fps_limit"));
            pr.bitrate_limit_kbps = (int)num(p, "bitrate_limit_kbps");
        }
        if (store_record_device(s, &d, NULL, 0, p != NULL ? &pr : NULL, p != NULL, NULL, NULL,
                                err) != 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cw_errlist errs = {0};
    struct cw_err err = {0};
    struct cfg *cfg = NULL;
    struct store *s = NULL;
    json_error_t je;
    json_t *spec;
    char buf[1024];
    int rc = 1;

    if (argc != 3) {
        fputs("usage: report_fixture CONF SPEC.json\n", stderr);
        return 2;
    }
    if ((spec = json_load_file(argv[2], 0, &je)) == NULL) {
        fprintf(stderr, "report_fixture: %s:%d: %s\n", argv[2], je.line, je.text);
        return 1;
    }
    if (cfg_load(argv[1], &cfg, &errs) != 0) {
        for (size_t i = 0; i < errs.n; i++) {
            cw_err_format(&errs.v[i], buf, sizeof(buf));
            fprintf(stderr, "report_fixture: %s\n", buf);
        }
        goto done;
    }
    if (store_open(cfg->database, STORE_READWRITE, &s, &err) != 0 ||
        store_sync_cameras(s, cfg, num(spec, "created_ms"), &err) != 0 ||
        events(s, cfg, json_object_get(spec, "events"), &err) != 0 ||
        samples(s, json_object_get(spec, "samples"), &err) != 0 ||
        devices(s, json_object_get(spec, "devices"), &err) != 0) {
        cw_err_format(&err, buf, sizeof(buf));
        fprintf(stderr, "report_fixture: %s\n", buf);
        goto done;
    }
    rc = 0;
done:
    store_close(s);
    cfg_free(cfg);
    cw_errlist_clear(&errs);
    json_decref(spec);
    return rc;
}
