/* cfg.c - read and validate camwatch.conf (libinih), cameras.csv (libcsv) and
 * credentials.ini (libinih) into one struct cfg. Owns nothing past cfg_load():
 * every string lands in the struct cfg it returns, and every error in the
 * caller's cw_errlist. No globals, no threads; libinih's and libcsv's settings
 * are left as they are.
 *
 * Every message names FILE:LINE: FIELD. libinih does not tell its handler the
 * line, so the files are fed to it through ini_src_read(), which counts lines
 * and also catches what inih would drop or merge silently: lines without '=',
 * continuation lines, unclosed section headers, overlong lines. cameras.csv is
 * fed to libcsv one physical line at a time so each record knows the line it
 * starts on even when a quoted field holds newlines.
 *
 * Quality classes: each [class NAME] section's keys are kept as written and
 * applied once the file is read, "default" first (built-in values under
 * [class default]), then every other class over a copy of it, so a class may
 * come before the default it inherits. cameras.csv rows point into
 * cfg->classes, which is not reallocated after that.
 *
 * Validation never stops at the first problem: each bad key, header column and
 * row adds an error, and cfg_load() fails once at the end. */
#include "cfg.h"

#include <csv.h>
#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cwtime.h"

#define CFG_ZONEINFO_DIR "/usr/share/zoneinfo"
#define CFG_DEFAULT_DATABASE "var/camwatch.db"
#define CFG_DEFAULT_CACHE "var/cache"
#define CFG_DEFAULT_LISTEN "127.0.0.1:8640"
#define CFG_DEFAULT_SITE_NAME "camwatch"

/* [probe.rtsp] defaults, as the issue gives them. */
#define CFG_RTSP_INTERVAL_MS 30000
#define CFG_RTSP_TIMEOUT_MS 5000
#define CFG_RTSP_SLOW_MS 2000
#define CFG_RTSP_DOWN_AFTER 3
#define CFG_RTSP_UP_AFTER 2
#define CFG_RTSP_CONCURRENCY 64

/* Limits: a probe every 100 ms is already a busy camera; a day apart is no watch at all.
 * 10,000 probes in flight is the design's one-daemon ceiling. */
#define CFG_RTSP_INTERVAL_MIN_MS 100
#define CFG_RTSP_INTERVAL_MAX_MS (86400LL * 1000)
#define CFG_HYSTERESIS_MAX 100
#define CFG_CONCURRENCY_MAX 10000

/* [store] samples_days: raw samples kept a month by default; ten years is past any use. */
#define CFG_SAMPLES_DAYS 31
#define CFG_SAMPLES_DAYS_MAX 3650

/* [probe.stream] defaults and limits. A sample under a second cannot measure a frame rate;
 * over a minute it costs more than it tells. Sampling a camera more often than every 10 s
 * would make the stream probe a second recorder. */
#define CFG_STREAM_WORKERS 4
#define CFG_STREAM_WORKERS_MAX 64
#define CFG_STREAM_SAMPLE_MS 5000
#define CFG_STREAM_SAMPLE_MIN_MS 1000
#define CFG_STREAM_SAMPLE_MAX_MS 60000
#define CFG_STREAM_INTERVAL_MS (10 * 60 * 1000)
#define CFG_STREAM_INTERVAL_MIN_MS 10000
#define CFG_STREAM_INTERVAL_MAX_MS (86400LL * 1000)
#define CFG_STREAM_TIMEOUT_SLACK_MS 10000 /* default timeout is sample + this (open, first key) */
#define CFG_STREAM_THUMB_WIDTH 320
#define CFG_STREAM_THUMB_MIN 64
#define CFG_STREAM_THUMB_MAX 1920

/* [probe.onvif] defaults and limits. Device facts and clocks change slowly: every 10 minutes
 * finds a drifting clock long before footage from it is asked for. A camera a few seconds
 * off already misorders events across cameras at one junction. */
#define CFG_ONVIF_INTERVAL_MS (10 * 60 * 1000)
#define CFG_ONVIF_INTERVAL_MIN_MS 10000
#define CFG_ONVIF_INTERVAL_MAX_MS (86400LL * 1000)
#define CFG_ONVIF_TIMEOUT_MS 5000 /* one SOAP request */
#define CFG_ONVIF_TIMEOUT_MIN_MS 100
#define CFG_ONVIF_TIMEOUT_MAX_MS 60000
#define CFG_ONVIF_MAX_CLOCK_OFFSET_MS 5000
#define CFG_ONVIF_MAX_CLOCK_OFFSET_MAX_MS (86400LL * 1000)
#define CFG_ONVIF_CONCURRENCY 16
#define CFG_ONVIF_CONCURRENCY_MAX 1000

/* The default class: a district's minimum for footage to serve as evidence. */
#define CFG_CLASS_DEFAULT "default"
#define CFG_CLASS_MIN_WIDTH 640
#define CFG_CLASS_MIN_HEIGHT 360
#define CFG_CLASS_MIN_FPS 12.0
#define CFG_CLASS_MIN_BITRATE_KBPS 256.0
#define CFG_CLASS_MAX_GOP_S 4.0
#define CFG_CLASS_MIN_SHARPNESS 60.0
#define CFG_CLASS_MIN_LUMA 40.0
#define CFG_CLASS_MAX_LUMA 220.0
#define CFG_CLASS_BLACK_SPREAD 4.0
#define CFG_CLASS_FROZEN_AFTER 3
#define CFG_CLASS_MOVED_DISTANCE 20

/* A camera URL longer than this is a mistake (a pasted page, a doubled URL); the probes keep
 * URLs in buffers of this size plus one. */
#define CFG_URL_MAX 1023

#define CSV_NFIELDS 16     /* the columns of CFG_CSV_HEADER */
#define CSV_NCOLUMNS 17    /* and the optional "class" after them */
#define CSV_KEEP_FIELDS 24 /* header names kept, so extra columns can be named */

static const char *const csv_columns[CSV_NCOLUMNS] = {
    "id",    "name",         "owner",    "commune",  "site_kind", "address",
    "road",  "lat",          "lon",      "rtsp_url", "onvif_url", "credential",
    "model", "installed_on", "recorder", "notes",    "class"};

enum csv_col {
    COL_ID,
    COL_NAME,
    COL_OWNER,
    COL_COMMUNE,
    COL_SITE_KIND,
    COL_ADDRESS,
    COL_ROAD,
    COL_LAT,
    COL_LON,
    COL_RTSP_URL,
    COL_ONVIF_URL,
    COL_CREDENTIAL,
    COL_MODEL,
    COL_INSTALLED_ON,
    COL_RECORDER,
    COL_NOTES,
    COL_CLASS
};

/* A [class NAME] section as written: the keys it sets, applied over the default class once
 * the whole file is read (so a class may come before [class default]). */
struct class_def {
    char *name;
    int line;
    unsigned set;       /* bit k: class_keys[k] was given */
    struct cfg_class v; /* the given values */
};

/* One load in progress: the cfg being filled and where errors go. */
struct load {
    struct cfg *cfg;
    struct cw_errlist *errs;
    size_t nerr; /* errors this load added */
    int oom;
    char *conf_disp_dir; /* folder of the conf path as given, for messages; "" when "." */
    char *cameras_disp;  /* cameras.csv as shown in messages */
    char *creds_disp;
    int creds_ok;    /* credentials loaded; otherwise credential columns are not checked */
    int creds_skip;  /* in a credentials section already reported as bad */
    int *cred_lines; /* line of each creds[i] section */
    size_t creds_cap, cameras_cap;
    /* conf keys seen, for "set twice" */
    struct seen_key {
        char section[64];
        char key[64];
        int line;
    } * seen;
    size_t n_seen, seen_cap;
    int interval_line, timeout_line;
    int stream_sample_line, stream_interval_line, stream_timeout_line;
    int onvif_interval_line, onvif_timeout_line, onvif_offset_line;
    struct class_def *class_defs;
    size_t n_class_defs;
};

