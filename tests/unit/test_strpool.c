/*
 * Unit tests for engine/core/strpool.c: interning gives one stable non-zero id
 * per distinct byte string (lengths, not NULs, delimit them), lookups do
 * not add, and ids and pointers survive the table growing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

static int setup(void **state)
{
    *state = strpool_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    strpool_free(*state);
    return 0;
}

static uint32_t intern(struct strpool *p, const char *s)
{
    return strpool_intern(p, s, strlen(s));
}

static void test_equal_strings_share_an_id(void **state)
{
    struct strpool *p = *state;
    char copy[] = "us-east-1"; /* a different buffer, same bytes */
    uint32_t a = intern(p, "us-east-1");
    assert_int_not_equal(a, 0);
    assert_int_equal(intern(p, copy), a);
    assert_int_equal(intern(p, "us-east-1"), a);
    assert_int_equal(strpool_count(p), 1);
    assert_string_equal(strpool_str(p, a), "us-east-1");
    assert_ptr_not_equal(strpool_str(p, a), copy); /* stored, not borrowed */
}

static void test_different_strings_differ(void **state)
{
    struct strpool *p = *state;
    static const char *const s[] = {"us-east-1", "us-east-2", "US-EAST-1",
                                    "us-east-1 ", "", "a", "b"};
    const size_t n = sizeof s / sizeof s[0];
    uint32_t ids[sizeof s / sizeof s[0]];
    for (size_t i = 0; i < n; i++) {
        ids[i] = intern(p, s[i]);
        assert_int_not_equal(ids[i], 0);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(ids[i], ids[j]);
    }
    assert_int_equal(strpool_count(p), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(strpool_str(p, ids[i]), s[i]);
}

/* s[0..len) need not be NUL-terminated: only len bytes count, and the
 * stored copy is terminated. */
static void test_lengths_delimit(void **state)
{
    struct strpool *p = *state;
    const char buf[] = {'a', 'b', 'c', 'd', 'e', 'f'}; /* no NUL */
    uint32_t abc = strpool_intern(p, buf, 3);
    assert_int_equal(intern(p, "abc"), abc);
    assert_int_not_equal(strpool_intern(p, buf, 4), abc);
    assert_int_not_equal(strpool_intern(p, buf + 1, 3), abc);
    assert_string_equal(strpool_str(p, abc), "abc");
    assert_string_equal(strpool_str(p, strpool_intern(p, buf, 6)), "abcdef");
    /* an embedded NUL is part of the string, not its end */
    uint32_t nul = strpool_intern(p, "a\0b", 3);
    uint32_t a = strpool_intern(p, "a", 1);
    assert_int_not_equal(nul, a);
    assert_memory_equal(strpool_str(p, nul), "a\0b", 4);
    assert_int_not_equal(strpool_intern(p, "a\0c", 3), nul);
}

static void test_find(void **state)
{
    struct strpool *p = *state;
    assert_int_equal(strpool_find(p, "absent", 6), 0);
    assert_int_equal(strpool_find(p, "", 0), 0);
    assert_int_equal(strpool_count(p), 0); /* find does not add */
    uint32_t id = intern(p, "CreateUser");
    assert_int_equal(strpool_find(p, "CreateUser", 10), id);
    assert_int_equal(strpool_find(p, "CreateUserX", 10), id);
    assert_int_equal(strpool_find(p, "CreateUse", 9), 0);
    assert_int_equal(strpool_count(p), 1);
}

static void test_id_zero_is_no_string(void **state)
{
    struct strpool *p = *state;
    assert_null(strpool_str(p, 0));
    intern(p, "x");
    assert_null(strpool_str(p, 0));
    strpool_free(NULL); /* NULL-safe */
}

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* 100k strings: many rehashes; every id still names its string, equal
 * strings still find the old id, and earlier pointers have not moved. */
static void test_growth(void **state)
{
    struct strpool *p = *state;
    enum { N = 100000 };
    uint32_t *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    char s[64];
    uint32_t first = intern(p, "arn:aws:iam::111122223333:user/k0");
    const char *first_str = strpool_str(p, first);
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "arn:aws:iam::111122223333:user/k%d", i);
        ids[i] = intern(p, s);
        assert_int_not_equal(ids[i], 0);
    }
    assert_int_equal(ids[0], first);
    assert_int_equal(strpool_count(p), N);
    assert_ptr_equal(strpool_str(p, first), first_str);
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "arn:aws:iam::111122223333:user/k%d", i);
        assert_string_equal(strpool_str(p, ids[i]), s);
        assert_int_equal(strpool_find(p, s, strlen(s)), ids[i]);
        assert_int_equal(intern(p, s), ids[i]);
    }
    /* ids are distinct: sort and look at neighbours */
    qsort(ids, N, sizeof *ids, cmp_id);
    for (int i = 1; i < N; i++)
        assert_int_not_equal(ids[i], ids[i - 1]);
    assert_int_equal(strpool_count(p), N);
    free(ids);
}

/* A string longer than the pool's chunk size. */
static void test_long_string(void **state)
{
    struct strpool *p = *state;
    size_t len = 200 * 1024;
    char *big = malloc(len);
    assert_non_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)('a' + i % 26);
    uint32_t id = strpool_intern(p, big, len);
    uint32_t small = intern(p, "small");
    assert_int_equal(strpool_intern(p, big, len), id);
    assert_int_equal(strlen(strpool_str(p, id)), len);
    assert_memory_equal(strpool_str(p, id), big, len);
    assert_string_equal(strpool_str(p, small), "small");
    free(big);
}

static void test_hash(void **state)
{
    assert_true(strpool_hash("abc", 3, 1) == strpool_hash("abcd", 3, 1));
    assert_true(strpool_hash("abc", 3, 1) != strpool_hash("abd", 3, 1));
    assert_true(strpool_hash("abc", 3, 1) != strpool_hash("abc", 3, 2));
    assert_true(strpool_hash("", 0, 1) != strpool_hash("", 0, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_equal_strings_share_an_id, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_different_strings_differ, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lengths_delimit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_zero_is_no_string, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_string, setup, teardown),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
