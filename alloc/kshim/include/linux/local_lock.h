/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/local_lock.h (nested-BH flavour, v6.11+).  Without
 * PREEMPT_RT the lock is only lockdep's assertion that BH is disabled; with
 * it (trace header `rt on`) the simulator makes it a real per-CPU lock.
 */
#ifndef _LINUX_LOCAL_LOCK_H
#define _LINUX_LOCAL_LOCK_H

#include <linux/bug.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

typedef struct {
	int owner;	/* the simulator's bookkeeping, not the kernel's */
} local_lock_t;

#define INIT_LOCAL_LOCK(lockname)	{ 0 }
#define local_lock_init(l)		do { (l)->owner = 0; } while (0)

/* lockdep_assert_in_softirq() after the simulator saw the acquisition. */
#define local_lock_nested_bh(lock) do {					\
	fs_local_lock_nested_bh(this_cpu_ptr(lock), (void *)_THIS_IP_); \
	WARN_ON_ONCE(!in_softirq() || in_hardirq());			\
} while (0)
#define local_unlock_nested_bh(lock)					\
	fs_local_unlock_nested_bh(this_cpu_ptr(lock), (void *)_THIS_IP_)

#endif /* _LINUX_LOCAL_LOCK_H */
