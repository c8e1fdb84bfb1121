/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy (over the simulated per-CPU areas). */
/*
 * Models: include/linux/percpu-defs.h — a per-CPU variable is CPU 0's copy
 * in section fs_percpu; each CPU's copy sits at that CPU's offset from it
 * (alloc/kshim/context.c), so this_cpu_ptr() is pointer arithmetic as in
 * the kernel, and two CPUs really have two caches.
 */
#ifndef __LINUX_PERCPU_H
#define __LINUX_PERCPU_H

#include <linux/compiler.h>
#include <fragsim/kctx.h>

#define DEFINE_PER_CPU(type, name)					\
	__attribute__((__section__("fs_percpu"), __aligned__(64))) type name
#define DECLARE_PER_CPU(type, name)	extern type name

#define per_cpu_ptr(ptr, cpu)						\
	((__typeof__(ptr))((char *)(ptr) + fs_percpu_offset(cpu)))
#define this_cpu_ptr(ptr)						\
	((__typeof__(ptr))((char *)(ptr) + fs_this_cpu_offset()))
#define raw_cpu_ptr(ptr)	this_cpu_ptr(ptr)
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))

#endif /* __LINUX_PERCPU_H */
