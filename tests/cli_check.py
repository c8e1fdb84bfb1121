#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bad input gets one clear error line and exit status 2, never a crash;
suppressions (docs/suppressions.md) and titles (docs/invariants.md,
"Titles") behave as documented.

  cli_check.py FRAGSIM TRACES_DIR
"""
import os
import subprocess
import sys
import signal
import tempfile
import threading
import time

failed = passed = 0


def check(name, args, want_rc, want_err=None, stdin=None, want_out=None):
    global failed, passed
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60, input=stdin)
    errs = [l for l in p.stderr.splitlines() if l.strip()]
    ok = p.returncode == want_rc and (want_out is None or want_out in p.stdout)
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


def title_of(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    return next((l for l in p.stdout.splitlines()
                 if l.startswith(("BUG:", "kernel BUG", "WARNING"))), None)


def check_title(name, args, want):
    global failed, passed
    got = title_of(args)
    print(("ok   " if got == want else "FAIL ") + name)
    if got == want:
        passed += 1
    else:
        print(f"  title {got!r}, want {want!r}")
        failed += 1


SUPP = """# a comment
kind: double-free
function: ref_free
target: %s
reason: a test's known bug
link: https://lore.kernel.org/all/?q=fragsim
"""


def suppressions(fragsim, write, dbl):
    """A file that fires, one that does not, malformed ones (exit 2)."""
    fires = write("fires.supp", (SUPP % "r?f").encode())
    check("suppress: a matching entry makes the finding known (exit 0)",
          [fragsim, "replay", "--suppress", fires, dbl], 0,
          want_out="(known: suppressed by %s:2 \u2014 a test's known bug)" % fires)
    other = write("other.supp", (SUPP % "linux-*").encode())
    check("suppress: another target's entry does not fire (exit 1)",
          [fragsim, "replay", "--suppress", other, dbl], 1)
    check("suppress: --no-default-suppressions keeps --suppress files",
          [fragsim, "replay", "--no-default-suppressions", "--suppress", fires, dbl], 0)
    check("suppress: missing file", [fragsim, "replay", "--suppress",
                                     fires + ".nope", dbl], 2, "fires.supp.nope")
    bad = {
        "typo.supp": (b"kind: double-fre\n", "typo.supp:1: kind:"),
        "key.supp": (b"kind: double-free\nfunktion: x\n", "key.supp:2: unknown key"),
        "twice.supp": (b"kind: double-free\nkind: double-free\n", "twice.supp:2:"),
        "short.supp": (b"# c\n\nkind: double-free\nfunction: f\n", "short.supp:3: entry without 'target:'"),
        "link.supp": ((SUPP % "ref").replace("https://", "ftp://").encode(), "link.supp:6: link:"),
        "indent.supp": (b"kind: double-free\n  function: f\n", "indent.supp:2:"),
        "fn.supp": (b"kind: double-free\nfunction: a b\n", "fn.supp:2: function:"),
    }
    for name, (text, err) in bad.items():
        path = write(name, text)
        check("suppress: malformed " + name + " names file:line (exit 2)",
              [fragsim, "replay", "--suppress", path, dbl], 2, err)
        check("suppress: run refuses malformed " + name,
              [fragsim, "run", "--target", "ref", "--runs", "1", "--suppress", path], 2, err)
    check("suppress: run with a valid file runs",
          [fragsim, "run", "--target", "ref", "--runs", "2", "--quiet", "--seed", "1",
           "--out", os.path.dirname(fires) + "/out", "--suppress", fires], 0)


NET_FREE_TWICE = b"""fragsim-trace 1
target %s
irq-off {
h0 = netdev_alloc_frag size=100%s
free h0
free h0
}
"""
PLAIN_FREE_TWICE = b"""fragsim-trace 1
target %s
cache nc0 page_frag
h0 = alloc nc0 size=100%s
free h0
free h0
"""
NAPI_ALIGN = b"""fragsim-trace 1
target %s
bh-off {
h0 = napi_alloc_frag size=100
h1 = napi_alloc_frag size=361 align=2048
}
"""


def titles(fragsim, write):
    """One bug, one title, whichever entry point the trace went through."""
    p = subprocess.run([fragsim, "targets"], stdout=subprocess.PIPE, text=True)
    kernels = [l.split()[0] for l in p.stdout.splitlines()[1:]
               if l.split() and l.split()[0].startswith("linux-")]
    for k in kernels[-1:]:
        t = k.encode()
        want = "BUG: fragsim: double-free in page_frag_free"
        check_title(f"title: {k}: double free through page_frag_free()",
                    [fragsim, "replay", write("dp.trace", PLAIN_FREE_TWICE % (t, b""))], want)
        check_title(f"title: {k}: double free through skb_free_frag()",
                    [fragsim, "replay", write("dn.trace", NET_FREE_TWICE % (t, b""))], want)
    zoo = os.path.join(os.path.dirname(os.path.realpath(fragsim)), "fragsim-zoo")
    target = b"M-align@linux-6.12"
    if not os.path.exists(zoo) or target.decode() not in subprocess.run(
            [zoo, "targets"], stdout=subprocess.PIPE, text=True).stdout:
        return
    want = "BUG: fragsim: fragment-misaligned in __page_frag_alloc_align"
    align = b" align=2048"
    for name, text in (("page_frag_alloc_align", PLAIN_FREE_TWICE % (target, align)),
                       ("netdev_alloc_frag_align", NET_FREE_TWICE % (target, align)),
                       ("napi_alloc_frag_align", NAPI_ALIGN % target)):
        # The first allocation is aligned by luck; make it the second.
        text = text.replace(b"size=100" + align, b"size=100\nh9 = " +
                            (b"alloc nc0" if b"cache" in text else b"netdev_alloc_frag") +
                            b" size=361" + align)
        check_title(f"title: M-align@linux-6.12 through {name}()",
                    [zoo, "replay", write(name + ".trace", text)], want)

def raw(args, stdin=None, timeout=60):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, input=stdin)


def expect(name, ok, p=None):
    global failed, passed
    print(("ok   " if ok else "FAIL ") + name)
    if ok:
        passed += 1
    else:
        failed += 1
        if p is not None:
            print(f"  exit {p.returncode}; stderr:\n{p.stderr[-2000:]}\n  stdout:\n{p.stdout[-2000:]}")


OK_TRACE = b"fragsim-trace 1\ncache nc0 page_frag\nh0 = alloc nc0 size=100\nexpect h0 ok\nfree h0\n"


def inputs(fragsim, write, tmp):
    """Issue 12: every input read once, capped, from files, FIFOs and stdin."""
    for cmd in ("replay", "decode"):
        check(f"{cmd}: /dev/zero refused at the 16 MiB cap", [fragsim, cmd, "/dev/zero"],
              2, "/dev/zero: larger than 16 MiB")
    check("replay -: standard input", [fragsim, "replay", "-"], 0,
          stdin=OK_TRACE.decode())
    fifo = os.path.join(tmp, "fifo.trace")
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as f:
            f.write(OK_TRACE)
    th = threading.Thread(target=feed)
    th.start()
    check("replay FIFO: read once", [fragsim, "replay", fifo], 0)
    th.join()
    big = write("big.trace", b"fragsim-trace 1\ncache nc0 page_frag\nrepeat 10000000 {\n"
                b"repeat 10000000 {\nh0 = alloc nc0 size=1\n}\n}\n")
    check("replay: 10^14 operations refused", [fragsim, "replay", big], 2,
          "big.trace: the trace executes up to 100000000000000 operations")
    raise_ = write("raise.trace", b"fragsim-trace 1\ncpus 2\ncache nc0 page_frag\n"
                   b"softirq rx cpu=1 {\nrepeat 20000 {\nh1 = alloc nc0 size=1\n}\n}\n"
                   b"repeat 1000 {\nraise rx\n}\n")
    check("replay: softirq raises in a repeat count toward the cap",
          [fragsim, "replay", raise_], 2, "at most 10000000")
    ring = write("ring.trace", b"fragsim-trace 1\ncache r rx_ring\nh0 = alloc r size=100\n")
    check("replay --target ref: rx_ring refused, no crash", [fragsim, "replay", "--target",
                                                              "ref", ring], 2, "rx_ring")
    kind = write("kind.trace", b"fragsim-trace 1\nexpect-finding expectation-failmd\n"
                 b"cache nc0 page_frag\nh0 = alloc nc0 size=100\n")
    check("replay: unknown expect-finding kind refused", [fragsim, "replay", kind], 2,
          "'expectation-failmd' is not a finding kind")
    many = write("many.bin", b"FZ\x01\x00\x00\x00\x00" + b"\x01\x00\x00" * 65600)
    check("replay: a binary input's decisions over the limit, said so",
          [fragsim, "replay", many], 2, "the input holds 65600 scheduler decisions")
    unplaced = write("unplaced.trace", b"fragsim-trace 1\ncpus 2\nschedule replay\n"
                     b"cache nc0 page_frag\nhardirq nic cpu=1 count=1 {\n"
                     b"h1 = alloc nc0 size=10\n}\nat 3 irq nic\nh0 = alloc nc0 size=100\n"
                     b"free h0\n")
    p = raw([fragsim, "replay", unplaced])
    expect("replay: a decision not placed on this build exits 4 with one line",
           p.returncode == 4 and b"not reproducible on this build" in p.stderr, p)
    afile = write("afile", b"")
    check("run: --out not writable, refused before running",
          [fragsim, "run", "--runs", "1", "--out", afile + "/x"], 2, "--out")
    seeds = os.path.join(os.path.dirname(os.path.abspath(traces_dir)), "..", "corpus",
                         "fuzz_trace")
    targets = subprocess.run([fragsim, "targets"], stdout=subprocess.PIPE,
                             text=True).stdout.split()
    seed = sorted(os.listdir(seeds))[0] if os.path.isdir(seeds) else None
    if seed:
        p = raw([fragsim, "decode", os.path.join(seeds, seed)])
        lines = p.stdout.decode().splitlines()
        want = [l for l in targets if l.startswith(("linux-", "tree"))]
        expect("decode: a binary input's text names the target replay runs it on",
               p.returncode == 0 and any(l == "target " + (want or ["ref"])[-1]
                                         for l in lines), p)
        p = raw([fragsim, "decode", "--target", "ref", os.path.join(seeds, seed)])
        expect("decode --target: the text names that target",
               p.returncode == 0 and "target ref" in p.stdout.decode().splitlines(), p)
        check("decode --target: an unknown target is refused",
              [fragsim, "decode", "--target", "nope", os.path.join(seeds, seed)], 2,
              "no target 'nope'")


def interrupts(fragsim, write, tmp):
    """SIGINT: run prints its summary, minimize writes its best so far."""
    p = subprocess.Popen([fragsim, "run", "--seconds", "60", "--quiet", "--target", "ref",
                          "--out", os.path.join(tmp, "int")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    expect("run: SIGINT prints the summary", p.returncode == 0 and
           "fragsim run: ref: " in out and "interrupted (SIGINT)" in out,
           subprocess.CompletedProcess(p.args, p.returncode, out, err))
    # The first run alone executes 8M operations (under the 10M cap): the
    # signal lands long before minimizing could end, even on a fast machine.
    filler = b"".join(b"h%d = alloc nc0 size=%d\n" % (i, 1 + i % 700) for i in range(50)) + \
        b"repeat 4000000 {\nh50 = alloc nc0 size=1\nfree h50\n}\n"
    dbl = write("slow.trace", b"fragsim-trace 1\ncache nc0 page_frag\n" + filler +
                b"h9999 = alloc nc0 size=100\nfree h9999\nfree h9999\n")
    out_path = os.path.join(tmp, "slow.min.trace")
    p = subprocess.Popen([fragsim, "minimize", "--quiet", dbl, "-o", out_path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.8)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    expect("minimize: SIGINT writes the smallest trace so far",
           p.returncode == 1 and "interrupted (SIGINT)" in out and os.path.exists(out_path),
           subprocess.CompletedProcess(p.args, p.returncode, out, err))


def findings_files(fragsim, write, tmp):
    """Finding files name their target and never overwrite another trace."""
    zoo = os.path.join(os.path.dirname(os.path.realpath(fragsim)), "fragsim-zoo")
    tl = subprocess.run([zoo, "targets"], stdout=subprocess.PIPE, text=True).stdout \
        if os.path.exists(zoo) else ""
    pair = [t for t in ("Z-3@linux-6.1", "Z-3@linux-6.12") if t in tl.split()]
    if len(pair) < 2:
        return
    out = os.path.join(tmp, "same-out")
    for t in pair:
        # One worker: --stop's first finding, and so the file, is then fixed.
        subprocess.run([zoo, "run", "--target", t, "--runs", "40", "--seed", "1", "--stop",
                        "--quiet", "--jobs", "1", "--out", out], stdout=subprocess.PIPE,
                       timeout=300)
    names = sorted(f for f in os.listdir(out) if f.endswith(".trace")
                   and not f.endswith(".orig.trace"))
    expect(f"run: same seed, two targets, two traces ({names})",
           len(names) == 2 and all(any(t in n for n in names) for t in pair))
    first = os.path.join(out, names[0])
    with open(first, "a") as f:
        f.write("# edited\n")
    p = subprocess.run([zoo, "run", "--target", pair[0], "--runs", "40", "--seed", "1",
                        "--stop", "--quiet", "--jobs", "1", "--out", out], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    with open(first) as f:
        kept = f.read().endswith("# edited\n")
    expect("run: a different trace of the same name is not overwritten",
           kept and "-2.trace" in p.stdout, p)


def main():
    global traces_dir
    fragsim, traces = sys.argv[1], sys.argv[2]
    traces_dir = traces
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
    suppressions(fragsim, write, dbl)
    titles(fragsim, write)
    inputs(fragsim, write, tmp)
    interrupts(fragsim, write, tmp)
    findings_files(fragsim, write, tmp)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
