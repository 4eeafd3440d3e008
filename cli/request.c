/* request.c - the camwatch request commands: `request create` (store an investigator's
 * request, with its audit row), `request show` (the request and its cameras' footage, as
 * `footage find` answers it now), `request list`, `request export` (its footage as evidence) and
 * `audit verify` (the audit trail's hash chain), `audit close-export` (the end of an export
 * killed), rendered from the documents (index/doc_footage.c)
 * and the export (index/export.h). */
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/export.h"
#include "../index/folderlock.h"
#include "../probes/stream.h"
#include "../util/cwtime.h"
#include "../util/file.h"
#include "cli.h"
#include "interrupt.h"
#include "table.h"

static const char create_usage[] =
    "usage: camwatch [-c FILE] request create --from TIME --to TIME\n"
    "                (--near LAT,LON [--radius M] | --place TEXT | --camera ID[,ID...])\n"
    "                --case CASE --reason TEXT --by NAME [--json]\n"
    "  Store an investigator's request and print its id; the request and who made it go to\n"
    "  the audit trail.\n"
    "  --from TIME --to TIME   the range, local time in the site's zone\n"
    "  --near LAT,LON          cameras within --radius METRES (default 500) of a point\n"
    "  --place TEXT            cameras whose name, address, road or commune holds TEXT\n"
    "  --camera ID             these cameras (repeat, or ID,ID,...)\n"
    "  --case CASE             the case it is for\n"
    "  --reason TEXT           why the footage is needed\n"
    "  --by NAME               who asks\n"
    "  --json                  print {\"id\": N}\n"
    "  A request for a place (--near, --place) is refused, with nothing stored (exit status\n"
    "  2), when the inventory has a problem (camwatchd -c FILE --check-config lists them): the\n"
    "  camera of a row with one may be missing from the cameras the place picks.\n";

static const char show_usage[] =
    "usage: camwatch [-c FILE] request show ID [--json]\n"
    "  A request (case, who, why, range, place) and its cameras with the footage of its range\n"
    "  as it is now: windows, gaps, state then, clock offset, and until about when it stays\n"
    "  retrievable.\n"
    "  --json          print {request, cameras}: the request as `request list` prints it,\n"
    "                  its cameras as `footage find --json` prints them\n";

static const char list_usage[] = "usage: camwatch [-c FILE] request list [--json]\n"
                                 "  Every request, newest first.\n"
                                 "  --json          print a JSON array\n";

static const char export_usage[] =
    "usage: camwatch [-c FILE] request export ID --out DIR [--by NAME] [--progress] [--json]\n"
    "  The request's footage as evidence, in DIR (made when missing): per camera one MP4\n"
    "  remuxed from the recorder's segments (never re-encoded), from the keyframe at or before\n"
    "  the start; the SHA-256 of every file and of every source segment; manifest.json,\n"
    "  manifest.txt (Vietnamese, with English) and SHA256SUMS (`sha256sum -c SHA256SUMS`).\n"
    "  Files are written whole or not at all, and never over an existing file. The export is\n"
    "  an audit row. The same request exported twice gives the same bytes. Ctrl-C (or SIGTERM,\n"
    "  SIGHUP) cancels it and leaves nothing in DIR (exit status 128 + the signal: 130).\n"
    "  --out DIR       the folder\n"
    "  --by NAME       who exports (default: the login name)\n"
    "  --progress      say how far it is on stderr even when that is not a terminal\n"
    "                  (a terminal is told without it)\n"
    "  --json          print {request, out_dir, files, cameras, sha256sums, delivered}\n";

static const char verify_usage[] =
    "usage: camwatch [-c FILE] audit verify [--json]\n"
    "  Walk the audit trail (every request and export) and check its hash chain: each row holds\n"
    "  the SHA-256 of the one before. Says where it breaks; exit status 1 when it does.\n"
    "  Lists every export that began (export.start) with no end recorded (no export or\n"
    "  export.failed row), and whether it runs now: a CLI export holds a lock on its folder\n"
    "  while it runs, so one whose lock is free (or whose folder is gone) was killed; one begun\n"
    "  by a version that did not lock its folder may run; an API export was killed when\n"
    "  camwatchd is not running, else it may run. Exit status 3 when the chain holds but one is\n"
    "  killed (or not known to run): `audit close-export` records what became of it. 0: the\n"
    "  chain holds and every export begun has ended or runs now.\n"
    "  --json          print {intact, rows, broken_at, why, unfinished_exports}; each of the\n"
    "                  last with state \"running\", \"killed\" or \"unknown\", and state_why\n";

