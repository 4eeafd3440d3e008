/* camwatch.c - the camwatch command-line tool: status, events, uptime, stream
 * samples, thumbnails, maintenance and reference pictures (and, in
 * camwatch_device.c, ONVIF device facts and clocks) over the store the
 * daemon writes; camwatch_discover.c finds ONVIF devices on the network. Reads the conf (for the
 * store's path, the site's time zone and owner names), opens the store read-only (read-write for
 * `maintenance` and `reference`; WAL lets it run beside camwatchd), prints tables or JSON to stdout
 * and errors to stderr. One thread; it owns the cfg and the store handle for the life of the
 * process.
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../util/cwtime.h"
#include "../util/err.h"
#include "../util/state.h"
#include "cli.h"

#ifndef CW_VERSION
#define CW_VERSION "0.1.0"
#endif

#define DEFAULT_CONF "/etc/camwatch/camwatch.conf"
#define NAME_COL_MAX 20    /* status: longer names are cut with an ellipsis, display columns */
#define UPTIME_NAME_MAX 24 /* uptime: same, narrower since the figures need room */
#define N_STATES 5         /* enum cw_state values */
#define EVENTS_DEFAULT_SINCE "-7d"
#define SAMPLES_DEFAULT_SINCE "-1d"
#define COPY_BUF 65536 /* thumb: bytes per read */

void die_oom(void)
{
    fputs("camwatch: out of memory\n", stderr);
    exit(EXIT_RUNTIME);
}

char *xstrdup(const char *s)
{
    char *d = strdup(s != NULL ? s : "");
    if (d == NULL)
        die_oom();
    return d;
}

/* ---- UTF-8: display width, truncation, case and diacritic folding ---- */

/* Decode one code point at *s and advance; malformed bytes count as one code point each. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int n = 0;

    if (c >= 0xf0 && c < 0xf8) {
        c &= 0x07;
        n = 3;
    } else if (c >= 0xe0) {
        c &= 0x0f;
        n = 2;
    } else if (c >= 0xc0) {
        c &= 0x1f;
        n = 1;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *s += 1;
            return 0xfffd;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    *s += 1 + n;
    return c;
}

static size_t utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static int is_combining(uint32_t c)
{
    return c >= 0x300 && c <= 0x36f;
}

/* Terminal columns of s: one per code point, none for combining marks. Vietnamese text,
 * precomposed (NFC) or decomposed (NFD), comes out right; wide CJK would not. */
static size_t display_width(const char *s)
{
    size_t w = 0;

    while (*s != '\0')
        if (!is_combining(utf8_next(&s)))
            w++;
    return w;
}

/* Copy s into a new string cut to at most max columns, ending in "…" when cut. */
static char *truncate_display(const char *s, size_t max)
{
    const char *p = s, *cut = s;
    size_t w = 0;
    char *out;

    if (display_width(s) <= max)
        return xstrdup(s);
    while (*p != '\0') {
        const char *before = p;
        uint32_t c = utf8_next(&p);
        if (!is_combining(c)) {
            if (w + 1 >= max) {
                cut = before;
                break;
            }
            w++;
        }
        cut = p;
    }
    out = malloc((size_t)(cut - s) + sizeof("…"));
    if (out == NULL)
        die_oom();
    memcpy(out, s, (size_t)(cut - s));
    strcpy(out + (cut - s), "…");
    return out;
}

/* Vietnamese letters: lower-case and upper-case rows in the same order, and their base. */
static const struct {
    const char *lower, *upper;
    char base;
} viet_letters[] = {
    {"àáảãạăằắẳẵặâầấẩẫậ", "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'a'},
    {"èéẻẽẹêềếểễệ", "ÈÉẺẼẸÊỀẾỂỄỆ", 'e'},
    {"ìíỉĩị", "ÌÍỈĨỊ", 'i'},
    {"òóỏõọôồốổỗộơờớởỡợ", "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'o'},
    {"ùúủũụưừứửữự", "ÙÚỦŨỤƯỪỨỬỮỰ", 'u'},
    {"ỳýỷỹỵ", "ỲÝỶỸỴ", 'y'},
    {"đ", "Đ", 'd'},
};

/* Fold one code point: to lower case, and to its bare ASCII letter when strip is set. */
static uint32_t fold_char(uint32_t c, int strip)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    for (size_t g = 0; g < sizeof(viet_letters) / sizeof(viet_letters[0]); g++) {
        const char *lo = viet_letters[g].lower, *up = viet_letters[g].upper;
        while (*lo != '\0') {
            uint32_t l = utf8_next(&lo), u = utf8_next(&up);
            if (c == l || c == u)
                return strip ? (uint32_t)viet_letters[g].base : l;
        }
    }
    return c;
}

/* Fold s for matching; strip also drops diacritics. Caller frees. */
static char *fold_text(const char *s, int strip)
{
    char *out = malloc(strlen(s) * 4 + 1), *o = out;

    if (out == NULL)
        die_oom();
    while (*s != '\0') {
        uint32_t c = utf8_next(&s);
        if (strip && is_combining(c))
            continue;
        o += utf8_put(fold_char(c, strip), o);
    }
    *o = '\0';
    return out;
}

static int is_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* A commune filter typed without diacritics ("tan thanh") matches regardless of them; one typed
 * with them ("Tân Thành") must match them, so "Tân Thạnh" stays apart. Case never matters. */
static int commune_matches(const char *commune, const char *want)
{
    int strip = is_ascii(want);
    char *a = fold_text(commune, strip), *b = fold_text(want, strip);
    int eq = strcmp(a, b) == 0;

    free(a);
    free(b);
    return eq;
}

/* ---- plain tables aligned by display width ---- */

void table_add(struct table *t, ...)
{
    va_list ap;

    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*c));
        if (c == NULL)
            die_oom();
        t->cells = c;
        t->cap = cap;
    }
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    t->nrows++;
}

/* Append s to line padded to width columns (left- or right-aligned). */
static size_t put_cell(char *line, size_t at, const char *s, size_t width, int right)
{
    size_t pad = width - display_width(s), len = strlen(s);

    if (right) {
        memset(line + at, ' ', pad);
        at += pad;
    }
    memcpy(line + at, s, len);
    at += len;
    if (!right) {
        memset(line + at, ' ', pad);
        at += pad;
    }
    return at;
}

/* Print one row; trailing blanks (an empty last column) are cut. */
static void print_row(FILE *f, const struct table *t, char *const *cells, const size_t *w,
                      char *line)
{
    size_t at = 0;

    for (int c = 0; c < t->ncols; c++) {
        if (c > 0) {
            memcpy(line + at, "  ", 2);
            at += 2;
        }
        at = put_cell(line, at, cells[c], w[c], t->right[c] == 'r');
    }
    while (at > 0 && line[at - 1] == ' ')
        at--;
    line[at] = '\0';
    fprintf(f, "%s\n", line);
}

