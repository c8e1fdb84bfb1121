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
#include <stdlib.h>
#include <string.h>

#include <fragsim/target.h>

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "contract.h"
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

static uint32_t rnd(struct gen *g, uint32_t n)
{
	return (uint32_t)fs_rng_below(&g->rng, n);
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
	pick(g, __v, ARRAY_SIZE(__v));					\
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

	/* The caller contract (contract.h): random traces keep to it. */
	if ((g->faults & FS_FAULT_PRESSURE) && (gfp & FS_GFP_MEMALLOC) &&
	    !fs_caller_memalloc_ok(size))
		op.size = size = 1 + rnd(g, FS_CALLER_PAGE_SIZE);
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
		char name[16];

		snprintf(name, sizeof(name), "nc%u", i);
		fs_trace_add_cache(t, name, FS_CACHE_PAGE_FRAG);
	}
	for (unsigned int i = 0; i < phases; i++)
		phase(&g);
}


/* ------------------------------------------------------------------------
 * Concurrent workloads
 *
 * These traces must run clean on a correct kernel, so they keep the
 * caller contract (contract.h: GFP_KERNEL, __GFP_MEMALLOC and napi) and
 * the conventions of the kernel's callers:
 *  - irq-off sections hold only netdev_alloc_frag(), the actor's own
 *    cache and frees; hardirq handlers are short and use netdev only;
 *  - a driver's cache is touched by one actor only, and that actor
 *    drains it when done;
 *  - a handle is used by the actor that binds it; fragments change hands
 *    only through queues, pushes and pops balanced (the kernel's
 *    page_frag_test pair), and every other fragment is freed;
 *  - power-of-two alignments and no zero sizes (known-bugs.md 1.5 item 9).
 * Everything is a pure function of the seed.
 */

#define MAX_OWN		2	/* caches one actor owns */
#define MAX_UNIT_DEPTH	2	/* repeats and sections nested in a body */

enum frag_src {
	SRC_NETDEV,		/* netdev_alloc_frag[_align]() */
	SRC_NAPI,		/* napi_alloc_frag[_align]() */
	SRC_NAPI_1K,		/* page_frag_alloc_1k() on napi_alloc_cache */
	SRC_CACHE,		/* one of the actor's own caches */
};

struct cgen {
	struct gen g;		/* the rng and the trace; no live set */
	bool spec;		/* speculative references on some fragments */
	bool mix;		/* FS_WL_MIX: interrupts on any CPU */
	uint32_t next_handle;
	uint64_t pushed[FS_MAX_QUEUES];	/* pushes written, runs counted */
	int softirq[FS_MAX_CPUS];	/* each CPU's softirq actor, or -1 */
	uint16_t main_own[MAX_OWN];	/* main's caches */
	unsigned int nr_main_own;
	/* The body being written. */
	uint8_t kind;		/* enum fs_actor_kind; main is a task */
	unsigned int cpu;
	uint16_t own[MAX_OWN];
	unsigned int nr_own;
	bool irq_off, bh_off;	/* inside such a section */
	unsigned int depth;	/* repeats and sections open in the body */
	unsigned int caps;	/* FS_TCAP_*: the target's operations */
};

static uint32_t crnd(struct cgen *c, uint32_t n)
{
	return rnd(&c->g, n);
}

static bool cchance(struct cgen *c, unsigned int pct)
{
	return chance(&c->g, pct);
}

static uint32_t cadd(struct cgen *c, struct fs_op op)
{
	return fs_trace_add_op(c->g.t, &op);
}

/* Close the block opened at @idx: its body is everything added since. */
static void cclose(struct cgen *c, uint32_t idx)
{
	c->g.t->ops[idx].body_len = c->g.t->nr_ops - idx - 1;
}

/* Each binding site gets its own name, so no handle crosses actors. */
static uint32_t chandle(struct cgen *c)
{
	char name[16];

	snprintf(name, sizeof(name), "h%u", c->next_handle++);
	return fs_trace_add_handle(c->g.t, name);
}

