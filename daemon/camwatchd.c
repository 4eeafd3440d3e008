/* camwatchd.c - the daemon: reads the config, opens the store, and runs one
 * libev loop that probes every camera (fleet.c). Owns struct cw_daemon: the
 * loop, the config, the store's write connection, the curl multi, the fleet,
 * the alerting (alerts.c), the pools a reload released (pool_release, ended before the
 * loop is destroyed), the signal watchers, the systemd watchdog timer and the HTTP API
 * (api.c). Loop thread only.
 *   SIGHUP   reload the inventory; keep the old one if the new is bad
 *   SIGTERM  stop probing, commit pending writes, exit 0
 *   --once   probe every camera once, write, exit 0
 * One daemon per store, --once included: the store's lock (storelock.h) is taken before the
 * store opens and held to the end; a second one exits 1 naming the first's pid.
 * The three signals are blocked from the first instruction of main and
 * unblocked once their watchers are in place, so one sent during start-up
 * (config, store, sync: most of a second at 10,000 cameras) waits and is
 * handled once the loop runs, instead of killing the daemon. Threads made
 * meanwhile (the pool, libcurl's resolver) keep them blocked: they reach the
 * loop thread only. */
#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../index/store_footage.h"
#include "../probes/stream.h"
#include "../util/cwtime.h"
#include "../util/file.h"
#include "../util/log.h"
#include "alerts.h"
#include "api.h"
#include "fleet.h"
#include "pool.h"
#include "reload.h"
#include "storelock.h"
#include "vitals.h"

#define DAEMON_DEFAULT_CONF "/etc/camwatch/camwatch.conf"
#define EXIT_CONFIG 2
/* Before a warning of --check-config, as `camwatch` says its own ("camwatch: warning: "). */
#define DAEMON_WARNING "camwatchd: warning: "
/* malloc arenas: the loop's and one the sample workers share. glibc's default (8 per core)
 * gives each worker an arena of its own, each keeping pages after its samples; measured at
 * 128 cameras after a round of samples, trimmed: 41.5 MiB RSS with the default, 39.9 with 2. */
#define DAEMON_MALLOC_ARENAS 2
/* The store connection's page cache, KiB. SQLite's default (about 2 MiB) is full at 10,000
 * cameras (their rows alone are more) and fills as a new store grows; a commit (every
 * BATCH_COMMIT_DELAY_S) dirties at most a few hundred pages, the rest are in the system's
 * file cache. 10,000 cameras: 1.5 MiB less. */
#define DAEMON_STORE_CACHE_KIB 512
/* How long the last writes at a stop wait for another connection's write lock (a CLI footage
 * scan commits in slices): as long as the CLI would, not the batch's few ms. The loop serves
 * nothing more then, and the writes would be lost. */
#define DAEMON_WAIT_BUSY_MS 5000
/* A reload whose store sync meets another program's write lock (the CLI's maintenance, ticket,
 * footage scan, request, reference or alerts test; an admin's sqlite3 shell) is kept prepared
 * beside the running fleet and tried again this often, each try with the batch's few ms: the
 * loop (every camera's probes, the API, the timers) never waits for the lock. */
#define DAEMON_RELOAD_RETRY_S 0.25
/* ... and refused after this long, as the batch calls a lock held this long a failure
 * (BATCH_BUSY_QUIET_S): with the loop free, a longer wait costs only the reload's delay, and a
 * person who reloads beside a long footage scan sees it taken when the scan lets go rather
 * than refused; a lock held longer is not let go of soon. Under systemd's reload timeout
 * (TimeoutStartSec, 90 s by default), which counts from RELOADING=1 to READY=1. */
#define DAEMON_RELOAD_WAIT_MS (BATCH_BUSY_QUIET_S * 1000)
/* Freed buffers of 64 KiB or more (a decoder's frames, the demuxer's packets) go back to the
 * system at once instead of into an arena: fixed, so glibc's own threshold does not climb
 * after the first frames are freed. 128 cameras: 1.5 MiB less at a sample's peak. */
#define DAEMON_MMAP_THRESHOLD (64 * 1024)
/* glibc keeps up to 7 freed chunks of each small size in a cache per thread, out of
 * malloc_trim's reach; across 8 threads they pinned pages of both arenas, so the RSS between
 * samples rose by 1.9 MiB over the first 20 samples at 128 cameras (0.4 MiB without it). Only
 * GLIBC_TUNABLES, read when a process starts, turns it off. */
#define DAEMON_TUNABLE "glibc.malloc.tcache_count"
#define DAEMON_TUNABLES_MAX 1024
/* systemd's status line: the cameras' counts and the store's (under 200 bytes), a refused
 * reload's (under 330) and a pending one's (under 300). */
