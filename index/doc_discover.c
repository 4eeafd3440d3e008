/* doc_discover.c - the discover document: the ONVIF devices that answered a WS-Discovery
 * Probe reconciled with the inventory, the check IT otherwise does by hand: each device with
 * the camera whose onvif_url names the same host and port as one of its XAddrs, then the
 * cameras with an onvif_url that no device matched. Reads the cfg, not the store; its
 * working arrays live only during the call. */
#include "doc_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/log.h"

#define HOST_MAX 256
#define XADDR_MAX 512 /* one XAddr, cut as the ONVIF reader cuts a URL (ONVIF_URL_MAX) */

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

static void inventory_free(struct inventory *inv)
{
    free(inv->hp);
    free(inv->ok);
    free(inv->answered);
}

static int inventory_load(const struct cfg *cfg, struct inventory *inv)
{
    size_t n = cfg->n_cameras ? cfg->n_cameras : 1;

    inv->cfg = cfg;
    inv->hp = calloc(n, sizeof(*inv->hp));
    inv->ok = calloc(n, 1);
    inv->answered = calloc(n, 1);
    if (inv->hp == NULL || inv->ok == NULL || inv->answered == NULL)
        return -1;
    for (size_t i = 0; i < cfg->n_cameras; i++)
        inv->ok[i] = cfg->cameras[i].onvif_url[0] != '\0' &&
                     url_hostport(cfg->cameras[i].onvif_url, &inv->hp[i]) == 0;
    return 0;
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
        char url[XADDR_MAX];
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
    const struct doc_found *d;
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
    if ((c = strcmp(x->d->xaddrs, y->d->xaddrs)) != 0)
        return c;
    return strcmp(x->d->endpoint, y->d->endpoint);
}

/* The XAddrs as a list, each without any user:password: they are shown. */
static json_t *xaddrs_json(const char *xaddrs)
{
    json_t *arr = doc_split(xaddrs, ' '), *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        char *u = strdup(json_string_value(v));
        if (u != NULL)
            json_string_set(v, log_redact_url(u, u, strlen(u) + 1));
        free(u);
    }
    return arr;
}

static json_t *device_json(const struct doc_ctx *c, const void *elem)
{
    const struct row *r = elem;
    const struct doc_found *m = r->d;
    json_t *o = json_object();

    json_object_set_new(o, "endpoint", json_string(m->endpoint));
    json_object_set_new(o, "xaddrs", xaddrs_json(m->xaddrs));
    json_object_set_new(o, "types", doc_split(m->types, ' '));
    json_object_set_new(o, "scopes", doc_split(m->scopes, ' '));
    json_object_set_new(o, "name", doc_str_or_null(m->name));
    json_object_set_new(o, "hardware", doc_str_or_null(m->hardware));
    json_object_set_new(o, "location", doc_str_or_null(m->location));
    json_object_set_new(o, "camera",
                        r->cam >= 0 ? json_string(c->cfg->cameras[r->cam].id) : json_null());
    return o;
}

static json_t *missing_json(const struct inventory *inv)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < inv->cfg->n_cameras; i++) {
        const struct cfg_camera *c = &inv->cfg->cameras[i];
        json_t *m;
        if (c->onvif_url[0] == '\0' || inv->answered[i])
            continue;
        m = json_object();
        json_object_set_new(m, "id", json_string(c->id));
        json_object_set_new(m, "onvif_url", json_string(c->onvif_url));
        json_array_append_new(arr, m);
    }
    return arr;
}

int doc_discover(const struct doc_ctx *c, const struct doc_found *found, size_t n, size_t ignored,
                 json_t **out, struct cw_err *err)
{
    struct inventory inv = {0};
    struct row *rows = NULL;
    json_t *o = NULL;

    *out = NULL;
    if (inventory_load(c->cfg, &inv) == 0 && (rows = calloc(n ? n : 1, sizeof(*rows))) != NULL &&
        (o = json_object()) != NULL) {
        for (size_t i = 0; i < n; i++) {
            rows[i].d = &found[i];
            rows[i].cam = inventory_match(&inv, found[i].xaddrs);
        }
        qsort(rows, n, sizeof(*rows), row_order);
        if (json_object_set_new(o, "devices", doc_array(c, rows, n, sizeof(*rows), device_json)) !=
                0 ||
            json_object_set_new(o, "missing", missing_json(&inv)) != 0 ||
            json_object_set_new(o, "ignored", json_integer((json_int_t)ignored)) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    free(rows);
    inventory_free(&inv);
    return doc_give(o, out, err);
}