static const char close_usage[] =
    "usage: camwatch [-c FILE] audit close-export ROW --by NAME --reason TEXT [--not-running]\n"
    "  Record what became of a killed export (one `audit verify` lists as killed): write the\n"
    "  export.failed row that ends its export.start audit row ROW, its detail the folder (or\n"
    "  the API export's name), then \"closed by hand: TEXT\", so that audit verify no longer\n"
    "  lists it. Nothing in the folder is touched. Refused (exit status 1) when ROW is not an\n"
    "  export.start row, has an end already, or may be running now (a process holds its\n"
    "  folder's lock; for an API export, camwatchd is running; an export begun by a version\n"
    "  that did not lock its folder, without --not-running).\n"
    "  --by NAME       who closes it\n"
    "  --reason TEXT   what became of it (what was found in its folder)\n"
    "  --not-running   for an export begun by a camwatch version that did not lock its folder\n"
    "                  (audit verify: \"running now, or killed: begun by a camwatch version\n"
    "                  that did not lock its folder\"), which nothing can tell from a running\n"
    "                  one: you know it is not running (no camwatch process exports into its\n"
    "                  folder: ps). Its row says \"closed by hand (--not-running): TEXT\". It\n"
    "                  changes nothing for another export: a held lock, or camwatchd running\n"
    "                  for an API export, still refuses.\n";

/* ---- request create ---- */

static void create_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    long long id = (long long)cli_jint(doc, "id");

    (void)cli;
    (void)a;
    printf("%lld\n", id);
    fprintf(stderr, "request %lld stored; `camwatch request show %lld` lists its cameras\n", id,
            id);
}

/* A request for a place (--place, --near) picks its cameras from the store, which the daemon
 * writes from the inventory it accepted; it refuses one with problems and keeps the cameras it
 * had, so a camera whose row has one may be missing from the store (a camera new in the sheet)
 * or stand there with the place it had (its row's new address or commune not taken). An
 * investigator's request must not silently miss cameras: with any problem, refuse it, naming
 * every one (file, line, field), before the store is opened. --camera names its cameras
 * exactly (an id the store does not have is refused): only warned. Returns 0, or EXIT_USAGE
 * after saying why. */
static int create_refused(const struct cli *cli, const struct doc_footage_query *q)
{
    if (q->scope.place == STORE_PLACE_CAMERAS) {
        cli_warn_inventory(cli);
        return 0;
    }
    return cli_refuse_inventory(cli, "request create", "nothing stored",
                                "a request for a place must not miss a camera",
                                "make the request again, or name its cameras with --camera");
}

/* The conf, the command line read as a document reads it (a refusal is a usage error), the
 * inventory judged (create_refused), and only then the store opened and the request written:
 * a refused request writes nothing. */
static int create_run(struct cli *cli, const struct cli_args *a)
{
    struct doc_footage_query q;
    struct store_request r;
    json_t *doc = NULL;
    struct cw_err err;
    int rc = cli_load_config(cli);

    if (rc != 0)
        return rc;
    rc = cli_footage_query(cli, a, &q, &err);
    if (rc == 0)
        rc = doc_request_of_query(&q, a->by_name, a->case_ref, a->reason, &r, &err);
    if (rc == 0 &&
        ((rc = create_refused(cli, &q)) != 0 || (rc = cli_open_store(cli, STORE_READWRITE)) != 0))
        return rc;
    if (rc == 0)
        rc = doc_request_create(&cli->doc, &r, q.now_ms, &doc, &err);
    return cli_show_doc(cli, a, rc, doc, &err, create_render);
}

#define CREATE_OPTS                                                                                \
    (CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_NEAR | CLI_OPT_RADIUS | CLI_OPT_PLACE | CLI_OPT_CAMERAS | \
     CLI_OPT_CASE | CLI_OPT_REASON | CLI_OPT_BY_NAME | CLI_OPT_JSON)
