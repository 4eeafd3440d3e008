/* class.c - [class NAME] sections: each gives some of the keys below, and is applied once
 * the whole file is read (cfg_class_kind.build), "default" first (the built-in values under
 * [class default]), then every other class over a copy of it, so a class may come before
 * the default it inherits. cameras.csv rows point into cfg->classes, which is not
 * reallocated after that. Owns nothing: the classes land in the cfg. */
#include "class.h"

#include <stdlib.h>
#include <string.h>

/* The default class: a district's minimum for footage to serve as evidence. A threshold of
 * 0 is not checked, so every range starts at 0. */
#define CFG_CLASS_MIN_WIDTH 640
#define CFG_CLASS_MIN_HEIGHT 360
#define CFG_CLASS_MIN_FPS 12.0
#define CFG_CLASS_MIN_BITRATE_KBPS 256.0
#define CFG_CLASS_MAX_GOP_S 4.0
#define CFG_CLASS_MIN_SHARPNESS 60.0
#define CFG_CLASS_MIN_LUMA 40.0
#define CFG_CLASS_MAX_LUMA 220.0
#define CFG_CLASS_BLACK_SPREAD 4.0
#define CFG_CLASS_FROZEN_AFTER 3
#define CFG_CLASS_MOVED_DISTANCE 20

static const char *frozen_after_refuse(double v)
{
    return v == 1 ? "must be 0 (not checked) or 2 or more: every picture is the same as itself"
                  : NULL;
}

#define C struct cfg_class

static const struct cfg_directive class_keys[] = {
    CFG_NUM("min_width", CFG_INT, C, min_width, CFG_CLASS_MIN_WIDTH, 0, 16384),
    CFG_NUM("min_height", CFG_INT, C, min_height, CFG_CLASS_MIN_HEIGHT, 0, 16384),
    CFG_NUM("min_fps", CFG_DOUBLE, C, min_fps, CFG_CLASS_MIN_FPS, 0, 240),
    CFG_NUM("min_bitrate_kbps", CFG_DOUBLE, C, min_bitrate_kbps, CFG_CLASS_MIN_BITRATE_KBPS, 0,
            1000000),
    CFG_NUM("max_gop", CFG_SECONDS, C, max_gop_s, CFG_CLASS_MAX_GOP_S, 0, 3600),
    CFG_NUM("min_sharpness", CFG_DOUBLE, C, min_sharpness, CFG_CLASS_MIN_SHARPNESS, 0, 1000000),
    CFG_NUM("min_luma", CFG_DOUBLE, C, min_luma, CFG_CLASS_MIN_LUMA, 0, 255),
    CFG_NUM("max_luma", CFG_DOUBLE, C, max_luma, CFG_CLASS_MAX_LUMA, 0, 255),
    CFG_NUM("black_spread", CFG_DOUBLE, C, black_spread, CFG_CLASS_BLACK_SPREAD, 0, 128),
    CFG_NUM("unlit", CFG_BOOL, C, unlit, 0, 0, 1),
    {.key = "frozen_after",
     .kind = CFG_INT,
     .off = offsetof(struct cfg_class, frozen_after),
     .def = CFG_CLASS_FROZEN_AFTER,
     .lo = 0,
     .hi = 1000,
     .refuse = frozen_after_refuse},
    CFG_NUM("moved_distance", CFG_INT, C, moved_distance, CFG_CLASS_MOVED_DISTANCE, 0, 64),
};
#undef C
#define CLASS_NKEYS (sizeof(class_keys) / sizeof(class_keys[0]))

static uint64_t class_key_bit(const char *key)
{
    return (uint64_t)1 << (cfg_directive_find(class_keys, CLASS_NKEYS, key) - class_keys);
}

/* cfg->classes: "default" first (the built-in values under [class default]), then each other
 * class in file order, starting from the default class. */
static void classes_build(struct load *ld, const struct cfg_named_list *given)
{
    struct cfg *cfg = ld->cfg;
    const struct cfg_named *def = cfg_named_find(given, CFG_CLASS_DEFAULT);
    uint64_t luma = class_key_bit("min_luma") | class_key_bit("max_luma");
    size_t n = 1;

    cfg->classes = calloc(given->n + 1, sizeof(*cfg->classes));
    if (cfg->classes == NULL) {
        ld->oom = 1;
        return;
    }
    cfg->classes[0].name = cfg_ld_strdup(ld, CFG_CLASS_DEFAULT);
    cfg_directive_defaults(ld, class_keys, CLASS_NKEYS, cfg->dir, &cfg->classes[0]);
    if (def != NULL)
        cfg_directive_copy(ld, class_keys, CLASS_NKEYS, def->set, &cfg->classes[0], def->v);
    for (size_t i = 0; i < given->n; i++) {
        const struct cfg_named *d = &given->v[i];
        struct cfg_class *c = &cfg->classes[0];
        if (d != def) {
            c = &cfg->classes[n++];
            *c = cfg->classes[0];
            c->name = cfg_ld_strdup(ld, d->name);
            cfg_directive_copy(ld, class_keys, CLASS_NKEYS, d->set, c, d->v);
        }
        if ((d->set & luma) && c->max_luma > 0 && c->min_luma >= c->max_luma)
            cfg_ld_err(ld, cfg->path, d->line, "max_luma",
                       "must be above min_luma in [class %s] (%g <= %g)", d->name, c->max_luma,
                       c->min_luma);
    }
    cfg->n_classes = n;
}

const struct cfg_named_kind cfg_class_kind = {"class", class_keys, CLASS_NKEYS,
                                              sizeof(struct cfg_class), classes_build};

const struct cfg_class *cfg_class_find(const struct cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_classes; i++)
        if (cfg->classes[i].name != NULL && strcmp(cfg->classes[i].name, name) == 0)
            return &cfg->classes[i];
    return NULL;
}

unsigned cfg_class_encoder_below(const struct cfg_class *c, double fps, int width, int height,
                                 double bitrate_kbps)
{
    unsigned below = 0;

    if (c->min_fps > 0 && fps > 0 && fps < c->min_fps)
        below |= CFG_BELOW_FPS;
    if (width > 0 && height > 0 &&
        ((c->min_width > 0 && width < c->min_width) ||
         (c->min_height > 0 && height < c->min_height)))
        below |= CFG_BELOW_SIZE;
    if (c->min_bitrate_kbps > 0 && bitrate_kbps > 0 && bitrate_kbps < c->min_bitrate_kbps)
        below |= CFG_BELOW_BITRATE;
    return below;
}
