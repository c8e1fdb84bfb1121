/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-neutral gfp flags.
 *
 * Traces, the reference implementation and the page arena speak these bits;
 * each kernel target translates them to and from its own <linux/gfp_types.h>
 * values, because the bit values differ between kernel versions.
 */
#ifndef FRAGSIM_GFP_H
#define FRAGSIM_GFP_H

#include <stdint.h>

typedef uint32_t fs_gfp_t;

enum {
	FS_GFP_HIGH		= 1u << 0,
	FS_GFP_IO		= 1u << 1,
	FS_GFP_FS		= 1u << 2,
	FS_GFP_DIRECT_RECLAIM	= 1u << 3,
	FS_GFP_KSWAPD_RECLAIM	= 1u << 4,
	FS_GFP_NOWARN		= 1u << 5,
	FS_GFP_NORETRY		= 1u << 6,
	FS_GFP_COMP		= 1u << 7,
	FS_GFP_MEMALLOC		= 1u << 8,
	FS_GFP_NOMEMALLOC	= 1u << 9,
	FS_GFP_ZERO		= 1u << 10,
	FS_GFP_NR_BITS		= 11,
};

/* The composite masks, as include/linux/gfp_types.h defines them. */
#define FS_GFP_RECLAIM	(FS_GFP_DIRECT_RECLAIM | FS_GFP_KSWAPD_RECLAIM)
#define FS_GFP_ATOMIC	(FS_GFP_HIGH | FS_GFP_KSWAPD_RECLAIM)
#define FS_GFP_NOWAIT	(FS_GFP_KSWAPD_RECLAIM)
#define FS_GFP_NOIO	(FS_GFP_RECLAIM)
#define FS_GFP_NOFS	(FS_GFP_RECLAIM | FS_GFP_IO)
#define FS_GFP_KERNEL	(FS_GFP_RECLAIM | FS_GFP_IO | FS_GFP_FS)

/* Name of single bit @bit ("__GFP_HIGH"), or NULL. */
const char *fs_gfp_bit_name(unsigned int bit);

/*
 * Print @gfp as "GFP_ATOMIC|__GFP_MEMALLOC" into @buf: the largest named
 * composite that is a subset first, then the remaining single bits.
 * Returns @buf.
 */
char *fs_gfp_format(fs_gfp_t gfp, char *buf, unsigned long len);

/* Parse the form fs_gfp_format() prints (also "0"); 0 on success, -1 if bad. */
int fs_gfp_parse(const char *s, fs_gfp_t *out);

#endif /* FRAGSIM_GFP_H */
