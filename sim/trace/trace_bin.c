// SPDX-License-Identifier: GPL-2.0
/*
 * The binary trace form (docs/binary-format.md): bytes -> text trace.
 *
 * Almost any byte string decodes.  Values are reduced into range, and
 * operations a kernel caller may not do are dropped, so that a fuzzer
 * never reports a caller bug as the allocator's.  The result is text in
 * the v1 format, parsed by the one parser, so that the text stays the
 * single definition of what a trace means.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "contract.h"
#include "trace_bin.h"

#define NR_SLOTS	(FS_BIN_MAX_SLOTS + 1)	/* slot 0 is main */
#define MAX_DEPTH	4
#define MAX_REPEAT_DEPTH 2
#define MAX_HANDLES	1024
#define MAX_EXPANSION	40000
#define MAX_CACHES	4

/* A slot's kind is the actor's: the decoder writes it as one. */
#define K_TASK		FS_BSLOT_TASK
#define K_HARDIRQ	FS_BSLOT_HARDIRQ
#define K_SOFTIRQ	FS_BSLOT_SOFTIRQ
_Static_assert((int)K_TASK == FS_ACTOR_TASK && (int)K_HARDIRQ == FS_ACTOR_HARDIRQ &&
	       (int)K_SOFTIRQ == FS_ACTOR_SOFTIRQ, "slot kinds are actor kinds");

struct out {
	char *s;
	size_t len, cap;
};

struct hrec {
	uint8_t actor;
	bool live, spec;
	uint16_t scope;
};

struct slot {
	uint8_t kind, cpu, count;
	bool present;			/* declared (non-empty body) */
	char name[16];
	uint32_t ops[256];		/* raw op indices, input order */
	uint32_t nr_ops;
};

struct ctx {
	unsigned int actor;
	bool irq_off, bh_off;
	unsigned int depth, repeat_depth;
	uint32_t expansion;		/* product of the enclosing repeats */
	uint16_t scope;
	bool once;			/* the body runs once: spec-* allowed */
};

struct dec {
	const uint8_t *ops;
	unsigned int cpus, nr_caches;
	bool ring[MAX_CACHES];
	int owner[MAX_CACHES];
	bool conc, pressure, spec_agent, pressure_agent;
	bool long_repeat;		/* a repeat of thousands: no zero sizes */
	struct slot slot[NR_SLOTS];
	struct hrec h[MAX_HANDLES];
	uint32_t nr_h;
	uint16_t next_scope;
	int soft[FS_BIN_MAX_SLOTS];	/* softirq slots declared so far */
	unsigned int nr_soft;
	struct out o;
};

static const char *const plans[] = {
	"none", "order3-fail", "pressure", "order3-fail,pressure",
};
_Static_assert(ARRAY_SIZE(plans) == FS_BIN_NR_PLANS, "one text per plan");

/* What each gfp selector of ALLOC asks for; NULL: the default. */
static const char *const gfp_text[] = {
	[FS_BGFP_KERNEL]	= "GFP_KERNEL",
	[FS_BGFP_MEMALLOC]	= "GFP_ATOMIC|__GFP_MEMALLOC",
	[FS_BGFP_NOWAIT]	= "GFP_NOWAIT|__GFP_NOWARN",
	[FS_BGFP_NOMEMALLOC]	= "GFP_ATOMIC|__GFP_NOMEMALLOC",
};
_Static_assert(ARRAY_SIZE(gfp_text) == FS_BIN_NR_GFPS, "one per selector");

/* The trace operation each opcode decodes to: its keyword is written. */
static const uint8_t bop_kind[] = {
#define BOP_KIND(name, weight, fields, op) FS_OP_##op,
	FS_BIN_OPCODES(BOP_KIND)
#undef BOP_KIND
};
_Static_assert(ARRAY_SIZE(bop_kind) == FS_BIN_NR_OPCODES, "by opcode");

static const char *kw(unsigned int code)
{
	return fs_op_descs[bop_kind[code]].keyword;
}

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int r;

	o->s = fs_grow(o->s, o->len, &o->cap, 1, 4096);
	for (;;) {
		va_start(ap, fmt);
		r = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (r < 0)
			fs_oom();	/* an encoding error: our formats have none */
		n = (size_t)r;
		if (o->len + n < o->cap)
			break;
		o->s = fs_grow(o->s, o->len + n, &o->cap, 1, 4096);
	}
	o->len += n;
}

