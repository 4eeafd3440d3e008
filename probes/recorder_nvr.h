/* recorder_nvr.h - the NVRs' own HTTP APIs, as their published documents describe them: the
 * requests camwatch sends and the readers of their answers. Hikvision ISAPI: POST
 * /ISAPI/ContentMgmt/search with a CMSearchDescription, a CMSearchResult back (XML, a page of
 * matches at a time). Dahua: /cgi-bin/mediaFileFind.cgi (factory.create, findFile,
 * findNextFile, close, destroy), answers in "key=value" lines. No I/O; any thread. The
 * conversations are recorder_isapi.c and recorder_dahua.c.
 *
 * Both answer in the recorder's wall-clock time: Dahua without a zone; Hikvision with a "Z"
 * that, on the firmware its documents describe, still means the recorder's local time (an
 * explicit offset such as "+07:00" is taken as written). So times are read in the recorder's
 * time_zone. */
#ifndef CW_RECORDER_NVR_H
#define CW_RECORDER_NVR_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "../util/zone.h"
#include "recorder_remote.h"

#define ISAPI_PAGE_MAX 40 /* maxResults asked: the documents' example and devices' limit */

/* A page of a CMSearchResult. */
struct isapi_page {
    int more;         /* responseStatusStrg MORE: ask again from position + n_matches */
    size_t n_matches; /* numOfMatches as said */
    size_t n;         /* matches read into the caller's items */
};

/* A channel-map token as a channel or track number: a positive decimal of at most 5 digits
 * without leading zeros; -1 when it is not one. */
int rec_channel_number(const char *token);

/* The track a channel-map token names: "101" (a track id, 3 digits or more) as it is, "1" (a
 * channel) its main stream's track, 101. -1 when the token is no positive number. */
int isapi_track_of(const char *token);

/* A CMSearchDescription (malloc'd into *out, caller frees) asking for track's recordings
 * between from_ms and to_ms (written as the zone's wall time), max of them from position. */
int isapi_build_search(const char *search_id, int track, int64_t from_ms, int64_t to_ms,
                       const struct cw_zone *zone, size_t position, size_t max, char **out,
                       struct cw_err *err);

/* Read a CMSearchResult of len bytes (any namespace: devices use Hikvision's, isapi.org's or
 * PSIA's): at most cap matches into items, each with id "TRACK/NAME" (the playbackURI's name,
 * else its start time), tokens "TRACK" and its channel, its times and bytes (the playbackURI's
 * size). A match without a readable time span is refused with its number. A ResponseStatus
 * (the device's error document) is an error with its statusString and subStatusCode. Returns
 * 0 with *page, or -1 with err ("CMSearchResult: match 3: startTime 'x' is not a date and
 * time"). */
int isapi_parse_search(const char *buf, size_t len, const struct cw_zone *zone,
                       struct rec_item *items, size_t cap, struct isapi_page *page,
                       struct cw_err *err);

/* Dahua's answers. */
#define DAHUA_PAGE_MAX 100 /* count asked of findNextFile */

/* "result=08137": the finder's object id into obj. An "Error" answer is an error with the
 * device's reason. */
int dahua_parse_object(const char *buf, size_t len, char *obj, size_t size, struct cw_err *err);

/* "OK" (findFile, close, destroy): 0, else -1 with what it said. */
int dahua_parse_ok(const char *buf, size_t len, struct cw_err *err);

/* A findNextFile answer: "found=N" then items[i].Channel, StartTime, EndTime, FilePath,
 * Length, Type lines. At most cap items (index i < cap), each with id its FilePath, token 0
 * the channel as listed, times read in zone. Files whose Type is not dav (pictures) are left
 * out. *found is N (0: the search is over). Returns 0, or -1 with err naming the line
 * ("line 4: items[0].StartTime '2026-13-01 00:00:00' is not a date and time"). */
int dahua_parse_files(const char *buf, size_t len, const struct cw_zone *zone,
                      struct rec_item *items, size_t cap, size_t *n, size_t *found,
                      struct cw_err *err);

#endif
