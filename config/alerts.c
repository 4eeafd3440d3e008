/* alerts.c - [alerts] past its rows: the checks across its keys, the lists of webhooks and
 * recipients (split into cfg->alerts.lists_, which it owns until cfg_alerts_forget), the
 * digest's minute, and the credentials it names. Every message names the key's line. */
#include "alerts.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "url.h"

#define SECTION "alerts"

int cfg_alerts_on(const struct cfg *cfg)
{
    return cfg->alerts.n_webhooks > 0 || cfg->alerts.smtp != NULL;
}

static int key_line(const struct load *ld, const char *key)
{
    const struct cfg_seen *s = cfg_conf_seen(ld, SECTION, key);

    return s != NULL ? s->line : 0;
}

/* The key was given and its value taken. */
static int given(const struct load *ld, const char *key)
{
    const struct cfg_seen *s = cfg_conf_seen(ld, SECTION, key);

    return s != NULL && !s->refused;
}

static void alerts_err(struct load *ld, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void alerts_err(struct load *ld, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_ld_verr(ld, ld->cfg->path, key_line(ld, key), key, fmt, ap);
    va_end(ap);
}

/* An address as SMTP takes it in MAIL FROM and RCPT TO and a header shows it bare:
 * local@domain, the local part printable ASCII without the characters that would need
 * quoting, the domain labels of letters, digits and '-'. NULL when good, else why. */
static const char *address_fault(const char *a)
{
    const char *at = strrchr(a, '@'), *p;

    if (strlen(a) > CFG_ALERTS_ADDRESS_MAX)
        return "longer than 254 bytes";
    if (at == NULL || at == a || at[1] == '\0')
        return "not an address (local@domain)";
    for (p = a; p < at; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>()[],;:\"\\@", *p))
            return "the part before '@' must be plain ASCII without spaces or <>()[],;:\"\\@";
    for (p = at + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return "the domain must be letters, digits, '-' and '.'";
    if (at[1] == '.' || p[-1] == '.' || strstr(at, "..") != NULL)
        return "the domain has an empty label";
    return NULL;
}

/* Split s in place at any of seps into up to CFG_ALERTS_TARGETS_MAX items (v, *n). Returns
 * -1 when there are more. */
static int split(char *s, const char *seps, const char **v, size_t *n)
{
    char *save = NULL;

    *n = 0;
    for (char *tok = strtok_r(s, seps, &save); tok != NULL; tok = strtok_r(NULL, seps, &save)) {
        if (*n == CFG_ALERTS_TARGETS_MAX)
            return -1;
        v[(*n)++] = tok;
    }
    return 0;
}

static void check_webhooks(struct load *ld, struct cfg_alerts *a, char *list)
{
    static const char *const schemes[] = {"http", "https", NULL};
    char buf[256];

    if (split(list, " \t", a->webhooks, &a->n_webhooks) != 0) {
        alerts_err(ld, "webhook", "more than %d URLs", CFG_ALERTS_TARGETS_MAX);
        a->n_webhooks = 0;
        return;
    }
    for (size_t i = 0; i < a->n_webhooks; i++) {
        const char *why = cfg_url_fault(a->webhooks[i], schemes, "http or https", buf, sizeof(buf));
        if (why != NULL) {
            alerts_err(ld, "webhook", "%s: %s", a->webhooks[i], why);
            a->n_webhooks = 0;
            return;
        }
    }
}

static void check_mail(struct load *ld, struct cfg_alerts *a, char *to)
{
    static const char *const schemes[] = {"smtp", "smtps", NULL};
    const char *why;
    char buf[256];

    if (a->smtp != NULL &&
        (why = cfg_url_fault(a->smtp, schemes, "smtp or smtps", buf, sizeof(buf))) != NULL)
        alerts_err(ld, "smtp", "%s: %s", a->smtp, why);
    if (a->from != NULL && (why = address_fault(a->from)) != NULL)
        alerts_err(ld, "from", "'%s': %s", a->from, why);
    if (to != NULL && split(to, ", \t", a->rcpt, &a->n_rcpt) != 0)
        alerts_err(ld, "to", "more than %d recipients", CFG_ALERTS_TARGETS_MAX);
    for (size_t i = 0; i < a->n_rcpt; i++)
        if ((why = address_fault(a->rcpt[i])) != NULL)
            alerts_err(ld, "to", "'%s': %s", a->rcpt[i], why);
    /* A key given but refused was reported already. */
    if (a->smtp != NULL && cfg_conf_seen(ld, SECTION, "from") == NULL)
        alerts_err(ld, "smtp", "e-mail needs from = ADDRESS (the sender)");
    if (a->smtp != NULL && cfg_conf_seen(ld, SECTION, "to") == NULL)
        alerts_err(ld, "smtp", "e-mail needs to = ADDRESS[, ADDRESS...] (the recipients)");
    if (a->smtp == NULL && cfg_conf_seen(ld, SECTION, "smtp") == NULL) {
        static const char *const mail_keys[] = {"from", "to", "smtp_credential", "starttls"};
        for (size_t i = 0; i < sizeof(mail_keys) / sizeof(mail_keys[0]); i++)
            if (given(ld, mail_keys[i]))
                alerts_err(ld, mail_keys[i], "no smtp = URL to send e-mail through");
    }
}

/* "HH:MM" (24-hour) into minutes after midnight, "off" into -1; -2 when neither. */
static int digest_minute(const char *s)
{
    if (strcmp(s, "off") == 0)
        return -1;
    if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -2;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -2;
}

static void check_retry(struct load *ld, const struct cfg_alerts *a)
{
    /* A refused value kept its default, which is within bounds: checked against the others
     * all the same, since the one given may be the one at fault. */
    if (a->retry_ms > a->retry_max_ms)
        alerts_err(ld, given(ld, "retry") ? "retry" : "retry_max",
                   "retry (%lld ms) must not be longer than retry_max (%lld ms)",
                   (long long)a->retry_ms, (long long)a->retry_max_ms);
    if (a->retry_max_ms >= a->give_up_ms)
        alerts_err(ld, given(ld, "give_up") ? "give_up" : "retry_max",
                   "retry_max (%lld ms) must be shorter than give_up (%lld ms)",
                   (long long)a->retry_max_ms, (long long)a->give_up_ms);
}

void cfg_alerts_check(struct load *ld)
{
    struct cfg_alerts *a = &ld->cfg->alerts;
    size_t wl = a->webhook ? strlen(a->webhook) + 1 : 0, tl = a->to ? strlen(a->to) + 1 : 0;

    a->digest_min = digest_minute(a->digest_at != NULL ? a->digest_at : "off");
    if (a->digest_min == -2) {
        alerts_err(ld, "digest_at", "'%s': expected HH:MM (24-hour, the site's time) or off",
                   a->digest_at);
        a->digest_min = -1;
    }
    check_retry(ld, a);
    free(a->lists_);
    if ((a->lists_ = malloc(wl + tl + 1)) == NULL) {
        ld->oom = 1;
        return;
    }
    if (a->webhook != NULL) {
        memcpy(a->lists_, a->webhook, wl);
        check_webhooks(ld, a, a->lists_);
    }
    if (a->to != NULL)
        memcpy(a->lists_ + wl, a->to, tl);
    check_mail(ld, a, a->to != NULL ? a->lists_ + wl : NULL);
    if (a->webhook_credential != NULL && a->webhook == NULL)
        alerts_err(ld, "webhook_credential", "no webhook = URL to log in to");
}

/* The credential named by key (value name), or NULL (reported when it is not there). */
static const struct cfg_credential *resolve(struct load *ld, const char *key, const char *name)
{
    const struct cfg_credential *c;

    if (name == NULL || !ld->creds_ok)
        return NULL;
    if ((c = cfg_cred_find(ld, name)) != NULL)
        return c;
    if (ld->cfg->credentials_path == NULL)
        alerts_err(ld, key, "unknown credential '%s' (no credentials file in [inventory])", name);
    else
        alerts_err(ld, key, "unknown credential '%s' (no such section in credentials.ini)", name);
    return NULL;
}

void cfg_alerts_resolve(struct load *ld)
{
    struct cfg_alerts *a = &ld->cfg->alerts;

    a->webhook_cred = resolve(ld, "webhook_credential", a->webhook_credential);
    a->smtp_cred = resolve(ld, "smtp_credential", a->smtp_credential);
}

void cfg_alerts_forget(struct cfg_alerts *a)
{
    free(a->lists_);
    a->lists_ = NULL;
    a->n_webhooks = a->n_rcpt = 0;
}
