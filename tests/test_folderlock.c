/* test_folderlock.c - the lock a running CLI export holds on its folder (index/folderlock.c),
 * with real flock(2) locks on a temporary folder held by this process on another descriptor:
 * a held lock reads as running, a free one or a folder gone as killed, what cannot be tested
 * as unknown with the error; camwatchd's lock file read for its pid, never locked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../index/folderlock.h"
#include "../index/store_footage.h"
#include "cwtest.h"

struct fixture {
    char dir[64];
    char folder[128];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "folderlock") != 0)
        return -1;
    snprintf(fx->folder, sizeof(fx->folder), "%s/vv-118", fx->dir);
    if (mkdir(fx->folder, 0750) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* folder locked as another export holds it: its own descriptor, exclusive. */
static int hold(const char *folder)
{
    int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    return fd;
}

static void test_a_held_folder_reads_as_running_and_a_free_one_as_killed(void **state)
{
    struct fixture *fx = *state;
    char why[256];
    int fd = hold(fx->folder);

    assert_int_equal(folderlock_probe(fx->folder, why, sizeof(why)), FOLDERLOCK_HELD);
    assert_string_equal(why, "");
    close(fd);
    assert_int_equal(folderlock_probe(fx->folder, why, sizeof(why)), FOLDERLOCK_FREE);
    assert_string_equal(why, "");
    /* the test released what it took: an exclusive take succeeds at once after it */
    fd = hold(fx->folder);
    close(fd);
}

static void test_a_folder_gone_reads_as_killed_naming_it(void **state)
{
    struct fixture *fx = *state;
    char why[256], want[256];

    assert_int_equal(rmdir(fx->folder), 0);
    assert_int_equal(folderlock_probe(fx->folder, why, sizeof(why)), FOLDERLOCK_FREE);
    snprintf(want, sizeof(want), "its folder %s is gone", fx->folder);
    assert_string_equal(why, want);
}

static void test_what_is_not_a_folder_reads_as_unknown_with_the_error(void **state)
{
    struct fixture *fx = *state;
    char why[256], file[160];

    snprintf(file, sizeof(file), "%s/SHA256SUMS", fx->dir);
    cwtest_write_file(file, "x\n", 0640);
    assert_int_equal(folderlock_probe(file, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_non_null(strstr(why, "Not a directory"));
    assert_non_null(strstr(why, file));
}

static void test_take_is_refused_while_another_holds_the_folder(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    int fd = hold(fx->folder), mine = -1;

    assert_int_equal(folderlock_take(fx->folder, &mine, &err), -1);
    assert_int_equal(mine, -1);
    assert_non_null(strstr(err.msg, "another export into this folder is running now"));
    close(fd);
    assert_int_equal(folderlock_take(fx->folder, &mine, &err), 0);
    assert_int_equal(folderlock_probe(fx->folder, NULL, 0), FOLDERLOCK_HELD);
    folderlock_release(mine);
    assert_int_equal(folderlock_probe(fx->folder, NULL, 0), FOLDERLOCK_FREE);
    folderlock_release(-1);
}

static void test_camwatchd_lock_file_read_for_its_pid(void **state)
{
    struct fixture *fx = *state;
    char db[160], path[176], text[32], why[256];
    pid_t child;
    int status;

    snprintf(db, sizeof(db), "%s/camwatch.db", fx->dir);
    snprintf(path, sizeof(path), "%s.lock", db);
    assert_int_equal(folderlock_daemon(db, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_non_null(strstr(why, path));
    snprintf(text, sizeof(text), "%ld\n", (long)getpid()); /* alive: this process */
    cwtest_write_file(path, text, 0640);
    assert_int_equal(folderlock_daemon(db, why, sizeof(why)), FOLDERLOCK_HELD);
    child = fork(); /* a pid that ran and is gone */
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, &status, 0), child);
    snprintf(text, sizeof(text), "%ld\n", (long)child);
    cwtest_write_file(path, text, 0640);
    assert_int_equal(folderlock_daemon(db, why, sizeof(why)), FOLDERLOCK_FREE);
    cwtest_write_file(path, "", 0640);
    assert_int_equal(folderlock_daemon(db, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_non_null(strstr(why, "holds no pid"));
}

/* An export.start row as the export judged: its detail, a folder then the mark of its lock
 * when its export holds the lock. */
static struct store_audit start_row(const char *folder, int locked)
{
    struct store_audit a = {.id = 17};

    snprintf(a.detail, sizeof(a.detail), "%s%s", folder, locked ? "; folder locked" : "");
    return a;
}

/* A CLI export's row that says it locks its folder is judged by the lock; one without (begun
 * by a version that did not lock its folder, which holds none while it runs) is unknown, the
 * lock free or held, the folder there or gone, saying why. */
static void test_an_export_judged_by_its_lock_only_when_its_row_says_it_holds_one(void **state)
{
    struct fixture *fx = *state;
    struct store_audit locked = start_row(fx->folder, 1), older = start_row(fx->folder, 0);
    const char *unlocked = "begun by a camwatch version that did not lock its folder, so it "
                           "may be running";
    char why[256];
    int fd;

    assert_int_equal(folderlock_export(NULL, &locked, why, sizeof(why)), FOLDERLOCK_FREE);
    assert_int_equal(folderlock_export(NULL, &older, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_string_equal(why, unlocked);
    fd = hold(fx->folder);
    assert_int_equal(folderlock_export(NULL, &locked, why, sizeof(why)), FOLDERLOCK_HELD);
    assert_int_equal(folderlock_export(NULL, &older, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_string_equal(why, unlocked);
    close(fd);
    assert_int_equal(rmdir(fx->folder), 0);
    assert_int_equal(folderlock_export(NULL, &locked, why, sizeof(why)), FOLDERLOCK_FREE);
    assert_non_null(strstr(why, "is gone"));
    assert_int_equal(folderlock_export(NULL, &older, why, sizeof(why)), FOLDERLOCK_UNKNOWN);
    assert_string_equal(why, unlocked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_held_folder_reads_as_running_and_a_free_one_as_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_folder_gone_reads_as_killed_naming_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_what_is_not_a_folder_reads_as_unknown_with_the_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_is_refused_while_another_holds_the_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_camwatchd_lock_file_read_for_its_pid, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_export_judged_by_its_lock_only_when_its_row_says_it_holds_one, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