/* Loads the conf and opens the store itself, once the inventory is judged. */
const struct cli_command cli_request_create_command = {
    "request create", create_usage, CREATE_OPTS, 0,   "takes no arguments", CLI_OPEN_NOTHING, NULL,
    create_run,       NULL,         NULL,        NULL};

/* ---- request show ---- */

static void request_header(const struct cli *cli, const json_t *r)
{
    const json_t *place = json_object_get(r, "place");
    char a[64], b[64];

    printf("request %lld: case %s, by %s: %s\n", (long long)cli_jint(r, "id"),
           cli_jstr(r, "case", ""), cli_jstr(r, "by", ""), cli_jstr(r, "reason", ""));
    printf("%s – %s, ", cli_jtime(cli, r, "from", "-", a, sizeof(a)),
           cli_jtime(cli, r, "to", "-", b, sizeof(b)));
    if (strcmp(cli_jstr(place, "kind", ""), "point") == 0)
        printf("within %.0f m of %.6f, %.6f\n\n", cli_jnum(place, "radius_m"),
               cli_jnum(place, "lat"), cli_jnum(place, "lon"));
    else if (strcmp(cli_jstr(place, "kind", ""), "text") == 0)
        printf("place \"%s\"\n\n", cli_jstr(place, "text", ""));
    else {
        char *ids = cli_jjoin(place, "cameras", ',');
        printf("cameras %s\n\n", ids);
        free(ids);
    }
}

/* The request's header, then its cameras' footage as `footage find` shows it. */
static void show_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    request_header(cli, json_object_get(doc, "request"));
    cli_footage_render(cli, a, json_object_get(doc, "cameras"));
}

static int show_run(struct cli *cli, const struct cli_args *a)
{
    const struct doc_request_query q = {cli_row_id(a->argv[0]), cw_now_ms()};
    json_t *doc = NULL;
    struct cw_err err;
    int rc;

    if (q.id == 0)
        return cli_usage_error(a->cmd, "'%s' is not a request id", a->argv[0]);
    rc = doc_view_run(&cli->doc, &doc_view_request, &q, &doc, &err);
    return cli_show_doc(cli, a, rc, doc, &err, show_render);
}

const struct cli_command cli_request_show_command = {"request show",
                                                     show_usage,
                                                     CLI_OPT_JSON,
                                                     1,
                                                     "expects one request ID",
                                                     CLI_OPEN_READONLY,
                                                     NULL,
                                                     show_run,
                                                     NULL,
                                                     NULL,
                                                     NULL};

/* ---- request list ---- */

static int list_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    (void)a;
    return doc_view_run(&cli->doc, &doc_view_requests, NULL, out, err);
}

static void list_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"ID", "CREATED", "CASE", "BY", "FROM", "TO", "PLACE"};
    struct cli_table t = {.ncols = 7, .heads = heads, .right = "rllllll"};
    char id[32], c[64], f[64], to[64], where[160];
    const json_t *o;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, o)
    {
        const json_t *p = json_object_get(o, "place");
        const char *kind = cli_jstr(p, "kind", "");
        snprintf(id, sizeof(id), "%lld", (long long)cli_jint(o, "id"));
        if (strcmp(kind, "point") == 0)
            snprintf(where, sizeof(where), "%.0f m of %.5f,%.5f", cli_jnum(p, "radius_m"),
                     cli_jnum(p, "lat"), cli_jnum(p, "lon"));
        else if (strcmp(kind, "text") == 0)
            snprintf(where, sizeof(where), "\"%s\"", cli_jstr(p, "text", ""));
        else {
            char *ids = cli_jjoin(p, "cameras", ',');
            snprintf(where, sizeof(where), "%s", ids);
            free(ids);
        }
        cli_table_add(&t, id, cli_jtime(cli, o, "created", "-", c, sizeof(c)),
                      cli_jstr(o, "case", ""), cli_jstr(o, "by", ""),
                      cli_jtime(cli, o, "from", "-", f, sizeof(f)),
                      cli_jtime(cli, o, "to", "-", to, sizeof(to)), where);
    }
    cli_table_show(&t, "no request yet");
}

const struct cli_command cli_request_list_command = {
    "request list", list_usage, CLI_OPT_JSON, 0,   "takes no arguments", CLI_OPEN_READONLY, NULL,
    NULL,           list_doc,   list_render,  NULL};

