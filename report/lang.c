/* lang.c - the words of reports in Vietnamese and English (lang.h), as a district office
 * writes them in its reports to the province: "Phụ lục", "STT", "Kinh phí dự kiến (đồng)",
 * dates as dd/mm/yyyy, money as 4.500.000. Constant tables; no state. */
#include "lang.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* {en, vi} of each label, in enum rlabel_id order. */
static const char *const labels[RL_ID_COUNT][2] = {
    [RL_APPENDIX] = {"APPENDIX", "PHỤ LỤC"},
    [RL_TITLE_BACKLOG] = {"Security cameras needing maintenance and repair, with the cost estimate",
                          "Danh mục camera an ninh cần bảo trì, sửa chữa và dự toán kinh phí"},
    [RL_TITLE_AVAIL] = {"Operation of the security cameras",
                        "Tình hình hoạt động của hệ thống camera an ninh"},
    [RL_TITLE_PROVINCE] = {"Security cameras needing maintenance and repair, by district",
                           "Tổng hợp nhu cầu bảo trì, sửa chữa camera an ninh các địa phương"},
    [RL_ATTACHED] = {"(Attached to report No. ……/…… dated ……/……/…… of %s)",
                     "(Kèm theo Báo cáo số ……/BC-…… ngày …… tháng …… năm …… của %s)"},
    [RL_PERIOD] = {"Period: from %s to %s", "Kỳ báo cáo: từ %s đến %s"},
    [RL_GENERATED] = {"Figures as of %s, computed by camwatch from the monitoring log",
                      "Số liệu tính đến %s, do hệ thống camwatch tổng hợp từ nhật ký giám sát"},
    [RL_PLACE_DATE] = {"%s, %s", "%s, ngày %s tháng %s năm %s"},
    [RL_SIGN_LEFT] = {"PREPARED BY", "NGƯỜI LẬP BIỂU"},
    [RL_SIGN_LEFT_NOTE] = {"(signature, full name)", "(Ký, ghi rõ họ tên)"},
    [RL_SIGN_RIGHT] = {"HEAD OF UNIT", "THỦ TRƯỞNG ĐƠN VỊ"},
    [RL_SIGN_RIGHT_NOTE] = {"(signature, full name, seal)", "(Ký, ghi rõ họ tên, đóng dấu)"},
    [RL_STT] = {"No.", "STT"},
    [RL_CAMERA_ID] = {"Camera", "Mã camera"},
    [RL_LOCATION] = {"Location", "Vị trí lắp đặt"},
    [RL_OWNER] = {"Managed by", "Đơn vị quản lý"},
    [RL_COMMUNE] = {"Commune", "Xã, thị trấn"},
    [RL_ROAD] = {"Road", "Tuyến đường"},
    [RL_PRIORITY] = {"Priority", "Ưu tiên"},
    [RL_STATE_NOW] = {"State now", "Tình trạng hiện tại"},
    [RL_OUTAGES] = {"Outages", "Số lần mất tín hiệu"},
    [RL_DOWNTIME_H] = {"Down time (h)", "Thời gian mất tín hiệu (giờ)"},
    [RL_LONGEST_H] = {"Longest (h)", "Lâu nhất (giờ)"},
    [RL_MTTR_H] = {"Mean repair (h)", "Thời gian khắc phục bình quân (giờ)"},
    [RL_DEGRADED_H] = {"Degraded (h)", "Kém chất lượng (giờ)"},
    [RL_MAINTENANCE_H] = {"Maintenance (h)", "Bảo trì (giờ)"},
    [RL_UNMONITORED_H] = {"Not monitored (h)", "Chưa giám sát (giờ)"},
    [RL_AVAILABILITY_PCT] = {"Avail. (%)", "Tỷ lệ hoạt động (%)"},
    [RL_DEGRADED_WHY] = {"Degraded because", "Nguyên nhân kém chất lượng"},
    [RL_FINDINGS] = {"Findings", "Tình trạng hư hỏng, xuống cấp"},
    [RL_ACTIONS] = {"Proposed work", "Đề xuất xử lý"},
    [RL_COST_VND] = {"Estimated cost (VND)", "Kinh phí dự kiến (đồng)"},
    [RL_PRICE_SOURCE] = {"Price source", "Căn cứ đơn giá"},
    [RL_NOTES] = {"Notes", "Ghi chú"},
    [RL_CAMERAS] = {"Cameras", "Tổng số camera"},
    [RL_NEEDING_WORK] = {"Needing work", "Số camera cần xử lý"},
    [RL_DOWN_NOW] = {"Down now", "Đang mất tín hiệu"},
    [RL_ITEMS] = {"Work items", "Số hạng mục"},
    [RL_PRIORITY_COST] = {"Of which at priority sites (VND)", "Trong đó: điểm ưu tiên (đồng)"},
    [RL_UNPRICED] = {"Items without a price", "Hạng mục chưa có đơn giá"},
    [RL_ACTION] = {"Work", "Hạng mục công việc"},
    [RL_COUNT] = {"Count", "Số lượng"},
    [RL_UNIT_PRICE] = {"Unit price (VND)", "Đơn giá (đồng)"},
    [RL_TOTAL] = {"Total", "Tổng cộng"},
    [RL_DISTRICT] = {"District", "Địa phương"},
    [RL_PERIOD_FROM] = {"From", "Từ"},
    [RL_PERIOD_TO] = {"To", "Đến"},
    [RL_PROVINCE_TOTAL] = {"Province total", "Toàn tỉnh"},
    [RL_SEC_OWNERS] = {"I. SUMMARY BY MANAGING UNIT", "I. TỔNG HỢP THEO ĐƠN VỊ QUẢN LÝ"},
    [RL_SEC_COMMUNES] = {"II. BY COMMUNE", "II. TỔNG HỢP THEO XÃ, THỊ TRẤN"},
    [RL_SEC_DETAIL_BACKLOG] = {"II. CAMERAS NEEDING WORK, IN ORDER OF PRIORITY",
                               "II. CHI TIẾT CAMERA CẦN XỬ LÝ (THEO THỨ TỰ ƯU TIÊN)"},
    [RL_SEC_DETAIL_AVAIL] = {"III. EACH CAMERA", "III. CHI TIẾT TỪNG CAMERA"},
    [RL_SEC_ACTIONS] = {"III. COST BY KIND OF WORK", "III. KINH PHÍ THEO HẠNG MỤC CÔNG VIỆC"},
    [RL_SEC_DISTRICTS] = {"I. SUMMARY BY DISTRICT", "I. TỔNG HỢP THEO ĐỊA PHƯƠNG"},
    [RL_SEC_DISTRICT_OWNERS] = {"II. BY DISTRICT AND MANAGING UNIT",
                                "II. CHI TIẾT THEO ĐỊA PHƯƠNG VÀ ĐƠN VỊ QUẢN LÝ"},
    [RL_SEC_CHARTS] = {"CHARTS", "BIỂU ĐỒ"},
    [RL_SHEET_SUMMARY] = {"Summary", "Tổng hợp"},
    [RL_SHEET_DETAIL] = {"Detail", "Chi tiết"},
    [RL_SHEET_COMMUNES] = {"Communes", "Theo xã"},
    [RL_SHEET_ACTIONS] = {"By work", "Theo hạng mục"},
    [RL_SHEET_OWNERS] = {"By unit", "Theo đơn vị"},
    [RL_CHART_AVAIL] = {"Availability by managing unit (%)",
                        "Tỷ lệ hoạt động theo đơn vị quản lý (%)"},
    [RL_CHART_WEEKS] = {"Outages per week", "Số lần mất tín hiệu theo tuần"},
    [RL_CHART_COSTS] = {"Estimated cost by kind of work (VND)",
                        "Kinh phí dự kiến theo hạng mục (đồng)"},
    [RL_CHART_LEFT_OUT] = {"Not in the chart, having no price",
                           "Không đưa vào biểu đồ do chưa có đơn giá"},
    /* Whether or not a recorder is indexed: the backlog does not count its gaps yet. */
    [RL_NOT_MEASURED_GAPS] = {"Recording gaps: not measured (this report does not count them "
                              "yet).",
                              "Khoảng trống ghi hình: chưa đo (báo cáo này chưa tính đến)."},
    [RL_NOT_MEASURED_SAMPLES] = {"Picture quality: not measured in this period (no stream "
                                 "samples).",
                                 "Chất lượng hình ảnh: chưa đo trong kỳ (không có mẫu kiểm "
                                 "tra)."},
    [RL_NOT_MEASURED_ONVIF] = {"Clocks, settings and firmware (ONVIF): not measured.",
                               "Đồng hồ, cấu hình và phần mềm camera (ONVIF): chưa đo."},
    [RL_DEF_AVAIL] = {"Availability = time the camera answered (degraded included) / time it was "
                      "monitored; time under maintenance and time not monitored are shown apart "
                      "and not counted as down. Figures come from the exact times of each state "
                      "change.",
                      "Tỷ lệ hoạt động = thời gian camera hoạt động (kể cả kém chất lượng) / "
                      "thời gian được giám sát; thời gian bảo trì và chưa giám sát được tính "
                      "riêng, không tính là mất tín hiệu. Số liệu tính theo thời điểm thay đổi "
                      "trạng thái của từng camera."},
    [RL_DEF_PRIORITY] = {"Priority 1: sites on national roads (QL), markets and commune borders; "
                         "then by downtime in the period.",
                         "Ưu tiên 1: điểm trên quốc lộ, chợ và địa bàn giáp ranh; tiếp theo "
                         "xếp theo thời gian mất tín hiệu trong kỳ."},
    [RL_DEF_COSTS] = {"Costs: the unit prices in table III, each with its source; a ticket filed "
                      "by field staff may carry its own cost. Work without a unit price is "
                      "counted apart, never as free.",
                      "Kinh phí: theo đơn giá tại mục III (có ghi căn cứ); phiếu công việc do "
                      "cán bộ kỹ thuật lập có thể ghi kinh phí riêng. Hạng mục chưa có đơn giá "
                      "được thống kê riêng, không tính bằng 0."},
    [RL_DEF_RETIRED] = {"Retired: a camera taken out of the inventory during the period; its "
                        "figures cover the time until then.",
                        "Đã gỡ bỏ: camera đã được gỡ khỏi danh mục quản lý trong kỳ; số liệu "
                        "của camera tính đến thời điểm gỡ bỏ."},
    [RL_DEF_CAMERAS_RETIRED] = {"Cameras: every camera monitored in the period, those taken out "
                                "of the inventory during it included, with their availability "
                                "and outages until then; cameras needing work and down now "
                                "count only those still in the inventory.",
                                "Số camera: tất cả camera được giám sát trong kỳ, kể cả camera "
                                "đã gỡ khỏi danh mục quản lý trong kỳ (tỷ lệ hoạt động và số "
                                "lần mất tín hiệu tính đến thời điểm gỡ bỏ); số camera cần "
                                "sửa chữa và đang mất tín hiệu chỉ tính camera còn trong "
                                "danh mục."},
    [RL_PERIODS_DIFFER] = {"The districts' periods differ: %s.",
                           "Kỳ báo cáo của các địa phương không trùng nhau: %s."},
    [RL_DISTRICT_PERIOD] = {"%s from %s to %s", "%s từ %s đến %s"},
    [RL_NONE] = {"none", "không có"},
    [RL_NO_PRICE] = {"no price", "chưa có đơn giá"},
    [RL_TICKET] = {"ticket", "phiếu"},
    [RL_WEEK_OF] = {"week of", "tuần từ"},
};

