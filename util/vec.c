/* vec.c - growing an array by doubling; see vec.h. */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cw_vec_grow(void *v, size_t n, size_t *cap, size_t sz, size_t first)
{
    return cw_vec_reserve(v, n + 1, cap, sz, first);
}

int cw_vec_reserve(void *v, size_t need, size_t *cap, size_t sz, size_t first)
{
    size_t want;
    void *old, *nv;

    if (need <= *cap)
        return 0;
    want = *cap > 0 ? *cap : first > 0 ? first : 1;
    while (want < need) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (sz == 0 || want > SIZE_MAX / sz)
        return -1;
    memcpy(&old, v, sizeof(old));
    if ((nv = realloc(old, want * sz)) == NULL)
        return -1;
    memcpy(v, &nv, sizeof(nv));
    *cap = want;
    return 0;
}