/* ---- request export ---- */

struct export_ctx {
    int shown; /* a progress line is on the terminal */
};

static void export_progress(void *data, size_t i, size_t n, const char *camera, int64_t done,
                            int64_t total)
{
    struct export_ctx *x = data;

    /* kB below 10 MB: a camera's few minutes would read "0 of 0 MB" */
    int kb = total < 10000000;
    double unit = kb ? 1e3 : 1e6;

    fprintf(stderr, "\rcamwatch: camera %zu of %zu (%s): %.0f of %.0f %s   ", i + 1, n, camera,
            (double)done / unit, (double)total / unit, kb ? "kB" : "MB");
    x->shown = 1;
}

#define AUDIT_ACTOR_SIZE sizeof(((struct store_audit *)0)->actor)

/* Whether text, given as option opt (--by, --reason), can go whole into an audit row field of
 * size bytes (SIZE_MAX: not measured here), as request create asks of its own: not empty,
 * doc_text_check's (UTF-8, on one line: a new line in a row printed would forge a line), not
 * cut. 0, or cli_usage_error's exit status. */
static int audit_text(const struct cli_args *a, const char *opt, const char *text, size_t size)
{
    struct cw_err err;

    if (text[0] == '\0')
        return cli_usage_error(a->cmd, "%s: required: the audit trail says who did what and why",
                               opt);
    if (doc_text_check(opt, text, &err) != 0)
        return cli_usage_error(a->cmd, "%s: %s", opt, err.msg);
    if (strlen(text) >= size)
        return cli_usage_error(a->cmd, "%s: %zu bytes at the most", opt, size - 1);
    return 0;
}

/* Who exports: --by, else the login name. */
static void exporter(const struct cli_args *a, char *buf, size_t len)
{
    const struct passwd *pw = getpwuid(getuid());

    if (a->by_name != NULL)
        snprintf(buf, len, "%s", a->by_name);
    else
        snprintf(buf, len, "%s (uid %u)", pw != NULL ? pw->pw_name : "unknown", (unsigned)getuid());
}

static void export_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    (void)cli;
    (void)a;
    printf("request %lld: %lld files of %lld cameras in %s\n", (long long)cli_jint(doc, "request"),
           (long long)cli_jint(doc, "files"), (long long)cli_jint(doc, "cameras"),
           cli_jstr(doc, "out_dir", ""));
    if (cli_jhas(doc, "delivered"))
        printf("delivered: %s\n", cli_jstr(doc, "delivered", ""));
    printf("SHA256SUMS %s (in the audit trail)\n", cli_jstr(doc, "sha256sums", ""));
}

/* The audit row saying the export begun failed (why): the trail says what became of it. A
 * store that refuses it is said, and the export's own failure stays the one reported. */
static void export_failed_row(struct store *s, int64_t id, int64_t start_id, const char *who,
                              const char *where, const char *why)
{
    struct cw_err err;

    if (export_audit_failed(s, id, start_id, who, where, why, cw_now_ms(), &err) != 0)
        fprintf(stderr, "camwatch: the export's export.failed audit row was not written: %s\n",
                err.msg);
}

/* The folder where (resolved; made 0750 when missing, *made set, its name in the folder above
 * synced, as export_run does for a folder it makes) locked for the export's whole life, before
 * its export.start row and until after its end row: audit verify tells a running export from a
 * killed one by it (folderlock.h). 0 with *fd, or -1 with err. */
static int export_lock(const char *where, int *fd, int *made, struct cw_err *err)
{
    *made = 0;
    if (mkdir(where, EXPORT_DIR_MODE) == 0)
        *made = 1;
    else if (errno != EEXIST)
        return cw_err_set(err, where, 0, NULL, "cannot make the folder: %s", strerror(errno));
    if ((!*made || cw_file_sync_dir(where, err) == 0) && folderlock_take(where, fd, err) == 0)
        return 0;
    if (*made)
        rmdir(where);
    return -1;
}

/* The lock released, and the folder export_lock made removed when the export left it empty. */
static void export_unlock(const char *where, int fd, int made)
{
    if (made)
        rmdir(where); /* fails, as it should, on a folder the export filled */
    folderlock_release(fd);
}

