#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fragsim stress on real threads: clean kernels run clean, the shared-cache
contract violation (the Z-10 class) is found, the program trace it writes
replays in the simulator, bad options exit 2; with --zoo, zoo entry Z-10's
native build is found too.
Usage: stress_check.py FRAGSIM [--zoo FRAGSIM_ZOO Z10_TARGET] TARGET..."""
import os
import subprocess
import sys
import tempfile


def run(argv, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def main():
    fragsim, targets = sys.argv[1], sys.argv[2:]
    zoo = None
    if targets[:1] == ['--zoo']:
        zoo, targets = targets[1:3], targets[3:]
    bad = []
    with tempfile.TemporaryDirectory() as out:
        for t in targets:
            r = run([fragsim, 'stress', '--target', t, '--threads', '2',
                     '--seconds', '1', '--out', out, '--quiet'])
            if r.returncode != 0:
                bad.append('%s mixed: exit %d\n%s%s' % (t, r.returncode, r.stdout, r.stderr))
            trace = os.path.join(out, 'stress-mixed-%s-1.trace' % t)
            r = run([fragsim, 'replay', trace])
            if r.returncode not in (0, 1):
                bad.append('%s: program trace does not replay: %s' % (t, r.stderr))
        kernels = [t for t in targets if t != 'ref']
        if kernels:
            t = kernels[-1]
            r = run([fragsim, 'stress', '--target', t, '--threads', '2',
                     '--seconds', '20', '--workload', 'shared-cache',
                     '--out', out, '--quiet'])
            if r.returncode != 1 or 'BUG: fragsim stress:' not in r.stdout \
                    or 'do not replay' not in r.stdout:
                bad.append('%s shared-cache: exit %d, no finding\n%s' % (t, r.returncode, r.stdout))
        if zoo:
            r = run([zoo[0], 'stress', '--target', zoo[1], '--threads', '2',
                     '--seconds', '20', '--workload', 'net', '--out', out, '--quiet'])
            if r.returncode != 1 or 'BUG: fragsim stress:' not in r.stdout:
                bad.append('%s net: exit %d, no finding\n%s' % (zoo[1], r.returncode, r.stdout))
        for args in (['--threads', '9'], ['--workload', 'nope'], ['--bogus'],
                     ['--target', 'nope'], ['--workload', 'shared-cache', '--threads', '1']):
            r = run([fragsim, 'stress', '--out', out] + args)
            if r.returncode != 2 or not r.stderr.startswith('fragsim stress: error:'):
                bad.append('%s: exit %d, %r' % (args, r.returncode, r.stderr))
    for b in bad:
        print('FAIL:', b)
    print('stress: %d target(s), %d failure(s)' % (len(targets), len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
