// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_trace: bytes -> trace program + schedule decisions (the binary form,
 * docs/binary-format.md) -> the simulator on the kernel target -> the
 * checker.  A finding aborts with its report.  (Mutations:
 * mutator_hooks.c.)
 */
#include "../sim/trace/trace_bin.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_trace t;
	char err[256];

	fs_fuzz_target();
	fs_trace_init(&t);
	if (!fs_trace_decode(&t, data, size, err, sizeof(err)))
		fs_fuzz_run(&t, false);
	fs_trace_free(&t);
	return 0;
}
