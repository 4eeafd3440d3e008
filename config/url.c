/* url.c - camera URLs checked with libcurl's URL API (CURLU), so the config accepts what the
 * probes can use; a few checks of our own come first for clearer messages, or refuse what
 * libcurl would take but no camera means (an empty host before a path, port 0). No state. */
#include "url.h"

#include <curl/curl.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define USERINFO_MSG                                                                               \
    "user:password inside the URL; put them in the credentials file and name its section in "      \
    "the credential column"

/* The checks libcurl would make with a vaguer message: NULL, or the message. */
static const char *url_text_fault(const char *url, const char *const *schemes, const char *kind,
                                  char *buf, size_t len)
{
    const char *p, *sep = strstr(url, "://");
    size_t n;

    if (strlen(url) > CFG_URL_MAX) {
        snprintf(buf, len, "longer than %d bytes", CFG_URL_MAX);
        return buf;
    }
    for (p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return "spaces or control characters in the URL";
    if (sep == NULL || sep == url || !isalpha((unsigned char)url[0]))
        return "missing scheme";
    for (p = url; p < sep; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return "missing scheme";
    n = (size_t)(sep - url);
    for (; *schemes; schemes++)
        if (strlen(*schemes) == n && strncasecmp(url, *schemes, n) == 0)
            break;
    if (*schemes == NULL) {
        snprintf(buf, len, "not an %s URL", kind);
        return buf;
    }
    /* libcurl reads "rtsp:///live" as the host "live" */
    if (strchr("/?#", sep[3]) != NULL)
        return "no host";
    return NULL;
}

static const char *curl_fault(CURLUcode rc, char *buf, size_t len)
{
    switch (rc) {
    case CURLUE_OK:
        return NULL;
    case CURLUE_NO_HOST:
        return "no host";
    case CURLUE_BAD_PORT_NUMBER:
        return "bad port (1-65535)";
    case CURLUE_BAD_LOGIN:
    case CURLUE_BAD_USER:
    case CURLUE_BAD_PASSWORD:
        return USERINFO_MSG;
    case CURLUE_OUT_OF_MEMORY:
        return "out of memory";
    default:
        snprintf(buf, len, "not a URL libcurl can use (%s)", curl_url_strerror(rc));
        return buf;
    }
}

const char *cfg_url_fault(const char *url, const char *const *schemes, const char *kind, char *buf,
                          size_t len)
{
    const char *why = url_text_fault(url, schemes, kind, buf, len);
    CURLU *u;
    char *part = NULL;

    if (why != NULL)
        return why;
    if ((u = curl_url()) == NULL)
        return "out of memory";
    why = curl_fault(curl_url_set(u, CURLUPART_URL, url, 0), buf, len);
    if (why == NULL && (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
                        curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK))
        why = USERINFO_MSG;
    curl_free(part);
    part = NULL;
    if (why == NULL && curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK &&
        strcmp(part, "0") == 0)
        why = "bad port (1-65535)";
    curl_free(part);
    curl_url_cleanup(u);
    return why;
}
