/* fuzz_sps.c - one sequence parameter set NAL unit, read as H.264 and as H.265
 * (sdp_h264_sps_size, sdp_h265_sps_size): the bits a camera puts in its SDP's fmtp line. */
#include <stddef.h>
#include <stdint.h>

#include "../probes/sdp.h"
#include "fuzz.h"

static void check(int rc, int w, int h)
{
    if (rc == 0 && (w <= 0 || h <= 0 || w > 16384 || h > 16384))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w = 0, h = 0, rc;

    rc = sdp_h264_sps_size(data, size, &w, &h);
    check(rc, w, h);
    w = h = 0;
    rc = sdp_h265_sps_size(data, size, &w, &h);
    check(rc, w, h);
    return 0;
}