/* Print heads and rows, each column as wide as its widest cell in display columns. */
void table_print(const struct table *t, FILE *f)
{
    size_t *w = calloc((size_t)t->ncols, sizeof(*w)), linecap = 1;
    char *line;

    if (w == NULL)
        die_oom();
    for (int c = 0; c < t->ncols; c++) {
        size_t maxbytes = strlen(t->heads[c]);
        w[c] = display_width(t->heads[c]);
        for (size_t r = 0; r < t->nrows; r++) {
            const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
            size_t cw = display_width(cell);
            if (cw > w[c])
                w[c] = cw;
            if (strlen(cell) > maxbytes)
                maxbytes = strlen(cell);
        }
        linecap += maxbytes + w[c] + 2; /* bytes + padding + separator, generously */
    }
    line = malloc(linecap);
    if (line == NULL)
        die_oom();
    print_row(f, t, (char *const *)t->heads, w, line);
    for (size_t r = 0; r < t->nrows; r++)
        print_row(f, t, &t->cells[r * (size_t)t->ncols], w, line);
    free(line);
    free(w);
}

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

/* ---- shared set-up ---- */

/* Reals to 10 significant digits: means of measurements come out as 812.39999999999975. */
#define JSON_REAL_DIGITS 10

int print_json(json_t *j)
{
    int rc = json_dumpf(
        j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(JSON_REAL_DIGITS));

    json_decref(j);
    if (rc != 0) {
        fputs("camwatch: cannot write JSON\n", stderr);
        return EXIT_RUNTIME;
    }
    fputc('\n', stdout);
    return 0;
}

void usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;

    fputs("camwatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage);
}

/* Load the conf alone. Returns 0, or the exit code to leave with. */
int cli_open_config(struct cli *cli)
{
    struct cw_errlist errs = {0};
    char buf[1024];

    if (cfg_load(cli->conf_path, &cli->cfg, &errs) != 0) {
        for (size_t i = 0; i < errs.n; i++) {
            cw_err_format(&errs.v[i], buf, sizeof(buf));
            fprintf(stderr, "%s\n", buf);
        }
        if (errs.n == 0)
            fprintf(stderr, "camwatch: %s: cannot load configuration\n", cli->conf_path);
        cw_errlist_clear(&errs);
        return EXIT_USAGE;
    }
    cw_errlist_clear(&errs);
    cli->tz = cli->cfg->time_zone;
    return 0;
}

/* Load the conf and open the store. Returns 0, or the exit code to leave with. */
int cli_open(struct cli *cli, enum store_mode mode)
{
    struct cw_err err;
    struct stat st;
    char buf[1024];
    int rc;

    if ((rc = cli_open_config(cli)) != 0)
        return rc;
    /* READWRITE would create an empty store; a missing one means the daemon never ran. */
    if (stat(cli->cfg->database, &st) != 0) {
        fprintf(stderr, "camwatch: store %s: %s; run camwatchd first (camwatchd -c %s)\n",
                cli->cfg->database, strerror(errno), cli->conf_path);
        return EXIT_RUNTIME;
    }
    if (store_open(cli->cfg->database, mode, &cli->store, &err) != 0) {
        cw_err_format(&err, buf, sizeof(buf));
        fprintf(stderr, "camwatch: cannot open store: %s\n", buf);
        return EXIT_RUNTIME;
    }
    return 0;
}

static void cli_close(struct cli *cli)
{
    store_close(cli->store);
    cfg_free(cli->cfg);
    cli->store = NULL;
    cli->cfg = NULL;
}

int store_failed(const struct cw_err *err)
{
    char buf[1024];

    cw_err_format(err, buf, sizeof(buf));
    fprintf(stderr, "camwatch: %s\n", buf);
    return EXIT_RUNTIME;
}

json_t *json_str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *json_iso_or_null(const struct cli *cli, int64_t ms)
{
    char buf[64];

    if (ms == 0)
        return json_null();
    return json_string(cw_format_iso(ms, cli->tz, buf, sizeof(buf)));
}

/* 1 when the comma-separated list holds name (case ignored). */
static int flags_include(const char *list, const char *name)
{
    size_t len = strlen(name);

    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && strncasecmp(p, name, len) == 0)
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

json_t *json_split(const char *list, char sep)
{
    const char seps[2] = {sep, '\0'};
    json_t *arr = json_array();

    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, seps);
        if (n > 0)
            json_array_append_new(arr, json_stringn(p, n));
        p += n + (p[n] == sep);
    }
    return arr;
}

/* A table cell: v printed with fmt, or "-" when not known. */
const char *fmt_opt(char *buf, size_t len, const char *fmt, double v, int known)
{
    if (known)
        snprintf(buf, len, fmt, v);
    else
        snprintf(buf, len, "-");
    return buf;
}

/* getopt_long over a command's own argv (argv[0] is the command name). */
void reset_getopt(void)
{
    optind = 0; /* glibc: full re-initialisation */
    opterr = 1;
}

/* ---- status ---- */

static const char status_usage[] =
    "usage: camwatch [-c FILE] status [--owner CODE] [--commune NAME] [--state STATE]\n"
    "                                 [--flag NAME] [--json]\n"
    "  Current state of every camera, with the last probe's facts and the last stream\n"
    "  sample's: FPS as measured, KBPS (bitrate, kbit/s) and FLAGS (picture and stream faults).\n"
    "  --owner CODE    only this owner's cameras (e.g. CAH)\n"
    "  --commune NAME  only cameras in this commune; without diacritics it matches any\n"
    "  --state STATE   only cameras in STATE: up, degraded, down, unknown, maintenance\n"
    "  --flag NAME     only cameras whose last sample has flag NAME: no_media, low_res,\n"
    "                  low_fps, low_bitrate, long_gop, ts_faults, dark, black, overexposed,\n"
    "                  blurred, frozen, moved, sdp_mismatch\n"
    "  --json          print a JSON array\n";

struct status_filter {
    const char *owner, *commune, *flag;
    int have_state;
    enum cw_state state;
};

static int status_keep(const struct status_filter *f, const struct store_status *st)
{
    if (f->owner != NULL && strcasecmp(st->owner, f->owner) != 0)
        return 0;
    if (f->commune != NULL && !commune_matches(st->commune, f->commune))
        return 0;
    if (f->have_state && st->state != f->state)
        return 0;
    if (f->flag != NULL && !flags_include(st->flags, f->flag))
        return 0;
    return 1;
}

/* The store keeps a fact the last sample did not measure as NULL, read back as 0; these say
 * which of the sample's facts are real. */
static int has_media(const struct store_status *st)
{
    return st->last_sample_ms != 0 && !flags_include(st->flags, "no_media");
}

static int measured_fps(const struct store_status *st)
{
    return has_media(st) && st->stream_fps > 0;
}

static int has_picture(const struct store_status *st)
{
    return has_media(st) && (st->luma != 0 || st->sharpness != 0);
}

