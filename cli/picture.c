/* picture.c - the camwatch commands over a camera's stream and picture: `samples` (the
 * samples document, index/doc_samples.c), `thumb` (copies the newest thumbnail or ONVIF
 * snapshot to a file, through a mkstemp temporary beside it and a rename) and `reference` (forgets
 * the reference picture through doc_reference_clear, on a read-write store). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cwtime.h"
#include "../util/file.h"
#include "cli.h"
#include "table.h"

#define SAMPLES_DEFAULT_SINCE "-1d"
#define COPY_BUF 65536 /* thumb: bytes per read */

/* ---- samples ---- */

static const char samples_usage[] =
    "usage: camwatch [-c FILE] samples CAMERA [--since TIME] [--json]\n"
    "  A camera's stream samples, oldest first: what each measured (codec, size, frame rate,\n"
    "  bitrate, keyframe interval, mean luma, sharpness) and the faults found. Samples older\n"
    "  than [store] samples_days are folded into one row per hour (\"hourly xN\": the means of\n"
    "  N samples, flags the union).\n"
    "  --since TIME    from TIME (default -1d): YYYY-MM-DD[ HH:MM[:SS]] in the site's zone,\n"
    "                  ISO 8601 with Z or +HH:MM, now, or -7d / -2h / -30m\n"
    "  --json          print a JSON array\n";

static void sample_row(const struct cli *cli, struct cli_table *t, const json_t *v)
{
    char at[64], kind[32], res[32], fps[32], kbps[32], gop[32], luma[32], sharp[32];
    int ok = json_is_true(json_object_get(v, "ok"));
    char *flags = cli_jjoin(v, "flags", ',');
    const char *error = cli_jstr(v, "error", "");
    /* A failed sample's reasons mostly restate its error; an hourly row's error is only its
     * last sample's. */
    const char *why = !ok && error[0] != '\0' ? error : cli_jstr(v, "reasons", "");

    cw_format_local(cli_jint(v, "at_ms"), cli->tz, at, sizeof(at));
    if (json_is_true(json_object_get(v, "hourly")))
        snprintf(kind, sizeof(kind), "hourly x%lld", (long long)cli_jint(v, "count"));
    else
        snprintf(kind, sizeof(kind), "raw");
    cli_jres(v, res, sizeof(res));
    cli_fmt_opt(fps, sizeof(fps), "%.1f", cli_jnum(v, "fps"), ok);
    cli_fmt_opt(kbps, sizeof(kbps), "%.0f", cli_jnum(v, "bitrate_kbps"), ok);
    cli_fmt_opt(gop, sizeof(gop), "%.1f", cli_jnum(v, "gop_s"), ok && cli_jnum(v, "gop_s") > 0);
    cli_fmt_opt(luma, sizeof(luma), "%.0f", cli_jnum(v, "luma_mean"), cli_jhas(v, "luma_mean"));
    cli_fmt_opt(sharp, sizeof(sharp), "%.0f", cli_jnum(v, "sharpness"), cli_jhas(v, "sharpness"));
    cli_table_add(t, at, kind, ok ? "yes" : "no", cli_jstr(v, "codec", "-"), res, fps, kbps, gop,
                  luma, sharp, flags[0] ? flags : "-", why);
    free(flags);
}

static int samples_doc(struct cli *cli, const struct cli_args *a, json_t **out, struct cw_err *err)
{
    const struct doc_camera_query q = {a->argv[0], a->since_ms};

    return doc_view_run(&cli->doc, &doc_view_samples, &q, out, err);
}

static void samples_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    static const char *const heads[] = {"TIME", "KIND",      "OK",    "CODEC",
                                        "RES",  "FPS",       "KBPS",  "GOP S",
                                        "LUMA", "SHARPNESS", "FLAGS", "ERROR/REASONS"};
    struct cli_table t = {.ncols = 12, .heads = heads, .right = "llllrrrrrrll"};
    char since[64];
    const json_t *v;
    size_t i;

    if (json_array_size(doc) == 0) {
        printf("%s: no samples since %s\n", a->argv[0],
               cw_format_local(a->since_ms, cli->tz, since, sizeof(since)));
        return;
    }
    json_array_foreach(doc, i, v) sample_row(cli, &t, v);
    cli_table_print(&t, stdout);
    cli_table_free(&t);
}

#define SAMPLES_OPTS (CLI_OPT_SINCE | CLI_OPT_JSON)
const struct cli_command cli_samples_command = {"samples",
                                                samples_usage,
                                                SAMPLES_OPTS,
                                                1,
                                                "expects one CAMERA",
                                                CLI_OPEN_READONLY,
                                                SAMPLES_DEFAULT_SINCE,
                                                NULL,
                                                samples_doc,
                                                samples_render,
                                                NULL};

/* ---- thumb ---- */

static const char thumb_usage[] =
    "usage: camwatch [-c FILE] thumb CAMERA -o FILE\n"
    "  Write the camera's newest thumbnail: a JPEG of the last keyframe the daemon decoded,\n"
    "  or the camera's ONVIF snapshot when that is newer (fetched when its stream gives no\n"
    "  picture: sampling off, or the camera down).\n"
    "  -o, --output FILE  where to write it; - for standard output (a pipe, not a terminal)\n";

