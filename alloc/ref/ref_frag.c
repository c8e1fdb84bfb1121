// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim's reference page fragment cache, written from the documented
 * semantics (Documentation/vm/page_frags, the kernel-doc of the API,
 * known-bugs.md 1.1 and 1.2 and docs/invariants.md), not from kernel code:
 *
 *  - a cache holds one page, preferably a 32K compound page asked for
 *    without reclaim, retries or reserves; else one page with the caller's
 *    gfp;
 *  - it pre-charges the page with enough references for every fragment it
 *    can ever hand out plus one of its own, and keeps the unused part as a
 *    bias, so handing out a fragment touches no atomic;
 *  - when a request does not fit the rest of the page the cache drops its
 *    bias; if that was the last reference the page is reused in place,
 *    unless it came from the memalloc reserves, which must go back to the
 *    allocator; otherwise the cache gets a new page;
 *  - only then does a request larger than the page the cache could get
 *    fail with NULL; after reusing a page in place for it, the cursor
 *    stays where it was.
 *
 * Two modes share all of that and differ in where fragments are carved:
 *
 *  - count-down (v4.2 .. v6.12, the "ref" target): from the end of the
 *    page towards its start, the start of each rounded down to the
 *    requested alignment;
 *  - count-up (v6.13+, the oracle of encoded-layout targets): from the
 *    start of the page towards its end, the start of each rounded up to
 *    the requested alignment.  It keeps what the documentation promises,
 *    not the v6.13 regression (known-bugs.md Z-5) that refuses an
 *    oversize request before trying to recycle or refill.
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
	unsigned int cursor;	/* count-down: start of the last fragment;
				 * count-up: end of the last fragment */
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

/* The cursor of a page nothing has been carved from yet. */
static void ref_rewind(struct ref_cache *c, bool up)
{
	c->cursor = up ? 0 : c->size;
}

static bool ref_refill(struct ref_cache *c, fs_gfp_t gfp, bool up)
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
	ref_rewind(c, up);
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

/*
 * Does @fragsz fit the rest of the page at @align?  Where it would start
 * goes to *@start.  The arithmetic is wide: no request wraps around.
 */
static bool ref_fits(const struct ref_cache *c, unsigned int fragsz,
		     unsigned int align, bool up, unsigned int *start)
{
	unsigned long mask = align > 1 ? align - 1ul : 0;
	unsigned long at;

	if (up) {
		at = (c->cursor + mask) & ~mask;
		*start = (unsigned int)at;
		return at + fragsz <= c->size;
	}
	if (c->cursor < fragsz)
		return false;
	*start = (unsigned int)((c->cursor - fragsz) & ~mask);
	return true;
}

/*
 * The request does not fit the rest of the page: reuse the page in place
 * or get a new one; false if there is none that @fragsz fits.
 */
static bool ref_renew(struct ref_cache *c, unsigned int fragsz, fs_gfp_t gfp,
		      bool up)
{
	if (ref_recycle(c)) {
		/*
		 * Reused in place; a request larger than the page fails
		 * without moving the cursor, so the rest of the page still
		 * serves smaller requests.
		 */
		if (c->size < fragsz)
			return false;
		ref_rewind(c, up);
		return true;
	}
	return ref_refill(c, gfp, up) && fragsz <= c->size;
}

static void *ref_alloc(struct ref_cache *c, unsigned int fragsz, fs_gfp_t gfp,
		       unsigned int align, bool up)
{
	unsigned int start;

	if (!c->va && !ref_refill(c, gfp, up))
		return NULL;
	if (!ref_fits(c, fragsz, align, up, &start) &&
	    (!ref_renew(c, fragsz, gfp, up) ||
	     !ref_fits(c, fragsz, align, up, &start)))
		return NULL;
	c->cursor = up ? start + fragsz : start;
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

static void ref_view(const struct ref_cache *c, struct fs_cache_view *v,
		     bool up)
{
	memset(v, 0, sizeof(*v));
	v->va = c->va;
	v->bias = c->bias;
	v->offset = c->cursor;
	v->size = c->size;
	v->pfmemalloc = c->pfmemalloc;
	v->count_up = up;
}

/* The two modes' entry points. */
static void *ref_alloc_down(void *nc, unsigned int fragsz, fs_gfp_t gfp,
			    unsigned int align)
{
	return ref_alloc(nc, fragsz, gfp, align, false);
}

static void *ref_alloc_up(void *nc, unsigned int fragsz, fs_gfp_t gfp,
			  unsigned int align)
{
	return ref_alloc(nc, fragsz, gfp, align, true);
}

static void ref_view_down(const void *nc, struct fs_cache_view *v)
{
	ref_view(nc, v, false);
}

static void ref_view_up(const void *nc, struct fs_cache_view *v)
{
	ref_view(nc, v, true);
}

/* What both modes' target tables share. */
#define REF_TARGET_COMMON						\
	.release = "fragsim reference model",				\
	.tree = "",							\
	.zoo = "",							\
	.cache_size = sizeof(struct ref_cache),				\
	.cache_init = ref_init,						\
	.free = ref_free,						\
	.drain = ref_drain,						\
	.fn_alloc = "ref_alloc",					\
	.fn_alloc_align = "ref_alloc",					\
	.fn_free = "ref_free",						\
	.fn_drain = "ref_drain"

/* The "ref" target: the count-down model (and the classic layouts' oracle). */
const struct fs_target fs_target_ref = {
	REF_TARGET_COMMON,
	.name = "ref",
	.layout = "ref",
	.build_id = "ref-1",
	.alloc = ref_alloc_down,
	.view = ref_view_down,
};

/* The encoded layouts' oracle; not a target of its own. */
const struct fs_target fs_target_ref_count_up = {
	REF_TARGET_COMMON,
	.name = "ref-count-up",
	.layout = "ref-count-up",
	.build_id = "ref-count-up-1",
	.alloc = ref_alloc_up,
	.view = ref_view_up,
};
