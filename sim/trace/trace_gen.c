// SPDX-License-Identifier: GPL-2.0
/*
 * The random trace generator behind `fragsim run`.
 *
 * A trace is a sequence of phases, each a workload shape that drives the
 * allocator into one of its corners: streams of alloc/free pairs (page
 * recycling), bursts freed in random orders (abandoned pages), floods of
 * tiny fragments (bias exhaustion), sizes around PAGE_SIZE and the 32K
 * cache size (order-0 fallback, oversize requests), odd sizes with
 * alignment, drains, and fault plans switching on and off (pressure,
 * pfmemalloc pages).  Everything is a pure function of the seed.
 */
#include <stdio.h>
#include <string.h>

#include "trace.h"
#include "trace_gen.h"

#define MAX_LIVE	768

struct gen {
	struct fs_trace *t;
	uint64_t rng;
	uint32_t live[MAX_LIVE];	/* live named handles */
	uint32_t nr_live;
	uint32_t next_handle;
	uint32_t free_handles[MAX_LIVE * 2];
	uint32_t nr_free_handles;
	fs_faults_t faults;		/* plan in force at this point */
};

uint64_t fs_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)(fs_rng_next(&g->rng) % n) : 0;
}

static bool chance(struct gen *g, unsigned int pct)
{
	return rnd(g, 100) < pct;
}

static uint32_t pick(struct gen *g, const uint32_t *v, unsigned int n)
{
	return v[rnd(g, n)];
}

#define PICK(g, ...) ({							\
	static const uint32_t __v[] = { __VA_ARGS__ };			\
	pick(g, __v, sizeof(__v) / sizeof(__v[0]));			\
})

static uint32_t gen_size(struct gen *g)
{
	unsigned int r = rnd(g, 100);

	if (r < 3)
		return 0;
	if (r < 10)
		return PICK(g, 1, 2, 3, 7);
	if (r < 35)
		return 1 + rnd(g, 512);
	if (r < 55)
		return 64 + rnd(g, 1984);
	if (r < 68)	/* skb heads: SKB_DATA_ALIGN(len + NET_SKB_PAD) + shinfo */
		return PICK(g, 576, 832, 1856, 2368, 2880, 3776);
	if (r < 82)
		return PICK(g, 2048, 3000, 4095, 4096, 4097, 4100);
	if (r < 95)
		return PICK(g, 6000, 8192, 12288, 16384, 16385, 32767, 32768);
	return PICK(g, 32769, 40000, 65536);
}

static uint32_t gen_align(struct gen *g)
{
	if (chance(g, 60))
		return 0;
	return 1u << rnd(g, 13);	/* 1 .. PAGE_SIZE */
}

static fs_gfp_t gen_gfp(struct gen *g)
{
	unsigned int r = rnd(g, 100);

	if (r < 65)
		return FS_GFP_ATOMIC;
	if (r < 80)
		return FS_GFP_KERNEL;
	if (r < 93)
		return FS_GFP_ATOMIC | FS_GFP_MEMALLOC;
	return FS_GFP_NOWAIT | FS_GFP_NOWARN;
}

static fs_faults_t gen_faults(struct gen *g)
{
	unsigned int r = rnd(g, 100);

	if (r < 60)
		return 0;
	if (r < 75)
		return FS_FAULT_ORDER3_FAIL;
	if (r < 80)
		return FS_FAULT_ALL_FAIL;
	if (r < 95)
		return FS_FAULT_PRESSURE;
	return FS_FAULT_ORDER3_FAIL | FS_FAULT_PRESSURE;
}

static void comment(struct gen *g, const char *s)
{
	struct fs_op op = { .kind = FS_OP_COMMENT };

	op.comment = fs_trace_add_string(g->t, s);
	fs_trace_add_op(g->t, &op);
}

