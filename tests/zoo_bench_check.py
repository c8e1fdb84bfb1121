#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/zoo-bench.sh on Z-10, one seed, run and stress: a table row per
kernel with every cell detected, and the JSON.  Usage: zoo_bench_check.py SCRIPT BUILD"""
import json
import subprocess
import sys
import tempfile


def main():
    script, build = sys.argv[1:3]
    with tempfile.NamedTemporaryFile(suffix='.json') as j:
        r = subprocess.run([script, '--build', build, '--zoo', 'Z-10', '--seeds', '1',
                            '--seconds', '5', '--engines', 'run stress', '--json', j.name],
                           capture_output=True, text=True, timeout=120)
        rows = [l.split() for l in r.stdout.splitlines() if l.startswith('Z-10@')]
        data = json.load(open(j.name)) if r.returncode == 0 else {}
    ok = r.returncode == 0 and rows and all(w[1] == '1/1' and w[3] == '1/1' for w in rows) \
        and set(data.get('results', {})) == {w[0] for w in rows}
    print(r.stdout + r.stderr)
    print('zoo-bench: %s' % ('ok' if ok else 'FAIL'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
