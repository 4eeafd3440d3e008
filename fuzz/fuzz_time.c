/* fuzz_time.c - times and durations as people type them (the CLI's --since, --from, --to) and
 * as camwatch.conf gives them: cw_parse_time() and cw_parse_duration_ms(), on the input as one
 * NUL-terminated string. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    int64_t v;

    if (size > 256)
        return -1; /* no time or duration is longer; the parsers' reads stay in the string */
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (cw_parse_duration_ms(s, &v) == 0 && v < 0)
        __builtin_trap();
    (void)cw_parse_time(s, CW_DEFAULT_TZ, &v);
    (void)cw_parse_time(s, "UTC", &v);
    free(s);
    return 0;
}
