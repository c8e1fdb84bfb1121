// SPDX-License-Identifier: GPL-2.0
/*
 * Structure-aware mutator of the binary trace form: mutator.h has the
 * contract, docs/binary-format.md the layout.
 *
 * An input is read (leniently, as the decoder would) into a struct prog
 * holding the header, the slots and the ops.  The decisions stay in the
 * byte buffer and move as one block when the part before them changes size,
 * so a large schedule costs a memmove, not a copy.  Op, slot and header
 * mutations edit the struct and lay it out again; decision mutations edit
 * the buffer in place.
 */
#include <string.h>

#include "../sim/lib/array.h"
#include "../sim/lib/rng.h"
#include "mutator.h"

#define MIN(a, b)	((a) < (b) ? (a) : (b))

#define OPS		FS_BIN_OP_SIZE
#define DEC		FS_BIN_DEC_SIZE
#define NR_OPCODES	FS_BIN_NR_OPCODES

struct prog {
	uint8_t machine;
	uint8_t caches;
	size_t nslots;
	uint8_t slot[FS_BIN_MAX_SLOTS];
	size_t nops;
	uint8_t op[FS_BIN_MAX_OPS][OPS];
	const uint8_t *dec;	/* ndec decisions, not owned */
	size_t ndec;
};

/* ------------------------------------------------------------------------
 * Randomness: sim/lib's splitmix64, so a seed always gives the same mutation
 */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	return fs_rng_next(&r->s);
}

static size_t below(struct rng *r, size_t n)
{
	return (size_t)fs_rng_below(&r->s, n);
}

static bool one_in(struct rng *r, size_t n)
{
	return below(r, n) == 0;
}

