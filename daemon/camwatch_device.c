/* camwatch_device.c - the camwatch commands over ONVIF facts: `device CAM`
 * (make, model, firmware, serial, endpoints, profiles with their encoder
 * configuration, clock offset history, fact changes) and `clock` (every
 * camera's latest clock offset, worst first). Read-only on the store; tables
 * or JSON on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"

#define DEVICE_DEFAULT_SINCE "-7d"
#define CLOCK_HISTORY_ROWS_MAX 20 /* the table shows the newest; --json has them all */

const char device_usage[] =
    "usage: camwatch [-c FILE] device CAMERA [--since TIME] [--json]\n"
    "  What the camera's ONVIF service says: manufacturer, model, firmware, serial,\n"
    "  the services it offers (endpoints), its media profiles with their encoder\n"
    "  configuration (codec, resolution, frame-rate and bitrate limits, GOP) and stream URIs,\n"
    "  its clock offset (positive: the camera is ahead) and how the offset and facts changed.\n"
    "  --since TIME    history from TIME (default -7d): YYYY-MM-DD[ HH:MM[:SS]] in the site's\n"
    "                  zone, ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON object\n";

const char clock_usage[] =
    "usage: camwatch [-c FILE] clock [--json]\n"
    "  Every camera's latest clock offset as measured over ONVIF, the furthest off first.\n"
    "  Offset is the camera's time minus true time: positive when the camera is ahead; error\n"
    "  bounds how far the measurement itself can be off. Cameras never reached over ONVIF\n"
    "  are left out.\n"
    "  --json          print a JSON array of {id, clock_offset_ms, error_ms, measured_at}\n";

/* "83.2 s ahead", "3600.0 s behind", "0.1 s ahead". */
static const char *fmt_offset(char *buf, size_t len, int64_t offset_ms)
{
    int64_t a = offset_ms < 0 ? -offset_ms : offset_ms;

    snprintf(buf, len, "%.1f s %s", (double)a / 1000.0, offset_ms < 0 ? "behind" : "ahead");
    return buf;
}

static const char *fmt_local(const struct cli *cli, int64_t ms, char *buf, size_t len)
{
    if (ms == 0)
        return "-";
    return cw_format_local(ms, cli->tz, buf, len);
}

/* ---- device ---- */

static json_t *profile_json(const struct store_profile *p)
{
    json_t *o = json_object();

    json_object_set_new(o, "token", json_string(p->token));
    json_object_set_new(o, "name", json_str_or_null(p->name));
    json_object_set_new(o, "encoding", json_str_or_null(p->encoding));
    json_object_set_new(o, "width", p->width > 0 ? json_integer(p->width) : json_null());
    json_object_set_new(o, "height", p->height > 0 ? json_integer(p->height) : json_null());
    json_object_set_new(o, "fps_limit", p->fps_limit > 0 ? json_real(p->fps_limit) : json_null());
    json_object_set_new(o, "bitrate_limit_kbps",
                        p->bitrate_limit_kbps > 0 ? json_integer(p->bitrate_limit_kbps)
                                                  : json_null());
    json_object_set_new(o, "gov_length",
                        p->gov_length > 0 ? json_integer(p->gov_length) : json_null());
    json_object_set_new(o, "encoder_token", json_str_or_null(p->encoder_token));
    json_object_set_new(o, "stream_uri", json_str_or_null(p->stream_uri));
    json_object_set_new(o, "snapshot_uri", json_str_or_null(p->snapshot_uri));
    json_object_set_new(o, "streamed", json_boolean(p->streamed));
    return o;
}

static json_t *clock_json(const struct cli *cli, const struct store_clock *c)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_string(c->camera_id));
    json_object_set_new(o, "clock_offset_ms", json_integer(c->offset_ms));
    json_object_set_new(o, "error_ms", json_integer(c->error_ms));
    json_object_set_new(o, "measured_at", json_iso_or_null(cli, c->at_ms));
    json_object_set_new(o, "ntp", json_boolean(c->ntp));
    return o;
}

struct device_view {
    const struct store_status *st;
    const struct store_device *d;
    const struct store_endpoint *ep;
    size_t n_ep;
    const struct store_profile *pr;
    size_t n_pr;
    const struct store_clock *clocks;
    size_t n_clocks;
    const struct store_device_change *changes;
    size_t n_changes;
};

