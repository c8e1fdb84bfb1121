// SPDX-License-Identifier: GPL-2.0
/*
 * Executes a trace: one CPU, task context (the CPU/IRQ machine extends
 * this).  Each operation is bracketed for the checker: op_begin, the call
 * into the target with the shim's hooks live, the runner's note of what
 * came back, then the quiescent check.  A finding unwinds here with
 * longjmp from wherever it was raised, kernel code included.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/kshim.h>

#include "runner.h"

#define NO_FRAG		UINT32_MAX
#define MAX_NESTING	64

enum { RES_NONE, RES_NULL, RES_OK, RES_OK_PFMEMALLOC };

extern const struct fs_target fs_target_ref;

struct fs_runner {
	struct fs_runner_opts o;
	const struct fs_target *t;
	const struct fs_target *ref;	/* non-NULL: differential on */
	struct fs_arena *arena, *ref_arena;
	struct fs_check *check;
	struct fs_shim_hooks hooks;

	const struct fs_trace *trace;
	void *nc[FS_MAX_CACHES], *ref_nc[FS_MAX_CACHES];
	struct fs_cache_view views[FS_MAX_CACHES];
	uint32_t *handle_frag;		/* handle -> fragment id */
	uint8_t *handle_res;		/* handle -> RES_* of its last alloc */
	uint32_t cap_handles;
	/*
	 * Fragment id -> the reference model's address for it; in native
	 * mode (no checker) the target's own address.
	 */
	void **ref_va;
	uint32_t cap_ref_va;
	uint32_t nr_frags, first_live;

	uint64_t op_no;
	jmp_buf unwind;
};

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fputs("fragsim: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void unwind(void *ctx)
{
	struct fs_runner *r = ctx;

	longjmp(r->unwind, 1);
}

static void describe(void *ctx, const void *op, char *buf, size_t len)
{
	struct fs_runner *r = ctx;

	fs_trace_format_op(r->trace, op, buf, len);
}

struct fs_runner *fs_runner_create(const struct fs_runner_opts *opts)
{
	struct fs_runner *r = xmalloc(sizeof(*r));
	unsigned int slots = opts->arena_slots ? opts->arena_slots :
			     FS_DEFAULT_ARENA_SLOTS;

	r->o = *opts;
	r->t = opts->target;
	r->arena = fs_arena_create(slots);
	if (!r->arena) {
		free(r);
		return NULL;
	}
	if (opts->diff && opts->checks && r->t != &fs_target_ref) {
		r->ref = &fs_target_ref;
		r->ref_arena = fs_arena_create(slots);
	}
	r->check = fs_check_create(r->arena, r->t, unwind, r);
	fs_check_set_describer(r->check, describe, r);
	fs_check_set_payload(r->check, !opts->no_payload);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		r->nc[i] = xmalloc(r->t->cache_size);
		r->ref_nc[i] = xmalloc(fs_target_ref.cache_size);
	}
	return r;
}

void fs_runner_destroy(struct fs_runner *r)
{
	if (!r)
		return;
	fs_check_destroy(r->check);
	fs_arena_destroy(r->arena);
	fs_arena_destroy(r->ref_arena);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		free(r->nc[i]);
		free(r->ref_nc[i]);
	}
	free(r->handle_frag);
	free(r->handle_res);
	free(r->ref_va);
	free(r);
}

/* Calls into the code under test run with the target's arena and hooks. */
static void enter_target(struct fs_runner *r)
{
	fs_arena_cur = r->arena;
	if (r->o.checks)
		fs_check_install(r->check);
}

/* The reference model runs unobserved on its own arena. */
static void enter_ref(struct fs_runner *r)
{
	fs_check_uninstall();
	fs_arena_cur = r->ref_arena;
}

static void begin(struct fs_runner *r, const struct fs_op *op, const char *fn)
{
	r->op_no++;
	if (r->o.checks)
		fs_check_op_begin(r->check, r->op_no, op ? op->line : 0, op, fn);
}

