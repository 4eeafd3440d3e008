/* lang.h - the words and numbers of reports in Vietnamese and English: labels, the names of
 * states, actions and owners' sites, a finding as a sentence, and numbers, money, dates and
 * durations written as each language writes them (vi: 4.500.000, 99,51, 30/11/2026). Pure:
 * constant tables; any thread. */
#ifndef CW_REPORT_LANG_H
#define CW_REPORT_LANG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* Labels; rlabel() gives each in a language. */
enum rlabel_id {
    RL_APPENDIX,
    RL_TITLE_BACKLOG,
    RL_TITLE_AVAIL,
    RL_TITLE_PROVINCE,
    RL_ATTACHED,  /* "(Kèm theo Báo cáo số ……/BC-…… ngày …… của %s)" */
    RL_PERIOD,    /* "Kỳ báo cáo: từ %s đến %s" */
    RL_GENERATED, /* "Số liệu tính đến %s" */
    RL_PLACE_DATE,
    RL_SIGN_LEFT,
    RL_SIGN_LEFT_NOTE,
    RL_SIGN_RIGHT,
    RL_SIGN_RIGHT_NOTE,
    RL_STT,
    RL_CAMERA_ID,
    RL_LOCATION,
    RL_OWNER,
    RL_COMMUNE,
    RL_ROAD,
    RL_PRIORITY,
    RL_STATE_NOW,
    RL_OUTAGES,
    RL_DOWNTIME_H,
    RL_LONGEST_H,
    RL_MTTR_H,
    RL_DEGRADED_H,
    RL_MAINTENANCE_H,
    RL_UNMONITORED_H,
    RL_AVAILABILITY_PCT,
    RL_DEGRADED_WHY,
    RL_FINDINGS,
    RL_ACTIONS,
    RL_COST_VND,
    RL_PRICE_SOURCE,
    RL_NOTES,
    RL_CAMERAS,
    RL_NEEDING_WORK,
    RL_DOWN_NOW,
    RL_ITEMS,
    RL_PRIORITY_COST,
    RL_UNPRICED,
    RL_ACTION,
    RL_COUNT,
    RL_UNIT_PRICE,
    RL_TOTAL,
    RL_DISTRICT,
    RL_PERIOD_FROM, /* a district's own period, as its start and end cells */
    RL_PERIOD_TO,
    RL_PROVINCE_TOTAL,
    RL_SEC_OWNERS,
    RL_SEC_COMMUNES,
    RL_SEC_DETAIL_BACKLOG,
    RL_SEC_DETAIL_AVAIL,
    RL_SEC_ACTIONS,
    RL_SEC_DISTRICTS,
    RL_SEC_DISTRICT_OWNERS,
    RL_SEC_CHARTS,
    RL_SHEET_SUMMARY,
    RL_SHEET_DETAIL,
    RL_SHEET_COMMUNES,
    RL_SHEET_ACTIONS,
    RL_SHEET_OWNERS,
    RL_CHART_AVAIL,
    RL_CHART_WEEKS,
    RL_CHART_COSTS,
    RL_CHART_LEFT_OUT,
    RL_NOT_MEASURED_GAPS,
    RL_NOT_MEASURED_SAMPLES,
    RL_NOT_MEASURED_ONVIF,
    RL_DEF_AVAIL,
    RL_DEF_PRIORITY,
    RL_DEF_COSTS,
    RL_DEF_RETIRED,         /* availability: what "retired" in the state column means */
    RL_DEF_CAMERAS_RETIRED, /* backlog: which cameras the owners' rows count */
    RL_PERIODS_DIFFER,  /* "Kỳ báo cáo của các địa phương không trùng nhau: %s." */
    RL_DISTRICT_PERIOD, /* "%s từ %s đến %s": a district, its start and end */
    RL_NONE,
    RL_NO_PRICE,
    RL_TICKET,
    RL_WEEK_OF,
    RL_ID_COUNT
};

const char *rlabel(enum report_lang lang, enum rlabel_id id);
/* A state ("up", ...), an action ("restore_link", ...), a priority reason ("national_road",
 * "market", "border") or a reason kind ("blurred", ...) in lang; the name itself when unknown. */
const char *rlabel_state(enum report_lang lang, const char *state);
const char *rlabel_action(enum report_lang lang, const char *action);
const char *rlabel_why(enum report_lang lang, const char *why);
const char *rlabel_kind(enum report_lang lang, const char *kind);

/* Numbers as lang writes them. Each returns buf. */
const char *rfmt_int(enum report_lang lang, int64_t v, char *buf, size_t len); /* 4.500.000 */
const char *rfmt_dec(enum report_lang lang, double v, int decimals, char *buf, size_t len);
/* An ISO time of a document ("2026-11-30T14:05:00+07:00", already in the site's zone) as a
 * date (30/11/2026; en 2026-11-30) or a time and date (14:05 ngày 30/11/2026; en 2026-11-30
 * 14:05).
 * "" for NULL. */
const char *rfmt_date(enum report_lang lang, const char *iso, char *buf, size_t len);
const char *rfmt_datetime(enum report_lang lang, const char *iso, char *buf, size_t len);
/* The start and the end of a range as its period line says them: a midnight as a day
 * ("ngày 01/11/2026"; the end, not included, as the day before: "hết ngày 30/11/2026"), any
 * other time with its hour ("14:15 ngày 06/12/2026"). */
const char *rfmt_period_start(enum report_lang lang, const char *iso, char *buf, size_t len);
const char *rfmt_period_end(enum report_lang lang, const char *iso, char *buf, size_t len);
/* ms as hours, the figure the tables show: 2 decimals. */
double rhours(int64_t ms);

/* A finding of the backlog (its JSON) as one sentence in lang. Caller frees; NULL when out of
 * memory. */
char *rfinding_text(enum report_lang lang, const json_t *finding);

#endif
