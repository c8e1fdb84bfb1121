/* SPDX-License-Identifier: GPL-2.0 */
/* Portable schedules on the command line (anchors.c). */
#ifndef FRAGSIM_CLI_ANCHORS_H
#define FRAGSIM_CLI_ANCHORS_H

#include "cli.h"

/*
 * Before a finding trace is written: record what it was written for
 * (`recorded BUILD TITLE`) and anchor its decisions, if the anchored form
 * replays to @title on @tg; else the decisions keep their steps.
 */
void fs_anchor_finding(struct fs_trace *t, const struct fs_target *tg,
		       const char *title);
/*
 * decode --anchor: run @t on @tg once; when it finds something, anchor it
 * as fs_anchor_finding() does.  False when it found nothing (@t as it was).
 */
bool fs_anchor_decoded(struct fs_trace *t, const struct fs_target *tg);
/*
 * The reverse, for minimize: an anchored @t gets the steps of this build
 * (the minimizer moves steps when it drops operations).
 */
void fs_anchor_localize(struct fs_trace *t, const struct fs_target *tg);
/*
 * Replay @t on @r (whose target is @tg) into @res, placing anchored
 * decisions, nearby when not exactly (one line printed per decision so
 * placed; @t keeps the placement).  When the schedule could not be placed
 * so that the recorded finding comes back, @why gets the one-line reason
 * (else "").  -1 with @err when @t cannot run on @tg.
 */
int fs_replay_anchored(struct fs_runner *r, const struct fs_target *tg,
		       struct fs_trace *t, struct fs_run_result *res,
		       char *why, size_t whylen, char *err, size_t errlen);

#endif /* FRAGSIM_CLI_ANCHORS_H */
