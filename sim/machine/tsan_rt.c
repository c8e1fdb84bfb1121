// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim's own ThreadSanitizer runtime, as the kernel's KCSAN provides
 * one (kernel/kcsan/core.c): the extracted kernel code is compiled with
 * -fsanitize=thread but linked against these functions, not libtsan.
 * Every load, store and atomic of the code under test calls in here, and
 * each call is a scheduling point of the simulator (fragsim/kctx.h).
 * Atomics are performed here, sequentially consistent (one OS thread).
 * This file is never instrumented.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <fragsim/kctx.h>

/*
 * In an ASan build the kernel code cannot carry ASan's instrumentation
 * (it has TSan's), so its accesses are checked here against ASan's
 * shadow: a free page of the arena or a redzone is reported by ASan
 * itself, with the kernel function in the stack.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_ASAN_CHECK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FS_ASAN_CHECK 1
#endif
#ifdef FS_ASAN_CHECK
#include <sanitizer/asan_interface.h>
void __asan_report_load_n(uintptr_t addr, uintptr_t size);
void __asan_report_store_n(uintptr_t addr, uintptr_t size);

/*
 * ASan's own test of an access within one 8-byte granule (what its
 * instrumentation inlines), the library call otherwise: the call cost a
 * sixth of a fuzz run.  Reading the shadow must not itself be checked.
 */
static inline __attribute__((always_inline, no_sanitize("address")))
int asan_poisoned(uintptr_t a, size_t n)
{
	static size_t scale, offset = 1;
	int8_t s;

	if (offset == 1)
		__asan_get_shadow_mapping(&scale, &offset);
	if (!n || scale != 3 || (a & 7) + n > 8)
		return n && __asan_region_is_poisoned((void *)a, n) != NULL;
	s = *(const int8_t *)((a >> 3) + offset);
	return s && (int8_t)((a & 7) + n - 1) >= s;
}

/* The entry points are not ASan-checked themselves, so the test inlines. */
#define FS_RT	__attribute__((no_sanitize("address")))
#define ASAN_CHECK(addr, size, flags)					\
	do {								\
		if (asan_poisoned((uintptr_t)(addr), (size))) {		\
			if ((flags) & FS_ACC_WRITE)			\
				__asan_report_store_n((uintptr_t)(addr), (size)); \
			else						\
				__asan_report_load_n((uintptr_t)(addr), (size)); \
		}							\
	} while (0)
#else
#define FS_RT
#define ASAN_CHECK(addr, size, flags) do { } while (0)
#endif

/*
 * A fuzzer build's coverage counters (libFuzzer's inline 8-bit counters,
 * section __sancov_cntrs) are incremented inside the kernel code, and
 * clang's TSan instrumentation reports those increments too: they are
 * the harness's, not the kernel's, and were half of all the accesses of
 * a kernel call under libFuzzer.  Weak: other builds have no section.
 */
extern char __start___sancov_cntrs[] __attribute__((weak));
extern char __stop___sancov_cntrs[] __attribute__((weak));

static inline __attribute__((always_inline)) int harness_counter(const void *a)
{
	return (uintptr_t)a - (uintptr_t)__start___sancov_cntrs <
	       (uintptr_t)__stop___sancov_cntrs - (uintptr_t)__start___sancov_cntrs;
}

#define PC()	__builtin_return_address(0)
#define POINT(addr, size, flags)					\
	do {								\
		if (harness_counter(addr))				\
			break;						\
		ASAN_CHECK(addr, size, flags);				\
		if (fs_kctx_live)					\
			fs_kctx_hooks.point(fs_kctx_hooks.ctx, (addr),	\
					    (size), (flags), PC());	\
	} while (0)

#define R	FS_ACC_READ
#define W	FS_ACC_WRITE
#define RW	(FS_ACC_READ | FS_ACC_WRITE)
#define V	FS_ACC_VOLATILE
#define A	FS_ACC_ATOMIC

#define ACCESS(name, n, flags)						\
	void __tsan_##name##n(void *addr);				\
	FS_RT void __tsan_##name##n(void *addr) { POINT(addr, n, flags); }

#define ACCESS_ALL(name, flags)						\
	ACCESS(name, 1, flags) ACCESS(name, 2, flags)			\
	ACCESS(name, 4, flags) ACCESS(name, 8, flags)			\
	ACCESS(name, 16, flags)

ACCESS_ALL(read, R)
ACCESS_ALL(write, W)
ACCESS_ALL(read_write, RW)
ACCESS_ALL(unaligned_read, R)
ACCESS_ALL(unaligned_write, W)
ACCESS_ALL(unaligned_read_write, RW)
ACCESS_ALL(volatile_read, R | V)
ACCESS_ALL(volatile_write, W | V)
ACCESS_ALL(unaligned_volatile_read, R | V)
ACCESS_ALL(unaligned_volatile_write, W | V)

