/* cli.h - what the camwatch command's files share: the command's context (the conf, the
 * store and the documents' view of them), the one option parser every command declares its
 * options to, opening the conf and the store, errors, the camera check, and printing a
 * document as JSON or reading its fields back for a table. Defined in cli.c; each command
 * group's file (status.c, events.c, ...) defines one struct cli_command per command, and
 * main.c dispatches to them. One thread; the context owns the cfg and the store handle for
 * the life of the process.
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error. */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "../config/cfg.h"
#include "../index/doc.h"
#include "../index/store.h"
#include "../util/err.h"
#include "../util/state.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_AUDIT_UNFINISHED 3 /* audit verify: the chain holds, a killed export has no end */
#define CLI_DONE (-1)           /* cli_parse: --help or --version answered; exit 0 */
#define CLI_NARGS_ANY (-2)

struct cli {
    const char *conf_path; /* borrowed from argv or a constant */
    struct cfg *cfg;       /* owned once opened */
    struct store *store;   /* owned once opened */
    const char *tz;        /* borrowed from cfg */
    struct doc_ctx doc;    /* the documents' view of store, cfg and tz */
    /* The problems of the inventory the reader's load found (cli_load_config), each with its
     * file, line and field: the cameras with one are not in cfg, nor on their recorders'
     * lists. */
    struct cw_errlist inventory_problems;
};

/* The options of the program and its commands: one table in cli.c says each one's name,
 * argument and where it lands in struct cli_args; a command names the ones it takes. */
/* -c, --config FILE: the program's, before the command */
#define CLI_OPT_CONFIG (UINT64_C(1) << 0)
#define CLI_OPT_OWNER (UINT64_C(1) << 1)
#define CLI_OPT_COMMUNE (UINT64_C(1) << 2)
#define CLI_OPT_STATE (UINT64_C(1) << 3) /* checked while parsing: a state name */
#define CLI_OPT_FLAG (UINT64_C(1) << 4)
#define CLI_OPT_CAMERA (UINT64_C(1) << 5)
/* parsed into since_ms once the conf (its zone) is open */
#define CLI_OPT_SINCE (UINT64_C(1) << 6)
#define CLI_OPT_FROM (UINT64_C(1) << 7)
#define CLI_OPT_TO (UINT64_C(1) << 8)
#define CLI_OPT_BY (UINT64_C(1) << 9) /* checked while parsing: camera or owner */
#define CLI_OPT_NOTE (UINT64_C(1) << 10)
#define CLI_OPT_OUTPUT (UINT64_C(1) << 11) /* -o, --output FILE */
#define CLI_OPT_TARGET (UINT64_C(1) << 12)
#define CLI_OPT_TIMEOUT (UINT64_C(1) << 13)
#define CLI_OPT_JSON (UINT64_C(1) << 14)
#define CLI_OPT_VERBOSE (UINT64_C(1) << 15) /* -v, --verbose */
#define CLI_OPT_VERSION (UINT64_C(1) << 16) /* -V, --version: prints the command's version line */
#define CLI_OPT_ROLE (UINT64_C(1) << 17)    /* --role ROLE: a token's role */
#define CLI_OPT_DAEMON (UINT64_C(1) << 18)  /* --daemon: status of the daemon itself */
#define CLI_OPT_NEAR (UINT64_C(1) << 19)    /* --near LAT,LON */
#define CLI_OPT_RADIUS (UINT64_C(1) << 20)  /* --radius METRES */
#define CLI_OPT_PLACE (UINT64_C(1) << 21)   /* --place TEXT */
/* --camera ID, repeatable, or ID,ID,...: into camera_list */
#define CLI_OPT_CAMERAS (UINT64_C(1) << 22)
#define CLI_OPT_CASE (UINT64_C(1) << 23)
#define CLI_OPT_REASON (UINT64_C(1) << 24)
/* --by NAME: who asks or exports (not uptime's --by) */
#define CLI_OPT_BY_NAME (UINT64_C(1) << 25)
#define CLI_OPT_OUT (UINT64_C(1) << 26) /* --out DIR */
#define CLI_OPT_PROGRESS (UINT64_C(1) << 27)
#define CLI_OPT_FULL (UINT64_C(1) << 28)
#define CLI_OPT_RECORDER (UINT64_C(1) << 29)
#define CLI_OPT_FORMAT (UINT64_C(1) << 30) /* -f, --format NAME */
#define CLI_OPT_LANG (UINT64_C(1) << 31)   /* --lang vi|en */
#define CLI_OPT_ACTION (UINT64_C(1) << 32) /* --action NAME */
#define CLI_OPT_COST (UINT64_C(1) << 33)   /* --cost VND */
#define CLI_OPT_ALL (UINT64_C(1) << 34)    /* --all */

