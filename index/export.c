/* export.c - a request's footage as evidence files (export.h): the plan read from the store,
 * the run that writes the files, and the audit row. Owns the plan (copies of what it read)
 * and, during a run, the temporary files it makes in the target folder.
 *
 * A run:
 *   check: the folder exists or is made; no target file exists yet
 *   per camera: mkstemp -> remux (each source's size and SHA-256 from the file it opens, up to
 *   its size then; one grown since the scan used, one otherwise changed or gone skipped) ->
 *   SHA-256 of the MP4
 *   manifest.json, manifest.txt, SHA256SUMS: mkstemp and written
 *   link every temporary to its name (never replacing one), then unlink the temporaries
 *   any failure: the temporaries and the names already linked are removed */
#define _GNU_SOURCE
#include "export_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "../util/file.h"
#include "../util/vec.h"
#include "footage.h"

#define HASH_CHUNK (1024 * 1024)
#define EXPORT_CAMERAS_MAX 10000 /* one province's fleet */

/* ---- the plan ---- */

void export_file_name(const char *id, char *buf, size_t len)
{
    size_t i = 0;

    for (; id[i] != '\0' && i + 5 < len && i < 80; i++) {
        char c = id[i];
        buf[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '-' || c == '_'
                     ? c
                     : '_';
    }
    if (i > 0 && buf[0] == '.')
        buf[0] = '_'; /* never a hidden file */
    snprintf(buf + i, len - i, ".mp4");
}

/* The cameras the request names, as doc_view_footage finds them. */
static int plan_cameras(struct store *s, struct export_plan *p, struct cw_err *err)
{
    const struct store_request *r = &p->req;
    struct store_place *pl = NULL;
    double *d = NULL;
    size_t m = 0;
    char unknown[CFG_ID_MAX + 1];

    if (footage_cameras(s, &r->scope, r->text, r->cameras, &pl, &d, &m, unknown, sizeof(unknown),
                        err) != 0)
        return -1;
    p->cams = calloc(m ? m : 1, sizeof(*p->cams));
    if (p->cams == NULL) {
        free(pl);
        free(d);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        p->cams[i].place = pl[i];
        p->cams[i].dist_m = d != NULL ? d[i] : -1.0;
    }
    p->n = m;
    free(pl);
    free(d);
    return 0;
}

/* When none of the camera's segments reaches into the range as indexed: its newest segment, if
 * it began before the range's end and its file has grown since the scan (larger, modified
 * later: the recorder was still writing it and has recorded into the range since), as the one
 * segment to read, into *seg (malloc'd) and *n = 1. Left alone otherwise. */
static int plan_growing(struct store *s, const struct export_settings *set,
                        const struct export_plan *p, const struct export_camera *c,
                        struct store_segment_row **seg, size_t *n, struct cw_err *err)
{
    struct store_segment_row last, newest;
    const char *root;
    char path[1024];
    struct stat sb;
    int rc;

    if (*n > 0 || set->root == NULL)
        return 0;
    if ((rc = store_footage_segment_before(s, c->place.id, p->req.scope.to_ms, &last, err)) != 0 ||
        (rc = store_footage_segment_before(s, c->place.id, INT64_MAX, &newest, err)) != 0)
        return rc < 0 ? -1 : 0;
    if (last.id != newest.id || !last.readable ||
        (root = set->root(set->root_data, last.recorder)) == NULL ||
        snprintf(path, sizeof(path), "%s/%s", root, last.path) >= (int)sizeof(path) ||
        stat(path, &sb) != 0 || (int64_t)sb.st_size <= last.bytes ||
        (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec <= last.mtime_ns)
        return 0;
    free(*seg);
    if ((*seg = malloc(sizeof(**seg))) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    **seg = last;
    *n = 1;
    return 0;
}

/* A camera's segments over the range, what the index can say of them (footage_cover_read:
 * rec[0..nrec) every recorder's last scan), and its clock offset then. */
static int plan_footage(struct store *s, const struct export_settings *set, struct export_plan *p,
                        struct export_camera *c, const struct store_recorder *rec, size_t nrec,
                        struct cw_err *err)
{
    struct store_segment_row *seg = NULL;
    size_t n = 0;
    int rc = store_clock_at(s, c->place.id, p->req.scope.from_ms, &c->clock, err);

    if (rc < 0)
        return -1;
    c->has_clock = rc == 0;
    if (store_footage_segments(s, c->place.id, p->req.scope.from_ms, p->req.scope.to_ms, &seg, &n,
                               err) != 0 ||
        plan_growing(s, set, p, c, &seg, &n, err) != 0) {
        free(seg);
        return -1;
    }
    if (footage_cover_read(s, c->place.id, c->place.recorder, p->req.scope.from_ms, seg, n, rec,
                           nrec, &c->cov, err) != 0) {
        free(seg);
        return -1;
    }
    /* The store knows the recorders it scanned; the configuration, those that will be. */
    if (set->known != NULL)
        footage_cover_configured(&c->cov, set->known(set->root_data, c->place.recorder));
    if (n > 0 && (c->src = calloc(n, sizeof(*c->src))) == NULL) {
        free(seg);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        struct export_source *x = &c->src[c->n_src++];
        const char *root = NULL;
        x->removed = footage_cover_removed(&c->cov, seg[i].recorder);
        if (!x->removed && set->root != NULL)
            root = set->root(set->root_data, seg[i].recorder);
        snprintf(x->recorder, sizeof(x->recorder), "%s", seg[i].recorder);
        snprintf(x->path, sizeof(x->path), "%s", seg[i].path);
        if (root != NULL &&
            snprintf(x->abs, sizeof(x->abs), "%s/%s", root, seg[i].path) >= (int)sizeof(x->abs))
            x->abs[0] = '\0';
        if (root == NULL && !x->removed)
            c->remote = 1;
        x->start_ms = seg[i].start_ms;
        x->end_ms = seg[i].end_ms;
        x->bytes = seg[i].bytes;
        x->mtime_ns = seg[i].mtime_ns;
        snprintf(x->container, sizeof(x->container), "%s", seg[i].container);
        snprintf(x->codec, sizeof(x->codec), "%s", seg[i].codec);
        x->readable = seg[i].readable;
        snprintf(x->reason, sizeof(x->reason), "%s", seg[i].reason);
    }
    free(seg);
    return 0;
}

int export_plan_build(struct store *s, const struct export_settings *set, int64_t request_id,
                      struct export_plan **out, struct cw_err *err)
{
    struct export_plan *p = calloc(1, sizeof(*p));
    struct store_recorder *rec = NULL;
    size_t nrec = 0;
    int rc;

    *out = NULL;
    if (p == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    if ((rc = store_request_get(s, request_id, &p->req, err)) != 0) {
        if (rc == 1)
            cw_err_set(err, NULL, 0, NULL, "no request %lld", (long long)request_id);
        free(p);
        return rc;
    }
    snprintf(p->site, sizeof(p->site), "%s", set->site ? set->site : "");
    snprintf(p->tz, sizeof(p->tz), "%s", set->time_zone ? set->time_zone : "");
    p->tolerance_ms = set->tolerance_ms;
    if (cw_zone_load(set->time_zone, &p->zone, err) != 0 || plan_cameras(s, p, err) != 0)
        goto fail;
    if (p->n == 0) { /* a request made before one selecting none was refused, or all gone */
        cw_err_set(err, NULL, 0, NULL, "request %lld selects no camera: nothing to export",
                   (long long)request_id);
        export_plan_free(p);
        return EXPORT_PLAN_EMPTY;
    }
    if (store_list_recorders(s, 0, &rec, &nrec, err) != 0)
        goto fail;
    for (size_t i = 0; i < p->n; i++)
        if (plan_footage(s, set, p, &p->cams[i], rec, nrec, err) != 0)
            goto fail;
    free(rec);
    *out = p;
    return 0;
fail:
    free(rec);
    export_plan_free(p);
    return -1;
}

void export_plan_free(struct export_plan *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->cams[i].src);
        footage_cover_clear(&p->cams[i].cov);
    }
    free(p->cams);
    cw_zone_free(p->zone);
    free(p);
}

/* Whether camera c has anything this run can turn into a file. */
static int exportable(const struct export_camera *c)
{
    for (size_t i = 0; i < c->n_src; i++)
        if (c->src[i].readable && c->src[i].abs[0] != '\0')
            return 1;
    return 0;
}

size_t export_plan_cameras(const struct export_plan *p, size_t *with_footage)
{
    size_t k = 0;

    for (size_t i = 0; i < p->n; i++)
        k += exportable(&p->cams[i]) != 0;
    if (with_footage != NULL)
        *with_footage = k;
    return p->n;
}

/* ---- hashing ---- */

static void hex(const unsigned char *md, unsigned len, char out[EXPORT_HASH_HEX])
{
    for (unsigned i = 0; i < len && 2 * i + 2 < EXPORT_HASH_HEX; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* SHA-256 of the file open as fd, read from its start: its first size bytes (a file still
 * being written), or to its end when size < 0. Fails when it ends before size. */
static int sha256_file(int fd, int64_t size, char out[EXPORT_HASH_HEX], const atomic_int *cancel)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *buf = malloc(HASH_CHUNK), digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    int rc = -1;
    ssize_t n;

    out[0] = '\0';
    if (md == NULL || buf == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        lseek(fd, 0, SEEK_SET) < 0)
        goto done;
    for (int64_t left = size; size < 0 || left > 0; left -= n) {
        size_t want = size >= 0 && left < HASH_CHUNK ? (size_t)left : HASH_CHUNK;
        if ((n = read(fd, buf, want)) < 0 && errno == EINTR) {
            n = 0;
            continue;
        }
        if (n == 0 && size < 0)
            break;
        if (n == 0) /* shorter than it was when opened: not the bytes the remux read */
            errno = EIO;
        if (n <= 0 || EVP_DigestUpdate(md, buf, (size_t)n) != 1 ||
            (cancel != NULL && atomic_load(cancel)))
            goto done;
    }
    if (EVP_DigestFinal_ex(md, digest, &dlen) == 1) {
        hex(digest, dlen, out);
        rc = 0;
    }
done:
    free(buf);
    EVP_MD_CTX_free(md);
    return rc;
}

static void sha256_text(const char *text, char out[EXPORT_HASH_HEX])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;

    out[0] = '\0';
    if (EVP_Digest(text, strlen(text), digest, &dlen, EVP_sha256(), NULL) == 1)
        hex(digest, dlen, out);
}

/* ---- files: temporaries, then names ---- */

struct out_file {
    char name[96]; /* in the folder */
    char tmp[1200];
    int linked;
};

struct run {
    const struct export_plan *p;
    char dir[1024];
    struct out_file *files;
    size_t n_files, cap;
    struct export_outcome *o;
    const atomic_int *cancel;
    export_progress_fn progress;
    void *progress_data;
    size_t cam_i, cam_n;
    const char *cam_id;
    int made_dir; /* the folder was made by this run: removed again when it fails */
};

/* err about the file name of the folder, by its own name and errno's reason: the user knows
 * which file failed (manifest.json, CAH-001.mp4), never only its temporary, gone by the time
 * they read it. */
static int name_err(const struct run *r, const char *name, const char *what, struct cw_err *err)
{
    return cw_err_set(err, r->dir, 0, NULL, "%s: %s: %s", name, what, strerror(errno));
}

/* A temporary in the folder (mode 0640), recorded so it is removed on failure. */
static int temp_file(struct run *r, const char *name, int *fd, struct cw_err *err)
{
    struct out_file *f;

    if (cw_vec_grow(&r->files, r->n_files, &r->cap, sizeof(*r->files), 16) != 0)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    f = &r->files[r->n_files];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->tmp, sizeof(f->tmp), "%s/" EXPORT_TEMP_PREFIX "XXXXXX", r->dir);
    if ((*fd = mkstemp(f->tmp)) < 0)
        return cw_err_set(err, r->dir, 0, NULL, "cannot make a file here: %s", strerror(errno));
    r->n_files++;
    if (fchmod(*fd, EXPORT_FILE_MODE) != 0) {
        name_err(r, name, "cannot set its mode", err);
        close(*fd);
        return -1;
    }
    return 0;
}

/* Write all of text to fd; -1 with errno set when it cannot. */
static int write_all(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;

    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* Write text to a temporary named name. */
static int text_file(struct run *r, const char *name, const char *text, struct cw_err *err)
{
    int fd, rc = 0;

    if (temp_file(r, name, &fd, err) != 0)
        return -1;
    if (write_all(fd, text) != 0)
        rc = name_err(r, name, "cannot write", err);
    else if (fsync(fd) != 0)
        rc = name_err(r, name, "cannot sync", err);
    close(fd);
    return rc;
}

/* Give every temporary its name; link() fails rather than replace an existing file. */
static int commit_files(struct run *r, struct cw_err *err)
{
    char final[1200];

    for (size_t i = 0; i < r->n_files; i++) {
        snprintf(final, sizeof(final), "%s/%s", r->dir, r->files[i].name);
        if (link(r->files[i].tmp, final) != 0)
            return cw_err_set(err, final, 0, NULL, "%s",
                              errno == EEXIST ? "exists: an export never overwrites"
                                              : strerror(errno));
        r->files[i].linked = 1;
    }
    /* The names last a power cut once the folder is synced (each file was, before its link),
     * and a folder this run made once its own name in the folder above is. */
    if (r->n_files > 0 && cw_file_sync_dir(final, err) != 0)
        return -1;
    return r->made_dir ? cw_file_sync_dir(r->dir, err) : 0;
}

/* Remove the temporaries; on failure the names linked too. */
static void cleanup_files(struct run *r, int failed)
{
    char final[1200];

    for (size_t i = 0; i < r->n_files; i++) {
        unlink(r->files[i].tmp);
        if (failed && r->files[i].linked) {
            snprintf(final, sizeof(final), "%s/%s", r->dir, r->files[i].name);
            unlink(final);
        }
    }
    free(r->files);
    r->files = NULL;
}

/* name must not exist in the folder. */
static int check_free(const struct run *r, const char *name, struct cw_err *err)
{
    char path[1200];
    struct stat sb;

    snprintf(path, sizeof(path), "%s/%s", r->dir, name);
    if (lstat(path, &sb) == 0)
        return cw_err_set(err, path, 0, NULL, "exists: an export never overwrites");
    return 0;
}

/* The folder: made when missing, else only one that keeps the evidence from others
 * (export_dir_private); none of the names the plan writes may exist in it. */
static int check_dir(struct run *r, const char *out_dir, struct cw_err *err)
{
    const struct export_plan *p = r->p;
    const char *fixed[] = {EXPORT_MANIFEST_JSON, EXPORT_MANIFEST_TXT, EXPORT_SUMS};
    char name[96], real[PATH_MAX];
    struct stat sb;

    if (snprintf(r->dir, sizeof(r->dir), "%s", out_dir) >= (int)sizeof(r->dir))
        return cw_err_set(err, out_dir, 0, NULL, "path too long");
    if (mkdir(r->dir, EXPORT_DIR_MODE) == 0)
        r->made_dir = 1;
    else if (errno != EEXIST)
        return cw_err_set(err, r->dir, 0, NULL, "cannot make the folder: %s", strerror(errno));
    if (stat(r->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cw_err_set(err, r->dir, 0, NULL, "not a folder");
    if (export_dir_private(r->dir, &sb, err) != 0)
        return -1;
    if (realpath(r->dir, real) == NULL)
        return cw_err_set(err, r->dir, 0, NULL, "%s", strerror(errno));
    if (export_dir_above(real, r->dir, err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (check_free(r, fixed[i], err) != 0)
            return -1;
    for (size_t i = 0; i < p->n; i++) {
        export_file_name(p->cams[i].place.id, name, sizeof(name));
        if (check_free(r, name, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- one camera ---- */

static void remux_progress(void *data, int64_t done, int64_t total)
{
    struct run *r = data;

    if (r->progress != NULL)
        r->progress(r->progress_data, r->cam_i, r->cam_n, r->cam_id, done, total);
}

/* Source x open as fd, of which the first size bytes are read: whether it is as indexed, grew
 * since (the recorder appended to it: larger and modified later), or changed otherwise (smaller,
 * or modified earlier, or same size and modified: not the file indexed), and the SHA-256 of
 * those bytes into s. 0 to use it, 1 not (changed, unreadable), -1 cancelled. */
static int source_read(const struct run *r, const struct export_source *x, int fd, int64_t size,
                       struct export_source_said *s)
{
    struct stat sb;
    int64_t mtime_ns;

    if (fstat(fd, &sb) != 0) {
        s->read_errno = errno;
        return 1;
    }
    mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    s->bytes = size;
    s->grew = size > x->bytes && (x->mtime_ns == 0 || mtime_ns > x->mtime_ns);
    s->changed = !s->grew && (size != x->bytes || (x->mtime_ns != 0 && mtime_ns != x->mtime_ns));
    errno = 0;
    if (sha256_file(fd, size, s->sha256, r->cancel) != 0) {
        if (r->cancel != NULL && atomic_load(r->cancel))
            return -1;
        s->read_errno = errno ? errno : EIO;
        return 1;
    }
    /* Its footage may not be the time the index gives it: not evidence of that time. */
    return s->changed;
}

/* One camera's run of the remux: which source each input is. */
struct camera_run {
    const struct run *r;
    const struct export_camera *c;
    struct export_outcome *o;
    size_t *src_of; /* input k is source src_of[k] */
};

static int source_opened(void *data, size_t k, int fd, int64_t size)
{
    struct camera_run *cr = data;
    size_t i = cr->src_of[k];

    return source_read(cr->r, &cr->c->src[i], fd, size, &cr->o->src[i]);
}

/* The sources the remux did not open (before the start, after the end, unreadable when
 * indexed): their size and hash as they are now, or gone. */
static void sources_not_read(const struct run *r, const struct export_camera *c,
                             struct export_outcome *o)
{
    for (size_t k = 0; k < c->n_src; k++) {
        struct export_source_said *s = &o->src[k];
        struct stat sb;
        int fd;
        if (s->used.use != REMUX_NOT_READ || s->bytes >= 0 || c->src[k].abs[0] == '\0')
            continue;
        if ((fd = open(c->src[k].abs, O_RDONLY | O_CLOEXEC)) < 0) {
            s->used = (struct remux_used){REMUX_GONE, errno};
            continue;
        }
        if (fstat(fd, &sb) != 0)
            s->read_errno = errno;
        else
            source_read(r, &c->src[k], fd, (int64_t)sb.st_size, s);
        close(fd);
    }
}

/* The camera's note when sources were skipped: how many, and the first one's why. */
static void note_skipped(const struct export_camera *c, struct export_outcome *o)
{
    size_t skipped = 0, first = 0, len;
    char why[160];

    for (size_t k = 0; k < c->n_src; k++) {
        enum remux_use u = o->src[k].used.use;
        int skip = u == REMUX_GONE || u == REMUX_UNREADABLE || u == REMUX_OTHER_CODEC ||
                   u == REMUX_REFUSED || u == REMUX_OTHER_CONTAINER;
        if (skip && skipped++ == 0)
            first = k;
    }
    if (skipped == 0)
        return;
    len = strlen(o->note);
    snprintf(o->note + len, sizeof(o->note) - len,
             "%s%zu of %zu source files not used (%.300s: %.150s)", len ? "; " : "", skipped,
             c->n_src, c->src[first].path,
             export_source_why(&c->src[first], &o->src[first], o->rx.codec, why, sizeof(why)));
}

/* Whether all c's readable sources are on recorders no longer configured (and it has one). */
static int removed_only(const struct export_camera *c)
{
    size_t k = 0;

    for (size_t i = 0; i < c->n_src; i++) {
        if (c->src[i].readable && !c->src[i].removed)
            return 0;
        k += c->src[i].readable;
    }
    return k > 0;
}

static int export_camera(struct run *r, size_t i, struct cw_err *err)
{
    const struct export_camera *c = &r->p->cams[i];
    struct export_outcome *o = &r->o[i];
    size_t nn = c->n_src ? c->n_src : 1;
    struct remux_input *in = calloc(nn, sizeof(*in));
    struct remux_used *used = calloc(nn, sizeof(*used));
    struct camera_run cr = {r, c, o, calloc(nn, sizeof(size_t))};
    struct remux_request rq;
    char name[96];
    size_t n = 0;
    int fd, rc = -1;

    if (in == NULL || used == NULL || cr.src_of == NULL ||
        (o->src = calloc(nn, sizeof(*o->src))) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    o->unindexed_from_ms =
        footage_unindexed_from(&c->cov, r->p->req.scope.from_ms, r->p->req.scope.to_ms);
    export_unindexed_words(r->p, c, o->unindexed_from_ms, 0, o->unindexed, sizeof(o->unindexed));
    for (size_t k = 0; k < c->n_src; k++) {
        const struct export_source *x = &c->src[k];
        o->src[k].bytes = -1;
        if (x->readable && x->abs[0] != '\0') {
            cr.src_of[n] = k;
            in[n++] = (struct remux_input){x->abs, x->start_ms, x->end_ms, x->container, x->codec};
        }
    }
    if (n == 0) {
        if (c->remote)
            snprintf(o->note, sizeof(o->note), "%s",
                     "its footage is on a recorder camwatch reads no files from: "
                     "export it on the recorder");
        else if (removed_only(c) && o->unindexed[0] != '\0')
            snprintf(o->note, sizeof(o->note), "%s", o->unindexed);
        else if (c->n_src > 0)
            snprintf(o->note, sizeof(o->note), "%s", "no readable footage in the range");
        else /* absence of an index is not absence of footage */
            snprintf(o->note, sizeof(o->note), "%s",
                     o->unindexed[0] != '\0' ? o->unindexed : "no footage in the range");
        sources_not_read(r, c, o);
        rc = 0;
        goto done;
    }
    export_file_name(c->place.id, name, sizeof(name));
    if (temp_file(r, name, &fd, err) != 0)
        goto done;
    r->cam_id = c->place.id;
    rq = (struct remux_request){.in = in,
                                .n = n,
                                .from_ms = r->p->req.scope.from_ms,
                                .to_ms = r->p->req.scope.to_ms,
                                .tolerance_ms = r->p->tolerance_ms,
                                .out_fd = fd,
                                .cancel = r->cancel,
                                .progress = remux_progress,
                                .progress_data = r,
                                .opened = source_opened,
                                .opened_data = &cr,
                                .used = used};
    rc = remux_run(&rq, &o->rx);
    for (size_t k = 0; k < n; k++)
        o->src[cr.src_of[k]].used = used[k];
    if (rc != 0) {
        close(fd);
        if (strcmp(o->rx.note, "cancelled") == 0)
            cw_err_set(err, NULL, 0, NULL, "export cancelled");
        /* Not a whole file (the disk full, a write error): not delivered, nor is any other. */
        else if (o->rx.output_failed)
            cw_err_set(err, r->dir, 0, NULL, "camera %s: %s: %s", c->place.id, name, o->rx.note);
        else
            cw_err_set(err, NULL, 0, NULL, "camera %s: %s", c->place.id, o->rx.note);
        goto done;
    }
    sources_not_read(r, c, o);
    if (!o->rx.delivered) {
        close(fd);
        r->n_files--; /* nothing in it: not a file of the export */
        unlink(r->files[r->n_files].tmp);
        snprintf(o->note, sizeof(o->note), "%s",
                 o->rx.inputs_read == 0 && o->rx.note[0] == '\0'
                     ? "no readable footage in the range"
                     : "no keyframe in the range");
        note_skipped(c, o);
        goto done;
    }
    snprintf(o->note, sizeof(o->note), "%s", o->rx.note);
    note_skipped(c, o);
    snprintf(o->file, sizeof(o->file), "%s", name);
    o->bytes = o->rx.bytes_written;
    rc = fsync(fd) == 0 ? sha256_file(fd, -1, o->sha256, r->cancel) : -1;
    close(fd);
    if (rc != 0)
        name_err(r, name, "cannot sync or hash", err);
done:
    free(in);
    free(used);
    free(cr.src_of);
    return rc;
}

/* SHA256SUMS: as sha256sum writes it ("HASH  NAME"), so `sha256sum -c SHA256SUMS` checks
 * the export. */
static char *sums_text(const struct run *r, const char *json_sha, const char *txt_sha)
{
    size_t len = (r->p->n + 2) * (EXPORT_HASH_HEX + 100) + 1, off = 0;
    char *s = malloc(len);

    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < r->p->n; i++)
        if (r->o[i].file[0] != '\0')
            off += (size_t)snprintf(s + off, len - off, "%s  %s\n", r->o[i].sha256, r->o[i].file);
    off += (size_t)snprintf(s + off, len - off, "%s  %s\n", json_sha, EXPORT_MANIFEST_JSON);
    snprintf(s + off, len - off, "%s  %s\n", txt_sha, EXPORT_MANIFEST_TXT);
    return s;
}

static int write_manifests(struct run *r, struct export_result *res, struct cw_err *err)
{
    char *json = export_manifest_json(r->p, r->o), *txt = export_manifest_txt(r->p, r->o);
    char json_sha[EXPORT_HASH_HEX], txt_sha[EXPORT_HASH_HEX], *sums = NULL;
    int rc = -1;

    if (json == NULL || txt == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    sha256_text(json, json_sha);
    sha256_text(txt, txt_sha);
    if ((sums = sums_text(r, json_sha, txt_sha)) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    sha256_text(sums, res->sums_sha256);
    if (text_file(r, EXPORT_MANIFEST_JSON, json, err) == 0 &&
        text_file(r, EXPORT_MANIFEST_TXT, txt, err) == 0 &&
        text_file(r, EXPORT_SUMS, sums, err) == 0)
        rc = 0;
done:
    free(json);
    free(txt);
    free(sums);
    return rc;
}

/* What a summary says of a camera the index does not cover over some of the range: " (not
 * indexed after 21:01:00)", or " (not indexed: no recorder)" when it covers none of it. Returns
 * what snprintf does. */
static size_t summary_unindexed(const struct export_plan *p, const struct export_camera *c,
                                const char *fmt, char *buf, size_t len)
{
    char at[32];

    if (c->cov.index != FOOTAGE_SCANNED && c->cov.index != FOOTAGE_SCAN_FAILED)
        return (size_t)snprintf(buf, len, " (not indexed: %s)", footage_index_name(c->cov.index));
    cw_zone_strftime(p->zone, c->cov.known_until, fmt, at, sizeof(at));
    return (size_t)snprintf(buf, len, " (not indexed after %s)", at);
}

/* The summary's time format: the time of day, dated when what it speaks of spans more than
 * one day in the site's zone (the request's range, the footage delivered from the keyframe
 * before it, and when the index stops knowing of a camera). */
static const char *summary_format(const struct run *r)
{
    int64_t lo = r->p->req.scope.from_ms, hi = r->p->req.scope.to_ms - 1;
    char a[16], b[16];

    for (size_t i = 0; i < r->p->n; i++) {
        int64_t until = r->p->cams[i].cov.known_until;
        if (r->o[i].file[0] != '\0') {
            lo = r->o[i].rx.from_ms < lo ? r->o[i].rx.from_ms : lo;
            hi = r->o[i].rx.to_ms > hi ? r->o[i].rx.to_ms : hi;
        }
        if (r->o[i].unindexed[0] != '\0' && until != 0) { /* "not indexed after T" */
            lo = until < lo ? until : lo;
            hi = until > hi ? until : hi;
        }
    }
    cw_zone_strftime(r->p->zone, lo, "%Y-%m-%d", a, sizeof(a));
    cw_zone_strftime(r->p->zone, hi, "%Y-%m-%d", b, sizeof(b));
    return strcmp(a, b) == 0 ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S";
}

static void summarise(const struct run *r, struct export_result *res)
{
    const char *fmt = summary_format(r);
    size_t off = 0;

    res->summary[0] = '\0';
    for (size_t i = 0; i < r->p->n; i++) {
        const struct export_outcome *o = &r->o[i];
        char a[32], b[32];
        /* a camera with nothing delivered is named only when the index cannot say there is
         * nothing: "nothing delivered" is not "nothing exists" */
        if (o->file[0] == '\0' && o->unindexed[0] == '\0')
            continue;
        res->files += o->file[0] != '\0'; /* every file, the summary full or not */
        if (off >= sizeof(res->summary))
            continue;
        if (o->file[0] == '\0') {
            off += (size_t)snprintf(res->summary + off, sizeof(res->summary) - off, "%s%s nothing",
                                    off ? ", " : "", r->p->cams[i].place.id);
        } else {
            cw_zone_strftime(r->p->zone, o->rx.from_ms, fmt, a, sizeof(a));
            cw_zone_strftime(r->p->zone, o->rx.to_ms, fmt, b, sizeof(b));
            off += (size_t)snprintf(res->summary + off, sizeof(res->summary) - off, "%s%s %s-%s",
                                    off ? ", " : "", r->p->cams[i].place.id, a, b);
        }
        if (o->unindexed[0] != '\0' && off < sizeof(res->summary))
            off += summary_unindexed(r->p, &r->p->cams[i], fmt, res->summary + off,
                                     sizeof(res->summary) - off);
    }
}

int export_run(const struct export_plan *p, const char *out_dir, const atomic_int *cancel,
               export_progress_fn progress, void *progress_data, struct export_result *res,
               struct cw_err *err)
{
    struct run r = {.p = p, .cancel = cancel, .progress = progress, .progress_data = progress_data};
    int rc = -1;

    memset(res, 0, sizeof(*res));
    if (p->n > EXPORT_CAMERAS_MAX)
        return cw_err_set(err, NULL, 0, NULL, "more than %d cameras in one export",
                          EXPORT_CAMERAS_MAX);
    if (check_dir(&r, out_dir, err) != 0)
        goto done;
    if (realpath(r.dir, res->out_dir) == NULL) { /* where it is, whatever the path typed */
        cw_err_set(err, r.dir, 0, NULL, "cannot resolve: %s", strerror(errno));
        goto done;
    }
    if ((r.o = calloc(p->n ? p->n : 1, sizeof(*r.o))) == NULL) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    export_plan_cameras(p, &r.cam_n);
    for (size_t i = 0; i < p->n; i++) {
        if (export_camera(&r, i, err) != 0)
            goto done;
        if (r.o[i].file[0] != '\0')
            r.cam_i++;
    }
    if (cancel != NULL && atomic_load(cancel)) {
        cw_err_set(err, NULL, 0, NULL, "export cancelled");
        goto done;
    }
    if (write_manifests(&r, res, err) != 0 || commit_files(&r, err) != 0)
        goto done;
    res->cameras = p->n;
    summarise(&r, res);
    rc = 0;
done:
    cleanup_files(&r, rc != 0);
    if (rc != 0 && r.made_dir)
        rmdir(r.dir); /* a failed export leaves no empty folder (but one someone filled) */
    for (size_t i = 0; r.o != NULL && i < p->n; i++)
        free(r.o[i].src);
    free(r.o);
    return rc;
}

int export_audit_start(struct store *s, int64_t request_id, const char *actor, const char *where,
                       int locked, int64_t at_ms, int64_t *start_id, struct cw_err *err)
{
    char subject[64], detail[sizeof(((struct store_audit *)0)->detail)];

    snprintf(subject, sizeof(subject), "request %lld", (long long)request_id);
    if (strlen(where) > EXPORT_DIR_MAX)
        return export_dir_fits(where, where, err);
    snprintf(detail, sizeof(detail), "%s%s", where, locked ? STORE_AUDIT_FOLDER_LOCKED : "");
    return store_audit_append(s, at_ms, actor, "export.start", subject, detail, start_id, err);
}

int export_audit_failed(struct store *s, int64_t request_id, int64_t start_id, const char *actor,
                        const char *where, const char *why, int64_t at_ms, struct cw_err *err)
{
    char subject[64], detail[1024 + PATH_MAX];

    snprintf(subject, sizeof(subject), "request %lld", (long long)request_id);
    snprintf(detail, sizeof(detail), "%s: %s", where, why);
    return store_audit_append_end(s, at_ms, actor, "export.failed", subject, detail, start_id, err);
}

int export_audit(struct store *s, const struct export_plan *p, const struct export_result *res,
                 int64_t start_id, const char *actor, int64_t at_ms, struct cw_err *err)
{
    char subject[64], detail[1024 + sizeof(res->out_dir)];

    snprintf(subject, sizeof(subject), "request %lld", (long long)p->req.id);
    if (snprintf(detail, sizeof(detail), "case %s; %zu files of %zu cameras to %s; %s %s; %s",
                 p->req.case_ref, res->files, res->cameras, res->out_dir, EXPORT_SUMS,
                 res->sums_sha256, res->summary[0] ? res->summary : "nothing delivered") < 0)
        detail[0] = '\0';
    return store_audit_append_end(s, at_ms, actor, "export", subject, detail, start_id, err);
}
