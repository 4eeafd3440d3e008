/* test_cfg_inventory.c - cameras.csv: its header, every column checked, every bad row
 * named by file, line and column (config/inventory.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgtest.h"

static void test_missing_csv_names_file(void **state)
{
    struct site *s = *state;

    site_conf(s, "[inventory]\ncameras = inventory/cams.csv\n[owners]\nCAH = C\n");
    expect_one_error(s, "/inventory/cams.csv", 0, "", "cannot read: No such file or directory");
}

/* What Excel writes when asked for CSV in a language with decimal commas (';'), or for
 * "Unicode Text" (UTF-16, tabs), and a folder named as the file: one error saying so, not a
 * list of 16 missing columns or "empty file". */
static void expect_csv_refused(struct site *s, const char *csv, const char *msg)
{
    site_std(s, "");
    site_write(s, "cameras.csv", csv, 0644);
    expect_one_error(s, "/cameras.csv", 1, "", msg);
}

static void test_a_sheet_saved_the_wrong_way_says_how_to_save_it(void **state)
{
    expect_csv_refused(*state, "id;name;owner;commune\nA;B;CAH;x\n",
                       "fields separated by ';', not ',': save the sheet as \"CSV UTF-8 (Comma "
                       "delimited)\", with ',' as the list separator");
}

static void test_a_utf16_sheet_says_how_to_save_it(void **state)
{
    expect_csv_refused(*state, "\xff\xfei",
                       "UTF-16 text (Excel's \"Unicode Text\"): save the sheet as \"CSV UTF-8 "
                       "(Comma delimited)\"");
}

static void test_a_folder_as_cameras_is_not_an_empty_file(void **state)
{
    struct site *s = *state;

    site_mkdir(s, "folder");
    site_conf(s, "[inventory]\ncameras = folder\n[owners]\nCAH = C\n");
    expect_one_error(s, "/folder", 0, "", "cannot read: Is a directory");
}

static void test_csv_errors_name_the_path_joined_to_the_conf_folder(void **state)
{
    struct site *s = *state;
    char cwd[PATH_MAX];

    site_std(s, row("A", 7, "north"));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(s->dir), 0);
    assert_int_equal(cfg_load("camwatch.conf", &s->cfg, &s->errs), -1);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(s->errs.n, 1);
    assert_string_equal(s->errs.v[0].file, "cameras.csv");
    assert_string_equal(s->errs.v[0].msg, "not a number: 'north'");
}

static void test_empty_csv(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", "\n\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "", "empty file: expected the header " CFG_CSV_HEADER);
}

/* A sheet with its header and no row (the wrong sheet saved, or the rows left in another tab)
 * would have the daemon watch nothing: refused as an empty file is, naming the file. The
 * daemon keeps its fleet on a reload; the CLI, a reader, goes on with a warning. */
#define ONLY_HEADER_MSG                                                                            \
    "no cameras: the header and no row under it (was the right sheet saved?); each camera "        \
    "is one row"

static void test_a_sheet_with_only_its_header_is_refused_naming_the_file(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    expect_one_error(s, "/cameras.csv", 1, "", ONLY_HEADER_MSG);
    cw_errlist_clear(&s->errs);
    /* blank lines under the header are no rows either */
    site_write(s, "cameras.csv", CFG_CSV_HEADER "\n\n,,,,,,,,,,,,,,,\n\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "", ONLY_HEADER_MSG);
    cw_errlist_clear(&s->errs);
    /* a reader (the CLI: `report merge` at a province, `discover` on a new site, `token`) loads
     * the conf without a word: the sheet is not wrong for what it does */
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
    assert_int_equal(s->cfg->n_cameras, 0);
    assert_int_equal(s->errs.n, 0);
}

/* A header with a fault, or a row that cannot be read, is said once: not "no cameras" too. */
static void test_a_bad_header_or_row_alone_is_not_also_no_cameras(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",ip\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "ip", "unknown column");
    cw_errlist_clear(&s->errs);
    site_write(s, "cameras.csv", CFG_CSV_HEADER "\nA,B\n", 0644);
    expect_one_error(s, "/cameras.csv", 2, "", "2 fields, expected 16");
}

static void test_header_missing_column(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               "id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder\n",
               0644);
    expect_one_error(s, "/cameras.csv", 1, "notes", "missing column");
}