/* --reattribute: footage scan gives unchanged files to the camera the sheet names now */
#define CLI_OPT_REATTRIBUTE (UINT64_C(1) << 35)
/* --not-running: audit close-export closes an export begun by a version that locked no folder */
#define CLI_OPT_NOT_RUNNING (UINT64_C(1) << 36)

struct cli_command;

/* A command line as parsed. Strings borrow from argv; NULL when not given. */
struct cli_args {
    const struct cli_command *cmd; /* the command parsed for */
    const char *config, *owner, *commune, *flag, *camera, *since, *from, *to, *note, *output,
        *target, *timeout, *role, *near, *radius, *place, *case_ref, *reason, *by_name, *out,
        *recorder, *format, *lang, *action, *cost;
    char camera_list[1024]; /* CLI_OPT_CAMERAS: the ids given, comma-separated */
    int have_cameras;       /* --camera given, if only as "": a place named, if empty */
    int progress, full, reattribute, not_running;
    int have_state;
    enum cw_state state;
    enum doc_uptime_by by;
    int json, verbose, daemon, all;
    int64_t since_ms; /* --since or the command's default, once cli_run has read it */
    int argc;         /* the positional arguments */
    char **argv;
};

enum cli_open {
    CLI_OPEN_NOTHING,  /* run opens what it needs itself, after checks of its own */
    CLI_OPEN_CONFIG,   /* the conf alone */
    CLI_OPEN_READONLY, /* the conf and the store */
    CLI_OPEN_READWRITE
};

/* A command, as each command group's file declares it; written in this order, one line of
 * what it takes and one of what it runs:
 *   {name, usage, opts, nargs, nargs_error, open, since,   run, doc, render} */
struct cli_command {
    const char *name;
    const char *usage;       /* printed by --help (stdout) and after usage errors (stderr) */
    uint64_t opts;           /* CLI_OPT_ bits; --help is always taken */
    int nargs;               /* positional arguments: exactly this many; -1: any, and options
                              * stop at the first (the program's, before a command);
                              * CLI_NARGS_ANY: any, options anywhere */
    const char *nargs_error; /* said when the count is wrong; NULL: "unexpected argument 'X'" */
    enum cli_open open;      /* opened by cli_run before run */
    const char *since;       /* CLI_OPT_SINCE's default */
    /* Either run, which returns the exit code, or a document command: doc builds the
     * document (returns as the doc_* functions do) and render prints its table; cli_run
     * prints the document itself with --json, and the error when doc fails. */
    int (*run)(struct cli *cli, const struct cli_args *a);
    int (*doc)(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err);
    void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc);
    const char *version; /* CLI_OPT_VERSION's line (the program's), NULL when not taken */
};

/* Out of memory in the CLI: say so and exit EXIT_RUNTIME. */
void cli_die_oom(void);
/* A copy of s ("" for NULL); caller frees. Exits when out of memory. */
char *cli_strdup(const char *s);

/* Parse argv (argv[0]: the program or command name) for cmd into *a: its options, checked
 * where the table says (an option with a value given twice is refused, but the repeatable
 * CLI_OPT_CAMERAS), and the count of positional arguments. Returns 0; CLI_DONE after
 * printing the usage (--help) or version line; EXIT_USAGE after saying what is wrong. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a);
/* Run cmd over its own argv: parse, open what cmd->open says, read --since, run, close,
 * and check that stdout was written. Returns the exit code. */
