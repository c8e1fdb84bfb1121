// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the fragsim sub-commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check/check.h"
#include "../lib/xalloc.h"
#include "../trace/trace_bin.h"
#include "anchors.h"

#ifndef FS_BUILD_CC
#define FS_BUILD_CC "unknown"	/* meson defines it: compiler-version/Olevel/flags */
#endif

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

void fs_cli_supp_add(struct fs_cli_supp *o, const char *file)
{
	if (o->nr == FS_CLI_MAX_SUPP)
		fs_usage_error("--suppress: at most %d files", FS_CLI_MAX_SUPP);
	o->files[o->nr++] = file;
}

void fs_cli_supp_load(struct fs_supp *s, const struct fs_cli_supp *o)
{
	char err[512];

	if (!o->no_default && fs_supp_load_default(s, err, sizeof(err)))
		fs_internal_error("%s", err);
	for (unsigned int i = 0; i < o->nr; i++)
		if (fs_supp_load(s, o->files[i], err, sizeof(err)))
			fs_usage_error("%s", err);
}

void fs_supp_describe(const struct fs_supp_entry *e, char *buf, size_t len)
{
	snprintf(buf, len, "(known: suppressed by %s:%u \xe2\x80\x94 %s)", e->file,
		 e->line, e->reason);
}

