/* onvif_http.c - service addresses and web-page answers, shared by the ONVIF probe and the
 * blocking ONVIF session (onvif_http.h). libcurl's URL API parses; nothing is sent. Any
 * thread. */
#include "onvif_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The port of a URL as a number, the scheme's default when absent; -1 when it does not
 * parse. */
static long url_port(const char *url)
{
    CURLU *u = curl_url();
    char *port = NULL;
    long v = -1;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        v = strtol(port, NULL, 10);
    curl_free(port);
    curl_url_cleanup(u);
    return v;
}

int onvif_http_service_url(const char *device_url, const char *own, const char *xaddr, char *buf,
                           size_t len)
{
    CURLU *dev = curl_url(), *svc = curl_url();
    char *path = NULL, *query = NULL, *scheme = NULL, *port = NULL, *out = NULL;
    int rc = -1;

    if (dev == NULL || svc == NULL ||
        curl_url_set(dev, CURLUPART_URL, device_url, 0) != CURLUE_OK ||
        curl_url_set(svc, CURLUPART_URL, xaddr, 0) != CURLUE_OK ||
        curl_url_get(svc, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        goto done;
    (void)curl_url_get(svc, CURLUPART_QUERY, &query, 0);
    if (own[0] != '\0' && url_port(own) != url_port(xaddr) &&
        (curl_url_get(svc, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
         curl_url_get(svc, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
         curl_url_set(dev, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
         curl_url_set(dev, CURLUPART_PORT, port, 0) != CURLUE_OK))
        goto done;
    if (curl_url_set(dev, CURLUPART_PATH, path, 0) == CURLUE_OK &&
        curl_url_set(dev, CURLUPART_QUERY, query, 0) == CURLUE_OK &&
        curl_url_get(dev, CURLUPART_URL, &out, 0) == CURLUE_OK &&
        snprintf(buf, len, "%s", out) < (int)len)
        rc = 0;
done:
    curl_free(path);
    curl_free(query);
    curl_free(scheme);
    curl_free(port);
    curl_free(out);
    curl_url_cleanup(dev);
    curl_url_cleanup(svc);
    return rc;
}

int onvif_http_is_html(const char *content_type, const char *body, size_t len)
{
    size_t i = 0;

    if (content_type != NULL && strstr(content_type, "html") != NULL)
        return 1;
    if (body == NULL)
        return 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    return len - i >= 5 && (strncasecmp(body + i, "<html", 5) == 0 ||
                            (len - i >= 14 && strncasecmp(body + i, "<!doctype html", 14) == 0));
}