static void test_header_unknown_column(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",ip\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "ip", "unknown column");
}

/* Excel leaves empty header cells after the last column once a cell there was used or
 * formatted ("notes,,"), and every row then ends in as many empty cells: taken, as rows
 * without them are, however many (past the 24 header cells kept). */
static void test_empty_header_cells_after_the_last_column_are_taken(void **state)
{
    struct site *s = *state;
    char csv[8192], r1[2048];
    const char *commas = ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"; /* 30 */

    snprintf(r1, sizeof(r1), "%s", row("A", -1, NULL));
    r1[strlen(r1) - 1] = '\0';
    snprintf(csv, sizeof(csv), "%s,,\n%s,,\n%s", CFG_CSV_HEADER, r1, row("B", -1, NULL));
    site_std(s, "");
    site_write(s, "cameras.csv", csv, 0644);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->n_cameras, 2);
    cfg_free(s->cfg);
    s->cfg = NULL;
    snprintf(csv, sizeof(csv), "%s%s\n%s%s\n", CFG_CSV_HEADER, commas, r1, commas);
    site_write(s, "cameras.csv", csv, 0644);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(s->cfg->n_cameras, 1);
}

/* An empty header cell with a name after it would read every column after it one place
 * off: refused naming its number and the column before it, once per empty cell, never as
 * an "unknown column" with no name. */
static void test_an_empty_header_cell_before_a_name_is_refused_naming_its_number(void **state)
{
    static const char *const two[] = {
        "column 3 has no name (an empty header cell): delete the empty column after name",
        "column 4 has no name (an empty header cell): delete the empty column after it"};
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",,class,,\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "",
                     "column 17 has no name (an empty header cell): delete the empty column "
                     "after notes");
    cw_errlist_clear(&s->errs);
    site_write(s, "cameras.csv", "," CFG_CSV_HEADER "\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "",
                     "column 1 has no name (an empty header cell): delete the empty column "
                     "before id");
    cw_errlist_clear(&s->errs);
    /* each empty cell once; the second follows no name */
    site_write(s, "cameras.csv",
               "id,name,,,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder,notes\n",
               0644);
    assert_int_equal(site_load(s), -1);
    for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
        assert_error(&s->errs, "/cameras.csv", 1, "", two[i]);
    assert_int_equal(s->errs.n, sizeof(two) / sizeof(two[0]));
}

/* Text under an empty header cell would be dropped unseen: the row is refused naming the
 * column. */
static void test_text_under_an_empty_header_cell_is_refused(void **state)
{
    struct site *s = *state;
    char csv[4096], r1[2048];

    snprintf(r1, sizeof(r1), "%s", row("A", -1, NULL));
    r1[strlen(r1) - 1] = '\0';
    snprintf(csv, sizeof(csv), "%s,,,\n%s,,gate 2,\n", CFG_CSV_HEADER, r1);
    site_std(s, "");
    site_write(s, "cameras.csv", csv, 0644);
    expect_one_error(s, "/cameras.csv", 2, "",
                     "column 18 has text but no name in the header: name the column, or move "
                     "the text to the column it belongs in");
}

static void test_header_column_twice(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv", CFG_CSV_HEADER ",name\n", 0644);
    expect_one_error(s, "/cameras.csv", 1, "name", "column appears twice");
}

static void test_header_columns_out_of_order(void **state)
{
    struct site *s = *state;

    site_std(s, "");
    site_write(s, "cameras.csv",
               "id,name,owner,commune,site_kind,address,road,lon,lat,rtsp_url,onvif_url,"
               "credential,model,installed_on,recorder,notes\n"
               "A,B,CAH,,district,,,1,2,"
               "rtsp://h/,,,,,,\n",
               0644);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 1, "lat", "column out of order (column 9, expected 8)");
    assert_error(&s->errs, "/cameras.csv", 1, "lon", "column out of order (column 8, expected 9)");
    assert_int_equal(s->errs.n, 2); /* rows are not read under a wrong header */
}

static void test_row_with_wrong_field_count(void **state)
{
    struct site *s = *state;

    site_std(s, "A,B,CAH,,district,,,,,rtsp://h/a,,\n");
    expect_one_error(s, "/cameras.csv", 2, "", "12 fields, expected 16");
}

