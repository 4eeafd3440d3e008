/* footagetest.c - the footage tests' shared store and cameras (footagetest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/store_footage.h"
#include "cwtest.h"
#include "footagetest.h"

const struct ftest_camera ftest_market[3] = {
    {"CHO-01", "Cổng chợ Lai Vung", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 1, 10.28776,
     105.66044},
    {"CHO-02", "Nhà lồng chợ", "Thị trấn Lai Vung", "Khóm 1", "QL54", "nvr", 1, 10.28800,
     105.66070},
    {"CAH-01", "Ngã ba Tân Dương", "Tân Dương", "ấp Tân Lộc", "QL80", "nvr", 1, 10.30500,
     105.66044},
};

int ftest_store_open(const char *name, char *dir, size_t dir_len, char *db, size_t db_len,
                     struct store **s)
{
    struct cw_err err = {0};

    if (cwtest_tmpdir(dir, dir_len, name) != 0)
        return -1;
    snprintf(db, db_len, "%s/camwatch.db", dir);
    return store_open(db, STORE_READWRITE, s, &err);
}

int ftest_teardown(struct store *s, const char *dir, void *fixture)
{
    store_close(s);
    cwtest_rmtree(dir);
    free(fixture);
    return 0;
}

void ftest_sync(struct store *s, const struct ftest_camera *c, size_t n, int64_t now_ms)
{
    struct cfg_camera cams[8];
    struct cfg cfg;
    struct cw_err err = {0};

    assert_true(n <= 8);
    memset(&cfg, 0, sizeof(cfg));
    memset(cams, 0, sizeof(cams));
    for (size_t i = 0; i < n; i++) {
        cams[i].id = (char *)c[i].id;
        cams[i].name = (char *)(c[i].name ? c[i].name : c[i].id);
        cams[i].commune = (char *)c[i].commune;
        cams[i].address = (char *)c[i].address;
        cams[i].road = (char *)c[i].road;
        cams[i].recorder = (char *)c[i].recorder;
        cams[i].owner = "CAH";
        cams[i].rtsp_url = "rtsp://127.0.0.1:8554/cam";
        cams[i].has_position = c[i].has_position;
        cams[i].lat = c[i].lat;
        cams[i].lon = c[i].lon;
    }
    cfg.cameras = cams;
    cfg.n_cameras = n;
    if (store_sync_cameras(s, &cfg, now_ms, &err) != 0)
        fail_msg("sync: %s", err.msg);
}

void ftest_recorders(struct store *s, const char *const *names, size_t n, int64_t now_ms)
{
    struct cfg_recorder r[4];
    struct cfg cfg;
    struct cw_err err = {0};

    assert_true(n <= 4);
    memset(&cfg, 0, sizeof(cfg));
    memset(r, 0, sizeof(r));
    for (size_t i = 0; i < n; i++)
        r[i].name = (char *)names[i];
    cfg.recorders = r;
    cfg.n_recorders = n;
    if (store_sync_recorders(s, &cfg, now_ms, &err) != 0)
        fail_msg("sync recorders: %s", err.msg);
}