static void chandle_op(struct cgen *c, enum fs_op_kind kind, uint32_t h)
{
	cadd(c, (struct fs_op){ .kind = (uint8_t)kind, .handle = h });
}

static uint16_t ccache(struct cgen *c, const char *name,
		       enum fs_cache_kind kind)
{
	return (uint16_t)fs_trace_add_cache(c->g.t, name, kind);
}

static uint16_t cqueue(struct cgen *c, const char *name)
{
	return (uint16_t)fs_trace_add_queue(c->g.t, name);
}

/* Where the body being written calls from. */
static struct fs_caller caller(const struct cgen *c)
{
	return (struct fs_caller){ .kind = c->kind, .irq_off = c->irq_off,
				   .bh_off = c->bh_off };
}

static bool napi_ok(const struct cgen *c)
{
	struct fs_caller who = caller(c);

	return fs_caller_napi_ok(&who);
}

/* skb heads and page-sized buffers mostly, a few large ones. */
static uint32_t net_size(struct cgen *c)
{
	unsigned int r = crnd(c, 100);

	if (r < 5)
		return PICK(&c->g, 1, 17, 60);
	if (r < 55)
		return 64 + crnd(c, 3937);
	if (r < 92)
		return PICK(&c->g, 256, 512, 576, 832, 1024, 1536, 1856, 2048,
			    2368, 2880, 3776);
	return PICK(&c->g, 4096, 6000, 8192, 12288, 16384);
}

static uint32_t net_align(struct cgen *c)
{
	return cchance(c, 60) ? 0 : 1u << crnd(c, 13);	/* 1 .. PAGE_SIZE */
}

/* An RX ring's buffers share one page. */
static uint32_t ring_size(struct cgen *c)
{
	return cchance(c, 50) ? PICK(&c->g, 256, 512, 1024, 1536, 2048) :
				64 + crnd(c, 1985);
}

static fs_gfp_t cache_gfp(struct cgen *c, uint32_t size)
{
	struct fs_caller who = caller(c);
	unsigned int r = crnd(c, 100);

	if (r < 65)
		return FS_GFP_ATOMIC;
	if (r < 80 && fs_caller_may_sleep(&who))
		return FS_GFP_KERNEL;
	if (r < 92 || !fs_caller_memalloc_ok(size))
		return FS_GFP_NOWAIT | FS_GFP_NOWARN;
	return FS_GFP_ATOMIC | FS_GFP_MEMALLOC;
}

static enum frag_src pick_src(struct cgen *c)
{
	unsigned int r = crnd(c, 100);

	if (c->nr_own && r < 40)
		return SRC_CACHE;
	if (napi_ok(c) && r < 80)
		return cchance(c, 60) ? SRC_NAPI : SRC_NAPI_1K;
	return SRC_NETDEV;
}

/* H = one fragment from @src; returns H. */
static uint32_t cfrag(struct cgen *c, enum frag_src src)
{
	struct fs_op op = { .handle = chandle(c) };

	/* A target without the 1K cache gets napi_alloc_frag() instead. */
	if (src == SRC_NAPI_1K && !(c->caps & FS_TCAP_NAPI_1K))
		src = SRC_NAPI;
	switch (src) {
	case SRC_NETDEV:
	case SRC_NAPI:
		op.kind = src == SRC_NAPI ? FS_OP_NAPI_ALLOC :
					    FS_OP_NETDEV_ALLOC;
		op.size = net_size(c);
		op.align = net_align(c);
		break;
	case SRC_NAPI_1K:
		op.kind = FS_OP_NAPI_ALLOC_1K;
		op.size = 1024;
		op.gfp = cchance(c, 75) ? FS_GFP_ATOMIC :
					  FS_GFP_ATOMIC | FS_GFP_NOWARN;
		break;
	case SRC_CACHE:
		op.kind = FS_OP_ALLOC;
		op.cache = c->own[crnd(c, c->nr_own)];
		if (c->g.t->caches[op.cache].kind == FS_CACHE_RX_RING) {
			op.size = ring_size(c);
			op.align = cchance(c, 70) ? 0 : PICK(&c->g, 8, 64);
		} else {
			op.size = net_size(c);
			op.align = net_align(c);
		}
		op.gfp = cache_gfp(c, op.size);
		break;
	}
	cadd(c, op);
	return op.handle;
}

