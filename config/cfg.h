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

struct cfg_names;

/* The exact header row of cameras.csv; one more column, "class", may follow it. */
#define CFG_CSV_HEADER                                                                             \
    "id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,credential,model,"    \
    "installed_on,recorder,notes"

#define CFG_ID_MAX 63         /* longest camera id, bytes */
#define CFG_OWNER_CODE_MAX 31 /* longest owner code, bytes ([owners] and the owner column) */

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

/* Quality thresholds for a kind of camera ([class NAME] sections; "default" always exists,
 * built from the defaults below and overridden by a [class default] section). A threshold of
 * 0 is not checked. */
struct cfg_class {
    char *name;
    int min_width, min_height; /* default 640x360 */
    double min_fps;            /* default 12 */
    double min_bitrate_kbps;   /* default 256 */
    double max_gop_s;          /* default 4 */
    double min_sharpness;      /* variance of Laplacian; default 60 */
    double min_luma, max_luma; /* mean luma bounds; default 40 and 220 */
    double black_spread;       /* luma spread below this with low luma is "black"; default 4 */
    int unlit;                 /* the site is dark at night: darkness alone is not a fault */
    int frozen_after;          /* identical pictures in this many samples; default 3 */
    int moved_distance;        /* hash bits from the reference meaning moved; default 20 */
};

struct cfg_camera {
    char *id, *name, *owner, *commune, *address, *road;
    char *rtsp_url, *onvif_url, *credential, *model, *installed_on, *recorder, *notes;
    enum cfg_site_kind site_kind;
    int has_position; /* lat/lon given (both or neither) */
    double lat, lon;
    int line;                          /* line in cameras.csv, for messages */
    const struct cfg_credential *cred; /* resolved credential, NULL when none; borrowed */
    const struct cfg_class *cls;       /* its class ("class" column, else "default"); borrowed */
};

struct cfg_rtsp {
    int64_t interval_ms;      /* between probes of one camera; default 30s */
    int64_t timeout_ms;       /* whole DESCRIBE exchange; default 5s */
    int64_t slow_ms;          /* answer slower than this is degraded; default 2s */
    int down_after;           /* consecutive failures to go DOWN; default 3 */
    int up_after;             /* consecutive successes to come back; default 2 */
    int concurrency;          /* probes in flight at once to begin with, and at least; default 64 */
    int concurrency_max;      /* the most in flight while probes wait for a slot; default 2048 */
    int64_t down_interval_ms; /* a down camera's backoff ceiling; default 2 min, 0 off */
    int64_t down_timeout_ms;  /* the whole DESCRIBE of a down camera; default 2 s */
};

struct cfg_stream {
    int workers;         /* worker threads for stream samples; default 4; 0 turns sampling off */
    int64_t sample_ms;   /* read window; default 5s */
    int64_t interval_ms; /* between samples of one camera, at least; default 10m */
    double budget_pct;   /* % of one core the samples may use, spread over the fleet; 0: none */
    int64_t timeout_ms;  /* deadline of one whole sample (open + first packet + window);
                            default sample + 10s */
    int thumb_width;     /* default 320 */
};

struct cfg_onvif {
    int64_t interval_ms;         /* between ONVIF probes of one camera; default 10m */
    int64_t timeout_ms;          /* one SOAP request; default 5s */
    int64_t max_clock_offset_ms; /* a camera clock further off is degraded; default 5s, 0 off */
    int concurrency;             /* ONVIF probes in flight at once; default 16 */
    int tls_verify;              /* check https devices' certificates; default yes */
    char *ca_file;               /* trust these certificates (PEM) too; NULL: the system's */
};

/* [alerts]: who is told of settled state changes (and a daily digest), and how. Alerting is
 * on when webhook or smtp is given (cfg_alerts_on). */
