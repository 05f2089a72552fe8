/*
 * Shared support for the libFuzzer targets in fuzz/.
 *
 * Every target includes this header and is linked with fuzz_common.c, which
 * provides:
 *
 *  - LLVMFuzzerInitialize(): apr_initialize() and one global pool, made once.
 *  - fuzz_pool_begin() / fuzz_pool_end(): a fresh child pool per input,
 *    destroyed after it, so memory does not grow across millions of inputs.
 *  - Exact pool allocations: while an input runs, every apr_palloc() into the
 *    input's pool (or a pool below it) is served by its own malloc() of exactly
 *    the size asked for, and freed when the input ends.  APR normally carves
 *    allocations out of 8 KB blocks, so ASan cannot see a write one byte past
 *    a pool string; with this, it can.  JK_FUZZ_REAL_POOLS=1 in the
 *    environment turns it off (plain APR pools, for comparison).
 *  - A cursor over the input and small checks that abort() with a message, so
 *    that libFuzzer records a broken property as a crash with its input.
 */
#ifndef JK_FUZZ_COMMON_H
#define JK_FUZZ_COMMON_H

#include <apr_pools.h>
#include <stddef.h>
#include <stdint.h>

apr_pool_t *fuzz_pool_begin(void);
void fuzz_pool_end(apr_pool_t *pool);

/* Print "fuzz check failed at file:line: cond: message" and abort(). */
void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

#define FUZZ_CHECK(cond, ...)                                              \
    do {                                                                   \
        if (!(cond))                                                       \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);             \
    } while (0)

/*
 * Is the open finding `tag` listed in JK_FUZZ_IGNORE (comma-separated)?
 * Checks that found a bug not fixed yet are guarded by a tag, so that a long
 * run can look past them: JK_FUZZ_IGNORE=ajp-nul-string fuzz/run.sh 3600.
 * fuzz/run.sh always runs fuzz/regressions/ with nothing ignored.
 */
int fuzz_ignored(const char *tag);

/* A read cursor over the fuzzer's bytes; reads past the end give zeros. */
typedef struct fuzz_input {
    const uint8_t *p;
    size_t n;
} fuzz_input;

uint8_t fuzz_u8(fuzz_input *in);
uint16_t fuzz_u16(fuzz_input *in);
/*
 * The bytes up to the next `sep` (or the end), as a NUL-terminated pool copy;
 * the separator is consumed.  NULL when no byte is left.  A NUL byte inside
 * the field simply ends the C string early, as it would in the module.
 */
char *fuzz_field(fuzz_input *in, apr_pool_t *pool, uint8_t sep);

/*
 * Read every byte of a string / region, so that ASan checks each one is
 * addressable (a string without its terminator shows up here).  Returns the
 * string's length / a byte sum that the caller may ignore.
 */
size_t fuzz_touch_str(const char *s);
unsigned fuzz_touch(const void *p, size_t n);

#endif