/* irq-off sections and hardirq handlers keep to allocations and frees. */
static bool spec_ok(struct cgen *c)
{
	return c->spec && !c->irq_off && c->kind != FS_ACTOR_HARDIRQ &&
	       cchance(c, 35);
}

/* H = alloc, perhaps a speculative reference taken and dropped, free H. */
static void unit_pair(struct cgen *c)
{
	uint32_t h = cfrag(c, pick_src(c));

	if (spec_ok(c)) {
		chandle_op(c, FS_OP_SPEC_GET, h);
		chandle_op(c, FS_OP_SPEC_PUT, h);
	}
	chandle_op(c, FS_OP_FREE, h);
}

/* Several live at once, freed in a shuffled order. */
static void unit_burst(struct cgen *c)
{
	uint32_t h[6];
	bool spec[6];
	unsigned int n = 2 + crnd(c, 5);

	for (unsigned int i = 0; i < n; i++) {
		h[i] = cfrag(c, pick_src(c));
		spec[i] = spec_ok(c);
		if (spec[i])
			chandle_op(c, FS_OP_SPEC_GET, h[i]);
	}
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = crnd(c, i + 1);
		uint32_t th = h[i];
		bool ts = spec[i];

		h[i] = h[j];
		spec[i] = spec[j];
		h[j] = th;
		spec[j] = ts;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (spec[i])
			chandle_op(c, FS_OP_SPEC_PUT, h[i]);
		chandle_op(c, FS_OP_FREE, h[i]);
	}
}

static void units(struct cgen *c, unsigned int n);

static void unit_repeat(struct cgen *c)
{
	uint32_t count = c->depth ? 2 + crnd(c, 4) : 2 + crnd(c, 23);
	uint32_t idx = cadd(c, (struct fs_op){ .kind = FS_OP_REPEAT,
					       .count = count });

	c->depth++;
	units(c, 1 + crnd(c, 3));
	c->depth--;
	cclose(c, idx);
}

/* local_irq_save(): interrupts on this CPU wait until the end. */
static void unit_irq_off(struct cgen *c)
{
	uint32_t idx = cadd(c, (struct fs_op){ .kind = FS_OP_IRQ_OFF });

	c->irq_off = true;
	c->depth++;
	units(c, 1 + crnd(c, 2));
	c->depth--;
	c->irq_off = false;
	cclose(c, idx);
}

/* H = @src, free H: a pair that surely uses @src. */
static void pair_of(struct cgen *c, enum frag_src src)
{
	chandle_op(c, FS_OP_FREE, cfrag(c, src));
}

/*
 * local_bh_disable() in a task: the napi cache is ours; a softirq raised
 * here runs at the local_bh_enable().
 */
static void unit_bh_off(struct cgen *c)
{
	uint32_t idx = cadd(c, (struct fs_op){ .kind = FS_OP_BH_OFF });
	int raise = c->softirq[c->cpu];

	c->bh_off = true;
	c->depth++;
	if (cchance(c, 50))
		pair_of(c, SRC_NAPI);
	units(c, 1 + crnd(c, 3));
	if (raise >= 0 && cchance(c, 40))
		cadd(c, (struct fs_op){ .kind = FS_OP_RAISE,
					.actor = (uint16_t)raise });
	c->depth--;
	c->bh_off = false;
	cclose(c, idx);
}

