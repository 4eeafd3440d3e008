/* avail.c - availability sums from spells; see avail.h for what each figure means. Pure. */
#include "avail.h"

void avail_add_spell(struct avail *a, const struct uptime_spell *sp)
{
    int64_t in = sp->end_ms - sp->start_ms;

    if ((unsigned)sp->state >= AVAIL_STATES)
        return;
    a->ms[sp->state] += in;
    if (sp->state == CW_DOWN) {
        if (sp->began_inside)
            a->outages++;
        if (in > a->longest_down_ms)
            a->longest_down_ms = in;
        if (sp->ended) {
            a->repairs++;
            a->repair_ms += sp->end_ms - sp->began_ms;
        }
    } else if (sp->state == CW_DEGRADED) {
        for (int k = 0; k < REASON_KIND_COUNT; k++)
            if (sp->kinds & (1u << k))
                a->degraded_ms[k] += in;
        if ((sp->kinds & ((1u << REASON_KIND_COUNT) - 1)) == 0)
            a->degraded_ms[REASON_OTHER] += in;
    }
}

void avail_add(struct avail *a, const struct avail *b)
{
    for (int s = 0; s < AVAIL_STATES; s++)
        a->ms[s] += b->ms[s];
    a->outages += b->outages;
    if (b->longest_down_ms > a->longest_down_ms)
        a->longest_down_ms = b->longest_down_ms;
    a->repairs += b->repairs;
    a->repair_ms += b->repair_ms;
    for (int k = 0; k < REASON_KIND_COUNT; k++)
        a->degraded_ms[k] += b->degraded_ms[k];
    a->cameras += b->cameras;
}

int64_t avail_monitored_ms(const struct avail *a)
{
    return a->ms[CW_UP] + a->ms[CW_DEGRADED] + a->ms[CW_DOWN];
}

double avail_percent(const struct avail *a)
{
    int64_t m = avail_monitored_ms(a);

    return m > 0 ? 100.0 * (double)(a->ms[CW_UP] + a->ms[CW_DEGRADED]) / (double)m : -1;
}

int64_t avail_mttr_ms(const struct avail *a)
{
    return a->repairs > 0 ? a->repair_ms / a->repairs : -1;
}
