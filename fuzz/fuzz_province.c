/* fuzz_province.c - a district's backlog JSON as `camwatch report merge` reads it (outside bytes:
 * a file another district sent), through doc_province(), then the province summary it accepts
 * rendered in every format and language. One input is one district's file; it is merged with
 * a copy of itself under another site name, so the summing runs too. An accepted summary's total
 * cost is its districts' sum. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/doc.h"
#include "../report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_all(const json_t *doc)
{
    static const enum report_format fmts[] = {REPORT_JSON, REPORT_CSV, REPORT_HTML};
    struct cw_err err;

    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (int lang = REPORT_EN; lang <= REPORT_VI; lang++) {
            char *buf = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&buf, &len);
            if (out == NULL)
                abort();
            if (report_render(doc, fmts[f], (enum report_lang)lang, out, &err) != 0)
                abort(); /* an accepted summary always renders */
            fclose(out);
            free(buf);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfg cfg = {.site_name = "Đồng Tháp", .language = "vi", .time_zone = "UTC"};
    struct doc_ctx c = {NULL, &cfg, "UTC"};
    struct doc_district in[2];
    struct cw_err err;
    json_t *a = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *b, *doc;

    if (a == NULL)
        return 0;
    b = json_deep_copy(a);
    if (json_is_object(b))
        json_object_set_new(b, "site", json_string("Sa Đéc (bản sao)"));
    in[0] = (struct doc_district){"a.json", a};
    in[1] = (struct doc_district){"b.json", b};
    if (doc_province(&c, in, 2, 0, &doc, &err) == 0) {
        json_int_t sum = 0;
        const json_t *d;
        size_t i;
        json_array_foreach(json_object_get(doc, "districts"), i, d) sum +=
            json_integer_value(json_object_get(d, "cost_vnd"));
        if (sum != json_integer_value(json_object_get(json_object_get(doc, "total"), "cost_vnd")))
            abort();
        render_all(doc);
        json_decref(doc);
    } else if (err.msg[0] == '\0') {
        abort(); /* a refusal says why */
    }
    json_decref(a);
    json_decref(b);
    return 0;
}
