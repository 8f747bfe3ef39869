/*
 * Unit tests for engine/core/idset.c: keys added once, per group (a device's
 * inode numbers), the key 0 included; many keys through the growth of
 * the table; a clear keeps the set usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "idset.h"

static void test_groups_and_zero(void **state)
{
    (void)state;
    struct idset s = {0};
    assert_int_equal(idset_add(&s, 1, 42), 1);
    assert_int_equal(idset_add(&s, 1, 42), 0);
    assert_int_equal(idset_add(&s, 2, 42), 1); /* another device */
    assert_int_equal(idset_add(&s, 1, 0), 1);
    assert_int_equal(idset_add(&s, 1, 0), 0);
    assert_true(idset_has(&s, 2, 42));
    assert_false(idset_has(&s, 3, 42));
    assert_false(idset_has(&s, 2, 0));
    assert_int_equal(idset_count(&s), 3);
    idset_free(&s);
    idset_free(NULL);
}

static void test_many_and_clear(void **state)
{
    (void)state;
    struct idset s = {0};
    const uint64_t n = 300000;
    for (uint64_t k = 1; k <= n; k++)
        assert_int_equal(idset_add(&s, 7, k * 4096), 1);
    for (uint64_t k = 1; k <= n; k++)
        assert_int_equal(idset_add(&s, 7, k * 4096), 0);
    assert_int_equal(idset_count(&s), n);
    assert_false(idset_has(&s, 7, 4095));
    idset_clear(&s);
    assert_int_equal(idset_count(&s), 0);
    assert_false(idset_has(&s, 7, 4096));
    assert_int_equal(idset_add(&s, 7, 4096), 1);
    idset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_and_zero),
        cmocka_unit_test(test_many_and_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
