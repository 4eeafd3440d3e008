/* inventory.c - cameras.csv (libcsv) into cfg->cameras. Owns nothing: every field lands in a
 * struct cfg_camera of the cfg, every problem in the load.
 *
 * The file is fed to libcsv one physical line at a time so each record knows the line it
 * starts on even when a quoted field holds newlines. Each row is checked against the conf
 * (owners, classes) and the credentials read before it, and against the rows before it
 * (duplicate ids); every bad row is reported, and the load fails once at the end. */
#include "inventory.h"

#include <csv.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "class.h"
#include "creds.h"
#include "names.h"
#include "url.h"

#include "../util/cwtime.h"
#include "../util/text.h"

#define CSV_NFIELDS 16     /* the columns of CFG_CSV_HEADER */
#define CSV_NCOLUMNS 17    /* and the optional "class" after them */
#define CSV_KEEP_FIELDS 24 /* header names kept, so extra columns can be named */

static const char *const csv_columns[CSV_NCOLUMNS] = {
    "id",    "name",         "owner",    "commune",  "site_kind", "address",
    "road",  "lat",          "lon",      "rtsp_url", "onvif_url", "credential",
    "model", "installed_on", "recorder", "notes",    "class"};

enum csv_col {
    COL_ID,
    COL_NAME,
    COL_OWNER,
    COL_COMMUNE,
    COL_SITE_KIND,
    COL_ADDRESS,
    COL_ROAD,
    COL_LAT,
    COL_LON,
    COL_RTSP_URL,
    COL_ONVIF_URL,
    COL_CREDENTIAL,
    COL_MODEL,
    COL_INSTALLED_ON,
    COL_RECORDER,
    COL_NOTES,
    COL_CLASS
};

/* The longest value of each column, in bytes (UTF-8: a Vietnamese letter takes 2 or 3); a
 * longer one is refused, never cut. The store keeps name, owner and commune in buffers of
 * these sizes plus one; a credential and a class are inih section names. 0: the column's
 * own rule bounds it and says so (the id). */
static const char *const site_kind_names[] = {
    [CFG_SITE_DISTRICT] = "district", [CFG_SITE_COMMUNE] = "commune", [CFG_SITE_MARKET] = "market"};

static const size_t csv_max[CSV_NCOLUMNS] = {
    [COL_ID] = 0,
    [COL_NAME] = 255,
    [COL_OWNER] = CFG_OWNER_CODE_MAX,
    [COL_COMMUNE] = 127,
    [COL_SITE_KIND] = 31,
    [COL_ADDRESS] = 255,
    [COL_ROAD] = 127,
    [COL_LAT] = 31,
    [COL_LON] = 31,
    [COL_RTSP_URL] = CFG_URL_MAX,
    [COL_ONVIF_URL] = CFG_URL_MAX,
    [COL_CREDENTIAL] = CFG_SECTION_MAX,
    [COL_MODEL] = 127,
    [COL_INSTALLED_ON] = 31,
    [COL_RECORDER] = 127,
    [COL_NOTES] = 1023,
    [COL_CLASS] = CFG_CLASS_NAME_MAX,
};
#define CSV_ID_SHOWN 80 /* of a bad id, in its message */

/* The columns a camera keeps as text (site_kind, lat, lon and class are parsed). */
static const struct {
    int col;
    size_t off;
} camera_text[] = {
    {COL_ID, offsetof(struct cfg_camera, id)},
    {COL_NAME, offsetof(struct cfg_camera, name)},
    {COL_OWNER, offsetof(struct cfg_camera, owner)},
    {COL_COMMUNE, offsetof(struct cfg_camera, commune)},
    {COL_ADDRESS, offsetof(struct cfg_camera, address)},
    {COL_ROAD, offsetof(struct cfg_camera, road)},
    {COL_RTSP_URL, offsetof(struct cfg_camera, rtsp_url)},
    {COL_ONVIF_URL, offsetof(struct cfg_camera, onvif_url)},
    {COL_CREDENTIAL, offsetof(struct cfg_camera, credential)},
    {COL_MODEL, offsetof(struct cfg_camera, model)},
    {COL_INSTALLED_ON, offsetof(struct cfg_camera, installed_on)},
    {COL_RECORDER, offsetof(struct cfg_camera, recorder)},
    {COL_NOTES, offsetof(struct cfg_camera, notes)},
};
#define CAMERA_TEXT_N (sizeof(camera_text) / sizeof(camera_text[0]))

