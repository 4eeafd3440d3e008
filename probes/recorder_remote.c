/* recorder_remote.c - a network recorder's listing against what the store knows of it
 * (recorder_remote.h): each listed recording or file is a segment of the camera its tokens
 * name, put again each scan (its times move as it records and overwrites; the store keeps
 * the scan that indexed it while it reaches no further for that camera, and writes only what
 * changed: store_segment_put), and a known one the recorder no longer lists is gone. A known
 * one listed within the span it was indexed with keeps the camera it was indexed for, whatever
 * the sheet names now (recorder.h), and the ISAPI and Dahua kinds are asked about the channels
 * of the files it knows too (an ISAPI id says its track; a Dahua file path does not, so the
 * store keeps the channel it was listed on). Owns, for one scan, the listing. A worker thread
 * or the CLI. */
#include "recorder_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder_nvr.h"

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

/* A file the store knows is gone, and its camera's summary is to be brought up to date. */
static int forget(struct rec_result *res, const struct rec_known_file *kf)
{
    if (rec_add_gone(res, "", kf->file, 0) != 0)
        return -1;
    return rec_note_camera(res, kf->camera_id);
}

/* Whether a listed item the store knows as was, whose tokens now name camera (NULL: none), keeps
 * the camera it was indexed for (recorder.h), and what of it to write into *put (the listing's
 * item on entry): listed within the span it was indexed with (the recorder may have overwritten
 * its start since), or, named by no camera now, the part of that span it still holds (it grew
 * since: a recording the sheet gives to no one still holds the old camera's footage). One that
 * grew and that the sheet gives to another camera is that camera's now: one item cannot be
 * two cameras' (a recording of an ONVIF recorder's channel given to a new camera). */
static int kept_as_indexed(const struct rec_known_file *was, const char *camera,
                           struct rec_item *put)
{
    if (camera != NULL && strcmp(was->camera_id, camera) == 0)
        return 0;
    if (put->start_ms >= was->start_ms && put->end_ms <= was->end_ms)
        return 1;
    if (camera != NULL || put->start_ms >= was->end_ms)
        return 0;
    if (put->start_ms < was->start_ms)
        put->start_ms = was->start_ms;
    put->end_ms = was->end_ms;
    put->bytes = was->bytes;
    return 1;
}

/* The listing against the store's files of folder "", both sorted by id. */
static int compare(const struct rec_remote_source *src, struct rec_listing *l,
                   const struct rec_known_file *kf, size_t nk, struct rec_result *res,
                   struct cw_err *err)
{
    size_t k = 0;
    struct segment_info info = {.readable = 1};

    if (l->n > 1) /* an empty listing has no array */
        qsort(l->items, l->n, sizeof(*l->items), by_id);
    for (size_t i = 0; i < l->n; i++) {
        const struct rec_item *it = &l->items[i];
        const char *camera = camera_of_item(src, it);
        const struct rec_known_file *was = NULL;
        while (k < nk && strcmp(kf[k].file, it->id) < 0)
            if (forget(res, &kf[k++]) != 0)
                goto oom;
        if (k < nk && strcmp(kf[k].file, it->id) == 0)
            was = &kf[k++];
        struct rec_item put = *it;
        if (camera == NULL)
            res->unmapped++;
        if (was != NULL && !src->reattribute && kept_as_indexed(was, camera, &put)) {
            res->kept++;
            camera = was->camera_id;
            if (rec_note_camera(res, camera) != 0)
                goto oom;
        } else if (camera == NULL) {
            if (was != NULL && forget(res, was) != 0)
                goto oom;
            continue;
        } else {
            res->files_seen++;
        }
        snprintf(info.container, sizeof(info.container), "%s", kind_names[src->kind]);
        info.duration_ms = put.end_ms - put.start_ms;
        if (rec_add_found(res, "", it->id, camera, put.start_ms, put.end_ms, put.bytes,
                          put.end_ms * 1000000, &info) != 0)
            goto oom;
        if (src->kind == REC_REMOTE_DAHUA) { /* the channel asked (rec_dahua_list) */
            char *ch = res->found[res->n_found - 1].channel;
            size_t len = strnlen(it->tokens[0], REC_CHANNEL_MAX - 1);
            memcpy(ch, it->tokens[0], len);
            ch[len] = '\0';
        }
    }
    while (k < nk)
        if (forget(res, &kf[k++]) != 0)
            goto oom;
    return 0;
oom:
    return cw_err_set(err, NULL, 0, NULL, "recorder %s: out of memory", src->name);
}

