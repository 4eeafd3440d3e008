/* test_doc_alerts.c - the alerting's documents (index/doc_alerts.c, index/doc_digest.c) built
 * from a real SQLite store the test writes through the store's own functions: the alert
 * history with each alert's deliveries (one camera's, the newest few, since a time, none), and
 * the daily digest (the cameras out now, down first and longest out first; the changes of the
 * window, most first; both lists cut at max; a window's bounds). The zone is UTC so ISO
 * strings are predictable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../index/store_alert.h"
#include "../util/log.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z, when the fleet was synced */
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)

static int setup(void **state)
{
    return store_fixture_setup(state, "doc-alerts", 4, T0);
}

static int teardown(void **state)
{
    return store_fixture_teardown(state);
}

static struct doc_ctx ctx(struct store_fixture *fx)
{
    return (struct doc_ctx){fx->s, NULL, "UTC"};
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_int_t num(const json_t *o, const char *k)
{
    assert_true(json_is_integer(json_object_get(o, k)));
    return json_integer_value(json_object_get(o, k));
}

static void is_null(const json_t *o, const char *k)
{
    assert_non_null(json_object_get(o, k)); /* present, and null */
    assert_true(json_is_null(json_object_get(o, k)));
}

/* ---- doc_alerts ---- */

static struct store_delivery delivery(const char *channel, const char *target, int64_t next)
{
    struct store_delivery d;

