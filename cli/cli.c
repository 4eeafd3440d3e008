/* cli.c - what cli.h promises: the option table and the parser every command goes through,
 * opening the conf and the store, errors and the camera check, and printing or reading back
 * documents. The struct cli it fills owns the cfg and the store handle until cli_close. One
 * thread. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cwtime.h"

#define OPT_CODE_BASE 256 /* getopt_long codes of the long-only options: OPT_CODE_BASE + index */
#define NO_FIELD ((size_t)-1)
#define CLI_INVENTORY_WARNINGS 10 /* problems of a broken inventory shown before each command */

/* Every option of the program and its commands. The order is the one each command always
 * listed its own in, which getopt_long keeps when it names the candidates of an ambiguous
 * abbreviation (--t: --target or --timeout). */
static const struct opt_def {
    uint64_t bit;
    const char *name;
    int has_arg;
    int short_name; /* 0: long only */
    size_t field;   /* offset in struct cli_args: a string (has_arg) or an int set to 1;
                       NO_FIELD: taken by take_option itself */
} opt_defs[] = {
    {CLI_OPT_CONFIG, "config", required_argument, 'c', offsetof(struct cli_args, config)},
    {CLI_OPT_OWNER, "owner", required_argument, 0, offsetof(struct cli_args, owner)},
    {CLI_OPT_COMMUNE, "commune", required_argument, 0, offsetof(struct cli_args, commune)},
    {CLI_OPT_STATE, "state", required_argument, 0, NO_FIELD},
    {CLI_OPT_FLAG, "flag", required_argument, 0, offsetof(struct cli_args, flag)},
    {CLI_OPT_CAMERA, "camera", required_argument, 0, offsetof(struct cli_args, camera)},
    {CLI_OPT_SINCE, "since", required_argument, 0, offsetof(struct cli_args, since)},
    {CLI_OPT_FROM, "from", required_argument, 0, offsetof(struct cli_args, from)},
    {CLI_OPT_TO, "to", required_argument, 0, offsetof(struct cli_args, to)},
    {CLI_OPT_BY, "by", required_argument, 0, NO_FIELD},
    {CLI_OPT_NOTE, "note", required_argument, 0, offsetof(struct cli_args, note)},
    {CLI_OPT_OUTPUT, "output", required_argument, 'o', offsetof(struct cli_args, output)},
    {CLI_OPT_TARGET, "target", required_argument, 0, offsetof(struct cli_args, target)},
    {CLI_OPT_TIMEOUT, "timeout", required_argument, 0, offsetof(struct cli_args, timeout)},
    {CLI_OPT_JSON, "json", no_argument, 0, offsetof(struct cli_args, json)},
    {CLI_OPT_VERBOSE, "verbose", no_argument, 'v', offsetof(struct cli_args, verbose)},
    {CLI_OPT_VERSION, "version", no_argument, 'V', NO_FIELD},
    {CLI_OPT_ROLE, "role", required_argument, 0, offsetof(struct cli_args, role)},
    {CLI_OPT_DAEMON, "daemon", no_argument, 0, offsetof(struct cli_args, daemon)},
    {CLI_OPT_NEAR, "near", required_argument, 0, offsetof(struct cli_args, near)},
    {CLI_OPT_RADIUS, "radius", required_argument, 0, offsetof(struct cli_args, radius)},
    {CLI_OPT_PLACE, "place", required_argument, 0, offsetof(struct cli_args, place)},
    {CLI_OPT_CAMERAS, "camera", required_argument, 0, NO_FIELD},
    {CLI_OPT_CASE, "case", required_argument, 0, offsetof(struct cli_args, case_ref)},
    {CLI_OPT_REASON, "reason", required_argument, 0, offsetof(struct cli_args, reason)},
    {CLI_OPT_BY_NAME, "by", required_argument, 0, offsetof(struct cli_args, by_name)},
    {CLI_OPT_OUT, "out", required_argument, 0, offsetof(struct cli_args, out)},
    {CLI_OPT_PROGRESS, "progress", no_argument, 0, offsetof(struct cli_args, progress)},
    {CLI_OPT_FULL, "full", no_argument, 0, offsetof(struct cli_args, full)},
    {CLI_OPT_RECORDER, "recorder", required_argument, 0, offsetof(struct cli_args, recorder)},
    {CLI_OPT_FORMAT, "format", required_argument, 'f', offsetof(struct cli_args, format)},
    {CLI_OPT_LANG, "lang", required_argument, 0, offsetof(struct cli_args, lang)},
    {CLI_OPT_ACTION, "action", required_argument, 0, offsetof(struct cli_args, action)},
    {CLI_OPT_COST, "cost", required_argument, 0, offsetof(struct cli_args, cost)},
    {CLI_OPT_ALL, "all", no_argument, 0, offsetof(struct cli_args, all)},
    {CLI_OPT_REATTRIBUTE, "reattribute", no_argument, 0, offsetof(struct cli_args, reattribute)},
    {CLI_OPT_NOT_RUNNING, "not-running", no_argument, 0, offsetof(struct cli_args, not_running)},
};
#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