/* @n pieces of work that leave nothing allocated. */
static void units(struct cgen *c, unsigned int n)
{
	while (n--) {
		unsigned int r = crnd(c, 100);
		bool nest = c->depth < MAX_UNIT_DEPTH;

		if (nest && r < 15)
			unit_repeat(c);
		else if (nest && r < 27 && !c->irq_off)
			unit_irq_off(c);
		else if (nest && r < 45 && c->kind == FS_ACTOR_TASK &&
			 !c->irq_off && !c->bh_off)
			unit_bh_off(c);
		else if (r < 75)
			unit_pair(c);
		else
			unit_burst(c);
	}
}

static void set_body(struct cgen *c, enum fs_actor_kind kind,
		     unsigned int cpu)
{
	c->kind = (uint8_t)kind;
	c->cpu = cpu;
	c->nr_own = 0;
	c->irq_off = c->bh_off = false;
	c->depth = 0;
}

/* Start an actor's body; returns its FS_OP_ACTOR op for actor_end(). */
static uint32_t actor_begin(struct cgen *c, const char *what,
			    const char *name, enum fs_actor_kind kind,
			    unsigned int cpu, uint32_t count)
{
	int a;

	comment(&c->g, what);
	a = fs_trace_add_actor(c->g.t, name, kind, cpu, count);
	set_body(c, kind, cpu);
	if (kind == FS_ACTOR_SOFTIRQ)
		c->softirq[cpu] = a;
	return cadd(c, (struct fs_op){ .kind = FS_OP_ACTOR,
				       .actor = (uint16_t)a });
}

/* The owner drains its caches when done, as a driver tearing down. */
static void drain_own(struct cgen *c)
{
	for (unsigned int i = 0; i < c->nr_own; i++)
		cadd(c, (struct fs_op){ .kind = FS_OP_DRAIN,
					.cache = c->own[i] });
}

static void actor_end(struct cgen *c, uint32_t idx)
{
	drain_own(c);
	cclose(c, idx);
}

/* NAPI poll: the napi cache, under BH. */
static void softirq_actor(struct cgen *c, unsigned int cpu)
{
	char name[16];
	uint32_t idx;

	snprintf(name, sizeof(name), "rx%u", cpu);
	idx = actor_begin(c, "softirq: NAPI poll, napi_alloc_frag and napi_alloc_1k",
			  name, FS_ACTOR_SOFTIRQ, cpu, 0);
	pair_of(c, SRC_NAPI);
	pair_of(c, SRC_NAPI_1K);
	units(c, crnd(c, 3));
	actor_end(c, idx);
}

/*
 * A NIC interrupt: an skb head from netdev_alloc_frag(), handed on
 * through @q (or freed when @q < 0), and NAPI scheduled.  1-4 ops.
 */
static void hardirq_actor(struct cgen *c, const char *name, unsigned int cpu,
			  int q)
{
	uint32_t count = 1 + crnd(c, 8), idx, h;
	int raise = c->softirq[cpu];

	idx = actor_begin(c, "hardirq: netdev_alloc_frag on whatever it interrupts",
			  name, FS_ACTOR_HARDIRQ, cpu, count);
	h = cfrag(c, SRC_NETDEV);
	if (q >= 0) {
		cadd(c, (struct fs_op){ .kind = FS_OP_PUSH,
					.queue = (uint16_t)q, .handle = h });
		c->pushed[q] += count;
	} else {
		chandle_op(c, FS_OP_FREE, h);
	}
	if (raise >= 0 && cchance(c, 75))
		cadd(c, (struct fs_op){ .kind = FS_OP_RAISE,
					.actor = (uint16_t)raise });
	else if (cchance(c, 50))
		unit_pair(c);
	actor_end(c, idx);
}

