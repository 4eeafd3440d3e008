/* html.c - a report's table model as one self-contained HTML page, headed like an appendix of
 * a district report ("PHỤ LỤC", the title, "(Kèm theo Báo cáo số …)", the period), with its
 * tables (an STT column, heads repeated on each printed page), the charts as inline SVG, the
 * notes, and the signature block. Styles are inline; nothing is fetched: the page prints on
 * A4 landscape as it shows, in Times New Roman, the font of Vietnamese administrative
 * documents (Decree 30/2020/ND-CP), or Liberation Serif, its metric twin, where it is missing
 * (DejaVu Serif last); each carries every Vietnamese letter. */
#include <string.h>

#include "../util/file.h"
#include "render.h"

static const char style[] =
    "@page{size:A4 landscape;margin:12mm 10mm 14mm 10mm}"
    "*{box-sizing:border-box}"
    "body{font-family:'Times New Roman','Liberation Serif','DejaVu Serif',serif;font-size:11pt;"
    "color:#000;margin:0 auto;max-width:277mm;padding:4mm 0}"
    ".top{display:flex;justify-content:space-between;align-items:flex-start;margin-bottom:4mm}"
    ".top div{text-align:center;font-weight:bold;font-size:11pt}"
    ".head{text-align:center;margin:2mm 0 5mm}"
    ".head .appendix{font-weight:bold;font-size:13pt}"
    ".head .title{font-weight:bold;font-size:13pt;margin:1mm 0}"
    ".head .attached,.head .period{font-style:italic}"
    ".head .generated{font-size:10pt}"
    /* room above capitals for their marks (Ề, Ả): a break never leaves them on the page
     * before */
    "h2{font-size:11.5pt;line-height:1.6;margin:3mm 0 1.5mm;padding-top:1.5mm;"
    "page-break-after:avoid}"
    "table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:8.5pt;"
    "font-stretch:condensed;line-height:1.25}"
    "thead{display:table-header-group}"
    "tr{page-break-inside:avoid}"
    "th,td{border:0.6pt solid #000;padding:1mm 1.2mm;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:normal;hyphens:auto}"
    "th{background:#e6e6e6;text-align:center;vertical-align:middle;font-weight:bold;"
    "font-size:7.5pt;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "td.n{text-align:right;white-space:nowrap}"
    "td.c{text-align:center}"
    "tr.total td{font-weight:bold}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;column-gap:8mm;row-gap:3mm}"
    ".charts h2{grid-column:1/3}"
    ".chart-box{page-break-inside:avoid}"
    ".chart-box .ct{font-weight:bold;font-size:10pt;margin-bottom:1mm}"
    ".chart-box .cn{font-size:9pt;font-style:italic;margin-top:1mm}"
    "svg.chart{width:100%;height:auto;display:block}"
    "svg.chart text{font-family:inherit;font-size:15px}"
    "svg.chart .val{font-weight:bold}"
    ".notes{font-size:9.5pt;margin-top:4mm}"
    ".notes p{margin:0.8mm 0}"
    ".sign{display:flex;justify-content:space-between;margin-top:6mm;page-break-inside:avoid}"
    ".sign>div{width:45%;text-align:center}"
    ".sign .role{font-weight:bold}"
    ".sign .hint{font-style:italic;font-size:10pt;margin-bottom:22mm}"
    ".sign .place{font-style:italic}";

