/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/*
 * Models: include/linux/atomic.h — atomic_read()/atomic_set() are marked
 * plain accesses, as in the kernel (READ_ONCE/WRITE_ONCE), so the
 * instrumentation makes each a scheduling point.
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <linux/compiler.h>
#include <linux/types.h>

#define atomic_read(v)		READ_ONCE((v)->counter)
#define atomic_set(v, i)	WRITE_ONCE((v)->counter, (i))

#endif /* _LINUX_ATOMIC_H */