bool fs_trace_is_binary(const uint8_t *data, size_t len)
{
	return len >= 3 && data[0] == FS_BIN_MAGIC0 &&
	       data[1] == FS_BIN_MAGIC1 && data[2] == FS_BIN_VERSION;
}

static unsigned int opcode(const uint8_t *op)
{
	return op[0] % FS_BIN_NR_OPCODES;
}

/* The selector s of an op; its low two bits are the actor. */
static unsigned int sel(const uint8_t *op)
{
	return op[1] >> 2;
}

static uint16_t le16(const uint8_t *p)
{
	return p[2] | p[3] << 8;
}

static uint32_t align_of(uint16_t v)
{
	return 1u << ((v >> FS_BIN_ALIGN_SHIFT) % 13);
}

/* The s-th handle of the actor that @ok accepts, or -1. */
static long pick(struct dec *d, const struct ctx *c, unsigned int s,
		 bool (*ok)(const struct hrec *h, const struct ctx *c))
{
	uint32_t n = 0, k;

	for (uint32_t i = 0; i < d->nr_h; i++)
		n += d->h[i].actor == c->actor && ok(&d->h[i], c);
	if (!n)
		return -1;
	k = s % n;
	for (uint32_t i = 0; i < d->nr_h; i++) {
		if (d->h[i].actor != c->actor || !ok(&d->h[i], c))
			continue;
		if (!k--)
			return i;
	}
	return -1;
}

static bool usable(const struct hrec *h, const struct ctx *c)
{
	return h->live && h->scope == c->scope;
}

static bool spec_free(const struct hrec *h, const struct ctx *c)
{
	return usable(h, c) && !h->spec;
}

static bool spec_held(const struct hrec *h, const struct ctx *c)
{
	return h->spec && h->scope == c->scope;
}

/* A new handle bound by this actor; -1 when there are too many. */
static long bind(struct dec *d, const struct ctx *c)
{
	if (d->nr_h == MAX_HANDLES)
		return -1;
	d->h[d->nr_h] = (struct hrec){ .actor = c->actor, .live = true,
				       .scope = c->scope };
	return d->nr_h++;
}

static struct fs_caller caller(const struct dec *d, const struct ctx *c)
{
	return (struct fs_caller){ .kind = d->slot[c->actor].kind,
				   .irq_off = c->irq_off, .bh_off = c->bh_off };
}

/* The gfp= of selector @g, or NULL (the default) where the contract says. */
static const char *gfp_name(const struct dec *d, const struct ctx *c,
			    unsigned int g, uint32_t size)
{
	struct fs_caller who = caller(d, c);

	if (g == FS_BGFP_KERNEL && !fs_caller_may_sleep(&who))
		return NULL;
	if (g == FS_BGFP_MEMALLOC && !fs_caller_memalloc_ok(size))
		return NULL;
	return gfp_text[g];
}

/* A driver cache has one user: the first actor that touches it. */
static bool own(struct dec *d, const struct ctx *c, unsigned int cache)
{
	if (d->owner[cache] < 0)
		d->owner[cache] = c->actor;
	return d->owner[cache] == (int)c->actor;
}

/*
 * Zero sizes: one past the page in a concurrent trace, and more than 32768
 * of them exhaust a clean cache's bias (invariants.md): only a few, alone.
 */
static uint32_t fix_size(const struct dec *d, const struct ctx *c,
			 uint32_t size)
{
	return !size && (d->conc || d->long_repeat || c->expansion > 1) ?
	       1 : size;
}

static bool emit_body(struct dec *d, const struct slot *sl, uint32_t *pos,
		      uint32_t end, const struct ctx *c);

static bool emit_alloc(struct dec *d, const struct ctx *c, const uint8_t *op,
		       bool aligned)
{
	unsigned int cache = sel(op) % d->nr_caches;
	uint16_t v = le16(op);
	uint32_t size = fix_size(d, c, v & (aligned ? FS_BIN_ASIZE_MASK :
						  FS_BIN_SIZE_MASK));
	const char *gfp = aligned ? NULL :
			  gfp_name(d, c, v >> FS_BIN_GFP_SHIFT, size);
	long h;

	if (!own(d, c, cache) || (h = bind(d, c)) < 0)
		return false;
	put(&d->o, "h%ld = %s nc%u size=%u", h, kw(opcode(op)), cache, size);
	if (aligned)
		put(&d->o, " align=%u", align_of(v));
	if (gfp)
		put(&d->o, " gfp=%s", gfp);
	put(&d->o, "\n");
	return true;
}

