/* interrupt.c - signals as a cancel flag for a long CLI command (interrupt.h). Owns the thread
 * that waits for them, from start to stop. */
#include "interrupt.h"

#include <errno.h>
#include <string.h>

static void *wait_signal(void *data)
{
    struct cli_interrupt *in = data;
    int sig = 0;

    /* One is enough: the work stops at its next check of the flag. */
    if (sigwait(&in->set, &sig) == 0)
        atomic_store(&in->signal, sig);
    return NULL;
}

int cli_interrupt_start(struct cli_interrupt *in)
{
    int rc;

    memset(in, 0, sizeof(*in));
    atomic_init(&in->signal, 0);
    sigemptyset(&in->set);
    sigaddset(&in->set, SIGINT);
    sigaddset(&in->set, SIGTERM);
    sigaddset(&in->set, SIGHUP);
    if ((rc = pthread_sigmask(SIG_BLOCK, &in->set, &in->old)) != 0) {
        errno = rc;
        return -1;
    }
    if ((rc = pthread_create(&in->waiter, NULL, wait_signal, in)) != 0) {
        pthread_sigmask(SIG_SETMASK, &in->old, NULL);
        errno = rc;
        return -1;
    }
    in->running = 1;
    return 0;
}

void cli_interrupt_stop(struct cli_interrupt *in)
{
    if (!in->running)
        return;
    pthread_cancel(in->waiter); /* sigwait is a cancellation point; gone already is fine */
    pthread_join(in->waiter, NULL);
    in->running = 0;
    pthread_sigmask(SIG_SETMASK, &in->old, NULL);
}