void cli_die_oom(void)
{
    fputs("camwatch: out of memory\n", stderr);
    exit(EXIT_RUNTIME);
}

char *cli_strdup(const char *s)
{
    char *d = strdup(s != NULL ? s : "");

    if (d == NULL)
        cli_die_oom();
    return d;
}

int64_t cli_row_id(const char *s)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;

    /* the program's own options: "camwatch: ...", not "camwatch: camwatch: ..." */
    if (strcmp(cmd->name, "camwatch") == 0)
        fputs("camwatch: ", stderr);
    else
        fprintf(stderr, "camwatch: %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", cmd->usage);
    return EXIT_USAGE;
}

/* ---- the option parser ---- */

/* Store one option's value in a, checking the ones whose values are a closed set. */
static int take_option(const struct cli_command *cmd, const struct opt_def *d, const char *arg,
                       struct cli_args *a)
{
    /* "" is no name: refused here for every command, not met later as a file not found */
    if ((d->bit == CLI_OPT_OUTPUT || d->bit == CLI_OPT_OUT) && arg[0] == '\0')
        return cli_usage_error(cmd, "%s: empty %s name", d->bit == CLI_OPT_OUTPUT ? "-o" : "--out",
                               d->bit == CLI_OPT_OUTPUT ? "file" : "folder");
    switch (d->bit) {
    case CLI_OPT_STATE:
        if (cw_state_parse(arg, &a->state) != 0)
            return cli_usage_error(cmd, "unknown state '%s'", arg);
        a->have_state = 1;
        return 0;
    case CLI_OPT_BY:
        if (strcmp(arg, "camera") == 0)
            a->by = DOC_UPTIME_CAMERA;
        else if (strcmp(arg, "owner") == 0)
            a->by = DOC_UPTIME_OWNER;
        else
            return cli_usage_error(cmd, "--by takes camera or owner, not '%s'", arg);
        return 0;
    case CLI_OPT_VERSION:
        printf("%s\n", cmd->version);
        return CLI_DONE;
    case CLI_OPT_CAMERAS: {
        size_t off = strlen(a->camera_list);
        if (off + strlen(arg) + 2 > sizeof(a->camera_list))
            return cli_usage_error(cmd, "too many cameras");
        snprintf(a->camera_list + off, sizeof(a->camera_list) - off, "%s%s", off ? "," : "", arg);
        a->have_cameras = 1;
        return 0;
    }
    default:
        if (d->has_arg)
            *(const char **)(void *)((char *)a + d->field) = arg;
        else
            *(int *)(void *)((char *)a + d->field) = 1;
        return 0;
    }
}

