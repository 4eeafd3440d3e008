/* alertq.c - the delivery queue (alertq.h draws it). Owns the pending deliveries (an array of
 * items, each its store row and its attempt in flight), the timer of the next one due, and
 * each webhook's key and origin. Loop thread only.
 *
 * A delivery's life:
 *   pending (waiting) -> due: attempt started            alertq_kick() -> item_start()
 *   attempt -> sent | refused: written, leaves the queue item_done()
 *           -> down or busy: next attempt after the wait item_done(), alertq_backoff()
 *           -> still failing give_up after its alert: failed
 *   in flight at alertq_stop(): abandoned, still pending in the store
 * Each target runs at most ALERTQ_TARGET_INFLIGHT_MAX attempts at once, counted apart, so a
 * webhook that takes requests and never answers delays only its own deliveries, never the
 * e-mail's or another webhook's.
 * An outcome the store refused (a full disk) is kept on its item and written again at each
 * kick until it lands (an item sent or failed leaves the queue only then), so what was sent
 * is not left pending, to be sent again after a restart. Items added while the queue is held
 * (alertq_hold: the caller's transaction is open) wait for alertq_release: started if it
 * landed, dropped if it was rolled back. */
#include "alertq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/vec.h"
#include "alertmsg.h"

#define ALERTQ_ORIGIN_MAX 256
#define ALERTQ_RESAVE_S 5.0 /* an outcome the store refused is written again this often */

struct alertq_item {
    struct alertq *q;
    struct store_delivery d;
    struct alertsend *attempt; /* in flight, or NULL */
    int unsaved;               /* d's last outcome is not in the store yet */
    int held;                  /* added while held: its rows are in an open transaction */
};

struct alertq {
    struct ev_loop *loop;
    struct curlev *curl;
    struct store *store;
    const struct cfg *cfg;
    enum alertq_mode mode;
    struct alertq_hooks hooks;
    struct alertq_item **items;
    size_t n, cap;
    int stopped;
    int holding; /* alertq_hold: new items are held */
    ev_timer due;
    const struct cw_clock *clock; /* NULL: the system's */
    char keys[CFG_ALERTS_TARGETS_MAX][ALERTSEND_KEY_LEN + 1];
    char origins[CFG_ALERTS_TARGETS_MAX][ALERTQ_ORIGIN_MAX];
    char email_origin[ALERTQ_ORIGIN_MAX];
};

static void alertq_kick(struct alertq *q);

void alertq_set_clock(struct alertq *q, const struct cw_clock *clock)
{
    q->clock = clock;
}

/* The wall clock: deliveries' times are stored. */
static int64_t alertq_now(const struct alertq *q)
{
    return cw_clock_wall_ms(q->clock);
}

/* No delivery is due later than the longest backoff from now: one that is was set before the
 * wall clock was set back (NTP, an admin), and is tried now rather than that much later. */
static void not_after_backoff(struct alertq *q, int64_t now)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->items[i]->d.next_ms > now + q->cfg->alerts.retry_max_ms)
            q->items[i]->d.next_ms = now;
}

static void targets_from(struct alertq *q)
{
    const struct cfg_alerts *a = &q->cfg->alerts;

    for (size_t i = 0; i < a->n_webhooks; i++)
        alertsend_target(a->webhooks[i], q->keys[i], q->origins[i], sizeof(q->origins[i]));
    q->email_origin[0] = '\0';
    if (a->smtp != NULL) {
        char key[ALERTSEND_KEY_LEN + 1];
        alertsend_target(a->smtp, key, q->email_origin, sizeof(q->email_origin));
    }
}

/* The webhook URL whose key is key, or NULL when no longer configured. */
static const char *webhook_of(const struct alertq *q, const char *key)
{
    for (size_t i = 0; i < q->cfg->alerts.n_webhooks; i++)
        if (strcmp(q->keys[i], key) == 0)
            return q->cfg->alerts.webhooks[i];
    return NULL;
}

