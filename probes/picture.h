/* picture.h - picture health measures on a luma plane: brightness and its
 * spread (dark, black, over-exposed), sharpness as the variance of a
 * Laplacian (blurred, fogged, out of focus) and a 64-bit perceptual hash
 * (frozen, moved or covered). Pure functions; any thread. */
#ifndef CW_PICTURE_H
#define CW_PICTURE_H

#include <stdint.h>

struct picture_stats {
    double luma_mean;   /* 0..255 */
    double luma_spread; /* standard deviation of luma */
    double sharpness;   /* variance of the 3x3 Laplacian over luma */
    uint64_t phash;     /* difference hash of a 9x8 area-averaged thumbnail */
};

/* Measure a width x height 8-bit luma plane with the given line stride (bytes). width and
 * height must be at least 9 and 8. */
void picture_measure(const uint8_t *luma, int width, int height, int stride,
                     struct picture_stats *out);

/* Bits that differ between two hashes, 0..64. */
int picture_hash_distance(uint64_t a, uint64_t b);

#endif
