/*
 * partiql_lex: the tokenizer of DynamoDB's PartiQL statements (ExecuteStatement,
 * BatchExecuteStatement, ExecuteTransaction). Entry points: expr__pq_lex, expr__pq_kw,
 * expr__pq_kw_text.
 *
 * Lexical rules (PartiQL's reference lexer, partiql-lang-kotlin SqlLexer / LexerConstants.kt,
 * which DynamoDB's parser is built on):
 * - whitespace: space, tab, CR, LF, FF, VT; comments: "--" to the end of the line, and
 *   "/" "*" ... "*" "/" (an unterminated one is a lexical error);
 * - identifiers: [A-Za-z_$][A-Za-z0-9_$]*; one of the 252 keywords below (SQL-92's and
 *   PartiQL's, any case) is a keyword token instead; "quoted identifiers" keep their case,
 *   and "" inside stands for one double quote;
 * - strings: 'text', '' inside stands for one quote;
 * - numbers: digits with an optional fraction and exponent, or a fraction alone (.5);
 *   the parser validates them as DynamoDB numbers;
 * - ? (a positional parameter), = <> != < <= > >= + - * / % || @ ( ) [ ] { } << >> , . : ;
 * - `...` is an Ion literal (lexed so the parser can refuse it by name).
 * Anything else (or an unterminated string, identifier or comment) stops the lexer: PartiQL
 * reports lexical errors without a message, so DynamoDB answers "Statement wasn't well formed,
 * can't be processed: " with nothing after the colon.
 * Each token keeps its byte offsets. Linear time; one token slot per input byte at most.
 */
#include "expr/expr_int.h"

#include <string.h>

/* Sorted (strcmp order) for the binary search; "end-exec" of SQL-92 cannot be one word here. */
static const char *const keywords[] = {
    "absolute",
    "action",
    "add",
    "all",
    "allocate",
    "alter",
    "and",
    "any",
    "are",
    "as",
    "asc",
    "assertion",
    "at",
    "authorization",
    "avg",
    "bag",
    "begin",
    "between",
    "bigint",
    "bit",
    "bit_length",
    "blob",
    "bool",
    "boolean",
    "by",
    "can_cast",
    "can_lossless_cast",
    "cascade",
    "cascaded",
    "case",
    "cast",
    "catalog",
    "char",
    "char_length",
    "character",
    "character_length",
    "check",
    "clob",
    "close",
    "coalesce",
    "collate",
    "collation",
    "column",
    "commit",
    "conflict",
    "connect",
    "connection",
    "constraint",
    "constraints",
    "continue",
    "convert",
    "corresponding",
    "count",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "date",
    "date_add",
    "date_diff",
    "deallocate",
    "dec",
    "decimal",
    "declare",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "describe",
    "descriptor",
    "diagnostics",
    "disconnect",
    "distinct",
    "do",
    "domain",
    "double",
    "drop",
    "else",
    "end",
    "escape",
    "except",
    "exception",
    "exec",
    "execute",
    "exists",
    "external",
    "extract",
    "false",
    "fetch",
    "first",
    "float",
    "for",
    "foreign",
    "found",
    "from",
    "full",
    "get",
    "global",
    "go",
    "goto",
    "grant",
    "group",
    "having",
    "identity",
    "immediate",
    "in",
    "index",
    "indicator",
    "initially",
    "inner",
    "input",
    "insensitive",
    "insert",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "integer2",
    "integer4",
    "integer8",
    "intersect",
    "interval",
    "into",
    "is",
    "isolation",
    "join",
    "key",
    "language",
    "last",
    "left",
    "let",
    "level",
    "like",
    "limit",
    "list",
    "local",
    "lower",
    "match",
    "max",
    "min",
    "missing",
    "modified",
    "module",
    "names",
    "national",
    "natural",
    "nchar",
    "new",
    "next",
    "no",
    "not",
    "nothing",
    "null",
    "nullif",
    "numeric",
    "octet_length",
    "of",
    "offset",
    "old",
    "on",
    "only",
    "open",
    "option",
    "or",
    "order",
    "outer",
    "output",
    "overlaps",
    "pad",
    "partial",
    "pivot",
    "position",
    "precision",
    "prepare",
    "preserve",
    "primary",
    "prior",
    "privileges",
    "procedure",
    "public",
    "read",
    "real",
    "references",
    "relative",
    "remove",
    "restrict",
    "returning",
    "revoke",
    "right",
    "rollback",
    "rows",
    "schema",
    "scroll",
    "section",
    "select",
    "session",
    "session_user",
    "set",
    "sexp",
    "size",
    "smallint",
    "some",
    "space",
    "sql",
    "sqlcode",
    "sqlerror",
    "sqlstate",
    "string",
    "struct",
    "substring",
    "sum",
    "symbol",
    "system_user",
    "table",
    "temporary",
    "then",
    "time",
    "timestamp",
    "to",
    "transaction",
    "translate",
    "translation",
    "trim",
    "true",
    "tuple",
    "union",
    "unique",
    "unknown",
    "unpivot",
    "update",
    "upper",
    "usage",
    "user",
    "using",
    "value",
    "values",
    "varchar",
    "varying",
    "view",
    "when",
    "whenever",
    "where",
    "with",
    "work",
    "write",
    "zone",
};

#define NKW (sizeof keywords / sizeof keywords[0])