/* ---- the items ---- */

static int item_push(struct alertq *q, const struct store_delivery *d)
{
    struct alertq_item *it;

    if (cw_vec_grow(&q->items, q->n, &q->cap, sizeof(*q->items), 16) != 0)
        return -1;
    if ((it = calloc(1, sizeof(*it))) == NULL)
        return -1;
    it->q = q;
    it->d = *d;
    it->held = q->holding;
    q->items[q->n++] = it;
    return 0;
}

static void item_drop(struct alertq *q, struct alertq_item *it)
{
    for (size_t i = 0; i < q->n; i++) {
        if (q->items[i] == it) {
            q->items[i] = q->items[--q->n];
            break;
        }
    }
    free(it);
}

int64_t alertq_backoff(const struct cfg_alerts *a, int attempts, int64_t asked_ms)
{
    int64_t wait = a->retry_ms;

    for (int i = 1; i < attempts && wait < a->retry_max_ms; i++)
        wait *= 2;
    if (wait < asked_ms)
        wait = asked_ms;
    return wait < a->retry_max_ms ? wait : a->retry_max_ms;
}

/* Write what the attempt on it said: sent, failed, or when to try again. */
static void item_outcome(struct alertq *q, struct alertq_item *it, const struct alertsend_result *r,
                         int64_t now)
{
    const struct cfg_alerts *a = &q->cfg->alerts;
    struct store_delivery *d = &it->d;
    int64_t wait;

    d->attempts++;
    d->last_ms = now;
    snprintf(d->error, sizeof(d->error), "%s", r->outcome == ALERTSEND_SENT ? "" : r->detail);
    if (r->outcome == ALERTSEND_SENT) {
        d->status = STORE_DELIVERY_SENT;
        log_info("alerts: alert=%lld %s %s sent (%s)%s", (long long)d->alert_id, d->channel,
                 d->target, r->detail, d->attempts > 1 ? " at last" : "");
        return;
    }
    wait = alertq_backoff(a, d->attempts, r->retry_after_ms);
    if (r->outcome == ALERTSEND_FAILED || q->mode == ALERTQ_ONCE ||
        now + wait > d->alert_at_ms + a->give_up_ms) {
        d->status = STORE_DELIVERY_FAILED;
        if (r->outcome == ALERTSEND_RETRY && q->mode == ALERTQ_RETRY &&
            snprintf(d->error, sizeof(d->error), "gave up after %d attempts: %s", d->attempts,
                     r->detail) < 0)
            d->error[0] = '\0';
        log_warnx("alerts: alert=%lld %s %s failed: %s", (long long)d->alert_id, d->channel,
                  d->target, d->error);
        return;
    }
    d->next_ms = now + wait;
    log_warnx("alerts: alert=%lld %s %s attempt %d failed (%s), next in %lld s",
              (long long)d->alert_id, d->channel, d->target, d->attempts, r->detail,
              (long long)(wait / 1000));
}

/* Write its outcome if the store has not got it yet. 0 (written or nothing to write), -1. */
static int item_save(struct alertq *q, struct alertq_item *it, struct cw_err *err)
{
    if (!it->unsaved)
        return 0;
    if (store_delivery_update(q->store, &it->d, err) < 0)
        return -1;
    it->unsaved = 0;
    return 0;
}

static void item_settle(struct alertq *q, struct alertq_item *it, const struct alertsend_result *r)
{
    struct cw_err err;

    item_outcome(q, it, r, alertq_now(q));
    it->unsaved = 1;
    if (item_save(q, it, &err) < 0) {
        /* `alerts test` says the outcome itself and ends: it does not wait for the store. */
        log_warnx("alerts: alert=%lld delivery's outcome not written%s: %s",
                  (long long)it->d.alert_id,
                  q->mode == ALERTQ_RETRY ? " yet (written again until it lands)" : "", err.msg);
        it->unsaved = q->mode == ALERTQ_RETRY;
    }
    if (q->hooks.attempted != NULL)
        q->hooks.attempted(q->hooks.data, &it->d, r);
    if (!it->unsaved && it->d.status != STORE_DELIVERY_PENDING)
        item_drop(q, it);
}

