/* status.c - `camwatch status`: every camera's current state with its last probe's and last
 * sample's facts, as the status document (index/doc_status.c) has them, filtered there; or with
 * --daemon the daemon's own health (index/doc_daemon.c). A table or the document on stdout.
 * When the daemon's last reload was refused (doc_daemon's config), one line says so, and one
 * more while a reload waits for another writer's lock on the store (config.pending): the
 * table's last lines, or on stderr beside --json. When the daemon is not running (doc_daemon's
 * running, what --daemon shows as NOT RUNNING), a warning on stderr says the states may be
 * stale, beside the table and beside --json alike; not after a `camwatchd --once` run that
 * finished (--daemon: "last --once run at"), the way a timer runs it, unless that run is over
 * a day old. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define NAME_COL_MAX 20 /* longer names are cut with an ellipsis, display columns */
#define N_STATES 5      /* enum cw_state values */

static const char usage[] =
    "usage: camwatch [-c FILE] status [--owner CODE] [--commune NAME] [--state STATE]\n"
    "                                 [--flag NAME] [--json]\n"
    "       camwatch [-c FILE] status --daemon [--json]\n"
    "  Current state of every camera, with the last probe's facts and the last stream\n"
    "  sample's: FPS as measured, KBPS (bitrate, kbit/s) and FLAGS (picture and stream faults).\n"
    "  --owner CODE    only this owner's cameras (e.g. CAH)\n"
    "  --commune NAME  only cameras in this commune; without diacritics it matches any\n"
    "  --state STATE   only cameras in STATE: up, degraded, down, unknown, maintenance\n"
    "                  (filters' words in any case: --state DOWN, --owner cah)\n"
    "  --flag NAME     only cameras whose last sample has flag NAME: no_media, low_res,\n"
    "                  low_fps, low_bitrate, long_gop, ts_faults, dark, black, overexposed,\n"
    "                  blurred, frozen, moved, sdp_mismatch\n"
    "  --daemon        the daemon's own health instead: whether it runs, how late its loop\n"
    "                  runs timers, how long store writes take, whether the store takes them,\n"
    "                  how well probes keep their interval, how long a round of samples takes,\n"
    "                  and the configuration it runs on (a refused reload with its problems)\n"
    "  --json          print the JSON document\n";

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

/* The reason, after what a recovering camera has shown so far: "recovering: 1 of 2 good
 * answers; slow answer: 3941 ms (limit 2000 ms)", so a fresh latency beside an old reason
 * reads right. */
static void fmt_reason(const json_t *o, char *buf, size_t len)
{
    const json_t *r = json_object_get(o, "recovering");
    const char *reason = cli_jstr(o, "reason", "");

    if (!json_is_object(r)) {
        snprintf(buf, len, "%s", reason);
        return;
    }
    snprintf(buf, len, "recovering: %lld of %lld %s%s%s", (long long)cli_jint(r, "good"),
             (long long)cli_jint(r, "needed"),
             strcmp(cli_jstr(o, "state", ""), "down") == 0 ? "answers" : "good answers",
             reason[0] ? "; " : "", reason);
}

static void table_row(const struct cli *cli, struct cli_table *t, const json_t *o)
{
    char since[64], lat[32], res[32], fps[32], kbps[32], reason[512];
    char *name = cli_table_cut(cli_jstr(o, "name", ""), NAME_COL_MAX);
    char *flags = cli_jjoin(o, "flags", ',');

    fmt_since_short(cli, cli_jint(o, "since_ms"), since, sizeof(since));
    /* The table shows a measured rate only: the SDP's claim is in the document's fps only
     * while there is no sample. */
    cli_fmt_opt(fps, sizeof(fps), "%.1f", cli_jnum(o, "fps"),
                cli_jhas(o, "last_sample_ms") && cli_jhas(o, "fps"));
    cli_fmt_opt(kbps, sizeof(kbps), "%.0f", cli_jnum(o, "bitrate_kbps"),
                cli_jhas(o, "bitrate_kbps"));
    if (cli_jhas(o, "latency_ms"))
        snprintf(lat, sizeof(lat), "%lld ms", (long long)cli_jint(o, "latency_ms"));
    else
        snprintf(lat, sizeof(lat), "-");
    cli_jres(o, res, sizeof(res));
    fmt_reason(o, reason, sizeof(reason));
    cli_table_add(t, cli_jstr(o, "id", ""), name, cli_jstr(o, "owner", ""),
                  cli_jstr(o, "state", ""), since, lat, res, fps, kbps, flags[0] ? flags : "-",
                  reason);
    free(flags);
    free(name);
}

