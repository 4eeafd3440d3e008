/* doc_out.c - a document built into a tree or written as it is built; see doc_out.h. Owns
 * the tree it builds (until taken) and its stack of open containers; borrows the FILE.
 *
 * Written out, a container is "[" or "{", then each part on its own line indented two spaces
 * a level ("," ending every line but the last), then its closing bracket on a line at its own
 * level; an empty one is "[]" or "{}". A part that is itself whole (json_t) is dumped by
 * jansson with JSON_INDENT(2) and its lines shifted to the part's level: a JSON text holds a
 * line break only between tokens (one inside a string is written \n), so shifting every line
 * after the first is exact. */
#include "doc_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "doc.h"

#define DOC_OUT_DEPTH_MAX 16 /* nesting of open containers; documents use 3 */
#define DOC_OUT_INDENT 2     /* spaces a level, as JSON_INDENT(2) */

struct level {
    json_t *node; /* tree: the open container */
    size_t parts; /* file: parts written in it so far */
    int is_array;
};

struct doc_out {
    FILE *f; /* NULL: a tree */
    json_t *root;
    struct level stack[DOC_OUT_DEPTH_MAX];
    int depth;  /* open containers */
    int closed; /* the document's own container is closed */
    const char *error;
    char why[128];
};

static struct doc_out *out_new(FILE *f)
{
    struct doc_out *o = calloc(1, sizeof(*o));

    if (o != NULL)
        o->f = f;
    return o;
}

struct doc_out *doc_out_tree(void)
{
    return out_new(NULL);
}

struct doc_out *doc_out_file(FILE *f)
{
    return out_new(f);
}

json_t *doc_out_take(struct doc_out *o)
{
    json_t *root;

    if (o == NULL || o->f != NULL || o->error != NULL || !o->closed)
        return NULL;
    root = o->root;
    o->root = NULL;
    return root;
}

void doc_out_free(struct doc_out *o)
{
    if (o == NULL)
        return;
    json_decref(o->root);
    free(o);
}

const char *doc_out_error(const struct doc_out *o)
{
    return o->error;
}

int doc_out_fail(const struct doc_out *o, const char *what, struct cw_err *err)
{
    return cw_err_set(err, NULL, 0, NULL, "%s: %s", what,
                      o != NULL && o->error != NULL ? o->error : "out of memory");
}

static int fail(struct doc_out *o, const char *why)
{
    if (o->error == NULL) {
        if (why == NULL) {
            snprintf(o->why, sizeof(o->why), "cannot write: %s", strerror(errno));
            o->error = o->why;
        } else {
            o->error = why;
        }
    }
    return -1;
}

static int put(struct doc_out *o, const char *s, size_t n)
{
    if (n > 0 && fwrite(s, 1, n, o->f) != n)
        return fail(o, NULL);
    return 0;
}

static int put_indent(struct doc_out *o, int level)
{
    static const char spaces[] = "                                ";

    for (size_t n = (size_t)level * DOC_OUT_INDENT; n > 0;) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        if (put(o, spaces, k) != 0)
            return -1;
        n -= k;
    }
    return 0;
}

/* Write s (jansson's dump of a part), every line after the first shifted to level. */
static int put_shifted(struct doc_out *o, const char *s, int level)
{
    for (const char *nl; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
        if (put(o, s, (size_t)(nl - s) + 1) != 0 || put_indent(o, level) != 0)
            return -1;
    return put(o, s, strlen(s));
}

/* Check a part may go where it is put (key iff in an object; nothing after the document),
 * and write what comes before it: the separator, the line break and indent, the key. */
static int begin_part(struct doc_out *o, const char *key)
{
    struct level *in = o->depth > 0 ? &o->stack[o->depth - 1] : NULL;

    if (o->error != NULL)
        return -1;
    if (o->closed || (in == NULL && (key != NULL || o->root != NULL)) ||
        (in != NULL && (key == NULL) != in->is_array))
        return fail(o, "document built out of order");
    if (o->f == NULL || in == NULL)
        return 0;
    if (put(o, in->parts > 0 ? ",\n" : "\n", in->parts > 0 ? 2 : 1) != 0 ||
        put_indent(o, o->depth) != 0)
        return -1;
    in->parts++;
    if (key != NULL) {
        json_t *k = json_string(key);
        char *ks = k != NULL ? json_dumps(k, JSON_ENCODE_ANY | DOC_JSON_FLAGS) : NULL;
        int rc = ks == NULL ? fail(o, "out of memory") : put(o, ks, strlen(ks));
        json_decref(k);
        free(ks);
        if (rc != 0 || put(o, ": ", 2) != 0)
            return -1;
    }
    return 0;
}

/* Attach v to the open container of a tree (or make it the root). Takes v's reference. */
static int attach(struct doc_out *o, const char *key, json_t *v)
{
    json_t *in = o->depth > 0 ? o->stack[o->depth - 1].node : NULL;
    int rc;

    if (in == NULL) {
        o->root = v;
        return 0;
    }
    rc = key != NULL ? json_object_set_new(in, key, v) : json_array_append_new(in, v);
    return rc == 0 ? 0 : fail(o, "out of memory");
}

static int open_container(struct doc_out *o, const char *key, int is_array)
{
    json_t *node = NULL;

    if (begin_part(o, key) != 0)
        return -1;
    if (o->depth == DOC_OUT_DEPTH_MAX)
        return fail(o, "document nested too deep");
    if (o->f == NULL) {
        node = is_array ? json_array() : json_object();
        if (node == NULL)
            return fail(o, "out of memory");
        json_incref(node); /* the stack's, beside the parent's */
        if (attach(o, key, node) != 0) {
            json_decref(node);
            return -1;
        }
        json_decref(node);
    } else {
        if (put(o, is_array ? "[" : "{", 1) != 0)
            return -1;
        if (o->depth == 0)
            o->root = json_null(); /* marks the document begun */
    }
    o->stack[o->depth++] = (struct level){node, 0, is_array};
    return 0;
}

int doc_out_object(struct doc_out *o, const char *key)
{
    return open_container(o, key, 0);
}

int doc_out_array(struct doc_out *o, const char *key)
{
    return open_container(o, key, 1);
}

int doc_out_add(struct doc_out *o, const char *key, json_t *v)
{
    char *s;
    int rc;

    if (v == NULL) {
        fail(o, "out of memory");
        return -1;
    }
    if (o->depth == 0 || begin_part(o, key) != 0) {
        json_decref(v);
        return fail(o, "document built out of order");
    }
    if (o->f == NULL)
        return attach(o, key, v);
    s = json_dumps(v, JSON_INDENT(DOC_OUT_INDENT) | JSON_ENCODE_ANY | DOC_JSON_FLAGS);
    json_decref(v);
    if (s == NULL)
        return fail(o, "out of memory");
    rc = put_shifted(o, s, o->depth);
    free(s);
    return rc;
}

int doc_out_close(struct doc_out *o)
{
    struct level *lv;

    if (o->error != NULL)
        return -1;
    if (o->depth == 0)
        return fail(o, "document built out of order");
    lv = &o->stack[--o->depth];
    if (o->depth == 0)
        o->closed = 1;
    if (o->f == NULL)
        return 0;
    if (lv->parts > 0 && (put(o, "\n", 1) != 0 || put_indent(o, o->depth) != 0))
        return -1;
    if (put(o, lv->is_array ? "]" : "}", 1) != 0)
        return -1;
    if (o->closed && put(o, "\n", 1) != 0)
        return -1;
    return 0;
}
