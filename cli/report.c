/* report.c - `camwatch report availability|backlog|merge`: a report document built once
 * (index/doc.h: doc_availability, doc_backlog, doc_province) and rendered (report/report.h)
 * as JSON, CSV, XLSX or HTML in Vietnamese or English, to stdout or, whole or not at all, to
 * a file. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report/report.h"
#include "../util/cwtime.h"
#include "cli.h"

#define REPORT_OPTS (CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_FORMAT | CLI_OPT_LANG | CLI_OPT_OUTPUT)

static const char usage[] =
    "usage: camwatch [-c FILE] report availability|backlog [--from TIME] [--to TIME]\n"
    "                [--format json|csv|xlsx|html] [--lang vi|en] [-o FILE]\n"
    "       camwatch [-c FILE] report merge FILE.json... [--format ...] [--lang ...] [-o FILE]\n"
    "  availability  each camera's availability, outages, downtime and repair time over the\n"
    "                range, per owner, per commune and for the district\n"
    "  backlog       the cameras needing work, what each needs and what it costs, ranked,\n"
    "                with totals per owner: what the district sends the province\n"
    "  merge         several districts' backlogs (made with --format json) summed into one\n"
    "                province summary\n"
    "  --from TIME   start (default: the first of this month, 00:00 local)\n"
    "  --to TIME     end, not included (default: now): --to 2026-12-01 covers all of November\n"
    "  -f, --format  json, csv (the detail table, UTF-8 with BOM), xlsx (to -o FILE or a pipe,\n"
    "                not a terminal) or html (default: from the -o name's extension, else json)\n"
    "  --lang LANG   vi or en (default: [site] language)\n"
    "  -o FILE       write FILE (mode 0640, replaced whole) instead of stdout\n"
    "  The backlog is refused, nothing written (exit status 2), while the inventory has a\n"
    "  problem (camwatchd -c FILE --check-config lists them): a camera whose row has one would\n"
    "  lose its priority and the findings of its class.\n"
    "  TIME is YYYY-MM-DD[ HH:MM[:SS]] in the site's zone, ISO 8601 with Z or +HH:MM, now,\n"
    "  or relative: -7d, -2h.\n";

/* The format from --format, else the output's extension, else JSON. An extension that is no
 * format's (report.pdf) is refused rather than given JSON under that name. */