static void item_done(void *data, const struct alertsend_result *r)
{
    struct alertq_item *it = data;
    struct alertq *q = it->q;

    it->attempt = NULL;
    item_settle(q, it, r);
    alertq_kick(q);
}

/* Start an attempt of it; a failure to start counts as a failed attempt. */
static void item_start(struct alertq *q, struct alertq_item *it)
{
    struct alertsend_result r = {ALERTSEND_RETRY, 0, ""};
    char *payload = NULL, *text = NULL, key[64];
    json_t *doc = NULL;
    const char *url = NULL;
    struct cw_err err = {0};
    int rc = -1, email = strcmp(it->d.channel, "email") == 0;

    if (email && q->cfg->alerts.smtp == NULL) {
        r.outcome = ALERTSEND_FAILED;
        snprintf(r.detail, sizeof(r.detail), "e-mail is no longer in [alerts]");
    } else if (store_alert_payload(q->store, it->d.alert_id, &payload, &err) != 0 ||
               (doc = json_loads(payload, 0, NULL)) == NULL) {
        snprintf(r.detail, sizeof(r.detail), "the alert's document cannot be read: %.200s",
                 err.msg[0] ? err.msg : "not JSON");
    } else if (email) {
        if ((text = alertmsg_email(q->cfg, doc, it->d.alert_id, it->d.id, alertq_now(q))) != NULL)
            rc = alertsend_email(q->curl, &q->cfg->alerts, text, item_done, it, &it->attempt, &err);
    } else if ((url = webhook_of(q, it->d.target_key)) == NULL) {
        r.outcome = ALERTSEND_FAILED;
        snprintf(r.detail, sizeof(r.detail), "this webhook is no longer in [alerts]");
    } else if ((text = alertmsg_webhook_body(doc, it->d.alert_id)) != NULL) {
        snprintf(key, sizeof(key), "camwatch-%lld-%lld", (long long)it->d.alert_id,
                 (long long)it->d.id);
        rc = alertsend_webhook(q->curl, &q->cfg->alerts, url, text, key, item_done, it,
                               &it->attempt, &err);
    }
    if (rc != 0) {
        if (r.detail[0] == '\0')
            snprintf(r.detail, sizeof(r.detail), "not started: %.200s",
                     err.msg[0] ? err.msg : "out of memory");
        item_settle(q, it, &r);
    }
    free(text);
    free(payload);
    json_decref(doc);
}

/* ---- the queue ---- */

/* Whether it waits for an attempt: pending, not in flight, not held. */
static int startable(const struct alertq_item *it)
{
    return it->attempt == NULL && !it->held && it->d.status == STORE_DELIVERY_PENDING;
}

/* Write again the outcomes the store refused; drop the items that are over once written.
 * Returns how many are still not written. */
static size_t alertq_resave(struct alertq *q)
{
    size_t left = 0;
    struct cw_err err;

    for (size_t i = 0; i < q->n;) {
        struct alertq_item *it = q->items[i];
        if (it->unsaved && item_save(q, it, &err) < 0) {
            left++;
        } else if (!it->unsaved && it->attempt == NULL && it->d.status != STORE_DELIVERY_PENDING) {
            item_drop(q, it); /* the last of q->items moved to i: look at i again */
            continue;
        }
        i++;
    }
    return left;
}

/* Attempts in flight per target, counted at each kick: at most this many targets have any
 * (the configured ones, and ones a reload took out of [alerts] with attempts still running). */
#define ALERTQ_TALLY_MAX (2 * (CFG_ALERTS_TARGETS_MAX + 1))

