/* store_holder.c - who holds the store's write lock, when another program does: the process
 * /proc/locks lists with SQLite's WAL write lock, so a reload that waits for it can say whose
 * transaction it waits for. Reads /proc only: asking the lock itself (F_GETLK) would mean
 * opening "<database>-shm", and closing that descriptor would let go of every POSIX lock this
 * process's own connection holds on it. Any thread; no state. */
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* SQLite's WAL write lock: byte UNIX_SHM_BASE ((22 + SQLITE_SHM_NLOCK) * 4) + WAL_WRITE_LOCK
 * (0) of the -shm file (os_unix.c), held by a writer from its BEGIN IMMEDIATE (or first write)
 * to its commit or rollback. */
#define STORE_WAL_WRITE_LOCK_BYTE 120

/* The pid /proc/locks lists with a POSIX write lock over byte off of the file st is (not
 * this process, nor a waiter: "->"), or 0. */
static long lock_holder(const struct stat *st, unsigned long long off)
{
    FILE *f = fopen("/proc/locks", "r");
    char line[256], kind[16], mode[16], end[24];
    unsigned int maj, min;
    unsigned long long ino, start;
    long pid, found = 0;

    if (f == NULL)
        return 0;
    while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%llu %llu %23s", kind, mode, &pid, &maj,
                   &min, &ino, &start, end) != 8)
            continue;
        if (strcmp(kind, "POSIX") != 0 || strcmp(mode, "WRITE") != 0 || pid <= 0 ||
            pid == (long)getpid() || maj != major(st->st_dev) || min != minor(st->st_dev) ||
            ino != (unsigned long long)st->st_ino || start > off ||
            (strcmp(end, "EOF") != 0 && strtoull(end, NULL, 10) < off))
            continue;
        found = pid;
    }
    fclose(f);
    return found;
}

long store_write_lock_holder(const char *database, char *name, size_t len)
{
    char path[4096];
    struct stat st;
    long pid;
    FILE *f;

    if (len > 0)
        name[0] = '\0';
    if ((size_t)snprintf(path, sizeof(path), "%s-shm", database) >= sizeof(path) ||
        stat(path, &st) != 0)
        return 0;
    pid = lock_holder(&st, STORE_WAL_WRITE_LOCK_BYTE);
    if (pid == 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
    f = fopen(path, "r");
    if (f != NULL) {
        if (len > 0 && fgets(name, (int)len, f) != NULL)
            name[strcspn(name, "\n")] = '\0';
        else if (len > 0)
            name[0] = '\0';
        for (char *c = name; len > 0 && *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) /* any bytes a process may name itself */
                *c = '?';
        fclose(f);
    }
    return pid;
}