/* The channel of known file f to ask about, as a number (-1: none) and as a token into t: an
 * ISAPI item's track (its id is "<track>/<name>"), the channel a Dahua file was listed on (its
 * path does not say it: the store keeps it). */
static int known_channel(enum rec_remote_kind kind, const struct rec_known_file *f, char t[12])
{
    size_t len = strcspn(f->file, "/");
    int number;

    if (kind == REC_REMOTE_DAHUA) {
        if ((number = rec_channel_number(f->channel)) >= 0)
            snprintf(t, 12, "%d", number);
        return number;
    }
    if (len == 0 || len >= 12 || f->file[len] != '/')
        return -1;
    memcpy(t, f->file, len);
    t[len] = '\0';
    if ((number = isapi_track_of(t)) >= 0)
        snprintf(t, 12, "%d", number);
    return number;
}

/* The channels to ask an ISAPI or Dahua recorder: the map's, then those of the files the store
 * knows of it that the map no longer asks for (known_channel), so a camera moved off the
 * recorder, a row gone from the sheet, or a channel taken out of the map, does not make its
 * files look gone: they leave the index when the recorder no longer lists them. *v (pointers
 * into src's channels and into *extra) and *extra malloc'd (caller frees both). 0, or -1 when
 * out of memory. */
static int channels_to_ask(const struct rec_remote_source *src, const struct rec_known_file *kf,
                           size_t nk, const char ***v, size_t *n, char (**extra)[12])
{
    int (*number_of)(const char *) =
        src->kind == REC_REMOTE_DAHUA ? rec_channel_number : isapi_track_of;
    size_t nt = 0;

    *n = 0;
    *extra = NULL;
    if ((*v = calloc(src->n_channels + nk + 1, sizeof(**v))) == NULL ||
        (nk > 0 && (*extra = calloc(nk, sizeof(**extra))) == NULL))
        return -1;
    for (size_t i = 0; i < src->n_channels; i++)
        (*v)[(*n)++] = src->channels[i];
    for (size_t i = 0; i < nk; i++) {
        int number = known_channel(src->kind, &kf[i], (*extra)[nt]), asked = 0;
        if (number < 0)
            continue;
        for (size_t c = 0; c < *n && !asked; c++)
            asked = number_of((*v)[c]) == number;
        if (!asked)
            (*v)[(*n)++] = (*extra)[nt++];
    }
    return 0;
}

/* Ask the recorder what it holds (ISAPI and Dahua also about the channels of kf:
 * channels_to_ask). */
static int list_items(const struct rec_remote_source *src, const struct rec_known_file *kf,
                      size_t nk, struct rec_listing *l, struct cw_err *kerr)
{
    struct rec_remote_source asked = *src;
    const char **v = NULL;
    char(*extra)[12] = NULL;
    int rc;

    if (src->kind == REC_REMOTE_ONVIF)
        return rec_onvif_list(src, l, kerr);
    if (channels_to_ask(src, kf, nk, &v, &asked.n_channels, &extra) != 0) {
        free(v);
        free(extra);
        return cw_err_set(kerr, NULL, 0, NULL, "out of memory");
    }
    asked.channels = v;
    rc = src->kind == REC_REMOTE_HIKVISION ? rec_isapi_list(&asked, l, kerr)
                                           : rec_dahua_list(&asked, l, kerr);
    free(v);
    free(extra);
    return rc;
}

int rec_remote_scan(const struct rec_remote_source *src, const struct rec_known *known,
                    struct rec_result **out, struct cw_err *err)
{
    struct rec_listing l = {0};
    struct rec_result *res = NULL;
    struct rec_known_file *kf = NULL;
    size_t nk = 0;
    struct cw_err kerr;
    int rc = -1;

    *out = NULL;
    if (known->files(known->data, "", &kf, &nk) != 0)
        return cw_err_set(err, NULL, 0, NULL, "recorder %s: reading its files from the store",
                          src->name);
    if (list_items(src, kf, nk, &l, &kerr) != 0)
        cw_err_set(err, NULL, 0, NULL, "recorder %s: %s", src->name, kerr.msg);
    else if ((res = rec_result_new()) == NULL)
        cw_err_set(err, NULL, 0, NULL, "recorder %s: out of memory", src->name);
    else if (compare(src, &l, kf, nk, res, err) == 0)
        rc = 0;
    free(kf);
    rec_listing_free(&l);
    if (rc != 0)
        rec_result_free(res);
    else
        *out = res;
    return rc;
}