/* What an export holds from its beginning to its end row. */
struct export_begun {
    struct cli_interrupt stop;
    char where[4096];
    int64_t start_id;
    int lock, made;
};

/* Everything an export needs made ready, then its export.start row written, as the daemon
 * writes it: no export without a record, and no record before everything is ready. Signals
 * are watched first: from then on a Ctrl-C cancels the export cleanly (before its row: nothing
 * begun), and when they cannot be watched nothing is begun. The row names the folder by its
 * absolute path (the path typed means nothing later), says that its lock is held, and is
 * written with the lock held (export_lock); a folder others could write is refused before it.
 * 0 with *b held, or the exit status after saying why, with nothing held. */
static int export_begin(struct cli *cli, const struct cli_args *a, int64_t id, const char *who,
                        struct export_begun *b)
{
    struct cw_err err;
    int sig;

    b->lock = -1;
    b->made = 0;
    if (cli_interrupt_start(&b->stop) != 0) {
        cw_err_set(&err, NULL, 0, NULL, "cannot watch for Ctrl-C (%s): nothing exported to %s",
                   strerror(errno), a->out);
        return cli_fail(&err);
    }
    if (export_dir_check(a->out, b->where, sizeof(b->where), &err) != 0 ||
        export_lock(b->where, &b->lock, &b->made, &err) != 0) {
        cli_interrupt_stop(&b->stop);
        return cli_fail(&err);
    }
    if ((sig = atomic_load(&b->stop.signal)) == 0 &&
        export_audit_start(cli->store, id, who, b->where, 1, cw_now_ms(), &b->start_id, &err) == 0)
        return 0;
    export_unlock(b->where, b->lock, b->made);
    cli_interrupt_stop(&b->stop);
    if (sig != 0) {
        fprintf(stderr, "camwatch: export cancelled (%s) before it began: nothing exported to %s\n",
                strsignal(sig), a->out);
        return 128 + sig;
    }
    fprintf(stderr, "camwatch: nothing exported to %s: its audit row cannot be written\n", a->out);
    return cli_fail(&err);
}

static int export_run_cmd(struct cli *cli, const struct cli_args *a)
{
    int64_t id = cli_row_id(a->argv[0]);
    struct export_ctx x = {0};
    struct export_begun b;
    struct export_cfg *set = NULL;
    struct export_plan *plan = NULL;
    struct export_result res;
    struct doc_export e;
    json_t *doc = NULL;
    struct cw_err err;
    char who[160];
    int rc, progress = a->progress || isatty(2);

    if (id == 0)
        return cli_usage_error(a->cmd, "'%s' is not a request id", a->argv[0]);
    if (a->out == NULL)
        return cli_usage_error(a->cmd, "--out DIR is needed");
    if (a->by_name != NULL && (rc = audit_text(a, "--by", a->by_name, AUDIT_ACTOR_SIZE)) != 0)
        return rc;
    stream_global_init();
    exporter(a, who, sizeof(who));
    if ((set = export_cfg_copy(cli->cfg)) == NULL) {
        cw_err_set(&err, NULL, 0, NULL, "out of memory");
        return cli_fail(&err);
    }
    rc = export_plan_build(cli->store, export_cfg_settings(set), id, &plan, &err);
    export_cfg_free(set);
    if (rc != 0)
        return cli_fail(&err);
    if ((rc = export_begin(cli, a, id, who, &b)) != 0) {
        export_plan_free(plan);
        return rc;
    }
    rc =
        export_run(plan, a->out, &b.stop.signal, progress ? export_progress : NULL, &x, &res, &err);
    if (x.shown)
        fputc('\n', stderr);
    if (rc != 0) {
        int sig = atomic_load(&b.stop.signal);
        char why[1024];

        if (sig != 0)
            snprintf(why, sizeof(why), "export cancelled (%s)", strsignal(sig));
        else
            cw_err_format(&err, why, sizeof(why));
        export_failed_row(cli->store, id, b.start_id, who, b.where, why);
        export_unlock(b.where, b.lock, b.made);
        cli_interrupt_stop(&b.stop);
        export_plan_free(plan);
        if (sig == 0)
            return cli_fail(&err);
        fprintf(stderr, "camwatch: %s: nothing left in %s\n", why, a->out);
        return 128 + sig;
    }
    /* The files are there whatever happens next; the audit row says who made them and their
     * hash (a signal now waits for it; the store's busy timeout waits out another writer). */
    rc = export_audit(cli->store, plan, &res, b.start_id, who, cw_now_ms(), &err);
    folderlock_release(b.lock); /* after its end row: the folder is the export's, filled */
    cli_interrupt_stop(&b.stop);
    export_plan_free(plan);
    if (rc != 0) {
        fprintf(stderr,
                "camwatch: the export is in %s but its final audit row (with the SHA-256 of %s) "
                "was not written; its export.start row was\n",
                res.out_dir, EXPORT_SUMS);
        return cli_fail(&err);
    }
    e = (struct doc_export){id, res.out_dir, res.sums_sha256, res.summary, res.files, res.cameras};
    rc = doc_exported(&cli->doc, &e, &doc, &err);
    return cli_show(cli, a, rc, doc, &err, export_render);
}

