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

int rec_add_found(struct rec_result *r, const char *dir, const char *file, const char *camera_id,
                  int64_t start_ms, int64_t end_ms, int64_t bytes, int64_t mtime_ns,
                  const struct segment_info *info)
{
    struct rec_found *f;

    if (cw_vec_grow(&r->found, r->n_found, &caps_of(r)->found, sizeof(*r->found), 64) != 0)
        return -1;
    f = &r->found[r->n_found];
    memset(f, 0, sizeof(*f));
    if (dup_two(&f->dir, dir, &f->file, file) != 0)
        return -1;
    snprintf(f->camera_id, sizeof(f->camera_id), "%s", camera_id);
    f->start_ms = start_ms;
    f->end_ms = end_ms;
    f->bytes = bytes;
    f->mtime_ns = mtime_ns;
    f->info = *info;
    r->n_found++;
    if (!info->readable)
        r->unreadable++;
    return 0;
}

int rec_add_gone(struct rec_result *r, const char *dir, const char *file, int tree)
{
    struct rec_gone *g;

    if (cw_vec_grow(&r->gone, r->n_gone, &caps_of(r)->gone, sizeof(*r->gone), 64) != 0)
        return -1;
    g = &r->gone[r->n_gone];
    if (dup_two(&g->dir, dir, &g->file, file) != 0)
        return -1;
    g->tree = tree;
    r->n_gone++;
    return 0;
}

int rec_add_dir(struct rec_result *r, const char *path, const char *parent, int64_t mtime_ns)
{
    struct rec_dir_mark *d;

    if (cw_vec_grow(&r->dirs, r->n_dirs, &caps_of(r)->dirs, sizeof(*r->dirs), 64) != 0)
        return -1;
    d = &r->dirs[r->n_dirs];
    if (dup_two(&d->path, path, &d->parent, parent) != 0)
        return -1;
    d->mtime_ns = mtime_ns;
    r->n_dirs++;
    return 0;
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