/* ---- --daemon, and the daemon's last reload ---- */

/* One line when the daemon runs and its last reload was refused (doc_daemon's config): when,
 * the first problem and how many more, what it runs on and what to do; nothing otherwise. */
static void print_refused_reload(const struct cli *cli, const json_t *daemon, FILE *out)
{
    const json_t *cfg = json_object_get(daemon, "config");
    char why[1200], at[64], ok_at[64];

    if (!json_is_true(json_object_get(daemon, "running")) ||
        !doc_daemon_refusal(cfg, why, sizeof(why)))
        return;
    cw_format_local(cli_jint(cfg, "at_ms"), cli->tz, at, sizeof(at));
    cw_format_local(cli_jint(cfg, "ok_ms"), cli->tz, ok_at, sizeof(ok_at));
    fprintf(out,
            "camwatchd: RELOAD REFUSED at %s: %s; it runs on the configuration loaded at %s. "
            "Fix the file, then reload (systemctl reload camwatchd); `camwatchd -c %s "
            "--check-config` checks it without reloading\n",
            at, why, ok_at, cli->conf_path);
}

/* One line, after lead, when the daemon runs and a reload waits for another writer's lock on
 * the store (doc_daemon's config.pending): since when, whose lock, that the new configuration
 * is not in force yet; nothing otherwise. */
static void print_pending_reload(const struct cli *cli, const json_t *daemon, const char *lead,
                                 FILE *out)
{
    char why[512];

    if (json_is_true(json_object_get(daemon, "running")) &&
        doc_daemon_pending(&cli->doc, json_object_get(daemon, "config"), why, sizeof(why)))
        fprintf(out, "%s%s\n", lead, why);
}

/* Under the table or beside --json: the lines above when the daemon keeping this store says
 * so (to out), and a warning on stderr when it is not running, by the judgment --daemon shows
 * as NOT RUNNING (doc_daemon's running), for then the states are only as of its last probes.
 * A store no daemon has run on yet (no vitals), or whose last writer was a `camwatchd --once`
 * run that finished (doc_daemon's once_finished), is neither; but a finished --once run over a
 * day old (doc_daemon's once_stale) is warned of, with when it finished. */
static void note_daemon(const struct cli *cli, FILE *out)
{
    json_t *daemon = NULL;
    struct cw_err err;
    char seen[64];

    if (doc_daemon(&cli->doc, &daemon, &err) == 0) {
        /* A --once run that finished is how its user runs camwatchd, from a timer: its states
         * are as fresh as that timer makes them, and nothing is missing; unless it is over a
         * day old (doc_daemon's once_stale): no run has finished since. */
        if (json_is_true(json_object_get(daemon, "once_stale"))) {
            cw_format_local(cli_jint(daemon, "once_finished_ms"), cli->tz, seen, sizeof(seen));
            fprintf(stderr,
                    "camwatch: warning: the last camwatchd --once run finished at %s: these "
                    "states are as of it\n",
                    seen);
        } else if (!json_is_true(json_object_get(daemon, "running")) &&
                   !cli_jhas(daemon, "once_finished_ms")) {
            cw_format_local(cli_jint(daemon, "written_ms"), cli->tz, seen, sizeof(seen));
            fprintf(stderr,
                    "camwatch: warning: camwatchd is not running (last seen %s): these states "
                    "are as of its last probes\n",
                    seen);
        }
        print_refused_reload(cli, daemon, out);
        print_pending_reload(cli, daemon, "camwatchd: reload ", out);
    }
    json_decref(daemon);
}