static void ld_err(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

static void ld_err(struct load *ld, const char *file, int line, const char *field, const char *fmt,
                   ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cw_errlist_add(ld->errs, file, line, field, "%s", msg);
    ld->nerr++;
}

static char *ld_strdup(struct load *ld, const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        ld->oom = 1;
    return d;
}

static char *path_join(const char *dir, const char *rel)
{
    size_t n;
    char *p;

    if (rel[0] == '/' || dir[0] == '\0')
        return strdup(rel);
    n = strlen(dir) + strlen(rel) + 2;
    p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* ------------------------------------------------------------------------------------ */
/* Line-counting reader for libinih. */

struct ini_src;
typedef void (*ini_section_fn)(struct ini_src *src, const char *name);
typedef void (*ini_key_fn)(struct ini_src *src, const char *section, const char *key,
                           const char *value);

struct ini_src {
    FILE *fp;
    const char *file; /* as shown in messages */
    struct load *ld;
    int line;
    int have_prev_key; /* a key was seen since the last section header */
    char *buf;
    size_t cap;
    ini_section_fn on_section;
    ini_key_fn on_key;
};

static int is_ini_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Mirrors inih's inline comment rule: ';' at the start or after whitespace. */
static const char *ini_find_chars_or_comment(const char *s, const char *chars)
{
    int was_space = 0;

    while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = is_ini_space(*s);
        s++;
    }
    return s;
}

/* Look at one line the way inih will; report what inih would reject or misread, and
 * return 0 when the line must reach inih as a blank line. */
static int ini_src_check_line(struct ini_src *src, const char *line)
{
    const char *bol = line, *s, *end;
    char name[128];
    size_t n;

    if (src->line == 1 && strncmp(bol, "\xEF\xBB\xBF", 3) == 0)
        bol += 3;
    s = bol;
    while (is_ini_space(*s))
        s++;
    if (*s == '\0' || *s == ';' || *s == '#')
        return 1;
    if (s > bol && src->have_prev_key) {
        /* inih would glue this line to the value before it */
        ld_err(src->ld, src->file, src->line, NULL,
               "indented line: remove the leading spaces (it would continue the value above)");
        return 0;
    }
    if (*s == '[') {
        end = ini_find_chars_or_comment(s + 1, "]");
        if (*end != ']') {
            ld_err(src->ld, src->file, src->line, NULL, "section header without ']'");
            return 0;
        }
        n = (size_t)(end - (s + 1));
        if (n >= sizeof(name))
            n = sizeof(name) - 1;
        memcpy(name, s + 1, n);
        name[n] = '\0';
        src->have_prev_key = 0;
        if (src->on_section)
            src->on_section(src, name);
        return 1;
    }
    end = ini_find_chars_or_comment(s, "=:");
    if (*end != '=' && *end != ':') {
        ld_err(src->ld, src->file, src->line, NULL, "expected 'key = value'");
        return 0;
    }
    src->have_prev_key = 1;
    return 1;
}

static char *ini_src_read(char *str, int num, void *stream)
{
    struct ini_src *src = stream;
    ssize_t n = getline(&src->buf, &src->cap, src->fp);

    if (n < 0)
        return NULL;
    src->line++;
    if (num < 2)
        return NULL;
    if (memchr(src->buf, '\0', (size_t)n) != NULL) {
        ld_err(src->ld, src->file, src->line, NULL, "line contains a NUL byte");
        strcpy(str, "\n");
        return str;
    }
    if (n >= num - 1) {
        ld_err(src->ld, src->file, src->line, NULL, "line too long (at most %d bytes)", num - 3);
        strcpy(str, "\n");
        return str;
    }
    if (!ini_src_check_line(src, src->buf)) {
        strcpy(str, "\n");
        return str;
    }
    memcpy(str, src->buf, (size_t)n + 1);
    return str;
}

static int ini_src_handler(void *user, const char *section, const char *name, const char *value)
{
    struct ini_src *src = user;

    src->on_key(src, section, name, value);
    return 1; /* errors are ours to report; inih would only count the first */
}

/* Parse an open file; the caller closes fp. */
static void ini_src_parse(struct ini_src *src)
{
    size_t before = src->ld->nerr;
    int rc = ini_parse_stream(ini_src_read, src, ini_src_handler, src);

    if (rc == -2)
        src->ld->oom = 1;
    else if (rc > 0 && src->ld->nerr == before)
        ld_err(src->ld, src->file, rc, NULL, "syntax error");
    free(src->buf);
    src->buf = NULL;
}

/* ------------------------------------------------------------------------------------ */
/* camwatch.conf */

static int is_code_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-';
}

static int section_is_future(const char *s)
{
    static const char *const prefix[] = {"footage", "alerts", "report", "api"};
    size_t i;

    for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
        if (strncmp(s, prefix[i], strlen(prefix[i])) == 0)
            return 1;
    return 0;
}

static int section_is_known(const char *s)
{
    static const char *const known[] = {"site",         "store",       "inventory", "probe.rtsp",
                                        "probe.stream", "probe.onvif", "http",      "owners"};
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(s, known[i]) == 0)
            return 1;
    return 0;
}

/* "[class NAME]": returns NAME, or NULL when the section is not a class section. "[class]"
 * alone returns "". */
static const char *section_class_name(const char *s)
{
    if (strcmp(s, "class") == 0)
        return "";
    if (strncmp(s, "class ", 6) == 0)
        return s + 6;
    return NULL;
}

static struct class_def *class_def_find(struct load *ld, const char *name)
{
    size_t i;

    for (i = 0; i < ld->n_class_defs; i++)
        if (strcmp(ld->class_defs[i].name, name) == 0)
            return &ld->class_defs[i];
    return NULL;
}

/* A class section header: check the name and note the class (a second header of the same
 * class goes on adding keys to it, as any other section does). */
static void conf_class_section(struct ini_src *src, const char *section, const char *name)
{
    struct load *ld = src->ld;
    struct class_def *v;
    const char *p;

    for (p = name; *p; p++)
        if (!is_code_char((unsigned char)*p))
            break;
    if (name[0] == '\0' || *p != '\0') {
        ld_err(ld, src->file, src->line, section,
               "class name must be letters, digits, '_' or '-': [class NAME]");
        return;
    }
    if (class_def_find(ld, name) != NULL)
        return;
    v = realloc(ld->class_defs, (ld->n_class_defs + 1) * sizeof(*v));
    if (v == NULL) {
        ld->oom = 1;
        return;
    }
    ld->class_defs = v;
    v = &v[ld->n_class_defs];
    memset(v, 0, sizeof(*v));
    v->name = ld_strdup(ld, name);
    if (v->name == NULL)
        return;
    v->line = src->line;
    ld->n_class_defs++;
}

static void conf_on_section(struct ini_src *src, const char *name)
{
    const char *cls = section_class_name(name);

    if (cls != NULL)
        conf_class_section(src, name, cls);
    else if (!section_is_known(name) && !section_is_future(name))
        ld_err(src->ld, src->file, src->line, name, "unknown section");
}

/* Returns 0 the first time (section, key) is seen, else reports it and returns -1. */
static int conf_seen(struct ini_src *src, const char *section, const char *key)
{
    struct load *ld = src->ld;
    size_t i;

    for (i = 0; i < ld->n_seen; i++) {
        if (strcmp(ld->seen[i].section, section) == 0 && strcmp(ld->seen[i].key, key) == 0) {
            ld_err(ld, src->file, src->line, key, "set twice (first at line %d)", ld->seen[i].line);
            return -1;
        }
    }
    if (ld->n_seen == ld->seen_cap) {
        size_t cap = ld->seen_cap ? ld->seen_cap * 2 : 16;
        struct seen_key *v = realloc(ld->seen, cap * sizeof(*v));
        if (v == NULL) {
            ld->oom = 1;
            return 0;
        }
        ld->seen = v;
        ld->seen_cap = cap;
    }
    snprintf(ld->seen[ld->n_seen].section, sizeof(ld->seen[0].section), "%s", section);
    snprintf(ld->seen[ld->n_seen].key, sizeof(ld->seen[0].key), "%s", key);
    ld->seen[ld->n_seen].line = src->line;
    ld->n_seen++;
    return 0;
}

static void set_str(struct load *ld, char **dst, const char *value)
{
    char *d = ld_strdup(ld, value);

    if (d == NULL)
        return;
    free(*dst);
    *dst = d;
}

static void conf_duration(struct ini_src *src, const char *key, const char *value, int64_t *dst)
{
    int64_t ms;

    if (cw_parse_duration_ms(value, &ms) != 0) {
        ld_err(src->ld, src->file, src->line, key,
               "bad duration '%s' (use e.g. 250ms, 30s, 5m, 2h)", value);
        return;
    }
    if (ms <= 0) {
        ld_err(src->ld, src->file, src->line, key, "must be more than 0");
        return;
    }
    *dst = ms;
}

