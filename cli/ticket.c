/* ticket.c - `camwatch ticket add|close|list`: the work field staff file for a camera, which
 * the backlog report takes in (index/doc_ticket.c makes and describes each change; the store
 * keeps tickets as filed and only ever closes them). Writes run beside the daemon. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define TICKET_NOTE_COLS 40     /* a note is cut to this many columns in the list */
#define TICKET_NOTE_COLS_ALL 30 /* with --all, where the closing note follows it */

static const char usage[] =
    "usage: camwatch [-c FILE] ticket add CAMERA --action ACTION --note TEXT [--cost VND]\n"
    "       camwatch [-c FILE] ticket close ID [--note TEXT]\n"
    "       camwatch [-c FILE] ticket list [--camera CAMERA] [--all]\n"
    "  Work field staff file for a camera; open tickets join the backlog report, priced by\n"
    "  [costs] unless --cost says otherwise. Safe while camwatchd runs.\n"
    "  --action ACTION  restore_link, clean_lens, reaim, setup_ntp, reconfigure_encoder,\n"
    "                   update_credentials, update_firmware, repair_ir, replace_camera,\n"
    "                   replace_disk\n"
    "  --note TEXT      what was found, what is needed (closing: what was done)\n"
    "  --cost VND       this ticket's own cost, e.g. 4500000 or 4.500.000\n"
    "  --camera CAMERA  list one camera's tickets\n"
    "  --all            list closed tickets too: when, by whom, and the closing note\n"
    "  --json           print the ticket(s) as JSON\n";

/* Who files or closes: the login name of the user running the command. */
static const char *who(void)
{
    const struct passwd *pw = getpwuid(getuid());

    return pw != NULL && pw->pw_name != NULL ? pw->pw_name : "";
}

static void render_one(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    char when[64], cost[32];

    (void)a;
    if (cli_jhas(doc, "cost_vnd"))
        snprintf(cost, sizeof(cost), "%lld VND", (long long)cli_jint(doc, "cost_vnd"));
    else
        snprintf(cost, sizeof(cost), "priced by [costs]");
    if (strcmp(cli_jstr(doc, "state", ""), "closed") == 0)
        printf("ticket %lld for %s (%s) closed at %s\n", (long long)cli_jint(doc, "id"),
               cli_jstr(doc, "camera", ""), cli_jstr(doc, "action", ""),
               cli_jtime(cli, doc, "closed", NULL, when, sizeof(when)));
    else
        printf("ticket %lld opened for %s: %s, %s\n", (long long)cli_jint(doc, "id"),
               cli_jstr(doc, "camera", ""), cli_jstr(doc, "action", ""), cost);
}

/* One ticket's row; with all, when it was closed, by whom and the closing note follow (empty
 * for an open one): what a district's IT lead follows up. */
static void list_row(const struct cli *cli, struct cli_table *t, const json_t *o, int all)
{
    size_t cols = all ? TICKET_NOTE_COLS_ALL : TICKET_NOTE_COLS;
    char id[32], cost[32], when[64], buf[64];
    char *note = cli_table_cut(cli_jstr(o, "note", ""), cols);
    char *close_note = cli_table_cut(cli_jstr(o, "close_note", ""), cols);

    snprintf(id, sizeof(id), "%lld", (long long)cli_jint(o, "id"));
    cli_fmt_opt(cost, sizeof(cost), "%.0f", cli_jnum(o, "cost_vnd"), cli_jhas(o, "cost_vnd"));
    cli_jtime(cli, o, "opened", NULL, when, sizeof(when));
    const char *closed = cli_jtime(cli, o, "closed", "", buf, sizeof(buf)); /* "" when open */
    cli_table_add(t, id, cli_jstr(o, "camera", ""), cli_jstr(o, "action", ""), cost, when,
                  cli_jstr(o, "opened_by", ""), cli_jstr(o, "state", ""), note, closed,
                  cli_jstr(o, "closed_by", ""), close_note);
    free(note);
    free(close_note);
}

