/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker: a shadow model of every page reference and every fragment,
 * fed by the shim's page events and by the runner's notes about what it
 * asked of the code under test.  It reports the first moment an invariant
 * breaks (docs/invariants.md) and never drives the simulation: every
 * oracle (the shadow model, the context rules, the differential check,
 * the expectations) raises its finding here, and a finding asks the run
 * to stop through the one path described at fs_check_stop_t.
 */
#ifndef FRAGSIM_CHECK_H
#define FRAGSIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fragsim/kshim.h>
#include <fragsim/target.h>

enum fs_finding_kind {
	FS_F_NONE,
	FS_F_REFCOUNT_MISMATCH,
	FS_F_CACHE_LOST_OWN_REF,
	FS_F_CACHED_PAGE_FREED,
	FS_F_PAGE_FREED_LIVE_FRAGS,
	FS_F_BAD_PAGE_STATE,
	FS_F_BAD_FREE_ORDER,
	FS_F_BAD_FREE,
	FS_F_REF_ON_FREE_PAGE,
	FS_F_REFCOUNT_UNDERFLOW,
	FS_F_SET_COUNT_REFERENCED,
	FS_F_PFMEMALLOC_RECYCLED,
	FS_F_PFMEMALLOC_MISREPORTED,
	FS_F_FRAG_OUT_OF_BOUNDS,
	FS_F_FRAG_OVERLAP,
	FS_F_FRAG_MISALIGNED,
	FS_F_FRAG_CORRUPTED,
	FS_F_DOUBLE_FREE,
	FS_F_WILD_ADDRESS,
	FS_F_PAGE_LEAK,
	FS_F_LIVELOCK,
	FS_F_KERNEL_BUG,
	FS_F_KERNEL_WARNING,
	FS_F_DIFF_NULL,
	FS_F_DIFF_ALLOC,
	FS_F_DIFF_PFMEMALLOC,
	FS_F_OVERSIZE_NULL_NO_REFILL,
	FS_F_EXPECTATION,
	FS_F_CTX_INCONSISTENT,
	FS_F_CTX_NAPI_HARDIRQ,
	FS_F_CTX_NAPI_BH_ON,
	FS_F_CTX_NETDEV_IRQS_ON,
	FS_F_CACHE_CONCURRENT,
	FS_F_NR_KINDS,
};

/* Stable slug ("pfmemalloc-recycled"), bug type for titles, invariant. */
const char *fs_finding_slug(enum fs_finding_kind k);
const char *fs_finding_invariant(enum fs_finding_kind k);
enum fs_finding_kind fs_finding_from_slug(const char *slug);

