/* vitals.c - the daemon's own health, measured (vitals.h says what). Owns the
 * tick and write timers, the lag figures of the current window and the one
 * before, and the file's path. The lag of a tick is how much later than asked
 * the loop ran it: a loop busy with something long (a big write, a slow
 * callback) shows here first. Loop thread only. */
#include "vitals.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../index/store.h"
#include "../util/cwtime.h"
#include "../util/file.h"
#include "../util/log.h"
#include "../util/state.h"

/* Lag figures over one window. */
struct lag {
    double max_ms, sum_ms;
    unsigned ticks;
};

struct vitals {
    struct ev_loop *loop;
    char *path;
    struct vitals_sources src;
    ev_timer tick, write;
    ev_tstamp due;    /* when the pending tick was asked for (cw_mono_s) */
    double last_ms;   /* the last tick's lag */
    struct lag cur;   /* the window being filled */
    struct lag prev;  /* the last whole window */
    ev_tstamp window; /* when cur began */
    int64_t started_ms;
    int64_t once_finished_ms; /* when a --once run's sweep ended; 0: not (yet) */
    int write_failed;         /* the last write failed (logged once until one succeeds) */
};

int vitals_resolver_async(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

    return v != NULL && (v->features & CURL_VERSION_ASYNCHDNS) != 0;
}

/* Lag is measured on the monotonic clock: a step of the wall clock is no stall of the loop. */
static void vitals_arm_tick(struct vitals *v)
{
    v->due = cw_mono_s() + VITALS_TICK_S;
    ev_timer_set(&v->tick, VITALS_TICK_S, 0.0);
    ev_timer_start(v->loop, &v->tick);
}

static void vitals_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct vitals *v = w->data;
    ev_tstamp now = cw_mono_s();
    double lag = (now - v->due) * 1000.0;

    (void)loop;
    (void)revents;
    v->last_ms = lag > 0 ? lag : 0;
    if (now - v->window >= VITALS_WINDOW_S) {
        v->prev = v->cur;
        memset(&v->cur, 0, sizeof(v->cur));
        v->window = now;
    }
    v->cur.ticks++;
    v->cur.sum_ms += v->last_ms;
    if (v->last_ms > v->cur.max_ms)
        v->cur.max_ms = v->last_ms;
    vitals_arm_tick(v);
}

void vitals_lag(const struct vitals *v, double *last_ms, double *max_ms)
{
    *last_ms = v->last_ms;
    *max_ms = v->cur.max_ms > v->prev.max_ms ? v->cur.max_ms : v->prev.max_ms;
}

static json_t *vitals_loop_json(const struct vitals *v)
{
    double last, max;
    unsigned ticks = v->cur.ticks + v->prev.ticks;

    vitals_lag(v, &last, &max);
    return json_pack("{s:f, s:f, s:f, s:f, s:i}", "tick_s", VITALS_TICK_S, "lag_ms", last,
                     "lag_max_ms", max, "lag_mean_ms",
                     ticks ? (v->cur.sum_ms + v->prev.sum_ms) / ticks : 0.0, "window_s",
                     VITALS_WINDOW_S);
}

static json_t *vitals_store_json(const struct batch_health *h)
{
    json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:f, s:f}", "writable", !h->failing, "pending",
                          (json_int_t)h->pending, "commits", (json_int_t)h->commits, "dropped",
                          (json_int_t)h->dropped, "write_ms", h->last_write_ms, "write_max_ms",
                          h->max_write_ms);

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "failing_since_ms",
                        h->failing ? json_integer(h->failing_since_ms) : json_null());
    json_object_set_new(o, "error", h->error[0] ? json_string(h->error) : json_null());
    return o;
}

static json_t *vitals_probes_json(const struct vitals *v)
{
    struct vitals_probes p = {0};

    if (v->src.probes == NULL)
        return NULL;
    v->src.probes(v->src.data, &p);
    return json_pack("{s:I, s:f, s:I, s:I, s:f, s:{s:i, s:i, s:i}, s:i, s:i, s:I, s:I, "
                     "s:{s:f, s:f, s:f, s:f, s:I}}",
                     "interval_ms", (json_int_t)p.interval_ms, "oldest_ms", p.oldest_ms, "started",
                     (json_int_t)p.started, "late", (json_int_t)p.late, "late_max_ms",
                     p.late_max_ms, "slots", "now", p.slots, "floor", p.slots_floor, "ceiling",
                     p.slots_ceiling, "in_flight", p.in_flight, "in_flight_bad", p.in_flight_bad,
                     "queued", (json_int_t)p.queued, "backing_off", (json_int_t)p.backing_off,
                     "samples", "round_s", p.sample_round_s, "last_round_s", p.sample_last_round_s,
                     "cpu_ms", p.sample_cpu_ms, "budget_pct", p.sample_budget_pct, "done",
                     (json_int_t)p.samples_done);
}