static void conf_int(struct ini_src *src, const char *key, const char *value, int lo, int hi,
                     int *dst)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0) {
        ld_err(src->ld, src->file, src->line, key, "not a whole number: '%s'", value);
        return;
    }
    if (v < lo || v > hi) {
        ld_err(src->ld, src->file, src->line, key, "%ld out of range %d..%d", v, lo, hi);
        return;
    }
    *dst = (int)v;
}

static int conf_double(struct ini_src *src, const char *key, const char *value, double lo,
                       double hi, double *dst)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(value, &end);
    if (value[0] == '\0' || end == value || *end != '\0' || errno != 0 || !isfinite(v)) {
        ld_err(src->ld, src->file, src->line, key, "not a number: '%s'", value);
        return -1;
    }
    if (v < lo || v > hi) {
        ld_err(src->ld, src->file, src->line, key, "%s out of range %g..%g", value, lo, hi);
        return -1;
    }
    *dst = v;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* [class NAME] */

enum class_kind { CK_INT, CK_DOUBLE, CK_SECONDS, CK_BOOL };

/* Every key of a class section, with where it goes in struct cfg_class and its range. A
 * value of 0 turns a check off, so every range starts at 0. */
static const struct class_key {
    const char *name;
    enum class_kind kind;
    size_t off;
    double hi;
} class_keys[] = {
    {"min_width", CK_INT, offsetof(struct cfg_class, min_width), 16384},
    {"min_height", CK_INT, offsetof(struct cfg_class, min_height), 16384},
    {"min_fps", CK_DOUBLE, offsetof(struct cfg_class, min_fps), 240},
    {"min_bitrate_kbps", CK_DOUBLE, offsetof(struct cfg_class, min_bitrate_kbps), 1000000},
    {"max_gop", CK_SECONDS, offsetof(struct cfg_class, max_gop_s), 3600},
    {"min_sharpness", CK_DOUBLE, offsetof(struct cfg_class, min_sharpness), 1000000},
    {"min_luma", CK_DOUBLE, offsetof(struct cfg_class, min_luma), 255},
    {"max_luma", CK_DOUBLE, offsetof(struct cfg_class, max_luma), 255},
    {"black_spread", CK_DOUBLE, offsetof(struct cfg_class, black_spread), 128},
    {"unlit", CK_BOOL, offsetof(struct cfg_class, unlit), 1},
    {"frozen_after", CK_INT, offsetof(struct cfg_class, frozen_after), 1000},
    {"moved_distance", CK_INT, offsetof(struct cfg_class, moved_distance), 64},
};
#define CLASS_NKEYS (sizeof(class_keys) / sizeof(class_keys[0]))
#define CLASS_KEY_BIT(k) (1u << (k))

static int *class_int(struct cfg_class *c, size_t k)
{
    return (int *)(void *)((char *)c + class_keys[k].off);
}

static double *class_double(struct cfg_class *c, size_t k)
{
    return (double *)(void *)((char *)c + class_keys[k].off);
}

static size_t class_key_index(const char *name)
{
    size_t k;

    for (k = 0; k < CLASS_NKEYS; k++)
        if (strcmp(class_keys[k].name, name) == 0)
            return k;
    return CLASS_NKEYS;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "1"}, *const no[] = {"no", "false", "0"};
    size_t i;

    for (i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* One key of [class NAME] into def; returns 0 when it was good. */
static int class_key_parse(struct ini_src *src, size_t k, const char *value, struct class_def *def)
{
    const struct class_key *ck = &class_keys[k];
    struct cfg_class *c = &def->v;
    int64_t ms;
    int iv = 0;

    switch (ck->kind) {
    case CK_INT:
        iv = -1;
        conf_int(src, ck->name, value, 0, (int)ck->hi, &iv);
        if (iv < 0)
            return -1;
        if (k == class_key_index("frozen_after") && iv == 1) {
            ld_err(src->ld, src->file, src->line, ck->name,
                   "must be 0 (not checked) or 2 or more: every picture is the same as itself");
            return -1;
        }
        *class_int(c, k) = iv;
        return 0;
    case CK_DOUBLE:
        return conf_double(src, ck->name, value, 0, ck->hi, class_double(c, k));
    case CK_SECONDS:
        if (cw_parse_duration_ms(value, &ms) != 0) {
            ld_err(src->ld, src->file, src->line, ck->name,
                   "bad duration '%s' (use e.g. 2s, 1500ms; 0 for no limit)", value);
            return -1;
        }
        if (ms > (int64_t)(ck->hi * 1000)) {
            ld_err(src->ld, src->file, src->line, ck->name, "'%s' is over %gs", value, ck->hi);
            return -1;
        }
        *class_double(c, k) = (double)ms / 1000.0;
        return 0;
    case CK_BOOL:
        if (parse_bool(value, &iv) != 0) {
            ld_err(src->ld, src->file, src->line, ck->name, "expected yes or no, not '%s'", value);
            return -1;
        }
        *class_int(c, k) = iv;
        return 0;
    }
    return -1;
}

static void conf_class_key(struct ini_src *src, const char *section, const char *key,
                           const char *value)
{
    struct class_def *def = class_def_find(src->ld, section_class_name(section));
    size_t k;

    if (def == NULL)
        return; /* a bad class name, reported at its header */
    k = class_key_index(key);
    if (k == CLASS_NKEYS) {
        ld_err(src->ld, src->file, src->line, key,
               "unknown key in [%s] (min_width, min_height, min_fps, min_bitrate_kbps, max_gop, "
               "min_sharpness, min_luma, max_luma, black_spread, unlit, frozen_after, "
               "moved_distance)",
               section);
        return;
    }
    if (class_key_parse(src, k, value, def) == 0)
        def->set |= CLASS_KEY_BIT(k);
}

static void class_defaults(struct cfg_class *c)
{
    c->min_width = CFG_CLASS_MIN_WIDTH;
    c->min_height = CFG_CLASS_MIN_HEIGHT;
    c->min_fps = CFG_CLASS_MIN_FPS;
    c->min_bitrate_kbps = CFG_CLASS_MIN_BITRATE_KBPS;
    c->max_gop_s = CFG_CLASS_MAX_GOP_S;
    c->min_sharpness = CFG_CLASS_MIN_SHARPNESS;
    c->min_luma = CFG_CLASS_MIN_LUMA;
    c->max_luma = CFG_CLASS_MAX_LUMA;
    c->black_spread = CFG_CLASS_BLACK_SPREAD;
    c->unlit = 0;
    c->frozen_after = CFG_CLASS_FROZEN_AFTER;
    c->moved_distance = CFG_CLASS_MOVED_DISTANCE;
}

/* The keys def gives, over dst. */
static void class_apply(struct cfg_class *dst, struct class_def *def)
{
    size_t k;

    for (k = 0; k < CLASS_NKEYS; k++) {
        if (!(def->set & CLASS_KEY_BIT(k)))
            continue;
        if (class_keys[k].kind == CK_INT || class_keys[k].kind == CK_BOOL)
            *class_int(dst, k) = *class_int(&def->v, k);
        else
            *class_double(dst, k) = *class_double(&def->v, k);
    }
}

/* Build cfg->classes: "default" first (the built-in values under [class default]), then each
 * other class in file order, starting from the default class. */
static void classes_build(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct class_def *def = class_def_find(ld, CFG_CLASS_DEFAULT);
    size_t i, n = 1;
    unsigned luma =
        CLASS_KEY_BIT(class_key_index("min_luma")) | CLASS_KEY_BIT(class_key_index("max_luma"));

    cfg->classes = calloc(ld->n_class_defs + 1, sizeof(*cfg->classes));
    if (cfg->classes == NULL) {
        ld->oom = 1;
        return;
    }
    cfg->classes[0].name = ld_strdup(ld, CFG_CLASS_DEFAULT);
    class_defaults(&cfg->classes[0]);
    if (def != NULL)
        class_apply(&cfg->classes[0], def);
    for (i = 0; i < ld->n_class_defs; i++) {
        struct class_def *d = &ld->class_defs[i];
        struct cfg_class *c = &cfg->classes[0];
        if (d != def) {
            c = &cfg->classes[n++];
            *c = cfg->classes[0];
            c->name = ld_strdup(ld, d->name);
            class_apply(c, d);
        }
        if ((d->set & luma) && c->max_luma > 0 && c->min_luma >= c->max_luma)
            ld_err(ld, cfg->path, d->line, "max_luma",
                   "must be above min_luma in [class %s] (%g <= %g)", d->name, c->max_luma,
                   c->min_luma);
    }
    cfg->n_classes = n;
}

static const struct cfg_class *class_find(const struct cfg *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->n_classes; i++)
        if (cfg->classes[i].name != NULL && strcmp(cfg->classes[i].name, name) == 0)
            return &cfg->classes[i];
    return NULL;
}

