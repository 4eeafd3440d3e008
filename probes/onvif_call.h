/* onvif_call.h - the ONVIF SOAP requests camwatch sends, as pure functions on memory: SOAP
 * 1.2 envelopes, one per call, with a WS-Security UsernameToken (PasswordDigest) when there
 * is a username; each call's SOAP action and name. No I/O: probes/onvif.c moves the bytes and
 * onvif_parse.h reads the answers. Any thread. */
#ifndef CW_ONVIF_CALL_H
#define CW_ONVIF_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* The requests camwatch sends. Device-service calls go to the device URL; media calls to the
 * media (ver10) endpoint, media2 calls to the media2 (ver20) endpoint. */
enum onvif_call {
    ONVIF_GET_SYSTEM_DATE_AND_TIME,
    ONVIF_GET_DEVICE_INFORMATION,
    ONVIF_GET_SERVICES,
    ONVIF_GET_CAPABILITIES,
    ONVIF_GET_PROFILES,          /* media ver10 */
    ONVIF_GET_STREAM_URI,        /* media ver10: RTP-Unicast over RTSP */
    ONVIF_GET_SNAPSHOT_URI,      /* media ver10 */
    ONVIF_MEDIA2_GET_PROFILES,   /* media2, Type=All so the encoder configuration comes along */
    ONVIF_MEDIA2_GET_STREAM_URI, /* media2, Protocol=RTSP */
    ONVIF_MEDIA2_GET_SNAPSHOT_URI,
    /* The Recording Search service of a recorder (ver10/search/wsdl). */
    ONVIF_SEARCH_GET_RECORDING_SUMMARY,
    ONVIF_SEARCH_FIND_RECORDINGS,              /* every recording, kept alive 60 s */
    ONVIF_SEARCH_GET_RECORDING_SEARCH_RESULTS, /* token: the search's; 100 at most, wait 5 s */
    ONVIF_SEARCH_END_SEARCH,                   /* token: the search's */
    ONVIF_SEARCH_GET_RECORDING_INFORMATION,    /* token: the recording's */
    ONVIF_CALL_COUNT
};

/* Build the SOAP 1.2 request for call. token is the profile token for the StreamUri and
 * SnapshotUri calls, the search token or the recording token for the search calls that name
 * one (XML-escaped here), ignored otherwise. With username non-NULL a
 * WS-Security header carries a UsernameToken: a fresh 16-byte random nonce, Created =
 * created_ms formatted as UTC "YYYY-MM-DDThh:mm:ssZ", PasswordDigest of the three. Refused:
 * an unknown call, a token call without a token, a control character in the token or the
 * username. Returns 0 with *out (malloc'd NUL-terminated, caller frees) or -1. */
int onvif_call_build_request(enum onvif_call call, const char *token, const char *username,
                             const char *password, int64_t created_ms, char **out,
                             struct cw_err *err);
/* The SOAP action URI of call, for the Content-Type's action parameter; "" for no call. */
const char *onvif_call_action(enum onvif_call call);
/* "GetSystemDateAndTime", "GetProfiles", ... (media2 calls as "media2 GetProfiles"). */
const char *onvif_call_name(enum onvif_call call);

/* WS-Security PasswordDigest = Base64(SHA1(nonce + created + password)) into out (at least 29
 * bytes). Returns 0, -1 when out is too small or SHA-1 fails. */
int onvif_call_password_digest(const unsigned char *nonce, size_t nonce_len, const char *created,
                               const char *password, char *out, size_t out_len);

#endif
