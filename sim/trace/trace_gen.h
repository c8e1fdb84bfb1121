/* SPDX-License-Identifier: GPL-2.0 */
/* The random trace generator behind `fragsim run` (trace_gen.c). */
#ifndef FRAGSIM_TRACE_GEN_H
#define FRAGSIM_TRACE_GEN_H

#include <stdint.h>

#include "trace.h"

/* SplitMix64: the only source of randomness in generated traces. */
uint64_t fs_rng_next(uint64_t *state);

/* Fill @t (freshly initialised) with a random trace, a function of @seed. */
void fs_trace_generate(struct fs_trace *t, uint64_t seed, const char *target);

#endif /* FRAGSIM_TRACE_GEN_H */
