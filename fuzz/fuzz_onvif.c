/* fuzz_onvif.c - an ONVIF answer as a device sends it, through every reader camwatch has:
 * the SOAP document and its fault (onvif_doc.c), the clock and its offset arithmetic, device
 * facts, services, capabilities, profiles, stream and snapshot URIs (onvif_parse.c), and the
 * comparison of an announced stream URI with the inventory's (onvif.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "../probes/onvif.h"
#include "../probes/onvif_doc.h"
#include "../probes/onvif_parse.h"
#include "fuzz.h"

#define INVENTORY_URI "rtsp://10.1.2.3:554/Streaming/Channels/101"

FUZZ_INIT_LIBXML2

static void check_string(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL)
        __builtin_trap();
}

static void compare_uri(const char *uri)
{
    char note[256];

    if (uri[0] == '\0')
        return;
    (void)onvif_compare_stream_uri(uri, INVENTORY_URI, note, sizeof(note));
    check_string(note, sizeof(note));
}

static void read_profiles(const struct onvif_doc *d)
{
    static struct onvif_profile prof[ONVIF_MAX_PROFILES]; /* ~20 KiB: not on the stack */
    struct cw_err err = {0};
    size_t n = 0;

    if (onvif_parse_profiles(d, prof, ONVIF_MAX_PROFILES, &n, &err) != 0)
        return;
    if (n > ONVIF_MAX_PROFILES)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        check_string(prof[i].token, sizeof(prof[i].token));
        check_string(prof[i].encoding, sizeof(prof[i].encoding));
        compare_uri(prof[i].stream_uri);
    }
}

static void read_all(const struct onvif_doc *d)
{
    struct cw_err err = {0};
    struct onvif_fault fault;
    struct onvif_clock clock;
    struct onvif_info info;
    struct onvif_endpoints ep;
    char uri[ONVIF_URL_MAX];
    int64_t offset, error;

    if (onvif_doc_fault(d, &fault)) {
        check_string(fault.code, sizeof(fault.code));
        check_string(fault.reason, sizeof(fault.reason));
    }
    if (onvif_parse_clock(d, &clock, &err) == 0) {
        /* The exchange as the probe times it: our clock now, a 40 ms round trip. */
        onvif_clock_offset(1767225600000, 1767225600040, clock.device_utc_ms, &offset, &error);
        check_string(clock.tz, sizeof(clock.tz));
    }
    if (onvif_parse_info(d, &info, &err) == 0)
        check_string(info.serial, sizeof(info.serial));
    memset(&ep, 0, sizeof(ep));
    (void)onvif_parse_services(d, &ep, &err);
    (void)onvif_parse_capabilities(d, &ep, &err);
    for (int i = 0; i < ONVIF_SVC_COUNT; i++)
        check_string(ep.url[i], sizeof(ep.url[i]));
    read_profiles(d);
    if (onvif_parse_uri(d, uri, sizeof(uri), &err) == 0) {
        check_string(uri, sizeof(uri));
        compare_uri(uri);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct onvif_doc *d = NULL;
    struct cw_err err = {0};

    if (onvif_doc_parse((const char *)data, size, &d, &err) != 0) {
        if (d != NULL || err.msg[0] == '\0')
            __builtin_trap();
        return 0;
    }
    read_all(d);
    onvif_doc_free(d);
    return 0;
}