static char **camera_text_field(struct cfg_camera *cam, size_t i)
{
    return (char **)(void *)((char *)cam + camera_text[i].off);
}

struct csv_ctx {
    struct load *ld;
    const char *file;
    char *f[CSV_KEEP_FIELDS];
    size_t nf;
    int any_text;   /* some field is not empty */
    size_t text_to; /* fields up to the last one not empty (0: all empty) */
    int bad_utf8;   /* column of the first field that is not UTF-8, -1 when none */
    int in_record;  /* a record has started and not ended */
    int row_line;   /* physical line the record starts on */
    int header_seen, header_ok;
    int nfields;    /* fields in every record: CSV_NFIELDS, or CSV_NCOLUMNS with "class" */
    size_t unnamed; /* empty header cells after the last column, which rows may have empty */
    size_t rows;    /* records under the header with some text */
    struct cfg_names *ids_nocase; /* the ids so far, matched without case: CAM-1 is cam-1 */
};

static void csv_on_field(void *s, size_t len, void *data)
{
    struct csv_ctx *c = data;

    if (c->nf < CSV_KEEP_FIELDS) {
        c->f[c->nf] = strndup(s ? s : "", len);
        if (c->f[c->nf] == NULL)
            c->ld->oom = 1;
    }
    if (len > 0) {
        c->any_text = 1;
        c->text_to = c->nf + 1;
    }
    if (c->bad_utf8 < 0 && s != NULL && !cfg_utf8_valid(s, len))
        c->bad_utf8 = (int)c->nf;
    c->nf++;
}

static void csv_row_clear(struct csv_ctx *c)
{
    size_t i;

    for (i = 0; i < CSV_KEEP_FIELDS; i++) {
        free(c->f[i]);
        c->f[i] = NULL;
    }
    c->nf = 0;
    c->any_text = 0;
    c->text_to = 0;
    c->bad_utf8 = -1;
}

static int column_index(const char *name)
{
    int i;

    for (i = 0; i < CSV_NCOLUMNS; i++)
        if (strcmp(csv_columns[i], name) == 0)
            return i;
    return -1;
}

/* A header cell left empty before the last named column: the columns after it would be
 * read one place off. Named by its number and the column before it. */
static void csv_empty_header_cell(struct csv_ctx *c, size_t i)
{
    if (i == 0)
        cfg_ld_err(c->ld, c->file, c->row_line, NULL,
                   "column 1 has no name (an empty header cell): delete the empty column before "
                   "%s",
                   c->f[1] != NULL && c->f[1][0] != '\0' ? c->f[1] : "id");
    else
        cfg_ld_err(c->ld, c->file, c->row_line, NULL,
                   "column %zu has no name (an empty header cell): delete the empty column after "
                   "%s",
                   i + 1, c->f[i - 1] != NULL && c->f[i - 1][0] != '\0' ? c->f[i - 1] : "it");
}

/* The header must be CFG_CSV_HEADER, optionally followed by "class"; say which columns are
 * missing, extra or misplaced. Empty cells after the last name are taken: Excel writes them
 * for columns once used or formatted, and they hold nothing (a row giving text in one is
 * refused, csv_take_row); an empty cell before a name is refused. */
