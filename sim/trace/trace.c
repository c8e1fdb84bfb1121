// SPDX-License-Identifier: GPL-2.0
/*
 * The trace model: growable tables and the queries the runner, the text
 * form and the tests share.  Parsing and printing are in trace_text.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "trace.h"

const struct fs_op_desc fs_op_descs[FS_OP_NR] = {
#define FS_OP_DESC(name, keyword, fields, fixed, usage) \
	[FS_OP_##name] = { keyword, fields, fixed, usage },
	FS_TRACE_OPS(FS_OP_DESC)
#undef FS_OP_DESC
};

/*
 * Make room for one more element in a table of @nr used of @cap: sim/lib's
 * doubling, with uint32_t counts.  Indices are uint32_t and UINT32_MAX is
 * FS_NO_HANDLE, so a table stops short of it.
 */
static void *grow(void *p, uint32_t nr, uint32_t *cap, size_t size)
{
	size_t ncap = *cap;

	if (nr < *cap)
		return p;
	if (nr >= UINT32_MAX - 1) {
		fprintf(stderr, "fragsim: trace table overflow\n");
		abort();
	}
	p = fs_grow(p, nr, &ncap, size, 16);
	*cap = ncap < UINT32_MAX - 1 ? (uint32_t)ncap : UINT32_MAX - 1;
	return p;
}

/*
 * Copy @src into a FS_NAME_MAX-sized field, truncating.  A plain loop, not
 * strnlen(): with LTO, GCC sees callers' shorter buffers and warns about
 * the bound although the scan stops at the NUL.
 */
