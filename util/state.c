/* state.c - names of camera health states. */
#include "state.h"

#include "text.h"

static const char *const state_names[] = {"unknown", "up", "degraded", "down", "maintenance"};

const char *cw_state_name(enum cw_state s)
{
    return cw_text_name_at(CW_NAMES(state_names), s, "unknown");
}

int cw_state_parse(const char *name, enum cw_state *out)
{
    int i = cw_text_name_index(CW_NAMES(state_names), name);

    if (i < 0)
        return -1;
    *out = (enum cw_state)i;
    return 0;
}
