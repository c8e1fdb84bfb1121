// SPDX-License-Identifier: GPL-2.0
/*
 * The stress checker: thread-safe and cheap enough for real parallelism.
 * Every 8 bytes of arena memory has an atomic owner (the live fragment's
 * id); a fragment is filled with its id and verified before it is freed;
 * each page counts its live fragments, so a page freed under them, or a
 * refcount that does not add up while every thread is parked, is a
 * finding.  Findings are recorded once (first wins) and printed after
 * the threads are joined.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <fragsim/kshim.h>

#include "stress.h"

#define GRANULE	8

static uint32_t *owner;		/* per granule of arena memory */
static int *live;		/* per head pfn: live fragments */
static unsigned char *base;
static unsigned long nr_pfns;
static size_t owner_len, live_len;

static struct st_cpu *r_cpus;	/* for a BUG's report, which cannot wait */
static unsigned int r_nr_cpus;
static const char *r_trace;
static int found;		/* 0, then 1 once the finding is recorded */
static unsigned long nr_found;
static char f_title[128], f_text[1024];
static int f_cpu = -1, f_ctx;
int st_stop;
struct fs_arena *st_arena;

static const char *const ctx_names[] = {
	[ST_TASK] = "task", [ST_SOFTIRQ] = "softirq",
	[ST_HARDIRQ] = "hardirq", [ST_HELPER] = "helper thread",
};
_Static_assert(sizeof(ctx_names) / sizeof(ctx_names[0]) == ST_NR_CTX,
	       "a name per context");

static const char *const op_names[] = {
	[ST_OP_ALLOC] = "page_frag_alloc", [ST_OP_NETDEV] = "netdev_alloc_frag",
	[ST_OP_NAPI] = "napi_alloc_frag", [ST_OP_FREE] = "free",
};
_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == ST_OP_NR,
	       "a name per operation");

/* Zero-filled on demand: only touched pages cost memory. */
static void *lazy_zeroed(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int st_check_init(unsigned int nr_cpus)
{
	(void)nr_cpus;
	base = fs_arena_pfn_va(st_arena, 0);
	nr_pfns = fs_arena_nr_pfns(st_arena);
	owner_len = nr_pfns * (FS_PAGE_SIZE / GRANULE) * sizeof(*owner);
	live_len = nr_pfns * sizeof(*live);
	owner = lazy_zeroed(owner_len);
	live = lazy_zeroed(live_len);
	return owner && live ? 0 : -1;
}

void st_check_fini(void)
{
	if (owner)
		munmap(owner, owner_len);
	if (live)
		munmap(live, live_len);
	owner = NULL;
	live = NULL;
}

void st_finding(struct st_cpu *c, int ctx, const char *title,
		const char *fmt, ...)
{
	va_list ap;

	if (!c && st_self) {	/* from a shim hook: the thread it ran on */
		unsigned int pc = st_self->k.preempt_count;

		c = st_self;
		ctx = pc & FS_HARDIRQ_MASK ? ST_HARDIRQ :
		      pc & FS_SOFTIRQ_OFFSET ? ST_SOFTIRQ : ST_TASK;
	}
	__atomic_add_fetch(&nr_found, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&st_stop, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&found, 1, __ATOMIC_ACQ_REL))
		return;
	snprintf(f_title, sizeof(f_title), "%s", title);
	f_cpu = c ? (int)c->id : -1;
	f_ctx = ctx;
	va_start(ap, fmt);
	vsnprintf(f_text, sizeof(f_text), fmt, ap);
	va_end(ap);
}

bool st_found(void)
{
	return __atomic_load_n(&found, __ATOMIC_ACQUIRE);
}

unsigned long st_nr_findings(void)
{
	return __atomic_load_n(&nr_found, __ATOMIC_RELAXED);
}

static unsigned long kaddr(const void *va)
{
	return fs_kaddr(st_arena, va);
}

static bool in_block(enum fs_page_state s)
{
	return s == FS_PAGE_HEAD || s == FS_PAGE_TAIL;
}

/* The fragment's head pfn, or ULONG_MAX if it is not inside one block. */
static unsigned long frag_head(const struct st_frag *f)
{
	unsigned long h0, h1;
	enum fs_page_state s0, s1;

	s0 = fs_arena_classify(st_arena, f->va, NULL, &h0);
	s1 = fs_arena_classify(st_arena, (char *)f->va + f->size - 1, NULL, &h1);
	return in_block(s0) && in_block(s1) && h0 == h1 ? h0 : ~0ul;
}