/* The last stream sample's fields of status --json. */
static void status_json_sample(const struct cli *cli, const struct store_status *st, json_t *o)
{
    int media = has_media(st), pic = has_picture(st);

    json_object_set_new(o, "bitrate_kbps", media ? json_real(st->bitrate_kbps) : json_null());
    json_object_set_new(o, "gop_s", media && st->gop_s > 0 ? json_real(st->gop_s) : json_null());
    json_object_set_new(o, "sharpness", pic ? json_real(st->sharpness) : json_null());
    json_object_set_new(o, "luma", pic ? json_real(st->luma) : json_null());
    json_object_set_new(o, "frozen", json_boolean(st->frozen));
    json_object_set_new(o, "flags", json_split(st->flags, ','));
    json_object_set_new(o, "last_sample", json_iso_or_null(cli, st->last_sample_ms));
    json_object_set_new(o, "last_sample_ms",
                        st->last_sample_ms != 0 ? json_integer(st->last_sample_ms) : json_null());
    json_object_set_new(o, "thumb", json_str_or_null(st->thumb_path));
}

static json_t *status_json_one(const struct cli *cli, const struct store_status *st)
{
    const char *owner_name = cfg_owner_name(cli->cfg, st->owner);
    char since[64];
    json_t *o = json_object();

    json_object_set_new(o, "id", json_string(st->id));
    json_object_set_new(o, "name", json_string(st->name));
    json_object_set_new(o, "owner", json_string(st->owner));
    json_object_set_new(o, "owner_name", json_str_or_null(owner_name));
    json_object_set_new(o, "commune", json_string(st->commune));
    json_object_set_new(o, "state", json_string(cw_state_name(st->state)));
    json_object_set_new(o, "since",
                        json_string(cw_format_iso(st->since_ms, cli->tz, since, sizeof(since))));
    json_object_set_new(o, "since_ms", json_integer(st->since_ms));
    json_object_set_new(o, "reason", json_string(st->reason));
    json_object_set_new(o, "latency_ms",
                        st->latency_ms >= 0 ? json_integer(st->latency_ms) : json_null());
    json_object_set_new(o, "codec", json_str_or_null(st->codec));
    json_object_set_new(o, "width", st->width > 0 ? json_integer(st->width) : json_null());
    json_object_set_new(o, "height", st->height > 0 ? json_integer(st->height) : json_null());
    /* Measured when a sample read media; the SDP's claim only before any sample. */
    json_object_set_new(o, "fps",
                        measured_fps(st)                         ? json_real(st->stream_fps)
                        : st->last_sample_ms == 0 && st->fps > 0 ? json_real(st->fps)
                                                                 : json_null());
    json_object_set_new(o, "sdp_fps", st->fps > 0 ? json_real(st->fps) : json_null());
    json_object_set_new(o, "rtsp_status",
                        st->rtsp_status > 0 ? json_integer(st->rtsp_status) : json_null());
    json_object_set_new(o, "last_probe", json_iso_or_null(cli, st->last_probe_ms));
    json_object_set_new(o, "last_probe_ms",
                        st->last_probe_ms != 0 ? json_integer(st->last_probe_ms) : json_null());
    status_json_sample(cli, st, o);
    return o;
}

/* "MM-DD HH:MM" within this year, else "YYYY-MM-DD": the status table has no room for more. */
static const char *fmt_since_short(const struct cli *cli, int64_t ms, char *buf, size_t len)
{
    char now[64], full[64];

    cw_format_local(cw_now_ms(), cli->tz, now, sizeof(now));
    cw_format_local(ms, cli->tz, full, sizeof(full));
    if (strncmp(now, full, 4) == 0)
        snprintf(buf, len, "%.11s", full + 5);
    else
        snprintf(buf, len, "%.10s", full);
    return buf;
}

static void status_table_row(const struct cli *cli, struct table *t, const struct store_status *st)
{
    char since[64], lat[32], res[32], fps[32], kbps[32];
    char *name = truncate_display(st->name, NAME_COL_MAX);

    fmt_since_short(cli, st->since_ms, since, sizeof(since));
    fmt_opt(fps, sizeof(fps), "%.1f", st->stream_fps, measured_fps(st));
    fmt_opt(kbps, sizeof(kbps), "%.0f", st->bitrate_kbps, has_media(st));
    if (st->latency_ms >= 0)
        snprintf(lat, sizeof(lat), "%d ms", st->latency_ms);
    else
        snprintf(lat, sizeof(lat), "-");
    if (st->width > 0 && st->height > 0)
        snprintf(res, sizeof(res), "%dx%d", st->width, st->height);
    else
        snprintf(res, sizeof(res), "-");
    table_add(t, st->id, name, st->owner, cw_state_name(st->state), since, lat, res, fps, kbps,
              st->flags[0] ? st->flags : "-", st->reason);
    free(name);
}

static int status_print(const struct cli *cli, const struct store_status *v, size_t n,
                        const struct status_filter *f, int json)
{
    /* At most about 100 columns before REASON, which may run on; the codec is in --json. */
    static const char *const heads[] = {"ID",  "NAME", "OWNER", "STATE", "SINCE", "LATENCY",
                                        "RES", "FPS",  "KBPS",  "FLAGS", "REASON"};
    struct table t = {.ncols = 11, .heads = heads, .right = "lllllrrrrll"};
    size_t count[N_STATES] = {0}, shown = 0;

    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            if (status_keep(f, &v[i]))
                json_array_append_new(arr, status_json_one(cli, &v[i]));
        return print_json(arr);
    }
    for (size_t i = 0; i < n; i++) {
        if (!status_keep(f, &v[i]))
            continue;
        status_table_row(cli, &t, &v[i]);
        if ((unsigned)v[i].state < N_STATES)
            count[v[i].state]++;
        shown++;
    }
    if (shown > 0)
        table_print(&t, stdout);
    table_free(&t);
    printf("%zu camera%s: %zu up, %zu degraded, %zu down, %zu unknown, %zu maintenance\n", shown,
           shown == 1 ? "" : "s", count[CW_UP], count[CW_DEGRADED], count[CW_DOWN],
           count[CW_UNKNOWN], count[CW_MAINTENANCE]);
    return 0;
}

static int owner_known(const struct cfg *cfg, const char *code)
{
    for (size_t i = 0; i < cfg->n_owners; i++)
        if (strcasecmp(cfg->owners[i].code, code) == 0)
            return 1;
    return 0;
}

static int cmd_status(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"owner", required_argument, NULL, 'o'},
                                         {"commune", required_argument, NULL, 'm'},
                                         {"state", required_argument, NULL, 's'},
                                         {"flag", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct status_filter f = {0};
    struct store_status *v = NULL;
    struct cw_err err;
    size_t n = 0;
    int json = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            f.owner = optarg;
            break;
        case 'm':
            f.commune = optarg;
            break;
        case 's':
            if (cw_state_parse(optarg, &f.state) != 0) {
                usage_error(status_usage, "status: unknown state '%s'", optarg);
                return EXIT_USAGE;
            }
            f.have_state = 1;
            break;
        case 'f':
            f.flag = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(status_usage, stdout);
            return 0;
        default:
            fputs(status_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage_error(status_usage, "status: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (f.owner != NULL && !owner_known(cli->cfg, f.owner)) {
        /* Not fatal: a retired owner may still have cameras in the store. */
        fprintf(stderr, "camwatch: note: owner '%s' is not in the configuration\n", f.owner);
    }
    if (store_list_status(cli->store, &v, &n, &err) != 0)
        return store_failed(&err);
    rc = status_print(cli, v, n, &f, json);
    free(v);
    return rc;
}

/* ---- events ---- */

static const char events_usage[] =
    "usage: camwatch [-c FILE] events [--camera ID] [--since TIME] [--json]\n"
    "  State changes and changes of ONVIF device facts (firmware, model, serial...), oldest\n"
    "  first. In --json, each has \"kind\": \"state\" (from, to, reason) or \"device\"\n"
    "  (field, old, new).\n"
    "  --camera ID     only this camera\n"
    "  --since TIME    from TIME (default -7d): YYYY-MM-DD[ HH:MM[:SS]] in the site's zone,\n"
    "                  ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON array\n";

static json_t *event_json(const struct cli *cli, const struct store_event *e)
{
    char at[64];
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "kind", json_string("state"));
    json_object_set_new(o, "camera", json_string(e->camera_id));
    json_object_set_new(o, "at", json_string(cw_format_iso(e->at_ms, cli->tz, at, sizeof(at))));
    json_object_set_new(o, "at_ms", json_integer(e->at_ms));
    json_object_set_new(o, "from", json_string(cw_state_name(e->from)));
    json_object_set_new(o, "to", json_string(cw_state_name(e->to)));
    json_object_set_new(o, "reason", json_string(e->reason));
    return o;
}

