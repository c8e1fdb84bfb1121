#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Portable schedules (docs/trace-format.md, "Portable schedules").

  anchor_check.py FRAGSIM TARGET OUTDIR

`fragsim run` finds a concurrent bug of TARGET and writes its trace with
anchored decisions and a `recorded` line.  Then:
  - the trace replays to its recorded title, twice, bit for bit;
  - with every global step moved (as another build would count them) it
    still replays to the same report, through its anchors;
  - with an anchor k far beyond the points its location has, replay
    places it nearby (the location's last point) and says so;
  - with an anchor in an operation that does not exist, replay exits 4
    with one line naming the decision.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

AT = re.compile(r"^at (\d+) (op=\S+ actor=\S+ loc=\S+ k=)(\d+)( .*)$")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def report(out):
    """The report between its rules, without the Replay line."""
    lines = out.splitlines()
    rules = [i for i, l in enumerate(lines) if l.startswith("=====")]
    if len(rules) < 2:
        return None
    return "\n".join(l for l in lines[rules[0]:rules[1] + 1]
                     if not l.startswith("Replay:"))


def recorded_title(text):
    m = re.search(r"^recorded \S+ (.*)$", text, re.M)
    return m.group(1) if m else None


def write_variant(path, text, edit):
    with open(path, "w") as f:
        for line in text.splitlines():
            m = AT.match(line)
            f.write((edit(m) if m else line) + "\n")
    return path


def first_only(edit):
    """An edit of the first `at` line's anchor words and k."""
    done = [False]

    def apply(m):
        words, k = (m.group(2), m.group(3)) if done[0] else edit(m)
        done[0] = True
        return "at %s %s%s%s" % (m.group(1), words, k, m.group(4))
    return apply


def fail(msg):
    sys.exit("FAIL: " + msg)


def main():
    fragsim, target, outdir = sys.argv[1:4]
    shutil.rmtree(outdir, ignore_errors=True)
    rc, out, err = run([fragsim, "run", "--target", target, "--runs", "400",
                        "--seed", "1", "--stop", "--quiet", "--jobs", "1",
                        "--minimize-seconds", "0", "--out", outdir])
    traces = glob.glob(os.path.join(outdir, "*.trace"))
    if rc != 1 or len(traces) != 1:
        fail(f"{target}: run exit {rc}, traces {traces}\n{out}{err}")
    trace = traces[0]
    text = open(trace).read()
    title = recorded_title(text)
    nat = sum(1 for l in text.splitlines() if AT.match(l))
    if not title or not nat:
        fail(f"{trace}: no 'recorded' line or no anchored 'at' line:\n{text}")

    first = None
    for i in range(2):
        rc, rout, rerr = run([fragsim, "replay", trace])
        if rc != 1 or title not in rout:
            fail(f"replay {trace}: exit {rc}, '{title}' expected\n{rout}{rerr}")
        if first is not None and report(rout) != first:
            fail(f"replay {trace} twice: reports differ")
        first = report(rout)

    shifted = write_variant(trace + ".shifted", text, lambda m: "at %d %s%s%s" % (
        int(m.group(1)) * 3 + 1000, m.group(2), m.group(3), m.group(4)))
    rc, rout, rerr = run([fragsim, "replay", shifted])
    if rc != 1 or report(rout) != first:
        fail(f"{shifted}: steps moved, anchors kept: exit {rc}, report "
             f"{'differs' if report(rout) else 'missing'}\n{rout}{rerr}")

    far = write_variant(trace + ".far", text, first_only(
        lambda m: (m.group(2), "100000")))
    rc, rout, rerr = run([fragsim, "replay", far])
    if rc != 1 or title not in rout or \
            not re.search(r"^fragsim replay: decision at line \d+ .* placed at ", rout, re.M):
        fail(f"{far}: exit {rc}, expected the finding, placed nearby\n{rout}{rerr}")

    lost = write_variant(trace + ".lost", text, first_only(
        lambda m: (re.sub(r"^op=\d+", "op=99999999", m.group(2)), m.group(3))))
    rc, rout, rerr = run([fragsim, "replay", lost])
    lines = rerr.strip().splitlines()
    if rc != 4 or len(lines) != 1 or \
            not lines[0].startswith("fragsim: not reproducible on this build:") or \
            " line " not in lines[0]:
        fail(f"{lost}: exit {rc}, expected 4 and one line naming the decision\n"
             f"{rout}{rerr}")
    print(f"ok: {target}: {nat} anchored decision(s) replay to '{title}' with "
          f"their steps moved; an unplaceable one exits 4: {lines[0]}")


if __name__ == "__main__":
    main()
