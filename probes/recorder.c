/* recorder.c - a scan's result as the kinds of recorder build it (recorder.h): growing lists
 * of segments found, files gone and folders listed, with the strings copied into them. Owns nothing
 * but the result it is given. Any thread. */
#include "recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"

struct rec_caps {
    size_t found, gone, dirs, others;
};

/* The capacities ride after the result in one allocation, so the public struct stays plain. */
static struct rec_caps *caps_of(struct rec_result *r)
{
    return (struct rec_caps *)(r + 1);
}

struct rec_result *rec_result_new(void)
{
    return calloc(1, sizeof(struct rec_result) + sizeof(struct rec_caps));
}

void rec_result_free(struct rec_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_found; i++) {
        free(r->found[i].dir);
        free(r->found[i].file);
    }
    for (size_t i = 0; i < r->n_gone; i++) {
        free(r->gone[i].dir);
        free(r->gone[i].file);
    }
    for (size_t i = 0; i < r->n_dirs; i++) {
        free(r->dirs[i].path);
        free(r->dirs[i].parent);
    }
    free(r->found);
    free(r->gone);
    free(r->dirs);
    free(r->others);
    free(r);
}

/* Each entry owns two strings, copied together: *a from sa and *b from sb (NULL: *b NULL).
 * 0, or -1 when out of memory with neither kept. */
static int dup_two(char **a, const char *sa, char **b, const char *sb)
{
    *b = NULL;
    if ((*a = strdup(sa)) == NULL)
        return -1;
    if (sb != NULL && (*b = strdup(sb)) == NULL) {
        free(*a);
        return -1;
    }
    return 0;
}

/* Appends the entry e (sz bytes) to the list at v (a `T **`, as cw_vec_grow) of *n entries,
 * capacity *cap. The entry owns the strings a and b (dup_two): 0, or -1 when out of memory with
 * them freed and nothing kept. */
static int append(void *v, size_t *n, size_t *cap, size_t sz, const void *e, char *a, char *b)
{
    if (cw_vec_grow(v, *n, cap, sz, 64) != 0) {
        free(a);
        free(b);
        return -1;
    }
    memcpy(*(char **)v + *n * sz, e, sz);
    (*n)++;
    return 0;
}

int rec_add_found(struct rec_result *r, const char *dir, const char *file, const char *camera_id,
                  int64_t start_ms, int64_t end_ms, int64_t bytes, int64_t mtime_ns,
                  const struct segment_info *info)
{
    struct rec_found f = {.start_ms = start_ms,
                          .end_ms = end_ms,
                          .bytes = bytes,
                          .mtime_ns = mtime_ns,
                          .info = *info};

    snprintf(f.camera_id, sizeof(f.camera_id), "%s", camera_id);
    if (dup_two(&f.dir, dir, &f.file, file) != 0 ||
        append(&r->found, &r->n_found, &caps_of(r)->found, sizeof(f), &f, f.dir, f.file) != 0)
        return -1;
    if (!info->readable)
        r->unreadable++;
    return 0;
}

int rec_add_gone(struct rec_result *r, const char *dir, const char *file, int tree)
{
    struct rec_gone g = {.tree = tree};

    if (dup_two(&g.dir, dir, &g.file, file) != 0)
        return -1;
    return append(&r->gone, &r->n_gone, &caps_of(r)->gone, sizeof(g), &g, g.dir, g.file);
}

int rec_add_dir(struct rec_result *r, const char *path, const char *parent, int64_t mtime_ns)
{
    struct rec_dir_mark d = {.mtime_ns = mtime_ns};

    if (dup_two(&d.path, path, &d.parent, parent) != 0)
        return -1;
    return append(&r->dirs, &r->n_dirs, &caps_of(r)->dirs, sizeof(d), &d, d.path, d.parent);
}

int rec_note_camera(struct rec_result *r, const char *camera_id)
{
    for (size_t i = r->n_others; i > 0; i--) /* a folder's files are mostly one camera's */
        if (strcmp(r->others[i - 1], camera_id) == 0)
            return 0;
    if (cw_vec_grow(&r->others, r->n_others, &caps_of(r)->others, sizeof(*r->others), 8) != 0)
        return -1;
    snprintf(r->others[r->n_others++], sizeof(*r->others), "%s", camera_id);
    return 0;
}
