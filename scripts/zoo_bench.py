#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The bug-zoo benchmark (issue 13): every zoo entry x engine x seed with a
time budget, Magma's three stages per run (reached, triggered, detected)
and the time of each, a text table, JSON and an HTML page with survival
plots.  Run by scripts/zoo-bench.sh (see its header for the options);
docs/zoo-bench.md says what each stage means per engine."""
import argparse
import configparser
import html
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GDB_SCRIPT = os.path.join(HERE, 'zoo_bench_gdb.py')

# A checker finding (the invariant evaluated false): fragsim run, the
# fuzz harness and stress print it KASAN-style.
BUG_RE = re.compile(r'^BUG: fragsim(?: stress)?: (.*?)(?: in \S+)?\s*$')
# A sanitizer's report: detection by the sanitizer, not by the checker.
SAN_RE = re.compile(r'^(?:WARNING: ThreadSanitizer: (?P<tsan>.*?)(?: \(pid=\d+\))?'
                    r'|==\d+==ERROR: AddressSanitizer: (?P<asan>\S+)'
                    r'|.*runtime error: (?P<ubsan>.*))\s*$')
AFL_TIME_RE = re.compile(r',time:(\d+)')
AFL_SEED_CRASH_RE = re.compile(r"Test case .* results in a crash")


def underscorify(s):
    return re.sub(r'[^A-Za-z0-9]', '_', s)


class Engine:
    """One engine: how to run a cell and what its stages can observe."""

    def __init__(self, name, build, exe, argv, env=None, reach='gdb',
                 detect='exit', why=None, note=''):
        self.name, self.build, self.exe = name, build, exe
        self.argv, self.env = argv, env or (lambda e, s, b, out: {})
        self.reach, self.detect, self.why, self.note = reach, detect, why, note

    def missing(self, cid):
        """Why a target cannot run here, or None."""
        if self.why:
            return self.why
        if not os.access(self.exe, os.X_OK):
            return 'no %s (scripts/zoo-bench.sh --setup builds it)' % self.exe
        suffix = '_native.c' if 'stress' in self.name else '.c'
        if not os.path.exists(os.path.join(self.build, 'alloc', 'zoo', cid + suffix)):
            return 'target not in %s' % self.build
        return None


def libfuzzer_options(path):
    """The [libfuzzer] flags of a fuzzer's .options file, as OSS-Fuzz passes them."""
    c = configparser.ConfigParser()
    c.read(path)
    return ['-%s=%s' % kv for kv in c.items('libfuzzer')] if c.has_section('libfuzzer') else []


