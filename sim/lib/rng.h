/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one pseudo-random generator: splitmix64.  The scheduler, the trace
 * generator and the fuzzers' mutator all draw from it, so a seed means the
 * same stream everywhere and a run is reproducible bit for bit.
 */
#ifndef FRAGSIM_LIB_RNG_H
#define FRAGSIM_LIB_RNG_H

#include <stdint.h>

/* The golden-ratio increment; also used to spread seeds apart. */
#define FS_RNG_GOLDEN 0x9e3779b97f4a7c15ull

static inline uint64_t fs_rng_next(uint64_t *s)
{
	uint64_t z = (*s += FS_RNG_GOLDEN);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n); 0 when n is 0. */
static inline uint64_t fs_rng_below(uint64_t *s, uint64_t n)
{
	return n ? fs_rng_next(s) % n : 0;
}

#endif /* FRAGSIM_LIB_RNG_H */
