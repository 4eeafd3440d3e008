/* wsd.c - WS-Discovery 1.0 client for `camwatch discover`; see wsd.h. Owns, for the length of
 * one wsd_discover() call, a UDP socket and a 64 KiB receive buffer; the result's arrays
 * belong to the caller afterwards (wsd_result_free). Blocking poll(): CLI only.
 *
 * One discovery, in order (wsd_discover):
 *   socket bound to an ephemeral port -> Probe sent -> poll() for answers, repeating the
 *   Probe on schedule -> deadline: return what was taken (wsd_take_datagram)
 *
 * Repeats. UDP may drop a datagram, so SOAP-over-UDP (Appendix I, "Example Retransmission
 * Algorithm", which WS-Discovery 1.0 builds on) sends a message again after a random delay
 * T in [UDP_MIN_DELAY 50 ms, UDP_MAX_DELAY 250 ms], then after 2T, 4T, ... capped at
 * UDP_UPPER_DELAY 500 ms: MULTICAST_UDP_REPEAT 2 more copies to a group, UNICAST_UDP_REPEAT 1
 * to one address (WCF's UdpTransportSettings use the same defaults). Every copy carries the
 * same MessageID: target services drop the duplicates, and the answers to each copy all
 * relate to it. Answers a device repeats are folded by endpoint address (duplicates).
 *
 * The multicast TTL is 1: discovery is for the local link, and WS-Discovery's IPv6 group
 * FF02::C is link-local by its scope; IPv4 has no scope in the address, so the TTL keeps the
 * Probe from being routed further. Loopback stays on so a device simulator on this host
 * answers. Answers come back unicast to our port, from the device's own address.
 *
 * Reading an answer (wsd_parse_probe_matches): the datagram is parsed as any SOAP answer
 * (onvif_doc_parse, through the safe-parse guard); ProbeMatches must be in the 2005/04
 * discovery namespace, the fields inside are found by local name; the QNames of its Types are
 * resolved through the namespaces in scope, as XML Schema reads a QName. */
#include "wsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "../util/cwtime.h"
#include "onvif_ns.h"
#include "xmltext.h"

#define WSD_TO "urn:schemas-xmlsoap-org:ws:2005:04:discovery" /* To of a multicast Probe */

#define WSD_MULTICAST_TTL 1
#define WSD_MULTICAST_REPEAT 2 /* copies after the first; SOAP-over-UDP Appendix I */
#define WSD_UNICAST_REPEAT 1
#define WSD_MIN_DELAY_MS 50
#define WSD_MAX_DELAY_MS 250
#define WSD_UPPER_DELAY_MS 500
#define WSD_MAX_DEVICES 1024 /* more distinct endpoints in one run is a flood, not a site */
#define WSD_RECV_BATCH 64    /* datagrams taken before the deadline is looked at again */
#define UUID_BYTES 16
#define NUM_TEXT_MAX 64 /* a number's text as quoted in an error */
#define ONVIF_SCOPE_PREFIX "onvif://www.onvif.org/"

int wsd_parse_target(const char *text, struct wsd_target *out, struct cw_err *err)
{
    const char *colon = strrchr(text, ':');
    char host[INET_ADDRSTRLEN];
    size_t hn = colon != NULL ? (size_t)(colon - text) : strlen(text);
    long port = WSD_PORT;

    memset(out, 0, sizeof(*out));
    if (colon != NULL) {
        char *end;
        errno = 0;
        port = strtol(colon + 1, &end, 10);
        if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || port < 1 ||
            port > 65535)
            return cw_err_set(err, NULL, 0, NULL, "target '%s': bad port (1-65535)", text);
    }
    if (hn == 0 || hn >= sizeof(host))
        return cw_err_set(err, NULL, 0, NULL,
                          "target '%s': not an IPv4 address (names are not looked up)", text);
    memcpy(host, text, hn);
    host[hn] = '\0';
    if (inet_pton(AF_INET, host, &out->addr.sin_addr) != 1)
        return cw_err_set(err, NULL, 0, NULL,
                          "target '%s': not an IPv4 address (names are not looked up)", text);
    out->addr.sin_family = AF_INET;
    out->addr.sin_port = htons((uint16_t)port);
    out->multicast = IN_MULTICAST(ntohl(out->addr.sin_addr.s_addr));
    return 0;
}

