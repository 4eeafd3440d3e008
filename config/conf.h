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

/* Whether the conf read says which tokens file is meant, for --check-config of a conf refused
 * (cfg_load_check): it was read, and [http] tokens was taken as written, or was not given (its
 * default) and no line of the conf was lost to a problem (it may have been that key). Not when
 * the key was refused or given twice. Before cfg_conf_forget(). */
int cfg_conf_tokens_known(const struct load *ld);

/* Free what cfg_conf_load() kept in ld. */
void cfg_conf_forget(struct load *ld);

/* Free the strings the sections' keys hold in cfg, and the owners. */
void cfg_conf_free(struct cfg *cfg);

#endif
