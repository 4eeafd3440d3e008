/* picture.c - picture health measures on an 8-bit luma plane. Owns nothing:
 * pure functions over a caller's plane, any thread. Everything runs at full
 * resolution in integer arithmetic, one pass per measure: a 1920x1080 plane
 * costs a few milliseconds, far less than decoding it. Sharpness is not
 * normalised for size: the same scene filmed at a higher resolution has
 * softer pixel-level edges, so class thresholds are per resolution class. */
#include "picture.h"

#include <math.h>
#include <stddef.h>

#define HASH_COLS 9 /* dHash: 9 columns give 8 left/right comparisons per row */
#define HASH_ROWS 8
/* Per-row sums stay in 32 bits while 255^2 * width fits: any width up to this. */
#define ROW_SUM_MAX_WIDTH 16384

static double std_from_sums(double sum, double sumsq, double n)
{
    double mean = sum / n;
    double var = sumsq / n - mean * mean;
    return var > 0 ? sqrt(var) : 0;
}

/* Mean and standard deviation of all pixels. */
static void measure_luma(const uint8_t *luma, int width, int height, int stride,
                         struct picture_stats *out)
{
    uint64_t sum = 0, sumsq = 0;

    for (int y = 0; y < height; y++) {
        const uint8_t *row = luma + (size_t)y * (size_t)stride;
        if (width <= ROW_SUM_MAX_WIDTH) {
            uint32_t rs = 0, rsq = 0;
            for (int x = 0; x < width; x++) {
                rs += row[x];
                rsq += (uint32_t)row[x] * row[x];
            }
            sum += rs;
            sumsq += rsq;
        } else {
            for (int x = 0; x < width; x++) {
                sum += row[x];
                sumsq += (uint64_t)row[x] * row[x];
            }
        }
    }
    double n = (double)width * (double)height;
    out->luma_mean = (double)sum / n;
    out->luma_spread = std_from_sums((double)sum, (double)sumsq, n);
}

/* Variance of the 4-neighbour Laplacian (0 1 0 / 1 -4 1 / 0 1 0) over interior pixels: edges
 * give large responses, so a sharp picture has a wide spread and a blurred one a narrow one. */
static double measure_sharpness(const uint8_t *luma, int width, int height, int stride)
{
    int64_t sum = 0;
    uint64_t sumsq = 0;

    if (width < 3 || height < 3)
        return 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = luma + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        int32_t rs = 0;
        uint64_t rsq = 0;
        for (int x = 1; x < width - 1; x++) {
            int32_t l = (int32_t)up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * (int32_t)row[x];
            rs += l;
            rsq += (uint32_t)(l * l);
        }
        sum += rs;
        sumsq += rsq;
    }
    double n = (double)(width - 2) * (double)(height - 2);
    double s = std_from_sums((double)sum, (double)sumsq, n);
    return s * s;
}

/* dHash: area-average the plane to 9x8 cells, then one bit per cell pair, set where a cell is
 * brighter than its right neighbour (bit y*8+x). Cells differ in area by a pixel when the size
 * does not divide, so means are compared as cross-multiplied sums. */
static uint64_t measure_dhash(const uint8_t *luma, int width, int height, int stride)
{
    uint64_t cell[HASH_ROWS][HASH_COLS] = {{0}};
    uint64_t colw[HASH_COLS] = {0};
    uint32_t rowbins[HASH_COLS];
    uint64_t hash = 0;

    for (int c = 0; c < HASH_COLS; c++)
        colw[c] = (uint64_t)((int64_t)(c + 1) * width / HASH_COLS - (int64_t)c * width / HASH_COLS);
    for (int y = 0; y < height; y++) {
        const uint8_t *row = luma + (size_t)y * (size_t)stride;
        int r = (int)((int64_t)y * HASH_ROWS / height);
        for (int c = 0; c < HASH_COLS; c++) {
            int x0 = (int)((int64_t)c * width / HASH_COLS);
            int x1 = (int)((int64_t)(c + 1) * width / HASH_COLS);
            uint32_t s = 0;
            for (int x = x0; x < x1; x++)
                s += row[x];
            rowbins[c] = s;
        }
        for (int c = 0; c < HASH_COLS; c++)
            cell[r][c] += rowbins[c];
    }
    for (int r = 0; r < HASH_ROWS; r++) {
        for (int c = 0; c < HASH_COLS - 1; c++) {
            /* mean(c) > mean(c+1)  <=>  sum(c) * area(c+1) > sum(c+1) * area(c); the row
             * height is common to both cells */
            if (cell[r][c] * colw[c + 1] > cell[r][c + 1] * colw[c])
                hash |= (uint64_t)1 << (r * 8 + c);
        }
    }
    return hash;
}

void picture_measure(const uint8_t *luma, int width, int height, int stride,
                     struct picture_stats *out)
{
    measure_luma(luma, width, height, stride, out);
    out->sharpness = measure_sharpness(luma, width, height, stride);
    out->phash = measure_dhash(luma, width, height, stride);
}

int picture_hash_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
