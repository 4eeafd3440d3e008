/* conf.c - camwatch.conf into a struct cfg. Owns nothing past cfg_conf_forget(): values land
 * in ld->cfg, the keys as written in ld->seen, named sections in ld->named.
 *
 * Each section is a table of directives (directive.h), and sections[] lists them:
 *   - a new key is one row in its section's table;
 *   - a new top-level section is one more table and one line in sections[];
 *   - a new kind of named section, [KIND NAME] with several instances each taking the keys
 *     of its own table, is a struct cfg_named_kind (see class.c) and one line in
 *     named_kinds[].
 * Every value is parsed and bounded by its row as it is read. Checks that need more than one
 * key (a timeout shorter than its interval) run once the file is read, in each section's
 * check(), and leave alone a key whose value was refused; then each kind of named section
 * builds its instances into the cfg. */
#include "conf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cwtime.h"
#include "../util/text.h"
#include "../util/vec.h"
#include "action.h"
#include "alerts.h"
#include "class.h"
#include "directive.h"
#include "ini_src.h"
#include "recorder.h"

#define CFG_SITE_NAME_MAX 127
#define CFG_OWNER_NAME_MAX 127
#define CFG_AUTHORITY_MAX 255
#define CFG_TIME_ZONE_MAX 127
#define CFG_LISTEN_MAX 255
#define CFG_PATH_MAX (PATH_MAX - 1)

/* Bounds, in ms for durations. [probe.rtsp]: a probe every 100 ms is already a busy camera;
 * a day apart is no watch at all; 10,000 probes in flight is the design's one-daemon
 * ceiling. [store] samples_days, hourly_days, clock_days: ten years is past any use; a day
 * at least, which the store's clock trigger guards. [probe.stream]: a sample under a
 * second cannot measure a frame rate, over a minute it costs more than it tells; sampling a
 * camera more often than every 10 s would make the stream probe a second recorder; the
 * default timeout is the sample plus a slack for opening the stream and its first keyframe,
 * and an hour bounds any. [probe.onvif]: device facts and clocks change slowly, so every 10
 * minutes finds a drifting clock long before footage from it is asked for; a camera a few
 * seconds off already misorders events across cameras at one junction. */
#define CFG_RTSP_INTERVAL_MIN_MS 100
#define CFG_HYSTERESIS_MAX 100
#define CFG_CONCURRENCY_MAX 10000
/* A down camera is probed on a backoff of its own: interval, doubled after each failure, up to
 * down_interval (2 minutes: a camera back on its feet is seen within one, yet 5 % of 30,000
 * cameras hanging hold about 25 probes in flight instead of 250), each probe bounded by
 * down_timeout (2 s, the slow threshold: a camera that answers later is degraded anyway). */
#define CFG_SAMPLES_DAYS_MAX 3650
#define CFG_STREAM_WORKERS_MAX 64
/* The samples' share of one core. Samples are what a daemon spends its CPU on (about 20 ms
 * each at 640x360, 1.5 times that at 1080p; a liveness probe a few tenths of a ms): at 0.2 %
 * a district's 128 cameras are each sampled about every 20 minutes and the whole daemon,
 * liveness of 128 cameras every 30 s (about 0.25 %) with it, stays under half a percent of
 * a core; a province's 10,000 about once a day (README, bench/steady). */
#define CFG_STREAM_BUDGET_PCT 0.2
#define CFG_STREAM_TIMEOUT_SLACK_MS 10000
#define CFG_STREAM_TIMEOUT_MAX_MS (3600 * 1000)
#define CFG_ONVIF_CONCURRENCY_MAX 1000

/* [http]: the limits keep a slow or hostile client from holding the loop's connections or
 * memory: one address may hold a quarter of the connections, an idle one is closed after
 * 30 s, a body (a request's JSON) is small. */
