// SPDX-License-Identifier: GPL-2.0
/* Shared by the fuzz harnesses; see fuzz_common.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/check/suppress.h"
#include "../sim/lib/xalloc.h"
#include "../sim/machine/feedback.h"
#include "fuzz_common.h"

#ifndef FS_FUZZ_DEFAULT_TARGET
#define FS_FUZZ_DEFAULT_TARGET "ref"
#endif

/* The CLI helpers linked in name the program by this. */
const char *fs_argv0 = "fragsim";

/*
 * Concurrency feedback: libFuzzer reads this section after each input
 * (each non-zero byte, bucketed, is a feature).  Under AFL++ the same
 * bytes are replayed as distinct edges (afl_edges() below).
 */
#define FB_BYTES	12288
#define FUZZ_ARENA_SLOTS 1024
__attribute__((section("__libfuzzer_extra_counters"), used))
static uint8_t fb_counters[FB_BYTES];

/*
 * The fragsim of this build (B/fuzz/fuzz_trace -> B/fragsim): the kernel
 * code compiled with the same flags numbers its scheduling points the
 * same way, so it replays an artifact's decisions exactly.
 */
static char build_root[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[PATH_MAX], *slash;

	if (*argc < 1 || !realpath((*argv)[0], path))
		return 0;
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		snprintf(build_root, sizeof(build_root), "%s", path);
	}
	return 0;
}

/* fragsim, or fragsim-zoo for a bug-zoo target, of this build. */
static const char *replay_cmd(const struct fs_target *t)
{
	static char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "%s%s", build_root,
		 t->zoo && *t->zoo ? "/sim/fragsim-zoo" : "/fragsim");
	return *build_root && !access(cmd, X_OK) ? cmd :
	       t->zoo && *t->zoo ? "fragsim-zoo" : "fragsim";
}

const struct fs_target *fs_fuzz_target(void)
{
	static const struct fs_target *t;
	const char *name;

	if (t)
		return t;
	name = getenv("FRAGSIM_FUZZ_TARGET");
	if (!name || !*name)
		name = FS_FUZZ_DEFAULT_TARGET;
	t = fs_target_find(name);
	if (!t) {
		fprintf(stderr, "fragsim fuzz: error: FRAGSIM_FUZZ_TARGET '%s' is not built into this fuzzer (built in:",
			name);
		for (unsigned int i = 0; i < fs_nr_targets; i++)
			fprintf(stderr, " %s", fs_targets[i]->name);
		fprintf(stderr, ")\n");
		exit(2);
	}
	return t;
}

#ifdef __AFL_COMPILER
/*
 * AFL++ ignores libFuzzer's extra counters: give each bucket class a
 * distinct edge of its own instead.  optnone keeps the cases apart.
 */
