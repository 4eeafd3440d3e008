/* fuzz_tokens.c - the tokens file (config/tokens.c) as a user might leave it: tokens_parse on
 * the input; what it accepts has only usable names, known roles and unique names, and a
 * lookup of the input itself as a token is safe. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../config/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cw_errlist errs = {0};
    struct tokens t = {0};

    if (size > 65536)
        return -1;
    if (tokens_parse((const char *)data, size, "tokens.ini", &t, &errs) == 0) {
        if (errs.n != 0)
            __builtin_trap();
        for (size_t i = 0; i < t.n; i++) {
            if (!tokens_name_ok(t.v[i].name) || t.v[i].role < TOKENS_VIEWER ||
                t.v[i].role > TOKENS_ADMIN)
                __builtin_trap();
            for (size_t k = 0; k < i; k++)
                if (strcmp(t.v[k].name, t.v[i].name) == 0)
                    __builtin_trap();
        }
    } else if (errs.n == 0 || t.n != 0) {
        __builtin_trap();
    }
    (void)tokens_find(&t, (const char *)data, size);
    tokens_clear(&t);
    cw_errlist_clear(&errs);
    return 0;
}
