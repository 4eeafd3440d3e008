/* fuzz_tzif.c - a zone file (TZif, RFC 8536) through its reader (util/tzif.c) into a zone's
 * table (util/zone.c): the table it builds is ascending and its offsets within a day of UTC,
 * whatever the bytes; conversions on it stay in range. */
#include <stddef.h>
#include <stdint.h>

#include "../util/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cw_zone *z = NULL;
    struct cw_err err;
    char buf[64];

    if (cw_zone_parse("fuzz", data, size, &z, &err) != 0) {
        if (z != NULL)
            __builtin_trap();
        return 0;
    }
    for (int64_t ms = 0; ms < INT64_C(4102444800000); ms += INT64_C(86400000) * 97) {
        int32_t off = cw_zone_offset_s(z, ms);
        if (off < -26 * 3600 || off > 26 * 3600)
            __builtin_trap();
        cw_zone_format_iso(z, ms, buf, sizeof(buf));
        (void)cw_zone_to_utc(z, 2026, 3, 29, 2, 30, 0);
    }
    cw_zone_free(z);
    return 0;
}
