/* batch.c - the fleet's writes (batch.h draws them). Owns the journal: an
 * array of writes in the order they were decided, each holding its own copy of
 * what the store will be given; a small hash from (kind, camera) to the
 * camera's one kept probe and ONVIF record; the commit, retry and
 * external-check timers; the store's data_version as last seen; the write
 * figures. Loop thread only.
 *
 * Order matters and is kept: a camera's transitions are written in the order
 * decided (each is refused unless the store holds its `from`), its probe facts
 * after the transition that preceded them. Replacing a kept probe or ONVIF
 * record moves the camera's write to the end, where the newest belongs; the
 * replaced one becomes a hole (W_NONE) or, for an ONVIF record with a clock
 * reading, that reading alone (W_CLOCK). */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/vec.h"

enum write_kind { W_NONE, W_PROBE, W_TRANSITION, W_SAMPLE, W_REFERENCE, W_DEVICE, W_CLOCK };

struct write {
    enum write_kind kind;
    int refused; /* the store refused it (a transition): its row goes to the adopt hook */
    char camera_id[CFG_ID_MAX + 1];
    union {
        struct {
            struct store_probe p; /* its strings are set when written: the journal moves */
            char codec[16];
            int has_codec;
            char *reason;
        } probe;
        struct {
            enum cw_state from, to;
            int64_t at_ms;
            char *reason;
        } tr;
        struct {
            struct store_sample *smp;
            char *thumb; /* NULL: keep the camera's thumbnail */
        } sample;
        struct {
            int has;
            uint64_t phash;
            int64_t at_ms;
        } ref;
        struct {
            struct store_device *d;
            struct store_endpoint *ep;
            size_t n_ep;
            struct store_profile *pr;
            size_t n_pr;
            struct store_device_change *changes; /* found when written, for the hook */
            size_t n_changes;
        } dev;
        struct store_clock clock;
    } u;
};

struct batch {
    struct ev_loop *loop;
    struct store *store;
    struct batch_hooks hooks;
    ev_timer commit;   /* collecting: write when it fires */
    ev_timer retry;    /* failing: try again when it fires */
    ev_timer external; /* look for other connections' commits */
    int64_t data_version;

    struct write *w; /* the journal */
    size_t n, cap;
    size_t live;              /* writes in w that are not holes */
    size_t rows[2];           /* kept samples [0] and clock readings [1] */
    size_t oldest[2];         /* where to look for the oldest of each */
    int32_t *index;           /* (kind, camera) -> position of its kept probe or ONVIF record */
    size_t index_cap;         /* a power of two, or 0 */
    size_t index_used;        /* slots taken (holes' slots included until the journal empties) */
    double retry_s;           /* the next retry's delay */
    int64_t last_log_ms;      /* monotonic time of the last failure line */
    int64_t pending_since_ms; /* wall clock: the oldest decision still in the journal */
    int64_t busy_since_ms;    /* monotonic: the first busy refusal of a run of them; 0 when none */
    struct batch_health h;
};

/* ---- the journal ---- */

static void write_free(struct write *w)
{
    switch (w->kind) {
    case W_PROBE:
        free(w->u.probe.reason);
        break;
    case W_TRANSITION:
        free(w->u.tr.reason);
        break;
    case W_SAMPLE:
        free(w->u.sample.smp);
        free(w->u.sample.thumb);
        break;
    case W_DEVICE:
        free(w->u.dev.d);
        free(w->u.dev.ep);
        free(w->u.dev.pr);
        free(w->u.dev.changes);
        break;
    default:
        break;
    }
    w->kind = W_NONE;
}

static void journal_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        write_free(&b->w[i]);
    b->n = b->live = 0;
    b->rows[0] = b->rows[1] = 0;
    b->oldest[0] = b->oldest[1] = 0;
    if (b->index != NULL)
        memset(b->index, 0xff, b->index_cap * sizeof(*b->index));
    b->index_used = 0;
}

