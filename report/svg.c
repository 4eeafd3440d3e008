/* svg.c - a chart of the table model as inline SVG: bars across (availability by owner, cost
 * by kind of work) or bars up over time (outages per week), each bar labelled with its value
 * as the tables write it. No script, no outside reference: the page prints as it shows. */
#include <math.h>
#include <string.h>

#include "../util/text.h"
#include "render.h"

#define SVG_W 600         /* viewBox width: half an A4 landscape line, 15 units ~ 9 pt */
#define SVG_ROW 26        /* height of one bar across, with its gap */
#define SVG_LABEL_W 300   /* the labels' column, for bars across */
#define SVG_VALUE_W 100   /* room right of the longest bar for its value */
#define SVG_UP_H 150      /* height of the bars-up plot area */
#define SVG_UP_BAR_MAX 60 /* widest bar up: a few weeks still read as a time series */
#define SVG_UP_LABELS 40  /* below it: the weeks' labels */
#define SVG_FILL "#4a6f8a"

void render_esc(FILE *out, const char *s, int br)
{
    for (; s != NULL && *s != '\0'; s++) {
        const char *e = cw_text_xml_entity(*s);
        if (*s == '\n')
            fputs(br ? "<br>" : " ", out);
        else if (e != NULL)
            fputs(e, out);
        else
            fputc(*s, out);
    }
}

static const char *value_text(const struct rmodel *m, const struct rchart *ch, double v, char *buf,
                              size_t len)
{
    struct rcol col = {RL_NONE, ch->kind, 0};
    struct rcell cell = {.num = v};
    size_t n;

    rcell_string(m, &col, &cell, 1, buf, len);
    n = strlen(buf);
    if (ch->kind == RK_PCT && n + 2 < len)
        strcat(buf, "%");
    return buf;
}

static double chart_max(const struct rchart *ch)
{
    double max = ch->kind == RK_PCT ? 100 : 0;

    for (size_t i = 0; i < ch->n; i++)
        if (ch->values[i] > max)
            max = ch->values[i];
    return max > 0 ? max : 1;
}

static void bars_across(const struct rmodel *m, const struct rchart *ch, FILE *out)
{
    double max = chart_max(ch), span = SVG_W - SVG_LABEL_W - SVG_VALUE_W;
    int h = (int)ch->n * SVG_ROW + 10;
    char v[64];

    fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">\n", SVG_W, h);
    for (size_t i = 0; i < ch->n; i++) {
        int y = (int)i * SVG_ROW + 4;
        double w = ch->values[i] > 0 ? span * ch->values[i] / max : 0;
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", SVG_LABEL_W - 10,
                y + 15);
        render_esc(out, ch->labels[i], 0);
        fprintf(out,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s</text>\n",
                SVG_LABEL_W, y, w, SVG_ROW - 8, SVG_FILL, SVG_LABEL_W + w + 8, y + 15,
                value_text(m, ch, ch->values[i], v, sizeof(v)));
    }
    fputs("</svg>\n", out);
}

static void bars_up(const struct rmodel *m, const struct rchart *ch, FILE *out)
{
    double max = chart_max(ch);
    double slot = ch->n > 0 ? (double)(SVG_W - 40) / (double)ch->n : SVG_W;
    /* label every week while they fit, else every k-th */
    size_t every = slot >= 40 ? 1 : (size_t)ceil(40 / slot);
    char v[64];

    fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">\n", SVG_W,
            SVG_UP_H + SVG_UP_LABELS);
    fprintf(out, "<line x1=\"20\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", SVG_UP_H,
            SVG_W - 20, SVG_UP_H);
    for (size_t i = 0; i < ch->n; i++) {
        double x = 20 + slot * (double)i, bh = (SVG_UP_H - 24) * ch->values[i] / max;
        double bw = slot * 0.7 < SVG_UP_BAR_MAX ? slot * 0.7 : SVG_UP_BAR_MAX;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"val\">%s</text>\n",
                x + (slot - bw) / 2, SVG_UP_H - bh, bw, bh, SVG_FILL, x + slot / 2,
                SVG_UP_H - bh - 5, value_text(m, ch, ch->values[i], v, sizeof(v)));
        if (i % every == 0) {
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"lbl\">",
                    x + slot / 2, SVG_UP_H + 22);
            render_esc(out, ch->labels[i], 0);
            fputs("</text>\n", out);
        }
    }
    fputs("</svg>\n", out);
}

void render_svg(const struct rmodel *m, const struct rchart *ch, FILE *out)
{
    if (ch->vertical)
        bars_up(m, ch, out);
    else
        bars_across(m, ch, out);
}
