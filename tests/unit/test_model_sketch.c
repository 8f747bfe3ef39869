/*
 * Unit tests for models/model_sketch.c: the space-saving sketch of a key's
 * most frequent values.  Counts are exact while the values fit; a new value
 * in a full sketch takes over the smallest counter and its count (so a
 * count over-estimates by at most the count it took over, and a frequent
 * value is never lost); counts age by decay per day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_sketch.h"

#define DAY 1440u

/* The weighted count of id as of day, or -1 when the sketch lacks it. */
static double count_of(const struct sketch *k, uint32_t id, uint32_t day,
                       double decay)
{
    uint32_t ids[SKETCH_SIZE];
    double counts[SKETCH_SIZE];
    size_t n = sketch_entries(k, day, decay, ids, counts);
    assert_true(n <= SKETCH_SIZE);
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return counts[i];
    return -1;
}

static void test_empty(void **state)
{
    struct sketch k;
    uint32_t ids[SKETCH_SIZE];
    double counts[SKETCH_SIZE];
    (void)state;
    sketch_init(&k);
    assert_int_equal(sketch_entries(&k, 0, 0.9, ids, counts), 0);
}

static void test_exact_while_they_fit(void **state)
{
    struct sketch k;
    uint32_t ids[SKETCH_SIZE];
    double counts[SKETCH_SIZE];
    (void)state;
    sketch_init(&k);
    for (uint32_t m = 0; m < 60; m++)
        for (uint32_t id = 0; id < SKETCH_SIZE; id++) /* id 0 is a value too */
            sketch_add(&k, id, id + 1, m, 1.0);
    assert_int_equal(sketch_entries(&k, 0, 1.0, ids, counts), SKETCH_SIZE);
    for (uint32_t id = 0; id < SKETCH_SIZE; id++)
        assert_float_equal(count_of(&k, id, 0, 1.0), 60.0 * (id + 1), 1e-6);
}

static void test_full_sketch_keeps_the_frequent(void **state)
{
    struct sketch k;
    (void)state;
    sketch_init(&k);
    /* Five heavy values, then a stream of 100 rare ones (one each). */
    for (uint32_t id = 1; id <= 5; id++)
        sketch_add(&k, id, 1000 * id, 0, 1.0);
    for (uint32_t id = 100; id < 200; id++)
        sketch_add(&k, id, 1, 1, 1.0);
    for (uint32_t id = 1; id <= 5; id++)
        assert_float_equal(count_of(&k, id, 0, 1.0), 1000.0 * id, 1e-6);
    /* The sixth counter went from rare value to rare value: the last one
     * holds every count it took over, 100 in all (an over-estimate of its
     * true 1 by the 99 it inherited, never an under-estimate). */
    assert_float_equal(count_of(&k, 199, 0, 1.0), 100.0, 1e-6);
    assert_true(count_of(&k, 150, 0, 1.0) < 0);
}

static void test_new_value_takes_the_smallest(void **state)
{
    struct sketch k;
    (void)state;
    sketch_init(&k);
    for (uint32_t id = 1; id <= SKETCH_SIZE; id++)
        sketch_add(&k, id, id == 4 ? 2 : 50, 0, 1.0);
    sketch_add(&k, 77, 3, 0, 1.0);
    assert_true(count_of(&k, 4, 0, 1.0) < 0);               /* the smallest went */
    assert_float_equal(count_of(&k, 77, 0, 1.0), 5.0, 1e-6); /* 2 inherited + 3 */
    for (uint32_t id = 1; id <= SKETCH_SIZE; id++)
        if (id != 4)
            assert_float_equal(count_of(&k, id, 0, 1.0), 50.0, 1e-6);
}

static void test_decay_per_day(void **state)
{
    struct sketch k;
    (void)state;
    sketch_init(&k);
    sketch_add(&k, 7, 100, 10 * DAY + 5, 0.5);
    /* Read later: aged by decay per whole day since. */
    assert_float_equal(count_of(&k, 7, 10, 0.5), 100.0, 1e-6);
    assert_float_equal(count_of(&k, 7, 11, 0.5), 50.0, 1e-6);
    assert_float_equal(count_of(&k, 7, 13, 0.5), 12.5, 1e-6);
    /* An addition two days on ages what was held first. */
    sketch_add(&k, 7, 10, 12 * DAY, 0.5);
    sketch_add(&k, 8, 4, 12 * DAY + 100, 0.5);
    assert_float_equal(count_of(&k, 7, 12, 0.5), 35.0, 1e-4);
    assert_float_equal(count_of(&k, 8, 12, 0.5), 4.0, 1e-6);
    /* Within a day nothing ages. */
    sketch_add(&k, 8, 4, 12 * DAY + 1439, 0.5);
    assert_float_equal(count_of(&k, 7, 12, 0.5), 35.0, 1e-4);
    assert_float_equal(count_of(&k, 8, 12, 0.5), 8.0, 1e-6);
}

/* An old heavy value that has decayed gives way to a fresh one before a
 * recent value does. */
static void test_decayed_value_gives_way(void **state)
{
    struct sketch k;
    (void)state;
    sketch_init(&k);
    sketch_add(&k, 1, 1000, 0, 0.1); /* day 0: 1000, day 5: 0.01 */
    for (uint32_t id = 2; id <= SKETCH_SIZE; id++)
        sketch_add(&k, id, 5, 5 * DAY, 0.1);
    sketch_add(&k, 99, 1, 5 * DAY + 1, 0.1);
    assert_true(count_of(&k, 1, 5, 0.1) < 0);
    assert_true(count_of(&k, 99, 5, 0.1) > 1.0 - 1e-6);
    for (uint32_t id = 2; id <= SKETCH_SIZE; id++)
        assert_float_equal(count_of(&k, id, 5, 0.1), 5.0, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_exact_while_they_fit),
        cmocka_unit_test(test_full_sketch_keeps_the_frequent),
        cmocka_unit_test(test_new_value_takes_the_smallest),
        cmocka_unit_test(test_decay_per_day),
        cmocka_unit_test(test_decayed_value_gives_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
