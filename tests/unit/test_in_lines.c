/*
 * Unit tests for engine/parse/in_lines.c: what a followed file or stdin hands
 * over — whole lines only, a half-written last line kept back until its
 * newline (or the end of the stream), and a line over the limit dropped
 * however many reads it spans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "in_lines.h"

static enum in_cut cut(struct in_lines *l, const char *s, int final, size_t *n)
{
    return in_lines_next(l, s, strlen(s), final, n);
}

static void test_whole_lines_only(void **state)
{
    struct in_lines l;
    size_t n;
    (void)state;
    in_lines_init(&l, 1024, 1024);
    assert_int_equal(cut(&l, "{\"a\":1}\n{\"b\":2}\n{\"c\"", 0, &n), IN_CUT_UNIT);
    assert_int_equal(n, 16); /* both whole lines, not the half-written one */
    assert_int_equal(cut(&l, "{\"c\"", 0, &n), IN_CUT_WAIT);
    assert_int_equal(cut(&l, "", 0, &n), IN_CUT_WAIT);
}

static void test_end_of_stream_delivers_last_line(void **state)
{
    struct in_lines l;
    size_t n;
    (void)state;
    in_lines_init(&l, 1024, 1024);
    assert_int_equal(cut(&l, "{\"c\":3}", 1, &n), IN_CUT_UNIT);
    assert_int_equal(n, 7);
}

static void test_units_are_bounded(void **state)
{
    struct in_lines l;
    size_t n;
    (void)state;
    in_lines_init(&l, 10, 100);
    /* Lines of 6 bytes: a unit of 10 bytes holds one whole line. */
    assert_int_equal(cut(&l, "aaaaa\nbbbbb\nccccc\n", 0, &n), IN_CUT_UNIT);
    assert_int_equal(n, 6);
    /* A line longer than a unit but within the line limit goes alone. */
    assert_int_equal(cut(&l, "0123456789abcdef\nx", 0, &n), IN_CUT_UNIT);
    assert_int_equal(n, 17);
    /* ... and waits for its newline like any other. */
    assert_int_equal(cut(&l, "0123456789abcdef", 0, &n), IN_CUT_WAIT);
}

static void test_oversized_line_dropped_across_reads(void **state)
{
    struct in_lines l;
    size_t n;
    (void)state;
    in_lines_init(&l, 4, 8);
    assert_int_equal(cut(&l, "0123456789", 0, &n), IN_CUT_OVERSIZED);
    assert_int_equal(n, 10);
    assert_int_equal(cut(&l, "more of it", 0, &n), IN_CUT_DROP);
    assert_int_equal(n, 10);
    assert_int_equal(cut(&l, "end\nok\n", 0, &n), IN_CUT_DROP);
    assert_int_equal(n, 4); /* up to and with its newline */
    assert_int_equal(cut(&l, "ok\n", 0, &n), IN_CUT_UNIT);
    assert_int_equal(n, 3);
    /* Whole but too long: reported once, dropped with its newline. */
    assert_int_equal(cut(&l, "0123456789\nok\n", 0, &n), IN_CUT_OVERSIZED);
    assert_int_equal(n, 11);
    assert_int_equal(cut(&l, "ok\n", 0, &n), IN_CUT_UNIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_lines_only),
        cmocka_unit_test(test_end_of_stream_delivers_last_line),
        cmocka_unit_test(test_units_are_bounded),
        cmocka_unit_test(test_oversized_line_dropped_across_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
