#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
# OSS-Fuzz unit-test hook (Chronos): run after build.sh in the builder
# image.  Builds the rest of the $WORK/build tree build.sh configured (same
# compilers and sanitizer flags; the bug-zoo targets are off there) and runs
# fragsim's meson tests, the fuzz suites replaying corpus/<fuzzer>/ included.
B="$WORK/build"
if [ ! -f "$B/build.ninja" ]; then
  echo "run_tests.sh: $B is not configured; run build.sh first" >&2
  exit 1
fi
ninja -C "$B"
meson test -C "$B" --print-errorlogs --num-processes "$(nproc)"