int cli_run(struct cli *cli, const struct cli_command *cmd, int argc, char **argv);

/* A command of sub-commands ("report backlog", "ticket add"): run the one a->argv[0] names
 * (the last word of its name) over a's positional arguments; a usage error listing them
 * when none or another is named. Returns the exit code. */
int cli_dispatch(struct cli *cli, const struct cli_args *a, const struct cli_command *const *subs,
                 size_t n);

/* A row id (a request's, a ticket's) from the command line: a whole number above 0, else 0. */
int64_t cli_row_id(const char *s);
/* "camwatch: NAME: what" on stderr, then cmd's usage. Returns EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Load the conf alone, keeping the inventory's problems in cli->inventory_problems without a
 * word: for a command that judges them itself (cli_warn_inventory says them). Returns 0, or the
 * exit code (a problem in camwatch.conf itself, said). */
int cli_load_config(struct cli *cli);
/* The inventory's problems on stderr as warnings (the first CLI_INVENTORY_WARNINGS of them):
 * the store is read all the same. Nothing when there are none. */
void cli_warn_inventory(const struct cli *cli);
/* Refuse what command NAME would do with an inventory that has a problem: each problem on its
 * own line with its file, line and field ("camwatch: NAME: .../cameras.csv:3: lat: not a
 * number: 'north'"), then "camwatch: NAME: refused, DONE: N problems in SHEET (above) leave
 * cameras out of the inventory, and WHY; fix them (camwatchd -c CONF --check-config) and
 * THEN". For a command whose answer would silently miss the cameras of the rows left out; call
 * it after cli_load_config, before the store is opened. Returns EXIT_USAGE, or 0 without a
 * word when the inventory has no problem. */
int cli_refuse_inventory(const struct cli *cli, const char *name, const char *done, const char *why,
                         const char *then);
/* Load the conf alone (commands that need no store). A broken inventory (cameras.csv,
 * credentials.ini) is a warning naming each problem's file and line: the cameras without
 * one are loaded, and the store, which the daemon keeps whole, is read all the same. Returns
 * 0, or the exit code (a problem in camwatch.conf itself). */
int cli_open_config(struct cli *cli);
/* Open the store of the conf cli_open_config loaded. Returns 0, or the exit code. */
int cli_open_store(struct cli *cli, enum store_mode mode);
/* Load the conf and open the store. Returns 0, or the exit code. */
int cli_open(struct cli *cli, enum store_mode mode);
void cli_close(struct cli *cli); /* accepts a closed cli */
/* The range of --from and --to: from defaults to 00:00 local on the first of this month, to
 * to now. Returns 0, or EXIT_USAGE after saying what is wrong (a bad time, from after to). */
int cli_range(const struct cli *cli, const struct cli_args *a, int64_t *from_ms, int64_t *to_ms);
/* Print err on stderr; returns EXIT_RUNTIME. */
int cli_fail(const struct cw_err *err);

/* Print j (its reference is taken) on stdout as the documents are printed. Returns 0 or
 * EXIT_RUNTIME. */
int cli_print_json(json_t *j);
/* The end of a command that shows a document, rc and err from its doc_* function: the error
 * when rc is not 0, else doc as JSON with --json, else render(cli, a, doc), the table.
 * Takes doc's reference (NULL when rc is not 0). Returns the exit code. */
int cli_show(struct cli *cli, const struct cli_args *a, int rc, json_t *doc,
             const struct cw_err *err,
             void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc));
/* The same for a document that reads the command line itself: a refusal of it (DOC_BAD_INPUT)
 * is a usage error, "--FIELD: msg" (err->field the option's name; msg alone without one). The
 * end cli_run gives a struct cli_command's doc. */
