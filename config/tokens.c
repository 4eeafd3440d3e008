/* tokens.c - the tokens file (tokens.h): read with libinih from memory, line by line so
 * every problem names its line; tokens made from RAND_bytes and looked up by SHA-256
 * (libcrypto); the file rewritten through a mkstemp temporary renamed over it. */
#include "tokens.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "../util/text.h"
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"

#define TOKEN_PREFIX "cw_"
#define TOKEN_RANDOM_BYTES 32
#define FILE_HEADER                                                                                \
    "; camwatch HTTP API tokens, written by `camwatch token add`: each token's name, role\n"       \
    "; and SHA-256 (the tokens themselves are never stored). Remove one with\n"                    \
    "; `camwatch token remove NAME`.\n"

/* The reader's state: the text, where it is, and the entry being filled. */
struct tok_src {
    const char *text, *end, *p;
    const char *file;
    int line, section_line;
    struct tokens *t;
    struct cw_errlist *errs;
    int open;                 /* t->v[t->n - 1] is being filled */
    int have_role, have_hash; /* of it */
    int bad_line;             /* the header line of a section refused: its keys are skipped */
    int oom;
};

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *tokens_path(const struct cfg *cfg)
{
    return strdup(cfg->http_tokens);
}

char *tokens_daemon_path(const struct cfg *cfg)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    char *p;

    if (dir == NULL || dir[0] == '\0')
        return tokens_path(cfg);
    p = cfg_path_join(dir, cfg_base_name(cfg->http_tokens));
    if (p != NULL && access(p, F_OK) != 0) {
        free(p);
        return tokens_path(cfg);
    }
    return p;
}

int tokens_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > TOKENS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
            return 0;
    }
    return 1;
}

static const char *const role_names[] = {
    [TOKENS_VIEWER] = "viewer", [TOKENS_INVESTIGATOR] = "investigator", [TOKENS_ADMIN] = "admin"};

const char *tokens_role_name(enum tokens_role r)
{
    return cw_text_name_at(CW_NAMES(role_names), r, "?");
}

int tokens_role_parse(const char *s, enum tokens_role *out)
{
    int i = cw_text_name_index(CW_NAMES(role_names), s);

    if (i < 0)
        return -1;
    *out = (enum tokens_role)i;
    return 0;
}

/* ---- reading ---- */

/* The entry done: complain about what it lacks. */
static void entry_close(struct tok_src *src)
{
    const struct tokens_entry *e;

    if (!src->open)
        return;
    src->open = 0;
    e = &src->t->v[src->t->n - 1];
    if (!src->have_role)
        cw_errlist_add(src->errs, src->file, e->line, "role", "[%s] has no role", e->name);
    if (!src->have_hash)
        cw_errlist_add(src->errs, src->file, e->line, "sha256", "[%s] has no sha256", e->name);
}

/* The entry for section, opened when the section changes. NULL on a bad name or no memory. */
static struct tokens_entry *entry_for(struct tok_src *src, const char *section)
{
    struct tokens *t = src->t;
    struct tokens_entry *v;

    if (src->open && t->v[t->n - 1].line == src->section_line)
        return &t->v[t->n - 1];
    if (src->bad_line == src->section_line)
        return NULL;
    entry_close(src);
    src->have_role = src->have_hash = 0;
    if (!tokens_name_ok(section)) {
        src->bad_line = src->section_line;
        cw_errlist_add(src->errs, src->file, src->section_line, NULL,
                       "[%s]: a name is 1 to %d letters, digits, '.', '_', '-' or '@'", section,
                       TOKENS_NAME_MAX);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, section) == 0)
            cw_errlist_add(src->errs, src->file, src->section_line, NULL,
                           "[%s] again (first at line %d)", section, t->v[i].line);
    if ((v = realloc(t->v, (t->n + 1) * sizeof(*v))) == NULL) {
        src->oom = 1;
        return NULL;
    }
    t->v = v;
    v = &t->v[t->n++];
    memset(v, 0, sizeof(*v));
    snprintf(v->name, sizeof(v->name), "%s", section);
    v->line = src->section_line;
    src->open = 1;
    return v;
}

