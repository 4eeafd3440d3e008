/* alerts.c - `camwatch alerts [list]`: the alert history, from the alerts document
 * (index/doc_alerts.c), as a table or JSON; and `camwatch alerts test`: one test alert made and
 * sent through the daemon's own code (the document, the store's alert and deliveries, the
 * delivery queue on a libev loop with a curl multi of its own), one attempt per target, each
 * outcome said as it comes. */
#include <curl/curl.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/alertmsg.h"
#include "../daemon/alertq.h"
#include "../util/cwtime.h"
#include "cli.h"
#include "table.h"

#define ALERTS_DEFAULT_SINCE "-7d"
#define ALERTS_LIST_LIMIT 1000 /* the newest this many */

static const char list_usage[] =
    "usage: camwatch [-c FILE] alerts [list] [--camera ID] [--since TIME] [--json]\n"
    "       camwatch [-c FILE] alerts test    (a test alert to every target: alerts test --help)\n"
    "  The alerts camwatchd made (a camera's settled change, flapping and settling, the daily\n"
    "  digest, tests) and where each went: sent, pending with its next attempt, or failed\n"
    "  with why. Oldest first; the newest 1000.\n"
    "  --camera ID     only this camera's\n"
    "  --since TIME    from TIME (default -7d): YYYY-MM-DD[ HH:MM[:SS]] in the site's zone,\n"
    "                  ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON array\n";

static const char test_usage[] =
    "usage: camwatch [-c FILE] alerts test\n"
    "  Send a test alert to every target in [alerts] (each webhook, the e-mail) the way the\n"
    "  daemon sends, once each, and say what each answered. It is kept in the history.\n"
    "  Exit status 0 when every target took it, 1 when any did not.\n";

/* "webhook sent; email pending (2 attempts: nothing listens at ...)". Caller frees. */
static char *deliveries_text(const json_t *alert)
{
    const json_t *v;
    size_t i, len = 0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        cli_die_oom();
    json_array_foreach(json_object_get(alert, "deliveries"), i, v)
    {
        const char *status = cli_jstr(v, "status", "");
        int64_t n = cli_jint(v, "attempts");
        fprintf(f, "%s%s %s", i ? "; " : "", cli_jstr(v, "channel", ""), status);
        if (strcmp(status, "sent") != 0 && n > 0)
            fprintf(f, " (%lld attempt%s: %s)", (long long)n, n == 1 ? "" : "s",
                    cli_jstr(v, "error", ""));
    }
    if (json_array_size(json_object_get(alert, "deliveries")) == 0)
        fputs("no target", f);
    if (fclose(f) != 0)
        cli_die_oom();
    return buf;
}

static void render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"TIME", "KIND", "CAMERA", "CHANGE", "DELIVERY"};
    struct cli_table t = {.ncols = 5, .heads = heads, .right = "lllll"};
    char at[64], change[64];
    const json_t *e;
    size_t i;

    (void)a;
    json_array_foreach(doc, i, e)
    {
        char *sent = deliveries_text(e);
        if (cli_jhas(e, "from"))
            snprintf(change, sizeof(change), "%s -> %s", cli_jstr(e, "from", ""),
                     cli_jstr(e, "to", ""));
        else
            snprintf(change, sizeof(change), "-");
        cli_table_add(&t, cli_jtime(cli, e, "at", NULL, at, sizeof(at)), cli_jstr(e, "kind", ""),
                      cli_jstr(e, "camera", "-"), change, sent);
        free(sent);
    }
    cli_table_show(&t, "no alerts");
}

static int list_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    struct doc_alerts_query q = {a->camera, a->since_ms, ALERTS_LIST_LIMIT};

    return doc_alerts(&cli->doc, &q, out, err);
}

/* ---- alerts test ---- */

struct test_run {
    struct ev_loop *loop;
    int sent, failed;
};

static void test_attempted(void *data, const struct store_delivery *d,
                           const struct alertsend_result *r)
{
    struct test_run *t = data;

    if (r->outcome == ALERTSEND_SENT) {
        t->sent++;
        printf("%s %s: sent (%s)\n", d->channel, d->target, r->detail);
    } else {
        t->failed++;
        printf("%s %s: failed: %s\n", d->channel, d->target, r->detail);
    }
    fflush(stdout);
}

static void test_idle(void *data)
{
    struct test_run *t = data;

    ev_break(t->loop, EVBREAK_ALL);
}

/* Send the test alert on a loop of its own; the outcomes counted in *t. */
static int test_send(struct cli *cli, struct test_run *t, struct cw_err *err)
{
    const struct alertq_hooks hooks = {test_attempted, test_idle, t};
    struct store_alert sa = {.at_ms = cw_now_ms()};
    struct curlev *curl = NULL;
    struct alertq *q = NULL;
    json_t *doc = NULL;
    int n = -1;

    snprintf(sa.kind, sizeof(sa.kind), "test");
    if ((t->loop = ev_loop_new(EVFLAG_AUTO)) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "cannot start an event loop");
        return -1;
    }
    if (curlev_new(t->loop, &curl, err) == 0 &&
        alertq_new(t->loop, curl, cli->store, cli->cfg, ALERTQ_ONCE, &hooks, &q, err) == 0) {
        if ((doc = alertmsg_test_doc(cli->cfg, sa.at_ms)) == NULL)
            cw_err_set(err, NULL, 0, NULL, "out of memory");
        else if ((n = alertq_add(q, &sa, doc, err)) > 0 && alertq_pending(q) > 0)
            ev_run(t->loop, 0);
    }
    if (n >= 0)
        printf("alert %lld: %d sent, %d failed\n", (long long)sa.id, t->sent, t->failed);
    json_decref(doc);
    alertq_free(q);
    curlev_free(curl);
    ev_loop_destroy(t->loop);
    return n < 0 ? -1 : 0;
}

static int run_test(struct cli *cli, const struct cli_args *a)
{
    struct test_run t = {0};
    struct cw_err err;
    int rc;

    (void)a;
    if (!cfg_alerts_on(cli->cfg)) {
        fprintf(stderr, "camwatch: alerts test: %s: [alerts] names no webhook and no smtp\n",
                cli->conf_path);
        return EXIT_USAGE;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = test_send(cli, &t, &err);
    curl_global_cleanup();
    if (rc != 0)
        return cli_fail(&err);
    return t.failed > 0 ? EXIT_RUNTIME : 0;
}

#define LIST_OPTS (CLI_OPT_CAMERA | CLI_OPT_SINCE | CLI_OPT_JSON)
const struct cli_command cli_alerts_command = {
    "alerts", list_usage, LIST_OPTS, 0,   NULL, CLI_OPEN_READONLY, ALERTS_DEFAULT_SINCE,
    NULL,     list_doc,   render,    NULL};
const struct cli_command cli_alerts_list_command = {
    "alerts list",        list_usage, LIST_OPTS, 0,      NULL, CLI_OPEN_READONLY,
    ALERTS_DEFAULT_SINCE, NULL,       list_doc,  render, NULL};
const struct cli_command cli_alerts_test_command = {
    "alerts test", test_usage, 0, 0, NULL, CLI_OPEN_READWRITE, NULL, run_test, NULL, NULL, NULL};
