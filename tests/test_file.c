/* test_file.c - files written whole and safely (util/file.c), in a temporary folder: the mode
 * whatever the umask, a rename over an old file, no temporary left behind, and every target
 * that is not a regular file refused and left as it was (a symbolic link and what it points
 * to, a FIFO, a folder); the name the old writers used beside the target (".tmp") is never
 * followed; folders made with their mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/file.h"
#include "cwtest.h"

struct fixture {
    char dir[64];
    char target[128];
    mode_t umask_before;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || cwtest_tmpdir(fx->dir, sizeof(fx->dir), "file") != 0)
        return -1;
    snprintf(fx->target, sizeof(fx->target), "%s/thumb.jpg", fx->dir);
    fx->umask_before = umask(0); /* the widest: the modes must not come from it */
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    umask(fx->umask_before);
    cwtest_rmtree(fx->dir);
    free(fx);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode;
}

/* Names in dir other than . and .., joined by spaces into buf. */
static const char *listing(const char *dir, char *buf, size_t len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t off = 0;

    assert_non_null(d);
    buf[0] = '\0';
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", e->d_name);
    }
    closedir(d);
    return buf;
}

static void test_write_gives_the_mode_whatever_the_umask(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char names[256];
    size_t len;
    char *got;

    assert_int_equal(cw_file_write(fx->target, "new", 3, CW_FILE_MODE, &err), 0);
    assert_int_equal(mode_of(fx->target) & 07777, 0640);
    /* Over an old file, readable by all: the new one has the mode, and its content. */
    cwtest_write_file(fx->target, "old", 0644);
    assert_int_equal(cw_file_write(fx->target, "newer", 5, CW_FILE_MODE, &err), 0);
    assert_int_equal(mode_of(fx->target) & 07777, 0640);
    got = cwtest_read_file(fx->target, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(got, "newer", 5);
    free(got);
    assert_string_equal(listing(fx->dir, names, sizeof(names)), "thumb.jpg");
}

/* A file "victim" beside the target with "precious" in it; its path into victim. */
static void plant_victim(const struct fixture *fx, char *victim, size_t len)
{
    snprintf(victim, len, "%s/victim", fx->dir);
    cwtest_write_file(victim, "precious", 0600);
}

static void assert_victim_intact(const char *victim)
{
    size_t len;
    char *got = cwtest_read_file(victim, &len);

    assert_int_equal(len, 8);
    assert_memory_equal(got, "precious", 8);
    free(got);
}

/* Issue 10: `thumb -o` wrote through "<out>.tmp" with fopen: a link planted there was
 * followed and its target overwritten. The temporary's name is mkstemp's, made O_EXCL. */
static void test_a_link_planted_at_the_old_temporary_name_is_not_followed(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char victim[160], planted[160];

    plant_victim(fx, victim, sizeof(victim));
    snprintf(planted, sizeof(planted), "%s.tmp", fx->target);
    assert_int_equal(symlink(victim, planted), 0);
    assert_int_equal(cw_file_write(fx->target, "jpeg", 4, CW_FILE_MODE, &err), 0);
    assert_victim_intact(victim);
    assert_true(S_ISLNK(mode_of(planted)));
}

/* Issue 10: a FIFO, device or link given as the target was replaced by a file. Each is refused
 * with a message saying what it is, and left as it was. */
static void test_a_target_that_is_not_a_regular_file_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char victim[160], names[256];

    plant_victim(fx, victim, sizeof(victim));
    assert_int_equal(symlink(victim, fx->target), 0);
    assert_int_equal(cw_file_write(fx->target, "jpeg", 4, CW_FILE_MODE, &err), -1);
    assert_string_equal(err.file, fx->target);
    assert_non_null(strstr(err.msg, "a symbolic link"));
    assert_true(S_ISLNK(mode_of(fx->target)));
    assert_victim_intact(victim);

    assert_int_equal(unlink(fx->target), 0);
    assert_int_equal(mkfifo(fx->target, 0600), 0);
    assert_int_equal(cw_file_write(fx->target, "jpeg", 4, CW_FILE_MODE, &err), -1);
    assert_non_null(strstr(err.msg, "a FIFO"));
    assert_true(S_ISFIFO(mode_of(fx->target)));

    assert_int_equal(unlink(fx->target), 0);
    assert_int_equal(mkdir(fx->target, 0700), 0);
    assert_int_equal(cw_file_write(fx->target, "jpeg", 4, CW_FILE_MODE, &err), -1);
    assert_non_null(strstr(err.msg, "a folder"));
    assert_true(S_ISDIR(mode_of(fx->target)));
    assert_int_equal(rmdir(fx->target), 0);
    assert_string_equal(listing(fx->dir, names, sizeof(names)), "victim");
}