void fs_repro_key(char *buf, size_t len, const struct fs_target *t,
		  const struct fs_trace *tr, enum fs_strategy strategy,
		  const char *origin)
{
	snprintf(buf, len,
		 "fragsim/1 target=%s build=%s cc=%s seed=0x%016llx strategy=%s cpus=%u preempt=%s rt=%s origin=%s",
		 t->name, t->build_id, FS_BUILD_CC, (unsigned long long)tr->seed,
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

/* True when @path holds exactly @text (a finding written before). */
static bool holds(const char *path, const char *text)
{
	size_t n = strlen(text);
	char *buf = fs_xmalloc(n + 1);
	FILE *f = fopen(path, "rb");
	bool same = f && fread(buf, 1, n + 1, f) == n && !memcmp(buf, text, n);

	if (f)
		fclose(f);
	free(buf);
	return same;
}

/*
 * "<dir>/<slug>-<target>-<seed>", with "-2", "-3" ... when a different
 * trace has that name already: a finding never overwrites another.
 */
static int finding_base(char *base, size_t len, const char *dir,
			const struct fs_finding *f, const struct fs_target *tg,
			const struct fs_trace *t, const char *text)
{
	char path[4200];

	for (unsigned int n = 1; n < 100; n++) {
		int w = snprintf(base, len, "%s/%s-%s-%016llx", dir,
				 fs_finding_slug(f->kind), tg->name,
				 (unsigned long long)t->seed);

		if (n > 1)
			w += snprintf(base + w, len - w, "-%u", n);
		snprintf(path, sizeof(path), "%s.trace", base);
		if (access(path, F_OK) || holds(path, text))
			return 0;
	}
	errno = EEXIST;
	return -1;
}

int fs_check_out_dir(const char *dir)
{
	char tmp[4096];
	struct stat st;
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	/* The directory, or the nearest existing one it would be made in. */
	while (stat(tmp, &st)) {
		if (errno != ENOENT)
			return -1;
		slash = strrchr(tmp, '/');
		if (!slash) {
			strcpy(tmp, ".");
			continue;
		}
		*slash = '\0';
		if (slash == tmp)
			strcpy(tmp, "/");
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	/* Tried, not asked: access() says yes to root on a read-only mount. */
	strncat(tmp, "/.fragsim-probe-XXXXXX", sizeof(tmp) - strlen(tmp) - 1);
	if (!mkdtemp(tmp))
		return -1;
	return rmdir(tmp);
}

/*
 * @t as written for @res's finding: anchored, with the finding it was
 * written for (anchors.c).  Malloc()ed text.
 */
static char *finding_text(const struct fs_trace *t,
			  const struct fs_target *target,
			  const struct fs_run_result *res)
{
	char *text = fs_trace_print(t), err[256];
	struct fs_trace a;

	fs_trace_init(&a);
	if (fs_trace_parse(&a, text, strlen(text), "finding", err,
			   sizeof(err)))
		return text;
	free(text);
	fs_anchor_finding(&a, target, res->finding->title);
	text = fs_trace_print(&a);
	fs_trace_free(&a);
	return text;
}

/* The trace, and the original trace beside it; its path in @path. */
static int write_traces(const struct fs_trace *t, const struct fs_trace *orig,
			const struct fs_target *target,
			const struct fs_run_result *res, const char *dir,
			char *path, size_t pathlen)
{
	char base[4096], opath[4200];
	char *text = finding_text(t, target, res), *otext;
	int rc;

	if (fs_mkdir_p(dir) || finding_base(base, sizeof(base), dir,
					 res->finding, target, t, text)) {
		fprintf(stderr, "fragsim: cannot write into %s: %s\n", dir,
			strerror(errno));
		free(text);
		return -1;
	}
	snprintf(path, pathlen, "%s.trace", base);
	rc = write_text(path, text, NULL);
	if (!rc && orig) {
		otext = finding_text(orig, target, res);
		snprintf(opath, sizeof(opath), "%s.orig.trace", base);
		rc = write_text(opath, otext, NULL);
		free(otext);
	}
	if (rc)
		fprintf(stderr, "fragsim: cannot write %s: %s\n", path,
			strerror(errno));
	free(text);
	return rc ? -1 : 0;
}

int fs_emit_finding_orig(const struct fs_trace *t, const struct fs_trace *orig,
			 const struct fs_target *target,
			 const struct fs_run_result *res, const char *dir,
			 const char *trace_path, char *path, size_t pathlen)
{
	char key[512], replay[4096 + 64], txt[4200];
	struct fs_buf footer = { 0 };
	int rc = 0;

	fs_repro_key(key, sizeof(key), target, t, res->strategy,
		     trace_path ? "trace" : "generated");
	/* Written first: the Replay line names the file it got. */
	if (dir) {
		rc = write_traces(t, orig, target, res, dir, path, pathlen);
		trace_path = rc ? NULL : path;
	}
	snprintf(replay, sizeof(replay), "%s replay %s", fs_argv0,
		 trace_path ? trace_path : "<trace>");
	fs_report_footer(&footer, key, replay);
	fputs(res->finding->report.s, stdout);
	fputs(footer.s, stdout);
	if (dir && !rc) {
		snprintf(txt, sizeof(txt), "%.*s.txt",
			 (int)(strlen(path) - strlen(".trace")), path);
		if (write_text(txt, res->finding->report.s, footer.s)) {
			fprintf(stderr, "fragsim: cannot write %s: %s\n", txt,
				strerror(errno));
			rc = -1;
		}
	}
	fs_buf_free(&footer);
	return rc;
}

int fs_emit_finding(const struct fs_trace *t, const struct fs_target *target,
		    const struct fs_run_result *res, const char *dir,
		    const char *trace_path, char *path, size_t pathlen)
{
	return fs_emit_finding_orig(t, NULL, target, res, dir, trace_path,
				    path, pathlen);
}

/* The display name of an input: "-" is standard input. */
const char *fs_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/*
 * The whole input, read once (FIFOs and "-" for standard input work),
 * NUL-terminated, at most FS_MAX_INPUT bytes: /dev/zero is refused at the
 * cap instead of filling memory.
 */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	const char *name = fs_input_name(path);
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return NULL;
	}
	buf = fs_xmalloc(cap);
	for (;;) {
		if (n > FS_MAX_INPUT) {
			snprintf(err, errlen, "%s: larger than %u MiB, the most an input may be",
				 name, FS_MAX_INPUT >> 20);
			goto fail;
		}
		if (n == cap - 1) {
			/* One byte past the cap tells a too-large input. */
			cap = cap * 2 > FS_MAX_INPUT + 2 ? FS_MAX_INPUT + 2 : cap * 2;
			buf = fs_xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read it: %s", name,
				 strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (fd)
		close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	if (fd)
		close(fd);
	free(buf);
	return NULL;
}

int fs_load_trace(struct fs_trace *t, const char *path, bool *binary,
		  char *err, size_t errlen)
{
	const char *name = fs_input_name(path);
	char sub[400];
	size_t len;
	char *buf = slurp(path, &len, err, errlen);
	int rc;

	if (!buf)
		return -1;
	*binary = fs_trace_is_binary((const uint8_t *)buf, len);
	if (!*binary) {
		rc = fs_trace_parse(t, buf, len, name, err, errlen);
	} else {
		rc = fs_trace_decode(t, (const uint8_t *)buf, len, sub,
				     sizeof(sub));
		if (rc)
			snprintf(err, errlen, "%s: binary trace: %s", name, sub);
	}
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
