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

/* The one function that strips credentials from a URL, wherever one is shown, stored or
 * logged: url into buf (len bytes, cut to fit) with "user:password@" removed from its
 * authority (between "scheme://" or the start, and the first '/', '?' or '#'), up to the
 * authority's last '@'. Nothing else changes, and a URL that does not parse is still
 * stripped. buf may be url itself. Returns buf. */
const char *log_redact_url(const char *url, char *buf, size_t len);

#endif
