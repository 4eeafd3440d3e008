/* store_raw.h - what the store's tests share: a raw SQLite connection that looks at the file
 * as the sqlite3 shell would. Header-only (static inline), for cmocka test programs; include
 * after <cmocka.h>. */
#ifndef CW_TEST_STORE_RAW_H
#define CW_TEST_STORE_RAW_H

#include <sqlite3.h>
#include <stdint.h>

/* A separate raw connection, to look at the file as the sqlite3 shell would. */
static inline sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* The first column of the first row of sql, as an integer. */
static inline int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#endif
