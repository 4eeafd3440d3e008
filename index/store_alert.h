/* store_alert.h - alerts in the store (store_alert.c holds every statement on
 * their tables): where the alerting has read the events up to, each camera's
 * damping (daemon/damp.c, kept so a restart goes on where it was), the alerts
 * decided with the document each sent, and their deliveries to each target:
 * the queue of pending ones, which outlives the daemon. Same connection rules
 * as store.h. */
#ifndef CW_STORE_ALERT_H
#define CW_STORE_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One camera's damping as kept (fields as struct damp names them), with the reason of its last
 * change, which the alert tells. */
struct store_alert_watch {
    char camera_id[CFG_ID_MAX + 1];
    enum cw_state told, state;
    int64_t state_ms;
    int pending;
    int64_t run_ms;
    int changes;
    int64_t flap_ms;
    int flapping;
    char reason[256];
};

/* An alert as decided. kind: "change", "flapping", "settled", "digest", "test". */
struct store_alert {
    int64_t id;
    int64_t at_ms;
    char kind[16];
    char camera_id[CFG_ID_MAX + 1]; /* "" for digests and tests */
    int has_states;                 /* from and to are given (camera alerts) */
    enum cw_state from, to;
    int64_t since_ms; /* 0 when none */
    int changes;
    char reason[256];
    char summary[512]; /* one line, as the e-mail's subject says it */
};

enum store_delivery_status { STORE_DELIVERY_PENDING, STORE_DELIVERY_SENT, STORE_DELIVERY_FAILED };

/* One alert's sending to one target. */
struct store_delivery {
    int64_t id;
    int64_t alert_id;
    int64_t alert_at_ms; /* the alert's time (read only: listings fill it) */
    char channel[16];    /* "webhook", "email" */
    char target_key[65]; /* which configured target (alertsend_target_key), never a URL */
    char target[256];    /* as shown: "http://host:port", "smtp://host:port" */
    enum store_delivery_status status;
    int attempts;
    int64_t next_ms; /* pending: the next attempt; 0 otherwise */
    int64_t last_ms; /* the last attempt, 0 before any */
    char error[256]; /* the last attempt's failure, "" after a success */
};

const char *store_delivery_status_name(enum store_delivery_status st); /* "pending", ... */

/* The last event id the alerting has read. *has 0 (and *event_id 0) before its first start. */
int store_alert_cursor(struct store *s, int *has, int64_t *event_id, struct cw_err *err);
int store_alert_set_cursor(struct store *s, int64_t event_id, struct cw_err *err);

/* Every camera's damping row, by camera id. *out malloc'd, caller frees. */
int store_alert_watches(struct store *s, struct store_alert_watch **out, size_t *n,
                        struct cw_err *err);
/* Write one camera's row (made or replaced). 1 when the camera is not in the store. */
int store_alert_put_watch(struct store *s, const struct store_alert_watch *w, struct cw_err *err);

/* Append alert a with its document (JSON text) and one pending delivery per d[0..n) (each
 * with next_ms set; id, status, attempts, last_ms and error are not read), in one
 * transaction (nested in the caller's if open). Fills a->id, and d[i].id and alert_id.
 * Returns 0 or -1. */
int store_alert_add(struct store *s, struct store_alert *a, const char *payload,
                    struct store_delivery *d, size_t n, struct cw_err *err);

/* The document alert id sent (JSON text, malloc'd, caller frees). 1 when no such alert. */
int store_alert_payload(struct store *s, int64_t id, char **out, struct cw_err *err);

/* Every pending delivery, the earliest due first. *out malloc'd, caller frees. */
int store_deliveries_pending(struct store *s, struct store_delivery **out, size_t *n,
                             struct cw_err *err);
/* Write d's status, attempts, next_ms, last_ms and error. 1 when no such delivery. */
int store_delivery_update(struct store *s, const struct store_delivery *d, struct cw_err *err);

/* Alerts at or after since_ms of one camera (NULL: all), oldest first, at most limit (0: no
 * limit; the newest limit when there are more). *out malloc'd, caller frees. */
int store_list_alerts(struct store *s, const char *camera_id, int64_t since_ms, size_t limit,
                      struct store_alert **out, size_t *n, struct cw_err *err);
/* The deliveries of the alerts with ids in [first_id, last_id], by alert then delivery id.
 * *out malloc'd, caller frees. */
int store_list_deliveries(struct store *s, int64_t first_id, int64_t last_id,
                          struct store_delivery **out, size_t *n, struct cw_err *err);

/* When the last digest was decided; 0 when there was none. */
int store_alert_last_digest(struct store *s, int64_t *at_ms, struct cw_err *err);

#endif