static void test_an_empty_name_is_refused_as_no_name(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char names[256];

    /* lstat("") says ENOENT: "" once passed as a file yet to be made */
    assert_int_equal(cw_file_check_target("", &err), -1);
    assert_string_equal(err.msg, "empty file name");
    assert_int_equal(cw_file_write("", "jpeg", 4, CW_FILE_MODE, &err), -1);
    assert_string_equal(err.msg, "empty file name");
    assert_string_equal(listing(fx->dir, names, sizeof(names)), "");
}

static void test_an_aborted_temporary_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    struct cw_tmpfile t;
    struct cw_err err = {0};
    char names[256];

    assert_int_equal(cw_tmpfile_open(&t, fx->target, CW_FILE_MODE, &err), 0);
    assert_int_equal(write(t.fd, "half", 4), 4);
    cw_tmpfile_abort(&t);
    assert_string_equal(listing(fx->dir, names, sizeof(names)), "");
    assert_int_equal(access(fx->target, F_OK), -1);
}

static void test_mkdirs_makes_each_missing_folder_with_its_mode(void **state)
{
    struct fixture *fx = *state;
    struct cw_err err = {0};
    char path[200], dir[256];

    snprintf(path, sizeof(path), "%s/cache/snapshots/CAH-001.jpg", fx->dir);
    assert_int_equal(cw_mkdirs(path, 1, &err), 0);
    snprintf(dir, sizeof(dir), "%s/cache", fx->dir);
    assert_int_equal(mode_of(dir) & 07777, 0750);
    snprintf(dir, sizeof(dir), "%s/cache/snapshots", fx->dir);
    assert_int_equal(mode_of(dir) & 07777, 0750);
    assert_int_equal(access(path, F_OK), -1);      /* the file's folder only */
    assert_int_equal(cw_mkdirs(path, 1, &err), 0); /* there already: fine */
    cwtest_write_file(path, "x", 0600);
    snprintf(dir, sizeof(dir), "%s/x/y", path);
    assert_int_equal(cw_mkdirs(dir, 0, &err), -1); /* a file is in the way */
    assert_non_null(strstr(err.file, "CAH-001.jpg"));
}

/* A folder whose file system has no sync of a folder (EINVAL: procfs here, as some network and
 * FUSE ones) is not a failed write: the rename before the sync stands, and an export must not
 * take back the files it linked. */
static void test_a_folder_that_cannot_be_synced_is_no_failure(void **state)
{
    struct cw_err err = {0};

    (void)state;
    if (cw_file_sync_dir("/proc/self/status", &err) != 0)
        fail_msg("%s", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_gives_the_mode_whatever_the_umask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_link_planted_at_the_old_temporary_name_is_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_target_that_is_not_a_regular_file_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_empty_name_is_refused_as_no_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_aborted_temporary_leaves_nothing, setup, teardown),
        cmocka_unit_test(test_a_folder_that_cannot_be_synced_is_no_failure),
        cmocka_unit_test_setup_teardown(test_mkdirs_makes_each_missing_folder_with_its_mode, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
