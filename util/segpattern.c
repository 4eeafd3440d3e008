/* segpattern.c - a recorder's file-name pattern, compiled to tokens per folder level and
 * matched by a small backtracking matcher (segpattern.h has the syntax). Owns the compiled
 * tokens. Pure; a compiled pattern is read-only after segpattern_compile, any thread.
 *
 * Backtracking is bounded by the compile-time rule of at most two variable-length parts per
 * component: a name of n bytes costs at most n*n attempts. */
#include "segpattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwtime.h"

#define MAX_VARIABLE_PER_LEVEL 2
#define EPOCH_DIGITS_MAX 12 /* seconds since 1970 to the year 33658 */

enum tok_kind {
    T_LIT,
    T_CAMERA,
    T_STAR,
    T_EPOCH,
    /* fixed-width digits, in the order of struct fields below */
    T_YEAR4,
    T_YEAR2,
    T_MONTH,
    T_DAY,
    T_YDAY,
    T_HOUR,
    T_MIN,
    T_SEC,
};

struct tok {
    enum tok_kind kind;
    const char *lit; /* T_LIT: into the pattern's copy */
    size_t len;
};

struct level {
    struct tok *t;
    size_t n;
};

struct segpattern {
    char *text;
    struct tok *toks; /* every level's tokens, one block */
    struct level lv[SEGPATTERN_MAX_LEVELS];
    int nlv;
    int has_camera, has_time;
};

/* A match in progress: each field set at most once, or to the same value again. */
enum field { F_YEAR, F_MONTH, F_DAY, F_YDAY, F_HOUR, F_MIN, F_SEC, F_COUNT };

struct state {
    int set[F_COUNT];
    int v[F_COUNT];
    int has_epoch;
    int64_t epoch;
    const char *cam;
    size_t cam_len;
};

static const struct {
    char conv;
    enum tok_kind kind;
    int digits;
    enum field field;
} convs[] = {
    {'Y', T_YEAR4, 4, F_YEAR}, {'y', T_YEAR2, 2, F_YEAR}, {'m', T_MONTH, 2, F_MONTH},
    {'d', T_DAY, 2, F_DAY},    {'j', T_YDAY, 3, F_YDAY},  {'H', T_HOUR, 2, F_HOUR},
    {'M', T_MIN, 2, F_MIN},    {'S', T_SEC, 2, F_SEC},
};
#define N_CONVS (sizeof(convs) / sizeof(convs[0]))

static int conv_index(enum tok_kind k)
{
    for (size_t i = 0; i < N_CONVS; i++)
        if (convs[i].kind == k)
            return (int)i;
    return -1;
}

/* ---- compiling ---- */

struct compiling {
    const char *pattern; /* as given, for messages */
    struct segpattern *p;
    size_t ntok;
    unsigned seen; /* 1 << tok_kind */
    struct cw_err *err;
};

static int bad(struct compiling *c, const char *what)
{
    return cw_err_set(c->err, NULL, 0, "pattern", "'%s': %s", c->pattern, what);
}

static void add_tok(struct compiling *c, enum tok_kind k, const char *lit, size_t len)
{
    struct tok *t = &c->p->toks[c->ntok++];

    t->kind = k;
    t->lit = lit;
    t->len = len;
    c->seen |= 1u << k;
}

