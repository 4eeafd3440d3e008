/* state.c - names of camera health states. */
#include "state.h"

#include <stddef.h>
#include <strings.h>

#include "text.h"

static const char *const state_names[] = {"unknown", "up", "degraded", "down", "maintenance"};

const char *cw_state_name(enum cw_state s)
{
    return cw_text_name_at(CW_NAMES(state_names), s, "unknown");
}

int cw_state_parse(const char *name, enum cw_state *out)
{
    /* A fixed vocabulary a user types (--state, ?state=): DOWN is down, as a quality flag's
     * name is taken in any case. */
    for (size_t i = 0; name != NULL && i < sizeof(state_names) / sizeof(state_names[0]); i++)
        if (strcasecmp(name, state_names[i]) == 0) {
            *out = (enum cw_state)i;
            return 0;
        }
    return -1;
}
