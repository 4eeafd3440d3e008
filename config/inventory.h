/* inventory.h - cameras.csv. Private to config/. */
#ifndef CW_CFG_INVENTORY_H
#define CW_CFG_INVENTORY_H

#include "load.h"

/* Read ld->cfg->cameras_path into ld->cfg->cameras; problems reported in ld. */
void cfg_inventory_load(struct load *ld);

#endif
