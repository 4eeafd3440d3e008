/* fuzz_xmlguard.c - the safe-parse guard (xmlguard_parse) on any bytes a device may send:
 * refused with a reason, or a document no deeper than XMLGUARD_MAX_DEPTH. */
#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "../probes/xmlguard.h"
#include "fuzz.h"

FUZZ_INIT_LIBXML2

static int depth(const xmlNode *n)
{
    int most = 0;

    for (; n != NULL; n = n->next) {
        int d = n->type == XML_ELEMENT_NODE ? 1 + depth(n->children) : 0;
        if (d > most)
            most = d;
    }
    return most;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlDocPtr doc = NULL;
    struct cw_err err = {0};

    if (xmlguard_parse((const char *)data, size, &doc, &err) == 0) {
        if (doc == NULL || doc->intSubset != NULL || depth(doc->children) > XMLGUARD_MAX_DEPTH)
            __builtin_trap();
        xmlFreeDoc(doc);
    } else if (doc != NULL || err.msg[0] == '\0') {
        __builtin_trap();
    }
    return 0;
}
