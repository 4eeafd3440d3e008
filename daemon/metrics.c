/* metrics.c - the Prometheus exposition (metrics.h), written with stdio into memory
 * (open_memstream). Each family is its HELP and TYPE lines, then its samples. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/state.h"

#define N_STATES 5 /* enum cw_state values */

/* Label values of the probes' outcomes, in their enums' order. */
static const char *const rtsp_outcomes[] = {
    "ok",         "timeout",  "refused",   "unreachable", "auth",    "not_found", "server_error",
    "bad_status", "not_rtsp", "too_large", "truncated",   "bad_sdp", "error"};
static const char *const onvif_outcomes[] = {
    "ok",        "timeout",   "refused", "unreachable", "auth",  "http_status", "not_soap",
    "too_large", "truncated", "tls",     "bad_answer",  "fault", "error"};
_Static_assert(sizeof(rtsp_outcomes) / sizeof(rtsp_outcomes[0]) == FLEET_RTSP_OUTCOMES,
               "one label per RTSP outcome");
_Static_assert(sizeof(onvif_outcomes) / sizeof(onvif_outcomes[0]) == FLEET_ONVIF_OUTCOMES,
               "one label per ONVIF outcome");

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '"')
            fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

/* One sample of a camera's family: {camera, owner} and, when extra is not NULL, one more
 * label extra=extra_value. */
static void camera_sample(FILE *f, const char *name, const json_t *cam, const char *extra,
                          const char *extra_value, double v)
{
    fprintf(f, "%s{camera=\"", name);
    label_value(f, jstr(cam, "id"));
    fputs("\",owner=\"", f);
    label_value(f, jstr(cam, "owner"));
    if (extra != NULL) {
        fprintf(f, "\",%s=\"", extra);
        label_value(f, extra_value);
    }
    fprintf(f, "\"} %.15g\n", v);
}

/* A family with one sample per camera whose key is a number (scaled), cameras without it
 * left out. */
static void camera_family(FILE *f, const json_t *status, const char *name, const char *help,
                          const char *key, double scale)
{
    const json_t *cam;
    size_t i;

    family(f, name, "gauge", help);
    json_array_foreach(status, i, cam)
    {
        const json_t *v = json_object_get(cam, key);
        if (json_is_number(v))
            camera_sample(f, name, cam, NULL, NULL, json_number_value(v) * scale);
    }
}

/* camwatch_camera_info's labels, each from the status document's key. */
static const struct {
    const char *label, *key;
} info_labels[] = {{"camera", "id"}, {"owner", "owner"}, {"commune", "commune"}, {"name", "name"}};

static void cameras(FILE *f, const json_t *status)
{
    const json_t *cam;
    size_t i;

    family(f, "camwatch_cameras", "gauge", "Cameras in the inventory, retired ones left out.");
    fprintf(f, "camwatch_cameras %zu\n", json_array_size(status));
    family(f, "camwatch_camera_info", "gauge", "A camera's names; always 1.");
    json_array_foreach(status, i, cam)
    {
        fputs("camwatch_camera_info{", f);
        for (size_t l = 0; l < sizeof(info_labels) / sizeof(info_labels[0]); l++) {
            fprintf(f, "%s%s=\"", l > 0 ? "," : "", info_labels[l].label);
            label_value(f, jstr(cam, info_labels[l].key));
            fputc('"', f);
        }
        fputs("} 1\n", f);
    }
    family(f, "camwatch_camera_up", "gauge",
           "1 when the camera answers (state up or degraded), else 0.");
    json_array_foreach(status, i, cam)
    {
        const char *st = jstr(cam, "state");
        camera_sample(f, "camwatch_camera_up", cam, NULL, NULL,
                      strcmp(st, "up") == 0 || strcmp(st, "degraded") == 0);
    }
    family(f, "camwatch_camera_state", "gauge", "1 for the camera's current state, else 0.");
    json_array_foreach(status, i, cam)
    {
        for (enum cw_state s = 0; s < N_STATES; s++)
            camera_sample(f, "camwatch_camera_state", cam, "state", cw_state_name(s),
                          strcmp(jstr(cam, "state"), cw_state_name(s)) == 0);
    }
    camera_family(f, status, "camwatch_camera_state_since_timestamp_seconds",
                  "When the camera entered its current state, Unix time.", "since_ms", 1e-3);
    camera_family(f, status, "camwatch_camera_probe_latency_seconds",
                  "Time to the answer of the camera's last RTSP DESCRIBE.", "latency_ms", 1e-3);
    camera_family(f, status, "camwatch_camera_last_probe_timestamp_seconds",
                  "When the camera was last probed, Unix time.", "last_probe_ms", 1e-3);
    camera_family(f, status, "camwatch_camera_last_success_timestamp_seconds",
                  "When the camera last answered a probe well, Unix time.", "last_ok_ms", 1e-3);
}

