// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_diff: the same program on the reference model and on the kernel
 * target, in lockstep; a disagreement on documented behaviour (success
 * or NULL under the same fault plan, pfmemalloc) is a finding
 * (diff-null, diff-alloc, diff-pfmemalloc), as is any other finding.
 * The comparison is for one task on one CPU (the reference model has no
 * interleavings), so the machine and actor bytes of the input are
 * ignored: every input decodes as a sequential program.
 */
#include <string.h>

#include "../sim/trace/trace_bin.h"
#include "fuzz_common.h"

#define MAX_INPUT	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t seq[MAX_INPUT];
	struct fs_trace t;
	char err[256];

	fs_fuzz_target();
	if (size < 6 || size > MAX_INPUT)
		return 0;
	memcpy(seq, data, size);
	seq[3] &= 0xc0;		/* one CPU, no preemption, RT or agents */
	seq[5] &= ~3;		/* no actors: the slot bytes become ops */
	fs_trace_init(&t);
	if (!fs_trace_decode(&t, seq, size, err, sizeof(err)))
		fs_fuzz_run(&t, true);
	fs_trace_free(&t);
	return 0;
}
