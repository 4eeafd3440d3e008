/* vec.c - growing an array by doubling; see vec.h. */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cw_vec_grow(void *v, size_t n, size_t *cap, size_t sz, size_t first)
{
    size_t want;
    void *old, *nv;

    if (n < *cap)
        return 0;
    want = *cap > 0 ? *cap * 2 : first;
    if (want <= n)
        want = n + 1;
    if (sz == 0 || want > SIZE_MAX / sz)
        return -1;
    memcpy(&old, v, sizeof(old));
    if ((nv = realloc(old, want * sz)) == NULL)
        return -1;
    memcpy(v, &nv, sizeof(nv));
    *cap = want;
    return 0;
}