/* The stream facts, from the last sample that read media only. */
static void stream(FILE *f, const json_t *status)
{
    const json_t *cam;
    size_t i;

    family(f, "camwatch_camera_frames_per_second", "gauge",
           "Frame rate measured by the camera's last stream sample.");
    json_array_foreach(status, i, cam)
    {
        const json_t *fps = json_object_get(cam, "fps");
        if (json_is_number(fps) && json_is_number(json_object_get(cam, "last_sample_ms")))
            camera_sample(f, "camwatch_camera_frames_per_second", cam, NULL, NULL,
                          json_number_value(fps));
    }
    /* In bytes: Prometheus' base unit (promtool lints a _bits_ name); bits are 8 times it. */
    camera_family(f, status, "camwatch_camera_bitrate_bytes_per_second",
                  "Bitrate measured by the camera's last stream sample, in bytes a second.",
                  "bitrate_kbps", 1e3 / 8);
}

/* camera id -> its status object (borrowed), for the labels of figures read elsewhere. */
static json_t *status_by_id(const json_t *status)
{
    json_t *by_id = json_object();
    const json_t *cam;
    size_t i;

    json_array_foreach(status, i, cam)
    {
        json_object_set(by_id, jstr(cam, "id"), (json_t *)cam);
    }
    return by_id;
}

static void clocks(FILE *f, const json_t *by_id, const json_t *clock)
{
    const json_t *c, *cam;
    size_t i;

    family(f, "camwatch_camera_clock_offset_seconds", "gauge",
           "The camera's clock minus true time at its last ONVIF reading (positive: ahead).");
    json_array_foreach(clock, i, c)
    {
        if ((cam = json_object_get(by_id, jstr(c, "id"))) != NULL)
            camera_sample(f, "camwatch_camera_clock_offset_seconds", cam, NULL, NULL,
                          (double)json_integer_value(json_object_get(c, "clock_offset_ms")) / 1e3);
    }
}

static void footage(FILE *f, const json_t *by_id, const struct store_footage_oldest *v, size_t n)
{
    const json_t *cam;

    family(f, "camwatch_camera_footage_oldest_timestamp_seconds", "gauge",
           "The oldest footage of the camera its recorder still holds, Unix time.");
    for (size_t i = 0; i < n; i++)
        if ((cam = json_object_get(by_id, v[i].camera_id)) != NULL)
            camera_sample(f, "camwatch_camera_footage_oldest_timestamp_seconds", cam, NULL, NULL,
                          (double)v[i].oldest_ms / 1e3);
}

/* The daemon's own health: how late its loop runs, how its store writes go. */
static void vitals(FILE *f, const double *lag_ms, const struct batch_health *b)
{
    if (lag_ms != NULL) {
        family(f, "camwatch_loop_lag_seconds", "gauge",
               "How late the daemon's event loop ran its last one-second tick.");
        fprintf(f, "camwatch_loop_lag_seconds %.6f\n", lag_ms[0] / 1e3);
        family(f, "camwatch_loop_lag_max_seconds", "gauge",
               "The latest the event loop ran a tick over the last minute or two.");
        fprintf(f, "camwatch_loop_lag_max_seconds %.6f\n", lag_ms[1] / 1e3);
    }
    if (b != NULL) {
        family(f, "camwatch_store_write_seconds", "gauge",
               "How long the last store transaction of the daemon took to commit.");
        fprintf(f, "camwatch_store_write_seconds %.6f\n", b->last_write_ms / 1e3);
        family(f, "camwatch_store_write_max_seconds", "gauge",
               "The longest store commit over the last minute.");
        fprintf(f, "camwatch_store_write_max_seconds %.6f\n", b->max_write_ms / 1e3);
        family(f, "camwatch_store_commits_total", "counter",
               "Store transactions committed since the daemon started.");
        fprintf(f, "camwatch_store_commits_total %llu\n", (unsigned long long)b->commits);
        family(f, "camwatch_store_pending_writes", "gauge",
               "Writes kept in memory that the store has not taken yet.");
        fprintf(f, "camwatch_store_pending_writes %zu\n", b->pending);
        family(f, "camwatch_store_writable", "gauge",
               "1 while the store takes writes, 0 while it refuses them.");
        fprintf(f, "camwatch_store_writable %d\n", !b->failing);
    }
}

/* The last load of the configuration, as Prometheus shows its own: whether the last reload
 * took its files (0: refused, the old configuration runs on), and when one last did. */
