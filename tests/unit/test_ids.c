/*
 * Unit tests for engine/core/ids.c: a UUID is a function of its input only
 * (reruns give the same Insight IDs), different inputs give different
 * UUIDs, and every UUID is a well-formed RFC 9562 version-8 UUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

/* 8-4-4-4-12 lowercase hex, version nibble 8, variant nibble 8, 9, a or b. */
static void assert_uuid_form(const char *u)
{
    static const char hex[] = "0123456789abcdef";
    int ok = strlen(u) == 36;
    for (size_t i = 0; ok && i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ok = u[i] == '-';
        else
            ok = u[i] != '\0' && strchr(hex, u[i]) != NULL;
    }
    ok = ok && u[14] == '8' && strchr("89ab", u[19]) != NULL;
    if (!ok) {
        print_error("\"%s\" is not a lowercase version-8 UUID\n", u);
        fail();
    }
}

static void test_same_input_same_uuid(void **state)
{
    const char key[] = "111122223333|us-east-1|iam.amazonaws.com|CreateUser";
    char copy[sizeof key];
    char a[IDS_UUID_LEN], b[IDS_UUID_LEN];
    memcpy(copy, key, sizeof key);
    ids_uuid(key, strlen(key), a);
    memset(b, 'x', sizeof b);
    ids_uuid(copy, strlen(copy), b); /* same bytes, other buffer */
    assert_string_equal(a, b);
    assert_uuid_form(a);
}

static void test_form(void **state)
{
    static const char *const inputs[] = {"", "a", "CreateUser",
                                         "\xff\xfe\x00\x01"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char u[IDS_UUID_LEN];
        memset(u, 'Z', sizeof u);
        ids_uuid(inputs[i], i == 3 ? 4 : strlen(inputs[i]), u);
        assert_int_equal(u[36], '\0');
        assert_uuid_form(u);
    }
}

static int cmp_uuid(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* 20000 inputs that differ a little (one character, one byte of length,
 * one minute): every UUID is well formed and no two are equal. */
static void test_different_inputs_differ(void **state)
{
    enum { N = 20000 };
    char (*u)[IDS_UUID_LEN] = malloc(N * sizeof *u);
    assert_non_null(u);
    for (int i = 0; i < N; i++) {
        char key[96];
        int len = snprintf(key, sizeof key,
                           "111122223333|us-east-1|ec2.amazonaws.com|"
                           "RunInstances|%d",
                           28504207 + i / 2);
        /* odd i: the same key with one more byte */
        if (i % 2)
            key[len++] = '|';
        ids_uuid(key, (size_t)len, u[i]);
        assert_uuid_form(u[i]);
    }
    qsort(u, N, sizeof *u, cmp_uuid);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(u[i], u[i - 1]);
    free(u);
}

/* Only the len bytes count: what follows them in the buffer does not. */
static void test_only_len_bytes_count(void **state)
{
    char a[IDS_UUID_LEN], b[IDS_UUID_LEN], c[IDS_UUID_LEN];
    ids_uuid("start|Start", 5, a);
    ids_uuid("start|End", 5, b);
    ids_uuid("start|End", 6, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_input_same_uuid),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_different_inputs_differ),
        cmocka_unit_test(test_only_len_bytes_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
