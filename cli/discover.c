/* discover.c - `camwatch discover`: a WS-Discovery Probe (probes/wsd.c) to the local link's
 * discovery group, or to one address, and the devices that answer reconciled with the
 * inventory by the discover document (index/doc_discover.c). Reads the conf, not the store;
 * blocks for the timeout (a CLI, not the daemon's loop). A table or the document on stdout,
 * the ignored answers' count (and with --verbose their reasons) on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/wsd.h"
#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define DISCOVER_DEFAULT_TARGET WSD_MULTICAST_ADDR ":3702"
#define DISCOVER_DEFAULT_TIMEOUT "3s"
#define DISCOVER_MAX_TIMEOUT_MS 60000 /* devices answer within APP_MAX_DELAY (0.5 s) */

static const char usage[] =
    "usage: camwatch [-c FILE] discover [--target ADDR[:PORT]] [--timeout DURATION] [--json]\n"
    "                                   [--verbose]\n"
    "  Send an ONVIF WS-Discovery Probe for network video transmitters and list the devices\n"
    "  that answer, each with the inventory camera whose onvif_url has the host and port of\n"
    "  one of its XAddrs (port 80 for http, 443 for https when not written), or \"not in\n"
    "  inventory\"; then the cameras with an onvif_url that did not answer. The Probe goes to\n"
    "  the local link only (multicast TTL 1): routed subnets need --target per camera.\n"
    "  --target ADDR[:PORT]  IPv4 address to probe (default " DISCOVER_DEFAULT_TARGET ",\n"
    "                        the discovery group; a camera's address asks it alone)\n"
    "  --timeout DURATION    how long to collect answers (default " DISCOVER_DEFAULT_TIMEOUT
    ", at most 1m)\n"
    "  --json                print {devices, missing, ignored}\n"
    "  --verbose             say on stderr why each ignored answer was ignored\n";

static void print_missing(const struct cli *cli, const json_t *missing)
{
    static const char *const heads[] = {"CAMERA", "ONVIF URL", "DISCOVERY"};
    struct cli_table t = {.ncols = 3, .heads = heads, .right = "lll"};
    size_t with_url = 0, i;
    const json_t *m;

    for (size_t k = 0; k < cli->cfg->n_cameras; k++)
        with_url += cli->cfg->cameras[k].onvif_url[0] != '\0';
    json_array_foreach(missing, i, m)
        cli_table_add(&t, cli_jstr(m, "id", ""), cli_jstr(m, "onvif_url", ""), "no answer");
    printf("\n");
    if (with_url == 0)
        printf("no camera in the inventory has an onvif_url\n");
    else if (t.nrows == 0)
        printf("every camera with an onvif_url answered\n");
    else
        cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static void render(const struct cli *cli, const json_t *doc, const char *target, int64_t timeout_ms)
{
    static const char *const heads[] = {"ENDPOINT", "NAME", "HARDWARE", "XADDRS", "CAMERA"};
    struct cli_table t = {.ncols = 5, .heads = heads, .right = "lllll"};
    const json_t *devices = json_object_get(doc, "devices"), *d;
    size_t n = json_array_size(devices), i;

    if (n == 0) {
        printf("no ONVIF device answered %s within %.1f s\n", target, (double)timeout_ms / 1000);
    } else {
        printf("%zu ONVIF device%s answered %s within %.1f s\n", n, n == 1 ? "" : "s", target,
               (double)timeout_ms / 1000);
        json_array_foreach(devices, i, d)
        {
            char *xaddrs = cli_jjoin(d, "xaddrs", ' ');
            cli_table_add(&t, cli_jstr(d, "endpoint", ""), cli_jstr(d, "name", "-"),
                          cli_jstr(d, "hardware", "-"), xaddrs[0] ? xaddrs : "-",
                          cli_jstr(d, "camera", "not in inventory"));
            free(xaddrs);
        }
        cli_table_print(&t, stdout);
    }
    cli_table_free(&t);
    print_missing(cli, json_object_get(doc, "missing"));
}

/* stderr: how many answers were ignored, and with verbose what was sent and why each. */
static void report_ignored(const struct wsd_result *r, const char *target, int verbose)
{
    if (verbose) {
        fprintf(stderr, "camwatch: discover: sent %d cop%s of Probe %s to %s\n", r->sent,
                r->sent == 1 ? "y" : "ies", r->message_id, target);
        for (size_t i = 0; i < r->n_reasons; i++)
            fprintf(stderr, "camwatch: discover: ignored the answer from %s: %s\n",
                    r->ignored[i].from, r->ignored[i].why);
        if (r->n_ignored > r->n_reasons)
            fprintf(stderr, "camwatch: discover: ... and %zu more\n", r->n_ignored - r->n_reasons);
        if (r->duplicates > 0)
            fprintf(stderr, "camwatch: discover: %zu repeated answer%s folded\n", r->duplicates,
                    r->duplicates == 1 ? "" : "s");
    }
    if (r->n_ignored > 0 && !verbose)
        fprintf(stderr,
                "camwatch: discover: %zu answer%s ignored (not a ProbeMatches for our Probe, or "
                "refused); --verbose says why\n",
                r->n_ignored, r->n_ignored == 1 ? "" : "s");
}

/* The devices of r as the discover document takes them; caller frees the array. */
static struct doc_found *found_devices(const struct wsd_result *r)
{
    struct doc_found *f = calloc(r->n_devices ? r->n_devices : 1, sizeof(*f));

    if (f == NULL)
        cli_die_oom();
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct wsd_probe_match *m = &r->devices[i].m;
        f[i] = (struct doc_found){m->endpoint, m->xaddrs,   m->types,   m->scopes,
                                  m->name,     m->hardware, m->location};
    }
    return f;
}

