/* onvif_call.c - the SOAP requests camwatch sends, one per enum onvif_call, and their
 * WS-Security header; see onvif_call.h. Owns only the request text it returns. No globals;
 * any thread.
 *
 * A request (onvif_call_build_request): SOAP 1.2 Envelope -> with a username, a Header with
 * wsse:Security/UsernameToken (Username, PasswordDigest, a fresh Nonce, Created) -> Body
 * with the operation element declaring its WSDL namespace. Created is the caller's
 * created_ms: the probe passes its clock shifted by the device's measured offset, so a
 * camera whose clock is off still finds Created fresh. The password itself is never sent. */
#include "onvif_call.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../util/text.h"
#include "../util/vec.h"
#include "onvif_ns.h"

#define WSSE_PASSWORD_DIGEST                                                                       \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
#define WSSE_BASE64_BINARY                                                                         \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"
#define NONCE_BYTES 16    /* WS-Security nonce; the ONVIF guide's example uses 16 */
#define SHA1_BYTES 20     /* SHA-1 digest */
#define DIGEST_B64_LEN 28 /* base64 of 20 bytes, without the NUL */

/* One request body. The operation element is prefix:op declaring its namespace; with
 * token_tail set, the escaped token (token_what) goes between head and tail. */
struct call_def {
    const char *name;
    const char *op;
    const char *prefix;
    const char *ns;
    bool tt; /* the body uses tt: too */
    const char *head;
    const char *token_tail;
    const char *token_what; /* "profile token" */
};

#define SEARCH_MAX_RESULTS "100"  /* recordings in one GetRecordingSearchResults answer */
#define SEARCH_WAIT "PT5S"        /* how long the device may hold it to gather them */
#define SEARCH_KEEP_ALIVE "PT60S" /* a search session lives this long between our calls */
#define SBUF_FIRST 1024           /* bytes: a request's first allocation */

static const struct call_def calls[ONVIF_CALL_COUNT] = {
    [ONVIF_GET_SYSTEM_DATE_AND_TIME] = {"GetSystemDateAndTime", "GetSystemDateAndTime", "tds",
                                        NS_TDS, false, "", NULL, NULL},
    [ONVIF_GET_DEVICE_INFORMATION] = {"GetDeviceInformation", "GetDeviceInformation", "tds", NS_TDS,
                                      false, "", NULL, NULL},
    [ONVIF_GET_SERVICES] = {"GetServices", "GetServices", "tds", NS_TDS, false,
                            "<tds:IncludeCapability>false</tds:IncludeCapability>", NULL, NULL},
    [ONVIF_GET_CAPABILITIES] = {"GetCapabilities", "GetCapabilities", "tds", NS_TDS, false,
                                "<tds:Category>All</tds:Category>", NULL, NULL},
    [ONVIF_GET_PROFILES] = {"GetProfiles", "GetProfiles", "trt", NS_TRT, false, "", NULL, NULL},
    [ONVIF_GET_STREAM_URI] = {"GetStreamUri", "GetStreamUri", "trt", NS_TRT, true,
                              "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
                              "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"
                              "</trt:StreamSetup><trt:ProfileToken>",
                              "</trt:ProfileToken>", "profile token"},
    [ONVIF_GET_SNAPSHOT_URI] = {"GetSnapshotUri", "GetSnapshotUri", "trt", NS_TRT, false,
                                "<trt:ProfileToken>", "</trt:ProfileToken>", "profile token"},
    [ONVIF_MEDIA2_GET_PROFILES] = {"media2 GetProfiles", "GetProfiles", "tr2", NS_TR2, false,
                                   "<tr2:Type>All</tr2:Type>", NULL, NULL},
    [ONVIF_MEDIA2_GET_STREAM_URI] = {"media2 GetStreamUri", "GetStreamUri", "tr2", NS_TR2, false,
                                     "<tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>",
                                     "</tr2:ProfileToken>", "profile token"},
    [ONVIF_MEDIA2_GET_SNAPSHOT_URI] = {"media2 GetSnapshotUri", "GetSnapshotUri", "tr2", NS_TR2,
                                       false, "<tr2:ProfileToken>", "</tr2:ProfileToken>",
                                       "profile token"},
    [ONVIF_SEARCH_GET_RECORDING_SUMMARY] = {"GetRecordingSummary", "GetRecordingSummary", "tse",
                                            NS_TSE, false, "", NULL, NULL},
    /* An empty Scope: every recording. */
    [ONVIF_SEARCH_FIND_RECORDINGS] = {"FindRecordings", "FindRecordings", "tse", NS_TSE, false,
                                      "<tse:Scope/><tse:KeepAliveTime>" SEARCH_KEEP_ALIVE
                                      "</tse:KeepAliveTime>",
                                      NULL, NULL},
    [ONVIF_SEARCH_GET_RECORDING_SEARCH_RESULTS] =
        {"GetRecordingSearchResults", "GetRecordingSearchResults", "tse", NS_TSE, false,
         "<tse:SearchToken>",
         "</tse:SearchToken><tse:MaxResults>" SEARCH_MAX_RESULTS "</tse:MaxResults>"
         "<tse:WaitTime>" SEARCH_WAIT "</tse:WaitTime>",
         "search token"},
    [ONVIF_SEARCH_END_SEARCH] = {"EndSearch", "EndSearch", "tse", NS_TSE, false,
                                 "<tse:SearchToken>", "</tse:SearchToken>", "search token"},
    [ONVIF_SEARCH_GET_RECORDING_INFORMATION] = {"GetRecordingInformation",
                                                "GetRecordingInformation", "tse", NS_TSE, false,
                                                "<tse:RecordingToken>", "</tse:RecordingToken>",
                                                "recording token"},
};

