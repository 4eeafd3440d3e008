/* fuzz_nvr.c - an NVR's answers to its own HTTP API, through their readers: Hikvision ISAPI's
 * CMSearchResult or ResponseStatus (probes/recorder_isapi.c, any namespace) and Dahua's
 * mediaFileFind.cgi lines (probes/recorder_dahua.c: the finder's id, OK, a findNextFile
 * page). Each input goes to every reader. Counts stay within the room given, strings stay
 * terminated, a file never ends before it starts. */
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

static void check_items(const struct rec_item *items, size_t n)
{
    if (n > ITEMS_MAX)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        const struct rec_item *it = &items[i];
        if (memchr(it->id, '\0', sizeof(it->id)) == NULL || it->id[0] == '\0' ||
            it->end_ms < it->start_ms || it->bytes < 0)
            __builtin_trap();
        for (int t = 0; t < REC_ITEM_TOKENS; t++)
            if (memchr(it->tokens[t], '\0', sizeof(it->tokens[t])) == NULL)
                __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rec_item items[ITEMS_MAX]; /* ~8 KiB: not on the stack */
    const char *buf = (const char *)data;
    struct isapi_page page;
    struct cw_err err;
    char obj[24];
    size_t n, found;

    if (isapi_parse_search(buf, size, zone, items, ITEMS_MAX, &page, &err) == 0)
        check_items(items, page.n);
    if (dahua_parse_object(buf, size, obj, sizeof(obj), &err) == 0 &&
        (obj[0] == '\0' || memchr(obj, '\0', sizeof(obj)) == NULL))
        __builtin_trap();
    (void)dahua_parse_ok(buf, size, &err);
    if (dahua_parse_files(buf, size, zone, items, ITEMS_MAX, &n, &found, &err) == 0) {
        if (n > found)
            __builtin_trap();
        check_items(items, n);
    }
    return 0;
}