static void test_id_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("", -1, NULL));
    expect_one_error(s, "/cameras.csv", 2, "id", "required");
}

static void test_id_characters(void **state)
{
    struct site *s = *state;

    site_std(s, row("CAH 01", -1, NULL));
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "id", "'CAH 01': use 1-63 of A-Z a-z 0-9 . _ -");
}

static void test_id_too_long(void **state)
{
    struct site *s = *state;
    char id[65], want[200];

    memset(id, 'a', 64);
    id[64] = '\0';
    site_std(s, row(id, 9, "rtsp://h/x"));
    snprintf(want, sizeof(want), "'%s': use 1-63 of A-Z a-z 0-9 . _ -", id);
    expect_one_error(s, "/cameras.csv", 2, "id", want);
}

static void test_duplicate_id_names_first_line(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%s", row("CAH-001", -1, NULL));
    strcat(rows, row("CAH-002", -1, NULL));
    strcat(rows, row("CAH-001", -1, NULL));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 4, "id", "duplicate id 'CAH-001' (first at line 2)");
}

/* CAM-1 and cam-1 export to CAM-1.mp4 and cam-1.mp4, one file on FAT or NTFS media, and
 * people read them as one camera: the second is refused naming the first, every such row
 * once; a reader's load keeps the first. */
#define CASE_MSG(id, line, first)                                                                  \
    id " is the same id as line " #line " (" first ") but for case: ids must differ in more "      \
       "than case"

static void test_an_id_differing_only_in_case_is_refused_naming_the_first(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%s", row("CAM-1", -1, NULL));
    strcat(rows, row("CAM-2", -1, NULL));
    strcat(rows, row("cam-1", -1, NULL));
    strcat(rows, row("Cam-1", -1, NULL));
    strcat(rows, row("CAM-1", -1, NULL));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 4, "id", CASE_MSG("cam-1", 2, "CAM-1"));
    assert_error(&s->errs, "/cameras.csv", 5, "id", CASE_MSG("Cam-1", 2, "CAM-1"));
    assert_error(&s->errs, "/cameras.csv", 6, "id", "duplicate id 'CAM-1' (first at line 2)");
    assert_int_equal(s->errs.n, 3);
    cw_errlist_clear(&s->errs);
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
    assert_int_equal(s->cfg->n_cameras, 2);
    assert_non_null(cfg_find_camera(s->cfg, "CAM-1"));
    assert_null(cfg_find_camera(s->cfg, "cam-1"));
}

static void test_name_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 1, ""));
    expect_one_error(s, "/cameras.csv", 2, "name", "required");
}

static void test_owner_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 2, ""));
    expect_one_error(s, "/cameras.csv", 2, "owner", "required");
}

static void test_unknown_owner(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 2, "CAX-XX"));
    expect_one_error(s, "/cameras.csv", 2, "owner", "unknown owner 'CAX-XX' (not in [owners] of*");
}

static void test_bad_site_kind(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 4, "village"));
    expect_one_error(s, "/cameras.csv", 2, "site_kind",
                     "'village': must be district, commune or market");
}

static void test_lat_without_lon(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 8, ""));
    expect_one_error(s, "/cameras.csv", 2, "lon", "lat and lon go together: give both or neither");
}

static void test_lon_without_lat(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, ""));
    expect_one_error(s, "/cameras.csv", 2, "lat", "lat and lon go together: give both or neither");
}

static void test_lat_not_a_number(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, "10°18'N"));
    expect_one_error(s, "/cameras.csv", 2, "lat", "not a number: '10°18'N'");
}

static void test_lat_out_of_range(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 7, "105.7"));
    expect_one_error(s, "/cameras.csv", 2, "lat", "105.7 out of range [-90, 90]");
}

static void test_lon_out_of_range(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 8, "-180.5"));
    expect_one_error(s, "/cameras.csv", 2, "lon", "-180.5 out of range [-180, 180]");
}

static void test_rtsp_url_required(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, ""));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "required");
}

static void test_rtsp_url_missing_scheme(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "127.0.0.1:8554/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "missing scheme");
}

static void test_rtsp_url_other_scheme(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "http://127.0.0.1/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "not an rtsp URL");
}

