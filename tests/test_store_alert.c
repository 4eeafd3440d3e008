/* test_store_alert.c - the store's alert tables (index/store_alert.c): the cursor on the event
 * log, each camera's damping row, alerts with their deliveries written together, the pending
 * queue and its survival across a reopen, the history, and alerts that are never changed or
 * deleted. Each test works on a real SQLite file in its own temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/store.h"
#include "../index/store_alert.h"
#include "cwtest.h"
#include "store_raw.h"

#define T0 1700000000000LL /* a fixed "now", ms */
#define MIN (60 * 1000LL)

static int setup(void **state)
{
    return store_fixture_setup(state, "store-alert", 3, T0);
}

static void reopen(struct store_fixture *fx)
{
    struct cw_err err = {0};

    store_close(fx->s);
    if (store_open(fx->path, STORE_READWRITE, &fx->s, &err) != 0)
        fail_msg("reopen: %s", err.msg);
}

static struct store_delivery delivery_make(const char *channel, const char *key, int64_t next)
{
    struct store_delivery d;

    memset(&d, 0, sizeof(d));
    snprintf(d.channel, sizeof(d.channel), "%s", channel);
    snprintf(d.target_key, sizeof(d.target_key), "%s", key);
    snprintf(d.target, sizeof(d.target), "http://127.0.0.1:9/");
    d.next_ms = next;
    return d;
}

/* An alert of cam at `at` with a webhook and an e-mail delivery, both due at `at`. */
static int64_t add_alert(struct store *s, const char *cam, const char *kind, int64_t at)
{
    struct store_alert a = store_alert_make(cam, kind, at);
    struct store_delivery d[2] = {delivery_make("webhook", "k1", at),
                                  delivery_make("email", "email", at)};
    struct cw_err err = {0};

    if (store_alert_add(s, &a, "{\"kind\": \"change\"}", d, 2, &err) != 0)
        fail_msg("alert: %s", err.msg);
    assert_true(a.id > 0);
    assert_int_equal(d[0].alert_id, a.id);
    assert_true(d[1].id > d[0].id);
    return a.id;
}

static void test_cursor_is_absent_until_set_then_kept(void **state)
{
    struct store_fixture *fx = *state;
    struct cw_err err = {0};
    int64_t id = -1;
    int has = -1;

    assert_int_equal(store_alert_cursor(fx->s, &has, &id, &err), 0);
    assert_int_equal(has, 0);
    assert_int_equal(store_alert_set_cursor(fx->s, 41, &err), 0);
    assert_int_equal(store_alert_set_cursor(fx->s, 42, &err), 0);
    reopen(fx);
    assert_int_equal(store_alert_cursor(fx->s, &has, &id, &err), 0);
    assert_int_equal(has, 1);
    assert_int_equal(id, 42);
}