/* @n pops of @q, the count split around some of this CPU's own work. */
static void pops(struct cgen *c, uint16_t q, uint64_t n)
{
	uint64_t first = n ? crnd(c, (uint32_t)n + 1) : 0;
	uint64_t part[2] = { first, n - first };

	for (int i = 0; i < 2; i++) {
		struct fs_op pop = { .kind = FS_OP_POP, .queue = q };
		uint32_t idx;

		if (i && cchance(c, 60))
			units(c, 1 + crnd(c, 2));
		if (part[i] == 1)
			cadd(c, pop);
		if (part[i] <= 1)
			continue;
		idx = cadd(c, (struct fs_op){ .kind = FS_OP_REPEAT,
					      .count = (uint32_t)part[i] });
		cadd(c, pop);
		cclose(c, idx);
	}
}

/* The page_frag_test pair: one task pushes, one on another CPU pops. */
static void xcpu_pair(struct cgen *c, unsigned int i)
{
	unsigned int cpus = c->g.t->cpus;
	unsigned int p = crnd(c, cpus), k = (p + 1 + crnd(c, cpus - 1)) % cpus;
	uint32_t n = 16 + crnd(c, 241), idx, rep;
	bool netdev_too = cchance(c, 50);
	char name[16];
	uint16_t q, cache;

	snprintf(name, sizeof(name), "q%u", i);
	q = cqueue(c, name);
	snprintf(name, sizeof(name), "pc%u", i);
	cache = ccache(c, name, FS_CACHE_PAGE_FRAG);
	snprintf(name, sizeof(name), "prod%u", i);
	idx = actor_begin(c, "producer: pushes fragments for another CPU to free",
			  name, FS_ACTOR_TASK, p, 0);
	c->own[0] = cache;
	c->nr_own = 1;
	rep = cadd(c, (struct fs_op){ .kind = FS_OP_REPEAT, .count = n });
	c->depth++;
	cadd(c, (struct fs_op){ .kind = FS_OP_PUSH, .queue = q,
				.handle = cfrag(c, SRC_CACHE) });
	if (netdev_too)
		cadd(c, (struct fs_op){ .kind = FS_OP_PUSH, .queue = q,
					.handle = cfrag(c, SRC_NETDEV) });
	if (cchance(c, 30))
		unit_pair(c);
	c->depth--;
	cclose(c, rep);
	c->pushed[q] += (uint64_t)n * (netdev_too ? 2 : 1);
	if (cchance(c, 50))
		unit_bh_off(c);
	actor_end(c, idx);

	snprintf(name, sizeof(name), "cons%u", i);
	idx = actor_begin(c, "consumer: frees what the producer pushed",
			  name, FS_ACTOR_TASK, k, 0);
	pops(c, q, c->pushed[q]);
	actor_end(c, idx);
}

/* A task using this CPU's netdev and napi caches. */
static void worker(struct cgen *c, unsigned int cpu, bool own_cache)
{
	char name[16];
	uint32_t idx;
	uint16_t cache = 0;

	if (own_cache) {
		snprintf(name, sizeof(name), "wc%u", cpu);
		cache = ccache(c, name, FS_CACHE_PAGE_FRAG);
	}
	snprintf(name, sizeof(name), "worker%u", cpu);
	idx = actor_begin(c, "worker: this CPU's netdev and napi caches",
			  name, FS_ACTOR_TASK, cpu, 0);
	if (own_cache) {
		c->own[0] = cache;
		c->nr_own = 1;
	}
	units(c, 2 + crnd(c, 4));
	actor_end(c, idx);
}

/*
 * A loop of small units, the steady state the other actors race with:
 * its count makes it some 300 to 2000 primitive ops.
 */
static void steady(struct cgen *c)
{
	uint64_t before = fs_trace_op_count(c->g.t), body;
	uint32_t idx = cadd(c, (struct fs_op){ .kind = FS_OP_REPEAT,
					       .count = 1 });
	uint32_t target = 300 + crnd(c, 1701);

	c->depth = MAX_UNIT_DEPTH - 1;
	units(c, 1 + crnd(c, 3));
	c->depth = 0;
	cclose(c, idx);
	body = fs_trace_op_count(c->g.t) - before;
	c->g.t->ops[idx].count = body >= target / 2 ? 2 :
				 (uint32_t)(target / body);
}

