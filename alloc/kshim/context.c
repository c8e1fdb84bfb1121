// SPDX-License-Identifier: GPL-2.0
/* Shim kind: probe: the CPUs and contexts behind preempt.h, irqflags.h, bottom_half.h. */
/*
 * The kernel-side view of CPUs and contexts (fragsim/kctx.h): preempt_count,
 * the irqs-off flag and the per-CPU area.  The simulator switches
 * fs_kcpu_cur between its CPUs and is told, through the hooks, when a
 * change lets something run.  Kept out of the instrumented code: these
 * are the kernel's arch primitives, which KCSAN does not watch either.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

static struct fs_kcpu boot_cpu;
__thread struct fs_kcpu *fs_kcpu_cur = &boot_cpu;
void (*fs_kctx_deferred_irq)(void);
struct fs_kctx_hooks fs_kctx_hooks;
bool fs_kctx_live;

void fs_kctx_boot(void)
{
	fs_kctx_live = false;
	boot_cpu.preempt_count = 0;
	boot_cpu.irqs_off = false;
	fs_kcpu_cur = &boot_cpu;
}

/*
 * DEFINE_PER_CPU puts CPU 0's copy in section fs_percpu; the other CPUs'
 * copies live at a fixed offset from it, as in the kernel.  Weak: a build
 * without kernel targets has no such section.
 */
extern char __start_fs_percpu[] __attribute__((weak));
extern char __stop_fs_percpu[] __attribute__((weak));

#define FS_NR_CPUS_MAX	8

static char *pristine;
static char *copies[FS_NR_CPUS_MAX];
static size_t area_size;

void fs_percpu_setup(unsigned int nr_cpus)
{
	if (!__start_fs_percpu ||
	    (uintptr_t)__stop_fs_percpu <= (uintptr_t)__start_fs_percpu)
		return;
	if (!pristine) {
		area_size = (size_t)((uintptr_t)__stop_fs_percpu -
				    (uintptr_t)__start_fs_percpu);
		pristine = malloc(area_size);
		if (!pristine)
			abort();
		memcpy(pristine, __start_fs_percpu, area_size);
		copies[0] = __start_fs_percpu;
	}
	for (unsigned int i = 0; i < FS_NR_CPUS_MAX; i++) {
		if (i >= nr_cpus && i)
			break;
		if (!copies[i] && posix_memalign((void **)&copies[i], 64,
						 area_size))
			abort();
		memcpy(copies[i], pristine, area_size);
	}
}

intptr_t fs_percpu_offset(unsigned int cpu)
{
	if (!copies[0] || cpu >= FS_NR_CPUS_MAX || !copies[cpu])
		return 0;
	return copies[cpu] - copies[0];
}

unsigned long fs_local_irq_save(void)
{
	unsigned long flags = fs_kcpu_cur->irqs_off;

	fs_kcpu_cur->irqs_off = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return flags;
}

void fs_local_irq_restore(unsigned long flags, const void *pc)
{
	struct fs_kcpu *c = fs_kcpu_cur;

	c->irqs_off = flags;
	/* Real threads: the flag is stored before a signal may find it. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (flags)
		return;
	if (__builtin_expect(c->irq_pending, 0))
		fs_kctx_deferred_irq();
	/* a masked interrupt may be delivered right here */
	fs_kctx_point(NULL, 0, FS_ACC_IRQ_ON, pc);
}

void fs_local_irq_disable(void)
{
	fs_kcpu_cur->irqs_off = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void fs_local_irq_enable(const void *pc)
{
	fs_local_irq_restore(0, pc);
}

void fs_local_bh_disable(void)
{
	fs_kcpu_cur->preempt_count += FS_SOFTIRQ_DISABLE_OFFSET;
}

void fs_local_bh_enable(const void *pc)
{
	struct fs_kcpu *c = fs_kcpu_cur;

	c->preempt_count -= FS_SOFTIRQ_DISABLE_OFFSET;
	/* __local_bh_enable_ip(): pending softirqs run here. */
	if (fs_kctx_live && !(c->preempt_count & (FS_SOFTIRQ_MASK |
						  FS_HARDIRQ_MASK)) &&
	    !c->irqs_off) {
		fs_kctx_hooks.bh_enabled(fs_kctx_hooks.ctx);
		fs_kctx_point(NULL, 0, FS_ACC_BH_ON, pc);
	}
}

void fs_preempt_disable(void)
{
	fs_kcpu_cur->preempt_count += FS_PREEMPT_OFFSET;
}

void fs_preempt_enable(const void *pc)
{
	fs_kcpu_cur->preempt_count -= FS_PREEMPT_OFFSET;
	fs_kctx_point(NULL, 0, 0, pc);
}

unsigned int fs_preempt_count(void)
{
	return fs_kcpu_cur->preempt_count;
}

bool fs_irqs_disabled(void)
{
	return fs_kcpu_cur->irqs_off;
}

unsigned int fs_smp_processor_id(void)
{
	return fs_kcpu_cur->cpu;
}

intptr_t fs_this_cpu_offset(void)
{
	return fs_kcpu_cur->percpu_offset;
}

/* The simulator checks the context (and, on PREEMPT_RT, takes the lock). */
void fs_local_lock_nested_bh(void *lock, const void *pc)
{
	if (fs_kctx_live)
		fs_kctx_hooks.lock(fs_kctx_hooks.ctx, lock, true, pc);
}

void fs_local_unlock_nested_bh(void *lock, const void *pc)
{
	if (fs_kctx_live)
		fs_kctx_hooks.lock(fs_kctx_hooks.ctx, lock, false, pc);
}

/*
 * cpu_relax(): the checker counts the turns (fs_shim_hooks.spin), and a
 * simulated CPU offers the others a turn; a real one pauses.
 */
void fs_cpu_relax(const char *file, int line, const void *pc)
{
	if (fs_shim_hooks.spin)
		fs_shim_hooks.spin(fs_shim_hooks.ctx, file, line);
	if (fs_kctx_live) {
		fs_kctx_point(NULL, 0, FS_ACC_RELAX, pc);
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}
