/* camwatch_discover.c - `camwatch discover`: a WS-Discovery Probe (probes/wsd.c) to the local
 * link's discovery group, or to one address, and the ONVIF devices that answer reconciled
 * with the inventory, the check IT otherwise does by hand: each device with the camera whose
 * onvif_url names the same host and port as one of its XAddrs, or "not in inventory"; then
 * the cameras with an onvif_url that did not answer. Reads the conf, not the store; blocks
 * for the timeout (a CLI, not the daemon's loop). Table or JSON on stdout, the ignored
 * answers' count (and with --verbose their reasons) on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../probes/wsd.h"
#include "../util/cwtime.h"
#include "cli.h"

#define DISCOVER_DEFAULT_TARGET WSD_MULTICAST_ADDR ":3702"
#define DISCOVER_DEFAULT_TIMEOUT "3s"
#define DISCOVER_MAX_TIMEOUT_MS 60000 /* devices answer within APP_MAX_DELAY (0.5 s) */
#define HOST_MAX 256

const char discover_usage[] =
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

/* The host (lower case, IPv6 in brackets) and port of an http or https URL. */
struct hostport {
    char host[HOST_MAX];
    unsigned int port;
};

/* Fill hp from url; the port defaults to the scheme's. Returns 0, -1 when url is not an http
 * or https URL with a host. No name lookups: hosts compare as written. */
static int url_hostport(const char *url, struct hostport *hp)
{
    const char *auth, *end, *host_end, *at;
    size_t n;

    if (strncasecmp(url, "http://", 7) == 0) {
        auth = url + 7;
        hp->port = 80;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        auth = url + 8;
        hp->port = 443;
    } else {
        return -1;
    }
    end = auth + strcspn(auth, "/?#");
    if ((at = memchr(auth, '@', (size_t)(end - auth))) != NULL)
        auth = at + 1;
    if (*auth == '[') {
        host_end = memchr(auth, ']', (size_t)(end - auth));
        if (host_end == NULL)
            return -1;
        host_end++;
    } else {
        host_end = auth + strcspn(auth, ":/?#");
    }
    n = (size_t)(host_end - auth);
    if (n == 0 || n >= sizeof(hp->host))
        return -1;
    for (size_t i = 0; i < n; i++)
        hp->host[i] = (char)(auth[i] >= 'A' && auth[i] <= 'Z' ? auth[i] - 'A' + 'a' : auth[i]);
    hp->host[n] = '\0';
    if (host_end < end) {
        unsigned long port = 0;
        if (*host_end != ':')
            return -1;
        for (const char *p = host_end + 1; p < end; p++) {
            if (*p < '0' || *p > '9' || (port = port * 10 + (unsigned long)(*p - '0')) > 65535)
                return -1;
        }
        if (host_end + 1 < end) /* "host:" keeps the default */
            hp->port = (unsigned int)port;
    }
    return hp->port > 0 ? 0 : -1;
}

/* Each camera's onvif_url as host and port; ok[i] is 0 for cameras without one. */
struct inventory {
    const struct cfg *cfg;
    struct hostport *hp;
    unsigned char *ok;
    unsigned char *answered;
};

static void inventory_load(const struct cfg *cfg, struct inventory *inv)
{
    size_t n = cfg->n_cameras ? cfg->n_cameras : 1;

    inv->cfg = cfg;
    inv->hp = calloc(n, sizeof(*inv->hp));
    inv->ok = calloc(n, 1);
    inv->answered = calloc(n, 1);
    if (inv->hp == NULL || inv->ok == NULL || inv->answered == NULL)
        die_oom();
    for (size_t i = 0; i < cfg->n_cameras; i++)
        inv->ok[i] = cfg->cameras[i].onvif_url[0] != '\0' &&
                     url_hostport(cfg->cameras[i].onvif_url, &inv->hp[i]) == 0;
}

static void inventory_free(struct inventory *inv)
{
    free(inv->hp);
    free(inv->ok);
    free(inv->answered);
}