/* An RX ring's life: buffers in, looked at by others, freed. */
static void ring_loop(struct cgen *c, uint16_t ring)
{
	uint32_t idx = cadd(c, (struct fs_op){ .kind = FS_OP_REPEAT,
					       .count = 16 + crnd(c, 113) });
	uint16_t own = c->own[0];
	unsigned int nr_own = c->nr_own;
	uint32_t h;

	c->own[0] = ring;
	c->nr_own = 1;
	h = cfrag(c, SRC_CACHE);
	chandle_op(c, FS_OP_SPEC_GET, h);
	if (cchance(c, 50))
		unit_pair(c);
	chandle_op(c, FS_OP_SPEC_PUT, h);
	chandle_op(c, FS_OP_FREE, h);
	c->own[0] = own;
	c->nr_own = nr_own;
	cclose(c, idx);
}

/*
 * main: a task on CPU 0 with its own caches.  @sections makes sure of an
 * irq-off and a bh-off section; @ring (if >= 0) is an RX ring it cycles;
 * it pops @q if q >= 0.
 */
static void main_body(struct cgen *c, unsigned int n, bool sections,
		      int ring, int q)
{
	comment(&c->g, "main: task on CPU 0");
	set_body(c, FS_ACTOR_TASK, 0);
	memcpy(c->own, c->main_own, sizeof(c->own));
	c->nr_own = c->nr_main_own;
	if (sections)
		unit_irq_off(c);
	units(c, n);
	if (sections)
		unit_bh_off(c);
	if (ring >= 0)
		ring_loop(c, (uint16_t)ring);
	steady(c);
	if (q >= 0)
		pops(c, (uint16_t)q, c->pushed[q]);
	drain_own(c);
}

static void main_cache(struct cgen *c, const char *name,
		       enum fs_cache_kind kind)
{
	c->main_own[c->nr_main_own++] = ccache(c, name, kind);
}

static void agent(struct cgen *c, enum fs_agent_kind kind, uint32_t count)
{
	c->g.t->agents[kind].on = true;
	c->g.t->agents[kind].count = count;
}

/* NIC interrupts and NAPI on CPU 0 against main's sections. */
static void irq_part(struct cgen *c, int *q)
{
	struct fs_trace *t = c->g.t;

	*q = cchance(c, 70) ? cqueue(c, "irqq") : -1;
	softirq_actor(c, 0);
	hardirq_actor(c, "nic", 0, *q);
	if (cchance(c, 50))
		hardirq_actor(c, "timer", c->mix ? crnd(c, t->cpus) : 0, -1);
}

static void wl_irq(struct cgen *c)
{
	int q;

	c->g.t->cpus = 1 + crnd(c, 2);
	main_cache(c, "nc0", FS_CACHE_PAGE_FRAG);
	irq_part(c, &q);
	if (c->g.t->cpus == 2 && cchance(c, 70))
		worker(c, 1, cchance(c, 50));
	main_body(c, 3 + crnd(c, 6), true, -1, q);
}

static void wl_xcpu(struct cgen *c)
{
	unsigned int cpus = 2 + crnd(c, 3);
	unsigned int pairs = 1 + crnd(c, cpus == 2 ? 2 : 3);

	c->g.t->cpus = cpus;
	if (cchance(c, 30))
		softirq_actor(c, 0);
	for (unsigned int i = 0; i < pairs; i++)
		xcpu_pair(c, i);
	for (unsigned int cpu = 1; cpu < cpus; cpu++) {
		if (cchance(c, 50))
			worker(c, cpu, false);
	}
	if (cchance(c, 40))
		hardirq_actor(c, "irq", crnd(c, cpus), -1);
	main_body(c, 2 + crnd(c, 4), false, -1, -1);
}

