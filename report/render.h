/* render.h - the formats' renderers of a table model (model.h), each writing to a stream or
 * a file name. Private to report/. */
#ifndef CW_REPORT_RENDER_H
#define CW_REPORT_RENDER_H

#include <stdio.h>

#include "model.h"

/* csv.c: the detail table, UTF-8 with a BOM, CRLF lines. */
int render_csv(const struct rmodel *m, FILE *out, struct cw_err *err);
/* html.c: the whole report as one self-contained page. */
int render_html(const struct rmodel *m, FILE *out, struct cw_err *err);
/* svg.c: s escaped for HTML and SVG text into out, a '\n' as <br> when br, else a space; and
 * one chart as inline SVG. */
void render_esc(FILE *out, const char *s, int br);
void render_svg(const struct rmodel *m, const struct rchart *ch, FILE *out);
/* xlsx.c: the workbook, written to the file path (libxlsxwriter writes by name, so the caller
 * gives a temporary); an error names name (the user's file; for stdout, the temporary's
 * folder) and the reason. */
int render_xlsx(const struct rmodel *m, const char *path, const char *name, struct cw_err *err);

#endif