static uint32_t new_handle(struct gen *g)
{
	char name[16];

	if (g->nr_free_handles)
		return g->free_handles[--g->nr_free_handles];
	snprintf(name, sizeof(name), "h%u", g->next_handle++);
	return fs_trace_add_handle(g->t, name);
}

static void free_at(struct gen *g, uint32_t i)
{
	struct fs_op op = { .kind = FS_OP_FREE, .handle = g->live[i] };

	fs_trace_add_op(g->t, &op);
	g->free_handles[g->nr_free_handles++] = g->live[i];
	g->live[i] = g->live[--g->nr_live];
}

static void alloc_op(struct gen *g, uint16_t cache, uint32_t size,
		     uint32_t align, fs_gfp_t gfp, bool named)
{
	struct fs_op op = {
		.kind = FS_OP_ALLOC, .cache = cache, .size = size,
		.align = align, .gfp = gfp, .handle = FS_NO_HANDLE,
	};

	/*
	 * Under pressure a __GFP_MEMALLOC request larger than PAGE_SIZE
	 * livelocks the countdown allocator (refill, pfmemalloc page too
	 * small, free, refill...): a known property, kept as the regression
	 * trace corpus/regress/livelock-pressure-oversize.trace, so random
	 * traces do not rediscover it every run.
	 */
	if ((g->faults & FS_FAULT_PRESSURE) && (gfp & FS_GFP_MEMALLOC) &&
	    size > 4096)
		op.size = size = 1 + rnd(g, 4096);
	if (named && g->nr_live == MAX_LIVE)
		free_at(g, rnd(g, g->nr_live));
	if (named) {
		op.handle = new_handle(g);
		g->live[g->nr_live++] = op.handle;
	}
	fs_trace_add_op(g->t, &op);
}

static void free_some(struct gen *g, uint32_t n, int order)
{
	while (n-- && g->nr_live) {
		uint32_t i = order == 0 ? 0 : order == 1 ? g->nr_live - 1 :
			     rnd(g, g->nr_live);

		free_at(g, i);
	}
}

static void simple(struct gen *g, enum fs_op_kind kind, uint16_t cache,
		   fs_faults_t faults)
{
	struct fs_op op = { .kind = (uint8_t)kind, .cache = cache,
			    .faults = faults };

	if (kind == FS_OP_FAULTS)
		g->faults = faults;
	fs_trace_add_op(g->t, &op);
}

static void free_all(struct gen *g)
{
	simple(g, FS_OP_FREE_ALL, 0, 0);
	for (uint32_t i = 0; i < g->nr_live; i++)
		g->free_handles[g->nr_free_handles++] = g->live[i];
	g->nr_live = 0;
}

static void phase_stream(struct gen *g, uint16_t cache, fs_gfp_t gfp)
{
	uint32_t n = 20 + rnd(g, 200);
	uint32_t size = chance(g, 50) ? gen_size(g) : 0;

	comment(g, "phase: stream of alloc/free pairs (page recycling)");
	for (uint32_t i = 0; i < n; i++) {
		alloc_op(g, cache, size ? size : gen_size(g), gen_align(g),
			 gfp, true);
		free_at(g, g->nr_live - 1);
	}
}

static void phase_burst(struct gen *g, uint16_t cache)
{
	uint32_t n = 10 + rnd(g, 300);
	int order = (int)rnd(g, 3);

	comment(g, "phase: burst, then frees in FIFO, LIFO or random order");
	for (uint32_t i = 0; i < n; i++)
		alloc_op(g, cache, gen_size(g), gen_align(g), gen_gfp(g), true);
	free_some(g, rnd(g, g->nr_live + 1), order);
}