const char *rlabel(enum report_lang lang, enum rlabel_id id)
{
    return (unsigned)id < RL_ID_COUNT ? labels[id][lang == REPORT_VI] : "";
}

struct word {
    const char *name, *en, *vi;
};

static const char *lookup(const struct word *w, size_t n, enum report_lang lang, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(w[i].name, name) == 0)
            return lang == REPORT_VI ? w[i].vi : w[i].en;
    return name != NULL ? name : "";
}

#define LOOKUP(t, lang, name) lookup(t, sizeof(t) / sizeof(t[0]), lang, name)

static const struct word states[] = {
    {"up", "up", "Tốt"},
    {"degraded", "degraded", "Kém chất lượng"},
    {"down", "down", "Mất tín hiệu"},
    {"unknown", "unknown", "Chưa xác định"},
    {"maintenance", "under maintenance", "Đang bảo trì"},
    {"retired", "retired", "Đã gỡ bỏ"}, /* no state of the store: taken out of the inventory */
};

static const struct word actions[] = {
    {"restore_link", "Restore power or network link", "Khôi phục nguồn điện, đường truyền"},
    {"clean_lens", "Clean or refocus the lens", "Vệ sinh, chỉnh tiêu cự ống kính"},
    {"reaim", "Re-aim the camera", "Chỉnh lại góc quay camera"},
    {"setup_ntp", "Set the clock to follow NTP", "Cài đặt đồng bộ thời gian (NTP)"},
    {"reconfigure_encoder", "Reconfigure the video settings", "Cấu hình lại thông số hình ảnh"},
    {"update_credentials", "Update the access account", "Cập nhật tài khoản truy cập"},
    {"update_firmware", "Update the firmware", "Cập nhật phần mềm (firmware)"},
    {"repair_ir", "Repair the infrared light or site lighting", "Sửa đèn hồng ngoại, chiếu sáng"},
    {"replace_camera", "Replace the camera", "Thay thế camera"},
    {"replace_disk", "Replace the recorder's disk", "Thay ổ cứng đầu ghi"},
};

