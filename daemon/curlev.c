/* curlev.c - libcurl multi on libev. Owns the CURLM handle, one ev_timer
 * for curl's timeout, and one struct curlev_sock (an ev_io) per socket curl
 * asks to watch, attached to the socket with curl_multi_assign so curl hands
 * it back. Loop thread only.
 *
 * curl tells us about sockets through sock_cb (add, change, remove; it says
 * remove before it closes a socket, so an fd number reused later never finds
 * a stale watcher) and about its next deadline through timer_cb. Socket
 * activity and the deadline both end in curl_multi_socket_action(), after
 * which finished transfers are reaped from curl_multi_info_read() and handed
 * to the struct curlev_xfer in their CURLOPT_PRIVATE. */
#include "curlev.h"

#include <stdlib.h>

struct curlev {
    struct ev_loop *loop;
    CURLM *multi;
    ev_timer timer;
    int running;
};

struct curlev_sock {
    ev_io io;
    struct curlev *c;
};

static void curlev_reap(struct curlev *c)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        struct curlev_xfer *x = NULL;
        CURL *easy;
        CURLcode rc;

        if (msg->msg != CURLMSG_DONE)
            continue;
        easy = msg->easy_handle;
        rc = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(c->multi, easy);
        x->done(x, rc);
    }
}

static void curlev_action(struct curlev *c, curl_socket_t fd, int mask)
{
    curl_multi_socket_action(c->multi, fd, mask, &c->running);
    curlev_reap(c);
}

static void curlev_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct curlev_sock *s = w->data;
    int mask = 0;

    (void)loop;
    if (revents & EV_READ)
        mask |= CURL_CSELECT_IN;
    if (revents & EV_WRITE)
        mask |= CURL_CSELECT_OUT;
    if (revents & EV_ERROR)
        mask |= CURL_CSELECT_ERR;
    curlev_action(s->c, w->fd, mask);
}

static void curlev_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    curlev_action(w->data, CURL_SOCKET_TIMEOUT, 0);
}

static int curlev_sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct curlev *c = userp;
    struct curlev_sock *s = sockp;
    int events = 0;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            ev_io_stop(c->loop, &s->io);
            curl_multi_assign(c->multi, fd, NULL);
            free(s);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        events |= EV_READ;
    if (what & CURL_POLL_OUT)
        events |= EV_WRITE;
    if (s == NULL) {
        s = calloc(1, sizeof(*s));
        if (s == NULL)
            return -1; /* curl fails this transfer */
        s->c = c;
        s->io.data = s;
        curl_multi_assign(c->multi, fd, s);
    } else {
        ev_io_stop(c->loop, &s->io);
    }
    ev_io_init(&s->io, curlev_io_cb, fd, events);
    ev_io_start(c->loop, &s->io);
    return 0;
}

static int curlev_timer_set_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct curlev *c = userp;

    (void)multi;
    ev_timer_stop(c->loop, &c->timer);
    if (timeout_ms >= 0) {
        /* 0 means "as soon as possible": curl must not be re-entered from here. */
        ev_timer_set(&c->timer, (double)timeout_ms / 1000.0, 0.0);
        ev_timer_start(c->loop, &c->timer);
    }
    return 0;
}

int curlev_new(struct ev_loop *loop, struct curlev **out, struct cw_err *err)
{
    struct curlev *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    c->loop = loop;
    c->multi = curl_multi_init();
    if (c->multi == NULL) {
        cw_err_set(err, NULL, 0, NULL, "curl_multi_init failed");
        goto fail;
    }
    ev_timer_init(&c->timer, curlev_timer_cb, 0.0, 0.0);
    c->timer.data = c;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curlev_sock_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curlev_timer_set_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    *out = c;
    return 0;
fail:
    curlev_free(c);
    return -1;
}

int curlev_add(struct curlev *c, CURL *easy, struct cw_err *err)
{
    CURLMcode rc = curl_multi_add_handle(c->multi, easy);

    if (rc != CURLM_OK)
        return cw_err_set(err, NULL, 0, NULL, "curl_multi_add_handle: %s", curl_multi_strerror(rc));
    return 0;
}

void curlev_remove(struct curlev *c, CURL *easy)
{
    curl_multi_remove_handle(c->multi, easy);
}

void curlev_free(struct curlev *c)
{
    if (c == NULL)
        return;
    if (c->multi != NULL) {
        ev_timer_stop(c->loop, &c->timer);
        curl_multi_cleanup(c->multi);
    }
    free(c);
}
