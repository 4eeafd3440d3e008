/* fuzz.h - what the harnesses share: libFuzzer's entry points declared, and the one
 * LLVMFuzzerInitialize the XML readers need (libxml2 made ready once, not per input). */
#ifndef CW_FUZZ_H
#define CW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Defines LLVMFuzzerInitialize for a harness of libxml2-based readers. */
#define FUZZ_INIT_LIBXML2                                                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                              \
    {                                                                                              \
        (void)argc;                                                                                \
        (void)argv;                                                                                \
        xmlInitParser();                                                                           \
        return 0;                                                                                  \
    }

#endif
