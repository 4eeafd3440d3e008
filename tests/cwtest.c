/* cwtest.c - the C unit tests' shared helpers; see cwtest.h. Owns nothing past a call but
 * the fixture processes it starts, which cwtest_fixture_stop() reaps. Test thread only. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cwtest.h"

#define PYTHON "/usr/bin/python3" /* Debian's: it has the GStreamer bindings */
#define FIXTURES CW_SOURCE_DIR "/tests/fixtures"
#define FIXTURE_ARGS_MAX 32
#define FIXTURE_POLL_MS 50 /* while waiting for a stopped fixture to exit */
#define LISTEN_BACKLOG 8

/* ---- temporary folders ---- */

int cwtest_tmpdir(char *dir, size_t size, const char *name)
{
    int n = snprintf(dir, size, CWTEST_TMP_PREFIX "%s-XXXXXX", name);

    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

int64_t cwtest_threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int64_t n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int cwtest_rmtree(const char *dir)
{
    if (strncmp(dir, CWTEST_TMP_PREFIX, strlen(CWTEST_TMP_PREFIX)) != 0 || strstr(dir, "..")) {
        fprintf(stderr, "cwtest_rmtree: '%s' is not a test folder; not removed\n", dir);
        return -1;
    }
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* ---- files ---- */

char *cwtest_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int cwtest_lines_with(const char *path, const char *what)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        n += strstr(line, what) != NULL;
    if (f != NULL)
        fclose(f);
    return n;
}

char *cwtest_read_data(const char *rel, size_t *len)
{
    char path[512];
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", CW_TEST_DATA, rel);
    buf = cwtest_read_file(path, len);
    assert_true(*len > 0);
    return buf;
}

void cwtest_write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        fail_msg("cannot create %s", path);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* ---- sockets ---- */

int cwtest_loopback_socket(int listening, int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        (listening && listen(fd, LISTEN_BACKLOG) < 0) ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- fixtures ---- */

/* The "PORT <n>" line, read a byte at a time so nothing after it is taken; -1 when it does
 * not come within start_ms of each byte, or is something else. */
static int read_port_line(int fd, int start_ms)
{
    char line[64];
    size_t n = 0;
    int port = -1;

    while (n < sizeof(line) - 1) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, start_ms) <= 0 || read(fd, line + n, 1) != 1)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return sscanf(line, "PORT %d", &port) == 1 ? port : -1;
}

/* In the child: stdout to the pipe, then python3 fixtures/script args. Never returns. */
static void exec_fixture(int out[2], pid_t parent, const char *script, const char *const *args)
{
    char path[512];
    const char *argv[FIXTURE_ARGS_MAX + 3];
    size_t n = 0;

    /* Die with the test, even if it crashes before its teardown. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(1);
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, script);
    argv[n++] = PYTHON;
    argv[n++] = path;
    for (size_t i = 0; args != NULL && args[i] != NULL && i < FIXTURE_ARGS_MAX; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    execv(PYTHON, (char *const *)argv);
    _exit(127);
}

int cwtest_fixture_start(struct cwtest_fixture *fx, const char *script, const char *const *args,
                         int start_ms)
{
    int out[2];
    pid_t parent = getpid();

    fx->pid = -1;
    fx->out = -1;
    fx->port = -1;
    if (pipe(out) < 0)
        return -1;
    fx->pid = fork();
    if (fx->pid < 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (fx->pid == 0)
        exec_fixture(out, parent, script, args);
    close(out[1]);
    fx->out = out[0];
    fx->port = read_port_line(fx->out, start_ms);
    if (fx->port <= 0) {
        cwtest_fixture_stop(fx);
        return -1;
    }
    return fx->port;
}

void cwtest_fixture_stop(struct cwtest_fixture *fx)
{
    int status;

    if (fx->pid > 0) {
        kill(fx->pid, SIGTERM);
        for (int waited = 0; waited < CWTEST_FIXTURE_STOP_MS && fx->pid > 0;
             waited += FIXTURE_POLL_MS) {
            if (waitpid(fx->pid, &status, WNOHANG) == fx->pid)
                fx->pid = -1;
            else
                usleep(FIXTURE_POLL_MS * 1000);
        }
        if (fx->pid > 0) {
            kill(fx->pid, SIGKILL);
            waitpid(fx->pid, &status, 0);
        }
    }
    fx->pid = -1;
    if (fx->out >= 0)
        close(fx->out);
    fx->out = -1;
}

/* ---- child programs ---- */

int cwtest_run(const char *const *argv)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(2, 1);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void cwtest_make_segments(const char *dir, int n, int seconds, const char *container, int audio)
{
    const char *ext = strcmp(container, "mpegts") == 0     ? "ts"
                      : strcmp(container, "matroska") == 0 ? "mkv"
                                                           : "mp4";
    char total[16], seg[16], out[512];
    const char *argv[48];
    int k = 0;

    snprintf(total, sizeof(total), "%d", n * seconds);
    snprintf(seg, sizeof(seg), "%d", seconds);
    snprintf(out, sizeof(out), "%s/seg%%03d.%s", dir, ext);
    argv[k++] = "ffmpeg";
    argv[k++] = "-nostdin";
    argv[k++] = "-hide_banner";
    argv[k++] = "-loglevel";
    argv[k++] = "error";
    argv[k++] = "-f";
    argv[k++] = "lavfi";
    argv[k++] = "-i";
    argv[k++] = "testsrc=size=160x120:rate=10";
    if (audio) {
        argv[k++] = "-f";
        argv[k++] = "lavfi";
        argv[k++] = "-i";
        argv[k++] = "sine=frequency=440:sample_rate=16000";
    }
    argv[k++] = "-t";
    argv[k++] = total;
    argv[k++] = "-c:v";
    argv[k++] = "libx264";
    argv[k++] = "-preset";
    argv[k++] = "ultrafast";
    argv[k++] = "-g";
    argv[k++] = "10";
    argv[k++] = "-sc_threshold";
    argv[k++] = "0";
    argv[k++] = "-pix_fmt";
    argv[k++] = "yuv420p";
    if (audio) {
        argv[k++] = "-c:a";
        argv[k++] = "aac";
    }
    argv[k++] = "-f";
    argv[k++] = "segment";
    argv[k++] = "-segment_time";
    argv[k++] = seg;
    argv[k++] = "-segment_format";
    argv[k++] = container;
    argv[k++] = "-reset_timestamps";
    argv[k++] = "1";
    argv[k++] = out;
    argv[k] = NULL;
    if (cwtest_run(argv) != 0)
        fail_msg("ffmpeg could not make %d %s segments in %s", n, container, dir);
}

static int64_t clock_wall(void *data)
{
    return ((struct cwtest_clock *)data)->wall_ms;
}

static int64_t clock_mono(void *data)
{
    return ((struct cwtest_clock *)data)->mono_ms;
}

void cwtest_clock_init(struct cwtest_clock *c, int64_t wall_ms)
{
    c->wall_ms = wall_ms;
    c->mono_ms = 5000000; /* not the wall clock's value: a mix-up shows */
    c->clock = (struct cw_clock){clock_wall, clock_mono, c};
}

void cwtest_clock_pass(struct cwtest_clock *c, int64_t ms)
{
    c->wall_ms += ms;
    c->mono_ms += ms;
}

void cwtest_clock_step(struct cwtest_clock *c, int64_t ms)
{
    c->wall_ms += ms;
}
