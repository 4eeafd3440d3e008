/* report.c - report.h's entry points: the format and language names, and a document rendered
 * to a stream or, whole or not at all, to a file (util/file.h). */
#define _GNU_SOURCE /* mkostemp */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/file.h"
#include "../util/text.h"
#include "render.h"

#define JSON_REAL_DIGITS 10 /* as the CLI prints documents */

int report_format_parse(const char *s, enum report_format *out)
{
    static const char *const names[] = {"json", "csv", "xlsx", "html"};
    int i = cw_text_name_index(CW_NAMES(names), s);

    if (i < 0)
        return -1;
    *out = (enum report_format)i;
    return 0;
}

int report_lang_parse(const char *s, enum report_lang *out)
{
    if (s != NULL && strcmp(s, "vi") == 0)
        *out = REPORT_VI;
    else if (s != NULL && strcmp(s, "en") == 0)
        *out = REPORT_EN;
    else
        return -1;
    return 0;
}

#define REPORT_JSON_FLAGS                                                                          \
    (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(JSON_REAL_DIGITS))

/* XLSX to out through a temporary of its own in TMPDIR: an unpredictable name made with
 * O_EXCL (mode 0600), removed before returning, so nothing another user plants in TMPDIR can
 * stop the command or be written through. */
static int xlsx_to_stream(const struct rmodel *m, FILE *out, struct cw_err *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096], chunk[65536];
    FILE *in;
    size_t n;
    int fd, rc = -1;

    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    if (snprintf(path, sizeof(path), "%s/camwatch-report-XXXXXX", dir) >= (int)sizeof(path))
        return cw_err_set(err, dir, 0, NULL, "path too long");
    if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
        return cw_err_set(err, dir, 0, NULL, "cannot make the workbook's temporary here: %s",
                          strerror(errno));
    if (render_xlsx(m, path, dir, err) == 0) {
        if ((in = fopen(path, "rb")) == NULL) {
            cw_err_set(err, path, 0, NULL, "cannot read back: %s", strerror(errno));
        } else {
            rc = 0;
            while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
                if (fwrite(chunk, 1, n, out) != n)
                    rc = cw_err_set(err, NULL, 0, NULL, "cannot write: %s", strerror(errno));
            if (rc == 0 && ferror(in))
                rc = cw_err_set(err, path, 0, NULL, "cannot read back: %s", strerror(errno));
            fclose(in);
        }
    }
    unlink(path);
    close(fd);
    return rc;
}

/* doc as JSON to out, its "language" the one asked for (the document says the configuration's:
 * a report made with --lang en is in English), through a shallow copy: doc is left as it was. */
static int json_to_stream(const json_t *doc, enum report_lang lang, FILE *out, struct cw_err *err)
{
    json_t *copy = json_copy((json_t *)doc);
    int rc = 0;

    if (copy == NULL ||
        (json_object_get(copy, "language") != NULL &&
         json_object_set_new(copy, "language", json_string(lang == REPORT_VI ? "vi" : "en")) != 0))
        rc = cw_err_set(err, NULL, 0, NULL, "out of memory");
    else
        rc = cw_stream_end(out,
                           json_dumpf(copy, out, REPORT_JSON_FLAGS) != 0 || fputc('\n', out) == EOF,
                           "the JSON", err);
    json_decref(copy);
    return rc;
}

int report_render(const json_t *doc, enum report_format fmt, enum report_lang lang, FILE *out,
                  struct cw_err *err)
{
    struct rmodel m;
    int rc;

    if (fmt == REPORT_JSON) {
        /* The model checks the document's kind and version for the other formats. */
        if (rmodel_build(doc, lang, &m, err) != 0)
            return -1;
        rmodel_free(&m);
        return json_to_stream(doc, lang, out, err);
    }
    if (rmodel_build(doc, lang, &m, err) != 0)
        return -1;
    if (fmt == REPORT_CSV)
        rc = render_csv(&m, out, err);
    else if (fmt == REPORT_HTML)
        rc = render_html(&m, out, err);
    else
        rc = xlsx_to_stream(&m, out, err);
    rmodel_free(&m);
    return rc;
}

/* doc in fmt into the temporary t, by name for XLSX (libxlsxwriter writes by file name), else
 * through a stream on a copy of its descriptor. */
static int write_tmp(const json_t *doc, enum report_format fmt, enum report_lang lang,
                     const struct cw_tmpfile *t, struct cw_err *err)
{
    struct rmodel m;
    FILE *f;
    int fd, rc;

    if (fmt == REPORT_XLSX) {
        if (rmodel_build(doc, lang, &m, err) != 0)
            return -1;
        rc = render_xlsx(&m, t->tmp, t->target, err);
        rmodel_free(&m);
        return rc;
    }
    if ((fd = dup(t->fd)) < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return cw_err_set(err, NULL, 0, NULL, "%s", strerror(errno));
    }
    rc = report_render(doc, fmt, lang, f, err);
    if (fclose(f) != 0 && rc == 0)
        rc = cw_err_set(err, NULL, 0, NULL, "cannot write: %s", strerror(errno));
    return rc;
}

int report_write(const json_t *doc, enum report_format fmt, enum report_lang lang, const char *path,
                 struct cw_err *err)
{
    struct cw_tmpfile t;

    if (cw_tmpfile_open(&t, path, CW_FILE_MODE, err) != 0)
        return -1;
    if (write_tmp(doc, fmt, lang, &t, err) != 0) {
        cw_tmpfile_abort(&t);
        if (err != NULL && err->file[0] == '\0')
            cw_err_set_file(err, path);
        return -1;
    }
    return cw_tmpfile_commit(&t, err);
}