#define DAEMON_STATUS_MAX 1024

struct cw_daemon {
    struct ev_loop *loop;
    const char *conf_path;
    struct cfg *cfg;
    struct storelock *lock; /* held from before the store opens to the end (storelock.h) */
    struct store *store;
    struct curlev *curl; /* the loop's curl multi: the probes' and the alerts' transfers */
    struct fleet *fleet;
    struct api *api;       /* NULL with --once */
    struct alerts *alerts; /* NULL with --once or when [alerts] names nobody */
    struct pool *released; /* pools left to end on the loop (pool_release), finished before
                            * the loop is destroyed */
    struct vitals *vitals;
    struct reload *reload; /* the last load's outcome, which the vitals and /metrics show */
    /* A reload prepared (fleet_reload_prepare) whose store sync waits for another program's
     * write lock: its configuration, tried again by reload_retry since pending_since_ms
     * (monotonic; pending_at_ms on the wall clock, which the vitals show); NULL when none.
     * The old configuration runs meanwhile. */
    struct cfg *pending;
    ev_timer reload_retry;
    int64_t pending_since_ms, pending_at_ms;
    ev_signal sigterm, sigint, sighup;
    ev_timer watchdog;
    int once;
    int once_finished;
    char last_status[DAEMON_STATUS_MAX];
};

/* Hold (how SIG_BLOCK) or let through (SIG_UNBLOCK) SIGTERM, SIGINT and SIGHUP. */
static void daemon_hold_signals(int how)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(how, &set, NULL);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: camwatchd [-c FILE] [--check-config | --once] [-v]\n"
            "\n"
            "Watch the cameras of an inventory over RTSP and keep their health in the store.\n"
            "\n"
            "  -c, --config FILE   configuration (default " DAEMON_DEFAULT_CONF ")\n"
            "      --check-config  validate the configuration and its files, then exit:\n"
            "                      0 when valid, 2 with every problem as FILE:LINE: FIELD: msg;\n"
            "                      a warning (" DAEMON_WARNING "FILE:LINE: FIELD: msg)\n"
            "                      leaves the status as it is\n"
            "      --once          probe every camera once, write the results, exit\n"
            "  -v, --verbose       log each probe failure too\n"
            "  -h, --help          this text\n"
            "      --version       print the version\n");
}

