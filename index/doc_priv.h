/* doc_priv.h - what the document files (doc_*.c) share: JSON values as every document
 * writes them (null for what is not known), and the builders one document borrows from
 * another (doc_view_camera gathers the others). Not for callers outside index/doc*.c. */
#ifndef CW_DOC_PRIV_H
#define CW_DOC_PRIV_H

#include "doc.h"

/* A string, or null for NULL and "". New reference (NULL when out of memory). */
json_t *doc_str_or_null(const char *s);
/* ms as ISO 8601 in c->tz; doc_iso_or_null gives null for 0. New reference. */
json_t *doc_iso(const struct doc_ctx *c, int64_t ms);
json_t *doc_iso_or_null(const struct doc_ctx *c, int64_t ms);
/* A list of items separated by sep as an array of strings; [] for "" (empty items are
 * dropped). New reference. */
json_t *doc_split(const char *list, char sep);
/* 1 when the comma-separated list holds name (case ignored). */
int doc_flags_include(const char *list, const char *name);
/* An array of one(c, elem) for each of the n elements of size sz at v. New reference, NULL
 * when out of memory. */
json_t *doc_array(const struct doc_ctx *c, const void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem));
/* Hand o to the caller: 0 with *out = o, or -1 with "out of memory" when o is NULL. */
int doc_give(json_t *o, json_t **out, struct cw_err *err);
/* A listing's end: doc_array of the n rows at v, then v freed (takes ownership of the store's
 * malloc'd list) and the array handed over as doc_give does. */
int doc_give_rows(const struct doc_ctx *c, void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem), json_t **out,
                  struct cw_err *err);

/* The query of the views of one camera (doc_camera_query), described for copying. */
extern const struct doc_query_type doc_camera_query_type;

/* The rows of a view that is one list from the store (samples, tickets, requests, ...): n
 * elements of sz bytes at v (malloc'd), each shown by one (NULL where the view's build does
 * not use doc_list_build: uptime). */
struct doc_list {
    void *v;
    size_t n, sz;
    json_t *(*one)(const struct doc_ctx *c, const void *elem);
};
/* A list view's read ends: the list read (v, n elements of sz, malloc'd; NULL when none) taken
 * into rows (a struct doc_list), whatever rc the read's steps returned; returns rc. */
int doc_list_take(void *rows, int rc, void *v, size_t n, size_t sz,
                  json_t *(*one)(const struct doc_ctx *c, const void *elem));
/* A list view's build and clear: the array of one(element) for each of the rows; v freed. */
int doc_list_build(const struct doc_ctx *c, const void *query, void *rows, json_t **out,
                   struct cw_err *err);
void doc_list_clear(void *rows);

/* One camera's object (a struct store_status) of doc_view_status. New reference. */
json_t *doc_status_one(const struct doc_ctx *c, const void *elem);
/* One clock measurement's object (a struct store_clock) of doc_view_clock and doc_view_device's
 * clock_history. */
json_t *doc_clock_one(const struct doc_ctx *c, const void *elem);

/* One request's object (a struct store_request) of doc_view_request and doc_view_requests. */
json_t *doc_request_one(const struct doc_ctx *c, const void *elem);

/* A device fact change's field, old and new, set on o (doc_view_events and doc_view_device). */
void doc_change_fields(json_t *o, const struct store_device_change *d);

#endif
