// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow model.
 *
 * For every page the checker keeps what it believes: how many live
 * fragments are charged to it, which cache holds it, and the last events
 * on it.  Page events arrive while the code under test runs and are judged
 * on the spot where the event alone is wrong (a refcount going negative, a
 * set_page_count() over live references, a free of a referenced page).
 * The refcount equation needs the cache's bias, which is only meaningful
 * between operations, so it is checked at quiescent points for every page
 * the operation touched and every cache's page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "check.h"
#include "check_internal.h"

static struct fs_check *installed;

struct fs_check *fs_check_create(struct fs_arena *arena,
				 const struct fs_target *target,
				 fs_check_stop_t stop, void *stop_ctx)
{
	struct fs_check *c = fs_xcalloc(1, sizeof(*c));

	c->arena = arena;
	c->target = target;
	c->stop = stop;
	c->stop_ctx = stop_ctx;
	c->nr_pfns = fs_arena_nr_pfns(arena);
	c->pages = fs_xcalloc(c->nr_pfns, sizeof(*c->pages));
	c->dirty = fs_xcalloc(c->nr_pfns, sizeof(*c->dirty));
	c->touched = fs_xcalloc(c->nr_pfns, sizeof(*c->touched));
	return c;
}

void fs_check_destroy(struct fs_check *c)
{
	if (!c)
		return;
	if (installed == c)
		fs_check_uninstall();
	for (unsigned long i = 0; i < c->nr_pfns; i++)
		free(c->pages[i].bits);
	free(c->pages);
	free(c->dirty);
	free(c->touched);
	free(c->frags);
	fs_buf_free(&c->finding.report);
	fs_buf_free(&c->notes);
	free(c);
}

static void forget_page(struct fs_check *c, unsigned long pfn)
{
	struct fs_page_shadow *s = &c->pages[pfn];
	uint64_t *bits = s->bits;
	uint32_t words = s->bits_words;

	memset(s, 0, sizeof(*s));
	if (bits)
		memset(bits, 0, words * sizeof(*bits));
	s->bits = bits;
	s->bits_words = words;
}

void fs_check_reset(struct fs_check *c, unsigned int nr_caches,
		    const char (*cache_names)[32])
{
	for (unsigned long i = 0; i < c->nr_dirty; i++)
		forget_page(c, c->dirty[i]);
	c->nr_dirty = 0;
	c->nr_touched = 0;
	c->nr_frags = 0;
	c->nr_caches = nr_caches;
	for (unsigned int i = 0; i < nr_caches && i < FS_CHECK_MAX_CACHES; i++) {
		snprintf(c->cache_names[i], sizeof(c->cache_names[i]), "%s",
			 cache_names[i]);
		c->cache_pfn[i] = FS_NO_PFN;
		memset(&c->views[i], 0, sizeof(c->views[i]));
	}
	c->finding.kind = FS_F_NONE;
	c->finding.title[0] = '\0';
	fs_buf_reset(&c->finding.report);
	fs_buf_reset(&c->notes);
	c->op_no = 0;
	c->in_teardown = false;
	c->tearing_down = false;
	c->noted_past_end = false;
	memset(c->cls, 0, sizeof(c->cls));
}

/* A page joins the dirty list (reset) and the touched list (this op). */
static struct fs_page_shadow *shadow(struct fs_check *c, unsigned long pfn)
{
	struct fs_page_shadow *s = &c->pages[pfn];

	if (!s->dirty) {
		s->dirty = 1;
		c->dirty[c->nr_dirty++] = (uint32_t)pfn;
	}
	if (!s->touched) {
		s->touched = 1;
		c->touched[c->nr_touched++] = (uint32_t)pfn;
	}
	return s;
}

static void history_add(struct fs_check *c, unsigned long pfn, uint8_t kind,
			int old, int new, unsigned int order, const char *fn)
{
	struct fs_page_shadow *s = shadow(c, pfn);
	struct fs_hist *h = &s->hist[s->hist_pos];

	h->op_no = c->op_no;
	h->kind = kind;
	h->old = old;
	h->new = new;
	h->order = (uint8_t)order;
	h->fn = fn;
	h->op_desc_line = c->op_line;
	s->hist_pos = (s->hist_pos + 1) % FS_HIST;
	if (s->hist_len < FS_HIST)
		s->hist_len++;
}