def engines(a):
    """The engines, in table order (one definition)."""
    zoo = os.path.join(a.build, 'sim', 'fragsim-zoo')
    stress_bin = lambda b: os.path.join(b, 'sim', 'stress', 'fragsim-stress')
    lf = os.path.join(a.libfuzzer_build, 'fuzz', 'fuzz_trace')
    afl = os.path.join(a.afl_build, 'fuzz', 'fuzz_trace')
    corpus = os.path.join(a.root, 'corpus', 'fuzz_trace')
    dict_ = os.path.join(a.root, 'fuzz', 'fuzz_trace.dict')
    lf_opts = libfuzzer_options(os.path.join(a.root, 'fuzz', 'fuzz_trace.options'))
    mutator = os.path.join(a.build, 'fuzz', 'libfragsim_afl_mutator.so')

    def run(extra):
        return lambda e, s, b, out: [zoo, 'run', '--target', e, '--seed', str(s),
                                     '--seconds', str(b), '--stop', '--quiet', '--jobs', '1',
                                     '--minimize-seconds', '0', '--out', out] + extra

    def stress(exe, sub):
        return lambda e, s, b, out: [exe] + sub + ['--target', e, '--seed', str(s),
                                     '--seconds', str(b), '--threads', '2', '--quiet',
                                     '--out', out]

    def libfuzzer(e, s, b, out):
        shutil.copytree(corpus, os.path.join(out, 'corpus'))
        return [lf, os.path.join(out, 'corpus')] + lf_opts + [
                '-seed=%d' % s, '-max_total_time=%d' % b, '-dict=' + dict_,
                '-error_exitcode=1', '-rss_limit_mb=2560', '-artifact_prefix=' + out + '/']

    def aflpp(e, s, b, out):
        return ['afl-fuzz', '-s', str(s), '-V', str(b), '-i', corpus, '-o', out + '/afl',
                '-x', dict_, '--', afl]

    fuzz_env = lambda e, s, b, out: {'FRAGSIM_FUZZ_TARGET': e}
    afl_env = lambda e, s, b, out: {
        'FRAGSIM_FUZZ_TARGET': e, 'AFL_NO_UI': '1', 'AFL_SKIP_CPUFREQ': '1',
        'AFL_NO_AFFINITY': '1', 'AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES': '1',
        'AFL_BENCH_UNTIL_CRASH': '1', 'AFL_SKIP_CRASHES': '1', 'AFL_QUIET': '1',
        'AFL_CUSTOM_MUTATOR_LIBRARY': mutator}
    asan_env = lambda e, s, b, out: {'UBSAN_OPTIONS': 'halt_on_error=1:print_stacktrace=1',
                                     'ASAN_OPTIONS': 'detect_leaks=0'}
    return [
        Engine('run', a.build, zoo, run([]),
               note='fragsim run, mixed strategies, one worker'),
        Engine('run-pct', a.build, zoo, run(['--strategy', 'pct']),
               note='fragsim run --strategy pct, one worker'),
        Engine('libfuzzer', a.libfuzzer_build, lf, libfuzzer, fuzz_env, detect='artifact',
               note='libFuzzer fuzz_trace (ASan+UBSan), corpus/fuzz_trace seeds, dict'),
        Engine('afl++', a.afl_build, afl, aflpp, afl_env, reach=None, detect='afl',
               why=None if shutil.which('afl-fuzz') else 'no afl-fuzz (apt-get install afl++)',
               note='afl-fuzz on the AFL++ build of fuzz_trace with fragsim\'s custom '
                    'mutator (as scripts/oss-fuzz-check.sh), corpus/fuzz_trace seeds, dict'),
        Engine('stress', a.build, zoo, stress(zoo, ['stress']),
               note='fragsim stress, 2 threads, mixed workload'),
        Engine('stress-asan', a.asan_build, stress_bin(a.asan_build), stress(stress_bin(a.asan_build), []),
               asan_env, note='fragsim-stress, ASan+UBSan build'),
        Engine('stress-tsan', a.tsan_build, stress_bin(a.tsan_build), stress(stress_bin(a.tsan_build), []),
               note='fragsim-stress, ThreadSanitizer build (real_tsan)'),
    ]


# What each stage means; the JSON carries it so a reader need not guess.
STAGES = {
    'reached': 'the zoo entry\'s edited kernel line executed: a gdb breakpoint on each edited '
               'line (from the #line directives of the generated code), only in the entry\'s '
               'own functions; time of the first hit; gdb detaches after it. Not measured '
               'for AFL++ (the target runs in forkserver children, where an inherited '
               'breakpoint would crash them) or when gdb is missing.',
    'triggered': 'the checker evaluated an invariant false: its "BUG: fragsim..." report, with '
                 'the time the line appeared; the kind is recorded and compared with the '
                 'entry\'s "expect:". For fragsim run/stress the report and the detection are '
                 'one event. AFL++ hides the target\'s output: the kind comes from replaying '
                 'the crash input, no time.',
    'detected': 'the engine reported a finding: exit status 1 (run, stress; TSan exits 1 on a '
                'race report), a crash artifact (libFuzzer), a file in crashes/ or a crashing '
                'seed (AFL++); time of the first report line, or AFL++\'s time: field.',
}


def zoo_entries(a):
    out = subprocess.run([os.path.join(a.build, 'sim', 'fragsim-zoo'), 'targets'],
                         capture_output=True, text=True).stdout
    rows = [l.split() for l in out.splitlines()[1:] if l.split() and '@' in l.split()[0]]
    ents = []
    for r in rows:
        name = r[0]
        zid, kernel = name.split('@')
        if a.zoo and zid not in a.zoo.split() and name not in a.zoo.split():
            continue
        if a.kernels and kernel not in a.kernels.split():
            continue
        ents.append({'name': name, 'id': zid, 'kernel': kernel,
                     'cid': 'zoo_%s_%s' % (underscorify(zid), underscorify(kernel))})
    return ents


