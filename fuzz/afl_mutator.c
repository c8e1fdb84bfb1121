// SPDX-License-Identifier: GPL-2.0
/*
 * AFL++ custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY) around
 * mutator.c, for the binary trace form: AFL++ ignores
 * LLVMFuzzerCustomMutator, so the same mutations come in through here.
 *
 *   afl_custom_init/deinit	state: a generator and the output buffers
 *   afl_custom_fuzz		fs_crossover with the splice partner AFL++
 *				offers (1 in 4), else fs_mutate (no engine
 *				byte mutator: NULL)
 *   afl_custom_init_trim,	trimming that keeps the structure: drop all
 *   afl_custom_trim,		decisions, then each op from the last, then
 *   afl_custom_post_trim	runs of decisions from the end
 *
 * Works with AFL_CUSTOM_MUTATOR_ONLY=1.  Prototypes as in AFL++ 4.04c
 * docs/custom_mutators.md; afl_state_t stays opaque (no AFL++ headers), and
 * the buffers handed back are our own (never AFL++'s, so no afl_realloc).
 */
#include <stdlib.h>
#include <string.h>

#include "../sim/lib/rng.h"
#include "mutator.h"

#define EXPORT __attribute__((visibility("default")))

/* Decision runs dropped per trim step: about this many steps at most. */
#define TRIM_DEC_STEPS	64

enum trim_phase { TRIM_ALL_DECS, TRIM_OPS, TRIM_DECS, TRIM_DONE };

struct fs_afl {
	uint64_t rng;
	uint8_t *out;		/* what afl_custom_fuzz returns */
	size_t out_cap;
	/* trimming: cur is the accepted input, cand the one on trial */
	uint8_t *cur, *cand;
	size_t cur_len, cand_len, cur_cap, cand_cap;
	enum trim_phase phase;
	size_t op;		/* TRIM_OPS: next op to try, plus one */
	size_t dec_end;		/* TRIM_DECS: the run ends here */
	size_t dec_run;
	int step, steps;
};

static uint64_t next_seed(struct fs_afl *st)
{
	return fs_rng_next(&st->rng);
}

/* Grow *@buf to at least @want bytes (and the minimal input). */
static bool reserve(uint8_t **buf, size_t *cap, size_t want)
{
	uint8_t *p;

	if (want < FS_BIN_MIN_SIZE)
		want = FS_BIN_MIN_SIZE;
	if (*cap >= want)
		return true;
	p = realloc(*buf, want);
	if (!p)
		return false;
	*buf = p;
	*cap = want;
	return true;
}

EXPORT void *afl_custom_init(void *afl, unsigned int seed)
{
	struct fs_afl *st = calloc(1, sizeof(*st));

	(void)afl;
	if (st)
		st->rng = seed;
	return st;
}

EXPORT void afl_custom_deinit(void *data)
{
	struct fs_afl *st = data;

	free(st->out);
	free(st->cur);
	free(st->cand);
	free(st);
}

EXPORT size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
			      unsigned char **out_buf, unsigned char *add_buf,
			      size_t add_buf_size, size_t max_size)
{
	struct fs_afl *st = data;
	uint64_t seed = next_seed(st);
	size_t n;

	*out_buf = buf;
	if (!reserve(&st->out, &st->out_cap,
		     buf_size > max_size ? buf_size : max_size))
		return buf_size;
	if (add_buf && add_buf_size && seed % 4 == 0) {
		n = fs_crossover(buf, buf_size, add_buf, add_buf_size,
				 st->out, max_size, next_seed(st));
		/* and mutate the child half of the time */
		if (n && seed & 4)
			n = fs_mutate(st->out, n, max_size, next_seed(st),
				      NULL);
	} else {
		memcpy(st->out, buf, buf_size);
		n = fs_mutate(st->out, buf_size, max_size, seed, NULL);
	}
	/* no well-formed input fits in max_size: AFL++ skips a 0 */
	if (n)
		*out_buf = st->out;
	return n;
}