static json_t *change_json(const struct cli *cli, const struct store_device_change *c)
{
    char at[64];
    json_t *o = json_object();

    json_object_set_new(o, "kind", json_string("device"));
    json_object_set_new(o, "camera", json_string(c->camera_id));
    json_object_set_new(o, "at", json_string(cw_format_iso(c->at_ms, cli->tz, at, sizeof(at))));
    json_object_set_new(o, "at_ms", json_integer(c->at_ms));
    json_object_set_new(o, "field", json_string(c->field));
    json_object_set_new(o, "old", json_string(c->old_value));
    json_object_set_new(o, "new", json_string(c->new_value));
    return o;
}

/* State events and device changes, each list oldest first, merged by time. */
static int events_print(const struct cli *cli, const struct store_event *v, size_t n,
                        const struct store_device_change *dc, size_t m, int json)
{
    static const char *const heads[] = {"TIME", "CAMERA", "CHANGE", "REASON"};
    struct table t = {.ncols = 4, .heads = heads, .right = "llll"};
    json_t *arr = json ? json_array() : NULL;
    char at[64], change[64], reason[300];
    size_t i = 0, j = 0;

    while (i < n || j < m) {
        if (j >= m || (i < n && v[i].at_ms <= dc[j].at_ms)) {
            if (arr != NULL) {
                json_array_append_new(arr, event_json(cli, &v[i]));
            } else {
                snprintf(change, sizeof(change), "%s -> %s", cw_state_name(v[i].from),
                         cw_state_name(v[i].to));
                table_add(&t, cw_format_local(v[i].at_ms, cli->tz, at, sizeof(at)), v[i].camera_id,
                          change, v[i].reason);
            }
            i++;
        } else {
            if (arr != NULL) {
                json_array_append_new(arr, change_json(cli, &dc[j]));
            } else {
                snprintf(change, sizeof(change), "%s changed", dc[j].field);
                if (snprintf(reason, sizeof(reason), "%s -> %s", dc[j].old_value, dc[j].new_value) <
                    0)
                    reason[0] = '\0';
                table_add(&t, cw_format_local(dc[j].at_ms, cli->tz, at, sizeof(at)),
                          dc[j].camera_id, change, reason);
            }
            j++;
        }
    }
    if (arr != NULL)
        return print_json(arr);
    if (n + m == 0)
        puts("no events");
    else
        table_print(&t, stdout);
    table_free(&t);
    return 0;
}

/* Returns 0 when the camera is in the store, else the exit code (message printed). */
int require_camera(struct cli *cli, const char *id, struct store_status *st)
{
    struct cw_err err;
    int r = store_get_status(cli->store, id, st, &err);

    if (r < 0)
        return store_failed(&err);
    if (r == 1) {
        fprintf(stderr, "camwatch: unknown camera '%s'\n", id);
        return EXIT_RUNTIME;
    }
    return 0;
}

static int cmd_events(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"camera", required_argument, NULL, 'C'},
                                         {"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *camera = NULL, *since = EVENTS_DEFAULT_SINCE;
    struct store_event *v = NULL;
    struct store_device_change *dc = NULL;
    struct store_status st;
    struct cw_err err;
    int64_t since_ms;
    size_t n = 0, m = 0;
    int json = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'C':
            camera = optarg;
            break;
        case 's':
            since = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(events_usage, stdout);
            return 0;
        default:
            fputs(events_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage_error(events_usage, "events: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (cw_parse_time(since, cli->tz, &since_ms) != 0) {
        usage_error(events_usage, "events: bad time '%s'", since);
        return EXIT_USAGE;
    }
    if (camera != NULL && (rc = require_camera(cli, camera, &st)) != 0)
        return rc;
    if (store_list_events(cli->store, camera, since_ms, &v, &n, &err) != 0)
        return store_failed(&err);
    if (store_list_device_changes(cli->store, camera, since_ms, &dc, &m, &err) != 0) {
        free(v);
        return store_failed(&err);
    }
    rc = events_print(cli, v, n, dc, m, json);
    free(v);
    free(dc);
    return rc;
}

/* ---- uptime ---- */

static const char uptime_usage[] =
    "usage: camwatch [-c FILE] uptime [--from TIME] [--to TIME] [--by camera|owner] [--json]\n"
    "  Time in each state, computed exactly from state changes; percentages are of the time\n"
    "  each camera existed within the range.\n"
    "  --from TIME     start (default: the first of this month, 00:00 local)\n"
    "  --to TIME       end (default: now)\n"
    "  --by WHAT       only the per-camera or only the per-owner table (default: both)\n"
    "  --json          print a JSON object\n"
    "  TIME is YYYY-MM-DD[ HH:MM[:SS]] in the site's zone, ISO 8601 with Z or +HH:MM, now,\n"
    "  or relative: -7d, -2h.\n";

enum uptime_by { BY_BOTH = 0, BY_CAMERA = 1, BY_OWNER = 2 };

/* Sums for one owner, or one camera's row. */
struct uptime_sum {
    const char *key; /* camera id or owner code; borrowed */
    int64_t ms[N_STATES];
    int outages;
    int cameras;
};

static int64_t uptime_total(const int64_t ms[N_STATES])
{
    int64_t t = 0;

    for (int i = 0; i < N_STATES; i++)
        t += ms[i];
    return t;
}

static void fmt_percent(char *buf, size_t len, int64_t part, int64_t total)
{
    if (total <= 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.2f", 100.0 * (double)part / (double)total);
}

/* h:mm; hours run past 24. Rounded down to the minute. */
static void fmt_hmm(char *buf, size_t len, int64_t ms)
{
    int64_t min = ms / 60000;

    snprintf(buf, len, "%lld:%02lld", (long long)(min / 60), (long long)(min % 60));
}

/* Order of the states in tables and JSON: the ones people ask about first. */
static const enum cw_state uptime_order[N_STATES] = {CW_UP, CW_DEGRADED, CW_DOWN, CW_UNKNOWN,
                                                     CW_MAINTENANCE};

static void uptime_row(struct table *t, const char *key, const char *name, const char *owner,
                       const struct uptime_sum *s, int by_owner)
{
    char pct[N_STATES][16], outages[16], down[32], cams[16];
    int64_t total = uptime_total(s->ms);

    for (int i = 0; i < N_STATES; i++)
        fmt_percent(pct[i], sizeof(pct[i]), s->ms[uptime_order[i]], total);
    snprintf(outages, sizeof(outages), "%d", s->outages);
    fmt_hmm(down, sizeof(down), s->ms[CW_DOWN]);
    if (by_owner) {
        snprintf(cams, sizeof(cams), "%d", s->cameras);
        table_add(t, key, name, cams, pct[0], pct[1], pct[2], pct[3], pct[4], outages, down);
    } else {
        table_add(t, key, name, owner, pct[0], pct[1], pct[2], pct[3], pct[4], outages, down);
    }
}

static json_t *uptime_json_one(const struct uptime_sum *s)
{
    json_t *o = json_object(), *ms = json_object(), *pct = json_object();
    int64_t total = uptime_total(s->ms);

    for (int i = 0; i < N_STATES; i++) {
        enum cw_state st = uptime_order[i];
        json_object_set_new(ms, cw_state_name(st), json_integer(s->ms[st]));
        json_object_set_new(pct, cw_state_name(st),
                            total > 0 ? json_real(100.0 * (double)s->ms[st] / (double)total)
                                      : json_null());
    }
    json_object_set_new(o, "existed_ms", json_integer(total));
    json_object_set_new(o, "ms", ms);
    json_object_set_new(o, "percent", pct);
    json_object_set_new(o, "outages", json_integer(s->outages));
    json_object_set_new(o, "downtime_ms", json_integer(s->ms[CW_DOWN]));
    return o;
}

/* Fold camera rows into one sum per owner, sorted by owner
 * code. *out malloc'd (caller frees); keys borrow from rows. */
static size_t uptime_by_owner(const struct store_uptime *rows, size_t n, struct uptime_sum **out)
{
    struct uptime_sum *o = calloc(n > 0 ? n : 1, sizeof(*o));
    size_t no = 0;

    if (o == NULL)
        die_oom();
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < no && strcmp(o[k].key, rows[i].owner) != 0)
            k++;
        if (k == no) {
            /* keep owners sorted by code: insert at its place */
            size_t at = 0;
            while (at < no && strcmp(o[at].key, rows[i].owner) < 0)
                at++;
            memmove(&o[at + 1], &o[at], (no - at) * sizeof(*o));
            memset(&o[at], 0, sizeof(*o));
            o[at].key = rows[i].owner;
            no++;
            k = at;
        }
        for (int s = 0; s < N_STATES; s++)
            o[k].ms[s] += rows[i].ms[s];
        o[k].outages += rows[i].outages;
        o[k].cameras++;
    }
    *out = o;
    return no;
}