/* In a task, napi calls get a bh-off section of their own. */
static bool emit_net(struct dec *d, const struct ctx *c, const uint8_t *op)
{
	unsigned int code = opcode(op);
	uint16_t v = le16(op);
	uint32_t size = v & FS_BIN_ASIZE_MASK;
	struct fs_caller who = caller(d, c);
	bool napi = code != FS_BOP_NETDEV, wrap;
	long h;

	wrap = napi && who.kind == K_TASK && !who.bh_off;
	who.bh_off |= wrap;
	if (napi && !fs_caller_napi_ok(&who))
		return false;
	if ((h = bind(d, c)) < 0)
		return false;
	if (wrap)
		put(&d->o, "%s {\n", kw(FS_BOP_BH_OFF));
	if (code == FS_BOP_NAPI_1K) {
		put(&d->o, "h%ld = %s\n", h, kw(code));
	} else {
		put(&d->o, "h%ld = %s size=%u", h, kw(code), size ? size : 1);
		if (sel(op) & 1)
			put(&d->o, " align=%u", align_of(v));
		put(&d->o, "\n");
	}
	if (wrap)
		put(&d->o, "}\n");
	return true;
}

/*
 * Small counts mostly; v >= 0x8000 asks for a long run (bias exhaustion
 * needs tens of thousands of allocations from one page), clamped so that
 * nested repeats multiply to at most MAX_EXPANSION.
 */
static unsigned int repeat_count(const struct ctx *c, uint16_t v,
				 struct ctx *in)
{
	unsigned int r = v < FS_BIN_LONG_REPEAT ? 2 + v % 15 :
			 2 + (v & (FS_BIN_LONG_REPEAT - 1));

	if ((uint64_t)r * c->expansion > MAX_EXPANSION)
		r = MAX_EXPANSION / c->expansion;
	if (r < 2)
		r = 2;
	in->expansion = c->expansion * r;
	return r;
}

/* irq-off, bh-off and repeat: the body is the actor's next ops. */
static bool emit_block(struct dec *d, const struct slot *sl, uint32_t *pos,
		       uint32_t end, const struct ctx *c, const uint8_t *op)
{
	unsigned int code = opcode(op);
	uint32_t body_end = ++*pos + 1 + sel(op) % 4;
	struct ctx in = *c;
	size_t mark = d->o.len;
	bool any;

	if (body_end > end)
		body_end = end;
	if (c->depth >= MAX_DEPTH ||
	    (code == FS_BOP_BH_OFF && (c->irq_off || sl->kind == K_HARDIRQ)) ||
	    (code == FS_BOP_REPEAT && c->repeat_depth >= MAX_REPEAT_DEPTH)) {
		*pos = body_end;	/* the body goes with its block */
		return false;
	}
	in.depth++;
	if (code == FS_BOP_IRQ_OFF) {
		in.irq_off = true;
		put(&d->o, "%s {\n", kw(code));
	} else if (code == FS_BOP_BH_OFF) {
		in.bh_off = true;
		put(&d->o, "%s {\n", kw(code));
	} else {
		in.repeat_depth++;
		in.scope = ++d->next_scope;
		in.once = false;
		put(&d->o, "%s %u {\n", kw(code),
		    repeat_count(c, le16(op), &in));
	}
	any = emit_body(d, sl, pos, body_end, &in);
	if (!any) {
		d->o.len = mark;	/* no empty blocks */
		d->o.s[mark] = '\0';
		return false;
	}
	put(&d->o, "}\n");
	/* What a repeat bound is the enclosing body's from now on. */
	for (uint32_t i = 0; i < d->nr_h; i++)
		if (d->h[i].scope == in.scope)
			d->h[i].scope = c->scope;
	return true;
}

