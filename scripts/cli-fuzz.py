#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A fuzz pass over the fragsim command line and its trace parser.

    scripts/cli-fuzz.py [--fragsim BIN] [--inputs N] [--seed S] [--jobs J]
                        [--time-bound S] [--keep DIR] [--quiet]

Runs BIN (default build/fragsim) N times (default 10000) on generated
inputs: mutated text traces (corpus/regress, tests/traces), random bytes,
mutated binary fuzz inputs (corpus/fuzz_*), huge expansions (nested
repeats, raises inside repeats, hardirq counts, around the 10,000,000
operation cap), special files (/dev/zero, FIFOs, directories, empty,
unreadable, standard input '-', outputs on /dev/full) and bad options and
arguments for every subcommand.  Each run is bounded: a wall-clock bound
(--time-bound; a command still running then gets SIGINT, as Ctrl-C would,
and SIGKILL 10 s later), and memory: RLIMIT_AS of 2 GiB on a plain build;
on an AddressSanitizer build (found in BIN itself) ASan's own
malloc_limit_mb/hard_rss_limit_mb and the peak RSS that wait4() reports.

A run fails when it exits with a status other than 0, 1, 2 or 4 (4: a
schedule decision not placeable on this build), dies of a signal we did
not send, prints a sanitizer report, outlives its bound, or exceeds the
memory bound.  Prints the counts per input class, exits per status, the
longest run and the largest RSS; each failure is kept under --keep (default
TMPDIR/cli-fuzz-SEED/) with its command line and input, and so is the input
of the largest peak RSS.  Exit status: 0 no
failure, 1 failure(s), 2 bad usage.
"""

import argparse
import collections
import errno
import fcntl
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIB = 1 << 30
MEM_LIMIT = 2 * GIB
GRACE = 10.0                    # seconds between our SIGINT and SIGKILL
ALLOWED = {0, 1, 2, 4}
SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|"
                       r"runtime error:|SUMMARY: \w+Sanitizer|Sanitizer:DEADLYSIGNAL")
SAN_EXIT = 86                   # a sanitizer's exit status, apart from fragsim's
OP_CAP = 10_000_000

# Interesting values of numbers, options and words.
NUMBERS = ["0", "1", "-1", "2", "7", "8", "9", "16", "31", "32", "33", "64", "255", "256",
           "4095", "4096", "4097", "32768", "65535", "65536", "1000000", "1000001",
           "10000000", "10000001", "2147483647", "2147483648", "4294967295", "4294967296",
           "9223372036854775807", "18446744073709551615", "18446744073709551616",
           "99999999999999999999999", "0x0", "0xffffffff", "0xffffffffffffffff",
           "0x10000000000000000", "00", "007", "1e3", "1.5", "-0", "+1", " 1", "", "nan"]
WORDS = ["alloc", "free", "free-all", "drain", "repeat", "{", "}", "raise", "task", "hardirq",
         "softirq", "bh-off", "irq-off", "cache", "queue", "push", "pop", "agent", "at",
         "spec-get", "spec-put", "expect", "napi_alloc_frag", "napi_alloc_1k",
         "netdev_alloc_frag", "page_frag", "rx_ring", "size=", "align=", "gfp=", "cpu=",
         "count=", "GFP_ATOMIC|__GFP_MEMALLOC", "faults", "schedule", "exhaustive", "pct",
         "replay", "switch", "irq", "step=", "target", "seed", "cpus", "preempt", "rt",
         "expect-finding", "#", "=", "h0", "nc0", "\t", "fragsim-trace 1"]
JUNK = [b"\0", b"\r", b"\r\n", b"\xff", b"\xc0\x80", b"\xe2\x80\xae", b"\t" * 40,
        b"{" * 64, b"}" * 8, b"A" * 5000, b"repeat 10000000 {\n", b"\n" * 1000, b"=" * 70]
# Values for options: bad ones, and small valid ones only (a large valid
# value is a long run, stopped by our SIGINT).
OPT_VALUES = ["", "-", "--", "-1", "0", "1", "2", "abc", "1e9", "inf", "nan", "0.2",
              "99999999999999999999", "18446744073709551616", "0x10", " 1", "1 ", "x" * 5000,
              "ref", "linux-6.12", "nosuch", "/dev/null", "/dev/full", "/proc/nonexistent/dir",
              "0/2", "1/2", "2/2", "3/0", "-1/2", "1/", "/", "seq", "irq", "xcpu", "spec",
              "mix", "random", "pct", "exhaustive", "race", "pushpop", "net",
              "shared-cache", "mixed", "\xe9", "\n"]
SUBCOMMANDS = {
    "targets": [],
    "run": ["--target", "--seconds", "--runs", "--seed", "--out", "--stop", "--no-diff",
            "--quiet", "--workload", "--strategy", "--check-determinism",
            "--minimize-seconds", "--jobs", "--shard", "--summary", "--suppress",
            "--no-default-suppressions"],
    "replay": ["--target", "--no-diff", "--suppress", "--no-default-suppressions"],
    "minimize": ["-o", "--out", "--target", "--no-diff", "--max-runs", "--quiet"],
    "validate": ["--base", "--patched", "--budget", "--minutes", "--seed", "--jobs",
                 "--corpus", "--out", "--suppress", "--no-diff", "--min-runs", "--quiet"],
    "decode": ["-o"],
    "bench": ["--target", "--ops"],
    "stress": ["--target", "--threads", "--seconds", "--workload", "--seed", "--out",
               "--quiet"],
}
FLAGS = {"--stop", "--no-diff", "--quiet", "--check-determinism",
         "--no-default-suppressions"}
# Small valid values that keep a valid command short.
SHORT = {"--seconds": ["0.3", "1"], "--runs": ["1", "5"], "--jobs": ["1", "2"],
         "--max-runs": ["5"], "--budget": ["2"], "--minutes": ["0.01"], "--ops": ["1000"],
         "--threads": ["1", "2"], "--min-runs": ["3"], "--minimize-seconds": ["0", "1"]}


class Case:
    def __init__(self, cls, argv, files=None, stdin=None, fifo=None, bound=None):
        self.cls = cls            # input class, for the counts
        self.argv = argv          # arguments after the binary; "@F" = the input file
        self.files = files or {}  # name -> bytes, written in the run's directory
        self.stdin = stdin        # None (/dev/null), bytes, "closed", "fifo"
        self.fifo = fifo          # (name, bytes or None): a FIFO and what a writer puts in
        self.bound = bound        # wall-clock bound, seconds (None: the default)


# ---------------------------------------------------------------- inputs

def load_seeds():
    text, binary = [], []
    for d in (ROOT / "corpus" / "regress", ROOT / "tests" / "traces"):
        for p in sorted(d.rglob("*")):
            if p.is_file() and p.suffix in (".trace", ".canonical"):
                text.append(p.read_bytes())
    for d in sorted((ROOT / "corpus").glob("fuzz_*")):
        for p in sorted(d.iterdir()):
            if p.is_file():
                (text if d.name == "fuzz_trace_text" else binary).append(p.read_bytes())
    return text, binary


def mutate_text(r, data, others):
    lines = data.split(b"\n")
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        k = r.randrange(11)
        i = r.randrange(len(lines))
        if k == 0 and len(lines) > 1:
            del lines[i]
        elif k == 1:
            lines.insert(i, lines[r.randrange(len(lines))])
        elif k == 2:
            j = r.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif k == 3:
            o = r.choice(others).split(b"\n")
            lines.insert(i, r.choice(o))
        elif k == 4:  # a number becomes an interesting one
            nums = list(re.finditer(rb"\d+|0x[0-9a-fA-F]+", lines[i]))
            if nums:
                m = r.choice(nums)
                lines[i] = lines[i][:m.start()] + r.choice(NUMBERS).encode() + lines[i][m.end():]
        elif k == 5:  # a word becomes another
            ws = list(re.finditer(rb"[^\s=]+", lines[i]))
            if ws:
                m = r.choice(ws)
                lines[i] = lines[i][:m.start()] + r.choice(WORDS).encode() + lines[i][m.end():]
        elif k == 6:  # a range of lines into a repeat
            j = r.randint(i, min(len(lines), i + 6))
            lines[i:j] = [b"repeat %s {" % r.choice(NUMBERS[:22]).encode()] + lines[i:j] + [b"}"]
        elif k == 7:
            lines.insert(i, r.choice([b"raise s", b"softirq s cpu=0 {", b"hardirq i cpu=1 count=1000000 {",
                                      b"bh-off {", b"irq-off {", b"}", b"task t cpu=1 {"]))
        elif k == 8:
            lines[i] = lines[i] + r.choice(JUNK)
        elif k == 9 and lines[i]:
            b = bytearray(lines[i])
            b[r.randrange(len(b))] = r.randrange(256)
            lines[i] = bytes(b)
        else:
            lines = lines[:i + 1]
            lines[-1] = lines[-1][:r.randint(0, len(lines[-1]))]
    return b"\n".join(lines)


def mutate_binary(r, data, others):
    b = bytearray(data)
    for _ in range(r.randint(1, 6)):
        k = r.randrange(8)
        i = r.randrange(len(b) + 1)
        if k == 0 and b:
            b[min(i, len(b) - 1)] ^= 1 << r.randrange(8)
        elif k == 1 and b:
            b[min(i, len(b) - 1)] = r.choice([0, 1, 0x7f, 0x80, 0xfe, 0xff, r.randrange(256)])
        elif k == 2:
            b[i:i] = bytes(r.randrange(256) for _ in range(r.randint(1, 16)))
        elif k == 3 and b:
            del b[i:i + r.randint(1, 16)]
        elif k == 4:
            del b[i:]
        elif k == 5 and b:
            j = r.randrange(len(b))
            b[i:i] = b[j:j + r.randint(1, 64)] * r.randint(1, 64)
        elif k == 6:
            o = r.choice(others)
            b = b[:i] + o[r.randrange(len(o) + 1):]
        elif len(b) >= 2:
            j = r.randrange(len(b) - 1)
            b[j:j + 2] = r.choice([b"\xff\xff", b"\x00\x00", b"\x00\x80", b"\xff\x7f"])
    return bytes(b)


def expansion(r):
    """A trace whose operation count is around the cap: nested repeats,
    raises inside repeats, a hardirq's count, a self-raising softirq."""
    depth = r.randint(1, 5)
    # most are over the cap (refused before running); a few run long
    target = r.choice([10 ** r.randint(8, 30)] * 16 + [10 ** r.randint(2, 4)] * 3
                      + [r.randint(10 ** 5, 2 * 10 ** 6)])
    counts, left = [], target
    for k in range(depth):
        c = max(1, round(left ** (1.0 / (depth - k))))
        c = min(c, r.choice([10 ** 7, 4294967295, 2 ** 32, 2 ** 64 - 1]))
        counts.append(c)
        left = max(1, left // c)
    body = r.choice([["h = alloc c size=64", "free h"], ["raise s"], ["raise s", "raise s"],
                     ["alloc c size=1"], ["free-all"]])
    lines = ["fragsim-trace 1", "target %s" % r.choice(["ref", "linux-6.12"]),
             "cpus 2", "cache c page_frag"]
    soft = ["softirq s cpu=0 {"]
    if r.random() < 0.5:
        soft += ["repeat %d {" % r.choice([1, 10, 1000, 65536]), "h2 = alloc c size=8",
                 "free h2", "}"]
    else:
        soft += ["h2 = alloc c size=8", "free h2"]
    if r.random() < 0.3:
        soft.append("raise s")
    lines += soft + ["}"]
    if r.random() < 0.3:
        lines += ["hardirq i cpu=1 count=%d {" % r.choice([1, 1000, 1000000, 1000001]),
                  "repeat %d {" % counts[0], "raise s", "}", "}"]
    for c in counts:
        lines.append("repeat %d {" % c)
    lines += body + ["}"] * depth
    return ("\n".join(lines) + "\n").encode()


def option_argv(r, sub, targets):
    argv = [sub]
    opts = SUBCOMMANDS[sub]
    valid_first = r.random() < 0.5
    for _ in range(r.randint(0, 5)):
        if opts and r.random() < 0.85:
            o = r.choice(opts)
            if o in FLAGS:
                argv.append(o)
                continue
            if valid_first and o in SHORT:
                v = r.choice(SHORT[o])
            elif o == "--target" and r.random() < 0.5:
                v = r.choice(targets)
            else:
                v = r.choice(OPT_VALUES)
            if r.random() < 0.15 and o.startswith("--"):
                argv.append(o + "=" + v)
            elif r.random() < 0.07:
                argv.append(o)       # its value missing
            else:
                argv += [o, v]
        else:
            argv.append(r.choice(["--nosuch", "-x", "-", "--", "--help", "-h", "--target=",
                                  "@F", "extra", "--seconds", "-o", "\xff", "--=", "---"]))
    # keep a valid run short
    if sub in ("run", "stress") and not any(a.startswith(("--seconds", "--runs")) for a in argv):
        argv += r.choice([["--seconds", "0.3"], ["--runs", "3"]])
    if sub == "bench" and not any(a.startswith("--ops") for a in argv):
        argv += ["--ops", "1000"]
    if sub in ("replay", "minimize", "decode") and "@F" not in argv and r.random() < 0.8:
        argv.append("@F")
    return argv


def text_command(r, targets):
    k = r.random()
    if k < 0.65:
        return ["replay", "@F"]
    if k < 0.75:
        return ["replay", "--target", r.choice(targets), "--no-diff", "@F"]
    if k < 0.88:
        return ["decode", "@F"] if r.random() < 0.5 else ["decode", "-o", "out.trace", "@F"]
    return ["minimize", "--quiet", "--max-runs", "30", "-o", "min.trace", "@F"]


def special_case(r, text, targets):
    good = r.choice(text)
    k = r.randrange(18)
    cmd = r.choice([["replay"], ["decode"], ["minimize", "--quiet", "--max-runs", "5"],
                    ["replay", "--target", r.choice(targets)]])
    if k == 0:
        return Case("special", cmd + ["/dev/zero"])
    if k == 1:
        return Case("special", cmd + ["/dev/null"])
    if k == 2:
        return Case("special", cmd + ["/dev/urandom"])
    if k == 3:
        return Case("special", cmd + ["@F"], fifo=("@F", good))
    if k == 4:
        return Case("special", cmd + ["@F"], fifo=("@F", r.randbytes(r.randint(0, 1 << 20))))
    if k == 5:
        return Case("special", cmd + ["@F"], fifo=("@F", b""))
    if k == 6:
        return Case("special", cmd + ["."])
    if k == 7:
        return Case("special", cmd + ["@F"], files={"@F": b""})
    if k == 8:
        return Case("special", cmd + ["@F"], files={"@F!000": good})
    if k == 9:
        return Case("special", cmd + ["/proc/nonexistent/x.trace"])
    if k == 10:
        return Case("special", cmd + ["/proc/self/mem"])
    if k == 11:
        return Case("special", cmd + ["x" * r.choice([255, 256, 4096, 5000])])
    if k == 12:
        return Case("special", cmd + ["-"], stdin=r.choice([good, b"", mutate_text(r, good, text)]))
    if k == 13:
        return Case("special", cmd + ["-"], stdin="closed")
    if k == 14:
        return Case("special", cmd + ["-"], stdin="fifo", fifo=("stdin", good))
    if k == 15:  # at and over the 16 MiB input cap
        n = (16 << 20) + r.choice([-1, 0, 1])
        return Case("special", ["decode", "@F"], files={"@F": good + b"#" * max(0, n - len(good))})
    if k == 16:  # outputs that cannot be written
        return r.choice([
            Case("special", ["decode", "-o", "/dev/full", "@F"], files={"@F": good}),
            Case("special", ["decode", "-o", ".", "@F"], files={"@F": good}),
            Case("special", ["decode", "-o", "/proc/nonexistent/d/x", "@F"], files={"@F": good}),
            Case("special", ["minimize", "--quiet", "-o", "/dev/full", "@F"], files={"@F": good}),
            Case("special", ["run", "--target", "ref", "--runs", "2", "--out", "/dev/null"]),
            Case("special", ["run", "--target", "ref", "--runs", "2", "--out", "@F"],
                 files={"@F": b"x"}),
            Case("special", ["run", "--target", "ref", "--runs", "2", "--summary", "/dev/full"]),
        ])
    return Case("special", ["replay", "@F", "@F"], files={"@F": good})


def generate(r, text, binary, targets):
    k = r.random()
    if k < 0.38:
        data = mutate_text(r, r.choice(text), text)
        return Case("text-mutated", text_command(r, targets), files={"@F": data})
    if k < 0.48:
        n = r.choice([0, 1, r.randint(2, 64), r.randint(65, 4096), 65536])
        data = r.choice([b"", b"fragsim-trace 1\n", b"FZ\x01\x00", b"FZ"]) + r.randbytes(n)
        return Case("random-bytes", [r.choice(["replay", "decode"]), "@F"], files={"@F": data})
    if k < 0.63:
        data = mutate_binary(r, r.choice(binary), binary)
        cmd = r.choice([["replay", "@F"], ["decode", "@F"],
                        ["replay", "--target", r.choice(targets), "@F"]])
        return Case("binary-mutated", cmd, files={"@F": data})
    if k < 0.71:
        return Case("expansion", r.choice([["replay", "@F"], ["replay", "--no-diff", "@F"],
                                           ["decode", "@F"]]), files={"@F": expansion(r)})
    if k < 0.81:
        return special_case(r, text, targets)
    sub = r.choice(sorted(SUBCOMMANDS) + [""])
    if not sub:
        argv = [r.choice(["", "nosuch", "--help", "-h", "--version", "help", "RUN", "\xff"])]
        return Case("options", argv)
    return Case("options", option_argv(r, sub, targets), files={"@F": r.choice(text)})


MINIMAL = b"fragsim-trace 1\ntarget ref\ncache c page_frag\nh = alloc c size=64\nfree h\n"
# Inputs that failed once, run first every time (the fix named beside each).
REGRESSIONS = [
    # bench --ops over the trace cap: exit 3 (internal error); now a usage error
    Case("regression", ["bench", "--ops", "100000000"]),
    Case("regression", ["bench", "--ops", "18446744073709551615"]),
    # run --jobs: the parent read worker records at a 4-byte offset
    # (UBSan: misaligned struct rec_counts); sim/cli/jobs.c copies them
    Case("regression", ["run", "--target", "ref", "--runs", "4", "--jobs", "2"]),
    # run --summary on a full disk: exit 3; now one error line, exit 2
    Case("regression", ["run", "--target", "ref", "--runs", "2", "--summary", "/dev/full"]),
    # --suppress with a directory: it "opened", seeked to a huge size, and
    # the buffer for it aborted; sim/check/suppress.c takes regular files only
    Case("regression", ["replay", "--suppress", "/", "@F"], files={"@F": MINIMAL}),
]


# ---------------------------------------------------------------- running

def fifo_writer(path, data, stop):
    """Write DATA into the FIFO once a reader opens it; give up when STOP
    is set (the command exited without opening it)."""
    fd = None
    while not stop.is_set():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as e:
            if e.errno != errno.ENXIO:
                return
            time.sleep(0.002)
    if fd is None:
        return
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    try:
        view = memoryview(data)
        while view and not stop.is_set():
            view = view[os.write(fd, view[:65536]):]
    except OSError:
        pass                    # the reader went away (EPIPE): fine
    finally:
        os.close(fd)


def run_case(c, binary, sanitized, bound, wdir):
    shutil.rmtree(wdir, ignore_errors=True)
    os.makedirs(wdir)
    paths = {}
    for name, data in c.files.items():
        mode = None
        if "!" in name:
            name, mode = name.split("!")
        p = os.path.join(wdir, "input" if name == "@F" else name)
        with open(p, "wb") as f:
            f.write(data)
        if mode:
            os.chmod(p, int(mode, 8))
        paths[name] = p
    stop = threading.Event()
    writer = None
    stdin_f = subprocess.DEVNULL
    if c.fifo:
        name, data = c.fifo
        p = os.path.join(wdir, "fifo")
        os.mkfifo(p)
        paths[name] = p
        writer = threading.Thread(target=fifo_writer, args=(p, data, stop), daemon=True)
        writer.start()
    if c.stdin == "fifo":
        stdin_f = None          # opened in the child, below
    elif isinstance(c.stdin, bytes):
        p = os.path.join(wdir, "stdin")
        with open(p, "wb") as f:
            f.write(c.stdin)
        stdin_f = open(p, "rb")
    argv = [binary] + [paths.get("@F", "input") if a == "@F" else a for a in c.argv]
    fifo_stdin = paths.get("stdin") if c.stdin == "fifo" else None

    def preexec():
        os.setsid()             # our SIGINT goes to the whole group, as Ctrl-C's does
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))
        if fifo_stdin:
            fd = os.open(fifo_stdin, os.O_RDONLY)
            os.dup2(fd, 0)
            os.close(fd)
        if c.stdin == "closed":
            os.close(0)

    out = open(os.path.join(wdir, "stdout"), "wb")
    err = open(os.path.join(wdir, "stderr"), "wb")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=stdin_f, stdout=out, stderr=err, cwd=wdir,
                         preexec_fn=preexec, env=child_env(sanitized))
    out.close()
    err.close()
    if stdin_f not in (None, subprocess.DEVNULL):
        stdin_f.close()
    sent, delay = None, 0.001
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        el = time.monotonic() - t0
        if sent is None and el > bound:
            sent = "INT"
            kill_group(p.pid, signal.SIGINT)
        elif sent == "INT" and el > bound + GRACE:
            sent = "KILL"
            kill_group(p.pid, signal.SIGKILL)
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)
    elapsed = time.monotonic() - t0
    p.returncode = 0            # reaped by wait4 above
    if sent:                    # workers left in the group
        kill_group(p.pid, signal.SIGKILL)
    stop.set()
    if writer:
        writer.join(1)
    stderr = Path(wdir, "stderr").read_bytes()[-20000:].decode("utf-8", "replace")
    return {"status": status, "elapsed": elapsed, "rss": ru.ru_maxrss * 1024,
            "stderr": stderr, "sent": sent, "argv": argv}