/* The camera (index) one of the space-separated xaddrs points at, or -1; every camera with a
 * matching host and port is marked answered (several cameras behind one NVR share it). A
 * camera whose whole onvif_url is one of the XAddrs wins; else the first in the inventory. */
static long inventory_match(struct inventory *inv, const char *xaddrs)
{
    long best = -1;
    int exact = 0;

    for (const char *p = xaddrs; *p != '\0';) {
        size_t n = strcspn(p, " ");
        char url[ONVIF_URL_MAX];
        struct hostport hp;

        snprintf(url, sizeof(url), "%.*s", (int)n, p);
        p += n + (p[n] == ' ');
        if (url_hostport(url, &hp) != 0)
            continue;
        for (size_t i = 0; i < inv->cfg->n_cameras; i++) {
            int same_url;
            if (!inv->ok[i] || hp.port != inv->hp[i].port || strcmp(hp.host, inv->hp[i].host))
                continue;
            inv->answered[i] = 1;
            same_url = strcmp(url, inv->cfg->cameras[i].onvif_url) == 0;
            if (best < 0 || (same_url && !exact) || (same_url == exact && (long)i < best)) {
                best = (long)i;
                exact = same_url;
            }
        }
    }
    return best;
}

/* A device and the camera it is, for sorting: inventory order first, unknown ones last by
 * their XAddrs. */
struct row {
    const struct wsd_device *d;
    long cam;
};

static int row_order(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c;

    if ((x->cam < 0) != (y->cam < 0))
        return x->cam < 0 ? 1 : -1;
    if (x->cam != y->cam)
        return x->cam < y->cam ? -1 : 1;
    if ((c = strcmp(x->d->m.xaddrs, y->d->m.xaddrs)) != 0)
        return c;
    return strcmp(x->d->m.endpoint, y->d->m.endpoint);
}

static json_t *device_json(const struct cfg *cfg, const struct row *r)
{
    const struct wsd_probe_match *m = &r->d->m;
    json_t *o = json_object();

    json_object_set_new(o, "endpoint", json_string(m->endpoint));
    json_object_set_new(o, "xaddrs", json_split(m->xaddrs, ' '));
    json_object_set_new(o, "types", json_split(m->types, ' '));
    json_object_set_new(o, "scopes", json_split(m->scopes, ' '));
    json_object_set_new(o, "name", json_str_or_null(m->name));
    json_object_set_new(o, "hardware", json_str_or_null(m->hardware));
    json_object_set_new(o, "location", json_str_or_null(m->location));
    json_object_set_new(o, "camera",
                        r->cam >= 0 ? json_string(cfg->cameras[r->cam].id) : json_null());
    return o;
}

static int print_json_result(const struct inventory *inv, const struct row *rows, size_t n,
                             size_t ignored)
{
    json_t *o = json_object(), *devices = json_array(), *missing = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(devices, device_json(inv->cfg, &rows[i]));
    for (size_t i = 0; i < inv->cfg->n_cameras; i++) {
        const struct cfg_camera *c = &inv->cfg->cameras[i];
        json_t *m;
        if (c->onvif_url[0] == '\0' || inv->answered[i])
            continue;
        m = json_object();
        json_object_set_new(m, "id", json_string(c->id));
        json_object_set_new(m, "onvif_url", json_string(c->onvif_url));
        json_array_append_new(missing, m);
    }
    json_object_set_new(o, "devices", devices);
    json_object_set_new(o, "missing", missing);
    json_object_set_new(o, "ignored", json_integer((json_int_t)ignored));
    return print_json(o);
}

static void print_missing(const struct inventory *inv)
{
    static const char *const heads[] = {"CAMERA", "ONVIF URL", "DISCOVERY"};
    struct table t = {.ncols = 3, .heads = heads, .right = "lll"};
    size_t with_url = 0;

    for (size_t i = 0; i < inv->cfg->n_cameras; i++) {
        const struct cfg_camera *c = &inv->cfg->cameras[i];
        if (c->onvif_url[0] == '\0')
            continue;
        with_url++;
        if (!inv->answered[i])
            table_add(&t, c->id, c->onvif_url, "no answer");
    }
    printf("\n");
    if (with_url == 0)
        printf("no camera in the inventory has an onvif_url\n");
    else if (t.nrows == 0)
        printf("every camera with an onvif_url answered\n");
    else
        table_print(&t, stdout);
    table_free(&t);
}