static unsigned long head_pfn_of(const struct fs_check *c, unsigned long pfn)
{
	unsigned long head = pfn;

	fs_arena_classify(c->arena, fs_arena_pfn_va(c->arena, pfn), NULL, &head);
	return head;
}

static void on_alloc(struct fs_check *c, const struct fs_page_event *ev)
{
	struct fs_page_shadow *s = shadow(c, ev->pfn);
	uint32_t words = (uint32_t)((FS_PAGE_SIZE << ev->order) / 8 / 8);

	s->live = 0;
	s->pfmemalloc = ev->pfmemalloc;
	s->alloc_op = c->op_no;
	if (s->bits_words < words) {
		free(s->bits);
		s->bits = fs_xcalloc(words, sizeof(*s->bits));
		s->bits_words = words;
	} else if (s->bits) {
		memset(s->bits, 0, s->bits_words * sizeof(*s->bits));
	}
}

static void on_free(struct fs_check *c, const struct fs_page_event *ev)
{
	struct fs_page_shadow *s = &c->pages[ev->pfn];

	if (ev->state != FS_PAGE_HEAD)
		fs_check_raise(c, FS_F_BAD_FREE, ev->pfn, FS_NO_FRAG,
			       "%s() of pfn 0x%lx, which is %s",
			       ev->fn, ev->pfn, fs_page_state_name(ev->state));
	if (ev->order != ev->alloc_order)
		fs_check_raise(c, FS_F_BAD_FREE_ORDER, ev->pfn, FS_NO_FRAG,
			       "%s(page, order %u) of pfn 0x%lx, an order-%u %s block: %lu page(s) %s",
			       ev->fn, ev->order, ev->pfn, ev->alloc_order,
			       ev->compound ? "compound" : "non-compound",
			       ev->order < ev->alloc_order ?
			       (1ul << ev->alloc_order) - (1ul << ev->order) :
			       (1ul << ev->order) - (1ul << ev->alloc_order),
			       ev->order < ev->alloc_order ? "leaked" :
			       "freed that were never allocated");
	if (ev->old != 0)
		fs_check_raise(c, FS_F_BAD_PAGE_STATE, ev->pfn, FS_NO_FRAG,
			       "%s() of pfn 0x%lx with refcount %d",
			       ev->fn, ev->pfn, ev->old);
	if (s->live)
		fs_check_raise(c, FS_F_PAGE_FREED_LIVE_FRAGS, ev->pfn, FS_NO_FRAG,
			       "%s() of pfn 0x%lx while %u fragment(s) on it are live",
			       ev->fn, ev->pfn, s->live);
}

/*
 * An atomic set over a count that holds only the cache's own references
 * (its bias) loses nothing; anything more was someone else's (Z-6).
 */
static bool own_refs_only(struct fs_check *c, const struct fs_page_event *ev)
{
	const struct fs_page_shadow *s = &c->pages[ev->pfn];
	struct fs_cache_view v;

	if (!c->viewer || s->live || s->foreign)
		return false;
	for (unsigned int i = 0; i < c->nr_caches; i++) {
		unsigned long pfn, head;

		c->viewer(c->viewer_ctx, i, &v);
		if (v.va && fs_arena_classify(c->arena, v.va, &pfn, &head) ==
			    FS_PAGE_HEAD && head == ev->pfn)
			return (long)v.bias == ev->old;
	}
	return false;
}

static void on_ref(struct fs_check *c, const struct fs_page_event *ev)
{
	if (ev->state == FS_PAGE_FREE || ev->state == FS_PAGE_REDZONE)
		fs_check_raise(c, FS_F_REF_ON_FREE_PAGE, ev->pfn, FS_NO_FRAG,
			       "%s() on pfn 0x%lx, which is %s (refcount %d -> %d)",
			       ev->fn, ev->pfn, fs_page_state_name(ev->state),
			       ev->old, ev->new);
	if (ev->new < 0)
		fs_check_raise(c, FS_F_REFCOUNT_UNDERFLOW, ev->pfn, FS_NO_FRAG,
			       "%s() took pfn 0x%lx from %d to %d",
			       ev->fn, ev->pfn, ev->old, ev->new);
	if (ev->kind != FS_PEV_REF_SET)
		return;
	if (ev->old != 0 && !own_refs_only(c, ev))
		fs_check_raise(c, FS_F_SET_COUNT_REFERENCED, ev->pfn, FS_NO_FRAG,
			       "set_page_count(%d) on pfn 0x%lx whose refcount is %d: %u reference(s) of others overwritten (%u live fragment(s), %u held by other code such as a speculative get_page_unless_zero())",
			       ev->new, ev->pfn, ev->old,
			       c->pages[ev->pfn].live + c->pages[ev->pfn].foreign,
			       c->pages[ev->pfn].live, c->pages[ev->pfn].foreign);
	if (c->pages[ev->pfn].pfmemalloc)
		fs_check_raise(c, FS_F_PFMEMALLOC_RECYCLED, ev->pfn, FS_NO_FRAG,
			       "pfn 0x%lx came from the memalloc reserves and is being reused in place (set_page_count(%d))",
			       ev->pfn, ev->new);
}