/* The definition getopt_long's answer c stands for, or NULL ('?': it said what is wrong). */
static const struct opt_def *find_option(int c)
{
    if (c >= OPT_CODE_BASE && (size_t)(c - OPT_CODE_BASE) < N_OPT_DEFS)
        return &opt_defs[c - OPT_CODE_BASE];
    for (size_t i = 0; i < N_OPT_DEFS; i++)
        if (opt_defs[i].short_name != 0 && opt_defs[i].short_name == c)
            return &opt_defs[i];
    return NULL;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a)
{
    struct option longs[N_OPT_DEFS + 2];
    uint64_t given = 0; /* the options seen so far */
    char shorts[2 * N_OPT_DEFS + 3], prefix[96], *name0 = argv[0];
    size_t nl = 0, ns = 0;
    int c, rc;

    memset(a, 0, sizeof(*a));
    a->cmd = cmd;
    if (cmd->nargs == -1)
        shorts[ns++] = '+'; /* stop at the command name; its options are its own */
    shorts[ns++] = 'h';
    for (size_t i = 0; i < N_OPT_DEFS; i++) {
        const struct opt_def *d = &opt_defs[i];
        if ((cmd->opts & d->bit) == 0)
            continue;
        longs[nl++] = (struct option){d->name, d->has_arg, NULL,
                                      d->short_name ? d->short_name : OPT_CODE_BASE + (int)i};
        if (d->short_name) {
            shorts[ns++] = (char)d->short_name;
            if (d->has_arg)
                shorts[ns++] = ':';
        }
    }
    longs[nl++] = (struct option){"help", no_argument, NULL, 'h'};
    longs[nl] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = '\0';
    optind = 0; /* glibc: full re-initialisation, for each command's own argv */
    opterr = 1;
    /* getopt_long's own messages begin with argv[0]: "camwatch: footage find: unrecognized
     * option '--bogus'", as ours do, rather than the bare word "find". */
    if (strcmp(cmd->name, "camwatch") == 0)
        snprintf(prefix, sizeof(prefix), "camwatch");
    else
        snprintf(prefix, sizeof(prefix), "camwatch: %s", cmd->name);
    argv[0] = prefix;
    rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const struct opt_def *d = find_option(c);
        if (c == 'h') {
            fputs(cmd->usage, stdout);
            rc = CLI_DONE;
        } else if (d == NULL) {
            if (optopt == 'c' || strncmp(argv[optind - 1], "--config", 8) == 0)
                fprintf(stderr, "camwatch: -c FILE goes before the command: camwatch -c FILE %s\n",
                        cmd->name);
            fputs(cmd->usage, stderr);
            rc = EXIT_USAGE;
        } else if (d->has_arg && d->bit != CLI_OPT_CAMERAS && (given & d->bit)) {
            /* One value each: the last would win silently (a list is one value, ID,ID; only
             * the --camera that takes cameras may be repeated). */
            rc = cli_usage_error(cmd, "--%s: given twice (it takes one value)", d->name);
        } else {
            given |= d->bit;
            rc = take_option(cmd, d, optarg, a);
        }
    }
    argv[0] = name0;
    if (rc != 0)
        return rc;
    a->argc = argc - optind;
    a->argv = argv + optind;
    if (cmd->nargs >= 0 && a->argc > cmd->nargs && (given & CLI_OPT_CAMERAS))
        /* "--camera A B": B read as one more camera, which it is not */
        return cli_usage_error(cmd,
                               "unexpected argument '%s': more cameras are --camera ID,ID or "
                               "--camera given again",
                               a->argv[cmd->nargs]);
    if (cmd->nargs >= 0 && a->argc != cmd->nargs) {
        if (cmd->nargs_error != NULL)
            return cli_usage_error(cmd, "%s", cmd->nargs_error);
        return cli_usage_error(cmd, "unexpected argument '%s'", a->argv[0]);
    }
    return 0;
}