static void test_rtsps_url_is_refused_as_unsupported(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsps://127.0.0.1:322/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url",
                     "rtsps:// is not supported; use the camera's rtsp:// URL");
}

static void test_rtsp_url_no_host(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp:///live"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "no host");
}

static void test_rtsp_url_with_password_points_to_credential_column(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url",
                     "user:password inside the URL; put them in the credentials file and name "
                     "its section in the credential column");
}

static void test_rtsp_url_bad_port(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://127.0.0.1:99999/a"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "bad port (1-65535)");
}

static void test_rtsp_url_with_space(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 9, "rtsp://127.0.0.1/cam 1"));
    expect_one_error(s, "/cameras.csv", 2, "rtsp_url", "spaces or control characters in the URL");
}

static void test_onvif_url_not_http(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 10, "rtsp://127.0.0.1/onvif"));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "not an http URL");
}

static void test_onvif_url_no_host(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 10, "http://:80/onvif/device_service"));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "no host");
}

static void test_url_longer_than_1023_bytes(void **state)
{
    struct site *s = *state;
    char url[1100];

    memset(url, 'a', sizeof(url) - 1);
    url[sizeof(url) - 1] = '\0';
    memcpy(url, "http://127.0.0.1/", 17);
    site_std(s, row("A", 10, url));
    expect_one_error(s, "/cameras.csv", 2, "onvif_url", "longer than 1023 bytes");
}

static void test_unknown_credential(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 11, "x"));
    expect_one_error(s, "/cameras.csv", 2, "credential", "unknown credential 'x'");
}

static void test_credential_without_credentials_file(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", -1, NULL));
    site_write(s, "camwatch.conf", "[inventory]\ncameras = cameras.csv\n[owners]\nCAH = C\n", 0644);
    expect_one_error(s, "/cameras.csv", 2, "credential",
                     "unknown credential 'district' (no credentials file in [inventory])");
}

static void test_installed_on_not_a_date(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%s", row("A", 13, "15/03/2018"));
    strcat(rows, row("B", 13, "2019-02-29"));
    strcat(rows, row("C", 13, "2019-13-01"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "installed_on",
                 "'15/03/2018' is not a date (YYYY-MM-DD)");
    assert_error(&s->errs, "/cameras.csv", 3, "installed_on",
                 "'2019-02-29' is not a date (YYYY-MM-DD)");
    assert_error(&s->errs, "/cameras.csv", 4, "installed_on",
                 "'2019-13-01' is not a date (YYYY-MM-DD)");
    assert_int_equal(s->errs.n, 3);
}

static void test_not_utf8(void **state)
{
    struct site *s = *state;

    site_std(s, row("A", 1, "C\xe1\xba\xa7u L\xe0i Vung")); /* \xe0 alone: Latin-1 */
    expect_one_error(s, "/cameras.csv", 2, "name", "not valid UTF-8 (save the file as CSV UTF-8)");
}

static void test_bad_quoting_then_reading_goes_on(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "A,Cầu \"Lai\" Vung,CAH,,district,,,,,rtsp://h/a,,,,,,\n");
    strcat(rows, row("B", 2, "nobody"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "",
                 "bad quoting: a '\"' inside an unquoted field or after a closing quote");
    assert_error(&s->errs, "/cameras.csv", 3, "owner", "unknown owner 'nobody'*");
    assert_int_equal(s->errs.n, 2);
}

static void test_unclosed_quote_at_end_names_record_line(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows), "%sB,\"Chợ\n\nLai Vung,CAH\n", row("A", -1, NULL));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 3, "",
                     "quoted field not closed before the end of the file");
}

static void test_blank_and_empty_rows_are_skipped_and_lines_still_count(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows),
             "\r\n,,,,,,,,,,,,,,,\n   \nA,Cầu,CAH,,district,"
             ",,,,rtsp://h/a,,,,,,\"Lai\r\nVung\"\r\n\n%s",
             row("B", 9, "ftp://h/b"));
    site_std(s, rows);
    expect_one_error(s, "/cameras.csv", 8, "rtsp_url", "not an rtsp URL");
}

/* A cell typed with Alt+Enter in Excel, or an escape: a name, address or id on two lines
 * would break every table and report row it is printed in. notes may hold line breaks. */
