/*
 * Support shared by every fuzz target: see fuzz_common.h.
 *
 * This file is compiled with ASan and UBSan but without libFuzzer's coverage
 * instrumentation, so that its bookkeeping adds no edges to the coverage the
 * fuzzer steers by.
 */
#include "fuzz_common.h"

#include <apr_general.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *global_pool;     /* made once, lives as long as the process */
static apr_pool_t *input_pool;      /* the current input's pool, NULL between inputs */
static int exact_allocs = 1;        /* JK_FUZZ_REAL_POOLS=1 sets it to 0 */

/* Allocations handed out for the current input; freed when it ends. */
static void **tracked;
static size_t tracked_len, tracked_cap;

typedef void *(*palloc_fn)(apr_pool_t *, apr_size_t);
static palloc_fn real_palloc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *real = getenv("JK_FUZZ_REAL_POOLS");
    (void)argc;
    (void)argv;
    if (real && strcmp(real, "1") == 0)
        exact_allocs = 0;
    real_palloc = (palloc_fn)dlsym(RTLD_NEXT, "apr_palloc");
    if (real_palloc == NULL) {
        fprintf(stderr, "fuzz: cannot find APR's own apr_palloc: %s\n", dlerror());
        abort();
    }
    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&global_pool, NULL) != APR_SUCCESS) {
        fprintf(stderr, "fuzz: APR could not be initialised\n");
        abort();
    }
    return 0;
}

apr_pool_t *fuzz_pool_begin(void)
{
    apr_pool_t *pool;
    if (global_pool == NULL) {
        fprintf(stderr, "fuzz: LLVMFuzzerInitialize did not run\n");
        abort();
    }
    if (apr_pool_create(&pool, global_pool) != APR_SUCCESS)
        abort();
    input_pool = pool;
    return pool;
}

void fuzz_pool_end(apr_pool_t *pool)
{
    /* Cleanups may still read tracked memory: destroy first, then free. */
    apr_pool_destroy(pool);
    input_pool = NULL;
    for (size_t i = 0; i < tracked_len; i++)
        free(tracked[i]);
    tracked_len = 0;
}

static void track(void *mem)
{
    if (tracked_len == tracked_cap) {
        size_t cap = tracked_cap ? tracked_cap * 2 : 1024;
        void **grown = realloc(tracked, cap * sizeof(*tracked));
        if (grown == NULL) {
            fprintf(stderr, "fuzz: out of memory tracking pool allocations\n");
            abort();
        }
        tracked = grown;
        tracked_cap = cap;
    }
    tracked[tracked_len++] = mem;
}

/*
 * Takes the place of APR's apr_palloc for the whole program: the module's
 * code calls it directly, and libapr's own helpers (apr_pstrdup,
 * apr_pstrcat, apr_array_push, apr_hash_set, ...) call it through the PLT.
 * Allocations outside the current input's pool tree go to APR as usual.
 */
void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    if (exact_allocs && input_pool && apr_pool_is_ancestor(input_pool, p)) {
        /* malloc(0) gives a pointer with no usable byte, as a 0-byte pool allocation. */
        void *mem = malloc(size);
        if (mem == NULL && size == 0)
            mem = malloc(1);
        if (mem == NULL) {
            fprintf(stderr, "fuzz: malloc(%zu) failed\n", (size_t)size);
            abort();
        }
        track(mem);
        return mem;
    }
    if (real_palloc == NULL)
        real_palloc = (palloc_fn)dlsym(RTLD_NEXT, "apr_palloc");
    return real_palloc(p, size);
}

int fuzz_ignored(const char *tag)
{
    static const char *list;
    static int loaded;
    size_t n = strlen(tag);
    if (!loaded) {
        list = getenv("JK_FUZZ_IGNORE");
        loaded = 1;
    }
    if (list == NULL || *list == '\0')
        return 0;
    for (const char *p = list; (p = strstr(p, tag)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
    return 0;
}

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==fuzz check failed== %s:%d: %s\n  ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

uint8_t fuzz_u8(fuzz_input *in)
{
    uint8_t v;
    if (in->n == 0)
        return 0;
    v = in->p[0];
    in->p++;
    in->n--;
    return v;
}

uint16_t fuzz_u16(fuzz_input *in)
{
    uint16_t hi = fuzz_u8(in);
    return (uint16_t)((hi << 8) | fuzz_u8(in));
}

char *fuzz_field(fuzz_input *in, apr_pool_t *pool, uint8_t sep)
{
    const uint8_t *end;
    size_t len;
    char *out;
    if (in->n == 0)
        return NULL;
    end = memchr(in->p, sep, in->n);
    len = end ? (size_t)(end - in->p) : in->n;
    out = apr_palloc(pool, len + 1);
    memcpy(out, in->p, len);
    out[len] = '\0';
    in->p += len;
    in->n -= len;
    if (end) {
        in->p++;
        in->n--;
    }
    return out;
}

size_t fuzz_touch_str(const char *s)
{
    volatile char sink = 0;
    size_t n = 0;
    while (s[n]) {
        sink ^= s[n];
        n++;
    }
    (void)sink;
    return n;
}

unsigned fuzz_touch(const void *p, size_t n)
{
    const unsigned char *c = p;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += c[i];
    return sum;
}