static bool emit_handle_op(struct dec *d, const struct ctx *c,
			   const uint8_t *op)
{
	unsigned int code = opcode(op), s = sel(op);
	long h;

	switch (code) {
	case FS_BOP_FREE:
	case FS_BOP_PUSH:
		h = pick(d, c, s, usable);
		if (h < 0)
			return false;
		d->h[h].live = false;
		put(&d->o, "%s%s h%ld\n", kw(code),
		    code == FS_BOP_PUSH ? " q0" : "", h);
		return true;
	case FS_BOP_SPEC_GET:
		h = c->once ? pick(d, c, s, spec_free) : -1;
		if (h < 0)
			return false;
		d->h[h].spec = true;
		put(&d->o, "%s h%ld\n", kw(code), h);
		return true;
	default:	/* FS_BOP_SPEC_PUT */
		h = c->once ? pick(d, c, s, spec_held) : -1;
		if (h < 0)
			return false;
		d->h[h].spec = false;
		put(&d->o, "%s h%ld\n", kw(code), h);
		return true;
	}
}

/* One operation at *@pos (which it advances); true if it wrote a line. */
static bool emit_op(struct dec *d, const struct slot *sl, uint32_t *pos,
		    uint32_t end, const struct ctx *c)
{
	const uint8_t *op = d->ops + FS_BIN_OP_SIZE * sl->ops[*pos];
	unsigned int code = opcode(op), s = sel(op);

	switch (code) {
	case FS_BOP_ALLOC:
	case FS_BOP_ALLOC_ALIGN:
		++*pos;
		return emit_alloc(d, c, op, code == FS_BOP_ALLOC_ALIGN);
	case FS_BOP_DRAIN:
		++*pos;
		if (!own(d, c, s % d->nr_caches))
			return false;
		put(&d->o, "%s nc%u\n", kw(code), s % d->nr_caches);
		return true;
	case FS_BOP_NETDEV:
	case FS_BOP_NAPI:
	case FS_BOP_NAPI_1K:
		++*pos;
		return emit_net(d, c, op);
	case FS_BOP_FAULTS:
		++*pos;
		put(&d->o, "%s %s\n", kw(code), plans[s % FS_BIN_NR_PLANS]);
		return true;
	case FS_BOP_IRQ_OFF:
	case FS_BOP_BH_OFF:
	case FS_BOP_REPEAT:
		return emit_block(d, sl, pos, end, c, op);
	case FS_BOP_RAISE:
		++*pos;
		if (!d->nr_soft)
			return false;
		put(&d->o, "%s %s\n", kw(code),
		    d->slot[d->soft[s % d->nr_soft]].name);
		return true;
	case FS_BOP_POP:
		++*pos;
		if (sl->kind == K_HARDIRQ)
			return false;
		put(&d->o, "%s q0\n", kw(code));
		return true;
	default:	/* FREE, PUSH, SPEC_GET, SPEC_PUT */
		++*pos;
		return emit_handle_op(d, c, op);
	}
}

static bool emit_body(struct dec *d, const struct slot *sl, uint32_t *pos,
		      uint32_t end, const struct ctx *c)
{
	bool any = false;

	while (*pos < end)
		any |= emit_op(d, sl, pos, end, c);
	return any;
}

/* One actor's block (or main's lines); false if it came out empty. */
static bool emit_actor(struct dec *d, unsigned int a)
{
	struct slot *sl = &d->slot[a];
	struct ctx c = { .actor = a, .scope = ++d->next_scope,
			 .once = sl->kind == K_TASK, .expansion = 1 };
	size_t mark = d->o.len;
	uint32_t pos = 0;
	bool any;

	if (a && sl->kind == K_HARDIRQ)
		put(&d->o, "hardirq %s cpu=%u count=%u {\n", sl->name, sl->cpu,
		    sl->count);
	else if (a)
		put(&d->o, "%s %s cpu=%u {\n",
		    sl->kind == K_TASK ? "task" : "softirq", sl->name, sl->cpu);
	any = emit_body(d, sl, &pos, sl->nr_ops, &c);
	/* References the actor still holds speculatively go with it. */
	for (uint32_t i = 0; i < d->nr_h; i++) {
		if (d->h[i].actor == a && d->h[i].spec) {
			put(&d->o, "%s h%u\n", kw(FS_BOP_SPEC_PUT), i);
			d->h[i].spec = false;
		}
	}
	if (a && !any) {
		d->o.len = mark;
		d->o.s[mark] = '\0';
		return false;
	}
	if (a)
		put(&d->o, "}\n");
	return true;
}