static void page_event(void *ctx, const struct fs_page_event *ev)
{
	struct fs_check *c = ctx;

	if (ev->kind == FS_PEV_BAD_ADDR)
		fs_check_raise(c, FS_F_WILD_ADDRESS, FS_NO_PFN, FS_NO_FRAG,
			       "%s(%016lx): not an address of the page allocator's memory",
			       ev->fn, fs_kaddr(c->arena, ev->addr));
	if ((ev->kind == FS_PEV_ALLOC || ev->kind == FS_PEV_ALLOC_FAIL) &&
	    ++c->op_page_allocs > FS_LIVELOCK_ALLOCS) {
		char plan[64];

		fs_faults_format(fs_arena_faults(c->arena), plan, sizeof(plan));
		fs_check_raise(c, FS_F_LIVELOCK, ev->page ? ev->pfn : FS_NO_PFN,
			       FS_NO_FRAG,
			       "%s() asked the page allocator for more than %d pages (last: order %u, %s) without returning: it retries for as long as the fault plan (%s) holds",
			       c->kernel_fn ? c->kernel_fn : "?", FS_LIVELOCK_ALLOCS,
			       ev->order, ev->kind == FS_PEV_ALLOC ?
			       (ev->pfmemalloc ? "a pfmemalloc page" : "a page") : "refused",
			       plan);
	}
	if (ev->kind == FS_PEV_ALLOC_FAIL)
		return;
	history_add(c, ev->pfn, (uint8_t)ev->kind, ev->old, ev->new,
		    ev->order, ev->fn);
	switch (ev->kind) {
	case FS_PEV_ALLOC:
		on_alloc(c, ev);
		break;
	case FS_PEV_FREE:
		on_free(c, ev);
		break;
	default:
		on_ref(c, ev);
		break;
	}
}

static void kernel_report(void *ctx, const struct fs_kernel_report *r)
{
	struct fs_check *c = ctx;
	unsigned long pfn = r->page ? fs_page_pfn(r->page) : FS_NO_PFN;
	bool bug = !strcmp(r->kind, "BUG");

	c->kernel_file = r->file;
	c->kernel_line = r->line;
	c->kernel_func = r->func;
	fs_check_raise(c, bug ? FS_F_KERNEL_BUG : FS_F_KERNEL_WARNING, pfn,
		       FS_NO_FRAG, "%s at %s:%d in %s(): %s",
		       bug ? "kernel BUG" : "WARNING", r->file, r->line,
		       r->func, r->cond);
}

static void spin(void *ctx, const char *file, int line)
{
	struct fs_check *c = ctx;

	if (++c->op_spins > FS_LIVELOCK_SPINS)
		fs_check_raise(c, FS_F_LIVELOCK, FS_NO_PFN, FS_NO_FRAG,
			       "%s() spun in cpu_relax() at %s:%d %d times without returning (each spin offered the other CPUs a turn): nothing ends the wait",
			       c->kernel_fn ? c->kernel_fn : "?", file, line,
			       FS_LIVELOCK_SPINS);
}

void fs_check_stuck(struct fs_check *c, uint32_t points)
{
	fs_check_raise(c, FS_F_LIVELOCK, FS_NO_PFN, FS_NO_FRAG,
		       "%s() made %u memory accesses without returning: it loops on state nothing changes",
		       c->kernel_fn ? c->kernel_fn : "?", points);
}

void fs_check_hang(struct fs_check *c, unsigned int ms)
{
	fs_check_raise(c, FS_F_LIVELOCK, FS_NO_PFN, FS_NO_FRAG,
		       "%s() ran for over %u ms of CPU time without returning or touching memory (a call takes microseconds): it loops on values in registers",
		       c->kernel_fn ? c->kernel_fn : "?", ms);
}