static void csv_check_header(struct csv_ctx *c)
{
    struct load *ld = c->ld;
    size_t named = c->text_to; /* cells up to the last name */
    size_t i, j, n = named < CSV_KEEP_FIELDS ? named : CSV_KEEP_FIELDS;
    int found[CSV_NCOLUMNS] = {0};
    size_t before = ld->nerr;

    if (c->nf == 1 && c->f[0] != NULL && strpbrk(c->f[0], ";\t") != NULL) {
        /* Excel in a language that writes decimal commas (Vietnamese among them) separates
         * CSV fields with ';', and its "Unicode Text" with tabs: one column, and 16 missing */
        cfg_ld_err(ld, c->file, c->row_line, NULL,
                   "fields separated by '%c', not ',': save the sheet as \"CSV UTF-8 (Comma "
                   "delimited)\", with ',' as the list separator",
                   *strpbrk(c->f[0], ";\t"));
        c->header_ok = 0;
        return;
    }
    c->unnamed = c->nf - named;
    for (i = 0; i < n; i++) {
        int k;
        if (c->f[i] == NULL)
            continue; /* out of memory, flagged */
        if (c->f[i][0] == '\0') {
            csv_empty_header_cell(c, i);
            continue;
        }
        if ((k = column_index(c->f[i])) < 0) {
            cfg_ld_err(ld, c->file, c->row_line, c->f[i], "unknown column");
            continue;
        }
        if (found[k]) {
            cfg_ld_err(ld, c->file, c->row_line, c->f[i], "column appears twice");
            continue;
        }
        found[k] = (int)i + 1;
    }
    if (named > CSV_KEEP_FIELDS)
        cfg_ld_err(ld, c->file, c->row_line, NULL, "%zu columns, expected %d: %s", named,
                   CSV_NFIELDS, CFG_CSV_HEADER);
    for (j = 0; j < CSV_NFIELDS; j++)
        if (!found[j])
            cfg_ld_err(ld, c->file, c->row_line, csv_columns[j], "missing column");
    if (ld->nerr == before) {
        for (j = 0; j < CSV_NCOLUMNS; j++)
            if (found[j] != 0 && found[j] != (int)j + 1)
                cfg_ld_err(ld, c->file, c->row_line, csv_columns[j],
                           "column out of order (column %d, expected %zu)", found[j], j + 1);
    }
    c->nfields = found[COL_CLASS] ? CSV_NCOLUMNS : CSV_NFIELDS;
    c->header_ok = ld->nerr == before;
}