static int discover(struct cli *cli, const struct cli_args *a, const struct wsd_target *target,
                    int64_t timeout_ms)
{
    struct wsd_result res;
    struct doc_found *found;
    struct cw_err err;
    char where[WSD_FROM_MAX];
    json_t *doc;
    int rc;

    wsd_format_addr(&target->addr, where, sizeof(where));
    if (wsd_discover(target, timeout_ms, &res, &err) != 0) {
        fprintf(stderr, "camwatch: discover: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    report_ignored(&res, where, a->verbose);
    found = found_devices(&res);
    rc = doc_discover(&cli->doc, found, res.n_devices, res.n_ignored, &doc, &err);
    free(found);
    wsd_result_free(&res);
    if (rc != 0)
        return cli_fail(&err);
    if (a->json)
        return cli_print_json(doc);
    render(cli, doc, where, timeout_ms);
    json_decref(doc);
    return 0;
}

static int run(struct cli *cli, const struct cli_args *a)
{
    const char *target_text = a->target ? a->target : DISCOVER_DEFAULT_TARGET,
               *timeout_text = a->timeout ? a->timeout : DISCOVER_DEFAULT_TIMEOUT;
    struct wsd_target target;
    struct cw_err err;
    int64_t timeout_ms;
    int rc;

    if (wsd_parse_target(target_text, &target, &err) != 0)
        return cli_usage_error(a->cmd, "%s", err.msg);
    if (cw_parse_duration_ms(timeout_text, &timeout_ms) != 0 || timeout_ms <= 0 ||
        timeout_ms > DISCOVER_MAX_TIMEOUT_MS)
        return cli_usage_error(a->cmd, "bad timeout '%s' (e.g. 3s, 1500ms; at most 1m)",
                               timeout_text);
    if ((rc = cli_open_config(cli)) != 0)
        return rc;
    return discover(cli, a, &target, timeout_ms);
}

/* Opens the conf itself, once --target and --timeout are checked. */
#define DISCOVER_OPTS (CLI_OPT_TARGET | CLI_OPT_TIMEOUT | CLI_OPT_JSON | CLI_OPT_VERBOSE)
const struct cli_command cli_discover_command = {
    "discover", usage, DISCOVER_OPTS, 0,   "takes no arguments", CLI_OPEN_NOTHING, NULL,
    run,        NULL,  NULL,          NULL};
