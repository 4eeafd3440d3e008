/* queue.c - an intrusive FIFO (queue.h). */
#include "queue.h"

#include <stddef.h>

void cw_queue_push(struct cw_queue *q, struct cw_qlink *l)
{
    l->next = NULL;
    if (q->tail != NULL)
        q->tail->next = l;
    else
        q->head = l;
    q->tail = l;
}

void cw_queue_push_front(struct cw_queue *q, struct cw_qlink *l)
{
    l->next = q->head;
    q->head = l;
    if (q->tail == NULL)
        q->tail = l;
}

struct cw_qlink *cw_queue_pop(struct cw_queue *q)
{
    struct cw_qlink *l = q->head;

    if (l == NULL)
        return NULL;
    q->head = l->next;
    if (q->head == NULL)
        q->tail = NULL;
    l->next = NULL;
    return l;
}

int cw_queue_remove(struct cw_queue *q, struct cw_qlink *l)
{
    struct cw_qlink **pp = &q->head, *prev = NULL;

    while (*pp != NULL && *pp != l) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == NULL)
        return 0;
    *pp = l->next;
    if (q->tail == l)
        q->tail = prev;
    l->next = NULL;
    return 1;
}