/* Print errs' problems from the from-th on, each as FILE:LINE: FIELD: msg. */
static void daemon_print_problems(const struct cw_errlist *errs, size_t from)
{
    char line[1024];

    for (size_t i = from; i < errs->n; i++) {
        cw_err_format(&errs->v[i], line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
}

/* Each of warns: on stderr after DAEMON_WARNING with check (--check-config), else logged. */
static void daemon_print_warnings(const struct cw_errlist *warns, int check)
{
    char line[1024];

    for (size_t i = 0; i < warns->n; i++) {
        cw_err_format(&warns->v[i], line, sizeof(line));
        if (check)
            fprintf(stderr, DAEMON_WARNING "%s\n", line);
        else
            log_warnx("config: %s", line);
    }
}

/* Load the config, printing every problem, which stay in errs for the caller (who clears it);
 * returns NULL when invalid. With check (--check-config), a configuration refused says the
 * problems of its tokens file too, when that file is known (cfg_load_check), then the warnings
 * of what loaded, camwatch.conf's own problems too: met now, not after the problems are
 * fixed. */
static struct cfg *daemon_load_config(const char *path, struct cw_errlist *errs, int check)
{
    struct cw_errlist warns = {0};
    struct cfg *cfg = NULL, *tokens = NULL;
    int rc = check ? cfg_load_check(path, &cfg, errs, &warns, &tokens) : cfg_load(path, &cfg, errs);

    if (rc != 0) {
        if (tokens != NULL)
            api_check(tokens, errs); /* after the conf's problems: appended to errs */
        daemon_print_problems(errs, 0);
        if (errs->n == 0)
            fprintf(stderr, "%s: invalid configuration\n", path);
        daemon_print_warnings(&warns, check);
        cfg = NULL;
    }
    cfg_free(tokens);
    cw_errlist_clear(&warns);
    return cfg;
}

static void daemon_print_summary(const struct cfg *cfg)
{
    printf("%s: valid: site \"%s\", %zu camera%s", cfg->path, cfg->site_name ? cfg->site_name : "",
           cfg->n_cameras, cfg->n_cameras == 1 ? "" : "s");
    for (size_t o = 0; o < cfg->n_owners; o++) {
        size_t n = 0;
        for (size_t i = 0; i < cfg->n_cameras; i++)
            n += strcmp(cfg->cameras[i].owner, cfg->owners[o].code) == 0;
        printf("%s %s %zu", o == 0 ? ":" : ",", cfg->owners[o].code, n);
    }
    printf("\n");
}

/* "; part" after systemd's status line (status, len). */
static void daemon_status_add(char *status, size_t len, const char *part)
{
    size_t off = strlen(status);

    if (off < len)
        snprintf(status + off, len - off, "; %s", part);
}

/* systemd's status line (STATUS=) when it changed: the cameras' counts, then "last reload
 * REFUSED: ..." while the last reload was refused, so `systemctl status camwatchd` says it
 * beside them, and "reload pending since T, waiting for ..." while a reload waits for another
 * writer's lock on the store, worded as `camwatch status` words it (reload_format_pending).
 * Called on each change of the fleet's states and of the reload's: its outcome
 * (daemon_reload_done), each try while it waits, and its drop. */
static void daemon_changed(void *data)
{
    struct cw_daemon *d = data;
    char status[DAEMON_STATUS_MAX], refusal[320], pending[512];

    if (d->fleet == NULL)
        return;
    fleet_format_summary(d->fleet, status, sizeof(status));
    if (d->reload != NULL && reload_format_refusal(d->reload, refusal, sizeof(refusal)))
        daemon_status_add(status, sizeof(status), refusal);
    if (d->reload != NULL &&
        reload_format_pending(d->reload, d->cfg->time_zone, pending, sizeof(pending)))
        daemon_status_add(status, sizeof(status), pending);
    if (strcmp(status, d->last_status) != 0) {
        snprintf(d->last_status, sizeof(d->last_status), "%s", status);
        sd_notifyf(0, "STATUS=%s", status);
    }
}

static void daemon_once_done(void *data)
{
    struct cw_daemon *d = data;

    d->once_finished = 1;
    ev_break(d->loop, EVBREAK_ALL);
}

/* The pending reload, if any, dropped: what the fleet prepared for it cancelled, its
 * configuration freed, its retry stopped, the record no longer showing it. No outcome is
 * recorded: the caller says why. */
static void daemon_reload_drop(struct cw_daemon *d)
{
    if (d->pending == NULL)
        return;
    if (d->reload != NULL)
        reload_pending_end(d->reload);
    ev_timer_stop(d->loop, &d->reload_retry);
    fleet_reload_cancel(d->fleet);
    cfg_free(d->pending);
    d->pending = NULL;
    daemon_changed(d); /* systemd's status line no longer says it waits */
}

static void daemon_stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct cw_daemon *d = w->data;

    (void)revents;
    log_info("daemon: signal %d, stopping", w->signum);
    sd_notify(0, "STOPPING=1");
    if (d->pending != NULL) {
        log_info("daemon: reload dropped (it waited for the store's write lock): stopping");
        daemon_reload_drop(d);
    }
    if (d->alerts != NULL)
        alerts_stop(d->alerts);
    fleet_stop(d->fleet);
    ev_break(loop, EVBREAK_ALL);
}

/* The event log holds every change the fleet decided up to this (its write batch lags). */
static int64_t daemon_log_complete_ms(void *data)
{
    return fleet_store_complete_ms(data);
}

/* Alerting as cfg's [alerts] says: started, reloaded, or stopped (pending deliveries stay in
 * the store for when it is on again). Returns 0, or -1 (logged) when it cannot start. */
static int daemon_alerts(struct cw_daemon *d, const struct cfg *cfg)
{
    struct alerts_log_clock clock = {.complete_ms = daemon_log_complete_ms, .data = d->fleet};
    struct cw_err err;

    if (d->once)
        return 0;
    if (!cfg_alerts_on(cfg)) {
        if (d->alerts != NULL)
            log_info("alerts: off ([alerts] names no webhook and no smtp)");
        alerts_free(d->alerts);
        d->alerts = NULL;
        return 0;
    }
    if (d->alerts != NULL) {
        alerts_reload(d->alerts, cfg);
        return 0;
    }
    if (alerts_new(d->loop, d->curl, d->store, cfg, &clock, &d->released, &d->alerts, &err) != 0) {
        log_errx("alerts: cannot start: %s", err.msg);
        return -1;
    }
    return 0;
}

/* A setting a reload cannot change (key, as the conf names it; NULL: not set): when *now is
 * not was, a warning, and a copy of was in its place. 0, or -1 when out of memory (*now as it
 * was). */
static int daemon_keep_setting(const char *key, char **now, const char *was, const char *until)
{
    char *keep = NULL;

    if (*now == was || (*now != NULL && was != NULL && strcmp(*now, was) == 0))
        return 0;
    if (was != NULL && (keep = strdup(was)) == NULL)
        return -1;
    log_warnx("daemon: %s %s takes effect when camwatchd restarts; %s %s until then", key,
              *now != NULL ? *now : "(none)", until, was != NULL ? was : "(none)");
    free(*now);
    *now = keep;
    return 0;
}

/* A number a reload cannot change, as daemon_keep_setting. */
static void daemon_keep_number(const char *key, int64_t *now, int64_t was, const char *until)
{
    if (*now == was)
        return;
    log_warnx("daemon: %s %lld takes effect when camwatchd restarts; %s %lld until then", key,
              (long long)*now, until, (long long)was);
    *now = was;
}

/* The API's server and tokens file as they started (api_new): the listening sockets and their
 * limits are made once, so a reload keeps them and says so, rather than claim settings the
 * server does not follow (the fleet's share of descriptors is reckoned from these).
 * [http] open_metrics and open_healthz are followed at once. 0, or -1 out of memory. */
static int daemon_keep_http(const struct cfg *old, struct cfg *cfg)
{
    int64_t n[3] = {cfg->http_connections, cfg->http_per_client, cfg->http_max_body};

    if (daemon_keep_setting("[http] listen", &cfg->http_listen, old->http_listen,
                            "the API listens on") != 0 ||
        daemon_keep_setting("[http] socket", &cfg->http_socket, old->http_socket,
                            "the API's unix socket is") != 0 ||
        daemon_keep_setting("[http] tokens", &cfg->http_tokens, old->http_tokens,
                            "the API's tokens are read from") != 0)
        return -1;
    daemon_keep_number("[http] connections", &n[0], old->http_connections, "the limit stays");
    daemon_keep_number("[http] per_client", &n[1], old->http_per_client, "the limit stays");
    daemon_keep_number("[http] max_body", &n[2], old->http_max_body, "the limit stays");
    daemon_keep_number("[http] timeout (ms)", &cfg->http_timeout_ms, old->http_timeout_ms,
                       "the timeout stays");
    cfg->http_connections = (int)n[0];
    cfg->http_per_client = (int)n[1];
    cfg->http_max_body = (int)n[2];
    return 0;
}

/* What a reload cannot change is kept in cfg as old has it: the store, which the loop opened
 * at start and the API's workers open too (two stores would split what is written between
 * them), and the zone, set before the threads started (setenv("TZ") beside them is
 * undefined), with it that of each recorder naming no zone of its own (its file names are
 * read in the zone in force); and the API's server and tokens file (daemon_keep_http). 0, or
 * -1 when out of memory. */
static int daemon_keep_fixed(const struct cfg *old, struct cfg *cfg)
{
    int rc =
        daemon_keep_setting("[store] database", &cfg->database, old->database, "the store stays");

    if (rc == 0)
        rc =
            daemon_keep_setting("time_zone", &cfg->time_zone, old->time_zone, "times are shown in");
    if (rc == 0)
        rc = cfg_recorders_follow_zone(cfg);
    if (rc == 0)
        rc = daemon_keep_http(old, cfg);
    return rc;
}

/* What the configuration says that loads but does nothing (cfg_warnings): for --check-config
 * (check) each printed as a warning, leaving the exit status as it is; at start and at a reload
 * taken, each logged, so an installer who never runs --check-config still reads it. */
static void daemon_config_warnings(const struct cfg *cfg, int check)
{
    struct cw_errlist warns = {0};

    cfg_warnings(cfg, &warns);
    daemon_print_warnings(&warns, check);
    cw_errlist_clear(&warns);
}

/* The configuration at d->conf_path as a reload would take it: its files, then the tokens file
 * the API would read (as --check-config checks them). NULL with every problem printed and
 * appended to errs. */
static struct cfg *daemon_reload_config(struct cw_daemon *d, struct cw_errlist *errs)
{
    struct cfg *cfg = daemon_load_config(d->conf_path, errs, 0);
    size_t before = errs->n;

    if (cfg != NULL && d->api != NULL && api_check(cfg, errs) != 0) {
        daemon_print_problems(errs, before);
        cfg_free(cfg);
        cfg = NULL;
    }
    return cfg;
}

/* How a reload's store sync went (daemon_sync_store). */
enum daemon_sync {
    DAEMON_SYNC_DONE,
    DAEMON_SYNC_BUSY,   /* another program holds the store's write lock: nothing written */
    DAEMON_SYNC_FAILED, /* refused (err): nothing written */
};

/* The store told of cfg's cameras and recorders in one transaction, with the loop's own short
 * wait for another connection's write lock (the batch's BATCH_BUSY_TIMEOUT_MS, set on the
 * connection): the caller tries again later rather than hold the loop. err filled unless DONE.
 * Only the sync runs inside the transaction: the batch's writes (same connection) are committed
 * by its own timer, never swept into this one. What the sync changed is logged at its commit,
 * and not at all when it is rolled back. */
static enum daemon_sync daemon_sync_store(struct cw_daemon *d, const struct cfg *cfg,
                                          struct cw_err *err)
{
    if (store_begin(d->store, err) != 0)
        return store_failure_kind(d->store) == STORE_FAILURE_BUSY ? DAEMON_SYNC_BUSY
                                                                  : DAEMON_SYNC_FAILED;
    if (store_sync_cameras(d->store, cfg, cw_now_ms(), err) != 0 ||
        store_sync_recorders(d->store, cfg, cw_now_ms(), err) != 0 ||
        store_commit(d->store, err) != 0) {
        store_rollback(d->store); /* the cameras' rows as well as the recorders' */
        return DAEMON_SYNC_FAILED;
    }
    return DAEMON_SYNC_DONE;
}

/* The reload's outcome, once known: cfg taken (the running one now), or NULL when refused for
 * errs' problems (cleared here); logged, recorded (reload.h) and told to systemd. */
static void daemon_reload_done(struct cw_daemon *d, const struct cfg *cfg, struct cw_errlist *errs)
{
    if (cfg != NULL) {
        log_info("daemon: reloaded, %zu cameras", cfg->n_cameras);
        daemon_config_warnings(cfg, 0);
    }
    if (d->reload != NULL) {
        if (cfg != NULL)
            reload_taken(d->reload, cfg, 0, cw_now_ms());
        else
            reload_refused(d->reload, d->conf_path, errs, cw_now_ms());
    }
    cw_errlist_clear(errs);
    if (d->vitals != NULL)
        vitals_write(d->vitals); /* `camwatch status` and the API see the outcome at once */
    sd_notify(0, "READY=1");
    daemon_changed(d);
}

/* A reload refused once prepared (err: the store's or the system's answer); the caller has
 * cancelled what was prepared and frees the configuration. */
static void daemon_reload_failed(struct cw_daemon *d, const struct cw_err *err)
{
    struct cw_errlist errs = {0};

    log_warnx("daemon: reload failed, keeping the old inventory: %s", err->msg);
    cw_errlist_push(&errs, err);
    daemon_reload_done(d, NULL, &errs);
}

/* The pending reload's store sync found another program's write lock: the record says it waits
 * and for whom (the holder may change between tries); the first time the retry armed, the
 * vitals written, so `camwatch status --daemon` shows it at once, and logged. */
static void daemon_reload_waits(struct cw_daemon *d)
{
    char name[64], holder[128] = "";
    long pid = store_write_lock_holder(d->cfg->database, name, sizeof(name));

    if (d->reload != NULL)
        reload_pending(d->reload, d->pending_at_ms, pid, name);
    daemon_changed(d); /* systemd's status line says it waits, for whose lock (sent on a change) */
    if (ev_is_active(&d->reload_retry))
        return;
    ev_timer_start(d->loop, &d->reload_retry);
    if (d->vitals != NULL) /* before the log line: a reader who sees it sees the file say so */
        vitals_write(d->vitals);
    if (pid > 0)
        snprintf(holder, sizeof(holder), "; the lock's holder: %s (pid %ld)", name[0] ? name : "?",
                 pid);
    log_info("daemon: reload waiting for the store's write lock (held by another program); the "
             "old configuration runs meanwhile%s",
             holder);
}

/* The pending reload's store sync tried: taken (the fleet switches, which cannot fail), left
 * pending with its retry armed while another program holds the write lock (the first time
 * logged), or refused (another's lock held past DAEMON_RELOAD_WAIT_MS, or the store refuses
 * it): all or nothing either way. */
static void daemon_reload_try(struct cw_daemon *d)
{
    struct cfg *cfg = d->pending;
    struct cw_errlist none = {0};
    struct cw_err err;
    enum daemon_sync rc = daemon_sync_store(d, cfg, &err);
    int64_t waited = cw_mono_ms() - d->pending_since_ms;

    if (rc == DAEMON_SYNC_BUSY && waited < DAEMON_RELOAD_WAIT_MS) {
        daemon_reload_waits(d);
        return;
    }
    if (rc != DAEMON_SYNC_DONE) {
        if (rc == DAEMON_SYNC_BUSY) {
            char was[sizeof(err.msg)];

            snprintf(was, sizeof(was), "%s", err.msg);
            snprintf(err.msg, sizeof(err.msg),
                     "the store's write lock held by another program for %lld s: %.400s",
                     (long long)waited / 1000, was);
        }
        daemon_reload_drop(d);
        daemon_reload_failed(d, &err);
        return;
    }
    ev_timer_stop(d->loop, &d->reload_retry);
    d->pending = NULL;
    fleet_reload(d->fleet, cfg);
    if (d->api != NULL)
        api_reload(d->api, cfg);
    daemon_alerts(d, cfg);
    cfg_free(d->cfg);
    d->cfg = cfg;
    daemon_reload_done(d, cfg, &none);
}

static void daemon_reload_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    daemon_reload_try(w->data);
}

