#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The bug-zoo benchmark (issue 13), skeleton: every zoo entry x engine x
seed with a time budget; detected or not and the time to detect; a table
(median and max seconds, detected count per entry x engine) and JSON.
Run by scripts/zoo-bench.sh; see its header for the options."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def engines(root, build):
    """name -> (command builder, or None with why it is skipped)."""
    zoo = os.path.join(build, 'sim', 'fragsim-zoo')

    def run(extra):
        return lambda e, s, b, out: [zoo, 'run', '--target', e, '--seed', str(s),
                                     '--seconds', str(b), '--stop', '--quiet',
                                     '--minimize-seconds', '0', '--out', out] + extra

    def stress(exe, pre):
        return lambda e, s, b, out: pre + [exe, 'stress', '--target', e, '--seed', str(s),
                                           '--seconds', str(b), '--workload', 'mixed',
                                           '--quiet', '--out', out]

    fs = lambda d: os.path.join(root, d, 'sim', 'stress', 'fragsim-stress')
    lf = os.path.join(root, 'build-libfuzzer', 'fuzz', 'fuzz_trace')
    e = {
        'run': (run([]), None),
        'run-pct': (run(['--strategy', 'pct']), None),
        'stress': (stress(zoo, []), None),
        'stress-asan': (lambda e, s, b, out: [fs('build-asan')] + stress('x', [])(e, s, b, out)[2:],
                        None if os.access(fs('build-asan'), os.X_OK) else 'no build-asan (docs/stress.md)'),
        'stress-tsan': (lambda e, s, b, out: [fs('build-tsan')] + stress('x', [])(e, s, b, out)[2:],
                        None if os.access(fs('build-tsan'), os.X_OK) else 'no build-tsan (docs/stress.md)'),
        'libfuzzer': (lambda e, s, b, out: ['env', 'FRAGSIM_FUZZ_TARGET=' + e, lf,
                                            '-seed=%d' % s, '-max_total_time=%d' % b,
                                            '-artifact_prefix=' + out + '/',
                                            os.path.join(out, 'corpus')],
                      None if os.access(lf, os.X_OK) else 'no build-libfuzzer (scripts/fuzz.sh)'),
        'afl++': (None, 'not driven by this skeleton yet'),
    }
    return e


def zoo_entries(build):
    out = subprocess.run([os.path.join(build, 'sim', 'fragsim-zoo'), 'targets'],
                         capture_output=True, text=True).stdout
    return [l.split()[0] for l in out.splitlines()[1:] if '@' in l.split()[0]]


def one(cmd, budget):
    with tempfile.TemporaryDirectory() as out:
        os.makedirs(os.path.join(out, 'corpus'), exist_ok=True)
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd(out), capture_output=True, text=True,
                               timeout=budget * 2 + 30)
            rc = r.returncode
        except subprocess.TimeoutExpired:
            rc = -1
        dt = time.monotonic() - t0
    # 1: a finding (fragsim, stress, TSan's exitcode); libFuzzer: a crash
    detected = rc == 1 or (rc not in (0, -1, 2, 3) and rc > 0)
    return {'detected': detected, 'seconds': round(dt, 2) if detected else None, 'rc': rc}


def table(results, entries, names):
    w = max(len(e) for e in entries) + 2
    lines = ['%-*s' % (w, 'entry') + ''.join('%-20s' % n for n in names)]
    for e in entries:
        row = '%-*s' % (w, e)
        for n in names:
            r = results.get(e, {}).get(n)
            if r is None:
                row += '%-20s' % 'skipped'
                continue
            t = [x['seconds'] for x in r if x['detected']]
            cell = '%d/%d' % (len(t), len(r))
            if t:
                cell += ' %.1f/%.1fs' % (statistics.median(t), max(t))
            row += '%-20s' % cell
        lines.append(row)
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--root', required=True)
    ap.add_argument('--seconds', type=int, default=60)
    ap.add_argument('--seeds', type=int, default=5)
    ap.add_argument('--engines', default='')
    ap.add_argument('--zoo', default='')
    ap.add_argument('--json', default='')
    a = ap.parse_args()
    all_e = engines(a.root, a.build)
    names = a.engines.split() if a.engines else list(all_e)
    for n in names:
        if n not in all_e:
            sys.exit('zoo-bench: error: unknown engine %r (%s)' % (n, ' '.join(all_e)))
    entries = zoo_entries(a.build)
    if a.zoo:
        entries = [e for e in entries if any(e.startswith(z + '@') or e == z for z in a.zoo.split())]
    if not entries:
        sys.exit('zoo-bench: error: no zoo entries (is %s/sim/fragsim-zoo built?)' % a.build)
    results, skipped = {}, {}
    for e in entries:
        for n in names:
            cmd, why = all_e[n]
            if why:
                skipped[n] = why
                continue
            rs = [one(lambda out, s=s: cmd(e, s, a.seconds, out), a.seconds)
                  for s in range(1, a.seeds + 1)]
            results.setdefault(e, {})[n] = rs
            print('  %s %s: %d/%d detected' % (e, n, sum(r['detected'] for r in rs), len(rs)),
                  file=sys.stderr, flush=True)
    print('zoo-bench: %d entries x %d engines x %d seeds, budget %d s; cell: '
          'detected/runs median/max seconds to detect' %
          (len(entries), len(names), a.seeds, a.seconds))
    print(table(results, entries, names))
    for n, why in skipped.items():
        print('skipped %s: %s' % (n, why))
    print('not measured yet: Magma\'s "reached" and "triggered" stages, survival plots (HTML)')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'budget_seconds': a.seconds, 'seeds': a.seeds,
                       'results': results, 'skipped': skipped}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
