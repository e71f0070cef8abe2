/*
 * arena: bump allocator over a chain of blocks. The first block is kept across resets so a
 * request loop allocates nothing from malloc once warm. Large requests get their own block.
 *
 * Blocks double up to 1 MB while the arena is small, then keep doubling up to 64 MB once it has
 * handed out more than 8 MB (a 16 MB request decodes into a few hundred MB of nodes, values and
 * hash slots: 1 MB blocks meant hundreds of mmap/munmap pairs and a page fault per 4 KB). Blocks
 * of 4 MB and more are 2 MB aligned and asked to be backed by transparent huge pages, which
 * takes the TLB misses out of the hash tables' random probes.
 */
#include "common/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct block {
    struct block *next;
    size_t cap, used;
    _Alignas(16) char mem[];
} block_t;

struct arena {
    block_t *head;  /* current block (allocation happens here) */
    block_t *first; /* kept on reset */
    size_t total;   /* bytes handed out */
};

char *ddb_xstrdup(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *d = ddb_xmalloc(n + 1);
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void *ddb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "dynarock: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

#define HUGE_FROM (4u << 20)
#define HUGE_ALIGN (2u << 20)

static block_t *block_new(size_t cap)
{
    block_t *b;
    if (cap >= HUGE_FROM) {
        size_t len = (sizeof(block_t) + cap + HUGE_ALIGN - 1) & ~(size_t)(HUGE_ALIGN - 1);
        void *p = NULL;
        if (posix_memalign(&p, HUGE_ALIGN, len) != 0) {
            fprintf(stderr, "dynarock: out of memory (%zu bytes)\n", len);
            abort();
        }
        madvise(p, len, MADV_HUGEPAGE); /* advice only: fine if the kernel says no */
        b = p;
        cap = len - sizeof(block_t);
    } else {
        b = ddb_xmalloc(sizeof(block_t) + cap);
    }
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

arena_t *arena_new(size_t first_block)
{
    arena_t *a = ddb_xmalloc(sizeof(*a));
    a->first = a->head = block_new(first_block ? first_block : 16384);
    a->total = 0;
    return a;
}

static void free_chain(block_t *b, block_t *stop)
{
    while (b && b != stop) {
        block_t *n = b->next;
        free(b);
        b = n;
    }
}

void arena_free(arena_t *a)
{
    if (!a) return;
    free_chain(a->head, NULL);
    free(a);
}

void arena_reset(arena_t *a)
{
    free_chain(a->head, a->first);
    a->head = a->first;
    a->first->used = 0;
    a->first->next = NULL;
    a->total = 0;
}

void *arena_alloc(arena_t *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n) abort();
    block_t *b = a->head;
    if (b->cap - b->used < need) {
        size_t cap = b->cap * 2, most = a->total > (8u << 20) ? (64u << 20) : (1u << 20);
        if (cap > most) cap = most;
        if (cap < need) cap = need;
        block_t *nb = block_new(cap);
        nb->next = a->head;
        a->head = b = nb;
    }
    void *p = b->mem + b->used;
    b->used += need;
    a->total += n;
    return p;
}

void *arena_calloc(arena_t *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_memdup(arena_t *a, const void *p, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_memdup(a, s, strlen(s));
}

char *arena_vsprintf(arena_t *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) n = 0;
    char *d = arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *arena_sprintf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

size_t arena_used(const arena_t *a)
{
    return a->total;
}

void buf_init(buf_t *b, arena_t *a, size_t cap)
{
    b->a = a;
    b->cap = cap ? cap : 256;
    b->data = arena_alloc(a, b->cap + 1);
    b->len = 0;
    b->data[0] = 0;
}

/* buf_reserve's slow path: double the capacity until n more bytes fit. */
char *buf_grow(buf_t *b, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap * 2;
        while (cap - b->len < n) cap *= 2;
        char *d = arena_alloc(b->a, cap + 1);
        memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = cap;
    }
    return b->data + b->len;
}

void buf_put(buf_t *b, const void *p, size_t n)
{
    char *d = buf_reserve(b, n);
    if (n) memcpy(d, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(buf_t *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n > 0) {
        char *d = buf_reserve(b, (size_t)n + 1);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

size_t ddb_str_utf16_len(ddb_str_t s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

int ddb_str_eq(ddb_str_t s, const char *z)
{
    size_t n = strlen(z);
    return s.len == n && memcmp(s.ptr, z, n) == 0;
}

int ddb_str_cmp(ddb_str_t a, ddb_str_t b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}
