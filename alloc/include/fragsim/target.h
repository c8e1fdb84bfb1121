/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A target is one build of the page_frag code under test (the reference
 * model, or one extracted kernel) seen through a table of entry points.
 * The simulator never calls kernel symbols directly.
 */
#ifndef FRAGSIM_TARGET_H
#define FRAGSIM_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include <fragsim/gfp.h>

/* What the checker may read of a cache between operations. */
struct fs_cache_view {
	void *va;		/* cached page's address, NULL if none */
	unsigned long bias;	/* pagecnt_bias */
	unsigned long offset;	/* as the layout stores it */
	unsigned long size;	/* bytes usable in the cached page */
	bool pfmemalloc;	/* what the cache reports to its users */
	bool count_up;		/* offset counts up (6.13+) */
};

struct fs_target {
	const char *name;	/* "linux-6.12", "ref", "tree", "Z-1@linux-6.12" */
	const char *release;	/* kernel release or "fragsim" */
	const char *layout;	/* "classic", "classic-v6.9", "encoded", "ref" */
	const char *build_id;	/* hash of the code under test */
	const char *zoo;	/* injected bug id, "" for none */
	size_t cache_size;	/* sizeof(struct page_frag_cache) */

	void (*cache_init)(void *nc);
	/* align 0: page_frag_alloc(); else page_frag_alloc_align(). */
	void *(*alloc)(void *nc, unsigned int fragsz, fs_gfp_t gfp,
		       unsigned int align);
	void (*free)(void *va);				/* page_frag_free() */
	void (*drain)(void *nc);			/* drop the cache's page */
	void (*view)(const void *nc, struct fs_cache_view *v);
	/* Kernel function names, for reports. */
	const char *fn_alloc, *fn_alloc_align, *fn_free, *fn_drain;
};

/* The registry of the running binary (generated per executable). */
extern const struct fs_target *const fs_targets[];
extern const unsigned int fs_nr_targets;

const struct fs_target *fs_target_find(const char *name);

#endif /* FRAGSIM_TARGET_H */