def kill_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def child_env(sanitized):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("detect_leaks=1:abort_on_error=0:exitcode=%d:malloc_limit_mb=2048:"
                           "hard_rss_limit_mb=2048:allocator_may_return_null=0" % SAN_EXIT)
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1:exitcode=%d" % SAN_EXIT
    env.pop("FRAGSIM_FUZZ_TARGET", None)
    return env


def verdict(res, sanitized):
    """None if the run is fine, else why not."""
    st = res["status"]
    if res.get("error"):
        return "not started: %s" % res["error"]
    if SANITIZER.search(res["stderr"]):
        return "sanitizer report"
    if res["sent"] == "KILL":
        return "still running %.0f s after SIGINT" % GRACE
    if res["rss"] > MEM_LIMIT:
        return "peak RSS %d MiB over %d MiB" % (res["rss"] >> 20, MEM_LIMIT >> 20)
    if os.WIFSIGNALED(st):
        sig = os.WTERMSIG(st)
        if res["sent"] == "INT" and sig == signal.SIGINT:
            return None         # a long valid command, stopped as Ctrl-C would
        return "killed by signal %s" % signal.Signals(sig).name
    code = os.WEXITSTATUS(st)
    if res["sent"] == "INT" and code in (0, 1, 130):
        return None
    if code not in ALLOWED:
        return "exit status %d" % code
    return None


