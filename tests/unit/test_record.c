/*
 * Unit tests for engine/parse/record.c with the compiled-in defaults: which
 * records feed call-rate and error-rate keys, which are ignored or skipped
 * and why, the fields read (with their fallbacks), and input.infer_missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "record.h"

/* Fields every record below shares unless it says otherwise. */
#define TIME "\"eventTime\":\"2024-03-12T14:07:59Z\""
#define SRC "\"eventSource\":\"iam.amazonaws.com\""
#define REGION "\"awsRegion\":\"us-east-1\""
#define ACCT "\"recipientAccountId\":\"111122223333\""
#define NAME "\"eventName\":\"CreateUser\""
/* A record of those fields plus the given ones (a leading comma each). */
#define REC(more) "{" TIME "," SRC "," REGION "," ACCT "," NAME more "}"
#define WRITE ",\"readOnly\":false,\"managementEvent\":true"
#define READ ",\"readOnly\":true,\"managementEvent\":true"
#define DENIED ",\"errorCode\":\"AccessDenied\""
/* The same without the classification fields and with another name. */
#define OLD(name, more)                                                    \
    "{" TIME "," SRC "," REGION "," ACCT ",\"eventName\":\"" name "\"" more "}"

/* One record read: the parsed JSON stays alive while its fields are used. */
struct read {
    json_t *json;
    struct ct_record r;
    enum record_class cls;
};

static void read_record(struct read *x, const char *text, int infer_missing)
{
    struct config c;
    json_error_t err;
    config_defaults(&c);
    c.infer_missing = infer_missing;
    x->json = json_loads(text, 0, &err);
    if (!x->json) {
        print_error("test record is not JSON (%s): %s\n", err.text, text);
        fail();
    }
    x->cls = record_read(x->json, &c, &x->r);
    config_free(&c);
}

static void done(struct read *x)
{
    json_decref(x->json);
}

enum { ANY = -1 };

struct class_case {
    const char *what;
    const char *json;
    int infer;
    enum record_class cls;
    int is_write, counts_error; /* RECORD_COUNT */
    int why;                    /* ignore or skip reason, or ANY */
};

static void check_class_cases(const struct class_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct class_case *k = &cases[i];
        struct read x;
        read_record(&x, k->json, k->infer);
        int why = x.cls == RECORD_SKIP     ? (int)x.r.skip
                  : x.cls == RECORD_IGNORE ? (int)x.r.ignore
                                           : ANY;
        if (x.cls != k->cls || why != k->why ||
            (x.cls == RECORD_COUNT && (x.r.is_write != k->is_write ||
                                       x.r.counts_error != k->counts_error))) {
            print_error("%s: class %d (write %d, error %d, reason %d), "
                        "expected %d (write %d, error %d, reason %d)\n",
                        k->what, x.cls, x.r.is_write, x.r.counts_error, why,
                        k->cls, k->is_write, k->counts_error, k->why);
            done(&x);
            fail();
        }
        if (x.cls == RECORD_SKIP && (!x.r.detail || !*x.r.detail)) {
            print_error("%s: skipped without a detail\n", k->what);
            done(&x);
            fail();
        }
        done(&x);
    }
}