/* An index into the @n weights @w, picked in proportion to them. */
static unsigned int pick(struct rng *r, const uint8_t *w, unsigned int n)
{
	unsigned int total = 0, i;
	size_t x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Reading and laying out
 */

static uint8_t byte_at(const uint8_t *d, size_t n, size_t i)
{
	return i < n ? d[i] : 0;
}

/* Read what the decoder reads of @d: the repair rules of mutator.h. */
static void parse(struct prog *p, const uint8_t *d, size_t n)
{
	size_t off, avail;

	memset(p, 0, sizeof(*p));
	p->machine = byte_at(d, n, 3);
	p->caches = byte_at(d, n, 4);
	p->nslots = byte_at(d, n, 5) & 3;
	avail = n > 6 ? n - 6 : 0;
	p->nslots = MIN(p->nslots, avail);
	if (p->nslots)
		memcpy(p->slot, d + 6, p->nslots);

	off = 6 + p->nslots;
	p->nops = byte_at(d, n, off++);
	avail = n > off ? (n - off) / OPS : 0;
	/* as the decoder: the bytes of a partial op start the decisions */
	p->nops = MIN(p->nops, avail);
	if (p->nops)
		memcpy(p->op, d + off, OPS * p->nops);
	off += OPS * p->nops;
	if (off <= n) {
		/* set even with no decisions: inserting one moves from here */
		p->dec = d + off;
		p->ndec = (n - off) / DEC;
	}
}

static size_t head_size(const struct prog *p)
{
	return FS_BIN_MIN_SIZE + p->nslots + OPS * p->nops;
}

static size_t prog_size(const struct prog *p)
{
	return head_size(p) + DEC * p->ndec;
}

/* Cut @p to @max bytes at boundaries: decisions, then ops, then slots. */
static bool fit(struct prog *p, size_t max)
{
	if (max < FS_BIN_MIN_SIZE)
		return false;
	if (FS_BIN_MIN_SIZE + p->nslots > max)
		p->nslots = max - FS_BIN_MIN_SIZE;
	if (head_size(p) > max)
		p->nops = (max - FS_BIN_MIN_SIZE - p->nslots) / OPS;
	if (prog_size(p) > max)
		p->ndec = (max - head_size(p)) / DEC;
	return true;
}

static void write_head(const struct prog *p, uint8_t *out)
{
	out[0] = FS_BIN_MAGIC0;
	out[1] = FS_BIN_MAGIC1;
	out[2] = FS_BIN_VERSION;
	out[3] = p->machine;
	out[4] = p->caches;
	out[5] = (uint8_t)p->nslots;
	memcpy(out + 6, p->slot, p->nslots);
	out[6 + p->nslots] = (uint8_t)p->nops;
	memcpy(out + FS_BIN_MIN_SIZE + p->nslots, p->op, OPS * p->nops);
}

/*
 * Lay @p out in @out (room @max); its decisions may already be in @out,
 * anywhere, so they move first (the head is in @p, not in @out).
 */
static size_t emit(struct prog *p, uint8_t *out, size_t max)
{
	size_t h;

	if (!fit(p, max))
		return 0;
	h = head_size(p);
	if (p->ndec)
		memmove(out + h, p->dec, DEC * p->ndec);
	p->dec = out + h;
	write_head(p, out);
	return h + DEC * p->ndec;
}

/* ------------------------------------------------------------------------
 * Field values
 */

/* Interesting sizes: 0, 1, cache lines, skb heads, around PAGE_SIZE. */
static const uint16_t sizes[] = {
	0, 1, 2, 8, 63, 64, 65, 128, 256, 512, 576, 1024, 1500, 1856,
	2048, 2049, 3000, 3968, 4032, 4095, 4096, 4097, 6144, 8191,
};

/* The weights of bin_format.h: a fresh op, gfp selector, slot, decision. */
static const uint8_t opcode_weight[] = {
	FS_BIN_OPCODES(FS_BIN_WEIGHT_4)
};
_Static_assert(ARRAY_SIZE(opcode_weight) == FS_BIN_NR_OPCODES, "by opcode");

static const uint8_t opcode_fields[] = {
#define FIELDS(name, weight, fields, op) fields,
	FS_BIN_OPCODES(FIELDS)
#undef FIELDS
};
_Static_assert(ARRAY_SIZE(opcode_fields) == FS_BIN_NR_OPCODES, "by opcode");

static const uint8_t gfp_weight[] = {
	FS_BIN_GFPS(FS_BIN_WEIGHT_2)
};
_Static_assert(ARRAY_SIZE(gfp_weight) == FS_BIN_NR_GFPS, "by selector");

static const uint8_t kind_weight[] = {
	FS_BIN_SLOT_KINDS(FS_BIN_WEIGHT_2)
};
_Static_assert(ARRAY_SIZE(kind_weight) == FS_BIN_NR_SLOT_KINDS, "by kind");

static const uint8_t dec_kind_weight[] = {
	FS_BIN_DECISIONS(FS_BIN_WEIGHT_2)
};
_Static_assert(ARRAY_SIZE(dec_kind_weight) == FS_BIN_NR_DECISIONS,
	       "by decision kind");

/* Alignment exponents, the common ones twice. */
static const uint8_t align_exp[] = {
	0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 11, 12, 12,
};

static bool uses_sel(unsigned int code)
{
	return opcode_fields[code] & FS_BIN_F_SEL;
}

static bool uses_value(unsigned int code)
{
	return opcode_fields[code] & FS_BIN_F_VALUE;
}

/* The bits of v that are the size, for an op that has one. */
static uint16_t size_mask(unsigned int code)
{
	return code == FS_BOP_ALLOC ? FS_BIN_SIZE_MASK : FS_BIN_ASIZE_MASK;
}

static uint16_t pick_size(struct rng *r)
{
	if (one_in(r, 5))
		return (uint16_t)below(r, 8192);
	return sizes[below(r, ARRAY_SIZE(sizes))];
}

/* v's bits above the size: gfp for ALLOC, else the alignment. */
static uint16_t pick_flags(struct rng *r, unsigned int code)
{
	if (code == FS_BOP_ALLOC)
		return (uint16_t)(pick(r, gfp_weight, FS_BIN_NR_GFPS) <<
				  FS_BIN_GFP_SHIFT);
	return (uint16_t)(align_exp[below(r, ARRAY_SIZE(align_exp))] <<
			  FS_BIN_ALIGN_SHIFT);
}

/*
 * A repeat count: mostly short; now and then a long run (v >= 0x8000),
 * which is what exhausting a page's bias with tiny fragments takes.
 */
static uint16_t repeat_value(struct rng *r)
{
	static const uint16_t runs[] = { 4094, 8190, 16382, 32766, 32767 };

	if (!one_in(r, 8))
		return (uint16_t)below(r, 15);
	if (one_in(r, 2))
		return (uint16_t)(FS_BIN_LONG_REPEAT |
				  runs[below(r, ARRAY_SIZE(runs))]);
	return (uint16_t)(FS_BIN_LONG_REPEAT | below(r, FS_BIN_LONG_REPEAT));
}

static uint16_t gen_value(struct rng *r, unsigned int code)
{
	if (code == FS_BOP_REPEAT)
		return repeat_value(r);
	if (!uses_value(code))
		return 0;
	return (pick_size(r) & size_mask(code)) | pick_flags(r, code);
}

static uint16_t get_value(const uint8_t *op)
{
	return (uint16_t)(op[2] | op[3] << 8);
}

static void set_value(uint8_t *op, uint16_t v)
{
	op[2] = (uint8_t)v;
	op[3] = (uint8_t)(v >> 8);
}

static void set_actor(uint8_t *op, unsigned int actor)
{
	op[1] = (uint8_t)((op[1] & ~3u) | actor);
}

/* An actor for a fresh op: mostly one that is declared. */
static unsigned int pick_actor(struct rng *r, const struct prog *p)
{
	if (one_in(r, 8))
		return (unsigned int)below(r, 4);
	return (unsigned int)below(r, p->nslots + 1);
}

/* A selector: small values first, as most uses take it modulo a count. */
static unsigned int pick_sel(struct rng *r)
{
	return (unsigned int)(one_in(r, 4) ? below(r, 64) : below(r, 4));
}

static void gen_op(struct rng *r, const struct prog *p, uint8_t *op)
{
	unsigned int code = pick(r, opcode_weight, NR_OPCODES);

	op[0] = (uint8_t)code;
	op[1] = (uint8_t)(pick_sel(r) << 2 | pick_actor(r, p));
	set_value(op, gen_value(r, code));
}

/* kind in bits 0-1 (task, hardirq, softirq), CPU 2-4, hardirq count 5-7 */
static uint8_t gen_slot(struct rng *r)
{
	unsigned int count = one_in(r, 4) ? (unsigned int)below(r, 8) : 0;

	return (uint8_t)(pick(r, kind_weight, FS_BIN_NR_SLOT_KINDS) |
			 below(r, 4) << 2 |
			 count << 5);
}

/* gap < 128 is itself, above it 128 + (gap - 128) * 16 steps */
static uint8_t gen_gap(struct rng *r)
{
	size_t x = below(r, 20);

	if (x < 12)
		return (uint8_t)below(r, 8);
	if (x < 17)
		return (uint8_t)below(r, 128);
	return (uint8_t)(128 + below(r, 128));
}

static uint8_t gen_arg(struct rng *r, unsigned int kind)
{
	/* a page number for the speculative agent, else an index */
	if ((kind == FS_BDEC_SPEC_GET || kind == FS_BDEC_SPEC_PUT) &&
	    one_in(r, 2))
		return (uint8_t)rng_next(r);
	return (uint8_t)(one_in(r, 8) ? rng_next(r) : below(r, 4));
}

#define NR_DEC	FS_BIN_NR_DECISIONS

/* The kind byte carries the gap's high part: kind + NR_DEC * hi. */
static uint8_t kind_byte(unsigned int kind, unsigned int hi)
{
	if (hi > 255 / NR_DEC - (kind > 255 % NR_DEC))
		hi = 255 / NR_DEC - (kind > 255 % NR_DEC);
	return (uint8_t)(kind + NR_DEC * hi);
}

static void gen_dec(struct rng *r, uint8_t *d)
{
	unsigned int kind = pick(r, dec_kind_weight, NR_DEC);

	d[0] = gen_gap(r);
	d[1] = kind_byte(kind, one_in(r, 8) ? 1 + below(r, 4) : 0);
	d[2] = gen_arg(r, kind);
}

/* Move a decision a few scheduling points, carrying into the high part. */
static void nudge_gap(struct rng *r, uint8_t *d)
{
	int gap = d[0] + 256 * (d[1] / NR_DEC);
	int step = 1 + (int)below(r, 4);

	gap += one_in(r, 2) ? step : -step;
	if (gap < 0)
		gap = 0;
	d[0] = (uint8_t)(gap & 0xff);
	d[1] = kind_byte(d[1] % NR_DEC, (unsigned int)gap >> 8);
}

/* ------------------------------------------------------------------------
 * Mutations: each returns true if it changed the bytes
 */

struct mut {
	struct prog p;
	uint8_t *buf;
	size_t size;
	size_t max;
	struct rng r;
	fs_bytes_mutator_t bytes;
};

static size_t room(const struct mut *m)
{
	return m->max - m->size;
}

static void relayout(struct mut *m)
{
	m->size = emit(&m->p, m->buf, m->max);
}

static uint8_t *dec_at(struct mut *m, size_t i)
{
	return m->buf + head_size(&m->p) + DEC * i;
}

/* Make room for @n ops at @i (the caller checked the count). */
static void open_ops(struct prog *p, size_t i, size_t n)
{
	memmove(p->op[i + n], p->op[i], OPS * (p->nops - i));
	p->nops += n;
}

static void close_ops(struct prog *p, size_t i, size_t n)
{
	memmove(p->op[i], p->op[i + n], OPS * (p->nops - i - n));
	p->nops -= n;
}

/* How many more ops fit, by count and by room. */
static size_t ops_room(const struct mut *m)
{
	return MIN(FS_BIN_MAX_OPS - m->p.nops, room(m) / OPS);
}

static bool op_insert(struct mut *m)
{
	struct prog *p = &m->p;
	size_t i;

	if (!ops_room(m))
		return false;
	i = one_in(&m->r, 4) ? p->nops : below(&m->r, p->nops + 1);
	open_ops(p, i, 1);
	gen_op(&m->r, p, p->op[i]);
	relayout(m);
	return true;
}

static bool op_delete(struct mut *m)
{
	struct prog *p = &m->p;
	size_t i, n;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	n = one_in(&m->r, 4) ? 1 + below(&m->r, 4) : 1;
	close_ops(p, i, MIN(n, p->nops - i));
	relayout(m);
	return true;
}

static bool op_dup(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t run[8][OPS];
	size_t i, j, n;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	n = 1 + below(&m->r, MIN(8, p->nops - i));
	n = MIN(n, ops_room(m));
	if (!n)
		return false;
	memcpy(run, p->op[i], OPS * n);
	/* right after itself (a loop unrolled) or anywhere */
	j = one_in(&m->r, 2) ? i + n : below(&m->r, p->nops + 1);
	open_ops(p, j, n);
	memcpy(p->op[j], run, OPS * n);
	relayout(m);
	return true;
}

static bool op_swap(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t tmp[OPS];
	size_t i, j;

	if (p->nops < 2)
		return false;
	i = below(&m->r, p->nops);
	j = (i + 1 + below(&m->r, p->nops - 1)) % p->nops;
	if (!memcmp(p->op[i], p->op[j], OPS))
		return false;
	memcpy(tmp, p->op[i], OPS);
	memcpy(p->op[i], p->op[j], OPS);
	memcpy(p->op[j], tmp, OPS);
	relayout(m);
	return true;
}

static bool op_move(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t tmp[OPS];
	size_t i, j;

	if (p->nops < 2)
		return false;
	i = below(&m->r, p->nops);
	j = below(&m->r, p->nops);
	/* moving next to an equal op changes nothing */
	if (j == i || !memcmp(p->op[i], p->op[j], OPS))
		return false;
	memcpy(tmp, p->op[i], OPS);
	close_ops(p, i, 1);
	open_ops(p, j, 1);
	memcpy(p->op[j], tmp, OPS);
	relayout(m);
	return true;
}

/* Put op @i of the struct back into the laid-out bytes. */
static void store_op(struct mut *m, size_t i)
{
	memcpy(m->buf + FS_BIN_MIN_SIZE + m->p.nslots + OPS * i,
	       m->p.op[i], OPS);
}

static bool op_opcode(struct mut *m)
{
	struct prog *p = &m->p;
	unsigned int old, code;
	uint8_t *op;
	size_t i;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	op = p->op[i];
	old = op[0] % NR_OPCODES;
	code = pick(&m->r, opcode_weight, NR_OPCODES);
	if (code == old)
		code = (code + 1 + (unsigned int)below(&m->r, NR_OPCODES - 1)) %
		       NR_OPCODES;
	op[0] = (uint8_t)((op[0] & ~FS_BIN_OPCODE_MASK) | code);
	/* the old value rarely means anything to the new opcode */
	if (uses_value(code) && one_in(&m->r, 2))
		set_value(op, gen_value(&m->r, code));
	store_op(m, i);
	return true;
}

static bool op_actor(struct mut *m)
{
	struct prog *p = &m->p;
	unsigned int old, actor;
	size_t i;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	old = p->op[i][1] & 3;
	actor = pick_actor(&m->r, p);
	if (actor == old)
		actor = (actor + 1) % (unsigned int)(p->nslots + 1);
	if (actor == old)
		return false;
	set_actor(p->op[i], actor);
	store_op(m, i);
	return true;
}

static bool op_sel(struct mut *m)
{
	struct prog *p = &m->p;
	unsigned int old, s;
	uint8_t *op;
	size_t i;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	op = p->op[i];
	if (!uses_sel(op[0] % NR_OPCODES))
		return false;
	old = op[1] >> 2;
	if (one_in(&m->r, 4))
		s = (old + (one_in(&m->r, 2) ? 1 : 63)) % 64;
	else
		s = pick_sel(&m->r);
	if (s == old)
		s = (s + 1) % 64;
	op[1] = (uint8_t)(s << 2 | (op[1] & 3));
	store_op(m, i);
	return true;
}

/* A new v for an op that has one: fresh, size only, flags only, or +-. */
static uint16_t tweak_value(struct rng *r, unsigned int code, uint16_t v)
{
	uint16_t mask = size_mask(code);
	unsigned int delta = 1 + (unsigned int)below(r, 16);

	if (code == FS_BOP_REPEAT)
		return repeat_value(r);
	switch (below(r, 4)) {
	case 0:
		return gen_value(r, code);
	case 1:
		return (v & ~mask) | (pick_size(r) & mask);
	case 2:
		return (v & mask) | pick_flags(r, code);
	default:
		if (one_in(r, 2))
			delta = -delta;
		return (v & ~mask) | ((v + delta) & mask);
	}
}

static bool op_value(struct mut *m)
{
	struct prog *p = &m->p;
	unsigned int code;
	uint16_t old, v;
	size_t i;

	if (!p->nops)
		return false;
	i = below(&m->r, p->nops);
	code = p->op[i][0] % NR_OPCODES;
	if (!uses_value(code))
		return false;
	old = get_value(p->op[i]);
	v = tweak_value(&m->r, code, old);
	if (v == old)
		return false;
	set_value(p->op[i], v);
	store_op(m, i);
	return true;
}

static bool mut_header(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t machine = p->machine, caches = p->caches;

	switch (below(&m->r, 8)) {
	case 0:		/* cpus */
		p->machine = (uint8_t)((p->machine & ~3u) | below(&m->r, 4));
		break;
	case 1:		/* preempt, rt, the two agents */
		p->machine ^= (uint8_t)(4u << below(&m->r, 4));
		break;
	case 2:		/* initial faults */
		p->machine = (uint8_t)((p->machine & 0x3f) |
				       below(&m->r, 4) << 6);
		break;
	case 3:		/* number of caches */
		p->caches = (uint8_t)((p->caches & ~3u) | below(&m->r, 4));
		break;
	case 4:
	case 5:		/* page_frag <-> rx_ring */
		p->caches ^= (uint8_t)(0x10u << below(&m->r, 4));
		break;
	case 6:
		p->machine = (uint8_t)rng_next(&m->r);
		break;
	default:
		p->caches = (uint8_t)rng_next(&m->r);
		break;
	}
	m->buf[3] = p->machine;
	m->buf[4] = p->caches;
	return p->machine != machine || p->caches != caches;
}

/*
 * A new slot numbered @k moves slots k.. up by one, and the ops of those
 * actors with them; an actor with no ops is not declared, so the new one
 * takes over or gets one to three ops.
 */
static bool slot_add(struct mut *m)
{
	struct prog *p = &m->p;
	size_t k, i, n, left;
	unsigned int a;

	if (p->nslots >= FS_BIN_MAX_SLOTS || !room(m))
		return false;
	k = 1 + below(&m->r, p->nslots + 1);
	for (i = 0; i < p->nops; i++) {
		a = p->op[i][1] & 3;
		if (a >= k && a <= p->nslots)
			set_actor(p->op[i], a + 1);
	}
	memmove(&p->slot[k], &p->slot[k - 1], p->nslots - (k - 1));
	p->slot[k - 1] = gen_slot(&m->r);
	p->nslots++;

	left = (room(m) - 1) / OPS;
	for (n = 1 + below(&m->r, 3); n; n--) {
		if (p->nops && one_in(&m->r, 2)) {
			i = below(&m->r, p->nops);
			set_actor(p->op[i], (unsigned int)k);
		} else if (left && p->nops < FS_BIN_MAX_OPS) {
			i = below(&m->r, p->nops + 1);
			open_ops(p, i, 1);
			gen_op(&m->r, p, p->op[i]);
			set_actor(p->op[i], (unsigned int)k);
			left--;
		}
	}
	relayout(m);
	return true;
}

/* Dropping slot @k hands its ops to main and renumbers the later slots. */
static bool slot_del(struct mut *m)
{
	struct prog *p = &m->p;
	size_t k, i;
	unsigned int a;

	if (!p->nslots)
		return false;
	k = 1 + below(&m->r, p->nslots);
	for (i = 0; i < p->nops; i++) {
		a = p->op[i][1] & 3;
		if (a == k)
			set_actor(p->op[i], 0);
		else if (a > k && a <= p->nslots)
			set_actor(p->op[i], a - 1);
	}
	memmove(&p->slot[k - 1], &p->slot[k], p->nslots - k);
	p->nslots--;
	relayout(m);
	return true;
}

static bool slot_tune(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t old, *s;
	size_t k;

	if (!p->nslots)
		return false;
	k = below(&m->r, p->nslots);
	s = &p->slot[k];
	old = *s;
	switch (below(&m->r, 4)) {
	case 0:		/* kind */
		*s = (uint8_t)((*s & ~3u) | below(&m->r, 3));
		break;
	case 1:		/* CPU */
		*s = (uint8_t)((*s & ~0x1cu) | below(&m->r, 8) << 2);
		break;
	case 2:		/* hardirq count */
		*s = (uint8_t)((*s & 0x1f) | below(&m->r, 8) << 5);
		break;
	default:
		*s = (uint8_t)rng_next(&m->r);
		break;
	}
	m->buf[6 + k] = *s;
	return *s != old;
}

static bool dec_insert(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t *d;
	size_t i;

	if (room(m) < DEC)
		return false;
	i = one_in(&m->r, 4) ? p->ndec : below(&m->r, p->ndec + 1);
	d = dec_at(m, i);
	memmove(d + DEC, d, DEC * (p->ndec - i));
	gen_dec(&m->r, d);
	p->ndec++;
	m->size += DEC;
	return true;
}

static bool dec_delete(struct mut *m)
{
	struct prog *p = &m->p;
	size_t i, n;
	uint8_t *d;

	if (!p->ndec)
		return false;
	i = below(&m->r, p->ndec);
	n = one_in(&m->r, 4) ? 1 + below(&m->r, 4) : 1;
	n = MIN(n, p->ndec - i);
	d = dec_at(m, i);
	memmove(d, d + DEC * n, DEC * (p->ndec - i - n));
	p->ndec -= n;
	m->size -= DEC * n;
	return true;
}

static bool dec_dup(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t run[4 * DEC], *d;
	size_t i, j, n;

	if (!p->ndec)
		return false;
	i = below(&m->r, p->ndec);
	n = 1 + below(&m->r, MIN(4, p->ndec - i));
	n = MIN(n, room(m) / DEC);
	if (!n)
		return false;
	memcpy(run, dec_at(m, i), DEC * n);
	j = one_in(&m->r, 2) ? i + n : below(&m->r, p->ndec + 1);
	d = dec_at(m, j);
	memmove(d + DEC * n, d, DEC * (p->ndec - j));
	memcpy(d, run, DEC * n);
	p->ndec += n;
	m->size += DEC * n;
	return true;
}

static bool dec_tweak(struct mut *m)
{
	uint8_t old[DEC], *d;

	if (!m->p.ndec)
		return false;
	d = dec_at(m, below(&m->r, m->p.ndec));
	memcpy(old, d, DEC);
	switch (below(&m->r, 5)) {
	case 0:
		d[0] = gen_gap(&m->r);
		break;
	case 1:
		d[1] = kind_byte(pick(&m->r, dec_kind_weight, NR_DEC),
				 d[1] / NR_DEC);
		break;
	case 2:
		d[2] = gen_arg(&m->r, d[1] % NR_DEC);
		break;
	case 3:
		nudge_gap(&m->r, d);	/* timing windows are a few points wide */
		break;
	default:
		d[2] += one_in(&m->r, 2) ? 1 : 255;
		break;
	}
	return memcmp(old, d, DEC) != 0;
}

/* Byte-level tweaks for when there is no engine mutator (AFL++). */
static void own_bytes(struct rng *r, uint8_t *d, size_t n)
{
	static const uint8_t interesting[] = {
		0, 1, 2, 3, 4, 0x10, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xff,
	};
	size_t k, i;

	for (k = 1 + below(r, n > 4 ? 3 : 1); k; k--) {
		i = below(r, n);
		switch (below(r, 4)) {
		case 0:
			d[i] ^= (uint8_t)(1u << below(r, 8));
			break;
		case 1:
			d[i] = (uint8_t)rng_next(r);
			break;
		case 2:
			d[i] = interesting[below(r, ARRAY_SIZE(interesting))];
			break;
		default:
			d[i] += (uint8_t)(one_in(r, 2) ? 1 + below(r, 8) :
					  256 - 1 - below(r, 8));
			break;
		}
	}
}

/* Mutate @n bytes in place, keeping their number. */
static void field_bytes(struct mut *m, uint8_t *d, size_t n)
{
	if (m->bytes)
		m->bytes(d, n, n);
	else
		own_bytes(&m->r, d, n);
}

static bool bytes_field(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t w[4] = { 4, 2, 1, 1 }, old[OPS], *f;
	size_t i, n;

	if (!p->nops)
		w[0] = 0;
	if (!p->ndec)
		w[1] = 0;
	if (!p->nslots)
		w[3] = 0;
	switch (pick(&m->r, w, 4)) {
	case 0:
		i = below(&m->r, p->nops);
		f = m->buf + FS_BIN_MIN_SIZE + p->nslots + OPS * i;
		n = OPS;
		break;
	case 1:
		f = dec_at(m, below(&m->r, p->ndec));
		n = DEC;
		break;
	case 2:
		f = m->buf + 3;		/* machine, caches */
		n = 2;
		break;
	default:
		f = m->buf + 6 + below(&m->r, p->nslots);
		n = 1;
		break;
	}
	memcpy(old, f, n);
	field_bytes(m, f, n);
	if (!memcmp(old, f, n))
		return false;
	/* the struct follows the bytes (decisions live only in the bytes) */
	parse(p, m->buf, m->size);
	return true;
}

/* Hand a run of 1..16 ops to the byte mutator, which may resize it. */
static bool bytes_ops(struct mut *m)
{
	struct prog *p = &m->p;
	uint8_t run[16 * OPS + 16], old[16 * OPS];
	size_t i, n, len, cap, newn;

	i = below(&m->r, p->nops);
	n = 1 + below(&m->r, MIN(16, p->nops - i));
	len = OPS * n;
	memcpy(run, p->op[i], len);
	memcpy(old, run, len);
	if (m->bytes) {
		cap = len + OPS * MIN(4, ops_room(m));
		newn = MIN(m->bytes(run, len, cap), cap) / OPS;
	} else {
		own_bytes(&m->r, run, len);
		newn = n;
	}
	if (newn == n && !memcmp(old, run, len))
		return false;
	if (newn > n)
		open_ops(p, i + n, newn - n);
	else if (newn < n)
		close_ops(p, i + newn, n - newn);
	memcpy(p->op[i], run, OPS * newn);
	relayout(m);
	return true;
}

/* Or a run of 1..16 decisions, in place and keeping its size. */
static bool bytes_decs(struct mut *m)
{
	uint8_t old[16 * DEC], *d;
	size_t i, n;

	i = below(&m->r, m->p.ndec);
	n = 1 + below(&m->r, MIN(16, m->p.ndec - i));
	d = dec_at(m, i);
	memcpy(old, d, DEC * n);
	field_bytes(m, d, DEC * n);
	return memcmp(old, d, DEC * n) != 0;
}

static bool bytes_run(struct mut *m)
{
	if (m->p.nops && (!m->p.ndec || one_in(&m->r, 2)))
		return bytes_ops(m);
	if (m->p.ndec)
		return bytes_decs(m);
	return false;
}

/* ------------------------------------------------------------------------
 * Entry points
 */

static const struct {
	const char *name;
	uint8_t weight;
	bool (*fn)(struct mut *m);
} mutations[] = {
	[FS_MUT_OP_INSERT] = { "op-insert", 14, op_insert },
	[FS_MUT_OP_DELETE] = { "op-delete", 8, op_delete },
	[FS_MUT_OP_DUP] = { "op-dup", 6, op_dup },
	[FS_MUT_OP_SWAP] = { "op-swap", 4, op_swap },
	[FS_MUT_OP_MOVE] = { "op-move", 3, op_move },
	[FS_MUT_OP_OPCODE] = { "op-opcode", 7, op_opcode },
	[FS_MUT_OP_ACTOR] = { "op-actor", 5, op_actor },
	[FS_MUT_OP_SEL] = { "op-sel", 7, op_sel },
	[FS_MUT_OP_VALUE] = { "op-value", 10, op_value },
	[FS_MUT_HEADER] = { "header", 6, mut_header },
	[FS_MUT_SLOT_ADD] = { "slot-add", 2, slot_add },
	[FS_MUT_SLOT_DEL] = { "slot-del", 2, slot_del },
	[FS_MUT_SLOT_TUNE] = { "slot-tune", 3, slot_tune },
	[FS_MUT_DEC_INSERT] = { "dec-insert", 7, dec_insert },
	[FS_MUT_DEC_DELETE] = { "dec-delete", 3, dec_delete },
	[FS_MUT_DEC_DUP] = { "dec-dup", 2, dec_dup },
	[FS_MUT_DEC_TWEAK] = { "dec-tweak", 5, dec_tweak },
	[FS_MUT_BYTES_FIELD] = { "bytes-field", 3, bytes_field },
	[FS_MUT_BYTES_RUN] = { "bytes-run", 3, bytes_run },
};
_Static_assert(ARRAY_SIZE(mutations) == FS_MUT_NR, "one per enum fs_mutation");

const char *fs_mutation_name(unsigned int kind)
{
	return kind < FS_MUT_NR ? mutations[kind].name : "?";
}

static unsigned int pick_mutation(struct rng *r)
{
	uint8_t w[FS_MUT_NR];
	unsigned int i;

	for (i = 0; i < FS_MUT_NR; i++)
		w[i] = mutations[i].weight;
	return pick(r, w, FS_MUT_NR);
}

bool fs_layout(const uint8_t *data, size_t size, struct fs_layout *l)
{
	size_t a, n, ops_off, dec_off;

	if (size < FS_BIN_MIN_SIZE || data[0] != FS_BIN_MAGIC0 ||
	    data[1] != FS_BIN_MAGIC1 || data[2] != FS_BIN_VERSION || data[5] > FS_BIN_MAX_SLOTS)
		return false;
	a = data[5];
	if (size < FS_BIN_MIN_SIZE + a)
		return false;
	n = data[6 + a];
	ops_off = FS_BIN_MIN_SIZE + a;
	dec_off = ops_off + OPS * n;
	if (size < dec_off || (size - dec_off) % DEC)
		return false;
	l->nslots = a;
	l->nops = n;
	l->ndec = (size - dec_off) / DEC;
	l->ops_off = ops_off;
	l->dec_off = dec_off;
	return true;
}

bool fs_well_formed(const uint8_t *data, size_t size)
{
	struct fs_layout l;

	return fs_layout(data, size, &l);
}

/* Read @data and lay it out again, well-formed, in place. */
static bool mut_start(struct mut *m, uint8_t *data, size_t size,
		      size_t max_size, uint64_t seed, fs_bytes_mutator_t bm)
{
	parse(&m->p, data, size);
	m->buf = data;
	m->max = max_size;
	m->r.s = seed;
	m->bytes = bm;
	m->size = emit(&m->p, data, max_size);
	return m->size != 0;
}

size_t fs_repair(uint8_t *data, size_t size, size_t max_size)
{
	struct mut m;

	mut_start(&m, data, size, max_size, 0, NULL);
	return m.size;
}

size_t fs_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
		 fs_bytes_mutator_t bytes_mutator)
{
	unsigned int want = 1, done = 0, tries;
	struct mut m;

	if (!mut_start(&m, data, size, max_size, seed, bytes_mutator))
		return 0;
	/* mostly one mutation, sometimes a few stacked */
	while (want < 4 && one_in(&m.r, 4))
		want++;
	/* a mutation that does not apply is replaced by another one */
	for (tries = 0; done < want && tries < 64; tries++)
		if (mutations[pick_mutation(&m.r)].fn(&m))
			done++;
	return m.size;
}