    memset(&d, 0, sizeof(d));
    snprintf(d.channel, sizeof(d.channel), "%s", channel);
    snprintf(d.target_key, sizeof(d.target_key), "%s", channel);
    snprintf(d.target, sizeof(d.target), "%s", target);
    d.next_ms = next;
    return d;
}

/* Alert of cam (NULL: a digest) at `at` with n deliveries due then; their ids into d. */
static int64_t add_alert(struct store *s, const char *cam, int64_t at, struct store_delivery *d,
                         size_t n)
{
    struct store_alert a = store_alert_make(cam, cam ? "change" : "digest", at);
    struct cw_err err = {0};

    if (store_alert_add(s, &a, "{}", d, n, &err) != 0)
        fail_msg("alert: %s", err.msg);
    return a.id;
}

/* CAH-001 down at T0+1min (webhook pending, e-mail sent), a digest at T0+2min (webhook failed
 * five times), CAH-002 down at T0+3min (webhook pending). */
static void alerts_fill(struct store *s, int64_t id[3])
{
    struct store_delivery d1[2] = {delivery("webhook", "http://127.0.0.1:9000", T0 + 2 * MIN),
                                   delivery("email", "smtp://127.0.0.1:2525", T0 + MIN)};
    struct store_delivery d2[1] = {delivery("webhook", "http://127.0.0.1:9000", T0 + 2 * MIN)};
    struct store_delivery d3[1] = {delivery("webhook", "http://127.0.0.1:9000", T0 + 4 * MIN)};
    struct cw_err err = {0};

    id[0] = add_alert(s, "CAH-001", T0 + MIN, d1, 2);
    id[1] = add_alert(s, NULL, T0 + 2 * MIN, d2, 1);
    id[2] = add_alert(s, "CAH-002", T0 + 3 * MIN, d3, 1);
    d1[1].status = STORE_DELIVERY_SENT;
    d1[1].attempts = 1;
    d1[1].last_ms = T0 + MIN;
    d1[1].next_ms = 0;
    d2[0].status = STORE_DELIVERY_FAILED;
    d2[0].attempts = 5;
    d2[0].last_ms = T0 + 30 * MIN;
    d2[0].next_ms = 0;
    snprintf(d2[0].error, sizeof(d2[0].error), "HTTP 500");
    assert_int_equal(store_delivery_update(s, &d1[1], &err), 0);
    assert_int_equal(store_delivery_update(s, &d2[0], &err), 0);
}

static json_t *alerts(struct store_fixture *fx, const char *cam, int64_t since, size_t limit)
{
    struct doc_ctx c = ctx(fx);
    struct doc_alerts_query q = {cam, since, limit};
    json_t *doc = NULL;
    struct cw_err err = {0};

    if (doc_alerts(&c, &q, &doc, &err) != 0)
        fail_msg("alerts: %s", err.msg);
    assert_true(json_is_array(doc));
    return doc;
}

/* The deliveries of doc's i-th alert, checked to be alert id's and n of them. */
static const json_t *deliveries_of(const json_t *doc, size_t i, int64_t id, size_t n)
{
    const json_t *dv = json_object_get(json_array_get(doc, i), "deliveries");

    assert_int_equal(num(json_array_get(doc, i), "id"), id);
    assert_int_equal(json_array_size(dv), n);
    return dv;
}

static void test_alerts_history_oldest_first_with_each_alerts_deliveries(void **state)
{
    struct store_fixture *fx = *state;
    int64_t id[3];
    json_t *doc;
    const json_t *a, *dv, *d;

    doc = alerts(fx, NULL, 0, 0); /* nothing decided yet */
    assert_int_equal(json_array_size(doc), 0);
    json_decref(doc);

    alerts_fill(fx->s, id);
    doc = alerts(fx, NULL, 0, 0);
    assert_int_equal(json_array_size(doc), 3);

    a = json_array_get(doc, 0);
    assert_int_equal(json_object_size(a), 12);
    assert_int_equal(num(a, "id"), id[0]);
    assert_string_equal(str(a, "at"), "2023-11-14T22:14:20+00:00");
    assert_int_equal(num(a, "at_ms"), T0 + MIN);
    assert_string_equal(str(a, "kind"), "change");
    assert_string_equal(str(a, "camera"), "CAH-001");
    assert_string_equal(str(a, "from"), "up");
    assert_string_equal(str(a, "to"), "down");
    assert_string_equal(str(a, "since"), "2023-11-14T22:12:20+00:00");
    assert_int_equal(num(a, "changes"), 1);
    assert_string_equal(str(a, "reason"), "timeout after 3 failures");
    assert_string_equal(str(a, "summary"), "CAH-001: up -> down");
    dv = json_object_get(a, "deliveries");
    assert_int_equal(json_array_size(dv), 2);
    d = json_array_get(dv, 0); /* by delivery id: the webhook, still pending */
    assert_int_equal(json_object_size(d), 7);
    assert_string_equal(str(d, "channel"), "webhook");
    assert_string_equal(str(d, "target"), "http://127.0.0.1:9000");
    assert_string_equal(str(d, "status"), "pending");
    assert_int_equal(num(d, "attempts"), 0);
    is_null(d, "last_attempt");
    assert_string_equal(str(d, "next_attempt"), "2023-11-14T22:15:20+00:00");
    is_null(d, "error");
    d = json_array_get(dv, 1); /* the e-mail, sent: no next attempt */
    assert_string_equal(str(d, "channel"), "email");
    assert_string_equal(str(d, "target"), "smtp://127.0.0.1:2525");
    assert_string_equal(str(d, "status"), "sent");
    assert_int_equal(num(d, "attempts"), 1);
    assert_string_equal(str(d, "last_attempt"), "2023-11-14T22:14:20+00:00");
    is_null(d, "next_attempt");
    is_null(d, "error");

    a = json_array_get(doc, 1); /* the digest: no camera, states, since or reason */
    assert_int_equal(num(a, "id"), id[1]);
    assert_string_equal(str(a, "kind"), "digest");
    is_null(a, "camera");
    is_null(a, "from");
    is_null(a, "to");
    is_null(a, "since");
    is_null(a, "reason");
    assert_int_equal(num(a, "changes"), 0);
    assert_string_equal(str(a, "summary"), "digest: up -> down");
    dv = json_object_get(a, "deliveries");
    assert_int_equal(json_array_size(dv), 1);
    d = json_array_get(dv, 0);
    assert_string_equal(str(d, "status"), "failed");
    assert_int_equal(num(d, "attempts"), 5);
    assert_string_equal(str(d, "last_attempt"), "2023-11-14T22:43:20+00:00");
    is_null(d, "next_attempt");
    assert_string_equal(str(d, "error"), "HTTP 500");

    a = json_array_get(doc, 2);
    assert_int_equal(num(a, "id"), id[2]);
    assert_string_equal(str(a, "camera"), "CAH-002");
    assert_int_equal(json_array_size(json_object_get(a, "deliveries")), 1);
    json_decref(doc);
}

static void test_alerts_of_one_camera_carry_only_their_own_deliveries(void **state)
{
    struct store_fixture *fx = *state;
    struct doc_ctx c = ctx(fx);
    struct doc_alerts_query q = {"CAH-404", 0, 0};
    int64_t id[3], id4;
    struct store_delivery d4[1];
    json_t *doc = NULL;
    const json_t *dv;
    struct cw_err err = {0};

    alerts_fill(fx->s, id);
    /* CAH-002's alert comes after others' alerts and deliveries: none of theirs is its own */
    doc = alerts(fx, "CAH-002", 0, 0);
    assert_int_equal(json_array_size(doc), 1);
    assert_int_equal(num(json_array_get(doc, 0), "id"), id[2]);
    dv = json_object_get(json_array_get(doc, 0), "deliveries");
    assert_int_equal(json_array_size(dv), 1);
    assert_string_equal(str(json_array_get(dv, 0), "next_attempt"), "2023-11-14T22:17:20+00:00");
    json_decref(doc);

    /* CAH-001's second alert: the digest's and CAH-002's deliveries lie between its two */
    d4[0] = delivery("email", "smtp://127.0.0.1:2525", T0 + 6 * MIN);
    id4 = add_alert(fx->s, "CAH-001", T0 + 5 * MIN, d4, 1);
    doc = alerts(fx, "CAH-001", 0, 0);
    assert_int_equal(json_array_size(doc), 2);
    deliveries_of(doc, 0, id[0], 2);
    dv = deliveries_of(doc, 1, id4, 1);
    assert_string_equal(str(json_array_get(dv, 0), "channel"), "email");
    assert_string_equal(str(json_array_get(dv, 0), "next_attempt"), "2023-11-14T22:19:20+00:00");
    json_decref(doc);

    doc = alerts(fx, "CAH-003", 0, 0); /* a camera with no alert */
    assert_int_equal(json_array_size(doc), 0);
    json_decref(doc);

    assert_int_equal(doc_alerts(&c, &q, &doc, &err), DOC_NOT_FOUND);
    assert_null(doc);
    assert_string_equal(err.msg, "unknown camera 'CAH-404'");
}

/* The daemon writes the alerts one pass decides in camera order, each at the time its change
 * had lasted [alerts] hold: a later id may carry an earlier time. Each still lists its own
 * deliveries. */
static void test_alerts_out_of_id_order_carry_their_deliveries(void **state)
{
    struct store_fixture *fx = *state;
    struct store_delivery da[2] = {delivery("webhook", "http://127.0.0.1:9000", T0 + 5 * MIN),
                                   delivery("email", "smtp://127.0.0.1:2525", T0 + 5 * MIN)};
    struct store_delivery db[1] = {delivery("email", "smtp://127.0.0.1:2525", T0 + MIN)};
    int64_t ida = add_alert(fx->s, "CAH-001", T0 + 5 * MIN, da, 2);
    int64_t idb = add_alert(fx->s, "CAH-002", T0 + MIN, db, 1);
    json_t *doc = alerts(fx, NULL, 0, 0);
    const json_t *dv;

    assert_true(idb > ida);
    assert_int_equal(json_array_size(doc), 2);
    dv = deliveries_of(doc, 0, idb, 1); /* oldest first */
    assert_string_equal(str(json_array_get(dv, 0), "channel"), "email");
    dv = deliveries_of(doc, 1, ida, 2);
    assert_string_equal(str(json_array_get(dv, 0), "channel"), "webhook");
    assert_string_equal(str(json_array_get(dv, 1), "channel"), "email");
    json_decref(doc);
}

static void test_alerts_limit_keeps_the_newest_and_since_the_later(void **state)
{
    struct store_fixture *fx = *state;
    int64_t id[3];
    json_t *doc;

    alerts_fill(fx->s, id);
    doc = alerts(fx, NULL, 0, 2); /* the newest two, still oldest first */
    assert_int_equal(json_array_size(doc), 2);
    assert_int_equal(num(json_array_get(doc, 0), "id"), id[1]);
    assert_int_equal(num(json_array_get(doc, 1), "id"), id[2]);
    assert_int_equal(json_array_size(json_object_get(json_array_get(doc, 0), "deliveries")), 1);
    json_decref(doc);

    doc = alerts(fx, NULL, T0 + 2 * MIN, 0); /* at or after */
    assert_int_equal(json_array_size(doc), 2);
    assert_int_equal(num(json_array_get(doc, 0), "id"), id[1]);
    assert_int_equal(num(json_array_get(doc, 1), "id"), id[2]);
    json_decref(doc);
}

/* ---- doc_digest ---- */

static void move(struct store *s, const char *cam, enum cw_state from, enum cw_state to, int64_t at,
                 const char *reason)
{
    struct cw_err err = {0};

    if (store_record_transition(s, cam, from, to, at, reason, &err) != 0)
        fail_msg("transition %s: %s", cam, err.msg);
}

#define NOW (T0 + 48 * HOUR)
#define DAY (24 * HOUR)

/* Up at T0+1h, then in the window [T0+24h, T0+48h): CAH-001 down at +30h (1 change),
 * CAH-002 degraded at exactly +24h (1), CAH-003 down, up and down again at +40h (3), CAH-004
 * to maintenance at exactly +48h (the window's end: not counted). */
static void digest_fill(struct store *s)
{
    const char *ids[4] = {"CAH-001", "CAH-002", "CAH-003", "CAH-004"};

    for (int i = 0; i < 4; i++)
        move(s, ids[i], CW_UNKNOWN, CW_UP, T0 + HOUR, "");
    move(s, "CAH-001", CW_UP, CW_DOWN, T0 + 30 * HOUR, "timeout");
    move(s, "CAH-002", CW_UP, CW_DEGRADED, T0 + DAY, "low_res");
    move(s, "CAH-003", CW_UP, CW_DOWN, T0 + 25 * HOUR, "refused");
    move(s, "CAH-003", CW_DOWN, CW_UP, T0 + 27 * HOUR, "");
    move(s, "CAH-003", CW_UP, CW_DOWN, T0 + 40 * HOUR, "refused");
    move(s, "CAH-004", CW_UP, CW_MAINTENANCE, NOW, "maintenance");
}

static json_t *digest(struct store_fixture *fx, int64_t now, size_t max)
{
    struct doc_ctx c = ctx(fx);
    json_t *doc = NULL;
    struct cw_err err = {0};

    if (doc_digest(&c, now, DAY, max, &doc, &err) != 0)
        fail_msg("digest: %s", err.msg);
    assert_true(json_is_object(doc));
    return doc;
}

static void counts_are(const json_t *doc, int up, int degraded, int down, int unknown, int maint)
{
    const json_t *n = json_object_get(doc, "counts");

    assert_int_equal(json_object_size(n), 5);
    assert_int_equal(num(n, "up"), up);
    assert_int_equal(num(n, "degraded"), degraded);
    assert_int_equal(num(n, "down"), down);
    assert_int_equal(num(n, "unknown"), unknown);
    assert_int_equal(num(n, "maintenance"), maint);
}

static void test_digest_of_a_quiet_day_has_empty_lists(void **state)
{
    struct store_fixture *fx = *state;
    json_t *doc = digest(fx, T0 + DAY, 10); /* synced, never probed */

    assert_int_equal(json_object_size(doc), 10);
    assert_string_equal(str(doc, "at"), "2023-11-15T22:13:20+00:00");
    assert_string_equal(str(doc, "from"), "2023-11-14T22:13:20+00:00");
    assert_string_equal(str(doc, "to"), "2023-11-15T22:13:20+00:00");
    assert_int_equal(num(doc, "cameras"), 4);
    counts_are(doc, 0, 0, 0, 4, 0);
    assert_int_equal(num(doc, "changes"), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
    assert_int_equal(num(doc, "problems_more"), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "changed")), 0);
    assert_int_equal(num(doc, "changed_more"), 0);
    json_decref(doc);
}

