/* auth.h - who is asking the HTTP API: a request's bearer token looked up in the tokens file
 * (config/tokens.h), reread when the file changes (an ev_stat watcher: `camwatch token add`
 * takes effect at once) or on auth_reload; and the clients whose recent attempts failed,
 * whose answers are held longer and longer (AUTH_FREE_FAILURES free, then doubling from
 * AUTH_DELAY_BASE_S up to AUTH_DELAY_MAX_S; forgotten after AUTH_FORGET_S without one).
 * The hold is the server's timer, never a sleep. Owns the tokens, the watcher and the table of
 * failing clients (at most AUTH_CLIENTS_MAX; the stalest goes first). Loop thread only. */
#ifndef CW_AUTH_H
#define CW_AUTH_H

#include <ev.h>
#include <stdint.h>

#include "../config/tokens.h"
#include "../util/err.h"

#define AUTH_FREE_FAILURES 3  /* failures from one client answered at once */
#define AUTH_DELAY_BASE_S 0.5 /* the hold after them, doubling with each failure */
#define AUTH_DELAY_MAX_S 8.0  /* at most */
#define AUTH_FORGET_S 600.0   /* a client without a failure this long starts afresh */
#define AUTH_CLIENTS_MAX 1024 /* failing clients remembered */

struct auth;

/* Read the tokens file at path (a missing file is no tokens: every request is refused until
 * `camwatch token add`) and watch it. A file that does not parse is an error here. Borrows
 * loop. Caller frees with auth_free. */
int auth_new(struct ev_loop *loop, const char *path, struct auth **out, struct cw_errlist *errs);
void auth_free(struct auth *a); /* accepts NULL */

/* Read the file again (SIGHUP, or its watcher); a bad file is logged with every problem and
 * the tokens in use are kept. */
void auth_reload(struct auth *a);

enum auth_result {
    AUTH_OK,
    AUTH_MISSING, /* no Authorization header, or not a bearer token: answered at once */
    AUTH_INVALID, /* a token not in the file: counted against the client */
};

/* Check the value of a request's Authorization header (may be NULL) from client (an address,
 * or a unix socket's user: http_req_client) at now_s (ev_now). AUTH_OK: *who is the token's
 * entry (borrowed until the next reload: copy what must outlive the request's turn).
 * Otherwise the failure is counted against client and *delay_s says how long to hold the
 * answer. */
enum auth_result auth_check(struct auth *a, const char *authorization, const char *client,
                            double now_s, const struct tokens_entry **who, double *delay_s);

/* Tokens in use (0: every request is refused). */
size_t auth_count(const struct auth *a);

/* Counters for /metrics. */
struct auth_stats {
    uint64_t failures; /* requests refused 401 */
    uint64_t held;     /* of them, answered after a hold */
    uint64_t reloads;  /* tokens file read again */
};
void auth_get_stats(const struct auth *a, struct auth_stats *out);

#endif