static void header(struct dec *d, const uint8_t *data, size_t len,
		   uint32_t *nr_ops, size_t *dec_at)
{
	uint8_t mach = len > 3 ? data[3] : 0, caches = len > 4 ? data[4] : 0;
	unsigned int nslots = len > 5 ? data[5] & 3 : 0;
	size_t p = FS_BIN_HEADER;

	d->cpus = 1 + (mach & 3);
	d->nr_caches = 1 + (caches & 3);
	for (unsigned int i = 0; i < MAX_CACHES; i++) {
		d->ring[i] = caches & (0x10 << i);
		d->owner[i] = -1;
	}
	d->spec_agent = mach & 0x10;
	d->pressure_agent = mach & 0x20;
	d->pressure = d->pressure_agent || (mach >> 6) >= 2;
	snprintf(d->slot[0].name, sizeof(d->slot[0].name), "main");
	d->slot[0].present = true;
	for (unsigned int i = 1; i <= nslots && p < len; i++, p++) {
		struct slot *sl = &d->slot[i];
		static const char *const pfx[] = { "t", "irq", "poll" };

		sl->kind = (data[p] & 3) == FS_BSLOT_TASK_3 ? K_TASK : data[p] & 3;
		sl->cpu = ((data[p] >> 2) & 7) % d->cpus;
		sl->count = 1 + (data[p] >> 5);
		sl->present = true;
		snprintf(sl->name, sizeof(sl->name), "%s%u", pfx[sl->kind], i);
	}
	if (p > len)
		p = len;	/* a short input: what is missing reads as 0 */
	*nr_ops = p < len ? data[p++] : 0;
	if (*nr_ops > (len - p) / FS_BIN_OP_SIZE)
		*nr_ops = (len - p) / FS_BIN_OP_SIZE;
	d->ops = data + p;
	*dec_at = p + (size_t)*nr_ops * FS_BIN_OP_SIZE;
	d->conc = d->cpus > 1 || nslots || (mach & 0x3c);
}

static void prescan(struct dec *d, uint32_t nr_ops)
{
	for (uint32_t i = 0; i < nr_ops; i++) {
		const uint8_t *op = d->ops + FS_BIN_OP_SIZE * i;
		unsigned int a = op[1] & 3;

		if (!d->slot[a].present)
			a = 0;
		if (d->slot[a].nr_ops < ARRAY_SIZE(d->slot[a].ops))
			d->slot[a].ops[d->slot[a].nr_ops++] = i;
		/* Plans 2 and 3 turn pressure on. */
		if (opcode(op) == FS_BOP_FAULTS && sel(op) % FS_BIN_NR_PLANS >= 2)
			d->pressure = true;
		if (opcode(op) == FS_BOP_REPEAT && le16(op) >= FS_BIN_LONG_REPEAT)
			d->long_repeat = true;
	}
}

/* The n-th declared actor of @kind (main counts as a task), or NULL. */
static const char *nth_actor(const struct dec *d, int kind, unsigned int n)
{
	unsigned int cnt = 0;

	for (unsigned int a = 0; a < NR_SLOTS; a++)
		cnt += d->slot[a].present && d->slot[a].kind == kind;
	if (!cnt)
		return NULL;
	n %= cnt;
	for (unsigned int a = 0; a < NR_SLOTS; a++)
		if (d->slot[a].present && d->slot[a].kind == kind && !n--)
			return d->slot[a].name;
	return NULL;
}

/* The decisions written; the caller refuses more than a trace may hold. */
static uint64_t decisions(struct dec *d, const uint8_t *p, size_t n)
{
	uint64_t step = 0, nr = 0;
	size_t mark;

	for (; n >= FS_BIN_DEC_SIZE; p += FS_BIN_DEC_SIZE, n -= FS_BIN_DEC_SIZE) {
		unsigned int kind = p[1] % FS_BIN_NR_DECISIONS;
		const char *who;
		bool irq;

		/* The gap's high byte rides on the kind byte: every step
		 * stays reachable, a long way on too. */
		step += p[0] + 256u * (p[1] / FS_BIN_NR_DECISIONS);
		mark = d->o.len;
		switch (kind) {
		case FS_BDEC_SWITCH:
		case FS_BDEC_IRQ:
			irq = kind == FS_BDEC_IRQ;
			who = nth_actor(d, irq ? K_HARDIRQ : K_TASK, p[2]);
			if (who)
				put(&d->o, "at %llu %s %s\n",
				    (unsigned long long)step,
				    irq ? "irq" : "switch", who);
			break;
		case FS_BDEC_SPEC_GET:
		case FS_BDEC_SPEC_PUT:
			if (d->spec_agent)
				put(&d->o, "at %llu spec-%s page=%u\n",
				    (unsigned long long)step,
				    kind == FS_BDEC_SPEC_GET ? "get" : "put",
				    p[2]);
			break;
		default:	/* PRESSURE_ON, PRESSURE_OFF */
			if (d->pressure_agent)
				put(&d->o, "at %llu pressure %s\n",
				    (unsigned long long)step,
				    kind == FS_BDEC_PRESSURE_ON ? "on" : "off");
			break;
		}
		nr += d->o.len != mark;
	}
	return nr;
}

