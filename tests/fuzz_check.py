#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzzer artifacts reach users: fragsim replays and decodes them.

    fuzz_check.py FRAGSIM FRAGSIM_ZOO ARTIFACT_DIR ZOO_DIR SEED_DIR

ARTIFACT_DIR holds crash files that libFuzzer's fuzz_trace wrote against
bug-zoo targets, named <zoo-id>@<kernel>.crash.  Each must replay (binary
form, --target) with exit 1 and the zoo entry's expected finding, twice
with identical output, and show its text trace; `fragsim decode` prints a
text trace that replays the same way.  Every seed and every prefix of one
decodes; a file that is neither form is one error line and exit 2.
"""

import os
import subprocess
import sys
import tempfile

fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what)


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


def expect_of(zoo_dir, zid):
    with open(os.path.join(zoo_dir, zid + ".zoo")) as f:
        for line in f:
            if line.startswith("expect:"):
                return line.split(":", 1)[1].strip()
    return None


def has_target(fragsim, name):
    rc, out, _ = run(fragsim, "targets")
    return rc == 0 and any(l.split()[:1] == [name] for l in out.splitlines())


def main(argv):
    fragsim, zoo, art_dir, zoo_dir, seed_dir = argv[1:6]
    tmp = tempfile.mkdtemp()
    for name in sorted(os.listdir(art_dir)):
        path = os.path.join(art_dir, name)
        if not name.endswith(".crash"):
            continue
        target = name[:-len(".crash")]
        slug = expect_of(zoo_dir, target.split("@")[0])
        rc1, out1, _ = run(zoo, "replay", "--target", target, path)
        rc2, out2, _ = run(zoo, "replay", "--target", target, path)
        check(rc1 == 1, f"{name}: replay exit {rc1}, not 1")
        check(f"BUG: fragsim: {slug} in" in out1, f"{name}: replay does not report {slug}")
        check("is a binary trace; as text:" in out1, f"{name}: replay does not show the text trace")
        check(out1 == out2, f"{name}: two replays differ")
        text = os.path.join(tmp, name + ".trace")
        rc, _, err = run(zoo, "decode", "-o", text, path)
        check(rc == 0, f"{name}: decode exit {rc}: {err.strip()}")
        rc, out, _ = run(zoo, "replay", "--target", target, text)
        check(rc == 1 and f"BUG: fragsim: {slug} in" in out,
              f"{name}: the decoded text trace does not replay the finding")
    for name in sorted(os.listdir(seed_dir)):
        data = open(os.path.join(seed_dir, name), "rb").read()
        for n in sorted({3, 4, 5, 6, 7, len(data) // 2, len(data) - 1, len(data)}):
            p = os.path.join(tmp, "prefix")
            with open(p, "wb") as f:
                f.write(data[:n])
            rc, out, err = run(fragsim, "decode", p)
            check(rc == 0 and out.startswith("fragsim-trace 1\n"),
                  f"seed {name}, first {n} bytes: decode exit {rc}: {err.strip()}")
    # Past false positives (tests/fuzz/quiet/README.md) replay quiet here
    # too; oss-fuzz-check.sh replays them in the -O1 build that made them.
    quiet = os.path.join(art_dir, "quiet")
    for target in sorted(os.listdir(quiet)):
        d = os.path.join(quiet, target)
        if not os.path.isdir(d) or not has_target(fragsim, target):
            continue
        for name in sorted(os.listdir(d)):
            rc, out, _ = run(fragsim, "replay", "--target", target,
                             os.path.join(d, name))
            # 4: its schedule does not fit this build's points (-O2).
            check(rc in (0, 4) and "no finding" in out,
                  f"quiet/{target}/{name}: replay exit {rc}, a finding again")
    bad = os.path.join(tmp, "bad")
    with open(bad, "wb") as f:
        f.write(b"\x00\x01binary but not a fragsim trace\xff")
    for cmd in ("decode", "replay"):
        rc, out, err = run(fragsim, cmd, bad)
        check(rc == 2 and len(err.strip().splitlines()) == 1,
              f"{cmd} of a non-trace: exit {rc}, stderr {err!r}")
    print(f"fuzz_check: {len(fails)} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