#define EXPORT_OPTS (CLI_OPT_OUT | CLI_OPT_BY_NAME | CLI_OPT_PROGRESS | CLI_OPT_JSON)
const struct cli_command cli_request_export_command = {"request export",
                                                       export_usage,
                                                       EXPORT_OPTS,
                                                       1,
                                                       "expects one request ID",
                                                       CLI_OPEN_READWRITE,
                                                       NULL,
                                                       export_run_cmd,
                                                       NULL,
                                                       NULL,
                                                       NULL};

/* ---- audit verify ---- */

/* What verify says of an unfinished export's state (doc_audit_verify's state, state_why). */
static void unfinished_state_text(const json_t *o, char *buf, size_t len)
{
    const char *state = cli_jstr(o, "state", ""), *why = cli_jstr(o, "state_why", "");
    int folder = cli_jhas(o, "folder");

    if (strcmp(state, "running") == 0)
        snprintf(buf, len, "running now: a process holds its folder");
    else if (strcmp(state, "killed") == 0)
        snprintf(buf, len, "killed: %s",
                 why[0] != '\0' ? why
                 : folder       ? "no process holds its folder"
                                : "not running");
    else
        snprintf(buf, len, "running now, or killed%s%s", why[0] != '\0' ? ": " : "", why);
}

/* How many unfinished exports are not running now (killed, or not known). */
static size_t unfinished_dead(const json_t *list)
{
    const json_t *o;
    size_t i, dead = 0;

    json_array_foreach(list, i, o)
    {
        dead += strcmp(cli_jstr(o, "state", ""), "running") != 0;
    }
    return dead;
}

/* Whether one of them was begun by a version that did not lock its folder. */
static int unfinished_unlocked(const json_t *list)
{
    const json_t *o;
    size_t i;
    int found = 0;

    json_array_foreach(list, i, o)
    {
        found |= json_is_false(json_object_get(o, "locks_folder"));
    }
    return found;
}

/* One line per export begun with no end recorded: its state, which row, when, who, which
 * request, where; what to do about a killed one. */
static void verify_render_unfinished(const struct cli *cli, const json_t *list)
{
    const json_t *o;
    char at[64], req[32], state[4600];
    size_t i;

    json_array_foreach(list, i, o)
    {
        snprintf(req, sizeof(req), "%lld", (long long)cli_jint(o, "request"));
        unfinished_state_text(o, state, sizeof(state));
        printf("export with no end recorded (%s): audit row %lld, began %s by %s, request %s, "
               "%s %s\n",
               state, (long long)cli_jint(o, "row"),
               cli_jtime(cli, o, "began", "-", at, sizeof(at)), cli_jstr(o, "by", ""),
               cli_jhas(o, "request") ? req : "?", cli_jhas(o, "folder") ? "folder" : "API export",
               cli_jhas(o, "folder") ? cli_jstr(o, "folder", "") : cli_jstr(o, "export", ""));
    }
    if (unfinished_dead(list) > 0)
        printf("  (each began and no export or export.failed row follows; a killed one may have "
               "left its files, or temporaries .camwatch-export-*, in its folder: see what is "
               "there, then `camwatch audit close-export ROW --by NAME --reason TEXT` records "
               "what became of it%s)\n",
               unfinished_unlocked(list) ? "; one begun by a version that did not lock its "
                                           "folder, once you know it is not running, with "
                                           "--not-running"
                                         : "");
}