const char *wsd_format_addr(const struct sockaddr_in *a, char *buf, size_t len)
{
    char ip[INET_ADDRSTRLEN];

    if (inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)) == NULL)
        snprintf(ip, sizeof(ip), "?");
    snprintf(buf, len, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
    return buf;
}

int wsd_new_message_id(char *out, size_t len)
{
    unsigned char u[UUID_BYTES];
    int n;

    if (RAND_bytes(u, sizeof(u)) != 1)
        return -1;
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4: random (RFC 4122, 4.4) */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* variant 10 */
    n = snprintf(out, len,
                 "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
                 u[13], u[14], u[15]);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

int wsd_build_probe(const char *message_id, char **out, struct cw_err *err)
{
    static const char fmt[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<s:Envelope xmlns:s=\"" NS_SOAP12 "\" xmlns:a=\"" NS_WSA04 "\" xmlns:d=\"" NS_WSD
        "\" xmlns:dn=\"" NS_DN "\">"
        "<s:Header>"
        "<a:Action s:mustUnderstand=\"1\">" NS_WSD "/Probe</a:Action>"
        "<a:MessageID>%s</a:MessageID>"
        "<a:To s:mustUnderstand=\"1\">" WSD_TO "</a:To>"
        "</s:Header>"
        "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>"
        "</s:Envelope>\n";
    size_t len = sizeof(fmt) + strlen(message_id);
    char *p;

    *out = NULL;
    /* A URI of our own making; refuse anything that would need escaping. */
    if (message_id[0] == '\0' ||
        message_id[strspn(message_id, "abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-.")] != '\0')
        return cw_err_set(err, NULL, 0, NULL, "message id '%s': not a urn:uuid", message_id);
    p = malloc(len);
    if (p == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    snprintf(p, len, fmt, message_id);
    *out = p;
    return 0;
}

/* ---- reading ProbeMatches ---- */

/* The next white-space separated item of *s and its length in *n; NULL when none is left. */
static const char *next_item(const char **s, size_t *n)
{
    const char *p = *s;

    while (xmltext_is_space(*p))
        p++;
    if (*p == '\0')
        return NULL;
    *n = 0;
    while (p[*n] != '\0' && !xmltext_is_space(p[*n]))
        (*n)++;
    *s = p + *n;
    return p;
}

/* Append item (n bytes) to the space-separated list; false, leaving it, when it does not fit
 * whole: a list is cut between items, never inside a URI. */
static bool list_add(char *list, size_t size, const char *item, size_t n)
{
    size_t used = strlen(list), sep = used > 0;

    if (used + sep + n + 1 > size)
        return false;
    if (sep)
        list[used++] = ' ';
    memcpy(list + used, item, n);
    list[used + n] = '\0';
    return true;
}

/* The text of n as a malloc'd string; NULL when n is NULL or out of memory. */
static char *node_content(const xmlNode *n)
{
    xmlChar *x;
    char *s;

    if (n == NULL || (x = xmlNodeGetContent(n)) == NULL)
        return NULL;
    s = strdup((const char *)x);
    xmlFree(x);
    return s;
}

/* A list element's items, white space collapsed, into out. */
static void list_text(const xmlNode *n, char *out, size_t size)
{
    char *text = node_content(n);
    const char *p = text, *item;
    size_t len;

    out[0] = '\0';
    if (text == NULL)
        return;
    while ((item = next_item(&p, &len)) != NULL && list_add(out, size, item, len))
        ;
    free(text);
    xmltext_sanitize(out);
}

/* One QName of a Types list as "prefix:Local" with our prefix for the ONVIF namespaces, else
 * "{namespace}Local"; as written when its prefix is not declared. */
static void type_name(const xmlNode *types, const char *item, size_t n, char *out, size_t size)
{
    static const struct {
        const char *ns, *prefix;
    } known[] = {{NS_DN, "dn"}, {NS_TDS, "tds"}};
    const char *colon = memchr(item, ':', n), *local = item;
    char prefix[64] = "";
    size_t ln = n;
    xmlNsPtr ns = NULL;

    if (colon != NULL) {
        local = colon + 1;
        ln = n - (size_t)(local - item);
        if ((size_t)(colon - item) < sizeof(prefix))
            xmltext_copy_cut(prefix, sizeof(prefix), item, (size_t)(colon - item));
    }
    if (colon == NULL || prefix[0] != '\0')
        ns = xmlSearchNs(types->doc, (xmlNodePtr)types,
                         prefix[0] != '\0' ? (const xmlChar *)prefix : NULL);
    if (ns == NULL || ns->href == NULL) {
        snprintf(out, size, "%.*s", (int)n, item);
        return;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp((const char *)ns->href, known[i].ns) == 0) {
            snprintf(out, size, "%s:%.*s", known[i].prefix, (int)ln, local);
            return;
        }
    }
    snprintf(out, size, "{%s}%.*s", (const char *)ns->href, (int)ln, local);
}

static void types_text(const xmlNode *types, char *out, size_t size)
{
    char *text = node_content(types), name[ONVIF_URL_MAX];
    const char *p = text, *item;
    size_t len;

    out[0] = '\0';
    if (text == NULL)
        return;
    while ((item = next_item(&p, &len)) != NULL) {
        type_name(types, item, len, name, sizeof(name));
        if (!list_add(out, size, name, strlen(name)))
            break;
    }
    free(text);
    xmltext_sanitize(out);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = xmltext_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s (n bytes) with its %XX escapes decoded (RFC 3986, 2.1; a '%' without two hex digits is
 * kept), made safe to print, cut into out on a character boundary. */
static void percent_decode(const char *s, size_t n, char *out, size_t size)
{
    char *tmp = malloc(n + 1);
    size_t w = 0;

    out[0] = '\0';
    if (tmp == NULL)
        return;
    for (size_t r = 0; r < n; r++) {
        int h, l;
        if (s[r] == '%' && r + 2 < n && (h = hex_digit(s[r + 1])) >= 0 &&
            (l = hex_digit(s[r + 2])) >= 0) {
            tmp[w++] = (char)(h * 16 + l);
            r += 2;
        } else {
            tmp[w++] = s[r];
        }
    }
    tmp[w] = '\0';
    /* A decoded NUL would end the string early: it is a control character, so '?'. */
    for (size_t i = 0; i < w; i++)
        if (tmp[i] == '\0')
            tmp[i] = '\x01';
    xmltext_sanitize(tmp);
    xmltext_copy_cut(out, size, tmp, strlen(tmp));
    free(tmp);
}

/* The value of an ONVIF scope onvif://www.onvif.org/<category>/<value>, decoded into out;
 * false when item is not one of category. Scheme, host and category are matched
 * case-insensitively. */
static bool scope_value(const char *item, size_t n, const char *category, char *out, size_t size)
{
    size_t pn = strlen(ONVIF_SCOPE_PREFIX), cn = strlen(category);

    if (n <= pn + cn + 1 || !xmltext_starts_ci(item, n, ONVIF_SCOPE_PREFIX) ||
        !xmltext_starts_ci(item + pn, n - pn, category) || item[pn + cn] != '/')
        return false;
    percent_decode(item + pn + cn + 1, n - pn - cn - 1, out, size);
    return true;
}

/* name and hardware from their first scope; every location scope joined with ", ". */
static void scopes_decode(const char *scopes, struct wsd_probe_match *m)
{
    const char *p = scopes, *item;
    char value[ONVIF_STR_MAX];
    size_t len;

    while ((item = next_item(&p, &len)) != NULL) {
        if (m->name[0] == '\0' && scope_value(item, len, "name", m->name, sizeof(m->name)))
            continue;
        if (m->hardware[0] == '\0' &&
            scope_value(item, len, "hardware", m->hardware, sizeof(m->hardware)))
            continue;
        if (scope_value(item, len, "location", value, sizeof(value)) && value[0] != '\0') {
            size_t used = strlen(m->location);
            if (used > 0) {
                if (used + 3 >= sizeof(m->location))
                    continue; /* full */
                memcpy(m->location + used, ", ", 3);
                used += 2;
            }
            xmltext_copy_cut(m->location + used, sizeof(m->location) - used, value, strlen(value));
        }
    }
}

static int metadata_version(const xmlNode *n, unsigned int *out, struct cw_err *err)
{
    char text[NUM_TEXT_MAX], *end;
    unsigned long long v;

    onvif_doc_text(n, text, sizeof(text));
    if (text[0] == '\0')
        return 0;
    if (text[0] < '0' || text[0] > '9')
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: '%s' is not a number", text);
    errno = 0;
    v = strtoull(text, &end, 10);
    if (*end != '\0')
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: '%s' is not a number", text);
    if (errno != 0 || v > UINT32_MAX)
        return cw_err_set(err, NULL, 0, NULL, "MetadataVersion: %s out of range", text);
    *out = (unsigned int)v;
    return 0;
}

static int probe_match_read(const xmlNode *pm, size_t i, struct wsd_probe_match *m,
                            struct cw_err *err)
{
    const xmlNode *epr = onvif_doc_child(pm, NS_WSA04, "EndpointReference");

    memset(m, 0, sizeof(*m));
    onvif_doc_text(onvif_doc_child(epr, NS_WSA04, "Address"), m->endpoint, sizeof(m->endpoint));
    xmltext_sanitize(m->endpoint);
    if (m->endpoint[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatch[%zu]: no EndpointReference/Address", i);
    types_text(onvif_doc_child(pm, NS_WSD, "Types"), m->types, sizeof(m->types));
    list_text(onvif_doc_child(pm, NS_WSD, "Scopes"), m->scopes, sizeof(m->scopes));
    list_text(onvif_doc_child(pm, NS_WSD, "XAddrs"), m->xaddrs, sizeof(m->xaddrs));
    scopes_decode(m->scopes, m);
    if (metadata_version(onvif_doc_child(pm, NS_WSD, "MetadataVersion"), &m->metadata_version,
                         err) != 0) {
        char msg[sizeof(err->msg)];
        if (err == NULL)
            return -1;
        snprintf(msg, sizeof(msg), "%s", err->msg);
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatch[%zu]: %s", i, msg);
    }
    return 0;
}

int wsd_parse_probe_matches(const struct onvif_doc *d, struct wsd_probe_matches *out,
                            struct cw_err *err)
{
    const xmlNode *header = onvif_doc_header(d);
    const xmlNode *r = onvif_doc_response(d, NS_WSD, "ProbeMatches", err);
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return -1;
    onvif_doc_text(onvif_doc_child(header, NS_WSA04, "RelatesTo"), out->relates_to,
                   sizeof(out->relates_to));
    xmltext_sanitize(out->relates_to);
    if (out->relates_to[0] == '\0')
        return cw_err_set(err, NULL, 0, NULL, "ProbeMatches: no RelatesTo in the Header");
    for (const xmlNode *pm = r->children; pm != NULL && i < WSD_MAX_MATCHES; pm = pm->next) {
        if (!onvif_doc_is(pm, NULL, "ProbeMatch"))
            continue;
        if (probe_match_read(pm, i, &out->match[i], err) != 0)
            return -1;
        i++;
    }
    out->n = i;
    return 0;
}

/* ---- taking answers ---- */

static int ignore(struct wsd_result *r, const char *from, const char *why)
{
    struct wsd_ignored *e;

    r->n_ignored++;
    if (r->n_reasons >= WSD_REASONS_KEPT)
        return 0;
    e = realloc(r->ignored, (r->n_reasons + 1) * sizeof(*e));
    if (e == NULL)
        return -1;
    r->ignored = e;
    e = &r->ignored[r->n_reasons++];
    snprintf(e->from, sizeof(e->from), "%s", from);
    snprintf(e->why, sizeof(e->why), "%s", why);
    /* libxml2 quotes the document in some messages: nothing a terminal would obey. */
    for (char *c = e->why; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = '?';
    return 0;
}

static int add_device(struct wsd_result *r, const struct wsd_probe_match *m, const char *from)
{
    struct wsd_device *d;

    for (size_t i = 0; i < r->n_devices; i++) {
        if (strcasecmp(r->devices[i].m.endpoint, m->endpoint) == 0) {
            r->duplicates++;
            return 0;
        }
    }
    if (r->n_devices >= WSD_MAX_DEVICES) {
        char why[64];
        snprintf(why, sizeof(why), "more than %d devices in one discovery", WSD_MAX_DEVICES);
        return ignore(r, from, why);
    }
    d = realloc(r->devices, (r->n_devices + 1) * sizeof(*d));
    if (d == NULL)
        return -1;
    r->devices = d;
    d = &r->devices[r->n_devices++];
    d->m = *m;
    snprintf(d->from, sizeof(d->from), "%s", from);
    return 0;
}

int wsd_take_datagram(struct wsd_result *r, const char *buf, size_t len, const char *from)
{
    struct wsd_probe_matches *pm = NULL;
    struct onvif_doc *doc = NULL;
    struct cw_err err = {0};
    char why[sizeof(err.msg) + 64];
    int rc = 0;

    if (onvif_doc_parse(buf, len, &doc, &err) != 0)
        return ignore(r, from, err.msg);
    pm = malloc(sizeof(*pm));
    if (pm == NULL) {
        onvif_doc_free(doc);
        return -1;
    }
    if (wsd_parse_probe_matches(doc, pm, &err) != 0) {
        rc = ignore(r, from, err.msg);
    } else if (strcasecmp(pm->relates_to, r->message_id) != 0) {
        snprintf(why, sizeof(why), "RelatesTo %.100s is not our Probe", pm->relates_to);
        rc = ignore(r, from, why);
    } else if (pm->n == 0) {
        rc = ignore(r, from, "ProbeMatches without a ProbeMatch");
    } else {
        for (size_t i = 0; i < pm->n && rc == 0; i++)
            rc = add_device(r, &pm->match[i], from);
    }
    free(pm);
    onvif_doc_free(doc);
    return rc;
}

/* ---- the socket ---- */

static int open_socket(const struct wsd_target *t, struct cw_err *err)
{
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    unsigned char ttl = WSD_MULTICAST_TTL, loop = 1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return cw_err_set(err, NULL, 0, NULL, "socket: %s", strerror(errno));
    if (bind(fd, (const struct sockaddr *)&any, sizeof(any)) != 0) {
        cw_err_set(err, NULL, 0, NULL, "bind: %s", strerror(errno));
        goto fail;
    }
    if (t->multicast && (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0 ||
                         setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) != 0)) {
        cw_err_set(err, NULL, 0, NULL, "multicast options: %s", strerror(errno));
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

static int send_probe(int fd, const struct wsd_target *t, const char *probe, struct cw_err *err)
{
    size_t len = strlen(probe);
    char addr[WSD_FROM_MAX];
    ssize_t n;

    do
        n = sendto(fd, probe, len, 0, (const struct sockaddr *)&t->addr, sizeof(t->addr));
    while (n < 0 && errno == EINTR);
    if (n < 0 || (size_t)n != len)
        return cw_err_set(err, NULL, 0, NULL, "send to %s: %s",
                          wsd_format_addr(&t->addr, addr, sizeof(addr)),
                          n < 0 ? strerror(errno) : "short send");
    return 0;
}

/* Take the datagrams waiting on fd, up to WSD_RECV_BATCH so a flood cannot hold us past the
 * deadline. -1 only when out of memory. */
static int receive_some(int fd, char *buf, struct wsd_result *r)
{
    for (int i = 0; i < WSD_RECV_BATCH; i++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        char who[WSD_FROM_MAX], why[64];
        ssize_t n = recvfrom(fd, buf, WSD_MAX_DATAGRAM, MSG_DONTWAIT | MSG_TRUNC,
                             (struct sockaddr *)&from, &flen);
        int rc;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0; /* EAGAIN; an ICMP error on the socket is not an answer either */
        wsd_format_addr(&from, who, sizeof(who));
        if ((size_t)n > WSD_MAX_DATAGRAM) {
            snprintf(why, sizeof(why), "datagram of %zd bytes, over 64 KiB", n);
            rc = ignore(r, who, why);
        } else {
            rc = wsd_take_datagram(r, buf, (size_t)n, who);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The first wait before a repeat: random in [WSD_MIN_DELAY_MS, WSD_MAX_DELAY_MS]. */
static int64_t first_delay_ms(void)
{
    unsigned char b[2] = {0, 0};

    (void)RAND_bytes(b, sizeof(b)); /* on failure, the minimum: still a valid schedule */
    return WSD_MIN_DELAY_MS +
           (int64_t)((b[0] << 8 | b[1]) % (WSD_MAX_DELAY_MS - WSD_MIN_DELAY_MS + 1));
}

/* poll() until the deadline, sending the repeats on schedule. */
static int collect(int fd, const struct wsd_target *t, const char *probe, int64_t deadline,
                   char *buf, struct wsd_result *r, struct cw_err *err)
{
    int repeats = t->multicast ? WSD_MULTICAST_REPEAT : WSD_UNICAST_REPEAT;
    int64_t delay = first_delay_ms(), next = cw_mono_ms() + delay;

    for (;;) {
        int64_t now = cw_mono_ms(), wait = deadline - now;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n;

        if (wait <= 0)
            return 0;
        if (repeats > 0 && now >= next) {
            /* A repeat that fails is only a copy lost; the first one went. */
            if (send_probe(fd, t, probe, NULL) == 0)
                r->sent++;
            repeats--;
            delay = delay * 2 < WSD_UPPER_DELAY_MS ? delay * 2 : WSD_UPPER_DELAY_MS;
            next = now + delay;
            continue;
        }
        if (repeats > 0 && next - now < wait)
            wait = next - now;
        n = poll(&pfd, 1, (int)wait);
        if (n < 0 && errno != EINTR)
            return cw_err_set(err, NULL, 0, NULL, "poll: %s", strerror(errno));
        if (n > 0 && receive_some(fd, buf, r) != 0)
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
}

int wsd_discover(const struct wsd_target *t, int64_t timeout_ms, struct wsd_result *out,
                 struct cw_err *err)
{
    char *probe = NULL, *buf = NULL;
    int64_t start;
    int fd = -1, rc = -1;

    memset(out, 0, sizeof(*out));
    if (wsd_new_message_id(out->message_id, sizeof(out->message_id)) != 0)
        return cw_err_set(err, NULL, 0, NULL, "no random bytes for a MessageID");
    if (wsd_build_probe(out->message_id, &probe, err) != 0)
        return -1;
    buf = malloc(WSD_MAX_DATAGRAM);
    if (buf == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    if ((fd = open_socket(t, err)) < 0)
        goto done;
    start = cw_mono_ms();
    if (send_probe(fd, t, probe, err) != 0)
        goto done;
    out->sent = 1;
    if (collect(fd, t, probe, start + timeout_ms, buf, out, err) != 0)
        goto done;
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(probe);
    if (rc != 0)
        wsd_result_free(out);
    return rc;
}

void wsd_result_free(struct wsd_result *r)
{
    if (r == NULL)
        return;
    free(r->devices);
    free(r->ignored);
    r->devices = NULL;
    r->ignored = NULL;
    r->n_devices = r->n_ignored = r->n_reasons = 0;
}