static const struct word whys[] = {
    {"national_road", "national road", "Quốc lộ"},
    {"market", "market", "Chợ"},
    {"border", "border", "Giáp ranh"},
};

/* Reason kinds: why a camera was degraded or is down. */
static const struct word kinds[] = {
    {"slow", "slow answer", "phản hồi chậm"},
    {"no_media", "no picture", "không nhận được hình ảnh"},
    {"low_res", "low resolution", "độ phân giải thấp"},
    {"low_fps", "low frame rate", "tốc độ khung hình thấp"},
    {"low_bitrate", "low bitrate", "tốc độ bit thấp"},
    {"long_gop", "rare keyframes", "khung hình chính thưa"},
    {"ts_faults", "transmission faults", "lỗi truyền dẫn"},
    {"dark", "dark picture", "hình ảnh tối"},
    {"black", "black picture", "hình ảnh đen"},
    {"overexposed", "over-exposed picture", "hình ảnh chói sáng"},
    {"blurred", "blurred picture", "hình ảnh mờ"},
    {"frozen", "frozen picture", "hình ảnh bị đứng"},
    {"moved", "moved or covered", "lệch hướng hoặc bị che"},
    {"sdp_mismatch", "stream differs from its description", "thông số luồng không khớp"},
    {"clock", "clock off", "sai đồng hồ"},
    {"encoder_config", "video settings below the minimum", "cấu hình hình ảnh dưới mức tối thiểu"},
    {"onvif_auth", "management account refused", "từ chối tài khoản quản lý"},
    {"onvif", "management interface failing", "lỗi giao tiếp quản lý"},
    {"timeout", "no answer", "không phản hồi"},
    {"refused", "connection refused", "từ chối kết nối"},
    {"unreachable", "unreachable", "không kết nối được"},
    {"auth", "wrong account or password", "sai tài khoản hoặc mật khẩu"},
    {"not_found", "no video stream at its address", "không có luồng video"},
    {"protocol", "protocol error", "lỗi giao thức"},
    {"other", "other fault", "lỗi khác"},
    {"unstable", "unstable link", "kết nối chập chờn"},
    {"firmware", "outdated firmware", "phần mềm cũ"},
    {"down", "down", "mất tín hiệu"},
};