/* The tokens of one component, s[0..len). */
static int compile_level(struct compiling *c, const char *s, size_t len)
{
    struct level *lv = &c->p->lv[c->p->nlv];
    size_t i = 0;
    int variable = 0;

    lv->t = &c->p->toks[c->ntok];
    if (len == 0)
        return bad(c, "an empty folder name (two '/' in a row, or one at the end)");
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return bad(c, "'.' and '..' are not folder names here");
    while (i < len) {
        enum tok_kind k = T_LIT;
        size_t step = 1;

        if (s[i] == '%' && i + 1 < len && s[i + 1] == '%') {
            add_tok(c, T_LIT, s + i + 1, 1); /* the second '%'; what follows joins it */
            i += 2;
            continue;
        }
        if (s[i] == '%') {
            int found = 0;
            if (i + 1 >= len)
                return bad(c, "'%' at the end of a name");
            if (s[i + 1] == 's') {
                k = T_EPOCH, found = 1;
            }
            for (size_t j = 0; j < N_CONVS && !found; j++)
                if (convs[j].conv == s[i + 1])
                    k = convs[j].kind, found = 1;
            if (!found) {
                char msg[64];
                snprintf(msg, sizeof(msg), "unknown field %%%c", s[i + 1]);
                return bad(c, msg);
            }
            step = 2;
        } else if (s[i] == '{') {
            const char *close = memchr(s + i, '}', len - i);
            if (close == NULL || (size_t)(close - (s + i)) != 7 || memcmp(s + i, "{camera}", 8))
                return bad(c, "'{' starts a name other than {camera}");
            if (c->p->has_camera)
                return bad(c, "{camera} more than once");
            c->p->has_camera = 1;
            k = T_CAMERA;
            step = 8;
        } else if (s[i] == '*') {
            k = T_STAR;
        }
        if (k == T_LIT) {
            /* Consecutive literal characters are one token. */
            if (c->ntok > (size_t)(lv->t - c->p->toks) && c->p->toks[c->ntok - 1].kind == T_LIT &&
                c->p->toks[c->ntok - 1].lit + c->p->toks[c->ntok - 1].len == s + i)
                c->p->toks[c->ntok - 1].len++;
            else
                add_tok(c, T_LIT, s + i, 1);
        } else {
            if ((k == T_CAMERA || k == T_STAR || k == T_EPOCH) &&
                ++variable > MAX_VARIABLE_PER_LEVEL)
                return bad(c, "more than two of {camera}, * and %s in one name");
            add_tok(c, k, NULL, 0);
        }
        i += step;
    }
    lv->n = (size_t)(&c->p->toks[c->ntok] - lv->t);
    c->p->nlv++;
    return 0;
}

/* A time is complete, or absent. */
static int check_time(struct compiling *c)
{
#define HAS(k) ((c->seen & (1u << (k))) != 0)
    int year = HAS(T_YEAR4) || HAS(T_YEAR2);
    int date = year && ((HAS(T_MONTH) && HAS(T_DAY)) || HAS(T_YDAY));
    int clock = HAS(T_HOUR) && HAS(T_MIN);
    int any = year || HAS(T_MONTH) || HAS(T_DAY) || HAS(T_YDAY) || HAS(T_HOUR) || HAS(T_MIN) ||
              HAS(T_SEC);

    c->p->has_time = HAS(T_EPOCH) || (date && clock);
    if (HAS(T_EPOCH) || !any || (date && clock))
        return 0;
    if (!date)
        return bad(c, "a time needs a whole date (%Y or %y with %m and %d, or with %j)");
    return bad(c, "a date needs %H and %M too");
#undef HAS
}

int segpattern_compile(const char *pattern, struct segpattern **out, struct cw_err *err)
{
    struct compiling c = {.pattern = pattern, .err = err};
    size_t len = strlen(pattern);
    const char *s;

    *out = NULL;
    if (len == 0)
        return cw_err_set(err, NULL, 0, "pattern", "empty");
    if (len > SEGPATTERN_MAX_LEN)
        return cw_err_set(err, NULL, 0, "pattern", "longer than %d bytes", SEGPATTERN_MAX_LEN);
    if (pattern[0] == '/')
        return bad(&c, "must be relative to the recorder's path, not start with '/'");
    if ((c.p = calloc(1, sizeof(*c.p))) == NULL || (c.p->text = strdup(pattern)) == NULL ||
        (c.p->toks = calloc(len + 1, sizeof(*c.p->toks))) == NULL) {
        segpattern_free(c.p);
        return cw_err_set(err, NULL, 0, "pattern", "out of memory");
    }
    s = c.p->text;
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (c.p->nlv == SEGPATTERN_MAX_LEVELS) {
            bad(&c, "more than 16 folder levels");
            goto fail;
        }
        if (compile_level(&c, s, n) != 0)
            goto fail;
        if (slash == NULL)
            break;
        s = slash + 1;
    }
    if (check_time(&c) != 0)
        goto fail;
    *out = c.p;
    return 0;
fail:
    segpattern_free(c.p);
    return -1;
}

void segpattern_free(struct segpattern *p)
{
    if (p == NULL)
        return;
    free(p->toks);
    free(p->text);
    free(p);
}

int segpattern_levels(const struct segpattern *p)
{
    return p->nlv;
}

int segpattern_has_camera(const struct segpattern *p)
{
    return p->has_camera;
}

int segpattern_has_time(const struct segpattern *p)
{
    return p->has_time;
}

/* ---- matching ---- */

static int set_field(struct state *st, enum field f, int v)
{
    if (st->set[f] && st->v[f] != v)
        return 0;
    st->set[f] = 1;
    st->v[f] = v;
    return 1;
}

static int match_toks(const struct tok *t, size_t n, const char *s, size_t len, struct state *st);

