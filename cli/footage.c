/* footage.c - the camwatch footage commands: `footage find` (which cameras saw a place over a
 * time range, and what footage of it is left: windows, gaps, states, clock, expiry), `footage
 * scan` (scan the recorders now, in the foreground) and `footage recorders` (each recorder's
 * last scan), rendered from the footage documents (index/doc_footage.c). Also the reading of a
 * place and a range from the command line, which `request create` shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../daemon/recsrc.h"
#include "../index/footage.h"
#include "../probes/stream.h"
#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define FOOTAGE_NAME_MAX 28 /* camera names cut to this many columns */

#define PLACE_HELP                                                                                 \
    "  --from TIME --to TIME   the range, local time in the site's zone (YYYY-MM-DD HH:MM[:SS],\n" \
    "                          ISO 8601 with Z or +HH:MM, now, -2h); seconds may take a\n"         \
    "                          fraction (07:25:00.500, as an export's manifest writes)\n"          \
    "  and one place:\n"                                                                           \
    "  --near LAT,LON          cameras within --radius METRES (default 500) of a point,\n"         \
    "                          nearest first\n"                                                    \
    "  --place TEXT            cameras whose name, address, road or commune holds TEXT, case\n"    \
    "                          and diacritics aside (\"cho lai vung\" finds \"Chợ Lai Vung\")\n" \
    "  --camera ID             these cameras (repeat, or ID,ID,...)\n"

static const char find_usage[] =
    "usage: camwatch [-c FILE] footage find --from TIME --to TIME\n"
    "                (--near LAT,LON [--radius M] | --place TEXT | --camera ID[,ID...]) [--json]\n"
    "  Which cameras saw a place over a time range and what footage of it is still there:\n"
    "  windows of footage and gaps (not indexed, overwritten, not recorded, unreadable,\n"
    "  before recorder's oldest footage), each camera's state when the range began,\n"
    "  its clock offset, and until about when the footage stays retrievable, with a warning\n"
    "  when that is within [footage] warn_before. A range covers at most 31 days and begins\n"
    "  at most an hour after now (a recorder's clock may run ahead).\n"
    "  \"not indexed\": camwatch cannot tell (no recorder, its recorder not configured or not\n"
    "  scanned without error, or the time is after what its last good scan saw); \"not\n"
    "  recorded\": a good scan of the recorder found nothing; \"overwritten\": the store saw\n"
    "  footage there that is gone; \"before recorder's oldest footage\": older than anything\n"
    "  the recorder holds, never seen: unknown. A camera moved to another recorder keeps its\n"
    "  older footage on the old one, which speaks for it by its own scans.\n" PLACE_HELP
    "  --json                  print a JSON array of cameras\n";

static const char scan_usage[] =
    "usage: camwatch [-c FILE] footage scan [--recorder NAME] [--full | --reattribute]\n"
    "                                      [--progress] [--json]\n"
    "  Scan the recorders now, in the foreground, as the daemon does every [footage]\n"
    "  scan_interval: only folders whose mtime changed are read, and the files in them that\n"
    "  are new or changed; files gone (overwritten) leave the index. New and changed files\n"
    "  are the camera cameras.csv names now; a file still there unchanged keeps the camera it\n"
    "  was indexed for (a camera moved to another recorder, or its row removed, keeps its\n"
    "  older footage on the old one until that recorder deletes it).\n"
    "  --recorder NAME  only this [recorder NAME]\n"
    "  --full           read every folder, whatever its mtime says\n"
    "  --reattribute    --full, and every file is the camera cameras.csv (its channel map,\n"
    "                   the recorder's pattern) names now, the unchanged ones too; files it\n"
    "                   names no camera for leave the index. To correct a wrong channel map\n"
    "                   or pattern; not after moving cameras (their older footage would be\n"
    "                   given to whoever has their channel now)\n"
    "  --progress       say how far a long scan is, on stderr\n"
    "  --json           print a JSON array, one object per recorder\n"
    "  Refused, with nothing scanned or written, when cameras.csv has no cameras or the\n"
    "  inventory has a problem (camwatchd -c FILE --check-config lists them): the new files\n"
    "  of a camera the scan does not know would stay out of the index.\n"
    "  Exit status 1 when a recorder could not be scanned, 2 when the scan is refused.\n";

