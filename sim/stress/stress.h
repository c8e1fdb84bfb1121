/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fragsim stress: the uninstrumented kernel code on real pthreads, one per
 * simulated CPU (docs/stress.md).  No simulator, no replay: the checker
 * here is thread-safe and cheap (an atomic owner per 8 bytes of arena,
 * payload fill/verify, refcount sums at quiescent points).
 */
#ifndef FRAGSIM_STRESS_H
#define FRAGSIM_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/kctx.h>
#include <fragsim/target.h>

#define ST_MAX_CPUS	8
#define ST_LAST		8	/* last operations kept per thread and context */
#define ST_RING		256

enum st_ctx { ST_TASK, ST_SOFTIRQ, ST_HARDIRQ, ST_HELPER, ST_NR_CTX };

enum st_op_kind {
	ST_OP_ALLOC,		/* page_frag_alloc() on a cache */
	ST_OP_NETDEV,		/* netdev_alloc_frag() */
	ST_OP_NAPI,		/* napi_alloc_frag() */
	ST_OP_FREE,		/* page_frag_free() / skb_free_frag() */
	ST_OP_NR,
};

/* A live fragment as the checker tracks it. */
struct st_frag {
	void *va;
	uint32_t size;
	uint32_t id;		/* owner tag in the map and payload word */
	bool net;		/* freed with the target's free_net */
};

struct st_last {
	uint64_t seq;
	void *va;
	uint32_t size;
	uint8_t kind, ctx;
};

/* Each CPU thread: its kernel CPU state, its cache, its outbound ring. */
struct st_cpu {
	struct fs_kcpu k;
	unsigned int id;
	uint64_t rng;
	void *cache;		/* page_frag_test's cache, this thread only */
	int ring_lock;
	unsigned int ring_head, ring_len;
	struct st_frag ring[ST_RING];	/* the next CPU pops and frees */
	struct st_last last[2][ST_LAST]; /* [0] task/softirq, [1] hardirq */
	unsigned int nlast[2];
	uint64_t ops, irqs, null;
};

/* The checker (stress_check.c). */
int st_check_init(unsigned int nr_cpus);
void st_check_fini(void);
/* Install the shim hooks (page events, kernel BUG/WARN). */
void st_check_hooks(struct st_cpu *cpus, unsigned int nr_cpus,
		    const char *trace);
/* Claim and fill @f (just allocated); false after a finding. */
bool st_frag_claim(struct st_cpu *c, struct st_frag *f, int ctx, const char *fn);
/* Verify and release @f before it is freed; false after a finding. */
bool st_frag_release(struct st_cpu *c, struct st_frag *f, int ctx);
/* Refcount sums with every thread parked; @caches the caches' objects. */
void st_check_quiescent(const struct fs_target *t, void *const *caches,
			unsigned int nr_caches, unsigned int nr_cpus);
/* Everything drained and freed: every page back. */
void st_check_teardown(void);
/* The first finding wins; the others are counted. */
void st_finding(struct st_cpu *c, int ctx, const char *title,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool st_found(void);
/* Print the finding (KASAN-style) with the threads' last operations. */
void st_report(struct st_cpu *cpus, unsigned int nr_cpus, const char *trace);
unsigned long st_nr_findings(void);
extern int st_stop;
/* The CPU thread running, NULL on the others. */
extern __thread struct st_cpu *st_self;
extern struct fs_arena *st_arena;

int fs_stress_main(int argc, char **argv);

#endif /* FRAGSIM_STRESS_H */
