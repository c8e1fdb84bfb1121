// SPDX-License-Identifier: GPL-2.0
/*
 * Fragment oracles: every fragment handed out lies inside the block it is
 * charged to, overlaps no live fragment and honours its alignment; only a
 * live fragment is freed, and its bytes are as its owner left them.
 *
 * Each block has a bitmap of the bytes live fragments own.  Each fragment
 * is filled with a pattern when it is handed out (the way a user writes
 * its buffer) and the pattern is verified when it is freed.
 */
#include <stdio.h>
#include <string.h>

#include "check_internal.h"

/* Bits [from, from + len) of word @w, as a mask. */
static uint64_t word_mask(size_t w, size_t from, size_t len)
{
	size_t lo = w * 64 < from ? from - w * 64 : 0;
	size_t hi = (w + 1) * 64 > from + len ? from + len - w * 64 : 64;

	return (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
}

/*
 * Set bits [from, from + len), telling whether any was set already.  The
 * words between the two ends are whole: a loop the compiler vectorizes
 * (a fragment of a few KB spans dozens of words, on every allocation).
 */
static bool bits_set(uint64_t *bits, size_t from, size_t len)
{
	size_t w0 = from / 64, w1 = (from + len - 1) / 64;
	uint64_t any, m0 = word_mask(w0, from, len);

	any = bits[w0] & m0;
	bits[w0] |= m0;
	if (w1 == w0)
		return any;
	for (size_t w = w0 + 1; w < w1; w++) {
		any |= bits[w];
		bits[w] = ~0ull;
	}
	m0 = word_mask(w1, from, len);
	any |= bits[w1] & m0;
	bits[w1] |= m0;
	return any;
}

static void bits_clear(uint64_t *bits, size_t from, size_t len)
{
	size_t w0 = from / 64, w1 = (from + len - 1) / 64;

	bits[w0] &= ~word_mask(w0, from, len);
	if (w1 == w0)
		return;
	memset(&bits[w0 + 1], 0, (w1 - w0 - 1) * sizeof(*bits));
	bits[w1] &= ~word_mask(w1, from, len);
}

static uint32_t find_overlap(const struct fs_check *c, unsigned long pfn,
			     const unsigned char *va, uint32_t size)
{
	for (uint32_t i = c->nr_frags; i-- > 0;) {
		const struct fs_frag *f = &c->frags[i];

		if (f->live && f->pfn == pfn && f->size &&
		    f->va < va + size && va < f->va + f->size)
			return i;
	}
	return FS_NO_FRAG;
}

static void check_bounds(struct fs_check *c, unsigned long pfn,
			 const unsigned char *va, uint32_t size, uint32_t id)
{
	const unsigned char *start = fs_arena_pfn_va(c->arena, pfn);
	size_t len = FS_PAGE_SIZE << fs_page_order(fs_arena_page(c->arena, pfn));
	const unsigned char *end = start + len;

	if (va >= start && va <= end && (size_t)(end - va) >= size)
		return;
	if (va < start)
		fs_check_raise(c, FS_F_FRAG_OUT_OF_BOUNDS, pfn, id,
			       "fragment [%016lx, +%u) starts %zu bytes before its %zu-byte block at %016lx (pfn 0x%lx)",
			       fs_kaddr(c->arena, va), size, (size_t)(start - va),
			       len, fs_kaddr(c->arena, start), pfn);
	fs_check_raise(c, FS_F_FRAG_OUT_OF_BOUNDS, pfn, id,
		       "fragment [%016lx, +%u) ends %zu bytes past its %zu-byte block at %016lx (pfn 0x%lx)",
		       fs_kaddr(c->arena, va), size,
		       (size_t)(va + size - end), len,
		       fs_kaddr(c->arena, start), pfn);
}

uint32_t fs_check_alloc_done(struct fs_check *c, unsigned int cache,
			     void *ptr, unsigned int size, unsigned int align,
			     const struct fs_cache_view *view)
{
	unsigned char *va = ptr;
	unsigned long pfn, head;
	struct fs_page_shadow *s;
	struct fs_frag *f;
	uint32_t id;

	f = fs_check_new_frag(c, &id);
	f->va = va;
	f->size = size;
	f->align = align;
	f->cache = (uint16_t)cache;
	f->alloc_op = c->op_no;
	f->alloc_line = c->op_line;
	f->pattern = (uint8_t)(0xa5 ^ (id * 0x3b));
	f->pfn = FS_NO_PFN;
	if (!view->va || fs_arena_classify(c->arena, view->va, &pfn, &head) !=
			 FS_PAGE_HEAD)
		fs_check_raise(c, FS_F_FRAG_OUT_OF_BOUNDS, FS_NO_PFN, id,
			       "a fragment at %016lx was returned but cache %s holds no page",
			       fs_kaddr(c->arena, va), c->cache_names[cache]);
	f->pfn = head;
	check_bounds(c, head, va, size, id);
	if (align > 1 && ((uintptr_t)va & (align - 1)))
		fs_check_raise(c, FS_F_FRAG_MISALIGNED, head, id,
			       "fragment %016lx of %u bytes is not aligned to %u (misaligned by %lu)",
			       fs_kaddr(c->arena, va), size, align,
			       (unsigned long)((uintptr_t)va & (align - 1)));
	s = fs_check_shadow(c, head);
	if (size) {
		size_t off = (size_t)(va - (unsigned char *)fs_arena_pfn_va(c->arena, head));

		/* Test and set in one pass: a conflict ends the run anyway. */
		if (bits_set(s->bits, off, size)) {
			uint32_t other = find_overlap(c, head, va, size);

			fs_check_raise(c, FS_F_FRAG_OVERLAP, head, id,
				       "fragment [%016lx, +%u) overlaps live fragment [%016lx, +%u) allocated at op #%llu",
				       fs_kaddr(c->arena, va), size,
				       other == FS_NO_FRAG ? 0ul : fs_kaddr(c->arena, c->frags[other].va),
				       other == FS_NO_FRAG ? 0u : c->frags[other].size,
				       other == FS_NO_FRAG ? 0ull :
				       (unsigned long long)c->frags[other].alloc_op);
		}
		if (!c->no_payload)
			memset(va, f->pattern, size);
	} else if (va == (unsigned char *)fs_arena_pfn_va(c->arena, head) +
		   (FS_PAGE_SIZE << fs_page_order(fs_arena_page(c->arena, head)))) {
		f->past_end = 1;
		if (!c->noted_past_end) {
			c->noted_past_end = true;
			fs_buf_printf(&c->notes,
				      "note: op #%llu: a zero-length fragment at %016lx points one past the end of its block (pfn 0x%lx); page_frag_free() of that address would drop a reference of the next page, so fragsim frees it through an address inside its block\n",
				      (unsigned long long)c->op_no,
				      fs_kaddr(c->arena, va), head);
		}
	}
	s->live++;
	f->live = 1;
	return id;
}

/*
 * Where the pattern was overwritten, or @n.  The common case, intact, is
 * one pass of whole words OR-ing the differences without a branch (it
 * vectorizes); only a changed fragment is searched byte by byte.  Not
 * ASan-checked: the fragment lies in its block (checked at allocation),
 * and a block the kernel freed too early is the checker's to report, not
 * an ASan report from inside the checker.  The check per word doubled a
 * fuzz run's cost of freeing.
 */
__attribute__((no_sanitize("address")))
static size_t first_changed(const unsigned char *p, size_t n, uint8_t pat)
{
	uint64_t word = 0x0101010101010101ull * pat, diff = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		diff |= v ^ word;
	}
	for (; i < n; i++)
		diff |= p[i] ^ pat;
	if (!diff)
		return n;
	for (i = 0; i < n; i++)
		if (p[i] != pat)
			return i;
	return n;
}

