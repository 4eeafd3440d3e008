/* doc_out.h - where a document goes as it is built: whole into a jansson tree (the HTTP API,
 * the CLI's tables), or written out part by part to a stream (the CLI's --json), so that a
 * listing of a million rows is never held in memory. A document function writes its parts in
 * order (open the top object or array, add members or items, open and close the containers
 * inside); it does not know which kind of out it has. The bytes written are exactly those of
 * json_dumpf(whole, f, JSON_INDENT(2) | DOC_JSON_FLAGS) followed by a newline, so streaming
 * changes nothing a reader of the output sees. One thread per out. */
#ifndef CW_DOC_OUT_H
#define CW_DOC_OUT_H

#include <jansson.h>
#include <stdio.h>

struct cw_err;
struct doc_out;

/* A document built in memory; doc_out_take gives it. NULL when out of memory. */
struct doc_out *doc_out_tree(void);
/* A document written to f (borrowed; must outlive the out) as it is built. NULL when out of
 * memory. */
struct doc_out *doc_out_file(FILE *f);
/* The tree built, once its top container is closed: a new reference the caller owns. NULL
 * for a file out, before the document is whole, or after a failure. */
json_t *doc_out_take(struct doc_out *o);
/* Accepts NULL. */
void doc_out_free(struct doc_out *o);

/* Open an object or array: the document itself (key NULL, nothing open yet), a member of the
 * open object (key), or an item of the open array (key NULL). 0, or -1 (then every later call
 * fails too, and doc_out_error says why). */
int doc_out_object(struct doc_out *o, const char *key);
int doc_out_array(struct doc_out *o, const char *key);
/* Add v as a member of the open object (key) or an item of the open array (key NULL). Takes
 * v's reference, also on failure; v NULL (a builder out of memory) fails. */
int doc_out_add(struct doc_out *o, const char *key, json_t *v);
/* Close the innermost open container; closing the document's own ends it. */
int doc_out_close(struct doc_out *o);
/* What went wrong ("out of memory", "cannot write: ..."), or NULL. */
const char *doc_out_error(const struct doc_out *o);
/* err set to "what: " and doc_out_error's words, for a document function's failure. -1. */
int doc_out_fail(const struct doc_out *o, const char *what, struct cw_err *err);

#endif
