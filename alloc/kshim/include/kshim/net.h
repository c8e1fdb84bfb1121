/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: none (includes only). */
/*
 * What the network front ends cut from net/core/skbuff.c and
 * include/linux/skbuff.h see, included by the generated translation unit
 * before them: per-CPU variables, contexts, BH, local locks.
 */
#ifndef KSHIM_NET_H
#define KSHIM_NET_H

#include <linux/sizes.h>
#include <linux/cache.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/bottom_half.h>
#include <linux/percpu.h>
#include <linux/local_lock.h>

#endif /* KSHIM_NET_H */
