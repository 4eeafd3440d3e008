/* vec.h - growing an array by doubling: the one way the product's lists make room. No state;
 * any thread. */
#ifndef CW_VEC_H
#define CW_VEC_H

#include <stddef.h>

/* Room for one more element in an array of n elements, *cap allocated, sz bytes each. v is
 * the address of the array's pointer (a `T **` for an array of T; object pointers share one
 * representation, as POSIX requires). When n has reached *cap the array is reallocated to
 * twice *cap (`first` elements the first time) and *cap follows. Returns 0, or -1 when out of
 * memory or the size would overflow: the array and *cap are then as they were. */
int cw_vec_grow(void *v, size_t n, size_t *cap, size_t sz, size_t first);

/* Room for need elements (a buffer about to take several at once): when need is over *cap,
 * *cap doubles (from `first` the first time) until it holds need, and the array is
 * reallocated to it. Returns 0, or -1 as cw_vec_grow, the array and *cap as they were. */
int cw_vec_reserve(void *v, size_t need, size_t *cap, size_t sz, size_t first);

#endif
