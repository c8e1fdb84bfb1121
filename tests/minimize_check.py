#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fragsim minimize shrinks a finding's trace and keeps the finding.

  minimize_check.py FRAGSIM_ZOO ZOO_TARGET...

For a sequential bug (Z-1) and a concurrent one (Z-9, irq workload), when
built: find it with a fixed seed, minimize the trace, and check that it
exits 1, has fewer operations, replays to the same title, and that a
second minimize writes the same file and prints the same report.  A trace
without a finding gets one error line and exit status 2.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

failed = passed = 0
TITLE = re.compile(r"^(BUG|WARNING|kernel BUG)")
SUMMARY = re.compile(r"^fragsim minimize: (\d+) -> (\d+) operations")


def run(args):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def check(name, ok, p=None):
    global failed, passed
    print(("ok   " if ok else "FAIL ") + name)
    if ok:
        passed += 1
        return True
    failed += 1
    if p is not None:
        print(f"  exit {p.returncode}; stderr:\n{p.stderr}  stdout:\n{p.stdout[-3000:]}")
    return False


def title(text):
    return next((l for l in text.splitlines() if TITLE.match(l)), None)


def ops(path):
    """Operation lines: not the header, not `at`, comments or "}"."""
    with open(path) as f:
        body = f.read().split("\n\n", 1)
    lines = body[1].splitlines() if len(body) > 1 else []
    return sum(1 for l in lines
               if l.strip() not in ("", "}") and not l.lstrip().startswith("#")
               and not l.startswith("at "))


def minimize_one(zoo, target, workload, tmp):
    tag = target.split("@")[0]
    out = os.path.join(tmp, "find-" + tag)
    args = [zoo, "run", "--target", target, "--runs", "400", "--seed", "1",
            "--stop", "--quiet", "--out", out, "--minimize-seconds", "0"]
    if workload:
        args += ["--workload", workload]
    p = run(args)
    traces = sorted(glob.glob(os.path.join(out, "*.trace")))
    if not check(f"{tag}: run finds a bug", p.returncode == 1 and len(traces) == 1, p):
        return
    found = traces[0]
    want = title(p.stdout)

    m1, m2 = os.path.join(tmp, tag + "-1.trace"), os.path.join(tmp, tag + "-2.trace")
    p1 = run([zoo, "minimize", "--quiet", found, "-o", m1])
    check(f"{tag}: minimize exits 1", p1.returncode == 1, p1)
    check(f"{tag}: minimize reports the same title", title(p1.stdout) == want, p1)
    last = p1.stdout.strip().splitlines()[-1] if p1.stdout.strip() else ""
    s = SUMMARY.match(last)
    check(f"{tag}: summary line, fewer operations ({last})",
          bool(s) and int(s.group(2)) < int(s.group(1)), p1)
    if not os.path.exists(m1):
        check(f"{tag}: minimized trace written", False, p1)
        return
    check(f"{tag}: the trace file has fewer operations ({ops(found)} -> {ops(m1)})",
          ops(m1) < ops(found))
    r = run([zoo, "replay", m1])
    check(f"{tag}: replaying the minimized trace gives the same title",
          r.returncode == 1 and title(r.stdout) == want, r)
    check(f"{tag}: the report names the minimized trace",
          f"replay {m1}" in p1.stdout, p1)

    p2 = run([zoo, "minimize", "--quiet", found, "-o", m2])
    with open(m1, "rb") as a, open(m2, "rb") as b:
        same_file = a.read() == b.read()
    check(f"{tag}: minimize twice writes identical files", same_file, p2)
    check(f"{tag}: minimize twice prints identical reports",
          p1.stdout.replace(m1, "OUT") == p2.stdout.replace(m2, "OUT"), p2)


def main():
    zoo, targets = sys.argv[1], sys.argv[2:]
    tmp = tempfile.mkdtemp()

    def pick(prefix):
        return next((t for t in targets if t.startswith(prefix + "@")), None)

    cases = [(pick("Z-1"), None), (pick("Z-9"), "irq")]
    if not any(t for t, _ in cases):
        cases = [(targets[0], None)]
    for target, workload in cases:
        if target:
            minimize_one(zoo, target, workload, tmp)

    clean = os.path.join(tmp, "clean.trace")
    with open(clean, "w") as f:
        f.write("fragsim-trace 1\ncache nc0 page_frag\nh0 = alloc nc0 size=100\nfree h0\n")
    p = run([zoo, "minimize", clean])
    errs = [l for l in p.stderr.splitlines() if l.strip()]
    check("a trace without finding: exit 2, one error line",
          p.returncode == 2 and len(errs) == 1 and
          errs[0].startswith("fragsim: error: ") and
          "no finding to minimize" in errs[0], p)
    p = run([zoo, "minimize", "--bogus", clean])
    errs = [l for l in p.stderr.splitlines() if l.strip()]
    check("unknown option: exit 2, one error line",
          p.returncode == 2 and len(errs) == 1 and "--bogus" in errs[0], p)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
