/* device.c - the camwatch commands over ONVIF facts: `device CAMERA` (make, model, firmware,
 * serial, endpoints, profiles with their encoder configuration, clock offset history, fact
 * changes) and `clock` (every camera's latest clock offset, worst first), rendered from the
 * device and clock documents (index/doc_device.c). Read-only on the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define DEVICE_DEFAULT_SINCE "-7d"
#define CLOCK_HISTORY_ROWS_MAX 20 /* the table shows the newest; --json has them all */

static const char device_usage[] =
    "usage: camwatch [-c FILE] device CAMERA [--since TIME] [--json]\n"
    "  What the camera's ONVIF service says: manufacturer, model, firmware, serial,\n"
    "  the services it offers (endpoints), its media profiles with their encoder\n"
    "  configuration (codec, resolution, frame-rate and bitrate limits, GOP) and stream URIs,\n"
    "  its clock offset (positive: the camera is ahead) and how the offset and facts changed.\n"
    "  --since TIME    history from TIME (default -7d): YYYY-MM-DD[ HH:MM[:SS]] in the site's\n"
    "                  zone, ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON object\n";

static const char clock_usage[] =
    "usage: camwatch [-c FILE] clock [--json]\n"
    "  Every camera's latest clock offset as measured over ONVIF, the furthest off first.\n"
    "  Offset is the camera's time minus true time: positive when the camera is ahead; error\n"
    "  bounds how far the measurement itself can be off. Cameras never reached over ONVIF\n"
    "  are left out.\n"
    "  --json          print a JSON array of {id, clock_offset_ms, error_ms, measured_at, ntp}\n";

/* "83.2 s ahead", "3600.0 s behind", "0.1 s ahead". */
static const char *fmt_offset(char *buf, size_t len, int64_t offset_ms)
{
    int64_t a = offset_ms < 0 ? -offset_ms : offset_ms;

    snprintf(buf, len, "%.1f s %s", (double)a / 1000.0, offset_ms < 0 ? "behind" : "ahead");
    return buf;
}

/* "+- 0.5 s": the error bound of a clock measurement. */
static const char *fmt_error(char *buf, size_t len, int64_t error_ms)
{
    snprintf(buf, len, "+- %.1f s", (double)error_ms / 1000.0);
    return buf;
}

/* A document's text, or "-" when it is null. */
static const char *or_dash(const json_t *o, const char *key)
{
    return cli_jstr(o, key, "-");
}

/* ---- device ---- */

