/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target table of one extracted kernel, included at the end of the
 * generated translation unit (alloc/extract writes FS_TARGET_*, FS_HAVE_*
 * and FS_LAYOUT_* above it).  These functions are the callers of the
 * kernel API — what a driver does — and are never instrumented.
 */
#include <string.h>

#include <fragsim/target.h>

#define __FS_CAT(a, b)		a##b
#define FS_CAT(a, b)		__FS_CAT(a, b)
#define FS_GLUE(name)		FS_CAT(FS_CAT(fs_glue_, FS_TARGET_ID), _##name)
#define FS_GLUE_FN		static __no_kcsan

FS_GLUE_FN void FS_GLUE(cache_init)(void *c)
{
	memset(c, 0, sizeof(struct page_frag_cache));
}

FS_GLUE_FN void *FS_GLUE(alloc)(void *c, unsigned int fragsz, fs_gfp_t g,
				 unsigned int align)
{
	gfp_t gfp = ks_gfp_from_neutral(g);

	if (!align)
		return page_frag_alloc(c, fragsz, gfp);
#if defined(FS_HAVE___page_frag_alloc_align) || defined(FS_LAYOUT_ENCODED)
	/* v6.9+: the inline wrapper takes the alignment itself. */
	return page_frag_alloc_align(c, fragsz, gfp, align);
#else
	/* Before v6.9 callers passed a mask, as napi_alloc_frag_align() did. */
	return page_frag_alloc_align(c, fragsz, gfp, -align);
#endif
}

FS_GLUE_FN void FS_GLUE(free)(void *va)
{
	page_frag_free(va);
}

FS_GLUE_FN void FS_GLUE(drain)(void *c)
{
#ifdef FS_HAVE_page_frag_cache_drain
	page_frag_cache_drain(c);
#else
	/* What 6.1 callers (nvme-tcp, virtio_net) open-coded. */
	struct page_frag_cache *nc = c;

	if (!nc->va)
		return;
	__page_frag_cache_drain(virt_to_head_page(nc->va), nc->pagecnt_bias);
	nc->va = NULL;
#endif
}

FS_GLUE_FN void FS_GLUE(view)(const void *c, struct fs_cache_view *v)
{
	const struct page_frag_cache *nc = c;

	memset(v, 0, sizeof(*v));
#ifdef FS_LAYOUT_ENCODED
	v->va = nc->encoded_page ?
		(void *)(nc->encoded_page & PAGE_MASK) : NULL;
	v->size = nc->encoded_page ?
		PAGE_SIZE << encoded_page_decode_order(nc->encoded_page) : 0;
	v->pfmemalloc = nc->encoded_page &&
			encoded_page_decode_pfmemalloc(nc->encoded_page);
	v->count_up = true;
#else
	v->va = nc->va;
#if (PAGE_SIZE < PAGE_FRAG_CACHE_MAX_SIZE)
	v->size = nc->size;
#else
	v->size = PAGE_SIZE;
#endif
	v->pfmemalloc = nc->pfmemalloc;
#endif
	v->bias = nc->pagecnt_bias;
	v->offset = nc->offset;
}

FS_GLUE_FN void *FS_GLUE(ring_page)(fs_gfp_t g, unsigned int bias,
				     bool *pfmemalloc)
{
	struct page *page = alloc_pages_node(NUMA_NO_NODE,
					     ks_gfp_from_neutral(g), 0);

	if (!page)
		return NULL;
	/* What ixgbe/igb do: one atomic add, then count down a bias. */
	page_ref_add(page, bias - 1);
	*pfmemalloc = page_is_pfmemalloc(page);
	return page_address(page);
}

FS_GLUE_FN void FS_GLUE(page_drain)(void *va, unsigned int count)
{
	__page_frag_cache_drain(virt_to_head_page(va), count);
}

#ifdef FS_HAVE_NET
/* The callers: a driver's RX path, a protocol's skb head allocation. */
#ifdef FS_HAVE_skb_free_frag
/* How the network stack gives its fragments back (e.g. build_skb() failing). */
FS_GLUE_FN void FS_GLUE(free_net)(void *va)
{
	skb_free_frag(va);
}
#endif

FS_GLUE_FN void *FS_GLUE(netdev_alloc)(unsigned int fragsz,
				       unsigned int align)
{
	return align ? netdev_alloc_frag_align(fragsz, align) :
		       netdev_alloc_frag(fragsz);
}

FS_GLUE_FN void *FS_GLUE(napi_alloc)(unsigned int fragsz, unsigned int align)
{
	return align ? napi_alloc_frag_align(fragsz, align) :
		       napi_alloc_frag(fragsz);
}

#ifdef FS_HAVE_page_frag_alloc_1k
/* __napi_alloc_skb()'s small-head path, from softirq (NAPI poll). */
FS_GLUE_FN void *FS_GLUE(napi_alloc_1k)(fs_gfp_t g)
{
	struct napi_alloc_cache *nc;
	void *data;

#ifdef FS_NAPI_BH_LOCK
	local_lock_nested_bh(&napi_alloc_cache.bh_lock);
#endif
	nc = this_cpu_ptr(&napi_alloc_cache);
	data = page_frag_alloc_1k(&nc->page_small, ks_gfp_from_neutral(g));
#ifdef FS_NAPI_BH_LOCK
	local_unlock_nested_bh(&napi_alloc_cache.bh_lock);
#endif
	return data;
}
#endif

