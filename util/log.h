/* log.h - one line per event on stderr. Under systemd (JOURNAL_STREAM set) each
 * line starts with a <N> priority prefix (sd-daemon(3)). */
#ifndef CW_LOG_H
#define CW_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* ident is printed before each line when not under systemd; max_level drops finer lines. */
void log_init(const char *ident, enum log_level max_level);
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy url into buf with any "user:pass@" removed; returns buf. */
const char *log_redact_url(const char *url, char *buf, size_t len);

#endif
