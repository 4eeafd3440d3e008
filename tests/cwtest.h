/* cwtest.h - what the C unit tests share: temporary folders, whole files read and written,
 * loopback sockets, and fixture processes started with their "PORT <n>" line. Compiled into
 * every unit test (cw_unit_test in tests/CMakeLists.txt); include after <cmocka.h>.
 *
 * Functions that return int are for cmocka setup and teardown functions, which fail by
 * returning -1; the others are for test bodies and fail the test themselves (fail_msg). */
#ifndef CW_TEST_CWTEST_H
#define CW_TEST_CWTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/cwtime.h"

#define CWTEST_TMP_PREFIX "/tmp/cw-test-" /* every folder cwtest_tmpdir makes starts so */
#define CWTEST_FIXTURE_STOP_MS 5000       /* SIGTERM grace before SIGKILL */

/* Make a fresh folder "/tmp/cw-test-<name>-XXXXXX" (mode 0700) and put its path in dir
 * (size bytes). Returns 0, or -1 when it cannot be made. */
int cwtest_tmpdir(char *dir, size_t size, const char *name);

/* This process's threads (/proc/self/task), -1 when it cannot tell. */
int64_t cwtest_threads_now(void);

/* rm -r dir, not following symbolic links. Only removes what cwtest_tmpdir made: a dir that
 * does not start with CWTEST_TMP_PREFIX is refused. Returns 0, or -1 when refused or when
 * something could not be removed. */
int cwtest_rmtree(const char *dir);

/* The whole file at path in a buffer of exactly *len bytes with no NUL after them, so that a
 * read past len shows under ASan. Caller frees. Fails the test when it cannot be read. */
char *cwtest_read_file(const char *path, size_t *len);

/* cwtest_read_file of tests/data/<rel>; fails the test when the file is missing or empty. */
char *cwtest_read_data(const char *rel, size_t *len);

/* How many lines of the file at path hold what; 0 when it cannot be read (a log not written
 * yet). */
int cwtest_lines_with(const char *path, const char *what);

/* Write text to path (created or truncated) and set its mode. Fails the test on error. */
void cwtest_write_file(const char *path, const char *text, mode_t mode);

/* A TCP socket bound to 127.0.0.1 on a port the kernel picks, put in *port. Listening: the
 * kernel accepts connections into the backlog and nobody answers. Not listening: connecting
 * is refused, and no other process can take the port meanwhile. Returns the fd (caller
 * closes), or -1. */
int cwtest_loopback_socket(int listening, int *port);

/* A fixture program (tests/fixtures/<script>, run by Debian's python3) that prints "PORT <n>"
 * on its first line of stdout. It dies with the test process (PR_SET_PDEATHSIG), should that
 * die before its teardown. */
struct cwtest_fixture {
    pid_t pid; /* -1 when not running */
    int out;   /* its stdout, kept open until stopped: some fixtures print more lines */
    int port;  /* from its PORT line */
};
#define CWTEST_FIXTURE_INIT                                                                        \
    {                                                                                              \
        .pid = -1, .out = -1, .port = -1                                                           \
    }

/* Start script with args (NULL-terminated; may be NULL) and wait up to start_ms for its PORT
 * line: a bound on start-up, not a timed assertion. Returns the port (also in fx->port), or
 * -1 with the fixture stopped. */
int cwtest_fixture_start(struct cwtest_fixture *fx, const char *script, const char *const *args,
                         int start_ms);

/* SIGTERM, then SIGKILL after CWTEST_FIXTURE_STOP_MS; reap it and close its stdout. Accepts
 * a fixture that is not running. */
void cwtest_fixture_stop(struct cwtest_fixture *fx);

/* Run argv[0] (looked up in PATH) with argv, stdin from /dev/null and stdout to stderr, and
 * wait for it. Returns its exit status, or -1 when it could not run or was killed. */
int cwtest_run(const char *const *argv);

/* A set of segment files made by ffmpeg's segment muxer: n segments of seconds each of a test
 * picture (160x120, 10 fps, H.264 with a keyframe every second, AAC sine audio when audio),
 * in container "mp4", "mpegts" or "matroska", each starting its timestamps at 0 as recorders
 * write them. They are written into dir as seg000.<ext> ... (ext "mp4", "ts", "mkv"). Fails
 * the test when ffmpeg fails. */
void cwtest_make_segments(const char *dir, int n, int seconds, const char *container, int audio);

/* Both clocks of the daemon (struct cw_clock) in the test's hands: time passes, or the wall
 * clock alone is stepped, only when the test says so. Pass &c->clock to what takes a clock. */
struct cwtest_clock {
    int64_t wall_ms, mono_ms;
    struct cw_clock clock;
};

/* Wall clock at wall_ms, the monotonic one at an arbitrary point of its own. */
void cwtest_clock_init(struct cwtest_clock *c, int64_t wall_ms);
/* ms pass: both clocks advance by them. */
void cwtest_clock_pass(struct cwtest_clock *c, int64_t ms);
/* The wall clock alone is set by ms (negative: back), as NTP or an admin steps it. */
void cwtest_clock_step(struct cwtest_clock *c, int64_t ms);

#endif
