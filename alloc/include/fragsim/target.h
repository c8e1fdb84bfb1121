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
	bool weak;		/* no reference of its own: va may dangle */
};

/* The network stack's per-CPU caches (net/core/skbuff.c). */
enum fs_pcpu_cache {
	FS_PCPU_NETDEV,		/* netdev_alloc_cache */
	FS_PCPU_NAPI,		/* napi_alloc_cache.page */
	FS_PCPU_NAPI_SMALL,	/* napi_alloc_cache.page_small (1K frags) */
	FS_PCPU_NR,
};

/*
 * One extracted kernel function, for finding titles (docs/invariants.md,
 * "Titles"); alloc/extract writes the table.
 */
struct fs_kfunc {
	const char *name;
	bool core;		/* page_frag code proper, not a front end */
	const char *reaches;	/* the out-of-line page_frag function a call
				 * to it reaches (itself if it is one), or NULL */
};

struct fs_target {
	const char *name;	/* "linux-6.12", "ref", "tree", "Z-1@linux-6.12" */
	const char *release;	/* kernel release or "fragsim" */
	const char *tree;	/* the source tree it was cut from, "" for ref */
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
	const char *sym_prefix;	/* "fs_<id>_" of renamed kernel symbols */
	const struct fs_kfunc *kfuncs;	/* NULL: none (ref) */
	unsigned int nr_kfuncs;

	/* A driver RX ring's page: order 0, @bias references; its address. */
	void *(*ring_page)(fs_gfp_t gfp, unsigned int bias, bool *pfmemalloc);
	/* __page_frag_cache_drain(virt_to_head_page(va), count) */
	void (*page_drain)(void *va, unsigned int count);

	/* Network front ends; NULL when the target has none. */
	void *(*netdev_alloc)(unsigned int fragsz, unsigned int align);
	void *(*napi_alloc)(unsigned int fragsz, unsigned int align);
	void *(*napi_alloc_1k)(fs_gfp_t gfp);	/* NULL: no 1K cache */
	/* The cache object of @cpu (context rules), its size in @size. */
	void *(*pcpu_cache)(unsigned int cpu, enum fs_pcpu_cache which,
			    size_t *size);
	void (*pcpu_view)(unsigned int cpu, enum fs_pcpu_cache which,
			  struct fs_cache_view *v);
	void (*pcpu_drain)(unsigned int cpu);	/* teardown */
	const char *fn_netdev, *fn_napi;
	/* skb_free_frag(): frees of the network caches' fragments; NULL: free. */
	void (*free_net)(void *addr);
};

/*
 * What a target can run beyond page_frag itself.  Trace operations needing
 * a capability the target lacks are refused by the runner and never
 * generated for it.  Derived from the entry points, one concept in one place.
 */
enum fs_target_cap {
	FS_TCAP_NET	= 1u << 0,	/* netdev_alloc_frag(), napi_alloc_frag() */
	FS_TCAP_NAPI_1K	= 1u << 1,	/* napi_alloc_1k: gone in 6.14 */
	FS_TCAP_ALL	= (1u << 2) - 1,
};

static inline unsigned int fs_target_caps(const struct fs_target *t)
{
	return (t->netdev_alloc ? FS_TCAP_NET : 0) |
	       (t->napi_alloc_1k ? FS_TCAP_NAPI_1K : 0);
}

/* The registry of the running binary (generated per executable). */
extern const struct fs_target *const fs_targets[];
extern const unsigned int fs_nr_targets;
/* Uninstrumented builds of the kernel targets (same names), NULL-ended. */
extern const struct fs_target *const fs_native_targets[];

const struct fs_target *fs_target_find(const char *name);
/* @name's entry in @t's table of extracted functions, or NULL. */
const struct fs_kfunc *fs_target_kfunc(const struct fs_target *t,
				       const char *name);

#endif /* FRAGSIM_TARGET_H */
