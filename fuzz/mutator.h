/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structure-aware mutation and crossover of the binary trace form
 * (docs/binary-format.md), shared by the libFuzzer harnesses
 * (LLVMFuzzerCustomMutator/CustomCrossOver) and the AFL++ custom mutator
 * library (afl_mutator.c).  Pure C: no engine, no allocation.
 *
 * A *well-formed* input, which every output of this file is:
 *
 *   - size >= FS_BIN_MIN_SIZE (7 bytes);
 *   - bytes 0..2 are 'F' 'Z' 1 (magic and version);
 *   - byte 5, the actor slot count a, is 0..3 with its upper bits clear;
 *   - bytes 6 .. 5+a are the a slot bytes;
 *   - byte 6+a is N, and all 4*N operation bytes follow it: the input
 *     does not end inside the operations;
 *   - what is left, size - (7 + a + 4*N), is a multiple of 3: whole
 *     schedule decisions, no partial one at the end.
 *
 * Every other byte (machine, caches, slots, operations, decisions) may hold
 * any value: the decoder takes each field modulo its range.  A well-formed
 * input decodes to exactly what its bytes say, with nothing ignored.
 *
 * Anything else is first repaired (fs_repair) rather than rejected: the
 * magic and version are overwritten, a missing header is zero-filled, the
 * slot count loses its upper bits and is cut to the slot bytes present,
 * N is cut to the complete operations present (as in the decoder, the bytes
 * of a partial op then start the decisions), and a partial decision at the
 * end is dropped.  So for an input that starts with the magic, the repair
 * keeps what the decoder (sim/trace/trace_bin.c) reads of it.
 *
 * Sizes: @max_size is the room of the buffer.  No function writes at or
 * past it; an input larger than it is cut at boundaries, keeping as many
 * slots, then ops, then decisions as fit (so decisions go first).  Below
 * FS_BIN_MIN_SIZE there is no well-formed input, and the functions return 0
 * (write nothing).
 */
#ifndef FRAGSIM_FUZZ_MUTATOR_H
#define FRAGSIM_FUZZ_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The layout's numbers: FS_BIN_MIN_SIZE, FS_BIN_OP_SIZE, opcodes, ... */
#include "../sim/trace/bin_format.h"

/*
 * A byte-level mutator (LLVMFuzzerMutate): mutates @size bytes at @data in
 * place, may grow them up to @max, returns the new size.
 */
typedef size_t (*fs_bytes_mutator_t)(uint8_t *data, size_t size, size_t max);

/* The mutations fs_mutate() picks from, by weight (mutator.c). */
enum fs_mutation {
	FS_MUT_OP_INSERT,	/* a fresh op, biased toward useful opcodes */
	FS_MUT_OP_DELETE,	/* one op or a run of up to 4 */
	FS_MUT_OP_DUP,		/* copy a run of 1..8 ops elsewhere */
	FS_MUT_OP_SWAP,		/* exchange two ops */
	FS_MUT_OP_MOVE,		/* take an op out, put it elsewhere */
	FS_MUT_OP_OPCODE,	/* change an op's opcode */
	FS_MUT_OP_ACTOR,	/* change an op's actor bits */
	FS_MUT_OP_SEL,		/* change an op's selector s */
	FS_MUT_OP_VALUE,	/* size, gfp, align or repeat count */
	FS_MUT_HEADER,		/* machine and caches bytes */
	FS_MUT_SLOT_ADD,	/* a new actor slot, given a few ops */
	FS_MUT_SLOT_DEL,	/* drop a slot, its ops go to main */
	FS_MUT_SLOT_TUNE,	/* kind, CPU or hardirq count of a slot */
	FS_MUT_DEC_INSERT,	/* a fresh schedule decision */
	FS_MUT_DEC_DELETE,	/* one decision or a run of up to 4 */
	FS_MUT_DEC_DUP,		/* copy a run of 1..4 decisions */
	FS_MUT_DEC_TWEAK,	/* gap, kind or arg of a decision */
	FS_MUT_BYTES_FIELD,	/* byte-level change of one field */
	FS_MUT_BYTES_RUN,	/* byte-level change of a run */
	FS_MUT_NR
};

/* A short name of @kind ("op-insert", ...), "?" if out of range. */
const char *fs_mutation_name(unsigned int kind);

/* True if the @size bytes at @data are well-formed (above). */
bool fs_well_formed(const uint8_t *data, size_t size);

/*
 * Make the @size bytes at @data well-formed in place, in a buffer of
 * @max_size bytes; returns the new size (0 if @max_size is below
 * FS_BIN_MIN_SIZE).  A well-formed input that fits is left unchanged.
 */
size_t fs_repair(uint8_t *data, size_t size, size_t max_size);

/*
 * Repair, then apply one to four mutations (at least one that changes the
 * bytes, unless nothing can) chosen by @seed; returns the new size.  With a
 * @bytes_mutator (libFuzzer's LLVMFuzzerMutate) the byte-level mutations
 * hand it one field or a run; with NULL (AFL++) they use their own tweaks.
 * The same arguments always give the same output.
 */
size_t fs_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
		 fs_bytes_mutator_t bytes_mutator);

/*
 * As fs_mutate() but exactly one attempt at mutation @kind; the bytes may
 * come back unchanged (or only repaired) when @kind does not apply.
 */
size_t fs_mutate_kind(uint8_t *data, size_t size, size_t max_size,
		      uint64_t seed, fs_bytes_mutator_t bytes_mutator,
		      unsigned int kind);

/*
 * Splice two inputs (each repaired first, neither modified) into @out, at
 * most @max_out bytes: the header and slots of one parent, a prefix of one
 * parent's ops followed by a suffix (or a middle run) of the other's, the
 * decisions of either or a prefix of a's and a suffix of b's.  Returns the
 * size written, 0 if @max_out is below FS_BIN_MIN_SIZE.  @out must not
 * overlap @a or @b.
 */
size_t fs_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		    uint8_t *out, size_t max_out, uint64_t seed);

/* Where the parts of a well-formed input are (fs_layout()). */
struct fs_layout {
	size_t nslots;		/* actor slots, 0..3 */
	size_t nops;		/* N */
	size_t ndec;		/* whole decisions */
	size_t ops_off;		/* first op byte: 7 + nslots */
	size_t dec_off;		/* first decision: ops_off + 4 * nops */
};

/* Fill @l for a well-formed input; false (and @l untouched) otherwise. */
bool fs_layout(const uint8_t *data, size_t size, struct fs_layout *l);

#endif /* FRAGSIM_FUZZ_MUTATOR_H */
