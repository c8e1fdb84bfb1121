/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner's state, shared by its files and by nothing outside
 * sim/core: runner.c (the interpreter and a run's lifecycle), ops.c (the
 * trace's operations on the target), drivers.c
 * (the driver models: a driver's RX ring, the queues between actors, the
 * agents' speculative references) and mirror.c (the differential mirror
 * on the reference model).
 */
#ifndef FRAGSIM_RUNNER_INTERNAL_H
#define FRAGSIM_RUNNER_INTERNAL_H

#include <setjmp.h>

#include "runner.h"

#define NO_FRAG		UINT32_MAX
#define NO_PFN		(~0ul)

extern const struct fs_target fs_target_ref;

/* A driver RX ring's page (the seed document's ring-level case). */
struct ring {
	void *va;
	unsigned int bias, offset;
	bool pfmemalloc;
};

struct queue {
	uint32_t *ids;
	uint32_t head, tail;
	size_t cap;
};

struct fs_runner {
	struct fs_runner_opts o;
	const struct fs_target *t;
	const struct fs_target *ref;	/* non-NULL: differential on */
	struct fs_arena *arena, *ref_arena;
	struct fs_check *check;
	struct fs_machine *mach;
	struct fs_sched sched;

	const struct fs_trace *trace;
	bool conc, diff_now;
	void *nc[FS_MAX_CACHES], *ref_nc[FS_MAX_CACHES];
	struct ring rings[FS_MAX_CACHES];
	unsigned int nr_views;		/* trace caches + per-CPU ones */
	struct fs_cache_view views[FS_CHECK_MAX_CACHES];
	uint32_t *handle_frag;		/* handle -> fragment id */
	uint8_t *handle_res;		/* handle -> its last enum fs_alloc_res */
	unsigned long *handle_spec;	/* handle -> pfn of its spec-get */
	unsigned long *handle_spec_ref;	/* ... its mirror on the reference */
	uint32_t cap_handles;
	void **ref_va;			/* fragment id -> reference address */
	size_t cap_ref_va;
	uint32_t nr_frags, first_live;
	struct queue queues[FS_MAX_QUEUES];
	unsigned long *spec;		/* pfns agents hold references on */
	uint32_t nr_spec;
	size_t cap_spec;

	/* Per-CPU cache objects, for classifying accesses. */
	uintptr_t pc_lo, pc_hi;
	struct { uintptr_t lo, hi; } pcpu[FS_MAX_CPUS][FS_PCPU_NR];
	struct { unsigned int pc; bool irqs_off; uint8_t cpu; } last_use[FS_CHECK_MAX_CACHES];

	struct fs_check_opstate opst[FS_MAX_ACTORS + 1];
	uint16_t cur_actor;
	int in_kernel;
	uint64_t op_no;
	uint64_t trace_ops;		/* op_no when the teardown began */
	jmp_buf unwind;
	char notes[1024];
};

/* locate.c: an access as an FS_LOC() (a machine callback, for anchors). */
uint64_t fs_run_locate(void *ctx, const void *addr);

/* runner.c: the checker's bracket around every operation. */
void fs_run_begin(struct fs_runner *r, const struct fs_op *op, const char *fn);
/* Every cache and every touched page, once nothing is mid-update. */
void fs_run_quiescent(struct fs_runner *r);
/* false: native calls only, no scheduling points (bench). */
bool fs_run_points(const struct fs_runner *r);
/* Calls into the code under test run with the target's arena and hooks. */
void fs_run_enter_target(struct fs_runner *r);
/* A fresh view of cache @i; per-CPU caches come after the trace's. */
void fs_run_view(struct fs_runner *r, unsigned int i, struct fs_cache_view *v);
bool fs_run_is_pcpu(const struct fs_runner *r, unsigned int i);
/* Context rules: note that cache @ci is used from the current context. */
void fs_run_ctx_use(struct fs_runner *r, unsigned int ci,
		    enum fs_cache_class cls, int owner, const void *pc);

/* ops.c: the trace's operations on the target. */
void fs_op_alloc(struct fs_runner *r, const struct fs_op *op);
void fs_op_free(struct fs_runner *r, const struct fs_op *op);
/* @op NULL: the teardown's. */
void fs_op_free_all(struct fs_runner *r, const struct fs_op *op);
void fs_op_drain(struct fs_runner *r, const struct fs_op *op,
		 unsigned int cache);
void fs_op_faults(struct fs_runner *r, const struct fs_op *op);
void fs_op_expect(struct fs_runner *r, const struct fs_op *op);
void fs_run_free_frag(struct fs_runner *r, const struct fs_op *op, uint32_t id);

/* drivers.c: the RX ring. */
void *fs_ring_alloc(struct fs_runner *r, struct ring *g, const struct fs_op *op);
void fs_ring_view(const struct ring *g, struct fs_cache_view *v);
void fs_ring_drain(struct fs_runner *r, struct ring *g);
/* drivers.c: which cache a network front end took @va from. */
unsigned int fs_net_cache_of(struct fs_runner *r, const void *va,
			     struct fs_cache_view *bv,
			     struct fs_cache_view **v);
/* drivers.c: accesses to the per-CPU caches (the context rules). */
void fs_net_ranges(struct fs_runner *r);
void fs_net_access(void *ctx, const void *addr, unsigned int size,
		   unsigned int flags, const void *pc);
/* drivers.c: the queues between actors. */
void fs_queue_push(struct fs_runner *r, const struct fs_op *op);
void fs_queue_pop(struct fs_runner *r, const struct fs_op *op);
/* drivers.c: speculative references, of spec-get lines and of agents. */
bool spec_get(struct fs_runner *r, unsigned long pfn);
void spec_put(struct fs_runner *r, unsigned long pfn);
void fs_spec_op(struct fs_runner *r, const struct fs_op *op);
void fs_spec_release_all(struct fs_runner *r);

/* mirror.c: the same operation on the reference model, then the oracle. */
void fs_mirror_alloc(struct fs_runner *r, const struct fs_op *op, void *va,
		     uint32_t id);
void fs_mirror_free(struct fs_runner *r, uint32_t id);
void fs_mirror_drain(struct fs_runner *r, unsigned int cache);
void fs_mirror_spec(struct fs_runner *r, const struct fs_op *op, uint32_t id,
		    bool get);
/* Native mode keeps each fragment's address in ref_va. */
void fs_mirror_keep_va(struct fs_runner *r, uint32_t id, void *va);
/* The reference model that mirrors target @t; NULL for none. */
const struct fs_target *fs_mirror_model(const struct fs_target *t);

/* sim/core/watchdog.c: watch @r's kernel calls (NULL: none) for a hang. */
void fs_watchdog_watch(struct fs_runner *r);

#endif /* FRAGSIM_RUNNER_INTERNAL_H */
