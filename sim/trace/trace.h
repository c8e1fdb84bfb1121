/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace model: the unit users pass around.
 *
 * A trace is a header (format version, target, seed, initial fault plan,
 * expected finding) plus named caches plus a flat list of operations.
 * Repeat blocks are an op whose body is the next @body_len ops (bodies may
 * nest).  The text form (trace_text.c, docs/trace-format.md) round-trips
 * exactly through this model.
 */
#ifndef FRAGSIM_TRACE_H
#define FRAGSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fragsim/faults.h>
#include <fragsim/gfp.h>

#define FS_TRACE_VERSION	1
#define FS_NAME_MAX		32	/* cache and handle names, incl. NUL */
#define FS_NO_HANDLE		UINT32_MAX
#define FS_MAX_CACHES		16
#define FS_MAX_REPEAT		10000000u

enum fs_cache_kind {
	FS_CACHE_PAGE_FRAG,	/* a driver's struct page_frag_cache */
};

enum fs_op_kind {
	FS_OP_ALLOC,		/* [handle =] alloc CACHE size=N [align=A] [gfp=G] */
	FS_OP_FREE,		/* free HANDLE */
	FS_OP_DRAIN,		/* drain CACHE */
	FS_OP_FREE_ALL,		/* free-all: every live fragment, oldest first */
	FS_OP_FAULTS,		/* faults PLAN */
	FS_OP_REPEAT,		/* repeat N { body } */
	FS_OP_EXPECT,		/* expect HANDLE ok|null|pfmemalloc|!pfmemalloc */
	FS_OP_COMMENT,		/* # text (kept so text round-trips exactly) */
};

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
	uint32_t line;		/* line in the text form, 0 if generated */
};

struct fs_cache_decl {
	char name[FS_NAME_MAX];
	uint8_t kind;		/* enum fs_cache_kind */
};

struct fs_trace {
	unsigned int version;		/* FS_TRACE_VERSION */
	char target[FS_NAME_MAX];	/* "" = not given, runner's choice */
	uint64_t seed;
	fs_faults_t faults;		/* plan at the start */
	char expect_finding[64];	/* "" = none stated, "none", or a kind */

	struct fs_cache_decl caches[FS_MAX_CACHES];
	unsigned int nr_caches;

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

/* Index of the named handle/cache, or -1. */
long fs_trace_find_handle(const struct fs_trace *t, const char *name);
int fs_trace_find_cache(const struct fs_trace *t, const char *name);

/* Structural equality (used by round-trip tests and fuzz_trace_text). */
bool fs_trace_equal(const struct fs_trace *a, const struct fs_trace *b);

/* Number of primitive operations the trace executes, repeats expanded. */
uint64_t fs_trace_op_count(const struct fs_trace *t);

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
