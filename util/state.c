/* state.c - names of camera health states. */
#include "state.h"

#include <string.h>

static const char *const state_names[] = {"unknown", "up", "degraded", "down", "maintenance"};

const char *cw_state_name(enum cw_state s)
{
    if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
        return "unknown";
    return state_names[s];
}

int cw_state_parse(const char *name, enum cw_state *out)
{
    for (unsigned i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum cw_state)i;
            return 0;
        }
    }
    return -1;
}