static void quiescent(struct fs_runner *r)
{
	if (!r->o.checks)
		return;
	for (unsigned int i = 0; i < r->trace->nr_caches; i++)
		r->t->view(r->nc[i], &r->views[i]);
	fs_check_quiescent(r->check, r->views);
}

static void grow_ref_va(struct fs_runner *r, uint32_t id)
{
	if (id < r->cap_ref_va)
		return;
	r->cap_ref_va = r->cap_ref_va ? r->cap_ref_va * 2 : 1024;
	while (r->cap_ref_va <= id)
		r->cap_ref_va *= 2;
	r->ref_va = realloc(r->ref_va, r->cap_ref_va * sizeof(*r->ref_va));
	if (!r->ref_va) {
		fputs("fragsim: out of memory\n", stderr);
		abort();
	}
}

static void diff_alloc(struct fs_runner *r, const struct fs_op *op, void *va,
		       uint32_t id)
{
	struct fs_cache_view rv;
	void *rva;

	enter_ref(r);
	rva = r->ref->alloc(r->ref_nc[op->cache], op->size, op->gfp, op->align);
	r->ref->view(r->ref_nc[op->cache], &rv);
	enter_target(r);
	if (va && id != NO_FRAG) {
		grow_ref_va(r, id);
		/* As for the target: free a zero-length fragment at its
		 * page's end through an address inside the page. */
		if (rva && !op->size && rva == (char *)rv.va + rv.size)
			rva = (char *)rva - 1;
		r->ref_va[id] = rva;
	}
	if (!va != !rva) {
		const struct fs_cache_view *kv = &r->views[op->cache];

		fs_check_fail(r->check, va ? FS_F_DIFF_ALLOC : FS_F_DIFF_NULL,
			      "%s() %s %u bytes from cache %s; the reference model %s under the same fault plan (kernel cache now: offset %lu size %lu bias %lu; reference: offset %lu size %lu bias %lu)",
			      op->align ? r->t->fn_alloc_align : r->t->fn_alloc,
			      va ? "returned a fragment of" : "returned NULL for",
			      op->size, r->trace->caches[op->cache].name,
			      va ? "returns NULL" : "succeeds",
			      kv->offset, kv->size, kv->bias, rv.offset, rv.size,
			      rv.bias);
	}
	if (va && rv.pfmemalloc != r->views[op->cache].pfmemalloc)
		fs_check_fail(r->check, FS_F_DIFF_PFMEMALLOC,
			      "cache %s reports pfmemalloc=%d, the reference model %d under the same fault plan",
			      r->trace->caches[op->cache].name,
			      r->views[op->cache].pfmemalloc, rv.pfmemalloc);
}

static void do_alloc(struct fs_runner *r, const struct fs_op *op)
{
	void *va;
	uint32_t id = NO_FRAG;

	begin(r, op, op->align ? r->t->fn_alloc_align : r->t->fn_alloc);
	va = r->t->alloc(r->nc[op->cache], op->size, op->gfp, op->align);
	if (r->o.checks) {
		r->t->view(r->nc[op->cache], &r->views[op->cache]);
		if (va)
			id = fs_check_alloc_done(r->check, op->cache, va,
						 op->size, op->align,
						 &r->views[op->cache]);
		quiescent(r);
		if (r->ref)
			diff_alloc(r, op, va, id);
	} else if (va) {
		id = r->nr_frags;
		grow_ref_va(r, id);
		r->ref_va[id] = va;	/* native mode keeps addresses here */
	}
	if (va)
		r->nr_frags++;
	if (op->handle == FS_NO_HANDLE)
		return;
	r->handle_frag[op->handle] = id;
	r->handle_res[op->handle] = !va ? RES_NULL :
		r->views[op->cache].pfmemalloc ? RES_OK_PFMEMALLOC : RES_OK;
}

