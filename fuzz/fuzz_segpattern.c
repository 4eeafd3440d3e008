/* fuzz_segpattern.c - a recorder's file-name pattern (from camwatch.conf) and the paths a scan
 * meets (from the recorder's disk), through util/segpattern.c: the input's first line is the
 * pattern, each further line a path relative to the recorder's folder. A compiled pattern
 * matches whole paths and each level's names; a match's fields are in range. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/segpattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_match(const struct segpattern_match *m)
{
    if (memchr(m->camera, '\0', sizeof(m->camera)) == NULL)
        __builtin_trap();
    if (m->has_time && (m->month < 1 || m->month > 12 || m->day < 1 || m->day > 31 ||
                        m->hour > 23 || m->min > 59 || m->sec > 60))
        __builtin_trap();
}

/* Each '/'-separated name of path at its level, then the whole path. */
static void match_path(const struct segpattern *p, char *path)
{
    struct segpattern_match m;
    char *copy = strdup(path), *name, *save = NULL;
    int level = 0;

    if (copy == NULL)
        return;
    for (name = strtok_r(copy, "/", &save); name != NULL; name = strtok_r(NULL, "/", &save))
        (void)segpattern_match_level(p, level++, name);
    free(copy);
    if (segpattern_match(p, path, &m) == 1)
        check_match(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *line, *save = NULL;
    struct segpattern *p = NULL;
    struct cw_err err;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    line = strtok_r(text, "\n", &save);
    if (line != NULL && segpattern_compile(line, &p, &err) == 0) {
        if (segpattern_levels(p) < 1 || segpattern_levels(p) > SEGPATTERN_MAX_LEVELS)
            __builtin_trap();
        while ((line = strtok_r(NULL, "\n", &save)) != NULL)
            match_path(p, line);
        segpattern_free(p);
    } else if (line != NULL && memchr(err.msg, '\0', sizeof(err.msg)) == NULL) {
        __builtin_trap();
    }
    free(text);
    return 0;
}
