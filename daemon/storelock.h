/* storelock.h - one camwatchd per store. A daemon (and --once) holds an exclusive flock on
 * "<database>.lock" for its whole life, reloads included (the database cannot change on a
 * reload): a second daemon on the same store would read the first's writes as staff
 * actions, probe every camera twice and overwrite the vitals file. The lock file holds the
 * holder's pid, for the refusal's message. The CLI does not take it: its short writes
 * (tickets, maintenance, footage scans) go beside a daemon through SQLite's own locking.
 * Owns one descriptor, closed (and the lock released) by storelock_free or the process's
 * end. */
#ifndef CW_STORELOCK_H
#define CW_STORELOCK_H

#include <stddef.h>

#include "../util/err.h"

struct storelock;

/* Take the store's lock, without waiting: 0 with *out (storelock_free), or -1 with err:
 * "another camwatchd (pid N) uses DATABASE" when one holds it, else why the lock file could
 * not be opened or locked. */
int storelock_take(const char *database, struct storelock **out, struct cw_err *err);
/* Release the lock and close its file (which stays, holding the last holder's pid). Accepts
 * NULL. */
void storelock_free(struct storelock *l);

#endif
