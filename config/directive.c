/* directive.c - a key's value parsed, bounded and stored by its row (directive.h). Every
 * message about a value, its kind or its bounds is written here once. No state of its own. */
#include "directive.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/text.h"

#define CFG_ZONEINFO_DIR "/usr/share/zoneinfo"

/* Where one row's value goes in base. */
#define FIELD(type, base, d) ((type *)(void *)((char *)(base) + (d)->off))
#define CFIELD(type, base, d) ((const type *)(const void *)((const char *)(base) + (d)->off))

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

/* host:port, host a name, an IPv4 address or a bracketed IPv6 address; NULL when good. */
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

static int time_zone_ok(const char *tz)
{
    struct stat st;
    char path[PATH_MAX];

    if (tz[0] == '\0' || tz[0] == '/' || strstr(tz, "..") != NULL)
        return 0;
    if (snprintf(path, sizeof(path), "%s/%s", CFG_ZONEINFO_DIR, tz) >= (int)sizeof(path))
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A bound in ms as written in a conf: "100ms", "60s", "1h", "1d". */
static const char *fmt_ms(double ms, char *buf, size_t len)
{
    long long v = (long long)ms;

    if (v != 0 && v % 86400000 == 0)
        snprintf(buf, len, "%lldd", v / 86400000);
    else if (v != 0 && v % 3600000 == 0)
        snprintf(buf, len, "%lldh", v / 3600000);
    else if (v % 1000 == 0)
        snprintf(buf, len, "%llds", v / 1000);
    else
        snprintf(buf, len, "%lldms", v);
    return buf;
}

/* The bounds of a duration, broken: "must be between 10s and 1d", or "must be at most 1d"
 * when any positive value would do below; with the row's note. */
static int duration_range_err(struct load *ld, const struct cfg_directive *d, const char *file,
                              int line)
{
    char lo[32], hi[32], note[256] = "";

    if (d->note != NULL)
        snprintf(note, sizeof(note), " (%s)", d->note);
    if (d->lo <= 1)
        cfg_ld_err(ld, file, line, d->key, "must be at most %s%s", fmt_ms(d->hi, hi, sizeof(hi)),
                   note);
    else
        cfg_ld_err(ld, file, line, d->key, "must be between %s and %s%s",
                   fmt_ms(d->lo, lo, sizeof(lo)), fmt_ms(d->hi, hi, sizeof(hi)), note);
    return -1;
}

static int set_duration(struct load *ld, const struct cfg_directive *d, void *base,
                        const char *value, const char *file, int line)
{
    int64_t ms;

    if (d->kind == CFG_DURATION_OFF && (strcmp(value, "0") == 0 || strcmp(value, "off") == 0)) {
        *FIELD(int64_t, base, d) = 0;
        return 0;
    }
    if (cw_parse_duration_ms(value, &ms) != 0) {
        cfg_ld_err(ld, file, line, d->key, "bad duration '%s' (use e.g. 250ms, 30s, 5m, 2h)",
                   value);
        return -1;
    }
    if (ms <= 0) {
        cfg_ld_err(ld, file, line, d->key, "must be more than 0");
        return -1;
    }
    if ((double)ms < d->lo || (double)ms > d->hi)
        return duration_range_err(ld, d, file, line);
    *FIELD(int64_t, base, d) = ms;
    return 0;
}

/* A number of seconds from a duration; 0 means no limit. */
static int set_seconds(struct load *ld, const struct cfg_directive *d, void *base,
                       const char *value, const char *file, int line)
{
    int64_t ms;

    if (cw_parse_duration_ms(value, &ms) != 0) {
        cfg_ld_err(ld, file, line, d->key,
                   "bad duration '%s' (use e.g. 2s, 1500ms; 0 for no limit)", value);
        return -1;
    }
    if ((double)ms > d->hi * 1000) {
        cfg_ld_err(ld, file, line, d->key, "'%s' is over %gs", value, d->hi);
        return -1;
    }
    *FIELD(double, base, d) = (double)ms / 1000.0;
    return 0;
}

static int refused(struct load *ld, const struct cfg_directive *d, double v, const char *file,
                   int line)
{
    const char *why = d->refuse != NULL ? d->refuse(v) : NULL;

    if (why == NULL)
        return 0;
    cfg_ld_err(ld, file, line, d->key, "%s", why);
    return -1;
}

static int set_int(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                   const char *file, int line)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0) {
        cfg_ld_err(ld, file, line, d->key, "not a whole number: '%s'", value);
        return -1;
    }
    if ((double)v < d->lo || (double)v > d->hi) {
        cfg_ld_err(ld, file, line, d->key, "%lld out of range %lld..%lld", v, (long long)d->lo,
                   (long long)d->hi);
        return -1;
    }
    if (refused(ld, d, (double)v, file, line) != 0)
        return -1;
    *FIELD(int, base, d) = (int)v;
    return 0;
}

