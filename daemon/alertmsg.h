/* alertmsg.h - what an alert says. Its document (JSON: the webhook's body, kept with the
 * alert) is made here for a camera's change and for a test (a digest's comes from
 * doc_digest), with a one-line summary in "text"; the e-mail is made from the document: an
 * RFC 5322 message, its UTF-8 text in base64 and its subject and sender's name as RFC 2047
 * encoded words, since names are Vietnamese. No I/O. Times are formatted in the site's zone,
 * which sets TZ: loop thread or CLI. */
#ifndef CW_ALERTMSG_H
#define CW_ALERTMSG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/cfg.h"
#include "../util/state.h"

#define ALERTMSG_LINE_MAX 76 /* a header line with encoded words, and a base64 body line */

/* A camera as an alert names it. Strings borrowed; NULL when not known. */
struct alertmsg_cam {
    const char *id, *name, *owner, *commune, *address, *road;
};

/* A settled change, flapping, or settling after it (struct damp_alert's facts). */
struct alertmsg_change {
    const char *kind; /* "change", "flapping", "settled" */
    enum cw_state from, to;
    int64_t at_ms, since_ms;
    int changes;
    const char *reason; /* of the last change; may be NULL */
};

/* {kind, site, at, at_ms, camera{id, name, owner, owner_name, commune, address, road}, from,
 *  to, since, since_ms, changes, reason, hold_s, text}. New reference; NULL when out of
 * memory. */
json_t *alertmsg_camera_doc(const struct cfg *cfg, const struct alertmsg_cam *cam,
                            const struct alertmsg_change *c);
/* {kind: "test", site, at, at_ms, text}. */
json_t *alertmsg_test_doc(const struct cfg *cfg, int64_t at_ms);
/* A digest: doc_digest's document (its reference taken and returned) with kind, site, at_ms
 * and text added. */
json_t *alertmsg_digest_doc(const struct cfg *cfg, json_t *digest, int64_t at_ms);

/* The summary line of a document (its "text"). Borrowed from doc; "" when none. */
const char *alertmsg_summary(const json_t *doc);

/* The webhook's body: doc with "id": alert_id first, as compact JSON in UTF-8. Caller frees;
 * NULL when out of memory. */
char *alertmsg_webhook_body(const json_t *doc, int64_t alert_id);

/* The whole e-mail of doc (alert alert_id, its delivery delivery_id) from cfg's [alerts] from
 * to its recipients, dated now_ms: CRLF lines, none over 76 bytes but for an address that is
 * longer. Caller frees; NULL when out of memory. */
char *alertmsg_email(const struct cfg *cfg, const json_t *doc, int64_t alert_id,
                     int64_t delivery_id, int64_t now_ms);

/* A header field "Name: value\r\n" into buf: value as is when it is printable ASCII and the
 * line fits ALERTMSG_LINE_MAX, else as RFC 2047 B encoded words of whole UTF-8 characters,
 * folded so no line passes ALERTMSG_LINE_MAX. Returns the length, or -1 when buf is too
 * small. */
int alertmsg_header(const char *name, const char *value, char *buf, size_t len);

#endif
