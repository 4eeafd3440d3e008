/* fuzz_footage_query.c - a footage query as a client writes it (the API's from, to, near,
 * radius, place and camera parameters, a request body's fields; the CLI's options):
 * doc_footage_query_read() then doc_footage_check(). The input is split at '\n' into the six
 * words in that order; an empty word is one not given. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../util/cwtime.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *w[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    struct doc_footage_query q;
    struct cw_err err;
    char *s, *p;

    if (size > 4096)
        return -1;
    if ((s = malloc(size + 1)) == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    p = s;
    for (int i = 0; i < 6 && p != NULL; i++) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        w[i] = *p != '\0' ? p : NULL;
        p = nl != NULL ? nl + 1 : NULL;
    }
    {
        const struct doc_footage_words words = {w[0], w[1], w[2], w[3], w[4], w[5]};
        if (doc_footage_query_read(&words, CW_DEFAULT_TZ, 1767225600000LL, &q, &err) == 0) {
            /* exactly one place, and its strings are the words given */
            if ((q.scope.place == STORE_PLACE_TEXT && q.text != w[4]) ||
                (q.scope.place == STORE_PLACE_CAMERAS && q.cameras != w[5]))
                __builtin_trap();
            (void)doc_footage_check(&q, &err);
        } else if (err.field[0] == '\0') {
            __builtin_trap(); /* every refusal names the word at fault */
        }
    }
    free(s);
    return 0;
}
