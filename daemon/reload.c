/* reload.c - the outcome of the daemon's last configuration load (reload.h says what). Owns
 * the record: its problems and files as JSON arrays, built when the outcome comes, each string
 * cut to RELOAD_TEXT_MAX bytes on a character's edge. Loop thread only. */
#include "reload.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct reload {
    int ok, start, loaded; /* loaded: a load has been recorded */
    int64_t at_ms, ok_ms;
    json_t *problems; /* the last refusal's, [] after a taken load */
    size_t more;      /* its problems not in the array */
    json_t *files;    /* those of the configuration running */
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

/* s as a JSON string of at most RELOAD_TEXT_MAX bytes (cut where a UTF-8 character starts, an
 * ellipsis after), null for NULL or "". */
static json_t *text(const char *s)
{
    char buf[RELOAD_TEXT_MAX + 4];
    size_t n;

    if (s == NULL || s[0] == '\0')
        return json_null();
    n = strlen(s);
    if (n <= RELOAD_TEXT_MAX)
        return json_string(s);
    n = RELOAD_TEXT_MAX - 3;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return json_string(buf);
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
    r->ok = r->start = 0;
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

void reload_get_state(const struct reload *r, struct reload_state *out)
{
    out->ok = r->ok;
    out->at_ms = r->at_ms;
    out->ok_ms = r->ok_ms;
}

json_t *reload_json(const struct reload *r)
{
    if (!r->loaded)
        return json_null();
    return json_pack("{s:b, s:s, s:I, s:I, s:O, s:I, s:O}", "ok", r->ok, "kind",
                     r->start ? "start" : "reload", "at_ms", (json_int_t)r->at_ms, "ok_ms",
                     (json_int_t)r->ok_ms, "problems", r->problems, "more", (json_int_t)r->more,
                     "files", r->files);
}