def edited_lines(build, ent):
    """The kernel file:line of each edited line: the generated code of the
    entry against the kernel's, mapped through their #line directives."""
    zc = os.path.join(build, 'alloc', 'zoo', ent['cid'] + '.c')
    kc = os.path.join(build, 'alloc', underscorify(ent['kernel']) + '.c')
    if not os.path.exists(zc):
        zc, kc = zc[:-2] + '_native.c', kc[:-2] + '_native.c'
    try:
        with open(zc, encoding='latin-1') as f:
            zl = f.read().replace(ent['cid'], underscorify(ent['kernel'])).splitlines()
        with open(kc, encoding='latin-1') as f:
            kl = f.read().splitlines()
    except OSError:
        return []
    if len(zl) != len(kl):
        return []
    lines, cur = [], None
    for i, (z, k) in enumerate(zip(zl, kl)):
        m = re.match(r'#line (\d+) "([^"]+)"', z)
        if m:
            cur = (m.group(2), int(m.group(1)) - i - 1)
            continue
        if z != k and not z.startswith('#define FS_') and cur:
            lines.append('%s:%d' % (cur[0], cur[1] + i))
    return lines


class Reader(threading.Thread):
    """Read a process's output; keep the time of the first checker and
    sanitizer report lines and the log."""

    def __init__(self, pipe, log):
        super().__init__(daemon=True)
        self.pipe, self.log = pipe, log
        self.bug = self.san = self.seed_crash = None

    def run(self):
        with open(self.log, 'w', errors='replace') as f:
            for raw in iter(self.pipe.readline, b''):
                now = time.monotonic()
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                f.write(line + '\n')
                m = BUG_RE.match(line)
                if m and not self.bug:
                    self.bug = (now, m.group(1))
                if not self.seed_crash and AFL_SEED_CRASH_RE.search(line):
                    self.seed_crash = now
                m = SAN_RE.match(line)
                if m and not self.san:
                    which = [k for k in ('tsan', 'asan', 'ubsan') if m.group(k)][0]
                    self.san = (now, which, m.group(which))