static void camera_sum(const struct store_uptime *r, struct uptime_sum *s)
{
    memset(s, 0, sizeof(*s));
    s->key = r->camera_id;
    memcpy(s->ms, r->ms, sizeof(s->ms));
    s->outages = r->outages;
    s->cameras = 1;
}

static int uptime_print_json(const struct cli *cli, const struct store_uptime *rows, size_t n,
                             const struct uptime_sum *owners, size_t no, int64_t from_ms,
                             int64_t to_ms, enum uptime_by by)
{
    char buf[64];
    json_t *root = json_object();

    json_object_set_new(root, "from", json_string(cw_format_iso(from_ms, cli->tz, buf, 64)));
    json_object_set_new(root, "from_ms", json_integer(from_ms));
    json_object_set_new(root, "to", json_string(cw_format_iso(to_ms, cli->tz, buf, 64)));
    json_object_set_new(root, "to_ms", json_integer(to_ms));
    if (by != BY_OWNER) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            struct uptime_sum s;
            const struct cfg_camera *cam = cfg_find_camera(cli->cfg, rows[i].camera_id);
            json_t *o = json_object(), *fig;
            camera_sum(&rows[i], &s);
            fig = uptime_json_one(&s);
            json_object_set_new(o, "id", json_string(rows[i].camera_id));
            json_object_set_new(o, "name", cam ? json_string(cam->name) : json_null());
            json_object_set_new(o, "owner", json_string(rows[i].owner));
            json_object_update(o, fig);
            json_decref(fig);
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "cameras", arr);
    }
    if (by != BY_CAMERA) {
        json_t *arr = json_array();
        for (size_t i = 0; i < no; i++) {
            const char *name = cfg_owner_name(cli->cfg, owners[i].key);
            json_t *o = json_object(), *fig = uptime_json_one(&owners[i]);
            json_object_set_new(o, "owner", json_string(owners[i].key));
            json_object_set_new(o, "owner_name", json_str_or_null(name));
            json_object_set_new(o, "cameras", json_integer(owners[i].cameras));
            json_object_update(o, fig);
            json_decref(fig);
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "owners", arr);
    }
    return print_json(root);
}

static void uptime_print_tables(const struct cli *cli, const struct store_uptime *rows, size_t n,
                                const struct uptime_sum *owners, size_t no, int64_t from_ms,
                                int64_t to_ms, enum uptime_by by)
{
    static const char *const cam_heads[] = {"ID",         "NAME",    "OWNER",     "UP %",
                                            "DEGRADED %", "DOWN %",  "UNKNOWN %", "MAINT %",
                                            "OUTAGES",    "DOWNTIME"};
    static const char *const own_heads[] = {"OWNER",      "NAME",    "CAMERAS",   "UP %",
                                            "DEGRADED %", "DOWN %",  "UNKNOWN %", "MAINT %",
                                            "OUTAGES",    "DOWNTIME"};
    char from[64], to[64];

    printf("uptime from %s to %s (%s)\n", cw_format_local(from_ms, cli->tz, from, sizeof(from)),
           cw_format_local(to_ms, cli->tz, to, sizeof(to)), cli->tz);
    if (by != BY_OWNER) {
        struct table t = {.ncols = 10, .heads = cam_heads, .right = "lllrrrrrrr"};
        for (size_t i = 0; i < n; i++) {
            const struct cfg_camera *cam = cfg_find_camera(cli->cfg, rows[i].camera_id);
            char *name = truncate_display(cam ? cam->name : "", UPTIME_NAME_MAX);
            struct uptime_sum s;
            camera_sum(&rows[i], &s);
            uptime_row(&t, rows[i].camera_id, name, rows[i].owner, &s, 0);
            free(name);
        }
        putchar('\n');
        if (n > 0)
            table_print(&t, stdout);
        else
            puts("no cameras in the range");
        table_free(&t);
    }
    if (by != BY_CAMERA) {
        struct table t = {.ncols = 10, .heads = own_heads, .right = "llrrrrrrrr"};
        for (size_t i = 0; i < no; i++) {
            const char *oname = cfg_owner_name(cli->cfg, owners[i].key);
            char *name = truncate_display(oname ? oname : "", UPTIME_NAME_MAX);
            uptime_row(&t, owners[i].key, name, NULL, &owners[i], 1);
            free(name);
        }
        putchar('\n');
        if (no > 0)
            table_print(&t, stdout);
        else
            puts("no owners in the range");
        table_free(&t);
    }
}