static int parse_hash(const char *value, unsigned char *hash)
{
    if (strlen(value) != 2 * TOKENS_HASH_LEN)
        return -1;
    for (size_t i = 0; i < TOKENS_HASH_LEN; i++) {
        int hi = hex_value((unsigned char)value[2 * i]),
            lo = hex_value((unsigned char)value[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        hash[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct tok_src *src = user;
    struct tokens_entry *e;

    if (section[0] == '\0') {
        cw_errlist_add(src->errs, src->file, src->line, key, "outside any [NAME] section");
        return 1;
    }
    if ((e = entry_for(src, section)) == NULL)
        return 1;
    if ((strcmp(key, "role") == 0 && src->have_role) ||
        (strcmp(key, "sha256") == 0 && src->have_hash)) {
        cw_errlist_add(src->errs, src->file, src->line, key, "set twice in [%s]", section);
    } else if (strcmp(key, "role") == 0) {
        src->have_role = 1;
        if (tokens_role_parse(value, &e->role) != 0)
            cw_errlist_add(src->errs, src->file, src->line, key,
                           "'%s': expected viewer, investigator or admin", value);
    } else if (strcmp(key, "sha256") == 0) {
        src->have_hash = 1;
        if (parse_hash(value, e->hash) != 0) {
            cw_errlist_add(src->errs, src->file, src->line, key, "expected 64 hex digits");
            return 1; /* nothing to compare: a bad hash is not "the same" as another bad one */
        }
        e->hash_read = 1;
        for (size_t i = 0; i + 1 < src->t->n; i++)
            if (src->t->v[i].hash_read && memcmp(src->t->v[i].hash, e->hash, TOKENS_HASH_LEN) == 0)
                cw_errlist_add(src->errs, src->file, src->line, key, "the same hash as [%s]",
                               src->t->v[i].name);
    } else if (strcmp(key, "created") == 0) {
        snprintf(e->created, sizeof(e->created), "%s", value);
    } else {
        cw_errlist_add(src->errs, src->file, src->line, key, "unknown key in [%s]", section);
    }
    return 1;
}

/* Whether str, one line, is what inih takes: blank, a comment, a [NAME] header or a key with
 * '=' or ':'. A line it would refuse is reported here, so every one is (inih returns only
 * the first); a header without its ']' also has the keys under it skipped, which inih would
 * give to the section above. */
static int line_ok(struct tok_src *src, const char *str)
{
    const char *s = str;

    if (src->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3; /* a BOM, which inih skips */
    s += strspn(s, " \t\r\n");
    if (*s == '\0' || *s == ';' || *s == '#')
        return 1;
    if (*s == '[') {
        src->section_line = src->line;
        if (strchr(s, ']') != NULL)
            return 1;
        src->bad_line = src->line;
        cw_errlist_add(src->errs, src->file, src->line, NULL,
                       "a [NAME] header without its ']': the keys under it are not read");
        return 0;
    }
    if (strpbrk(s, "=:") != NULL)
        return 1;
    cw_errlist_add(src->errs, src->file, src->line, NULL,
                   "expected 'key = value', a [NAME] header or a ';' comment");
    return 0;
}

/* inih's reader: the next line of the text, numbered. A line inih cannot take whole, one
 * with a NUL byte, or one it would refuse is an error and read as empty. */
static char *read_line(char *str, int num, void *stream)
{
    struct tok_src *src = stream;
    const char *nl, *s;
    size_t n;

    if (src->p >= src->end || num < 3)
        return NULL;
    nl = memchr(src->p, '\n', (size_t)(src->end - src->p));
    n = nl != NULL ? (size_t)(nl - src->p) + 1 : (size_t)(src->end - src->p);
    s = src->p;
    src->p += n;
    src->line++;
    if (memchr(s, '\0', n) != NULL || n > (size_t)num - 2) {
        if (memchr(s, '\0', n) != NULL)
            cw_errlist_add(src->errs, src->file, src->line, NULL, "line contains a NUL byte");
        else
            cw_errlist_add(src->errs, src->file, src->line, NULL,
                           "line too long (at most %d bytes)", num - 3);
        strcpy(str, "\n");
        return str;
    }
    memcpy(str, s, n); /* the copy: the text's line may be its unterminated end */
    str[n] = '\0';
    if (!line_ok(src, str))
        strcpy(str, "\n");
    return str;
}

int tokens_parse(const char *text, size_t len, const char *file, struct tokens *out,
                 struct cw_errlist *errs)
{
    struct tok_src src = {.text = text,
                          .end = text + len,
                          .p = text,
                          .file = file,
                          .t = out,
                          .errs = errs,
                          .bad_line = -1};
    size_t before = errs->n;
    int rc;

    tokens_clear(out);
    rc = ini_parse_stream(read_line, &src, on_key, &src);
    entry_close(&src);
    if (src.oom || rc == -2)
        cw_errlist_add(errs, file, 0, NULL, "out of memory");
    else if (rc > 0 && errs->n == before)
        cw_errlist_add(errs, file, rc, NULL, "syntax error");
    if (errs->n != before) {
        tokens_clear(out);
        return -1;
    }
    return 0;
}

/* The whole file at path, NUL-terminated, in *text (caller frees). 1 when it is missing. */
static int read_file(const char *path, char **text, size_t *len, struct cw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    char *buf = NULL;
    size_t got = 0;

    *text = NULL;
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0)
        return cw_err_set(err, path, 0, NULL, "%s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TOKENS_FILE_MAX) {
        cw_err_set(err, path, 0, NULL, "not a regular file of at most %d bytes", TOKENS_FILE_MAX);
        goto fail;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        cw_err_set(err, path, 0, NULL, "out of memory");
        goto fail;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cw_err_set(err, path, 0, NULL, "%s", n < 0 ? strerror(errno) : "changed while read");
            goto fail;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    *text = buf;
    *len = got;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}

int tokens_load(const char *path, struct tokens *out, int *missing, struct cw_errlist *errs)
{
    struct cw_err err;
    char *text;
    size_t len = 0;
    int rc;

    if (missing != NULL)
        *missing = 0;
    tokens_clear(out);
    rc = read_file(path, &text, &len, &err);
    if (rc == 1) {
        if (missing != NULL)
            *missing = 1;
        return 0;
    }
    if (rc != 0) {
        cw_errlist_push(errs, &err);
        return -1;
    }
    rc = tokens_parse(text, len, path, out, errs);
    free(text);
    return rc;
}

void tokens_clear(struct tokens *t)
{
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

static int sha256(const void *data, size_t len, unsigned char out[TOKENS_HASH_LEN])
{
    unsigned int n = 0;

    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == TOKENS_HASH_LEN ? 0 : -1;
}

const struct tokens_entry *tokens_find(const struct tokens *t, const char *token, size_t len)
{
    unsigned char h[TOKENS_HASH_LEN];

    if (len == 0 || len > TOKENS_TOKEN_MAX || sha256(token, len, h) != 0)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (CRYPTO_memcmp(t->v[i].hash, h, TOKENS_HASH_LEN) == 0)
            return &t->v[i];
    return NULL;
}

/* ---- writing ---- */

/* The file's text (or the header, when missing) and its tokens; -1 when it does not parse. */
static int read_current(const char *path, char **text, size_t *len, struct tokens *t,
                        struct cw_err *err)
{
    struct cw_errlist errs = {0};
    int rc = read_file(path, text, len, err);

    if (rc < 0)
        return -1;
    if (rc == 1) {
        *len = strlen(FILE_HEADER);
        if ((*text = strdup(FILE_HEADER)) == NULL)
            return cw_err_set(err, path, 0, NULL, "out of memory");
        return 0;
    }
    if (tokens_parse(*text, *len, path, t, &errs) != 0) {
        *err = errs.v[0];
        cw_errlist_clear(&errs);
        free(*text);
        *text = NULL;
        return -1;
    }
    cw_errlist_clear(&errs);
    return 0;
}

/* A new token in buf: TOKEN_PREFIX and the base64url of TOKEN_RANDOM_BYTES random bytes. */
static int make_token(char *buf, size_t len)
{
    unsigned char raw[TOKEN_RANDOM_BYTES];
    unsigned char b64[2 * TOKEN_RANDOM_BYTES];
    int n;

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    n = EVP_EncodeBlock(b64, raw, sizeof(raw));
    while (n > 0 && b64[n - 1] == '=')
        n--;
    for (int i = 0; i < n; i++)
        b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    if ((size_t)n + sizeof(TOKEN_PREFIX) > len)
        return -1;
    snprintf(buf, len, "%s%.*s", TOKEN_PREFIX, n, (const char *)b64);
    return 0;
}

int tokens_add(const char *path, const char *name, enum tokens_role role, const char *created_iso,
               char *buf, size_t len, struct cw_err *err)
{
    struct tokens t = {0};
    unsigned char h[TOKENS_HASH_LEN];
    char *text = NULL, *out = NULL, hex[2 * TOKENS_HASH_LEN + 1];
    size_t tlen = 0, olen;
    int rc = -1;

    if (!tokens_name_ok(name))
        return cw_err_set(err, NULL, 0, "NAME",
                          "'%s': a name is 1 to %d letters, digits, '.', '_', '-' or '@'", name,
                          TOKENS_NAME_MAX);
    if (read_current(path, &text, &tlen, &t, err) != 0)
        return -1;
    for (size_t i = 0; i < t.n; i++) {
        if (strcmp(t.v[i].name, name) == 0) {
            cw_err_set(err, path, t.v[i].line, NULL, "[%s] exists: remove it first", name);
            goto fail;
        }
    }
    if (make_token(buf, len) != 0 || sha256(buf, strlen(buf), h) != 0) {
        cw_err_set(err, NULL, 0, NULL, "cannot make a random token");
        goto fail;
    }
    for (size_t i = 0; i < TOKENS_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    olen = tlen + strlen(name) + strlen(hex) + strlen(created_iso) + 128;
    if ((out = malloc(olen)) == NULL) {
        cw_err_set(err, path, 0, NULL, "out of memory");
        goto fail;
    }
    snprintf(out, olen, "%s%s\n[%s]\nrole = %s\nsha256 = %s\ncreated = %s\n", text,
             tlen > 0 && text[tlen - 1] != '\n' ? "\n" : "", name, tokens_role_name(role), hex,
             created_iso);
    /* Its folder made when missing, as [store] cache is: a first token on a fresh checkout of
     * the example (var/tokens.ini) or a new /etc/camwatch. */
    rc = cw_mkdirs(path, 1, err) == 0 ? cw_file_write(path, out, strlen(out), 0600, err) : -1;
fail:
    if (rc != 0)
        memset(buf, 0, len);
    free(out);
    free(text);
    tokens_clear(&t);
    return rc;
}

/* 1 when line (up to its end) is the header of section name. */
static int is_header(const char *line, const char *end, const char *name)
{
    size_t n = strlen(name);

    while (line < end && (*line == ' ' || *line == '\t'))
        line++;
    if (line >= end || *line != '[' || (size_t)(end - line) < n + 2)
        return 0;
    return memcmp(line + 1, name, n) == 0 && line[n + 1] == ']';
}

int tokens_remove(const char *path, const char *name, struct cw_err *err)
{
    struct tokens t = {0};
    char *text = NULL, *out = NULL, *o;
    const char *p, *end;
    size_t tlen = 0;
    int found = 0, skipping = 0, rc = -1;

    if (read_current(path, &text, &tlen, &t, err) != 0)
        return -1;
    if ((out = malloc(tlen + 1)) == NULL) {
        cw_err_set(err, path, 0, NULL, "out of memory");
        goto fail;
    }
    o = out;
    for (p = text, end = text + tlen; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl != NULL ? nl + 1 : end;
        const char *s = p;
        while (s < next && (*s == ' ' || *s == '\t'))
            s++;
        if (s < next && *s == '[')
            skipping = is_header(p, next, name);
        found |= skipping;
        if (!skipping) {
            memcpy(o, p, (size_t)(next - p));
            o += next - p;
        }
        p = next;
    }
    if (!found) {
        cw_err_set(err, path, 0, NULL, "no token named '%s'", name);
        goto fail;
    }
    rc = cw_file_write(path, out, (size_t)(o - out), 0600, err);
fail:
    free(out);
    free(text);
    tokens_clear(&t);
    return rc;
}