/* SOAP actions: the WSDL namespace, '/', the operation (ONVIF WSDLs' soapAction). */
static const char *const actions[ONVIF_CALL_COUNT] = {
    [ONVIF_GET_SYSTEM_DATE_AND_TIME] = NS_TDS "/GetSystemDateAndTime",
    [ONVIF_GET_DEVICE_INFORMATION] = NS_TDS "/GetDeviceInformation",
    [ONVIF_GET_SERVICES] = NS_TDS "/GetServices",
    [ONVIF_GET_CAPABILITIES] = NS_TDS "/GetCapabilities",
    [ONVIF_GET_PROFILES] = NS_TRT "/GetProfiles",
    [ONVIF_GET_STREAM_URI] = NS_TRT "/GetStreamUri",
    [ONVIF_GET_SNAPSHOT_URI] = NS_TRT "/GetSnapshotUri",
    [ONVIF_MEDIA2_GET_PROFILES] = NS_TR2 "/GetProfiles",
    [ONVIF_MEDIA2_GET_STREAM_URI] = NS_TR2 "/GetStreamUri",
    [ONVIF_MEDIA2_GET_SNAPSHOT_URI] = NS_TR2 "/GetSnapshotUri",
    [ONVIF_SEARCH_GET_RECORDING_SUMMARY] = NS_TSE "/GetRecordingSummary",
    [ONVIF_SEARCH_FIND_RECORDINGS] = NS_TSE "/FindRecordings",
    [ONVIF_SEARCH_GET_RECORDING_SEARCH_RESULTS] = NS_TSE "/GetRecordingSearchResults",
    [ONVIF_SEARCH_END_SEARCH] = NS_TSE "/EndSearch",
    [ONVIF_SEARCH_GET_RECORDING_INFORMATION] = NS_TSE "/GetRecordingInformation",
};

const char *onvif_call_action(enum onvif_call call)
{
    return (unsigned)call < ONVIF_CALL_COUNT ? actions[call] : "";
}

const char *onvif_call_name(enum onvif_call call)
{
    return (unsigned)call < ONVIF_CALL_COUNT ? calls[call].name : "?";
}

/* A growing string; oom sticks once set, so appends can be chained and checked once. */
struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void sb_add_n(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (cw_vec_reserve(&b->p, b->n + n + 1, &b->cap, 1, SBUF_FIRST) != 0) {
        b->oom = true;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
    sb_add_n(b, s, strlen(s));
}

/* Append printf-formatted text; the arguments are our own names, never input (input goes
 * through sb_add_escaped). */
static void sb_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_addf(struct sbuf *b, const char *fmt, ...)
{
    char small[256], *p = small;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n >= sizeof(small)) {
        if ((p = malloc((size_t)n + 1)) == NULL) {
            b->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb_add_n(b, p, (size_t)n);
    if (p != small)
        free(p);
}

/* Append s as XML character data. */
static void sb_add_escaped(struct sbuf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        const char *e = *s == '\'' ? "&apos;" : cw_text_xml_entity(*s);
        if (e != NULL)
            sb_add(b, e);
        else
            sb_add_n(b, s, 1);
    }
}

/* XML 1.0 has no escape for control characters other than tab, LF and CR. */
static int check_text(const char *s, const char *what, struct cw_err *err)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return cw_err_set(err, NULL, 0, NULL, "%s: control character 0x%02x", what, c);
    }
    return 0;
}