#define CFG_HTTP_CONNECTIONS_MAX 10000
#define CFG_HTTP_BODY_MAX (16 * 1024 * 1024)
#define CFG_HTTP_SOCKET_MAX 107 /* sun_path holds 108 bytes with its NUL */
/* [footage]. A scan of an unchanged folder tree costs a stat per folder: every 5 minutes
 * keeps the index within minutes of the recorder. A recording hole of 10 minutes is longer
 * than any recorder's file rotation. */
#define CFG_FOOTAGE_SCAN_MS (5 * 60 * 1000)
#define CFG_FOOTAGE_SCAN_MIN_MS 10000
#define CFG_FOOTAGE_WORKERS_MAX 16
#define CFG_FOOTAGE_MAX_GAP_MS (10 * 60 * 1000)
#define CFG_FOOTAGE_WARN_MS (3 * CFG_DAY_MS)
#define CFG_FOOTAGE_TOLERANCE_MS 2000

/* [alerts]: a change that lasts a second is already worth telling in a test, one that must
 * last a day no longer is; a failed delivery is retried from a second to a day apart, and
 * given up between a minute and a week after its alert (a week-old outage alert is history);
 * an attempt is bounded like a slow mail relay's answer. */
#define CFG_ALERTS_HOLD_MIN_MS 1000
#define CFG_ALERTS_GIVE_UP_MIN_MS 60000
#define CFG_ALERTS_GIVE_UP_MAX_MS (7 * CFG_DAY_MS)
#define CFG_ALERTS_TIMEOUT_MAX_MS 600000

#define ROWS(t) t, sizeof(t) / sizeof(t[0])

/* The structs the rows' fields are in. */
#define S struct cfg
#define R struct cfg_rtsp
#define T struct cfg_stream
#define O struct cfg_onvif
#define A struct cfg_alerts
#define F struct cfg_footage

static const struct cfg_directive site_keys[] = {
    CFG_STR("name", CFG_TEXT, S, site_name, "camwatch", 1, CFG_SITE_NAME_MAX),
    CFG_STR("time_zone", CFG_TIME_ZONE, S, time_zone, CW_DEFAULT_TZ, 0, CFG_TIME_ZONE_MAX),
    CFG_WORD("language", S, language, "en", "vi en"),
    CFG_STR("authority", CFG_TEXT, S, authority, NULL, 1, CFG_AUTHORITY_MAX),
};

static const struct cfg_directive store_keys[] = {
    CFG_STR("database", CFG_PATH, S, database, "var/camwatch.db", 1, CFG_PATH_MAX),
    CFG_STR("cache", CFG_PATH_FOLDER, S, cache_dir, "var/cache", 1, CFG_PATH_MAX),
    CFG_NUM("samples_days", CFG_INT, S, samples_days, 31, 1, CFG_SAMPLES_DAYS_MAX),
    CFG_NUM("hourly_days", CFG_INT, S, hourly_days, 400, 1, CFG_SAMPLES_DAYS_MAX),
    CFG_NUM("clock_days", CFG_INT, S, clock_days, 31, 1, CFG_SAMPLES_DAYS_MAX),
};

static const struct cfg_directive inventory_keys[] = {
    CFG_STR("cameras", CFG_PATH, S, cameras_path, NULL, 1, CFG_PATH_MAX),
    CFG_STR("credentials", CFG_PATH, S, credentials_path, NULL, 1, CFG_PATH_MAX),
};

static const struct cfg_directive rtsp_keys[] = {
    CFG_NUM("interval", CFG_DURATION, R, interval_ms, 30000, CFG_RTSP_INTERVAL_MIN_MS, CFG_DAY_MS),
    CFG_NUM("timeout", CFG_DURATION, R, timeout_ms, 5000, 1, CFG_DAY_MS),
    CFG_NUM("slow", CFG_DURATION, R, slow_ms, 2000, 1, CFG_DAY_MS),
    CFG_NUM("down_after", CFG_INT, R, down_after, 3, 1, CFG_HYSTERESIS_MAX),
    CFG_NUM("up_after", CFG_INT, R, up_after, 2, 1, CFG_HYSTERESIS_MAX),
    CFG_NUM("concurrency", CFG_INT, R, concurrency, 64, 1, CFG_CONCURRENCY_MAX),
    CFG_NUM_NOTE("concurrency_max", CFG_INT, R, concurrency_max, 2048, 1, CFG_CONCURRENCY_MAX,
                 "probes in flight grow from concurrency up to this while probes wait"),
    CFG_NUM_NOTE("down_interval", CFG_DURATION_OFF, R, down_interval_ms, 120000, 0, CFG_DAY_MS,
                 "0 or off: a down camera is probed every interval like the others"),
    CFG_NUM("down_timeout", CFG_DURATION, R, down_timeout_ms, 2000, 1, CFG_DAY_MS),
};

