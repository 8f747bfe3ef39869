/* engine/evbatch: compact events with strings stored once per batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "evbatch.h"
#include "strpool.h"

static struct ct_record rec(const char *name, const char *error, int64_t minute)
{
    struct ct_record r = {"111122223333", "us-east-1", "iam.amazonaws.com",
                          name, error, "arn:aws:iam::111122223333:user/a",
                          "aws-cli", 0, minute, 1, error != NULL, 0, 0, NULL};
    return r;
}

static void test_strings_once(void **state)
{
    struct evbatch b;
    (void)state;
    evbatch_init(&b);
    struct ct_record r1 = rec("CreateUser", NULL, 100);
    struct ct_record r2 = rec("CreateUser", "LimitExceededException", 101);
    struct ct_record r3 = rec("DeleteUser", NULL, 99);
    evbatch_add(&b, &r1, RECORD_COUNT);
    evbatch_add(&b, &r2, RECORD_COUNT);
    evbatch_add(&b, &r3, RECORD_COUNT);
    assert_int_equal(b.n, 3);
    /* account, region, source, 2 names, error, arn, agent + the unused 0 */
    assert_int_equal(b.nstrs, 9);
    assert_int_equal(b.ev[0].str[EVF_NAME], b.ev[1].str[EVF_NAME]);
    assert_int_not_equal(b.ev[0].str[EVF_NAME], b.ev[2].str[EVF_NAME]);
    assert_int_equal(b.ev[0].str[EVF_ERROR], 0);
    assert_string_equal(evbatch_str(&b, b.ev[1].str[EVF_ERROR]), "LimitExceededException");
    assert_null(evbatch_str(&b, 0));
    assert_int_equal(b.ev[0].flags, EV_CALL);
    assert_int_equal(b.ev[1].flags, EV_CALL | EV_ERROR);
    assert_int_equal(b.ev[2].minute, 99);
    for (size_t i = 1; i < b.nstrs; i++) {
        const char *s = evbatch_str(&b, (uint32_t)i);
        assert_int_equal(b.strs[i].len, strlen(s));
        assert_true(b.strs[i].hash == strpool_hash(s, strlen(s), 0));
    }
    /* Clearing keeps nothing. */
    evbatch_clear(&b);
    assert_int_equal(b.n, 0);
    evbatch_add(&b, &r3, RECORD_COUNT);
    assert_int_equal(b.nstrs, 7); /* no error code this time */
    assert_string_equal(evbatch_str(&b, b.ev[0].str[EVF_NAME]), "DeleteUser");
    evbatch_free(&b);
}

static void test_coverage_and_rejects(void **state)
{
    struct evbatch b;
    (void)state;
    evbatch_init(&b);
    struct ct_record r = rec("DescribeInstances", NULL, 5000);
    evbatch_add(&b, &r, RECORD_IGNORE);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.ev[0].flags, 0);
    assert_int_equal(b.ev[0].str[EVF_NAME], 0);
    assert_string_equal(evbatch_str(&b, b.ev[0].str[EVF_REGION]), "us-east-1");
    struct ct_record insight = {0};
    insight.minute = 5000;
    evbatch_add(&b, &insight, RECORD_IGNORE); /* no account: nothing */
    evbatch_add(&b, &r, RECORD_SKIP);
    r.minute = (int64_t)UINT32_MAX + 1;
    evbatch_add(&b, &r, RECORD_COUNT);
    assert_int_equal(b.n, 1);
    /* Many distinct strings grow the table. */
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "Api%d", i);
        struct ct_record x = rec(name, NULL, 1);
        evbatch_add(&b, &x, RECORD_COUNT);
    }
    assert_int_equal(b.n, 5001);
    assert_string_equal(evbatch_str(&b, b.ev[4321].str[EVF_NAME]), "Api4320");
    evbatch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_once),
        cmocka_unit_test(test_coverage_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
