/*
 * Unit tests for engine/parse/scan.c: where values end (strings with escapes,
 * nesting, scalars), how each failure is classified (truncated, bad byte,
 * too deep), the member/element iterator, and offset -> line:col.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "scan.h"

/* Fail showing which input of a table went wrong. */
#define expect_eq_for(input, got, want)                                    \
    do {                                                                   \
        long long g_ = (long long)(got), w_ = (long long)(want);           \
        if (g_ != w_) {                                                    \
            print_error("input \"%s\": %s is %lld, expected %lld\n",      \
                        (input), #got, g_, w_);                            \
            fail();                                                        \
        }                                                                  \
    } while (0)

struct value_case {
    const char *in;
    size_t at;
    int max_depth;
    int rc;
    size_t end; /* (size_t)-1: strlen(in) */
};

#define TO_END ((size_t)-1)

static void check_value_cases(const struct value_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct value_case *k = &cases[i];
        size_t len = strlen(k->in), end = 12345;
        int rc = scan_value(k->in, len, k->at, k->max_depth, &end);
        expect_eq_for(k->in, rc, k->rc);
        expect_eq_for(k->in, end, k->end == TO_END ? len : k->end);
    }
}

static void test_value_spans(void **state)
{
    static const struct value_case cases[] = {
        /* containers end at their matching bracket, not the buffer's end */
        {"{\"a\":1} tail", 0, 64, SCAN_OK, 7},
        {"[1,[2,3],{\"b\":[]},\"x\"],[9]", 0, 64, SCAN_OK, 22},
        {"{ \"a\" :\n\t[ true , null ] }", 0, 64, SCAN_OK, TO_END},
        {"xx[1]yy", 2, 64, SCAN_OK, 5},
        /* brackets inside strings do not count */
        {"{\"k\":\"}]\"}", 0, 64, SCAN_OK, TO_END},
        {"[\"[[[\", \"{\"]", 0, 64, SCAN_OK, TO_END},
        /* "a\\" ends: the backslash is itself escaped */
        {"\"a\\\\\",\"x\"", 0, 64, SCAN_OK, 5},
        {"\"\\\\\"]", 0, 64, SCAN_OK, 4},
        /* "a\"b" continues past the escaped quote */
        {"\"a\\\"b\",1", 0, 64, SCAN_OK, 6},
        {"\"\\\"\"", 0, 64, SCAN_OK, 4},
        /* three backslashes: one escaped backslash, then an escaped quote */
        {"\"a\\\\\\\"b\" ", 0, 64, SCAN_OK, 8},
        {"{\"k\\\"}\":\"v\\\\\"}", 0, 64, SCAN_OK, TO_END},
        /* scalars end at the first byte that cannot continue them */
        {"123.5e+3,", 0, 64, SCAN_OK, 8},
        {"-7]", 0, 64, SCAN_OK, 2},
        {"true ", 0, 64, SCAN_OK, 4},
        {"false}", 0, 64, SCAN_OK, 5},
        {"null", 0, 64, SCAN_OK, 4},
        {"0", 0, 64, SCAN_OK, 1},
    };
    check_value_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_value_errors(void **state)
{
    static const struct value_case cases[] = {
        /* cut off: *end is the end of the buffer */
        {"{\"a\":[1,2", 0, 64, SCAN_TRUNCATED, TO_END},
        {"{\"a\":\"b", 0, 64, SCAN_TRUNCATED, TO_END},
        {"{\"a\":1", 0, 64, SCAN_TRUNCATED, TO_END},
        {"[", 0, 64, SCAN_TRUNCATED, TO_END},
        {"\"abc", 0, 64, SCAN_TRUNCATED, TO_END},
        {"\"a\\\"", 0, 64, SCAN_TRUNCATED, TO_END}, /* "a\" : quote escaped */
        {"[\"x\",", 0, 64, SCAN_TRUNCATED, TO_END},
        /* stray closing brackets and bytes that start nothing */
        {"}", 0, 64, SCAN_BAD, 0},
        {"]", 0, 64, SCAN_BAD, 0},
        {"[1]]", 3, 64, SCAN_BAD, 3},
        {",1", 0, 64, SCAN_BAD, 0},
        {"[1,#]", 0, 64, SCAN_BAD, 3},
        {"{\"a\":@}", 0, 64, SCAN_BAD, 5},
        /* nothing at all */
        {"", 0, 64, SCAN_EOF, 0},
        {"[1]", 3, 64, SCAN_EOF, 3},
    };
    check_value_cases(cases, sizeof cases / sizeof cases[0]);
}

/* depth nested arrays around a 1, e.g. 3 -> "[[[1]]]". */
static size_t nested(char *buf, int depth, char open, char close)
{
    size_t n = 0;
    for (int i = 0; i < depth; i++) {
        buf[n++] = open;
        if (open == '{') {
            memcpy(buf + n, "\"k\":", 4);
            n += 4;
        }
    }
    buf[n++] = '1';
    for (int i = 0; i < depth; i++)
        buf[n++] = close;
    buf[n] = '\0';
    return n;
}

static void test_value_depth_limit(void **state)
{
    static const char pairs[][2] = {{'[', ']'}, {'{', '}'}};
    char buf[256];
    const int max = 5;
    for (size_t p = 0; p < 2; p++) {
        for (int depth = 1; depth <= max + 3; depth++) {
            size_t len = nested(buf, depth, pairs[p][0], pairs[p][1]), end;
            int rc = scan_value(buf, len, 0, max, &end);
            if (depth <= max) {
                expect_eq_for(buf, rc, SCAN_OK);
                expect_eq_for(buf, end, len);
            } else {
                /* reported at the first bracket past the limit */
                size_t step = pairs[p][0] == '{' ? 5 : 1;
                expect_eq_for(buf, rc, SCAN_TOO_DEEP);
                expect_eq_for(buf, end, (size_t)max * step);
            }
        }
    }
    /* a scalar needs no depth at all */
    size_t end;
    assert_int_equal(scan_value("42", 2, 0, 0, &end), SCAN_OK);
    assert_int_equal(end, 2);
    assert_int_equal(scan_value("[]", 2, 0, 0, &end), SCAN_TOO_DEEP);
}

static void test_ws(void **state)
{
    const char *s = " \t\r\n x \n";
    assert_int_equal(scan_ws(s, strlen(s), 0), 5);
    assert_int_equal(scan_ws(s, strlen(s), 5), 5);
    assert_int_equal(scan_ws(s, strlen(s), 6), strlen(s));
    assert_int_equal(scan_ws(s, 3, 0), 3); /* never past len */
}

/* What an iteration saw: "key=<first byte of value>" per member (or just
 * the byte for arrays), joined by spaces; and how it stopped. */
struct walk {
    char seen[256];
    int rc;    /* the first non-OK result of next or skip */
    size_t pos;
    int count;
};

static void iterate(const char *in, int max_depth, struct walk *w)
{
    struct scan_iter it;
    const char *key;
    size_t keylen, vstart, len = strlen(in);
    size_t n = 0;

    memset(w, 0, sizeof *w);
    scan_iter_begin(&it, in, len, scan_ws(in, len, 0), max_depth);
    while ((w->rc = scan_iter_next(&it, &key, &keylen, &vstart)) == SCAN_OK) {
        if (n)
            w->seen[n++] = ' ';
        if (key) {
            memcpy(w->seen + n, key, keylen);
            n += keylen;
            w->seen[n++] = '=';
        }
        w->seen[n++] = in[vstart];
        w->seen[n] = '\0';
        w->rc = scan_iter_skip(&it, vstart);
        if (w->rc != SCAN_OK)
            break;
    }
    w->pos = it.pos;
    w->count = it.count;
}

struct iter_case {
    const char *in;
    int max_depth;
    const char *seen;
    int rc;
    size_t pos; /* TO_END: strlen(in) */
};

static void test_iter_cases(void **state)
{
    static const struct iter_case cases[] = {
        /* members: keys are the raw bytes between the quotes */
        {"{ \"a\" : 1, \"bc\":{\"x\":[1,2]} ,\"d\\\"e\":\"v\" }", 64,
         "a=1 bc={ d\\\"e=\"", SCAN_EOF, TO_END},
        {"{\"\":null}", 64, "=n", SCAN_EOF, TO_END},
        /* elements: no key */
        {"[10, \"x\",\n [1], {\"k\":2}, true]", 64, "1 \" [ { t", SCAN_EOF,
         TO_END},
        /* empty containers stop at once, after the bracket */
        {"{}", 64, "", SCAN_EOF, 2},
        {"[ ]", 64, "", SCAN_EOF, 3},
        {"{ } trailing", 64, "", SCAN_EOF, 3},
        /* a missing comma is bad at the second value */
        {"{\"a\":1 \"b\":2}", 64, "a=1", SCAN_BAD, 7},
        {"[1 2]", 64, "1", SCAN_BAD, 3},
        /* a missing colon or a key that is not a string is bad */
        {"{\"a\" 1}", 64, "", SCAN_BAD, 5},
        {"{a:1}", 64, "", SCAN_BAD, 1},
        /* a trailing comma leaves nothing where a value must start */
        {"[1,]", 64, "1 ]", SCAN_BAD, 3},
        {"{\"a\":1,}", 64, "a=1", SCAN_BAD, 7},
        /* cut off between, inside and after values */
        {"{\"a\":1,", 64, "a=1", SCAN_TRUNCATED, TO_END},
        {"{\"a\":1", 64, "a=1", SCAN_TRUNCATED, TO_END},
        {"{\"a\"", 64, "", SCAN_TRUNCATED, TO_END},
        {"{\"a\":", 64, "", SCAN_TRUNCATED, TO_END},
        {"{\"ab", 64, "", SCAN_TRUNCATED, TO_END},
        {"[1,2", 64, "1 2", SCAN_TRUNCATED, TO_END},
        {"[", 64, "", SCAN_TRUNCATED, TO_END},
        {"[{\"a\":[1", 64, "{", SCAN_TRUNCATED, TO_END},
        /* the container counts toward the depth of the values inside */
        {"[[1],[[2]]]", 2, "[ [", SCAN_TOO_DEEP, 6},
        {"[[1],[2]]", 2, "[ [", SCAN_EOF, TO_END},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct iter_case *k = &cases[i];
        struct walk w;
        iterate(k->in, k->max_depth, &w);
        if (strcmp(w.seen, k->seen) != 0) {
            print_error("input \"%s\": saw \"%s\", expected \"%s\"\n", k->in,
                        w.seen, k->seen);
            fail();
        }
        expect_eq_for(k->in, w.rc, k->rc);
        expect_eq_for(k->in, w.pos, k->pos == TO_END ? strlen(k->in) : k->pos);
    }
}

/* The documented alternative to scan_iter_skip: the caller finds the
 * value's end itself and sets it.pos; value starts are exact offsets. */
static void test_iter_set_pos(void **state)
{
    const char *in = "{\"Records\": [ {\"a\":1}, {\"b\":[2]} ], \"n\":3}";
    size_t len = strlen(in), want[] = {14, 23}, n = 0;
    struct scan_iter obj, arr;
    const char *key;
    size_t keylen, vstart, end;

    scan_iter_begin(&obj, in, len, 0, 64);
    assert_int_equal(scan_iter_next(&obj, &key, &keylen, &vstart), SCAN_OK);
    assert_int_equal(keylen, 7);
    assert_memory_equal(key, "Records", 7);
    assert_int_equal(in[vstart], '[');

    scan_iter_begin(&arr, in, len, vstart, 64);
    while (scan_iter_next(&arr, &key, &keylen, &vstart) == SCAN_OK) {
        assert_null(key);
        assert_true(n < 2);
        assert_int_equal(vstart, want[n++]);
        assert_int_equal(scan_value(in, len, vstart, 64, &end), SCAN_OK);
        arr.pos = end;
    }
    assert_int_equal(n, 2);
    assert_int_equal(arr.count, 2);
    assert_int_equal(in[arr.pos - 1], ']');

    obj.pos = arr.pos;
    assert_int_equal(scan_iter_next(&obj, &key, &keylen, &vstart), SCAN_OK);
    assert_int_equal(keylen, 1);
    assert_int_equal(*key, 'n');
    assert_int_equal(in[vstart], '3');
    assert_int_equal(scan_iter_skip(&obj, vstart), SCAN_OK);
    assert_int_equal(scan_iter_next(&obj, &key, &keylen, &vstart), SCAN_EOF);
    assert_int_equal(obj.pos, len);
}

static void test_line_col(void **state)
{
    const char *text = "ab\ncd\n\nxyz\r\nq";
    static const struct {
        size_t at, line, col;
    } cases[] = {
        {0, 1, 1}, {1, 1, 2}, {2, 1, 3}, /* the newline ends line 1 */
        {3, 2, 1}, {4, 2, 2}, {6, 3, 1}, {7, 4, 1},
        {9, 4, 3}, {11, 4, 5}, {12, 5, 1},
        {13, 5, 2}, /* one past the last byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t line = 0, col = 0;
        scan_line_col(text, cases[i].at, &line, &col);
        if (line != cases[i].line || col != cases[i].col) {
            print_error("offset %zu: %zu:%zu, expected %zu:%zu\n",
                        cases[i].at, line, col, cases[i].line, cases[i].col);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_spans),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_value_depth_limit),
        cmocka_unit_test(test_ws),
        cmocka_unit_test(test_iter_cases),
        cmocka_unit_test(test_iter_set_pos),
        cmocka_unit_test(test_line_col),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