static const char recorders_usage[] =
    "usage: camwatch [-c FILE] footage recorders [--json]\n"
    "  Each recorder's last scan (when it began, whether it worked, why not) and what the\n"
    "  index holds of it: segments, unreadable ones, bytes.\n"
    "  --json          print a JSON array\n";

int cli_footage_query(const struct cli *cli, const struct cli_args *a, struct doc_footage_query *q,
                      struct cw_err *err)
{
    /* --camera "" is a list of no camera, for doc_footage_check to refuse as --camera's */
    const struct doc_footage_words w = {
        a->from, a->to, a->near, a->radius, a->place, a->have_cameras ? a->camera_list : NULL};

    return doc_footage_query_read(&w, cli->tz, cw_now_ms(), q, err) != 0 ? DOC_BAD_INPUT : 0;
}

/* ---- rendering a footage answer (find, request show) ---- */

static void fmt_span_ms(char *buf, size_t len, int64_t ms)
{
    int64_t s = ms / 1000;

    if (s >= 3600)
        snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
}

/* How much of the camera's range is in gaps "not indexed" (the document's gaps). */
static int64_t unindexed_ms(const json_t *o)
{
    const json_t *g;
    int64_t ms = 0;
    size_t i;

    json_array_foreach(json_object_get(o, "gaps"), i, g)
    {
        if (strcmp(cli_jstr(g, "cause", ""), "not indexed") == 0)
            ms += cli_jint(g, "end_ms") - cli_jint(g, "start_ms");
    }
    return ms;
}

/* The FOOTAGE column: covered of requested, and how much of it is not indexed; "not indexed"
 * alone when none of the range is (camwatch cannot say how much was recorded). */
static void fmt_cover(char *buf, size_t len, const json_t *o)
{
    int64_t covered = cli_jint(o, "covered_ms"), unknown = unindexed_ms(o);
    char a[32], b[32], u[32];

    if (covered == 0 && unknown >= cli_jint(o, "requested_ms")) {
        snprintf(buf, len, "not indexed");
        return;
    }
    fmt_span_ms(a, sizeof(a), covered);
    fmt_span_ms(b, sizeof(b), cli_jint(o, "requested_ms"));
    fmt_span_ms(u, sizeof(u), unknown);
    snprintf(buf, len, "%s of %s%s%s%s", a, b, unknown > 0 ? " (" : "", unknown > 0 ? u : "",
             unknown > 0 ? " not indexed)" : "");
}

static void summary_row(const struct cli *cli, struct cli_table *t, const json_t *o)
{
    char dist[32], clock[32], cover[128], when[64], until[80];
    char *name = cli_table_cut(cli_jstr(o, "name", ""), FOOTAGE_NAME_MAX);

    cli_fmt_opt(dist, sizeof(dist), "%.0f m", cli_jnum(o, "distance_m"), cli_jhas(o, "distance_m"));
    cli_fmt_opt(clock, sizeof(clock), "%+.1f s", (double)cli_jint(o, "clock_offset_ms") / 1000.0,
                cli_jhas(o, "clock_offset_ms"));
    fmt_cover(cover, sizeof(cover), o);
    snprintf(until, sizeof(until), "%s%s",
             cli_jtime(cli, o, "retrievable_until", "-", when, sizeof(when)),
             cli_jhas(o, "warning") ? " !" : "");
    cli_table_add(t, cli_jstr(o, "id", ""), name, dist, cli_jstr(o, "state_then", "unknown"), clock,
                  cover, until);
    free(name);
}

/* o's time at key as the CLI shows it, NULL when it has none. */
static const char *time_or_null(const struct cli *cli, const json_t *o, const char *key, char *buf,
                                size_t len)
{
    return cli_jhas(o, key) ? cli_jtime(cli, o, key, NULL, buf, len) : NULL;
}

