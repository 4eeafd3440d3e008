/* names.h - a map from names (camera ids, credential sections) to their index in an array,
 * so the inventory is loaded, checked for duplicates and searched in time linear in its
 * size. The names are borrowed: they must outlive the map and not change (the array holding
 * them may move; the strings do not). Private to config/. */
#ifndef CW_CFG_NAMES_H
#define CW_CFG_NAMES_H

#include <stddef.h>

struct cfg_names;

/* An empty map; NULL when out of memory. Free with cfg_names_free (accepts NULL). */
struct cfg_names *cfg_names_new(void);
/* The same, matching names that differ only in the case of ASCII letters ("CAM-1", "cam-1"):
 * ids that would name one file on a case-blind file system (FAT, NTFS). */
struct cfg_names *cfg_names_new_nocase(void);
void cfg_names_free(struct cfg_names *m);

/* Map name (borrowed) to idx. The caller has checked that name is not in m. Returns 0, or -1
 * when out of memory (m is unchanged). */
int cfg_names_add(struct cfg_names *m, const char *name, size_t idx);

/* The index of name, or -1. m may be NULL (nothing is in it). */
long cfg_names_find(const struct cfg_names *m, const char *name);

#endif