static bool claim_map(struct st_cpu *c, struct st_frag *f, int ctx,
		      const char *fn)
{
	size_t g0 = (size_t)((unsigned char *)f->va - base) / GRANULE;
	size_t n = (f->size + GRANULE - 1) / GRANULE;

	for (size_t g = g0; g < g0 + n; g++) {
		uint32_t old = 0;

		if (__atomic_compare_exchange_n(&owner[g], &old, f->id, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			continue;
		for (size_t u = g0; u < g; u++)	/* undo: keep the map honest */
			__atomic_store_n(&owner[u], 0, __ATOMIC_RELAXED);
		st_finding(c, ctx, "overlapping fragments",
			   "%s() returned [0x%lx, +%u), which overlaps live "
			   "fragment #%u at 0x%lx", fn, kaddr(f->va), f->size,
			   old, kaddr(base + g * GRANULE));
		return false;
	}
	return true;
}

bool st_frag_claim(struct st_cpu *c, struct st_frag *f, int ctx, const char *fn)
{
	unsigned long head;
	uint32_t *w = f->va;

	if ((uintptr_t)f->va % GRANULE) {
		st_finding(c, ctx, "misaligned fragment",
			   "%s() returned 0x%lx for %u bytes (sizes are "
			   "multiples of %d)", fn, kaddr(f->va), f->size, GRANULE);
		return false;
	}
	head = frag_head(f);
	if (head == ~0ul) {
		st_finding(c, ctx, "out-of-bounds fragment",
			   "%s() returned [0x%lx, +%u), not inside one "
			   "allocated block", fn, kaddr(f->va), f->size);
		return false;
	}
	if (!claim_map(c, f, ctx, fn))
		return false;
	__atomic_add_fetch(&live[head], 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < f->size / 4; i++)
		w[i] = f->id;
	return true;
}

bool st_frag_release(struct st_cpu *c, struct st_frag *f, int ctx)
{
	size_t g0 = (size_t)((unsigned char *)f->va - base) / GRANULE;
	size_t n = (f->size + GRANULE - 1) / GRANULE;
	const uint32_t *w = f->va;
	unsigned long h0;

	for (uint32_t i = 0; i < f->size / 4; i++) {
		if (w[i] == f->id)
			continue;
		st_finding(c, ctx, "fragment payload overwritten",
			   "fragment #%u [0x%lx, +%u): word at +%u is 0x%08x "
			   "(fragment #%u's fill?) while it was live", f->id,
			   kaddr(f->va), f->size, i * 4, w[i], w[i]);
		return false;
	}
	for (size_t g = g0; g < g0 + n; g++)
		__atomic_store_n(&owner[g], 0, __ATOMIC_RELAXED);
	fs_arena_classify(st_arena, f->va, NULL, &h0);
	__atomic_sub_fetch(&live[h0], 1, __ATOMIC_RELEASE);
	return true;
}

/* Page events, from any thread: frees under live fragments, underflows. */
static void page_event(void *ctx, const struct fs_page_event *ev)
{
	(void)ctx;
	switch (ev->kind) {
	case FS_PEV_FREE:
		if (ev->state != FS_PAGE_HEAD)
			st_finding(NULL, ST_TASK, "bad page free",
				   "%s() of pfn %lu, which is not an allocated "
				   "block's head", ev->fn, ev->pfn);
		else if (__atomic_load_n(&live[ev->pfn], __ATOMIC_ACQUIRE))
			st_finding(NULL, ST_TASK, "use-after-free: page freed "
				   "with live fragments",
				   "%s() freed pfn %lu (0x%lx) while %d fragments "
				   "on it were live", ev->fn, ev->pfn,
				   kaddr(fs_arena_pfn_va(st_arena, ev->pfn)),
				   __atomic_load_n(&live[ev->pfn], __ATOMIC_RELAXED));
		break;
	case FS_PEV_REF_SUB:
	case FS_PEV_REF_SET:
		if (ev->new < 0)
			st_finding(NULL, ST_TASK, "page refcount underflow",
				   "%s(): pfn %lu refcount %d -> %d", ev->fn,
				   ev->pfn, ev->old, ev->new);
		break;
	case FS_PEV_BAD_ADDR:
		st_finding(NULL, ST_TASK, "wild address",
			   "%s() of 0x%lx, outside the page arena", ev->fn,
			   (unsigned long)(uintptr_t)ev->addr);
		break;
	default:
		break;
	}
}

static void kernel_report(void *ctx, const struct fs_kernel_report *r)
{
	(void)ctx;
	st_finding(NULL, ST_TASK, r->kind, "%s at %s:%d in %s() (%s)", r->kind,
		   r->file, r->line, r->func, r->cond);
	if (!strcmp(r->kind, "BUG")) {
		/* BUG() does not return: report from here and stop at once */
		printf("fragsim stress: kernel BUG, stopping without teardown\n");
		st_report(r_cpus, r_nr_cpus, r_trace);
		fflush(NULL);
		_Exit(1);
	}
}

void st_check_hooks(struct st_cpu *cpus, unsigned int nr_cpus,
		    const char *trace)
{
	r_cpus = cpus;
	r_nr_cpus = nr_cpus;
	r_trace = trace;
	fs_shim_hooks.page_event = page_event;
	fs_shim_hooks.kernel_report = kernel_report;
	fs_shim_hooks.ctx = NULL;
}

/* The pages a cache holds: its bias counts in the page's refcount. */
static void add_bias(int *expect, const struct fs_cache_view *v)
{
	unsigned long head;

	if (!v->va || v->weak)
		return;
	if (fs_arena_classify(st_arena, v->va, NULL, &head) == FS_PAGE_OUTSIDE)
		return;
	expect[head] += (int)v->bias;
}

static void cache_biases(int *expect, const struct fs_target *t,
			 void *const *caches, unsigned int nr_caches,
			 unsigned int nr_cpus)
{
	struct fs_cache_view v;

	for (unsigned int i = 0; i < nr_caches; i++) {
		t->view(caches[i], &v);
		add_bias(expect, &v);
	}
	for (unsigned int cpu = 0; t->pcpu_view && cpu < nr_cpus; cpu++)
		for (int w = 0; w < FS_PCPU_NR; w++) {
			if (w == FS_PCPU_NAPI_SMALL && !t->napi_alloc_1k)
				continue;
			t->pcpu_view(cpu, w, &v);
			add_bias(expect, &v);
		}
}

void st_check_quiescent(const struct fs_target *t, void *const *caches,
			unsigned int nr_caches, unsigned int nr_cpus)
{
	int *expect = calloc(nr_pfns, sizeof(*expect));
	unsigned long pfn = 0;

	if (!expect)
		return;
	cache_biases(expect, t, caches, nr_caches, nr_cpus);
	while ((pfn = fs_arena_next_head(st_arena, pfn)) != ~0ul) {
		int want = expect[pfn] + live[pfn];
		int rc = fs_page_count(fs_arena_page(st_arena, pfn));

		if (rc != want) {
			st_finding(NULL, ST_HELPER, "page refcount mismatch at "
				   "a quiescent point",
				   "pfn %lu (0x%lx): refcount %d, expected %d "
				   "(%d live fragments + the caches' bias %d)",
				   pfn, kaddr(fs_arena_pfn_va(st_arena, pfn)),
				   rc, want, live[pfn], expect[pfn]);
			break;
		}
		pfn++;
	}
	free(expect);
}

void st_check_teardown(void)
{
	unsigned long n = fs_arena_nr_allocated(st_arena);
	unsigned long pfn = fs_arena_next_head(st_arena, 0);

	if (n)
		st_finding(NULL, ST_TASK, "pages not returned at teardown",
			   "%lu block(s) still allocated after every fragment "
			   "was freed and every cache drained (first: pfn %lu, "
			   "refcount %d)", n, pfn,
			   fs_page_count(fs_arena_page(st_arena, pfn)));
}

static void print_last(const struct st_cpu *c, int which)
{
	unsigned int n = c->nlast[which];
	unsigned int k = n < ST_LAST ? n : ST_LAST;

	for (unsigned int i = n - k; i < n; i++) {
		const struct st_last *l = &c->last[which][i % ST_LAST];

		printf("    cpu%u %-8s #%-9llu %-18s [0x%lx, +%u)\n", c->id,
		       ctx_names[l->ctx], (unsigned long long)l->seq,
		       op_names[l->kind], l->va ? kaddr(l->va) : 0ul, l->size);
	}
}

void st_report(struct st_cpu *cpus, unsigned int nr_cpus, const char *trace)
{
	printf("==================================================================\n");
	printf("BUG: fragsim stress: %s\n", f_title);
	if (f_cpu >= 0)
		printf("Thread: cpu%d, %s context\n", f_cpu, ctx_names[f_ctx]);
	else
		printf("Thread: seen by the page allocator or at a quiescent "
		       "point (no single thread)\n");
	printf("%s\n\n", f_text);
	printf("Last operations per thread (per-thread order exact, order "
	       "across threads unknown):\n");
	for (unsigned int i = 0; i < nr_cpus; i++) {
		print_last(&cpus[i], 0);
		print_last(&cpus[i], 1);
	}
	printf("\nReal threads do not replay.  The operation program is in %s "
	       "(schedule pct):\nhunt the interleaving deterministically with "
	       "'fragsim replay %s' or 'fragsim run --strategy pct'.\n",
	       trace ? trace : "(not written: no --out)",
	       trace ? trace : "TRACE");
	printf("==================================================================\n");
}
