// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim's reference page fragment cache, written from the documented
 * semantics (Documentation/vm/page_frags, the kernel-doc of the API and
 * docs/reference-model.md), not from kernel code:
 *
 *  - a cache holds one page, preferably a 32K compound page asked for
 *    without reclaim, retries or reserves; else one page with the caller's
 *    gfp;
 *  - it pre-charges the page with enough references for every fragment it
 *    can ever hand out plus one of its own, and keeps the unused part as a
 *    bias, so handing out a fragment touches no atomic;
 *  - fragments are carved from the end of the page towards its start, and
 *    the start of each is rounded down to the requested alignment;
 *  - when the page is exhausted the cache drops its bias; if that was the
 *    last reference the page is reused in place, unless it came from the
 *    memalloc reserves, which must go back to the allocator;
 *  - a request larger than the page the cache could get fails with NULL;
 *    after reusing a page in place for it, the cursor stays where it was.
 *
 * It is the embedded default target and the differential oracle, and it
 * runs on the same page arena as the kernel targets.
 */
#include <stdbool.h>
#include <string.h>

#include <fragsim/kshim.h>
#include <fragsim/target.h>

#define REF_MAX_ORDER	3
#define REF_MAX_SIZE	(FS_PAGE_SIZE << REF_MAX_ORDER)
#define REF_FULL_BIAS	(REF_MAX_SIZE + 1)

struct ref_cache {
	unsigned char *va;
	unsigned int size;	/* usable bytes in the page */
	unsigned int left;	/* start of the last fragment */
	unsigned int bias;	/* references held but not handed out */
	bool pfmemalloc;
};

static struct page *ref_head(const void *va)
{
	struct page *page = fs_virt_to_page(va, "virt_to_head_page");
	unsigned long pfn = fs_page_pfn(page);
	unsigned long head;

	if (fs_arena_classify(fs_arena_cur, fs_arena_pfn_va(fs_arena_cur, pfn),
			      NULL, &head) == FS_PAGE_TAIL)
		return fs_arena_page(fs_arena_cur, head);
	return page;
}

static void ref_release(struct page *page, unsigned int nr, const char *fn)
{
	if (fs_page_ref_sub_return(page, (int)nr, fn) == 0)
		fs_page_free(page, fs_page_order(page), fn);
}

static bool ref_refill(struct ref_cache *c, fs_gfp_t gfp)
{
	fs_gfp_t big = (gfp & ~FS_GFP_DIRECT_RECLAIM) | FS_GFP_COMP |
		       FS_GFP_NOWARN | FS_GFP_NORETRY | FS_GFP_NOMEMALLOC;
	struct page *page = fs_page_alloc(REF_MAX_ORDER, big, "alloc_pages_node");

	c->size = REF_MAX_SIZE;
	if (!page) {
		page = fs_page_alloc(0, gfp, "alloc_pages_node");
		c->size = FS_PAGE_SIZE;
	}
	if (!page) {
		c->va = NULL;
		return false;
	}
	c->va = fs_page_address(page);
	fs_page_ref_add_return(page, REF_MAX_SIZE, "page_ref_add");
	c->bias = REF_FULL_BIAS;
	c->pfmemalloc = fs_page_pfmemalloc(page);
	c->left = c->size;
	return true;
}

/* The page is exhausted: reuse it in place if nobody else holds it. */
static bool ref_recycle(struct ref_cache *c)
{
	struct page *page = ref_head(c->va);

	if (fs_page_ref_sub_return(page, (int)c->bias, "page_ref_sub_and_test"))
		return false;		/* fragments live on: abandon it */
	if (c->pfmemalloc) {
		fs_page_free(page, fs_page_order(page), "free_unref_page");
		return false;
	}
	fs_page_ref_set(page, REF_FULL_BIAS, "set_page_count");
	c->bias = REF_FULL_BIAS;
	return true;
}

static void *ref_alloc(void *nc, unsigned int fragsz, fs_gfp_t gfp,
		       unsigned int align)
{
	struct ref_cache *c = nc;
	unsigned int start;

	if (!c->va && !ref_refill(c, gfp))
		return NULL;
	if (c->left < fragsz) {
		if (ref_recycle(c)) {
			/*
			 * Reused in place; a request larger than the page
			 * fails without moving the cursor, so the rest of
			 * the page still serves smaller requests.
			 */
			if (c->size < fragsz)
				return NULL;
			c->left = c->size;
		} else if (!ref_refill(c, gfp) || c->left < fragsz) {
			return NULL;	/* larger than the page we could get */
		}
	}
	start = c->left - fragsz;
	if (align > 1)
		start &= ~(align - 1);
	c->left = start;
	c->bias--;
	return c->va + start;
}

static void ref_free(void *va)
{
	ref_release(ref_head(va), 1, "put_page_testzero");
}

static void ref_drain(void *nc)
{
	struct ref_cache *c = nc;

	if (!c->va)
		return;
	ref_release(ref_head(c->va), c->bias, "page_ref_sub_and_test");
	c->va = NULL;
}

static void ref_init(void *nc)
{
	memset(nc, 0, sizeof(struct ref_cache));
}

static void ref_view(const void *nc, struct fs_cache_view *v)
{
	const struct ref_cache *c = nc;

	memset(v, 0, sizeof(*v));
	v->va = c->va;
	v->bias = c->bias;
	v->offset = c->left;
	v->size = c->size;
	v->pfmemalloc = c->pfmemalloc;
}

const struct fs_target fs_target_ref = {
	.name = "ref",
	.release = "fragsim reference model",
	.tree = "",
	.layout = "ref",
	.build_id = "ref-1",
	.zoo = "",
	.cache_size = sizeof(struct ref_cache),
	.cache_init = ref_init,
	.alloc = ref_alloc,
	.free = ref_free,
	.drain = ref_drain,
	.view = ref_view,
	.fn_alloc = "ref_alloc",
	.fn_alloc_align = "ref_alloc",
	.fn_free = "ref_free",
	.fn_drain = "ref_drain",
};
