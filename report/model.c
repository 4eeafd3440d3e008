/* model.c - a report's table model (model.h) built from its document: the kind and version
 * checked, then the backlog (model_backlog.c), availability or the province summary
 * (model_avail.c) laid out on the building blocks of table.c. */
#include <string.h>

#include "model.h"

int rmodel_build(const json_t *doc, enum report_lang lang, struct rmodel *m, struct cw_err *err)
{
    const char *kind = rj_str(doc, "kind");
    int rc;

    memset(m, 0, sizeof(*m));
    m->lang = lang;
    if (err != NULL)
        err->msg[0] = '\0';
    if (!json_is_object(doc) || rj_num(doc, "version") != 1)
        return cw_err_set(err, NULL, 0, NULL, "not a camwatch report of version 1");
    if (strcmp(kind, "backlog") == 0)
        rc = rmodel_backlog(m, doc);
    else if (strcmp(kind, "availability") == 0)
        rc = rmodel_availability(m, doc);
    else if (strcmp(kind, "province") == 0)
        rc = rmodel_province(m, doc);
    else
        return cw_err_set(err, NULL, 0, NULL, "not a report: kind '%s'", kind);
    if (rc != 0) {
        rmodel_free(m);
        return rmodel_oom(m, 1, err);
    }
    return 0;
}