void fs_check_set_payload(struct fs_check *c, bool on)
{
	c->no_payload = !on;
}

void fs_check_install(struct fs_check *c)
{
	installed = c;
	fs_shim_hooks.page_event = page_event;
	fs_shim_hooks.kernel_report = kernel_report;
	fs_shim_hooks.spin = spin;
	fs_shim_hooks.ctx = c;
}

void fs_check_uninstall(void)
{
	installed = NULL;
	memset(&fs_shim_hooks, 0, sizeof(fs_shim_hooks));
}

void fs_check_set_describer(struct fs_check *c, fs_check_describe_t fn,
			    void *ctx)
{
	c->describe = fn;
	c->describe_ctx = ctx;
}

void fs_check_op_begin(struct fs_check *c, uint64_t op_no, unsigned int line,
		       const void *op, const char *kernel_fn)
{
	c->op_no = op_no;
	c->op_page_allocs = 0;
	c->op_spins = 0;
	c->op_line = line;
	c->op = op;
	c->kernel_fn = kernel_fn;
	c->kernel_file = NULL;
}

/* Which cache holds head pfn @pfn, or -1. */
static int cache_of(const struct fs_check *c, unsigned long pfn)
{
	for (unsigned int i = 0; i < c->nr_caches; i++)
		if (c->cache_pfn[i] == pfn)
			return (int)i;
	return -1;
}

static unsigned long view_pfn(const struct fs_check *c,
			      const struct fs_cache_view *v)
{
	unsigned long pfn, head;

	if (!v->va)
		return FS_NO_PFN;
	if (fs_arena_classify(c->arena, v->va, &pfn, &head) == FS_PAGE_OUTSIDE)
		return FS_NO_PFN;
	return head;
}

static void check_cache(struct fs_check *c, unsigned int i)
{
	const struct fs_cache_view *v = &c->views[i];
	unsigned long pfn = c->cache_pfn[i];
	enum fs_page_state st;

	/* The 1K cache holds no reference once its last slot is given. */
	if (!v->va || v->weak)
		return;
	if (pfn == FS_NO_PFN)
		fs_check_raise(c, FS_F_WILD_ADDRESS, FS_NO_PFN, FS_NO_FRAG,
			       "cache %s points to %016lx, outside the page allocator's memory",
			       c->cache_names[i], fs_kaddr(c->arena, v->va));
	st = fs_page_state(fs_arena_page(c->arena, pfn));
	if (st != FS_PAGE_HEAD)
		fs_check_raise(c, FS_F_CACHED_PAGE_FREED, pfn, FS_NO_FRAG,
			       "cache %s still points to pfn 0x%lx, which is %s",
			       c->cache_names[i], pfn, fs_page_state_name(st));
	if (v->bias == 0)
		fs_check_raise(c, FS_F_CACHE_LOST_OWN_REF, pfn, FS_NO_FRAG,
			       "cache %s holds pfn 0x%lx with pagecnt_bias 0: the cache's own reference is gone, the last fragment's free will free the cached page",
			       c->cache_names[i], pfn);
	if (v->pfmemalloc != c->pages[pfn].pfmemalloc)
		fs_check_raise(c, FS_F_PFMEMALLOC_MISREPORTED, pfn, FS_NO_FRAG,
			       "cache %s reports pfmemalloc=%d for pfn 0x%lx, which %s from the reserves",
			       c->cache_names[i], v->pfmemalloc, pfn,
			       c->pages[pfn].pfmemalloc ? "came" : "did not come");
}

static void check_page(struct fs_check *c, unsigned long pfn)
{
	const struct fs_page_shadow *s = &c->pages[pfn];
	struct page *page = fs_arena_page(c->arena, pfn);
	int cache = cache_of(c, pfn);
	long bias = cache >= 0 ? (long)c->views[cache].bias : 0;
	long expect, count;

	if (fs_page_state(page) != FS_PAGE_HEAD)
		return;		/* free pages were judged when freed */
	count = fs_page_count(page);
	expect = bias + s->live + s->foreign;
	if (count != expect)
		fs_check_raise(c, FS_F_REFCOUNT_MISMATCH, pfn, FS_NO_FRAG,
			       "pfn 0x%lx has refcount %ld, the shadow model expects %ld (cache bias %ld + %u live fragment(s) + %u other holder(s)): %ld reference(s) %s",
			       pfn, count, expect, bias, s->live, s->foreign,
			       count > expect ? count - expect : expect - count,
			       count > expect ? "too many (a leak)" :
			       "missing (a premature free to come)");
}