static void spec_agents(struct cgen *c, unsigned int pressure_pct)
{
	agent(c, FS_AGENT_SPECULATIVE, PICK(&c->g, 16, 64, 256, 1024));
	if (cchance(c, pressure_pct))
		agent(c, FS_AGENT_PRESSURE, 1 + crnd(c, 16));
}

static void wl_spec(struct cgen *c)
{
	unsigned int cpus = 1 + crnd(c, 2);

	c->g.t->cpus = cpus;
	c->spec = true;
	spec_agents(c, 50);
	main_cache(c, "ring", FS_CACHE_RX_RING);	/* main_own[0] */
	if (cchance(c, 50))
		main_cache(c, "nc0", FS_CACHE_PAGE_FRAG);
	if (cchance(c, 50)) {
		softirq_actor(c, cpus - 1);
		hardirq_actor(c, "nic", cpus - 1, -1);
	}
	if (cpus == 2)
		worker(c, 1, false);
	main_body(c, 3 + crnd(c, 6), false, c->main_own[0], -1);
}

static void wl_mix(struct cgen *c)
{
	unsigned int cpus = 2 + crnd(c, 3);
	unsigned int pairs = 1 + crnd(c, 2);
	int q;

	c->g.t->cpus = cpus;
	c->spec = true;
	c->mix = true;
	if (cchance(c, 70))
		spec_agents(c, 40);
	else if (cchance(c, 40))
		agent(c, FS_AGENT_PRESSURE, 1 + crnd(c, 16));
	main_cache(c, "ring", FS_CACHE_RX_RING);
	main_cache(c, "nc0", FS_CACHE_PAGE_FRAG);
	irq_part(c, &q);
	for (unsigned int i = 0; i < pairs; i++)
		xcpu_pair(c, i);
	for (unsigned int cpu = 1; cpu < cpus; cpu++) {
		if (cchance(c, 40))
			worker(c, cpu, cchance(c, 30));
	}
	main_body(c, 3 + crnd(c, 5), true, c->main_own[0], q);
}

const char *fs_workload_name(enum fs_workload w)
{
	static const char *const names[] = {
		[FS_WL_SEQ]	= "seq",
		[FS_WL_IRQ]	= "irq",
		[FS_WL_XCPU]	= "xcpu",
		[FS_WL_SPEC]	= "spec",
		[FS_WL_MIX]	= "mix",
	};
	_Static_assert(ARRAY_SIZE(names) == FS_WL_NR, "a name per workload");

	return (unsigned int)w < FS_WL_NR ? names[w] : NULL;
}

void fs_trace_generate_workload(struct fs_trace *t, uint64_t seed,
				const char *target, enum fs_workload w)
{
	fs_trace_generate_caps(t, seed, target, w, FS_TCAP_ALL);
}

void fs_trace_generate_caps(struct fs_trace *t, uint64_t seed,
			    const char *target, enum fs_workload w,
			    unsigned int caps)
{
	static void (*const shape[])(struct cgen *c) = {
		[FS_WL_IRQ]	= wl_irq,
		[FS_WL_XCPU]	= wl_xcpu,
		[FS_WL_SPEC]	= wl_spec,
		[FS_WL_MIX]	= wl_mix,
	};
	_Static_assert(ARRAY_SIZE(shape) == FS_WL_NR, "a shape per workload");
	struct cgen *c;

	if (w == FS_WL_SEQ || (unsigned int)w >= FS_WL_NR) {
		fs_trace_generate(t, seed, target);
		return;
	}
	c = fs_xcalloc(1, sizeof(*c));
	/* Another stream per workload, so "irq" and "mix" do not correlate. */
	c->g.t = t;
	c->g.rng = seed ^ (FS_RNG_GOLDEN * (uint64_t)w);
	c->caps = caps;
	for (unsigned int i = 0; i < FS_MAX_CPUS; i++)
		c->softirq[i] = -1;
	snprintf(t->target, sizeof(t->target), "%s", target ? target : "");
	t->seed = seed;
	shape[w](c);
	free(c);
}
