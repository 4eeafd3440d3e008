/* cli.h - what the camwatch command's files share: the command's context, aligned
 * tables, JSON output, opening the conf and store, and usage errors. Defined in
 * camwatch.c; the commands of camwatch_device.c and camwatch_discover.c use them. One
 * thread. */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "../config/cfg.h"
#include "../index/store.h"
#include "../util/err.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct cli {
    const char *conf_path;
    struct cfg *cfg;
    struct store *store;
    const char *tz; /* borrowed from cfg */
};

/* Rows of strings printed with columns aligned by display width. */
struct table {
    int ncols;
    const char *const *heads;
    const char *right; /* per column: 'r' right-aligned, else left */
    char **cells;      /* nrows * ncols, owned */
    size_t nrows, cap;
};

void die_oom(void);
char *xstrdup(const char *s);         /* "" for NULL; exits when out of memory */
void table_add(struct table *t, ...); /* ncols strings, copied */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);
/* Print j (its reference is taken) to stdout; returns 0 or EXIT_RUNTIME. */
int print_json(json_t *j);
void usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Load the conf alone (commands that need no store). Returns 0, or the exit code to leave
 * with. */
int cli_open_config(struct cli *cli);
/* Load the conf and open the store. Returns 0, or the exit code to leave with. */
int cli_open(struct cli *cli, enum store_mode mode);
/* Print the store's error; returns EXIT_RUNTIME. */
int store_failed(const struct cw_err *err);
/* 0 when the camera exists (st filled), else the exit code (the error printed). */
int require_camera(struct cli *cli, const char *id, struct store_status *st);
json_t *json_str_or_null(const char *s);
/* A list of items separated by sep as a JSON array of strings; [] for "". */
json_t *json_split(const char *list, char sep);
json_t *json_iso_or_null(const struct cli *cli, int64_t ms); /* null for 0 */
/* A table cell: v printed with fmt, or "-" when not known. */
const char *fmt_opt(char *buf, size_t len, const char *fmt, double v, int known);
/* Before getopt_long over a command's own argv. */
void reset_getopt(void);

/* camwatch_device.c */
extern const char device_usage[], clock_usage[];
int cmd_device(struct cli *cli, int argc, char **argv);
int cmd_clock(struct cli *cli, int argc, char **argv);

/* camwatch_discover.c */
extern const char discover_usage[];
int cmd_discover(struct cli *cli, int argc, char **argv);

#endif
