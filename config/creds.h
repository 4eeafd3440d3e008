/* creds.h - credentials.ini. Private to config/. */
#ifndef CW_CFG_CREDS_H
#define CW_CFG_CREDS_H

#include "load.h"

/* With systemd's LoadCredential=, the credentials file sits in $CREDENTIALS_DIRECTORY
 * under its base name: point ld->cfg->credentials_path there. */
void cfg_creds_use_credentials_directory(struct load *ld);

/* Read ld->cfg->credentials_path into ld->cfg->creds; problems reported in ld. Sets
 * ld->creds_ok once the file was read (even with problems). */
void cfg_creds_load(struct load *ld);

/* The credential called name, or NULL; borrowed from ld->cfg. */
const struct cfg_credential *cfg_cred_find(const struct load *ld, const char *name);

/* Point each camera with a credential column at its credential. */
void cfg_creds_resolve(const struct load *ld);

#endif