/* 00:00 local on the first of the month containing now. */
static int start_of_month(const char *tz, int64_t now_ms, int64_t *out)
{
    char buf[64];

    cw_format_local(now_ms, tz, buf, sizeof(buf));
    memcpy(buf + 8, "01", 3); /* "YYYY-MM-DD ..." -> "YYYY-MM-01" */
    return cw_parse_time(buf, tz, out);
}

static int parse_by(const char *s, enum uptime_by *out)
{
    if (strcmp(s, "camera") == 0)
        *out = BY_CAMERA;
    else if (strcmp(s, "owner") == 0)
        *out = BY_OWNER;
    else
        return -1;
    return 0;
}

static int cmd_uptime(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"by", required_argument, NULL, 'b'},   {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    enum uptime_by by = BY_BOTH;
    struct store_uptime *rows = NULL;
    struct uptime_sum *owners = NULL;
    struct cw_err err;
    int64_t from_ms, to_ms, now = cw_now_ms();
    size_t n = 0, no;
    int json = 0, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'b':
            if (parse_by(optarg, &by) != 0) {
                usage_error(uptime_usage, "uptime: --by takes camera or owner, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(uptime_usage, stdout);
            return 0;
        default:
            fputs(uptime_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage_error(uptime_usage, "uptime: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (from != NULL ? cw_parse_time(from, cli->tz, &from_ms) != 0
                     : start_of_month(cli->tz, now, &from_ms) != 0) {
        usage_error(uptime_usage, "uptime: bad time '%s'", from);
        return EXIT_USAGE;
    }
    to_ms = now;
    if (to != NULL && cw_parse_time(to, cli->tz, &to_ms) != 0) {
        usage_error(uptime_usage, "uptime: bad time '%s'", to);
        return EXIT_USAGE;
    }
    if (from_ms > to_ms) {
        usage_error(uptime_usage, "uptime: --from is after --to");
        return EXIT_USAGE;
    }
    if (store_uptime(cli->store, from_ms, to_ms, &rows, &n, &err) != 0)
        return store_failed(&err);
    no = uptime_by_owner(rows, n, &owners);
    if (json) {
        rc = uptime_print_json(cli, rows, n, owners, no, from_ms, to_ms, by);
    } else {
        uptime_print_tables(cli, rows, n, owners, no, from_ms, to_ms, by);
        rc = 0;
    }
    free(owners);
    free(rows);
    return rc;
}

/* ---- maintenance ---- */

static const char maintenance_usage[] =
    "usage: camwatch [-c FILE] maintenance CAMERA on|off [--note TEXT] [--json]\n"
    "  Acknowledge a camera as under maintenance (on), or hand it back to the probes (off;\n"
    "  it is unknown until its next probe). Safe while camwatchd runs.\n"
    "  --note TEXT     why, recorded with the change\n"
    "  --json          print the change as a JSON object\n";

static int maintenance_report(const struct cli *cli, const char *id, enum cw_state from,
                              const struct store_status *after, int changed, int json)
{
    char since[64];

    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "changed", json_boolean(changed));
        json_object_set_new(o, "from", json_string(cw_state_name(from)));
        json_object_set_new(o, "to", json_string(cw_state_name(after->state)));
        json_object_set_new(
            o, "since", json_string(cw_format_iso(after->since_ms, cli->tz, since, sizeof(since))));
        json_object_set_new(o, "reason", json_string(after->reason));
        return print_json(o);
    }
    cw_format_local(after->since_ms, cli->tz, since, sizeof(since));
    if (!changed && after->state == CW_MAINTENANCE)
        printf("%s: already in maintenance since %s; nothing changed\n", id, since);
    else if (!changed)
        printf("%s: not in maintenance (%s since %s); nothing changed\n", id,
               cw_state_name(after->state), since);
    else if (after->reason[0] != '\0')
        printf("%s: %s -> %s at %s (%s)\n", id, cw_state_name(from), cw_state_name(after->state),
               since, after->reason);
    else
        printf("%s: %s -> %s at %s\n", id, cw_state_name(from), cw_state_name(after->state), since);
    return 0;
}

static int cmd_maintenance(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *note = "", *id, *onoff;
    struct store_status before, after;
    struct cw_err err;
    int json = 0, on, c, rc, changed;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            note = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(maintenance_usage, stdout);
            return 0;
        default:
            fputs(maintenance_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        usage_error(maintenance_usage, "maintenance: expects CAMERA and on or off");
        return EXIT_USAGE;
    }
    id = argv[optind];
    onoff = argv[optind + 1];
    if (strcmp(onoff, "on") == 0) {
        on = 1;
    } else if (strcmp(onoff, "off") == 0) {
        on = 0;
    } else {
        usage_error(maintenance_usage, "maintenance: expects on or off, not '%s'", onoff);
        return EXIT_USAGE;
    }
    if ((rc = cli_open(cli, STORE_READWRITE)) != 0)
        return rc;
    if ((rc = require_camera(cli, id, &before)) != 0)
        return rc;
    changed = (before.state == CW_MAINTENANCE) != on;
    if (changed) {
        rc = store_set_maintenance(cli->store, id, on, note, cw_now_ms(), &err);
        if (rc < 0)
            return store_failed(&err);
        if (rc == 1) { /* retired between the two calls */
            fprintf(stderr, "camwatch: unknown camera '%s'\n", id);
            return EXIT_RUNTIME;
        }
    }
    if ((rc = require_camera(cli, id, &after)) != 0)
        return rc;
    return maintenance_report(cli, id, before.state, &after, changed, json);
}

/* ---- samples ---- */

static const char samples_usage[] =
    "usage: camwatch [-c FILE] samples CAMERA [--since TIME] [--json]\n"
    "  A camera's stream samples, oldest first: what each measured (codec, size, frame rate,\n"
    "  bitrate, keyframe interval, mean luma, sharpness) and the faults found. Samples older\n"
    "  than [store] samples_days are folded into one row per hour (\"hourly xN\": the means of\n"
    "  N samples, flags the union).\n"
    "  --since TIME    from TIME (default -1d): YYYY-MM-DD[ HH:MM[:SS]] in the site's zone,\n"
    "                  ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON array\n";

/* Stream facts are real when media was read, picture facts when a keyframe was decoded; the
 * rest of a sample that is neither is zeros, shown as "-" and null. */
static json_t *sample_json(const struct cli *cli, const struct store_sample *v)
{
    char at[64], hash[32];
    json_t *o = json_object();
    int ok = v->ok != 0, pic = v->has_picture != 0;

    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)v->phash);
    json_object_set_new(o, "camera", json_string(v->camera_id));
    json_object_set_new(o, "at", json_string(cw_format_iso(v->at_ms, cli->tz, at, sizeof(at))));
    json_object_set_new(o, "at_ms", json_integer(v->at_ms));
    json_object_set_new(o, "hourly", json_boolean(v->hourly));
    json_object_set_new(o, "count", json_integer(v->count));
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(o, "error", json_str_or_null(v->error));
    json_object_set_new(o, "codec", json_str_or_null(v->codec));
    json_object_set_new(o, "width", v->width > 0 ? json_integer(v->width) : json_null());
    json_object_set_new(o, "height", v->height > 0 ? json_integer(v->height) : json_null());
    json_object_set_new(o, "fps", ok ? json_real(v->fps) : json_null());
    json_object_set_new(o, "bitrate_kbps", ok ? json_real(v->bitrate_kbps) : json_null());
    json_object_set_new(o, "gop_frames", ok ? json_real(v->gop_frames) : json_null());
    json_object_set_new(o, "gop_s", ok ? json_real(v->gop_s) : json_null());
    json_object_set_new(o, "first_key_ms",
                        v->first_key_ms >= 0 ? json_integer(v->first_key_ms) : json_null());
    json_object_set_new(o, "ts_jumps", json_integer(v->ts_jumps));
    json_object_set_new(o, "ts_backwards", json_integer(v->ts_backwards));
    json_object_set_new(o, "corrupt_packets", json_integer(v->corrupt_packets));
    json_object_set_new(o, "lost_frames", json_integer(v->lost_frames));
    json_object_set_new(o, "has_picture", json_boolean(pic));
    json_object_set_new(o, "luma_mean", pic ? json_real(v->luma_mean) : json_null());
    json_object_set_new(o, "luma_spread", pic ? json_real(v->luma_spread) : json_null());
    json_object_set_new(o, "sharpness", pic ? json_real(v->sharpness) : json_null());
    json_object_set_new(o, "phash", pic ? json_string(hash) : json_null());
    json_object_set_new(o, "ref_distance",
                        v->ref_distance >= 0 ? json_integer(v->ref_distance) : json_null());
    json_object_set_new(o, "flags", json_split(v->flags, ','));
    json_object_set_new(o, "reasons", json_string(v->reasons));
    return o;
}