int onvif_call_password_digest(const unsigned char *nonce, size_t nonce_len, const char *created,
                               const char *password, char *out, size_t out_len)
{
    unsigned char sha[SHA1_BYTES];
    unsigned int sha_len = 0;
    EVP_MD_CTX *md;
    int ok;

    if (out_len < DIGEST_B64_LEN + 1)
        return -1;
    md = EVP_MD_CTX_new();
    if (md == NULL)
        return -1;
    ok = EVP_DigestInit_ex(md, EVP_sha1(), NULL) && EVP_DigestUpdate(md, nonce, nonce_len) &&
         EVP_DigestUpdate(md, created, strlen(created)) &&
         EVP_DigestUpdate(md, password, strlen(password)) &&
         EVP_DigestFinal_ex(md, sha, &sha_len) && sha_len == SHA1_BYTES;
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, sha, SHA1_BYTES);
    return 0;
}

/* created_ms as "YYYY-MM-DDThh:mm:ssZ" (milliseconds dropped, rounding down). */
static int format_created(int64_t created_ms, char *out, size_t len)
{
    int64_t s = created_ms / 1000 - (created_ms % 1000 < 0);
    time_t t = (time_t)s;
    struct tm tm;
    int n;

    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    n = snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The WS-Security header: UsernameToken with PasswordDigest (OASIS UsernameToken Profile
 * 1.0, 3.1), a fresh nonce, and Created. */
static int security_header(struct sbuf *b, const char *username, const char *password,
                           int64_t created_ms, struct cw_err *err)
{
    unsigned char nonce[NONCE_BYTES];
    char nonce64[4 * ((NONCE_BYTES + 2) / 3) + 1], created[32], digest[DIGEST_B64_LEN + 1];

    if (RAND_bytes(nonce, sizeof(nonce)) != 1)
        return cw_err_set(err, NULL, 0, NULL, "no random bytes for the WS-Security nonce");
    if (format_created(created_ms, created, sizeof(created)) != 0)
        return cw_err_set(err, NULL, 0, NULL, "created time out of range");
    if (onvif_call_password_digest(nonce, sizeof(nonce), created, password, digest, sizeof(digest)))
        return cw_err_set(err, NULL, 0, NULL, "SHA-1 failed");
    EVP_EncodeBlock((unsigned char *)nonce64, nonce, sizeof(nonce));
    sb_add(b, "<s:Header><wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"" NS_WSSE
              "\" xmlns:wsu=\"" NS_WSU "\"><wsse:UsernameToken><wsse:Username>");
    sb_add_escaped(b, username);
    sb_addf(b,
            "</wsse:Username><wsse:Password Type=\"" WSSE_PASSWORD_DIGEST "\">%s</wsse:Password>"
            "<wsse:Nonce EncodingType=\"" WSSE_BASE64_BINARY "\">%s</wsse:Nonce>"
            "<wsu:Created>%s</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>",
            digest, nonce64, created);
    return 0;
}

static void request_body(struct sbuf *b, const struct call_def *c, const char *token)
{
    sb_addf(b, "<s:Body><%s:%s xmlns:%s=\"%s\"%s>%s", c->prefix, c->op, c->prefix, c->ns,
            c->tt ? " xmlns:tt=\"" NS_TT "\"" : "", c->head);
    if (c->token_tail != NULL) {
        sb_add_escaped(b, token);
        sb_add(b, c->token_tail);
    }
    sb_addf(b, "</%s:%s></s:Body>", c->prefix, c->op);
}

static int request_check(enum onvif_call call, const char *token, const char *username,
                         const char *password, struct cw_err *err)
{
    if ((unsigned)call >= ONVIF_CALL_COUNT)
        return cw_err_set(err, NULL, 0, NULL, "unknown ONVIF call %d", (int)call);
    if (calls[call].token_tail != NULL && (token == NULL || token[0] == '\0'))
        return cw_err_set(err, NULL, 0, NULL, "%s: no %s", calls[call].name,
                          calls[call].token_what);
    if (calls[call].token_tail != NULL && check_text(token, calls[call].token_what, err) != 0)
        return -1;
    if (username != NULL && check_text(username, "username", err) != 0)
        return -1;
    (void)password; /* only its digest is sent */
    return 0;
}

int onvif_call_build_request(enum onvif_call call, const char *token, const char *username,
                             const char *password, int64_t created_ms, char **out,
                             struct cw_err *err)
{
    struct sbuf b = {0};

    *out = NULL;
    if (request_check(call, token, username, password, err) != 0)
        return -1;
    sb_add(&b,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"" NS_SOAP12 "\">");
    if (username != NULL &&
        security_header(&b, username, password ? password : "", created_ms, err) != 0)
        goto fail;
    request_body(&b, &calls[call], token);
    sb_add(&b, "</s:Envelope>\n");
    if (b.oom) {
        cw_err_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    *out = b.p;
    return 0;
fail:
    free(b.p);
    return -1;
}
