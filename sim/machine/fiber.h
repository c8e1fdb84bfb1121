/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fibers: the simulated CPUs' tasks, each on its own stack, switched
 * cooperatively on one OS thread (so a run is deterministic).  ASan and
 * TSan are told about each switch when the simulator itself is built with
 * them.
 */
#ifndef FRAGSIM_FIBER_H
#define FRAGSIM_FIBER_H

#include <stdbool.h>
#include <stddef.h>

struct fs_fiber {
	void *sp;		/* saved stack pointer (x86-64) */
	void *ctx;		/* ucontext_t elsewhere */
	void *stack;
	size_t size;
	void (*fn)(void *arg);
	void *arg;
	void *fake_stack;	/* ASan's bookkeeping while switched out */
	bool dying;		/* its next switch away is its last */
	void *tsan_fiber;
};

/* The OS thread's own context, to switch back to. */
void fs_fiber_init_main(struct fs_fiber *main);
int fs_fiber_create(struct fs_fiber *f, size_t stack_size,
		    void (*fn)(void *arg), void *arg);
/* Restart @f at fn(arg) (its stack is reused). */
void fs_fiber_reset(struct fs_fiber *f);
void fs_fiber_destroy(struct fs_fiber *f);
void fs_fiber_switch(struct fs_fiber *from, struct fs_fiber *to);

#endif /* FRAGSIM_FIBER_H */