/* ------------------------------------------------------------------------------------ */

static int port_ok(const char *s)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)s[0]))
        return 0;
    errno = 0;
    v = strtol(s, &end, 10);
    return *end == '\0' && errno == 0 && v >= 1 && v <= 65535;
}

/* host:port, host a name, an IPv4 address or a bracketed IPv6 address. */
static const char *listen_check(const char *v)
{
    const char *colon, *p;

    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close == v + 1)
            return "expected host:port";
        for (p = v + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return "bad host";
        colon = close + 1;
        if (*colon != ':')
            return "expected host:port";
    } else {
        colon = strrchr(v, ':');
        if (colon == NULL || colon == v)
            return "expected host:port";
        for (p = v; p < colon; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
                return "bad host";
    }
    if (!port_ok(colon + 1))
        return "bad port (1-65535)";
    return NULL;
}

static void conf_owner(struct ini_src *src, const char *code, const char *value)
{
    struct load *ld = src->ld;
    struct cfg *cfg = ld->cfg;
    struct cfg_owner *v;
    const char *p;

    for (p = code; *p; p++)
        if (!is_code_char((unsigned char)*p))
            break;
    if (code[0] == '\0' || *p != '\0') {
        ld_err(ld, src->file, src->line, code, "owner code must be letters, digits, '_' or '-'");
        return;
    }
    if (value[0] == '\0') {
        ld_err(ld, src->file, src->line, code, "owner needs a full name");
        return;
    }
    v = realloc(cfg->owners, (cfg->n_owners + 1) * sizeof(*v));
    if (v == NULL) {
        ld->oom = 1;
        return;
    }
    cfg->owners = v;
    v[cfg->n_owners].code = ld_strdup(ld, code);
    v[cfg->n_owners].name = ld_strdup(ld, value);
    cfg->n_owners++;
}

static void conf_stream_key(struct ini_src *src, const char *key, const char *value)
{
    struct load *ld = src->ld;
    struct cfg_stream *st = &ld->cfg->stream;

    if (strcmp(key, "workers") == 0) {
        conf_int(src, key, value, 0, CFG_STREAM_WORKERS_MAX, &st->workers);
    } else if (strcmp(key, "sample") == 0) {
        ld->stream_sample_line = src->line;
        conf_duration(src, key, value, &st->sample_ms);
    } else if (strcmp(key, "interval") == 0) {
        ld->stream_interval_line = src->line;
        conf_duration(src, key, value, &st->interval_ms);
    } else if (strcmp(key, "timeout") == 0) {
        ld->stream_timeout_line = src->line;
        conf_duration(src, key, value, &st->timeout_ms);
    } else if (strcmp(key, "thumb_width") == 0) {
        conf_int(src, key, value, CFG_STREAM_THUMB_MIN, CFG_STREAM_THUMB_MAX, &st->thumb_width);
    } else {
        ld_err(ld, src->file, src->line, key,
               "unknown key in [probe.stream] (workers, sample, interval, timeout, thumb_width)");
    }
}

/* A path key, relative to the conf's folder, into *out (replacing it). With readable, the
 * file must be readable now. */
static void conf_path(struct ini_src *src, const char *key, const char *value, int readable,
                      char **out)
{
    struct load *ld = src->ld;
    char *p;

    if (value[0] == '\0') {
        ld_err(ld, src->file, src->line, key, "empty");
        return;
    }
    p = path_join(ld->cfg->dir, value);
    if (p == NULL) {
        ld->oom = 1;
        return;
    }
    if (readable && access(p, R_OK) != 0) {
        ld_err(ld, src->file, src->line, key, "cannot read %s: %s", p, strerror(errno));
        free(p);
        return;
    }
    free(*out);
    *out = p;
}

static void conf_onvif_key(struct ini_src *src, const char *key, const char *value)
{
    struct load *ld = src->ld;
    struct cfg_onvif *ov = &ld->cfg->onvif;

    if (strcmp(key, "interval") == 0) {
        ld->onvif_interval_line = src->line;
        conf_duration(src, key, value, &ov->interval_ms);
    } else if (strcmp(key, "timeout") == 0) {
        ld->onvif_timeout_line = src->line;
        conf_duration(src, key, value, &ov->timeout_ms);
    } else if (strcmp(key, "max_clock_offset") == 0) {
        ld->onvif_offset_line = src->line;
        if (strcmp(value, "0") == 0 || strcmp(value, "off") == 0)
            ov->max_clock_offset_ms = 0;
        else
            conf_duration(src, key, value, &ov->max_clock_offset_ms);
    } else if (strcmp(key, "concurrency") == 0) {
        conf_int(src, key, value, 1, CFG_ONVIF_CONCURRENCY_MAX, &ov->concurrency);
    } else if (strcmp(key, "tls_verify") == 0) {
        if (parse_bool(value, &ov->tls_verify) != 0)
            ld_err(ld, src->file, src->line, key, "expected yes or no, not '%s'", value);
    } else if (strcmp(key, "ca_file") == 0) {
        conf_path(src, key, value, 1, &ov->ca_file);
    } else {
        ld_err(ld, src->file, src->line, key,
               "unknown key in [probe.onvif] (interval, timeout, max_clock_offset, concurrency, "
               "tls_verify, ca_file)");
    }
}

static void conf_on_key(struct ini_src *src, const char *section, const char *key,
                        const char *value)
{
    struct load *ld = src->ld;
    struct cfg *cfg = ld->cfg;

    if (section[0] == '\0') {
        ld_err(ld, src->file, src->line, key, "key outside any [section]");
        return;
    }
    if (section_class_name(section) != NULL) {
        if (conf_seen(src, section, key) == 0)
            conf_class_key(src, section, key, value);
        return;
    }
    if (!section_is_known(section))
        return; /* a future section, or an unknown one already reported at its header */
    if (conf_seen(src, section, key) != 0)
        return;
    if (strcmp(section, "owners") == 0) {
        conf_owner(src, key, value);
        return;
    }
    if (strcmp(section, "site") == 0 && strcmp(key, "name") == 0) {
        if (value[0] == '\0')
            ld_err(ld, src->file, src->line, key, "empty");
        else
            set_str(ld, &cfg->site_name, value);
    } else if (strcmp(section, "site") == 0 && strcmp(key, "time_zone") == 0) {
        struct stat st;
        char zpath[PATH_MAX];

        snprintf(zpath, sizeof(zpath), "%s/%s", CFG_ZONEINFO_DIR, value);
        if (value[0] == '\0' || value[0] == '/' || strstr(value, "..") != NULL ||
            stat(zpath, &st) != 0 || !S_ISREG(st.st_mode))
            ld_err(ld, src->file, src->line, key, "unknown time zone '%s' (not in %s)", value,
                   CFG_ZONEINFO_DIR);
        else
            set_str(ld, &cfg->time_zone, value);
    } else if (strcmp(section, "store") == 0 && strcmp(key, "database") == 0) {
        conf_path(src, key, value, 0, &cfg->database);
    } else if (strcmp(section, "store") == 0 && strcmp(key, "cache") == 0) {
        conf_path(src, key, value, 0, &cfg->cache_dir);
    } else if (strcmp(section, "store") == 0 && strcmp(key, "samples_days") == 0) {
        conf_int(src, key, value, 1, CFG_SAMPLES_DAYS_MAX, &cfg->samples_days);
    } else if (strcmp(section, "inventory") == 0 &&
               (strcmp(key, "cameras") == 0 || strcmp(key, "credentials") == 0)) {
        int cams = strcmp(key, "cameras") == 0;
        char *abs, *disp;

        if (value[0] == '\0') {
            ld_err(ld, src->file, src->line, key, "empty");
            return;
        }
        abs = path_join(cfg->dir, value);
        disp = path_join(ld->conf_disp_dir, value);
        if (abs == NULL || disp == NULL) {
            ld->oom = 1;
            free(abs);
            free(disp);
            return;
        }
        free(cams ? cfg->cameras_path : cfg->credentials_path);
        free(cams ? ld->cameras_disp : ld->creds_disp);
        if (cams) {
            cfg->cameras_path = abs;
            ld->cameras_disp = disp;
        } else {
            cfg->credentials_path = abs;
            ld->creds_disp = disp;
        }
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "interval") == 0) {
        ld->interval_line = src->line;
        conf_duration(src, key, value, &cfg->rtsp.interval_ms);
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "timeout") == 0) {
        ld->timeout_line = src->line;
        conf_duration(src, key, value, &cfg->rtsp.timeout_ms);
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "slow") == 0) {
        conf_duration(src, key, value, &cfg->rtsp.slow_ms);
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "down_after") == 0) {
        conf_int(src, key, value, 1, CFG_HYSTERESIS_MAX, &cfg->rtsp.down_after);
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "up_after") == 0) {
        conf_int(src, key, value, 1, CFG_HYSTERESIS_MAX, &cfg->rtsp.up_after);
    } else if (strcmp(section, "probe.rtsp") == 0 && strcmp(key, "concurrency") == 0) {
        conf_int(src, key, value, 1, CFG_CONCURRENCY_MAX, &cfg->rtsp.concurrency);
    } else if (strcmp(section, "probe.stream") == 0) {
        conf_stream_key(src, key, value);
    } else if (strcmp(section, "probe.onvif") == 0) {
        conf_onvif_key(src, key, value);
    } else if (strcmp(section, "http") == 0 && strcmp(key, "listen") == 0) {
        const char *why = listen_check(value);
        if (why != NULL)
            ld_err(ld, src->file, src->line, key, "%s: '%s'", why, value);
        else
            set_str(ld, &cfg->http_listen, value);
    } else {
        ld_err(ld, src->file, src->line, key, "unknown key in [%s]", section);
    }
}

