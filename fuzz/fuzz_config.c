/* fuzz_config.c - the three files a site's staff edit (camwatch.conf, cameras.csv,
 * credentials.ini) through the public cfg_load(), as the daemon and the CLI read them. One
 * input holds the three, split at lines "%%" (conf, then cameras, then credentials; missing parts
 * are empty files); they are written into a folder of this process's own and loaded. Every
 * refusal names its file; an accepted fleet holds what its header promises. */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/cfg.h"
#include "fuzz.h"

#define SPLIT "\n%%\n"

static char dir[64];
static char conf_path[96], csv_path[96], cred_path[96];

static void remove_dir(void)
{
    unlink(conf_path);
    unlink(csv_path);
    unlink(cred_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "%s/cwfuzz-XXXXXX", tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(conf_path, sizeof(conf_path), "%s/camwatch.conf", dir);
    snprintf(csv_path, sizeof(csv_path), "%s/cameras.csv", dir);
    snprintf(cred_path, sizeof(cred_path), "%s/credentials.ini", dir);
    unsetenv("CREDENTIALS_DIRECTORY");
    atexit(remove_dir);
    return 0;
}

/* Write the part of [*p, end) before the next SPLIT (or all of it) to path; advance *p. */
static int write_part(const char *path, const uint8_t **p, const uint8_t *end)
{
    const uint8_t *cut = memmem(*p, (size_t)(end - *p), SPLIT, strlen(SPLIT));
    size_t n = (size_t)((cut != NULL ? cut : end) - *p);
    FILE *fp = fopen(path, "w");
    int rc = 0;

    if (fp == NULL)
        return -1;
    if (n > 0 && fwrite(*p, 1, n, fp) != n)
        rc = -1;
    if (fclose(fp) != 0)
        rc = -1;
    *p = cut != NULL ? cut + strlen(SPLIT) : end;
    return rc;
}

static void check_fleet(const struct cfg *cfg)
{
    if (cfg->n_classes == 0 || strcmp(cfg->classes[0].name, "default") != 0)
        __builtin_trap();
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const struct cfg_camera *c = &cfg->cameras[i];
        if (c->id == NULL || strlen(c->id) > CFG_ID_MAX || c->cls == NULL || c->rtsp_url == NULL ||
            cfg_find_camera(cfg, c->id) == NULL)
            __builtin_trap();
    }
    if (cfg->rtsp.timeout_ms <= 0 || cfg->stream.timeout_ms <= 0 || cfg->rtsp.interval_ms <= 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    struct cw_errlist errs = {0};
    struct cfg *cfg = NULL;

    if (write_part(conf_path, &p, end) != 0 || write_part(csv_path, &p, end) != 0 ||
        write_part(cred_path, &p, end) != 0 || chmod(cred_path, 0600) != 0)
        return 0;
    if (cfg_load(conf_path, &cfg, &errs) == 0) {
        if (cfg == NULL)
            __builtin_trap();
        check_fleet(cfg);
        cfg_free(cfg);
    } else {
        if (cfg != NULL || errs.n == 0)
            __builtin_trap();
        for (size_t i = 0; i < errs.n; i++)
            if (errs.v[i].file[0] == '\0' || errs.v[i].msg[0] == '\0')
                __builtin_trap();
    }
    cw_errlist_clear(&errs);
    return 0;
}
