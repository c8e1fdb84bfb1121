/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz harnesses share: the target (chosen at build time,
 * FRAGSIM_FUZZ_TARGET at run time), one runner reused across inputs, the
 * concurrency feedback map, and the abort-with-report on a finding.
 */
#ifndef FRAGSIM_FUZZ_COMMON_H
#define FRAGSIM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/core/runner.h"
#include "../sim/trace/trace.h"

/* The code under test of this process (exits 2 on a bad name). */
const struct fs_target *fs_fuzz_target(void);

/*
 * Run @t under every check (+ the differential reference when @diff);
 * a finding prints its report to stderr and aborts, unless it is a known
 * one (FRAGSIM_SUPPRESS, the built-in list: docs/suppressions.md), which
 * is said once on stderr.  A trace the target cannot run (a 1K napi op on
 * a kernel without that cache) is skipped.
 */
void fs_fuzz_run(const struct fs_trace *t, bool diff);

#endif /* FRAGSIM_FUZZ_COMMON_H */
