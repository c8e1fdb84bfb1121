/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace model: the unit users pass around.
 *
 * A trace is a header (format version, target, seed, initial fault plan,
 * expected finding, machine configuration, schedule) plus named caches,
 * queues, actors and agents, plus a flat list of operations.  Repeat
 * blocks, irq-off/bh-off sections and actor bodies are an op whose body is
 * the next @body_len ops (bodies may nest; actor bodies only at top level).
 * Operations outside any actor body are the implicit task "main" on CPU 0.
 * The text form (trace_text.c, docs/trace-format.md) round-trips exactly
 * through this model.
 */
#ifndef FRAGSIM_TRACE_H
#define FRAGSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fragsim/faults.h>
#include <fragsim/gfp.h>

#include "../sched/strategies.h"
#include "anchor.h"
#include "trace_ops.h"

#define FS_TRACE_VERSION	1
#define FS_NAME_MAX		32	/* cache and handle names, incl. NUL */
#define FS_NO_HANDLE		UINT32_MAX
#define FS_MAX_CACHES		16
#define FS_MAX_REPEAT		10000000u
/* From this many rounds, rounds after the second have no scheduling points. */
#define FS_REPEAT_QUIET_ROUNDS	1024u
#define FS_MAX_CPUS		8
#define FS_MAX_ACTORS		16	/* declared actors (main is implicit) */
#define FS_MAX_QUEUES		8
#define FS_MAX_DECISIONS	65536
#define FS_MAX_NESTING		64	/* blocks a runnable model nests */
#define FS_MAIN_ACTOR		UINT16_MAX	/* the implicit task */

enum fs_cache_kind {
	FS_CACHE_PAGE_FRAG,	/* a driver's struct page_frag_cache */
	FS_CACHE_RX_RING,	/* a driver RX ring: one page, refcount bias */
};

enum fs_actor_kind {
	FS_ACTOR_TASK,		/* task NAME cpu=N { body } */
	FS_ACTOR_HARDIRQ,	/* hardirq NAME cpu=N [count=K] { body } */
	FS_ACTOR_SOFTIRQ,	/* softirq NAME cpu=N { body } (NAPI poll) */
};

enum fs_agent_kind {
	FS_AGENT_SPECULATIVE,	/* agent speculative [count=N] */
	FS_AGENT_PRESSURE,	/* agent pressure [count=N] */
	FS_AGENT_NR,
};

/* The strategies themselves are listed in sim/sched/strategies.h. */
enum fs_strategy {
	FS_SCHED_DEFAULT,	/* no schedule line: the runner's choice */
#define FS_STRATEGY_ENUM(id, name, ops) FS_SCHED_##id,
	FS_STRATEGIES(FS_STRATEGY_ENUM)
#undef FS_STRATEGY_ENUM
	FS_SCHED_NR,
};

enum fs_preempt {
	FS_PREEMPT_NONE,	/* preempt none: tasks switch only when done or waiting */
	FS_PREEMPT_FULL,	/* preempt full: at any point with preempt_count 0 */
};

/* One scheduler decision, taken at scheduling point @step. */
enum fs_decision_kind {
	FS_DEC_SWITCH,		/* at S switch TASK: run that task actor next */
	FS_DEC_IRQ,		/* at S irq HARDIRQ: inject that handler */
	FS_DEC_SPEC_GET,	/* at S spec-get page=N: get_page_unless_zero */
	FS_DEC_SPEC_PUT,	/* at S spec-put page=N: put_page */
	FS_DEC_PRESSURE_ON,	/* at S pressure on */
	FS_DEC_PRESSURE_OFF,	/* at S pressure off */
	FS_DEC_NR,
};

/* enum fs_op_kind and the table of operations: trace_ops.h. */

enum fs_expect {
	FS_EXPECT_OK,		/* the last alloc bound to HANDLE succeeded */
	FS_EXPECT_NULL,		/* ... returned NULL */
	FS_EXPECT_PFMEMALLOC,	/* ... succeeded from a pfmemalloc page */
	FS_EXPECT_NOT_PFMEMALLOC,
};

struct fs_op {
	uint8_t kind;		/* enum fs_op_kind */
	uint8_t expect;		/* FS_OP_EXPECT: enum fs_expect */
	uint16_t cache;		/* ALLOC, DRAIN: index into trace->caches */
	uint32_t handle;	/* ALLOC (or FS_NO_HANDLE), FREE, EXPECT */
	uint32_t size;		/* ALLOC: fragsz */
	uint32_t align;		/* ALLOC: 0 = page_frag_alloc(), else align */
	fs_gfp_t gfp;		/* ALLOC */
	fs_faults_t faults;	/* FAULTS */
	uint32_t count;		/* REPEAT: iterations */
	uint32_t body_len;	/* REPEAT: number of ops in the body */
	uint32_t comment;	/* COMMENT: index into trace->strings */
	uint16_t actor;		/* ACTOR, RAISE: index into trace->actors */
	uint16_t queue;		/* PUSH, POP: index into trace->queues */
	uint32_t line;		/* line in the text form, 0 if generated */
};

struct fs_cache_decl {
	char name[FS_NAME_MAX];
	uint8_t kind;		/* enum fs_cache_kind */
};

struct fs_actor {
	char name[FS_NAME_MAX];
	uint8_t kind;		/* enum fs_actor_kind */
	uint8_t cpu;		/* < trace->cpus */
	uint32_t count;		/* HARDIRQ: injections at most (default 1) */
	uint32_t op;		/* index of its FS_OP_ACTOR op */
};

struct fs_agent {
	bool on;
	uint32_t count;		/* actions at most (default 64) */
};

