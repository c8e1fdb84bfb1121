// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer's custom mutator and crossover for the binary trace form
 * (fuzz_trace, fuzz_diff): the structure-aware mutator keeps inputs
 * well-formed and splices at operation boundaries.
 * FRAGSIM_FUZZ_PLAIN_MUTATOR=1 hands everything to libFuzzer's own
 * mutations (for measurements).  Other engines ignore these hooks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mutator.h"

__attribute__((weak))
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na,
				 const uint8_t *b, size_t nb, uint8_t *out,
				 size_t max_out, unsigned int seed);

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
