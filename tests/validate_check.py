#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fragsim validate and scripts/validate.sh, without building a kernel:

  validate_check.py SRC_ROOT FRAGSIM_ZOO KERNEL_TREE ZOO_TARGET...

- the patch helpers (scripts/validate_patch.py) on synthetic diffs;
- validate.sh's bad inputs (one line, exit 2) and "nothing to validate"
  (exit 0), all of which stop before the build;
- `fragsim validate` on two zoo targets of fragsim-zoo: a target against
  itself is PASS, against another bug a REGRESSION whose minimized trace
  replays; the report renders with the verdict first.
Patches are made at run time; no kernel source is kept here.
"""
import json
import os
import subprocess
import sys
import tempfile

failed = passed = 0


def check(name, ok, detail=''):
    global failed, passed
    print(('ok   ' if ok else 'FAIL ') + name)
    if ok:
        passed += 1
    else:
        failed += 1
        print('  ' + detail.replace('\n', '\n  ')[-3000:])


def run(args, env=None, cwd=None, timeout=300):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env, cwd=cwd, timeout=timeout)


def one_line_error(name, p):
    errs = [l for l in p.stderr.splitlines() if l.strip()]
    check(name, p.returncode == 2 and len(errs) == 1 and errs[0].startswith('fragsim: error: '),
          'exit %d\nstderr:\n%s\nstdout:\n%s' % (p.returncode, p.stderr, p.stdout))
    return errs[0] if errs else ''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


DIFF = """From 0000 Mon Sep 17 00:00:00 2001
From: A Developer <dev@example.org>
Subject: [PATCH] demo

Some words.
---
 x/a.c | 2 +-

diff --git a/x/a.c b/x/a.c
--- a/x/a.c
+++ b/x/a.c
@@ -1,3 +1,3 @@ int first(void)
 one
-two
+TWO
 three
@@ -8,3 +8,2 @@ int second(void)
 eight
-nine
 ten
