/* recorder_dir.c - the dir kind of recorder: segment files under a folder, named by a pattern
 * (recorder.h, segpattern.h). Owns, for one scan, the walk's buffers and the result it
 * builds. One call on a worker thread; reads the file system and the store's knowledge
 * (struct rec_known), writes nothing.
 *
 * The walk, per folder at level L (the top is level 0; files sit at the pattern's last level):
 *   stat -> mtime as the store listed it?
 *     yes: nothing was added, removed or renamed in it: go on into the subfolders the store
 *          knows (folder levels), or look again at its last file only (the file level)
 *     no:  read it: names that fit level L; compare with what the store knows; new or
 *          changed files are read (segment_probe); missing ones and folders are gone
 *   -> remember the folder and its mtime (0 when it changed within REC_RACY_MS)
 *
 * A file is attributed to a camera when it is first read (or read again because it changed);
 * a known file still there unchanged keeps that camera whatever the sheet says now (recorder.h),
 * but with reattribute. */
#include "recorder.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/vec.h"

struct walk {
    const struct rec_dir_source *src;
    const struct rec_known *known;
    struct rec_result *res;
    int levels;
    size_t looked; /* files looked at, for progress */
    struct cw_err *err;
};

static int64_t mtime_ns_of(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

/* root/rel into buf ("" rel: root itself). */
static int full_path(const struct walk *w, const char *rel, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s%s", w->src->root, rel[0] ? "/" : "", rel);

    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int join(const char *dir, const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s%s", dir, dir[0] ? "/" : "", name);

    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int oom(struct walk *w)
{
    return cw_err_set(w->err, w->src->root, 0, NULL, "recorder %s: out of memory", w->src->name);
}

static int cancelled(struct walk *w)
{
    if (w->src->cancel == NULL || atomic_load(w->src->cancel) == 0)
        return 0;
    cw_err_set(w->err, w->src->root, 0, NULL, "recorder %s: scan cancelled", w->src->name);
    return 1;
}

static int store_failed(struct walk *w, const char *what)
{
    return cw_err_set(w->err, w->src->root, 0, NULL, "recorder %s: reading %s from the store",
                      w->src->name, what);
}

/* known (a file the store knows) is forgotten: its camera's summary is brought up to date. */
static int forget(struct walk *w, const char *dir, const struct rec_known_file *known)
{
    if (rec_add_gone(w->res, dir, known->file, 0) != 0 ||
        rec_note_camera(w->res, known->camera_id) != 0)
        return oom(w);
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in folder rel, sorted, without "." entries (hidden names are a recorder's
 * temporaries). *names is one block: n pointers, then the strings. */
static int list_names(struct walk *w, const char *rel, char ***names, size_t *n)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    char **v = NULL;
    size_t count = 0, cap = 0;

    *names = NULL;
    *n = 0;
    if (full_path(w, rel, path, sizeof(path)) != 0 || (d = opendir(path)) == NULL)
        return cw_err_set(w->err, path, 0, NULL, "recorder %s: cannot read folder: %s",
                          w->src->name, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (cw_vec_grow(&v, count, &cap, sizeof(*v), 64) != 0)
            goto fail;
        if ((v[count] = strdup(e->d_name)) == NULL)
            goto fail;
        count++;
    }
    closedir(d);
    if (count > 1) /* an empty folder has no array */
        qsort(v, count, sizeof(*v), str_cmp);
    *names = v;
    *n = count;
    return 0;
fail:
    closedir(d);
    while (count > 0)
        free(v[--count]);
    free(v);
    return oom(w);
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- one file ---- */

/* The camera a path's match names, or NULL. */
static const char *camera_of(const struct walk *w, const struct segpattern_match *m)
{
    if (!segpattern_has_camera(w->src->pattern))
        return w->src->single_camera;
    return w->src->camera_of != NULL ? w->src->camera_of(w->src->camera_data, m->camera) : NULL;
}

/* When the segment began: the name's time in the recorder's zone, else %s, else what the
 * container says, else its end (the file's mtime) less its duration. */
static int64_t start_of(const struct walk *w, const struct segpattern_match *m,
                        const struct segment_info *info, const struct stat *sb)
{
    if (m->has_epoch)
        return m->epoch_s * 1000;
    if (m->has_time)
        return cw_zone_to_utc(w->src->zone, m->year, m->month, m->day, m->hour, m->min, m->sec);
    if (info->has_creation)
        return info->creation_ms;
    return (int64_t)sb->st_mtim.tv_sec * 1000 + sb->st_mtim.tv_nsec / 1000000 - info->duration_ms;
}

static void progress(struct walk *w)
{
    if (++w->looked % REC_PROGRESS_EVERY == 0 && w->src->progress != NULL)
        w->src->progress(w->src->progress_data, w->looked, w->res->dirs_listed);
}

/* Read the file dir/name (its stat in sb) and add it as found. */
static int read_file(struct walk *w, const char *dir, const char *name, const struct stat *sb,
                     const char *camera, const struct segpattern_match *m)
{
    char path[4096];
    struct segment_info info;
    int64_t start;

    if (full_path(w, dir, path, sizeof(path)) != 0 ||
        strlen(path) + strlen(name) + 2 > sizeof(path))
        return cw_err_set(w->err, w->src->root, 0, NULL, "recorder %s: path too long: %s/%s",
                          w->src->name, dir, name);
    strcat(path, "/");
    strcat(path, name);
    segment_probe(path, w->src->cancel, &info);
    start = start_of(w, m, &info, sb);
    if (rec_add_found(w->res, dir, name, camera, start, start + info.duration_ms,
                      (int64_t)sb->st_size, mtime_ns_of(sb), &info) != 0)
        return oom(w);
    return 0;
}

/* Whether the file is as the store knew it: same size, same mtime. */
static int unchanged(const struct rec_known_file *known, const struct stat *sb)
{
    return known != NULL && known->bytes == (int64_t)sb->st_size &&
           known->mtime_ns == mtime_ns_of(sb);
}

/* A file named name in dir (rel of the file: dir/name) as the walk meets it; known is the
 * store's row for it or NULL. A known file still there unchanged keeps the camera it was indexed
 * for, whatever the sheet says of it now (recorder.h), unless the scan reattributes. */
static int visit_file(struct walk *w, const char *dir, const char *name,
                      const struct rec_known_file *known)
{
    char rel[4096], path[4096];
    struct segpattern_match m;
    const char *camera = NULL;
    struct stat sb;
    int fits;

    if (join(dir, name, rel, sizeof(rel)) != 0 || full_path(w, rel, path, sizeof(path)) != 0)
        return 0;
    if (stat(path, &sb) != 0) {
        /* Gone between the listing and now: what the store knew of it goes too. */
        return known != NULL ? forget(w, dir, known) : 0;
    }
    if (!S_ISREG(sb.st_mode))
        return 0;
    fits = segpattern_match(w->src->pattern, rel, &m);
    if (!fits || (camera = camera_of(w, &m)) == NULL) {
        if (fits)
            w->res->unmapped++;
        else
            w->res->ignored++;
        if (!w->src->reattribute && known != NULL && (fits || unchanged(known, &sb))) {
            /* Named by no camera now, it holds the footage of the camera it was indexed for,
             * and more of it when written to since (the one being written as the camera moved
             * or its row went): read again, for that camera. */
            w->res->kept++;
            if (rec_note_camera(w->res, known->camera_id) != 0)
                return oom(w);
            return unchanged(known, &sb) ? 0 : read_file(w, dir, name, &sb, known->camera_id, &m);
        }
        /* Known, no longer fitting the pattern and changed since, or the user reattributes:
         * forget. */
        return known != NULL ? forget(w, dir, known) : 0;
    }
    w->res->files_seen++;
    progress(w);
    if (unchanged(known, &sb) && (strcmp(known->camera_id, camera) == 0 || !w->src->reattribute)) {
        w->res->unchanged++;
        if (strcmp(known->camera_id, camera) == 0)
            return 0;
        w->res->kept++;
        return rec_note_camera(w->res, known->camera_id) != 0 ? oom(w) : 0;
    }
    return read_file(w, dir, name, &sb, camera, &m);
}

/* The file level of a folder that changed: its names against the store's files, both sorted
 * by name. */
static int visit_files(struct walk *w, const char *dir, char **names, size_t n)
{
    struct rec_known_file *kf = NULL;
    size_t nk = 0, i = 0, k = 0;
    int rc = 0;

    if (w->known->files(w->known->data, dir, &kf, &nk) != 0)
        return store_failed(w, "files");
    while (rc == 0 && (i < n || k < nk)) {
        int c = i == n ? 1 : k == nk ? -1 : strcmp(names[i], kf[k].file);
        if (cancelled(w))
            rc = -1;
        else if (c < 0)
            rc = visit_file(w, dir, names[i++], NULL);
        else if (c == 0)
            rc = visit_file(w, dir, names[i++], &kf[k++]);
        else
            rc = forget(w, dir, &kf[k++]);
    }
    free(kf);
    return rc;
}

/* ---- folders ---- */

static int walk_dir(struct walk *w, const char *rel, const char *parent, int level);

/* The cameras of the files the store knows in the folder rel (walked at level) and below it,
 * noted (rec_note_camera). */
static int note_tree(struct walk *w, const char *rel, int level)
{
    int rc = 0;

    if (level >= w->levels - 1) {
        struct rec_known_file *kf = NULL;
        size_t nk = 0;
        if (w->known->files(w->known->data, rel, &kf, &nk) != 0)
            return store_failed(w, "files");
        for (size_t k = 0; rc == 0 && k < nk; k++)
            if (rec_note_camera(w->res, kf[k].camera_id) != 0)
                rc = oom(w);
        free(kf);
    } else {
        char **sub = NULL;
        size_t ns = 0;
        if (w->known->subdirs(w->known->data, rel, &sub, &ns) != 0)
            return store_failed(w, "folders");
        for (size_t k = 0; rc == 0 && k < ns; k++)
            rc = note_tree(w, sub[k], level + 1);
        free(sub);
    }
    return rc;
}

/* The folder rel (walked at level) is gone with all below it. */
static int forget_tree(struct walk *w, const char *rel, int level)
{
    if (note_tree(w, rel, level) != 0)
        return -1;
    return rec_add_gone(w->res, rel, "", 1) != 0 ? oom(w) : 0;
}

/* The last part of a folder's path. */
static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* Whether name is the last part of one of known[0..nk). */
static int is_known(char **known, size_t nk, const char *name)
{
    for (size_t k = 0; k < nk; k++)
        if (strcmp(base_of(known[k]), name) == 0)
            return 1;
    return 0;
}

/* A folder level that changed: the subfolders whose names fit (or that the store knows),
 * against the store's. */
static int visit_subdirs(struct walk *w, const char *rel, char **names, size_t n, int level)
{
    char **known = NULL, sub[4096], path[4096];
    size_t nk = 0;
    int rc = 0;

    if (w->known->subdirs(w->known->data, rel, &known, &nk) != 0)
        return store_failed(w, "folders");
    /* Known folders no longer listed (or no longer folders) are gone with all below them. */
    for (size_t k = 0; rc == 0 && k < nk; k++) {
        if (bsearch(&(const char *){base_of(known[k])}, names, n, sizeof(*names), str_cmp) == NULL)
            rc = forget_tree(w, known[k], level + 1);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct stat sb;
        /* A known folder the pattern no longer fits is still walked: its files keep their
         * cameras while they are there, and leave the index when they go. */
        if (!segpattern_match_level(w->src->pattern, level, names[i]) &&
            !is_known(known, nk, names[i])) {
            w->res->ignored++;
            continue;
        }
        if (join(rel, names[i], sub, sizeof(sub)) != 0 || full_path(w, sub, path, sizeof(path)))
            continue;
        if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue; /* a file at a folder level: not the recorder's */
        rc = walk_dir(w, sub, rel, level + 1);
    }
    free(known);
    return rc;
}

/* A folder that did not change: its known subfolders, or its last file. */
static int pass_through(struct walk *w, const char *rel, int level)
{
    w->res->dirs_skipped++;
    if (level < w->levels - 1) {
        char **known = NULL;
        size_t nk = 0;
        int rc = 0;
        if (w->known->subdirs(w->known->data, rel, &known, &nk) != 0)
            return store_failed(w, "folders");
        for (size_t k = 0; rc == 0 && k < nk; k++)
            rc = walk_dir(w, known[k], rel, level + 1);
        free(known);
        return rc;
    } else {
        struct rec_known_file last;
        int rc = w->known->last_file(w->known->data, rel, &last);
        if (rc < 0)
            return store_failed(w, "files");
        return rc == 0 ? visit_file(w, rel, last.file, &last) : 0;
    }
}

static int walk_dir(struct walk *w, const char *rel, const char *parent, int level)
{
    char path[4096], **names = NULL;
    size_t n = 0;
    struct stat sb;
    int64_t known_mtime = -1, mt;
    int rc;

    errno = 0;
    if (cancelled(w))
        return -1;
    if (full_path(w, rel, path, sizeof(path)) != 0 || stat(path, &sb) != 0 ||
        !S_ISDIR(sb.st_mode)) {
        const char *why = errno != 0 ? strerror(errno) : "not a folder";
        if (level == 0)
            return cw_err_set(w->err, w->src->root, 0, NULL, "recorder %s: cannot read %s: %s",
                              w->src->name, w->src->root, why);
        return forget_tree(w, rel, level);
    }
    mt = mtime_ns_of(&sb);
    if ((rc = w->known->dir_mtime(w->known->data, rel, &known_mtime)) < 0)
        return store_failed(w, "folders");
    if (!w->src->full && rc == 0 && known_mtime == mt && mt != 0)
        return pass_through(w, rel, level);
    if (list_names(w, rel, &names, &n) != 0)
        return -1;
    w->res->dirs_listed++;
    if (level < w->levels - 1)
        rc = visit_subdirs(w, rel, names, n, level);
    else
        rc = visit_files(w, rel, names, n);
    free_names(names, n);
    if (rc != 0)
        return -1;
    /* Racy: a file added in the same tick as our listing would leave the mtime as we saw it. */
    if (w->src->now_ms - (int64_t)sb.st_mtim.tv_sec * 1000 < REC_RACY_MS)
        mt = 0;
    return rec_add_dir(w->res, rel, parent, mt) != 0 ? oom(w) : 0;
}

int rec_dir_scan(const struct rec_dir_source *src, const struct rec_known *known,
                 struct rec_result **out, struct cw_err *err)
{
    struct walk w = {.src = src, .known = known, .err = err};

    *out = NULL;
    if ((w.res = rec_result_new()) == NULL)
        return cw_err_set(err, src->root, 0, NULL, "recorder %s: out of memory", src->name);
    w.levels = segpattern_levels(src->pattern);
    if (walk_dir(&w, "", NULL, 0) != 0) {
        rec_result_free(w.res);
        return -1;
    }
    *out = w.res;
    return 0;
}