/* cfg (taken: freed here when refused) to replace d->cfg, all or nothing. What can fail in the
 * fleet is made first, beside the running one, and kept pending; then the store is written in
 * one transaction (daemon_reload_try, again while another program holds the lock); only then
 * the fleet switches, which cannot fail. A refusal at any step leaves the store and the fleet
 * both on the old inventory. */
static void daemon_take_config(struct cw_daemon *d, struct cfg *cfg)
{
    struct cw_err err;

    if (daemon_keep_fixed(d->cfg, cfg) != 0)
        cw_err_set(&err, d->conf_path, 0, NULL, "out of memory");
    else if (fleet_reload_prepare(d->fleet, cfg, &err) == 0) {
        d->pending = cfg;
        d->pending_since_ms = cw_mono_ms();
        d->pending_at_ms = cw_now_ms();
        daemon_reload_try(d);
        return;
    }
    cfg_free(cfg);
    daemon_reload_failed(d, &err);
}

static void daemon_reload_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct cw_daemon *d = w->data;
    struct cw_errlist errs = {0};
    struct cfg *cfg;

    (void)loop;
    (void)revents;
    if (d->once) {
        /* One sweep of the inventory it started with; a reload would change what "once" means. */
        log_info("daemon: SIGHUP ignored during --once");
        return;
    }
    if (d->pending != NULL) {
        /* The files as they are now are what is asked for, whatever this load finds. */
        log_info("daemon: reload dropped (it waited for the store's write lock); a new one "
                 "replaces it");
        daemon_reload_drop(d);
    }
    sd_notify(0, "RELOADING=1");
    log_info("daemon: reloading %s", d->conf_path);
    cfg = daemon_reload_config(d, &errs);
    if (cfg != NULL) {
        cw_errlist_clear(&errs);
        daemon_take_config(d, cfg);
        return;
    }
    log_warnx("daemon: new configuration refused, keeping the old one");
    daemon_reload_done(d, NULL, &errs);
}