static void sample_table_row(const struct cli *cli, struct table *t, const struct store_sample *v)
{
    char at[64], kind[32], res[32], fps[32], kbps[32], gop[32], luma[32], sharp[32];
    int ok = v->ok != 0, pic = v->has_picture != 0;
    /* A failed sample's reasons mostly restate its error; an hourly row's error is only its
     * last sample's. */
    const char *why = !ok && v->error[0] != '\0' ? v->error : v->reasons;

    cw_format_local(v->at_ms, cli->tz, at, sizeof(at));
    if (v->hourly)
        snprintf(kind, sizeof(kind), "hourly x%d", v->count);
    else
        snprintf(kind, sizeof(kind), "raw");
    if (v->width > 0 && v->height > 0)
        snprintf(res, sizeof(res), "%dx%d", v->width, v->height);
    else
        snprintf(res, sizeof(res), "-");
    fmt_opt(fps, sizeof(fps), "%.1f", v->fps, ok);
    fmt_opt(kbps, sizeof(kbps), "%.0f", v->bitrate_kbps, ok);
    fmt_opt(gop, sizeof(gop), "%.1f", v->gop_s, ok && v->gop_s > 0);
    fmt_opt(luma, sizeof(luma), "%.0f", v->luma_mean, pic);
    fmt_opt(sharp, sizeof(sharp), "%.0f", v->sharpness, pic);
    table_add(t, at, kind, ok ? "yes" : "no", v->codec[0] ? v->codec : "-", res, fps, kbps, gop,
              luma, sharp, v->flags[0] ? v->flags : "-", why);
}

static int samples_print(const struct cli *cli, const char *id, const struct store_sample *v,
                         size_t n, int64_t since_ms, int json)
{
    static const char *const heads[] = {"TIME", "KIND",      "OK",    "CODEC",
                                        "RES",  "FPS",       "KBPS",  "GOP S",
                                        "LUMA", "SHARPNESS", "FLAGS", "ERROR/REASONS"};
    struct table t = {.ncols = 12, .heads = heads, .right = "llllrrrrrrll"};
    char since[64];

    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, sample_json(cli, &v[i]));
        return print_json(arr);
    }
    if (n == 0) {
        printf("%s: no samples since %s\n", id,
               cw_format_local(since_ms, cli->tz, since, sizeof(since)));
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        sample_table_row(cli, &t, &v[i]);
    table_print(&t, stdout);
    table_free(&t);
    return 0;
}

static int cmd_samples(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *since = SAMPLES_DEFAULT_SINCE, *id;
    struct store_sample *v = NULL;
    struct store_status st;
    struct cw_err err;
    int64_t since_ms;
    size_t n = 0;
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
            fputs(samples_usage, stdout);
            return 0;
        default:
            fputs(samples_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        usage_error(samples_usage, "samples: expects one CAMERA");
        return EXIT_USAGE;
    }
    id = argv[optind];
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (cw_parse_time(since, cli->tz, &since_ms) != 0) {
        usage_error(samples_usage, "samples: bad time '%s'", since);
        return EXIT_USAGE;
    }
    if ((rc = require_camera(cli, id, &st)) != 0)
        return rc;
    if (store_list_samples(cli->store, id, since_ms, &v, &n, &err) != 0)
        return store_failed(&err);
    rc = samples_print(cli, id, v, n, since_ms, json);
    free(v);
    return rc;
}

/* ---- thumb ---- */

static const char thumb_usage[] =
    "usage: camwatch [-c FILE] thumb CAMERA -o FILE\n"
    "  Write the camera's newest thumbnail: a JPEG of the last keyframe the daemon decoded,\n"
    "  or the camera's ONVIF snapshot when that is newer (fetched when its stream gives no\n"
    "  picture: sampling off, or the camera down).\n"
    "  -o, --output FILE  where to write it; - for standard output\n";

/* Copy in to out; returns 0, or -1 with errno set and *reading saying which side failed. */
static int copy_stream(FILE *in, FILE *out, int *reading)
{
    char buf[COPY_BUF];
    size_t got;

    while ((got = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, got, out) != got) {
            *reading = 0;
            return -1;
        }
    }
    *reading = 1;
    return ferror(in) ? -1 : 0;
}

/* Copy the thumbnail to path, through path.tmp and a rename so a reader never sees half a
 * file; "-" writes to stdout. Returns 0 or the exit code (message printed). */
