/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/types.h — the fixed-width and kernel scalar types. */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;

typedef unsigned int __bitwise gfp_t;
typedef unsigned long phys_addr_t;

/* The kernel's atomic_t; operated on only through the shim's helpers. */
typedef struct {
	int counter;
} atomic_t;

#endif /* _LINUX_TYPES_H */
