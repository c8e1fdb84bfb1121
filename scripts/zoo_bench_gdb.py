# SPDX-License-Identifier: GPL-2.0
"""gdb side of the zoo benchmark's "reached" stage (scripts/zoo_bench.py):
attached to a process stopped just before it execs the engine, wait for
the exec, put breakpoints on the zoo entry's edited kernel lines (only the
locations inside the entry's own functions, fs_zoo_<id>_<kernel>_*), let
it run, and at the first hit write the time and detach, so the rest of
the run goes at full speed.  Loaded with gdb -batch -x; the environment
says what to do:
  ZB_LINES   "file:line ..." (kernel file names, as the #line directives)
  ZB_FUNC    function-name prefix of the entry's code
  ZB_OUT     file to append "armed T", "reached T FILE:LINE" or
             "unresolved WHY" lines to (T: CLOCK_MONOTONIC seconds)"""
import os
import signal
import time

import gdb


def note(line):
    with open(os.environ['ZB_OUT'], 'a') as f:
        f.write(line + '\n')


def family(fn, prefix):
    """Which copy of the entry's code a location is in: the simulator's
    instrumented one or the native twin (stress); None: not the entry's."""
    if not fn or not fn.startswith(prefix):
        return None
    return 'native' if fn.startswith(prefix + 'native_') else 'instrumented'


def watch(spec, prefix, done):
    """A breakpoint on spec's locations in the copies not in done; the
    copies it covers."""
    try:
        bp = gdb.Breakpoint(spec)
    except gdb.error:
        return set()
    got = set()
    for loc in bp.locations:
        f = family(loc.function, prefix)
        if f and f not in done:
            got.add(f)
        else:
            loc.enabled = False
    if not got:
        bp.delete()
    return got


def arm():
    """Breakpoints on the entry's edited lines; how many copies they
    cover.  Each copy (instrumented, native; they are compiled
    differently) is watched at the line itself or, when its code has
    nothing there ("if (0) {", ";", or code the compiler put on another
    line), at the nearest line before it with code (the statement the
    removed check followed), else the nearest after it."""
    prefix = os.environ['ZB_FUNC']
    kept = 0
    for spec in os.environ['ZB_LINES'].split():
        path, line = spec.rsplit(':', 1)
        line = int(line)
        done = set()
        for n in [line] + list(range(line - 1, line - 16, -1)) + \
                list(range(line + 1, line + 16)):
            done |= watch('%s:%d' % (path, n), prefix, done)
            if len(done) == 2:
                break
        kept += len(done)
    return kept


def finish(pid):
    # The process was stopped (SIGSTOP) when gdb attached: detaching
    # leaves it so, hence the SIGCONT.
    try:
        gdb.execute('detach')
    except gdb.error:
        pass
    try:
        os.kill(pid, signal.SIGCONT)
    except OSError:
        pass


def main():
    # No shared-library symbols: the kernel code is in the executable,
    # and loading libc's would slow the start of every watched run.
    for c in ('set pagination off', 'set confirm off', 'set auto-solib-add off',
              'handle all nostop noprint pass', 'catch exec'):
        gdb.execute(c)
    pid = gdb.selected_inferior().pid
    gdb.execute('continue')		# to the exec
    if arm() == 0:
        note('unresolved no location of %s in %s' %
             (os.environ['ZB_FUNC'], os.environ['ZB_LINES']))
        finish(pid)
        return
    note('armed %.4f' % time.monotonic())
    hit = []

    def stop(ev):
        if isinstance(ev, gdb.BreakpointEvent) and not hit:
            hit.append(1)
            sal = gdb.selected_frame().find_sal()
            where = '%s:%d' % (sal.symtab.filename if sal.symtab else '?',
                               sal.line)
            note('reached %.4f %s' % (time.monotonic(), where))

    gdb.events.stop.connect(stop)
    try:
        gdb.execute('continue')
    except gdb.error:
        pass			# the process exited: never reached
    if hit:
        finish(pid)


main()
