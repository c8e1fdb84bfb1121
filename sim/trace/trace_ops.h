/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace operations, one line each: the enum fs_op_kind, the text
 * keyword, the struct fs_op fields the operation uses and its usage line.
 * From the fields follow the text parser and printer (trace_text.c),
 * equality and op counting (trace.c) and the structural checks
 * (validate.c); docs/trace-format.md says how to add an operation.
 *
 * Positional fields are written in this order after the keyword:
 * QUEUE, CACHE, HANDLE, ACTOR, FAULTS, COUNT, EXPECT; then the KEY=N
 * parameters size=, align=, gfp=; then "{" if the operation opens a block.
 */
#ifndef FRAGSIM_TRACE_OPS_H
#define FRAGSIM_TRACE_OPS_H

#include <stdbool.h>
#include <stdint.h>

/* The struct fs_op fields an operation uses. */
#define FS_F_QUEUE	(1u << 0)	/* QUEUE: a declared queue */
#define FS_F_CACHE	(1u << 1)	/* CACHE: a declared cache */
#define FS_F_HANDLE	(1u << 2)	/* HANDLE: a bound handle */
#define FS_F_BINDS	(1u << 3)	/* "[HANDLE =]" binds it instead */
#define FS_F_ACTOR	(1u << 4)	/* SOFTIRQ_ACTOR (or the block's actor) */
#define FS_F_FAULTS	(1u << 5)	/* PLAN */
#define FS_F_COUNT	(1u << 6)	/* N: iterations of the body */
#define FS_F_EXPECT	(1u << 7)	/* ok|null|pfmemalloc|!pfmemalloc */
#define FS_F_SIZE	(1u << 8)	/* size=N */
#define FS_F_ALIGN	(1u << 9)	/* [align=A] */
#define FS_F_GFP	(1u << 10)	/* [gfp=FLAGS], default GFP_ATOMIC */
#define FS_F_COMMENT	(1u << 11)	/* # text; executes nothing */
#define FS_F_BODY	(1u << 12)	/* opens a block: body_len ops follow */

#define FS_F_ALLOC	(FS_F_BINDS | FS_F_HANDLE | FS_F_SIZE)

/*
 * X(NAME, keyword, fields, fixed size, usage).  A fixed size is what the
 * kernel call always asks for (size= is then no parameter); the keyword
 * of an actor's block is its kind's ("task", ...).
 */
#define FS_TRACE_OPS(X)							\
	X(ALLOC, "alloc", FS_F_ALLOC | FS_F_CACHE | FS_F_ALIGN | FS_F_GFP, 0, \
	  "[HANDLE =] alloc CACHE size=N [align=A] [gfp=FLAGS]")	\
	X(FREE, "free", FS_F_HANDLE, 0, "free HANDLE")			\
	X(DRAIN, "drain", FS_F_CACHE, 0, "drain CACHE")			\
	X(FREE_ALL, "free-all", 0, 0, "free-all")			\
	X(FAULTS, "faults", FS_F_FAULTS, 0, "faults PLAN")		\
	X(REPEAT, "repeat", FS_F_COUNT | FS_F_BODY, 0, "repeat N {")	\
	X(EXPECT, "expect", FS_F_HANDLE | FS_F_EXPECT, 0,		\
	  "expect HANDLE ok|null|pfmemalloc|!pfmemalloc")		\
	X(COMMENT, "#", FS_F_COMMENT, 0, "# text")			\
	/* The network stack's per-CPU caches (this CPU's). */		\
	X(NETDEV_ALLOC, "netdev_alloc_frag", FS_F_ALLOC | FS_F_ALIGN, 0, \
	  "[HANDLE =] netdev_alloc_frag size=N [align=A]")		\
	X(NAPI_ALLOC, "napi_alloc_frag", FS_F_ALLOC | FS_F_ALIGN, 0,	\
	  "[HANDLE =] napi_alloc_frag size=N [align=A]")		\
	X(NAPI_ALLOC_1K, "napi_alloc_1k", FS_F_ALLOC | FS_F_GFP, 1024,	\
	  "[HANDLE =] napi_alloc_1k [gfp=FLAGS]")			\
	/* Sections: local_irq_save .. restore, local_bh_disable .. enable. */ \
	X(IRQ_OFF, "irq-off", FS_F_BODY, 0, "irq-off")			\
	X(BH_OFF, "bh-off", FS_F_BODY, 0, "bh-off")			\
	X(ACTOR, NULL, FS_F_ACTOR | FS_F_BODY, 0, "KIND NAME cpu=C {")	\
	X(RAISE, "raise", FS_F_ACTOR, 0, "raise SOFTIRQ_ACTOR")		\
	X(PUSH, "push", FS_F_QUEUE | FS_F_HANDLE, 0, "push QUEUE HANDLE") \
	/* pop frees the oldest pushed fragment. */			\
	X(POP, "pop", FS_F_QUEUE, 0, "pop QUEUE")			\
	/* get_page_unless_zero() and put_page() of that reference. */	\
	X(SPEC_GET, "spec-get", FS_F_HANDLE, 0, "spec-get HANDLE")	\
	X(SPEC_PUT, "spec-put", FS_F_HANDLE, 0, "spec-put HANDLE")

enum fs_op_kind {
#define FS_OP_ENUM(name, keyword, fields, fixed, usage) FS_OP_##name,
	FS_TRACE_OPS(FS_OP_ENUM)
#undef FS_OP_ENUM
	FS_OP_NR
};

struct fs_op_desc {
	const char *keyword;	/* NULL: none of its own */
	uint16_t fields;	/* FS_F_* */
	uint32_t fixed_size;	/* 0, or the size it always has */
	const char *usage;
};

/* By enum fs_op_kind (trace.c). */
extern const struct fs_op_desc fs_op_descs[FS_OP_NR];

/* The descriptor of @kind, NULL for a kind no operation has. */
static inline const struct fs_op_desc *fs_op_desc(unsigned int kind)
{
	return kind < FS_OP_NR ? &fs_op_descs[kind] : 0;
}

/* True if an op of @kind is followed by a body of body_len ops. */
static inline bool fs_op_opens_block(unsigned int kind)
{
	return kind < FS_OP_NR && (fs_op_descs[kind].fields & FS_F_BODY);
}

#endif /* FRAGSIM_TRACE_OPS_H */