static int set_double(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                      const char *file, int line)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(value, &end);
    if (d->kind == CFG_PERCENT && end != value && strcmp(end, "%") == 0)
        end++;
    if (value[0] == '\0' || end == value || *end != '\0' || errno != 0 || !isfinite(v)) {
        cfg_ld_err(ld, file, line, d->key, "not a number: '%s'", value);
        return -1;
    }
    if (v < d->lo || v > d->hi) {
        cfg_ld_err(ld, file, line, d->key, "%s out of range %g..%g", value, d->lo, d->hi);
        return -1;
    }
    if (refused(ld, d, v, file, line) != 0)
        return -1;
    *FIELD(double, base, d) = v;
    return 0;
}

/* value is one of the space-separated words of choices. */
static int choice_ok(const char *choices, const char *value)
{
    size_t n = strlen(value);

    for (const char *p = choices; n > 0 && *p != '\0';) {
        size_t w = strcspn(p, " ");
        if (w == n && strncmp(p, value, n) == 0)
            return 1;
        p += w + (p[w] == ' ');
    }
    return 0;
}

/* The checks of a string's text, by kind: NULL when good, else the message (in buf when it
 * needs the value). */
static const char *string_fault(struct load *ld, const struct cfg_directive *d, const char *value,
                                char *buf, size_t len)
{
    size_t n = strlen(value);
    const char *why;

    (void)ld;
    if (n == 0 && d->lo >= 1)
        return "empty";
    if ((double)n > d->hi) {
        snprintf(buf, len, "longer than %lld bytes", (long long)d->hi);
        return buf;
    }
    switch (d->kind) {
    case CFG_TIME_ZONE:
        if (!time_zone_ok(value)) {
            snprintf(buf, len, "unknown time zone '%s' (not in %s)", value, CFG_ZONEINFO_DIR);
            return buf;
        }
        return NULL;
    case CFG_LISTEN:
        if ((why = listen_check(value)) != NULL) {
            snprintf(buf, len, "%s: '%s'", why, value);
            return buf;
        }
        return NULL;
    case CFG_CHOICE:
        if (!choice_ok(d->choices, value)) {
            snprintf(buf, len, "expected one of %s, not '%s'", d->choices, value);
            return buf;
        }
        return NULL;
    default:
        return NULL;
    }
}

/* A path, made absolute from the conf's folder. */
static int is_path_kind(enum cfg_kind k)
{
    return k == CFG_PATH || k == CFG_PATH_READABLE || k == CFG_PATH_FOLDER;
}

static int set_string(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                      const char *file, int line)
{
    char msg[512], *s;
    const char *why;
    struct stat st;

    if (is_path_kind(d->kind))
        s = cfg_path_join(ld->cfg->dir, value);
    else
        s = strdup(value);
    if (s == NULL || (d->kind == CFG_TEXT && cw_text_nfc(&s) != 0)) {
        free(s);
        ld->oom = 1;
        return -1;
    }
    /* on the text kept: a name typed decomposed is bounded as it is stored */
    why = string_fault(ld, d, is_path_kind(d->kind) ? value : s, msg, sizeof(msg));
    if (why != NULL) {
        cfg_ld_err(ld, file, line, d->key, "%s", why);
        free(s);
        return -1;
    }
    if (d->kind == CFG_PATH_READABLE && access(s, R_OK) != 0) {
        cfg_ld_err(ld, file, line, d->key, "cannot read %s: %s", s, strerror(errno));
        free(s);
        return -1;
    }
    if (d->kind == CFG_PATH_FOLDER && stat(s, &st) == 0 && !S_ISDIR(st.st_mode)) {
        cfg_ld_err(ld, file, line, d->key, "%s is not a folder (a missing one is made)", s);
        free(s);
        return -1;
    }
    free(*FIELD(char *, base, d));
    *FIELD(char *, base, d) = s;
    return 0;
}