/* Why gaps are "not indexed": what the index knows of the camera's recorder (o's index), in the
 * words an export's manifest uses (footage_index_words). A recorder scanned, last time or before
 * a failed scan, is said only when the range runs past what that scan knew (a gap of the range
 * is "not indexed"). */
static void index_line(const struct cli *cli, const json_t *o)
{
    const json_t *ix = json_object_get(o, "index");
    struct footage_index_said w = {footage_index_named(cli_jstr(ix, "state", "")),
                                   cli_jstr(ix, "recorder", ""),
                                   cli_jstr(ix, "error", ""),
                                   NULL,
                                   NULL,
                                   NULL};
    char until[64], scanned[64], ok[64], line[1024];
    /* A camera with no recorder now is spoken for by the recorders holding its footage. */
    int others = json_array_size(json_object_get(ix, "others")) > 0;

    if ((w.index == FOOTAGE_SCAN_FAILED || w.index == FOOTAGE_SCANNED ||
         (w.index == FOOTAGE_NO_RECORDER && others)) &&
        unindexed_ms(o) == 0)
        return;
    w.known_until = time_or_null(cli, ix, "known_until", until, sizeof(until));
    w.scanned_at = time_or_null(cli, ix, "scanned_at", scanned, sizeof(scanned));
    w.ok_at = time_or_null(cli, ix, "ok_at", ok, sizeof(ok));
    footage_index_words(&w, line, sizeof(line));
    printf("  %s%s\n", line,
           w.index == FOOTAGE_NO_RECORDER && others ? "; of its footage, only what the recorders "
                                                      "below hold is indexed"
           : w.index == FOOTAGE_NO_RECORDER || w.index == FOOTAGE_NEVER_SCANNED ||
                   w.index == FOOTAGE_REMOVED || w.index == FOOTAGE_NOT_CONFIGURED
               ? "; gaps are unknown, not unrecorded"
               : "");
}

/* The other recorders holding the camera's footage in the range (it moved, or its row or
 * recorder went: index.others), and up to when the index knows each. */
static void others_lines(const struct cli *cli, const json_t *o)
{
    const json_t *x;
    size_t i;
    char a[64];

    json_array_foreach(json_object_get(json_object_get(o, "index"), "others"), i, x)
        printf("  footage also on recorder %s (%s, known up to %s)\n", cli_jstr(x, "recorder", ""),
               cli_jstr(x, "state", ""), cli_jtime(cli, x, "known_until", "-", a, sizeof(a)));
}

static void details(const struct cli *cli, const json_t *o)
{
    const json_t *w = json_object_get(o, "windows"), *g = json_object_get(o, "gaps"),
                 *u = json_object_get(o, "unreadable"), *x;
    char a[64], b[64];
    size_t i, wi = 0, gi = 0, n;

    printf("\n%s  %s\n", cli_jstr(o, "id", ""), cli_jstr(o, "name", ""));
    /* Windows and gaps in time order. */
    while (wi < json_array_size(w) || gi < json_array_size(g)) {
        const json_t *nw = json_array_get(w, wi), *ng = json_array_get(g, gi);
        int window =
            ng == NULL || (nw != NULL && cli_jint(nw, "start_ms") <= cli_jint(ng, "start_ms"));
        x = window ? nw : ng;
        printf("  %s – %s  %s%s\n", cli_jtime(cli, x, "start", "-", a, sizeof(a)),
               cli_jtime(cli, x, "end", "-", b, sizeof(b)),
               window ? "footage" : "gap: ", window ? "" : cli_jstr(x, "cause", ""));
        if (window)
            wi++;
        else
            gi++;
    }
    json_array_foreach(u, i, x) printf("  unreadable: %s:%s (%s)\n", cli_jstr(x, "recorder", ""),
                                       cli_jstr(x, "file", ""), cli_jstr(x, "reason", ""));
    index_line(cli, o);
    others_lines(cli, o);
    printf("  state then: %s", cli_jstr(o, "state_then", "unknown"));
    if ((n = json_array_size(json_object_get(o, "state_changes"))) > 0)
        printf(" (changed %zu time%s in the range)", n, n == 1 ? "" : "s");
    printf("\n  oldest footage now: %s\n", cli_jtime(cli, o, "oldest", "-", a, sizeof(a)));
    if (cli_jhas(o, "warning"))
        printf("  WARNING: %s\n", cli_jstr(o, "warning", ""));
}

