/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers of the binary trace form (docs/binary-format.md), defined
 * once: layout sizes, opcodes, schedule decision kinds, gfp selectors and
 * slot kinds.  The decoder (trace_bin.c), the fuzz mutator (fuzz/mutator.c)
 * and scripts/make-fuzz-seeds.py (which parses the X-macro lists below;
 * the fuzz-seeds test checks the corpus it writes) all read them here.
 *
 * Standalone on purpose: the mutator is also built without fragsim's
 * include paths (the AFL++ custom mutator library, test_mutator).
 */
#ifndef FRAGSIM_TRACE_BIN_FORMAT_H
#define FRAGSIM_TRACE_BIN_FORMAT_H

#define FS_BIN_MAGIC0		'F'
#define FS_BIN_MAGIC1		'Z'
#define FS_BIN_VERSION		1
#define FS_BIN_HEADER		6	/* magic, version, machine, caches, actors */
#define FS_BIN_MIN_SIZE		7	/* header, then N (number of ops) */
#define FS_BIN_MAX_SLOTS	3	/* actor slots after main */
#define FS_BIN_MAX_OPS		255	/* N is one byte */
#define FS_BIN_OP_SIZE		4	/* op, sel, lo, hi */
#define FS_BIN_DEC_SIZE		3	/* gap, kind, arg */
/*
 * What a decoded input may execute, raises and hardirq counts expanded:
 * one long repeat of 32K one-byte fragments (a page's whole bias) and
 * some more; a larger input is refused, cheaply, before it runs.
 */
#define FS_BIN_MAX_TOTAL_OPS	40000u

/* What an opcode's operation reads besides its actor bits. */
#define FS_BIN_F_SEL		1u	/* s = sel >> 2 */
#define FS_BIN_F_VALUE		2u	/* v = lo | hi << 8 */

/*
 * X(NAME, mutator weight of a fresh op, fields, the trace operation it
 * decodes to: FS_OP_<that>), in opcode order: the opcode is the position.
 * Weights favour alloc/free, the front ends, sections, queues and raise.
 */
#define FS_BIN_OPCODES(X)						\
	X(ALLOC, 14, FS_BIN_F_SEL | FS_BIN_F_VALUE, ALLOC)		\
	X(ALLOC_ALIGN, 8, FS_BIN_F_SEL | FS_BIN_F_VALUE, ALLOC)		\
	X(FREE, 14, FS_BIN_F_SEL, FREE)					\
	X(DRAIN, 3, FS_BIN_F_SEL, DRAIN)				\
	X(NETDEV, 8, FS_BIN_F_SEL | FS_BIN_F_VALUE, NETDEV_ALLOC)	\
	X(NAPI, 8, FS_BIN_F_SEL | FS_BIN_F_VALUE, NAPI_ALLOC)		\
	X(NAPI_1K, 5, 0, NAPI_ALLOC_1K)					\
	X(FAULTS, 3, FS_BIN_F_SEL, FAULTS)				\
	X(IRQ_OFF, 5, FS_BIN_F_SEL, IRQ_OFF)				\
	X(BH_OFF, 5, FS_BIN_F_SEL, BH_OFF)				\
	X(REPEAT, 4, FS_BIN_F_SEL | FS_BIN_F_VALUE, REPEAT)		\
	X(RAISE, 5, FS_BIN_F_SEL, RAISE)				\
	X(PUSH, 6, FS_BIN_F_SEL, PUSH)					\
	X(POP, 6, 0, POP)						\
	X(SPEC_GET, 3, FS_BIN_F_SEL, SPEC_GET)				\
	X(SPEC_PUT, 3, FS_BIN_F_SEL, SPEC_PUT)

enum fs_bin_opcode {
#define FS_BIN_OPCODE_ENUM(name, weight, fields, op) FS_BOP_##name,
	FS_BIN_OPCODES(FS_BIN_OPCODE_ENUM)
#undef FS_BIN_OPCODE_ENUM
	FS_BIN_NR_OPCODES
};

/* The opcode is op[0] % 16: the mutator keeps the high nibble. */
_Static_assert(FS_BIN_NR_OPCODES == 16, "the opcode is the low nibble");
#define FS_BIN_OPCODE_MASK	0x0f

/*
 * X(NAME, mutator weight), in kind order: a decision's kind is
 * kind byte % FS_BIN_NR_DECISIONS, the rest of the byte is the gap's
 * high part.
 */
#define FS_BIN_DECISIONS(X)						\
	X(SWITCH,	40)						\
	X(IRQ,		25)						\
	X(SPEC_GET,	10)						\
	X(SPEC_PUT,	10)						\
	X(PRESSURE_ON,	 8)						\
	X(PRESSURE_OFF,	 7)

enum fs_bin_decision {
#define FS_BIN_DECISION_ENUM(name, weight) FS_BDEC_##name,
	FS_BIN_DECISIONS(FS_BIN_DECISION_ENUM)
#undef FS_BIN_DECISION_ENUM
	FS_BIN_NR_DECISIONS
};

/* The v of ALLOC: the size, and the gfp selector above it. */
#define FS_BIN_SIZE_MASK	0x1fff
#define FS_BIN_GFP_SHIFT	13
/* The v of ALLOC_ALIGN, NETDEV, NAPI: the size, the alignment above it. */
#define FS_BIN_ASIZE_MASK	0x0fff
#define FS_BIN_ALIGN_SHIFT	12
/* The v of REPEAT from which on it asks for a long run. */
#define FS_BIN_LONG_REPEAT	0x8000

/*
 * X(NAME, mutator weight) of the gfp selector v >> FS_BIN_GFP_SHIFT of
 * ALLOC: 0-3 leave the default (GFP_ATOMIC), so they weigh as one.
 */
#define FS_BIN_GFPS(X)							\
	X(ATOMIC,	40)						\
	X(ATOMIC_1,	 0)						\
	X(ATOMIC_2,	 0)						\
	X(ATOMIC_3,	 0)						\
	X(KERNEL,	20)						\
	X(MEMALLOC,	15)						\
	X(NOWAIT,	15)						\
	X(NOMEMALLOC,	10)

enum fs_bin_gfp {
#define FS_BIN_GFP_ENUM(name, weight) FS_BGFP_##name,
	FS_BIN_GFPS(FS_BIN_GFP_ENUM)
#undef FS_BIN_GFP_ENUM
	FS_BIN_NR_GFPS
};

_Static_assert(FS_BIN_NR_GFPS << FS_BIN_GFP_SHIFT == 0x10000,
	       "the gfp selector is the top bits of v");

/* X(NAME, mutator weight) of an actor slot's kind, bits 0-1. */
#define FS_BIN_SLOT_KINDS(X)						\
	X(TASK,		35)						\
	X(HARDIRQ,	30)						\
	X(SOFTIRQ,	35)						\
	X(TASK_3,	 0)	/* reads as a task */

enum fs_bin_slot_kind {
#define FS_BIN_SLOT_ENUM(name, weight) FS_BSLOT_##name,
	FS_BIN_SLOT_KINDS(FS_BIN_SLOT_ENUM)
#undef FS_BIN_SLOT_ENUM
	FS_BIN_NR_SLOT_KINDS
};

/* Fault plans, by machine >> 6 and by the FAULTS op's s % 4. */
#define FS_BIN_NR_PLANS		4

/* An X-macro list's weights as a table (2 or 4 columns). */
#define FS_BIN_WEIGHT_2(name, weight) weight,
#define FS_BIN_WEIGHT_4(name, weight, fields, op) weight,

#endif /* FRAGSIM_TRACE_BIN_FORMAT_H */
