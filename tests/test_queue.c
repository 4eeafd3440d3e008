/* test_queue.c - the intrusive FIFO (util/queue.c) the scheduler's lanes and the sample
 * pacer's priority list are made of. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../util/queue.h"

/* Pop everything: the links come out as want[0..n) (indexes in links[]), each unlinked, and
 * the queue is left empty. */
static void assert_drains_as(struct cw_queue *q, struct cw_qlink *links, const int *want, int n)
{
    struct cw_qlink *l;
    int got = 0;

    while ((l = cw_queue_pop(q)) != NULL) {
        assert_null(l->next);
        assert_true(got < n);
        assert_int_equal(l - links, want[got++]);
    }
    assert_int_equal(got, n);
    assert_null(q->head);
    assert_null(q->tail);
}

static void test_push_pops_in_order_and_push_front_goes_first(void **state)
{
    struct cw_queue q = {0};
    struct cw_qlink l[4];
    (void)state;

    assert_null(cw_queue_pop(&q));
    cw_queue_push(&q, &l[0]);
    cw_queue_push(&q, &l[1]);
    cw_queue_push_front(&q, &l[2]);
    cw_queue_push(&q, &l[3]);
    assert_ptr_equal(q.head, &l[2]);
    assert_ptr_equal(q.tail, &l[3]);
    assert_drains_as(&q, l, (const int[]){2, 0, 1, 3}, 4);
}

static void test_push_front_on_empty_sets_the_tail(void **state)
{
    struct cw_queue q = {0};
    struct cw_qlink l[2];
    (void)state;

    cw_queue_push_front(&q, &l[0]);
    assert_ptr_equal(q.tail, &l[0]);
    cw_queue_push(&q, &l[1]); /* goes after it, not lost */
    assert_drains_as(&q, l, (const int[]){0, 1}, 2);
}

static void test_remove_takes_head_middle_or_tail_and_keeps_the_tail_true(void **state)
{
    struct cw_queue q = {0};
    struct cw_qlink l[5];
    (void)state;

    for (int i = 0; i < 5; i++)
        cw_queue_push(&q, &l[i]);
    assert_int_equal(cw_queue_remove(&q, &l[2]), 1); /* middle */
    assert_int_equal(cw_queue_remove(&q, &l[4]), 1); /* tail: the one before is the tail */
    assert_ptr_equal(q.tail, &l[3]);
    assert_int_equal(cw_queue_remove(&q, &l[0]), 1); /* head */
    assert_ptr_equal(q.head, &l[1]);
    assert_int_equal(cw_queue_remove(&q, &l[2]), 0); /* no longer in it */
    cw_queue_push(&q, &l[4]);                        /* the tail is where it should be */
    assert_drains_as(&q, l, (const int[]){1, 3, 4}, 3);
}

static void test_removing_the_only_member_empties_the_queue(void **state)
{
    struct cw_queue q = {0};
    struct cw_qlink l;
    (void)state;

    cw_queue_push(&q, &l);
    assert_int_equal(cw_queue_remove(&q, &l), 1);
    assert_null(q.head);
    assert_null(q.tail);
    assert_int_equal(cw_queue_remove(&q, &l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_pops_in_order_and_push_front_goes_first),
        cmocka_unit_test(test_push_front_on_empty_sets_the_tail),
        cmocka_unit_test(test_remove_takes_head_middle_or_tail_and_keeps_the_tail_true),
        cmocka_unit_test(test_removing_the_only_member_empties_the_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