--
2.39.2
"""


def patch_helpers(src, tmp):
    py = [sys.executable, os.path.join(src, 'scripts', 'validate_patch.py')]
    p = os.path.join(tmp, 'demo.patch')
    write(p, DIFF)
    r = run(py + ['files', p])
    check('patch: files of a format-patch mail', r.returncode == 0 and r.stdout.split() == ['x/a.c'], r.stdout + r.stderr)
    r = run(py + ['hunk', p, 'x/a.c', '2'])
    check('patch: a hunk is named by line and function',
          r.stdout.strip() == 'hunk #2 at line 8 (int second(void))', r.stdout)
    mail = os.path.join(tmp, 'nodiff.eml')
    write(mail, 'From: a@b\nSubject: [PATCH] words only\n\nNo diff here.\n')
    one_line_error('patch: a mail with no diff', run(py + ['files', mail]))
    base, new = os.path.join(tmp, 'b'), os.path.join(tmp, 'n')
    write(base + '/x/a.c', ''.join('l%d\n' % i for i in range(1, 11)))
    write(new + '/x/a.c', ''.join('l%d\n' % i for i in range(1, 11) if i != 9).replace('l2\n', 'L2\n'))
    r = run(py + ['changed', base, new, 'x/a.c'])
    ch = json.loads(r.stdout)
    check('patch: changed lines, a removal stands at the next line',
          ch['x/a.c']['lines'] == [2] and ch['x/a.c']['anchors'] == [9] and
          ch['x/a.c']['removed'] == 2, r.stdout)
    cj = os.path.join(tmp, 'changed.json')
    write(cj, r.stdout)
    gcov = os.path.join(tmp, 'gcov.txt')
    write(gcov, '        -:    0:Source:x/a.c\n        5:    2:L2\n        -:    9:l10\n    #####:   10:\n'
                '        -:    0:Source:other.c\n        1:    2:x\n')
    r = run(py + ['coverage', gcov, cj])
    lines = {l['line']: l['count'] for l in json.loads(r.stdout)['x/a.c']['lines']}
    check('patch: coverage of the changed lines, a removal at the next code line',
          lines == {2: 5, 10: 0}, r.stdout)


def hunk_against(tree, files):
    """A patch on the first extracted file the tree has, whose context does not exist."""
    f = next(f for f in files if f.endswith('.c') and os.path.isfile(os.path.join(tree, f)))
    return f, ('--- a/%s\n+++ b/%s\n@@ -3,3 +3,3 @@ static int no_such_function(void)\n'
               ' this line is not in the tree\n-nor this one\n+but this\n context\n' % (f, f))


def top_comment(tree, f):
    """A patch adding a comment at the top of @f: nothing fragsim runs changes."""
    head = open(os.path.join(tree, f), errors='replace').read().split('\n')[:3]
    return ('--- a/%s\n+++ b/%s\n@@ -1,3 +1,4 @@\n %s\n+/* a comment */\n %s\n %s\n'
            % (f, f, head[0], head[1], head[2]))


def validate_sh(src, tree, tmp):
    sh = ['bash', os.path.join(src, 'scripts', 'validate.sh')]
    env = dict(os.environ, FRAGSIM_CACHE=os.path.join(tmp, 'cache'),
               FRAGSIM_VALIDATE_BUILD=os.path.join(tmp, 'never-built'),
               FRAGSIM_VALIDATE_NO_BUILD='1')
    files = run([sys.executable, os.path.join(src, 'alloc/extract/extract.py'),
                 '--list-files']).stdout.split()
    one_line_error('validate.sh: no arguments', run(sh, env=env))
    one_line_error('validate.sh: a tree that does not exist',
                   run(sh + ['--tree', os.path.join(tmp, 'nope'), '--patch', os.path.join(tmp, 'demo.patch')], env=env))
    notkernel = os.path.join(tmp, 'notkernel')
    write(notkernel + '/README', 'not a kernel\n')
    e = one_line_error('validate.sh: a tree that is not a kernel',
                       run(sh + ['--tree', notkernel, '--patch', os.path.join(tmp, 'demo.patch')], env=env))
    check('validate.sh: ... says so', 'not a kernel tree' in e, e)
    one_line_error('validate.sh: a patch file that does not exist',
                   run(sh + ['--tree', tree, '--patch', os.path.join(tmp, 'missing.patch')], env=env))
    one_line_error('validate.sh: a mail with no diff',
                   run(sh + ['--tree', tree, '--patch', os.path.join(tmp, 'nodiff.eml')], env=env))
    f, bad = hunk_against(tree, files)
    write(os.path.join(tmp, 'bad.patch'), bad)
    e = one_line_error('validate.sh: a patch that does not apply',
                       run(sh + ['--tree', tree, '--patch', os.path.join(tmp, 'bad.patch')], env=env))
    check('validate.sh: ... names the file and the hunk',
          f in e and 'hunk #1' in e and 'no_such_function' in e, e)
    write(os.path.join(tmp, 'doc.patch'),
          '--- a/Documentation/x.rst\n+++ b/Documentation/x.rst\n@@ -1 +1 @@\n-a\n+b\n')
    r = run(sh + ['--tree', tree, '--patch', os.path.join(tmp, 'doc.patch')], env=env)
    check('validate.sh: a patch outside the extracted files: nothing to validate',
          r.returncode == 0 and r.stdout.startswith('nothing to validate'), r.stdout + r.stderr)
    cf = 'mm/page_alloc.c' if os.path.isfile(os.path.join(tree, 'mm/page_alloc.c')) else f
    write(os.path.join(tmp, 'comment.patch'), top_comment(tree, cf))
    r = run(sh + ['--tree', tree, '--patch', os.path.join(tmp, 'comment.patch')], env=env)
    check('validate.sh: a change to no extracted code: nothing to validate',
          r.returncode == 0 and r.stdout.startswith('nothing to validate'), r.stdout + r.stderr)
    repo = os.path.join(tmp, 'repo')
    os.makedirs(repo)
    genv = dict(env, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@t', GIT_COMMITTER_NAME='t',
                GIT_COMMITTER_EMAIL='t@t')
    run(['git', 'init', '-q', repo], env=genv)
    write(repo + '/f', 'x\n')
    run(['git', '-C', repo, 'add', 'f'], env=genv)
    run(['git', '-C', repo, 'commit', '-qm', 'one'], env=genv)
    e = one_line_error('validate.sh: a range with no commits',
                       run(sh + ['--git', repo, '--range', 'HEAD..HEAD'], env=env))
    check('validate.sh: ... says so', 'no commits' in e, e)
    one_line_error('validate.sh: --git on a directory that is no repository',
                   run(sh + ['--git', notkernel, '--range', 'HEAD~1..HEAD'], env=env))


def fragsim_validate(src, zoo, targets, tmp):
    align = next(t for t in targets if t.startswith('M-align@'))
    kernel = align.split('@', 1)[1]
    other = next(t for t in targets if t.startswith('Z-1@' + kernel) or
                 (t.endswith('@' + kernel) and not t.startswith('M-align@')))
    common = ['validate', '--budget', '12', '--jobs', '2', '--quiet',
              '--corpus', os.path.join(src, 'corpus', 'regress')]
    out = os.path.join(tmp, 'same')
    r = run([zoo] + common + ['--base', align, '--patched', align, '--out', out], cwd=src)
    check('fragsim validate: a target against itself: PASS',
          r.returncode == 0 and r.stdout.split('\n')[0] == 'PASS', r.stdout + r.stderr)
    out = os.path.join(tmp, 'regr')
    r = run([zoo] + common + ['--base', other, '--patched', align, '--out', out], cwd=src)
    check('fragsim validate: a new finding on patched: REGRESSION',
          r.returncode == 1 and r.stdout.split('\n')[0] == 'REGRESSION', r.stdout + r.stderr)
    v = json.load(open(os.path.join(out, 'validate.json')))
    regs = [g for g in v['regressions'] if 'fragment-misaligned' in g['title']]
    check('fragsim validate: the regression has a minimized trace',
          regs and regs[0]['trace'] and regs[0]['ops_after'] <= regs[0]['ops_before'], json.dumps(v)[:2000])
    if regs and regs[0]['trace']:
        p = run([zoo, 'replay', regs[0]['trace']], cwd=src)
        check('fragsim validate: ... which replays on the patched target',
              p.returncode == 1 and regs[0]['title'] in p.stdout, p.stdout[-2000:])
        p = run([zoo, 'replay', '--target', other, regs[0]['trace']], cwd=src)
        check('fragsim validate: ... and not on the base', regs[0]['title'] not in p.stdout, p.stdout[-2000:])
    write(os.path.join(out, 'validate.out'), r.stdout)
    p = run([sys.executable, os.path.join(src, 'scripts', 'validate_report.py'), out])
    html = open(os.path.join(out, 'report.html')).read() if p.returncode == 0 else ''
    check('validate_report.py: verdict first in the text and on top of the page',
          p.returncode == 0 and p.stdout.startswith('REGRESSION') and
          html.find('REGRESSION') < html.find('<h2>') and 'REGRESSION' in html, p.stdout + p.stderr)
    # The same pair with the regression's kind and function suppressed on
    # the patched side: known, not a REGRESSION; both sides share the file.
    supp = os.path.join(tmp, 'align.supp')
    write(supp, 'kind: fragment-misaligned\nfunction: %s\ntarget: %s\n'
          'reason: test\nlink: https://lore.kernel.org/\n'
          % (regs[0]['title'].rsplit(' in ', 1)[1] if regs else 'x', align))
    out = os.path.join(tmp, 'supp')
    r = run([zoo] + common + ['--base', other, '--patched', align, '--out', out,
                              '--suppress', supp], cwd=src)
    lines = r.stdout.split('\n')
    check('fragsim validate --suppress: the suppressed new title is known, no REGRESSION',
          r.returncode == 0 and lines[0] in ('PASS', 'FIXES') and
          any(l.strip().startswith('known') and '[suppressed by %s:1]' % supp in l
              for l in lines), r.stdout + r.stderr)
    one_line_error('fragsim validate --suppress: a malformed file',
                   run([zoo] + common + ['--base', other, '--patched', align, '--out', out,
                                         '--suppress', os.path.join(src, 'README.md')], cwd=src))
    one_line_error('fragsim validate: an unknown target',
                   run([zoo, 'validate', '--base', 'nosuch', '--patched', align, '--out', out]))


def main():
    src, zoo, tree, targets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    zoo = os.path.abspath(zoo) if zoo else ''
    with tempfile.TemporaryDirectory() as tmp:
        patch_helpers(src, tmp)
        if tree:
            validate_sh(src, tree, tmp)
        if zoo and any(t.startswith('M-align@') for t in targets):
            fragsim_validate(src, zoo, targets, tmp)
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
