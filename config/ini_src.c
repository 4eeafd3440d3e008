/* ini_src.c - INI files through libinih with line numbers (ini_src.h). Owns nothing past
 * cfg_ini_parse(): its line buffer is freed and its file closed before it returns. libinih's
 * settings are left as they are. */
#include "ini_src.h"

#include <ini.h>

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Mirrors inih's inline comment rule: ';' at the start or after whitespace. */
static const char *ini_find_chars_or_comment(const char *s, const char *chars)
{
    int was_space = 0;

    while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = cfg_is_space(*s);
        s++;
    }
    return s;
}

/* Look at one line the way inih will; report what inih would reject or misread, and
 * return 0 when the line must reach inih as a blank line. */
static int ini_src_check_line(struct ini_src *src, const char *line)
{
    const char *bol = line, *s, *end;
    char name[128];
    size_t n;

    if (src->line == 1 && strncmp(bol, "\xEF\xBB\xBF", 3) == 0)
        bol += 3;
    s = bol;
    while (cfg_is_space(*s))
        s++;
    if (*s == '\0' || *s == ';' || *s == '#')
        return 1;
    if (s > bol && src->have_prev_key) {
        /* inih would glue this line to the value before it */
        cfg_ld_err(src->ld, src->file, src->line, NULL,
                   "indented line: remove the leading spaces (it would continue the value above)");
        return 0;
    }
    if (*s == '[') {
        end = ini_find_chars_or_comment(s + 1, "]");
        if (*end != ']') {
            cfg_ld_err(src->ld, src->file, src->line, NULL, "section header without ']'");
            src->skip = 1; /* its keys would land in the section above */
            return 0;
        }
        n = (size_t)(end - (s + 1));
        memcpy(name, s + 1, n < sizeof(name) ? n : sizeof(name) - 1);
        name[n < sizeof(name) ? n : sizeof(name) - 1] = '\0';
        src->have_prev_key = 0;
        if (n > CFG_SECTION_MAX) {
            /* inih would cut the name and give its keys to the section so named, or none */
            cfg_ld_err(src->ld, src->file, src->line, name, "section name longer than %d bytes",
                       CFG_SECTION_MAX);
            src->skip = 1;
            src->lost++;
            return 1;
        }
        src->skip = src->on_section != NULL && src->on_section(src, name) != 0;
        return 1;
    }
    end = ini_find_chars_or_comment(s, "=:");
    if (*end != '=' && *end != ':') {
        cfg_ld_err(src->ld, src->file, src->line, NULL, "expected 'key = value'");
        return 0;
    }
    src->have_prev_key = 1;
    return 1;
}

/* A line not read for a problem of its own (reported): it reaches inih blank. */
static char *ini_src_lost(struct ini_src *src, char *str)
{
    src->lost++;
    strcpy(str, "\n");
    return str;
}

static char *ini_src_read(char *str, int num, void *stream)
{
    struct ini_src *src = stream;
    ssize_t n = getline(&src->buf, &src->cap, src->fp);

    if (n < 0)
        return NULL;
    src->line++;
    if (num < 2)
        return NULL;
    if (memchr(src->buf, '\0', (size_t)n) != NULL) {
        cfg_ld_err(src->ld, src->file, src->line, NULL, "line contains a NUL byte");
        return ini_src_lost(src, str);
    }
    if (n >= num - 1) {
        cfg_ld_err(src->ld, src->file, src->line, NULL, "line too long (at most %d bytes)",
                   num - 3);
        return ini_src_lost(src, str);
    }
    if (!cfg_utf8_valid(src->buf, (size_t)n)) {
        /* its text would reach documents, which are JSON, and JSON is UTF-8 */
        cfg_ld_err(src->ld, src->file, src->line, NULL, "not valid UTF-8 (save the file as UTF-8)");
        return ini_src_lost(src, str);
    }
    if (!ini_src_check_line(src, src->buf))
        return ini_src_lost(src, str);
    memcpy(str, src->buf, (size_t)n + 1);
    return str;
}

static int ini_src_handler(void *user, const char *section, const char *name, const char *value)
{
    struct ini_src *src = user;

    if (!src->skip)
        src->on_key(src, section, name, value);
    return 1; /* errors are ours to report; inih would only count the first */
}

int cfg_ini_parse(FILE *fp, const char *file, struct load *ld, ini_section_fn on_section,
                  ini_key_fn on_key)
{
    struct ini_src src = {
        .fp = fp, .file = file, .ld = ld, .on_section = on_section, .on_key = on_key};
    size_t before = ld->nerr;
    int rc = ini_parse_stream(ini_src_read, &src, ini_src_handler, &src);

    if (rc == -2)
        ld->oom = 1;
    else if (rc > 0 && ld->nerr == before)
        cfg_ld_err(ld, file, rc, NULL, "syntax error");
    free(src.buf);
    fclose(fp);
    return src.lost;
}