void *fs_check_free_begin(struct fs_check *c, uint32_t id)
{
	struct fs_frag *f = &c->frags[id];
	struct fs_page_shadow *s;
	size_t bad;

	if (!f->live)
		fs_check_raise(c, FS_F_DOUBLE_FREE, f->pfn, id,
			       "fragment %016lx was already freed at op #%llu",
			       fs_kaddr(c->arena, f->va),
			       (unsigned long long)f->free_op);
	bad = c->no_payload ? f->size : first_changed(f->va, f->size, f->pattern);
	if (bad < f->size)
		fs_check_raise(c, FS_F_FRAG_CORRUPTED, f->pfn, id,
			       "byte %zu of fragment [%016lx, +%u) was overwritten by someone else: 0x%02x, its owner wrote 0x%02x",
			       bad, fs_kaddr(c->arena, f->va), f->size,
			       f->va[bad], f->pattern);
	s = fs_check_shadow(c, f->pfn);
	if (f->size)
		bits_clear(s->bits, (size_t)(f->va - (unsigned char *)
				fs_arena_pfn_va(c->arena, f->pfn)), f->size);
	s->live--;
	f->live = 0;
	f->free_op = c->op_no;
	f->free_line = c->op_line;
	return f->past_end ? f->va - 1 : f->va;
}

unsigned int fs_check_frag_cache(const struct fs_check *c, uint32_t id)
{
	return id < c->nr_frags ? c->frags[id].cache : 0;
}

bool fs_check_frag_live(const struct fs_check *c, uint32_t id)
{
	return id < c->nr_frags && c->frags[id].live;
}

void *fs_check_frag_va(const struct fs_check *c, uint32_t id)
{
	return id < c->nr_frags && c->frags[id].live ? c->frags[id].va : NULL;
}
