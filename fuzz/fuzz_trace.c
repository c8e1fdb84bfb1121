// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_trace: bytes -> trace program + schedule decisions (the binary form,
 * docs/binary-format.md) -> the simulator on the kernel target -> the
 * checker.  A finding aborts with its report.  The structure-aware
 * mutator keeps inputs well-formed and splices at operation boundaries
 * (FRAGSIM_FUZZ_PLAIN_MUTATOR=1 hands everything to libFuzzer's own).
 */
#include <stdlib.h>

#include "../sim/trace/trace_bin.h"
#include "fuzz_common.h"
#include "mutator.h"

__attribute__((weak))
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

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

static bool plain(void)
{
	static int p = -1;

	if (p < 0)
		p = getenv("FRAGSIM_FUZZ_PLAIN_MUTATOR") != NULL;
	return p;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (plain() && LLVMFuzzerMutate)
		return LLVMFuzzerMutate(data, size, max_size);
	return fs_mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na,
				 const uint8_t *b, size_t nb, uint8_t *out,
				 size_t max_out, unsigned int seed)
{
	if (plain()) {
		size_t n = na < max_out ? na : max_out;

		for (size_t i = 0; i < n; i++)
			out[i] = i < nb && (seed >> (i % 32) & 1) ? b[i] : a[i];
		return n;
	}
	return fs_crossover(a, na, b, nb, out, max_out, seed);
}
