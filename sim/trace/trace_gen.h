/* SPDX-License-Identifier: GPL-2.0 */
/* The random trace generator behind `fragsim run` (trace_gen.c). */
#ifndef FRAGSIM_TRACE_GEN_H
#define FRAGSIM_TRACE_GEN_H

#include <stdint.h>

#include "../lib/rng.h"	/* fs_rng_next(): all the randomness of a trace */
#include "trace.h"

/* Fill @t (freshly initialised) with a random trace, a function of @seed. */
void fs_trace_generate(struct fs_trace *t, uint64_t seed, const char *target);

/*
 * Workload shapes.  FS_WL_SEQ is fs_trace_generate(): one CPU, one task.
 * The others are concurrent traces that a correct kernel runs without a
 * finding: NIC interrupts and NAPI against a task's irq-off and bh-off
 * sections (IRQ), fragments freed on another CPU than the one that
 * allocated them (XCPU), speculative page references and memory pressure
 * from agents (SPEC), and all of these at once (MIX).  They leave the
 * schedule to the runner.
 */
enum fs_workload {
	FS_WL_SEQ,
	FS_WL_IRQ,
	FS_WL_XCPU,
	FS_WL_SPEC,
	FS_WL_MIX,
	FS_WL_NR,
};

/* "seq", "irq", "xcpu", "spec", "mix"; NULL if out of range. */
const char *fs_workload_name(enum fs_workload w);

/* Fill @t (freshly initialised) with workload @w, a function of @seed. */
void fs_trace_generate_workload(struct fs_trace *t, uint64_t seed,
				const char *target, enum fs_workload w);
/* The same for a target with only @caps (fs_target_caps()) operations. */
void fs_trace_generate_caps(struct fs_trace *t, uint64_t seed,
			    const char *target, enum fs_workload w,
			    unsigned int caps);

#endif /* FRAGSIM_TRACE_GEN_H */
