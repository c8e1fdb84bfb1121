/* SPDX-License-Identifier: GPL-2.0 */
/* The fragsim command line: shared helpers of the sub-commands. */
#ifndef FRAGSIM_CLI_H
#define FRAGSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/target.h>

#include "../check/suppress.h"
#include "../core/runner.h"
#include "../trace/trace.h"

/* Exit statuses (docs/cli.md). */
enum {
	FS_EXIT_OK = 0,
	FS_EXIT_FINDING = 1,
	FS_EXIT_USAGE = 2,	/* bad input or usage */
	FS_EXIT_INTERNAL = 3,
	/* replay: a schedule decision could not be placed on this build */
	FS_EXIT_NOT_PLACED = 4,
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
 * set, write "<dir>/<slug>-<target>-<seed>.trace" and ".txt" ("-2", ...
 * appended rather than overwrite a different trace); the path of the
 * trace is stored in @path.  fs_emit_finding_orig() writes @orig beside
 * it as "....orig.trace" (a minimized finding's original).
 */
int fs_emit_finding(const struct fs_trace *t, const struct fs_target *target,
		    const struct fs_run_result *res, const char *dir,
		    const char *trace_path, char *path, size_t pathlen);
int fs_emit_finding_orig(const struct fs_trace *t, const struct fs_trace *orig,
			 const struct fs_target *target,
			 const struct fs_run_result *res, const char *dir,
			 const char *trace_path, char *path, size_t pathlen);
/* 0 when findings can be written into @dir (made if missing), else -1. */
int fs_check_out_dir(const char *dir);

/* mkdir -p: 0, or -1 with errno. */
int fs_mkdir_p(const char *dir);

/*
 * A run's finding, minimized within @seconds (sim/core/minimize.c), then
 * emitted as fs_emit_finding_orig() does with the original beside it; as
 * found when minimizing fails or the budget is 0.  @t replays @res.  The
 * path of the trace written is stored in @path; what minimizing did, as a
 * line to print after the report, in @note ("" if nothing).
 */
int fs_minimize_finding(const struct fs_trace *t, const struct fs_target *target,
			const struct fs_run_result *res, bool diff,
			double seconds, const char *dir, char *path,
			size_t pathlen, char *note, size_t notelen);

/* SIGINT sets a flag the long loops look at; a second one kills. */
void fs_catch_sigint(void);
bool fs_interrupted(void);

/* The most an input file may hold (docs/trace-format.md, "Limits"). */
#define FS_MAX_INPUT	(16u << 20)

/* How an input is named in messages: "-" is "<stdin>". */
const char *fs_input_name(const char *path);

/*
 * Load any trace artifact (a file, a FIFO or "-" for standard input, read
 * once, at most FS_MAX_INPUT bytes): a text trace, or a fuzzer input in the binary
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

/* --suppress FILE (repeatable) and --no-default-suppressions. */
#define FS_CLI_MAX_SUPP 16
struct fs_cli_supp {
	const char *files[FS_CLI_MAX_SUPP];
	unsigned int nr;
	bool no_default;
};
#define FS_CLI_SUPP_USAGE \
	"  --suppress FILE  known bugs not to fail on (repeatable; docs/suppressions.md)\n" \
	"  --no-default-suppressions  without the built-in list (" FS_SUPP_DEFAULT_FILE ")\n"
void fs_cli_supp_add(struct fs_cli_supp *o, const char *file);
/* The default list unless disabled, then each file; exits 2 if malformed. */
void fs_cli_supp_load(struct fs_supp *s, const struct fs_cli_supp *o);
/* "(known: suppressed by FILE:LINE — reason)" */
void fs_supp_describe(const struct fs_supp_entry *e, char *buf, size_t len);

int fs_cmd_targets(int argc, char **argv);
int fs_cmd_run(int argc, char **argv);
int fs_cmd_replay(int argc, char **argv);
int fs_cmd_bench(int argc, char **argv);
int fs_cmd_decode(int argc, char **argv);
int fs_cmd_minimize(int argc, char **argv);
int fs_cmd_validate(int argc, char **argv);

#endif /* FRAGSIM_CLI_H */
