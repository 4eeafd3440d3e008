/* report.h - reports rendered from their documents (index/doc.h: doc_availability,
 * doc_backlog, doc_province): JSON as it is, CSV (UTF-8 with a BOM, the detail table), XLSX
 * (libxlsxwriter: a summary sheet per owner, the detail, and more; Vietnamese or English
 * headers, VND formats, frozen headers, A4 landscape) and HTML (one self-contained page
 * headed like an appendix of a district report, printable on A4, with inline SVG charts).
 * Every format is rendered from the same document through one table model (model.c), so all
 * four carry the same numbers. The renderers never read the store. Any thread. */
#ifndef CW_REPORT_H
#define CW_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "../util/err.h"

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_XLSX, REPORT_HTML };
enum report_lang { REPORT_EN, REPORT_VI };

/* "json", "csv", "xlsx", "html"; "vi", "en". 0, or -1 for anything else. */
int report_format_parse(const char *s, enum report_format *out);
int report_lang_parse(const char *s, enum report_lang *out);

/* Render doc in fmt and lang to out. XLSX goes through a temporary file of its own (mkstemp
 * in $TMPDIR or /tmp, removed). Returns 0, or -1 with err (a document this version does not
 * know, out of memory, a write error). */
int report_render(const json_t *doc, enum report_format fmt, enum report_lang lang, FILE *out,
                  struct cw_err *err);

/* Render doc into the file path through util/file.h: a temporary made by mkstemp in path's
 * folder, given mode 0640 and renamed onto path, so a reader never sees half a report and a
 * failure leaves the old file as it was (a path that is a link or not a regular file is
 * refused). Returns 0, or -1 with err naming path. */
int report_write(const json_t *doc, enum report_format fmt, enum report_lang lang, const char *path,
                 struct cw_err *err);

#endif