int cli_dispatch(struct cli *cli, const struct cli_args *a, const struct cli_command *const *subs,
                 size_t n)
{
    char list[256];
    size_t off = 0;

    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *sp = strrchr(subs[i]->name, ' '), *word = sp != NULL ? sp + 1 : subs[i]->name;
        if (a->argc > 0 && strcmp(a->argv[0], word) == 0)
            return cli_run(cli, subs[i], a->argc, a->argv);
        if (off < sizeof(list))
            off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", word);
    }
    if (a->argc == 0)
        return cli_usage_error(a->cmd, "expects one of: %s", list);
    return cli_usage_error(a->cmd, "unknown command '%s' (one of: %s)", a->argv[0], list);
}

/* What every command needs before it runs: the conf and store cmd->open names, and
 * --since in the site's zone. */
static int prepare(struct cli *cli, const struct cli_command *cmd, struct cli_args *a)
{
    const char *since = a->since != NULL ? a->since : cmd->since;
    int rc = 0;

    if (cmd->open == CLI_OPEN_CONFIG)
        rc = cli_open_config(cli);
    else if (cmd->open != CLI_OPEN_NOTHING)
        rc = cli_open(cli, cmd->open == CLI_OPEN_READWRITE ? STORE_READWRITE : STORE_READONLY);
    if (rc != 0)
        return rc;
    if ((cmd->opts & CLI_OPT_SINCE) && cw_parse_time(since, cli->tz, &a->since_ms) != 0) {
        struct cw_err e;

        cw_time_refuse(since, "--since", &e);
        return cli_usage_error(cmd, "%s: %s", e.field, e.msg);
    }
    return 0;
}

int cli_run(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
    struct cli_args a;
    int rc = cli_parse(cmd, argc, argv, &a);

    if (rc == 0)
        rc = prepare(cli, cmd, &a);
    if (rc == 0 && cmd->run != NULL) {
        rc = cmd->run(cli, &a);
    } else if (rc == 0) {
        json_t *doc = NULL;
        struct cw_err err;
        rc = cmd->doc(cli, &a, &doc, &err);
        rc = cli_show_doc(cli, &a, rc, doc, &err, cmd->render);
    }
    if (rc == CLI_DONE)
        rc = 0;
    cli_close(cli);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "camwatch: cannot write output: %s\n", strerror(errno));
        rc = EXIT_RUNTIME;
    }
    return rc;
}

/* ---- the conf and the store ---- */

/* The inventory's problems, as warnings: the store is intact and is read all the same; the
 * daemon refuses that inventory and keeps probing the cameras it had. */
void cli_warn_inventory(const struct cli *cli)
{
    const struct cw_errlist *errs = &cli->inventory_problems;
    char buf[1024];
    size_t shown = errs->n < CLI_INVENTORY_WARNINGS ? errs->n : CLI_INVENTORY_WARNINGS;

    if (errs->n == 0)
        return;
    for (size_t i = 0; i < shown; i++) {
        cw_err_format(&errs->v[i], buf, sizeof(buf));
        fprintf(stderr, "camwatch: warning: %s\n", buf);
    }
    if (errs->n > shown)
        fprintf(stderr, "camwatch: warning: and %zu more\n", errs->n - shown);
    fprintf(stderr,
            "camwatch: warning: the inventory has %zu problem%s (its cameras with one are left "
            "out); the store is shown as the daemon last wrote it. camwatchd -c %s "
            "--check-config lists them all\n",
            errs->n, errs->n == 1 ? "" : "s", cli->conf_path);
}

int cli_refuse_inventory(const struct cli *cli, const char *name, const char *done, const char *why,
                         const char *then)
{
    const struct cw_errlist *p = &cli->inventory_problems;
    const struct cfg *cfg = cli->cfg;
    char buf[1024];

    if (p->n == 0)
        return 0;
    for (size_t i = 0; i < p->n; i++) {
        cw_err_format(&p->v[i], buf, sizeof(buf));
        fprintf(stderr, "camwatch: %s: %s\n", name, buf);
    }
    fprintf(stderr,
            "camwatch: %s: refused, %s: %zu problem%s in %s%s%s (above) leave%s cameras out of "
            "the inventory, and %s; fix %s (camwatchd -c %s --check-config) and %s\n",
            name, done, p->n, p->n == 1 ? "" : "s",
            cfg->cameras_path != NULL ? cfg->cameras_path : "cameras.csv",
            cfg->credentials_path != NULL ? " or " : "",
            cfg->credentials_path != NULL ? cfg->credentials_path : "", p->n == 1 ? "s" : "", why,
            p->n == 1 ? "it" : "them", cli->conf_path, then);
    return EXIT_USAGE;
}