static void daemon_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    /* Sent from the loop itself: a stuck loop stops the pings and systemd restarts us. */
    sd_notify(0, "WATCHDOG=1");
}

static void daemon_watch_signals(struct cw_daemon *d)
{
    uint64_t usec = 0;

    ev_signal_init(&d->sigterm, daemon_stop_cb, SIGTERM);
    ev_signal_init(&d->sigint, daemon_stop_cb, SIGINT);
    ev_signal_init(&d->sighup, daemon_reload_cb, SIGHUP);
    d->sigterm.data = d->sigint.data = d->sighup.data = d;
    ev_timer_init(&d->reload_retry, daemon_reload_retry_cb, DAEMON_RELOAD_RETRY_S,
                  DAEMON_RELOAD_RETRY_S);
    d->reload_retry.data = d;
    ev_signal_start(d->loop, &d->sigterm);
    ev_signal_start(d->loop, &d->sigint);
    ev_signal_start(d->loop, &d->sighup);
    /* One that came during start-up is delivered now, to the watcher, and handled in ev_run. */
    daemon_hold_signals(SIG_UNBLOCK);
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        double every = (double)usec / 1e6 / 2.0;
        ev_timer_init(&d->watchdog, daemon_watchdog_cb, every, every);
        ev_timer_start(d->loop, &d->watchdog);
        ev_unref(d->loop); /* the watchdog alone does not keep the loop alive */
    }
}