static void row_err(struct csv_ctx *c, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void row_err(struct csv_ctx *c, int col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_ld_verr(c->ld, c->file, c->row_line, col >= 0 ? csv_columns[col] : NULL, fmt, ap);
    va_end(ap);
}

static void check_url(struct csv_ctx *c, int col, const char *url, const char *const *schemes,
                      const char *kind)
{
    char buf[256];
    const char *why = cfg_url_fault(url, schemes, kind, buf, sizeof(buf));

    if (why != NULL)
        row_err(c, col, "%s", why);
}

static int parse_coord(struct csv_ctx *c, int col, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v)) {
        row_err(c, col, "not a number: '%s'", s);
        return -1;
    }
    if (v < lo || v > hi) {
        row_err(c, col, "%s out of range [%g, %g]", s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int date_ok(const char *s)
{
    int i, y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= cw_days_in_month(y, m);
}

/* The class column: empty (or absent) is the default class. */
static void csv_check_class(struct csv_ctx *c, struct cfg_camera *cam)
{
    struct cfg *cfg = c->ld->cfg;
    const char *name = c->nfields > COL_CLASS ? c->f[COL_CLASS] : "";

    if (name[0] == '\0') {
        cam->cls = cfg->n_classes > 0 ? &cfg->classes[0] : NULL;
        return;
    }
    cam->cls = cfg_class_find(cfg, name);
    if (cam->cls == NULL)
        row_err(c, COL_CLASS, "unknown class '%s' (no [class %s] in %s)", name, name, cfg->path);
}

/* An id is one camera's: not a duplicate, nor one differing only in case, whose exports
 * (CAM-1.mp4, cam-1.mp4) would be one file on a case-blind file system (FAT, NTFS) and
 * which people read as one camera. */
static void csv_check_id_unique(struct csv_ctx *c, const struct cfg_camera *cam)
{
    struct cfg *cfg = c->ld->cfg;
    long dup = cfg_names_find(cfg->camera_ids, cam->id);

    if (dup >= 0) {
        row_err(c, COL_ID, "duplicate id '%s' (first at line %d)", cam->id, cfg->cameras[dup].line);
        return;
    }
    dup = cfg_names_find(c->ids_nocase, cam->id);
    if (dup >= 0) {
        row_err(c, COL_ID,
                "%s is the same id as line %d (%s) but for case: ids must differ in "
                "more than case",
                cam->id, cfg->cameras[dup].line, cfg->cameras[dup].id);
        return;
    }
    if (cfg_names_add(cfg->camera_ids, cam->id, cfg->n_cameras) != 0 ||
        cfg_names_add(c->ids_nocase, cam->id, cfg->n_cameras) != 0)
        c->ld->oom = 1;
}

/* Validate the row in c->f against what came before; every problem is reported. */
static void csv_check_row(struct csv_ctx *c, struct cfg_camera *cam)
{
    static const char *const rtsp_schemes[] = {"rtsp", NULL};
    static const char *const http_schemes[] = {"http", "https", NULL};
    struct cfg *cfg = c->ld->cfg;
    const char *p;
    int kind;
    int has_lat = c->f[COL_LAT][0] != '\0';
    int has_lon = c->f[COL_LON][0] != '\0';

    if (cam->id[0] == '\0') {
        row_err(c, COL_ID, "required");
    } else {
        for (p = cam->id; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
                break;
        if (*p != '\0' || strlen(cam->id) > CFG_ID_MAX)
            row_err(c, COL_ID, "'%.*s%s': use 1-%d of A-Z a-z 0-9 . _ -", CSV_ID_SHOWN, cam->id,
                    strlen(cam->id) > CSV_ID_SHOWN ? "..." : "", CFG_ID_MAX);
        csv_check_id_unique(c, cam);
    }
    if (cam->name[0] == '\0')
        row_err(c, COL_NAME, "required");
    if (cam->owner[0] == '\0')
        row_err(c, COL_OWNER, "required");
    else if (cfg_owner_name(cfg, cam->owner) == NULL)
        row_err(c, COL_OWNER, "unknown owner '%s' (not in [owners] of %s)", cam->owner, cfg->path);
    if ((kind = cw_text_name_index(CW_NAMES(site_kind_names), c->f[COL_SITE_KIND])) >= 0)
        cam->site_kind = (enum cfg_site_kind)kind;
    else
        row_err(c, COL_SITE_KIND, "'%s': must be district, commune or market", c->f[COL_SITE_KIND]);
    if (has_lat != has_lon) {
        row_err(c, has_lat ? COL_LON : COL_LAT, "lat and lon go together: give both or neither");
    } else if (has_lat) {
        int bad = parse_coord(c, COL_LAT, c->f[COL_LAT], -90, 90, &cam->lat);
        bad |= parse_coord(c, COL_LON, c->f[COL_LON], -180, 180, &cam->lon);
        cam->has_position = bad == 0;
    }
    if (cam->rtsp_url[0] == '\0')
        row_err(c, COL_RTSP_URL, "required");
    else if (strncasecmp(cam->rtsp_url, "rtsps://", 8) == 0)
        /* libcurl has no RTSP over TLS: refuse it here rather than fail every probe. */
        row_err(c, COL_RTSP_URL, "rtsps:// is not supported; use the camera's rtsp:// URL");
    else
        check_url(c, COL_RTSP_URL, cam->rtsp_url, rtsp_schemes, "rtsp");
    if (cam->onvif_url[0] != '\0')
        check_url(c, COL_ONVIF_URL, cam->onvif_url, http_schemes, "http");
    if (cam->credential[0] != '\0' && c->ld->creds_ok) {
        if (cfg_cred_find(c->ld, cam->credential) == NULL) {
            if (cfg->credentials_path == NULL)
                row_err(c, COL_CREDENTIAL,
                        "unknown credential '%s' (no credentials file in [inventory])",
                        cam->credential);
            else
                row_err(c, COL_CREDENTIAL, "unknown credential '%s'", cam->credential);
        }
    }
    if (cam->installed_on[0] != '\0' && !date_ok(cam->installed_on))
        row_err(c, COL_INSTALLED_ON, "'%s' is not a date (YYYY-MM-DD)", cam->installed_on);
    csv_check_class(c, cam);
}

/* Every field as NFC (util/text.h), so a commune typed decomposed (a sheet saved on macOS,
 * Unikey's "Unicode to hop") is the same bytes as the one typed precomposed: the store, the
 * reports' groups and the filters see one commune. The URLs are left as written: they are
 * sent to the camera, whose paths compare bytes. Bounds are checked after, on what is kept. */
static void csv_compose_row(struct csv_ctx *c)
{
    for (size_t i = 0; i < (size_t)c->nfields; i++)
        if (i != COL_RTSP_URL && i != COL_ONVIF_URL && cw_text_nfc(&c->f[i]) != 0)
            c->ld->oom = 1;
}

static void csv_take_row(struct csv_ctx *c)
{
    struct load *ld = c->ld;
    struct cfg *cfg = ld->cfg;
    struct cfg_camera *cam;
    size_t i, before = ld->nerr;

    if (c->nf < (size_t)c->nfields || c->nf > (size_t)c->nfields + c->unnamed) {
        row_err(c, -1, "%zu fields, expected %d", c->nf, c->nfields);
        return;
    }
    if (c->text_to > (size_t)c->nfields) {
        size_t col = (size_t)c->nfields;
        while (col < CSV_KEEP_FIELDS && col < c->nf && c->f[col] != NULL && c->f[col][0] == '\0')
            col++;
        row_err(c, -1,
                "column %zu has text but no name in the header: name the column, or move the "
                "text to the column it belongs in",
                col < c->text_to ? col + 1 : c->text_to);
        return;
    }
    for (i = 0; i < (size_t)c->nfields; i++)
        if (c->f[i] == NULL)
            return; /* out of memory, already flagged */
    if (c->bad_utf8 >= 0) {
        row_err(c, c->bad_utf8, "not valid UTF-8 (save the file as CSV UTF-8)");
        return;
    }
    csv_compose_row(c);
    for (i = 0; i < (size_t)c->nfields; i++) {
        if (csv_max[i] > 0 && strlen(c->f[i]) > csv_max[i])
            row_err(c, (int)i, "longer than %zu bytes", csv_max[i]);
        else if (cfg_text_has_control(c->f[i], i == COL_NOTES))
            row_err(c, (int)i,
                    "a line break or other control character: keep the value on one line (in "
                    "Excel, a cell without Alt+Enter)");
    }
    if (c->ld->nerr > before)
        return; /* its other checks would show the too long values */
    if (cfg->n_cameras == ld->cameras_cap) {
        size_t cap = ld->cameras_cap ? ld->cameras_cap * 2 : 64;
        struct cfg_camera *v = realloc(cfg->cameras, cap * sizeof(*v));
        unsigned char *bad;
        if (v == NULL) {
            ld->oom = 1;
            return;
        }
        cfg->cameras = v;
        bad = realloc(ld->camera_bad, cap);
        if (bad == NULL) {
            ld->oom = 1;
            return;
        }
        ld->camera_bad = bad;
        ld->cameras_cap = cap;
    }
    cam = &cfg->cameras[cfg->n_cameras];
    memset(cam, 0, sizeof(*cam));
    cam->line = c->row_line;
    for (i = 0; i < CAMERA_TEXT_N; i++) {
        *camera_text_field(cam, i) = c->f[camera_text[i].col];
        c->f[camera_text[i].col] = NULL; /* the camera owns it now */
    }
    csv_check_row(c, cam);
    ld->camera_bad[cfg->n_cameras] = ld->nerr > before;
    cfg->n_cameras++;
}

static void csv_on_record(int term, void *data)
{
    struct csv_ctx *c = data;

    (void)term;
    if (!c->header_seen) {
        c->header_seen = 1;
        csv_check_header(c);
    } else if (c->header_ok && c->any_text) {
        c->rows++;
        csv_take_row(c);
    }
    csv_row_clear(c);
    c->in_record = 0;
}

static int line_is_blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!cfg_is_space(s[i]))
            return 0;
    return 1;
}

/* libcsv grows a cell's buffer by its block size, 128 bytes unless told, each time with a
 * realloc that may copy the whole cell: a cell that swallows the rest of a large sheet (a
 * quote never closed) would be copied about (its size / 128) times. A block holds any cell the
 * sheet allows (csv_max) at once, and such a cell in few steps. */
#define INVENTORY_CSV_BLOCK (64 * 1024)

static int inventory_csv_init(struct csv_parser *p, unsigned char opts)
{
    if (csv_init(p, opts) != 0)
        return -1;
    csv_set_blk_size(p, INVENTORY_CSV_BLOCK);
    return 0;
}

void cfg_inventory_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct csv_ctx c = {0};
    struct csv_parser p;
    const unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    FILE *fp;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int line = 0;
    size_t nerr_before = ld->nerr;

    c.ld = ld;
    c.file = ld->cameras_disp;
    c.bad_utf8 = -1;
    fp = fopen(cfg->cameras_path, "r");
    if (fp == NULL) {
        cfg_ld_err(ld, c.file, 0, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    if ((c.ids_nocase = cfg_names_new_nocase()) == NULL || inventory_csv_init(&p, opts) != 0) {
        cfg_names_free(c.ids_nocase);
        ld->oom = 1;
        fclose(fp);
        return;
    }
    while ((n = getline(&buf, &cap, fp)) >= 0) {
        const char *s = buf;
        size_t len = (size_t)n;

        line++;
        if (line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3; /* Excel's "CSV UTF-8" starts with a BOM */
            len -= 3;
        } else if (line == 1 && len >= 2 &&
                   (memcmp(s, "\xFF\xFE", 2) == 0 || memcmp(s, "\xFE\xFF", 2) == 0)) {
            cfg_ld_err(ld, c.file, 1, NULL,
                       "UTF-16 text (Excel's \"Unicode Text\"): save the sheet as \"CSV UTF-8 "
                       "(Comma delimited)\"");
            c.header_seen = 1; /* said: not "empty file" as well */
            break;
        }
        if (!c.in_record) {
            if (line_is_blank(s, len))
                continue;
            c.in_record = 1;
            c.row_line = line;
        }
        if (csv_parse(&p, s, len, csv_on_field, csv_on_record, &c) != len) {
            if (csv_error(&p) == CSV_ENOMEM || csv_error(&p) == CSV_ETOOBIG) {
                ld->oom = 1;
                break;
            }
            cfg_ld_err(ld, c.file, line, NULL,
                       "bad quoting: a '\"' inside an unquoted field or after a closing quote");
            /* start afresh on the next line */
            csv_free(&p);
            csv_row_clear(&c);
            c.in_record = 0;
            if (inventory_csv_init(&p, opts) != 0) {
                ld->oom = 1;
                break;
            }
        }
    }
    if (ferror(fp)) { /* a folder, an I/O error: not an empty file */
        cfg_ld_err(ld, c.file, line, NULL, "cannot read: %s", strerror(errno));
        c.header_seen = 1;
    } else if (!ld->oom && csv_fini(&p, csv_on_field, csv_on_record, &c) != 0)
        cfg_ld_err(ld, c.file, c.row_line, NULL,
                   "quoted field not closed before the end of the file");
    if (!c.header_seen && !ld->oom)
        cfg_ld_err(ld, c.file, 1, NULL, "empty file: expected the header %s", CFG_CSV_HEADER);
    else if (c.header_ok && c.rows == 0 && ld->nerr == nerr_before && !ld->oom && ld->strict)
        /* As an empty file: a fleet of none is the wrong sheet saved, not a district's
         * inventory. The daemon refuses it (a reload keeps the cameras it watches) and
         * --check-config says so. A reader (the CLI) takes it as it is: a province's conf for
         * `report merge`, or a new site's before `discover` fills it, has no camera rows, and
         * the store a reader shows is what the daemon wrote, which never took this sheet. */
        cfg_ld_err(ld, c.file, 1, NULL,
                   "no cameras: the header and no row under it (was the right sheet saved?); "
                   "each camera is one row");
    csv_free(&p);
    csv_row_clear(&c);
    cfg_names_free(c.ids_nocase);
    free(buf);
    fclose(fp);
}

const struct cfg_camera *cfg_find_camera(const struct cfg *cfg, const char *id)
{
    long i;

    if (cfg->camera_ids != NULL) {
        i = cfg_names_find(cfg->camera_ids, id);
        return i >= 0 ? &cfg->cameras[i] : NULL;
    }
    for (size_t k = 0; k < cfg->n_cameras; k++)
        if (cfg->cameras[k].id != NULL && strcmp(cfg->cameras[k].id, id) == 0)
            return &cfg->cameras[k];
    return NULL;
}

const char *cfg_site_kind_name(enum cfg_site_kind k)
{
    return cw_text_name_at(CW_NAMES(site_kind_names), k, "?");
}

void cfg_camera_free_fields(struct cfg_camera *c)
{
    for (size_t i = 0; i < CAMERA_TEXT_N; i++)
        free(*camera_text_field(c, i));
}

/* Take the cameras about to be dropped off each recorder's list: its entries are the cameras'
 * own id strings (recorder_resolve.c), freed with them. By the pointer, not the text: a row
 * dropped as a duplicate has the id of one kept. */
static void recorders_forget_bad(struct load *ld)
{
    struct cfg *cfg = ld->cfg;

    for (size_t k = 0; k < cfg->n_recorders; k++) {
        struct cfg_recorder *r = &cfg->recorders[k];
        size_t m = 0;
        for (size_t j = 0; j < r->n_cameras; j++) {
            long i = r->cameras[j] != NULL && cfg->camera_ids != NULL
                         ? cfg_names_find(cfg->camera_ids, r->cameras[j])
                         : -1;
            if (i >= 0 && cfg->cameras[i].id == r->cameras[j] && !ld->camera_bad[i])
                r->cameras[m++] = r->cameras[j];
        }
        r->n_cameras = m;
    }
}

void cfg_inventory_drop_bad(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    struct cfg_names *ids = cfg_names_new();
    size_t n = 0;

    if (ids == NULL) {
        ld->oom = 1;
        return;
    }
    recorders_forget_bad(ld);
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        if (ld->camera_bad[i]) {
            cfg_camera_free_fields(&cfg->cameras[i]);
            continue;
        }
        cfg->cameras[n] = cfg->cameras[i];
        if (cfg_names_add(ids, cfg->cameras[n].id, n) != 0)
            ld->oom = 1;
        n++;
    }
    cfg->n_cameras = n;
    cfg_names_free(cfg->camera_ids);
    cfg->camera_ids = ids;
}