static void test_the_log_is_followed_by_id(void **state)
{
    struct store_fixture *fx = *state;
    struct store_event *ev = NULL;
    struct cw_err err = {0};
    int64_t last = -1;
    size_t n = 0;

    assert_int_equal(store_last_event_id(fx->s, &last, &err), 0);
    assert_int_equal(last, 0);
    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UNKNOWN, CW_UP, T0 + 1, "", &err),
                     0);
    assert_int_equal(
        store_record_transition(fx->s, "CAH-002", CW_UNKNOWN, CW_DOWN, T0 + 2, "timeout", &err), 0);
    assert_int_equal(store_record_transition(fx->s, "CAH-001", CW_UP, CW_DOWN, T0 + 3, "x", &err),
                     0);
    assert_int_equal(store_last_event_id(fx->s, &last, &err), 0);
    assert_int_equal(last, 3);
    assert_int_equal(store_list_events_after(fx->s, 0, 2, &ev, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ev[0].camera_id, "CAH-001");
    assert_string_equal(ev[1].reason, "timeout");
    last = ev[1].id;
    free(ev);
    assert_int_equal(store_list_events_after(fx->s, last, 0, &ev, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_last_event_id(fx->s, &last, &err), 0);
    assert_int_equal(ev[0].id, last);
    assert_int_equal(ev[0].to, CW_DOWN);
    free(ev);
    assert_int_equal(store_list_events_after(fx->s, last, 0, &ev, &n, &err), 0);
    assert_int_equal(n, 0);
    free(ev);
}

static void test_watch_rows_are_written_replaced_and_read_back(void **state)
{
    struct store_fixture *fx = *state;
    struct store_alert_watch w = {.told = CW_UP,
                                  .state = CW_DOWN,
                                  .state_ms = T0 + 5,
                                  .pending = 1,
                                  .run_ms = T0 + 1,
                                  .changes = 3,
                                  .flap_ms = T0 + 5,
                                  .flapping = 1};
    struct store_alert_watch *v = NULL;
    struct cw_err err = {0};
    size_t n = 0;

    snprintf(w.camera_id, sizeof(w.camera_id), "CAH-002");
    snprintf(w.reason, sizeof(w.reason), "mất kết nối after 3 failures");
    assert_int_equal(store_alert_put_watch(fx->s, &w, &err), 0);
    snprintf(w.camera_id, sizeof(w.camera_id), "CAH-001");
    assert_int_equal(store_alert_put_watch(fx->s, &w, &err), 0);
    w.pending = 0;
    w.told = CW_DOWN;
    assert_int_equal(store_alert_put_watch(fx->s, &w, &err), 0);
    snprintf(w.camera_id, sizeof(w.camera_id), "NOPE");
    assert_int_equal(store_alert_put_watch(fx->s, &w, &err), 1);
    reopen(fx);
    assert_int_equal(store_alert_watches(fx->s, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].camera_id, "CAH-001");
    assert_int_equal(v[0].told, CW_DOWN);
    assert_int_equal(v[0].pending, 0);
    assert_int_equal(v[1].told, CW_UP);
    assert_int_equal(v[1].state, CW_DOWN);
    assert_int_equal(v[1].state_ms, T0 + 5);
    assert_int_equal(v[1].pending, 1);
    assert_int_equal(v[1].run_ms, T0 + 1);
    assert_int_equal(v[1].changes, 3);
    assert_int_equal(v[1].flap_ms, T0 + 5);
    assert_int_equal(v[1].flapping, 1);
    assert_string_equal(v[1].reason, "mất kết nối after 3 failures");
    free(v);
}

static void test_pending_deliveries_outlive_a_reopen_earliest_first(void **state)
{
    struct store_fixture *fx = *state;
    struct store_delivery *d = NULL;
    struct cw_err err = {0};
    char *payload = NULL;
    size_t n = 0;
    int64_t late = add_alert(fx->s, "CAH-001", "change", T0 + 9 * MIN);
    int64_t early = add_alert(fx->s, "CAH-002", "change", T0 + 1 * MIN);

    reopen(fx);
    assert_int_equal(store_deliveries_pending(fx->s, &d, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(d[0].alert_id, early);
    assert_int_equal(d[0].alert_at_ms, T0 + 1 * MIN);
    assert_string_equal(d[0].channel, "webhook");
    assert_string_equal(d[0].target_key, "k1");
    assert_string_equal(d[1].channel, "email");
    assert_int_equal(d[2].alert_id, late);
    assert_int_equal(d[0].status, STORE_DELIVERY_PENDING);

    /* One sent, one retried later, one given up: only the retried one stays pending. */
    d[0].status = STORE_DELIVERY_SENT;
    d[0].attempts = 1;
    d[0].last_ms = T0 + 2 * MIN;
    d[1].attempts = 2;
    d[1].next_ms = T0 + 30 * MIN;
    d[1].last_ms = T0 + 2 * MIN;
    snprintf(d[1].error, sizeof(d[1].error), "connection refused");
    d[2].status = STORE_DELIVERY_FAILED;
    d[2].attempts = 1;
    snprintf(d[2].error, sizeof(d[2].error), "HTTP 404");
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_delivery_update(fx->s, &d[i], &err), 0);
    d[0].id = 999;
    assert_int_equal(store_delivery_update(fx->s, &d[0], &err), 1);
    free(d);
    reopen(fx);
    assert_int_equal(store_deliveries_pending(fx->s, &d, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].alert_id, late); /* due at T0 + 9 min, before T0 + 30 min */
    assert_string_equal(d[1].error, "connection refused");
    assert_int_equal(d[1].attempts, 2);
    assert_int_equal(d[1].next_ms, T0 + 30 * MIN);
    free(d);

    assert_int_equal(store_list_deliveries(fx->s, early, early, &d, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].status, STORE_DELIVERY_SENT);
    assert_int_equal(d[0].next_ms, 0);
    assert_string_equal(store_delivery_status_name(d[0].status), "sent");
    free(d);
    assert_int_equal(store_alert_payload(fx->s, early, &payload, &err), 0);
    assert_string_equal(payload, "{\"kind\": \"change\"}");
    free(payload);
    assert_int_equal(store_alert_payload(fx->s, 12345, &payload, &err), 1);
}

static void test_an_alert_that_cannot_be_written_leaves_nothing(void **state)
{
    struct store_fixture *fx = *state;
    struct store_alert a = store_alert_make("CAH-001", "change", T0);
    struct store_delivery d = delivery_make("webhook", "k", T0);
    struct store_alert *v = NULL;
    struct store_delivery *dv = NULL;
    struct cw_err err = {0};
    size_t n = 9;

    assert_int_equal(store_alert_add(fx->s, &a, "{not json", &d, 1, &err), -1);
    snprintf(a.kind, sizeof(a.kind), "bogus");
    assert_int_equal(store_alert_add(fx->s, &a, "{}", &d, 1, &err), -1);
    assert_int_equal(store_list_alerts(fx->s, NULL, 0, 0, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_deliveries_pending(fx->s, &dv, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_history_lists_the_newest_oldest_first(void **state)
{
    struct store_fixture *fx = *state;
    struct store_alert *v = NULL;
    struct cw_err err = {0};
    int64_t at = 0;
    size_t n = 0;

    add_alert(fx->s, "CAH-001", "change", T0 + 1 * MIN);
    add_alert(fx->s, NULL, "digest", T0 + 2 * MIN);
    add_alert(fx->s, "CAH-002", "flapping", T0 + 3 * MIN);
    add_alert(fx->s, "CAH-001", "settled", T0 + 4 * MIN);
    assert_int_equal(store_list_alerts(fx->s, NULL, T0 + 2 * MIN, 0, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].kind, "digest");
    assert_int_equal(v[0].has_states, 0);
    assert_string_equal(v[0].camera_id, "");
    free(v);
    assert_int_equal(store_list_alerts(fx->s, NULL, 0, 2, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].kind, "flapping");
    assert_string_equal(v[1].kind, "settled");
    free(v);
    assert_int_equal(store_list_alerts(fx->s, "CAH-001", 0, 0, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].has_states, 1);
    assert_int_equal(v[0].from, CW_UP);
    assert_int_equal(v[0].to, CW_DOWN);
    assert_int_equal(v[0].since_ms, T0 - 1 * MIN);
    assert_string_equal(v[0].reason, "timeout after 3 failures");
    assert_string_equal(v[0].summary, "CAH-001: up -> down");
    free(v);
    assert_int_equal(store_alert_last_digest(fx->s, &at, &err), 0);
    assert_int_equal(at, T0 + 2 * MIN);
}

static void test_alerts_are_never_changed_or_deleted(void **state)
{
    struct store_fixture *fx = *state;
    sqlite3 *db;

    add_alert(fx->s, "CAH-001", "change", T0);
    db = raw_open(fx->path);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE alert SET kind = 'test'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM alert", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM alert WHERE kind = 'change'"), 1);
    sqlite3_close(db);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, store_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_cursor_is_absent_until_set_then_kept),
        T(test_the_log_is_followed_by_id),
        T(test_watch_rows_are_written_replaced_and_read_back),
        T(test_pending_deliveries_outlive_a_reopen_earliest_first),
        T(test_an_alert_that_cannot_be_written_leaves_nothing),
        T(test_history_lists_the_newest_oldest_first),
        T(test_alerts_are_never_changed_or_deleted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
