/* class.h - [class NAME] sections: quality thresholds for a kind of camera. Private to
 * config/. */
#ifndef CW_CFG_CLASS_H
#define CW_CFG_CLASS_H

#include "directive.h"

#define CFG_CLASS_DEFAULT "default"
#define CFG_CLASS_NAME_MAX (CFG_SECTION_MAX - 6) /* "[class NAME]" */

/* The kind of named section "class", for conf.c's named_kinds[]. */
extern const struct cfg_named_kind cfg_class_kind;

/* The class called name in cfg, or NULL; borrowed from cfg. */
const struct cfg_class *cfg_class_find(const struct cfg *cfg, const char *name);

#endif
