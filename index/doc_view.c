/* doc_view.c - the steps of every view of the store (doc.h: struct doc_view) run in one go,
 * a view's query copied for another thread, and the rows of the views that are one list. Owns
 * nothing beyond each call: the copies and the lists are the caller's. */
#include "doc_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int doc_view_run(const struct doc_ctx *c, const struct doc_view *v, const void *query, json_t **out,
                 struct cw_err *err)
{
    void *rows = NULL;
    int rc;

    *out = NULL;
    if ((rc = v->read(c->store, query, &rows, err)) == 0)
        rc = v->build(c, query, rows, out, err);
    v->free(rows);
    return rc;
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

int doc_rows_new(void **rows, size_t size, const char *what, struct cw_err *err)
{
    if ((*rows = calloc(1, size)) == NULL)
        return cw_err_set(err, NULL, 0, NULL, "%s: out of memory", what);
    return 0;
}

int doc_list_give(int rc, void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem), void **rows,
                  struct cw_err *err)
{
    struct doc_list *l = NULL;

    *rows = NULL;
    if (rc == 0 && (l = malloc(sizeof(*l))) == NULL)
        rc = cw_err_set(err, NULL, 0, NULL, "out of memory");
    if (rc != 0) {
        free(v);
        return rc;
    }
    *l = (struct doc_list){v, n, sz, one};
    *rows = l;
    return 0;
}

int doc_list_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                   struct cw_err *err)
{
    const struct doc_list *l = rows;

    (void)query;
    return doc_give(doc_array(c, l->v, l->n, l->sz, l->one), out, err);
}

void doc_list_free(void *rows)
{
    struct doc_list *l = rows;

    if (l == NULL)
        return;
    free(l->v);
    free(l);
}
