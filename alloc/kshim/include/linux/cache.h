/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/cache.h — x86-64 cache line. */
#ifndef __LINUX_CACHE_H
#define __LINUX_CACHE_H

#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		L1_CACHE_BYTES

#endif /* __LINUX_CACHE_H */
