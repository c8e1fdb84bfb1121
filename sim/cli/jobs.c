// SPDX-License-Identifier: GPL-2.0
/* Worker processes and their pipes (jobs.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/xalloc.h"
#include "cli.h"
#include "jobs.h"

/* This process's pipe to the parent when it is a worker. */
static int job_fd = -1;
static struct fs_jobs_shared *job_sh;

unsigned int fs_jobs_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > FS_JOBS_MAX ? FS_JOBS_MAX : (unsigned int)n;
}

static void write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t w = write(fd, c, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(FS_EXIT_INTERNAL);	/* the parent is gone */
		c += w;
		len -= (size_t)w;
	}
}

void fs_job_send(const void *rec, size_t len)
{
	uint32_t n = (uint32_t)len;

	write_all(job_fd, &n, sizeof(n));
	write_all(job_fd, rec, len);
}

bool fs_job_stopped(void)
{
	return job_sh && __atomic_load_n(&job_sh->stop, __ATOMIC_RELAXED);
}

unsigned long long fs_job_claim(void)
{
	return __atomic_fetch_add(&job_sh->next, 1, __ATOMIC_RELAXED);
}

void fs_job_hold(bool hold)
{
	sigset_t set;

	if (job_fd < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void worker(struct fs_jobs *j, unsigned int w, int wfd,
		   void (*fn)(void *ctx, unsigned int w), void *ctx)
{
	int null = open("/dev/null", O_WRONLY);

	/* Reports go through the parent, which prints each title once. */
	fflush(stdout);
	if (null >= 0) {
		dup2(null, 1);
		close(null);
	}
	for (unsigned int i = 0; i < w; i++)
		close(j->fd[i]);
	job_fd = wfd;
	job_sh = j->sh;
	fn(ctx, w);
	fflush(NULL);
	_exit(FS_EXIT_OK);
}

void fs_jobs_start(struct fs_jobs *j, unsigned int n,
		   void (*fn)(void *ctx, unsigned int w), void *ctx)
{
	void *shared = mmap(NULL, sizeof(*j->sh), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shared == MAP_FAILED)
		fs_internal_error("jobs: mmap: %s", strerror(errno));
	memset(j, 0, sizeof(*j));
	j->sh = shared;
	j->n = j->live = n;
	fflush(NULL);
	for (unsigned int w = 0; w < n; w++) {
		int p[2];

		if (pipe(p))
			fs_internal_error("jobs: pipe: %s", strerror(errno));
		j->pid[w] = fork();
		if (j->pid[w] < 0)
			fs_internal_error("jobs: fork: %s", strerror(errno));
		if (!j->pid[w]) {
			close(p[0]);
			worker(j, w, p[1], fn, ctx);
		}
		close(p[1]);
		j->fd[w] = p[0];
	}
}

/* Hand every whole record in worker @w's buffer to @on_rec. */
static void drain(struct fs_jobs *j, unsigned int w,
		  void (*on_rec)(void *, unsigned int, const void *, size_t),
		  void *ctx)
{
	size_t off = 0;
	uint32_t n;

	while (j->len[w] - off >= sizeof(n)) {
		void *rec;

		memcpy(&n, j->buf[w] + off, sizeof(n));
		if (j->len[w] - off - sizeof(n) < n)
			break;
		/* A record sits 4 bytes into the stream: on_rec reads it as a struct. */
		rec = fs_xmalloc(n ? n : 1);
		memcpy(rec, j->buf[w] + off + sizeof(n), n);
		on_rec(ctx, w, rec, n);
		free(rec);
		off += sizeof(n) + n;
	}
	memmove(j->buf[w], j->buf[w] + off, j->len[w] - off);
	j->len[w] -= off;
}

static void read_from(struct fs_jobs *j, unsigned int w)
{
	ssize_t r;

	if (j->cap[w] - j->len[w] < 65536) {
		j->cap[w] = j->cap[w] * 2 + 65536;
		j->buf[w] = fs_xrealloc(j->buf[w], j->cap[w]);
	}
	r = read(j->fd[w], j->buf[w] + j->len[w], j->cap[w] - j->len[w]);
	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0) {
		close(j->fd[w]);
		j->fd[w] = -1;
		j->live--;
		return;
	}
	j->len[w] += (size_t)r;
}

bool fs_jobs_poll(struct fs_jobs *j, double timeout,
		  void (*on_rec)(void *ctx, unsigned int w, const void *rec,
				 size_t len),
		  void *ctx)
{
	struct pollfd pfd[FS_JOBS_MAX];
	int rc;

	if (!j->live)
		return false;
	for (unsigned int w = 0; w < j->n; w++)
		pfd[w] = (struct pollfd){ .fd = j->fd[w], .events = POLLIN };
	rc = poll(pfd, j->n, (int)(timeout * 1000));
	if (rc < 0 && errno != EINTR)
		fs_internal_error("jobs: poll: %s", strerror(errno));
	for (unsigned int w = 0; rc > 0 && w < j->n; w++) {
		if (j->fd[w] < 0 || !(pfd[w].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		read_from(j, w);
		drain(j, w, on_rec, ctx);
	}
	return j->live > 0;
}

void fs_jobs_stop(struct fs_jobs *j, bool now)
{
	__atomic_store_n(&j->sh->stop, 1, __ATOMIC_RELAXED);
	if (!now || j->killed)
		return;
	j->killed = true;
	for (unsigned int w = 0; w < j->n; w++)
		kill(j->pid[w], SIGTERM);
}

bool fs_jobs_wait(struct fs_jobs *j)
{
	bool ok = true;

	for (unsigned int w = 0; w < j->n; w++) {
		int st;

		while (waitpid(j->pid[w], &st, 0) < 0 && errno == EINTR)
			;
		if (j->killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != FS_EXIT_OK)
			ok = false;
		free(j->buf[w]);
	}
	munmap(j->sh, sizeof(*j->sh));
	return ok;
}
