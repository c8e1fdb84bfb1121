/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Worker processes for `fragsim run --jobs N`: the simulator keeps global
 * state and runs kernel code on fibers, so parallelism is by fork().  Each
 * worker streams length-prefixed records to the parent over its own pipe;
 * a shared page holds the flag that tells every worker to stop and the
 * counter from which workers claim work items, so a worker that drew
 * cheap items takes more of them (static striding left one core idle
 * whenever the costly items fell to one worker).
 */
#ifndef FRAGSIM_JOBS_H
#define FRAGSIM_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FS_JOBS_MAX	256

struct fs_jobs_shared {
	int stop;
	unsigned long long next;	/* the next unclaimed work item */
};

struct fs_jobs {
	unsigned int n, live;
	pid_t pid[FS_JOBS_MAX];
	int fd[FS_JOBS_MAX];		/* read ends; -1 once at EOF */
	char *buf[FS_JOBS_MAX];		/* bytes read, not yet a whole record */
	size_t len[FS_JOBS_MAX], cap[FS_JOBS_MAX];
	struct fs_jobs_shared *sh;	/* shared with the workers */
	bool killed;			/* fs_jobs_stop() sent SIGTERM */
};

/* The processors online (at least 1). */
unsigned int fs_jobs_cpus(void);

/*
 * Fork @n workers; worker w runs fn(ctx, w) with its stdout on /dev/null
 * (it talks through fs_job_send()) and exits 0 when fn returns.
 */
void fs_jobs_start(struct fs_jobs *j, unsigned int n,
		   void (*fn)(void *ctx, unsigned int w), void *ctx);

/*
 * Parent: wait up to @timeout seconds for records and hand each to
 * @on_rec.  False once every worker has closed its pipe.
 */
bool fs_jobs_poll(struct fs_jobs *j, double timeout,
		  void (*on_rec)(void *ctx, unsigned int w, const void *rec,
				 size_t len),
		  void *ctx);
/*
 * Parent: stop every worker: after its current trace, or at once (@now,
 * SIGTERM; a worker holds it off while it writes a finding).
 */
void fs_jobs_stop(struct fs_jobs *j, bool now);
/* Parent: reap the workers; false if one of them failed. */
bool fs_jobs_wait(struct fs_jobs *j);

/* Worker: one record to the parent; has the parent asked us to stop? */
void fs_job_send(const void *rec, size_t len);
bool fs_job_stopped(void);
/* Worker: claim the next work item (0, 1, 2, ... over all workers). */
unsigned long long fs_job_claim(void);
/* Worker: no SIGTERM between hold(true) and hold(false) (files written). */
void fs_job_hold(bool hold);

#endif /* FRAGSIM_JOBS_H */
