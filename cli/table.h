/* table.h - the camwatch command's plain tables: rows of strings printed with their columns
 * aligned by display width (Vietnamese, precomposed or decomposed, lines up), and cutting a
 * long name to a width. A table owns copies of its cells. One thread. */
#ifndef CW_CLI_TABLE_H
#define CW_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct cli_table {
    int ncols;
    const char *const *heads; /* borrowed: ncols column heads */
    const char *right;        /* borrowed: per column 'r' right-aligned, else left */
    char **cells;             /* nrows * ncols, owned */
    size_t nrows, cap;
};

/* Append a row of ncols strings (copied; NULL is ""). Exits when out of memory. */
void cli_table_add(struct cli_table *t, ...);
/* Heads then rows, each column as wide as its widest cell; trailing blanks cut. */
void cli_table_print(const struct cli_table *t, FILE *f);
/* Free the cells; t can be filled again. */
void cli_table_free(struct cli_table *t);
/* What a listing prints: t on stdout, or if_empty on a line of its own when t has no rows
 * (if_empty NULL: the heads alone); then t's cells are freed. */
void cli_table_show(struct cli_table *t, const char *if_empty);

/* Terminal columns of s: one per code point, none for combining marks. Wide CJK would come
 * out wrong; the district's text has none. */
size_t cli_table_width(const char *s);
/* s cut to at most max columns, ending in "…" when cut. Caller frees; exits when out of
 * memory. */
char *cli_table_cut(const char *s, size_t max);

#endif
