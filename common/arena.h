/*
 * arena: per-request bump allocator, plus a growable byte buffer (buf_t) that lives in an arena.
 *
 * Contract:
 * - An arena is owned by one thread at a time; it is not thread-safe.
 * - Every pointer returned stays valid until arena_reset() or arena_free() of its arena.
 * - Out of memory aborts the process with a message: callers never check for NULL.
 * - arena_alloc() returns memory aligned to 16 bytes.
 */
#ifndef DDB_ARENA_H
#define DDB_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena arena_t;

/** Create an arena whose first block holds `first_block` bytes (0 = default 16 KB). */
arena_t *arena_new(size_t first_block);
/** Free the arena and everything allocated in it. */
void arena_free(arena_t *a);
/** Forget every allocation but keep the first block for reuse. */
void arena_reset(arena_t *a);
/** Allocate `n` bytes (uninitialised). */
void *arena_alloc(arena_t *a, size_t n);
/** Allocate `n` zeroed bytes. */
void *arena_calloc(arena_t *a, size_t n);
/** Copy `n` bytes into the arena; the copy gets a trailing NUL (not counted in n). */
char *arena_memdup(arena_t *a, const void *p, size_t n);
/** Copy a NUL-terminated string into the arena. */
char *arena_strdup(arena_t *a, const char *s);
/** printf into the arena. */
char *arena_sprintf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena_t *a, const char *fmt, va_list ap);
/** Bytes handed out so far (for tests and limits). */
size_t arena_used(const arena_t *a);

#define ARENA_NEW(a, T) ((T *)arena_calloc((a), sizeof(T)))
#define ARENA_NEWN(a, T, n) ((T *)arena_calloc((a), sizeof(T) * (size_t)(n)))

/* Growable byte buffer in an arena. `data` is always NUL-terminated (not counted in len). */
typedef struct {
    arena_t *a;
    char *data;
    size_t len, cap;
} buf_t;

/** Start an empty buffer with room for `cap` bytes (0 = 256). */
void buf_init(buf_t *b, arena_t *a, size_t cap);
char *buf_grow(buf_t *b, size_t n);
/** Make room for `n` more bytes; returns where they go (caller then adds to len). */
static inline char *buf_reserve(buf_t *b, size_t n)
{
    return b->cap - b->len >= n ? b->data + b->len : buf_grow(b, n);
}
void buf_put(buf_t *b, const void *p, size_t n);
/** Append one byte (inline: the JSON writer calls this for every brace and comma). */
static inline void buf_putc(buf_t *b, char c)
{
    if (b->cap == b->len) buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}
void buf_puts(buf_t *b, const char *s);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** malloc that aborts, with a message, when memory is out (n 0 is 1 byte). */
void *ddb_xmalloc(size_t n);
/** strdup that aborts when memory is out; NULL copies as "". */
char *ddb_xstrdup(const char *s);

/* A borrowed byte string (not necessarily NUL-terminated; may contain NUL bytes). */
typedef struct {
    const char *ptr;
    size_t len;
} ddb_str_t;

#define DDB_STR(lit) ((ddb_str_t){(lit), sizeof(lit) - 1})
/** Equality of a ddb_str_t and a NUL-terminated string. */
int ddb_str_eq(ddb_str_t s, const char *z);
/** Byte-wise comparison (memcmp order, shorter first on a common prefix). */
int ddb_str_cmp(ddb_str_t a, ddb_str_t b);
/** Java's String.length() of UTF-8 text: UTF-16 code units (one per character, two above U+FFFF),
 *  what AWS's length constraints and size() count. */
size_t ddb_str_utf16_len(ddb_str_t s);

#endif
