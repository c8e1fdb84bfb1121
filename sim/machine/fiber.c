// SPDX-License-Identifier: GPL-2.0
/*
 * Stack switching.  On x86-64 a few instructions save the callee-saved
 * registers and swap stack pointers (swapcontext() would make a
 * sigprocmask system call on every CPU switch); elsewhere ucontext.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "fiber.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if __has_feature(address_sanitizer) || defined(__SANITIZE_ADDRESS__)
#define FS_ASAN 1
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
#endif

#if __has_feature(thread_sanitizer) || defined(__SANITIZE_THREAD__)
#define FS_TSAN 1
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned int flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned int flags);
#endif

#ifdef FS_ASAN
/* The OS thread's stack, learnt at the first switch away from it. */
static const void *main_bottom;
static size_t main_size;
#endif

#if defined(__x86_64__)
void fs_fiber_swap(void **save_sp, void *new_sp);
void fs_fiber_trampoline(void);
__asm__(".text\n"
	".globl fs_fiber_swap\n"
	".type fs_fiber_swap,@function\n"
	"fs_fiber_swap:\n"
	"\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n"
	"\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n"
	"\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
	"\tret\n"
	".size fs_fiber_swap,.-fs_fiber_swap\n"
	".globl fs_fiber_trampoline\n"
	".type fs_fiber_trampoline,@function\n"
	"fs_fiber_trampoline:\n"
	"\tmovq %r12, %rdi\n"
	"\tcallq fs_fiber_start\n"
	"\tud2\n"
	".size fs_fiber_trampoline,.-fs_fiber_trampoline\n");
#endif

/* Called from the asm above only: LTO must keep it, under its own name. */
#if defined(__clang__)
#define FS_ASM_CALLED	__attribute__((used))
#else
#define FS_ASM_CALLED	__attribute__((used, externally_visible))
#endif

FS_ASM_CALLED void fs_fiber_start(struct fs_fiber *f);

FS_ASM_CALLED void fs_fiber_start(struct fs_fiber *f)
{
#ifdef FS_ASAN
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	if (!main_bottom) {
		main_bottom = bottom;
		main_size = size;
	}
#endif
	f->fn(f->arg);
	abort();	/* a fiber's function never returns: it switches away */
}

#if !defined(__x86_64__)
static void uc_entry(unsigned int hi, unsigned int lo)
{
	fs_fiber_start((struct fs_fiber *)(((uintptr_t)hi << 32) | lo));
}
#endif

void fs_fiber_init_main(struct fs_fiber *main)
{
	memset(main, 0, sizeof(*main));
#if !defined(__x86_64__)
	main->ctx = calloc(1, sizeof(ucontext_t));
	if (!main->ctx)
		abort();
#endif
#ifdef FS_TSAN
	main->tsan_fiber = __tsan_get_current_fiber();
#endif
}

void fs_fiber_reset(struct fs_fiber *f)
{
	f->dying = false;
	f->fake_stack = NULL;
#if defined(__x86_64__)
	uintptr_t *sp = (uintptr_t *)((char *)f->stack + f->size);

	/* After the ret, rsp is 16-aligned: the trampoline's call is ABI-clean. */
	*--sp = (uintptr_t)fs_fiber_trampoline;	/* ret target */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uintptr_t)f;			/* r12: the trampoline's argument */
	*--sp = 0;				/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	f->sp = sp;
#else
	ucontext_t *uc = f->ctx;

	getcontext(uc);
	uc->uc_stack.ss_sp = f->stack;
	uc->uc_stack.ss_size = f->size;
	uc->uc_link = NULL;
	makecontext(uc, (void (*)(void))uc_entry, 2,
		    (unsigned int)((uintptr_t)f >> 32), (unsigned int)(uintptr_t)f);
#endif
}

int fs_fiber_create(struct fs_fiber *f, size_t stack_size,
		    void (*fn)(void *arg), void *arg)
{
	memset(f, 0, sizeof(*f));
	/* A guard page below the stack turns an overflow into a crash. */
	f->stack = mmap(NULL, stack_size + 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->stack == MAP_FAILED)
		return -1;
	mprotect(f->stack, 4096, PROT_NONE);
	f->stack = (char *)f->stack + 4096;
	f->size = stack_size;
	f->fn = fn;
	f->arg = arg;
#if !defined(__x86_64__)
	f->ctx = calloc(1, sizeof(ucontext_t));
	if (!f->ctx)
		return -1;
#endif
#ifdef FS_TSAN
	f->tsan_fiber = __tsan_create_fiber(0);
#endif
	fs_fiber_reset(f);
	return 0;
}

void fs_fiber_destroy(struct fs_fiber *f)
{
#ifdef FS_TSAN
	if (f->tsan_fiber && f->stack)
		__tsan_destroy_fiber(f->tsan_fiber);
#endif
	if (f->stack)
		munmap((char *)f->stack - 4096, f->size + 4096);
	free(f->ctx);
	memset(f, 0, sizeof(*f));
}

void fs_fiber_switch(struct fs_fiber *from, struct fs_fiber *to)
{
	if (from == to)
		return;
#ifdef FS_ASAN
	/* A fiber leaving for the last time hands its fake stack back. */
	__sanitizer_start_switch_fiber(from->dying ? NULL : &from->fake_stack,
				       to->stack ? to->stack : main_bottom,
				       to->stack ? to->size : main_size);
#endif
#ifdef FS_TSAN
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
#if defined(__x86_64__)
	fs_fiber_swap(&from->sp, to->sp);
#else
	swapcontext(from->ctx, to->ctx);
#endif
#ifdef FS_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}