static const struct cfg_directive stream_keys[] = {
    CFG_NUM("workers", CFG_INT, T, workers, 4, 0, CFG_STREAM_WORKERS_MAX),
    CFG_NUM("sample", CFG_DURATION, T, sample_ms, 5000, 1000, 60000),
    CFG_NUM("interval", CFG_DURATION, T, interval_ms, 600000, 10000, CFG_DAY_MS),
    CFG_NUM_NOTE("budget", CFG_PERCENT, T, budget_pct, CFG_STREAM_BUDGET_PCT, 0, 100,
                 "% of one core the samples may use; 0: every camera every interval"),
    /* default 0: sample + slack, once the sample is known (stream_check) */
    CFG_NUM("timeout", CFG_DURATION, T, timeout_ms, 0, 1, CFG_STREAM_TIMEOUT_MAX_MS),
    CFG_NUM("thumb_width", CFG_INT, T, thumb_width, 320, 64, 1920),
};

static const struct cfg_directive onvif_keys[] = {
    CFG_NUM("interval", CFG_DURATION, O, interval_ms, 600000, 10000, CFG_DAY_MS),
    CFG_NUM_NOTE("timeout", CFG_DURATION, O, timeout_ms, 5000, 100, 60000,
                 "it bounds one SOAP request"),
    CFG_NUM_NOTE("max_clock_offset", CFG_DURATION_OFF, O, max_clock_offset_ms, 5000, 0, CFG_DAY_MS,
                 "0 or off turns the check off"),
    CFG_NUM("concurrency", CFG_INT, O, concurrency, 16, 1, CFG_ONVIF_CONCURRENCY_MAX),
    CFG_NUM("tls_verify", CFG_BOOL, O, tls_verify, 1, 0, 1),
    CFG_STR("ca_file", CFG_PATH_READABLE, O, ca_file, NULL, 1, CFG_PATH_MAX),
};

static const struct cfg_directive alerts_keys[] = {
    CFG_NUM("hold", CFG_DURATION, A, hold_ms, 120000, CFG_ALERTS_HOLD_MIN_MS, CFG_DAY_MS),
    CFG_STR("webhook", CFG_STRING, A, webhook, NULL, 1, CFG_ALERTS_LIST_MAX),
    CFG_STR("webhook_credential", CFG_TEXT, A, webhook_credential, NULL, 1, CFG_SECTION_MAX),
    CFG_STR("smtp", CFG_STRING, A, smtp, NULL, 1, CFG_ALERTS_LIST_MAX),
    CFG_STR("smtp_credential", CFG_TEXT, A, smtp_credential, NULL, 1, CFG_SECTION_MAX),
    CFG_NUM("starttls", CFG_BOOL, A, starttls, 1, 0, 1),
    CFG_STR("from", CFG_STRING, A, from, NULL, 1, CFG_ALERTS_ADDRESS_MAX),
    CFG_STR("to", CFG_STRING, A, to, NULL, 1, CFG_ALERTS_LIST_MAX),
    CFG_STR("digest_at", CFG_STRING, A, digest_at, "08:00", 1, 5),
    CFG_NUM("retry", CFG_DURATION, A, retry_ms, 30000, 1000, CFG_DAY_MS),
    CFG_NUM("retry_max", CFG_DURATION, A, retry_max_ms, 1800000, 1000, CFG_DAY_MS),
    CFG_NUM("give_up", CFG_DURATION, A, give_up_ms, CFG_DAY_MS, CFG_ALERTS_GIVE_UP_MIN_MS,
            CFG_ALERTS_GIVE_UP_MAX_MS),
    CFG_NUM("timeout", CFG_DURATION, A, timeout_ms, 30000, 1000, CFG_ALERTS_TIMEOUT_MAX_MS),
    CFG_NUM("tls_verify", CFG_BOOL, A, tls_verify, 1, 0, 1),
    CFG_STR("ca_file", CFG_PATH_READABLE, A, ca_file, NULL, 1, CFG_PATH_MAX),
};