int expr__pq_kw(const char *lower)
{
    size_t lo = 0, hi = NKW;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(keywords[mid], lower);
        if (c == 0) return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *expr__pq_kw_text(int kw)
{
    return kw >= 0 && (size_t)kw < NKW ? keywords[kw] : "";
}

static int is_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static int is_part(unsigned char c)
{
    return is_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Keyword index of src[0..n), any case; -1 when not one (or longer than any keyword). */
static int keyword_of(const char *s, size_t n)
{
    char low[24];
    if (n >= sizeof low) return -1;
    for (size_t i = 0; i < n; i++) low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    low[n] = 0;
    return expr__pq_kw(low);
}

/* End of a quoted run starting after the opening quote `q` at i (doubled quotes stay inside);
 * returns the offset after the closing quote, or 0 when unterminated. */
static size_t quoted_end(const char *s, size_t i, size_t len, char q)
{
    while (i < len) {
        if (s[i] == q) {
            if (i + 1 < len && s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

void expr__pq_lex(arena_t *a, const char *src, size_t len, qlexed_t *out)
{
    qtok_t *t = ARENA_NEWN(a, qtok_t, len + 1);
    size_t n = 0, i = 0;
    out->bad = 0;
    out->bad_at = 0;
    while (i < len) {
        unsigned char c = (unsigned char)src[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < len && src[i + 1] == '-') {
            while (i < len && src[i] != '\n' && src[i] != '\r') i++;
            continue;
        }
        if (c == '/' && i + 1 < len && src[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < len && !(src[j] == '*' && src[j + 1] == '/')) j++;
            if (j + 1 >= len) goto bad;
            i = j + 2;
            continue;
        }
        size_t start = i;
        int kind, kw = 0;
        char d = i + 1 < len ? src[i + 1] : 0;
        if (is_start(c)) {
            while (i < len && is_part((unsigned char)src[i])) i++;
            kw = keyword_of(src + start, i - start);
            kind = kw >= 0 ? Q_KEYWORD : Q_IDENT;
            if (kw < 0) kw = 0;
        } else if (is_digit(c) || (c == '.' && is_digit((unsigned char)d))) {
            while (i < len && is_digit((unsigned char)src[i])) i++;
            if (i < len && src[i] == '.') {
                i++;
                while (i < len && is_digit((unsigned char)src[i])) i++;
            }
            if (i < len && (src[i] == 'e' || src[i] == 'E')) {
                size_t j = i + 1;
                if (j < len && (src[j] == '+' || src[j] == '-')) j++;
                if (j < len && is_digit((unsigned char)src[j])) {
                    while (j < len && is_digit((unsigned char)src[j])) j++;
                    i = j;
                }
            }
            kind = Q_NUMBER;
        } else if (c == '\'' || c == '"' || c == '`') {
            size_t e = quoted_end(src, i + 1, len, (char)c);
            if (!e) goto bad;
            i = e;
            kind = c == '\'' ? Q_STRING : c == '"' ? Q_QIDENT : Q_ION;
        } else {
            i++;
            switch (c) {
            case '?':
                kind = Q_PARAM;
                break;
            case '=':
                kind = Q_EQ;
                break;
            case '!':
                if (d != '=') goto bad_at_start;
                kind = Q_NE, i++;
                break;
            case '<':
                if (d == '>')
                    kind = Q_NE, i++;
                else if (d == '=')
                    kind = Q_LE, i++;
                else if (d == '<')
                    kind = Q_LBAG, i++;
                else
                    kind = Q_LT;
                break;
            case '>':
                if (d == '=')
                    kind = Q_GE, i++;
                else if (d == '>')
                    kind = Q_RBAG, i++;
                else
                    kind = Q_GT;
                break;
            case '|':
                if (d != '|') goto bad_at_start;
                kind = Q_CONCAT, i++;
                break;
            case '+':
                kind = Q_PLUS;
                break;
            case '-':
                kind = Q_MINUS;
                break;
            case '*':
                kind = Q_STAR;
                break;
            case '/':
                kind = Q_SLASH;
                break;
            case '%':
                kind = Q_PERCENT;
                break;
            case '@':
                kind = Q_AT;
                break;
            case '(':
                kind = Q_LPAREN;
                break;
            case ')':
                kind = Q_RPAREN;
                break;
            case '[':
                kind = Q_LBRACK;
                break;
            case ']':
                kind = Q_RBRACK;
                break;
            case '{':
                kind = Q_LBRACE;
                break;
            case '}':
                kind = Q_RBRACE;
                break;
            case ',':
                kind = Q_COMMA;
                break;
            case '.':
                kind = Q_DOT;
                break;
            case ':':
                kind = Q_COLON;
                break;
            case ';':
                kind = Q_SEMI;
                break;
            default:
                goto bad_at_start;
            }
        }
        t[n].kind = (uint8_t)kind;
        t[n].kw = (uint16_t)kw;
        t[n].start = (uint32_t)start;
        t[n].end = (uint32_t)i;
        n++;
        continue;
    bad_at_start:
        i = start;
    bad:
        out->bad = 1;
        out->bad_at = (uint32_t)i;
        break;
    }
    t[n].kind = Q_EOF;
    t[n].kw = 0;
    t[n].start = t[n].end = (uint32_t)(out->bad ? out->bad_at : len);
    n++;
    out->t = t;
    out->n = n;
}
