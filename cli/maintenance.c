/* maintenance.c - `camwatch maintenance CAMERA on|off`: a staff acknowledgement, made and
 * described by doc_maintenance (index/doc_action.c) on a read-write store; a line or the
 * document on stdout. */
#include <string.h>

#include "../util/cwtime.h"
#include "cli.h"

static const char usage[] =
    "usage: camwatch [-c FILE] maintenance CAMERA on|off [--note TEXT] [--json]\n"
    "  Acknowledge a camera as under maintenance (on), or hand it back to the probes (off;\n"
    "  it is unknown until its next probe). Safe while camwatchd runs.\n"
    "  --note TEXT     why, recorded with the change\n"
    "  --json          print the change as a JSON object\n";

static void render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    const char *id = cli_jstr(doc, "id", ""), *from = cli_jstr(doc, "from", ""),
               *to = cli_jstr(doc, "to", ""), *reason = cli_jstr(doc, "reason", "");
    int changed = json_is_true(json_object_get(doc, "changed"));
    char since[64];

    (void)a;
    cli_jtime(cli, doc, "since", NULL, since, sizeof(since));
    if (!changed && strcmp(to, "maintenance") == 0)
        printf("%s: already in maintenance since %s; nothing changed\n", id, since);
    else if (!changed)
        printf("%s: not in maintenance (%s since %s); nothing changed\n", id, to, since);
    else if (reason[0] != '\0')
        printf("%s: %s -> %s at %s (%s)\n", id, from, to, since, reason);
    else
        printf("%s: %s -> %s at %s\n", id, from, to, since);
}

static int run(struct cli *cli, const struct cli_args *a)
{
    const char *id = a->argv[0], *onoff = a->argv[1];
    struct cw_err err;
    json_t *doc;
    int on, rc;

    if (strcmp(onoff, "on") == 0)
        on = 1;
    else if (strcmp(onoff, "off") == 0)
        on = 0;
    else
        return cli_usage_error(a->cmd, "expects on or off, not '%s'", onoff);
    if ((rc = cli_open(cli, STORE_READWRITE)) != 0)
        return rc;
    rc =
        doc_maintenance(&cli->doc, id, on, a->note != NULL ? a->note : "", cw_now_ms(), &doc, &err);
    return cli_show(cli, a, rc, doc, &err, render);
}

/* Opens the store itself, once on|off is checked. */
#define MAINTENANCE_OPTS (CLI_OPT_NOTE | CLI_OPT_JSON)
const struct cli_command cli_maintenance_command = {"maintenance",
                                                    usage,
                                                    MAINTENANCE_OPTS,
                                                    2,
                                                    "expects CAMERA and on or off",
                                                    CLI_OPEN_NOTHING,
                                                    NULL,
                                                    run,
                                                    NULL,
                                                    NULL,
                                                    NULL};
