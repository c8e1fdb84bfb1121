/* SPDX-License-Identifier: GPL-2.0 */
/* The checker's state, shared by its files; nothing outside sim/check uses it. */
#ifndef FRAGSIM_CHECK_INTERNAL_H
#define FRAGSIM_CHECK_INTERNAL_H

#include "check.h"

#define FS_HIST			12
#define FS_NO_PFN		(~0ul)
#define FS_NO_FRAG		UINT32_MAX
/* Page allocations one call may make before it counts as a livelock. */
#define FS_LIVELOCK_ALLOCS	256
/*
 * cpu_relax() turns one call may take before it counts as a livelock: the
 * machine offers the other CPUs a turn at each, so a wait another CPU
 * can end ends long before.
 */
#define FS_LIVELOCK_SPINS	4096

struct fs_hist {
	uint64_t op_no;
	const char *fn;
	int old, new;
	uint32_t op_desc_line;
	uint8_t kind;		/* enum fs_pev_kind */
	uint8_t order;
};

struct fs_page_shadow {
	uint32_t live;		/* live fragments charged to this page */
	uint32_t foreign;	/* references held by agents */
	uint64_t alloc_op;
	uint64_t *bits;		/* bytes of the block owned by live fragments */
	uint32_t bits_words;
	uint8_t dirty, touched, pfmemalloc;
	uint8_t hist_pos, hist_len;
	struct fs_hist hist[FS_HIST];
};

struct fs_frag {
	unsigned char *va;
	unsigned long pfn;	/* head of the block it is charged to */
	uint64_t alloc_op, free_op;
	uint32_t size, align;
	uint32_t alloc_line, free_line;
	uint16_t cache;
	uint8_t live;
	uint8_t pattern;
	uint8_t past_end;	/* zero-length, one past its block */
};

struct fs_check {
	struct fs_arena *arena;
	const struct fs_target *target;
	fs_check_stop_t stop;		/* the runner's; see check.h */
	void *stop_ctx;

	unsigned long nr_pfns;
	struct fs_page_shadow *pages;
	uint32_t *dirty, nr_dirty;
	uint32_t *touched, nr_touched;

	struct fs_frag *frags;
	uint32_t nr_frags;
	size_t cap_frags;

	unsigned int nr_caches;
	char cache_names[FS_CHECK_MAX_CACHES][32];
	unsigned long cache_pfn[FS_CHECK_MAX_CACHES];
	struct fs_cache_view views[FS_CHECK_MAX_CACHES];

	/* The operation under way. */
	uint64_t op_no;
	uint32_t op_line;
	const void *op;
	fs_check_describe_t describe;
	void *describe_ctx;
	const char *kernel_fn;
	const char *kernel_file, *kernel_func;
	int kernel_line;
	bool in_teardown;
	/* The runner's teardown began after op #teardown_after (reports). */
	bool tearing_down;
	uint64_t teardown_after;
	bool noted_past_end;
	bool no_payload;		/* skip fragment fill/verify */
	unsigned int op_page_allocs;	/* page allocations in this op */
	unsigned int op_spins;		/* cpu_relax() turns in this op */

	fs_check_viewer_t viewer;
	void *viewer_ctx;
	void (*symbolize)(const void *pc, char *buf, size_t len);
	/* Context rules: sticky usage bits and where each was first set. */
	struct fs_ctx_class {
		unsigned int bits;
		int cpu;			/* plain: first user's CPU */
		char first[4][160];		/* per bit: who, where */
	} cls[FS_CHECK_MAX_CACHES];

	struct fs_finding finding;
	struct fs_buf notes;
};

/*
 * Every oracle's finding goes through here: the first one of a run is
 * recorded with its report, then the run is asked to stop (check.h).
 */
__attribute__((noreturn, format(printf, 5, 6)))
void fs_check_raise(struct fs_check *c, enum fs_finding_kind k,
		    unsigned long pfn, uint32_t frag, const char *fmt, ...);
/* A finding about no page or fragment in particular (a 511-byte detail). */
__attribute__((noreturn, format(printf, 3, 4)))
void fs_check_fail(struct fs_check *c, enum fs_finding_kind k,
		   const char *fmt, ...);
const char *fs_page_state_name(enum fs_page_state st);
struct fs_frag *fs_check_new_frag(struct fs_check *c, uint32_t *id);
struct fs_page_shadow *fs_check_shadow(struct fs_check *c, unsigned long pfn);

#endif /* FRAGSIM_CHECK_INTERNAL_H */