static void test_a_line_break_or_control_character_is_refused_but_in_notes(void **state)
{
    struct site *s = *state;
    char rows[4096];

    snprintf(rows, sizeof(rows),
             "A,\"Cầu\nLai Vung\",CAH,,district,,,,,rtsp://h/a,,,,,,\"một\r\nhai\"\n%s",
             row("B", 5, "QL80\x1b[2J"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_int_equal(s->errs.n, 2);
    assert_error(&s->errs, "/cameras.csv", 2, "name",
                 "a line break or other control character: keep the value on one line (in Excel, "
                 "a cell without Alt+Enter)");
    assert_error(&s->errs, "/cameras.csv", 5, "address", "a line break or other control*");
}

static void test_every_bad_row_is_reported(void **state)
{
    struct site *s = *state;
    char rows[8192];

    snprintf(rows, sizeof(rows), "%s", row("A", 9, "rtsp//x"));
    strcat(rows, row("B", -1, NULL));
    strcat(rows, row("C", 7, "91"));
    strcat(rows, row("D", 4, "chợ"));
    strcat(rows, row("E", 11, "nope"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "rtsp_url", "missing scheme");
    assert_error(&s->errs, "/cameras.csv", 4, "lat", "91 out of range [-90, 90]");
    assert_error(&s->errs, "/cameras.csv", 5, "site_kind", "'chợ': must be district, commune*");
    assert_error(&s->errs, "/cameras.csv", 6, "credential", "unknown credential 'nope'");
    assert_int_equal(s->errs.n, 4);
}

static void test_csv_header_macro_matches_columns(void **state)
{
    struct site *s = *state;

    /* a header built from the macro is accepted: the macro and the parser agree */
    site_std(s, row("A", -1, NULL));
    assert_int_equal(site_load(s), 0);
    assert_int_equal(s->cfg->n_cameras, 1);
}

/* The URLs are read by libcurl's URL API, as the probes read them: what it refuses, and a
 * port 0 or a user it would take, are refused with the column named. */
static void test_urls_are_checked_as_libcurl_reads_them(void **state)
{
    struct site *s = *state;
    char rows[8192];

    snprintf(rows, sizeof(rows), "%s", row("A", 9, "rtsp://127.0.0.1:0/a"));
    strcat(rows, row("B", 9, "rtsp://[fe80::zz]/a"));
    strcat(rows, row("C", 9, "rtsp://cam\\01/a"));
    strcat(rows, row("D", 10, "http://admin@127.0.0.1/onvif/device_service"));
    strcat(rows, row("E", 10, "https://:8443/onvif/device_service"));
    strcat(rows, row("F", 10, "http:///onvif/device_service"));
    site_std(s, rows);
    assert_int_equal(site_load(s), -1);
    assert_error(&s->errs, "/cameras.csv", 2, "rtsp_url", "bad port (1-65535)");
    assert_error(&s->errs, "/cameras.csv", 3, "rtsp_url",
                 "not a URL libcurl can use (Bad IPv6 address)");
    assert_error(&s->errs, "/cameras.csv", 4, "rtsp_url",
                 "not a URL libcurl can use (Bad hostname)");
    assert_error(&s->errs, "/cameras.csv", 5, "onvif_url", "user:password inside the URL*");
    assert_error(&s->errs, "/cameras.csv", 6, "onvif_url", "no host");
    assert_error(&s->errs, "/cameras.csv", 7, "onvif_url", "no host");
    assert_int_equal(s->errs.n, 6);
}

/* What libcurl and the probes take is taken as written. */
static void test_urls_libcurl_takes_are_taken_as_written(void **state)
{
    struct site *s = *state;
    char rows[8192];

    snprintf(rows, sizeof(rows), "%s", row("A", 9, "rtsp://[::1]:554/Streaming/Channels/101"));
    strcat(rows, row("B", 9, "RTSP://cam_01.lan:/live?channel=1&subtype=0"));
    strcat(rows, row("C", 10, "https://[fe80::1%25eth0]:8443/onvif/device_service"));
    site_std(s, rows);
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_string_equal(s->cfg->cameras[1].rtsp_url, "RTSP://cam_01.lan:/live?channel=1&subtype=0");
    assert_string_equal(s->cfg->cameras[2].onvif_url,
                        "https://[fe80::1%25eth0]:8443/onvif/device_service");
}

/* Issue 10: a 2 MB camera name was taken. */
static void test_two_megabyte_camera_name_is_refused(void **state)
{
    struct site *s = *state;
    size_t n = 2 * 1024 * 1024;
    const char *head = CFG_CSV_HEADER "\nA,";
    char *csv = malloc(strlen(head) + n + 512);

    assert_non_null(csv);
    strcpy(csv, head);
    memset(csv + strlen(head), 'x', n);
    strcpy(csv + strlen(head) + n, ",CAH,,district,,,,,rtsp://h/a,,,,,,\n");
    site_std(s, "");
    site_write(s, "cameras.csv", csv, 0644);
    free(csv);
    expect_one_error(s, "/cameras.csv", 2, "name", "longer than 255 bytes");
}

/* Each column takes a value of its limit and refuses one byte more, naming the column. */
static void test_every_column_has_a_length_limit(void **state)
{
    static const struct {
        int col;
        const char *name;
        size_t max;
    } cols[] = {
        {1, "name", 255},       {2, "owner", 31},   {3, "commune", 127},      {4, "site_kind", 31},
        {5, "address", 255},    {6, "road", 127},   {7, "lat", 31},           {8, "lon", 31},
        {11, "credential", 49}, {12, "model", 127}, {13, "installed_on", 31}, {14, "recorder", 127},
        {15, "notes", 1023},
    };
    struct site *s = *state;
    char value[1100], want[64];

    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        memset(value, 'v', cols[i].max + 1);
        value[cols[i].max + 1] = '\0';
        site_std(s, row("A", cols[i].col, value));
        snprintf(want, sizeof(want), "longer than %zu bytes", cols[i].max);
        expect_one_error(s, "/cameras.csv", 2, cols[i].name, want);
        cw_errlist_clear(&s->errs);
        /* at the limit: only the column's own rule may speak */
        value[cols[i].max] = '\0';
        site_std(s, row("A", cols[i].col, value));
        if (site_load(s) == 0) {
            cfg_free(s->cfg);
            s->cfg = NULL;
        }
        for (size_t e = 0; e < s->errs.n; e++)
            assert_null(strstr(s->errs.v[e].msg, "longer than"));
        cw_errlist_clear(&s->errs);
    }
}

static void test_a_long_bad_id_is_shown_cut(void **state)
{
    struct site *s = *state;
    char id[4097], want[200];

    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    site_std(s, "");
    {
        char *csv = malloc(8192);
        assert_non_null(csv);
        snprintf(csv, 8192, "%s\n%s,B,CAH,,district,,,,,rtsp://h/a,,,,,,\n", CFG_CSV_HEADER, id);
        site_write(s, "cameras.csv", csv, 0644);
        free(csv);
    }
    snprintf(want, sizeof(want), "'%.80s...': use 1-63 of A-Z a-z 0-9 . _ -", id);
    expect_one_error(s, "/cameras.csv", 2, "id", want);
}

/* ---- decomposed text ---------------------------------------------------------------- */

/* "Long Thắng" and "Cầu" typed decomposed: a + combining breve + combining acute, a +
 * combining circumflex + combining grave (Unikey's "Unicode to hop", a sheet saved on macOS). */
#define NFD_LONG_THANG "Long Tha\xcc\x86\xcc\x81ng"
#define NFD_CAU "Ca\xcc\x82\xcc\x80u"

/* Every text column is kept precomposed (NFC), so a commune typed either way is one commune
 * in the store and the reports; the URLs are kept as written (the camera compares bytes). */
static void test_decomposed_text_is_kept_precomposed(void **state)
{
    struct site *s = *state;
    const struct cfg_camera *a, *b;

    site_std(s, "CAM-1," NFD_CAU " Long Thắng,CAH," NFD_LONG_THANG ",commune," NFD_CAU
                " 1,QL80 " NFD_CAU ",10.3,105.7,rtsp://127.0.0.1:8554/a,,district," NFD_CAU
                " model,2019-05-01,,ghi chú " NFD_CAU "\n"
                "CAM-2,Cầu Long Thắng,CAH,Long Thắng,commune,,,,,rtsp://127.0.0.1:8554/b,,,,,,\n");
    assert_int_equal(site_load(s), 0);
    a = cfg_find_camera(s->cfg, "CAM-1");
    b = cfg_find_camera(s->cfg, "CAM-2");
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->commune, "Long Thắng");
    assert_string_equal(a->commune, b->commune);
    assert_string_equal(a->name, "Cầu Long Thắng");
    assert_string_equal(a->address, "Cầu 1");
    assert_string_equal(a->road, "QL80 Cầu");
    assert_string_equal(a->model, "Cầu model");
    assert_string_equal(a->notes, "ghi chú Cầu");
}

/* A column's bound is on the text kept: 40 "ắ" are 200 bytes typed decomposed, 120 kept. */
static void test_a_decomposed_value_is_bounded_as_kept(void **state)
{
    struct site *s = *state;
    char commune[256] = "";

    for (int i = 0; i < 40; i++)
        strcat(commune, "a\xcc\x86\xcc\x81");
    site_std(s, row("A", 3, commune));
    if (site_load(s) != 0)
        dump_errors(&s->errs);
    assert_non_null(s->cfg);
    assert_int_equal(strlen(s->cfg->cameras[0].commune), 120);
}

/* ---- a province's inventory -------------------------------------------------------- */

#define BIG_N 100000

/* The id of generated row i: row 1 repeats row 0 (a duplicate at the start), row N-1 repeats
 * row N-2 (at the end), and row N-3 repeats row 0 (the far ends). */
static void big_id(size_t i, char *id, size_t len)
{
    size_t k = i == 1 ? 0 : i == BIG_N - 1 ? BIG_N - 2 : i == BIG_N - 3 ? 0 : i;

    snprintf(id, len, "CAM-%06zu", k);
}

static void big_site(struct site *s)
{
    size_t cap = (size_t)BIG_N * 96 + 4096, off, coff;
    char *csv = malloc(cap), *creds = malloc(cap), id[32];

    assert_non_null(csv);
    assert_non_null(creds);
    off = (size_t)snprintf(csv, cap, "%s\n", CFG_CSV_HEADER);
    coff = 0;
    for (size_t i = 0; i < BIG_N; i++) {
        big_id(i, id, sizeof(id));
        off += (size_t)snprintf(csv + off, cap - off,
                                "%s,Camera %zu,CAH,,district,,,,,rtsp://127.0.0.1/%zu,,c%zu,,,,\n",
                                id, i, i, i);
        coff += (size_t)snprintf(creds + coff, cap - coff,
                                 "[c%zu]\nusername = u%zu\npassword = p\n", i, i);
    }
    /* a credential section defined twice, at the far end of the file */
    coff += (size_t)snprintf(creds + coff, cap - coff, "[c0]\nusername = again\npassword = p\n");
    site_std(s, "");
    site_write(s, "cameras.csv", csv, 0644);
    site_write(s, "credentials.ini", creds, 0600);
    free(csv);
    free(creds);
}

static void assert_big_errors(const struct cw_errlist *errs)
{
    assert_error(errs, "/cameras.csv", 3, "id", "duplicate id 'CAM-000000' (first at line 2)");
    assert_error(errs, "/cameras.csv", BIG_N + 1, "id",
                 "duplicate id 'CAM-099998' (first at line 100000)");
    assert_error(errs, "/cameras.csv", BIG_N - 1, "id",
                 "duplicate id 'CAM-000000' (first at line 2)");
    assert_error(errs, "/credentials.ini", 3 * BIG_N + 1, "c0", "defined twice (first at line 1)");
    assert_int_equal(errs->n, 4);
}

/* Issue 16: the duplicate check compared each row with every row before it. Loading, checking
 * and looking up 100,000 rows is now linear; this pins what it finds, not how fast. */
static void test_a_hundred_thousand_rows_duplicates_found_at_both_ends(void **state)
{
    struct site *s = *state;
    const struct cfg_camera *c;
    char id[32];

    big_site(s);
    assert_int_equal(site_load(s), -1);
    assert_big_errors(&s->errs);
    cw_errlist_clear(&s->errs);

    /* a reader's load keeps every row but the three duplicates */
    assert_int_equal(cfg_load_mode(s->conf, CFG_LOAD_READER, &s->cfg, &s->errs), 0);
    assert_big_errors(&s->errs);
    assert_int_equal(s->cfg->n_cameras, BIG_N - 3);
    c = cfg_find_camera(s->cfg, "CAM-000000");
    assert_non_null(c);
    assert_int_equal(c->line, 2);
    assert_string_equal(c->cred->username, "u0"); /* the first [c0], not the one defined twice */
    c = cfg_find_camera(s->cfg, "CAM-099998");
    assert_non_null(c);
    assert_int_equal(c->line, BIG_N);
    assert_string_equal(c->cred->username, "u99998");
    assert_null(cfg_find_camera(s->cfg, "CAM-100000"));
    assert_null(cfg_find_camera(s->cfg, "CAM-000001")); /* its only row was a duplicate */
    assert_null(cfg_find_camera(s->cfg, ""));
    for (size_t i = 0; i < s->cfg->n_cameras; i++) {
        const struct cfg_camera *k = &s->cfg->cameras[i];
        assert_ptr_equal(cfg_find_camera(s->cfg, k->id), k);
        snprintf(id, sizeof(id), "c%d", k->line - 2);
        assert_string_equal(k->cred->name, id);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_missing_csv_names_file),
        T(test_a_sheet_saved_the_wrong_way_says_how_to_save_it),
        T(test_a_utf16_sheet_says_how_to_save_it),
        T(test_a_folder_as_cameras_is_not_an_empty_file),
        T(test_csv_errors_name_the_path_joined_to_the_conf_folder),
        T(test_empty_csv),
        T(test_a_sheet_with_only_its_header_is_refused_naming_the_file),
        T(test_a_bad_header_or_row_alone_is_not_also_no_cameras),
        T(test_header_missing_column),
        T(test_header_unknown_column),
        T(test_header_column_twice),
        T(test_empty_header_cells_after_the_last_column_are_taken),
        T(test_an_empty_header_cell_before_a_name_is_refused_naming_its_number),
        T(test_text_under_an_empty_header_cell_is_refused),
        T(test_header_columns_out_of_order),
        T(test_row_with_wrong_field_count),
        T(test_id_required),
        T(test_id_characters),
        T(test_id_too_long),
        T(test_duplicate_id_names_first_line),
        T(test_an_id_differing_only_in_case_is_refused_naming_the_first),
        T(test_name_required),
        T(test_owner_required),
        T(test_unknown_owner),
        T(test_bad_site_kind),
        T(test_lat_without_lon),
        T(test_lon_without_lat),
        T(test_lat_not_a_number),
        T(test_lat_out_of_range),
        T(test_lon_out_of_range),
        T(test_rtsp_url_required),
        T(test_rtsp_url_missing_scheme),
        T(test_rtsp_url_other_scheme),
        T(test_rtsps_url_is_refused_as_unsupported),
        T(test_rtsp_url_no_host),
        T(test_rtsp_url_with_password_points_to_credential_column),
        T(test_rtsp_url_bad_port),
        T(test_rtsp_url_with_space),
        T(test_onvif_url_not_http),
        T(test_onvif_url_no_host),
        T(test_url_longer_than_1023_bytes),
        T(test_unknown_credential),
        T(test_credential_without_credentials_file),
        T(test_installed_on_not_a_date),
        T(test_not_utf8),
        T(test_bad_quoting_then_reading_goes_on),
        T(test_unclosed_quote_at_end_names_record_line),
        T(test_blank_and_empty_rows_are_skipped_and_lines_still_count),
        T(test_a_line_break_or_control_character_is_refused_but_in_notes),
        T(test_every_bad_row_is_reported),
        T(test_csv_header_macro_matches_columns),
        T(test_urls_are_checked_as_libcurl_reads_them),
        T(test_urls_libcurl_takes_are_taken_as_written),
        T(test_two_megabyte_camera_name_is_refused),
        T(test_every_column_has_a_length_limit),
        T(test_a_long_bad_id_is_shown_cut),
        T(test_decomposed_text_is_kept_precomposed),
        T(test_a_decomposed_value_is_bounded_as_kept),
        T(test_a_hundred_thousand_rows_duplicates_found_at_both_ends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