void cli_footage_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"CAMERA", "NAME",    "DISTANCE",         "STATE THEN",
                                        "CLOCK",  "FOOTAGE", "RETRIEVABLE UNTIL"};
    struct cli_table t = {.ncols = 7, .heads = heads, .right = "llrlrrl"};
    const json_t *o;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, o) summary_row(cli, &t, o);
    cli_table_show(&t, "no camera there");
    json_array_foreach(doc, i, o) details(cli, o);
}

static int find_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    struct doc_footage_query q;
    int rc = cli_footage_query(cli, a, &q, err);

    return rc != 0 ? rc : doc_view_run(&cli->doc, &doc_view_footage, &q, out, err);
}

#define FIND_OPTS                                                                                  \
    (CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_NEAR | CLI_OPT_RADIUS | CLI_OPT_PLACE | CLI_OPT_CAMERAS | \
     CLI_OPT_JSON)
const struct cli_command cli_footage_find_command = {"footage find",
                                                     find_usage,
                                                     FIND_OPTS,
                                                     0,
                                                     "takes no arguments",
                                                     CLI_OPEN_READONLY,
                                                     NULL,
                                                     NULL,
                                                     find_doc,
                                                     cli_footage_render,
                                                     NULL};

/* ---- footage scan ---- */

static void scan_progress(void *data, size_t files, size_t dirs)
{
    fprintf(stderr, "camwatch: %s: %zu files, %zu folders read\n", (const char *)data, files, dirs);
}

/* Write a scan's result (res NULL: the scan failed with error) and its row, a transaction per
 * RECSRC_APPLY_SLICE changes as the daemon writes them: the daemon's batches get in between
 * (one transaction for a whole scan held its loop up, then kept its writes waiting). The row
 * is written with the last slice, so a scan cut short is done again whole next time (folders
 * are written after their files). 0, or -1 with err (the slices before it landed). */
static int scan_write(struct cli *cli, const struct recsrc *r, const struct rec_result *res,
                      const char *error, int64_t now, struct recsrc_tally *tally,
                      struct cw_err *err)
{
    size_t cursor = 0;
    int busy, rc;

    if (r == NULL)
        return 0; /* no source to speak for (its section refused): nothing written */
    /* A lock held past the CLI's busy timeout (5 s) fails the command: it does not wait on. */
    while ((rc = recsrc_write_step(r, cli->store, res, error, &cursor, RECSRC_APPLY_SLICE, now,
                                   tally, &busy, err)) == 0)
        ;
    return rc < 0 ? -1 : 0;
}

/* Scan and write one recorder; fills v (strings borrowed from r or kept in err_buf). */
static void scan_one(struct cli *cli, const struct cli_args *a, const struct cfg_recorder *cr,
                     struct doc_scan *v, char *err_buf, size_t len)
{
    struct recsrc *r = NULL;
    struct rec_result *res = NULL;
    struct cw_err err = {0};
    struct recsrc_tally tally = {0};
    int64_t now = cw_now_ms();

