/* action.h - [costs]: the price of each action the backlog may recommend, one row per
 * action (enum cfg_action, cfg.h), for conf.c's sections[]. Private to config/. */
#ifndef CW_CFG_ACTION_H
#define CW_CFG_ACTION_H

#include "directive.h"

/* The CFG_ACTION_COUNT rows of [costs], in enum cfg_action order; offsets into struct cfg's
 * costs[]. */
extern const struct cfg_directive cfg_cost_keys[];

#endif
