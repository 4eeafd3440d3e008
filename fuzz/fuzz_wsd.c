/* fuzz_wsd.c - a WS-Discovery datagram as a device on the link may send it, taken twice into one
 * discovery's result (wsd_take_datagram: the SOAP document, ProbeMatches, RelatesTo, scopes and
 * their percent-decoding, the device list and its deduplication). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "../probes/wsd.h"
#include "fuzz.h"

/* The MessageID the seeds answer (tests/data/onvif/wsd_*.xml). */
#define PROBE_ID "urn:uuid:2f0c9c3a-6a0e-4c7b-9d52-1b7e5f0a8c11"

FUZZ_INIT_LIBXML2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wsd_result r;

    memset(&r, 0, sizeof(r));
    strcpy(r.message_id, PROBE_ID);
    if (wsd_take_datagram(&r, (const char *)data, size, "127.0.0.1:3702") != 0 ||
        wsd_take_datagram(&r, (const char *)data, size, "127.0.0.2:3702") != 0)
        __builtin_trap(); /* only out of memory fails */
    if (r.n_devices + r.n_ignored == 0 || r.n_devices > WSD_MAX_MATCHES ||
        r.n_reasons > r.n_ignored)
        __builtin_trap();
    for (size_t i = 0; i < r.n_devices; i++)
        if (memchr(r.devices[i].m.name, '\0', sizeof(r.devices[i].m.name)) == NULL)
            __builtin_trap();
    wsd_result_free(&r);
    return 0;
}
