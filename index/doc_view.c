/* doc_view.c - the steps of every view of the store (doc.h: struct doc_view) run in one go,
 * a view's rows made and freed, its query copied for another thread, and the rows of the
 * views that are one list. Owns nothing beyond each call: rows and copies are the caller's. */
#include "doc_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int doc_view_run(const struct doc_ctx *c, const struct doc_view *v, const void *query, json_t **out,
                 struct cw_err *err)
{
    void *rows = doc_view_rows_new(v);
    int rc;

    *out = NULL;
    if (rows == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    if ((rc = v->read(c->store, query, rows, err)) == 0)
        rc = v->build(c, query, rows, out, err);
    doc_view_rows_free(v, rows);
    return rc;
}

void *doc_view_rows_new(const struct doc_view *v)
{
    return calloc(1, v->rows_size);
}

void doc_view_rows_free(const struct doc_view *v, void *rows)
{
    if (rows == NULL)
        return;
    v->clear(rows);
    free(rows);
}

/* The string at offset off of query q. */
static const char **query_string(void *q, size_t off)
{
    return (const char **)((char *)q + off);
}

int doc_view_query_copy(const struct doc_view *v, const void *query, void **out)
{
    const struct doc_query_type *t = v->query;
    char *q;
    size_t i;

    *out = NULL;
    if (t == NULL || query == NULL)
        return 0;
    if ((q = malloc(t->size)) == NULL)
        return -1;
    memcpy(q, query, t->size);
    for (i = 0; i < t->n_strings; i++) {
        const char **s = query_string(q, t->strings[i]);
        if (*s != NULL && (*s = strdup(*s)) == NULL)
            break;
    }
    if (i == t->n_strings) {
        *out = q;
        return 0;
    }
    while (i < t->n_strings) /* not copied: not the copy's to free */
        *query_string(q, t->strings[i++]) = NULL;
    doc_view_query_free(v, q);
    return -1;
}

void doc_view_query_free(const struct doc_view *v, void *query)
{
    if (query == NULL)
        return;
    for (size_t i = 0; i < v->query->n_strings; i++)
        free((char *)*query_string(query, v->query->strings[i]));
    free(query);
}

const struct doc_query_type doc_camera_query_type = {
    sizeof(struct doc_camera_query), 1, {offsetof(struct doc_camera_query, id)}};

int doc_list_take(void *rows, int rc, void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem))
{
    *(struct doc_list *)rows = (struct doc_list){v, n, sz, one};
    return rc;
}

int doc_list_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                   struct cw_err *err)
{
    const struct doc_list *l = rows;

    (void)query;
    return doc_give(doc_array(c, l->v, l->n, l->sz, l->one), out, err);
}

void doc_list_clear(void *rows)
{
    struct doc_list *l = rows;

    free(l->v);
    l->v = NULL;
}