    memset(v, 0, sizeof(*v));
    v->name = cr->name;
    v->kind = cr->kind_name;
    if (recsrc_from_cfg(cr, &r, &err) != 0 ||
        recsrc_scan(r, cli->store,
                    (a->full ? RECSRC_FULL : 0) | (a->reattribute ? RECSRC_REATTRIBUTE : 0), now,
                    NULL, a->progress ? scan_progress : NULL, (void *)cr->name, &res, &err) != 0) {
        snprintf(err_buf, len, "%s", err.msg);
        v->error = err_buf;
    }
    if (scan_write(cli, r, res, v->error, now, &tally, &err) != 0) {
        snprintf(err_buf, len, "%s", err.msg);
        v->error = err_buf;
    }
    v->ok = v->error == NULL;
    if (res != NULL) {
        v->files = res->files_seen;
        v->changed = recsrc_changed(res, &tally); /* not what a network recorder listed again */
        v->gone = res->n_gone;
        v->unreadable = res->unreadable;
        v->unmapped = res->unmapped;
        v->ignored = res->ignored;
        v->kept = res->kept;
        v->dirs_listed = res->dirs_listed;
        v->dirs_skipped = res->dirs_skipped;
    }
    rec_result_free(res);
    recsrc_free(r);
}

static void scan_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"RECORDER", "KIND",       "FILES",        "NEW/CHANGED",
                                        "GONE",     "UNREADABLE", "FOLDERS READ", "ERROR"};
    struct cli_table t = {.ncols = 8, .heads = heads, .right = "llrrrrrl"};
    char f[4][32], folders[48];
    const json_t *o;
    size_t i;

    (void)cli;
    (void)a;
    json_array_foreach(doc, i, o)
    {
        snprintf(f[0], sizeof(f[0]), "%lld", (long long)cli_jint(o, "files"));
        snprintf(f[1], sizeof(f[1]), "%lld", (long long)cli_jint(o, "changed"));
        snprintf(f[2], sizeof(f[2]), "%lld", (long long)cli_jint(o, "gone"));
        snprintf(f[3], sizeof(f[3]), "%lld", (long long)cli_jint(o, "unreadable"));
        snprintf(folders, sizeof(folders), "%lld of %lld", (long long)cli_jint(o, "dirs_listed"),
                 (long long)(cli_jint(o, "dirs_listed") + cli_jint(o, "dirs_skipped")));
        cli_table_add(&t, cli_jstr(o, "name", ""), cli_jstr(o, "kind", ""), f[0], f[1], f[2], f[3],
                      folders, cli_jstr(o, "error", ""));
    }
    cli_table_show(&t, "no recorder scanned");
}

/* A scan leaves out the new files of every camera the inventory does not name (the recorder's
 * file is "unmapped": recorder.h; the ones it knew keep their camera while unchanged), and
 * --reattribute forgets the known ones, and remembers the folders it read, so a later scan with
 * the right sheet does not bring them back. The reader's load leaves out the rows with a
 * problem, and takes a cameras.csv of the header alone: refuse to scan with either. Returns 0,
 * or EXIT_USAGE after saying why. */
static int scan_refused(const struct cli *cli)
{
    const struct cfg *cfg = cli->cfg;
    const char *sheet = cfg->cameras_path != NULL ? cfg->cameras_path : "cameras.csv";
    size_t n = cli->inventory_problems.n;

    if (cfg->n_recorders == 0) /* nothing to scan, nothing to forget */
        return 0;
    if (n > 0)
        fprintf(stderr,
                "camwatch: footage scan: %zu problem%s in %s%s%s (above): the cameras of the "
                "rows with one are left out: a scan would leave their new footage out of the "
                "index, and --reattribute would forget what it holds of them; fix %s (camwatchd -c "
                "%s --check-config) and scan again\n",
                n, n == 1 ? "" : "s", sheet, cfg->credentials_path != NULL ? " or " : "",
                cfg->credentials_path != NULL ? cfg->credentials_path : "", n == 1 ? "it" : "them",
                cli->conf_path);
    else if (cfg->n_cameras == 0)
        fprintf(stderr,
                "camwatch: footage scan: %s has no cameras: a scan would leave every camera's "
                "new footage out of the index, and --reattribute would forget all it holds; "
                "fix the sheet (camwatchd -c %s --check-config) and "
                "scan again\n",
                sheet, cli->conf_path);
    else
        return 0;
    return EXIT_USAGE;
}