int cli_load_config(struct cli *cli)
{
    struct cw_errlist errs = {0};
    char buf[1024];

    if (cfg_load_mode(cli->conf_path, CFG_LOAD_READER, &cli->cfg, &errs) != 0) {
        for (size_t i = 0; i < errs.n; i++) {
            cw_err_format(&errs.v[i], buf, sizeof(buf));
            fprintf(stderr, "%s\n", buf);
        }
        if (errs.n == 0)
            fprintf(stderr, "camwatch: %s: cannot load configuration\n", cli->conf_path);
        cw_errlist_clear(&errs);
        return EXIT_USAGE;
    }
    cli->inventory_problems = errs; /* kept until cli_close */
    cli->tz = cli->cfg->time_zone;
    cli->doc = (struct doc_ctx){cli->store, cli->cfg, cli->tz};
    return 0;
}

int cli_open_config(struct cli *cli)
{
    int rc = cli_load_config(cli);

    if (rc == 0)
        cli_warn_inventory(cli);
    return rc;
}

int cli_open_store(struct cli *cli, enum store_mode mode)
{
    struct cw_err err;
    struct stat st;
    char buf[1024];

    /* READWRITE would create an empty store; a missing one means the daemon never ran. */
    if (stat(cli->cfg->database, &st) != 0) {
        fprintf(stderr, "camwatch: store %s: %s; run camwatchd first (camwatchd -c %s)\n",
                cli->cfg->database, strerror(errno), cli->conf_path);
        return EXIT_RUNTIME;
    }
    if (store_open(cli->cfg->database, mode, &cli->store, &err) != 0) {
        cw_err_format(&err, buf, sizeof(buf));
        fprintf(stderr, "camwatch: cannot open store: %s\n", buf);
        return EXIT_RUNTIME;
    }
    cli->doc.store = cli->store;
    return 0;
}

int cli_open(struct cli *cli, enum store_mode mode)
{
    int rc = cli_open_config(cli);

    return rc != 0 ? rc : cli_open_store(cli, mode);
}

void cli_close(struct cli *cli)
{
    store_close(cli->store);
    cfg_free(cli->cfg);
    cli->store = NULL;
    cli->cfg = NULL;
    cw_errlist_clear(&cli->inventory_problems);
    cli->doc = (struct doc_ctx){NULL, NULL, NULL};
}

int cli_range(const struct cli *cli, const struct cli_args *a, int64_t *from_ms, int64_t *to_ms)
{
    int64_t now = cw_now_ms();
    struct cw_err err;

    if (a->from == NULL && cw_start_of_month(cli->tz, now, from_ms) != 0)
        return cli_usage_error(a->cmd, "--from: no first of the month in zone %s", cli->tz);
    if (cw_range_at(a->from, a->to, cli->tz, now, "--", from_ms, to_ms, &err) != 0)
        return cli_usage_error(a->cmd, "--%s: %s", err.field, err.msg);
    return 0;
}

int cli_fail(const struct cw_err *err)
{
    char buf[1024];

    cw_err_format(err, buf, sizeof(buf));
    fprintf(stderr, "camwatch: %s\n", buf);
    return EXIT_RUNTIME;
}

/* ---- documents out ---- */

int cli_print_json(json_t *j)
{
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | DOC_JSON_FLAGS);

    json_decref(j);
    if (rc != 0) {
        fputs("camwatch: cannot write JSON\n", stderr);
        return EXIT_RUNTIME;
    }
    fputc('\n', stdout);
    return 0;
}