#define CFG_ALERTS_TARGETS_MAX 16 /* webhooks; recipients */
struct cfg_alerts {
    int64_t hold_ms;          /* a change counts once it lasted this; default 2m */
    char *webhook;            /* http(s) URLs separated by blanks, as written; NULL: none */
    char *webhook_credential; /* credentials.ini section: HTTP Basic for the webhooks */
    char *smtp;               /* smtp:// or smtps:// URL of the mail relay; NULL: no e-mail */
    char *smtp_credential;    /* credentials.ini section: SMTP AUTH */
    int starttls;             /* smtp://: require STARTTLS (yes by default), or never (no) */
    char *from;               /* the sender's address (envelope and From:) */
    char *to;                 /* recipients' addresses, separated by commas or blanks */
    char *digest_at;          /* "HH:MM" in the site's zone, or "off"; default "08:00" */
    int64_t retry_ms;         /* first retry of a failed delivery; default 30s */
    int64_t retry_max_ms;     /* the wait doubles up to this; default 30m */
    int64_t give_up_ms;       /* a delivery still failing this long after its alert fails */
    int64_t timeout_ms;       /* one attempt; default 30s */
    int tls_verify;           /* https and TLS mail: check certificates; default yes */
    char *ca_file;            /* trust these certificates (PEM) too */
    /* Derived once the file is read (config/alerts.c); borrowed from the cfg. */
    const char *webhooks[CFG_ALERTS_TARGETS_MAX];
    size_t n_webhooks;
    const char *rcpt[CFG_ALERTS_TARGETS_MAX];
    size_t n_rcpt;
    int digest_min; /* minutes after local midnight; -1: no digest */
    const struct cfg_credential *webhook_cred, *smtp_cred; /* NULL when none named */
    char *lists_; /* the storage of webhooks[] and rcpt[] */
};

/* [footage]: how the daemon keeps the footage index. */
struct cfg_footage {
    int64_t scan_interval_ms; /* between scans of one recorder; default 5m */
    int workers;              /* threads scanning recorders; default 1 */
    int64_t max_gap_ms;       /* a recording gap longer than this in the last day makes the
                                 camera degraded; default 10m, 0 off */
    int64_t warn_before_ms;   /* warn when footage asked for is overwritten sooner; default 3d */
    int64_t tolerance_ms;     /* segments this close are one window; default 2s */
    char *export_dir;         /* absolute; [footage] exports, default <dir>/var/exports: where
                                 the API writes evidence exports (and serves them from) */
};

enum cfg_recorder_kind {
    CFG_RECORDER_DIR,       /* segment files under path, named by pattern */
    CFG_RECORDER_ONVIF,     /* ONVIF Recording Search at url (the device service) */
    CFG_RECORDER_HIKVISION, /* ISAPI ContentMgmt search at url */
    CFG_RECORDER_DAHUA      /* mediaFileFind.cgi at url */
};

/* [recorder NAME]: a source of footage. */
struct cfg_recorder {
    char *name;
    char *kind_name; /* as written: "dir", "onvif", "hikvision", "dahua" */
    enum cfg_recorder_kind kind;
    char *path;                        /* dir: absolute */
    char *pattern;                     /* dir: file names, see util/segpattern.h */
    char *time_zone;                   /* of its file names and answers; default the site's */
    int own_zone;                      /* time_zone given in its section (else the site's) */
    char *channel_map;                 /* "TOKEN=CAMERA, ..." as written; NULL when not given */
    char *url;                         /* remote kinds */
    char *credential;                  /* a section of credentials.ini; NULL when none */
    int64_t timeout_ms;                /* one request to a remote recorder; default 10s */
    int tls_verify;                    /* default yes */
    char *ca_file;                     /* NULL: the system's */
    int line;                          /* of its section header in camwatch.conf */
    int map_line;                      /* of its channel_map; 0 when not given */
    const struct cfg_credential *cred; /* resolved credential, NULL when none; borrowed */
    /* channel_map parsed: token i ({camera} text, ONVIF source, channel) is camera
     * token_cameras[i] */
    char **tokens, **token_cameras;
    size_t n_tokens;
    /* Every camera on it: its recorder column names it, or the channel map does; borrowed
     * from cfg->cameras' ids. The first n_row_cameras are those the sheet puts on it (their
     * recorder column names it, or is blank and the map names them); only they are given its
     * new footage (recsrc_from_cfg), not a camera whose column names another recorder. */
    const char **cameras;
    size_t n_cameras, n_row_cameras;
};

/* What a camera may need done, as the backlog recommends it and as field staff file it
 * (`camwatch ticket add --action`); the keys of [costs]. Names: cfg_action_name(). */