static void free_frag(struct fs_runner *r, const struct fs_op *op, uint32_t id)
{
	void *addr;

	begin(r, op, r->t->fn_free);
	if (!r->o.checks) {
		r->t->free(r->ref_va[id]);
		r->ref_va[id] = NULL;
		return;
	}
	addr = fs_check_free_begin(r->check, id);
	r->t->free(addr);
	quiescent(r);
	if (r->ref && r->ref_va[id]) {
		enter_ref(r);
		r->ref->free(r->ref_va[id]);
		enter_target(r);
		r->ref_va[id] = NULL;
	}
}

static bool frag_live(struct fs_runner *r, uint32_t id)
{
	if (r->o.checks)
		return fs_check_frag_live(r->check, id);
	return r->ref_va[id] != NULL;
}

static void do_free(struct fs_runner *r, const struct fs_op *op)
{
	uint32_t id = r->handle_frag[op->handle];

	/* Callers check for NULL: freeing a failed allocation is a no-op. */
	if (id == NO_FRAG)
		return;
	free_frag(r, op, id);
}

static void do_free_all(struct fs_runner *r, const struct fs_op *op)
{
	for (uint32_t id = r->first_live; id < r->nr_frags; id++)
		if (frag_live(r, id))
			free_frag(r, op, id);
	r->first_live = r->nr_frags;
}

static void do_drain(struct fs_runner *r, const struct fs_op *op,
		     unsigned int cache)
{
	begin(r, op, r->t->fn_drain);
	r->t->drain(r->nc[cache]);
	quiescent(r);
	if (r->ref) {
		enter_ref(r);
		r->ref->drain(r->ref_nc[cache]);
		enter_target(r);
	}
}

static void do_faults(struct fs_runner *r, const struct fs_op *op)
{
	begin(r, op, NULL);
	fs_arena_set_faults(r->arena, op->faults);
	if (r->ref_arena)
		fs_arena_set_faults(r->ref_arena, op->faults);
}

static const char *const res_names[] = {
	[RES_NONE] = "no allocation", [RES_NULL] = "NULL",
	[RES_OK] = "a fragment", [RES_OK_PFMEMALLOC] = "a pfmemalloc fragment",
};

static void do_expect(struct fs_runner *r, const struct fs_op *op)
{
	uint8_t res = r->handle_res[op->handle];
	bool ok;

	switch (op->expect) {
	case FS_EXPECT_OK:
		ok = res == RES_OK || res == RES_OK_PFMEMALLOC;
		break;
	case FS_EXPECT_NULL:
		ok = res == RES_NULL;
		break;
	case FS_EXPECT_PFMEMALLOC:
		ok = res == RES_OK_PFMEMALLOC;
		break;
	default:
		ok = res == RES_OK;
		break;
	}
	if (!ok && r->o.checks) {
		char want[128];

		begin(r, op, NULL);
		fs_trace_format_op(r->trace, op, want, sizeof(want));
		fs_check_fail(r->check, FS_F_EXPECTATION,
			      "'%s' does not hold: the last allocation of %s returned %s",
			      want, r->trace->handles[op->handle], res_names[res]);
	}
}

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth);

static void exec_op(struct fs_runner *r, const struct fs_op *op, uint32_t idx,
		    unsigned int depth)
{
	switch (op->kind) {
	case FS_OP_ALLOC:
		do_alloc(r, op);
		break;
	case FS_OP_FREE:
		do_free(r, op);
		break;
	case FS_OP_DRAIN:
		do_drain(r, op, op->cache);
		break;
	case FS_OP_FREE_ALL:
		do_free_all(r, op);
		break;
	case FS_OP_FAULTS:
		do_faults(r, op);
		break;
	case FS_OP_EXPECT:
		do_expect(r, op);
		break;
	case FS_OP_REPEAT:
		for (uint32_t k = 0; k < op->count; k++)
			exec_range(r, idx + 1, idx + 1 + op->body_len, depth + 1);
		break;
	default:
		break;
	}
}

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth)
{
	for (uint32_t i = from; i < to; i++) {
		const struct fs_op *op = &r->trace->ops[i];

		exec_op(r, op, i, depth);
		if (op->kind == FS_OP_REPEAT)
			i += op->body_len;
	}
}

