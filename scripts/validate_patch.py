#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The patch side of scripts/validate.sh, one subcommand each:

  files PATCH            the files a patch touches (p1 paths), one a line;
                         exit 2 with one line when it holds no diff
  filter PATCH FILE...   the patch cut down to the sections of these files
  hunk PATCH FILE N      "hunk #N at line L (@@ ... @@ context)" of FILE
  changed BASE PATCHED FILE...
                         JSON: the lines of each FILE of PATCHED that differ
                         from BASE (added or changed), and the count removed
  coverage GCOV_TEXT CHANGED_JSON
                         JSON: each changed line with its gcov count, "-"
                         (not executable code) or null (not in the code
                         fragsim extracts)

Plain unified diffs and git format-patch mails alike: everything before
the first "--- " / "+++ " pair is ignored.
"""
import difflib
import json
import re
import sys

HUNK = re.compile(r'^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$')


def die(msg):
    print('fragsim: error: ' + msg, file=sys.stderr)
    sys.exit(2)


def strip_p1(path):
    path = path.split('\t')[0].strip()
    if path == '/dev/null':
        return None
    return path.split('/', 1)[1] if '/' in path else path


def parse(patch):
    """[(file, [(old_start, new_start, context)])] in patch order."""
    try:
        lines = open(patch, encoding='utf-8', errors='replace').read().split('\n')
    except OSError as e:
        die('%s: %s' % (patch, e.strerror))
    files, cur = [], None
    for i, line in enumerate(lines):
        if line.startswith('--- ') and i + 1 < len(lines) and \
           lines[i + 1].startswith('+++ '):
            new = strip_p1(lines[i + 1][4:])
            old = strip_p1(line[4:])
            cur = (new or old, [])
            files.append(cur)
            continue
        m = HUNK.match(line)
        if m and cur is not None:
            cur[1].append((int(m.group(1)), int(m.group(2)), m.group(3)))
    return [f for f in files if f[1]]


def cmd_files(patch):
    files = parse(patch)
    if not files:
        die('%s: no diff in it (a mail without a patch?)' % patch)
    for f in dict.fromkeys(f for f, _ in files):
        print(f)


def cmd_filter(patch, *keep):
    """The patch cut down to the sections of the files in @keep."""
    lines = open(patch, encoding='utf-8', errors='replace').read().split('\n')
    starts = []
    for i, line in enumerate(lines):
        if line.startswith('diff --git '):
            starts.append(i)
        elif line.startswith('--- ') and i + 1 < len(lines) and \
                lines[i + 1].startswith('+++ ') and \
                not (starts and starts[-1] >= i - 4 and lines[starts[-1]].startswith('diff --git ')):
            starts.append(i)
    out = []
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else len(lines)
        sec = lines[a:b]
        new = next((strip_p1(l[4:]) for l in sec if l.startswith('+++ ')), None)
        old = next((strip_p1(l[4:]) for l in sec if l.startswith('--- ')), None)
        if (new or old) in keep:
            # A mail's signature ("-- ") ends the last section.
            if k + 1 == len(starts) and '-- ' in sec:
                sec = sec[:sec.index('-- ')]
            out += sec
    sys.stdout.write('\n'.join(out) + '\n')


def cmd_hunk(patch, name, n):
    n = int(n)
    for f, hunks in parse(patch):
        if f != name:
            continue
        if n <= len(hunks):
            old, _, ctx = hunks[n - 1]
            print('hunk #%d at line %d%s' % (n, old, ' (%s)' % ctx.strip() if ctx.strip() else ''))
            return
        n -= len(hunks)
    print('hunk #%s' % n)


def read(path):
    try:
        return open(path, encoding='utf-8', errors='replace').read().split('\n')
    except OSError:
        return []


def cmd_changed(base, patched, *files):
    out = {}
    for f in files:
        a, b = read(base + '/' + f), read(patched + '/' + f)
        added, anchors, removed = [], [], 0
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag in ('replace', 'insert'):
                added += range(j1 + 1, j2 + 1)
            if tag in ('replace', 'delete'):
                removed += i2 - i1
            # A removal is where the next line of code now runs: that line
            # stands for it in the coverage (resolved against gcov).
            if tag == 'delete' and j1 < len(b):
                anchors.append(j1 + 1)
        if added or removed:
            out[f] = {'lines': sorted(added), 'removed': removed,
                      'anchors': [a for a in anchors if a not in added],
                      'text': {str(n): b[n - 1] for n in range(1, len(b) + 1)
                               if n in added or any(0 <= n - a < 8 for a in anchors)}}
    json.dump(out, sys.stdout, indent=1)
    print()


def gcov_counts(text):
    """{source file: {line: count or '-'}} from gcov's text output."""
    counts, cur = {}, None
    for line in open(text, encoding='utf-8', errors='replace'):
        parts = line.rstrip('\n').split(':', 2)
        if len(parts) < 3:
            continue
        count, num = parts[0].strip(), parts[1].strip()
        if num == '0' and parts[2].startswith('Source:'):
            cur = counts.setdefault(parts[2][7:].strip(), {})
            continue
        if cur is None or not num.isdigit():
            continue
        num = int(num)
        if count == '-':
            cur.setdefault(num, '-')
            continue
        count = count.rstrip('*')
        c = 0 if count in ('#####', '=====') else int(count) if count.isdigit() else None
        if c is None:
            continue
        old = cur.get(num)
        cur[num] = c if not isinstance(old, int) else max(old, c)
    return counts


def cmd_coverage(text, changed):
    counts = gcov_counts(text)
    changed = json.load(open(changed))
    out = {}
    for f, info in changed.items():
        # gcov names the file as the #line directive did, or by a path
        # ending in it.
        c = next((v for k, v in counts.items() if k == f or k.endswith('/' + f)), {})
        lines = [{'line': n, 'count': c.get(n), 'text': info['text'][str(n)]}
                 for n in info['lines']]
        for a in info.get('anchors', []):
            n = next((k for k in range(a, a + 8) if isinstance(c.get(k), int)), a)
            if str(n) in info['text'] and n not in info['lines']:
                lines.append({'line': n, 'count': c.get(n), 'removal': True,
                              'text': info['text'][str(n)]})
        out[f] = {'removed': info['removed'],
                  'lines': sorted(lines, key=lambda l: l['line'])}
    json.dump(out, sys.stdout, indent=1)
    print()


def main():
    cmds = {'files': (cmd_files, 1), 'hunk': (cmd_hunk, 3), 'filter': (cmd_filter, -2),
            'changed': (cmd_changed, -3), 'coverage': (cmd_coverage, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die('usage: validate_patch.py files|filter|hunk|changed|coverage ...')
    fn, n = cmds[sys.argv[1]]
    args = sys.argv[2:]
    if (n >= 0 and len(args) != n) or (n < 0 and len(args) < -n - 1):
        die('validate_patch.py %s: wrong number of arguments' % sys.argv[1])
    fn(*args)


if __name__ == '__main__':
    main()
