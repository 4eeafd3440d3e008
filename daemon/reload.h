/* reload.h - the outcome of the daemon's last load of its configuration (at start, or SIGHUP):
 * when, whether it took the new files or refused them and kept the old, every problem it
 * found (file, line, field, message; the first RELOAD_PROBLEMS_MAX kept, with a count of the
 * rest), and the files the running configuration was read from, each with its mtime and
 * size as read ("running on cameras.csv as of T"); and a reload prepared but not in force yet,
 * waiting for the store's write lock another program holds (since when, held by whom). The vitals
 * file carries it to `camwatch status` and the API's daemon document (index/doc_daemon.c), /metrics
 * its two gauges. Loop thread only. */
#ifndef CW_RELOAD_H
#define CW_RELOAD_H

#include <jansson.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/err.h"

#define RELOAD_PROBLEMS_MAX                                                                        \
    10 /* problems kept; the rest counted: a sheet of 10,000 bad rows                              \
          is for the journal and --check-config, not a document */
#define RELOAD_TEXT_MAX                                                                            \
    200 /* bytes of each string kept (a path, a message): the record                               \
           fits the vitals file (VITALS_FILE_BYTES) whatever it holds */

struct reload;

/* What /metrics shows of it. */
struct reload_state {
    int ok;        /* the last load took its files */
    int64_t at_ms; /* when it was made */
    int64_t ok_ms; /* when the last that took its files was made */
};

/* An empty record (no load yet), or NULL when out of memory. Free with reload_free. */
struct reload *reload_new(void);
void reload_free(struct reload *r); /* accepts NULL */

/* cfg's files taken at at_ms (borrows cfg for the call): the problems of the last refusal are
 * cleared, the files' mtimes and sizes read now. start: the first load, not a reload. */
void reload_taken(struct reload *r, const struct cfg *cfg, int start, int64_t at_ms);
/* The files at conf_path refused at at_ms for errs' problems (at least one: an empty list
 * counts as one problem "invalid configuration" about conf_path); the running files stay. */
void reload_refused(struct reload *r, const char *conf_path, const struct cw_errlist *errs,
                    int64_t at_ms);
/* A reload prepared at since_ms (wall clock) waits for the store's write lock, held by another
 * program: holder_pid (0: not known), named holder (NULL or "": not known; copied). Said again
 * on each try (the holder may change); shown until the reload's outcome (reload_taken,
 * reload_refused) or reload_pending_end. */
void reload_pending(struct reload *r, int64_t since_ms, long holder_pid, const char *holder);
/* The pending reload dropped without an outcome (a stop, or a newer SIGHUP replacing it). */
void reload_pending_end(struct reload *r);

void reload_get_state(const struct reload *r, struct reload_state *out);
/* When the last load was refused: "last reload REFUSED: FILE:LINE: FIELD: msg (and N more)"
 * into buf (cut to len), returning 1; 0 with buf "" otherwise. For the status line systemd
 * shows (`systemctl status camwatchd`). */
int reload_format_refusal(const struct reload *r, char *buf, size_t len);
/* While a reload is pending (reload_pending): "reload pending since T, waiting for another
 * writer's lock on the store (held by NAME, pid N); the new configuration is not in force yet",
 * worded by doc_daemon_pending as `camwatch status` words it, T local time in zone tz, into
 * buf (cut to len), returning 1; 0 with buf "" otherwise. For systemd's status line too. */
int reload_format_pending(const struct reload *r, const char *tz, char *buf, size_t len);
/* {ok, kind: "start"|"reload", at_ms, ok_ms, problems: [ {file, line, field, message} ] (line
 * and field null when none), more (problems not listed), files: [ {file, mtime_ms, bytes} ]
 * (mtime_ms and bytes null when it could not be read), pending: {since_ms, waiting_for:
 * "store_write_lock", holder: {pid, name (null when not known)} | null} | null}: a new
 * reference, or NULL when out of memory. ok, at_ms and the rest are the last outcome's, which
 * a pending reload does not change. */
json_t *reload_json(const struct reload *r);

#endif