int cli_show_doc(struct cli *cli, const struct cli_args *a, int rc, json_t *doc,
                 const struct cw_err *err,
                 void (*render)(const struct cli *cli, const struct cli_args *a,
                                const json_t *doc));
/* The end of a command whose document can be long: write(cli, a, data, o, err), a doc_*_write
 * function's call, writes it into o, which with --json prints it to stdout as it is built
 * (never held whole), else builds the tree that render prints. write returns as the doc_*
 * functions do. Returns the exit code. */
int cli_stream(struct cli *cli, const struct cli_args *a,
               int (*write)(struct cli *cli, const struct cli_args *a, void *data,
                            struct doc_out *o, struct cw_err *err),
               void *data,
               void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc));

/* Reading a document's fields back for a table. Each borrows from o. */
int cli_jhas(const json_t *o, const char *key); /* present, not null */
const char *cli_jstr(const json_t *o, const char *key, const char *if_null);
int64_t cli_jint(const json_t *o, const char *key); /* 0 when null */
double cli_jnum(const json_t *o, const char *key);  /* integer or real */
/* An array of strings joined by sep ("" when empty). Caller frees. */
char *cli_jjoin(const json_t *o, const char *key, char sep);
/* An ISO time of the document as the tables show time: "YYYY-MM-DD HH:MM:SS" in the site's
 * zone (the document's zone). null gives if_null, or the epoch when if_null is NULL. */
const char *cli_jtime(const struct cli *cli, const json_t *o, const char *key, const char *if_null,
                      char *buf, size_t len);
/* "WIDTHxHEIGHT" of o's width and height, or "-" when either is null. */
const char *cli_jres(const json_t *o, char *buf, size_t len);
/* A table cell: v printed with fmt, or "-" when not known. */
const char *cli_fmt_opt(char *buf, size_t len, const char *fmt, double v, int known);

/* Footage (footage.c, shared with request.c): the range and place of a command line into q,
 * returning as a document does (0, or DOC_BAD_INPUT with err naming the option at fault), and
 * the answer's table. */
int cli_footage_query(const struct cli *cli, const struct cli_args *a, struct doc_footage_query *q,
                      struct cw_err *err);
void cli_footage_render(const struct cli *cli, const struct cli_args *a, const json_t *doc);

/* The commands, one file per group; main.c dispatches to them. */
extern const struct cli_command cli_status_command;            /* status.c */
extern const struct cli_command cli_events_command;            /* events.c */
extern const struct cli_command cli_uptime_command;            /* uptime.c */
extern const struct cli_command cli_maintenance_command;       /* maintenance.c */
extern const struct cli_command cli_samples_command;           /* picture.c */
extern const struct cli_command cli_thumb_command;             /* picture.c */
extern const struct cli_command cli_reference_command;         /* picture.c */
extern const struct cli_command cli_device_command;            /* device.c */
extern const struct cli_command cli_clock_command;             /* device.c */
extern const struct cli_command cli_discover_command;          /* discover.c */
extern const struct cli_command cli_token_command;             /* token.c */
extern const struct cli_command cli_footage_find_command;      /* footage.c */
extern const struct cli_command cli_footage_scan_command;      /* footage.c */
extern const struct cli_command cli_footage_recorders_command; /* footage.c */
extern const struct cli_command cli_request_create_command;    /* request.c */
extern const struct cli_command cli_request_show_command;      /* request.c */
extern const struct cli_command cli_request_list_command;      /* request.c */
extern const struct cli_command cli_request_export_command;    /* request.c */
extern const struct cli_command cli_audit_verify_command;      /* request.c */
/* request.c */
extern const struct cli_command cli_audit_close_export_command;
extern const struct cli_command cli_report_command;      /* report.c */
extern const struct cli_command cli_ticket_command;      /* ticket.c */
extern const struct cli_command cli_alerts_command;      /* alerts.c: alerts, as alerts list */
extern const struct cli_command cli_alerts_list_command; /* alerts.c */
extern const struct cli_command cli_alerts_test_command; /* alerts.c */

#endif
