/* doc_daemon.c - the daemon's own health as `camwatch status --daemon` shows it: the vitals
 * file the daemon keeps beside the database (daemon/vitals.h), with what a reader needs to
 * trust it: whether that daemon still runs, or was a `--once` run that finished, and how old
 * the figures are. Reads the file only;
 * never the store's tables. */
#include "doc_priv.h"

#include <unistd.h>

#include <errno.h>
#include <signal.h>

#include "../util/cwtime.h"

#define DAEMON_STALE_WRITES 3 /* figures older than this many write intervals: not running */
/* A finished --once run older than this, 1 day: its timer has stopped, or its later runs fail
 * before they write vitals (a broken configuration); worth a word however it is run. */
#define DAEMON_ONCE_STALE_MS (24 * 3600 * INT64_C(1000))

/* Whether process pid exists (ours or, under systemd, another user's). */
static int pid_alive(json_int_t pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* The ISO form of o[key] (epoch ms) set as o[iso_key]; null when o[key] is null. */
static void add_iso(const struct doc_ctx *c, json_t *o, const char *key, const char *iso_key)
{
    json_t *v = json_object_get(o, key);

    if (o != NULL)
        json_object_set_new(o, iso_key,
                            json_is_integer(v) ? doc_iso(c, json_integer_value(v)) : json_null());
}

/* The last configuration load's times (daemon/reload.h's record) in ISO beside their ms; null
 * in place of a record the file does not hold. */
static void add_config_iso(const struct doc_ctx *c, json_t *o)
{
    json_t *cfg = json_object_get(o, "config"), *f;
    size_t i;

    if (!json_is_object(cfg)) {
        json_object_set_new(o, "config", json_null());
        return;
    }
    add_iso(c, cfg, "at_ms", "at");
    add_iso(c, cfg, "ok_ms", "ok_at");
    json_array_foreach(json_object_get(cfg, "files"), i, f)
    {
        if (json_is_object(f))
            add_iso(c, f, "mtime_ms", "mtime");
    }
    /* null from a daemon older than the mark, as from one with no reload waiting */
    if (json_is_object(json_object_get(cfg, "pending")))
        add_iso(c, json_object_get(cfg, "pending"), "since_ms", "since");
    else
        json_object_set_new(cfg, "pending", json_null());
}

int doc_daemon_refusal(const json_t *config, char *buf, size_t len)
{
    const json_t *problems = json_object_get(config, "problems");
    const json_t *p = json_array_get(problems, 0);
    const char *msg = json_string_value(json_object_get(p, "message"));
    struct cw_err e;
    char first[1024];
    json_int_t more;

    if (len > 0)
        buf[0] = '\0';
    if (!json_is_false(json_object_get(config, "ok")))
        return 0;
    cw_err_set(&e, json_string_value(json_object_get(p, "file")),
               (int)json_integer_value(json_object_get(p, "line")),
               json_string_value(json_object_get(p, "field")), "%s", msg != NULL ? msg : "invalid");
    cw_err_format(&e, first, sizeof(first));
    more = (json_int_t)json_array_size(problems) - 1 +
           json_integer_value(json_object_get(config, "more"));
    if (more > 0)
        snprintf(buf, len, "%s (and %lld more)", first, (long long)more);
    else
        snprintf(buf, len, "%s", first);
    return 1;
}

int doc_daemon_pending(const struct doc_ctx *c, const json_t *config, char *buf, size_t len)
{
    const json_t *p = json_object_get(config, "pending");
    const json_t *holder = json_object_get(p, "holder");
    const char *name = json_string_value(json_object_get(holder, "name"));
    char since[64], who[128] = "";

    if (len > 0)
        buf[0] = '\0';
    if (!json_is_object(p))
        return 0;
    cw_format_local(json_integer_value(json_object_get(p, "since_ms")), c->tz, since,
                    sizeof(since));
    if (json_is_integer(json_object_get(holder, "pid")))
        snprintf(who, sizeof(who), " (held by %s, pid %lld)", name != NULL ? name : "?",
                 (long long)json_integer_value(json_object_get(holder, "pid")));
    snprintf(buf, len,
             "pending since %s, waiting for another writer's lock on the store%s; the new "
             "configuration is not in force yet",
             since, who);
    return 1;
}

void doc_daemon_headline(const struct doc_ctx *c, const json_t *doc, char *buf, size_t len)
{
    char started[64], written[64], finished[64];
    long long pid = json_integer_value(json_object_get(doc, "pid"));

    cw_format_local(json_integer_value(json_object_get(doc, "started_ms")), c->tz, started,
                    sizeof(started));
    cw_format_local(json_integer_value(json_object_get(doc, "written_ms")), c->tz, written,
                    sizeof(written));
    if (json_is_true(json_object_get(doc, "running"))) {
        snprintf(buf, len, "camwatchd: running, pid %lld, since %s (figures %lld s old)", pid,
                 started, (long long)(json_integer_value(json_object_get(doc, "age_ms")) / 1000));
        return;
    }
    if (!json_is_integer(json_object_get(doc, "once_finished_ms"))) {
        snprintf(buf, len, "camwatchd: NOT RUNNING (pid %lld gone or silent; last figures %s)", pid,
                 written);
        return;
    }
    cw_format_local(json_integer_value(json_object_get(doc, "once_finished_ms")), c->tz, finished,
                    sizeof(finished));
    /* As `camwatch status` warns of it: a timer stopped, or its runs fail before they finish. */
    snprintf(buf, len,
             "camwatchd: last --once run at %s (pid %lld, started %s); no daemon runs, the "
             "figures are that run's%s",
             finished, pid, started,
             json_is_true(json_object_get(doc, "once_stale"))
                 ? ": STALE, over a day old; no --once run has finished since"
                 : "");
}

int doc_daemon(const struct doc_ctx *c, json_t **out, struct cw_err *err)
{
    char path[4096];
    json_error_t jerr;
    json_t *o;
    int64_t now = cw_now_ms(), written, every, age;
    int once_done;

    *out = NULL;
    if (store_vitals_path(c->cfg->database, path, sizeof(path)) == NULL)
        return cw_err_set(err, c->cfg->database, 0, NULL, "path too long");
    o = json_load_file(path, 0, &jerr);
    if (o == NULL && access(path, F_OK) == 0) /* on a full disk it is rewritten in place */
        o = json_load_file(path, 0, &jerr);
    if (o == NULL) {
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            cw_err_set(err, path, 0, NULL,
                       "no vitals here: camwatchd has not run with this database yet");
            return DOC_NOT_FOUND;
        }
        return cw_err_set(err, path, jerr.line, NULL, "%s", jerr.text);
    }
    if (!json_is_object(o)) {
        json_decref(o);
        return cw_err_set(err, path, 0, NULL, "not a JSON object");
    }
    written = json_integer_value(json_object_get(o, "written_ms"));
    every = (int64_t)(json_number_value(json_object_get(o, "write_every_s")) * 1000);
    age = now - written;
    /* From a daemon older than the mark: no --once run, none finished. */
    once_done = json_is_integer(json_object_get(o, "once_finished_ms"));
    json_object_set_new(o, "once", json_boolean(json_is_true(json_object_get(o, "once"))));
    if (!once_done)
        json_object_set_new(o, "once_finished_ms", json_null());
    json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "age_ms", json_integer(age));
    /* A finished --once run wrote its last figures as it exited: its pid, even reused by now,
     * is no camwatchd. */
    json_object_set_new(o, "running",
                        json_boolean(!once_done &&
                                     pid_alive(json_integer_value(json_object_get(o, "pid"))) &&
                                     age <= DAEMON_STALE_WRITES * (every > 0 ? every : 10000)));
    /* One over a day old: no --once run has finished since (a timer stopped, runs failing). */
    json_object_set_new(
        o, "once_stale",
        json_boolean(once_done && now - json_integer_value(json_object_get(o, "once_finished_ms")) >
                                      DAEMON_ONCE_STALE_MS));
    add_iso(c, o, "written_ms", "written");
    add_iso(c, o, "once_finished_ms", "once_finished");
    add_iso(c, o, "started_ms", "started");
    add_iso(c, json_object_get(o, "store"), "failing_since_ms", "failing_since");
    add_config_iso(c, o);
    return doc_give(o, out, err);
}
