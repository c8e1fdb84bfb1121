/* SPDX-License-Identifier: GPL-2.0 */
/* The fragsim command line: shared helpers of the sub-commands. */
#ifndef FRAGSIM_CLI_H
#define FRAGSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/target.h>

#include "../core/runner.h"
#include "../trace/trace.h"

/* Exit statuses (docs/cli.md). */
enum {
	FS_EXIT_OK = 0,
	FS_EXIT_FINDING = 1,
	FS_EXIT_USAGE = 2,	/* bad input or usage */
	FS_EXIT_INTERNAL = 3,
};

extern const char *fs_argv0;

/* Print "fragsim: error: ..." and exit with FS_EXIT_USAGE. */
__attribute__((noreturn, format(printf, 1, 2)))
void fs_usage_error(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2)))
void fs_internal_error(const char *fmt, ...);

/* Option values; each exits with FS_EXIT_USAGE on a bad value. */
uint64_t fs_opt_u64(const char *opt, const char *val);
double fs_opt_seconds(const char *opt, const char *val);
const struct fs_target *fs_opt_target(const char *name);

/* The repro key of a run, one line, no newline. */
void fs_repro_key(char *buf, size_t len, const struct fs_target *t,
		  const struct fs_trace *tr, enum fs_strategy strategy,
		  const char *origin);
/* Make @t replay exactly the decisions a run took. */
void fs_trace_set_replay(struct fs_trace *t, const struct fs_decision *log,
			 uint32_t n);

/*
 * Print a finding (report + repro footer) to stdout and, when @dir is
 * set, write "<dir>/<slug>-<seed>.trace" and ".txt"; the path of the trace
 * is stored in @path.
 */
int fs_emit_finding(const struct fs_trace *t, const struct fs_target *target,
		    const struct fs_run_result *res, const char *dir,
		    const char *trace_path, char *path, size_t pathlen);

/* mkdir -p: 0, or -1 with errno. */
int fs_mkdir_p(const char *dir);

/*
 * Load any trace artifact: a text trace, or a fuzzer input in the binary
 * form (libFuzzer crash-/leak-/timeout-/oom- files, AFL++ id:... files).
 * 0, or -1 with a one-line reason in @err.  *@binary tells which it was.
 */
int fs_load_trace(struct fs_trace *t, const char *path, bool *binary,
		  char *err, size_t errlen);

/*
 * The code under test for @t: --target, else the trace's own, else ref for
 * a text trace and this build's last (default) target for a binary input.
 */
const struct fs_target *fs_pick_target(const struct fs_trace *t,
				       const struct fs_target *forced,
				       const char *file, bool binary);

int fs_cmd_targets(int argc, char **argv);
int fs_cmd_run(int argc, char **argv);
int fs_cmd_replay(int argc, char **argv);
int fs_cmd_bench(int argc, char **argv);
int fs_cmd_decode(int argc, char **argv);
int fs_cmd_minimize(int argc, char **argv);
int fs_cmd_validate(int argc, char **argv);

#endif /* FRAGSIM_CLI_H */