static int scan_run(struct cli *cli, const struct cli_args *a)
{
    const struct cfg *cfg = cli->cfg;
    struct doc_scan *v = calloc(cfg->n_recorders ? cfg->n_recorders : 1, sizeof(*v));
    char(*errs)[512] = calloc(cfg->n_recorders ? cfg->n_recorders : 1, sizeof(*errs));
    size_t n = 0;
    json_t *doc = NULL;
    struct cw_err err;
    int rc, failed = 0;

    if (v == NULL || errs == NULL)
        cli_die_oom();
    if (a->recorder != NULL && cfg_find_recorder(cfg, a->recorder) == NULL)
        rc = cli_usage_error(a->cmd, "no [recorder %s] in %s", a->recorder, cfg->path);
    else if ((rc = scan_refused(cli)) == 0) /* before the store is opened: nothing written */
        rc = cli_open_store(cli, STORE_READWRITE);
    /* The conf read is the one in force: recorders gone from it are no longer indexed. */
    if (rc == 0 && store_sync_recorders(cli->store, cfg, cw_now_ms(), &err) != 0)
        rc = cli_fail(&err);
    if (rc != 0) {
        free(v);
        free(errs);
        return rc;
    }
    if (cfg->n_recorders == 0)
        fprintf(stderr, "camwatch: no [recorder NAME] section in %s: nothing to scan\n", cfg->path);
    stream_global_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (size_t i = 0; i < cfg->n_recorders; i++) {
        if (a->recorder != NULL && strcmp(a->recorder, cfg->recorders[i].name) != 0)
            continue;
        scan_one(cli, a, &cfg->recorders[i], &v[n], errs[n], sizeof(errs[n]));
        failed |= !v[n].ok;
        n++;
    }
    rc = doc_scans(&cli->doc, v, n, &doc, &err);
    rc = cli_show(cli, a, rc, doc, &err, scan_render);
    free(v);
    free(errs);
    curl_global_cleanup();
    return rc == 0 && failed ? EXIT_RUNTIME : rc;
}

/* Opens the store itself, once the inventory is checked. */
#define SCAN_OPTS                                                                                  \
    (CLI_OPT_RECORDER | CLI_OPT_FULL | CLI_OPT_REATTRIBUTE | CLI_OPT_PROGRESS | CLI_OPT_JSON)
const struct cli_command cli_footage_scan_command = {
    "footage scan", scan_usage, SCAN_OPTS, 0,   "takes no arguments", CLI_OPEN_CONFIG, NULL,
    scan_run,       NULL,       NULL,      NULL};

/* ---- footage recorders ---- */

static int recorders_doc(struct cli *cli, const struct cli_args *a, json_t **out,
                         struct cw_err *err)
{
    (void)a;
    return doc_recorders(&cli->doc, out, err);
}

static void recorders_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"RECORDER", "KIND",       "LAST SCAN", "OK",
                                        "SEGMENTS", "UNREADABLE", "GB",        "ERROR"};
    struct cli_table t = {.ncols = 8, .heads = heads, .right = "lllrrrrl"};
    char at[64], seg[32], bad[32], gb[32];
    const json_t *o;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, o)
    {
        snprintf(seg, sizeof(seg), "%lld", (long long)cli_jint(o, "segments"));
        snprintf(bad, sizeof(bad), "%lld", (long long)cli_jint(o, "unreadable"));
        snprintf(gb, sizeof(gb), "%.1f", (double)cli_jint(o, "bytes") / 1e9);
        cli_table_add(&t, cli_jstr(o, "name", ""), cli_jstr(o, "kind", ""),
                      cli_jtime(cli, o, "scanned_at", "-", at, sizeof(at)),
                      json_is_true(json_object_get(o, "ok")) ? "yes" : "no", seg, bad, gb,
                      cli_jstr(o, "error", ""));
    }
    cli_table_show(&t, "no recorder scanned yet");
}

const struct cli_command cli_footage_recorders_command = {
    "footage recorders",  recorders_usage,   CLI_OPT_JSON, 0,
    "takes no arguments", CLI_OPEN_READONLY, NULL,         NULL,
    recorders_doc,        recorders_render,  NULL};
