/* store_place.c - cameras by place: every statement on camera_geo (an R*Tree of camera
 * positions, kept in step with camera by the triggers of schema 7) and the reads of camera's
 * place columns (name, commune, address, road, position). Distances are great-circle
 * (haversine) on a sphere of the Earth's mean radius: within a district, under a metre from
 * the ellipsoid's answer. */
#include "store_footage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

#define EARTH_RADIUS_M 6371008.8 /* IUGG mean radius */
#define DEG (M_PI / 180.0)

double store_haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);

    return 2 * EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1 - a > 0 ? 1 - a : 0));
}

#define PLACE_COLUMNS                                                                              \
    "SELECT c.id, c.name, c.commune, c.address, c.road, c.lat IS NOT NULL AND c.lon IS NOT "       \
    "NULL, c.lat, c.lon, c.recorder, c.retired_ms IS NOT NULL FROM camera AS c "

static void read_place(sqlite3_stmt *st, void *elem)
{
    struct store_place *p = elem;

    store_columns(st, "tttttiddti", p->id, sizeof(p->id), p->name, sizeof(p->name), p->commune,
                  sizeof(p->commune), p->address, sizeof(p->address), p->road, sizeof(p->road),
                  &p->has_position, &p->lat, &p->lon, p->recorder, sizeof(p->recorder),
                  &p->retired);
}

int store_list_places(struct store *s, struct store_place **out, size_t *n, struct cw_err *err)
{
    return store_select(s, sizeof(**out), read_place, out, n, "places", err,
                        PLACE_COLUMNS "ORDER BY c.id", "");
}

struct near {
    struct store_place p;
    double d;
};

static int near_cmp(const void *a, const void *b)
{
    const struct near *x = a, *y = b;

    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return strcmp(x->p.id, y->p.id);
}

int store_places_near(struct store *s, double lat, double lon, double radius_m,
                      struct store_place **out, double **dist_m, size_t *n, struct cw_err *err)
{
    /* The box that holds the circle: radius_m of latitude, and of longitude at the latitude
     * where a degree is shortest (the pole side of the circle). The R*Tree stores 32-bit
     * floats rounded outwards, so its box never loses a camera; haversine decides. */
    double dlat = radius_m / EARTH_RADIUS_M / DEG;
    double far_lat = fabs(lat) + dlat, dlon;
    struct store_place *found = NULL;
    struct near *v = NULL;
    size_t m = 0, k = 0;

    *out = NULL;
    *dist_m = NULL;
    *n = 0;
    dlon = far_lat >= 89.9 ? 360.0 : dlat / cos(far_lat * DEG);
    if (store_select(s, sizeof(*found), read_place, &found, &m, "places near", err,
                     PLACE_COLUMNS "JOIN camera_key AS k ON k.camera_id = c.id "
                                   "JOIN camera_geo AS g ON g.key = k.key "
                                   "WHERE g.min_lat <= ?2 AND g.max_lat >= ?1 "
                                   "AND g.min_lon <= ?4 AND g.max_lon >= ?3",
                     "dddd", lat - dlat, lat + dlat, dlon >= 180 ? -180.0 : lon - dlon,
                     dlon >= 180 ? 180.0 : lon + dlon) != 0)
        return -1;
    if (m > 0 && (v = malloc(m * sizeof(*v))) == NULL) {
        free(found);
        return cw_err_set(err, s->path, 0, NULL, "places near: out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        double d = store_haversine_m(lat, lon, found[i].lat, found[i].lon);
        if (d <= radius_m)
            v[k++] = (struct near){found[i], d};
    }
    free(found);
    if (k > 1)
        qsort(v, k, sizeof(*v), near_cmp);
    if (k > 0 && ((*out = malloc(k * sizeof(**out))) == NULL ||
                  (*dist_m = malloc(k * sizeof(**dist_m))) == NULL)) {
        free(*out);
        *out = NULL;
        free(v);
        return cw_err_set(err, s->path, 0, NULL, "places near: out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        (*out)[i] = v[i].p;
        (*dist_m)[i] = v[i].d;
    }
    free(v);
    *n = k;
    return 0;
}