static json_t *vitals_json(const struct vitals *v)
{
    struct batch_health h = {0};
    int counts[5] = {0};
    size_t cams = 0;
    json_t *states = json_object(), *o;

    if (v->src.read)
        v->src.read(v->src.data, &h, counts, &cams);
    for (int s = 0; s < 5 && states != NULL; s++)
        json_object_set_new(states, cw_state_name((enum cw_state)s), json_integer(counts[s]));
    o = json_pack("{s:i, s:I, s:I, s:f, s:o, s:o, s:{s:b}, s:I, s:o*, s:o*, s:o*}", "pid",
                  (int)getpid(), "started_ms", (json_int_t)v->started_ms, "written_ms",
                  (json_int_t)cw_now_ms(), "write_every_s", VITALS_WRITE_S, "loop",
                  vitals_loop_json(v), "store", vitals_store_json(&h), "resolver", "async",
                  vitals_resolver_async(), "cameras", (json_int_t)cams, "states", states, "probes",
                  vitals_probes_json(v), "config",
                  v->src.reload != NULL ? reload_json(v->src.reload) : NULL);
    if (o != NULL) {
        json_object_set_new(o, "once", json_boolean(v->src.once));
        json_object_set_new(o, "once_finished_ms",
                            v->once_finished_ms > 0 ? json_integer(v->once_finished_ms)
                                                    : json_null());
    }
    return o;
}

/* On a full disk a new file cannot be made, yet that is when the vitals matter: the file is
 * always VITALS_FILE_BYTES (the JSON padded with spaces), so rewriting the one there in place
 * needs no new block. Only our own regular file is opened (no link followed). */
static int vitals_overwrite(const char *path, const char *text, struct cw_err *err)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    int rc = -1;

    if (fd < 0)
        return cw_err_set(err, path, 0, NULL, "%s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != VITALS_FILE_BYTES)
        cw_err_set(err, path, 0, NULL, "not the daemon's vitals file");
    else if (pwrite(fd, text, VITALS_FILE_BYTES, 0) != VITALS_FILE_BYTES)
        cw_err_set(err, path, 0, NULL, "%s", strerror(errno));
    else
        rc = 0;
    close(fd);
    return rc;
}

void vitals_once_finished(struct vitals *v)
{
    if (v != NULL)
        v->once_finished_ms = cw_now_ms();
}

void vitals_write(struct vitals *v)
{
    json_t *doc = vitals_json(v);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    char padded[VITALS_FILE_BYTES];
    struct cw_err err = {0};
    size_t n = text ? strlen(text) : 0;

    json_decref(doc);
    if (text == NULL || n + 1 > sizeof(padded)) {
        log_warnx("daemon: vitals not written: %s", text ? "too long" : "out of memory");
        free(text);
        return;
    }
    memcpy(padded, text, n);
    memset(padded + n, ' ', sizeof(padded) - n);
    padded[sizeof(padded) - 1] = '\n';
    free(text);
    /* On the loop every VITALS_WRITE_S: not synced, an fsync could stall the loop. */
    if (cw_file_write_unsynced(v->path, padded, sizeof(padded), CW_FILE_MODE, &err) != 0 &&
        vitals_overwrite(v->path, padded, &err) != 0) {
        if (!v->write_failed)
            log_warnx("daemon: vitals not written: %s: %s", err.file, err.msg);
        v->write_failed = 1;
    } else {
        v->write_failed = 0;
    }
}

static void vitals_write_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    vitals_write(w->data);
}

int vitals_new(struct ev_loop *loop, const char *path, const struct vitals_sources *src,
               struct vitals **out, struct cw_err *err)
{
    struct vitals *v = calloc(1, sizeof(*v));

    if (v == NULL || (v->path = strdup(path)) == NULL) {
        free(v);
        return cw_err_set(err, path, 0, NULL, "out of memory");
    }
    v->loop = loop;
    v->src = *src;
    v->started_ms = cw_now_ms();
    v->window = cw_mono_s();
    ev_timer_init(&v->tick, vitals_tick_cb, VITALS_TICK_S, 0.0);
    v->tick.data = v;
    ev_timer_init(&v->write, vitals_write_cb, VITALS_WRITE_S, VITALS_WRITE_S);
    v->write.data = v;
    vitals_arm_tick(v);
    ev_timer_start(loop, &v->write);
    vitals_write(v); /* now: the file then exists, to be rewritten in place on a full disk */
    *out = v;
    return 0;
}

void vitals_free(struct vitals *v)
{
    if (v == NULL)
        return;
    vitals_write(v);
    ev_timer_stop(v->loop, &v->tick);
    ev_timer_stop(v->loop, &v->write);
    free(v->path);
    free(v);
}
