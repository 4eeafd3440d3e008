/* recorder.h - [recorder NAME] sections (each source of footage), and tying recorders to the
 * inventory once cameras.csv is read. Private to config/. ([footage] is a table of conf.c.) */
#ifndef CW_CFG_RECORDER_H
#define CW_CFG_RECORDER_H

#include "directive.h"

/* The kind of named section "recorder", for conf.c's named_kinds[]. */
extern const struct cfg_named_kind cfg_recorder_kind;

/* Once cameras.csv and credentials.ini are read: each recorder's credential, its channel
 * map's cameras (each must be in the inventory), its cameras, and the rule that a pattern
 * without {camera} serves exactly one camera. Errors name camwatch.conf and the section's
 * line. (recorder_resolve.c) */
void cfg_recorders_resolve(struct load *ld);

/* cfg_warnings' part: each channel_map entry of a recorder naming a camera whose recorder
 * column names another recorder, a warning at the map's line. (recorder_resolve.c) */
void cfg_recorders_warn(const struct cfg *cfg, struct cw_errlist *warns);

/* The line of key in [recorder NAME] r, else the section's header (errors name it). */
int cfg_recorder_key_line(const struct load *ld, const struct cfg_recorder *r, const char *key);

/* Free cfg->recorders. */
void cfg_recorders_free(struct cfg *cfg);

#endif
