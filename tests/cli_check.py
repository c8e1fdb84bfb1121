#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bad input gets one clear error line and exit status 2, never a crash.

  cli_check.py FRAGSIM TRACES_DIR
"""
import os
import subprocess
import sys
import tempfile

failed = passed = 0


def check(name, args, want_rc, want_err=None, stdin=None):
    global failed, passed
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60, input=stdin)
    errs = [l for l in p.stderr.splitlines() if l.strip()]
    ok = p.returncode == want_rc
    if want_rc == 2:
        ok = ok and len(errs) == 1 and errs[0].startswith("fragsim: error: ")
        if want_err:
            ok = ok and want_err in errs[0]
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        print(f"  exit {p.returncode} (want {want_rc}); stderr:\n{p.stderr}"
              f"  stdout:\n{p.stdout[-2000:]}")
        failed += 1
    else:
        passed += 1


def main():
    fragsim, traces = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()

    def write(name, text):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(text)
        return path

    check("no command", [fragsim], 2)
    check("unknown command", [fragsim, "frobnicate"], 2, "unknown command")
    check("targets lists ref", [fragsim, "targets"], 0)
    check("run: unknown option", [fragsim, "run", "--bogus"], 2, "--bogus")
    check("run: bad --seconds", [fragsim, "run", "--seconds", "abc"], 2, "--seconds")
    check("run: bad --runs", [fragsim, "run", "--runs", "-3"], 2, "--runs")
    check("run: unknown target", [fragsim, "run", "--target", "linux-2.4"], 2, "linux-2.4")
    check("run: both budgets", [fragsim, "run", "--runs", "1", "--seconds", "1"], 2)
    check("replay: no file", [fragsim, "replay"], 2)
    check("replay: missing file", [fragsim, "replay", os.path.join(tmp, "nope.trace")],
          2, "nope.trace")
    bad = write("bad.trace", b"fragsim-trace 1\ncache nc0 page_frag\nh0 = alloc nc9 size=1\n")
    check("replay: malformed trace names file and line", [fragsim, "replay", bad], 2,
          "bad.trace:3:")
    trunc = write("trunc.trace", b"fragsim-trace 1\ncache nc0 page_frag\nrepeat 3 {\n\talloc nc0 si")
    check("replay: truncated trace", [fragsim, "replay", trunc], 2, "trunc.trace:")
    binary = write("bin.trace", bytes(range(256)))
    check("replay: binary garbage", [fragsim, "replay", binary], 2, "bin.trace:")
    empty = write("empty.trace", b"")
    check("replay: empty file", [fragsim, "replay", empty], 2, "empty.trace")
    other = write("other.trace", b"fragsim-trace 1\ntarget linux-9.9\ncache nc0 page_frag\n")
    check("replay: target not built", [fragsim, "replay", other], 2, "linux-9.9")
    check("replay: directory", [fragsim, "replay", tmp], 2)
    for name in sorted(os.listdir(os.path.join(traces, "bad")))[:20]:
        check("replay: bad fixture " + name,
              [fragsim, "replay", os.path.join(traces, "bad", name)], 2, name + ":")
    ok = write("ok.trace", b"fragsim-trace 1\ncache nc0 page_frag\nh0 = alloc nc0 size=100\nexpect h0 ok\nfree h0\n")
    check("replay: a good trace on ref exits 0", [fragsim, "replay", ok], 0)
    dbl = write("dbl.trace", b"fragsim-trace 1\ncache nc0 page_frag\nh0 = alloc nc0 size=100\nfree h0\nfree h0\n")
    check("replay: a double free is a finding (exit 1)", [fragsim, "replay", dbl], 1)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
