/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suppressions, in the sanitizers' and syzbot's manner: a finding whose
 * kind, title function and target match an entry of a suppression file is
 * a known (upstream) bug.  It is still detected and reported, but counted
 * as known and never fails a run.  Format: docs/suppressions.md.
 */
#ifndef FRAGSIM_SUPPRESS_H
#define FRAGSIM_SUPPRESS_H

#include <stddef.h>

#include "check.h"

/* Where the default list comes from, as messages name it. */
#define FS_SUPP_DEFAULT_FILE	"sim/check/known-bugs.supp"

struct fs_supp_entry {
	const char *file;	/* as given (shared by a file's entries) */
	unsigned int line;	/* of the entry's first key */
	enum fs_finding_kind kind;
	char fn[64];		/* the function the title names */
	char target[64];	/* glob on the target name */
	char reason[256];
	char link[256];
};

struct fs_supp {
	struct fs_supp_entry *e;
	unsigned int nr;
	size_t cap;
	char **files;		/* owned copies of the file names */
	unsigned int nr_files;
};

void fs_supp_free(struct fs_supp *s);
/*
 * Add the entries of @text, named @file in messages; 0, or -1 with
 * "FILE:LINE: what is wrong" in @err (a malformed file is bad input).
 */
int fs_supp_parse(struct fs_supp *s, const char *file, const char *text,
		  char *err, size_t errlen);
int fs_supp_load(struct fs_supp *s, const char *path, char *err,
		 size_t errlen);
/* The repository's list of open upstream bugs, built into the binary. */
int fs_supp_load_default(struct fs_supp *s, char *err, size_t errlen);
/* The entry suppressing @f on @target, or NULL. */
const struct fs_supp_entry *fs_supp_match(const struct fs_supp *s,
					  const struct fs_finding *f,
					  const char *target);

#endif /* FRAGSIM_SUPPRESS_H */