static int device_print_json(const struct cli *cli, const struct device_view *v)
{
    const struct store_device *d = v->d;
    json_t *o = json_object(), *ep = json_object(), *pr = json_array(), *hist = json_array(),
           *ch = json_array();

    json_object_set_new(o, "id", json_string(d->camera_id));
    json_object_set_new(o, "name", json_string(v->st->name));
    json_object_set_new(o, "probed_at", json_iso_or_null(cli, d->probed_ms));
    json_object_set_new(o, "ok", json_boolean(d->ok));
    json_object_set_new(o, "error", json_str_or_null(d->error));
    json_object_set_new(o, "facts_at", json_iso_or_null(cli, d->facts_ms));
    json_object_set_new(o, "manufacturer", json_str_or_null(d->manufacturer));
    json_object_set_new(o, "model", json_str_or_null(d->model));
    json_object_set_new(o, "firmware", json_str_or_null(d->firmware));
    json_object_set_new(o, "serial", json_str_or_null(d->serial));
    json_object_set_new(o, "hardware_id", json_str_or_null(d->hardware_id));
    json_object_set_new(o, "auth", json_str_or_null(d->auth));
    json_object_set_new(o, "clock_offset_ms",
                        d->has_clock ? json_integer(d->clock_offset_ms) : json_null());
    json_object_set_new(o, "clock_error_ms",
                        d->has_clock ? json_integer(d->clock_error_ms) : json_null());
    json_object_set_new(o, "clock_measured_at",
                        d->has_clock ? json_iso_or_null(cli, d->clock_at_ms) : json_null());
    json_object_set_new(o, "ntp", d->has_clock ? json_boolean(d->ntp) : json_null());
    json_object_set_new(o, "stream_uri_note", json_str_or_null(d->uri_note));
    json_object_set_new(o, "snapshot_path", json_str_or_null(d->snapshot_path));
    for (size_t i = 0; i < v->n_ep; i++)
        json_object_set_new(ep, v->ep[i].service, json_string(v->ep[i].url));
    json_object_set_new(o, "endpoints", ep);
    for (size_t i = 0; i < v->n_pr; i++)
        json_array_append_new(pr, profile_json(&v->pr[i]));
    json_object_set_new(o, "profiles", pr);
    for (size_t i = 0; i < v->n_clocks; i++)
        json_array_append_new(hist, clock_json(cli, &v->clocks[i]));
    json_object_set_new(o, "clock_history", hist);
    for (size_t i = 0; i < v->n_changes; i++) {
        const struct store_device_change *c = &v->changes[i];
        json_t *e = json_object();
        json_object_set_new(e, "at", json_iso_or_null(cli, c->at_ms));
        json_object_set_new(e, "field", json_string(c->field));
        json_object_set_new(e, "old", json_string(c->old_value));
        json_object_set_new(e, "new", json_string(c->new_value));
        json_array_append_new(ch, e);
    }
    json_object_set_new(o, "changes", ch);
    return print_json(o);
}

static void device_print_facts(const struct cli *cli, const struct device_view *v)
{
    static const char *const heads[] = {"FACT", "VALUE"};
    const struct store_device *d = v->d;
    struct table t = {.ncols = 2, .heads = heads, .right = "ll"};
    char at[64], buf[512], off[64];

    table_add(&t, "manufacturer", d->manufacturer[0] ? d->manufacturer : "-");
    table_add(&t, "model", d->model[0] ? d->model : "-");
    table_add(&t, "firmware", d->firmware[0] ? d->firmware : "-");
    table_add(&t, "serial", d->serial[0] ? d->serial : "-");
    table_add(&t, "hardware id", d->hardware_id[0] ? d->hardware_id : "-");
    if (d->ok)
        snprintf(buf, sizeof(buf), "ok at %s (%s)", fmt_local(cli, d->probed_ms, at, sizeof(at)),
                 d->auth);
    else if (snprintf(buf, sizeof(buf), "failed at %s: %s",
                      fmt_local(cli, d->probed_ms, at, sizeof(at)), d->error) < 0)
        buf[0] = '\0';
    table_add(&t, "last probe", buf);
    if (d->has_clock)
        snprintf(buf, sizeof(buf), "%s (+- %.1f s, %s) at %s",
                 fmt_offset(off, sizeof(off), d->clock_offset_ms),
                 (double)d->clock_error_ms / 1000.0, d->ntp ? "NTP" : "set by hand",
                 fmt_local(cli, d->clock_at_ms, at, sizeof(at)));
    table_add(&t, "clock", d->has_clock ? buf : "-");
    table_add(&t, "stream URI",
              d->uri_note[0] ? d->uri_note
              : v->n_pr > 0  ? "as in the inventory"
                             : "-");
    if (d->snapshot_path[0] != '\0')
        table_add(&t, "snapshot", d->snapshot_path);
    table_print(&t, stdout);
    table_free(&t);
}

