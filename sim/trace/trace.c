// SPDX-License-Identifier: GPL-2.0
/*
 * The trace model: growable tables and the queries the runner, the text
 * form and the tests share.  Parsing and printing are in trace_text.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static void *xrealloc_array(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		goto oom;
	p = realloc(p, nmemb * size);
	if (!p)
		goto oom;
	return p;
oom:
	fprintf(stderr, "fragsim: out of memory growing a trace\n");
	abort();
}

/*
 * Make room for one more element in a table of @nr used of @cap.  Indices
 * are uint32_t and UINT32_MAX is FS_NO_HANDLE, so a table stops short of it.
 */
static void *grow(void *p, uint32_t nr, uint32_t *cap, size_t size)
{
	uint32_t ncap;

	if (nr < *cap)
		return p;
	if (nr >= UINT32_MAX - 1) {
		fprintf(stderr, "fragsim: trace table overflow\n");
		abort();
	}
	ncap = *cap ? *cap : 16;
	while (ncap <= nr)
		ncap = ncap > UINT32_MAX / 2 ? UINT32_MAX - 1 : ncap * 2;
	p = xrealloc_array(p, ncap, size);
	*cap = ncap;
	return p;
}

/* Copy @src into a FS_NAME_MAX-sized field, truncating. */
static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, FS_NAME_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void fs_trace_init(struct fs_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->version = FS_TRACE_VERSION;
}

/* Leaves @t as fs_trace_init() does, so freeing twice is harmless. */
void fs_trace_free(struct fs_trace *t)
{
	for (uint32_t i = 0; i < t->nr_strings; i++)
		free(t->strings[i]);
	free(t->strings);
	free(t->handles);
	free(t->ops);
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
	char *copy = strdup(s);

	if (!copy) {
		fprintf(stderr, "fragsim: out of memory growing a trace\n");
		abort();
	}
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

/* Compare the fields @x's kind uses; the others are don't-care. */
static bool op_equal(const struct fs_trace *a, const struct fs_op *x,
		     const struct fs_trace *b, const struct fs_op *y)
{
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case FS_OP_ALLOC:
		return x->cache == y->cache && x->size == y->size &&
		       x->align == y->align && x->gfp == y->gfp &&
		       handle_equal(a, x->handle, b, y->handle);
	case FS_OP_FREE:
		return handle_equal(a, x->handle, b, y->handle);
	case FS_OP_DRAIN:
		return x->cache == y->cache;
	case FS_OP_FREE_ALL:
		return true;
	case FS_OP_FAULTS:
		return x->faults == y->faults;
	case FS_OP_REPEAT:
		return x->count == y->count && x->body_len == y->body_len;
	case FS_OP_EXPECT:
		return x->expect == y->expect &&
		       handle_equal(a, x->handle, b, y->handle);
	case FS_OP_COMMENT:
		return comment_equal(a, x->comment, b, y->comment);
	default:
		return x->expect == y->expect && x->cache == y->cache &&
		       x->handle == y->handle && x->size == y->size &&
		       x->align == y->align && x->gfp == y->gfp &&
		       x->faults == y->faults && x->count == y->count &&
		       x->body_len == y->body_len && x->comment == y->comment;
	}
}

bool fs_trace_equal(const struct fs_trace *a, const struct fs_trace *b)
{
	if (a->version != b->version || a->seed != b->seed ||
	    a->faults != b->faults ||
	    strncmp(a->target, b->target, sizeof(a->target)) ||
	    strncmp(a->expect_finding, b->expect_finding,
		    sizeof(a->expect_finding)) ||
	    a->nr_caches != b->nr_caches || a->nr_ops != b->nr_ops)
		return false;
	for (unsigned int i = 0; i < a->nr_caches && i < FS_MAX_CACHES; i++) {
		if (a->caches[i].kind != b->caches[i].kind ||
		    strncmp(a->caches[i].name, b->caches[i].name, FS_NAME_MAX))
			return false;
	}
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
 * Primitive ops in ops[*i, end), advancing *i to @end.  A body_len that
 * overruns its enclosing block is clamped, so a malformed model still
 * terminates; the parser never produces one.
 */
static uint64_t count_range(const struct fs_trace *t, uint32_t *i,
			    uint32_t end)
{
	uint64_t n = 0;

	while (*i < end) {
		const struct fs_op *op = &t->ops[(*i)++];
		uint32_t body_end;

		switch (op->kind) {
		case FS_OP_COMMENT:
			break;
		case FS_OP_REPEAT:
			body_end = op->body_len > end - *i ?
				   end : *i + op->body_len;
			n = sat_add(n, sat_mul(op->count,
					       count_range(t, i, body_end)));
			break;
		default:
			n = sat_add(n, 1);
			break;
		}
	}
	return n;
}

/* Comments and the repeat lines themselves execute nothing. */
uint64_t fs_trace_op_count(const struct fs_trace *t)
{
	uint32_t i = 0;

	return count_range(t, &i, t->nr_ops);
}
