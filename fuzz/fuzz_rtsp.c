/* fuzz_rtsp.c - the RTSP response path: whatever a camera answers to DESCRIBE, read by libcurl
 * into the probe's header and body callbacks and classified by rtsp_probe_finish() (status,
 * authentication, size limits, the SDP). The "camera" is a socket of this process on loopback:
 * the probe connects, the harness accepts, writes the input as the answer and shuts its side,
 * so libcurl reads exactly these bytes, then end of file. One thread: the probe runs on a curl
 * multi handle and the harness feeds the socket between its steps. The probe opens a new
 * connection to answer an authentication challenge (it never reuses one): the input holds the
 * answers for successive connections split at lines "%%next%%"; connections past those get end
 * of file at once. */
#define _GNU_SOURCE /* accept4 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../probes/rtsp.h"
#include "fuzz.h"

#define NEXT_CONNECTION "\n%%next%%\n"
#define FUZZ_TIMEOUT_MS 5000 /* never reached: the camera's end of file ends every transfer */

static int listener = -1;
static char url[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);

    (void)argc;
    (void)argv;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(listener, 8) != 0 || getsockname(listener, (struct sockaddr *)&a, &alen) != 0) {
        perror("fuzz_rtsp: loopback listener");
        exit(1);
    }
    snprintf(url, sizeof(url), "rtsp://127.0.0.1:%d/Streaming/Channels/101", ntohs(a.sin_port));
    return 0;
}

/* The camera's side of the exchange. */
struct camera {
    const uint8_t *rest; /* the answers to later connections */
    size_t n_rest;
    bool more;           /* rest holds answers */
    int fd;              /* the connection being answered; -1 when none */
    const uint8_t *left; /* what fd has yet to write */
    size_t n_left;
    int done[4]; /* answered connections, kept open for what the probe still sends */
    size_t n_done;
};

static void camera_close(struct camera *cam)
{
    for (size_t i = 0; i < cam->n_done; i++)
        close(cam->done[i]);
    cam->n_done = 0;
    if (cam->fd >= 0)
        close(cam->fd);
    cam->fd = -1;
}

/* Take a connection: it gets the next answer, or end of file when there is none. */
static void camera_accept(struct camera *cam, int fd)
{
    const uint8_t *cut;

    if (cam->fd >= 0 || !cam->more || cam->n_done == sizeof(cam->done) / sizeof(cam->done[0])) {
        close(fd);
        return;
    }
    cut = memmem(cam->rest, cam->n_rest, NEXT_CONNECTION, strlen(NEXT_CONNECTION));
    cam->fd = fd;
    cam->left = cam->rest;
    cam->n_left = cut != NULL ? (size_t)(cut - cam->rest) : cam->n_rest;
    cam->more = cut != NULL;
    if (cut != NULL) {
        cam->n_rest -= (size_t)(cut - cam->rest) + strlen(NEXT_CONNECTION);
        cam->rest = cut + strlen(NEXT_CONNECTION);
    }
}

/* One step of the camera: take connections, write what the socket takes, shut its side when
 * the answer is all written. */
static void camera_step(struct camera *cam)
{
    int fd;

    while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
        camera_accept(cam, fd);
    if (cam->fd < 0)
        return;
    while (cam->n_left > 0) {
        ssize_t n = send(cam->fd, cam->left, cam->n_left, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
            break;
        cam->left += n;
        cam->n_left -= (size_t)n;
    }
    if (cam->n_left == 0) {
        shutdown(cam->fd, SHUT_WR);
        cam->done[cam->n_done++] = cam->fd;
        cam->fd = -1;
    }
}

/* Until curl or the camera has something to do. */
static void camera_wait(CURLM *multi, const struct camera *cam)
{
    struct curl_waitfd fds[2] = {{listener, CURL_WAIT_POLLIN, 0}, {cam->fd, CURL_WAIT_POLLOUT, 0}};
    unsigned n = cam->fd >= 0 ? 2 : 1;

    curl_multi_poll(multi, fds, n, 100, NULL);
}

static void check(const struct rtsp_result *r)
{
    if (memchr(r->detail, '\0', sizeof(r->detail)) == NULL ||
        strlen(rtsp_outcome_reason(r->outcome)) == 0)
        __builtin_trap();
    if (r->outcome == RTSP_OK && (r->status != 200 || r->video.payload_type < 0))
        __builtin_trap();
    if (r->outcome == RTSP_TIMEOUT)
        __builtin_trap(); /* the camera always ends its answer: waiting is a bug */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct camera cam = {.rest = data, .n_rest = size, .more = true, .fd = -1};
    struct rtsp_probe *p = NULL;
    struct rtsp_result r;
    struct cw_err err = {0};
    CURLM *multi = curl_multi_init();
    CURLMsg *msg = NULL;
    int running = 1, left;

    if (size > 2 * RTSP_MAX_RESPONSE_BYTES)
        return -1; /* past the limit the probe stops reading: nothing new beyond */
    if (multi == NULL ||
        rtsp_probe_new(url, "admin", "secret", FUZZ_TIMEOUT_MS, NULL, &p, &err) != 0 ||
        curl_multi_add_handle(multi, rtsp_probe_handle(p)) != CURLM_OK)
        __builtin_trap();
    while (msg == NULL) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            __builtin_trap();
        camera_step(&cam);
        msg = curl_multi_info_read(multi, &left);
        if (msg == NULL && running > 0)
            camera_wait(multi, &cam);
        else if (msg == NULL)
            __builtin_trap(); /* not running and no message: lost transfer */
    }
    /* A redirect is not followed here: its Location could name any host. */
    if (rtsp_probe_finish(p, msg->data.result, &r) != RTSP_FOLLOW)
        check(&r);
    curl_multi_remove_handle(multi, rtsp_probe_handle(p));
    rtsp_probe_free(p);
    curl_multi_cleanup(multi);
    cam.more = false;
    camera_step(&cam); /* a connection not taken yet: closed */
    camera_close(&cam);
    return 0;
}
