/* uptime.c - `camwatch uptime`: time in each state per camera and per owner over a range,
 * from the uptime document (index/doc_uptime.c): its tables, or the document. */
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define UPTIME_NAME_MAX 24 /* names are cut to this many display columns */
#define N_STATES 5         /* enum cw_state values */

static const char usage[] =
    "usage: camwatch [-c FILE] uptime [--from TIME] [--to TIME] [--by camera|owner] [--json]\n"
    "  Time in each state, computed exactly from state changes; percentages are of the time\n"
    "  each camera existed within the range.\n"
    "  --from TIME     start (default: the first of this month, 00:00 local)\n"
    "  --to TIME       end (default: now; a later one counts up to now)\n"
    "  --by WHAT       only the per-camera or only the per-owner table (default: both)\n"
    "  --json          print a JSON object\n"
    "  TIME is YYYY-MM-DD[ HH:MM[:SS]] in the site's zone, ISO 8601 with Z or +HH:MM, now,\n"
    "  or relative: -7d, -2h.\n";

/* The document's order of the states, as the tables show them. */
static const char *const state_keys[N_STATES] = {"up", "degraded", "down", "unknown",
                                                 "maintenance"};

/* h:mm; hours run past 24. Rounded down to the minute. */
static void fmt_hmm(char *buf, size_t len, int64_t ms)
{
    int64_t min = ms / 60000;

    snprintf(buf, len, "%lld:%02lld", (long long)(min / 60), (long long)(min % 60));
}

/* One row: key, name (cut), third (owner or camera count), then the figures of o. */
static void add_row(struct cli_table *t, const char *key, const char *name, const char *third,
                    const json_t *o)
{
    const json_t *pct = json_object_get(o, "percent");
    char p[N_STATES][16], outages[16], down[32];
    char *cut = cli_table_cut(name, UPTIME_NAME_MAX);

    for (int i = 0; i < N_STATES; i++)
        cli_fmt_opt(p[i], sizeof(p[i]), "%.2f", cli_jnum(pct, state_keys[i]),
                    cli_jhas(pct, state_keys[i]));
    snprintf(outages, sizeof(outages), "%lld", (long long)cli_jint(o, "outages"));
    fmt_hmm(down, sizeof(down), cli_jint(o, "downtime_ms"));
    cli_table_add(t, key, cut, third, p[0], p[1], p[2], p[3], p[4], outages, down);
    free(cut);
}

/* The table of list (cameras or owners), or what to say when it is empty. */
static void print_list(struct cli_table *t, const json_t *list, int owners, const char *none)
{
    const json_t *o;
    char cams[16];
    size_t i;

    json_array_foreach(list, i, o)
    {
        if (owners) {
            snprintf(cams, sizeof(cams), "%lld", (long long)cli_jint(o, "cameras"));
            add_row(t, cli_jstr(o, "owner", ""), cli_jstr(o, "owner_name", ""), cams, o);
        } else {
            add_row(t, cli_jstr(o, "id", ""), cli_jstr(o, "name", ""), cli_jstr(o, "owner", ""), o);
        }
    }
    putchar('\n');
    if (json_array_size(list) > 0)
        cli_table_print(t, stdout);
    else
        puts(none);
    cli_table_free(t);
}

static void render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const cam_heads[] = {"ID",         "NAME",    "OWNER",     "UP %",
                                            "DEGRADED %", "DOWN %",  "UNKNOWN %", "MAINT %",
                                            "OUTAGES",    "DOWNTIME"};
    static const char *const own_heads[] = {"OWNER",      "NAME",    "CAMERAS",   "UP %",
                                            "DEGRADED %", "DOWN %",  "UNKNOWN %", "MAINT %",
                                            "OUTAGES",    "DOWNTIME"};
    struct cli_table ct = {.ncols = 10, .heads = cam_heads, .right = "lllrrrrrrr"};
    struct cli_table ot = {.ncols = 10, .heads = own_heads, .right = "llrrrrrrrr"};
    char from[64], to[64];

    (void)a;
    printf("uptime from %s to %s (%s)\n",
           cw_format_local(cli_jint(doc, "from_ms"), cli->tz, from, sizeof(from)),
           cw_format_local(cli_jint(doc, "to_ms"), cli->tz, to, sizeof(to)), cli->tz);
    if (json_object_get(doc, "cameras") != NULL)
        print_list(&ct, json_object_get(doc, "cameras"), 0, "no cameras in the range");
    if (json_object_get(doc, "owners") != NULL)
        print_list(&ot, json_object_get(doc, "owners"), 1, "no owners in the range");
}

struct range {
    int64_t from_ms, to_ms;
};

static int write_range(struct cli *cli, const struct cli_args *a, void *data, struct doc_out *o,
                       struct cw_err *err)
{
    const struct range *r = data;

    return doc_uptime_write(&cli->doc, r->from_ms, r->to_ms, a->by, o, err);
}

static int run(struct cli *cli, const struct cli_args *a)
{
    struct range r;
    int rc;

    if ((rc = cli_range(cli, a, &r.from_ms, &r.to_ms)) != 0)
        return rc;
    return cli_stream(cli, a, write_range, &r, render);
}

#define UPTIME_OPTS (CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_BY | CLI_OPT_JSON)
const struct cli_command cli_uptime_command = {
    "uptime", usage, UPTIME_OPTS, 0, NULL, CLI_OPEN_READONLY, NULL, run, NULL, NULL, NULL};