static void test_counted(void **state)
{
    static const struct class_case cases[] = {
        {"management write", REC(WRITE), 0, RECORD_COUNT, 1, 0, ANY},
        {"write by eventCategory",
         REC(",\"readOnly\":false,\"eventCategory\":\"Management\""), 0,
         RECORD_COUNT, 1, 0, ANY},
        {"errored write", REC(WRITE DENIED), 0, RECORD_COUNT, 1, 1, ANY},
        {"errored read", REC(READ DENIED), 0, RECORD_COUNT, 0, 1, ANY},
        {"readOnly \"False\"",
         REC(",\"readOnly\":\"False\",\"managementEvent\":true"), 0,
         RECORD_COUNT, 1, 0, ANY},
        {"managementEvent \"TRUE\"",
         REC(",\"readOnly\":false,\"managementEvent\":\"TRUE\""), 0,
         RECORD_COUNT, 1, 0, ANY},
        {"empty errorCode is no error", REC(WRITE ",\"errorCode\":\"\""), 0,
         RECORD_COUNT, 1, 0, ANY},
        {"null errorCode is no error", REC(WRITE ",\"errorCode\":null"), 0,
         RECORD_COUNT, 1, 0, ANY},
    };
    check_class_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_ignored(void **state)
{
    static const struct class_case cases[] = {
        {"read without error", REC(READ), 0, RECORD_IGNORE, 0, 0,
         IGNORE_READ_OK},
        {"readOnly \"True\"",
         REC(",\"readOnly\":\"True\",\"managementEvent\":true"), 0,
         RECORD_IGNORE, 0, 0, IGNORE_READ_OK},
        {"read with empty errorCode", REC(READ ",\"errorCode\":\"\""), 0,
         RECORD_IGNORE, 0, 0, IGNORE_READ_OK},
        {"data event",
         REC(",\"readOnly\":false,\"managementEvent\":false,"
             "\"eventCategory\":\"Data\"" DENIED),
         0, RECORD_IGNORE, 0, 0, IGNORE_NOT_MANAGEMENT},
        {"Insight record by eventType",
         "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-03-12T14:07:00Z\","
         "\"eventType\":\"AwsCloudTrailInsight\",\"recipientAccountId\":"
         "\"111122223333\",\"sharedEventID\":\"x\"}",
         0, RECORD_IGNORE, 0, 0, IGNORE_INSIGHT},
        {"Insight record by eventCategory",
         REC(WRITE ",\"eventCategory\":\"Insight\""), 0, RECORD_IGNORE, 0, 0,
         IGNORE_INSIGHT},
    };
    check_class_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_skipped(void **state)
{
    static const struct class_case cases[] = {
        {"readOnly a number", REC(",\"readOnly\":0,\"managementEvent\":true"),
         0, RECORD_SKIP, 0, 0, SKIP_WRONG_TYPE},
        {"managementEvent \"yes\"",
         REC(",\"readOnly\":false,\"managementEvent\":\"yes\""), 0,
         RECORD_SKIP, 0, 0, SKIP_WRONG_TYPE},
        {"errorCode a number", REC(WRITE ",\"errorCode\":403"), 0,
         RECORD_SKIP, 0, 0, SKIP_WRONG_TYPE},
        {"no eventTime", "{" SRC "," REGION "," ACCT "," NAME WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"empty eventTime",
         "{\"eventTime\":\"\"," SRC "," REGION "," ACCT "," NAME WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"no eventSource", "{" TIME "," REGION "," ACCT "," NAME WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"null eventSource",
         "{" TIME ",\"eventSource\":null," REGION "," ACCT "," NAME WRITE "}",
         0, RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"eventSource a number",
         "{" TIME ",\"eventSource\":7," REGION "," ACCT "," NAME WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_WRONG_TYPE},
        {"no eventName", "{" TIME "," SRC "," REGION "," ACCT WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"no awsRegion", "{" TIME "," SRC "," ACCT "," NAME WRITE "}", 0,
         RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"no account anywhere",
         "{" TIME "," SRC "," REGION "," NAME WRITE
         ",\"userIdentity\":{\"type\":\"AWSService\"}}",
         0, RECORD_SKIP, 0, 0, SKIP_MISSING_FIELD},
        {"eventTime in no CloudTrail form",
         "{\"eventTime\":\"yesterday\"," SRC "," REGION "," ACCT "," NAME WRITE
         "}",
         0, RECORD_SKIP, 0, 0, SKIP_BAD_TIME},
        {"eventTime an impossible date",
         "{\"eventTime\":\"2024-04-31T00:00:00Z\"," SRC "," REGION "," ACCT
         "," NAME WRITE "}",
         0, RECORD_SKIP, 0, 0, SKIP_BAD_TIME},
    };
    check_class_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Records from before managementEvent/readOnly existed: ignored by
 * default, classified by eventType and the eventName verb on request;
 * fields that are present still win. */
static void test_infer_missing(void **state)
{
    static const struct class_case cases[] = {
        {"old read", OLD("DescribeInstances", ""), 1, RECORD_IGNORE, 0, 0,
         IGNORE_READ_OK},
        {"old write", OLD("CreateUser", ""), 1, RECORD_COUNT, 1, 0, ANY},
        {"old API call write",
         OLD("CreateUser", ",\"eventType\":\"AwsApiCall\""), 1, RECORD_COUNT,
         1, 0, ANY},
        {"old errored read", OLD("ListUsers", DENIED), 1, RECORD_COUNT, 0, 1,
         ANY},
        {"old errored write", OLD("DeleteUser", DENIED), 1, RECORD_COUNT, 1,
         1, ANY},
        {"readOnly present wins over the verb",
         OLD("DescribeInstances", ",\"readOnly\":false"), 1, RECORD_COUNT, 1,
         0, ANY},
        {"managementEvent false wins",
         OLD("CreateUser", ",\"managementEvent\":false"), 1, RECORD_IGNORE, 0,
         0, IGNORE_NOT_MANAGEMENT},
        {"eventCategory Data wins", OLD("PutObject", ",\"eventCategory\":\"Data\""),
         1, RECORD_IGNORE, 0, 0, IGNORE_NOT_MANAGEMENT},
        {"without infer_missing: old read", OLD("DescribeInstances", ""), 0,
         RECORD_IGNORE, 0, 0, IGNORE_NOT_MANAGEMENT},
        {"without infer_missing: old write", OLD("CreateUser", ""), 0,
         RECORD_IGNORE, 0, 0, IGNORE_NOT_MANAGEMENT},
        {"without infer_missing: old errored write",
         OLD("CreateUser", DENIED), 0, RECORD_IGNORE, 0, 0,
         IGNORE_NOT_MANAGEMENT},
    };
    check_class_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The string fields of a counted record: expected values, NULL = absent. */
struct field_case {
    const char *what;
    const char *json;
    const char *account, *arn, *agent, *error;
};

static void test_fields(void **state)
{
    static const struct field_case cases[] = {
        {"recipientAccountId and every optional field",
         REC(WRITE DENIED ",\"userAgent\":\"aws-cli/2.15\",\"userIdentity\":"
             "{\"accountId\":\"999999999999\",\"arn\":\"arn:aws:iam::1:user/a\","
             "\"invokedBy\":\"ec2.amazonaws.com\"}"),
         "111122223333", "arn:aws:iam::1:user/a", "aws-cli/2.15", "AccessDenied"},
        {"account from userIdentity.accountId",
         "{" TIME "," SRC "," REGION "," NAME WRITE
         ",\"userIdentity\":{\"accountId\":\"444455556666\"}}",
         "444455556666", "null", "null", NULL},
        {"empty recipientAccountId falls back",
         "{" TIME "," SRC "," REGION "," NAME WRITE
         ",\"recipientAccountId\":\"\",\"userIdentity\":{\"accountId\":"
         "\"444455556666\"}}",
         "444455556666", "null", "null", NULL},
        {"arn from invokedBy",
         REC(WRITE ",\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":"
                   "\"ec2.amazonaws.com\"}"),
         "111122223333", "ec2.amazonaws.com", "null", NULL},
        {"no userIdentity", REC(WRITE), "111122223333", "null", "null", NULL},
        {"userIdentity not an object", REC(WRITE ",\"userIdentity\":\"x\""),
         "111122223333", "null", "null", NULL},
        {"empty arn and userAgent",
         REC(WRITE ",\"userAgent\":\"\",\"userIdentity\":{\"arn\":\"\"}"),
         "111122223333", "null", "null", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct field_case *k = &cases[i];
        struct read x;
        read_record(&x, k->json, 0);
        if (x.cls != RECORD_COUNT) {
            print_error("%s: class %d, expected counted\n", k->what, x.cls);
            fail();
        }
        const char *got[] = {x.r.account, x.r.arn, x.r.agent, x.r.error};
        const char *want[] = {k->account, k->arn, k->agent, k->error};
        for (size_t f = 0; f < 4; f++) {
            int same = got[f] && want[f] ? strcmp(got[f], want[f]) == 0
                                         : got[f] == want[f];
            if (!same) {
                print_error("%s: field %zu is \"%s\", expected \"%s\"\n",
                            k->what, f, got[f] ? got[f] : "(NULL)",
                            want[f] ? want[f] : "(NULL)");
                fail();
            }
        }
        assert_string_equal(x.r.region, "us-east-1");
        assert_string_equal(x.r.source, "iam.amazonaws.com");
        assert_string_equal(x.r.name, "CreateUser");
        done(&x);
    }
}

/* eventTime becomes its UTC minute, whatever form and zone it is in. */
static void test_minute(void **state)
{
    static const char *const times[] = {
        "2024-03-12T14:07:59Z",
        "2024-03-12T14:07:00Z",
        "2024-03-12 14:07:30.250Z",
        "2024-03-13T01:07:01+11:00",
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char json[256];
        struct read x;
        snprintf(json, sizeof json,
                 "{\"eventTime\":\"%s\"," SRC "," REGION "," ACCT "," NAME WRITE
                 "}",
                 times[i]);
        read_record(&x, json, 0);
        assert_int_equal(x.cls, RECORD_COUNT);
        assert_int_equal(x.r.minute, 28504207); /* 2024-03-12T14:07Z */
        done(&x);
    }
}

static void test_not_an_object(void **state)
{
    struct config c;
    struct ct_record r;
    json_t *a = json_loads("[1,2]", 0, NULL);
    config_defaults(&c);
    assert_int_equal(record_read(a, &c, &r), RECORD_SKIP);
    assert_int_equal(r.skip, SKIP_NOT_CLOUDTRAIL);
    assert_false(record_looks_like(a));
    json_decref(a);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counted),
        cmocka_unit_test(test_ignored),
        cmocka_unit_test(test_skipped),
        cmocka_unit_test(test_infer_missing),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_minute),
        cmocka_unit_test(test_not_an_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
