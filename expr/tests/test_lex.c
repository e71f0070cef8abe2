/*
 * test_lex: the tokenizer: names, keywords in any case, placeholders, integers (a leading zero
 * is a token of its own), operators, bad characters (whole UTF-8 sequences), byte offsets and
 * the text shown for each token.
 */
#include "expr/expr_int.h"

#include <string.h>

#include "common/tests/check.h"

static arena_t *A;

/* Token kinds and texts of `src` as "KIND:text KIND:text ...". */
static const char *toks(const char *src)
{
    static const char *const names[] = {
        "EOF", "NAME", "HNAME",   "VALUE", "INT", "=",      "<>",  "<",      "<=",  ">",
        ">=",  "(",    ")",       "[",     "]",   ",",      ".",   "+",      "-",   "AND",
        "OR",  "NOT",  "BETWEEN", "IN",    "SET", "REMOVE", "ADD", "DELETE", "BAD",
    };
    lexed_t lx;
    expr__lex(A, src, strlen(src), &lx);
    buf_t b;
    buf_init(&b, A, 64);
    for (size_t i = 0; i < lx.n; i++) {
        ddb_str_t t = expr__tok_text(&lx, i);
        if (i) buf_putc(&b, ' ');
        buf_printf(&b, "%s:%.*s", names[lx.t[i].kind], (int)t.len, t.ptr);
    }
    return b.data;
}

static void test_basic(void)
{
    CHECK_STR(toks("a = :v"), "NAME:a =:= VALUE::v EOF:<EOF>");
    CHECK_STR(toks("  #n1.b[12]  "), "HNAME:#n1 .:. NAME:b [:[ INT:12 ]:] EOF:<EOF>");
    CHECK_STR(toks("a<>b<=c>=d<e>f"),
              "NAME:a <>:<> NAME:b <=:<= NAME:c >=:>= NAME:d <:< NAME:e >:> NAME:f EOF:<EOF>");
    CHECK_STR(toks("(a,b)+-"), "(:( NAME:a ,:, NAME:b ):) +:+ -:- EOF:<EOF>");
    CHECK_STR(toks("\ta\r\nb"), "NAME:a NAME:b EOF:<EOF>");
    CHECK_STR(toks(""), "EOF:<EOF>");
}

static void test_keywords(void)
{
    CHECK_STR(toks("and Or NOT between In"), "AND:and OR:Or NOT:NOT BETWEEN:between IN:In EOF:<EOF>");
    CHECK_STR(toks("set REMOVE Add dElEtE"), "SET:set REMOVE:REMOVE ADD:Add DELETE:dElEtE EOF:<EOF>");
    /* Keywords are whole words only. */
    CHECK_STR(toks("andy sets in_x"), "NAME:andy NAME:sets NAME:in_x EOF:<EOF>");
    CHECK_STR(toks("attribute_exists(a)"), "NAME:attribute_exists (:( NAME:a ):) EOF:<EOF>");
}

static void test_names_and_numbers(void)
{
    /* Names start with a letter: "_a" is a bad "_" then a name; digits start an integer. */
    CHECK_STR(toks("_a"), "BAD:_ NAME:a EOF:<EOF>");
    CHECK_STR(toks("123a"), "INT:123 NAME:a EOF:<EOF>");
    CHECK_STR(toks("a_1_B"), "NAME:a_1_B EOF:<EOF>");
    CHECK_STR(toks("01"), "INT:0 INT:1 EOF:<EOF>");
    CHECK_STR(toks("0 10 007"), "INT:0 INT:10 INT:0 INT:0 INT:7 EOF:<EOF>");
    /* Placeholders take any [A-Za-z0-9_] after the sign; a lone sign is bad. */
    CHECK_STR(toks("#_ #123 :1a :_"), "HNAME:#_ HNAME:#123 VALUE::1a VALUE::_ EOF:<EOF>");
    CHECK_STR(toks("# : #-"), "BAD:# BAD:: BAD:# -:- EOF:<EOF>");
    CHECK_STR(toks(":hi!there"), "VALUE::hi BAD:! NAME:there EOF:<EOF>");
}

static void test_bad(void)
{
    CHECK_STR(toks("a $ \"b\" / *"), "NAME:a BAD:$ BAD:\" NAME:b BAD:\" BAD:/ BAD:* EOF:<EOF>");
    /* A multi-byte character is one token. */
    CHECK_STR(toks("a\xc3\xa9z"), "NAME:a BAD:\xc3\xa9 NAME:z EOF:<EOF>");
    CHECK_STR(toks("\xf0\x9f\x98\x80"), "BAD:\xf0\x9f\x98\x80 EOF:<EOF>");
    /* A truncated sequence is one byte at a time. */
    CHECK_STR(toks("\xe2\x82"), "BAD:\xe2 BAD:\x82 EOF:<EOF>");
}

static void test_offsets(void)
{
    lexed_t lx;
    expr__lex(A, " ab <= #c ", 10, &lx);
    CHECK_INT(lx.n, 4);
    CHECK_INT(lx.t[0].start, 1);
    CHECK_INT(lx.t[0].end, 3);
    CHECK_INT(lx.t[1].start, 4);
    CHECK_INT(lx.t[1].end, 6);
    CHECK_INT(lx.t[2].start, 7);
    CHECK_INT(lx.t[2].end, 9);
    CHECK_INT(lx.t[3].kind, T_EOF);
    CHECK_INT(lx.t[3].start, 10);
    CHECK(expr__tok_is_cmp(T_EQ) && expr__tok_is_cmp(T_GE) && !expr__tok_is_cmp(T_LPAREN));
}

int main(void)
{
    A = arena_new(0);
    test_basic();
    test_keywords();
    test_names_and_numbers();
    test_bad();
    test_offsets();
    arena_free(A);
    return check_done("expr/test_lex");
}
