/* xlsx.c - a report's table model as an XLSX workbook through libxlsxwriter: one sheet per
 * table (the summary per owner first, then the detail), each with the report's title and
 * period on its first row, the column heads on the second (frozen, and repeated on each
 * printed page), numbers as numbers in their formats (money "#,##0", which Excel shows with
 * the reader's own separators; percentages and hours "0.00"), columns as wide as their
 * content, and printing set up for A4 landscape, one page wide. The first sheet carries the
 * notes. libxlsxwriter writes by file name; the caller gives a temporary. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../util/text.h"
#include "render.h"

#define XLSX_PAPER_A4 9
#define XLSX_WIDTH_MAX 60.0    /* characters; a longer text wraps */
#define XLSX_TEXT_STRETCH 1.25 /* a text column's widest, against its designed width */
#define XLSX_LINE_PT 15.0      /* a line of 11 pt Times New Roman with its leading */
#define XLSX_WIDTH_MIN 5.0
#define XLSX_HEAD_ROW 1 /* the column heads; row 0 holds the title */
#define XLSX_GRAY 0xDDDDDD

struct formats {
    lxw_format *title, *head, *text[2], *num[5][2]; /* [kind][total row] */
};

static lxw_format *cell_format(lxw_workbook *wb, int bold, const char *num, int wrap)
{
    lxw_format *f = workbook_add_format(wb);

    format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    format_set_font_name(f, "Times New Roman");
    format_set_font_size(f, 11);
    if (bold)
        format_set_bold(f);
    if (num != NULL)
        format_set_num_format(f, num);
    if (wrap)
        format_set_text_wrap(f);
    return f;
}

static void make_formats(lxw_workbook *wb, struct formats *fm)
{
    static const char *const num[5] = {NULL, "#,##0", "#,##0", "0.00", "0.00"};

    fm->title = workbook_add_format(wb);
    format_set_bold(fm->title);
    format_set_font_name(fm->title, "Times New Roman");
    format_set_font_size(fm->title, 13);
    fm->head = cell_format(wb, 1, NULL, 1);
    format_set_align(fm->head, LXW_ALIGN_CENTER);
    format_set_align(fm->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(fm->head, XLSX_GRAY);
    for (int b = 0; b < 2; b++) {
        fm->text[b] = cell_format(wb, b, NULL, 1);
        for (int k = 1; k < 5; k++)
            fm->num[k][b] = cell_format(wb, b, num[k], 0);
    }
}

/* Display columns of the longest line of s (combining marks take none). */
static double text_width(const char *s)
{
    double best = 0, cur = 0;

    while (s != NULL && *s != '\0') {
        uint32_t c = cw_text_next(&s);
        if (c == '\n') {
            cur = 0;
            continue;
        }
        if (!cw_text_is_combining(c) && ++cur > best)
            best = cur;
    }
    return best;
}

/* The longest word of a head, which must fit unbroken. */
static double word_width(const char *s)
{
    double best = 0, cur = 0;

    while (*s != '\0') {
        uint32_t c = cw_text_next(&s);
        cur = c == ' ' ? 0 : cur + !cw_text_is_combining(c);
        if (cur > best)
            best = cur;
    }
    return best;
}

/* The text of a cell as the sheet shows it. */
static const char *shown(const struct rmodel *m, const struct rtable *t, size_t r, size_t c,
                         char *buf, size_t len)
{
    const struct rcell *cell = &t->cells[r * t->ncols + c];

    return t->cols[c].kind == RK_TEXT ? cell->text
                                      : rcell_string(m, &t->cols[c], cell, 1, buf, len);
}

/* Each column as wide as its widest cell, its head's longest word, at least XLSX_WIDTH_MIN;
 * a text column at most XLSX_TEXT_STRETCH times its designed width (longer text wraps), so the
 * sheet prints one A4 page wide at a readable scale. */
static void fit_columns(const struct rmodel *m, const struct rtable *t, lxw_worksheet *ws,
                        double *width)
{
    char buf[64];

    for (size_t c = 0; c < t->ncols; c++) {
        double w = word_width(rlabel(m->lang, t->cols[c].head)) + 2;
        double cap =
            t->cols[c].kind == RK_TEXT ? t->cols[c].width * XLSX_TEXT_STRETCH : XLSX_WIDTH_MAX;
        for (size_t r = 0; r < t->nrows; r++) {
            double cw = text_width(shown(m, t, r, c, buf, sizeof(buf))) + 2;
            if (cw > w)
                w = cw;
        }
        if (w > cap && cap > word_width(rlabel(m->lang, t->cols[c].head)) + 2)
            w = cap;
        width[c] = w < XLSX_WIDTH_MIN ? XLSX_WIDTH_MIN : w > XLSX_WIDTH_MAX ? XLSX_WIDTH_MAX : w;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c], NULL);
    }
}

/* Lines s takes wrapped in a column width characters wide (a rough count: words make a few
 * more, hence the slack). */
static double lines_in(const char *s, double width)
{
    double lines = 0, cur = 0, room = width > 4 ? width - 3 : 1;

    while (s != NULL && *s != '\0') {
        uint32_t c = cw_text_next(&s);
        if (c == '\n') {
            lines += cur > 0 ? ceil(cur / room) : 1;
            cur = 0;
        } else if (!cw_text_is_combining(c)) {
            cur++;
        }
    }
    lines += cur > 0 ? ceil(cur / room) : 1;
    return lines;
}

