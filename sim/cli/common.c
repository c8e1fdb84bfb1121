// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the fragsim sub-commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check/check.h"
#include "../lib/xalloc.h"
#include "../trace/trace_bin.h"
#include "cli.h"

void fs_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fragsim: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(FS_EXIT_USAGE);
}

void fs_internal_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fragsim: internal error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(FS_EXIT_INTERNAL);
}

uint64_t fs_opt_u64(const char *opt, const char *val)
{
	char *end;
	unsigned long long v;

	if (!val || !*val || *val == '-')
		fs_usage_error("%s needs a non-negative integer", opt);
	errno = 0;
	v = strtoull(val, &end, 0);
	if (errno || *end)
		fs_usage_error("%s: '%s' is not a valid integer", opt, val);
	return v;
}

double fs_opt_seconds(const char *opt, const char *val)
{
	char *end;
	double v;

	if (!val || !*val)
		fs_usage_error("%s needs a number of seconds", opt);
	v = strtod(val, &end);
	if (*end || !(v > 0) || v > 1e7)
		fs_usage_error("%s: '%s' is not a positive number of seconds", opt, val);
	return v;
}

const struct fs_target *fs_opt_target(const char *name)
{
	const struct fs_target *t = fs_target_find(name);
	char list[512] = "";

	if (t)
		return t;
	for (unsigned int i = 0; i < fs_nr_targets; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, fs_targets[i]->name, sizeof(list) - strlen(list) - 1);
	}
	fs_usage_error("no target '%s' in this build (targets: %s)", name, list);
}

void fs_repro_key(char *buf, size_t len, const struct fs_target *t,
		  const struct fs_trace *tr, enum fs_strategy strategy,
		  const char *origin)
{
	snprintf(buf, len,
		 "fragsim/1 target=%s build=%s seed=0x%016llx strategy=%s cpus=%u preempt=%s rt=%s origin=%s",
		 t->name, t->build_id, (unsigned long long)tr->seed,
		 fs_trace_concurrent(tr) ? fs_strategy_name(strategy) :
		 "sequential", tr->cpus,
		 tr->preempt == FS_PREEMPT_FULL ? "full" : "none",
		 tr->rt ? "on" : "off", origin);
}

void fs_trace_set_replay(struct fs_trace *t, const struct fs_decision *log,
			 uint32_t n)
{
	if (!fs_trace_concurrent(t))
		return;
	t->sched.strategy = FS_SCHED_REPLAY;
	t->sched.nr_dec = 0;
	for (uint32_t i = 0; i < n; i++)
		fs_trace_add_decision(t, &log[i]);
}

int fs_mkdir_p(const char *dir)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0777) && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(a, f);
	if (b)
		fputs(b, f);
	return fclose(f);
}

int fs_emit_finding(const struct fs_trace *t, const struct fs_target *target,
		    const struct fs_run_result *res, const char *dir,
		    const char *trace_path, char *path, size_t pathlen)
{
	const struct fs_finding *f = res->finding;
	char key[256], replay[4096 + 64], base[4096], txt[4200];
	struct fs_buf footer = { 0 };
	char *text;
	int rc = 0;

	fs_repro_key(key, sizeof(key), target, t, res->strategy,
		     trace_path ? "trace" : "generated");
	if (dir) {
		if (fs_mkdir_p(dir)) {
			fprintf(stderr, "fragsim: cannot create %s: %s\n", dir,
				strerror(errno));
			return -1;
		}
		snprintf(base, sizeof(base), "%s/%s-%016llx", dir,
			 fs_finding_slug(f->kind), (unsigned long long)t->seed);
		snprintf(path, pathlen, "%s.trace", base);
		trace_path = path;
	}
	snprintf(replay, sizeof(replay), "%s replay %s", fs_argv0,
		 trace_path ? trace_path : "<trace>");
	fs_report_footer(&footer, key, replay);
	fputs(f->report.s, stdout);
	fputs(footer.s, stdout);
	if (dir) {
		text = fs_trace_print(t);
		snprintf(txt, sizeof(txt), "%s.txt", base);
		if (write_text(path, text, NULL) ||
		    write_text(txt, f->report.s, footer.s)) {
			fprintf(stderr, "fragsim: cannot write %s: %s\n", path,
				strerror(errno));
			rc = -1;
		}
		free(text);
	}
	fs_buf_free(&footer);
	return rc;
}

/* The whole file, NUL-terminated (text traces are parsed in place). */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = fs_xmalloc(cap);
	for (;;) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = fs_xrealloc(buf, cap);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read it", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int fs_load_trace(struct fs_trace *t, const char *path, bool *binary,
		  char *err, size_t errlen)
{
	char sub[400];
	size_t len;
	char *buf = slurp(path, &len, err, errlen);
	int rc;

	if (!buf)
		return -1;
	*binary = fs_trace_is_binary((const uint8_t *)buf, len);
	if (!*binary) {
		free(buf);
		return fs_trace_parse_file(t, path, err, errlen);
	}
	rc = fs_trace_decode(t, (const uint8_t *)buf, len, sub, sizeof(sub));
	if (rc)
		snprintf(err, errlen, "%s: binary trace: %s", path, sub);
	free(buf);
	return rc;
}

const struct fs_target *fs_pick_target(const struct fs_trace *t,
				       const struct fs_target *forced,
				       const char *file, bool binary)
{
	if (forced)
		return forced;
	/* A fuzzer's input names no target: the fuzzers' default is ours. */
	if (!t->target[0])
		return binary ? fs_targets[fs_nr_targets - 1] : fs_opt_target("ref");
	if (!fs_target_find(t->target))
		fs_usage_error("%s: the trace is for target '%s', which this build does not have (see '%s targets'; --target overrides)",
			       file, t->target, fs_argv0);
	return fs_target_find(t->target);
}
