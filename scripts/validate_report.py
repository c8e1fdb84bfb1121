#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of scripts/validate.sh: reads DIR/validate.json (fragsim
validate), DIR/coverage.json (validate_patch.py coverage), DIR/validate.out
and DIR/validate.info, writes DIR/report.txt, DIR/report.html and
DIR/report.json, and prints report.txt, whose first line is the verdict.

  python3 scripts/validate_report.py reports/validate-NAME
"""
import html
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import put_banner, verdict_banner  # noqa: E402  (every report's banner)

PASSING = ('PASS', 'FIXES')
ORDER = ('new', 'fixed', 'known', 'common')


def load(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def info(path):
    out = {}
    try:
        for line in open(path):
            k, _, v = line.rstrip('\n').partition('=')
            out.setdefault(k, []).append(v)
    except OSError:
        pass
    return out


def coverage_rows(cov):
    """[(file, line, count, text)] of every changed line."""
    return [(f, l['line'], l['count'],
             ('[after removed lines] ' if l.get('removal') else '') + l['text'].strip())
            for f, v in sorted(cov.items()) for l in v['lines']]


def never_run(rows):
    return [r for r in rows if r[2] == 0]


def verdict_line(v, rows):
    bad = never_run(rows)
    line = v['verdict']
    if bad:
        where = ', '.join('%s:%d' % (f, n) for f, n, _, _ in bad[:6])
        line += ' (%d changed line(s) never executed: %s%s)' % (
            len(bad), where, ', ...' if len(bad) > 6 else '')
    return line


def text_report(d, v, rows, out_lines, inf):
    t = [verdict_line(v, rows)]
    t += out_lines[1:]
    code = [r for r in rows if r[2] not in (None, '-')]
    t.append('')
    t.append('Coverage of the patch (gcov of target %s): %d changed line(s) of code, %d executed, %d never executed; %d not code, %d outside the extracted code'
             % (v['patched']['name'], len(code), len([r for r in code if r[2]]),
                len(never_run(rows)), len([r for r in rows if r[2] == '-']),
                len([r for r in rows if r[2] is None])))
    for f, n, c, s in rows:
        if c not in (None, '-'):
            t.append('  %8s  %s:%d  %s' % ('#####' if c == 0 else c, f, n, s.strip()))
    t.append('')
    for k in ('tree', 'patch', 'base', 'patched', 'git', 'range', 'compiler'):
        for x in inf.get(k, []):
            t.append('%s: %s' % (k, x))
    t.append('report: %s' % os.path.join(d, 'report.html'))
    return '\n'.join(t) + '\n'


def esc(s):
    return html.escape(str(s))


def table(head, rows):
    h = '<tr>' + ''.join('<th>%s</th>' % esc(x) for x in head) + '</tr>'
    b = ''.join('<tr>' + ''.join('<td>%s</td>' % c for c in r) + '</tr>' for r in rows)
    return '<table>%s%s</table>' % (h, b)


def verdict_kind(v, rows):
    if v['verdict'] not in PASSING:
        return 'findings'
    return 'incomplete' if never_run(rows) else 'pass'


def html_report(v, rows, inf):
    p = ['<!doctype html><meta charset="utf-8"><title>fragsim validate: %s</title>' % esc(v['verdict']),
         '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}'
         'td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}'
         'code,pre{font-family:monospace;overflow-wrap:anywhere}'
         'pre{white-space:pre-wrap;background:#f6f8fa;padding:0.6em}</style><body>',
         put_banner('', verdict_banner(verdict_kind(v, rows), verdict_line(v, rows)))]
    p.append('<p>base <b>%s</b> (%s, layout %s, build %s) vs patched <b>%s</b> (%s, layout %s, build %s)</p>'
             % tuple(esc(x) for s in ('base', 'patched') for x in
                     (v[s]['name'], v[s]['release'], v[s]['layout'], v[s]['build'])))
    p.append('<h2>Findings</h2>')
    p.append(table(['class', 'base cases', 'patched cases', 'title', 'first case'],
                   [(esc(t['class']), t['base_cases'], t['patched_cases'],
                     esc(t['title'] + (' [suppressed by %s]' % t['known_by']
                                       if t.get('known_by') else '')),
                     esc(t['first_case'])) for t in
                    sorted(v['titles'], key=lambda t: ORDER.index(t['class']))]) if v['titles']
             else '<p>No finding on either side.</p>')
    if v['regressions']:
        p.append('<h2>Regressions, minimized</h2>')
        p.append(table(['title', 'from case', 'ops', 'decisions', 'minimized trace', 'on base', 'replay'],
                       [(esc(g['title']), esc(g['case']),
                         '%d &rarr; %d' % (g['ops_before'], g['ops_after']),
                         '%d &rarr; %d' % (g['decisions_before'], g['decisions_after']),
                         '<code>%s</code>' % esc(g['trace']), esc(g['on_base'] or 'no finding'),
                         '<code>%s replay %s</code>' % (esc(inf.get('fragsim', ['build-validate/sim/fragsim'])[0]),
                                                       esc(g['trace'])))
                        for g in v['regressions']]))
    p.append('<h2>Divergences</h2><p>%d deterministic trace(s) where an allocation\'s outcome '
             '(served or NULL, pfmemalloc, alignment) differs.</p>' % v['divergences'])
    if v['divergence_examples']:
        p.append(table(['case', 'op', 'line', 'operation', 'base', 'patched', 'trace'],
                       [(esc(e['case']), e['op_no'], e['line'], '<code>%s</code>' % esc(e['op']),
                         esc(e['base']), esc(e['patched']), '<code>%s</code>' % esc(e['trace']))
                        for e in v['divergence_examples']]))
    p.append('<h2>The patch\'s lines and their coverage</h2>')
    p.append(table(['file:line', 'count', 'source'],
                   [('%s:%d' % (esc(f), n),
                     'never' if c == 0 else 'not code' if c == '-' else
                     'not extracted' if c is None else c, '<code>%s</code>' % esc(s))
                    for f, n, c, s in rows]) if rows else '<p>No changed line.</p>')
    p.append('<h2>Work</h2>')
    p.append(table(['side', 'target', 'runs', 'operations'],
                   [(s, esc(v[s]['name']), v[s]['runs'], v[s]['ops']) for s in ('base', 'patched')]))
    p.append('<p>%d cases on each side: %d generated (seed %d), %d corpus traces; %d skipped; '
             '%d job(s), %.1f s.</p>' % (v['cases'], v['generated'], v['seed'], v['corpus'],
                                         v['skipped_count'], v['jobs'], v['seconds']))
    if v['skipped']:
        p.append(table(['skipped case', 'why'], [(esc(s['case']), esc(s['reason'])) for s in v['skipped']]))
    p.append('<h2>Input</h2><pre>%s</pre>' % esc('\n'.join('%s=%s' % (k, x) for k, xs in inf.items() for x in xs)))
    p.append('</body>')
    return '\n'.join(p) + '\n'


def main():
    if len(sys.argv) != 2:
        print('usage: validate_report.py DIR', file=sys.stderr)
        sys.exit(2)
    d = sys.argv[1]
    v = load(os.path.join(d, 'validate.json'), None)
    if v is None:
        print('fragsim: error: %s: no validate.json' % d, file=sys.stderr)
        sys.exit(3)
    cov = load(os.path.join(d, 'coverage.json'), {})
    rows = coverage_rows(cov)
    inf = info(os.path.join(d, 'validate.info'))
    try:
        out_lines = open(os.path.join(d, 'validate.out')).read().rstrip('\n').split('\n')
    except OSError:
        out_lines = [v['verdict']]
    txt = text_report(d, v, rows, out_lines, inf)
    with open(os.path.join(d, 'report.txt'), 'w') as f:
        f.write(txt)
    with open(os.path.join(d, 'report.html'), 'w') as f:
        f.write(html_report(v, rows, inf))
    full = dict(v, verdict_line=verdict_line(v, rows), coverage=cov,
                never_executed=['%s:%d' % (f, n) for f, n, _, _ in never_run(rows)],
                input=inf)
    with open(os.path.join(d, 'report.json'), 'w') as f:
        json.dump(full, f, indent=1)
    sys.stdout.write(txt)


if __name__ == '__main__':
    main()
