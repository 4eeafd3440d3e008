/* action.c - the actions a camera may need (enum cfg_action) by name, and [costs], where the
 * conf prices each: "replace_camera = 4.500.000 | quotation 12/BG of 05/11/2026". An action
 * the conf does not price is shown unpriced in reports, never as free. No state. */
#include "action.h"

#include <string.h>

#include "../util/text.h"

/* A district's camera costs a few million đồng; ten billion bounds any one action and keeps
 * sums of 10,000 cameras' actions far inside int64. */
#define CFG_COST_MAX_VND 10000000000.0

static const char *const action_names[CFG_ACTION_COUNT] = {
    [CFG_ACTION_RESTORE_LINK] = "restore_link",
    [CFG_ACTION_CLEAN_LENS] = "clean_lens",
    [CFG_ACTION_REAIM] = "reaim",
    [CFG_ACTION_SETUP_NTP] = "setup_ntp",
    [CFG_ACTION_RECONFIGURE_ENCODER] = "reconfigure_encoder",
    [CFG_ACTION_UPDATE_CREDENTIALS] = "update_credentials",
    [CFG_ACTION_UPDATE_FIRMWARE] = "update_firmware",
    [CFG_ACTION_REPAIR_IR] = "repair_ir",
    [CFG_ACTION_REPLACE_CAMERA] = "replace_camera",
    [CFG_ACTION_REPLACE_DISK] = "replace_disk",
};

const char *cfg_action_name(enum cfg_action a)
{
    return (unsigned)a < CFG_ACTION_COUNT ? action_names[a] : NULL;
}

int cfg_action_parse(const char *name, enum cfg_action *out)
{
    int a = cw_text_name_index(CW_NAMES(action_names), name);

    if (a < 0)
        return -1;
    *out = (enum cfg_action)a;
    return 0;
}

#define COST_ROW(a, name)                                                                          \
    {                                                                                              \
        .key = name, .kind = CFG_COST, .off = (a) * sizeof(struct cfg_cost), .lo = 0,              \
        .hi = CFG_COST_MAX_VND                                                                     \
    }

const struct cfg_directive cfg_cost_keys[] = {
    COST_ROW(CFG_ACTION_RESTORE_LINK, "restore_link"),
    COST_ROW(CFG_ACTION_CLEAN_LENS, "clean_lens"),
    COST_ROW(CFG_ACTION_REAIM, "reaim"),
    COST_ROW(CFG_ACTION_SETUP_NTP, "setup_ntp"),
    COST_ROW(CFG_ACTION_RECONFIGURE_ENCODER, "reconfigure_encoder"),
    COST_ROW(CFG_ACTION_UPDATE_CREDENTIALS, "update_credentials"),
    COST_ROW(CFG_ACTION_UPDATE_FIRMWARE, "update_firmware"),
    COST_ROW(CFG_ACTION_REPAIR_IR, "repair_ir"),
    COST_ROW(CFG_ACTION_REPLACE_CAMERA, "replace_camera"),
    COST_ROW(CFG_ACTION_REPLACE_DISK, "replace_disk"),
};

_Static_assert(sizeof(cfg_cost_keys) / sizeof(cfg_cost_keys[0]) == CFG_ACTION_COUNT,
               "one [costs] row per action");
