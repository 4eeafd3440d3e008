/* doc.c - what every document uses: JSON values for optional facts and times, the camera
 * check, handing a document to the caller. No state; see doc.h for the thread rule. */
#include "doc_priv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/cwtime.h"

json_t *doc_str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *doc_iso(const struct doc_ctx *c, int64_t ms)
{
    char buf[64];

    return json_string(cw_format_iso(ms, c->tz, buf, sizeof(buf)));
}

json_t *doc_iso_or_null(const struct doc_ctx *c, int64_t ms)
{
    return ms != 0 ? doc_iso(c, ms) : json_null();
}

json_t *doc_split(const char *list, char sep)
{
    const char seps[2] = {sep, '\0'};
    json_t *arr = json_array();

    for (const char *p = list; arr != NULL && *p != '\0';) {
        size_t n = strcspn(p, seps);
        if (n > 0)
            json_array_append_new(arr, json_stringn(p, n));
        p += n + (p[n] == sep);
    }
    return arr;
}

int doc_flags_include(const char *list, const char *name)
{
    size_t len = strlen(name);

    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && strncasecmp(p, name, len) == 0)
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

json_t *doc_array(const struct doc_ctx *c, const void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem))
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, one(c, (const char *)v + i * sz)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

int doc_give(json_t *o, json_t **out, struct cw_err *err)
{
    if (o == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    *out = o;
    return 0;
}

int doc_give_rows(const struct doc_ctx *c, void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem), json_t **out,
                  struct cw_err *err)
{
    json_t *arr = doc_array(c, v, n, sz, one);

    free(v);
    return doc_give(arr, out, err);
}

int doc_require_camera(struct store *s, const char *id, struct store_status *st, struct cw_err *err)
{
    struct store_status unused;
    int rc = store_get_status(s, id, st != NULL ? st : &unused, err);

    return rc == 1 ? doc_unknown_camera(s, NULL, id, err) : rc;
}

int doc_unknown_camera(struct store *s, const char *field, const char *id, struct cw_err *err)
{
    char like[CFG_ID_MAX + 1];
    int rc = store_camera_id_nocase(s, id, like, sizeof(like), err);

    if (rc < 0)
        return -1;
    if (rc == 0 && strcmp(like, id) != 0)
        cw_err_set(err, NULL, 0, field, "unknown camera '%s'; did you mean '%s'?", id, like);
    else
        cw_err_set(err, NULL, 0, field, "unknown camera '%s'", id);
    return DOC_NOT_FOUND;
}

int doc_text_check(const char *field, const char *text, struct cw_err *err)
{
    if (text == NULL)
        return 0;
    if (!cfg_utf8_valid(text, strlen(text))) /* typed in the CLI: JSON could not hold it */
        cw_err_set(err, NULL, 0, field, "not UTF-8 text");
    else if (cfg_text_has_control(text, 0))
        cw_err_set(err, NULL, 0, field,
                   "a control character (a new line, tab or escape) in the text");
    else
        return 0;
    return DOC_BAD_INPUT;
}