/* FNV-1a over the kind and the id. */
static size_t index_hash(enum write_kind k, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)k;

    for (; *id != '\0'; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot for (k, id): the one holding it, or the empty one where it goes. */
static size_t index_slot(const struct batch *b, enum write_kind k, const char *id)
{
    size_t mask = b->index_cap - 1, i = index_hash(k, id) & mask;

    while (b->index[i] >= 0) {
        const struct write *w = &b->w[b->index[i]];
        if (w->kind == k && strcmp(w->camera_id, id) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

/* Room for one more key at most half full; -1 when out of memory (then nothing coalesces). */
static int index_grow(struct batch *b)
{
    size_t cap = b->index_cap ? b->index_cap * 2 : 256;
    int32_t *old = b->index, *nw;
    size_t old_cap = b->index_cap;

    if ((b->index_used + 1) * 2 <= b->index_cap)
        return 0;
    if ((nw = malloc(cap * sizeof(*nw))) == NULL)
        return -1;
    memset(nw, 0xff, cap * sizeof(*nw));
    b->index = nw;
    b->index_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] < 0)
            continue;
        const struct write *w = &b->w[old[i]];
        nw[index_slot(b, w->kind, w->camera_id)] = old[i];
    }
    free(old);
    return 0;
}

/* A fresh write at the end of the journal, the batch open (batch_open), or NULL when out of
 * memory (logged). */
static struct write *journal_add(struct batch *b, enum write_kind k, const char *camera_id)
{
    struct write *w;

    batch_open(b);
    if (cw_vec_grow(&b->w, b->n, &b->cap, sizeof(*b->w), 256) != 0) {
        log_warnx("store: camera=%s: out of memory, a write is lost", camera_id);
        return NULL;
    }
    w = &b->w[b->n++];
    memset(w, 0, sizeof(*w));
    w->kind = k;
    snprintf(w->camera_id, sizeof(w->camera_id), "%s", camera_id);
    if (b->live++ == 0)
        b->pending_since_ms = cw_now_ms();
    return w;
}

/* The write journal_add just made could not be filled (out of memory): drop it, logged. */
static void journal_drop_last(struct batch *b, const char *what)
{
    struct write *w = &b->w[b->n - 1];

    log_warnx("store: camera=%s: out of memory, %s is lost", w->camera_id, what);
    write_free(w);
    b->live--;
    b->n--;
}

/* The newest write of kind k for w's camera replaces the kept one: that one becomes a hole,
 * or its clock reading alone. w is at the end of the journal. */
static void journal_keep_latest(struct batch *b, struct write *w)
{
    size_t slot;
    int32_t pos = (int32_t)(w - b->w);

    if (index_grow(b) != 0)
        return;
    slot = index_slot(b, w->kind, w->camera_id);
    if (b->index[slot] < 0) {
        b->index[slot] = pos;
        b->index_used++;
        return;
    }
    struct write *old = &b->w[b->index[slot]];
    struct store_clock c;
    int clock = old->kind == W_DEVICE && old->u.dev.d->has_clock;

    b->index[slot] = pos;
    if (old->kind != w->kind)
        return; /* already a hole: the store refused it for itself */
    if (clock)
        store_device_clock(old->u.dev.d, &c);
    write_free(old);
    if (clock) {
        old->kind = W_CLOCK;
        old->u.clock = c;
        b->rows[1]++;
    } else {
        b->live--;
    }
}

/* Keep at most BATCH_ROWS_KEPT samples (which 0) or clock readings (1): drop the oldest. */
static void journal_bound_rows(struct batch *b, int which)
{
    enum write_kind k = which == 0 ? W_SAMPLE : W_CLOCK;

    while (b->rows[which] > BATCH_ROWS_KEPT) {
        size_t i = b->oldest[which];
        while (i < b->n && b->w[i].kind != k)
            i++;
        if (i == b->n)
            return;
        write_free(&b->w[i]);
        b->live--;
        b->rows[which]--;
        b->h.dropped++;
        b->oldest[which] = i + 1;
    }
}

/* ---- the writes ---- */

static char *dup_opt(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

void batch_record_probe(struct batch *b, const struct store_probe *p)
{
    struct write *w;

    if ((w = journal_add(b, W_PROBE, p->camera_id)) == NULL)
        return;
    /* Every pointer of struct store_probe is copied here: a new one must be too. */
    /* (Out of memory for the reason: it stays as stored.) */
    w->u.probe.p = *p;
    w->u.probe.p.camera_id = w->u.probe.p.codec = w->u.probe.p.reason = NULL;
    snprintf(w->u.probe.codec, sizeof(w->u.probe.codec), "%s", p->codec ? p->codec : "");
    w->u.probe.has_codec = p->codec != NULL;
    w->u.probe.reason = dup_opt(p->reason);
    journal_keep_latest(b, w);
}

void batch_record_transition(struct batch *b, const char *camera_id, enum cw_state from,
                             enum cw_state to, int64_t at_ms, const char *reason)
{
    struct write *w;

    if ((w = journal_add(b, W_TRANSITION, camera_id)) == NULL)
        return;
    w->u.tr.from = from;
    w->u.tr.to = to;
    w->u.tr.at_ms = at_ms;
    w->u.tr.reason = strdup(reason != NULL ? reason : "");
    if (at_ms < b->pending_since_ms)
        b->pending_since_ms = at_ms;
}

void batch_record_sample(struct batch *b, const struct store_sample *smp, const char *thumb_path)
{
    struct write *w;

    if ((w = journal_add(b, W_SAMPLE, smp->camera_id)) == NULL)
        return;
    w->u.sample.smp = malloc(sizeof(*smp));
    w->u.sample.thumb = dup_opt(thumb_path);
    if (w->u.sample.smp == NULL) {
        journal_drop_last(b, "a sample");
        return;
    }
    *w->u.sample.smp = *smp;
    b->rows[0]++;
    journal_bound_rows(b, 0);
}

void batch_set_reference(struct batch *b, const char *camera_id, int has, uint64_t phash,
                         int64_t at_ms)
{
    struct write *w;

    if ((w = journal_add(b, W_REFERENCE, camera_id)) == NULL)
        return;
    w->u.ref.has = has;
    w->u.ref.phash = phash;
    w->u.ref.at_ms = at_ms;
}

void batch_record_device(struct batch *b, const struct store_device *d,
                         const struct store_endpoint *ep, size_t n_ep,
                         const struct store_profile *pr, size_t n_pr)
{
    struct write *w;

    if ((w = journal_add(b, W_DEVICE, d->camera_id)) == NULL)
        return;
    w->u.dev.d = malloc(sizeof(*d));
    w->u.dev.ep = n_ep ? malloc(n_ep * sizeof(*ep)) : NULL;
    w->u.dev.pr = n_pr ? malloc(n_pr * sizeof(*pr)) : NULL;
    if (w->u.dev.d == NULL || (n_ep && w->u.dev.ep == NULL) || (n_pr && w->u.dev.pr == NULL)) {
        journal_drop_last(b, "an ONVIF record");
        return;
    }
    *w->u.dev.d = *d;
    if (n_ep)
        memcpy(w->u.dev.ep, ep, n_ep * sizeof(*ep));
    if (n_pr)
        memcpy(w->u.dev.pr, pr, n_pr * sizeof(*pr));
    w->u.dev.n_ep = n_ep;
    w->u.dev.n_pr = n_pr;
    journal_keep_latest(b, w);
    journal_bound_rows(b, 1);
}

/* ---- writing the journal ---- */

/* Hand every row to the adopt hook when another connection committed since we last looked. */
static void batch_sync_external(struct batch *b)
{
    struct store_status *st = NULL;
    size_t n = 0;
    int64_t v;
    struct cw_err err;

    if (store_data_version(b->store, &v, &err) != 0 || v == b->data_version)
        return;
    b->data_version = v;
    if (store_list_status(b->store, &st, &n, &err) != 0) {
        log_warnx("store: cannot read states: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (b->hooks.adopt)
            b->hooks.adopt(b->hooks.data, &st[i]);
    free(st);
}

/* One write into the open transaction. Returns the store's answer: 0, 1 (not written: no such
 * camera, or a transition whose `from` the store no longer holds), -1 with err. */
static int write_exec(struct batch *b, struct write *w, struct cw_err *err)
{
    struct store *s = b->store;

    switch (w->kind) {
    case W_PROBE: {
        /* Pointers into the write are made here, not kept: the journal moves when it grows. */
        struct store_probe p = w->u.probe.p;
        p.camera_id = w->camera_id;
        p.codec = w->u.probe.has_codec ? w->u.probe.codec : NULL;
        p.reason = w->u.probe.reason;
        return store_record_probe(s, &p, err);
    }
    case W_TRANSITION:
        return store_record_transition(s, w->camera_id, w->u.tr.from, w->u.tr.to, w->u.tr.at_ms,
                                       w->u.tr.reason ? w->u.tr.reason : "", err);
    case W_SAMPLE:
        return store_record_sample(s, w->u.sample.smp, w->u.sample.thumb, err);
    case W_REFERENCE:
        return store_set_reference(s, w->camera_id, w->u.ref.has, w->u.ref.phash, w->u.ref.at_ms,
                                   err);
    case W_DEVICE:
        free(w->u.dev.changes); /* of an attempt that was rolled back */
        w->u.dev.changes = NULL;
        w->u.dev.n_changes = 0;
        return store_record_device(s, w->u.dev.d, w->u.dev.ep, w->u.dev.n_ep, w->u.dev.pr,
                                   w->u.dev.n_pr, &w->u.dev.changes, &w->u.dev.n_changes, err);
    case W_CLOCK:
        return store_record_clock(s, &w->u.clock, err);
    case W_NONE:
        break;
    }
    return 0;
}

/* After the transaction landed: the hooks for what it found. */
static void after_landing(struct batch *b)
{
    struct store_status st;
    struct cw_err err;

    for (size_t i = 0; i < b->n; i++) {
        struct write *w = &b->w[i];
        if (w->refused && b->hooks.adopt &&
            store_get_status(b->store, w->camera_id, &st, &err) == 0)
            b->hooks.adopt(b->hooks.data, &st);
        if (w->kind == W_DEVICE && w->u.dev.n_changes > 0 && b->hooks.changes)
            b->hooks.changes(b->hooks.data, w->u.dev.changes, w->u.dev.n_changes);
    }
}

/* Write every live write in one transaction. 0 when it landed; -1 when the store refused for a
 * cause that passes (rolled back, err filled, *why says which: busy or transient). A write
 * refused for itself is dropped (logged, counted) and the transaction written again without
 * it. */
static int journal_write(struct batch *b, enum store_failure *why, struct cw_err *err)
{
    int rc;

again:
    if (store_begin(b->store, err) != 0) {
        *why = store_failure_kind(b->store);
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct write *w = &b->w[i];
        rc = write_exec(b, w, err);
        if (rc < 0) {
            *why = store_failure_kind(b->store);
            store_rollback(b->store);
            if (*why != STORE_FAILURE_WRITE)
                return -1;
            log_warnx("store: camera=%s: a write the store refuses is dropped: %s", w->camera_id,
                      err->msg);
            write_free(w);
            b->live--;
            b->h.dropped++;
            goto again;
        }
        w->refused = rc == 1 && w->kind == W_TRANSITION;
    }
    if (store_commit(b->store, err) != 0) {
        *why = STORE_FAILURE_TRANSIENT; /* rolled back: its code is gone; kept and retried */
        return -1;
    }
    return 0;
}

static void note_latency(struct batch *b, double ms)
{
    int64_t now = cw_now_ms();

    b->h.commits++;
    b->h.last_write_ms = ms;
    if (now - b->h.max_write_since_ms >= 60000) {
        b->h.max_write_since_ms = now;
        b->h.max_write_ms = 0;
    }
    if (ms > b->h.max_write_ms)
        b->h.max_write_ms = ms;
}

static void note_failure(struct batch *b, const struct cw_err *err)
{
    int64_t mono = cw_mono_ms();

    snprintf(b->h.error, sizeof(b->h.error), "%s", err->msg);
    if (!b->h.failing) {
        b->h.failing = 1;
        b->h.failing_since_ms = cw_now_ms();
        b->retry_s = BATCH_RETRY_MIN_S;
        b->last_log_ms = mono;
        log_warnx("store: cannot write (%s); %zu writes kept in memory, retrying until they land",
                  err->msg, b->live);
    } else {
        if (mono - b->last_log_ms >= BATCH_LOG_EVERY_S * 1000) {
            b->last_log_ms = mono;
            log_warnx("store: still cannot write (%s) for %lld s; %zu writes kept in memory, "
                      "%llu samples or clock readings dropped",
                      err->msg, (long long)(cw_now_ms() - b->h.failing_since_ms) / 1000, b->live,
                      (unsigned long long)b->h.dropped);
        }
        b->retry_s = b->retry_s * 2 < BATCH_RETRY_MAX_S ? b->retry_s * 2 : BATCH_RETRY_MAX_S;
    }
    ev_timer_stop(b->loop, &b->retry);
    ev_timer_set(&b->retry, b->retry_s, 0.0);
    ev_timer_start(b->loop, &b->retry);
}

/* Another connection holds the write lock (the CLI's footage scan, an API worker, an admin's
 * sqlite3 shell): the writes stay kept and are tried again BATCH_RETRY_MIN_S later, quietly;
 * only a lock held past BATCH_BUSY_QUIET_S is a failure, logged and shown. */
static void note_busy(struct batch *b, const struct cw_err *err)
{
    int64_t mono = cw_mono_ms();

    b->h.busy++;
    if (b->busy_since_ms == 0)
        b->busy_since_ms = mono;
    if (b->h.failing || mono - b->busy_since_ms >= BATCH_BUSY_QUIET_S * 1000) {
        struct cw_err e = *err;
        snprintf(e.msg, sizeof(e.msg),
                 "another connection has held the store's write lock for %lld s (%.200s)",
                 (long long)(mono - b->busy_since_ms) / 1000, err->msg);
        note_failure(b, &e);
        return;
    }
    log_debug("store: busy (another connection is writing); %zu writes kept, tried again in "
              "%.0f s",
              b->live, BATCH_RETRY_MIN_S);
    ev_timer_stop(b->loop, &b->retry);
    ev_timer_set(&b->retry, BATCH_RETRY_MIN_S, 0.0);
    ev_timer_start(b->loop, &b->retry);
}

/* The store's file is damaged (SQLITE_CORRUPT, NOTADB): a write into it was refused for the
 * file's sake, not its own. Kept, as for a full disk, and shown failing (STATUS=, `status
 * --daemon`) with what SQLite said; the first time, an error line says how to repair it. */
static void note_damage(struct batch *b, const struct cw_err *err)
{
    struct cw_err e = *err;

    snprintf(e.msg, sizeof(e.msg), "store damaged: %.400s", err->msg);
    if (!b->h.failing || strncmp(b->h.error, "store damaged: ", 15) != 0)
        log_errx("store: %s is damaged (%s); the daemon keeps its writes in memory and cannot "
                 "land them: stop camwatchd, keep a copy of the file, and rebuild it with "
                 "sqlite3 %s \".recover\" | sqlite3 %s.recovered (then put that in its place)",
                 err->file[0] ? err->file : "the database", err->msg,
                 err->file[0] ? err->file : "DB", err->file[0] ? err->file : "DB");
    note_failure(b, &e);
}

/* Try to write the journal now. */
static void batch_write(struct batch *b)
{
    struct cw_err err = {0};
    enum store_failure why = STORE_FAILURE_TRANSIENT;
    size_t written = b->live;
    int64_t t0;

    ev_timer_stop(b->loop, &b->commit);
    ev_timer_stop(b->loop, &b->retry);
    if (b->n == 0 && !b->h.failing)
        return;
    batch_sync_external(b);
    t0 = cw_mono_ms();
    if (journal_write(b, &why, &err) != 0) {
        if (why == STORE_FAILURE_BUSY)
            note_busy(b, &err);
        else if (why == STORE_FAILURE_DAMAGED)
            note_damage(b, &err);
        else
            note_failure(b, &err);
    } else {
        b->busy_since_ms = 0;
        note_latency(b, (double)(cw_mono_ms() - t0));
        after_landing(b);
        if (b->h.failing)
            log_info("store: writing again after %lld s; the %zu writes kept meanwhile landed",
                     (long long)(cw_now_ms() - b->h.failing_since_ms) / 1000, written);
        b->h.failing = 0;
        b->h.failing_since_ms = 0;
        b->h.error[0] = '\0';
        journal_clear(b);
    }
    if (b->hooks.committed)
        b->hooks.committed(b->hooks.data);
}

static void batch_commit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    batch_write(w->data);
}

static void batch_external_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    batch_sync_external(w->data);
}

int batch_new(struct ev_loop *loop, struct store *store, const struct batch_hooks *hooks,
              struct batch **out, struct cw_err *err)
{
    struct batch *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    b->loop = loop;
    b->store = store;
    b->hooks = *hooks;
    ev_timer_init(&b->commit, batch_commit_cb, 0.0, 0.0);
    b->commit.data = b;
    ev_timer_init(&b->retry, batch_commit_cb, 0.0, 0.0);
    b->retry.data = b;
    ev_timer_init(&b->external, batch_external_cb, BATCH_EXTERNAL_CHECK_S, BATCH_EXTERNAL_CHECK_S);
    b->external.data = b;
    b->h.max_write_since_ms = cw_now_ms();
    if (store_set_busy_timeout(store, BATCH_BUSY_TIMEOUT_MS, err) != 0 ||
        store_data_version(store, &b->data_version, err) != 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

int batch_open(struct batch *b)
{
    if (b->h.failing || ev_is_active(&b->commit))
        return 0;
    /* Adopt first: whoever decides next starts from what the CLI changed. */
    batch_sync_external(b);
    ev_timer_set(&b->commit, BATCH_COMMIT_DELAY_S, 0.0);
    ev_timer_start(b->loop, &b->commit);
    return 0;
}

void batch_commit(struct batch *b)
{
    if (b->n > 0 || b->h.failing)
        batch_write(b);
}

void batch_watch(struct batch *b)
{
    ev_timer_start(b->loop, &b->external);
}

void batch_stop(struct batch *b)
{
    ev_timer_stop(b->loop, &b->external);
    batch_commit(b);
}

int64_t batch_complete_ms(const struct batch *b)
{
    return b->live == 0 ? cw_now_ms() : b->pending_since_ms;
}

void batch_health(const struct batch *b, struct batch_health *out)
{
    *out = b->h;
    out->pending = b->live;
}

void batch_free(struct batch *b)
{
    if (b == NULL)
        return;
    batch_stop(b);
    ev_timer_stop(b->loop, &b->retry);
    if (b->live > 0)
        log_warnx("store: %zu writes could not be written and are lost (%s)", b->live,
                  b->h.error[0] ? b->h.error : "stopped");
    journal_clear(b);
    free(b->w);
    free(b->index);
    free(b);
}
