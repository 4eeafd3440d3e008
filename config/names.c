/* names.c - names to indexes (names.h): open addressing with linear probing over a table of
 * a power of two slots, at most half full, each slot holding the name's hash so a probe
 * compares strings only when the hashes agree. FNV-1a: camera ids are short and alike
 * ("CAH-000017"), which it spreads well enough at this load. Owns its table. */
#include "names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAMES_FIRST_SLOTS 64

struct slot {
    const char *name; /* NULL: empty */
    uint64_t hash;
    size_t idx;
};

struct cfg_names {
    struct slot *v;
    size_t cap; /* a power of two */
    size_t n;
    int nocase; /* ASCII letters compare without case: hashed and compared lowered */
};

/* The byte as m compares it: ASCII only, whatever the locale (tolower's may differ). */
static unsigned char name_byte(const struct cfg_names *m, char c)
{
    unsigned char b = (unsigned char)c;

    return m->nocase && b >= 'A' && b <= 'Z' ? (unsigned char)(b - 'A' + 'a') : b;
}

static uint64_t name_hash(const struct cfg_names *m, const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++) {
        h ^= name_byte(m, *s);
        h *= 1099511628211ULL;
    }
    return h;
}

static int name_equal(const struct cfg_names *m, const char *a, const char *b)
{
    for (; *a != '\0' && name_byte(m, *a) == name_byte(m, *b); a++, b++)
        ;
    return *a == '\0' && *b == '\0';
}

struct cfg_names *cfg_names_new(void)
{
    struct cfg_names *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    m->v = calloc(NAMES_FIRST_SLOTS, sizeof(*m->v));
    if (m->v == NULL) {
        free(m);
        return NULL;
    }
    m->cap = NAMES_FIRST_SLOTS;
    return m;
}

void cfg_names_free(struct cfg_names *m)
{
    if (m == NULL)
        return;
    free(m->v);
    free(m);
}

static void slot_put(struct slot *v, size_t cap, const struct slot *s)
{
    size_t i = (size_t)s->hash & (cap - 1);

    while (v[i].name != NULL)
        i = (i + 1) & (cap - 1);
    v[i] = *s;
}

static int grow(struct cfg_names *m)
{
    size_t cap = m->cap * 2;
    struct slot *v = calloc(cap, sizeof(*v));

    if (v == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].name != NULL)
            slot_put(v, cap, &m->v[i]);
    free(m->v);
    m->v = v;
    m->cap = cap;
    return 0;
}

struct cfg_names *cfg_names_new_nocase(void)
{
    struct cfg_names *m = cfg_names_new();

    if (m != NULL)
        m->nocase = 1;
    return m;
}

int cfg_names_add(struct cfg_names *m, const char *name, size_t idx)
{
    struct slot s = {name, name_hash(m, name), idx};

    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    slot_put(m->v, m->cap, &s);
    m->n++;
    return 0;
}

long cfg_names_find(const struct cfg_names *m, const char *name)
{
    uint64_t h;
    size_t i;

    if (m == NULL)
        return -1;
    h = name_hash(m, name);
    for (i = (size_t)h & (m->cap - 1); m->v[i].name != NULL; i = (i + 1) & (m->cap - 1))
        if (m->v[i].hash == h && name_equal(m, m->v[i].name, name))
            return (long)m->v[i].idx;
    return -1;
}
