/* footage_words.c - what the footage index cannot say of a camera, in words (footage.h:
 * footage_index_words): one sentence for the CLI's footage answer and for an export's notes,
 * manifests and summary, so that no two places word it differently. Pure, any thread. */
#include <stdio.h>
#include <string.h>

#include "footage.h"

#define WORDS_ERROR_MAX 200 /* bytes of a scan's error quoted: the sentence ends after it */

static const char *or_dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

/* Whether the index's end is the good scan's own time (as the caller writes both), not the end
 * of newer footage the scan found. */
static int until_is_scan(const char *until, const char *scan)
{
    return until == NULL || scan == NULL || strcmp(until, scan) == 0;
}

void footage_index_words(const struct footage_index_said *w, char *buf, size_t len)
{
    const char *r = w->recorder != NULL ? w->recorder : "", *t = or_dash(w->known_until);
    char failed[WORDS_ERROR_MAX + 96] = "";
    const char *good = w->index == FOOTAGE_SCAN_FAILED ? w->ok_at : w->scanned_at;

    if (w->index == FOOTAGE_NO_RECORDER) {
        snprintf(buf, len, "not indexed: no recorder configured for this camera");
        return;
    }
    if (w->index == FOOTAGE_REMOVED) {
        snprintf(buf, len, "not indexed: recorder %s is no longer configured (last scanned %s)", r,
                 or_dash(w->scanned_at));
        return;
    }
    if (w->index == FOOTAGE_NOT_CONFIGURED) {
        snprintf(buf, len, "not indexed: recorder %s is not configured (no [recorder %s] section)",
                 r, r);
        return;
    }
    if (w->index != FOOTAGE_SCANNED && w->index != FOOTAGE_SCAN_FAILED) {
        if (w->scanned_at == NULL)
            snprintf(buf, len, "not indexed: recorder %s never scanned", r);
        else
            snprintf(buf, len,
                     "not indexed: recorder %s never scanned without error (last try %s: %.*s)", r,
                     w->scanned_at, WORDS_ERROR_MAX, or_dash(w->error));
        return;
    }
    if (w->index == FOOTAGE_SCAN_FAILED)
        snprintf(failed, sizeof(failed), "'s last scan failed (%s: %.*s);", or_dash(w->scanned_at),
                 WORDS_ERROR_MAX, or_dash(w->error));
    if (until_is_scan(w->known_until, good))
        snprintf(buf, len, "not indexed after %s: recorder %s%s not scanned%s since", t, r, failed,
                 failed[0] != '\0' ? " without error" : "");
    else if (failed[0] != '\0')
        snprintf(buf, len,
                 "not indexed after %s: recorder %s%s its last good scan (%s) found its footage up "
                 "to then",
                 t, r, failed, or_dash(good));
    else
        snprintf(buf, len,
                 "not indexed after %s: recorder %s's last scan (%s) found its footage up to then",
                 t, r, or_dash(good));
}

enum footage_index footage_index_named(const char *name)
{
    static const enum footage_index all[] = {FOOTAGE_NO_RECORDER, FOOTAGE_NEVER_SCANNED,
                                             FOOTAGE_SCAN_FAILED, FOOTAGE_SCANNED,
                                             FOOTAGE_REMOVED,     FOOTAGE_NOT_CONFIGURED};

    for (size_t i = 0; name != NULL && i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(name, footage_index_name(all[i])) == 0)
            return all[i];
    return FOOTAGE_NEVER_SCANNED;
}
