/* reload.c - the outcome of the daemon's last configuration load (reload.h says what). Owns
 * the record: its problems and files as JSON arrays, built when the outcome comes, each string
 * cut to RELOAD_TEXT_MAX bytes on a character's edge. Loop thread only. */
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../index/doc.h"
#include "../util/text.h"

struct reload {
    int ok, start, loaded; /* loaded: a load has been recorded */
    int64_t at_ms, ok_ms;
    json_t *problems; /* the last refusal's, [] after a taken load */
    size_t more;      /* its problems not in the array */
    json_t *files;    /* those of the configuration running */
    /* A reload waiting for the store's write lock (reload_pending): since (wall clock), and
     * the holder's pid (0: not known) and name ("": not known). */
    int pending;
    int64_t pending_ms;
    long holder_pid;
    char holder[RELOAD_TEXT_MAX];
};

struct reload *reload_new(void)
{
    struct reload *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->problems = json_array();
    r->files = json_array();
    if (r->problems == NULL || r->files == NULL) {
        reload_free(r);
        return NULL;
    }
    return r;
}

void reload_free(struct reload *r)
{
    if (r == NULL)
        return;
    json_decref(r->problems);
    json_decref(r->files);
    free(r);
}

/* The code point at *p, advanced past, as shown: a control character '?', what is not one
 * (a malformed byte, a surrogate) U+FFFD. */
static uint32_t shown(const char **p)
{
    uint32_t c = cw_text_next(p);

    if (c < 0x20 || c == 0x7f)
        return '?';
    if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0xfffd;
    return c;
}

/* s as shown, written into buf while it fits in room bytes: the bytes written; *all: s whole. */
static size_t shown_into(const char *s, char *buf, size_t room, int *all)
{
    char one[4];
    size_t n = 0, k;

    while (*s != '\0') {
        k = cw_text_put(shown(&s), one);
        if (n + k > room) {
            *all = 0;
            return n;
        }
        memcpy(buf + n, one, k);
        n += k;
    }
    *all = 1;
    return n;
}

/* s as a JSON string of at most RELOAD_TEXT_MAX bytes, cut on a character's edge with an
 * ellipsis after; null for NULL or "". What a user's file put in a message is shown, not
 * trusted: valid UTF-8 without control characters, which JSON escapes in one or two bytes a
 * byte (the vitals file's room). */
static json_t *text(const char *s)
{
    char buf[RELOAD_TEXT_MAX];
    size_t n;
    int all;

    if (s == NULL || s[0] == '\0')
        return json_null();
    n = shown_into(s, buf, sizeof(buf), &all);
    if (!all) {
        n = shown_into(s, buf, sizeof(buf) - 3, &all);
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    return json_stringn(buf, n);
}

/* The file at path as now on disk: {file, mtime_ms, bytes}. */
static json_t *file_json(const char *path)
{
    struct stat st;
    json_t *o = json_object();
    int have = stat(path, &st) == 0;

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "file", text(path));
    json_object_set_new(
        o, "mtime_ms",
        have ? json_integer((json_int_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000)
             : json_null());
    json_object_set_new(o, "bytes", have ? json_integer((json_int_t)st.st_size) : json_null());
    return o;
}

void reload_taken(struct reload *r, const struct cfg *cfg, int start, int64_t at_ms)
{
    const char *paths[] = {cfg->path, cfg->cameras_path, cfg->credentials_path, cfg->http_tokens};

    r->loaded = r->ok = 1;
    r->pending = 0;
    r->start = start;
    r->at_ms = r->ok_ms = at_ms;
    r->more = 0;
    json_array_clear(r->problems);
    json_array_clear(r->files);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (paths[i] != NULL)
            json_array_append_new(r->files, file_json(paths[i]));
}

static json_t *problem_json(const struct cw_err *e)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "file", text(e->file));
    json_object_set_new(o, "line", e->line > 0 ? json_integer(e->line) : json_null());
    json_object_set_new(o, "field", text(e->field));
    json_object_set_new(o, "message", text(e->msg));
    return o;
}

void reload_refused(struct reload *r, const char *conf_path, const struct cw_errlist *errs,
                    int64_t at_ms)
{
    struct cw_err none;
    size_t n = errs != NULL ? errs->n : 0;

    r->loaded = 1;
    r->ok = r->start = r->pending = 0;
    r->at_ms = at_ms;
    json_array_clear(r->problems);
    if (n == 0) {
        cw_err_set(&none, conf_path, 0, NULL, "invalid configuration");
        json_array_append_new(r->problems, problem_json(&none));
    }
    for (size_t i = 0; i < n && i < RELOAD_PROBLEMS_MAX; i++)
        json_array_append_new(r->problems, problem_json(&errs->v[i]));
    r->more = n > RELOAD_PROBLEMS_MAX ? n - RELOAD_PROBLEMS_MAX : 0;
}

void reload_pending(struct reload *r, int64_t since_ms, long holder_pid, const char *holder)
{
    r->pending = 1;
    r->pending_ms = since_ms;
    r->holder_pid = holder_pid > 0 ? holder_pid : 0;
    snprintf(r->holder, sizeof(r->holder), "%s", holder != NULL ? holder : "");
}

void reload_pending_end(struct reload *r)
{
    r->pending = 0;
}

/* The pending reload's record: {since_ms, waiting_for, holder: {pid, name} | null}, or null
 * when none waits. */
static json_t *pending_json(const struct reload *r)
{
    json_t *holder = json_null();

    if (!r->pending)
        return json_null();
    if (r->holder_pid > 0)
        holder = json_pack("{s:I, s:o}", "pid", (json_int_t)r->holder_pid, "name", text(r->holder));
    return json_pack("{s:I, s:s, s:o}", "since_ms", (json_int_t)r->pending_ms, "waiting_for",
                     "store_write_lock", "holder", holder != NULL ? holder : json_null());
}

void reload_get_state(const struct reload *r, struct reload_state *out)
{
    out->ok = r->ok;
    out->at_ms = r->at_ms;
    out->ok_ms = r->ok_ms;
}

int reload_format_refusal(const struct reload *r, char *buf, size_t len)
{
    json_t *rec = reload_json(r);
    char why[1024];
    int refused = rec != NULL && doc_daemon_refusal(rec, why, sizeof(why));

    json_decref(rec);
    if (len > 0)
        buf[0] = '\0';
    if (refused) /* as kept (text()): no control character, no line break in the status line */
        snprintf(buf, len, "last reload REFUSED: %s", why);
    return refused;
}

int reload_format_pending(const struct reload *r, const char *tz, char *buf, size_t len)
{
    const struct doc_ctx c = {NULL, NULL, tz}; /* doc_daemon_pending reads the zone alone */
    json_t *rec = reload_json(r);
    char why[512];
    int pending = rec != NULL && doc_daemon_pending(&c, rec, why, sizeof(why));

    json_decref(rec);
    if (len > 0)
        buf[0] = '\0';
    if (pending) /* the holder's name as kept (text()): one line */
        snprintf(buf, len, "reload %s", why);
    return pending;
}

json_t *reload_json(const struct reload *r)
{
    if (!r->loaded)
        return json_null();
    return json_pack("{s:b, s:s, s:I, s:I, s:O, s:I, s:O, s:o}", "ok", r->ok, "kind",
                     r->start ? "start" : "reload", "at_ms", (json_int_t)r->at_ms, "ok_ms",
                     (json_int_t)r->ok_ms, "problems", r->problems, "more", (json_int_t)r->more,
                     "files", r->files, "pending", pending_json(r));
}
