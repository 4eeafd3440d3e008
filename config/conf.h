/* conf.h - camwatch.conf: its sections as tables of directives (conf.c), named sections
 * ([class NAME]), and the checks across keys. Private to config/. */
#ifndef CW_CFG_CONF_H
#define CW_CFG_CONF_H

#include "load.h"

/* Every default of every section into ld->cfg (ld->cfg->dir set). */
void cfg_conf_defaults(struct load *ld);

/* Read ld->cfg->path into ld->cfg, then check across keys and build the named sections.
 * Returns -1 when the file cannot be read (reported), else 0 (problems reported in ld). */
int cfg_conf_load(struct load *ld);

/* Free what cfg_conf_load() kept in ld. */
void cfg_conf_forget(struct load *ld);

/* Free the strings the sections' keys hold in cfg, and the owners. */
void cfg_conf_free(struct cfg *cfg);

#endif