struct fs_decision {
	uint64_t step;		/* scheduling point, counted from 0 */
	uint8_t kind;		/* enum fs_decision_kind */
	uint32_t arg;		/* SWITCH/IRQ: actor index; SPEC_*: page */
	uint32_t line;
	struct fs_anchor an;	/* an.k == 0: placed by step only */
};

struct fs_schedule {
	uint8_t strategy;	/* enum fs_strategy */
	uint32_t depth;		/* PCT: bug depth d (default 3) */
	uint32_t preemptions;	/* EXHAUSTIVE: bound (default 2) */
	uint32_t injections;	/* EXHAUSTIVE: bound (default 2) */
	struct fs_decision *dec;	/* REPLAY: in step order */
	uint32_t nr_dec, cap_dec;
};

struct fs_trace {
	unsigned int version;		/* FS_TRACE_VERSION */
	char target[FS_NAME_MAX];	/* "" = not given, runner's choice */
	uint64_t seed;
	fs_faults_t faults;		/* plan at the start */
	char expect_finding[64];	/* "" = none stated, "none", or a kind */
	/* `recorded BUILD TITLE`: what the trace was written for ("" none) */
	char rec_build[FS_NAME_MAX];
	char rec_title[160];

	unsigned int cpus;		/* 1..FS_MAX_CPUS */
	uint8_t preempt;		/* enum fs_preempt */
	bool rt;			/* PREEMPT_RT: local locks are real */
	struct fs_agent agents[FS_AGENT_NR];
	struct fs_schedule sched;

	struct fs_cache_decl caches[FS_MAX_CACHES];
	unsigned int nr_caches;
	char queues[FS_MAX_QUEUES][FS_NAME_MAX];
	unsigned int nr_queues;
	struct fs_actor actors[FS_MAX_ACTORS];
	unsigned int nr_actors;

	char (*handles)[FS_NAME_MAX];	/* handle names, by index */
	uint32_t nr_handles, cap_handles;

	struct fs_op *ops;
	uint32_t nr_ops, cap_ops;

	char **strings;			/* comment texts */
	uint32_t nr_strings, cap_strings;
};

void fs_trace_init(struct fs_trace *t);
void fs_trace_free(struct fs_trace *t);

/* Append; return the new element's index.  Abort on out-of-memory. */
uint32_t fs_trace_add_op(struct fs_trace *t, const struct fs_op *op);
uint32_t fs_trace_add_handle(struct fs_trace *t, const char *name);
uint32_t fs_trace_add_string(struct fs_trace *t, const char *s);
int fs_trace_add_cache(struct fs_trace *t, const char *name,
		       enum fs_cache_kind kind);
/* -1 when full or the name is taken. */
int fs_trace_add_queue(struct fs_trace *t, const char *name);
int fs_trace_add_actor(struct fs_trace *t, const char *name,
		       enum fs_actor_kind kind, unsigned int cpu, uint32_t count);
void fs_trace_add_decision(struct fs_trace *t, const struct fs_decision *d);
/* Are the trace's decisions anchored (all of them; the parser sees to it)? */
bool fs_trace_anchored(const struct fs_trace *t);
int fs_trace_find_actor(const struct fs_trace *t, const char *name);
int fs_trace_find_queue(const struct fs_trace *t, const char *name);
/* True if the trace declares anything beyond one CPU's task. */
bool fs_trace_concurrent(const struct fs_trace *t);

/* Index of the named handle/cache, or -1. */
long fs_trace_find_handle(const struct fs_trace *t, const char *name);
int fs_trace_find_cache(const struct fs_trace *t, const char *name);

/*
 * The model's structure (validate.c): indices in range, bodies inside the
 * trace and nested at most FS_MAX_NESTING deep.  @check, if not NULL, is
 * called for each op after its indices are checked (a runner's target
 * capabilities); a non-zero return stops with it.  0, or -1 with @err.
 */
typedef int (*fs_op_check_t)(void *ctx, const struct fs_op *op, char *err,
			     size_t errlen);
int fs_trace_validate(const struct fs_trace *t, fs_op_check_t check,
		      void *ctx, char *err, size_t errlen);

/* Structural equality (used by round-trip tests and fuzz_trace_text). */
bool fs_trace_equal(const struct fs_trace *a, const struct fs_trace *b);

/* Number of primitive operations the trace executes, repeats expanded. */
uint64_t fs_trace_op_count(const struct fs_trace *t);
/*
 * The most a run may execute: as fs_trace_op_count(), and every `raise`
 * runs its softirq's body once more.  A trace may execute at most
 * FS_MAX_TRACE_OPS (docs/trace-format.md, "Limits"); fs_trace_validate()
 * refuses more.
 */
uint64_t fs_trace_op_bound(const struct fs_trace *t);
#define FS_MAX_TRACE_OPS	10000000u

/*
 * Text form.  fs_trace_parse() fills @t (initialised by the caller) from
 * @text; on error it returns -1 and writes "FILE:LINE: message" into @err.
 * @file is only used in error messages.
 */
int fs_trace_parse(struct fs_trace *t, const char *text, size_t len,
		   const char *file, char *err, size_t errlen);
int fs_trace_parse_file(struct fs_trace *t, const char *path,
			char *err, size_t errlen);

/*
 * One operation as its canonical text line, without indentation or
 * newline ("h1 = alloc nc0 size=64 align=64"); for reports.
 */
void fs_trace_format_op(const struct fs_trace *t, const struct fs_op *op,
			char *buf, size_t len);

/* Canonical text.  Returns a malloc()ed NUL-terminated string. */
char *fs_trace_print(const struct fs_trace *t);
int fs_trace_write_file(const struct fs_trace *t, const char *path);

#endif /* FRAGSIM_TRACE_H */
