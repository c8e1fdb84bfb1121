/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/processor.h, arch/x86/include/asm/processor.h —
 * cpu_relax(), the body of a spin-wait.  On a simulated CPU it is a
 * scheduling point (another CPU must run for the wait to end) and the
 * checker counts the turns of one call: a wait nothing ends is a livelock.
 * __FILE__ and __LINE__ are the kernel's, through the #line directives.
 */
#ifndef _LINUX_PROCESSOR_H
#define _LINUX_PROCESSOR_H

#include <linux/preempt.h>

#define cpu_relax()	fs_cpu_relax(__FILE__, __LINE__, (void *)_THIS_IP_)

#endif /* _LINUX_PROCESSOR_H */
