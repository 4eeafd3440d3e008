/* fuzz_isapi.c - a Hikvision NVR's answer to an ISAPI ContentMgmt search, through its reader
 * (probes/recorder_isapi.c): a CMSearchResult page or a ResponseStatus, any namespace. Counts
 * stay within the room given, strings stay terminated, a match never ends before it starts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

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
    xmlInitParser();
    if (cw_zone_load("Asia/Ho_Chi_Minh", &zone, &err) != 0)
        abort();
    return 0;
}

static void check_item(const struct rec_item *it)
{
    if (memchr(it->id, '\0', sizeof(it->id)) == NULL || it->end_ms < it->start_ms || it->bytes < 0)
        __builtin_trap();
    for (int t = 0; t < REC_ITEM_TOKENS; t++)
        if (memchr(it->tokens[t], '\0', sizeof(it->tokens[t])) == NULL)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rec_item items[ITEMS_MAX]; /* ~8 KiB: not on the stack */
    struct isapi_page page;
    struct cw_err err;

    if (isapi_parse_search((const char *)data, size, zone, items, ITEMS_MAX, &page, &err) != 0)
        return 0;
    if (page.n > ITEMS_MAX || page.n > page.n_matches + ITEMS_MAX)
        __builtin_trap();
    for (size_t i = 0; i < page.n; i++)
        check_item(&items[i]);
    return 0;
}
