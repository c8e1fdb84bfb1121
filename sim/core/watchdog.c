// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel call that never returns and never touches memory (a loop on
 * registers, `for (;;);`) makes no scheduling point, so neither the
 * checker's counts nor the machine's access bound can end it.  A CPU-time
 * timer can: when one call is still running after FS_WATCHDOG_TICKS ticks
 * of CPU time (a call normally takes microseconds), the handler reports a livelock, and the report's stop
 * unwinds out of the loop as from any finding raised in kernel context.
 * The loop holds no lock of ours and is inside no allocation, which is
 * what makes reporting from the handler sound here.  Only the CLI turns
 * it on; a fuzzer has its own -timeout.
 */
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "runner_internal.h"

#define FS_WATCHDOG_TICK_MS	100
#define FS_WATCHDOG_TICKS	4

static bool enabled;
static pid_t armed_pid;
static struct fs_runner *volatile watched;
static uint64_t seen_call;
static unsigned int ticks;

static void on_tick(int sig)
{
	struct fs_runner *r = watched;
	uint64_t call;

	(void)sig;
	if (!r || !*(volatile int *)&r->in_kernel) {
		ticks = 0;
		return;
	}
	call = *(volatile uint64_t *)&r->op_no;
	if (call != seen_call) {
		seen_call = call;
		ticks = 0;
		return;
	}
	if (++ticks < FS_WATCHDOG_TICKS)
		return;
	ticks = 0;
	watched = NULL;
	fs_check_hang(r->check, (FS_WATCHDOG_TICKS - 1) * FS_WATCHDOG_TICK_MS);
}

/* Per process: --jobs workers are forked, and timers are not inherited. */
static void arm(void)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = FS_WATCHDOG_TICK_MS * 1000 },
		.it_value = { .tv_usec = FS_WATCHDOG_TICK_MS * 1000 },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	/* The handler may leave by longjmp(): the signal must not stay blocked. */
	sa.sa_flags = SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGVTALRM, &sa, NULL);
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	armed_pid = getpid();
}

void fs_watchdog_enable(void)
{
	enabled = true;
}

void fs_watchdog_watch(struct fs_runner *r)
{
	if (!r) {
		watched = NULL;
		return;
	}
	if (!enabled || !r->o.checks)
		return;
	if (armed_pid != getpid())
		arm();
	ticks = 0;
	seen_call = UINT64_MAX;	/* each run counts its calls from 0 again */
	watched = r;
}