static int is_string_kind(enum cfg_kind k)
{
    return k == CFG_STRING || k == CFG_TEXT || is_path_kind(k) || k == CFG_TIME_ZONE ||
           k == CFG_LISTEN || k == CFG_CHOICE;
}

/* The unit words a price may end with, folded to lower case as written (UTF-8 "đ" as is). */
static const char *const vnd_units[] = {"vnd", "vnđ", "vnĐ", "đồng", "dong", "đ"};

/* [s, end) without blanks at either end and without a unit word at its end. */
static void amount_trim(const char *s, const char **end)
{
    const char *e = *end;

    while (e > s && cfg_is_space(e[-1]))
        e--;
    for (size_t i = 0; i < sizeof(vnd_units) / sizeof(vnd_units[0]); i++) {
        size_t n = strlen(vnd_units[i]);
        if ((size_t)(e - s) > n && strncasecmp(e - n, vnd_units[i], n) == 0) {
            e -= n;
            break;
        }
    }
    while (e > s && cfg_is_space(e[-1]))
        e--;
    *end = e;
}

/* Whole VND as people write them: "450000", or grouped by threes with one separator, '.'
 * (Vietnamese), ',' (English) or ' ': "4.500.000". Returns 0, or -1. */
static int parse_vnd(const char *s, const char *end, int64_t *out)
{
    char sep = 0;
    int64_t v = 0;
    int group = 0, digits = 0;

    while (s < end && cfg_is_space(*s))
        s++;
    amount_trim(s, &end);
    if (s == end)
        return -1;
    for (const char *p = s; p < end; p++) {
        if (isdigit((unsigned char)*p)) {
            if (++digits > 15) /* a thousand billion đồng is past any camera */
                return -1;
            v = v * 10 + (*p - '0');
            group++;
            continue;
        }
        if ((*p != '.' && *p != ',' && *p != ' ') || (sep != 0 && *p != sep) || group == 0 ||
            (sep == 0 && group > 3) || (sep != 0 && group != 3))
            return -1;
        sep = *p;
        group = 0;
    }
    if (sep != 0 && group != 3)
        return -1;
    *out = v;
    return 0;
}

int cfg_parse_vnd(const char *s, int64_t *out)
{
    return parse_vnd(s, s + strlen(s), out);
}

/* "AMOUNT | SOURCE" into a struct cfg_cost. */
static int set_cost(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                    const char *file, int line)
{
    struct cfg_cost *c = FIELD(struct cfg_cost, base, d);
    const char *bar = strchr(value, '|'), *src;
    int64_t vnd;
    char *dup;

    if (bar == NULL) {
        cfg_ld_err(ld, file, line, d->key,
                   "expected 'AMOUNT | SOURCE' (whole VND, then where the price comes from), "
                   "e.g. 450000 | quotation 12/BG of 05/11/2026");
        return -1;
    }
    if (parse_vnd(value, bar, &vnd) != 0) {
        const char *end = bar;
        while (end > value && cfg_is_space(end[-1]))
            end--;
        cfg_ld_err(ld, file, line, d->key,
                   "'%.*s' is not a whole amount of VND (write 450000 or 450.000)",
                   (int)(end - value), value);
        return -1;
    }
    if ((double)vnd < d->lo || (double)vnd > d->hi) {
        cfg_ld_err(ld, file, line, d->key, "%lld VND out of range %lld..%lld", (long long)vnd,
                   (long long)d->lo, (long long)d->hi);
        return -1;
    }
    for (src = bar + 1; cfg_is_space(*src); src++)
        ;
    if (*src == '\0') {
        cfg_ld_err(ld, file, line, d->key,
                   "the price's source is missing after '|' (a quotation, price list or "
                   "contract, so the province can check it)");
        return -1;
    }
    if ((dup = strdup(src)) == NULL || cw_text_nfc(&dup) != 0) { /* the backlog shows it */
        free(dup);
        ld->oom = 1;
        return -1;
    }
    free(c->source);
    c->source = dup;
    c->vnd = vnd;
    c->set = 1;
    return 0;
}