/* [probe.stream] ranges, and the timeout that defaults from the sample. */
static void conf_check_stream(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct cfg_stream *st = &cfg->stream;
    int sample_ok = 1;

    if (st->sample_ms < CFG_STREAM_SAMPLE_MIN_MS || st->sample_ms > CFG_STREAM_SAMPLE_MAX_MS) {
        ld_err(ld, cfg->path, ld->stream_sample_line, "sample", "must be between 1s and 60s");
        sample_ok = 0;
    }
    if (st->interval_ms < CFG_STREAM_INTERVAL_MIN_MS ||
        st->interval_ms > CFG_STREAM_INTERVAL_MAX_MS)
        ld_err(ld, cfg->path, ld->stream_interval_line, "interval", "must be between 10s and 1d");
    if (st->timeout_ms == 0)
        st->timeout_ms = st->sample_ms + CFG_STREAM_TIMEOUT_SLACK_MS;
    else if (sample_ok && st->timeout_ms <= st->sample_ms)
        ld_err(ld, cfg->path, ld->stream_timeout_line, "timeout",
               "must be longer than sample (%lld ms <= %lld ms): it bounds opening the stream "
               "and the sample together",
               (long long)st->timeout_ms, (long long)st->sample_ms);
}

/* [probe.onvif] ranges. */
static void conf_check_onvif(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct cfg_onvif *ov = &cfg->onvif;

    if (ov->interval_ms < CFG_ONVIF_INTERVAL_MIN_MS || ov->interval_ms > CFG_ONVIF_INTERVAL_MAX_MS)
        ld_err(ld, cfg->path, ld->onvif_interval_line, "interval", "must be between 10s and 1d");
    if (ov->timeout_ms < CFG_ONVIF_TIMEOUT_MIN_MS || ov->timeout_ms > CFG_ONVIF_TIMEOUT_MAX_MS)
        ld_err(ld, cfg->path, ld->onvif_timeout_line, "timeout",
               "must be between 100ms and 60s (it bounds one SOAP request)");
    if (ov->max_clock_offset_ms > CFG_ONVIF_MAX_CLOCK_OFFSET_MAX_MS)
        ld_err(ld, cfg->path, ld->onvif_offset_line, "max_clock_offset",
               "must be at most 1d (0 or off turns the check off)");
}

/* Checks that need the whole file. */
static void conf_check_all(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    int64_t iv = cfg->rtsp.interval_ms;

    if (cfg->cameras_path == NULL)
        ld_err(ld, cfg->path, 0, "cameras", "[inventory] cameras is required");
    if (iv < CFG_RTSP_INTERVAL_MIN_MS || iv > CFG_RTSP_INTERVAL_MAX_MS)
        ld_err(ld, cfg->path, ld->interval_line, "interval", "must be between 100ms and 1d");
    else if (cfg->rtsp.timeout_ms >= iv)
        ld_err(ld, cfg->path, ld->timeout_line ? ld->timeout_line : ld->interval_line, "timeout",
               "must be shorter than interval (%lld ms >= %lld ms)",
               (long long)cfg->rtsp.timeout_ms, (long long)iv);
    conf_check_stream(ld);
    conf_check_onvif(ld);
    classes_build(ld);
}

static int conf_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct ini_src src = {0};

    src.fp = fopen(cfg->path, "r");
    if (src.fp == NULL) {
        ld_err(ld, cfg->path, 0, NULL, "cannot read: %s", strerror(errno));
        return -1;
    }
    src.file = cfg->path;
    src.ld = ld;
    src.on_section = conf_on_section;
    src.on_key = conf_on_key;
    ini_src_parse(&src);
    fclose(src.fp);
    conf_check_all(ld);
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* credentials.ini */

static void creds_on_section(struct ini_src *src, const char *name)
{
    struct load *ld = src->ld;
    struct cfg *cfg = ld->cfg;
    size_t i;

    ld->creds_skip = 1;
    if (name[0] == '\0') {
        ld_err(ld, src->file, src->line, NULL, "empty section name");
        return;
    }
    for (i = 0; i < cfg->n_creds; i++) {
        if (strcmp(cfg->creds[i].name, name) == 0) {
            ld_err(ld, src->file, src->line, name, "defined twice (first at line %d)",
                   ld->cred_lines[i]);
            return;
        }
    }
    if (cfg->n_creds == ld->creds_cap) {
        size_t cap = ld->creds_cap ? ld->creds_cap * 2 : 8;
        struct cfg_credential *v = realloc(cfg->creds, cap * sizeof(*v));
        int *lines;
        if (v == NULL) {
            ld->oom = 1;
            return;
        }
        cfg->creds = v;
        lines = realloc(ld->cred_lines, cap * sizeof(*lines));
        if (lines == NULL) {
            ld->oom = 1;
            return;
        }
        ld->cred_lines = lines;
        ld->creds_cap = cap;
    }
    memset(&cfg->creds[cfg->n_creds], 0, sizeof(cfg->creds[0]));
    cfg->creds[cfg->n_creds].name = ld_strdup(ld, name);
    if (cfg->creds[cfg->n_creds].name == NULL)
        return;
    ld->cred_lines[cfg->n_creds] = src->line;
    cfg->n_creds++;
    ld->creds_skip = 0;
}

static void creds_on_key(struct ini_src *src, const char *section, const char *key,
                         const char *value)
{
    struct load *ld = src->ld;
    struct cfg_credential *c;
    char **dst;

    if (section[0] == '\0') {
        ld_err(ld, src->file, src->line, key, "key outside any [section]");
        return;
    }
    if (ld->creds_skip || ld->cfg->n_creds == 0)
        return; /* a bad section, already reported */
    c = &ld->cfg->creds[ld->cfg->n_creds - 1];
    if (strcmp(key, "username") == 0)
        dst = &c->username;
    else if (strcmp(key, "password") == 0)
        dst = &c->password;
    else {
        ld_err(ld, src->file, src->line, key, "unknown key in [%s] (username, password)", section);
        return;
    }
    if (*dst != NULL) {
        ld_err(ld, src->file, src->line, key, "set twice in [%s]", section);
        return;
    }
    *dst = ld_strdup(ld, value);
}