static void teardown(struct fs_runner *r)
{
	do_free_all(r, NULL);
	for (unsigned int i = 0; i < r->trace->nr_caches; i++)
		do_drain(r, NULL, i);
	if (r->o.checks)
		fs_check_teardown(r->check);
}

static int validate(const struct fs_runner *r, const struct fs_trace *t,
		    char *err, size_t errlen)
{
	unsigned int depth = 0;
	uint32_t ends[MAX_NESTING];

	for (uint32_t i = 0; i < t->nr_ops; i++) {
		const struct fs_op *op = &t->ops[i];

		while (depth && i >= ends[depth - 1])
			depth--;
		if ((op->kind == FS_OP_ALLOC || op->kind == FS_OP_DRAIN) &&
		    op->cache >= t->nr_caches)
			goto bad;
		if ((op->kind == FS_OP_FREE || op->kind == FS_OP_EXPECT ||
		     (op->kind == FS_OP_ALLOC && op->handle != FS_NO_HANDLE)) &&
		    op->handle >= t->nr_handles)
			goto bad;
		if (op->kind == FS_OP_REPEAT) {
			if (depth == MAX_NESTING || op->body_len > t->nr_ops - i - 1) {
				snprintf(err, errlen, "line %u: repeat blocks nested deeper than %d",
					 op->line, MAX_NESTING);
				return -1;
			}
			ends[depth++] = i + 1 + op->body_len;
		}
	}
	(void)r;
	return 0;
bad:
	snprintf(err, errlen, "malformed trace model (a cache or handle index is out of range)");
	return -1;
}

static void prepare(struct fs_runner *r, const struct fs_trace *t)
{
	char cache_names[FS_MAX_CACHES][32];

	if (t->nr_handles > r->cap_handles) {
		free(r->handle_frag);
		free(r->handle_res);
		r->cap_handles = t->nr_handles;
		r->handle_frag = xmalloc(r->cap_handles * sizeof(*r->handle_frag));
		r->handle_res = xmalloc(r->cap_handles);
	}
	for (uint32_t i = 0; i < t->nr_handles; i++) {
		r->handle_frag[i] = NO_FRAG;
		r->handle_res[i] = RES_NONE;
	}
	for (unsigned int i = 0; i < t->nr_caches; i++) {
		snprintf(cache_names[i], sizeof(cache_names[i]), "%s", t->caches[i].name);
		r->t->cache_init(r->nc[i]);
		fs_target_ref.cache_init(r->ref_nc[i]);
	}
	r->trace = t;
	r->nr_frags = 0;
	r->first_live = 0;
	r->op_no = 0;
	fs_arena_reset(r->arena);
	fs_arena_set_faults(r->arena, t->faults);
	if (r->ref_arena) {
		fs_arena_reset(r->ref_arena);
		fs_arena_set_faults(r->ref_arena, t->faults);
	}
	fs_check_reset(r->check, t->nr_caches, (const char (*)[32])cache_names);
}

int fs_runner_run(struct fs_runner *r, const struct fs_trace *t,
		  struct fs_run_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	if (validate(r, t, err, errlen))
		return -1;
	prepare(r, t);
	enter_target(r);
	if (!setjmp(r->unwind)) {
		exec_range(r, 0, t->nr_ops, 0);
		teardown(r);
	}
	fs_check_uninstall();
	res->ops = r->op_no;
	res->finding = fs_check_finding(r->check);
	res->notes = fs_check_notes(r->check);
	return 0;
}
