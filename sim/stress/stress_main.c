// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim-stress: 'fragsim stress' alone, for the sanitizer builds
 * (-Dstress_only=true, -Dreal_tsan=true) that leave the simulator out.
 */
#include "stress.h"

int main(int argc, char **argv)
{
	return fs_stress_main(argc, argv);
}

/*
 * A data race report is a finding: exit status 1 as 'fragsim run' has,
 * after the run ends (not halting at the first report).
 */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "exitcode=1:halt_on_error=0:second_deadlock_stack=1";
}