enum cfg_action {
    CFG_ACTION_RESTORE_LINK,        /* "restore_link": power or network link */
    CFG_ACTION_CLEAN_LENS,          /* "clean_lens": clean or refocus the lens */
    CFG_ACTION_REAIM,               /* "reaim": re-aim the camera */
    CFG_ACTION_SETUP_NTP,           /* "setup_ntp": set the clock to follow NTP */
    CFG_ACTION_RECONFIGURE_ENCODER, /* "reconfigure_encoder": resolution, rate, bitrate, path */
    CFG_ACTION_UPDATE_CREDENTIALS,  /* "update_credentials": the account we log in with */
    CFG_ACTION_UPDATE_FIRMWARE,     /* "update_firmware" */
    CFG_ACTION_REPAIR_IR,           /* "repair_ir": infrared illuminator or site lighting */
    CFG_ACTION_REPLACE_CAMERA,      /* "replace_camera" */
    CFG_ACTION_REPLACE_DISK,        /* "replace_disk": the recorder's disk */
    CFG_ACTION_COUNT
};

/* The price of one action from [costs]: "ACTION = AMOUNT | SOURCE". */
struct cfg_cost {
    int set;      /* the conf gives a price; otherwise the action is unpriced */
    int64_t vnd;  /* whole đồng, 0 allowed (staff time only) */
    char *source; /* where the price comes from: a quotation, a price list, a contract */
};

struct cfg {
    char *path; /* the conf file as given */
    char *dir;  /* its folder, absolute */
    char *site_name;
    char *time_zone;  /* default CW_DEFAULT_TZ */
    char *language;   /* [site] language of reports: "vi" or "en"; default "en" */
    char *authority;  /* [site] authority issuing reports ("Công an huyện Lai Vung"); NULL:
                         none given, reports are headed by the site name */
    char *database;   /* absolute; default <dir>/var/camwatch.db */
    char *cache_dir;  /* absolute; [store] cache, default <dir>/var/cache (thumbnails) */
    int samples_days; /* [store] samples_days: raw samples kept, then hourly; default 31 */
    int hourly_days;  /* [store] hourly_days: hourly sample rows kept; default 400 */
    int clock_days;   /* [store] clock_days: every clock reading kept, then the first of each
                         hour and those past max_clock_offset; default 31 */
    char *cameras_path;
    char *credentials_path;  /* NULL when the conf names none */
    char *http_listen;       /* default 127.0.0.1:8640 */
    char *http_socket;       /* [http] socket: a unix socket too; NULL: none */
    int http_listen_line;    /* of [http] listen in path, for run-time errors; 0: not given */
    int http_socket_line;    /* of [http] socket in path; 0: not given */
    char *http_tokens;       /* [http] tokens: absolute; default <dir>/tokens.ini */
    int http_tokens_line;    /* of [http] tokens in path; 0: not given */
    int http_open_metrics;   /* /metrics without a token; default no */
    int http_open_healthz;   /* /healthz without a token; default no */
    int http_connections;    /* open at once; default 256 */
    int http_per_client;     /* from one address; default 64, 0: no limit */
    int64_t http_timeout_ms; /* an idle connection is closed; default 30s */
    int http_max_body;       /* request body bytes; default 64 KiB */
    struct cfg_rtsp rtsp;
    struct cfg_stream stream;
    struct cfg_onvif onvif;
    struct cfg_alerts alerts;
    struct cfg_cost costs[CFG_ACTION_COUNT]; /* [costs], by enum cfg_action */
    struct cfg_class *classes;               /* classes[0] is "default" */
    size_t n_classes;
    struct cfg_owner *owners;
    size_t n_owners;
    struct cfg_credential *creds;
    size_t n_creds;
    struct cfg_camera *cameras;
    size_t n_cameras;
    struct cfg_names *camera_ids; /* cameras by id, for cfg_find_camera (config/names.h);
                                     NULL in a cfg not made by cfg_load: a linear search */
    struct cfg_footage footage;
    struct cfg_recorder *recorders; /* by name */
    size_t n_recorders;
};

/* Read and validate the conf at path and the files it names. Returns 0 and *out (caller
 * frees with cfg_free), or -1 with every problem found appended to errs, each naming file,
 * line and field, and *out NULL. What the daemon and --check-config load. */
int cfg_load(const char *path, struct cfg **out, struct cw_errlist *errs);

enum cfg_load_mode {
    CFG_LOAD_STRICT, /* cfg_load(): any problem fails the load */
    CFG_LOAD_READER, /* for readers of the store (the CLI): only a problem of camwatch.conf
                        fails the load; those of cameras.csv and credentials.ini are appended
                        to errs as warnings, and *out holds the cameras whose rows had none */
};

