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

const struct fs_target FS_CAT(fs_target_, FS_TARGET_ID) = {
	.name = FS_TARGET_NAME,
	.release = FS_KERNEL_RELEASE,
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
};