static void device_print_lists(const struct cli *cli, const struct device_view *v)
{
    static const char *const eh[] = {"SERVICE", "URL"};
    static const char *const ph[] = {"PROFILE",    "NAME", "ENCODING", "RES",       "FPS LIMIT",
                                     "KBPS LIMIT", "GOP",  "STREAMED", "STREAM URI"};
    struct table et = {.ncols = 2, .heads = eh, .right = "ll"};
    struct table pt = {.ncols = 9, .heads = ph, .right = "lllrrrrll"};
    char res[32], fps[32], kbps[32], gop[32];

    (void)cli;
    for (size_t i = 0; i < v->n_ep; i++)
        table_add(&et, v->ep[i].service, v->ep[i].url);
    for (size_t i = 0; i < v->n_pr; i++) {
        const struct store_profile *p = &v->pr[i];
        if (p->width > 0 && p->height > 0)
            snprintf(res, sizeof(res), "%dx%d", p->width, p->height);
        else
            snprintf(res, sizeof(res), "-");
        fmt_opt(fps, sizeof(fps), "%g", p->fps_limit, p->fps_limit > 0);
        fmt_opt(kbps, sizeof(kbps), "%.0f", p->bitrate_limit_kbps, p->bitrate_limit_kbps > 0);
        fmt_opt(gop, sizeof(gop), "%.0f", p->gov_length, p->gov_length > 0);
        table_add(&pt, p->token, p->name[0] ? p->name : "-", p->encoding[0] ? p->encoding : "-",
                  res, fps, kbps, gop, p->streamed ? "yes" : "",
                  p->stream_uri[0] ? p->stream_uri : "-");
    }
    printf("\n");
    if (v->n_ep > 0)
        table_print(&et, stdout);
    else
        printf("no endpoints known\n");
    printf("\n");
    if (v->n_pr > 0)
        table_print(&pt, stdout);
    else
        printf("no profiles known\n");
    table_free(&et);
    table_free(&pt);
}

static void device_print_history(const struct cli *cli, const struct device_view *v,
                                 int64_t since_ms)
{
    static const char *const ch[] = {"MEASURED", "OFFSET", "ERROR", "NTP"};
    static const char *const xh[] = {"TIME", "FACT", "BEFORE", "AFTER"};
    struct table ct = {.ncols = 4, .heads = ch, .right = "lrrl"};
    struct table xt = {.ncols = 4, .heads = xh, .right = "llll"};
    size_t first = v->n_clocks > CLOCK_HISTORY_ROWS_MAX ? v->n_clocks - CLOCK_HISTORY_ROWS_MAX : 0;
    char at[64], off[64], err[32];

    printf("\nclock offset since %s", cw_format_local(since_ms, cli->tz, at, sizeof(at)));
    if (first > 0)
        printf(" (the newest %d of %zu; --json for all)", CLOCK_HISTORY_ROWS_MAX, v->n_clocks);
    printf(":\n");
    for (size_t i = first; i < v->n_clocks; i++) {
        const struct store_clock *c = &v->clocks[i];
        snprintf(err, sizeof(err), "+- %.1f s", (double)c->error_ms / 1000.0);
        table_add(&ct, cw_format_local(c->at_ms, cli->tz, at, sizeof(at)),
                  fmt_offset(off, sizeof(off), c->offset_ms), err, c->ntp ? "yes" : "no");
    }
    if (v->n_clocks > 0)
        table_print(&ct, stdout);
    else
        printf("none measured\n");
    if (v->n_changes > 0) {
        printf("\nchanges:\n");
        for (size_t i = 0; i < v->n_changes; i++) {
            const struct store_device_change *c = &v->changes[i];
            table_add(&xt, cw_format_local(c->at_ms, cli->tz, at, sizeof(at)), c->field,
                      c->old_value, c->new_value);
        }
        table_print(&xt, stdout);
    }
    table_free(&ct);
    table_free(&xt);
}