const char *rlabel_state(enum report_lang lang, const char *state)
{
    return LOOKUP(states, lang, state);
}

const char *rlabel_action(enum report_lang lang, const char *action)
{
    return LOOKUP(actions, lang, action);
}

const char *rlabel_why(enum report_lang lang, const char *why)
{
    return LOOKUP(whys, lang, why);
}

const char *rlabel_kind(enum report_lang lang, const char *kind)
{
    return LOOKUP(kinds, lang, kind);
}

/* ---- numbers ---- */

/* digits (a whole number's, no sign) grouped by threes with sep, after sign, into buf. */
static void group(const char *sign, const char *digits, char sep, char *buf, size_t len)
{
    size_t n = strlen(digits), o = 0;

    o += (size_t)snprintf(buf, len, "%s", sign);
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = sep;
        buf[o++] = digits[i];
    }
    buf[o < len ? o : len - 1] = '\0';
}

const char *rfmt_int(enum report_lang lang, int64_t v, char *buf, size_t len)
{
    char digits[32];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    snprintf(digits, sizeof(digits), "%llu", u);
    group(v < 0 ? "-" : "", digits, lang == REPORT_VI ? '.' : ',', buf, len);
    return buf;
}

const char *rfmt_dec(enum report_lang lang, double v, int decimals, char *buf, size_t len)
{
    char raw[64], *dot;

    /* printf rounds the double once; the parts are then only regrouped. */
    snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v));
    dot = strchr(raw, '.');
    if (dot != NULL)
        *dot = '\0';
    group(v < 0 && strspn(raw, "0") != strlen(raw) ? "-" : "", raw, lang == REPORT_VI ? '.' : ',',
          buf, len);
    if (dot != NULL) {
        size_t o = strlen(buf);
        snprintf(buf + o, len - o, "%c%s", lang == REPORT_VI ? ',' : '.', dot + 1);
    }
    return buf;
}

