/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/irqflags.h — the simulated CPU's interrupt flag.
 * Re-enabling interrupts is a point where a masked interrupt may land.
 */
#ifndef _LINUX_TRACE_IRQFLAGS_H
#define _LINUX_TRACE_IRQFLAGS_H

#include <linux/preempt.h>

#define local_irq_save(flags)	do { (flags) = fs_local_irq_save(); } while (0)
#define local_irq_restore(flags) fs_local_irq_restore((flags), (void *)_THIS_IP_)
#define local_irq_disable()	fs_local_irq_disable()
#define local_irq_enable()	fs_local_irq_enable((void *)_THIS_IP_)
#define irqs_disabled()		fs_irqs_disabled()
#define raw_local_irq_save(f)	local_irq_save(f)
#define raw_local_irq_restore(f) local_irq_restore(f)

#endif /* _LINUX_TRACE_IRQFLAGS_H */