struct alertq_tally {
    size_t n;
    struct {
        char key[sizeof(((struct store_delivery *)0)->target_key)];
        size_t inflight;
    } t[ALERTQ_TALLY_MAX];
};

/* The count of key's attempts in flight, added to the tally when new; NULL when the tally is
 * full (only a key of a target gone from [alerts]: its deliveries fail as they start). */
static size_t *tally_of(struct alertq_tally *ty, const char *key)
{
    for (size_t i = 0; i < ty->n; i++)
        if (strcmp(ty->t[i].key, key) == 0)
            return &ty->t[i].inflight;
    if (ty->n == ALERTQ_TALLY_MAX)
        return NULL;
    snprintf(ty->t[ty->n].key, sizeof(ty->t[ty->n].key), "%s", key);
    ty->t[ty->n].inflight = 0;
    return &ty->t[ty->n++].inflight;
}

/* Whether key's target already runs all the attempts it may. */
static int tally_busy(struct alertq_tally *ty, const char *key)
{
    size_t *in = tally_of(ty, key);

    return in != NULL && *in >= ALERTQ_TARGET_INFLIGHT_MAX;
}

static void tally_count(const struct alertq *q, struct alertq_tally *ty)
{
    ty->n = 0;
    for (size_t i = 0; i < q->n; i++) {
        size_t *in;
        if (q->items[i]->attempt != NULL && (in = tally_of(ty, q->items[i]->d.target_key)) != NULL)
            (*in)++;
    }
}

/* Start what is due, up to ALERTQ_TARGET_INFLIGHT_MAX at once per target; the timer for the
 * next one. */
static void alertq_kick(struct alertq *q)
{
    int64_t now = alertq_now(q), next = INT64_MAX;
    struct alertq_tally ty;

    if (q->holding)
        return; /* in the caller's transaction, which may yet roll back: alertq_release kicks */
    ev_timer_stop(q->loop, &q->due);
    if (q->stopped)
        return;
    if (alertq_resave(q) > 0)
        next = now + (int64_t)(ALERTQ_RESAVE_S * 1000);
    not_after_backoff(q, now);
    tally_count(q, &ty);
    for (size_t i = 0; i < q->n;) {
        struct alertq_item *it = q->items[i];
        size_t before = q->n, *in;
        if (startable(it) && it->d.next_ms <= now && !tally_busy(&ty, it->d.target_key)) {
            item_start(q, it); /* may drop it: look at the same index again */
            if (q->n == before && it->attempt != NULL &&
                (in = tally_of(&ty, it->d.target_key)) != NULL)
                (*in)++;
        }
        if (q->n == before)
            i++;
    }
    /* A delivery whose target is busy waits for one of its attempts to end (item_done kicks),
     * not for a timer: one due now would spin the loop until then. */
    for (size_t i = 0; i < q->n; i++) {
        const struct alertq_item *it = q->items[i];
        if (startable(it) && it->d.next_ms < next && !tally_busy(&ty, it->d.target_key))
            next = it->d.next_ms;
    }
    if (next != INT64_MAX) {
        ev_timer_set(&q->due, next > now ? (double)(next - now) / 1000.0 : 0.0, 0.0);
        ev_timer_start(q->loop, &q->due);
    } else if (q->n == 0 && q->hooks.idle != NULL) {
        q->hooks.idle(q->hooks.data);
    }
}

static void alertq_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    alertq_kick(w->data);
}

int alertq_new(struct ev_loop *loop, struct curlev *curl, struct store *store,
               const struct cfg *cfg, enum alertq_mode mode, const struct alertq_hooks *hooks,
               struct alertq **out, struct cw_err *err)
{
    struct alertq *q = calloc(1, sizeof(*q));

