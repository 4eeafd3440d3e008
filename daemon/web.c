/* web.c - finding one of the dashboard's built-in files by name (web.h). */
#include "web.h"

#include <string.h>

const struct web_file *web_find(const char *name)
{
    for (size_t i = 0; i < web_n_files; i++)
        if (strcmp(web_files[i].name, name) == 0)
            return &web_files[i];
    return NULL;
}
