/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault plans for the simulated page allocator.
 *
 * A plan is a set of modes; each mode is a deterministic function of the
 * request (order, gfp), so the reference model and a kernel target that ask
 * for the same pages get the same answers.
 */
#ifndef FRAGSIM_FAULTS_H
#define FRAGSIM_FAULTS_H

#include <stdint.h>

typedef uint32_t fs_faults_t;

enum {
	/* Every allocation of order > 0 fails (fragmented memory). */
	FS_FAULT_ORDER3_FAIL	= 1u << 0,
	/* Every allocation fails. */
	FS_FAULT_ALL_FAIL	= 1u << 1,
	/*
	 * Below the min watermark: order > 0 fails; order 0 is served from
	 * the reserves as a pfmemalloc page when the gfp allows reserves
	 * (__GFP_MEMALLOC without __GFP_NOMEMALLOC), from the atomic reserve
	 * for __GFP_HIGH, after reclaim for __GFP_DIRECT_RECLAIM without
	 * __GFP_NORETRY, and fails otherwise.
	 */
	FS_FAULT_PRESSURE	= 1u << 2,
	FS_FAULT_NR_BITS	= 3,
};

/* "none", or modes joined by ',' ("order3-fail,pressure"). Returns @buf. */
char *fs_faults_format(fs_faults_t f, char *buf, unsigned long len);

/* Parse what fs_faults_format() prints; 0 on success, -1 if bad. */
int fs_faults_parse(const char *s, fs_faults_t *out);

#endif /* FRAGSIM_FAULTS_H */