static void config(FILE *f, const struct reload_state *r)
{
    if (r == NULL)
        return;
    family(f, "camwatch_config_last_reload_successful", "gauge",
           "1 when the last configuration reload was taken, 0 when it was refused and the "
           "daemon runs on the configuration before it.");
    fprintf(f, "camwatch_config_last_reload_successful %d\n", r->ok ? 1 : 0);
    family(f, "camwatch_config_last_reload_success_timestamp_seconds", "gauge",
           "When the configuration running was loaded, Unix time.");
    fprintf(f, "camwatch_config_last_reload_success_timestamp_seconds %.3f\n",
            (double)r->ok_ms / 1e3);
}

static void owners(FILE *f, const json_t *status, const struct cfg *cfg)
{
    const json_t *cam;
    size_t i;

    family(f, "camwatch_owner_cameras", "gauge", "An owner's cameras in each state.");
    for (size_t o = 0; o < cfg->n_owners; o++) {
        for (enum cw_state s = 0; s < N_STATES; s++) {
            unsigned n = 0;
            json_array_foreach(status, i, cam)
            {
                n += strcmp(jstr(cam, "owner"), cfg->owners[o].code) == 0 &&
                     strcmp(jstr(cam, "state"), cw_state_name(s)) == 0;
            }
            fputs("camwatch_owner_cameras{owner=\"", f);
            label_value(f, cfg->owners[o].code);
            fprintf(f, "\",state=\"%s\"} %u\n", cw_state_name(s), n);
        }
    }
}

static void probes(FILE *f, const struct fleet_counts *p)
{
    family(f, "camwatch_probes_total", "counter",
           "Probes ended since the daemon started, by kind and outcome.");
    for (size_t i = 0; i < FLEET_RTSP_OUTCOMES; i++)
        fprintf(f, "camwatch_probes_total{kind=\"rtsp\",outcome=\"%s\"} %llu\n", rtsp_outcomes[i],
                (unsigned long long)p->rtsp[i]);
    for (size_t i = 0; i < FLEET_ONVIF_OUTCOMES; i++)
        fprintf(f, "camwatch_probes_total{kind=\"onvif\",outcome=\"%s\"} %llu\n", onvif_outcomes[i],
                (unsigned long long)p->onvif[i]);
    fprintf(f, "camwatch_probes_total{kind=\"sample\",outcome=\"ok\"} %llu\n",
            (unsigned long long)p->samples_ok);
    fprintf(f, "camwatch_probes_total{kind=\"sample\",outcome=\"error\"} %llu\n",
            (unsigned long long)p->samples_failed);
}

static void server(FILE *f, const struct http_stats *h, const struct auth_stats *a)
{
    static const char *const classes[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};

    if (h != NULL) {
        family(f, "camwatch_http_requests_total", "counter",
               "HTTP requests answered, by status class.");
        for (int c = 1; c <= 5; c++)
            fprintf(f, "camwatch_http_requests_total{code=\"%s\"} %llu\n", classes[c],
                    (unsigned long long)h->answered[c]);
        family(f, "camwatch_http_connections", "gauge", "HTTP connections open now.");
        fprintf(f, "camwatch_http_connections %u\n", h->connections);
        family(f, "camwatch_http_held_requests", "gauge",
               "HTTP requests waiting now (for a worker, or held after failed logins).");
        fprintf(f, "camwatch_http_held_requests %u\n", h->held);
        family(f, "camwatch_http_too_large_total", "counter",
               "HTTP requests refused as too large by camwatchd: a body, or a request "
               "line and headers (heads past twice max_header are libmicrohttpd's, uncounted).");
        fprintf(f, "camwatch_http_too_large_total %llu\n", (unsigned long long)h->too_large);
    }
    if (a != NULL) {
        family(f, "camwatch_http_auth_failures_total", "counter",
               "HTTP requests refused for a missing or unknown token.");
        fprintf(f, "camwatch_http_auth_failures_total %llu\n", (unsigned long long)a->failures);
        family(f, "camwatch_http_auth_held_total", "counter",
               "Refused requests answered late, their client having failed repeatedly.");
        fprintf(f, "camwatch_http_auth_held_total %llu\n", (unsigned long long)a->held);
    }
}

char *metrics_render(const struct metrics_in *in, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    json_t *by_id;

    if (f == NULL)
        return NULL;
    by_id = status_by_id(in->status);
    family(f, "camwatch_build_info", "gauge", "The daemon's version; always 1.");
    fprintf(f, "camwatch_build_info{version=\"%s\"} 1\n", CW_VERSION);
    cameras(f, in->status);
    stream(f, in->status);
    clocks(f, by_id, in->clock);
    footage(f, by_id, in->footage, in->n_footage);
    owners(f, in->status, in->cfg);
    if (in->probes != NULL)
        probes(f, in->probes);
    server(f, in->http, in->auth);
    vitals(f, in->loop_lag_ms, in->store);
    config(f, in->config);
    json_decref(by_id);
    if (ferror(f)) {
        fclose(f);
        free(text);
        return NULL;
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    *len = n;
    return text;
}