/* Print every problem of errs; returns rc. */
static int daemon_print_errors(struct cw_errlist *errs, int rc)
{
    daemon_print_problems(errs, 0);
    cw_errlist_clear(errs);
    return rc;
}

/* --check-config: the tokens file too. 0, or EXIT_CONFIG with every problem printed. */
static int daemon_check_api(const struct cfg *cfg)
{
    struct cw_errlist errs = {0};

    return daemon_print_errors(&errs, api_check(cfg, &errs) != 0 ? EXIT_CONFIG : 0);
}

/* The HTTP API, /metrics and the dashboard; every problem printed. */
static int daemon_start_api(struct cw_daemon *d)
{
    struct api_env env = {d->loop, d->store, d->cfg, d->fleet, d->vitals, d->reload};
    struct cw_errlist errs = {0};

    return daemon_print_errors(&errs, api_new(&env, &d->api, &errs));
}

static void daemon_vitals_probes(void *data, struct vitals_probes *out)
{
    struct cw_daemon *d = data;

    fleet_probe_figures(d->fleet, out);
}

/* One socket per probe in flight: take every descriptor the hard limit allows (systemd's
 * default soft limit is 1,024, its hard one far more); the fleet caps its probes by it. */
static void daemon_raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("daemon: file limit not raised to %llu", (unsigned long long)rl.rlim_max);
    }
}

