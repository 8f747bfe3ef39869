/*
 * Unit tests for engine/input/inflate.c: gzip members in a row, zero
 * padding after them, the output bound, data cut off or damaged (what
 * inflated before is kept, the place is said) — the same with libdeflate
 * (an inflater given) as with zlib alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gzip_fixture.h"
#include "inflate.h"
#include "xalloc.h"

struct got {
    enum inflate_rc rc;
    char text[256];
    size_t len, at;
};

/* in[0..n) inflated within max, by zlib alone and with an inflater: both
 * must say the same, which is returned. */
static struct got both(const char *in, size_t n, size_t max)
{
    struct got g[2];
    struct inflater z = {0};
    for (int k = 0; k < 2; k++) {
        char *out = NULL;
        size_t cap = 0;
        g[k].rc = inflate_gzip(k ? &z : NULL, in, n, max, &out, &g[k].len, &cap, &g[k].at);
        assert_true(g[k].len < sizeof g[k].text);
        assert_int_equal(out[g[k].len], '\0');
        memcpy(g[k].text, out, g[k].len + 1);
        xfree(out);
    }
    inflater_free(&z);
    assert_int_equal(g[0].rc, g[1].rc);
    assert_string_equal(g[0].text, g[1].text);
    if (g[0].rc != INFLATE_OK)
        assert_int_equal(g[0].at, g[1].at);
    return g[0];
}

static void test_members_padding_and_bound(void **state)
{
    static char z[512];
    (void)state;
    size_t a = gzip_member("{\"a\":", 5, z, 128);
    size_t b = gzip_member("1}", 2, z + a, 128);
    struct got g = both(z, a + b, 100);
    assert_int_equal(g.rc, INFLATE_OK);
    assert_string_equal(g.text, "{\"a\":1}");
    memset(z + a + b, 0, 40); /* padding, as gzip -d allows */
    assert_int_equal(both(z, a + b + 40, 100).rc, INFLATE_OK);
    g = both(z, a + b, 6);
    assert_int_equal(g.rc, INFLATE_TOO_BIG);
    assert_true(g.len <= 6);
    assert_int_equal(both(z, a + b, 7).rc, INFLATE_OK); /* exactly the bound */
}

static void test_cut_off_and_damaged(void **state)
{
    static char z[512];
    (void)state;
    size_t a = gzip_member("{\"a\":", 5, z, 128);
    size_t b = gzip_member("1}", 2, z + a, 128);
    struct got g = both(z, a + 3, 100);
    assert_int_equal(g.rc, INFLATE_TRUNCATED);
    assert_string_equal(g.text, "{\"a\":"); /* what inflated is kept */
    assert_int_equal(both(z, 0, 100).rc, INFLATE_TRUNCATED);
    z[a + b] = 'x';
    g = both(z, a + b + 1, 100);
    assert_int_equal(g.rc, INFLATE_DAMAGED);
    assert_int_equal(g.at, a + b);
    assert_string_equal(g.text, "{\"a\":1}");
    z[a + 12] ^= 0x55; /* inside the second member's data */
    g = both(z, a + b, 100);
    assert_true(g.rc == INFLATE_DAMAGED || g.rc == INFLATE_TRUNCATED);
    assert_int_equal(strncmp(g.text, "{\"a\":", 5), 0);
    assert_int_equal(both("not gzip", 8, 100).rc, INFLATE_DAMAGED);
}

/* A larger text than the first guess of the output's size. */
static void test_grows(void **state)
{
    static char text[200000], z[200000];
    (void)state;
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 3);
    size_t n = gzip_member(text, sizeof text, z, sizeof z);
    struct inflater zz = {0};
    char *out = NULL;
    size_t len, cap = 0, at;
    assert_int_equal(inflate_gzip(&zz, z, n, SIZE_MAX, &out, &len, &cap, &at), INFLATE_OK);
    assert_int_equal(len, sizeof text);
    assert_memory_equal(out, text, len);
    assert_int_equal(inflate_gzip(&zz, z, n, 1000, &out, &len, &cap, &at), INFLATE_TOO_BIG);
    assert_true(len <= 1000);
    assert_memory_equal(out, text, len);
    xfree(out);
    inflater_free(&zz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_padding_and_bound),
        cmocka_unit_test(test_cut_off_and_damaged),
        cmocka_unit_test(test_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