static int verify_run(struct cli *cli, const struct cli_args *a)
{
    json_t *doc = NULL;
    struct cw_err err;
    int intact, rc;
    const json_t *unfinished;

    if (doc_audit_verify(&cli->doc, &doc, &err) != 0)
        return cli_fail(&err);
    intact = json_is_true(json_object_get(doc, "intact"));
    unfinished = json_object_get(doc, "unfinished_exports");
    /* Broken outranks unfinished; an export running now is no fault, a killed one is. */
    rc = !intact ? EXIT_RUNTIME : unfinished_dead(unfinished) > 0 ? EXIT_AUDIT_UNFINISHED : 0;
    if (a->json) {
        int prc = cli_print_json(doc);
        return prc != 0 ? prc : rc;
    }
    if (intact)
        printf("audit trail intact: %lld rows\n", (long long)cli_jint(doc, "rows"));
    else
        printf("audit trail BROKEN at row %lld of %lld: %s\n",
               (long long)cli_jint(doc, "broken_at"), (long long)cli_jint(doc, "rows"),
               cli_jstr(doc, "why", ""));
    verify_render_unfinished(cli, unfinished);
    json_decref(doc);
    return rc;
}

const struct cli_command cli_audit_verify_command = {
    "audit verify", verify_usage, CLI_OPT_JSON, 0,   "takes no arguments", CLI_OPEN_READONLY, NULL,
    verify_run,     NULL,         NULL,         NULL};

/* ---- audit close-export ---- */

/* Whether the CLI export begun at row a into where may run now, and if not, its folder's lock
 * taken (*fd, -1 when the folder is gone) so that no export into it begins while the row is
 * written. A row without the mark of its lock (an older version's export, which held none) is
 * refused unless the operator says it is not running (--not-running); its folder is tested all
 * the same (another export into it may run now). 0, or -1 with err saying why it is refused. */
static int close_check_folder(const struct cli *cli, const struct cli_args *args,
                              const struct store_audit *a, const char *where, int locked, int *fd,
                              struct cw_err *err)
{
    char why[4400];
    enum folderlock_state st;

    if (!locked && !args->not_running)
        return cw_err_set(err, NULL, 0, NULL,
                          "audit row %lld: the export into %s was %s: nothing written; once you "
                          "know it is not (no camwatch process exporting into that folder), "
                          "close it with --not-running",
                          (long long)a->id, where, FOLDERLOCK_WHY_UNLOCKED);
    st = locked ? folderlock_export(cli->cfg->database, a, why, sizeof(why))
                : folderlock_probe(where, why, sizeof(why));
    if (st == FOLDERLOCK_HELD)
        return cw_err_set(err, NULL, 0, NULL,
                          "audit row %lld: %s export into %s is running now (a process holds "
                          "its folder's lock): nothing written",
                          (long long)a->id, locked ? "the" : "another", where);
    if (st == FOLDERLOCK_UNKNOWN)
        return cw_err_set(err, NULL, 0, NULL, "audit row %lld: %s: nothing written",
                          (long long)a->id, why);
    if (why[0] != '\0') /* the folder is gone */
        return 0;
    return folderlock_take(where, fd, err);
}

/* Whether the export begun at row a may run now, and if not, for a CLI export its folder's lock
 * taken (close_check_folder). 0, or -1 with err saying why it is refused. */
static int close_check_dead(const struct cli *cli, const struct cli_args *args,
                            const struct store_audit *a, int *fd, struct cw_err *err)
{
    char why[4400], where[sizeof(a->detail)];
    int locked = store_audit_start_where(a, where, sizeof(where));

    *fd = -1;
    if (where[0] == '/')
        return close_check_folder(cli, args, a, where, locked, fd, err);
    /* an API export: camwatchd's, which closes its own at start */
    if (folderlock_export(cli->cfg->database, a, why, sizeof(why)) == FOLDERLOCK_FREE)
        return 0;
    return cw_err_set(err, NULL, 0, NULL,
                      "audit row %lld: API export %s may be running now (%s): stop camwatchd "
                      "first, which closes its own dead exports as it starts",
                      (long long)a->id, where, why);
}

