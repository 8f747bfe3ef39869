#include "fastrec.h"

#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(CTI_SCALAR)
#include <emmintrin.h>
#define USE_SSE2 1
#else
#define USE_SSE2 0
#endif

typedef const char *cp;

const char *fastrec_isa(void)
{
    return USE_SSE2 ? "sse2" : "scalar";
}

void fastrec_init(struct fastrec *fr)
{
    memset(fr, 0, sizeof(*fr));
}

void fastrec_free(struct fastrec *fr)
{
    xfree(fr->scratch);
    xfree(fr->doc);
    memset(fr, 0, sizeof(*fr));
}

/* ---- lexical pieces; each returns the position after what it read, or
 * NULL when jansson would reject it (or it runs past e). */

static inline int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline cp ws(cp p, cp e)
{
    while (p < e && is_ws(*p))
        p++;
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of 4 hex digits at p, or -1. */
static long hex4(cp p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* What an escape's second character stands for, 0 for any but the
 * simple ones (u included). */
static const char escaped_char[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
    ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

/* p at a backslash inside a string. */
static cp escape(cp p, cp e)
{
    if (e - p < 2)
        return NULL;
    if (escaped_char[(unsigned char)p[1]])
        return p + 2;
    if (p[1] != 'u' || e - p < 6)
        return NULL;
    long v = hex4(p + 2);
    if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF)) /* \u0000, a lone low half */
        return NULL;
    if (v < 0xD800 || v > 0xDBFF)
        return p + 6;
    if (e - p < 12 || p[6] != '\\' || p[7] != 'u')
        return NULL;
    long w = hex4(p + 8);
    return w >= 0xDC00 && w <= 0xDFFF ? p + 12 : NULL;
}

/* p at a byte >= 0x80 inside a string: one whole, shortest-form UTF-8
 * sequence of a Unicode scalar value. */
static cp utf8(cp p, cp e)
{
    unsigned char c = (unsigned char)*p;
    int n;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return NULL;
    }
    if (e - p < n)
        return NULL;
    for (int i = 1; i < n; i++) {
        unsigned char u = (unsigned char)p[i];
        if ((u & 0xC0) != 0x80)
            return NULL;
        v = v << 6 | (u & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
        (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
        return NULL;
    return p + n;
}

/* Bytes that stand for themselves in a string: printable ASCII but the
 * quote and the backslash. */
static const unsigned char plain[256] = {
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
};

#if USE_SSE2
/* Bit i set: byte i of the 16 at p is a quote, a backslash, a control
 * character or >= 0x80 (the signed compare puts those below 0x20 too). */
static inline unsigned specials16(cp p)
{
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                          _mm_cmpeq_epi8(v, bslash)),
                             _mm_cmplt_epi8(v, space));
    return (unsigned)_mm_movemask_epi8(m);
}

/* The 16 bytes at s, to o. */
static inline void copy16(char *o, cp s)
{
    _mm_storeu_si128((__m128i *)(void *)o,
                     _mm_loadu_si128((const __m128i *)(const void *)s));
}
#endif

/* s at a byte that does not stand for itself: the position after it and
 * what it begins (an escape, a UTF-8 sequence), or NULL; a quote (the end
 * of the string) sets *closed. */
static inline cp special(cp s, cp e, int *esc, int *closed)
{
    unsigned char c = (unsigned char)*s;
    if (c == '"') {
        *closed = 1;
        return s + 1;
    }
    if (c == '\\') {
        *esc = 1;
        return escape(s, e);
    }
    return c >= 0x80 ? utf8(s, e) : NULL; /* else a control character */
}

/* p just after an opening quote: return after the closing one; *esc is
 * set when the string holds escapes.  With SSE2, 16 bytes are classified
 * at once and every special byte of the block is handled before the next
 * load (record text embedded as a string has an escape every few bytes). */
static cp string(cp p, cp e, int *esc)
{
    int closed = 0;
#if USE_SSE2
    while (e - p >= 16) {
        unsigned bits = specials16(p);
        cp next = p + 16;
        while (bits) {
            cp s = special(p + __builtin_ctz(bits), e, esc, &closed);
            if (!s || closed)
                return s;
            if (s >= next) { /* an escape or a sequence across the block */
                next = s;
                break;
            }
            bits &= ~0u << (s - p);
        }
        p = next;
    }
#endif
    for (;;) {
        while (p < e && plain[(unsigned char)*p])
            p++;
        if (p >= e)
            return NULL;
        p = special(p, e, esc, &closed);
        if (!p || closed)
            return p;
    }
}

/* Whether the n-digit integer at s (no sign) fits a long long of the
 * sign given. */
static int int_fits(cp s, size_t n, int neg)
{
    if (n != 19)
        return n < 19;
    return memcmp(s, neg ? "9223372036854775808" : "9223372036854775807", 19) <= 0;
}

/* A number, in jansson's grammar and range (integers must fit a long
 * long, reals must not overflow a double). */
static cp number(cp p, cp e)
{
    cp s = p;
    int neg = *p == '-';
    if (neg && ++p >= e)
        return NULL;
    cp digits = p;
    if (*p == '0') {
        p++;
        if (p < e && is_digit(*p))
            return NULL;
    } else if (is_digit(*p)) {
        while (p < e && is_digit(*p))
            p++;
    } else {
        return NULL;
    }
    size_t nint = (size_t)(p - digits);
    int real = 0, expo = 0;
    if (p < e && *p == '.') {
        if (++p >= e || !is_digit(*p))
            return NULL;
        while (p < e && is_digit(*p))
            p++;
        real = 1;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        if (++p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !is_digit(*p))
            return NULL;
        while (p < e && is_digit(*p))
            p++;
        real = expo = 1;
    }
    if (!real)
        return int_fits(digits, nint, neg) ? p : NULL;
    if (!expo && nint < 300)
        return p; /* below 1e300: cannot overflow */
    char tmp[64];
    size_t n = (size_t)(p - s);
    if (n >= sizeof tmp)
        return NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    double d = strtod(tmp, NULL);
    return (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE ? NULL : p;
}

static cp literal(cp p, cp e, const char *lit, size_t n)
{
    return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0 ? p + n : NULL;
}

/* ---- values stepped over: validated, not kept */

static cp value(cp p, cp e, int depth);

/* p at the opening quote of a member name: the name's raw text in *k and
 * *n; returns the start of the value (p < e). */
static cp member_name(cp p, cp e, cp *k, size_t *n, int *esc)
{
    if (*p != '"')
        return NULL;
    *k = p + 1;
    p = string(*k, e, esc);
    if (!p)
        return NULL;
    *n = (size_t)(p - *k - 1);
    p = ws(p, e);
    if (p >= e || *p != ':')
        return NULL;
    p = ws(p + 1, e);
    return p < e ? p : NULL;
}

/* p after a value in a container closed by close: returns the start of
 * the next value (*more = 1) or the position after the container (*more =
 * 0). */
static cp after_value(cp p, cp e, char close, int *more)
{
    p = ws(p, e);
    if (p >= e)
        return NULL;
    *more = *p == ',';
    if (*p == close)
        return p + 1;
    if (!*more)
        return NULL;
    p = ws(p + 1, e);
    return p < e ? p : NULL;
}

/* p at '{' or '['; returns the first value or member (*more = 1) or the
 * position after an empty container (*more = 0). */
static cp open_container(cp p, cp e, int depth, int *more)
{
    char close = *p == '{' ? '}' : ']';
    if (depth <= 0)
        return NULL;
    p = ws(p + 1, e);
    if (p >= e)
        return NULL;
    *more = *p != close;
    return *more ? p : p + 1;
}

/* p at '{' or '['. */
static cp container(cp p, cp e, int depth)
{
    char close = *p == '{' ? '}' : ']';
    int more, esc;
    cp k;
    size_t n;
    p = open_container(p, e, depth, &more);
    while (p && more) {
        if (close == '}')
            p = member_name(p, e, &k, &n, &esc);
        if (p)
            p = value(p, e, depth - 1);
        if (p)
            p = after_value(p, e, close, &more);
    }
    return p;
}

/* p < e, at the first byte of a value. */
static cp value(cp p, cp e, int depth)
{
    int esc;
    switch (*p) {
    case '"':
        return string(p + 1, e, &esc);
    case '{':
    case '[':
        return container(p, e, depth);
    case 't':
        return literal(p, e, "true", 4);
    case 'f':
        return literal(p, e, "false", 5);
    case 'n':
        return literal(p, e, "null", 4);
    default:
        return *p == '-' || is_digit(*p) ? number(p, e) : NULL;
    }
}

/* ---- the record object and its userIdentity */

enum {
    K_OTHER = -1,    /* stepped over */
    K_WRAPPER = -2,  /* a container shape: declined */
    K_EMBEDDED = -3, /* an entry's CloudTrailEvent: the record as a string */
};

/* Whose members are read. */
enum { OF_RECORD, OF_IDENTITY, OF_ENTRY };

static int key_is(cp k, size_t n, const char *lit, size_t m)
{
    return n == m && memcmp(k, lit, m) == 0;
}
#define KEY(lit) key_is(k, n, lit, sizeof(lit) - 1)

/* The field a member of the record is, K_OTHER or K_WRAPPER; *looks is
 * set for the members that make an object a CloudTrail record. */
static int top_key(cp k, size_t n, int *looks)
{
    switch (n) {
    case 6:
        return KEY("Events") || KEY("detail") ? K_WRAPPER : K_OTHER;
    case 7:
        if (KEY("eventID"))
            return RF_EVENT_ID;
        return KEY("Records") ? K_WRAPPER : K_OTHER;
    case 8:
        return KEY("readOnly") ? RF_READ_ONLY : K_OTHER;
    case 9:
        if (KEY("eventTime") || KEY("eventName")) {
            *looks = 1;
            return k[5] == 'T' ? RF_EVENT_TIME : RF_EVENT_NAME;
        }
        if (KEY("awsRegion"))
            return RF_AWS_REGION;
        if (KEY("userAgent"))
            return RF_USER_AGENT;
        if (KEY("errorCode"))
            return RF_ERROR_CODE;
        if (KEY("eventType"))
            return RF_EVENT_TYPE;
        return KEY("logEvents") ? K_WRAPPER : K_OTHER;
    case 11:
        if (KEY("eventSource")) {
            *looks = 1;
            return RF_EVENT_SOURCE;
        }
        return K_OTHER;
    case 12:
        if (KEY("eventVersion")) {
            *looks = 1;
            return K_OTHER;
        }
        return KEY("userIdentity") ? RF_USER_IDENTITY : K_OTHER;
    case 13:
        return KEY("eventCategory") ? RF_EVENT_CATEGORY : K_OTHER;
    case 15:
        if (KEY("managementEvent"))
            return RF_MANAGEMENT_EVENT;
        return KEY("CloudTrailEvent") || KEY("digestStartTime") ? K_WRAPPER : K_OTHER;
    case 18:
        return KEY("recipientAccountId") ? RF_RECIPIENT_ACCOUNT : K_OTHER;
    default:
        return K_OTHER;
    }
}

static int ui_key(cp k, size_t n)
{
    if (KEY("accountId"))
        return RF_UI_ACCOUNT_ID;
    if (KEY("arn"))
        return RF_UI_ARN;
    return KEY("invokedBy") ? RF_UI_INVOKED_BY : K_OTHER;
}

/* A member of a LookupEvents entry: a page or a log file is declined at
 * once. */
static int entry_key(cp k, size_t n)
{
    if (KEY("CloudTrailEvent"))
        return K_EMBEDDED;
    return KEY("Events") || KEY("Records") ? K_WRAPPER : K_OTHER;
}
#undef KEY

/* The value of field id, kept. */
static cp field_value(struct fastrec *fr, int id, cp p, cp e, int depth)
{
    struct rfield *f = &fr->fields.f[id];
    int esc = 0;
    cp q;
    f->v.s = NULL;
    f->v.len = 0;
    fr->escaped &= ~(1u << id);
    switch (*p) {
    case '"':
        q = string(p + 1, e, &esc);
        if (!q)
            return NULL;
        f->type = RFT_STRING;
        f->v.s = p + 1;
        f->v.len = (size_t)(q - p - 2);
        if (esc)
            fr->escaped |= 1u << id;
        return q;
    case 't':
        f->type = RFT_TRUE;
        break;
    case 'f':
        f->type = RFT_FALSE;
        break;
    case 'n':
        f->type = RFT_NULL;
        break;
    case '{':
        f->type = RFT_OBJECT;
        break;
    default:
        f->type = RFT_OTHER;
        break;
    }
    return value(p, e, depth);
}

static cp members(struct fastrec *fr, cp p, cp e, int depth, int of,
                  int *looks);
static cp embedded_value(struct fastrec *fr, cp p, cp e, int depth);

/* A userIdentity member: its fields are those of this (the last) one. */
static cp user_identity(struct fastrec *fr, cp p, cp e, int depth)
{
    static const int ui[] = {RF_UI_ACCOUNT_ID, RF_UI_ARN, RF_UI_INVOKED_BY};
    for (size_t i = 0; i < sizeof ui / sizeof ui[0]; i++) {
        memset(&fr->fields.f[ui[i]], 0, sizeof(struct rfield));
        fr->escaped &= ~(1u << ui[i]);
    }
    if (*p != '{')
        return field_value(fr, RF_USER_IDENTITY, p, e, depth);
    fr->fields.f[RF_USER_IDENTITY].type = RFT_OBJECT;
    return members(fr, p, e, depth, OF_IDENTITY, NULL);
}

/* p at the '{' of a record, of its userIdentity or of a LookupEvents
 * entry (of). */
static cp members(struct fastrec *fr, cp p, cp e, int depth, int of,
                  int *looks)
{
    int more, esc = 0;
    cp k;
    size_t n;
    p = open_container(p, e, depth, &more);
    while (p && more) {
        p = member_name(p, e, &k, &n, &esc);
        if (!p || esc) /* names with escapes are left to jansson */
            return NULL;
        int id = of == OF_RECORD ? top_key(k, n, looks)
                 : of == OF_IDENTITY ? ui_key(k, n) : entry_key(k, n);
        if (id == K_WRAPPER)
            return NULL;
        if (id == RF_USER_IDENTITY)
            p = user_identity(fr, p, e, depth - 1);
        else if (id >= 0)
            p = field_value(fr, id, p, e, depth - 1);
        else if (id == K_EMBEDDED)
            p = embedded_value(fr, p, e, depth - 1);
        else
            p = value(p, e, depth - 1);
        if (p)
            p = after_value(p, e, '}', &more);
    }
    return p;
}

/* ---- unescaping */

static char *put_utf8(char *o, uint32_t v)
{
    if (v < 0x80) {
        *o++ = (char)v;
    } else if (v < 0x800) {
        *o++ = (char)(0xC0 | v >> 6);
        *o++ = (char)(0x80 | (v & 0x3F));
    } else if (v < 0x10000) {
        *o++ = (char)(0xE0 | v >> 12);
        *o++ = (char)(0x80 | (v >> 6 & 0x3F));
        *o++ = (char)(0x80 | (v & 0x3F));
    } else {
        *o++ = (char)(0xF0 | v >> 18);
        *o++ = (char)(0x80 | (v >> 12 & 0x3F));
        *o++ = (char)(0x80 | (v >> 6 & 0x3F));
        *o++ = (char)(0x80 | (v & 0x3F));
    }
    return o;
}

/* Unescape s[0..n) (validated) into out; returns the length written
 * (never more than n). */
static size_t unescape(cp s, size_t n, char *out)
{
    char *o = out;
    cp e = s + n;
    while (s < e) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        char c = s[1];
        s += 2;
        if (c != 'u') {
            *o++ = escaped_char[(unsigned char)c];
            continue;
        }
        uint32_t v = (uint32_t)hex4(s);
        s += 4;
        if (v >= 0xD800 && v <= 0xDBFF) {
            v = ((v - 0xD800) << 10) + ((uint32_t)hex4(s + 2) - 0xDC00) + 0x10000;
            s += 6;
        }
        o = put_utf8(o, v);
    }
    return (size_t)(o - out);
}

static void unescape_fields(struct fastrec *fr)
{
    size_t need = 0;
    for (int i = 0; i < RF__COUNT; i++)
        if (fr->escaped & (1u << i))
            need += fr->fields.f[i].v.len;
    fr->scratch = xgrow(fr->scratch, &fr->cap, need, 1);
    char *o = fr->scratch;
    for (int i = 0; i < RF__COUNT; i++) {
        struct rstr *v = &fr->fields.f[i].v;
        if (!(fr->escaped & (1u << i)))
            continue;
        size_t len = unescape(v->s, v->len, o);
        v->s = o;
        v->len = len;
        o += len;
    }
}

int fastrec_parse(struct fastrec *fr, const char *buf, size_t len, size_t at,
                  int max_depth, size_t max_bytes, size_t *end)
{
    cp p = buf + at;
    cp e = buf + (len - at > max_bytes ? at + max_bytes : len);
    int looks = 0;
    if (at >= len || *p != '{')
        return -1;
    memset(&fr->fields, 0, sizeof(fr->fields));
    fr->escaped = 0;
    if (max_depth > FASTREC_MAX_DEPTH)
        max_depth = FASTREC_MAX_DEPTH;
    p = members(fr, p, e, max_depth, OF_RECORD, &looks);
    if (!p || !looks)
        return -1;
    if (fr->escaped)
        unescape_fields(fr);
    *end = (size_t)(p - buf);
    return 0;
}

/* One special byte at s, inside a string being unescaped to *o: an
 * escape or a UTF-8 sequence, validated and written; returns the
 * position after it, or NULL (a control character, a bad escape). */
static cp special_to_doc(cp s, cp e, char **o)
{
    cp q;
    if (*s == '\\') {
        if ((q = escape(s, e)) != NULL)
            *o += unescape(s, (size_t)(q - s), *o);
        return q;
    }
    if ((unsigned char)*s < 0x80 || !(q = utf8(s, e)))
        return NULL;
    memcpy(*o, s, (size_t)(q - s));
    *o += q - s;
    return q;
}

/* p just after an opening quote: the string validated as string() does
 * and, in the same pass, written unescaped to fr->doc[0..*n); returns the
 * position after the closing quote, or NULL.  With SSE2, 16 bytes are
 * classified at once and the plain run between two special bytes is moved
 * as one 16-byte step (a record embedded as a string has an escape every
 * dozen bytes). */
static cp string_to_doc(struct fastrec *fr, cp p, cp e, size_t *n)
{
    /* unescaping never lengthens; a step may write 16 past */
    fr->doc = xgrow(fr->doc, &fr->doc_cap, (size_t)(e - p) + 16, 1);
    char *o = fr->doc;
#if USE_SSE2
    while (e - p >= 32) { /* a step may read 16 past the block */
        unsigned bits = specials16(p);
        cp seg = p, next = p + 16;
        while (bits) {
            cp s = p + __builtin_ctz(bits);
            copy16(o, seg);
            o += s - seg;
            if (*s == '\\' && escaped_char[(unsigned char)s[1]]) {
                *o++ = escaped_char[(unsigned char)s[1]]; /* the common case */
                seg = s + 2;
            } else if (*s == '"') {
                *n = (size_t)(o - fr->doc);
                return s + 1;
            } else if (!(seg = special_to_doc(s, e, &o))) {
                return NULL;
            }
            if (seg >= next) { /* an escape or a sequence across the block */
                next = seg;
                break;
            }
            bits &= ~0u << (seg - p);
        }
        if (seg < next) {
            copy16(o, seg);
            o += next - seg;
        }
        p = next;
    }
#endif
    for (;;) {
        if (p >= e)
            return NULL;
        if (plain[(unsigned char)*p]) {
            *o++ = *p++;
        } else if (*p == '"') {
            *n = (size_t)(o - fr->doc);
            return p + 1;
        } else if (!(p = special_to_doc(p, e, &o))) {
            return NULL;
        }
    }
}

/* The value of an entry's CloudTrailEvent member: the last one counts, and
 * when it is a string its text is unescaped into fr->doc. */
static cp embedded_value(struct fastrec *fr, cp p, cp e, int depth)
{
    fr->doc_found = *p == '"';
    return fr->doc_found ? string_to_doc(fr, p + 1, e, &fr->doc_len) : value(p, e, depth);
}

int fastrec_entry(struct fastrec *fr, const char *buf, size_t len, size_t at,
                  int max_depth, size_t max_bytes, size_t *end)
{
    cp p = buf + at;
    cp e = buf + (len - at > max_bytes ? at + max_bytes : len);
    size_t n, dend;
    if (at >= len || *p != '{')
        return -1;
    if (max_depth > FASTREC_MAX_DEPTH)
        max_depth = FASTREC_MAX_DEPTH;
    fr->doc_found = 0;
    p = members(fr, p, e, max_depth, OF_ENTRY, NULL);
    n = fr->doc_len;
    if (!p || !fr->doc_found || n > max_bytes)
        return -1;
    const char *doc = fr->doc;
    size_t first = (size_t)(ws(doc, doc + n) - doc);
    if (fastrec_parse(fr, doc, n, first, FASTREC_MAX_DEPTH, max_bytes, &dend) != 0 ||
        ws(doc + dend, doc + n) != doc + n)
        return -1;
    *end = (size_t)(p - buf);
    return 0;
}