size_t fs_mutate_kind(uint8_t *data, size_t size, size_t max_size,
		      uint64_t seed, fs_bytes_mutator_t bytes_mutator,
		      unsigned int kind)
{
	struct mut m;

	if (!mut_start(&m, data, size, max_size, seed, bytes_mutator))
		return 0;
	if (kind < FS_MUT_NR)
		mutations[kind].fn(&m);
	return m.size;
}

/* Append ops [from, from + n) of @src to @q, as many as fit. */
static void append_ops(struct prog *q, const struct prog *src,
		       size_t from, size_t n)
{
	n = MIN(n, FS_BIN_MAX_OPS - q->nops);
	memcpy(q->op[q->nops], src->op[from], OPS * n);
	q->nops += n;
}

/* @x's prefix then @y's suffix, or a run of @y inside @x. */
static void splice_ops(struct prog *q, const struct prog *x,
		       const struct prog *y, struct rng *r)
{
	size_t i = below(r, x->nops + 1), j = below(r, y->nops + 1), k;

	append_ops(q, x, 0, i);
	if (one_in(r, 2)) {
		append_ops(q, y, j, y->nops - j);
		return;
	}
	k = j + below(r, y->nops - j + 1);
	append_ops(q, y, j, k - j);
	append_ops(q, x, i, x->nops - i);
}