static void test_digest_down_first_longest_out_first_most_changed_first(void **state)
{
    struct store_fixture *fx = *state;
    json_t *doc;
    const json_t *p, *ch, *o;

    digest_fill(fx->s);
    doc = digest(fx, NOW, 10);
    assert_int_equal(num(doc, "cameras"), 4);
    counts_are(doc, 0, 1, 2, 0, 1);
    assert_int_equal(num(doc, "changes"), 5); /* from included, to not */

    p = json_object_get(doc, "problems");
    assert_int_equal(json_array_size(p), 3);
    o = json_array_get(p, 0);
    assert_int_equal(json_object_size(o), 7);
    assert_string_equal(str(o, "id"), "CAH-001");
    assert_string_equal(str(o, "name"), "Ngã ba Tân Dương");
    assert_string_equal(str(o, "owner"), "CAH");
    assert_string_equal(str(o, "state"), "down");
    assert_string_equal(str(o, "since"), "2023-11-16T04:13:20+00:00");
    assert_int_equal(num(o, "since_ms"), T0 + 30 * HOUR);
    assert_string_equal(str(o, "reason"), "timeout");
    o = json_array_get(p, 1);
    assert_string_equal(str(o, "id"), "CAH-003");
    assert_string_equal(str(o, "state"), "down");
    assert_string_equal(str(o, "since"), "2023-11-16T14:13:20+00:00");
    assert_string_equal(str(o, "reason"), "refused");
    o = json_array_get(p, 2); /* degraded after every down one, though out longest */
    assert_string_equal(str(o, "id"), "CAH-002");
    assert_string_equal(str(o, "state"), "degraded");
    assert_int_equal(num(o, "since_ms"), T0 + DAY);
    assert_string_equal(str(o, "reason"), "low_res");
    assert_int_equal(num(doc, "problems_more"), 0);

    ch = json_object_get(doc, "changed");
    assert_int_equal(json_array_size(ch), 3); /* CAH-004 changed at the window's end only */
    o = json_array_get(ch, 0);
    assert_int_equal(json_object_size(o), 4);
    assert_string_equal(str(o, "id"), "CAH-003");
    assert_string_equal(str(o, "name"), "Ngã ba Tân Dương");
    assert_int_equal(num(o, "changes"), 3);
    assert_string_equal(str(o, "state"), "down");
    o = json_array_get(ch, 1); /* one change each: by id */
    assert_string_equal(str(o, "id"), "CAH-001");
    assert_int_equal(num(o, "changes"), 1);
    o = json_array_get(ch, 2);
    assert_string_equal(str(o, "id"), "CAH-002");
    assert_int_equal(num(o, "changes"), 1);
    assert_string_equal(str(o, "state"), "degraded");
    assert_int_equal(num(doc, "changed_more"), 0);
    json_decref(doc);
}

static void test_digest_lists_cut_at_max_count_what_was_left_out(void **state)
{
    struct store_fixture *fx = *state;
    json_t *doc;

    digest_fill(fx->s);
    doc = digest(fx, NOW, 1);
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 1);
    assert_string_equal(str(json_array_get(json_object_get(doc, "problems"), 0), "id"), "CAH-001");
    assert_int_equal(num(doc, "problems_more"), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "changed")), 1);
    assert_string_equal(str(json_array_get(json_object_get(doc, "changed"), 0), "id"), "CAH-003");
    assert_int_equal(num(doc, "changed_more"), 2);
    assert_int_equal(num(doc, "changes"), 5); /* the total is not cut */
    json_decref(doc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_alerts_history_oldest_first_with_each_alerts_deliveries),
        T(test_alerts_of_one_camera_carry_only_their_own_deliveries),
        T(test_alerts_out_of_id_order_carry_their_deliveries),
        T(test_alerts_limit_keeps_the_newest_and_since_the_later),
        T(test_digest_of_a_quiet_day_has_empty_lists),
        T(test_digest_down_first_longest_out_first_most_changed_first),
        T(test_digest_lists_cut_at_max_count_what_was_left_out),
    };

    log_init("test_doc_alerts", LOG_LVL_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