/* --daemon: a reload not in force yet, the configuration it runs on, and a refused reload. */
static void render_config(const struct cli *cli, const json_t *doc)
{
    const json_t *cfg = json_object_get(doc, "config"), *f;
    char at[64];
    size_t i;

    if (!json_is_object(cfg))
        return;
    /* A reload waiting for the store's lock: the configuration below is still the one in
     * force. Its outcome, when it comes, shows as any reload's. */
    print_pending_reload(cli, doc, "reload:   ", stdout);
    if (json_is_false(json_object_get(cfg, "ok"))) {
        print_refused_reload(cli, doc, stdout);
        return;
    }
    cw_format_local(cli_jint(cfg, "ok_ms"), cli->tz, at, sizeof(at));
    printf("config:   loaded at %s (%s), from", at,
           strcmp(cli_jstr(cfg, "kind", ""), "start") == 0 ? "at start" : "a reload");
    json_array_foreach(json_object_get(cfg, "files"), i, f)
    {
        const char *name = strrchr(cli_jstr(f, "file", ""), '/');
        if (cli_jhas(f, "mtime_ms"))
            cw_format_local(cli_jint(f, "mtime_ms"), cli->tz, at, sizeof(at));
        printf("%s %s as of %s", i ? "," : "", name ? name + 1 : cli_jstr(f, "file", ""),
               cli_jhas(f, "mtime_ms") ? at : "(none)");
    }
    printf("\n");
}

/* "42 s", "21 min", "3.3 h" */
static void fmt_span(double s, char *buf, size_t len)
{
    if (s < 120)
        snprintf(buf, len, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, len, "%.0f min", s / 60);
    else
        snprintf(buf, len, "%.1f h", s / 3600);
}

static void render_probes(const json_t *p)
{
    const json_t *slots = json_object_get(p, "slots"), *smp = json_object_get(p, "samples");
    char round[32], last[32];

    if (!json_is_object(p))
        return;
    printf("probes:   every %.0f s; the oldest %.1f s ago (over the last minute or two); "
           "%lld of %lld started late (1 s or more after due, at most %.1f s)\n",
           cli_jnum(p, "interval_ms") / 1000.0, cli_jnum(p, "oldest_ms") / 1000.0,
           (long long)cli_jint(p, "late"), (long long)cli_jint(p, "started"),
           cli_jnum(p, "late_max_ms") / 1000.0);
    printf("          %lld in flight (%lld of cameras failing), %lld waiting; %lld slots now "
           "(%lld to %lld); %lld down cameras on their backoff\n",
           (long long)cli_jint(p, "in_flight"), (long long)cli_jint(p, "in_flight_bad"),
           (long long)cli_jint(p, "queued"), (long long)cli_jint(slots, "now"),
           (long long)cli_jint(slots, "floor"), (long long)cli_jint(slots, "ceiling"),
           (long long)cli_jint(p, "backing_off"));
    if (cli_jnum(smp, "round_s") <= 0) {
        printf("samples:  off\n");
        return;
    }
    fmt_span(cli_jnum(smp, "round_s"), round, sizeof(round));
    if (cli_jnum(smp, "last_round_s") > 0)
        fmt_span(cli_jnum(smp, "last_round_s"), last, sizeof(last));
    else
        snprintf(last, sizeof(last), "none yet");
    if (cli_jnum(smp, "budget_pct") > 0)
        printf("samples:  a round of every camera takes %s within a budget of %g%% of one core "
               "(%.0f ms of CPU a sample); last round: %s\n",
               round, cli_jnum(smp, "budget_pct"), cli_jnum(smp, "cpu_ms"), last);
    else
        printf("samples:  every camera every %s, no budget (%.0f ms of CPU a sample)\n", round,
               cli_jnum(smp, "cpu_ms"));
}