/* Rows as tall as their most wrapped cell: spreadsheet programs do not all work it out when
 * they open a file, and a printed row that hides its text is no use. */
static void fit_rows(const struct rmodel *m, const struct rtable *t, lxw_worksheet *ws,
                     const double *width)
{
    char buf[64];
    double head = 1;

    for (size_t c = 0; c < t->ncols; c++)
        head = fmax(head, lines_in(rlabel(m->lang, t->cols[c].head), width[c]));
    worksheet_set_row(ws, XLSX_HEAD_ROW, head * XLSX_LINE_PT, NULL);
    for (size_t r = 0; r < t->nrows; r++) {
        double lines = 1;
        for (size_t c = 0; c < t->ncols; c++)
            if (t->cols[c].kind == RK_TEXT)
                lines = fmax(lines, lines_in(shown(m, t, r, c, buf, sizeof(buf)), width[c]));
        if (lines > 1)
            worksheet_set_row(ws, (lxw_row_t)(XLSX_HEAD_ROW + 1 + r), lines * XLSX_LINE_PT, NULL);
    }
}

static void print_setup(lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, XLSX_PAPER_A4);
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, XLSX_HEAD_ROW, XLSX_HEAD_ROW);
    worksheet_set_footer(ws, "&C&P/&N");
    worksheet_center_horizontally(ws);
}

static int write_table(const struct rmodel *m, const struct rtable *t, lxw_worksheet *ws,
                       const struct formats *fm, char *title)
{
    double *width;
    int bad = 0;

    bad |= worksheet_write_string(ws, 0, 0, title, fm->title) != LXW_NO_ERROR;
    for (size_t c = 0; c < t->ncols; c++)
        bad |= worksheet_write_string(ws, XLSX_HEAD_ROW, (lxw_col_t)c,
                                      rlabel(m->lang, t->cols[c].head), fm->head) != LXW_NO_ERROR;
    for (size_t r = 0; r < t->nrows; r++) {
        int total = t->total_row && r + 1 == t->nrows;
        lxw_row_t row = (lxw_row_t)(XLSX_HEAD_ROW + 1 + r);
        for (size_t c = 0; c < t->ncols; c++) {
            const struct rcell *cell = &t->cells[r * t->ncols + c];
            enum rkind k = t->cols[c].kind;
            lxw_format *f = k == RK_TEXT ? fm->text[total] : fm->num[k][total];
            if (cell->null)
                bad |= worksheet_write_blank(ws, row, (lxw_col_t)c, f) != LXW_NO_ERROR;
            else if (k == RK_TEXT || cell->text != NULL)
                bad |= worksheet_write_string(ws, row, (lxw_col_t)c, cell->text, f) != LXW_NO_ERROR;
            else
                bad |= worksheet_write_number(ws, row, (lxw_col_t)c, cell->num, f) != LXW_NO_ERROR;
        }
    }
    worksheet_freeze_panes(ws, XLSX_HEAD_ROW + 1, 0);
    if ((width = calloc(t->ncols, sizeof(*width))) == NULL)
        return -1;
    fit_columns(m, t, ws, width);
    fit_rows(m, t, ws, width);
    free(width);
    print_setup(ws);
    return bad ? -1 : 0;
}

/* The notes and where the figures come from, under the first sheet's table. */
static int write_notes(const struct rmodel *m, const struct rtable *t, lxw_worksheet *ws,
                       const struct formats *fm)
{
    lxw_row_t row = (lxw_row_t)(XLSX_HEAD_ROW + 2 + t->nrows);
    int bad = worksheet_write_string(ws, row++, 0, m->generated, NULL) != LXW_NO_ERROR;

    for (size_t i = 0; i < m->nnotes; i++)
        bad |= worksheet_write_string(ws, row++, 0, m->notes[i], NULL) != LXW_NO_ERROR;
    (void)fm;
    return bad ? -1 : 0;
}

int render_xlsx(const struct rmodel *m, const char *path, const char *name, struct cw_err *err)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_doc_properties props = {0};
    struct formats fm;
    lxw_error rc;
    int bad = 0, saved;

    if (wb == NULL)
        return cw_err_set(err, name, 0, NULL, "cannot start the workbook");
    props.title = m->title;
    props.subject = m->period;
    props.author = "camwatch";
    props.company = m->authority;
    workbook_set_properties(wb, &props);
    make_formats(wb, &fm);
    for (size_t i = 0; i < m->ntables; i++) {
        const struct rtable *t = &m->tables[i];
        lxw_worksheet *ws = workbook_add_worksheet(wb, rlabel(m->lang, t->sheet));
        char *title = NULL;
        if (ws == NULL ||
            asprintf(&title, "%s – %s – %s", m->title, rlabel(m->lang, t->title), m->period) < 0) {
            bad = 1;
            break;
        }
        bad |= write_table(m, t, ws, &fm, title) != 0;
        if (i == 0)
            bad |= write_notes(m, t, ws, &fm) != 0;
        free(title);
    }
    errno = 0;
    rc = workbook_close(wb);
    saved = errno; /* the system's reason (a full disk) says more than libxlsxwriter's code */
    if (rc != LXW_NO_ERROR)
        return cw_err_set(err, name, 0, NULL, "cannot write the workbook: %s",
                          saved != 0 ? strerror(saved) : lxw_strerror(rc));
    if (bad)
        return cw_err_set(err, name, 0, NULL, "cannot write the workbook");
    return 0;
}
