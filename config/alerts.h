/* alerts.h - [alerts] past its rows (conf.c): the checks across its keys once camwatch.conf is
 * read (each target's URL, the addresses, the digest's time, the retry bounds), the lists made
 * of them, and the credentials it names, looked up once credentials.ini is read. Private to
 * config/. */
#ifndef CW_CFG_ALERTS_H
#define CW_CFG_ALERTS_H

#include "load.h"

#define CFG_ALERTS_LIST_MAX 1023   /* a value listing URLs or addresses, bytes */
#define CFG_ALERTS_ADDRESS_MAX 254 /* an e-mail address: RFC 5321's 256 for a path, less <> */

/* Check [alerts] across its keys and make cfg->alerts' lists and digest_min; problems
 * reported in ld at the keys' lines. The section's check() in conf.c. */
void cfg_alerts_check(struct load *ld);

/* Point the credentials [alerts] names at credentials.ini's sections (read by now); an unknown
 * one is reported at its key's line. */
void cfg_alerts_resolve(struct load *ld);

/* Free what cfg_alerts_check made (the strings of the rows are conf.c's). */
void cfg_alerts_forget(struct cfg_alerts *a);

#endif