/* A variable-length token over the first k bytes of s, then the rest. */
static int match_variable(const struct tok *t, size_t n, const char *s, size_t len, size_t k,
                          struct state *st)
{
    struct state try = *st;

    if (t->kind == T_CAMERA) {
        try.cam = s;
        try.cam_len = k;
    } else if (t->kind == T_EPOCH) {
        try.has_epoch = 1;
        try.epoch = 0;
        for (size_t i = 0; i < k; i++)
            try.epoch = try.epoch * 10 + (s[i] - '0');
    }
    if (!match_toks(t + 1, n - 1, s + k, len - k, &try))
        return 0;
    *st = try;
    return 1;
}

static int match_toks(const struct tok *t, size_t n, const char *s, size_t len, struct state *st)
{
    int ci;

    if (n == 0)
        return len == 0;
    switch (t->kind) {
    case T_LIT:
        return len >= t->len && memcmp(s, t->lit, t->len) == 0 &&
               match_toks(t + 1, n - 1, s + t->len, len - t->len, st);
    case T_CAMERA:
    case T_STAR:
    case T_EPOCH:
        /* Shortest first: "{camera}_%Y..." takes the camera up to the first '_' that fits. */
        for (size_t k = t->kind == T_STAR ? 0 : 1; k <= len; k++) {
            if (t->kind == T_EPOCH && (k > EPOCH_DIGITS_MAX || s[k - 1] < '0' || s[k - 1] > '9'))
                return 0;
            if (t->kind == T_CAMERA && k >= SEGPATTERN_CAMERA_MAX)
                return 0;
            if (match_variable(t, n, s, len, k, st))
                return 1;
        }
        return 0;
    default:
        ci = conv_index(t->kind);
        if (ci < 0 || len < (size_t)convs[ci].digits)
            return 0;
        {
            int v = 0;
            struct state try = *st;
            for (int i = 0; i < convs[ci].digits; i++) {
                if (s[i] < '0' || s[i] > '9')
                    return 0;
                v = v * 10 + (s[i] - '0');
            }
            if (t->kind == T_YEAR2)
                v += 2000;
            if (!set_field(&try, convs[ci].field, v) ||
                !match_toks(t + 1, n - 1, s + convs[ci].digits, len - convs[ci].digits, &try))
                return 0;
            *st = try;
            return 1;
        }
    }
}

int segpattern_match_level(const struct segpattern *p, int level, const char *name)
{
    struct state st;

    if (level < 0 || level >= p->nlv)
        return 0;
    memset(&st, 0, sizeof(st));
    return match_toks(p->lv[level].t, p->lv[level].n, name, strlen(name), &st);
}

/* The wall-clock fields of a match into m, checked; 0 when a field is out of range. */
static int fill_time(const struct state *st, struct segpattern_match *m)
{
    const int *v = st->v;

    m->year = v[F_YEAR];
    if (st->set[F_YDAY]) {
        int yd = v[F_YDAY], mo = 1;
        if (yd < 1 || yd > 365 + cw_leap_year(m->year))
            return 0;
        while (yd > cw_days_in_month(m->year, mo))
            yd -= cw_days_in_month(m->year, mo++);
        if ((st->set[F_MONTH] && v[F_MONTH] != mo) || (st->set[F_DAY] && v[F_DAY] != yd))
            return 0;
        m->month = mo;
        m->day = yd;
    } else {
        m->month = v[F_MONTH];
        m->day = v[F_DAY];
    }
    m->hour = v[F_HOUR];
    m->min = v[F_MIN];
    m->sec = st->set[F_SEC] ? v[F_SEC] : 0;
    return m->month >= 1 && m->month <= 12 && m->day >= 1 &&
           m->day <= cw_days_in_month(m->year, m->month) && m->hour <= 23 && m->min <= 59 &&
           m->sec <= 60;
}

int segpattern_match(const struct segpattern *p, const char *path, struct segpattern_match *m)
{
    struct state st;
    const char *s = path;

    memset(&st, 0, sizeof(st));
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < p->nlv; i++) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if ((slash == NULL) != (i == p->nlv - 1))
            return 0;
        if (!match_toks(p->lv[i].t, p->lv[i].n, s, n, &st))
            return 0;
        s += n + 1;
    }
    if (st.cam != NULL)
        snprintf(m->camera, sizeof(m->camera), "%.*s", (int)st.cam_len, st.cam);
    if (st.has_epoch) {
        m->has_epoch = 1;
        m->epoch_s = st.epoch;
    }
    m->has_time = p->has_time && !st.has_epoch;
    if (m->has_time && !fill_time(&st, m))
        return 0;
    return 1;
}
