/* engine/category: what kind of trouble an Insight looks like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "category.h"
#include "config.h"


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

static void test_categories(void **state)
{
    struct config c;
    (void)state;
    config_defaults(&c);
    /* A limit code: service-limit, whatever the API. */
    assert_string_equal(category_of(&c, 0, "ec2.amazonaws.com", "RunInstances",
                                    "Client.InstanceLimitExceeded"), "service-limit");
    assert_string_equal(category_of(&c, 0, "ssm.amazonaws.com", "GetParameter",
                                    "ThrottlingException"), "service-limit");
    assert_string_equal(category_of(&c, 0, "s3.amazonaws.com", "PutBucketPolicy",
                                    "AccessDenied"), "access-denied");
    assert_string_equal(category_of(&c, 0, "ec2.amazonaws.com", "RunInstances",
                                    "Client.UnauthorizedOperation"), "access-denied");
    /* No code (or one that says nothing): the API decides. */
    assert_string_equal(category_of(&c, 0, "ec2.amazonaws.com", "RunInstances", NULL),
                        "provisioning");
    assert_string_equal(category_of(&c, 0, "iam.amazonaws.com", "CreateAccessKey", NULL),
                        "iam-burst");
    assert_string_equal(category_of(&c, 0, "ec2.amazonaws.com", "TerminateInstances",
                                    "Client.InvalidInstanceID.NotFound"), "deletion");
    assert_string_equal(category_of(&c, 0, "lambda.amazonaws.com",
                                    "UpdateFunctionCode20150331v2", NULL), "rate-change");
    /* A decrease is a maintenance gap. */
    assert_string_equal(category_of(&c, 1, "ec2.amazonaws.com", "CreateSnapshot", NULL),
                        "maintenance-gap");
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_codes),
        cmocka_unit_test(test_categories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
