/* main.c - the camwatch command-line tool: reads the program's own options and hands the
 * rest to the command named (one file per command group; cli.c parses each command's
 * options and opens what it needs). The commands read the store the daemon writes
 * (read-only, or read-write for maintenance and reference; WAL lets them run beside
 * camwatchd) through the documents of index/doc.h, and print tables or JSON to stdout and
 * errors to stderr.
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error. */
#include <stdio.h>
#include <string.h>

#include "../util/file.h"
#include "cli.h"

#ifndef CW_VERSION
#define CW_VERSION "0.1.0"
#endif

#define DEFAULT_CONF "/etc/camwatch/camwatch.conf"

static const struct cli_command *const commands[] = {
    &cli_status_command,  &cli_events_command,   &cli_uptime_command,    &cli_maintenance_command,
    &cli_samples_command, &cli_thumb_command,    &cli_reference_command, &cli_device_command,
    &cli_clock_command,   &cli_discover_command, &cli_token_command,     &cli_report_command,
    &cli_ticket_command,
};

static const char usage[] =
    "usage: camwatch [-c FILE] <command> [options]\n"
    "  -c, --config FILE  camwatch.conf (default " DEFAULT_CONF ")\n"
    "  -h, --help         this help; `camwatch <command> --help` for a command's\n"
    "  -V, --version      print the version\n"
    "commands:\n"
    "  status       current state of each camera\n"
    "  events       state changes over time\n"
    "  uptime       time in each state per camera and per owner\n"
    "  maintenance  put a camera in or out of maintenance\n"
    "  samples      a camera's stream samples: frame rate, bitrate, picture faults\n"
    "  thumb        write a camera's newest thumbnail\n"
    "  reference    forget a camera's reference picture; the next good one replaces it\n"
    "  device       a camera's ONVIF facts: make, firmware, endpoints, profiles, clock\n"
    "  clock        every camera's clock offset, worst first\n"
    "  discover     find ONVIF devices on the local network; compare with the inventory\n"
    "  token        tokens of the HTTP API: add, list, remove\n"
    "  report       availability and the maintenance backlog, as JSON, CSV, XLSX or HTML\n"
    "  ticket       add, close and list the work field staff file for a camera\n"
    "Exit status: 0 ok, 1 runtime error, 2 usage or configuration error.\n";

/* The program's own options, before the command name. */
static const struct cli_command program = {.name = "camwatch",
                                           .usage = usage,
                                           .version = "camwatch " CW_VERSION,
                                           .opts = CLI_OPT_CONFIG | CLI_OPT_VERSION,
                                           .nargs = -1};

int main(int argc, char **argv)
{
    struct cli cli = {.conf_path = DEFAULT_CONF};
    struct cli_args a;
    int rc;

    /* What the CLI writes (a thumbnail, the store's WAL) is never readable by others. */
    cw_file_restrict_umask();
    rc = cli_parse(&program, argc, argv, &a);
    if (rc != 0)
        return rc == CLI_DONE ? 0 : rc;
    if (a.config != NULL)
        cli.conf_path = a.config;
    if (a.argc == 0) {
        fputs("camwatch: no command given\n", stderr);
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(a.argv[0], commands[i]->name) == 0)
            return cli_run(&cli, commands[i], a.argc, a.argv);
    fprintf(stderr, "camwatch: unknown command '%s'\n", a.argv[0]);
    fputs(usage, stderr);
    return EXIT_USAGE;
}