static void creds_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    const char *file = ld->creds_disp;
    struct ini_src src = {0};
    struct stat st;
    size_t i;
    int fd;

    fd = open(cfg->credentials_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ld_err(ld, file, 0, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ld_err(ld, file, 0, NULL, "not a regular file");
        close(fd);
        return;
    }
    if ((st.st_mode & 077) != 0) {
        ld_err(ld, file, 0, NULL,
               "readable by group or others (mode %04o): it holds passwords; run chmod 600 %s",
               (unsigned)(st.st_mode & 07777), file);
        /* read on anyway: the load fails, but the credential column still gets checked */
    }
    src.fp = fdopen(fd, "r");
    if (src.fp == NULL) {
        ld_err(ld, file, 0, NULL, "cannot read: %s", strerror(errno));
        close(fd);
        return;
    }
    src.file = file;
    src.ld = ld;
    src.on_section = creds_on_section;
    src.on_key = creds_on_key;
    ini_src_parse(&src);
    fclose(src.fp);
    ld->creds_ok = 1;
    for (i = 0; i < cfg->n_creds; i++) {
        if (cfg->creds[i].username == NULL)
            ld_err(ld, file, ld->cred_lines[i], "username", "missing in [%s]", cfg->creds[i].name);
        if (cfg->creds[i].password == NULL)
            ld_err(ld, file, ld->cred_lines[i], "password", "missing in [%s]", cfg->creds[i].name);
    }
}

/* ------------------------------------------------------------------------------------ */
/* cameras.csv */

struct csv_ctx {
    struct load *ld;
    const char *file;
    char *f[CSV_KEEP_FIELDS];
    size_t nf;
    int any_text;  /* some field is not empty */
    int bad_utf8;  /* column of the first field that is not UTF-8, -1 when none */
    int in_record; /* a record has started and not ended */
    int row_line;  /* physical line the record starts on */
    int header_seen, header_ok;
    int nfields; /* fields in every record: CSV_NFIELDS, or CSV_NCOLUMNS with "class" */
};

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t len, k;
        unsigned cp;

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static void csv_on_field(void *s, size_t len, void *data)
{
    struct csv_ctx *c = data;

    if (c->nf < CSV_KEEP_FIELDS) {
        c->f[c->nf] = strndup(s ? s : "", len);
        if (c->f[c->nf] == NULL)
            c->ld->oom = 1;
    }
    if (len > 0)
        c->any_text = 1;
    if (c->bad_utf8 < 0 && s != NULL && !utf8_valid(s, len))
        c->bad_utf8 = (int)c->nf;
    c->nf++;
}

static void csv_row_clear(struct csv_ctx *c)
{
    size_t i;

    for (i = 0; i < CSV_KEEP_FIELDS; i++) {
        free(c->f[i]);
        c->f[i] = NULL;
    }
    c->nf = 0;
    c->any_text = 0;
    c->bad_utf8 = -1;
}

static int column_index(const char *name)
{
    int i;

    for (i = 0; i < CSV_NCOLUMNS; i++)
        if (strcmp(csv_columns[i], name) == 0)
            return i;
    return -1;
}

/* The header must be CFG_CSV_HEADER, optionally followed by "class"; say which columns are
 * missing, extra or misplaced. */
static void csv_check_header(struct csv_ctx *c)
{
    struct load *ld = c->ld;
    size_t i, j, n = c->nf < CSV_KEEP_FIELDS ? c->nf : CSV_KEEP_FIELDS;
    int found[CSV_NCOLUMNS] = {0};
    size_t before = ld->nerr;

    for (i = 0; i < n; i++) {
        int k = c->f[i] ? column_index(c->f[i]) : -1;
        if (k < 0) {
            ld_err(ld, c->file, c->row_line, c->f[i] ? c->f[i] : "", "unknown column");
            continue;
        }
        if (found[k]) {
            ld_err(ld, c->file, c->row_line, c->f[i], "column appears twice");
            continue;
        }
        found[k] = (int)i + 1;
    }
    if (c->nf > CSV_KEEP_FIELDS)
        ld_err(ld, c->file, c->row_line, NULL, "%zu columns, expected %d: %s", c->nf, CSV_NFIELDS,
               CFG_CSV_HEADER);
    for (j = 0; j < CSV_NFIELDS; j++)
        if (!found[j])
            ld_err(ld, c->file, c->row_line, csv_columns[j], "missing column");
    if (ld->nerr == before) {
        for (j = 0; j < CSV_NCOLUMNS; j++)
            if (found[j] != 0 && found[j] != (int)j + 1)
                ld_err(ld, c->file, c->row_line, csv_columns[j],
                       "column out of order (column %d, expected %zu)", found[j], j + 1);
    }
    c->nfields = found[COL_CLASS] ? CSV_NCOLUMNS : CSV_NFIELDS;
    c->header_ok = ld->nerr == before;
}

