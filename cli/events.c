/* events.c - `camwatch events`: state changes and device fact changes, oldest first, read
 * from the events document (index/doc_events.c) page by page and shown as one list: a
 * table, or one JSON array of the pages' events. */
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define EVENTS_DEFAULT_SINCE "-7d"
#define EVENTS_PAGE 1000 /* events per document page */

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
    if (json_array_size(doc) == 0)
        puts("no events");
    else
        cli_table_print(&t, stdout);
    cli_table_free(&t);
}

/* Every page of the events document, its events in one array (*out, caller owns). Returns
 * doc_events' result. */
static int read_all(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    struct doc_events_query q = {a->camera, a->since_ms, EVENTS_PAGE, NULL};
    json_t *all = json_array(), *page = NULL;
    char *after = NULL;
    int rc;

    if (all == NULL)
        cli_die_oom();
    do {
        if ((rc = doc_events(&cli->doc, &q, &page, err)) != 0)
            break;
        if (json_array_extend(all, json_object_get(page, "events")) != 0)
            cli_die_oom();
        free(after);
        after = json_is_string(json_object_get(page, "next"))
                    ? cli_strdup(json_string_value(json_object_get(page, "next")))
                    : NULL;
        json_decref(page);
        q.after = after;
    } while (after != NULL);
    free(after);
    if (rc != 0) {
        json_decref(all);
        all = NULL;
    }
    *out = all;
    return rc;
}

#define EVENTS_OPTS (CLI_OPT_CAMERA | CLI_OPT_SINCE | CLI_OPT_JSON)
const struct cli_command cli_events_command = {
    "events", usage,    EVENTS_OPTS, 0,   NULL, CLI_OPEN_READONLY, EVENTS_DEFAULT_SINCE,
    NULL,     read_all, render,      NULL};
