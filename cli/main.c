/* main.c - the camwatch command-line tool: reads the program's own options and hands the
 * rest to the command named (one file per command group; cli.c parses each command's
 * options and opens what it needs). The commands read the store the daemon writes
 * (read-only, or read-write for maintenance and reference; WAL lets them run beside
 * camwatchd) through the documents of index/doc.h, and print tables or JSON to stdout and
 * errors to stderr.
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../util/file.h"
#include "cli.h"

#ifndef CW_VERSION
#define CW_VERSION "0.1.0"
#endif

#define DEFAULT_CONF "/etc/camwatch/camwatch.conf"

static const struct cli_command *const commands[] = {
    &cli_status_command,
    &cli_events_command,
    &cli_uptime_command,
    &cli_maintenance_command,
    &cli_samples_command,
    &cli_thumb_command,
    &cli_reference_command,
    &cli_device_command,
    &cli_clock_command,
    &cli_discover_command,
    &cli_token_command,
    &cli_report_command,
    &cli_ticket_command,
    /* Two words: a group, then the command ("alerts" alone lists, as "alerts list" does). */
    &cli_alerts_command,
    &cli_alerts_list_command,
    &cli_alerts_test_command,
    &cli_footage_find_command,
    &cli_footage_scan_command,
    &cli_footage_recorders_command,
    &cli_request_create_command,
    &cli_request_show_command,
    &cli_request_list_command,
    &cli_request_export_command,
    &cli_audit_verify_command,
    &cli_audit_close_export_command,
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
    "  alerts       the alerts sent: settled changes, flapping, digests, tests\n"
    "  alerts test        send a test alert to every target in [alerts], say what each answered\n"
    "  footage find       which cameras saw a place over a time, and what footage is left\n"
    "  footage scan       scan the recorders now (the daemon scans on [footage] scan_interval)\n"
    "  footage recorders  each recorder's last scan and footage\n"
    "  request create     store an investigator's request; prints its id\n"
    "  request show       a request's cameras, footage, gaps, states and expiry\n"
    "  request list       every request\n"
    "  request export     a request's footage as evidence: MP4s, hashes, manifests\n"
    "  audit verify       check the audit trail's hash chain; exports begun with no end\n"
    "  audit close-export record what became of an export that was killed\n"
    "Exit status: 0 ok, 1 runtime error, 2 usage or configuration error.\n";

/* The program's own options, before the command name. */
static const struct cli_command program = {.name = "camwatch",
                                           .usage = usage,
                                           .version = "camwatch " CW_VERSION,
                                           .opts = CLI_OPT_CONFIG | CLI_OPT_VERSION,
                                           .nargs = -1};

/* Whether name is a group of two-word commands ("footage", "request", "audit", "alerts"). */
static int is_group(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *space = strchr(commands[i]->name, ' ');
        if (space != NULL && strlen(name) == (size_t)(space - commands[i]->name) &&
            strncmp(name, commands[i]->name, strlen(name)) == 0)
            return 1;
    }
    return 0;
}

/* A group named without one of its commands: --help lists its commands on stdout (exit 0);
 * none or an unknown one is a usage error naming the commands. The lines of the program's
 * usage that begin with the group's name are its commands. */
static int group_usage(const char *group, int argc, char **argv)
{
    int help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    FILE *out = help ? stdout : stderr;
    char words[256];
    size_t off = 0, n = strlen(group);

    words[0] = '\0';
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *name = commands[i]->name;
        if (strncmp(name, group, n) == 0 && name[n] == ' ' && off < sizeof(words))
            off += (size_t)snprintf(words + off, sizeof(words) - off, "%s%s", off ? ", " : "",
                                    name + n + 1);
    }
    if (!help && argc >= 2)
        fprintf(stderr, "camwatch: %s: unknown command '%s' (one of: %s)\n", group, argv[1], words);
    else if (!help)
        fprintf(stderr, "camwatch: %s: no command given (one of: %s)\n", group, words);
    fprintf(out, "usage: camwatch [-c FILE] %s <command> [options]\n", group);
    for (const char *line = usage; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len > n + 3 && strncmp(line, "  ", 2) == 0 && strncmp(line + 2, group, n) == 0 &&
            line[n + 2] == ' ' && line[n + 3] != ' ')
            fprintf(out, "%.*s\n", (int)len, line);
        line += len + (end != NULL);
    }
    fprintf(out, "`camwatch %s <command> --help` for a command's options\n", group);
    return help ? 0 : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct cli cli = {.conf_path = DEFAULT_CONF};
    struct cli_args a;
    int rc;

    /* What the CLI writes (a thumbnail, the store's WAL) is never readable by others. */
    cw_file_restrict_umask();
    /* A file size limit (ulimit -f) makes a write past it fail with EFBIG, and the command's
     * own error path runs (an export removes its temporaries and writes its export.failed
     * row), rather than SIGXFSZ killing it halfway and leaving both behind. */
    signal(SIGXFSZ, SIG_IGN);
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
    /* "footage find": the group is argv[0], the command argv[1], which gets its options; two
     * words first, since "alerts" is a command of its own as well as the group of "alerts test" */
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *name = commands[i]->name, *space = strchr(name, ' ');
        if (space != NULL && a.argc >= 2 && strlen(a.argv[0]) == (size_t)(space - name) &&
            strncmp(a.argv[0], name, (size_t)(space - name)) == 0 &&
            strcmp(a.argv[1], space + 1) == 0)
            return cli_run(&cli, commands[i], a.argc - 1, a.argv + 1);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strchr(commands[i]->name, ' ') == NULL && strcmp(a.argv[0], commands[i]->name) == 0)
            return cli_run(&cli, commands[i], a.argc, a.argv);
    if (is_group(a.argv[0]))
        return group_usage(a.argv[0], a.argc, a.argv);
    fprintf(stderr, "camwatch: unknown command '%s'\n", a.argv[0]);
    fputs(usage, stderr);
    return EXIT_USAGE;
}