static void copy_name(char *dst, const char *src)
{
	size_t n = 0;

	while (n < FS_NAME_MAX - 1 && src[n])
		n++;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void fs_trace_init(struct fs_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->version = FS_TRACE_VERSION;
	t->cpus = 1;
	t->sched.strategy = FS_SCHED_DEFAULT;
	t->sched.depth = 3;
	t->sched.preemptions = 2;
	t->sched.injections = 2;
	/* What an agent gets when a builder only turns it on. */
	for (unsigned int i = 0; i < FS_AGENT_NR; i++)
		t->agents[i].count = 64;
}

/* Leaves @t as fs_trace_init() does, so freeing twice is harmless. */
void fs_trace_free(struct fs_trace *t)
{
	for (uint32_t i = 0; i < t->nr_strings; i++)
		free(t->strings[i]);
	free(t->strings);
	free(t->handles);
	free(t->ops);
	free(t->sched.dec);
	fs_trace_init(t);
}

uint32_t fs_trace_add_op(struct fs_trace *t, const struct fs_op *op)
{
	t->ops = grow(t->ops, t->nr_ops, &t->cap_ops, sizeof(*t->ops));
	t->ops[t->nr_ops] = *op;
	return t->nr_ops++;
}

uint32_t fs_trace_add_handle(struct fs_trace *t, const char *name)
{
	t->handles = grow(t->handles, t->nr_handles, &t->cap_handles,
			  sizeof(*t->handles));
	copy_name(t->handles[t->nr_handles], name);
	return t->nr_handles++;
}

uint32_t fs_trace_add_string(struct fs_trace *t, const char *s)
{
	char *copy = fs_xstrdup(s);

	t->strings = grow(t->strings, t->nr_strings, &t->cap_strings,
			  sizeof(*t->strings));
	t->strings[t->nr_strings] = copy;
	return t->nr_strings++;
}

/*
 * Returns the new index, or -1 if the table is full or @name is too long or
 * already declared: a silently truncated or shadowed name would make the
 * trace mean something else.
 */
int fs_trace_add_cache(struct fs_trace *t, const char *name,
		       enum fs_cache_kind kind)
{
	struct fs_cache_decl *c;

	if (t->nr_caches >= FS_MAX_CACHES ||
	    strnlen(name, FS_NAME_MAX) >= FS_NAME_MAX ||
	    fs_trace_find_cache(t, name) >= 0)
		return -1;
	c = &t->caches[t->nr_caches];
	memset(c, 0, sizeof(*c));
	copy_name(c->name, name);
	c->kind = (uint8_t)kind;
	return (int)t->nr_caches++;
}

/* Queue and actor names, like cache names, must not silently change. */
static bool name_ok(const char *name)
{
	return name[0] && strnlen(name, FS_NAME_MAX) < FS_NAME_MAX;
}

int fs_trace_add_queue(struct fs_trace *t, const char *name)
{
	if (t->nr_queues >= FS_MAX_QUEUES || !name_ok(name) ||
	    fs_trace_find_queue(t, name) >= 0)
		return -1;
	copy_name(t->queues[t->nr_queues], name);
	return (int)t->nr_queues++;
}

/*
 * Returns the new index, or -1 if the table is full, @name is too long,
 * taken or "main" (the implicit task), or @kind or @cpu is out of range.
 * The actor's op is set to the index the next fs_trace_add_op() returns:
 * add its FS_OP_ACTOR op right after.  @count only means something for a hardirq
 * (0 there is the default, 1); the other kinds store 1.
 */
int fs_trace_add_actor(struct fs_trace *t, const char *name,
		       enum fs_actor_kind kind, unsigned int cpu, uint32_t count)
{
	struct fs_actor *a;

	if (t->nr_actors >= FS_MAX_ACTORS || !name_ok(name) ||
	    !strcmp(name, "main") || fs_trace_find_actor(t, name) >= 0 ||
	    kind > FS_ACTOR_SOFTIRQ || cpu >= FS_MAX_CPUS)
		return -1;
	a = &t->actors[t->nr_actors];
	memset(a, 0, sizeof(*a));
	copy_name(a->name, name);
	a->kind = (uint8_t)kind;
	a->cpu = (uint8_t)cpu;
	a->count = kind == FS_ACTOR_HARDIRQ && count ? count : 1;
	a->op = t->nr_ops;
	return (int)t->nr_actors++;
}

void fs_trace_add_decision(struct fs_trace *t, const struct fs_decision *d)
{
	struct fs_schedule *s = &t->sched;

	s->dec = grow(s->dec, s->nr_dec, &s->cap_dec, sizeof(*s->dec));
	s->dec[s->nr_dec++] = *d;
}

bool fs_trace_anchored(const struct fs_trace *t)
{
	return t->sched.nr_dec && t->sched.dec[0].an.k;
}

int fs_trace_find_actor(const struct fs_trace *t, const char *name)
{
	for (unsigned int i = 0; i < t->nr_actors && i < FS_MAX_ACTORS; i++) {
		if (!strncmp(t->actors[i].name, name, FS_NAME_MAX))
			return (int)i;
	}
	return -1;
}

int fs_trace_find_queue(const struct fs_trace *t, const char *name)
{
	for (unsigned int i = 0; i < t->nr_queues && i < FS_MAX_QUEUES; i++) {
		if (!strncmp(t->queues[i], name, FS_NAME_MAX))
			return (int)i;
	}
	return -1;
}

bool fs_trace_concurrent(const struct fs_trace *t)
{
	for (unsigned int i = 0; i < FS_AGENT_NR; i++) {
		if (t->agents[i].on)
			return true;
	}
	return t->cpus > 1 || t->nr_actors || t->preempt == FS_PREEMPT_FULL ||
	       t->rt;
}

long fs_trace_find_handle(const struct fs_trace *t, const char *name)
{
	for (uint32_t i = 0; i < t->nr_handles; i++) {
		if (!strncmp(t->handles[i], name, FS_NAME_MAX))
			return (long)i;
	}
	return -1;
}

int fs_trace_find_cache(const struct fs_trace *t, const char *name)
{
	for (unsigned int i = 0; i < t->nr_caches && i < FS_MAX_CACHES; i++) {
		if (!strncmp(t->caches[i].name, name, FS_NAME_MAX))
			return (int)i;
	}
	return -1;
}

static const char *handle_name(const struct fs_trace *t, uint32_t h)
{
	return h < t->nr_handles ? t->handles[h] : NULL;
}

/*
 * Handles compare by name, not index: two traces that read the same are
 * equal even if one was built with handles it never uses.
 */
static bool handle_equal(const struct fs_trace *a, uint32_t ha,
			 const struct fs_trace *b, uint32_t hb)
{
	const char *na = handle_name(a, ha), *nb = handle_name(b, hb);

	if (!na || !nb)
		return !na && !nb && ha == hb;
	return !strncmp(na, nb, FS_NAME_MAX);
}

static bool comment_equal(const struct fs_trace *a, uint32_t sa,
			  const struct fs_trace *b, uint32_t sb)
{
	if (sa >= a->nr_strings || sb >= b->nr_strings)
		return sa >= a->nr_strings && sb >= b->nr_strings && sa == sb;
	return !strcmp(a->strings[sa], b->strings[sb]);
}

/* A kind no operation has: every field counts. */
static bool raw_equal(const struct fs_op *x, const struct fs_op *y)
{
	return x->expect == y->expect && x->cache == y->cache &&
	       x->handle == y->handle && x->size == y->size &&
	       x->align == y->align && x->gfp == y->gfp &&
	       x->faults == y->faults && x->count == y->count &&
	       x->body_len == y->body_len && x->comment == y->comment &&
	       x->actor == y->actor && x->queue == y->queue;
}

/* Compare the fields @x's kind uses (trace_ops.h); the others are don't-care. */
static bool op_equal(const struct fs_trace *a, const struct fs_op *x,
		     const struct fs_trace *b, const struct fs_op *y)
{
	const struct fs_op_desc *d = fs_op_desc(x->kind);
	unsigned int f;

	if (x->kind != y->kind)
		return false;
	if (!d)
		return raw_equal(x, y);
	f = d->fields;
	return (!(f & FS_F_QUEUE) || x->queue == y->queue) &&
	       (!(f & FS_F_CACHE) || x->cache == y->cache) &&
	       (!(f & FS_F_HANDLE) || handle_equal(a, x->handle, b, y->handle)) &&
	       (!(f & FS_F_ACTOR) || x->actor == y->actor) &&
	       (!(f & FS_F_FAULTS) || x->faults == y->faults) &&
	       (!(f & FS_F_COUNT) || x->count == y->count) &&
	       (!(f & FS_F_EXPECT) || x->expect == y->expect) &&
	       (!(f & FS_F_SIZE) || x->size == y->size) &&
	       (!(f & FS_F_ALIGN) || x->align == y->align) &&
	       (!(f & FS_F_GFP) || x->gfp == y->gfp) &&
	       (!(f & FS_F_COMMENT) ||
		comment_equal(a, x->comment, b, y->comment)) &&
	       (!(f & FS_F_BODY) || x->body_len == y->body_len);
}

/* The machine: CPUs, preemption model, agents. */
static bool machine_equal(const struct fs_trace *a, const struct fs_trace *b)
{
	if (a->cpus != b->cpus || a->preempt != b->preempt || a->rt != b->rt)
		return false;
	for (unsigned int i = 0; i < FS_AGENT_NR; i++) {
		const struct fs_agent *x = &a->agents[i], *y = &b->agents[i];

		/* An agent that is off has no count to speak of. */
		if (x->on != y->on || (x->on && x->count != y->count))
			return false;
	}
	return true;
}

static bool anchor_equal(const struct fs_anchor *x, const struct fs_anchor *y)
{
	if (x->k != y->k)
		return false;
	return !x->k || (x->op == y->op && x->loc == y->loc &&
			 x->actor == y->actor &&
			 !strncmp(x->fn, y->fn, sizeof(x->fn)));
}

/* Bounds compare only for the strategy that has them. */
static bool sched_equal(const struct fs_schedule *a,
			const struct fs_schedule *b)
{
	if (a->strategy != b->strategy || a->nr_dec != b->nr_dec)
		return false;
	if (a->strategy == FS_SCHED_PCT && a->depth != b->depth)
		return false;
	if (a->strategy == FS_SCHED_EXHAUSTIVE &&
	    (a->preemptions != b->preemptions ||
	     a->injections != b->injections))
		return false;
	for (uint32_t i = 0; i < a->nr_dec; i++) {
		const struct fs_decision *x = &a->dec[i], *y = &b->dec[i];

		if (x->step != y->step || x->kind != y->kind ||
		    !anchor_equal(&x->an, &y->an))
			return false;
		if (x->kind != FS_DEC_PRESSURE_ON &&
		    x->kind != FS_DEC_PRESSURE_OFF && x->arg != y->arg)
			return false;
	}
	return true;
}

static bool actor_equal(const struct fs_actor *x, const struct fs_actor *y)
{
	return x->kind == y->kind && x->cpu == y->cpu && x->op == y->op &&
	       (x->kind != FS_ACTOR_HARDIRQ || x->count == y->count) &&
	       !strncmp(x->name, y->name, FS_NAME_MAX);
}

/* Caches, queues and actors, in declaration order. */
static bool decls_equal(const struct fs_trace *a, const struct fs_trace *b)
{
	if (a->nr_caches != b->nr_caches || a->nr_queues != b->nr_queues ||
	    a->nr_actors != b->nr_actors)
		return false;
	for (unsigned int i = 0; i < a->nr_caches && i < FS_MAX_CACHES; i++) {
		if (a->caches[i].kind != b->caches[i].kind ||
		    strncmp(a->caches[i].name, b->caches[i].name, FS_NAME_MAX))
			return false;
	}
	for (unsigned int i = 0; i < a->nr_queues && i < FS_MAX_QUEUES; i++) {
		if (strncmp(a->queues[i], b->queues[i], FS_NAME_MAX))
			return false;
	}
	for (unsigned int i = 0; i < a->nr_actors && i < FS_MAX_ACTORS; i++) {
		if (!actor_equal(&a->actors[i], &b->actors[i]))
			return false;
	}
	return true;
}

bool fs_trace_equal(const struct fs_trace *a, const struct fs_trace *b)
{
	if (a->version != b->version || a->seed != b->seed ||
	    a->faults != b->faults ||
	    strncmp(a->target, b->target, sizeof(a->target)) ||
	    strncmp(a->expect_finding, b->expect_finding,
		    sizeof(a->expect_finding)) ||
	    strncmp(a->rec_build, b->rec_build, sizeof(a->rec_build)) ||
	    strncmp(a->rec_title, b->rec_title, sizeof(a->rec_title)) ||
	    a->nr_ops != b->nr_ops || !machine_equal(a, b) ||
	    !sched_equal(&a->sched, &b->sched) || !decls_equal(a, b))
		return false;
	for (uint32_t i = 0; i < a->nr_ops; i++) {
		if (!op_equal(a, &a->ops[i], b, &b->ops[i]))
			return false;
	}
	return true;
}

static uint64_t sat_add(uint64_t x, uint64_t y)
{
	return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

static uint64_t sat_mul(uint64_t x, uint64_t y)
{
	return y && x > UINT64_MAX / y ? UINT64_MAX : x * y;
}

/*
 * How often a block's body runs: a repeat's count; a hardirq handler's up
 * to its count, other actors' and sections' once.
 */
static uint64_t body_runs(const struct fs_trace *t, const struct fs_op *op)
{
	const struct fs_actor *a;
	unsigned int f = fs_op_descs[op->kind].fields;

	if (f & FS_F_COUNT)
		return op->count;
	if (!(f & FS_F_ACTOR) || op->actor >= t->nr_actors ||
	    op->actor >= FS_MAX_ACTORS)
		return 1;
	a = &t->actors[op->actor];
	return a->kind == FS_ACTOR_HARDIRQ ? a->count : 1;
}

/*
 * Primitive ops in ops[*i, end), advancing *i to @end.  A body_len that
 * overruns its enclosing block is clamped, so a malformed model still
 * terminates; the parser never produces one.  With @raised, a raise counts
 * the body of the softirq it raises too (raised[actor]).
 */
static uint64_t count_range(const struct fs_trace *t, uint32_t *i,
			    uint32_t end, const uint64_t *raised)
{
	uint64_t n = 0;

	while (*i < end) {
		const struct fs_op *op = &t->ops[(*i)++];
		uint32_t body_end = op->body_len > end - *i ?
				    end : *i + op->body_len;

		if (fs_op_opens_block(op->kind))
			n = sat_add(n, sat_mul(body_runs(t, op),
					       count_range(t, i, body_end,
							   raised)));
		else if (op->kind == FS_OP_RAISE && raised &&
			 op->actor < FS_MAX_ACTORS)
			n = sat_add(n, sat_add(1, raised[op->actor]));
		else if (op->kind != FS_OP_COMMENT)
			n = sat_add(n, 1);
	}
	return n;
}

/*
 * Comments, and the repeat, section and actor lines themselves, execute
 * nothing.  A hardirq's body counts as often as it may be injected.
 */
uint64_t fs_trace_op_count(const struct fs_trace *t)
{
	uint32_t i = 0;

	return count_range(t, &i, t->nr_ops, NULL);
}

/* One run of actor @a's body, raises counted with @raised. */
static uint64_t actor_body(const struct fs_trace *t, unsigned int a,
			   const uint64_t *raised)
{
	uint32_t i = t->actors[a].op;
	uint32_t end;

	if (i >= t->nr_ops)
		return 0;
	end = t->ops[i].body_len > t->nr_ops - i - 1 ? t->nr_ops :
	      i + 1 + t->ops[i].body_len;
	i++;
	return count_range(t, &i, end, raised);
}

/*
 * Every raise may run its softirq's body once more.  Bodies that raise
 * others are counted round by round, one round per actor: a cycle keeps
 * growing and is cut there, which is still far above any cap.
 */
uint64_t fs_trace_op_bound(const struct fs_trace *t)
{
	uint64_t raised[FS_MAX_ACTORS] = { 0 }, next[FS_MAX_ACTORS];
	unsigned int nr = t->nr_actors < FS_MAX_ACTORS ? t->nr_actors :
			  FS_MAX_ACTORS;
	uint32_t i = 0;

	for (unsigned int round = 0; round <= nr; round++) {
		for (unsigned int a = 0; a < nr; a++)
			next[a] = t->actors[a].kind == FS_ACTOR_SOFTIRQ ?
				  actor_body(t, a, raised) : 0;
		memcpy(raised, next, sizeof(next));
	}
	return count_range(t, &i, t->nr_ops, raised);
}