FS_GLUE_FN void *FS_GLUE(pcpu_cache)(unsigned int cpu,
				     enum fs_pcpu_cache which, size_t *size)
{
	struct napi_alloc_cache *napi = per_cpu_ptr(&napi_alloc_cache, cpu);

	switch (which) {
	case FS_PCPU_NETDEV:
		*size = sizeof(struct page_frag_cache);
		return per_cpu_ptr(&netdev_alloc_cache, cpu);
	case FS_PCPU_NAPI:
		/* The whole per-CPU struct: its lock and skb cache too. */
		*size = sizeof(*napi);
		return napi;
	default:
#ifdef FS_HAVE_page_frag_alloc_1k
		*size = sizeof(napi->page_small);
		return &napi->page_small;
#else
		/* No 1K cache (6.14+): an empty range inside the napi struct. */
		*size = 0;
		return napi;
#endif
	}
}

FS_GLUE_FN void FS_GLUE(pcpu_view)(unsigned int cpu, enum fs_pcpu_cache which,
				   struct fs_cache_view *v)
{
	struct napi_alloc_cache *napi = per_cpu_ptr(&napi_alloc_cache, cpu);

	switch (which) {
	case FS_PCPU_NETDEV:
		FS_GLUE(view)(per_cpu_ptr(&netdev_alloc_cache, cpu), v);
		return;
	case FS_PCPU_NAPI:
		FS_GLUE(view)(&napi->page, v);
		return;
	default:
		break;
	}
	memset(v, 0, sizeof(*v));
#if defined(FS_HAVE_page_frag_alloc_1k) && NAPI_HAS_SMALL_PAGE_FRAG
	/* No bias: the page holds one reference per 1K slot not yet given. */
	if (napi->page_small.va) {
		v->va = napi->page_small.va;
		v->offset = napi->page_small.offset;
		v->bias = napi->page_small.offset / SZ_1K;
		v->size = PAGE_SIZE;
		v->pfmemalloc = napi->page_small.pfmemalloc;
		v->weak = true;
	}
#endif
}

FS_GLUE_FN void FS_GLUE(pcpu_drain)(unsigned int cpu)
{
	struct napi_alloc_cache *napi = per_cpu_ptr(&napi_alloc_cache, cpu);

	FS_GLUE(drain)(per_cpu_ptr(&netdev_alloc_cache, cpu));
	FS_GLUE(drain)(&napi->page);
#if defined(FS_HAVE_page_frag_alloc_1k) && NAPI_HAS_SMALL_PAGE_FRAG
	if (napi->page_small.va && napi->page_small.offset >= SZ_1K)
		__page_frag_cache_drain(virt_to_head_page(napi->page_small.va),
					napi->page_small.offset / SZ_1K);
	napi->page_small.va = NULL;
	napi->page_small.offset = 0;
#endif
}
#endif /* FS_HAVE_NET */

static const struct fs_kfunc FS_GLUE(kfuncs)[] = { FS_KFUNCS };

const struct fs_target FS_CAT(fs_target_, FS_TARGET_ID) = {
	.name = FS_TARGET_NAME,
	.release = FS_KERNEL_RELEASE,
	.tree = FS_KERNEL_TREE,
	.layout = FS_LAYOUT,
	.build_id = FS_BUILD_ID,
	.zoo = FS_ZOO,
	.cache_size = sizeof(struct page_frag_cache),
	.cache_init = FS_GLUE(cache_init),
	.alloc = FS_GLUE(alloc),
	.free = FS_GLUE(free),
	.drain = FS_GLUE(drain),
	.view = FS_GLUE(view),
	.fn_alloc = "page_frag_alloc",
	.fn_alloc_align = "page_frag_alloc_align",
	.fn_free = "page_frag_free",
#ifdef FS_HAVE_page_frag_cache_drain
	.fn_drain = "page_frag_cache_drain",
#else
	.fn_drain = "__page_frag_cache_drain",
#endif
	.sym_prefix = "fs_" __stringify(FS_TARGET_ID) "_",
	.kfuncs = FS_GLUE(kfuncs),
	.nr_kfuncs = sizeof(FS_GLUE(kfuncs)) / sizeof(FS_GLUE(kfuncs)[0]),
	.ring_page = FS_GLUE(ring_page),
	.page_drain = FS_GLUE(page_drain),
#ifdef FS_HAVE_NET
	.netdev_alloc = FS_GLUE(netdev_alloc),
	.napi_alloc = FS_GLUE(napi_alloc),
#ifdef FS_HAVE_page_frag_alloc_1k
	.napi_alloc_1k = FS_GLUE(napi_alloc_1k),
#endif
	.pcpu_cache = FS_GLUE(pcpu_cache),
	.pcpu_view = FS_GLUE(pcpu_view),
	.pcpu_drain = FS_GLUE(pcpu_drain),
	.fn_netdev = "__netdev_alloc_frag_align",
#ifdef FS_HAVE_skb_free_frag
	.free_net = FS_GLUE(free_net),
#endif
	.fn_napi = "__napi_alloc_frag_align",
#endif
};
