// SPDX-License-Identifier: GPL-2.0
/*
 * The trace model's structure, checked before a run: what a parsed trace
 * always has, and a trace built in code (tests, fuzz harnesses) may lack.
 * The fields an op uses come from the operation table (trace_ops.h).
 */
#include <stdio.h>

#include "trace.h"

/* True if an index field @op uses is out of range. */
static bool bad_index(const struct fs_trace *t, const struct fs_op *op)
{
	const struct fs_op_desc *d = fs_op_desc(op->kind);
	unsigned int f = d ? d->fields : 0;

	if ((f & FS_F_CACHE) && op->cache >= t->nr_caches)
		return true;
	if ((f & FS_F_HANDLE) && op->handle >= t->nr_handles &&
	    !((f & FS_F_BINDS) && op->handle == FS_NO_HANDLE))
		return true;
	if ((f & FS_F_QUEUE) && op->queue >= t->nr_queues)
		return true;
	return (f & FS_F_ACTOR) && op->actor >= t->nr_actors;
}

static int malformed(char *err, size_t errlen)
{
	snprintf(err, errlen, "malformed trace model (an index is out of range)");
	return -1;
}

/* A run's length is bounded: nested repeats could ask for 10^14 ops. */
static int check_size(const struct fs_trace *t, char *err, size_t errlen)
{
	uint64_t n = fs_trace_op_bound(t);

	if (n <= FS_MAX_TRACE_OPS)
		return 0;
	if (n == UINT64_MAX)
		snprintf(err, errlen, "the trace executes more than 2^64 operations (repeats, hardirq counts and softirq raises multiplied); a trace may execute at most %u",
			 FS_MAX_TRACE_OPS);
	else
		snprintf(err, errlen, "the trace executes up to %llu operations (repeats, hardirq counts and softirq raises multiplied); a trace may execute at most %u",
			 (unsigned long long)n, FS_MAX_TRACE_OPS);
	return -1;
}

int fs_trace_validate(const struct fs_trace *t, fs_op_check_t check,
		      void *ctx, char *err, size_t errlen)
{
	unsigned int depth = 0;
	uint32_t ends[FS_MAX_NESTING];

	if (t->cpus < 1 || t->cpus > FS_MAX_CPUS || t->nr_actors > FS_MAX_ACTORS)
		return malformed(err, errlen);
	for (uint32_t i = 0; i < t->nr_ops; i++) {
		const struct fs_op *op = &t->ops[i];

		while (depth && i >= ends[depth - 1])
			depth--;
		if (bad_index(t, op))
			return malformed(err, errlen);
		if (check && check(ctx, op, err, errlen))
			return -1;
		if (!fs_op_opens_block(op->kind))
			continue;
		if (depth == FS_MAX_NESTING || op->body_len > t->nr_ops - i - 1) {
			snprintf(err, errlen, "line %u: blocks nested deeper than %d",
				 op->line, FS_MAX_NESTING);
			return -1;
		}
		ends[depth++] = i + 1 + op->body_len;
	}
	return check_size(t, err, errlen);
}
