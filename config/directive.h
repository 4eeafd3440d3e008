/* directive.h - the keys of a conf section as a table: one row per key, saying what kind of
 * value it takes, where it goes, its default and its bounds. A key is parsed, bounded and
 * stored by cfg_directive_set() alone, so every value in a struct cfg has been checked
 * against its row before anything computes with it. Private to config/.
 *
 * A row, e.g. [probe.rtsp] interval, a duration of 30 s by default, from 100 ms to a day:
 *   CFG_NUM("interval", CFG_DURATION, struct cfg_rtsp, interval_ms, 30000, 100, CFG_DAY_MS)
 * Its section (conf.c) says where that struct is in struct cfg. */
#ifndef CW_CFG_DIRECTIVE_H
#define CW_CFG_DIRECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "load.h"

#define CFG_DAY_MS (86400.0 * 1000)

enum cfg_kind {
    CFG_DURATION,      /* int64_t ms, more than 0: "250ms", "30s", "5m", "2h", "1d" */
    CFG_DURATION_OFF,  /* int64_t ms as CFG_DURATION, or 0 written "0" or "off" */
    CFG_SECONDS,       /* double seconds from a duration, 0 allowed (no limit); bounds in s */
    CFG_INT,           /* int, written in decimal */
    CFG_DOUBLE,        /* double */
    CFG_PERCENT,       /* double, a percentage: "2%" or "2" */
    CFG_BOOL,          /* int 1 or 0: yes/no, true/false, 1/0, any case */
    CFG_STRING,        /* char *; lo and hi bound its length in bytes */
    CFG_TEXT,          /* CFG_STRING a person types and reads or names something by (the
                          site's name, a credential's): kept precomposed (NFC), bounded so */
    CFG_PATH,          /* char *, made absolute from the conf's folder; hi bounds its length */
    CFG_PATH_READABLE, /* CFG_PATH that must be readable when the conf is read */
    CFG_PATH_FOLDER,   /* CFG_PATH of a folder the daemon makes when missing: when the conf
                          is read, one that exists must be a folder */
    CFG_TIME_ZONE,     /* char *, a zone of /usr/share/zoneinfo: "Asia/Ho_Chi_Minh" */
    CFG_LISTEN,        /* char *, host:port, the host a name, IPv4 or [IPv6] */
    CFG_CHOICE,        /* char *, one of the words of choices: "vi en" */
    CFG_COST,          /* struct cfg_cost: "AMOUNT | SOURCE", AMOUNT whole VND within lo..hi
                          ("450000", "450.000", "450,000", "450 000", then "VND" or "đ" may
                          follow), SOURCE the price's source, not empty */
};

struct cfg_directive {
    const char *key;
    enum cfg_kind kind;
    size_t off;          /* of the field in the section's struct */
    double def;          /* default of a number (ms for durations, s for CFG_SECONDS) */
    double lo, hi;       /* inclusive bounds of a number, or of a string's length */
    const char *def_str; /* default of a string or path (relative to the conf's folder);
                            NULL: none */
    const char *note;    /* why the bounds, added to their message; NULL: nothing to add */
    const char *(*refuse)(double v); /* one more rule on a number: its message, or NULL */
    const char *choices;             /* CFG_CHOICE: the words taken, space-separated */
};

/* Rows, one line each: CFG_NUM for numbers (durations, counts, yes/no), CFG_STR for strings
 * and paths; type is the struct the section's fields are in. */
#define CFG_NUM(key_, kind_, type, field, def_, lo_, hi_)                                          \
    {                                                                                              \
        .key = key_, .kind = kind_, .off = offsetof(type, field), .def = def_, .lo = lo_,          \
        .hi = hi_                                                                                  \
    }
#define CFG_NUM_NOTE(key_, kind_, type, field, def_, lo_, hi_, note_)                              \
    {                                                                                              \
        .key = key_, .kind = kind_, .off = offsetof(type, field), .def = def_, .lo = lo_,          \
        .hi = hi_, .note = note_                                                                   \
    }
#define CFG_STR(key_, kind_, type, field, def_, lo_, hi_)                                          \
    {                                                                                              \
        .key = key_, .kind = kind_, .off = offsetof(type, field), .def_str = def_, .lo = lo_,      \
        .hi = hi_                                                                                  \
    }

/* A CFG_CHOICE row: one of the space-separated words of choices_. */
#define CFG_WORD(key_, type, field, def_, choices_)                                                \
    {                                                                                              \
        .key = key_, .kind = CFG_CHOICE, .off = offsetof(type, field), .def_str = def_, .lo = 1,   \
        .hi = 32, .choices = choices_                                                              \
    }

/* A kind of named section, [KIND NAME]: several instances, each given keys of one table
 * (class.c: [class NAME]). Instances are kept as written (load.h, struct cfg_named) and built
 * into the cfg by build() once the whole file is read. */
struct cfg_named_kind {
    const char *kind; /* "class" */
    const struct cfg_directive *keys;
    size_t n_keys; /* at most 64 */
    size_t size;   /* of the struct an instance's values are written into */
    void (*build)(struct load *ld, const struct cfg_named_list *given);
};

/* Parse value as d says, check its bounds and rule, and store it in base + d->off (a string
 * replaces and frees the one there). Returns 0, or -1 with the problem added to ld at
 * file:line, field d->key. */
int cfg_directive_set(struct load *ld, const struct cfg_directive *d, void *base, const char *value,
                      const char *file, int line);

/* The row of key in d[0..n), or NULL. */
const struct cfg_directive *cfg_directive_find(const struct cfg_directive *d, size_t n,
                                               const char *key);

/* Every default of d[0..n) into base; dir is the conf's folder, for paths. */
void cfg_directive_defaults(struct load *ld, const struct cfg_directive *d, size_t n,
                            const char *dir, void *base);

/* Copy into dst the fields of the rows whose bit is set in set (bit k: d[k]), from src;
 * strings are duplicated. */
void cfg_directive_copy(struct load *ld, const struct cfg_directive *d, size_t n, uint64_t set,
                        void *dst, const void *src);

/* Free the strings of d[0..n) in base (the struct itself is the caller's). */
void cfg_directive_free(const struct cfg_directive *d, size_t n, void *base);

/* "a, b, c": the keys of d[0..n), for "unknown key" messages. */
void cfg_directive_list(const struct cfg_directive *d, size_t n, char *buf, size_t len);

#endif
