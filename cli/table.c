/* table.c - aligned plain tables for the camwatch command; see table.h. Owns the cells it
 * copies; no state of its own. */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/text.h"
#include "../util/vec.h"
#include "cli.h"

size_t cli_table_width(const char *s)
{
    size_t w = 0;

    while (*s != '\0')
        if (!cw_text_is_combining(cw_text_next(&s)))
            w++;
    return w;
}

char *cli_table_cut(const char *s, size_t max)
{
    const char *p = s, *cut = s;
    size_t w = 0;
    char *out;

    if (cli_table_width(s) <= max)
        return cli_strdup(s);
    while (*p != '\0') {
        const char *before = p;
        uint32_t c = cw_text_next(&p);
        if (!cw_text_is_combining(c)) {
            if (w + 1 >= max) {
                cut = before;
                break;
            }
            w++;
        }
        cut = p;
    }
    out = malloc((size_t)(cut - s) + sizeof("…"));
    if (out == NULL)
        cli_die_oom();
    memcpy(out, s, (size_t)(cut - s));
    strcpy(out + (cut - s), "…");
    return out;
}

void cli_table_add(struct cli_table *t, ...)
{
    va_list ap;

    if (cw_vec_grow(&t->cells, t->nrows, &t->cap, (size_t)t->ncols * sizeof(*t->cells), 64) != 0)
        cli_die_oom();
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = cli_strdup(va_arg(ap, const char *));
    va_end(ap);
    t->nrows++;
}

/* Append s to line padded to width columns (left- or right-aligned). */
static size_t put_cell(char *line, size_t at, const char *s, size_t width, int right)
{
    size_t pad = width - cli_table_width(s), len = strlen(s);

    if (right) {
        memset(line + at, ' ', pad);
        at += pad;
    }
    memcpy(line + at, s, len);
    at += len;
    if (!right) {
        memset(line + at, ' ', pad);
        at += pad;
    }
    return at;
}

/* Print one row; trailing blanks (an empty last column) are cut. */
static void print_row(FILE *f, const struct cli_table *t, char *const *cells, const size_t *w,
                      char *line)
{
    size_t at = 0;

    for (int c = 0; c < t->ncols; c++) {
        if (c > 0) {
            memcpy(line + at, "  ", 2);
            at += 2;
        }
        at = put_cell(line, at, cells[c], w[c], t->right[c] == 'r');
    }
    while (at > 0 && line[at - 1] == ' ')
        at--;
    line[at] = '\0';
    fprintf(f, "%s\n", line);
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
    size_t *w = calloc((size_t)t->ncols, sizeof(*w)), linecap = 1;
    char *line;

    if (w == NULL)
        cli_die_oom();
    for (int c = 0; c < t->ncols; c++) {
        size_t maxbytes = strlen(t->heads[c]);
        w[c] = cli_table_width(t->heads[c]);
        for (size_t r = 0; r < t->nrows; r++) {
            const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
            size_t cw = cli_table_width(cell);
            if (cw > w[c])
                w[c] = cw;
            if (strlen(cell) > maxbytes)
                maxbytes = strlen(cell);
        }
        linecap += maxbytes + w[c] + 2; /* bytes + padding + separator, generously */
    }
    line = malloc(linecap);
    if (line == NULL)
        cli_die_oom();
    print_row(f, t, (char *const *)t->heads, w, line);
    for (size_t r = 0; r < t->nrows; r++)
        print_row(f, t, &t->cells[r * (size_t)t->ncols], w, line);
    free(line);
    free(w);
}

void cli_table_free(struct cli_table *t)
{
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

void cli_table_show(struct cli_table *t, const char *if_empty)
{
    if (t->nrows == 0 && if_empty != NULL)
        puts(if_empty);
    else
        cli_table_print(t, stdout);
    cli_table_free(t);
}
