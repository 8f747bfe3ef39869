/* engine/category: what kind of trouble an Insight looks like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agg.h"
#include "category.h"
#include "config.h"
#include "detect.h"

#define T0 (20000u * 1440u)

/* Add one record to a, as a reader would (through an evbatch). */
static void add_record(struct agg *a, const struct ct_record *r,
                       enum record_class cls, struct diag *d)
{
    struct evbatch b;
    evbatch_init(&b);
    evbatch_add(&b, r, cls);
    agg_add_batch(a, &b, d);
    evbatch_free(&b);
}

static void test_limit_codes(void **state)
{
    struct config c;
    char err[256];
    const char *yaml = "categories:\n  service_limit_codes: [KMSThrottlingException]\n";

    (void)state;
    config_defaults(&c);
    assert_true(category_is_limit_code(&c, "ThrottlingException"));
    assert_true(category_is_limit_code(&c, "Client.InstanceLimitExceeded"));
    assert_true(category_is_limit_code(&c, "Client.RequestLimitExceeded"));
    assert_true(category_is_limit_code(&c, "TooManyRequestsException"));
    assert_false(category_is_limit_code(&c, "Server.InsufficientInstanceCapacity"));
    assert_false(category_is_limit_code(&c, "AccessDenied"));
    assert_false(category_is_limit_code(&c, "KMSThrottlingException"));
    assert_int_equal(config_load_string(&c, yaml, strlen(yaml), "t.yaml", err,
                                        sizeof err), 0);
    assert_true(category_is_limit_code(&c, "KMSThrottlingException"));
    assert_true(category_is_limit_code(&c, "Client.KMSThrottlingException"));
    config_free(&c);
}

/* One key of calls of source/name in minute T0, `failed` of `n` with
 * error; returns the category of an increase Insight on it. */
static const char *category_for(const char *source, const char *name,
                                const char *error, int failed, int n,
                                enum insight_type type)
{
    struct config c;
    struct diag d;
    config_defaults(&c);
    diag_init(&d);
    struct agg *a = agg_new(&c);
    for (int i = 0; i < n; i++) {
        struct ct_record r = {"111122223333", "us-east-1", source, name,
                              i < failed ? error : NULL, "arn", "agent",
                              T0, 1, i < failed, 0, 0, NULL};
        add_record(a, &r, RECORD_COUNT, &d);
    }
    agg_finish(a);
    uint32_t key = 0;
    for (uint32_t k = 0; k < a->nkeys; k++)
        if (a->keys[k].type == type)
            key = k;
    struct insight ins = {.key = key, .start = T0, .end = T0 + 1,
                          .decided = T0, .direction = DIRECTION_INCREASE};
    const char *cat = category_of(a, &c, &ins);
    agg_free(a);
    config_free(&c);
    return cat;
}

static void test_categories(void **state)
{
    (void)state;
    /* Most calls failing with a limit code: service-limit, whatever the API. */
    assert_string_equal(category_for("ec2.amazonaws.com", "RunInstances",
                                     "Client.InstanceLimitExceeded", 8, 10,
                                     INSIGHT_CALL_RATE), "service-limit");
    /* A minority failing does not make it one. */
    assert_string_equal(category_for("ec2.amazonaws.com", "RunInstances",
                                     "Client.InstanceLimitExceeded", 2, 10,
                                     INSIGHT_CALL_RATE), "provisioning");
    assert_string_equal(category_for("ssm.amazonaws.com", "GetParameter",
                                     "ThrottlingException", 10, 10,
                                     INSIGHT_ERROR_RATE), "service-limit");
    assert_string_equal(category_for("s3.amazonaws.com", "PutBucketPolicy",
                                     "AccessDenied", 10, 10,
                                     INSIGHT_ERROR_RATE), "access-denied");
    assert_string_equal(category_for("iam.amazonaws.com", "CreateAccessKey",
                                     NULL, 0, 10, INSIGHT_CALL_RATE),
                        "iam-burst");
    assert_string_equal(category_for("ec2.amazonaws.com", "TerminateInstances",
                                     NULL, 0, 10, INSIGHT_CALL_RATE),
                        "deletion");
    assert_string_equal(category_for("lambda.amazonaws.com",
                                     "UpdateFunctionCode20150331v2", NULL, 0,
                                     10, INSIGHT_CALL_RATE), "rate-change");
}

static void test_gap_is_maintenance(void **state)
{
    struct config c;
    struct diag d;
    (void)state;
    config_defaults(&c);
    diag_init(&d);
    struct agg *a = agg_new(&c);
    struct ct_record r = {"1", "r", "ec2.amazonaws.com", "CreateSnapshot",
                          NULL, "arn", "agent", T0, 1, 0, 0, 0, NULL};
    add_record(a, &r, RECORD_COUNT, &d);
    agg_finish(a);
    struct insight ins = {.key = 0, .start = T0 + 1440, .end = T0 + 1500,
                          .direction = DIRECTION_DECREASE};
    assert_string_equal(category_of(a, &c, &ins), "maintenance-gap");
    agg_free(a);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_codes),
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_gap_is_maintenance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