static void print_table(const struct inventory *inv, const struct row *rows, size_t n,
                        const char *target, int64_t timeout_ms)
{
    static const char *const heads[] = {"ENDPOINT", "NAME", "HARDWARE", "XADDRS", "CAMERA"};
    struct table t = {.ncols = 5, .heads = heads, .right = "lllll"};

    if (n == 0) {
        printf("no ONVIF device answered %s within %.1f s\n", target, (double)timeout_ms / 1000);
    } else {
        printf("%zu ONVIF device%s answered %s within %.1f s\n", n, n == 1 ? "" : "s", target,
               (double)timeout_ms / 1000);
        for (size_t i = 0; i < n; i++) {
            const struct wsd_probe_match *m = &rows[i].d->m;
            table_add(&t, m->endpoint, m->name[0] ? m->name : "-",
                      m->hardware[0] ? m->hardware : "-", m->xaddrs[0] ? m->xaddrs : "-",
                      rows[i].cam >= 0 ? inv->cfg->cameras[rows[i].cam].id : "not in inventory");
        }
        table_print(&t, stdout);
    }
    table_free(&t);
    print_missing(inv);
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

static int discover_run(struct cli *cli, const struct wsd_target *target, int64_t timeout_ms,
                        int json, int verbose)
{
    struct wsd_result res;
    struct inventory inv;
    struct cw_err err;
    struct row *rows;
    char where[WSD_FROM_MAX];
    int rc;

    wsd_format_addr(&target->addr, where, sizeof(where));
    if (wsd_discover(target, timeout_ms, &res, &err) != 0) {
        fprintf(stderr, "camwatch: discover: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    report_ignored(&res, where, verbose);
    inventory_load(cli->cfg, &inv);
    rows = calloc(res.n_devices ? res.n_devices : 1, sizeof(*rows));
    if (rows == NULL)
        die_oom();
    for (size_t i = 0; i < res.n_devices; i++) {
        rows[i].d = &res.devices[i];
        rows[i].cam = inventory_match(&inv, res.devices[i].m.xaddrs);
    }
    qsort(rows, res.n_devices, sizeof(*rows), row_order);
    if (json) {
        rc = print_json_result(&inv, rows, res.n_devices, res.n_ignored);
    } else {
        print_table(&inv, rows, res.n_devices, where, timeout_ms);
        rc = 0;
    }
    free(rows);
    inventory_free(&inv);
    wsd_result_free(&res);
    return rc;
}

int cmd_discover(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, NULL, 't'}, {"timeout", required_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},         {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *target_text = DISCOVER_DEFAULT_TARGET, *timeout_text = DISCOVER_DEFAULT_TIMEOUT;
    struct wsd_target target;
    struct cw_err err;
    int64_t timeout_ms;
    int json = 0, verbose = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            target_text = optarg;
            break;
        case 'T':
            timeout_text = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            fputs(discover_usage, stdout);
            return 0;
        default:
            fputs(discover_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 0) {
        usage_error(discover_usage, "discover: takes no arguments");
        return EXIT_USAGE;
    }
    if (wsd_parse_target(target_text, &target, &err) != 0) {
        usage_error(discover_usage, "discover: %s", err.msg);
        return EXIT_USAGE;
    }
    if (cw_parse_duration_ms(timeout_text, &timeout_ms) != 0 || timeout_ms <= 0 ||
        timeout_ms > DISCOVER_MAX_TIMEOUT_MS) {
        usage_error(discover_usage, "discover: bad timeout '%s' (e.g. 3s, 1500ms; at most 1m)",
                    timeout_text);
        return EXIT_USAGE;
    }
    if ((rc = cli_open_config(cli)) != 0)
        return rc;
    return discover_run(cli, &target, timeout_ms, json, verbose);
}
