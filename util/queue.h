/* queue.h - an intrusive first-in first-out list: each member carries its own link, the queue
 * its head and tail, so adding at either end and taking the first cost O(1) and nothing is
 * allocated. Taking a member out of the middle walks the queue. No state of its own; the
 * queue's owner's thread. */
#ifndef CW_QUEUE_H
#define CW_QUEUE_H

struct cw_qlink {
    struct cw_qlink *next;
};

struct cw_queue {
    struct cw_qlink *head, *tail; /* both NULL when empty; zeroed is an empty queue */
};

/* Add l, not in any queue, at the tail (cw_queue_push) or the head (cw_queue_push_front). */
void cw_queue_push(struct cw_queue *q, struct cw_qlink *l);
void cw_queue_push_front(struct cw_queue *q, struct cw_qlink *l);

/* Take the head out and return it; NULL when q is empty. */
struct cw_qlink *cw_queue_pop(struct cw_queue *q);

/* Take l out of q wherever it stands: 1, or 0 when it is not in q. O(its position). */
int cw_queue_remove(struct cw_queue *q, struct cw_qlink *l);

#endif
