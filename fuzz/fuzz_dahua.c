/* fuzz_dahua.c - a Dahua NVR's answers to mediaFileFind.cgi, through their readers
 * (probes/recorder_dahua.c): the finder's id, OK, and a findNextFile page of key=value lines.
 * Counts stay within the room given, strings stay terminated, a file never ends before it
 * starts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../probes/recorder_nvr.h"

#define ITEMS_MAX 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cw_zone *zone;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct cw_err err;

    (void)argc;
    (void)argv;
    if (cw_zone_load("Asia/Ho_Chi_Minh", &zone, &err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rec_item items[ITEMS_MAX]; /* ~8 KiB: not on the stack */
    const char *buf = (const char *)data;
    char obj[24];
    struct cw_err err;
    size_t n, found;

    if (dahua_parse_object(buf, size, obj, sizeof(obj), &err) == 0 &&
        (obj[0] == '\0' || memchr(obj, '\0', sizeof(obj)) == NULL))
        __builtin_trap();
    (void)dahua_parse_ok(buf, size, &err);
    if (dahua_parse_files(buf, size, zone, items, ITEMS_MAX, &n, &found, &err) != 0)
        return 0;
    if (n > ITEMS_MAX || n > found)
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (memchr(items[i].id, '\0', sizeof(items[i].id)) == NULL || items[i].id[0] == '\0' ||
            items[i].end_ms < items[i].start_ms)
            __builtin_trap();
    return 0;
}