static int thumb_write(const char *id, const char *thumb, const char *path)
{
    FILE *in = fopen(thumb, "rb"), *out = NULL;
    char *tmp = NULL;
    int reading = 1, rc = EXIT_RUNTIME;

    if (in == NULL) {
        if (errno == ENOENT)
            fprintf(stderr,
                    "camwatch: %s: thumbnail %s is gone (the daemon writes a new one "
                    "with the next good sample)\n",
                    id, thumb);
        else
            fprintf(stderr, "camwatch: %s: %s: %s\n", id, thumb, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (strcmp(path, "-") == 0) {
        out = stdout;
    } else {
        size_t len = strlen(path) + sizeof(".tmp");
        if ((tmp = malloc(len)) == NULL)
            die_oom();
        snprintf(tmp, len, "%s.tmp", path);
        if ((out = fopen(tmp, "wb")) == NULL) {
            fprintf(stderr, "camwatch: %s: %s\n", tmp, strerror(errno));
            goto fail;
        }
    }
    if (copy_stream(in, out, &reading) != 0) {
        fprintf(stderr, "camwatch: %s: %s\n", reading ? thumb : (tmp ? tmp : "stdout"),
                strerror(errno));
        goto fail;
    }
    if (tmp != NULL) {
        FILE *f = out;
        out = NULL;
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
            fprintf(stderr, "camwatch: %s: %s\n", path, strerror(errno));
            goto fail;
        }
        free(tmp);
        tmp = NULL;
    }
    rc = 0;
fail:
    if (out != NULL && out != stdout)
        fclose(out);
    if (tmp != NULL)
        unlink(tmp);
    free(tmp);
    fclose(in);
    return rc;
}

/* The newer of the stream thumbnail and the ONVIF snapshot (by file time; one that is gone
 * does not count, unless it is the only one named), or NULL when there is neither. snap is
 * the caller's, to hold the snapshot's path. */
static const char *newest_picture(struct cli *cli, const char *id, const struct store_status *st,
                                  struct store_device *snap)
{
    struct cw_err err;
    struct stat a, b;
    const char *s = NULL;

    if (store_get_device(cli->store, id, snap, NULL, NULL, NULL, NULL, &err) == 0 &&
        snap->snapshot_path[0] != '\0')
        s = snap->snapshot_path;
    if (st->thumb_path[0] == '\0')
        return s;
    if (s == NULL || stat(s, &b) != 0)
        return st->thumb_path;
    if (stat(st->thumb_path, &a) != 0 || b.st_mtime > a.st_mtime)
        return s;
    return st->thumb_path;
}

static int cmd_thumb(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *output = NULL, *id, *thumb;
    struct store_status st;
    struct store_device snap;
    int c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(thumb_usage, stdout);
            return 0;
        default:
            fputs(thumb_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        usage_error(thumb_usage, "thumb: expects one CAMERA");
        return EXIT_USAGE;
    }
    if (output == NULL || output[0] == '\0') {
        usage_error(thumb_usage, "thumb: -o FILE is required (- for standard output)");
        return EXIT_USAGE;
    }
    id = argv[optind];
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if ((rc = require_camera(cli, id, &st)) != 0)
        return rc;
    thumb = newest_picture(cli, id, &st, &snap);
    if (thumb == NULL) {
        fprintf(stderr,
                "camwatch: %s: no thumbnail yet (none of its stream samples has "
                "decoded a picture, and it has no ONVIF snapshot)\n",
                id);
        return EXIT_RUNTIME;
    }
    return thumb_write(id, thumb, output);
}

/* ---- reference ---- */

static const char reference_usage[] =
    "usage: camwatch [-c FILE] reference CAMERA [--json]\n"
    "  Forget the camera's reference picture, after a deliberate change (the camera was\n"
    "  re-aimed, the scene rebuilt): the daemon takes its next good picture as the new\n"
    "  reference, and \"moved\" compares against that. Safe while camwatchd runs.\n"
    "  --json          print what was done as a JSON object\n";

static int reference_report(const struct cli *cli, const char *id, int had, int64_t at_ms, int json)
{
    char at[64];

    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "cleared", json_boolean(had));
        json_object_set_new(o, "previous", had ? json_iso_or_null(cli, at_ms) : json_null());
        return print_json(o);
    }
    if (had)
        printf("%s: reference picture taken %s cleared; the next good picture becomes the "
               "reference\n",
               id, cw_format_local(at_ms, cli->tz, at, sizeof(at)));
    else
        printf("%s: had no reference picture; the next good picture becomes the reference\n", id);
    return 0;
}

static int cmd_reference(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct store_status st;
    struct cw_err err;
    const char *id;
    uint64_t phash;
    int64_t at_ms;
    int json = 0, had, c, rc;

    reset_getopt();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(reference_usage, stdout);
            return 0;
        default:
            fputs(reference_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        usage_error(reference_usage, "reference: expects one CAMERA");
        return EXIT_USAGE;
    }
    id = argv[optind];
    if ((rc = cli_open(cli, STORE_READWRITE)) != 0)
        return rc;
    if ((rc = require_camera(cli, id, &st)) != 0)
        return rc;
    /* Cleared even when none was read: the daemon may take one between the two calls. */
    rc = store_get_reference(cli->store, id, &had, &phash, &at_ms, &err);
    if (rc == 0)
        rc = store_set_reference(cli->store, id, 0, 0, 0, &err);
    if (rc < 0)
        return store_failed(&err);
    if (rc == 1) {
        fprintf(stderr, "camwatch: unknown camera '%s'\n", id);
        return EXIT_RUNTIME;
    }
    return reference_report(cli, id, had, at_ms, json);
}

/* ---- main ---- */

struct command {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    {"status", cmd_status, status_usage},
    {"events", cmd_events, events_usage},
    {"uptime", cmd_uptime, uptime_usage},
    {"maintenance", cmd_maintenance, maintenance_usage},
    {"samples", cmd_samples, samples_usage},
    {"thumb", cmd_thumb, thumb_usage},
    {"reference", cmd_reference, reference_usage},
    {"device", cmd_device, device_usage},
    {"clock", cmd_clock, clock_usage},
    {"discover", cmd_discover, discover_usage},
};

static const char main_usage[] =
    "usage: camwatch [-c FILE] <command> [options]\n"
    "  -c, --config FILE  camwatch.conf (default " DEFAULT_CONF ")\n"
    "  -h, --help         this help; `camwatch <command> --help` for a command's\n"
    "  -V, --version      print the version\n"
    "commands:\n"
    "  status       current state of each camera\n"
    "  events       state changes over time\n"
    "  uptime       time in each state per camera and per owner\n"
    "  maintenance  put a camera in or out of maintenance\n"
    "  samples      a camera's stream samples: frame rate, bitrate, picture faults\n"
    "  thumb        write a camera's newest thumbnail\n"
    "  reference    forget a camera's reference picture; the next good one replaces it\n"
    "  device       a camera's ONVIF facts: make, firmware, endpoints, profiles, clock\n"
    "  clock        every camera's clock offset, worst first\n"
    "  discover     find ONVIF devices on the local network; compare with the inventory\n"
    "Exit status: 0 ok, 1 runtime error, 2 usage or configuration error.\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    struct cli cli = {.conf_path = DEFAULT_CONF};
    int c, rc;

    /* "+": stop at the command name; its options are its own. */
    while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli.conf_path = optarg;
            break;
        case 'h':
            fputs(main_usage, stdout);
            return 0;
        case 'V':
            printf("camwatch %s\n", CW_VERSION);
            return 0;
        default:
            fputs(main_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("camwatch: no command given\n", stderr);
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            rc = commands[i].run(&cli, argc - optind, argv + optind);
            cli_close(&cli);
            if (fflush(stdout) != 0 && rc == 0) {
                fprintf(stderr, "camwatch: cannot write output: %s\n", strerror(errno));
                rc = EXIT_RUNTIME;
            }
            return rc;
        }
    }
    fprintf(stderr, "camwatch: unknown command '%s'\n", argv[optind]);
    fputs(main_usage, stderr);
    return EXIT_USAGE;
}
