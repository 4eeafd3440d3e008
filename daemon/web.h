/* web.h - the dashboard's files (web/), built into the daemon by cmake/embed.cmake, which
 * writes web_files[] (web_assets.c in the build folder). Read-only data: any thread. */
#ifndef CW_WEB_H
#define CW_WEB_H

#include <stddef.h>

struct web_file {
    const char *name; /* "index.html", "app.js" */
    const char *type; /* its Content-Type */
    const unsigned char *data;
    size_t len;
    const char *etag; /* a strong ETag, quoted */
};

extern const struct web_file web_files[];
extern const size_t web_n_files;

/* The file called name, or NULL. */
const struct web_file *web_find(const char *name);

#endif
