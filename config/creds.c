/* creds.c - credentials.ini: one [NAME] section per credential, each with username and
 * password, refused unless only its owner can read it. Owns nothing: the credentials land in
 * the cfg, their section lines in the load. */
#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/text.h"
#include "ini_src.h"
#include "names.h"

/* A section names a credential: kept precomposed (NFC), as the credential column of
 * cameras.csv and the conf's *_credential keys, so a name typed decomposed in one file and
 * precomposed in another is one name. */
static int creds_on_section(struct ini_src *src, const char *section)
{
    struct load *ld = src->ld;
    struct cfg *cfg = ld->cfg;
    char *name = NULL;
    long first;
    int rc = -1;

    if (section[0] == '\0') {
        cfg_ld_err(ld, src->file, src->line, NULL, "empty section name");
        return -1;
    }
    if ((name = cfg_ld_strdup(ld, section)) == NULL || cw_text_nfc(&name) != 0) {
        ld->oom = 1;
        goto fail;
    }
    if ((first = cfg_names_find(ld->cred_names, name)) >= 0) {
        cfg_ld_err(ld, src->file, src->line, section, "defined twice (first at line %d)",
                   ld->cred_lines[first]);
        goto fail;
    }
    if (cfg->n_creds == ld->creds_cap) {
        size_t cap = ld->creds_cap ? ld->creds_cap * 2 : 8;
        struct cfg_credential *v = realloc(cfg->creds, cap * sizeof(*v));
        int *lines;
        if (v == NULL) {
            ld->oom = 1;
            goto fail;
        }
        cfg->creds = v;
        lines = realloc(ld->cred_lines, cap * sizeof(*lines));
        if (lines == NULL) {
            ld->oom = 1;
            goto fail;
        }
        ld->cred_lines = lines;
        ld->creds_cap = cap;
    }
    memset(&cfg->creds[cfg->n_creds], 0, sizeof(cfg->creds[0]));
    if (cfg_names_add(ld->cred_names, name, cfg->n_creds) != 0) {
        ld->oom = 1;
        goto fail;
    }
    cfg->creds[cfg->n_creds].name = name; /* the cfg's now */
    name = NULL;
    ld->cred_lines[cfg->n_creds] = src->line;
    cfg->n_creds++;
    rc = 0;
fail:
    free(name);
    return rc;
}

/* Whether the raw line has an inline comment after its '=' (inih's rule: ';' after a blank),
 * which inih cuts from the value without a word: a password "abc ;def" would be "abc". The
 * blanks between '=' and the value count: inih (r55, Debian's) looks for the comment before
 * it skips them, so "password = ;abc" is handed over as "". */
static int inline_comment(const char *line)
{
    const char *p = line != NULL ? strpbrk(line, "=:") : NULL;

    for (; p != NULL && *p != '\0'; p++)
        if (p[1] == ';' && (p[0] == ' ' || p[0] == '\t'))
            return 1;
    return 0;
}

static void creds_on_key(struct ini_src *src, const char *section, const char *key,
                         const char *value)
{
    struct load *ld = src->ld;
    struct cfg_credential *c;
    char **dst;

    if (section[0] == '\0') {
        cfg_ld_err(ld, src->file, src->line, key, "key outside any [section]");
        return;
    }
    if (ld->cfg->n_creds == 0)
        return; /* out of memory */
    c = &ld->cfg->creds[ld->cfg->n_creds - 1];
    if (strcmp(key, "username") == 0)
        dst = &c->username;
    else if (strcmp(key, "password") == 0)
        dst = &c->password;
    else {
        cfg_ld_err(ld, src->file, src->line, key, "unknown key in [%s] (username, password)",
                   section);
        return;
    }
    if (*dst != NULL) {
        cfg_ld_err(ld, src->file, src->line, key, "set twice in [%s]", section);
        return;
    }
    if (inline_comment(src->buf)) /* refused; kept below all the same, so not "missing" too */
        cfg_ld_err(ld, src->file, src->line, key,
                   "holds ' ;', which starts a comment: the value would be cut there (put a "
                   "comment on a line of its own)");
    *dst = cfg_ld_strdup(ld, value);
}

void cfg_creds_load(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    const char *file = ld->creds_disp;
    struct stat st;
    size_t i;
    FILE *fp;
    int fd;

    if ((ld->cred_names = cfg_names_new()) == NULL) {
        ld->oom = 1;
        return;
    }
    fd = open(cfg->credentials_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cfg_ld_err(ld, file, 0, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cfg_ld_err(ld, file, 0, NULL, "not a regular file");
        close(fd);
        return;
    }
    if ((st.st_mode & 077) != 0) {
        cfg_ld_err(ld, file, 0, NULL,
                   "readable by group or others (mode %04o): it holds passwords; run chmod 600 %s",
                   (unsigned)(st.st_mode & 07777), file);
        /* read on anyway: the load fails, but the credential column still gets checked */
    }
    if ((fp = fdopen(fd, "r")) == NULL) {
        cfg_ld_err(ld, file, 0, NULL, "cannot read: %s", strerror(errno));
        close(fd);
        return;
    }
    cfg_ini_parse(fp, file, ld, creds_on_section, creds_on_key);
    ld->creds_ok = 1;
    for (i = 0; i < cfg->n_creds; i++) {
        if (cfg->creds[i].username == NULL)
            cfg_ld_err(ld, file, ld->cred_lines[i], "username", "missing in [%s]",
                       cfg->creds[i].name);
        if (cfg->creds[i].password == NULL)
            cfg_ld_err(ld, file, ld->cred_lines[i], "password", "missing in [%s]",
                       cfg->creds[i].name);
    }
}

void cfg_creds_use_credentials_directory(struct load *ld)
{
    struct cfg *cfg = ld->cfg;
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    char *p, *q;

    if (dir == NULL || dir[0] == '\0' || cfg->credentials_path == NULL)
        return;
    p = cfg_path_join(dir, cfg_base_name(cfg->credentials_path));
    q = p ? strdup(p) : NULL;
    if (p == NULL || q == NULL) {
        free(p);
        ld->oom = 1;
        return;
    }
    free(cfg->credentials_path);
    free(ld->creds_disp);
    cfg->credentials_path = p;
    ld->creds_disp = q;
}

const struct cfg_credential *cfg_cred_find(const struct load *ld, const char *name)
{
    long i = cfg_names_find(ld->cred_names, name);

    return i >= 0 ? &ld->cfg->creds[i] : NULL;
}

void cfg_creds_resolve(const struct load *ld)
{
    struct cfg *cfg = ld->cfg;

    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (cfg->cameras[i].credential[0] != '\0')
            cfg->cameras[i].cred = cfg_cred_find(ld, cfg->cameras[i].credential);
}