/* Move to the next candidate that exists, or to TRIM_DONE. */
static void trim_advance(struct fs_afl *st)
{
	struct fs_layout l;

	fs_layout(st->cur, st->cur_len, &l);
	switch (st->phase) {
	case TRIM_ALL_DECS:
		st->phase = TRIM_OPS;
		st->op = l.nops;
		/* fall through */
	case TRIM_OPS:
		if (st->op)
			return;
		st->phase = TRIM_DECS;
		st->dec_end = l.ndec;
		st->dec_run = l.ndec / TRIM_DEC_STEPS + 1;
		/* fall through */
	case TRIM_DECS:
		if (st->dec_end)
			return;
		st->phase = TRIM_DONE;
		/* fall through */
	case TRIM_DONE:
		break;
	}
}

/* Build the candidate of the current step from cur. */
static void trim_build(struct fs_afl *st)
{
	struct fs_layout l;
	size_t at, n = 0;

	fs_layout(st->cur, st->cur_len, &l);
	switch (st->phase) {
	case TRIM_ALL_DECS:
		at = l.dec_off;
		n = st->cur_len - at;
		break;
	case TRIM_OPS:
		at = l.ops_off + FS_BIN_OP_SIZE * (st->op - 1);
		n = FS_BIN_OP_SIZE;
		break;
	case TRIM_DECS:
		n = st->dec_run < st->dec_end ? st->dec_run : st->dec_end;
		at = l.dec_off + FS_BIN_DEC_SIZE * (st->dec_end - n);
		n *= FS_BIN_DEC_SIZE;
		break;
	default:
		at = st->cur_len;
		break;
	}
	memcpy(st->cand, st->cur, at);
	memcpy(st->cand + at, st->cur + at + n, st->cur_len - at - n);
	st->cand_len = st->cur_len - n;
	if (st->phase == TRIM_OPS)
		st->cand[l.ops_off - 1]--;	/* N */
}

EXPORT int afl_custom_init_trim(void *data, unsigned char *buf,
				size_t buf_size)
{
	struct fs_afl *st = data;
	struct fs_layout l;

	/* candidates are never longer than cur */
	if (!reserve(&st->cur, &st->cur_cap, buf_size) ||
	    !reserve(&st->cand, &st->cand_cap, st->cur_cap))
		return 0;
	memcpy(st->cur, buf, buf_size);
	st->cur_len = fs_repair(st->cur, buf_size, st->cur_cap);
	fs_layout(st->cur, st->cur_len, &l);

	st->phase = l.ndec ? TRIM_ALL_DECS : TRIM_OPS;
	st->op = l.nops;
	st->dec_end = l.ndec;
	st->dec_run = l.ndec / TRIM_DEC_STEPS + 1;
	if (st->phase == TRIM_OPS)
		trim_advance(st);
	st->step = 0;
	st->steps = (int)(!!l.ndec + l.nops +
			  (l.ndec + st->dec_run - 1) / st->dec_run);
	return st->phase == TRIM_DONE ? 0 : st->steps;
}

EXPORT size_t afl_custom_trim(void *data, unsigned char **out_buf)
{
	struct fs_afl *st = data;

	trim_build(st);
	*out_buf = st->cand;
	return st->cand_len;
}

EXPORT int afl_custom_post_trim(void *data, unsigned char success)
{
	struct fs_afl *st = data;

	if (success) {
		memcpy(st->cur, st->cand, st->cand_len);
		st->cur_len = st->cand_len;
	}
	/* whether or not it went, this candidate is done with */
	switch (st->phase) {
	case TRIM_OPS:
		st->op--;
		break;
	case TRIM_DECS:
		st->dec_end -= st->dec_run < st->dec_end ? st->dec_run :
							   st->dec_end;
		break;
	default:
		break;
	}
	trim_advance(st);
	if (st->phase == TRIM_DONE || ++st->step >= st->steps)
		return st->steps;
	return st->step;
}