static int device_show(struct cli *cli, const char *id, int64_t since_ms, int json)
{
    struct device_view v = {0};
    struct store_status st;
    struct store_device d;
    struct store_endpoint *ep = NULL;
    struct store_profile *pr = NULL;
    struct store_clock *clocks = NULL;
    struct store_device_change *changes = NULL;
    struct cw_err err;
    int rc;

    if ((rc = require_camera(cli, id, &st)) != 0)
        return rc;
    rc = store_get_device(cli->store, id, &d, &ep, &v.n_ep, &pr, &v.n_pr, &err);
    if (rc < 0)
        return store_failed(&err);
    if (rc == 1) {
        const struct cfg_camera *cc = cfg_find_camera(cli->cfg, id);
        fprintf(stderr, "camwatch: %s: no ONVIF facts yet (%s)\n", id,
                cc != NULL && cc->onvif_url[0] == '\0' ? "no onvif_url in the inventory"
                                                       : "not probed over ONVIF yet");
        return EXIT_RUNTIME;
    }
    if (store_list_clocks(cli->store, id, since_ms, &clocks, &v.n_clocks, &err) != 0 ||
        store_list_device_changes(cli->store, id, since_ms, &changes, &v.n_changes, &err) != 0) {
        rc = store_failed(&err);
        goto done;
    }
    v = (struct device_view){&st,    &d,     ep,         v.n_ep,  pr,
                             v.n_pr, clocks, v.n_clocks, changes, v.n_changes};
    if (json) {
        rc = device_print_json(cli, &v);
    } else {
        printf("%s  %s\n", id, st.name);
        device_print_facts(cli, &v);
        device_print_lists(cli, &v);
        device_print_history(cli, &v, since_ms);
        rc = 0;
    }
done:
    free(ep);
    free(pr);
    free(clocks);
    free(changes);
    return rc;
}

int cmd_device(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *since = DEVICE_DEFAULT_SINCE;
    int64_t since_ms;
    int json = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            since = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(device_usage, stdout);
            return 0;
        default:
            fputs(device_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        usage_error(device_usage, "device: expects one CAMERA");
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (cw_parse_time(since, cli->tz, &since_ms) != 0) {
        usage_error(device_usage, "device: bad time '%s'", since);
        return EXIT_USAGE;
    }
    return device_show(cli, argv[optind], since_ms, json);
}

/* ---- clock ---- */

static int clock_worst_first(const void *a, const void *b)
{
    const struct store_device *x = a, *y = b;
    int64_t ax = x->clock_offset_ms < 0 ? -x->clock_offset_ms : x->clock_offset_ms;
    int64_t ay = y->clock_offset_ms < 0 ? -y->clock_offset_ms : y->clock_offset_ms;

    if (ax != ay)
        return ax > ay ? -1 : 1;
    return strcmp(x->camera_id, y->camera_id);
}

static int clock_print(const struct cli *cli, const struct store_device *v, size_t n, int json)
{
    static const char *const heads[] = {"CAMERA", "OFFSET", "ERROR", "NTP", "MEASURED", "BEYOND"};
    struct table t = {.ncols = 6, .heads = heads, .right = "lrrlll"};
    int64_t limit = cli->cfg->onvif.max_clock_offset_ms;
    char at[64], off[64], err[32];

    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            struct store_clock c = {.at_ms = v[i].clock_at_ms,
                                    .offset_ms = v[i].clock_offset_ms,
                                    .error_ms = v[i].clock_error_ms,
                                    .ntp = v[i].ntp};
            snprintf(c.camera_id, sizeof(c.camera_id), "%s", v[i].camera_id);
            json_array_append_new(arr, clock_json(cli, &c));
        }
        return print_json(arr);
    }
    if (n == 0) {
        printf("no clock measured yet (cameras need an onvif_url in the inventory)\n");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t a = v[i].clock_offset_ms < 0 ? -v[i].clock_offset_ms : v[i].clock_offset_ms;
        snprintf(err, sizeof(err), "+- %.1f s", (double)v[i].clock_error_ms / 1000.0);
        table_add(&t, v[i].camera_id, fmt_offset(off, sizeof(off), v[i].clock_offset_ms), err,
                  v[i].ntp ? "yes" : "no", fmt_local(cli, v[i].clock_at_ms, at, sizeof(at)),
                  limit > 0 && a > limit ? "yes" : "");
    }
    table_print(&t, stdout);
    table_free(&t);
    return 0;
}

int cmd_clock(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct store_device *v = NULL;
    struct cw_err err;
    size_t n = 0, k = 0;
    int json = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(clock_usage, stdout);
            return 0;
        default:
            fputs(clock_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 0) {
        usage_error(clock_usage, "clock: takes no arguments");
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (store_list_devices(cli->store, &v, &n, &err) != 0)
        return store_failed(&err);
    for (size_t i = 0; i < n; i++)
        if (v[i].has_clock)
            v[k++] = v[i];
    qsort(v, k, sizeof(*v), clock_worst_first);
    rc = clock_print(cli, v, k, json);
    free(v);
    return rc;
}
