#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/zoo-bench.sh --quick, as CI runs it: the time-to-detect and
stage tables cover every entry x engine, the JSON has Magma's three stages
per run and they are consistent (detected by the checker => triggered =>
reached for a report of the entry's kind, where measured), the HTML page has a survival curve per engine,
and the cases every engine must find are found (Z-10 by run and stress,
all three by run-pct).  Usage: zoo_bench_check.py SCRIPT BUILD"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ENGINES = ['run', 'run-pct', 'stress']
STAGES = ('reached', 'triggered', 'detected')


def check(stdout, rep):
    errs = []
    data = json.load(open(os.path.join(rep, 'results.json')))
    res = data['results']
    if not res or {e.split('@')[0] for e in res} != {'Z-1', 'Z-3', 'Z-10'}:
        errs.append('entries %s, not Z-1, Z-3, Z-10 on each kernel' % sorted(res))
    if set(data['stages']) != set(STAGES):
        errs.append('stage descriptions %s' % sorted(data['stages']))
    rows = {l.split()[0]: l.split()[1:] for l in stdout.splitlines()
            if re.match(r'Z-\d+@', l)}
    reached_measured = False
    for e, cells in res.items():
        if e not in rows:
            errs.append('%s: no table row' % e)
        for n in ENGINES:
            runs = cells.get(n, {}).get('runs', [])
            if len(runs) != data['seeds']:
                errs.append('%s %s: %d runs' % (e, n, len(runs)))
            for r in runs:
                errs += stage_errors(e, n, r)
                reached_measured |= r['reached']['measured']
            # run takes more than 5 s for Z-1 with some seeds; PCT not
            must = n in ('run', 'stress') and e.startswith('Z-10@') or \
                n == 'run-pct'
            if must and not all(r['detected']['value'] for r in runs):
                errs.append('%s %s: not detected in every run' % (e, n))
    if shutil.which('gdb') and not reached_measured:
        errs.append('gdb is installed but no run measured "reached"')
    page = open(os.path.join(rep, 'index.html')).read()
    if page.count('<polyline') < len(ENGINES) or '<svg' not in page:
        errs.append('index.html: fewer survival curves than engines')
    return errs


def own_kind(t):
    """A report that can be the entry's: its kind, or stress's wording
    (not a slug); not another slug, such as linux-7.3's own
    oversize-null-no-refill, found away from any edit."""
    k = t.get('kind') or ''
    return bool(t.get('expected_kind')) or ' ' in k


def stage_errors(e, n, r):
    errs = []
    for st in STAGES:
        x = r.get(st)
        if not isinstance(x, dict) or 'measured' not in x:
            return ['%s %s seed %s: no %s stage' % (e, n, r.get('seed'), st)]
        if x['measured'] and x['value'] and 'seconds' not in x:
            errs.append('%s %s: %s without its time' % (e, n, st))
        if not x['measured'] and not x.get('why'):
            errs.append('%s %s: %s not measured, no reason' % (e, n, st))
    d, t, re_ = r['detected'], r['triggered'], r['reached']
    if d['value'] and d['by'] == 'checker' and t['measured'] and not t['value']:
        errs.append('%s %s seed %d: detected by the checker, not triggered' % (e, n, r['seed']))
    if t['measured'] and t['value'] and own_kind(t) and \
            re_['measured'] and not re_['value']:
        errs.append('%s %s seed %d: triggered, not reached' % (e, n, r['seed']))
    for a, b in (('reached', 'triggered'), ('triggered', 'detected')):
        ta, tb = r[a].get('seconds'), r[b].get('seconds')
        if ta is not None and tb is not None and ta > tb + 0.05:
            errs.append('%s %s seed %d: %s after %s' % (e, n, r['seed'], a, b))
    return errs


def main():
    script, build = sys.argv[1:3]
    rep = tempfile.mkdtemp(prefix='zoo-bench-')
    try:
        r = subprocess.run([script, '--quick', '--build', build, '--report', rep],
                           capture_output=True, text=True, timeout=900)
        print(r.stdout + r.stderr[-3000:])
        errs = ['exit %d' % r.returncode] if r.returncode else []
        if os.path.exists(os.path.join(rep, 'results.json')):
            errs += check(r.stdout, rep)
        else:
            errs.append('no results.json')
    finally:
        shutil.rmtree(rep, ignore_errors=True)
    for e in errs:
        print('zoo-bench: FAIL: ' + e)
    print('zoo-bench: %s' % ('FAIL' if errs else 'ok'))
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