static void table_html(const struct rmodel *m, const struct rtable *t, FILE *out)
{
    double total_w = 0;
    char buf[64];

    for (size_t c = 0; c < t->ncols; c++)
        total_w += t->cols[c].width;
    fputs("<h2>", out);
    render_esc(out, rlabel(m->lang, t->title), 1);
    fputs("</h2>\n<table>\n<colgroup>", out);
    for (size_t c = 0; c < t->ncols; c++)
        fprintf(out, "<col style=\"width:%.2f%%\">", 100.0 * t->cols[c].width / total_w);
    fputs("</colgroup>\n<thead><tr>", out);
    for (size_t c = 0; c < t->ncols; c++) {
        fputs("<th>", out);
        render_esc(out, rlabel(m->lang, t->cols[c].head), 1);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t r = 0; r < t->nrows; r++) {
        const struct rcell *row = &t->cells[r * t->ncols];
        fputs(t->total_row && r + 1 == t->nrows ? "<tr class=\"total\">" : "<tr>", out);
        for (size_t c = 0; c < t->ncols; c++) {
            enum rkind k = t->cols[c].kind;
            fputs(k == RK_TEXT ? "<td>" : c == 0 ? "<td class=\"c\">" : "<td class=\"n\">", out);
            if (k == RK_TEXT)
                render_esc(out, row[c].null ? "" : row[c].text, 1);
            else
                render_esc(out, rcell_string(m, &t->cols[c], &row[c], 1, buf, sizeof(buf)), 1);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void charts_html(const struct rmodel *m, FILE *out)
{
    if (m->ncharts == 0)
        return;
    fputs("<div class=\"charts\">\n<h2>", out);
    render_esc(out, rlabel(m->lang, RL_SEC_CHARTS), 1);
    fputs("</h2>\n", out);
    for (size_t i = 0; i < m->ncharts; i++) {
        fputs("<div class=\"chart-box\"><div class=\"ct\">", out);
        render_esc(out, rlabel(m->lang, m->charts[i].title), 1);
        fputs("</div>\n", out);
        render_svg(m, &m->charts[i], out);
        if (m->charts[i].note != NULL) {
            fputs("<div class=\"cn\">", out);
            render_esc(out, m->charts[i].note, 1);
            fputs("</div>\n", out);
        }
        fputs("</div>\n", out);
    }
    fputs("</div>\n", out);
}

static void heading_html(const struct rmodel *m, FILE *out)
{
    fputs("<div class=\"head\">\n<div class=\"appendix\">", out);
    render_esc(out, m->heading, 1);
    fputs("</div>\n<div class=\"title\">", out);
    render_esc(out, m->title, 1);
    fputs("</div>\n<div class=\"attached\">", out);
    render_esc(out, m->attached, 1);
    fputs("</div>\n<div class=\"period\">", out);
    render_esc(out, m->period, 1);
    fputs("</div>\n<div class=\"generated\">", out);
    render_esc(out, m->generated, 1);
    fputs("</div>\n</div>\n", out);
}

static void sign_html(const struct rmodel *m, FILE *out)
{
    fputs("<div class=\"sign\">\n<div><div class=\"place\">&nbsp;</div><div class=\"role\">", out);
    render_esc(out, rlabel(m->lang, RL_SIGN_LEFT), 1);
    fputs("</div><div class=\"hint\">", out);
    render_esc(out, rlabel(m->lang, RL_SIGN_LEFT_NOTE), 1);
    fputs("</div></div>\n<div><div class=\"place\">", out);
    render_esc(out, m->place_date, 1);
    fputs("</div><div class=\"role\">", out);
    render_esc(out, rlabel(m->lang, RL_SIGN_RIGHT), 1);
    fputs("</div><div class=\"hint\">", out);
    render_esc(out, rlabel(m->lang, RL_SIGN_RIGHT_NOTE), 1);
    fputs("</div></div>\n</div>\n", out);
}

int render_html(const struct rmodel *m, FILE *out, struct cw_err *err)
{
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
            m->lang == REPORT_VI ? "vi" : "en");
    render_esc(out, m->title, 1);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    fputs("<div class=\"top\"><div>", out);
    render_esc(out, m->authority, 1);
    fputs("</div><div></div></div>\n", out);
    heading_html(m, out);
    for (size_t i = 0; i < m->ntables; i++) {
        table_html(m, &m->tables[i], out);
        if (i == 0)
            charts_html(m, out);
    }
    fputs("<div class=\"notes\">\n<p><b>", out);
    render_esc(out, rlabel(m->lang, RL_NOTES), 1);
    fputs(":</b></p>\n", out);
    for (size_t i = 0; i < m->nnotes; i++) {
        fputs("<p>", out);
        render_esc(out, m->notes[i], 1);
        fputs("</p>\n", out);
    }
    fputs("</div>\n", out);
    sign_html(m, out);
    fputs("</body>\n</html>\n", out);
    return cw_stream_end(out, 0, "the page", err);
}