static void render_list(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"ID",     "CAMERA",    "ACTION",      "COST VND",
                                        "OPENED", "BY",        "STATE",       "NOTE",
                                        "CLOSED", "CLOSED BY", "CLOSING NOTE"};
    /* without --all every ticket is open: the closing columns are left out (cli_table_add
     * reads only ncols cells) */
    struct cli_table t = {.ncols = a->all ? 11 : 8, .heads = heads, .right = "rllrlllllll"};
    const json_t *o;
    size_t i;

    json_array_foreach(doc, i, o)
    {
        list_row(cli, &t, o, a->all);
    }
    cli_table_show(&t, a->all ? "no tickets" : "no open tickets");
}

static int run_add(struct cli *cli, const struct cli_args *a)
{
    struct doc_ticket_new tn = {.camera = a->argv[0],
                                .action = a->action,
                                .note = a->note,
                                .by = who(),
                                .at_ms = cw_now_ms()};
    struct cw_err err;
    json_t *doc = NULL;
    int rc;

    if (a->action == NULL || a->note == NULL)
        return cli_usage_error(a->cmd, "needs --action and --note");
    if (a->cost != NULL) {
        if (cfg_parse_vnd(a->cost, &tn.cost_vnd) != 0)
            return cli_usage_error(
                a->cmd, "--cost takes whole VND (4500000 or 4.500.000), not '%s'", a->cost);
        tn.has_cost = 1;
    }
    if ((rc = cli_open(cli, STORE_READWRITE)) != 0)
        return rc;
    rc = doc_ticket_add(&cli->doc, &tn, &doc, &err);
    if (rc == DOC_BAD_INPUT) /* an action or cost the user typed */
        return cli_usage_error(a->cmd, "%s", err.msg);
    return cli_show(cli, a, rc, doc, &err, render_one);
}

static int run_close(struct cli *cli, const struct cli_args *a)
{
    struct cw_err err;
    json_t *doc = NULL;
    int64_t id = cli_row_id(a->argv[0]);
    int rc;

    if (id == 0)
        return cli_usage_error(a->cmd, "a ticket's ID is a number, not '%s'", a->argv[0]);
    if ((rc = cli_open(cli, STORE_READWRITE)) != 0)
        return rc;
    rc = doc_ticket_close(&cli->doc, id, who(), a->note, cw_now_ms(), &doc, &err);
    return cli_show(cli, a, rc, doc, &err, render_one);
}

static int doc_list(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    const struct doc_tickets_query q = {a->camera, a->all};

    return doc_view_run(&cli->doc, &doc_view_tickets, &q, out, err);
}

static const struct cli_command add_cmd = {"ticket add",
                                           usage,
                                           CLI_OPT_ACTION | CLI_OPT_NOTE | CLI_OPT_COST |
                                               CLI_OPT_JSON,
                                           1,
                                           "expects CAMERA",
                                           CLI_OPEN_NOTHING,
                                           NULL,
                                           run_add,
                                           NULL,
                                           NULL,
                                           NULL};
static const struct cli_command close_cmd = {"ticket close",
                                             usage,
                                             CLI_OPT_NOTE | CLI_OPT_JSON,
                                             1,
                                             "expects a ticket's ID",
                                             CLI_OPEN_NOTHING,
                                             NULL,
                                             run_close,
                                             NULL,
                                             NULL,
                                             NULL};
static const struct cli_command list_cmd = {"ticket list",
                                            usage,
                                            CLI_OPT_CAMERA | CLI_OPT_ALL | CLI_OPT_JSON,
                                            0,
                                            NULL,
                                            CLI_OPEN_READONLY,
                                            NULL,
                                            NULL,
                                            doc_list,
                                            render_list,
                                            NULL};

static int run(struct cli *cli, const struct cli_args *a)
{
    static const struct cli_command *const subs[] = {&add_cmd, &close_cmd, &list_cmd};

    return cli_dispatch(cli, a, subs, sizeof(subs) / sizeof(subs[0]));
}

const struct cli_command cli_ticket_command = {"ticket", usage, 0,    -1,   NULL, CLI_OPEN_NOTHING,
                                               NULL,     run,   NULL, NULL, NULL};