static const struct cfg_directive http_keys[] = {
    CFG_STR("listen", CFG_LISTEN, S, http_listen, "127.0.0.1:8640", 0, CFG_LISTEN_MAX),
    CFG_STR("socket", CFG_PATH, S, http_socket, NULL, 1, CFG_PATH_MAX),
    CFG_STR("tokens", CFG_PATH, S, http_tokens, "tokens.ini", 1, CFG_PATH_MAX),
    CFG_NUM("open_metrics", CFG_BOOL, S, http_open_metrics, 0, 0, 1),
    CFG_NUM("open_healthz", CFG_BOOL, S, http_open_healthz, 0, 0, 1),
    CFG_NUM("connections", CFG_INT, S, http_connections, 256, 1, CFG_HTTP_CONNECTIONS_MAX),
    CFG_NUM_NOTE("per_client", CFG_INT, S, http_per_client, 64, 0, CFG_HTTP_CONNECTIONS_MAX,
                 "0: no limit"),
    CFG_NUM("timeout", CFG_DURATION, S, http_timeout_ms, 30000, 1000, 3600000),
    CFG_NUM_NOTE("max_body", CFG_INT, S, http_max_body, 65536, 1024, CFG_HTTP_BODY_MAX, "bytes"),
};

static const struct cfg_directive footage_keys[] = {
    CFG_NUM("scan_interval", CFG_DURATION, F, scan_interval_ms, CFG_FOOTAGE_SCAN_MS,
            CFG_FOOTAGE_SCAN_MIN_MS, CFG_DAY_MS),
    CFG_NUM("workers", CFG_INT, F, workers, 1, 1, CFG_FOOTAGE_WORKERS_MAX),
    CFG_NUM_NOTE("max_gap", CFG_DURATION_OFF, F, max_gap_ms, CFG_FOOTAGE_MAX_GAP_MS, 0, CFG_DAY_MS,
                 "0 or off turns the check off"),
    CFG_NUM("warn_before", CFG_DURATION, F, warn_before_ms, CFG_FOOTAGE_WARN_MS, 3600 * 1000,
            365 * CFG_DAY_MS),
    CFG_NUM_NOTE("tolerance", CFG_DURATION, F, tolerance_ms, CFG_FOOTAGE_TOLERANCE_MS, 1,
                 3600 * 1000, "segments this close are one window"),
    CFG_STR("exports", CFG_PATH_FOLDER, F, export_dir, "var/exports", 1, CFG_PATH_MAX),
};

#undef S
#undef R
#undef T
#undef O
#undef A
#undef F

/* A top-level section: its keys are the rows of keys, at offsets from base in struct cfg;
 * or, when on_key is set, any key, taken by on_key ([owners]: a code is the key). */
struct conf_section {
    const char *name;
    const struct cfg_directive *keys;
    size_t n_keys;
    size_t base;
    int (*on_key)(struct load *ld, const char *file, int line, const char *key,
                  const char *value); /* 0 taken, -1 refused (reported) */
    void (*check)(struct load *ld);   /* once the file is read, whether given or not */
};

static int owners_key(struct load *ld, const char *file, int line, const char *code,
                      const char *value);
static void inventory_check(struct load *ld);
static void rtsp_check(struct load *ld);
static void stream_check(struct load *ld);
static void http_check(struct load *ld);

