/* fuzz_sdp.c - an SDP answer to DESCRIBE as a camera sends it: sdp_parse_video() (codec,
 * payload type, the SPS in sprop-parameter-sets or sprop-sps, frame rate, JPEG dimensions),
 * and what it promises of its answer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../probes/sdp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sdp_video v;
    struct cw_err err = {0};

    if (sdp_parse_video((const char *)data, size, &v, &err) == 0) {
        if (memchr(v.codec, '\0', sizeof(v.codec)) == NULL || v.payload_type < 0 ||
            v.payload_type > 127 || v.width < 0 || v.width > 16384 || v.height < 0 ||
            v.height > 16384 || (v.width == 0) != (v.height == 0) || v.fps < 0 || v.fps > 1000)
            __builtin_trap();
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* a refusal always says why */
    }
    return 0;
}