void __tsan_read_range(void *addr, unsigned long size);
void __tsan_read_range(void *addr, unsigned long size)
{
	POINT(addr, (unsigned int)size, R);
}

void __tsan_write_range(void *addr, unsigned long size);
void __tsan_write_range(void *addr, unsigned long size)
{
	POINT(addr, (unsigned int)size, W);
}

void __tsan_init(void);
void __tsan_init(void)
{
}

void __tsan_func_entry(void *call_pc);
FS_RT void __tsan_func_entry(void *call_pc)
{
	(void)call_pc;
	/* Our return address lies in the function just entered. */
	if (fs_kctx_live)
		fs_kctx_hooks.func_entry(fs_kctx_hooks.ctx, PC());
}

void __tsan_func_exit(void);
FS_RT void __tsan_func_exit(void)
{
	if (fs_kctx_live)
		fs_kctx_hooks.func_exit(fs_kctx_hooks.ctx);
}

void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_thread_fence(int mo)
{
	(void)mo;
	POINT(NULL, 0, FS_ACC_FENCE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo)
{
	(void)mo;
	POINT(NULL, 0, FS_ACC_FENCE);
}

void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memcpy(void *dst, const void *src, size_t n)
{
	POINT(src, (unsigned int)n, R);
	POINT(dst, (unsigned int)n, W);
	return memcpy(dst, src, n);
}

void *__tsan_memmove(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n)
{
	POINT(src, (unsigned int)n, R);
	POINT(dst, (unsigned int)n, W);
	return memmove(dst, src, n);
}

void *__tsan_memset(void *dst, int c, size_t n);
void *__tsan_memset(void *dst, int c, size_t n)
{
	POINT(dst, (unsigned int)n, W);
	return memset(dst, c, n);
}

#define SC	__ATOMIC_SEQ_CST

#define ATOMICS(bits)							\
typedef uint##bits##_t a##bits;						\
a##bits __tsan_atomic##bits##_load(const volatile a##bits *a, int mo);	\
a##bits __tsan_atomic##bits##_load(const volatile a##bits *a, int mo)	\
{									\
	(void)mo;							\
	POINT((const void *)a, bits / 8, A | R);			\
	return __atomic_load_n(a, SC);					\
}									\
void __tsan_atomic##bits##_store(volatile a##bits *a, a##bits v, int mo); \
void __tsan_atomic##bits##_store(volatile a##bits *a, a##bits v, int mo) \
{									\
	(void)mo;							\
	POINT((const void *)a, bits / 8, A | W);			\
	__atomic_store_n(a, v, SC);					\
}									\
RMW(bits, exchange, __atomic_exchange_n)				\
RMW(bits, fetch_add, __atomic_fetch_add)				\
RMW(bits, fetch_sub, __atomic_fetch_sub)				\
RMW(bits, fetch_and, __atomic_fetch_and)				\
RMW(bits, fetch_or, __atomic_fetch_or)					\
RMW(bits, fetch_xor, __atomic_fetch_xor)				\
RMW(bits, fetch_nand, __atomic_fetch_nand)				\
CAS(bits, strong)							\
CAS(bits, weak)								\
a##bits __tsan_atomic##bits##_compare_exchange_val(volatile a##bits *a,	\
		a##bits c, a##bits v, int mo, int fmo);			\
a##bits __tsan_atomic##bits##_compare_exchange_val(volatile a##bits *a,	\
		a##bits c, a##bits v, int mo, int fmo)			\
{									\
	(void)mo; (void)fmo;						\
	POINT((const void *)a, bits / 8, A | RW);			\
	__atomic_compare_exchange_n(a, &c, v, 0, SC, SC);		\
	return c;							\
}

/* A weak CAS never fails spuriously here: one OS thread. */
#define CAS(bits, kind)							\
int __tsan_atomic##bits##_compare_exchange_##kind(volatile a##bits *a,	\
		a##bits *c, a##bits v, int mo, int fmo);		\
int __tsan_atomic##bits##_compare_exchange_##kind(volatile a##bits *a,	\
		a##bits *c, a##bits v, int mo, int fmo)			\
{									\
	(void)mo; (void)fmo;						\
	POINT((const void *)a, bits / 8, A | RW);			\
	return __atomic_compare_exchange_n(a, c, v, 0, SC, SC);		\
}

#define RMW(bits, op, builtin)						\
a##bits __tsan_atomic##bits##_##op(volatile a##bits *a, a##bits v, int mo); \
a##bits __tsan_atomic##bits##_##op(volatile a##bits *a, a##bits v, int mo) \
{									\
	(void)mo;							\
	POINT((const void *)a, bits / 8, A | RW);			\
	return builtin(a, v, SC);					\
}

ATOMICS(8)
ATOMICS(16)
ATOMICS(32)
ATOMICS(64)