static void phase_flood(struct gen *g, uint16_t cache)
{
	struct fs_op rep = { .kind = FS_OP_REPEAT, .body_len = 1 };

	comment(g, "phase: flood of tiny fragments (bias exhaustion)");
	/*
	 * From a fresh page: a zero-length fragment takes a bias reference
	 * without moving the offset, so a flood on a page that served one
	 * uses up the cache's own reference (known-bugs.md 1.5 item 9, kept
	 * as corpus/regress/linux-6.12-zero-length-bias.trace).
	 */
	simple(g, FS_OP_DRAIN, cache, 0);
	rep.count = PICK(g, 4097, 33000, 40000, 70000);
	fs_trace_add_op(g->t, &rep);
	alloc_op(g, cache, chance(g, 80) ? 1 : 2, 0, FS_GFP_ATOMIC, false);
	if (chance(g, 70))
		free_all(g);
}

static void phase_big(struct gen *g, uint16_t cache)
{
	uint32_t n = 5 + rnd(g, 40);

	comment(g, "phase: sizes around PAGE_SIZE and the 32K cache size");
	if (chance(g, 60))
		simple(g, FS_OP_FAULTS, 0, FS_FAULT_ORDER3_FAIL);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t size = PICK(g, 4095, 4096, 4097, 6000, 8192, 16384,
				     32767, 32768, 32769, 40000);

		alloc_op(g, cache, size, gen_align(g), gen_gfp(g), true);
		if (chance(g, 50))
			free_some(g, 1, 2);
	}
}

static void phase_pressure(struct gen *g, uint16_t cache)
{
	comment(g, "phase: memory pressure, reserves for __GFP_MEMALLOC");
	simple(g, FS_OP_FAULTS, 0, FS_FAULT_PRESSURE);
	phase_stream(g, cache, FS_GFP_ATOMIC | FS_GFP_MEMALLOC);
	simple(g, FS_OP_FAULTS, 0, 0);
	phase_stream(g, cache, FS_GFP_ATOMIC);
}

static void phase_mixed(struct gen *g)
{
	uint32_t n = 20 + rnd(g, 400);

	comment(g, "phase: mixed operations on every cache");
	for (uint32_t i = 0; i < n; i++) {
		uint16_t cache = (uint16_t)rnd(g, g->t->nr_caches);
		unsigned int r = rnd(g, 100);

		if (r < 55)
			alloc_op(g, cache, gen_size(g), gen_align(g),
				 gen_gfp(g), true);
		else if (r < 92)
			free_some(g, 1, 2);
		else if (r < 97)
			simple(g, FS_OP_DRAIN, cache, 0);
		else
			simple(g, FS_OP_FAULTS, 0, gen_faults(g));
	}
}

static void phase(struct gen *g)
{
	uint16_t cache = (uint16_t)rnd(g, g->t->nr_caches);
	unsigned int r = rnd(g, 100);

	if (chance(g, 25))
		simple(g, FS_OP_FAULTS, 0, gen_faults(g));
	if (r < 22)
		phase_stream(g, cache, gen_gfp(g));
	else if (r < 42)
		phase_burst(g, cache);
	else if (r < 50)
		phase_flood(g, cache);
	else if (r < 62)
		phase_big(g, cache);
	else if (r < 74)
		phase_pressure(g, cache);
	else
		phase_mixed(g);
	if (chance(g, 15))
		simple(g, FS_OP_DRAIN, cache, 0);
	if (chance(g, 10))
		free_all(g);
}

void fs_trace_generate(struct fs_trace *t, uint64_t seed, const char *target)
{
	struct gen g = { .t = t, .rng = seed };
	unsigned int nr_caches = 1 + rnd(&g, 3);
	unsigned int phases = 1 + rnd(&g, 8);

	snprintf(t->target, sizeof(t->target), "%s", target ? target : "");
	t->seed = seed;
	t->faults = chance(&g, 80) ? 0 : gen_faults(&g);
	g.faults = t->faults;
	for (unsigned int i = 0; i < nr_caches; i++) {
		char name[8];

		snprintf(name, sizeof(name), "nc%u", i);
		fs_trace_add_cache(t, name, FS_CACHE_PAGE_FRAG);
	}
	for (unsigned int i = 0; i < phases; i++)
		phase(&g);
}