int cli_show(struct cli *cli, const struct cli_args *a, int rc, json_t *doc,
             const struct cw_err *err,
             void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc))
{
    if (rc != 0) {
        json_decref(doc);
        return cli_fail(err);
    }
    if (a->json)
        return cli_print_json(doc);
    render(cli, a, doc);
    json_decref(doc);
    return 0;
}

int cli_show_doc(struct cli *cli, const struct cli_args *a, int rc, json_t *doc,
                 const struct cw_err *err,
                 void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc))
{
    if (rc != DOC_BAD_INPUT)
        return cli_show(cli, a, rc, doc, err, render);
    json_decref(doc); /* the document refused what the command line gave it */
    if (err->field[0] != '\0')
        return cli_usage_error(a->cmd, "--%s: %s", err->field, err->msg);
    return cli_usage_error(a->cmd, "%s", err->msg);
}

int cli_stream(struct cli *cli, const struct cli_args *a,
               int (*write)(struct cli *cli, const struct cli_args *a, void *data,
                            struct doc_out *o, struct cw_err *err),
               void *data,
               void (*render)(const struct cli *cli, const struct cli_args *a, const json_t *doc))
{
    struct doc_out *o = a->json ? doc_out_file(stdout) : doc_out_tree();
    struct cw_err err;
    int rc;

    if (o == NULL)
        cli_die_oom();
    rc = write(cli, a, data, o, &err);
    if (a->json) {
        doc_out_free(o);
        return rc != 0 ? cli_fail(&err) : 0;
    }
    rc = cli_show(cli, a, rc, rc == 0 ? doc_out_take(o) : NULL, &err, render);
    doc_out_free(o);
    return rc;
}

int cli_jhas(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return v != NULL && !json_is_null(v);
}

const char *cli_jstr(const json_t *o, const char *key, const char *if_null)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : if_null;
}

int64_t cli_jint(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

double cli_jnum(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

char *cli_jjoin(const json_t *o, const char *key, char sep)
{
    const json_t *arr = json_object_get(o, key), *v;
    size_t len = 1, i;
    char *out, *p;

    json_array_foreach(arr, i, v) len +=
        strlen(json_string_value(v) ? json_string_value(v) : "") + 1;
    if ((p = out = malloc(len)) == NULL)
        cli_die_oom();
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v) ? json_string_value(v) : "";
        if (p > out)
            *p++ = sep;
        memcpy(p, s, strlen(s));
        p += strlen(s);
    }
    *p = '\0';
    return out;
}

const char *cli_jtime(const struct cli *cli, const json_t *o, const char *key, const char *if_null,
                      char *buf, size_t len)
{
    const char *iso = cli_jstr(o, key, NULL);
    size_t n;
    char *t;

    if (iso == NULL)
        return if_null != NULL ? if_null : cw_format_local(0, cli->tz, buf, len);
    /* The document's "YYYY-MM-DDTHH:MM:SS+hh:mm" is in the site's zone already: the same
     * wall-clock time, without the T and the offset. */
    n = strlen(iso);
    snprintf(buf, len, "%.*s", (int)(n > 6 ? n - 6 : n), iso);
    if ((t = strchr(buf, 'T')) != NULL)
        *t = ' ';
    return buf;
}

const char *cli_jres(const json_t *o, char *buf, size_t len)
{
    if (cli_jhas(o, "width") && cli_jhas(o, "height"))
        snprintf(buf, len, "%lldx%lld", (long long)cli_jint(o, "width"),
                 (long long)cli_jint(o, "height"));
    else
        snprintf(buf, len, "-");
    return buf;
}

const char *cli_fmt_opt(char *buf, size_t len, const char *fmt, double v, int known)
{
    if (known)
        snprintf(buf, len, fmt, v);
    else
        snprintf(buf, len, "-");
    return buf;
}