def exit_class(res):
    st = res["status"]
    if res["sent"]:
        return "stopped by SIGINT at the bound"
    if os.WIFSIGNALED(st):
        return "signal %d" % os.WTERMSIG(st)
    return "exit %d" % os.WEXITSTATUS(st)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fragsim", default=str(ROOT / "build" / "fragsim"))
    ap.add_argument("--inputs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--time-bound", type=float, default=None,
                    help="seconds per run (default 30, 120 on a sanitizer build)")
    ap.add_argument("--keep", default=None,
                    help="where failing inputs go (default: TMPDIR/cli-fuzz-SEED)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    binary = os.path.realpath(a.fragsim)
    if not os.access(binary, os.X_OK):
        ap.error(f"--fragsim: {a.fragsim} is not an executable")
    if a.inputs < 1 or not 1 <= a.jobs <= 64:
        ap.error("--inputs must be at least 1 and --jobs 1 to 64")
    with open(binary, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    bound = a.time_bound or (120.0 if sanitized else 30.0)
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 32)
    a.keep = a.keep or os.path.join(tempfile.gettempdir(), f"cli-fuzz-{seed}")
    out = subprocess.run([binary, "targets"], capture_output=True, text=True,
                         env=child_env(sanitized))
    targets = [l.split()[0] for l in out.stdout.splitlines()[1:] if l.split()] or ["ref"]
    text, binseeds = load_seeds()
    n_cases = max(a.inputs, len(REGRESSIONS))

    def case(i):
        """Input i: the same for the same seed, made when it runs (some
        are 16 MiB)."""
        if i < len(REGRESSIONS):
            return REGRESSIONS[i]
        return generate(random.Random(seed * 1000003 + i), text, binseeds, targets)
    print(f"cli-fuzz: {n_cases} inputs on {binary} ({'ASan+UBSan' if sanitized else 'plain'}"
          f" build; targets {', '.join(targets)}), seed {seed}, {a.jobs} job(s), "
          f"bound {bound:.0f} s per run", flush=True)

    stats = collections.defaultdict(collections.Counter)
    failures, longest, biggest = [], (0.0, None), (0, None)
    lock = threading.Lock()
    work = tempfile.mkdtemp(prefix="cli-fuzz-")
    next_i = [0]
    t_start = time.monotonic()

    def worker(w):
        nonlocal longest, biggest
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= n_cases:
                return
            c = case(i)
            wdir = os.path.join(work, str(w))
            try:
                res = run_case(c, binary, sanitized, c.bound or bound, wdir)
            except OSError as e:   # the binary could not be started at all
                res = {"status": 0, "elapsed": 0.0, "rss": 0, "stderr": str(e), "sent": None,
                       "argv": [binary] + c.argv, "error": e}
            why = verdict(res, sanitized)
            with lock:
                stats[c.cls]["inputs"] += 1
                stats[c.cls][exit_class(res)] += 1
                if res["elapsed"] > longest[0]:
                    longest = (res["elapsed"], res["argv"])
                if res["rss"] > biggest[0]:
                    biggest = (res["rss"], res["argv"])
                    keep_failure(a.keep, "largest-rss", c, res, "the largest peak RSS so far", wdir)
                if why:
                    failures.append((i, c, res, why))
                    keep_failure(a.keep, i, c, res, why, os.path.join(work, str(w)))
                    print(f"cli-fuzz: FAIL #{i} [{c.cls}] {why}: {' '.join(res['argv'])[:300]}",
                          flush=True)
                done = sum(s["inputs"] for s in stats.values())
                if not a.quiet and done % 500 == 0:
                    print(f"cli-fuzz: {done}/{n_cases} in {time.monotonic() - t_start:.0f} s,"
                          f" {len(failures)} failure(s)", flush=True)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(a.jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shutil.rmtree(work, ignore_errors=True)

    total = collections.Counter()
    print(f"cli-fuzz: {n_cases} inputs in {time.monotonic() - t_start:.0f} s")
    for cls in sorted(stats):
        s = stats[cls]
        total.update(s)
        exits = ", ".join(f"{k} {v}" for k, v in sorted(s.items()) if k != "inputs")
        print(f"  {cls:15} {s['inputs']:6} inputs: {exits}")
    exits = ", ".join(f"{k} {v}" for k, v in sorted(total.items()) if k != "inputs")
    print(f"  {'all':15} {total['inputs']:6} inputs: {exits}")
    print(f"  longest run {longest[0]:.2f} s: {' '.join(longest[1] or [])[:200]}")
    print(f"  largest peak RSS {biggest[0] >> 20} MiB: {' '.join(biggest[1] or [])[:200]}")
    print(f"cli-fuzz: {len(failures)} failure(s)" + (f" (kept in {a.keep}/)" if failures else "")
          + f"; the input of the largest peak RSS is in {a.keep}/largest-rss/")
    return 1 if failures else 0


def keep_failure(keep, i, c, res, why, wdir):
    d = Path(keep) / (i if isinstance(i, str) else f"{i:05d}-{c.cls}")
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True, exist_ok=True)
    for name in ("input", "stdin"):
        p = Path(wdir, name)
        if p.is_file() and p.stat().st_size < (32 << 20):
            shutil.copy(p, d / name)
    (d / "why.txt").write_text(f"{why}\nargv: {res['argv']!r}\nelapsed {res['elapsed']:.2f} s, "
                               f"peak RSS {res['rss'] >> 20} MiB\n\n{res['stderr']}",
                               encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
