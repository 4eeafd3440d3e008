/* avail.h - a camera's availability over a range from its spells (uptime.h): time in each
 * state, outages, the longest downtime, repairs and their mean time, and time degraded by
 * the kind of reason. Pure sums over the caller's struct; sums of cameras add up the same way
 * (avail_add), so an owner's or a district's figures are their cameras' figures summed.
 *
 * Definitions, as the reports print them:
 *   monitored    = up + degraded + down (unknown and maintenance are shown apart)
 *   availability = (up + degraded) / monitored; a degraded camera still sees and records
 *   outages      = DOWN spells that begin in the range
 *   longest down = the longest DOWN spell's part inside the range
 *   repairs      = DOWN spells that end in the range (back up, degraded, in maintenance);
 *   MTTR         = their mean whole length, from when each began (maybe before the range)
 *   degraded by kind: a DEGRADED spell's time inside the range, counted under each kind its
 *                 reason named when it began (a spell with two kinds counts under both). */
#ifndef CW_AVAIL_H
#define CW_AVAIL_H

#include <stdint.h>

#include "reason.h"
#include "uptime.h"

#define AVAIL_STATES 5 /* enum cw_state values */

struct avail {
    int64_t ms[AVAIL_STATES]; /* by enum cw_state */
    int outages;
    int64_t longest_down_ms;
    int repairs;
    int64_t repair_ms; /* sum of the repaired spells' whole lengths */
    int64_t degraded_ms[REASON_KIND_COUNT];
    int cameras; /* 1 for one camera's sums; summed by avail_add */
};

/* Add one spell of one camera to a. */
void avail_add_spell(struct avail *a, const struct uptime_spell *sp);
/* Add the sums of b to a (longest: the larger). */
void avail_add(struct avail *a, const struct avail *b);

int64_t avail_monitored_ms(const struct avail *a);
/* Percent available, or -1 when nothing was monitored. */
double avail_percent(const struct avail *a);
/* Mean time to repair in ms, or -1 when nothing was repaired. */
int64_t avail_mttr_ms(const struct avail *a);

#endif
