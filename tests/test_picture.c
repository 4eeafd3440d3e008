/* test_picture.c - picture measures on luma planes made here: flat, black,
 * known mean and spread, a checkerboard against the same blurred by a box
 * filter, and the difference hash on identical, slightly noisy and different
 * pictures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/picture.h"

#define W 320
#define H 240

static uint8_t *plane_new(int w, int h, uint8_t fill)
{
    uint8_t *p = malloc((size_t)w * (size_t)h);
    assert_non_null(p);
    memset(p, fill, (size_t)w * (size_t)h);
    return p;
}

static void checkerboard(uint8_t *p, int w, int h, int square)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            p[y * w + x] = ((x / square + y / square) & 1) ? 220 : 30;
}

/* Box filter of (2r+1)^2, edges clamped. */
static void box_blur(const uint8_t *src, uint8_t *dst, int w, int h, int r)
{
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int sum = 0, n = 0;
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    int yy = y + dy, xx = x + dx;
                    yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
                    xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
                    sum += src[yy * w + xx];
                    n++;
                }
            }
            dst[y * w + x] = (uint8_t)((sum + n / 2) / n);
        }
    }
}

/* A smooth scene with structure at several places, like a street more than a test chart. */
static void scene(uint8_t *p, int w, int h, bool mirrored)
{
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int xs = mirrored ? w - 1 - x : x;
            double v = 128 + 90 * sin(xs / 23.0) * cos(y / 17.0) + 0.1 * xs - 0.05 * y;
            p[y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static void add_noise(uint8_t *p, int w, int h, int amplitude)
{
    uint32_t seed = 12345;
    for (int i = 0; i < w * h; i++) {
        seed = seed * 1103515245u + 12345u;
        int v = p[i] + (int)((seed >> 16) % (2 * amplitude + 1)) - amplitude;
        p[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static void test_flat_gray_has_no_spread_and_no_sharpness(void **state)
{
    (void)state;
    uint8_t *p = plane_new(W, H, 128);
    struct picture_stats s;
    picture_measure(p, W, H, W, &s);
    assert_true(fabs(s.luma_mean - 128.0) < 1e-9);
    assert_true(s.luma_spread < 1e-9);
    assert_true(s.sharpness < 1e-9);
    assert_true(s.phash == 0); /* no cell brighter than its neighbour */
    free(p);
}

static void test_black_picture_has_zero_luma(void **state)
{
    (void)state;
    uint8_t *p = plane_new(W, H, 0);
    struct picture_stats s;
    picture_measure(p, W, H, W, &s);
    assert_true(s.luma_mean < 1e-9);
    assert_true(s.luma_spread < 1e-9);
    assert_true(s.sharpness < 1e-9);
    free(p);
}

static void test_half_dark_half_bright_has_known_mean_and_spread(void **state)
{
    (void)state;
    uint8_t *p = plane_new(W, H, 0);
    for (int y = 0; y < H; y++)
        memset(p + y * W + W / 2, 200, W / 2);
    struct picture_stats s;
    picture_measure(p, W, H, W, &s);
    assert_true(fabs(s.luma_mean - 100.0) < 1e-9);
    assert_true(fabs(s.luma_spread - 100.0) < 1e-9);
    assert_true(s.sharpness > 0); /* the one edge */
    free(p);
}

static void test_stride_padding_is_not_measured(void **state)
{
    (void)state;
    const int stride = W + 64;
    uint8_t *packed = plane_new(W, H, 0);
    uint8_t *padded = plane_new(stride, H, 255); /* padding bytes stay 255 */
    scene(packed, W, H, false);
    for (int y = 0; y < H; y++)
        memcpy(padded + y * stride, packed + y * W, W);
    struct picture_stats a, b;
    picture_measure(packed, W, H, W, &a);
    picture_measure(padded, W, H, stride, &b);
    assert_true(a.luma_mean == b.luma_mean);
    assert_true(a.luma_spread == b.luma_spread);
    assert_true(a.sharpness == b.sharpness);
    assert_true(a.phash == b.phash);
    free(packed);
    free(padded);
}

static void test_blurred_checkerboard_is_much_less_sharp(void **state)
{
    (void)state;
    uint8_t *sharp = plane_new(W, H, 0);
    uint8_t *blurred = plane_new(W, H, 0);
    checkerboard(sharp, W, H, 8);
    box_blur(sharp, blurred, W, H, 3);
    struct picture_stats a, b;
    picture_measure(sharp, W, H, W, &a);
    picture_measure(blurred, W, H, W, &b);
    assert_true(a.sharpness > 1000);
    assert_true(b.sharpness * 10 < a.sharpness);
    /* the blur keeps the brightness */
    assert_true(fabs(a.luma_mean - b.luma_mean) < 2);
    free(sharp);
    free(blurred);
}

static void test_laplacian_variance_of_a_single_dot(void **state)
{
    (void)state;
    /* One pixel of 100 on 0 in a 9x8 plane: over the 7x6 = 42 interior pixels the Laplacian
     * is -400 at the dot, 100 at its 4 neighbours and 0 elsewhere: sum 0, sum of squares
     * 160000 + 4 * 10000, so the variance is 200000 / 42. */
    uint8_t *p = plane_new(9, 8, 0);
    p[3 * 9 + 4] = 100;
    struct picture_stats s;
    picture_measure(p, 9, 8, 9, &s);
    assert_true(fabs(s.sharpness - 200000.0 / 42.0) < 1e-6);
    free(p);
}

static void test_hash_bits_are_set_where_left_is_brighter(void **state)
{
    (void)state;
    uint8_t *down = plane_new(W, H, 0), *up = plane_new(W, H, 0);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            down[y * W + x] = (uint8_t)(255 - x * 255 / (W - 1));
            up[y * W + x] = (uint8_t)(x * 255 / (W - 1));
        }
    }
    struct picture_stats a, b;
    picture_measure(down, W, H, W, &a);
    picture_measure(up, W, H, W, &b);
    assert_true(a.phash == UINT64_MAX);
    assert_true(b.phash == 0);
    free(down);
    free(up);
}

static void test_hash_identical_small_noisy_and_large_different(void **state)
{
    (void)state;
    uint8_t *a = plane_new(W, H, 0), *b = plane_new(W, H, 0);
    uint8_t *noisy = plane_new(W, H, 0), *other = plane_new(W, H, 0);
    scene(a, W, H, false);
    scene(b, W, H, false);
    scene(noisy, W, H, false);
    add_noise(noisy, W, H, 6);
    scene(other, W, H, true);
    struct picture_stats sa, sb, sn, so;
    picture_measure(a, W, H, W, &sa);
    picture_measure(b, W, H, W, &sb);
    picture_measure(noisy, W, H, W, &sn);
    picture_measure(other, W, H, W, &so);
    assert_int_equal(picture_hash_distance(sa.phash, sb.phash), 0);
    assert_in_range(picture_hash_distance(sa.phash, sn.phash), 0, 4);
    assert_in_range(picture_hash_distance(sa.phash, so.phash), 20, 64);
    /* noise is what sharpness sees first */
    assert_true(sn.sharpness > sa.sharpness);
    free(a);
    free(b);
    free(noisy);
    free(other);
}

static void test_hash_distance_counts_differing_bits(void **state)
{
    (void)state;
    assert_int_equal(picture_hash_distance(0, 0), 0);
    assert_int_equal(picture_hash_distance(0, UINT64_MAX), 64);
    assert_int_equal(picture_hash_distance(0xF0, 0x0F), 8);
    assert_int_equal(picture_hash_distance(0x0F, 0xF0), 8);
    assert_int_equal(picture_hash_distance(0x8000000000000001ull, 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_gray_has_no_spread_and_no_sharpness),
        cmocka_unit_test(test_black_picture_has_zero_luma),
        cmocka_unit_test(test_half_dark_half_bright_has_known_mean_and_spread),
        cmocka_unit_test(test_stride_padding_is_not_measured),
        cmocka_unit_test(test_blurred_checkerboard_is_much_less_sharp),
        cmocka_unit_test(test_laplacian_variance_of_a_single_dot),
        cmocka_unit_test(test_hash_bits_are_set_where_left_is_brighter),
        cmocka_unit_test(test_hash_identical_small_noisy_and_large_different),
        cmocka_unit_test(test_hash_distance_counts_differing_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