static void daemon_vitals_read(void *data, struct batch_health *store, int counts[5],
                               size_t *cameras)
{
    struct cw_daemon *d = data;

    fleet_store_health(d->fleet, store);
    fleet_count_states(d->fleet, counts);
    *cameras = (size_t)(counts[0] + counts[1] + counts[2] + counts[3] + counts[4]);
}

/* The vitals file beside the database; a daemon that cannot keep it runs on without. */
static void daemon_start_vitals(struct cw_daemon *d)
{
    struct vitals_sources src = {daemon_vitals_read, daemon_vitals_probes, d, d->reload, d->once};
    struct cw_err err;
    char path[4096];

    if (store_vitals_path(d->cfg->database, path, sizeof(path)) == NULL ||
        vitals_new(d->loop, path, &src, &d->vitals, &err) != 0)
        log_warnx("daemon: its vitals will not be kept: %s", path);
}

/* A running daemon starts itself again, once, with glibc's per-thread cache off (above),
 * before it does anything else: the same pid, descriptors, signal mask and environment, plus
 * that. Not when whoever started it set the tunable already, either way. */
static void daemon_exec_without_tcache(char **argv)
{
    const char *cur = getenv("GLIBC_TUNABLES");
    char v[DAEMON_TUNABLES_MAX];
    int n;

    /* A set-id start drops tunables from the environment: it would start itself forever. */
    if (getauxval(AT_SECURE) != 0 || (cur != NULL && strstr(cur, DAEMON_TUNABLE "=") != NULL))
        return;
    n = snprintf(v, sizeof(v), "%s%s" DAEMON_TUNABLE "=0", cur != NULL ? cur : "",
                 cur != NULL && cur[0] != '\0' ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof(v) || setenv("GLIBC_TUNABLES", v, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    fprintf(stderr,
            "camwatchd: cannot start again without malloc's thread cache (%s); going "
            "on with it\n",
            strerror(errno));
}

static int daemon_run(struct cw_daemon *d)
{
    struct cw_err err;
    struct fleet_hooks hooks = {daemon_changed, daemon_once_done, d};
    char status[384];

    /* Before the store opens: a second daemon must not touch it at all (its start-up sync
     * would already write the first one's cameras). */
    if (storelock_take(d->cfg->database, &d->lock, &err) != 0) {
        cw_err_format(&err, status, sizeof(status));
        log_errx("daemon: %s", status);
        return 1;
    }
    if (store_open(d->cfg->database, STORE_READWRITE, &d->store, &err) != 0) {
        log_errx("store: %s: %s", d->cfg->database, err.msg);
        return 1;
    }
    if (store_cache_limit(d->store, DAEMON_STORE_CACHE_KIB, &err) != 0)
        log_warnx("store: its cache keeps SQLite's default size: %s", err.msg);
    if (store_sync_cameras(d->store, d->cfg, cw_now_ms(), &err) != 0) {
        log_errx("store: cannot sync cameras: %s", err.msg);
        return 1;
    }
    if (store_sync_recorders(d->store, d->cfg, cw_now_ms(), &err) != 0) {
        log_errx("store: cannot sync recorders: %s", err.msg);
        return 1;
    }
    /* Before any export of this daemon's: an API export still open now was a dead daemon's. */
    api_exports_close_dead(d->store, d->cfg->footage.export_dir, cw_now_ms());
    d->loop = ev_default_loop(EVFLAG_AUTO);
    if (d->loop == NULL) {
        log_errx("daemon: cannot start the event loop");
        return 1;
    }
    if (curlev_new(d->loop, &d->curl, &err) != 0 ||
        fleet_new(d->loop, d->curl, d->store, d->cfg, d->once, &hooks, &d->fleet, &err) != 0) {
        log_errx("daemon: %s", err.msg);
        return 1;
    }
    if ((d->reload = reload_new()) != NULL)
        reload_taken(d->reload, d->cfg, 1, cw_now_ms());
    daemon_start_vitals(d); /* before the API: /metrics serves its figures */
    if (daemon_alerts(d, d->cfg) != 0 || (!d->once && daemon_start_api(d) != 0))
        return 1;
    daemon_watch_signals(d);
    if (!vitals_resolver_async())
        log_warnx("daemon: this libcurl resolves host names by blocking (no AsynchDNS): a "
                  "camera named by a host name that is slow to resolve stalls every camera; "
                  "use addresses in rtsp_url and onvif_url");
    fleet_format_summary(d->fleet, status, sizeof(status));
    log_info("daemon: %s; store %s%s", status, d->cfg->database, d->once ? "; one sweep" : "");
    sd_notifyf(0, "READY=1\nSTATUS=%s", status);
    if (!d->once_finished)
        ev_run(d->loop, 0);
    fleet_format_summary(d->fleet, status, sizeof(status));
    log_info("daemon: stopped; %s", status);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"check-config", no_argument, NULL, 'C'},
                                         {"once", no_argument, NULL, 'o'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    struct cw_daemon d = {.conf_path = DAEMON_DEFAULT_CONF};
    struct cw_errlist errs = {0};
    int check = 0, verbose = 0, opt, rc;

    daemon_hold_signals(SIG_BLOCK);
    /* The store, its WAL, thumbnails and snapshots: never readable by others, whatever the
     * umask it was started with (by hand, 022). */
    cw_file_restrict_umask();
    while ((opt = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            d.conf_path = optarg;
            break;
        case 'C':
            check = 1;
            break;
        case 'o':
            d.once = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("camwatchd %s\n", CW_VERSION);
            return 0;
        default:
            usage(stderr);
            return EXIT_CONFIG;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "camwatchd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return EXIT_CONFIG;
    }
    if (check && d.once) { /* --check-config would exit before the sweep: say so, not ignore it */
        fprintf(stderr, "camwatchd: --check-config and --once: one or the other\n");
        usage(stderr);
        return EXIT_CONFIG;
    }
    if (!check && !d.once)
        daemon_exec_without_tcache(argv);
    log_init("camwatchd", verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f, LimitFSIZE=) makes a write past it fail with EFBIG, which
     * an export, a report or the store's own error path says, rather than kill the daemon
     * with SIGXFSZ halfway through an export whose audit row says it began. */
    signal(SIGXFSZ, SIG_IGN);
    if (!check)
        log_info("daemon: starting (pid %ld), %s", (long)getpid(), d.conf_path);
    d.cfg = daemon_load_config(d.conf_path, &errs, check);
    cw_errlist_clear(&errs);
    if (d.cfg == NULL)
        return EXIT_CONFIG;
    daemon_config_warnings(d.cfg, check);
    if (check) {
        rc = daemon_check_api(d.cfg);
        if (rc == 0)
            daemon_print_summary(d.cfg);
        cfg_free(d.cfg);
        return rc;
    }
    /* TZ is set here, before any thread: setenv beside a thread that reads the environment
     * (libc's localtime, FFmpeg) is undefined. A reload keeps this zone (daemon_keep_fixed). */
    cw_tz_use(d.cfg->time_zone);
    daemon_raise_fd_limit();
    mallopt(M_ARENA_MAX, DAEMON_MALLOC_ARENAS); /* before the first thread */
    mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_THRESHOLD);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    stream_global_init();
    rc = daemon_run(&d);
    /* First: the API's workers' reads interrupted and its writers ended, so the last commit
     * below (fleet_stop) meets no lock of theirs. */
    api_free(d.api);
    alerts_free(d.alerts);
    /* A reload that turned alerts off left the digest's pool to end on the loop, which may have
     * stopped before its worker was back: joined now (its read was interrupted), before the loop
     * it wakes is destroyed. */
    pool_finish_released(&d.released);
    if (d.fleet != NULL) {
        struct batch_health h;
        struct cw_err err;

        if (store_set_busy_timeout(d.store, DAEMON_WAIT_BUSY_MS, &err) != 0)
            log_warnx("store: %s", err.msg);
        fleet_stop(d.fleet); /* the last writes, then the vitals they leave */
        fleet_store_health(d.fleet, &h);
        /* What it decided is not all in the store (kept and not landed, or dropped): say so
         * to whoever runs it. */
        if ((h.pending > 0 || h.dropped > 0) && rc == 0)
            rc = 1;
        if (h.dropped > 0)
            log_errx("daemon: %llu writes were lost during this run (see the store's lines "
                     "above)",
                     (unsigned long long)h.dropped);
    }
    /* A --once run that swept and landed every write ended as asked: `camwatch status` then
     * has no daemon to miss (doc_daemon's once_finished). */
    if (d.once_finished && rc == 0)
        vitals_once_finished(d.vitals);
    vitals_free(d.vitals);
    fleet_free(d.fleet); /* its last batch write tells daemon_changed, which reads d.reload */
    reload_free(d.reload);
    curlev_free(d.curl);
    store_close(d.store);
    storelock_free(d.lock); /* after the last write */
    cfg_free(d.cfg);
    if (d.loop != NULL)
        ev_loop_destroy(d.loop);
    curl_global_cleanup();
    return rc;
}