/* The header and declarations: the machine byte @mach, caches, agents. */
static void emit_decls(struct dec *d, uint8_t mach)
{
	put(&d->o, "fragsim-trace 1\nseed 0\nfaults %s\ncpus %u\n",
	    plans[mach >> 6], d->cpus);
	if (mach & 4)
		put(&d->o, "preempt full\n");
	if (mach & 8)
		put(&d->o, "rt on\n");
	put(&d->o, "schedule replay\n");
	for (unsigned int i = 0; i < d->nr_caches; i++)
		put(&d->o, "cache nc%u %s\n", i,
		    d->ring[i] ? "rx_ring" : "page_frag");
	put(&d->o, "queue q0\n");
	if (d->spec_agent)
		put(&d->o, "agent speculative count=64\n");
	if (d->pressure_agent)
		put(&d->o, "agent pressure count=64\n");
}

/* Softirqs first, then hardirqs, then tasks: a raise names an earlier line. */
static void emit_actors(struct dec *d)
{
	static const int order[] = { K_SOFTIRQ, K_HARDIRQ, K_TASK };

	for (unsigned int k = 0; k < ARRAY_SIZE(order); k++) {
		for (unsigned int a = 1; a < NR_SLOTS; a++) {
			struct slot *sl = &d->slot[a];

			if (!sl->present || sl->kind != order[k])
				continue;
			sl->present = emit_actor(d, a);
			if (sl->present && sl->kind == K_SOFTIRQ)
				d->soft[d->nr_soft++] = a;
		}
	}
	emit_actor(d, 0);
}

char *fs_trace_bin_to_text(const uint8_t *data, size_t len,
			   char *err, size_t errlen)
{
	/* One decoder, reused: a fuzzer decodes thousands of inputs a second. */
	static struct dec dec;
	struct dec *d = &dec;
	uint32_t nr_ops;
	uint64_t nr_dec;
	size_t dec_at;
	char *text;

	if (!fs_trace_is_binary(data, len)) {
		snprintf(err, errlen, "not a fragsim binary trace (no \"FZ\\x%02x\" magic)",
			 FS_BIN_VERSION);
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	header(d, data, len, &nr_ops, &dec_at);
	prescan(d, nr_ops);
	/* Missing header bytes read as 0. */
	emit_decls(d, len > 3 ? data[3] : 0);
	emit_actors(d);
	nr_dec = decisions(d, data + dec_at, len - dec_at);
	if (nr_dec > FS_MAX_DECISIONS) {
		snprintf(err, errlen, "the input holds %llu scheduler decisions, more than the %u a trace may have",
			 (unsigned long long)nr_dec, FS_MAX_DECISIONS);
		free(d->o.s);
		d->o.s = NULL;
		return NULL;
	}
	text = d->o.s ? d->o.s : fs_xstrdup("");
	d->o.s = NULL;
	return text;
}

int fs_trace_decode(struct fs_trace *t, const uint8_t *data, size_t len,
		    char *err, size_t errlen)
{
	char *text = fs_trace_bin_to_text(data, len, err, errlen);
	int rc;

	if (!text)
		return -1;
	/* The decoder writes only what parses: an error here is ours. */
	rc = fs_trace_parse(t, text, strlen(text), "decoded text",
			    err, errlen);
	free(text);
	if (!rc && fs_trace_op_bound(t) > FS_BIN_MAX_TOTAL_OPS) {
		snprintf(err, errlen, "the input expands to %llu operations (repeats, hardirq counts and softirq raises multiplied), more than the %u a binary input may",
			 (unsigned long long)fs_trace_op_bound(t),
			 FS_BIN_MAX_TOTAL_OPS);
		rc = -1;
	}
	return rc;
}
