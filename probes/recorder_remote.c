/* recorder_remote.c - a network recorder's listing against what the store knows of it
 * (recorder_remote.h): each listed recording or file is a segment of the camera its tokens
 * name, written again each scan (its times move as it records and overwrites), and a known one
 * the recorder no longer lists is gone. Owns, for one scan, the listing. A worker thread or
 * the CLI. */
#include "recorder_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *camera_of_item(const struct rec_remote_source *src, const struct rec_item *it)
{
    for (int i = 0; i < REC_ITEM_TOKENS; i++) {
        const char *id;
        if (it->tokens[i][0] != '\0' && (id = src->camera_of(src->camera_data, it->tokens[i])))
            return id;
    }
    return NULL;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct rec_item *)a)->id, ((const struct rec_item *)b)->id);
}

static const char *const kind_names[] = {"ONVIF", "ISAPI", "Dahua"};

/* The listing against the store's files of folder "", both sorted by id. */
static int compare(const struct rec_remote_source *src, struct rec_listing *l,
                   const struct rec_known *known, struct rec_result *res, struct cw_err *err)
{
    struct rec_known_file *kf = NULL;
    size_t nk = 0, k = 0;
    struct segment_info info = {.readable = 1};

    if (known->files(known->data, "", &kf, &nk) != 0)
        return cw_err_set(err, NULL, 0, NULL, "recorder %s: reading its files from the store",
                          src->name);
    if (l->n > 1) /* an empty listing has no array */
        qsort(l->items, l->n, sizeof(*l->items), by_id);
    for (size_t i = 0; i < l->n; i++) {
        const struct rec_item *it = &l->items[i];
        const char *camera = camera_of_item(src, it);
        while (k < nk && strcmp(kf[k].file, it->id) < 0)
            if (rec_add_gone(res, "", kf[k++].file, 0) != 0)
                goto oom;
        if (k < nk && strcmp(kf[k].file, it->id) == 0)
            k++;
        if (camera == NULL) {
            res->unmapped++;
            continue;
        }
        res->files_seen++;
        snprintf(info.container, sizeof(info.container), "%s", kind_names[src->kind]);
        info.duration_ms = it->end_ms - it->start_ms;
        if (rec_add_found(res, "", it->id, camera, it->start_ms, it->end_ms, it->bytes,
                          it->end_ms * 1000000, &info) != 0)
            goto oom;
    }
    while (k < nk)
        if (rec_add_gone(res, "", kf[k++].file, 0) != 0)
            goto oom;
    free(kf);
    return 0;
oom:
    free(kf);
    return cw_err_set(err, NULL, 0, NULL, "recorder %s: out of memory", src->name);
}

int rec_remote_scan(const struct rec_remote_source *src, const struct rec_known *known,
                    struct rec_result **out, struct cw_err *err)
{
    struct rec_listing l = {0};
    struct rec_result *res = NULL;
    struct cw_err kerr;
    int rc;

    *out = NULL;
    switch (src->kind) {
    case REC_REMOTE_ONVIF:
        rc = rec_onvif_list(src, &l, &kerr);
        break;
    case REC_REMOTE_HIKVISION:
        rc = rec_isapi_list(src, &l, &kerr);
        break;
    default:
        rc = rec_dahua_list(src, &l, &kerr);
    }
    if (rc != 0) {
        rec_listing_free(&l);
        return cw_err_set(err, NULL, 0, NULL, "recorder %s: %s", src->name, kerr.msg);
    }
    if ((res = rec_result_new()) == NULL || compare(src, &l, known, res, err) != 0) {
        if (res == NULL)
            cw_err_set(err, NULL, 0, NULL, "recorder %s: out of memory", src->name);
        rec_result_free(res);
        rec_listing_free(&l);
        return -1;
    }
    rec_listing_free(&l);
    *out = res;
    return 0;
}
