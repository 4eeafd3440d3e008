/* recorder_listing.c - what the network kinds of recorder share (recorder_remote.h,
 * recorder_nvr.h): the listing a kind fills, and a channel-map token read as a channel number.
 * Owns a listing's items until rec_listing_free. Any thread. */
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "recorder_nvr.h"
#include "recorder_remote.h"

int rec_listing_add(struct rec_listing *l, const struct rec_item *it)
{
    if (cw_vec_grow(&l->items, l->n, &l->cap, sizeof(*l->items), 32) != 0)
        return -1;
    l->items[l->n++] = *it;
    return 0;
}

size_t rec_url_base_len(const char *url)
{
    size_t n = strlen(url);

    while (n > 0 && url[n - 1] == '/')
        n--;
    return n;
}

void rec_listing_free(struct rec_listing *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

int rec_channel_number(const char *token)
{
    size_t n = token != NULL ? strspn(token, "0123456789") : 0;

    if (n == 0 || n > 5 || token[n] != '\0' || token[0] == '0')
        return -1;
    return atoi(token);
}
