/* csv.c - the detail table of a report as CSV: UTF-8 with a byte-order mark (so Excel reads
 * Vietnamese right), every field quoted by libcsv, CRLF line ends, no total row (each row is
 * one camera, so the file reads back as data). Numbers as render.h says: whole đồng without
 * grouping, decimals with the language's mark (vi: 99,51, which Excel in a Vietnamese locale
 * reads as a number). A text that would open as a formula is written after an apostrophe. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "render.h"

static int field(FILE *out, const char *s, int first)
{
    if (!first && fputc(',', out) == EOF)
        return -1;
    return csv_fwrite(out, s, strlen(s));
}

/* A text cell: one that opens as a formula would (= + - @, a tab, a CR; Excel and LibreOffice
 * run it, and HYPERLINK or DDE send the sheet away) is written after an apostrophe, so it
 * reads as the text it is; a lone "-" (a retired camera's state) is no formula. The texts are
 * names users typed and what cameras answered. */
static int text_field(FILE *out, const char *s, int first)
{
    char *quoted;
    int rc;

    if (s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL || strcmp(s, "-") == 0)
        return field(out, s, first);
    if ((quoted = malloc(strlen(s) + 2)) == NULL)
        return -1;
    quoted[0] = '\'';
    strcpy(quoted + 1, s);
    rc = field(out, quoted, first);
    free(quoted);
    return rc;
}

int render_csv(const struct rmodel *m, FILE *out, struct cw_err *err)
{
    const struct rtable *t = &m->tables[m->detail];
    size_t rows = t->nrows - (t->total_row ? 1 : 0);
    char buf[64];
    int bad = fputs("\xEF\xBB\xBF", out) == EOF;

    for (size_t c = 0; c < t->ncols; c++)
        bad |= field(out, rlabel(m->lang, t->cols[c].head), c == 0) != 0;
    bad |= fputs("\r\n", out) == EOF;
    for (size_t r = 0; r < rows; r++) {
        const struct rcell *row = &t->cells[r * t->ncols];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].kind == RK_TEXT)
                bad |= text_field(out, row[c].null ? "" : row[c].text, c == 0) != 0;
            else
                bad |= field(out, rcell_string(m, &t->cols[c], &row[c], 0, buf, sizeof(buf)),
                             c == 0) != 0;
        }
        bad |= fputs("\r\n", out) == EOF;
    }
    return cw_stream_end(out, bad, "the CSV", err);
}