static void render_daemon(const struct cli *cli, const json_t *doc)
{
    const json_t *loop = json_object_get(doc, "loop"), *store = json_object_get(doc, "store");
    const json_t *states = json_object_get(doc, "states");
    char head[512], since[64];

    doc_daemon_headline(&cli->doc, doc, head, sizeof(head));
    printf("%s\n", head);
    printf("loop:     timers %.1f ms late now, %.1f ms at most and %.1f ms on average over "
           "%lld s\n",
           cli_jnum(loop, "lag_ms"), cli_jnum(loop, "lag_max_ms"), cli_jnum(loop, "lag_mean_ms"),
           (long long)cli_jint(loop, "window_s"));
    if (json_is_true(json_object_get(store, "writable"))) {
        printf("store:    writable; last write %.1f ms, %.1f ms at most over the last minute; "
               "%lld transactions, %lld writes pending, %lld lost\n",
               cli_jnum(store, "write_ms"), cli_jnum(store, "write_max_ms"),
               (long long)cli_jint(store, "commits"), (long long)cli_jint(store, "pending"),
               (long long)cli_jint(store, "dropped"));
    } else {
        cw_format_local(cli_jint(store, "failing_since_ms"), cli->tz, since, sizeof(since));
        printf("store:    NOT WRITABLE since %s (%s): %lld writes kept in memory, retried until "
               "they land; %lld writes lost\n",
               since, cli_jstr(store, "error", ""), (long long)cli_jint(store, "pending"),
               (long long)cli_jint(store, "dropped"));
    }
    printf("resolver: %s\n",
           json_is_true(json_object_get(json_object_get(doc, "resolver"), "async"))
               ? "asynchronous"
               : "BLOCKING: libcurl without AsynchDNS; use addresses in camera URLs");
    printf("cameras:  %lld: %lld up, %lld degraded, %lld down, %lld unknown, %lld maintenance\n",
           (long long)cli_jint(doc, "cameras"), (long long)cli_jint(states, "up"),
           (long long)cli_jint(states, "degraded"), (long long)cli_jint(states, "down"),
           (long long)cli_jint(states, "unknown"), (long long)cli_jint(states, "maintenance"));
    render_probes(json_object_get(doc, "probes"));
    render_config(cli, doc);
}

static void render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    /* At most about 100 columns before REASON, which may run on; the codec is in --json. */
    static const char *const heads[] = {"ID",  "NAME", "OWNER", "STATE", "SINCE", "LATENCY",
                                        "RES", "FPS",  "KBPS",  "FLAGS", "REASON"};
    struct cli_table t = {.ncols = 11, .heads = heads, .right = "lllllrrrrll"};
    size_t count[N_STATES] = {0}, shown = json_array_size(doc), i;
    enum cw_state st;
    const json_t *o;

    if (a->daemon) {
        render_daemon(cli, doc);
        return;
    }
    json_array_foreach(doc, i, o)
    {
        table_row(cli, &t, o);
        if (cw_state_parse(cli_jstr(o, "state", ""), &st) == 0 && (unsigned)st < N_STATES)
            count[st]++;
    }
    if (shown > 0)
        cli_table_print(&t, stdout);
    cli_table_free(&t);
    printf("%zu camera%s: %zu up, %zu degraded, %zu down, %zu unknown, %zu maintenance\n", shown,
           shown == 1 ? "" : "s", count[CW_UP], count[CW_DEGRADED], count[CW_DOWN],
           count[CW_UNKNOWN], count[CW_MAINTENANCE]);
    note_daemon(cli, stdout);
}

static int owner_known(const struct cfg *cfg, const char *code)
{
    for (size_t i = 0; i < cfg->n_owners; i++)
        if (strcasecmp(cfg->owners[i].code, code) == 0)
            return 1;
    return 0;
}

static int doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    const struct doc_status_filter f = {a->owner, a->commune, a->flag, a->have_state, a->state};

    if (a->daemon) {
        if (a->owner || a->commune || a->flag || a->have_state) {
            cw_err_set(err, NULL, 0, "daemon",
                       "takes no camera filter (--owner, --commune, --state, --flag)");
            return DOC_BAD_INPUT;
        }
        return doc_daemon(&cli->doc, out, err);
    }
    if (a->owner != NULL && !owner_known(cli->cfg, a->owner)) {
        /* Not fatal: a retired owner may still have cameras in the store. */
        fprintf(stderr, "camwatch: note: owner '%s' is not in the configuration\n", a->owner);
    }
    if (a->json)
        note_daemon(cli, stderr); /* the table has it as its last line */
    return doc_view_run(&cli->doc, &doc_view_status, &f, out, err);
}

#define STATUS_OPTS                                                                                \
    (CLI_OPT_OWNER | CLI_OPT_COMMUNE | CLI_OPT_STATE | CLI_OPT_FLAG | CLI_OPT_DAEMON | CLI_OPT_JSON)
const struct cli_command cli_status_command = {
    "status", usage, STATUS_OPTS, 0, NULL, CLI_OPEN_READONLY, NULL, NULL, doc, render, NULL};
