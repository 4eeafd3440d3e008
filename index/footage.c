/* footage.c - windows, gaps and the pace of overwriting, from a camera's segments and its
 * footage summary (footage.h). Pure; any thread. */
#include "footage.h"

#include <stdlib.h>

/* Append [a, b) to *v (length *n, capacity *cap). */
static int push(struct footage_span **v, size_t *n, size_t *cap, int64_t a, int64_t b)
{
    if (*n == *cap) {
        struct footage_span *nv = realloc(*v, (*cap = *cap ? *cap * 2 : 8) * sizeof(**v));
        if (nv == NULL)
            return -1;
        *v = nv;
    }
    (*v)[(*n)++] = (struct footage_span){a, b};
    return 0;
}

int footage_merge(const struct store_segment_row *seg, size_t n, int64_t from_ms, int64_t to_ms,
                  int64_t tolerance_ms, struct footage_span **windows, size_t *n_windows,
                  struct footage_span **gaps, size_t *n_gaps)
{
    size_t cap_w = 0, cap_g = 0;
    int64_t cur_a = 0, cur_b = 0, at = from_ms;
    int open = 0;

    *windows = *gaps = NULL;
    *n_windows = *n_gaps = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = seg[i].start_ms, b = seg[i].end_ms;
        if (!seg[i].readable || b <= a || b <= from_ms || a >= to_ms)
            continue;
        if (open && a <= cur_b + tolerance_ms) {
            if (b > cur_b)
                cur_b = b;
            continue;
        }
        if (open && push(windows, n_windows, &cap_w, cur_a, cur_b) != 0)
            goto oom;
        cur_a = a;
        cur_b = b;
        open = 1;
    }
    if (open && push(windows, n_windows, &cap_w, cur_a, cur_b) != 0)
        goto oom;
    /* Cut to the range, and the gaps between. */
    for (size_t i = 0; i < *n_windows; i++) {
        struct footage_span *w = &(*windows)[i];
        if (w->start_ms < from_ms)
            w->start_ms = from_ms;
        if (w->end_ms > to_ms)
            w->end_ms = to_ms;
        if (w->start_ms > at && push(gaps, n_gaps, &cap_g, at, w->start_ms) != 0)
            goto oom;
        at = w->end_ms;
    }
    if (at < to_ms && push(gaps, n_gaps, &cap_g, at, to_ms) != 0)
        goto oom;
    return 0;
oom:
    free(*windows);
    free(*gaps);
    *windows = *gaps = NULL;
    *n_windows = *n_gaps = 0;
    return -1;
}

double footage_pace(const struct store_footage_camera *fc)
{
    if (!fc->has || !fc->has_pace || fc->updated_ms <= fc->pace_since_ms)
        return -1;
    if (fc->oldest_ms <= fc->pace_oldest_ms)
        return 0;
    return (double)(fc->oldest_ms - fc->pace_oldest_ms) /
           (double)(fc->updated_ms - fc->pace_since_ms);
}

int64_t footage_overwritten_at(const struct store_footage_camera *fc, int64_t t_ms)
{
    double pace = footage_pace(fc);

    if (pace <= 0)
        return 0;
    if (t_ms < fc->oldest_ms)
        return fc->updated_ms;
    return fc->updated_ms + (int64_t)((double)(t_ms - fc->oldest_ms) / pace);
}