void fs_check_quiescent(struct fs_check *c, const struct fs_cache_view *views)
{
	for (unsigned int i = 0; i < c->nr_caches; i++) {
		unsigned long old = c->cache_pfn[i];

		c->views[i] = views[i];
		/* A 1K cache with no slot left holds nothing: its va dangles. */
		c->cache_pfn[i] = views[i].weak && !views[i].bias ? FS_NO_PFN :
				  view_pfn(c, &views[i]);
		if (old != FS_NO_PFN)
			shadow(c, old);
		if (c->cache_pfn[i] != FS_NO_PFN)
			shadow(c, c->cache_pfn[i]);
	}
	for (unsigned int i = 0; i < c->nr_caches; i++)
		check_cache(c, i);
	for (uint32_t i = 0; i < c->nr_touched; i++)
		check_page(c, head_pfn_of(c, c->touched[i]));
	for (uint32_t i = 0; i < c->nr_touched; i++)
		c->pages[c->touched[i]].touched = 0;
	c->nr_touched = 0;
}

void fs_check_op_save(const struct fs_check *c, struct fs_check_opstate *s)
{
	s->op_no = c->op_no;
	s->line = c->op_line;
	s->op = c->op;
	s->kernel_fn = c->kernel_fn;
	s->page_allocs = c->op_page_allocs;
	s->spins = c->op_spins;
}

void fs_check_op_restore(struct fs_check *c, const struct fs_check_opstate *s)
{
	c->op_no = s->op_no;
	c->op_line = s->line;
	c->op = s->op;
	c->kernel_fn = s->kernel_fn;
	c->op_page_allocs = s->page_allocs;
	c->op_spins = s->spins;
}

void fs_check_set_viewer(struct fs_check *c, fs_check_viewer_t fn, void *ctx)
{
	c->viewer = fn;
	c->viewer_ctx = ctx;
}

void fs_check_set_symbolizer(struct fs_check *c,
			     void (*fn)(const void *pc, char *buf, size_t len))
{
	c->symbolize = fn;
}

void fs_check_foreign(struct fs_check *c, void *va, int delta)
{
	unsigned long pfn, head;

	if (fs_arena_classify(c->arena, va, &pfn, &head) != FS_PAGE_HEAD)
		return;
	shadow(c, head)->foreign += delta;
}

void fs_check_teardown_begin(struct fs_check *c)
{
	c->tearing_down = true;
	c->teardown_after = c->op_no;
}

void fs_check_teardown(struct fs_check *c)
{
	unsigned long pfn = fs_arena_next_head(c->arena, 0);

	c->in_teardown = true;
	if (pfn == ~0ul)
		return;
	fs_check_raise(c, FS_F_PAGE_LEAK, pfn, FS_NO_FRAG,
		       "pfn 0x%lx (order %u, refcount %d) is still allocated after every fragment was freed and every cache drained; %lu block(s) leaked in all",
		       pfn, fs_page_order(fs_arena_page(c->arena, pfn)),
		       fs_page_count(fs_arena_page(c->arena, pfn)),
		       fs_arena_nr_allocated(c->arena));
}

const struct fs_finding *fs_check_finding(const struct fs_check *c)
{
	return c->finding.kind == FS_F_NONE ? NULL : &c->finding;
}

void fs_check_note(struct fs_check *c, const char *fmt, ...)
{
	va_list ap;
	char line[256];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fs_buf_printf(&c->notes, "%s", line);
}

const char *fs_check_notes(const struct fs_check *c)
{
	return c->notes.len ? c->notes.s : "";
}

void fs_check_fail(struct fs_check *c, enum fs_finding_kind k,
		   const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fs_check_raise(c, k, FS_NO_PFN, FS_NO_FRAG, "%s", detail);
}

/* Fragment table growth, shared with frags.c. */
struct fs_frag *fs_check_new_frag(struct fs_check *c, uint32_t *id)
{
	c->frags = fs_grow(c->frags, c->nr_frags, &c->cap_frags,
			   sizeof(*c->frags), 1024);
	*id = c->nr_frags;
	memset(&c->frags[c->nr_frags], 0, sizeof(c->frags[0]));
	return &c->frags[c->nr_frags++];
}

struct fs_page_shadow *fs_check_shadow(struct fs_check *c, unsigned long pfn)
{
	return shadow(c, pfn);
}
