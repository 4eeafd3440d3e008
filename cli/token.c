/* token.c - `camwatch token add|list|remove`: the HTTP API's tokens file (config/tokens.h).
 * add prints the new token once (only its SHA-256 is kept); the daemon rereads the file when
 * it changes. The file is written through a temporary in its folder, renamed over it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/tokens.h"
#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

static const char usage[] =
    "usage: camwatch [-c FILE] token add NAME --role viewer|investigator|admin [--json]\n"
    "       camwatch [-c FILE] token list [--json]\n"
    "       camwatch [-c FILE] token remove NAME\n"
    "  Tokens of the HTTP API, kept in tokens.ini beside camwatch.conf as a name, a role and\n"
    "  the token's SHA-256. add prints the new token once: give it to its holder, who sends\n"
    "  it as \"Authorization: Bearer TOKEN\". Roles: viewer sees the cameras' health;\n"
    "  investigator also finds footage, makes requests and downloads exports; admin also\n"
    "  sets maintenance, clears references, opens and closes tickets. A running daemon takes\n"
    "  changes at once.\n";

static const char add_usage[] =
    "usage: camwatch [-c FILE] token add NAME --role viewer|investigator|admin [--json]\n"
    "  Make a token for NAME (letters, digits, . _ - @; at most 40), print it once.\n";
static const char list_usage[] = "usage: camwatch [-c FILE] token list [--json]\n";
static const char remove_usage[] = "usage: camwatch [-c FILE] token remove NAME\n";

/* The tokens file of the conf; exits when out of memory. Caller frees. */
static char *file_of(const struct cli *cli)
{
    char *p = tokens_path(cli->cfg);

    if (p == NULL)
        cli_die_oom();
    return p;
}

/* Whether the tokens file at path reads whole: add and remove rewrite it and list shows it,
 * so none goes on over a file with a problem. More than one problem: each is said on stderr
 * by file, line and field, and err counts them; one: err is it. Returns 0, or -1. */
static int check_file(const char *path, struct cw_err *err)
{
    struct cw_errlist errs = {0};
    struct tokens t = {0};
    char line[1024];
    int rc = tokens_load(path, &t, NULL, &errs);

    tokens_clear(&t);
    if (rc != 0 && errs.n == 0) {
        cw_err_set(err, path, 0, NULL, "cannot read the tokens file: out of memory");
    } else if (rc != 0 && errs.n == 1) {
        *err = errs.v[0];
    } else if (rc != 0) {
        for (size_t i = 0; i < errs.n; i++) {
            cw_err_format(&errs.v[i], line, sizeof(line));
            fprintf(stderr, "camwatch: %s\n", line);
        }
        cw_err_set(err, path, 0, NULL, "%zu problems, each named above (the file is left as it is)",
                   errs.n);
    }
    cw_errlist_clear(&errs);
    return rc;
}

/* The token on stdout alone (for scripts), what it is for on stderr. */
static void add_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    (void)cli;
    (void)a;
    printf("%s\n", cli_jstr(doc, "token", ""));
    fprintf(stderr,
            "camwatch: token for %s (%s) added to %s; it is shown this once, keep it "
            "safe\n",
            cli_jstr(doc, "name", ""), cli_jstr(doc, "role", ""), cli_jstr(doc, "file", ""));
}

static int add_run(struct cli *cli, const struct cli_args *a)
{
    char token[TOKENS_TOKEN_MAX], at[64], *path;
    enum tokens_role role;
    json_t *doc = NULL;
    struct cw_err err;
    int rc;

    if (!tokens_name_ok(a->argv[0]))
        return cli_usage_error(a->cmd, "NAME '%s': 1 to 40 letters, digits, '.', '_', '-' or '@'",
                               a->argv[0]);
    if (a->role == NULL)
        return cli_usage_error(a->cmd, "--role is required: viewer, investigator or admin");
    if (tokens_role_parse(a->role, &role) != 0)
        return cli_usage_error(a->cmd, "unknown role '%s' (viewer, investigator or admin)",
                               a->role);
    path = file_of(cli);
    if (check_file(path, &err) != 0) {
        free(path);
        return cli_fail(&err);
    }
    cw_format_iso(cw_now_ms(), cli->tz, at, sizeof(at));
    rc = tokens_add(path, a->argv[0], role, at, token, sizeof(token), &err);
    if (rc == 0)
        rc =
            doc_token_added(&cli->doc, a->argv[0], tokens_role_name(role), token, path, &doc, &err);
    memset(token, 0, sizeof(token));
    free(path);
    return cli_show(cli, a, rc, doc, &err, add_render);
}

static int list_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    char *path = file_of(cli);
    int rc = check_file(path, err);

    (void)a;
    free(path);
    *out = NULL;
    return rc != 0 ? rc : doc_tokens(&cli->doc, out, err);
}

static void list_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"NAME", "ROLE", "CREATED"};
    struct cli_table t = {.ncols = 3, .heads = heads, .right = "lll"};
    const json_t *tokens = json_object_get(doc, "tokens"), *e;
    size_t i;

    (void)cli;
    (void)a;
    if (json_array_size(tokens) == 0) {
        printf("no tokens in %s; make one with `camwatch token add NAME --role ROLE`\n",
               cli_jstr(doc, "file", ""));
        return;
    }
    json_array_foreach(tokens, i, e) cli_table_add(
        &t, cli_jstr(e, "name", ""), cli_jstr(e, "role", ""), cli_jstr(e, "created", "-"));
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

static int remove_run(struct cli *cli, const struct cli_args *a)
{
    struct cw_err err;
    char *path = file_of(cli);
    int rc = check_file(path, &err) != 0 ? -1 : tokens_remove(path, a->argv[0], &err);

    if (rc == 0)
        fprintf(stderr, "camwatch: token %s removed from %s\n", a->argv[0], path);
    free(path);
    return rc != 0 ? cli_fail(&err) : 0;
}

static const struct cli_command add_command = {"token add",
                                               add_usage,
                                               CLI_OPT_ROLE | CLI_OPT_JSON,
                                               1,
                                               "expects one NAME",
                                               CLI_OPEN_CONFIG,
                                               NULL,
                                               add_run,
                                               NULL,
                                               NULL,
                                               NULL};
static const struct cli_command list_command = {"token list", list_usage,      CLI_OPT_JSON, 0,
                                                NULL,         CLI_OPEN_CONFIG, NULL,         NULL,
                                                list_doc,     list_render,     NULL};
static const struct cli_command remove_command = {
    "token remove", remove_usage, 0,    1,   "expects one NAME", CLI_OPEN_CONFIG, NULL,
    remove_run,     NULL,         NULL, NULL};

static int run(struct cli *cli, const struct cli_args *a)
{
    static const struct cli_command *const subs[] = {&add_command, &list_command, &remove_command};

    return cli_dispatch(cli, a, subs, sizeof(subs) / sizeof(subs[0]));
}

const struct cli_command cli_token_command = {"token", usage, 0,    -1,   NULL, CLI_OPEN_NOTHING,
                                              NULL,    run,   NULL, NULL, NULL};
