/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The execution context the kernel code under test believes it runs in:
 * which CPU, its preempt_count (the kernel's layout), whether interrupts
 * are off.  The shim's in_hardirq(), this_cpu_ptr(), local_irq_save() and
 * friends read and change it here; the simulator (sim/machine) owns the
 * CPUs and installs hooks to act when a change lets something run (an
 * interrupt once irqs are back on, softirqs once BH is re-enabled).
 * Without a simulator there is one CPU in task context, irqs on.
 */
#ifndef FRAGSIM_KCTX_H
#define FRAGSIM_KCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* include/linux/preempt.h */
#define FS_PREEMPT_MASK		0x000000ffu
#define FS_SOFTIRQ_MASK		0x0000ff00u
#define FS_HARDIRQ_MASK		0x000f0000u
#define FS_NMI_MASK		0x00f00000u
#define FS_PREEMPT_OFFSET	0x00000001u
#define FS_SOFTIRQ_OFFSET	0x00000100u
#define FS_SOFTIRQ_DISABLE_OFFSET (2 * FS_SOFTIRQ_OFFSET)
#define FS_HARDIRQ_OFFSET	0x00010000u

struct fs_kcpu {
	unsigned int cpu;
	unsigned int preempt_count;
	bool irqs_off;
	intptr_t percpu_offset;	/* this CPU's copy minus CPU 0's */
	/* Real threads (fragsim stress): a hard interrupt arrived while
	 * masked; delivered when irqs come back on.  Never set otherwise. */
	volatile int irq_pending;
};

/* Access kinds of a scheduling point (what the instrumentation saw). */
enum {
	FS_ACC_READ	= 1u << 0,
	FS_ACC_WRITE	= 1u << 1,
	FS_ACC_ATOMIC	= 1u << 2,
	FS_ACC_VOLATILE	= 1u << 3,
	FS_ACC_FENCE	= 1u << 4,	/* no address */
	FS_ACC_IRQ_ON	= 1u << 5,	/* local_irq_restore/enable */
	FS_ACC_BH_ON	= 1u << 6,	/* local_bh_enable */
	FS_ACC_OP	= 1u << 7,	/* between two trace operations */
	FS_ACC_RELAX	= 1u << 8,	/* cpu_relax(): a spin-wait's turn */
};

struct fs_kctx_hooks {
	/* A scheduling point in the code under test. */
	void (*point)(void *ctx, const void *addr, unsigned int size,
		      unsigned int flags, const void *pc);
	/* The BH-disable count went back to 0 outside interrupts. */
	void (*bh_enabled)(void *ctx);
	/* local_lock_nested_bh(): context check; on PREEMPT_RT a real lock. */
	void (*lock)(void *ctx, void *lock, bool acquire, const void *pc);
	/* Function entry/exit in the code under test (call stacks). */
	void (*func_entry)(void *ctx, const void *fn_pc);
	void (*func_exit)(void *ctx);
	void *ctx;
};

/*
 * Per OS thread: the simulator's fibers share one thread and switch it;
 * in real-threads mode (fragsim stress) each pthread points it at its own
 * CPU.  initial-exec: one %fs-relative load, no __tls_get_addr call.
 */
extern __thread struct fs_kcpu *fs_kcpu_cur
	__attribute__((tls_model("initial-exec")));
/* Real threads: runs a masked interrupt once irqs are back on. */
extern void (*fs_kctx_deferred_irq)(void);
/* Back to the boot CPU (no simulator). */
void fs_kctx_boot(void);
extern struct fs_kctx_hooks fs_kctx_hooks;
/* Set while a simulator runs: points are live. */
extern bool fs_kctx_live;

/* The per-CPU area: kernel DEFINE_PER_CPU variables, copied per CPU. */
void fs_percpu_setup(unsigned int nr_cpus);	/* save pristine, reset all */
intptr_t fs_percpu_offset(unsigned int cpu);

/* Called by the shim (never instrumented). */
static inline void fs_kctx_point(const void *addr, unsigned int size,
				 unsigned int flags, const void *pc)
{
	if (fs_kctx_live)
		fs_kctx_hooks.point(fs_kctx_hooks.ctx, addr, size, flags, pc);
}

unsigned long fs_local_irq_save(void);
void fs_local_irq_restore(unsigned long flags, const void *pc);
void fs_local_irq_disable(void);
void fs_local_irq_enable(const void *pc);
void fs_local_bh_disable(void);
void fs_local_bh_enable(const void *pc);
void fs_preempt_disable(void);
void fs_preempt_enable(const void *pc);
unsigned int fs_preempt_count(void);
bool fs_irqs_disabled(void);
void fs_cpu_relax(const char *file, int line, const void *pc);
unsigned int fs_smp_processor_id(void);
intptr_t fs_this_cpu_offset(void);
void fs_local_lock_nested_bh(void *lock, const void *pc);
void fs_local_unlock_nested_bh(void *lock, const void *pc);

#endif /* FRAGSIM_KCTX_H */
