/* state.h - camera health states, shared by health (decides), store (keeps)
 * and the CLI (shows). */
#ifndef CW_STATE_H
#define CW_STATE_H

enum cw_state {
    CW_UNKNOWN = 0, /* never probed, or just out of maintenance */
    CW_UP,
    CW_DEGRADED, /* reachable but failing a quality threshold */
    CW_DOWN,     /* down_after consecutive failed probes */
    CW_MAINTENANCE
};

/* Lower-case name: "unknown", "up", "degraded", "down", "maintenance". */
const char *cw_state_name(enum cw_state s);
/* Parse a state's name, in any case (DOWN, Down, down); returns 0 or -1 (*out untouched). */
int cw_state_parse(const char *name, enum cw_state *out);

#endif
