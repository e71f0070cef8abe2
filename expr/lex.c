/*
 * lex: the tokenizer shared by all five expression languages.
 *
 * Entry points: expr__lex, expr__tok_text, expr__tok_is_cmp.
 *
 * Tokens (DynamoDB's lexical rules, as its syntax errors reveal them):
 * - names: a letter, then letters, digits and '_' ("_a" is the bad token "_" then "a");
 * - the keywords AND OR NOT BETWEEN IN SET REMOVE ADD DELETE, in any case, in every language
 *   (so "set" in a condition is a syntax error, not a reserved word);
 * - #placeholders and :placeholders: '#' or ':' then one or more of [A-Za-z0-9_]; a lone '#'
 *   or ':' is a bad token;
 * - integers: "0", or a non-zero digit then digits ("01" is "0" then "1");
 * - = <> < <= > >= ( ) [ ] , . + - ; whitespace is space, tab, CR, LF;
 * - anything else is one bad token of one character (a whole UTF-8 sequence).
 * Each token keeps its byte offsets, so a syntax error can quote the source around it.
 */
#include "expr/expr_int.h"

#include <string.h>
#include <strings.h>

static int is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_word(unsigned char c)
{
    return is_letter(c) || (c >= '0' && c <= '9') || c == '_';
}

static const struct {
    const char *word;
    uint8_t kind;
} keywords[] = {
    {"AND", T_AND}, {"OR", T_OR},         {"NOT", T_NOT}, {"BETWEEN", T_BETWEEN}, {"IN", T_IN},
    {"SET", T_SET}, {"REMOVE", T_REMOVE}, {"ADD", T_ADD}, {"DELETE", T_DELETE},
};

static int keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == n && strncasecmp(keywords[i].word, s, n) == 0)
            return keywords[i].kind;
    return T_NAME;
}

/* Length of the UTF-8 sequence starting at s[i] (1 for invalid bytes). */
static size_t utf8_len(const char *s, size_t i, size_t len)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + n > len) return 1;
    for (size_t k = 1; k < n; k++)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80) return 1;
    return n;
}

void expr__lex(arena_t *a, const char *src, size_t len, lexed_t *out)
{
    /* A token needs at least one byte, plus the EOF token. */
    tok_t *t = ARENA_NEWN(a, tok_t, len + 1);
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)src[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        size_t start = i;
        int kind;
        if (is_letter(c)) {
            while (i < len && is_word((unsigned char)src[i])) i++;
            kind = keyword(src + start, i - start);
        } else if (c == '#' || c == ':') {
            i++;
            while (i < len && is_word((unsigned char)src[i])) i++;
            kind = i == start + 1 ? T_BAD : c == '#' ? T_HNAME : T_VALUE;
        } else if (c >= '0' && c <= '9') {
            i++;
            if (c != '0')
                while (i < len && src[i] >= '0' && src[i] <= '9') i++;
            kind = T_INT;
        } else {
            char d = i + 1 < len ? src[i + 1] : 0;
            i++;
            switch (c) {
            case '=':
                kind = T_EQ;
                break;
            case '<':
                if (d == '>')
                    kind = T_NE, i++;
                else if (d == '=')
                    kind = T_LE, i++;
                else
                    kind = T_LT;
                break;
            case '>':
                if (d == '=')
                    kind = T_GE, i++;
                else
                    kind = T_GT;
                break;
            case '(':
                kind = T_LPAREN;
                break;
            case ')':
                kind = T_RPAREN;
                break;
            case '[':
                kind = T_LBRACK;
                break;
            case ']':
                kind = T_RBRACK;
                break;
            case ',':
                kind = T_COMMA;
                break;
            case '.':
                kind = T_DOT;
                break;
            case '+':
                kind = T_PLUS;
                break;
            case '-':
                kind = T_MINUS;
                break;
            default:
                kind = T_BAD;
                i = start + utf8_len(src, start, len);
                break;
            }
        }
        t[n].kind = (uint8_t)kind;
        t[n].start = (uint32_t)start;
        t[n].end = (uint32_t)i;
        n++;
    }
    t[n].kind = T_EOF;
    t[n].start = t[n].end = (uint32_t)len;
    n++;
    out->src = src;
    out->len = len;
    out->t = t;
    out->n = n;
}

ddb_str_t expr__tok_text(const lexed_t *lx, size_t i)
{
    if (i >= lx->n || lx->t[i].kind == T_EOF) return DDB_STR("<EOF>");
    return (ddb_str_t){lx->src + lx->t[i].start, lx->t[i].end - lx->t[i].start};
}

int expr__tok_is_cmp(int kind)
{
    return kind >= T_EQ && kind <= T_GE;
}