static void row_err(struct csv_ctx *c, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void row_err(struct csv_ctx *c, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ld_err(c->ld, c->file, c->row_line, col >= 0 ? csv_columns[col] : NULL, "%s", msg);
}

enum url_fault {
    URL_OK,
    URL_NO_SCHEME,
    URL_BAD_SCHEME,
    URL_USERINFO,
    URL_NO_HOST,
    URL_BAD_PORT,
    URL_BAD_CHAR
};

/* Checks scheme://host[:port][/...] with the scheme one of schemes (case-insensitive). */
static enum url_fault url_check(const char *url, const char *const *schemes)
{
    const char *p, *sep = strstr(url, "://"), *auth, *auth_end, *host_end;
    size_t n;
    int ok = 0;

    for (p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return URL_BAD_CHAR;
    if (sep == NULL || sep == url || !isalpha((unsigned char)url[0]))
        return URL_NO_SCHEME;
    for (p = url; p < sep; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return URL_NO_SCHEME;
    n = (size_t)(sep - url);
    for (; *schemes; schemes++)
        if (strlen(*schemes) == n && strncasecmp(url, *schemes, n) == 0)
            ok = 1;
    if (!ok)
        return URL_BAD_SCHEME;
    auth = sep + 3;
    auth_end = auth + strcspn(auth, "/?#");
    p = memchr(auth, '@', (size_t)(auth_end - auth));
    if (p != NULL)
        return URL_USERINFO;
    if (*auth == '[') {
        host_end = memchr(auth, ']', (size_t)(auth_end - auth));
        if (host_end == NULL || host_end == auth + 1)
            return URL_NO_HOST;
        host_end++;
    } else {
        host_end = auth + strcspn(auth, ":/?#");
        if (host_end == auth)
            return URL_NO_HOST;
    }
    if (host_end < auth_end) {
        char port[8];
        size_t pn = (size_t)(auth_end - host_end - 1);
        if (*host_end != ':' || pn == 0 || pn >= sizeof(port))
            return URL_BAD_PORT;
        memcpy(port, host_end + 1, pn);
        port[pn] = '\0';
        if (!port_ok(port))
            return URL_BAD_PORT;
    }
    return URL_OK;
}

static void check_url(struct csv_ctx *c, int col, const char *url, const char *const *schemes,
                      const char *kind)
{
    if (strlen(url) > CFG_URL_MAX) {
        row_err(c, col, "longer than %d bytes", CFG_URL_MAX);
        return;
    }
    switch (url_check(url, schemes)) {
    case URL_OK:
        break;
    case URL_NO_SCHEME:
        row_err(c, col, "missing scheme");
        break;
    case URL_BAD_SCHEME:
        row_err(c, col, "not an %s URL", kind);
        break;
    case URL_USERINFO:
        row_err(c, col,
                "user:password inside the URL; put them in the credentials file and name its "
                "section in the credential column");
        break;
    case URL_NO_HOST:
        row_err(c, col, "no host");
        break;
    case URL_BAD_PORT:
        row_err(c, col, "bad port (1-65535)");
        break;
    case URL_BAD_CHAR:
        row_err(c, col, "spaces or control characters in the URL");
        break;
    }
}

static int parse_coord(struct csv_ctx *c, int col, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v)) {
        row_err(c, col, "not a number: '%s'", s);
        return -1;
    }
    if (v < lo || v > hi) {
        row_err(c, col, "%s out of range [%g, %g]", s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int date_ok(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int i, y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

static const struct cfg_camera *camera_find_n(const struct cfg *cfg, size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (cfg->cameras[i].id != NULL && strcmp(cfg->cameras[i].id, id) == 0)
            return &cfg->cameras[i];
    return NULL;
}

static const struct cfg_credential *cred_find(const struct cfg *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->n_creds; i++)
        if (strcmp(cfg->creds[i].name, name) == 0)
            return &cfg->creds[i];
    return NULL;
}

/* The class column: empty (or absent) is the default class. */
static void csv_check_class(struct csv_ctx *c, struct cfg_camera *cam)
{
    struct cfg *cfg = c->ld->cfg;
    const char *name = c->nfields > COL_CLASS ? c->f[COL_CLASS] : "";

    if (name[0] == '\0') {
        cam->cls = cfg->n_classes > 0 ? &cfg->classes[0] : NULL;
        return;
    }
    cam->cls = class_find(cfg, name);
    if (cam->cls == NULL)
        row_err(c, COL_CLASS, "unknown class '%s' (no [class %s] in %s)", name, name, cfg->path);
}

/* Validate the row in c->f against what came before; every problem is reported. */
static void csv_check_row(struct csv_ctx *c, struct cfg_camera *cam)
{
    static const char *const rtsp_schemes[] = {"rtsp", NULL};
    static const char *const http_schemes[] = {"http", "https", NULL};
    struct cfg *cfg = c->ld->cfg;
    const char *p;
    const struct cfg_camera *dup;
    int has_lat = c->f[COL_LAT][0] != '\0';
    int has_lon = c->f[COL_LON][0] != '\0';

    if (cam->id[0] == '\0') {
        row_err(c, COL_ID, "required");
    } else {
        for (p = cam->id; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
                break;
        if (*p != '\0' || strlen(cam->id) > CFG_ID_MAX)
            row_err(c, COL_ID, "'%s': use 1-%d of A-Z a-z 0-9 . _ -", cam->id, CFG_ID_MAX);
        dup = camera_find_n(cfg, cfg->n_cameras, cam->id);
        if (dup != NULL)
            row_err(c, COL_ID, "duplicate id '%s' (first at line %d)", cam->id, dup->line);
    }
    if (cam->name[0] == '\0')
        row_err(c, COL_NAME, "required");
    if (cam->owner[0] == '\0')
        row_err(c, COL_OWNER, "required");
    else if (cfg_owner_name(cfg, cam->owner) == NULL)
        row_err(c, COL_OWNER, "unknown owner '%s' (not in [owners] of %s)", cam->owner, cfg->path);
    if (strcmp(c->f[COL_SITE_KIND], "district") == 0)
        cam->site_kind = CFG_SITE_DISTRICT;
    else if (strcmp(c->f[COL_SITE_KIND], "commune") == 0)
        cam->site_kind = CFG_SITE_COMMUNE;
    else if (strcmp(c->f[COL_SITE_KIND], "market") == 0)
        cam->site_kind = CFG_SITE_MARKET;
    else
        row_err(c, COL_SITE_KIND, "'%s': must be district, commune or market", c->f[COL_SITE_KIND]);
    if (has_lat != has_lon) {
        row_err(c, has_lat ? COL_LON : COL_LAT, "lat and lon go together: give both or neither");
    } else if (has_lat) {
        int bad = parse_coord(c, COL_LAT, c->f[COL_LAT], -90, 90, &cam->lat);
        bad |= parse_coord(c, COL_LON, c->f[COL_LON], -180, 180, &cam->lon);
        cam->has_position = bad == 0;
    }
    if (cam->rtsp_url[0] == '\0')
        row_err(c, COL_RTSP_URL, "required");
    else if (strncasecmp(cam->rtsp_url, "rtsps://", 8) == 0)
        /* libcurl has no RTSP over TLS: refuse it here rather than fail every probe. */
        row_err(c, COL_RTSP_URL, "rtsps:// is not supported; use the camera's rtsp:// URL");
    else
        check_url(c, COL_RTSP_URL, cam->rtsp_url, rtsp_schemes, "rtsp");
    if (cam->onvif_url[0] != '\0')
        check_url(c, COL_ONVIF_URL, cam->onvif_url, http_schemes, "http");
    if (cam->credential[0] != '\0' && c->ld->creds_ok) {
        if (cred_find(cfg, cam->credential) == NULL) {
            if (cfg->credentials_path == NULL)
                row_err(c, COL_CREDENTIAL,
                        "unknown credential '%s' (no credentials file in [inventory])",
                        cam->credential);
            else
                row_err(c, COL_CREDENTIAL, "unknown credential '%s'", cam->credential);
        }
    }
    if (cam->installed_on[0] != '\0' && !date_ok(cam->installed_on))
        row_err(c, COL_INSTALLED_ON, "'%s' is not a date (YYYY-MM-DD)", cam->installed_on);
    csv_check_class(c, cam);
}

static void csv_take_row(struct csv_ctx *c)
{
    struct load *ld = c->ld;
    struct cfg *cfg = ld->cfg;
    struct cfg_camera *cam;
    size_t i;

    if (c->nf != (size_t)c->nfields) {
        row_err(c, -1, "%zu fields, expected %d", c->nf, c->nfields);
        return;
    }
    for (i = 0; i < (size_t)c->nfields; i++)
        if (c->f[i] == NULL)
            return; /* out of memory, already flagged */
    if (c->bad_utf8 >= 0) {
        row_err(c, c->bad_utf8, "not valid UTF-8 (save the file as CSV UTF-8)");
        return;
    }
    if (cfg->n_cameras == ld->cameras_cap) {
        size_t cap = ld->cameras_cap ? ld->cameras_cap * 2 : 64;
        struct cfg_camera *v = realloc(cfg->cameras, cap * sizeof(*v));
        if (v == NULL) {
            ld->oom = 1;
            return;
        }
        cfg->cameras = v;
        ld->cameras_cap = cap;
    }
    cam = &cfg->cameras[cfg->n_cameras];
    memset(cam, 0, sizeof(*cam));
    cam->line = c->row_line;
    cam->id = c->f[COL_ID];
    cam->name = c->f[COL_NAME];
    cam->owner = c->f[COL_OWNER];
    cam->commune = c->f[COL_COMMUNE];
    cam->address = c->f[COL_ADDRESS];
    cam->road = c->f[COL_ROAD];
    cam->rtsp_url = c->f[COL_RTSP_URL];
    cam->onvif_url = c->f[COL_ONVIF_URL];
    cam->credential = c->f[COL_CREDENTIAL];
    cam->model = c->f[COL_MODEL];
    cam->installed_on = c->f[COL_INSTALLED_ON];
    cam->recorder = c->f[COL_RECORDER];
    cam->notes = c->f[COL_NOTES];
    csv_check_row(c, cam);
    cfg->n_cameras++;
    /* the camera owns these now; site_kind, lat and lon were parsed, their text goes */
    c->f[COL_ID] = c->f[COL_NAME] = c->f[COL_OWNER] = c->f[COL_COMMUNE] = NULL;
    c->f[COL_ADDRESS] = c->f[COL_ROAD] = c->f[COL_RTSP_URL] = c->f[COL_ONVIF_URL] = NULL;
    c->f[COL_CREDENTIAL] = c->f[COL_MODEL] = c->f[COL_INSTALLED_ON] = NULL;
    c->f[COL_RECORDER] = c->f[COL_NOTES] = NULL;
}

static void csv_on_record(int term, void *data)
{
    struct csv_ctx *c = data;

    (void)term;
    if (!c->header_seen) {
        c->header_seen = 1;
        csv_check_header(c);
    } else if (c->header_ok && c->any_text) {
        csv_take_row(c);
    }
    csv_row_clear(c);
    c->in_record = 0;
}

static int line_is_blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_ini_space(s[i]))
            return 0;
    return 1;
}

static void csv_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct csv_ctx c = {0};
    struct csv_parser p;
    const unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    FILE *fp;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int line = 0;

    c.ld = ld;
    c.file = ld->cameras_disp;
    c.bad_utf8 = -1;
    fp = fopen(cfg->cameras_path, "r");
    if (fp == NULL) {
        ld_err(ld, c.file, 0, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    if (csv_init(&p, opts) != 0) {
        ld->oom = 1;
        fclose(fp);
        return;
    }
    while ((n = getline(&buf, &cap, fp)) >= 0) {
        const char *s = buf;
        size_t len = (size_t)n;

        line++;
        if (line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3; /* Excel's "CSV UTF-8" starts with a BOM */
            len -= 3;
        }
        if (!c.in_record) {
            if (line_is_blank(s, len))
                continue;
            c.in_record = 1;
            c.row_line = line;
        }
        if (csv_parse(&p, s, len, csv_on_field, csv_on_record, &c) != len) {
            if (csv_error(&p) == CSV_ENOMEM || csv_error(&p) == CSV_ETOOBIG) {
                ld->oom = 1;
                break;
            }
            ld_err(ld, c.file, line, NULL,
                   "bad quoting: a '\"' inside an unquoted field or after a closing quote");
            /* start afresh on the next line */
            csv_free(&p);
            csv_row_clear(&c);
            c.in_record = 0;
            if (csv_init(&p, opts) != 0) {
                ld->oom = 1;
                break;
            }
        }
    }
    if (!ld->oom && csv_fini(&p, csv_on_field, csv_on_record, &c) != 0)
        ld_err(ld, c.file, c.row_line, NULL, "quoted field not closed before the end of the file");
    if (!c.header_seen && !ld->oom)
        ld_err(ld, c.file, 1, NULL, "empty file: expected the header %s", CFG_CSV_HEADER);
    csv_free(&p);
    csv_row_clear(&c);
    free(buf);
    fclose(fp);
}

/* ------------------------------------------------------------------------------------ */

static void resolve_credentials(struct cfg *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_cameras; i++)
        if (cfg->cameras[i].credential[0] != '\0')
            cfg->cameras[i].cred = cred_find(cfg, cfg->cameras[i].credential);
}

/* Fill cfg->dir (absolute) and ld->conf_disp_dir from the conf path as given. */
static int conf_dirs(struct load *ld, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *given, *abs;

    if (slash == NULL)
        given = strdup(".");
    else if (slash == path)
        given = strdup("/");
    else
        given = strndup(path, (size_t)(slash - path));
    if (given == NULL)
        return -1;
    abs = realpath(given, NULL);
    if (abs == NULL) {
        ld_err(ld, path, 0, NULL, "cannot read: %s", strerror(errno));
        free(given);
        return -1;
    }
    ld->cfg->dir = abs;
    if (strcmp(given, ".") == 0)
        given[0] = '\0';
    ld->conf_disp_dir = given;
    return 0;
}

static void cfg_set_defaults(struct load *ld)
{
    struct cfg *cfg = ld->cfg;

    cfg->site_name = ld_strdup(ld, CFG_DEFAULT_SITE_NAME);
    cfg->time_zone = ld_strdup(ld, CW_DEFAULT_TZ);
    cfg->http_listen = ld_strdup(ld, CFG_DEFAULT_LISTEN);
    cfg->database = path_join(cfg->dir, CFG_DEFAULT_DATABASE);
    if (cfg->database == NULL)
        ld->oom = 1;
    cfg->rtsp.interval_ms = CFG_RTSP_INTERVAL_MS;
    cfg->rtsp.timeout_ms = CFG_RTSP_TIMEOUT_MS;
    cfg->rtsp.slow_ms = CFG_RTSP_SLOW_MS;
    cfg->rtsp.down_after = CFG_RTSP_DOWN_AFTER;
    cfg->rtsp.up_after = CFG_RTSP_UP_AFTER;
    cfg->rtsp.concurrency = CFG_RTSP_CONCURRENCY;
    cfg->cache_dir = path_join(cfg->dir, CFG_DEFAULT_CACHE);
    if (cfg->cache_dir == NULL)
        ld->oom = 1;
    cfg->samples_days = CFG_SAMPLES_DAYS;
    cfg->stream.workers = CFG_STREAM_WORKERS;
    cfg->stream.sample_ms = CFG_STREAM_SAMPLE_MS;
    cfg->stream.interval_ms = CFG_STREAM_INTERVAL_MS;
    cfg->stream.timeout_ms = 0; /* sample + slack, once the sample is known */
    cfg->stream.thumb_width = CFG_STREAM_THUMB_WIDTH;
    cfg->onvif.interval_ms = CFG_ONVIF_INTERVAL_MS;
    cfg->onvif.timeout_ms = CFG_ONVIF_TIMEOUT_MS;
    cfg->onvif.max_clock_offset_ms = CFG_ONVIF_MAX_CLOCK_OFFSET_MS;
    cfg->onvif.concurrency = CFG_ONVIF_CONCURRENCY;
    cfg->onvif.tls_verify = 1;
}

/* With systemd's LoadCredential=, the credentials file sits in $CREDENTIALS_DIRECTORY
 * under its base name. */
static void creds_use_credentials_directory(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    char *p, *q;

    if (dir == NULL || dir[0] == '\0' || cfg->credentials_path == NULL)
        return;
    p = path_join(dir, base_name(cfg->credentials_path));
    q = p ? strdup(p) : NULL;
    if (p == NULL || q == NULL) {
        free(p);
        ld->oom = 1;
        return;
    }
    free(cfg->credentials_path);
    free(ld->creds_disp);
    cfg->credentials_path = p;
    ld->creds_disp = q;
}

static void class_defs_free(struct load *ld)
{
    size_t i;

    for (i = 0; i < ld->n_class_defs; i++)
        free(ld->class_defs[i].name);
    free(ld->class_defs);
}

int cfg_load(const char *path, struct cfg **out, struct cw_errlist *errs)
{
    struct load ld = {0};
    struct cfg *cfg;

    *out = NULL;
    cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return cw_errlist_add(errs, path, 0, NULL, "out of memory");
    ld.cfg = cfg;
    ld.errs = errs;
    cfg->path = ld_strdup(&ld, path);
    if (cfg->path == NULL || conf_dirs(&ld, path) != 0)
        goto fail;
    cfg_set_defaults(&ld);
    if (ld.oom || conf_load(&ld) != 0)
        goto fail;
    if (cfg->credentials_path != NULL) {
        creds_use_credentials_directory(&ld);
        if (!ld.oom)
            creds_load(&ld);
    } else {
        ld.creds_ok = 1; /* no file: every named credential is unknown */
    }
    if (cfg->cameras_path != NULL && !ld.oom)
        csv_load(&ld);
    if (ld.oom || ld.nerr > 0)
        goto fail;
    resolve_credentials(cfg);
    free(ld.conf_disp_dir);
    free(ld.cameras_disp);
    free(ld.creds_disp);
    free(ld.cred_lines);
    free(ld.seen);
    class_defs_free(&ld);
    *out = cfg;
    return 0;
fail:
    if (ld.oom)
        cw_errlist_add(errs, path, 0, NULL, "out of memory");
    else if (ld.nerr == 0)
        cw_errlist_add(errs, path, 0, NULL, "cannot load");
    free(ld.conf_disp_dir);
    free(ld.cameras_disp);
    free(ld.creds_disp);
    free(ld.cred_lines);
    free(ld.seen);
    class_defs_free(&ld);
    cfg_free(cfg);
    return -1;
}

void cfg_free(struct cfg *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < cfg->n_cameras; i++) {
        struct cfg_camera *c = &cfg->cameras[i];
        free(c->id);
        free(c->name);
        free(c->owner);
        free(c->commune);
        free(c->address);
        free(c->road);
        free(c->rtsp_url);
        free(c->onvif_url);
        free(c->credential);
        free(c->model);
        free(c->installed_on);
        free(c->recorder);
        free(c->notes);
    }
    free(cfg->cameras);
    for (i = 0; i < cfg->n_creds; i++) {
        free(cfg->creds[i].name);
        free(cfg->creds[i].username);
        free(cfg->creds[i].password);
    }
    free(cfg->creds);
    for (i = 0; i < cfg->n_owners; i++) {
        free(cfg->owners[i].code);
        free(cfg->owners[i].name);
    }
    free(cfg->owners);
    for (i = 0; i < cfg->n_classes; i++)
        free(cfg->classes[i].name);
    free(cfg->classes);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->site_name);
    free(cfg->time_zone);
    free(cfg->database);
    free(cfg->cache_dir);
    free(cfg->onvif.ca_file);
    free(cfg->cameras_path);
    free(cfg->credentials_path);
    free(cfg->http_listen);
    free(cfg);
}

const struct cfg_camera *cfg_find_camera(const struct cfg *cfg, const char *id)
{
    return camera_find_n(cfg, cfg->n_cameras, id);
}

const char *cfg_owner_name(const struct cfg *cfg, const char *code)
{
    size_t i;

    for (i = 0; i < cfg->n_owners; i++)
        if (cfg->owners[i].code != NULL && strcmp(cfg->owners[i].code, code) == 0)
            return cfg->owners[i].name;
    return NULL;
}

const char *cfg_site_kind_name(enum cfg_site_kind k)
{
    switch (k) {
    case CFG_SITE_DISTRICT:
        return "district";
    case CFG_SITE_COMMUNE:
        return "commune";
    case CFG_SITE_MARKET:
        return "market";
    }
    return "?";
}