/* A growing text buffer for reports. */
struct fs_buf {
	char *s;
	size_t len, cap;
};
void fs_buf_printf(struct fs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fs_buf_reset(struct fs_buf *b);
void fs_buf_free(struct fs_buf *b);

/*
 * The footer that closes every printed finding report (CLI and fuzzers):
 * "Repro key: @key", "Replay: @replay" (the command), the closing rule.
 */
void fs_report_footer(struct fs_buf *b, const char *key, const char *replay);

struct fs_finding {
	enum fs_finding_kind kind;
	char title[160];	/* "BUG: fragsim: pfmemalloc-recycled in ..." */
	char fn[64];		/* the function the title names */
	struct fs_buf report;	/* full report, without the repro footer */
};

/* A trace's caches, then each CPU's netdev, napi and 1K caches. */
#define FS_CHECK_MAX_CACHES	(16 + 3 * 8)

struct fs_check;
struct fs_op;
struct fs_trace;
struct fs_timeline;

/*
 * Stop requested: the one way a finding ends a run.  The checker's hooks
 * run inside the code under test, so a finding cannot be returned to
 * anyone: the checker records it (the first one of a run counts; from then
 * on fs_check_finding() is non-NULL) and calls @stop, which the runner gave
 * fs_check_create().  @stop must not return: the runner, which owns the
 * simulation, unwinds it (fs_machine_abort() inside a task fiber, a
 * longjmp to its run otherwise).  The checker itself never schedules,
 * switches fibers or jumps.
 */
typedef void (*fs_check_stop_t)(void *ctx);

struct fs_check *fs_check_create(struct fs_arena *arena,
				 const struct fs_target *target,
				 fs_check_stop_t stop, void *stop_ctx);
void fs_check_destroy(struct fs_check *c);
/* New trace: forget everything, name the caches. */
void fs_check_reset(struct fs_check *c, unsigned int nr_caches,
		    const char (*cache_names)[32]);
/*
 * Fill each fragment with a pattern and verify it at free (default on);
 * off only to measure what it costs.
 */
void fs_check_set_payload(struct fs_check *c, bool on);
/* The hooks the shim calls while the code under test runs. */
void fs_check_install(struct fs_check *c);
void fs_check_uninstall(void);

/* How reports describe the operation under way (the runner knows). */
typedef void (*fs_check_describe_t)(void *ctx, const void *op, char *buf,
				    size_t len);
void fs_check_set_describer(struct fs_check *c, fs_check_describe_t fn,
			    void *ctx);

/* The runner's notes, in the order things happen. */
void fs_check_op_begin(struct fs_check *c, uint64_t op_no, unsigned int line,
		       const void *op, const char *kernel_fn);
/* The kernel call made @points accesses without returning (the machine saw). */
void fs_check_stuck(struct fs_check *c, uint32_t points);
/* The kernel call ran @ms of CPU time without returning (a timer saw). */
void fs_check_hang(struct fs_check *c, unsigned int ms);
/* Returns the fragment id the checker gave it. */
uint32_t fs_check_alloc_done(struct fs_check *c, unsigned int cache,
			     void *va, unsigned int size, unsigned int align,
			     const struct fs_cache_view *view);
/* Before the free call: the address to pass to page_frag_free(). */
void *fs_check_free_begin(struct fs_check *c, uint32_t frag);
/* After the op: every touched page and every cache against the model. */
void fs_check_quiescent(struct fs_check *c, const struct fs_cache_view *views);
/* After the final free-all and drain: every page back in the arena. */
void fs_check_teardown(struct fs_check *c);
/*
 * The runner starts its teardown (frees, drains): a finding from here on
 * is reported "At teardown, after op #N", N the trace's last operation.
 */
void fs_check_teardown_begin(struct fs_check *c);

/*
 * The differential oracle (differential.c): the runner ran one allocation
 * on the target and mirrored it on the reference model under the same
 * fault plan; the two must agree on NULL and on pfmemalloc.  false: the
 * two caches parted ways without a finding, the comparison ends here.
 */
struct fs_diff_alloc {
	const char *fn;			/* the kernel function called */
	const char *cache;		/* the trace's name of the cache */
	unsigned int size, align;
	bool got, ref_got;		/* each side returned a fragment */
	const struct fs_cache_view *view, *ref_view;	/* the caches after */
};
bool fs_check_diff_alloc(struct fs_check *c, const struct fs_diff_alloc *d);
/* The simulated memory ran out at op #@op_no: the comparison ends there. */
void fs_check_diff_exhausted(struct fs_check *c, uint64_t op_no);

/*
 * The expectations (expect.c): what the last allocation bound to a handle
 * returned, and whether an "expect" line holds for it.  On a miss the
 * runner opens the expect line as an operation (fs_check_op_begin()), then
 * fs_check_expect_failed() raises the finding.
 */
enum fs_alloc_res {
	FS_RES_NONE,			/* no allocation yet */
	FS_RES_NULL,
	FS_RES_OK,
	FS_RES_OK_PFMEMALLOC,
	FS_RES_NR,
};
bool fs_check_expect_holds(const struct fs_op *expect, enum fs_alloc_res got);
__attribute__((noreturn))
void fs_check_expect_failed(struct fs_check *c, const struct fs_trace *t,
			    const struct fs_op *expect, enum fs_alloc_res got);

bool fs_check_frag_live(const struct fs_check *c, uint32_t frag);
void *fs_check_frag_va(const struct fs_check *c, uint32_t frag);	/* NULL: not live */

/* The operation under way, saved per context while another one runs. */
struct fs_check_opstate {
	uint64_t op_no;
	uint32_t line;
	const void *op;
	const char *kernel_fn;
	unsigned int page_allocs;
	unsigned int spins;
};
void fs_check_op_save(const struct fs_check *c, struct fs_check_opstate *s);
void fs_check_op_restore(struct fs_check *c, const struct fs_check_opstate *s);

/* A fresh view of cache @i (the runner reads it from the target). */
typedef void (*fs_check_viewer_t)(void *ctx, unsigned int cache,
				  struct fs_cache_view *v);
void fs_check_set_viewer(struct fs_check *c, fs_check_viewer_t fn, void *ctx);

/* References held by agents (speculative get_page_unless_zero()). */
void fs_check_foreign(struct fs_check *c, void *page_va, int delta);

/* Where and in what context a cache is used (context rules). */
struct fs_ctx_use {
	unsigned int cpu;
	unsigned int preempt_count;	/* the kernel's layout */
	bool irqs_off;
	const char *who;		/* actor name */
	const char *ctx;		/* "task", "softirq", "hardirq" */
	const void *pc;			/* where, or NULL (an operation) */
};
enum fs_cache_class {
	FS_CLASS_PLAIN,		/* a trace's cache: one owner */
	FS_CLASS_NETDEV,	/* hardirq or irqs off */
	FS_CLASS_NAPI,		/* softirq or BH off, never hardirq */
};
/* @owner_cpu: the CPU a per-CPU cache belongs to, -1 for plain ones. */
void fs_check_ctx_use(struct fs_check *c, unsigned int cache,
		      enum fs_cache_class cls, int owner_cpu,
		      const struct fs_ctx_use *u);
/*
 * Append the interleaving the machine handed over (timeline.h) to the
 * finding's report; @t names the actors.
 */
void fs_check_report_timeline(struct fs_check *c, const struct fs_timeline *tl,
			      const struct fs_trace *t);
void fs_check_set_symbolizer(struct fs_check *c,
			     void (*fn)(const void *pc, char *buf, size_t len));
const struct fs_finding *fs_check_finding(const struct fs_check *c);
/* Notes are things worth knowing that are not findings. */
const char *fs_check_notes(const struct fs_check *c);
/* The cache (view index) a live or freed fragment came from. */
unsigned int fs_check_frag_cache(const struct fs_check *c, uint32_t id);
__attribute__((format(printf, 2, 3)))
void fs_check_note(struct fs_check *c, const char *fmt, ...);

#endif /* FRAGSIM_CHECK_H */
