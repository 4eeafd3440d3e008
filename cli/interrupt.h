/* interrupt.h - Ctrl-C (SIGINT), SIGTERM and SIGHUP turned into a cancel flag for a long CLI
 * command (an export), so that its work stops where it checks the flag and cleans up after
 * itself instead of the process dying with half-written files. The signals are blocked in the
 * calling thread (and every thread it starts meanwhile) and one thread waits for them: no
 * handler, no global. */
#ifndef CW_CLI_INTERRUPT_H
#define CW_CLI_INTERRUPT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

struct cli_interrupt {
    atomic_int signal; /* 0, or the number of the signal that came: the cancel flag */
    sigset_t set, old;
    pthread_t waiter;
    int running;
};

/* Start watching: 0, or -1 (errno) with nothing changed. */
int cli_interrupt_start(struct cli_interrupt *in);
/* Stop watching and restore the signal mask (accepts one never started). */
void cli_interrupt_stop(struct cli_interrupt *in);

#endif
