/* footagetest.h - what the footage tests (store, documents, recorder sources, export) share:
 * a store in a temp folder, and cameras of the inventory synced into it. */
#ifndef CW_FOOTAGETEST_H
#define CW_FOOTAGETEST_H

#include <stddef.h>
#include <stdint.h>

#include "../index/store.h"

/* A camera as the tests give it; NULL strings stay unset, has_position says whether lat and
 * lon are. Owner CAH and a loopback RTSP URL are filled in. */
struct ftest_camera {
    const char *id, *name, *commune, *address, *road, *recorder;
    int has_position;
    double lat, lon;
};

/* Two cameras at the Lai Vung market 40 m apart (CHO-01, CHO-02) and one 2 km away on QL80
 * (CAH-01, "Ngã ba Tân Dương"), all on recorder "nvr". */
extern const struct ftest_camera ftest_market[3];

/* A temp folder named for name, holding camwatch.db (its path in db) open read-write in *s.
 * 0, or -1 (the test's setup fails). */
int ftest_store_open(const char *name, char *dir, size_t dir_len, char *db, size_t db_len,
                     struct store **s);
/* A test's teardown: close s, remove dir, free the test's fixture. Returns 0. */
int ftest_teardown(struct store *s, const char *dir, void *fixture);

/* Sync the n cameras into s as the inventory at now_ms; fails the test when the store
 * refuses. */
void ftest_sync(struct store *s, const struct ftest_camera *c, size_t n, int64_t now_ms);
/* Tell s at now_ms that the conf's [recorder] sections are names[0..n) (sorted, at most 4), as
 * the daemon does at each load (store_sync_recorders); fails the test when the store refuses. */
void ftest_recorders(struct store *s, const char *const *names, size_t n, int64_t now_ms);

#endif