/* Where a child's decisions come from: one run, or a run of each parent. */
struct dec_runs {
	const uint8_t *d1, *d2;
	size_t n1, n2;
};

static void pick_decs(struct dec_runs *dr, const struct prog *pa,
		      const struct prog *pb, struct rng *r)
{
	size_t start;

	*dr = (struct dec_runs){ NULL, NULL, 0, 0 };
	switch (below(r, 5)) {
	case 0:
	case 1:
		dr->d1 = pa->dec;
		dr->n1 = pa->ndec;
		break;
	case 2:
	case 3:
		dr->d1 = pb->dec;
		dr->n1 = pb->ndec;
		break;
	default:	/* a's first decisions, then b's last */
		dr->d1 = pa->dec;
		dr->n1 = below(r, pa->ndec + 1);
		start = below(r, pb->ndec + 1);
		dr->d2 = pb->dec ? pb->dec + DEC * start : NULL;
		dr->n2 = pb->ndec - start;
		break;
	}
}

size_t fs_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		    uint8_t *out, size_t max_out, uint64_t seed)
{
	static struct prog zero;
	struct prog pa, pb, q = zero;
	const struct prog *from;
	struct dec_runs dr;
	size_t h, n1, n2;
	struct rng r = { seed };

	parse(&pa, a, na);
	parse(&pb, b, nb);
	from = one_in(&r, 2) ? &pa : &pb;
	q.machine = from->machine;
	q.caches = from->caches;
	q.nslots = from->nslots;
	memcpy(q.slot, from->slot, sizeof(q.slot));
	if (one_in(&r, 2))
		splice_ops(&q, &pa, &pb, &r);
	else
		splice_ops(&q, &pb, &pa, &r);
	pick_decs(&dr, &pa, &pb, &r);
	q.ndec = dr.n1 + dr.n2;
	if (!fit(&q, max_out))
		return 0;
	write_head(&q, out);
	h = head_size(&q);
	n1 = MIN(dr.n1, q.ndec);
	n2 = q.ndec - n1;
	if (n1)
		memcpy(out + h, dr.d1, DEC * n1);
	if (n2)
		memcpy(out + h + DEC * n1, dr.d2, DEC * n2);
	return h + DEC * q.ndec;
}