/* Copy fd in to fd out; returns 0, or -1 with errno set and *reading saying which side
 * failed. */
static int copy_fd(int in, int out, int *reading)
{
    char buf[COPY_BUF];
    ssize_t got;

    for (;;) {
        *reading = 1;
        got = read(in, buf, sizeof(buf));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -1 : 0;
        *reading = 0;
        for (ssize_t off = 0; off < got;) {
            ssize_t n = write(out, buf + off, (size_t)(got - off));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -1;
            off += n;
        }
    }
}

/* Copy the thumbnail to path through a temporary beside it and a rename (util/file.h: never
 * through a planted name or link; a path that is a link, FIFO, device or folder is refused);
 * "-" writes to stdout. Returns 0 or the exit code (message printed). */
static int thumb_write(const char *id, const char *thumb, const char *path)
{
    int in = open(thumb, O_RDONLY | O_CLOEXEC), reading = 1, rc = EXIT_RUNTIME;
    struct cw_tmpfile t = {.fd = -1};
    struct cw_err err = {0};
    char msg[1024];

    if (in < 0) {
        if (errno == ENOENT)
            fprintf(stderr,
                    "camwatch: %s: thumbnail %s is gone (the daemon writes a new one "
                    "with the next good sample)\n",
                    id, thumb);
        else
            fprintf(stderr, "camwatch: %s: %s: %s\n", id, thumb, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (strcmp(path, "-") == 0) {
        if (copy_fd(in, STDOUT_FILENO, &reading) != 0)
            fprintf(stderr, "camwatch: %s: %s\n", reading ? thumb : "stdout", strerror(errno));
        else
            rc = 0;
        close(in);
        return rc;
    }
    if (cw_tmpfile_open(&t, path, CW_FILE_MODE, &err) != 0)
        goto fail;
    if (copy_fd(in, t.fd, &reading) != 0) {
        cw_err_set(&err, reading ? thumb : path, 0, NULL, "%s", strerror(errno));
        goto fail;
    }
    if (cw_tmpfile_commit(&t, &err) != 0)
        goto fail;
    close(in);
    return 0;
fail:
    cw_err_format(&err, msg, sizeof(msg));
    fprintf(stderr, "camwatch: %s\n", msg);
    cw_tmpfile_abort(&t);
    close(in);
    return rc;
}

static int thumb_run(struct cli *cli, const struct cli_args *a)
{
    const char *id = a->argv[0];
    char thumb[sizeof(((struct store_status *)0)->thumb_path)];
    struct cw_err err;
    int rc;

    if (a->output == NULL)
        return cli_usage_error(a->cmd, "-o FILE is required (- for standard output)");
    /* JPEG bytes would garble the terminal, as report refuses an XLSX workbook there. */
    if (strcmp(a->output, "-") == 0 && isatty(STDOUT_FILENO))
        return cli_usage_error(a->cmd,
                               "a JPEG goes to a file: give -o FILE.jpg (- only into a pipe)");
    if ((rc = cli_open(cli, STORE_READONLY)) != 0)
        return rc;
    if (doc_picture(&cli->doc, id, thumb, sizeof(thumb), &err) != 0)
        return cli_fail(&err);
    return thumb_write(id, thumb, a->output);
}

/* Opens the store itself, once -o is checked. */
#define THUMB_OPTS (CLI_OPT_OUTPUT)
const struct cli_command cli_thumb_command = {
    "thumb",   thumb_usage, THUMB_OPTS, 1,   "expects one CAMERA", CLI_OPEN_NOTHING, NULL,
    thumb_run, NULL,        NULL,       NULL};

/* ---- reference ---- */

static const char reference_usage[] =
    "usage: camwatch [-c FILE] reference CAMERA [--json]\n"
    "  Forget the camera's reference picture, after a deliberate change (the camera was\n"
    "  re-aimed, the scene rebuilt): the daemon takes its next good picture as the new\n"
    "  reference, and \"moved\" compares against that. Safe while camwatchd runs.\n"
    "  --json          print what was done as a JSON object\n";

static int reference_doc(struct cli *cli, const struct cli_args *a, json_t **out,
                         struct cw_err *err)
{
    return doc_reference_clear(&cli->doc, a->argv[0], out, err);
}

static void reference_render(const struct cli *cli, const struct cli_args *a, const json_t *doc)
{
    const char *id = cli_jstr(doc, "id", "");
    char at[64];

    (void)a;
    if (json_is_true(json_object_get(doc, "cleared")))
        printf("%s: reference picture taken %s cleared; the next good picture becomes the "
               "reference\n",
               id, cli_jtime(cli, doc, "previous", NULL, at, sizeof(at)));
    else
        printf("%s: had no reference picture; the next good picture becomes the reference\n", id);
}

#define REFERENCE_OPTS (CLI_OPT_JSON)
const struct cli_command cli_reference_command = {"reference",
                                                  reference_usage,
                                                  REFERENCE_OPTS,
                                                  1,
                                                  "expects one CAMERA",
                                                  CLI_OPEN_READWRITE,
                                                  NULL,
                                                  NULL,
                                                  reference_doc,
                                                  reference_render,
                                                  NULL};
