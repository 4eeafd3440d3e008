/* cfg.h - the validated fleet: camwatch.conf (INI, libinih), cameras.csv
 * (libcsv) and credentials.ini, read and checked together. A struct cfg is a
 * plain read-only record once cfg_load() returns it; it owns every string in
 * it and is freed whole by cfg_free(). Any thread may read it.
 *
 * Relative paths in camwatch.conf are relative to the conf file's folder.
 * When $CREDENTIALS_DIRECTORY is set (systemd LoadCredential=) the credentials
 * file is looked up there by its base name. */
#ifndef CW_CFG_H
#define CW_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* The exact header row of cameras.csv. */
#define CFG_CSV_HEADER                                                                             \
    "id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,credential,model,"    \
    "installed_on,recorder,notes"

#define CFG_ID_MAX 63 /* longest camera id, bytes */

enum cfg_site_kind { CFG_SITE_DISTRICT, CFG_SITE_COMMUNE, CFG_SITE_MARKET };

struct cfg_owner {
    char *code; /* "CAH" */
    char *name; /* "Công an huyện Lai Vung" */
};

struct cfg_credential {
    char *name; /* section name in credentials.ini */
    char *username;
    char *password;
};

struct cfg_camera {
    char *id, *name, *owner, *commune, *address, *road;
    char *rtsp_url, *onvif_url, *credential, *model, *installed_on, *recorder, *notes;
    enum cfg_site_kind site_kind;
    int has_position; /* lat/lon given (both or neither) */
    double lat, lon;
    int line;                          /* line in cameras.csv, for messages */
    const struct cfg_credential *cred; /* resolved credential, NULL when none; borrowed */
};

struct cfg_rtsp {
    int64_t interval_ms; /* between probes of one camera; default 30s */
    int64_t timeout_ms;  /* whole DESCRIBE exchange; default 5s */
    int64_t slow_ms;     /* answer slower than this is degraded; default 2s */
    int down_after;      /* consecutive failures to go DOWN; default 3 */
    int up_after;        /* consecutive successes to come back; default 2 */
    int concurrency;     /* probes in flight at once; default 64 */
};

struct cfg {
    char *path; /* the conf file as given */
    char *dir;  /* its folder, absolute */
    char *site_name;
    char *time_zone; /* default CW_DEFAULT_TZ */
    char *database;  /* absolute; default <dir>/var/camwatch.db */
    char *cameras_path;
    char *credentials_path; /* NULL when the conf names none */
    char *http_listen;      /* default 127.0.0.1:8640 */
    struct cfg_rtsp rtsp;
    struct cfg_owner *owners;
    size_t n_owners;
    struct cfg_credential *creds;
    size_t n_creds;
    struct cfg_camera *cameras;
    size_t n_cameras;
};

/* Read and validate the conf at path and the files it names. Returns 0 and *out (caller
 * frees with cfg_free), or -1 with every problem found appended to errs, each naming file,
 * line and field, and *out NULL. */
int cfg_load(const char *path, struct cfg **out, struct cw_errlist *errs);
void cfg_free(struct cfg *cfg);

/* Lookups; the result is borrowed from cfg, NULL when absent. */
const struct cfg_camera *cfg_find_camera(const struct cfg *cfg, const char *id);
const char *cfg_owner_name(const struct cfg *cfg, const char *code);
const char *cfg_site_kind_name(enum cfg_site_kind k); /* "district", "commune", "market" */

#endif
