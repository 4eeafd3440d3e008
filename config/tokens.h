/* tokens.h - the HTTP API's tokens file ([http] tokens, default tokens.ini beside the conf):
 * for each token a name (who, in logs and audit rows), a role, and the SHA-256 of the token;
 * never the token itself, which `camwatch token add` prints once. INI, one section a token:
 *
 *   [alice]
 *   role = investigator
 *   sha256 = 64 hex digits
 *   created = 2026-11-25T10:00:00+07:00
 *
 * A struct tokens owns its array; any thread may read it. The file is written only through a
 * temporary in its folder (mkstemp, 0600) renamed over it. */
#ifndef CW_TOKENS_H
#define CW_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "cfg.h"

#define TOKENS_NAME_MAX 40            /* bytes; letters, digits and . _ - @ */
#define TOKENS_HASH_LEN 32            /* SHA-256 */
#define TOKENS_TOKEN_MAX 128          /* longest token looked up; ours are 46 bytes */
#define TOKENS_FILE_MAX (1024 * 1024) /* a tokens file larger than this is refused */

/* Each role may do what the ones before it may. */
enum tokens_role { TOKENS_VIEWER = 1, TOKENS_INVESTIGATOR, TOKENS_ADMIN };

struct tokens_entry {
    char name[TOKENS_NAME_MAX + 1];
    enum tokens_role role;
    unsigned char hash[TOKENS_HASH_LEN];
    char created[40]; /* as written, "" when absent */
    int line;         /* of its section header */
    int hash_read;    /* hash holds a sha256 read from the file (not a bad or missing one) */
};

struct tokens {
    struct tokens_entry *v;
    size_t n;
};

/* Read len bytes of text (file names it in errors) into *out, replacing what it held. Every
 * problem is appended to errs as FILE:LINE: FIELD: message; returns 0, or -1 (out emptied). */
int tokens_parse(const char *text, size_t len, const char *file, struct tokens *out,
                 struct cw_errlist *errs);
/* tokens_parse of the file at path; a missing file is no tokens (returns 0, *missing 1 when
 * missing is not NULL). */
int tokens_load(const char *path, struct tokens *out, int *missing, struct cw_errlist *errs);
void tokens_clear(struct tokens *t); /* frees the array; t itself is the caller's */

/* The entry whose hash is the SHA-256 of token (len bytes), or NULL. Borrowed from t. */
const struct tokens_entry *tokens_find(const struct tokens *t, const char *token, size_t len);

/* Make a new token for name with role, add it to the file at path (created when missing, and
 * its folder too) and put the token in buf (at least TOKENS_TOKEN_MAX bytes). created_iso is
 * written as the entry's created time. Refuses a bad or taken name, and a file that does not
 * parse. */
int tokens_add(const char *path, const char *name, enum tokens_role role, const char *created_iso,
               char *buf, size_t len, struct cw_err *err);
/* Remove name's section from the file at path (other lines kept as they are). */
int tokens_remove(const char *path, const char *name, struct cw_err *err);

/* The tokens file of cfg ([http] tokens), where `camwatch token` writes. Caller frees; NULL
 * when out of memory. */
char *tokens_path(const struct cfg *cfg);
/* The file the daemon reads: under systemd with LoadCredential= (and the credential there),
 * $CREDENTIALS_DIRECTORY/<its base name>, as credentials.ini; else tokens_path. */
char *tokens_daemon_path(const struct cfg *cfg);

const char *tokens_role_name(enum tokens_role r);            /* "viewer", "investigator", "admin" */
int tokens_role_parse(const char *s, enum tokens_role *out); /* 0 or -1 */
int tokens_name_ok(const char *name);                        /* 1 when usable as a name */

#endif
