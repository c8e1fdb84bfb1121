// SPDX-License-Identifier: GPL-2.0
/*
 * SIGINT: the first one asks `run` for its summary and `minimize` for its
 * best result so far, at the next trace or candidate; the second one
 * kills as usual (SA_RESETHAND).
 */
#include <signal.h>
#include <string.h>

#include "cli.h"

static volatile sig_atomic_t hit;

static void on_sigint(int sig)
{
	(void)sig;
	hit = 1;
}

void fs_catch_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

bool fs_interrupted(void)
{
	return hit;
}
