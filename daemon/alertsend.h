/* alertsend.h - one attempt at delivering an alert: a webhook (a JSON POST) or an e-mail (SMTP:
 * MAIL FROM, RCPT TO for each recipient, the message uploaded, all libcurl's), a transfer on
 * the loop's curl multi (curlev), never a blocking call. The outcome says whether another
 * attempt may succeed. Only libcurl's codes are read (the HTTP status, the last SMTP reply
 * code, Retry-After as libcurl parses it): no byte of an answer is parsed here. Loop thread
 * only (the daemon's loop, or the CLI's for `camwatch alerts test`). */
#ifndef CW_ALERTSEND_H
#define CW_ALERTSEND_H

#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/err.h"
#include "curlev.h"

#define ALERTSEND_KEY_LEN 64 /* hex SHA-256 */
#define ALERTSEND_EMAIL_KEY "email"
/* A Retry-After past this is taken as this: [alerts] give_up's bound, 7 d */
#define ALERTSEND_RETRY_AFTER_MAX_S (7 * 24 * 3600)

enum alertsend_outcome {
    ALERTSEND_SENT,
    ALERTSEND_RETRY,  /* down, busy or slow: another attempt may succeed */
    ALERTSEND_FAILED, /* refused for good (HTTP 4xx, SMTP 5xx, login denied): retrying won't do */
};

struct alertsend_result {
    enum alertsend_outcome outcome;
    int64_t retry_after_ms; /* the receiver asked for this wait (Retry-After); 0: none */
    char detail[256];       /* "HTTP 204", "SMTP 250"; "nothing listens at 127.0.0.1:9", ... */
};

struct alertsend;

/* Called once on the loop when the attempt ends, never from within the call that started it;
 * the attempt is freed when it returns. */
typedef void (*alertsend_done_fn)(void *data, const struct alertsend_result *r);

/* POST body (JSON) to url with an Idempotency-Key header of key (the receiver may drop a
 * repeat: a retry after a lost answer sends the same key), with [alerts]'s timeout, TLS
 * settings and webhook credential. Copies url, body and key; borrows curl and a for the call.
 * Returns 0 with *out (for alertsend_cancel), or -1 with err when it cannot start. */
int alertsend_webhook(struct curlev *curl, const struct cfg_alerts *a, const char *url,
                      const char *body, const char *key, alertsend_done_fn done, void *data,
                      struct alertsend **out, struct cw_err *err);

/* Send message (RFC 5322, CRLF lines) through [alerts] smtp from from to every recipient, with
 * STARTTLS as starttls says and the smtp credential. Copies message. As alertsend_webhook. */
int alertsend_email(struct curlev *curl, const struct cfg_alerts *a, const char *message,
                    alertsend_done_fn done, void *data, struct alertsend **out, struct cw_err *err);

/* Abandon an attempt in flight: its transfer leaves the multi, done is not called. Accepts
 * NULL. */
void alertsend_cancel(struct alertsend *s);

/* A target as kept and shown without its secrets: key, the hex SHA-256 of its URL (buf of
 * ALERTSEND_KEY_LEN + 1), and origin, "scheme://host[:port]" (what logs and the history show:
 * a webhook's path and query often are its secret). */
void alertsend_target(const char *url, char *key, char *origin, size_t origin_len);

#endif
