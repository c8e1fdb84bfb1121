#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of the fuzz targets (standard library only).

    python3 scripts/make-fuzz-seeds.py [--check]

corpus/fuzz_trace/ and corpus/fuzz_diff/ get binary traces
(docs/binary-format.md) built here from a few hand-written workloads, one
per thing the simulator can do; corpus/fuzz_trace_text/ gets the text
traces of corpus/regress/ and of docs/.  Files are named by the SHA-1 of
their content, as libFuzzer's -merge=1 names them.  --check exits 1 if the
corpus differs from what would be written.
"""

import hashlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ALLOC, ALLOC_ALIGN, FREE, DRAIN, NETDEV, NAPI, NAPI_1K, FAULTS, IRQ_OFF, \
    BH_OFF, REPEAT, RAISE, PUSH, POP, SPEC_GET, SPEC_PUT = range(16)
TASK, HARDIRQ, SOFTIRQ = 0, 1, 2


def op(code, actor=0, s=0, v=0):
    return bytes([code, (s << 2) | actor, v & 0xff, (v >> 8) & 0xff])


def size_gfp(size, gfp=0):
    return size | gfp << 13


def align(size, shift):
    return size | shift << 12


def slot(kind, cpu, count=1):
    return bytes([kind | cpu << 2 | (count - 1) << 5])


def trace(ops, cpus=1, preempt=False, rt=False, spec=False, pressure=False,
          faults=0, caches=1, rings=(), slots=(), decisions=()):
    mach = (cpus - 1) | preempt << 2 | rt << 3 | spec << 4 | pressure << 5 | faults << 6
    cach = (caches - 1) | sum(0x10 << i for i in rings)
    b = b"FZ\x01" + bytes([mach, cach, len(slots)]) + b"".join(slots)
    b += bytes([len(ops)]) + b"".join(ops)
    for gap, kind, arg in decisions:
        b += bytes([gap, kind, arg])
    return b


def sequential():
    yield trace([op(ALLOC, v=64), op(ALLOC, v=576), op(FREE), op(FREE), op(DRAIN)])
    yield trace([op(REPEAT, s=1, v=13), op(ALLOC, v=1856), op(FREE),
                 op(ALLOC, v=size_gfp(4096)), op(ALLOC, v=4097), op(FREE, s=1), op(FREE)])
    yield trace([op(ALLOC_ALIGN, v=align(100, 6)), op(ALLOC_ALIGN, v=align(3000, 11)),
                 op(FREE), op(ALLOC, v=8191), op(FREE), op(FREE)])
    yield trace([op(FAULTS, s=2), op(ALLOC, v=size_gfp(2048, 5)), op(ALLOC, v=size_gfp(4000, 5)),
                 op(FREE), op(FAULTS, s=0), op(ALLOC, v=64), op(FREE), op(FREE)])
    yield trace([op(FAULTS, s=1), op(ALLOC, v=3000), op(ALLOC, v=3000), op(FREE), op(FREE),
                 op(DRAIN)], faults=1)
    yield trace([op(ALLOC, s=1, v=256), op(ALLOC, s=1, v=1024), op(FREE), op(ALLOC, s=0, v=1),
                 op(DRAIN, s=1), op(FREE), op(FREE)], caches=2, rings=(1,))
    yield trace([op(NETDEV, v=576), op(IRQ_OFF, s=1), op(NETDEV, v=2048), op(FREE),
                 op(NAPI, v=1856), op(NAPI_1K), op(FREE), op(FREE), op(FREE)])
    yield trace([op(REPEAT, s=0, v=40), op(ALLOC, v=1), op(ALLOC, v=32768 & 0x1fff),
                 op(FREE, s=1)])


def concurrent():
    # A NIC interrupt takes skb heads from the netdev cache and raises NAPI.
    yield trace([op(NETDEV, 1, 0, 1856), op(RAISE, 1), op(NAPI, 2, 0, 576), op(FREE, 2),
                 op(NETDEV, 1, 1, align(2048, 6)), op(FREE, 1),
                 op(ALLOC, 0, 0, 576), op(NETDEV, 0, 0, 3000), op(FREE, 0), op(FREE, 0, 1)],
                slots=[slot(SOFTIRQ, 0), slot(HARDIRQ, 0, 4)],
                decisions=[(20, 1, 1), (60, 1, 1), (90, 1, 1)])
    # The page_frag_test pair: one CPU allocates and pushes, another pops.
    yield trace([op(REPEAT, 1, 1, 30), op(ALLOC, 1, 0, 500), op(PUSH, 1),
                 op(REPEAT, 2, 1, 30), op(POP, 2), op(NAPI, 2, 0, 600), op(FREE, 2),
                 op(DRAIN, 1)], cpus=2, slots=[slot(TASK, 1), slot(TASK, 0)],
                decisions=[(100, 0, 1), (200, 0, 0), (255, 0, 1)])
    # Speculative references on pages the caches recycle.
    yield trace([op(ALLOC, v=2048), op(SPEC_GET), op(ALLOC, v=2048), op(FREE, s=0),
                 op(FREE), op(ALLOC, v=3000), op(SPEC_PUT), op(FREE)], spec=True,
                decisions=[(10, 2, 8), (30, 3, 8), (15, 2, 16), (40, 3, 16)])
    # A cache recycles its page (every fragment freed, then the reuse path)
    # while the speculative agent holds or takes references on it.
    yield trace([op(ALLOC, v=4096), op(FREE)] * 9 + [op(ALLOC, v=2048), op(FREE)],
                spec=True, decisions=[(40, 2, 8), (30, 3, 8), (20, 2, 8), (30, 3, 8)])
    # The same with the agent busy all along: a get and a put on the
    # cache's first page every 15 points (its 64 actions).
    yield trace([op(ALLOC, v=4096), op(FREE)] * 9 + [op(ALLOC, v=2048), op(FREE)],
                spec=True, decisions=[(14, 2, 8), (1, 3, 8)] * 32)
    # Two tasks on one CPU with kernel preemption, napi and netdev paths.
    yield trace([op(BH_OFF, 1, 1), op(NAPI, 1, 0, 256), op(NAPI, 1, 0, 512), op(FREE, 1),
                 op(FREE, 1), op(NETDEV, 0, 0, 1024), op(NAPI_1K, 0), op(FREE, 0), op(FREE, 0)],
                preempt=True, slots=[slot(TASK, 0)], decisions=[(12, 0, 1), (30, 0, 0)])
    # PREEMPT_RT: the napi cache's local lock is a real per-CPU lock.
    yield trace([op(NAPI, 1, 0, 700), op(FREE, 1), op(NAPI, 0, 0, 700), op(FREE, 0)],
                rt=True, preempt=True, slots=[slot(TASK, 0)], decisions=[(8, 0, 1)])
    # Memory pressure flips under a driver cache and the network caches.
    yield trace([op(ALLOC, 0, 0, size_gfp(1500, 5)), op(NETDEV, 0, 0, 4096), op(FREE, 0),
                 op(ALLOC, 0, 0, 3000), op(FREE, 0), op(FREE, 0)], pressure=True,
                decisions=[(5, 4, 0), (40, 5, 0)])
    # An RX ring on one CPU, its pages freed by another.
    yield trace([op(ALLOC, 1, 0, 1536), op(PUSH, 1), op(ALLOC, 1, 0, 1536), op(PUSH, 1),
                 op(ALLOC, 1, 0, 1536), op(PUSH, 1), op(POP), op(POP), op(POP), op(DRAIN, 1)],
                cpus=2, rings=(0,), slots=[slot(TASK, 1)], decisions=[(50, 0, 1)])


def write(d, blobs, check):
    d.mkdir(parents=True, exist_ok=True)
    want = {hashlib.sha1(b).hexdigest(): b for b in blobs}
    have = {p.name for p in d.iterdir() if not p.name.startswith(".")}
    if check:
        return set(want) == have
    for name in have - set(want):
        (d / name).unlink()
    for name, b in want.items():
        (d / name).write_bytes(b)
    return True


def text_traces():
    for p in sorted((ROOT / "corpus" / "regress").glob("*.trace")):
        yield p.read_bytes()
    for p in sorted((ROOT / "docs").glob("*.md")):
        for m in re.finditer(r"```\n(fragsim-trace 1\n.*?)```", p.read_text(), re.S):
            yield m.group(1).encode()


def main(argv):
    check = "--check" in argv[1:]
    seq, conc = list(sequential()), list(concurrent())
    ok = write(ROOT / "corpus" / "fuzz_trace", seq + conc, check)
    ok &= write(ROOT / "corpus" / "fuzz_diff", seq, check)
    ok &= write(ROOT / "corpus" / "fuzz_trace_text", list(text_traces()), check)
    if not ok:
        print("make-fuzz-seeds: corpus/ differs from what the script writes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