static const struct conf_section sections[] = {
    {"site", ROWS(site_keys), 0, NULL, NULL},
    {"store", ROWS(store_keys), 0, NULL, NULL},
    {"inventory", ROWS(inventory_keys), 0, NULL, inventory_check},
    {"probe.rtsp", ROWS(rtsp_keys), offsetof(struct cfg, rtsp), NULL, rtsp_check},
    {"probe.stream", ROWS(stream_keys), offsetof(struct cfg, stream), NULL, stream_check},
    {"probe.onvif", ROWS(onvif_keys), offsetof(struct cfg, onvif), NULL, NULL},
    {"alerts", ROWS(alerts_keys), offsetof(struct cfg, alerts), NULL, cfg_alerts_check},
    {"http", ROWS(http_keys), 0, NULL, http_check},
    {"footage", ROWS(footage_keys), offsetof(struct cfg, footage), NULL, NULL},
    {"costs", cfg_cost_keys, CFG_ACTION_COUNT, offsetof(struct cfg, costs), NULL, NULL},
    {"owners", NULL, 0, 0, owners_key, NULL},
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* Kinds of named section; ld->named[k] holds the instances of named_kinds[k]. */
static const struct cfg_named_kind *const named_kinds[] = {&cfg_class_kind, &cfg_recorder_kind};
#define N_NAMED_KINDS (sizeof(named_kinds) / sizeof(named_kinds[0]))
_Static_assert(N_NAMED_KINDS <= CFG_NAMED_KINDS_MAX, "raise CFG_NAMED_KINDS_MAX");

/* Sections of features still to come (any section whose name starts so): read past without
 * a word, so a conf written for a later version still loads. */
static const char *const future_sections[] = {"report", "api"};

/* ---- sections ----------------------------------------------------------------------- */

static const struct conf_section *section_find(const char *name)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

static int section_is_future(const char *s)
{
    for (size_t i = 0; i < sizeof(future_sections) / sizeof(future_sections[0]); i++)
        if (strncmp(s, future_sections[i], strlen(future_sections[i])) == 0)
            return 1;
    return 0;
}

/* "[KIND NAME]": the index of KIND in named_kinds and NAME in *name, or -1 when the section
 * is not a named one. "[KIND]" alone gives the name "". */
static int named_kind_of(const char *section, const char **name)
{
    for (size_t k = 0; k < N_NAMED_KINDS; k++) {
        size_t n = strlen(named_kinds[k]->kind);
        if (strncmp(section, named_kinds[k]->kind, n) != 0)
            continue;
        if (section[n] == '\0' || section[n] == ' ') {
            *name = section[n] == '\0' ? "" : section + n + 1;
            return (int)k;
        }
    }
    return -1;
}

/* A named section's header: check the name and note the instance (a second header of the
 * same instance goes on adding keys to it, as any other section does). */
static int named_section(struct ini_src *src, int k, const char *section, const char *name)
{
    struct load *ld = src->ld;
    struct cfg_named_list *l = &ld->named[k];
    struct cfg_named *v;

    if (!cfg_is_code(name)) {
        cfg_ld_err(ld, src->file, src->line, section,
                   "%s name must be letters, digits, '_' or '-': [%s NAME]", named_kinds[k]->kind,
                   named_kinds[k]->kind);
        return -1;
    }
    if (cfg_named_find(l, name) != NULL)
        return 0;
    v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (v == NULL) {
        ld->oom = 1;
        return -1;
    }
    l->v = v;
    v = &v[l->n];
    memset(v, 0, sizeof(*v));
    v->line = src->line;
    v->name = cfg_ld_strdup(ld, name);
    v->v = calloc(1, named_kinds[k]->size);
    if (v->name == NULL || v->v == NULL) {
        free(v->name);
        free(v->v);
        ld->oom = 1;
        return -1;
    }
    l->n++;
    return 0;
}

static int conf_on_section(struct ini_src *src, const char *name)
{
    const char *inst;
    int k = named_kind_of(name, &inst);

    if (k >= 0)
        return named_section(src, k, name, inst);
    if (section_find(name) != NULL)
        return 0;
    if (!section_is_future(name)) {
        cfg_ld_err(src->ld, src->file, src->line, name, "unknown section");
        src->lost++; /* its keys are not read: a misspelt [http] may hold tokens */
    }
    return -1;
}

/* ---- keys --------------------------------------------------------------------------- */

/* Note (section, key) as written; NULL when it was set before (reported) or out of memory. */
static struct cfg_seen *conf_seen_add(struct ini_src *src, const char *section, const char *key,
                                      const char *value)
{
    struct load *ld = src->ld;
    const struct cfg_seen *first = cfg_conf_seen(ld, section, key);
    struct cfg_seen *s;

    if (first != NULL) {
        cfg_ld_err(ld, src->file, src->line, key, "set twice (first at line %d)", first->line);
        ld->seen[first - ld->seen].twice = 1;
        return NULL;
    }
    if (cw_vec_grow(&ld->seen, ld->n_seen, &ld->seen_cap, sizeof(*ld->seen), 16) != 0) {
        ld->oom = 1;
        return NULL;
    }
    s = &ld->seen[ld->n_seen];
    memset(s, 0, sizeof(*s));
    s->section = strdup(section);
    s->key = strdup(key);
    s->value = strdup(value);
    s->line = src->line;
    if (s->section == NULL || s->key == NULL || s->value == NULL) {
        free(s->section);
        free(s->key);
        free(s->value);
        ld->oom = 1;
        return NULL;
    }
    ld->n_seen++;
    return s;
}

static int unknown_key(struct ini_src *src, const char *section, const char *key,
                       const struct cfg_directive *keys, size_t n)
{
    char list[400];

    cfg_directive_list(keys, n, list, sizeof(list));
    cfg_ld_err(src->ld, src->file, src->line, key, "unknown key in [%s] (%s)", section, list);
    return -1;
}

static int named_key(struct ini_src *src, int k, const char *section, const char *name,
                     const char *key, const char *value)
{
    const struct cfg_named_kind *nk = named_kinds[k];
    struct cfg_named *v = cfg_named_find(&src->ld->named[k], name);
    const struct cfg_directive *d = cfg_directive_find(nk->keys, nk->n_keys, key);

    if (v == NULL)
        return -1; /* its header was refused */
    if (d == NULL)
        return unknown_key(src, section, key, nk->keys, nk->n_keys);
    if (cfg_directive_set(src->ld, d, v->v, value, src->file, src->line) != 0)
        return -1;
    v->set |= (uint64_t)1 << (d - nk->keys);
    return 0;
}

static void conf_on_key(struct ini_src *src, const char *section, const char *key,
                        const char *value)
{
    struct load *ld = src->ld;
    const struct conf_section *sec;
    const struct cfg_directive *d;
    struct cfg_seen *seen;
    const char *name;
    int k;

    if (section[0] == '\0') {
        cfg_ld_err(ld, src->file, src->line, key, "key outside any [section]");
        src->lost++; /* a key not read, maybe meant for [http] */
        return;
    }
    if ((seen = conf_seen_add(src, section, key, value)) == NULL)
        return;
    if ((k = named_kind_of(section, &name)) >= 0) {
        seen->refused = named_key(src, k, section, name, key, value) != 0;
        return;
    }
    sec = section_find(section); /* the headers of other sections were passed over */
    if (sec == NULL)
        return;
    if (sec->on_key != NULL) {
        seen->refused = sec->on_key(ld, src->file, src->line, key, value) != 0;
        return;
    }
    d = cfg_directive_find(sec->keys, sec->n_keys, key);
    if (d == NULL)
        seen->refused = unknown_key(src, section, key, sec->keys, sec->n_keys) != 0;
    else
        seen->refused =
            cfg_directive_set(ld, d, (char *)ld->cfg + sec->base, value, src->file, src->line) != 0;
}

/* ---- [owners] ----------------------------------------------------------------------- */

static int owners_key(struct load *ld, const char *file, int line, const char *code,
                      const char *value)
{
    struct cfg *cfg = ld->cfg;
    struct cfg_owner *v;
    char *name;

    if (!cfg_is_code(code)) {
        cfg_ld_err(ld, file, line, code, "owner code must be letters, digits, '_' or '-'");
        return -1;
    }
    if (strlen(code) > CFG_OWNER_CODE_MAX) {
        cfg_ld_err(ld, file, line, code, "owner code longer than %d bytes", CFG_OWNER_CODE_MAX);
        return -1;
    }
    if (value[0] == '\0') {
        cfg_ld_err(ld, file, line, code, "owner needs a full name");
        return -1;
    }
    /* kept precomposed, as cameras.csv's text: reports and manifests show it */
    if ((name = cfg_ld_strdup(ld, value)) == NULL || cw_text_nfc(&name) != 0) {
        free(name);
        ld->oom = 1;
        return -1;
    }
    if (strlen(name) > CFG_OWNER_NAME_MAX) {
        cfg_ld_err(ld, file, line, code, "owner name longer than %d bytes", CFG_OWNER_NAME_MAX);
        free(name);
        return -1;
    }
    v = realloc(cfg->owners, (cfg->n_owners + 1) * sizeof(*v));
    if (v == NULL) {
        free(name);
        ld->oom = 1;
        return -1;
    }
    cfg->owners = v;
    v[cfg->n_owners].code = cfg_ld_strdup(ld, code);
    v[cfg->n_owners].name = name;
    cfg->n_owners++;
    return 0;
}

const char *cfg_owner_name(const struct cfg *cfg, const char *code)
{
    size_t i;

    for (i = 0; i < cfg->n_owners; i++)
        if (cfg->owners[i].code != NULL && strcmp(cfg->owners[i].code, code) == 0)
            return cfg->owners[i].name;
    return NULL;
}

/* ---- checks across keys ------------------------------------------------------------- */

static int seen_refused(const struct cfg_seen *s)
{
    return s != NULL && s->refused;
}

static void inventory_check(struct load *ld)
{
    if (ld->cfg->cameras_path == NULL && !seen_refused(cfg_conf_seen(ld, "inventory", "cameras")))
        cfg_ld_err(ld, ld->cfg->path, 0, "cameras", "[inventory] cameras is required");
}

static void rtsp_check(struct load *ld)
{
    const struct cfg_rtsp *r = &ld->cfg->rtsp;
    const struct cfg_seen *iv = cfg_conf_seen(ld, "probe.rtsp", "interval");
    const struct cfg_seen *to = cfg_conf_seen(ld, "probe.rtsp", "timeout");

    if (seen_refused(iv) || seen_refused(to) || r->timeout_ms < r->interval_ms)
        return;
    cfg_ld_err(ld, ld->cfg->path,
               to != NULL   ? to->line
               : iv != NULL ? iv->line
                            : 0,
               "timeout", "must be shorter than interval (%lld ms >= %lld ms)",
               (long long)r->timeout_ms, (long long)r->interval_ms);
}

/* The timeout defaults from the sample, and bounds the sample with the opening. */
static void stream_check(struct load *ld)
{
    struct cfg_stream *st = &ld->cfg->stream;
    const struct cfg_seen *sample = cfg_conf_seen(ld, "probe.stream", "sample");
    const struct cfg_seen *to = cfg_conf_seen(ld, "probe.stream", "timeout");

    if (st->timeout_ms == 0) /* not given, or refused: both bounded, so this cannot overflow */
        st->timeout_ms = st->sample_ms + CFG_STREAM_TIMEOUT_SLACK_MS;
    else if (!seen_refused(sample) && st->timeout_ms <= st->sample_ms)
        cfg_ld_err(ld, ld->cfg->path, to != NULL ? to->line : 0, "timeout",
                   "must be longer than sample (%lld ms <= %lld ms): it bounds opening the "
                   "stream and the sample together",
                   (long long)st->timeout_ms, (long long)st->sample_ms);
}

/* The unix socket's path, made absolute, must fit a sockaddr_un. The lines of listen, socket
 * and tokens are kept: a bind refused, or a tokens file that cannot be read, at run time names
 * them. */
static void http_check(struct load *ld)
{
    const struct cfg_seen *sock = cfg_conf_seen(ld, "http", "socket");
    const struct cfg_seen *listen = cfg_conf_seen(ld, "http", "listen");
    const struct cfg_seen *tokens = cfg_conf_seen(ld, "http", "tokens");
    const char *p = ld->cfg->http_socket;

    ld->cfg->http_listen_line = listen != NULL ? listen->line : 0;
    ld->cfg->http_socket_line = sock != NULL ? sock->line : 0;
    ld->cfg->http_tokens_line = tokens != NULL ? tokens->line : 0;

    if (p != NULL && !seen_refused(sock) && strlen(p) > CFG_HTTP_SOCKET_MAX)
        cfg_ld_err(ld, ld->cfg->path, sock != NULL ? sock->line : 0, "socket",
                   "%s is longer than a unix socket path may be (%d bytes)", p,
                   CFG_HTTP_SOCKET_MAX);
}

/* ---- the file ----------------------------------------------------------------------- */

int cfg_conf_tokens_known(const struct load *ld)
{
    const struct cfg_seen *tokens = cfg_conf_seen(ld, "http", "tokens");

    if (!ld->conf_read)
        return 0;
    if (tokens != NULL)
        return !tokens->refused && !tokens->twice;
    return ld->conf_lost == 0; /* a line not read may have been [http] tokens */
}

void cfg_conf_defaults(struct load *ld)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        cfg_directive_defaults(ld, sections[i].keys, sections[i].n_keys, ld->cfg->dir,
                               (char *)ld->cfg + sections[i].base);
}