int cfg_directive_set(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                      const char *file, int line)
{
    int b;

    switch (d->kind) {
    case CFG_DURATION:
    case CFG_DURATION_OFF:
        return set_duration(ld, d, base, value, file, line);
    case CFG_SECONDS:
        return set_seconds(ld, d, base, value, file, line);
    case CFG_INT:
        return set_int(ld, d, base, value, file, line);
    case CFG_DOUBLE:
    case CFG_PERCENT:
        return set_double(ld, d, base, value, file, line);
    case CFG_BOOL:
        if (parse_bool(value, &b) != 0) {
            cfg_ld_err(ld, file, line, d->key, "expected yes or no, not '%s'", value);
            return -1;
        }
        *FIELD(int, base, d) = b;
        return 0;
    case CFG_STRING:
    case CFG_TEXT:
    case CFG_PATH:
    case CFG_PATH_READABLE:
    case CFG_PATH_FOLDER:
    case CFG_TIME_ZONE:
    case CFG_LISTEN:
    case CFG_CHOICE:
        return set_string(ld, d, base, value, file, line);
    case CFG_COST:
        return set_cost(ld, d, base, value, file, line);
    }
    return -1;
}

const struct cfg_directive *cfg_directive_find(const struct cfg_directive *d, size_t n,
                                               const char *key)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(d[k].key, key) == 0)
            return &d[k];
    return NULL;
}

void cfg_directive_defaults(struct load *ld, const struct cfg_directive *d, size_t n,
                            const char *dir, void *base)
{
    for (size_t k = 0; k < n; k++) {
        const struct cfg_directive *r = &d[k];
        char *s;

        switch (r->kind) {
        case CFG_DURATION:
        case CFG_DURATION_OFF:
            *FIELD(int64_t, base, r) = (int64_t)r->def;
            break;
        case CFG_SECONDS:
        case CFG_DOUBLE:
        case CFG_PERCENT:
            *FIELD(double, base, r) = r->def;
            break;
        case CFG_INT:
        case CFG_BOOL:
            *FIELD(int, base, r) = (int)r->def;
            break;
        case CFG_COST: /* unpriced until the conf says */
            break;
        default:
            if (r->def_str == NULL)
                break;
            if (is_path_kind(r->kind))
                s = cfg_path_join(dir, r->def_str);
            else
                s = strdup(r->def_str);
            if (s == NULL)
                ld->oom = 1;
            free(*FIELD(char *, base, r));
            *FIELD(char *, base, r) = s;
            break;
        }
    }
}

void cfg_directive_copy(struct load *ld, const struct cfg_directive *d, size_t n, uint64_t set,
                        void *dst, const void *src)
{
    for (size_t k = 0; k < n; k++) {
        const struct cfg_directive *r = &d[k];

        if (!(set & ((uint64_t)1 << k)))
            continue;
        if (is_string_kind(r->kind)) {
            const char *s = *CFIELD(char *, src, r);
            free(*FIELD(char *, dst, r));
            *FIELD(char *, dst, r) = s != NULL ? cfg_ld_strdup(ld, s) : NULL;
        } else if (r->kind == CFG_DURATION || r->kind == CFG_DURATION_OFF) {
            *FIELD(int64_t, dst, r) = *CFIELD(int64_t, src, r);
        } else if (r->kind == CFG_SECONDS || r->kind == CFG_DOUBLE || r->kind == CFG_PERCENT) {
            *FIELD(double, dst, r) = *CFIELD(double, src, r);
        } else if (r->kind == CFG_COST) {
            const struct cfg_cost *from = CFIELD(struct cfg_cost, src, r);
            struct cfg_cost *to = FIELD(struct cfg_cost, dst, r);
            free(to->source);
            *to = *from;
            to->source = from->source != NULL ? cfg_ld_strdup(ld, from->source) : NULL;
        } else {
            *FIELD(int, dst, r) = *CFIELD(int, src, r);
        }
    }
}

void cfg_directive_free(const struct cfg_directive *d, size_t n, void *base)
{
    for (size_t k = 0; k < n; k++) {
        if (is_string_kind(d[k].kind)) {
            free(*FIELD(char *, base, &d[k]));
            *FIELD(char *, base, &d[k]) = NULL;
        } else if (d[k].kind == CFG_COST) {
            free(FIELD(struct cfg_cost, base, &d[k])->source);
            FIELD(struct cfg_cost, base, &d[k])->source = NULL;
        }
    }
}

void cfg_directive_list(const struct cfg_directive *d, size_t n, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (size_t k = 0; k < n && off < len; k++) {
        int w = snprintf(buf + off, len - off, "%s%s", k ? ", " : "", d[k].key);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}
