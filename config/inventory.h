/* inventory.h - cameras.csv. Private to config/. */
#ifndef CW_CFG_INVENTORY_H
#define CW_CFG_INVENTORY_H

#include "load.h"

/* Read ld->cfg->cameras_path into ld->cfg->cameras; problems reported in ld. */
void cfg_inventory_load(struct load *ld);

/* Leave out of ld->cfg->cameras every row that had a problem (a reader's load). */
void cfg_inventory_drop_bad(struct load *ld);

/* Free the strings of one camera (not the camera itself). */
void cfg_camera_free_fields(struct cfg_camera *c);

#endif
