/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Concurrency feedback for fuzzers, beyond code coverage: which kernel
 * access sites an interrupt, a CPU switch or an agent's action landed on,
 * in which context and nesting depth; alias pairs (two contexts touching
 * the same bytes); window hits (an injection between two accesses of the interrupted
 * context to the same object).  Each is a bucket in a byte map the
 * harness supplies (libFuzzer's extra counters); off when no map is set.
 */
#ifndef FRAGSIM_FEEDBACK_H
#define FRAGSIM_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern uint8_t *fs_fb_map;
extern size_t fs_fb_len;

/* Use @map (zeroed by the caller per run) of @len bytes, NULL: off. */
void fs_fb_set_map(uint8_t *map, size_t len);
/* Forget the alias table and the open window: a new run starts. */
void fs_fb_reset(void);
/* The scheduler switched CPU (@irq false) or injected an interrupt. */
void fs_fb_decision(bool irq, const void *pc, unsigned int ctx_kind,
		    unsigned int depth);
/*
 * An agent acted (a speculative reference taken or dropped, memory
 * pressure turned on or off: decision kind @kind) at kernel site @pc.
 */
void fs_fb_agent(unsigned int kind, const void *pc, unsigned int ctx_kind,
		 unsigned int depth);
/* Context @ctx (task/actor and nesting) accessed [addr, addr+size). */
void fs_fb_access(const void *addr, const void *pc, uint32_t ctx,
		  unsigned int depth);

#endif /* FRAGSIM_FEEDBACK_H */