static int pick_format(const struct cli_args *a, enum report_format *fmt)
{
    const char *base = a->output != NULL ? strrchr(a->output, '/') : NULL;
    const char *dot;
    char ext[8];

    base = base != NULL ? base + 1 : a->output;
    dot = base != NULL ? strrchr(base, '.') : NULL;

    if (a->format != NULL) {
        if (report_format_parse(a->format, fmt) != 0)
            return cli_usage_error(a->cmd, "--format takes json, csv, xlsx or html, not '%s'",
                                   a->format);
        return 0;
    }
    *fmt = REPORT_JSON;
    if (dot == NULL || dot == base) /* no extension (a hidden name's dot is not one) */
        return 0;
    snprintf(ext, sizeof(ext), "%s", dot + 1); /* b.HTML as b.html */
    for (char *p = ext; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    if (report_format_parse(ext, fmt) != 0)
        return cli_usage_error(a->cmd,
                               "-o %s: '%s' is not a format's extension (json, csv, xlsx, "
                               "html); name the format with --format",
                               a->output, dot);
    return 0;
}

/* Render doc (its reference taken) as a asks; returns the exit code. */
static int emit(const struct cli *cli, const struct cli_args *a, json_t *doc)
{
    enum report_format fmt;
    enum report_lang lang;
    const char *lang_name = a->lang != NULL ? a->lang : cli->cfg->language;
    struct cw_err err;
    int rc;

    if ((rc = pick_format(a, &fmt)) != 0)
        goto done;
    if (report_lang_parse(lang_name, &lang) != 0) {
        rc = cli_usage_error(a->cmd, "--lang takes vi or en, not '%s'", lang_name);
        goto done;
    }
    if (a->output == NULL || strcmp(a->output, "-") == 0) {
        if (fmt == REPORT_XLSX && isatty(STDOUT_FILENO)) {
            rc = cli_usage_error(a->cmd, "an XLSX workbook goes to a file: give -o FILE.xlsx");
            goto done;
        }
        rc = report_render(doc, fmt, lang, stdout, &err) != 0 ? cli_fail(&err) : 0;
    } else if (report_write(doc, fmt, lang, a->output, &err) != 0) {
        rc = cli_fail(&err);
    } else {
        fprintf(stderr, "camwatch: wrote %s\n", a->output);
        rc = 0;
    }
done:
    json_decref(doc);
    return rc;
}

/* The range read, then ready (NULL: nothing; else it judges the inventory and opens the
 * store), then the document built and rendered. */
static int run_doc(struct cli *cli, const struct cli_args *a,
                   int (*build)(const struct doc_ctx *c, int64_t from_ms, int64_t to_ms,
                                int64_t now_ms, json_t **out, struct cw_err *err),
                   int (*ready)(struct cli *cli))
{
    int64_t from_ms, to_ms;
    struct cw_err err;
    json_t *doc = NULL;
    int rc;

    if ((rc = cli_range(cli, a, &from_ms, &to_ms)) != 0)
        return rc;
    if (from_ms == to_ms)
        return cli_usage_error(a->cmd, "the range is empty: --from equals --to");
    if (ready != NULL && (rc = ready(cli)) != 0)
        return rc;
    if (build(&cli->doc, from_ms, to_ms, cw_now_ms(), &doc, &err) != 0)
        return cli_fail(&err);
    return emit(cli, a, doc);
}

static int run_availability(struct cli *cli, const struct cli_args *a)
{
    return run_doc(cli, a, doc_availability, NULL);
}

/* The backlog takes each camera's priority (its road, site kind, the border words of its name,
 * address or notes) and the limits of its class from its inventory row, and the reader's load
 * leaves a row with a problem out: that camera would go to the province at priority 2 without
 * the findings of its class, and nobody could tell. So, as a request for a place: with any
 * problem, refused, each one named, nothing written (not even -o's file). */
static int backlog_ready(struct cli *cli)
{
    int rc = cli_refuse_inventory(
        cli, "report backlog", "nothing written",
        "the backlog takes each camera's priority (national road, market, border) and the limits "
        "of its class from its row: those cameras would go to the province at priority 2, "
        "without the findings of their class",
        "make the report again");

    return rc != 0 ? rc : cli_open_store(cli, STORE_READONLY);
}

static int run_backlog(struct cli *cli, const struct cli_args *a)
{
    int rc = cli_load_config(cli);

    return rc != 0 ? rc : run_doc(cli, a, doc_backlog, backlog_ready);
}

static int run_merge(struct cli *cli, const struct cli_args *a)
{
    struct doc_district *in = calloc((size_t)a->argc + 1, sizeof(*in));
    json_t *doc = NULL;
    struct cw_err err;
    int rc = 0;

    if (in == NULL)
        cli_die_oom();
    if (a->argc == 0) {
        free(in);
        return cli_usage_error(a->cmd, "expects the districts' backlogs: FILE.json...");
    }
    for (int i = 0; i < a->argc && rc == 0; i++) {
        json_error_t je;
        in[i].file = a->argv[i];
        in[i].doc = json_load_file(a->argv[i], JSON_REJECT_DUPLICATES, &je);
        if (in[i].doc == NULL) {
            if (je.line > 0)
                fprintf(stderr, "camwatch: %s:%d: %s\n", a->argv[i], je.line, je.text);
            else /* not opened, or not read: no line to name */
                fprintf(stderr, "camwatch: %s: %s\n", a->argv[i], je.text);
            rc = EXIT_RUNTIME;
        }
    }
    if (rc == 0 && doc_province(&cli->doc, in, (size_t)a->argc, cw_now_ms(), &doc, &err) != 0)
        rc = cli_fail(&err);
    for (int i = 0; i < a->argc; i++)
        json_decref((json_t *)in[i].doc);
    free(in);
    return rc != 0 ? rc : emit(cli, a, doc);
}

static const struct cli_command availability_cmd = {
    "report availability", usage, REPORT_OPTS, 0,   NULL, CLI_OPEN_READONLY, NULL,
    run_availability,      NULL,  NULL,        NULL};
/* Loads the conf and opens the store itself, once the inventory is judged (backlog_ready). */
static const struct cli_command backlog_cmd = {
    "report backlog", usage, REPORT_OPTS, 0,   NULL, CLI_OPEN_NOTHING, NULL,
    run_backlog,      NULL,  NULL,        NULL};
static const struct cli_command merge_cmd = {
    "report merge", usage,     CLI_OPT_FORMAT | CLI_OPT_LANG | CLI_OPT_OUTPUT,
    CLI_NARGS_ANY,  NULL,      CLI_OPEN_CONFIG,
    NULL,           run_merge, NULL,
    NULL,           NULL};

static int run(struct cli *cli, const struct cli_args *a)
{
    static const struct cli_command *const subs[] = {&availability_cmd, &backlog_cmd, &merge_cmd};

    return cli_dispatch(cli, a, subs, sizeof(subs) / sizeof(subs[0]));
}

const struct cli_command cli_report_command = {"report", usage, 0,    -1,   NULL, CLI_OPEN_NOTHING,
                                               NULL,     run,   NULL, NULL, NULL};
