/* log.c - stderr logging with journald priority prefixes. Process-wide
 * settings are written once by log_init() before any thread starts. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    const char *ident;
    enum log_level max;
    int journal;
} log_conf = {"camwatch", LOG_LVL_INFO, 0};

void log_init(const char *ident, enum log_level max_level)
{
    log_conf.ident = ident;
    log_conf.max = max_level;
    log_conf.journal = getenv("JOURNAL_STREAM") != NULL;
}

static void log_vline(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
    char msg[1024];
    int saved = errno;

    if (lvl > log_conf.max)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (log_conf.journal)
        fprintf(stderr, "<%d>%s%s%s\n", (int)lvl, msg, with_errno ? ": " : "",
                with_errno ? strerror(saved) : "");
    else
        fprintf(stderr, "%s: %s%s%s\n", log_conf.ident, msg, with_errno ? ": " : "",
                with_errno ? strerror(saved) : "");
    errno = saved;
}

#define LOG_FN(name, lvl, with_errno)                                                              \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        log_vline(lvl, with_errno, fmt, ap);                                                       \
        va_end(ap);                                                                                \
    }

LOG_FN(log_errx, LOG_LVL_ERR, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

const char *log_redact_url(const char *url, char *buf, size_t len)
{
    const char *sep = strstr(url, "://");
    const char *auth = sep != NULL ? sep + 3 : url;
    size_t auth_len = strcspn(auth, "/?#"), head, tail;
    const char *at = NULL;

    /* The last '@' of the authority: a password with an '@' in it is still all removed. */
    for (const char *p = auth; p < auth + auth_len; p++)
        if (*p == '@')
            at = p;
    if (len == 0)
        return buf;
    head = at != NULL ? (size_t)(auth - url) : strlen(url);
    if (head > len - 1)
        head = len - 1;
    memmove(buf, url, head); /* buf may be url itself */
    tail = 0;
    if (at != NULL && head < len - 1) {
        tail = strlen(at + 1);
        if (tail > len - 1 - head)
            tail = len - 1 - head;
        memmove(buf + head, at + 1, tail);
    }
    buf[head + tail] = '\0';
    return buf;
}