#define E1(n)	case n: __asm__ volatile("" : : "i"(n)); break;
#define E16(p)	E1(p##0) E1(p##1) E1(p##2) E1(p##3) E1(p##4) E1(p##5) \
		E1(p##6) E1(p##7) E1(p##8) E1(p##9) E1(p##a) E1(p##b) \
		E1(p##c) E1(p##d) E1(p##e) E1(p##f)
__attribute__((noinline, optnone))
static void afl_edge(unsigned int b)
{
	switch (b & 0xff) {
	E16(0x0) E16(0x1) E16(0x2) E16(0x3) E16(0x4) E16(0x5) E16(0x6)
	E16(0x7) E16(0x8) E16(0x9) E16(0xa) E16(0xb) E16(0xc) E16(0xd)
	E16(0xe) E16(0xf)
	}
}

static void afl_edges(void)
{
	for (unsigned int i = 0; i < FB_BYTES; i++)
		if (fb_counters[i])
			afl_edge(i * 31 + fb_counters[i] / 4);
}
#else
static void afl_edges(void)
{
}
#endif

static struct fs_runner *runner(bool diff)
{
	static struct fs_runner *r[2];

	if (!r[diff]) {
		/*
		 * 64 MB of simulated memory: plenty for an input of at most
		 * 255 ops, small enough for OSS-Fuzz's RSS budget.  Running
		 * out is a failed page allocation, which callers handle.
		 */
		struct fs_runner_opts o = { .target = fs_fuzz_target(),
					    .checks = true, .diff = diff,
					    .arena_slots = FUZZ_ARENA_SLOTS };

		r[diff] = fs_runner_create(&o);
		if (!r[diff]) {
			fputs("fragsim fuzz: cannot set up the page arena\n", stderr);
			abort();
		}
		if (!getenv("FRAGSIM_FUZZ_NO_FEEDBACK"))
			fs_fb_set_map(fb_counters, FB_BYTES);
	}
	return r[diff];
}

static void report(const struct fs_trace *t, const struct fs_run_result *res)
{
	const struct fs_target *tg = fs_fuzz_target();
	char *text = fs_trace_print(t);
	char key[256], replay[PATH_MAX + 256];
	struct fs_buf footer = { 0 };

	snprintf(key, sizeof(key),
		 "fragsim/1 target=%s build=%s engine=fuzz schedule=input",
		 tg->name, tg->build_id);
	snprintf(replay, sizeof(replay),
		 "%s replay --target %s <the crash file this fuzzer writes>",
		 replay_cmd(tg), tg->name);
	fs_report_footer(&footer, key, replay);
	fprintf(stderr, "%s%s", res->finding->report.s, footer.s);
	fprintf(stderr, "--- the input as a text trace ---\n%s---\n", text);
	fs_buf_free(&footer);
	free(text);
}

/*
 * The suppressions (docs/suppressions.md): the built-in list unless
 * FRAGSIM_NO_DEFAULT_SUPPRESSIONS is set, then the ':'-separated files of
 * FRAGSIM_SUPPRESS (libFuzzer owns the command line).  A malformed file
 * ends the process with one line, exit 2.
 */
static const struct fs_supp *suppressions(void)
{
	static struct fs_supp s;
	static bool loaded;
	const char *env = getenv("FRAGSIM_SUPPRESS");
	char err[512], *list, *file, *save;
	int rc = 0;

	if (loaded)
		return &s;
	loaded = true;
	if (!getenv("FRAGSIM_NO_DEFAULT_SUPPRESSIONS"))
		rc = fs_supp_load_default(&s, err, sizeof(err));
	list = fs_xstrdup(env ? env : "");
	for (file = strtok_r(list, ":", &save); !rc && file;
	     file = strtok_r(NULL, ":", &save))
		rc = fs_supp_load(&s, file, err, sizeof(err));
	free(list);
	if (rc) {
		fprintf(stderr, "fragsim fuzz: error: FRAGSIM_SUPPRESS: %s\n", err);
		exit(2);
	}
	return &s;
}

/* A known finding is no crash: said once per title, on stderr. */
static bool known(const struct fs_run_result *res)
{
	static char seen[64][160];
	static unsigned int nr_seen;
	const struct fs_supp_entry *e =
		fs_supp_match(suppressions(), res->finding,
			      fs_fuzz_target()->name);
	const char *title = res->finding->title;

	if (!e)
		return false;
	for (unsigned int i = 0; i < nr_seen; i++)
		if (!strcmp(seen[i], title))
			return true;
	if (nr_seen < 64)
		snprintf(seen[nr_seen++], sizeof(seen[0]), "%s", title);
	fprintf(stderr, "fragsim fuzz: known: %s (known: suppressed by %s:%u \xe2\x80\x94 %s)\n",
		title, e->file, e->line, e->reason);
	return true;
}

void fs_fuzz_run(const struct fs_trace *t, bool diff)
{
	struct fs_runner *r = runner(diff);
	struct fs_run_result res;
	char err[256];

	memset(fb_counters, 0, sizeof(fb_counters));
	if (fs_runner_run(r, t, &res, err, sizeof(err)))
		return;
	afl_edges();
	if (!res.finding || known(&res))
		return;
	report(t, &res);
	abort();
}