/* Whether start row id has no end row: 1, 0 (it has one), -1 with err. */
static int close_is_open(struct store *s, int64_t id, struct cw_err *err)
{
    struct store_audit *open = NULL;
    size_t n = 0;
    int found = 0;

    if (store_audit_unfinished_exports(s, &open, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        found |= open[i].id == id;
    free(open);
    return found;
}

/* err saying the export begun at row id has its end row already; -1. */
static int close_ended(int64_t id, struct cw_err *err)
{
    return cw_err_set(err, NULL, 0, NULL,
                      "audit row %lld: the export it began has its end row already: nothing "
                      "written",
                      (long long)id);
}

/* 0 when the export begun at row a may be closed by hand, its folder's lock then held in *fd
 * (-1 when its folder is gone, or for an API export), or -1 with err saying why not. */
static int close_allowed(const struct cli *cli, const struct cli_args *args,
                         const struct store_audit *a, int *fd, struct cw_err *err)
{
    int open;

    *fd = -1;
    if (strcmp(a->action, "export.start") != 0)
        return cw_err_set(err, NULL, 0, NULL,
                          "audit row %lld is a %s row, not an export.start row: only an export "
                          "begun is closed",
                          (long long)a->id, a->action);
    if ((open = close_is_open(cli->store, a->id, err)) <= 0)
        return open < 0 ? -1 : close_ended(a->id, err);
    if (close_check_dead(cli, args, a, fd, err) != 0)
        return -1;
    /* Again with the lock held: a process that held it wrote its end before it let go. */
    if ((open = close_is_open(cli->store, a->id, err)) > 0)
        return 0;
    folderlock_release(*fd);
    *fd = -1;
    return open < 0 ? -1 : close_ended(a->id, err);
}

static int close_run(struct cli *cli, const struct cli_args *a)
{
    int64_t row = cli_row_id(a->argv[0]);
    struct store_audit *v = NULL;
    long long request = 0;
    size_t n = 0;
    struct cw_err err;
    char why[1024], where[sizeof(v->detail)];
    int fd = -1, rc = -1, bad, unlocked;

    if (row == 0)
        return cli_usage_error(a->cmd, "'%s' is not an audit row number", a->argv[0]);
    if (a->by_name == NULL)
        return cli_usage_error(a->cmd, "--by NAME is needed");
    if (a->reason == NULL)
        return cli_usage_error(a->cmd, "--reason TEXT is needed");
    if ((bad = audit_text(a, "--by", a->by_name, AUDIT_ACTOR_SIZE)) != 0 ||
        (bad = audit_text(a, "--reason", a->reason, SIZE_MAX)) != 0)
        return bad; /* rc stays -1: only a row written makes it 0 */
    if (store_list_audit(cli->store, row - 1, 1, &v, &n, &err) != 0)
        return cli_fail(&err);
    if (n == 0 || v[0].id != row)
        cw_err_set(&err, NULL, 0, NULL, "audit row %lld: no such row", (long long)row);
    else if (close_allowed(cli, a, &v[0], &fd, &err) == 0) {
        if (sscanf(v[0].subject, "request %lld", &request) != 1)
            request = 0;
        /* the row says when it rests on the closer's word, not on a lock or camwatchd */
        unlocked = !store_audit_start_where(&v[0], where, sizeof(where)) && where[0] == '/';
        snprintf(why, sizeof(why), "closed by hand%s: %s", unlocked ? " (--not-running)" : "",
                 a->reason);
        rc = export_audit_failed(cli->store, request, row, a->by_name, where, why, cw_now_ms(),
                                 &err);
    }
    folderlock_release(fd);
    free(v);
    if (rc != 0)
        return cli_fail(&err);
    printf("audit row %lld: the export it began is closed: export.failed row written by %s\n",
           (long long)row, a->by_name);
    return 0;
}

#define CLOSE_OPTS (CLI_OPT_BY_NAME | CLI_OPT_REASON | CLI_OPT_NOT_RUNNING)
const struct cli_command cli_audit_close_export_command = {"audit close-export",
                                                           close_usage,
                                                           CLOSE_OPTS,
                                                           1,
                                                           "expects one audit ROW",
                                                           CLI_OPEN_READWRITE,
                                                           NULL,
                                                           close_run,
                                                           NULL,
                                                           NULL,
                                                           NULL};
