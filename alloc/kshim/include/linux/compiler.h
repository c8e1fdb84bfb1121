/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy, stub (in sections). */
/*
 * Models: include/linux/compiler*.h — branch hints, attributes, sparse
 * annotations (no-ops here), READ_ONCE/WRITE_ONCE as volatile accesses (so
 * the KCSAN-style instrumentation sees them as marked accesses, as in the
 * kernel) and the KCSAN annotations.
 */
#ifndef __LINUX_COMPILER_H
#define __LINUX_COMPILER_H

/* ---- copy ---- */

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
/* glibc's <sys/cdefs.h> has its own. */
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __maybe_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))

#define barrier()		__asm__ __volatile__("" : : : "memory")

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

/* ---- stub ---- */

/* sparse annotations: meaningful only to sparse. */
#define __bitwise
#define __force
#define __iomem
#define __percpu
#define __rcu

/* KCSAN annotations: the simulator decides races itself. */
#define data_race(expr)		(expr)
#define __data_racy
#define ASSERT_EXCLUSIVE_WRITER(var)	do { } while (0)
#define ASSERT_EXCLUSIVE_ACCESS(var)	do { } while (0)
#define ASSERT_EXCLUSIVE_BITS(var, mask) do { } while (0)
#define READ_ONCE_NOCHECK(x)	READ_ONCE(x)
#if defined(__clang__)
#define __no_kcsan __attribute__((no_sanitize("thread"), disable_sanitizer_instrumentation))
#else
#define __no_kcsan __attribute__((no_sanitize_thread))
#endif

#endif /* __LINUX_COMPILER_H */