def spawn(cmd, env, lines, func, rfile):
    """Start cmd, stopped before its exec if gdb is to watch it."""
    if lines is None:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True), None
    p = subprocess.Popen(['sh', '-c', 'kill -STOP $$; exec "$@"', 'sh'] + cmd, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    genv = dict(os.environ, ZB_LINES=' '.join(lines), ZB_FUNC=func, ZB_OUT=rfile)
    g = subprocess.Popen(['gdb', '-q', '-batch', '-nx', '-p', str(p.pid), '-x', GDB_SCRIPT],
                         env=genv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    return p, g


def gdb_notes(rfile):
    try:
        with open(rfile) as f:
            return [l.split(None, 2) for l in f.read().splitlines() if l.strip()]
    except OSError:
        return []


def wait_armed(p, g, rfile):
    """Wait until gdb has armed its breakpoints (or given up); then the
    time origin of the run.  The process never stays stopped."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        notes = gdb_notes(rfile)
        for n in notes:
            if n[0] == 'armed':
                return float(n[1]), None
            if n[0] == 'unresolved':
                return time.monotonic(), ' '.join(n[1:])
        if g.poll() is not None:
            break
        time.sleep(0.02)
    os.killpg(p.pid, signal.SIGCONT)
    return time.monotonic(), 'gdb did not attach'


def afl_result(out, exe, env):
    """AFL++: the first crash (its time: field, ms since start), and its
    finding kind from a replay of the input (AFL++ hides the output)."""
    cdir = os.path.join(out, 'afl', 'default', 'crashes')
    crashes = sorted(f for f in os.listdir(cdir) if f.startswith('id:')) \
        if os.path.isdir(cdir) else []
    if not crashes:
        return None, None
    t = min(int(AFL_TIME_RE.search(c).group(1)) / 1000.0
            for c in crashes if AFL_TIME_RE.search(c))
    r = subprocess.run([exe, os.path.join(cdir, crashes[0])], env=env,
                       capture_output=True, text=True, errors='replace', timeout=120)
    kind = next((BUG_RE.match(l).group(1) for l in (r.stdout + r.stderr).splitlines()
                 if BUG_RE.match(l)), None)
    return t, kind


def one(eng, ent, seed, a, lines, scratch):
    """One run: the three stages, each {'measured', 'value', 'seconds'}."""
    out = tempfile.mkdtemp(prefix='cell-', dir=scratch)
    env = dict(os.environ)
    cmd = eng.argv(ent['name'], seed, a.seconds, out)
    env.update(eng.env(ent['name'], seed, a.seconds, out))
    watch = lines if (eng.reach == 'gdb' and a.reached and lines) else None
    rfile = os.path.join(out, 'reach.txt')
    t_spawn = time.monotonic()
    p, g = spawn(cmd, env, watch, 'fs_%s_' % ent['cid'], rfile)
    rd = Reader(p.stdout, os.path.join(out, 'log'))
    rd.start()
    t0, reach_why = wait_armed(p, g, rfile) if g else (t_spawn, None)
    try:
        rc = p.wait(timeout=a.seconds * 3 + 60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
    t_exit = time.monotonic()
    rd.join(10)
    if g:
        try:
            g.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(g.pid, signal.SIGKILL)
    since = lambda t: round(max(t - t0, 0.0), 3)

    # reached
    if watch is None:
        why = 'engine runs the target in forked children' if eng.reach is None else \
            'no edited line found' if not lines else 'not asked (--no-reached)'
        reached = {'measured': False, 'why': why}
    elif reach_why:
        reached = {'measured': False, 'why': reach_why}
    else:
        hit = [n for n in gdb_notes(rfile) if n[0] == 'reached']
        reached = {'measured': True, 'value': bool(hit), 'lines': lines,
                   'seconds': since(float(hit[0][1])) if hit else None,
                   'at': hit[0][2] if hit else None}
    # detected
    san = rd.san
    if eng.detect == 'afl':
        t_crash, kind = afl_result(out, eng.exe, env)
        det = t_crash is not None or rd.seed_crash is not None
        detected = {'measured': True, 'value': det, 'by': 'afl++' if det else None,
                    'seconds': round(t_crash, 3) if t_crash is not None else
                    since(rd.seed_crash) if det else None}
        if t_crash is not None:
            triggered = {'measured': True, 'value': kind is not None, 'kind': kind,
                         'seconds': None, 'why': 'kind from a replay of the crash input; '
                         'AFL++ hides the output'}
        else:
            triggered = {'measured': False, 'why': 'AFL++ hides the target\'s output; '
                         + ('a seed crashed (skipped, not replayed)' if det else
                            'no crash to replay')}
    else:
        if eng.detect == 'artifact':
            det = any(f.startswith('crash-') for f in os.listdir(out))
        else:
            det = rc == 1
        first = min([x[0] for x in (rd.bug, san) if x] or [t_exit])
        by = None
        if det:
            by = 'checker' if rd.bug and (not san or rd.bug[0] <= san[0]) else \
                san[1] if san else 'exit status'
        detected = {'measured': True, 'value': det, 'by': by,
                    'seconds': since(first) if det else None}
        triggered = {'measured': True, 'value': rd.bug is not None,
                     'kind': rd.bug[1] if rd.bug else None,
                     'seconds': since(rd.bug[0]) if rd.bug else None}
    if triggered.get('kind'):
        triggered['expected_kind'] = triggered['kind'] == ent['expect']
    if san:
        detected['sanitizer'] = '%s: %s' % (san[1], san[2])
    res = {'seed': seed, 'rc': rc, 'wall_seconds': round(t_exit - t_spawn, 2),
           'reached': reached, 'triggered': triggered, 'detected': detected}
    if rc in (2, 3) and not detected['value']:
        # bad usage or an internal error: not "not detected"
        with open(rd.log, errors='replace') as f:
            res['error'] = f.read()[-300:]
    if a.keep_logs:
        res['log'] = rd.log
    else:
        shutil.rmtree(out, ignore_errors=True)
    return res


def expect_kinds(root):
    kinds = {}
    for f in os.listdir(os.path.join(root, 'alloc', 'zoo')):
        if f.endswith('.zoo'):
            txt = open(os.path.join(root, 'alloc', 'zoo', f)).read()
            zid = re.search(r'^id:\s*(\S+)', txt, re.M).group(1)
            kinds[zid] = re.search(r'^expect:\s*(\S+)', txt, re.M).group(1)
    return kinds


def ttd(runs):
    return [r['detected']['seconds'] for r in runs if r['detected']['value']
            and r['detected']['seconds'] is not None]


def cell_text(c):
    if 'na' in c:
        return 'n/a'
    runs = c['runs']
    t = ttd(runs)
    n = sum(r['detected']['value'] for r in runs)
    s = '%d/%d' % (n, len(runs))
    if t:
        s += ' %.1f/%.1fs' % (statistics.median(t), max(t))
    errors = sum('error' in r for r in runs)
    return s + (' %d err' % errors if errors else '')


def stage_text(c):
    """reached/triggered/detected counts; '-' where not measured."""
    if 'na' in c:
        return 'n/a'
    parts = []
    for st in ('reached', 'triggered', 'detected'):
        m = [r[st] for r in c['runs'] if r[st]['measured']]
        parts.append('%d' % sum(bool(x['value']) for x in m) if m else '-')
    return '/'.join(parts)


def table(res, names, fn):
    w = max([len(e) for e in res] + [6]) + 2
    cw = max(20, max(len(n) for n in names) + 2)
    lines = ['%-*s' % (w, 'entry') + ''.join('%-*s' % (cw, n) for n in names)]
    for e, cells in res.items():
        lines.append('%-*s' % (w, e) + ''.join('%-*s' % (cw, fn(cells[n])) for n in names))
    return '\n'.join(l.rstrip() for l in lines)


def survival(res, names, budget):
    """Per engine: sorted detection times over all entry x seed runs, and
    the number of runs (n/a cells left out)."""
    curves = {}
    for n in names:
        runs = [r for cells in res.values() if 'runs' in cells[n] for r in cells[n]['runs']]
        curves[n] = (sorted(ttd(runs)), len(runs))
    return curves


def svg_plot(curves, budget):
    """Fraction of runs detected vs time, log time axis, one step curve per
    engine, as inline SVG (no plotting library needed)."""
    W, H, L, B, R, T = 720, 380, 60, 40, 170, 15
    # a finding at teardown comes just after the budget
    lo = 0.01
    hi = max([budget, 1] + [ts[-1] for ts, _ in curves.values() if ts])
    import math
    x = lambda t: L + (math.log10(max(t, lo)) - math.log10(lo)) / \
        (math.log10(hi) - math.log10(lo)) * (W - L - R)
    y = lambda f: H - B - f * (H - B - T)
    colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2']
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (W, H),
           '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' %
           (L, T, W - L - R, H - B - T)]
    t = lo
    while t <= hi * 1.0001:
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#eee"/>'
                   '<text x="%.1f" y="%d" text-anchor="middle">%g</text>' %
                   (x(t), x(t), T, H - B, x(t), H - B + 14, t))
        t *= 10
    for f in (0, 0.25, 0.5, 0.75, 1):
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (L - 4, y(f) + 4, f))
    out.append('<text x="%d" y="%d" text-anchor="middle">seconds to detect (log)</text>' %
               ((L + W - R) // 2, H - 6))
    out.append('<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">'
               'fraction of runs detected</text>' % ((H - B + T) // 2, (H - B + T) // 2))
    for i, (n, (ts, total)) in enumerate(curves.items()):
        c = colors[i % len(colors)]
        pts, k = ['%.1f,%.1f' % (x(lo), y(0))], 0
        for tt in ts:
            pts.append('%.1f,%.1f' % (x(tt), y(k / total)))
            k += 1
            pts.append('%.1f,%.1f' % (x(tt), y(k / total)))
        if total:
            pts.append('%.1f,%.1f' % (x(hi), y(k / total)))
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' %
                       (c, ' '.join(pts)))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   '<text x="%d" y="%d">%s %d/%d</text>' %
                   (W - R + 10, W - R + 30, T + 10 + 16 * i, T + 10 + 16 * i, c,
                    W - R + 34, T + 14 + 16 * i, html.escape(n), len(ts), total))
    out.append('</svg>')
    return '\n'.join(out)


def write_html(path, data, names, text, stages):
    curves = survival(data['results'], names, data['budget_seconds'])
    by_kernel = {}
    for e, cells in data['results'].items():
        by_kernel.setdefault(e.split('@')[1], {})[e] = cells
    plots = ['<h2>Survival: all entries</h2>', svg_plot(curves, data['budget_seconds'])]
    if len(by_kernel) > 1:
        for k, res in sorted(by_kernel.items()):
            plots += ['<h3>%s</h3>' % html.escape(k),
                      svg_plot(survival(res, names, data['budget_seconds']),
                               data['budget_seconds'])]
    eng = ''.join('<li><b>%s</b>: %s%s</li>' % (html.escape(n), html.escape(e['note']),
                  (' <i>(skipped: %s)</i>' % html.escape(data['skipped'][n]))
                  if n in data['skipped'] else '')
                  for n, e in data['engines'].items())
    st = ''.join('<li><b>%s</b>: %s</li>' % (k, html.escape(v)) for k, v in STAGES.items())
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>fragsim zoo benchmark'
            '</title><style>body{font-family:sans-serif;max-width:80em;margin:1em auto}'
            'pre{background:#f6f6f6;padding:.5em;overflow-x:auto}</style></head><body>'
            '<h1>fragsim bug-zoo benchmark</h1><p>%d entries x %d engines x %d seeds, '
            '%d s per run, wall time %d s, %s.</p>'
            '<h2>Time to detect</h2><p>cell: detected/runs median/max seconds</p><pre>%s</pre>'
            '<h2>Magma stages</h2><p>cell: reached/triggered/detected runs '
            '("-": not measured)</p><pre>%s</pre>%s<h2>Engines</h2><ul>%s</ul>'
            '<h2>Stages</h2><ul>%s</ul><p>Every run: <a href="results.json">results.json'
            '</a>.</p></body></html>' %
            (len(data['results']), len(names), data['seeds'], data['budget_seconds'],
             data['wall_seconds'], html.escape(data['date']), html.escape(text),
             html.escape(stages), '\n'.join(plots), eng, st))
    with open(path, 'w') as f:
        f.write(page)


def own_kind(t):
    """A report that can be the entry's: its kind, or stress's wording
    (not a slug); not another slug, such as linux-7.3's own
    oversize-null-no-refill, found away from any edit."""
    k = t.get('kind') or ''
    return bool(t.get('expected_kind')) or ' ' in k


def consistent(r):
    """detected by the checker => triggered => reached, where measured;
    the last only for a report of the entry's own kind (linux-7.3 has a
    finding of its own, oversize-null-no-refill, away from any edit)."""
    d, t, re_ = r['detected'], r['triggered'], r['reached']
    if d['measured'] and d['value'] and d['by'] == 'checker' and t['measured'] \
            and not t['value']:
        return False
    if t['measured'] and t['value'] and own_kind(t) and \
            re_['measured'] and not re_['value']:
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', required=True)
    ap.add_argument('--build', required=True)
    for b in ('asan', 'tsan', 'libfuzzer', 'afl'):
        ap.add_argument('--%s-build' % b, default='')
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('--seeds', type=int, default=5)
    ap.add_argument('--engines', default='')
    ap.add_argument('--zoo', default='')
    ap.add_argument('--kernels', default='')
    ap.add_argument('--json', default='')
    ap.add_argument('--report', default='')
    ap.add_argument('--no-reached', dest='reached', action='store_false')
    ap.add_argument('--keep-logs', action='store_true')
    a = ap.parse_args()
    a.root, a.build = os.path.abspath(a.root), os.path.abspath(a.build)
    for b in ('asan', 'tsan', 'libfuzzer', 'afl'):
        d = getattr(a, b + '_build') or os.path.join(a.root, 'build-' + b)
        setattr(a, b + '_build', os.path.abspath(d))
    if a.seconds < 1 or a.seeds < 1:
        print('zoo-bench: error: --seconds and --seeds must be >= 1', file=sys.stderr)
        return 2
    if a.reached and not shutil.which('gdb'):
        print('zoo-bench: no gdb: the "reached" stage is not measured', file=sys.stderr)
        a.reached = False
    all_e = {e.name: e for e in engines(a)}
    names = a.engines.split() if a.engines else list(all_e)
    for n in names:
        if n not in all_e:
            print('zoo-bench: error: unknown engine %r (%s)' % (n, ' '.join(all_e)),
                  file=sys.stderr)
            return 2
    if not os.access(os.path.join(a.build, 'sim', 'fragsim-zoo'), os.X_OK):
        print('zoo-bench: error: no %s/sim/fragsim-zoo' % a.build, file=sys.stderr)
        return 2
    entries = zoo_entries(a)
    if not entries:
        print('zoo-bench: error: no zoo entry matches --zoo/--kernels', file=sys.stderr)
        return 2
    kinds = expect_kinds(a.root)
    scratch = os.path.join(a.build, 'zoo-bench-work')	# not /tmp: AFL++ refuses it
    os.makedirs(scratch, exist_ok=True)
    results, skipped = {}, {}
    t_start = time.monotonic()
    for ent in entries:
        ent['expect'] = kinds.get(ent['id'], '')
        lines = edited_lines(a.build, ent)
        for n in names:
            eng = all_e[n]
            why = eng.missing(ent['cid'])
            if why:
                if eng.why or not os.access(eng.exe, os.X_OK):
                    skipped[n] = why
                results.setdefault(ent['name'], {})[n] = {'na': why}
                continue
            runs = [one(eng, ent, s, a, lines, scratch) for s in range(1, a.seeds + 1)]
            results.setdefault(ent['name'], {})[n] = {'runs': runs, 'lines': lines}
            print('  %s %s: %s  stages %s' % (ent['name'], n, cell_text({'runs': runs}),
                                              stage_text({'runs': runs})),
                  file=sys.stderr, flush=True)
            if a.report:	# what ran so far, should the run be cut short
                os.makedirs(a.report, exist_ok=True)
                with open(os.path.join(a.report, 'partial.json'), 'w') as f:
                    json.dump({'results': results}, f)
    wall = time.monotonic() - t_start
    text = table(results, names, cell_text)
    stages = table(results, names, stage_text)
    print('zoo-bench: %d entries x %d engines x %d seeds, budget %d s, wall %d s' %
          (len(entries), len(names), a.seeds, a.seconds, wall))
    print('time to detect (cell: detected/runs median/max seconds):')
    print(text)
    print('Magma stages (cell: reached/triggered/detected runs, "-" not measured):')
    print(stages)
    for n, why in skipped.items():
        print('n/a %s: %s' % (n, why))
    bad = [(e, n, r['seed']) for e, cells in results.items() for n, c in cells.items()
           for r in c.get('runs', []) if not consistent(r)]
    for e, n, s in bad:
        print('zoo-bench: inconsistent stages: %s %s seed %d' % (e, n, s))
    data = {'budget_seconds': a.seconds, 'seeds': a.seeds, 'wall_seconds': round(wall),
            'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            'stages': STAGES, 'engines': {n: {'note': all_e[n].note} for n in names},
            'expect': {e['name']: e['expect'] for e in entries},
            'results': results, 'skipped': skipped}
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(data, f, indent=1)
    if a.report:
        os.makedirs(a.report, exist_ok=True)
        with open(os.path.join(a.report, 'results.json'), 'w') as f:
            json.dump(data, f, indent=1)
        with open(os.path.join(a.report, 'table.txt'), 'w') as f:
            f.write(text + '\n\n' + stages + '\n')
        write_html(os.path.join(a.report, 'index.html'), data, names, text, stages)
        os.remove(os.path.join(a.report, 'partial.json'))
        print('zoo-bench: report in %s/index.html' % a.report)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
