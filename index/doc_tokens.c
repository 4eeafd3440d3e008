/* doc_tokens.c - the API tokens as `camwatch token` shows them: the file's entries (never a
 * token or its hash), and a token just made, shown that once. Reads the tokens file only;
 * never the store. */
#include "doc_priv.h"

#include <stdlib.h>

#include "../config/tokens.h"

int doc_tokens(const struct doc_ctx *c, json_t **out, struct cw_err *err)
{
    struct cw_errlist errs = {0};
    struct tokens t = {0};
    char *path = tokens_path(c->cfg);
    json_t *o = json_object(), *arr = json_array();

    *out = NULL;
    if (path == NULL || o == NULL || arr == NULL) {
        free(path);
        json_decref(o);
        json_decref(arr);
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    }
    if (tokens_load(path, &t, NULL, &errs) != 0) {
        *err = errs.v[0];
        cw_errlist_clear(&errs);
        free(path);
        json_decref(o);
        json_decref(arr);
        return -1;
    }
    for (size_t i = 0; i < t.n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(t.v[i].name));
        json_object_set_new(e, "role", json_string(tokens_role_name(t.v[i].role)));
        json_object_set_new(e, "created", doc_str_or_null(t.v[i].created));
        json_array_append_new(arr, e);
    }
    json_object_set_new(o, "tokens", arr);
    json_object_set_new(o, "file", json_string(path));
    tokens_clear(&t);
    free(path);
    return doc_give(o, out, err);
}

int doc_token_added(const struct doc_ctx *c, const char *name, const char *role, const char *token,
                    const char *file, json_t **out, struct cw_err *err)
{
    json_t *o = json_object();

    (void)c;
    *out = NULL;
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "role", json_string(role));
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "file", json_string(file));
    return doc_give(o, out, err);
}
