/* ini_src.h - INI files (camwatch.conf, credentials.ini) read through libinih with line
 * numbers. libinih does not tell its handler the line, so the file is fed to it one line at
 * a time by a reader that counts lines and also catches what inih would drop or merge
 * silently: lines without '=', continuation lines, unclosed section headers, overlong lines,
 * text that is not UTF-8.
 * Private to config/. */
#ifndef CW_CFG_INI_SRC_H
#define CW_CFG_INI_SRC_H

#include <stdio.h>

#include "load.h"

struct ini_src;

/* A section header; return 0 to take the keys under it, -1 to pass over them (the header was
 * reported as bad, or the section is not ours). */
typedef int (*ini_section_fn)(struct ini_src *src, const char *name);
/* A key of a section whose header was taken; section is "" before any header. */
typedef void (*ini_key_fn)(struct ini_src *src, const char *section, const char *key,
                           const char *value);

struct ini_src {
    FILE *fp;
    const char *file; /* as shown in messages */
    struct load *ld;
    int line;          /* of the line being read */
    int have_prev_key; /* a key was seen since the last section header */
    int skip;          /* the last section header was not taken: its keys are passed over */
    int lost;          /* lines not read for a problem (a key among them, maybe), or whose keys
                        * are not (an unknown section's header); the handlers count theirs */
    char *buf;
    size_t cap;
    ini_section_fn on_section;
    ini_key_fn on_key;
    void *data; /* the caller's */
};

/* Parse fp (opened by the caller; closed here) as file, as shown in messages, calling
 * on_section and on_key (on_section may be NULL: every section taken); problems are reported
 * into ld. Returns how many lines were lost (ini_src's lost). */
int cfg_ini_parse(FILE *fp, const char *file, struct load *ld, ini_section_fn on_section,
                  ini_key_fn on_key);

#endif
