/* events.c - `camwatch events`: state changes and device fact changes, oldest first, from
 * the events document (index/doc_events.c, doc_events_all): one JSON array written as the
 * events are read (--json), or a table. */
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define EVENTS_DEFAULT_SINCE "-7d"

static const char usage[] =
    "usage: camwatch [-c FILE] events [--camera ID] [--since TIME] [--json]\n"
    "  State changes and changes of ONVIF device facts (firmware, model, serial...), oldest\n"
    "  first. In --json, each has \"kind\": \"state\" (from, to, reason) or \"device\"\n"
    "  (field, old, new).\n"
    "  --camera ID     only this camera\n"
    "  --since TIME    from TIME (default -7d): YYYY-MM-DD[ HH:MM[:SS]] in the site's zone,\n"
    "                  ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON array\n";

static void render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"TIME", "CAMERA", "CHANGE", "REASON"};
    struct cli_table t = {.ncols = 4, .heads = heads, .right = "llll"};
    char at[64], change[64], reason[300];
    const json_t *e;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, e)
    {
        if (strcmp(cli_jstr(e, "kind", ""), "state") == 0) {
            snprintf(change, sizeof(change), "%s -> %s", cli_jstr(e, "from", ""),
                     cli_jstr(e, "to", ""));
            snprintf(reason, sizeof(reason), "%s", cli_jstr(e, "reason", ""));
        } else {
            snprintf(change, sizeof(change), "%s changed", cli_jstr(e, "field", ""));
            if (snprintf(reason, sizeof(reason), "%s -> %s", cli_jstr(e, "old", ""),
                         cli_jstr(e, "new", "")) < 0)
                reason[0] = '\0';
        }
        cli_table_add(&t, cw_format_local(cli_jint(e, "at_ms"), cli->tz, at, sizeof(at)),
                      cli_jstr(e, "camera", ""), change, reason);
    }
    cli_table_show(&t, "no events");
}

static int write_all(struct cli *cli, const struct cli_args *a, void *data, struct doc_out *o,
                     struct cw_err *err)
{
    const struct doc_events_query q = {a->camera, a->since_ms, 0, NULL};

    (void)data;
    return doc_events_all(&cli->doc, &q, o, err);
}

static int run(struct cli *cli, const struct cli_args *a)
{
    return cli_stream(cli, a, write_all, NULL, render);
}

#define EVENTS_OPTS (CLI_OPT_CAMERA | CLI_OPT_SINCE | CLI_OPT_JSON)
const struct cli_command cli_events_command = {
    "events", usage, EVENTS_OPTS, 0,   NULL, CLI_OPEN_READONLY, EVENTS_DEFAULT_SINCE,
    run,      NULL,  NULL,        NULL};
