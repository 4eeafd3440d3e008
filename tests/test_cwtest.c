/* test_cwtest.c - the C tests' own helpers (cwtest.h), so a test that uses them fails for its
 * own reasons: temp folders made fresh and removed whole, nothing removed outside them, files
 * written with their mode and read back to the byte, loopback sockets that accept or refuse.
 * The fixture helpers are exercised by test_rtsp and test_stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cwtest.h"

static void test_tmpdir_is_fresh_private_and_removed_whole(void **state)
{
    char dir[64], other[64], sub[128], file[160];
    struct stat st;

    (void)state;
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "cwtest"), 0);
    assert_int_equal(cwtest_tmpdir(other, sizeof(other), "cwtest"), 0);
    assert_string_not_equal(dir, other);
    assert_int_equal(strncmp(dir, CWTEST_TMP_PREFIX "cwtest-", strlen(CWTEST_TMP_PREFIX) + 7), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(sub, sizeof(sub), "%s/a", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(file, sizeof(file), "%s/b.txt", sub);
    cwtest_write_file(file, "x", 0600);
    assert_int_equal(cwtest_rmtree(dir), 0);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(cwtest_rmtree(other), 0);
}

static void test_tmpdir_refuses_a_name_too_long_for_the_buffer(void **state)
{
    char dir[16];

    (void)state;
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "a-long-name"), -1);
}

/* Only folders cwtest made: anything else, or a way out of one, is left alone. */
static void test_rmtree_refuses_other_folders(void **state)
{
    char dir[64] = "/tmp/cw-other-XXXXXX", escape[128];
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cwtest_rmtree(dir), -1);
    snprintf(escape, sizeof(escape), CWTEST_TMP_PREFIX "x/../..%s", dir);
    assert_int_equal(cwtest_rmtree(escape), -1);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_files_are_written_with_their_mode_and_read_to_the_byte(void **state)
{
    char dir[64], path[128], *buf;
    struct stat st;
    size_t len;

    (void)state;
    assert_int_equal(cwtest_tmpdir(dir, sizeof(dir), "cwtest"), 0);
    snprintf(path, sizeof(path), "%s/credentials.ini", dir);
    cwtest_write_file(path, "[a]\nb = c\n", 0600);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    buf = cwtest_read_file(path, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(buf, "[a]\nb = c\n", 10);
    free(buf);
    cwtest_write_file(path, "", 0644); /* truncated */
    buf = cwtest_read_file(path, &len);
    assert_int_equal(len, 0);
    free(buf);
    assert_int_equal(cwtest_rmtree(dir), 0);
}

static void test_data_files_are_read_from_tests_data(void **state)
{
    size_t len;
    char *buf = cwtest_read_data("onvif/SOURCES.md", &len);

    (void)state;
    assert_true(len > 0);
    assert_memory_equal(buf, "# ONVIF", 7);
    free(buf);
}

static int connect_to(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

    assert_true(fd >= 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
    if (rc != 0)
        rc = -errno;
    close(fd);
    return rc;
}

static void test_loopback_sockets_accept_or_refuse(void **state)
{
    int listening_port = 0, closed_port = 0;
    int listening = cwtest_loopback_socket(1, &listening_port);
    int closed = cwtest_loopback_socket(0, &closed_port);

    (void)state;
    assert_true(listening >= 0);
    assert_true(closed >= 0);
    assert_true(listening_port > 0);
    assert_true(closed_port > 0);
    assert_int_not_equal(listening_port, closed_port);
    assert_int_equal(connect_to(listening_port), 0);
    assert_int_equal(connect_to(closed_port), -ECONNREFUSED);
    close(listening);
    close(closed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpdir_is_fresh_private_and_removed_whole),
        cmocka_unit_test(test_tmpdir_refuses_a_name_too_long_for_the_buffer),
        cmocka_unit_test(test_rmtree_refuses_other_folders),
        cmocka_unit_test(test_files_are_written_with_their_mode_and_read_to_the_byte),
        cmocka_unit_test(test_data_files_are_read_from_tests_data),
        cmocka_unit_test(test_loopback_sockets_accept_or_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