/* cfg_load in the given mode. With CFG_LOAD_READER a return of 0 may come with errs not
 * empty: the inventory's problems, each naming file, line and field. */
int cfg_load_mode(const char *path, enum cfg_load_mode mode, struct cfg **out,
                  struct cw_errlist *errs);
void cfg_free(struct cfg *cfg);

/* Lookups; the result is borrowed from cfg, NULL when absent. A camera is found in constant
 * time (a hash of the ids), an owner by a linear search of [owners]. */
const struct cfg_camera *cfg_find_camera(const struct cfg *cfg, const char *id);
const char *cfg_owner_name(const struct cfg *cfg, const char *code);
const char *cfg_site_kind_name(enum cfg_site_kind k); /* "district", "commune", "market" */

/* What of an encoder's configured stream falls below class c's minimums, as CFG_BELOW_ bits
 * (0: nothing). A minimum the class leaves at 0, and a value the device did not give (<= 0, or
 * a size without both sides), never count. The one judgment the probe's reasons and the
 * backlog's findings share. */
enum { CFG_BELOW_FPS = 1u, CFG_BELOW_SIZE = 2u, CFG_BELOW_BITRATE = 4u };
unsigned cfg_class_encoder_below(const struct cfg_class *c, double fps, int width, int height,
                                 double bitrate_kbps);
const struct cfg_recorder *cfg_find_recorder(const struct cfg *cfg, const char *name);

/* What a loaded cfg says that loads but does nothing, appended to warns, each naming file,
 * line and field: a recorder's channel_map entry naming a camera whose row names another
 * recorder (it gives that camera no new footage). Not errors: the cfg stays in force.
 * --check-config prints them. */
void cfg_warnings(const struct cfg *cfg, struct cw_errlist *warns);

/* cfg_load, for --check-config: when it refuses the configuration, for problems of
 * camwatch.conf, cameras.csv or credentials.ini alike, the cfg_warnings of what loaded (the
 * keys and recorders camwatch.conf took, the rows without problems) are appended to warns too,
 * so a user meets them beside the problems rather than after fixing those. One read of the
 * files; a conf that cannot be read at all gives none, nor does what the conf refused (a
 * recorder whose kind or channel_map was refused has no map to warn of). Of a cfg it returns,
 * warns holds nothing: call cfg_warnings.
 * With tokens not NULL, a configuration refused whose tokens file is still known ([http]
 * tokens taken as written, or not given and no line of the conf lost: its default) gives in
 * *tokens a cfg holding only path, dir, http_tokens and http_tokens_line, for the tokens file's
 * own check (api_check); caller frees with cfg_free. Else (a cfg returned, the key refused or
 * given twice, the conf not read, out of memory) *tokens is NULL. */
int cfg_load_check(const char *path, struct cfg **out, struct cw_errlist *errs,
                   struct cw_errlist *warns, struct cfg **tokens);

/* Each [recorder] giving no time_zone of its own takes the site's (cfg->time_zone) again: what
 * follows a change of the site's zone, as a reload keeping the zone in force makes. 0, or -1
 * when out of memory (some recorders then still have the zone they had). */
int cfg_recorders_follow_zone(struct cfg *cfg);
/* A whole amount of VND as people write it: "450000", or grouped by threes with '.', ',' or
 * ' ' ("4.500.000"), then "VND" or "đ" may follow. 0, or -1 for anything else. */
int cfg_parse_vnd(const char *s, int64_t *out);
/* "restore_link", ...; NULL for a value out of range. */
const char *cfg_action_name(enum cfg_action a);
/* The action called name; 0, or -1 when there is none. */
int cfg_action_parse(const char *name, enum cfg_action *out);
/* Whether [alerts] names anyone to tell (a webhook or a mail relay). */
int cfg_alerts_on(const struct cfg *cfg);
/* Whether text a person typed holds a control character: C0 (a new line, tab, escape), DEL or
 * C1 (U+0080 to U+009F, which some terminals obey as escapes); with lines_ok, new lines and
 * tabs are fine. Such text printed raw breaks tables, forges lines of a record and drives the
 * reader's terminal. */
int cfg_text_has_control(const char *text, int lines_ok);
/* Whether the n bytes at text are UTF-8: no NUL, no overlong form, no surrogate, nothing past
 * U+10FFFF (what a JSON document can hold). */
int cfg_utf8_valid(const void *text, size_t n);

#endif
