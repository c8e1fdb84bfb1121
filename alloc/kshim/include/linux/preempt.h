/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy, probe (in sections). */
/*
 * Models: include/linux/preempt.h — the context queries.  They answer from
 * the simulated CPU's preempt_count (fragsim/kctx.h), kernel layout.
 */
#ifndef __LINUX_PREEMPT_H
#define __LINUX_PREEMPT_H

#include <linux/compiler.h>
#include <fragsim/kctx.h>

/* ---- copy ---- */

/* The address of the calling code, for the simulator's timeline. */
#define _THIS_IP_ ({ __label__ __here; __here: (unsigned long)&&__here; })

#define preempt_count()		fs_preempt_count()
#define hardirq_count()		(preempt_count() & FS_HARDIRQ_MASK)
#define softirq_count()		(preempt_count() & FS_SOFTIRQ_MASK)
#define irq_count()		(preempt_count() & (FS_HARDIRQ_MASK | \
				 FS_SOFTIRQ_MASK | FS_NMI_MASK))

#define in_nmi()		(preempt_count() & FS_NMI_MASK)
#define in_hardirq()		(hardirq_count())
#define in_irq()		in_hardirq()
#define in_softirq()		(softirq_count())
#define in_serving_softirq()	(softirq_count() & FS_SOFTIRQ_OFFSET)
#define in_interrupt()		(irq_count())
#define in_task()		(!(preempt_count() & (FS_NMI_MASK | \
				 FS_HARDIRQ_MASK | FS_SOFTIRQ_OFFSET)))

/* ---- probe ---- */

#define preempt_disable()	fs_preempt_disable()
#define preempt_enable()	fs_preempt_enable((void *)_THIS_IP_)
#define smp_processor_id()	fs_smp_processor_id()
#define raw_smp_processor_id()	fs_smp_processor_id()

#endif /* __LINUX_PREEMPT_H */