int cfg_conf_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct stat st;
    FILE *fp;

    /* A folder opens and reads as empty: it would be told "[inventory] cameras is required". */
    if (stat(cfg->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cfg_ld_err(ld, cfg->path, 0, NULL, "is a folder, not a configuration file");
        return -1;
    }
    if ((fp = fopen(cfg->path, "r")) == NULL) {
        cfg_ld_err(ld, cfg->path, 0, NULL, "cannot read: %s", strerror(errno));
        return -1;
    }
    /* Nothing in it at all (a file made but never filled, a copy that failed): said as such,
     * not as its first missing key. */
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
        cfg_ld_err(ld, cfg->path, 0, NULL,
                   "empty file: a configuration needs at least [inventory] cameras = FILE "
                   "(README: Configure real cameras)");
        fclose(fp);
        return -1;
    }
    ld->conf_lost = cfg_ini_parse(fp, cfg->path, ld, conf_on_section, conf_on_key);
    ld->conf_read = 1;
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (sections[i].check != NULL)
            sections[i].check(ld);
    for (size_t k = 0; k < N_NAMED_KINDS; k++)
        named_kinds[k]->build(ld, &ld->named[k]);
    return 0;
}

void cfg_conf_forget(struct load *ld)
{
    for (size_t i = 0; i < ld->n_seen; i++) {
        free(ld->seen[i].section);
        free(ld->seen[i].key);
        free(ld->seen[i].value);
    }
    free(ld->seen);
    ld->seen = NULL;
    ld->n_seen = ld->seen_cap = 0;
    for (size_t k = 0; k < N_NAMED_KINDS; k++) {
        struct cfg_named_list *l = &ld->named[k];
        for (size_t i = 0; i < l->n; i++) {
            free(l->v[i].name);
            cfg_directive_free(named_kinds[k]->keys, named_kinds[k]->n_keys, l->v[i].v);
            free(l->v[i].v);
        }
        free(l->v);
        l->v = NULL;
        l->n = 0;
    }
}

void cfg_conf_free(struct cfg *cfg)
{
    cfg_alerts_forget(&cfg->alerts);
    for (size_t i = 0; i < N_SECTIONS; i++)
        cfg_directive_free(sections[i].keys, sections[i].n_keys, (char *)cfg + sections[i].base);
    for (size_t i = 0; i < cfg->n_owners; i++) {
        free(cfg->owners[i].code);
        free(cfg->owners[i].name);
    }
    free(cfg->owners);
}
