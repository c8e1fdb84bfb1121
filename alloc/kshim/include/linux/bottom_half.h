/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/bottom_half.h, kernel/softirq.c — the BH-disable
 * count lives in preempt_count; re-enabling BH outside interrupts runs the
 * CPU's pending softirqs (the simulator does that).
 */
#ifndef _LINUX_BH_H
#define _LINUX_BH_H

#include <linux/bug.h>
#include <linux/preempt.h>

#define local_bh_disable()	fs_local_bh_disable()
/* __local_bh_enable_ip() warns from hard interrupt context. */
#define local_bh_enable() do {						\
	WARN_ON_ONCE(in_hardirq());					\
	fs_local_bh_enable((void *)_THIS_IP_);				\
} while (0)

#endif /* _LINUX_BH_H */