    if (q == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    q->loop = loop;
    q->curl = curl;
    q->store = store;
    q->cfg = cfg;
    q->mode = mode;
    if (hooks != NULL)
        q->hooks = *hooks;
    ev_timer_init(&q->due, alertq_due_cb, 0.0, 0.0);
    q->due.data = q;
    targets_from(q);
    *out = q;
    return 0;
}

int alertq_resume(struct alertq *q, struct cw_err *err)
{
    struct store_delivery *d = NULL;
    size_t n = 0;

    if (store_deliveries_pending(q->store, &d, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (item_push(q, &d[i]) != 0) {
            free(d);
            return cw_err_set(err, NULL, 0, NULL, "out of memory");
        }
    }
    free(d);
    alertq_kick(q);
    return (int)n;
}

/* One delivery per configured target, due now. */
static size_t targets(const struct alertq *q, int64_t now, struct store_delivery *d)
{
    const struct cfg_alerts *a = &q->cfg->alerts;
    size_t n = 0;

    for (size_t i = 0; i < a->n_webhooks; i++, n++) {
        memset(&d[n], 0, sizeof(d[n]));
        snprintf(d[n].channel, sizeof(d[n].channel), "webhook");
        snprintf(d[n].target_key, sizeof(d[n].target_key), "%s", q->keys[i]);
        snprintf(d[n].target, sizeof(d[n].target), "%s", q->origins[i]);
        d[n].next_ms = now;
    }
    if (a->smtp != NULL) {
        memset(&d[n], 0, sizeof(d[n]));
        snprintf(d[n].channel, sizeof(d[n].channel), "email");
        snprintf(d[n].target_key, sizeof(d[n].target_key), "%s", ALERTSEND_EMAIL_KEY);
        snprintf(d[n].target, sizeof(d[n].target), "%s", q->email_origin);
        d[n].next_ms = now;
        n++;
    }
    return n;
}

int alertq_add(struct alertq *q, struct store_alert *a, const json_t *doc, struct cw_err *err)
{
    struct store_delivery d[CFG_ALERTS_TARGETS_MAX + 1];
    size_t n = targets(q, alertq_now(q), d);
    char *payload = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc;

    if (payload == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    snprintf(a->summary, sizeof(a->summary), "%s", alertmsg_summary(doc));
    rc = store_alert_add(q->store, a, payload, d, n, err);
    free(payload);
    if (rc != 0)
        return -1;
    log_info("alerts: alert=%lld %s: %s", (long long)a->id, a->kind, a->summary);
    for (size_t i = 0; i < n; i++)
        if (item_push(q, &d[i]) != 0)
            log_warnx("alerts: alert=%lld out of memory: its %s waits for a restart",
                      (long long)a->id, d[i].channel);
    alertq_kick(q);
    return (int)n;
}

void alertq_hold(struct alertq *q)
{
    q->holding = 1;
}

void alertq_release(struct alertq *q, int landed)
{
    q->holding = 0;
    for (size_t i = 0; i < q->n;) {
        struct alertq_item *it = q->items[i];
        if (it->held && !landed) {
            item_drop(q, it);
            continue;
        }
        it->held = 0;
        i++;
    }
    alertq_kick(q);
}

void alertq_reload(struct alertq *q, const struct cfg *cfg)
{
    q->cfg = cfg;
    targets_from(q);
    alertq_kick(q);
}

size_t alertq_pending(const struct alertq *q)
{
    return q->n;
}

void alertq_stop(struct alertq *q)
{
    size_t left;

    if (!q->stopped && (left = alertq_resave(q)) > 0)
        log_warnx("alerts: %zu deliveries' outcomes could not be written: a restart may send "
                  "them again",
                  left);
    q->stopped = 1;
    ev_timer_stop(q->loop, &q->due);
    for (size_t i = 0; i < q->n; i++) {
        alertsend_cancel(q->items[i]->attempt);
        q->items[i]->attempt = NULL;
    }
}

void alertq_free(struct alertq *q)
{
    if (q == NULL)
        return;
    alertq_stop(q);
    for (size_t i = 0; i < q->n; i++)
        free(q->items[i]);
    free(q->items);
    free(q);
}
