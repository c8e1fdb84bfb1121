/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: stub: a fixed answer or a no-op. */
/* Models: include/linux/numa.h and topology.h — one memory node. */
#ifndef _LINUX_NUMA_H
#define _LINUX_NUMA_H

#define NUMA_NO_NODE	(-1)

static inline int numa_mem_id(void)
{
	return 0;
}

#endif /* _LINUX_NUMA_H */