static void print_facts(const struct cli *cli, const json_t *d)
{
    static const char *const heads[] = {"FACT", "VALUE"};
    struct cli_table t = {.ncols = 2, .heads = heads, .right = "ll"};
    char at[64], buf[512], off[64], err[32];

    cli_table_add(&t, "manufacturer", or_dash(d, "manufacturer"));
    cli_table_add(&t, "model", or_dash(d, "model"));
    cli_table_add(&t, "firmware", or_dash(d, "firmware"));
    cli_table_add(&t, "serial", or_dash(d, "serial"));
    cli_table_add(&t, "hardware id", or_dash(d, "hardware_id"));
    cli_jtime(cli, d, "probed_at", "-", at, sizeof(at));
    if (json_is_true(json_object_get(d, "ok")))
        snprintf(buf, sizeof(buf), "ok at %s (%s)", at, cli_jstr(d, "auth", ""));
    else if (snprintf(buf, sizeof(buf), "failed at %s: %s", at, cli_jstr(d, "error", "")) < 0)
        buf[0] = '\0';
    cli_table_add(&t, "last probe", buf);
    if (cli_jhas(d, "clock_offset_ms")) {
        fmt_error(err, sizeof(err), cli_jint(d, "clock_error_ms"));
        snprintf(buf, sizeof(buf), "%s (%s, %s) at %s",
                 fmt_offset(off, sizeof(off), cli_jint(d, "clock_offset_ms")), err,
                 json_is_true(json_object_get(d, "ntp")) ? "NTP" : "set by hand",
                 cli_jtime(cli, d, "clock_measured_at", "-", at, sizeof(at)));
    }
    cli_table_add(&t, "clock", cli_jhas(d, "clock_offset_ms") ? buf : "-");
    cli_table_add(&t, "stream URI",
                  cli_jhas(d, "stream_uri_note") ? cli_jstr(d, "stream_uri_note", "")
                  : json_array_size(json_object_get(d, "profiles")) > 0 ? "as in the inventory"
                                                                        : "-");
    if (cli_jhas(d, "snapshot_path"))
        cli_table_add(&t, "snapshot", cli_jstr(d, "snapshot_path", ""));
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static void profile_row(struct cli_table *t, const json_t *p)
{
    char res[32], fps[32], kbps[32], gop[32];

    cli_jres(p, res, sizeof(res));
    cli_fmt_opt(fps, sizeof(fps), "%g", cli_jnum(p, "fps_limit"), cli_jhas(p, "fps_limit"));
    cli_fmt_opt(kbps, sizeof(kbps), "%.0f", cli_jnum(p, "bitrate_limit_kbps"),
                cli_jhas(p, "bitrate_limit_kbps"));
    cli_fmt_opt(gop, sizeof(gop), "%.0f", cli_jnum(p, "gov_length"), cli_jhas(p, "gov_length"));
    cli_table_add(t, cli_jstr(p, "token", ""), or_dash(p, "name"), or_dash(p, "encoding"), res, fps,
                  kbps, gop, json_is_true(json_object_get(p, "streamed")) ? "yes" : "",
                  or_dash(p, "stream_uri"));
}

static void print_lists(const json_t *d)
{
    static const char *const eh[] = {"SERVICE", "URL"};
    static const char *const ph[] = {"PROFILE",    "NAME", "ENCODING", "RES",       "FPS LIMIT",
                                     "KBPS LIMIT", "GOP",  "STREAMED", "STREAM URI"};
    struct cli_table et = {.ncols = 2, .heads = eh, .right = "ll"};
    struct cli_table pt = {.ncols = 9, .heads = ph, .right = "lllrrrrll"};
    const json_t *endpoints = json_object_get(d, "endpoints"),
                 *profiles = json_object_get(d, "profiles"), *v;
    const char *service;
    size_t i;

    json_object_foreach((json_t *)endpoints, service, v)
        cli_table_add(&et, service, json_string_value(v));
    json_array_foreach(profiles, i, v) profile_row(&pt, v);
    printf("\n");
    if (json_object_size(endpoints) > 0)
        cli_table_print(&et, stdout);
    else
        printf("no endpoints known\n");
    printf("\n");
    if (json_array_size(profiles) > 0)
        cli_table_print(&pt, stdout);
    else
        printf("no profiles known\n");
    cli_table_free(&et);
    cli_table_free(&pt);
}

static void print_history(const struct cli *cli, const json_t *d, int64_t since_ms)
{
    static const char *const ch[] = {"MEASURED", "OFFSET", "ERROR", "NTP"};
    static const char *const xh[] = {"TIME", "FACT", "BEFORE", "AFTER"};
    struct cli_table ct = {.ncols = 4, .heads = ch, .right = "lrrl"};
    struct cli_table xt = {.ncols = 4, .heads = xh, .right = "llll"};
    const json_t *clocks = json_object_get(d, "clock_history"),
                 *changes = json_object_get(d, "changes"), *c;
    size_t n = json_array_size(clocks),
           first = n > CLOCK_HISTORY_ROWS_MAX ? n - CLOCK_HISTORY_ROWS_MAX : 0;
    char at[64], off[64], err[32];

    printf("\nclock offset since %s", cw_format_local(since_ms, cli->tz, at, sizeof(at)));
    if (first > 0)
        printf(" (the newest %d of %zu; --json for all)", CLOCK_HISTORY_ROWS_MAX, n);
    printf(":\n");
    for (size_t i = first; i < n; i++) {
        c = json_array_get(clocks, i);
        cli_table_add(&ct, cli_jtime(cli, c, "measured_at", NULL, at, sizeof(at)),
                      fmt_offset(off, sizeof(off), cli_jint(c, "clock_offset_ms")),
                      fmt_error(err, sizeof(err), cli_jint(c, "error_ms")),
                      json_is_true(json_object_get(c, "ntp")) ? "yes" : "no");
    }
    if (n > 0)
        cli_table_print(&ct, stdout);
    else
        printf("none measured\n");
    if (json_array_size(changes) > 0) {
        size_t i;
        printf("\nchanges:\n");
        json_array_foreach(changes, i, c)
            cli_table_add(&xt, cli_jtime(cli, c, "at", NULL, at, sizeof(at)),
                          cli_jstr(c, "field", ""), cli_jstr(c, "old", ""), cli_jstr(c, "new", ""));
        cli_table_print(&xt, stdout);
    }
    cli_table_free(&ct);
    cli_table_free(&xt);
}

static int device_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    const struct doc_camera_query q = {a->argv[0], a->since_ms};

    return doc_view_run(&cli->doc, &doc_view_device, &q, out, err);
}

static void device_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    printf("%s  %s\n", cli_jstr(doc, "id", ""), cli_jstr(doc, "name", ""));
    print_facts(cli, doc);
    print_lists(doc);
    print_history(cli, doc, a->since_ms);
}

#define DEVICE_OPTS (CLI_OPT_SINCE | CLI_OPT_JSON)
const struct cli_command cli_device_command = {"device",
                                               device_usage,
                                               DEVICE_OPTS,
                                               1,
                                               "expects one CAMERA",
                                               CLI_OPEN_READONLY,
                                               DEVICE_DEFAULT_SINCE,
                                               NULL,
                                               device_doc,
                                               device_render,
                                               NULL};

/* ---- clock ---- */

static int clock_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    (void)a;
    return doc_view_run(&cli->doc, &doc_view_clock, NULL, out, err);
}

static void clock_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"CAMERA", "OFFSET", "ERROR", "NTP", "MEASURED", "BEYOND"};
    struct cli_table t = {.ncols = 6, .heads = heads, .right = "lrrlll"};
    int64_t limit = cli->cfg->onvif.max_clock_offset_ms;
    char at[64], off[64], err[32];
    const json_t *c;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, c)
    {
        int64_t o = cli_jint(c, "clock_offset_ms"), abs_o = o < 0 ? -o : o;
        cli_table_add(&t, cli_jstr(c, "id", ""), fmt_offset(off, sizeof(off), o),
                      fmt_error(err, sizeof(err), cli_jint(c, "error_ms")),
                      json_is_true(json_object_get(c, "ntp")) ? "yes" : "no",
                      cli_jtime(cli, c, "measured_at", "-", at, sizeof(at)),
                      limit > 0 && abs_o > limit ? "yes" : "");
    }
    cli_table_show(&t, "no clock measured yet (cameras need an onvif_url in the inventory)");
}

#define CLOCK_OPTS (CLI_OPT_JSON)
const struct cli_command cli_clock_command = {
    "clock", clock_usage, CLOCK_OPTS,   0,   "takes no arguments", CLI_OPEN_READONLY, NULL,
    NULL,    clock_doc,   clock_render, NULL};