double rhours(int64_t ms)
{
    return (double)ms / 3600000.0;
}

const char *rfmt_date(enum report_lang lang, const char *iso, char *buf, size_t len)
{
    int y, m, d;

    if (iso == NULL || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    if (lang == REPORT_VI)
        snprintf(buf, len, "%02d/%02d/%04d", d, m, y);
    else
        snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
    return buf;
}

const char *rfmt_datetime(enum report_lang lang, const char *iso, char *buf, size_t len)
{
    int y, mo, d, h, mi;

    if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    if (lang == REPORT_VI)
        snprintf(buf, len, "%02d:%02d ngày %02d/%02d/%04d", h, mi, d, mo, y);
    else
        snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
    return buf;
}

/* "ngày 01/11/2026" for a midnight, "13:14 ngày 06/12/2026" otherwise (en: "2026-11-01",
 * "2026-12-06 13:14"). */
const char *rfmt_period_start(enum report_lang lang, const char *iso, char *buf, size_t len)
{
    char d[32];

    if (iso != NULL && strlen(iso) >= 19 && strncmp(iso + 11, "00:00:00", 8) == 0) {
        rfmt_date(lang, iso, d, sizeof(d));
        snprintf(buf, len, "%s%s", lang == REPORT_VI ? "ngày " : "", d);
        return buf;
    }
    return rfmt_datetime(lang, iso, buf, len);
}

const char *rfmt_period_end(enum report_lang lang, const char *iso, char *buf, size_t len)
{
    struct tm tm = {0};
    char day[16], d[32];
    time_t t;

    if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return rfmt_date(lang, iso, buf, len);
    if (tm.tm_hour != 0 || tm.tm_min != 0 || tm.tm_sec != 0)
        return rfmt_datetime(lang, iso, buf, len);
    /* a midnight ends the day before: calendar arithmetic on the date alone */
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    t = timegm(&tm) - 86400;
    gmtime_r(&t, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    rfmt_date(lang, day, d, sizeof(d));
    snprintf(buf, len, "%s%s", lang == REPORT_VI ? "hết ngày " : "the end of ", d);
    return buf;
}
